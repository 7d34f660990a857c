/**
 * The Admin API version this connector is written against, and the facts from Shopify's changelog it relies on.
 *
 * Shopify releases a stable version each quarter (YYYY-01/04/07/10) and serves each for at least 12 months; an
 * unsupported version is refused with 404. 2025-07 left that window in July 2026. 2026-10 is stable since
 * October 1, 2026 and served until at least October 1, 2027.
 *
 * What changed between 2025-07 and 2026-10 for the calls we make (queries.ts):
 * - orderCancel: `refund: Boolean!` is deprecated since 2025-07 in favour of
 *   `refundMethod: { originalPaymentMethodsRefund }` (which also allows store credit). We send refundMethod.
 * - Customer.email and Customer.phone are deprecated (since 2025-04) in favour of `defaultEmailAddress { emailAddress }`
 *   and `defaultPhoneNumber { phoneNumber }`, but still served by 2026-10; we still read them (to migrate next).
 * - Order.displayFulfillmentStatus may be FULFILLMENT_NOT_REQUIRED from 2026-10 (e.g. an order cancelled before
 *   anything shipped; UNFULFILLED before). We only test for FULFILLED, so nothing else depends on it.
 * - orderUpdate recalculates taxes from 2026-10 when the shipping address of an unfulfilled order changes; we only
 *   set the note. tagsAdd, orderMarkAsPaid, fulfillmentCreate, orderCreate and productVariants are unchanged for
 *   the fields we use (orderCreate gained an optional `trackingNumbers` on its fulfillment input).
 * - Inventory (inventory-queries.ts): from 2026-04 inventorySetQuantities needs `changeFromQuantity` on every
 *   quantity (null opts out of the compare-and-swap; compareQuantity/ignoreCompareQuantity are gone; a stale one is
 *   CHANGE_FROM_QUANTITY_STALE and nothing of the call is applied) and an `@idempotent(key:)` directive, refused at
 *   run time when missing, as do inventoryAdjustQuantities and inventorySetOnHandQuantities; 2026-10 drops the
 *   ITEM_NOT_STOCKED_AT_LOCATION error (setting a quantity stocks the item there). We send that form.
 */
export const SHOPIFY_API_VERSION = '2026-10';

/** A stable quarter (`2026-10`) or `unstable`: what can appear in `/admin/api/{version}/graphql.json`. */
export const API_VERSION_FORMAT = /^(\d{4}-(01|04|07|10)|unstable)$/;
