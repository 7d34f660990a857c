-- The version of its object a webhook announced (the vendor's last-modified instant, where the event carries one:
-- shop order events). The order catch-up compares the versions a shop lists with those announced, to hand over a
-- change whose webhook never came. Only rows with a version are indexed: a contact's or a payment's event costs
-- nothing more to store.
ALTER TABLE integration.webhook_inbox ADD COLUMN source_version timestamptz;
CREATE INDEX webhook_inbox_announced_versions ON integration.webhook_inbox (business_key, source_version)
  WHERE source_version IS NOT NULL;
