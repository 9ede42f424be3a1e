-- doliflow install script, part 60: stock intelligence (the second seed's three pages).
--
--   formulas      doliflow.stock_level, suggested_quantity, rotation_rate, safety_stock
--   events        doliflow.events (promotions, closures...), learn_event_effects(), event_effect()
--   predictions   dw.prediction_runs, dw.predictions, generate_predictions(), _analytics_forecast()
--   alerts        dw.v_stock_alerts, what_if_order(), dw.alert_snapshot, _analytics_stock()
--   pages         dw.v_predictions, dw.v_forecast_accuracy (dw.v_dashboard is part 64's)
--
-- Every formula of the seed lives in one pure SQL function that the views call,
-- so the regression tests exercise exactly the code the views run.

------------------------------------------------------------------------------
-- Settings of this area (the table and its checks are part 00's)
------------------------------------------------------------------------------

INSERT INTO doliflow.settings (name, value, value_type, description) VALUES
	('stock_review_days', '7', 'integer', 'Review period in days: the default order target date is today + lead time + this period (what_if_order() lets the user choose another date)'),
	('demand_share_days', '90', 'integer', 'Days of sales movements used to split a product''s forecast between its warehouses'),
	('forecast_level_days', '56', 'integer', 'Days of recent history the SQL baseline forecast (used when the C engine is absent, and for event baselines) averages its level over'),
	('event_min_effect', '0.05', 'numeric', 'Event days whose multiplier is below this (closures) are left out of model fitting instead of being divided by the multiplier'),
	('forecast_engine', 'auto', 'text', 'auto: the C forecasting engine (automatic choice among ETS, Theta, Prophet-style, Croston/SBA/TSB per product); sql: the SQL baseline (weekday profile x recent level)');

------------------------------------------------------------------------------
-- Adapters: the only place where this part names warehouse/lake columns.
------------------------------------------------------------------------------

-- Products that can be stocked: physical products (not services) still sold,
-- bought or held.  Product categories are not in the warehouse yet, so
-- category_id is NULL and events scoped to a category match no product.
CREATE VIEW doliflow._stock_product AS
SELECT p.product_key AS fk_product, p.ref, p.label, NULL::integer AS category_id,
	   p.price, p.pmp, nullif(p.supplier_packaging, 0) AS packaging,
	   CASE WHEN p.supplier_lead_time_days > 0 THEN p.supplier_lead_time_days END AS supplier_lead_time_days
  FROM dw.dim_product p
 WHERE coalesce(p.product_type, 0) = 0
   AND (coalesce(p.to_sell, true) OR coalesce(p.to_buy, true) OR p.stock_total <> 0);
COMMENT ON VIEW doliflow._stock_product IS 'internal: stockable products as the stock module sees them (adapter over dw.dim_product)';

-- Physical stock per product and warehouse: the sum of the movement ledger
-- (Dolibarr keeps llx_product_stock.reel equal to it).
CREATE VIEW doliflow._stock_onhand AS
SELECT s.product_key AS fk_product, s.warehouse_key AS fk_entrepot, sum(s.quantity) AS stock
  FROM dw.fact_stock s
 GROUP BY 1, 2;
COMMENT ON VIEW doliflow._stock_onhand IS 'internal: current stock per product and warehouse (sum of dw.fact_stock movements)';

-- Daily demand per product (all warehouses): the series the forecasts model.
CREATE VIEW doliflow._stock_demand AS
SELECT f.product_key AS fk_product, f.day, f.demand_qty AS qty
  FROM dw.fact_sales_daily f
 WHERE f.demand_qty <> 0;
COMMENT ON VIEW doliflow._stock_demand IS 'internal: daily demand per product (adapter over dw.fact_sales_daily; days without a row are zero demand)';

-- Sales out of each warehouse (type 2 movements), to split forecasts.
CREATE VIEW doliflow._stock_demand_wh AS
SELECT s.product_key AS fk_product, s.warehouse_key AS fk_entrepot, s.moved_at::date AS day, -sum(s.quantity) AS qty
  FROM dw.fact_stock s
 WHERE s.movement_type = 2
 GROUP BY 1, 2, 3;
COMMENT ON VIEW doliflow._stock_demand_wh IS 'internal: sales movements (type 2) per product, warehouse and day';

-- Movements per product and day (for the stock rebuilt day by day).
CREATE VIEW doliflow._stock_moves AS
SELECT s.product_key AS fk_product, s.moved_at::date AS day, sum(s.quantity) AS qty
  FROM dw.fact_stock s
 GROUP BY 1, 2;
COMMENT ON VIEW doliflow._stock_moves IS 'internal: net stock movement per product and day';

-- Quantities on open supplier orders (validated, approved, sent, partially
-- received).  Partial receptions are not subtracted (receptions are not in
-- the lake): the whole ordered quantity counts as incoming.
CREATE VIEW doliflow._stock_incoming AS
SELECT d.fk_product, sum(d.qty) AS qty
  FROM lake.llx_commande_fournisseur_current c
  JOIN lake.llx_commande_fournisseurdet_current d ON d.fk_commande = c.rowid
 WHERE c.fk_statut BETWEEN 1 AND 4 AND d.fk_product IS NOT NULL
 GROUP BY 1;
COMMENT ON VIEW doliflow._stock_incoming IS 'internal: quantities on open supplier orders (fk_statut 1-4) per product';

CREATE VIEW doliflow._stock_calendar AS
SELECT d.day, d.is_holiday, d.holiday_name
  FROM dw.dim_date d;
COMMENT ON VIEW doliflow._stock_calendar IS 'internal: days with the French public holidays (adapter over dw.dim_date)';

CREATE VIEW doliflow._stock_revenue AS
SELECT f.product_key AS fk_product, f.day, f.revenue_ht AS amount
  FROM dw.fact_sales_daily f
 WHERE f.revenue_ht <> 0;
COMMENT ON VIEW doliflow._stock_revenue IS 'internal: invoiced revenue (validated invoices, HT) per product and day';

------------------------------------------------------------------------------
-- Formulas (the seed's exact ones, plus safety stock)
------------------------------------------------------------------------------

CREATE FUNCTION doliflow._check_finite(x numeric, what text, min_value numeric DEFAULT NULL) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF x IN ('NaN'::numeric, 'Infinity'::numeric, '-Infinity'::numeric) THEN
		RAISE EXCEPTION '% must be a finite number, not %', what, x
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF x < min_value THEN
		RAISE EXCEPTION '% must be at least %, not %', what, min_value, x
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	RETURN x;
END;
$$;
COMMENT ON FUNCTION doliflow._check_finite(numeric, text, numeric) IS 'internal: returns x, or raises invalid_parameter_value when x is NaN, infinite or below min_value';

-- The formulas are plpgsql with their checks written inline: dw views call
-- them on behalf of the BI reader role, which has no USAGE on schema doliflow,
-- so their bodies must not name any doliflow object.

CREATE FUNCTION doliflow.stock_level(stock numeric, demand_lead_time numeric, daily_demand numeric,
									 attention_days numeric) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF stock IN ('NaN', 'Infinity', '-Infinity') THEN
		RAISE EXCEPTION 'stock must be a finite number, not %', stock USING ERRCODE = 'invalid_parameter_value';
	ELSIF demand_lead_time IN ('NaN', 'Infinity', '-Infinity') THEN
		RAISE EXCEPTION 'demand_lead_time must be a finite number, not %', demand_lead_time USING ERRCODE = 'invalid_parameter_value';
	ELSIF daily_demand IN ('NaN', 'Infinity', '-Infinity') THEN
		RAISE EXCEPTION 'daily_demand must be a finite number, not %', daily_demand USING ERRCODE = 'invalid_parameter_value';
	ELSIF attention_days IN ('NaN', 'Infinity', '-Infinity') THEN
		RAISE EXCEPTION 'attention_days must be a finite number, not %', attention_days USING ERRCODE = 'invalid_parameter_value';
	ELSIF demand_lead_time < 0 THEN
		RAISE EXCEPTION 'demand_lead_time must be at least 0, not %', demand_lead_time USING ERRCODE = 'invalid_parameter_value';
	ELSIF daily_demand < 0 THEN
		RAISE EXCEPTION 'daily_demand must be at least 0, not %', daily_demand USING ERRCODE = 'invalid_parameter_value';
	ELSIF attention_days < 0 THEN
		RAISE EXCEPTION 'attention_days must be at least 0, not %', attention_days USING ERRCODE = 'invalid_parameter_value';
	END IF;
	RETURN CASE
			 WHEN stock - demand_lead_time < 0 THEN 'Critical'
			 WHEN stock - demand_lead_time < attention_days * daily_demand THEN 'Attention'
			 ELSE 'OK'
		   END;
END;
$$;
COMMENT ON FUNCTION doliflow.stock_level(numeric, numeric, numeric, numeric) IS
'Alert level of the seed: ''Critical'' when stock - demand_lead_time < 0; ''Attention'' when stock - demand_lead_time >= 0 and < attention_days x daily_demand; else ''OK''. NULL in, NULL out; NaN/Infinity or negative demand/attention_days raise invalid_parameter_value (stock may be negative).';

CREATE FUNCTION doliflow.suggested_quantity(sum_forecast numeric, stock numeric, margin_pct numeric,
											packaging numeric DEFAULT NULL) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	raw numeric;
BEGIN
	IF sum_forecast IN ('NaN', 'Infinity', '-Infinity') THEN
		RAISE EXCEPTION 'sum_forecast must be a finite number, not %', sum_forecast USING ERRCODE = 'invalid_parameter_value';
	ELSIF stock IN ('NaN', 'Infinity', '-Infinity') THEN
		RAISE EXCEPTION 'stock must be a finite number, not %', stock USING ERRCODE = 'invalid_parameter_value';
	ELSIF margin_pct IN ('NaN', 'Infinity', '-Infinity') THEN
		RAISE EXCEPTION 'margin_pct must be a finite number, not %', margin_pct USING ERRCODE = 'invalid_parameter_value';
	ELSIF packaging IN ('NaN', 'Infinity', '-Infinity') THEN
		RAISE EXCEPTION 'packaging must be a finite number, not %', packaging USING ERRCODE = 'invalid_parameter_value';
	ELSIF sum_forecast < 0 THEN
		RAISE EXCEPTION 'sum_forecast must be at least 0, not %', sum_forecast USING ERRCODE = 'invalid_parameter_value';
	ELSIF margin_pct < 0 THEN
		RAISE EXCEPTION 'margin_pct must be at least 0, not %', margin_pct USING ERRCODE = 'invalid_parameter_value';
	ELSIF packaging < 0 THEN
		RAISE EXCEPTION 'packaging must be at least 0, not %', packaging USING ERRCODE = 'invalid_parameter_value';
	END IF;
	raw := (sum_forecast - stock) * (1 + margin_pct / 100);
	RETURN CASE
			 WHEN raw IS NULL THEN NULL
			 WHEN raw <= 0 THEN 0
			 WHEN packaging IS NULL OR packaging = 0 THEN trim_scale(raw)
			 ELSE trim_scale(ceil(raw / packaging) * packaging)
		   END;
END;
$$;
COMMENT ON FUNCTION doliflow.suggested_quantity(numeric, numeric, numeric, numeric) IS
'Order quantity of the seed: (sum_forecast - stock) x (1 + margin_pct/100), 0 when that is not positive, rounded up to a multiple of packaging when packaging > 0 (NULL or 0 = unknown: not rounded). NULL sum_forecast, stock or margin_pct give NULL; NaN/Infinity, negative sum_forecast, margin_pct or packaging raise invalid_parameter_value.';

CREATE FUNCTION doliflow.rotation_rate(sales_30d numeric, avg_stock numeric) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF sales_30d IN ('NaN', 'Infinity', '-Infinity') THEN
		RAISE EXCEPTION 'sales_30d must be a finite number, not %', sales_30d USING ERRCODE = 'invalid_parameter_value';
	ELSIF avg_stock IN ('NaN', 'Infinity', '-Infinity') THEN
		RAISE EXCEPTION 'avg_stock must be a finite number, not %', avg_stock USING ERRCODE = 'invalid_parameter_value';
	ELSIF sales_30d < 0 THEN
		RAISE EXCEPTION 'sales_30d must be at least 0, not %', sales_30d USING ERRCODE = 'invalid_parameter_value';
	END IF;
	RETURN CASE WHEN avg_stock > 0 THEN trim_scale(sales_30d / avg_stock) END;
END;
$$;
COMMENT ON FUNCTION doliflow.rotation_rate(numeric, numeric) IS
'Rotation rate of the seed: sales over 30 days / average stock over the period. NULL when the average stock is 0 or negative (no rotation can be measured); NULL in, NULL out; NaN/Infinity or negative sales raise invalid_parameter_value.';

CREATE FUNCTION doliflow.safety_stock_z(sigma_daily numeric, lead_time_days numeric, z numeric) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF sigma_daily IN ('NaN', 'Infinity', '-Infinity') THEN
		RAISE EXCEPTION 'sigma_daily must be a finite number, not %', sigma_daily USING ERRCODE = 'invalid_parameter_value';
	ELSIF lead_time_days IN ('NaN', 'Infinity', '-Infinity') THEN
		RAISE EXCEPTION 'lead_time_days must be a finite number, not %', lead_time_days USING ERRCODE = 'invalid_parameter_value';
	ELSIF z IN ('NaN', 'Infinity', '-Infinity') THEN
		RAISE EXCEPTION 'z must be a finite number, not %', z USING ERRCODE = 'invalid_parameter_value';
	ELSIF sigma_daily < 0 THEN
		RAISE EXCEPTION 'sigma_daily must be at least 0, not %', sigma_daily USING ERRCODE = 'invalid_parameter_value';
	ELSIF lead_time_days < 0 THEN
		RAISE EXCEPTION 'lead_time_days must be at least 0, not %', lead_time_days USING ERRCODE = 'invalid_parameter_value';
	END IF;
	RETURN z * sigma_daily * sqrt(lead_time_days);
END;
$$;
COMMENT ON FUNCTION doliflow.safety_stock_z(numeric, numeric, numeric) IS
'Safety stock z x sigma_daily x sqrt(lead_time_days) for a given z (what dw.v_stock_alerts calls, with z = normal_quantile(service_level))';

-- An SQL-standard body: names bound at creation, never looked up in the caller's path.
CREATE FUNCTION doliflow.safety_stock(sigma_daily numeric, lead_time_days numeric, service_level numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN doliflow.safety_stock_z(sigma_daily, lead_time_days,
		doliflow.normal_quantile(doliflow._check_finite(service_level, 'service_level')::float8)::numeric);
COMMENT ON FUNCTION doliflow.safety_stock(numeric, numeric, numeric) IS
'Safety stock z x sigma x sqrt(L): z = normal_quantile(service_level), sigma = standard deviation of the daily forecast error, L = lead time in days. The reorder point is the forecast demand over the lead time plus this.';

------------------------------------------------------------------------------
-- Events: promotions, closures... that the user records; their learned effect
-- feeds later forecasts.
------------------------------------------------------------------------------

CREATE TABLE doliflow.events (
	event_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name            text NOT NULL,
	kind            text NOT NULL DEFAULT 'promotion',
	start_date      date NOT NULL,
	end_date        date NOT NULL,
	scope           text NOT NULL DEFAULT 'all' CHECK (scope IN ('product', 'category', 'all')),
	scope_id        integer,
	expected_effect float8 CONSTRAINT events_expected_effect_check CHECK (expected_effect >= 0 AND expected_effect < 'Infinity'),
	learned_effect  float8,
	learned_at      timestamptz,
	learned_detail  jsonb,
	note            text,
	created_at      timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT events_dates_check CHECK (end_date >= start_date),
	CONSTRAINT events_scope_id_check CHECK ((scope = 'all') = (scope_id IS NULL))
);
CREATE INDEX events_dates_idx ON doliflow.events (start_date, end_date);
COMMENT ON TABLE doliflow.events IS 'Events that change demand (promotions, closures, trade fairs...), filled by the user. Forecasts multiply the days of an event by its effect: the learned effect of this event once it has passed, else the latest learned effect of a passed event of the same name, else expected_effect, else the latest learned effect of the same kind, else 1. Fitting divides past event days by their effect.';
COMMENT ON COLUMN doliflow.events.event_id IS 'Identifier';
COMMENT ON COLUMN doliflow.events.name IS 'Name; events of the same name (e.g. ''Spring promotion'') share what was learned';
COMMENT ON COLUMN doliflow.events.kind IS 'Kind (promotion, closure, fair...); used when no event of the same name was learned';
COMMENT ON COLUMN doliflow.events.start_date IS 'First day of the event (inclusive)';
COMMENT ON COLUMN doliflow.events.end_date IS 'Last day of the event (inclusive)';
COMMENT ON COLUMN doliflow.events.scope IS 'product: one product (scope_id = llx_product.rowid); category: products of one category (scope_id = category id); all: every product';
COMMENT ON COLUMN doliflow.events.scope_id IS 'Product or category id; NULL when scope = all';
COMMENT ON COLUMN doliflow.events.expected_effect IS 'Demand multiplier the user expects (1.3 = +30 %, 0 = closed); NULL = unknown';
COMMENT ON COLUMN doliflow.events.learned_effect IS 'Multiplier measured once the event has passed: actual demand on its days / baseline forecast from the history before it (pooled over the products in scope)';
COMMENT ON COLUMN doliflow.events.learned_at IS 'When learned_effect was measured';
COMMENT ON COLUMN doliflow.events.learned_detail IS 'Figures behind learned_effect: products, days, actual and baseline sums, as_of';
COMMENT ON COLUMN doliflow.events.note IS 'Free text';
COMMENT ON COLUMN doliflow.events.created_at IS 'When the event was recorded';

CREATE FUNCTION doliflow.event_effect(p_event_id bigint, p_as_of date) RETURNS float8
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
	SELECT coalesce(
		CASE WHEN e.end_date <= p_as_of THEN e.learned_effect END,
		(SELECT s.learned_effect FROM doliflow.events s
		  WHERE s.name = e.name AND s.event_id <> e.event_id AND s.learned_effect IS NOT NULL
			AND s.end_date <= p_as_of
		  ORDER BY s.end_date DESC, s.event_id DESC LIMIT 1),
		e.expected_effect,
		(SELECT s.learned_effect FROM doliflow.events s
		  WHERE s.kind = e.kind AND s.event_id <> e.event_id AND s.learned_effect IS NOT NULL
			AND s.end_date <= p_as_of
		  ORDER BY s.end_date DESC, s.event_id DESC LIMIT 1),
		1.0)
	  FROM doliflow.events e
	 WHERE e.event_id = p_event_id;
$$;
COMMENT ON FUNCTION doliflow.event_effect(bigint, date) IS
'Demand multiplier of an event as known on p_as_of: its own learned effect if it ended by then, else the latest learned effect of a passed event of the same name, else its expected_effect, else the latest learned effect of a passed event of the same kind, else 1. Only effects of events that ended by p_as_of are used, so back-tests never see the future.';

-- Multiplier per product and day over [p_from, p_to] (product of the effects
-- of every event covering the day); days without events are absent.
CREATE FUNCTION doliflow._event_factors(p_as_of date, p_from date, p_to date, p_products integer[])
RETURNS TABLE (fk_product integer, day date, factor float8, events text[])
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	WITH ev AS (
		SELECT e.*, doliflow.event_effect(e.event_id, p_as_of) AS eff
		  FROM doliflow.events e
		 WHERE e.end_date >= p_from AND e.start_date <= p_to
	)
	SELECT p.fk_product, d::date,
		   CASE WHEN bool_or(ev.eff = 0) THEN 0 ELSE exp(sum(ln(ev.eff))) END,
		   array_agg(ev.name ORDER BY ev.event_id)
	  FROM ev
	  JOIN doliflow._stock_product p
		ON p.fk_product = ANY (p_products)
	   AND (ev.scope = 'all'
			OR (ev.scope = 'product' AND p.fk_product = ev.scope_id)
			OR (ev.scope = 'category' AND p.category_id = ev.scope_id))
	 CROSS JOIN generate_series(greatest(ev.start_date, p_from), least(ev.end_date, p_to), interval '1 day') d
	 GROUP BY 1, 2;
$$;
COMMENT ON FUNCTION doliflow._event_factors(date, date, date, integer[]) IS 'internal: event multiplier per product and day as known on p_as_of';

------------------------------------------------------------------------------
-- The SQL baseline model: weekday profile x recent level.  Used for event
-- baselines always, and for forecasts when forecast_engine is 'sql'.
--   history   [origin - forecast_history_days + 1, origin], missing days = 0
--   clean     with events: adj = qty / event multiplier (left out when the
--             multiplier is below event_min_effect); public holidays left out
--   weekday   f[d] = mean(adj on weekday d, last 364 days) / mean over the 7 weekdays
--   level     sum(adj) / sum(f[dow]) over the last forecast_level_days clean days
--   holidays  pooled over products: sum(adj on holidays) / sum(level-free weekday
--             means on those days), applied to future public holidays
--   sigma     root mean square of adj - level x f[dow] over the level window
--   mase      mean |y(t) - y(t-1)| over the whole history (naive one-step error)
------------------------------------------------------------------------------

CREATE FUNCTION doliflow._demand_history(p_origin date, p_products integer[], p_use_events boolean)
RETURNS TABLE (fk_product integer, day date, dow integer, hol boolean, qty float8, adj float8)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	WITH prm AS (
		SELECT p_origin - (SELECT value::int FROM doliflow.settings WHERE name = 'forecast_history_days') + 1 AS first_day,
			   (SELECT value::float8 FROM doliflow.settings WHERE name = 'event_min_effect') AS min_eff
	), days AS (
		SELECT d::date AS day, extract(isodow FROM d)::int AS dow, coalesce(c.is_holiday, false) AS hol
		  FROM prm CROSS JOIN generate_series(prm.first_day, p_origin, interval '1 day') d
		  LEFT JOIN doliflow._stock_calendar c ON c.day = d::date
	), prods AS (
		SELECT DISTINCT unnest(p_products) AS fk_product
	), ev AS (
		SELECT f.* FROM prm, doliflow._event_factors(p_origin, prm.first_day, p_origin, p_products) f
		 WHERE p_use_events
	)
	SELECT p.fk_product, d.day, d.dow, d.hol, coalesce(s.qty, 0)::float8,
		   CASE WHEN ev.factor IS NULL THEN coalesce(s.qty, 0)::float8
				WHEN ev.factor >= prm.min_eff THEN coalesce(s.qty, 0)::float8 / ev.factor
		   END
	  FROM prm CROSS JOIN prods p CROSS JOIN days d
	  LEFT JOIN doliflow._stock_demand s ON s.fk_product = p.fk_product AND s.day = d.day
	  LEFT JOIN ev ON ev.fk_product = p.fk_product AND ev.day = d.day;
$$;
COMMENT ON FUNCTION doliflow._demand_history(date, integer[], boolean) IS 'internal: daily demand of the products over the forecast_history_days up to p_origin, missing days as 0, with public holidays flagged and, with events, adj = demand / event multiplier (NULL when the multiplier is below event_min_effect)';

CREATE FUNCTION doliflow._baseline_model(p_origin date, p_products integer[], p_use_events boolean)
RETURNS TABLE (fk_product integer, level float8, dow_factor float8[], sigma float8, mase_scale float8,
			   hol_actual float8, hol_expected float8, n_days integer, n_nonzero integer)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	WITH prm AS (
		SELECT (SELECT value::int FROM doliflow.settings WHERE name = 'forecast_level_days') AS level_days
	), prods AS (
		SELECT DISTINCT unnest(p_products) AS fk_product
	), hist AS (
		SELECT * FROM doliflow._demand_history(p_origin, p_products, p_use_events)
	), naive AS (
		SELECT h.fk_product, avg(abs(h.qty - h.prev)) AS mase_scale, count(*) + 1 AS n_days,
			   count(*) FILTER (WHERE h.qty <> 0) AS n_nonzero
		  FROM (SELECT hist.fk_product, hist.qty, lag(hist.qty) OVER (PARTITION BY hist.fk_product ORDER BY hist.day) AS prev
				  FROM hist) h
		 WHERE h.prev IS NOT NULL
		 GROUP BY 1
	), dowm AS (
		SELECT p.fk_product, w.dow, a.m
		  FROM prods p CROSS JOIN generate_series(1, 7) w(dow)
		  LEFT JOIN (SELECT h.fk_product, h.dow, avg(h.adj) AS m FROM hist h
					  WHERE NOT h.hol AND h.adj IS NOT NULL AND h.day > p_origin - 364
					  GROUP BY 1, 2) a ON a.fk_product = p.fk_product AND a.dow = w.dow
	), dowf AS (
		SELECT x.fk_product,
			   array_agg(CASE WHEN x.mm > 0 THEN coalesce(x.m, x.mm) / x.mm ELSE 1 END ORDER BY x.dow) AS f,
			   array_agg(coalesce(x.m, x.mm, 0) ORDER BY x.dow) AS m
		  FROM (SELECT dowm.*, avg(dowm.m) OVER (PARTITION BY dowm.fk_product) AS mm FROM dowm) x
		 GROUP BY 1
	), lvl AS (
		SELECT h.fk_product, sum(h.adj) / nullif(sum(f.f[h.dow]), 0) AS level
		  FROM hist h JOIN dowf f USING (fk_product) CROSS JOIN prm
		 WHERE NOT h.hol AND h.adj IS NOT NULL AND h.day > p_origin - prm.level_days
		 GROUP BY 1
	), sig AS (
		SELECT h.fk_product, sqrt(avg((h.adj - coalesce(l.level, 0) * f.f[h.dow]) ^ 2)) AS sigma
		  FROM hist h JOIN dowf f USING (fk_product) LEFT JOIN lvl l USING (fk_product) CROSS JOIN prm
		 WHERE NOT h.hol AND h.adj IS NOT NULL AND h.day > p_origin - prm.level_days
		 GROUP BY 1
	), hol AS (
		SELECT h.fk_product, sum(h.adj) AS hol_actual, sum(f.m[h.dow]) AS hol_expected
		  FROM hist h JOIN dowf f USING (fk_product)
		 WHERE h.hol AND h.adj IS NOT NULL
		 GROUP BY 1
	)
	SELECT p.fk_product, coalesce(l.level, 0), f.f, coalesce(s.sigma, 0), n.mase_scale,
		   coalesce(hol.hol_actual, 0), coalesce(hol.hol_expected, 0),
		   coalesce(n.n_days, 0)::int, coalesce(n.n_nonzero, 0)::int
	  FROM prods p
	  JOIN dowf f USING (fk_product)
	  LEFT JOIN lvl l USING (fk_product)
	  LEFT JOIN sig s USING (fk_product)
	  LEFT JOIN naive n USING (fk_product)
	  LEFT JOIN hol USING (fk_product);
$$;
COMMENT ON FUNCTION doliflow._baseline_model(date, integer[], boolean) IS 'internal: SQL baseline demand model (weekday profile x recent level) fitted on the history up to p_origin';

------------------------------------------------------------------------------
-- Event learning: after an event has passed, its effect = actual / baseline.
------------------------------------------------------------------------------

CREATE FUNCTION doliflow.learn_event_effects(p_as_of date DEFAULT NULL, p_relearn boolean DEFAULT false)
RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_as_of date := coalesce(p_as_of, doliflow.company_today() - 1);
	e record;
	v_products integer[];
	v_actual float8;
	v_base float8;
	v_days integer;
	n integer := 0;
BEGIN
	FOR e IN SELECT * FROM doliflow.events
			  WHERE end_date <= v_as_of AND (p_relearn OR learned_at IS NULL)
			  ORDER BY end_date, event_id
	LOOP
		SELECT array_agg(p.fk_product) INTO v_products
		  FROM doliflow._stock_product p
		 WHERE e.scope = 'all'
			OR (e.scope = 'product' AND p.fk_product = e.scope_id)
			OR (e.scope = 'category' AND p.category_id = e.scope_id);
		IF v_products IS NULL THEN
			CONTINUE;
		END IF;
		-- Baseline = the SQL model fitted on the history before the event
		-- (earlier events cleaned with what was known then), evaluated on
		-- the event's days that are not public holidays.
		WITH m AS (
			SELECT * FROM doliflow._baseline_model(e.start_date - 1, v_products, true)
		), d AS (
			SELECT g::date AS day, extract(isodow FROM g)::int AS dow
			  FROM generate_series(e.start_date, e.end_date, interval '1 day') g
			  LEFT JOIN doliflow._stock_calendar c ON c.day = g::date
			 WHERE NOT coalesce(c.is_holiday, false)
		)
		SELECT sum(coalesce(s.qty, 0)), sum(m.level * m.dow_factor[d.dow]), count(DISTINCT d.day)
		  INTO v_actual, v_base, v_days
		  FROM m CROSS JOIN d
		  LEFT JOIN doliflow._stock_demand s ON s.fk_product = m.fk_product AND s.day = d.day;
		UPDATE doliflow.events
		   SET learned_effect = CASE WHEN v_base > 0 THEN v_actual / v_base END,
			   learned_at = now(),
			   learned_detail = jsonb_build_object('as_of', v_as_of, 'products', cardinality(v_products),
												   'days', v_days, 'actual', v_actual, 'baseline', v_base)
		 WHERE event_id = e.event_id;
		n := n + 1;
	END LOOP;
	RETURN n;
END;
$$;
COMMENT ON FUNCTION doliflow.learn_event_effects(date, boolean) IS
'Measures the effect of every event that ended by p_as_of (default yesterday) and is not learned yet (all of them with p_relearn): learned_effect = actual demand on its non-holiday days / baseline forecast of the SQL model fitted on the history before the event, pooled over the products in scope. NULL when the baseline is 0. Returns the number of events measured.';

------------------------------------------------------------------------------
-- Safety stock from the forecast's own back-tested error (issue 16).
--
-- The policy (the simulator's doliflow policy and the pages' reorder point):
-- every stock_review_days R (at least 1) the buyer orders up to
--   S = forecast over the next L + R days + safety stock,
-- L the planned supplier lead time: the order placed now must cover the demand
-- until the next review's order arrives, L + R days later (the risk period of a
-- periodic review).  The safety stock is the empirical service_level quantile of
-- the errors (actual - forecast) of the demand over L + R days, as the SQL
-- baseline model made them at past origins: for each decision day d of the
-- safety_stock_backtest_days before the decision, the model of the latest weekly
-- refit at or before d, its forecast of days d+1 .. d+L+R, and the actual demand
-- of days d+1 .. d+l+R for every real lead time l of the product known on d
-- (received on or before d, over the last 364 days; none: l = L), counted only
-- when that demand is known on the decision day (d + l + R <= origin): never the
-- future.  Without enough errors for the quantile (n < p / (1 - p)) the normal
-- approximation z x sigma x sqrt(L + R) stands in.
------------------------------------------------------------------------------

INSERT INTO doliflow.settings (name, value, value_type, description) VALUES
	('safety_stock_backtest_days', '182', 'integer', 'Days before the decision whose back-tested errors of the lead-time demand (SQL baseline refitted weekly, errors known by the decision day) give the safety stock: its empirical service_level quantile (doliflow.safety_stocks, the simulator''s doliflow policy, dw.v_stock_alerts)');

-- Real supplier lead times: the first reception (stock movement of type 3 whose
-- origin is a supplier order) of each product of a supplier order, less the
-- order's date.  Empty when the receptions do not name their order.
CREATE VIEW doliflow._stock_lead_times AS
SELECT r.fk_product, r.fk_order, c.date_commande AS ordered_on, r.received_on,
	   (r.received_on - c.date_commande) AS lead_days
  FROM (SELECT s.product_key AS fk_product, s.origin_id AS fk_order, min(s.moved_at)::date AS received_on
		  FROM dw.fact_stock s
		 WHERE s.movement_type = 3 AND s.origin_type = 'order_supplier' AND s.origin_id IS NOT NULL AND s.quantity > 0
		 GROUP BY 1, 2) r
  JOIN lake.llx_commande_fournisseur_current c ON c.rowid = r.fk_order
 WHERE c.date_commande IS NOT NULL AND r.received_on >= c.date_commande AND r.received_on - c.date_commande <= 3650;
COMMENT ON VIEW doliflow._stock_lead_times IS 'internal: real supplier lead times per product: first reception (dw.fact_stock type 3 from a supplier order) - llx_commande_fournisseur.date_commande, in days';

CREATE FUNCTION doliflow._weekday_sum(f float8[], first_dow integer, n integer) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
	SELECT (n / 7) * (SELECT coalesce(sum(greatest(x, 0)), 0) FROM unnest(f) x)
		   + coalesce((SELECT sum(greatest(f[((first_dow - 1 + j) % 7) + 1], 0)) FROM generate_series(1, n % 7) j), 0);
$$;
COMMENT ON FUNCTION doliflow._weekday_sum(float8[], integer, integer) IS
'internal: sum of the weekday factors f (ISO weekdays 1-7, negative ones as 0) over the n days after a day of ISO weekday first_dow';

-- One product's rows of doliflow._lead_time_errors, in C (src/lead_time_errors.c,
-- which documents the computation: the SQL statement this function was up to
-- 0.3.0, operation by operation).  The grid is first_day .. first_day +
-- cardinality(hol) - 1; the demand is sparse (q[i] on q_days[i], missing days 0).
CREATE FUNCTION doliflow._lead_time_errors_product(q_days date[], q float8[], hol boolean[], first_day date,
	first_origin date, p_origins integer, p_step integer, dow_days integer, level_days integer, lead integer,
	review integer, last_day date, lt_received date[], lt_days integer[])
RETURNS TABLE (origin date, level float8, dow_factor float8[], sigma float8, lead_time_days integer, risk_days integer,
			   days date[], errors float8[], known_on date[])
AS 'MODULE_PATHNAME', 'doliflow_lead_time_errors_product'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 27;
COMMENT ON FUNCTION doliflow._lead_time_errors_product(date[], float8[], boolean[], date, date, integer, integer, integer, integer, integer, integer, date, date[], integer[]) IS
'internal: the rows of doliflow._lead_time_errors of one product (C): its demand q on q_days (days of the grid first_day .. first_day + cardinality(hol) - 1 without one are 0, days outside it are ignored), the public holidays hol of the grid, the models at p_origins origins first_origin + k x p_step (windows dow_days and level_days, first_origin at least max(dow_days, level_days) days after first_day) and the errors of the demand over lead + review days, or over lt_days + review for the real lead times received on lt_received in the 364 days before a decision day, known by last_day; the grid must cover every decision day';

-- One row per product and origin (every p_step days back from p_last_origin):
-- the SQL baseline model fitted there and the errors of the demand over
-- L + R days of the decision days it serves (origin .. origin + p_step - 1).
-- One scan of each source builds every product's arrays; the back-test itself
-- is doliflow._lead_time_errors_product (C, one call per product).  The grid
-- runs from the longest model window before the first origin up to the last
-- day of loaded demand (at most 3660 days after the last decision day).
CREATE FUNCTION doliflow._lead_time_errors(p_last_origin date, p_origins integer, p_step integer, p_products integer[])
RETURNS TABLE (fk_product integer, origin date, level float8, dow_factor float8[], sigma float8,
			   lead_time_days integer, risk_days integer, days date[], errors float8[], known_on date[])
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
-- (no JIT: compiling this short statement would cost more than running it)
SET jit = off AS $$
	WITH cfg0 AS (
		SELECT (SELECT s.value::integer FROM doliflow.settings s WHERE s.name = 'lead_time_default_days') AS lead_default,
			   greatest((SELECT s.value::integer FROM doliflow.settings s WHERE s.name = 'stock_review_days'), 1) AS review,
			   (SELECT max(d.day) FROM doliflow._stock_demand d) AS last_day,
			   -- the windows of doliflow._baseline_model (within forecast_history_days)
			   least(364, (SELECT s.value::integer FROM doliflow.settings s WHERE s.name = 'forecast_history_days')) AS dow_days,
			   least((SELECT s.value::integer FROM doliflow.settings s WHERE s.name = 'forecast_level_days'),
					 (SELECT s.value::integer FROM doliflow.settings s WHERE s.name = 'forecast_history_days')) AS level_days,
			   p_last_origin - (p_origins - 1) * p_step AS first_origin
	), cfg AS (
		SELECT c.*, c.first_origin - greatest(c.dow_days, c.level_days) AS first_day,
			   greatest(p_last_origin + p_step - 1, least(c.last_day, p_last_origin + p_step + 3660)) AS end_day
		  FROM cfg0 c
	), cal AS MATERIALIZED (	-- the public holidays of the grid (once, not per product)
		SELECT array_agg(coalesce(c.is_holiday, false) ORDER BY g.g) AS hol
		  FROM cfg CROSS JOIN generate_series(cfg.first_day, cfg.end_day, interval '1 day') g(g)
		  LEFT JOIN doliflow._stock_calendar c ON c.day = g.g::date
	), prod AS (
		SELECT p.fk_product, greatest(coalesce(p.supplier_lead_time_days, cfg.lead_default), 1) AS lead
		  FROM doliflow._stock_product p CROSS JOIN cfg
		 WHERE p.fk_product = ANY (p_products)
	), dem AS (	-- the demand of the grid's days
		SELECT d.fk_product, array_agg(d.day) AS days, array_agg(d.qty::float8) AS q
		  FROM doliflow._stock_demand d CROSS JOIN cfg
		 WHERE d.fk_product = ANY (p_products) AND d.day BETWEEN cfg.first_day AND cfg.end_day
		 GROUP BY 1
	), lt AS MATERIALIZED (	-- the real lead times, once (inlined, its row estimate of 1 had the
							-- plan rescan the view for every product: 42 s instead of 0.6 s at
							-- the medium scale with real lead times)
		SELECT l.fk_product, array_agg(l.received_on) AS received_on, array_agg(l.lead_days) AS lead_days
		  FROM doliflow._stock_lead_times l
		 WHERE l.fk_product = ANY (p_products) AND l.received_on IS NOT NULL
		 GROUP BY 1
	)
	SELECT pr.fk_product, e.origin, e.level, e.dow_factor, e.sigma, e.lead_time_days, e.risk_days,
		   e.days, e.errors, e.known_on
	  FROM prod pr CROSS JOIN cfg CROSS JOIN cal
	  LEFT JOIN dem ON dem.fk_product = pr.fk_product
	  LEFT JOIN lt ON lt.fk_product = pr.fk_product
	 CROSS JOIN LATERAL doliflow._lead_time_errors_product(
			coalesce(dem.days, '{}'), coalesce(dem.q, '{}'), coalesce(cal.hol, '{}'), cfg.first_day, cfg.first_origin,
			greatest(p_origins, 0), p_step, cfg.dow_days, cfg.level_days, pr.lead, cfg.review,
			-- nothing loaded: no error is known
			coalesce(cfg.last_day, cfg.first_day - 1),
			coalesce(lt.received_on, '{}'), coalesce(lt.lead_days, '{}')) e;
$$;
COMMENT ON FUNCTION doliflow._lead_time_errors(date, integer, integer, integer[]) IS
'internal: back-test of the SQL baseline at p_origins origins p_step days apart ending at p_last_origin: per product and origin, the model (level, weekday factors, sigma) and, for each decision day it serves (origin .. origin + p_step - 1) and each real lead time l known that day (doliflow._stock_lead_times received in the 364 days before; none: the planned lead time L), the error actual demand of days d+1 .. d+l+R - the model''s forecast of days d+1 .. d+L+R (R = stock_review_days, at least 1), with the day it is known (d + l + R); only errors whose demand is loaded';

-- The quantile: one function for the simulator and the pages.  An SQL-standard
-- body (names bound at creation): dw.v_stock_alerts calls it for the BI reader.
CREATE FUNCTION doliflow.safety_stock_empirical(errors float8[], service_level numeric, sigma_daily numeric, risk_days numeric)
RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT CASE WHEN ceil((n.n + 1) * doliflow._check_finite(service_level, 'service_level')) <= n.n
				THEN greatest((SELECT x FROM unnest(errors) x
								WHERE x > '-Infinity'::float8 AND x < 'Infinity'::float8
								ORDER BY x OFFSET ceil((n.n + 1) * service_level)::bigint - 1 LIMIT 1), 0)::numeric
				ELSE doliflow.safety_stock(sigma_daily, risk_days, service_level) END
	  FROM (SELECT count(*) AS n FROM unnest(errors) x WHERE x > '-Infinity'::float8 AND x < 'Infinity'::float8) n;
END;
COMMENT ON FUNCTION doliflow.safety_stock_empirical(float8[], numeric, numeric, numeric) IS
'Safety stock from the forecast''s own errors: with n finite errors (actual - forecast of the demand over the risk period) and k = ceil((n + 1) x service_level), the k-th smallest error (the conformal quantile: at least service_level of new errors fall at or below it when they are exchangeable with these), never below 0; when k > n (too few errors: n < service_level / (1 - service_level)), the normal approximation safety_stock(sigma_daily, risk_days, service_level) = z x sigma x sqrt(risk_days)';

CREATE FUNCTION doliflow.safety_stocks(p_origin date, p_products integer[] DEFAULT NULL, p_service_level numeric DEFAULT NULL)
RETURNS TABLE (fk_product integer, lead_time_days integer, risk_days integer, errors integer, method text,
			   sigma_daily numeric, safety_stock numeric)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
	v_sl numeric := coalesce(p_service_level, doliflow.setting('service_level')::numeric);
	v_w integer := doliflow.setting('safety_stock_backtest_days')::integer;
	v_products integer[];
BEGIN
	IF p_origin IS NULL OR NOT (p_origin BETWEEN date '1990-01-01' AND doliflow.company_today()) THEN
		RAISE EXCEPTION 'safety_stocks: p_origin must be a day from 1990-01-01 to today, not %', coalesce(p_origin::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF v_sl IS NULL OR v_sl = 'NaN' OR NOT (v_sl BETWEEN 0.5 AND 0.9999) THEN
		RAISE EXCEPTION 'safety_stocks: p_service_level must be between 0.5 and 0.9999, not %', coalesce(v_sl::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	v_products := coalesce(p_products, (SELECT array_agg(p.fk_product ORDER BY p.fk_product) FROM doliflow._stock_product p), '{}');
	RETURN QUERY
	WITH le AS (
		SELECT * FROM doliflow._lead_time_errors(p_origin, v_w / 7 + 1, 7, v_products)
	), x AS (
		SELECT le.fk_product, array_agg(u.e) FILTER (WHERE u.k <= p_origin AND u.d > p_origin - v_w) AS errs
		  FROM le LEFT JOIN LATERAL unnest(le.days, le.errors, le.known_on) u(d, e, k) ON true
		 GROUP BY 1
	)
	SELECT m.fk_product, m.lead_time_days, m.risk_days, coalesce(cardinality(x.errs), 0),
		   CASE WHEN ceil((coalesce(cardinality(x.errs), 0) + 1) * v_sl) <= coalesce(cardinality(x.errs), 0) THEN 'empirical' ELSE 'normal' END,
		   m.sigma::numeric,
		   doliflow.safety_stock_empirical(x.errs, v_sl, m.sigma::numeric, m.risk_days)
	  FROM le m JOIN x USING (fk_product)
	 WHERE m.origin = p_origin;
END;
$$;
COMMENT ON FUNCTION doliflow.safety_stocks(date, integer[], numeric) IS
'Safety stock of every stockable product (or p_products) for an order decided at the end of p_origin: safety_stock_empirical(errors, service_level, sigma, L + R) over the errors of doliflow._lead_time_errors (SQL baseline refitted every 7 days over the safety_stock_backtest_days before p_origin, errors of the demand over L + R days known by p_origin); method empirical or normal (too few errors). p_service_level defaults to the setting service_level. What the nightly forecast stores in dw.safety_stock and the simulator''s doliflow policy uses.';

CREATE TABLE dw.safety_stock (
	run_id         bigint NOT NULL,
	fk_product     integer NOT NULL,
	origin         date NOT NULL,
	service_level  numeric NOT NULL,
	lead_time_days integer NOT NULL,
	risk_days      integer NOT NULL,
	errors         integer NOT NULL,
	method         text NOT NULL,
	sigma_daily    numeric,
	safety_stock   numeric,
	PRIMARY KEY (run_id, fk_product)
);
COMMENT ON TABLE dw.safety_stock IS 'Safety stock per product of every nightly forecast run (doliflow.safety_stocks at its origin), read by dw.v_stock_alerts';
COMMENT ON COLUMN dw.safety_stock.run_id IS 'Nightly forecast run (dw.prediction_runs)';
COMMENT ON COLUMN dw.safety_stock.fk_product IS 'Product (llx_product.rowid)';
COMMENT ON COLUMN dw.safety_stock.origin IS 'Decision day (the run''s forecast origin)';
COMMENT ON COLUMN dw.safety_stock.service_level IS 'Cycle service level aimed at (setting service_level then)';
COMMENT ON COLUMN dw.safety_stock.lead_time_days IS 'Planned supplier lead time L';
COMMENT ON COLUMN dw.safety_stock.risk_days IS 'Risk period L + R (R = stock_review_days, at least 1)';
COMMENT ON COLUMN dw.safety_stock.errors IS 'Back-tested errors of the demand over the risk period the quantile was taken over';
COMMENT ON COLUMN dw.safety_stock.method IS 'empirical (quantile of the errors) or normal (too few errors: z x sigma x sqrt(L + R))';
COMMENT ON COLUMN dw.safety_stock.sigma_daily IS 'Standard deviation of the SQL baseline''s daily error at the origin (the normal fallback''s sigma)';
COMMENT ON COLUMN dw.safety_stock.safety_stock IS 'Safety stock in units (all warehouses)';

------------------------------------------------------------------------------
-- Predictions: every run kept, never overwritten.
------------------------------------------------------------------------------

CREATE TABLE dw.prediction_runs (
	run_id       bigint PRIMARY KEY,
	generated_at timestamptz NOT NULL,
	origin       date NOT NULL,
	horizon_days integer NOT NULL,
	kind         text NOT NULL CHECK (kind IN ('nightly', 'backtest', 'experiment')),
	use_events   boolean NOT NULL,
	engine       text NOT NULL,
	interval_level float8 NOT NULL,
	products     integer NOT NULL,
	rows_written bigint NOT NULL,
	load_run_id  bigint,
	complete     boolean,
	missing_tables text[]
);
CREATE INDEX prediction_runs_kind_idx ON dw.prediction_runs (kind, generated_at DESC);
COMMENT ON TABLE dw.prediction_runs IS 'One row per forecast run that wrote dw.predictions (nightly runs, back-tests, experiments)';
COMMENT ON COLUMN dw.prediction_runs.run_id IS 'doliflow.run_log run that produced the predictions';
COMMENT ON COLUMN dw.prediction_runs.generated_at IS 'When the predictions were computed (the timestamp the pages show)';
COMMENT ON COLUMN dw.prediction_runs.origin IS 'Forecast origin: last day of history the models saw; predictions start the day after';
COMMENT ON COLUMN dw.prediction_runs.horizon_days IS 'Days predicted after the origin';
COMMENT ON COLUMN dw.prediction_runs.kind IS 'nightly (what the alerts use), backtest (origin in the past, counted in accuracy) or experiment (e.g. a model without events; ignored by the pages)';
COMMENT ON COLUMN dw.prediction_runs.use_events IS 'Whether doliflow.events were applied (history cleaned, future event days multiplied)';
COMMENT ON COLUMN dw.prediction_runs.engine IS 'Forecasting engine: sql_baseline (weekday profile x level) or the C engine';
COMMENT ON COLUMN dw.prediction_runs.interval_level IS 'Coverage of the lo/hi prediction intervals';
COMMENT ON COLUMN dw.prediction_runs.products IS 'Products forecast';
COMMENT ON COLUMN dw.prediction_runs.rows_written IS 'Rows written to dw.predictions';
COMMENT ON COLUMN dw.prediction_runs.load_run_id IS 'The warehouse load the predictions were computed from (dw.load_state.run_id then; its lake batches are those up to its last_batch)';
COMMENT ON COLUMN dw.prediction_runs.complete IS 'False when a source table of the forecast''s inputs (doliflow.analytics_input) was missing (its extract had failed) in that load';
COMMENT ON COLUMN dw.prediction_runs.missing_tables IS 'Those missing source tables (empty when complete)';

CREATE TABLE dw.prediction_models (
	run_id       bigint NOT NULL,
	fk_product   integer NOT NULL,
	method       text NOT NULL,
	sigma        float8,
	mase_scale   float8,
	model        jsonb NOT NULL,
	PRIMARY KEY (run_id, fk_product)
);
COMMENT ON TABLE dw.prediction_models IS 'Model summary of every product in every forecast run';
COMMENT ON COLUMN dw.prediction_models.run_id IS 'Forecast run (dw.prediction_runs)';
COMMENT ON COLUMN dw.prediction_models.fk_product IS 'Product (llx_product.rowid)';
COMMENT ON COLUMN dw.prediction_models.method IS 'Method chosen for the series';
COMMENT ON COLUMN dw.prediction_models.sigma IS 'Standard deviation of the one-day forecast error (in-sample), used for intervals and safety stock';
COMMENT ON COLUMN dw.prediction_models.mase_scale IS 'MASE denominator: mean absolute one-step naive error |y(t) - y(t-1)| over the history before the origin';
COMMENT ON COLUMN dw.prediction_models.model IS 'Parameters and figures of the fitted model (level, weekday factors, holiday factor, counts, ...)';

CREATE TABLE dw.predictions (
	run_id        bigint NOT NULL,
	generated_at  timestamptz NOT NULL,
	origin        date NOT NULL,
	fk_product    integer NOT NULL,
	fk_entrepot   integer,
	day           date NOT NULL,
	horizon       integer NOT NULL,
	yhat          float8 NOT NULL CHECK (yhat >= 0),
	lo            float8 NOT NULL,
	hi            float8 NOT NULL,
	baseline_yhat float8 NOT NULL,
	event_factor  float8 NOT NULL DEFAULT 1,
	events        text[],
	method        text NOT NULL,
	CONSTRAINT predictions_key UNIQUE NULLS NOT DISTINCT (run_id, fk_product, fk_entrepot, day)
);
CREATE INDEX predictions_product_day_idx ON dw.predictions (fk_product, day, origin DESC);
COMMENT ON TABLE dw.predictions IS 'Daily demand forecasts of every run (history kept: a run never overwrites another). Forecasts are made per product over all warehouses (fk_entrepot NULL); dw.v_stock_alerts splits them between warehouses by each warehouse''s share of recent sales.';
COMMENT ON COLUMN dw.predictions.run_id IS 'Forecast run (dw.prediction_runs, doliflow.run_log)';
COMMENT ON COLUMN dw.predictions.generated_at IS 'When the run computed this prediction';
COMMENT ON COLUMN dw.predictions.origin IS 'Last day of history the model saw';
COMMENT ON COLUMN dw.predictions.fk_product IS 'Product (llx_product.rowid)';
COMMENT ON COLUMN dw.predictions.fk_entrepot IS 'Warehouse (llx_entrepot.rowid); NULL = all warehouses (how the models forecast)';
COMMENT ON COLUMN dw.predictions.day IS 'Day predicted';
COMMENT ON COLUMN dw.predictions.horizon IS 'Days between origin and day (1 = the day after the origin)';
COMMENT ON COLUMN dw.predictions.yhat IS 'Forecast demand (units), never negative';
COMMENT ON COLUMN dw.predictions.lo IS 'Lower bound of the prediction interval (never negative)';
COMMENT ON COLUMN dw.predictions.hi IS 'Upper bound of the prediction interval';
COMMENT ON COLUMN dw.predictions.baseline_yhat IS 'Forecast before event multipliers (public holidays included)';
COMMENT ON COLUMN dw.predictions.event_factor IS 'Product of the multipliers of the events covering the day (1 = none)';
COMMENT ON COLUMN dw.predictions.events IS 'Names of the events covering the day';
COMMENT ON COLUMN dw.predictions.method IS 'Forecasting method';

CREATE FUNCTION doliflow.generate_predictions(p_origin date DEFAULT NULL, p_use_events boolean DEFAULT true,
											  p_kind text DEFAULT 'nightly', p_run_id bigint DEFAULT NULL,
											  p_products integer[] DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_origin date;
	v_horizon integer := doliflow.setting('forecast_horizon_days')::integer;
	v_level float8 := doliflow.setting('forecast_interval_level')::float8;
	v_z float8;
	v_products integer[];
	v_run bigint := p_run_id;
	v_rows bigint;
	v_engine text;
	v_level_days integer := doliflow.setting('forecast_level_days')::integer;
	v_bad text;
BEGIN
	IF p_kind IS NULL OR p_kind NOT IN ('nightly', 'backtest', 'experiment') THEN
		RAISE EXCEPTION 'kind must be nightly, backtest or experiment, not %', coalesce(p_kind, 'NULL')
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF v_horizon < 1 THEN
		RAISE EXCEPTION 'setting forecast_horizon_days must be at least 1' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	-- An origin is a day of history: from the first day the calendar knows to today
	-- (company clock); infinity or year 200000 would make generate_series endless.
	IF p_origin IS NOT NULL AND NOT (p_origin BETWEEN date '1990-01-01' AND doliflow.company_today()) THEN
		RAISE EXCEPTION 'generate_predictions: p_origin must be a day from 1990-01-01 to today (%), not %',
			to_char(doliflow.company_today(), 'YYYY-MM-DD'), p_origin
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'The origin is the last day of history the model sees; NULL = yesterday.';
	END IF;
	IF p_run_id IS NOT NULL AND (p_run_id < 1 OR NOT EXISTS (SELECT FROM doliflow.run_log l WHERE l.run_id = p_run_id)) THEN
		RAISE EXCEPTION 'generate_predictions: p_run_id % is not a run of doliflow.run_log', p_run_id
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Pass NULL to start a new forecast run.';
	END IF;
	IF p_products IS NOT NULL THEN
		SELECT string_agg(coalesce(x::text, 'NULL'), ', ' ORDER BY x) INTO v_bad
		  FROM (SELECT DISTINCT x FROM unnest(p_products) x
				 WHERE x IS NULL OR NOT EXISTS (SELECT FROM doliflow._stock_product p WHERE p.fk_product = x)) u;
		IF v_bad IS NOT NULL THEN
			RAISE EXCEPTION 'generate_predictions: p_products has unknown products: %', v_bad
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'Products are stockable products of dw.dim_product (product_key).';
		END IF;
	END IF;
	IF NOT (v_level > 0 AND v_level < 1) THEN
		RAISE EXCEPTION 'setting forecast_interval_level must be in (0, 1)' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	v_z := doliflow.normal_quantile(0.5 + v_level / 2);
	-- Origin: yesterday (today is not complete), or the last day of loaded
	-- demand when the warehouse is older than that.
	v_origin := coalesce(p_origin,
						 (SELECT least(doliflow.company_today() - 1, max(d.day)) FROM doliflow._stock_demand d),
						 doliflow.company_today() - 1);
	v_products := coalesce(p_products,
						   (SELECT array_agg(p.fk_product ORDER BY p.fk_product) FROM doliflow._stock_product p),
						   '{}');
	IF v_run IS NULL THEN
		v_run := doliflow._run_begin('forecast');
	END IF;
	IF EXISTS (SELECT 1 FROM dw.prediction_runs r WHERE r.run_id = v_run) THEN
		RAISE EXCEPTION 'run % already wrote predictions', v_run
			USING ERRCODE = 'unique_violation', HINT = 'Every forecast run needs its own run_id.';
	END IF;
	IF p_use_events THEN
		PERFORM doliflow.learn_event_effects(v_origin);
	END IF;
	-- The C engine (part 40), unless the setting asks for the SQL baseline.  It
	-- gets the history with event days divided by their multiplier, and public
	-- holidays and closure days replaced by the baseline's expectation (it has
	-- no calendar); leading days before the first sale are left out.
	v_engine := CASE WHEN doliflow.setting('forecast_engine') = 'sql'
					 THEN 'sql_baseline' ELSE 'c' END;

	INSERT INTO dw.prediction_models (run_id, fk_product, method, sigma, mase_scale, model)
	SELECT v_run, m.fk_product, 'weekday_level', m.sigma, m.mase_scale,
		   jsonb_build_object('engine', 'sql', 'level', m.level, 'weekday_factors', to_jsonb(m.dow_factor),
							  'sigma', m.sigma, 'history_days', m.n_days, 'nonzero_days', m.n_nonzero,
							  'holiday_actual', m.hol_actual, 'holiday_expected', m.hol_expected,
							  'use_events', p_use_events)
	  FROM doliflow._baseline_model(v_origin, v_products, p_use_events) m;

	-- Scratch tables made fresh here (a table of that name the caller made beforehand
	-- makes this fail instead of being used as the owner), dropped before returning.
	CREATE TEMP TABLE doliflow_series (fk_product integer, day date, y float8) ON COMMIT DROP;
	CREATE TEMP TABLE doliflow_cforecast (fk_product integer, day date, yhat float8, lo float8, hi float8)
		ON COMMIT DROP;
	IF v_engine = 'c' THEN
		INSERT INTO pg_temp.doliflow_series
		SELECT h.fk_product, h.day,
			   CASE WHEN h.hol OR h.adj IS NULL
					THEN greatest((pm.model ->> 'level')::float8 * (pm.model -> 'weekday_factors' ->> (h.dow - 1))::float8, 0)
					ELSE h.adj END
		  FROM (SELECT dh.*, min(dh.day) FILTER (WHERE dh.qty > 0) OVER (PARTITION BY dh.fk_product) AS first_sale
				  FROM doliflow._demand_history(v_origin, v_products, p_use_events) dh) h
		  JOIN dw.prediction_models pm ON pm.run_id = v_run AND pm.fk_product = h.fk_product
		 WHERE h.day >= h.first_sale;
		WITH fit AS (
			SELECT s.fk_product, doliflow_analytics.forecast_fit(s.day, s.y) AS model
			  FROM pg_temp.doliflow_series s GROUP BY 1
		), fc AS (
			INSERT INTO pg_temp.doliflow_cforecast
			SELECT fit.fk_product, f.day, f.yhat, f.lo, f.hi
			  FROM fit CROSS JOIN LATERAL doliflow_analytics.forecast(fit.model, v_horizon, v_level) f
			 WHERE fit.model IS NOT NULL
		)
		UPDATE dw.prediction_models pm
		   SET method = doliflow_analytics.forecast_summary(fit.model) ->> 'method',
			   sigma = coalesce((SELECT sqrt(avg((s.y - ff.fitted) ^ 2))
								   FROM doliflow_analytics.forecast_fitted(fit.model) ff
								   JOIN pg_temp.doliflow_series s ON s.fk_product = fit.fk_product AND s.day = ff.day
								  WHERE ff.day > v_origin - v_level_days), pm.sigma),
			   model = jsonb_build_object('engine', 'c', 'summary', doliflow_analytics.forecast_summary(fit.model),
										  'describe', doliflow_analytics.forecast_describe(fit.model), 'baseline', pm.model)
		  FROM fit
		 WHERE pm.run_id = v_run AND pm.fk_product = fit.fk_product AND fit.model IS NOT NULL;
	END IF;

	WITH hf AS (	-- public-holiday multiplier, pooled over the products
		SELECT CASE WHEN sum((coalesce(pm.model -> 'baseline', pm.model) ->> 'holiday_expected')::float8) > 0
					THEN sum((coalesce(pm.model -> 'baseline', pm.model) ->> 'holiday_actual')::float8)
						 / sum((coalesce(pm.model -> 'baseline', pm.model) ->> 'holiday_expected')::float8)
					ELSE 1 END AS f
		  FROM dw.prediction_models pm WHERE pm.run_id = v_run
	), fut AS (
		SELECT g::date AS day, extract(isodow FROM g)::int AS dow, coalesce(c.is_holiday, false) AS hol
		  FROM generate_series(v_origin + 1, v_origin + v_horizon, interval '1 day') g
		  LEFT JOIN doliflow._stock_calendar c ON c.day = g::date
	), ev AS (
		SELECT * FROM doliflow._event_factors(v_origin, v_origin + 1, v_origin + v_horizon, v_products)
		 WHERE p_use_events
	), b AS (
		SELECT pm.fk_product, f.day, pm.method, pm.sigma,
			   -- intermittent-demand methods forecast a flat rate: spread it over the
			   -- week with the product's weekday profile (mean 1, weekly total kept)
			   CASE WHEN f.hol THEN hf.f ELSE 1 END
				 * CASE WHEN cf.yhat IS NOT NULL AND pm.method IN ('croston', 'sba', 'tsb')
						THEN (coalesce(pm.model -> 'baseline', pm.model) -> 'weekday_factors' ->> (f.dow - 1))::float8
						ELSE 1 END AS hmult,
			   coalesce(ev.factor, 1) AS evf, ev.events,
			   CASE WHEN cf.yhat IS NOT NULL THEN greatest(cf.yhat, 0)	-- (greatest() ignores NULLs)
						* CASE WHEN pm.method IN ('croston', 'sba', 'tsb')
							   THEN (coalesce(pm.model -> 'baseline', pm.model) -> 'weekday_factors' ->> (f.dow - 1))::float8
							   ELSE 1 END
					ELSE greatest((coalesce(pm.model -> 'baseline', pm.model) ->> 'level')::float8
								  * (coalesce(pm.model -> 'baseline', pm.model) -> 'weekday_factors' ->> (f.dow - 1))::float8, 0)
			   END * CASE WHEN f.hol THEN hf.f ELSE 1 END AS base,
			   CASE WHEN cf.lo IS NOT NULL THEN greatest(cf.lo, 0) END AS c_lo, cf.hi AS c_hi
		  FROM dw.prediction_models pm CROSS JOIN fut f CROSS JOIN hf
		  LEFT JOIN ev ON ev.fk_product = pm.fk_product AND ev.day = f.day
		  LEFT JOIN pg_temp.doliflow_cforecast cf ON cf.fk_product = pm.fk_product AND cf.day = f.day
		 WHERE pm.run_id = v_run
	)
	INSERT INTO dw.predictions (run_id, generated_at, origin, fk_product, fk_entrepot, day, horizon,
								yhat, lo, hi, baseline_yhat, event_factor, events, method)
	SELECT v_run, now(), v_origin, b.fk_product, NULL, b.day, b.day - v_origin,
		   b.base * b.evf,
		   least(coalesce(b.c_lo * b.hmult * b.evf, greatest(b.base * b.evf - v_z * b.sigma * b.hmult * b.evf, 0)), b.base * b.evf),
		   greatest(coalesce(b.c_hi * b.hmult * b.evf, b.base * b.evf + v_z * b.sigma * b.hmult * b.evf), b.base * b.evf),
		   b.base, b.evf, b.events, b.method
	  FROM b;
	GET DIAGNOSTICS v_rows = ROW_COUNT;
	DROP TABLE pg_temp.doliflow_series, pg_temp.doliflow_cforecast;

	INSERT INTO dw.prediction_runs (run_id, generated_at, origin, horizon_days, kind, use_events, engine,
									interval_level, products, rows_written, load_run_id, complete, missing_tables)
	SELECT v_run, now(), v_origin, v_horizon, p_kind, p_use_events, v_engine, v_level,
		   cardinality(v_products), v_rows, l.load_run_id, l.complete, l.missing_tables
	  FROM doliflow._lineage('forecast') l;
	-- the safety stock the alerts use with this run (issue 16)
	IF p_kind = 'nightly' THEN
		INSERT INTO dw.safety_stock (run_id, fk_product, origin, service_level, lead_time_days, risk_days, errors,
									 method, sigma_daily, safety_stock)
		SELECT v_run, s.fk_product, v_origin, doliflow.setting('service_level')::numeric, s.lead_time_days, s.risk_days,
			   s.errors, s.method, s.sigma_daily, s.safety_stock
		  FROM doliflow.safety_stocks(v_origin, v_products) s;
	END IF;
	IF p_run_id IS NULL THEN
		PERFORM doliflow._run_end(v_run, 'success');
	END IF;
	RAISE NOTICE 'doliflow: forecast run % (%): % products, % predictions from % to %',
		v_run, p_kind, cardinality(v_products), v_rows, v_origin + 1, v_origin + v_horizon;
	RETURN v_run;
END;
$$;
COMMENT ON FUNCTION doliflow.generate_predictions(date, boolean, text, bigint, integer[]) IS
'Forecasts daily demand of every stockable product (or of p_products) for forecast_horizon_days after p_origin (default: yesterday, or the last day of loaded demand) into dw.predictions, with model summaries in dw.prediction_models and a dw.prediction_runs row; learns the effect of passed events first when p_use_events. p_kind: nightly (used by the alerts), backtest (a past origin, counted by dw.v_forecast_accuracy) or experiment (ignored by the pages). Returns the run id (a new doliflow.run_log run unless p_run_id is given).';

CREATE PROCEDURE doliflow._analytics_forecast(run_id bigint, force boolean)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_last dw.prediction_runs;
	v_new dw.prediction_runs;
	v_run bigint := run_id;
BEGIN
	SELECT r.* INTO v_last FROM dw.prediction_runs r
	 WHERE r.kind = 'nightly' ORDER BY r.generated_at DESC, r.run_id DESC LIMIT 1;
	IF NOT coalesce(force, false) AND v_last.run_id IS NOT NULL
	   AND doliflow._lineage_current('forecast', v_last.load_run_id, v_last.complete) THEN
		RAISE NOTICE 'doliflow: forecast reused: predictions of run % (generated at %) were computed from the current warehouse load (run %), which is complete (force => true recomputes)',
			v_last.run_id, v_last.generated_at, v_last.load_run_id;
		PERFORM doliflow._step_report(0, 0, jsonb_build_object('reused', v_last.run_id, 'load_run_id', v_last.load_run_id));
		RETURN;
	END IF;
	v_run := doliflow.generate_predictions(NULL, true, 'nightly', v_run);
	SELECT r.* INTO v_new FROM dw.prediction_runs r WHERE r.run_id = v_run;
	PERFORM doliflow._step_report(v_new.products, v_new.rows_written,
		jsonb_strip_nulls(jsonb_build_object('products', v_new.products, 'origin', v_new.origin, 'engine', v_new.engine,
							'load_run_id', v_new.load_run_id, 'complete', v_new.complete,
							'missing_tables', CASE WHEN NOT v_new.complete THEN v_new.missing_tables END)));
END;
$$;
COMMENT ON PROCEDURE doliflow._analytics_forecast(bigint, boolean) IS
'Forecast module of run_analytics(): nightly predictions of every stockable product into dw.predictions under run_id, reporting the predictions written as the step''s rows_out; reuses the last nightly predictions (their generated_at stays) while they were computed from the current warehouse load and that load is complete for the forecast''s inputs, whatever their age, unless force. No transaction control: the caller commits.';

------------------------------------------------------------------------------
-- Alerts (page 1)
------------------------------------------------------------------------------

CREATE VIEW doliflow._stock_latest_run AS
SELECT r.run_id, r.generated_at, r.origin, r.horizon_days
  FROM dw.prediction_runs r
 WHERE r.kind = 'nightly'
 ORDER BY r.generated_at DESC, r.run_id DESC
 LIMIT 1;
COMMENT ON VIEW doliflow._stock_latest_run IS 'internal: the latest nightly forecast run (what the pages show)';

CREATE VIEW dw.v_stock_alerts AS
WITH cfg AS (
	SELECT max(s.value) FILTER (WHERE s.name = 'lead_time_default_days')::integer AS lead_default,
		   max(s.value) FILTER (WHERE s.name = 'attention_days')::numeric AS attention_days,
		   max(s.value) FILTER (WHERE s.name = 'safety_margin_pct')::numeric AS margin_pct,
		   max(s.value) FILTER (WHERE s.name = 'service_level')::numeric AS service_level,
		   max(s.value) FILTER (WHERE s.name = 'stock_review_days')::integer AS review_days,
		   max(s.value) FILTER (WHERE s.name = 'demand_share_days')::integer AS share_days,
		   pg_catalog.timezone(max(s.value) FILTER (WHERE s.name = 'timezone'), now())::date AS company_today
	  FROM doliflow.settings s
), run AS (
	SELECT lr.run_id, lr.generated_at, lr.origin
	  FROM doliflow._stock_latest_run lr
	 UNION ALL
	-- (typed and named NULLs: the view reads back the same from its own deparsed text, as an upgrade recreates it)
	SELECT NULL::bigint AS run_id, NULL::timestamptz AS generated_at,
		   pg_catalog.timezone((SELECT s.value FROM doliflow.settings s WHERE s.name = 'timezone'), now())::date - 1 AS origin
	 WHERE NOT EXISTS (SELECT 1 FROM doliflow._stock_latest_run)
), prod AS (
	SELECT p.*, greatest(coalesce(p.supplier_lead_time_days, cfg.lead_default), 1) AS lead_time_days
	  FROM doliflow._stock_product p CROSS JOIN cfg
), onhand AS MATERIALIZED (	-- once: it sums every stock movement (it was aggregated twice)
	SELECT o.fk_product, o.fk_entrepot, o.stock FROM doliflow._stock_onhand o
), items AS (	-- product x warehouse holding stock; products without any stock row get one row (no warehouse)
	SELECT o.fk_product, o.fk_entrepot, o.stock::numeric AS stock
	  FROM onhand o JOIN prod USING (fk_product)
	 UNION ALL
	SELECT p.fk_product, NULL::integer AS fk_entrepot, 0 AS stock
	  FROM prod p
	 WHERE NOT EXISTS (SELECT 1 FROM onhand o WHERE o.fk_product = p.fk_product)
), shares AS (
	SELECT i.*,
		   CASE WHEN sum(coalesce(w.qty, 0)) OVER (PARTITION BY i.fk_product) > 0
				THEN coalesce(w.qty, 0) / sum(coalesce(w.qty, 0)) OVER (PARTITION BY i.fk_product)
				ELSE 1.0 / count(*) OVER (PARTITION BY i.fk_product)
		   END::numeric AS share
	  FROM items i
	  LEFT JOIN (SELECT d.fk_product, d.fk_entrepot, sum(d.qty) AS qty
				   FROM doliflow._stock_demand_wh d	-- (scalar bounds: pushed down into the view)
				  WHERE d.day > (SELECT run.origin FROM run) - (SELECT cfg.share_days FROM cfg)
					AND d.day <= (SELECT run.origin FROM run)
				  GROUP BY 1, 2) w
		ON w.fk_product = i.fk_product AND w.fk_entrepot IS NOT DISTINCT FROM i.fk_entrepot
), fc AS MATERIALIZED (	-- product totals from the latest nightly run (once: a nested loop re-aggregated them per item)
	SELECT p.fk_product,
		   sum(pr.yhat) FILTER (WHERE pr.day <= run.origin + p.lead_time_days) AS demand_lead_time,
		   sum(pr.yhat) FILTER (WHERE pr.day <= run.origin + p.lead_time_days + cfg.review_days) AS demand_target,
		   max(pr.day) AS last_day, min(pr.method) AS method
	  FROM prod p CROSS JOIN run CROSS JOIN cfg
	  JOIN dw.predictions pr ON pr.run_id = run.run_id AND pr.fk_product = p.fk_product AND pr.fk_entrepot IS NULL
	 WHERE pr.day > run.origin
	 GROUP BY 1
), x AS (
	SELECT s.fk_product, s.fk_entrepot, s.stock, s.share,
		   p.ref, p.label, p.pmp, p.packaging, p.lead_time_days,
		   p.supplier_lead_time_days IS NOT NULL AS lead_time_from_supplier,
		   coalesce(inc.qty, 0)::numeric * s.share AS incoming,
		   coalesce(fc.demand_lead_time, 0)::numeric * s.share AS demand_lead_time,
		   coalesce(fc.demand_target, 0)::numeric * s.share AS demand_target,
		   coalesce(pm.sigma, 0)::numeric * s.share AS sigma_daily,
		   ss.safety_stock * s.share AS ss_backtest, p.lead_time_days + greatest(cfg.review_days, 1) AS risk_days,
		   fc.method, fc.fk_product IS NOT NULL AS has_forecast,
		   coalesce(fc.last_day < run.origin + p.lead_time_days + cfg.review_days, true) AS forecast_truncated,
		   run.origin + 1 AS today, run.origin + p.lead_time_days + cfg.review_days AS target_date,
		   run.run_id, run.generated_at, run.origin,
		   cfg.attention_days, cfg.margin_pct, cfg.service_level,
		   coalesce(res.qty, 0)::numeric * s.share AS reserved,	-- (part 58: buyers)
		   sup.fk_soc AS supplier_id, sup.supplier_name, sup.ref_fourn AS supplier_ref, sup.moq,
		   coalesce(sup.packaging, p.packaging::numeric) AS order_packaging, sup.unit_price,
		   sup.reason_code, sup.delivery_days AS supplier_days, sup.next_name, sup.next_days, sup.next_price, sup.suppliers,
		   cfg.company_today + coalesce(sup.delivery_days, p.lead_time_days) AS planned_delivery_date
	  FROM shares s
	  JOIN prod p USING (fk_product)
	  CROSS JOIN run CROSS JOIN cfg
	  LEFT JOIN fc USING (fk_product)
	  LEFT JOIN doliflow._stock_incoming inc USING (fk_product)
	  LEFT JOIN doliflow._stock_reserved res USING (fk_product)
	  LEFT JOIN doliflow._stock_supplier sup ON sup.fk_product = s.fk_product AND sup.rank = 1
	  LEFT JOIN dw.prediction_models pm ON pm.run_id = run.run_id AND pm.fk_product = s.fk_product
	  LEFT JOIN dw.safety_stock ss ON ss.run_id = run.run_id AND ss.fk_product = s.fk_product
), y AS (
	SELECT x.*,
		   x.demand_lead_time / x.lead_time_days AS daily_demand,
		   doliflow.stock_level(x.stock, x.demand_lead_time, x.demand_lead_time / x.lead_time_days, x.attention_days) AS level,
		   doliflow.stock_level(x.stock + x.incoming, x.demand_lead_time, x.demand_lead_time / x.lead_time_days, x.attention_days) AS level_with_incoming,
		   -- the back-tested safety stock of the run (dw.safety_stock), else the same function's normal fallback
		   coalesce(x.ss_backtest, doliflow.safety_stock_empirical(NULL, x.service_level, x.sigma_daily, x.risk_days)) AS safety_stock,
		   doliflow.suggested_quantity(x.demand_target, x.stock, x.margin_pct, x.packaging::numeric) AS suggested_quantity,
		   doliflow.suggested_quantity(x.demand_target, x.stock + x.incoming, x.margin_pct, x.packaging::numeric) AS suggested_quantity_net,
		   x.stock + x.incoming - x.reserved AS virtual_stock,
		   greatest((x.demand_target - (x.stock + x.incoming - x.reserved)) * (1 + x.margin_pct / 100), 0) AS raw_quantity
	  FROM x
), lin AS (	-- the source data of the current warehouse load (part 35)
	SELECT max(t.load_run_id) AS load_run_id,
		   NOT coalesce(bool_or(t.missing), false) AS complete,
		   coalesce(array_agg(t.table_name ORDER BY t.table_name) FILTER (WHERE t.missing), '{}') AS missing_tables,
		   -- the tables a level is computed from: stock, demand, lead time
		   array_agg(t.table_name ORDER BY t.table_name) FILTER (WHERE t.never_loaded
				AND t.table_name IN ('llx_product', 'llx_product_stock', 'llx_product_fournisseur_price', 'llx_stock_mouvement')) AS unknown_from,
		   min(t.loaded_as_of) AS as_of
	  FROM doliflow._load_tables t
), frun AS (
	SELECT pr.run_id, pr.load_run_id, pr.complete FROM dw.prediction_runs pr
	 WHERE pr.run_id = (SELECT lr.run_id FROM doliflow._stock_latest_run lr)
), z AS (	-- never OK from a table whose extract failed and that the warehouse never had
	SELECT y.*, lin.load_run_id AS cur_load_run_id, lin.complete AS data_complete, lin.missing_tables,
		   lin.as_of AS source_data_as_of, lin.unknown_from,
		   frun.load_run_id AS forecast_load_run_id,
		   coalesce(frun.complete, false) AND frun.load_run_id IS NOT DISTINCT FROM lin.load_run_id AS forecast_current
	  FROM y CROSS JOIN lin LEFT JOIN frun ON frun.run_id = y.run_id
)
SELECT y.fk_product, y.ref AS product_ref, y.label AS product_label,
	   y.fk_entrepot, w.ref AS warehouse_ref,
	   CASE WHEN y.unknown_from IS NULL THEN y.level ELSE 'Unknown' END AS level,
	   CASE WHEN y.unknown_from IS NOT NULL THEN 0
			ELSE CASE y.level WHEN 'Critical' THEN 1 WHEN 'Attention' THEN 2 WHEN 'OK' THEN 3 END END AS level_rank,
	   round(y.stock, 3) AS stock, round(y.incoming, 3) AS incoming,
	   y.lead_time_days, y.lead_time_from_supplier,
	   round(y.share, 4) AS demand_share,
	   round(y.daily_demand, 3) AS daily_demand,
	   round(y.demand_lead_time, 3) AS demand_lead_time,
	   round(y.stock - y.demand_lead_time, 3) AS stock_after_lead_time,
	   CASE WHEN y.daily_demand > 0 THEN round(greatest(y.stock, 0) / y.daily_demand, 1) END AS days_of_cover,
	   CASE WHEN y.unknown_from IS NULL THEN y.level_with_incoming ELSE 'Unknown' END AS level_with_incoming,
	   round(y.sigma_daily, 3) AS sigma_daily,
	   round(y.safety_stock, 3) AS safety_stock,
	   round(y.demand_target + y.safety_stock, 3) AS reorder_point,
	   CASE WHEN y.unknown_from IS NULL THEN y.stock + y.incoming < y.demand_target + y.safety_stock END AS below_reorder_point,
	   y.target_date,
	   round(y.demand_target, 3) AS demand_until_target,
	   y.margin_pct, y.packaging,
	   CASE WHEN y.unknown_from IS NULL THEN y.suggested_quantity END AS suggested_quantity,
	   CASE WHEN y.unknown_from IS NULL THEN y.suggested_quantity_net END AS suggested_quantity_net,
	   round(y.stock * y.pmp::numeric, 2) AS stock_value,
	   y.has_forecast, y.forecast_truncated, y.method AS forecast_method,
	   y.today, y.origin AS forecast_origin, y.run_id, y.generated_at,
	   CASE WHEN l.lang = 'en' THEN y.level
			ELSE CASE y.level WHEN 'Critical' THEN 'Critique' WHEN 'Attention' THEN 'Attention' WHEN 'OK' THEN 'OK' WHEN 'Unknown' THEN 'Inconnu' END END AS level_label,
	   CASE WHEN l.lang = 'en' THEN y.level_with_incoming
			ELSE CASE y.level_with_incoming WHEN 'Critical' THEN 'Critique' WHEN 'Attention' THEN 'Attention' WHEN 'OK' THEN 'OK' WHEN 'Unknown' THEN 'Inconnu' END END AS level_with_incoming_label,
	   CASE WHEN y.unknown_from IS NOT NULL
			THEN format('Unknown: the extract of %s failed and the warehouse never had it', array_to_string(y.unknown_from, ', '))
			WHEN NOT y.data_complete
			THEN format('computed from incomplete source data: the last extract of %s failed (older data used)', array_to_string(y.missing_tables, ', '))
			WHEN NOT y.forecast_current
			THEN 'the forecast was computed from an earlier or incomplete warehouse load'
	   END AS level_reason,
	   y.data_complete, y.missing_tables, y.source_data_as_of, now() - y.source_data_as_of AS source_data_age,
	   y.cur_load_run_id AS load_run_id, y.forecast_load_run_id, y.forecast_current,
	   round(y.reserved, 3) AS reserved, round(y.virtual_stock, 3) AS virtual_stock,
	   CASE WHEN y.unknown_from IS NULL THEN round(y.raw_quantity, 3) END AS raw_quantity,
	   y.moq, y.order_packaging,
	   CASE WHEN y.unknown_from IS NULL THEN doliflow.order_quantity(round(y.raw_quantity, 3), y.moq, y.order_packaging) END AS order_quantity,
	   CASE WHEN y.unknown_from IS NULL THEN doliflow.order_rounding(round(y.raw_quantity, 3), y.moq, y.order_packaging, coalesce(l.lang, 'fr')) END AS rounding,
	   y.supplier_id, y.supplier_name, y.supplier_ref,
	   doliflow.supplier_reason(y.reason_code, y.supplier_days, y.unit_price, y.next_name, y.next_days, y.next_price,
								y.suppliers, coalesce(l.lang, 'fr')) AS supplier_reason,
	   y.unit_price, y.planned_delivery_date
  FROM z y
  LEFT JOIN dw.dim_warehouse w ON w.warehouse_key = y.fk_entrepot
  LEFT JOIN (SELECT s.value AS lang FROM doliflow.settings s WHERE s.name = 'language') l ON true;
COMMENT ON VIEW dw.v_stock_alerts IS
'Page 1 (Alertes): one row per product and warehouse holding stock, from the latest nightly forecast. The product forecast is split between warehouses by each warehouse''s share of sales over demand_share_days (equal shares when none). level = stock_level(stock, demand_lead_time, demand_lead_time / lead_time_days, attention_days); suggested_quantity = suggested_quantity(forecast until target_date, stock, safety_margin_pct, packaging) with target_date = today + lead time + stock_review_days - 1 (what_if_order() takes any date). Sort by level_rank, days_of_cover.';
COMMENT ON COLUMN dw.v_stock_alerts.fk_product IS 'Product (llx_product.rowid)';
COMMENT ON COLUMN dw.v_stock_alerts.product_ref IS 'Product reference';
COMMENT ON COLUMN dw.v_stock_alerts.product_label IS 'Product label';
COMMENT ON COLUMN dw.v_stock_alerts.fk_entrepot IS 'Warehouse (llx_entrepot.rowid); NULL for a product that has no stock anywhere';
COMMENT ON COLUMN dw.v_stock_alerts.warehouse_ref IS 'Warehouse name';
COMMENT ON COLUMN dw.v_stock_alerts.level IS 'Critical: stock - demand_lead_time < 0; Attention: >= 0 and < attention_days days of daily_demand; OK otherwise; Unknown when a table the level is computed from was never loaded (its extract failed; see level_reason)';
COMMENT ON COLUMN dw.v_stock_alerts.level_rank IS '0 Unknown, 1 Critical, 2 Attention, 3 OK (for sorting)';
COMMENT ON COLUMN dw.v_stock_alerts.stock IS 'Current physical stock in the warehouse (sum of movements)';
COMMENT ON COLUMN dw.v_stock_alerts.incoming IS 'Quantity on open supplier orders (status 1-4), split between warehouses like the demand';
COMMENT ON COLUMN dw.v_stock_alerts.lead_time_days IS 'Supplier lead time (llx_product_fournisseur_price.delivery_time_days, else setting lead_time_default_days; at least 1)';
COMMENT ON COLUMN dw.v_stock_alerts.lead_time_from_supplier IS 'True when the lead time comes from the supplier price list, false when it is the default setting';
COMMENT ON COLUMN dw.v_stock_alerts.demand_share IS 'Share of the product''s forecast assigned to this warehouse';
COMMENT ON COLUMN dw.v_stock_alerts.daily_demand IS 'Average forecast demand per day over the lead time';
COMMENT ON COLUMN dw.v_stock_alerts.demand_lead_time IS 'Forecast demand over the lead time: sum of the predictions of days today .. today + lead_time_days - 1';
COMMENT ON COLUMN dw.v_stock_alerts.stock_after_lead_time IS 'stock - demand_lead_time (negative = stock-out before a new order can arrive)';
COMMENT ON COLUMN dw.v_stock_alerts.days_of_cover IS 'Days the stock lasts at daily_demand; NULL when no demand is forecast';
COMMENT ON COLUMN dw.v_stock_alerts.level_with_incoming IS 'The same level counting open supplier orders as stock';
COMMENT ON COLUMN dw.v_stock_alerts.sigma_daily IS 'Standard deviation of the daily forecast error (model, scaled by the warehouse share)';
COMMENT ON COLUMN dw.v_stock_alerts.safety_stock IS 'Safety stock of the run (dw.safety_stock, doliflow.safety_stocks: empirical service_level quantile of the back-tested errors of the demand over lead_time_days + stock_review_days), scaled by the warehouse share; without a dw.safety_stock row, safety_stock_empirical''s normal fallback z x sigma_daily x sqrt(lead_time_days + stock_review_days)';
COMMENT ON COLUMN dw.v_stock_alerts.reorder_point IS 'demand_until_target + safety_stock: the order-up-to level of the periodic review (every stock_review_days the position stock + incoming is raised to it; the simulator''s doliflow policy)';
COMMENT ON COLUMN dw.v_stock_alerts.below_reorder_point IS 'stock + incoming < reorder_point';
COMMENT ON COLUMN dw.v_stock_alerts.target_date IS 'Last day the suggested order must cover: today + lead_time_days + stock_review_days - 1';
COMMENT ON COLUMN dw.v_stock_alerts.demand_until_target IS 'Sum of forecasts from today to target_date';
COMMENT ON COLUMN dw.v_stock_alerts.margin_pct IS 'Safety margin in percent (setting safety_margin_pct)';
COMMENT ON COLUMN dw.v_stock_alerts.packaging IS 'Supplier order multiple; NULL = unknown (quantity not rounded)';
COMMENT ON COLUMN dw.v_stock_alerts.suggested_quantity IS 'The seed''s formula: (demand_until_target - stock) x (1 + margin_pct/100), never negative, rounded up to packaging';
COMMENT ON COLUMN dw.v_stock_alerts.suggested_quantity_net IS 'The same with open supplier orders counted as stock (what is left to order)';
COMMENT ON COLUMN dw.v_stock_alerts.stock_value IS 'stock x pmp (weighted average cost)';
COMMENT ON COLUMN dw.v_stock_alerts.has_forecast IS 'False when the latest run has no forecast for the product (demand then counts as 0)';
COMMENT ON COLUMN dw.v_stock_alerts.forecast_truncated IS 'True when the forecast horizon ends before target_date (sums cover fewer days)';
COMMENT ON COLUMN dw.v_stock_alerts.forecast_method IS 'Forecasting method of the product';
COMMENT ON COLUMN dw.v_stock_alerts.today IS 'First forecast day (the day after the forecast origin)';
COMMENT ON COLUMN dw.v_stock_alerts.forecast_origin IS 'Last day of history the forecast saw';
COMMENT ON COLUMN dw.v_stock_alerts.run_id IS 'Forecast run used';
COMMENT ON COLUMN dw.v_stock_alerts.generated_at IS 'When the forecast used was computed (the 24-hour cache timestamp)';
COMMENT ON COLUMN dw.v_stock_alerts.level_label IS 'level for people, in the language of the setting language: Critique / Attention / OK / Inconnu in French (default), Critical / Attention / OK / Unknown in English';
COMMENT ON COLUMN dw.v_stock_alerts.level_with_incoming_label IS 'level_with_incoming for people, in the language of the setting language';
COMMENT ON COLUMN dw.v_stock_alerts.level_reason IS 'Why the level cannot be trusted, NULL when it can: Unknown (a table the level is computed from, llx_product, llx_product_stock, llx_product_fournisseur_price or llx_stock_mouvement, failed to extract and was never loaded), incomplete source data, or a forecast from an earlier or incomplete load';
COMMENT ON COLUMN dw.v_stock_alerts.data_complete IS 'False when the current warehouse load lacks a source table (its last extract failed): see missing_tables';
COMMENT ON COLUMN dw.v_stock_alerts.missing_tables IS 'Source tables whose last extract before the current warehouse load failed (empty when complete)';
COMMENT ON COLUMN dw.v_stock_alerts.source_data_as_of IS 'When the oldest source table of the current warehouse load was read from Dolibarr (its latest verified lake batch)';
COMMENT ON COLUMN dw.v_stock_alerts.source_data_age IS 'now() - source_data_as_of: how old the source data is';
COMMENT ON COLUMN dw.v_stock_alerts.load_run_id IS 'The current warehouse load (dw.load_state.run_id) the stock figures come from';
COMMENT ON COLUMN dw.v_stock_alerts.forecast_load_run_id IS 'The warehouse load the forecast used was computed from';
COMMENT ON COLUMN dw.v_stock_alerts.forecast_current IS 'True when the forecast used was computed from the current warehouse load and that load was complete for its inputs';
COMMENT ON COLUMN dw.v_stock_alerts.reserved IS 'Quantity on open customer orders (llx_commande fk_statut 1 validated or 2 shipment in process, the statuses Dolibarr''s virtual stock subtracts), split between warehouses like the demand';
COMMENT ON COLUMN dw.v_stock_alerts.virtual_stock IS 'stock + incoming - reserved: physical stock plus open supplier orders minus open customer orders (Dolibarr''s virtual stock, with supplier orders of status 1-4)';
COMMENT ON COLUMN dw.v_stock_alerts.raw_quantity IS 'Need before rounding: (demand_until_target - virtual_stock) x (1 + margin_pct/100), never negative';
COMMENT ON COLUMN dw.v_stock_alerts.moq IS 'Minimum order quantity of the supplier used (the quantity of its smallest price tier, llx_product_fournisseur_price.quantity); NULL without supplier';
COMMENT ON COLUMN dw.v_stock_alerts.order_packaging IS 'Order multiple used for order_quantity: the packaging of the supplier used, else the product''s (packaging)';
COMMENT ON COLUMN dw.v_stock_alerts.order_quantity IS 'order_quantity(raw_quantity, moq, order_packaging): at least the MOQ, then rounded up to the packaging; 0 when nothing is needed. Rounded for this warehouse alone: dw.v_stock_products rounds the product total (one order line)';
COMMENT ON COLUMN dw.v_stock_alerts.rounding IS 'The rounding in words (order_rounding(), in the setting language): MOQ 50 / packaging 12 -> 60 / no rounding; NULL when nothing is needed';
COMMENT ON COLUMN dw.v_stock_alerts.supplier_id IS 'Supplier used (llx_societe.rowid): among the active supplier prices, the shortest delivery_time_days, then the lowest unit price';
COMMENT ON COLUMN dw.v_stock_alerts.supplier_name IS 'Name of the supplier used';
COMMENT ON COLUMN dw.v_stock_alerts.supplier_ref IS 'Supplier''s product reference (ref_fourn of its smallest tier)';
COMMENT ON COLUMN dw.v_stock_alerts.supplier_reason IS 'Why that supplier, in words (supplier_reason(), in the setting language)';
COMMENT ON COLUMN dw.v_stock_alerts.unit_price IS 'Unit price of the supplier''s smallest tier (unitprice, else price / quantity)';
COMMENT ON COLUMN dw.v_stock_alerts.planned_delivery_date IS 'Today in the company time zone (setting timezone) + the supplier''s delivery_time_days (else lead_time_days), in calendar days: Dolibarr''s delivery_time_days is a number of calendar days (it adds it to the order date as days), the same days the forecast sums over the lead time';

CREATE FUNCTION doliflow.what_if_order(product integer, target_date date, margin_pct numeric DEFAULT NULL)
RETURNS TABLE (fk_product integer, from_date date, to_date date, days integer, sum_forecast numeric,
			   stock numeric, incoming numeric, raw_need numeric, with_margin numeric, margin_used_pct numeric,
			   packaging numeric, suggested_quantity numeric, suggested_quantity_net numeric,
			   forecast_truncated boolean, generated_at timestamptz)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	v_run record;
	v_margin numeric := coalesce(margin_pct, doliflow.setting('safety_margin_pct')::numeric);
	v_sum numeric;
	v_last date;
	v_stock numeric;
	v_incoming numeric;
	v_pack numeric;
BEGIN
	IF product IS NULL OR target_date IS NULL THEN
		RAISE EXCEPTION 'product and target_date are required' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM doliflow._check_finite(v_margin, 'margin_pct', 0);
	SELECT p.packaging INTO v_pack FROM doliflow._stock_product p WHERE p.fk_product = product;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'product % is not a stockable product', product USING ERRCODE = 'no_data_found';
	END IF;
	SELECT * INTO v_run FROM doliflow._stock_latest_run;
	IF v_run.run_id IS NULL THEN
		RAISE EXCEPTION 'no nightly forecast yet' USING ERRCODE = 'no_data_found',
			HINT = 'CALL doliflow.run_analytics(''forecast'') computes one.';
	END IF;
	IF target_date <= v_run.origin THEN
		RAISE EXCEPTION 'target_date % must be after the forecast origin %', target_date, v_run.origin
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT coalesce(sum(pr.yhat), 0), max(pr.day) INTO v_sum, v_last
	  FROM dw.predictions pr
	 WHERE pr.run_id = v_run.run_id AND pr.fk_product = product AND pr.fk_entrepot IS NULL
	   AND pr.day > v_run.origin AND pr.day <= target_date;
	SELECT coalesce(sum(o.stock), 0) INTO v_stock FROM doliflow._stock_onhand o WHERE o.fk_product = product;
	SELECT coalesce(sum(i.qty), 0) INTO v_incoming FROM doliflow._stock_incoming i WHERE i.fk_product = product;
	RETURN QUERY SELECT product, v_run.origin + 1, target_date, target_date - v_run.origin, trim_scale(v_sum),
		trim_scale(v_stock), trim_scale(v_incoming), trim_scale(greatest(v_sum - v_stock, 0)),
		trim_scale(greatest((v_sum - v_stock) * (1 + v_margin / 100), 0)), v_margin, v_pack,
		doliflow.suggested_quantity(v_sum, v_stock, v_margin, v_pack),
		doliflow.suggested_quantity(v_sum, v_stock + v_incoming, v_margin, v_pack),
		v_last IS NULL OR v_last < target_date, v_run.generated_at;
END;
$$;
COMMENT ON FUNCTION doliflow.what_if_order(integer, date, numeric) IS
'The seed''s quantity calculator for one product (all warehouses): sum of the latest nightly forecasts from today to target_date (inclusive), current stock, open supplier orders, raw need (sum - stock, 0 when the stock covers it: quantities are never negative), with margin (x (1 + margin_pct/100), never negative; margin_pct defaults to setting safety_margin_pct and is returned as margin_used_pct), packaging, and suggested_quantity(...) without and with the incoming orders counted. forecast_truncated when target_date lies beyond the horizon.';

------------------------------------------------------------------------------
-- Daily alert snapshot (the dashboard's 7-day trend) and the stock module
------------------------------------------------------------------------------

CREATE TABLE dw.alert_snapshot (
	snapshot_date      date NOT NULL,
	fk_product         integer NOT NULL,
	fk_entrepot        integer,
	level              text NOT NULL,
	stock              numeric NOT NULL,
	demand_lead_time   numeric NOT NULL,
	days_of_cover      numeric,
	suggested_quantity numeric,
	run_id             bigint,
	forecast_run_id    bigint,
	generated_at       timestamptz NOT NULL,
	load_run_id        bigint,
	complete           boolean,
	missing_tables     text[],
	stock_value        numeric,
	stock_after_lead_time numeric,
	stock_unrounded    numeric,
	CONSTRAINT alert_snapshot_key UNIQUE NULLS NOT DISTINCT (snapshot_date, fk_product, fk_entrepot)
);
COMMENT ON TABLE dw.alert_snapshot IS 'One copy of dw.v_stock_alerts per day, written by the stock module; feeds the 7-day alert trend of dw.v_dashboard';
COMMENT ON COLUMN dw.alert_snapshot.snapshot_date IS 'Day of the snapshot';
COMMENT ON COLUMN dw.alert_snapshot.fk_product IS 'Product';
COMMENT ON COLUMN dw.alert_snapshot.fk_entrepot IS 'Warehouse (NULL: product without stock anywhere)';
COMMENT ON COLUMN dw.alert_snapshot.level IS 'Critical, Attention or OK';
COMMENT ON COLUMN dw.alert_snapshot.stock IS 'Stock that day';
COMMENT ON COLUMN dw.alert_snapshot.demand_lead_time IS 'Forecast demand over the lead time that day';
COMMENT ON COLUMN dw.alert_snapshot.days_of_cover IS 'Days of cover that day';
COMMENT ON COLUMN dw.alert_snapshot.suggested_quantity IS 'Suggested order quantity that day';
COMMENT ON COLUMN dw.alert_snapshot.run_id IS 'doliflow.run_log run that took the snapshot';
COMMENT ON COLUMN dw.alert_snapshot.forecast_run_id IS 'Forecast run the levels come from';
COMMENT ON COLUMN dw.alert_snapshot.generated_at IS 'When the snapshot was taken';
COMMENT ON COLUMN dw.alert_snapshot.load_run_id IS 'The warehouse load the snapshot was computed from (dw.load_state.run_id then)';
COMMENT ON COLUMN dw.alert_snapshot.complete IS 'False when a source table of the stock module''s inputs (doliflow.analytics_input) was missing in that load, or the forecast used was incomplete';
COMMENT ON COLUMN dw.alert_snapshot.missing_tables IS 'Those missing source tables (empty when complete)';
COMMENT ON COLUMN dw.alert_snapshot.stock_value IS 'Stock value that day (dw.v_stock_alerts.stock_value; NULL in snapshots taken before 0.3.0)';
COMMENT ON COLUMN dw.alert_snapshot.stock_after_lead_time IS 'stock - demand_lead_time that day (dw.v_stock_alerts.stock_after_lead_time; NULL before 0.3.0)';
COMMENT ON COLUMN dw.alert_snapshot.stock_unrounded IS 'The stock that day as the movements sum it, not rounded (stock is rounded to 3 decimals like dw.v_stock_alerts.stock): dw.v_dashboard adds them up for the total stock (NULL before 0.3.0)';

CREATE PROCEDURE doliflow._analytics_stock(run_id bigint, force boolean)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
	v_last dw.alert_snapshot;
	v_rows bigint;
	v_unknown bigint;
	v_run bigint := run_id;
	l record;
	v_fc record;
BEGIN
	SELECT a.* INTO v_last FROM dw.alert_snapshot a WHERE a.snapshot_date = doliflow.company_today()
	 ORDER BY a.generated_at DESC LIMIT 1;
	IF NOT coalesce(force, false) AND v_last.generated_at IS NOT NULL
	   AND v_last.generated_at >= (SELECT lr.generated_at FROM doliflow._stock_latest_run lr)
	   AND doliflow._lineage_current('stock', v_last.load_run_id, v_last.complete) THEN
		RAISE NOTICE 'doliflow: stock alerts reused: today''s snapshot taken at % is newer than the forecast and was computed from the current warehouse load (run %), which is complete',
			v_last.generated_at, v_last.load_run_id;
		PERFORM doliflow._step_report(0, 0, jsonb_build_object('reused', v_last.generated_at, 'load_run_id', v_last.load_run_id));
		RETURN;
	END IF;
	l := doliflow._lineage('stock');
	SELECT pr.complete, pr.load_run_id INTO v_fc FROM dw.prediction_runs pr
	 WHERE pr.run_id = (SELECT lr.run_id FROM doliflow._stock_latest_run lr);
	DELETE FROM dw.alert_snapshot a WHERE a.snapshot_date = doliflow.company_today();
	-- Items whose level is Unknown (a table it is computed from was never
	-- loaded) get no row: the snapshot never says OK for them.
	INSERT INTO dw.alert_snapshot (snapshot_date, fk_product, fk_entrepot, level, stock, demand_lead_time,
								   days_of_cover, suggested_quantity, run_id, forecast_run_id, generated_at,
								   load_run_id, complete, missing_tables, stock_value, stock_after_lead_time, stock_unrounded)
	SELECT doliflow.company_today(), v.fk_product, v.fk_entrepot, v.level, v.stock, v.demand_lead_time,
		   v.days_of_cover, v.suggested_quantity, v_run, v.run_id, now(),
		   l.load_run_id, l.complete AND coalesce(v_fc.complete, true) AND v_fc.load_run_id IS NOT DISTINCT FROM l.load_run_id,
		   l.missing_tables, v.stock_value, v.stock_after_lead_time, coalesce(o.stock, 0)
	  FROM dw.v_stock_alerts v
	  LEFT JOIN doliflow._stock_onhand o ON o.fk_product = v.fk_product AND o.fk_entrepot IS NOT DISTINCT FROM v.fk_entrepot
	 WHERE v.level IS NOT NULL AND v.level <> 'Unknown';
	GET DIAGNOSTICS v_rows = ROW_COUNT;
	SELECT count(*) INTO v_unknown FROM dw.v_stock_alerts v WHERE v.level = 'Unknown';
	RAISE NOTICE 'doliflow: stock alerts: % items (% Critical, % Attention)%', v_rows,
		(SELECT count(*) FROM dw.alert_snapshot a WHERE a.snapshot_date = doliflow.company_today() AND a.level = 'Critical'),
		(SELECT count(*) FROM dw.alert_snapshot a WHERE a.snapshot_date = doliflow.company_today() AND a.level = 'Attention'),
		CASE WHEN v_unknown > 0 THEN format('; %s items Unknown: never loaded %s', v_unknown, array_to_string(l.never_loaded, ', '))
			 WHEN NOT l.complete THEN format('; incomplete: missing %s', array_to_string(l.missing_tables, ', '))
			 ELSE '' END;
	PERFORM doliflow._step_report(v_rows + v_unknown, v_rows,
		jsonb_strip_nulls(jsonb_build_object('unknown', v_unknown, 'load_run_id', l.load_run_id, 'complete', l.complete,
							'missing_tables', CASE WHEN NOT l.complete THEN l.missing_tables END)));
END;
$$;
COMMENT ON PROCEDURE doliflow._analytics_stock(bigint, boolean) IS
'Stock module of run_analytics(): writes today''s copy of dw.v_stock_alerts into dw.alert_snapshot (replacing an earlier one of the same day) with the warehouse load it was computed from; items whose level is Unknown get no row. Reuses today''s snapshot, unless force, while it is newer than the latest forecast and was computed from the current warehouse load, complete for its inputs, whatever its age. No transaction control: the caller commits.';

------------------------------------------------------------------------------
-- Predictions against actuals
------------------------------------------------------------------------------

-- For every product and day with actuals, the prediction of the latest run
-- (nightly or back-test) whose origin is before that day: the forecast that
-- was available on the morning of the day.  Days without a sales row count
-- as zero demand; actuals exist up to the last day of loaded demand.
CREATE VIEW doliflow._prediction_actuals AS
WITH last_actual AS (
	SELECT max(d.day) AS day FROM doliflow._stock_demand d
), pick AS (
	SELECT DISTINCT ON (pr.fk_product, pr.day)
		   pr.fk_product, pr.day, pr.yhat, pr.run_id, pr.origin, pr.horizon
	  FROM dw.predictions pr
	  JOIN dw.prediction_runs r ON r.run_id = pr.run_id AND r.kind IN ('nightly', 'backtest')
	 WHERE pr.fk_entrepot IS NULL AND pr.day <= (SELECT day FROM last_actual)
	 ORDER BY pr.fk_product, pr.day, pr.origin DESC, pr.run_id DESC
)
SELECT p.fk_product, p.day, p.yhat, coalesce(d.qty, 0)::float8 AS actual,
	   abs(p.yhat - coalesce(d.qty, 0)) AS abs_error, m.mase_scale, p.run_id, p.origin, p.horizon
  FROM pick p
  LEFT JOIN doliflow._stock_demand d ON d.fk_product = p.fk_product AND d.day = p.day
  LEFT JOIN dw.prediction_models m ON m.run_id = p.run_id AND m.fk_product = p.fk_product;
COMMENT ON VIEW doliflow._prediction_actuals IS 'internal: the freshest prediction made before each product-day, beside the actual demand';

CREATE VIEW dw.v_forecast_accuracy AS
WITH pw AS (	-- product x ISO week
	SELECT date_trunc('week', a.day)::date AS week_start, a.fk_product,
		   count(*) AS days, sum(a.actual) AS actual, sum(a.yhat) AS forecast, sum(a.abs_error) AS abs_error,
		   sum(a.abs_error / a.actual) FILTER (WHERE a.actual > 0) AS ape_sum,
		   count(*) FILTER (WHERE a.actual > 0) AS ape_n,
		   sum(a.abs_error / a.mase_scale) FILTER (WHERE a.mase_scale > 0) AS ase_sum,
		   count(*) FILTER (WHERE a.mase_scale > 0) AS ase_n,
		   abs(sum(a.yhat) - sum(a.actual)) AS week_abs_error
	  FROM doliflow._prediction_actuals a
	 GROUP BY 1, 2
)
SELECT CASE WHEN grouping(pw.week_start) = 0 THEN to_char(pw.week_start, 'IYYY-"W"IW') END AS iso_week,
	   pw.week_start,
	   pw.fk_product,
	   CASE WHEN grouping(pw.week_start) = 0 AND grouping(pw.fk_product) = 0 THEN 'product_week'
			WHEN grouping(pw.week_start) = 0 THEN 'week'
			WHEN grouping(pw.fk_product) = 0 THEN 'product'
			ELSE 'all' END AS grain,
	   sum(pw.days) AS days,
	   round(sum(pw.actual)::numeric, 3) AS actual,
	   round(sum(pw.forecast)::numeric, 3) AS forecast,
	   round(sum(pw.abs_error)::numeric, 3) AS abs_error,
	   round((100 * sum(pw.ape_sum) / nullif(sum(pw.ape_n), 0))::numeric, 2) AS mape,
	   round((100 * sum(pw.abs_error) / nullif(sum(pw.actual), 0))::numeric, 2) AS wape,
	   round((sum(pw.ase_sum) / nullif(sum(pw.ase_n), 0))::numeric, 3) AS mase,
	   round((100 - 100 * sum(pw.abs_error) / nullif(sum(pw.actual), 0))::numeric, 2) AS accuracy_pct,
	   round((100 * sum(pw.week_abs_error) / nullif(sum(pw.actual), 0))::numeric, 2) AS weekly_wape,
	   round((100 - 100 * sum(pw.week_abs_error) / nullif(sum(pw.actual), 0))::numeric, 2) AS weekly_accuracy_pct
  FROM pw
 GROUP BY GROUPING SETS ((pw.week_start, pw.fk_product), (pw.week_start), (pw.fk_product), ());
COMMENT ON VIEW dw.v_forecast_accuracy IS
'Page 3 (Preuve de précision): predicted vs actual demand once actuals arrive, per product and ISO week, per week (all products), per product (all weeks) and overall. Each product-day is judged on the latest nightly or back-test prediction whose origin precedes the day; days without sales count as 0. MAPE = mean of |e|/actual over days with actual > 0 (days with actual 0 are left out: the percentage is undefined); WAPE = sum |e| / sum actual; MASE = mean of |e| / mase_scale (the mean absolute one-step naive error of the history before the forecast origin, stored with the model); accuracy_pct = 100 - WAPE (the seed''s 85 % -> 92 % goal).';
COMMENT ON COLUMN dw.v_forecast_accuracy.iso_week IS 'ISO week (e.g. 2024-W07); NULL on the per-product and overall rows';
COMMENT ON COLUMN dw.v_forecast_accuracy.week_start IS 'Monday of the ISO week';
COMMENT ON COLUMN dw.v_forecast_accuracy.fk_product IS 'Product; NULL on the per-week and overall rows';
COMMENT ON COLUMN dw.v_forecast_accuracy.grain IS 'product_week, week (all products), product (all weeks) or all';
COMMENT ON COLUMN dw.v_forecast_accuracy.days IS 'Product-days compared';
COMMENT ON COLUMN dw.v_forecast_accuracy.actual IS 'Sum of actual demand';
COMMENT ON COLUMN dw.v_forecast_accuracy.forecast IS 'Sum of forecast demand';
COMMENT ON COLUMN dw.v_forecast_accuracy.abs_error IS 'Sum of absolute errors |forecast - actual|';
COMMENT ON COLUMN dw.v_forecast_accuracy.mape IS 'Mean absolute percentage error in %, over days with actual > 0; NULL when there is none';
COMMENT ON COLUMN dw.v_forecast_accuracy.wape IS 'Weighted absolute percentage error in %: sum |e| / sum actual; NULL when sum actual = 0';
COMMENT ON COLUMN dw.v_forecast_accuracy.mase IS 'Mean absolute scaled error: mean of |e| / naive in-sample error (1 = as good as the naive forecast in-sample); NULL when the scale is 0';
COMMENT ON COLUMN dw.v_forecast_accuracy.accuracy_pct IS '100 - WAPE: the seed''s precision (goal 85 % -> 92 %), judged day by day';
COMMENT ON COLUMN dw.v_forecast_accuracy.weekly_wape IS 'WAPE of weekly totals: sum over product-weeks of |sum forecast - sum actual| / sum actual (what an order placed for the week must cover; daily timing errors inside a week cancel)';
COMMENT ON COLUMN dw.v_forecast_accuracy.weekly_accuracy_pct IS '100 - weekly_wape';

CREATE VIEW dw.v_predictions AS
SELECT pr.fk_product, p.ref AS product_ref, p.label AS product_label, pr.day,
	   coalesce(c.is_holiday, false) AS is_holiday, c.holiday_name,
	   round(pr.yhat::numeric, 3) AS yhat, round(pr.lo::numeric, 3) AS lo, round(pr.hi::numeric, 3) AS hi,
	   round(pr.baseline_yhat::numeric, 3) AS baseline_yhat, round(pr.event_factor::numeric, 3) AS event_factor,
	   pr.events, pr.method, pr.horizon, pr.origin, pr.run_id, pr.generated_at
  FROM doliflow._stock_latest_run lr
  JOIN dw.predictions pr ON pr.run_id = lr.run_id AND pr.day > lr.origin
  LEFT JOIN doliflow._stock_product p ON p.fk_product = pr.fk_product
  LEFT JOIN doliflow._stock_calendar c ON c.day = pr.day;
COMMENT ON VIEW dw.v_predictions IS 'Page 3 (Prédictions futures): daily demand forecasts of the latest nightly run, per product, with intervals, events and the run timestamp';
COMMENT ON COLUMN dw.v_predictions.fk_product IS 'Product (llx_product.rowid)';
COMMENT ON COLUMN dw.v_predictions.product_ref IS 'Product reference';
COMMENT ON COLUMN dw.v_predictions.product_label IS 'Product label';
COMMENT ON COLUMN dw.v_predictions.day IS 'Day predicted';
COMMENT ON COLUMN dw.v_predictions.is_holiday IS 'French public holiday';
COMMENT ON COLUMN dw.v_predictions.holiday_name IS 'Name of the public holiday';
COMMENT ON COLUMN dw.v_predictions.yhat IS 'Forecast demand (units)';
COMMENT ON COLUMN dw.v_predictions.lo IS 'Lower bound of the prediction interval (level: setting forecast_interval_level)';
COMMENT ON COLUMN dw.v_predictions.hi IS 'Upper bound of the prediction interval';
COMMENT ON COLUMN dw.v_predictions.baseline_yhat IS 'Forecast before event multipliers';
COMMENT ON COLUMN dw.v_predictions.event_factor IS 'Event multiplier applied (1 = no event)';
COMMENT ON COLUMN dw.v_predictions.events IS 'Events covering the day';
COMMENT ON COLUMN dw.v_predictions.method IS 'Forecasting method';
COMMENT ON COLUMN dw.v_predictions.horizon IS 'Days ahead of the origin';
COMMENT ON COLUMN dw.v_predictions.origin IS 'Last day of history the forecast saw';
COMMENT ON COLUMN dw.v_predictions.run_id IS 'Forecast run';
COMMENT ON COLUMN dw.v_predictions.generated_at IS 'When the forecast was computed (the 24-hour cache timestamp)';
