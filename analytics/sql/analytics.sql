-- Analytics glue: robust statistics, isolation forest, k-means, duration model.
-- Values are rounded so that the expected output does not depend on the last bits.
SET extra_float_digits = 0;

-- Deterministic pseudo-random numbers: u(i, salt) in [0,1), g(i, salt) ~ approx N(0,1).
CREATE FUNCTION pg_temp.u(i int, salt int) RETURNS float8 LANGUAGE sql IMMUTABLE
	RETURN ((hashint4(i * 7919 + salt) & 1048575)::float8 / 1048576.0);
CREATE FUNCTION pg_temp.g(i int, salt int) RETURNS float8 LANGUAGE sql IMMUTABLE
	RETURN (pg_temp.u(i, salt) + pg_temp.u(i, salt + 1) + pg_temp.u(i, salt + 2)
	        + pg_temp.u(i, salt + 3) - 2.0) * sqrt(3.0);

------------------------------------------------------------------------------
-- robust_stats / robust_z
------------------------------------------------------------------------------
-- hand values: median 3, MAD = 1.4826 * median(|x-3|) = 1.4826 * 1
SELECT (s).n, (s).median, round((s).mad::numeric, 6) AS mad, (s).q1, (s).q3, (s).mean_abs_dev, (s).min, (s).max,
       round((s).scale::numeric, 6) AS scale, (s).scale_method,
       round(doliflow_analytics.robust_z(s, 100)::numeric, 4) AS z_of_100
  FROM (SELECT doliflow_analytics.robust_stats(x) AS s FROM unnest('{1,2,3,4,100}'::float8[]) AS x) AS t;
-- even count, NULLs skipped
SELECT (doliflow_analytics.robust_stats(x)).median, (doliflow_analytics.robust_stats(x)).n
  FROM unnest('{4,NULL,1,3,2}'::float8[]) AS x;
-- MAD = 0 fallbacks: IQR, then mean absolute deviation, then the floor
SELECT g, (s).scale_method, round((s).scale::numeric, 6) AS scale
  FROM (SELECT g, doliflow_analytics.robust_stats(x) AS s
          FROM (VALUES (1, 1), (1, 1), (1, 1), (1, 1), (1, 1), (1, 2), (1, 3), (1, 10),
                       (2, 5), (2, 5), (2, 5), (2, 5), (2, 9),
                       (3, 7), (3, 7), (3, 7)) AS v(g, x)
         GROUP BY g) AS t ORDER BY g;
-- single row, empty input, all-NULL input
SELECT (doliflow_analytics.robust_stats(x)).* FROM (VALUES (42.0::float8)) AS v(x);
SELECT doliflow_analytics.robust_stats(x) IS NULL AS empty_is_null FROM unnest('{}'::float8[]) AS x;
SELECT doliflow_analytics.robust_stats(x) IS NULL AS all_null_is_null FROM unnest('{NULL,NULL}'::float8[]) AS x;
-- bad input
SELECT doliflow_analytics.robust_stats(x) FROM unnest('{1,NaN,3}'::float8[]) AS x;
SELECT doliflow_analytics.robust_stats(x) FROM unnest('{1,Infinity}'::float8[]) AS x;
SELECT doliflow_analytics.robust_stats(x) FROM unnest('{-Infinity}'::float8[]) AS x;
SELECT doliflow_analytics.robust_z((3, 3, 1, 1, 1, 1, 1, 1, 1, 'mad')::doliflow_analytics.robust_summary, 'NaN');
SELECT doliflow_analytics.robust_z((3, 3, 1, 1, 1, 1, 1, 1, 0, 'mad')::doliflow_analytics.robust_summary, 1);
SELECT doliflow_analytics.robust_z(NULL, 1) IS NULL AS null_summary_gives_null;

-- per peer group: abnormally long interventions
CREATE TABLE interventions AS
SELECT i, (ARRAY['maintenance', 'repair', 'install'])[1 + i % 3] AS kind,
       CASE WHEN i % 1000 = 7 THEN 40.0 ELSE 2.0 + (i % 3) + pg_temp.g(i, 1) * 0.3 END AS hours
  FROM generate_series(1, 30000) AS i;
WITH s AS (SELECT kind, doliflow_analytics.robust_stats(hours) AS st FROM interventions GROUP BY kind)
SELECT count(*) AS flagged, count(*) FILTER (WHERE i % 1000 = 7) AS planted_found
  FROM interventions JOIN s USING (kind)
 WHERE abs(doliflow_analytics.robust_z(st, hours)) > 5;

------------------------------------------------------------------------------
-- Parallel plans give the same results as serial ones
------------------------------------------------------------------------------
CREATE TABLE points AS
SELECT i, i % 4 AS grp,
       CASE WHEN i % 2000 = 0 THEN ARRAY[9 + pg_temp.u(i, 5), -9 + pg_temp.u(i, 6)]
            ELSE ARRAY[(i % 3) * 6 + pg_temp.g(i, 10), ((i % 3) % 2) * 6 + pg_temp.g(i, 20)] END AS f,
       pg_temp.g(i, 30) * 10 + 100 AS v
  FROM generate_series(1, 200000) AS i;
ANALYZE points;
ANALYZE interventions;

CREATE TABLE serial_results AS
SELECT (SELECT doliflow_analytics.robust_stats(v) FROM points) AS robust,
       (SELECT md5(doliflow_analytics.iforest_fit(f)::bytea) FROM points) AS iforest,
       (SELECT md5(doliflow_analytics.kmeans_fit(f, 3, 7)::bytea) FROM points) AS kmeans,
       (SELECT md5(doliflow_analytics.duration_fit(kind, 'city' || (i % 5), 'tech' || (i % 7), hours * 0.9, 1 + i % 12, hours)::bytea)
          FROM interventions) AS duration;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT doliflow_analytics.robust_stats(v) FROM points;
EXPLAIN (COSTS OFF) SELECT doliflow_analytics.iforest_fit(f) FROM points;
SELECT (SELECT doliflow_analytics.robust_stats(v) FROM points) = robust AS robust_same,
       (SELECT md5(doliflow_analytics.iforest_fit(f)::bytea) FROM points) = iforest AS iforest_same,
       (SELECT md5(doliflow_analytics.kmeans_fit(f, 3, 7)::bytea) FROM points) = kmeans AS kmeans_same,
       (SELECT md5(doliflow_analytics.duration_fit(kind, 'city' || (i % 5), 'tech' || (i % 7), hours * 0.9, 1 + i % 12, hours)::bytea)
          FROM interventions) = duration AS duration_same
  FROM serial_results;
-- grouped parallel aggregation too
SELECT grp, round((doliflow_analytics.robust_stats(v)).median::numeric, 3) AS median
  FROM points GROUP BY grp ORDER BY grp;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

------------------------------------------------------------------------------
-- Isolation forest
------------------------------------------------------------------------------
CREATE TABLE forest AS SELECT doliflow_analytics.iforest_fit(f) AS model FROM points;
-- planted outliers (every 2000th point, far from the three blobs) score high
SELECT count(*) AS outliers,
       min(doliflow_analytics.iforest_score(model, f)) > 0.6 AS all_outliers_above_0_6
  FROM points, forest WHERE i % 2000 = 0;
SELECT avg(doliflow_analytics.iforest_score(model, f)) < 0.5 AS inliers_average_below_0_5
  FROM points, forest WHERE i % 2000 <> 0 AND i % 10 = 1;
-- the reason: a point unusual only in its first feature (y = 0 is common), then only in its second
SELECT e ->> 'top_feature' AS top_feature
  FROM (SELECT doliflow_analytics.iforest_explain(model, ARRAY[40, 0], ARRAY['hours', 'cost']) AS e FROM forest) AS s;
SELECT e ->> 'top_feature' AS top_feature, (e ->> 'score')::float8 > 0.6 AS high
  FROM (SELECT doliflow_analytics.iforest_explain(model, ARRAY[0, -30], ARRAY['hours', 'cost']) AS e FROM forest) AS s;
SELECT jsonb_typeof(doliflow_analytics.iforest_explain(model, ARRAY[1, 1]) -> 'shares') AS shares FROM forest;
-- summary: the forest's shape, from the model alone
SELECT s ->> 'trees' AS trees, s ->> 'sample_size' AS sample_size, s ->> 'max_depth' AS max_depth,
       s ->> 'features' AS features, (s ->> 'rows')::int = (SELECT count(*) FROM points) AS rows_all, s ->> 'seed' AS seed
  FROM (SELECT doliflow_analytics.iforest_summary(model) AS s FROM forest) AS x;
SELECT s ->> 'trees' AS trees, s ->> 'sample_size' AS sample_size, s ->> 'max_depth' AS max_depth, s ->> 'rows' AS rows, s ->> 'seed' AS seed
  FROM (SELECT doliflow_analytics.iforest_summary(doliflow_analytics.iforest_fit(f, '{"n_trees": 10, "subsample": 64, "seed": 1}')) AS s
          FROM points WHERE i <= 1000) AS x;
SELECT doliflow_analytics.iforest_summary(NULL) IS NULL AS null_model_null_summary;
SELECT doliflow_analytics.iforest_summary(set_byte(model::bytea, length(model::bytea) / 2, get_byte(model::bytea, length(model::bytea) / 2) # 1)::doliflow_analytics.iforest_model) FROM forest;
SELECT doliflow_analytics.iforest_summary(substring(model::bytea FROM 1 FOR length(model::bytea) - 1)::doliflow_analytics.iforest_model) FROM forest;
SELECT doliflow_analytics.iforest_summary(doliflow_analytics.kmeans_fit(f, 2)::bytea::doliflow_analytics.iforest_model) FROM points WHERE i <= 10;
-- options
SELECT length(doliflow_analytics.iforest_fit(f, '{"n_trees": 10, "subsample": 64, "seed": 1}')::bytea) < length((SELECT model::bytea FROM forest)) AS smaller
  FROM points WHERE i <= 1000;
SELECT doliflow_analytics.iforest_fit(f, '{"n_trees": 0}') FROM points WHERE i <= 10;
SELECT doliflow_analytics.iforest_fit(f, '{"subsample": "many"}') FROM points WHERE i <= 10;
SELECT doliflow_analytics.iforest_fit(f, '[1]') FROM points WHERE i <= 10;
SELECT doliflow_analytics.iforest_fit(f, o) FROM (VALUES (ARRAY[1.0::float8], '{"seed": 1}'::jsonb), (ARRAY[2.0], '{"seed": 2}')) AS v(f, o);
-- edge cases
SELECT doliflow_analytics.iforest_fit(f) IS NULL AS no_rows FROM points WHERE false;
SELECT doliflow_analytics.iforest_score(doliflow_analytics.iforest_fit(f), ARRAY[1.0::float8, 2.0]) AS single_row_score
  FROM (VALUES (ARRAY[1.0::float8, 2.0])) AS v(f);
SELECT doliflow_analytics.iforest_fit(f) IS NOT NULL AS null_rows_skipped FROM (VALUES (NULL::float8[]), (ARRAY[1.0::float8])) AS v(f);
SELECT doliflow_analytics.iforest_fit(f) FROM (VALUES (ARRAY[1, NULL]::float8[])) AS v(f);
SELECT doliflow_analytics.iforest_fit(f) FROM (VALUES (ARRAY[1, 'NaN']::float8[])) AS v(f);
SELECT doliflow_analytics.iforest_fit(f) FROM (VALUES (ARRAY['Infinity']::float8[])) AS v(f);
SELECT doliflow_analytics.iforest_fit(f) FROM (VALUES (ARRAY[1, 2]::float8[]), (ARRAY[1]::float8[])) AS v(f);
SELECT doliflow_analytics.iforest_fit(f) FROM (VALUES ('{}'::float8[])) AS v(f);
SELECT doliflow_analytics.iforest_fit(f) FROM (VALUES ('{{1,2},{3,4}}'::float8[])) AS v(f);
SELECT doliflow_analytics.iforest_score(model, ARRAY[1.0::float8]) FROM forest;
SELECT doliflow_analytics.iforest_score(model, ARRAY[1.0, 'NaN']::float8[]) FROM forest;
-- corrupted and truncated models are rejected with an error, never a crash
SELECT doliflow_analytics.iforest_score(set_byte(model::bytea, length(model::bytea) / 2, get_byte(model::bytea, length(model::bytea) / 2) # 1)::doliflow_analytics.iforest_model, ARRAY[1.0::float8, 2.0]) FROM forest;
SELECT doliflow_analytics.iforest_score(substring(model::bytea FROM 1 FOR length(model::bytea) - 1)::doliflow_analytics.iforest_model, ARRAY[1.0::float8, 2.0]) FROM forest;
SELECT doliflow_analytics.iforest_score(substring(model::bytea FROM 1 FOR 10)::doliflow_analytics.iforest_model, ARRAY[1.0::float8, 2.0]) FROM forest;
SELECT doliflow_analytics.iforest_score(set_byte(model::bytea, 4, 99)::doliflow_analytics.iforest_model, ARRAY[1.0::float8, 2.0]) FROM forest;
SELECT doliflow_analytics.iforest_score('\x'::bytea::doliflow_analytics.iforest_model, ARRAY[1.0::float8, 2.0]);
SELECT doliflow_analytics.iforest_score(doliflow_analytics.kmeans_fit(f, 2)::bytea::doliflow_analytics.iforest_model, ARRAY[1.0::float8, 2.0]) FROM points WHERE i <= 10;

------------------------------------------------------------------------------
-- k-means
------------------------------------------------------------------------------
CREATE TABLE km AS SELECT doliflow_analytics.kmeans_fit(f, 3, 7) AS model FROM points WHERE i % 2000 <> 0;
SELECT (doliflow_analytics.kmeans_summary(model) ->> 'k')::int AS k,
       (doliflow_analytics.kmeans_summary(model) ->> 'features')::int AS features,
       (doliflow_analytics.kmeans_summary(model) ->> 'scaling') AS scaling,
       (SELECT jsonb_agg(jsonb_build_array(round((c ->> 0)::numeric), round((c ->> 1)::numeric)))
          FROM jsonb_array_elements(doliflow_analytics.kmeans_summary(model) -> 'centroids') AS c) AS centroids
  FROM km;
-- every blob (i % 3) maps to exactly one cluster, and the clusters are distinct
SELECT i % 3 AS blob, count(DISTINCT doliflow_analytics.kmeans_assign(model, f)) AS clusters_used,
       min(doliflow_analytics.kmeans_assign(model, f)) AS cluster
  FROM points, km WHERE i % 2000 <> 0 GROUP BY 1 ORDER BY 1;
-- k larger than the number of distinct points, one row, scaling variants
SELECT doliflow_analytics.kmeans_summary(doliflow_analytics.kmeans_fit(f, 5)) ->> 'k' AS k_found
  FROM (VALUES (ARRAY[1.0::float8, 1]), (ARRAY[1.0::float8, 1]), (ARRAY[5.0::float8, 5])) AS v(f);
SELECT doliflow_analytics.kmeans_summary(doliflow_analytics.kmeans_fit(f, 2)) ->> 'k' AS k_one_row FROM (VALUES (ARRAY[3.0::float8])) AS v(f);
SELECT doliflow_analytics.kmeans_summary(doliflow_analytics.kmeans_fit(f, 2, 1, 'robust')) ->> 'scaling' AS robust,
       doliflow_analytics.kmeans_summary(doliflow_analytics.kmeans_fit(f, 2, 1, 'none')) ->> 'scaling' AS none
  FROM points WHERE i <= 100;
SELECT doliflow_analytics.kmeans_fit(f, 2, 1, 'minmax') FROM points WHERE i <= 10;
SELECT doliflow_analytics.kmeans_fit(f, 0) FROM points WHERE i <= 10;
SELECT doliflow_analytics.kmeans_fit(f, NULL) FROM points WHERE i <= 10;
SELECT doliflow_analytics.kmeans_fit(f, k) FROM (VALUES (ARRAY[1.0::float8], 2), (ARRAY[2.0::float8], 3)) AS v(f, k);
SELECT doliflow_analytics.kmeans_fit(f, 2) IS NULL AS no_rows FROM points WHERE false;
SELECT doliflow_analytics.kmeans_fit(f, 2) FROM (VALUES (ARRAY['NaN']::float8[])) AS v(f);
SELECT doliflow_analytics.kmeans_assign(model, ARRAY[1.0::float8]) FROM km;
SELECT doliflow_analytics.kmeans_assign(substring(model::bytea FROM 1 FOR length(model::bytea) - 8)::doliflow_analytics.kmeans_model, ARRAY[1.0::float8, 2]) FROM km;
SELECT doliflow_analytics.kmeans_assign(set_byte(model::bytea, 30, get_byte(model::bytea, 30) # 128)::doliflow_analytics.kmeans_model, ARRAY[1.0::float8, 2]) FROM km;

------------------------------------------------------------------------------
-- Intervention duration model
------------------------------------------------------------------------------
-- planted: log(actual) = 0.1 + 0.85 log(estimate) + type + city + technician + noise(0.2)
CREATE TABLE tickets AS
SELECT i, kind, city, tech, month, est, exp(0.1 + 0.85 * ln(est0) + type_eff + city_eff + tech_eff + 0.2 * pg_temp.g(i, 50)) AS actual
  FROM (SELECT i,
               (ARRAY['maintenance', 'repair', 'install', 'diagnostic'])[1 + i % 4] AS kind,
               (ARRAY[-0.3, 0.0, 0.4, -0.1])[1 + i % 4] AS type_eff,
               (ARRAY['Paris', 'Lyon', 'Lille', 'Nantes', 'Nice'])[1 + (i / 4) % 5] AS city,
               (ARRAY[0.1, -0.1, 0.0, 0.2, -0.2])[1 + (i / 4) % 5] AS city_eff,
               'tech' || (i % 7) AS tech, ((i % 7) - 3) * 0.05 AS tech_eff,
               1 + i % 12 AS month,
               exp(ln(3) + 0.5 * pg_temp.g(i, 60)) AS est0,
               CASE WHEN i % 10 = 0 THEN NULL ELSE exp(ln(3) + 0.5 * pg_temp.g(i, 60)) END AS est
          FROM generate_series(1, 12000) AS i) AS s;
CREATE TABLE dmodel AS
SELECT doliflow_analytics.duration_fit(kind, city, tech, est, month, actual) AS model FROM tickets WHERE i <= 10000;
SELECT (info ->> 'rows')::int AS rows, (info ->> 'rows_with_estimate')::int AS with_estimate,
       round((info ->> 'log_estimate_coef')::numeric, 2) AS elasticity,
       round((info ->> 'sigma')::numeric, 2) AS sigma,
       round(((info -> 'effects' -> 'intervention_type' -> 'install' ->> 'coef')::numeric
            - (info -> 'effects' -> 'intervention_type' -> 'maintenance' ->> 'coef')::numeric), 2) AS install_minus_maintenance
  FROM (SELECT doliflow_analytics.duration_summary(model) AS info FROM dmodel) AS s;
-- the seed's example call
SELECT round((p ->> 'predicted_duration')::numeric, 1) AS predicted_duration,
       round((p ->> 'confidence')::numeric, 1) AS confidence,
       (p ->> 'confidence')::float8 BETWEEN 0 AND 1 AS confidence_in_0_1,
       (p ->> 'interval_low')::float8 < (p ->> 'predicted_duration')::float8 AS low_below,
       p -> 'known' AS known
  FROM (SELECT doliflow_analytics.duration_predict(model, '{"intervention_type":"maintenance","estimated_duration":4,"city":"Paris"}') AS p
          FROM dmodel) AS s;
-- unknown city / no estimate: the prediction falls back and the confidence drops
SELECT (a ->> 'confidence')::float8 > (b ->> 'confidence')::float8 AS unknown_city_less_confident,
       (b ->> 'confidence')::float8 > (c ->> 'confidence')::float8 AS no_estimate_less_confident,
       b -> 'known' ->> 'city' AS city_known,
       c ->> 'used_estimate' AS used_estimate
  FROM (SELECT doliflow_analytics.duration_predict(model, '{"intervention_type":"repair","estimated_duration":4,"city":" PARIS "}') AS a,
               doliflow_analytics.duration_predict(model, '{"intervention_type":"repair","estimated_duration":4,"city":"Atlantis"}') AS b,
               doliflow_analytics.duration_predict(model, '{"intervention_type":"repair","city":"Atlantis"}') AS c
          FROM dmodel) AS s;
SELECT doliflow_analytics.duration_predict(model, '{}') ->> 'used_estimate' AS empty_features_ok FROM dmodel;
-- holdout: the model beats "estimate as given" and "mean per type" (mean absolute error in hours)
WITH type_mean AS (SELECT kind, avg(actual) AS m FROM tickets WHERE i <= 10000 GROUP BY kind),
     h AS (SELECT t.actual, coalesce(t.est, tm.m) AS by_estimate, tm.m AS by_type,
                  (doliflow_analytics.duration_predict(d.model, jsonb_build_object('intervention_type', t.kind, 'city', t.city,
                      'technician', t.tech, 'estimated_duration', t.est, 'month', t.month)) ->> 'predicted_duration')::float8 AS by_model
             FROM tickets t JOIN type_mean tm USING (kind), dmodel d WHERE t.i > 10000)
SELECT avg(abs(by_model - actual)) < 0.8 * avg(abs(by_estimate - actual)) AS beats_estimate,
       avg(abs(by_model - actual)) < 0.8 * avg(abs(by_type - actual)) AS beats_type_mean
  FROM h;
-- severity variant, skipped rows, bad input
SELECT (doliflow_analytics.duration_summary(doliflow_analytics.duration_fit(kind, city, tech, 'HIGH', est, month, actual)) -> 'effects' -> 'severity') ? 'high' AS severity_levels
  FROM tickets WHERE i <= 100;
SELECT doliflow_analytics.duration_summary(doliflow_analytics.duration_fit(k, c, t, e, m, a)) ->> 'rows' AS rows_kept
  FROM (VALUES ('a', 'x', 't', 1.0::float8, 1, 2.0::float8), ('a', 'x', 't', 1, 1, NULL), ('a', 'x', 't', 1, 1, 0), ('a', 'x', 't', 1, 1, -3)) AS v(k, c, t, e, m, a);
SELECT doliflow_analytics.duration_fit(k, c, t, e, m, a) IS NULL AS nothing_usable
  FROM (VALUES ('a', 'x', 't', 1.0::float8, 1, 0.0::float8)) AS v(k, c, t, e, m, a);
SELECT doliflow_analytics.duration_fit(k, c, t, e, m, a) FROM (VALUES ('a', 'x', 't', 1.0::float8, 1, 'NaN'::float8)) AS v(k, c, t, e, m, a);
SELECT doliflow_analytics.duration_fit(k, c, t, e, m, a) FROM (VALUES ('a', 'x', 't', 'Infinity'::float8, 1, 2.0::float8)) AS v(k, c, t, e, m, a);
SELECT doliflow_analytics.duration_fit(k, c, t, e, m, a) FROM (VALUES ('a', 'x', 't', 1.0::float8, 13, 2.0::float8)) AS v(k, c, t, e, m, a);
SELECT doliflow_analytics.duration_fit(repeat('x', 2000), 'c', 't', 1.0, 1, 2.0);
SELECT doliflow_analytics.duration_predict(model, '{"estimated_duration":"NaN"}') FROM dmodel;
SELECT doliflow_analytics.duration_predict(model, '{"month":14}') FROM dmodel;
SELECT doliflow_analytics.duration_predict(model, '{}', 1.5) FROM dmodel;
SELECT doliflow_analytics.duration_predict(NULL, '{}') IS NULL AS null_model_null_result;
SELECT doliflow_analytics.duration_predict(substring(model::bytea FROM 1 FOR length(model::bytea) - 3)::doliflow_analytics.duration_model, '{}') FROM dmodel;
SELECT doliflow_analytics.duration_predict(set_byte(model::bytea, 40, get_byte(model::bytea, 40) # 2)::doliflow_analytics.duration_model, '{}') FROM dmodel;
SELECT doliflow_analytics.duration_predict((SELECT model::bytea FROM forest)::doliflow_analytics.duration_model, '{}');

------------------------------------------------------------------------------
-- Model types: text form (description # base64), binary (send/recv through \copy binary),
-- the bytea casts, and every way in rejecting bad bytes
------------------------------------------------------------------------------
SELECT pg_typeof(model) AS type FROM forest UNION ALL SELECT pg_typeof(model) FROM km UNION ALL SELECT pg_typeof(model) FROM dmodel;
SELECT split_part(model::text, ' #', 1) AS description FROM km;
SELECT split_part(model::text, ' #', 1) AS description FROM forest;
SELECT split_part(model::text, ' #', 1) AS description FROM dmodel;
-- text round trips give the same bytes
SELECT (SELECT model::text::doliflow_analytics.iforest_model::bytea = model::bytea FROM forest) AS iforest_text,
       (SELECT model::text::doliflow_analytics.kmeans_model::bytea = model::bytea FROM km) AS kmeans_text,
       (SELECT model::text::doliflow_analytics.duration_model::bytea = model::bytea FROM dmodel) AS duration_text;
-- the description is only for reading: the bytes after the last # decide
SELECT doliflow_analytics.kmeans_summary(('anything #' || split_part(model::text, '#', 2))::doliflow_analytics.kmeans_model) ->> 'k' AS k FROM km;
-- binary round trips (send, then recv: psql \copy in binary format)
CREATE TEMP TABLE types_bin (i doliflow_analytics.iforest_model, k doliflow_analytics.kmeans_model, d doliflow_analytics.duration_model);
INSERT INTO types_bin SELECT f.model, k.model, d.model FROM forest f, km k, dmodel d;
\copy types_bin TO 'results/analytics_types.bin' WITH (FORMAT binary)
CREATE TEMP TABLE types_back (LIKE types_bin);
\copy types_back FROM 'results/analytics_types.bin' WITH (FORMAT binary)
SELECT b.i::bytea = t.i::bytea AS iforest_binary, b.k::bytea = t.k::bytea AS kmeans_binary, b.d::bytea = t.d::bytea AS duration_binary
  FROM types_back b, types_bin t;
-- recv validates: a kmeans model's bytes in an iforest_model column
CREATE TEMP TABLE types_wrong (i doliflow_analytics.kmeans_model);
INSERT INTO types_wrong SELECT model FROM km;
\copy types_wrong TO 'results/analytics_types_wrong.bin' WITH (FORMAT binary)
CREATE TEMP TABLE types_wrong_back (i doliflow_analytics.iforest_model);
\copy types_wrong_back FROM 'results/analytics_types_wrong.bin' WITH (FORMAT binary)
-- NULL stays NULL through the casts
SELECT NULL::bytea::doliflow_analytics.iforest_model IS NULL AS i_null, NULL::bytea::doliflow_analytics.kmeans_model IS NULL AS k_null, NULL::bytea::doliflow_analytics.duration_model IS NULL AS d_null,
       NULL::text::doliflow_analytics.kmeans_model IS NULL AS text_null;
-- text input garbage
SELECT 'kmeans k=3'::doliflow_analytics.kmeans_model;
SELECT 'x #not base64!'::doliflow_analytics.iforest_model;
SELECT 'x #'::doliflow_analytics.duration_model;
SELECT 'x #AAAA'::doliflow_analytics.kmeans_model;
-- the wrong kind, truncated or flipped bytes, through text and through the cast
SELECT ('x #' || split_part(model::text, '#', 2))::doliflow_analytics.duration_model FROM km;
SELECT ('x #' || translate(encode(substring(model::bytea FROM 1 FOR length(model::bytea) - 1), 'base64'), E'\n', ''))::doliflow_analytics.kmeans_model FROM km;
SELECT set_byte(model::bytea, 20, get_byte(model::bytea, 20) # 1)::doliflow_analytics.kmeans_model FROM km;
SELECT substring(model::bytea FROM 1 FOR 12)::doliflow_analytics.duration_model FROM dmodel;
SELECT (model::bytea || '\x00'::bytea)::doliflow_analytics.iforest_model FROM forest;
SELECT set_byte(model::bytea, 0, 0)::doliflow_analytics.duration_model FROM dmodel;
