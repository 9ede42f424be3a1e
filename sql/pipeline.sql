-- run_analytics / run_pipeline: module registry, failures, dependencies,
-- skipped steps, the lock, and the schedule helpers.
-- Timings in NOTICEs vary: show warnings (failed steps) and errors only.
SET client_min_messages = warning;
\set VERBOSITY terse

-- Test modules replace the real registry for the duration of this suite.
CREATE TABLE pipeline_saved_modules AS SELECT * FROM doliflow.analytics_module;
DELETE FROM doliflow.analytics_module;
CREATE TABLE dw.pipeline_probe (run_id bigint, module text, force boolean);

CREATE PROCEDURE doliflow._t_ok(run_id bigint, force boolean) LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO dw.pipeline_probe VALUES (run_id, 'ok', force);
	PERFORM doliflow._step_report(7, 3, '{"note": "reported"}');
END $$;
CREATE PROCEDURE doliflow._t_fail(run_id bigint, force boolean) LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO dw.pipeline_probe VALUES (run_id, 'fail', force);	-- rolled back with the step
	RAISE EXCEPTION 'model did not converge' USING HINT = 'more data needed';
END $$;
CREATE PROCEDURE doliflow._t_after(run_id bigint, force boolean) LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO dw.pipeline_probe VALUES (run_id, 'after', force);
END $$;
CREATE FUNCTION doliflow._t_func(run_id bigint, force boolean) RETURNS void LANGUAGE sql AS $$
	INSERT INTO dw.pipeline_probe VALUES (run_id, 'func', force);
$$;
CREATE PROCEDURE doliflow._t_commits(run_id bigint, force boolean) LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO dw.pipeline_probe VALUES (run_id, 'commits', force);
	COMMIT;
END $$;
-- t_missing's procedure is registered, then dropped: the module is skipped.
CREATE PROCEDURE doliflow._t_not_there(run_id bigint, force boolean) LANGUAGE plpgsql AS $$ BEGIN END $$;
INSERT INTO doliflow.analytics_module (name, procedure, depends_on, position, description) VALUES
	('t_ok', 'doliflow._t_ok(bigint, boolean)', '{}', 1, 'succeeds, reports 7 in 3 out'),
	('t_fail', 'doliflow._t_fail(bigint, boolean)', '{}', 2, 'fails'),
	('t_dep', 'doliflow._t_after(bigint, boolean)', '{t_fail}', 3, 'depends on t_fail: skipped'),
	('t_dep2', 'doliflow._t_after(bigint, boolean)', '{t_dep}', 4, 'depends on t_dep: skipped too'),
	('t_indep', 'doliflow._t_after(bigint, boolean)', '{t_ok}', 5, 'depends on t_ok: runs'),
	('t_missing', 'doliflow._t_not_there(bigint, boolean)', '{}', 6, 'not installed: skipped'),
	('t_func', 'doliflow._t_func(bigint, boolean)', '{}', 7, 'a function works too'),
	('t_commits', 'doliflow._t_commits(bigint, boolean)', '{}', 8, 'COMMIT inside a module is refused');
DROP PROCEDURE doliflow._t_not_there;

CALL doliflow.run_analytics('all', force => true);
SELECT kind, status, error FROM doliflow.run_log ORDER BY run_id DESC LIMIT 1;
SELECT step, status, rows_in, rows_out, detail, error,
       finished_at >= started_at AS timed
  FROM doliflow.run_step WHERE run_id = (SELECT max(run_id) FROM doliflow.run_log) ORDER BY step_id;
-- Only the successful modules' writes survive; the step got the run id and force.
SELECT module, force, run_id = (SELECT max(run_id) FROM doliflow.run_log) AS same_run
  FROM dw.pipeline_probe ORDER BY module;

-- One module alone runs without its dependencies; success.
TRUNCATE dw.pipeline_probe;
CALL doliflow.run_analytics('t_dep');
SELECT kind, status, error FROM doliflow.run_log ORDER BY run_id DESC LIMIT 1;
SELECT module, force FROM dw.pipeline_probe;

-- Unknown and NULL module names list the valid ones.
CALL doliflow.run_analytics('t_nope');
CALL doliflow.run_analytics(NULL);

-- Nothing but failures: the run failed.
DELETE FROM doliflow.analytics_module WHERE name <> 't_fail';
CALL doliflow.run_analytics();
SELECT kind, status, error FROM doliflow.run_log ORDER BY run_id DESC LIMIT 1;

-- run_pipeline() itself runs in test/integration (81_pipeline.sh) on fresh
-- databases: here it would extract into the shared regression database.

-- The lock is released at the end of a run (specs/pipeline_overlap.spec
-- tests two sessions).
SELECT doliflow._lock_held() AS held_after_run;
-- _pipeline_exec refuses to run outside a run (lock not held).
SELECT doliflow._pipeline_exec(1, 'analytics:t_fail', false, false);

-- An interrupted run (left 'running') is marked failed by the next run.
INSERT INTO doliflow.run_log (kind) VALUES ('pipeline');
INSERT INTO doliflow.run_step (run_id, step) SELECT max(run_id), 'extract' FROM doliflow.run_log;
CALL doliflow.run_analytics();
SELECT status, error FROM doliflow.run_log WHERE run_id = (SELECT max(run_id) - 1 FROM doliflow.run_log);
SELECT status, error FROM doliflow.run_step WHERE run_id = (SELECT max(run_id) - 1 FROM doliflow.run_log);
SELECT count(*) AS still_running FROM doliflow.run_log WHERE status = 'running';

-- A module whose routine takes other arguments is refused by name.
CREATE FUNCTION doliflow._t_badargs(integer) RETURNS void LANGUAGE sql AS 'SELECT';
INSERT INTO doliflow.analytics_module VALUES ('t_badargs', 'doliflow._t_badargs(integer)', '{}', 9, 'wrong arguments');
SELECT doliflow._step_procedure('analytics:t_badargs');

-- Restore the registry.
DELETE FROM doliflow.analytics_module;
INSERT INTO doliflow.analytics_module SELECT * FROM pipeline_saved_modules;
DROP TABLE pipeline_saved_modules, dw.pipeline_probe;
DROP PROCEDURE doliflow._t_ok, doliflow._t_fail, doliflow._t_after, doliflow._t_commits;
DROP FUNCTION doliflow._t_func, doliflow._t_badargs;
SELECT string_agg(name || '<-' || array_to_string(depends_on, ','), ' ' ORDER BY position) AS registry
  FROM doliflow.analytics_module;

-- Schedule: local 00:30 Europe/Paris is 23:30 GMT in winter, 22:30 in summer;
-- Sunday 02:00 local is Sunday 01:00 / 00:00 GMT; the day shifts when the
-- conversion crosses midnight.
SELECT doliflow._cron_expr('00:30', 'Europe/Paris', NULL, NULL, '2024-01-15') AS winter,
       doliflow._cron_expr('00:30', 'Europe/Paris', NULL, NULL, '2024-07-15') AS summer,
       doliflow._cron_expr('02:00', 'Europe/Paris', 0, NULL, '2024-01-15') AS sunday_winter,
       doliflow._cron_expr('00:30', 'Europe/Paris', 0, NULL, '2024-01-15') AS sunday_crossing,
       doliflow._cron_expr('03:00', 'Europe/Paris', NULL, 1, '2024-07-15') AS monthly,
       doliflow._cron_expr('20:00', 'America/New_York', 6, NULL, '2024-01-15') AS westward;
-- Next runs (cron time zone GMT), from a fixed instant: Monday 2024-01-15 12:00 GMT.
SELECT doliflow._cron_next('30 23 * * *', '2024-01-15 12:00+00') AS nightly,
       doliflow._cron_next('0 1 * * 0', '2024-01-15 12:00+00') AS weekly,
       doliflow._cron_next('0 2 1 * *', '2024-01-15 12:00+00') AS monthly,
       doliflow._cron_next('*/5 * * * *', '2024-01-15 12:00+00') AS unsupported;
SELECT jobname, schedule, command, database, local_time
  FROM doliflow._schedule_jobs('00:30', 'Europe/Paris', current_database(), '2024-01-15');
-- pg_cron is in database postgres, not here: schedule() says how to do it.
SELECT * FROM doliflow.schedule();
SELECT doliflow.unschedule();
SELECT doliflow.schedule_sql('00:30', 'Nowhere/Atlantis');
SELECT count(*) AS jobs_visible_here FROM doliflow.scheduled_jobs();
SELECT doliflow.unschedule_sql() LIKE 'SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname IN (''doliflow-nightly@%' AS unschedule_sql;
