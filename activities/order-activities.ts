import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import type { ShopOrder } from '../domain/order';
import { recordFlowMetric, postInvoice, voidInvoice } from '../erp/billing';
import { inTransaction } from '../erp/db';
import {
  cancelOwnSalesOrder, confirmSalesOrder, createSalesOrder, replaceOrderContent, setStatus, updateShippingAddress, UnknownSkuError,
  type SalesOrderRef,
} from '../erp/sales-orders';
import { consumeOrder, releaseOrder, reserveOrder, type ReservationResult } from '../erp/stock';
import { callingWorkflow } from './context';
import type { PaymentsPort, ShopPort } from './ports';
import { createOrderCustomerActivities } from './order-customer-activities';
import { createOrderPaymentActivities } from './order-payment-activities';
import { callVendor } from './vendor-errors';

/** Activities of the Order -> shop -> ERP flow. Each is idempotent; vendor calls carry keys from workflow id + step. */

export interface OrderActivityDeps {
  pool: Pool;
  shop: ShopPort;
  payments: PaymentsPort;
  defaultPhoneCountry: string;
}

export interface OrderCustomer { customerId: number; customerNumber: string; created: boolean }

const owner = () => callingWorkflow().workflowId;

export function createOrderActivities(deps: OrderActivityDeps) {
  const { pool, shop, payments } = deps;

  /** The ERP shipped: stock leaves the warehouse and the order is fulfilled in the ERP (idempotent). */
  async function shipInErp(salesOrderId: number): Promise<void> {
    await inTransaction(pool, async (tx) => {
      await consumeOrder(tx, salesOrderId);
      await tx.query(`UPDATE erp.sales_order SET status = 'fulfilled', fulfilled_at = COALESCE(fulfilled_at, now()) WHERE id = $1`, [salesOrderId]);
    });
  }

  /** The shop creates its fulfilment with the tracking number, so that the buyer is told. */
  async function fulfilInShop(shopOrderId: string, tracking: { number: string; company: string } | null): Promise<void> {
    await callVendor(() => shop.createFulfillment(shopOrderId, tracking ?? undefined));
  }

  return {
    ...createOrderPaymentActivities({ pool, payments }),

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

    shipInErp,
    fulfilInShop,

    /** Both at once: what flows started before shipping and fulfilment became two steps still call. */
    async fulfilOrder(salesOrderId: number, shopOrderId: string, tracking: { number: string; company: string } | null): Promise<void> {
      await shipInErp(salesOrderId);
      await fulfilInShop(shopOrderId, tracking);
    },
  };
}

export type OrderActivities = ReturnType<typeof createOrderActivities>;
