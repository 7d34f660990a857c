import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { Logger } from '../config/logger';
import { claimDue, deferAfterOutage, markDispatched, markUndeliverable, releaseClaims, requeueUnrouted, type InboxRow } from '../engine/inbox';
import { takeWriteEcho } from '../engine/write-echo';
import { classifyHandOverError, describeError, retryDelayMs } from './dispatch-failure';
import { handOver, temporalAnswers, type HandOverTimeouts } from './hand-over';
import { DispatchObserver } from '../observability/dispatch-observer';
import { TRACE_HEADER } from '../observability/relay-observability';
import { recordDispatchFailure, recordUpdateResult } from './inbox-operations';
import { planBatch, type DispatchPlan, type RouteContext } from './routes';

/**
 * Hands inbox rows to Temporal. Rows are claimed with a lease in one short statement (SKIP LOCKED, so several relays
 * can run at once), handed over with no transaction or row lock open, and each outcome is recorded in its own
 * statement. A relay that dies in between leaves its rows to be claimed again when the lease ends.
 *
 * Order: each target workflow has a lane. A lane hands its rows over one at a time, oldest first, each only after the
 * previous one has ended (delivered, failed or timed out), across claims too; lanes of different workflows run in
 * parallel, at most `concurrency` at once, so a flow that is slow to take its event holds back only its own events.
 * Up to `batchSize` claimed rows wait in lanes at a time; each is released if its lease would end before its turn.
 *
 * Rows wait without limit while Temporal is unreachable: once a hand-over finds it so, every row not yet handed over
 * is deferred with backoff and claiming stops until the next poll. Any other failure counts, and the
 * `maxFailures`-th makes the row `failed` with an issue for an operator.
 */

export interface DispatchTuning {
  batchSize?: number;
  /** Workflows whose events are handed over at the same time (`DISPATCH_CONCURRENCY`). */
  concurrency?: number;
  maxBackoffMs?: number;
  /** How long a signal-with-start (and the reachability probe) may take before it counts as a timeout. */
  callTimeoutMs?: number;
  /** How long an update-with-start may wait for its flow to accept the update. */
  updateTimeoutMs?: number;
  /** How long the relay follows an accepted update for its result, which becomes the row's outcome. */
  updateResultMs?: number;
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

/** One hand-over: a plan and the claimed rows it delivers. */
interface Handing { plan: DispatchPlan; rows: InboxRow[]; leaseEnds: number }
/** The hand-overs waiting for one workflow, in inbox order. */
interface Lane { workflowId: string; queue: Handing[] }

/** A hand-over this slow is logged with its workflow, so that a slow drain can be traced to the flows behind it. */
const SLOW_HAND_OVER_MS = 2000;

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
  private readonly lanes = new Map<string, Lane>();
  /** Lanes waiting for one of the `concurrency` places. */
  private readonly ready: Lane[] = [];
  private activeLanes = 0;
  /** Claimed rows in lanes, not yet handed over or given back. */
  private claimedRows = 0;
  /** Set when a hand-over found Temporal unreachable; cleared when the next drain begins. */
  private outage: string | undefined;
  private settled: Array<() => void> = [];
  /** Accepted updates whose result the relay still follows; aborted on stop. */
  private readonly results = new AbortController();
  private readonly following = new Set<Promise<void>>();

  constructor(private readonly opts: DispatcherOptions) {
    this.observer = new DispatchObserver();
    this.timeouts = { callMs: opts.callTimeoutMs ?? 5000, updateMs: opts.updateTimeoutMs ?? 60_000 };
    this.worstHandOverMs = Math.max(this.timeouts.callMs, this.timeouts.updateMs) + this.timeouts.callMs + 1000;
  }

  get leaseMs(): number {
    return 2 * this.worstHandOverMs;
  }

  private get batchSize(): number {
    return this.opts.batchSize ?? 50;
  }

  private get concurrency(): number {
    return this.opts.concurrency ?? 16;
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

  /** Stops claiming; rows not yet handed over are given back, hand-overs under way end first. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    while (this.lanes.size > 0) await this.nextSettled();
    this.results.abort();
    await Promise.all(this.following);
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

  /**
   * Claims due rows into their lanes until none is left or Temporal is unreachable, waiting for hand-overs to end
   * while `batchSize` claimed rows wait. Lanes go on after it returns; the next drain claims beside them.
   */
  private async drain(): Promise<void> {
    this.outage = undefined;
    try {
      while (!this.stopped && this.outage === undefined) {
        const room = this.batchSize - this.claimedRows;
        if (room <= 0) {
          await this.nextSettled();
          continue;
        }
        if ((await this.claim(room)) < room) return;
      }
    } catch (err) {
      this.opts.logger.error({ err }, 'dispatch batch failed');
    }
  }

  /** Claims up to `limit` rows and puts them in their lanes; returns how many were claimed. */
  private async claim(limit: number): Promise<number> {
    const { pool, routes, logger } = this.opts;
    const leaseEnds = Date.now() + this.leaseMs;
    const rows = await claimDue(pool, limit, this.leaseMs, TRACE_HEADER);
    this.observer.claimed(rows);
    const { work, undeliverable } = planBatch(rows, routes);
    for (const { row, status, reason } of undeliverable) {
      await markUndeliverable(pool, row.id, status, reason);
      this.observer.forget([row.id]);
      if (status === 'unrouted') logger.warn({ provider: row.provider, topic: row.topic, eventId: row.eventId }, 'no flow handles this event yet; kept as unrouted');
    }
    for (const { plan, rows: grouped } of work) this.enqueue({ plan, rows: grouped, leaseEnds });
    return rows.length;
  }

  private enqueue(handing: Handing): void {
    this.claimedRows += handing.rows.length;
    const lane = this.lanes.get(handing.plan.workflowId);
    if (lane) {
      lane.queue.push(handing);
      return;
    }
    const fresh: Lane = { workflowId: handing.plan.workflowId, queue: [handing] };
    this.lanes.set(fresh.workflowId, fresh);
    this.ready.push(fresh);
    this.startLanes();
  }

  private startLanes(): void {
    while (this.activeLanes < this.concurrency && this.ready.length > 0) {
      const lane = this.ready.shift()!;
      this.activeLanes++;
      void this.runLane(lane);
    }
  }

  /** Hands a lane's rows over one after another; the lane ends when its queue is empty (checked and removed at once). */
  private async runLane(lane: Lane): Promise<void> {
    try {
      for (let next = lane.queue.shift(); next; next = lane.queue.shift()) {
        await this.handOne(next, lane).catch((err: unknown) => {
          // Recording an outcome failed (PostgreSQL away): the rows are claimed again when their lease ends.
          this.opts.logger.error({ err, workflowId: lane.workflowId }, 'dispatch outcome not recorded; the rows are claimed again after their lease');
        });
        this.done(next.rows);
      }
    } finally {
      this.lanes.delete(lane.workflowId);
      this.activeLanes--;
      this.startLanes();
      this.notifySettled();
    }
  }

  private async handOne(handing: Handing, lane: Lane): Promise<void> {
    const { pool, logger } = this.opts;
    const { plan, rows } = handing;
    if (this.stopped || Date.now() + this.worstHandOverMs > handing.leaseEnds) {
      // Never hand over a row whose lease may have ended: another relay may have it by then. The lane's later rows
      // go back with it, so that they cannot overtake it.
      const behind = lane.queue.splice(0);
      await releaseClaims(pool, [handing, ...behind].flatMap((h) => h.rows.map((r) => r.id)));
      for (const h of behind) this.done(h.rows);
      return;
    }
    if (this.outage !== undefined) return this.defer(rows, this.outage);
    if (await this.tookAsOwnEcho(plan, rows)) return;
    const { outage } = await this.deliver(plan, rows);
    if (outage === undefined) return;
    if (this.outage === undefined) logger.warn({ err: outage }, 'Temporal unreachable; events stay in the inbox');
    this.outage = outage;
    await this.defer(rows, outage);
  }

  /** Whether the rows were the announcement of our own write to a shop order: then recorded so (one statement), not handed over. */
  private async tookAsOwnEcho(plan: DispatchPlan, rows: InboxRow[]): Promise<boolean> {
    if (plan.kind !== 'update' || !plan.echoOf || rows.length !== 1) return false;
    const mark = await takeWriteEcho(this.opts.pool, plan.echoOf, rows[0]!.id, plan.workflowId);
    if (mark === null) return false;
    this.observer.dispatched(rows[0]!.id, rows[0]!.provider);
    return true;
  }

  /** Temporal is down: the rows wait, with backoff, without counting as failures. */
  private async defer(rows: InboxRow[], outage: string): Promise<void> {
    for (const row of rows) await deferAfterOutage(this.opts.pool, row.id, retryDelayMs(row.attempts, this.maxBackoffMs), `Temporal unreachable: ${outage}`);
  }

  private done(rows: InboxRow[]): void {
    this.claimedRows -= rows.length;
    this.observer.forget(rows.map((r) => r.id));
    this.notifySettled();
  }

  private notifySettled(): void {
    const waiting = this.settled;
    this.settled = [];
    for (const wake of waiting) wake();
  }

  private nextSettled(): Promise<void> {
    return new Promise((resolve) => this.settled.push(resolve));
  }

  private get maxBackoffMs(): number {
    return this.opts.maxBackoffMs ?? 15_000;
  }

  /** Hands one plan over and records what became of its rows; an outage is left to the caller. */
  private async deliver(plan: DispatchPlan, rows: InboxRow[]): Promise<{ outage?: string }> {
    const { pool, client, logger } = this.opts;
    const startedAt = Date.now();
    try {
      const { outcome, result } = await this.observer.handingOver(plan.workflowId, rows.map((r) => r.id),
        () => handOver(client, plan, this.timeouts, { resultMs: this.opts.updateResultMs ?? 600_000, signal: this.results.signal }));
      const tookMs = Date.now() - startedAt;
      if (tookMs >= SLOW_HAND_OVER_MS) logger.warn({ workflowId: plan.workflowId, kind: plan.kind, tookMs, outcome }, 'slow hand-over');
      await markDispatched(pool, rows.map((r) => r.id), plan.workflowId, outcome);
      for (const row of rows) this.observer.dispatched(row.id, row.provider);
      if (result) this.follow(rows, result);
      return {};
    } catch (err) {
      const judged = await this.judge(err, plan);
      if ('outage' in judged) return judged;
      await this.countFailure(plan, rows, judged.failure);
      return {};
    }
  }

  /** Records an accepted update's result as the rows' outcome when it comes, without holding the lane. */
  private follow(rows: InboxRow[], result: Promise<string>): void {
    const recorded = result
      .then((outcome) => (this.results.signal.aborted ? undefined : recordUpdateResult(this.opts.pool, rows.map((r) => r.id), outcome)))
      .catch((err: unknown) => this.opts.logger.warn({ err, inboxIds: rows.map((r) => r.id) }, 'update result not recorded'))
      .finally(() => this.following.delete(recorded));
    this.following.add(recorded);
  }

  /**
   * An outage, or a failure that counts. A timed-out signal is an outage (the call is quick when Temporal is there);
   * a timed-out update is one only if Temporal does not answer a probe either: else the flow has not taken it yet.
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
    logger.warn({ workflowId: plan.workflowId, err: text }, 'update not accepted by its flow at the deadline; will retry with the same update id');
    return { failure: `update ${plan.update} not accepted by its flow within ${this.timeouts.updateMs} ms; retried with the same update id` };
  }

  private async countFailure(plan: DispatchPlan, rows: InboxRow[], failure: string): Promise<void> {
    const { pool, logger } = this.opts;
    for (const row of rows) {
      const retry = { delayMs: retryDelayMs(row.failures + 1, this.maxBackoffMs), maxFailures: this.opts.maxFailures ?? 10 };
      const { failed } = await recordDispatchFailure(pool, row, plan.workflowId, failure, retry);
      if (failed) logger.error({ inboxId: row.id, eventId: row.eventId, workflowId: plan.workflowId, err: failure }, 'event failed too often; an operator must replay it');
    }
  }
}
