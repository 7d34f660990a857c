import type { Connection } from '../../connections/connection';
import type { InboxRow } from '../../engine/inbox';
import { planBatch, type RouteContext } from '../../relay/routes';
import { DEFAULT_ORDER_POLICY } from '../../workflows/order/api';

/** How a claimed batch becomes hand-overs: wake-up signals to one flow merge, nothing moves past an update. */

const connections = new Map<string, Connection>([
  ['shopify', { id: 'shopify', role: 'shop', vendor: 'shopify' }],
  ['stripe', { id: 'stripe', role: 'payments', vendor: 'stripe' }],
]);
const ctx = { taskQueue: 'q', leadPolicy: {}, orderPolicy: DEFAULT_ORDER_POLICY, connections } as unknown as RouteContext;

let nextId = 1;
const row = (provider: string, topic: string, businessKey: string, payload: unknown = {}): InboxRow =>
  ({ id: nextId++, provider, eventId: `evt_${nextId}`, topic, businessKey, payload, attempts: 1, failures: 0 });
const stripe = (topic: string, pi: string) =>
  row('stripe', topic, `stripe:payment_intent:${pi}`, { data: { object: { object: topic.startsWith('charge') ? 'charge' : 'payment_intent', id: pi, payment_intent: pi } } });
const shopify = (topic: string, order: string) => row('shopify', topic, `shopify:order:${order}`, { id: Number(order), name: `#${order}` });

const summary = (rows: InboxRow[]) => planBatch(rows, ctx).work.map((w) => `${w.plan.workflowId}:${w.plan.kind}:${w.rows.map((r) => r.topic).join('+')}`);

describe('planBatch', () => {
  it('merges a payment\'s two events into one hand-over, with another flow\'s event between them', () => {
    expect(summary([stripe('charge.succeeded', 'pi_1'), shopify('orders/create', '7'), stripe('payment_intent.succeeded', 'pi_1')])).toEqual([
      'payment-stripe-pi_1:signal:charge.succeeded+payment_intent.succeeded',
      'order-shopify-7:signal:orders/create',
    ]);
  });

  it('never merges across an update to the same flow, and never merges updates', () => {
    expect(summary([shopify('orders/create', '7'), shopify('orders/updated', '7'), shopify('orders/paid', '7'), shopify('orders/updated', '7')])).toEqual([
      'order-shopify-7:signal:orders/create',
      'order-shopify-7:update:orders/updated',
      'order-shopify-7:signal:orders/paid',
      'order-shopify-7:update:orders/updated',
    ]);
  });

  it('keeps signals of different kinds to one flow apart', () => {
    expect(summary([shopify('orders/create', '7'), shopify('orders/cancelled', '7'), shopify('orders/paid', '7')])).toEqual([
      'order-shopify-7:signal:orders/create',
      'order-shopify-7:signal:orders/cancelled',
      'order-shopify-7:signal:orders/paid',
    ]);
  });
});
