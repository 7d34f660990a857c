import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Pool } from 'pg';
import type { Logger } from '../config/logger';
import { deliveryFingerprint, parseDelivery, type Provider } from '../domain/webhooks/events';
import { verifyHubspotV3, verifyShopify, verifyStripe, type Verdict } from '../domain/webhooks/signatures';
import { storeEvents } from '../erp/inbox';
import { quarantine } from '../erp/quarantine';

/**
 * The webhook relay's HTTP side: verify the signature on the raw bytes, store the events in the inbox in one
 * insert that ignores redeliveries, answer 2xx. It never waits for Temporal; the dispatcher does that.
 * Event types we do not handle are stored as `ignored` and answered 2xx too: a 4xx makes vendors redeliver for days.
 */

export interface RelaySecrets {
  hubspotClientSecret?: string;
  shopifySecret?: string;
  stripeSecret?: string;
}

export interface RelayServerOptions {
  pool: Pool;
  secrets: RelaySecrets;
  logger: Logger;
  bodyLimitBytes: number;
  /** The public base URL HubSpot calls (it signs the full URI); else taken from the request's Host header. */
  publicUrl?: string;
  /** Called after new events are stored. */
  onStored?: () => void;
  now?: () => number;
}

interface Check {
  secret: string | undefined;
  verify(req: FastifyRequest, raw: Buffer, secret: string): Verdict;
}

const header = (req: FastifyRequest, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** Only the headers worth keeping with the event (never cookies or authorization). */
function keptHeaders(req: FastifyRequest): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (/^(x-hubspot-|x-shopify-|stripe-|content-type|user-agent)/.test(name) && value !== undefined) kept[name] = String(value);
  }
  return kept;
}

export async function buildRelayServer(opts: RelayServerOptions): Promise<FastifyInstance> {
  const now = opts.now ?? Date.now;
  const app = Fastify({ loggerInstance: opts.logger as FastifyBaseLogger, bodyLimit: opts.bodyLimitBytes });

  // Signatures are computed over the exact bytes received, so no route parses JSON before verification.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const publicBase = (req: FastifyRequest) => (opts.publicUrl ?? `${req.protocol}://${req.headers.host}`).replace(/\/+$/, '');

  const checks: Record<Provider, Check> = {
    hubspot: {
      secret: opts.secrets.hubspotClientSecret,
      verify: (req, raw, secret) => verifyHubspotV3({
        secret, method: req.method, uri: publicBase(req) + req.url, rawBody: raw,
        signature: header(req, 'x-hubspot-signature-v3'), timestamp: header(req, 'x-hubspot-request-timestamp'), nowMs: now(),
      }),
    },
    shopify: {
      secret: opts.secrets.shopifySecret,
      verify: (req, raw, secret) => verifyShopify({ secret, rawBody: raw, signature: header(req, 'x-shopify-hmac-sha256') }),
    },
    stripe: {
      secret: opts.secrets.stripeSecret,
      verify: (req, raw, secret) => verifyStripe({ secret, rawBody: raw, header: header(req, 'stripe-signature'), nowSeconds: Math.floor(now() / 1000) }),
    },
  };

  async function receive(provider: Provider, req: FastifyRequest, reply: FastifyReply) {
    const check = checks[provider];
    if (!check.secret) return reply.code(503).send({ error: 'not_configured', reason: `no ${provider} webhook secret is configured` });
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const verdict = check.verify(req, raw, check.secret);
    if (!verdict.ok) {
      req.log.warn({ provider, reason: verdict.reason }, 'webhook refused: bad signature');
      return reply.code(401).send({ error: 'invalid_signature', reason: verdict.reason });
    }
    const headers = keptHeaders(req);
    const parsed = parseDelivery(provider, raw, headers);
    if (!parsed.ok) {
      const quarantineId = await quarantine(opts.pool, provider, parsed.reason, raw, headers, deliveryFingerprint(provider, raw, headers));
      req.log.warn({ provider, reason: parsed.reason, quarantineId }, 'webhook quarantined');
      return reply.code(400).send({ error: 'unprocessable_payload', reason: parsed.reason, quarantineId });
    }
    const stored = await storeEvents(opts.pool, parsed.events, raw, headers);
    if (stored > 0) opts.onStored?.();
    const ignored = parsed.events.filter((e) => e.ignored).length;
    return reply.code(200).send({ received: parsed.events.length, duplicates: parsed.events.length - stored, ignored });
  }

  for (const provider of ['hubspot', 'shopify', 'stripe'] as const) {
    // Per-request access logs only at warn: refusals and failures are logged by `receive` itself.
    app.post(`/webhooks/${provider}`, { logLevel: 'warn' }, (req, reply) => receive(provider, req, reply));
  }

  app.get('/health', { logLevel: 'warn' }, async () => {
    await opts.pool.query('SELECT 1');
    return { status: 'ok' };
  });

  // Whatever goes wrong inside (e.g. the database is down) is a 503 the vendor retries, never a crash.
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 503;
    if (status >= 500) req.log.error({ err }, 'webhook not stored');
    // Internal failures (e.g. the database's own message) stay in our log; the vendor learns only to retry.
    const reason = status >= 500 ? 'temporarily unable to store the event; retry later' : err.message;
    void reply.code(status).send({ error: status === 413 ? 'payload_too_large' : status >= 500 ? 'unavailable' : 'bad_request', reason });
  });
  return app;
}
