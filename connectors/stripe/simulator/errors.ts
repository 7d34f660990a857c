import type { FaultKind } from '../../../simulators/faults';

/** Errors in Stripe's shape, `{ error: { type, code, message, param, ... } }`, which the official SDK turns into its error classes. */

export type StripeErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

export interface StripeErrorFields {
  type: StripeErrorType;
  message: string;
  code?: string;
  param?: string;
  decline_code?: string;
  charge?: string;
  /** Stripe embeds the intent in errors about it, so clients can see its state without another call. */
  payment_intent?: unknown;
}

export class StripeApiError extends Error {
  constructor(readonly status: number, readonly fields: StripeErrorFields) {
    super(fields.message);
  }

  body(): { error: StripeErrorFields & { doc_url?: string } } {
    const docUrl = this.fields.code ? { doc_url: `https://stripe.com/docs/error-codes/${this.fields.code.replace(/_/g, '-')}` } : {};
    return { error: { ...this.fields, ...docUrl } };
  }
}

export const invalidRequest = (message: string, extra: Omit<StripeErrorFields, 'type' | 'message'> = {}, status = 400) =>
  new StripeApiError(status, { type: 'invalid_request_error', message, ...extra });

export const resourceMissing = (kind: string, id: string, param = 'id') =>
  invalidRequest(`No such ${kind}: '${id}'`, { code: 'resource_missing', param }, 404);

export const unexpectedState = (message: string, paymentIntent: unknown) =>
  invalidRequest(message, { code: 'payment_intent_unexpected_state', payment_intent: paymentIntent });

export const idempotencyMismatch = (key: string) => new StripeApiError(400, {
  type: 'idempotency_error',
  message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
});

/** The body of an injected fault: what Stripe answers when rate-limiting or failing internally. */
export function faultBody(status: number, kind: FaultKind): unknown {
  if (kind === 'rate-limit' || status === 429) {
    return invalidRequest('Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.', { code: 'rate_limit' }, 429).body();
  }
  if (status >= 500) {
    return new StripeApiError(status, { type: 'api_error', message: 'An unknown error occurred' }).body();
  }
  return invalidRequest(`Injected fault: HTTP ${status}`, {}, status).body();
}
