import { signHubspotV3, signShopify, signStripe } from '../../domain/webhooks/signatures';
import { startHarness, eventually, type Harness } from '../support/harness';

/** The relay's front door: what it refuses, what it keeps for an operator, and what it stores exactly once. */

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ withoutWorker: true });
});
afterAll(async () => h?.close());

const inboxCount = async () => (await h.pool.query('SELECT count(*)::int AS n FROM integration.webhook_inbox')).rows[0].n as number;
const quarantined = async () => (await h.pool.query('SELECT source, reason, raw_body, headers FROM integration.quarantine ORDER BY id')).rows;

function hubspotRequest(body: string, opts: { secret?: string; timestamp?: number } = {}) {
  const url = `${h.relay.url}/webhooks/hubspot`;
  const timestamp = opts.timestamp ?? Date.now();
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hubspot-request-timestamp': String(timestamp),
      'x-hubspot-signature-v3': signHubspotV3(opts.secret ?? h.secrets.hubspot, 'POST', url, body, timestamp),
    },
    body,
  });
}

const contactEvent = (eventId: number, objectId = 4242) => ({ eventId, subscriptionType: 'contact.creation', objectId, portalId: 1, occurredAt: Date.now() });

test('a wrong or missing signature is refused with 401 and nothing is stored', async () => {
  const before = await inboxCount();
  const body = JSON.stringify([contactEvent(1)]);
  const wrong = await hubspotRequest(body, { secret: 'not-the-secret' });
  expect(wrong.status).toBe(401);
  expect(await wrong.json()).toEqual({ error: 'invalid_signature', reason: 'signature mismatch' });
  const stale = await hubspotRequest(body, { timestamp: Date.now() - 6 * 60 * 1000 });
  expect(stale.status).toBe(401);
  const unsigned = await fetch(`${h.relay.url}/webhooks/shopify`, { method: 'POST', body: '{"id":1}', headers: { 'content-type': 'application/json' } });
  expect(unsigned.status).toBe(401);
  expect(await inboxCount()).toBe(before);
  expect(await quarantined()).toEqual([]);
});

test('a signed but malformed payload gets 400 with a reason and is kept in quarantine byte for byte', async () => {
  const body = JSON.stringify([{ eventId: 5, subscriptionType: 'deal.creation', objectId: 1 }]);
  const res = await hubspotRequest(body);
  expect(res.status).toBe(400);
  expect(await res.json()).toMatchObject({ error: 'unprocessable_payload', reason: 'unknown subscriptionType deal.creation', quarantineId: expect.any(Number) });
  const [row] = await quarantined();
  expect(row.source).toBe('hubspot');
  expect(row.raw_body.toString()).toBe(body);
  expect(row.headers['x-hubspot-signature-v3']).toBeDefined();
});

test('a body over the size limit gets 413', async () => {
  const huge = JSON.stringify([{ ...contactEvent(9), padding: 'x'.repeat(70 * 1024) }]);
  const res = await hubspotRequest(huge);
  expect(res.status).toBe(413);
  expect(await res.json()).toMatchObject({ error: 'payload_too_large' });
});

test('redelivered events are stored once; the answer says how many were duplicates', async () => {
  const body = JSON.stringify([contactEvent(100, 7001), contactEvent(101, 7001)]);
  const first = await hubspotRequest(body);
  expect(first.status).toBe(200);
  expect(await first.json()).toEqual({ received: 2, duplicates: 0 });
  const again = await Promise.all([hubspotRequest(body), hubspotRequest(body), hubspotRequest(body)]);
  for (const res of again) expect(await res.json()).toEqual({ received: 2, duplicates: 2 });
  const rows = await h.pool.query(`SELECT event_id, business_key FROM integration.webhook_inbox WHERE business_key = 'hubspot:contact:7001' ORDER BY event_id`);
  expect(rows.rows).toEqual([{ event_id: '100', business_key: 'hubspot:contact:7001' }, { event_id: '101', business_key: 'hubspot:contact:7001' }]);
});

test('Shopify and Stripe webhooks are verified and stored; orders go to their flow, payment events wait as unrouted', async () => {
  const order = JSON.stringify({ id: 1042, name: '#1042' });
  const shop = await fetch(`${h.relay.url}/webhooks/shopify`, {
    method: 'POST', body: order,
    headers: { 'content-type': 'application/json', 'x-shopify-hmac-sha256': signShopify(h.secrets.shopify, order), 'x-shopify-topic': 'orders/create', 'x-shopify-webhook-id': 'wh-1' },
  });
  expect(shop.status).toBe(200);
  const event = JSON.stringify({ id: 'evt_1', object: 'event', type: 'payment_intent.succeeded', data: { object: { id: 'pi_1', object: 'payment_intent' } } });
  const stripe = await fetch(`${h.relay.url}/webhooks/stripe`, {
    method: 'POST', body: event, headers: { 'content-type': 'application/json', 'stripe-signature': signStripe(h.secrets.stripe, event, Math.floor(Date.now() / 1000)) },
  });
  expect(stripe.status).toBe(200);
  const rows = await eventually('both rows handled', async () => {
    const r = await h.pool.query(`SELECT provider, business_key, status, workflow_id, outcome FROM integration.webhook_inbox WHERE provider <> 'hubspot' ORDER BY provider`);
    return r.rowCount === 2 && r.rows.every((x) => x.status !== 'pending') ? r.rows : undefined;
  });
  expect(rows).toEqual([
    { provider: 'shopify', business_key: 'shopify:order:1042', status: 'dispatched', workflow_id: 'order-shopify-1042', outcome: 'signal shopOrderChanged' },
    { provider: 'stripe', business_key: 'stripe:payment_intent:pi_1', status: 'unrouted', workflow_id: null, outcome: null },
  ]);
});
