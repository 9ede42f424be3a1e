-- doliflow install script, part 05: the internal helpers every later part
-- uses, declared once before their users: the run-log writers (run and step
-- rows, a step's reported figures), the run a session is executing, and the
-- doliflow locks (run, extract, load_warehouse).  The run log's tables are
-- part 00's.

------------------------------------------------------------------------------
-- The owner role (part 10 tells what it owns; part 80 creates the others)
------------------------------------------------------------------------------

DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'doliflow_owner') THEN
		CREATE ROLE doliflow_owner NOLOGIN;
	END IF;
END;
$$;

------------------------------------------------------------------------------
-- Run log writers
------------------------------------------------------------------------------

-- The run-log writers below run as doliflow_owner and are callable by the
-- batch role (its invoker procedures call them), so they only touch a run that
-- is still running and was started by this login (a superuser: any run): the
-- batch role cannot rewrite the history of the log nor end another login's run.
CREATE FUNCTION doliflow._run_check(p_run_id bigint) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM doliflow.run_log r
					WHERE r.run_id = p_run_id AND r.status = 'running' AND r.triggered_by = session_user)
	   AND NOT coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = session_user), false) THEN
		RAISE EXCEPTION 'doliflow run % is not a running run of %', p_run_id, session_user
			USING ERRCODE = 'insufficient_privilege';
	END IF;
END;
$$;
COMMENT ON FUNCTION doliflow._run_check(bigint) IS 'Internal: raises insufficient_privilege unless the run is still running and was started by this login (or the login is a superuser); guards the run-log writers';

CREATE FUNCTION doliflow._run_begin(p_kind text) RETURNS bigint
LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
	INSERT INTO doliflow.run_log (kind) VALUES (p_kind) RETURNING run_id;
$$;
COMMENT ON FUNCTION doliflow._run_begin(text) IS 'Internal: inserts a run_log row of the given kind and returns its run_id';

CREATE FUNCTION doliflow._run_end(p_run_id bigint, p_status text, p_error text DEFAULT NULL) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
	SELECT doliflow._run_check(p_run_id);
	UPDATE doliflow.run_log
	   SET finished_at = clock_timestamp(), status = p_status, error = coalesce(error, p_error)
	 WHERE run_id = p_run_id;
$$;
COMMENT ON FUNCTION doliflow._run_end(bigint, text, text) IS 'Internal: closes a run_log row with a status and its first error';

CREATE FUNCTION doliflow._step_begin(p_run_id bigint, p_step text) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v bigint;
BEGIN
	PERFORM doliflow._run_check(p_run_id);
	INSERT INTO doliflow.run_step (run_id, step) VALUES (p_run_id, p_step) RETURNING step_id INTO v;
	RAISE NOTICE 'doliflow: % ...', p_step;
	RETURN v;
END;
$$;
COMMENT ON FUNCTION doliflow._step_begin(bigint, text) IS 'Internal: inserts a run_step row and announces the step with a NOTICE';

CREATE FUNCTION doliflow._step_end(p_step_id bigint, p_status text, p_rows_in bigint DEFAULT NULL,
								   p_rows_out bigint DEFAULT NULL, p_detail jsonb DEFAULT NULL,
								   p_error text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r record;
BEGIN
	PERFORM doliflow._run_check((SELECT s.run_id FROM doliflow.run_step s WHERE s.step_id = p_step_id));
	UPDATE doliflow.run_step
	   SET finished_at = clock_timestamp(), status = p_status, rows_in = p_rows_in,
		   rows_out = p_rows_out, detail = p_detail, error = p_error
	 WHERE step_id = p_step_id
	RETURNING step, finished_at - started_at AS took INTO r;
	IF p_status = 'failed' THEN
		RAISE WARNING 'doliflow: % failed: %', r.step, p_error;
	ELSE
		RAISE NOTICE 'doliflow: % % (% rows, %)', r.step, p_status, coalesce(p_rows_out, 0),
			date_trunc('millisecond', r.took);
	END IF;
END;
$$;
COMMENT ON FUNCTION doliflow._step_end(bigint, text, bigint, bigint, jsonb, text) IS 'Internal: closes a run_step row with status, row counts, details and error';

-- A step's figures for the run step that wraps it (set by the step, read by
-- doliflow._run_step in part 70); declared here, before every part that reports.
CREATE FUNCTION doliflow._step_report(p_rows_in bigint, p_rows_out bigint, p_detail jsonb DEFAULT NULL) RETURNS void
LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
	SELECT pg_catalog.set_config('doliflow.step_report',
		pg_catalog.jsonb_build_object('rows_in', p_rows_in, 'rows_out', p_rows_out,
									  'detail', p_detail)::text, true);
$$;
COMMENT ON FUNCTION doliflow._step_report(bigint, bigint, jsonb) IS 'Internal: lets a step report its row counts and details to the run step that wraps it';

------------------------------------------------------------------------------
-- The run a step belongs to.
------------------------------------------------------------------------------

CREATE FUNCTION doliflow.current_run_id() RETURNS bigint
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT nullif(pg_catalog.current_setting('doliflow.run_id', true), '')::bigint;
$$;
COMMENT ON FUNCTION doliflow.current_run_id() IS 'run_id of the doliflow run (run_pipeline or run_analytics) this session is executing, NULL outside a run; step procedures log their sub-steps under it';

------------------------------------------------------------------------------
-- Locking: one doliflow run at a time per database.
------------------------------------------------------------------------------

-- The lock is a row of doliflow.pipeline_lock, a table only doliflow_owner
-- may update: a claim writes this backend's pid and start time into the row
-- under a row lock (SELECT ... FOR UPDATE needs UPDATE privilege), so no
-- other role can take, hold or steal it (an advisory lock can be taken by
-- any role, which let anybody make the nightly run skip).  The claim is
-- ordinary committed data, so it survives the COMMITs of the run; it is
-- released at the end of the run, and a claim whose backend is gone (pid and
-- start time no longer in the backend status array) is stale and taken
-- over.  A backend that claims again what it already holds succeeds (a run
-- cancelled in this session left its claim behind).
CREATE TABLE doliflow.pipeline_lock (
	name         text PRIMARY KEY CHECK (name IN ('run', 'extract', 'load_warehouse')),
	holder_pid   integer,
	holder_start timestamptz,
	claimed_at   timestamptz,
	CHECK ((holder_pid IS NULL) = (holder_start IS NULL))
);
COMMENT ON TABLE doliflow.pipeline_lock IS 'The locks that keep doliflow runs from overlapping: run (run_pipeline, run_analytics), extract and load_warehouse; a claim is the holder backend''s pid and start time, valid while that backend lives; only doliflow_owner writes it';
COMMENT ON COLUMN doliflow.pipeline_lock.name IS 'run, extract or load_warehouse';
COMMENT ON COLUMN doliflow.pipeline_lock.holder_pid IS 'pid of the backend holding the claim, NULL when free (a claim of a backend that ended is stale and taken over)';
COMMENT ON COLUMN doliflow.pipeline_lock.holder_start IS 'backend start time of the holder (with the pid, identifies the backend)';
COMMENT ON COLUMN doliflow.pipeline_lock.claimed_at IS 'When the claim was taken';
INSERT INTO doliflow.pipeline_lock (name) VALUES ('run'), ('extract'), ('load_warehouse');
ALTER TABLE doliflow.pipeline_lock OWNER TO doliflow_owner;
REVOKE ALL ON doliflow.pipeline_lock FROM PUBLIC;

CREATE FUNCTION doliflow._backend_start() RETURNS timestamptz
AS 'MODULE_PATHNAME', 'doliflow_backend_start' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION doliflow._backend_start() IS 'Internal: start time of this backend (identifies it with its pid for doliflow.pipeline_lock)';
CREATE FUNCTION doliflow._backend_alive(integer, timestamptz) RETURNS boolean
AS 'MODULE_PATHNAME', 'doliflow_backend_alive' LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION doliflow._backend_alive(integer, timestamptz) IS 'Internal: whether the backend with this pid and start time still runs (reads the backend status array, which pg_stat_activity hides from doliflow_owner for other roles)';

-- Claims lock p_name for this backend until doliflow._release(p_name).
CREATE FUNCTION doliflow._claim(p_name text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r record;
BEGIN
	BEGIN
		SELECT l.holder_pid, l.holder_start INTO STRICT r
		  FROM doliflow.pipeline_lock l WHERE l.name = p_name FOR UPDATE NOWAIT;
	EXCEPTION WHEN lock_not_available OR serialization_failure THEN
		RETURN false;		-- another backend is claiming it right now
	END;
	IF r.holder_pid IS NOT NULL
	   AND NOT (r.holder_pid = pg_catalog.pg_backend_pid() AND r.holder_start = doliflow._backend_start())
	   AND doliflow._backend_alive(r.holder_pid, r.holder_start) THEN
		RETURN false;
	END IF;
	UPDATE doliflow.pipeline_lock
	   SET holder_pid = pg_catalog.pg_backend_pid(), holder_start = doliflow._backend_start(),
		   claimed_at = pg_catalog.clock_timestamp()
	 WHERE name = p_name;
	RETURN true;
END;
$$;
COMMENT ON FUNCTION doliflow._claim(text) IS 'Internal: claims the doliflow lock of that name (run, extract, load_warehouse) for this backend across transactions; false when a live backend holds it';

-- For one transaction only (load_warehouse): the row lock itself.
CREATE FUNCTION doliflow._claim_xact(p_name text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM FROM doliflow.pipeline_lock l WHERE l.name = p_name FOR UPDATE NOWAIT;
	RETURN true;
EXCEPTION WHEN lock_not_available OR serialization_failure THEN
	RETURN false;
END;
$$;
COMMENT ON FUNCTION doliflow._claim_xact(text) IS 'Internal: locks the doliflow lock row of that name until the end of the transaction; false when another transaction holds it';

CREATE FUNCTION doliflow._claim_held(p_name text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
	SELECT EXISTS (SELECT FROM doliflow.pipeline_lock l
				    WHERE l.name = p_name AND l.holder_pid = pg_catalog.pg_backend_pid()
					  AND l.holder_start = doliflow._backend_start());
$$;
COMMENT ON FUNCTION doliflow._claim_held(text) IS 'Internal: whether this backend holds the doliflow lock of that name';

CREATE FUNCTION doliflow._release(p_name text) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
	UPDATE doliflow.pipeline_lock SET holder_pid = NULL, holder_start = NULL, claimed_at = NULL
	 WHERE name = p_name AND holder_pid = pg_catalog.pg_backend_pid()
	   AND holder_start = doliflow._backend_start();
$$;
COMMENT ON FUNCTION doliflow._release(text) IS 'Internal: releases the doliflow lock of that name if this backend holds it';

CREATE FUNCTION doliflow._claim_holder(p_name text) RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
	SELECT l.holder_pid FROM doliflow.pipeline_lock l
	 WHERE l.name = p_name AND l.holder_pid IS NOT NULL
	   AND doliflow._backend_alive(l.holder_pid, l.holder_start);
$$;
COMMENT ON FUNCTION doliflow._claim_holder(text) IS 'Internal: pid of the live backend holding the doliflow lock of that name, if any';

CREATE FUNCTION doliflow._lock_try() RETURNS boolean
LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
	SELECT doliflow._claim('run');
$$;
COMMENT ON FUNCTION doliflow._lock_try() IS 'Internal: try to claim the run lock (doliflow.pipeline_lock) that keeps two doliflow runs from overlapping';

CREATE FUNCTION doliflow._lock_held() RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT doliflow._claim_held('run');
$$;
COMMENT ON FUNCTION doliflow._lock_held() IS 'Internal: whether this backend holds the doliflow run lock';

CREATE FUNCTION doliflow._lock_release() RETURNS void
LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
	SELECT doliflow._release('run');
$$;
COMMENT ON FUNCTION doliflow._lock_release() IS 'Internal: release the doliflow run lock held by this backend';

CREATE FUNCTION doliflow._lock_holder() RETURNS integer
LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
	SELECT doliflow._claim_holder('run');
$$;
COMMENT ON FUNCTION doliflow._lock_holder() IS 'Internal: pid of the backend holding the doliflow run lock, if any';

DO $$
DECLARE
	f text;
BEGIN
	FOREACH f IN ARRAY ARRAY['doliflow._claim(text)', 'doliflow._claim_xact(text)', 'doliflow._claim_held(text)',
							 'doliflow._release(text)', 'doliflow._claim_holder(text)',
							 'doliflow._backend_start()', 'doliflow._backend_alive(integer, timestamptz)'] LOOP
		EXECUTE pg_catalog.format('ALTER FUNCTION %s OWNER TO doliflow_owner', f);
		EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
	END LOOP;
END;
$$;

