import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { generateMonth } from '../../bench/reconciliation-month';
import { PROJECT_ROOT } from '../../config/paths';
import { openIssue as recordIssue, resolveIssue } from '../../engine/issues';
import { quarantine } from '../../engine/quarantine';
import { recordPaymentSettlement } from '../../erp/payments/payments';
import { buildDashboardServer, DashboardStartupError, startDashboard, type RunningDashboard } from '../../dashboard/server';
import { formatDuration, formatPercent, timeWindow } from '../../dashboard/series';
import { createWorkerMetrics } from '../../observability/metrics';
import { startMetricsServer } from '../../observability/metrics-server';
import { decideUpdate } from '../../workflows/shared/operator-api';
import { launchChromium } from '../support/chromium';
import { eventually, startHarness, type Harness } from '../support/harness';
import { openIssue, reachesState } from '../support/orders';
import { bookMonth, reconcileMonth } from '../support/reconciliation-fixture';
import { shopDriver, type PlacedOrder, type ShopDriver } from '../support/shop-drivers';

/**
 * The monitoring dashboard in headless Chromium, over a real engine: orders placed through the Shopify simulator and
 * the relay (one of them parked for an operator by a step that keeps failing), a reconciliation of a generated
 * month of payments, KPI history and an audit added by SQL. The page must show what SQL says, link issues to the
 * Temporal UI, refresh itself when the data changes, and ask for the token when one is configured.
 * Screenshots go to test-artifacts/.
 */

const UI = 'http://127.0.0.1:8233';
const TOKEN = 'dashboard-test-token-0123456789';
const ARTIFACTS = join(PROJECT_ROOT, 'test-artifacts');
const HOUR = 3_600_000;

let h: Harness;
let shop: ShopDriver;
let browser: Browser;
let dashboard: RunningDashboard;
let secured: RunningDashboard;
let parked: PlacedOrder;
let parkedIssueId: number;
let auditPresent = false;

const text = async (page: Page, testid: string) => (await page.getByTestId(testid).first().textContent())?.trim();
const attr = async (page: Page, testid: string, name: string) => page.getByTestId(testid).first().getAttribute(name);
const refreshes = async (page: Page) => Number(await page.locator('body').getAttribute('data-refreshes'));

/** The p50, p95 and count of a per-record duration over the page's default window, and its hours with data. */
async function durationsBySql(source: string) {
  const window = timeWindow(new Date(), 24);
  const { rows } = await h.pool.query(
    `WITH d AS (${source}) SELECT count(*)::int AS n, count(DISTINCT date_trunc('hour', at, 'UTC'))::int AS hours,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY value_ms) AS p50, percentile_cont(0.95) WITHIN GROUP (ORDER BY value_ms) AS p95 FROM d`,
    [window.from],
  );
  const r = rows[0];
  return { count: r.n as number, hours: r.hours as number, p50: Math.round(Number(r.p50)), p95: Math.round(Number(r.p95)) };
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `dashboard-${name}.png`), fullPage: true });
}

async function openDashboard(url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(url);
  await eventually('the dashboard\'s first refresh', async () => ((await refreshes(page)) >= 1 ? true : undefined));
  return page;
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  [h, browser] = await Promise.all([startHarness(), launchChromium()]);
  shop = shopDriver(h, 'shopify');
  await shop.seedProduct('TEE', 100, 2500);

  // Through the real flows: one order confirmed (its processing time recorded), one held at a failing step.
  const confirmed = await shop.placeOrder({ lines: [{ sku: 'TEE', quantity: 1, unitPriceMinor: 2500 }], payment: 'authorized' });
  await reachesState(h, confirmed.workflowId, 'awaiting-shipment');
  h.activityFaults.set('reserveStock', { remaining: 1 });
  parked = await shop.placeOrder({ lines: [{ sku: 'TEE', quantity: 2, unitPriceMinor: 2500 }], payment: 'authorized' });
  parkedIssueId = (await openIssue(h, parked.workflowId)).id;

  // KPI history: order processing times in earlier hours of the day.
  const now = Date.now();
  for (let i = 1; i <= 12; i++) {
    await h.pool.query(
      `INSERT INTO integration.flow_metric (flow, business_key, metric, value_ms, recorded_at) VALUES ('order', $1, 'order_processing_ms', $2, $3)`,
      [`shopify:history-${i}`, 400 + ((i * 7919) % 23) * 250, new Date(now - i * 1.5 * HOUR)],
    );
  }

  // Payments: two days captured and reconciled three hours ago; one captured half an hour ago, not reconciled yet.
  const midnight = Math.floor(now / 86_400_000) * 86_400_000;
  const month = generateMonth({ seed: 11, start: new Date(midnight - 3 * 86_400_000).toISOString(), days: 2, paymentsPerDay: 8, currencies: ['USD'] });
  await bookMonth(h.pool, month.erp);
  await reconcileMonth(h.pool, month, new Date(now - 3 * HOUR));
  await recordPaymentSettlement(h.pool, {
    provider: 'stripe', providerPaymentId: 'pi_dash_waiting', chargeId: 'ch_dash_waiting', balanceTransactionId: 'txn_dash_waiting',
    amountMinor: 4200, feeMinor: 152, currency: 'USD', capturedAt: new Date(now - HOUR / 2).toISOString(),
  });

  // The audit's accuracy, when its table is there (migration 0011): two runs, the later one less accurate.
  auditPresent = (await h.pool.query(`SELECT to_regclass('integration.audit_accuracy') IS NOT NULL AS present`)).rows[0].present;
  if (auditPresent) {
    for (const [hoursAgo, customers, overall] of [[6, 40, 250], [1, 39, 249]] as const) {
      const at = new Date(now - hoursAgo * HOUR);
      await h.pool.query(
        `WITH run AS (
           INSERT INTO integration.audit_run (workflow_id, workflow_run, window_from, window_to, status, started_at, finished_at)
           VALUES ('sync-audit', $1, $2::timestamptz - interval '7 days', $2, 'completed', $2, $2) RETURNING id)
         INSERT INTO integration.audit_accuracy (run_id, entity, compared, matching, accuracy, measured_at)
         SELECT run.id, e, c, m, m::numeric / c, $2 FROM run,
                (VALUES ('customers', 40, $3::int), ('orders', 120, 120), ('payments', 80, 80), ('stock', 10, 10), ('overall', 250, $4::int)) v(e, c, m)`,
        [`dash-audit-${hoursAgo}`, at, customers, overall],
      );
    }
  }

  // A delivery nobody could read, and a vendor call that outlasted the rate-limit budget (raised, then answered).
  await quarantine(h.pool, 'shopify', 'unknown topic products/delete', Buffer.from('{"id": 1}'), { 'x-shopify-topic': 'products/delete' }, 'dash-fingerprint-1');
  const throttled = await recordIssue(h.pool, {
    workflowId: 'payment-stripe-pi_dash_throttled', runId: 'run-1', flow: 'payment', step: 'read-payment', businessKey: 'stripe:pi_dash_throttled',
    kind: 'step-failed', message: 'Stripe answered 429 for 30 minutes', details: { activity: 'readPayment', failureType: 'stripe:rate-limited' },
    allowedDecisions: ['retry', 'skip'],
  });
  await resolveIssue(h.pool, throttled, { action: 'retry' }, 'test');

  dashboard = await startDashboard({ pool: h.pool, logger: false, host: '127.0.0.1', port: 0, refreshSeconds: 1, ui: { baseUrl: UI, namespace: 'default' } });
  secured = await startDashboard({ pool: h.pool, logger: false, host: '127.0.0.1', port: 0, token: TOKEN, refreshSeconds: 1, ui: { baseUrl: UI, namespace: 'default' } });
});

afterAll(async () => {
  await dashboard?.close();
  await secured?.close();
  await browser?.close();
  await h?.close();
});

test('the page shows the three KPIs as SQL computes them, with their trends', async () => {
  const page = await openDashboard(dashboard.url);

  const orders = await durationsBySql(`SELECT recorded_at AS at, value_ms FROM integration.flow_metric WHERE metric = 'order_processing_ms' AND recorded_at >= $1`);
  expect(orders.count).toBe(13);
  expect({
    p50: await attr(page, 'kpi-order-p50', 'data-ms'), p50Text: await text(page, 'kpi-order-p50'),
    p95: await attr(page, 'kpi-order-p95', 'data-ms'), p95Text: await text(page, 'kpi-order-p95'), count: await text(page, 'kpi-order-count'),
    chartPoints: await page.locator('svg[aria-label="kpi-order trend"]').getAttribute('data-points'),
  }).toEqual({
    p50: String(orders.p50), p50Text: formatDuration(orders.p50), p95: String(orders.p95), p95Text: formatDuration(orders.p95), count: String(orders.count),
    chartPoints: String(orders.hours * 2),
  });

  const payments = await durationsBySql(`SELECT reconciled_at AS at, capture_to_reconciled_ms AS value_ms FROM erp.payment_reconciliation_time WHERE reconciled_at >= $1`);
  expect(payments.count).toBeGreaterThan(0);
  const waiting = await h.pool.query(
    `SELECT count(*)::int AS n FROM erp.payment p WHERE status = 'captured' AND provider_captured_at IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM erp.reconciliation_match m WHERE m.kind = 'payment' AND m.erp_id = p.id)`);
  expect(waiting.rows[0].n).toBeGreaterThanOrEqual(1);
  expect({
    p50: await text(page, 'kpi-payment-p50'), p95: await text(page, 'kpi-payment-p95'), count: await text(page, 'kpi-payment-count'),
    unreconciled: await text(page, 'kpi-payment-unreconciled'),
  }).toEqual({ p50: formatDuration(payments.p50), p95: formatDuration(payments.p95), count: String(payments.count), unreconciled: String(waiting.rows[0].n) });

  if (auditPresent) {
    const overall = (await h.pool.query(`SELECT accuracy::float8 AS a FROM integration.audit_accuracy WHERE entity = 'overall' ORDER BY measured_at DESC LIMIT 1`)).rows[0].a as number;
    expect(await text(page, 'kpi-accuracy-value')).toBe(formatPercent(overall));
    expect(await page.getByTestId('accuracy-customers').locator('td').allTextContents()).toEqual(['customers', '40', '39', formatPercent(39 / 40)]);
    expect(await page.locator('svg[aria-label="accuracy trend"]').getAttribute('data-points')).toBe('2');
  } else {
    expect(await text(page, 'kpi-accuracy-value')).toBe('no audit yet');
  }
  await screenshot(page, 'kpis');
  await page.close();
});

test('issues link to their workflow in the Temporal UI; inbox, quarantine, vendors and waiting flows match the tables', async () => {
  // A change the order catch-up found: in the inbox, handed to its flow, but no webhook of the shop's.
  await h.pool.query(
    `INSERT INTO integration.webhook_inbox (provider, event_id, topic, business_key, payload, raw_body, headers, status)
     VALUES ('shopify', 'catchup:1@2026-12-01T00:00:00.000Z', 'catchup.order_changed', 'shopify:order:1', '{}', '\\x7b7d', '{}', 'dispatched')`);
  const page = await openDashboard(dashboard.url);
  const open = (await h.pool.query(`SELECT count(*)::int AS n FROM integration.issue WHERE status = 'open'`)).rows[0].n as number;
  const deciding = (await h.pool.query(`SELECT count(*)::int AS n FROM integration.issue WHERE status = 'open' AND cardinality(allowed_decisions) > 0`)).rows[0].n as number;
  expect(deciding).toBeGreaterThanOrEqual(1);
  expect({ open: await text(page, 'issues-total'), waiting: await text(page, 'waiting-total') }).toEqual({ open: String(open), waiting: String(deciding) });
  expect(await page.getByTestId(`issue-link-${parkedIssueId}`).first().getAttribute('href'))
    .toBe(`${UI}/namespaces/default/workflows/${encodeURIComponent(parked.workflowId)}`);
  const decisions = (await h.pool.query('SELECT allowed_decisions FROM integration.issue WHERE id = $1', [parkedIssueId])).rows[0].allowed_decisions as string[];
  expect(decisions).toContain('compensate');
  expect(await page.getByTestId(`waiting-${parkedIssueId}`).locator('td').nth(4).textContent()).toBe(decisions.join(' | '));
  expect(await page.getByTestId('issues-flow-order').locator('td').nth(2).textContent()).toBe('1'); // opened under an hour ago

  const inbox = (await h.pool.query(
    `SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending, count(*) FILTER (WHERE status = 'failed')::int AS failed FROM integration.webhook_inbox`)).rows[0];
  expect({ pending: await text(page, 'inbox-pending'), failed: await text(page, 'inbox-failed'), quarantined: await text(page, 'quarantine-open') })
    .toEqual({ pending: String(inbox.pending), failed: String(inbox.failed), quarantined: '1' });

  const received = (await h.pool.query(`SELECT count(*)::int AS n FROM integration.webhook_inbox WHERE topic NOT LIKE 'catchup.%'`)).rows[0].n as number;
  expect(await text(page, 'inbox-window')).toMatch(new RegExp(`^in window: ${received} webhooks received, 1 changes found by the order catch-up, `));
  const webhooks = (await h.pool.query(`SELECT count(*)::int AS n FROM integration.webhook_inbox WHERE provider = 'shopify' AND topic NOT LIKE 'catchup.%'`)).rows[0].n as number;
  expect(webhooks).toBeGreaterThanOrEqual(2);
  const shopify = await page.getByTestId('vendor-shopify').locator('td').allTextContents();
  expect(shopify.slice(0, 4)).toEqual(['shopify', String(webhooks), '1', formatPercent(1 / (webhooks + 1))]);
  const stripe = await page.getByTestId('vendor-stripe').locator('td').allTextContents();
  expect({ throttles: stripe[7], errors: stripe[5] }).toEqual({ throttles: '1', errors: '0' });
  await screenshot(page, 'issues');
  await page.close();
});

test('the page refreshes by itself: a decision taken elsewhere leaves the list of waiting flows', async () => {
  const page = await openDashboard(dashboard.url);
  await expect(page.getByTestId(`waiting-${parkedIssueId}`).count()).resolves.toBe(1);
  const before = await refreshes(page);
  await h.client.workflow.getHandle(parked.workflowId).executeUpdate(decideUpdate, { args: [{ decision: { action: 'compensate' }, issueId: parkedIssueId }] });
  const deciding = await eventually('the issue resolved', async () => {
    const { rows } = await h.pool.query(
      `SELECT (SELECT status FROM integration.issue WHERE id = $1) AS status,
              (SELECT count(*)::int FROM integration.issue WHERE status = 'open' AND cardinality(allowed_decisions) > 0) AS n`, [parkedIssueId]);
    return rows[0].status === 'resolved' ? rows[0].n as number : undefined;
  });
  await eventually('the page to drop the answered flow', async () =>
    ((await page.getByTestId(`waiting-${parkedIssueId}`).count()) === 0 && (await text(page, 'waiting-total')) === String(deciding) ? true : undefined));
  expect(await refreshes(page)).toBeGreaterThan(before);
  await screenshot(page, 'refreshed');
  await page.close();
});

test('with a token configured every request must present it; bound beyond loopback it will not start without one', async () => {
  const api = `${secured.url}/api/kpis?hours=24`;
  const anonymous = await fetch(api);
  expect({ status: anonymous.status, body: await anonymous.json() })
    .toEqual({ status: 401, body: { error: 'unauthorized', reason: 'send the dashboard token as Authorization: Bearer <token> or ?token=<token>' } });
  expect((await fetch(`${secured.url}/`)).status).toBe(401);
  expect((await fetch(api, { headers: { authorization: 'Bearer not-the-token' } })).status).toBe(401);
  expect((await fetch(api, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  expect((await fetch(`${secured.url}/health`)).status).toBe(200);

  // Opened with ?token=, the page passes it on to every API call it makes.
  const page = await openDashboard(`${secured.url}/?token=${TOKEN}`);
  const orders = await durationsBySql(`SELECT recorded_at AS at, value_ms FROM integration.flow_metric WHERE metric = 'order_processing_ms' AND recorded_at >= $1`);
  expect(await text(page, 'kpi-order-count')).toBe(String(orders.count));
  await page.close();

  await expect(buildDashboardServer({ pool: h.pool, logger: false, host: '0.0.0.0', port: 0, refreshSeconds: 5, ui: { baseUrl: null, namespace: 'default' } }))
    .rejects.toThrow(DashboardStartupError);
  await expect(buildDashboardServer({ pool: h.pool, logger: false, host: '0.0.0.0', port: 0, refreshSeconds: 5, ui: { baseUrl: null, namespace: 'default' } }))
    .rejects.toThrow(/^DASHBOARD_TOKEN is not set, but DASHBOARD_HOST=0\.0\.0\.0/);
});

test('a bad query parameter is a 400 that names it', async () => {
  const answers = await Promise.all(['/api/issues?olderThan=soon', '/api/kpis?hours=0', '/api/vendors?hour=2'].map(async (path) => {
    const res = await fetch(`${dashboard.url}${path}`);
    return { path, status: res.status, reason: ((await res.json()) as { reason: string }).reason };
  }));
  expect(answers).toEqual([
    { path: '/api/issues?olderThan=soon', status: 400, reason: 'olderThan: must be a duration such as 90s, 45m, 2h, 3d or 1w' },
    { path: '/api/kpis?hours=0', status: 400, reason: 'hours: must be at least 1' },
    { path: '/api/vendors?hour=2', status: 400, reason: 'unknown query parameter hour' },
  ]);
});

test('with the workers\' metrics configured, vendor calls, errors and throttles of the window are counted from their counters', async () => {
  // A worker's own registry and /metrics server, with calls made before the dashboard starts (not in its window).
  const metrics = createWorkerMetrics();
  const server = await startMetricsServer({ host: '127.0.0.1', port: 0, registry: metrics.registry });
  metrics.vendorCalls.inc({ vendor: 'shopify', outcome: 'ok' }, 100);
  const sampled = await startDashboard({
    pool: h.pool, logger: false, host: '127.0.0.1', port: 0, refreshSeconds: 1, metricsUrls: [server.url], ui: { baseUrl: UI, namespace: 'default' },
  });
  try {
    const page = await openDashboard(sampled.url);
    metrics.vendorCalls.inc({ vendor: 'shopify', outcome: 'ok' }, 40);
    metrics.vendorCalls.inc({ vendor: 'shopify', outcome: 'error' }, 2);
    metrics.vendorCalls.inc({ vendor: 'shopify', outcome: 'rate_limited' }, 8);
    const row = await eventually('the calls since the dashboard started', async () => {
      const cells = await page.getByTestId('calls-shopify').locator('td').allTextContents();
      return cells[1] === '50' ? cells : undefined;
    });
    expect(row).toEqual(['shopify', '50', '2', formatPercent(2 / 50), '8', formatPercent(8 / 50)]);
    await screenshot(page, 'vendor-calls');
    await page.close();
  } finally {
    await sampled.close();
    await server.close();
  }
});
