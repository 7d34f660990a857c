import { MockActivityEnvironment } from '@temporalio/testing';
import { createOrderPaymentActivities } from '../../activities/order/payments';
import type { Charge, Payment, PaymentsPort } from '../../ports/payments';
import { startDatabase } from '../support/database';

/**
 * Idempotency keys of money movements: the same step and amount always send the same key, and a movement whose
 * amount depends on the state ("refund what remains") carries that amount, so a later, different remainder is a
 * new operation rather than a replay of the first one.
 */

let db: Awaited<ReturnType<typeof startDatabase>>;
beforeAll(async () => {
  db = await startDatabase();
});
afterAll(async () => db?.close());

const inWorkflow = (workflowId: string) => {
  const env = new MockActivityEnvironment({ workflowExecution: { workflowId, runId: 'run-1' } });
  return <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> => env.run(fn, ...args);
};

/** A provider holding one captured payment of 5000 with `refunded` already returned; it records the keys it is sent. */
function provider(refunded: number) {
  const keys: string[] = [];
  const payment: Payment = {
    id: 'pi_1', status: 'captured', amountMinor: 5000, capturableMinor: 0, receivedMinor: 5000, currency: 'EUR', chargeId: 'ch_1', orderReference: null,
  };
  const charge: Charge = {
    id: 'ch_1', paymentId: 'pi_1', capturedMinor: 5000, refundedMinor: refunded, currency: 'EUR', feeMinor: 175, netMinor: 4825, balanceTransactionId: null,
  };
  const port = {
    getPayment: async () => payment,
    getCharge: async () => charge,
    refund: async (opts: { idempotencyKey: string; amountMinor: number }) => {
      keys.push(opts.idempotencyKey);
      return { id: 're_1', paymentId: 'pi_1', amountMinor: opts.amountMinor, currency: 'EUR', status: 'succeeded' as const };
    },
  } as unknown as PaymentsPort;
  return { port, keys };
}

test('refunding what remains carries the remaining amount in its key; the same remainder sends the same key', async () => {
  const run = inWorkflow('order-shopify-77');
  const untouched = provider(0);
  const acts = createOrderPaymentActivities({ pool: db.pool, payments: untouched.port, provider: 'stripe' });
  await run(acts.undoPayment, 'pi_1');
  await run(acts.undoPayment, 'pi_1');
  expect(untouched.keys).toEqual(['order-shopify-77:refund-payment:pi_1:5000', 'order-shopify-77:refund-payment:pi_1:5000']);

  const partly = provider(2000);
  await run(createOrderPaymentActivities({ pool: db.pool, payments: partly.port, provider: 'stripe' }).undoPayment, 'pi_1');
  expect(partly.keys).toEqual(['order-shopify-77:refund-payment:pi_1:3000']);
});
