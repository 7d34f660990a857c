import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import type { ShopOrder } from '../domain/order';
import { recordFlowMetric, recordPayment, postInvoice, setPaymentStatus, voidInvoice } from '../erp/billing';
import { inTransaction } from '../erp/db';
import {
  cancelOwnSalesOrder, confirmSalesOrder, createSalesOrder, replaceOrderContent, setStatus, updateShippingAddress, UnknownSkuError,
  type SalesOrderRef,
} from '../erp/sales-orders';
import { consumeOrder, releaseOrder, reserveOrder, type ReservationResult } from '../erp/stock';
import { callingWorkflow } from './context';
import { createOrderCustomerActivities } from './order-customer-activities';
import type { PaymentsPort, ShopPort } from './ports';
import { callVendor } from './vendor-errors';

/** Activities of the Order -> shop -> ERP flow. Each is idempotent; vendor calls carry keys from workflow id + step. */

export interface OrderActivityDeps {
  pool: Pool;
  shop: ShopPort;
  payments: PaymentsPort;
  defaultPhoneCountry: string;
}

export interface OrderCustomer { customerId: number; customerNumber: string; created: boolean }

export interface SettledPayment { paymentIntentId: string; status: 'captured'; amountMinor: number; feeMinor: number; currency: string }

/** Deterministic idempotency key: the same workflow step always sends the same key, so retries never double-charge. */
const idempotencyKey = (step: string) => `${callingWorkflow().workflowId}:${step}`;
const owner = () => callingWorkflow().workflowId;

export function createOrderActivities(deps: OrderActivityDeps) {
  const { pool, shop, payments } = deps;

  /** Books a captured PaymentIntent in the ERP once it is checked against what the order expects, to the cent. */
  async function settleInErp(salesOrderId: number, paymentIntentId: string, expected: { amountMinor: number; currency: string }): Promise<SettledPayment> {
    const intent = await callVendor(() => payments.retrievePaymentIntent(paymentIntentId));
    if (intent.status !== 'succeeded') throw ApplicationFailure.nonRetryable(`PaymentIntent ${paymentIntentId} is ${intent.status}, not captured`, 'PaymentNotCaptured');
    if (intent.currency !== expected.currency || intent.amountReceivedMinor !== expected.amountMinor) {
      throw ApplicationFailure.nonRetryable(
        `PaymentIntent ${paymentIntentId} received ${intent.amountReceivedMinor} ${intent.currency}, the order expects ${expected.amountMinor} ${expected.currency}`,
        'AmountMismatch',
      );
    }
    const fee = intent.latestChargeId ? ((await callVendor(() => payments.retrieveCharge(intent.latestChargeId!))).feeMinor ?? 0) : 0;
    await recordPayment(pool, { provider: 'stripe', providerPaymentId: intent.id, salesOrderId, status: 'captured', currency: intent.currency, amountMinor: intent.amountReceivedMinor, feeMinor: fee });
    await setStatus(pool, salesOrderId, 'paid');
    return { paymentIntentId: intent.id, status: 'captured', amountMinor: intent.amountReceivedMinor, feeMinor: fee, currency: intent.currency };
  }

  return {
    /** Reads the order from the shop (never trusting the webhook body); null when it does not exist. */
    async fetchShopOrder(orderId: string): Promise<ShopOrder | null> {
      return callVendor(() => shop.getOrder(orderId), { notFound: null });
    },

    ...createOrderCustomerActivities({ pool, defaultPhoneCountry: deps.defaultPhoneCountry }),

    /** Creates the ERP sales order and its lines; an unknown SKU is for an operator to fix, not to retry blindly. */
    async createSalesOrder(order: ShopOrder, customerId: number): Promise<SalesOrderRef> {
      try {
        return await inTransaction(pool, (tx) => createSalesOrder(tx, order, customerId, owner()));
      } catch (err) {
        if (err instanceof UnknownSkuError) throw ApplicationFailure.nonRetryable(err.message, 'UnknownSku', { skus: err.skus });
        throw err;
      }
    },

    /** Compensation of createSalesOrder. */
    async cancelSalesOrder(shopOrderId: string): Promise<void> {
      await cancelOwnSalesOrder(pool, shopOrderId, owner());
    },

    /** Applies an edit made in the shop: new lines (only before reservation) and/or a new address. */
    async applyOrderEdit(salesOrderId: number, order: ShopOrder, linesChanged: boolean): Promise<void> {
      await inTransaction(pool, async (tx) => {
        if (linesChanged) await replaceOrderContent(tx, salesOrderId, order);
        else await updateShippingAddress(tx, salesOrderId, order.shippingAddress);
      });
    },

    /** Reserves stock for every line, or for none. */
    async reserveStock(salesOrderId: number): Promise<ReservationResult> {
      const result = await inTransaction(pool, (tx) => reserveOrder(tx, salesOrderId));
      await setStatus(pool, salesOrderId, result.ok ? 'reserved' : 'backordered');
      return result;
    },

    /** Compensation of reserveStock. */
    async releaseStock(salesOrderId: number): Promise<void> {
      await inTransaction(pool, (tx) => releaseOrder(tx, salesOrderId));
    },

    /** Captures an authorised PaymentIntent (partially when the order is now smaller) and records it in the ERP. */
    async capturePayment(salesOrderId: number, paymentIntentId: string, amountMinor: number, currency: string): Promise<SettledPayment> {
      const intent = await callVendor(() => payments.retrievePaymentIntent(paymentIntentId));
      if (intent.status === 'requires_capture') {
        if (amountMinor > intent.amountCapturableMinor) {
          throw ApplicationFailure.nonRetryable(`order total ${amountMinor} exceeds the authorised ${intent.amountCapturableMinor}`, 'AmountMismatch');
        }
        await callVendor(() => payments.capturePaymentIntent(paymentIntentId, { amountMinor, idempotencyKey: idempotencyKey(`capture-payment:${paymentIntentId}`) }));
      }
      return settleInErp(salesOrderId, paymentIntentId, { amountMinor, currency });
    },

    /** A payment captured at checkout: confirm it with the provider and record it. */
    async recordCapturedPayment(salesOrderId: number, paymentIntentId: string, amountMinor: number, currency: string): Promise<SettledPayment> {
      return settleInErp(salesOrderId, paymentIntentId, { amountMinor, currency });
    },

    /** Compensation of the payment step: release an authorisation, or refund what was captured. */
    async undoPayment(paymentIntentId: string): Promise<'cancelled' | 'refunded' | 'nothing'> {
      const intent = await callVendor(() => payments.retrievePaymentIntent(paymentIntentId), { notFound: null });
      if (!intent) return 'nothing';
      if (['requires_capture', 'requires_confirmation', 'requires_payment_method', 'requires_action'].includes(intent.status)) {
        await callVendor(() => payments.cancelPaymentIntent(paymentIntentId, { reason: 'abandoned', idempotencyKey: idempotencyKey(`cancel-payment:${paymentIntentId}`) }));
        await setPaymentStatus(pool, 'stripe', paymentIntentId, 'cancelled');
        return 'cancelled';
      }
      if (intent.status === 'succeeded' && intent.latestChargeId) {
        const charge = await callVendor(() => payments.retrieveCharge(intent.latestChargeId!));
        const remaining = charge.amountCapturedMinor - charge.amountRefundedMinor;
        if (remaining > 0) {
          await callVendor(() => payments.createRefund({ paymentIntentId, amountMinor: remaining, reason: 'requested_by_customer', idempotencyKey: idempotencyKey(`refund-payment:${paymentIntentId}`) }));
        }
        await setPaymentStatus(pool, 'stripe', paymentIntentId, 'refunded');
        return 'refunded';
      }
      return 'nothing';
    },

    /** Posts the invoice and settles it with the captured payment. */
    async postInvoice(salesOrderId: number): Promise<{ invoiceNumber: string; status: string }> {
      const invoice = await inTransaction(pool, (tx) => postInvoice(tx, salesOrderId));
      await setStatus(pool, salesOrderId, 'invoiced');
      return invoice;
    },

    /** Compensation of postInvoice. */
    async voidInvoice(salesOrderId: number): Promise<void> {
      await voidInvoice(pool, salesOrderId);
    },

    /** Tells the shop the ERP order number (a tag the shop's staff can search by). */
    async tagShopOrder(shopOrderId: string, orderNumber: string): Promise<void> {
      await callVendor(() => shop.addTags(shopOrderId, [`erp:${orderNumber}`]));
    },

    /** Cancels the order in the shop (compensation, where policy says so); our refund goes through the provider. */
    async cancelShopOrder(shopOrderId: string): Promise<void> {
      await callVendor(() => shop.cancelOrder(shopOrderId, { reason: 'OTHER', refund: false, restock: true }), { notFound: null });
    },

    /** Confirms the ERP order and records the order processing time KPI. */
    async confirmOrder(salesOrderId: number, businessKey: string): Promise<{ processingMs: number }> {
      const processingMs = await confirmSalesOrder(pool, salesOrderId);
      await recordFlowMetric(pool, 'order', businessKey, 'order_processing_ms', processingMs);
      return { processingMs };
    },

    /** The ERP shipped: stock leaves the warehouse and the shop creates its fulfilment. */
    async fulfilOrder(salesOrderId: number, shopOrderId: string, tracking: { number: string; company: string } | null): Promise<void> {
      await inTransaction(pool, async (tx) => {
        await consumeOrder(tx, salesOrderId);
        await tx.query(`UPDATE erp.sales_order SET status = 'fulfilled', fulfilled_at = COALESCE(fulfilled_at, now()) WHERE id = $1`, [salesOrderId]);
      });
      await callVendor(() => shop.createFulfillment(shopOrderId, tracking ?? undefined));
    },
  };
}

export type OrderActivities = ReturnType<typeof createOrderActivities>;
