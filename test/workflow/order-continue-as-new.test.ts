import { editOrderUpdate, shopOrderCancelledSignal } from '../../workflows/order/api';
import { shopAddress } from '../support/shop-order-fixture';
import { FakeActivities } from './support/fake-activities';
import { FULFILLED, ship, startOrder, type OrderHandle } from './support/order-flow';
import { stateIs } from './support/progress';
import { WorkflowTestEnv, type WorkflowTest } from './support/workflow-env';

/** A long wait for shipment with many edits continues as new, carrying the order and its undos to the next run. */

let testEnv: WorkflowTestEnv;
beforeAll(async () => {
  testEnv = await WorkflowTestEnv.start();
});
afterAll(() => testEnv?.teardown());

// The latest run's handle also gives the results: the test server does not always wake a result() that follows the
// chain from the first run once a later run closes.

/**
 * Address edits, one after the other, until the flow continues as new; returns the latest run's handle. (With a
 * limit of 60 events the order may already have continued once on reaching shipment: the edits make it go on again.)
 */
async function editUntilContinuedAsNew(t: WorkflowTest, fakes: FakeActivities, first: OrderHandle): Promise<OrderHandle> {
  const firstRunId = (await first.describe()).runId;
  const latest = t.client.workflow.getHandle(first.workflowId) as OrderHandle;
  for (let edit = 1; edit <= 40; edit++) {
    fakes.world.shop = { ...fakes.world.shop, shippingAddress: shopAddress(`Buyer ${edit}`) };
    await latest.executeUpdate(editOrderUpdate, { args: [{ eventId: `e${edit}`, topic: 'orders/updated' }] });
    if ((await latest.describe()).runId !== firstRunId) return latest;
  }
  throw new Error('40 edits with maxHistoryEvents 60 and still the first run');
}

test('an order that continues as new while waiting for shipment is fulfilled as the same ERP order', async () => {
  const fakes = new FakeActivities();
  await testEnv.withWorker(fakes, async (t) => {
    const handle = await startOrder(t, { maxHistoryEvents: 60 });
    await stateIs(handle, 'awaiting-shipment');
    const latest = await editUntilContinuedAsNew(t, fakes, handle);
    await stateIs(latest, 'awaiting-shipment');
    await ship(latest);
    expect(await latest.result()).toEqual(FULFILLED);
    expect(fakes.callsOf('shipInErp').map((c) => c.args)).toEqual([[42]]);
    expect(fakes.callsOf('createSalesOrder')).toHaveLength(1);
  });
});

test('a cancellation in the shop after continue-as-new still runs the undos registered in the first run', async () => {
  const fakes = new FakeActivities();
  await testEnv.withWorker(fakes, async (t) => {
    const handle = await startOrder(t, { maxHistoryEvents: 60 });
    await stateIs(handle, 'awaiting-shipment');
    const latest = await editUntilContinuedAsNew(t, fakes, handle);
    await latest.signal(shopOrderCancelledSignal, { eventId: 'ev-cancel', topic: 'orders/cancelled' });
    const undone = ['post-invoice', 'reserve-stock', 'create-sales-order', 'ensure-customer', 'undo-payment', 'cancel-shop-order'];
    expect(await latest.result()).toEqual({ status: 'cancelled', reason: 'cancelled in the shop', undone });
    expect(fakes.sequence('voidInvoice', 'releaseStock', 'cancelSalesOrder', 'removeOrderCustomer', 'undoPayment', 'cancelShopOrder'))
      .toEqual(['voidInvoice', 'releaseStock', 'cancelSalesOrder', 'removeOrderCustomer', 'undoPayment', 'cancelShopOrder']);
    expect(fakes.callsOf('undoPayment')[0]!.args[0]).toBe('pi_checkout');
  });
});
