import { TypedSearchAttributes } from '@temporalio/common';
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError, WorkflowUpdateStage, type Client } from '@temporalio/client';
import type { DispatchPlan, SignalPlan, UpdatePlan } from './routes';

/**
 * One call to Temporal per plan, and what happened in words (stored as the inbox row's outcome). The workflow id
 * makes each call idempotent; updates also carry an id derived from the inbox event.
 */

export interface HandOverTimeouts {
  /** Signal-with-start and the reachability probe: the client retries "unavailable" for long on its own. */
  callMs: number;
  /** How long an update-with-start may wait for the flow to accept the update (a workflow task on a worker). */
  updateMs: number;
}

/**
 * What became of a hand-over: `outcome` once Temporal has the event durably. An update is handed over once its flow
 * has accepted it; its handler may then wait for the flow's lock and call vendors for minutes, so its result comes
 * later, in `result`, which never rejects and says what to record as the final outcome.
 */
export interface HandedOver { outcome: string; result?: Promise<string> }

const FINISHED = 'flow already finished; nothing to do';

/** How long, and until what, an accepted update's result is followed. */
export interface ResultFollowing { resultMs: number; signal: AbortSignal }

export async function handOver(client: Client, plan: DispatchPlan, timeouts: HandOverTimeouts, following: ResultFollowing): Promise<HandedOver> {
  try {
    return plan.kind === 'signal' ? { outcome: await signalWithStart(client, plan, timeouts.callMs) } : await updateWithStart(client, plan, timeouts.updateMs, following);
  } catch (err) {
    // The reuse policy refused a new run (a finished order): the event has nothing left to do.
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { outcome: FINISHED };
    throw err;
  }
}

/** Whether Temporal answers a cheap call now: tells "the update is still running" from "Temporal is down". */
export async function temporalAnswers(client: Client, timeoutMs: number): Promise<boolean> {
  try {
    await client.connection.withDeadline(Date.now() + timeoutMs, () => client.workflowService.getSystemInfo({}));
    return true;
  } catch {
    return false;
  }
}

const startOptions = (plan: DispatchPlan) => ({
  workflowId: plan.workflowId,
  taskQueue: plan.taskQueue,
  args: plan.args,
  workflowIdReusePolicy: plan.reusePolicy,
  typedSearchAttributes: new TypedSearchAttributes(plan.searchAttributes),
  staticSummary: plan.summary,
});

async function signalWithStart(client: Client, plan: SignalPlan, timeoutMs: number): Promise<string> {
  await client.connection.withDeadline(Date.now() + timeoutMs, () => client.workflow.signalWithStart(plan.workflowType, {
    ...startOptions(plan), signal: plan.signal, signalArgs: plan.signalArgs,
  }));
  return `signal ${plan.signal}`;
}

/**
 * Waits until the flow has accepted the update (it is in the flow's history then and runs to its end whatever happens
 * to the relay), not until its handler is done: a handler that waits behind the flow's lock must not hold the event
 * behind it. A refusal by the validator comes back at once; the handler's result arrives in `result`.
 */
async function updateWithStart(client: Client, plan: UpdatePlan, acceptMs: number, { resultMs, signal }: ResultFollowing): Promise<HandedOver> {
  const startWorkflowOperation = new WithStartWorkflowOperation(plan.workflowType, { ...startOptions(plan), workflowIdConflictPolicy: 'USE_EXISTING' });
  const handle = await client.connection.withDeadline(Date.now() + acceptMs, () => client.workflow.startUpdateWithStart(plan.update, {
    args: plan.updateArgs, updateId: plan.updateId, startWorkflowOperation, waitForStage: WorkflowUpdateStage.ACCEPTED,
  }));
  const result = client.connection.withAbortSignal(signal, () => client.connection.withDeadline(Date.now() + resultMs, () => handle.result())).then(
    (value: unknown) => `update ${plan.update}: ${JSON.stringify(value)}`,
    (err: unknown) => (err instanceof WorkflowUpdateFailedError
      ? `update ${plan.update} refused: ${err.cause?.message ?? err.message}`
      : `update ${plan.update} accepted; its result was not seen: ${err instanceof Error ? err.message : String(err)}`),
  );
  // An outcome Temporal sent with the acceptance (a refusal by the validator, a quick handler) settles before the
  // next turn of the event loop; only a handler still running is left to follow.
  const now = await Promise.race([result, new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined)))]);
  return now !== undefined ? { outcome: now } : { outcome: `update ${plan.update} accepted`, result };
}
