import { setHandler } from '@temporalio/workflow';
import type { Payout } from '../../ports/payments';
import { FlowRuntime, runFlow } from '../shared/flow-runtime';
import { PAYOUT_STEPS as STEP, payoutBusinessKey, payoutEventSignal, type PayoutFlowInput, type PayoutFlowResult } from './api';
import { erp, provider, schedule } from './proxies';

/**
 * Payout -> provider -> ERP: one short flow per payout, woken by its events (paid, failed, reconciled). Each pass
 * reads the payout as the provider sees it now and records it in the ERP. A paid payout that no reconciliation has
 * proved yet asks the reconciliation schedule for a run at once, instead of waiting for its interval. The flow ends
 * when no event came during its last pass; a later event starts it again (every step is idempotent).
 */
export async function payoutSettlement(input: PayoutFlowInput): Promise<PayoutFlowResult> {
  const flow = new FlowRuntime('payout', payoutBusinessKey(input.payments, input.payoutId));
  let events = 0;
  setHandler(payoutEventSignal, () => void events++);
  let triggered = 0;
  let last: { payout: Payout; reconciled: boolean } | null = null;

  /** Reads and records the payout; false when the provider does not know it. */
  const pass = async (): Promise<boolean> => {
    const read = await flow.step(STEP.readPayout, () => provider.readPayout(input.payoutId, input.payments), { allowed: ['retry', 'skip'] });
    if (!read.done) return true;
    if (!read.value) return false;
    const payout = read.value;
    const recorded = await flow.step(STEP.recordPayout, () => erp.recordProviderPayout(input.payments, payout), { allowed: ['retry', 'skip'] });
    if (!recorded.done) return true;
    flow.setErpRecord(`payout ${payout.id}`);
    last = { payout, reconciled: recorded.value.reconciled };
    // Histories recorded before this notice existed carry no `failureNoticeDue`: they replay without it.
    if (recorded.value.failureNoticeDue) await flow.notify(payoutFailedNotice(input.payments, payout));
    if (payout.status === 'paid' && !recorded.value.reconciled) {
      const asked = await flow.step(STEP.triggerReconciliation, () => schedule.triggerReconciliation(input.payments), { allowed: ['retry', 'skip'] });
      if (asked.done && asked.value) triggered++;
    }
    flow.setState(payout.status, describe(payout, recorded.value.reconciled, triggered));
    return true;
  };

  return runFlow(flow, async (): Promise<PayoutFlowResult> => {
    for (;;) {
      const seen = events;
      if (!(await pass())) return { status: 'not-found' };
      if (events > seen) continue;
      const ended: { payout: Payout; reconciled: boolean } | null = last;
      return {
        status: 'recorded', payoutStatus: ended?.payout.status ?? 'unknown', reconciled: ended?.reconciled ?? false,
        reconciliationTriggered: triggered, events,
      };
    }
  }, { aborted: (undone, reason) => ({ status: 'compensated', reason, undone }) });
}

/** Finance must act: the money is back in the provider balance and the bank account details may be wrong. */
function payoutFailedNotice(payments: string, payout: Payout) {
  return {
    step: STEP.recordPayout, kind: 'payout-failed' as const,
    message: `payout ${payout.id} of ${payout.amountMinor} ${payout.currency} was returned by the bank (${payout.failureCode ?? 'no code given'}): ` +
      `its money is back in the ${payments} balance and goes out with the next payout; check the bank account at the provider`,
    details: { payoutId: payout.id, amountMinor: payout.amountMinor, currency: payout.currency, failureCode: payout.failureCode ?? null },
  };
}

function describe(payout: Payout, reconciled: boolean, triggered: number): string {
  const money = `${payout.amountMinor} ${payout.currency}`;
  if (payout.status === 'failed') return `${money} returned by the bank (${payout.failureCode ?? 'no code given'})`;
  if (reconciled) return `${money}, reconciled`;
  return payout.status === 'paid' ? `${money}, ${triggered > 0 ? 'reconciliation asked for' : 'awaiting the scheduled reconciliation'}` : money;
}
