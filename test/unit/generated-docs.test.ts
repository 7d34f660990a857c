import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DOCUMENTS, renderAll } from '../../docgen/documents';
import { repoRoot } from '../../docgen/repo';
import { buildDocumentedDashboard, DASHBOARD_ROUTE_DOCS } from '../../docgen/http/dashboard';
import { buildDocumentedRelay, RELAY_ROUTE_DOCS } from '../../docgen/http/relay';
import type { RouteDoc } from '../../docgen/http/routes';
import type { FastifyInstance } from 'fastify';

/**
 * The documents made from the code (docgen/) must be what the code makes of them today: each is generated in
 * memory and compared with the committed file.
 */
describe('generated documents', () => {
  let rendered: Array<{ path: string; text: string }>;
  beforeAll(async () => {
    rendered = await renderAll();
  });

  test('every document is generated', () => {
    expect(rendered.map((d) => d.path)).toEqual(DOCUMENTS.map((d) => d.path));
  });

  test.each(DOCUMENTS.map((d) => d.path))('%s is up to date', (path) => {
    const expected = rendered.find((d) => d.path === path)!.text;
    let current = '';
    try {
      current = readFileSync(join(repoRoot(), path), 'utf8');
    } catch {
      // missing: reported below like any other difference
    }
    if (current !== expected) throw new Error(`${path} is out of date: run \`npm run docs:generate\`${firstDifference(current, expected)}`);
  });

  test('generation is deterministic', async () => {
    expect(await renderAll()).toEqual(rendered);
  });
});

/** Where the committed file first differs from the generated one, so the failure says what changed. */
function firstDifference(current: string, expected: string): string {
  const a = current.split('\n');
  const b = expected.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return ` (first difference at line ${i + 1}:\n  file:      ${a[i] ?? '<end of file>'}\n  generated: ${b[i] ?? '<end of file>'})`;
  }
  return '';
}

/**
 * The API documents describe answers as zod schemas: the real apps' answers must fit them. These are the answers a
 * test can get without a database (the rest are exercised by the relay and dashboard tests).
 */
describe('the documented HTTP answers are the real ones', () => {
  const okPool = { query: async () => ({ rows: [{ '?column?': 1 }] }) };
  const downPool = { query: async () => { throw new Error('connection refused'); } };

  /** One request over real HTTP on loopback (Fastify's inject needs an ES module jest cannot load here). */
  async function call(app: FastifyInstance, method: string, url: string, body?: string, headers: Record<string, string> = {}) {
    if (!app.server.listening) await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}${url}`, { method, body, headers });
    return { statusCode: res.status, body: await res.text() };
  }

  async function expectDocumented(docs: Record<string, RouteDoc>, route: string, res: { statusCode: number; body: string }) {
    const answer = docs[route]?.responses[res.statusCode];
    if (!answer) throw new Error(`${route} answered ${res.statusCode}, which its documentation does not list`);
    expect(answer.schema).toBeDefined();
    const parsed = answer.schema!.safeParse(JSON.parse(res.body));
    if (!parsed.success) throw new Error(`${route} ${res.statusCode} answered ${res.body}, which its documented schema refuses: ${parsed.error.message}`);
  }

  test('relay', async () => {
    for (const [pool, status] of [[okPool, 200], [downPool, 503]] as const) {
      const app = await buildDocumentedRelay(pool);
      const res = await call(app, 'GET', '/health');
      expect(res.statusCode).toBe(status);
      await expectDocumented(RELAY_ROUTE_DOCS, 'GET /health', res);
      await app.close();
    }
    const unconfigured = await buildDocumentedRelay(okPool);
    const noSecret = await call(unconfigured, 'POST', '/webhooks/shopify', '{}', { 'content-type': 'application/json' });
    expect(noSecret.statusCode).toBe(503);
    await expectDocumented(RELAY_ROUTE_DOCS, 'POST /webhooks/{connection}', noSecret);
    await unconfigured.close();

    const app = await buildDocumentedRelay(okPool, { shopify: 'secret', stripe: 'whsec_secret' });
    const forged = await call(app, 'POST', '/webhooks/shopify', '{"id":1}', {
      'content-type': 'application/json', 'x-shopify-hmac-sha256': 'forged', 'x-shopify-topic': 'orders/create', 'x-shopify-webhook-id': 'w1',
    });
    expect(forged.statusCode).toBe(401);
    await expectDocumented(RELAY_ROUTE_DOCS, 'POST /webhooks/{connection}', forged);
    const huge = await call(app, 'POST', '/webhooks/stripe', 'x'.repeat(70 * 1024), { 'content-type': 'application/json' });
    expect(huge.statusCode).toBe(413);
    await expectDocumented(RELAY_ROUTE_DOCS, 'POST /webhooks/{connection}', huge);
    await app.close();
  });

  test('dashboard', async () => {
    const open = await buildDocumentedDashboard(okPool);
    const health = await call(open, 'GET', '/health');
    expect(health.statusCode).toBe(200);
    await expectDocumented(DASHBOARD_ROUTE_DOCS, 'GET /health', health);
    const bad = await call(open, 'GET', '/api/kpis?hours=0');
    expect(bad.statusCode).toBe(400);
    await expectDocumented(DASHBOARD_ROUTE_DOCS, 'GET /api/kpis', bad);
    await open.close();

    const guarded = await buildDocumentedDashboard(okPool, 'sesame');
    const refused = await call(guarded, 'GET', '/api/issues');
    expect(refused.statusCode).toBe(401);
    await expectDocumented(DASHBOARD_ROUTE_DOCS, 'GET /api/issues', refused);
    await guarded.close();
  });
});
