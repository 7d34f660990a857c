import { CostPacer } from '../../connectors/shopify/cost-pacer';
import { setOutcome, setQuantitiesInput, toInventoryPage, toLocationsPage, type ShopifyQuantityToSet } from '../../connectors/shopify/inventory';
import { ShopifyMappingError } from '../../connectors/shopify/mapper';

const item = (n: number, compareQuantity: number | null = n): ShopifyQuantityToSet => ({
  inventoryItemId: `gid://shopify/InventoryItem/${n}`, locationId: 'gid://shopify/Location/1', quantity: n + 100, compareQuantity,
});
const stale = (index: number | string) => ({ field: ['input', 'quantities', String(index), 'changeFromQuantity'], message: 'stale', code: 'CHANGE_FROM_QUANTITY_STALE' });

describe('Shopify inventory mapping', () => {
  it('maps a page of variants to rows at the location, null where the item is not stocked', () => {
    const variant = (id: number, level: unknown) => ({ id: `gid://shopify/ProductVariant/${id}`, sku: `S-${id}`, inventoryItem: { id: `gid://shopify/InventoryItem/${id}`, inventoryLevel: level } });
    const page = toInventoryPage({
      nodes: [variant(1, { quantities: [{ name: 'available', quantity: -2 }] }), variant(2, null)],
      pageInfo: { hasNextPage: true, endCursor: 'c2' },
    }, 'gid://shopify/Location/9');
    expect(page).toEqual({
      items: [
        { sku: 'S-1', variantId: 'gid://shopify/ProductVariant/1', inventoryItemId: 'gid://shopify/InventoryItem/1', locationId: 'gid://shopify/Location/9', available: -2 },
        { sku: 'S-2', variantId: 'gid://shopify/ProductVariant/2', inventoryItemId: 'gid://shopify/InventoryItem/2', locationId: 'gid://shopify/Location/9', available: null },
      ],
      nextCursor: 'c2',
    });
    expect(toInventoryPage({ nodes: [], pageInfo: { hasNextPage: false, endCursor: null } }, 'x').nextCursor).toBeNull();
    expect(() => toInventoryPage({ nodes: [{ id: 'v', sku: null }], pageInfo: { hasNextPage: false, endCursor: null } }, 'x')).toThrow(ShopifyMappingError);
  });

  it('marks the primary location', () => {
    const page = toLocationsPage({
      primary: { id: 'L2' },
      locations: { nodes: [{ id: 'L1', name: 'A', isActive: true }, { id: 'L2', name: 'B', isActive: false }], pageInfo: { hasNextPage: false, endCursor: null } },
    });
    expect(page).toEqual({ locations: [{ id: 'L1', name: 'A', isActive: true, primary: false }, { id: 'L2', name: 'B', isActive: false, primary: true }], nextCursor: null });
  });

  it('sends changeFromQuantity on every quantity, null included, and the reference only when given', () => {
    const input = setQuantitiesInput([item(1), item(2, null)], { name: 'available', reason: 'correction' });
    expect(input).toEqual({
      name: 'available', reason: 'correction',
      quantities: [
        { inventoryItemId: 'gid://shopify/InventoryItem/1', locationId: 'gid://shopify/Location/1', quantity: 101, changeFromQuantity: 1 },
        { inventoryItemId: 'gid://shopify/InventoryItem/2', locationId: 'gid://shopify/Location/1', quantity: 102, changeFromQuantity: null },
      ],
    });
    expect(JSON.parse(JSON.stringify(input)).quantities[1]).toHaveProperty('changeFromQuantity', null);
    expect(setQuantitiesInput([], { name: 'on_hand', reason: 'received', referenceDocumentUri: 'gid://erp/Sync/1' }).referenceDocumentUri).toBe('gid://erp/Sync/1');
  });
});

describe('what an inventorySetQuantities payload means', () => {
  const items = [item(0), item(1), item(2, null)];

  it('is applied without user errors', () => {
    expect(setOutcome({ inventoryAdjustmentGroup: { id: 'G1' }, userErrors: [] }, items)).toEqual({ kind: 'result', result: { applied: true, adjustmentGroupId: 'G1' } });
    expect(setOutcome({ inventoryAdjustmentGroup: null, userErrors: [] }, items)).toEqual({ kind: 'result', result: { applied: true, adjustmentGroupId: null } });
  });

  it('names the stale items by the errors\' field, once each and in input order', () => {
    const outcome = setOutcome({ inventoryAdjustmentGroup: null, userErrors: [stale(1), stale(0), stale(1)] }, items);
    expect(outcome).toEqual({ kind: 'result', result: { applied: false, stale: [items[0], items[1]] } });
  });

  it('counts every compared item as stale when an error names no item', () => {
    for (const field of [null, ['input', 'quantities', '7', 'changeFromQuantity'], ['input', 'name']]) {
      const outcome = setOutcome({ inventoryAdjustmentGroup: null, userErrors: [{ ...stale(0), field }] }, items);
      expect(outcome).toEqual({ kind: 'result', result: { applied: false, stale: [items[0], items[1]] } });
    }
  });

  it('refuses other user errors, even beside stale ones, and retries a key still in progress', () => {
    const invalid = { field: ['input', 'reason'], message: 'bad reason', code: 'INVALID_REASON' };
    expect(setOutcome({ inventoryAdjustmentGroup: null, userErrors: [stale(0), invalid] }, items)).toEqual({ kind: 'refused', errors: [invalid] });
    const busy = { field: null, message: 'in progress', code: 'IDEMPOTENCY_CONCURRENT_REQUEST' };
    expect(setOutcome({ inventoryAdjustmentGroup: null, userErrors: [busy] }, items)).toEqual({ kind: 'retry', errors: [busy] });
  });
});

describe('CostPacer with an expected cost', () => {
  it('paces an operation never sent yet by its expected cost, and by what Shopify charged afterwards', () => {
    const pacer = new CostPacer();
    pacer.learn('Other', { requestedQueryCost: 5, throttleStatus: { maximumAvailable: 100, currentlyAvailable: 2, restoreRate: 10 } }, 0);
    expect(pacer.waitMs('Push', 0)).toBe(0);
    expect(pacer.waitMs('Push', 0, 12)).toBe(1000);
    pacer.learn('Push', { requestedQueryCost: 7, throttleStatus: { maximumAvailable: 100, currentlyAvailable: 2, restoreRate: 10 } }, 0);
    expect(pacer.waitMs('Push', 0, 12)).toBe(500);
  });
});
