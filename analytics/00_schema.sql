-- doliflow_analytics install script, part 00: the schema.
-- Assembled with the other analytics/NN_*.sql parts into doliflow_analytics--<version>.sql.

\echo Use "CREATE EXTENSION doliflow_analytics" to load this file. \quit

-- The control file names the schema: CREATE EXTENSION creates it when missing and records it
-- as pg_extension.extnamespace (so pg_dump restores it WITH SCHEMA doliflow_analytics).
COMMENT ON SCHEMA doliflow_analytics IS 'doliflow_analytics: forecasting, robust statistics, isolation forest, k-means and duration model; needs no Dolibarr source, any role may use it';
-- Pure functions over their arguments: any role may call them.
GRANT USAGE ON SCHEMA doliflow_analytics TO PUBLIC;
