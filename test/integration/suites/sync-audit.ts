import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createAuditVendorActivities } from '../../../activities/audit/vendors';
import { HubspotClient } from '../../../connectors/hubspot/client';
import { HubspotCrm } from '../../../connectors/hubspot/crm-port';
import { upsertProductWithStock, type ProductSeed } from '../../../erp/catalogue';
import { listIssues } from '../../../engine/issues';
import { latestAccuracy, startAuditRun } from '../../../erp/audit/run';
import type { CrmPort } from '../../../ports/crm';
import { seedShopifyCatalogue, seedWoocommerceCatalogue } from '../../../stack/catalogue';
import { ensureAuditSchedule, type AuditScheduleSettings } from '../../../workers/audit-schedule';
import { listenForStockChanges, startInventorySyncs } from '../../../workers/inventory-sync';
import { DEFAULT_AUDIT_POLICY, type AuditInput, type AuditOutcome } from '../../../workflows/audit/api';
import { syncAudit } from '../../../workflows/audit/workflow';
import { DEFAULT_INVENTORY_POLICY, inventoryWorkflowId } from '../../../workflows/inventory/api';
import { leadWorkflowId } from '../../../workflows/lead/api';
import type { OrderPolicy } from '../../../workflows/order/api';
import { eventually, startHarness, type Harness } from '../../support/harness';
import { reachesState, settles } from '../../support/orders';
import { capturedPayment, erpPayments, paymentFlowState } from '../../support/payments';
import { injectFaults, simGet, simPost } from '../../support/sim-control';
import { ShopifyDriver, WoocommerceDriver } from '../../support/shop-drivers';

/** Runs inside test/integration/inventory.test.ts (see there why). */
export function syncAuditSuite(): void {

  /**
   * The data synchronisation audit against the real stack: HubSpot, both shops and Stripe through their simulators,
   * the ERP in PostgreSQL, flows on Temporal. The systems are brought into step, audited (clean), then one difference
   * of every kind is made behind the engine's back; the audit finds exactly those, heals what it safely can through
   * the flows that own the records, and the next audit finds only what a person must settle.
   */

  const SHOPS = ['shopify', 'woocommerce'];
  const ORDER_POLICY: OrderPolicy = { shortfall: 'cancel', paymentWaitSeconds: 30, cancelShopOrderOnFailure: true };
  const product = (sku: string, onHand: number): ProductSeed => ({ sku, name: `Product ${sku}`, unitPriceMinor: 1500, currency: 'USD', onHand });
  const SYNCED = [product('AUD-TEE', 30), product('AUD-MUG', 12), product('AUD-CAP', 8)];
  const UNREACHABLE = 'http://127.0.0.1:9/unreachable';

  let h: Harness;
  let crm: HubspotClient;
  let shopify: ShopifyDriver;
  let woo: WoocommerceDriver;
  let stopListening: () => Promise<void>;
  const contacts: string[] = [];
  const orders: { shopify?: string; woocommerce?: string } = {};

  const input: AuditInput = {
    scope: { crm: 'hubspot', shops: SHOPS, payments: 'stripe' },
    // Nothing is in flight when the test audits: no settle time.
    policy: { ...DEFAULT_AUDIT_POLICY, lookbackSeconds: 3600, settleSeconds: 0 },
    leadPolicy: { qualifyingStage: 'salesqualifiedlead', defaultPhoneCountry: 'US' },
    orderPolicy: ORDER_POLICY,
  };

  async function audited(): Promise<Extract<AuditOutcome, { status: 'audited' }>> {
    const outcome = await h.client.workflow.execute(syncAudit, { workflowId: `audit-${randomBytes(4).toString('hex')}`, taskQueue: h.taskQueue, args: [input] });
    if (outcome.status !== 'audited') throw new Error(`audit ended ${outcome.status}: ${JSON.stringify(outcome)}`);
    return outcome;
  }

  const discrepanciesOf = async (runId: number) => (await h.pool.query(
    `SELECT entity, subject, kind, heal, healed, erp, vendor FROM integration.audit_discrepancy WHERE run_id = $1 ORDER BY entity, subject, kind`, [runId])).rows;
  type KpiRow = { compared: number; matching: number; accuracy: number; measuredAt: Date };
  const accuracyRows = async (runId: number): Promise<Record<string, KpiRow>> => Object.fromEntries((await h.pool.query(
    'SELECT entity, compared, matching, accuracy::float AS accuracy, measured_at FROM integration.audit_accuracy WHERE run_id = $1', [runId])).rows
    .map((r) => [r.entity, { compared: r.compared, matching: r.matching, accuracy: r.accuracy, measuredAt: r.measured_at }]));

  const ROOT = join(__dirname, '..', '..', '..');
  /** The operator's CLI as a process of its own, run from the sources. */
  const ops = async (args: string[], env: NodeJS.ProcessEnv) =>
    (await promisify(execFile)(process.execPath, ['-r', join(ROOT, 'test/support/ts-register.js'), join(ROOT, 'client/ops-cli.ts'), ...args], { env, cwd: ROOT })).stdout;

  type ShopifyInventory = { primaryLocationId: string; levels: Array<{ sku: string | null; locationId: string; available: number }> };
  async function shopStock(): Promise<Record<string, Record<string, number | undefined>>> {
    const inv = await simGet<ShopifyInventory>(h.shopify.url, 'inventory');
    const { products } = await simGet<{ products: Array<{ sku: string; stock_quantity: number | null }> }>(h.woocommerce.url, 'products');
    return {
      shopify: Object.fromEntries(SYNCED.map((p) => [p.sku, inv.levels.find((l) => l.sku === p.sku && l.locationId === inv.primaryLocationId)?.available])),
      woocommerce: Object.fromEntries(SYNCED.map((p) => [p.sku, products.find((w) => w.sku === p.sku)?.stock_quantity ?? undefined])),
    };
  }
  /** Both shops offer exactly what the ERP may sell of every synced SKU. */
  const stockInStep = () => eventually('both shops at the ERP\'s sellable stock', async () => {
    const { rows } = await h.pool.query(`SELECT sku, sellable FROM erp.sellable_stock WHERE sku = ANY($1)`, [SYNCED.map((p) => p.sku)]);
    const erp = Object.fromEntries(rows.map((r) => [r.sku, r.sellable]));
    const shops = await shopStock();
    return SHOPS.every((shop) => SYNCED.every((p) => shops[shop]![p.sku] === erp[p.sku])) ? true : undefined;
  }, 60_000);

  async function convertedLead(email: string): Promise<string> {
    const contact = await crm.createContact({ lifecyclestage: 'salesqualifiedlead', email, firstname: 'Ada', lastname: email.split('@')[0]! });
    await eventually(`ERP number on contact ${contact.id}`, async () => (await crm.getContact(contact.id, ['erp_customer_number'])).properties.erp_customer_number || undefined);
    return contact.id;
  }
  const erpNumberInCrm = async (contactId: string) => (await crm.getContact(contactId, ['erp_customer_number'])).properties.erp_customer_number || null;
  const contactBinding = async (contactId: string) => (await h.pool.query(
    `SELECT c.customer_number FROM erp.external_ref r JOIN erp.customer c ON c.id = r.erp_id
      WHERE r.system = 'hubspot' AND r.entity_type = 'contact' AND r.external_id = $1`, [contactId])).rows[0]?.customer_number as string | undefined;
  /** The lead flows of the contacts have ended (a later audit must not meet one half-way). */
  const leadsSettled = () => eventually('lead flows ended', async () => {
    for (const id of contacts) {
      const d = await h.client.workflow.getHandle(leadWorkflowId('hubspot', id)).describe().catch(() => undefined);
      if (!d || d.status.name === 'RUNNING') return undefined;
    }
    return true;
  });

  beforeAll(async () => {
    h = await startHarness();
    crm = new HubspotClient({ baseUrl: h.hubspot.url, accessToken: h.accessToken });
    shopify = new ShopifyDriver(h);
    woo = new WoocommerceDriver(h);
    for (const p of SYNCED) await upsertProductWithStock(h.pool, p);
    await seedShopifyCatalogue(h.shopify.url, SYNCED.map((p) => ({ ...p, onHand: 1 })));
    await seedWoocommerceCatalogue(h.woocommerce.url, SYNCED.map((p) => ({ ...p, onHand: 1 })));
    // Ordered in Shopify only, and "no sync": its stock is the shop's own business, never audited.
    await upsertProductWithStock(h.pool, product('AUD-LOOSE', 50));
    await h.pool.query(`UPDATE erp.product SET inventory_sync = false WHERE sku = 'AUD-LOOSE'`);
    await startInventorySyncs(h.client, { taskQueue: h.taskQueue, shops: SHOPS, policy: { ...DEFAULT_INVENTORY_POLICY, quietMs: 300, maxDelayMs: 2_000, pollSeconds: 30 } });
    stopListening = await listenForStockChanges(h.pool, h.client, SHOPS);

    // In step: two converted leads, one paid order per shop, stock pushed.
    contacts.push(await convertedLead('ada.audit@example.com'), await convertedLead('alan.audit@example.com'));
    const inShopify = await shopify.placeOrder({ lines: [{ sku: 'AUD-TEE', quantity: 2, unitPriceMinor: 1500 }], payment: 'captured' });
    const inWoo = await woo.placeOrder({ lines: [{ sku: 'AUD-MUG', quantity: 1, unitPriceMinor: 1500 }], payment: 'captured' });
    for (const placed of [inShopify, inWoo]) {
      expect(await settles(h, placed.workflowId)).toBe('awaiting-shipment');
      await paymentFlowState(h, placed.paymentIntentId!, 'settled');
    }
    orders.shopify = inShopify.order.id;
    orders.woocommerce = inWoo.order.id;
    await stockInStep();
    await leadsSettled();
  });
  afterAll(async () => {
    await stopListening?.();
    for (const shop of SHOPS) await h?.client.workflow.getHandle(inventoryWorkflowId(shop)).terminate('test over').catch(() => undefined);
    await h?.close();
  });

  test('systems in step: the audit compares every entity type and finds nothing; accuracy 1 everywhere, with its time', async () => {
    const before = Date.now();
    const run = await audited();
    expect(run).toMatchObject({ discrepancies: 0, healed: 0, issueId: null });
    expect(run.accuracy).toEqual({
      customers: { compared: 2, matching: 2, accuracy: 1 },
      orders: { compared: 2, matching: 2, accuracy: 1 },
      payments: { compared: 2, matching: 2, accuracy: 1 },
      stock: { compared: 6, matching: 6, accuracy: 1 },
      overall: { compared: 12, matching: 12, accuracy: 1 },
    });
    const kpi = await accuracyRows(run.runId);
    expect(Object.keys(kpi).sort()).toEqual(['customers', 'orders', 'overall', 'payments', 'stock']);
    for (const row of Object.values(kpi)) {
      expect(row.accuracy).toBe(1);
      expect(row.measuredAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    }
    const { rows: [record] } = await h.pool.query('SELECT status, finished_at, healed, discrepancies FROM integration.audit_run WHERE id = $1', [run.runId]);
    expect(record).toMatchObject({ status: 'completed', healed: 0, discrepancies: 0, finished_at: expect.any(Date) });
    // Staged vendor rows and read positions are the run's working set only.
    expect((await h.pool.query('SELECT count(*)::int AS n FROM integration.audit_vendor_record WHERE run_id = $1', [run.runId])).rows[0].n).toBe(0);
    expect((await h.pool.query('SELECT count(*)::int AS n FROM integration.sync_cursor WHERE stream LIKE $1', [`audit-${run.runId}-%`])).rows[0].n).toBe(0);
  });

  test('one difference of every kind, made behind the engine\'s back, is found (and nothing else), healed where safe; the next audit finds only what a person must settle', async () => {
    const [numberRemoved, bindingRemoved] = contacts as [string, string];
    const boundNumber = (await contactBinding(numberRemoved))!;
    const unboundNumber = (await contactBinding(bindingRemoved))!;
    // Customers: a person clears the ERP number in the CRM; someone deletes another contact's binding in the ERP.
    const cleared = await fetch(`${h.hubspot.url}/__sim/contacts/${numberRemoved}`, {
      method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ properties: { erp_customer_number: '' } }),
    });
    expect(cleared.ok).toBe(true);
    expect(await erpNumberInCrm(numberRemoved)).toBeNull();
    await h.pool.query(`DELETE FROM erp.external_ref WHERE system = 'hubspot' AND entity_type = 'contact' AND external_id = $1`, [bindingRemoved]);

    // Orders: one the ERP never heard of (its webhooks lost); the ERP's total of another changed by hand.
    await shopify.pointWebhooks('nowhere');
    const unannounced = await shopify.placeOrder({ lines: [{ sku: 'AUD-LOOSE', quantity: 1, unitPriceMinor: 1500 }], payment: 'captured' });
    await shopify.pointWebhooks('relay');
    await paymentFlowState(h, unannounced.paymentIntentId!, 'awaiting-order');
    await h.pool.query(
      `UPDATE erp.sales_order SET subtotal_minor = subtotal_minor + 100, total_minor = total_minor + 100
        WHERE id = (SELECT erp_id FROM erp.external_ref WHERE system = 'woocommerce' AND entity_type = 'order' AND external_id = $1)`, [orders.woocommerce]);

    // Payments: one the provider took whose webhooks never came.
    await simPost(h.stripe.url, 'webhooks/config', { targetUrl: UNREACHABLE });
    const lonePayment = await capturedPayment(h, 4200, 'USD');
    await simPost(h.stripe.url, 'webhooks/config', { targetUrl: `${h.relay.url}/webhooks/stripe` });

    // Stock: changed in the shop by hand.
    await simPost(h.shopify.url, 'inventory', { sku: 'AUD-CAP', quantity: 99 });
    await leadsSettled();

    const run = await audited();
    const found = await discrepanciesOf(run.runId);
    expect(found.map(({ entity, subject, kind, heal, healed }) => ({ entity, subject, kind, heal, healed }))).toEqual([
      { entity: 'customers', subject: `hubspot:contact:${numberRemoved}`, kind: 'erp-number-differs', heal: 'restart-lead-flow', healed: true },
      { entity: 'customers', subject: `hubspot:contact:${bindingRemoved}`, kind: 'binding-missing-in-erp', heal: 'restart-lead-flow', healed: true },
      { entity: 'orders', subject: `shopify:order:${unannounced.order.id}`, kind: 'missing-in-erp', heal: 'start-order-flow', healed: true },
      { entity: 'orders', subject: `woocommerce:order:${orders.woocommerce}`, kind: 'total-differs', heal: null, healed: false },
      { entity: 'payments', subject: `stripe:payment:${lonePayment}`, kind: 'missing-in-erp', heal: 'start-payment-flow', healed: true },
      { entity: 'stock', subject: 'shopify:stock:AUD-CAP', kind: 'quantity-differs', heal: 'repush-stock', healed: true },
    ].sort((a, b) => a.entity.localeCompare(b.entity) || a.subject.localeCompare(b.subject)));

    // Both sides recorded.
    const bySubject = Object.fromEntries(found.map((d) => [d.subject, d]));
    expect(bySubject[`hubspot:contact:${numberRemoved}`]).toMatchObject({ erp: { customerNumber: boundNumber }, vendor: { erpCustomerNumber: null, qualified: true } });
    expect(bySubject[`hubspot:contact:${bindingRemoved}`]).toMatchObject({ erp: null, vendor: { erpCustomerNumber: unboundNumber } });
    expect(bySubject[`shopify:order:${unannounced.order.id}`]).toMatchObject({ erp: null, vendor: { totalMinor: unannounced.order.totalMinor, cancelled: false } });
    const wooTotal = bySubject[`woocommerce:order:${orders.woocommerce}`];
    expect(wooTotal.erp.totalMinor).toBe(wooTotal.vendor.totalMinor + 100);
    expect(bySubject[`stripe:payment:${lonePayment}`]).toMatchObject({ erp: null, vendor: { amountMinor: 4200, currency: 'USD', status: 'captured' } });
    expect(bySubject['shopify:stock:AUD-CAP']).toMatchObject({ vendor: { available: 99 }, erp: { sellable: 8, sync: true } });

    // The KPI per entity matches the counts.
    expect(run).toMatchObject({ discrepancies: 6, healed: 5 });
    expect(run.accuracy).toEqual({
      customers: { compared: 2, matching: 0, accuracy: 0 },
      orders: { compared: 3, matching: 1, accuracy: 1 / 3 },
      payments: { compared: 4, matching: 3, accuracy: 0.75 },
      stock: { compared: 6, matching: 5, accuracy: 5 / 6 },
      overall: { compared: 15, matching: 9, accuracy: 0.6 },
    });
    const kpi = await accuracyRows(run.runId);
    expect(kpi.orders).toMatchObject({ compared: 3, matching: 1, accuracy: 0.333333 });
    expect(kpi.overall).toMatchObject({ compared: 15, matching: 9, accuracy: 0.6 });
    expect((await h.pool.query('SELECT healed FROM integration.audit_run WHERE id = $1', [run.runId])).rows[0].healed).toBe(5);

    // One issue for the run, with both sides of each difference.
    const issue = (await listIssues(h.pool, { status: 'open' })).find((i) => i.kind === 'sync-audit' && i.id === run.issueId);
    expect(issue?.message).toContain(`sync audit run ${run.runId} `);
    expect(issue?.message).toContain('6 discrepancy(ies)');
    expect((issue?.details.discrepancies as unknown[]).length).toBe(6);

    // The healing lands: each through the flow that owns the record.
    await eventually('the contact\'s ERP number written back', async () => ((await erpNumberInCrm(numberRemoved)) === boundNumber ? true : undefined));
    await eventually('the contact bound again', async () => ((await contactBinding(bindingRemoved)) === unboundNumber ? true : undefined));
    expect(await settles(h, unannounced.workflowId)).toBe('awaiting-shipment');
    await eventually('the lone payment booked', async () => ((await erpPayments(h, lonePayment)).length === 1 ? true : undefined));
    await stockInStep();
    await leadsSettled();
    await reachesState(h, unannounced.workflowId, 'awaiting-shipment');

    // What a person must settle is all that is left.
    const second = await audited();
    expect((await discrepanciesOf(second.runId)).map((d) => [d.subject, d.kind])).toEqual([[`woocommerce:order:${orders.woocommerce}`, 'total-differs']]);
    expect(second).toMatchObject({ discrepancies: 1, healed: 0 });
    expect(second.accuracy.orders).toEqual({ compared: 3, matching: 2, accuracy: 2 / 3 });
    // The newer run supersedes the earlier run's issue and raises what is still different.
    const openAuditIssues = async () => (await listIssues(h.pool, { status: 'open' })).filter((i) => i.kind === 'sync-audit').map((i) => i.id);
    expect(await openAuditIssues()).toEqual([second.issueId]);
    expect((await h.pool.query('SELECT resolution FROM integration.issue WHERE id = $1', [run.issueId])).rows[0].resolution)
      .toEqual({ action: 'superseded', byAuditRun: second.runId });
    for (const entity of ['customers', 'payments', 'stock'] as const) expect(second.accuracy[entity].accuracy).toBe(1);

    // The operator corrects the ERP's total: the next audit is clean.
    await h.pool.query(
      `UPDATE erp.sales_order SET subtotal_minor = subtotal_minor - 100, total_minor = total_minor - 100
        WHERE id = (SELECT erp_id FROM erp.external_ref WHERE system = 'woocommerce' AND entity_type = 'order' AND external_id = $1)`, [orders.woocommerce]);
    const third = await audited();
    expect(third).toMatchObject({ discrepancies: 0, healed: 0, issueId: null });
    expect(third.accuracy.overall).toEqual({ compared: 15, matching: 15, accuracy: 1 });
    expect(await openAuditIssues()).toEqual([]);
  });

  test('the schedule, set up idempotently as at every worker start, runs the audit when triggered; the run is findable and its KPI is the latest', async () => {
    const settings: AuditScheduleSettings = { scheduleId: `sync-audit-${h.taskQueue}`, taskQueue: h.taskQueue, intervalSeconds: 3600, input };
    await ensureAuditSchedule(h.client, settings);
    await ensureAuditSchedule(h.client, settings);
    const schedule = h.client.schedule.getHandle(settings.scheduleId);
    try {
      expect((await schedule.describe()).action).toMatchObject({ type: 'startWorkflow', workflowType: 'syncAudit', taskQueue: h.taskQueue });
      await schedule.trigger();
      const run = await eventually('the scheduled run completed', async () => (await h.pool.query(
        `SELECT id, workflow_id FROM integration.audit_run WHERE workflow_id LIKE $1 AND status = 'completed'`, [`${settings.scheduleId}-run%`])).rows[0]);
      const latest = await latestAccuracy(h.pool);
      expect(latest.map((r) => r.entity)).toEqual(['customers', 'orders', 'payments', 'stock', 'overall']);
      expect(latest.every((r) => r.runId === Number(run.id) && r.accuracy === 1)).toBe(true);
      const found = await eventually('the run in visibility by its flow and business key', async () => {
        for await (const w of h.client.workflow.list({ query: `Flow = 'sync-audit' AND BusinessKey = 'engine:sync-audit' AND WorkflowId = '${run.workflow_id}'` })) return w.workflowId;
        return undefined;
      });
      expect(found).toBe(run.workflow_id);

      // What an operator sees: the same KPI from the ops CLI, as JSON for scripts and as a table.
      const env = { ...process.env, DATABASE_URL: h.databaseUrl, TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE: h.taskQueue };
      const shown = await ops(['audit', 'show', '--json'], env);
      expect(JSON.parse(shown).accuracy).toEqual(latest);
      const overallRow = latest.find((r) => r.entity === 'overall')!;
      expect(await ops(['audit', 'show'], env)).toMatch(new RegExp(`^overall\\s+100\\.00%\\s+${overallRow.matching} / ${overallRow.compared}\\s+run ${run.id} at `, 'm'));
    } finally {
      await schedule.delete().catch(() => undefined);
    }
  });

  test('a vendor read that fails part-way resumes at the page its heartbeat reached, not from the top', async () => {
    // More contacts than one page (HubSpot lists 100 at most), created where no webhook reaches the engine.
    await simPost(h.hubspot.url, 'webhooks/config', { targetUrl: UNREACHABLE });
    for (let i = 0; i < 150; i++) await crm.createContact({ lifecyclestage: 'lead', email: `bulk-${i}@example.com` });
    const total = (await simGet<{ contacts: unknown[] }>(h.hubspot.url, 'contacts')).contacts.length;
    expect(total).toBeGreaterThan(100);

    // The real connector; the simulator fails once (503) when the second page is asked for.
    const real = new HubspotCrm({ baseUrl: h.hubspot.url, accessToken: h.accessToken, erpIdProperty: 'erp_customer_number' });
    const asked: Array<string | null> = [];
    const port: CrmPort = {
      getContact: (id) => real.getContact(id),
      writeErpNumber: (id, erpNumber) => real.writeErpNumber(id, erpNumber),
      async listContacts(cursor) {
        if (cursor && asked.length === 1) await injectFaults(h.hubspot.url, [{ method: 'GET', pathPattern: '^/crm/v3/objects/contacts$', kind: 'status', status: 503 }]);
        asked.push(cursor ?? null);
        return real.listContacts(cursor);
      },
    };
    const activities = createAuditVendorActivities({ pool: h.pool, crms: new Map([['hubspot', port]]), shops: new Map(), payments: new Map() });
    const { runId } = await startAuditRun(h.pool, { workflowId: 'audit-resume-test', runId: randomUUID() }, { lookbackSeconds: 3600, settleSeconds: 0 });

    let heartbeat: unknown;
    const firstAttempt = new MockActivityEnvironment();
    firstAttempt.on('heartbeat', (details: unknown) => { heartbeat = details; });
    await expect(firstAttempt.run(activities.readCrmContacts, runId, 'hubspot', input.leadPolicy)).rejects.toThrow();
    expect(heartbeat).toEqual({ phase: 'list', cursor: asked[1] });

    // The retry, as Temporal starts it: with the last heartbeat's details.
    const retry = new MockActivityEnvironment({ heartbeatDetails: heartbeat });
    const read = await retry.run(activities.readCrmContacts, runId, 'hubspot', input.leadPolicy) as { contacts: number };
    expect(asked).toEqual([null, asked[1], asked[1]]);
    expect(read.contacts).toBe(total - 100);

    // A read a rate limit ended runs again as a fresh activity, without heartbeat details: the run's saved position serves.
    const secondPage = asked[1];
    asked.length = 0;
    // (As the first attempt left it: at the second page.)
    await h.pool.query(`UPDATE integration.sync_cursor SET cursor_token = $2 WHERE system = 'hubspot' AND stream = $1`, [`audit-${runId}-contacts`, JSON.stringify(heartbeat)]);
    const fresh = await new MockActivityEnvironment().run(activities.readCrmContacts, runId, 'hubspot', input.leadPolicy) as { contacts: number };
    expect(asked).toEqual([secondPage]);
    expect(fresh.contacts).toBe(total - 100);
    const staged = await h.pool.query(`SELECT count(*)::int AS n FROM integration.audit_vendor_record WHERE run_id = $1 AND entity = 'customers'`, [runId]);
    expect(staged.rows[0].n).toBe(total);
  });
}
