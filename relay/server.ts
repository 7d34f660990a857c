import { createServer } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { Registry } from 'prom-client';
import type { Connection } from '../connections/connection';
import { createDatabaseGauges } from '../observability/db-gauges';
import { relayMetrics } from '../observability/metrics';
import { InboxBatcher, type InboxBatchTuning } from './inbox-batcher';
import { leanIntakeListener } from './lean-intake';
import { endpointOf, JSON_TYPE, WebhookIntake, type Endpoint, type WebhookIntakeOptions } from './webhook-intake';

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

/** What the intake takes (pool, logger, public URL, onStored, clock), and the relay's own. */
export interface RelayServerOptions extends Omit<WebhookIntakeOptions, 'inbox'> {
  connections: readonly Connection[];
  secrets: RelaySecrets;
  bodyLimitBytes: number;
  /** Group commit of concurrent deliveries (defaults suit the relay). */
  inboxBatch?: InboxBatchTuning;
  /** The inbox to store into (tests hold it to watch its queue); else one made from `pool` and `inboxBatch`. */
  inbox?: InboxBatcher;
}

export async function buildRelayServer(opts: RelayServerOptions): Promise<FastifyInstance> {
  const inbox = opts.inbox ?? new InboxBatcher(opts.pool, opts.inboxBatch);
  const intake = new WebhookIntake({ pool: opts.pool, inbox, logger: opts.logger, publicUrl: opts.publicUrl, onStored: opts.onStored, now: opts.now });
  const endpoints = new Map<string, Endpoint>(opts.connections.map((c) => [`/webhooks/${c.id}`, endpointOf(c, opts.secrets[c.id])]));
  let closing = false;
  // No access log: refusals and failures are logged by the intake and the error handler. (A route-level log level
  // instead makes every request's child logger rebuild its log methods, a cost paid at every webhook.)
  // Deliveries are read and answered by the lean listener in front of Fastify (relay/lean-intake.ts); Fastify serves
  // the rest, including deliveries out of the ordinary, through the same intake.
  const app = Fastify({
    loggerInstance: opts.logger as FastifyBaseLogger, bodyLimit: opts.bodyLimitBytes,
    logController: new LogController({ disableRequestLogging: true }),
    serverFactory: (fastifyHandler, settings) => {
      const server = createServer(leanIntakeListener({ intake, endpoints, bodyLimitBytes: opts.bodyLimitBytes, closing: () => closing }, fastifyHandler));
      // The timeouts Fastify gives the servers it makes itself.
      const { keepAliveTimeout, requestTimeout, connectionTimeout, maxRequestsPerSocket } = settings;
      if (typeof keepAliveTimeout === 'number') server.keepAliveTimeout = keepAliveTimeout;
      if (typeof requestTimeout === 'number') server.requestTimeout = requestTimeout;
      if (typeof connectionTimeout === 'number') server.setTimeout(connectionTimeout);
      if (typeof maxRequestsPerSocket === 'number' && maxRequestsPerSocket > 0) server.maxRequestsPerSocket = maxRequestsPerSocket;
      return server;
    },
  });
  app.addHook('preClose', async () => {
    closing = true;
  });
  // Requests still waiting for their flush are answered before the pool goes.
  app.addHook('onClose', () => inbox.close());

  // Signatures are computed over the exact bytes received, so no route parses JSON before verification.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const origin = (req: FastifyRequest) => () => `${req.protocol}://${req.headers.host}`;
  for (const [path, endpoint] of endpoints) {
    app.post(path, async (req, reply) => {
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const answer = await intake.receive(endpoint, { rawBody, headers: req.headers, method: req.method, url: req.url, origin: origin(req) });
      return reply.code(answer.status).type(JSON_TYPE).send(answer.body);
    });
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
