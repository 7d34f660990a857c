-- Money after the capture: each payment's fee and net from the provider's balance transaction, refunds credited on
-- the invoice, disputes, payouts with their lines, and the scheduled reconciliation that proves the ERP and the
-- provider agree. Every provider object is keyed by its provider id, so a retried write lands once.

-- Payments: what the provider's settlement record says. amount/currency stay as the ERP booked them, so that a
-- provider disagreeing shows up in reconciliation instead of being copied over.
ALTER TABLE erp.payment ADD COLUMN provider_charge_id text;
ALTER TABLE erp.payment ADD COLUMN provider_balance_txn_id text;
ALTER TABLE erp.payment ADD COLUMN net_minor bigint;
ALTER TABLE erp.payment ADD COLUMN provider_captured_at timestamptz;  -- the provider's capture time (KPI start)
CREATE UNIQUE INDEX payment_charge_uq ON erp.payment (provider, provider_charge_id) WHERE provider_charge_id IS NOT NULL;
CREATE UNIQUE INDEX payment_balance_txn_uq ON erp.payment (provider, provider_balance_txn_id) WHERE provider_balance_txn_id IS NOT NULL;
CREATE INDEX payment_captured_at_idx ON erp.payment (captured_at);
-- Free space on each page makes "mark reconciled" a HOT update: no index entry is rewritten (reconciled_at is in none).
ALTER TABLE erp.payment SET (fillfactor = 85);

ALTER TABLE erp.refund ADD COLUMN provider_balance_txn_id text;
-- 'engine': we asked for it (our idempotency key in its metadata); 'external': the dashboard or another integration.
ALTER TABLE erp.refund ADD COLUMN origin text NOT NULL DEFAULT 'engine' CHECK (origin IN ('engine', 'external'));
ALTER TABLE erp.refund ADD COLUMN reconciled_at timestamptz;
CREATE INDEX refund_payment_idx ON erp.refund (payment_id);
CREATE INDEX refund_refunded_at_idx ON erp.refund (refunded_at);
ALTER TABLE erp.refund SET (fillfactor = 85);

-- The invoice never credits more than was paid: a negative balance is a constraint violation, not a report.
ALTER TABLE erp.invoice ADD CONSTRAINT invoice_refund_within_paid CHECK (refunded_minor <= paid_minor);

CREATE SEQUENCE erp.credit_note_number_seq START 70001;

-- One credit per refund on the invoice of the refunded payment; voided (never deleted) when the refund fails.
CREATE TABLE erp.credit_note (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  credit_note_number  text NOT NULL UNIQUE DEFAULT ('CN-' || nextval('erp.credit_note_number_seq')),
  invoice_id          bigint NOT NULL REFERENCES erp.invoice (id),
  refund_id           bigint NOT NULL UNIQUE REFERENCES erp.refund (id),
  currency            erp.currency_code NOT NULL,
  amount_minor        bigint NOT NULL CHECK (amount_minor > 0),
  voided_at           timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX credit_note_invoice_idx ON erp.credit_note (invoice_id);

-- A chargeback: the disputed amount and the provider's dispute fee leave the balance when it opens; both come back
-- when it is won.
CREATE TABLE erp.dispute (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  provider             text NOT NULL,
  provider_dispute_id  text NOT NULL,
  payment_id           bigint NOT NULL REFERENCES erp.payment (id),
  currency             erp.currency_code NOT NULL,
  amount_minor         bigint NOT NULL CHECK (amount_minor > 0),
  fee_minor            bigint NOT NULL DEFAULT 0 CHECK (fee_minor >= 0),
  status               text NOT NULL CHECK (status IN ('open', 'won', 'lost')),
  reason               text,
  opened_at            timestamptz NOT NULL,
  closed_at            timestamptz,
  reconciled_at        timestamptz,
  created_at           timestamptz NOT NULL DEFAULT now(),
  UNIQUE (provider, provider_dispute_id),
  CHECK ((status = 'open') = (closed_at IS NULL))
);
CREATE INDEX dispute_payment_idx ON erp.dispute (payment_id);

ALTER TABLE erp.payout ADD COLUMN provider_created_at timestamptz;
ALTER TABLE erp.payout ADD COLUMN failure_code text;

-- A payout line is one balance transaction the payout settled; amount_minor is its net, so the lines of a
-- reconciled payout add up to the payout exactly.
ALTER TABLE erp.payout_line DROP CONSTRAINT payout_line_kind_check;
ALTER TABLE erp.payout_line ADD CONSTRAINT payout_line_kind_check CHECK (kind IN ('payment', 'refund', 'fee', 'adjustment', 'dispute'));
ALTER TABLE erp.payout_line ADD COLUMN dispute_id bigint REFERENCES erp.dispute (id);
ALTER TABLE erp.payout_line ADD COLUMN gross_minor bigint NOT NULL DEFAULT 0;
ALTER TABLE erp.payout_line ADD COLUMN fee_minor bigint NOT NULL DEFAULT 0;

-- ---- reconciliation -----------------------------------------------------------------------------------------

-- One row per run: its UTC window, what it found, and the payment reconciliation time KPI.
CREATE TABLE integration.reconciliation_run (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  provider          text NOT NULL,
  window_from       timestamptz NOT NULL,
  window_to         timestamptz NOT NULL CHECK (window_to > window_from),
  status            text NOT NULL DEFAULT 'staging' CHECK (status IN ('staging', 'completed', 'failed')),
  started_at        timestamptz NOT NULL DEFAULT now(),
  finished_at       timestamptz,
  duration_ms       bigint,
  provider_rows     integer,
  matched_rows      integer,
  exception_count   integer,
  match_rate        numeric(7, 6),
  counts            jsonb,          -- exceptions by class, payouts checked and reconciled
  capture_to_reconciled_p50_ms bigint,
  capture_to_reconciled_p95_ms bigint
);
CREATE INDEX reconciliation_run_provider_idx ON integration.reconciliation_run (provider, window_to DESC) WHERE status = 'completed';

-- Every discrepancy with both sides, as the provider and the ERP each see it.
CREATE TABLE integration.reconciliation_exception (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id               bigint NOT NULL REFERENCES integration.reconciliation_run (id) ON DELETE CASCADE,
  class                text NOT NULL CHECK (class IN (
                         'missing_in_erp', 'missing_at_provider', 'amount_mismatch', 'currency_mismatch', 'fee_mismatch', 'duplicate', 'ambiguous')),
  subject              text NOT NULL CHECK (subject IN ('payment', 'refund', 'dispute', 'payout')),
  provider_txn_id      text,          -- the balance transaction (or payout) id
  provider_source_id   text,          -- the charge, refund, dispute or payout it moves money for
  provider_amount_minor bigint,
  provider_fee_minor   bigint,
  provider_currency    text,
  erp_table            text,
  erp_id               bigint,
  erp_reference        text,          -- the provider id the ERP knows the record by
  erp_amount_minor     bigint,
  erp_fee_minor        bigint,
  erp_currency         text,
  candidates           integer        -- ambiguous: how many ERP records fit
);
CREATE INDEX reconciliation_exception_run_idx ON integration.reconciliation_exception (run_id, class);

-- Provider rows as the payments port returned them, per run. Unlogged: they are a copy, re-read if lost, and
-- staging a month of transactions should not double its cost in WAL.
CREATE UNLOGGED TABLE integration.reconciliation_staged_txn (
  run_id        bigint NOT NULL,
  txn_id        text NOT NULL,
  kind          text NOT NULL,
  amount_minor  bigint NOT NULL,
  fee_minor     bigint NOT NULL,
  net_minor     bigint NOT NULL,
  currency      text NOT NULL,
  source_id     text,
  payment_ref   text,
  payout_id     text,
  created_at    timestamptz NOT NULL,
  PRIMARY KEY (run_id, txn_id)
);

CREATE UNLOGGED TABLE integration.reconciliation_staged_payout (
  run_id        bigint NOT NULL,
  payout_id     text NOT NULL,
  amount_minor  bigint NOT NULL,
  currency      text NOT NULL,
  status        text NOT NULL,
  arrival_at    timestamptz,
  created_at    timestamptz NOT NULL,
  PRIMARY KEY (run_id, payout_id)
);

-- The payment reconciliation time KPI, per payment: from the provider's capture to the ERP's reconciliation.
CREATE VIEW erp.payment_reconciliation_time AS
  SELECT id AS payment_id, provider, provider_payment_id, provider_captured_at, reconciled_at,
         (extract(epoch FROM reconciled_at - provider_captured_at) * 1000)::bigint AS capture_to_reconciled_ms
    FROM erp.payment WHERE reconciled_at IS NOT NULL AND provider_captured_at IS NOT NULL;
