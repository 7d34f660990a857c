-- The version of the order after our own write, when the order flow saw that the write changed nothing else (the
-- order as the shop answered the write has the content the flow holds): the flow has that version. The order
-- catch-up counts it with the versions events brought, so the announcement of our write, which is not handed to the
-- flow, costs no second read of the order.
ALTER TABLE integration.shop_write_echo ADD COLUMN brought_version timestamptz;
