import { z } from 'zod';

/**
 * A shop order as the ERP flow sees it, whatever shop it came from: amounts already in minor units, times as
 * UTC ISO instants, and the payment reference the checkout recorded. Pure: safe in workflows.
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

export const shopPaymentSchema = z.object({
  gateway: z.literal('stripe'),
  /** The Stripe PaymentIntent id, recorded by Shopify as the transaction's authorizationCode. */
  paymentIntentId: z.string().regex(/^pi_/),
  /** AUTHORIZATION: still to be captured; SALE: captured at checkout. */
  kind: z.enum(['AUTHORIZATION', 'SALE']),
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
});

export type ShopOrder = z.infer<typeof shopOrderSchema>;
export type ShopOrderLine = z.infer<typeof shopOrderLineSchema>;
export type ShopPayment = z.infer<typeof shopPaymentSchema>;
