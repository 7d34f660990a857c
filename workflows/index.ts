/** Every workflow the worker registers. */
export { leadConversion } from './lead/workflow';
export { orderFulfilment } from './order/workflow';
