-- The version of the shop order (the shop's last change, a UTC instant) the sales order was made from: its flow read
-- the order at that version. The order catch-up counts it with the versions events brought, so an order whose flow
-- is still on its way to our write of the ERP number is not handed that version again.
ALTER TABLE erp.sales_order ADD COLUMN source_version timestamptz;
