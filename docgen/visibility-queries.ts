/**
 * The visibility queries operators use in the Temporal UI's workflow list (and `temporal workflow list --query`).
 * The generator checks that every attribute a query names is one of ours (domain/search-attributes.ts) or one of
 * Temporal's own, so a renamed attribute cannot leave a query here that finds nothing.
 */
export const VISIBILITY_QUERIES: Array<{ query: string; finds: string }> = [
  { query: `ShopOrderNumber = '1002'`, finds: 'the flow of shop order #1002, in any shop (the number people quote; without `#`)' },
  { query: `ShopOrderNumber = '1002' AND SourceSystem = 'woocommerce'`, finds: 'the same, in one shop connection' },
  { query: `BusinessKey = 'shopify:order:5678'`, finds: 'the flow of Shopify order id 5678 (the shop\'s internal id, as in the workflow id)' },
  { query: `ErpRecord = 'SO-10001'`, finds: 'the flow that made ERP sales order SO-10001, and its payment\'s flow' },
  { query: `ErpRecord = 'C-1003'`, finds: 'the flow that bound ERP customer C-1003' },
  { query: `CustomerEmail = 'grace.hopper@navy.mil'`, finds: 'every lead and order flow of this email' },
  { query: `BusinessKey = 'stripe:payment:pi_123'`, finds: 'the flow of one payment' },
  { query: `BusinessKey = 'hubspot:contact:123'`, finds: 'every run for one CRM contact' },
  { query: `NeedsAttention = true`, finds: 'everything waiting for an operator\'s decision' },
  { query: `NeedsAttention = true AND Flow = 'order'`, finds: 'orders waiting for a decision' },
  { query: `Flow = 'order' AND FlowState = 'awaiting-shipment'`, finds: 'orders the warehouse can ship' },
  { query: `Flow = 'order' AND FlowState = 'awaiting-payment'`, finds: 'orders waiting for a payment' },
  { query: `Flow = 'lead' AND FlowState = 'waiting-operator'`, finds: 'lead flows waiting for a decision' },
  { query: `Flow = 'payment' AND FlowState = 'unmatched'`, finds: 'payments parked without an ERP order' },
  { query: `BusinessKey = 'shopify:inventory'`, finds: 'the inventory sync of the shop connection `shopify`' },
  { query: `Flow = 'order' AND ExecutionStatus = 'Failed'`, finds: 'failed order runs' },
  { query: `WorkflowId = 'order-shopify-5678'`, finds: 'one flow by its workflow id' },
];

/** Temporal's own search attributes that the queries above may use. */
export const BUILT_IN_ATTRIBUTES = ['WorkflowId', 'WorkflowType', 'ExecutionStatus', 'StartTime', 'CloseTime', 'RunId', 'TaskQueue'];
