/**
 * Preloaded into the workflow sandbox (observability/workflow-bundle.ts), before the SDK freezes its globals: the
 * number of frames a stack trace in workflow code keeps. The SDK records a stack trace for every promise a workflow
 * creates (for the stack-trace query), and the cost grows with the frames: at V8's default of 10 it was a large part
 * of the workflow thread (docs/benchmarks.md). Five frames keep where an error was thrown and, for a pending promise,
 * the SDK call it waits in and the two workflow functions above it.
 */
export const WORKFLOW_STACK_DEPTH = 5;

(Error as unknown as { stackTraceLimit: number }).stackTraceLimit = WORKFLOW_STACK_DEPTH;
