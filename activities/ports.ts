import type { ShopOrder } from '../domain/order';

/** What the order flow needs from a shop; the payments port lives in ports/payments.ts. */

export interface ShopPort {
  getOrder(orderId: string): Promise<ShopOrder>;
  addTags(orderId: string, tags: string[]): Promise<unknown>;
  cancelOrder(orderId: string, opts: { reason: 'CUSTOMER' | 'DECLINED' | 'FRAUD' | 'INVENTORY' | 'OTHER' | 'STAFF'; refund: boolean; restock: boolean }): Promise<unknown>;
  createFulfillment(orderId: string, tracking?: { number: string; company: string }): Promise<unknown>;
}

export type { PaymentsPort } from '../ports/payments';
