import type { IncomingHttpHeaders } from 'node:http';
import { Client } from '@hubspot/api-client';
import { HubspotClient } from '../../connectors/hubspot/client';
import { toCrmContact } from '../../connectors/hubspot/mapper';
import { JsonHttpClient } from '../../connectors/http';
import { parseHubspot } from '../../connectors/hubspot/webhooks';
import { verifyHubspotV3 } from '../../connectors/hubspot/signature';
import { startHubspotSimulator, type HubspotSimulator, type HubspotWebhookEvent } from '../../connectors/hubspot/simulator/server';
import { WebhookSender } from '../../simulators/webhook-sender';
import { freePort } from '../../stack/free-port';
import { failure, waitFor, WebhookReceiver } from '../support/webhook-receiver';

/** The HubSpot simulator driven over HTTP by the real connector, with a stand-in relay receiving its webhooks. */

const TOKEN = 'test-token';
const SECRET = 'test-client-secret';
const PORTAL = 777;

interface Received { url: string; headers: IncomingHttpHeaders; raw: Buffer; events: HubspotWebhookEvent[] }

/** Stands in for the relay. */
class Receiver extends WebhookReceiver<Received> {
  constructor() {
    super((raw, req) => ({ url: req.url ?? '', headers: req.headers, raw, events: JSON.parse(raw.toString('utf8')) as HubspotWebhookEvent[] }));
  }
}

const vendorError = (call: () => Promise<unknown>) => failure(call);

const verify = (r: Received, uri: string) => verifyHubspotV3({
  secret: SECRET, method: 'POST', uri, rawBody: r.raw, nowMs: Date.now(),
  signature: r.headers['x-hubspot-signature-v3'] as string | undefined, timestamp: r.headers['x-hubspot-request-timestamp'] as string | undefined,
});

describe('HubSpot simulator with the HubSpot connector', () => {
  const receiver = new Receiver();
  let sim: HubspotSimulator;
  let hubspot: HubspotClient;
  let control: JsonHttpClient;
  const target = () => `${receiver.url}/webhooks/hubspot`;

  beforeAll(async () => {
    await receiver.start();
    sim = await startHubspotSimulator({
      port: 0, accessToken: TOKEN, clientSecret: SECRET, webhookTargetUrl: `${receiver.url}/webhooks/hubspot`, portalId: PORTAL,
      logger: false, webhookRetry: { baseDelayMs: 10, maxDelayMs: 50, timeoutMs: 1000 },
    });
    hubspot = new HubspotClient({ baseUrl: sim.url, accessToken: TOKEN });
    control = new JsonHttpClient({ vendor: 'hubspot-sim', baseUrl: sim.url });
  });

  afterEach(async () => {
    await sim.webhooks.idle();
    await control.post('/__sim/reset', {});
    receiver.received = [];
    receiver.failNext = [];
  });

  afterAll(async () => {
    await sim.close();
    await receiver.close();
  });

  it('listens on the port it was given 0 for', () => {
    expect(sim.port).toBeGreaterThan(0);
    expect(sim.url).toBe(`http://127.0.0.1:${sim.port}`);
  });

  it('creates a contact and sends one signed batch: creation plus subscribed properties that were set', async () => {
    const created = await hubspot.createContact({ email: 'ada@example.com', firstname: 'Ada', lifecyclestage: 'lead', erp_customer_number: 'C-1', city: 'London' });
    expect(created.id).toMatch(/^\d+$/);
    expect(created.properties).toMatchObject({ hs_object_id: created.id, email: 'ada@example.com', createdate: created.createdAt, lastmodifieddate: created.updatedAt });
    expect(created.archived).toBe(false);

    await waitFor(() => receiver.received.length === 1, 'the webhook batch');
    const batch = receiver.received[0]!;
    expect(batch.url).toBe('/webhooks/hubspot');
    expect(batch.headers['content-type']).toBe('application/json');
    expect(verify(batch, target())).toEqual({ ok: true });
    expect(verifyHubspotV3({ ...{ secret: SECRET, method: 'POST', uri: target(), nowMs: Date.now() },
      rawBody: Buffer.from(batch.raw.toString().replace('ada@', 'eve@')),
      signature: batch.headers['x-hubspot-signature-v3'] as string, timestamp: batch.headers['x-hubspot-request-timestamp'] as string }).ok).toBe(false);

    const events = batch.events;
    expect(events.map((e) => e.subscriptionType)).toEqual(['contact.creation', 'contact.propertyChange', 'contact.propertyChange', 'contact.propertyChange']);
    expect(events.filter((e) => e.propertyName).map((e) => [e.propertyName, e.propertyValue]).sort())
      .toEqual([['email', 'ada@example.com'], ['firstname', 'Ada'], ['lifecyclestage', 'lead']]);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(4);
    for (const e of events) {
      expect(e).toMatchObject({ objectId: Number(created.id), portalId: PORTAL, attemptNumber: 0, changeSource: 'INTEGRATION' });
      expect(typeof e.eventId).toBe('number');
      expect(Math.abs(e.occurredAt - Date.now())).toBeLessThan(10_000);
    }
    // The relay's own parser accepts the batch as is.
    const parsed = parseHubspot('hubspot', batch.raw);
    expect(parsed.ok && parsed.events.map((e) => e.businessKey)).toEqual(Array(4).fill(`hubspot:contact:${created.id}`));
  });

  it('returns only the requested properties plus the system ones, and the mapper accepts the answer', async () => {
    const created = await hubspot.createContact({ email: 'bob@example.com', firstname: 'Bob', company: 'Acme' });
    const got = await hubspot.getContact(created.id, ['email', 'phone']);
    expect(Object.keys(got.properties).sort()).toEqual(['createdate', 'email', 'hs_object_id', 'lastmodifieddate', 'phone']);
    expect(got.properties).toMatchObject({ email: 'bob@example.com', phone: null });
    const contact = toCrmContact(await hubspot.getContact(created.id, ['email', 'firstname', 'company']));
    expect(contact).toMatchObject({ id: created.id, email: 'bob@example.com', firstName: 'Bob', company: 'Acme', phone: null });
  });

  it('notifies only changed, subscribed properties on update (writing the ERP number back does not loop)', async () => {
    const created = await hubspot.createContact({ email: 'cy@example.com', lifecyclestage: 'lead', firstname: 'Cy' });
    await waitFor(() => receiver.received.length === 1, 'the creation batch');

    const written = await hubspot.updateContact(created.id, { erp_customer_number: 'C-42' });
    expect(written.properties.erp_customer_number).toBe('C-42');
    expect(Date.parse(written.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));
    await hubspot.updateContact(created.id, { lifecyclestage: 'lead' }); // same value: no change
    await hubspot.updateContact(created.id, { lifecyclestage: 'salesqualifiedlead', firstname: '' });
    await sim.webhooks.idle();

    expect(receiver.received).toHaveLength(2);
    const events = receiver.received[1]!.events;
    expect(events.map((e) => [e.subscriptionType, e.propertyName, e.propertyValue]))
      .toEqual([['contact.propertyChange', 'lifecyclestage', 'salesqualifiedlead'], ['contact.propertyChange', 'firstname', '']]);
    expect((await hubspot.getContact(created.id, ['firstname'])).properties.firstname).toBeNull();
  });

  it('marks edits made through the simulated UI as CRM_UI', async () => {
    const created = await hubspot.createContact({ email: 'dee@example.com' });
    await control.patch(`/__sim/contacts/${created.id}`, { properties: { lifecyclestage: 'customer' } });
    await waitFor(() => receiver.received.length === 2, 'the UI edit batch');
    expect(receiver.received[1]!.events[0]).toMatchObject({ changeSource: 'CRM_UI', propertyName: 'lifecyclestage', propertyValue: 'customer' });
  });

  it('answers 401 without or with a wrong bearer token, and changes nothing', async () => {
    const res = await fetch(`${sim.url}/crm/v3/objects/contacts`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ properties: { email: 'x@example.com' } }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION', correlationId: expect.any(String) });

    const err = await vendorError(() => new HubspotClient({ baseUrl: sim.url, accessToken: 'wrong' }).createContact({ email: 'x@example.com' }));
    expect(err).toMatchObject({ vendor: 'hubspot', status: 401, method: 'POST', path: '/crm/v3/objects/contacts', statusClass: 'permanent' });
    expect(sim.state.contacts.size).toBe(0);
  });

  it('answers 404 in HubSpot error shape for an unknown contact', async () => {
    const err = await vendorError(() => hubspot.getContact('123', ['email']));
    expect(err.status).toBe(404);
    expect(err.statusClass).toBe('permanent');
    expect(err.body).toMatchObject({ status: 'error', category: 'OBJECT_NOT_FOUND', correlationId: expect.any(String), message: expect.any(String) });
    expect((await vendorError(() => hubspot.updateContact('123', { firstname: 'X' }))).status).toBe(404);
  });

  it('serves archived contacts only when asked with archived=true, as HubSpot does', async () => {
    const kept = await hubspot.createContact({ email: 'kept@example.com' });
    const gone = await hubspot.createContact({ email: 'old@example.com' });
    await fetch(`${sim.url}/crm/v3/objects/contacts/${gone.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
    const get = (query: string) => fetch(`${sim.url}/crm/v3/objects/contacts${query}`, { headers: { authorization: `Bearer ${TOKEN}` } });

    const archived = await get(`/${gone.id}?archived=true&properties=email`);
    expect(archived.status).toBe(200);
    expect(await archived.json()).toMatchObject({ id: gone.id, archived: true, properties: { email: 'old@example.com' } });
    expect((await get(`/${kept.id}?archived=true`)).status).toBe(404);
    const list = (await (await get('?archived=true')).json()) as { results: Array<{ id: string }> };
    expect(list.results.map((c) => c.id)).toEqual([gone.id]);
    expect((await get('?archived=maybe')).status).toBe(400);
    // The SDK sends archived=false on every read: live contacts only.
    expect((await hubspot.listContacts()).results.map((c) => c.id)).toEqual([kept.id]);
  });

  it('archives a contact on DELETE: 204, then 404, and a contact.deletion event', async () => {
    const created = await hubspot.createContact({ email: 'gone@example.com' });
    const res = await fetch(`${sim.url}/crm/v3/objects/contacts/${created.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(204);
    expect((await vendorError(() => hubspot.getContact(created.id, ['email']))).status).toBe(404);
    await waitFor(() => receiver.received.length === 2, 'the deletion batch');
    expect(receiver.received[1]!.events).toEqual([expect.objectContaining({ subscriptionType: 'contact.deletion', objectId: Number(created.id) })]);
    // The email is free again once its contact is archived.
    await expect(hubspot.createContact({ email: 'gone@example.com' })).resolves.toMatchObject({ id: expect.any(String) });
  });

  it('rejects invalid input with 400 VALIDATION_ERROR and duplicate emails with 409', async () => {
    const badEmail = await vendorError(() => hubspot.createContact({ email: 'not-an-email' }));
    expect(badEmail.status).toBe(400);
    expect(badEmail.body).toMatchObject({ category: 'VALIDATION_ERROR', message: expect.stringContaining('INVALID_EMAIL') });
    expect((await vendorError(() => hubspot.createContact({ lifecyclestage: 'vip' }))).body).toMatchObject({ message: expect.stringContaining('INVALID_OPTION') });
    expect((await vendorError(() => hubspot.createContact({ hs_object_id: '5' }))).body).toMatchObject({ message: expect.stringContaining('READ_ONLY_VALUE') });

    for (const body of ['{"props":{}}', '{"properties":{"email":{"a":1}}}', '{not json', '[]']) {
      const res = await fetch(`${sim.url}/crm/v3/objects/contacts`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body });
      expect([res.status, ((await res.json()) as { category?: string }).category]).toEqual([400, 'VALIDATION_ERROR']);
    }
    const first = await hubspot.createContact({ email: 'eve@example.com' });
    const dup = await vendorError(() => hubspot.createContact({ email: 'EVE@example.com' }));
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ category: 'CONFLICT', message: `Contact already exists. Existing ID: ${first.id}` });
    expect(sim.state.contacts.size).toBe(1);
    expect((await fetch(`${sim.url}/__sim/health`)).status).toBe(200);
  });

  it('pages through contacts with limit and after', async () => {
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push((await hubspot.createContact({ email: `p${n}@example.com` })).id);
    const first = await hubspot.listContacts({ limit: 2, properties: ['email'] });
    expect(first.results.map((c) => c.id)).toEqual(ids.slice(0, 2));
    expect(first.results[0]!.properties.email).toBe('p1@example.com');
    const after = first.paging?.next?.after;
    expect(after).toBeDefined();
    const second = await hubspot.listContacts({ limit: 2, after });
    expect(second.results.map((c) => c.id)).toEqual([ids[2]]);
    expect(second.paging).toBeUndefined();
    expect((await vendorError(() => hubspot.listContacts({ limit: 101 }))).status).toBe(400);
  });

  describe('fault injection', () => {
    const addFaults = (rules: unknown) => control.post<{ ids: string[] }>('/__sim/faults', rules);

    it('fails the next two matching calls with 503, then lets them through, counting every attempt', async () => {
      const created = await hubspot.createContact({ email: 'f@example.com' });
      const { ids } = await addFaults({ kind: 'status', status: 503, remaining: 2, method: 'get', pathPattern: '^/crm/v3/objects/contacts/\\d+$' });
      expect(ids).toHaveLength(1);
      await hubspot.updateContact(created.id, { firstname: 'Not faulted' }); // PATCH does not match the rule

      for (let i = 0; i < 2; i++) {
        const err = await vendorError(() => hubspot.getContact(created.id, ['email']));
        expect([err.status, err.statusClass]).toEqual([503, 'retryable']);
        expect(err.body).toMatchObject({ status: 'error', category: 'INTERNAL_ERROR' });
      }
      expect((await hubspot.getContact(created.id, ['email'])).properties.email).toBe('f@example.com');
      expect(sim.faults.requestCount('GET', '/crm/v3/objects/contacts/:id')).toBe(3);
      expect(sim.faults.requestCount('PATCH', '/crm/v3/objects/contacts/:id')).toBe(1);
      expect((await control.get<{ faults: Array<{ remaining: number }> }>('/__sim/faults')).faults[0]!.remaining).toBe(0);
    });

    it('never applies faults to the control API', async () => {
      await addFaults([{ kind: 'status', status: 500, remaining: 1 }]);
      expect((await control.get<{ status: string }>('/__sim/health')).status).toBe('ok');
      expect((await vendorError(() => hubspot.listContacts())).status).toBe(500);
      expect((await hubspot.listContacts()).results).toEqual([]);
    });

    it('rate-limits with 429 and Retry-After, which the connector reports as retryAfterMs', async () => {
      await addFaults({ kind: 'rate-limit', retryAfterSeconds: 7 });
      const err = await vendorError(() => hubspot.listContacts());
      expect(err).toMatchObject({ status: 429, statusClass: 'rate-limited', retryAfterMs: 7000, method: 'GET', path: '/crm/v3/objects/contacts' });
      expect(err.body).toMatchObject({ errorType: 'RATE_LIMIT', policyName: 'SECONDLY' });
      expect(sim.faults.requestCount('GET', '/crm/v3/objects/contacts')).toBe(1);
    });

    it('never retries or queues inside the SDK, even after a retrying, rate-limited SDK client was built', async () => {
      const created = await hubspot.createContact({ email: 'once@example.com' });
      const ours = new HubspotClient({ baseUrl: sim.url, accessToken: TOKEN });
      // The SDK keeps retry and limiter settings process-wide; a later client with both must not reach ours.
      void new Client({ accessToken: TOKEN, basePath: sim.url, numberOfApiCallRetries: 3, limiterOptions: { maxConcurrent: 1, minTime: 1000 } })
        .crm.contacts.basicApi;
      await addFaults([{ kind: 'status', status: 503, remaining: 1 }, { kind: 'rate-limit', retryAfterSeconds: 1, remaining: 1 }]);

      expect((await vendorError(() => ours.getContact(created.id, ['email']))).status).toBe(503);
      expect((await vendorError(() => ours.getContact(created.id, ['email']))).status).toBe(429);
      expect(sim.faults.requestCount('GET', '/crm/v3/objects/contacts/:id')).toBe(2);
      // Two calls at once both go out at once: no limiter spacing them a second apart.
      const started = Date.now();
      await Promise.all([ours.getContact(created.id, ['email']), ours.getContact(created.id, ['email'])]);
      expect(Date.now() - started).toBeLessThan(900);
    });

    it('delays answers so that the client times out with a retryable status 0', async () => {
      await addFaults({ kind: 'delay', delayMs: 3000, method: 'GET' });
      const impatient = new HubspotClient({ baseUrl: sim.url, accessToken: TOKEN, timeoutMs: 200 });
      const started = Date.now();
      const err = await vendorError(() => impatient.listContacts());
      expect(Date.now() - started).toBeLessThan(2000);
      expect(err).toMatchObject({ status: 0, statusClass: 'retryable', message: expect.stringContaining('no answer within 200 ms') });
      expect(err.retryAfterMs).toBeUndefined();
    });

    it('stops a call the caller cancels, rethrowing the caller\'s reason', async () => {
      await addFaults({ kind: 'delay', delayMs: 3000, method: 'GET' });
      const controller = new AbortController();
      const started = Date.now();
      const pending = hubspot.getContact('123', ['email'], controller.signal);
      setTimeout(() => controller.abort(new Error('activity cancelled')), 50);
      await expect(pending).rejects.toThrow('activity cancelled');
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('rejects malformed rules with 400', async () => {
      for (const rule of [{ kind: 'status' }, { kind: 'delay' }, { kind: 'boom' }, { kind: 'status', status: 503, pathPattern: '(' }]) {
        expect((await vendorError(() => addFaults(rule))).status).toBe(400);
      }
      expect(sim.faults.list()).toEqual([]);
    });
  });

  describe('webhook delivery', () => {
    it('sends every batch twice with duplicates, and redelivers the last events with the same eventIds', async () => {
      await control.post('/__sim/webhooks/config', { duplicates: 2 });
      await hubspot.createContact({ email: 'dup@example.com' });
      await waitFor(() => receiver.received.length === 2, 'the duplicated batch');
      const [a, b] = receiver.received.map((r) => r.events.map((e) => e.eventId));
      expect(a).toEqual(b);
      expect(a).toHaveLength(2);

      await control.post('/__sim/webhooks/config', { duplicates: 1 });
      const { eventIds } = await control.post<{ eventIds: number[] }>('/__sim/webhooks/redeliver', { count: 1 });
      expect(eventIds).toEqual([a![1]]);
      await waitFor(() => receiver.received.length === 3, 'the redelivery');
      expect(receiver.received[2]!.events.map((e) => e.eventId)).toEqual([a![1]]);
      expect(verify(receiver.received[2]!, target()).ok).toBe(true);
    });

    it('retries with backoff while the receiver fails, keeping eventIds and counting attemptNumber', async () => {
      receiver.failNext = [500, 503];
      await hubspot.createContact({ email: 'retry@example.com' });
      await waitFor(() => receiver.received.length === 3, 'three attempts');
      const ids = receiver.received.map((r) => r.events.map((e) => e.eventId).join());
      expect(new Set(ids).size).toBe(1);
      expect(receiver.received.map((r) => r.events[0]!.attemptNumber)).toEqual([0, 1, 2]);
      for (const r of receiver.received) expect(verify(r, target()).ok).toBe(true);

      // The sender logs a delivery once it has the answer, just after the receiver saw the request.
      await waitFor(() => sim.webhooks.deliveries().length === 3, 'the third delivery logged');
      const { deliveries } = await control.get<{ deliveries: Array<{ status: number; attempt: number; ok: boolean }> }>('/__sim/deliveries');
      expect(deliveries.map((d) => [d.status, d.attempt, d.ok])).toEqual([[500, 1, false], [503, 2, false], [200, 3, true]]);
    });

    it('gives up after the bounded number of attempts on an unreachable target and keeps serving', async () => {
      await control.post('/__sim/webhooks/config', { targetUrl: `http://127.0.0.1:${await freePort()}/webhooks/hubspot` });
      await hubspot.createContact({ email: 'lost@example.com' });
      await sim.webhooks.idle();
      const deliveries = sim.webhooks.deliveries();
      expect(deliveries.map((d) => d.attempt)).toEqual([1, 2, 3, 4, 5]);
      expect(deliveries.every((d) => d.status === 0 && !d.ok && typeof d.error === 'string')).toBe(true);
      expect(receiver.received).toHaveLength(0);
      expect((await hubspot.listContacts()).results).toHaveLength(1);
    });

    it('keeps events without a target and resets state, faults and delivery config on reset', async () => {
      await control.post('/__sim/webhooks/config', { targetUrl: null });
      await hubspot.createContact({ email: 'quiet@example.com' });
      await sim.webhooks.idle();
      expect(receiver.received).toHaveLength(0);
      expect(sim.state.events).toHaveLength(2);
      expect((await vendorError(() => control.post('/__sim/webhooks/redeliver', {}))).status).toBe(409);

      await control.post('/__sim/faults', { kind: 'status', status: 500 });
      await control.post('/__sim/reset', {});
      expect((await control.get<{ contacts: unknown[] }>('/__sim/contacts')).contacts).toEqual([]);
      expect(sim.faults.list()).toEqual([]);
      expect(sim.webhooks.config.targetUrl).toBe(target());
    });
  });
});

describe('WebhookSender on its own', () => {
  const sign = () => ({ 'x-test-signature': 'sig' });

  it('shuffles a batch out of order with the injected random source', async () => {
    const receiver = new Receiver();
    await receiver.start();
    const sender = new WebhookSender({ sign, config: { targetUrl: receiver.url, shuffle: true }, random: () => 0 });
    try {
      await sender.send([1, 2, 3, 4].map((n) => ({ body: [{ eventId: n }], ids: [String(n)] })));
      // With random() = 0 every Fisher-Yates step swaps with the first slot: [1,2,3,4] -> [2,3,4,1].
      expect(receiver.received.map((r) => r.events[0]!.eventId)).toEqual([2, 3, 4, 1]);
      expect(receiver.received[0]!.headers['x-test-signature']).toBe('sig');
    } finally {
      await sender.close();
      await receiver.close();
    }
  });

  it('never throws: a failing sign callback is logged once and not retried', async () => {
    const sender = new WebhookSender({ sign: () => { throw new Error('no key'); }, config: { targetUrl: 'http://127.0.0.1:9/' } });
    await expect(sender.send([{ body: {} }])).resolves.toBeUndefined();
    expect(sender.deliveries()).toEqual([expect.objectContaining({ attempt: 1, status: 0, ok: false, error: expect.stringContaining('no key') })]);
    await sender.close();
  });

  it('stops promptly on close, in the middle of a long backoff, and ignores later sends', async () => {
    const receiver = new Receiver();
    await receiver.start();
    receiver.failNext = [500];
    const sender = new WebhookSender({ sign, config: { targetUrl: receiver.url }, retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 } });
    const pending = sender.send([{ body: [{ eventId: 1 }] }]);
    await waitFor(() => sender.deliveries().length === 1, 'the first attempt');
    const started = Date.now();
    await sender.close();
    await pending;
    expect(Date.now() - started).toBeLessThan(1000);
    await sender.send([{ body: [{ eventId: 2 }] }]);
    expect(receiver.received).toHaveLength(1);
    await receiver.close();
  });
});
