import type { Pool } from 'pg';
import type { Logger } from '../config/logger';
import { pruneInbox } from '../engine/inbox';
import { pruneWriteEchoes } from '../engine/write-echo';

/**
 * Keeps the inbox from growing without bound: deletes finished rows past the retention, and the awaited
 * announcements of our writes as old, at start and then periodically.
 */
export class InboxHousekeeping {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly opts: { pool: Pool; logger: Logger; retentionDays: number; everyMs: number }) {}

  start(): void {
    this.running = this.prune();
    this.timer = setInterval(() => {
      this.running ??= this.prune();
    }, this.opts.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async prune(): Promise<void> {
    try {
      const pruned = await pruneInbox(this.opts.pool, this.opts.retentionDays);
      if (pruned > 0) this.opts.logger.info({ pruned, retentionDays: this.opts.retentionDays }, 'old inbox rows pruned');
      // Kept as long as the rows they may name: a write retried within that time expects no second announcement.
      const echoes = await pruneWriteEchoes(this.opts.pool, this.opts.retentionDays);
      if (echoes > 0) this.opts.logger.info({ pruned: echoes, retentionDays: this.opts.retentionDays }, 'old write expectations pruned');
    } catch (err) {
      this.opts.logger.error({ err }, 'inbox pruning failed; will try again');
    } finally {
      this.running = undefined;
    }
  }
}
