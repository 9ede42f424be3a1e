-- doliflow install script, part 90: comments on internal helpers, so that
-- \df+ documents every function of the extension, public or not.

COMMENT ON FUNCTION doliflow._settings_check() IS 'Internal: trigger that rejects a settings value that does not cast to its declared type or lies outside its domain (min_value, max_value, allowed_values, value_pattern; time zones checked against pg_timezone_names)';
COMMENT ON FUNCTION doliflow._recover_stale_runs() IS 'Internal: mark as failed (interrupted) the runs left running by a backend that ended';
COMMENT ON FUNCTION doliflow._step_procedure(text) IS 'Internal: the procedure that implements a pipeline step (extract, load, analytics module)';
COMMENT ON FUNCTION doliflow._pipeline_exec(bigint, text, boolean, boolean) IS 'Internal: runs one pipeline step as doliflow_owner; refuses callers that do not hold the run lock';
COMMENT ON PROCEDURE doliflow._run_step(bigint, text, boolean, boolean, text) IS 'Internal: runs one step of a run inside a subtransaction and records its status, rows, duration and error';
COMMENT ON FUNCTION doliflow._run_end_error(bigint, text) IS 'Internal: records the first error of a run';
COMMENT ON PROCEDURE doliflow._run_modules(bigint, text, boolean) IS 'Internal: runs the analytics modules of a run in order, skipping the dependants of a failed module';
COMMENT ON FUNCTION doliflow._run_finish(bigint) IS 'Internal: closes a run with success, partial or failed from the status of its steps';
COMMENT ON FUNCTION doliflow._run_start(text) IS 'Internal: opens a run of the given kind under the run lock, or logs it as skipped';
COMMENT ON FUNCTION doliflow._run_stop(bigint) IS 'Internal: finishes a run and releases the run lock';
COMMENT ON FUNCTION doliflow._cron_timezone() IS 'Internal: the time zone pg_cron schedules in (GMT for pg_cron 1.4)';
COMMENT ON FUNCTION doliflow._cron_expr(time, text, integer, integer, date) IS 'Internal: cron expression in pg_cron''s time zone for a local time, day of week or day of month';
COMMENT ON FUNCTION doliflow._cron_here() IS 'Internal: whether pg_cron is installed in this database';
COMMENT ON FUNCTION doliflow._schedule_jobs(time, text, text, date) IS 'Internal: the doliflow pg_cron jobs (name, schedule, command) for a local nightly time and time zone';
COMMENT ON FUNCTION doliflow._cron_next(text, timestamptz) IS 'Internal: next time a cron expression fires after a given instant';
COMMENT ON FUNCTION doliflow._status_schedule() IS 'Internal: status() provider listing the scheduled doliflow jobs';
