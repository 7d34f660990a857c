import {
  ContinueAsNew, defaultPayloadConverter, isCancellation, proxySinks, TemporalFailure, workflowInfo,
  type ActivityInput, type GetLogAttributesInput, type LocalActivityInput, type Next, type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor, type WorkflowInterceptors, type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { BusinessKey, Flow, FlowState } from '../domain/search-attributes';
import { flowLabel, flowStatusOf, type RunEnding } from './flow-outcome';
import { BUSINESS_KEY_HEADER, FLOW_HEADER, type EngineMetricsSinks } from './workflow-interceptors-api';

/**
 * Workflow interceptors (bundled with the workflows: observability/workflow-bundle.ts). They run in the sandbox and
 * stay deterministic: they add no commands, only
 * - the run's outcome, sent to the worker process through a sink (`engineMetrics`, not called during replay);
 * - `businessKey` and `flow` on every workflow log line (the SDK's logger adds workflowId and runId);
 * - the same two as headers of every activity, so the activity's log lines and failure counts carry them.
 */

const sinks = proxySinks<EngineMetricsSinks>();

function context(): { flow: string; businessKey: string | undefined } {
  const info = workflowInfo();
  return { flow: flowLabel(info.typedSearchAttributes.get(Flow), info.workflowType), businessKey: info.typedSearchAttributes.get(BusinessKey) };
}

class FlowOutcomeInterceptor implements WorkflowInboundCallsInterceptor {
  async execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    try {
      const result = await next(input);
      this.report({ returned: true, finalState: workflowInfo().typedSearchAttributes.get(FlowState) });
      return result;
    } catch (err) {
      // Only a TemporalFailure fails the workflow; any other error fails the workflow task, which is retried.
      this.report({ returned: false, continuedAsNew: err instanceof ContinueAsNew, cancelled: isCancellation(err), failedWorkflow: err instanceof TemporalFailure });
      throw err;
    }
  }

  private report(ending: RunEnding): void {
    const status = flowStatusOf(ending);
    if (status) sinks.engineMetrics.flowEnded(context().flow, status);
  }
}

class FlowContextInterceptor implements WorkflowOutboundCallsInterceptor {
  getLogAttributes(input: GetLogAttributesInput, next: Next<WorkflowOutboundCallsInterceptor, 'getLogAttributes'>): Record<string, unknown> {
    const { flow, businessKey } = context();
    return next({ ...input, flow, ...(businessKey ? { businessKey } : {}) });
  }

  scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>): Promise<unknown> {
    return next({ ...input, headers: { ...input.headers, ...contextHeaders() } });
  }

  scheduleLocalActivity(input: LocalActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>): Promise<unknown> {
    return next({ ...input, headers: { ...input.headers, ...contextHeaders() } });
  }
}

function contextHeaders() {
  const { flow, businessKey } = context();
  return {
    [FLOW_HEADER]: defaultPayloadConverter.toPayload(flow),
    ...(businessKey ? { [BUSINESS_KEY_HEADER]: defaultPayloadConverter.toPayload(businessKey) } : {}),
  };
}

export const interceptors = (): WorkflowInterceptors => ({
  inbound: [new FlowOutcomeInterceptor()],
  outbound: [new FlowContextInterceptor()],
});
