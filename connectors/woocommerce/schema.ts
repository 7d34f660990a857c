import { z } from 'zod';

/**
 * The WooCommerce REST API v3 (`/wp-json/wc/v3/`) resources we read, as Woo sends them: ids are numbers, money is
 * a decimal string ("12.30"), and `*_gmt` dates are UTC without an offset ("2026-03-01T09:30:00"). Only the
 * fields we use are checked; the rest passes through. Shared by the connector and the simulator.
 */

export const WOO_ORDER_STATUSES = ['pending', 'processing', 'on-hold', 'completed', 'cancelled', 'refunded', 'failed', 'trash'] as const;
export type WooOrderStatus = (typeof WOO_ORDER_STATUSES)[number];

/** Order meta keys written by the WooCommerce Stripe gateway. */
export const STRIPE_INTENT_META = '_stripe_intent_id';
export const STRIPE_CAPTURED_META = '_stripe_charge_captured';
/** Our own order meta: the ERP references (`erp:SO-1001`), comma-separated. */
export const ERP_TAGS_META = 'erp_tags';

/** Exactness is checked by the mapper, which names the field; here it only has to be a string. */
const amount = z.string();
export const wooDate = z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/, 'must be a WooCommerce GMT date like 2026-03-01T09:30:00');
const text = z.string().nullable().optional();
const id = z.number().int().nonnegative();

export const wooMetaSchema = z.object({ id: id.optional(), key: z.string(), value: z.unknown() });

export const wooAddressSchema = z.object({
  first_name: text, last_name: text, company: text, address_1: text, address_2: text, city: text, state: text, postcode: text,
  country: text, email: text, phone: text,
});

export const wooLineItemSchema = z.object({
  id: id.positive(),
  name: z.string(),
  product_id: id,
  variation_id: id,
  quantity: z.number().int().positive(),
  /** Before discounts, excluding tax. */
  subtotal: amount,
  total: amount,
  sku: z.string().nullable().optional(),
});

export const wooOrderSchema = z.object({
  id: id.positive(),
  number: z.string().min(1),
  status: z.string().min(1),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code'),
  date_created_gmt: wooDate,
  date_modified_gmt: wooDate,
  date_paid_gmt: wooDate.nullable(),
  discount_total: amount,
  shipping_total: amount,
  total_tax: amount,
  total: amount,
  customer_id: id,
  billing: wooAddressSchema,
  shipping: wooAddressSchema,
  payment_method: z.string(),
  transaction_id: z.string(),
  meta_data: z.array(wooMetaSchema),
  line_items: z.array(wooLineItemSchema),
  fee_lines: z.array(z.object({ id: id, name: z.string(), total: amount })).default([]),
});
export type WooOrder = z.infer<typeof wooOrderSchema>;

/** A product or, when listed by SKU, a variation (`type: 'variation'`, with its product in `parent_id`). */
export const wooProductSchema = z.object({
  id: id.positive(),
  type: z.string(),
  parent_id: id,
  sku: z.string(),
  manage_stock: z.union([z.boolean(), z.literal('parent')]),
  stock_quantity: z.number().int().nullable(),
});
export type WooProduct = z.infer<typeof wooProductSchema>;

export const wooNoteSchema = z.object({ id: id.positive(), note: z.string(), customer_note: z.boolean() });
export type WooNote = z.infer<typeof wooNoteSchema>;

/** One item of a batch answer: the resource, or an error in Woo's usual `{ code, message, data: { status } }`. */
export const wooBatchItemSchema = z.object({
  id: id,
  error: z.object({ code: z.string(), message: z.string(), data: z.object({ status: z.number().int() }).partial().nullish() }).optional(),
}).passthrough();

/** The first value stored under the key, as Woo's `get_meta( $key, true )` reads it; null unless a string. */
export function metaValue(meta: readonly z.infer<typeof wooMetaSchema>[], key: string): string | null {
  const entry = meta.find((m) => m.key === key);
  return typeof entry?.value === 'string' ? entry.value : null;
}
