import type { ShopOrder } from '../../domain/order';
import { erpReference, type ShopCancelReason, type ShopPort, type Tracking } from '../../ports/shop';
import { WoocommerceClient, type CancelReason, type WoocommerceClientOptions } from './client';

/** The shop port on WooCommerce: the ERP number goes to order meta and a note, fulfilment completes the order. */
export class WoocommerceShop implements ShopPort {
  private readonly client: WoocommerceClient;

  constructor(opts: WoocommerceClientOptions | WoocommerceClient) {
    this.client = opts instanceof WoocommerceClient ? opts : new WoocommerceClient(opts);
  }

  getOrder(orderId: string): Promise<ShopOrder> {
    return this.client.getOrder(orderId);
  }

  async noteErpNumber(orderId: string, erpNumber: string): Promise<void> {
    await this.client.addTags(orderId, [erpReference(erpNumber)]);
  }

  async cancelOrder(orderId: string, opts: { reason: ShopCancelReason; restock: boolean }): Promise<void> {
    // Woo puts reduced stock back by itself when an order is cancelled.
    await this.client.cancelOrder(orderId, { reason: opts.reason.toUpperCase() as CancelReason });
  }

  async fulfilOrder(orderId: string, tracking: Tracking | null): Promise<void> {
    await this.client.createFulfillment(orderId, tracking ? { number: tracking.number, company: tracking.carrier } : undefined);
  }
}
