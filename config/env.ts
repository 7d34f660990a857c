import { z } from 'zod';
import { allConnections, parseConnections, type Connection } from '../connections/connection';
import type { VendorSettings } from '../connectors/settings';
import { LIFECYCLE_STAGES, type LeadPolicy } from '../domain/lead';
import type { OrderPolicy } from '../workflows/order/api';
import { DEFAULT_INVENTORY_POLICY, type InventoryPolicy } from '../workflows/inventory/api';
import type { PaymentPolicy } from '../workflows/payment/api';
import { DEFAULT_RECONCILIATION_POLICY, reconciliationScheduleId } from '../workflows/reconciliation/api';
import type { ReconciliationScheduleSettings } from '../workers/reconciliation-schedule';
import type { OrderCatchupScheduleSettings } from '../workers/catchup-schedule';
import type { InventoryResyncScheduleSettings } from '../workers/inventory-resync-schedule';
import { DEFAULT_ORDER_CATCHUP_POLICY } from '../workflows/catchup/api';
import { DEFAULT_AUDIT_POLICY, DEFAULT_AUDIT_SCHEDULE_ID } from '../workflows/audit/api';
import type { AuditScheduleSettings } from '../workers/audit-schedule';

/** Every setting the engine reads from its environment, validated once at start-up. */
const port = z.coerce.number().int().min(1).max(65535);
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const optionalUrl = z.string().url().optional();


export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().min(1).default('.data'),

  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  EMBEDDED_PG_PORT: port.default(5433),

  TEMPORAL_ADDRESS: z.string().regex(/^[^:\s]+:\d+$/, 'must be host:port').optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('integration'),
  /** A prebuilt workflow bundle (bundleWorkflowCode's output) a worker loads instead of bundling workflows/ at each start. */
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: bool.default(false),
  TEMPORAL_TLS_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  TEMPORAL_DEV_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_CLI_PATH: z.string().min(1).optional(),

  RELAY_PORT: port.default(3000),
  RELAY_HOST: z.string().min(1).default('127.0.0.1'),
  RELAY_PUBLIC_URL: optionalUrl,
  RELAY_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  DISPATCH_POLL_MS: z.coerce.number().int().min(50).default(1000),
  /** Workflows whose inbox events the relay hands to Temporal at the same time (each workflow's own events go in order). */
  DISPATCH_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  /** Failed hand-overs (Temporal outages do not count) after which an inbox row becomes `failed` with an issue. */
  INBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(10),
  /** Dispatched and ignored inbox rows older than this many days are deleted. */
  INBOX_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),

  /** Prometheus endpoints of a worker: its own `/metrics` and the Temporal SDK's runtime metrics, each 0 = off. */
  WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  TEMPORAL_SDK_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9465),
  /** OpenTelemetry tracing, off unless set: spans go to `<endpoint>/v1/traces` over OTLP/HTTP (e.g. http://collector:4318). */
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,

  /** The monitoring dashboard (dashboard/): bound beyond loopback it refuses to start without DASHBOARD_TOKEN. */
  DASHBOARD_HOST: z.string().min(1).default('127.0.0.1'),
  DASHBOARD_PORT: port.default(3100),
  DASHBOARD_TOKEN: z.string().min(16, 'must be at least 16 characters (e.g. `openssl rand -hex 32`)').optional(),
  DASHBOARD_REFRESH_SECONDS: z.coerce.number().int().min(1).max(3600).default(15),
  /** The workers' Prometheus /metrics URLs, comma-separated: vendor call, error and throttle rates (optional). */
  DASHBOARD_METRICS_URLS: z.string().transform((v) => v.split(',').map((u) => u.trim()).filter(Boolean))
    .pipe(z.array(z.string().url('each must be a URL such as http://127.0.0.1:9464/metrics'))).optional(),
  /** The Temporal Web UI, for links to workflows (npm start fills it in for its dev server). */
  TEMPORAL_UI_URL: optionalUrl,

  HUBSPOT_BASE_URL: z.string().url().default('https://api.hubapi.com'),
  HUBSPOT_ACCESS_TOKEN: z.string().min(1).optional(),
  HUBSPOT_CLIENT_SECRET: z.string().min(1).optional(),
  HUBSPOT_SIM_PORT: port.default(4010),
  /** npm start runs our vendor simulators and points the connectors at them; false uses the real vendors. */
  RUN_SIMULATORS: bool.default(true),
  /** npm start seeds the demo catalogue (ERP products and stock, the same variants in the shop simulator). */
  SEED_CATALOGUE: bool.default(true),
  SHOPIFY_BASE_URL: z.string().url().optional(),
  SHOPIFY_ACCESS_TOKEN: z.string().min(1).optional(),
  SHOPIFY_API_VERSION: z.string().regex(/^\d{4}-\d{2}$/, 'must look like 2026-10').default('2026-10'),
  SHOPIFY_WEBHOOK_SECRET: z.string().min(1).optional(),
  SHOPIFY_SIM_PORT: port.default(4020),
  STRIPE_BASE_URL: z.string().url().default('https://api.stripe.com'),
  STRIPE_API_KEY: z.string().min(1).optional(),
  STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
  STRIPE_SIM_PORT: port.default(4030),
  /** The WordPress site, e.g. https://shop.example.com; with RUN_SIMULATORS the simulator's URL is used instead. */
  WOOCOMMERCE_BASE_URL: z.string().url().optional(),
  /** REST API key with Read/Write permission (WooCommerce > Settings > Advanced > REST API). */
  WOOCOMMERCE_CONSUMER_KEY: z.string().min(1).optional(),
  WOOCOMMERCE_CONSUMER_SECRET: z.string().min(1).optional(),
  /** The secret of the order.created/updated/deleted webhooks pointing at RELAY_PUBLIC_URL/webhooks/woocommerce. */
  WOOCOMMERCE_WEBHOOK_SECRET: z.string().min(1).optional(),
  WOOCOMMERCE_SIM_PORT: port.default(4040),

  /**
   * Which vendor serves each role (connections/connection.ts): `shopify`, `woocommerce`, or several shops at once
   * (`shopify,woocommerce`), optionally with their own connection ids (`eu=shopify`). SHOP names one shop; SHOPS
   * several; not both.
   */
  SHOP: z.string().min(1).optional(),
  SHOPS: z.string().min(1).optional(),
  CRM: z.string().min(1).default('hubspot'),
  PAYMENTS: z.string().min(1).default('stripe'),

  LEAD_QUALIFYING_STAGE: z.enum(LIFECYCLE_STAGES).default('salesqualifiedlead'),
  DEFAULT_PHONE_COUNTRY: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code such as US').default('US'),
  HUBSPOT_ERP_ID_PROPERTY: z.string().min(1).default('erp_customer_number'),
  ORDER_SHORTFALL_POLICY: z.enum(['backorder', 'cancel']).default('cancel'),
  ORDER_PAYMENT_WAIT_SECONDS: z.coerce.number().int().min(0).default(86_400),
  ORDER_CANCEL_SHOP_ORDER_ON_FAILURE: bool.default(true),
  /** An order not shipped within this raises an "overdue" issue, raised again each period. */
  ORDER_SHIPMENT_REMINDER_SECONDS: z.coerce.number().int().min(1).default(3 * 24 * 3600),
  /** An order flow continues as new past this many history events (else when Temporal suggests it). */
  ORDER_MAX_HISTORY_EVENTS: z.coerce.number().int().min(100).optional(),
  /** An issue nobody answers is raised again (reminded) after this long; every flow. */
  OPERATOR_REMINDER_SECONDS: z.coerce.number().int().min(1).default(24 * 3600),
  /** How long a step may keep meeting vendor rate limits (429, THROTTLED) before a person is asked; every flow. */
  RATE_LIMIT_BUDGET_SECONDS: z.coerce.number().int().min(1).default(30 * 60),
  /** The ERP pushes what each shop may sell (inventory-sync flow per shop); false leaves shop stock alone. */
  INVENTORY_SYNC: bool.default(true),
  /** When a shop's stock differs from what we last pushed: the ERP's value wins, or the shop's is kept (and recorded). */
  INVENTORY_DRIFT_POLICY: z.enum(['erp-wins', 'keep-shop']).default('erp-wins'),
  /** A SKU is pushed once its changes have been quiet this long (bursts go out once, with the latest value). */
  INVENTORY_QUIET_MS: z.coerce.number().int().min(0).default(1_000),
  /** Passes a lead flow run makes before it continues as new. */
  LEAD_PASSES_PER_RUN: z.coerce.number().int().min(1).default(25),

  /** A captured payment without an ERP order waits this long for one (polling the ERP), then is parked as unmatched. */
  PAYMENT_ORDER_WAIT_SECONDS: z.coerce.number().int().min(0).default(86_400),
  PAYMENT_ORDER_POLL_SECONDS: z.coerce.number().int().min(1).default(60),
  /** A payment flow ends after this long without an event; a later event starts it again. */
  PAYMENT_IDLE_SECONDS: z.coerce.number().int().min(1).default(7 * 86_400),
  /** An order of the same amount and currency is a candidate for a payment when created this close to it. */
  PAYMENT_MATCH_WINDOW_SECONDS: z.coerce.number().int().min(1).default(86_400),

  /** The reconciliation schedule: how often it runs, what happens when a run is still going, how far back missed runs are caught up. */
  RECONCILIATION_SCHEDULE_ID: z.string().min(1).optional(),
  RECONCILIATION_INTERVAL_SECONDS: z.coerce.number().int().min(60).default(3600),
  RECONCILIATION_OVERLAP_POLICY: z.enum(['skip', 'buffer-one', 'cancel-other', 'allow-all']).default('skip'),
  RECONCILIATION_CATCHUP_WINDOW_SECONDS: z.coerce.number().int().min(60).default(86_400),
  /** Each window starts this long before the previous one ended, and ends this long before now. */
  RECONCILIATION_OVERLAP_SECONDS: z.coerce.number().int().min(0).default(2 * 3600),
  RECONCILIATION_SETTLE_SECONDS: z.coerce.number().int().min(0).default(15 * 60),
  RECONCILIATION_MAX_SPAN_SECONDS: z.coerce.number().int().min(3600).default(7 * 86_400),
  /** How often each shop's orders no webhook announced are caught up (a Temporal Schedule per shop). */
  ORDER_CATCHUP_INTERVAL_SECONDS: z.coerce.number().int().min(30).default(300),
  /** How often each shop's inventory sync is asked for a full resync (a Temporal Schedule per shop, when INVENTORY_SYNC is on). */
  INVENTORY_RESYNC_INTERVAL_SECONDS: z.coerce.number().int().min(60).default(86_400),
  /** The data synchronisation audit (a Temporal Schedule): how often, how far back records are compared, and whether it heals. */
  AUDIT_INTERVAL_SECONDS: z.coerce.number().int().min(60).default(3600),
  AUDIT_LOOKBACK_SECONDS: z.coerce.number().int().min(60).default(7 * 86_400),
  AUDIT_SETTLE_SECONDS: z.coerce.number().int().min(0).default(5 * 60),
  AUDIT_HEAL: bool.default(true),
  AUDIT_SCHEDULE_ID: z.string().min(1).optional(),
  /** Worker tuning (the Temporal SDK's defaults when unset; bench/orders-e2e.ts measures what they do). */
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).optional(),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).optional(),
  WORKER_WORKFLOW_TASK_POLLERS: z.coerce.number().int().min(2).optional(),
  WORKER_ACTIVITY_TASK_POLLERS: z.coerce.number().int().min(1).optional(),
  /**
   * Workflows kept in the worker's sticky cache; each costs memory while it waits (bench/worker-memory.ts). Not the
   * SDK's default, which grows with the heap limit (2,310 on a 4 GiB heap): at about 2 to 4 MiB per cached flow that
   * took a worker with 1,000 open orders to 4 GiB, its workflow tasks past their timeout and the process down. 250
   * keeps the cache under about 1 GiB even at the old 4 MiB per flow; a flow evicted from it is replayed from its
   * history when it next wakes, which costs time, not correctness. 0 turns the cache off.
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(250),
  /** PostgreSQL connections of one worker process (default 10). */
  WORKER_DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).optional(),
});

export type AppConfig = z.infer<typeof envSchema>;

/** The engine's connections as configured: every shop, the payment provider and the CRM. */
export interface ConfiguredConnections { shops: Connection[]; payments: Connection; crm: Connection; all: Connection[] }

export function configuredConnections(config: Pick<AppConfig, 'SHOP' | 'SHOPS' | 'CRM' | 'PAYMENTS'>): ConfiguredConnections {
  try {
    if (config.SHOP && config.SHOPS) throw new Error('SHOP and SHOPS: set one of them (SHOP for one shop, SHOPS for several)');
    const shops = config.SHOP ? parseConnections('SHOP', 'shop', config.SHOP) : parseConnections('SHOPS', 'shop', config.SHOPS ?? 'shopify');
    if (config.SHOP && shops.length > 1) throw new Error('SHOP: names one shop; use SHOPS for several');
    const [payments] = parseConnections('PAYMENTS', 'payments', config.PAYMENTS);
    const [crm] = parseConnections('CRM', 'crm', config.CRM);
    return { shops, payments: payments!, crm: crm!, all: allConnections([shops, [payments!], [crm!]]) };
  } catch (err) {
    throw new ConfigError(`Invalid configuration:\n  ${(err as Error).message}`);
  }
}

export class ConfigError extends Error {}

/** Parses the environment; the error names each offending variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const blanksRemoved = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(blanksRemoved);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** Fails with a clear message when a setting that this service needs is missing. */
export function requireSetting<K extends keyof AppConfig>(config: AppConfig, key: K): NonNullable<AppConfig[K]> {
  const value = config[key];
  if (value === undefined || value === null) throw new ConfigError(`Missing required setting ${String(key)}`);
  return value as NonNullable<AppConfig[K]>;
}

/** The policies the relay starts flows with, from the environment. */
export function flowPolicies(config: AppConfig): { leadPolicy: LeadPolicy; orderPolicy: OrderPolicy; paymentPolicy: PaymentPolicy } {
  const shared = { operatorReminderSeconds: config.OPERATOR_REMINDER_SECONDS, rateLimitBudgetSeconds: config.RATE_LIMIT_BUDGET_SECONDS };
  return {
    leadPolicy: { qualifyingStage: config.LEAD_QUALIFYING_STAGE, defaultPhoneCountry: config.DEFAULT_PHONE_COUNTRY, passesPerRun: config.LEAD_PASSES_PER_RUN, ...shared },
    orderPolicy: {
      shortfall: config.ORDER_SHORTFALL_POLICY,
      paymentWaitSeconds: config.ORDER_PAYMENT_WAIT_SECONDS,
      cancelShopOrderOnFailure: config.ORDER_CANCEL_SHOP_ORDER_ON_FAILURE,
      shipmentReminderSeconds: config.ORDER_SHIPMENT_REMINDER_SECONDS,
      ...(config.ORDER_MAX_HISTORY_EVENTS ? { maxHistoryEvents: config.ORDER_MAX_HISTORY_EVENTS } : {}),
      ...shared,
    },
    paymentPolicy: {
      orderWaitSeconds: config.PAYMENT_ORDER_WAIT_SECONDS, orderPollSeconds: config.PAYMENT_ORDER_POLL_SECONDS, idleSeconds: config.PAYMENT_IDLE_SECONDS,
      matchWindowSeconds: config.PAYMENT_MATCH_WINDOW_SECONDS, ...shared,
    },
  };
}

/** The reconciliation schedule of the payments connection, as the worker creates or updates it at start-up. */
export function reconciliationSchedule(config: AppConfig, payments: string): ReconciliationScheduleSettings {
  return {
    scheduleId: config.RECONCILIATION_SCHEDULE_ID ?? reconciliationScheduleId(payments),
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    payments,
    intervalSeconds: config.RECONCILIATION_INTERVAL_SECONDS,
    overlap: config.RECONCILIATION_OVERLAP_POLICY,
    catchupWindowSeconds: config.RECONCILIATION_CATCHUP_WINDOW_SECONDS,
    policy: {
      ...DEFAULT_RECONCILIATION_POLICY, overlapSeconds: config.RECONCILIATION_OVERLAP_SECONDS, settleSeconds: config.RECONCILIATION_SETTLE_SECONDS,
      maxSpanSeconds: config.RECONCILIATION_MAX_SPAN_SECONDS,
    },
  };
}

/** The order catch-up schedules, one per shop connection, as the worker creates or updates them at start-up. */
export function orderCatchupSchedule(config: AppConfig, shops: readonly string[]): OrderCatchupScheduleSettings {
  return {
    taskQueue: config.TEMPORAL_TASK_QUEUE, shops, intervalSeconds: config.ORDER_CATCHUP_INTERVAL_SECONDS,
    policy: DEFAULT_ORDER_CATCHUP_POLICY, orderPolicy: flowPolicies(config).orderPolicy,
  };
}

/** The periodic full inventory resync schedules, one per shop connection, as the worker creates or updates them at start-up. */
export function inventoryResyncSchedule(config: AppConfig, shops: readonly string[]): InventoryResyncScheduleSettings {
  return { taskQueue: config.TEMPORAL_TASK_QUEUE, shops, intervalSeconds: config.INVENTORY_RESYNC_INTERVAL_SECONDS };
}

/** The data synchronisation audit's schedule over every configured connection, as the worker creates or updates it at start-up. */
export function auditSchedule(config: AppConfig, connections: Pick<ConfiguredConnections, 'shops' | 'payments' | 'crm'>): AuditScheduleSettings {
  const { leadPolicy, orderPolicy } = flowPolicies(config);
  return {
    scheduleId: config.AUDIT_SCHEDULE_ID ?? DEFAULT_AUDIT_SCHEDULE_ID, taskQueue: config.TEMPORAL_TASK_QUEUE, intervalSeconds: config.AUDIT_INTERVAL_SECONDS,
    input: {
      scope: { crm: connections.crm.id, shops: connections.shops.map((s) => s.id), payments: connections.payments.id },
      policy: { ...DEFAULT_AUDIT_POLICY, lookbackSeconds: config.AUDIT_LOOKBACK_SECONDS, settleSeconds: config.AUDIT_SETTLE_SECONDS, heal: config.AUDIT_HEAL },
      leadPolicy, orderPolicy,
    },
  };
}

/** The inventory sync's policy, from the environment. */
export function inventoryPolicy(config: AppConfig): InventoryPolicy {
  return {
    ...DEFAULT_INVENTORY_POLICY, drift: config.INVENTORY_DRIFT_POLICY, quietMs: config.INVENTORY_QUIET_MS,
    operatorReminderSeconds: config.OPERATOR_REMINDER_SECONDS, rateLimitBudgetSeconds: config.RATE_LIMIT_BUDGET_SECONDS,
  };
}

/** The vendor accounts as configured; each connector checks its own part when a connection uses it. */
export function vendorSettings(config: AppConfig): VendorSettings {
  return {
    hubspot: { baseUrl: config.HUBSPOT_BASE_URL, accessToken: config.HUBSPOT_ACCESS_TOKEN, erpIdProperty: config.HUBSPOT_ERP_ID_PROPERTY },
    shopify: { baseUrl: config.SHOPIFY_BASE_URL, accessToken: config.SHOPIFY_ACCESS_TOKEN, apiVersion: config.SHOPIFY_API_VERSION },
    woocommerce: { baseUrl: config.WOOCOMMERCE_BASE_URL, consumerKey: config.WOOCOMMERCE_CONSUMER_KEY, consumerSecret: config.WOOCOMMERCE_CONSUMER_SECRET },
    stripe: { baseUrl: config.STRIPE_BASE_URL, apiKey: config.STRIPE_API_KEY },
  };
}

/** Each connection's webhook secret, from its vendor's setting. */
export function webhookSecrets(config: AppConfig, connections: readonly Connection[]): Record<string, string | undefined> {
  const byVendor: Record<string, string | undefined> = {
    hubspot: config.HUBSPOT_CLIENT_SECRET,
    shopify: config.SHOPIFY_WEBHOOK_SECRET,
    woocommerce: config.WOOCOMMERCE_WEBHOOK_SECRET,
    stripe: config.STRIPE_WEBHOOK_SECRET,
  };
  return Object.fromEntries(connections.map((c) => [c.id, byVendor[c.vendor]]));
}
