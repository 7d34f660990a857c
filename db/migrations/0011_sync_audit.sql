-- The data synchronisation audit: a scheduled run compares each connected system with the ERP (the reference) for
-- customers, orders, payments and stock, records every difference with both sides, heals what it safely can, and
-- writes the data synchronisation accuracy KPI (matching / compared records, per entity and overall).

CREATE TABLE integration.audit_run (
  id            bigserial PRIMARY KEY,
  -- The Temporal run that made it: a retried "start" finds its run instead of making a second one.
  workflow_id   text NOT NULL,
  workflow_run  text NOT NULL UNIQUE,
  started_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  status        text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'failed')),
  -- Records touched in [window_from, window_to) are compared (stock: all of it).
  window_from   timestamptz NOT NULL,
  window_to     timestamptz NOT NULL,
  discrepancies integer NOT NULL DEFAULT 0 CHECK (discrepancies >= 0),
  healed        integer NOT NULL DEFAULT 0 CHECK (healed >= 0),
  CHECK ((status = 'running') = (finished_at IS NULL))
);
CREATE INDEX audit_run_started_idx ON integration.audit_run (started_at);

-- The KPI: one row per entity and run, and one 'overall' row summing them.
CREATE TABLE integration.audit_accuracy (
  run_id       bigint NOT NULL REFERENCES integration.audit_run (id) ON DELETE CASCADE,
  entity       text NOT NULL CHECK (entity IN ('customers', 'orders', 'payments', 'stock', 'overall')),
  compared     integer NOT NULL CHECK (compared >= 0),
  matching     integer NOT NULL CHECK (matching >= 0 AND matching <= compared),
  -- matching / compared; 1 when nothing was compared (nothing disagrees).
  accuracy     numeric NOT NULL CHECK (accuracy >= 0 AND accuracy <= 1),
  measured_at  timestamptz NOT NULL,
  PRIMARY KEY (run_id, entity)
);
CREATE INDEX audit_accuracy_latest_idx ON integration.audit_accuracy (entity, measured_at DESC);

-- Each difference a run found, with both sides as the run saw them, and whether the engine healed it.
CREATE TABLE integration.audit_discrepancy (
  id           bigserial PRIMARY KEY,
  run_id       bigint NOT NULL REFERENCES integration.audit_run (id) ON DELETE CASCADE,
  entity       text NOT NULL CHECK (entity IN ('customers', 'orders', 'payments', 'stock')),
  connection   text NOT NULL REFERENCES integration.connection (id),
  -- The business key of the record, e.g. 'hubspot:contact:123', 'shopify:order:1042', 'stripe:payment:pi_1', 'woocommerce:stock:TEE'.
  subject      text NOT NULL,
  kind         text NOT NULL,
  erp          jsonb,
  vendor       jsonb,
  -- The healing the engine may apply by itself (null: an operator's), and whether it was applied.
  heal         text CHECK (heal IN ('start-order-flow', 'start-payment-flow', 'restart-lead-flow', 'repush-stock')),
  healed       boolean NOT NULL DEFAULT false,
  healed_at    timestamptz,
  detected_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (run_id, entity, connection, subject, kind),
  CHECK (healed = (healed_at IS NOT NULL)),
  CHECK (NOT healed OR heal IS NOT NULL)
);
CREATE INDEX audit_discrepancy_subject_idx ON integration.audit_discrepancy (subject, detected_at);

-- What a run read from the vendors, page by page: a retried read stages the same rows again (idempotent), and the
-- comparison is set-based SQL against the ERP. Emptied when the run completes.
CREATE TABLE integration.audit_vendor_record (
  run_id      bigint NOT NULL REFERENCES integration.audit_run (id) ON DELETE CASCADE,
  entity      text NOT NULL CHECK (entity IN ('customers', 'orders', 'payments', 'stock')),
  connection  text NOT NULL,
  subject_id  text NOT NULL,
  data        jsonb NOT NULL,
  PRIMARY KEY (run_id, entity, connection, subject_id)
);

ALTER TABLE integration.issue DROP CONSTRAINT IF EXISTS issue_kind_check;
ALTER TABLE integration.issue ADD CONSTRAINT issue_kind_check
  CHECK (kind IN ('step-failed', 'ambiguous-match', 'invalid-data', 'overdue', 'refused-cancellation', 'dispute', 'reconciliation', 'sync-audit'));
