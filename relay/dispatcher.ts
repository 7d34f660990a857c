import { TypedSearchAttributes } from '@temporalio/common';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { Logger } from '../config/logger';
import { inTransaction } from '../erp/db';
import { claimDue, markDispatched, markUnrouted, requeueUnrouted, scheduleRetry, type InboxRow } from '../erp/inbox';
import { planDispatch, type DispatchPlan, type RouteContext } from './routes';

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
const UPDATE_TIMEOUT_MS = 60_000;

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
    const { pool, routes, logger } = this.opts;
    const batchSize = this.opts.batchSize ?? 50;
    const maxBackoff = this.opts.maxBackoffMs ?? 15_000;
    return inTransaction(pool, async (tx) => {
      const rows = await claimDue(tx, batchSize);
      const work: Array<{ plan: DispatchPlan; rows: InboxRow[] }> = [];
      for (const row of rows) {
        const plan = planDispatch(row, routes);
        if (!plan) {
          await markUnrouted(tx, row.id);
          logger.warn({ provider: row.provider, topic: row.topic, eventId: row.eventId }, 'no flow handles this event yet; kept as unrouted');
          continue;
        }
        // Consecutive signals of one kind to one flow (a contact's creation and its property changes arrive
        // together) make one hand-over: the flow re-reads the source anyway, so the latest event stands for all.
        const previous = work[work.length - 1];
        if (previous && previous.plan.workflowId === plan.workflowId && previous.plan.kind === 'signal' && plan.kind === 'signal' && previous.plan.signal === plan.signal) {
          previous.plan = plan;
          previous.rows.push(row);
        } else {
          work.push({ plan, rows: [row] });
        }
      }
      for (const [index, { plan, rows: grouped }] of work.entries()) {
        try {
          const outcome = await this.handOver(plan);
          for (const row of grouped) await markDispatched(tx, row.id, plan.workflowId, outcome);
        } catch (err) {
          const message = (err as Error).message;
          if (isUnavailable(err)) {
            // Temporal is down: leave this and the rest of the batch pending, try again after a pause.
            for (const row of work.slice(index).flatMap((g) => g.rows)) await scheduleRetry(tx, row.id, retryDelayMs(row.attempts, maxBackoff), message);
            logger.warn({ err: message }, 'Temporal unreachable; events stay in the inbox');
            return 'done';
          }
          for (const row of grouped) await scheduleRetry(tx, row.id, retryDelayMs(row.attempts, maxBackoff), message);
          logger.error({ err: message, workflowId: plan.workflowId }, 'dispatch failed; will retry');
        }
      }
      return rows.length === batchSize ? 'more' : 'done';
    });
  }

  /**
   * Delivers one plan and says what happened. The workflow id makes every path idempotent: a start that finds
   * the flow running signals it, and one that finds it finished (where the id may not be reused) is a no-op.
   */
  private async handOver(plan: DispatchPlan): Promise<string> {
    const { client } = this.opts;
    // The client retries "unavailable" on its own for a long time: a deadline keeps the inbox moving.
    const withDeadline = <T>(call: () => Promise<T>, ms = this.opts.callTimeoutMs ?? 5000) => client.connection.withDeadline(Date.now() + ms, call);
    const start = (signal: string, signalArgs: unknown[]) => withDeadline(() => client.workflow.signalWithStart(plan.workflowType, {
      workflowId: plan.workflowId,
      taskQueue: plan.taskQueue,
      args: plan.args,
      signal,
      signalArgs,
      workflowIdReusePolicy: plan.reusePolicy,
      typedSearchAttributes: new TypedSearchAttributes(plan.searchAttributes),
      staticSummary: plan.summary,
    }));
    try {
      if (plan.kind === 'signal') {
        await start(plan.signal, plan.signalArgs);
        return `signal ${plan.signal}`;
      }
      try {
        // An update runs its handler (which may call a throttled vendor) before it answers: give it time.
        const result = await withDeadline(() => client.workflow.getHandle(plan.workflowId).executeUpdate(plan.update, { args: plan.updateArgs as [unknown, ...unknown[]] }), UPDATE_TIMEOUT_MS);
        return `update ${plan.update}: ${JSON.stringify(result)}`;
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError) return `update ${plan.update} refused: ${err.cause?.message ?? err.message}`;
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        // No flow is running for it (a missed creation webhook, or a finished order): start one or note it.
        await start(plan.startSignal, plan.startSignalArgs);
        return `started by ${plan.update}`;
      }
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return 'flow already finished; nothing to do';
      throw err;
    }
  }
}

function isUnavailable(err: unknown): boolean {
  const code = (err as { code?: number }).code ?? (err as { cause?: { code?: number } }).cause?.code;
  return (code !== undefined && UNAVAILABLE_CODES.has(code)) || /unavailable|connect|deadline/i.test((err as Error).message);
}
