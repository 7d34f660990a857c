import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { JSON_TYPE, type Answer, type Endpoint, type WebhookIntake } from './webhook-intake';

/**
 * The relay's request listener: the webhook deliveries themselves (`POST /webhooks/<connection>` with a JSON body
 * of a declared length within the limit, nearly every request the relay gets) are read and answered here, on plain
 * node:http; every other request goes to Fastify (`fallback`), which serves /health, /metrics, the 404s and any
 * delivery out of the ordinary (chunked, too large, another content type, a query string) through the same
 * WebhookIntake. What a delivery is answered does not depend on the path it took; what the lean path saves is
 * Fastify's routing, hooks, request and reply objects and content-type parsing for each delivery.
 */

export interface LeanIntakeOptions {
  intake: WebhookIntake;
  /** The endpoints by their path, `/webhooks/<connection id>`. */
  endpoints: ReadonlyMap<string, Endpoint>;
  bodyLimitBytes: number;
  /** Once the relay is closing, every request goes to Fastify (which refuses new ones while it drains). */
  closing(): boolean;
}

/**
 * The content types the lean path takes: JSON as the vendors send it. Anything else goes to Fastify, whose
 * content-type checks then apply unchanged (an unparseable media type is a 415 there).
 */
const JSON_CONTENT_TYPE = /^application\/json(?:;\s*charset=utf-8)?$/i;
const DECIMAL = /^\d{1,10}$/;

/** The endpoint a request is a plain delivery to, or undefined when Fastify should serve it. */
export function leanEndpoint(req: IncomingMessage, opts: Pick<LeanIntakeOptions, 'endpoints' | 'bodyLimitBytes'>): Endpoint | undefined {
  if (req.method !== 'POST') return undefined;
  const endpoint = opts.endpoints.get(req.url ?? '');
  if (!endpoint) return undefined;
  const { headers } = req;
  // A declared length within the limit (Node's parser then delivers exactly that many bytes); no chunked body.
  const length = headers['content-length'];
  if (length === undefined || headers['transfer-encoding'] !== undefined || !DECIMAL.test(length) || Number(length) > opts.bodyLimitBytes) return undefined;
  const type = headers['content-type'];
  return type !== undefined && JSON_CONTENT_TYPE.test(type) ? endpoint : undefined;
}

function send(res: ServerResponse, answer: Answer): void {
  res.writeHead(answer.status, ['content-type', JSON_TYPE, 'content-length', String(Buffer.byteLength(answer.body))]);
  res.end(answer.body);
}

function readBody(req: IncomingMessage, done: (body: Buffer) => void): void {
  let first: Buffer | undefined;
  let more: Buffer[] | undefined;
  req.on('data', (chunk: Buffer) => {
    if (first === undefined) first = chunk;
    else (more ??= [first]).push(chunk);
  });
  req.on('end', () => done(more ? Buffer.concat(more) : first ?? Buffer.alloc(0)));
  // A client that goes away mid-body gets no answer; nothing was stored.
  req.on('error', () => undefined);
}

/** The request listener: deliveries answered here, the rest by `fallback` (Fastify's own handler). */
export function leanIntakeListener(opts: LeanIntakeOptions, fallback: RequestListener): RequestListener {
  return (req, res) => {
    const endpoint = opts.closing() ? undefined : leanEndpoint(req, opts);
    if (!endpoint) {
      fallback(req, res);
      return;
    }
    readBody(req, (rawBody) => {
      const delivery = {
        rawBody, headers: req.headers, method: 'POST', url: req.url!,
        origin: () => `${(req.socket as TLSSocket).encrypted ? 'https' : 'http'}://${req.headers.host}`,
      };
      opts.intake.receive(endpoint, delivery).then(
        (answer) => send(res, answer),
        (err: unknown) => send(res, opts.intake.unavailable(err)),
      );
    });
  };
}
