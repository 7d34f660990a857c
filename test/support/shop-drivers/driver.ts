import type { ShopOrder } from '../../../domain/order';
import type { CheckoutResult, CheckoutSpec } from '../../../connectors/shopify/simulator/checkout';
import { orderBusinessKey, orderWorkflowId } from '../../../workflows/order/api';
import { eventually, type Harness } from '../harness';
import { clearFaults, simGet, simPost } from '../sim-control';

/**
 * A shop as the order tests drive it: its checkout, what its staff and buyers do in it, and what can be read back
 * from it. One implementation per shop simulator, so each order test runs unchanged against every shop.
 */

export type ShopName = 'shopify' | 'woocommerce';
export interface PlacedOrder extends CheckoutResult { workflowId: string }
export interface ShippingAddress {
  firstName: string; lastName: string; address1: string; city: string; zip: string; countryCode: string; phone?: string;
}

export interface ShopDriver {
  /** The connection id: in workflow ids, business keys and ERP bindings. */
  readonly connection: ShopName;
  /** The webhook topic the shop sends for an edited order. */
  readonly updateTopic: string;
  workflowId(shopOrderId: string): string;
  businessKey(shopOrderId: string): string;
  /** The SKU in the ERP with this stock, and in the shop's catalogue where its orders need it. */
  seedProduct(sku: string, onHand: number, unitPriceMinor?: number): Promise<void>;
  placeOrder(spec: CheckoutSpec): Promise<PlacedOrder>;
  /** The buyer or the shop's staff cancels the order in the shop. */
  cancelInShop(shopOrderId: string): Promise<void>;
  changeShippingAddress(order: ShopOrder, address: ShippingAddress): Promise<void>;
  /** The order read back through the engine's own connector. */
  getOrder(shopOrderId: string): Promise<ShopOrder>;
  /** How many times the shop recorded the order as shipped. */
  fulfilments(shopOrderId: string): Promise<number>;
  /** The ERP references the shop shows on the order, one entry per time it was written. */
  erpReferences(shopOrderId: string): Promise<string[]>;
  /** Webhooks go nowhere (so a test starts the flow itself), or to the relay again. */
  pointWebhooks(target: 'nowhere' | 'relay'): Promise<void>;
  /** Sends each following webhook `n` times. */
  duplicateWebhooks(n: number): Promise<void>;
  /** Resends the shop's last `count` webhooks and waits until the relay acknowledged (durably took) each one. */
  redeliverAndWait(count: number): Promise<void>;
  /** From now on the shop's API answers the flow's next calls with rate limits. */
  startRateLimitStorm(): Promise<void>;
  /** How many calls the shop refused with a rate limit since the storm began. */
  rateLimitedCalls(): Promise<number>;
  /** Undoes what a test changed: faults, rate limits, webhook settings. */
  reset(): Promise<void>;
}

type Deliveries = { deliveries: Array<{ seq: number; ids: string[]; ok: boolean }> };

/** What every simulated shop shares: ids, the webhook control routes, faults. */
export abstract class SimulatedShop {
  abstract readonly connection: ShopName;
  constructor(protected readonly h: Harness, protected readonly url: string) {}

  workflowId(shopOrderId: string): string {
    return orderWorkflowId(this.connection, shopOrderId);
  }

  businessKey(shopOrderId: string): string {
    return orderBusinessKey(this.connection, shopOrderId);
  }

  async pointWebhooks(target: 'nowhere' | 'relay'): Promise<void> {
    const targetUrl = target === 'relay' ? `${this.h.relay.url}/webhooks/${this.connection}` : 'http://127.0.0.1:9/unreachable';
    await simPost(this.url, 'webhooks/config', { targetUrl });
  }

  async duplicateWebhooks(n: number): Promise<void> {
    await simPost(this.url, 'webhooks/config', { duplicates: n });
  }

  async redeliverAndWait(count: number): Promise<void> {
    const before = Math.max(0, ...(await simGet<Deliveries>(this.url, 'deliveries')).deliveries.map((d) => d.seq));
    const ids = this.redeliveredIds(await simPost(this.url, 'webhooks/redeliver', { count }));
    if (ids.length !== count) throw new Error(`asked to redeliver ${count} webhooks, the shop resent ${ids.length}`);
    await eventually('the redelivered webhooks acknowledged by the relay', async () => {
      const later = (await simGet<Deliveries>(this.url, 'deliveries')).deliveries.filter((d) => d.seq > before && d.ok);
      return ids.every((id) => later.some((d) => d.ids.includes(id))) ? true : undefined;
    });
  }

  async reset(): Promise<void> {
    await clearFaults(this.url);
    await simPost(this.url, 'webhooks/config', { duplicates: 1 });
    await this.pointWebhooks('relay');
  }

  protected abstract redeliveredIds(answer: unknown): string[];
}
