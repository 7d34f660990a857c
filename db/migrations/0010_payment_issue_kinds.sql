-- Issues raised by the payment flow (a disputed payment) and the scheduled reconciliation (a run's differences).
ALTER TABLE integration.issue DROP CONSTRAINT IF EXISTS issue_kind_check;
ALTER TABLE integration.issue ADD CONSTRAINT issue_kind_check
  CHECK (kind IN ('step-failed', 'ambiguous-match', 'invalid-data', 'overdue', 'refused-cancellation', 'dispute', 'reconciliation'));
