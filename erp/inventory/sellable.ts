/**
 * What a shop may sell of a SKU at a location: on hand, less what open orders reserved, less the safety stock the
 * business holds back, never below zero. The SQL function `erp.sellable_quantity` applies the same rule.
 */
export interface StockPosition { onHand: number; reserved: number; safetyStock: number }

export function sellableQuantity(p: StockPosition): number {
  return Math.max(p.onHand - p.reserved - p.safetyStock, 0);
}
