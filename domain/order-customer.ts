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

// Pure comparisons the order workflow uses live in ./order-rules; re-exported for the other callers.
export { addressDiffers, linesDiffer, totalsProblem } from './order-rules';
