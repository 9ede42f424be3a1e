-- doliflow_analytics install script, part 00: the schema.
-- Assembled with the other analytics/NN_*.sql parts into doliflow_analytics--<version>.sql.

\echo Use "CREATE EXTENSION doliflow_analytics" to load this file. \quit

-- Created here, not by CREATE EXTENSION (the control file names no schema), so that it is a
-- member of the extension: DROP EXTENSION drops it too, and pg_extension.extnamespace names it.
CREATE SCHEMA doliflow_analytics;
COMMENT ON SCHEMA doliflow_analytics IS 'doliflow_analytics: forecasting, robust statistics, isolation forest, k-means and duration model; needs no Dolibarr source, any role may use it';
-- Pure functions over their arguments: any role may call them.
GRANT USAGE ON SCHEMA doliflow_analytics TO PUBLIC;
