import { decideUpdate } from '../../workflows/shared/operator-api';
import { FakeActivities } from './support/fake-activities';
import { permanentFailure } from './support/failures';
import { startOrder } from './support/order-flow';
import { openIssueId } from './support/progress';
import { WorkflowTestEnv } from './support/workflow-env';

/** The order flow at the operator desk: reminders of an unanswered issue, and a compensation of every step. */

let testEnv: WorkflowTestEnv;
beforeAll(async () => {
  testEnv = await WorkflowTestEnv.start();
});
afterAll(() => testEnv?.teardown());

test('an unanswered issue is raised again once per operatorReminderSeconds', async () => {
  const fakes = new FakeActivities();
  fakes.impl.postInvoice = () => {
    throw permanentFailure('invoice numbering is locked');
  };
  await testEnv.withWorker(fakes, async (t) => {
    const handle = await startOrder(t, { operatorReminderSeconds: 3600 });
    const issueId = await openIssueId(handle);
    expect(fakes.callsOf('remindIssue')).toHaveLength(0);

    await t.env.sleep('3.5 hours');
    await fakes.called('remindIssue', 3);
    expect(fakes.callsOf('remindIssue').map((c) => c.args)).toEqual([[issueId], [issueId], [issueId]]);
    await t.env.sleep('1 hour');
    await fakes.called('remindIssue', 4);

    await handle.executeUpdate(decideUpdate, { args: [{ decision: { action: 'compensate' }, issueId }] });
    expect(await handle.result()).toMatchObject({ status: 'cancelled' });
    expect(fakes.callsOf('remindIssue')).toHaveLength(4);
  });
});

test('"compensate" at the invoice undoes every order step in reverse registration order', async () => {
  const fakes = new FakeActivities();
  fakes.impl.postInvoice = () => {
    throw permanentFailure('invoice numbering is locked');
  };
  await testEnv.withWorker(fakes, async (t) => {
    const handle = await startOrder(t);
    const issueId = await openIssueId(handle);
    expect(fakes.world.issues[0]).toMatchObject({ step: 'post-invoice', kind: 'step-failed', allowedDecisions: ['retry', 'compensate'] });
    await handle.executeUpdate(decideUpdate, { args: [{ decision: { action: 'compensate' }, issueId }] });
    const undone = ['post-invoice', 'reserve-stock', 'create-sales-order', 'ensure-customer', 'undo-payment', 'cancel-shop-order'];
    expect(await handle.result()).toEqual({ status: 'cancelled', reason: 'operator chose to compensate at step post-invoice', undone });
    expect(fakes.sequence('voidInvoice', 'releaseStock', 'cancelSalesOrder', 'removeOrderCustomer', 'undoPayment', 'cancelShopOrder'))
      .toEqual(['voidInvoice', 'releaseStock', 'cancelSalesOrder', 'removeOrderCustomer', 'undoPayment', 'cancelShopOrder']);
    expect(fakes.callsOf('undoPayment')[0]!.args).toEqual(['pi_checkout', expect.objectContaining({ shopOrderId: '5001' })]);
  });
});
