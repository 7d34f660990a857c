import type { Queryable } from '../db/transaction';
import { fillDurationTrend, type DurationPoint, type TimeWindow } from './series';
import { CATCHUP_TOPICS } from '../workflows/catchup/api';

/**
 * What the dashboard (and the ops CLI's `kpis`) shows, one function per panel, read straight from the ERP and the
 * engine tables. Every instant is UTC; every duration is in milliseconds; percentiles are PostgreSQL's
 * percentile_cont (linear interpolation), computed where the rows are.
 */

// ------------------------------------------------------------------------------------------------ KPIs

export const KPI_DEFINITIONS = {
  accuracy: 'Share of records that agree between the ERP and the systems it is kept in step with, as the latest '
    + 'data audit found them (matching ÷ compared, per entity and overall; 100 % when nothing was compared).',
  orderProcessing: 'From the shop\'s order webhook arriving to the ERP order being confirmed (reserved, paid and '
    + 'invoiced), per order; p50 and p95 of the orders confirmed in each bucket.',
  paymentReconciliation: 'From the payment provider capturing a payment to the ERP proving it against the '
    + 'provider\'s settlement (the reconciliation run that matches it), per payment; p50 and p95 of the payments '
    + 'reconciled in each bucket. Captured payments still waiting are counted apart.',
} as const;

export interface DurationKpi {
  definition: string;
  /** Over the whole window. */
  count: number;
  p50Ms: number | null;
  p95Ms: number | null;
  trend: DurationPoint[];
}

/** accuracy: the audit's own matching ÷ compared, a fraction (1 when nothing was compared). */
export interface AccuracyEntity { entity: string; compared: number; matching: number; accuracy: number }

export interface AccuracyKpi {
  definition: string;
  /** False until the audit's table exists (migration 0011) or while no audit has run. */
  available: boolean;
  latest: { runId: string; measuredAt: string; overall: AccuracyEntity | null; entities: AccuracyEntity[] } | null;
  trend: Array<{ at: string; accuracy: number; compared: number; matching: number }>;
}

export interface PaymentReconciliationKpi extends DurationKpi {
  /** Captured payments the ERP has not reconciled yet, and how long the oldest has waited. */
  unreconciled: { count: number; oldestCapturedAt: string | null };
}

export interface Kpis {
  window: { from: string; to: string; bucket: TimeWindow['bucket']; hours: number };
  accuracy: AccuracyKpi;
  orderProcessing: DurationKpi;
  paymentReconciliation: PaymentReconciliationKpi;
}

const ms = (v: unknown): number | null => (v === null || v === undefined ? null : Math.round(Number(v)));

/**
 * Summary and trend of per-record durations: `source` is a SELECT yielding `at` (the instant the duration ended)
 * and `value_ms`, with $1/$2 the window's bounds.
 */
async function durationKpi(db: Queryable, window: TimeWindow, source: string, definition: string): Promise<DurationKpi> {
  const { rows } = await db.query(
    `WITH d AS (${source})
     SELECT NULL::timestamptz AS bucket, count(*)::int AS n,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY value_ms) AS p50, percentile_cont(0.95) WITHIN GROUP (ORDER BY value_ms) AS p95
       FROM d
     UNION ALL
     SELECT date_trunc($3, at, 'UTC'), count(*)::int,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY value_ms), percentile_cont(0.95) WITHIN GROUP (ORDER BY value_ms)
       FROM d GROUP BY 1`,
    [window.from, window.to, window.bucket],
  );
  const total = rows.find((r) => r.bucket === null);
  const buckets = rows.filter((r) => r.bucket !== null).map((r) => ({ bucket: r.bucket as Date, count: r.n as number, p50Ms: ms(r.p50)!, p95Ms: ms(r.p95)! }));
  return { definition, count: total?.n ?? 0, p50Ms: ms(total?.p50), p95Ms: ms(total?.p95), trend: fillDurationTrend(window, buckets) };
}

export function orderProcessingKpi(db: Queryable, window: TimeWindow): Promise<DurationKpi> {
  return durationKpi(db, window,
    `SELECT recorded_at AS at, value_ms FROM integration.flow_metric
      WHERE metric = 'order_processing_ms' AND recorded_at >= $1 AND recorded_at < $2`,
    KPI_DEFINITIONS.orderProcessing);
}

export async function paymentReconciliationKpi(db: Queryable, window: TimeWindow): Promise<PaymentReconciliationKpi> {
  const kpi = await durationKpi(db, window,
    `SELECT reconciled_at AS at, greatest(capture_to_reconciled_ms, 0) AS value_ms FROM erp.payment_reconciliation_time
      WHERE reconciled_at >= $1 AND reconciled_at < $2`,
    KPI_DEFINITIONS.paymentReconciliation);
  const { rows } = await db.query(
    `SELECT count(*)::int AS n, min(p.provider_captured_at) AS oldest FROM erp.payment p
      WHERE p.status = 'captured' AND p.provider_captured_at IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM erp.payout_line l WHERE l.payment_id = p.id AND l.reconciled_at IS NOT NULL)`,
  );
  return { ...kpi, unreconciled: { count: rows[0].n as number, oldestCapturedAt: (rows[0].oldest as Date | null)?.toISOString() ?? null } };
}

/** The audit's accuracy; its table comes with migration 0011, so its absence is "no audit yet", not an error. */
export async function accuracyKpi(db: Queryable, window: TimeWindow): Promise<AccuracyKpi> {
  const empty: AccuracyKpi = { definition: KPI_DEFINITIONS.accuracy, available: false, latest: null, trend: [] };
  const exists = await db.query(`SELECT to_regclass('integration.audit_accuracy') IS NOT NULL AS present`);
  if (!exists.rows[0].present) return empty;
  const latest = await db.query(
    `SELECT run_id::text AS run_id, entity, compared, matching, accuracy::float8 AS accuracy, measured_at
       FROM integration.audit_accuracy
      WHERE run_id = (SELECT run_id FROM integration.audit_accuracy ORDER BY measured_at DESC, run_id DESC LIMIT 1)
      ORDER BY entity`,
  );
  if (latest.rows.length === 0) return empty;
  const entities: AccuracyEntity[] = latest.rows.map((r) => ({
    entity: r.entity as string, compared: Number(r.compared), matching: Number(r.matching), accuracy: Number(r.accuracy),
  }));
  const trend = await db.query(
    `SELECT measured_at, compared, matching, accuracy::float8 AS accuracy FROM integration.audit_accuracy
      WHERE entity = 'overall' AND measured_at >= $1 AND measured_at < $2 ORDER BY measured_at`,
    [window.from, window.to],
  );
  return {
    definition: KPI_DEFINITIONS.accuracy,
    available: true,
    latest: {
      runId: latest.rows[0].run_id as string,
      measuredAt: (latest.rows[0].measured_at as Date).toISOString(),
      overall: entities.find((e) => e.entity === 'overall') ?? null,
      entities: entities.filter((e) => e.entity !== 'overall'),
    },
    trend: trend.rows.map((r) => ({
      at: (r.measured_at as Date).toISOString(), compared: Number(r.compared), matching: Number(r.matching), accuracy: Number(r.accuracy),
    })),
  };
}

export async function kpis(db: Queryable, window: TimeWindow): Promise<Kpis> {
  const [accuracy, orderProcessing, paymentReconciliation] = await Promise.all([
    accuracyKpi(db, window), orderProcessingKpi(db, window), paymentReconciliationKpi(db, window),
  ]);
  return { window: { from: window.from.toISOString(), to: window.to.toISOString(), bucket: window.bucket, hours: window.hours }, accuracy, orderProcessing, paymentReconciliation };
}

// ---------------------------------------------------------------------------------------------- issues

export interface IssueFilter {
  status: 'open' | 'resolved' | 'all';
  flow?: string;
  kind?: string;
  /** Only issues opened at least this long ago. */
  olderThanMs?: number;
  limit: number;
}

export interface IssueListItem {
  id: number;
  workflowId: string;
  runId: string;
  flow: string;
  step: string;
  businessKey: string;
  kind: string;
  message: string;
  status: 'open' | 'resolved';
  allowedDecisions: string[];
  details: Record<string, unknown>;
  openedAt: string;
  resolvedAt: string | null;
  ageMs: number;
  reminders: number;
}

export const AGE_BUCKETS = ['under 1 h', '1 h – 1 d', '1 d – 7 d', 'over 7 d'] as const;

export interface IssuesPanel {
  total: number;
  /** Open issues per flow, by how long they have been open (AGE_BUCKETS order). */
  byFlow: Array<{ flow: string; total: number; ages: number[] }>;
  issues: IssueListItem[];
}

const toIssue = (r: Record<string, unknown>): IssueListItem => ({
  id: Number(r.id), workflowId: r.workflow_id as string, runId: r.run_id as string, flow: r.flow as string, step: r.step as string,
  businessKey: r.business_key as string, kind: r.kind as string, message: r.message as string, status: r.status as IssueListItem['status'],
  allowedDecisions: r.allowed_decisions as string[], details: r.details as Record<string, unknown>,
  openedAt: (r.opened_at as Date).toISOString(), resolvedAt: (r.resolved_at as Date | null)?.toISOString() ?? null,
  ageMs: Math.max(0, Math.round(Number(r.age_ms))), reminders: Number(r.reminders ?? 0),
});

/** Issues matching the filter, oldest first. */
export async function listIssueItems(db: Queryable, filter: IssueFilter): Promise<IssueListItem[]> {
  const { rows } = await db.query(
    `SELECT *, extract(epoch FROM now() - opened_at) * 1000 AS age_ms FROM integration.issue
      WHERE ($1::text = 'all' OR status = $1) AND ($2::text IS NULL OR flow = $2) AND ($3::text IS NULL OR kind = $3)
        AND ($4::double precision IS NULL OR opened_at <= now() - $4 * interval '1 millisecond')
      ORDER BY opened_at, id LIMIT $5`,
    [filter.status, filter.flow ?? null, filter.kind ?? null, filter.olderThanMs ?? null, filter.limit],
  );
  return rows.map(toIssue);
}

export async function issuesPanel(db: Queryable, filter: IssueFilter): Promise<IssuesPanel> {
  const { rows } = await db.query(
    `SELECT flow, count(*)::int AS total,
            count(*) FILTER (WHERE opened_at > now() - interval '1 hour')::int AS a0,
            count(*) FILTER (WHERE opened_at <= now() - interval '1 hour' AND opened_at > now() - interval '1 day')::int AS a1,
            count(*) FILTER (WHERE opened_at <= now() - interval '1 day' AND opened_at > now() - interval '7 days')::int AS a2,
            count(*) FILTER (WHERE opened_at <= now() - interval '7 days')::int AS a3
       FROM integration.issue WHERE status = 'open' GROUP BY flow ORDER BY total DESC, flow`,
  );
  const byFlow = rows.map((r) => ({ flow: r.flow as string, total: r.total as number, ages: [r.a0, r.a1, r.a2, r.a3] as number[] }));
  return { total: byFlow.reduce((n, f) => n + f.total, 0), byFlow, issues: await listIssueItems(db, filter) };
}

/** Flows that wait for a person: open issues with decisions to choose from (notices wait for nobody). */
export async function waitingPanel(db: Queryable, limit: number): Promise<{ total: number; waiting: IssueListItem[] }> {
  const { rows } = await db.query(
    `SELECT *, extract(epoch FROM now() - opened_at) * 1000 AS age_ms, count(*) OVER ()::int AS total FROM integration.issue
      WHERE status = 'open' AND cardinality(allowed_decisions) > 0 ORDER BY opened_at, id LIMIT $1`,
    [limit],
  );
  // The window count is taken before LIMIT: the total of all waiting flows, however few are listed.
  return { total: (rows[0]?.total as number | undefined) ?? 0, waiting: rows.map(toIssue) };
}

// ----------------------------------------------------------------------------------- inbox & quarantine

export interface InboxPanel {
  /** Rows not (yet) handed over, by status. */
  backlog: { pending: number; due: number; failed: number; unrouted: number };
  /** The oldest row still pending: how far the dispatcher is behind. */
  oldestPendingAt: string | null;
  /** Webhooks received within the window, changes of known orders the order catch-up found in it (no webhook brought
   * them), and of both those handed to a flow or ignored. */
  received: number;
  foundByCatchup: number;
  dispatched: number;
  ignored: number;
  quarantine: { open: number; occurrences: number; oldestAt: string | null; bySource: Array<{ source: string; open: number; occurrences: number }> };
}

export async function inboxPanel(db: Queryable, window: TimeWindow): Promise<InboxPanel> {
  const inbox = await db.query(
    `SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending,
            count(*) FILTER (WHERE status = 'pending' AND next_attempt_at <= now())::int AS due,
            count(*) FILTER (WHERE status = 'failed')::int AS failed,
            count(*) FILTER (WHERE status = 'unrouted')::int AS unrouted,
            min(received_at) FILTER (WHERE status = 'pending') AS oldest_pending,
            count(*) FILTER (WHERE received_at >= $1 AND received_at < $2 AND topic <> ALL($3))::int AS received,
            count(*) FILTER (WHERE received_at >= $1 AND received_at < $2 AND topic = ANY($3))::int AS found_by_catchup,
            count(*) FILTER (WHERE received_at >= $1 AND received_at < $2 AND status = 'dispatched')::int AS dispatched,
            count(*) FILTER (WHERE received_at >= $1 AND received_at < $2 AND status = 'ignored')::int AS ignored
       FROM integration.webhook_inbox
      WHERE status IN ('pending', 'failed', 'unrouted') OR received_at >= $1`,
    [window.from, window.to, CATCHUP_TOPICS],
  );
  const quarantined = await db.query(
    `SELECT source, count(*)::int AS open, sum(occurrences)::int AS occurrences, min(received_at) AS oldest
       FROM integration.quarantine WHERE status = 'open' GROUP BY source ORDER BY source`,
  );
  const i = inbox.rows[0];
  const bySource = quarantined.rows.map((r) => ({ source: r.source as string, open: r.open as number, occurrences: r.occurrences as number }));
  const oldest = quarantined.rows.map((r) => r.oldest as Date).sort((a, b) => a.getTime() - b.getTime())[0];
  return {
    backlog: { pending: i.pending, due: i.due, failed: i.failed, unrouted: i.unrouted },
    oldestPendingAt: (i.oldest_pending as Date | null)?.toISOString() ?? null,
    received: i.received, foundByCatchup: i.found_by_catchup, dispatched: i.dispatched, ignored: i.ignored,
    quarantine: {
      open: bySource.reduce((n, s) => n + s.open, 0), occurrences: bySource.reduce((n, s) => n + s.occurrences, 0),
      oldestAt: oldest?.toISOString() ?? null, bySource,
    },
  };
}

// --------------------------------------------------------------------------------------------- vendors

export interface VendorRates {
  /** The connection (webhooks) or vendor (calls) the figures are about; the default connection ids are the vendor names. */
  source: string;
  webhooksReceived: number;
  webhooksQuarantined: number;
  /** Quarantined ÷ (received + quarantined): deliveries we could not read. */
  webhookErrorRate: number | null;
  /** Failed hand-overs of received webhooks to a flow (not counting Temporal outages). */
  dispatchFailures: number;
  /** Vendor calls whose failure reached an operator, rate limits apart (types `<vendor>:<class>`). */
  callErrors: number;
  callThrottles: number;
  callErrorsPerHour: number;
  callThrottlesPerHour: number;
}

/**
 * Vendor health over the window, from what the engine records: webhook intake per connection, and vendor call
 * failures that outlasted their retries (or the rate-limit budget) and were raised as issues. Throttles the flows
 * waited out on their own leave no row, so they do not appear here.
 */
export async function vendorsPanel(db: Queryable, window: TimeWindow): Promise<{ hours: number; vendors: VendorRates[] }> {
  const [inbox, quarantine, calls] = await Promise.all([
    db.query(
      `SELECT provider AS source, count(*)::int AS received, coalesce(sum(failures), 0)::int AS failures FROM integration.webhook_inbox
        WHERE received_at >= $1 AND received_at < $2 AND topic <> ALL($3) GROUP BY provider`, [window.from, window.to, CATCHUP_TOPICS]),
    db.query(
      `SELECT source, count(*)::int AS deliveries FROM integration.quarantine WHERE last_seen_at >= $1 AND last_seen_at < $2 GROUP BY source`,
      [window.from, window.to]),
    db.query(
      `SELECT split_part(details->>'failureType', ':', 1) AS source,
              count(*) FILTER (WHERE details->>'failureType' LIKE '%:rate-limited')::int AS throttles,
              count(*) FILTER (WHERE details->>'failureType' NOT LIKE '%:rate-limited')::int AS errors
         FROM integration.issue
        WHERE opened_at >= $1 AND opened_at < $2 AND details->>'failureType' LIKE '%:%'
        GROUP BY 1`, [window.from, window.to]),
  ]);
  const hours = Math.max(1, (window.to.getTime() - window.from.getTime()) / 3_600_000);
  const sources = new Set<string>([...inbox.rows, ...quarantine.rows, ...calls.rows].map((r) => r.source as string));
  const find = (rows: Array<Record<string, unknown>>, source: string) => rows.find((r) => r.source === source);
  const vendors = [...sources].sort().map((source): VendorRates => {
    const i = find(inbox.rows, source);
    const q = find(quarantine.rows, source);
    const c = find(calls.rows, source);
    const received = Number(i?.received ?? 0);
    const quarantined = Number(q?.deliveries ?? 0);
    const callErrors = Number(c?.errors ?? 0);
    const callThrottles = Number(c?.throttles ?? 0);
    return {
      source, webhooksReceived: received, webhooksQuarantined: quarantined,
      webhookErrorRate: received + quarantined > 0 ? quarantined / (received + quarantined) : null,
      dispatchFailures: Number(i?.failures ?? 0), callErrors, callThrottles,
      callErrorsPerHour: callErrors / hours, callThrottlesPerHour: callThrottles / hours,
    };
  });
  return { hours: window.hours, vendors };
}
