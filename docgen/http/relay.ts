import pino from 'pino';
import { z } from 'zod';
import type { Pool } from 'pg';
import type { Logger } from '../../config/logger';
import { CONNECTORS } from '../../connectors/registry';
import { buildRelayServer } from '../../relay/server';
import { documented, routesOf, type QueryOnly, type RouteDoc, type ServiceRoutes } from './routes';

/**
 * The webhook relay's HTTP API: the routes come from the real relay app (relay/server.ts, built with one connection
 * per connector and no database), their responses are described here as zod schemas, and
 * test/unit/generated-docs.test.ts checks the real app's answers against them.
 */

const reason = z.string().describe('why, in words a person can act on');

export const webhookAccepted = z.object({
  received: z.number().int().min(0).describe('events the delivery carried'),
  duplicates: z.number().int().min(0).describe('of those, events already in the inbox (redeliveries)'),
  ignored: z.number().int().min(0).describe('of those, events of a type no flow takes (kept as ignored)'),
}).describe('The events are stored in the inbox; the dispatcher hands them to their flows.');
export const webhookPing = z.object({ received: z.literal(0), ping: z.literal(true) }).describe('A vendor\'s unsigned "is this URL alive" call: nothing stored.');
export const webhookQuarantined = z.object({
  error: z.literal('unprocessable_payload'), reason, quarantineId: z.number().int().describe('the row in integration.quarantine'),
}).describe('Authentic but unreadable: kept in quarantine (one row per distinct payload) for `npm run ops -- quarantine replay`.');
export const errorBody = (codes: [string, ...string[]]) => z.object({ error: z.enum(codes), reason });
export const healthOk = z.object({ status: z.literal('ok') });

/** A connection id in the path, as connections/connection.ts allows it. */
const CONNECTION_PATH = '/webhooks/{connection}';

const SIGNATURE_HEADERS: Record<string, string> = {
  'X-Shopify-Hmac-Sha256': 'Shopify: base64 HMAC-SHA256 of the body (with X-Shopify-Topic, X-Shopify-Webhook-Id)',
  'X-WC-Webhook-Signature': 'WooCommerce: base64 HMAC-SHA256 of the body (with X-WC-Webhook-Topic, X-WC-Webhook-Delivery-ID)',
  'Stripe-Signature': 'Stripe: t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">',
  'X-HubSpot-Signature-v3': 'HubSpot: base64 HMAC-SHA256 of method, full URI, body and X-HubSpot-Request-Timestamp',
};

function webhookDoc(): RouteDoc {
  // A connector added to the registry must say here how its webhooks are signed.
  const unsigned = CONNECTORS.filter((c) => !Object.values(SIGNATURE_HEADERS).some((d) => d.startsWith(`${c.name}:`)));
  if (unsigned.length > 0) throw new Error(`docgen: docgen/http/relay.ts names no signature header for ${unsigned.map((c) => c.name).join(', ')}`);
  const vendors = [...CONNECTORS].map((c) => `\`${c.vendor}\` (${c.name}, ${c.role})`).sort().join(', ');
  return {
    summary: 'Receive a vendor\'s signed webhook for one connection',
    description: `One endpoint per configured connection; the connection's vendor decides how the signature is checked and the body read. Vendors: ${vendors}. The signature is verified on the raw bytes, the events are stored in the inbox in one insert that ignores redeliveries, and the answer comes at once: no Temporal call happens here.`,
    pathParams: { connection: { description: 'the connection id (`SHOP`/`SHOPS`, `CRM`, `PAYMENTS`; by default the vendor\'s name)', pattern: '^[a-z][a-z0-9-]{0,39}$', example: 'shopify' } },
    requestBody: { contentType: 'application/json', description: 'the vendor\'s webhook body, byte for byte as signed (any content type is accepted unparsed)' },
    headers: SIGNATURE_HEADERS,
    responses: {
      200: { description: 'stored (or a ping)', schema: z.union([webhookAccepted, webhookPing]) },
      400: { description: 'authentic but unreadable: quarantined', schema: webhookQuarantined },
      401: { description: 'the signature does not verify', schema: errorBody(['invalid_signature']) },
      413: { description: 'the body is larger than RELAY_BODY_LIMIT_BYTES', schema: errorBody(['payload_too_large']) },
      503: { description: 'no webhook secret configured for the connection, or the event could not be stored (database down): the vendor retries later', schema: errorBody(['not_configured', 'unavailable']) },
    },
  };
}

export const RELAY_ROUTE_DOCS: Record<string, RouteDoc> = {
  [`POST ${CONNECTION_PATH}`]: webhookDoc(),
  'GET /health': {
    summary: 'Liveness and database reachability',
    responses: {
      200: { description: 'the relay runs and PostgreSQL answers', schema: healthOk },
      503: { description: 'PostgreSQL does not answer', schema: errorBody(['unavailable']) },
    },
  },
  'GET /metrics': {
    summary: 'Prometheus metrics of the relay process',
    description: 'Webhooks accepted, duplicate, rejected and quarantined per connection, dispatch lag, issues open and the KPI gauges, in the Prometheus text format (observability/).',
    responses: { 200: { description: 'Prometheus text exposition format', contentType: 'text/plain; version=0.0.4' } },
  },
};

// Routes raise their own log level (logLevel: 'warn'), so the stream itself discards everything.
const silent = pino({ level: 'silent' }, { write: () => undefined }) as unknown as Logger;

/** The relay app as the relay builds it, for reading its routes and for checking its answers. */
export function buildDocumentedRelay(pool: QueryOnly, secrets: Record<string, string> = {}) {
  return buildRelayServer({
    pool: pool as unknown as Pool, logger: silent, bodyLimitBytes: 64 * 1024, secrets,
    connections: [...CONNECTORS].map((c) => ({ id: c.vendor, role: c.role, vendor: c.vendor })),
  });
}

export async function relayRoutes(): Promise<ServiceRoutes> {
  const app = await buildDocumentedRelay({ query: async () => ({ rows: [] }) });
  try {
    const vendorPaths = new Set(CONNECTORS.map((c) => `/webhooks/${c.vendor}`));
    const routes = (await routesOf(app)).map((r) => (vendorPaths.has(r.path) ? { ...r, path: CONNECTION_PATH } : r));
    return {
      title: 'Webhook relay',
      server: { url: 'http://127.0.0.1:3000', description: 'under `npm start`; RELAY_HOST, RELAY_PORT' },
      routes: documented('the relay (relay/server.ts)', 'docgen/http/relay.ts', routes, RELAY_ROUTE_DOCS),
    };
  } finally {
    await app.close();
  }
}
