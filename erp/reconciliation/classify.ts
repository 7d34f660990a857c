/**
 * How reconciliation names what it finds. The rules are data, in order of precedence: each has the test on one
 * provider row's facts (for code and unit tests) beside the same test in SQL (for the set-based run), so the two
 * can be read, and tested, side by side.
 */

export const EXCEPTION_CLASSES = [
  'missing_in_erp', 'missing_at_provider', 'amount_mismatch', 'currency_mismatch', 'fee_mismatch', 'duplicate', 'ambiguous',
] as const;
export type ExceptionClass = typeof EXCEPTION_CLASSES[number];

/** What the ERP books for each kind of provider money movement. Fees and other adjustments are the provider's own. */
export type Subject = 'payment' | 'refund' | 'dispute' | 'payout';

/** One provider row after matching. Column names in SQL are the snake_case of these. */
export interface RowFacts {
  /** ERP records it matched: 1 by provider id, 0..n by rule (amount, currency, time window). */
  candidates: number;
  /** More than one provider row claims the same ERP record in the same role (all but the first are duplicates). */
  claimRank: number;
  currencyEqual: boolean;
  amountEqual: boolean;
  /** True when the ERP has not booked a fee yet: reconciliation then takes the provider's. */
  feeEqual: boolean;
}

interface Rule { class: ExceptionClass; holds: (f: RowFacts) => boolean; sql: string }

export const ROW_RULES: readonly Rule[] = [
  { class: 'missing_in_erp', holds: (f) => f.candidates === 0, sql: 'candidates = 0' },
  { class: 'ambiguous', holds: (f) => f.candidates > 1, sql: 'candidates > 1' },
  { class: 'duplicate', holds: (f) => f.claimRank > 1, sql: 'claim_rank > 1' },
  { class: 'currency_mismatch', holds: (f) => !f.currencyEqual, sql: 'NOT currency_equal' },
  { class: 'amount_mismatch', holds: (f) => !f.amountEqual, sql: 'NOT amount_equal' },
  { class: 'fee_mismatch', holds: (f) => !f.feeEqual, sql: 'NOT fee_equal' },
];

/** The first rule that holds names the row's exception; none means the row reconciles. */
export function classifyRow(facts: RowFacts): ExceptionClass | null {
  return ROW_RULES.find((rule) => rule.holds(facts))?.class ?? null;
}

/** The same decision as a SQL expression over a row with the RowFacts columns. */
export function classificationSql(): string {
  return `CASE ${ROW_RULES.map((r) => `WHEN ${r.sql} THEN '${r.class}'`).join(' ')} END`;
}

/** A payout reconciles when it is paid, all its lines are in its currency and their nets add up to it exactly. */
export function classifyPayout(p: { amountMinor: number; linesNetMinor: number; currencyEqual: boolean }): ExceptionClass | null {
  if (!p.currencyEqual) return 'currency_mismatch';
  return p.amountMinor === p.linesNetMinor ? null : 'amount_mismatch';
}

/** Share of provider rows that reconciled, 1 when there were none; six decimals, as the run table keeps it. */
export function matchRate(matched: number, total: number): number {
  if (total === 0) return 1;
  return Math.round((matched / total) * 1_000_000) / 1_000_000;
}

/** Counts per class, every class present (zero when absent), so runs compare at a glance. */
export function countByClass(tallies: ReadonlyArray<{ class: ExceptionClass; n: number }>): Record<ExceptionClass, number> {
  const counts = Object.fromEntries(EXCEPTION_CLASSES.map((c) => [c, 0])) as Record<ExceptionClass, number>;
  for (const t of tallies) counts[t.class] += t.n;
  return counts;
}
