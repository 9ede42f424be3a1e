-- doliflow install script, part 63: the nightly simulation and its stored results
-- (issue 16, item 5; the dashboard's savings and proof of precision).
--
--   dw.simulation_runs           one row per computation of the simulation module
--   dw.simulation_results        what doliflow.simulate_replenishment (part 62) returned:
--                                per policy and product, and per policy over all products
--   dw.lead_time_accuracy        the error of the forecast demand over each product's lead
--                                time (what an order must cover), per product and week
--   doliflow._analytics_simulation  the module (registered by part 76) that fills them
--
-- The module replays the simulation_days (a setting) ending at the last day of loaded
-- demand and measures, over the same days, the nightly and back-test forecasts made at
-- each origin against the demand of the lead time that followed.  Its outputs carry
-- their run, generated_at and the warehouse load they were computed from (part 35):
-- a failed night leaves the previous rows, which the dashboard then shows as stale.
-- dw.v_dashboard (part 64) reads the latest rows; nothing here is recomputed by a page.

INSERT INTO doliflow.settings (name, value, value_type, description) VALUES
	('simulation_days', '56', 'integer', 'Days ending at the last day of loaded demand that the nightly simulation module replays (doliflow.simulate_replenishment, every policy) and over which it measures the lead-time forecast error; the dashboard''s savings and lead-time accuracy come from it');

------------------------------------------------------------------------------
-- Output tables
------------------------------------------------------------------------------

CREATE TABLE dw.simulation_runs (
	sim_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	run_id          bigint,
	generated_at    timestamptz NOT NULL DEFAULT now(),
	period_start    date NOT NULL,
	period_end      date NOT NULL,
	service_level   float8 NOT NULL,
	products        integer NOT NULL,
	forecast_run_id bigint,
	settings        jsonb NOT NULL,
	load_run_id     bigint,
	complete        boolean,
	missing_tables  text[],
	CHECK (period_start <= period_end)
);
CREATE INDEX simulation_runs_generated_idx ON dw.simulation_runs (generated_at DESC, sim_id DESC);
COMMENT ON TABLE dw.simulation_runs IS 'One row per computation of the nightly simulation module (run_analytics(''simulation'')): the period replayed, the settings used and the warehouse load it was computed from; dw.v_dashboard shows the latest one';
COMMENT ON COLUMN dw.simulation_runs.sim_id IS 'Identity; the rows of dw.simulation_results and dw.lead_time_accuracy of this computation';
COMMENT ON COLUMN dw.simulation_runs.run_id IS 'doliflow.run_log run that computed it';
COMMENT ON COLUMN dw.simulation_runs.generated_at IS 'When it was computed (also the generated_at of its dw.analytics_runs row)';
COMMENT ON COLUMN dw.simulation_runs.period_start IS 'First day replayed: the simulation_days ending at period_end, not before the first day of loaded demand';
COMMENT ON COLUMN dw.simulation_runs.period_end IS 'Last day replayed: the last day of loaded demand';
COMMENT ON COLUMN dw.simulation_runs.service_level IS 'Service level the policies were simulated at (setting service_level)';
COMMENT ON COLUMN dw.simulation_runs.products IS 'Products replayed';
COMMENT ON COLUMN dw.simulation_runs.forecast_run_id IS 'The newest nightly or back-test forecast run when it was computed (a newer one makes the module compute again)';
COMMENT ON COLUMN dw.simulation_runs.settings IS 'The settings the results depend on (simulation_days, service_level, stock_review_days, forecast_level_days, lead_time_default_days): another value makes the module compute again';
COMMENT ON COLUMN dw.simulation_runs.load_run_id IS 'The warehouse load it was computed from (dw.load_state.run_id then)';
COMMENT ON COLUMN dw.simulation_runs.complete IS 'False when a source table of the module''s inputs (doliflow.analytics_input) was missing (its extract had failed) in that load';
COMMENT ON COLUMN dw.simulation_runs.missing_tables IS 'Those missing source tables (empty when complete)';

CREATE TABLE dw.simulation_results (
	sim_id              bigint NOT NULL REFERENCES dw.simulation_runs ON DELETE CASCADE,
	policy              text NOT NULL,
	fk_product          integer,
	lead_time_days      integer,
	days                integer NOT NULL,
	demand              numeric NOT NULL,
	served              numeric NOT NULL,
	fill_rate           numeric,
	cycles              integer NOT NULL,
	cycles_ok           integer NOT NULL,
	cycle_service_level numeric,
	stockout_days       integer NOT NULL,
	avg_stock           numeric,
	avg_stock_value     numeric,
	peak_stock_value    numeric,
	orders              integer NOT NULL,
	qty_ordered         numeric NOT NULL,
	value_ordered       numeric NOT NULL,
	CONSTRAINT simulation_results_key UNIQUE NULLS NOT DISTINCT (sim_id, policy, fk_product)
);
COMMENT ON TABLE dw.simulation_results IS 'The rows doliflow.simulate_replenishment returned to the simulation module, as they were: per policy and product, and per policy over all products (fk_product NULL)';
COMMENT ON COLUMN dw.simulation_results.sim_id IS 'The computation (dw.simulation_runs)';
COMMENT ON COLUMN dw.simulation_results.policy IS 'doliflow, doliflow_lt, dolibarr (replenish.php''s rule) or naive';
COMMENT ON COLUMN dw.simulation_results.fk_product IS 'Product; NULL on the row over all products';
COMMENT ON COLUMN dw.simulation_results.lead_time_days IS 'Supplier lead time simulated (NULL on the row over all products)';
COMMENT ON COLUMN dw.simulation_results.days IS 'Days replayed';
COMMENT ON COLUMN dw.simulation_results.demand IS 'Real demand over the period (units)';
COMMENT ON COLUMN dw.simulation_results.served IS 'Demand served from stock (units)';
COMMENT ON COLUMN dw.simulation_results.fill_rate IS 'served / demand';
COMMENT ON COLUMN dw.simulation_results.cycles IS 'Orders whose lead time ended within the period';
COMMENT ON COLUMN dw.simulation_results.cycles_ok IS 'Of those, orders whose lead time had no stock-out';
COMMENT ON COLUMN dw.simulation_results.cycle_service_level IS 'cycles_ok / cycles';
COMMENT ON COLUMN dw.simulation_results.stockout_days IS 'Days with unmet demand (summed over products on the row over all products)';
COMMENT ON COLUMN dw.simulation_results.avg_stock IS 'Average stock on hand at the end of the day (units)';
COMMENT ON COLUMN dw.simulation_results.avg_stock_value IS 'Average stock value (stock on hand x pmp, EUR)';
COMMENT ON COLUMN dw.simulation_results.peak_stock_value IS 'Highest stock value of a day (EUR)';
COMMENT ON COLUMN dw.simulation_results.orders IS 'Orders placed';
COMMENT ON COLUMN dw.simulation_results.qty_ordered IS 'Units ordered';
COMMENT ON COLUMN dw.simulation_results.value_ordered IS 'Value ordered (units x pmp, EUR)';

CREATE TABLE dw.lead_time_accuracy (
	sim_id          bigint NOT NULL REFERENCES dw.simulation_runs ON DELETE CASCADE,
	week_start      date NOT NULL,
	fk_product      integer NOT NULL,
	lead_time_days  integer NOT NULL,
	origins         integer NOT NULL,
	forecast        numeric NOT NULL,
	actual          numeric NOT NULL,
	abs_error       numeric NOT NULL,
	PRIMARY KEY (sim_id, week_start, fk_product)
);
COMMENT ON TABLE dw.lead_time_accuracy IS 'The error that matters to a buyer: for each forecast origin of the simulated period (the latest nightly or back-test run of that origin) and product, the forecast demand over the product''s lead time (the days origin + 1 .. origin + lead_time_days) against the real demand of those days; summed per product and ISO week of the origin. Windows that end after the last day of loaded demand, or that the forecast does not cover whole, are left out';
COMMENT ON COLUMN dw.lead_time_accuracy.sim_id IS 'The computation (dw.simulation_runs)';
COMMENT ON COLUMN dw.lead_time_accuracy.week_start IS 'Monday of the ISO week of the forecast origins';
COMMENT ON COLUMN dw.lead_time_accuracy.fk_product IS 'Product';
COMMENT ON COLUMN dw.lead_time_accuracy.lead_time_days IS 'Lead time of the window (supplier lead time, else setting lead_time_default_days; at least 1)';
COMMENT ON COLUMN dw.lead_time_accuracy.origins IS 'Forecast origins of the week judged for the product';
COMMENT ON COLUMN dw.lead_time_accuracy.forecast IS 'Sum over those origins of the forecast demand over the lead time (units)';
COMMENT ON COLUMN dw.lead_time_accuracy.actual IS 'Sum over those origins of the real demand over the same days (units)';
COMMENT ON COLUMN dw.lead_time_accuracy.abs_error IS 'Sum over those origins of |forecast over the lead time - actual over the lead time| (units)';

-- The latest simulation's lead-time accuracy, per product and week, week, product and overall.
CREATE VIEW dw.v_lead_time_accuracy AS
WITH s AS (
	SELECT r.sim_id, r.generated_at, r.period_start, r.period_end
	  FROM dw.simulation_runs r ORDER BY r.generated_at DESC, r.sim_id DESC LIMIT 1
)
SELECT CASE WHEN grouping(l.week_start) = 0 THEN to_char(l.week_start, 'IYYY-"W"IW') END AS iso_week,
	   l.week_start, l.fk_product,
	   CASE WHEN grouping(l.week_start) = 0 AND grouping(l.fk_product) = 0 THEN 'product_week'
			WHEN grouping(l.week_start) = 0 THEN 'week'
			WHEN grouping(l.fk_product) = 0 THEN 'product'
			ELSE 'all' END AS grain,
	   max(l.lead_time_days) AS lead_time_days,
	   count(DISTINCT l.fk_product) AS products,
	   sum(l.origins) AS windows,
	   sum(l.actual) AS actual, sum(l.forecast) AS forecast, sum(l.abs_error) AS abs_error,
	   round(100 * sum(l.abs_error) / nullif(sum(l.actual), 0), 2) AS wape,
	   round(100 - 100 * sum(l.abs_error) / nullif(sum(l.actual), 0), 2) AS accuracy_pct,
	   s.sim_id, s.generated_at, s.period_start, s.period_end
  FROM s JOIN dw.lead_time_accuracy l ON l.sim_id = s.sim_id
 GROUP BY s.sim_id, s.generated_at, s.period_start, s.period_end,
		  GROUPING SETS ((l.week_start, l.fk_product), (l.week_start), (l.fk_product), ());
COMMENT ON VIEW dw.v_lead_time_accuracy IS 'The accuracy that matters to a buyer, from the latest nightly simulation (dw.lead_time_accuracy): the forecast demand over each product''s lead time against the real demand of those days, per product and ISO week of the forecast origins, per week (all products), per product (all weeks) and overall. accuracy_pct = 100 - 100 x sum |forecast - actual| / sum actual over the lead-time windows (dw.v_forecast_accuracy judges day by day)';
COMMENT ON COLUMN dw.v_lead_time_accuracy.iso_week IS 'ISO week of the forecast origins (e.g. 2026-W48); NULL on the per-product and overall rows';
COMMENT ON COLUMN dw.v_lead_time_accuracy.week_start IS 'Monday of that week';
COMMENT ON COLUMN dw.v_lead_time_accuracy.fk_product IS 'Product; NULL on the per-week and overall rows';
COMMENT ON COLUMN dw.v_lead_time_accuracy.grain IS 'product_week, week (all products), product (all weeks) or all';
COMMENT ON COLUMN dw.v_lead_time_accuracy.lead_time_days IS 'Lead time of the windows (the largest on rows over several products)';
COMMENT ON COLUMN dw.v_lead_time_accuracy.products IS 'Products judged';
COMMENT ON COLUMN dw.v_lead_time_accuracy.windows IS 'Lead-time windows judged (product x forecast origin)';
COMMENT ON COLUMN dw.v_lead_time_accuracy.actual IS 'Sum of the real demand over the windows (units)';
COMMENT ON COLUMN dw.v_lead_time_accuracy.forecast IS 'Sum of the forecast demand over the windows (units)';
COMMENT ON COLUMN dw.v_lead_time_accuracy.abs_error IS 'Sum over the windows of |forecast - actual| (units)';
COMMENT ON COLUMN dw.v_lead_time_accuracy.wape IS '100 x abs_error / actual; NULL when actual = 0';
COMMENT ON COLUMN dw.v_lead_time_accuracy.accuracy_pct IS '100 - wape';
COMMENT ON COLUMN dw.v_lead_time_accuracy.sim_id IS 'The simulation (dw.simulation_runs)';
COMMENT ON COLUMN dw.v_lead_time_accuracy.generated_at IS 'When it was computed';
COMMENT ON COLUMN dw.v_lead_time_accuracy.period_start IS 'First day of the simulated period';
COMMENT ON COLUMN dw.v_lead_time_accuracy.period_end IS 'Last day of the simulated period';

------------------------------------------------------------------------------
-- The module
------------------------------------------------------------------------------

CREATE PROCEDURE doliflow._analytics_simulation(p_run_id bigint, p_force boolean DEFAULT false)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_last dw.simulation_runs;
	v_settings jsonb;
	v_fc bigint;
	v_end date;
	v_first date;
	v_start date;
	v_sim bigint;
	v_rows bigint;
	v_lt bigint;
	v_products integer;
	v_lead_default integer := doliflow.setting('lead_time_default_days')::integer;
	l record;
	v_detail jsonb;
	v_steps numeric;
	v_budget constant numeric := 10000000;
BEGIN
	v_settings := (SELECT jsonb_object_agg(s.name, s.value) FROM doliflow.settings s
					WHERE s.name IN ('simulation_days', 'service_level', 'stock_review_days', 'forecast_level_days', 'lead_time_default_days'));
	SELECT max(r.run_id) INTO v_fc FROM dw.prediction_runs r WHERE r.kind IN ('nightly', 'backtest');
	SELECT r.* INTO v_last FROM dw.simulation_runs r ORDER BY r.generated_at DESC, r.sim_id DESC LIMIT 1;
	IF NOT coalesce(p_force, false) AND v_last.sim_id IS NOT NULL
	   AND v_last.settings = v_settings AND v_last.forecast_run_id IS NOT DISTINCT FROM v_fc
	   AND doliflow._lineage_current('simulation', v_last.load_run_id, v_last.complete) THEN
		PERFORM doliflow._analytics_report('simulation', p_run_id, 0, 0,
			jsonb_build_object('cached', v_last.generated_at, 'sim_id', v_last.sim_id), true);
		RETURN;
	END IF;
	SELECT least(max(d.day), doliflow.company_today()), min(d.day) INTO v_end, v_first FROM doliflow._stock_demand d;
	IF v_end IS NULL THEN
		PERFORM doliflow._analytics_report('simulation', p_run_id, 0, 0, jsonb_build_object('skipped', 'no demand loaded'), true);
		RETURN;
	END IF;
	v_start := greatest(v_end - doliflow.setting('simulation_days')::integer + 1, v_first);
	-- The replay looks, each day and for each product and forecast policy, over the lead time
	-- and the review period: with extreme settings (lead_time_default_days, stock_review_days
	-- in the thousands) a night would spend hours on it.  Beyond a budget of day-steps (a few
	-- minutes of replay on a small server) the module says so and keeps its previous result, which the pages
	-- then show as stale: never a wrong one.
	SELECT (v_end - v_start + 1)::numeric * 3 * sum(greatest(coalesce(p.supplier_lead_time_days, v_lead_default), 1)
												   + doliflow.setting('stock_review_days')::integer)
	  INTO v_steps FROM doliflow._stock_product p;
	IF v_steps > v_budget THEN
		RAISE NOTICE 'doliflow: simulation skipped: % day-steps (days x products x (lead time + stock_review_days) x 3 forecast policies) exceed the budget of %; the previous result is kept and shown as stale',
			v_steps, v_budget;
		PERFORM doliflow._analytics_report('simulation', p_run_id, 0, 0,
			jsonb_build_object('skipped', 'over budget', 'day_steps', v_steps, 'budget', v_budget), true);
		RETURN;
	END IF;
	l := doliflow._lineage('simulation');
	INSERT INTO dw.simulation_runs (run_id, generated_at, period_start, period_end, service_level, products,
									forecast_run_id, settings, load_run_id, complete, missing_tables)
	VALUES (p_run_id, now(), v_start, v_end, doliflow.setting('service_level')::float8, 0,
			v_fc, v_settings, l.load_run_id, l.complete, l.missing_tables)
	RETURNING sim_id INTO v_sim;
	-- The simulator's current signature (part 62): the period, every policy, the setting's service level.
	INSERT INTO dw.simulation_results (sim_id, policy, fk_product, lead_time_days, days, demand, served, fill_rate,
									   cycles, cycles_ok, cycle_service_level, stockout_days, avg_stock, avg_stock_value,
									   peak_stock_value, orders, qty_ordered, value_ordered)
	SELECT v_sim, s.policy, s.fk_product, s.lead_time_days, s.days, s.demand, s.served, s.fill_rate,
		   s.cycles, s.cycles_ok, s.cycle_service_level, s.stockout_days, s.avg_stock, s.avg_stock_value,
		   s.peak_stock_value, s.orders, s.qty_ordered, s.value_ordered
	  FROM doliflow.simulate_replenishment(v_start, v_end) s;
	GET DIAGNOSTICS v_rows = ROW_COUNT;
	SELECT count(DISTINCT r.fk_product) INTO v_products FROM dw.simulation_results r WHERE r.sim_id = v_sim;
	UPDATE dw.simulation_runs r SET products = v_products WHERE r.sim_id = v_sim;
	-- The lead-time demand error of the forecasts made at each origin of the period.
	INSERT INTO dw.lead_time_accuracy (sim_id, week_start, fk_product, lead_time_days, origins, forecast, actual, abs_error)
	WITH runs AS (	-- the latest nightly or back-test run of each origin
		SELECT DISTINCT ON (r.origin) r.run_id, r.origin
		  FROM dw.prediction_runs r
		 WHERE r.kind IN ('nightly', 'backtest') AND r.origin >= v_start - 1 AND r.origin < v_end
		 ORDER BY r.origin, r.generated_at DESC, r.run_id DESC
	), lt AS (
		SELECT p.fk_product, greatest(coalesce(p.supplier_lead_time_days, v_lead_default), 1) AS lead
		  FROM doliflow._stock_product p
	), w AS (	-- one window per origin and product, covered whole by the forecast and by actuals
		SELECT r.origin, lt.fk_product, lt.lead, sum(pr.yhat) AS forecast
		  FROM runs r
		  JOIN dw.predictions pr ON pr.run_id = r.run_id AND pr.fk_entrepot IS NULL AND pr.day > r.origin
		  JOIN lt ON lt.fk_product = pr.fk_product AND pr.day <= r.origin + lt.lead
		 WHERE r.origin + lt.lead <= v_end
		 GROUP BY r.origin, lt.fk_product, lt.lead
		HAVING count(*) = lt.lead
	), wa AS (
		SELECT w.*, coalesce((SELECT sum(d.qty) FROM doliflow._stock_demand d
							   WHERE d.fk_product = w.fk_product AND d.day > w.origin AND d.day <= w.origin + w.lead), 0) AS actual
		  FROM w
	)
	SELECT v_sim, date_trunc('week', wa.origin)::date, wa.fk_product, max(wa.lead), count(*),
		   round(sum(wa.forecast)::numeric, 3), round(sum(wa.actual)::numeric, 3),
		   round(sum(abs(wa.forecast - wa.actual))::numeric, 3)
	  FROM wa
	 GROUP BY 2, 3;
	GET DIAGNOSTICS v_lt = ROW_COUNT;
	SELECT jsonb_build_object('sim_id', v_sim, 'period_start', v_start, 'period_end', v_end, 'products', v_products,
							  'lead_time_rows', v_lt,
							  'saved_avg_stock_value', (SELECT b.avg_stock_value - d.avg_stock_value
														  FROM dw.simulation_results d JOIN dw.simulation_results b
														    ON b.sim_id = d.sim_id AND b.policy = 'dolibarr' AND b.fk_product IS NULL
														 WHERE d.sim_id = v_sim AND d.policy = 'doliflow' AND d.fk_product IS NULL),
							  'saved_stockout_days', (SELECT b.stockout_days - d.stockout_days
														FROM dw.simulation_results d JOIN dw.simulation_results b
														  ON b.sim_id = d.sim_id AND b.policy = 'dolibarr' AND b.fk_product IS NULL
													   WHERE d.sim_id = v_sim AND d.policy = 'doliflow' AND d.fk_product IS NULL))
	  INTO v_detail;
	PERFORM doliflow._analytics_report('simulation', p_run_id, v_products, v_rows + v_lt, v_detail);
END;
$$;
COMMENT ON PROCEDURE doliflow._analytics_simulation(bigint, boolean) IS
'Simulation module of run_analytics(): replays the simulation_days ending at the last day of loaded demand (not before its first day) with doliflow.simulate_replenishment (every policy, setting service_level) into dw.simulation_results, and measures the lead-time demand error of the nightly and back-test forecasts of each origin of that period into dw.lead_time_accuracy; one dw.simulation_runs row (and dw.analytics_runs row) with the warehouse load it was computed from. Skips the replay (keeping the previous result, then shown as stale) when days x products x (lead time + stock_review_days) x 3 exceeds 10 million day-steps (a few minutes of replay; e.g. more than about 190 days at the medium scale, or extreme lead_time_default_days / stock_review_days). Reuses the latest computation, unless force, while its settings and the newest forecast run are unchanged and it was computed from the current warehouse load, complete for its inputs, whatever its age. No transaction control: the caller commits.';

INSERT INTO doliflow.analytics_input (module, source_table)
SELECT 'simulation', unnest('{llx_product,llx_product_stock,llx_stock_mouvement,llx_product_fournisseur_price}'::text[]);
