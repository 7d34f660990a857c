import { defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type { FloorActivities } from './floor-activities';

/**
 * The floor of the orders benchmark: what Temporal itself costs an order on this server. Started like an order
 * flow (signal-with-start, one per order), it runs the same number of activities one after another as the order
 * flow runs up to "invoiced", each doing nothing, with the same timeouts; nothing of ours is left to measure.
 */

export const FLOOR_WORKFLOW = 'floorOrder';
export const floorStartedSignal = defineSignal<[{ eventId: string }]>('floorStarted');

export interface FloorInput { activities: number }
export interface FloorResult { doneAtMs: number }

const { noop } = proxyActivities<FloorActivities>({ startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumAttempts: 5 } });

export async function floorOrder(input: FloorInput): Promise<FloorResult> {
  setHandler(floorStartedSignal, () => undefined);
  for (let step = 0; step < input.activities; step++) await noop(step);
  // Workflow time: the start of the task that saw the last activity complete.
  return { doneAtMs: Date.now() };
}
