import { z } from 'zod';
import { businessKeyOf, digits, fingerprintOf, issuesText, parseJson, prefixed, type InboundEvent, type ParseResult } from '../../domain/webhooks/events';
import type { EventKind, WebhookSource } from '../../ports/webhooks';
import { verifyHubspotV3 } from './signature';

/** HubSpot webhooks: a JSON array of up to 100 events per request, signed with signature v3. */

const KINDS: Record<string, EventKind> = {
  'contact.creation': 'contact-changed',
  'contact.propertyChange': 'contact-changed',
  'contact.restore': 'contact-changed',
  'contact.deletion': 'contact-deleted',
};
export const HUBSPOT_TOPICS = Object.keys(KINDS);

/** What every HubSpot event has, whatever its subscription type (association events have no objectId). */
const hubspotAnyEvent = z.object({
  eventId: z.union([z.number().int(), z.string().regex(/^\d+$/)]),
  subscriptionType: z.string().min(1),
  objectId: digits.optional(),
}).passthrough();
const hubspotContactEvent = hubspotAnyEvent.extend({
  objectId: digits,
  portalId: z.number().int().optional(),
  occurredAt: z.number().int().optional(),
  propertyName: z.string().optional(),
  propertyValue: z.string().optional(),
});
const hubspotBatch = z.array(hubspotAnyEvent).min(1).max(100);

/** A batch becomes one inbox event per HubSpot event; unknown subscription types are kept as ignored. */
export function parseHubspot(connection: string, raw: Buffer): ParseResult {
  const json = parseJson(raw);
  if (!json.ok) return json;
  const batch = hubspotBatch.safeParse(json.value);
  if (!batch.success) return { ok: false, reason: `invalid HubSpot event batch: ${issuesText(batch.error)}` };
  const events: InboundEvent[] = [];
  for (const [index, e] of batch.data.entries()) {
    const original = (json.value as unknown[])[index];
    const eventId = String(e.eventId);
    if (!KINDS[e.subscriptionType]) {
      const objectType = e.subscriptionType.split('.')[0]!;
      const businessKey = e.objectId === undefined ? businessKeyOf(connection, 'event', eventId) : businessKeyOf(connection, objectType, e.objectId);
      events.push({ provider: connection, eventId, topic: e.subscriptionType, businessKey, payload: original, ignored: true });
      continue;
    }
    const contact = hubspotContactEvent.safeParse(e);
    if (!contact.success) return { ok: false, reason: `invalid HubSpot event batch: ${issuesText(prefixed(contact.error, index))}` };
    events.push({ provider: connection, eventId, topic: e.subscriptionType, businessKey: businessKeyOf(connection, 'contact', contact.data.objectId), payload: original });
  }
  return { ok: true, events };
}

export const hubspotWebhooks: WebhookSource = {
  vendor: 'hubspot',
  keepsHeader: (name) => name.startsWith('x-hubspot-'),
  verify: (req, secret) => verifyHubspotV3({
    secret, method: req.method, uri: req.uri, rawBody: req.rawBody,
    signature: req.headers['x-hubspot-signature-v3'], timestamp: req.headers['x-hubspot-request-timestamp'], nowMs: req.nowMs,
  }),
  parse: (connection, raw) => parseHubspot(connection, raw),
  fingerprint: (raw) => fingerprintOf(raw),
  kindOf: (topic) => KINDS[topic] ?? null,
};
