import { TypedSearchAttributes } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { Logger } from '../config/logger';
import { inTransaction } from '../erp/db';
import { claimDue, markDispatched, markUnrouted, requeueUnrouted, scheduleRetry } from '../erp/inbox';
import { planDispatch, type RouteContext } from './routes';

/**
 * Hands inbox rows to Temporal with signal-with-start. Rows stay pending while Temporal is unreachable and are
 * retried with backoff; several relays can run at once (rows are claimed with SKIP LOCKED).
 */

export interface DispatcherOptions {
  pool: Pool;
  client: Client;
  routes: RouteContext;
  logger: Logger;
  pollMs: number;
  batchSize?: number;
  maxBackoffMs?: number;
  /** How long one hand-over may take before Temporal counts as unreachable. */
  callTimeoutMs?: number;
}

/** gRPC codes that mean "Temporal is not there right now" rather than "this event is wrong". */
const UNAVAILABLE_CODES = new Set([4, 14]);

export function retryDelayMs(attempts: number, maxMs: number): number {
  return Math.min(maxMs, 500 * 2 ** Math.min(attempts, 16));
}

export class Dispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly opts: DispatcherOptions) {}

  async start(): Promise<void> {
    const requeued = await requeueUnrouted(this.opts.pool);
    if (requeued > 0) this.opts.logger.info({ requeued }, 'unrouted events queued again');
    this.schedule(0);
  }

  /** Called after new events are stored, so they go out without waiting for the next poll. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.drain().finally(() => {
        this.running = undefined;
        this.schedule(this.again ? 0 : this.opts.pollMs);
        this.again = false;
      });
    }, delayMs);
  }

  /** Dispatches due rows batch after batch until none is left or Temporal is unreachable. */
  private async drain(): Promise<void> {
    try {
      while (!this.stopped && (await this.dispatchBatch()) === 'more') {
        // keep going
      }
    } catch (err) {
      this.opts.logger.error({ err }, 'dispatch batch failed');
    }
  }

  private async dispatchBatch(): Promise<'more' | 'done'> {
    const { pool, client, routes, logger } = this.opts;
    const batchSize = this.opts.batchSize ?? 50;
    const maxBackoff = this.opts.maxBackoffMs ?? 15_000;
    return inTransaction(pool, async (tx) => {
      const rows = await claimDue(tx, batchSize);
      for (const [index, row] of rows.entries()) {
        const plan = planDispatch(row, routes);
        if (!plan) {
          await markUnrouted(tx, row.id);
          logger.warn({ provider: row.provider, topic: row.topic, eventId: row.eventId }, 'no flow handles this event yet; kept as unrouted');
          continue;
        }
        try {
          // The client retries "unavailable" on its own for a long time: a deadline keeps the inbox moving.
          await client.connection.withDeadline(Date.now() + (this.opts.callTimeoutMs ?? 5000), () =>
            client.workflow.signalWithStart(plan.workflowType, {
              workflowId: plan.workflowId,
              taskQueue: plan.taskQueue,
              args: plan.args,
              signal: plan.signal,
              signalArgs: plan.signalArgs,
              typedSearchAttributes: new TypedSearchAttributes(plan.searchAttributes),
              staticSummary: plan.summary,
            }));
          await markDispatched(tx, row.id, plan.workflowId);
        } catch (err) {
          const message = (err as Error).message;
          const code = (err as { code?: number }).code ?? (err as { cause?: { code?: number } }).cause?.code;
          if (code !== undefined && UNAVAILABLE_CODES.has(code) || /unavailable|connect|deadline/i.test(message)) {
            // Temporal is down: leave this and the rest of the batch pending, try again after a pause.
            for (const pending of rows.slice(index)) await scheduleRetry(tx, pending.id, retryDelayMs(pending.attempts, maxBackoff), message);
            logger.warn({ err: message, pending: rows.length - index }, 'Temporal unreachable; events stay in the inbox');
            return 'done';
          }
          await scheduleRetry(tx, row.id, retryDelayMs(row.attempts, maxBackoff), message);
          logger.error({ err: message, eventId: row.eventId }, 'dispatch failed; will retry');
        }
      }
      return rows.length === batchSize ? 'more' : 'done';
    });
  }
}
