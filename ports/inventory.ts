/**
 * What the inventory sync needs from a shop, in the engine's words: a SKU's available quantity at one of the shop's
 * locations, read page by page or for chosen SKUs, and set in batches with a compare value (the quantity we last
 * know the shop holds). A shop without compare-and-set ignores the compare value; the sync then simply sets.
 */

export interface ShopStockLevel { sku: string; location: string; available: number }

export interface StockToSet {
  sku: string;
  location: string;
  available: number;
  /** What we believe the shop holds now; null sets without comparing. */
  compare: number | null;
}

/** Applied (SKUs the shop does not sell are listed, not set), or refused as a whole because these SKUs were not `compare`. */
export type SetStockResult = { applied: true; unknownSkus: string[] } | { applied: false; staleSkus: string[]; unknownSkus: string[] };

export interface StockPage { levels: ShopStockLevel[]; nextCursor: string | null }

export interface InventoryPort {
  /** The most quantities one `setStock` call may carry. */
  readonly maxStockBatch: number;
  /** Whether `setStock` honours `compare` (and so can answer stale). */
  readonly comparesStock: boolean;
  /** The shop location the ERP's stock goes to unless configured otherwise (the shop's primary one). */
  defaultStockLocation(): Promise<string>;
  /** One page of every SKU's stock at a location (from `cursor`), or the stock of the SKUs named. */
  listStock(opts: { location: string; cursor?: string | null; skus?: readonly string[] }): Promise<StockPage>;
  /** Sets available quantities in one call of at most `maxStockBatch`; the key makes a repeated call apply once. */
  setStock(items: readonly StockToSet[], opts: { idempotencyKey: string }): Promise<SetStockResult>;
}

export function isInventoryPort(port: unknown): port is InventoryPort {
  return typeof (port as Partial<InventoryPort> | null)?.setStock === 'function';
}
