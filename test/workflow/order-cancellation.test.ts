import { CancelledFailure, Context } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { FakeActivities, orderWithPayment } from './support/fake-activities';
import { gate, permanentFailure } from './support/failures';
import { startOrder } from './support/order-flow';
import { WorkflowTestEnv } from './support/workflow-env';

/** Cancelled from Temporal itself (UI or API): the flow undoes what it did, and ends as cancelled. */

let testEnv: WorkflowTestEnv;
beforeAll(async () => {
  testEnv = await WorkflowTestEnv.start();
});
afterAll(() => testEnv?.teardown());

test('a cancellation before the order was read releases the checkout payment hold and ends cancelled', async () => {
  const fakes = new FakeActivities(orderWithPayment());
  const read = fakes.impl.fetchShopOrder;
  // The first read hangs (a slow shop) until the cancellation reaches it.
  fakes.impl.fetchShopOrder = async () => {
    if (fakes.callsOf('fetchShopOrder').length > 1) return read();
    for (;;) {
      Context.current().heartbeat();
      await Context.current().sleep(50);
    }
  };
  await testEnv.withWorker(fakes, async (t) => {
    const handle = await startOrder(t);
    await fakes.called('fetchShopOrder');
    await handle.cancel();
    const failure = await handle.result().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    expect(fakes.callsOf('undoPayment').map((c) => c.args)).toEqual([['pi_checkout', { shopOrderId: '5001' }]]);
    expect(fakes.sequence('ensureOrderCustomer', 'createSalesOrder')).toEqual([]);
  });
});

test('a cancellation while an issue is being recorded closes that issue once it is recorded', async () => {
  const fakes = new FakeActivities(orderWithPayment());
  fakes.impl.postInvoice = () => {
    throw permanentFailure('the invoice numbering is locked');
  };
  // Writing the issue is slow: the cancellation arrives before its id is known.
  const writing = gate();
  const record = fakes.impl.recordIssue;
  fakes.impl.recordIssue = async (...args: unknown[]) => {
    await writing.opened;
    return record(...args);
  };
  await testEnv.withWorker(fakes, async (t) => {
    const handle = await startOrder(t);
    await fakes.called('recordIssue');
    await handle.cancel();
    writing.open();
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    expect(fakes.world.issues.map((i) => i.step)).toEqual(['post-invoice']);
    expect(fakes.callsOf('closeIssue').map((c) => c.args.slice(0, 2))).toEqual([[100, { action: 'cancelled' }]]);
    expect(fakes.sequence('voidInvoice', 'releaseStock', 'cancelSalesOrder')).toEqual(['voidInvoice', 'releaseStock', 'cancelSalesOrder']);
  });
});
