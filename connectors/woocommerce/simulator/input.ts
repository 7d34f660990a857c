import { z } from 'zod';
import { WOO_ORDER_STATUSES } from '../schema';

/** What the WooCommerce simulator accepts: its REST subset's bodies and the control API's seeding input. */

const decimalString = z.string().regex(/^\d+(\.\d+)?$/, 'must be a decimal string like "12.30"');
const decimal = z.union([decimalString, z.number().nonnegative()]).transform(String);
const meta = z.object({ id: z.number().int().optional(), key: z.string().min(1), value: z.unknown() });

const addressInput = z.object({
  first_name: z.string(), last_name: z.string(), company: z.string(), address_1: z.string(), address_2: z.string(), city: z.string(),
  state: z.string(), postcode: z.string(), country: z.string(), email: z.string(), phone: z.string(),
}).partial().strict();
export type AddressInput = z.infer<typeof addressInput>;

/** POST /__sim/orders: an order as a checkout would leave it; prices default to the product's. */
export const orderInputSchema = z.object({
  status: z.enum(WOO_ORDER_STATUSES).optional(),
  currency: z.string().regex(/^[A-Z]{3}$/).optional(),
  customer_id: z.number().int().min(0).default(0),
  billing: addressInput.default({}),
  shipping: addressInput.default({}),
  line_items: z.array(z.object({
    sku: z.string().min(1).optional(),
    name: z.string().min(1).optional(),
    quantity: z.number().int().positive(),
    price: decimal.optional(),
  }).strict()).min(1),
  shipping_total: decimal.default('0'),
  total_tax: decimal.default('0'),
  discount_total: decimal.default('0'),
  payment_method: z.string().default(''),
  payment_method_title: z.string().default(''),
  transaction_id: z.string().default(''),
  set_paid: z.boolean().default(false),
  /** Paid through the WooCommerce Stripe gateway: captured at checkout, or only authorised (the order waits on hold). */
  stripe: z.object({
    intent_id: z.string().regex(/^pi_/),
    charge_id: z.string().regex(/^(ch|py)_/).optional(),
    captured: z.boolean(),
  }).strict().optional(),
  meta_data: z.array(meta).default([]),
}).strict();
export type OrderInput = z.infer<typeof orderInputSchema>;

/** POST /__sim/products: a simple product, or a variable one with its variations. */
const stockFields = { sku: z.string().min(1), price: decimal, stock_quantity: z.number().int().nullable().default(null) };
export const productInputSchema = z.object({
  name: z.string().min(1).optional(),
  ...stockFields,
  variations: z.array(z.object({ name: z.string().min(1).optional(), ...stockFields }).strict()).optional(),
}).strict();
export type ProductInput = z.infer<typeof productInputSchema>;

/** PUT /orders/{id}: the fields the simulator applies (others are ignored, as Woo ignores unknown ones). */
export const orderUpdateSchema = z.object({
  status: z.enum(WOO_ORDER_STATUSES).optional(),
  /** Given fields replace the address's; the others stay, as Woo merges them. */
  billing: addressInput.optional(),
  shipping: addressInput.optional(),
  customer_note: z.string().optional(),
  transaction_id: z.string().optional(),
  meta_data: z.array(meta).optional(),
});
export type OrderUpdate = z.infer<typeof orderUpdateSchema>;

/** POST /__sim/next-order-id: the id the next order gets (tests make it equal another shop's order id). */
export const nextOrderIdSchema = z.object({ id: z.number().int().positive() }).strict();

export const noteInputSchema = z.object({ note: z.string().min(1), customer_note: z.boolean().default(false) });

/** One update of a batch; only stock and price fields are applied. */
export const productUpdateSchema = z.object({
  id: z.number().int().positive(),
  manage_stock: z.boolean().optional(),
  stock_quantity: z.number().int().nullable().optional(),
  regular_price: decimal.optional(),
});
export const batchBodySchema = z.object({
  create: z.array(z.unknown()).default([]),
  update: z.array(z.unknown()).default([]),
  delete: z.array(z.unknown()).default([]),
});
