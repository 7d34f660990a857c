import { FlowRuntime, runFlow, type StepResult } from '../shared/flow-runtime';
import {
  ORDER_CATCHUP_STEPS as STEP, orderCatchupBusinessKey, type CatchupCounts, type CatchupPage, type OrderCatchupInput, type OrderCatchupOutcome,
} from './api';
import { erp, shop } from './proxies';

/**
 * The scheduled catch-up of order changes no webhook announced, one run per shop connection: lists the shop's
 * orders changed since the cursor (less an overlap); hands each one the ERP does not know to its order flow (the
 * same workflow id and signal-with-start as the webhook, so both together still make one flow); for each one it
 * knows whose listed version no webhook announced, puts that change in the inbox for its flow; then moves the cursor
 * to when the listing began. A run that fails leaves the cursor where it was: the next one looks again.
 */
export async function orderCatchup(input: OrderCatchupInput): Promise<OrderCatchupOutcome> {
  const flow = new FlowRuntime('order-catchup', orderCatchupBusinessKey(input.shop));
  return runFlow(flow, () => catchUp(flow, input), { aborted: (undone, reason) => ({ status: 'compensated', reason, undone }) });
}

async function catchUp(flow: FlowRuntime, input: OrderCatchupInput): Promise<OrderCatchupOutcome> {
  flow.setState('planning');
  const planned = await flow.step(STEP.planWindow, () => erp.planCatchupWindow(input.shop, input.policy), { allowed: ['retry', 'compensate'] });
  if (!planned.done) throw new Error('unreachable: a compensated step ends the flow');
  const window = planned.value;

  flow.setState('listing', `${window.since} ..`);
  let cursor: string | null = null;
  const totals: CatchupCounts = { listed: 0, handedOver: [], reannounced: [], known: 0, skipped: 0 };
  let page = 0;
  do {
    page++;
    const at: string | null = cursor;
    const done: StepResult<CatchupPage> = await flow.step(STEP.handOver, () => shop.handOverUnknownOrders(input.shop, window, at, input.orderPolicy), { allowed: ['retry', 'compensate'] });
    if (!done.done) throw new Error('unreachable: a compensated step ends the flow');
    totals.listed += done.value.listed;
    totals.handedOver.push(...done.value.handedOver);
    // Pages of a run started before the catch-up looked at known orders carry no `reannounced`.
    totals.reannounced.push(...(done.value.reannounced ?? []));
    totals.known += done.value.known;
    totals.skipped += done.value.skipped;
    cursor = done.value.nextCursor;
    flow.setState('listing', `page ${page}: ${totals.listed} listed, ${totals.handedOver.length} handed over`);
  } while (cursor !== null);

  await flow.step(STEP.saveCursor, () => erp.saveCatchupCursor(input.shop, window.until), { allowed: ['retry', 'compensate'] });
  flow.setState('caught-up', `${window.since} .. ${window.until}: ${totals.listed} listed, ${totals.handedOver.length} handed over, `
    + `${totals.reannounced.length} unannounced changes put in the inbox, ${totals.known} known`);
  return { status: 'caught-up', window, ...totals };
}
