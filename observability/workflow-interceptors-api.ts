import type { FlowStatus } from './metrics';

/**
 * What the workflow interceptors (observability/workflow-interceptors.ts, in the sandbox) share with the worker
 * process: the activity headers they add and the sink they report flow outcomes through.
 */

export const BUSINESS_KEY_HEADER = 'engine-business-key';
export const FLOW_HEADER = 'engine-flow';

// A type alias (not an interface), so that it fits the SDK's `Sinks` record type.
export type EngineMetricsSinks = {
  engineMetrics: { flowEnded(flow: string, status: FlowStatus): void };
};
