import Stripe from 'stripe';
import { VendorHttpError } from '../../connectors/http';
import { ENGINE_REFUND_KEY, StripePayments } from '../../connectors/stripe/client';
import { parseStripe } from '../../connectors/stripe/webhooks';
import { verifyStripe } from '../../connectors/stripe/signature';
import type { StripeSimulator } from '../../connectors/stripe/simulator/server';
import { freePort } from '../../stack/free-port';
import { injectFaults, simPost } from '../support/sim-control';
import { SIM_KEY as KEY, SIM_WEBHOOK_SECRET as SECRET, startStripeSimFixture, type StripeEventReceiver, type StripeSimFixture } from '../support/stripe-sim-fixture';
import { failure, waitFor } from '../support/webhook-receiver';

/** The Stripe simulator driven only through the official SDK (via our connector), with a stand-in relay for its webhooks. */

const bodyOf = (err: VendorHttpError) => err.body as { type?: string; code?: string; decline_code?: string; param?: string };

describe('Stripe simulator driven by the official SDK', () => {
  let fixture: StripeSimFixture;
  let receiver: StripeEventReceiver;
  let sim: StripeSimulator;
  let payments: StripePayments;
  let stripe: Stripe;
  let keySeq = 0;
  const key = (what: string) => `${what}-${++keySeq}`;

  /** An intent authorised for manual capture, as a checkout leaves it. */
  const authorised = (amountMinor: number, metadata?: Record<string, string>) => payments.createPaymentIntent({
    amountMinor, currency: 'usd', captureMethod: 'manual', paymentMethod: 'pm_card_visa', confirm: true, metadata, idempotencyKey: key('create'),
  });
  const paid = (amountMinor: number) => payments.createPaymentIntent({
    amountMinor, currency: 'usd', captureMethod: 'automatic', paymentMethod: 'pm_card_visa', confirm: true, idempotencyKey: key('create'),
  });

  beforeAll(async () => {
    fixture = await startStripeSimFixture();
    ({ receiver, sim, payments, stripe } = fixture);
  });
  afterEach(async () => fixture.reset());
  afterAll(async () => fixture?.close());

  describe('payment intents', () => {
    it('authorises with manual capture, captures in full, and books the charge with the exact fee', async () => {
      const pi = await authorised(10_000, { order_id: 'SO-1001', 'shop order': 'A/1' });
      expect(pi).toMatchObject({
        id: expect.stringMatching(/^pi_/), status: 'requires_capture', amountMinor: 10_000, amountCapturableMinor: 10_000, amountReceivedMinor: 0,
        currency: 'USD', latestChargeId: expect.stringMatching(/^ch_/), metadata: { order_id: 'SO-1001', 'shop order': 'A/1' },
      });
      const held = await payments.retrieveCharge(pi.latestChargeId!);
      expect(held).toMatchObject({ captured: false, amountCapturedMinor: 0, balanceTransactionId: null, feeMinor: null, paymentIntentId: pi.id });

      const captured = await payments.capturePaymentIntent(pi.id, { idempotencyKey: key('capture') });
      expect(captured).toMatchObject({ status: 'succeeded', amountReceivedMinor: 10_000, amountCapturableMinor: 0 });
      const charge = await payments.retrieveCharge(pi.latestChargeId!);
      expect(charge).toMatchObject({
        status: 'succeeded', captured: true, amountMinor: 10_000, amountCapturedMinor: 10_000, amountRefundedMinor: 0, refunded: false,
        currency: 'USD', balanceTransactionId: expect.stringMatching(/^txn_/), feeMinor: 320, netMinor: 9_680,
      });

      const txn = await stripe.balanceTransactions.retrieve(charge.balanceTransactionId!);
      expect(txn).toMatchObject({ object: 'balance_transaction', amount: 10_000, fee: 320, net: 9_680, type: 'charge', source: charge.id, currency: 'usd', status: 'pending' });
      expect(txn.fee_details).toEqual([expect.objectContaining({ amount: 320, type: 'stripe_fee' })]);
      expect(txn.available_on - txn.created).toBe(2 * 86_400);

      const raw = await stripe.paymentIntents.retrieve(pi.id, { expand: ['latest_charge.balance_transaction'] });
      expect(raw).toMatchObject({ object: 'payment_intent', livemode: false, capture_method: 'manual', latest_charge: { id: charge.id, balance_transaction: { fee: 320 } } });
      expect(Math.abs(raw.created - Date.now() / 1000)).toBeLessThan(5);
    });

    it('captures part of an authorisation, releases the rest, and rounds the fee half-up', async () => {
      const pi = await authorised(2_000);
      const captured = await payments.capturePaymentIntent(pi.id, { amountMinor: 500, idempotencyKey: key('capture') });
      expect(captured).toMatchObject({ status: 'succeeded', amountMinor: 2_000, amountReceivedMinor: 500, amountCapturableMinor: 0 });
      // 2.9 % of 500 is 14.5: rounded up to 15, plus 30.
      expect(await payments.retrieveCharge(pi.latestChargeId!)).toMatchObject({ amountCapturedMinor: 500, feeMinor: 45, netMinor: 455 });

      const automatic = await paid(1_234);
      expect(automatic).toMatchObject({ status: 'succeeded', amountReceivedMinor: 1_234 });
      expect(await payments.retrieveCharge(automatic.latestChargeId!)).toMatchObject({ feeMinor: 66, netMinor: 1_168 });
    });

    it('refuses to capture more than is capturable, and an intent that is not awaiting capture', async () => {
      const pi = await authorised(1_000);
      const tooMuch = await failure(() => payments.capturePaymentIntent(pi.id, { amountMinor: 1_001, idempotencyKey: key('capture') }));
      expect(tooMuch).toMatchObject({ status: 400, statusClass: 'permanent', vendor: 'stripe', method: 'POST', path: `/v1/payment_intents/${pi.id}/capture` });
      expect(bodyOf(tooMuch)).toMatchObject({ code: 'amount_too_large', param: 'amount_to_capture' });

      const open = await payments.createPaymentIntent({ amountMinor: 1_000, currency: 'eur', idempotencyKey: key('create') });
      expect(open).toMatchObject({ status: 'requires_payment_method', currency: 'EUR', latestChargeId: null });
      const err = await failure(() => stripe.paymentIntents.capture(open.id), Stripe.errors.StripeInvalidRequestError);
      expect(err).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
      expect(err.payment_intent?.status).toBe('requires_payment_method');
    });

    it('confirms in two steps', async () => {
      const pi = await stripe.paymentIntents.create({ amount: 700, currency: 'usd', capture_method: 'manual', payment_method: 'pm_card_mastercard' });
      expect(pi.status).toBe('requires_confirmation');
      const confirmed = await stripe.paymentIntents.confirm(pi.id);
      expect(confirmed).toMatchObject({ status: 'requires_capture', amount_capturable: 700 });
    });

    it('cancels an authorisation; cancelling again returns it; a captured intent cannot be canceled', async () => {
      const pi = await authorised(3_000);
      const canceled = await payments.cancelPaymentIntent(pi.id, { reason: 'requested_by_customer', idempotencyKey: key('cancel') });
      expect(canceled).toMatchObject({ status: 'canceled', amountCapturableMinor: 0, amountReceivedMinor: 0 });
      expect((await stripe.paymentIntents.retrieve(pi.id)).cancellation_reason).toBe('requested_by_customer');
      expect(await payments.cancelPaymentIntent(pi.id, { idempotencyKey: key('cancel') })).toMatchObject({ status: 'canceled' });

      const captured = await paid(3_000);
      const err = await failure(() => payments.cancelPaymentIntent(captured.id, { idempotencyKey: key('cancel') }));
      expect(err).toMatchObject({ status: 400, statusClass: 'permanent' });
      expect(bodyOf(err).code).toBe('payment_intent_unexpected_state');
    });

    it('answers a declined card with a 402 card_error and leaves the intent awaiting another payment method', async () => {
      const err = await failure(() => payments.createPaymentIntent({
        amountMinor: 2_500, currency: 'usd', paymentMethod: 'pm_card_chargeDeclined', confirm: true, idempotencyKey: key('create'),
      }));
      expect(err).toMatchObject({ status: 402, statusClass: 'permanent' });
      expect(bodyOf(err)).toMatchObject({ type: 'card_error', code: 'card_declined', decline_code: 'generic_decline' });

      const sdkErr = await failure(() => stripe.paymentIntents.create({
        amount: 2_500, currency: 'usd', payment_method: 'pm_card_visa_chargeDeclinedInsufficientFunds', confirm: true,
      }), Stripe.errors.StripeCardError);
      expect(sdkErr).toMatchObject({ statusCode: 402, code: 'card_declined', decline_code: 'insufficient_funds', charge: expect.stringMatching(/^ch_/) });
      expect(sdkErr.payment_intent).toMatchObject({ status: 'requires_payment_method', payment_method: null, last_payment_error: { decline_code: 'insufficient_funds' } });
      const failedCharge = await stripe.charges.retrieve(sdkErr.charge!);
      expect(failedCharge).toMatchObject({ status: 'failed', paid: false, captured: false, failure_code: 'card_declined' });

      await waitFor(() => receiver.of('payment_intent.payment_failed').length === 2, 'the payment_failed events');
      expect(receiver.of('charge.failed')).toHaveLength(0);
    });

    it('answers unknown ids with 404 resource_missing and a wrong key with 401', async () => {
      const missing = await failure(() => payments.retrievePaymentIntent('pi_doesnotexist'));
      expect(missing).toMatchObject({ status: 404, statusClass: 'permanent' });
      expect(bodyOf(missing)).toMatchObject({ type: 'invalid_request_error', code: 'resource_missing', param: 'intent' });
      expect(bodyOf(await failure(() => payments.retrieveCharge('ch_nope')))).toMatchObject({ code: 'resource_missing' });

      const wrongKey = new StripePayments({ apiKey: 'sk_test_wrong_key_123456', baseUrl: sim.url });
      const unauthorised = await failure(() => wrongKey.retrievePaymentIntent('pi_123'));
      expect(unauthorised).toMatchObject({ status: 401, statusClass: 'permanent' });
      await expect(new Stripe('sk_test_wrong_key_123456', { host: '127.0.0.1', port: sim.port, protocol: 'http' }).charges.retrieve('ch_1'))
        .rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);

      const unknownParam = await failure(() => stripe.paymentIntents.create({ amount: 100, currency: 'usd', colour: 'red' } as Stripe.PaymentIntentCreateParams), Stripe.errors.StripeInvalidRequestError);
      expect(unknownParam).toMatchObject({ code: 'parameter_unknown', param: 'colour' });
    });
  });

  describe('idempotency', () => {
    it('captures once for one key and replays the stored answer', async () => {
      const pi = await authorised(4_000);
      const first = await stripe.paymentIntents.capture(pi.id, {}, { idempotencyKey: 'capture-order-42' });
      const again = await stripe.paymentIntents.capture(pi.id, {}, { idempotencyKey: 'capture-order-42' });
      expect(again.id).toBe(first.id);
      expect(again.status).toBe('succeeded');
      expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
      expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
      expect(sim.faults.requestCount('POST', '/v1/payment_intents/:id/capture')).toBe(2);
      expect([...sim.state.balanceTransactions.values()].filter((t) => t.type === 'charge')).toHaveLength(1);
      expect(sim.state.events.filter((e) => e.type === 'payment_intent.succeeded')).toHaveLength(1);

      // The connector's fallback: a new key on an already captured intent returns it rather than failing.
      expect(await payments.capturePaymentIntent(pi.id, { amountMinor: 4_000, idempotencyKey: key('capture') })).toMatchObject({ status: 'succeeded' });
      const other = await failure(() => payments.capturePaymentIntent(pi.id, { amountMinor: 100, idempotencyKey: key('capture') }));
      expect(bodyOf(other).code).toBe('payment_intent_unexpected_state');
    });

    it('refuses the same key with other parameters', async () => {
      const pi = await authorised(4_000);
      await payments.capturePaymentIntent(pi.id, { amountMinor: 1_000, idempotencyKey: 'cap-a' });
      const err = await failure(() => payments.capturePaymentIntent(pi.id, { amountMinor: 2_000, idempotencyKey: 'cap-a' }));
      expect(err).toMatchObject({ status: 400, statusClass: 'permanent' });
      expect(bodyOf(err).type).toBe('idempotency_error');
      await expect(stripe.refunds.create({ payment_intent: pi.id, amount: 10 }, { idempotencyKey: 'cap-a' })).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    });

    it('replays a card decline for the same key without charging again', async () => {
      const params = { amount: 900, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true };
      const first = await failure(() => stripe.paymentIntents.create(params, { idempotencyKey: 'decline-1' }), Stripe.errors.StripeCardError);
      const again = await failure(() => stripe.paymentIntents.create(params, { idempotencyKey: 'decline-1' }), Stripe.errors.StripeCardError);
      expect(again.charge).toBe(first.charge);
      expect(again.headers?.['idempotent-replayed']).toBe('true');
      expect(sim.state.charges.size).toBe(1);
    });
  });

  describe('refunds', () => {
    it('refunds partially twice, then refuses an over-refund', async () => {
      const pi = await paid(5_000);
      const first = await payments.createRefund({ paymentIntentId: pi.id, amountMinor: 1_000, reason: 'requested_by_customer', idempotencyKey: 'refund-1', metadata: { rma: 'R-1' } });
      expect(first).toEqual({
        id: expect.stringMatching(/^re_/), paymentIntentId: pi.id, chargeId: pi.latestChargeId, amountMinor: 1_000, currency: 'USD', status: 'succeeded',
        reason: 'requested_by_customer', balanceTransactionId: expect.stringMatching(/^txn_/), metadata: { rma: 'R-1', [ENGINE_REFUND_KEY]: 'refund-1' },
      });
      expect(await payments.createRefund({ paymentIntentId: pi.id, amountMinor: 1_000, idempotencyKey: 'refund-1', reason: 'requested_by_customer', metadata: { rma: 'R-1' } }))
        .toMatchObject({ id: first.id });
      await payments.createRefund({ paymentIntentId: pi.id, amountMinor: 1_500, idempotencyKey: 'refund-2' });

      const over = await failure(() => payments.createRefund({ paymentIntentId: pi.id, amountMinor: 2_501, idempotencyKey: 'refund-3' }));
      expect(over).toMatchObject({ status: 400, statusClass: 'permanent' });
      expect(bodyOf(over)).toMatchObject({ code: 'amount_too_large', param: 'amount' });

      expect((await payments.listRefunds(pi.id)).map((r) => r.amountMinor)).toEqual([1_000, 1_500]);
      expect(await payments.retrieveCharge(pi.latestChargeId!)).toMatchObject({ amountRefundedMinor: 2_500, refunded: false, feeMinor: 175 });
      const txn = await stripe.balanceTransactions.retrieve(first.balanceTransactionId!);
      expect(txn).toMatchObject({ type: 'refund', amount: -1_000, fee: 0, net: -1_000, source: first.id });

      await payments.createRefund({ paymentIntentId: pi.id, amountMinor: 2_500, idempotencyKey: 'refund-4' });
      expect(await payments.retrieveCharge(pi.latestChargeId!)).toMatchObject({ amountRefundedMinor: 5_000, refunded: true });
      const done = await failure(() => payments.createRefund({ paymentIntentId: pi.id, amountMinor: 1, idempotencyKey: 'refund-5' }));
      expect(bodyOf(done).code).toBe('charge_already_refunded');

      await waitFor(() => receiver.of('refund.created').length === 3 && receiver.of('charge.refunded').length === 3, 'the refund events');
    });

    it('refuses to refund an authorisation that was never captured', async () => {
      const pi = await authorised(1_000);
      const err = await failure(() => payments.createRefund({ paymentIntentId: pi.id, amountMinor: 100, idempotencyKey: key('refund') }));
      expect(err).toMatchObject({ status: 400, statusClass: 'permanent' });
    });
  });

  describe('webhooks', () => {
    it('sends each subscribed event signed, verifiable by the SDK and by the relay, and accepted by parseStripe', async () => {
      const pi = await authorised(6_000, { order_id: 'SO-7' });
      await payments.capturePaymentIntent(pi.id, { idempotencyKey: key('capture') });
      await waitFor(() => receiver.received.length === 3, 'three events');

      // Deliveries of separate API calls may overtake each other, as Stripe's do.
      expect(receiver.received.map((r) => r.event.type).sort()).toEqual(['charge.succeeded', 'payment_intent.amount_capturable_updated', 'payment_intent.succeeded']);
      for (const r of receiver.received) {
        expect(r.url).toBe('/webhooks/stripe');
        const header = r.headers['stripe-signature'] as string;
        expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
        const event = stripe.webhooks.constructEvent(r.raw, header, SECRET);
        expect(event.id).toBe(r.event.id);
        expect(verifyStripe({ secret: SECRET, rawBody: r.raw, header, nowSeconds: Math.floor(Date.now() / 1000) })).toEqual({ ok: true });
        const parsed = parseStripe('stripe', r.raw);
        expect(parsed.ok).toBe(true);
        if (parsed.ok) expect(parsed.events[0]).toMatchObject({ provider: 'stripe', eventId: r.event.id, topic: r.event.type });

        const tampered = Buffer.from(r.raw.toString('utf8').replace('"livemode": false', '"livemode": true'));
        expect(() => stripe.webhooks.constructEvent(tampered, header, SECRET)).toThrow(Stripe.errors.StripeSignatureVerificationError);
        expect(verifyStripe({ secret: SECRET, rawBody: tampered, header, nowSeconds: Math.floor(Date.now() / 1000) }).ok).toBe(false);
      }
      const succeeded = receiver.of('payment_intent.succeeded')[0]!.event;
      expect(succeeded.data.object).toMatchObject({ id: pi.id, status: 'succeeded', amount_received: 6_000, metadata: { order_id: 'SO-7' } });
      expect(parseStripe('stripe', receiver.of('payment_intent.succeeded')[0]!.raw)).toMatchObject({ ok: true, events: [{ businessKey: `stripe:payment_intent:${pi.id}` }] });
      expect(succeeded.request.idempotency_key).toMatch(/^capture-/);

      // Every event is kept, delivered or not (payment_intent.created and charge.captured are not subscribed).
      const listed = await stripe.events.list({ limit: 100 });
      expect(listed.data.map((e) => e.type)).toEqual(['payment_intent.succeeded', 'charge.captured', 'payment_intent.amount_capturable_updated', 'charge.succeeded', 'payment_intent.created']);
      const page = await stripe.events.list({ limit: 2, starting_after: listed.data[1]!.id });
      expect(page.data.map((e) => e.id)).toEqual([listed.data[2]!.id, listed.data[3]!.id]);
      expect(page.has_more).toBe(true);
      expect((await stripe.events.retrieve(succeeded.id)).data.object).toMatchObject({ id: pi.id, status: 'succeeded' });
    });

    it('retries a failing receiver, sends duplicates, and redelivers with the same event ids', async () => {
      receiver.failNext = [500];
      await paid(1_000);
      await waitFor(() => receiver.received.length === 3, 'a retry and two events');
      const [failed, retried] = receiver.received;
      expect(retried!.event.id).toBe(failed!.event.id);

      receiver.received = [];
      await simPost(sim.url, 'webhooks/config', { duplicates: 2 });
      const second = await paid(2_000);
      await waitFor(() => receiver.received.length === 4, 'two copies of two events');
      const ids = receiver.received.map((r) => r.event.id);
      expect(new Set(ids).size).toBe(2);
      expect(receiver.received.every((r) => stripe.webhooks.constructEvent(r.raw, r.headers['stripe-signature'] as string, SECRET).id)).toBe(true);

      await simPost(sim.url, 'webhooks/config', { duplicates: 1, shuffle: true });
      const { eventIds } = await simPost(sim.url, 'webhooks/redeliver', { count: 2 }) as { eventIds: string[] };
      expect(new Set(eventIds)).toEqual(new Set(ids));
      await waitFor(() => receiver.received.length === 6, 'the redelivery');
      expect(new Set(receiver.received.slice(4).map((r) => r.event.id))).toEqual(new Set(ids));
      expect(receiver.received.slice(4).map((r) => (r.event.data.object as { id: string }).id)).toContain(second.id);
    });
  });

  describe('faults', () => {
    it('turns a 429 with Retry-After into a rate-limited VendorHttpError carrying the delay', async () => {
      const pi = await paid(800);
      await injectFaults(sim.url, [{ kind: 'rate-limit', method: 'GET', pathPattern: '^/v1/payment_intents/', retryAfterSeconds: 7 }]);
      const err = await failure(() => payments.retrievePaymentIntent(pi.id));
      expect(err).toMatchObject({ status: 429, statusClass: 'rate-limited', retryAfterMs: 7_000, vendor: 'stripe' });
      expect(bodyOf(err)).toMatchObject({ code: 'rate_limit' });
      expect((await payments.retrievePaymentIntent(pi.id)).status).toBe('succeeded');
    });

    it('answers 503 and then succeeds; a capture retried with its key after a 500 captures once', async () => {
      const pi = await authorised(1_500);
      await injectFaults(sim.url, [{ kind: 'status', status: 503, method: 'GET' }]);
      const unavailable = await failure(() => payments.retrievePaymentIntent(pi.id));
      expect(unavailable).toMatchObject({ status: 503, statusClass: 'retryable' });
      expect(unavailable.retryAfterMs).toBeUndefined();
      expect((await payments.retrievePaymentIntent(pi.id)).status).toBe('requires_capture');

      await injectFaults(sim.url, [{ kind: 'status', status: 500, pathPattern: '/capture$' }]);
      expect(await failure(() => payments.capturePaymentIntent(pi.id, { idempotencyKey: 'cap-after-500' }))).toMatchObject({ status: 500, statusClass: 'retryable' });
      expect(await payments.capturePaymentIntent(pi.id, { idempotencyKey: 'cap-after-500' })).toMatchObject({ status: 'succeeded', amountReceivedMinor: 1_500 });
      expect(await payments.capturePaymentIntent(pi.id, { idempotencyKey: 'cap-after-500' })).toMatchObject({ status: 'succeeded' });
      expect([...sim.state.balanceTransactions.values()]).toHaveLength(1);
    });

    it('reports an unreachable Stripe as a retryable status 0', async () => {
      const nowhere = new StripePayments({ apiKey: KEY, baseUrl: `http://127.0.0.1:${await freePort()}`, timeoutMs: 2000 });
      expect(await failure(() => nowhere.retrievePaymentIntent('pi_123'))).toMatchObject({ status: 0, statusClass: 'retryable', vendor: 'stripe' });
    });
  });

  describe('payouts', () => {
    it('pays out the balance and lists the transactions it settled', async () => {
      const pi = await paid(10_000);
      await payments.createRefund({ paymentIntentId: pi.id, amountMinor: 2_000, idempotencyKey: key('refund') });
      const payout = await simPost(sim.url, 'payouts', { currency: 'usd' }) as { id: string; amount: number };
      expect(payout.amount).toBe(10_000 - 320 - 2_000);

      const settled = await stripe.balanceTransactions.list({ payout: payout.id, limit: 10 });
      expect(settled.data.map((t) => t.type).sort()).toEqual(['charge', 'payout', 'refund']);
      expect(settled.data.reduce((sum, t) => sum + t.net, 0)).toBe(0);
      expect(await stripe.payouts.retrieve(payout.id)).toMatchObject({ status: 'paid', automatic: true, amount: 7_680 });
      await waitFor(() => receiver.of('payout.paid').length === 1, 'payout.paid');

      const tooMuch = await failure(() => stripe.payouts.create({ amount: 1, currency: 'usd' }), Stripe.errors.StripeInvalidRequestError);
      expect(tooMuch.code).toBe('balance_insufficient');
    });
  });
});
