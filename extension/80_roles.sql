-- doliflow install script, part 80: roles and grants.
--
-- Three NOLOGIN roles, created if missing.  Roles are cluster-wide: when
-- doliflow is installed in several databases of one server they share these
-- roles (the grants themselves are per database), and DROP EXTENSION leaves
-- them in place.
--
--   doliflow_owner   owns the lake and dw relations, the foreign server,
--                    foreign tables and the only user mapping (see part 10);
--                    every pipeline step runs as this role, through the
--                    SECURITY DEFINER function doliflow._pipeline_exec().
--   doliflow_batch   granted by the admin to the login that runs the batch:
--                    may CALL run_pipeline, run_analytics, extract,
--                    load_warehouse and read status and the run log, may not
--                    change settings, write lake/dw/doliflow tables directly,
--                    clean the lake, rewrite the run log, connect or
--                    disconnect the source, schedule or read the password.
--                    Member of doliflow_reader.
--   doliflow_reader  BI tools and analysts: SELECT on dw (present and future
--                    tables and views) and the analyst functions
--                    (predict_intervention_duration, what_if_order, stock
--                    formulas, simulate_replenishment); nothing in lake or
--                    dolibarr, no pipeline.
--                    (The C building blocks are the doliflow_analytics
--                    extension's, which every role, PUBLIC too, may use.)
-- The whole matrix is in doc/operations.md ("Roles and privileges").
--
-- Writes happen only as doliflow_owner: the invoker procedures that COMMIT
-- call SECURITY DEFINER functions (run-log helpers, _pipeline_exec) with a
-- pinned search_path.  The foreign tables are read-only to every role (no
-- INSERT/UPDATE/DELETE/TRUNCATE privilege, the owner included), and the MySQL
-- account should have SELECT only anyway.

DO $roles$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'doliflow_owner') THEN
		CREATE ROLE doliflow_owner NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'doliflow_reader') THEN
		CREATE ROLE doliflow_reader NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'doliflow_batch') THEN
		CREATE ROLE doliflow_batch NOLOGIN;
	END IF;
END;
$roles$;

COMMENT ON ROLE doliflow_owner IS 'doliflow: NOLOGIN owner of the lake and dw relations, the foreign server, foreign tables and user mapping; pipeline steps run as this role. Shared by every database of the cluster where doliflow is installed.';
COMMENT ON ROLE doliflow_batch IS 'doliflow: grant to the login that runs the batch: may run run_pipeline, run_analytics, extract, load_warehouse and read status and the run log; member of doliflow_reader; no direct writes, no settings, no cleanup, no connect/disconnect, no password. Shared by every database of the cluster.';
COMMENT ON ROLE doliflow_reader IS 'doliflow: BI and analyst role: SELECT on the dw schema (present and future tables and views) and the analyst functions (predict_intervention_duration, what_if_order, stock formulas...; the doliflow_analytics building blocks are PUBLIC''s); nothing in lake or dolibarr, no pipeline. Shared by every database of the cluster.';

GRANT doliflow_reader TO doliflow_batch;

-- The role matrix (doc/operations.md, "Roles and privileges", is the reference and
-- test/integration/84_security.sh compares the catalog with it).  Design:
--   * nothing is PUBLIC's: EXECUTE on every routine of the extension, present and
--     added later by any part, is revoked from PUBLIC by a loop, and only the
--     routines named in the explicit lists below are granted;
--   * doliflow_owner may execute everything (it is who runs the steps);
--   * doliflow_reader: the analyst API (pure C building blocks, their SQL
--     wrappers, and the two read-only analyst functions, which run as the owner);
--   * doliflow_batch (member of reader): the pipeline procedures and status, plus
--     the internal helpers those invoker procedures call directly; the run-log
--     writers among them only touch a run this login has running
--     (doliflow._run_check), the others refuse outside a run.
CREATE FUNCTION doliflow.apply_grants() RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r record;
	-- Routines that run as doliflow_owner (SECURITY DEFINER).
	v_definer text[] := ARRAY['_run_begin', '_run_end', '_step_begin', '_step_end', '_run_end_error',
							  '_run_finish', '_recover_stale_runs', '_pipeline_exec', '_load_warehouse_tx',
							  '_status_lake', 'predict_intervention_duration', 'what_if_order', 'report_html',
							  '_status_extrafields', 'company_now', 'simulate_replenishment'];
	-- The analyst API: doliflow_reader (and so doliflow_batch).
	-- (The analytics building blocks are doliflow_analytics's, PUBLIC's: not listed here.)
	v_reader text[] := ARRAY['predict_intervention_duration', 'what_if_order', 'normal_quantile',
							 'safety_stock', 'safety_stock_z', 'safety_stock_empirical', 'stock_level', 'suggested_quantity', 'rotation_rate',
							 '_check_finite', 'easter_sunday', 'french_holidays', 'customer_rfm',
							 'mysql_date', 'mysql_timestamp', 'mysql_timestamptz', 'build_info',
							 'report_html', '_ticket_anomaly_months', 'company_today', 'company_now',
							 'simulate_replenishment', 'order_quantity', 'order_rounding', 'supplier_reason',
							 'order_proposals_csv'];
	-- The batch API, then the helpers its invoker procedures call directly.
	v_batch text[] := ARRAY['run_pipeline', 'run_analytics', 'extract', 'load_warehouse', 'status',
							'scheduled_jobs', 'quality_report', 'test_connection', 'setting', 'current_run_id',
							'_run_begin', '_run_end', '_run_end_error', '_step_begin', '_step_end', '_run_start',
							'_run_stop', '_run_finish', '_run_step', '_run_modules', '_extract_run', '_extract_table',
							'_batch_failed', '_pipeline_exec', '_step_procedure', '_lock_try', '_lock_held',
							'_lock_release', '_lock_holder', '_recover_stale_runs', '_step_report', '_load_warehouse_tx',
							'_schedule_jobs', '_cron_expr', '_cron_next', '_cron_timezone',
							'_claim', '_claim_xact', '_claim_held', '_release', '_claim_holder'];
	-- (and the status() providers registered in doliflow.status_providers)
	-- doliflow tables the batch role reads (run log, settings, configuration).
	v_batch_tables text[] := ARRAY['settings', 'run_log', 'run_step', 'source_table', 'source_column',
								   'source_connection', 'quality_rule', 'warehouse_sources', 'warehouse_targets',
								   'status_providers', 'events', 'analytics_module', 'analytics_input', 'report_pages'];
BEGIN
	IF NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
		RAISE EXCEPTION 'doliflow.apply_grants() must be run by a superuser' USING ERRCODE = 'insufficient_privilege';
	END IF;

	-- Schemas: the roles may look names up in doliflow (what they may call is
	-- decided per routine) and dw; lake and dolibarr are the owner's.
	GRANT USAGE, CREATE ON SCHEMA lake, dw TO doliflow_owner;
	GRANT USAGE ON SCHEMA doliflow, dolibarr TO doliflow_owner;
	GRANT USAGE ON SCHEMA doliflow, dw TO doliflow_reader;
	REVOKE ALL ON SCHEMA lake, dw, dolibarr, doliflow FROM PUBLIC;

	-- lake and dw relations belong to doliflow_owner (steps TRUNCATE,
	-- ANALYZE, index and refresh them); sequences owned by a column follow
	-- their table.
	FOR r IN SELECT c.oid::regclass AS rel, c.relkind FROM pg_catalog.pg_class c
			  WHERE c.relnamespace IN ('lake'::regnamespace, 'dw'::regnamespace)
				AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
				AND pg_catalog.pg_get_userbyid(c.relowner) <> 'doliflow_owner'
				AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
								 WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
								   AND d.deptype IN ('a', 'i') AND d.refclassid = 'pg_class'::regclass)
	LOOP
		EXECUTE pg_catalog.format('ALTER %s %s OWNER TO doliflow_owner',
			CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
						   WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, r.rel);
	END LOOP;
	GRANT SELECT ON ALL TABLES IN SCHEMA dw TO doliflow_reader;

	-- doliflow tables: the owner writes the run log and other state, reads
	-- settings and the module registry; batch reads the listed ones.
	REVOKE ALL ON ALL TABLES IN SCHEMA doliflow FROM PUBLIC;
	REVOKE ALL ON ALL SEQUENCES IN SCHEMA doliflow FROM PUBLIC;
	GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA doliflow TO doliflow_owner;
	REVOKE INSERT, UPDATE, DELETE ON doliflow.settings, doliflow.analytics_module FROM doliflow_owner;
	GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA doliflow TO doliflow_owner;
	FOR r IN SELECT c.oid::regclass AS rel FROM pg_catalog.pg_class c
			  WHERE c.relnamespace = 'doliflow'::regnamespace AND c.relname = ANY (v_batch_tables)
	LOOP
		EXECUTE pg_catalog.format('GRANT SELECT ON %s TO doliflow_batch', r.rel);
	END LOOP;

	-- Foreign tables: read-only to everyone, their owner included.
	FOR r IN SELECT c.oid::regclass AS rel, pg_catalog.pg_get_userbyid(c.relowner) AS owner
			   FROM pg_catalog.pg_class c
			  WHERE c.relkind = 'f'
	LOOP
		EXECUTE pg_catalog.format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON %s FROM PUBLIC, doliflow_owner, doliflow_batch, doliflow_reader, %I',
					   r.rel, r.owner);
		EXECUTE pg_catalog.format('GRANT SELECT ON %s TO doliflow_owner', r.rel);
	END LOOP;

	-- Run-log writers, the step executor, the load and the read-only functions
	-- of other roles that need the owner's reads run as doliflow_owner.
	FOR r IN SELECT p.oid::regprocedure AS fn FROM pg_catalog.pg_proc p
			  WHERE p.pronamespace = 'doliflow'::regnamespace AND p.proname = ANY (v_definer)
	LOOP
		EXECUTE pg_catalog.format('ALTER FUNCTION %s SECURITY DEFINER', r.fn);
		EXECUTE pg_catalog.format('ALTER FUNCTION %s OWNER TO doliflow_owner', r.fn);
	END LOOP;

	-- Every routine of doliflow (whichever part made it, now or later): not
	-- PUBLIC's, not the reader's or batch's unless listed; the owner runs them all.
	FOR r IN SELECT p.oid::regprocedure AS fn, p.proname FROM pg_catalog.pg_proc p
			  WHERE p.pronamespace = 'doliflow'::regnamespace
	LOOP
		EXECUTE pg_catalog.format('REVOKE ALL ON ROUTINE %s FROM PUBLIC, doliflow_reader, doliflow_batch', r.fn);
		EXECUTE pg_catalog.format('GRANT EXECUTE ON ROUTINE %s TO doliflow_owner', r.fn);
		IF r.proname = ANY (v_reader) THEN
			EXECUTE pg_catalog.format('GRANT EXECUTE ON ROUTINE %s TO doliflow_reader', r.fn);
		END IF;
		IF r.proname = ANY (v_batch)
		   OR r.fn::oid IN (SELECT sp.provider::oid FROM doliflow.status_providers sp) THEN
			EXECUTE pg_catalog.format('GRANT EXECUTE ON ROUTINE %s TO doliflow_batch', r.fn);
		END IF;
	END LOOP;
END;
$$;
COMMENT ON FUNCTION doliflow.apply_grants() IS 'Superuser: (re)applies doliflow ownership and privileges (the role matrix of doc/operations.md: doliflow_owner owns lake and dw and runs the steps, doliflow_reader reads dw and calls the analyst functions, doliflow_batch runs the pipeline and reads status, PUBLIC nothing; foreign tables read-only to all) to the objects that exist now; run it after objects were created outside the extension script';

-- Every function of the extension pins its search_path.  Parts pin their own;
-- this catches a routine added without one (procedures are left out: a SET
-- clause forbids COMMIT, they call set_config after each COMMIT instead).
-- Exempt: LANGUAGE C (no SQL runs inside, none calls SPI; a SET clause on an
-- aggregate's transition function would save and restore a setting per row)
-- and SQL-standard bodies (BEGIN ATOMIC / RETURN: names are bound when the
-- function is created, never looked up at run time, and they stay inlinable).
DO $pin$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT p.oid::regprocedure AS fn FROM pg_catalog.pg_proc p
			   JOIN pg_catalog.pg_language l ON l.oid = p.prolang
			  WHERE p.pronamespace = 'doliflow'::regnamespace AND p.prokind IN ('f', 'w')
				AND l.lanname NOT IN ('c', 'internal') AND p.prosqlbody IS NULL
				AND NOT EXISTS (SELECT 1 FROM pg_catalog.unnest(p.proconfig) c WHERE c LIKE 'search\_path=%')
	LOOP
		RAISE NOTICE 'doliflow: % had no pinned search_path', r.fn;
		EXECUTE pg_catalog.format('ALTER FUNCTION %s SET search_path = pg_catalog, pg_temp', r.fn);
	END LOOP;
END;
$pin$;

SELECT doliflow.apply_grants();

-- Future relations: readable by the BI role in dw, usable by the owner,
-- whoever of the installer or the owner creates them.
ALTER DEFAULT PRIVILEGES FOR ROLE doliflow_owner IN SCHEMA dw GRANT SELECT ON TABLES TO doliflow_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA dw GRANT SELECT ON TABLES TO doliflow_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA dw, lake GRANT ALL ON TABLES TO doliflow_owner;
ALTER DEFAULT PRIVILEGES IN SCHEMA dw, lake GRANT USAGE, SELECT ON SEQUENCES TO doliflow_owner;
-- Future foreign tables in dolibarr: no write privilege for their creator.
ALTER DEFAULT PRIVILEGES FOR ROLE doliflow_owner IN SCHEMA dolibarr REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON TABLES FROM doliflow_owner;
ALTER DEFAULT PRIVILEGES IN SCHEMA dolibarr REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON TABLES FROM CURRENT_USER;
ALTER DEFAULT PRIVILEGES IN SCHEMA dolibarr GRANT SELECT ON TABLES TO doliflow_owner;
-- Future routines in doliflow, whoever of the installer or the owner creates
-- them: not PUBLIC's (apply_grants() then grants the listed ones).
ALTER DEFAULT PRIVILEGES IN SCHEMA doliflow REVOKE EXECUTE ON ROUTINES FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE doliflow_owner IN SCHEMA doliflow REVOKE EXECUTE ON ROUTINES FROM PUBLIC;
