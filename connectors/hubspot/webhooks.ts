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

const DIGITS = /^\d+$/;
const isInt = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v);
const isDigits = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) || (typeof v === 'string' && DIGITS.test(v));
const isOptional = (v: unknown, check: (v: unknown) => boolean) => v === undefined || check(v);
const isString = (v: unknown) => typeof v === 'string';

/**
 * The schemas above, checked by hand for speed (the relay reads every delivery): true exactly when `hubspotBatch`
 * accepts the value and so does `hubspotContactEvent` for each event of a type we handle (unit-tested against
 * them). Only a batch this rejects goes through zod, to word the reason.
 */
export function isWellFormedBatch(value: unknown): boolean {
  if (!Array.isArray(value) || value.length < 1 || value.length > 100) return false;
  for (const e of value as unknown[]) {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) return false;
    const { eventId, subscriptionType, objectId } = e as Record<string, unknown>;
    if (!(isInt(eventId) || (typeof eventId === 'string' && DIGITS.test(eventId)))) return false;
    if (typeof subscriptionType !== 'string' || subscriptionType.length === 0) return false;
    if (!KINDS[subscriptionType]) {
      if (!isOptional(objectId, isDigits)) return false;
      continue;
    }
    const { portalId, occurredAt, propertyName, propertyValue } = e as Record<string, unknown>;
    if (!isDigits(objectId) || !isOptional(portalId, isInt) || !isOptional(occurredAt, isInt)) return false;
    if (!isOptional(propertyName, isString) || !isOptional(propertyValue, isString)) return false;
  }
  return true;
}

/** Why the schemas refuse `value` (the first problem, as the relay words it), or null when they accept it. */
export function batchProblem(value: unknown): string | null {
  const batch = hubspotBatch.safeParse(value);
  if (!batch.success) return `invalid HubSpot event batch: ${issuesText(batch.error)}`;
  for (const [index, e] of batch.data.entries()) {
    if (!KINDS[e.subscriptionType]) continue;
    const contact = hubspotContactEvent.safeParse(e);
    if (!contact.success) return `invalid HubSpot event batch: ${issuesText(prefixed(contact.error, index))}`;
  }
  return null;
}

type HubspotEvent = z.infer<typeof hubspotAnyEvent>;

/** A batch becomes one inbox event per HubSpot event; unknown subscription types are kept as ignored. */
export function parseHubspot(connection: string, raw: Buffer): ParseResult {
  const json = parseJson(raw);
  if (!json.ok) return json;
  const problem = isWellFormedBatch(json.value) ? null : batchProblem(json.value);
  if (problem) return { ok: false, reason: problem };
  const events: InboundEvent[] = [];
  for (const e of json.value as HubspotEvent[]) {
    const eventId = String(e.eventId);
    if (!KINDS[e.subscriptionType]) {
      const objectType = e.subscriptionType.split('.')[0]!;
      const businessKey = e.objectId === undefined ? businessKeyOf(connection, 'event', eventId) : businessKeyOf(connection, objectType, e.objectId);
      events.push({ provider: connection, eventId, topic: e.subscriptionType, businessKey, payload: e, ignored: true });
      continue;
    }
    events.push({ provider: connection, eventId, topic: e.subscriptionType, businessKey: businessKeyOf(connection, 'contact', e.objectId!), payload: e });
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
