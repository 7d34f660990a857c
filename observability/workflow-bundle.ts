import { bundleWorkflowCode } from '@temporalio/worker';
/**
 * The workflow interceptor modules bundled with the workflows: the engine's own (flow outcomes, log context), and
 * OpenTelemetry's (workflow spans, trace context into activities) only where tracing is on. Each span and context
 * switch of OpenTelemetry's costs promises in the sandbox, and the SDK records a stack trace for every promise a
 * workflow makes: with tracing off they were a fifth of the workflow thread's time (docs/benchmarks.md). Neither
 * module adds commands, so a history recorded with or without them replays the same.
 */
const ENGINE_MODULE = require.resolve('./workflow-interceptors');
const TRACING_MODULE = require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

export function workflowInterceptorModules(tracing: boolean): string[] {
  return tracing ? [TRACING_MODULE, ENGINE_MODULE] : [ENGINE_MODULE];
}

/** Both, for a bundle built once for workers whichever their tracing (the tests' prebuilt bundle, replays). */
export const WORKFLOW_INTERCEPTOR_MODULES: readonly string[] = workflowInterceptorModules(true);

/**
 * Modules the sandbox evaluates once, before any workflow and before the SDK freezes its globals (the bundler's
 * `preloadModules`): every bundle of the workflows has them, whoever builds it.
 */
export const WORKFLOW_PRELOAD_MODULES: readonly string[] = [require.resolve('./workflow-stack-depth')];

const silent = () => undefined;

/**
 * The engine's workflows bundled once for workers of either tracing setting (both interceptor modules, the preload
 * modules): for the tests' prebuilt bundle, the reliability stack's restarted workers and the ops CLI's replay check.
 */
export async function bundleEngineWorkflows(): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'), workflowInterceptorModules: [...WORKFLOW_INTERCEPTOR_MODULES],
    preloadModules: [...WORKFLOW_PRELOAD_MODULES],
    logger: { trace: silent, debug: silent, info: silent, warn: silent, error: (message) => process.stderr.write(`${message}\n`), log: silent },
  });
  return code;
}
