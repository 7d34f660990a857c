import { shopOrderCancelledSignal } from '../../workflows/order/api';
import { FakeActivities, UNDO_ACTIVITIES } from './support/fake-activities';
import { gate } from './support/failures';
import { FULFILLED, ship, startOrder } from './support/order-flow';
import { stateIs } from './support/progress';
import { WorkflowTestEnv } from './support/workflow-env';

/** Waiting for the warehouse: an overdue shipment is raised and raised again; a shipped order cannot be undone. */

let testEnv: WorkflowTestEnv;
beforeAll(async () => {
  testEnv = await WorkflowTestEnv.start();
});
afterAll(() => testEnv?.teardown());

test('a shipment later than shipmentReminderSeconds raises an "overdue" issue, reminds each period, and closes it once shipped', async () => {
  const fakes = new FakeActivities();
  await testEnv.withWorker(fakes, async (t) => {
    const handle = await startOrder(t, { shipmentReminderSeconds: 3600 });
    await stateIs(handle, 'awaiting-shipment');
    await t.env.sleep('1.5 hours');
    await fakes.called('recordIssue');
    expect(fakes.world.issues).toEqual([expect.objectContaining({ step: 'await-shipment', kind: 'overdue', allowedDecisions: [] })]);
    expect(fakes.callsOf('remindIssue')).toHaveLength(0);

    await t.env.sleep('2 hours');
    await fakes.called('remindIssue', 2);
    expect(fakes.callsOf('remindIssue').map((c) => c.args)).toEqual([[100], [100]]);

    await ship(handle);
    expect(await handle.result()).toEqual(FULFILLED);
    expect(fakes.callsOf('closeIssue').map((c) => c.args)).toEqual([[100, { shipped: true }, 'engine']]);
    expect(fakes.world.issues).toHaveLength(1);
  });
});

test('a shop cancellation after the shipment was accepted records a refused cancellation and the order still ends fulfilled', async () => {
  const fakes = new FakeActivities();
  const shipping = gate();
  fakes.impl.shipInErp = () => shipping.opened;
  await testEnv.withWorker(fakes, async (t) => {
    const handle = await startOrder(t);
    await stateIs(handle, 'awaiting-shipment');
    await ship(handle);
    await fakes.called('shipInErp');
    await handle.signal(shopOrderCancelledSignal, { eventId: 'ev-cancel', topic: 'orders/cancelled' });
    await fakes.called('recordIssue');
    shipping.open();
    expect(await handle.result()).toEqual(FULFILLED);
    expect(fakes.world.issues).toEqual([expect.objectContaining({ step: 'cancel-after-shipment', kind: 'refused-cancellation' })]);
    expect(fakes.sequence(...UNDO_ACTIVITIES)).toEqual([]);
  });
});
