import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '../../config/logger';
import { signHubspotV3 } from '../../connectors/hubspot/signature';
import { buildRelayServer } from '../../relay/server';
import { startDatabase } from '../support/database';

/**
 * The relay answers plain deliveries on its lean node:http path and everything else through Fastify
 * (relay/lean-intake.ts). Whichever path a delivery takes, it gets the same answer, byte for byte; Fastify still
 * serves the health check, the metrics (which count the lean path's deliveries) and the 404s.
 */

const secret = 'lean-path-secret';
let db: Awaited<ReturnType<typeof startDatabase>>;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  db = await startDatabase();
  app = await buildRelayServer({
    pool: db.pool, connections: [{ id: 'hubspot', role: 'crm', vendor: 'hubspot' }], secrets: { hubspot: secret },
    logger: createLogger('relay-lean-path-test', 'silent'), bodyLimitBytes: 65_536,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

interface Answer { status: number; contentType: string | undefined; body: string }

/**
 * Sends a signed HubSpot delivery. `lean`: with its length declared, as vendors send it; otherwise chunked (no
 * length), which the lean path leaves to Fastify.
 */
function deliver(body: string, opts: { lean: boolean; path?: string; secret?: string }): Promise<Answer> {
  const path = opts.path ?? '/webhooks/hubspot';
  const timestamp = Date.now();
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-hubspot-request-timestamp': String(timestamp),
    'x-hubspot-signature-v3': signHubspotV3(opts.secret ?? secret, 'POST', base + path, body, timestamp),
  };
  if (opts.lean) headers['content-length'] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const req = request(base + path, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, contentType: res.headers['content-type'], body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    // Two writes: without a declared length, Node sends the body chunked.
    req.write(body.slice(0, 5));
    req.end(body.slice(5));
  });
}

const contact = (eventId: number) => JSON.stringify([{ eventId, subscriptionType: 'contact.creation', objectId: 9000 + eventId, portalId: 1 }]);
const stored = async (eventId: number) => (await db.pool.query('SELECT count(*)::int AS n FROM integration.webhook_inbox WHERE event_id = $1', [String(eventId)])).rows[0].n as number;

test('a delivery and its redelivery get the same answers on either path, and are stored once', async () => {
  const first = await deliver(contact(1), { lean: true });
  expect(first).toEqual({ status: 200, contentType: 'application/json; charset=utf-8', body: '{"received":1,"duplicates":0,"ignored":0}' });
  const againByFastify = await deliver(contact(1), { lean: false });
  const againLean = await deliver(contact(1), { lean: true });
  expect(againByFastify).toEqual({ ...first, body: '{"received":1,"duplicates":1,"ignored":0}' });
  expect(againLean).toEqual(againByFastify);
  expect(await stored(1)).toBe(1);

  const byFastify = await deliver(contact(2), { lean: false });
  expect(byFastify).toEqual(first);
  expect(await stored(2)).toBe(1);
});

test('refusals read the same on either path: a bad signature, an unreadable body (one quarantine row), an ignored type', async () => {
  for (const [body, opts] of [[contact(3), { secret: 'not-the-secret' }], ['{not json', {}], ['[{"eventId":4,"subscriptionType":"contact.creation"}]', {}]] as const) {
    const lean = await deliver(body, { lean: true, ...opts });
    const fastify = await deliver(body, { lean: false, ...opts });
    expect(lean.status).toBeGreaterThanOrEqual(400);
    expect(fastify).toEqual(lean);
  }
  const ignored = JSON.stringify([{ eventId: 5, subscriptionType: 'deal.creation', objectId: 1 }]);
  expect(await deliver(ignored, { lean: true })).toMatchObject({ status: 200, body: '{"received":1,"duplicates":0,"ignored":1}' });
  const quarantined = await db.pool.query(`SELECT raw_body, occurrences FROM integration.quarantine ORDER BY id`);
  expect(quarantined.rows.map((r) => [(r.raw_body as Buffer).toString(), r.occurrences])).toEqual([
    ['{not json', 2], ['[{"eventId":4,"subscriptionType":"contact.creation"}]', 2],
  ]);
});

test('Fastify still serves the health check, the metrics (counting lean deliveries) and 404s with a reason', async () => {
  const accepted = async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    return Number(/engine_webhooks_total\{connection="hubspot",vendor="hubspot",outcome="accepted"\} (\d+)/.exec(text)?.[1] ?? 0);
  };
  const before = await accepted();
  expect((await deliver(contact(6), { lean: true })).status).toBe(200);
  expect(await accepted()).toBe(before + 1);

  const health = await fetch(`${base}/health`);
  expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
  const wrongMethod = await fetch(`${base}/webhooks/hubspot`);
  expect([wrongMethod.status, await wrongMethod.json()]).toEqual([404, { error: 'not_found', reason: 'no GET /webhooks/hubspot: webhooks are POST /webhooks/<connection>' }]);
  const unknown = await fetch(`${base}/webhooks/nobody`, { method: 'POST', body: '[]', headers: { 'content-type': 'application/json' } });
  expect([unknown.status, await unknown.json()]).toEqual([404, { error: 'not_found', reason: 'no POST /webhooks/nobody: webhooks are POST /webhooks/<connection>' }]);
  // A query string goes to Fastify's route (HubSpot signs the full URI, query included).
  expect(await deliver(contact(7), { lean: true, path: '/webhooks/hubspot?portal=1' })).toMatchObject({ status: 200, body: '{"received":1,"duplicates":0,"ignored":0}' });
});
