-- The payment the shop order's checkout named (e.g. a Stripe PaymentIntent), kept on the ERP order from its creation:
-- a payment flow that finds no order by its own reference then finds the order naming it, and never takes another
-- order of the same amount that names a different payment.
ALTER TABLE erp.sales_order ADD COLUMN payment_reference text;
CREATE INDEX sales_order_payment_reference ON erp.sales_order (payment_reference) WHERE payment_reference IS NOT NULL;
