-- doliflow install script, part 62: the replenishment simulator (issue 16).
--
--   doliflow.simulate_replenishment()   replays a past period day by day from the
--                                       warehouse's real history under three policies
--   doliflow._simulate_product()        the day-by-day loop of one product and policy
--   doliflow._lead_time_draw()          the reproducible draw of a real lead time
--
-- Read-only: it reads dw (through the stock adapters of part 60) and the settings,
-- writes nothing.  doc/stock.md ("Replenishment simulator") describes the replay.

-- The reproducible draw of a real lead time: Knuth's multiplicative hash of the key
-- product x 1000003 + (day - 2000-01-01), its bits 16-31, modulo the count.
CREATE FUNCTION doliflow._lead_time_draw(p_product integer, p_day date, p_count integer) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
	SELECT CASE WHEN p_count > 0 THEN
		(floor(mod((p_product::numeric * 1000003 + (p_day - date '2000-01-01')) * 2654435761, 4294967296) / 65536)::bigint % p_count)::integer
	END;
$$;
COMMENT ON FUNCTION doliflow._lead_time_draw(integer, date, integer) IS
'internal: the simulator''s reproducible draw among p_count real lead times (numbered 0 .. p_count - 1 by reception day, then order) for an order of product p_product placed on p_day: bits 16-31 of (p_product x 1000003 + days since 2000-01-01) x 2654435761 mod 2^32 (Knuth''s multiplicative hash), modulo p_count; NULL when p_count is 0';

CREATE FUNCTION doliflow._simulate_product(
	p_policy text, p_demand float8[], p_initial float8, p_lead integer, p_review integer,
	p_packaging numeric, p_pmp float8, p_alert float8, p_desired float8,
	p_start_dow integer, p_refit integer,
	p_level float8[], p_dowf float8[], p_ss float8[],
	p_backorder boolean,
	p_leads integer[] DEFAULT NULL,
	OUT demand float8, OUT served float8, OUT cycles integer, OUT cycles_ok integer,
	OUT stockout_days integer, OUT avg_stock float8, OUT avg_stock_value float8,
	OUT peak_stock_value float8, OUT orders integer, OUT qty_ordered float8, OUT stock_values float8[])
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	n integer := coalesce(cardinality(p_demand), 0);
	nk integer := coalesce(cardinality(p_level), 0);
	onhand float8 := CASE WHEN p_backorder THEN p_initial ELSE greatest(p_initial, 0) END;
	onorder float8 := 0;
	-- p_leads[i + 1]: the lead time of an order placed on day i (NULL or none: p_lead)
	maxl integer := greatest(p_lead, coalesce((SELECT max(x) FROM unnest(p_leads) x), 0), 1);
	arrive float8[] := array_fill(0::float8, ARRAY[n + maxl + 1]);
	short boolean[] := array_fill(false, ARRAY[n]);
	order_days integer[] := '{}';
	arrival_days integer[] := '{}';
	l integer;
	a integer;
	pack numeric := CASE WHEN p_packaging > 0 THEN p_packaging ELSE 1 END;
	sum_stock float8 := 0;
	d float8; s float8; pos float8; q numeric; k integer; dl float8; dt float8; target float8;
	sv float8; i integer; j integer; ok boolean;
	rv integer := greatest(p_review, 1);
	h_lead integer := CASE WHEN p_policy = 'doliflow' THEN p_lead + greatest(p_review, 1) ELSE p_lead END;
	h_target integer := CASE WHEN p_policy = 'doliflow' THEN p_lead + greatest(p_review, 1) ELSE p_lead + p_review END;
	prev integer;
BEGIN
	demand := 0; served := 0; stockout_days := 0; orders := 0; qty_ordered := 0;
	avg_stock_value := 0; peak_stock_value := 0; stock_values := '{}';
	FOR i IN 0 .. n - 1 LOOP
		-- 1. the day's real demand, served from the stock on hand
		d := greatest(coalesce(p_demand[i + 1], 0), 0);
		s := least(greatest(onhand, 0), d);
		demand := demand + d;
		served := served + s;
		onhand := onhand - CASE WHEN p_backorder THEN d ELSE s END;
		IF d > s THEN
			stockout_days := stockout_days + 1;
			short[i + 1] := true;
		END IF;
		-- 2. orders due today arrive at the end of the day
		onhand := onhand + arrive[i + 1];
		onorder := onorder - arrive[i + 1];
		sv := greatest(onhand, 0) * p_pmp;
		sum_stock := sum_stock + greatest(onhand, 0);
		avg_stock_value := avg_stock_value + sv;
		peak_stock_value := greatest(peak_stock_value, sv);
		stock_values := stock_values || sv;
		-- 3. end-of-day review: the policy looks at the position (on hand + on order)
		pos := onhand + onorder;
		q := 0;
		IF p_policy = 'dolibarr' THEN
			-- replenish.php: below the alert threshold, order up to max(desired, alert)
			IF p_alert IS NOT NULL AND pos < p_alert THEN
				q := doliflow.suggested_quantity(greatest(p_alert, coalesce(p_desired, 0))::numeric, pos::numeric, 0, pack);
			END IF;
		ELSIF nk > 0 AND (p_policy <> 'doliflow' OR i % rv = 0) THEN
			-- doliflow: periodic review every R = stock_review_days (at least 1) days, from the
			-- first day: order up to the forecast over L + R + safety stock (the risk period
			-- of a periodic review is L + R: the order must last until the next one arrives).
			-- doliflow_lt, naive (the design's first formula, reviewed every day): reorder
			-- point = forecast over the lead time + safety stock; order up to the forecast
			-- over lead time + review period + safety stock.
			-- The model of the latest refit whose origin is at most today.
			k := least((i + 1) / p_refit, nk - 1) + 1;
			dl := 0; dt := 0;
			FOR j IN 1 .. h_target LOOP
				IF p_policy IN ('doliflow', 'doliflow_lt') THEN
					s := greatest(p_level[k], 0) * greatest(p_dowf[(k - 1) * 7 + ((p_start_dow - 1 + i + j) % 7) + 1], 0);
				ELSE
					s := p_level[k];
				END IF;
				s := greatest(s, 0);
				IF j <= h_lead THEN dl := dl + s; END IF;
				dt := dt + s;
			END LOOP;
			target := dt + p_ss[k];
			IF pos < dl + p_ss[k] THEN
				q := doliflow.suggested_quantity(target::numeric, pos::numeric, 0, pack);
			END IF;
		END IF;
		IF q > 0 THEN
			l := greatest(coalesce(p_leads[i + 1], p_lead), 1);
			orders := orders + 1;
			qty_ordered := qty_ordered + q;
			onorder := onorder + q;
			arrive[i + l + 1] := arrive[i + l + 1] + q;
			order_days := order_days || i;
			arrival_days := arrival_days || (i + l);
		END IF;
	END LOOP;
	-- Cycle service level (the standard one: the share of replenishment cycles without
	-- a stock-out): a cycle is the time between two successive arrivals, the days after
	-- an arrival up to the next arrival (its day included: orders arrive at the end of
	-- the day); the first starts the day after the first order.  Only cycles ending
	-- with an arrival within the period count.  With varying lead times orders may
	-- arrive out of order: the arrival days are taken in date order, orders arriving
	-- on the same day end one cycle.
	cycles := 0; cycles_ok := 0; prev := order_days[1];
	FOR a IN SELECT DISTINCT x FROM unnest(arrival_days) x WHERE x <= n - 1 ORDER BY 1 LOOP
		cycles := cycles + 1;
		ok := true;
		FOR j IN prev + 1 .. a LOOP
			IF short[j + 1] THEN ok := false; EXIT; END IF;
		END LOOP;
		IF ok THEN cycles_ok := cycles_ok + 1; END IF;
		prev := a;
	END LOOP;
	avg_stock := CASE WHEN n > 0 THEN sum_stock / n END;
	avg_stock_value := CASE WHEN n > 0 THEN avg_stock_value / n END;
END;
$$;
COMMENT ON FUNCTION doliflow._simulate_product(text, float8[], float8, integer, integer, numeric, float8, float8, float8, integer, integer, float8[], float8[], float8[], boolean, integer[]) IS
'internal: day-by-day replay of one product under one policy (see simulate_replenishment): p_demand the real daily demand of the period, p_level/p_dowf/p_ss the forecast level, weekday factors (7 per refit, flattened) and safety stock of each refit (every p_refit days); p_lead the planned lead time (the policies'' horizon), p_leads[i + 1] the lead time after which an order placed on day i (0-based) arrives (NULL or missing: p_lead; at least 1)';

CREATE FUNCTION doliflow.simulate_replenishment(
	p_start date, p_end date,
	p_policy text DEFAULT 'all',
	p_service_level float8 DEFAULT NULL,
	p_products integer[] DEFAULT NULL,
	p_backorder boolean DEFAULT false,
	p_refit_days integer DEFAULT 7)
RETURNS TABLE (policy text, service_level float8, fk_product integer, lead_time_days integer,
			   days integer, demand numeric, served numeric, fill_rate numeric,
			   cycles integer, cycles_ok integer, cycle_service_level numeric, stockout_days integer,
			   avg_stock numeric, avg_stock_value numeric, peak_stock_value numeric,
			   orders integer, qty_ordered numeric, value_ordered numeric)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
	v_sl float8 := coalesce(p_service_level, doliflow.setting('service_level')::float8);
	v_z float8;
	v_review integer := doliflow.setting('stock_review_days')::integer;
	v_level_days integer := doliflow.setting('forecast_level_days')::integer;
	v_lead_default integer := doliflow.setting('lead_time_default_days')::integer;
	v_n integer;
	v_nk integer;
	v_policies text[];
	v_products integer[];
	v_bad text;
	v_pol text;
	r record;
	x record;
	v_totals float8[];
	v_sum float8[];
	v_start_dow integer;
	v_w integer := doliflow.setting('safety_stock_backtest_days')::integer;
BEGIN
	IF p_start IS NULL OR p_end IS NULL THEN
		RAISE EXCEPTION 'simulate_replenishment: p_start and p_end are required' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF NOT (p_start BETWEEN date '1990-01-01' AND doliflow.company_today()) OR NOT (p_end BETWEEN p_start AND doliflow.company_today())
	   OR p_end - p_start >= 3660 THEN
		RAISE EXCEPTION 'simulate_replenishment: the period p_start .. p_end (% .. %) must lie between 1990-01-01 and today, p_start <= p_end, at most 3660 days',
			coalesce(to_char(p_start, 'YYYY-MM-DD'), p_start::text), coalesce(to_char(p_end, 'YYYY-MM-DD'), p_end::text)
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF p_policy IS NULL OR p_policy NOT IN ('all', 'doliflow', 'doliflow_lt', 'dolibarr', 'naive') THEN
		RAISE EXCEPTION 'simulate_replenishment: p_policy must be all, doliflow, doliflow_lt, dolibarr or naive, not %', coalesce(p_policy, 'NULL')
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF v_sl IS NULL OR v_sl = 'NaN' OR NOT (v_sl BETWEEN 0.5 AND 0.9999) THEN
		RAISE EXCEPTION 'simulate_replenishment: p_service_level must be between 0.5 and 0.9999, not %', v_sl
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF p_refit_days IS NULL OR NOT (p_refit_days BETWEEN 1 AND 366) THEN
		RAISE EXCEPTION 'simulate_replenishment: p_refit_days must be between 1 and 366, not %', coalesce(p_refit_days::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF p_backorder IS NULL THEN
		RAISE EXCEPTION 'simulate_replenishment: p_backorder must be true or false' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF p_products IS NOT NULL THEN
		SELECT string_agg(coalesce(u.x::text, 'NULL'), ', ' ORDER BY u.x) INTO v_bad
		  FROM (SELECT DISTINCT a.x FROM unnest(p_products) a(x)
				 WHERE a.x IS NULL OR NOT EXISTS (SELECT FROM doliflow._stock_product p WHERE p.fk_product = a.x)) u;
		IF v_bad IS NOT NULL THEN
			RAISE EXCEPTION 'simulate_replenishment: p_products has unknown products: %', v_bad
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'Products are stockable products of dw.dim_product (product_key).';
		END IF;
	END IF;
	v_z := doliflow.normal_quantile(v_sl);
	v_n := p_end - p_start + 1;
	-- refits at origins p_start - 1 + k x p_refit_days up to the day before the end
	v_nk := (v_n - 1) / p_refit_days + 1;
	v_start_dow := date_part('isodow', p_start)::integer;
	v_policies := CASE WHEN p_policy = 'all' THEN ARRAY['doliflow', 'doliflow_lt', 'dolibarr', 'naive'] ELSE ARRAY[p_policy] END;
	SELECT coalesce(array_agg(p.fk_product ORDER BY p.fk_product), '{}') INTO v_products
	  FROM doliflow._stock_product p
	 WHERE p_products IS NULL OR p.fk_product = ANY (p_products);
	v_totals := array_fill(0::float8, ARRAY[cardinality(v_policies), v_n]);
	v_sum := array_fill(0::float8, ARRAY[cardinality(v_policies), 10]);
	FOR r IN
		WITH o AS (
			SELECT k, p_start - 1 + k * p_refit_days AS origin FROM generate_series(0, v_nk - 1) k
		), le AS MATERIALIZED (	-- doliflow's forecast as it was made at each origin (SQL engine, no events),
								-- back to safety_stock_backtest_days before the period, with its errors
			SELECT le.* FROM doliflow._lead_time_errors(p_start - 1 + (v_nk - 1) * p_refit_days,
														v_nk + v_w / p_refit_days + 1, p_refit_days, v_products) le
			 WHERE v_policies && ARRAY['doliflow', 'doliflow_lt']
		), bm AS (
			SELECT (le.origin - (p_start - 1)) / p_refit_days AS k, le.fk_product, le.level, le.dow_factor, le.sigma
			  FROM le WHERE le.origin >= p_start - 1
		), ssk AS (	-- doliflow: safety_stock_empirical over the errors known at each refit (as doliflow.safety_stocks)
			SELECT o.k, le.fk_product,
				   doliflow.safety_stock_empirical(array_agg(u.e) FILTER (WHERE u.kn <= o.origin AND u.d > o.origin - v_w),
												   v_sl::numeric, (array_agg(le.sigma) FILTER (WHERE le.origin = o.origin))[1]::numeric,
												   max(le.risk_days))::float8 AS ss
			  FROM o JOIN le ON le.origin <= o.origin AND le.origin > o.origin - v_w - p_refit_days
			  LEFT JOIN LATERAL unnest(le.days, le.errors, le.known_on) u(d, e, kn) ON true
			 WHERE 'doliflow' = ANY (v_policies)
			 GROUP BY 1, 2
		), ssa AS (
			SELECT ssk.fk_product, array_agg(ssk.ss ORDER BY ssk.k) AS ss FROM ssk GROUP BY 1
		), res AS (	-- doliflow_lt: the model's residuals over its level window, running sums
			SELECT bm.k, bm.fk_product, g::date AS day,
				   sum(coalesce(d.qty, 0) - bm.level * bm.dow_factor[date_part('isodow', g)::integer])
					   OVER (PARTITION BY bm.k, bm.fk_product ORDER BY g) AS c
			  FROM bm JOIN o USING (k)
			 CROSS JOIN generate_series(o.origin - v_level_days + 1, o.origin, interval '1 day') g
			  LEFT JOIN doliflow._stock_demand d ON d.fk_product = bm.fk_product AND d.day = g::date
			 WHERE 'doliflow_lt' = ANY (v_policies)
		), lte AS (	-- RMS of the error summed over every lead-time window of the level window
			SELECT a.k, a.fk_product, sqrt(avg((b.c - a.c) ^ 2)) AS sl
			  FROM res a
			  JOIN doliflow._stock_product p ON p.fk_product = a.fk_product
			  JOIN res b ON b.k = a.k AND b.fk_product = a.fk_product
					   AND b.day = a.day + greatest(coalesce(p.supplier_lead_time_days, v_lead_default), 1)
			 GROUP BY 1, 2
		), bma AS (
			SELECT bm.fk_product, array_agg(bm.level ORDER BY bm.k) FILTER (WHERE u.ord = 1) AS lv,
				   array_agg(u.f ORDER BY bm.k, u.ord) AS dowf,
				   array_agg(bm.sigma ORDER BY bm.k) FILTER (WHERE u.ord = 1) AS sig,
				   array_agg(lte.sl ORDER BY bm.k) FILTER (WHERE u.ord = 1) AS slt
			  FROM bm CROSS JOIN LATERAL unnest(bm.dow_factor) WITH ORDINALITY u(f, ord)
			  LEFT JOIN lte ON lte.k = bm.k AND lte.fk_product = bm.fk_product
			 GROUP BY 1
		), nv AS (	-- the naive forecast: mean and standard deviation of the last forecast_level_days
			SELECT o.k, p.fk_product, avg(coalesce(d.qty, 0))::float8 AS m, coalesce(stddev_pop(coalesce(d.qty, 0)), 0)::float8 AS sd
			  FROM o CROSS JOIN unnest(v_products) p(fk_product)
			 CROSS JOIN generate_series(o.origin - v_level_days + 1, o.origin, interval '1 day') g
			  LEFT JOIN doliflow._stock_demand d ON d.fk_product = p.fk_product AND d.day = g::date
			 WHERE 'naive' = ANY (v_policies)
			 GROUP BY 1, 2
		), nva AS (
			SELECT nv.fk_product, array_agg(nv.m ORDER BY nv.k) AS m, array_agg(nv.sd ORDER BY nv.k) AS sd
			  FROM nv GROUP BY 1
		), dem AS (
			SELECT p.fk_product, array_agg(coalesce(d.qty, 0)::float8 ORDER BY g) AS qty
			  FROM unnest(v_products) p(fk_product)
			 CROSS JOIN generate_series(p_start, p_end, interval '1 day') g
			  LEFT JOIN doliflow._stock_demand d ON d.fk_product = p.fk_product AND d.day = g::date
			 GROUP BY 1
		), lt AS MATERIALIZED (	-- the real lead times that can be known during the period
			SELECT l.fk_product, l.fk_order, l.received_on, l.lead_days
			  FROM doliflow._stock_lead_times l
			 WHERE l.fk_product = ANY (v_products) AND l.received_on > p_start - 364 AND l.received_on <= p_end
		), ltw AS (	-- those known on each day d of the period (received in d - 363 .. d), numbered
			SELECT lt.fk_product, g::date AS day, lt.lead_days,
				   row_number() OVER w - 1 AS rn, count(*) OVER (PARTITION BY lt.fk_product, g) AS cnt
			  FROM generate_series(p_start, p_end, interval '1 day') g
			  JOIN lt ON lt.received_on <= g::date AND lt.received_on > g::date - 364
			WINDOW w AS (PARTITION BY lt.fk_product, g ORDER BY lt.received_on, lt.fk_order)
		), lts AS (	-- the lead time of an order placed on day d: one of them, drawn by doliflow._lead_time_draw
			SELECT p.fk_product, array_agg(ltw.lead_days ORDER BY g) AS leads
			  FROM unnest(v_products) p(fk_product)
			 CROSS JOIN generate_series(p_start, p_end, interval '1 day') g
			  LEFT JOIN ltw ON ltw.fk_product = p.fk_product AND ltw.day = g::date
						   AND ltw.rn = doliflow._lead_time_draw(p.fk_product, g::date, ltw.cnt::integer)
			 GROUP BY 1
		), init AS (
			SELECT m.fk_product, sum(m.qty)::float8 AS qty
			  FROM doliflow._stock_moves m
			 WHERE m.fk_product = ANY (v_products) AND m.day < p_start
			 GROUP BY 1
		)
		SELECT p.fk_product, coalesce(p.pmp, 0)::float8 AS pmp, p.packaging,
			   greatest(coalesce(p.supplier_lead_time_days, v_lead_default), 1) AS lead,
			   dp.alert_stock::float8 AS alert, dp.desired_stock::float8 AS desired,
			   coalesce(init.qty, 0) AS initial, dem.qty AS demand,
			   bma.lv, bma.dowf, bma.sig, bma.slt, nva.m AS nm, nva.sd AS nsd, ssa.ss AS dss, lts.leads
		  FROM doliflow._stock_product p
		  JOIN dw.dim_product dp ON dp.product_key = p.fk_product
		  JOIN dem USING (fk_product)
		  LEFT JOIN init USING (fk_product)
		  LEFT JOIN bma USING (fk_product)
		  LEFT JOIN nva USING (fk_product)
		  LEFT JOIN ssa USING (fk_product)
		  LEFT JOIN lts USING (fk_product)
		 ORDER BY p.fk_product
	LOOP
		FOR i IN 1 .. cardinality(v_policies) LOOP
			v_pol := v_policies[i];
			SELECT * INTO x FROM doliflow._simulate_product(
				v_pol, r.demand, r.initial, r.lead, v_review, r.packaging, r.pmp, r.alert, r.desired,
				v_start_dow, p_refit_days,
				CASE v_pol WHEN 'doliflow' THEN r.lv WHEN 'doliflow_lt' THEN r.lv WHEN 'naive' THEN r.nm END,
				CASE v_pol WHEN 'doliflow' THEN r.dowf WHEN 'doliflow_lt' THEN r.dowf END,
				CASE v_pol
					WHEN 'doliflow' THEN r.dss
					-- the error is already over the lead time: safety_stock_z(sigma_L, 1, z) = z x sigma_L
					-- (sigma x sqrt(L) when the level window holds no lead-time window)
					WHEN 'doliflow_lt' THEN (SELECT array_agg(CASE WHEN s.l IS NOT NULL
																  THEN doliflow.safety_stock_z(s.l::numeric, 1, v_z::numeric)
																  ELSE doliflow.safety_stock_z(s.s::numeric, r.lead, v_z::numeric) END::float8 ORDER BY s.o)
											   FROM unnest(r.sig, r.slt) WITH ORDINALITY s(s, l, o))
					WHEN 'naive' THEN (SELECT array_agg(doliflow.safety_stock_z(s.s::numeric, r.lead, v_z::numeric)::float8 ORDER BY s.o)
										 FROM unnest(r.nsd) WITH ORDINALITY s(s, o))
				END,
				p_backorder, r.leads);
			policy := v_pol; service_level := v_sl; fk_product := r.fk_product; lead_time_days := r.lead; days := v_n;
			demand := round(x.demand::numeric, 3); served := round(x.served::numeric, 3);
			fill_rate := round((x.served / nullif(x.demand, 0))::numeric, 4);
			cycles := x.cycles; cycles_ok := x.cycles_ok;
			cycle_service_level := round((x.cycles_ok::float8 / nullif(x.cycles, 0))::numeric, 4);
			stockout_days := x.stockout_days;
			avg_stock := round(x.avg_stock::numeric, 3); avg_stock_value := round(x.avg_stock_value::numeric, 2);
			peak_stock_value := round(x.peak_stock_value::numeric, 2);
			orders := x.orders; qty_ordered := round(x.qty_ordered::numeric, 3);
			value_ordered := round((x.qty_ordered * r.pmp)::numeric, 2);
			RETURN NEXT;
			v_sum[i][1] := v_sum[i][1] + x.demand;
			v_sum[i][2] := v_sum[i][2] + x.served;
			v_sum[i][3] := v_sum[i][3] + x.cycles;
			v_sum[i][4] := v_sum[i][4] + x.cycles_ok;
			v_sum[i][5] := v_sum[i][5] + x.stockout_days;
			v_sum[i][6] := v_sum[i][6] + x.avg_stock;
			v_sum[i][7] := v_sum[i][7] + x.avg_stock_value;
			v_sum[i][8] := v_sum[i][8] + x.orders;
			v_sum[i][9] := v_sum[i][9] + x.qty_ordered;
			v_sum[i][10] := v_sum[i][10] + x.qty_ordered * r.pmp;
			FOR j IN 1 .. v_n LOOP
				v_totals[i][j] := v_totals[i][j] + x.stock_values[j];
			END LOOP;
		END LOOP;
	END LOOP;
	-- one row per policy over all products (fk_product NULL)
	FOR i IN 1 .. cardinality(v_policies) LOOP
		policy := v_policies[i]; service_level := v_sl; fk_product := NULL; lead_time_days := NULL; days := v_n;
		demand := round(v_sum[i][1]::numeric, 3); served := round(v_sum[i][2]::numeric, 3);
		fill_rate := round((v_sum[i][2] / nullif(v_sum[i][1], 0))::numeric, 4);
		cycles := v_sum[i][3]::integer; cycles_ok := v_sum[i][4]::integer;
		cycle_service_level := round((v_sum[i][4] / nullif(v_sum[i][3], 0))::numeric, 4);
		stockout_days := v_sum[i][5]::integer;
		avg_stock := round(v_sum[i][6]::numeric, 3); avg_stock_value := round(v_sum[i][7]::numeric, 2);
		peak_stock_value := 0;
		FOR j IN 1 .. v_n LOOP
			peak_stock_value := greatest(peak_stock_value, round(v_totals[i][j]::numeric, 2));
		END LOOP;
		orders := v_sum[i][8]::integer; qty_ordered := round(v_sum[i][9]::numeric, 3);
		value_ordered := round(v_sum[i][10]::numeric, 2);
		RETURN NEXT;
	END LOOP;
END;
$$;
COMMENT ON FUNCTION doliflow.simulate_replenishment(date, date, text, float8, integer[], boolean, integer) IS
'Replenishment simulator: replays p_start .. p_end day by day from the warehouse''s history, for every stockable product (or p_products), under the policies doliflow (periodic review every R = stock_review_days days (at least 1) from p_start: order up to the forecast over L + R + the safety stock of doliflow.safety_stocks, i.e. safety_stock_empirical over the back-tested errors of the demand over L + R known at the latest refit, with the SQL baseline forecast refitted every p_refit_days on the data known then), doliflow_lt (the design''s first formula, reviewed every day: reorder point = forecast over the lead time + z x the RMS of the model''s in-sample error summed over each lead-time window of its level window, order up to the forecast over lead time + stock_review_days + that), dolibarr (replenish.php: below seuil_stock_alerte, order up to max(desiredstock, alert)) and naive (doliflow_lt''s daily review with the safety stock z x sd x sqrt(L), fed with the mean and standard deviation of the last forecast_level_days), or one of them (p_policy). Each day: the real demand is served from stock (unmet demand lost, or back-ordered with p_backorder), orders due arrive at the end of the day, then the policy reviews the position (on hand + on order); an order, rounded up to the supplier packaging (else to whole units), arrives after a lead time drawn (doliflow._lead_time_draw: reproducible, seeded by product and day, the same for every policy) from the product''s real lead times known on its order day (doliflow._stock_lead_times received in the 364 days up to that day, as the back-test uses them), else after lead_time_days (the planned lead time: supplier lead time, else lead_time_default_days), at least 1 day; the policies plan with lead_time_days. Returns per policy and product, and per policy over all products (fk_product NULL): fill rate (served / demand), cycle service level (replenishment cycles, from one arrival to the next (the first from the day after the first order), without a stock-out / cycles ending within the period), stock-out days, average and peak stock value (stock on hand x pmp at the end of each day), orders, quantity and value ordered. Read-only.';

------------------------------------------------------------------------------
-- ABC/XYZ classes per product: value share (ABC) and demand variability (XYZ)
------------------------------------------------------------------------------

INSERT INTO doliflow.settings (name, value, value_type, description) VALUES
	('abc_xyz_days', '364', 'integer', 'Days of demand (ending at the last day of loaded demand, in whole weeks) that dw.v_product_abc_xyz classifies'),
	('abc_a_share_pct', '80', 'numeric', 'ABC: the products making up the first this % of the demand value (units x pmp) are class A'),
	('abc_b_share_pct', '95', 'numeric', 'ABC: the next products up to this % of the demand value are class B, the rest C'),
	('xyz_x_max_cv', '0.5', 'numeric', 'XYZ: class X when the coefficient of variation of the weekly demand is at most this'),
	('xyz_y_max_cv', '1.0', 'numeric', 'XYZ: class Y when the coefficient of variation is above xyz_x_max_cv and at most this, else Z (products without demand are Z)');

CREATE VIEW dw.v_product_abc_xyz AS
WITH cfg AS (
	SELECT max(s.value) FILTER (WHERE s.name = 'abc_xyz_days')::integer / 7 AS weeks,
		   max(s.value) FILTER (WHERE s.name = 'abc_a_share_pct')::numeric AS a_pct,
		   max(s.value) FILTER (WHERE s.name = 'abc_b_share_pct')::numeric AS b_pct,
		   max(s.value) FILTER (WHERE s.name = 'xyz_x_max_cv')::numeric AS x_cv,
		   max(s.value) FILTER (WHERE s.name = 'xyz_y_max_cv')::numeric AS y_cv
	  FROM doliflow.settings s
), win AS (
	SELECT max(d.day) AS last_day FROM doliflow._stock_demand d
), wk AS (	-- demand per product and week, week 0 ending at last_day
	SELECT d.fk_product, (win.last_day - d.day) / 7 AS week, sum(d.qty)::float8 AS qty
	  FROM doliflow._stock_demand d CROSS JOIN win CROSS JOIN cfg
	 WHERE d.day > win.last_day - 7 * cfg.weeks AND d.day <= win.last_day
	 GROUP BY 1, 2
), st AS (	-- weeks without demand count as 0
	SELECT p.fk_product, p.ref, p.label, cfg.weeks,
		   coalesce(sum(wk.qty), 0) AS qty,
		   coalesce(sum(wk.qty), 0) / cfg.weeks AS mean,
		   sqrt(greatest(coalesce(sum(wk.qty ^ 2), 0) / cfg.weeks - (coalesce(sum(wk.qty), 0) / cfg.weeks) ^ 2, 0)) AS sd,
		   coalesce(sum(wk.qty), 0) * coalesce(p.pmp, 0)::float8 AS value
	  FROM doliflow._stock_product p CROSS JOIN cfg
	  LEFT JOIN wk USING (fk_product)
	 GROUP BY p.fk_product, p.ref, p.label, p.pmp, cfg.weeks
), r AS (
	SELECT st.*, sum(greatest(st.value, 0)) OVER () AS total,
		   sum(greatest(st.value, 0)) OVER (ORDER BY st.value DESC, st.fk_product ROWS UNBOUNDED PRECEDING) - greatest(st.value, 0) AS before
	  FROM st
)
SELECT r.fk_product, r.ref AS product_ref, r.label AS product_label, r.weeks,
	   round(r.qty::numeric, 3) AS demand_qty, round(r.value::numeric, 2) AS demand_value,
	   round((100 * greatest(r.value, 0) / nullif(r.total, 0))::numeric, 3) AS value_share_pct,
	   round((100 * (r.before + greatest(r.value, 0)) / nullif(r.total, 0))::numeric, 3) AS cumulative_share_pct,
	   CASE WHEN r.value <= 0 OR r.total <= 0 THEN 'C'
			WHEN 100 * r.before / r.total < cfg.a_pct THEN 'A'
			WHEN 100 * r.before / r.total < cfg.b_pct THEN 'B'
			ELSE 'C' END AS abc_class,
	   round((r.mean)::numeric, 3) AS weekly_mean,
	   round((r.sd / nullif(r.mean, 0))::numeric, 3) AS weekly_cv,
	   CASE WHEN r.mean > 0 AND r.sd / r.mean <= cfg.x_cv THEN 'X'
			WHEN r.mean > 0 AND r.sd / r.mean <= cfg.y_cv THEN 'Y'
			ELSE 'Z' END AS xyz_class
  FROM r CROSS JOIN cfg;
COMMENT ON VIEW dw.v_product_abc_xyz IS
'ABC/XYZ classes of every stockable product over the abc_xyz_days (whole weeks) ending at the last day of loaded demand. ABC: products ranked by demand value (units x pmp, largest first); a product is A while the share of the value ranked before it is below abc_a_share_pct, B below abc_b_share_pct, else C (no demand value: C). XYZ: coefficient of variation (population standard deviation / mean) of the weekly demand, weeks without demand counted as 0: X up to xyz_x_max_cv, Y up to xyz_y_max_cv, else Z (no demand: Z).';
COMMENT ON COLUMN dw.v_product_abc_xyz.fk_product IS 'Product (llx_product.rowid)';
COMMENT ON COLUMN dw.v_product_abc_xyz.product_ref IS 'Product reference';
COMMENT ON COLUMN dw.v_product_abc_xyz.product_label IS 'Product label';
COMMENT ON COLUMN dw.v_product_abc_xyz.weeks IS 'Weeks classified (abc_xyz_days / 7)';
COMMENT ON COLUMN dw.v_product_abc_xyz.demand_qty IS 'Units demanded over those weeks';
COMMENT ON COLUMN dw.v_product_abc_xyz.demand_value IS 'demand_qty x pmp';
COMMENT ON COLUMN dw.v_product_abc_xyz.value_share_pct IS 'Share of the total demand value, in %';
COMMENT ON COLUMN dw.v_product_abc_xyz.cumulative_share_pct IS 'Share of the products ranked up to this one, in %';
COMMENT ON COLUMN dw.v_product_abc_xyz.abc_class IS 'A, B or C (value share; settings abc_a_share_pct, abc_b_share_pct)';
COMMENT ON COLUMN dw.v_product_abc_xyz.weekly_mean IS 'Mean weekly demand';
COMMENT ON COLUMN dw.v_product_abc_xyz.weekly_cv IS 'Coefficient of variation of the weekly demand; NULL without demand';
COMMENT ON COLUMN dw.v_product_abc_xyz.xyz_class IS 'X, Y or Z (demand variability; settings xyz_x_max_cv, xyz_y_max_cv)';
