-- A write of ours to a shop order that the shop will announce back as an order update (Shopify's orders/updated for
-- the ERP tag, WooCommerce's order.updated for its meta): the order flow records it before writing, keyed by the
-- mark the write leaves on the order; the relay lets the first update showing that mark stand for the write and does
-- not hand it to the flow (consumed_by names that inbox row). One expectation per order and mark, ever: a retried
-- write expects nothing more.
CREATE TABLE integration.shop_write_echo (
  shop text NOT NULL,
  shop_order_id text NOT NULL,
  mark text NOT NULL,
  expected_at timestamptz NOT NULL DEFAULT now(),
  consumed_at timestamptz,
  consumed_by bigint,
  PRIMARY KEY (shop, shop_order_id, mark)
);
CREATE INDEX shop_write_echo_expected_at ON integration.shop_write_echo (expected_at);
-- An update is taken for our write only when no earlier event of its order waits in the inbox (several relays may
-- hold rows of one order at once): found through this index. Only order events are in it, so storing a contact's
-- or a payment's event costs no more than before.
CREATE INDEX webhook_inbox_pending_order ON integration.webhook_inbox (business_key, id)
  WHERE status = 'pending' AND business_key LIKE '%:order:%';
