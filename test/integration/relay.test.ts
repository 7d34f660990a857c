import { runQuarantineCommand } from '../../client/inbox-commands';
import { hubspotWebhooks } from '../../connectors/hubspot/webhooks';
import { shopifyWebhooks } from '../../connectors/shopify/webhooks';
import { signHubspotV3 } from '../../connectors/hubspot/signature';
import { signShopify } from '../../connectors/shopify/signature';
import { signStripe } from '../../connectors/stripe/signature';
import { quarantine } from '../../engine/quarantine';
import { startHarness, eventually, type Harness } from '../support/harness';

/** The relay's front door: what it refuses, what it keeps for an operator, what it ignores, and what it stores exactly once. */

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ withoutWorker: true });
});
afterAll(async () => h?.close());

const inboxCount = async () => (await h.pool.query('SELECT count(*)::int AS n FROM integration.webhook_inbox')).rows[0].n as number;
const quarantined = async () => (await h.pool.query('SELECT id, source, reason, raw_body, headers, occurrences, status FROM integration.quarantine ORDER BY id')).rows;
const inboxRows = async (where: string, params: unknown[]) =>
  (await h.pool.query(`SELECT event_id, topic, business_key, status, outcome FROM integration.webhook_inbox WHERE ${where} ORDER BY id`, params)).rows;

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

const shopifyRequest = (body: string, topic: string, webhookId: string) => fetch(`${h.relay.url}/webhooks/shopify`, {
  method: 'POST', body,
  headers: { 'content-type': 'application/json', 'x-shopify-hmac-sha256': signShopify(h.secrets.shopify, body), 'x-shopify-topic': topic, 'x-shopify-webhook-id': webhookId },
});
const stripeRequest = (body: string) => fetch(`${h.relay.url}/webhooks/stripe`, {
  method: 'POST', body, headers: { 'content-type': 'application/json', 'stripe-signature': signStripe(h.secrets.stripe, body, Math.floor(Date.now() / 1000)) },
});

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

test('a signed but malformed payload gets 400 with a reason and is kept once in quarantine, byte for byte, however often it comes', async () => {
  const body = JSON.stringify([{ eventId: 5, subscriptionType: 'contact.creation' }]);
  const answers = [await hubspotRequest(body), ...(await Promise.all([hubspotRequest(body), hubspotRequest(body)]))];
  const bodies = await Promise.all(answers.map((res) => res.json()));
  expect(answers.map((res) => res.status)).toEqual([400, 400, 400]);
  expect(bodies[0]).toEqual({ error: 'unprocessable_payload', reason: expect.stringMatching(/^invalid HubSpot event batch: 0\.objectId: /), quarantineId: expect.any(Number) });
  expect(new Set(bodies.map((b) => (b as { quarantineId: number }).quarantineId)).size).toBe(1);
  const other = await hubspotRequest('{not json');
  expect(await other.json()).toMatchObject({ reason: 'body is not valid JSON' });

  const rows = await quarantined();
  expect(rows.map((r) => [r.source, r.raw_body.toString(), r.occurrences])).toEqual([['hubspot', body, 3], ['hubspot', '{not json', 1]]);
  expect(rows[0].headers['x-hubspot-signature-v3']).toBeDefined();
});

test('a body over the size limit gets 413', async () => {
  const huge = JSON.stringify([{ ...contactEvent(9), padding: 'x'.repeat(70 * 1024) }]);
  const res = await hubspotRequest(huge);
  expect(res.status).toBe(413);
  expect(await res.json()).toMatchObject({ error: 'payload_too_large' });
});

test('redelivered events are stored once and dispatched once; the answer says how many were duplicates', async () => {
  const body = JSON.stringify([contactEvent(100, 7001), contactEvent(101, 7001)]);
  const first = await hubspotRequest(body);
  expect(first.status).toBe(200);
  expect(await first.json()).toEqual({ received: 2, duplicates: 0, ignored: 0 });
  const again = await Promise.all([hubspotRequest(body), hubspotRequest(body), hubspotRequest(body)]);
  for (const res of again) expect(await res.json()).toEqual({ received: 2, duplicates: 2, ignored: 0 });
  const rows = await eventually('the redelivered events dispatched', async () => {
    const r = await inboxRows(`business_key = 'hubspot:contact:7001'`, []);
    return r.every((row) => row.status === 'dispatched') ? r : undefined;
  });
  expect(rows.map((r) => [r.event_id, r.outcome])).toEqual([['100', 'signal contactChanged'], ['101', 'signal contactChanged']]);
  // The two events of one delivery made one hand-over, and the redeliveries none.
  const history = await h.client.workflow.getHandle('lead-hubspot-7001').fetchHistory();
  expect(history.events?.filter((e) => e.workflowExecutionSignaledEventAttributes)).toHaveLength(1);
});

test('event types we do not handle are answered 200 and kept as ignored; a HubSpot batch still delivers its known events', async () => {
  const batch = JSON.stringify([{ eventId: 300, subscriptionType: 'deal.creation', objectId: 55 }, contactEvent(301, 7301)]);
  const hub = await hubspotRequest(batch);
  expect(hub.status).toBe(200);
  expect(await hub.json()).toEqual({ received: 2, duplicates: 0, ignored: 1 });
  const product = await shopifyRequest(JSON.stringify({ id: 9, title: 'Mug' }), 'products/update', 'wh-product-9');
  expect([product.status, await product.json()]).toEqual([200, { received: 1, duplicates: 0, ignored: 1 }]);
  const customer = await stripeRequest(JSON.stringify({ id: 'evt_cus', object: 'event', type: 'customer.created', data: { object: { id: 'cus_1', object: 'customer' } } }));
  expect([customer.status, await customer.json()]).toEqual([200, { received: 1, duplicates: 0, ignored: 1 }]);

  const contact = await eventually('the known event dispatched', async () => {
    const r = await inboxRows(`event_id = '301'`, []);
    return r[0]?.status === 'dispatched' ? r[0] : undefined;
  });
  expect(contact).toMatchObject({ business_key: 'hubspot:contact:7301', outcome: 'signal contactChanged' });
  expect(await inboxRows(`event_id IN ('300', 'wh-product-9', 'evt_cus')`, [])).toEqual([
    { event_id: '300', topic: 'deal.creation', business_key: 'hubspot:deal:55', status: 'ignored', outcome: null },
    { event_id: 'wh-product-9', topic: 'products/update', business_key: 'shopify:product:9', status: 'ignored', outcome: null },
    { event_id: 'evt_cus', topic: 'customer.created', business_key: 'stripe:customer:cus_1', status: 'ignored', outcome: null },
  ]);
  expect((await quarantined()).filter((q) => q.raw_body.toString() === batch)).toEqual([]);
});

test('Shopify and Stripe webhooks are verified and stored; orders and payments go to their flows', async () => {
  const shop = await shopifyRequest(JSON.stringify({ id: 1042, name: '#1042' }), 'orders/create', 'wh-1');
  expect(shop.status).toBe(200);
  const stripe = await stripeRequest(JSON.stringify({ id: 'evt_1', object: 'event', type: 'payment_intent.succeeded', data: { object: { id: 'pi_1', object: 'payment_intent' } } }));
  expect(stripe.status).toBe(200);
  const rows = await eventually('both rows handled', async () => {
    const r = await h.pool.query(`SELECT provider, business_key, status, workflow_id, outcome FROM integration.webhook_inbox WHERE event_id IN ('wh-1', 'evt_1') ORDER BY provider`);
    return r.rowCount === 2 && r.rows.every((x) => x.status !== 'pending') ? r.rows : undefined;
  });
  expect(rows).toEqual([
    { provider: 'shopify', business_key: 'shopify:order:1042', status: 'dispatched', workflow_id: 'order-shopify-1042', outcome: 'signal shopOrderChanged' },
    { provider: 'stripe', business_key: 'stripe:payment_intent:pi_1', status: 'dispatched', workflow_id: 'payment-stripe-pi_1', outcome: 'signal paymentEvent' },
  ]);
});

test('quarantine replay puts what parses now into the inbox (deduplicated) and keeps the rest with the new reason', async () => {
  // As an older relay quarantined them: a batch with a type it did not know, and a Shopify body that is still broken.
  const batch = Buffer.from(JSON.stringify([{ eventId: 400, subscriptionType: 'company.creation', objectId: 3 }, contactEvent(401, 7401), contactEvent(100, 7001)]));
  const broken = Buffer.from('{"id": ');
  const shopHeaders = { 'x-shopify-topic': 'orders/create', 'x-shopify-webhook-id': 'wh-broken' };
  const fixable = await quarantine(h.pool, 'hubspot', 'unknown subscriptionType company.creation', batch, {}, hubspotWebhooks.fingerprint(batch, {}));
  const stuck = await quarantine(h.pool, 'shopify', 'old reason', broken, shopHeaders, shopifyWebhooks.fingerprint(broken, shopHeaders));

  expect(await runQuarantineCommand(h.pool, { action: 'list' })).toMatch(new RegExp(`#${fixable} hubspot ×1 .*\\n    unknown subscriptionType company\\.creation`));
  const report = await runQuarantineCommand(h.pool, { action: 'replay', which: 'all' });
  expect(report).toContain(`#${fixable} replayed: 3 event(s) into the inbox, 1 already there, 1 ignored`);
  expect(report).toContain(`#${stuck} still unparseable: body is not valid JSON`);

  const left = (await quarantined()).filter((q) => [fixable, stuck].includes(Number(q.id)));
  expect(left.map((q) => [Number(q.id), q.status, q.reason])).toEqual([[fixable, 'replayed', 'unknown subscriptionType company.creation'], [stuck, 'open', 'body is not valid JSON']]);
  const replayed = await eventually('the replayed contact event dispatched', async () => {
    const r = await inboxRows(`event_id IN ('400', '401')`, []);
    return r.length === 2 && r[1]!.status === 'dispatched' ? r : undefined;
  });
  expect(replayed.map((r) => [r.event_id, r.status])).toEqual([['400', 'ignored'], ['401', 'dispatched']]);
  expect(await inboxRows(`event_id = '100'`, [])).toHaveLength(1);
  await expect(runQuarantineCommand(h.pool, { action: 'replay', which: { id: fixable } })).rejects.toThrow(`quarantine id ${fixable}: no open quarantined payload has this id`);
});
