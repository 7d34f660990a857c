import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * What the relay keeps of one verified vendor event: its identity, topic and the business key it concerns.
 * Topics we do not handle are kept too, marked `ignored`: answering them with a 4xx would make the vendor redeliver
 * for days and may get the endpoint disabled. Only bodies we cannot read at all are refused. Each vendor's own
 * parsing lives in its connector (connectors/<vendor>/webhooks.ts); these are the shapes and helpers they share.
 */

export interface InboundEvent {
  /** The connection the webhook arrived for (integration.connection.id), e.g. `shopify` or `shop-eu`. */
  provider: string;
  eventId: string;
  topic: string;
  /** `<connection>:<entity>:<id>`, e.g. `shopify:order:123`; the dispatcher derives workflow ids from it. */
  businessKey: string;
  payload: unknown;
  /** A topic no flow subscribes to: stored as `ignored`, never dispatched. */
  ignored?: boolean;
  /**
   * The vendor's last-modified instant of the object as the event shows it (UTC, ISO 8601), where the event brings
   * that version's content to its flow: shop order updates and cancellations. The order catch-up hands over the
   * versions of known orders their flows were not brought.
   */
  version?: string;
}

export type ParseResult = { ok: true; events: InboundEvent[] } | { ok: false; reason: string };

/** Request headers by lower-case name, as received or as kept with a quarantined body. */
export type DeliveryHeaders = Record<string, string | undefined>;

export const businessKeyOf = (connection: string, entity: string, id: string | number) => `${connection}:${entity}:${id}`;

export const issuesText = (e: z.ZodError) => e.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');

export function parseJson(raw: Buffer): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(raw.toString('utf8')) };
  } catch {
    return { ok: false, reason: 'body is not valid JSON' };
  }
}

/**
 * A vendor's timestamp as a UTC instant ("2026-03-01T09:30:00-05:00" -> "2026-03-01T14:30:00.000Z"); undefined if
 * unreadable or without a zone (read as local time, it would shift with the server's).
 */
export function instantOf(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

export const digits = z.union([z.number().int().positive(), z.string().regex(/^\d+$/)]);

/** Re-roots an element's issues at its index in a batch, so the reason names the field as the batch has it. */
export function prefixed(error: z.ZodError, index: number): z.ZodError {
  return new z.ZodError(error.issues.map((i) => ({ ...i, path: [index, ...i.path] })));
}

/** The quarantine fingerprint of a body, with the headers that tell distinct deliveries of the same bytes apart. */
export function fingerprintOf(raw: Buffer, ...distinguishing: Array<string | undefined>): string {
  const hash = createHash('sha256');
  if (distinguishing.length > 0) hash.update(`${distinguishing.map((d) => d ?? '').join('\n')}\n`);
  return hash.update(raw).digest('hex');
}
