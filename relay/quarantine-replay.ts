import type { Pool } from 'pg';
import { connectorOf } from '../connectors/registry';
import { inTransaction } from '../db/transaction';
import { storeEvents } from '../engine/inbox';
import { registeredConnections } from '../engine/connections';
import { markReplayed, openDeliveries, updateReason } from '../engine/quarantine';
import { storable } from './storable';

/**
 * Runs quarantined deliveries through today's parsing, after a fix. Those that parse now go into the inbox (deduplicated
 * as any delivery) and leave quarantine in the same transaction; the others stay, with the reason of this attempt.
 * Their signatures were verified when they arrived.
 */

export type ReplayResult =
  | { id: number; replayed: true; events: number; duplicates: number; ignored: number }
  | { id: number; replayed: false; reason: string };

export async function replayQuarantine(pool: Pool, which: { id: number } | 'all'): Promise<ReplayResult[]> {
  const deliveries = await openDeliveries(pool, which);
  if (which !== 'all' && deliveries.length === 0) throw new Error(`quarantine id ${which.id}: no open quarantined payload has this id`);
  const vendors = new Map((await registeredConnections(pool)).map((c) => [c.id, c.vendor]));
  const results: ReplayResult[] = [];
  for (const delivery of deliveries) {
    // The source is the connection the delivery arrived for; its vendor's connector parses it as the relay would.
    const vendor = vendors.get(delivery.source);
    const parsed = vendor
      ? storable(connectorOf(vendor).webhooks.parse(delivery.source, delivery.rawBody, delivery.headers))
      : { ok: false as const, reason: `unknown connection ${delivery.source}` };
    if (!parsed.ok) {
      await updateReason(pool, delivery.id, parsed.reason);
      results.push({ id: delivery.id, replayed: false, reason: parsed.reason });
      continue;
    }
    const stored = await inTransaction(pool, async (tx) => {
      const n = await storeEvents(tx, parsed.events, delivery.rawBody, delivery.headers);
      await markReplayed(tx, delivery.id, `replayed: ${parsed.events.length} event(s), ${parsed.events.length - n} already in the inbox`);
      return n;
    });
    const ignored = parsed.events.filter((e) => e.ignored).length;
    results.push({ id: delivery.id, replayed: true, events: parsed.events.length, duplicates: parsed.events.length - stored, ignored });
  }
  return results;
}
