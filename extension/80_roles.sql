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
--                    connect the source, schedule or read the password.
--                    Member of doliflow_reader (reads dw).
--   doliflow_reader  BI tools: USAGE on dw and SELECT on its tables and views
--                    (present and future); nothing in lake, dolibarr or doliflow.
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
COMMENT ON ROLE doliflow_batch IS 'doliflow: grant to the login that runs the batch: may run run_pipeline, run_analytics, extract, load_warehouse and read status and the run log; no direct writes, no settings, no password. Shared by every database of the cluster.';
COMMENT ON ROLE doliflow_reader IS 'doliflow: BI read-only role: SELECT on the dw schema (present and future tables and views), nothing in lake, dolibarr or doliflow. Shared by every database of the cluster.';

GRANT doliflow_reader TO doliflow_batch;

-- (Re)applies ownership and privileges to the objects that exist now.  Called
-- at install time; connect() and the admin call it again after objects were
-- created at run time (e.g. foreign tables).  Superuser only.
CREATE FUNCTION doliflow.apply_grants() RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r record;
BEGIN
	IF NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
		RAISE EXCEPTION 'doliflow.apply_grants() must be run by a superuser' USING ERRCODE = 'insufficient_privilege';
	END IF;

	-- Schemas
	GRANT USAGE, CREATE ON SCHEMA lake, dw TO doliflow_owner;
	GRANT USAGE ON SCHEMA doliflow, dolibarr TO doliflow_owner;
	GRANT USAGE ON SCHEMA doliflow TO doliflow_batch;
	GRANT USAGE ON SCHEMA dw TO doliflow_reader;
	REVOKE ALL ON SCHEMA lake, dw, dolibarr FROM PUBLIC;

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
		EXECUTE format('ALTER %s %s OWNER TO doliflow_owner',
			CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
						   WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, r.rel);
	END LOOP;
	GRANT SELECT ON ALL TABLES IN SCHEMA dw TO doliflow_reader;

	-- doliflow tables: the owner writes the run log and other state, reads
	-- settings and the module registry; batch reads them all.
	GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA doliflow TO doliflow_owner;
	REVOKE INSERT, UPDATE, DELETE ON doliflow.settings, doliflow.analytics_module FROM doliflow_owner;
	GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA doliflow TO doliflow_owner;
	GRANT SELECT ON ALL TABLES IN SCHEMA doliflow TO doliflow_batch;

	-- Foreign tables: read-only to everyone, their owner included.
	FOR r IN SELECT c.oid::regclass AS rel, pg_catalog.pg_get_userbyid(c.relowner) AS owner
			   FROM pg_catalog.pg_class c
			  WHERE c.relkind = 'f'
	LOOP
		EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON %s FROM PUBLIC, doliflow_owner, doliflow_batch, doliflow_reader, %I',
					   r.rel, r.owner);
		EXECUTE format('GRANT SELECT ON %s TO doliflow_owner', r.rel);
	END LOOP;

	-- Run-log writers and the step executor run as doliflow_owner, so the
	-- invoker procedures work for doliflow_batch without table privileges.
	FOR r IN SELECT p.oid::regprocedure AS fn FROM pg_catalog.pg_proc p
			  WHERE p.pronamespace = 'doliflow'::regnamespace
				AND p.proname IN ('_run_begin', '_run_end', '_step_begin', '_step_end', '_run_end_error',
								  '_run_finish', '_recover_stale_runs', '_pipeline_exec')
	LOOP
		EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER', r.fn);
		EXECUTE format('ALTER FUNCTION %s OWNER TO doliflow_owner', r.fn);
	END LOOP;

	-- Every SECURITY DEFINER routine of doliflow: not for PUBLIC; batch may
	-- run them (they are how the pipeline writes) unless they administer.
	FOR r IN SELECT p.oid::regprocedure AS fn, p.proname, p.prosecdef FROM pg_catalog.pg_proc p
			  WHERE p.pronamespace = 'doliflow'::regnamespace
				AND (p.prosecdef OR p.proname IN ('connect', 'schedule', 'unschedule', 'cleanup', 'apply_grants'))
	LOOP
		EXECUTE format('REVOKE EXECUTE ON ROUTINE %s FROM PUBLIC', r.fn);
		IF r.proname NOT IN ('connect', 'schedule', 'unschedule', 'cleanup', 'apply_grants') THEN
			EXECUTE format('GRANT EXECUTE ON ROUTINE %s TO doliflow_batch', r.fn);
		END IF;
	END LOOP;

	-- What batch may call by name (EXECUTE is PUBLIC's by default for the
	-- others; this survives a REVOKE FROM PUBLIC by a cautious admin).
	FOR r IN SELECT p.oid::regprocedure AS fn FROM pg_catalog.pg_proc p
			  WHERE p.pronamespace = 'doliflow'::regnamespace
				AND p.proname IN ('run_pipeline', 'run_analytics', 'extract', 'load_warehouse', 'status',
								  'scheduled_jobs', 'quality_report', 'test_connection', 'setting',
								  'current_run_id', '_step_report', '_extract_run')
	LOOP
		EXECUTE format('GRANT EXECUTE ON ROUTINE %s TO doliflow_batch', r.fn);
	END LOOP;
END;
$$;
COMMENT ON FUNCTION doliflow.apply_grants() IS 'Superuser: (re)applies doliflow ownership and privileges (doliflow_owner owns lake and dw, doliflow_reader reads dw, doliflow_batch runs the pipeline, foreign tables read-only to all) to the objects that exist now; run it after objects were created outside the extension script';

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
