import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Pool } from 'pg';
import { Registry } from 'prom-client';
import type { Logger } from '../config/logger';
import type { Connection } from '../connections/connection';
import { connectorOf } from '../connectors/registry';
import type { DeliveryHeaders } from '../domain/webhooks/events';
import { quarantine } from '../engine/quarantine';
import { createDatabaseGauges } from '../observability/db-gauges';
import { relayMetrics } from '../observability/metrics';
import { countStoredDelivery, countWebhooks, inWebhookSpan, traceHeaders } from '../observability/relay-observability';
import type { WebhookRequest, WebhookSource } from '../ports/webhooks';
import { storable } from './storable';
import { InboxBatcher, type InboxBatchTuning } from './inbox-batcher';

/**
 * The webhook relay's HTTP side: one endpoint per connection (`POST /webhooks/<connection id>`), served by the
 * webhook source its vendor's connector brings. It verifies the signature on the raw bytes, stores the events in
 * the inbox (concurrent deliveries share one insert and one commit: relay/inbox-batcher.ts) ignoring redeliveries,
 * and answers 2xx once the events are committed. It never waits for Temporal; the dispatcher
 * does that. Event types we do not handle are stored as `ignored` and answered 2xx too: a 4xx makes vendors
 * redeliver for days.
 */

/** Webhook secrets by connection id. */
export type RelaySecrets = Record<string, string | undefined>;

export interface RelayServerOptions {
  pool: Pool;
  connections: readonly Connection[];
  secrets: RelaySecrets;
  logger: Logger;
  bodyLimitBytes: number;
  /** The public base URL vendors call (HubSpot signs the full URI); else taken from the request's Host header. */
  publicUrl?: string;
  /** Called after new events are stored. */
  onStored?: () => void;
  now?: () => number;
  /** Group commit of concurrent deliveries (defaults suit the relay). */
  inboxBatch?: InboxBatchTuning;
  /** The inbox to store into (tests hold it to watch its queue); else one made from `pool` and `inboxBatch`. */
  inbox?: InboxBatcher;
}

const ALWAYS_KEPT = /^(content-type|user-agent)$/;

/** Only the headers worth keeping with the event (never cookies or authorization). */
function keptHeaders(req: FastifyRequest, source: WebhookSource): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if ((ALWAYS_KEPT.test(name) || source.keepsHeader(name)) && value !== undefined) kept[name] = String(value);
  }
  return kept;
}

function deliveryHeaders(req: FastifyRequest): DeliveryHeaders {
  return Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value[0] : value]));
}

export async function buildRelayServer(opts: RelayServerOptions): Promise<FastifyInstance> {
  const now = opts.now ?? Date.now;
  // No access log: refusals and failures are logged by `receive` and the error handler. (A route-level log level
  // instead makes every request's child logger rebuild its log methods, a cost paid at every webhook.)
  const app = Fastify({
    loggerInstance: opts.logger as FastifyBaseLogger, bodyLimit: opts.bodyLimitBytes,
    logController: new LogController({ disableRequestLogging: true }),
  });
  const inbox = opts.inbox ?? new InboxBatcher(opts.pool, opts.inboxBatch);
  // Requests still waiting for their flush are answered before the pool goes.
  app.addHook('onClose', () => inbox.close());

  // Signatures are computed over the exact bytes received, so no route parses JSON before verification.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const publicBase = (req: FastifyRequest) => (opts.publicUrl ?? `${req.protocol}://${req.headers.host}`).replace(/\/+$/, '');

  async function receive(connection: Connection, req: FastifyRequest, reply: FastifyReply) {
    const source = connectorOf(connection.vendor).webhooks;
    const secret = opts.secrets[connection.id];
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const request: WebhookRequest = { rawBody: raw, headers: deliveryHeaders(req), method: req.method, uri: publicBase(req) + req.url, nowMs: now() };
    if (source.isPing?.(request)) return reply.code(200).send({ received: 0, ping: true });
    if (!secret) {
      countWebhooks(connection, 'rejected');
      return reply.code(503).send({ error: 'not_configured', reason: `no webhook secret is configured for connection ${connection.id}` });
    }
    const verdict = source.verify(request, secret);
    if (!verdict.ok) {
      req.log.warn({ connection: connection.id, reason: verdict.reason }, 'webhook refused: bad signature');
      countWebhooks(connection, 'rejected');
      return reply.code(401).send({ error: 'invalid_signature', reason: verdict.reason });
    }
    // The trace context travels with the stored events to the dispatcher (observability/relay-observability.ts).
    const headers = { ...keptHeaders(req, source), ...traceHeaders() };
    const parsed = storable(source.parse(connection.id, raw, headers));
    if (!parsed.ok) {
      const quarantineId = await quarantine(opts.pool, connection.id, parsed.reason, raw, headers, source.fingerprint(raw, headers));
      req.log.warn({ connection: connection.id, reason: parsed.reason, quarantineId }, 'webhook quarantined');
      countWebhooks(connection, 'quarantined');
      return reply.code(400).send({ error: 'unprocessable_payload', reason: parsed.reason, quarantineId });
    }
    const stored = await inbox.store(parsed.events, raw, headers);
    if (stored > 0) opts.onStored?.();
    const ignored = parsed.events.filter((e) => e.ignored).length;
    countStoredDelivery(connection, { events: parsed.events.length, ignored, stored });
    return reply.code(200).send({ received: parsed.events.length, duplicates: parsed.events.length - stored, ignored });
  }

  for (const connection of opts.connections) {
    app.post(`/webhooks/${connection.id}`, (req, reply) => inWebhookSpan(connection, reply, () => receive(connection, req, reply)));
  }

  app.get('/health', { logLevel: 'warn' }, async () => {
    await opts.pool.query('SELECT 1');
    return { status: 'ok' };
  });

  // Prometheus: the relay's counters, plus the gauges read from the database at scrape time (issues, KPIs).
  const metrics = Registry.merge([relayMetrics().registry, createDatabaseGauges(opts.pool)]);
  app.get('/metrics', { logLevel: 'warn' }, async (_req, reply) => reply.type(metrics.contentType).send(await metrics.metrics()));

  // Unknown paths and methods get the same JSON shape as every other refusal (Fastify's default has no reason).
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({ error: 'not_found', reason: `no ${req.method} ${req.url.split('?')[0]}: webhooks are POST /webhooks/<connection>` });
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
