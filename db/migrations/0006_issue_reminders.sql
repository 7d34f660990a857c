-- Waits for a person have limits: an unanswered issue is raised again (reminded), and some issues only inform.
ALTER TABLE integration.issue ADD COLUMN reminders integer NOT NULL DEFAULT 0;
ALTER TABLE integration.issue ADD COLUMN last_reminded_at timestamptz;

ALTER TABLE integration.issue DROP CONSTRAINT IF EXISTS issue_kind_check;
ALTER TABLE integration.issue ADD CONSTRAINT issue_kind_check
  CHECK (kind IN ('step-failed', 'ambiguous-match', 'invalid-data', 'overdue', 'refused-cancellation'));
