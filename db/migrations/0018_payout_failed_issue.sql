-- A payout the bank returned is a notice for finance (issue kind 'payout-failed'), raised once per payout.
ALTER TABLE integration.issue DROP CONSTRAINT IF EXISTS issue_kind_check;
ALTER TABLE integration.issue ADD CONSTRAINT issue_kind_check
  CHECK (kind IN ('step-failed', 'ambiguous-match', 'invalid-data', 'overdue', 'refused-cancellation', 'dispute', 'reconciliation', 'sync-audit',
                  'payout-failed'));
CREATE INDEX issue_kind_business_key ON integration.issue (kind, business_key);
