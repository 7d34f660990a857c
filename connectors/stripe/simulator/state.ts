import { randomBytes } from 'node:crypto';
import { currencyExponent, toDecimalString } from '../../../domain/money';
import { invalidRequest, resourceMissing, StripeApiError, unexpectedState, type StripeErrorFields } from './errors';
import { Params, type FormObject } from './form';
import { disputeFeeMinor, processingFeeMinor } from './pricing';

/**
 * The Stripe account the simulator keeps in memory: payment intents with their charges, balance transactions,
 * refunds, payouts and the events they raise. Objects are stored in the API's own shape; every answer and
 * event carries a copy, so later changes never leak into what a client already received.
 */

export type Metadata = Record<string, string>;
export type PaymentIntentStatus =
  | 'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing' | 'requires_capture' | 'canceled' | 'succeeded';

export interface SimPaymentIntent {
  id: string; object: 'payment_intent'; amount: number; amount_capturable: number; amount_received: number;
  canceled_at: number | null; cancellation_reason: string | null; capture_method: string; client_secret: string;
  confirmation_method: 'automatic'; created: number; currency: string; customer: null; description: string | null;
  last_payment_error: (StripeErrorFields & { payment_method: { id: string; object: 'payment_method'; type: 'card' } }) | null;
  latest_charge: string | null; livemode: false; metadata: Metadata; next_action: null; payment_method: string | null;
  payment_method_types: string[]; receipt_email: string | null; status: PaymentIntentStatus;
}

export interface SimCharge {
  id: string; object: 'charge'; amount: number; amount_captured: number; amount_refunded: number;
  balance_transaction: string | null; captured: boolean; created: number; currency: string; description: string | null;
  failure_code: string | null; failure_message: string | null; livemode: false; metadata: Metadata;
  outcome: { network_status: string; reason: string | null; risk_level: 'normal'; seller_message: string; type: string };
  paid: boolean; payment_intent: string; payment_method: string;
  payment_method_details: { type: 'card'; card: { brand: string; last4: string; exp_month: number; exp_year: number; funding: 'credit' } };
  refunded: boolean; status: 'succeeded' | 'failed';
  /** Whether the charge was ever disputed (stays true once a dispute is opened). */
  disputed: boolean;
}

export interface SimBalanceTransaction {
  id: string; object: 'balance_transaction'; amount: number; available_on: number; created: number; currency: string;
  description: string | null; exchange_rate: null; fee: number; net: number; reporting_category: string; source: string;
  fee_details: Array<{ amount: number; application: null; currency: string; description: string; type: 'stripe_fee' }>;
  status: 'pending' | 'available'; type: BalanceTransactionType;
}

export type BalanceTransactionType = 'charge' | 'refund' | 'payout' | 'payout_failure' | 'adjustment';
export type DisputeStatus = 'needs_response' | 'under_review' | 'won' | 'lost';

export interface SimDispute {
  id: string; object: 'dispute'; amount: number; balance_transactions: SimBalanceTransaction[]; charge: string; created: number;
  currency: string; evidence: Record<string, never>; evidence_details: { due_by: number; has_evidence: boolean; past_due: boolean; submission_count: number };
  is_charge_refundable: boolean; livemode: false; metadata: Metadata; payment_intent: string; reason: string; status: DisputeStatus;
}

export interface SimRefund {
  id: string; object: 'refund'; amount: number; balance_transaction: string; charge: string; created: number; currency: string;
  metadata: Metadata; payment_intent: string; reason: string | null; status: 'succeeded';
}

export interface SimPayout {
  id: string; object: 'payout'; amount: number; arrival_date: number; automatic: boolean; balance_transaction: string;
  created: number; currency: string; description: string | null; destination: string; failure_balance_transaction: string | null;
  failure_code: string | null; failure_message: string | null; livemode: false; metadata: Metadata; method: 'standard';
  reconciliation_status: 'completed' | 'not_applicable'; source_type: 'card'; statement_descriptor: null; status: 'paid' | 'failed'; type: 'bank_account';
}

export type SimObject = SimPaymentIntent | SimCharge | SimBalanceTransaction | SimRefund | SimPayout | SimDispute;

export interface SimEvent {
  id: string; object: 'event'; api_version: string; created: number; data: { object: SimObject }; livemode: false;
  pending_webhooks: number; request: { id: string | null; idempotency_key: string | null }; type: string;
}

export interface RequestContext {
  requestId: string | null;
  idempotencyKey: string | null;
}

export interface StripeList<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

export interface StripeSimStateOptions {
  apiVersion: string;
  /** Called once per API call with the events it raised, in order. */
  publish: (events: SimEvent[]) => void;
  /** How many webhook endpoints will be sent this event type. */
  pendingWebhooks: (type: string) => number;
}

const SECONDS_PER_DAY = 86_400;
/** Funds become available two days after the charge, Stripe's usual schedule for US accounts. */
const AVAILABLE_AFTER_DAYS = 2;
const CANCELLABLE: readonly PaymentIntentStatus[] = ['requires_payment_method', 'requires_capture', 'requires_confirmation', 'requires_action', 'processing'];
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function newId(prefix: string, length = 24): string {
  return `${prefix}_${[...randomBytes(length)].map((b) => BASE62[b % 62]).join('')}`;
}

/** Failure codes Stripe gives a payout the bank returned. */
export const PAYOUT_FAILURES: Record<string, string> = {
  account_closed: 'The bank account has been closed.',
  no_account: 'The bank account details on file are probably incorrect.',
  insufficient_funds: 'Your Stripe account has insufficient funds to cover the payout.',
  could_not_process: 'The bank could not process this payout.',
};

// ---- test cards -------------------------------------------------------------------

interface Decline { code: string; decline_code: string; message: string }

const DECLINES: Record<string, Decline> = {
  '': { code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' },
  InsufficientFunds: { code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' },
  Fraudulent: { code: 'card_declined', decline_code: 'fraudulent', message: 'Your card was declined.' },
  ExpiredCard: { code: 'expired_card', decline_code: 'expired_card', message: 'Your card has expired.' },
  IncorrectCvc: { code: 'incorrect_cvc', decline_code: 'incorrect_cvc', message: "Your card's security code is incorrect." },
  ProcessingError: { code: 'processing_error', decline_code: 'processing_error', message: 'An error occurred while processing your card. Try again in a little bit.' },
};
const LAST4: Record<string, string> = { visa: '4242', mastercard: '4444', amex: '8431', discover: '1117' };

/** Stripe's test payment methods: `pm_card_visa`, `pm_card_mastercard`, `pm_card_chargeDeclined…`, `pm_card_visa_chargeDeclined…`. */
function testCard(paymentMethod: string): { brand: string; last4: string; decline?: Decline } | undefined {
  const match = /^pm_card_(?:(visa|mastercard|amex|discover)_?)?(?:chargeDeclined(\w*))?$/.exec(paymentMethod);
  if (!match || (!match[1] && match[2] === undefined)) return undefined;
  const brand = match[1] ?? 'visa';
  if (match[2] === undefined) return { brand, last4: LAST4[brand]! };
  const decline = DECLINES[match[2]];
  return decline ? { brand, last4: '0002', decline } : undefined;
}

/**
 * Amounts are minor units in every currency (¥1,000 is 1000, 12.340 KWD is 12340), but card payments in the
 * three-decimal currencies must end in 0, as Stripe requires: 12.345 KWD cannot be charged or refunded.
 */
function chargeableAmount(amount: number, currency: string, param: string): void {
  if (currencyExponent(currency.toUpperCase()) === 3 && amount % 10 !== 0) {
    throw invalidRequest(`Invalid ${param}: amounts in ${currency} must be a multiple of 10 (the last of the three decimals must be 0).`,
      { code: 'parameter_invalid_integer', param });
  }
}

// ---- the account --------------------------------------------------------------------

export class StripeSimState {
  readonly paymentIntents = new Map<string, SimPaymentIntent>();
  readonly charges = new Map<string, SimCharge>();
  readonly balanceTransactions = new Map<string, SimBalanceTransaction>();
  readonly refunds = new Map<string, SimRefund>();
  readonly payouts = new Map<string, SimPayout>();
  readonly disputes = new Map<string, SimDispute>();
  readonly events: SimEvent[] = [];
  /** Seconds added to the wall clock, so tests can create objects on other days (`POST /__sim/clock`). */
  clockOffsetSeconds = 0;
  /** Which payout settled a balance transaction; kept apart because it is not a field of the object. */
  private readonly paidOutBy = new Map<string, string>();
  private outbox: SimEvent[] = [];
  private request: RequestContext = { requestId: null, idempotencyKey: null };

  constructor(private readonly opts: StripeSimStateOptions) {}

  /** Runs one API call; its events are published together, even when the call ends in an error (a decline). */
  transact<T>(ctx: RequestContext, fn: () => T): T {
    this.request = ctx;
    try {
      return fn();
    } finally {
      this.request = { requestId: null, idempotencyKey: null };
      const raised = this.outbox;
      this.outbox = [];
      if (raised.length > 0) this.opts.publish(raised);
    }
  }

  // ---- payment intents

  createPaymentIntent(raw: FormObject): SimPaymentIntent {
    const p = new Params(raw, [
      'amount', 'currency', 'capture_method', 'confirm', 'payment_method', 'payment_method_types', 'metadata', 'description',
      'receipt_email', 'automatic_payment_methods', 'off_session', 'return_url', 'statement_descriptor_suffix',
    ]);
    const amount = p.integer('amount', { required: true, min: 1 });
    const currency = this.currency(p);
    chargeableAmount(amount, currency, 'amount');
    const pi: SimPaymentIntent = {
      id: newId('pi'), object: 'payment_intent', amount, amount_capturable: 0, amount_received: 0, canceled_at: null,
      cancellation_reason: null, capture_method: p.string('capture_method', { oneOf: ['automatic', 'automatic_async', 'manual'] }) ?? 'automatic_async',
      client_secret: '', confirmation_method: 'automatic', created: this.now(), currency, customer: null,
      description: p.string('description') ?? null, last_payment_error: null, latest_charge: null, livemode: false,
      metadata: p.metadata() ?? {}, next_action: null, payment_method: this.paymentMethod(p) ?? null,
      payment_method_types: p.stringList('payment_method_types').length > 0 ? p.stringList('payment_method_types') : ['card'],
      receipt_email: p.string('receipt_email') ?? null, status: 'requires_payment_method',
    };
    pi.client_secret = `${pi.id}_secret_${newId('x').slice(2)}`;
    if (pi.payment_method) pi.status = 'requires_confirmation';
    this.paymentIntents.set(pi.id, pi);
    this.raise('payment_intent.created', pi);
    if (p.boolean('confirm')) this.confirm(pi);
    return pi;
  }

  confirmPaymentIntent(id: string, raw: FormObject): SimPaymentIntent {
    const p = new Params(raw, ['payment_method', 'capture_method', 'return_url', 'off_session', 'receipt_email']);
    const pi = this.paymentIntent(id);
    if (pi.status !== 'requires_payment_method' && pi.status !== 'requires_confirmation') {
      throw unexpectedState(`You cannot confirm this PaymentIntent because it has a status of ${pi.status}. ` +
        'Only a PaymentIntent with one of the following statuses may be confirmed: requires_confirmation, requires_payment_method, requires_action.', this.view(pi));
    }
    pi.payment_method = this.paymentMethod(p) ?? pi.payment_method;
    pi.capture_method = p.string('capture_method', { oneOf: ['automatic', 'automatic_async', 'manual'] }) ?? pi.capture_method;
    this.confirm(pi);
    return pi;
  }

  capturePaymentIntent(id: string, raw: FormObject): SimPaymentIntent {
    const p = new Params(raw, ['amount_to_capture', 'metadata', 'statement_descriptor_suffix']);
    const pi = this.paymentIntent(id);
    if (pi.status !== 'requires_capture') {
      throw unexpectedState(`This PaymentIntent could not be captured because it has a status of ${pi.status}. ` +
        'Only a PaymentIntent with one of the following statuses may be captured: requires_capture.', this.view(pi));
    }
    const amount = p.integer('amount_to_capture', { min: 1 }) ?? pi.amount_capturable;
    chargeableAmount(amount, pi.currency, 'amount_to_capture');
    if (amount > pi.amount_capturable) {
      throw invalidRequest(`The amount_to_capture (${amount}) cannot be greater than the amount_capturable (${pi.amount_capturable}).`,
        { code: 'amount_too_large', param: 'amount_to_capture' });
    }
    this.mergeMetadata(pi, p.metadata());
    const charge = this.charge(pi.latest_charge ?? '');
    this.settle(charge, amount);
    // A partial capture releases the rest of the authorisation; the simulator does not count it as refunded.
    pi.amount_received = amount;
    pi.amount_capturable = 0;
    pi.status = 'succeeded';
    this.raise('charge.captured', charge);
    this.raise('payment_intent.succeeded', pi);
    return pi;
  }

  cancelPaymentIntent(id: string, raw: FormObject): SimPaymentIntent {
    const p = new Params(raw, ['cancellation_reason']);
    const reason = p.string('cancellation_reason', { oneOf: ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'] });
    const pi = this.paymentIntent(id);
    if (!CANCELLABLE.includes(pi.status)) {
      throw unexpectedState(`You cannot cancel this PaymentIntent because it has a status of ${pi.status}. ` +
        `Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELLABLE.join(', ')}.`, this.view(pi));
    }
    pi.status = 'canceled';
    pi.canceled_at = this.now();
    pi.cancellation_reason = reason ?? null;
    pi.amount_capturable = 0;
    this.raise('payment_intent.canceled', pi);
    return pi;
  }

  updatePaymentIntent(id: string, raw: FormObject): SimPaymentIntent {
    const p = new Params(raw, ['metadata', 'description', 'receipt_email']);
    const pi = this.paymentIntent(id);
    this.mergeMetadata(pi, p.metadata());
    if (p.has('description')) pi.description = p.string('description') ?? null;
    if (p.has('receipt_email')) pi.receipt_email = p.string('receipt_email') ?? null;
    return pi;
  }

  // ---- refunds

  createRefund(raw: FormObject): SimRefund {
    const p = new Params(raw, ['payment_intent', 'charge', 'amount', 'reason', 'metadata', 'instructions_email']);
    const piId = p.string('payment_intent');
    const chargeId = p.string('charge');
    if (!piId && !chargeId) {
      throw invalidRequest('One of the following params should be provided for this request: payment_intent or charge.', { code: 'parameter_missing' });
    }
    const charge = chargeId ? this.charge(chargeId, 'charge') : this.refundableCharge(this.paymentIntent(piId!, 'payment_intent'));
    if (piId && charge.payment_intent !== piId) {
      throw invalidRequest(`Charge ${charge.id} does not belong to PaymentIntent ${piId}.`, { param: 'charge' });
    }
    if (!charge.captured) throw invalidRequest(`Charge ${charge.id} has not been captured and cannot be refunded; cancel its PaymentIntent instead.`, { param: 'charge' });
    const remaining = charge.amount_captured - charge.amount_refunded;
    if (remaining <= 0) throw invalidRequest(`Charge ${charge.id} has already been refunded.`, { code: 'charge_already_refunded' });
    const amount = p.integer('amount', { min: 1 }) ?? remaining;
    chargeableAmount(amount, charge.currency, 'amount');
    if (amount > remaining) {
      const money = (minor: number) => `${toDecimalString(minor, charge.currency.toUpperCase())} ${charge.currency}`;
      throw invalidRequest(`Refund amount (${money(amount)}) is greater than unrefunded amount on charge (${money(remaining)})`,
        { code: 'amount_too_large', param: 'amount' });
    }
    const id = newId('re');
    const txn = this.addBalanceTransaction({ amount: -amount, fee: 0, currency: charge.currency, type: 'refund', source: id, description: `REFUND FOR CHARGE (${charge.description ?? charge.id})` });
    const refund: SimRefund = {
      id, object: 'refund', amount, balance_transaction: txn.id, charge: charge.id, created: this.now(), currency: charge.currency,
      metadata: p.metadata() ?? {}, payment_intent: charge.payment_intent,
      reason: p.string('reason', { oneOf: ['duplicate', 'fraudulent', 'requested_by_customer'] }) ?? null, status: 'succeeded',
    };
    this.refunds.set(id, refund);
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount_captured;
    this.raise('charge.refunded', charge);
    this.raise('refund.created', refund);
    return refund;
  }

  updateRefund(id: string, raw: FormObject): SimRefund {
    const p = new Params(raw, ['metadata']);
    const refund = this.refund(id);
    this.mergeMetadata(refund, p.metadata());
    this.raise('refund.updated', refund);
    return refund;
  }

  // ---- payouts

  /** A manual payout: any amount up to the balance, without a list of the transactions it settles (as in Stripe). */
  createPayout(raw: FormObject): SimPayout {
    const p = new Params(raw, ['amount', 'currency', 'description', 'metadata', 'method', 'statement_descriptor']);
    const amount = p.integer('amount', { required: true, min: 1 });
    const currency = this.currency(p);
    if (amount > this.balance(currency)) {
      throw invalidRequest('You have insufficient funds in your Stripe account for this transfer. Your card balance is too low.',
        { code: 'balance_insufficient', param: 'amount' });
    }
    return this.addPayout({ amount, currency, automatic: false, settles: [], metadata: p.metadata() ?? {}, description: p.string('description') ?? null });
  }

  /**
   * The daily automatic payout, run on demand: pays out the whole balance and links every transaction not yet
   * paid out, which `GET /v1/balance_transactions?payout=` then lists. Pending funds count too, so demos need not wait.
   */
  runAutomaticPayout(currency: string): SimPayout | undefined {
    const amount = this.balance(currency);
    if (amount <= 0) return undefined;
    const settles = [...this.balanceTransactions.values()].filter((t) => t.currency === currency && t.type !== 'payout' && !this.paidOutBy.has(t.id));
    return this.addPayout({ amount, currency, automatic: true, settles, metadata: {}, description: 'STRIPE PAYOUT' });
  }

  /** The bank returned a paid payout: its money is back in the balance, and the next payout settles what it did. */
  failPayout(id: string, failureCode: string): SimPayout {
    const payout = this.payout(id);
    if (payout.status !== 'paid') throw invalidRequest(`Payout ${id} has already failed.`, { param: 'payout' });
    const reversal = this.addBalanceTransaction({
      amount: payout.amount, fee: 0, currency: payout.currency, type: 'payout_failure', reportingCategory: 'payout_reversal', source: id,
      description: `PAYOUT FAILURE (${payout.id})`,
    });
    for (const [txnId, payoutId] of this.paidOutBy) {
      if (payoutId === id && txnId !== payout.balance_transaction) this.paidOutBy.delete(txnId);
    }
    this.paidOutBy.set(reversal.id, id);
    Object.assign(payout, { status: 'failed', failure_code: failureCode, failure_message: PAYOUT_FAILURES[failureCode] ?? null, failure_balance_transaction: reversal.id });
    this.raise('payout.failed', payout);
    return payout;
  }

  // ---- disputes

  /** The cardholder's bank disputes a captured charge: the amount and Stripe's dispute fee leave the balance at once. */
  openDispute(chargeId: string, init: { amount?: number; reason?: string }): SimDispute {
    const charge = this.charge(chargeId, 'charge');
    if (!charge.captured) throw invalidRequest(`Charge ${charge.id} has not been captured and cannot be disputed.`, { param: 'charge' });
    const amount = init.amount ?? charge.amount_captured - charge.amount_refunded;
    if (amount < 1 || amount > charge.amount_captured) throw invalidRequest(`A dispute of ${amount} does not fit charge ${charge.id}.`, { param: 'amount' });
    if ([...this.disputes.values()].some((d) => d.charge === charge.id)) throw invalidRequest(`Charge ${charge.id} is already disputed.`, { code: 'charge_disputed' });
    const id = newId('dp');
    const created = this.now();
    const withdrawal = this.addBalanceTransaction({
      amount: -amount, fee: disputeFeeMinor(charge.currency), currency: charge.currency, type: 'adjustment', reportingCategory: 'dispute', source: id,
      description: `Chargeback withdrawal for ${charge.id}`, feeDescription: 'Dispute fee',
    });
    const dispute: SimDispute = {
      id, object: 'dispute', amount, balance_transactions: [withdrawal], charge: charge.id, created, currency: charge.currency, evidence: {},
      evidence_details: { due_by: created + 7 * SECONDS_PER_DAY, has_evidence: false, past_due: false, submission_count: 0 },
      is_charge_refundable: false, livemode: false, metadata: {}, payment_intent: charge.payment_intent, reason: init.reason ?? 'fraudulent', status: 'needs_response',
    };
    this.disputes.set(id, dispute);
    charge.disputed = true;
    this.raise('charge.dispute.created', dispute);
    this.raise('charge.dispute.funds_withdrawn', dispute);
    return dispute;
  }

  /** The bank decided. Won: the amount and the fee come back in a second balance transaction. Lost: nothing moves. */
  closeDispute(id: string, outcome: 'won' | 'lost'): SimDispute {
    const dispute = this.dispute(id);
    if (dispute.status === 'won' || dispute.status === 'lost') throw invalidRequest(`Dispute ${id} is already closed (${dispute.status}).`, { param: 'dispute' });
    dispute.status = outcome;
    if (outcome === 'won') {
      const withdrawal = dispute.balance_transactions[0]!;
      dispute.balance_transactions.push(this.addBalanceTransaction({
        amount: dispute.amount, fee: -withdrawal.fee, currency: dispute.currency, type: 'adjustment', reportingCategory: 'dispute_reversal', source: id,
        description: `Chargeback reversal for ${dispute.charge}`, feeDescription: 'Dispute fee refund',
      }));
    }
    this.raise('charge.dispute.closed', dispute);
    if (outcome === 'won') this.raise('charge.dispute.funds_reinstated', dispute);
    return dispute;
  }

  /** Net of every balance transaction in this currency, payouts included. */
  balance(currency: string): number {
    return [...this.balanceTransactions.values()].filter((t) => t.currency === currency).reduce((sum, t) => sum + t.net, 0);
  }

  // ---- lookups

  paymentIntent(id: string, param = 'intent'): SimPaymentIntent {
    return this.paymentIntents.get(id) ?? this.missing('payment_intent', id, param);
  }
  charge(id: string, param = 'id'): SimCharge {
    return this.charges.get(id) ?? this.missing('charge', id, param);
  }
  balanceTransaction(id: string): SimBalanceTransaction {
    return this.balanceTransactions.get(id) ?? this.missing('balance_transaction', id, 'id');
  }
  refund(id: string): SimRefund {
    return this.refunds.get(id) ?? this.missing('refund', id, 'refund');
  }
  payout(id: string): SimPayout {
    return this.payouts.get(id) ?? this.missing('payout', id, 'payout');
  }
  dispute(id: string): SimDispute {
    return this.disputes.get(id) ?? this.missing('dispute', id, 'dispute');
  }
  event(id: string): SimEvent {
    return this.events.find((e) => e.id === id) ?? this.missing('event', id, 'id');
  }

  /** Any object by id, for `expand[]`. */
  find(id: string): SimObject | undefined {
    return this.paymentIntents.get(id) ?? this.charges.get(id) ?? this.balanceTransactions.get(id) ?? this.refunds.get(id) ?? this.payouts.get(id)
      ?? this.disputes.get(id);
  }

  /**
   * A list field the API leaves out unless `expand[]` names it: a charge's `refunds`, its first page (10, newest
   * first, `has_more` beyond). Undefined for any other field.
   */
  expandableList(node: { object?: unknown; id?: unknown }, field: string): StripeList<SimRefund> | undefined {
    if (node.object !== 'charge' || field !== 'refunds' || typeof node.id !== 'string') return undefined;
    const refunds = [...this.refunds.values()].filter((r) => r.charge === node.id).map((r) => this.view(r)).reverse();
    return { object: 'list', data: refunds.slice(0, 10), has_more: refunds.length > 10, url: `/v1/charges/${node.id}/refunds` };
  }

  payoutOf(txnId: string): string | undefined {
    return this.paidOutBy.get(txnId);
  }

  /** A copy as the API returns it; a balance transaction's status follows the clock. */
  view<T extends SimObject>(object: T): T {
    const copy = structuredClone(object);
    if (copy.object === 'balance_transaction') copy.status = copy.available_on <= this.now() ? 'available' : 'pending';
    return copy;
  }

  /** The simulated account's clock, in unix seconds. */
  now(): number {
    return Math.floor(Date.now() / 1000) + this.clockOffsetSeconds;
  }

  /** One page, newest first, with `limit` (1–100, default 10), `starting_after` and `ending_before`. */
  page<T extends { id: string }>(itemsOldestFirst: readonly T[], p: Params, url: string): StripeList<T> {
    const limit = p.integer('limit', { min: 1 }) ?? 10;
    if (limit > 100) throw invalidRequest('This value must be less than or equal to 100.', { code: 'parameter_invalid_integer', param: 'limit' });
    const items = [...itemsOldestFirst].reverse();
    const after = p.string('starting_after');
    const before = p.string('ending_before');
    const cursor = (id: string, param: string) => {
      const index = items.findIndex((i) => i.id === id);
      if (index < 0) throw resourceMissing('object', id, param);
      return index;
    };
    if (before !== undefined) {
      const end = cursor(before, 'ending_before');
      const start = Math.max(0, end - limit);
      return { object: 'list', data: items.slice(start, end), has_more: start > 0, url };
    }
    const start = after !== undefined ? cursor(after, 'starting_after') + 1 : 0;
    return { object: 'list', data: items.slice(start, start + limit), has_more: start + limit < items.length, url };
  }

  reset(): void {
    for (const map of [this.paymentIntents, this.charges, this.balanceTransactions, this.refunds, this.payouts, this.disputes, this.paidOutBy]) map.clear();
    this.clockOffsetSeconds = 0;
    this.events.length = 0;
    this.outbox = [];
  }

  // ---- internals

  private confirm(pi: SimPaymentIntent): void {
    if (!pi.payment_method) {
      throw unexpectedState('You cannot confirm this PaymentIntent because it\'s missing a payment method. ' +
        'To confirm the PaymentIntent with cus_xxx, specify a payment method attached to this customer along with the customer ID.', this.view(pi));
    }
    const card = testCard(pi.payment_method)!;
    const charge: SimCharge = {
      id: newId('ch'), object: 'charge', amount: pi.amount, amount_captured: 0, amount_refunded: 0, balance_transaction: null,
      captured: false, created: this.now(), currency: pi.currency, description: pi.description, failure_code: null, failure_message: null,
      livemode: false, metadata: { ...pi.metadata },
      outcome: { network_status: 'approved_by_network', reason: null, risk_level: 'normal', seller_message: 'Payment complete.', type: 'authorized' },
      paid: true, payment_intent: pi.id, payment_method: pi.payment_method,
      payment_method_details: { type: 'card', card: { brand: card.brand, last4: card.last4, exp_month: 12, exp_year: new Date().getUTCFullYear() + 3, funding: 'credit' } },
      refunded: false, status: 'succeeded', disputed: false,
    };
    this.charges.set(charge.id, charge);
    pi.latest_charge = charge.id;

    if (card.decline) {
      const { code, decline_code, message } = card.decline;
      Object.assign(charge, { status: 'failed', paid: false, failure_code: code, failure_message: message });
      charge.outcome = { network_status: 'declined_by_network', reason: decline_code, risk_level: 'normal', seller_message: 'The bank did not return any further details with this decline.', type: 'issuer_declined' };
      // Stripe detaches a declined payment method: the customer has to supply another one.
      pi.last_payment_error = { type: 'card_error', code, decline_code, message, charge: charge.id, payment_method: { id: pi.payment_method, object: 'payment_method', type: 'card' } };
      pi.payment_method = null;
      pi.status = 'requires_payment_method';
      this.raise('charge.failed', charge);
      this.raise('payment_intent.payment_failed', pi);
      throw new StripeApiError(402, { type: 'card_error', code, decline_code, message, charge: charge.id, payment_intent: this.view(pi) });
    }

    pi.last_payment_error = null;
    if (pi.capture_method === 'manual') {
      pi.amount_capturable = pi.amount;
      pi.status = 'requires_capture';
      this.raise('charge.succeeded', charge);
      this.raise('payment_intent.amount_capturable_updated', pi);
      return;
    }
    this.settle(charge, pi.amount);
    pi.amount_received = pi.amount;
    pi.status = 'succeeded';
    this.raise('charge.succeeded', charge);
    this.raise('payment_intent.succeeded', pi);
  }

  /** Captures money on a charge: only now does it reach the balance, less the fee. */
  private settle(charge: SimCharge, amount: number): void {
    const fee = processingFeeMinor(amount, charge.currency);
    const txn = this.addBalanceTransaction({ amount, fee, currency: charge.currency, type: 'charge', source: charge.id, description: charge.description });
    charge.captured = true;
    charge.amount_captured = amount;
    charge.balance_transaction = txn.id;
  }

  private refundableCharge(pi: SimPaymentIntent): SimCharge {
    const charge = pi.latest_charge ? this.charges.get(pi.latest_charge) : undefined;
    if (!charge || charge.status !== 'succeeded' || (!charge.captured && pi.status !== 'requires_capture')) {
      throw invalidRequest(`This PaymentIntent (${pi.id}) does not have a successful charge to refund.`, { param: 'payment_intent' });
    }
    return charge;
  }

  private addBalanceTransaction(init: {
    amount: number; fee: number; currency: string; type: BalanceTransactionType; source: string; description: string | null;
    reportingCategory?: string; feeDescription?: string;
  }): SimBalanceTransaction {
    const created = this.now();
    const feeDetail = { amount: init.fee, application: null, currency: init.currency, description: init.feeDescription ?? 'Stripe processing fees', type: 'stripe_fee' as const };
    const txn: SimBalanceTransaction = {
      id: newId('txn'), object: 'balance_transaction', amount: init.amount,
      available_on: init.type === 'charge' ? created + AVAILABLE_AFTER_DAYS * SECONDS_PER_DAY : created,
      created, currency: init.currency, description: init.description, exchange_rate: null, fee: init.fee, net: init.amount - init.fee,
      fee_details: init.fee !== 0 ? [feeDetail] : [],
      reporting_category: init.reportingCategory ?? init.type, source: init.source, status: 'pending', type: init.type,
    };
    this.balanceTransactions.set(txn.id, txn);
    return txn;
  }

  private addPayout(init: { amount: number; currency: string; automatic: boolean; settles: SimBalanceTransaction[]; metadata: Metadata; description: string | null }): SimPayout {
    const id = newId('po');
    const txn = this.addBalanceTransaction({ amount: -init.amount, fee: 0, currency: init.currency, type: 'payout', source: id, description: init.description });
    const created = this.now();
    const payout: SimPayout = {
      id, object: 'payout', amount: init.amount, arrival_date: created, automatic: init.automatic, balance_transaction: txn.id, created,
      currency: init.currency, description: init.description, destination: 'ba_simulator', failure_balance_transaction: null, failure_code: null, failure_message: null,
      livemode: false, metadata: init.metadata, method: 'standard', reconciliation_status: init.automatic ? 'completed' : 'not_applicable',
      source_type: 'card', statement_descriptor: null, status: 'paid', type: 'bank_account',
    };
    this.payouts.set(id, payout);
    for (const settled of [...init.settles, txn]) this.paidOutBy.set(settled.id, id);
    this.raise('payout.created', payout);
    this.raise('payout.paid', payout);
    // Stripe reconciles an automatic payout's transactions after it is paid; a manual payout has no list to reconcile.
    if (init.automatic) this.raise('payout.reconciliation_completed', payout);
    return payout;
  }

  private currency(p: Params): string {
    const currency = p.string('currency', { required: true }).toLowerCase();
    if (!/^[a-z]{3}$/.test(currency)) throw invalidRequest(`Invalid currency: ${currency}.`, { param: 'currency' });
    return currency;
  }

  private paymentMethod(p: Params): string | undefined {
    const pm = p.string('payment_method');
    if (pm !== undefined && !testCard(pm)) throw resourceMissing('PaymentMethod', pm, 'payment_method');
    return pm;
  }

  private mergeMetadata(target: { metadata: Metadata }, patch: Metadata | null | undefined): void {
    if (patch === undefined) return;
    if (patch === null) {
      target.metadata = {};
      return;
    }
    for (const [key, value] of Object.entries(patch)) {
      if (value === '') delete target.metadata[key];
      else target.metadata[key] = value;
    }
  }

  private raise(type: string, object: SimObject): void {
    const event: SimEvent = {
      id: newId('evt'), object: 'event', api_version: this.opts.apiVersion, created: this.now(), data: { object: this.view(object) },
      livemode: false, pending_webhooks: this.opts.pendingWebhooks(type),
      request: { id: this.request.requestId, idempotency_key: this.request.idempotencyKey }, type,
    };
    this.events.push(event);
    if (this.events.length > 10_000) this.events.splice(0, this.events.length - 10_000);
    this.outbox.push(event);
  }

  private missing(kind: string, id: string, param: string): never {
    throw resourceMissing(kind, id, param);
  }
}
