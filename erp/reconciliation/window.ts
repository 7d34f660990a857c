/**
 * Which stretch of time a reconciliation run covers: pure, UTC instants in and out. Each run starts `overlapMs`
 * before the previous one ended, so a row the provider created late, or re-timed, into an already covered stretch
 * is still seen; it ends `settleMs` before now, so rows still in flight are left for the next run. Provider rows are
 * read from `matchSlackMs` earlier still, because the provider books a capture before the ERP hears of it.
 */

export interface WindowPolicy {
  overlapMs: number;
  settleMs: number;
  /** A longer gap (the first run, or after an outage) is caught up in windows of at most this length. */
  maxSpanMs: number;
  matchSlackMs: number;
}

export interface ReconciliationWindow {
  /** ERP records with a time in [from, to) must have their provider counterpart. */
  from: string;
  to: string;
  /** Provider rows are staged from here (inclusive) to `to` (exclusive). */
  providerFrom: string;
}

export const DEFAULT_WINDOW_POLICY: WindowPolicy = {
  overlapMs: 2 * 3_600_000, settleMs: 15 * 60_000, maxSpanMs: 7 * 86_400_000, matchSlackMs: 3_600_000,
};

const ms = (iso: string, what: string) => {
  const value = Date.parse(iso);
  if (Number.isNaN(value) || !/(Z|[+-]\d\d:\d\d)$/.test(iso)) throw new Error(`${what} must be an ISO instant with a zone, got "${iso}"`);
  return value;
};
const iso = (value: number) => new Date(value).toISOString();

/** The next window after `previousTo` (the end of the last completed run), or null while there is nothing new to cover. */
export function nextWindow(previousTo: string | null, now: string, policy: WindowPolicy = DEFAULT_WINDOW_POLICY): ReconciliationWindow | null {
  const latestEnd = ms(now, 'now') - policy.settleMs;
  const from = previousTo === null ? latestEnd - policy.maxSpanMs : ms(previousTo, 'previousTo') - policy.overlapMs;
  const to = Math.min(latestEnd, from + policy.maxSpanMs);
  // Only overlap left to cover: the last run already saw everything that has settled.
  if (previousTo !== null && to <= ms(previousTo, 'previousTo')) return null;
  if (to <= from) return null;
  return { from: iso(from), to: iso(to), providerFrom: iso(from - policy.matchSlackMs) };
}

/** A window given outright (an operator re-running a month), with the same provider slack. */
export function fixedWindow(from: string, to: string, policy: Pick<WindowPolicy, 'matchSlackMs'> = DEFAULT_WINDOW_POLICY): ReconciliationWindow {
  const [start, end] = [ms(from, 'from'), ms(to, 'to')];
  if (end <= start) throw new Error(`the window must end after it starts: ${from} .. ${to}`);
  return { from: iso(start), to: iso(end), providerFrom: iso(start - policy.matchSlackMs) };
}
