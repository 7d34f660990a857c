/** Load generation and statistics shared by the benchmarks: a paced, bounded-concurrency loop and percentiles. */

/**
 * Calls `one(i)` for i = 0..count-1, starting one every 1000/rate ms (open loop) with at most `maxInFlight`
 * running at once; returns when all have finished. Failures are counted, not thrown.
 */
export async function paced(count: number, rate: number, maxInFlight: number, one: (i: number) => Promise<void>): Promise<{ failures: number; lastError?: unknown }> {
  const intervalMs = 1000 / rate;
  const begin = performance.now();
  let inFlight = 0;
  let failures = 0;
  let lastError: unknown;
  const running = new Set<Promise<void>>();
  for (let i = 0; i < count; i++) {
    const due = begin + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    while (inFlight >= maxInFlight) await Promise.race(running);
    inFlight++;
    const p: Promise<void> = one(i).catch((err: unknown) => {
      failures++;
      lastError = err;
    }).finally(() => {
      inFlight--;
      running.delete(p);
    });
    running.add(p);
  }
  await Promise.all(running);
  return { failures, lastError };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export interface RunStats {
  completed: number;
  offered: number;
  /** Completed per second, from the first start to the last completion. */
  throughput: number;
  p50Ms: number;
  p95Ms: number;
  wallMs: number;
}

/** Throughput and latency of one run from each item's start instant and its latency (both in ms). */
export function runStats(offered: number, startMs: number, finishes: readonly number[], latencies: readonly number[]): RunStats {
  const sorted = [...latencies].sort((a, b) => a - b);
  const wallMs = finishes.length ? Math.max(...finishes) - startMs : NaN;
  return {
    completed: finishes.length, offered, wallMs,
    throughput: finishes.length / (wallMs / 1000),
    p50Ms: percentile(sorted, 50), p95Ms: percentile(sorted, 95),
  };
}

/** Polls until `probe` returns true or the timeout passes; returns whether it did. */
export async function until(probe: () => Promise<boolean>, timeoutMs: number, everyMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return probe();
}

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
