import { ScheduleAlreadyRunning, type Client, type ScheduleOptions } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { BusinessKey, Flow, FlowState, SourceSystem } from '../domain/search-attributes';

/** What every Temporal Schedule of the engine shares: idempotent set-up at worker start, and findable runs. */

/**
 * Creates the schedule, or brings an existing one to the wanted spec, action and policies. Whether it is paused
 * stays as an operator left it, so a restart never resumes what a person paused.
 */
export async function ensureSchedule(client: Client, wanted: ScheduleOptions): Promise<void> {
  try {
    await client.schedule.create(wanted);
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(wanted.scheduleId).update((current) => ({
      ...current, spec: wanted.spec, action: wanted.action, policies: { ...current.policies, ...wanted.policies },
    }));
  }
}

/** The search attributes a scheduled run starts with, so the Temporal UI finds it like every flow. */
export function scheduledRunAttributes(flow: string, businessKey: string, source: string): SearchAttributePair[] {
  return [
    { key: Flow, value: flow }, { key: BusinessKey, value: businessKey }, { key: SourceSystem, value: source }, { key: FlowState, value: 'running' },
  ];
}
