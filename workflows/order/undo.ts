import type { PaymentOwner } from '../../activities/order/payments';
import type { ShopOrder } from '../../domain/order';
import type { StepOptions } from '../shared/flow-runtime';
import { erp, payments, shop } from './proxies';

/**
 * The order flow's undos as plain data: registered before their step runs, and carried over a continue-as-new,
 * so that an order that waited a long time for shipment can still be undone completely.
 */
export type OrderUndo =
  | { kind: 'cancel-shop-order'; shopOrderId: string; shop?: string }
  | { kind: 'undo-payment'; paymentId: string; owner: PaymentOwner }
  | { kind: 'remove-customer'; order: ShopOrder }
  | { kind: 'cancel-sales-order'; shopOrderId: string; shop?: string }
  | { kind: 'release-stock'; salesOrderId: number }
  | { kind: 'void-invoice'; salesOrderId: number };

export function runUndo(undo: OrderUndo): Promise<unknown> {
  switch (undo.kind) {
    case 'cancel-shop-order': return shop.cancelShopOrder(undo.shopOrderId, undo.shop);
    case 'undo-payment': return payments.undoPayment(undo.paymentId, undo.owner);
    case 'remove-customer': return erp.removeOrderCustomer(undo.order);
    case 'cancel-sales-order': return erp.cancelSalesOrder(undo.shopOrderId, undo.shop);
    case 'release-stock': return erp.releaseStock(undo.salesOrderId);
    case 'void-invoice': return erp.voidInvoice(undo.salesOrderId);
  }
}

/** Step options registering `undo` as the step's compensation, in both its runnable and its data form. */
export function undoing(undo: OrderUndo): Pick<StepOptions, 'compensate' | 'compensationRecord'> {
  return { compensate: () => runUndo(undo), compensationRecord: undo };
}
