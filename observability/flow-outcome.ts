import type { FlowStatus } from './metrics';

/**
 * How a flow's run ended, for `engine_flow_outcomes_total`. Pure: it runs inside the workflow sandbox
 * (observability/workflow-interceptors.ts) and in unit tests.
 */

/** FlowState values a flow ends in after it undid its work and returned (workflows/shared/flow-runtime.ts `runFlow`). */
export const UNDONE_STATES: readonly string[] = ['compensated', 'cancelled', 'stopped'];

export type RunEnding =
  | { returned: true; finalState: string | undefined }
  | { returned: false; continuedAsNew: boolean; cancelled: boolean; failedWorkflow: boolean };

/** The status of a run that ended, or null when the run did not end (a workflow task failure is retried). */
export function flowStatusOf(ending: RunEnding): FlowStatus | null {
  if (ending.returned) return ending.finalState !== undefined && UNDONE_STATES.includes(ending.finalState) ? 'compensated' : 'completed';
  if (ending.continuedAsNew) return 'continued';
  if (ending.cancelled) return 'cancelled';
  return ending.failedWorkflow ? 'failed' : null;
}

/** The flow label of a run: its Flow search attribute, else its workflow type. */
export function flowLabel(flowAttribute: string | undefined, workflowType: string): string {
  return flowAttribute && flowAttribute.length > 0 ? flowAttribute : workflowType;
}
