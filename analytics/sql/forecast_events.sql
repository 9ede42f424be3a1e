-- doliflow forecasting with events and French public holidays: the
-- "events" / "holidays" options of forecast_fit, future occurrences applied
-- by forecast(), learned effects in forecast_summary(model)->'events', and
-- clear errors for bad specifications.  Deterministic data (no random()).
SET extra_float_digits = 0;

-- A weekly series (base about 50) with a planted promotion that doubles
-- demand: first occurrence 2023-04-10..16 (in the history), second
-- 2024-03-11..17 (inside the 28-day horizon after the last day 2024-03-01).
CREATE TEMP TABLE ev_sales AS
SELECT d::date AS day,
       round((50 + 15 * sin(i * 2 * pi() / 7) + ((i * 7919) % 13 - 6))
             * CASE WHEN d BETWEEN '2023-04-10' AND '2023-04-16'
                      OR d BETWEEN '2024-03-11' AND '2024-03-17' THEN 2 ELSE 1 END)::float8 AS qty
  FROM generate_series(0, 729) i, LATERAL (SELECT date '2022-06-01' + i) g(d);
CREATE TEMP TABLE ev_hist AS SELECT * FROM ev_sales WHERE day <= '2024-03-01';

CREATE TEMP TABLE ev_models AS
SELECT 'without' AS variant, doliflow_analytics.forecast_fit(day, qty) AS m FROM ev_hist
UNION ALL
SELECT 'with', doliflow_analytics.forecast_fit(day, qty, '{"events": [{"name": "promo_spring",
        "ranges": [["2023-04-10", "2023-04-16"], ["2024-03-11", "2024-03-17"]]}]}') FROM ev_hist;

-- the automatic choice uses a model that can use the events
SELECT variant, doliflow_analytics.forecast_summary(m)->>'method' AS method,
       doliflow_analytics.forecast_summary(m)->>'choice' AS choice,
       jsonb_array_length(doliflow_analytics.forecast_summary(m)->'events') AS n_events
  FROM ev_models ORDER BY variant;

-- the full tier with events: the winner contains the Prophet-style member
-- with the event regressor; an intermittent series with events goes to the
-- Prophet-style model too; a series too short for it keeps the events
-- unused (and says so)
SELECT s->>'method' IN ('prophet', 'ensemble_mean', 'ensemble_median') AS uses_prophet,
       s->>'choice' AS choice,
       (SELECT count(*) FROM jsonb_array_elements(s->'members') mb
         WHERE mb->>'method' = 'prophet' AND (mb->>'regressors')::int = 1) AS prophet_members_with_events
  FROM (SELECT doliflow_analytics.forecast_summary(doliflow_analytics.forecast_fit(day, qty, '{"method": "auto_full", "events": [{"name": "promo_spring",
        "ranges": [["2023-04-10", "2023-04-16"]]}]}')) AS s FROM ev_hist) x;
SELECT doliflow_analytics.forecast_summary(doliflow_analytics.forecast_fit(day, qty, '{"events": [{"name": "promo", "ranges": [["2023-04-10", "2023-04-16"]]}]}'))
         #>> '{demand_class}' AS class,
       doliflow_analytics.forecast_summary(doliflow_analytics.forecast_fit(day, qty, '{"events": [{"name": "promo", "ranges": [["2023-04-10", "2023-04-16"]]}]}'))
         #>> '{method}' AS method
  FROM ev_hist WHERE extract(day FROM day)::int % 9 = 0;
SELECT s->>'method' AS method, s->'events'->0->>'used' AS used, s->'events'->0->>'coefficient' AS coefficient
  FROM (SELECT doliflow_analytics.forecast_summary(doliflow_analytics.forecast_fit(day, qty, '{"events": [{"name": "promo", "days": ["2024-02-28"]}]}')) AS s
          FROM ev_hist WHERE day > '2024-02-25') x;

-- learned effect ~ planted: demand x2, i.e. (1 + y) x (1 + 2b)/(1 + b) ~ 1.98
SELECT e->>'name' AS name, e->>'kind' AS kind, (e->>'days_in_history')::int AS days_in_history,
       (e->>'used')::boolean AS used, e->>'scale' AS scale,
       (e->>'effect')::float8 BETWEEN 1.8 AND 2.2 AS effect_near_2,
       abs((e->>'coefficient')::float8 - ln((e->>'effect')::float8)) < 1e-9 AS effect_is_exp_coefficient
  FROM ev_models, jsonb_array_elements(doliflow_analytics.forecast_summary(m)->'events') e
 WHERE variant = 'with';

-- mean absolute error on the second occurrence (in the forecast horizon):
-- with the events option it is lower, and small against the promo level
CREATE TEMP TABLE ev_err AS
SELECT variant, avg(abs(f.yhat - s.qty)) AS mae, avg(s.qty) AS level
  FROM ev_models, doliflow_analytics.forecast(m, 28) f JOIN ev_sales s ON s.day = f.day
 WHERE f.day BETWEEN '2024-03-11' AND '2024-03-17'
 GROUP BY variant;
SELECT (SELECT mae FROM ev_err WHERE variant = 'with') < 0.5 * (SELECT mae FROM ev_err WHERE variant = 'without')
       AS with_events_halves_the_error,
       (SELECT mae / level FROM ev_err WHERE variant = 'with') < 0.15 AS with_events_within_15pct;
-- outside the promotion the two forecasts stay close
SELECT max(abs(a.yhat - b.yhat)) < 0.2 * avg(a.yhat) AS same_outside_promo
  FROM ev_models ma, doliflow_analytics.forecast(ma.m, 28) a, ev_models mb, doliflow_analytics.forecast(mb.m, 28) b
 WHERE ma.variant = 'with' AND mb.variant = 'without' AND a.day = b.day
   AND a.day NOT BETWEEN '2024-03-11' AND '2024-03-17';

-- feeding the learned effect back as a fixed prior (the nightly module's
-- loop): the coefficient is exactly the prior, the forecast keeps the lift
CREATE TEMP TABLE ev_fixed AS
SELECT doliflow_analytics.forecast_fit(day, qty, jsonb_build_object('events', jsonb_build_array(jsonb_build_object(
         'name', 'promo_spring', 'days', jsonb_build_array('2024-03-11', '2024-03-12', '2024-03-13',
                 '2024-03-14', '2024-03-15', '2024-03-16', '2024-03-17'),
         'prior_mean', (SELECT (doliflow_analytics.forecast_summary(m)->'events'->0->>'coefficient')::float8
                          FROM ev_models WHERE variant = 'with'),
         'fixed', true)))) AS m
  FROM ev_hist WHERE day >= '2023-06-01';
SELECT (e->>'fixed')::boolean AS fixed, (e->>'days_in_history')::int AS days_in_history,
       (e->>'coefficient')::float8 = (e->>'prior_mean')::float8 AS coefficient_is_prior
  FROM ev_fixed, jsonb_array_elements(doliflow_analytics.forecast_summary(m)->'events') e;
SELECT avg(f.yhat) FILTER (WHERE f.day BETWEEN '2024-03-11' AND '2024-03-17')
       > 1.6 * avg(f.yhat) FILTER (WHERE f.day NOT BETWEEN '2024-03-11' AND '2024-03-17') AS lift_applied
  FROM ev_fixed, doliflow_analytics.forecast(m, 28) f;

-- French public holidays: a shop closed on every holiday (demand 0)
CREATE TEMP TABLE hol_sales AS
SELECT d::date AS day,
       CASE WHEN d IN ('2022-07-14', '2022-08-15', '2022-11-01', '2022-11-11', '2022-12-25',
                       '2023-01-01', '2023-04-10', '2023-05-01', '2023-05-08', '2023-05-18',
                       '2023-05-29', '2023-07-14', '2023-08-15', '2023-11-01', '2023-11-11',
                       '2023-12-25', '2024-01-01', '2024-04-01')
            THEN 0 ELSE round(40 + 10 * sin(i * 2 * pi() / 7) + ((i * 31) % 7 - 3)) END::float8 AS qty
  FROM generate_series(0, 694) i, LATERAL (SELECT date '2022-06-01' + i) g(d);
CREATE TEMP TABLE hol_model AS
SELECT doliflow_analytics.forecast_fit(day, qty, '{"holidays": "fr"}') AS m FROM hol_sales;
-- 19 holidays from 2022-06-01 to 2024-04-25: 6 in 2022 (Whit Monday 6 June
-- is one, although this shop opened that day), 11 in 2023, 2 in 2024
SELECT e->>'name' AS name, e->>'kind' AS kind, (e->>'days_in_history')::int AS days_in_history,
       (e->>'effect')::float8 < 0.2 AS effect_below_0_2
  FROM hol_model, jsonb_array_elements(doliflow_analytics.forecast_summary(m)->'events') e;
-- the future holidays (1, 8 and 9 May 2024: Labour Day, VE Day, Ascension)
-- are applied by forecast()
SELECT f.day, f.yhat < 0.3 * avg(f.yhat) OVER () AS low
  FROM hol_model, doliflow_analytics.forecast(m, 14) f
 WHERE f.day IN ('2024-04-30', '2024-05-01', '2024-05-02', '2024-05-08', '2024-05-09')
 ORDER BY f.day;
-- holidays as an object with its own name and prior
SELECT doliflow_analytics.forecast_summary(doliflow_analytics.forecast_fit(day, qty,
         '{"holidays": {"country": "FR", "name": "closed", "prior_mean": -3, "fixed": true}}'))->'events'->0->>'name'
  FROM hol_sales;

-- bad specifications: clear errors with an error code
\set VERBOSITY default
SELECT doliflow_analytics.forecast_fit(day, qty, '{"events": [{"name": "p", "days": ["2024-01-01"], "colour": 1}]}') FROM ev_hist;
\echo :LAST_ERROR_SQLSTATE
SELECT doliflow_analytics.forecast_fit(day, qty, '{"events": [{"name": "p", "days": ["2024-02-30"]}]}') FROM ev_hist;
\echo :LAST_ERROR_SQLSTATE
SELECT doliflow_analytics.forecast_fit(day, qty, '{"events": [{"name": "p", "days": ["10/03/2024"]}]}') FROM ev_hist;
\echo :LAST_ERROR_SQLSTATE
SELECT doliflow_analytics.forecast_fit(day, qty, '{"events": [{"name": "p", "days": ["2024-01-01"], "prior_mean": "NaN"}]}') FROM ev_hist;
\echo :LAST_ERROR_SQLSTATE
SELECT doliflow_analytics.forecast_fit(day, qty, jsonb_build_object('events', jsonb_build_array(jsonb_build_object(
         'name', 'p', 'days', jsonb_build_array('2024-01-01'), 'prior_scale', 'NaN'::float8)))) FROM ev_hist;
\echo :LAST_ERROR_SQLSTATE
SELECT doliflow_analytics.forecast_fit(day, qty, '{"events": [{"name": "p", "days": ["2024-01-01"], "prior_scale": 0}]}') FROM ev_hist;
\echo :LAST_ERROR_SQLSTATE
SELECT doliflow_analytics.forecast_fit(day, qty, '{"events": [{"name": "p", "ranges": [["2024-01-05", "2024-01-01"]]}]}') FROM ev_hist;
\echo :LAST_ERROR_SQLSTATE
SELECT doliflow_analytics.forecast_fit(day, qty, '{"events": [{"name": "p", "ranges": [["2024-01-05"]]}]}') FROM ev_hist;
\echo :LAST_ERROR_SQLSTATE
SELECT doliflow_analytics.forecast_fit(day, qty, '{"events": [{"days": ["2024-01-01"]}]}') FROM ev_hist;
\echo :LAST_ERROR_SQLSTATE
SELECT doliflow_analytics.forecast_fit(day, qty, '{"events": [{"name": "p"}]}') FROM ev_hist;
\echo :LAST_ERROR_SQLSTATE
SELECT doliflow_analytics.forecast_fit(day, qty, '{"events": [{"name": "p", "days": []}, {"name": "p", "days": []}]}') FROM ev_hist;
\echo :LAST_ERROR_SQLSTATE
SELECT doliflow_analytics.forecast_fit(day, qty, '{"events": {"name": "p"}}') FROM ev_hist;
\echo :LAST_ERROR_SQLSTATE
SELECT doliflow_analytics.forecast_fit(day, qty, jsonb_build_object('events',
         (SELECT jsonb_agg(jsonb_build_object('name', 'e' || k, 'days', jsonb_build_array('2024-01-01')))
            FROM generate_series(1, 33) k))) FROM ev_hist;
\echo :LAST_ERROR_SQLSTATE
SELECT doliflow_analytics.forecast_fit(day, qty, '{"holidays": "de"}') FROM ev_hist;
\echo :LAST_ERROR_SQLSTATE
SELECT doliflow_analytics.forecast_fit(day, qty, '{"holidays": "fr", "period": 1}') FROM ev_hist;
\echo :LAST_ERROR_SQLSTATE
-- 32 events are accepted (the limit)
SELECT jsonb_array_length(doliflow_analytics.forecast_summary(doliflow_analytics.forecast_fit(day, qty, jsonb_build_object('events',
         (SELECT jsonb_agg(jsonb_build_object('name', 'e' || k, 'days', jsonb_build_array('2024-01-01')))
            FROM generate_series(1, 32) k))))->'events') AS n_events
  FROM ev_hist;

-- the model value with events round-trips through text and bytea, and a
-- corrupted events block is rejected
SELECT doliflow_analytics.forecast_summary(m::text::doliflow_analytics.forecast_model) = doliflow_analytics.forecast_summary(m) AS text_roundtrip,
       doliflow_analytics.forecast_model_is_valid(m::bytea) AS valid,
       doliflow_analytics.forecast_model_is_valid(overlay(m::bytea placing '\xff'::bytea from length(m::bytea) - 4 * 640 - 20)) AS corrupted_valid
  FROM ev_models WHERE variant = 'with';
