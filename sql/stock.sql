\set VERBOSITY terse
-- Stock intelligence: the seed's formulas at every boundary, then predictions,
-- events, alerts, what-if, dashboard and accuracy on hand-built warehouse data
-- whose expected values are computed by hand in the comments.

------------------------------------------------------------------------------
-- 1. stock_level: Critical when stock - demand < 0, Attention when >= 0 and
--    < attention_days x daily demand, else OK.
------------------------------------------------------------------------------
SELECT t.what, doliflow.stock_level(t.stock, t.demand, t.daily, 3) AS level
  FROM (VALUES ('remaining exactly 0 -> Attention', 10::numeric, 10::numeric, 2::numeric),
			   ('remaining just below 0 -> Critical', 9.999, 10, 2),
			   ('remaining exactly 3 days (6) -> OK', 16, 10, 2),
			   ('remaining just below 3 days -> Attention', 15.999, 10, 2),
			   ('no demand, no stock -> OK', 0, 0, 0),
			   ('negative stock, no demand -> Critical', -1, 0, 0),
			   ('large stock -> OK', 1e6, 10, 2)) t(what, stock, demand, daily);
SELECT doliflow.stock_level(NULL, 10, 2, 3) IS NULL AS null_stock_gives_null,
	   doliflow.stock_level(10, 10, 2, NULL) IS NULL AS null_days_gives_null;
SELECT doliflow.stock_level('NaN', 10, 2, 3);
SELECT doliflow.stock_level(10, 'Infinity', 2, 3);
SELECT doliflow.stock_level(10, 10, '-Infinity', 3);
SELECT doliflow.stock_level(10, -1, 2, 3);
SELECT doliflow.stock_level(10, 10, 2, -3);

------------------------------------------------------------------------------
-- 2. suggested_quantity = (sum - stock) x (1 + margin/100), >= 0, rounded up
--    to packaging.  (100 - 40) x 1.10 = 66.
------------------------------------------------------------------------------
SELECT t.what, doliflow.suggested_quantity(t.s, t.stock, t.m, t.pack) AS qty
  FROM (VALUES ('66, no packaging', 100::numeric, 40::numeric, 10::numeric, NULL::numeric),
			   ('66, packaging 0 = unknown', 100, 40, 10, 0),
			   ('66 exact multiple of 6', 100, 40, 10, 6),
			   ('66 one over 65 -> 130', 100, 40, 10, 65),
			   ('66 -> next multiple of 10 = 70', 100, 40, 10, 10),
			   ('66 fractional packaging 2.5 -> 67.5', 100, 40, 10, 2.5),
			   ('margin 0: 60', 100, 40, 0, NULL),
			   ('margin 12.5: 60 x 1.125 = 67.5', 100, 40, 12.5, NULL),
			   ('negative need -> 0', 40, 100, 10, 6),
			   ('need exactly 0 -> 0', 40, 40, 10, 6),
			   ('negative stock adds to the need: (10 + 5) x 1.1', 10, -5, 10, NULL)) t(what, s, stock, m, pack);
SELECT doliflow.suggested_quantity(NULL, 40, 10, 6) IS NULL AS null_sum_gives_null,
	   doliflow.suggested_quantity(100, 40, NULL) IS NULL AS null_margin_gives_null;
SELECT doliflow.suggested_quantity('NaN', 40, 10, 6);
SELECT doliflow.suggested_quantity(100, 'Infinity', 10, 6);
SELECT doliflow.suggested_quantity(100, 40, 10, 'NaN');
SELECT doliflow.suggested_quantity(100, 40, -10, 6);
SELECT doliflow.suggested_quantity(100, 40, 10, -6);
SELECT doliflow.suggested_quantity(-1, 40, 10, 6);

------------------------------------------------------------------------------
-- 3. rotation_rate = sales 30 d / average stock; NULL when average stock <= 0.
------------------------------------------------------------------------------
SELECT doliflow.rotation_rate(300, 150) AS two,
	   doliflow.rotation_rate(0, 150) AS zero,
	   round(doliflow.rotation_rate(10, 3), 6) AS third,
	   doliflow.rotation_rate(300, 0) IS NULL AS avg_stock_0_null,
	   doliflow.rotation_rate(300, -5) IS NULL AS avg_stock_negative_null,
	   doliflow.rotation_rate(NULL, 5) IS NULL AS null_in_null_out;
SELECT doliflow.rotation_rate('NaN', 150);
SELECT doliflow.rotation_rate(10, 'Infinity');
SELECT doliflow.rotation_rate(-10, 150);

------------------------------------------------------------------------------
-- 4. safety stock z x sigma x sqrt(L): 1.644854 x 2 x sqrt(4) = 6.579415
------------------------------------------------------------------------------
SELECT round(doliflow.safety_stock(2, 4, 0.95), 6) AS ss,
	   doliflow.safety_stock(0, 4, 0.95) = 0 AS no_error_no_safety_stock;
SELECT doliflow.safety_stock(2, 4, 1);
SELECT doliflow.safety_stock(-2, 4, 0.95);
SELECT doliflow.safety_stock(2, 'NaN', 0.95);

------------------------------------------------------------------------------
-- 5. End to end on hand-built warehouse data, inside a transaction rolled back
--    at the end.  History 2023-01-02 (Monday) .. 2024-06-30 (Sunday), so that
--    every 364-day window is full; no demand on French public holidays.
--      9001..9004, 9007, 9009: 2 a day      9005: 5 Monday-Friday, 0 weekends
--      9006: 2 a day, 6 during 'Promo' 2024-06-03..09 (x3)
--      9008: 2 a day, 4 from 2024-06-24 (for the accuracy check)
------------------------------------------------------------------------------
BEGIN;
SET LOCAL client_min_messages = warning;
DELETE FROM dw.fact_stock;
DELETE FROM dw.fact_sales_daily;
DELETE FROM dw.dim_product;
DELETE FROM dw.dim_warehouse;
DELETE FROM lake.llx_commande_fournisseurdet;
DELETE FROM lake.llx_commande_fournisseur;
-- Settings this suite relies on (other suites share the database).
UPDATE doliflow.settings s SET value = v.value
  FROM (VALUES ('forecast_history_days', '364'), ('lead_time_default_days', '7'), ('attention_days', '3'),
			   ('safety_margin_pct', '10'), ('service_level', '0.95'), ('stock_review_days', '7'),
			   ('forecast_horizon_days', '90'), ('forecast_interval_level', '0.95'), ('cache_hours', '24'),
			   ('demand_share_days', '90'), ('forecast_level_days', '56'), ('event_min_effect', '0.05'),
			   ('forecast_engine', 'sql')) v(name, value)
 WHERE s.name = v.name;

INSERT INTO dw.dim_warehouse (warehouse_key, ref) VALUES (901, 'Dépôt A'), (902, 'Dépôt B');
INSERT INTO dw.dim_product (product_key, ref, label, product_type, to_sell, to_buy, price, pmp,
							supplier_lead_time_days, supplier_packaging, supplier_prices, stock_total)
VALUES (9001, 'P9001', 'Critical: lead 5, stock 9', 0, true, true, 10, 4, 5, 10, 1, 9),
	   (9002, 'P9002', 'Attention: remaining exactly 0', 0, true, true, 10, 4, NULL, NULL, 0, 14),
	   (9003, 'P9003', 'OK: remaining exactly 3 days', 0, true, true, 10, 4, NULL, NULL, 0, 20),
	   (9004, 'P9004', 'Attention: just below 3 days', 0, true, true, 10, 4, NULL, NULL, 0, 19.5),
	   (9005, 'P9005', 'Weekdays only', 0, true, true, 10, 4, NULL, NULL, 0, 100),
	   (9006, 'P9006', 'Promotion', 0, true, true, 10, 4, NULL, NULL, 0, 50),
	   (9007, 'P9007', 'Critical: just below 0', 0, true, true, 10, 4, NULL, NULL, 0, 13.9),
	   (9008, 'P9008', 'Demand doubles', 0, true, true, 10, 4, NULL, NULL, 0, 40),
	   (9009, 'P9009', 'Two warehouses', 0, true, true, 10, 4, NULL, NULL, 0, 20),
	   (9010, 'S9010', 'A service: never an alert', 1, true, false, 10, 0, NULL, NULL, 0, 0);

-- Movements: sales (type 2) out of warehouse 901 (9009: 1 from each of 901
-- and 902), and one opening input sized so that the final stock is as wanted.
CREATE TEMP TABLE final_stock (product_id int, warehouse_id int, stock numeric) ON COMMIT DROP;
INSERT INTO final_stock VALUES (9001, 901, 9), (9002, 901, 14), (9003, 901, 20), (9004, 901, 19.5),
	(9005, 901, 100), (9006, 901, 50), (9007, 901, 13.9), (9008, 901, 40), (9009, 901, 15), (9009, 902, 5);
CREATE TEMP TABLE days ON COMMIT DROP AS
SELECT d::date AS day FROM generate_series('2023-01-02'::date, '2024-06-30', '1 day') d;
-- The calendar with the French public holidays, from the warehouse's own loader
-- (it spans the years of the facts: give it one movement first).
INSERT INTO dw.fact_stock (movement_key, moved_at, date_key, product_key, warehouse_key, movement_type, quantity)
VALUES (1, '2023-01-01 08:00', 20230101, 9001, 901, 0, 0);
SELECT (SELECT count(*) FROM doliflow._load_dim_date()) = 1 AS calendar_loaded;
SELECT string_agg(day::text, ' ' ORDER BY day) AS holidays_in_history
  FROM dw.dim_date WHERE is_holiday AND day BETWEEN '2023-01-02' AND '2024-06-30';
CREATE TEMP TABLE demand ON COMMIT DROP AS
SELECT f.product_id, d.day,
	   CASE WHEN c.is_holiday THEN 0
			WHEN f.product_id = 9005 THEN CASE WHEN extract(isodow FROM d.day) <= 5 THEN 5 ELSE 0 END
			WHEN f.product_id = 9006 AND d.day BETWEEN '2024-06-03' AND '2024-06-09' THEN 6
			WHEN f.product_id = 9008 AND d.day >= '2024-06-24' THEN 4
			ELSE 2 END::numeric AS qty
  FROM (SELECT DISTINCT product_id FROM final_stock) f
 CROSS JOIN days d
  JOIN dw.dim_date c ON c.day = d.day;
INSERT INTO dw.fact_sales_daily (product_key, date_key, day, demand_qty, demand_movements, demand_value,
								 invoiced_qty, revenue_ht)
SELECT product_id, to_char(day, 'YYYYMMDD')::int, day, qty, 1, qty * 4, 0,
	   CASE WHEN product_id = 9001 AND day = '2024-06-25' THEN 100 ELSE 0 END
  FROM demand WHERE qty > 0;
CREATE TEMP TABLE mv ON COMMIT DROP AS
SELECT d.product_id, w.warehouse_id, d.day,
	   -d.qty / CASE WHEN d.product_id = 9009 THEN 2 ELSE 1 END AS qty, 2 AS type_mouvement
  FROM demand d
  JOIN final_stock w ON w.product_id = d.product_id
 WHERE d.qty > 0;
INSERT INTO mv SELECT f.product_id, f.warehouse_id, '2023-01-01', f.stock - coalesce(sum(m.qty), 0), 0
  FROM final_stock f LEFT JOIN mv m USING (product_id, warehouse_id) GROUP BY f.product_id, f.warehouse_id, f.stock;
INSERT INTO dw.fact_stock (movement_key, moved_at, date_key, product_key, warehouse_key, movement_type, quantity)
SELECT 1 + row_number() OVER (ORDER BY day, product_id, warehouse_id), day + time '10:00',
	   to_char(day, 'YYYYMMDD')::int, product_id, warehouse_id, type_mouvement, qty FROM mv;
-- Open supplier orders: 10 of 9001 ordered (status 3); a received (5) and a draft (0) order do not count.
INSERT INTO lake.llx_commande_fournisseur (rowid, ref, fk_statut, _batch, _extracted_at, _hash)
VALUES (1, 'CF1', 3, 1, now(), md5('1')::uuid), (2, 'CF2', 5, 1, now(), md5('2')::uuid), (3, 'CF3', 0, 1, now(), md5('3')::uuid);
INSERT INTO lake.llx_commande_fournisseurdet (rowid, fk_commande, fk_product, qty, _batch, _extracted_at, _hash)
VALUES (1, 1, 9001, 10, 1, now(), md5('1')::uuid), (2, 2, 9001, 100, 1, now(), md5('2')::uuid),
	   (3, 3, 9001, 100, 1, now(), md5('3')::uuid);
SELECT doliflow._lake_rebuild_current('llx_commande_fournisseur')
	   + doliflow._lake_rebuild_current('llx_commande_fournisseurdet') AS current_rows;

-- Events: the past 'Promo' tripled 9006's demand; the next one (expected x2)
-- must be forecast with the learned x3.  A fair for all products with only an
-- expected effect x1.5.
INSERT INTO doliflow.events (name, kind, start_date, end_date, scope, scope_id, expected_effect) VALUES
	('Promo', 'promotion', '2024-06-03', '2024-06-09', 'product', 9006, NULL),
	('Promo', 'promotion', '2024-07-08', '2024-07-14', 'product', 9006, 2.0),
	('Salon', 'fair', '2024-07-22', '2024-07-26', 'all', NULL, 1.5);
SAVEPOINT ev;
INSERT INTO doliflow.events (name, start_date, end_date, scope, scope_id) VALUES ('bad', '2024-01-02', '2024-01-01', 'all', NULL);
ROLLBACK TO ev;
INSERT INTO doliflow.events (name, start_date, end_date, scope, scope_id) VALUES ('bad', '2024-01-01', '2024-01-02', 'product', NULL);
ROLLBACK TO ev;
INSERT INTO doliflow.events (name, start_date, end_date, expected_effect) VALUES ('bad', '2024-01-01', '2024-01-02', -1);
ROLLBACK TO ev;

-- A back-test from 2024-06-23 for 9008 (forecast 2, actual 4 over W26), then the nightly run.
SELECT doliflow.generate_predictions('2024-06-23', true, 'backtest', NULL, '{9008}') > 0 AS backtest_done;
CALL doliflow._analytics_forecast(NULL, true);
SELECT origin, horizon_days, kind, use_events, engine, products, rows_written
  FROM dw.prediction_runs ORDER BY run_id;
-- The 'Promo' learned x3 (42 sold / 14 baseline over 7 days).
SELECT name, start_date, round(learned_effect::numeric, 6) AS learned, learned_detail - 'as_of' AS detail
  FROM doliflow.events ORDER BY event_id;
SELECT round(doliflow.event_effect(event_id, '2024-06-30')::numeric, 6) AS effect_as_of_june,
	   round(doliflow.event_effect(event_id, '2024-06-01')::numeric, 6) AS effect_before_the_first_promo
  FROM doliflow.events ORDER BY event_id;

-- Models: constant series level 2, sigma 0; weekday series: factors 1.4 on
-- weekdays and 0 at weekends, level 25/7.
SELECT fk_product, method, round(sigma::numeric, 6) AS sigma,
	   round((model ->> 'level')::numeric, 6) AS level,
	   (SELECT array_agg(round(f::numeric, 6)) FROM jsonb_array_elements_text(model -> 'weekday_factors') f) AS weekday_factors
  FROM dw.prediction_models m JOIN dw.prediction_runs r USING (run_id)
 WHERE r.kind = 'nightly' ORDER BY fk_product;

-- Predictions: 2 a day; 5 on weekdays; 0 on public holidays (14 July, 15
-- August: the pooled holiday factor is 0); promo days x3 = 6; the fair x1.5.
SELECT fk_product, day, yhat, lo, hi, baseline_yhat, event_factor, events, is_holiday
  FROM dw.v_predictions
 WHERE (fk_product = 9001 AND day IN ('2024-07-01', '2024-07-14'))
	OR (fk_product = 9005 AND day IN ('2024-07-05', '2024-07-06', '2024-07-22', '2024-08-15'))
	OR (fk_product = 9006 AND day BETWEEN '2024-07-07' AND '2024-07-15')
 ORDER BY fk_product, day;
SELECT count(*) AS rows, min(day) AS first_day, max(day) AS last_day, bool_and(yhat >= 0 AND lo <= yhat AND yhat <= hi) AS sane
  FROM dw.v_predictions;

-- Alerts.  Lead time 5 (supplier) for 9001, default 7 otherwise; demand 2 a day.
--   9001: 9 - 10 = -1 -> Critical; target = 5 + 7 review days = 12 days -> 24;
--         (24 - 9) x 1.1 = 16.5 -> packaging 10 -> 20; with the 10 incoming: 5.5 -> 10
--   9002: 14 - 14 = 0 -> Attention            9003: 20 - 14 = 6 = 3 days -> OK
--   9004: 19.5 - 14 = 5.5 < 6 -> Attention    9007: 13.9 - 14 < 0 -> Critical
--   9005: 100 - 25 (5 weekdays in 7 days) = 75 -> OK
--   9006: the promotion (days 8-13 at 6) falls in the 14-day target window only
--   9009: half of the demand in each warehouse: 15 - 7 = 8 OK, 5 - 7 = -2 Critical
SELECT fk_product, fk_entrepot, warehouse_ref, level, stock, incoming, lead_time_days, lead_time_from_supplier,
	   demand_share, daily_demand, demand_lead_time, stock_after_lead_time, days_of_cover, level_with_incoming
  FROM dw.v_stock_alerts ORDER BY fk_product, fk_entrepot;
SELECT fk_product, fk_entrepot, target_date, demand_until_target, margin_pct, packaging, suggested_quantity,
	   suggested_quantity_net, sigma_daily, safety_stock, reorder_point, below_reorder_point, stock_value,
	   forecast_truncated, today, forecast_origin
  FROM dw.v_stock_alerts ORDER BY fk_product, fk_entrepot;

-- Levels for people follow the setting language (French by default).
SELECT fk_product, fk_entrepot, level, level_label, level_with_incoming_label FROM dw.v_stock_alerts ORDER BY fk_product, fk_entrepot LIMIT 3;
UPDATE doliflow.settings SET value = 'en' WHERE name = 'language';
SELECT fk_product, fk_entrepot, level, level_label FROM dw.v_stock_alerts ORDER BY fk_product, fk_entrepot LIMIT 2;
UPDATE doliflow.settings SET value = 'fr' WHERE name = 'language';

-- What-if: 9001 up to 2024-07-12 = 12 days x 2 = 24 (the view's default target).
SELECT fk_product, from_date, to_date, days, sum_forecast, stock, incoming, raw_need, with_margin, margin_used_pct,
	   packaging, suggested_quantity, suggested_quantity_net, forecast_truncated, generated_at = now() AS stamped
  FROM doliflow.what_if_order(9001, '2024-07-12') \gx
SELECT sum_forecast, raw_need, with_margin, suggested_quantity, forecast_truncated
  FROM doliflow.what_if_order(9001, '2024-07-12', 0);
-- Stock above the need (9005: 100 in stock): need and quantity 0, never negative.
SELECT sum_forecast < stock AS covered, raw_need, with_margin, suggested_quantity
  FROM doliflow.what_if_order(9005, '2024-07-12');
-- Beyond the horizon (90 days): truncated.
SELECT days, forecast_truncated FROM doliflow.what_if_order(9001, '2024-12-31');
SAVEPOINT s;
SELECT * FROM doliflow.what_if_order(9001, '2024-06-30');
ROLLBACK TO s;
SELECT * FROM doliflow.what_if_order(424242, '2024-07-12');
ROLLBACK TO s;
SELECT * FROM doliflow.what_if_order(9001, '2024-07-12', 'NaN');
ROLLBACK TO s;

-- The cache: a second run within cache_hours reuses the predictions.
SELECT count(*) AS runs_before FROM dw.prediction_runs;
CALL doliflow._analytics_forecast(NULL, false);
SELECT count(*) AS runs_after_cached_call FROM dw.prediction_runs;

-- Stock module: today's snapshot; a second call is cached; forced replaces.
CALL doliflow._analytics_stock(NULL, false);
SELECT level, count(*) FROM dw.alert_snapshot WHERE snapshot_date = doliflow.company_today() GROUP BY 1 ORDER BY 1;
CALL doliflow._analytics_stock(NULL, false);
CALL doliflow._analytics_stock(NULL, true);
SELECT count(*) AS snapshot_rows FROM dw.alert_snapshot;

-- Accuracy: 9008 back-test, W26: forecast 2 x 7 = 14, actual 4 x 7 = 28,
-- |e| = 14 -> WAPE 50 %, MAPE 50 %, accuracy 50 %.
SELECT iso_week, week_start, fk_product, grain, days, actual, forecast, abs_error, mape, wape, accuracy_pct,
	   weekly_wape, weekly_accuracy_pct
  FROM dw.v_forecast_accuracy ORDER BY grain, week_start, fk_product;
-- MASE against an independent computation: mean |e| / mean |y(t) - y(t-1)|
-- over the 364 days of history up to the origin.
SELECT f.mase = round((2 / (SELECT avg(abs(d.qty - d.prev)) FROM
		(SELECT qty, lag(qty) OVER (ORDER BY day) AS prev FROM demand
		  WHERE product_id = 9008 AND day BETWEEN '2024-06-23'::date - 363 AND '2024-06-23') d
		 WHERE d.prev IS NOT NULL))::numeric, 3) AS mase_matches
  FROM dw.v_forecast_accuracy f WHERE f.grain = 'all';

-- Dashboard: 3 Critical (9001, 9007, 9009 in 902), 2 Attention, 5 OK; stock
-- value = 4 x sum of positive stocks (286.4) = 1145.60; revenue: 9008's back-test
-- 14 units x 10 = 140 forecast vs 28 x 10 = 280 actual (-50 %); 100 invoiced.
SELECT n_critical, n_attention, n_ok, stock_value, sales_30d, revenue_forecast_30d, revenue_actual_30d,
	   revenue_invoiced_30d, revenue_gap_pct, jsonb_array_length(alert_trend_7d) AS trend_days,
	   (alert_trend_7d -> 0) - 'date' AS today_counts, accuracy_last_week_pct, data_until,
	   generated_at = now() AS stamped_now, cache_valid_until = now() + interval '24 hours' AS valid_24h, cache_fresh
  FROM dw.v_dashboard;
SELECT jsonb_path_query(top_urgent, '$[*].fk_product') AS top_urgent FROM dw.v_dashboard;
-- Rotation against an independent computation: units sold over 2024-06-01..30
-- / average of the stock at the end of each of those days.
SELECT d.rotation_rate = round((SELECT sum(qty) FROM demand WHERE day >= '2024-06-01')
		/ (SELECT avg((SELECT sum(qty) FROM mv WHERE mv.day <= g::date)) FROM generate_series('2024-06-01'::date, '2024-06-30', '1 day') g)::numeric, 4)
	   AS rotation_matches, d.rotation_rate
  FROM dw.v_dashboard d;

-- A model without events (experiment) forecasts the promotion at the baseline.
SELECT doliflow.generate_predictions('2024-06-30', false, 'experiment', NULL, '{9006}') > 0 AS experiment_done;
SELECT pr.day, round(pr.yhat::numeric, 3) AS yhat_without_events, pr.event_factor
  FROM dw.predictions pr JOIN dw.prediction_runs r USING (run_id)
 WHERE r.kind = 'experiment' AND pr.day = '2024-07-09';
-- The C engine on the same data (constant series of 2 a day, weekday series,
-- the promotion): its forecasts go through the same holiday and event layer:
-- 2 a day, 0 on 14 July, the promotion x3 and the fair x1.5.  The weekday
-- series (5 Monday-Friday, 0 at weekends) gives 5.0: directly from a seasonal
-- method, or, when classified intermittent, from the flat rate 25/7 that the
-- weekday profile spreads back.
UPDATE doliflow.settings SET value = 'auto' WHERE name = 'forecast_engine';
SELECT doliflow.generate_predictions('2024-06-30', true, 'experiment', NULL, '{9001,9005,9006}') > 0 AS c_engine_done;
SELECT r.engine, pr.fk_product, m.model ->> 'engine' AS model_engine,
	   round(avg(pr.yhat) FILTER (WHERE pr.day BETWEEN '2024-07-01' AND '2024-07-05')::numeric, 1) AS mon_fri,
	   round(max(pr.yhat) FILTER (WHERE pr.day = '2024-07-14')::numeric, 1) AS holiday,
	   round(max(pr.event_factor)::numeric, 3) AS max_event_factor,
	   bool_and(pr.lo <= pr.yhat AND pr.yhat <= pr.hi AND pr.lo >= 0) AS sane
  FROM dw.predictions pr JOIN dw.prediction_runs r USING (run_id)
  JOIN dw.prediction_models m ON m.run_id = pr.run_id AND m.fk_product = pr.fk_product
 WHERE r.kind = 'experiment' AND r.engine = 'c'
 GROUP BY 1, 2, 3 ORDER BY 2;
SAVEPOINT s2;
SELECT doliflow.generate_predictions('2024-06-30', false, 'weekly');
ROLLBACK TO s2;
-- Absurd arguments are refused before any work (infinity used to loop forever),
-- with 22023 and the argument named (today's date masked).
CREATE FUNCTION pg_temp.try_gp(o date, p integer[] DEFAULT '{9001}', r bigint DEFAULT NULL) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM doliflow.generate_predictions(o, true, 'experiment', r, p);
	RETURN 'accepted';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || regexp_replace(SQLERRM, '\d{4}-\d\d-\d\d\)', 'today)');
END $$;
SELECT a.what, CASE WHEN a.what = 'tomorrow' THEN regexp_replace(pg_temp.try_gp(a.o, a.p, a.r), 'not [0-9-]+$', 'not <tomorrow>')
					 ELSE pg_temp.try_gp(a.o, a.p, a.r) END AS outcome
  FROM (VALUES ('infinity', 'infinity'::date, '{9001}'::int[], NULL::bigint),
			   ('-infinity', '-infinity', '{9001}', NULL),
			   ('year 200000', '200000-01-01', '{9001}', NULL),
			   ('1900-01-01', '1900-01-01', '{9001}', NULL),
			   ('tomorrow', doliflow.company_today() + 1, '{9001}', NULL),
			   ('products -1, 99999', '2024-06-30', '{-1,9001,99999}', NULL),
			   ('a NULL product', '2024-06-30', '{9001,NULL}', NULL),
			   ('run_id -42', '2024-06-30', '{9001}', -42),
			   ('run_id not in the run log', '2024-06-30', '{9001}', 9999999)) a(what, o, p, r);
ROLLBACK;

-- Every public object of this part is commented, view columns included.
SELECT c.relname AS undocumented
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('dw', 'doliflow') AND c.relkind IN ('r', 'v') AND c.relname NOT LIKE '\_%'
   AND (c.relname LIKE '%predict%' OR c.relname LIKE '%alert%' OR c.relname IN ('events', 'v_dashboard', 'v_forecast_accuracy'))
   AND (obj_description(c.oid, 'pg_class') IS NULL
		OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
					 AND col_description(c.oid, a.attnum) IS NULL));
