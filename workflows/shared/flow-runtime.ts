import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { IssueActivities, IssueInput } from '../../activities/issue-activities';
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

interface Compensation {
  step: string;
  undo: () => Promise<unknown>;
}

export type Question = Omit<IssueInput, 'flow' | 'businessKey' | 'allowedDecisions'> & { allowed: DecisionAction[] };

export class FlowRuntime {
  private readonly compensations: Compensation[] = [];
  private pending: PendingQuestion | null = null;
  private answer: OperatorDecisionInput | null = null;
  readonly progress: FlowProgress;

  constructor(flow: string, businessKey: string) {
    this.progress = { flow, businessKey, state: 'running', stepsDone: [], currentStep: null, waitingFor: null, erpRecord: null };
    setHandler(progressQuery, () => this.progress);
    setHandler(operatorDecisionSignal, (input) => {
      const problem = this.refusal(input);
      if (problem) log.warn('operator decision ignored', { problem, input });
      else this.answer = input;
    });
    setHandler(
      decideUpdate,
      (input) => {
        const issueId = this.pending!.issueId;
        this.answer = input;
        return { accepted: true as const, issueId };
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

  setState(state: string, details?: string): void {
    this.progress.state = state;
    upsertSearchAttributes([{ key: FlowState, value: state }]);
    setCurrentDetails(`**${state}**${details ? `: ${details}` : ''}`);
  }

  setErpRecord(record: string): void {
    this.progress.erpRecord = record;
    upsertSearchAttributes([{ key: ErpRecord, value: record }]);
  }

  /** Registers an undo for work about to be done; it runs only if the flow is later compensated. */
  registerCompensation(step: string, undo: () => Promise<unknown>): void {
    this.compensations.push({ step, undo });
  }

  /**
   * Runs one step. Its compensation is registered before it runs. When the step's retries are exhausted or its
   * error is permanent, an issue is recorded and the step waits for retry / skip / compensate.
   */
  async step<T>(
    name: string,
    run: () => Promise<T>,
    opts: { compensate?: () => Promise<unknown>; allowed?: DecisionAction[] } = {},
  ): Promise<StepResult<T>> {
    if (opts.compensate) this.registerCompensation(name, opts.compensate);
    this.progress.currentStep = name;
    for (;;) {
      try {
        const value = await run();
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
        if (decision.action === 'retry') continue;
        // Skipped: the step did not happen, so its undo must not run later.
        const index = this.compensations.findIndex((c) => c.undo === opts.compensate);
        if (index >= 0) this.compensations.splice(index, 1);
        this.progress.currentStep = null;
        return { done: false, skipped: true };
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
    const issueId = await issueLog.recordIssue({ ...issue, flow: this.progress.flow, businessKey: this.progress.businessKey, allowedDecisions: allowed });
    const previousState = this.progress.state;
    this.pending = { ...this.pending, issueId };
    this.progress.waitingFor = this.pending;
    upsertSearchAttributes([{ key: NeedsAttention, value: true }]);
    this.setState('waiting-operator', `issue #${issueId} at ${question.step}: ${question.message}`);
    try {
      await condition(() => this.answer !== null);
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
    this.setState(previousState);
    if (decision.action === 'compensate') throw new FlowAborted(question.step);
    return decision;
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
        await c.undo();
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

/**
 * Runs a flow body; an operator's "compensate" or a workflow cancellation undoes what was done.
 * Cancellation is re-thrown after compensation so that the workflow ends as cancelled.
 */
export async function runFlow<R>(runtime: FlowRuntime, body: () => Promise<R>, aborted: (undone: string[], cause: FlowAborted) => R): Promise<R> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof FlowAborted) {
      const undone = await runtime.compensate();
      runtime.setState('compensated', `${err.reason}; undone: ${undone.join(', ') || 'nothing'}`);
      return aborted(undone, err);
    }
    if (isCancellation(err)) {
      await runtime.compensate();
      runtime.setState('cancelled');
    }
    throw err;
  }
}
