import {
  allHandlersFinished, condition, continueAsNew, getExternalWorkflowHandle, isCancellation, log, setHandler, workflowInfo, type SignalDefinition,
} from '@temporalio/workflow';
import type { PaymentState } from '../../activities/payment/provider';
import type { Dispute, Payment, Refund } from '../../ports/payments';
import { disputeClosedSignal, disputeOpenedSignal, orderWorkflowId, paymentFailedSignal, paymentReceivedSignal } from '../order/api';
import { FlowRuntime, runFlow } from '../shared/flow-runtime';
import {
  linkOrderUpdate, PAYMENT_STEPS as STEP, paymentBusinessKey, paymentEventSignal,
  type PaymentFlowInput, type PaymentFlowResult, type PaymentOrder, type PaymentSnapshot,
} from './api';
import { erp, erpStep, provider, providerStep } from './proxies';

/**
 * Payment -> provider -> ERP: one workflow per provider payment, woken by its events (payment, refund, dispute).
 * Every pass reads the payment's current state from the provider, never trusting the order events came in, and
 * books what changed: the settlement with fee and net, the ERP order it belongs to (told to its order flow),
 * each refund once, each dispute (holding the order's fulfilment while open), a failed or abandoned payment.
 * A payment whose order has not arrived waits for it, bounded, then is parked as unmatched with an issue.
 */

/**
 * Patch: several orders that fit a payment by amount and currency alone are no reason to ask a person at once; the
 * flow keeps polling until its order-wait deadline (an order's own flow may book the payment meanwhile), then asks.
 */
const PATCH_AMBIGUOUS_WAITS = 'payment-ambiguous-amount-waits';

/** Order statuses before the order flow books a payment: only then does it need to hear of one. */
const AWAITING_PAYMENT = new Set(['draft', 'reserved', 'backordered']);

export async function paymentSettlement(input: PaymentFlowInput): Promise<PaymentFlowResult> {
  return new PaymentFlow(input).run();
}

class PaymentFlow {
  private readonly flow: FlowRuntime;
  /** Events received by this run; waits compare against it. */
  private events = 0;
  private order: PaymentOrder | null;
  private readonly booked: Record<string, string>;
  private orderWaitDeadlineMs: number | null;
  private unmatchedIssueId: number | null;
  private readonly disputeIssues: Record<string, number>;
  private paymentStatus = 'unknown';
  /** Orders that fit equally well, while an operator chooses (update linkOrder). */
  private candidates: PaymentOrder[] = [];
  private chosen: PaymentOrder | null = null;

  constructor(private readonly input: PaymentFlowInput) {
    const resume = input.resume;
    this.order = resume?.order ?? null;
    this.booked = { ...resume?.booked };
    this.orderWaitDeadlineMs = resume?.orderWaitDeadlineMs ?? null;
    this.unmatchedIssueId = resume?.unmatchedIssueId ?? null;
    this.disputeIssues = { ...resume?.disputeIssues };
    const { policy } = input;
    this.flow = new FlowRuntime('payment', paymentBusinessKey(input.payments, input.paymentId), {
      operatorReminderSeconds: policy.operatorReminderSeconds, rateLimitBudgetSeconds: policy.rateLimitBudgetSeconds,
    });
    setHandler(paymentEventSignal, () => void this.events++);
    setHandler(linkOrderUpdate, ({ orderNumber }) => {
      this.chosen = this.candidates.find((c) => c.orderNumber === orderNumber)!;
      return { accepted: true as const };
    }, { validator: (choice) => {
      if (!this.candidates.some((c) => c.orderNumber === choice?.orderNumber)) {
        throw new Error(`not a candidate: choose one of ${this.candidates.map((c) => c.orderNumber).join(', ') || '(none is waiting for a choice)'}`);
      }
    } });
  }

  run(): Promise<PaymentFlowResult> {
    return runFlow(this.flow, () => this.process(), { aborted: (undone, reason) => ({ status: 'compensated', reason, undone }) });
  }

  private get paymentId(): string {
    return this.input.paymentId;
  }

  private get payments(): string {
    return this.input.payments;
  }

  /** One pass per event (or poll while the order is awaited); ends after a quiet spell, continues as new when long. */
  private async process(): Promise<PaymentFlowResult> {
    const { policy } = this.input;
    for (;;) {
      const seen = this.events;
      if (await this.pass() === 'not-found') return { status: 'not-found' };
      const polling = this.awaitingOrder();
      const waitMs = polling ? Math.max(1000, Math.min(policy.orderPollSeconds * 1000, this.orderWaitDeadlineMs! - Date.now())) : policy.idleSeconds * 1000;
      const woke = await condition(() => this.events > seen || this.continueAsNewDue(), waitMs);
      if (this.events > seen) continue;
      if (woke) await this.continueAsNew();
      if (!polling) {
        return {
          status: 'idle', paymentStatus: this.paymentStatus, orderNumber: this.order?.orderNumber ?? null,
          unmatched: this.unmatchedIssueId !== null, events: (this.input.resume?.events ?? 0) + this.events,
        };
      }
    }
  }

  /** Reads the payment's current state and books whatever changed since the last pass. */
  private async pass(): Promise<'not-found' | 'done'> {
    const reader = this.polling ? provider : providerStep(this.flow);
    const read = await this.flow.step(STEP.readPayment, () => reader.readPaymentState(this.paymentId, this.payments), { allowed: ['retry', 'skip'] });
    if (!read.done) return 'done';
    if (!read.value) return 'not-found';
    const { payment } = read.value;
    this.paymentStatus = payment.status;
    if (payment.status === 'captured') await this.settle(read.value);
    else if (payment.status === 'failed' || payment.status === 'cancelled' || payment.failureReason) await this.recordFailure(payment);
    // Authorised, pending or processing: nothing to book yet (the order flow captures an authorisation).
    else this.flow.setState(payment.status);
    return 'done';
  }

  private async settle({ payment, charge, refunds, disputes }: PaymentState): Promise<void> {
    const settlement = charge?.balanceTransactionId;
    if (!charge || !settlement) {
      this.flow.setState('captured', 'waiting for the provider to settle the charge');
      return;
    }
    if (this.booked.settlement !== settlement) {
      const recorded = await this.flow.step(STEP.recordSettlement, () => erpStep(this.flow).recordSettlement(this.payments, payment, charge), { allowed: ['retry', 'skip'] });
      if (!recorded.done) return;
      this.booked.settlement = settlement;
    }
    if (!this.order) await this.matchOrder(payment);
    for (const refund of refunds) await this.bookRefund(refund);
    for (const dispute of disputes) await this.bookDispute(dispute);
    if (this.order) this.flow.setState('settled', `applied to ${this.order.orderNumber}`);
    else if (this.unmatchedIssueId !== null) this.flow.setState('unmatched', `no ERP order; issue #${this.unmatchedIssueId}`);
    else this.flow.setState('awaiting-order', `until ${new Date(this.orderWaitDeadlineMs ?? Date.now()).toISOString()}`);
  }

  /** Finds the payment's ERP order; when none has arrived yet, waits (polling) until the deadline, then parks it. */
  private async matchOrder(payment: Payment): Promise<void> {
    const windowSeconds = this.input.policy.matchWindowSeconds;
    const erpLook = this.polling ? erp : erpStep(this.flow);
    const match = await this.flow.step(STEP.findOrder, () => erpLook.findPaymentOrder(this.payments, payment, { windowSeconds }), { allowed: ['retry', 'skip'] });
    if (!match.done) return;
    if (match.value.kind === 'found') return this.applyTo(match.value.order);
    if (match.value.kind === 'ambiguous') {
      if (!match.value.amountOnly || !this.flow.patches.has(PATCH_AMBIGUOUS_WAITS)) return this.choose(payment, match.value.candidates);
      // Amount and currency are all that ties it to these orders: wait (polling) for better evidence until the deadline.
      this.orderWaitDeadlineMs ??= Date.now() + this.input.policy.orderWaitSeconds * 1000;
      if (Date.now() >= this.orderWaitDeadlineMs) return this.choose(payment, match.value.candidates);
      return;
    }
    this.orderWaitDeadlineMs ??= Date.now() + this.input.policy.orderWaitSeconds * 1000;
    if (Date.now() < this.orderWaitDeadlineMs || this.unmatchedIssueId !== null) return;
    this.unmatchedIssueId = await this.flow.notify({
      step: STEP.awaitOrder, kind: 'overdue',
      message: `no ERP order for payment ${payment.id} (${payment.receivedMinor} ${payment.currency}) within ${this.input.policy.orderWaitSeconds} s: ` +
        'parked as unmatched; it is applied as soon as its order arrives or the payment changes',
      details: { paymentId: payment.id, amountMinor: payment.receivedMinor, currency: payment.currency, orderReference: payment.orderReference },
    });
  }

  /**
   * Whether the flow polls for its order: its reads and looks then go through the task queue. They are not
   * latency-bound, and a local activity holds its workflow task open; the first pass runs them locally.
   */
  private get polling(): boolean {
    return this.orderWaitDeadlineMs !== null;
  }

  private awaitingOrder(): boolean {
    return this.paymentStatus === 'captured' && !this.order && this.unmatchedIssueId === null && this.orderWaitDeadlineMs !== null;
  }

  /** Several orders fit: a person names one (update linkOrder, then retry) or leaves the payment unmatched (skip). */
  private async choose(payment: Payment, candidates: PaymentOrder[]): Promise<void> {
    this.candidates = candidates;
    this.chosen = null;
    const names = candidates.map((c) => c.orderNumber).join(', ');
    const decision = await this.flow.ask({
      step: STEP.chooseOrder, kind: 'ambiguous-match',
      message: `${candidates.length} ERP orders fit payment ${payment.id} (${payment.receivedMinor} ${payment.currency}): ${names}. ` +
        'Name one with update linkOrder {"orderNumber": "SO-…"} then decide retry, or skip to leave the payment unmatched',
      details: { paymentId: payment.id, candidates },
      allowed: ['retry', 'skip'],
    });
    const chosen = this.chosen as PaymentOrder | null;
    this.candidates = [];
    // Skipped: parked as unmatched; the issue just closed told a person already (-1: no notice of its own).
    if (decision.action === 'skip') this.unmatchedIssueId ??= -1;
    else if (chosen) await this.applyTo(chosen);
  }

  /** Binds the payment to its order, applies it to the invoice, and tells the order flow if it waits for money. */
  private async applyTo(order: PaymentOrder): Promise<void> {
    const applied = await this.flow.step(STEP.applyToOrder, () => erpStep(this.flow).applyPaymentToOrder(this.payments, this.paymentId, order.salesOrderId), {
      allowed: ['retry', 'skip'],
    });
    if (!applied.done) return;
    if (!applied.value) {
      log.warn('payment is booked for another order; left as it is', { paymentId: this.paymentId, orderNumber: order.orderNumber });
      return;
    }
    this.order = order;
    this.flow.setErpRecord(order.orderNumber);
    if (this.unmatchedIssueId !== null && this.unmatchedIssueId > 0) await this.flow.closeNotice(this.unmatchedIssueId, { matched: order.orderNumber });
    this.unmatchedIssueId = null;
    // An order whose checkout named this payment books it itself (histories before the field: told, as they were).
    if (AWAITING_PAYMENT.has(order.status) && order.paymentReference !== this.paymentId) {
      await this.tellOrder(order, paymentReceivedSignal, { paymentId: this.paymentId });
    }
  }

  private async bookRefund(refund: Refund): Promise<void> {
    if (this.booked[refund.id] === refund.status) return;
    const booked = await this.flow.step(STEP.recordRefund, () => erpStep(this.flow).recordPaymentRefund(this.payments, this.paymentId, refund), { allowed: ['retry', 'skip'] });
    if (!booked.done) return;
    this.booked[refund.id] = refund.status;
    if (!booked.value.ok) {
      await this.flow.notify({
        step: STEP.recordRefund, kind: 'invalid-data', message: `refund not booked: ${booked.value.problem}`,
        details: { paymentId: this.paymentId, refundId: refund.id, amountMinor: refund.amountMinor, currency: refund.currency, origin: refund.origin },
      });
    }
  }

  /** An open dispute holds the order's fulfilment and is raised for a person; its close records the outcome. */
  private async bookDispute(dispute: Dispute): Promise<void> {
    if (this.booked[dispute.id] === dispute.status) return;
    const booked = await this.flow.step(STEP.recordDispute, () => erpStep(this.flow).recordPaymentDispute(this.payments, this.paymentId, dispute), { allowed: ['retry', 'skip'] });
    if (!booked.done) return;
    this.booked[dispute.id] = dispute.status;
    const details = { paymentId: this.paymentId, disputeId: dispute.id, amountMinor: dispute.amountMinor, currency: dispute.currency, reason: dispute.reason };
    if (!booked.value.ok) {
      await this.flow.notify({ step: STEP.recordDispute, kind: 'invalid-data', message: `dispute not booked: ${booked.value.problem}`, details });
      return;
    }
    const notice = { disputeId: dispute.id, paymentId: this.paymentId };
    if (dispute.status === 'open') {
      if (this.order) await this.tellOrder(this.order, disputeOpenedSignal, notice);
      this.disputeIssues[dispute.id] ??= await this.flow.notify({
        step: STEP.recordDispute, kind: 'dispute', details: { ...details, orderNumber: this.order?.orderNumber ?? null },
        message: `the buyer's bank disputes payment ${this.paymentId} (${dispute.reason ?? 'no reason given'}): ${dispute.amountMinor} ${dispute.currency}; ` +
          'fulfilment is held unless shipped; answer the dispute with the provider',
      });
      return;
    }
    if (this.order) await this.tellOrder(this.order, disputeClosedSignal, { ...notice, outcome: dispute.status });
    const issueId = this.disputeIssues[dispute.id];
    if (issueId !== undefined) await this.flow.closeNotice(issueId, { outcome: dispute.status });
    delete this.disputeIssues[dispute.id];
  }

  /** A refused or abandoned payment is booked as such and told to the order flow that may be waiting for it. */
  private async recordFailure(payment: Payment): Promise<void> {
    const status = payment.status === 'cancelled' ? 'cancelled' : 'failed';
    const outcome = `${status}:${payment.failureReason ?? ''}`;
    this.flow.setState(status, payment.failureReason ?? undefined);
    if (this.booked.outcome === outcome) return;
    const recorded = await this.flow.step(STEP.recordOutcome, () => erpStep(this.flow).recordFailedPayment(this.payments, payment, status), { allowed: ['retry', 'skip'] });
    if (!recorded.done) return;
    this.booked.outcome = outcome;
    // Only an order the payment names (or is booked for): an amount alone is no reason to tell an order anything.
    const match = await this.flow.step(STEP.findOrder, () => erpStep(this.flow).findPaymentOrder(this.payments, payment, null), { allowed: ['retry', 'skip'] });
    if (match.done && match.value.kind === 'found') {
      await this.tellOrder(match.value.order, paymentFailedSignal, { paymentId: payment.id, status, reason: payment.failureReason ?? null });
    }
  }

  /** Signals the order's flow; one that has ended (or never started) has nothing to hear. */
  private async tellOrder<Args extends unknown[]>(order: PaymentOrder, signal: SignalDefinition<Args>, ...args: Args): Promise<void> {
    if (!order.shop || !order.shopOrderId) return;
    const workflowId = orderWorkflowId(order.shop, order.shopOrderId);
    try {
      await getExternalWorkflowHandle(workflowId).signal(signal, ...args);
      this.flow.progress.stepsDone.push(STEP.tellOrder);
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.info('order flow not running; not told', { workflowId, signal: signal.name, error: (err as Error).message });
    }
  }

  // ------------------------------------------------------------------------------------------ continue as new

  private continueAsNewDue(): boolean {
    const info = workflowInfo();
    const limit = this.input.policy.maxHistoryEvents;
    const long = info.continueAsNewSuggested || (limit !== undefined && info.historyLength >= limit);
    return long && allHandlersFinished() && !this.flow.waitingForOperator;
  }

  private async continueAsNew(): Promise<never> {
    const resume: PaymentSnapshot = {
      order: this.order, booked: this.booked, orderWaitDeadlineMs: this.orderWaitDeadlineMs, unmatchedIssueId: this.unmatchedIssueId,
      disputeIssues: this.disputeIssues, events: (this.input.resume?.events ?? 0) + this.events,
    };
    log.info('continuing as new', { historyLength: workflowInfo().historyLength });
    return continueAsNew<typeof paymentSettlement>({ ...this.input, resume });
  }
}
