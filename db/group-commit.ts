/**
 * Group commit: concurrent callers share one write (one statement, one transaction, one commit), and each learns
 * its own outcome once that write has committed. A write per caller makes the database's commit the limit; here a
 * caller arriving while a write is under way waits for the next one, which starts as soon as a write slot frees
 * up. When nothing is under way a caller is written on the next turn of the event loop, so it waits for nobody;
 * under load the groups grow by themselves.
 *
 * If a write fails, nothing of it was stored and every caller of the group gets the error; but when `alone` says
 * the error is about the data (one caller's bad value), the group's callers are written one at a time, so that one
 * bad caller never fails its neighbours.
 */

export interface GroupCommitTuning {
  /** Weight (e.g. rows) per write at most; a single item is never split, so one heavy item may exceed it. Default 500. */
  maxWeight?: number;
  /** Writes under way at once (each takes a database connection). Default 2. */
  maxConcurrentWrites?: number;
}

export interface GroupCommitOptions<T, R> extends GroupCommitTuning {
  /**
   * Writes the items in one transaction and returns one outcome per item, in order. `retried` is true when the items
   * were in a group the database refused and are now written on their own.
   */
  write(items: T[], retried: boolean): Promise<R[]>;
  /** An item's share of `maxWeight` (default 1); must not throw. */
  weight?(item: T): number;
  /** True when a failed write should be retried item by item (the database refused the data, not the write). */
  alone?(err: unknown): boolean;
  /** What is written, for the error once closed ("the inbox"). */
  what?: string;
}

interface Waiting<T, R> {
  item: T;
  resolve(outcome: R): void;
  reject(err: unknown): void;
}

export class GroupCommit<T, R> {
  private readonly maxWeight: number;
  private readonly maxConcurrentWrites: number;
  private queue: Array<Waiting<T, R>> = [];
  private inFlight = 0;
  private scheduled = false;
  private closing = false;
  private drained: Array<() => void> = [];
  private readonly counts = { writes: 0, items: 0 };

  constructor(private readonly options: GroupCommitOptions<T, R>) {
    this.maxWeight = options.maxWeight ?? 500;
    this.maxConcurrentWrites = options.maxConcurrentWrites ?? 2;
    if (!(this.maxWeight >= 1) || !(this.maxConcurrentWrites >= 1)) throw new Error('group commit tuning: maxWeight and maxConcurrentWrites must be at least 1');
  }

  /** True once `close` was called: no item is taken any more. */
  get closed(): boolean {
    return this.closing;
  }

  /** Items waiting for a write to start (not those of writes under way). */
  get waiting(): number {
    return this.queue.length;
  }

  /** Writes sent so far (retries one by one included) and the items submitted to them, each counted once. */
  get stats(): { writes: number; items: number } {
    return { ...this.counts };
  }

  /** Writes the item with whoever else is waiting; resolves with its outcome once the write has committed. */
  submit(item: T): Promise<R> {
    if (this.closing) return Promise.reject(new Error(`${this.options.what ?? 'the group commit'} is closed`));
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Refuses new items and resolves once every accepted one has its outcome. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.queue.length === 0 && this.inFlight === 0) return;
    await new Promise<void>((resolve) => this.drained.push(resolve));
  }

  // The items of this turn of the event loop go together.
  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxConcurrentWrites) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.startWrites();
    });
  }

  private startWrites(): void {
    while (this.inFlight < this.maxConcurrentWrites && this.queue.length > 0) {
      const group = this.takeGroup();
      this.inFlight++;
      void this.writeGroup(group).finally(() => {
        this.inFlight--;
        this.startWrites();
        if (this.queue.length === 0 && this.inFlight === 0) this.drained.splice(0).forEach((resolve) => resolve());
      });
    }
  }

  private takeGroup(): Array<Waiting<T, R>> {
    const weight = this.options.weight ?? (() => 1);
    let total = 0;
    let count = 0;
    while (count < this.queue.length && (count === 0 || total + weight(this.queue[count]!.item) <= this.maxWeight)) {
      total += weight(this.queue[count]!.item);
      count++;
    }
    return this.queue.splice(0, count);
  }

  // Never rejects: every caller of the group is settled, whatever the write or `alone` do.
  private async writeGroup(group: Array<Waiting<T, R>>, retried = false): Promise<void> {
    this.counts.writes++;
    if (!retried) this.counts.items += group.length;
    let outcomes: R[];
    try {
      outcomes = await this.options.write(group.map((w) => w.item), retried);
    } catch (err) {
      if (group.length > 1 && this.refusesTheData(err)) {
        for (const w of group) await this.writeGroup([w], true);
        return;
      }
      for (const w of group) w.reject(err);
      return;
    }
    if (!Array.isArray(outcomes) || outcomes.length !== group.length) {
      // Committed, but no caller can be told its own outcome: a bug in `write`, reported to each of them.
      const err = new Error(`group commit: the write returned ${Array.isArray(outcomes) ? outcomes.length : 'no'} outcomes for ${group.length} items`);
      for (const w of group) w.reject(err);
      return;
    }
    group.forEach((w, i) => w.resolve(outcomes[i]!));
  }

  private refusesTheData(err: unknown): boolean {
    try {
      return this.options.alone?.(err) ?? false;
    } catch {
      return false;
    }
  }
}
