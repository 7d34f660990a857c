import type { Context as ActivityContext } from '@temporalio/activity';
import {
  makeWorkflowExporter, OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor, type OpenTelemetryWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry';
import type {
  ActivityExecuteInput, ActivityInboundCallsInterceptor, ActivityInterceptors, ActivityOutboundCallsInterceptor, GetLogAttributesInput, InjectedSinks, Next,
  WorkerInterceptors,
} from '@temporalio/worker';
import { captureLogFields, type ActivityLogFields } from './log-context';
import { workerMetrics } from './metrics';
import { isStepFailure } from './step-failures';
import type { Tracing } from './tracing';
import { workflowInterceptorModules } from './workflow-bundle';
import type { EngineMetricsSinks } from './workflow-interceptors-api';

/**
 * The worker's side of observability: activity interceptors that count failed steps and put the workflow id, run
 * id, business key and flow on every activity log line, OpenTelemetry's activity interceptors, and the sinks the
 * workflow interceptors report through (flow outcomes; workflow spans).
 */

class StepObserver implements ActivityInboundCallsInterceptor {
  constructor(private readonly ctx: ActivityContext, private readonly fields: { current?: ActivityLogFields }) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const fields = captureLogFields(this.ctx, input.headers);
    this.fields.current = fields;
    try {
      return await next(input);
    } catch (err) {
      if (isStepFailure(err)) workerMetrics().stepFailures.inc({ flow: fields.flow ?? 'none', step: fields.activityType });
      throw err;
    }
  }
}

class LogContext implements ActivityOutboundCallsInterceptor {
  constructor(private readonly fields: { current?: ActivityLogFields }) {}

  getLogAttributes(input: GetLogAttributesInput, next: Next<ActivityOutboundCallsInterceptor, 'getLogAttributes'>): Record<string, unknown> {
    const { current } = this.fields;
    if (!current) return next(input);
    const extra = Object.fromEntries(Object.entries({ runId: current.runId, businessKey: current.businessKey, flow: current.flow }).filter(([, v]) => v !== undefined));
    return next({ ...input, ...extra });
  }
}

function engineActivityInterceptors(ctx: ActivityContext): ActivityInterceptors {
  const fields: { current?: ActivityLogFields } = {};
  return { inbound: new StepObserver(ctx, fields), outbound: new LogContext(fields) };
}

function tracingActivityInterceptors(ctx: ActivityContext): ActivityInterceptors {
  return { inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) };
}

/** With tracing off, OpenTelemetry's interceptors are left out: their spans would only be dropped. */
export function workerInterceptors(tracing: Pick<Tracing, 'enabled'>): WorkerInterceptors {
  return {
    workflowModules: workflowInterceptorModules(tracing.enabled),
    // OpenTelemetry's first: the engine's interceptor then runs (and logs) inside the activity's span.
    activity: tracing.enabled ? [tracingActivityInterceptors, engineActivityInterceptors] : [engineActivityInterceptors],
  };
}

export type WorkerSinks = InjectedSinks<EngineMetricsSinks & { exporter: OpenTelemetryWorkflowExporter }>;

export function workerSinks(tracing: Tracing): WorkerSinks {
  return {
    engineMetrics: {
      flowEnded: { fn: (_info, flow, status) => { workerMetrics().flowOutcomes.inc({ flow, status }); } },
    },
    // Spans made in the sandbox leave it here; with tracing off they go to a processor that drops them.
    exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource),
  };
}
export { WORKFLOW_INTERCEPTOR_MODULES } from './workflow-bundle';
