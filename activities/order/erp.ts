import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import { inTransaction } from '../../db/transaction';
import type { ShopOrder } from '../../domain/order';
import { recordFlowMetric } from '../../engine/metrics';
import { postInvoice, voidInvoice } from '../../erp/billing';
import {
  cancelOwnSalesOrder, confirmSalesOrder, createSalesOrder, replaceOrderContent, updateShippingAddress, UnknownSkuError,
  type SalesOrderRef,
} from '../../erp/sales-orders';
import { consumeOrder, releaseOrder, reserveOrder, type ReservationResult } from '../../erp/stock';
import { callingWorkflow } from '../shared/context';
import { createOrderCustomerActivities } from './customer';

/** The order flow's ERP activities: sales order, stock, invoice, confirmation and shipping. Each is idempotent. */

export interface OrderErpDeps {
  pool: Pool;
  defaultPhoneCountry: string;
}

export interface OrderCustomer { customerId: number; customerNumber: string; created: boolean }

const owner = () => callingWorkflow().workflowId;

export function createOrderErpActivities(deps: OrderErpDeps) {
  const { pool } = deps;
  return {
    ...createOrderCustomerActivities(deps),

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
    async cancelSalesOrder(shopOrderId: string, shop = 'shopify'): Promise<void> {
      await cancelOwnSalesOrder(pool, shop, shopOrderId, owner());
    },

    /** Applies an edit made in the shop: new lines (only before reservation) and/or a new address. */
    async applyOrderEdit(salesOrderId: number, order: ShopOrder, linesChanged: boolean): Promise<void> {
      await inTransaction(pool, async (tx) => {
        if (linesChanged) await replaceOrderContent(tx, salesOrderId, order);
        else await updateShippingAddress(tx, salesOrderId, order.shippingAddress);
      });
    },

    /** Reserves stock for every line, or for none (the order is then reserved or backordered). */
    async reserveStock(salesOrderId: number): Promise<ReservationResult> {
      return inTransaction(pool, (tx) => reserveOrder(tx, salesOrderId));
    },

    /** Compensation of reserveStock. */
    async releaseStock(salesOrderId: number): Promise<void> {
      await inTransaction(pool, (tx) => releaseOrder(tx, salesOrderId));
    },

    /** Posts the invoice, settles it with the captured payment and marks the order invoiced. */
    async postInvoice(salesOrderId: number): Promise<{ invoiceNumber: string; status: string }> {
      return postInvoice(pool, salesOrderId);
    },

    /** Compensation of postInvoice. */
    async voidInvoice(salesOrderId: number): Promise<void> {
      await voidInvoice(pool, salesOrderId);
    },

    /** Confirms the ERP order and records the order processing time KPI. */
    async confirmOrder(salesOrderId: number, businessKey: string): Promise<{ processingMs: number }> {
      const processingMs = await confirmSalesOrder(pool, salesOrderId);
      await recordFlowMetric(pool, 'order', businessKey, 'order_processing_ms', processingMs);
      return { processingMs };
    },

    /** The ERP shipped: stock leaves the warehouse and the order is fulfilled in the ERP. */
    async shipInErp(salesOrderId: number): Promise<void> {
      await inTransaction(pool, async (tx) => {
        await consumeOrder(tx, salesOrderId);
        await tx.query(`UPDATE erp.sales_order SET status = 'fulfilled', fulfilled_at = COALESCE(fulfilled_at, now()) WHERE id = $1`, [salesOrderId]);
      });
    },
  };
}

export type OrderErpActivities = ReturnType<typeof createOrderErpActivities>;
