import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { createLogger, type Logger } from '../../../config/logger';
import type { RunningService } from '../../../config/service';
import { STRIPE_TOPICS } from '../webhooks';
import { safeEqual } from '../../../domain/webhooks/signatures';
import { signStripe } from '../signature';
import { FaultPlan } from '../../../simulators/faults';
import { WebhookSender, type DeliveryConfig, type RetryPolicy } from '../../../simulators/webhook-sender';
import { faultBody, idempotencyMismatch, invalidRequest, StripeApiError } from './errors';
import { Params, parseStripeForm, type FormObject } from './form';
import { newId, PAYOUT_FAILURES, StripeSimState, type SimEvent, type SimObject, type StripeList } from './state';
import { registerFaultRoutes, serveSimulator, webhookConfigFields } from '../../../simulators/control';

/**
 * An in-memory Stripe account behind the real v1 API shapes, so the official `stripe` SDK drives it unchanged:
 * form-encoded bodies, Bearer keys, idempotency keys with replay, Stripe's error bodies, and events delivered
 * as signed webhooks. A `/__sim/` control API injects faults, steers webhook delivery and shows the state.
 */

export interface StripeSimulatorOptions {
  port?: number;
  host?: string;
  apiKey: string;
  webhookSecret: string;
  webhookTargetUrl?: string;
  logger?: Logger | false;
  /** Shortens the sender's backoff in tests. */
  webhookRetry?: Partial<RetryPolicy>;
  /** Stamped on events; defaults to the version stripe-node 23 pins. */
  apiVersion?: string;
}

export interface StripeSimulator extends RunningService {
  port: number;
  state: StripeSimState;
  faults: FaultPlan;
  webhooks: WebhookSender;
}

export const DEFAULT_API_VERSION = '2026-10-28.endive';
const MAX_IDEMPOTENCY_KEYS = 10_000;

interface StoredResponse { fingerprint: string; status: number; body: unknown }

/** What the endpoint subscribes to by default: the types the relay accepts, and the payment events the ERP books. */
export const SIMULATED_TOPICS: readonly string[] = [...new Set<string>([
  ...STRIPE_TOPICS, 'charge.dispute.created', 'charge.dispute.closed', 'payout.paid', 'payout.failed', 'payout.reconciliation_completed',
])];

const webhookConfigBody = z.object({
  ...webhookConfigFields,
  /** Event types the endpoint subscribes to; `['*']` for all. Defaults to SIMULATED_TOPICS. */
  enabledEvents: z.array(z.string().min(1)).min(1).optional(),
  /** Keeps deliveries back until `POST /__sim/webhooks/release`, which sends them in the order it is told. */
  hold: z.boolean().optional(),
}).strict();
const redeliverBody = z.object({
  count: z.number().int().min(1).max(100).default(1),
  eventIds: z.array(z.string().regex(/^evt_/)).min(1).max(100).optional(),
}).strict();
const releaseBody = z.object({ order: z.enum(['fifo', 'reverse', 'shuffle']).default('fifo') }).strict();
const currencyField = z.string().regex(/^[a-zA-Z]{3}$/).transform((c) => c.toLowerCase());
const payoutRunBody = z.object({ currency: currencyField.default('usd') }).strict();
const payoutFailBody = z.object({ failureCode: z.enum(Object.keys(PAYOUT_FAILURES) as [string, ...string[]]).default('account_closed') }).strict();
const disputeOpenBody = z.object({ charge: z.string().regex(/^ch_/), amount: z.number().int().min(1).optional(), reason: z.string().min(1).optional() }).strict();
const disputeCloseBody = z.object({ outcome: z.enum(['won', 'lost']) }).strict();
/** Moves the simulated account's clock, so objects can be created on other days; `offsetSeconds` sets it outright. */
const clockBody = z.union([z.object({ advanceSeconds: z.number().int() }).strict(), z.object({ offsetSeconds: z.number().int() }).strict()]);

const formOf = (body: unknown): FormObject => (body && typeof body === 'object' && !Array.isArray(body) ? body as FormObject : {});
const idOf = (request: FastifyRequest) => String((request.params as { id?: string }).id ?? '');
const headerOf = (request: FastifyRequest, name: string) => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** Sorted-key JSON, so the same parameters in another order still match their idempotency key. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** `sk_test_abc…wxyz` as Stripe shows a wrong key: enough to recognise it, not enough to use it. */
const redact = (key: string) => (key.length > 12 ? `${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}` : '*'.repeat(key.length));

export async function startStripeSimulator(opts: StripeSimulatorOptions): Promise<StripeSimulator> {
  const logger = opts.logger === false ? undefined : (opts.logger ?? createLogger('stripe-simulator'));
  const apiVersion = opts.apiVersion ?? DEFAULT_API_VERSION;
  const initialWebhookConfig: Partial<DeliveryConfig> = { targetUrl: opts.webhookTargetUrl, duplicates: 1, shuffle: false, delayMs: 0 };
  let enabledEvents: readonly string[] = SIMULATED_TOPICS;
  let held: SimEvent[] | undefined;
  const subscribed = (type: string) => enabledEvents.includes('*') || enabledEvents.includes(type);

  const webhooks = new WebhookSender({
    config: initialWebhookConfig,
    retry: opts.webhookRetry,
    logger: logger?.child({ component: 'webhooks' }),
    // A fresh timestamp per attempt, as Stripe signs each retry anew.
    sign: (rawBody) => ({
      'Stripe-Signature': signStripe(opts.webhookSecret, rawBody, Math.floor(Date.now() / 1000)),
      'content-type': 'application/json; charset=utf-8',
      'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
    }),
  });
  // Stripe pretty-prints its payloads; the relay must verify the exact bytes, never re-serialised JSON.
  const send = (events: SimEvent[]) => void webhooks.send(events.map((e) => ({ ids: [e.id], body: JSON.stringify(e, null, 2) })));
  const deliver = (events: SimEvent[]) => {
    const wanted = events.filter((e) => subscribed(e.type));
    if (held) held.push(...wanted);
    else send(wanted);
  };

  const state = new StripeSimState({
    apiVersion,
    publish: deliver,
    pendingWebhooks: (type) => (subscribed(type) && webhooks.config.targetUrl ? 1 : 0),
  });
  const idempotent = new Map<string, StoredResponse>();

  const faults = new FaultPlan({ controlPrefix: '/__sim/', errorBody: faultBody });
  // Stripe's bracket notation in query strings too; anything unparsable is left flat for the reader to refuse.
  const querystringParser = (text: string) => {
    try {
      return parseStripeForm(text);
    } catch {
      return Object.fromEntries(new URLSearchParams(text));
    }
  };
  const app: FastifyInstance = opts.logger === false
    ? Fastify({ logger: false, forceCloseConnections: true, routerOptions: { querystringParser } })
    : Fastify({ loggerInstance: logger as FastifyBaseLogger, forceCloseConnections: true, routerOptions: { querystringParser } });

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseStripeForm(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  // Headers every Stripe answer carries, faults included, so this hook runs before the fault plan's.
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/__sim/')) return;
    reply.header('request-id', newId('req', 14));
    reply.header('stripe-version', headerOf(request, 'stripe-version') ?? apiVersion);
    const key = headerOf(request, 'idempotency-key');
    if (key && request.method === 'POST') reply.header('idempotency-key', key);
  });
  faults.install(app);
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/__sim/')) return undefined;
    const header = headerOf(request, 'authorization') ?? '';
    const key = header.startsWith('Bearer ') ? header.slice(7).trim()
      : header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString('utf8').split(':')[0] ?? '' : '';
    if (key && safeEqual(key, opts.apiKey)) return undefined;
    const message = key
      ? `Invalid API Key provided: ${redact(key)}`
      : "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').";
    return reply.code(401).send(invalidRequest(message, {}, 401).body());
  });

  app.setErrorHandler((err, _request, reply) => {
    if (err instanceof StripeApiError) return reply.code(err.status).send(err.body());
    if (err instanceof z.ZodError) {
      return reply.code(400).send(invalidRequest(err.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')).body());
    }
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) {
      logger?.error({ err }, 'stripe simulator error');
      return reply.code(status).send(new StripeApiError(status, { type: 'api_error', message: 'An unknown error occurred' }).body());
    }
    return reply.code(status < 400 ? 500 : status).send(invalidRequest((err as Error).message, {}, status).body());
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send(invalidRequest(
    `Unrecognized request URL (${request.method}: ${request.url.split('?')[0]}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`, {}, 404).body()));

  /** The answer as the API returns it: copies, with `expand[]` paths replaced by the objects they name. */
  const present = (result: SimObject | SimEvent | StripeList<SimObject | SimEvent>, expand: string[]): unknown => {
    const out = result.object === 'list'
      ? { ...result, data: result.data.map((o) => (o.object === 'event' ? structuredClone(o) : state.view(o))) }
      : result.object === 'event' ? structuredClone(result) : state.view(result);
    for (const path of expand) expandPath(out as Record<string, unknown>, path.split('.'), path);
    return out;
  };
  const expandPath = (node: Record<string, unknown>, [head, ...rest]: string[], full: string): void => {
    if (head === undefined) return;
    const cannot = () => invalidRequest(`This property cannot be expanded (${full}).`, { param: 'expand' });
    let value = head in node ? node[head] : (node[head] = state.expandableList(node, head));
    if (typeof value === 'string') {
      const found = state.find(value);
      if (!found) throw cannot();
      value = node[head] = state.view(found);
    }
    if (value === null) return;
    if (Array.isArray(value)) for (const item of value) expandPath(item as Record<string, unknown>, rest, full);
    else if (typeof value === 'object') expandPath(value as Record<string, unknown>, rest, full);
    else throw cannot();
  };
  const expandOf = (raw: FormObject) => new Params(raw.expand === undefined ? {} : { expand: raw.expand }, []).expand();

  /**
   * A mutating endpoint with Stripe's idempotency: the first answer to a key is stored (successes and card
   * declines, i.e. once the endpoint ran) and replayed for the same parameters; other parameters are refused.
   */
  const post = (url: string, run: (request: FastifyRequest, body: FormObject) => SimObject) => {
    app.post(url, async (request, reply) => {
      const body = formOf(request.body);
      const { expand: _expand, ...params } = body;
      const key = headerOf(request, 'idempotency-key');
      const fingerprint = canonical([request.url.split('?')[0], body]);
      if (key !== undefined) {
        if (key.length > 255) throw invalidRequest('Idempotency-Key must be at most 255 characters long.', { param: 'Idempotency-Key' });
        const prior = idempotent.get(key);
        if (prior && prior.fingerprint !== fingerprint) throw idempotencyMismatch(key);
        if (prior) return reply.code(prior.status).header('idempotent-replayed', 'true').send(prior.body);
      }
      const remember = (status: number, answer: unknown) => {
        if (key === undefined) return;
        idempotent.set(key, { fingerprint, status, body: answer });
        // Stripe forgets keys after 24 hours; a bound keeps a long demo run from growing without end.
        if (idempotent.size > MAX_IDEMPOTENCY_KEYS) idempotent.delete(idempotent.keys().next().value!);
      };
      const ctx = { requestId: String(reply.getHeader('request-id') ?? ''), idempotencyKey: key ?? null };
      try {
        const answer = present(state.transact(ctx, () => run(request, params as FormObject)), expandOf(body));
        remember(200, answer);
        return answer;
      } catch (err) {
        if (err instanceof StripeApiError && err.status === 402) remember(402, err.body());
        throw err;
      }
    });
  };
  const get = (url: string, allowed: readonly string[], run: (request: FastifyRequest, p: Params) => SimObject | SimEvent | StripeList<SimObject | SimEvent>) => {
    app.get(url, async (request) => {
      const p = new Params(formOf(request.query), allowed);
      return present(run(request, p), p.expand());
    });
  };

  // ---- payment intents
  post('/v1/payment_intents', (_r, body) => state.createPaymentIntent(body));
  get('/v1/payment_intents/:id', ['client_secret'], (r) => state.paymentIntent(idOf(r)));
  post('/v1/payment_intents/:id', (r, body) => state.updatePaymentIntent(idOf(r), body));
  post('/v1/payment_intents/:id/confirm', (r, body) => state.confirmPaymentIntent(idOf(r), body));
  post('/v1/payment_intents/:id/capture', (r, body) => state.capturePaymentIntent(idOf(r), body));
  post('/v1/payment_intents/:id/cancel', (r, body) => state.cancelPaymentIntent(idOf(r), body));

  // ---- charges and balance transactions
  get('/v1/charges/:id', [], (r) => state.charge(idOf(r)));
  get('/v1/charges', ['payment_intent', 'limit', 'starting_after', 'ending_before'], (_r, p) => {
    const pi = p.string('payment_intent');
    return state.page([...state.charges.values()].filter((c) => !pi || c.payment_intent === pi), p, '/v1/charges');
  });
  get('/v1/balance_transactions/:id', [], (r) => state.balanceTransaction(idOf(r)));
  get('/v1/balance_transactions', ['payout', 'source', 'type', 'currency', 'created', 'limit', 'starting_after', 'ending_before'], (_r, p) => {
    const [payout, source, type, currency] = [p.string('payout'), p.string('source'), p.string('type'), p.string('currency')];
    const created = p.timeRange('created') ?? (() => true);
    if (payout) state.payout(payout);
    const items = [...state.balanceTransactions.values()].filter((t) => created(t.created) &&
      (!payout || state.payoutOf(t.id) === payout) && (!source || t.source === source) && (!type || t.type === type) && (!currency || t.currency === currency));
    return state.page(items, p, '/v1/balance_transactions');
  });

  // ---- refunds
  post('/v1/refunds', (_r, body) => state.createRefund(body));
  get('/v1/refunds/:id', [], (r) => state.refund(idOf(r)));
  post('/v1/refunds/:id', (r, body) => state.updateRefund(idOf(r), body));
  get('/v1/refunds', ['payment_intent', 'charge', 'limit', 'starting_after', 'ending_before'], (_r, p) => {
    const [pi, charge] = [p.string('payment_intent'), p.string('charge')];
    if (pi) state.paymentIntent(pi, 'payment_intent');
    const items = [...state.refunds.values()].filter((r) => (!pi || r.payment_intent === pi) && (!charge || r.charge === charge));
    return state.page(items, p, '/v1/refunds');
  });

  // ---- payouts
  post('/v1/payouts', (_r, body) => state.createPayout(body));
  get('/v1/payouts/:id', [], (r) => state.payout(idOf(r)));
  get('/v1/payouts', ['created', 'arrival_date', 'status', 'destination', 'limit', 'starting_after', 'ending_before'], (_r, p) => {
    const created = p.timeRange('created') ?? (() => true);
    const arrival = p.timeRange('arrival_date') ?? (() => true);
    const status = p.string('status', { oneOf: ['pending', 'paid', 'failed', 'canceled'] });
    const destination = p.string('destination');
    const items = [...state.payouts.values()].filter((po) =>
      created(po.created) && arrival(po.arrival_date) && (!status || po.status === status) && (!destination || po.destination === destination));
    return state.page(items, p, '/v1/payouts');
  });

  // ---- disputes
  get('/v1/disputes/:id', [], (r) => state.dispute(idOf(r)));
  get('/v1/disputes', ['charge', 'payment_intent', 'created', 'limit', 'starting_after', 'ending_before'], (_r, p) => {
    const [charge, pi] = [p.string('charge'), p.string('payment_intent')];
    const created = p.timeRange('created') ?? (() => true);
    const items = [...state.disputes.values()].filter((d) => created(d.created) && (!charge || d.charge === charge) && (!pi || d.payment_intent === pi));
    return state.page(items, p, '/v1/disputes');
  });

  // ---- events
  get('/v1/events/:id', [], (r) => state.event(idOf(r)));
  get('/v1/events', ['type', 'limit', 'starting_after', 'ending_before'], (_r, p) => {
    const type = p.string('type');
    const matches = (t: string) => !type || (type.endsWith('*') ? t.startsWith(type.slice(0, -1)) : t === type);
    return state.page(state.events.filter((e) => matches(e.type)), p, '/v1/events');
  });

  // ---- control API: no auth, no faults
  registerFaultRoutes(app, faults);
  app.post('/__sim/webhooks/config', async (request) => {
    const { targetUrl, enabledEvents: events, hold, ...rest } = webhookConfigBody.parse(request.body ?? {});
    if (events) enabledEvents = events;
    if (hold === true) held ??= [];
    // Turning hold off sends what waited, in order, as if the endpoint had been unreachable.
    if (hold === false && held) {
      const waiting = held;
      held = undefined;
      send(waiting);
    }
    const config = webhooks.configure({ ...rest, ...(targetUrl !== undefined ? { targetUrl: targetUrl ?? undefined } : {}) });
    return { config: { ...config, enabledEvents, hold: held !== undefined } };
  });
  // Sends what was held, in the order asked for: out-of-order delivery on demand, with no timing involved.
  app.post('/__sim/webhooks/release', async (request) => {
    const { order } = releaseBody.parse(request.body ?? {});
    const waiting = held ?? [];
    if (held) held = [];
    const ordered = order === 'reverse' ? [...waiting].reverse() : order === 'shuffle' ? webhooks.shuffled(waiting) : waiting;
    send(ordered);
    return { eventIds: ordered.map((e) => e.id) };
  });
  // Sends stored events again with their original ids, as a Stripe retry or a "resend" from the dashboard does.
  app.post('/__sim/webhooks/redeliver', async (request, reply) => {
    const { count, eventIds } = redeliverBody.parse(request.body ?? {});
    if (!webhooks.config.targetUrl) return reply.code(409).send({ error: 'no webhook target configured' });
    const events = eventIds ? eventIds.map((id) => state.event(id)) : state.events.filter((e) => subscribed(e.type)).slice(-count);
    // The same event, however old: original id and body, freshly signed (Stripe signs every attempt anew).
    send(events);
    return { eventIds: events.map((e) => e.id) };
  });
  app.get('/__sim/webhooks/deliveries', async () => ({ deliveries: webhooks.deliveries() }));
  app.get('/__sim/deliveries', async () => ({ deliveries: webhooks.deliveries() }));
  app.get('/__sim/events', async () => ({ events: state.events }));
  // Stripe's daily automatic payout, on demand.
  app.post('/__sim/payouts', async (request, reply) => {
    const { currency } = payoutRunBody.parse(request.body ?? {});
    const payout = state.transact({ requestId: null, idempotencyKey: null }, () => state.runAutomaticPayout(currency));
    return payout ? reply.code(201).send(state.view(payout)) : reply.code(409).send({ error: `no ${currency} balance to pay out` });
  });
  const control = <T>(run: () => T) => state.transact({ requestId: null, idempotencyKey: null }, run);
  app.post('/__sim/payouts/:id/fail', async (request) => {
    const { failureCode } = payoutFailBody.parse(request.body ?? {});
    return state.view(control(() => state.failPayout(idOf(request), failureCode)));
  });
  app.post('/__sim/disputes', async (request, reply) => {
    const { charge, amount, reason } = disputeOpenBody.parse(request.body ?? {});
    return reply.code(201).send(state.view(control(() => state.openDispute(charge, { amount, reason }))));
  });
  app.post('/__sim/disputes/:id/close', async (request) => {
    const { outcome } = disputeCloseBody.parse(request.body ?? {});
    return state.view(control(() => state.closeDispute(idOf(request), outcome)));
  });
  app.post('/__sim/clock', async (request) => {
    const body = clockBody.parse(request.body ?? {});
    state.clockOffsetSeconds = 'offsetSeconds' in body ? body.offsetSeconds : state.clockOffsetSeconds + body.advanceSeconds;
    return { offsetSeconds: state.clockOffsetSeconds, now: state.now() };
  });
  app.get('/__sim/state', async () => ({
    paymentIntents: [...state.paymentIntents.values()],
    charges: [...state.charges.values()],
    balanceTransactions: [...state.balanceTransactions.values()].map((t) => ({ ...state.view(t), payout: state.payoutOf(t.id) ?? null })),
    refunds: [...state.refunds.values()],
    payouts: [...state.payouts.values()],
    disputes: [...state.disputes.values()],
    events: state.events.length,
    idempotencyKeys: idempotent.size,
    webhooks: { ...webhooks.config, enabledEvents },
  }));
  app.post('/__sim/reset', async () => {
    state.reset();
    idempotent.clear();
    faults.clear();
    faults.resetCounts();
    webhooks.clearLog();
    webhooks.configure({ ...initialWebhookConfig });
    enabledEvents = SIMULATED_TOPICS;
    held = undefined;
    return { reset: true };
  });
  app.get('/__sim/health', async () => ({ status: 'ok', paymentIntents: state.paymentIntents.size, webhookTarget: webhooks.config.targetUrl ?? null }));

  return serveSimulator('stripe-simulator', app, opts, webhooks, { state, faults, webhooks });
}
