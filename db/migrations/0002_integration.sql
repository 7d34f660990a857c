-- The integration area: what arrived, what could not be processed, what needs a person, and where each sync stands.
CREATE SCHEMA IF NOT EXISTS integration;

-- Every verified webhook, stored before we answer 2xx; (provider, event_id) makes redeliveries a no-op.
CREATE TABLE integration.webhook_inbox (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  provider        text NOT NULL CHECK (provider IN ('hubspot', 'shopify', 'stripe')),
  event_id        text NOT NULL,
  topic           text NOT NULL,
  business_key    text NOT NULL,
  payload         jsonb NOT NULL,
  raw_body        bytea NOT NULL,
  headers         jsonb NOT NULL,
  received_at     timestamptz NOT NULL DEFAULT now(),
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'dispatched', 'unrouted', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  dispatched_at   timestamptz,
  workflow_id     text,
  last_error      text,
  UNIQUE (provider, event_id)
);
CREATE INDEX webhook_inbox_due_idx ON integration.webhook_inbox (next_attempt_at, id) WHERE status = 'pending';

-- Input that passed authentication but could not be understood: kept whole for an operator.
CREATE TABLE integration.quarantine (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source       text NOT NULL,
  reason       text NOT NULL,
  raw_body     bytea NOT NULL,
  headers      jsonb NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'replayed', 'discarded')),
  resolved_at  timestamptz,
  note         text
);

-- What failed, in which workflow, and what an operator decided.
CREATE TABLE integration.issue (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workflow_id   text NOT NULL,
  run_id        text NOT NULL,
  flow          text NOT NULL,
  step          text NOT NULL,
  business_key  text NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('step-failed', 'ambiguous-match', 'invalid-data')),
  message       text NOT NULL,
  details       jsonb NOT NULL DEFAULT '{}',
  allowed_decisions text[] NOT NULL,
  status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
  resolution    jsonb,
  resolved_by   text,
  opened_at     timestamptz NOT NULL DEFAULT now(),
  resolved_at   timestamptz,
  CHECK ((status = 'resolved') = (resolved_at IS NOT NULL))
);
-- A workflow run's step has at most one open issue: recording it again (activity retry, replay) is a no-op.
CREATE UNIQUE INDEX issue_open_step_uq ON integration.issue (workflow_id, run_id, step) WHERE status = 'open';
CREATE INDEX issue_status_idx ON integration.issue (status, opened_at);

-- Where each polling sync stands; the cursor is a UTC instant plus the vendor's own token where it has one.
CREATE TABLE integration.sync_cursor (
  system      text NOT NULL,
  stream      text NOT NULL,
  cursor_at   timestamptz,
  cursor_token text,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (system, stream)
);

-- Flow timings for the KPIs (sync accuracy, order processing time, payment reconciliation time).
CREATE TABLE integration.flow_metric (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  flow          text NOT NULL,
  business_key  text NOT NULL,
  metric        text NOT NULL,
  value_ms      bigint NOT NULL CHECK (value_ms >= 0),
  recorded_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (flow, business_key, metric)
);
