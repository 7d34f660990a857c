import { ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import {
  ORDER_CATCHUP_WORKFLOW, orderCatchupBusinessKey, orderCatchupScheduleId, type OrderCatchupInput, type OrderCatchupPolicy,
} from '../workflows/catchup/api';
import type { OrderPolicy } from '../workflows/order/api';
import { ensureSchedule, scheduledRunAttributes } from './schedules';

/**
 * One Temporal Schedule per shop connection for the catch-up of orders no webhook announced, created or brought up
 * to date at worker start-up: every worker may do it, the result is the same. A run still going when the next is
 * due makes the next one wait its turn (skip): the cursor makes a skipped run's work the next one's.
 */

export interface OrderCatchupScheduleSettings {
  taskQueue: string;
  shops: readonly string[];
  intervalSeconds: number;
  policy: OrderCatchupPolicy;
  orderPolicy: OrderPolicy;
  /** Schedule ids are `<prefix>-<shop>` (default `order-catchup`: orderCatchupScheduleId). */
  idPrefix?: string;
}

export const catchupScheduleIdOf = (s: Pick<OrderCatchupScheduleSettings, 'idPrefix'>, shop: string) =>
  (s.idPrefix ? `${s.idPrefix}-${shop}` : orderCatchupScheduleId(shop));

function scheduleOf(s: OrderCatchupScheduleSettings, shop: string): ScheduleOptions {
  const scheduleId = catchupScheduleIdOf(s, shop);
  const input: OrderCatchupInput = { shop, policy: s.policy, orderPolicy: s.orderPolicy };
  return {
    scheduleId,
    spec: { intervals: [{ every: `${s.intervalSeconds}s` }] },
    action: {
      type: 'startWorkflow', workflowType: ORDER_CATCHUP_WORKFLOW, workflowId: `${scheduleId}-run`, taskQueue: s.taskQueue, args: [input],
      typedSearchAttributes: scheduledRunAttributes('order-catchup', orderCatchupBusinessKey(shop), shop),
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: `${Math.max(60, s.intervalSeconds)}s` },
    memo: { what: `Catch-up of ${shop} orders no webhook announced: each one the ERP does not know goes to its order flow` },
  };
}

export async function ensureOrderCatchupSchedules(client: Client, settings: OrderCatchupScheduleSettings): Promise<void> {
  for (const shop of settings.shops) {
    await ensureSchedule(client, scheduleOf(settings, shop));
  }
}
