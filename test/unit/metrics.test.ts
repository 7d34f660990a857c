import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import pino from 'pino';
import { Writable } from 'node:stream';
import { parseExposition, sampleValue } from '../../observability/exposition';
import { flowLabel, flowStatusOf } from '../../observability/flow-outcome';
import { createRelayMetrics, createWorkerMetrics } from '../../observability/metrics';
import { pinoFields, temporalLogger } from '../../observability/runtime';
import { isStepFailure } from '../../observability/step-failures';
import { failedCallOutcome, noteVendorRequest, withVendorScope } from '../../observability/vendor-calls';
import { storedDeliveryOutcomes } from '../../observability/webhook-outcomes';

describe('webhook outcomes of a stored delivery', () => {
  it('counts a new delivery as accepted and ignored events', () => {
    expect(storedDeliveryOutcomes({ events: 3, ignored: 1, stored: 3 })).toEqual({ accepted: 2, ignored: 1 });
  });
  it('counts a redelivery as duplicates only', () => {
    expect(storedDeliveryOutcomes({ events: 2, ignored: 1, stored: 0 })).toEqual({ duplicate: 2 });
  });
  it('never counts more ignored events than were stored in a mixed batch', () => {
    expect(storedDeliveryOutcomes({ events: 4, ignored: 3, stored: 1 })).toEqual({ ignored: 1, duplicate: 3 });
    expect(storedDeliveryOutcomes({ events: 4, ignored: 1, stored: 3 })).toEqual({ accepted: 2, ignored: 1, duplicate: 1 });
  });
  it('counts nothing for an empty delivery', () => {
    expect(storedDeliveryOutcomes({ events: 0, ignored: 0, stored: 0 })).toEqual({});
  });
});

describe('flow outcomes', () => {
  it('tells a completed run from one that undid its work', () => {
    expect(flowStatusOf({ returned: true, finalState: 'converted' })).toBe('completed');
    expect(flowStatusOf({ returned: true, finalState: undefined })).toBe('completed');
    expect(flowStatusOf({ returned: true, finalState: 'compensated' })).toBe('compensated');
    expect(flowStatusOf({ returned: true, finalState: 'cancelled' })).toBe('compensated');
  });
  it('names continue-as-new, cancellation and failure, and skips a failed workflow task', () => {
    const thrown = { returned: false as const, continuedAsNew: false, cancelled: false, failedWorkflow: false };
    expect(flowStatusOf({ ...thrown, continuedAsNew: true })).toBe('continued');
    expect(flowStatusOf({ ...thrown, cancelled: true })).toBe('cancelled');
    expect(flowStatusOf({ ...thrown, failedWorkflow: true })).toBe('failed');
    expect(flowStatusOf(thrown)).toBeNull();
  });
  it('labels a run by its Flow attribute, else its workflow type', () => {
    expect(flowLabel('order', 'orderFulfilment')).toBe('order');
    expect(flowLabel(undefined, 'inventoryResyncRequest')).toBe('inventoryResyncRequest');
    expect(flowLabel('', 'orderCatchup')).toBe('orderCatchup');
  });
});

describe('step failures and vendor call outcomes', () => {
  it('does not count rate limits and cancellations as failed steps', () => {
    expect(isStepFailure(ApplicationFailure.create({ type: 'shopify:rate-limited', nonRetryable: true }))).toBe(false);
    expect(isStepFailure(new CancelledFailure('cancelled'))).toBe(false);
    expect(isStepFailure(ApplicationFailure.create({ type: 'shopify:retryable' }))).toBe(true);
    expect(isStepFailure(new Error('boom'))).toBe(true);
  });
  it('classifies a failed vendor call', () => {
    expect(failedCallOutcome('rate-limited')).toBe('rate_limited');
    expect(failedCallOutcome('permanent')).toBe('error');
    expect(failedCallOutcome('retryable')).toBe('error');
  });
  it('collects the vendors a call sent requests to, and only that call', async () => {
    const [a, b] = await Promise.all([
      withVendorScope(async () => {
        noteVendorRequest('stripe');
        await new Promise((r) => setTimeout(r, 5));
        noteVendorRequest('stripe');
        return 1;
      }),
      withVendorScope(async () => {
        noteVendorRequest('shopify');
        throw new Error('down');
      }),
    ]);
    expect(a).toEqual({ value: 1, vendors: ['stripe'] });
    expect(b).toEqual({ error: new Error('down'), vendors: ['shopify'] });
    expect(() => noteVendorRequest('hubspot')).not.toThrow();
  });
});

describe('metric definitions', () => {
  it('exposes the relay and worker metrics under their names and labels', async () => {
    const relay = createRelayMetrics();
    relay.webhooks.inc({ connection: 'shop-eu', vendor: 'shopify', outcome: 'accepted' }, 2);
    relay.dispatchLag.observe({ connection: 'shop-eu' }, 0.2);
    const worker = createWorkerMetrics();
    worker.flowOutcomes.inc({ flow: 'order', status: 'compensated' });
    worker.stepFailures.inc({ flow: 'order', step: 'reserveStock' });
    worker.vendorCalls.inc({ vendor: 'stripe', outcome: 'rate_limited' });
    const relaySamples = parseExposition(await relay.registry.metrics());
    expect(sampleValue(relaySamples, 'engine_webhooks_total', { connection: 'shop-eu', vendor: 'shopify', outcome: 'accepted' })).toBe(2);
    expect(sampleValue(relaySamples, 'engine_dispatch_lag_seconds_bucket', { connection: 'shop-eu', le: '0.25' })).toBe(1);
    expect(sampleValue(relaySamples, 'engine_dispatch_lag_seconds_bucket', { connection: 'shop-eu', le: '0.1' })).toBe(0);
    const workerSamples = parseExposition(await worker.registry.metrics());
    expect(sampleValue(workerSamples, 'engine_flow_outcomes_total', { flow: 'order', status: 'compensated' })).toBe(1);
    expect(sampleValue(workerSamples, 'engine_step_failures_total', { flow: 'order', step: 'reserveStock' })).toBe(1);
    expect(sampleValue(workerSamples, 'engine_vendor_calls_total', { vendor: 'stripe', outcome: 'rate_limited' })).toBe(1);
    expect(sampleValue(workerSamples, 'engine_webhooks_total')).toBeUndefined();
  });
});

describe('Prometheus text parsing', () => {
  it('reads labels in any order, escapes and special values', () => {
    const samples = parseExposition([
      '# HELP x_total a counter',
      '# TYPE x_total counter',
      'x_total{b="2",a="say \\"hi\\""} 3',
      'y_bucket{le="+Inf"} 7 1700000000000',
      'z NaN',
    ].join('\n'));
    expect(sampleValue(samples, 'x_total', { a: 'say "hi"', b: '2' })).toBe(3);
    expect(sampleValue(samples, 'y_bucket', { le: '+Inf' })).toBe(7);
    expect(Number.isNaN(sampleValue(samples, 'z'))).toBe(true);
    expect(() => parseExposition('not a sample line at all {')).toThrow(/not a Prometheus sample line/);
  });
});

describe('the Temporal SDK logger over pino', () => {
  it('writes JSON lines with the SDK context and the error as err', () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
    const logger = temporalLogger(pino({ level: 'debug' }, sink));
    logger.info('Workflow started', { sdkComponent: 'workflow', workflowId: 'order-shopify-1', runId: 'r1', businessKey: 'shopify:order:1' });
    logger.log('ERROR', 'Activity failed', { error: new Error('boom'), activityType: 'reserveStock' });
    logger.trace('not shown');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 30, msg: 'Workflow started', workflowId: 'order-shopify-1', runId: 'r1', businessKey: 'shopify:order:1' });
    expect(lines[1]).toMatchObject({ level: 50, msg: 'Activity failed', activityType: 'reserveStock', err: { message: 'boom' } });
  });
  it('leaves metadata without an error as it is', () => {
    expect(pinoFields({ a: 1 })).toEqual({ a: 1 });
    expect(pinoFields(undefined)).toEqual({});
  });
});
