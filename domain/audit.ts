/**
 * The synchronisation audit's rules: given one record as a vendor shows it and as the ERP (the reference) holds it,
 * do they agree, and if not, what differs and how the engine may heal it by itself. Pure: no I/O, unit-tested.
 * The pairing of vendor and ERP records is set-based SQL (erp/audit/pairs.ts); only the verdict is decided here.
 */

export const AUDIT_ENTITIES = ['customers', 'orders', 'payments', 'stock'] as const;
export type AuditEntity = (typeof AUDIT_ENTITIES)[number];

/** What the engine may do about a difference without a person: start or wake the flow that owns the record, or push the ERP's stock again. */
export type HealAction = 'start-order-flow' | 'start-payment-flow' | 'restart-lead-flow' | 'repush-stock';

export type DiscrepancyKind =
  /** customers */
  | 'binding-missing-in-erp' | 'erp-number-differs' | 'customer-missing-in-erp' | 'contact-missing-in-crm'
  /** orders, payments, stock */
  | 'missing-in-erp' | 'missing-in-shop' | 'total-differs' | 'status-differs'
  | 'missing-at-provider' | 'amount-differs'
  | 'quantity-differs' | 'sku-missing-in-shop' | 'sku-missing-in-erp';

export interface Discrepancy {
  entity: AuditEntity;
  /** The connection the vendor side came from. */
  connection: string;
  /** The record's business key, e.g. `shopify:order:1042`. */
  subject: string;
  kind: DiscrepancyKind;
  erp: unknown;
  vendor: unknown;
  heal: HealAction | null;
}

/** A pair's verdict: compared or not (out of scope), and what differs (nothing: it matches). */
export type Verdict = { compared: false } | { compared: true; discrepancies: Discrepancy[] };

const outOfScope: Verdict = { compared: false };
const verdict = (discrepancies: Discrepancy[]): Verdict => ({ compared: true, discrepancies });

// ---- customers: CRM contacts against the ERP's contact bindings

export interface CrmSide { erpCustomerNumber: string | null; qualified: boolean; updatedAt: string }
export interface CustomerErpSide { customerNumber: string }
export interface CustomerPair { crm: string; contactId: string; contact: CrmSide | null; erp: CustomerErpSide | null }

/**
 * A contact the ERP knows (bound) must carry the bound customer's number in the CRM; a contact that carries a
 * number or qualifies must be bound. The lead flow heals both (it binds and writes the number back), but only runs
 * its course for a qualified contact; a contact gone from the CRM is for a person.
 */
export function compareCustomer(p: CustomerPair): Verdict {
  const base = { entity: 'customers' as const, connection: p.crm, subject: `${p.crm}:contact:${p.contactId}` };
  const heal = p.contact?.qualified ? 'restart-lead-flow' as const : null;
  if (!p.contact) {
    return p.erp ? verdict([{ ...base, kind: 'contact-missing-in-crm', erp: p.erp, vendor: null, heal: null }]) : outOfScope;
  }
  if (!p.erp) {
    if (p.contact.erpCustomerNumber) return verdict([{ ...base, kind: 'binding-missing-in-erp', erp: null, vendor: p.contact, heal }]);
    if (p.contact.qualified) return verdict([{ ...base, kind: 'customer-missing-in-erp', erp: null, vendor: p.contact, heal }]);
    return outOfScope;
  }
  if (p.contact.erpCustomerNumber !== p.erp.customerNumber) return verdict([{ ...base, kind: 'erp-number-differs', erp: p.erp, vendor: p.contact, heal }]);
  return verdict([]);
}

// ---- orders: shop orders against ERP sales orders bound to them

export interface ShopOrderSide { name: string; totalMinor: number; currency: string; cancelled: boolean }
export interface OrderErpSide { orderNumber: string; totalMinor: number; currency: string; status: string }
/** `shopOrder` null: the shop answered that the order does not exist. */
export interface OrderPair { shop: string; shopOrderId: string; shopOrder: ShopOrderSide | null; erp: OrderErpSide | null }

/**
 * A live shop order must have its ERP order (the order flow makes it: healed by starting that flow under its
 * business-key id), with the same total and currency, and both cancelled or neither. Totals and statuses that
 * differ are for a person: which side is right is a business question. A cancelled order the ERP never had is at peace.
 */
export function compareOrder(p: OrderPair): Verdict {
  const base = { entity: 'orders' as const, connection: p.shop, subject: `${p.shop}:order:${p.shopOrderId}` };
  if (!p.shopOrder) return p.erp ? verdict([{ ...base, kind: 'missing-in-shop', erp: p.erp, vendor: null, heal: null }]) : outOfScope;
  if (!p.erp) {
    return p.shopOrder.cancelled ? outOfScope : verdict([{ ...base, kind: 'missing-in-erp', erp: null, vendor: p.shopOrder, heal: 'start-order-flow' }]);
  }
  const found: Discrepancy[] = [];
  if (p.shopOrder.totalMinor !== p.erp.totalMinor || p.shopOrder.currency !== p.erp.currency) {
    found.push({ ...base, kind: 'total-differs', erp: p.erp, vendor: p.shopOrder, heal: null });
  }
  if (p.shopOrder.cancelled !== (p.erp.status === 'cancelled')) found.push({ ...base, kind: 'status-differs', erp: p.erp, vendor: p.shopOrder, heal: null });
  return verdict(found);
}

// ---- payments: the provider's captured payments against the ERP's

export interface ProviderPaymentSide { amountMinor: number; currency: string; status: string }
export interface PaymentErpSide { amountMinor: number; currency: string; status: string }
/** `provider` null: the provider answered that the payment does not exist. */
export interface PaymentPair { payments: string; paymentId: string; provider: ProviderPaymentSide | null; erp: PaymentErpSide | null }

/** Which ERP payment statuses a provider status agrees with (a refund keeps the captured payment captured at the provider). */
const AGREEING_STATUSES: Record<string, readonly string[]> = {
  captured: ['captured', 'refunded'], authorised: ['authorized'], cancelled: ['cancelled'], failed: ['failed'],
};

/**
 * Money the provider took must be booked once in the ERP with the same amount and currency; a missing booking is
 * healed by the payment flow (as the reconciliation does). Amounts and statuses that differ are for a person.
 */
export function comparePayment(p: PaymentPair): Verdict {
  const base = { entity: 'payments' as const, connection: p.payments, subject: `${p.payments}:payment:${p.paymentId}` };
  if (!p.provider) return p.erp ? verdict([{ ...base, kind: 'missing-at-provider', erp: p.erp, vendor: null, heal: null }]) : outOfScope;
  if (!p.erp) {
    return p.provider.status === 'captured' ? verdict([{ ...base, kind: 'missing-in-erp', erp: null, vendor: p.provider, heal: 'start-payment-flow' }]) : outOfScope;
  }
  const found: Discrepancy[] = [];
  if (p.provider.amountMinor !== p.erp.amountMinor || p.provider.currency !== p.erp.currency) {
    found.push({ ...base, kind: 'amount-differs', erp: p.erp, vendor: p.provider, heal: null });
  }
  if (!(AGREEING_STATUSES[p.provider.status] ?? []).includes(p.erp.status)) found.push({ ...base, kind: 'status-differs', erp: p.erp, vendor: p.provider, heal: null });
  return verdict(found);
}

// ---- stock: what the ERP may sell against what the shop offers

export interface StockErpSide { sellable: number; sync: boolean }
/** `location`: the shop location the quantity was read at (null with the quantity when the shop does not list the SKU). */
export interface StockPair { shop: string; sku: string; shopQuantity: number | null; location: string | null; erp: StockErpSide | null }

/**
 * A synced SKU must be offered in the shop at exactly what the ERP may sell (on hand − reserved − safety stock);
 * a different quantity is healed by pushing the ERP's value again. SKUs marked "no sync" are the shop's own business.
 * A SKU only one side knows cannot be healed by a push: a person maps or lists it.
 */
export function compareStock(p: StockPair): Verdict {
  const base = { entity: 'stock' as const, connection: p.shop, subject: `${p.shop}:stock:${p.sku}` };
  if (p.erp && !p.erp.sync) return outOfScope;
  if (p.shopQuantity === null) return p.erp ? verdict([{ ...base, kind: 'sku-missing-in-shop', erp: p.erp, vendor: null, heal: null }]) : outOfScope;
  const vendor = { available: p.shopQuantity, location: p.location };
  if (!p.erp) return verdict([{ ...base, kind: 'sku-missing-in-erp', erp: null, vendor, heal: null }]);
  if (p.shopQuantity !== p.erp.sellable) {
    return verdict([{ ...base, kind: 'quantity-differs', erp: p.erp, vendor, heal: 'repush-stock' }]);
  }
  return verdict([]);
}

// ---- the KPI

export interface Tally { compared: number; matching: number }
export type EntityTallies = Record<AuditEntity, Tally>;

/** matching / compared; 1 when nothing was compared (nothing disagrees). */
export const accuracyOf = (t: Tally): number => (t.compared === 0 ? 1 : t.matching / t.compared);

export const emptyTallies = (): EntityTallies => ({
  customers: { compared: 0, matching: 0 }, orders: { compared: 0, matching: 0 }, payments: { compared: 0, matching: 0 }, stock: { compared: 0, matching: 0 },
});

/** Adds one verdict to its entity's tally; a record with several differences counts once as not matching. */
export function tally(tallies: EntityTallies, entity: AuditEntity, v: Verdict): void {
  if (!v.compared) return;
  tallies[entity].compared++;
  if (v.discrepancies.length === 0) tallies[entity].matching++;
}

export function overall(tallies: EntityTallies): Tally {
  return AUDIT_ENTITIES.reduce((sum, e) => ({ compared: sum.compared + tallies[e].compared, matching: sum.matching + tallies[e].matching }), { compared: 0, matching: 0 });
}

/** Compares every pair of one entity: the tallies and the differences found. */
export function audit<P>(entity: AuditEntity, pairs: readonly P[], compare: (p: P) => Verdict, tallies: EntityTallies): Discrepancy[] {
  const found: Discrepancy[] = [];
  for (const pair of pairs) {
    const v = compare(pair);
    tally(tallies, entity, v);
    if (v.compared) found.push(...v.discrepancies);
  }
  return found;
}
