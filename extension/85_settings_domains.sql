-- doliflow install script, part 85: the domain of every setting.
--
-- The settings are inserted by the part that uses them (00, 10, 20, 30, 55, 60);
-- this part gives each one its domain in doliflow.settings (min_value ..
-- value_pattern), which the trigger doliflow._settings_check enforces on every
-- later write.  Each range is chosen from the reads of the setting so that no
-- accepted value can make a dw view, doliflow.status() or the pipeline fail
-- (test/integration/24_settings_domains.sh runs them at every bound).  A setting
-- added without a domain keeps the type check only.

UPDATE doliflow.settings s
   SET min_value = d.min_value, min_exclusive = d.min_exclusive,
	   max_value = d.max_value, max_exclusive = d.max_exclusive,
	   allowed_values = d.allowed_values, value_pattern = d.value_pattern,
	   value_type = coalesce(d.value_type, s.value_type)
  FROM (VALUES
	-- name                          min        excl   max          excl   allowed            pattern   type
	-- 00: stock pages, forecast, cache, cleanup, schedule
	('lead_time_default_days',        '1',       false, '3650',      false, NULL::text[],      NULL::text, NULL::text),
	('safety_margin_pct',             '0',       false, '1000',      false, NULL, NULL, NULL),	-- suggested_quantity() takes margin >= 0
	('attention_days',                '0',       false, '3650',      false, NULL, NULL, NULL),	-- stock_level() takes attention_days >= 0
	('service_level',                 '0.5',     false, '0.9999',    false, NULL, NULL, NULL),	-- z = normal_quantile(p) >= 0, p < 1 in float8
	('forecast_horizon_days',         '1',       false, '730',       false, NULL, NULL, NULL),
	('forecast_interval_level',       '0.5',     false, '0.9999',    false, NULL, NULL, NULL),
	('forecast_history_days',         '28',      false, '7300',      false, NULL, NULL, NULL),	-- four weeks for the weekday profile
	('cache_hours',                   '0',       false, '87600',     false, NULL, NULL, NULL),	-- generated_at + cache_hours stays a timestamp
	('retention_days',                '1',       false, '36500',     false, NULL, NULL, NULL),	-- cleanup() takes days >= 1
	('nightly_time',                  '00:00',   false, '23:59:59',  false, NULL, NULL, NULL),	-- 24:00 is no time pg_cron can run at
	('timezone',                      NULL,      false, NULL,        false, NULL, NULL, 'timezone'),
	('extrafield_satisfaction',       NULL,      false, NULL,        false, NULL, '^[A-Za-z0-9_]{1,64}$', NULL),
	('extrafield_estimated_duration', NULL,      false, NULL,        false, NULL, '^[A-Za-z0-9_]{1,64}$', NULL),
	('extrafield_intervention_type',  NULL,      false, NULL,        false, NULL, '^[A-Za-z0-9_]{1,64}$', NULL),
	('extrafield_intervention_cost',  NULL,      false, NULL,        false, NULL, '^[A-Za-z0-9_]{1,64}$', NULL),
	-- 10: connector
	('source_fetch_size',             '1',       false, '1000000',   false, NULL, NULL, NULL),
	('source_connect_timeout',        '1',       false, '3600',      false, NULL, NULL, NULL),	-- seconds; the guard hands it to the client library
	('source_read_timeout',           '1',       false, '86400',     false, NULL, NULL, NULL),
	('source_option_file',            NULL,      false, NULL,        false, NULL, '^(/.*)?$', NULL),	-- empty, or an absolute path
	-- 20: lake
	('lake_lookback',                 '0',       false, '1 year',    false, NULL, NULL, NULL),	-- negative would skip changed rows
	('lake_reconcile_interval',       '0',       false, '1 year',    false, NULL, NULL, NULL),
	('lake_parent_chunk',             '1',       false, '100000',    false, NULL, NULL, NULL),
	-- 30: warehouse
	('project_drift_margin_pct',      '0',       false, '100',       false, NULL, NULL, NULL),	-- points of a percentage
	('warehouse_stale_hours',         '0',       true,  '87600',     false, NULL, NULL, NULL),
	('warehouse_random_page_cost',    '0',       true,  '100',       false, NULL, NULL, NULL),
	-- 55: analytics modules
	('anomaly_min_z',                 '0',       false, '1000',      false, NULL, NULL, NULL),	-- 1000 = no robust-z anomaly
	('anomaly_false_alarms',          '0.001',   false, '1000',      false, NULL, NULL, NULL),	-- 0 would ask normal_quantile(1)
	('anomaly_min_peers',             '1',       false, '1000000',   false, NULL, NULL, NULL),
	('anomaly_stock_min_ratio',       '1',       false, '1000000',   false, NULL, NULL, NULL),
	('low_satisfaction_max',          '0',       false, '5',         false, NULL, NULL, NULL),	-- satisfaction is 1-5
	('iforest_threshold',             '0',       false, '2',         false, NULL, NULL, NULL),	-- scores are in [0, 1]: above 1 turns the kind off
	('duration_holdout_months',       '1',       false, '120',       false, NULL, NULL, NULL),
	('segment_new_days',              '0',       false, '36500',     false, NULL, NULL, NULL),
	('segment_fading_factor',         '0',       false, '1000',      false, NULL, NULL, NULL),
	('segment_fading_min_days',       '0',       false, '36500',     false, NULL, NULL, NULL),
	('segment_low_satisfaction',      '0',       false, '5',         false, NULL, NULL, NULL),
	('segment_premium_quantile',      '0',       false, '1',         false, NULL, NULL, NULL),	-- percentile_disc() takes [0, 1]
	('segment_frequent_quantile',     '0',       false, '1',         false, NULL, NULL, NULL),
	('segment_clusters',              '1',       false, '100',       false, NULL, NULL, NULL),
	('insight_min_z',                 '0',       false, '100',       false, NULL, NULL, NULL),
	('insight_budget_pct',            '0',       false, '100000',    false, NULL, NULL, NULL),
	('insight_hours_pct',             '0',       false, '100000',    false, NULL, NULL, NULL),
	-- 60: stock
	('stock_review_days',             '0',       false, '3650',      false, NULL, NULL, NULL),
	('safety_stock_backtest_days',    '28',      false, '3650',      false, NULL, NULL, NULL),	-- at least 4 weekly back-test origins
	('demand_share_days',             '1',       false, '3650',      false, NULL, NULL, NULL),
	('forecast_level_days',           '7',       false, '3650',      false, NULL, NULL, NULL),
	('event_min_effect',              '0.01',    false, '1',         false, NULL, NULL, NULL),	-- kept event days are divided by their multiplier
	('forecast_engine',               NULL,      false, NULL,        false, '{auto,sql}', NULL, NULL),
	-- 62: ABC/XYZ classes
	('abc_xyz_days',                  '7',       false, '3650',      false, NULL, NULL, NULL),	-- at least one whole week
	('abc_a_share_pct',               '0',       false, '100',       false, NULL, NULL, NULL),
	('abc_b_share_pct',               '0',       false, '100',       false, NULL, NULL, NULL),
	('xyz_x_max_cv',                  '0',       false, '1000',      false, NULL, NULL, NULL),
	('xyz_y_max_cv',                  '0',       false, '1000',      false, NULL, NULL, NULL),
	-- 63: the nightly simulation
	('simulation_days',               '7',       false, '366',       false, NULL, NULL, NULL),	-- a week at least; a year at most (the replay is day by day per product and policy)
	-- 65: report
	('language',                      NULL,      false, NULL,        false, '{fr,en}', NULL, NULL)
  ) AS d (name, min_value, min_exclusive, max_value, max_exclusive, allowed_values, value_pattern, value_type)
 WHERE s.name = d.name;
