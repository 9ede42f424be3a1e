\set VERBOSITY terse
-- doliflow._lead_time_errors, computed in C since 0.3.0 (src/lead_time_errors.c
-- through doliflow._lead_time_errors_product), against the SQL statement it was
-- up to then: kept verbatim below as a test-only function (pg_temp, rolled back,
-- not shipped).  On a hand-built warehouse of 8 products over 2022-06 .. 2024-06
-- (weekly profile with noise, intermittent, returns, no demand, a NaN day, late
-- start, real lead times overlapping the 364-day window, a long planned lead
-- time), at several origins, steps and settings, both give the same rows:
-- models and errors equal within 1e-9 (relative), arrays of the same length and
-- order, days and known_on equal.  Unit tests of the core: test/unit.
BEGIN;
SET LOCAL client_min_messages = warning;
DELETE FROM dw.fact_stock;
DELETE FROM dw.fact_sales_daily;
DELETE FROM dw.dim_product;
DELETE FROM lake.llx_commande_fournisseurdet;
DELETE FROM lake.llx_commande_fournisseur;
UPDATE doliflow.settings s SET value = v.value
  FROM (VALUES ('forecast_history_days', '364'), ('lead_time_default_days', '7'),
			   ('stock_review_days', '7'), ('forecast_level_days', '56')) v(name, value)
 WHERE s.name = v.name;

CREATE FUNCTION pg_temp.lead_time_errors_sql(p_last_origin date, p_origins integer, p_step integer, p_products integer[])
RETURNS TABLE (fk_product integer, origin date, level float8, dow_factor float8[], sigma float8,
			   lead_time_days integer, risk_days integer, days date[], errors float8[], known_on date[])
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
-- (the CTEs' row estimates are 1: without this, nested loops rescan them for every row;
-- the disabled nested loops' cost then crosses jit_above_cost, and compiling this one
-- statement took 7.8 s of its 13 s at the small scale: no JIT)
SET enable_nestloop = off SET jit = off AS $$
	WITH cfg AS (
		SELECT (SELECT s.value::integer FROM doliflow.settings s WHERE s.name = 'lead_time_default_days') AS lead_default,
			   greatest((SELECT s.value::integer FROM doliflow.settings s WHERE s.name = 'stock_review_days'), 1) AS review,
			   (SELECT max(d.day) FROM doliflow._stock_demand d) AS last_day,
			   -- the windows of doliflow._baseline_model (within forecast_history_days)
			   least(364, (SELECT s.value::integer FROM doliflow.settings s WHERE s.name = 'forecast_history_days')) AS dow_days,
			   least((SELECT s.value::integer FROM doliflow.settings s WHERE s.name = 'forecast_level_days'),
					 (SELECT s.value::integer FROM doliflow.settings s WHERE s.name = 'forecast_history_days')) AS level_days,
			   p_last_origin - (p_origins - 1) * p_step AS first_origin
	), prod AS (
		SELECT p.fk_product, greatest(coalesce(p.supplier_lead_time_days, cfg.lead_default), 1) AS lead
		  FROM doliflow._stock_product p CROSS JOIN cfg
		 WHERE p.fk_product = ANY (p_products)
	), grid AS (	-- daily demand (missing days 0) from the longest model window before the first
					-- origin up to the last day of loaded demand
		SELECT pr.fk_product, pr.lead, g::date AS day, extract(isodow FROM g)::integer AS dow,
			   coalesce(c.is_holiday, false) AS hol, coalesce(d.qty, 0)::float8 AS q
		  FROM prod pr CROSS JOIN cfg
		 CROSS JOIN generate_series(cfg.first_origin - greatest(cfg.dow_days, cfg.level_days),
									greatest(p_last_origin + p_step - 1, least(cfg.last_day, p_last_origin + p_step + 3660)), interval '1 day') g
		  LEFT JOIN doliflow._stock_calendar c ON c.day = g::date
		  LEFT JOIN doliflow._stock_demand d ON d.fk_product = pr.fk_product AND d.day = g::date
	), cw AS (	-- running sums per weekday of the days that are not public holidays, and of all demand
		SELECT x.fk_product, x.lead, x.day, x.dow, cfg.dow_days, cfg.level_days, cfg.review, cfg.last_day,
			   sum(CASE WHEN x.dow = 1 AND NOT x.hol THEN x.q ELSE 0 END) OVER w AS s1,
			   sum(CASE WHEN x.dow = 2 AND NOT x.hol THEN x.q ELSE 0 END) OVER w AS s2,
			   sum(CASE WHEN x.dow = 3 AND NOT x.hol THEN x.q ELSE 0 END) OVER w AS s3,
			   sum(CASE WHEN x.dow = 4 AND NOT x.hol THEN x.q ELSE 0 END) OVER w AS s4,
			   sum(CASE WHEN x.dow = 5 AND NOT x.hol THEN x.q ELSE 0 END) OVER w AS s5,
			   sum(CASE WHEN x.dow = 6 AND NOT x.hol THEN x.q ELSE 0 END) OVER w AS s6,
			   sum(CASE WHEN x.dow = 7 AND NOT x.hol THEN x.q ELSE 0 END) OVER w AS s7,
			   sum(CASE WHEN x.dow = 1 AND NOT x.hol THEN 1 ELSE 0 END) OVER w AS n1,
			   sum(CASE WHEN x.dow = 2 AND NOT x.hol THEN 1 ELSE 0 END) OVER w AS n2,
			   sum(CASE WHEN x.dow = 3 AND NOT x.hol THEN 1 ELSE 0 END) OVER w AS n3,
			   sum(CASE WHEN x.dow = 4 AND NOT x.hol THEN 1 ELSE 0 END) OVER w AS n4,
			   sum(CASE WHEN x.dow = 5 AND NOT x.hol THEN 1 ELSE 0 END) OVER w AS n5,
			   sum(CASE WHEN x.dow = 6 AND NOT x.hol THEN 1 ELSE 0 END) OVER w AS n6,
			   sum(CASE WHEN x.dow = 7 AND NOT x.hol THEN 1 ELSE 0 END) OVER w AS n7,
			   sum(CASE WHEN NOT x.hol THEN x.q * x.q ELSE 0 END) OVER w AS q2,
			   sum(x.q) OVER w AS c
		  FROM grid x CROSS JOIN cfg
		WINDOW w AS (PARTITION BY x.fk_product ORDER BY x.day)
	), dw AS MATERIALIZED (	-- per product and day: the model windows ending that day (the weekday means
							-- over dow_days, the sums over level_days) and the demand of the L + R days after
		SELECT c.fk_product, c.lead, c.day, c.dow, c.review,
			   ARRAY[(c.s1 - lag(c.s1, c.dow_days) OVER w) / nullif(c.n1 - lag(c.n1, c.dow_days) OVER w, 0), (c.s2 - lag(c.s2, c.dow_days) OVER w) / nullif(c.n2 - lag(c.n2, c.dow_days) OVER w, 0), (c.s3 - lag(c.s3, c.dow_days) OVER w) / nullif(c.n3 - lag(c.n3, c.dow_days) OVER w, 0), (c.s4 - lag(c.s4, c.dow_days) OVER w) / nullif(c.n4 - lag(c.n4, c.dow_days) OVER w, 0), (c.s5 - lag(c.s5, c.dow_days) OVER w) / nullif(c.n5 - lag(c.n5, c.dow_days) OVER w, 0), (c.s6 - lag(c.s6, c.dow_days) OVER w) / nullif(c.n6 - lag(c.n6, c.dow_days) OVER w, 0), (c.s7 - lag(c.s7, c.dow_days) OVER w) / nullif(c.n7 - lag(c.n7, c.dow_days) OVER w, 0)]::float8[] AS m,
			   ARRAY[c.s1 - lag(c.s1, c.level_days) OVER w, c.s2 - lag(c.s2, c.level_days) OVER w, c.s3 - lag(c.s3, c.level_days) OVER w, c.s4 - lag(c.s4, c.level_days) OVER w, c.s5 - lag(c.s5, c.level_days) OVER w, c.s6 - lag(c.s6, c.level_days) OVER w, c.s7 - lag(c.s7, c.level_days) OVER w]::float8[] AS ls,
			   ARRAY[c.n1 - lag(c.n1, c.level_days) OVER w, c.n2 - lag(c.n2, c.level_days) OVER w, c.n3 - lag(c.n3, c.level_days) OVER w, c.n4 - lag(c.n4, c.level_days) OVER w, c.n5 - lag(c.n5, c.level_days) OVER w, c.n6 - lag(c.n6, c.level_days) OVER w, c.n7 - lag(c.n7, c.level_days) OVER w]::float8[] AS ln,
			   c.q2 - lag(c.q2, c.level_days) OVER w AS lq2,
			   c.c,
			   CASE WHEN c.day + c.lead + c.review <= c.last_day THEN lead(c.c, c.lead + c.review) OVER w - c.c END AS demand_risk
		  FROM cw c
		WINDOW w AS (PARTITION BY c.fk_product ORDER BY c.day)
	), mf AS (	-- at each origin: weekday factors f[d] = mean on weekday d / mean of the weekday means (1 when 0)
		SELECT d.*, (SELECT array_agg(CASE WHEN mm.v > 0 THEN coalesce(d.m[w], mm.v) / mm.v ELSE 1 END ORDER BY w)
					   FROM generate_series(1, 7) w, (SELECT avg(v) AS v FROM unnest(d.m) v) mm) AS f
		  FROM dw d CROSS JOIN cfg
		 WHERE d.day >= cfg.first_origin AND d.day <= p_last_origin AND (p_last_origin - d.day) % p_step = 0
	), ml AS (	-- level = sum of demand / sum of the factors of its days over the level window
		SELECT mf.*, (SELECT sum(v) FROM unnest(mf.ls) v) / nullif((SELECT sum(f * n) FROM unnest(mf.f, mf.ln) u(f, n)), 0) AS lvl,
			   (SELECT sum(v) FROM unnest(mf.ln) v) AS nl
		  FROM mf
	), m AS MATERIALIZED (	-- sigma = RMS of demand - level x f[dow] over the level window
		SELECT ml.day AS origin, ml.fk_product, ml.lead, ml.review, coalesce(ml.lvl, 0) AS level, ml.f AS dow_factor,
			   coalesce(sqrt(greatest(ml.lq2 - 2 * coalesce(ml.lvl, 0) * (SELECT sum(f * s) FROM unnest(ml.f, ml.ls) u(f, s))
											 + coalesce(ml.lvl, 0) ^ 2 * (SELECT sum(f * f * n) FROM unnest(ml.f, ml.ln) u(f, n)), 0)
							 / nullif(ml.nl, 0)), 0) AS sigma
		  FROM ml
	), lt AS (	-- real lead times known on each decision day
		SELECT l.fk_product, l.received_on, l.lead_days
		  FROM doliflow._stock_lead_times l
		 WHERE l.fk_product = ANY (p_products)
	), e AS (	-- decision days d of each origin's model: origin .. origin + p_step - 1
		SELECT d.fk_product, cfg.first_origin + ((d.day - cfg.first_origin) / p_step) * p_step AS origin, d.day, d.dow,
			   d.demand_risk, d.c
		  FROM dw d CROSS JOIN cfg
		 WHERE d.day >= cfg.first_origin AND d.day < p_last_origin + p_step
	), ee AS MATERIALIZED (
		SELECT e.fk_product, e.origin, e.day, m.lead + m.review AS ell_r,
			   CASE WHEN NOT EXISTS (SELECT FROM lt WHERE lt.fk_product = e.fk_product AND lt.received_on <= e.day AND lt.received_on > e.day - 364)
					THEN e.demand_risk END AS actual, e.c,
			   greatest(m.level, 0) * doliflow._weekday_sum(m.dow_factor, e.dow, m.lead + m.review) AS fc
		  FROM e JOIN m ON m.fk_product = e.fk_product AND m.origin = e.origin
	), err AS (	-- the planned lead time (no real one known), or every real one known that day
		SELECT ee.fk_product, ee.origin, ee.day, ee.ell_r AS h, ee.actual - ee.fc AS error
		  FROM ee WHERE ee.actual IS NOT NULL
		 UNION ALL
		SELECT ee.fk_product, ee.origin, ee.day, lt.lead_days + m.review, c1.c - ee.c - ee.fc
		  FROM ee
		  JOIN m ON m.fk_product = ee.fk_product AND m.origin = ee.origin
		  JOIN lt ON lt.fk_product = ee.fk_product AND lt.received_on <= ee.day AND lt.received_on > ee.day - 364
		  JOIN dw c1 ON c1.fk_product = ee.fk_product AND c1.day = ee.day + lt.lead_days + m.review
		 CROSS JOIN cfg
		 WHERE c1.day <= cfg.last_day
	), agg AS MATERIALIZED (
		SELECT err.fk_product, err.origin, array_agg(err.day ORDER BY err.day, err.h) AS days,
			   array_agg(err.error ORDER BY err.day, err.h) AS errors,
			   array_agg(err.day + err.h ORDER BY err.day, err.h) AS known_on
		  FROM err
		 GROUP BY 1, 2
	)
	SELECT m.fk_product, m.origin, m.level, m.dow_factor, m.sigma, m.lead, m.lead + m.review,
		   coalesce(agg.days, '{}'), coalesce(agg.errors, '{}'), coalesce(agg.known_on, '{}')
	  FROM m LEFT JOIN agg ON agg.fk_product = m.fk_product AND agg.origin = m.origin;
$$;

INSERT INTO dw.dim_product (product_key, ref, label, product_type, to_sell, to_buy, price, pmp,
							supplier_lead_time_days, supplier_packaging, supplier_prices, stock_total)
VALUES (9201, 'W', 'weekly profile with noise, lead 5', 0, true, true, 10, 4, 5, NULL, 1, 0),
	   (9202, 'I', 'intermittent, default lead', 0, true, true, 10, 4, NULL, NULL, 1, 0),
	   (9203, 'R', 'real lead times, lead 10', 0, true, true, 10, 4, 10, NULL, 1, 0),
	   (9204, 'N', 'returns (negative days)', 0, true, true, 10, 4, 3, NULL, 1, 0),
	   (9205, 'Z', 'no demand', 0, true, true, 10, 4, 2, NULL, 1, 0),
	   (9206, 'X', 'a NaN day', 0, true, true, 10, 4, 4, NULL, 1, 0),
	   (9207, 'L', 'late start', 0, true, true, 10, 4, 6, NULL, 1, 0),
	   (9208, 'T', 'long lead, real lead times', 0, true, true, 10, 4, 400, NULL, 1, 0),
	   (9209, 'S', 'a service: not stocked', 1, true, false, 10, 0, NULL, NULL, 0, 0);
-- the calendar with the public holidays (the loader spans the years of the facts)
INSERT INTO dw.fact_stock (movement_key, moved_at, date_key, product_key, warehouse_key, movement_type, quantity)
VALUES (1, '2022-01-03 08:00', 20220103, 9201, 1, 0, 0);
SELECT (SELECT count(*) FROM doliflow._load_dim_date()) = 1 AS calendar_loaded;
INSERT INTO dw.fact_sales_daily (product_key, date_key, day, demand_qty, demand_movements, demand_value, invoiced_qty, revenue_ht)
SELECT p, to_char(day, 'YYYYMMDD')::int, day, qty, 1, 0, 0, 0
  FROM (SELECT p, d::date AS day, i,
			   CASE p WHEN 9201 THEN (ARRAY[3, 4, 4, 5, 6, 1, 0])[extract(isodow FROM d)::int] + ((i * 7919) % 13) / 4.0
					  WHEN 9202 THEN CASE WHEN i % 9 = 0 THEN 1 + (i * 31) % 5 ELSE 0 END
					  WHEN 9203 THEN 2 + ((i * 104729) % 7) / 2.0
					  WHEN 9204 THEN CASE WHEN i % 11 = 3 THEN -2 ELSE 1 + (i % 3) END
					  WHEN 9206 THEN CASE WHEN d::date = '2024-03-05' THEN 'NaN'::numeric ELSE 1.5 END
					  WHEN 9207 THEN CASE WHEN d::date >= '2024-05-20' THEN 4 ELSE 0 END
					  WHEN 9208 THEN 1 + (i % 4) END::numeric AS qty
		  FROM unnest('{9201, 9202, 9203, 9204, 9205, 9206, 9207, 9208, 9209}'::int[]) p,
			   generate_series('2022-06-01'::date, '2024-06-30', '1 day') WITH ORDINALITY g(d, i)) x
 WHERE qty <> 0 OR qty = 'NaN';
-- Supplier orders and their first receptions (type 3): 9203 every 23 days from
-- 2023-01-10, lead 2 .. 18 days; two orders received the same day after the same
-- lead time (repeated errors); a second, later reception of an order does not
-- count; one received after the last demand day.  9208: two orders.
CREATE TEMP TABLE orders ON COMMIT DROP AS
SELECT 100 + k AS rowid, 9203 AS p, '2023-01-10'::date + 23 * k AS ordered_on, 2 + (k * 5) % 17 AS lead_days
  FROM generate_series(0, 23) k
 UNION ALL SELECT 200, 9203, '2023-01-10'::date + 23 * 5, 2 + (5 * 5) % 17
 UNION ALL SELECT 201, 9203, '2024-06-25', 10
 UNION ALL SELECT 300, 9208, '2023-09-01', 30
 UNION ALL SELECT 301, 9208, '2024-02-10', 12;
INSERT INTO lake.llx_commande_fournisseur (rowid, ref, fk_statut, date_commande, _batch, _extracted_at, _hash)
SELECT rowid, 'CF' || rowid, 5, ordered_on, 1, now(), md5(rowid::text)::uuid FROM orders;
SELECT doliflow._lake_rebuild_current('llx_commande_fournisseur') > 0 AS orders_loaded;
INSERT INTO dw.fact_stock (movement_key, moved_at, date_key, product_key, warehouse_key, movement_type, quantity, origin_type, origin_id)
SELECT 1000 + row_number() OVER (), r.day + time '09:00', to_char(r.day, 'YYYYMMDD')::int, o.p, 1, 3, 10, 'order_supplier', o.rowid
  FROM orders o CROSS JOIN LATERAL (VALUES (o.ordered_on + o.lead_days), (o.ordered_on + o.lead_days + 3)) r(day);
SELECT count(*) AS lead_times, count(DISTINCT fk_product) AS products, min(lead_days), max(lead_days),
	   count(*) - count(DISTINCT (fk_product, received_on, lead_days)) AS repeated
  FROM doliflow._stock_lead_times;

-- new = old, row by row
CREATE FUNCTION pg_temp.close(a float8, b float8) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
	SELECT a = b OR abs(a - b) <= 1e-9 * greatest(abs(a), abs(b))
$$;
CREATE FUNCTION pg_temp.compare(p_last_origin date, p_origins int, p_step int, p_products int[])
RETURNS TABLE (rows_new bigint, rows_old bigint, unmatched bigint, models_differ bigint, errors_differ bigint,
			   errors bigint, nan_errors bigint, lead_time_errors bigint)
LANGUAGE sql AS $$
	WITH n AS (SELECT * FROM doliflow._lead_time_errors(p_last_origin, p_origins, p_step, p_products)),
	o AS (SELECT * FROM pg_temp.lead_time_errors_sql(p_last_origin, p_origins, p_step, p_products))
	SELECT (SELECT count(*) FROM n), (SELECT count(*) FROM o),
		   count(*) FILTER (WHERE n.fk_product IS NULL OR o.fk_product IS NULL),
		   count(*) FILTER (WHERE NOT (pg_temp.close(n.level, o.level) AND pg_temp.close(n.sigma, o.sigma)
									 AND n.lead_time_days = o.lead_time_days AND n.risk_days = o.risk_days
									 AND cardinality(n.dow_factor) = 7 AND cardinality(o.dow_factor) = 7
									 AND (SELECT bool_and(pg_temp.close(x, y)) FROM unnest(n.dow_factor, o.dow_factor) u(x, y)))),
		   count(*) FILTER (WHERE NOT (n.days = o.days AND n.known_on = o.known_on
									 AND cardinality(n.errors) = cardinality(o.errors)
									 AND coalesce((SELECT bool_and(pg_temp.close(x, y)) FROM unnest(n.errors, o.errors) u(x, y)), true))),
		   sum(cardinality(n.errors)),
		   sum((SELECT count(*) FROM unnest(n.errors) x WHERE x = 'NaN')),
		   sum((SELECT count(*) FROM unnest(n.days, n.known_on) u(d, k) WHERE k - d <> n.risk_days))
	  FROM n FULL JOIN o ON o.fk_product = n.fk_product AND o.origin = n.origin
$$;
-- the nightly safety stocks' shape (182 days, weekly), the simulator's (refits
-- every 14 days), the last loaded day as the last origin (errors cut there),
-- origins before most of the history, one origin a day
SELECT t.*, c.*
  FROM (VALUES ('2024-06-02'::date, 27, 7), ('2024-05-15', 15, 14), ('2024-06-30', 3, 1),
			   ('2023-03-01', 4, 7), ('2024-03-10', 10, 1)) t(last_origin, origins, step)
 CROSS JOIN LATERAL pg_temp.compare(t.last_origin, t.origins, t.step,
									'{9201, 9202, 9203, 9204, 9205, 9206, 9207, 9208, 9209}') c;
-- other windows and review period: history 28 days (weekday means and level over
-- 28 days), no review period (R = 1), the default lead 3
UPDATE doliflow.settings SET value = '28' WHERE name = 'forecast_history_days';
UPDATE doliflow.settings SET value = '0' WHERE name = 'stock_review_days';
UPDATE doliflow.settings SET value = '3' WHERE name = 'lead_time_default_days';
SELECT * FROM pg_temp.compare('2024-06-02', 27, 7, '{9201, 9202, 9203, 9204, 9205, 9206, 9207, 9208}');
-- a level window longer than the weekday one
UPDATE doliflow.settings SET value = '120' WHERE name = 'forecast_history_days';
UPDATE doliflow.settings SET value = '90' WHERE name = 'forecast_level_days';
SELECT * FROM pg_temp.compare('2024-04-01', 8, 5, '{9201, 9203, 9206, 9208}');
-- no origin, no product, an unknown product: no row from either
SELECT * FROM pg_temp.compare('2024-06-02', 0, 7, '{9201}');
SELECT * FROM pg_temp.compare('2024-06-02', -3, 7, '{9201}');
SELECT * FROM pg_temp.compare('2024-06-02', 3, 7, '{}');
SELECT * FROM pg_temp.compare('2024-06-02', 3, 7, '{9209, 12345}');
-- a step below 1: an error (the SQL statement divided by zero for 0)
SAVEPOINT s;
SELECT count(*) FROM doliflow._lead_time_errors('2024-06-02', 3, 0, '{9201}');
ROLLBACK TO s;
-- no demand loaded at all: models at 0, no error known
DELETE FROM dw.fact_sales_daily;
SELECT * FROM pg_temp.compare('2024-06-02', 5, 7, '{9201, 9203}');
ROLLBACK;

-- The C entry point's arguments: errors naming the argument, never a crash.
-- A grid of 20 days from 2024-01-01 (a Monday), first origin on day 14.
CREATE FUNCTION pg_temp.lte(q_days date[] DEFAULT '{2024-01-02}', q float8[] DEFAULT '{5}',
							hol boolean[] DEFAULT array_fill(false, ARRAY[20]), first_origin date DEFAULT '2024-01-15',
							p_origins int DEFAULT 1, p_step int DEFAULT 1, lead int DEFAULT 1, review int DEFAULT 1,
							lt_received date[] DEFAULT '{}', lt_days int[] DEFAULT '{}', first_day date DEFAULT '2024-01-01')
RETURNS SETOF text LANGUAGE sql AS $$
	SELECT format('%s level %s sigma %s f %s risk %s days %s errors %s known %s', e.origin, e.level, e.sigma, e.dow_factor,
				  e.risk_days, e.days, e.errors, e.known_on)
	  FROM doliflow._lead_time_errors_product(q_days, q, hol, first_day, first_origin, p_origins, p_step, 7, 7,
											  lead, review, '2024-01-20', lt_received, lt_days) e
$$;
SELECT pg_temp.lte();
-- the SQLSTATE and message of a call's error (or its rows)
CREATE FUNCTION pg_temp.err(args text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r text;
BEGIN
	EXECUTE 'SELECT string_agg(x, '' | '') FROM pg_temp.lte(' || args || ') x' INTO r;
	RETURN 'rows: ' || coalesce(r, '(none)');
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ' ' || SQLERRM;
END;
$$;
SELECT pg_temp.err('q_days => ''{2024-01-10, 2024-01-16, 2023-05-01, 2025-01-01}'', q => ''{7, 2, 1000, 1000}'', p_origins => 2, p_step => 2');
SELECT pg_temp.err('lt_received => ''{2024-01-14, 2023-01-01}'', lt_days => ''{2, 3}''');
SELECT count(*) AS strict_null FROM doliflow._lead_time_errors_product(NULL, '{}', '{}', '2024-01-01', '2024-01-15', 1, 1, 7, 7, 1, 1, '2024-01-20', '{}', '{}');
SELECT pg_temp.err('q => ''{NULL}''');
SELECT pg_temp.err('hol => ''{false, NULL}''');
SELECT pg_temp.err('lt_received => ''{NULL}'', lt_days => ''{1}''');
SELECT pg_temp.err('q => ''{1, 2}''');
SELECT pg_temp.err('lt_received => ''{2024-01-01}'', lt_days => ''{}''');
SELECT pg_temp.err('q_days => ''{2024-01-02, 2024-01-02}'', q => ''{1, 2}''');
SELECT pg_temp.err('hol => ''{{false, false}, {false, false}}''');
SELECT pg_temp.err('q_days => ''{{2024-01-02}}'', q => ''{{5}}''');
SELECT pg_temp.err('p_step => 0');
SELECT pg_temp.err('p_step => -7');
SELECT pg_temp.err('p_origins => -1');
SELECT pg_temp.err('p_origins => 0');
SELECT pg_temp.err('p_origins => 2147483647');
SELECT pg_temp.err('p_origins => 2, p_step => 2147483647');
SELECT pg_temp.err('first_origin => ''2024-01-07''');
SELECT pg_temp.err('first_origin => ''2023-01-07''');
SELECT pg_temp.err('first_origin => ''infinity''');
SELECT pg_temp.err('lead => 0');
SELECT pg_temp.err('review => 0');
SELECT pg_temp.err('lead => 2147483647, review => 1');
SELECT pg_temp.err('lt_received => ''{2024-01-14}'', lt_days => ''{-1}''');
SELECT pg_temp.err('lt_received => ''{infinity}'', lt_days => ''{1}''');
SELECT pg_temp.err('hol => ''{}'', p_origins => 0');
SELECT pg_temp.err('hol => ''{}''');
SELECT pg_temp.err('hol => array_fill(false, ARRAY[9000000])');
SELECT pg_temp.err('q => ''{NaN}''');
SELECT pg_temp.err('q_days => ''{2024-01-15}'', q => ''{Infinity}''');
SELECT pg_temp.err('first_day => ''5874897-12-01'', first_origin => ''5874897-12-15''');
