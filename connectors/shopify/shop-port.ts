import type { ShopOrder } from '../../domain/order';
import { erpReference, type ShopCancelReason, type ShopPort, type Tracking } from '../../ports/shop';
import { ShopifyClient, type CancelReason, type ShopifyClientOptions } from './client';

/** The shop port on Shopify: the ERP number becomes a tag, a fulfilment covers every open fulfilment order. */
export class ShopifyShop implements ShopPort {
  private readonly client: ShopifyClient;

  constructor(opts: ShopifyClientOptions | ShopifyClient) {
    this.client = opts instanceof ShopifyClient ? opts : new ShopifyClient(opts);
  }

  getOrder(orderId: string): Promise<ShopOrder> {
    return this.client.getOrder(orderId);
  }

  async noteErpNumber(orderId: string, erpNumber: string): Promise<void> {
    await this.client.addTags(orderId, [erpReference(erpNumber)]);
  }

  async cancelOrder(orderId: string, opts: { reason: ShopCancelReason; restock: boolean }): Promise<void> {
    await this.client.cancelOrder(orderId, { reason: opts.reason.toUpperCase() as CancelReason, refund: false, restock: opts.restock });
  }

  async fulfilOrder(orderId: string, tracking: Tracking | null): Promise<void> {
    await this.client.createFulfillment(orderId, tracking ? { number: tracking.number, company: tracking.carrier } : undefined);
  }
}
