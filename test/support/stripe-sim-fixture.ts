import type { IncomingHttpHeaders } from 'node:http';
import Stripe from 'stripe';
import { StripePayments } from '../../connectors/stripe/client';
import { StripePaymentsPort } from '../../connectors/stripe/payments-port';
import { startStripeSimulator, type StripeSimulator } from '../../connectors/stripe/simulator/server';
import type { SimEvent } from '../../connectors/stripe/simulator/state';
import { simPost } from './sim-control';
import { WebhookReceiver } from './webhook-receiver';

/** A Stripe simulator with a stand-in relay, the official SDK and our connector pointed at it, for service tests. */

export const SIM_KEY = 'sk_test_simulator_key_0001';
export const SIM_WEBHOOK_SECRET = 'whsec_test_secret';

export interface ReceivedStripeEvent { url: string; headers: IncomingHttpHeaders; raw: Buffer; event: SimEvent }

/** Stands in for the relay; `of(type)` picks the deliveries of one event type. */
export class StripeEventReceiver extends WebhookReceiver<ReceivedStripeEvent> {
  constructor() {
    super((raw, req) => ({ url: req.url ?? '', headers: req.headers, raw, event: JSON.parse(raw.toString('utf8')) as SimEvent }));
  }
  of(type: string): ReceivedStripeEvent[] {
    return this.received.filter((r) => r.event.type === type);
  }
  types(): string[] {
    return this.received.map((r) => r.event.type);
  }
}

export interface StripeSimFixture {
  receiver: StripeEventReceiver;
  sim: StripeSimulator;
  payments: StripePayments;
  port: StripePaymentsPort;
  stripe: Stripe;
  /** Between tests: waits for deliveries, resets the simulator and the receiver. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function startStripeSimFixture(): Promise<StripeSimFixture> {
  const receiver = new StripeEventReceiver();
  await receiver.start();
  const sim = await startStripeSimulator({
    port: 0, apiKey: SIM_KEY, webhookSecret: SIM_WEBHOOK_SECRET, webhookTargetUrl: `${receiver.url}/webhooks/stripe`, logger: false,
    webhookRetry: { baseDelayMs: 10, maxDelayMs: 50, timeoutMs: 1000 },
  });
  const payments = new StripePayments({ apiKey: SIM_KEY, baseUrl: sim.url, timeoutMs: 5000 });
  return {
    receiver, sim, payments,
    port: new StripePaymentsPort(payments),
    stripe: new Stripe(SIM_KEY, { host: '127.0.0.1', port: sim.port, protocol: 'http', maxNetworkRetries: 0 }),
    async reset() {
      await sim.webhooks.idle();
      await simPost(sim.url, 'reset', {});
      receiver.received = [];
      receiver.failNext = [];
    },
    async close() {
      await sim.close();
      await receiver.close();
    },
  };
}
