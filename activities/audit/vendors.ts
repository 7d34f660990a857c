import { Context } from '@temporalio/activity';
import type { Pool } from 'pg';
import { isQualified, type LeadPolicy } from '../../domain/lead';
import type { ShopOrder } from '../../domain/order';
import {
  erpOrdersNotStaged, erpPaymentsNotStaged, inventoryEnrolled, readPosition, saveReadPosition, stageVendorRecords, type ReadPosition, type StagedRecord,
} from '../../erp/audit/staging';
import type { AuditWindow } from '../../erp/audit/run';
import type { CrmPort } from '../../ports/crm';
import { isInventoryPort } from '../../ports/inventory';
import type { PaymentsPort } from '../../ports/payments';
import type { ShopPort } from '../../ports/shop';
import { portOf } from '../shared/ports';
import { callVendor } from '../shared/vendor-errors';

/**
 * The audit's reads from the vendors, through their ports, page by page. Each page is staged for the run and the
 * activity heartbeats where it stands (phase and cursor); a retried attempt resumes there instead of reading again
 * from the top. What the ERP has and a listing did not show is read by id, so a record deleted at the vendor shows too.
 */

/**
 * The position an earlier attempt reached (its heartbeat, else the run's saved position: a rate limit ends an attempt
 * and the flow runs the read again as a fresh activity), or the start; and a way to record the next one in both.
 */
async function resumable(pool: Pool, runId: number, connection: string, listing: string) {
  const context = Context.current();
  const resumed = (context.info.heartbeatDetails as ReadPosition | undefined) ?? (await readPosition(pool, runId, connection, listing));
  return {
    at: resumed ?? { phase: 'list', cursor: null },
    save: async (position: ReadPosition) => {
      context.heartbeat(position);
      await saveReadPosition(pool, runId, connection, listing, position);
    },
  };
}

const inWindow = (iso: string, window: AuditWindow) => iso >= window.from && iso < window.to;
const instant = (iso: string) => new Date(iso).toISOString();

const orderRecord = (id: string, order: ShopOrder | null, listedCancelled = false): StagedRecord => ({
  id,
  data: order
    ? { name: order.name, totalMinor: order.totalMinor, currency: order.currency, cancelled: order.cancelledAt !== null || listedCancelled }
    : { absent: true },
});

export interface AuditVendorDeps {
  pool: Pool;
  crms: ReadonlyMap<string, CrmPort>;
  shops: ReadonlyMap<string, ShopPort>;
  payments: ReadonlyMap<string, PaymentsPort>;
}

export function createAuditVendorActivities(deps: AuditVendorDeps) {
  const { pool } = deps;
  return {
    /** Every live contact of the CRM, with the ERP number it carries and whether it qualifies to be a customer. */
    async readCrmContacts(runId: number, crm: string, policy: Pick<LeadPolicy, 'qualifyingStage'>): Promise<{ contacts: number }> {
      const port = portOf(deps.crms, crm, 'CRM');
      const { at, save } = await resumable(pool, runId, crm, 'contacts');
      let cursor = at.cursor;
      let contacts = 0;
      do {
        const page = await callVendor(() => port.listContacts(cursor));
        await stageVendorRecords(pool, runId, 'customers', crm, page.contacts.map((c) => ({
          id: c.id, data: { erpCustomerNumber: c.erpCustomerNumber, qualified: isQualified(c.lifecycleStage, policy), updatedAt: instant(c.updatedAt) },
        })));
        contacts += page.contacts.length;
        cursor = page.nextCursor;
        await save({ phase: 'list', cursor });
      } while (cursor);
      return { contacts };
    },

    /**
     * The shop's orders changed in the window (each read in full: total, currency, cancellation), then those the
     * ERP holds from the window that the listing did not show.
     */
    async readShopOrders(runId: number, shop: string, window: AuditWindow): Promise<{ listed: number; readById: number }> {
      const port = portOf(deps.shops, shop, 'shop');
      const { at, save } = await resumable(pool, runId, shop, 'orders');
      let listed = 0;
      if (at.phase === 'list') {
        let cursor = at.cursor;
        do {
          const page = await callVendor(() => port.listOrdersUpdatedSince(window.from, cursor));
          const records: StagedRecord[] = [];
          for (const summary of page.orders) {
            // Changed after the window: still in flight, the next run looks at it (or the read by id below does).
            if (!inWindow(instant(summary.updatedAt), window)) continue;
            records.push(orderRecord(summary.id, await callVendor(() => port.getOrder(summary.id), { notFound: null }), summary.cancelled));
            Context.current().heartbeat({ phase: 'list', cursor });
          }
          await stageVendorRecords(pool, runId, 'orders', shop, records);
          listed += records.length;
          cursor = page.nextCursor;
          await save({ phase: 'list', cursor });
        } while (cursor);
      }
      await save({ phase: 'by-id', cursor: null });
      const unlisted = await erpOrdersNotStaged(pool, runId, shop, window);
      for (const id of unlisted) {
        await stageVendorRecords(pool, runId, 'orders', shop, [orderRecord(id, await callVendor(() => port.getOrder(id), { notFound: null }))]);
        await save({ phase: 'by-id', cursor: id });
      }
      return { listed, readById: unlisted.length };
    },

    /**
     * The payments the provider took in the window (its balance transactions of kind payment), then those the ERP
     * booked in the window that the listing did not show, read by id.
     */
    async readProviderPayments(runId: number, payments: string, window: AuditWindow): Promise<{ listed: number; readById: number }> {
      const port = portOf(deps.payments, payments, 'payments');
      const { at, save } = await resumable(pool, runId, payments, 'payments');
      let listed = 0;
      if (at.phase === 'list') {
        let cursor = at.cursor;
        do {
          const page = await callVendor(() => port.listBalanceTransactions({ created: { from: window.from, before: window.to }, limit: 100, ...(cursor ? { cursor } : {}) }));
          const records = page.items
            .filter((t) => t.kind === 'payment' && t.paymentId)
            .map((t) => ({ id: t.paymentId!, data: { amountMinor: t.amountMinor, currency: t.currency, status: 'captured' } }));
          await stageVendorRecords(pool, runId, 'payments', payments, records);
          listed += records.length;
          cursor = page.nextCursor;
          await save({ phase: 'list', cursor });
        } while (cursor);
      }
      await save({ phase: 'by-id', cursor: null });
      const unlisted = await erpPaymentsNotStaged(pool, runId, payments, window);
      for (const id of unlisted) {
        const payment = await callVendor(() => port.getPayment(id), { notFound: null });
        await stageVendorRecords(pool, runId, 'payments', payments, [{
          id, data: payment ? { amountMinor: payment.receivedMinor, currency: payment.currency, status: payment.status } : { absent: true },
        }]);
        await save({ phase: 'by-id', cursor: id });
      }
      return { listed, readById: unlisted.length };
    },

    /**
     * The whole stock the shop offers at the location the ERP's stock goes to. A shop not in the inventory sync
     * (or whose connector has no stock API) keeps its own stock: it is not audited.
     */
    async auditShopStock(runId: number, shop: string): Promise<{ audited: boolean; skus: number }> {
      const port = portOf(deps.shops, shop, 'shop');
      if (!isInventoryPort(port) || !(await inventoryEnrolled(pool, shop))) return { audited: false, skus: 0 };
      const location = await callVendor(() => port.defaultStockLocation());
      const { at, save } = await resumable(pool, runId, shop, 'stock');
      let cursor = at.cursor;
      let skus = 0;
      do {
        const page = await callVendor(() => port.listStock({ location, cursor }));
        const records = page.levels.filter((l) => l.location === location).map((l) => ({ id: l.sku, data: { available: l.available, location } }));
        await stageVendorRecords(pool, runId, 'stock', shop, records);
        skus += records.length;
        cursor = page.nextCursor;
        await save({ phase: 'list', cursor });
      } while (cursor);
      return { audited: true, skus };
    },
  };
}

export type AuditVendorActivities = ReturnType<typeof createAuditVendorActivities>;
