import type { Client } from '@temporalio/client';
import { FLOOR_WORKFLOW, floorStartedSignal, type FloorResult } from './floor-workflow';
import { paced, runStats, type RunStats } from './load';

/** Starts `count` floor workflows the way the relay starts order flows (signal-with-start, one per order) and measures them. */
export async function runFloor(client: Client, taskQueue: string, runId: string, count: number, rate: number, activities: number, maxInFlight = 32): Promise<RunStats> {
  const starts = new Map<string, number>();
  const results: Array<Promise<{ startMs: number; result: FloorResult } | undefined>> = [];
  const startMs = Date.now();
  await paced(count, rate, maxInFlight, async (i) => {
    const workflowId = `floor-${runId}-${i}`;
    const at = Date.now();
    starts.set(workflowId, at);
    const handle = await client.workflow.signalWithStart(FLOOR_WORKFLOW, {
      workflowId, taskQueue, args: [{ activities }], signal: floorStartedSignal, signalArgs: [{ eventId: workflowId }],
    });
    results.push(handle.result().then((result: FloorResult) => ({ startMs: at, result }), () => undefined));
  });
  const done = (await Promise.all(results)).filter((r) => r !== undefined);
  return runStats(count, startMs, done.map((d) => d.result.doneAtMs), done.map((d) => d.result.doneAtMs - d.startMs));
}
