-- The ERP: system of record for customers, catalogue, stock, orders, invoices and money movements.
-- Money is integer minor units plus an ISO 4217 code; every instant is timestamptz (stored in UTC).
CREATE SCHEMA IF NOT EXISTS erp;

CREATE DOMAIN erp.currency_code AS char(3) CHECK (VALUE ~ '^[A-Z]{3}$');

CREATE SEQUENCE erp.customer_number_seq START 1001;

CREATE TABLE erp.customer (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_number  text NOT NULL UNIQUE DEFAULT ('C-' || nextval('erp.customer_number_seq')),
  display_name     text NOT NULL CHECK (display_name <> ''),
  first_name       text,
  last_name        text,
  company          text,
  email            text CHECK (email = lower(btrim(email))),
  phone_e164       text CHECK (phone_e164 ~ '^\+[1-9][0-9]{6,14}$'),
  name_key         text,
  company_key      text,
  -- Merge tracking: a merged customer points at the survivor and stops counting for uniqueness.
  merged_into_id   bigint REFERENCES erp.customer (id),
  merged_at        timestamptz,
  created_by       text,             -- workflow id that created it, so only its own compensation may remove it
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CHECK ((merged_into_id IS NULL) = (merged_at IS NULL)),
  CHECK (merged_into_id IS DISTINCT FROM id)
);
-- One live customer per email: concurrent lead conversions cannot create two.
CREATE UNIQUE INDEX customer_live_email_uq ON erp.customer (email) WHERE email IS NOT NULL AND merged_into_id IS NULL;
CREATE INDEX customer_phone_idx ON erp.customer (phone_e164) WHERE merged_into_id IS NULL;
CREATE INDEX customer_company_key_idx ON erp.customer (company_key) WHERE merged_into_id IS NULL;

-- Binding of ERP records to their ids in each external system (OCA connector's "binding" idea).
CREATE TABLE erp.external_ref (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  system       text NOT NULL CHECK (system IN ('hubspot', 'shopify', 'stripe')),
  entity_type  text NOT NULL,
  external_id  text NOT NULL,
  erp_table    text NOT NULL,
  erp_id       bigint NOT NULL,
  created_by   text,               -- workflow id that made the binding
  synced_at    timestamptz NOT NULL DEFAULT now(),
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (system, entity_type, external_id)
);
CREATE INDEX external_ref_erp_idx ON erp.external_ref (erp_table, erp_id);

CREATE TABLE erp.product (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sku          text NOT NULL UNIQUE CHECK (sku <> ''),
  name         text NOT NULL,
  unit_price_minor bigint NOT NULL CHECK (unit_price_minor >= 0),
  currency     erp.currency_code NOT NULL,
  active       boolean NOT NULL DEFAULT true,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE erp.stock_location (
  id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code  text NOT NULL UNIQUE,
  name  text NOT NULL
);

-- Available to sell = on_hand - reserved; the checks make overselling a constraint violation, not a bug to find later.
CREATE TABLE erp.stock_level (
  product_id   bigint NOT NULL REFERENCES erp.product (id),
  location_id  bigint NOT NULL REFERENCES erp.stock_location (id),
  on_hand      integer NOT NULL CHECK (on_hand >= 0),
  reserved     integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (product_id, location_id),
  CHECK (reserved <= on_hand)
);

CREATE SEQUENCE erp.sales_order_number_seq START 10001;

CREATE TABLE erp.sales_order (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_number      text NOT NULL UNIQUE DEFAULT ('SO-' || nextval('erp.sales_order_number_seq')),
  customer_id       bigint NOT NULL REFERENCES erp.customer (id),
  status            text NOT NULL CHECK (status IN ('draft', 'confirmed', 'reserved', 'paid', 'invoiced', 'fulfilled', 'cancelled')),
  currency          erp.currency_code NOT NULL,
  subtotal_minor    bigint NOT NULL CHECK (subtotal_minor >= 0),
  tax_minor         bigint NOT NULL DEFAULT 0 CHECK (tax_minor >= 0),
  shipping_minor    bigint NOT NULL DEFAULT 0 CHECK (shipping_minor >= 0),
  discount_minor    bigint NOT NULL DEFAULT 0 CHECK (discount_minor >= 0),
  total_minor       bigint NOT NULL CHECK (total_minor = subtotal_minor + tax_minor + shipping_minor - discount_minor),
  shipping_address  jsonb,
  source_created_at timestamptz,    -- when the shop took the order (KPI: order processing time)
  confirmed_at      timestamptz,
  cancelled_at      timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE erp.sales_order_line (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sales_order_id   bigint NOT NULL REFERENCES erp.sales_order (id) ON DELETE CASCADE,
  line_no          integer NOT NULL CHECK (line_no > 0),
  product_id       bigint NOT NULL REFERENCES erp.product (id),
  quantity         integer NOT NULL CHECK (quantity > 0),
  unit_price_minor bigint NOT NULL CHECK (unit_price_minor >= 0),
  line_total_minor bigint NOT NULL CHECK (line_total_minor >= 0),
  UNIQUE (sales_order_id, line_no)
);

CREATE TABLE erp.stock_reservation (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sales_order_line_id  bigint NOT NULL REFERENCES erp.sales_order_line (id) ON DELETE CASCADE,
  product_id           bigint NOT NULL,
  location_id          bigint NOT NULL,
  quantity             integer NOT NULL CHECK (quantity > 0),
  status               text NOT NULL CHECK (status IN ('active', 'released', 'consumed')),
  created_at           timestamptz NOT NULL DEFAULT now(),
  released_at          timestamptz,
  FOREIGN KEY (product_id, location_id) REFERENCES erp.stock_level (product_id, location_id),
  UNIQUE (sales_order_line_id, location_id)
);

CREATE SEQUENCE erp.invoice_number_seq START 50001;

CREATE TABLE erp.invoice (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  invoice_number  text NOT NULL UNIQUE DEFAULT ('INV-' || nextval('erp.invoice_number_seq')),
  sales_order_id  bigint NOT NULL UNIQUE REFERENCES erp.sales_order (id),
  customer_id     bigint NOT NULL REFERENCES erp.customer (id),
  status          text NOT NULL CHECK (status IN ('draft', 'posted', 'paid', 'partially_refunded', 'refunded', 'void')),
  currency        erp.currency_code NOT NULL,
  total_minor     bigint NOT NULL CHECK (total_minor >= 0),
  paid_minor      bigint NOT NULL DEFAULT 0 CHECK (paid_minor >= 0),
  refunded_minor  bigint NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0),
  posted_at       timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE erp.payment (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  provider             text NOT NULL,
  provider_payment_id  text NOT NULL,
  invoice_id           bigint REFERENCES erp.invoice (id),
  status               text NOT NULL CHECK (status IN ('authorized', 'captured', 'cancelled', 'failed')),
  currency             erp.currency_code NOT NULL,
  amount_minor         bigint NOT NULL CHECK (amount_minor >= 0),
  fee_minor            bigint NOT NULL DEFAULT 0 CHECK (fee_minor >= 0),
  captured_at          timestamptz,
  reconciled_at        timestamptz,
  created_at           timestamptz NOT NULL DEFAULT now(),
  UNIQUE (provider, provider_payment_id)
);

CREATE TABLE erp.refund (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  provider            text NOT NULL,
  provider_refund_id  text NOT NULL,
  payment_id          bigint NOT NULL REFERENCES erp.payment (id),
  currency            erp.currency_code NOT NULL,
  amount_minor        bigint NOT NULL CHECK (amount_minor > 0),
  status              text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'cancelled')),
  reason              text,
  refunded_at         timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  UNIQUE (provider, provider_refund_id)
);

CREATE TABLE erp.payout (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  provider           text NOT NULL,
  provider_payout_id text NOT NULL,
  currency           erp.currency_code NOT NULL,
  amount_minor       bigint NOT NULL,
  fee_minor          bigint NOT NULL DEFAULT 0 CHECK (fee_minor >= 0),
  status             text NOT NULL CHECK (status IN ('pending', 'in_transit', 'paid', 'failed', 'cancelled')),
  arrival_date       date,
  reconciled_at      timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (provider, provider_payout_id)
);

-- Which payments, refunds and fees a payout settles: reconciliation is complete when these sum to the payout.
CREATE TABLE erp.payout_line (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  payout_id     bigint NOT NULL REFERENCES erp.payout (id) ON DELETE CASCADE,
  kind          text NOT NULL CHECK (kind IN ('payment', 'refund', 'fee', 'adjustment')),
  payment_id    bigint REFERENCES erp.payment (id),
  refund_id     bigint REFERENCES erp.refund (id),
  provider_balance_txn_id text NOT NULL,
  amount_minor  bigint NOT NULL,
  UNIQUE (payout_id, provider_balance_txn_id)
);
