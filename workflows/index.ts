/** Every workflow the worker registers. */
export { leadConversion } from './lead/workflow';
export { orderFulfilment } from './order/workflow';
export { paymentSettlement } from './payment/workflow';
export { payoutSettlement } from './payout/workflow';
export { paymentReconciliation } from './reconciliation/workflow';
export { inventorySync } from './inventory/workflow';
export { orderCatchup } from './catchup/workflow';
export { inventoryResyncRequest } from './inventory/resync-request';
export { syncAudit } from './audit/workflow';
