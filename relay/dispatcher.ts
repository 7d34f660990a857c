import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { Logger } from '../config/logger';
import { claimDue, deferAfterOutage, markDispatched, markUndeliverable, recordFailure, releaseClaims, requeueUnrouted, type InboxRow } from '../engine/inbox';
import { classifyHandOverError, describeError, retryDelayMs } from './dispatch-failure';
import { handOver, temporalAnswers, type HandOverTimeouts } from './hand-over';
import { DispatchObserver } from '../observability/dispatch-observer';
import { openDispatchIssue } from './inbox-operations';
import { planBatch, type DispatchPlan, type RouteContext } from './routes';

/**
 * Hands inbox rows to Temporal. Each batch is claimed with a lease in one short statement (SKIP LOCKED, so several
 * relays can run at once), handed over with no transaction or row lock open, and each outcome is recorded in its
 * own statement. A relay that dies in between leaves its rows to be claimed again when the lease ends.
 * Rows wait without limit while Temporal is unreachable; any other failure counts, and the `maxFailures`-th makes
 * the row `failed` with an issue for an operator.
 */

export interface DispatchTuning {
  batchSize?: number;
  maxBackoffMs?: number;
  /** How long a signal-with-start (and the reachability probe) may take before it counts as a timeout. */
  callTimeoutMs?: number;
  /** How long an update-with-start may wait for its handler. */
  updateTimeoutMs?: number;
  /** Failed hand-overs (outages excluded) after which a row becomes `failed` (`INBOX_MAX_ATTEMPTS`). */
  maxFailures?: number;
}

export interface DispatcherOptions extends DispatchTuning {
  pool: Pool;
  client: Client;
  routes: RouteContext;
  logger: Logger;
  pollMs: number;
}

export class Dispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private readonly timeouts: HandOverTimeouts;
  /** The longest one hand-over can take, probe included; a claim's lease covers two. */
  private readonly worstHandOverMs: number;
  /** Dispatch lag and the hand-over's span (observability/dispatch-observer.ts). */
  private readonly observer: DispatchObserver;

  constructor(private readonly opts: DispatcherOptions) {
    this.observer = new DispatchObserver(opts.pool);
    this.timeouts = { callMs: opts.callTimeoutMs ?? 5000, updateMs: opts.updateTimeoutMs ?? 60_000 };
    this.worstHandOverMs = Math.max(this.timeouts.callMs, this.timeouts.updateMs) + this.timeouts.callMs + 1000;
  }

  get leaseMs(): number {
    return 2 * this.worstHandOverMs;
  }

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
    const { pool, routes, logger } = this.opts;
    const batchSize = this.opts.batchSize ?? 50;
    const leaseEnds = Date.now() + this.leaseMs;
    const rows = await claimDue(pool, batchSize, this.leaseMs);
    await this.observer.claimed(rows.map((r) => r.id));
    const { work, undeliverable } = planBatch(rows, routes);
    for (const { row, status, reason } of undeliverable) {
      await markUndeliverable(pool, row.id, status, reason);
      if (status === 'unrouted') logger.warn({ provider: row.provider, topic: row.topic, eventId: row.eventId }, 'no flow handles this event yet; kept as unrouted');
    }
    for (const [index, { plan, rows: grouped }] of work.entries()) {
      const rest = work.slice(index).flatMap((g) => g.rows);
      if (this.stopped || Date.now() + this.worstHandOverMs > leaseEnds) {
        // Never hand over a row whose lease may have ended: another relay may have it by then.
        await releaseClaims(pool, rest.map((r) => r.id));
        return 'more';
      }
      const { outage } = await this.deliver(plan, grouped);
      if (outage !== undefined) {
        // Temporal is down: this and the rest of the batch wait, with backoff, without counting as failures.
        for (const row of rest) await deferAfterOutage(pool, row.id, retryDelayMs(row.attempts, this.maxBackoffMs), `Temporal unreachable: ${outage}`);
        logger.warn({ err: outage }, 'Temporal unreachable; events stay in the inbox');
        return 'done';
      }
    }
    return rows.length === batchSize ? 'more' : 'done';
  }

  private get maxBackoffMs(): number {
    return this.opts.maxBackoffMs ?? 15_000;
  }

  /** Hands one plan over and records what became of its rows; an outage is left to the caller. */
  private async deliver(plan: DispatchPlan, rows: InboxRow[]): Promise<{ outage?: string }> {
    const { pool, client } = this.opts;
    try {
      const outcome = await this.observer.handingOver(plan.workflowId, rows.map((r) => r.id), () => handOver(client, plan, this.timeouts));
      for (const row of rows) {
        await markDispatched(pool, row.id, plan.workflowId, outcome);
        this.observer.dispatched(row.id, row.provider);
      }
      return {};
    } catch (err) {
      const judged = await this.judge(err, plan);
      if ('outage' in judged) return judged;
      await this.countFailure(plan, rows, judged.failure);
      return {};
    }
  }

  /**
   * An outage, or a failure that counts. A timed-out signal is an outage (the call is quick when Temporal is there);
   * a timed-out update is one only if Temporal does not answer a probe either: else the flow is busy with it.
   */
  private async judge(err: unknown, plan: DispatchPlan): Promise<{ outage: string } | { failure: string }> {
    const { client, logger } = this.opts;
    const kind = classifyHandOverError(err);
    const text = describeError(err);
    if (kind === 'error') {
      logger.error({ workflowId: plan.workflowId, err: text }, 'dispatch failed; will retry');
      return { failure: text };
    }
    if (kind === 'unreachable' || plan.kind === 'signal' || !(await temporalAnswers(client, this.timeouts.callMs))) return { outage: text };
    logger.warn({ workflowId: plan.workflowId, err: text }, 'update still running at its deadline; will retry with the same update id');
    return { failure: `update ${plan.update} still running after ${this.timeouts.updateMs} ms; retried with the same update id` };
  }

  private async countFailure(plan: DispatchPlan, rows: InboxRow[], failure: string): Promise<void> {
    const { pool, logger } = this.opts;
    for (const row of rows) {
      const { failed } = await recordFailure(pool, row.id, retryDelayMs(row.failures + 1, this.maxBackoffMs), failure, this.opts.maxFailures ?? 10);
      if (!failed) continue;
      logger.error({ inboxId: row.id, eventId: row.eventId, workflowId: plan.workflowId, err: failure }, 'event failed too often; an operator must replay it');
      await openDispatchIssue(pool, row, plan.workflowId, failure).catch((err: unknown) => logger.error({ err, inboxId: row.id }, 'could not record the issue'));
    }
  }
}
