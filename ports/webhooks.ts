import type { Verdict } from '../domain/webhooks/signatures';
import type { DeliveryHeaders, ParseResult } from '../domain/webhooks/events';

/**
 * What the relay needs from a vendor's webhooks, whatever the vendor: check the signature on the raw bytes, turn
 * a delivery into inbox events for one connection, and say what a stored event means to the engine.
 */

/** What an event means to the engine, in its own words; the routes pick the flow from it and the connection's role. */
export type EventKind =
  | 'order-created' | 'order-updated' | 'order-paid' | 'order-cancelled'
  | 'contact-changed' | 'contact-deleted'
  | 'payment-changed' | 'refund-changed' | 'dispute-changed' | 'payout-changed';

export interface WebhookRequest {
  rawBody: Buffer;
  headers: DeliveryHeaders;
  method: string;
  /** The full URI the vendor called (some vendors sign it). */
  uri: string;
  nowMs: number;
}

export interface WebhookSource {
  vendor: string;
  /** The request headers worth keeping with an event (never cookies or authorization). */
  keepsHeader(name: string): boolean;
  verify(request: WebhookRequest, secret: string): Verdict;
  /** A vendor's unsigned "is this URL alive" call, answered 2xx without storing anything. */
  isPing?(request: WebhookRequest): boolean;
  /** The delivery as inbox events of `connection`; topics no flow takes come back marked `ignored`. */
  parse(connection: string, rawBody: Buffer, headers: DeliveryHeaders): ParseResult;
  /** Identifies one distinct delivery for quarantine: redeliveries share it, distinct webhooks do not. */
  fingerprint(rawBody: Buffer, headers: DeliveryHeaders): string;
  /** What a stored event means; null for a topic no flow takes. */
  kindOf(topic: string, payload: unknown): EventKind | null;
  /**
   * The marks our own writes left on the order that an order update shows (`erpReference` tags), so the relay can
   * tell the announcement of our write from other edits (engine/write-echo.ts). Shops only.
   */
  echoMarks?(topic: string, payload: unknown): readonly string[];
  /**
   * The payment a payments event is about (a charge's, refund's or dispute's payment), when it is not the event's
   * own object; null when the event names none. Only payment providers implement it.
   */
  subjectOf?(topic: string, payload: unknown): string | null;
}
