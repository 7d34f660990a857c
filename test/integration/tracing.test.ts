import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setupTracing, type Tracing } from '../../observability/tracing';
import { eventually, startHarness, type Harness } from '../support/harness';
import { reachesState, ship } from '../support/orders';
import { shopDriver, type ShopDriver } from '../support/shop-drivers';

/**
 * One order's webhook is one trace: the relay's receive span, the dispatcher's hand-over (continued from the trace
 * context kept with the inbox row), the Temporal client's signal-with-start, the workflow's own spans (they leave the
 * sandbox through a sink) and each activity's. A tiny OTLP/HTTP receiver stands in for a collector.
 */

interface ReceivedSpan { traceId: string; spanId: string; parentSpanId?: string; name: string; service: string }

/** Accepts `POST /v1/traces` in OTLP/JSON (what @opentelemetry/exporter-trace-otlp-http sends) and keeps the spans. */
function otlpReceiver(): Promise<{ url: string; spans: ReceivedSpan[]; server: Server }> {
  const spans: ReceivedSpan[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces' || !String(req.headers['content-type']).startsWith('application/json')) {
        res.writeHead(415).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: Array<{
          resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
          scopeSpans: Array<{ spans: Array<Omit<ReceivedSpan, 'service'>> }>;
        }>;
      };
      for (const rs of body.resourceSpans) {
        const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
        for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.push({ traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId || undefined, name: s.name, service });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, server })));
}

let receiver: Awaited<ReturnType<typeof otlpReceiver>>;
let tracing: Tracing;
let h: Harness;
let shop: ShopDriver;

beforeAll(async () => {
  receiver = await otlpReceiver();
  // Before the harness: the worker it starts takes this process's tracing for its workflow spans.
  tracing = setupTracing({ serviceName: 'engine-test', endpoint: receiver.url });
  h = await startHarness();
  shop = shopDriver(h, 'shopify');
  await shop.seedProduct('TRACE', 10, 1200);
});
afterAll(async () => {
  await h?.close();
  await tracing?.shutdown();
  await new Promise((resolve) => receiver?.server.close(resolve));
});

test('an order webhook gives one trace through relay, dispatcher, workflow and activities', async () => {
  expect(tracing.enabled).toBe(true);
  const placed = await shop.placeOrder({ lines: [{ sku: 'TRACE', quantity: 1, unitPriceMinor: 1200 }], payment: 'authorized' });
  await reachesState(h, placed.workflowId, 'awaiting-shipment');
  await ship(h, placed.workflowId);
  await h.client.workflow.getHandle(placed.workflowId).result();

  const trace = await eventually('the order flow trace', async () => {
    await tracing.spanProcessor.forceFlush();
    const run = receiver.spans.find((s) => s.name === 'RunWorkflow:orderFulfilment');
    if (!run) return undefined;
    const spans = receiver.spans.filter((s) => s.traceId === run.traceId);
    return spans.some((s) => s.name.startsWith('RunActivity:')) && spans.some((s) => s.name === 'webhook shopify') ? spans : undefined;
  });
  const names = new Set(trace.map((s) => s.name));
  for (const name of ['webhook shopify', 'dispatch', 'SignalWithStartWorkflow:orderFulfilment', 'RunWorkflow:orderFulfilment']) expect([...names]).toContain(name);
  expect([...names].filter((n) => n.startsWith('StartActivity:')).length).toBeGreaterThan(0);
  expect([...names].filter((n) => n.startsWith('RunActivity:')).length).toBeGreaterThan(0);

  // Parent links hold the chain together: webhook -> dispatch -> signal-with-start -> workflow -> activity.
  const byId = new Map(trace.map((s) => [s.spanId, s]));
  const parentName = (s: ReceivedSpan) => (s.parentSpanId ? byId.get(s.parentSpanId)?.name : undefined);
  const one = (name: string) => trace.find((s) => s.name === name)!;
  expect(one('webhook shopify').parentSpanId).toBeUndefined();
  expect(parentName(one('dispatch'))).toBe('webhook shopify');
  expect(parentName(one('SignalWithStartWorkflow:orderFulfilment'))).toBe('dispatch');
  expect(parentName(one('RunWorkflow:orderFulfilment'))).toBe('SignalWithStartWorkflow:orderFulfilment');
  const runActivity = trace.find((s) => s.name.startsWith('RunActivity:'))!;
  expect(parentName(runActivity)).toMatch(/^StartActivity:/);
  expect(trace.every((s) => s.service === 'engine-test')).toBe(true);
});
