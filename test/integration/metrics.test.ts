import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../config/paths';
import { signHubspotV3 } from '../../connectors/hubspot/signature';
import { openIssue } from '../../engine/issues';
import { parseExposition, sampleValue, samplesOf, type Sample } from '../../observability/exposition';
import { workerMetrics } from '../../observability/metrics';
import { startMetricsServer, type MetricsServer } from '../../observability/metrics-server';
import { leadWorkflowId } from '../../workflows/lead/api';
import type { Harness } from '../support/harness';
import { freePort } from '../../stack/free-port';

/**
 * The Prometheus endpoints, end to end: webhooks sent to the real relay are counted by outcome exactly as sent, the
 * flow they start is counted by the worker when it ends (through the workflow sink), a failed step attempt and
 * the vendor calls too; open issues are read from the database at scrape time; the Temporal SDK serves its own
 * `temporal_*` metrics on its port.
 */

let h: Harness;
let eventually: typeof import('../support/harness').eventually;
let worker: MetricsServer;
let sdkMetricsUrl: string;

beforeAll(async () => {
  // The SDK's runtime is installed when the harness is loaded: its metrics address must be known by then.
  const sdkAddress = `127.0.0.1:${await freePort()}`;
  process.env.TEST_TEMPORAL_SDK_METRICS_ADDRESS = sdkAddress;
  sdkMetricsUrl = `http://${sdkAddress}/metrics`;
  const harness = jest.requireActual<typeof import('../support/harness')>('../support/harness');
  eventually = harness.eventually;
  h = await harness.startHarness();
  worker = await startMetricsServer({ host: '127.0.0.1', port: 0, registry: workerMetrics().registry });
});
afterAll(async () => {
  await worker?.close();
  await h?.close();
  delete process.env.TEST_TEMPORAL_SDK_METRICS_ADDRESS;
});

async function scrape(url: string): Promise<Sample[]> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

function hubspotDelivery(body: string, secret = h.secrets.hubspot) {
  const url = `${h.relay.url}/webhooks/hubspot`;
  const timestamp = Date.now();
  return fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-hubspot-request-timestamp': String(timestamp), 'x-hubspot-signature-v3': signHubspotV3(secret, 'POST', url, body, timestamp) },
  });
}

const hubspot = { connection: 'hubspot', vendor: 'hubspot' };
// A contact the CRM simulator does not have: its lead flow reads it (a 404, which the flow expects) and ends.
const contact = () => h.idBase + 1;
const contactCreated = () => JSON.stringify([{ eventId: 91001, subscriptionType: 'contact.creation', objectId: contact(), portalId: 1, occurredAt: Date.now() }]);

test('the relay counts webhooks by outcome exactly as sent, and the dispatch lag of what it handed over', async () => {
  // The first read of the contact fails once after its effect: a failed step attempt, retried by Temporal.
  h.activityFaults.set('fetchCrmContact', { remaining: 1, when: 'after' });
  const created = contactCreated();
  expect((await hubspotDelivery(created)).status).toBe(200);
  expect((await hubspotDelivery(created)).status).toBe(200);
  expect((await hubspotDelivery(created, 'not-the-secret')).status).toBe(401);
  expect((await hubspotDelivery(JSON.stringify([{ eventId: 91002, subscriptionType: 'contact.creation' }]))).status).toBe(400);
  expect((await hubspotDelivery(JSON.stringify([{ eventId: 91003, subscriptionType: 'deal.creation', objectId: 5, portalId: 1 }]))).status).toBe(200);

  const relay = await scrape(`${h.relay.url}/metrics`);
  const webhooks = (outcome: string) => sampleValue(relay, 'engine_webhooks_total', { ...hubspot, outcome });
  expect({ accepted: webhooks('accepted'), duplicate: webhooks('duplicate'), rejected: webhooks('rejected'), quarantined: webhooks('quarantined'), ignored: webhooks('ignored') })
    .toEqual({ accepted: 1, duplicate: 1, rejected: 1, quarantined: 1, ignored: 1 });
  expect(samplesOf(relay, 'engine_webhooks_total').filter((s) => s.labels.connection !== 'hubspot')).toEqual([]);

  // The accepted event is handed to Temporal once: one lag observation, under a second or so on an idle machine.
  const lag = await eventually('the dispatch lag observation', async () => {
    const samples = await scrape(`${h.relay.url}/metrics`);
    return sampleValue(samples, 'engine_dispatch_lag_seconds_count', { connection: 'hubspot' }) === 1 ? samples : undefined;
  });
  expect(sampleValue(lag, 'engine_dispatch_lag_seconds_sum', { connection: 'hubspot' })).toBeGreaterThan(0);
  expect(sampleValue(lag, 'engine_dispatch_lag_seconds_bucket', { connection: 'hubspot', le: '+Inf' })).toBe(1);
});

test('the worker counts the flow outcome, the failed step attempt and the vendor calls', async () => {
  const result = await h.client.workflow.getHandle(leadWorkflowId('hubspot', String(contact()))).result();
  expect(result).toEqual({ status: 'contact-deleted' });
  // The sink call runs after the workflow task that completed the run: wait for it rather than assume.
  const samples = await eventually('the flow outcome', async () => {
    const s = await scrape(worker.url);
    return sampleValue(s, 'engine_flow_outcomes_total', { flow: 'lead', status: 'completed' }) === 1 ? s : undefined;
  });
  expect(samplesOf(samples, 'engine_flow_outcomes_total').map((s) => [s.labels.flow, s.labels.status, s.value])).toEqual([['lead', 'completed', 1]]);
  expect(samplesOf(samples, 'engine_step_failures_total').map((s) => [s.labels.flow, s.labels.step, s.value])).toEqual([['lead', 'fetchCrmContact', 1]]);
  // Two reads of the missing contact (the failed attempt and its retry), each a 404 the activity expects.
  expect(sampleValue(samples, 'engine_vendor_calls_total', { vendor: 'hubspot', outcome: 'ok' })).toBe(2);
  expect(samplesOf(samples, 'engine_vendor_calls_total').filter((s) => s.labels.outcome !== 'ok')).toEqual([]);
  // Per process: the relay's counters are not the worker's.
  expect(samplesOf(samples, 'engine_webhooks_total')).toEqual([]);
});

test('open issues are read from the database at each scrape', async () => {
  const before = await scrape(`${h.relay.url}/metrics`);
  expect(samplesOf(before, 'engine_issues_open')).toEqual([]);
  const draft = { workflowId: 'order-shopify-metrics-1', runId: 'run-1', flow: 'order', businessKey: 'shopify:order:metrics-1', message: 'stock reservation failed', details: {} };
  await openIssue(h.pool, { ...draft, step: 'reserveStock', kind: 'step-failed', allowedDecisions: ['retry', 'skip', 'compensate'] });
  await openIssue(h.pool, { ...draft, step: 'postInvoice', kind: 'step-failed', allowedDecisions: ['retry', 'skip', 'compensate'] });
  await openIssue(h.pool, { ...draft, step: 'awaitShipment', kind: 'overdue', allowedDecisions: [] });
  const after = await scrape(`${h.relay.url}/metrics`);
  expect(samplesOf(after, 'engine_issues_open').map((s) => [s.labels.kind, s.labels.flow, s.value]).sort()).toEqual([['overdue', 'order', 1], ['step-failed', 'order', 2]]);
  // KPIs from tables with no rows yet: gauges without samples, and no failed query.
  expect(samplesOf(after, 'engine_kpi_order_processing_seconds')).toEqual([]);
  expect(samplesOf(after, 'engine_metrics_query_failures_total')).toEqual([]);
});

test('the KPI gauges follow what the flows recorded', async () => {
  await h.pool.query(
    `INSERT INTO integration.flow_metric (flow, business_key, metric, value_ms) SELECT 'order', 'shopify:order:kpi-' || n, 'order_processing_ms', n * 1000
       FROM generate_series(1, 100) AS n`,
  );
  const samples = await scrape(`${h.relay.url}/metrics`);
  expect(sampleValue(samples, 'engine_kpi_order_processing_seconds', { quantile: '0.5' })).toBeCloseTo(50.5, 5);
  expect(sampleValue(samples, 'engine_kpi_order_processing_seconds', { quantile: '0.95' })).toBeCloseTo(95.05, 5);
});

test('the Temporal SDK serves its runtime metrics on its own port', async () => {
  const samples = await eventually('temporal_ metrics', async () => {
    const s = await scrape(sdkMetricsUrl);
    return s.some((x) => x.name.startsWith('temporal_') && x.labels.task_queue === h.taskQueue) ? s : undefined;
  });
  expect(samples.some((s) => s.name === 'temporal_workflow_completed_total' || s.name.startsWith('temporal_workflow_task'))).toBe(true);
});

/** Metric names an endpoint declares (`# TYPE`), with the series names a histogram or summary adds. */
async function declaredNames(url: string): Promise<Set<string>> {
  const text = await (await fetch(url)).text();
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

test('every metric the Grafana dashboard queries is served by the relay, the worker or the Temporal SDK', async () => {
  const dashboard = JSON.parse(readFileSync(join(PROJECT_ROOT, 'deploy/grafana/dashboards/engine.json'), 'utf8')) as { panels: Array<{ targets?: Array<{ expr: string }> }> };
  const queried = new Set(dashboard.panels.flatMap((p) => p.targets ?? []).flatMap((t) => [...t.expr.matchAll(/\b(?:engine|temporal)_[a-z0-9_]+/g)].map((m) => m[0])));
  const served = new Set([...(await declaredNames(`${h.relay.url}/metrics`)), ...(await declaredNames(worker.url)), ...(await declaredNames(sdkMetricsUrl))]);
  expect(queried.size).toBeGreaterThan(10);
  expect([...queried].filter((name) => !served.has(name))).toEqual([]);
});
