import { paymentEventSignal } from '../../workflows/payment/api';
import { ORDER, PaymentFakes, startPayment } from './support/payment-flow';
import { stateIs } from './support/progress';
import { skipTo, WorkflowTestEnv } from './support/workflow-env';

/** The payment flow in simulated time: the wait for a late order and the idle end. */

let testEnv: WorkflowTestEnv;
beforeAll(async () => {
  testEnv = await WorkflowTestEnv.start();
});
afterAll(() => testEnv?.teardown());

const event = (n: number) => ({ eventId: `evt_${n}`, topic: 'charge.refunded' });

/** The wait for the order counts from the flow's first look for it. */
const firstLookAt = (p: PaymentFakes) => p.callsOf('findPaymentOrder')[0]!.atMs;

test('a payment whose order never comes is parked as unmatched, with an issue, exactly at its deadline', async () => {
  const p = new PaymentFakes();
  p.match = { kind: 'none' };
  await testEnv.withWorker(p.fakes, async (t) => {
    const handle = await startPayment(t, { orderWaitSeconds: 3600, orderPollSeconds: 60 });
    await stateIs(handle, 'awaiting-order');
    await skipTo(t, firstLookAt(p) + 3_599_000);
    expect(p.issues).toEqual([]);
    await t.env.sleep('1 second');
    await stateIs(handle, 'unmatched');

    const [issue] = await p.called('recordIssue');
    // The deadline counts from the flow's clock when its first look returned, which a local activity reads a few
    // milliseconds before the look ran.
    const waited = issue!.atMs - p.callsOf('findPaymentOrder')[0]!.atMs;
    expect(waited).toBeGreaterThanOrEqual(3_599_000);
    expect(waited).toBeLessThan(3_601_000);
    expect(p.issues).toEqual([expect.objectContaining({ kind: 'overdue', step: 'await-order', details: expect.objectContaining({ paymentId: 'pi_1' }) })]);
    // Polled once a minute meanwhile, never applied.
    expect(p.callsOf('findPaymentOrder').length).toBeGreaterThanOrEqual(60);
    expect(p.callsOf('applyPaymentToOrder')).toEqual([]);
    // A parked payment waits days for its idle end: ended here, so no later test's time skipping fires its timers.
    await handle.terminate();
  });
});

test('a payment whose order arrives before the deadline is applied to it, and no issue is raised', async () => {
  const p = new PaymentFakes();
  p.match = { kind: 'none' };
  await testEnv.withWorker(p.fakes, async (t) => {
    const handle = await startPayment(t, { orderWaitSeconds: 3600, orderPollSeconds: 60, idleSeconds: 600 });
    await stateIs(handle, 'awaiting-order');
    await t.env.sleep('1800 seconds');
    p.match = { kind: 'found', order: ORDER };
    await t.env.sleep('60 seconds');
    await stateIs(handle, 'settled');

    expect(p.callsOf('applyPaymentToOrder').map((c) => c.args)).toEqual([['stripe', 'pi_1', 42]]);
    expect(await handle.result()).toEqual({ status: 'idle', paymentStatus: 'captured', orderNumber: 'SO-42', unmatched: false, events: 0 });
    expect(p.issues).toEqual([]);
  });
});

const TWIN: typeof ORDER = { ...ORDER, salesOrderId: 43, orderNumber: 'SO-43' };

test('orders fitting by amount alone: the flow keeps polling, no question until its deadline, then asks a person', async () => {
  const p = new PaymentFakes();
  p.match = { kind: 'ambiguous', candidates: [ORDER, TWIN], amountOnly: true };
  await testEnv.withWorker(p.fakes, async (t) => {
    const handle = await startPayment(t, { orderWaitSeconds: 3600, orderPollSeconds: 60 });
    await stateIs(handle, 'awaiting-order');
    await skipTo(t, firstLookAt(p) + 3_599_000);
    expect(p.issues).toEqual([]);
    expect(p.callsOf('findPaymentOrder').length).toBeGreaterThanOrEqual(60);
    await t.env.sleep('1 second');
    await stateIs(handle, 'waiting-operator');

    const [issue] = await p.called('recordIssue');
    // The deadline counts from the flow's clock when its first look returned, which a local activity reads a few
    // milliseconds before the look ran.
    const waited = issue!.atMs - p.callsOf('findPaymentOrder')[0]!.atMs;
    expect(waited).toBeGreaterThanOrEqual(3_599_000);
    expect(waited).toBeLessThan(3_601_000);
    expect(p.issues).toEqual([expect.objectContaining({ kind: 'ambiguous-match', step: 'choose-order' })]);
    expect(p.callsOf('applyPaymentToOrder')).toEqual([]);
    await handle.terminate();
  });
});

test('orders fitting by amount alone, then the payment is booked for one of them: applied there, no question asked', async () => {
  const p = new PaymentFakes();
  p.match = { kind: 'ambiguous', candidates: [ORDER, TWIN], amountOnly: true };
  await testEnv.withWorker(p.fakes, async (t) => {
    const handle = await startPayment(t, { orderWaitSeconds: 3600, orderPollSeconds: 60, idleSeconds: 600 });
    await stateIs(handle, 'awaiting-order');
    await t.env.sleep('600 seconds');
    p.match = { kind: 'found', order: TWIN };
    await t.env.sleep('60 seconds');
    await stateIs(handle, 'settled');

    expect(p.callsOf('applyPaymentToOrder').map((c) => c.args)).toEqual([['stripe', 'pi_1', 43]]);
    expect(await handle.result()).toEqual({ status: 'idle', paymentStatus: 'captured', orderNumber: 'SO-43', unmatched: false, events: 0 });
    expect(p.issues).toEqual([]);
  });
});

test('orders a named shop order is bound to, several of them: a person is asked at once', async () => {
  const p = new PaymentFakes();
  p.match = { kind: 'ambiguous', candidates: [ORDER, TWIN] };
  await testEnv.withWorker(p.fakes, async (t) => {
    const handle = await startPayment(t, { orderWaitSeconds: 3600, orderPollSeconds: 60 });
    await stateIs(handle, 'waiting-operator');
    expect(p.issues).toEqual([expect.objectContaining({ kind: 'ambiguous-match', step: 'choose-order' })]);
    await handle.terminate();
  });
});

test('an idle flow ends idleSeconds after its last event', async () => {
  const p = new PaymentFakes();
  await testEnv.withWorker(p.fakes, async (t) => {
    const handle = await startPayment(t, { idleSeconds: 600 });
    await stateIs(handle, 'settled');
    await t.env.sleep('300 seconds');
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.signal(paymentEventSignal, event(1));
    const [, afterEvent] = await p.called('readPaymentState', 2);
    // The idle time counts from the flow's read after the event.
    await skipTo(t, afterEvent!.atMs + 599_000);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await t.env.sleep('1 second');

    expect(await handle.result()).toEqual({ status: 'idle', paymentStatus: 'captured', orderNumber: 'SO-42', unmatched: false, events: 1 });
    const idle = (await handle.describe()).closeTime!.getTime() - p.callsOf('readPaymentState')[1]!.atMs;
    expect(idle).toBeGreaterThanOrEqual(600_000);
    expect(idle).toBeLessThan(601_000);
  });
});

describe('an order that awaits its payment', () => {
  const signalsSent = async (handle: Awaited<ReturnType<typeof startPayment>>) =>
    (await handle.fetchHistory()).events!.filter((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes).map((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes!.signalName);

  test('is told of a payment it does not know', async () => {
    const p = new PaymentFakes();
    p.match = { kind: 'found', order: { ...ORDER, status: 'reserved', shop: 'shopify', shopOrderId: '1001', paymentReference: null } };
    await testEnv.withWorker(p.fakes, async (t) => {
      const handle = await startPayment(t);
      await stateIs(handle, 'settled');
      expect(await signalsSent(handle)).toEqual(['paymentReceived']);
      await handle.terminate();
    });
  });

  test('is not told of the payment its checkout named: its own flow books that one', async () => {
    const p = new PaymentFakes();
    p.match = { kind: 'found', order: { ...ORDER, status: 'reserved', shop: 'shopify', shopOrderId: '1001', paymentReference: 'pi_1' } };
    await testEnv.withWorker(p.fakes, async (t) => {
      const handle = await startPayment(t);
      await stateIs(handle, 'settled');
      expect(p.callsOf('applyPaymentToOrder')).toHaveLength(1);
      expect(await signalsSent(handle)).toEqual([]);
      await handle.terminate();
    });
  });
});
