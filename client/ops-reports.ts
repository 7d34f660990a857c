import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from 'pg';
import type { AppConfig } from '../config/env';
import { dataDir } from '../config/paths';
import { issuesQuery, kpisQuery } from '../dashboard/api';
import { issueWorkflowId, temporalWorkflowUrl, type TemporalUi } from '../dashboard/links';
import { kpis, listIssueItems, type IssueListItem, type Kpis } from '../dashboard/queries';
import { formatDuration, formatPercent, parseDuration, timeWindow } from '../dashboard/series';
import { inboxCounts, listFailed } from '../engine/inbox';
import { listQuarantine } from '../engine/quarantine';
import { runInboxCommand, runQuarantineCommand, type InboxCommand, type QuarantineCommand } from './inbox-commands';
import { progressReporter, type Progress } from './progress';

/**
 * The ops CLI's reports and list commands, read with the dashboard's own queries (dashboard/queries.ts) so that the
 * CLI and the page never disagree:
 *   kpis [--hours N] [--json]
 *   issues [list] [--all | --status open|resolved|all] [--flow F] [--kind K] [--older-than 2h] [--limit N] [--json]
 *   inbox --json, quarantine --json      (the listings as JSON)
 *   inbox replay --failed, quarantine replay --all      (row by row, with progress on stderr)
 * A bad argument is an error naming it.
 */

type FlagSpec = Record<string, 'value' | 'switch'>;

/** `--name value` and `--name` switches; anything else is an error naming it. */
export function parseFlags(command: string, args: string[], spec: FlagSpec): Record<string, string | true> {
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const kind = spec[arg];
    if (!kind) throw new Error(`${command}: unknown ${arg.startsWith('--') ? 'option' : 'argument'} "${arg}"; expected ${Object.keys(spec).join(', ')}`);
    if (kind === 'switch') {
      flags[arg] = true;
      continue;
    }
    const value = args[i + 1];
    if (value === undefined || value.startsWith('--')) throw new Error(`${arg}: missing its value`);
    flags[arg] = value;
    i++;
  }
  return flags;
}

/** A zod problem from the dashboard's query schema, named as the CLI flag that carried it. */
function flagProblem(error: { issues: Array<{ path: PropertyKey[]; message: string }> }, names: Record<string, string>, given: Record<string, unknown>): Error {
  const issue = error.issues[0]!;
  const key = String(issue.path[0] ?? '');
  const flag = names[key] ?? key;
  return new Error(`${flag}: ${issue.message}, got "${String(given[key] ?? '')}"`);
}

// ------------------------------------------------------------------------------------------------ kpis

export interface KpisArgs { hours: number; json: boolean }

export function parseKpisArgs(args: string[]): KpisArgs {
  const flags = parseFlags('kpis', args, { '--hours': 'value', '--json': 'switch' });
  const given = { hours: flags['--hours'] as string | undefined };
  const parsed = kpisQuery.safeParse(Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)));
  if (!parsed.success) throw flagProblem(parsed.error, { hours: '--hours' }, given);
  return { hours: parsed.data.hours, json: flags['--json'] === true };
}

export function formatKpis(k: Kpis): string {
  const a = k.accuracy;
  const accuracy = !a.available || !a.latest
    ? 'no audit yet (npm run ops -- audit trigger)'
    : `${formatPercent(a.latest.overall?.accuracy)} overall at ${a.latest.measuredAt}` +
      (a.latest.entities.length ? ` (${a.latest.entities.map((e) => `${e.entity} ${formatPercent(e.accuracy)}`).join(', ')})` : '');
  const durations = (d: Kpis['orderProcessing'], what: string) =>
    (d.count === 0 ? `no ${what} in the window` : `p50 ${formatDuration(d.p50Ms)}, p95 ${formatDuration(d.p95Ms)} over ${d.count} ${what}`);
  const u = k.paymentReconciliation.unreconciled;
  const waiting = u.count === 0 ? 'none waiting' : `${u.count} captured not reconciled yet, the oldest captured at ${u.oldestCapturedAt}`;
  return [
    `KPIs from ${k.window.from} to ${k.window.to} (${k.window.hours} h)`,
    `  Data synchronisation accuracy   ${accuracy}`,
    `  Order processing time           ${durations(k.orderProcessing, 'orders')}`,
    `  Payment reconciliation time     ${durations(k.paymentReconciliation, 'payments')}; ${waiting}`,
  ].join('\n');
}

export async function kpisCommand(pool: Pool, args: string[], now = new Date()): Promise<string> {
  const parsed = parseKpisArgs(args);
  const result = await kpis(pool, timeWindow(now, parsed.hours));
  return parsed.json ? JSON.stringify(result, null, 2) : formatKpis(result);
}

// ---------------------------------------------------------------------------------------------- issues

export interface IssuesArgs {
  status: 'open' | 'resolved' | 'all';
  flow?: string;
  kind?: string;
  olderThanMs?: number;
  limit: number;
  json: boolean;
}

const ISSUE_FLAGS = { status: '--status', flow: '--flow', kind: '--kind', olderThan: '--older-than', limit: '--limit' };

export function parseIssuesArgs(args: string[]): IssuesArgs {
  const rest = args[0] === 'list' ? args.slice(1) : args;
  const flags = parseFlags('issues', rest, {
    '--all': 'switch', '--status': 'value', '--flow': 'value', '--kind': 'value', '--older-than': 'value', '--limit': 'value', '--json': 'switch',
  });
  if (flags['--all'] && flags['--status']) throw new Error('--all: lists every status; leave out --status, or use --status alone');
  const given: Record<string, string | undefined> = {
    status: flags['--all'] ? 'all' : (flags['--status'] as string | undefined), flow: flags['--flow'] as string | undefined,
    kind: flags['--kind'] as string | undefined, olderThan: flags['--older-than'] as string | undefined, limit: (flags['--limit'] as string | undefined) ?? '100',
  };
  const parsed = issuesQuery.safeParse(Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)));
  if (!parsed.success) throw flagProblem(parsed.error, ISSUE_FLAGS, given);
  const q = parsed.data;
  return {
    status: q.status, flow: q.flow, kind: q.kind, limit: q.limit, json: flags['--json'] === true,
    ...(q.olderThan ? { olderThanMs: parseDuration(q.olderThan) } : {}),
  };
}

/** What an operator does next about an issue. */
function nextStep(i: IssueListItem): string {
  if (i.status !== 'open') return `resolved ${i.resolvedAt}`;
  if (i.flow === 'relay') return `replay with: npm run ops -- inbox replay ${String(i.details.inboxId)}`;
  if (i.allowedDecisions.length > 0) return `decide with: npm run ops -- decide ${i.workflowId} <${i.allowedDecisions.join(' | ')}> --issue ${i.id}`;
  return `acknowledge with: npm run ops -- acknowledge ${i.id}`;
}

export function formatIssues(items: Array<IssueListItem & { temporalUrl: string | null }>, args: IssuesArgs): string {
  if (items.length === 0) return args.status === 'open' ? 'No open issues.' : 'No issues match.';
  const lines = items.map((i) => {
    const reminded = i.reminders > 0 ? ` (reminded ${i.reminders}×)` : '';
    return `#${i.id} [${i.status}]${reminded} ${i.flow} ${i.businessKey} — ${i.kind} at ${i.step}, open ${formatDuration(i.ageMs)}\n    ${i.message}\n` +
      `    workflow ${i.workflowId}${i.temporalUrl ? ` (${i.temporalUrl})` : ''}; ${nextStep(i)}`;
  });
  if (items.length === args.limit) lines.push(`(the oldest ${args.limit} shown; --limit shows more)`);
  return lines.join('\n');
}

export async function issuesCommand(pool: Pool, args: string[], ui: TemporalUi): Promise<string> {
  const parsed = parseIssuesArgs(args);
  const items = (await listIssueItems(pool, parsed)).map((i) => {
    const workflowId = issueWorkflowId(i);
    return { ...i, temporalUrl: workflowId ? temporalWorkflowUrl(ui, workflowId) : null };
  });
  return parsed.json ? JSON.stringify({ issues: items }, null, 2) : formatIssues(items, parsed);
}

/** The Temporal UI for links: TEMPORAL_UI_URL, else the one the local stack's dev server serves. */
export function temporalUi(config: AppConfig): TemporalUi {
  let stackUi: string | null = null;
  try {
    stackUi = (JSON.parse(readFileSync(join(dataDir(config.DATA_DIR), 'stack.json'), 'utf8')) as { temporal?: { uiUrl?: string | null } }).temporal?.uiUrl ?? null;
  } catch {
    // no local stack: no links unless configured
  }
  return { baseUrl: config.TEMPORAL_UI_URL ?? stackUi, namespace: config.TEMPORAL_NAMESPACE };
}

// ---------------------------------------------------------------------------------- inbox & quarantine

type ProgressFactory = (label: string, total: number) => Progress;

/** Replays row by row (each its own transaction), so that a long replay shows how far it is and keeps what it did. */
async function replayEach(ids: number[], label: string, replayOne: (id: number) => Promise<string>, progress: ProgressFactory): Promise<string[]> {
  const bar = progress(label, ids.length);
  const lines: string[] = [];
  for (const id of ids) {
    // A row another operator replayed meanwhile is no longer there to replay: say so and go on.
    lines.push(await replayOne(id).catch((err: unknown) => `#${id} skipped: ${err instanceof Error ? err.message : String(err)}`));
    bar.tick();
  }
  bar.finish();
  return lines;
}

/** `inbox …`: the listing as JSON with --json, every failed row replayed with progress, else as inbox-commands runs it. */
export async function inboxCommand(
  pool: Pool, command: InboxCommand, defaults: { retentionDays: number; operator: string }, json: boolean, progress: ProgressFactory = progressReporter,
): Promise<string> {
  if (json && command.action !== 'counts') throw new Error('--json: only for the listing (npm run ops -- inbox --json)');
  if (json) return JSON.stringify({ counts: await inboxCounts(pool), failed: await listFailed(pool, 1000) }, null, 2);
  if (command.action === 'replay' && 'status' in command.which) {
    const { rows } = await pool.query(`SELECT id FROM integration.webhook_inbox WHERE status = 'failed' ORDER BY id`);
    if (rows.length === 0) return 'No failed inbox rows.';
    const lines = await replayEach(rows.map((r) => Number(r.id)), 'replaying failed inbox rows',
      (id) => runInboxCommand(pool, { action: 'replay', which: { id } }, defaults), progress);
    return lines.join('\n');
  }
  return runInboxCommand(pool, command, defaults);
}

/** `quarantine …`: the listing as JSON with --json, every open payload replayed with progress, else as inbox-commands runs it. */
export async function quarantineCommand(pool: Pool, command: QuarantineCommand, json: boolean, progress: ProgressFactory = progressReporter): Promise<string> {
  if (json && command.action !== 'list') throw new Error('--json: only for the listing (npm run ops -- quarantine --json)');
  if (json) return JSON.stringify({ quarantine: await listQuarantine(pool) }, null, 2);
  if (command.action === 'replay' && command.which === 'all') {
    const { rows } = await pool.query(`SELECT id FROM integration.quarantine WHERE status = 'open' ORDER BY id`);
    if (rows.length === 0) return 'Nothing in quarantine.';
    const lines = await replayEach(rows.map((r) => Number(r.id)), 'replaying quarantined payloads',
      (id) => runQuarantineCommand(pool, { action: 'replay', which: { id } }), progress);
    return lines.join('\n');
  }
  return runQuarantineCommand(pool, command);
}
