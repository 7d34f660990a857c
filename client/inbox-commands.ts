import type { Pool } from 'pg';
import { inboxCounts, listFailed, pruneInbox } from '../engine/inbox';
import { listQuarantine } from '../engine/quarantine';
import { replayInbox } from '../relay/inbox-operations';
import { replayQuarantine } from '../relay/quarantine-replay';

/**
 * The ops CLI's inbox and quarantine commands:
 *   inbox                              counts by status, and the failed rows
 *   inbox replay <id> | --failed       back to pending: one row (failed, ignored or unrouted) or every failed one
 *   inbox prune [--days N]             deletes dispatched and ignored rows older than N days (default INBOX_RETENTION_DAYS)
 *   quarantine                         the open quarantined payloads
 *   quarantine replay <id> | --all     re-parses them; those that parse now go to the inbox
 */

export type InboxCommand = { action: 'counts' } | { action: 'replay'; which: { id: number } | { status: 'failed' } } | { action: 'prune'; days?: number };
export type QuarantineCommand = { action: 'list' } | { action: 'replay'; which: { id: number } | 'all' };

const id = (text: string | undefined, what: string): number => {
  if (!text || !/^\d+$/.test(text)) throw new Error(`${what}: expected a row id or ${what === 'inbox replay' ? '--failed' : '--all'}, got "${text ?? ''}"`);
  return Number(text);
};

export function parseInboxArgs(args: string[]): InboxCommand {
  const [sub, arg, value] = args;
  if (sub === undefined) return { action: 'counts' };
  if (sub === 'replay') return { action: 'replay', which: arg === '--failed' ? { status: 'failed' } : { id: id(arg, 'inbox replay') } };
  if (sub === 'prune') {
    if (arg === undefined) return { action: 'prune' };
    if (arg !== '--days' || !value || !/^\d+$/.test(value) || Number(value) < 1) throw new Error(`inbox prune: expected --days N (N >= 1), got "${args.slice(1).join(' ')}"`);
    return { action: 'prune', days: Number(value) };
  }
  throw new Error(`inbox: unknown subcommand "${sub}"; use replay <id>|--failed or prune [--days N]`);
}

export function parseQuarantineArgs(args: string[]): QuarantineCommand {
  const [sub, arg] = args;
  if (sub === undefined) return { action: 'list' };
  if (sub === 'replay') return { action: 'replay', which: arg === '--all' ? 'all' : { id: id(arg, 'quarantine replay') } };
  throw new Error(`quarantine: unknown subcommand "${sub}"; use replay <id>|--all`);
}

export async function runInboxCommand(pool: Pool, command: InboxCommand, defaults: { retentionDays: number; operator: string }): Promise<string> {
  switch (command.action) {
    case 'counts': {
      const failed = await listFailed(pool);
      const lines = failed.map((f) => `  #${f.id} ${f.provider} ${f.topic} ${f.eventId}: ${f.failures} failures; ${f.lastError ?? ''}`);
      return [JSON.stringify(await inboxCounts(pool), null, 2), ...(lines.length ? ['failed (replay with: inbox replay <id> | --failed):', ...lines] : [])].join('\n');
    }
    case 'replay': {
      const replayed = await replayInbox(pool, command.which, defaults.operator);
      if ('id' in command.which && replayed.length === 0) throw new Error(`inbox replay: row ${command.which.id} does not exist or is not failed, ignored or unrouted`);
      return replayed.length === 0 ? 'No failed inbox rows.' : replayed.map((r) => `#${r.id} (${r.previous}) is pending again`).join('\n');
    }
    case 'prune': {
      const days = command.days ?? defaults.retentionDays;
      return `${await pruneInbox(pool, days)} dispatched or ignored rows older than ${days} days deleted.`;
    }
  }
}

export async function runQuarantineCommand(pool: Pool, command: QuarantineCommand): Promise<string> {
  if (command.action === 'list') {
    const open = await listQuarantine(pool);
    if (open.length === 0) return 'Nothing in quarantine.';
    return open.map((q) => `#${q.id} ${q.source} ×${q.occurrences} (first ${q.receivedAt.toISOString()}, last ${q.lastSeenAt.toISOString()}, ${q.sizeBytes} bytes)\n    ${q.reason}`).join('\n');
  }
  const results = await replayQuarantine(pool, command.which);
  if (results.length === 0) return 'Nothing in quarantine.';
  return results.map((r) => (r.replayed
    ? `#${r.id} replayed: ${r.events} event(s) into the inbox, ${r.duplicates} already there, ${r.ignored} ignored`
    : `#${r.id} still unparseable: ${r.reason}`)).join('\n');
}
