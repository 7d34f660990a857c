import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { createLogger, type Logger } from '../../../config/logger';
import type { RunningService } from '../../../config/service';
import { LIFECYCLE_STAGES } from '../../../domain/lead';
import { safeEqual } from '../../../domain/webhooks/signatures';
import { signHubspotV3 } from '../signature';
import type { FaultKind, FaultPlan } from '../../../simulators/faults';
import { WebhookSender, type DeliveryConfig, type RetryPolicy } from '../../../simulators/webhook-sender';
import { registerFaultRoutes, serveSimulator, simulatorApp, webhookConfigSchema } from '../../../simulators/control';
import { SimIdSequence } from '../../../simulators/ids';

/**
 * An in-memory stand-in for HubSpot's CRM v3 contacts API and its webhooks, close enough to the real thing
 * (ids, error bodies, signature v3, batching, retries) that the connector and relay cannot tell, plus a
 * `/__sim/` control API for tests and demos to inject faults and inspect state.
 */

export type ChangeSource = 'CRM_UI' | 'INTEGRATION' | 'API' | 'IMPORT';

export interface SimContact {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

export interface HubspotWebhookEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: 'contact.creation' | 'contact.propertyChange' | 'contact.deletion';
  attemptNumber: number;
  objectId: number;
  changeSource: ChangeSource;
  sourceId: string;
  changeFlag?: 'CREATED' | 'DELETED';
  propertyName?: string;
  propertyValue?: string;
}

export interface HubspotSimulatorOptions {
  port?: number;
  host?: string;
  accessToken: string;
  clientSecret: string;
  webhookTargetUrl?: string;
  subscribedProperties?: string[];
  portalId?: number;
  appId?: number;
  logger?: Logger | false;
  /** Shortens the sender's backoff in tests. */
  webhookRetry?: Partial<RetryPolicy>;
}

export interface HubspotSimulator extends RunningService {
  port: number;
  state: HubspotSimState;
  faults: FaultPlan;
  webhooks: WebhookSender;
}

export const DEFAULT_SUBSCRIBED_PROPERTIES = ['lifecyclestage', 'email', 'firstname', 'lastname', 'phone', 'company'];
const SYSTEM_PROPERTIES = ['hs_object_id', 'createdate', 'lastmodifieddate'];
/** What HubSpot returns when the caller names no properties. */
const DEFAULT_READ_PROPERTIES = ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'];
const LIFECYCLE_OPTIONS: readonly string[] = [...LIFECYCLE_STAGES, 'other'];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

// ---- errors in HubSpot's shape ---------------------------------------------

export class HubspotApiError extends Error {
  constructor(readonly status: number, readonly category: string, message: string) {
    super(message);
  }
  body(): Record<string, unknown> {
    return { status: 'error', message: this.message, correlationId: randomUUID(), category: this.category };
  }
}

const invalid = (name: string, error: string, message: string) =>
  new HubspotApiError(400, 'VALIDATION_ERROR', `Property values were not valid: ${JSON.stringify([{ isValid: false, message, error, name }])}`);
const notFound = (id: string) => new HubspotApiError(404, 'OBJECT_NOT_FOUND', `resource not found: contact ${id}`);

const faultBody = (status: number, kind: FaultKind) =>
  kind === 'rate-limit'
    ? { status: 'error', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT', correlationId: randomUUID(), policyName: 'SECONDLY' }
    : new HubspotApiError(status, status >= 500 ? 'INTERNAL_ERROR' : 'VALIDATION_ERROR', `Injected fault: HTTP ${status}`).body();

// ---- state --------------------------------------------------------------------

const propertiesBody = z.object({
  properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});

/** Parses `{ properties }` like HubSpot: values are stored as strings, '' or null clears a property. */
function parseProperties(body: unknown): Record<string, string | null> {
  const parsed = propertiesBody.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HubspotApiError(400, 'VALIDATION_ERROR', `Invalid input JSON: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  const out: Record<string, string | null> = {};
  for (const [name, value] of Object.entries(parsed.data.properties)) {
    if (!/^[a-z0-9_]+$/.test(name)) throw invalid(name, 'PROPERTY_DOESNT_EXIST', `Property "${name}" does not exist`);
    if (SYSTEM_PROPERTIES.includes(name)) throw invalid(name, 'READ_ONLY_VALUE', `"${name}" is a read only property; its value cannot be set.`);
    const text = value === null || value === '' ? null : String(value);
    if (name === 'email' && text !== null && !EMAIL.test(text)) throw invalid(name, 'INVALID_EMAIL', `Email address ${text} is invalid`);
    if (name === 'lifecyclestage' && text !== null && !LIFECYCLE_OPTIONS.includes(text)) {
      throw invalid(name, 'INVALID_OPTION', `${text} was not one of the allowed options: [${LIFECYCLE_OPTIONS.join(', ')}]`);
    }
    out[name] = text;
  }
  return out;
}

type Emit = (contact: SimContact, changes: Array<Pick<HubspotWebhookEvent, 'subscriptionType' | 'changeFlag' | 'propertyName' | 'propertyValue'>>, source: ChangeSource) => void;

export class HubspotSimState {
  readonly contacts = new Map<string, SimContact>();
  readonly events: HubspotWebhookEvent[] = [];
  /** From the clock and a lane of this simulator's own (SimIdSequence): ids never repeat across simulators. */
  private readonly contactIds = new SimIdSequence();
  nextEventId = Date.now() * 100;

  constructor(private readonly subscribed: readonly string[], private readonly emit: Emit) {}

  create(body: unknown, source: ChangeSource): SimContact {
    const props = parseProperties(body);
    this.assertEmailFree(props.email ?? null, undefined);
    const id = String(this.contactIds.next());
    const now = new Date().toISOString();
    const set = Object.fromEntries(Object.entries(props).filter((e): e is [string, string] => e[1] !== null));
    const contact: SimContact = {
      id, createdAt: now, updatedAt: now, archived: false,
      properties: { ...set, hs_object_id: id, createdate: now, lastmodifieddate: now },
    };
    this.contacts.set(id, contact);
    const changes = Object.entries(set).filter(([name]) => this.subscribed.includes(name))
      .map(([propertyName, propertyValue]) => ({ subscriptionType: 'contact.propertyChange' as const, propertyName, propertyValue }));
    this.emit(contact, [{ subscriptionType: 'contact.creation', changeFlag: 'CREATED' }, ...changes], source);
    return contact;
  }

  update(id: string, body: unknown, source: ChangeSource): SimContact {
    const contact = this.live(id);
    const props = parseProperties(body);
    if (props.email) this.assertEmailFree(props.email, id);
    const changed = Object.entries(props).filter(([name, value]) => (contact.properties[name] ?? null) !== value);
    if (changed.length === 0) return contact;
    for (const [name, value] of changed) {
      if (value === null) delete contact.properties[name];
      else contact.properties[name] = value;
    }
    contact.updatedAt = contact.properties.lastmodifieddate = new Date().toISOString();
    // Only changed, subscribed properties notify: writing our own ERP id back must not echo into a loop.
    const changes = changed.filter(([name]) => this.subscribed.includes(name))
      .map(([propertyName, value]) => ({ subscriptionType: 'contact.propertyChange' as const, propertyName, propertyValue: value ?? '' }));
    if (changes.length > 0) this.emit(contact, changes, source);
    return contact;
  }

  archive(id: string, source: ChangeSource): void {
    const contact = this.contacts.get(id);
    if (!contact) throw notFound(id);
    if (contact.archived) return;
    contact.archived = true;
    contact.updatedAt = new Date().toISOString();
    this.emit(contact, [{ subscriptionType: 'contact.deletion', changeFlag: 'DELETED' }], source);
  }

  live(id: string): SimContact {
    return this.find(id, false);
  }

  /** `archived: true` reads only archived contacts, as HubSpot's `?archived=true` does. */
  find(id: string, archived: boolean): SimContact {
    const contact = this.contacts.get(id);
    if (!contact || contact.archived !== archived) throw notFound(id);
    return contact;
  }

  reset(): void {
    this.contacts.clear();
    this.events.length = 0;
  }

  private assertEmailFree(email: string | null, selfId: string | undefined): void {
    if (!email) return;
    const wanted = email.toLowerCase();
    const other = [...this.contacts.values()].find((c) => !c.archived && c.id !== selfId && c.properties.email?.toLowerCase() === wanted);
    if (other) throw new HubspotApiError(409, 'CONFLICT', `Contact already exists. Existing ID: ${other.id}`);
  }
}

/** The object as the API returns it: `all`, or the requested properties (null when unset) plus the system ones. */
function view(contact: SimContact, requested: string[] | 'all') {
  const names = requested === 'all' ? Object.keys(contact.properties) : [...new Set([...requested, ...SYSTEM_PROPERTIES])];
  const properties = Object.fromEntries(names.map((n) => [n, contact.properties[n] ?? null]));
  return { id: contact.id, properties, createdAt: contact.createdAt, updatedAt: contact.updatedAt, archived: contact.archived };
}

/** `properties=a,b` and `properties=a&properties=b` are both accepted, as HubSpot does. */
function requestedProperties(raw: unknown): string[] | undefined {
  const parts = (Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : []).flatMap((v) => String(v).split(','));
  const names = parts.map((p) => p.trim()).filter((p) => p !== '');
  return names.length > 0 ? names : undefined;
}

// ---- server ------------------------------------------------------------------------

/** `archived` comes as text; the official SDK always sends it (`archived=false`). */
const archivedQuery = z.object({ archived: z.enum(['true', 'false']).default('false').transform((v) => v === 'true') });
const listQuery = archivedQuery.extend({
  limit: z.coerce.number().int().min(1).max(100).default(10),
  after: z.string().regex(/^\d+$/).optional(),
});

const redeliverBody = z.object({ count: z.number().int().min(1).max(100).default(1) }).strict();

const q = (query: unknown) => (query ?? {}) as Record<string, unknown>;
const idOf = (params: unknown) => String((params as { id?: string }).id ?? '');

export async function startHubspotSimulator(opts: HubspotSimulatorOptions): Promise<HubspotSimulator> {
  const portalId = opts.portalId ?? 62_515;
  const appId = opts.appId ?? 424_242;
  const logger = opts.logger === false ? undefined : (opts.logger ?? createLogger('hubspot-simulator'));
  const subscribed = opts.subscribedProperties ?? DEFAULT_SUBSCRIBED_PROPERTIES;
  const initialWebhookConfig: Partial<DeliveryConfig> = { targetUrl: opts.webhookTargetUrl, duplicates: 1, shuffle: false, delayMs: 0 };

  const webhooks = new WebhookSender({
    config: initialWebhookConfig,
    retry: opts.webhookRetry,
    logger: logger?.child({ component: 'webhooks' }),
    sign: (rawBody, url) => {
      const ts = Date.now();
      return {
        'X-HubSpot-Signature-v3': signHubspotV3(opts.clientSecret, 'POST', url, rawBody, ts),
        'X-HubSpot-Request-Timestamp': String(ts),
        'User-Agent': 'HubSpot Connect 2.0 (simulator)',
      };
    },
  });

  /** HubSpot numbers subscriptions; one id per topic/property keeps them stable for a run. */
  const subscriptionId = (type: string, property?: string) =>
    100_000 + (type === 'contact.creation' ? 0 : type === 'contact.deletion' ? 1 : 10 + Math.max(0, subscribed.indexOf(property ?? '')));

  const sendBatch = (events: HubspotWebhookEvent[]) => {
    const ordered = webhooks.config.shuffle ? webhooks.shuffled(events) : events;
    for (let i = 0; i < ordered.length; i += 100) {
      const chunk = ordered.slice(i, i + 100);
      // HubSpot counts attempts from 0 and keeps the eventId across retries.
      void webhooks.send([{ ids: chunk.map((e) => String(e.eventId)), body: (attempt: number) => chunk.map((e) => ({ ...e, attemptNumber: attempt - 1 })) }]);
    }
  };

  const state: HubspotSimState = new HubspotSimState(subscribed, (contact, changes, source) => {
    const occurredAt = Date.now();
    const events = changes.map((c): HubspotWebhookEvent => ({
      eventId: state.nextEventId++, subscriptionId: subscriptionId(c.subscriptionType, c.propertyName), portalId, appId, occurredAt,
      attemptNumber: 0, objectId: Number(contact.id), changeSource: source, sourceId: source === 'CRM_UI' ? 'userId:1' : String(appId), ...c,
    }));
    state.events.push(...events);
    if (state.events.length > 10_000) state.events.splice(0, state.events.length - 10_000);
    sendBatch(events);
  });

  const { app, faults } = simulatorApp(logger, faultBody);
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/__sim/')) return undefined;
    const header = request.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    if (token && safeEqual(token, opts.accessToken)) return undefined;
    const message = token
      ? 'Authentication credentials not found or invalid: the access token is not valid for this portal.'
      : 'Authentication credentials not found. This API supports OAuth 2.0 authentication and private app access tokens.';
    return reply.code(401).send(new HubspotApiError(401, 'INVALID_AUTHENTICATION', message).body());
  });

  app.setErrorHandler((err, _request, reply) => {
    if (err instanceof HubspotApiError) return reply.code(err.status).send(err.body());
    if (err instanceof z.ZodError) {
      return reply.code(400).send(new HubspotApiError(400, 'VALIDATION_ERROR', err.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')).body());
    }
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) logger?.error({ err }, 'hubspot simulator error');
    const category = status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : status === 413 ? 'REQUEST_TOO_LARGE' : status < 500 ? 'VALIDATION_ERROR' : 'INTERNAL_ERROR';
    const message = status < 500 ? (err as Error).message : 'internal error';
    return reply.code(status < 400 ? 500 : status).send(new HubspotApiError(status, category, message).body());
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(new HubspotApiError(404, 'OBJECT_NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}`).body()));

  // ---- HubSpot CRM v3 contacts
  const base = '/crm/v3/objects/contacts';
  app.post(base, async (request, reply) => reply.code(201).send(view(state.create(request.body, 'INTEGRATION'), 'all')));
  app.get(`${base}/:id`, async (request) => {
    const { archived } = archivedQuery.parse(q(request.query));
    return view(state.find(idOf(request.params), archived), requestedProperties(q(request.query).properties) ?? DEFAULT_READ_PROPERTIES);
  });
  app.patch(`${base}/:id`, async (request) => view(state.update(idOf(request.params), request.body, 'INTEGRATION'), 'all'));
  app.delete(`${base}/:id`, async (request, reply) => {
    state.archive(idOf(request.params), 'INTEGRATION');
    return reply.code(204).send();
  });
  app.get(base, async (request) => {
    const query = listQuery.parse(q(request.query));
    const requested = requestedProperties(q(request.query).properties) ?? DEFAULT_READ_PROPERTIES;
    const live = [...state.contacts.values()]
      .filter((c) => c.archived === query.archived && (query.after === undefined || BigInt(c.id) >= BigInt(query.after)))
      .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    const page = live.slice(0, query.limit);
    const next = live[query.limit];
    const origin = `${request.protocol}://${request.host}`;
    return {
      results: page.map((c) => view(c, requested)),
      ...(next ? { paging: { next: { after: next.id, link: `${origin}${base}?after=${next.id}&limit=${query.limit}` } } } : {}),
    };
  });

  // ---- control API: no auth, no faults
  registerFaultRoutes(app, faults);
  app.post('/__sim/webhooks/config', async (request) => {
    const patch = webhookConfigSchema.parse(request.body ?? {});
    const { targetUrl, ...rest } = patch;
    return { config: webhooks.configure({ ...rest, ...(targetUrl !== undefined ? { targetUrl: targetUrl ?? undefined } : {}) }) };
  });
  app.post('/__sim/webhooks/redeliver', async (request, reply) => {
    const { count } = redeliverBody.parse(request.body ?? {});
    const events = state.events.slice(-count);
    if (!webhooks.config.targetUrl) return reply.code(409).send({ error: 'no webhook target configured' });
    sendBatch(events);
    return { eventIds: events.map((e) => e.eventId) };
  });
  app.get('/__sim/deliveries', async () => ({ deliveries: webhooks.deliveries() }));
  app.get('/__sim/events', async () => ({ events: state.events }));
  app.get('/__sim/contacts', async () => ({ contacts: [...state.contacts.values()] }));
  // A salesperson editing in HubSpot's UI: same effects as the API, but changeSource CRM_UI.
  app.post('/__sim/contacts', async (request, reply) => reply.code(201).send(view(state.create(request.body, 'CRM_UI'), 'all')));
  app.patch('/__sim/contacts/:id', async (request) => view(state.update(idOf(request.params), request.body, 'CRM_UI'), 'all'));
  app.post('/__sim/reset', async () => {
    state.reset();
    faults.clear();
    faults.resetCounts();
    webhooks.clearLog();
    webhooks.configure({ ...initialWebhookConfig });
    return { reset: true };
  });
  app.get('/__sim/health', async () => ({ status: 'ok', contacts: state.contacts.size, webhookTarget: webhooks.config.targetUrl ?? null }));

  return serveSimulator('hubspot-simulator', app, opts, webhooks, { webhooks, state, faults });
}
