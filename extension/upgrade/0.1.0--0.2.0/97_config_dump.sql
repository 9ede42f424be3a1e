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
DECLARE t text; q text;
BEGIN
	FOREACH t IN ARRAY ARRAY['dw.prediction_runs', 'dw.prediction_models', 'dw.predictions',
			'dw.analytics_runs', 'dw.models', 'dw.anomalies', 'dw.customer_segments', 'dw.insights',
			'dw.alert_snapshot', 'doliflow.report_pages'] LOOP
		PERFORM pg_catalog.pg_extension_config_dump(t::regclass, '');
	END LOOP;
	-- The sequences of every dumped table (identity or serial), as 86_config_dump.sql.
	FOR q IN SELECT DISTINCT d.objid::regclass::text
			   FROM pg_catalog.pg_extension e
			   CROSS JOIN LATERAL pg_catalog.unnest(e.extconfig) AS c(reloid)
			   JOIN pg_catalog.pg_depend d ON d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = c.reloid
			    AND d.classid = 'pg_catalog.pg_class'::regclass AND d.deptype IN ('a', 'i')
			   JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S'
			  WHERE e.extname = 'doliflow' LOOP
		PERFORM pg_catalog.pg_extension_config_dump(q::regclass, '');
	END LOOP;
END $$;
