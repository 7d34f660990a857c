import { erpTagNote, WoocommerceClient } from '../../../connectors/woocommerce/client';
import type { ShopOrder } from '../../../domain/order';
import type { CheckoutSpec } from '../../../connectors/shopify/simulator/checkout';
import { woocommerceCheckout } from '../../../connectors/woocommerce/simulator/checkout';
import { toDecimalString } from '../../../domain/money';
import type { Harness } from '../harness';
import { stripeClient, seedErpProduct } from '../orders';
import { injectFaults, simGet, simPost } from '../sim-control';
import { SimulatedShop, type PlacedOrder, type ShippingAddress, type ShopDriver } from './driver';

/** How many order reads a storm refuses, each asking to wait a second. */
const STORM_REFUSALS = 3;
const ERP_NOTE_PREFIX = erpTagNote('');

/**
 * WooCommerce: orders as its Stripe gateway's checkout leaves them, changes made in WordPress (the simulator's
 * control routes), ERP references as order notes, a fulfilment as the completed order's tracking note.
 */
export class WoocommerceDriver extends SimulatedShop implements ShopDriver {
  readonly connection = 'woocommerce';
  readonly updateTopic = 'order.updated';
  readonly client: WoocommerceClient;

  constructor(h: Harness) {
    super(h, h.woocommerce.url);
    this.client = new WoocommerceClient({ baseUrl: h.woocommerce.url, ...h.woo });
  }

  /** Woo refuses order lines with SKUs it does not sell; its stock stays unmanaged, as the ERP keeps it. */
  async seedProduct(sku: string, onHand: number, unitPriceMinor = 2500): Promise<void> {
    await seedErpProduct(this.h, sku, onHand, unitPriceMinor);
    const { products } = await simGet<{ products: Array<{ sku: string }> }>(this.url, 'products');
    if (!products.some((p) => p.sku === sku)) await simPost(this.url, 'products', { sku, price: toDecimalString(unitPriceMinor, 'USD') });
  }

  async placeOrder(spec: CheckoutSpec): Promise<PlacedOrder> {
    const placed = await woocommerceCheckout(this.h.woocommerce, this.client, stripeClient(this.h), spec);
    return { ...placed, workflowId: this.workflowId(placed.order.id) };
  }

  /** The next order placed gets this id (e.g. one another shop already uses). */
  async pinNextOrderId(id: string): Promise<void> {
    await simPost(this.url, 'next-order-id', { id: Number(id) });
  }

  async cancelInShop(shopOrderId: string): Promise<void> {
    await simPost(this.url, `orders/${shopOrderId}`, { status: 'cancelled' });
  }

  async changeShippingAddress(order: ShopOrder, a: ShippingAddress): Promise<void> {
    const shipping = {
      first_name: a.firstName, last_name: a.lastName, address_1: a.address1, city: a.city, postcode: a.zip, country: a.countryCode,
      ...(a.phone !== undefined ? { phone: a.phone } : {}),
    };
    await simPost(this.url, `orders/${order.id}`, { shipping });
  }

  getOrder(shopOrderId: string): Promise<ShopOrder> {
    return this.client.getOrder(shopOrderId);
  }

  /** Woo has no fulfilment records: each shipment is a tracking note on the completed order. */
  async fulfilments(shopOrderId: string): Promise<number> {
    const completed = (await this.client.getWooOrder(shopOrderId)).status === 'completed';
    const notes = (await this.client.listNotes(shopOrderId)).filter((n) => n.note.startsWith('Shipped with '));
    return completed ? notes.length : 0;
  }

  /** From the notes, not the `erp_tags` meta: a note written twice shows twice. */
  async erpReferences(shopOrderId: string): Promise<string[]> {
    const notes = await this.client.listNotes(shopOrderId);
    return notes.filter((n) => n.note.startsWith(ERP_NOTE_PREFIX)).map((n) => n.note.slice(ERP_NOTE_PREFIX.length));
  }

  async startRateLimitStorm(): Promise<void> {
    await injectFaults(this.url, [
      { method: 'GET', pathPattern: '^/wp-json/wc/v3/orders/\\d+$', kind: 'rate-limit', retryAfterSeconds: 1, remaining: STORM_REFUSALS },
    ]);
  }

  async rateLimitedCalls(): Promise<number> {
    const { faults } = await simGet<{ faults: Array<{ kind: string; remaining: number }> }>(this.url, 'faults');
    const storm = faults.find((f) => f.kind === 'rate-limit');
    return storm ? STORM_REFUSALS - storm.remaining : 0;
  }

  protected redeliveredIds(answer: unknown): string[] {
    return (answer as { ids: string[] }).ids;
  }
}
