import fc from 'fast-check';
import { signHubspotV3 } from '../../connectors/hubspot/signature';
import { signShopify } from '../../connectors/shopify/signature';
import { signStripe } from '../../connectors/stripe/signature';
import { signWoocommerce } from '../../connectors/woocommerce/webhooks';
import { startHarness, type Harness } from '../support/harness';
import { deeplyNested, hostileString, hostileJson, malformedJsonText } from '../../reliability/hostile';

/**
 * Hostile input against the relay's real HTTP endpoints (fast-check): malformed JSON, wrong types, huge and deeply
 * nested bodies, forged, expired and replayed signatures, SQL-like and control characters in every field.
 * Invariants: every answer is 2xx only for an authentic, readable delivery and otherwise 4xx with a JSON reason;
 * never a 5xx; the inbox grows only by what an authentic delivery newly brought; an authentic body we cannot read
 * is kept in quarantine byte for byte; the process answers its health check after every property.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const BODY_LIMIT = 64 * 1024;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ withoutWorker: true });
});
afterAll(async () => h?.close());

type Vendor = 'hubspot' | 'shopify' | 'woocommerce' | 'stripe';
const VENDORS: Vendor[] = ['hubspot', 'shopify', 'woocommerce', 'stripe'];

interface Delivery { vendor: Vendor; body: Buffer; headers: Record<string, string> }
interface Answer { status: number; json: Record<string, unknown> | undefined; text: string }

const url = (vendor: Vendor) => `${h.relay.url}/webhooks/${vendor}`;
let serial = 0;
const uniqueId = (prefix: string) => `${prefix}-${process.pid}-${++serial}`;

/** Signs as the vendor would with the right secret, `nowMs` as the signing time (HubSpot and Stripe sign it). */
function signed(vendor: Vendor, body: Buffer, extra: Record<string, string> = {}, nowMs = Date.now()): Delivery {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...extra };
  if (vendor === 'hubspot') {
    headers['x-hubspot-request-timestamp'] = String(nowMs);
    headers['x-hubspot-signature-v3'] = signHubspotV3(h.secrets.hubspot, 'POST', url('hubspot'), body, nowMs);
  } else if (vendor === 'shopify') {
    headers['x-shopify-hmac-sha256'] = signShopify(h.secrets.shopify, body);
    headers['x-shopify-topic'] ??= 'orders/create';
    headers['x-shopify-webhook-id'] ??= uniqueId('wh');
  } else if (vendor === 'woocommerce') {
    headers['x-wc-webhook-signature'] = signWoocommerce(h.secrets.woocommerce, body);
    headers['x-wc-webhook-topic'] ??= 'order.created';
    headers['x-wc-webhook-resource'] ??= 'order';
    headers['x-wc-webhook-delivery-id'] ??= uniqueId('dl');
  } else {
    headers['stripe-signature'] = signStripe(h.secrets.stripe, body, Math.floor(nowMs / 1000));
  }
  return { vendor, body, headers };
}

async function send(d: Delivery, method = 'POST', path = `/webhooks/${d.vendor}`): Promise<Answer> {
  const res = await fetch(`${h.relay.url}${path}`, { method, headers: d.headers, body: method === 'GET' || method === 'HEAD' ? undefined : d.body });
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

const inboxCount = async () => (await h.pool.query('SELECT count(*)::int AS n FROM integration.webhook_inbox')).rows[0].n as number;
const quarantineCount = async () => (await h.pool.query('SELECT count(*)::int AS n FROM integration.quarantine')).rows[0].n as number;

/** A refusal: 4xx with a JSON body naming the reason. */
function expectRefusal(answer: Answer): void {
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.status).toBeLessThan(500);
  expect(answer.json).toBeDefined();
  expect(typeof answer.json?.reason).toBe('string');
  expect((answer.json?.reason as string).length).toBeGreaterThan(0);
}

async function expectHealthy(): Promise<void> {
  const res = await fetch(`${h.relay.url}/health`);
  expect(res.status).toBe(200);
}

/** Sends an authentic delivery and checks the answer against what landed in the inbox and the quarantine. */
async function sendAuthentic(d: Delivery): Promise<Answer> {
  const before = await inboxCount();
  const answer = await send(d);
  const after = await inboxCount();
  if (answer.status === 200) {
    const { received, duplicates } = answer.json as { received: number; duplicates: number };
    expect(after - before).toBe(received - duplicates);
    return answer;
  }
  expect(after).toBe(before);
  expectRefusal(answer);
  if (d.body.length > BODY_LIMIT) {
    expect(answer.status).toBe(413);
    return answer;
  }
  // Authentic but unreadable: kept once, byte for byte, for an operator.
  expect(answer.status).toBe(400);
  expect(answer.json?.error).toBe('unprocessable_payload');
  const { rows } = await h.pool.query('SELECT source, raw_body FROM integration.quarantine WHERE id = $1', [answer.json?.quarantineId]);
  expect(rows).toHaveLength(1);
  expect(rows[0].source).toBe(d.vendor);
  expect(Buffer.compare(rows[0].raw_body as Buffer, d.body)).toBe(0);
  return answer;
}

const vendor = fc.constantFrom<Vendor>(...VENDORS);

/** Any body at all: random bytes, malformed JSON, any JSON value, deeply nested, just over the limit. */
const anyBody: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
  malformedJsonText.map((t) => Buffer.from(t)),
  hostileJson.map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  deeplyNested.map((t) => Buffer.from(t)),
  fc.constant(Buffer.from('')),
  fc.integer({ min: BODY_LIMIT + 1, max: BODY_LIMIT + 4096 }).map((n) => Buffer.from(`{"x":"${'a'.repeat(n)}"}`)),
);

/** Header values a forger might try: wrong, truncated, empty-ish, from another vendor, with odd characters. */
const forgedHeaderValue = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.constantFrom('t=0,v1=', 't=abc,v1=00', 'v1=deadbeef', ',,,', '=', 'sha256=abc', 'AAAA', '0'.repeat(64), String(Date.now())),
).map((v) => v.replace(/[^\t\x20-\x7e]/g, '?'));

test('a delivery without an authentic signature is refused 401 with a reason, and nothing is stored', async () => {
  const storedBefore = [await inboxCount(), await quarantineCount()];
  await fc.assert(
    fc.asyncProperty(vendor, anyBody, forgedHeaderValue, forgedHeaderValue, fc.boolean(), async (v, body, sig, other, wrongSecret) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      // Every header the vendor reads, forged or signed with someone else's secret.
      if (v === 'hubspot') Object.assign(headers, { 'x-hubspot-signature-v3': wrongSecret ? signHubspotV3('not-the-secret', 'POST', url(v), body, Date.now()) : sig, 'x-hubspot-request-timestamp': wrongSecret ? String(Date.now()) : other });
      if (v === 'shopify') Object.assign(headers, { 'x-shopify-hmac-sha256': wrongSecret ? signShopify('not-the-secret', body) : sig, 'x-shopify-topic': 'orders/create', 'x-shopify-webhook-id': other || 'x' });
      if (v === 'woocommerce') Object.assign(headers, { 'x-wc-webhook-signature': wrongSecret ? signWoocommerce('not-the-secret', body) : sig, 'x-wc-webhook-topic': 'order.created', 'x-wc-webhook-delivery-id': other || 'x' });
      if (v === 'stripe') Object.assign(headers, { 'stripe-signature': wrongSecret ? signStripe('whsec_other', body, Math.floor(Date.now() / 1000)) : sig });
      const answer = await send({ vendor: v, body, headers });
      expectRefusal(answer);
      expect(answer.status).toBe(body.length > BODY_LIMIT ? 413 : 401);
    }),
    { numRuns: RUNS },
  );
  expect([await inboxCount(), await quarantineCount()]).toEqual(storedBefore);
  await expectHealthy();
});

test('an authentic delivery of any body is stored (2xx) or refused 4xx and quarantined; never a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(vendor, anyBody, async (v, body) => {
      await sendAuthentic(signed(v, body));
    }),
    { numRuns: RUNS },
  );
  await expectHealthy();
});

/** Well-formed events of each vendor with hostile text in every string field. */
const hostileEvent = (v: Vendor): fc.Arbitrary<{ body: unknown; headers: Record<string, string>; eventId: string }> => {
  const s = hostileString;
  const id = fc.integer({ min: 1, max: 2 ** 31 });
  // Sometimes a field nested a few levels, or deeper than any real payload (the relay keeps at most 256 levels).
  const nested = fc.option(fc.integer({ min: 1, max: 3000 }).map((depth) => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) as unknown), { nil: undefined });
  if (v === 'hubspot') {
    const event = fc.record({
      eventId: id, subscriptionType: fc.constantFrom('contact.creation', 'contact.propertyChange', 'deal.creation'), objectId: id,
      portalId: fc.nat(), occurredAt: fc.nat(), propertyName: s, propertyValue: s, extra: s, nested,
    });
    // Distinct event ids, so the first event's row is this delivery's (fuzzed ids are the other properties' business).
    return fc.array(event, { minLength: 1, maxLength: 5 })
      .map((events) => events.map((e) => ({ ...e, eventId: 5_000_000_000 + process.pid * 100_000 + ++serial })))
      .map((body) => ({ body, headers: {}, eventId: String(body[0]!.eventId) }));
  }
  if (v === 'shopify') {
    return fc.record({ id, name: s, email: s, note: s, tags: s, nested, topic: fc.constantFrom('orders/create', 'orders/updated', 'products/update'), webhookId: s })
      .map(({ topic, webhookId, ...body }) => {
        const eventId = `wh-${headerSafe(webhookId)}-${++serial}`;
        return { body, headers: { 'x-shopify-topic': topic, 'x-shopify-webhook-id': eventId }, eventId };
      });
  }
  if (v === 'woocommerce') {
    return fc.record({ id, status: s, number: s, nested, billing: fc.record({ email: s, first_name: s, address_1: s }), topic: fc.constantFrom('order.created', 'order.updated', 'product.updated') })
      .map(({ topic, ...body }) => {
        const eventId = `${process.pid}${++serial}`;
        return { body, headers: { 'x-wc-webhook-topic': topic, 'x-wc-webhook-resource': topic.split('.')[0]!, 'x-wc-webhook-delivery-id': eventId }, eventId };
      });
  }
  return fc.record({ evt: s, pi: s, description: s, nested, type: fc.constantFrom('payment_intent.succeeded', 'charge.refunded', 'customer.created') })
    .map(({ evt, pi, description, nested: deep, type }) => ({
      body: { id: `evt_${evt}`, object: 'event', type, data: { object: { id: `pi_${pi}`, object: 'payment_intent', description, payment_intent: `pi_${pi}`, metadata: deep } } },
      headers: {},
      eventId: `evt_${evt}`,
    }));
};
const headerSafe = (v: string) => v.replace(/[^\x21-\x7e]/g, '_').slice(0, 40);

test('well-formed events with SQL-like and control characters in every field are stored verbatim or quarantined, never a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(vendor.chain((v) => hostileEvent(v).map((e) => ({ v, ...e }))), async ({ v, body, headers, eventId }) => {
      const raw = Buffer.from(JSON.stringify(body));
      const answer = await sendAuthentic(signed(v, raw, headers));
      const { duplicates, received } = (answer.json ?? {}) as { duplicates?: number; received?: number };
      if (answer.status === 200 && duplicates !== received) {
        // What was stored reads back as what was sent: no field was cut, re-encoded or interpreted.
        const { rows } = await h.pool.query('SELECT raw_body, payload FROM integration.webhook_inbox WHERE provider = $1 AND event_id = $2', [v, eventId]);
        expect(rows).toHaveLength(1);
        expect(Buffer.compare(rows[0].raw_body as Buffer, raw)).toBe(0);
        expect(rows[0].payload).toEqual(v === 'hubspot' ? (body as unknown[])[0] : body);
      }
    }),
    { numRuns: RUNS },
  );
  await expectHealthy();
});

test('replayed deliveries: an expired signature is refused, a resent one within the window is a duplicate and stores nothing', async () => {
  await fc.assert(
    fc.asyncProperty(
      vendor, fc.integer({ min: 1, max: 2 ** 31 }), fc.integer({ min: 6 * 60_000, max: 30 * 86_400_000 }), fc.boolean(),
      async (v, id, ageMs, future) => {
        const body = Buffer.from(JSON.stringify(validBody(v, id)));
        const first = signed(v, body);
        const stored = await sendAuthentic(first);
        expect(stored.status).toBe(200);
        const before = await inboxCount();
        // The very same request again (a replay of captured bytes and headers): nothing new is stored.
        const replay = await send(first);
        expect(replay.status).toBe(200);
        expect(replay.json).toMatchObject({ duplicates: (replay.json as { received: number }).received });
        if (v === 'hubspot' || v === 'stripe') {
          // Signed with a time far outside the window, in the past or the future: refused before anything is read.
          const stale = signed(v, body, {}, Date.now() + (future ? ageMs : -ageMs));
          const answer = await send(stale);
          expectRefusal(answer);
          expect(answer.status).toBe(401);
          expect(answer.json?.reason).toMatch(/timestamp outside/);
        }
        expect(await inboxCount()).toBe(before);
      },
    ),
    { numRuns: Math.max(20, Math.floor(RUNS / 4)) },
  );
  await expectHealthy();
});

function validBody(v: Vendor, id: number): unknown {
  if (v === 'hubspot') return [{ eventId: id + 10_000_000_000, subscriptionType: 'deal.creation', objectId: id, portalId: 1, occurredAt: Date.now() }];
  if (v === 'stripe') return { id: `evt_replay_${id}`, object: 'event', type: 'customer.created', data: { object: { id: `cus_${id}`, object: 'customer' } } };
  return { id, status: 'pending', name: `#${id}` };
}

test('other methods, unknown paths and odd content types get a 4xx with a JSON reason, and the process stays up', async () => {
  const methods = fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'POST');
  const segment = fc.oneof(fc.constantFrom(...VENDORS, 'unknown', '..', '%00', '%2e%2e', "'; DROP TABLE x;--", 'health/../webhooks'), fc.webSegment());
  await fc.assert(
    fc.asyncProperty(methods, segment, fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '', 'application/json; charset=latin1'), anyBody,
      async (method, seg, contentType, body) => {
        const path = `/webhooks/${seg}`;
        const known = (VENDORS as string[]).includes(seg);
        if (known && method === 'POST') return; // the endpoints themselves: the properties above
        const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
        const before = await inboxCount();
        const answer = await send({ vendor: 'hubspot', body, headers }, method, path);
        expectRefusal(answer);
        expect(await inboxCount()).toBe(before);
      }),
    { numRuns: Math.max(50, Math.floor(RUNS / 2)) },
  );
  await expectHealthy();
});

test('a WooCommerce ping is answered 2xx and stores nothing; anything else unsigned is refused', async () => {
  await fc.assert(
    fc.asyncProperty(fc.nat(), fc.string({ maxLength: 30 }), async (id, tail) => {
      const before = await inboxCount();
      const ping = await send({ vendor: 'woocommerce', body: Buffer.from(`webhook_id=${id}`), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect([ping.status, ping.json]).toEqual([200, { received: 0, ping: true }]);
      const notPing = await send({ vendor: 'woocommerce', body: Buffer.from(`webhook_id=${id}&${tail}`), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expectRefusal(notPing);
      expect(await inboxCount()).toBe(before);
    }),
    { numRuns: Math.max(20, Math.floor(RUNS / 4)) },
  );
});
