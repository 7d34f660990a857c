import { sellableQuantity } from '../../erp/inventory/sellable';
import { planPush, resolveStale, type OutboxChange } from '../../workflows/inventory/plan';

const change = (sku: string, sellable: number | null, known: number | null, sync = true): OutboxChange =>
  ({ productId: sku.length, sku, version: 1, sellable, known, sync });

describe('sellableQuantity', () => {
  test.each([
    [{ onHand: 10, reserved: 3, safetyStock: 2 }, 5],
    [{ onHand: 10, reserved: 0, safetyStock: 0 }, 10],
    [{ onHand: 4, reserved: 3, safetyStock: 2 }, 0],
    [{ onHand: 0, reserved: 0, safetyStock: 5 }, 0],
  ])('%o may sell %i', (position, expected) => expect(sellableQuantity(position)).toBe(expected));
});

describe('planPush', () => {
  test('pushes only what differs from what the shop holds, with that as compare, in batches', () => {
    const plan = planPush([change('A', 5, 3), change('B', 2, 2), change('C', 0, null), change('D', 7, 1, false), change('E', null, 4)], 'L1', 1);
    expect(plan.batches).toEqual([
      [{ sku: 'A', location: 'L1', available: 5, compare: 3 }],
      [{ sku: 'C', location: 'L1', available: 0, compare: null }],
    ]);
    expect(plan.unchanged.map((c) => c.sku)).toEqual(['B', 'D', 'E']);
  });

  test('fills batches up to the shop limit', () => {
    const changes = Array.from({ length: 501 }, (_, i) => change(`S${i}`, i, null));
    expect(planPush(changes, 'L', 250).batches.map((b) => b.length)).toEqual([250, 250, 1]);
  });
});

describe('resolveStale', () => {
  const batch = [{ sku: 'A', location: 'L', available: 5, compare: 3 }, { sku: 'B', location: 'L', available: 1, compare: 0 }];

  test('ERP wins: the stale SKU is pushed again with the read-back value as compare, the rest unchanged', () => {
    const r = resolveStale(batch, ['A'], { A: 9 }, 'erp-wins', 1, 3);
    expect(r.next).toEqual([{ ...batch[0], compare: 9 }, batch[1]]);
    expect(r.drifts).toEqual([{ sku: 'A', expected: 3, found: 9, erpSellable: 5, resolution: 'erp-wins', attempt: 1 }]);
    expect(r.gaveUp).toEqual([]);
  });

  test('keep-shop accepts what the shop holds and pushes only the rest', () => {
    const r = resolveStale(batch, ['A'], { A: 9 }, 'keep-shop', 1, 3);
    expect(r.next).toEqual([batch[1]]);
    expect(r.shopLevels).toEqual([{ sku: 'A', quantity: 9 }]);
    expect(r.drifts[0]!.resolution).toBe('keep-shop');
  });

  test('at the last attempt the stale SKUs are given up, so a shop that keeps changing cannot loop the sync', () => {
    const r = resolveStale(batch, ['A'], { A: 11 }, 'erp-wins', 3, 3);
    expect(r.next).toEqual([batch[1]]);
    expect(r.gaveUp).toEqual([batch[0]]);
    expect(r.drifts[0]).toMatchObject({ sku: 'A', resolution: 'gave-up', attempt: 3 });
  });

  test('a refusal naming no SKU counts against every SKU of the batch', () => {
    expect(resolveStale(batch, [], {}, 'erp-wins', 3, 3).next).toEqual([]);
  });
});
