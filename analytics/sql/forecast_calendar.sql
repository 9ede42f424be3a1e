-- doliflow forecasting on any calendar: frequencies (inferred by forecast_fit,
-- declared for forecast_array), missing values, the horizon option, extreme
-- magnitudes, and the version-1 model format.  Deterministic data.
SET extra_float_digits = 0;
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- 36 monthly values (the first three years of AirPassengers) from 1949-01-01
CREATE TEMP TABLE air (i int, y float8);
INSERT INTO air SELECT i, v FROM unnest(ARRAY[112, 118, 132, 129, 121, 135, 148, 148, 136, 119, 104, 118,
	115, 126, 141, 135, 125, 149, 170, 170, 158, 133, 114, 140,
	145, 150, 178, 163, 172, 178, 199, 199, 184, 162, 146, 166]::float8[]) WITH ORDINALITY u(v, i);
CREATE TEMP TABLE air_m AS
SELECT doliflow_analytics.forecast_array(array_agg(y ORDER BY i), '1949-01-01', '{"freq": "month"}') AS m FROM air;

-- 1. forecast() dates follow the frequency; summary's dates and period
SELECT day, yhat > 100 AS plausible FROM air_m, doliflow_analytics.forecast(m, 3);
SELECT s ->> 'freq' AS freq, s ->> 'period' AS period, s ->> 'first_date' AS first_date,
       s ->> 'last_date' AS last_date, s ->> 'choice' AS choice
  FROM air_m, doliflow_analytics.forecast_summary(m) s;
SELECT min(day), max(day), count(*) FROM air_m, doliflow_analytics.forecast_fitted(m);
-- the automatic choice calibrated the interval width on its own holdout errors
-- (6 years: long enough for holdouts), not when a method is forced
SELECT round((s ->> 'interval_scale')::numeric, 3) <> 1 AS calibrated, s ->> 'choice' AS choice
  FROM (SELECT doliflow_analytics.forecast_summary(doliflow_analytics.forecast_array(array_agg(a.y * (1 + k * 0.3) + 9 * sin(a.i * 1.7 + k) ORDER BY k, a.i),
                                         '1949-01-01', '{"freq": "month"}')) s
          FROM air a, generate_series(0, 1) k) x;
SELECT doliflow_analytics.forecast_summary(doliflow_analytics.forecast_array(array_agg(a.y * (1 + k * 0.3) + 9 * sin(a.i * 1.7 + k) ORDER BY k, a.i),
         '1949-01-01', '{"freq": "month", "method": "ets"}')) ->> 'interval_scale' AS forced_method_not_calibrated
  FROM air a, generate_series(0, 1) k;
-- interval spellings of the frequency; others are rejected
SELECT f, doliflow_analytics.forecast_summary(doliflow_analytics.forecast_array(ARRAY[1, 2, 3, 4, 5, 6, 7, 8]::float8[],
         '2020-01-31', jsonb_build_object('freq', f))) ->> 'last_date' AS last_date
  FROM unnest(ARRAY['day', 'weekly', '7 days', '1 week', 'month', '1 mon', 'quarter', '3 months',
                    'year', '12 months', 'annual']) f;
SELECT pg_temp.err($$SELECT doliflow_analytics.forecast_array(ARRAY[1, 2]::float8[], NULL, '{"freq": "fortnight"}')$$);
SELECT pg_temp.err($$SELECT doliflow_analytics.forecast_array(ARRAY[1, 2]::float8[], NULL, '{"freq": "2 weeks"}')$$);
SELECT pg_temp.err($$SELECT doliflow_analytics.forecast_array(ARRAY[1, 2]::float8[], NULL, '{"freq": null}')$$);
SELECT pg_temp.err($$SELECT doliflow_analytics.forecast_array(ARRAY[1, 2]::float8[], NULL, '{"freq": 7}')$$);
-- no silent default: forecast_array needs "freq" (NULL and empty arrays stay NULL)
SELECT pg_temp.err($$SELECT doliflow_analytics.forecast_array(ARRAY[1, 2, 3]::float8[])$$);
SELECT pg_temp.err($$SELECT doliflow_analytics.forecast_array(ARRAY[1, 2, 3]::float8[], NULL, '{"period": 12}')$$);
SELECT doliflow_analytics.forecast_array(NULL, NULL, '{"freq": "month"}') IS NULL AS null_array,
       doliflow_analytics.forecast_array('{}', NULL, '{"freq": "month"}') IS NULL AS empty_array;
-- a single value, and dates far away: a clear error, never a wrong date
SELECT day, yhat FROM doliflow_analytics.forecast(doliflow_analytics.forecast_array(ARRAY[5]::float8[], '2024-02-29', '{"freq": "year"}'), 2);
SELECT pg_temp.err($$SELECT * FROM doliflow_analytics.forecast(doliflow_analytics.forecast_array(ARRAY[5]::float8[], '5874000-01-01', '{"freq": "year"}'), 36600)$$);

-- 2. the default seasonal period follows the frequency; every model honours it
SELECT f, doliflow_analytics.forecast_summary(doliflow_analytics.forecast_array(array_agg(10 + (i % 5)::float8), '2020-01-01',
         jsonb_build_object('freq', f, 'method', 'mean'))) ->> 'period' AS period
  FROM unnest(ARRAY['day', 'week', 'month', 'quarter', 'year']) f, generate_series(1, 40) i GROUP BY f ORDER BY 2;
SELECT doliflow_analytics.forecast_summary(doliflow_analytics.forecast_array(array_agg(y ORDER BY i), '1949-01-01',
         '{"freq": "month", "method": "prophet"}')) -> 'members' -> 0 AS prophet FROM air;
SELECT doliflow_analytics.forecast_summary(doliflow_analytics.forecast_array(array_agg(y ORDER BY i), '1949-01-01',
         '{"freq": "day", "period": 12, "method": "prophet"}')) -> 'members' -> 0 AS prophet FROM air;
-- the Prophet-style model follows the monthly pattern (July above November)
SELECT f1.yhat > f2.yhat AS july_above_november
  FROM (SELECT doliflow_analytics.forecast_array(array_agg(y ORDER BY i), '1949-01-01', '{"freq": "month", "method": "prophet"}') m FROM air) a,
       doliflow_analytics.forecast(a.m, 12) f1, doliflow_analytics.forecast(a.m, 12) f2
 WHERE f1.day = '1952-07-01' AND f2.day = '1952-11-01';

-- 3. forecast_fit infers the frequency from regular dates
CREATE TEMP TABLE cal (s text, day date, y float8);
INSERT INTO cal SELECT 'month', date '1949-01-01' + make_interval(months => i - 1), y FROM air;
INSERT INTO cal SELECT 'month_end', (date '1949-02-01' + make_interval(months => i - 1))::date - 1, y FROM air;
INSERT INTO cal SELECT 'quarter', date '2001-04-01' + make_interval(months => 3 * (i - 1)), y FROM air;
INSERT INTO cal SELECT 'year', date '1950-07-01' + make_interval(years => i - 1), y FROM air;
INSERT INTO cal SELECT 'week', date '2022-01-03' + 7 * (i - 1), y FROM air;
-- a month missing: still monthly (the missing month is zero by default)
INSERT INTO cal SELECT 'month_gap', date '1949-01-01' + make_interval(months => i - 1), y FROM air WHERE i <> 20;
-- sparse daily demand (a few days, not on any calendar): days, zeros between
INSERT INTO cal SELECT 'sparse', date '2024-01-01' + (i * i), 1 FROM generate_series(1, 12) i;
-- two rows a month apart: too few to tell, days
INSERT INTO cal VALUES ('two', '2024-01-01', 3), ('two', '2024-02-01', 4);
CREATE TEMP TABLE cal_m AS SELECT s, doliflow_analytics.forecast_fit(day, y) AS m FROM cal GROUP BY s;
SELECT s, f ->> 'freq' AS freq, f ->> 'period' AS period, f ->> 'demand_class' AS class, f ->> 'method' AS method,
       f ->> 'n' AS n, f ->> 'first_date' AS first_date, f ->> 'last_date' AS last_date,
       (SELECT string_agg(day::text, ' ') FROM doliflow_analytics.forecast(m, 2)) AS next_two
  FROM cal_m, doliflow_analytics.forecast_summary(m) f ORDER BY s;
-- monthly rows fitted by forecast_fit forecast as well as forecast_array does
SELECT round(abs(a.yhat - b.yhat)::numeric, 6) AS diff
  FROM cal_m c, doliflow_analytics.forecast(c.m, 1) a, air_m, doliflow_analytics.forecast(air_m.m, 1) b WHERE c.s = 'month';
-- a declared frequency: the dates must be on it (22023 naming the option)
SELECT pg_temp.err($$SELECT doliflow_analytics.forecast_fit(day, y, '{"freq": "month"}') FROM cal WHERE s = 'week'$$);
SELECT pg_temp.err($$SELECT doliflow_analytics.forecast_fit(day, y, '{"freq": "week"}') FROM cal WHERE s = 'sparse'$$);
SELECT pg_temp.err($$SELECT doliflow_analytics.forecast_fit(day, y, '{"freq": "year"}') FROM cal WHERE s = 'month'$$);
SELECT doliflow_analytics.forecast_summary(doliflow_analytics.forecast_fit(day, y, '{"freq": "day"}')) ->> 'n' AS days FROM cal WHERE s = 'month';
-- duplicates of a period are summed, NULL rows skipped
SELECT doliflow_analytics.forecast_fit(day, y)::bytea = doliflow_analytics.forecast_fit(day, y / 2)::bytea AS halves_differ,
       (SELECT doliflow_analytics.forecast_fit(day, q) FROM cal, LATERAL (VALUES (y / 2), (y / 2), (NULL)) v(q) WHERE s = 'quarter')::bytea
       = doliflow_analytics.forecast_fit(day, y)::bytea AS duplicates_summed
  FROM cal WHERE s = 'quarter';
-- events need daily data
SELECT pg_temp.err($$SELECT doliflow_analytics.forecast_fit(day, y, '{"holidays": "fr"}') FROM cal WHERE s = 'month'$$);

-- 4. missing values
SELECT pg_temp.err($$SELECT doliflow_analytics.forecast_array(ARRAY[1, NULL, 3]::float8[], NULL, '{"freq": "day"}')$$);
SELECT pg_temp.err($$SELECT doliflow_analytics.forecast_array(ARRAY[1, NULL, 3]::float8[], NULL, '{"freq": "day", "missing": "skip"}')$$);
SELECT pg_temp.err($$SELECT doliflow_analytics.forecast_array(ARRAY[1, NULL, 3]::float8[], NULL, '{"freq": "day", "missing": null}')$$);
SELECT m, (SELECT array_agg(round(fitted::numeric, 3) ORDER BY day) FROM doliflow_analytics.forecast_fitted(
           doliflow_analytics.forecast_array(ARRAY[NULL, 2, NULL, NULL, 8, NULL]::float8[], '2024-01-01',
                                   jsonb_build_object('freq', 'day', 'missing', m, 'method', 'naive')))) AS fitted_naive,
       doliflow_analytics.forecast_summary(doliflow_analytics.forecast_array(ARRAY[NULL, 2, NULL, NULL, 8, NULL]::float8[], '2024-01-01',
                                   jsonb_build_object('freq', 'day', 'missing', m, 'method', 'naive'))) ->> 'first_date' AS first_date
  FROM unnest(ARRAY['zero', 'interpolate']) m;
SELECT doliflow_analytics.forecast_array(ARRAY[NULL, NULL]::float8[], NULL, '{"freq": "day", "missing": "interpolate"}') IS NULL AS all_null;
-- a measurement with gaps: interpolation instead of zeros
CREATE TEMP TABLE meas AS
SELECT date '2024-01-01' + i AS day, 100 + 10 * sin(i / 5.0) AS y FROM generate_series(0, 199) i WHERE i % 10 NOT IN (3, 4, 5);
SELECT o, round((SELECT avg(yhat) FROM doliflow_analytics.forecast(doliflow_analytics.forecast_fit(day, y, o::jsonb), 7))::numeric, 0) AS level
  FROM meas, unnest(ARRAY['{}', '{"missing": "zero"}', '{"missing": "interpolate"}']) o GROUP BY o ORDER BY o;
SELECT pg_temp.err($$SELECT doliflow_analytics.forecast_fit(day, y, '{"missing": "mean"}') FROM meas$$);

-- 5. the horizon: automatic selection validates on it
SELECT h, s ->> 'horizon' AS horizon, s ->> 'holdout' AS holdout, s ->> 'origins' AS origins
  FROM unnest(ARRAY[0, 7, 60, 365]) h,
       LATERAL (SELECT doliflow_analytics.forecast_summary(doliflow_analytics.forecast_fit(day, y,
                  CASE WHEN h > 0 THEN jsonb_build_object('horizon', h, 'method', 'auto_full') ELSE '{"method": "auto_full"}' END)) s
                  FROM meas) x ORDER BY h;
SELECT pg_temp.err($$SELECT doliflow_analytics.forecast_fit(day, y, '{"horizon": 0}') FROM meas$$);
SELECT pg_temp.err($$SELECT doliflow_analytics.forecast_fit(day, y, '{"horizon": 1e9}') FROM meas$$);
SELECT pg_temp.err($$SELECT doliflow_analytics.forecast_fit(day, y, '{"horizon": "long"}') FROM meas$$);

-- 6. extreme magnitudes: forecast on the data's scale, or a 22003 error
SELECT k, s ->> 'method' AS method,
       (SELECT bool_and(yhat / k BETWEEN 100 AND 200 AND lo <= yhat AND yhat <= hi)
          FROM doliflow_analytics.forecast(m, 3)) AS right_scale,
       (SELECT bool_and(fitted / k BETWEEN 50 AND 250) FROM doliflow_analytics.forecast_fitted(m)) AS fitted_scale
  FROM unnest(ARRAY[1, 1e-200, 1e-40, 1e37, 1e160, 1e300]::float8[]) k,
       LATERAL (SELECT doliflow_analytics.forecast_array(array_agg(y * k ORDER BY i), '1949-01-01', '{"freq": "month"}') m FROM air) a,
       LATERAL doliflow_analytics.forecast_summary(m) s ORDER BY k;
SELECT pg_temp.err($$SELECT * FROM doliflow_analytics.forecast(doliflow_analytics.forecast_array(ARRAY[1e307, 2e307, 3e307, 4e307, 5e307, 6e307, 7e307, 8e307, 9e307, 1e308]::float8[], NULL, '{"freq": "year", "method": "naive"}'), 50)$$);
SELECT pg_temp.err($$SELECT doliflow_analytics.forecast_fit(d, q) FROM (VALUES (date '2024-01-01', 1e308::float8), ('2024-01-01', 1e308)) v(d, q)$$);
SELECT pg_temp.err($$SELECT * FROM doliflow_analytics.forecast(doliflow_analytics.forecast_array(ARRAY[1e307, 2e307, 3e307, 4e307, 5e307, 6e307, 7e307, 8e307, 9e307, 1e308]::float8[], NULL, '{"freq": "year", "method": "ets"}'), 100)$$);
SELECT pg_temp.err($$SELECT doliflow_analytics.forecast_array(ARRAY[1e307, -1.7e308, 1.7e308, -1e308]::float8[], NULL, '{"freq": "year"}')$$);
-- a perfect fit has no finite AICc
SELECT doliflow_analytics.forecast_describe(doliflow_analytics.forecast_array(ARRAY[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]::float8[], NULL,
         '{"freq": "year", "method": "ets"}')) ~ 'AICc=-Infinity' AS minus_infinity;
SELECT doliflow_analytics.forecast_summary(doliflow_analytics.forecast_array(ARRAY[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]::float8[], NULL,
         '{"freq": "year", "method": "ets"}')) -> 'members' -> 0 -> 'aicc' AS aicc;

-- 7. a model written by version 1 (before frequencies) is still read: daily
-- (ETS(A,A,N) of 3 5 4 6 5 7 6 8 7 9 8 10 from 2024-01-01, as main wrote it)
\set v1hex 4446464d02000000900200000c0000007d9ca948000000004446464301001000900200006ec25e7c44464643010000000400000003000000010000000c0000000c00000001000000000000000000000001000000010000003e22000000000000000000000000f03f8e05cf5254bbb73f000000000000f0bf000000000000f0bf0000000000001a40040000001802000001000000010000000000000000000000010000000c000000050000000000000088ff842fda22513f1211c38c5525503f0000000000000000000000000000f03f95a6596b823d08406a00b1ffb824e13f0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006625c6ffbdea2240116f500c8823e13f000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000e6f725bb21b03640e6f725bb21b026c0f3fb92dd10584040f3fb92dd105845407a1d95f8678e4140a34f341dc37eea3f6d8acd68d7a9e13f8535644011368340326594400282a5400eb2b64036cfc74005ffd8405b1bea40c449fb4010320641ffc70e419d531741
CREATE TEMP TABLE v1 AS SELECT decode(:'v1hex', 'hex')::doliflow_analytics.forecast_model AS m;
SELECT doliflow_analytics.forecast_describe(m) FROM v1;
SELECT s ->> 'freq' AS freq, s ->> 'last_date' AS last_date FROM v1, doliflow_analytics.forecast_summary(m) s;
SELECT day, round(yhat::numeric, 6) AS yhat, round(lo::numeric, 6) AS lo FROM v1, doliflow_analytics.forecast(m, 3);
-- corrupted frequency fields are rejected
SELECT count(*) AS undetected
  FROM air_m a, generate_series(0, length(a.m::bytea) - 1) k
 WHERE doliflow_analytics.forecast_model_is_valid(set_byte(a.m::bytea, k, get_byte(a.m::bytea, k) # 90));
