-- doliflow install script, part 86: what pg_dump keeps (issue 14, item 4).
--
-- The tables of an extension are not dumped unless marked with
-- pg_extension_config_dump; pg_restore into a database where CREATE EXTENSION
-- doliflow has run again then loads their rows.  The choice, table by table:
--
--   dumped (user data, history that cannot be recomputed):
--     doliflow.settings      only the rows changed after install (filter below;
--                            a restore turns each into an UPDATE of the
--                            installed row, see _settings_restore)
--     doliflow.events        (filled by the user only)
--     doliflow.run_log, doliflow.run_step   (the history of the runs)
--     doliflow.source_connection  (host, port, database, account name; never
--                            the password, which is in the user mapping)
--     lake.batch, lake.watermark and every lake.* table (these last are
--                            created by a loop in part 20, which marks them)
--     dw.prediction_runs, dw.prediction_models, dw.predictions  (forecast
--                            history and its accuracy; the past cannot be re-forecast)
--     dw.analytics_runs, dw.models, dw.anomalies, dw.customer_segments,
--     dw.insights, dw.alert_snapshot, doliflow.report_pages,
--     dw.simulation_runs, dw.simulation_results, dw.lead_time_accuracy
--                            (the nightly simulation: its replay reads the history
--                            of the period, which the lake keeps, but the forecasts
--                            it judged are those of that night)
--     dw.safety_stock        (the safety stock of each nightly forecast run, beside
--                            dw.predictions: its back-test is that night's)
--     and the identity sequences of every dumped table (else the next run_id
--     or model_id after a restore would collide with a restored row).
--
--   not dumped:
--     dw.dim_* / dw.fact_* and dw.load_state: derived from the lake (which is
--                            dumped); neither is dumped, so after a restore the
--                            warehouse is empty, load_state is empty, and the
--                            next load_warehouse is a full rebuild (the
--                            warehouse never claims batches it does not hold).
--     doliflow.pipeline_lock a claim names a backend of the old server; the
--                            installed free rows are kept.
--     registries filled by the install script (source_table, source_column,
--     analytics_input, quality_rule, warehouse_sources/targets, status_providers,
--     analytics_module, report_labels): their install rows are the truth of
--     the installed version.

-- A restored settings row whose name the fresh install already holds becomes
-- an UPDATE of the value (domain and description stay the installed
-- version's); without this the COPY of doliflow.settings would hit the
-- primary key and pg_restore would lose every restored setting.
CREATE FUNCTION doliflow._settings_restore() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM doliflow.settings s WHERE s.name = NEW.name) THEN
		UPDATE doliflow.settings s SET value = NEW.value WHERE s.name = NEW.name;
		RETURN NULL;
	END IF;
	RETURN NEW;
END;
$$;
COMMENT ON FUNCTION doliflow._settings_restore() IS 'Internal: an INSERT of a setting that exists updates its value instead (pg_restore of the dumped changed settings into a fresh install)';
CREATE TRIGGER settings_restore BEFORE INSERT ON doliflow.settings
	FOR EACH ROW EXECUTE FUNCTION doliflow._settings_restore();
REVOKE ALL ON FUNCTION doliflow._settings_restore() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION doliflow._settings_restore() TO doliflow_owner;	-- as apply_grants() does for every routine

-- The sequences of every dumped table of this extension (identity or serial) are dumped
-- too, else the next run_id or model_id after a restore would collide with a restored row.
-- Called by this part and by upgrade scripts once they have marked their tables
-- (pg_extension_config_dump works only while an extension script runs).
CREATE FUNCTION doliflow._config_dump_sequences() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	q regclass;
BEGIN
	FOR q IN SELECT DISTINCT d.objid::regclass
			   FROM pg_catalog.pg_extension e
			   CROSS JOIN LATERAL pg_catalog.unnest(e.extconfig) AS c(reloid)
			   JOIN pg_catalog.pg_depend d ON d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = c.reloid
			    AND d.classid = 'pg_catalog.pg_class'::regclass AND d.deptype IN ('a', 'i')
			   JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S'
			  WHERE e.extname = 'doliflow' LOOP
		PERFORM pg_catalog.pg_extension_config_dump(q, '');
	END LOOP;
END;
$$;
COMMENT ON FUNCTION doliflow._config_dump_sequences() IS 'Internal: marks for pg_dump the sequences of every table of doliflow that pg_dump keeps (install and upgrade scripts only)';
REVOKE ALL ON FUNCTION doliflow._config_dump_sequences() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION doliflow._config_dump_sequences() TO doliflow_owner;	-- as apply_grants() does for every routine

-- Only the rows changed since install: every write stamps updated_at with
-- now() (_settings_check), and the install script writes all of them in one
-- transaction, so the installed rows share the smallest updated_at.
-- The installed value of each setting is kept beside the current one (upgrade scripts set
-- it to the new release's default and keep the user's value), so "changed by the user" is
-- value <> default_value, whatever the write times say.
UPDATE doliflow.settings SET default_value = value;
SELECT pg_catalog.pg_extension_config_dump('doliflow.settings',
	'WHERE value IS DISTINCT FROM default_value');

DO $$
DECLARE t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['doliflow.events', 'doliflow.run_log', 'doliflow.run_step',
			'doliflow.source_connection', 'lake.batch', 'lake.watermark', 'dw.prediction_runs', 'dw.prediction_models', 'dw.predictions',
			'dw.analytics_runs', 'dw.models', 'dw.anomalies', 'dw.customer_segments', 'dw.insights',
			'dw.alert_snapshot', 'doliflow.report_pages',
			'dw.simulation_runs', 'dw.simulation_results', 'dw.lead_time_accuracy', 'dw.safety_stock'] LOOP
		PERFORM pg_catalog.pg_extension_config_dump(t::regclass, '');
	END LOOP;
END $$;
SELECT doliflow._config_dump_sequences();
COMMENT ON TRIGGER settings_restore ON doliflow.settings IS 'pg_restore of the dumped changed settings into a fresh install: an existing name is updated, not inserted';
