/**
 * What each custom search attribute (domain/search-attributes.ts) holds and who sets it, for the documents. The
 * generator refuses to run when an attribute has no entry here, so a new attribute cannot go undocumented.
 */
export const SEARCH_ATTRIBUTE_DOCS: Record<string, { setBy: string; values: string }> = {
  BusinessKey: {
    setBy: 'the dispatcher (or the schedule, the catch-up, the audit) at start',
    values: '`<crm connection>:contact:<id>` (`hubspot:contact:123`), `<shop connection>:order:<id>` (`shopify:order:5678`), `<payments connection>:payment:<id>`, `<payments connection>:payout:<id>`, `<shop>:inventory`, `<payments>:reconciliation`',
  },
  Flow: { setBy: 'the dispatcher or the schedule at start', values: '`lead`, `order`, `payment`, `payout`, `inventory`, `reconciliation`, …' },
  SourceSystem: { setBy: 'the dispatcher or the schedule at start', values: 'the connection id: `hubspot`, `shopify`, `woocommerce`, `stripe`, …' },
  FlowState: {
    setBy: 'the dispatcher (`running`), then `FlowRuntime.setState`',
    values: 'the flow\'s state: `running`, `waiting-operator`, `awaiting-payment`, `awaiting-shipment`, `fulfilled`, `converted`, `unmatched`, `compensated`, `cancelled`, …',
  },
  NeedsAttention: {
    setBy: '`FlowRuntime.ask`',
    values: '`true` while the flow waits for an operator\'s decision, `false` after; unset on flows that never asked (notices do not set it)',
  },
  ErpRecord: {
    setBy: '`FlowRuntime.setErpRecord` once the ERP record exists',
    values: 'ERP customer number (`C-1001`), sales order number (`SO-10001`, also on its payment\'s flow), `payout <id>`, `reconciliation-run-<id>`',
  },
  CustomerEmail: { setBy: 'the lead flow after validation; the order flow after fetch-order', values: 'the normalised email (trimmed, lower-case)' },
  ShopOrderNumber: { setBy: 'the order flow after fetch-order', values: 'the shop\'s order number as people quote it, without `#`: `1042` for `#1042`' },
  StockSkus: { setBy: 'the inventory sync after each round it pushed', values: 'the last 100 SKUs it pushed, newest first: `StockSkus = "TEE-BLK-M"`' },
};
