import { Context } from '@temporalio/activity';

/** The workflow that scheduled the running activity: the owner recorded on what the activity creates. */
export function callingWorkflow(): { workflowId: string; runId: string } {
  const execution = Context.current().info.workflowExecution;
  if (!execution) throw new Error('this activity must run on behalf of a workflow');
  return execution;
}
