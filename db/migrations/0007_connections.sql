-- Connections: which vendor serves which role (shop, payments, CRM) under which id. A business may run two shops at
-- once feeding the same ERP; bindings, inbox rows and business keys name the connection, never a hard-coded vendor.
-- Today's data already uses the connection ids 'hubspot', 'shopify' and 'stripe' (one connection per vendor, named
-- after it), so the move is: register those three, and let the bindings and the inbox refer to registered
-- connections instead of a fixed list of vendor names.
CREATE TABLE integration.connection (
  id            text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9-]{0,39}$'),
  role          text NOT NULL CHECK (role IN ('shop', 'payments', 'crm')),
  vendor        text NOT NULL CHECK (vendor ~ '^[a-z][a-z0-9-]{0,39}$'),
  registered_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO integration.connection (id, role, vendor) VALUES ('hubspot', 'crm', 'hubspot'), ('shopify', 'shop', 'shopify'), ('stripe', 'payments', 'stripe');

ALTER TABLE integration.webhook_inbox DROP CONSTRAINT webhook_inbox_provider_check;
ALTER TABLE integration.webhook_inbox ADD CONSTRAINT webhook_inbox_connection_fk FOREIGN KEY (provider) REFERENCES integration.connection (id);
COMMENT ON COLUMN integration.webhook_inbox.provider IS 'the connection the webhook arrived for (integration.connection.id)';

ALTER TABLE erp.external_ref DROP CONSTRAINT external_ref_system_check;
ALTER TABLE erp.external_ref ADD CONSTRAINT external_ref_connection_fk FOREIGN KEY (system) REFERENCES integration.connection (id);
COMMENT ON COLUMN erp.external_ref.system IS 'the connection whose id this is (integration.connection.id)';
