import type { ShopOrderSummary } from '../ports/shop';

/**
 * What the order catch-up does with one order the shop listed as changed in its window. Pure: the bindings and the
 * announced versions are read by the caller.
 *
 * A change is "announced" when a webhook of the order showed a version at least as new as the listed one (any
 * order topic: a creation, a payment, the echo of our own write). Shops give versions to the second, so a change in
 * the same second as an announced one, whose own webhook is lost, counts as announced: a gap of one second, where
 * before every lost edit of a known order stayed lost.
 */
export type CatchupAction =
  /** The ERP does not know the order: its flow is started (or signalled) as the creation webhook would. */
  | 'start-flow'
  /** Cancelled before the ERP knew it: there is nothing to undo. */
  | 'skip-cancelled'
  /** The ERP knows it and a webhook announced this version: nothing to do. */
  | 'announced'
  /** The ERP knows it, this version was never announced: the change goes to its flow as the shop's update would. */
  | 'reannounce-change'
  /** The same, and the order is cancelled in the shop: as the shop's cancellation would. */
  | 'reannounce-cancellation';

export function catchupAction(order: ShopOrderSummary, bound: boolean, announced: Date | undefined): CatchupAction {
  if (!bound) return order.cancelled ? 'skip-cancelled' : 'start-flow';
  if (announced && announced.getTime() >= Date.parse(order.updatedAt)) return 'announced';
  return order.cancelled ? 'reannounce-cancellation' : 'reannounce-change';
}
