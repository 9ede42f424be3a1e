-- doliflow install script, part 70: the pipeline (run_analytics, run_pipeline),
-- the pg_cron schedule and the helpers status() uses to show it.
--
-- How a run is executed
-- ---------------------
-- run_pipeline() and run_analytics() are invoker procedures that COMMIT
-- between steps, so they cannot carry a SET clause: they pin search_path with
-- set_config(..., true) after every COMMIT instead.  Each step is one
-- transaction: the step's procedure runs inside a subtransaction (an
-- exception block) through doliflow._pipeline_exec(), a SECURITY DEFINER
-- function owned by doliflow_owner, so that
--   * an ERROR in a step is caught, recorded in doliflow.run_step and the
--     later steps still run;
--   * the doliflow_batch role, which has no write privilege on lake, dw or the
--     run log, can still run the pipeline (the step runs as doliflow_owner).
-- A step procedure that manages its own transactions (COMMITs inside) cannot
-- run in a subtransaction; the pipeline notices (SQLSTATE 2D000, the attempt
-- is rolled back), and calls it again at top level as the invoker.  Such a
-- procedure must then record and swallow its own errors; an ERROR that escapes
-- it ends the pipeline, and the next run marks the interrupted run failed.
--
-- Step procedures may attach their own sub-steps to the pipeline's run:
-- doliflow.current_run_id() returns it (NULL outside a run), and
-- doliflow._step_report(rows_in, rows_out, detail) sets the figures of the
-- step row the pipeline writes for them.

-- Runs left 'running' by a backend that died or was cancelled.  Only called
-- while holding the lock, so no pipeline or analytics run is really running.
CREATE FUNCTION doliflow._recover_stale_runs() RETURNS integer
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	n integer;
BEGIN
	IF NOT doliflow._lock_held() THEN
		RAISE EXCEPTION 'doliflow._recover_stale_runs() runs only under the doliflow run lock'
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	UPDATE doliflow.run_step s
	   SET status = 'failed', finished_at = clock_timestamp(),
		   error = 'interrupted: the backend running this step ended or was cancelled'
	  FROM doliflow.run_log r
	 WHERE s.run_id = r.run_id AND s.status = 'running' AND r.status = 'running'
	   AND r.kind IN ('pipeline', 'analytics');
	UPDATE doliflow.run_log
	   SET status = 'failed', finished_at = clock_timestamp(),
		   error = coalesce(error, 'interrupted: the backend running this run ended or was cancelled')
	 WHERE status = 'running' AND kind IN ('pipeline', 'analytics');
	GET DIAGNOSTICS n = ROW_COUNT;
	IF n > 0 THEN
		RAISE WARNING 'doliflow: % interrupted run(s) marked failed', n;
	END IF;
	RETURN n;
END;
$$;

------------------------------------------------------------------------------
-- Analytics module registry
------------------------------------------------------------------------------

CREATE TABLE doliflow.analytics_module (
	name        text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]*$'),
	procedure   regprocedure NOT NULL,
	depends_on  text[] NOT NULL DEFAULT '{}',
	position    integer NOT NULL UNIQUE,
	description text NOT NULL
);
COMMENT ON TABLE doliflow.analytics_module IS 'Analytics modules run by run_analytics(), in position order; each is a procedure or function (run_id bigint, force boolean)';
COMMENT ON COLUMN doliflow.analytics_module.name IS 'Module name accepted by run_analytics(module)';
COMMENT ON COLUMN doliflow.analytics_module.procedure IS 'The implementing procedure or function, taking (run_id bigint, force boolean); a module whose procedure was dropped is skipped, one with other arguments is an error';
COMMENT ON COLUMN doliflow.analytics_module.depends_on IS 'Modules whose failure in the same run skips this one';
COMMENT ON COLUMN doliflow.analytics_module.position IS 'Order in which run_analytics(''all'') runs the modules';
COMMENT ON COLUMN doliflow.analytics_module.description IS 'What the module computes';

INSERT INTO doliflow.analytics_module (name, procedure, depends_on, position, description) VALUES
	('forecast', 'doliflow._analytics_forecast(bigint, boolean)', '{}', 10, 'Daily demand forecast per product (ETS, Prophet-style, Croston/SBA/TSB) into dw.predictions'),
	('stock', 'doliflow._analytics_stock(bigint, boolean)', '{forecast}', 20, 'Stock alerts (Critical/Attention/OK), suggested order quantities, safety stock and reorder points from the forecast'),
	('anomalies', 'doliflow._analytics_anomalies(bigint, boolean)', '{}', 30, 'Robust scores and isolation forest over interventions, costs, satisfaction and stock movements into dw.anomalies'),
	('segmentation', 'doliflow._analytics_segmentation(bigint, boolean)', '{}', 40, 'RFM features and k-means customer segments (Premium, Frequent, At risk, New) into dw.customer_segments'),
	('duration', 'doliflow._analytics_duration(bigint, boolean)', '{}', 50, 'Intervention duration model trained on closed tickets, used by predict_intervention_duration()'),
	('insights', 'doliflow._analytics_insights(bigint, boolean)', '{}', 60, 'KPIs and human-readable insights over the warehouse and the other modules');

------------------------------------------------------------------------------
-- Steps
------------------------------------------------------------------------------

-- The procedure implementing a step, or NULL when it is not installed.
CREATE FUNCTION doliflow._step_procedure(p_step text) RETURNS regprocedure
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	m doliflow.analytics_module;
	v_args_ok boolean;
BEGIN
	-- extract and load: the parts' "under an existing run" entry points (parts
	-- 20 and 30, always installed before this one; their sub-steps join the
	-- pipeline's run).
	IF p_step = 'extract' THEN
		RETURN 'doliflow._extract_run(bigint, integer, text)'::pg_catalog.regprocedure;
	ELSIF p_step = 'load_warehouse' THEN
		RETURN 'doliflow._load_warehouse_tx(bigint, boolean)'::pg_catalog.regprocedure;
	ELSIF p_step LIKE 'analytics:%' THEN
		SELECT * INTO m FROM doliflow.analytics_module WHERE name = substr(p_step, 11);
		IF NOT FOUND THEN
			RAISE EXCEPTION 'unknown doliflow analytics module "%"', substr(p_step, 11)
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
		-- A regprocedure does not keep its routine: a dropped one is not installed.
		SELECT p.pronargs = 2 AND p.proargtypes[0] = 'bigint'::pg_catalog.regtype AND p.proargtypes[1] = 'boolean'::pg_catalog.regtype
		  INTO v_args_ok FROM pg_catalog.pg_proc p WHERE p.oid = m.procedure;
		IF NOT FOUND THEN
			RETURN NULL;
		ELSIF NOT v_args_ok THEN
			RAISE EXCEPTION 'doliflow analytics module "%": % must take (run_id bigint, force boolean)', m.name, m.procedure
				USING ERRCODE = 'invalid_function_definition';
		END IF;
		RETURN m.procedure;
	END IF;
	RAISE EXCEPTION 'unknown doliflow step "%"', p_step USING ERRCODE = 'invalid_parameter_value';
END;
$$;

-- Runs one step's procedure as doliflow_owner, inside the caller's
-- subtransaction.  Only a session holding the doliflow lock may use it, so it
-- cannot be used to bypass the one-run-at-a-time rule.
CREATE FUNCTION doliflow._pipeline_exec(p_run_id bigint, p_step text, p_full_rebuild boolean, p_force boolean)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_proc regprocedure := doliflow._step_procedure(p_step);
	v_report text;
BEGIN
	IF NOT doliflow._lock_held() THEN
		RAISE EXCEPTION 'doliflow steps run only inside run_pipeline() or run_analytics()'
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	IF v_proc IS NULL THEN
		RAISE EXCEPTION 'doliflow step "%" is not installed', p_step USING ERRCODE = 'undefined_function';
	END IF;
	PERFORM pg_catalog.set_config('doliflow.step_report', '', true);
	IF p_step = 'extract' THEN
		CALL doliflow.extract();
	ELSIF p_step = 'load_warehouse' THEN
		-- The same lock as load_warehouse(), so a manual load cannot run beside it.
		IF NOT doliflow._claim_xact('load_warehouse') THEN
			RAISE EXCEPTION 'another doliflow.load_warehouse() is running' USING ERRCODE = 'lock_not_available';
		END IF;
		RETURN jsonb_build_object('detail', doliflow._load_warehouse_tx(p_run_id, p_full_rebuild));
	ELSIF (SELECT prokind FROM pg_catalog.pg_proc WHERE oid = v_proc) = 'p' THEN
		EXECUTE pg_catalog.format('CALL %s($1, $2)', v_proc::oid::regproc) USING p_run_id, p_force;
	ELSE
		EXECUTE pg_catalog.format('SELECT %s($1, $2)', v_proc::oid::regproc) USING p_run_id, p_force;
	END IF;
	v_report := pg_catalog.current_setting('doliflow.step_report', true);
	RETURN nullif(v_report, '')::jsonb;
END;
$$;

-- One step of a run: a step row, the call in a subtransaction, the outcome.
-- CALLed (never from a function) so that it can COMMIT.
CREATE PROCEDURE doliflow._run_step(p_run_id bigint, p_step text, p_full_rebuild boolean,
									p_force boolean, INOUT p_status text DEFAULT NULL)
LANGUAGE plpgsql AS $$
DECLARE
	v_step_id bigint;
	v_proc regprocedure;
	v_report jsonb;
	v_error text;
	v_hint text;
	v_own_tx boolean := false;
	v_last_run bigint;
	v_sub record;
	v_failed integer;
	v_tables integer;
	v_extracted integer;
	v_skipped integer;
	v_held bigint;
BEGIN
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
	v_proc := doliflow._step_procedure(p_step);
	v_step_id := doliflow._step_begin(p_run_id, p_step);
	IF v_proc IS NULL THEN
		RAISE NOTICE 'doliflow: % skipped: its procedure is not installed', p_step;
		PERFORM doliflow._step_end(v_step_id, 'skipped', NULL, NULL,
			jsonb_build_object('reason', 'procedure not installed'));
		p_status := 'skipped';
		COMMIT;
		PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
		RETURN;
	END IF;
	SELECT max(run_id) INTO v_last_run FROM doliflow.run_log;
	COMMIT;		-- the running step is visible to status() while it runs
	-- One snapshot for the whole step (the load reads every lake table from
	-- the same batches, as load_warehouse() does).
	SET TRANSACTION ISOLATION LEVEL REPEATABLE READ;
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);

	IF p_step = 'extract' THEN
		-- The lake's extract commits per table and records its own failures;
		-- it runs at top level under the lake's own extract lock.
		IF NOT doliflow._claim('extract') THEN
			v_error := 'another doliflow.extract() is running';
		ELSE
			CALL doliflow._extract_run(p_run_id, v_failed, v_error);
			PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
			PERFORM doliflow._release('extract');
			SELECT count(*), count(*) FILTER (WHERE status = 'success'), count(*) FILTER (WHERE status = 'skipped'),
				   coalesce(sum((detail ->> 'held_back')::bigint), 0)
			  INTO v_tables, v_extracted, v_skipped, v_held
			  FROM doliflow.run_step
			 WHERE run_id = p_run_id AND step_id > v_step_id AND step LIKE 'extract:%';
			IF v_failed > 0 THEN
				v_error := format('%s of %s tables extracted%s; %s %s failed; first error: %s',
								  v_extracted, v_tables,
								  CASE WHEN v_skipped > 0 THEN format(' (%s skipped: source unreachable)', v_skipped) ELSE '' END,
								  v_failed, CASE WHEN v_failed = 1 THEN 'table' ELSE 'tables' END, v_error);
			END IF;
			v_report := jsonb_build_object('detail', jsonb_strip_nulls(jsonb_build_object(
				'tables', v_tables, 'extracted', v_extracted, 'failed', v_failed, 'skipped', v_skipped,
				'held_back', v_held,
				'note', CASE WHEN v_held > 0 THEN format('%s rows newer than the source clock, taken by the next run after the source clock reaches them', v_held) END)));
		END IF;
	ELSE
	BEGIN
		v_report := doliflow._pipeline_exec(p_run_id, p_step, p_full_rebuild, p_force);
	EXCEPTION
		WHEN invalid_transaction_termination THEN
			v_own_tx := true;
		WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS v_error = MESSAGE_TEXT, v_hint = PG_EXCEPTION_HINT;
			v_error := v_error || CASE WHEN v_hint <> '' THEN ' (' || v_hint || ')' ELSE '' END;
	END;
	END IF;

	IF v_own_tx THEN
		-- The procedure COMMITs: run it at top level, as the caller.
		IF p_step = 'extract' THEN
			RAISE NOTICE 'doliflow: extract manages its own transactions; running it outside a subtransaction';
			CALL doliflow.extract();
			PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
		ELSIF p_step = 'load_warehouse' THEN
			RAISE NOTICE 'doliflow: load_warehouse manages its own transactions; running it outside a subtransaction';
			CALL doliflow.load_warehouse(p_full_rebuild);
			PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
		ELSE
			v_error := pg_catalog.format('%s must not COMMIT: analytics modules run inside the step''s transaction', v_proc);
		END IF;
		PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
		v_report := nullif(pg_catalog.current_setting('doliflow.step_report', true), '')::jsonb;
	END IF;

	-- Figures: the step's own report, else the sum of the sub-steps it logged
	-- under this run or under runs it started itself.
	SELECT sum(s.rows_in)::bigint AS rows_in, sum(s.rows_out)::bigint AS rows_out,
		   jsonb_agg(DISTINCT s.run_id) FILTER (WHERE s.run_id <> p_run_id) AS child_runs
	  INTO v_sub
	  FROM doliflow.run_step s
	 WHERE (s.run_id = p_run_id AND s.step_id > v_step_id)
		OR s.run_id IN (SELECT r.run_id FROM doliflow.run_log r
						 WHERE r.run_id > coalesce(v_last_run, 0) AND r.run_id <> p_run_id
						   AND r.triggered_by = session_user);

	p_status := CASE WHEN v_error IS NULL THEN 'success' ELSE 'failed' END;
	PERFORM doliflow._step_end(v_step_id, p_status,
		coalesce((v_report ->> 'rows_in')::bigint, v_sub.rows_in),
		coalesce((v_report ->> 'rows_out')::bigint, v_sub.rows_out),
		nullif(jsonb_strip_nulls(jsonb_build_object(
			'report', v_report -> 'detail', 'child_runs', v_sub.child_runs,
			'own_transactions', CASE WHEN v_own_tx THEN true END)), '{}'::jsonb),
		v_error);
	IF v_error IS NOT NULL THEN
		PERFORM doliflow._run_end_error(p_run_id, p_step || ': ' || v_error);
	END IF;
	COMMIT;
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
END;
$$;

-- Records the first error of a run without finishing it.
CREATE FUNCTION doliflow._run_end_error(p_run_id bigint, p_error text) RETURNS void
LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
	SELECT doliflow._run_check(p_run_id);
	UPDATE doliflow.run_log SET error = coalesce(error, p_error) WHERE run_id = p_run_id;
$$;

-- The analytics modules of a run, in order, with their dependencies.
CREATE PROCEDURE doliflow._run_modules(p_run_id bigint, p_module text, p_force boolean)
LANGUAGE plpgsql AS $$
DECLARE
	m record;
	v_status text;
	v_failed text[] := '{}';
	v_blocking text[];
BEGIN
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
	FOR m IN SELECT name, depends_on FROM doliflow.analytics_module
			  WHERE p_module = 'all' OR name = p_module ORDER BY position
	LOOP
		PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
		v_blocking := ARRAY(SELECT unnest(m.depends_on) INTERSECT SELECT unnest(v_failed));
		IF cardinality(v_blocking) > 0 THEN
			PERFORM doliflow._step_end(doliflow._step_begin(p_run_id, 'analytics:' || m.name), 'skipped',
				NULL, NULL, jsonb_build_object('reason', 'depends on failed module(s) ' || array_to_string(v_blocking, ', ')));
			RAISE NOTICE 'doliflow: analytics:% skipped: % failed in this run', m.name, array_to_string(v_blocking, ', ');
			v_failed := v_failed || m.name;		-- its dependants are skipped too
			COMMIT;
			PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
			CONTINUE;
		END IF;
		v_status := NULL;
		CALL doliflow._run_step(p_run_id, 'analytics:' || m.name, false, p_force, v_status);
		PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
		IF v_status = 'failed' THEN
			v_failed := v_failed || m.name;
		END IF;
	END LOOP;
END;
$$;

-- Final status of a run from its step rows.
CREATE FUNCTION doliflow._run_finish(p_run_id bigint) RETURNS text
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	n_failed integer;
	n_ok integer;
	v_status text;
BEGIN
	SELECT count(*) FILTER (WHERE status = 'failed'), count(*) FILTER (WHERE status = 'success')
	  INTO n_failed, n_ok
	  FROM doliflow.run_step WHERE run_id = p_run_id;
	v_status := CASE WHEN n_failed = 0 THEN 'success' WHEN n_ok = 0 THEN 'failed' ELSE 'partial' END;
	PERFORM doliflow._run_end(p_run_id, v_status);
	RETURN v_status;
END;
$$;

-- Starts a run under the lock, or logs a skipped run.  NULL when skipped.
CREATE FUNCTION doliflow._run_start(p_kind text) RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_run bigint;
	v_holder integer;
	v_other bigint;
BEGIN
	IF NOT doliflow._lock_try() THEN
		v_holder := doliflow._lock_holder();
		SELECT max(run_id) INTO v_other FROM doliflow.run_log WHERE status = 'running' AND kind IN ('pipeline', 'analytics');
		v_run := doliflow._run_begin(p_kind);
		PERFORM doliflow._run_end(v_run, 'skipped',
			format('skipped: another doliflow run is in progress (run %s, backend pid %s)',
				   coalesce(v_other::text, '?'), coalesce(v_holder::text, '?')));
		RAISE NOTICE 'doliflow: % skipped: another doliflow run is in progress (run %, backend pid %)',
			p_kind, coalesce(v_other::text, '?'), coalesce(v_holder::text, '?');
		RETURN NULL;
	END IF;
	PERFORM doliflow._recover_stale_runs();
	v_run := doliflow._run_begin(p_kind);
	PERFORM set_config('doliflow.run_id', v_run::text, false);
	RAISE NOTICE 'doliflow: % run % started', p_kind, v_run;
	RETURN v_run;
END;
$$;

CREATE FUNCTION doliflow._run_stop(p_run_id bigint) RETURNS text
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_status text := doliflow._run_finish(p_run_id);
	r record;
BEGIN
	PERFORM set_config('doliflow.run_id', '', false);
	PERFORM doliflow._lock_release();
	SELECT finished_at - started_at AS took, error INTO r FROM doliflow.run_log WHERE run_id = p_run_id;
	RAISE NOTICE '%', format('doliflow: run %s finished: %s in %s%s', p_run_id, v_status,
		date_trunc('second', r.took),
		CASE WHEN r.error IS NOT NULL THEN ' (first error: ' || r.error || ')' ELSE '' END);
	RETURN v_status;
END;
$$;

------------------------------------------------------------------------------
-- Public procedures
------------------------------------------------------------------------------

CREATE PROCEDURE doliflow.run_analytics(module text DEFAULT 'all', force boolean DEFAULT false)
LANGUAGE plpgsql AS $$
DECLARE
	v_run bigint;
BEGIN
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
	IF module IS NULL OR (module <> 'all' AND NOT EXISTS (SELECT 1 FROM doliflow.analytics_module m WHERE m.name = module)) THEN
		RAISE EXCEPTION 'unknown doliflow analytics module "%"', module
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Valid modules: all, ' || (SELECT string_agg(m.name, ', ' ORDER BY m.position) FROM doliflow.analytics_module m) || '.';
	END IF;
	v_run := doliflow._run_start('analytics');
	COMMIT;
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
	IF v_run IS NULL THEN
		RETURN;
	END IF;
	CALL doliflow._run_modules(v_run, module, coalesce(force, false));
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
	PERFORM doliflow._run_stop(v_run);
	COMMIT;
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
END;
$$;
COMMENT ON PROCEDURE doliflow.run_analytics(text, boolean) IS 'Runs one analytics module or all of them (forecast, stock, anomalies, segmentation, duration, insights) on the current warehouse, each as a step of one run-log entry; a failed module does not stop the others, but skips the modules depending on it; force recomputes outputs that could be reused (computed from the current, complete warehouse load). Call outside a transaction block.';

CREATE PROCEDURE doliflow.run_pipeline(full_rebuild boolean DEFAULT false)
LANGUAGE plpgsql AS $$
DECLARE
	v_run bigint;
	v_status text;
BEGIN
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
	v_run := doliflow._run_start('pipeline');
	COMMIT;
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
	IF v_run IS NULL THEN
		RETURN;
	END IF;
	-- Extract.  Whatever its outcome, the load runs: the lake only holds
	-- verified versions, so after a failed extract the load works on the
	-- previous lake (tables that failed keep their previous version).
	CALL doliflow._run_step(v_run, 'extract', false, false, v_status);
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
	-- Load.  A failed load leaves the previous warehouse in place (it is one
	-- transaction), and the analytics then run on it.
	CALL doliflow._run_step(v_run, 'load_warehouse', coalesce(full_rebuild, false), false, v_status);
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
	CALL doliflow._run_modules(v_run, 'all', coalesce(full_rebuild, false));
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
	PERFORM doliflow._run_stop(v_run);
	COMMIT;
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
END;
$$;
COMMENT ON PROCEDURE doliflow.run_pipeline(boolean) IS 'The nightly batch: extract (source to lake), load_warehouse (lake to dw; full rebuild when full_rebuild) and every analytics module, as steps of one run-log entry (kind pipeline) with status, rows, duration and error per step. A failed step does not stop the later ones: the load runs on the last verified lake, analytics on the current warehouse. Only one doliflow run at a time: a second concurrent call is logged as skipped and returns. Call outside a transaction block.';

------------------------------------------------------------------------------
-- pg_cron schedule.  pg_cron 1.4 reads schedules in GMT (pg_cron >= 1.5 in
-- its cron.timezone setting): local times are converted with the company's
-- time zone at the moment schedule() is called.
------------------------------------------------------------------------------

-- The time zone pg_cron interprets schedules in.
CREATE FUNCTION doliflow._cron_timezone() RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT coalesce(nullif(pg_catalog.current_setting('cron.timezone', true), ''), 'GMT');
$$;

-- Cron expression for a local time (and optional local day of week 0-6 =
-- Sunday-Saturday, or local day of month) in time zone p_tz, converted to the
-- cron time zone at the date p_on.
CREATE FUNCTION doliflow._cron_expr(p_local time, p_tz text, p_dow integer DEFAULT NULL,
									p_dom integer DEFAULT NULL, p_on date DEFAULT NULL) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_local timestamp := coalesce(p_on, (now() AT TIME ZONE p_tz)::date) + p_local;
	v_cron timestamp := (v_local AT TIME ZONE p_tz) AT TIME ZONE doliflow._cron_timezone();
	v_shift integer := v_cron::date - v_local::date;
BEGIN
	RETURN format('%s %s %s * %s', extract(minute FROM v_cron)::int, extract(hour FROM v_cron)::int,
		CASE WHEN p_dom IS NULL THEN '*' ELSE greatest(1, least(28, p_dom + v_shift))::text END,
		CASE WHEN p_dow IS NULL THEN '*' ELSE ((p_dow + v_shift + 7) % 7)::text END);
END;
$$;

-- The jobs schedule() creates: name, cron expression, command, the database
-- they run in, and the local time they were converted from.
CREATE FUNCTION doliflow._schedule_jobs(p_nightly time, p_tz text, p_database text, p_on date DEFAULT NULL)
RETURNS TABLE (jobname text, schedule text, command text, database text, local_time text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_crondb text := pg_catalog.current_setting('cron.database_name', true);
	v_suffix text := CASE WHEN p_database = coalesce(v_crondb, p_database) THEN '' ELSE '@' || p_database END;
	v_retention integer := doliflow.setting('retention_days')::integer;
BEGIN
	IF p_nightly IS NULL OR p_tz IS NULL THEN
		RAISE EXCEPTION 'doliflow.schedule: nightly time and time zone must not be NULL' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_timezone_names WHERE name = p_tz)
	   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_timezone_abbrevs WHERE abbrev = p_tz) THEN
		RAISE EXCEPTION 'unknown time zone "%"', p_tz USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Use a name from pg_timezone_names, e.g. Europe/Paris.';
	END IF;
	jobname := 'doliflow-nightly' || v_suffix;
	schedule := doliflow._cron_expr(p_nightly, p_tz, NULL, NULL, p_on);
	command := 'CALL doliflow.run_pipeline()';
	database := p_database;
	local_time := format('daily %s %s', to_char(p_nightly, 'HH24:MI'), p_tz);
	RETURN NEXT;
	jobname := 'doliflow-weekly-rebuild' || v_suffix;
	schedule := doliflow._cron_expr('02:00', p_tz, 0, NULL, p_on);
	command := 'CALL doliflow.run_pipeline(full_rebuild => true)';
	local_time := format('Sunday 02:00 %s', p_tz);
	RETURN NEXT;
	jobname := 'doliflow-monthly-cleanup' || v_suffix;
	schedule := doliflow._cron_expr('03:00', p_tz, NULL, 1, p_on);
	command := 'CALL doliflow.cleanup(doliflow.setting(''retention_days'')::integer)';
	local_time := format('1st of the month 03:00 %s', p_tz);
	RETURN NEXT;
	-- pg_cron's own history, pruned where it lives (the cron database).
	jobname := 'doliflow-cron-history' || v_suffix;
	schedule := doliflow._cron_expr('03:15', p_tz, NULL, 1, p_on);
	command := format('DELETE FROM cron.job_run_details WHERE end_time < now() - interval %L'
					  ' AND jobid IN (SELECT jobid FROM cron.job WHERE jobname LIKE %L)',
					  v_retention || ' days', 'doliflow-%');
	database := coalesce(v_crondb, p_database);
	local_time := format('1st of the month 03:15 %s', p_tz);
	RETURN NEXT;
END;
$$;

CREATE FUNCTION doliflow._cron_here() RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT pg_catalog.to_regclass('cron.job') IS NOT NULL
	   AND pg_catalog.current_setting('cron.database_name', true) = pg_catalog.current_database();
$$;

CREATE FUNCTION doliflow.schedule_sql(nightly time DEFAULT NULL, tz text DEFAULT NULL,
									  database text DEFAULT NULL) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_nightly time := coalesce(nightly, doliflow.setting('nightly_time')::time);
	v_tz text := coalesce(tz, doliflow.setting('timezone'));
	v_db text := coalesce(database, pg_catalog.current_database());
BEGIN
	-- The script is piped into psql as a superuser: every value is a quoted literal, and
	-- the comments show names and zones with anything but plain printable characters
	-- replaced (a newline would end the comment, a backslash start a psql command).
	RETURN format(E'-- doliflow jobs for database %s: daily %s %s, converted to %s as of %s.\n'
				  '-- Run this in the database where pg_cron is installed (cron.database_name).\n',
				  regexp_replace(quote_ident(v_db), '[^[:alnum:] _.,:@/+"-]', '?', 'g'), to_char(v_nightly, 'HH24:MI'),
				  regexp_replace(v_tz, '[^[:alnum:] _.,:@/+-]', '?', 'g'), doliflow._cron_timezone(), (now() AT TIME ZONE v_tz)::date)
		|| string_agg(format('SELECT cron.schedule_in_database(%L, %L, %L, %L);  -- %s',
							 j.jobname, j.schedule, j.command, j.database,
							 regexp_replace(j.local_time, '[^[:alnum:] _.,:@/+-]', '?', 'g')), E'\n')
		|| E'\n'
	  FROM doliflow._schedule_jobs(v_nightly, v_tz, v_db) j;
END;
$$;
COMMENT ON FUNCTION doliflow.schedule_sql(time, text, text) IS 'The cron.schedule_in_database() calls that schedule the doliflow jobs for a database (default: this one), for the admin to run in the pg_cron database when pg_cron is installed elsewhere: psql -d mydb -Atc "SELECT doliflow.schedule_sql()" | psql -d postgres. Times are local (nightly_time and timezone settings by default) converted to GMT for pg_cron 1.4 as of today.';

CREATE FUNCTION doliflow.unschedule_sql(database text DEFAULT NULL) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT format('SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname IN (%s);',
				  string_agg(quote_literal(j.jobname), ', '))
	  FROM doliflow._schedule_jobs('00:00', 'GMT', coalesce(database, pg_catalog.current_database())) j;
$$;
COMMENT ON FUNCTION doliflow.unschedule_sql(text) IS 'The statement that removes the doliflow jobs of a database (default: this one), for the admin to run in the pg_cron database when pg_cron is installed elsewhere';

CREATE FUNCTION doliflow.schedule(nightly time DEFAULT NULL, tz text DEFAULT NULL)
RETURNS TABLE (jobid bigint, jobname text, schedule_gmt text, local_time text, command text, database text)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_nightly time := coalesce(nightly, doliflow.setting('nightly_time')::time);
	v_tz text := coalesce(tz, doliflow.setting('timezone'));
	v_crondb text := pg_catalog.current_setting('cron.database_name', true);
	j record;
BEGIN
	IF v_crondb IS NULL THEN
		RAISE EXCEPTION 'pg_cron is not loaded in this server'
			USING ERRCODE = 'feature_not_supported',
				  HINT = 'Add pg_cron to shared_preload_libraries, set cron.database_name, restart, and CREATE EXTENSION pg_cron in that database.';
	END IF;
	IF v_crondb = pg_catalog.current_database() AND pg_catalog.to_regclass('cron.job') IS NULL THEN
		-- pg_cron is preloaded and runs here, but its extension was never created.
		RAISE EXCEPTION 'pg_cron is loaded but its extension is not created: run CREATE EXTENSION pg_cron in database "%" (cron.database_name), then doliflow.schedule() again', v_crondb
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = format('psql -d %s -c "CREATE EXTENSION pg_cron"', v_crondb);
	END IF;
	IF NOT doliflow._cron_here() THEN
		RAISE EXCEPTION 'pg_cron runs in database "%" (cron.database_name), not in this database "%": schedule from there with doliflow.schedule_sql()', v_crondb, current_database()
			USING ERRCODE = 'feature_not_supported',
				  HINT = format('psql -d %s -Atc "SELECT doliflow.schedule_sql()" | psql -d %s   (once: CREATE EXTENSION pg_cron in database %s if it is not there yet)',
								current_database(), v_crondb, v_crondb);
	END IF;
	RAISE NOTICE 'doliflow: pg_cron schedules in %: local % % is % there today; the local time shifts by an hour when daylight saving time changes (run doliflow.schedule() again to follow it)',
		doliflow._cron_timezone(), to_char(v_nightly, 'HH24:MI'), v_tz, doliflow._cron_expr(v_nightly, v_tz);
	FOR j IN SELECT * FROM doliflow._schedule_jobs(v_nightly, v_tz, current_database()) LOOP
		jobid := cron.schedule_in_database(j.jobname, j.schedule, j.command, j.database);
		jobname := j.jobname;
		schedule_gmt := j.schedule;
		local_time := j.local_time;
		command := j.command;
		database := j.database;
		RETURN NEXT;
	END LOOP;
END;
$$;
COMMENT ON FUNCTION doliflow.schedule(time, text) IS 'Creates or replaces the pg_cron jobs doliflow-nightly (run_pipeline at nightly local time, default the nightly_time setting 00:30), doliflow-weekly-rebuild (Sunday 02:00 local, full rebuild), doliflow-monthly-cleanup (1st 03:00 local, cleanup with retention_days) and doliflow-cron-history (prunes cron.job_run_details). pg_cron 1.4 schedules in GMT: the local times are converted with tz (default the timezone setting) as of today, so with daylight saving time they shift by an hour half the year; call schedule() again after a DST change to follow local time. Must run in the pg_cron database; elsewhere use schedule_sql(). Idempotent: jobs are replaced by name.';

CREATE FUNCTION doliflow.unschedule() RETURNS integer
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	n integer := 0;
	j record;
BEGIN
	IF pg_catalog.current_setting('cron.database_name', true) = pg_catalog.current_database()
	   AND pg_catalog.to_regclass('cron.job') IS NULL THEN
		RAISE EXCEPTION 'pg_cron is loaded but its extension is not created: run CREATE EXTENSION pg_cron in database "%" (cron.database_name)', current_database()
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	IF NOT doliflow._cron_here() THEN
		RAISE EXCEPTION 'pg_cron is not installed in database "%"', current_database()
			USING ERRCODE = 'feature_not_supported',
				  HINT = format('Unschedule from the pg_cron database: psql -d %s -Atc "SELECT doliflow.unschedule_sql()" | psql -d %s',
								current_database(), coalesce(current_setting('cron.database_name', true), 'postgres'));
	END IF;
	FOR j IN SELECT c.jobid FROM cron.job c
			  WHERE c.jobname IN (SELECT s.jobname FROM doliflow._schedule_jobs('00:00', 'GMT', current_database()) s)
	LOOP
		PERFORM cron.unschedule(j.jobid);
		n := n + 1;
	END LOOP;
	RETURN n;
END;
$$;
COMMENT ON FUNCTION doliflow.unschedule() IS 'Removes the doliflow pg_cron jobs of this database; returns how many were removed (0 when none were scheduled)';

-- Next time a cron expression fires after p_from (minute hour dom month dow
-- with numbers, lists and *; NULL for other syntax), in the cron time zone.
CREATE FUNCTION doliflow._cron_next(p_expr text, p_from timestamptz DEFAULT now()) RETURNS timestamptz
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	f text[] := regexp_split_to_array(btrim(p_expr), '\s+');
	v_tz text := doliflow._cron_timezone();
	v_from timestamp := date_trunc('minute', p_from AT TIME ZONE v_tz) + interval '1 minute';
	v_day date;
	mins int[]; hours int[]; doms int[]; mons int[]; dows int[];
	h int; m int; t timestamp;
BEGIN
	IF cardinality(f) <> 5 OR EXISTS (SELECT 1 FROM unnest(f) x WHERE x !~ '^(\*|\d+(,\d+)*)$') THEN
		RETURN NULL;
	END IF;
	mins := CASE WHEN f[1] = '*' THEN ARRAY(SELECT generate_series(0, 59)) ELSE string_to_array(f[1], ',')::int[] END;
	hours := CASE WHEN f[2] = '*' THEN ARRAY(SELECT generate_series(0, 23)) ELSE string_to_array(f[2], ',')::int[] END;
	doms := CASE WHEN f[3] = '*' THEN NULL ELSE string_to_array(f[3], ',')::int[] END;
	mons := CASE WHEN f[4] = '*' THEN NULL ELSE string_to_array(f[4], ',')::int[] END;
	dows := CASE WHEN f[5] = '*' THEN NULL ELSE string_to_array(f[5], ',')::int[] END;
	FOR d IN 0..400 LOOP
		v_day := v_from::date + d;
		CONTINUE WHEN mons IS NOT NULL AND NOT extract(month FROM v_day)::int = ANY (mons);
		-- cron: when both day fields are restricted, either matches
		CONTINUE WHEN CASE
			WHEN doms IS NOT NULL AND dows IS NOT NULL THEN
				NOT (extract(day FROM v_day)::int = ANY (doms) OR (extract(dow FROM v_day)::int = ANY (dows) OR (extract(dow FROM v_day) = 0 AND 7 = ANY (dows))))
			WHEN doms IS NOT NULL THEN NOT extract(day FROM v_day)::int = ANY (doms)
			WHEN dows IS NOT NULL THEN NOT (extract(dow FROM v_day)::int = ANY (dows) OR (extract(dow FROM v_day) = 0 AND 7 = ANY (dows)))
			ELSE false END;
		FOR h IN SELECT unnest(hours) ORDER BY 1 LOOP
			FOR m IN SELECT unnest(mins) ORDER BY 1 LOOP
				t := v_day + make_interval(hours => h, mins => m);
				IF t >= v_from THEN
					RETURN t AT TIME ZONE v_tz;
				END IF;
			END LOOP;
		END LOOP;
	END LOOP;
	RETURN NULL;
END;
$$;

CREATE FUNCTION doliflow.scheduled_jobs()
RETURNS TABLE (jobname text, schedule_gmt text, local_time text, command text, database text,
			   active boolean, next_run timestamptz)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_tz text := doliflow.setting('timezone');
BEGIN
	IF pg_catalog.to_regclass('cron.job') IS NULL
	   OR NOT pg_catalog.has_table_privilege('cron.job', 'SELECT') THEN
		RETURN;		-- pg_cron lives in another database (see schedule_sql())
	END IF;
	RETURN QUERY EXECUTE
		'SELECT j.jobname::text, j.schedule, '
		'       CASE WHEN n.next IS NOT NULL THEN to_char(n.next AT TIME ZONE $1, ''Dy HH24:MI'') || '' '' || $1 END, '
		'       j.command, j.database::text, j.active, n.next '
		'  FROM cron.job j CROSS JOIN LATERAL (SELECT doliflow._cron_next(j.schedule) AS next) n '
		' WHERE true '
		'   AND j.jobname IN (SELECT s.jobname FROM doliflow._schedule_jobs(''00:00'', ''GMT'', current_database()) s) '
		' ORDER BY n.next NULLS LAST, j.jobname'
		USING v_tz;
END;
$$;
COMMENT ON FUNCTION doliflow.scheduled_jobs() IS 'The doliflow pg_cron jobs of this database: name, schedule in GMT (pg_cron 1.4), next run shown in local time (timezone setting), command, target database, active flag and next run; empty when pg_cron is installed in another database';

-- status(): the schedule section (doliflow.status_providers, part 30).
CREATE FUNCTION doliflow._status_schedule() RETURNS SETOF doliflow.status_row
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_crondb text;
	n integer := 0;
	j record;
BEGIN
	BEGIN	-- pg_cron's settings are readable by superusers and pg_read_all_settings only
		v_crondb := pg_catalog.current_setting('cron.database_name', true);
	EXCEPTION WHEN insufficient_privilege THEN
		RETURN NEXT ('schedule', 'pg_cron', 'not visible', NULL, NULL, NULL, NULL,
					 'this role may not read the pg_cron settings (superuser or pg_read_all_settings)')::doliflow.status_row;
		RETURN;
	END;
	IF v_crondb IS NULL THEN
		RETURN NEXT ('schedule', 'pg_cron', 'not loaded', NULL, NULL, NULL, NULL,
					 'pg_cron is not in shared_preload_libraries: nothing runs the nightly batch')::doliflow.status_row;
		RETURN;
	END IF;
	IF pg_catalog.to_regclass('cron.job') IS NULL AND v_crondb = pg_catalog.current_database() THEN
		RETURN NEXT ('schedule', 'pg_cron', 'not created', NULL, NULL, NULL, NULL,
					 format('pg_cron is loaded but its extension is not created: run CREATE EXTENSION pg_cron in database %s (cron.database_name), then SELECT * FROM doliflow.schedule()', v_crondb))::doliflow.status_row;
		RETURN;
	END IF;
	IF pg_catalog.to_regclass('cron.job') IS NULL THEN
		RETURN NEXT ('schedule', 'pg_cron', 'elsewhere', NULL, NULL, NULL, NULL,
					 format('pg_cron lives in database %s: its jobs are not visible from here (schedule with doliflow.schedule_sql())', v_crondb))::doliflow.status_row;
		RETURN;
	END IF;
	FOR j IN SELECT * FROM doliflow.scheduled_jobs() LOOP
		n := n + 1;
		RETURN NEXT ('schedule', j.jobname, CASE WHEN j.active THEN 'scheduled' ELSE 'inactive' END, NULL,
					 j.next_run, NULL, NULL,
					 format('%s GMT (next %s): %s', j.schedule_gmt, coalesce(j.local_time, '?'), j.command))::doliflow.status_row;
	END LOOP;
	IF n = 0 THEN
		RETURN NEXT ('schedule', 'pg_cron', 'not scheduled', NULL, NULL, NULL, NULL,
					 'no doliflow job: SELECT * FROM doliflow.schedule()')::doliflow.status_row;
	END IF;
END;
$$;
INSERT INTO doliflow.status_providers (provider, position, description) VALUES
	('doliflow._status_schedule()', 40, 'pg_cron jobs of doliflow: schedule in GMT, next run in local time, command');
