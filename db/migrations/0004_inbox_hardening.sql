-- Inbox hardening: events we do not handle are kept as `ignored`; a row that keeps failing for a reason other than
-- Temporal being unreachable becomes `failed`; finished rows can be pruned; quarantine keeps one row per payload.

ALTER TABLE integration.webhook_inbox DROP CONSTRAINT IF EXISTS webhook_inbox_status_check;
ALTER TABLE integration.webhook_inbox ADD CONSTRAINT webhook_inbox_status_check
  CHECK (status IN ('pending', 'dispatched', 'unrouted', 'failed', 'ignored'));
-- Failed hand-overs that were not an outage; `attempts` counts every claim, outages included.
ALTER TABLE integration.webhook_inbox ADD COLUMN failures integer NOT NULL DEFAULT 0;
-- Retention deletes finished rows by age.
CREATE INDEX webhook_inbox_prunable_idx ON integration.webhook_inbox (received_at) WHERE status IN ('dispatched', 'ignored');

-- Quarantine: a redelivered payload bumps a counter instead of adding a row.
ALTER TABLE integration.quarantine ADD COLUMN fingerprint text;
ALTER TABLE integration.quarantine ADD COLUMN occurrences integer NOT NULL DEFAULT 1 CHECK (occurrences >= 1);
ALTER TABLE integration.quarantine ADD COLUMN last_seen_at timestamptz;
-- Same fingerprint as domain/webhooks/events.ts `deliveryFingerprint`.
UPDATE integration.quarantine SET last_seen_at = received_at, fingerprint = encode(sha256(
  CASE WHEN source = 'shopify'
       THEN convert_to(coalesce(headers->>'x-shopify-topic', '') || E'\n' || coalesce(headers->>'x-shopify-webhook-id', '') || E'\n', 'UTF8')
       ELSE ''::bytea END || raw_body), 'hex');
WITH grouped AS (
  SELECT min(id) AS keep, source, fingerprint, count(*)::int AS n, max(received_at) AS last_seen
    FROM integration.quarantine GROUP BY source, fingerprint HAVING count(*) > 1
), merged AS (
  UPDATE integration.quarantine q SET occurrences = g.n, last_seen_at = g.last_seen
    FROM grouped g WHERE q.id = g.keep RETURNING q.id
)
DELETE FROM integration.quarantine q USING grouped g
 WHERE q.source = g.source AND q.fingerprint = g.fingerprint AND q.id <> g.keep;
ALTER TABLE integration.quarantine ALTER COLUMN fingerprint SET NOT NULL;
ALTER TABLE integration.quarantine ALTER COLUMN last_seen_at SET NOT NULL;
ALTER TABLE integration.quarantine ALTER COLUMN last_seen_at SET DEFAULT now();
CREATE UNIQUE INDEX quarantine_payload_uq ON integration.quarantine (source, fingerprint);
