import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes every flow sets, so an operator can find "order 1042" or "contact 77" in the Temporal UI. */
export const BusinessKey = defineSearchAttributeKey('BusinessKey', SearchAttributeType.KEYWORD);
export const Flow = defineSearchAttributeKey('Flow', SearchAttributeType.KEYWORD);
export const SourceSystem = defineSearchAttributeKey('SourceSystem', SearchAttributeType.KEYWORD);
export const FlowState = defineSearchAttributeKey('FlowState', SearchAttributeType.KEYWORD);
export const NeedsAttention = defineSearchAttributeKey('NeedsAttention', SearchAttributeType.BOOL);
export const ErpRecord = defineSearchAttributeKey('ErpRecord', SearchAttributeType.KEYWORD);
export const CustomerEmail = defineSearchAttributeKey('CustomerEmail', SearchAttributeType.KEYWORD);
/** The shop's own order number without '#', e.g. 1042: what a customer quotes on the phone. */
export const ShopOrderNumber = defineSearchAttributeKey('ShopOrderNumber', SearchAttributeType.KEYWORD);

/** The SKUs an inventory sync pushed lately (its last 100), so "which sync moved SKU X" is one visibility query. */
export const StockSkus = defineSearchAttributeKey('StockSkus', SearchAttributeType.KEYWORD_LIST);

export const ALL_SEARCH_ATTRIBUTES = [BusinessKey, Flow, SourceSystem, FlowState, NeedsAttention, ErpRecord, CustomerEmail, ShopOrderNumber, StockSkus];

/** The type's name as the Temporal CLI and UI spell it (`--search-attribute Name=Type`). */
export function cliTypeName(key: { type: SearchAttributeType | string }): 'Bool' | 'Keyword' | 'KeywordList' {
  if (key.type === SearchAttributeType.BOOL) return 'Bool';
  return key.type === SearchAttributeType.KEYWORD_LIST ? 'KeywordList' : 'Keyword';
}
