import { ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { AUDIT_BUSINESS_KEY, AUDIT_FLOW, AUDIT_WORKFLOW, type AuditInput } from '../workflows/audit/api';
import { ensureSchedule, scheduledRunAttributes } from './schedules';

/**
 * The data synchronisation audit's Temporal Schedule, created or brought up to date at worker start-up: every worker
 * may do it, the result is the same. A run still going when the next is due makes the next one skip: each run
 * compares the whole look-back window anyway. Operators trigger it with `npm run ops -- audit trigger`.
 */

export interface AuditScheduleSettings {
  scheduleId: string;
  taskQueue: string;
  intervalSeconds: number;
  input: AuditInput;
}

function scheduleOf(s: AuditScheduleSettings): ScheduleOptions {
  return {
    scheduleId: s.scheduleId,
    spec: { intervals: [{ every: `${s.intervalSeconds}s` }] },
    action: {
      type: 'startWorkflow', workflowType: AUDIT_WORKFLOW, workflowId: `${s.scheduleId}-run`, taskQueue: s.taskQueue, args: [s.input],
      typedSearchAttributes: scheduledRunAttributes(AUDIT_FLOW, AUDIT_BUSINESS_KEY, 'erp'),
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: `${Math.max(60, s.intervalSeconds)}s` },
    memo: {
      what: `Data synchronisation audit of ${[s.input.scope.crm, ...s.input.scope.shops, s.input.scope.payments].join(', ')} against the ERP: ` +
        'accuracy per entity, discrepancies, healing',
    },
  };
}

export async function ensureAuditSchedule(client: Client, settings: AuditScheduleSettings): Promise<void> {
  await ensureSchedule(client, scheduleOf(settings));
}
