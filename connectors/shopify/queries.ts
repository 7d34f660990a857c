/**
 * The Admin GraphQL documents the connector sends. Each has an operation name: the client remembers the cost
 * Shopify charged per operation to pace itself, and the names make the simulator's and Shopify's logs readable.
 * Page sizes are kept small on purpose, since the requested cost grows with `first`.
 */

export interface GraphqlOperation {
  name: string;
  query: string;
  /** The requested cost when it is fixed by the document alone: lets the client pace the very first call. */
  expectedCost?: number;
}

const op = (name: string, query: string): GraphqlOperation => ({ name, query });

/** Lines per page; an order with more is read page by page (ORDER_LINE_ITEMS). */
export const LINE_ITEMS_PAGE = 50;

const MONEY = 'shopMoney { amount currencyCode }';

const LINE_ITEM_FIELDS = `id sku title quantity originalUnitPriceSet { ${MONEY} } variant { id sku }`;

export const ORDER_FIELDS = /* GraphQL */ `
  fragment OrderFields on Order {
    id legacyResourceId name createdAt updatedAt cancelledAt cancelReason email
    displayFinancialStatus displayFulfillmentStatus currencyCode tags note
    subtotalPriceSet { ${MONEY} }
    totalTaxSet { ${MONEY} }
    totalShippingPriceSet { ${MONEY} }
    totalDiscountsSet { ${MONEY} }
    totalPriceSet { ${MONEY} }
    customer { id email firstName lastName phone }
    shippingAddress { name address1 address2 city zip province countryCodeV2 phone }
    lineItems(first: ${LINE_ITEMS_PAGE}) { nodes { ${LINE_ITEM_FIELDS} } pageInfo { hasNextPage endCursor } }
    transactions(first: 50) { id kind status gateway authorizationCode amountSet { ${MONEY} } }
    fulfillmentOrders(first: 10) { nodes { id status } }
    fulfillments(first: 10) { id status trackingInfo(first: 5) { number company } }
  }
`;

export const GET_ORDER = op('GetOrder', /* GraphQL */ `
  query GetOrder($id: ID!) { order(id: $id) { ...OrderFields } }
  ${ORDER_FIELDS}
`);

export const ORDER_LINE_ITEMS = op('OrderLineItems', /* GraphQL */ `
  query OrderLineItems($id: ID!, $after: String) {
    order(id: $id) {
      lineItems(first: ${LINE_ITEMS_PAGE}, after: $after) { nodes { ${LINE_ITEM_FIELDS} } pageInfo { hasNextPage endCursor } }
    }
  }
`);

/** What the idempotent cancel and fulfil need to know before acting. */
export const ORDER_STATE = op('OrderState', /* GraphQL */ `
  query OrderState($id: ID!) {
    order(id: $id) { id cancelledAt displayFulfillmentStatus fulfillmentOrders(first: 20) { nodes { id status } } }
  }
`);

export const ORDER_CREATE = op('OrderCreate', /* GraphQL */ `
  mutation OrderCreate($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
    orderCreate(order: $order, options: $options) { order { ...OrderFields } userErrors { field message } }
  }
  ${ORDER_FIELDS}
`);

export const TAGS_ADD = op('TagsAdd', /* GraphQL */ `
  mutation TagsAdd($id: ID!, $tags: [String!]!) {
    tagsAdd(id: $id, tags: $tags) { node { ... on Order { ...OrderFields } } userErrors { field message } }
  }
  ${ORDER_FIELDS}
`);

export const ORDER_UPDATE = op('OrderUpdate', /* GraphQL */ `
  mutation OrderUpdate($input: OrderInput!) {
    orderUpdate(input: $input) { order { id } userErrors { field message } }
  }
`);

/** `refundMethod` replaces the deprecated `refund: Boolean` (api-version.ts). */
export const ORDER_CANCEL = op('OrderCancel', /* GraphQL */ `
  mutation OrderCancel(
    $orderId: ID!, $reason: OrderCancelReason!, $refundMethod: OrderCancelRefundMethodInput!, $restock: Boolean!, $notifyCustomer: Boolean
  ) {
    orderCancel(orderId: $orderId, reason: $reason, refundMethod: $refundMethod, restock: $restock, notifyCustomer: $notifyCustomer) {
      job { id done }
      orderCancelUserErrors { field message code }
    }
  }
`);

export const FULFILLMENT_CREATE = op('FulfillmentCreate', /* GraphQL */ `
  mutation FulfillmentCreate($fulfillment: FulfillmentInput!) {
    fulfillmentCreate(fulfillment: $fulfillment) { fulfillment { id status } userErrors { field message } }
  }
`);

export const ORDER_MARK_AS_PAID = op('OrderMarkAsPaid', /* GraphQL */ `
  mutation OrderMarkAsPaid($input: OrderMarkAsPaidInput!) {
    orderMarkAsPaid(input: $input) { order { id displayFinancialStatus } userErrors { field message } }
  }
`);

export const PRODUCT_VARIANTS = op('ProductVariants', /* GraphQL */ `
  query ProductVariants($first: Int!, $after: String, $query: String) {
    productVariants(first: $first, after: $after, query: $query) {
      nodes { id sku inventoryQuantity }
      pageInfo { hasNextPage endCursor }
    }
  }
`);
