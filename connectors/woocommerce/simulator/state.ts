import { randomBytes } from 'node:crypto';
import { allocate, toDecimalString, toMinorUnits } from '../../../domain/money';
import { SimIdSequence } from '../../../simulators/ids';
import { STRIPE_CAPTURED_META, STRIPE_INTENT_META, type WooOrderStatus } from '../schema';
import {
  productUpdateSchema, type AddressInput, type OrderInput, type OrderUpdate, type ProductInput,
} from './input';

/** The WooCommerce simulator's in-memory store: orders, their notes, products and variations. Money in minor units. */

export class WooApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
  body(): { code: string; message: string; data: { status: number } } {
    return { code: this.code, message: this.message, data: { status: this.status } };
  }
}

export type SimAddress = Required<AddressInput>;
export interface SimMeta { id: number; key: string; value: unknown }
export interface SimLine {
  id: number; productId: number; variationId: number; name: string; sku: string; quantity: number; unitMinor: number; totalMinor: number;
}
export interface SimNote { id: number; orderId: number; note: string; customerNote: boolean; createdAt: Date }

export interface SimOrder {
  id: number;
  status: WooOrderStatus;
  currency: string;
  customerId: number;
  billing: SimAddress;
  shipping: SimAddress;
  lines: SimLine[];
  shippingMinor: number;
  taxMinor: number;
  discountMinor: number;
  paymentMethod: string;
  paymentMethodTitle: string;
  transactionId: string;
  customerNote: string;
  meta: SimMeta[];
  orderKey: string;
  createdAt: Date;
  modifiedAt: Date;
  paidAt: Date | null;
  completedAt: Date | null;
}

export interface SimProduct {
  id: number;
  /** 0 for products; the variable product for a variation. */
  parentId: number;
  type: 'simple' | 'variable' | 'variation';
  name: string;
  sku: string;
  priceMinor: number;
  manageStock: boolean;
  stockQuantity: number | null;
  modifiedAt: Date;
}

export type OrderTopic = 'order.created' | 'order.updated' | 'order.deleted';
export type BatchResult = { product: SimProduct } | { id: number; error: WooApiError };

const EMPTY_ADDRESS: SimAddress = {
  first_name: '', last_name: '', company: '', address_1: '', address_2: '', city: '', state: '', postcode: '', country: '',
  email: '', phone: '',
};
const PAID_STATUSES: readonly string[] = ['processing', 'completed'];

const invalidParam = (message: string) => new WooApiError(400, 'rest_invalid_param', message);
const invalidOrder = () => new WooApiError(404, 'woocommerce_rest_shop_order_invalid_id', 'Invalid ID.');

export class WooSimState {
  readonly orders = new Map<number, SimOrder>();
  readonly products = new Map<number, SimProduct>();
  readonly notes: SimNote[] = [];
  /** From the clock and a lane of this simulator's own (SimIdSequence): ids never repeat across simulators. */
  private readonly postIds = new SimIdSequence();
  private nextItemId = 1;
  /** Set by the control API: the very next order takes this id, once. */
  private pinnedOrderId: number | null = null;

  constructor(readonly currency: string, private readonly emit: (order: SimOrder, topic: OrderTopic) => void) {}

  seedProduct(input: ProductInput): SimProduct[] {
    type Fields = { name?: string; sku: string; price: string; stock_quantity: number | null };
    const make = (fields: Fields, type: SimProduct['type'], parentId: number) => {
      const product: SimProduct = {
        id: this.postIds.next(), parentId, type, name: fields.name ?? fields.sku, sku: fields.sku,
        priceMinor: this.minor(fields.price, this.currency),
        manageStock: fields.stock_quantity !== null, stockQuantity: fields.stock_quantity, modifiedAt: new Date(),
      };
      this.products.set(product.id, product);
      return product;
    };
    const all = [input.sku, ...(input.variations ?? []).map((v) => v.sku)];
    const taken = all.find((sku, i) => all.indexOf(sku) !== i || [...this.products.values()].some((p) => p.sku === sku));
    if (taken) throw new WooApiError(400, 'product_invalid_sku', `Invalid or duplicated SKU: ${taken}`);
    const parent = make(input, input.variations?.length ? 'variable' : 'simple', 0);
    const variations = (input.variations ?? []).map((v) =>
      make({ ...v, name: v.name ?? `${parent.name} - ${v.sku}` }, 'variation', parent.id));
    return [parent, ...variations];
  }

  createOrder(input: OrderInput): SimOrder {
    const currency = input.currency ?? this.currency;
    const lines = input.line_items.map((l): SimLine => {
      const product = l.sku === undefined ? undefined : this.bySku(l.sku);
      if (l.sku !== undefined && !product) throw invalidParam(`No product with SKU ${l.sku}`);
      if (!product && (l.price === undefined || l.name === undefined)) throw invalidParam('a line without a SKU needs a name and a price');
      const price = l.price ?? toDecimalString(product!.priceMinor, this.currency);
      const unitMinor = this.minor(price, currency);
      return {
        id: this.nextItemId++, productId: product?.type === 'variation' ? product.parentId : (product?.id ?? 0),
        variationId: product?.type === 'variation' ? product.id : 0, name: l.name ?? product!.name, sku: product?.sku ?? '',
        quantity: l.quantity, unitMinor, totalMinor: unitMinor * l.quantity,
      };
    });
    const discountMinor = this.minor(input.discount_total, currency);
    if (discountMinor > lines.reduce((sum, l) => sum + l.totalMinor, 0)) throw invalidParam('discount_total exceeds the lines\' total');
    // Woo spreads a cart discount over the lines' totals; the parts add up to the discount exactly.
    allocate(discountMinor, lines.map((l) => l.totalMinor)).forEach((share, i) => (lines[i]!.totalMinor -= share));
    const now = new Date();
    const stripe = input.stripe;
    const paid = input.set_paid || stripe?.captured === true;
    const order: SimOrder = {
      id: this.takeOrderId(),
      status: input.status ?? (paid ? 'processing' : stripe ? 'on-hold' : 'pending'),
      currency, customerId: input.customer_id,
      billing: { ...EMPTY_ADDRESS, ...input.billing }, shipping: { ...EMPTY_ADDRESS, ...input.shipping },
      lines, discountMinor, shippingMinor: this.minor(input.shipping_total, currency), taxMinor: this.minor(input.total_tax, currency),
      paymentMethod: stripe ? 'stripe' : input.payment_method,
      paymentMethodTitle: stripe ? 'Credit / Debit Card' : input.payment_method_title,
      transactionId: stripe ? (stripe.charge_id ?? `ch_${randomBytes(12).toString('hex')}`) : input.transaction_id,
      customerNote: '',
      meta: [
        ...input.meta_data.map(({ key, value }) => ({ id: this.nextItemId++, key, value })),
        ...(stripe ? [
          { id: this.nextItemId++, key: STRIPE_INTENT_META, value: stripe.intent_id },
          { id: this.nextItemId++, key: STRIPE_CAPTURED_META, value: stripe.captured ? 'yes' : 'no' },
        ] : []),
      ],
      orderKey: `wc_order_${randomBytes(8).toString('base64url')}`,
      createdAt: now, modifiedAt: now, paidAt: null, completedAt: null,
    };
    this.applyStatusDates(order, now, paid);
    this.orders.set(order.id, order);
    this.emit(order, 'order.created');
    return order;
  }

  /** Makes the next order take `id`, e.g. the same number as another shop's order; refused if an order has it. */
  pinNextOrderId(id: number): void {
    if (this.orders.has(id)) throw new WooApiError(409, 'sim_order_id_taken', `Order ${id} already exists.`);
    this.pinnedOrderId = id;
  }

  order(id: number): SimOrder {
    const order = this.orders.get(id);
    if (!order) throw invalidOrder();
    return order;
  }

  /** Applies an update; only a real change touches `date_modified` and sends order.updated. */
  updateOrder(id: number, update: OrderUpdate): SimOrder {
    const order = this.order(id);
    const before = JSON.stringify(order);
    if (update.status !== undefined) order.status = update.status;
    if (update.customer_note !== undefined) order.customerNote = update.customer_note;
    if (update.transaction_id !== undefined) order.transactionId = update.transaction_id;
    if (update.billing) order.billing = { ...order.billing, ...update.billing };
    if (update.shipping) order.shipping = { ...order.shipping, ...update.shipping };
    for (const m of update.meta_data ?? []) {
      // Woo updates the entry with that id, else the first with that key, else adds one.
      const existing = order.meta.find((e) => (m.id !== undefined ? e.id === m.id : e.key === m.key));
      if (existing) existing.value = m.value;
      else order.meta.push({ id: this.nextItemId++, key: m.key, value: m.value });
    }
    if (JSON.stringify(order) === before) return order;
    const now = new Date();
    order.modifiedAt = now;
    if (update.status !== undefined) this.applyStatusDates(order, now, false);
    this.emit(order, 'order.updated');
    return order;
  }

  /** Trash (the default) or delete for good; both send order.deleted. */
  deleteOrder(id: number, force: boolean): SimOrder {
    const order = this.order(id);
    if (!force && order.status === 'trash') {
      throw new WooApiError(410, 'woocommerce_rest_already_trashed', `The order with ID ${id} has already been deleted.`);
    }
    if (force) this.orders.delete(id);
    else {
      order.status = 'trash';
      order.modifiedAt = new Date();
    }
    this.emit(order, 'order.deleted');
    return order;
  }

  addNote(orderId: number, note: string, customerNote: boolean): SimNote {
    this.order(orderId);
    const entry: SimNote = { id: this.nextItemId++, orderId, note, customerNote, createdAt: new Date() };
    this.notes.push(entry);
    return entry;
  }

  /** Newest first, as Woo lists them. */
  notesOf(orderId: number): SimNote[] {
    this.order(orderId);
    return this.notes.filter((n) => n.orderId === orderId).reverse();
  }

  /** Woo's `?sku=`: the comma-separated SKUs, plus the whole string when there are several; products and variations. */
  findBySkus(param: string): SimProduct[] {
    const parts = param.split(',');
    const wanted = new Set(parts.length > 1 ? [...parts, param] : parts);
    return [...this.products.values()].filter((p) => wanted.has(p.sku));
  }

  /** Batch updates of products (`parentId` null) or of one product's variations; a bad item fails alone. */
  batchUpdate(items: readonly unknown[], parentId: number | null): BatchResult[] {
    return items.map((raw): BatchResult => {
      const parsed = productUpdateSchema.safeParse(raw);
      const rawId = (raw as { id?: unknown } | null)?.id;
      if (!parsed.success) {
        const message = `Invalid parameter(s): ${parsed.error.issues[0]?.message ?? 'invalid'}`;
        return { id: typeof rawId === 'number' ? rawId : 0, error: invalidParam(message) };
      }
      const u = parsed.data;
      const product = this.products.get(u.id);
      const fits = product && (parentId === null ? product.type !== 'variation' : product.parentId === parentId);
      if (!product || !fits) {
        const code = parentId === null ? 'woocommerce_rest_product_invalid_id' : 'woocommerce_rest_product_variation_invalid_id';
        return { id: u.id, error: new WooApiError(400, code, 'Invalid ID.') };
      }
      if (u.manage_stock !== undefined) product.manageStock = u.manage_stock;
      // Woo keeps a quantity only for products that manage their stock.
      if (!product.manageStock) product.stockQuantity = null;
      else if (u.stock_quantity !== undefined) product.stockQuantity = u.stock_quantity;
      if (u.regular_price !== undefined) product.priceMinor = this.minor(u.regular_price, this.currency);
      product.modifiedAt = new Date();
      return { product };
    });
  }

  variationsOf(productId: number): SimProduct[] {
    const parent = this.products.get(productId);
    if (!parent || parent.type !== 'variable') throw new WooApiError(404, 'woocommerce_rest_product_invalid_id', 'Invalid ID.');
    return [...this.products.values()].filter((p) => p.parentId === productId);
  }

  bySku(sku: string): SimProduct | undefined {
    return [...this.products.values()].find((p) => p.sku === sku && p.type !== 'variable');
  }

  reset(): void {
    this.pinnedOrderId = null;
    this.orders.clear();
    this.products.clear();
    this.notes.length = 0;
  }

  private takeOrderId(): number {
    const pinned = this.pinnedOrderId;
    this.pinnedOrderId = null;
    if (pinned !== null && this.orders.has(pinned)) throw new WooApiError(409, 'sim_order_id_taken', `Order ${pinned} already exists.`);
    if (pinned !== null) return pinned;
    // A pinned id may lie ahead of the sequence: never hand it out a second time.
    let id = this.postIds.next();
    while (this.orders.has(id)) id = this.postIds.next();
    return id;
  }

  private applyStatusDates(order: SimOrder, now: Date, paid: boolean): void {
    if (paid || PAID_STATUSES.includes(order.status)) order.paidAt ??= now;
    if (order.status === 'completed') order.completedAt ??= now;
  }

  private minor(amount: string, currency: string): number {
    try {
      return toMinorUnits(amount, currency);
    } catch (err) {
      throw invalidParam((err as Error).message);
    }
  }
}
