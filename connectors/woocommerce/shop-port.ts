import type { ShopOrder } from '../../domain/order';
import type { InventoryPort, SetStockResult, StockPage, StockToSet } from '../../ports/inventory';
import { erpReference, type ShopCancelReason, type ShopOrderPage, type ShopPort, type Tracking } from '../../ports/shop';
import { WoocommerceClient, type CancelReason, type WoocommerceClientOptions } from './client';
import { WOO_BATCH_LIMIT } from './inventory';
import { fromWooGmt } from './mapper';
import type { WooProduct } from './schema';

/** WooCommerce keeps one stock per product, not per location: the whole store is this one location. */
export const WOO_STORE_LOCATION = 'store';

const levelOf = (p: WooProduct) => ({ sku: p.sku, location: WOO_STORE_LOCATION, available: p.stock_quantity ?? 0 });

/**
 * The shop port on WooCommerce: the ERP number goes to order meta and a note, fulfilment completes the order.
 * Stock is set absolutely in product batches; Woo has no compare-and-set, so `compare` is not checked.
 */
export class WoocommerceShop implements ShopPort, InventoryPort {
  readonly maxStockBatch = WOO_BATCH_LIMIT;
  readonly comparesStock = false;
  private readonly client: WoocommerceClient;

  constructor(opts: WoocommerceClientOptions | WoocommerceClient) {
    this.client = opts instanceof WoocommerceClient ? opts : new WoocommerceClient(opts);
  }

  getOrder(orderId: string): Promise<ShopOrder> {
    return this.client.getOrder(orderId);
  }

  /** Woo pages by number: the cursor is the next page's. */
  async listOrdersUpdatedSince(sinceIso: string, cursor?: string | null): Promise<ShopOrderPage> {
    const page = cursor ? Number(cursor) : 1;
    const listed = await this.client.listOrdersModifiedAfter(sinceIso, page);
    return {
      orders: listed.orders.map((o) => ({
        id: String(o.id), updatedAt: fromWooGmt(o.date_modified_gmt), cancelled: ['cancelled', 'trash'].includes(o.status),
      })),
      nextCursor: listed.last ? null : String(page + 1),
    };
  }

  noteErpNumber(orderId: string, erpNumber: string): Promise<ShopOrder> {
    return this.client.addTags(orderId, [erpReference(erpNumber)]);
  }

  async cancelOrder(orderId: string, opts: { reason: ShopCancelReason; restock: boolean }): Promise<void> {
    // Woo puts reduced stock back by itself when an order is cancelled.
    await this.client.cancelOrder(orderId, { reason: opts.reason.toUpperCase() as CancelReason });
  }

  async fulfilOrder(orderId: string, tracking: Tracking | null): Promise<void> {
    await this.client.createFulfillment(orderId, tracking ? { number: tracking.number, company: tracking.carrier } : undefined);
  }

  async defaultStockLocation(): Promise<string> {
    return WOO_STORE_LOCATION;
  }

  /** The cursor is the next page number. */
  async listStock(opts: { location: string; cursor?: string | null; skus?: readonly string[] }): Promise<StockPage> {
    if (opts.skus) return { levels: (await this.client.findBySku(opts.skus)).map(levelOf), nextCursor: null };
    const page = Number(opts.cursor ?? '1');
    const { products, last } = await this.client.listProducts(page);
    return { levels: products.filter((p) => p.sku !== '').map(levelOf), nextCursor: last ? null : String(page + 1) };
  }

  async setStock(items: readonly StockToSet[]): Promise<SetStockResult> {
    const { missing } = await this.client.setInventory(items.map((i) => ({ sku: i.sku, quantity: i.available })));
    return { applied: true, unknownSkus: missing };
  }
}
