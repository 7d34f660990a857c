import Stripe from 'stripe';
import { classifyStatus, parseRetryAfter } from '../../domain/http-status';
import { DEFAULT_TIMEOUT_MS, VendorHttpError } from '../http';
import { noteVendorRequest } from '../../observability/vendor-calls';

/**
 * The payments port over the official `stripe` SDK (real Stripe or our simulator). Answers are small typed views
 * in integer minor units with upper-case currencies; failures are VendorHttpError, classified like every vendor's.
 * The SDK never retries and never invents idempotency keys: Temporal retries, and every mutating call takes the
 * caller's key, derived from the business operation, so a retried activity cannot capture or refund twice.
 */

/** Stripe may add statuses; anything not listed here should be treated as "not final yet". */
export type PaymentIntentStatus =
  | 'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing' | 'requires_capture' | 'canceled' | 'succeeded';
export type CancellationReason = 'duplicate' | 'fraudulent' | 'requested_by_customer' | 'abandoned';
export type RefundReason = 'duplicate' | 'fraudulent' | 'requested_by_customer';

export interface PaymentIntentView {
  id: string;
  status: PaymentIntentStatus;
  amountMinor: number;
  amountCapturableMinor: number;
  amountReceivedMinor: number;
  /** ISO 4217, upper case. */
  currency: string;
  latestChargeId: string | null;
  metadata: Record<string, string>;
  /** When the intent was created (UTC). */
  createdAt?: string;
  /** Why the last attempt to pay failed (Stripe keeps the intent open for another attempt). */
  lastPaymentError?: string | null;
}

export interface ChargeView {
  id: string;
  paymentIntentId: string | null;
  status: 'succeeded' | 'pending' | 'failed';
  amountMinor: number;
  amountCapturedMinor: number;
  amountRefundedMinor: number;
  captured: boolean;
  refunded: boolean;
  currency: string;
  balanceTransactionId: string | null;
  /** Stripe's fee and what reaches the balance; null until the charge is captured. */
  feeMinor: number | null;
  netMinor: number | null;
  /** When the captured money reached the balance (its balance transaction's time), null before the capture. */
  capturedAt?: string | null;
}

export interface RefundView {
  id: string;
  paymentIntentId: string | null;
  chargeId: string | null;
  amountMinor: number;
  currency: string;
  status: string | null;
  reason: string | null;
  balanceTransactionId: string | null;
  metadata: Record<string, string>;
}

export interface PaymentsPort {
  retrievePaymentIntent(id: string): Promise<PaymentIntentView>;
  capturePaymentIntent(id: string, opts: { amountMinor?: number; idempotencyKey: string }): Promise<PaymentIntentView>;
  cancelPaymentIntent(id: string, opts: { reason?: CancellationReason; idempotencyKey: string }): Promise<PaymentIntentView>;
  createRefund(input: { paymentIntentId: string; amountMinor: number; reason?: RefundReason; idempotencyKey: string; metadata?: Record<string, string> }): Promise<RefundView>;
  listRefunds(paymentIntentId: string): Promise<RefundView[]>;
  retrieveCharge(id: string): Promise<ChargeView>;
}

export interface StripePaymentsOptions {
  apiKey: string;
  /** e.g. https://api.stripe.com or the simulator's http://127.0.0.1:4030; no path, the SDK adds /v1. */
  baseUrl: string;
  timeoutMs?: number;
}

export interface CreatePaymentIntentInput {
  amountMinor: number;
  currency: string;
  captureMethod?: 'automatic' | 'automatic_async' | 'manual';
  paymentMethod?: string;
  confirm?: boolean;
  description?: string;
  metadata?: Record<string, string>;
  idempotencyKey: string;
}

/** Where the SDK should connect: it takes host, port and protocol separately rather than a URL. */
export function sdkAddress(baseUrl: string): { host: string; port: number; protocol: 'http' | 'https' } {
  const url = new URL(baseUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`Stripe base URL must be http(s), got "${baseUrl}"`);
  if (url.pathname.replace(/\/+$/, '') !== '' || url.search) throw new Error(`Stripe base URL must have no path, got "${baseUrl}"`);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port || (protocol === 'https' ? 443 : 80)), protocol };
}

/** Turns an SDK error into the shared VendorHttpError; anything else is returned untouched. */
export function toVendorError(err: unknown, method: string, path: string): unknown {
  if (!(err instanceof Stripe.errors.StripeError)) return err;
  // No answer at all (refused, reset, timed out): status 0, always worth another try.
  const status = err instanceof Stripe.errors.StripeConnectionError ? 0 : (err.statusCode ?? 0);
  const body = { type: err.rawType, code: err.code, decline_code: err.decline_code, param: err.param, message: err.message, requestId: err.requestId };
  return new VendorHttpError({
    vendor: 'stripe', status, method, path,
    body: Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)),
    retryAfterMs: parseRetryAfter(err.headers?.['retry-after'], Date.now()),
    statusClass: status === 0 ? 'retryable' : classifyStatus(status),
    detail: [err.message || err.type, err.code && `(${err.code})`, err.decline_code && `[${err.decline_code}]`].filter(Boolean).join(' '),
  });
}

/** Stripe's code for "the intent is not in a state that allows this", which may mean a step already happened. */
const isUnexpectedState = (err: unknown) =>
  err instanceof VendorHttpError && (err.body as { code?: string } | undefined)?.code === 'payment_intent_unexpected_state';

function requireKey(key: string): void {
  if (typeof key !== 'string' || key.trim() === '' || key.length > 255) throw new Error('a Stripe idempotency key (1-255 characters) is required');
}

function requireId(id: string, prefix: string, what: string): string {
  if (!new RegExp(`^${prefix}_[A-Za-z0-9]+$`).test(id)) throw new Error(`${what} id must look like ${prefix}_..., got "${id}"`);
  return id;
}

const idOf = (value: string | { id: string } | null | undefined) => (typeof value === 'string' ? value : (value?.id ?? null));

export function paymentIntentView(pi: Stripe.PaymentIntent): PaymentIntentView {
  return {
    id: pi.id,
    status: pi.status as PaymentIntentStatus,
    amountMinor: pi.amount,
    amountCapturableMinor: pi.amount_capturable,
    amountReceivedMinor: pi.amount_received,
    currency: pi.currency.toUpperCase(),
    latestChargeId: idOf(pi.latest_charge),
    metadata: { ...pi.metadata },
    createdAt: new Date(pi.created * 1000).toISOString(),
    lastPaymentError: pi.last_payment_error ? (pi.last_payment_error.message ?? pi.last_payment_error.code ?? 'payment failed') : null,
  };
}

export function chargeView(charge: Stripe.Charge): ChargeView {
  const txn = typeof charge.balance_transaction === 'object' ? charge.balance_transaction : null;
  return {
    id: charge.id,
    paymentIntentId: idOf(charge.payment_intent),
    status: charge.status as ChargeView['status'],
    amountMinor: charge.amount,
    amountCapturedMinor: charge.amount_captured,
    amountRefundedMinor: charge.amount_refunded,
    captured: charge.captured,
    refunded: charge.refunded,
    currency: charge.currency.toUpperCase(),
    balanceTransactionId: idOf(charge.balance_transaction),
    feeMinor: txn?.fee ?? null,
    netMinor: txn?.net ?? null,
    capturedAt: txn ? new Date(txn.created * 1000).toISOString() : null,
  };
}

export function refundView(refund: Stripe.Refund): RefundView {
  return {
    id: refund.id,
    paymentIntentId: idOf(refund.payment_intent),
    chargeId: idOf(refund.charge),
    amountMinor: refund.amount,
    currency: refund.currency.toUpperCase(),
    status: refund.status,
    reason: refund.reason,
    balanceTransactionId: idOf(refund.balance_transaction),
    metadata: { ...refund.metadata },
  };
}

/**
 * The metadata key every refund we create carries: the idempotency key that made it. A refund without it was made
 * somewhere else (Stripe's dashboard, another integration), which the refund events' consumers must tell apart.
 */
export const ENGINE_REFUND_KEY = 'engine_refund_key';

export function refundOrigin(metadata: Record<string, string> | null | undefined): 'engine' | 'external' {
  return metadata?.[ENGINE_REFUND_KEY] ? 'engine' : 'external';
}

/** Money reaches Stripe only as a positive whole number of minor units: never a float, never zero. */
function assertMinorUnits(amount: number, what: string): void {
  if (!Number.isSafeInteger(amount) || amount <= 0) throw new Error(`${what} amount must be a positive integer of minor units, got ${amount}`);
}

export class StripePayments implements PaymentsPort {
  readonly stripe: Stripe;

  constructor(opts: StripePaymentsOptions) {
    this.stripe = new Stripe(opts.apiKey, {
      ...sdkAddress(opts.baseUrl),
      // Temporal owns retries; an SDK retry would hide attempts from the workflow history.
      maxNetworkRetries: 0,
      timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      telemetry: false,
      appInfo: { name: 'integration-engine' },
    });
  }

  async retrievePaymentIntent(id: string): Promise<PaymentIntentView> {
    const path = `/v1/payment_intents/${requireId(id, 'pi', 'PaymentIntent')}`;
    return paymentIntentView(await this.call('GET', path, () => this.stripe.paymentIntents.retrieve(id)));
  }

  /**
   * The intent with its latest charge expanded, and in the charge its balance transaction (the fee) and the first
   * page of its refunds: what a payment's whole state needs, in one call.
   */
  async retrievePaymentIntentWithCharge(id: string): Promise<Stripe.PaymentIntent> {
    const path = `/v1/payment_intents/${requireId(id, 'pi', 'PaymentIntent')}`;
    return this.call('GET', path, () => this.stripe.paymentIntents.retrieve(id, { expand: ['latest_charge.balance_transaction', 'latest_charge.refunds'] }));
  }

  /** Full capture unless `amountMinor`; an intent already captured for that amount is returned, not an error. */
  async capturePaymentIntent(id: string, opts: { amountMinor?: number; idempotencyKey: string }): Promise<PaymentIntentView> {
    requireKey(opts.idempotencyKey);
    const path = `/v1/payment_intents/${requireId(id, 'pi', 'PaymentIntent')}/capture`;
    if (opts.amountMinor !== undefined) assertMinorUnits(opts.amountMinor, 'capture');
    const params = opts.amountMinor === undefined ? {} : { amount_to_capture: opts.amountMinor };
    try {
      return paymentIntentView(await this.call('POST', path, () => this.stripe.paymentIntents.capture(id, params, { idempotencyKey: opts.idempotencyKey })));
    } catch (err) {
      if (!isUnexpectedState(err)) throw err;
      const current = await this.retrievePaymentIntent(id);
      if (current.status === 'succeeded' && (opts.amountMinor === undefined || current.amountReceivedMinor === opts.amountMinor)) return current;
      throw err;
    }
  }

  /** An intent that is already canceled is returned, not an error. */
  async cancelPaymentIntent(id: string, opts: { reason?: CancellationReason; idempotencyKey: string }): Promise<PaymentIntentView> {
    requireKey(opts.idempotencyKey);
    const path = `/v1/payment_intents/${requireId(id, 'pi', 'PaymentIntent')}/cancel`;
    const params = opts.reason ? { cancellation_reason: opts.reason } : {};
    try {
      return paymentIntentView(await this.call('POST', path, () => this.stripe.paymentIntents.cancel(id, params, { idempotencyKey: opts.idempotencyKey })));
    } catch (err) {
      if (!isUnexpectedState(err)) throw err;
      const current = await this.retrievePaymentIntent(id);
      if (current.status === 'canceled') return current;
      throw err;
    }
  }

  async createRefund(input: { paymentIntentId: string; amountMinor: number; reason?: RefundReason; idempotencyKey: string; metadata?: Record<string, string> }): Promise<RefundView> {
    requireKey(input.idempotencyKey);
    requireId(input.paymentIntentId, 'pi', 'PaymentIntent');
    assertMinorUnits(input.amountMinor, 'refund');
    const params: Stripe.RefundCreateParams = {
      payment_intent: input.paymentIntentId,
      amount: input.amountMinor,
      ...(input.reason ? { reason: input.reason } : {}),
      metadata: { ...input.metadata, [ENGINE_REFUND_KEY]: input.idempotencyKey },
    };
    return refundView(await this.call('POST', '/v1/refunds', () => this.stripe.refunds.create(params, { idempotencyKey: input.idempotencyKey })));
  }

  /** Every refund of an intent, oldest first (follows pagination). */
  async listRefunds(paymentIntentId: string): Promise<RefundView[]> {
    requireId(paymentIntentId, 'pi', 'PaymentIntent');
    const refunds: RefundView[] = [];
    let startingAfter: string | undefined;
    for (;;) {
      const page = await this.call('GET', '/v1/refunds', () =>
        this.stripe.refunds.list({ payment_intent: paymentIntentId, limit: 100, ...(startingAfter ? { starting_after: startingAfter } : {}) }));
      refunds.push(...page.data.map(refundView));
      const last = page.data[page.data.length - 1];
      if (!page.has_more || !last) break;
      startingAfter = last.id;
    }
    return refunds.reverse();
  }

  /** The charge with its fee, read from the expanded balance transaction in the same call. */
  async retrieveCharge(id: string): Promise<ChargeView> {
    const path = `/v1/charges/${requireId(id, 'ch', 'Charge')}`;
    return chargeView(await this.call('GET', path, () => this.stripe.charges.retrieve(id, { expand: ['balance_transaction'] })));
  }

  /** For tests and the demo: what a checkout does. */
  async createPaymentIntent(input: CreatePaymentIntentInput): Promise<PaymentIntentView> {
    requireKey(input.idempotencyKey);
    assertMinorUnits(input.amountMinor, 'payment');
    const params: Stripe.PaymentIntentCreateParams = {
      amount: input.amountMinor,
      currency: input.currency.toLowerCase(),
      ...(input.captureMethod ? { capture_method: input.captureMethod } : {}),
      ...(input.paymentMethod ? { payment_method: input.paymentMethod } : {}),
      ...(input.confirm !== undefined ? { confirm: input.confirm } : {}),
      ...(input.description ? { description: input.description } : {}),
      ...(input.metadata ? { metadata: input.metadata } : {}),
    };
    return paymentIntentView(await this.call('POST', '/v1/payment_intents', () => this.stripe.paymentIntents.create(params, { idempotencyKey: input.idempotencyKey })));
  }

  private async call<T>(method: string, path: string, run: () => Promise<T>): Promise<T> {
    noteVendorRequest('stripe');
    try {
      return await run();
    } catch (err) {
      throw toVendorError(err, method, path);
    }
  }
}
