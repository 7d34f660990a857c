import { canonicalJson, IdempotencyStore } from '../../connectors/shopify/simulator/idempotency';
import { SimInventory, type SetQuantities } from '../../connectors/shopify/simulator/inventory';
import { UserErrors } from '../../connectors/shopify/simulator/user-errors';

describe('the simulated shop\'s stock', () => {
  let inventory: SimInventory;
  let a: number;
  let b: number;
  beforeEach(() => {
    let id = 100;
    inventory = new SimInventory(() => id++);
    a = inventory.addItem(1, 'A', 10).id;
    b = inventory.addItem(2, 'B', 5).id;
  });
  const at = () => inventory.primaryLocation.id;
  const set = (quantities: SetQuantities['quantities'], name = 'available'): SetQuantities => ({ name, reason: 'correction', referenceDocumentUri: null, quantities });
  const codes = (input: SetQuantities) => {
    try {
      inventory.setQuantities(input);
    } catch (err) {
      if (err instanceof UserErrors) return err.errors.map((e) => [e.code, e.field?.join('.') ?? null]);
      throw err;
    }
    return [];
  };

  it('sets available with a matching compare, and on_hand moves with it', () => {
    const group = inventory.setQuantities(set([{ itemId: a, locationId: at(), quantity: 7, changeFromQuantity: 10 }, { itemId: b, locationId: at(), quantity: 5, changeFromQuantity: null }]));
    expect(group.changes).toEqual([
      { itemId: a, locationId: at(), name: 'available', delta: -3, quantityAfterChange: 7 },
      { itemId: a, locationId: at(), name: 'on_hand', delta: -3, quantityAfterChange: 7 },
    ]);
    expect([inventory.quantity(a, at(), 'available'), inventory.quantity(b, at(), 'available')]).toEqual([7, 5]);
  });

  it('applies nothing when any compare is stale, and names each stale quantity', () => {
    expect(codes(set([
      { itemId: a, locationId: at(), quantity: 1, changeFromQuantity: 10 },
      { itemId: b, locationId: at(), quantity: 1, changeFromQuantity: 4 },
    ]))).toEqual([['CHANGE_FROM_QUANTITY_STALE', 'input.quantities.1.changeFromQuantity']]);
    expect([inventory.quantity(a, at(), 'available'), inventory.quantity(b, at(), 'available')]).toEqual([10, 5]);
  });

  it('refuses what Shopify refuses', () => {
    const other = inventory.addLocation('Closed');
    other.isActive = false;
    expect(codes({ ...set([{ itemId: a, locationId: at(), quantity: 1 }], 'committed'), reason: 'because', referenceDocumentUri: 'no uri' })).toEqual([
      ['INVALID_NAME', 'input.name'], ['INVALID_REASON', 'input.reason'], ['INVALID_REFERENCE_DOCUMENT', 'input.referenceDocumentUri'],
      ['COMPARE_QUANTITY_REQUIRED', 'input.quantities.0.changeFromQuantity'],
    ]);
    expect(codes(set([
      { itemId: 999, locationId: other.id, quantity: -1, changeFromQuantity: null },
      { itemId: a, locationId: at(), quantity: 1_000_000_001, changeFromQuantity: null },
      { itemId: a, locationId: at(), quantity: 1, changeFromQuantity: null },
    ]))).toEqual([
      ['INVALID_INVENTORY_ITEM', 'input.quantities.0.inventoryItemId'], ['INVALID_LOCATION', 'input.quantities.0.locationId'],
      ['INVALID_QUANTITY_NEGATIVE', 'input.quantities.0.quantity'], ['INVALID_QUANTITY_TOO_HIGH', 'input.quantities.1.quantity'],
      ['NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR', 'input.quantities.2.inventoryItemId'],
    ]);
  });

  it('stocks an item at a new location by setting it (comparing against 0)', () => {
    const warehouse = inventory.addLocation('Warehouse').id;
    expect(inventory.level(a, warehouse)).toBeUndefined();
    inventory.setQuantities(set([{ itemId: a, locationId: warehouse, quantity: 4, changeFromQuantity: 0 }]));
    expect(inventory.quantity(a, warehouse, 'available')).toBe(4);
    expect(inventory.totalAvailable(a)).toBe(14);
  });

  it('commits ordered stock, releases it on a restocking cancel, and ships it on fulfilment', () => {
    inventory.commit([{ itemId: a, quantity: 3 }], at());
    expect(['available', 'committed', 'on_hand'].map((n) => inventory.quantity(a, at(), n))).toEqual([7, 3, 10]);
    inventory.setQuantities(set([{ itemId: a, locationId: at(), quantity: 20, changeFromQuantity: 10 }], 'on_hand'));
    expect(['available', 'committed', 'on_hand'].map((n) => inventory.quantity(a, at(), n))).toEqual([17, 3, 20]);
    inventory.release([{ itemId: a, quantity: 1 }], at());
    inventory.ship([{ itemId: a, quantity: 2 }], at());
    expect(['available', 'committed', 'on_hand'].map((n) => inventory.quantity(a, at(), n))).toEqual([18, 0, 18]);
    expect(inventory.firstShortLine([{ itemId: b, quantity: 5 }, { itemId: a, quantity: 19 }], at())).toBe(1);
  });
});

describe('idempotency keys', () => {
  it('runs once per key, answers a replay with the first answer, and refuses other input under the same key', () => {
    const store = new IdempotencyStore();
    let runs = 0;
    const run = () => ++runs;
    expect(store.once('m', 'k', { a: 1, b: [1, null] }, run)).toBe(1);
    expect(store.once('m', 'k', { b: [1, null], a: 1 }, run)).toBe(1);
    expect(store.once('other', 'k', { a: 1 }, run)).toBe(2);
    expect(() => store.once('m', 'k', { a: 2 }, run)).toThrow(expect.objectContaining({ errors: [expect.objectContaining({ code: 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH' })] }));
    store.clear();
    expect(store.once('m', 'k', { a: 2 }, run)).toBe(3);
  });

  it('compares inputs whatever their key order, but not null with absent', () => {
    expect(canonicalJson({ b: 1, a: { d: null, c: 'x' } })).toBe(canonicalJson({ a: { c: 'x', d: null }, b: 1 }));
    expect(canonicalJson({ a: null })).not.toBe(canonicalJson({}));
  });
});
