import { spawn, type ChildProcess } from 'node:child_process';
import type Stripe from 'stripe';
import { StripePayments, type CancellationReason, type PaymentIntentStatus } from '../../connectors/stripe/client';
import { StripePaymentsPort } from '../../connectors/stripe/payments-port';
import { failure } from '../support/webhook-receiver';
import { STRIPE_MOCK_VERSION, stripeMockPath } from '../../stack/go-tools';

/**
 * Our Stripe connector against stripe-mock, Stripe's own mock server: every request is validated against Stripe's
 * published OpenAPI spec and answered with Stripe's fixtures. stripe-mock keeps no state (it echoes the ids in the
 * path and some request parameters into its fixtures), so this proves the wire contract, not the behaviour: every
 * request our connector sends is one real Stripe would parse, our views map the real response shapes, and a real
 * Stripe error becomes a permanent VendorHttpError. The behaviour is covered by stripe-simulator.test.ts.
 *
 * The binary: STRIPE_MOCK_PATH, else the cache that the service tests' global setup builds it into with Go
 * (stack/go-tools.ts), so this suite runs everywhere Go and the module proxy are reachable.
 */

/** stripe-mock accepts any key shaped sk_test_<one part>: exactly two underscores. */
const KEY = 'sk_test_stripemock0001';

interface StripeMock { child: ChildProcess; baseUrl: string; output: () => string }

/** Starts stripe-mock on ports the system picks (loopback only), and waits until it answers an authenticated GET. */
async function startStripeMock(bin: string, timeoutMs = 20_000): Promise<StripeMock> {
  // An empty port lets the system choose, so parallel runs never collide; HTTPS cannot be turned off, only moved.
  const child = spawn(bin, ['-http-addr', '127.0.0.1:', '-https-addr', '127.0.0.1:'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (c: Buffer) => { log += c.toString('utf8'); });
  child.stderr!.on('data', (c: Buffer) => { log += c.toString('utf8'); });
  let exited: string | undefined;
  child.on('exit', (code, signal) => { exited = `exited (${signal ?? code})`; });
  child.on('error', (err) => { exited = `failed to start: ${err.message}`; });
  /** The last lines only: stripe-mock logs every request. */
  const output = () => log.trim().split('\n').slice(-30).join('\n');

  const deadline = Date.now() + timeoutMs;
  const fail = (why: string) => {
    if (exited === undefined) child.kill('SIGKILL');
    return new Error(`stripe-mock at ${bin} ${why}. Its output:\n${output()}`);
  };
  let baseUrl: string | undefined;
  for (;;) {
    if (exited) throw fail(exited);
    if (Date.now() > deadline) throw fail(`did not answer within ${timeoutMs} ms`);
    baseUrl ??= /Listening for HTTP at address: (127\.0\.0\.1:\d+)/.exec(log)?.[1]?.replace(/^/, 'http://');
    if (baseUrl) {
      let res: Response | undefined;
      try {
        res = await fetch(`${baseUrl}/v1/charges/ch_ready`, { headers: { authorization: `Bearer ${KEY}` } });
      } catch {
        // not listening yet
      }
      if (res?.ok) {
        await res.arrayBuffer();
        return { child, baseUrl, output };
      }
      if (res) throw fail(`answered the readiness probe with HTTP ${res.status}: ${await res.text()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stopStripeMock(mock: StripeMock | undefined): Promise<void> {
  const child = mock?.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(timer);
}

const vendorFailure = (call: () => Promise<unknown>) => failure(call);

const STATUSES: PaymentIntentStatus[] = ['requires_payment_method', 'requires_confirmation', 'requires_action', 'processing', 'requires_capture', 'canceled', 'succeeded'];
const isMinor = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
const isUpperCurrency = (c: unknown) => typeof c === 'string' && /^[A-Z]{3}$/.test(c);
const isStringMap = (m: unknown) => typeof m === 'object' && m !== null && Object.values(m).every((v) => typeof v === 'string');

describe(`our Stripe connector against stripe-mock ${STRIPE_MOCK_VERSION} (Stripe's OpenAPI validation and fixtures)`, () => {
  let mock: StripeMock | undefined;
  let payments: StripePayments;
  /** Every answer the SDK received, in order, with the Idempotency-Key stripe-mock echoed back. */
  const responses: Stripe.ResponseEvent[] = [];
  let keySeq = 0;
  const key = (what: string) => `stripe-mock-${what}-${++keySeq}`;

  beforeAll(async () => {
    mock = await startStripeMock(await stripeMockPath());
    payments = new StripePayments({ apiKey: KEY, baseUrl: mock.baseUrl, timeoutMs: 10_000 });
    payments.stripe.on('response', (event: Stripe.ResponseEvent) => responses.push(event));
  }, 600_000); // generous: builds stripe-mock when run without the service project's global setup

  afterAll(async () => {
    await stopStripeMock(mock);
  });

  const lastResponse = () => responses[responses.length - 1]!;

  it('creates a manual-capture intent; the view maps the fixture', async () => {
    const idempotencyKey = key('create');
    const pi = await payments.createPaymentIntent({
      amountMinor: 2599, currency: 'eur', captureMethod: 'manual', paymentMethod: 'pm_card_visa', confirm: true,
      description: 'Order SO-1001', metadata: { orderNumber: 'SO-1001' }, idempotencyKey,
    });
    expect(pi.id).toMatch(/^pi_\w+$/);
    expect(STATUSES).toContain(pi.status);
    // stripe-mock reflects the request's amount and currency into the fixture.
    expect(pi).toMatchObject({ amountMinor: 2599, currency: 'EUR' });
    expect([pi.amountMinor, pi.amountCapturableMinor, pi.amountReceivedMinor].every(isMinor)).toBe(true);
    expect(pi.latestChargeId === null || /^ch_\w+$/.test(pi.latestChargeId)).toBe(true);
    expect(isStringMap(pi.metadata)).toBe(true);
    expect(lastResponse()).toMatchObject({ method: 'POST', path: '/v1/payment_intents', status: 200, idempotency_key: idempotencyKey });
  });

  it('retrieves an intent by id', async () => {
    const pi = await payments.retrievePaymentIntent('pi_3MockRetrieve0001');
    expect(pi.id).toBe('pi_3MockRetrieve0001');
    expect(STATUSES).toContain(pi.status);
    expect(isUpperCurrency(pi.currency)).toBe(true);
    expect([pi.amountMinor, pi.amountCapturableMinor, pi.amountReceivedMinor].every(isMinor)).toBe(true);
    expect(lastResponse()).toMatchObject({ method: 'GET', path: '/v1/payment_intents/pi_3MockRetrieve0001', status: 200 });
  });

  it('captures, in full and partially, with the caller\'s idempotency key on the wire', async () => {
    const fullKey = key('capture');
    const full = await payments.capturePaymentIntent('pi_3MockCapture0001', { idempotencyKey: fullKey });
    expect(full.id).toBe('pi_3MockCapture0001');
    expect(isUpperCurrency(full.currency)).toBe(true);
    expect(lastResponse()).toMatchObject({ method: 'POST', path: '/v1/payment_intents/pi_3MockCapture0001/capture', status: 200, idempotency_key: fullKey });

    const partKey = key('capture');
    const partial = await payments.capturePaymentIntent('pi_3MockCapture0002', { amountMinor: 1500, idempotencyKey: partKey });
    expect(partial.id).toBe('pi_3MockCapture0002');
    expect([partial.amountMinor, partial.amountCapturableMinor, partial.amountReceivedMinor].every(isMinor)).toBe(true);
    expect(lastResponse()).toMatchObject({ path: '/v1/payment_intents/pi_3MockCapture0002/capture', status: 200, idempotency_key: partKey });
  });

  it('cancels, with and without a reason', async () => {
    for (const reason of [undefined, 'abandoned', 'requested_by_customer', 'duplicate', 'fraudulent'] as const) {
      const idempotencyKey = key('cancel');
      const pi = await payments.cancelPaymentIntent('pi_3MockCancel0001', { ...(reason ? { reason } : {}), idempotencyKey });
      expect(pi.id).toBe('pi_3MockCancel0001');
      expect(STATUSES).toContain(pi.status);
      expect(lastResponse()).toMatchObject({ path: '/v1/payment_intents/pi_3MockCancel0001/cancel', status: 200, idempotency_key: idempotencyKey });
    }
  });

  it('creates a refund against an intent; the view maps the fixture', async () => {
    const idempotencyKey = key('refund');
    const refund = await payments.createRefund({
      paymentIntentId: 'pi_3MockRefund0001', amountMinor: 500, reason: 'requested_by_customer', idempotencyKey, metadata: { returnNumber: 'RMA-7' },
    });
    expect(refund.id).toMatch(/^re_\w+$/);
    // Reflected from the request.
    expect(refund).toMatchObject({ paymentIntentId: 'pi_3MockRefund0001', amountMinor: 500, reason: 'requested_by_customer' });
    expect(refund.chargeId === null || /^ch_\w+$/.test(refund.chargeId)).toBe(true);
    expect(refund.balanceTransactionId === null || /^txn_\w+$/.test(refund.balanceTransactionId)).toBe(true);
    expect(isUpperCurrency(refund.currency)).toBe(true);
    expect(refund.status === null || typeof refund.status === 'string').toBe(true);
    expect(isStringMap(refund.metadata)).toBe(true);
    expect(lastResponse()).toMatchObject({ method: 'POST', path: '/v1/refunds', status: 200, idempotency_key: idempotencyKey });
  });

  it('retrieves a charge with its balance transaction expanded, so the fee is read in the same call', async () => {
    const charge = await payments.retrieveCharge('ch_3MockCharge0001');
    expect(charge.id).toBe('ch_3MockCharge0001');
    expect(['succeeded', 'pending', 'failed']).toContain(charge.status);
    expect([charge.amountMinor, charge.amountCapturedMinor, charge.amountRefundedMinor].every(isMinor)).toBe(true);
    expect(typeof charge.captured).toBe('boolean');
    expect(typeof charge.refunded).toBe('boolean');
    expect(isUpperCurrency(charge.currency)).toBe(true);
    expect(charge.paymentIntentId === null || /^pi_\w+$/.test(charge.paymentIntentId)).toBe(true);
    // stripe-mock honours expand[]: an object came back, so the fee and net are integers, not null.
    expect(charge.balanceTransactionId).toMatch(/^txn_\w+$/);
    expect(Number.isSafeInteger(charge.feeMinor)).toBe(true);
    expect(Number.isSafeInteger(charge.netMinor)).toBe(true);
    expect(lastResponse()).toMatchObject({ method: 'GET', path: '/v1/charges/ch_3MockCharge0001?expand[0]=balance_transaction', status: 200 });
  });

  it('lists an intent\'s refunds', async () => {
    const before = responses.length;
    const refunds = await payments.listRefunds('pi_3MockRefund0001');
    expect(refunds.length).toBeGreaterThan(0);
    for (const refund of refunds) {
      expect(refund.id).toMatch(/^re_\w+$/);
      expect(isMinor(refund.amountMinor)).toBe(true);
      expect(isUpperCurrency(refund.currency)).toBe(true);
      expect(refund.paymentIntentId === null || /^pi_\w+$/.test(refund.paymentIntentId)).toBe(true);
      expect(refund.chargeId === null || /^ch_\w+$/.test(refund.chargeId)).toBe(true);
    }
    // One page: stripe-mock's list fixture says has_more: false.
    expect(responses.slice(before)).toEqual([expect.objectContaining({ method: 'GET', path: '/v1/refunds?payment_intent=pi_3MockRefund0001&limit=100', status: 200 })]);
  });

  it('rejects an invalid parameter: a permanent VendorHttpError carrying Stripe\'s error shape', async () => {
    // A reason outside Stripe's enum (only a cast gets it past our types).
    const badReason = await vendorFailure(() => payments.cancelPaymentIntent('pi_3MockCancel0002', { reason: 'changed_mind' as CancellationReason, idempotencyKey: key('cancel') }));
    expect(badReason).toMatchObject({ vendor: 'stripe', status: 400, statusClass: 'permanent', method: 'POST', path: '/v1/payment_intents/pi_3MockCancel0002/cancel' });
    expect(badReason.body).toMatchObject({ type: 'invalid_request_error' });
    expect(badReason.message).toMatch(/cancellation_reason/);

    // A fractional amount never leaves our connector: money reaches Stripe only as whole minor units.
    await expect(payments.capturePaymentIntent('pi_3MockCapture0003', { amountMinor: 12.5, idempotencyKey: key('capture') }))
      .rejects.toThrow('capture amount must be a positive integer of minor units, got 12.5');
    expect(responses.some((r) => r.path.includes('pi_3MockCapture0003'))).toBe(false);
  });

  describe('the payments port (StripePaymentsPort) over the same connector', () => {
    const PAYMENT_STATUSES = ['pending', 'processing', 'authorised', 'captured', 'cancelled', 'failed'];
    const port = () => new StripePaymentsPort(payments);
    let firstResponse = 0;
    beforeAll(() => {
      firstResponse = responses.length;
    });
    const isNeutralPayment = (p: { id: string; status: string; currency: string; amountMinor: number; capturableMinor: number; receivedMinor: number }) =>
      PAYMENT_STATUSES.includes(p.status) && isUpperCurrency(p.currency) && [p.amountMinor, p.capturableMinor, p.receivedMinor].every(isMinor);

    it('gets, captures and cancels payments in the engine\'s words, with the caller\'s idempotency keys', async () => {
      const got = await port().getPayment('pi_3MockPortGet0001');
      expect(got.id).toBe('pi_3MockPortGet0001');
      expect(isNeutralPayment(got)).toBe(true);
      expect(lastResponse()).toMatchObject({ method: 'GET', path: '/v1/payment_intents/pi_3MockPortGet0001', status: 200 });

      const captureKey = key('port-capture');
      expect(isNeutralPayment(await port().capture('pi_3MockPortCapture0001', { amountMinor: 700, idempotencyKey: captureKey }))).toBe(true);
      expect(lastResponse()).toMatchObject({ method: 'POST', path: '/v1/payment_intents/pi_3MockPortCapture0001/capture', status: 200, idempotency_key: captureKey });

      const cancelKey = key('port-cancel');
      expect(isNeutralPayment(await port().cancel('pi_3MockPortCancel0001', { idempotencyKey: cancelKey }))).toBe(true);
      expect(lastResponse()).toMatchObject({ path: '/v1/payment_intents/pi_3MockPortCancel0001/cancel', status: 200, idempotency_key: cancelKey });
    });

    it('reads a payment with its charge, fee and refunds expanded in one request that Stripe\'s spec accepts', async () => {
      const details = await port().getPaymentDetails('pi_3MockPortDetails0001');
      expect(lastResponse()).toMatchObject({ method: 'GET', status: 200 });
      const query = decodeURIComponent(lastResponse().path);
      expect(query).toContain('/v1/payment_intents/pi_3MockPortDetails0001?');
      expect(query).toContain('expand[0]=latest_charge.balance_transaction');
      expect(query).toContain('expand[1]=latest_charge.refunds');
      expect(isNeutralPayment(details.payment)).toBe(true);
      // stripe-mock's fixture has a latest charge: it comes back expanded, with its fee and a refunds page.
      expect(details.charge).toMatchObject({ id: expect.stringMatching(/^ch_\w+$/), balanceTransactionId: expect.stringMatching(/^txn_\w+$/) });
      expect(Number.isSafeInteger(details.charge!.feeMinor)).toBe(true);
      expect(details.refunds === null || details.refunds.every((r) => /^re_\w+$/.test(r.id) && isMinor(r.amountMinor))).toBe(true);
      expect(typeof details.disputed).toBe('boolean');
    });

    it('refunds (our key in its metadata passes Stripe\'s validation), and reads a charge\'s fee', async () => {
      const refundKey = key('port-refund');
      const refund = await port().refund({ paymentId: 'pi_3MockPortRefund0001', amountMinor: 250, idempotencyKey: refundKey });
      expect(refund).toMatchObject({ id: expect.stringMatching(/^re_\w+$/), paymentId: 'pi_3MockPortRefund0001', amountMinor: 250 });
      expect(['pending', 'succeeded', 'failed', 'cancelled']).toContain(refund.status);
      expect(lastResponse()).toMatchObject({ method: 'POST', path: '/v1/refunds', status: 200, idempotency_key: refundKey });
      // It carried metadata[engine_refund_key]; stripe-mock does not echo metadata, but it validated the request.

      const charge = await port().getCharge('ch_3MockPortCharge0001');
      expect(charge).toMatchObject({ id: 'ch_3MockPortCharge0001', balanceTransactionId: expect.stringMatching(/^txn_\w+$/) });
      expect([charge.capturedMinor, charge.refundedMinor].every(isMinor) && Number.isSafeInteger(charge.feeMinor)).toBe(true);
    });

    it('lists balance transactions by a UTC created range with their sources expanded, and payouts by created and arrival ranges', async () => {
      const created = { from: '2026-10-01T00:00:00.000Z', before: '2026-11-01T00:00:00.000Z' };
      const unix = (iso: string) => Date.parse(iso) / 1000;
      const txns = await port().listBalanceTransactions({ created, limit: 3 });
      expect(lastResponse()).toMatchObject({ method: 'GET', status: 200 });
      const txnQuery = decodeURIComponent(lastResponse().path);
      expect(txnQuery).toContain('/v1/balance_transactions?');
      expect(txnQuery).toContain(`created[gte]=${unix(created.from)}`);
      expect(txnQuery).toContain(`created[lt]=${unix(created.before)}`);
      expect(txnQuery).toContain('expand[0]=data.source');
      for (const t of txns.items) {
        expect(t.id).toMatch(/^txn_\w+$/);
        expect(['payment', 'refund', 'fee', 'payout', 'adjustment', 'dispute']).toContain(t.kind);
        expect([t.amountMinor, t.feeMinor, t.netMinor].every(Number.isSafeInteger)).toBe(true);
        expect(isUpperCurrency(t.currency)).toBe(true);
        expect(new Date(t.createdAt).toISOString()).toBe(t.createdAt);
      }
      expect(txns.nextCursor === null || /^txn_\w+$/.test(txns.nextCursor)).toBe(true);

      const byPayout = await port().listBalanceTransactions({ payoutId: 'po_3MockPortPayout0001' });
      expect(Array.isArray(byPayout.items)).toBe(true);
      expect(decodeURIComponent(lastResponse().path)).toContain('payout=po_3MockPortPayout0001');

      const payouts = await port().listPayouts({ created, arrival: { from: '2026-10-02T00:00:00.000Z' }, limit: 5 });
      const payoutQuery = decodeURIComponent(lastResponse().path);
      expect(payoutQuery).toContain('/v1/payouts?');
      expect(payoutQuery).toContain(`created[gte]=${unix(created.from)}`);
      expect(payoutQuery).toContain(`arrival_date[gte]=${unix('2026-10-02T00:00:00.000Z')}`);
      for (const p of payouts.items) {
        expect(p.id).toMatch(/^po_\w+$/);
        expect(['pending', 'in-transit', 'paid', 'failed', 'cancelled']).toContain(p.status);
        expect(isMinor(p.amountMinor) && isUpperCurrency(p.currency)).toBe(true);
      }
    });

    it('sent nothing Stripe\'s OpenAPI validation refused', () => {
      expect(responses.length - firstResponse).toBe(9);
      expect(responses.slice(firstResponse).filter((r) => r.status !== 200)).toEqual([]);
    });
  });

  it('rejected nothing else: every other request passed Stripe\'s OpenAPI validation', () => {
    const rejected = responses.filter((r) => r.status !== 200 && !/pi_3MockCancel0002/.test(r.path));
    expect(rejected).toEqual([]);
  });
});
