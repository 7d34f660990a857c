import type { Pool } from 'pg';
import type { Logger } from '../config/logger';
import { pruneInbox } from '../engine/inbox';

/** Keeps the inbox from growing without bound: deletes finished rows past the retention, at start and then periodically. */
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
    } catch (err) {
      this.opts.logger.error({ err }, 'inbox pruning failed; will try again');
    } finally {
      this.running = undefined;
    }
  }
}
