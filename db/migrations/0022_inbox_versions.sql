-- The version of its object whose content an event brings to its flow (the vendor's last-modified instant: shop
-- order creations, updates and cancellations; cleared when the relay takes the event for the echo of our own write,
-- which is not handed over). The order catch-up compares the versions a shop lists with these, to hand over a change
-- whose webhook never came. Only rows with a version are indexed: a contact's or a payment's event costs nothing
-- more to store.
ALTER TABLE integration.webhook_inbox ADD COLUMN source_version timestamptz;
CREATE INDEX webhook_inbox_announced_versions ON integration.webhook_inbox (business_key, source_version)
  WHERE source_version IS NOT NULL;
