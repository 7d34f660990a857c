import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import { createLogger, type Logger } from '../../../config/logger';
import type { RunningService } from '../../../config/service';
import { toMinorUnits } from '../../../domain/money';
import { safeEqual } from '../../../domain/webhooks/signatures';
import { signShopify } from '../signature';
import type { FaultKind, FaultPlan } from '../../../simulators/faults';
import { WebhookSender, type DeliveryConfig, type RetryPolicy } from '../../../simulators/webhook-sender';
import { SHOPIFY_API_VERSION } from '../api-version';
import { supportedApiVersions } from './api-versions';
import { LeakyBucket, type ThrottleStatus } from './cost';
import { createGraphqlEndpoint } from './graphql-endpoint';
import { variantView } from './catalogue-views';
import { registerInventoryRoutes } from './inventory-control';
import { rootResolvers, type GraphqlContext } from './resolvers';
import { restOrder } from './rest-order';
import { buildShopifySchema } from './schema';
import { gid, ShopifySimState, type OrderTopic } from './state';
import { registerFaultRoutes, serveSimulator, simulatorApp, webhookConfigSchema } from '../../../simulators/control';

/**
 * An in-memory stand-in for Shopify's Admin GraphQL API (orders, fulfilments, variants) and its order webhooks:
 * a real GraphQL schema, Shopify's calculated query cost and leaky-bucket throttling, signed webhooks with
 * Shopify's headers, plus a `/__sim/` control API for tests and demos (faults, throttle, seeding, redelivery).
 */

export interface ShopifySimulatorOptions {
  port?: number;
  host?: string;
  accessToken: string;
  /** The app's client secret: signs X-Shopify-Hmac-Sha256. */
  webhookSecret: string;
  shopDomain?: string;
  webhookTargetUrl?: string;
  /** Reported in X-Shopify-API-Version on webhooks; requests may use any supported version. */
  apiVersion?: string;
  /** The simulator's clock for which API versions are still served; tests pin it. */
  now?: () => Date;
  shopCurrency?: string;
  logger?: Logger | false;
  /** Shortens the sender's backoff in tests. */
  webhookRetry?: Partial<RetryPolicy>;
  throttle?: Partial<ThrottleStatus>;
}

/** One webhook as Shopify sends it; retries, duplicates and redeliveries reuse it unchanged. */
export interface SentWebhook {
  webhookId: string;
  eventId: string;
  topic: OrderTopic;
  orderId: number;
  triggeredAt: string;
  body: Record<string, unknown>;
}

export interface ShopifySimulator extends RunningService {
  port: number;
  state: ShopifySimState;
  faults: FaultPlan;
  webhooks: WebhookSender;
  bucket: LeakyBucket;
  /** Every webhook emitted, oldest first. */
  sent: SentWebhook[];
}

export const DEFAULT_THROTTLE: ThrottleStatus = { maximumAvailable: 1000, currentlyAvailable: 1000, restoreRate: 50 };
const INVALID_TOKEN = '[API] Invalid API key or access token (unrecognized login or wrong password)';

const faultBody = (status: number, kind: FaultKind) => ({
  errors: kind === 'rate-limit'
    ? 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.'
    : `${STATUS_CODES[status] ?? 'Error'} (injected fault ${status})`,
});

const graphqlBody = z.object({
  query: z.string().min(1),
  variables: z.record(z.string(), z.unknown()).nullable().optional(),
  operationName: z.string().nullable().optional(),
});

const redeliverBody = z.object({ count: z.number().int().min(1).max(100).default(1), webhookId: z.string().min(1).optional() }).strict();
const throttleBody = z.object({
  maximumAvailable: z.number().positive().max(1_000_000).optional(),
  restoreRate: z.number().positive().max(1_000_000).optional(),
  currentlyAvailable: z.number().min(0).optional(),
}).strict();
const variantBody = z.object({
  sku: z.string().min(1).nullable().optional(),
  title: z.string().min(1).optional(),
  price: z.union([z.string().regex(/^\d+(\.\d+)?$/), z.number().nonnegative()]).transform(String),
  inventoryQuantity: z.number().int().default(0),
}).strict();

function fitsCurrency(price: string, currency: string): boolean {
  try {
    toMinorUnits(price, currency);
    return true;
  } catch {
    return false;
  }
}

export async function startShopifySimulator(opts: ShopifySimulatorOptions): Promise<ShopifySimulator> {
  const logger = opts.logger === false ? undefined : (opts.logger ?? createLogger('shopify-simulator'));
  const shopDomain = opts.shopDomain ?? 'sim-shop.myshopify.com';
  const apiVersion = opts.apiVersion ?? SHOPIFY_API_VERSION;
  const now = opts.now ?? (() => new Date());
  const shopCurrency = opts.shopCurrency ?? 'USD';
  const initialWebhookConfig: Partial<DeliveryConfig> = { targetUrl: opts.webhookTargetUrl, duplicates: 1, shuffle: false, delayMs: 0 };
  const initialThrottle = { ...DEFAULT_THROTTLE, ...opts.throttle };

  const webhooks = new WebhookSender({
    config: initialWebhookConfig,
    retry: opts.webhookRetry,
    logger: logger?.child({ component: 'webhooks' }),
    sign: (rawBody) => ({ 'X-Shopify-Hmac-Sha256': signShopify(opts.webhookSecret, rawBody) }),
  });
  const sent: SentWebhook[] = [];
  const deliver = (batch: SentWebhook[]) => void webhooks.send(batch.map((w) => ({
    ids: [w.webhookId],
    body: w.body,
    headers: {
      'X-Shopify-Topic': w.topic,
      'X-Shopify-Shop-Domain': shopDomain,
      'X-Shopify-API-Version': apiVersion,
      'X-Shopify-Webhook-Id': w.webhookId,
      'X-Shopify-Event-Id': w.eventId,
      'X-Shopify-Triggered-At': w.triggeredAt,
      'User-Agent': 'Shopify-Captain-Hook',
    },
  })));

  // The body is frozen when the event happens: a late or repeated delivery shows the order as it was then.
  const state = new ShopifySimState(shopCurrency, (order, topics) => {
    const triggeredAt = new Date().toISOString();
    const batch = topics.map((topic): SentWebhook => ({
      webhookId: randomUUID(), eventId: randomUUID(), topic, orderId: order.id, triggeredAt, body: restOrder(order),
    }));
    sent.push(...batch);
    if (sent.length > 10_000) sent.splice(0, sent.length - 10_000);
    deliver(batch);
  });

  const bucket = new LeakyBucket(initialThrottle.maximumAvailable, initialThrottle.restoreRate);
  bucket.configure({ currentlyAvailable: initialThrottle.currentlyAvailable });
  const runGraphql = createGraphqlEndpoint({ schema: buildShopifySchema(), rootValue: rootResolvers(state, shopCurrency), bucket, logger });

  const { app, faults } = simulatorApp(logger, faultBody);
  // Shopify also takes the bare query as `application/graphql`.
  app.addContentTypeParser('application/graphql', { parseAs: 'string' }, (_request, body, done) => done(null, { query: body }));
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/admin/')) return undefined;
    const token = request.headers['x-shopify-access-token'];
    if (typeof token === 'string' && token !== '' && safeEqual(token, opts.accessToken)) return undefined;
    return reply.code(401).send({ errors: INVALID_TOKEN });
  });

  app.setErrorHandler((err, _request, reply) => {
    if (err instanceof z.ZodError) return reply.code(400).send({ errors: err.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) logger?.error({ err }, 'shopify simulator error');
    return reply.code(status < 400 ? 500 : status).send({ errors: status < 500 ? (err as Error).message : 'Internal Server Error' });
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ errors: 'Not Found' }));

  // ---- Admin GraphQL API
  app.post('/admin/api/:version/graphql.json', async (request, reply) => {
    const { version } = request.params as { version: string };
    // Like Shopify: a version outside the supported window (or no version at all) is not found.
    if (!supportedApiVersions(now()).includes(version)) return reply.code(404).send({ errors: 'Not Found' });
    reply.header('X-Shopify-API-Version', version).header('X-Request-Id', randomUUID());
    const body = graphqlBody.safeParse(request.body);
    if (!body.success) return reply.code(400).send({ errors: { query: 'Required parameter missing or invalid' } });
    return runGraphql(body.data, { apiVersion: version } satisfies GraphqlContext);
  });

  // ---- control API: no auth, no faults, no throttling
  registerFaultRoutes(app, faults);
  app.post('/__sim/webhooks/config', async (request) => {
    const { targetUrl, ...rest } = webhookConfigSchema.parse(request.body ?? {});
    return { config: webhooks.configure({ ...rest, ...(targetUrl !== undefined ? { targetUrl: targetUrl ?? undefined } : {}) }) };
  });
  // Shopify's "resend": the very same webhook (id, body, signature input) once more.
  app.post('/__sim/webhooks/redeliver', async (request, reply) => {
    const { count, webhookId } = redeliverBody.parse(request.body ?? {});
    if (!webhooks.config.targetUrl) return reply.code(409).send({ errors: 'no webhook target configured' });
    const batch = webhookId ? sent.filter((w) => w.webhookId === webhookId) : sent.slice(-count);
    if (webhookId && batch.length === 0) return reply.code(404).send({ errors: `no webhook ${webhookId}` });
    deliver(batch);
    return { webhookIds: batch.map((w) => w.webhookId) };
  });
  app.get('/__sim/webhooks', async () => ({ webhooks: sent }));
  app.get('/__sim/deliveries', async () => ({ deliveries: webhooks.deliveries() }));
  app.post('/__sim/products', async (request, reply) => {
    const body = request.body as unknown;
    const list = Array.isArray(body) ? body : Array.isArray((body as { variants?: unknown })?.variants) ? (body as { variants: unknown[] }).variants : [body];
    const inputs = list.map((v) => variantBody.parse(v));
    const bad = inputs.find((v) => !fitsCurrency(v.price, shopCurrency));
    if (bad) return reply.code(400).send({ errors: `price ${bad.price} is not a valid ${shopCurrency} amount` });
    const variants = inputs.map((v) => state.seedVariant({ sku: v.sku, title: v.title ?? v.sku ?? 'Default Title', price: v.price, inventoryQuantity: v.inventoryQuantity }));
    return reply.code(201).send({ variants: variants.map((v) => ({ ...variantView(v, { state, currency: shopCurrency }), productId: gid('Product', v.productId) })) });
  });
  registerInventoryRoutes(app, state);
  app.get('/__sim/orders', async () => ({ orders: [...state.orders.values()].map(restOrder) }));
  app.get('/__sim/throttle', async () => ({ ...bucket.status(), throttledRequests: bucket.refusals }));
  app.post('/__sim/throttle', async (request) => bucket.configure(throttleBody.parse(request.body ?? {})));
  app.post('/__sim/reset', async () => {
    state.reset();
    sent.length = 0;
    faults.clear();
    faults.resetCounts();
    webhooks.clearLog();
    webhooks.configure({ ...initialWebhookConfig });
    bucket.configure(initialThrottle);
    return { reset: true };
  });
  app.get('/__sim/health', async () => ({
    status: 'ok', shop: shopDomain, orders: state.orders.size, variants: state.variants.size,
    webhookTarget: webhooks.config.targetUrl ?? null, throttle: bucket.status(),
  }));

  return serveSimulator('shopify-simulator', app, opts, webhooks, { state, faults, webhooks, bucket, sent });
}
