import { TypedSearchAttributes } from '@temporalio/common';
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { DispatchPlan, SignalPlan, UpdatePlan } from './routes';

/**
 * One call to Temporal per plan, and what happened in words (stored as the inbox row's outcome). The workflow id
 * makes each call idempotent; updates also carry an id derived from the inbox event.
 */

export interface HandOverTimeouts {
  /** Signal-with-start and the reachability probe: the client retries "unavailable" for long on its own. */
  callMs: number;
  /** Update-with-start waits for the update's handler, which may call a throttled vendor: give it time. */
  updateMs: number;
}

const FINISHED = 'flow already finished; nothing to do';

export async function handOver(client: Client, plan: DispatchPlan, timeouts: HandOverTimeouts): Promise<string> {
  try {
    return plan.kind === 'signal' ? await signalWithStart(client, plan, timeouts.callMs) : await updateWithStart(client, plan, timeouts.updateMs);
  } catch (err) {
    // The reuse policy refused a new run (a finished order): the event has nothing left to do.
    if (err instanceof WorkflowExecutionAlreadyStartedError) return FINISHED;
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

async function updateWithStart(client: Client, plan: UpdatePlan, timeoutMs: number): Promise<string> {
  const startWorkflowOperation = new WithStartWorkflowOperation(plan.workflowType, { ...startOptions(plan), workflowIdConflictPolicy: 'USE_EXISTING' });
  try {
    const result = await client.connection.withDeadline(Date.now() + timeoutMs, () => client.workflow.executeUpdateWithStart(plan.update, {
      args: plan.updateArgs, updateId: plan.updateId, startWorkflowOperation,
    }));
    return `update ${plan.update}: ${JSON.stringify(result)}`;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) return `update ${plan.update} refused: ${err.cause?.message ?? err.message}`;
    throw err;
  }
}
