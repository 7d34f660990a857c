import { z } from 'zod';
import type { ShopOrder } from '../../domain/order';
import { VendorHttpError } from '../http';
import { API_VERSION_FORMAT } from './api-version';
import { CostPacer, sleep, throttleWaitMs } from './cost-pacer';
import {
  DEFAULT_INVENTORY_PAGE, MAX_INVENTORY_PAGE, MAX_SET_QUANTITIES, setOutcome, setPayloadSchema, setQuantitiesInput, toInventoryPage, toLocationsPage,
  type ShopifyInventoryPage, type ShopifyLocation, type ShopifyQuantityToSet, type ShopifySetInventoryResult,
} from './inventory';
import { INVENTORY_PAGE, INVENTORY_SET_QUANTITIES, LOCATIONS } from './inventory-queries';
import { legacyId, pageInfoSchema, parseWith, shopifyLineItemSchema, toGid, toShopOrder } from './mapper';
import {
  FULFILLMENT_CREATE, GET_ORDER, ORDER_CANCEL, ORDER_CREATE, ORDER_LINE_ITEMS, ORDER_MARK_AS_PAID, ORDER_STATE, ORDER_UPDATE,
  PRODUCT_VARIANTS, TAGS_ADD, type GraphqlOperation,
} from './queries';
import { ShopifyTransport, type ShopifyTransportOptions } from './transport';

/**
 * Shopify's Admin GraphQL API (real Shopify or our simulator) through Shopify's official client (transport.ts).
 * Failures are VendorHttpError, classified for the activity layer's retry policy; Shopify's HTTP-200 errors
 * (THROTTLED and friends) are turned into the same classes. The client paces itself with Shopify's cost extension
 * instead of hammering a throttled shop. The API version it is written for: api-version.ts.
 */

export interface ShopifyClientOptions extends ShopifyTransportOptions {
  /** Longest pause before sending a query the bucket cannot hold yet; beyond that Shopify decides. Default 5 s. */
  maxProactiveWaitMs?: number;
}

export type CancelReason = 'CUSTOMER' | 'DECLINED' | 'FRAUD' | 'INVENTORY' | 'OTHER' | 'STAFF';


interface MoneyInput { amount: string; currencyCode: string }
interface MoneyBagInput { shopMoney: MoneyInput }
/** Shopify's OrderCreateOrderInput (the subset the simulator knows); amounts are decimal strings, as Shopify wants. */
export interface ShopifyOrderCreateInput {
  email?: string;
  currency?: string;
  lineItems: Array<{ variantId?: string; sku?: string; title?: string; quantity: number; priceSet?: MoneyBagInput }>;
  shippingAddress?: {
    firstName?: string; lastName?: string; address1?: string; address2?: string; city?: string; zip?: string;
    province?: string; countryCode?: string; phone?: string;
  };
  customer?: { toUpsert: { email?: string; firstName?: string; lastName?: string; phone?: string } };
  financialStatus?: 'PENDING' | 'AUTHORIZED' | 'PARTIALLY_PAID' | 'PAID' | 'PARTIALLY_REFUNDED' | 'REFUNDED' | 'VOIDED' | 'EXPIRED';
  transactions?: Array<{
    kind: 'AUTHORIZATION' | 'SALE' | 'CAPTURE' | 'VOID' | 'REFUND'; status?: 'SUCCESS' | 'PENDING' | 'FAILURE';
    gateway?: string; authorizationCode?: string; amountSet: MoneyBagInput;
  }>;
  shippingLines?: Array<{ title: string; code?: string; priceSet: MoneyBagInput }>;
  taxLines?: Array<{ title: string; rate: string; priceSet?: MoneyBagInput }>;
  discountCode?: {
    itemFixedDiscountCode?: { code: string; amountSet: MoneyBagInput };
    itemPercentageDiscountCode?: { code: string; percentage: number };
    freeShippingDiscountCode?: { code: string };
  };
  tags?: string[];
  note?: string;
}
export interface ShopifyOrderCreateOptions { inventoryBehaviour?: 'BYPASS' | 'DECREMENT_IGNORING_POLICY' | 'DECREMENT_OBEYING_POLICY' }

export interface ShopifyVariant { id: string; sku: string | null; inventoryQuantity: number | null }

export interface ShopifyUserErrorItem { field: string[] | null; message: string; code?: string | null }

/**
 * A mutation Shopify refused with userErrors: the input is wrong, so retrying cannot help. It is a permanent
 * VendorHttpError (422-like), so the activity layer stops at once without knowing about Shopify.
 */
export class ShopifyUserError extends VendorHttpError {
  readonly operation: string;
  readonly userErrors: ShopifyUserErrorItem[];
  constructor(init: { operation: string; path: string; userErrors: ShopifyUserErrorItem[] }) {
    const detail = init.userErrors.map((e) => (e.field?.length ? `${e.field.join('.')}: ${e.message}` : e.message)).join('; ');
    super({ vendor: 'shopify', status: 422, method: 'POST', path: init.path, statusClass: 'permanent', body: init.userErrors, detail: `${init.operation} refused: ${detail}` });
    this.operation = init.operation;
    this.userErrors = init.userErrors;
  }
}

const DEFAULT_MAX_PROACTIVE_WAIT_MS = 5_000;
/** Shopify's HTTP-200 error codes that are worth another try. */
const RETRYABLE_CODES = new Set(['INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE', 'TIMEOUT']);

const userErrorsSchema = z.array(z.object({ field: z.array(z.string()).nullable(), message: z.string(), code: z.string().nullable().optional() }));
const fulfillmentOrdersSchema = z.object({
  id: z.string(),
  cancelledAt: z.string().nullable(),
  displayFulfillmentStatus: z.string(),
  fulfillmentOrders: z.object({ nodes: z.array(z.object({ id: z.string(), status: z.string() })) }),
});
const variantsPageSchema = z.object({
  nodes: z.array(z.object({ id: z.string(), sku: z.string().nullable(), inventoryQuantity: z.number().int().nullable().optional() })),
  pageInfo: pageInfoSchema,
});

export class ShopifyClient {
  private readonly transport: ShopifyTransport;
  private readonly path: string;
  private readonly pacer = new CostPacer();
  private readonly maxProactiveWaitMs: number;

  constructor(opts: ShopifyClientOptions) {
    if (!API_VERSION_FORMAT.test(opts.apiVersion)) throw new Error(`Shopify API version must look like 2026-10, got "${opts.apiVersion}"`);
    this.transport = new ShopifyTransport(opts);
    this.path = this.transport.path;
    this.maxProactiveWaitMs = opts.maxProactiveWaitMs ?? DEFAULT_MAX_PROACTIVE_WAIT_MS;
  }

  /**
   * Sends one operation and returns its `data`. Waits first (bounded) when the last known bucket cannot hold the
   * operation's last known cost; THROTTLED becomes a rate-limited VendorHttpError carrying the exact wait.
   */
  async request<T = Record<string, unknown>>(operation: GraphqlOperation, variables: Record<string, unknown> = {}, signal?: AbortSignal): Promise<T> {
    const wait = Math.min(this.pacer.waitMs(operation.name, Date.now(), operation.expectedCost), this.maxProactiveWaitMs);
    if (wait > 0) await sleep(wait, signal);
    const body = await this.transport.send(operation, variables, signal);
    const cost = body.extensions?.cost;
    this.pacer.learn(operation.name, cost, Date.now());
    const fail = (status: number, statusClass: VendorHttpError['statusClass'], detail: string, retryAfterMs?: number) =>
      new VendorHttpError({ vendor: 'shopify', status, method: 'POST', path: this.path, body, statusClass, detail: `${operation.name}: ${detail}`, retryAfterMs });

    const errors = body.errors ?? [];
    if (errors.length > 0) {
      const codes = errors.map((e) => e.extensions?.code);
      const detail = errors.map((e) => `${e.extensions?.code ? `${e.extensions.code}: ` : ''}${e.message ?? 'error'}`).join('; ').slice(0, 500);
      if (codes.includes('THROTTLED')) throw fail(429, 'rate-limited', detail, throttleWaitMs(cost));
      if (codes.some((c) => c !== undefined && RETRYABLE_CODES.has(c))) throw fail(500, 'retryable', detail);
      // Bad query, bad id, MAX_COST_EXCEEDED: the same request will fail the same way.
      throw fail(422, 'permanent', detail);
    }
    if (!body.data) throw fail(502, 'retryable', 'answer has neither data nor errors');
    return body.data as T;
  }

  /** The order with all its line items, mapped; a missing order is a 404 VendorHttpError. */
  async getOrder(id: string, signal?: AbortSignal): Promise<ShopOrder> {
    const orderId = toGid(id, 'Order');
    const data = await this.request<{ order: Record<string, unknown> | null }>(GET_ORDER, { id: orderId }, signal);
    if (!data.order) throw this.notFound('GetOrder', orderId);
    return this.withAllLines(orderId, data.order, signal);
  }

  /** Maps an OrderFields answer, first reading the rest of its line items when it has more than one page. */
  private async withAllLines(orderId: string, order: Record<string, unknown>, signal?: AbortSignal): Promise<ShopOrder> {
    const lineItems = order.lineItems as { nodes?: unknown[]; pageInfo?: unknown } | undefined;
    const nodes = [...(lineItems?.nodes ?? [])];
    let page = parseWith(pageInfoSchema.optional(), lineItems?.pageInfo);
    while (page?.hasNextPage) {
      const next = await this.request<{ order: { lineItems: unknown } | null }>(ORDER_LINE_ITEMS, { id: orderId, after: page.endCursor }, signal);
      if (!next.order) throw this.notFound('OrderLineItems', orderId);
      const parsed = parseWith(z.object({ nodes: z.array(shopifyLineItemSchema), pageInfo: pageInfoSchema }), next.order.lineItems);
      nodes.push(...parsed.nodes);
      page = parsed.pageInfo;
    }
    return toShopOrder({ ...order, lineItems: { nodes } });
  }

  /** Adds the tags and returns the order as it is after the write (its version included). */
  async addTags(orderId: string, tags: string[], signal?: AbortSignal): Promise<ShopOrder> {
    const orderGid = toGid(orderId, 'Order');
    const data = await this.request<{ tagsAdd: { node?: Record<string, unknown> | null } | null }>(TAGS_ADD, { id: orderGid, tags }, signal);
    this.payload('TagsAdd', data.tagsAdd, 'userErrors');
    if (!data.tagsAdd?.node) throw this.notFound('TagsAdd', orderGid);
    return this.withAllLines(orderGid, data.tagsAdd.node, signal);
  }

  async setNote(orderId: string, note: string | null, signal?: AbortSignal): Promise<void> {
    const data = await this.request<{ orderUpdate: unknown }>(ORDER_UPDATE, { input: { id: toGid(orderId, 'Order'), note } }, signal);
    this.payload('OrderUpdate', data.orderUpdate, 'userErrors');
  }

  /** Idempotent: an order already cancelled (before, or by a racing call) counts as success. */
  async cancelOrder(
    orderId: string, opts: { reason: CancelReason; refund: boolean; restock: boolean; notifyCustomer?: boolean }, signal?: AbortSignal,
  ): Promise<{ alreadyCancelled: boolean; jobId: string | null }> {
    const id = toGid(orderId, 'Order');
    if ((await this.orderState(id, signal)).cancelledAt) return { alreadyCancelled: true, jobId: null };
    const variables = {
      orderId: id, reason: opts.reason, restock: opts.restock, notifyCustomer: opts.notifyCustomer ?? false,
      refundMethod: { originalPaymentMethodsRefund: opts.refund },
    };
    const data = await this.request<{ orderCancel: unknown }>(ORDER_CANCEL, variables, signal);
    try {
      const payload = this.payload('OrderCancel', data.orderCancel, 'orderCancelUserErrors') as { job?: { id: string } | null };
      return { alreadyCancelled: false, jobId: payload.job?.id ?? null };
    } catch (err) {
      if (err instanceof ShopifyUserError && (await this.orderState(id, signal)).cancelledAt) return { alreadyCancelled: true, jobId: null };
      throw err;
    }
  }

  /**
   * Fulfils every open fulfilment order of the order. Idempotent: a fully fulfilled order is success. Throws a
   * ShopifyUserError when nothing is open but the order is not fulfilled either (cancelled, on hold).
   */
  async createFulfillment(
    orderId: string, tracking?: { number: string; company: string; url?: string }, signal?: AbortSignal,
  ): Promise<{ alreadyFulfilled: boolean; fulfillmentId: string | null }> {
    const id = toGid(orderId, 'Order');
    const state = await this.orderState(id, signal);
    const open = state.fulfillmentOrders.nodes.filter((f) => f.status === 'OPEN' || f.status === 'IN_PROGRESS');
    if (open.length === 0) {
      if (state.displayFulfillmentStatus === 'FULFILLED') return { alreadyFulfilled: true, fulfillmentId: null };
      const statuses = state.fulfillmentOrders.nodes.map((f) => f.status).join(', ') || 'none';
      throw this.refused('FulfillmentCreate', [{ field: null, message: `order ${legacyId(id, 'Order')} has no open fulfillment order (${statuses})` }]);
    }
    const fulfillment = {
      lineItemsByFulfillmentOrder: open.map((f) => ({ fulfillmentOrderId: f.id })),
      notifyCustomer: false,
      ...(tracking ? { trackingInfo: tracking } : {}),
    };
    const data = await this.request<{ fulfillmentCreate: unknown }>(FULFILLMENT_CREATE, { fulfillment }, signal);
    const payload = this.payload('FulfillmentCreate', data.fulfillmentCreate, 'userErrors') as { fulfillment?: { id: string } | null };
    return { alreadyFulfilled: false, fulfillmentId: payload.fulfillment?.id ?? null };
  }

  async markAsPaid(orderId: string, signal?: AbortSignal): Promise<void> {
    const data = await this.request<{ orderMarkAsPaid: unknown }>(ORDER_MARK_AS_PAID, { input: { id: toGid(orderId, 'Order') } }, signal);
    this.payload('OrderMarkAsPaid', data.orderMarkAsPaid, 'userErrors');
  }

  /** Creates an order (demo and tests: real shops get theirs from checkout) and returns it mapped. */
  async createOrder(input: ShopifyOrderCreateInput, options?: ShopifyOrderCreateOptions, signal?: AbortSignal): Promise<ShopOrder> {
    const data = await this.request<{ orderCreate: unknown }>(ORDER_CREATE, { order: input, options: options ?? null }, signal);
    const payload = this.payload('OrderCreate', data.orderCreate, 'userErrors') as { order?: Record<string, unknown> | null };
    if (!payload.order || typeof payload.order.id !== 'string') throw this.refused('OrderCreate', [{ field: null, message: 'no order returned' }]);
    return this.withAllLines(payload.order.id, payload.order, signal);
  }

  /** One page of variants; `query` uses Shopify's search syntax, e.g. `sku:ABC-1`. */
  async listVariants(opts: { first?: number; after?: string; query?: string; signal?: AbortSignal } = {}): Promise<{ variants: ShopifyVariant[]; nextCursor: string | null }> {
    const data = await this.request<{ productVariants: unknown }>(PRODUCT_VARIANTS, { first: opts.first ?? 50, after: opts.after ?? null, query: opts.query ?? null }, opts.signal);
    const page = parseWith(variantsPageSchema, data.productVariants);
    return {
      variants: page.nodes.map((v) => ({ id: v.id, sku: v.sku, inventoryQuantity: v.inventoryQuantity ?? null })),
      nextCursor: page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null,
    };
  }

  /**
   * One page of every variant's `available` at a location (a full resync pages with `after`), or of the variants a
   * search finds (`query: 'sku:A OR sku:B'`, to read back after a stale compare). At most 249 per page (cost).
   */
  async listInventory(
    opts: { locationId: string; first?: number; after?: string | null; query?: string; signal?: AbortSignal },
  ): Promise<ShopifyInventoryPage> {
    const first = opts.first ?? DEFAULT_INVENTORY_PAGE;
    if (!Number.isInteger(first) || first < 1 || first > MAX_INVENTORY_PAGE) throw this.invalidCall('InventoryPage', `first must be 1 to ${MAX_INVENTORY_PAGE}, got ${first}`);
    const locationId = toGid(opts.locationId, 'Location');
    const variables = { first, after: opts.after ?? null, query: opts.query ?? null, locationId };
    const data = await this.request<{ productVariants: unknown }>(INVENTORY_PAGE, variables, opts.signal);
    return toInventoryPage(data.productVariants, locationId);
  }

  /**
   * Sets absolute quantities in one inventorySetQuantities call (the caller batches: more than 250 are refused before
   * anything is sent). A stale compare applies nothing and is an answer, not an error: `{ applied: false, stale }`.
   * The same key with the same items returns the first answer without applying twice; so a retried activity reuses
   * its key, and a new attempt with new compares needs a new key. Other refusals are a permanent ShopifyUserError;
   * THROTTLED is a rate-limited VendorHttpError with the exact wait.
   */
  async setInventory(
    items: readonly ShopifyQuantityToSet[], idempotencyKey: string,
    opts: { name?: 'available' | 'on_hand'; reason?: string; referenceDocumentUri?: string; signal?: AbortSignal } = {},
  ): Promise<ShopifySetInventoryResult> {
    const operation = INVENTORY_SET_QUANTITIES.name;
    if (items.length > MAX_SET_QUANTITIES) throw this.invalidCall(operation, `${items.length} quantities, at most ${MAX_SET_QUANTITIES} per call`);
    if (idempotencyKey.trim() === '') throw this.invalidCall(operation, 'an idempotency key is required');
    if (items.length === 0) return { applied: true, adjustmentGroupId: null };
    const input = setQuantitiesInput(items, { name: opts.name ?? 'available', reason: opts.reason ?? 'correction', referenceDocumentUri: opts.referenceDocumentUri });
    const data = await this.request<{ inventorySetQuantities: unknown }>(INVENTORY_SET_QUANTITIES, { input, idempotencyKey }, opts.signal);
    if (!data.inventorySetQuantities) throw this.refused(operation, [{ field: null, message: 'empty payload' }]);
    const outcome = setOutcome(parseWith(setPayloadSchema, data.inventorySetQuantities), items);
    if (outcome.kind === 'result') return outcome.result;
    if (outcome.kind === 'refused') throw this.refused(operation, outcome.errors);
    throw new VendorHttpError({
      vendor: 'shopify', status: 409, method: 'POST', path: this.path, statusClass: 'retryable', body: outcome.errors,
      detail: `${operation}: a call with the same idempotency key is still in progress`,
    });
  }

  /** Every location of the shop; `primary` marks the one orders draw on by default. */
  async locations(signal?: AbortSignal): Promise<ShopifyLocation[]> {
    const all: ShopifyLocation[] = [];
    let after: string | null = null;
    do {
      const data = await this.request<unknown>(LOCATIONS, { first: 100, after }, signal);
      const page = toLocationsPage(data);
      all.push(...page.locations);
      after = page.nextCursor;
    } while (after);
    return all;
  }

  private async orderState(id: string, signal?: AbortSignal): Promise<z.infer<typeof fulfillmentOrdersSchema>> {
    const data = await this.request<{ order: unknown }>(ORDER_STATE, { id }, signal);
    if (!data.order) throw this.notFound('OrderState', id);
    return parseWith(fulfillmentOrdersSchema, data.order);
  }

  /** A mutation's payload; non-empty user errors become a ShopifyUserError. */
  private payload(operation: string, raw: unknown, errorsField: string): Record<string, unknown> {
    if (raw === null || typeof raw !== 'object') throw this.refused(operation, [{ field: null, message: 'empty payload' }]);
    const payload = raw as Record<string, unknown>;
    const errors = parseWith(userErrorsSchema, payload[errorsField] ?? []);
    if (errors.length > 0) throw this.refused(operation, errors);
    return payload;
  }

  private refused(operation: string, userErrors: ShopifyUserErrorItem[]): ShopifyUserError {
    return new ShopifyUserError({ operation, path: this.path, userErrors });
  }

  /** A call this connector will not send (Shopify would refuse it): permanent, and no points spent. */
  private invalidCall(operation: string, detail: string): VendorHttpError {
    return new VendorHttpError({ vendor: 'shopify', status: 422, method: 'POST', path: this.path, statusClass: 'permanent', detail: `${operation}: ${detail} (not sent)` });
  }

  private notFound(operation: string, id: string): VendorHttpError {
    return new VendorHttpError({ vendor: 'shopify', status: 404, method: 'POST', path: this.path, statusClass: 'permanent', detail: `${operation}: order ${id} not found` });
  }
}

