import { buildSchema, GraphQLError, Kind, type GraphQLScalarType, type GraphQLSchema, type ValueNode } from 'graphql';
import { INVENTORY_SDL } from './inventory-schema';
import { ORDER_LIST_SDL } from './order-list';

/**
 * The subset of Shopify's Admin GraphQL schema the simulator serves, in SDL with Shopify's own names, so that
 * graphql-js validates documents and coerces inputs exactly as a real GraphQL server would.
 */

export const SHOPIFY_SDL = /* GraphQL */ `
  scalar DateTime
  "A decimal serialized as a string, e.g. \\"19.99\\"."
  scalar Decimal

  enum CurrencyCode { AED AUD BHD BRL CAD CHF CLP CNY CZK DKK EUR GBP HKD HUF IDR ILS INR ISK JOD JPY KRW KWD MXN MYR NOK NZD OMR PHP PLN RON SEK SGD THB TND TRY TWD USD VND ZAR }
  enum CountryCode { AE AT AU BE BR CA CH CL CN CZ DE DK ES FI FR GB GR HK HU IE IL IN IS IT JP KR KW LU MX MY NL NO NZ PL PT RO SE SG TH TR US ZA }
  enum OrderDisplayFinancialStatus { PENDING AUTHORIZED PARTIALLY_PAID PAID PARTIALLY_REFUNDED REFUNDED VOIDED EXPIRED }
  enum OrderDisplayFulfillmentStatus {
    UNFULFILLED PARTIALLY_FULFILLED FULFILLED RESTOCKED PENDING_FULFILLMENT OPEN IN_PROGRESS ON_HOLD SCHEDULED REQUEST_DECLINED FULFILLMENT_NOT_REQUIRED
  }
  enum OrderCancelReason { CUSTOMER DECLINED FRAUD INVENTORY OTHER STAFF }
  enum OrderTransactionKind { AUTHORIZATION SALE CAPTURE VOID REFUND }
  enum OrderTransactionStatus { SUCCESS PENDING FAILURE ERROR AWAITING_RESPONSE UNKNOWN }
  enum OrderCreateFinancialStatus { PENDING AUTHORIZED PARTIALLY_PAID PAID PARTIALLY_REFUNDED REFUNDED VOIDED EXPIRED }
  enum OrderCreateInputsInventoryBehavior { BYPASS DECREMENT_IGNORING_POLICY DECREMENT_OBEYING_POLICY }
  enum FulfillmentOrderStatus { OPEN IN_PROGRESS CANCELLED INCOMPLETE CLOSED SCHEDULED ON_HOLD }
  enum FulfillmentStatus { SUCCESS CANCELLED ERROR FAILURE OPEN PENDING }
  enum OrderCancelUserErrorCode { INVALID NOT_FOUND NO_REFUND_PERMISSION }

  interface Node { id: ID! }

  type PageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }
  type MoneyV2 { amount: Decimal! currencyCode: CurrencyCode! }
  type MoneyBag { shopMoney: MoneyV2! presentmentMoney: MoneyV2! }

  type Customer implements Node { id: ID! legacyResourceId: String! email: String firstName: String lastName: String phone: String }
  type MailingAddress {
    name: String firstName: String lastName: String address1: String address2: String city: String zip: String
    province: String provinceCode: String countryCodeV2: CountryCode phone: String company: String
  }

  type ProductVariant implements Node { id: ID! legacyResourceId: String! sku: String title: String! price: Decimal! inventoryQuantity: Int }
  type ProductVariantEdge { cursor: String! node: ProductVariant! }
  type ProductVariantConnection { nodes: [ProductVariant!]! edges: [ProductVariantEdge!]! pageInfo: PageInfo! }

  type LineItem implements Node {
    id: ID! sku: String title: String! name: String! quantity: Int! currentQuantity: Int!
    originalUnitPriceSet: MoneyBag! variant: ProductVariant
  }
  type LineItemEdge { cursor: String! node: LineItem! }
  type LineItemConnection { nodes: [LineItem!]! edges: [LineItemEdge!]! pageInfo: PageInfo! }

  type OrderTransaction implements Node {
    id: ID! kind: OrderTransactionKind! status: OrderTransactionStatus! gateway: String authorizationCode: String
    amountSet: MoneyBag! createdAt: DateTime! test: Boolean!
  }

  type FulfillmentOrder implements Node { id: ID! status: FulfillmentOrderStatus! }
  type FulfillmentOrderEdge { cursor: String! node: FulfillmentOrder! }
  type FulfillmentOrderConnection { nodes: [FulfillmentOrder!]! edges: [FulfillmentOrderEdge!]! pageInfo: PageInfo! }

  type FulfillmentTrackingInfo { number: String company: String url: String }
  type Fulfillment implements Node { id: ID! status: FulfillmentStatus! createdAt: DateTime! trackingInfo(first: Int): [FulfillmentTrackingInfo!]! }

  type Order implements Node {
    id: ID! legacyResourceId: String! name: String! createdAt: DateTime! updatedAt: DateTime! processedAt: DateTime!
    cancelledAt: DateTime cancelReason: OrderCancelReason closedAt: DateTime email: String phone: String
    displayFinancialStatus: OrderDisplayFinancialStatus displayFulfillmentStatus: OrderDisplayFulfillmentStatus!
    currencyCode: CurrencyCode! tags: [String!]! note: String test: Boolean!
    subtotalPriceSet: MoneyBag totalTaxSet: MoneyBag totalShippingPriceSet: MoneyBag! totalDiscountsSet: MoneyBag
    totalPriceSet: MoneyBag! totalOutstandingSet: MoneyBag!
    customer: Customer shippingAddress: MailingAddress
    lineItems(first: Int, after: String): LineItemConnection!
    transactions(first: Int): [OrderTransaction!]!
    fulfillmentOrders(first: Int, after: String): FulfillmentOrderConnection!
    fulfillments(first: Int): [Fulfillment!]!
  }

  type Query {
    order(id: ID!): Order
    node(id: ID!): Node
    productVariants(first: Int, after: String, query: String): ProductVariantConnection!
  }

  type UserError { field: [String!] message: String! }
  type OrderCancelUserError { field: [String!] message: String! code: OrderCancelUserErrorCode }
  type Job { id: ID! done: Boolean! }

  input MoneyInput { amount: Decimal! currencyCode: CurrencyCode! }
  input MoneyBagInput { shopMoney: MoneyInput! presentmentMoney: MoneyInput }
  input MailingAddressInput {
    firstName: String lastName: String address1: String address2: String city: String zip: String
    province: String provinceCode: String countryCode: CountryCode phone: String company: String
  }
  input CustomerUpsertInput { email: String firstName: String lastName: String phone: String }
  input OrderCreateAssociateCustomerAttributesInput { id: ID! }
  input OrderCreateCustomerInput { toUpsert: CustomerUpsertInput toAssociate: OrderCreateAssociateCustomerAttributesInput }
  input OrderCreateLineItemInput {
    variantId: ID sku: String title: String quantity: Int! priceSet: MoneyBagInput requiresShipping: Boolean taxable: Boolean
  }
  input OrderCreateOrderTransactionInput {
    kind: OrderTransactionKind = SALE status: OrderTransactionStatus = SUCCESS gateway: String = "manual"
    authorizationCode: String amountSet: MoneyBagInput! processedAt: DateTime test: Boolean = false
  }
  input OrderCreateShippingLineInput { title: String! code: String priceSet: MoneyBagInput! }
  input OrderCreateTaxLineInput { title: String! rate: Decimal! priceSet: MoneyBagInput }
  input OrderCreateFixedDiscountCodeAttributesInput { code: String! amountSet: MoneyBagInput }
  input OrderCreatePercentageDiscountCodeAttributesInput { code: String! percentage: Float }
  input OrderCreateFreeShippingDiscountCodeAttributesInput { code: String! }
  input OrderCreateDiscountCodeInput {
    itemFixedDiscountCode: OrderCreateFixedDiscountCodeAttributesInput
    itemPercentageDiscountCode: OrderCreatePercentageDiscountCodeAttributesInput
    freeShippingDiscountCode: OrderCreateFreeShippingDiscountCodeAttributesInput
  }
  input OrderCreateOrderInput {
    email: String phone: String currency: CurrencyCode lineItems: [OrderCreateLineItemInput!]
    shippingAddress: MailingAddressInput customer: OrderCreateCustomerInput financialStatus: OrderCreateFinancialStatus
    transactions: [OrderCreateOrderTransactionInput!] shippingLines: [OrderCreateShippingLineInput!]
    taxLines: [OrderCreateTaxLineInput!] discountCode: OrderCreateDiscountCodeInput tags: [String!] note: String
    processedAt: DateTime test: Boolean
  }
  input OrderCreateOptionsInput {
    inventoryBehaviour: OrderCreateInputsInventoryBehavior = BYPASS sendReceipt: Boolean = false sendFulfillmentReceipt: Boolean = false
  }
  input OrderInput { id: ID! note: String tags: [String!] email: String shippingAddress: MailingAddressInput }
  input OrderMarkAsPaidInput { id: ID! }
  "Refunds to store credit (storeCreditRefund) are not simulated."
  input OrderCancelRefundMethodInput { originalPaymentMethodsRefund: Boolean }
  input FulfillmentTrackingInput { number: String company: String url: String }
  input FulfillmentOrderLineItemsInput { fulfillmentOrderId: ID! }
  input FulfillmentInput {
    lineItemsByFulfillmentOrder: [FulfillmentOrderLineItemsInput!]! trackingInfo: FulfillmentTrackingInput notifyCustomer: Boolean
  }

  type OrderCreatePayload { order: Order userErrors: [UserError!]! }
  type OrderUpdatePayload { order: Order userErrors: [UserError!]! }
  type OrderMarkAsPaidPayload { order: Order userErrors: [UserError!]! }
  type TagsAddPayload { node: Node userErrors: [UserError!]! }
  type OrderCancelPayload { job: Job orderCancelUserErrors: [OrderCancelUserError!]! userErrors: [UserError!]! }
  type FulfillmentCreatePayload { fulfillment: Fulfillment userErrors: [UserError!]! }

  type Mutation {
    orderCreate(order: OrderCreateOrderInput!, options: OrderCreateOptionsInput): OrderCreatePayload
    orderUpdate(input: OrderInput!): OrderUpdatePayload
    orderMarkAsPaid(input: OrderMarkAsPaidInput!): OrderMarkAsPaidPayload
    tagsAdd(id: ID!, tags: [String!]!): TagsAddPayload
    orderCancel(
      orderId: ID! reason: OrderCancelReason! refund: Boolean @deprecated(reason: "Use refundMethod instead.")
      refundMethod: OrderCancelRefundMethodInput restock: Boolean! notifyCustomer: Boolean = false staffNote: String
    ): OrderCancelPayload
    fulfillmentCreate(fulfillment: FulfillmentInput!, message: String): FulfillmentCreatePayload
  }
`;

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** Decimal arrives as "19.99" (Shopify's form) or a JSON number; either way it is kept as exact text. */
function parseDecimal(value: unknown): string {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string' || !DECIMAL.test(text.trim())) throw new GraphQLError(`Decimal must be a decimal number, got ${JSON.stringify(value)}`);
  return text.trim();
}

function parseDecimalLiteral(node: ValueNode): string {
  if (node.kind === Kind.STRING || node.kind === Kind.INT || node.kind === Kind.FLOAT) return parseDecimal(node.value);
  throw new GraphQLError('Decimal must be a string or number literal');
}

/** Builds the executable schema; resolvers live on the root value (see resolvers.ts). */
export function buildShopifySchema(): GraphQLSchema {
  const schema = buildSchema(SHOPIFY_SDL + INVENTORY_SDL + ORDER_LIST_SDL);
  const decimal = schema.getType('Decimal') as GraphQLScalarType;
  decimal.parseValue = parseDecimal;
  decimal.parseLiteral = parseDecimalLiteral;
  return schema;
}
