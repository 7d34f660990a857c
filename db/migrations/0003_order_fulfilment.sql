-- What the order flow needs beyond the core schema: its statuses, the shop's order name, the default warehouse.
ALTER TABLE erp.sales_order DROP CONSTRAINT sales_order_status_check;
ALTER TABLE erp.sales_order ADD CONSTRAINT sales_order_status_check
  CHECK (status IN ('draft', 'reserved', 'backordered', 'paid', 'invoiced', 'fulfilled', 'cancelled'));
ALTER TABLE erp.sales_order ADD COLUMN source_reference text;   -- the shop's own order name, e.g. "#1042"
ALTER TABLE erp.sales_order ADD COLUMN created_by text;          -- workflow id, so only its own compensation cancels it
ALTER TABLE erp.sales_order ADD COLUMN fulfilled_at timestamptz;

ALTER TABLE erp.payment ADD COLUMN sales_order_id bigint REFERENCES erp.sales_order (id);
ALTER TABLE erp.payment DROP CONSTRAINT payment_status_check;
ALTER TABLE erp.payment ADD CONSTRAINT payment_status_check CHECK (status IN ('authorized', 'captured', 'cancelled', 'failed', 'refunded'));

INSERT INTO erp.stock_location (code, name) VALUES ('MAIN', 'Main warehouse') ON CONFLICT (code) DO NOTHING;

-- What the dispatcher did with an event: started or signalled a flow, or why the flow refused it (kept for operators).
ALTER TABLE integration.webhook_inbox ADD COLUMN outcome text;
