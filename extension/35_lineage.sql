-- doliflow install script, part 35: lineage of the outputs (issue 13).
--
-- What an output was computed from.  The warehouse load's own state is the only
-- record of "what was loaded from which lake batches": dw.load_state (the load's
-- run and the highest lake batch it read, last_batch) and lake.batch (per source
-- table, each extract's batch: loaded or failed).  From them this part derives,
-- for the current load, per source table:
--   * the batch the warehouse holds (the latest loaded batch up to last_batch)
--     and when it was read from the source (how old the data is);
--   * whether the table is missing: its latest extract up to the load failed
--     (the warehouse holds an older version of it, or none: never loaded).
-- Every analytics output records the load it was computed from (load_run_id)
-- and whether a source table of its inputs was missing then (complete,
-- missing_tables): dw.analytics_runs for the modules, dw.prediction_runs for
-- the forecasts.  A module reuses its outputs only while they were computed
-- from the current load and that load is complete for its inputs, whatever
-- their age.  dw.v_stock_alerts, dw.v_dashboard and doliflow.status() show
-- the same facts.

------------------------------------------------------------------------------
-- The inputs of each analytics module
------------------------------------------------------------------------------

CREATE TABLE doliflow.analytics_input (
	module       text NOT NULL,
	source_table text NOT NULL,
	PRIMARY KEY (module, source_table)
);
COMMENT ON TABLE doliflow.analytics_input IS 'Source tables (doliflow.source_table) each analytics module''s outputs are computed from, through the warehouse; a module with no row here depends on every source table. An output computed while one of them was missing (its extract failed) is marked incomplete';
COMMENT ON COLUMN doliflow.analytics_input.module IS 'Analytics module (doliflow.analytics_module.name)';
COMMENT ON COLUMN doliflow.analytics_input.source_table IS 'Dolibarr table it depends on';
INSERT INTO doliflow.analytics_input (module, source_table)
SELECT m.module, unnest(m.tables)
  FROM (VALUES
	('forecast', '{llx_product,llx_product_stock,llx_stock_mouvement}'::text[]),
	('stock', '{llx_product,llx_product_stock,llx_stock_mouvement,llx_product_fournisseur_price,llx_entrepot,llx_commande_fournisseur,llx_commande_fournisseurdet,llx_commande,llx_commandedet,llx_facture,llx_facturedet}'),
	('anomalies', '{llx_ticket,llx_ticket_extrafields,llx_c_ticket_type,llx_c_ticket_category,llx_c_ticket_severity,llx_element_element,llx_fichinter,llx_societe,llx_user,llx_stock_mouvement,llx_product}'),
	('segmentation', '{llx_societe,llx_ticket,llx_ticket_extrafields,llx_element_element,llx_fichinter,llx_facture,llx_facturedet}'),
	('duration', '{llx_ticket,llx_ticket_extrafields,llx_c_ticket_type,llx_c_ticket_category,llx_c_ticket_severity,llx_element_element,llx_fichinter,llx_societe,llx_user}'),
	('insights', '{llx_ticket,llx_ticket_extrafields,llx_element_element,llx_fichinter,llx_user,llx_societe,llx_projet,llx_projet_task,llx_element_time,llx_stock_mouvement,llx_facture,llx_facturedet}')
  ) AS m(module, tables);

------------------------------------------------------------------------------
-- The current load, per source table
------------------------------------------------------------------------------

-- Every row of dw.load_state is written by the same load transaction (same
-- run_id and last_batch); the maximum is the current load.  Without any load,
-- every batch counts.  Failed batches are recorded by the extract (also for
-- the tables it skipped once the source was unreachable), so "the latest
-- batch up to the load failed" is "the load could not have this table's
-- current state".  A table without any batch while other tables have some was
-- never extracted: missing too.  (A lake filled by hand, without batches,
-- has nothing missing.)
CREATE VIEW doliflow._load_tables AS
WITH ld AS (
	SELECT max(s.run_id) AS load_run_id, max(s.last_batch) AS last_batch, max(s.loaded_at) AS loaded_at
	  FROM dw.load_state s
), anyb AS (
	SELECT EXISTS (SELECT 1 FROM lake.batch b WHERE b.status IN ('loaded', 'failed')) AS any_batch
)
SELECT st.table_name, ld.load_run_id, ld.loaded_at, ld.last_batch,
	   lb.batch_id AS last_batch_id, lb.status AS last_status, lb.error AS last_error,
	   ok.batch_id AS loaded_batch, ok.started_at AS loaded_as_of,
	   coalesce(lb.status = 'failed', anyb.any_batch) AS missing,
	   ok.batch_id IS NULL AND coalesce(lb.status = 'failed', anyb.any_batch) AS never_loaded
  FROM doliflow.source_table st CROSS JOIN ld CROSS JOIN anyb
  LEFT JOIN LATERAL (SELECT b.batch_id, b.status, b.error FROM lake.batch b
					  WHERE b.table_name = st.table_name AND b.status IN ('loaded', 'failed')
						AND (ld.last_batch IS NULL OR b.batch_id <= ld.last_batch)
					  ORDER BY b.batch_id DESC LIMIT 1) lb ON true
  LEFT JOIN LATERAL (SELECT b.batch_id, b.started_at FROM lake.batch b
					  WHERE b.table_name = st.table_name AND b.status = 'loaded'
						AND (ld.last_batch IS NULL OR b.batch_id <= ld.last_batch)
					  ORDER BY b.batch_id DESC LIMIT 1) ok ON true;
COMMENT ON VIEW doliflow._load_tables IS 'internal: per source table, what the current warehouse load (dw.load_state) holds of it: the latest loaded lake batch up to the load''s last_batch and when it was read (loaded_as_of), whether its latest extract up to the load failed (missing) and whether the warehouse never had it (never_loaded); derived from dw.load_state and lake.batch only';

-- The lineage of an output computed now by a module (NULL: every source table).
CREATE FUNCTION doliflow._lineage(p_module text DEFAULT NULL,
								  OUT load_run_id bigint, OUT complete boolean, OUT missing_tables text[],
								  OUT never_loaded text[], OUT source_as_of timestamptz)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	SELECT max(t.load_run_id),
		   NOT coalesce(bool_or(t.missing), false),
		   coalesce(array_agg(t.table_name ORDER BY t.table_name) FILTER (WHERE t.missing), '{}'),
		   coalesce(array_agg(t.table_name ORDER BY t.table_name) FILTER (WHERE t.never_loaded), '{}'),
		   min(t.loaded_as_of)
	  INTO load_run_id, complete, missing_tables, never_loaded, source_as_of
	  FROM doliflow._load_tables t
	 WHERE p_module IS NULL
		OR NOT EXISTS (SELECT 1 FROM doliflow.analytics_input i WHERE i.module = p_module)
		OR t.table_name IN (SELECT i.source_table FROM doliflow.analytics_input i WHERE i.module = p_module);
END;
$$;
COMMENT ON FUNCTION doliflow._lineage(text) IS 'Internal: the current warehouse load (its run_id), whether every source table of the module''s inputs (doliflow.analytics_input; all tables when NULL) is there (complete), the missing ones, those never loaded, and when the oldest of them was read from the source';

-- May an output computed from load p_load_run_id (complete or not) be reused now?
CREATE FUNCTION doliflow._lineage_current(p_module text, p_load_run_id bigint, p_complete boolean) RETURNS boolean
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	l record;
BEGIN
	l := doliflow._lineage(p_module);
	RETURN coalesce(p_complete, false) AND l.complete
	   AND p_load_run_id IS NOT DISTINCT FROM l.load_run_id;
END;
$$;
COMMENT ON FUNCTION doliflow._lineage_current(text, bigint, boolean) IS 'Internal: true when an output of the module computed from load p_load_run_id may be reused: it was complete, it was computed from the current load and that load is complete for the module''s inputs';

------------------------------------------------------------------------------
-- status(): the data the outputs stand on
------------------------------------------------------------------------------

-- Runs as doliflow_owner: the batch role reads status() but not lake.batch.
CREATE FUNCTION doliflow._status_lineage() RETURNS SETOF doliflow.status_row
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	l record;
	r record;
BEGIN
	l := doliflow._lineage(NULL);
	RETURN NEXT ('data', 'source data', CASE WHEN l.complete THEN 'complete' ELSE 'incomplete' END,
				 NULL, l.source_as_of, now() - l.source_as_of, NULL::interval,
				 concat_ws('; ',
					CASE WHEN l.load_run_id IS NOT NULL THEN format('warehouse load of run %s', l.load_run_id)
						 ELSE 'no warehouse load yet' END,
					CASE WHEN l.source_as_of IS NOT NULL THEN format('oldest table read from the source at %s', l.source_as_of) END,
					CASE WHEN NOT l.complete THEN format('missing tables (extract failed): %s', array_to_string(l.missing_tables, ', ')) END,
					CASE WHEN cardinality(l.never_loaded) > 0 THEN format('never loaded: %s', array_to_string(l.never_loaded, ', ')) END))::doliflow.status_row;
	FOR r IN SELECT t.*, b.error FROM doliflow._load_tables t
			   LEFT JOIN lake.batch b ON b.batch_id = t.last_batch_id
			  WHERE t.missing ORDER BY t.table_name LOOP
		RETURN NEXT ('data', r.table_name, CASE WHEN r.never_loaded THEN 'never loaded' ELSE 'stale' END,
					 NULL, r.loaded_as_of, now() - r.loaded_as_of, NULL::interval,
					 concat_ws(': ', CASE WHEN r.never_loaded THEN 'its extract failed and the warehouse never had it'
										  ELSE format('its last extract failed; the warehouse holds batch %s', r.loaded_batch) END,
							   r.error))::doliflow.status_row;
	END LOOP;
	-- Rows the last extract of each table held back (stamped after the source clock).
	FOR r IN SELECT DISTINCT ON (b.table_name) b.table_name, b.finished_at, b.rows_held_back
			   FROM lake.batch b WHERE b.status = 'loaded'
			  ORDER BY b.table_name, b.batch_id DESC LOOP
		CONTINUE WHEN coalesce(r.rows_held_back, 0) = 0;
		RETURN NEXT ('data', r.table_name, 'held back', r.rows_held_back, r.finished_at, now() - r.finished_at, NULL::interval,
					 format('%s rows newer than the source clock, taken by the next run after the source clock reaches them',
							r.rows_held_back))::doliflow.status_row;
	END LOOP;
	-- Each module's latest outputs: from the current load or not, complete or not.
	FOR r IN SELECT m.name, o.generated_at, o.load_run_id, o.complete, o.missing_tables
			   FROM doliflow.analytics_module m
			   LEFT JOIN LATERAL (
					SELECT p.generated_at, p.load_run_id, p.complete, p.missing_tables FROM dw.prediction_runs p
					 WHERE m.name = 'forecast' AND p.kind = 'nightly'
					UNION ALL
					SELECT s.generated_at, s.load_run_id, s.complete, s.missing_tables FROM dw.alert_snapshot s
					 WHERE m.name = 'stock'
					UNION ALL
					SELECT a.generated_at, a.load_run_id, a.complete, a.missing_tables FROM dw.analytics_runs a
					 WHERE a.module = m.name AND m.name NOT IN ('forecast', 'stock')
					 ORDER BY 1 DESC LIMIT 1) o ON true
			  ORDER BY m.position LOOP
		RETURN NEXT ('lineage', r.name,
					 CASE WHEN r.generated_at IS NULL THEN 'none'
						  WHEN NOT coalesce(r.complete, false) THEN 'incomplete'
						  WHEN r.load_run_id IS DISTINCT FROM l.load_run_id THEN 'outdated'
						  ELSE 'current' END,
					 NULL, r.generated_at, now() - r.generated_at, NULL::interval,
					 CASE WHEN r.generated_at IS NOT NULL THEN concat_ws('; ',
						format('computed from the warehouse load of run %s', coalesce(r.load_run_id::text, '(none)')),
						CASE WHEN r.load_run_id IS DISTINCT FROM l.load_run_id THEN format('the current load is run %s', coalesce(l.load_run_id::text, '(none)')) END,
						CASE WHEN NOT coalesce(r.complete, false) THEN format('missing then: %s', coalesce(array_to_string(r.missing_tables, ', '), '?')) END) END
					)::doliflow.status_row;
	END LOOP;
END;
$$;
COMMENT ON FUNCTION doliflow._status_lineage() IS 'status() provider: the source data of the current warehouse load (complete or not, how old, missing tables), rows held back by the last extract, and for each analytics module whether its latest outputs were computed from the current load (current, outdated, incomplete)';
ALTER FUNCTION doliflow._status_lineage() OWNER TO doliflow_owner;
REVOKE ALL ON FUNCTION doliflow._status_lineage() FROM PUBLIC;
INSERT INTO doliflow.status_providers (provider, position, description) VALUES
	('doliflow._status_lineage()', 25, 'Source data of the current warehouse load (complete, age, missing tables), rows held back, and the lineage of each module''s latest outputs');
