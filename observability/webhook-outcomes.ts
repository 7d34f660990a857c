import type { WebhookOutcome } from './metrics';

/**
 * How many events of one stored delivery count as each outcome. The inbox insert says only how many events were
 * new, not which: a delivery is all new, all redelivered, or (rarely, a batch with some events seen before) mixed,
 * where the new ones are taken to be the ignored ones first, so `ignored` is never overstated beyond what was stored.
 */
export function storedDeliveryOutcomes(delivery: { events: number; ignored: number; stored: number }): Partial<Record<WebhookOutcome, number>> {
  const { events, stored } = delivery;
  const ignored = Math.min(delivery.ignored, stored);
  const counts: Partial<Record<WebhookOutcome, number>> = {};
  if (stored - ignored > 0) counts.accepted = stored - ignored;
  if (ignored > 0) counts.ignored = ignored;
  if (events - stored > 0) counts.duplicate = events - stored;
  return counts;
}
