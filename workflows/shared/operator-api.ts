import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

/** The messages an operator (Temporal UI, our ops CLI) can send to any flow; defined once, imported by clients. */

export type OperatorDecision =
  | { action: 'retry' }
  | { action: 'skip' }
  | { action: 'compensate' }
  /** For an ambiguous customer match: use this existing ERP customer. */
  | { action: 'link'; customerNumber: string }
  /** For an ambiguous customer match: none of the candidates, create a new customer. */
  | { action: 'create-new' };

export type DecisionAction = OperatorDecision['action'];

export interface OperatorDecisionInput {
  decision: OperatorDecision;
  /** Who decided, for the issue log. */
  operator?: string;
  /** Guards against answering a question that is no longer the one open. */
  issueId?: number;
}

export interface PendingQuestion {
  issueId: number;
  step: string;
  message: string;
  allowed: DecisionAction[];
}

export interface FlowProgress {
  flow: string;
  businessKey: string;
  state: string;
  stepsDone: string[];
  currentStep: string | null;
  waitingFor: PendingQuestion | null;
  erpRecord: string | null;
}

/** Fire-and-forget form, usable from the Temporal UI's "Send signal". Invalid decisions are ignored and logged. */
export const operatorDecisionSignal = defineSignal<[OperatorDecisionInput]>('operatorDecision');
/** Validated form: refused with a reason when nothing is pending or the action is not allowed here. */
export const decideUpdate = defineUpdate<{ accepted: true; issueId: number }, [OperatorDecisionInput]>('decide');
export const progressQuery = defineQuery<FlowProgress>('progress');
