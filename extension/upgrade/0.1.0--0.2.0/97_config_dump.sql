-- doliflow 0.1.0 -> 0.2.0, part 97: what pg_dump keeps (extension/86_config_dump.sql), after
-- the registry rows of 95_rows.sql (the restore trigger below would turn their upserts into
-- plain value updates).
CREATE TRIGGER settings_restore BEFORE INSERT ON doliflow.settings
	FOR EACH ROW EXECUTE FUNCTION doliflow._settings_restore();
COMMENT ON TRIGGER settings_restore ON doliflow.settings IS 'pg_restore of the dumped changed settings into a fresh install: an existing name is updated, not inserted';
SELECT pg_catalog.pg_extension_config_dump('doliflow.settings',
	'WHERE value IS DISTINCT FROM default_value');
-- dw.load_state is no longer dumped (the warehouse is not either: the first load after a
-- restore is a full one); dropping a config table from the extension drops its dump entry.
ALTER EXTENSION doliflow DROP TABLE dw.load_state;
ALTER EXTENSION doliflow ADD TABLE dw.load_state;
DO $$
DECLARE t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['dw.prediction_runs', 'dw.prediction_models', 'dw.predictions',
			'dw.analytics_runs', 'dw.models', 'dw.anomalies', 'dw.customer_segments', 'dw.insights',
			'dw.alert_snapshot', 'doliflow.report_pages'] LOOP
		PERFORM pg_catalog.pg_extension_config_dump(t::regclass, '');
	END LOOP;
END $$;
SELECT doliflow._config_dump_sequences();	-- (created by 90_code.sql)
