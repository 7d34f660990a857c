import { Client } from '@hubspot/api-client';
import { hubspotPageSchema, parseHubspotObject, parseWith, type HubspotObject, type HubspotPage } from './mapper';
import { callThroughSdk, type SdkCallContext, type SdkCallOptions } from './sdk-call';

/**
 * HubSpot CRM v3 contacts through the official SDK (real HubSpot or our simulator). Failures are VendorHttpError
 * (see sdk-call.ts); answers are validated by our own schemas, so callers see the same shapes as before.
 */

export interface HubspotClientOptions {
  baseUrl: string;
  accessToken: string;
  timeoutMs?: number;
}

/** '' clears a property in HubSpot; numbers and booleans are stored as text. */
export type HubspotPropertyValues = Record<string, string | number | boolean | null>;

const CONTACTS = '/crm/v3/objects/contacts';

/** Guards the path: a contact id is a number, never something that could reach another endpoint. */
function contactPath(id: string): string {
  if (!/^\d+$/.test(id)) throw new Error(`HubSpot contact id must be numeric, got "${id}"`);
  return `${CONTACTS}/${id}`;
}

/** The SDK's property map holds strings only; null becomes '', which HubSpot reads as "clear". */
const asSdkProperties = (properties: HubspotPropertyValues): Record<string, string> =>
  Object.fromEntries(Object.entries(properties).map(([name, v]) => [name, v === null ? '' : String(v)]));

interface SdkObject { id: string; properties: Record<string, string | null>; createdAt: Date; updatedAt: Date; archived?: boolean }
interface SdkPage { results: SdkObject[]; paging?: { next?: { after: string; link?: string } } }

/** The SDK turns timestamps into Dates; our schema (and the wire) use ISO text. An unusable date stays as it came. */
const isoText = (date: unknown) => (date instanceof Date && !Number.isNaN(date.getTime()) ? date.toISOString() : date);
const wireObject = (o: SdkObject) => ({ id: o.id, properties: o.properties, createdAt: isoText(o.createdAt), updatedAt: isoText(o.updatedAt), archived: o.archived });

export class HubspotClient {
  private readonly contacts: ReturnType<typeof contactsApi>;

  constructor(private readonly opts: HubspotClientOptions) {
    this.contacts = contactsApi(opts);
  }

  async getContact(id: string, properties: string[], signal?: AbortSignal): Promise<HubspotObject> {
    const path = contactPath(id);
    const raw = await this.call('GET', path, signal, (o) =>
      this.contacts.getById(id, properties.length > 0 ? properties : undefined, undefined, undefined, false, undefined, o));
    return parseHubspotObject(wireObject(raw));
  }

  async updateContact(id: string, properties: HubspotPropertyValues, signal?: AbortSignal): Promise<HubspotObject> {
    const path = contactPath(id);
    const raw = await this.call('PATCH', path, signal, (o) => this.contacts.update(id, { properties: asSdkProperties(properties) }, undefined, o));
    return parseHubspotObject(wireObject(raw));
  }

  async createContact(properties: HubspotPropertyValues, signal?: AbortSignal): Promise<HubspotObject> {
    const raw = await this.call('POST', CONTACTS, signal, (o) => this.contacts.create({ properties: asSdkProperties(properties) }, o));
    return parseHubspotObject(wireObject(raw));
  }

  /** One page; pass `paging.next.after` back as `after` for the next one (HubSpot allows up to 100 per page). */
  async listContacts(opts: { limit?: number; after?: string; properties?: string[]; signal?: AbortSignal } = {}): Promise<HubspotPage> {
    const properties = opts.properties?.length ? opts.properties : undefined;
    const raw: SdkPage = await this.call('GET', CONTACTS, opts.signal, (o) =>
      this.contacts.getPage(opts.limit, opts.after, properties, undefined, undefined, false, o));
    return parseWith(hubspotPageSchema, { ...raw, results: raw.results.map(wireObject) });
  }

  private call<T>(method: string, path: string, signal: AbortSignal | undefined, send: (options: SdkCallOptions) => Promise<T>): Promise<T> {
    const ctx: SdkCallContext = { vendor: 'hubspot', method, path, baseUrl: this.opts.baseUrl, timeoutMs: this.opts.timeoutMs, signal };
    return callThroughSdk(ctx, send);
  }
}

/**
 * The SDK's contacts API with its own retry loop and rate limiter off: Temporal retries, and a 429 must reach
 * the activity with its Retry-After instead of being waited out inside the SDK. The SDK keeps its decorators
 * (retry, bottleneck limiter) in a process-wide singleton that each `new Client` overwrites and each API picks
 * up when first built, so the API is built right here, under this client's empty set. (Its retry loop would not
 * fire anyway: it only retries its own ApiException, which sdk-call.ts never lets through.)
 */
function contactsApi(opts: HubspotClientOptions) {
  const client = new Client({ accessToken: opts.accessToken, basePath: opts.baseUrl.replace(/\/+$/, ''), numberOfApiCallRetries: 0 });
  return client.crm.contacts.basicApi;
}
