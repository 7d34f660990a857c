import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { createLogger, type Logger } from '../../../config/logger';
import type { RunningService } from '../../../config/service';
import { signWoocommerce } from '../webhooks';
import { safeEqual } from '../../../domain/webhooks/signatures';
import { registerFaultRoutes, serveSimulator, simulatorApp } from '../../../simulators/control';
import type { FaultKind, FaultPlan } from '../../../simulators/faults';
import { WebhookSender, type DeliveryConfig, type RetryPolicy } from '../../../simulators/webhook-sender';
import { appendCapped, registerWebhookRoutes, resetPlumbing } from '../../../simulators/webhook-routes';
import { batchBodySchema, nextOrderIdSchema, noteInputSchema, orderInputSchema, orderUpdateSchema, productInputSchema } from './input';
import { WooApiError, WooSimState, type OrderTopic, type SimOrder } from './state';
import { batchItemView, noteView, orderView, productView } from './views';
import { listOrders, orderListQuery } from './order-list';

/**
 * An in-memory stand-in for a WooCommerce store's REST API v3 (orders, order notes, products and variations with
 * their batch updates) and its order webhooks, signed like Woo's, plus a `/__sim/` control API for tests and
 * demos (seeding, faults, redelivery).
 */

export interface WoocommerceSimulatorOptions {
  port?: number;
  host?: string;
  consumerKey: string;
  consumerSecret: string;
  /** Signs X-WC-Webhook-Signature. */
  webhookSecret: string;
  webhookTargetUrl?: string;
  /** Reported in X-WC-Webhook-Source; defaults to the simulator's own URL. */
  siteUrl?: string;
  currency?: string;
  logger?: Logger | false;
  /** Shortens the sender's backoff in tests. */
  webhookRetry?: Partial<RetryPolicy>;
}

/** One webhook as Woo sends it; retries and redeliveries reuse it unchanged. */
export interface SentWebhook {
  deliveryId: string;
  topic: OrderTopic;
  orderId: number;
  body: Record<string, unknown>;
}

export interface WoocommerceSimulator extends RunningService {
  port: number;
  state: WooSimState;
  faults: FaultPlan;
  webhooks: WebhookSender;
  sent: SentWebhook[];
}

const API = '/wp-json/wc/v3';
/** Woo numbers each webhook it is configured with; one per topic here. */
const WEBHOOK_IDS: Record<OrderTopic, number> = { 'order.created': 1, 'order.updated': 2, 'order.deleted': 3 };
const MAX_BATCH = 100;

const wooError = (status: number, code: string, message: string) => new WooApiError(status, code, message).body();
const faultBody = (status: number, kind: FaultKind) => (kind === 'rate-limit'
  ? wooError(429, 'woocommerce_rest_too_many_requests', 'Too many requests (injected fault).')
  : wooError(status, 'internal_server_error', `Injected fault ${status}.`));

const idParam = (request: FastifyRequest, name = 'id') => {
  const raw = (request.params as Record<string, string>)[name] ?? '';
  return /^\d+$/.test(raw) ? Number(raw) : -1;
};
const listQuery = z.object({
  sku: z.string().optional(),
  per_page: z.coerce.number().int().min(1).max(100).default(10),
  page: z.coerce.number().int().min(1).default(1),
});

/** Who is calling: HTTP Basic, or the query-string credentials Woo also accepts. */
function credentials(request: FastifyRequest): { key: string; secret: string } | null {
  const header = request.headers.authorization ?? '';
  if (header.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0 ? null : { key: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
  }
  const query = request.query as Record<string, unknown>;
  return typeof query.consumer_key === 'string' && typeof query.consumer_secret === 'string'
    ? { key: query.consumer_key, secret: query.consumer_secret } : null;
}

export async function startWoocommerceSimulator(opts: WoocommerceSimulatorOptions): Promise<WoocommerceSimulator> {
  const logger = opts.logger === false ? undefined : (opts.logger ?? createLogger('woocommerce-simulator'));
  const currency = opts.currency ?? 'USD';
  const initialWebhookConfig: Partial<DeliveryConfig> = { targetUrl: opts.webhookTargetUrl, duplicates: 1, shuffle: false, delayMs: 0 };
  let siteUrl = opts.siteUrl ?? '';

  const webhooks = new WebhookSender({
    config: initialWebhookConfig,
    retry: opts.webhookRetry,
    logger: logger?.child({ component: 'webhooks' }),
    sign: (rawBody) => ({ 'X-WC-Webhook-Signature': signWoocommerce(opts.webhookSecret, rawBody) }),
  });
  const sent: SentWebhook[] = [];
  const deliver = (batch: SentWebhook[]) => void webhooks.send(batch.map((w) => ({
    ids: [w.deliveryId],
    body: w.body,
    headers: {
      'X-WC-Webhook-Source': `${siteUrl.replace(/\/+$/, '')}/`,
      'X-WC-Webhook-Topic': w.topic,
      'X-WC-Webhook-Resource': 'order',
      'X-WC-Webhook-Event': w.topic.split('.')[1]!,
      'X-WC-Webhook-ID': String(WEBHOOK_IDS[w.topic]),
      'X-WC-Webhook-Delivery-ID': w.deliveryId,
      'User-Agent': 'WooCommerce/9.4.0 Hookshot (WordPress/6.7.1)',
    },
  })));

  // The body is frozen when the event happens; a deleted order is announced by its id alone, as Woo does.
  const state = new WooSimState(currency, (order: SimOrder, topic: OrderTopic) => {
    const webhook: SentWebhook = {
      deliveryId: randomBytes(16).toString('hex'), topic, orderId: order.id,
      body: topic === 'order.deleted' ? { id: order.id } : orderView(order),
    };
    appendCapped(sent, [webhook]);
    deliver([webhook]);
  });

  const { app, faults } = simulatorApp(logger, faultBody);
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith(`${API}/`)) return undefined;
    const given = credentials(request);
    const denied = (code: string, message: string) => reply.code(401).send(wooError(401, code, message));
    if (!given) return denied('woocommerce_rest_cannot_view', 'Sorry, you cannot list resources.');
    if (!safeEqual(given.key, opts.consumerKey)) return denied('woocommerce_rest_authentication_error', 'Consumer key is invalid.');
    if (!safeEqual(given.secret, opts.consumerSecret)) return denied('woocommerce_rest_authentication_error', 'Consumer secret is invalid.');
    return undefined;
  });

  app.setErrorHandler((err, _request, reply) => {
    if (err instanceof WooApiError) return reply.code(err.status).send(err.body());
    if (err instanceof z.ZodError) {
      const issues = err.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
      return reply.code(400).send(wooError(400, 'rest_invalid_param', `Invalid parameter(s): ${issues}`));
    }
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) logger?.error({ err }, 'woocommerce simulator error');
    if (status < 500) return reply.code(status < 400 ? 500 : status).send(wooError(status, 'rest_invalid_request', (err as Error).message));
    return reply.code(status).send(wooError(status, 'internal_server_error', 'Internal Server Error'));
  });
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send(wooError(404, 'rest_no_route', 'No route was found matching the URL and request method.')));

  const variationIds = (id: number) => [...state.products.values()].filter((p) => p.parentId === id).map((p) => p.id);
  const products = (list: ReturnType<WooSimState['findBySkus']>) => list.map((p) => productView(p, currency, variationIds(p.id)));
  const runBatch = async (request: FastifyRequest, reply: FastifyReply, parentId: number | null) => {
    const body = batchBodySchema.parse(request.body ?? {});
    if (body.create.length + body.update.length + body.delete.length > MAX_BATCH) {
      const message = `Unable to accept more than ${MAX_BATCH} items for this request.`;
      return reply.code(413).send(wooError(413, 'woocommerce_rest_request_entity_too_large', message));
    }
    if (body.create.length + body.delete.length > 0) throw new WooApiError(400, 'rest_invalid_param', 'The simulator batches updates only.');
    if (parentId !== null) state.variationsOf(parentId);
    return { update: state.batchUpdate(body.update, parentId).map((r) => batchItemView(r, currency)) };
  };

  // ---- WooCommerce REST API v3
  app.get(`${API}/orders`, async (request, reply) => {
    const listed = listOrders(state.orders.values(), orderListQuery.parse(request.query));
    reply.header('X-WP-Total', String(listed.total)).header('X-WP-TotalPages', String(listed.totalPages));
    return listed.page.map(orderView);
  });
  app.get(`${API}/orders/:id`, async (request) => orderView(state.order(idParam(request))));
  app.route({
    method: ['PUT', 'PATCH', 'POST'], url: `${API}/orders/:id`,
    handler: async (request) => orderView(state.updateOrder(idParam(request), orderUpdateSchema.parse(request.body ?? {}))),
  });
  app.delete(`${API}/orders/:id`, async (request) => {
    const force = String((request.query as { force?: unknown }).force) === 'true';
    return orderView(state.deleteOrder(idParam(request), force));
  });
  app.get(`${API}/orders/:id/notes`, async (request) => state.notesOf(idParam(request)).map(noteView));
  app.post(`${API}/orders/:id/notes`, async (request, reply) => {
    const input = noteInputSchema.parse(request.body ?? {});
    return reply.code(201).send(noteView(state.addNote(idParam(request), input.note, input.customer_note)));
  });
  app.get(`${API}/products`, async (request, reply) => {
    const query = listQuery.parse(request.query);
    const all = query.sku ? state.findBySkus(query.sku) : [...state.products.values()].filter((p) => p.type !== 'variation');
    reply.header('X-WP-Total', String(all.length)).header('X-WP-TotalPages', String(Math.ceil(all.length / query.per_page)));
    return products(all.slice((query.page - 1) * query.per_page, query.page * query.per_page));
  });
  app.get(`${API}/products/:id`, async (request) => {
    const product = state.products.get(idParam(request));
    if (!product) throw new WooApiError(404, 'woocommerce_rest_product_invalid_id', 'Invalid ID.');
    return productView(product, currency, variationIds(product.id));
  });
  app.get(`${API}/products/:id/variations`, async (request) => products(state.variationsOf(idParam(request))));
  app.post(`${API}/products/batch`, (request, reply) => runBatch(request, reply, null));
  app.post(`${API}/products/:id/variations/batch`, (request, reply) => runBatch(request, reply, idParam(request)));

  // ---- control API: no auth, no faults
  registerFaultRoutes(app, faults);
  const simError = (message: string) => wooError(400, 'sim_error', message);
  registerWebhookRoutes(app, { webhooks, sent, idOf: (w) => w.deliveryId, deliver, errorBody: simError });
  app.post('/__sim/orders', async (request, reply) => {
    const order = state.createOrder(orderInputSchema.parse(request.body ?? {}));
    return reply.code(201).send(orderView(order));
  });
  // The shop's staff or the buyer changing an order in WordPress (e.g. cancelling it): same effects as the API.
  app.post('/__sim/orders/:id', async (request) => {
    const order = state.updateOrder(idParam(request), orderUpdateSchema.parse(request.body ?? {}));
    return orderView(order);
  });
  app.delete('/__sim/orders/:id', async (request) => {
    const force = String((request.query as { force?: unknown }).force) === 'true';
    return orderView(state.deleteOrder(idParam(request), force));
  });
  app.post('/__sim/next-order-id', async (request) => {
    const { id } = nextOrderIdSchema.parse(request.body ?? {});
    state.pinNextOrderId(id);
    return { nextOrderId: id };
  });
  app.get('/__sim/orders', async () => ({ orders: [...state.orders.values()].map(orderView) }));
  app.post('/__sim/products', async (request, reply) => {
    const body = request.body as unknown;
    const inputs = (Array.isArray(body) ? body : [body]).map((p) => productInputSchema.parse(p));
    return reply.code(201).send({ products: products(inputs.flatMap((input) => state.seedProduct(input))) });
  });
  app.get('/__sim/products', async () => ({ products: products([...state.products.values()]) }));
  app.post('/__sim/reset', async () => {
    state.reset();
    resetPlumbing(faults, webhooks, initialWebhookConfig, sent);
    return { reset: true };
  });
  app.get('/__sim/health', async () => ({
    status: 'ok', orders: state.orders.size, products: state.products.size, webhookTarget: webhooks.config.targetUrl ?? null,
  }));

  const running = await serveSimulator('woocommerce-simulator', app, opts, webhooks, { state, faults, webhooks, sent });
  siteUrl ||= running.url;
  return running;
}
