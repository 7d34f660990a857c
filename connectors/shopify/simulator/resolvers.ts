import { GraphQLError } from 'graphql';
import { toDecimalString } from '../../../domain/money';
import { variantView, type CatalogueContext } from './catalogue-views';
import { connection, type PageArgs } from './connection';
import { inventoryResolvers } from './inventory-resolvers';
import { ordersResolver } from './order-list';
import {
  displayFulfillmentStatusIn, gid, parseGid, totals, UserErrors,
  type CancelReason, type FulfillmentCreateInput, type OrderCreateInput, type OrderCreateOptions, type OrderUpdateInput,
  type ShopifySimState, type SimFulfillment, type SimOrder, type UserError,
} from './state';

/**
 * The GraphQL side of the simulator: root resolvers, and views of the state whose function-valued fields take
 * their arguments the way graphql-js's default resolver passes them (`lineItems({ first })`).
 */

interface OrderCancelArgs {
  orderId: string; reason: CancelReason; refund?: boolean | null; refundMethod?: { originalPaymentMethodsRefund?: boolean | null } | null;
  restock: boolean; staffNote?: string | null;
}
/** What every resolver is given: the API version of the request, for behaviour that differs between versions. */
export interface GraphqlContext { apiVersion: string }

const money = (amountMinor: number, currency: string) => {
  const m = { amount: toDecimalString(amountMinor, currency), currencyCode: currency };
  return { shopMoney: m, presentmentMoney: m };
};

const limit = <T>(items: readonly T[], first: number | null | undefined) => (first === undefined || first === null ? [...items] : items.slice(0, first));

function fulfillmentView(f: SimFulfillment) {
  const tracking = f.trackingNumber || f.trackingCompany ? [{ number: f.trackingNumber, company: f.trackingCompany, url: f.trackingUrl }] : [];
  return { __typename: 'Fulfillment', id: gid('Fulfillment', f.id), status: f.status, createdAt: f.createdAt, trackingInfo: (a: PageArgs) => limit(tracking, a.first) };
}

export function orderView(o: SimOrder, state: ShopifySimState, shopCurrency: string) {
  const t = totals(o);
  const c = o.currency;
  const a = o.shippingAddress;
  return {
    __typename: 'Order',
    id: gid('Order', o.id), legacyResourceId: String(o.id), name: o.name, createdAt: o.createdAt, updatedAt: o.updatedAt, processedAt: o.processedAt,
    cancelledAt: o.cancelledAt, cancelReason: o.cancelReason, closedAt: o.closedAt, email: o.email, phone: o.phone,
    displayFinancialStatus: o.financialStatus,
    displayFulfillmentStatus: (_args: unknown, context: GraphqlContext) => displayFulfillmentStatusIn(context.apiVersion, o),
    currencyCode: c, tags: o.tags, note: o.note, test: o.test,
    subtotalPriceSet: money(t.subtotalMinor, c), totalTaxSet: money(t.taxMinor, c), totalShippingPriceSet: money(t.shippingMinor, c),
    totalDiscountsSet: money(t.discountsMinor, c), totalPriceSet: money(t.totalMinor, c), totalOutstandingSet: money(t.outstandingMinor, c),
    customer: o.customer && { __typename: 'Customer', ...o.customer, id: gid('Customer', o.customer.id), legacyResourceId: String(o.customer.id) },
    shippingAddress: a && {
      ...a, countryCodeV2: a.countryCode, name: [a.firstName, a.lastName].filter(Boolean).join(' ') || null,
    },
    lineItems: (args: PageArgs) => connection(o.lineItems, args, (l) => {
      const variant = l.variantId === null ? undefined : state.variants.get(l.variantId);
      return {
        __typename: 'LineItem', id: gid('LineItem', l.id), sku: l.sku, title: l.title, name: l.title, quantity: l.quantity,
        currentQuantity: o.cancelledAt ? 0 : l.quantity, originalUnitPriceSet: money(l.unitPriceMinor, c),
        variant: variant ? variantView(variant, { state, currency: shopCurrency }) : null,
      };
    }),
    transactions: (args: PageArgs) => limit(o.transactions, args.first).map((tx) => ({
      __typename: 'OrderTransaction', id: gid('OrderTransaction', tx.id), kind: tx.kind, status: tx.status, gateway: tx.gateway,
      authorizationCode: tx.authorizationCode, amountSet: money(tx.amountMinor, c), createdAt: tx.createdAt, test: tx.test,
    })),
    fulfillmentOrders: (args: PageArgs) => connection(o.fulfillmentOrders, args, (f) => ({ __typename: 'FulfillmentOrder', id: gid('FulfillmentOrder', f.id), status: f.status })),
    fulfillments: (args: PageArgs) => limit(o.fulfillments, args.first).map(fulfillmentView),
  };
}

/** Runs a state change; a refusal becomes the payload's userErrors (in the list field Shopify uses). */
function mutate<T>(run: () => T, payload: (result: T) => Record<string, unknown>, empty: Record<string, unknown>, errorsField = 'userErrors') {
  try {
    return { ...payload(run()), [errorsField]: [] };
  } catch (err) {
    if (!(err instanceof UserErrors)) throw err;
    return { ...empty, [errorsField]: err.errors.map((e: UserError) => (errorsField === 'userErrors' ? { field: e.field, message: e.message } : e)) };
  }
}

/** The root value: Query and Mutation fields. */
export function rootResolvers(state: ShopifySimState, shopCurrency: string) {
  const catalogue: CatalogueContext = { state, currency: shopCurrency };
  const view = (o: SimOrder) => orderView(o, state, shopCurrency);
  const orderById = (id: string) => {
    const n = parseGid(id, 'Order');
    if (n === null && !/^gid:\/\/shopify\//.test(id)) throw new GraphQLError(`Invalid global id '${id}'`, { extensions: { code: 'INVALID_GLOBAL_ID' } });
    const order = n === null ? undefined : state.order(n);
    return order ? view(order) : null;
  };

  return {
    order: ({ id }: { id: string }) => orderById(id),
    orders: ordersResolver(() => state.orders.values(), view),
    node: ({ id }: { id: string }) => {
      const variant = parseGid(id, 'ProductVariant');
      if (variant !== null) {
        const v = state.variants.get(variant);
        return v ? variantView(v, catalogue) : null;
      }
      return orderById(id);
    },
    productVariants: (args: PageArgs & { query?: string | null }) =>
      connection(state.findVariants(args.query), args, (v) => variantView(v, catalogue)),
    ...inventoryResolvers(catalogue),

    orderCreate: ({ order, options }: { order: OrderCreateInput; options?: OrderCreateOptions | null }) =>
      mutate(() => state.createOrder(order, options ?? {}), (o) => ({ order: view(o) }), { order: null }),
    orderUpdate: ({ input }: { input: OrderUpdateInput }) =>
      mutate(() => state.updateOrder(input), (o) => ({ order: view(o) }), { order: null }),
    orderMarkAsPaid: ({ input }: { input: { id: string } }) =>
      mutate(() => state.markAsPaid(input.id), (o) => ({ order: view(o) }), { order: null }),
    tagsAdd: ({ id, tags }: { id: string; tags: string[] }) =>
      mutate(() => state.addTags(id, tags), (o) => ({ node: view(o) }), { node: null }),
    orderCancel: (args: OrderCancelArgs) => {
      // refundMethod replaced the deprecated refund flag in 2025-07; both are still accepted.
      const refund = args.refundMethod?.originalPaymentMethodsRefund ?? args.refund ?? false;
      const result = mutate(() => state.cancelOrder(args.orderId, { ...args, refund }), (r) => ({ job: { id: r.jobId, done: true } }), { job: null }, 'orderCancelUserErrors');
      // Shopify fills both lists; the older `userErrors` carries no codes.
      const errors = result.orderCancelUserErrors as UserError[];
      return { ...result, userErrors: errors.map((e) => ({ field: e.field, message: e.message })) };
    },
    fulfillmentCreate: ({ fulfillment }: { fulfillment: FulfillmentCreateInput }) =>
      mutate(() => state.createFulfillment(fulfillment), (f) => ({ fulfillment: fulfillmentView(f) }), { fulfillment: null }),
  };
}
