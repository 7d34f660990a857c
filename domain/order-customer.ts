import { toLeadCandidate, type LeadValidation } from './lead';
import type { ShopOrder } from './order';

/** The shop's buyer as a lead candidate, so orders reuse the lead flow's normalisation and matching. */
export function orderCustomerCandidate(order: ShopOrder, defaultPhoneCountry: string): LeadValidation {
  const email = order.customer?.email ?? order.email;
  const name = buyerName(order);
  const validation = toLeadCandidate(
    {
      id: order.customer?.id ?? `order-${order.id}`,
      email,
      firstName: 'emailLocalPart' in name ? name.emailLocalPart : name.firstName,
      lastName: 'emailLocalPart' in name ? null : name.lastName,
      phone: order.customer?.phone ?? order.shippingAddress?.phone ?? null,
      company: null,
      country: order.shippingAddress?.countryCode ?? null,
      lifecycleStage: 'customer',
      erpCustomerNumber: null,
      updatedAt: order.createdAt,
    },
    { defaultPhoneCountry },
  );
  if (!validation.ok || !('emailLocalPart' in name)) return validation;
  // The local part only labels the customer: it is no person's name, so it is neither stored nor matched as one.
  return { ok: true, lead: { ...validation.lead, displayName: name.emailLocalPart, firstName: null, lastName: null, nameKey: null } };
}

export type BuyerName = { firstName: string | null; lastName: string | null } | { emailLocalPart: string };

/**
 * Who the buyer is called: the shop customer's own name, else the name on the shipping address (guest checkouts),
 * else the email's local part (POS and express checkouts that record only an email). Both empty when none exists.
 */
export function buyerName(order: ShopOrder): BuyerName {
  const first = blankToNull(order.customer?.firstName);
  const last = blankToNull(order.customer?.lastName);
  if (first || last) return { firstName: first, lastName: last };
  const [addressFirst, ...addressRest] = (order.shippingAddress?.name ?? '').trim().split(/\s+/);
  if (addressFirst) return { firstName: addressFirst, lastName: blankToNull(addressRest.join(' ')) };
  const localPart = blankToNull((order.customer?.email ?? order.email ?? '').trim().toLowerCase().split('@')[0]);
  return localPart ? { emailLocalPart: localPart } : { firstName: null, lastName: null };
}

const blankToNull = (value: string | null | undefined): string | null => (value?.trim() ? value.trim() : null);

/** Line changes that matter to the ERP: SKU, quantity or price, in order. */
export function linesDiffer(a: ShopOrder, b: ShopOrder): boolean {
  const key = (o: ShopOrder) => JSON.stringify(o.lines.map((l) => [l.sku, l.quantity, l.unitPriceMinor]));
  return key(a) !== key(b) || a.totalMinor !== b.totalMinor;
}

export function addressDiffers(a: ShopOrder, b: ShopOrder): boolean {
  return JSON.stringify(a.shippingAddress) !== JSON.stringify(b.shippingAddress);
}

/** Order totals must add up exactly; a 1-cent difference is a data problem to show, not to round away. */
export function totalsProblem(order: ShopOrder): string | null {
  const gross = order.lines.reduce((sum, l) => sum + l.quantity * l.unitPriceMinor, 0);
  const expected = gross - order.discountMinor + order.taxMinor + order.shippingMinor;
  return expected === order.totalMinor ? null
    : `order total ${order.totalMinor} ≠ lines ${gross} − discount ${order.discountMinor} + tax ${order.taxMinor} + shipping ${order.shippingMinor} = ${expected} (minor units)`;
}
