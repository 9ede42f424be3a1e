-- doliflow install script, part 64: the dashboard (page 2 of the stock design), one row.
--
-- dw.v_dashboard is read by the report's Tableau de bord (part 65) and by BI tools; it must
-- answer in well under a second at the medium scale (test/bench/report.sh).  So:
--   * what a night computes is read from its stored outputs: the alert items (levels,
--     stock, cover, suggested quantities, the top 3, the total stock) from the latest dw.alert_snapshot
--     while it is provably what dw.v_stock_alerts would say again (same forecast run,
--     same complete load, no setting changed since; otherwise the view is computed),
--     the alert trend from dw.alert_snapshot, the savings and the lead-time accuracy from the latest nightly
--     simulation (dw.simulation_runs / simulation_results / lead_time_accuracy, part 63);
--   * the live figures (alerts, stock, revenue, last week's accuracy) take their window
--     bounds as scalar subqueries, which the planner pushes down into the views
--     (doliflow._prediction_actuals's DISTINCT ON, the demand adapters) and into the day
--     indexes of dw.fact_sales_daily and dw.fact_stock, instead of aggregating every
--     prediction and every day of history and filtering afterwards;
--   * the last week's accuracy is computed for that week only, with the formula of
--     dw.v_forecast_accuracy (whose grouping sets cannot take a pushed-down bound).

CREATE VIEW dw.v_dashboard AS
WITH lr AS (
	SELECT * FROM doliflow._stock_latest_run
), win AS (	-- the 30 days ending at the last day of loaded demand
	SELECT coalesce((SELECT max(d.day) FROM doliflow._stock_demand d), pg_catalog.timezone((SELECT s.value FROM doliflow.settings s WHERE s.name = 'timezone'), now())::date - 1) AS last_day
), snap AS (	-- may the alert items be read from the latest alert snapshot (stock module, part 60)?
	-- Yes when it was taken from the latest nightly forecast, from the current warehouse
	-- load (complete for the stock module's inputs, loaded before the snapshot), after the
	-- last change of a setting, and that forecast was computed from that load, complete:
	-- then dw.v_stock_alerts would give the same items, levels and figures again.
	SELECT s.snapshot_date
	  FROM (SELECT a.snapshot_date, min(a.generated_at) AS generated_at, bool_and(a.complete) AS complete,
				   min(a.forecast_run_id) AS fr_min, max(a.forecast_run_id) AS fr_max,
				   min(a.load_run_id) AS ld_min, max(a.load_run_id) AS ld_max,
				   bool_and(a.stock_value IS NOT NULL AND a.stock_after_lead_time IS NOT NULL AND a.stock_unrounded IS NOT NULL) AS full_rows
			  FROM dw.alert_snapshot a
			 WHERE a.snapshot_date = (SELECT max(a2.snapshot_date) FROM dw.alert_snapshot a2)
			 GROUP BY a.snapshot_date) s
	  JOIN doliflow._stock_latest_run lr ON lr.run_id = s.fr_min AND lr.run_id = s.fr_max
	  JOIN dw.prediction_runs r ON r.run_id = lr.run_id
	 WHERE s.complete AND s.full_rows AND s.ld_min = s.ld_max
	   AND s.ld_min = (SELECT max(ls.run_id) FROM dw.load_state ls)
	   AND s.generated_at >= (SELECT max(ls.loaded_at) FROM dw.load_state ls)
	   AND s.generated_at >= (SELECT max(st.updated_at) FROM doliflow.settings st)
	   AND coalesce(r.complete, false) AND r.load_run_id = s.ld_min
	   AND NOT EXISTS (SELECT 1 FROM doliflow._load_tables t	-- complete for the stock module's inputs (part 35)
					    WHERE t.missing AND t.table_name IN (SELECT i.source_table FROM doliflow.analytics_input i WHERE i.module = 'stock'))
), a AS MATERIALIZED (	-- the alert items: from the snapshot when it holds, else computed (dw.v_stock_alerts)
	SELECT s.fk_product, p.ref AS product_ref, p.label AS product_label, s.fk_entrepot, w.ref AS warehouse_ref,
		   s.level, CASE s.level WHEN 'Critical' THEN 1 WHEN 'Attention' THEN 2 WHEN 'OK' THEN 3 END AS level_rank,
		   s.stock, s.demand_lead_time, s.stock_after_lead_time, s.days_of_cover, s.suggested_quantity,
		   s.stock_value, true AS forecast_current
	  FROM dw.alert_snapshot s
	  LEFT JOIN doliflow._stock_product p ON p.fk_product = s.fk_product
	  LEFT JOIN dw.dim_warehouse w ON w.warehouse_key = s.fk_entrepot
	 WHERE s.snapshot_date = (SELECT snap.snapshot_date FROM snap)
	UNION ALL
	SELECT v.fk_product, v.product_ref, v.product_label, v.fk_entrepot, v.warehouse_ref,
		   v.level, v.level_rank, v.stock, v.demand_lead_time, v.stock_after_lead_time, v.days_of_cover, v.suggested_quantity,
		   v.stock_value, v.forecast_current
	  FROM dw.v_stock_alerts v
	 WHERE NOT EXISTS (SELECT 1 FROM snap)
), pr30 AS (	-- predicted vs actual product-days of the window (bounds pushed down into the view)
	SELECT pa.* FROM doliflow._prediction_actuals pa
	 WHERE pa.day > (SELECT win.last_day FROM win) - 30 AND pa.day <= (SELECT win.last_day FROM win)
), pa_last AS (	-- the latest week with predicted vs actual days: that of the last such day
	SELECT date_trunc('week', max(pr.day))::date AS week_start
	  FROM dw.predictions pr
	  JOIN dw.prediction_runs r ON r.run_id = pr.run_id AND r.kind IN ('nightly', 'backtest')
	 WHERE pr.fk_entrepot IS NULL AND pr.day <= (SELECT max(d.day) FROM doliflow._stock_demand d)
), acc AS (	-- dw.v_forecast_accuracy's accuracy_pct of that week (grain week)
	SELECT round((100 - 100 * sum(pw.abs_error) / nullif(sum(pw.actual), 0))::numeric, 2) AS accuracy_pct
	  FROM (SELECT pa.fk_product, sum(pa.actual) AS actual, sum(pa.abs_error) AS abs_error
			  FROM doliflow._prediction_actuals pa
			 WHERE pa.day >= (SELECT pa_last.week_start FROM pa_last) AND pa.day < (SELECT pa_last.week_start FROM pa_last) + 7
			 GROUP BY pa.fk_product) pw
	HAVING count(*) > 0
), counts AS (
	SELECT count(*) FILTER (WHERE a.level = 'Critical') AS n_critical,
		   count(*) FILTER (WHERE a.level = 'Attention') AS n_attention,
		   count(*) FILTER (WHERE a.level = 'OK') AS n_ok,
		   coalesce(sum(a.stock_value) FILTER (WHERE a.stock > 0), 0) AS stock_value
	  FROM a
), sales AS (
	SELECT coalesce(sum(d.qty), 0) AS qty
	  FROM doliflow._stock_demand d
	  JOIN doliflow._stock_product p USING (fk_product)
	 WHERE d.day > (SELECT win.last_day FROM win) - 30 AND d.day <= (SELECT win.last_day FROM win)
), moves30 AS (	-- net movements per day of the window and after it
	SELECT s.day, sum(s.qty) AS qty FROM doliflow._stock_moves s
	  JOIN doliflow._stock_product p USING (fk_product)
	 WHERE s.day > (SELECT win.last_day FROM win) - 30
	 GROUP BY 1
), stock_before AS (	-- total stock before the window: the stock now (the snapshot's items hold every
	-- stock row of a stockable product while it holds) less the movements since
	SELECT CASE WHEN EXISTS (SELECT 1 FROM snap)
				THEN (SELECT coalesce(sum(s.stock_unrounded), 0) FROM dw.alert_snapshot s WHERE s.snapshot_date = (SELECT snap.snapshot_date FROM snap))
				ELSE (SELECT coalesce(sum(o.stock), 0) FROM doliflow._stock_onhand o JOIN doliflow._stock_product p USING (fk_product)) END
		   - (SELECT coalesce(sum(m.qty), 0) FROM moves30 m) AS qty
), stock_days AS (	-- total stock at the end of each of the 30 days, rebuilt from movements
	SELECT g::date AS day,
		   (SELECT stock_before.qty FROM stock_before)
		   + coalesce(sum(n.qty) OVER (ORDER BY g), 0) AS stock
	  FROM win CROSS JOIN generate_series(win.last_day - 29, win.last_day, interval '1 day') g
	  LEFT JOIN moves30 n ON n.day = g::date
), revenue AS (
	SELECT (SELECT sum(pa.yhat * p.price) FROM pr30 pa JOIN doliflow._stock_product p USING (fk_product)) AS forecast,
		   (SELECT sum(pa.actual * p.price) FROM pr30 pa JOIN doliflow._stock_product p USING (fk_product)) AS actual,
		   (SELECT sum(r.amount) FROM doliflow._stock_revenue r
			  JOIN doliflow._stock_product p USING (fk_product)
			 WHERE r.day > (SELECT win.last_day FROM win) - 30 AND r.day <= (SELECT win.last_day FROM win)) AS invoiced
), trend AS (
	SELECT jsonb_agg(jsonb_build_object('date', t.snapshot_date, 'critical', t.c, 'attention', t.a, 'ok', t.o)
					 ORDER BY t.snapshot_date) AS days
	  FROM (SELECT s.snapshot_date, count(*) FILTER (WHERE s.level = 'Critical') AS c,
				   count(*) FILTER (WHERE s.level = 'Attention') AS a, count(*) FILTER (WHERE s.level = 'OK') AS o
			  FROM dw.alert_snapshot s
			 WHERE s.snapshot_date > pg_catalog.timezone((SELECT s.value FROM doliflow.settings s WHERE s.name = 'timezone'), now())::date - 7
			 GROUP BY 1) t
), urgent AS (
	SELECT jsonb_agg(u ORDER BY u.rank) AS items
	  FROM (SELECT row_number() OVER (ORDER BY a.level_rank, a.days_of_cover NULLS LAST, a.stock_after_lead_time, a.fk_product) AS rank,
				   a.fk_product, a.product_ref, a.product_label, a.fk_entrepot, a.warehouse_ref, a.level, a.stock,
				   a.demand_lead_time, a.days_of_cover, a.suggested_quantity
			  FROM a WHERE a.level IN ('Critical', 'Attention')
			 ORDER BY a.level_rank, a.days_of_cover NULLS LAST, a.stock_after_lead_time, a.fk_product
			 LIMIT 3) u
), cache AS (
	SELECT s.value::integer AS hours FROM doliflow.settings s WHERE s.name = 'cache_hours'
), lin AS (	-- the source data of the current warehouse load and of the alerts (part 35)
	SELECT (SELECT count(*) FROM a WHERE a.level = 'Unknown') AS n_unknown,
		   (SELECT bool_and(a.forecast_current) FROM a) AS forecast_current,
		   max(t.load_run_id) AS load_run_id,
		   NOT coalesce(bool_or(t.missing), false) AS complete,
		   coalesce(array_agg(t.table_name ORDER BY t.table_name) FILTER (WHERE t.missing), '{}') AS missing_tables,
		   min(t.loaded_as_of) AS as_of
	  FROM doliflow._load_tables t
), sim AS (	-- the latest nightly simulation (part 63): doliflow's policy against Dolibarr's rule
	SELECT r.sim_id, r.generated_at, r.period_start, r.period_end, r.service_level, r.load_run_id, r.complete,
		   d.fill_rate AS fill_doliflow, b.fill_rate AS fill_dolibarr,
		   d.avg_stock_value AS value_doliflow, b.avg_stock_value AS value_dolibarr,
		   d.stockout_days AS stockouts_doliflow, b.stockout_days AS stockouts_dolibarr
	  FROM (SELECT * FROM dw.simulation_runs r ORDER BY r.generated_at DESC, r.sim_id DESC LIMIT 1) r
	  LEFT JOIN dw.simulation_results d ON d.sim_id = r.sim_id AND d.policy = 'doliflow' AND d.fk_product IS NULL
	  LEFT JOIN dw.simulation_results b ON b.sim_id = r.sim_id AND b.policy = 'dolibarr' AND b.fk_product IS NULL
), ltw AS (	-- its lead-time accuracy per week (dw.v_lead_time_accuracy, part 63)
	SELECT l.week_start, l.iso_week, l.accuracy_pct, l.products, l.windows
	  FROM dw.v_lead_time_accuracy l
	 WHERE l.grain = 'week'
), lt AS (
	SELECT jsonb_agg(jsonb_build_object('week_start', ltw.week_start, 'iso_week', ltw.iso_week,
										'accuracy_pct', ltw.accuracy_pct, 'products', ltw.products, 'windows', ltw.windows)
					 ORDER BY ltw.week_start) AS weeks,
		   (array_agg(ltw.accuracy_pct ORDER BY ltw.week_start DESC))[1] AS last_pct
	  FROM ltw
)
SELECT c.n_critical, c.n_attention, c.n_ok,
	   round(c.stock_value, 2) AS stock_value,
	   round(sales.qty::numeric, 3) AS sales_30d,
	   round((SELECT avg(sd.stock) FROM stock_days sd)::numeric, 3) AS avg_stock_30d,
	   round(doliflow.rotation_rate(greatest(sales.qty, 0)::numeric, (SELECT avg(sd.stock) FROM stock_days sd)::numeric), 4) AS rotation_rate,
	   round(revenue.forecast::numeric, 2) AS revenue_forecast_30d,
	   round(revenue.actual::numeric, 2) AS revenue_actual_30d,
	   round(revenue.invoiced::numeric, 2) AS revenue_invoiced_30d,
	   round((100 * (revenue.forecast - revenue.actual) / nullif(revenue.actual, 0))::numeric, 2) AS revenue_gap_pct,
	   coalesce(trend.days, '[]') AS alert_trend_7d,
	   coalesce(urgent.items, '[]') AS top_urgent,
	   (SELECT acc.accuracy_pct FROM acc) AS accuracy_last_week_pct,
	   win.last_day AS data_until,
	   lr.generated_at,
	   lr.generated_at + make_interval(hours => cache.hours) AS cache_valid_until,
	   lr.generated_at IS NOT NULL AND lin.complete AND coalesce(lin.forecast_current, false) AS cache_fresh,
	   lin.n_unknown,
	   lin.complete AS data_complete,
	   lin.missing_tables,
	   lin.as_of AS source_data_as_of,
	   now() - lin.as_of AS source_data_age,
	   lin.load_run_id,
	   coalesce(lin.forecast_current, false) AS forecast_current,
	   sim.sim_id AS simulation_id,
	   sim.generated_at AS simulation_generated_at,
	   sim.period_start AS simulation_start,
	   sim.period_end AS simulation_end,
	   sim.service_level AS simulation_service_level,
	   sim.sim_id IS NOT NULL AND coalesce(sim.complete, false) AND sim.load_run_id IS NOT DISTINCT FROM lin.load_run_id AND lin.complete
		   AS simulation_current,
	   round(sim.value_dolibarr - sim.value_doliflow, 2) AS saved_stock_value,
	   sim.stockouts_dolibarr - sim.stockouts_doliflow AS saved_stockout_days,
	   sim.value_doliflow AS sim_stock_value_doliflow,
	   sim.value_dolibarr AS sim_stock_value_dolibarr,
	   sim.stockouts_doliflow AS sim_stockout_days_doliflow,
	   sim.stockouts_dolibarr AS sim_stockout_days_dolibarr,
	   sim.fill_doliflow AS sim_fill_rate_doliflow,
	   sim.fill_dolibarr AS sim_fill_rate_dolibarr,
	   lt.last_pct AS lead_time_accuracy_pct,
	   coalesce(lt.weeks, '[]') AS lead_time_accuracy_trend
  FROM counts c CROSS JOIN sales CROSS JOIN revenue CROSS JOIN trend CROSS JOIN urgent CROSS JOIN win
  CROSS JOIN cache CROSS JOIN lin CROSS JOIN lt
  LEFT JOIN lr ON true
  LEFT JOIN sim ON true;
COMMENT ON VIEW dw.v_dashboard IS 'Page 2 (Dashboard), one row: alerts per level, stock value, rotation rate, forecast vs actual revenue over 30 days, 7-day alert trend, the 3 most urgent items, the timestamp of the forecast shown (24-hour cache), and from the latest nightly simulation (dw.simulation_runs) the stock value and stock-outs doliflow''s policy saves against Dolibarr''s rule and the lead-time forecast accuracy week by week (NULL / empty when no simulation exists)';
COMMENT ON COLUMN dw.v_dashboard.n_critical IS 'Items (product x warehouse) at level Critical';
COMMENT ON COLUMN dw.v_dashboard.n_attention IS 'Items at level Attention';
COMMENT ON COLUMN dw.v_dashboard.n_ok IS 'Items at level OK';
COMMENT ON COLUMN dw.v_dashboard.stock_value IS 'Sum of stock x pmp over items with positive stock';
COMMENT ON COLUMN dw.v_dashboard.sales_30d IS 'Units sold over the 30 days ending at data_until';
COMMENT ON COLUMN dw.v_dashboard.avg_stock_30d IS 'Average total stock (units) over the same 30 days, rebuilt day by day from the movements';
COMMENT ON COLUMN dw.v_dashboard.rotation_rate IS 'rotation_rate(sales_30d, avg_stock_30d) = sales_30d / avg_stock_30d; NULL when the average stock is not positive';
COMMENT ON COLUMN dw.v_dashboard.revenue_forecast_30d IS 'Forecast revenue over the 30 days: for every product-day with a prediction made before it, forecast demand x selling price (NULL when no prediction covers the window, e.g. before the first back-test or second night)';
COMMENT ON COLUMN dw.v_dashboard.revenue_actual_30d IS 'Actual revenue on the same basis: actual demand x selling price over the same product-days (the seed''s CA réel, comparable with revenue_forecast_30d)';
COMMENT ON COLUMN dw.v_dashboard.revenue_invoiced_30d IS 'Invoiced revenue (validated invoices, HT) of the stockable products over the 30 days (materials used on building sites are often invoiced inside service lines, so this can be far below revenue_actual_30d)';
COMMENT ON COLUMN dw.v_dashboard.revenue_gap_pct IS '100 x (revenue_forecast_30d - revenue_actual_30d) / revenue_actual_30d';
COMMENT ON COLUMN dw.v_dashboard.alert_trend_7d IS 'Alerts per level on each of the last 7 days: [{date, critical, attention, ok}] from dw.alert_snapshot';
COMMENT ON COLUMN dw.v_dashboard.top_urgent IS 'The 3 most urgent items: Critical before Attention, fewest days of cover first';
COMMENT ON COLUMN dw.v_dashboard.accuracy_last_week_pct IS 'accuracy_pct (100 - WAPE, day by day) of the latest week in dw.v_forecast_accuracy';
COMMENT ON COLUMN dw.v_dashboard.data_until IS 'Last day of loaded demand (end of the 30-day window)';
COMMENT ON COLUMN dw.v_dashboard.generated_at IS 'When the forecast behind the alerts was computed (visible cache timestamp)';
COMMENT ON COLUMN dw.v_dashboard.cache_valid_until IS 'generated_at + cache_hours (the setting''s horizon; the forecast is reused as long as cache_fresh holds, whatever its age)';
COMMENT ON COLUMN dw.v_dashboard.cache_fresh IS 'True when the forecast behind the alerts was computed from the current warehouse load and that load is complete (data_complete): what run_analytics reuses';
COMMENT ON COLUMN dw.v_dashboard.n_unknown IS 'Items at level Unknown: a table their level is computed from failed to extract and was never loaded';
COMMENT ON COLUMN dw.v_dashboard.data_complete IS 'False when the current warehouse load lacks a source table (its last extract failed): see missing_tables';
COMMENT ON COLUMN dw.v_dashboard.missing_tables IS 'Source tables whose last extract before the current warehouse load failed (empty when complete)';
COMMENT ON COLUMN dw.v_dashboard.source_data_as_of IS 'When the oldest source table of the current warehouse load was read from Dolibarr';
COMMENT ON COLUMN dw.v_dashboard.source_data_age IS 'now() - source_data_as_of: how old the source data is';
COMMENT ON COLUMN dw.v_dashboard.load_run_id IS 'The current warehouse load (dw.load_state.run_id)';
COMMENT ON COLUMN dw.v_dashboard.forecast_current IS 'True when the forecast behind the alerts was computed from the current warehouse load, complete for its inputs';
COMMENT ON COLUMN dw.v_dashboard.simulation_id IS 'The latest nightly simulation (dw.simulation_runs.sim_id); NULL when none exists (the columns below are then NULL or empty)';
COMMENT ON COLUMN dw.v_dashboard.simulation_generated_at IS 'When that simulation was computed';
COMMENT ON COLUMN dw.v_dashboard.simulation_start IS 'First day it replayed';
COMMENT ON COLUMN dw.v_dashboard.simulation_end IS 'Last day it replayed';
COMMENT ON COLUMN dw.v_dashboard.simulation_service_level IS 'Service level it simulated (setting service_level then)';
COMMENT ON COLUMN dw.v_dashboard.simulation_current IS 'True when it was computed from the current warehouse load and that load is complete for its inputs; false: a stale result (a later night failed or has not run it), shown as such';
COMMENT ON COLUMN dw.v_dashboard.saved_stock_value IS 'Average stock value (EUR) doliflow''s policy saves against Dolibarr''s rule (replenish.php) over the simulated period: sim_stock_value_dolibarr - sim_stock_value_doliflow (negative: doliflow holds more stock)';
COMMENT ON COLUMN dw.v_dashboard.saved_stockout_days IS 'Stock-out days (product-days with unmet demand) doliflow''s policy avoids against Dolibarr''s rule: sim_stockout_days_dolibarr - sim_stockout_days_doliflow';
COMMENT ON COLUMN dw.v_dashboard.sim_stock_value_doliflow IS 'Average stock value (EUR) under doliflow''s policy, all products';
COMMENT ON COLUMN dw.v_dashboard.sim_stock_value_dolibarr IS 'Average stock value (EUR) under Dolibarr''s rule, all products';
COMMENT ON COLUMN dw.v_dashboard.sim_stockout_days_doliflow IS 'Stock-out days under doliflow''s policy, summed over products';
COMMENT ON COLUMN dw.v_dashboard.sim_stockout_days_dolibarr IS 'Stock-out days under Dolibarr''s rule, summed over products';
COMMENT ON COLUMN dw.v_dashboard.sim_fill_rate_doliflow IS 'Share of the demand served under doliflow''s policy';
COMMENT ON COLUMN dw.v_dashboard.sim_fill_rate_dolibarr IS 'Share of the demand served under Dolibarr''s rule';
COMMENT ON COLUMN dw.v_dashboard.lead_time_accuracy_pct IS 'Lead-time accuracy of the latest week of the simulation: 100 - 100 x sum |forecast over the lead time - actual| / sum actual, over the products and forecast origins of that week (dw.lead_time_accuracy)';
COMMENT ON COLUMN dw.v_dashboard.lead_time_accuracy_trend IS 'The same week by week: [{week_start, iso_week, accuracy_pct, products, windows}] (windows: product x origin lead-time windows judged)';
