/** Every workflow the worker registers. */
export { leadConversion } from './lead-conversion';
export { orderFulfilment } from './order-fulfilment';
