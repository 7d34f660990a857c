import { FakeActivities } from './support/fake-activities';
import { FULFILLED, ship, testPolicy } from './support/order-flow';
import { stateIs } from './support/progress';
import { WorkflowTestEnv } from './support/workflow-env';
import type { orderFulfilment } from '../../workflows/order/workflow';

/**
 * Histories a busy worker writes must replay. A local step that outlasts most of the workflow task's timeout makes
 * the worker end that task early and go on in a new one (Temporal's workflow task heartbeat), so one pass of the flow
 * spreads over several tasks. And a run records its patches once, at its start (workflows/shared/run-patches.ts).
 */

let testEnv: WorkflowTestEnv;
beforeAll(async () => {
  testEnv = await WorkflowTestEnv.start();
});
afterAll(() => testEnv?.teardown());

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const slowly = (ms: number, run: (...args: any[]) => unknown) => (...args: unknown[]) =>
  new Promise((resolve) => setTimeout(() => resolve(run(...args)), ms));

const PATCH_MARKER = 'core_patch';

test.each(['fetchShopOrder', 'createSalesOrder'] as const)('a slow local %s spreads the flow over more workflow tasks, and the history replays', async (slowStep) => {
  const fakes = new FakeActivities();
  // The workflow task times out after 2 s; the worker heartbeats it at 80 %, while the local step still runs.
  fakes.impl[slowStep] = slowly(2500, fakes.impl[slowStep]);
  await testEnv.withWorker(fakes, async (t) => {
    const workflowId = `order-${t.taskQueue}`;
    const handle = await t.client.workflow.start<typeof orderFulfilment>('orderFulfilment', {
      taskQueue: t.taskQueue, workflowId, workflowTaskTimeout: '2 seconds', args: [{ shopOrderId: '5001', policy: testPolicy() }],
    });
    await stateIs(handle, 'awaiting-shipment');
    await ship(handle);
    expect(await handle.result()).toEqual(FULFILLED);

    const { events } = await handle.fetchHistory();
    const firstTaskDone = events!.findIndex((e) => e.workflowTaskCompletedEventAttributes);
    const heartbeat = events!.findIndex((e, i) => i > firstTaskDone && e.workflowTaskCompletedEventAttributes);
    const localBefore = (end: number) => events!.slice(0, end).filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length;
    // The slow step's result came in a later task than the one that started it.
    expect(localBefore(heartbeat)).toBeLessThan(localBefore(events!.length));
    // One patch marker, the order flow's baseline, recorded with the first task's commands.
    const patches = events!.map((e, i) => ({ i, marker: e.markerRecordedEventAttributes })).filter((m) => m.marker?.markerName === PATCH_MARKER);
    expect(patches).toHaveLength(1);
    expect(patches[0]!.i).toBe(firstTaskDone + 1);
    await expect(testEnv.replay(workflowId, await handle.fetchHistory())).resolves.toBeUndefined();
  });
});
