-- doliflow forecasting: the forecast_model type, the forecast_fit aggregate
-- and its accessors.  Deterministic data (no random()).
SET extra_float_digits = 0;

CREATE TEMP TABLE fc_sales (product int, day date, qty float8);
-- 1: smooth weekly demand with a trend, 2 years
INSERT INTO fc_sales
SELECT 1, d::date, round((30 + 0.01 * i) * (1 + 0.4 * sin(i * 2 * pi() / 7)) + 3 * sin(i * 1.7))
  FROM generate_series(0, 729) i, LATERAL (SELECT date '2023-01-01' + i) g(d);
-- 2: intermittent demand, days without demand have no row
INSERT INTO fc_sales
SELECT 2, date '2023-01-01' + i, 1 + (i % 3)
  FROM generate_series(0, 364) i WHERE (i * 7919) % 11 = 0;
-- 3: a single row
INSERT INTO fc_sales VALUES (3, '2024-03-01', 5);
-- 4: only NULL quantities (skipped): empty series
INSERT INTO fc_sales VALUES (4, '2024-03-01', NULL), (4, NULL, 3);
-- 5: constant
INSERT INTO fc_sales SELECT 5, date '2024-01-01' + i, 4 FROM generate_series(0, 59) i;
-- 6: all zero
INSERT INTO fc_sales SELECT 6, date '2024-01-01' + i, 0 FROM generate_series(0, 59) i;

CREATE TEMP TABLE fc_models AS
SELECT product, doliflow_analytics.forecast_fit(day, qty) AS model FROM fc_sales GROUP BY product;

SELECT product, model IS NULL AS no_model,
       doliflow_analytics.forecast_summary(model) ->> 'demand_class' AS class,
       doliflow_analytics.forecast_summary(model) ->> 'method' AS method,
       (doliflow_analytics.forecast_summary(model) ->> 'n')::int AS n,
       doliflow_analytics.forecast_summary(model) ->> 'first_date' AS first_date,
       doliflow_analytics.forecast_summary(model) ->> 'last_date' AS last_date
  FROM fc_models ORDER BY product;

-- smooth series: 14 rows from the day after the last sale, lo <= yhat <= hi, no negatives
SELECT count(*) AS rows, min(day) AS first_day, max(day) AS last_day,
       bool_and(lo <= yhat AND yhat <= hi) AS ordered, bool_and(lo >= 0) AS nonneg,
       bool_and(yhat BETWEEN 10 AND 60) AS plausible
  FROM fc_models, doliflow_analytics.forecast(model, 14) WHERE product = 1;
-- a wider level gives a wider interval
SELECT bool_and(f99.hi - f99.lo > f80.hi - f80.lo) AS wider
  FROM fc_models m, doliflow_analytics.forecast(m.model, 7, 0.99) f99
  JOIN doliflow_analytics.forecast(m.model, 7, 0.80) f80 USING (day) WHERE m.product = 1;
-- intermittent: flat non-negative rate
SELECT count(DISTINCT yhat) AS distinct_values, bool_and(yhat > 0 AND lo >= 0) AS positive
  FROM fc_models, doliflow_analytics.forecast(model, 10) WHERE product = 2;
-- single row, constant and zero series: exact values
SELECT product, day, yhat, lo, hi
  FROM fc_models, doliflow_analytics.forecast(model, 2, 0.9) WHERE product IN (5, 6) ORDER BY product, day;
SELECT day, yhat FROM fc_models, doliflow_analytics.forecast(model, 1) WHERE product = 3;
SELECT product, doliflow_analytics.forecast_describe(model) FROM fc_models WHERE product IN (5, 6) ORDER BY 1;

-- fitted values: one per day from the first sale (missing days count as zero)
SELECT count(*) AS fitted_rows, min(day), max(day)
  FROM fc_models, doliflow_analytics.forecast_fitted(model) WHERE product = 2;
SELECT count(*) FROM fc_models, doliflow_analytics.forecast_fitted(model) WHERE product = 5 AND fitted <> 4;

-- input order, duplicates, NULLs and explicit zeros do not change the model
SELECT (SELECT doliflow_analytics.forecast_fit(day, qty ORDER BY md5(day::text)) FROM fc_sales WHERE product = 1)::bytea
     = (SELECT model FROM fc_models WHERE product = 1)::bytea AS order_independent;
SELECT (SELECT doliflow_analytics.forecast_fit(day, q)
          FROM fc_sales, LATERAL (VALUES (qty / 2), (qty / 2), (NULL)) v(q) WHERE product = 1)::bytea
     = (SELECT model FROM fc_models WHERE product = 1)::bytea AS duplicates_summed;
SELECT (SELECT doliflow_analytics.forecast_fit(d::date, coalesce(s.qty, 0))
          FROM generate_series(date '2023-01-01', date '2023-12-30', '1 day') d
          LEFT JOIN fc_sales s ON s.product = 2 AND s.day = d)::bytea
     = (SELECT model FROM fc_models WHERE product = 2)::bytea AS missing_days_are_zero;

-- empty input and NULL handling
SELECT doliflow_analytics.forecast_fit(day, qty) IS NULL AS empty_is_null FROM fc_sales WHERE false;
SELECT count(*) AS rows_for_null_model FROM doliflow_analytics.forecast(NULL, 5);

-- NaN and infinities are rejected with a clear message
SELECT doliflow_analytics.forecast_fit(d, q) FROM (VALUES (date '2024-01-01', 1::float8), ('2024-01-02', 'NaN')) v(d, q);
SELECT doliflow_analytics.forecast_fit(d, q) FROM (VALUES (date '2024-01-01', 'Infinity'::float8)) v(d, q);
SELECT doliflow_analytics.forecast_fit(d, q) FROM (VALUES (date '2024-01-01', '-Infinity'::float8)) v(d, q);
SELECT doliflow_analytics.forecast_fit(d, q) FROM (VALUES ('infinity'::date, 1::float8)) v(d, q);
SELECT doliflow_analytics.forecast_fit(d, q) FROM (VALUES (date '2024-01-01', 1e308::float8), ('2024-01-01', 1e308)) v(d, q);

-- options
SELECT doliflow_analytics.forecast_summary(doliflow_analytics.forecast_fit(day, qty, '{"method": "ets"}')) ->> 'method'
  FROM fc_sales WHERE product = 1;
SELECT doliflow_analytics.forecast_summary(doliflow_analytics.forecast_fit(day, qty, '{"method": "sba"}')) -> 'members' -> 0 ->> 'alpha'
  FROM fc_sales WHERE product = 2;
SELECT count(*) FROM fc_sales, LATERAL (SELECT 1) x
 WHERE product = 5 AND (SELECT count(*) FROM doliflow_analytics.forecast_fitted(
       (SELECT doliflow_analytics.forecast_fit(day, qty, '{"fitted": false}') FROM fc_sales WHERE product = 5))) > 0;
SELECT doliflow_analytics.forecast_fit(day, qty, '{"method": "magic"}') FROM fc_sales WHERE product = 1;
SELECT doliflow_analytics.forecast_fit(day, qty, '{"colour": "red"}') FROM fc_sales WHERE product = 1;
SELECT doliflow_analytics.forecast_fit(day, qty, '{"period": 0}') FROM fc_sales WHERE product = 1;
SELECT doliflow_analytics.forecast_fit(day, qty, '[1, 2]') FROM fc_sales WHERE product = 1;
SELECT doliflow_analytics.forecast_fit(day, qty, '{"nonneg": "yes"}') FROM fc_sales WHERE product = 1;

-- accessor arguments
SELECT * FROM fc_models, doliflow_analytics.forecast(model, 0) WHERE product = 5;
SELECT * FROM fc_models, doliflow_analytics.forecast(model, 3, 1.5) WHERE product = 5;
SELECT * FROM fc_models, doliflow_analytics.forecast(model, 3, 'NaN') WHERE product = 5;

-- plain arrays, including a huge one (only the last max_obs points are fitted)
-- (forecast_array needs "freq": see forecast_calendar.sql)
SELECT doliflow_analytics.forecast_summary(doliflow_analytics.forecast_array(ARRAY[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]::float8[], NULL, '{"freq": "day"}')) ->> 'method' AS method;
SELECT day, round(yhat::numeric, 6) FROM doliflow_analytics.forecast(doliflow_analytics.forecast_array(ARRAY[2, 2, 2]::float8[], '2024-05-01', '{"freq": "day"}'), 2);
SELECT doliflow_analytics.forecast_array('{}'::float8[]) IS NULL AS empty_array, doliflow_analytics.forecast_array(NULL) IS NULL AS null_array;
SELECT doliflow_analytics.forecast_array(ARRAY[1, NULL, 3]::float8[], NULL, '{"freq": "day"}');
SELECT doliflow_analytics.forecast_array(ARRAY[1, 'NaN', 3]::float8[], NULL, '{"freq": "day"}');
SELECT doliflow_analytics.forecast_array(ARRAY[1, 'Infinity', 3]::float8[], NULL, '{"freq": "month", "missing": "interpolate"}');
SELECT doliflow_analytics.forecast_array(ARRAY[[1, 2], [3, 4]]::float8[]);
SELECT s ->> 'n' AS n, s ->> 'n_total' AS n_total
  FROM (SELECT doliflow_analytics.forecast_summary(doliflow_analytics.forecast_array(array_agg(10 + (i % 7)::float8), NULL,
                                                                  '{"method": "ets", "freq": "day"}')) s
          FROM generate_series(1, 1000000) i) x;
-- a huge monthly array with NULLs interpolated, and with the horizon told
SELECT s ->> 'n' AS n, s ->> 'n_total' AS n_total, s ->> 'last_date' AS last_date, s ->> 'horizon' AS horizon
  FROM (SELECT doliflow_analytics.forecast_summary(doliflow_analytics.forecast_array(array_agg(CASE WHEN i % 3 = 0 THEN NULL ELSE 10 + (i % 12)::float8 END),
                                                                  '1900-01-01', '{"method": "ets", "freq": "month", "missing": "interpolate", "horizon": 24}')) s
          FROM generate_series(1, 1000000) i) x;

-- storage: bytea and text round trips; corrupted bytes are rejected
SELECT (model::bytea::doliflow_analytics.forecast_model)::bytea = model::bytea AS bytea_round_trip,
       (model::text::doliflow_analytics.forecast_model)::bytea = model::bytea AS text_round_trip
  FROM fc_models WHERE product = 1;
SELECT set_byte(model::bytea, 40, get_byte(model::bytea, 40) # 1)::doliflow_analytics.forecast_model
  FROM fc_models WHERE product = 1;
SELECT set_byte(model::bytea, length(model::bytea) - 1, 255)::doliflow_analytics.forecast_model
  FROM fc_models WHERE product = 1;
SELECT substring(model::bytea FROM 1 FOR 100)::doliflow_analytics.forecast_model FROM fc_models WHERE product = 1;
SELECT '\xdeadbeef'::bytea::doliflow_analytics.forecast_model;
SELECT ''::bytea::doliflow_analytics.forecast_model;
SELECT 'hello'::doliflow_analytics.forecast_model;
SELECT 'ETS #AAAA'::doliflow_analytics.forecast_model;
-- every single-byte corruption of a stored model is caught (none slips through)
SELECT count(*) AS undetected
  FROM fc_models m, generate_series(0, length(m.model::bytea) - 1) k
 WHERE m.product = 2
   AND doliflow_analytics.forecast_model_is_valid(set_byte(m.model::bytea, k, get_byte(m.model::bytea, k) # 90));

-- a table column of the type
CREATE TEMP TABLE fc_store (product int PRIMARY KEY, model doliflow_analytics.forecast_model);
INSERT INTO fc_store SELECT product, model FROM fc_models WHERE model IS NOT NULL;
SELECT count(*) AS same FROM fc_store s JOIN fc_models m USING (product) WHERE s.model::bytea = m.model::bytea;
