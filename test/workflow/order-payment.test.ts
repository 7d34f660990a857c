import { shopOrder } from '../support/shop-order-fixture';
import { paymentReceivedSignal } from '../../workflows/order/api';
import { FakeActivities } from './support/fake-activities';
import { FULFILLED, ship, startOrder } from './support/order-flow';
import { stateIs } from './support/progress';
import { skipTo, WorkflowTestEnv } from './support/workflow-env';

/** An order without a payment waits for one until its deadline; a payment named by signal is verified first. */

let testEnv: WorkflowTestEnv;
beforeAll(async () => {
  testEnv = await WorkflowTestEnv.start();
});
afterAll(() => testEnv?.teardown());

/** What an order with no payment has to undo: everything before the payment, in reverse. */
const UNDONE_BEFORE_PAYMENT = ['reserve-stock', 'create-sales-order', 'ensure-customer', 'cancel-shop-order'];

test('an order without payment is undone exactly at paymentWaitSeconds', async () => {
  const fakes = new FakeActivities(shopOrder());
  await testEnv.withWorker(fakes, async (t) => {
    const handle = await startOrder(t, { paymentWaitSeconds: 600 });
    await stateIs(handle, 'awaiting-payment');
    // The wait for payment counts from the reservation.
    await skipTo(t, fakes.callsOf('reserveStock')[0]!.atMs + 599_000);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect(fakes.callsOf('releaseStock')).toHaveLength(0);

    expect(await handle.result()).toEqual({ status: 'cancelled', reason: 'no payment within 600 s', undone: UNDONE_BEFORE_PAYMENT });
    const waited = fakes.callsOf('releaseStock')[0]!.atMs - fakes.callsOf('reserveStock')[0]!.atMs;
    expect(waited).toBeGreaterThanOrEqual(600_000);
    expect(waited).toBeLessThan(601_000);
  });
});

test('a payment signalled before the deadline is verified, then captured', async () => {
  const fakes = new FakeActivities(shopOrder());
  await testEnv.withWorker(fakes, async (t) => {
    const handle = await startOrder(t, { paymentWaitSeconds: 600 });
    await stateIs(handle, 'awaiting-payment');
    await t.env.sleep('300 seconds');
    await handle.signal(paymentReceivedSignal, { paymentId: 'pi_later' });
    await stateIs(handle, 'awaiting-shipment');
    await ship(handle);
    expect(await handle.result()).toEqual(FULFILLED);
    expect(fakes.sequence('verifyPayment', 'capturePayment', 'recordCapturedPayment')).toEqual(['verifyPayment', 'capturePayment']);
    expect(fakes.callsOf('verifyPayment')[0]!.args).toEqual([{ shopOrderId: '5001', salesOrderId: 42 }, 'pi_later']);
    expect(fakes.callsOf('capturePayment')[0]!.args).toEqual([42, 'pi_later']);
  });
});

test('a signalled payment that fails verification is neither booked nor undone', async () => {
  const fakes = new FakeActivities(shopOrder());
  fakes.impl.verifyPayment = () => ({ ok: false, problem: 'PaymentIntent pi_foreign belongs to shop order 9999' });
  await testEnv.withWorker(fakes, async (t) => {
    const handle = await startOrder(t, { paymentWaitSeconds: 600 });
    await stateIs(handle, 'awaiting-payment');
    await handle.signal(paymentReceivedSignal, { paymentId: 'pi_foreign' });
    await fakes.called('verifyPayment');
    expect(await handle.result()).toEqual({ status: 'cancelled', reason: 'no payment within 600 s', undone: UNDONE_BEFORE_PAYMENT });
    expect(fakes.sequence('capturePayment', 'recordCapturedPayment', 'undoPayment')).toEqual([]);
  });
});
