import { toLeadCandidate, type LeadValidation } from './lead';
import type { ShopOrder } from './order';

/** The shop's buyer as a lead candidate, so orders reuse the lead flow's normalisation and matching. */
export function orderCustomerCandidate(order: ShopOrder, defaultPhoneCountry: string): LeadValidation {
  const address = order.shippingAddress;
  const [first, ...rest] = (address?.name ?? '').trim().split(/\s+/);
  return toLeadCandidate(
    {
      id: order.customer?.id ?? `order-${order.id}`,
      email: order.customer?.email ?? order.email,
      firstName: order.customer?.firstName ?? (first || null),
      lastName: order.customer?.lastName ?? (rest.join(' ') || null),
      phone: order.customer?.phone ?? address?.phone ?? null,
      company: null,
      country: address?.countryCode ?? null,
      lifecycleStage: 'customer',
      erpCustomerNumber: null,
      updatedAt: order.createdAt,
    },
    { defaultPhoneCountry },
  );
}

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
