import type { OrderPolicy } from '../order/api';

/**
 * The scheduled catch-up of order changes no webhook announced: ids, steps, input and result, defined once for the
 * workflow, the worker's schedule and our tools.
 */

export const ORDER_CATCHUP_WORKFLOW = 'orderCatchup';

/** One schedule per shop connection. */
export const orderCatchupScheduleId = (shop: string) => `order-catchup-${shop}`;
export const orderCatchupBusinessKey = (shop: string) => `${shop}:order-catchup`;
/** The sync cursor's stream (integration.sync_cursor, keyed by connection and stream). */
export const ORDER_CATCHUP_STREAM = 'orders-catchup';

export const ORDER_CATCHUP_STEPS = {
  planWindow: 'plan-window',
  handOver: 'hand-over-orders',
  saveCursor: 'save-cursor',
} as const;

export interface OrderCatchupPolicy {
  /** Each listing starts this long before the previous one began: an order created or re-timed around the boundary is never skipped. */
  overlapSeconds: number;
  /** Without a cursor (first run) orders changed this long ago are looked at. */
  firstLookbackSeconds: number;
}

export const DEFAULT_ORDER_CATCHUP_POLICY: OrderCatchupPolicy = { overlapSeconds: 15 * 60, firstLookbackSeconds: 24 * 3600 };

export interface OrderCatchupInput {
  /** The shop connection to catch up. */
  shop: string;
  policy: OrderCatchupPolicy;
  /** How order flows this run starts behave (the relay's order policy). */
  orderPolicy: OrderPolicy;
}

/** What one run looked at: orders changed in [since, until) (until: when the listing began, the next cursor). */
export interface CatchupWindow { since: string; until: string }

/**
 * The topics of the inbox events the catch-up writes for a change of a known order that no webhook announced: the
 * dispatcher hands them to the order flow as it would the shop's own update or cancellation.
 */
export const UNANNOUNCED_ORDER_TOPICS = { changed: 'catchup.order_changed', cancelled: 'catchup.order_cancelled' } as const;

/** The same, as a list: the catch-up's inbox events are no vendor's webhooks, and counts keep them apart. */
export const CATCHUP_TOPICS: readonly string[] = Object.values(UNANNOUNCED_ORDER_TOPICS);

/**
 * What one page (or the whole run) found: orders the ERP lacked and handed to a new flow (`handedOver`); orders it
 * knows with a change no webhook announced, put in the inbox for their flow (`reannounced`); orders it knows whose
 * latest change was announced (`known`); cancelled orders it never knew (`skipped`).
 */
export interface CatchupCounts { listed: number; handedOver: string[]; reannounced: string[]; known: number; skipped: number }
export interface CatchupPage extends CatchupCounts { nextCursor: string | null }

export type OrderCatchupOutcome =
  | ({ status: 'caught-up'; window: CatchupWindow } & CatchupCounts)
  | { status: 'compensated'; reason: string; undone: string[] };
