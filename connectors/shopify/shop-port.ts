import type { ShopOrder } from '../../domain/order';
import type { InventoryPort, SetStockResult, ShopStockLevel, StockPage, StockToSet } from '../../ports/inventory';
import { erpReference, type ShopCancelReason, type ShopOrderPage, type ShopPort, type Tracking } from '../../ports/shop';
import { ShopifyClient, type CancelReason, type ShopifyClientOptions } from './client';
import { DEFAULT_INVENTORY_PAGE, MAX_SET_QUANTITIES, type ShopifyInventoryRow } from './inventory';
import { listOrdersUpdatedSince } from './order-list';

/** SKUs per search when reading chosen SKUs back (`sku:"A" OR sku:"B" ...`), one page each. */
const SKUS_PER_SEARCH = DEFAULT_INVENTORY_PAGE;

/**
 * The shop port on Shopify: the ERP number becomes a tag, a fulfilment covers every open fulfilment order. Stock is
 * set with inventorySetQuantities (compare-and-set, idempotency key); SKUs are mapped to inventory items by
 * reading them, and the mapping is kept (it never changes for a variant).
 */
export class ShopifyShop implements ShopPort, InventoryPort {
  readonly maxStockBatch = MAX_SET_QUANTITIES;
  readonly comparesStock = true;
  private readonly client: ShopifyClient;
  private readonly itemOfSku = new Map<string, string>();
  private primaryLocation: string | null = null;

  constructor(opts: ShopifyClientOptions | ShopifyClient) {
    this.client = opts instanceof ShopifyClient ? opts : new ShopifyClient(opts);
  }

  getOrder(orderId: string): Promise<ShopOrder> {
    return this.client.getOrder(orderId);
  }

  noteErpNumber(orderId: string, erpNumber: string): Promise<ShopOrder> {
    return this.client.addTags(orderId, [erpReference(erpNumber)]);
  }

  async cancelOrder(orderId: string, opts: { reason: ShopCancelReason; restock: boolean }): Promise<void> {
    await this.client.cancelOrder(orderId, { reason: opts.reason.toUpperCase() as CancelReason, refund: false, restock: opts.restock });
  }

  async fulfilOrder(orderId: string, tracking: Tracking | null): Promise<void> {
    await this.client.createFulfillment(orderId, tracking ? { number: tracking.number, company: tracking.carrier } : undefined);
  }

  listOrdersUpdatedSince(sinceIso: string, cursor?: string | null): Promise<ShopOrderPage> {
    return listOrdersUpdatedSince(this.client, sinceIso, cursor);
  }

  async defaultStockLocation(): Promise<string> {
    this.primaryLocation ??= (await this.client.locations()).find((l) => l.primary)?.id ?? null;
    if (!this.primaryLocation) throw new Error('the Shopify shop has no primary location');
    return this.primaryLocation;
  }

  async listStock(opts: { location: string; cursor?: string | null; skus?: readonly string[] }): Promise<StockPage> {
    if (!opts.skus) {
      const page = await this.client.listInventory({ locationId: opts.location, after: opts.cursor ?? null });
      return { levels: this.levelsOf(page.items), nextCursor: page.nextCursor };
    }
    const levels: ShopStockLevel[] = [];
    for (let i = 0; i < opts.skus.length; i += SKUS_PER_SEARCH) {
      const wanted = opts.skus.slice(i, i + SKUS_PER_SEARCH);
      const query = wanted.map((sku) => `sku:"${sku}"`).join(' OR ');
      const page = await this.client.listInventory({ locationId: opts.location, query, first: SKUS_PER_SEARCH });
      levels.push(...this.levelsOf(page.items).filter((l) => wanted.includes(l.sku)));
    }
    return { levels, nextCursor: null };
  }

  async setStock(items: readonly StockToSet[], opts: { idempotencyKey: string }): Promise<SetStockResult> {
    const unmappedByLocation = new Map<string, string[]>();
    for (const i of items.filter((item) => !this.itemOfSku.has(item.sku))) {
      unmappedByLocation.set(i.location, [...(unmappedByLocation.get(i.location) ?? []), i.sku]);
    }
    for (const [location, skus] of unmappedByLocation) await this.listStock({ location, skus });
    const known = items.filter((i) => this.itemOfSku.has(i.sku));
    const unknownSkus = items.filter((i) => !this.itemOfSku.has(i.sku)).map((i) => i.sku);
    const quantities = known.map((i) => ({ inventoryItemId: this.itemOfSku.get(i.sku)!, locationId: i.location, quantity: i.available, compareQuantity: i.compare }));
    const result = await this.client.setInventory(quantities, opts.idempotencyKey, { reason: 'correction' });
    if (result.applied) return { applied: true, unknownSkus };
    const skuOfItem = new Map(known.map((i) => [this.itemOfSku.get(i.sku)!, i.sku]));
    return { applied: false, staleSkus: result.stale.map((s) => skuOfItem.get(s.inventoryItemId)!), unknownSkus };
  }

  /** Rows with a SKU, their inventory items remembered; a level not stocked at the location holds 0. */
  private levelsOf(rows: readonly ShopifyInventoryRow[]): ShopStockLevel[] {
    return rows.flatMap((r) => {
      if (!r.sku) return [];
      this.itemOfSku.set(r.sku, r.inventoryItemId);
      return [{ sku: r.sku, location: r.locationId, available: r.available ?? 0 }];
    });
  }
}
