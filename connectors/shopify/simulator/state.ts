import { randomUUID } from 'node:crypto';
import { sumMinor, toMinorUnits } from '../../../domain/money';
import { SimIdSequence } from '../../../simulators/ids';
import { IdempotencyStore } from './idempotency';
import { SimInventory } from './inventory';
import { refuse, UserErrors, type UserError } from './user-errors';

export { UserErrors, type UserError };

/**
 * The simulated shop's data and the business rules of the mutations it supports. Amounts are integer minor units
 * in the order's currency, computed exactly; failures are Shopify-style user errors, not exceptions to the caller.
 */

export type FinancialStatus = 'PENDING' | 'AUTHORIZED' | 'PARTIALLY_PAID' | 'PAID' | 'PARTIALLY_REFUNDED' | 'REFUNDED' | 'VOIDED' | 'EXPIRED';
export type TransactionKind = 'AUTHORIZATION' | 'SALE' | 'CAPTURE' | 'VOID' | 'REFUND';
export type TransactionStatus = 'SUCCESS' | 'PENDING' | 'FAILURE' | 'ERROR' | 'AWAITING_RESPONSE' | 'UNKNOWN';
export type CancelReason = 'CUSTOMER' | 'DECLINED' | 'FRAUD' | 'INVENTORY' | 'OTHER' | 'STAFF';
export type FulfillmentOrderStatus = 'OPEN' | 'IN_PROGRESS' | 'CANCELLED' | 'INCOMPLETE' | 'CLOSED' | 'SCHEDULED' | 'ON_HOLD';
export type OrderTopic = 'orders/create' | 'orders/updated' | 'orders/cancelled' | 'orders/paid';

export interface SimVariant { id: number; productId: number; sku: string | null; title: string; priceMinor: number; inventoryItemId: number }
export interface SimCustomer { id: number; email: string | null; firstName: string | null; lastName: string | null; phone: string | null }
export interface SimAddress {
  firstName: string | null; lastName: string | null; address1: string | null; address2: string | null; city: string | null;
  zip: string | null; province: string | null; provinceCode: string | null; countryCode: string | null; phone: string | null; company: string | null;
}
export interface SimLineItem { id: number; variantId: number | null; sku: string | null; title: string; quantity: number; unitPriceMinor: number }
export interface SimTransaction {
  id: number; kind: TransactionKind; status: TransactionStatus; gateway: string; authorizationCode: string | null;
  amountMinor: number; createdAt: string; test: boolean;
}
export interface SimFulfillmentOrder { id: number; status: FulfillmentOrderStatus }
export interface SimFulfillment {
  id: number; fulfillmentOrderIds: number[]; status: 'SUCCESS'; createdAt: string;
  trackingNumber: string | null; trackingCompany: string | null; trackingUrl: string | null;
}

export interface SimOrder {
  id: number;
  number: number;
  name: string;
  email: string | null;
  phone: string | null;
  currency: string;
  createdAt: string;
  updatedAt: string;
  processedAt: string;
  cancelledAt: string | null;
  cancelReason: CancelReason | null;
  closedAt: string | null;
  financialStatus: FinancialStatus;
  tags: string[];
  note: string | null;
  test: boolean;
  customer: SimCustomer | null;
  shippingAddress: SimAddress | null;
  lineItems: SimLineItem[];
  shippingLines: Array<{ id: number; title: string; code: string | null; priceMinor: number }>;
  taxLines: Array<{ title: string; rate: string; priceMinor: number }>;
  discountCodes: Array<{ code: string; type: 'fixed_amount' | 'percentage' | 'shipping'; amountMinor: number }>;
  transactions: SimTransaction[];
  fulfillmentOrders: SimFulfillmentOrder[];
  fulfillments: SimFulfillment[];
  /** Where orderCreate committed the stock (null: it did not), so that shipping or a restocking cancel settles it. */
  inventoryLocationId: number | null;
}

// ---- inputs, as graphql-js coerces them ------------------------------------

interface MoneyInput { amount: string; currencyCode: string }
interface MoneyBagInput { shopMoney: MoneyInput; presentmentMoney?: MoneyInput | null }
export interface AddressInput {
  firstName?: string | null; lastName?: string | null; address1?: string | null; address2?: string | null; city?: string | null;
  zip?: string | null; province?: string | null; provinceCode?: string | null; countryCode?: string | null; phone?: string | null; company?: string | null;
}
export interface OrderCreateInput {
  email?: string | null;
  phone?: string | null;
  currency?: string | null;
  lineItems?: Array<{ variantId?: string | null; sku?: string | null; title?: string | null; quantity: number; priceSet?: MoneyBagInput | null }> | null;
  shippingAddress?: AddressInput | null;
  customer?: { toUpsert?: { email?: string | null; firstName?: string | null; lastName?: string | null; phone?: string | null } | null; toAssociate?: { id: string } | null } | null;
  financialStatus?: FinancialStatus | null;
  transactions?: Array<{ kind?: TransactionKind | null; status?: TransactionStatus | null; gateway?: string | null; authorizationCode?: string | null; amountSet: MoneyBagInput; test?: boolean | null }> | null;
  shippingLines?: Array<{ title: string; code?: string | null; priceSet: MoneyBagInput }> | null;
  taxLines?: Array<{ title: string; rate: string; priceSet?: MoneyBagInput | null }> | null;
  discountCode?: {
    itemFixedDiscountCode?: { code: string; amountSet?: MoneyBagInput | null } | null;
    itemPercentageDiscountCode?: { code: string; percentage?: number | null } | null;
    freeShippingDiscountCode?: { code: string } | null;
  } | null;
  tags?: string[] | null;
  note?: string | null;
  processedAt?: string | null;
  test?: boolean | null;
}
export interface OrderCreateOptions { inventoryBehaviour?: 'BYPASS' | 'DECREMENT_IGNORING_POLICY' | 'DECREMENT_OBEYING_POLICY' | null }
export interface OrderUpdateInput { id: string; note?: string | null; tags?: string[] | null; email?: string | null; shippingAddress?: AddressInput | null }
export interface FulfillmentCreateInput {
  lineItemsByFulfillmentOrder: Array<{ fulfillmentOrderId: string }>;
  trackingInfo?: { number?: string | null; company?: string | null; url?: string | null } | null;
  notifyCustomer?: boolean | null;
}

// ---- ids and totals ----------------------------------------------------------

export const gid = (type: string, id: number | string) => `gid://shopify/${type}/${id}`;

/** The numeric id inside `gid://shopify/<type>/<n>`, or null when it is not one. */
export function parseGid(value: string, type: string): number | null {
  const match = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)(\?.*)?$/.exec(value);
  return match && match[1] === type ? Number(match[2]) : null;
}

/** Shopify's DateTime: UTC, whole seconds. */
export const nowIso = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface OrderTotals {
  /** Line items at their unit prices, before any discount. */
  lineItemsMinor: number;
  itemDiscountMinor: number;
  shippingDiscountMinor: number;
  /** Shopify's subtotal: line items after their discounts, before shipping and tax. */
  subtotalMinor: number;
  /** Shipping before its discounts, as Shopify reports it. */
  shippingMinor: number;
  taxMinor: number;
  discountsMinor: number;
  totalMinor: number;
  capturedMinor: number;
  outstandingMinor: number;
}

const succeeded = (o: SimOrder, ...kinds: TransactionKind[]) =>
  sumMinor(o.transactions.filter((t) => t.status === 'SUCCESS' && kinds.includes(t.kind)).map((t) => t.amountMinor));

export function totals(order: SimOrder): OrderTotals {
  const lineItemsMinor = sumMinor(order.lineItems.map((l) => l.quantity * l.unitPriceMinor));
  const itemDiscountMinor = sumMinor(order.discountCodes.filter((d) => d.type !== 'shipping').map((d) => d.amountMinor));
  const shippingDiscountMinor = sumMinor(order.discountCodes.filter((d) => d.type === 'shipping').map((d) => d.amountMinor));
  const shippingMinor = sumMinor(order.shippingLines.map((s) => s.priceMinor));
  const taxMinor = sumMinor(order.taxLines.map((t) => t.priceMinor));
  const subtotalMinor = lineItemsMinor - itemDiscountMinor;
  const totalMinor = subtotalMinor + shippingMinor - shippingDiscountMinor + taxMinor;
  const capturedMinor = succeeded(order, 'SALE', 'CAPTURE') - succeeded(order, 'REFUND');
  return {
    lineItemsMinor, itemDiscountMinor, shippingDiscountMinor, subtotalMinor, shippingMinor, taxMinor,
    discountsMinor: itemDiscountMinor + shippingDiscountMinor, totalMinor, capturedMinor,
    outstandingMinor: Math.max(0, totalMinor - capturedMinor),
  };
}

export function displayFulfillmentStatus(order: SimOrder): string {
  const open = order.fulfillmentOrders.filter((f) => f.status === 'OPEN' || f.status === 'IN_PROGRESS').length;
  const closed = order.fulfillmentOrders.filter((f) => f.status === 'CLOSED').length;
  if (order.fulfillments.length === 0) return 'UNFULFILLED';
  return open === 0 && closed > 0 ? 'FULFILLED' : 'PARTIALLY_FULFILLED';
}

/** From 2026-10 an order with nothing left to fulfil (cancelled before shipping) reads FULFILLMENT_NOT_REQUIRED. */
export function displayFulfillmentStatusIn(apiVersion: string, order: SimOrder): string {
  const status = displayFulfillmentStatus(order);
  const since202610 = apiVersion === 'unstable' || apiVersion >= '2026-10';
  return status === 'UNFULFILLED' && order.cancelledAt !== null && since202610 ? 'FULFILLMENT_NOT_REQUIRED' : status;
}

/** What the payments say, when orderCreate is not told a financial status. */
function derivedFinancialStatus(order: SimOrder): FinancialStatus {
  const t = totals(order);
  if (t.capturedMinor >= t.totalMinor) return 'PAID';
  if (t.capturedMinor > 0) return 'PARTIALLY_PAID';
  return succeeded(order, 'AUTHORIZATION') > 0 ? 'AUTHORIZED' : 'PENDING';
}

/** Shopify's tag rules: trimmed, at most 40 characters, no duplicates ignoring case. */
function mergeTags(current: readonly string[], added: readonly string[], field: string[]): string[] {
  const out = [...current];
  for (const raw of added.flatMap((t) => t.split(','))) {
    const tag = raw.trim();
    if (tag === '') continue;
    if (tag.length > 40) throw refuse(field, `Tag "${tag}" is too long (maximum is 40 characters)`);
    if (!out.some((t) => t.toLowerCase() === tag.toLowerCase())) out.push(tag);
  }
  return out;
}

// ---- the shop ------------------------------------------------------------------

export type Emit = (order: SimOrder, topics: OrderTopic[]) => void;

export class ShopifySimState {
  readonly orders = new Map<number, SimOrder>();
  readonly variants = new Map<number, SimVariant>();
  readonly customers = new Map<number, SimCustomer>();
  /** From the clock and a lane of this simulator's own (SimIdSequence): ids never repeat across simulators. */
  private readonly ids = new SimIdSequence();
  // After ids: the inventory takes an id for its primary location as it is built.
  readonly inventory = new SimInventory(() => this.id());
  readonly idempotency = new IdempotencyStore();
  private nextOrderNumber = 1001;

  constructor(private readonly shopCurrency: string, private readonly emit: Emit) {}

  id(): number {
    return this.ids.next();
  }

  reset(): void {
    this.orders.clear();
    this.variants.clear();
    this.customers.clear();
    this.inventory.reset();
    this.idempotency.clear();
    this.nextOrderNumber = 1001;
  }

  seedVariant(input: { sku?: string | null; title: string; price: string; inventoryQuantity?: number }): SimVariant {
    const id = this.id();
    const variant: SimVariant = {
      id, productId: this.id(), sku: input.sku ?? null, title: input.title, priceMinor: toMinorUnits(input.price, this.shopCurrency),
      inventoryItemId: this.inventory.addItem(id, input.sku ?? null, input.inventoryQuantity ?? 0).id,
    };
    this.variants.set(variant.id, variant);
    return variant;
  }

  /**
   * Shopify's variant search syntax, reduced to `sku:<value>` and plain words matched against SKU and title, all of
   * them required, with `OR` between such groups (`sku:A OR sku:B`).
   */
  findVariants(query: string | null | undefined): SimVariant[] {
    const all = [...this.variants.values()];
    if (!query?.trim()) return all;
    const groups = query.trim().split(/\s+OR\s+/).map((group) => group.split(/\s+/));
    return all.filter((v) => groups.some((terms) => terms.every((term) => {
      const [key, ...rest] = term.split(':');
      const wanted = rest.join(':').replace(/^"|"$/g, '').toLowerCase();
      if (rest.length > 0 && key === 'sku') return (v.sku ?? '').toLowerCase() === wanted;
      const word = term.toLowerCase();
      return (v.sku ?? '').toLowerCase().includes(word) || v.title.toLowerCase().includes(word);
    })));
  }

  order(id: number): SimOrder | undefined {
    return this.orders.get(id);
  }

  private orderByGid(value: string, field: string[], code?: UserError['code']): SimOrder {
    const id = parseGid(value, 'Order');
    const order = id === null ? undefined : this.orders.get(id);
    if (!order) throw refuse(field, 'Order does not exist', code);
    return order;
  }

  private money(bag: MoneyBagInput, currency: string, field: string[]): number {
    if (bag.shopMoney.currencyCode !== currency) {
      throw refuse([...field, 'shopMoney', 'currencyCode'], `Currency ${bag.shopMoney.currencyCode} does not match the order currency ${currency}`);
    }
    try {
      const minor = toMinorUnits(bag.shopMoney.amount, currency);
      if (minor < 0) throw new Error('must not be negative');
      return minor;
    } catch (err) {
      throw refuse([...field, 'shopMoney', 'amount'], `Amount ${bag.shopMoney.amount} is invalid: ${(err as Error).message}`);
    }
  }

  createOrder(input: OrderCreateInput, options: OrderCreateOptions = {}): SimOrder {
    const currency = input.currency ?? this.shopCurrency;
    const items = input.lineItems ?? [];
    if (items.length === 0) throw refuse(['order', 'lineItems'], 'Line items must have at least one line item');
    const now = nowIso();

    const lineItems = items.map((item, i): SimLineItem => {
      const field = ['order', 'lineItems', String(i)];
      if (!Number.isInteger(item.quantity) || item.quantity < 1) throw refuse([...field, 'quantity'], 'Quantity must be greater than or equal to 1');
      let variant: SimVariant | undefined;
      if (item.variantId) {
        const variantId = parseGid(item.variantId, 'ProductVariant');
        variant = variantId === null ? undefined : this.variants.get(variantId);
        if (!variant) throw refuse([...field, 'variantId'], `Product variant ${item.variantId} does not exist`);
      }
      const title = item.title ?? variant?.title;
      if (!title) throw refuse([...field, 'title'], 'Title is required for a line item without a variant');
      const unitPriceMinor = item.priceSet ? this.money(item.priceSet, currency, [...field, 'priceSet'])
        : variant && currency === this.shopCurrency ? variant.priceMinor : undefined;
      if (unitPriceMinor === undefined) throw refuse([...field, 'priceSet'], 'Price is required for a line item without a variant');
      return { id: this.id(), variantId: variant?.id ?? null, sku: item.sku ?? variant?.sku ?? null, title, quantity: item.quantity, unitPriceMinor };
    });

    const customer = this.customerFor(input);
    const order: SimOrder = {
      id: this.id(), number: this.nextOrderNumber, name: `#${this.nextOrderNumber}`,
      email: input.email ?? customer?.email ?? null, phone: input.phone ?? null, currency,
      createdAt: now, updatedAt: now, processedAt: input.processedAt ?? now, cancelledAt: null, cancelReason: null, closedAt: null,
      financialStatus: 'PENDING', tags: mergeTags([], input.tags ?? [], ['order', 'tags']), note: input.note ?? null, test: input.test ?? false,
      customer, shippingAddress: input.shippingAddress ? address(input.shippingAddress) : null, lineItems,
      shippingLines: (input.shippingLines ?? []).map((s, i) => ({
        id: this.id(), title: s.title, code: s.code ?? null, priceMinor: this.money(s.priceSet, currency, ['order', 'shippingLines', String(i), 'priceSet']),
      })),
      taxLines: [], discountCodes: [], transactions: [], fulfillmentOrders: [{ id: this.id(), status: 'OPEN' }], fulfillments: [],
      inventoryLocationId: null,
    };
    order.discountCodes = this.discounts(input, order);
    order.taxLines = (input.taxLines ?? []).map((t, i) => ({
      title: t.title, rate: t.rate,
      priceMinor: t.priceSet ? this.money(t.priceSet, currency, ['order', 'taxLines', String(i), 'priceSet']) : rateOf(totals(order).subtotalMinor, t.rate),
    }));
    order.transactions = (input.transactions ?? []).map((t, i) => ({
      id: this.id(), kind: t.kind ?? 'SALE', status: t.status ?? 'SUCCESS', gateway: t.gateway ?? 'manual', authorizationCode: t.authorizationCode ?? null,
      amountMinor: this.money(t.amountSet, currency, ['order', 'transactions', String(i), 'amountSet']), createdAt: now, test: t.test ?? false,
    }));
    order.financialStatus = input.financialStatus ?? derivedFinancialStatus(order);
    this.decrementInventory(order, options.inventoryBehaviour ?? 'BYPASS');

    this.nextOrderNumber++;
    this.orders.set(order.id, order);
    this.emit(order, order.financialStatus === 'PAID' ? ['orders/create', 'orders/paid'] : ['orders/create']);
    return order;
  }

  private customerFor(input: OrderCreateInput): SimCustomer | null {
    if (input.customer?.toAssociate) {
      const id = parseGid(input.customer.toAssociate.id, 'Customer');
      const found = id === null ? undefined : this.customers.get(id);
      if (!found) throw refuse(['order', 'customer', 'toAssociate', 'id'], 'Customer does not exist');
      return found;
    }
    const wanted = input.customer?.toUpsert;
    if (!wanted) return null;
    // Upserted by email, as Shopify does: a returning buyer keeps one customer record.
    const existing = wanted.email ? [...this.customers.values()].find((c) => c.email?.toLowerCase() === wanted.email?.toLowerCase()) : undefined;
    const customer: SimCustomer = existing ?? { id: this.id(), email: null, firstName: null, lastName: null, phone: null };
    customer.email = wanted.email ?? customer.email;
    customer.firstName = wanted.firstName ?? customer.firstName;
    customer.lastName = wanted.lastName ?? customer.lastName;
    customer.phone = wanted.phone ?? customer.phone;
    this.customers.set(customer.id, customer);
    return customer;
  }

  private discounts(input: OrderCreateInput, order: SimOrder): SimOrder['discountCodes'] {
    const code = input.discountCode;
    if (!code) return [];
    const t = totals(order);
    if (code.itemFixedDiscountCode) {
      const amount = code.itemFixedDiscountCode.amountSet
        ? this.money(code.itemFixedDiscountCode.amountSet, order.currency, ['order', 'discountCode', 'itemFixedDiscountCode', 'amountSet']) : 0;
      return [{ code: code.itemFixedDiscountCode.code, type: 'fixed_amount', amountMinor: Math.min(amount, t.lineItemsMinor) }];
    }
    if (code.itemPercentageDiscountCode) {
      const pct = code.itemPercentageDiscountCode.percentage ?? 0;
      if (pct < 0 || pct > 100) throw refuse(['order', 'discountCode', 'itemPercentageDiscountCode', 'percentage'], 'Percentage must be between 0 and 100');
      return [{ code: code.itemPercentageDiscountCode.code, type: 'percentage', amountMinor: rateOf(t.lineItemsMinor, (pct / 100).toFixed(9)) }];
    }
    if (code.freeShippingDiscountCode) return [{ code: code.freeShippingDiscountCode.code, type: 'shipping', amountMinor: t.shippingMinor }];
    return [];
  }

  /** Decrementing orders commit stock at the primary location; obeying the policy refuses an order it cannot cover. */
  private decrementInventory(order: SimOrder, behaviour: string): void {
    if (behaviour === 'BYPASS') return;
    const location = this.inventory.primaryLocation.id;
    const lines = this.stockLines(order);
    const short = behaviour === 'DECREMENT_OBEYING_POLICY' ? this.inventory.firstShortLine(lines, location) : -1;
    if (short >= 0) {
      const line = lines[short]!;
      const left = this.inventory.quantity(line.itemId, location, 'available');
      throw refuse(['order', 'lineItems', String(line.index), 'quantity'], `Only ${left} of ${line.title} left in stock`);
    }
    this.inventory.commit(lines, location);
    order.inventoryLocationId = location;
  }

  /** The order's lines that draw on stock: those with a variant. */
  private stockLines(order: SimOrder): Array<{ itemId: number; quantity: number; index: number; title: string }> {
    return order.lineItems.flatMap((line, index) => {
      const variant = line.variantId === null ? undefined : this.variants.get(line.variantId);
      return variant ? [{ itemId: variant.inventoryItemId, quantity: line.quantity, index, title: variant.title }] : [];
    });
  }

  /** tagsAdd: no webhook when every tag was already there, so writing our own tag back cannot loop. */
  addTags(id: string, tags: string[]): SimOrder {
    const order = this.orderByGid(id, ['id']);
    const merged = mergeTags(order.tags, tags, ['tags']);
    if (merged.length !== order.tags.length) this.changed(order, () => (order.tags = merged), ['orders/updated']);
    return order;
  }

  updateOrder(input: OrderUpdateInput): SimOrder {
    const order = this.orderByGid(input.id, ['id']);
    const next = {
      note: input.note !== undefined ? input.note : order.note,
      email: input.email !== undefined ? input.email : order.email,
      tags: input.tags ? mergeTags([], input.tags, ['tags']) : order.tags,
      shippingAddress: input.shippingAddress ? address(input.shippingAddress) : order.shippingAddress,
    };
    const before = JSON.stringify([order.note, order.email, order.tags, order.shippingAddress]);
    if (JSON.stringify([next.note, next.email, next.tags, next.shippingAddress]) !== before) {
      this.changed(order, () => Object.assign(order, next), ['orders/updated']);
    }
    return order;
  }

  cancelOrder(orderId: string, opts: { reason: CancelReason; refund: boolean; restock: boolean; staffNote?: string | null }): { jobId: string } {
    const order = this.orderByGid(orderId, ['orderId'], 'NOT_FOUND');
    if (order.cancelledAt) throw refuse(['orderId'], 'Cannot cancel an order that has already been cancelled', 'INVALID');
    if (order.fulfillments.length > 0) throw refuse(['orderId'], 'Cannot cancel an order that has been fulfilled', 'INVALID');
    this.changed(order, () => {
      const now = nowIso();
      order.cancelledAt = order.closedAt = now;
      order.cancelReason = opts.reason;
      for (const fo of order.fulfillmentOrders) if (fo.status !== 'CLOSED') fo.status = 'CANCELLED';
      if (opts.staffNote) order.note = order.note ? `${order.note}\n${opts.staffNote}` : opts.staffNote;
      if (opts.refund) this.refundOrVoid(order, now);
      if (opts.restock && order.inventoryLocationId !== null) {
        this.inventory.release(this.stockLines(order), order.inventoryLocationId);
        order.inventoryLocationId = null;
      }
    }, ['orders/cancelled', 'orders/updated']);
    return { jobId: gid('Job', randomUUID()) };
  }

  /** Cancelling with refund: captured money goes back, an open authorisation is voided. */
  private refundOrVoid(order: SimOrder, now: string): void {
    const captured = totals(order).capturedMinor;
    const paid = order.transactions.find((t) => t.status === 'SUCCESS' && (t.kind === 'SALE' || t.kind === 'CAPTURE'));
    const auth = order.transactions.find((t) => t.status === 'SUCCESS' && t.kind === 'AUTHORIZATION');
    const base = { id: this.id(), status: 'SUCCESS' as const, createdAt: now, test: order.test };
    if (captured > 0 && paid) {
      order.transactions.push({ ...base, kind: 'REFUND', gateway: paid.gateway, authorizationCode: paid.authorizationCode, amountMinor: captured });
      order.financialStatus = 'REFUNDED';
    } else if (auth) {
      order.transactions.push({ ...base, kind: 'VOID', gateway: auth.gateway, authorizationCode: auth.authorizationCode, amountMinor: 0 });
      order.financialStatus = 'VOIDED';
    }
  }

  createFulfillment(input: FulfillmentCreateInput): SimFulfillment {
    const groups = input.lineItemsByFulfillmentOrder;
    if (groups.length === 0) throw refuse(['fulfillment', 'lineItemsByFulfillmentOrder'], 'At least one fulfillment order is required');
    let owner: SimOrder | undefined;
    const chosen = groups.map((g, i) => {
      const field = ['fulfillment', 'lineItemsByFulfillmentOrder', String(i), 'fulfillmentOrderId'];
      const id = parseGid(g.fulfillmentOrderId, 'FulfillmentOrder');
      const order = id === null ? undefined : [...this.orders.values()].find((o) => o.fulfillmentOrders.some((f) => f.id === id));
      const fo = order?.fulfillmentOrders.find((f) => f.id === id);
      if (!order || !fo) throw refuse(field, `Fulfillment order ${g.fulfillmentOrderId} does not exist.`);
      if (owner && owner !== order) throw refuse(field, 'All fulfillment orders must belong to the same order.');
      owner = order;
      if (fo.status !== 'OPEN' && fo.status !== 'IN_PROGRESS') {
        throw refuse(field, `Fulfillment order ${id} has an unfulfillable status= ${fo.status.toLowerCase()}.`);
      }
      return fo;
    });
    const order = owner!;
    const tracking = input.trackingInfo ?? {};
    const fulfillment: SimFulfillment = {
      id: this.id(), fulfillmentOrderIds: chosen.map((f) => f.id), status: 'SUCCESS', createdAt: nowIso(),
      trackingNumber: tracking.number ?? null, trackingCompany: tracking.company ?? null, trackingUrl: tracking.url ?? null,
    };
    this.changed(order, () => {
      for (const fo of chosen) fo.status = 'CLOSED';
      order.fulfillments.push(fulfillment);
      // One fulfilment order per order here, so fulfilling it ships every committed line.
      if (order.inventoryLocationId !== null) this.inventory.ship(this.stockLines(order), order.inventoryLocationId);
      order.inventoryLocationId = null;
    }, ['orders/updated']);
    return fulfillment;
  }

  /** Records a manual payment of whatever is outstanding. */
  markAsPaid(id: string): SimOrder {
    const order = this.orderByGid(id, ['input', 'id']);
    if (order.cancelledAt || !['PENDING', 'PARTIALLY_PAID', 'AUTHORIZED'].includes(order.financialStatus)) {
      throw refuse(['input', 'id'], 'Order cannot be marked as paid.');
    }
    this.changed(order, () => {
      const outstanding = totals(order).outstandingMinor;
      if (outstanding > 0) {
        order.transactions.push({ id: this.id(), kind: 'SALE', status: 'SUCCESS', gateway: 'manual', authorizationCode: null, amountMinor: outstanding, createdAt: nowIso(), test: order.test });
      }
      order.financialStatus = 'PAID';
    }, ['orders/paid', 'orders/updated']);
    return order;
  }

  private changed(order: SimOrder, change: () => void, topics: OrderTopic[]): void {
    change();
    order.updatedAt = nowIso();
    this.emit(order, topics);
  }
}

function address(input: AddressInput): SimAddress {
  return {
    firstName: input.firstName ?? null, lastName: input.lastName ?? null, address1: input.address1 ?? null, address2: input.address2 ?? null,
    city: input.city ?? null, zip: input.zip ?? null, province: input.province ?? null, provinceCode: input.provinceCode ?? null,
    countryCode: input.countryCode ?? null, phone: input.phone ?? null, company: input.company ?? null,
  };
}

/** amount × rate (a decimal string such as "0.2"), rounded half up, in integer arithmetic. */
function rateOf(amountMinor: number, rate: string): number {
  const match = /^(\d+)(?:\.(\d{1,9}))?/.exec(rate.trim());
  if (!match) throw refuse(null, `Rate ${rate} is invalid`);
  const fraction = match[2] ?? '';
  const scale = 10n ** BigInt(fraction.length);
  const scaled = BigInt(match[1]!) * scale + BigInt(fraction || '0');
  return Number((BigInt(amountMinor) * scaled * 2n + scale) / (2n * scale));
}
