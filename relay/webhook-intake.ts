import type { IncomingHttpHeaders } from 'node:http';
import type { Pool } from 'pg';
import type { Logger } from '../config/logger';
import type { Connection } from '../connections/connection';
import { connectorOf } from '../connectors/registry';
import type { DeliveryHeaders } from '../domain/webhooks/events';
import { quarantine } from '../engine/quarantine';
import { countStoredDelivery, countWebhooks, inWebhookSpan, traceHeaders } from '../observability/relay-observability';
import { isTracingEnabled } from '../observability/tracing';
import type { WebhookRequest, WebhookSource } from '../ports/webhooks';
import type { InboxBatcher } from './inbox-batcher';
import { storable } from './storable';

/**
 * What the relay does with one delivery to `POST /webhooks/<connection>`, whichever HTTP path brought it (the lean
 * node:http path of relay/lean-intake.ts or the Fastify route): verify the signature on the raw bytes, read the
 * events, quarantine an authentic body we cannot read, store the events (group commit, relay/inbox-batcher.ts) and
 * say what to answer. It never throws an answer: a throw means the database failed, answered 503 by the caller.
 */

/** The answer to a delivery: a status and the JSON text of its body. */
export interface Answer {
  status: number;
  body: string;
}

/** One delivery as the HTTP side read it. */
export interface Delivery {
  rawBody: Buffer;
  headers: IncomingHttpHeaders;
  method: string;
  /** The request target as sent (path and query). */
  url: string;
  /** `<scheme>://<host>` of the request, asked only when the relay has no public URL. */
  origin(): string;
}

/** One connection's endpoint, resolved once: its connector's webhooks, its secret, which headers it keeps. */
export interface Endpoint {
  connection: Connection;
  source: WebhookSource;
  secret: string | undefined;
  /** Header name -> kept with the event, learnt as names arrive (a bounded memo of `keepsHeader`). */
  keeps: Map<string, boolean>;
}

export interface WebhookIntakeOptions {
  pool: Pool;
  inbox: InboxBatcher;
  logger: Logger;
  /** The public base URL vendors call (HubSpot signs the full URI); else the request's own origin. */
  publicUrl?: string;
  onStored?: () => void;
  now?: () => number;
}

export const JSON_TYPE = 'application/json; charset=utf-8';

const ALWAYS_KEPT = /^(content-type|user-agent)$/;
const MEMO_LIMIT = 256;

export function endpointOf(connection: Connection, secret: string | undefined): Endpoint {
  return { connection, source: connectorOf(connection.vendor).webhooks, secret, keeps: new Map() };
}

/** Request headers by name, one value each (Node gives an array only for set-cookie). */
export function deliveryHeaders(headers: IncomingHttpHeaders): DeliveryHeaders {
  if (headers['set-cookie'] === undefined) return headers as DeliveryHeaders;
  const one: DeliveryHeaders = {};
  for (const name in headers) {
    const value = headers[name];
    one[name] = Array.isArray(value) ? value[0] : value;
  }
  return one;
}

/** Only the headers worth keeping with the event (never cookies or authorization). */
function keptHeaders(endpoint: Endpoint, headers: IncomingHttpHeaders): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    let keep = endpoint.keeps.get(name);
    if (keep === undefined) {
      keep = ALWAYS_KEPT.test(name) || endpoint.source.keepsHeader(name);
      if (endpoint.keeps.size < MEMO_LIMIT) endpoint.keeps.set(name, keep);
    }
    if (keep) kept[name] = String(value);
  }
  return kept;
}

const answer = (status: number, body: unknown): Answer => ({ status, body: JSON.stringify(body) });
// The common answer, built without JSON.stringify (the same text: three integers).
const storedAnswer = (received: number, duplicates: number, ignored: number): Answer => ({
  status: 200, body: `{"received":${received},"duplicates":${duplicates},"ignored":${ignored}}`,
});
const PING: Answer = answer(200, { received: 0, ping: true });
const UNAVAILABLE: Answer = answer(503, { error: 'unavailable', reason: 'temporarily unable to store the event; retry later' });

export class WebhookIntake {
  private readonly now: () => number;
  private readonly publicBase: string | undefined;

  constructor(private readonly opts: WebhookIntakeOptions) {
    this.now = opts.now ?? Date.now;
    this.publicBase = opts.publicUrl?.replace(/\/+$/, '');
  }

  /** Handles one delivery in its trace span; rejects only when storing failed (answer `unavailable`). */
  receive(endpoint: Endpoint, delivery: Delivery): Promise<Answer> {
    // With tracing off the span would be a no-op that still costs a context and two closures per delivery.
    if (!isTracingEnabled()) return this.handle(endpoint, delivery, false);
    const status = { statusCode: 0 };
    return inWebhookSpan(endpoint.connection, status, async () => {
      const result = await this.handle(endpoint, delivery, true);
      status.statusCode = result.status;
      return result;
    });
  }

  /** The answer to a delivery that could not be stored (the vendor retries); the cause stays in our log. */
  unavailable(err: unknown, log: Logger = this.opts.logger): Answer {
    log.error({ err }, 'webhook not stored');
    return UNAVAILABLE;
  }

  private async handle(endpoint: Endpoint, delivery: Delivery, traced: boolean): Promise<Answer> {
    const { connection, source, secret } = endpoint;
    const raw = delivery.rawBody;
    const base = this.publicBase ?? delivery.origin().replace(/\/+$/, '');
    const request: WebhookRequest = { rawBody: raw, headers: deliveryHeaders(delivery.headers), method: delivery.method, uri: base + delivery.url, nowMs: this.now() };
    if (source.isPing?.(request)) return PING;
    if (!secret) {
      countWebhooks(connection, 'rejected');
      return answer(503, { error: 'not_configured', reason: `no webhook secret is configured for connection ${connection.id}` });
    }
    const verdict = source.verify(request, secret);
    if (!verdict.ok) {
      this.opts.logger.warn({ connection: connection.id, reason: verdict.reason }, 'webhook refused: bad signature');
      countWebhooks(connection, 'rejected');
      return answer(401, { error: 'invalid_signature', reason: verdict.reason });
    }
    // The trace context travels with the stored events to the dispatcher (observability/relay-observability.ts).
    const headers = keptHeaders(endpoint, delivery.headers);
    if (traced) Object.assign(headers, traceHeaders());
    const parsed = storable(source.parse(connection.id, raw, headers));
    if (!parsed.ok) {
      const quarantineId = await quarantine(this.opts.pool, connection.id, parsed.reason, raw, headers, source.fingerprint(raw, headers));
      this.opts.logger.warn({ connection: connection.id, reason: parsed.reason, quarantineId }, 'webhook quarantined');
      countWebhooks(connection, 'quarantined');
      return answer(400, { error: 'unprocessable_payload', reason: parsed.reason, quarantineId });
    }
    const stored = await this.opts.inbox.store(parsed.events, raw, headers);
    if (stored > 0) this.opts.onStored?.();
    let ignored = 0;
    for (const e of parsed.events) if (e.ignored) ignored++;
    const events = parsed.events.length;
    countStoredDelivery(connection, { events, ignored, stored });
    return storedAnswer(events, events - stored, ignored);
  }
}
