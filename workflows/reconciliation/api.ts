import type { ReconciliationWindow } from '../../erp/reconciliation/window';

/** The scheduled payment reconciliation's ids, steps, input and result, defined once for the workflow, the worker and our tools. */

export const RECONCILIATION_WORKFLOW = 'paymentReconciliation';

/** One schedule per payments connection (settings may name another, e.g. per test engine). */
export const reconciliationScheduleId = (payments: string) => `reconciliation-${payments}`;
export const reconciliationBusinessKey = (payments: string) => `${payments}:reconciliation`;

export const RECONCILIATION_STEPS = {
  planWindow: 'plan-window',
  startRun: 'start-run',
  stage: 'stage-provider-rows',
  reconcile: 'reconcile',
  report: 'report-exceptions',
  heal: 'heal',
} as const;

export interface ReconciliationPolicy {
  /** Each window starts this long before the previous one ended. */
  overlapSeconds: number;
  /** Windows end this long before now, so rows still in flight wait for the next run. */
  settleSeconds: number;
  /** A longer gap (first run, after an outage) is caught up in windows of at most this. */
  maxSpanSeconds: number;
  /** Provider rows are read from this much before the window (the provider books before the ERP hears). */
  matchSlackSeconds: number;
  /** How far apart provider and ERP times may be for a match by amount. */
  matchWindowSeconds: number;
  pageSize: number;
}

export const DEFAULT_RECONCILIATION_POLICY: ReconciliationPolicy = {
  overlapSeconds: 2 * 3600, settleSeconds: 15 * 60, maxSpanSeconds: 7 * 86_400, matchSlackSeconds: 3600, matchWindowSeconds: 2 * 3600, pageSize: 100,
};

export interface ReconciliationInput {
  /** The payments connection to reconcile. */
  payments: string;
  policy: ReconciliationPolicy;
  /** A window given outright (an operator's backfill); otherwise the next one after the last completed run. */
  window?: { from: string; to: string };
}

export type { ReconciliationWindow };

export type ReconciliationOutcome =
  | {
    status: 'reconciled'; runId: number; window: { from: string; to: string }; providerRows: number; matchRate: number; exceptionCount: number;
    counts: Record<string, number>; payouts: { checked: number; reconciled: number; failed: number }; healed: number; issueId: number | null;
  }
  | { status: 'nothing-to-do' }
  | { status: 'compensated'; reason: string; undone: string[] };
