import type Stripe from 'stripe';
import type { PaymentIntentView } from '../../connectors/stripe/client';
import { orderReference, paymentStatus, toBalanceTransaction, toPayment, toPayout } from '../../connectors/stripe/mapper';

/** Stripe's vocabulary onto the payments port's neutral one. */

const intent = (over: Partial<PaymentIntentView> = {}): PaymentIntentView => ({
  id: 'pi_1', status: 'requires_capture', amountMinor: 5000, amountCapturableMinor: 5000, amountReceivedMinor: 0,
  currency: 'EUR', latestChargeId: 'ch_1', metadata: {}, ...over,
});

test.each([
  ['requires_payment_method', 'pending'], ['requires_confirmation', 'pending'], ['requires_action', 'pending'], ['processing', 'processing'],
  ['requires_capture', 'authorised'], ['succeeded', 'captured'], ['canceled', 'cancelled'], ['some_future_status', 'processing'],
])('PaymentIntent status %s is %s', (stripe, neutral) => {
  expect(paymentStatus(stripe)).toBe(neutral);
});

test('a PaymentIntent becomes a payment with its amounts, charge and order reference', () => {
  expect(toPayment(intent({ status: 'succeeded', amountCapturableMinor: 0, amountReceivedMinor: 4800, metadata: { shop_order_id: '1001' } }))).toEqual({
    id: 'pi_1', status: 'captured', amountMinor: 5000, capturableMinor: 0, receivedMinor: 4800, currency: 'EUR', chargeId: 'ch_1', orderReference: '1001',
  });
});

test('the order reference comes from our checkout metadata, else the WooCommerce gateway\'s, else none', () => {
  expect(orderReference({ shop_order_id: '7', order_id: '9' })).toBe('7');
  expect(orderReference({ order_id: '9' })).toBe('9');
  expect(orderReference({})).toBeNull();
});

test('balance transactions and payouts keep integer minor units and become UTC instants', () => {
  const txn = { id: 'txn_1', type: 'charge', amount: 1000, fee: 59, net: 941, currency: 'jpy', source: 'ch_1', created: 1_764_460_800 } as Stripe.BalanceTransaction;
  expect(toBalanceTransaction(txn)).toEqual({
    id: 'txn_1', kind: 'payment', amountMinor: 1000, feeMinor: 59, netMinor: 941, currency: 'JPY', sourceId: 'ch_1', createdAt: '2025-11-30T00:00:00.000Z',
  });
  const payout = { id: 'po_1', amount: 941, currency: 'jpy', status: 'in_transit', arrival_date: 1_764_547_200, created: 1_764_460_800 } as Stripe.Payout;
  expect(toPayout(payout)).toMatchObject({ status: 'in-transit', amountMinor: 941, arrivalAt: '2025-12-01T00:00:00.000Z' });
});
