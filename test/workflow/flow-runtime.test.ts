import { WorkflowUpdateStage, type WorkflowHandle } from '@temporalio/client';
import { decideUpdate, operatorDecisionSignal, progressQuery, type OperatorDecision } from '../../workflows/shared/operator-api';
import { FakeActivities } from './support/fake-activities';
import { gate, permanentFailure, updateRefusal } from './support/failures';
import { openIssueId } from './support/progress';
import type { ProbeInput, runtimeProbe } from './support/runtime-probe-workflow';
import { WorkflowTestEnv, type WorkflowTest } from './support/workflow-env';

/** The shared flow runtime's operator desk and compensations, driven through a small flow built on it alone. */

let testEnv: WorkflowTestEnv;
beforeAll(async () => {
  testEnv = await WorkflowTestEnv.start();
});
afterAll(() => testEnv?.teardown());

function startProbe({ client, taskQueue }: WorkflowTest, input: ProbeInput): Promise<WorkflowHandle<typeof runtimeProbe>> {
  return client.workflow.start<typeof runtimeProbe>('runtimeProbe', { taskQueue, workflowId: `probe-${taskQueue}`, args: [input] });
}

/** Step `failing` fails (without retries) until `fixed` is set. */
function failingStep(fakes: FakeActivities, failing: string): { fixed: boolean } {
  const state = { fixed: false };
  fakes.impl.work = (step: string) => {
    if (step === failing && !state.fixed) throw permanentFailure(`${step} broke`);
    return `${step} done`;
  };
  return state;
}

const decide = (handle: WorkflowHandle, decision: OperatorDecision, issueId?: number) =>
  handle.executeUpdate(decideUpdate, { args: [{ decision, issueId }] });
const workCalls = (fakes: FakeActivities, step: string) => fakes.callsOf('work').filter((c) => c.args[0] === step).length;

test('a step that keeps failing records an issue and waits; "retry" runs it again', async () => {
  const fakes = new FakeActivities();
  const step = failingStep(fakes, 'b');
  await testEnv.withWorker(fakes, async (t) => {
    const handle = await startProbe(t, { steps: ['a', 'b'] });
    expect(await openIssueId(handle)).toBe(100);
    const [issue] = fakes.callsOf('recordIssue');
    expect(issue!.args[0]).toMatchObject({ flow: 'probe', step: 'b', kind: 'step-failed', message: 'b broke', allowedDecisions: ['retry', 'skip', 'compensate'] });
    const progress = await handle.query(progressQuery);
    expect(progress).toMatchObject({ state: 'waiting-operator', currentStep: 'b', waitingFor: { issueId: 100, step: 'b' }, stepsDone: ['a'] });
    expect(workCalls(fakes, 'b')).toBe(1);

    step.fixed = true;
    await handle.signal(operatorDecisionSignal, { decision: { action: 'retry' }, operator: 'ops@example.com' });
    await fakes.called('recordIssue', 2); // the probe's closing question: b went through
    expect(workCalls(fakes, 'b')).toBe(2);
    expect(fakes.callsOf('closeIssue')[0]!.args).toEqual([100, { action: 'retry' }, 'ops@example.com']);
    await decide(handle, { action: 'retry' }, await openIssueId(handle));
    expect(await handle.result()).toEqual({ status: 'finished', outcomes: ['a done', 'b done'] });
  });
});

test('"skip" skips the step and drops its undo; "compensate" runs the other undos in reverse registration order', async () => {
  const fakes = new FakeActivities();
  failingStep(fakes, 'b');
  await testEnv.withWorker(fakes, async (t) => {
    const handle = await startProbe(t, { steps: ['a', 'b', 'c'] });
    expect(await decide(handle, { action: 'skip' }, await openIssueId(handle))).toEqual({ accepted: true, issueId: 100 });
    await decide(handle, { action: 'compensate' }, await openIssueId(handle));
    expect(await handle.result()).toEqual({ status: 'compensated', undone: ['c', 'a'] });
    expect(fakes.callsOf('undo').map((c) => c.args[0])).toEqual(['c', 'a']);
  });
});

test('"compensate" at a failing step undoes every registered step in reverse, the failed one first', async () => {
  const fakes = new FakeActivities();
  failingStep(fakes, 'c');
  await testEnv.withWorker(fakes, async (t) => {
    const handle = await startProbe(t, { steps: ['a', 'b', 'c'] });
    await openIssueId(handle);
    await handle.signal(operatorDecisionSignal, { decision: { action: 'compensate' } });
    // The undo of a step is registered before it runs, so the failed step's (idempotent) undo runs too.
    expect(await handle.result()).toEqual({ status: 'compensated', undone: ['c', 'b', 'a'] });
    expect(fakes.callsOf('undo').map((c) => c.args[0])).toEqual(['c', 'b', 'a']);
    expect(workCalls(fakes, 'c')).toBe(1);
  });
});

test('update "decide" is refused with a reason when nothing is pending or the action is not allowed; an invalid signal is ignored', async () => {
  const fakes = new FakeActivities();
  const working = gate();
  fakes.impl.work = async (step: string) => {
    await working.opened;
    return `${step} done`;
  };
  await testEnv.withWorker(fakes, async (t) => {
    const handle = await startProbe(t, { steps: ['a'] });
    await fakes.called('work');
    expect(await updateRefusal(decide(handle, { action: 'retry' }))).toBe('nothing is waiting for a decision');
    working.open();

    await openIssueId(handle); // the closing question allows retry and compensate only
    expect(await updateRefusal(decide(handle, { action: 'skip' }))).toBe('action "skip" is not allowed here; choose one of retry, compensate');
    expect(await updateRefusal(handle.executeUpdate(decideUpdate, { args: [{ decision: { action: 'retry' }, issueId: 99 }] })))
      .toBe('issue 99 is not the open one (100)');
    await handle.signal(operatorDecisionSignal, { decision: { action: 'skip' } });
    // Had the signal been taken, the question would be answered and this update refused.
    expect(await decide(handle, { action: 'compensate' })).toEqual({ accepted: true, issueId: 100 });
    expect(await handle.result()).toEqual({ status: 'compensated', undone: ['a'] });
    expect(fakes.callsOf('closeIssue').map((c) => c.args[1])).toEqual([{ action: 'compensate' }]);
  });
});

test('a decision accepted while its issue is being recorded is answered with the real issue id', async () => {
  const fakes = new FakeActivities();
  failingStep(fakes, 'a');
  const recording = gate();
  const record = fakes.impl.recordIssue;
  fakes.impl.recordIssue = async (...args: unknown[]) => {
    await recording.opened;
    return record(...args);
  };
  await testEnv.withWorker(fakes, async (t) => {
    const handle = await startProbe(t, { steps: ['a'] });
    await fakes.called('recordIssue');
    const answer = await handle.startUpdate(decideUpdate, { args: [{ decision: { action: 'compensate' } }], waitForStage: WorkflowUpdateStage.ACCEPTED });
    recording.open();
    expect(await answer.result()).toEqual({ accepted: true, issueId: 100 });
  });
});
