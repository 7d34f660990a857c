import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';

/**
 * Asks the reconciliation schedule for a run now, so that a paid payout is reconciled without waiting for the
 * schedule's interval. A run already going keeps going and one more is buffered after it (the running one may have
 * staged before the payout existed); further triggers meanwhile add nothing.
 */
export function createPayoutReconciliationActivities(deps: { client?: Client; schedule?: { scheduleId: string; payments: string } }) {
  return {
    /** False when this worker has no reconciliation schedule for `payments` (or it was deleted): nothing to trigger. */
    async triggerReconciliation(payments: string): Promise<boolean> {
      const { client, schedule } = deps;
      if (!client || !schedule || schedule.payments !== payments) return false;
      try {
        await client.schedule.getHandle(schedule.scheduleId).trigger(ScheduleOverlapPolicy.BUFFER_ONE);
        return true;
      } catch (err) {
        if (err instanceof ScheduleNotFoundError) return false;
        throw err;
      }
    },
  };
}

export type PayoutReconciliationActivities = ReturnType<typeof createPayoutReconciliationActivities>;
