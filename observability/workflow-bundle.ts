/**
 * The workflow interceptor modules bundled with the workflows, the same for a worker that bundles at start-up
 * (workers/create-worker.ts) and for the bundle the tests build once (test/support/global-setup.ts): the engine's
 * own (flow outcomes, log context) and OpenTelemetry's (workflow spans, trace context into activities). Neither
 * adds commands, so a history recorded with or without them replays the same.
 */
export const WORKFLOW_INTERCEPTOR_MODULES: readonly string[] = [
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors'),
  require.resolve('./workflow-interceptors'),
];
