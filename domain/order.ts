import { z } from 'zod';

/**
 * A shop order as the ERP flow sees it, whatever shop it came from: amounts already in minor units, times as
 * UTC ISO instants, and the payment reference the checkout recorded. The schemas validate at the boundaries
 * (connectors, activities); workflow code imports only types from here.
 */

const minor = z.number().int().nonnegative();

export const shopOrderLineSchema = z.object({
  lineId: z.string().min(1),
  sku: z.string().min(1).nullable(),
  title: z.string(),
  quantity: z.number().int().positive(),
  unitPriceMinor: minor,
});

export const shopAddressSchema = z.object({
  name: z.string().nullable(),
  address1: z.string().nullable(),
  address2: z.string().nullable(),
  city: z.string().nullable(),
  zip: z.string().nullable(),
  province: z.string().nullable(),
  countryCode: z.string().nullable(),
  phone: z.string().nullable(),
});

/**
 * The payment the checkout made for the order, at the payment provider: its id there (for Stripe, the PaymentIntent),
 * and whether the money is only held (`authorised`, to be captured by the flow) or already taken (`captured`).
 */
export const shopPaymentSchema = z.object({
  /** The payment provider the shop's gateway used, e.g. `stripe`. */
  gateway: z.string().min(1),
  paymentId: z.string().min(1),
  kind: z.enum(['authorised', 'captured']),
  amountMinor: minor,
});

export const shopOrderSchema = z.object({
  id: z.string().regex(/^\d+$/),
  gid: z.string(),
  name: z.string(),
  createdAt: z.string().datetime({ offset: true }),
  cancelledAt: z.string().nullable(),
  email: z.string().nullable(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  subtotalMinor: minor,
  taxMinor: minor,
  shippingMinor: minor,
  discountMinor: minor,
  totalMinor: minor,
  financialStatus: z.string(),
  customer: z.object({
    id: z.string().nullable(),
    email: z.string().nullable(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    phone: z.string().nullable(),
  }).nullable(),
  shippingAddress: shopAddressSchema.nullable(),
  lines: z.array(shopOrderLineSchema).min(1),
  payment: shopPaymentSchema.nullable(),
  tags: z.array(z.string()),
  /** The shop's last change of the order as read (UTC instant): which version of the order this is. */
  version: z.string().datetime({ offset: true }).optional(),
  /** The shop connection the order came from (set by the engine when it reads the order). */
  shop: z.string().optional(),
});

export type ShopOrder = z.infer<typeof shopOrderSchema>;
export type ShopOrderLine = z.infer<typeof shopOrderLineSchema>;
export type ShopPayment = z.infer<typeof shopPaymentSchema>;

// The pure rules workflows use live in ./order-rules (no zod there: see its header); re-exported for the other callers.
export { orderPayment, shopOf } from './order-rules';
