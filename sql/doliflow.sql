-- The build chain: the C library loads, links GSL, and the install script
-- created the schemas and settings.
SELECT (doliflow.build_info() ->> 'doliflow') = extversion AS version_matches,
       doliflow.build_info() ? 'gsl_runtime' AS has_gsl
  FROM pg_extension WHERE extname = 'doliflow';

SELECT nspname FROM pg_namespace WHERE nspname IN ('doliflow', 'lake', 'dw', 'dolibarr') ORDER BY 1;

-- normal_quantile: known values, symmetry, and bad input.
SELECT round(doliflow.normal_quantile(0.95)::numeric, 6) AS z95,
       round(doliflow.normal_quantile(0.5)::numeric, 6) AS z50,
       round(doliflow.normal_quantile(0.975)::numeric, 6) AS z975,
       doliflow.normal_quantile(0.01) = -doliflow.normal_quantile(0.99) AS symmetric;
SELECT doliflow.normal_quantile(NULL) IS NULL AS null_in_null_out;
SELECT doliflow.normal_quantile(0);
SELECT doliflow.normal_quantile(1);
SELECT doliflow.normal_quantile('NaN');
SELECT doliflow.normal_quantile('Infinity');
SELECT doliflow.normal_quantile('-Infinity');
SELECT doliflow.normal_quantile(-0.5);
SELECT doliflow.normal_quantile(1e-300) < -37 AS tiny_tail;

-- Settings reject values of the wrong type and unknown names.
UPDATE doliflow.settings SET value = 'abc' WHERE name = 'lead_time_default_days';
UPDATE doliflow.settings SET value = '14' WHERE name = 'lead_time_default_days';
SELECT doliflow.setting('lead_time_default_days');
SELECT doliflow.setting('no_such_setting');
SELECT count(*) = count(description) AND bool_and(description <> '') AS every_setting_described
  FROM doliflow.settings;
