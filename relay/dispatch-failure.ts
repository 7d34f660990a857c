/**
 * How a failed hand-over to Temporal is judged (pure). An outage leaves rows waiting without counting against
 * them; a timeout is told apart by the dispatcher (an update waits for its handler, which may be slow while
 * Temporal is fine); anything else is a failure that counts.
 */

export type HandOverFailure = 'unreachable' | 'timeout' | 'error';

/** gRPC status codes. */
const DEADLINE_EXCEEDED = 4;
const UNAVAILABLE = 14;

/** The error and its causes, outermost first. */
interface ErrorLink { code?: unknown; name?: unknown; message?: unknown; cause?: unknown }

function chain(err: unknown): ErrorLink[] {
  const links: ErrorLink[] = [];
  for (let e = err as ErrorLink | undefined; e && typeof e === 'object' && links.length < 8; e = e.cause as ErrorLink | undefined) links.push(e);
  return links;
}

export function classifyHandOverError(err: unknown): HandOverFailure {
  const links = chain(err);
  const text = describeError(err);
  if (links.some((e) => e.code === UNAVAILABLE) || /unavailable|ECONNREFUSED|connect/i.test(text)) return 'unreachable';
  if (links.some((e) => e.code === DEADLINE_EXCEEDED || e.name === 'WorkflowUpdateRPCTimeoutOrCancelledError') || /deadline|timed? ?out/i.test(text)) {
    return 'timeout';
  }
  return 'error';
}

/** The message with its causes, e.g. "Update-With-Start failed: 3 INVALID_ARGUMENT: WorkflowId length exceeds limit." */
export function describeError(err: unknown): string {
  const messages = chain(err).map((e) => (typeof e.message === 'string' ? e.message : '')).filter(Boolean);
  return [...new Set(messages)].join(': ') || String(err);
}

/** Backoff for the n-th retry (n >= 1): 0.5 s, 1 s, 2 s, … up to `maxMs`. */
export function retryDelayMs(n: number, maxMs: number): number {
  return Math.min(maxMs, 500 * 2 ** Math.min(Math.max(n - 1, 0), 16));
}
