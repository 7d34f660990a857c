import type { InboundEvent } from '../domain/webhooks/events';
import type { Queryable } from '../db/transaction';
import { GroupCommit } from '../db/group-commit';
import { inboxKey, insertNewEvents, type InboxEntry } from '../engine/inbox';

/**
 * The webhook inbox's group commit (db/group-commit.ts): each delivery is committed before it is answered 2xx, and
 * concurrent deliveries share one statement, one transaction and one commit.
 *
 * Each delivery learns its own outcome: how many of its events are new. The first delivery of a batch to name an
 * event id gets it; later ones in the same batch, like redeliveries of stored events, count it as a duplicate.
 * If a flush fails, no row of it was stored and every delivery of the batch is refused (the relay answers 503 and
 * the vendor redelivers). One exception: when the database refuses the data itself (an invalid value, a broken
 * constraint), the batch's deliveries are tried one at a time, so that one bad delivery never fails its neighbours.
 */

export interface InboxBatchTuning {
  /** Rows per statement at most (a delivery is never split, so one large delivery may exceed it). Default 500. */
  maxRows?: number;
  /** Flushes under way at once (each takes a pool connection). Default 2. */
  maxConcurrentFlushes?: number;
}

/** SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation): the rows, not the database. */
const refusesTheData = (err: unknown) => /^2[23]/.test(String((err as { code?: unknown }).code ?? ''));

export class InboxBatcher {
  private readonly commits: GroupCommit<InboxEntry[], number>;
  private rows = 0;

  constructor(private readonly db: Queryable, tuning: InboxBatchTuning = {}) {
    this.commits = new GroupCommit({
      write: (deliveries, retried) => this.insert(deliveries, retried),
      weight: (entries) => entries.length,
      alone: refusesTheData,
      what: 'the inbox',
      maxWeight: tuning.maxRows,
      maxConcurrentWrites: tuning.maxConcurrentFlushes,
    });
  }

  /** Deliveries waiting for a flush to start (not those of flushes under way). */
  get waiting(): number {
    return this.commits.waiting;
  }

  /**
   * Flushes (statements) sent so far, and the deliveries and rows given to them, each counted once (a delivery
   * retried on its own after its batch was refused counts a flush more, not a delivery more): the batch sizes under load.
   */
  get stats(): { flushes: number; deliveries: number; rows: number } {
    const { writes, items } = this.commits.stats;
    return { flushes: writes, deliveries: items, rows: this.rows };
  }

  /** Stores one delivery's events (durably, before it resolves) and says how many were new. */
  store(events: readonly InboundEvent[], rawBody: Buffer, headers: Record<string, unknown>): Promise<number> {
    if (events.length === 0 && !this.commits.closed) return Promise.resolve(0);
    const headersJson = JSON.stringify(headers);
    return this.commits.submit(events.map((event) => ({ event, rawBody, headersJson })));
  }

  /** Refuses new deliveries and resolves once every accepted one has its answer. */
  close(): Promise<void> {
    return this.commits.close();
  }

  /** One statement for the batch; returns, per delivery, how many of its events it was the one to store. */
  private async insert(deliveries: InboxEntry[][], retried: boolean): Promise<number[]> {
    const owner = new Map<string, number>();
    const entries: InboxEntry[] = [];
    deliveries.forEach((delivery, i) => {
      for (const entry of delivery) {
        const key = inboxKey(entry.event.provider, entry.event.eventId);
        if (owner.has(key)) continue;
        owner.set(key, i);
        entries.push(entry);
      }
    });
    if (!retried) this.rows += entries.length;
    const stored = await insertNewEvents(this.db, entries);
    const outcomes = deliveries.map(() => 0);
    for (const key of stored) outcomes[owner.get(key)!]!++;
    return outcomes;
  }
}
