-- The dashboard and `npm run ops -- kpis` read the order processing time of a window (hours to 90 days) on every
-- refresh: without this index each refresh reads every order's metric ever recorded.
CREATE INDEX IF NOT EXISTS flow_metric_metric_time_idx ON integration.flow_metric (metric, recorded_at);
