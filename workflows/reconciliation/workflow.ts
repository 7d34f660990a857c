import type { ReconciliationException, ReconciliationResult } from '../../erp/reconciliation/run';
import { FlowRuntime, runFlow } from '../shared/flow-runtime';
import {
  RECONCILIATION_STEPS as STEP, reconciliationBusinessKey, type ReconciliationInput, type ReconciliationOutcome,
} from './api';
import { erp, flows, provider } from './proxies';

/**
 * The scheduled payment reconciliation: one run per window (UTC, overlapping the previous), started by a Temporal
 * Schedule or by an operator. It stages the provider's payouts and balance transactions (resumable), reconciles
 * them against the ERP in one set-based pass, raises what differs as one issue per run, and heals what it safely
 * can: a payment the ERP never booked gets its payment flow.
 */
export async function paymentReconciliation(input: ReconciliationInput): Promise<ReconciliationOutcome> {
  const flow = new FlowRuntime('reconciliation', reconciliationBusinessKey(input.payments));
  return runFlow(flow, () => reconcile(flow, input), { aborted: (undone, reason) => ({ status: 'compensated', reason, undone }) });
}

async function reconcile(flow: FlowRuntime, input: ReconciliationInput): Promise<ReconciliationOutcome> {
  const { payments, policy } = input;
  flow.setState('planning');
  const planned = await flow.step(STEP.planWindow, () => erp.planWindow(payments, policy, input.window ?? null), { allowed: ['retry', 'compensate'] });
  if (!planned.done || !planned.value) {
    flow.setState('nothing-to-do');
    return { status: 'nothing-to-do' };
  }
  const window = planned.value;
  const started = await flow.step(STEP.startRun, () => erp.startReconciliationRun(payments, window), { allowed: ['retry', 'compensate'] });
  if (!started.done) return { status: 'nothing-to-do' };
  const runId = started.value;
  flow.setErpRecord(`reconciliation-run-${runId}`);

  flow.setState('staging', `${window.from} .. ${window.to}`);
  await flow.step(STEP.stage, () => provider.stageProviderRows(runId, payments, window, policy.pageSize), { allowed: ['retry', 'compensate'] });
  flow.setState('reconciling', `run ${runId}`);
  const reconciled = await flow.step(STEP.reconcile, () => erp.reconcile(runId, policy.matchWindowSeconds), { allowed: ['retry', 'compensate'] });
  if (!reconciled.done) return { status: 'nothing-to-do' };
  const result = reconciled.value;

  const healing = await flow.step(STEP.heal, () => flows.healMissingPayments(runId, payments), { allowed: ['retry', 'skip'] });
  const healed = healing.done ? healing.value : 0;
  if (healed > 0) await flow.step(STEP.heal, () => erp.recordHealed(runId, healed), { allowed: ['retry', 'skip'] });
  const issueId = result.exceptionCount > 0 ? await flow.notify(summaryIssue(result, healed)) : null;

  flow.setState('reconciled', `run ${runId}: match rate ${result.matchRate}, ${result.exceptionCount} exception(s), ${healed} healed`);
  return {
    status: 'reconciled', runId, window: result.window, providerRows: result.providerRows, matchRate: result.matchRate,
    exceptionCount: result.exceptionCount, counts: result.counts, payouts: result.payouts, healed, issueId,
  };
}

/** One issue per run: the counts by class and a sample of exceptions with both sides; the rest are in the run's table. */
function summaryIssue(result: ReconciliationResult, healed: number) {
  const classes = Object.entries(result.counts).filter(([, n]) => n > 0).map(([c, n]) => `${c} ${n}`).join(', ');
  return {
    step: STEP.report, kind: 'reconciliation' as const,
    message: `reconciliation run ${result.runId} (${result.window.from} .. ${result.window.to}): ${result.exceptionCount} exception(s) (${classes}); ` +
      `match rate ${result.matchRate}; ${healed} healed. All in integration.reconciliation_exception WHERE run_id = ${result.runId}`,
    details: {
      runId: result.runId, counts: result.counts, matchRate: result.matchRate, payouts: result.payouts, healed,
      exceptions: result.exceptions.map(brief),
    },
  };
}

const brief = (e: ReconciliationException) => ({ class: e.class, subject: e.subject, provider: e.provider, erp: e.erp });
