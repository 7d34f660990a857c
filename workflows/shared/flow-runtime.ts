import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { baselinePatch, RunPatches } from './run-patches';
import type { IssueActivities, IssueInput } from '../../activities/shared/issue-log';
import { isRateLimited, rateLimitWaitMs, withinRateLimitBudget } from '../../domain/rate-limits';
import { ErpRecord, FlowState, NeedsAttention } from '../../domain/search-attributes';
import {
  decideUpdate,
  operatorDecisionSignal,
  progressQuery,
  type DecisionAction,
  type FlowProgress,
  type OperatorDecision,
  type OperatorDecisionInput,
  type PendingQuestion,
} from './operator-api';

/**
 * What every flow shares: named steps with their compensations, and a desk where a step that keeps failing
 * (or a question only a person can answer) waits for an operator's decision instead of failing the workflow.
 */

// The issue log is our own database: keep trying, it must not be the reason a flow gives up.
const issueLog = proxyActivities<IssueActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Thrown inside a flow when the operator chose to undo it; `runFlow` turns it into compensation. */
export class FlowAborted extends Error {
  constructor(readonly step: string, readonly reason = `operator chose to compensate at step ${step}`) {
    super(reason);
    this.name = 'FlowAborted';
  }
}

/** Placeholder issue id while the issue is being recorded. */
const RECORDING = -1;

export type StepResult<T> = { done: true; value: T } | { done: false; skipped: true };

type Undo = () => Promise<unknown>;

interface Compensation {
  step: string;
  undo: Undo;
  /** Plain data describing the undo, so that it can be carried over a continue-as-new. */
  record?: unknown;
}

/** A registered undo as data, carried to the next run by continue-as-new. */
export interface CarriedCompensation { step: string; record: unknown }

export type Question = Omit<IssueInput, 'flow' | 'businessKey' | 'allowedDecisions'> & { allowed: DecisionAction[] };

export interface FlowRuntimeOptions {
  /** An operator who has not answered within this is reminded (the issue is raised again), again and again. */
  operatorReminderSeconds?: number;
  /** How long a step may keep meeting rate limits before a person is asked. */
  rateLimitBudgetSeconds?: number;
  /**
   * FlowState holds standing states only (waits, outcomes), and `running` while the flow works between them; a
   * working stage (`enterStage`) shows in the progress query and the details. Off: every stage is upserted, as
   * flows recorded before it did.
   */
  standingStatesOnly?: boolean;
  /** The run's patches, when the flow reads one before its runtime exists; else read from the flow's baseline here. */
  patches?: RunPatches;
}

/** FlowState while a flow works between standing states. */
export const WORKING_STATE = 'running';

export const DEFAULT_OPERATOR_REMINDER_SECONDS = 24 * 3600;
export const DEFAULT_RATE_LIMIT_BUDGET_SECONDS = 30 * 60;

export interface StepOptions {
  compensate?: Undo;
  /** Data form of `compensate`, for flows that continue as new. */
  compensationRecord?: unknown;
  allowed?: DecisionAction[];
  /** Runs before an operator's "retry" re-runs the step, e.g. to re-read what the operator fixed. */
  beforeRetry?: () => Promise<unknown>;
}

export class FlowRuntime {
  /** Which patches this run takes (decided in its first activation). */
  readonly patches: RunPatches;
  private readonly compensations: Compensation[] = [];
  private pending: PendingQuestion | null = null;
  private answer: OperatorDecisionInput | null = null;
  private readonly reminderMs: number;
  private readonly rateLimitBudgetSeconds: number;
  readonly progress: FlowProgress;
  /** The scope the flow body runs in (`runFlow`); cancelling it undoes the flow. */
  readonly main = new CancellationScope();
  private cancelledBecause: string | null = null;
  /** What the flow is about, as people name it (e.g. `Order #1002 · Shopify order 5678`): the UI's current details show it. */
  private subject: string | null = null;
  private stateDetails: string | undefined;
  private readonly standingStatesOnly: boolean;
  /** FlowState as last written (with standingStatesOnly: a write that would not change it is left out). */
  private shownState: string | undefined;
  /** Whether progress.state is a working stage rather than a standing state. */
  private working = false;

  constructor(flow: string, businessKey: string, options: FlowRuntimeOptions = {}) {
    this.patches = options.patches ?? new RunPatches(baselinePatch(flow));
    this.standingStatesOnly = options.standingStatesOnly ?? false;
    this.shownState = this.standingStatesOnly ? workflowInfo().typedSearchAttributes.get(FlowState) : undefined;
    this.reminderMs = (options.operatorReminderSeconds ?? DEFAULT_OPERATOR_REMINDER_SECONDS) * 1000;
    this.rateLimitBudgetSeconds = options.rateLimitBudgetSeconds ?? DEFAULT_RATE_LIMIT_BUDGET_SECONDS;
    this.progress = { flow, businessKey, state: WORKING_STATE, stepsDone: [], currentStep: null, waitingFor: null, erpRecord: null };
    setHandler(progressQuery, () => this.progress);
    setHandler(operatorDecisionSignal, (input) => {
      const problem = this.refusal(input);
      if (problem) log.warn('operator decision ignored', { problem, input });
      else this.answer = input;
    });
    setHandler(
      decideUpdate,
      (input) => {
        const pending = this.pending!;
        this.answer = input;
        const accepted = () => ({ accepted: true as const, issueId: pending.issueId });
        // Answered once the flow has taken the decision (its wait's timer cancelled, its next step begun). Answered
        // at once, the update's completion and the timer's cancellation raced through the SDK's promise chains, and
        // a replay ordered them differently from the run it replayed (TMPRL1100, "Update machine does not handle
        // this event: TimerCanceled"): now each follows the other by data. Runs recorded before keep their answer.
        if (this.patches.fromBaseline) return condition(() => this.pending !== pending || this.answer !== input).then(accepted);
        // A decision may arrive while its issue is still being written: answer with the id the log gives it.
        return pending.issueId !== RECORDING ? accepted() : condition(() => pending.issueId !== RECORDING).then(accepted);
      },
      { validator: (input) => {
        const problem = this.refusal(input);
        if (problem) throw new Error(problem);
      } },
    );
  }

  /** Why a decision cannot be taken now, or null when it can. */
  private refusal(input: OperatorDecisionInput): string | null {
    if (!input || typeof input !== 'object' || !input.decision) return 'decision is missing';
    if (!this.pending) return 'nothing is waiting for a decision';
    if (this.answer) return 'a decision for this issue is already being applied';
    // The issue id is known once its recording completes; a decision may arrive just before that.
    if (input.issueId !== undefined && this.pending.issueId !== RECORDING && input.issueId !== this.pending.issueId) {
      return `issue ${input.issueId} is not the open one (${this.pending.issueId})`;
    }
    if (!this.pending.allowed.includes(input.decision.action)) return `action "${input.decision.action}" is not allowed here; choose one of ${this.pending.allowed.join(', ')}`;
    if (input.decision.action === 'link' && !/^C-\d+$/.test(input.decision.customerNumber ?? '')) return 'link needs customerNumber like C-1001';
    return null;
  }

  /** Undoes the flow from inside (a signal handler): the body stops, the undos run, the flow ends with its result. */
  cancel(reason: string): void {
    if (this.cancelledBecause !== null) return;
    this.cancelledBecause = reason;
    this.main.cancel();
  }

  /** Why the flow cancelled itself, or null (not cancelled, or cancelled from Temporal). */
  get cancelReason(): string | null {
    return this.cancelledBecause;
  }

  /** Whether the flow waits for a person right now (no safe point to continue as new). */
  get waitingForOperator(): boolean {
    return this.pending !== null;
  }

  /** A standing state (a wait, an outcome): operators find flows by it. */
  setState(state: string, details?: string): void {
    this.moveTo(state, state, details);
  }

  /**
   * A working stage, over in moments unless a step keeps failing (then the flow waits for an operator, a standing
   * state). Each search-attribute write costs the Temporal server a visibility update: about 3 ms of its CPU per
   * write in bench/orders-e2e.ts, for a state no one could filter by in time.
   */
  enterStage(stage: string): void {
    this.moveTo(stage, this.standingStatesOnly ? WORKING_STATE : stage);
  }

  private moveTo(state: string, shown: string, details?: string): void {
    this.progress.state = state;
    this.working = shown !== state;
    this.showState(shown);
    this.stateDetails = details;
    this.showDetails();
  }

  private showState(value: string): void {
    if (this.standingStatesOnly && this.shownState === value) return;
    upsertSearchAttributes([{ key: FlowState, value }]);
    this.shownState = value;
  }

  setErpRecord(record: string): void {
    this.progress.erpRecord = record;
    upsertSearchAttributes([{ key: ErpRecord, value: record }]);
    this.showDetails();
  }

  /**
   * Names the business record in the workflow's current details (Temporal UI, `temporal workflow describe`), below
   * the state: the workflow id carries the vendor's internal id, people know the order number. Details are workflow
   * metadata, not a command, so this changes no history.
   */
  describe(subject: string): void {
    this.subject = subject;
    this.showDetails();
  }

  private showDetails(transient?: string): void {
    const state = `**${this.progress.state}**${transient ?? (this.stateDetails ? `: ${this.stateDetails}` : '')}`;
    const about = [this.subject, this.progress.erpRecord ? `ERP ${this.progress.erpRecord}` : null].filter(Boolean).join(' · ');
    setCurrentDetails(about ? `${state}\n\n${about}` : state);
  }

  /** Registers an undo for work about to be done; it runs only if the flow is later compensated. */
  registerCompensation(step: string, undo: Undo, record?: unknown): void {
    this.compensations.push({ step, undo, record });
  }

  /** The undos registered so far, as data; every one must have been registered with its record. */
  carriedCompensations(): CarriedCompensation[] {
    return this.compensations.map((c) => {
      if (c.record === undefined) throw new Error(`compensation of ${c.step} cannot be carried over: it has no record`);
      return { step: c.step, record: c.record };
    });
  }

  /**
   * Runs one step. Its compensation is registered before it runs. When the step's retries are exhausted or its
   * error is permanent, an issue is recorded and the step waits for retry / skip / compensate.
   */
  async step<T>(name: string, run: () => Promise<T>, opts: StepOptions = {}): Promise<StepResult<T>> {
    if (opts.compensate) this.registerCompensation(name, opts.compensate, opts.compensationRecord);
    this.progress.currentStep = name;
    for (;;) {
      try {
        const value = await this.call(name, run);
        this.progress.stepsDone.push(name);
        this.progress.currentStep = null;
        return { done: true, value };
      } catch (err) {
        if (isCancellation(err) || !(err instanceof ActivityFailure)) throw err;
        const cause = err.cause;
        const decision = await this.ask({
          step: name,
          kind: 'step-failed',
          message: cause?.message ?? err.message,
          details: { activity: err.activityType, failureType: cause instanceof ApplicationFailure ? cause.type : cause?.name },
          allowed: opts.allowed ?? ['retry', 'skip', 'compensate'],
        });
        if (decision.action === 'retry') {
          if (opts.beforeRetry) await opts.beforeRetry();
          continue;
        }
        // Skipped: the step did not happen, so its undo must not run later.
        const index = this.compensations.findIndex((c) => c.undo === opts.compensate);
        if (index >= 0) this.compensations.splice(index, 1);
        this.progress.currentStep = null;
        return { done: false, skipped: true };
      }
    }
  }

  /**
   * Runs activity work, waiting out rate limits on durable timers: each wait ends the attempt, so a throttle
   * storm never uses up the activity's retries. Past the budget the rate-limit failure is thrown like any other.
   */
  async call<T>(name: string, run: () => Promise<T>): Promise<T> {
    let limitedSince: number | null = null;
    for (let consecutive = 0; ; consecutive++) {
      try {
        return await run();
      } catch (err) {
        const limit = rateLimitOf(err);
        if (!limit) throw err;
        limitedSince ??= Date.now();
        if (!withinRateLimitBudget(limitedSince, Date.now(), this.rateLimitBudgetSeconds)) throw err;
        const waitMs = rateLimitWaitMs(limit.retryAfterMs, consecutive);
        this.showDetails(`: ${name} rate-limited by ${limit.vendor}, next try in ${waitMs} ms`);
        await sleep(waitMs);
      }
    }
  }

  /**
   * Records an issue, marks the workflow as needing attention, and waits for an allowed decision.
   * "compensate" does not return: it aborts the flow, whose compensations then run.
   */
  async ask(question: Question): Promise<OperatorDecision> {
    const { allowed, ...issue } = question;
    // Pending from the moment the issue is being written: whoever sees it in the log can answer at once.
    this.pending = { issueId: RECORDING, step: question.step, message: question.message, allowed };
    // Recorded whatever happens meanwhile, so that a cancellation during the write still finds it to close.
    const issueId = await CancellationScope.nonCancellable(() =>
      issueLog.recordIssue({ ...issue, flow: this.progress.flow, businessKey: this.progress.businessKey, allowedDecisions: allowed }));
    const previousState = this.progress.state;
    const wasWorking = this.working;
    // Filled in place: a decision accepted during the recording waits for this id (decideUpdate).
    this.pending.issueId = issueId;
    this.progress.waitingFor = this.pending;
    upsertSearchAttributes([{ key: NeedsAttention, value: true }]);
    this.setState('waiting-operator', `issue #${issueId} at ${question.step}: ${question.message}`);
    try {
      await this.awaitAnswer(issueId);
    } catch (err) {
      // The flow is being cancelled while it waits: the question is moot, so the issue closes with it.
      if (isCancellation(err)) {
        await CancellationScope.nonCancellable(() => issueLog.closeIssue(issueId, { action: 'cancelled' }, 'engine'));
        upsertSearchAttributes([{ key: NeedsAttention, value: false }]);
        this.pending = null;
        this.progress.waitingFor = null;
      }
      throw err;
    }
    const { decision, operator } = this.answer!;
    this.answer = null;
    this.pending = null;
    this.progress.waitingFor = null;
    await issueLog.closeIssue(issueId, decision, operator ?? 'operator');
    upsertSearchAttributes([{ key: NeedsAttention, value: false }]);
    if (wasWorking) this.enterStage(previousState);
    else this.setState(previousState);
    if (decision.action === 'compensate') throw new FlowAborted(question.step);
    return decision;
  }

  /** Waits for the operator; an unanswered issue is raised again every reminder period. */
  private async awaitAnswer(issueId: number): Promise<void> {
    if (!this.patches.has('operator-reminders')) return condition(() => this.answer !== null);
    while (!(await condition(() => this.answer !== null, this.reminderMs))) {
      await issueLog.remindIssue(issueId);
    }
  }

  /** Records a person's attention to something that needs no decision from this flow (e.g. a late shipment). */
  async notify(question: Omit<Question, 'allowed'>): Promise<number> {
    return CancellationScope.nonCancellable(() =>
      issueLog.recordIssue({ ...question, flow: this.progress.flow, businessKey: this.progress.businessKey, allowedDecisions: [] }));
  }

  /** Raises a notice again (reminder), or closes it once what it waited for happened. */
  remind(issueId: number): Promise<void> {
    return issueLog.remindIssue(issueId);
  }

  closeNotice(issueId: number, resolution: unknown): Promise<void> {
    return CancellationScope.nonCancellable(() => issueLog.closeIssue(issueId, resolution, 'engine'));
  }

  /** Undoes completed work in reverse order; nothing cancels it, and each undo is idempotent. */
  async compensate(): Promise<string[]> {
    const undone: string[] = [];
    await CancellationScope.nonCancellable(async () => {
      for (const c of [...this.compensations].reverse()) {
        if (await this.undoOne(c)) undone.push(c.step);
      }
    });
    this.compensations.length = 0;
    return undone;
  }

  /** An undo that keeps failing waits for a person too (retry, or skip after fixing it by hand). */
  private async undoOne(c: Compensation): Promise<boolean> {
    for (;;) {
      try {
        await this.call(`undo-${c.step}`, c.undo);
        return true;
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        const decision = await this.ask({
          step: `undo-${c.step}`,
          kind: 'step-failed',
          message: `compensation failed: ${err.cause?.message ?? err.message}`,
          details: { activity: err.activityType },
          allowed: ['retry', 'skip'],
        });
        if (decision.action === 'skip') return false;
      }
    }
  }
}

/** The vendor and wait of a rate-limited activity failure, or null for any other error. */
function rateLimitOf(err: unknown): { vendor: string; retryAfterMs: number | null } | null {
  if (!(err instanceof ActivityFailure) || !(err.cause instanceof ApplicationFailure) || !isRateLimited(err.cause.type)) return null;
  const details = (err.cause.details?.[0] ?? {}) as { vendor?: string; retryAfterMs?: number | null };
  return { vendor: details.vendor ?? err.cause.type!.split(':')[0]!, retryAfterMs: details.retryAfterMs ?? null };
}

/** A workflow returns only once its update and signal handlers have finished (no caller is left without an answer). */
export async function handlersFinished(): Promise<void> {
  await condition(allHandlersFinished);
}

/** How a flow ends when it is undone: its result, and what to do before the undos run. */
export interface FlowEnding<R> {
  /** The result of a flow undone by an operator's "compensate", an abort, or a cancellation the flow asked for. */
  aborted: (undone: string[], reason: string) => R;
  /** FlowState after such an undo (default `compensated`). */
  abortedState?: string;
  /** Runs before the undos, e.g. to find out what there is to undo when the flow was stopped very early. */
  beforeUndo?: () => Promise<void>;
}

/**
 * Runs a flow body in the runtime's main scope. An operator's "compensate", an abort, or a cancellation the flow
 * asked for (`runtime.cancel(reason)`, e.g. the shop cancelled the order) undoes what was done and ends with the
 * flow's `aborted` result. A cancellation from Temporal itself (UI or API) undoes it too, then ends the workflow
 * as cancelled. Either way the workflow returns only after its update and signal handlers have finished.
 */
export async function runFlow<R>(runtime: FlowRuntime, body: () => Promise<R>, ending: FlowEnding<R>): Promise<R> {
  try {
    const result = await runtime.main.run(body);
    await handlersFinished();
    return result;
  } catch (err) {
    const reason = err instanceof FlowAborted ? err.reason : isCancellation(err) ? runtime.cancelReason : null;
    if (reason === null && !isCancellation(err)) throw err;
    if (ending.beforeUndo) await ending.beforeUndo();
    const undone = await runtime.compensate();
    if (reason === null) {
      runtime.setState('cancelled', `workflow cancelled; undone: ${undone.join(', ') || 'nothing'}`);
      throw err;
    }
    runtime.setState(ending.abortedState ?? 'compensated', `${reason}; undone: ${undone.join(', ') || 'nothing'}`);
    await handlersFinished();
    return ending.aborted(undone, reason);
  }
}
