import type { WooProduct } from './schema';

/** Planning of a stock push to WooCommerce: which SKU lookups and which batch calls. Pure. */

/** Woo accepts at most 100 items per batch call, and lists at most 100 per page. */
export const WOO_BATCH_LIMIT = 100;

export interface StockItem { sku: string; quantity: number }

export interface StockUpdate { id: number; manage_stock: true; stock_quantity: number }

/** One `POST .../batch` call: products go to `/products/batch`, variations to their product's variations batch. */
export interface StockBatch { path: string; update: StockUpdate[] }

/**
 * Groups SKUs for `GET /products?sku=a,b,c`. Woo splits that parameter on commas (and also tries the whole
 * string), so a SKU that itself holds a comma is looked up alone.
 */
export function skuLookupGroups(skus: readonly string[], size = WOO_BATCH_LIMIT): string[][] {
  const unique = [...new Set(skus)];
  const plain = unique.filter((s) => !s.includes(','));
  const groups = chunk(plain, size);
  for (const sku of unique.filter((s) => s.includes(','))) groups.push([sku]);
  return groups;
}

/**
 * The batch calls that set each SKU's stock to the wanted quantity (the last one given for a SKU wins), and the
 * SKUs the shop does not sell. Absolute quantities make the push safe to repeat.
 */
export function planStockBatches(
  items: readonly StockItem[], found: readonly WooProduct[], size = WOO_BATCH_LIMIT,
): { batches: StockBatch[]; missing: string[] } {
  const wanted = new Map<string, number>();
  for (const item of items) {
    if (!Number.isSafeInteger(item.quantity)) {
      throw new Error(`stock quantity for SKU ${item.sku} must be a whole number, got ${item.quantity}`);
    }
    wanted.set(item.sku, item.quantity);
  }
  const bySku = new Map(found.map((p) => [p.sku, p]));
  const byPath = new Map<string, StockUpdate[]>();
  const missing: string[] = [];
  for (const [sku, quantity] of wanted) {
    const product = bySku.get(sku);
    if (!product) {
      missing.push(sku);
      continue;
    }
    const path = product.type === 'variation' ? `/products/${product.parent_id}/variations/batch` : '/products/batch';
    byPath.set(path, [...(byPath.get(path) ?? []), { id: product.id, manage_stock: true, stock_quantity: quantity }]);
  }
  const batches = [...byPath].flatMap(([path, updates]) => chunk(updates, size).map((update) => ({ path, update })));
  return { batches, missing };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
