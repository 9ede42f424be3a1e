-- forecast_fit under a forced parallel plan gives exactly the same models as
-- a serial plan (partial states are serialized, combined and deserialized).
SET extra_float_digits = 0;

CREATE TABLE fc_big (product int, day date, qty float8);
-- 12 products x 3 years, deterministic, some duplicate rows (summed)
INSERT INTO fc_big
SELECT p, date '2022-01-01' + i,
       CASE WHEN p % 4 = 0 THEN (CASE WHEN (i * 31 + p) % 9 = 0 THEN 1 + (i % 4) ELSE 0 END)
            ELSE round((10 + p + 0.005 * i) * (1 + 0.3 * sin(i * 2 * pi() / 7 + p))) END
  FROM generate_series(1, 12) p, generate_series(0, 1094) i;
INSERT INTO fc_big SELECT product, day, 1 FROM fc_big WHERE product = 1 AND day < '2022-02-01';
ANALYZE fc_big;

-- serial reference
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE fc_serial AS
SELECT product, doliflow_analytics.forecast_fit(day, qty, '{"method": "ets"}') AS model FROM fc_big GROUP BY product;
CREATE TEMP TABLE fc_serial_all AS
SELECT doliflow_analytics.forecast_fit(day, qty) AS model FROM fc_big WHERE product = 1;
-- default choice (fast tier) with events and holidays: the options travel
-- with the partial states
CREATE TEMP TABLE fc_serial_ev AS
SELECT product, doliflow_analytics.forecast_fit(day, qty, '{"events": [{"name": "promo", "ranges": [["2023-04-10", "2023-04-16"]]}], "holidays": "fr"}') AS model
  FROM fc_big GROUP BY product;

-- forced parallel plan
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET force_parallel_mode = on;
SET enable_hashagg = off;
EXPLAIN (COSTS OFF)
SELECT product, doliflow_analytics.forecast_fit(day, qty, '{"method": "ets"}') FROM fc_big GROUP BY product;
EXPLAIN (COSTS OFF)
SELECT doliflow_analytics.forecast_fit(day, qty) FROM fc_big WHERE product = 1;

CREATE TEMP TABLE fc_par AS
SELECT product, doliflow_analytics.forecast_fit(day, qty, '{"method": "ets"}') AS model FROM fc_big GROUP BY product;
SELECT count(*) AS products, count(*) FILTER (WHERE s.model::bytea = p.model::bytea) AS identical
  FROM fc_serial s JOIN fc_par p USING (product);
SELECT (SELECT doliflow_analytics.forecast_fit(day, qty) FROM fc_big WHERE product = 1)::bytea
     = (SELECT model FROM fc_serial_all)::bytea AS whole_table_identical;

CREATE TEMP TABLE fc_par_ev AS
SELECT product, doliflow_analytics.forecast_fit(day, qty, '{"events": [{"name": "promo", "ranges": [["2023-04-10", "2023-04-16"]]}], "holidays": "fr"}') AS model
  FROM fc_big GROUP BY product;
SELECT count(*) AS products, count(*) FILTER (WHERE s.model::bytea = p.model::bytea) AS identical,
       count(*) FILTER (WHERE doliflow_analytics.forecast_summary(p.model)->'events'->1->>'used' = 'true') AS using_events
  FROM fc_serial_ev s JOIN fc_par_ev p USING (product);

-- the forecasts read from the parallel models are the serial ones
SELECT count(*) AS rows, bool_and(a.yhat = b.yhat AND a.lo = b.lo AND a.hi = b.hi) AS same
  FROM fc_serial s JOIN fc_par p USING (product),
       LATERAL doliflow_analytics.forecast(s.model, 7) a JOIN LATERAL doliflow_analytics.forecast(p.model, 7) b USING (day);

RESET ALL;
DROP TABLE fc_big;
