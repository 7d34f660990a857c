import { ShopifyClient } from '../../../connectors/shopify/client';
import { ORDER_UPDATE } from '../../../connectors/shopify/queries';
import type { ShopOrder } from '../../../domain/order';
import { checkout, type CheckoutSpec } from '../../../connectors/shopify/simulator/checkout';
import { stripeClient, seedErpProduct } from '../orders';
import type { Harness } from '../harness';
import { simGet, simPost } from '../sim-control';
import { SimulatedShop, type PlacedOrder, type ShippingAddress, type ShopDriver } from './driver';

/** Shopify: orders through its Admin GraphQL API (what a Shopify checkout records), ERP references as tags. */
export class ShopifyDriver extends SimulatedShop implements ShopDriver {
  readonly connection = 'shopify';
  readonly updateTopic = 'orders/updated';

  readonly client: ShopifyClient;
  private throttledBefore = 0;

  constructor(h: Harness) {
    super(h, h.shopify.url);
    this.client = new ShopifyClient({ baseUrl: h.shopify.url, accessToken: h.shopifyToken, apiVersion: '2026-10' });
  }

  // Shopify orders need no catalogue entry: the ERP alone knows the SKU.
  seedProduct(sku: string, onHand: number, unitPriceMinor = 2500): Promise<void> {
    return seedErpProduct(this.h, sku, onHand, unitPriceMinor);
  }

  async placeOrder(spec: CheckoutSpec): Promise<PlacedOrder> {
    const placed = await checkout(this.client, stripeClient(this.h), spec);
    return { ...placed, workflowId: this.workflowId(placed.order.id) };
  }

  async cancelInShop(shopOrderId: string): Promise<void> {
    await this.client.cancelOrder(shopOrderId, { reason: 'CUSTOMER', refund: false, restock: true });
  }

  async changeShippingAddress(order: ShopOrder, address: ShippingAddress): Promise<void> {
    await this.client.request(ORDER_UPDATE, { input: { id: order.gid, shippingAddress: address } });
  }

  getOrder(shopOrderId: string): Promise<ShopOrder> {
    return this.client.getOrder(shopOrderId);
  }

  async fulfilments(shopOrderId: string): Promise<number> {
    const { orders } = await simGet<{ orders: Array<{ id: number; fulfillments: unknown[] }> }>(this.url, 'orders');
    return orders.find((o) => String(o.id) === shopOrderId)?.fulfillments.length ?? 0;
  }

  async erpReferences(shopOrderId: string): Promise<string[]> {
    return (await this.getOrder(shopOrderId)).tags.filter((t) => t.startsWith('erp:'));
  }

  /** Shopify's own throttling: the query-cost bucket is empty and refills slowly, so reads answer THROTTLED. */
  async startRateLimitStorm(): Promise<void> {
    this.throttledBefore = await this.throttledRequests();
    await simPost(this.url, 'throttle', { maximumAvailable: 1000, restoreRate: 150, currentlyAvailable: 0 });
  }

  async rateLimitedCalls(): Promise<number> {
    return (await this.throttledRequests()) - this.throttledBefore;
  }

  private async throttledRequests(): Promise<number> {
    return (await simGet<{ throttledRequests: number }>(this.url, 'throttle')).throttledRequests;
  }

  override async reset(): Promise<void> {
    await simPost(this.url, 'throttle', { maximumAvailable: 1000, restoreRate: 50, currentlyAvailable: 1000 });
    await super.reset();
  }

  protected redeliveredIds(answer: unknown): string[] {
    return (answer as { webhookIds: string[] }).webhookIds;
  }
}
