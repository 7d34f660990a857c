import type { ShopOrderSummary } from '../ports/shop';

/**
 * What the order catch-up does with one order the shop listed as changed in its window. Pure: the bindings and the
 * announced versions are read by the caller.
 *
 * A version is "announced" when its flow was brought that version, or a newer one: by its own read of the order
 * (the version the sales order was made from), by an event of the order that the flow applies whole (an update, a
 * cancellation), or by the shop's answer to our own write of the ERP number, when that answer showed the content
 * the flow holds. Not by a creation (a flow under way only notes it), a payment
 * (once the lines are frozen the flow takes only the payment from it), or the announcement of our write (never
 * handed over): a change hidden behind one of those would stay lost.
 * Shops give versions to the second: a change in the same second as an announced one, whose own webhook is lost,
 * counts as announced. Our write of the ERP number makes that most likely for an edit in the second after it.
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
