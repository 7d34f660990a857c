import type { InboundEvent } from '../domain/webhooks/events';
import type { Queryable } from '../db/transaction';
import { inboxKey, insertNewEvents, type InboxEntry } from '../engine/inbox';

/**
 * Group commit for the webhook inbox. Each delivery must be committed before it is answered 2xx, and a commit per
 * delivery makes the database's log flush the limit. Here concurrent deliveries share one statement (one
 * transaction, one commit): a delivery arriving while a flush is under way waits for the next one, which starts as
 * soon as a flush slot frees up. When the relay is idle a delivery is flushed on the next turn of the event loop,
 * so it waits for nobody; under load the batches grow by themselves.
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

interface Waiting {
  entries: InboxEntry[];
  resolve(stored: number): void;
  reject(err: unknown): void;
}

/** SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation): the rows, not the database. */
const refusesTheData = (err: unknown) => /^2[23]/.test(String((err as { code?: unknown }).code ?? ''));

export class InboxBatcher {
  private readonly maxRows: number;
  private readonly maxConcurrentFlushes: number;
  private queue: Waiting[] = [];
  private inFlight = 0;
  private scheduled = false;
  private closed = false;
  private drained: Array<() => void> = [];
  private readonly counts = { flushes: 0, deliveries: 0, rows: 0 };

  constructor(private readonly db: Queryable, tuning: InboxBatchTuning = {}) {
    this.maxRows = tuning.maxRows ?? 500;
    this.maxConcurrentFlushes = tuning.maxConcurrentFlushes ?? 2;
    if (!(this.maxRows >= 1) || !(this.maxConcurrentFlushes >= 1)) throw new Error('inbox batch tuning: maxRows and maxConcurrentFlushes must be at least 1');
  }

  /** Deliveries waiting for a flush to start (not those of flushes under way). */
  get waiting(): number {
    return this.queue.length;
  }

  /** Flushes (statements) sent so far, and the deliveries and rows they carried: the batch sizes under load. */
  get stats(): { flushes: number; deliveries: number; rows: number } {
    return { ...this.counts };
  }

  /** Stores one delivery's events (durably, before it resolves) and says how many were new. */
  store(events: readonly InboundEvent[], rawBody: Buffer, headers: Record<string, unknown>): Promise<number> {
    if (this.closed) return Promise.reject(new Error('the inbox is closed'));
    if (events.length === 0) return Promise.resolve(0);
    const headersJson = JSON.stringify(headers);
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ entries: events.map((event) => ({ event, rawBody, headersJson })), resolve, reject });
      this.schedule();
    });
  }

  /** Refuses new deliveries and resolves once every accepted one has its answer. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.queue.length === 0 && this.inFlight === 0) return;
    await new Promise<void>((resolve) => this.drained.push(resolve));
  }

  // The deliveries of this turn of the event loop go together.
  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxConcurrentFlushes) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.startFlushes();
    });
  }

  private startFlushes(): void {
    while (this.inFlight < this.maxConcurrentFlushes && this.queue.length > 0) {
      const batch = this.takeBatch();
      this.inFlight++;
      void this.flush(batch).finally(() => {
        this.inFlight--;
        this.startFlushes();
        if (this.queue.length === 0 && this.inFlight === 0) this.drained.splice(0).forEach((resolve) => resolve());
      });
    }
  }

  private takeBatch(): Waiting[] {
    let rows = 0;
    let count = 0;
    while (count < this.queue.length && (count === 0 || rows + this.queue[count]!.entries.length <= this.maxRows)) {
      rows += this.queue[count]!.entries.length;
      count++;
    }
    return this.queue.splice(0, count);
  }

  private async flush(batch: Waiting[]): Promise<void> {
    try {
      const outcomes = await this.insert(batch);
      batch.forEach((w, i) => w.resolve(outcomes[i]!));
    } catch (err) {
      if (batch.length > 1 && refusesTheData(err)) {
        for (const w of batch) await this.flush([w]);
        return;
      }
      for (const w of batch) w.reject(err);
    }
  }

  /** One statement for the batch; returns, per delivery, how many of its events it was the one to store. */
  private async insert(batch: Waiting[]): Promise<number[]> {
    const owner = new Map<string, number>();
    const entries: InboxEntry[] = [];
    batch.forEach((w, i) => {
      for (const entry of w.entries) {
        const key = inboxKey(entry.event.provider, entry.event.eventId);
        if (owner.has(key)) continue;
        owner.set(key, i);
        entries.push(entry);
      }
    });
    this.counts.flushes++;
    this.counts.deliveries += batch.length;
    this.counts.rows += entries.length;
    const stored = await insertNewEvents(this.db, entries);
    const outcomes = batch.map(() => 0);
    for (const key of stored) outcomes[owner.get(key)!]!++;
    return outcomes;
  }
}
