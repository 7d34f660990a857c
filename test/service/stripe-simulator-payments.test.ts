import Stripe from 'stripe';
import { ENGINE_REFUND_KEY, refundOrigin } from '../../connectors/stripe/client';
import type { SimDispute, SimPayout, SimRefund } from '../../connectors/stripe/simulator/state';
import { SIM_WEBHOOK_SECRET, startStripeSimFixture, type StripeSimFixture } from '../support/stripe-sim-fixture';
import { simPost } from '../support/sim-control';
import { failure, waitFor } from '../support/webhook-receiver';

/**
 * The Stripe simulator's money after the capture: fees in every currency exponent, disputes, refunds made outside
 * the engine, payouts that fail, listings by time, and webhooks delivered out of order or long after the event.
 */

const DAY = 86_400;

describe('Stripe simulator: payments, refunds, disputes and payouts', () => {
  let f: StripeSimFixture;
  let keySeq = 0;
  const key = (what: string) => `${what}-${++keySeq}`;
  const paid = (amountMinor: number, currency = 'usd') => f.payments.createPaymentIntent({
    amountMinor, currency, captureMethod: 'automatic', paymentMethod: 'pm_card_visa', confirm: true, idempotencyKey: key('create'),
  });
  const control = async <T>(path: string, body: unknown = {}) => (await simPost(f.sim.url, path, body)) as T;
  const controlStatus = async (path: string, body: unknown) =>
    (await fetch(`${f.sim.url}/__sim/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status;

  beforeAll(async () => {
    f = await startStripeSimFixture();
  });
  afterEach(async () => f.reset());
  afterAll(async () => f?.close());

  it('books fees exactly in zero-decimal JPY and three-decimal KWD, rounding half-up in integers; KWD amounts end in 0', async () => {
    const yen = await paid(1_000, 'jpy');
    // 3.6 % of ¥1,000 is ¥36; no fixed fee in JPY (a flat "+30" would have been ¥30, not 30 cents).
    expect(await f.payments.retrieveCharge(yen.latestChargeId!)).toMatchObject({ currency: 'JPY', amountCapturedMinor: 1_000, feeMinor: 36, netMinor: 964 });
    // 3.6 % of ¥125 is ¥4.5: rounded up to ¥5.
    expect(await f.payments.retrieveCharge((await paid(125, 'jpy')).latestChargeId!)).toMatchObject({ feeMinor: 5, netMinor: 120 });

    const dinar = await paid(12_340, 'kwd');
    // 2.9 % of 12.340 KWD is 0.35786, rounded to 0.358, plus 0.100.
    expect(await f.payments.retrieveCharge(dinar.latestChargeId!)).toMatchObject({ currency: 'KWD', feeMinor: 458, netMinor: 11_882 });
    const over = await failure(() => f.payments.createRefund({ paymentIntentId: dinar.id, amountMinor: 12_350, idempotencyKey: key('refund') }));
    expect(over.message).toContain('Refund amount (12.350 kwd) is greater than unrefunded amount on charge (12.340 kwd)');
    // The last of the three decimals must be 0, for charges and refunds alike.
    const fils = await failure(() => paid(12_345, 'kwd'));
    expect(fils.body).toMatchObject({ code: 'parameter_invalid_integer', param: 'amount' });
    const refundFils = await failure(() => f.payments.createRefund({ paymentIntentId: dinar.id, amountMinor: 5, idempotencyKey: key('refund') }));
    expect(refundFils.body).toMatchObject({ code: 'parameter_invalid_integer', param: 'amount' });
  });

  it('opens a dispute that withdraws the amount and the dispute fee; winning reinstates both', async () => {
    const pi = await paid(10_000);
    const before = f.sim.state.balance('usd');
    const dispute = await control<SimDispute>('disputes', { charge: pi.latestChargeId, reason: 'product_not_received' });
    expect(dispute).toMatchObject({
      id: expect.stringMatching(/^dp_/), object: 'dispute', amount: 10_000, currency: 'usd', status: 'needs_response', payment_intent: pi.id,
      charge: pi.latestChargeId, reason: 'product_not_received',
      balance_transactions: [{ type: 'adjustment', reporting_category: 'dispute', amount: -10_000, fee: 1_500, net: -11_500, source: expect.stringMatching(/^dp_/) }],
    });
    expect(f.sim.state.balance('usd')).toBe(before - 11_500);
    expect(await controlStatus('disputes', { charge: pi.latestChargeId })).toBe(400);

    const won = await control<SimDispute>(`disputes/${dispute.id}/close`, { outcome: 'won' });
    expect(won.status).toBe('won');
    expect(won.balance_transactions[1]).toMatchObject({ reporting_category: 'dispute_reversal', amount: 10_000, fee: -1_500, net: 11_500 });
    expect(f.sim.state.balance('usd')).toBe(before);
    expect(await f.stripe.disputes.retrieve(dispute.id)).toMatchObject({ status: 'won', amount: 10_000 });
    expect(await controlStatus(`disputes/${dispute.id}/close`, { outcome: 'lost' })).toBe(400);

    // Through the port: both movements are disputes, and both name the payment they concern.
    const listed = (await f.port.listBalanceTransactions({})).items.filter((t) => t.sourceId === dispute.id);
    expect(listed.map((t) => [t.kind, t.amountMinor, t.feeMinor, t.netMinor, t.paymentId])).toEqual([
      ['dispute', 10_000, -1_500, 11_500, pi.id], ['dispute', -10_000, 1_500, -11_500, pi.id],
    ]);
    await waitFor(() => f.receiver.of('charge.dispute.created').length === 1 && f.receiver.of('charge.dispute.closed').length === 1, 'the dispute events');
    expect(f.receiver.of('charge.dispute.closed')[0]!.event.data.object).toMatchObject({ id: dispute.id, status: 'won' });
    // funds_withdrawn and funds_reinstated are raised but not subscribed by default.
    expect(f.sim.state.events.map((e) => e.type)).toEqual(expect.arrayContaining(['charge.dispute.funds_withdrawn', 'charge.dispute.funds_reinstated']));
    expect(f.receiver.of('charge.dispute.funds_withdrawn')).toHaveLength(0);
  });

  it('reads a payment with its charge, fee, refunds and dispute flag in one call; more than a page of refunds is left to the listing', async () => {
    const pi = await paid(10_000);
    expect(await f.port.getPaymentDetails(pi.id)).toEqual({
      payment: expect.objectContaining({ id: pi.id, status: 'captured', receivedMinor: 10_000, chargeId: pi.latestChargeId }),
      charge: expect.objectContaining({ id: pi.latestChargeId, capturedMinor: 10_000, refundedMinor: 0, feeMinor: 320, netMinor: 9_680 }),
      refunds: [],
      disputed: false,
    });

    const first = await f.payments.createRefund({ paymentIntentId: pi.id, amountMinor: 100, idempotencyKey: key('refund') });
    const second = await f.payments.createRefund({ paymentIntentId: pi.id, amountMinor: 200, idempotencyKey: key('refund') });
    await control<SimDispute>('disputes', { charge: pi.latestChargeId });
    const details = await f.port.getPaymentDetails(pi.id);
    // The same refunds, oldest first, as the listing gives them.
    expect(details.refunds).toEqual(await f.port.listRefunds(pi.id));
    expect(details.refunds!.map((r) => [r.id, r.amountMinor])).toEqual([[first.id, 100], [second.id, 200]]);
    expect(details).toMatchObject({ charge: { refundedMinor: 300 }, disputed: true });

    for (let i = 0; i < 9; i++) await f.payments.createRefund({ paymentIntentId: pi.id, amountMinor: 10, idempotencyKey: key('refund') });
    expect((await f.port.getPaymentDetails(pi.id)).refunds).toBeNull();
    expect(await f.port.listRefunds(pi.id)).toHaveLength(11);

    const authorised = await f.payments.createPaymentIntent({
      amountMinor: 500, currency: 'usd', captureMethod: 'manual', paymentMethod: 'pm_card_visa', confirm: true, idempotencyKey: key('create'),
    });
    expect(await f.port.getPaymentDetails(authorised.id)).toMatchObject({ payment: { status: 'authorised' }, charge: { capturedMinor: 0 }, refunds: [], disputed: false });
    // Stripe refuses to expand what cannot be expanded.
    expect((await failure(() => f.stripe.paymentIntents.retrieve(pi.id, { expand: ['latest_charge.nothing'] }), Stripe.errors.StripeInvalidRequestError)).message).toContain('cannot be expanded');
  });

  it('loses a partial JPY dispute: the fee stays withdrawn and the next payout settles the loss', async () => {
    const pi = await paid(5_000, 'jpy');
    const dispute = await control<SimDispute>('disputes', { charge: pi.latestChargeId, amount: 2_000 });
    expect(dispute.balance_transactions[0]).toMatchObject({ amount: -2_000, fee: 1_500, net: -3_500, currency: 'jpy' });
    const lost = await control<SimDispute>(`disputes/${dispute.id}/close`, { outcome: 'lost' });
    expect(lost).toMatchObject({ status: 'lost', balance_transactions: [expect.objectContaining({ id: dispute.balance_transactions[0]!.id })] });

    const payout = await control<SimPayout>('payouts', { currency: 'jpy' });
    expect(payout.amount).toBe(5_000 - 180 - 3_500);
    const lines = (await f.port.listBalanceTransactions({ payoutId: payout.id })).items;
    expect(lines.map((t) => t.kind).sort()).toEqual(['dispute', 'payment', 'payout']);
    expect(lines.reduce((sum, t) => sum + t.netMinor, 0)).toBe(0);
    expect(await controlStatus('disputes', { charge: 'ch_missing' })).toBe(404);
  });

  it('fails a paid payout: the money returns to the balance and the next payout settles the same transactions', async () => {
    const pi = await paid(10_000);
    const first = await control<SimPayout>('payouts', { currency: 'usd' });
    const failed = await control<SimPayout>(`payouts/${first.id}/fail`, { failureCode: 'no_account' });
    expect(failed).toMatchObject({ status: 'failed', failure_code: 'no_account', failure_balance_transaction: expect.stringMatching(/^txn_/) });
    expect(f.sim.state.balance('usd')).toBe(9_680);
    expect(await controlStatus(`payouts/${first.id}/fail`, {})).toBe(400);
    const ofFailed = (await f.port.listBalanceTransactions({ payoutId: first.id })).items;
    expect(ofFailed.map((t) => [t.kind, t.amountMinor])).toEqual([['payout', 9_680], ['payout', -9_680]]);

    const second = await control<SimPayout>('payouts', { currency: 'usd' });
    const settled = (await f.port.listBalanceTransactions({ payoutId: second.id })).items;
    expect(settled.find((t) => t.kind === 'payment')).toMatchObject({ sourceId: pi.latestChargeId, paymentId: pi.id, netMinor: 9_680 });
    expect(await f.port.listPayouts({})).toMatchObject({ items: [{ id: second.id, status: 'paid' }, { id: first.id, status: 'failed' }] });
    await waitFor(() => f.receiver.of('payout.failed').length === 1 && f.receiver.of('payout.reconciliation_completed').length === 2, 'payout events');
    expect(f.receiver.of('payout.paid')).toHaveLength(2);
  });

  it('lists payouts and balance transactions by created time and arrival date, as UTC ranges', async () => {
    const start = f.sim.state.now();
    await paid(1_000);
    const dayOne = await control<SimPayout>('payouts', { currency: 'usd' });
    await control('clock', { advanceSeconds: DAY });
    await paid(2_000);
    const dayTwo = await control<SimPayout>('payouts', { currency: 'usd' });
    const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

    const secondDay = { from: iso(start + DAY), before: iso(start + 2 * DAY) };
    expect((await f.port.listPayouts({ created: secondDay })).items.map((p) => p.id)).toEqual([dayTwo.id]);
    expect((await f.port.listPayouts({ arrival: { before: iso(start + DAY) } })).items.map((p) => p.id)).toEqual([dayOne.id]);
    expect((await f.port.listPayouts({ created: { from: iso(start) } })).items.map((p) => p.id)).toEqual([dayTwo.id, dayOne.id]);
    const txns = (await f.port.listBalanceTransactions({ created: secondDay })).items;
    expect(txns.map((t) => [t.kind, t.amountMinor])).toEqual([['payout', -1_912], ['payment', 2_000]]);
    expect(txns.every((t) => Date.parse(t.createdAt) >= (start + DAY) * 1000)).toBe(true);

    // A bound inside a second includes that second: a caller's range never loses a row to rounding.
    const firstPayoutAt = iso(dayOne.created).replace('.000Z', '.400Z');
    expect((await f.port.listPayouts({ created: { before: firstPayoutAt } })).items.map((p) => p.id)).toEqual([dayOne.id]);
    const bad = await failure(() => f.stripe.payouts.list({ created: { gt: 'soon' as unknown as number } }), Stripe.errors.StripeInvalidRequestError);
    expect(bad).toMatchObject({ code: 'parameter_invalid_integer', param: 'created[gt]' });
  });

  it('tells the engine\'s refunds from refunds made in the dashboard, and sends refund.created, refund.updated and charge.refunded', async () => {
    const pi = await paid(5_000);
    const ours = await f.payments.createRefund({ paymentIntentId: pi.id, amountMinor: 1_000, idempotencyKey: 'order-42:refund' });
    // What a person does in the dashboard: no key of ours, no metadata.
    const dashboard = await f.stripe.refunds.create({ payment_intent: pi.id, amount: 500 });
    expect(refundOrigin(ours.metadata)).toBe('engine');
    expect(ours.metadata[ENGINE_REFUND_KEY]).toBe('order-42:refund');
    expect(refundOrigin(dashboard.metadata as Record<string, string>)).toBe('external');
    await f.stripe.refunds.update(dashboard.id, { metadata: { note: 'goodwill' } });

    await waitFor(() => f.receiver.of('refund.created').length === 2 && f.receiver.of('refund.updated').length === 1 && f.receiver.of('charge.refunded').length === 2, 'refund events');
    const created = f.receiver.of('refund.created').map((r) => r.event.data.object as SimRefund);
    expect(created.map((r) => [r.id, refundOrigin(r.metadata)]).sort()).toEqual([[dashboard.id, 'external'], [ours.id, 'engine']].sort());
    expect(f.receiver.of('refund.updated')[0]!.event.data.object).toMatchObject({ id: dashboard.id, metadata: { note: 'goodwill' } });
    const refundTxns = (await f.port.listBalanceTransactions({})).items.filter((t) => t.kind === 'refund');
    expect(refundTxns.map((t) => [t.sourceId, t.amountMinor, t.paymentId])).toEqual([[dashboard.id, -500, pi.id], [ours.id, -1_000, pi.id]]);
  });

  it('holds deliveries and releases them in reverse order: failed, canceled and succeeded payments out of order', async () => {
    await simPost(f.sim.url, 'webhooks/config', { hold: true });
    const pi = await f.payments.createPaymentIntent({
      amountMinor: 700, currency: 'usd', captureMethod: 'manual', paymentMethod: 'pm_card_visa', confirm: true, idempotencyKey: key('create'),
    });
    await f.payments.cancelPaymentIntent(pi.id, { idempotencyKey: key('cancel') });
    await failure(() => f.payments.createPaymentIntent({ amountMinor: 900, currency: 'usd', paymentMethod: 'pm_card_chargeDeclined', confirm: true, idempotencyKey: key('create') }));
    await paid(1_100);
    await f.sim.webhooks.idle();
    expect(f.receiver.received).toHaveLength(0);

    const { eventIds } = await control<{ eventIds: string[] }>('webhooks/release', { order: 'reverse' });
    const emitted = f.sim.state.events.filter((e) => !['payment_intent.created', 'charge.failed', 'charge.captured'].includes(e.type));
    expect(eventIds).toEqual(emitted.map((e) => e.id).reverse());
    await waitFor(() => f.receiver.received.length === emitted.length, 'the held events');
    expect(f.receiver.received.map((r) => r.event.id)).toEqual(eventIds);
    expect(f.receiver.types()).toEqual(['payment_intent.succeeded', 'charge.succeeded', 'payment_intent.payment_failed', 'payment_intent.canceled',
      'payment_intent.amount_capturable_updated', 'charge.succeeded']);

    // Turning hold off sends later events at once.
    await simPost(f.sim.url, 'webhooks/config', { hold: false });
    await paid(1_200);
    await waitFor(() => f.receiver.received.length === emitted.length + 2, 'events after the hold');
  });

  it('redelivers an event days after it happened: the same id and bytes, signed afresh', async () => {
    await control('clock', { advanceSeconds: -3 * DAY });
    const pi = await paid(2_500);
    await control('clock', { offsetSeconds: 0 });
    await waitFor(() => f.receiver.of('payment_intent.succeeded').length === 1, 'the first delivery');
    const original = f.receiver.of('payment_intent.succeeded')[0]!;
    for (let i = 0; i < 3; i++) await paid(100 + i);
    await waitFor(() => f.receiver.received.length === 8, 'later events');

    await control('webhooks/redeliver', { eventIds: [original.event.id] });
    await waitFor(() => f.receiver.of('payment_intent.succeeded').length === 5, 'the redelivery');
    const again = f.receiver.received[f.receiver.received.length - 1]!;
    expect(again.event.id).toBe(original.event.id);
    expect(again.raw.equals(original.raw)).toBe(true);
    expect((again.event.data.object as { id: string }).id).toBe(pi.id);
    const signedAt = Number(/t=(\d+)/.exec(again.headers['stripe-signature'] as string)![1]);
    expect(signedAt - again.event.created).toBeGreaterThanOrEqual(3 * DAY - 5);
    expect(f.stripe.webhooks.constructEvent(again.raw, again.headers['stripe-signature'] as string, SIM_WEBHOOK_SECRET).id).toBe(original.event.id);
  });
});
