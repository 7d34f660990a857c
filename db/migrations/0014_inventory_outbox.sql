-- Inventory ERP -> shops. What a shop may sell is computed in the ERP (on hand - reserved - safety stock, never below
-- zero); every stock change, whoever writes it, marks the SKU dirty for each enrolled shop connection in the same
-- transaction (a trigger), so the inventory-sync flow of that shop pushes only what changed, latest value once.

ALTER TABLE erp.product ADD COLUMN inventory_sync boolean NOT NULL DEFAULT true;
ALTER TABLE erp.product ADD COLUMN safety_stock integer CHECK (safety_stock >= 0);
COMMENT ON COLUMN erp.product.inventory_sync IS 'false: "no sync", the shops'' stock of this SKU is left alone';
COMMENT ON COLUMN erp.product.safety_stock IS 'units held back from the shops; null: erp.inventory_policy.default_safety_stock';

-- One row: the ERP's defaults for what shops may sell.
CREATE TABLE erp.inventory_policy (
  singleton            boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  default_safety_stock integer NOT NULL DEFAULT 0 CHECK (default_safety_stock >= 0)
);
INSERT INTO erp.inventory_policy DEFAULT VALUES;

-- The same rule as erp/inventory/sellable.ts (a test holds them together).
CREATE FUNCTION erp.sellable_quantity(on_hand integer, reserved integer, safety_stock integer) RETURNS integer
  LANGUAGE sql IMMUTABLE AS $$ SELECT GREATEST(on_hand - reserved - safety_stock, 0) $$;

CREATE VIEW erp.sellable_stock AS
SELECT p.id AS product_id, p.sku, l.id AS location_id, l.code AS location_code, s.on_hand, s.reserved,
       COALESCE(p.safety_stock, pol.default_safety_stock) AS safety_stock,
       erp.sellable_quantity(s.on_hand, s.reserved, COALESCE(p.safety_stock, pol.default_safety_stock)) AS sellable,
       p.inventory_sync
  FROM erp.stock_level s
  JOIN erp.product p ON p.id = s.product_id
  JOIN erp.stock_location l ON l.id = s.location_id
 CROSS JOIN erp.inventory_policy pol;

-- A shop connection whose stock follows one ERP location; only enrolled connections collect changes.
CREATE TABLE integration.inventory_sync (
  connection_id   text PRIMARY KEY REFERENCES integration.connection (id),
  location_id     bigint NOT NULL REFERENCES erp.stock_location (id),
  -- The full resync's page cursor, so that a restarted resync goes on where it stopped.
  resync_id       text,
  resync_cursor   text,
  enrolled_at     timestamptz NOT NULL DEFAULT now()
);

-- The outbox: one row per connection and SKU with changes not pushed yet. A burst of changes bumps `version` on one
-- row, so it is pushed once with its latest value; a push acknowledges only the version it read.
CREATE TABLE integration.inventory_outbox (
  connection_id    text NOT NULL REFERENCES integration.inventory_sync (connection_id) ON DELETE CASCADE,
  product_id       bigint NOT NULL REFERENCES erp.product (id),
  version          bigint NOT NULL DEFAULT 1,
  first_changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  changed_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (connection_id, product_id)
);

-- What we last know each shop holds (set by us, or read back), and the compare value of the next push.
CREATE TABLE integration.inventory_shop_level (
  connection_id text NOT NULL REFERENCES integration.connection (id),
  sku           text NOT NULL,
  location      text NOT NULL,
  quantity      integer NOT NULL,
  resync_id     text,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (connection_id, sku, location)
);

-- Someone changed the shop behind our back: what we expected, what we found, and what the policy did about it.
CREATE TABLE integration.inventory_drift (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  connection_id text NOT NULL REFERENCES integration.connection (id),
  sku           text NOT NULL,
  location      text NOT NULL,
  expected      integer,
  found         integer,
  erp_sellable  integer NOT NULL,
  resolution    text NOT NULL CHECK (resolution IN ('erp-wins', 'keep-shop', 'gave-up')),
  attempt       integer NOT NULL,
  workflow_id   text NOT NULL,
  detected_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inventory_drift_sku ON integration.inventory_drift (connection_id, sku, detected_at);

-- SKUs one side has and the other lacks, found by a full resync; a row exists while the mismatch does.
CREATE TABLE integration.inventory_unmapped (
  connection_id text NOT NULL REFERENCES integration.connection (id),
  sku           text NOT NULL,
  missing_in    text NOT NULL CHECK (missing_in IN ('shop', 'erp')),
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (connection_id, sku)
);

CREATE FUNCTION integration.mark_inventory_dirty(changed_products bigint[], at_location bigint) RETURNS void
  LANGUAGE sql AS $$
  INSERT INTO integration.inventory_outbox (connection_id, product_id)
  SELECT s.connection_id, p.id FROM integration.inventory_sync s CROSS JOIN unnest(changed_products) AS p(id)
   WHERE at_location IS NULL OR s.location_id = at_location
  ON CONFLICT (connection_id, product_id) DO UPDATE
    SET version = integration.inventory_outbox.version + 1, changed_at = clock_timestamp();
  SELECT pg_notify('inventory_changed', '');
$$;

CREATE FUNCTION erp.stock_level_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.on_hand = OLD.on_hand AND NEW.reserved = OLD.reserved AND NEW.location_id = OLD.location_id THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN PERFORM integration.mark_inventory_dirty(ARRAY[OLD.product_id], OLD.location_id); END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM integration.mark_inventory_dirty(ARRAY[NEW.product_id], NEW.location_id); END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER stock_level_outbox AFTER INSERT OR UPDATE OR DELETE ON erp.stock_level
  FOR EACH ROW EXECUTE FUNCTION erp.stock_level_changed();

-- The product's own settings change what is sellable everywhere it is stocked.
CREATE FUNCTION erp.product_inventory_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.safety_stock IS DISTINCT FROM OLD.safety_stock OR NEW.inventory_sync IS DISTINCT FROM OLD.inventory_sync THEN
    PERFORM integration.mark_inventory_dirty(ARRAY[NEW.id], NULL);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER product_inventory_outbox AFTER UPDATE ON erp.product
  FOR EACH ROW EXECUTE FUNCTION erp.product_inventory_changed();

CREATE FUNCTION erp.inventory_policy_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM integration.mark_inventory_dirty(ARRAY(SELECT id FROM erp.product WHERE safety_stock IS NULL), NULL);
  RETURN NULL;
END $$;
CREATE TRIGGER inventory_policy_outbox AFTER UPDATE ON erp.inventory_policy
  FOR EACH ROW WHEN (NEW.default_safety_stock IS DISTINCT FROM OLD.default_safety_stock) EXECUTE FUNCTION erp.inventory_policy_changed();
