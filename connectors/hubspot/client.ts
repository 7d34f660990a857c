import { JsonHttpClient } from '../http';
import { hubspotPageSchema, parseHubspotObject, parseWith, type HubspotObject, type HubspotPage } from './mapper';

/** HubSpot CRM v3 contacts over HTTP (real HubSpot or our simulator). Failures are VendorHttpError. */

export interface HubspotClientOptions {
  baseUrl: string;
  accessToken: string;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

/** '' clears a property in HubSpot; numbers and booleans are stored as text. */
export type HubspotPropertyValues = Record<string, string | number | boolean | null>;

const CONTACTS = '/crm/v3/objects/contacts';

/** Guards the path: a contact id is a number, never something that could reach another endpoint. */
function contactPath(id: string): string {
  if (!/^\d+$/.test(id)) throw new Error(`HubSpot contact id must be numeric, got "${id}"`);
  return `${CONTACTS}/${id}`;
}

export class HubspotClient {
  private readonly http: JsonHttpClient;

  constructor(opts: HubspotClientOptions) {
    this.http = new JsonHttpClient({
      vendor: 'hubspot',
      baseUrl: opts.baseUrl,
      headers: { authorization: `Bearer ${opts.accessToken}` },
      timeoutMs: opts.timeoutMs,
      fetchImpl: opts.fetchImpl,
    });
  }

  async getContact(id: string, properties: string[], signal?: AbortSignal): Promise<HubspotObject> {
    const raw = await this.http.get(contactPath(id), { query: { properties: properties.join(',') || undefined }, signal });
    return parseHubspotObject(raw);
  }

  async updateContact(id: string, properties: HubspotPropertyValues, signal?: AbortSignal): Promise<HubspotObject> {
    return parseHubspotObject(await this.http.patch(contactPath(id), { properties }, { signal }));
  }

  async createContact(properties: HubspotPropertyValues, signal?: AbortSignal): Promise<HubspotObject> {
    return parseHubspotObject(await this.http.post(CONTACTS, { properties }, { signal }));
  }

  /** One page; pass `paging.next.after` back as `after` for the next one (HubSpot allows up to 100 per page). */
  async listContacts(opts: { limit?: number; after?: string; properties?: string[]; signal?: AbortSignal } = {}): Promise<HubspotPage> {
    const raw = await this.http.get(CONTACTS, {
      query: { limit: opts.limit, after: opts.after, properties: opts.properties?.join(',') || undefined },
      signal: opts.signal,
    });
    return parseWith(hubspotPageSchema, raw);
  }
}
