import { planStockBatches, skuLookupGroups } from '../../connectors/woocommerce/inventory';
import type { WooProduct } from '../../connectors/woocommerce/schema';

const skus = (n: number, prefix = 'SKU') => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
const product = (id: number, sku: string, parent = 0): WooProduct => ({
  id, sku, type: parent ? 'variation' : 'simple', parent_id: parent, manage_stock: true, stock_quantity: 0,
});

describe('WooCommerce stock push planning', () => {
  it('looks SKUs up 100 at a time, once each, and a SKU holding a comma on its own', () => {
    const groups = skuLookupGroups([...skus(250), 'SKU-3', 'A,B']);
    expect(groups.map((g) => g.length)).toEqual([100, 100, 50, 1]);
    expect(groups.flat()).toHaveLength(251);
    expect(groups[3]).toEqual(['A,B']);
  });

  it('splits 230 product updates into batches of 100, 100 and 30 on /products/batch', () => {
    const wanted = skus(230).map((sku, i) => ({ sku, quantity: i }));
    const { batches, missing } = planStockBatches(wanted, skus(230).map((sku, i) => product(1000 + i, sku)));
    expect(missing).toEqual([]);
    expect(batches.map((b) => [b.path, b.update.length])).toEqual([['/products/batch', 100], ['/products/batch', 100], ['/products/batch', 30]]);
    expect(batches[2]!.update.at(-1)).toEqual({ id: 1229, manage_stock: true, stock_quantity: 229 });
  });

  it('sends variations to their own product\'s variations batch and reports SKUs the shop does not sell', () => {
    const found = [product(1, 'MUG'), product(21, 'TEE-S', 20), product(22, 'TEE-M', 20), product(31, 'CAP-RED', 30)];
    const { batches, missing } = planStockBatches(
      [['MUG', 5], ['TEE-S', 1], ['GHOST', 9], ['TEE-M', 2], ['CAP-RED', 0]].map(([sku, quantity]) => ({ sku: String(sku), quantity: Number(quantity) })),
      found,
    );
    expect(missing).toEqual(['GHOST']);
    expect(batches).toEqual([
      { path: '/products/batch', update: [{ id: 1, manage_stock: true, stock_quantity: 5 }] },
      {
        path: '/products/20/variations/batch',
        update: [{ id: 21, manage_stock: true, stock_quantity: 1 }, { id: 22, manage_stock: true, stock_quantity: 2 }],
      },
      { path: '/products/30/variations/batch', update: [{ id: 31, manage_stock: true, stock_quantity: 0 }] },
    ]);
  });

  it('uses the last quantity given for a SKU, and refuses a fractional quantity before any call', () => {
    const { batches } = planStockBatches([{ sku: 'MUG', quantity: 5 }, { sku: 'MUG', quantity: 7 }], [product(1, 'MUG')]);
    expect(batches).toEqual([{ path: '/products/batch', update: [{ id: 1, manage_stock: true, stock_quantity: 7 }] }]);
    expect(() => planStockBatches([{ sku: 'MUG', quantity: 1.5 }], [product(1, 'MUG')])).toThrow('must be a whole number');
  });
});
