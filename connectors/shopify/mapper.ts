import { z } from 'zod';
import { toMinorUnits } from '../../domain/money';
import { shopOrderSchema, type ShopOrder, type ShopPayment } from '../../domain/order';

/** Shopify's Admin GraphQL order, validated, and its mapping to our shop-neutral ShopOrder. Pure. */

export class ShopifyMappingError extends Error {
  override readonly name = 'ShopifyMappingError';
  constructor(readonly field: string, detail: string) {
    super(`Shopify order has an unexpected shape at ${field}: ${detail}`);
  }
}

/** Validates a raw answer; the error names the first offending field, e.g. `lineItems.nodes.0.quantity`. */
export function parseWith<T>(schema: z.ZodType<T>, raw: unknown): T {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new ShopifyMappingError(issue?.path.map(String).join('.') || '(object)', issue?.message ?? 'invalid');
}

// ---- global ids ------------------------------------------------------------------

const GID = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)(\?.*)?$/;

/** `gid://shopify/Order/123` -> '123'; throws when it is not a gid of that type. */
export function legacyId(gid: string, type: string): string {
  const match = GID.exec(gid);
  if (!match || match[1] !== type) throw new Error(`not a Shopify ${type} id: "${gid}"`);
  return match[2]!;
}

/** Accepts a numeric id or a gid of the type and returns the gid, so callers may use either. */
export function toGid(id: string, type: string): string {
  if (/^\d+$/.test(id)) return `gid://shopify/${type}/${id}`;
  legacyId(id, type);
  return id;
}

// ---- the raw order ------------------------------------------------------------------

const moneyBag = z.object({ shopMoney: z.object({ amount: z.string(), currencyCode: z.string() }) });
const gidOf = (type: string) => z.string().regex(new RegExp(`^gid://shopify/${type}/\\d+`), `must be a ${type} gid`);
const isoDate = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO date');

export const shopifyLineItemSchema = z.object({
  id: gidOf('LineItem'),
  sku: z.string().nullable(),
  title: z.string(),
  quantity: z.number().int(),
  originalUnitPriceSet: moneyBag,
  variant: z.object({ id: z.string(), sku: z.string().nullable() }).nullable(),
});

export const pageInfoSchema = z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() });

export const shopifyOrderSchema = z.object({
  id: gidOf('Order'),
  legacyResourceId: z.string().regex(/^\d+$/),
  name: z.string(),
  createdAt: isoDate,
  updatedAt: isoDate.optional(),
  cancelledAt: isoDate.nullable(),
  email: z.string().nullable(),
  displayFinancialStatus: z.string().nullable(),
  displayFulfillmentStatus: z.string(),
  currencyCode: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code'),
  tags: z.array(z.string()),
  note: z.string().nullable().optional(),
  subtotalPriceSet: moneyBag.nullable(),
  totalTaxSet: moneyBag.nullable(),
  totalShippingPriceSet: moneyBag,
  totalDiscountsSet: moneyBag.nullable(),
  totalPriceSet: moneyBag,
  customer: z.object({
    id: gidOf('Customer'), email: z.string().nullable(), firstName: z.string().nullable(), lastName: z.string().nullable(), phone: z.string().nullable(),
  }).nullable(),
  shippingAddress: z.object({
    name: z.string().nullable(), address1: z.string().nullable(), address2: z.string().nullable(), city: z.string().nullable(),
    zip: z.string().nullable(), province: z.string().nullable(), countryCodeV2: z.string().nullable(), phone: z.string().nullable(),
  }).nullable(),
  lineItems: z.object({ nodes: z.array(shopifyLineItemSchema), pageInfo: pageInfoSchema.optional() }),
  transactions: z.array(z.object({
    id: z.string(), kind: z.string(), status: z.string(), gateway: z.string().nullable(), authorizationCode: z.string().nullable(), amountSet: moneyBag,
  })),
});
export type ShopifyOrderNode = z.infer<typeof shopifyOrderSchema>;
type MoneyBag = z.infer<typeof moneyBag>;

// ---- mapping ---------------------------------------------------------------------------

/** Exact minor units of a MoneyBag in the order's currency; the error names the field. */
function minor(bag: MoneyBag | null, currency: string, field: string): number {
  if (bag === null) return 0;
  if (bag.shopMoney.currencyCode !== currency) {
    throw new ShopifyMappingError(`${field}.shopMoney.currencyCode`, `${bag.shopMoney.currencyCode} is not the order currency ${currency}`);
  }
  try {
    return toMinorUnits(bag.shopMoney.amount, currency);
  } catch (err) {
    throw new ShopifyMappingError(`${field}.shopMoney.amount`, (err as Error).message);
  }
}

const blankToNull = (value: string | null | undefined) => (value === undefined || value === null || value.trim() === '' ? null : value);

/**
 * The Stripe PaymentIntent behind the order: a successful Stripe authorisation or sale whose authorizationCode is
 * a PaymentIntent id. The latest one wins (a re-authorisation replaces the first).
 */
export function stripePayment(order: ShopifyOrderNode): ShopPayment | null {
  const candidates = order.transactions.flatMap((t, i): ShopPayment[] => {
    const kind = t.kind === 'AUTHORIZATION' ? 'authorised' : t.kind === 'SALE' ? 'captured' : null;
    const code = t.authorizationCode;
    if (!kind || t.status !== 'SUCCESS' || t.gateway?.toLowerCase() !== 'stripe' || !code?.startsWith('pi_')) return [];
    return [{ gateway: 'stripe', paymentId: code, kind, amountMinor: minor(t.amountSet, order.currencyCode, `transactions.${i}.amountSet`) }];
  });
  return candidates[candidates.length - 1] ?? null;
}

/**
 * Maps an order (all its line items present) to a ShopOrder. `subtotalMinor` is the lines' gross before discounts,
 * the ERP's convention (total = subtotal + tax + shipping − discount); Shopify's own subtotal is after discounts.
 */
export function toShopOrder(raw: unknown): ShopOrder {
  const o = parseWith(shopifyOrderSchema, raw);
  const currency = o.currencyCode;
  const lines = o.lineItems.nodes.map((l, i) => ({
    lineId: legacyId(l.id, 'LineItem'),
    sku: blankToNull(l.sku) ?? blankToNull(l.variant?.sku),
    title: l.title,
    quantity: l.quantity,
    unitPriceMinor: minor(l.originalUnitPriceSet, currency, `lineItems.nodes.${i}.originalUnitPriceSet`),
  }));
  const a = o.shippingAddress;
  const mapped = {
    id: o.legacyResourceId,
    gid: o.id,
    name: o.name,
    createdAt: new Date(o.createdAt).toISOString(),
    ...(o.updatedAt ? { version: new Date(o.updatedAt).toISOString() } : {}),
    cancelledAt: o.cancelledAt === null ? null : new Date(o.cancelledAt).toISOString(),
    email: blankToNull(o.email),
    currency,
    subtotalMinor: lines.reduce((sum, l) => sum + l.quantity * l.unitPriceMinor, 0),
    taxMinor: minor(o.totalTaxSet, currency, 'totalTaxSet'),
    shippingMinor: minor(o.totalShippingPriceSet, currency, 'totalShippingPriceSet'),
    discountMinor: minor(o.totalDiscountsSet, currency, 'totalDiscountsSet'),
    totalMinor: minor(o.totalPriceSet, currency, 'totalPriceSet'),
    financialStatus: o.displayFinancialStatus ?? 'UNKNOWN',
    customer: o.customer && {
      id: legacyId(o.customer.id, 'Customer'),
      email: blankToNull(o.customer.email),
      firstName: blankToNull(o.customer.firstName),
      lastName: blankToNull(o.customer.lastName),
      phone: blankToNull(o.customer.phone),
    },
    shippingAddress: a && {
      name: blankToNull(a.name), address1: blankToNull(a.address1), address2: blankToNull(a.address2), city: blankToNull(a.city),
      zip: blankToNull(a.zip), province: blankToNull(a.province), countryCode: blankToNull(a.countryCodeV2), phone: blankToNull(a.phone),
    },
    lines,
    payment: stripePayment(o),
    tags: o.tags,
  };
  // Our own invariants (currency code, whole non-negative amounts, at least one line) named in ShopOrder's terms.
  const checked = shopOrderSchema.safeParse(mapped);
  if (checked.success) return checked.data;
  const issue = checked.error.issues[0];
  throw new ShopifyMappingError(issue?.path.map(String).join('.') || '(order)', issue?.message ?? 'invalid');
}
