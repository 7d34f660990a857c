import { stripeSubjectOf } from '../../connectors/stripe/webhooks';
import { pickOrder } from '../../domain/payment-matching';

test('the first list that names any order decides: one is the order, several need a person, none means not yet', () => {
  expect(pickOrder([[], ['SO-1'], ['SO-2', 'SO-3']])).toEqual({ kind: 'found', order: 'SO-1' });
  expect(pickOrder([[], [], ['SO-2', 'SO-3']])).toEqual({ kind: 'ambiguous', candidates: ['SO-2', 'SO-3'] });
  expect(pickOrder([[], [], []])).toEqual({ kind: 'none' });
});

test('a Stripe event is about its PaymentIntent, or the payment_intent of its charge, refund or dispute', () => {
  const event = (object: Record<string, unknown>) => ({ data: { object } });
  expect(stripeSubjectOf('payment_intent.succeeded', event({ object: 'payment_intent', id: 'pi_1' }))).toBe('pi_1');
  expect(stripeSubjectOf('charge.refunded', event({ object: 'charge', id: 'ch_1', payment_intent: 'pi_2' }))).toBe('pi_2');
  expect(stripeSubjectOf('charge.dispute.created', event({ object: 'dispute', id: 'dp_1', payment_intent: { id: 'pi_3' } }))).toBe('pi_3');
  expect(stripeSubjectOf('refund.created', event({ object: 'refund', id: 're_1', payment_intent: null }))).toBeNull();
});
