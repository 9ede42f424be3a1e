#!/usr/bin/env bash
# pg_cron for real: a private PostgreSQL whose pg_cron lives in database
# dfcron.  schedule()/unschedule() where pg_cron is installed, schedule_sql()
# for a database where it is not, scheduled_jobs() and status(), and a job
# that pg_cron really runs (run_pipeline in another database, every minute;
# pg_cron 1.4 has no seconds syntax), checked in run_log and job_run_details.
set -u
. "$(dirname "$0")/../lib.sh"

PGBIN="$DOLIFLOW_RUN_DIR/root/usr/lib/postgresql/$DF_PG_MAJOR/bin"
P3="$TEST_TMP/pg82"
port=$(df_free_port 55500)
df_pg_start "$P3" "$port" "$PGBIN" >"$TEST_TMP/pg82.log" 2>&1 || { echo "not ok 1 - private server starts"; exit 1; }
trap 'df_pg_stop "$P3"' EXIT
export PGHOST="$P3" PGPORT="$port"
psql -X -q -d postgres -c "CREATE DATABASE dfcron" -c "CREATE DATABASE dfapp" >/dev/null
echo "cron.database_name = 'dfcron'" >>"$P3/data/postgresql.conf"
run=(); [ "$(id -u)" -eq 0 ] && run=(runuser -u postgres --)
"${run[@]}" "$PGBIN/pg_ctl" -D "$P3/data" -l "$P3/server.log" -w -t 60 restart >/dev/null
ok $? "private server restarts with cron.database_name = dfcron"
is "$(q dfcron "SHOW cron.database_name")" "dfcron" "pg_cron runs in dfcron"
# pg_cron preloaded and running in dfcron, but CREATE EXTENSION pg_cron not run yet:
# schedule() says exactly what to do (it used to say 'installed in "dfcron", not in "dfcron"').
q dfcron "CREATE EXTENSION doliflow CASCADE" >/dev/null 2>&1; ok $? "doliflow in dfcron before pg_cron is created"
psql -X -q -v VERBOSITY=verbose -d dfcron -c "SELECT * FROM doliflow.schedule()" >/dev/null 2>"$TEST_TMP/82_nocron.err"
ok $(( $? == 0 )) "schedule() refuses while pg_cron is preloaded but not created"
grep -q 'run CREATE EXTENSION pg_cron in database "dfcron" (cron.database_name)' "$TEST_TMP/82_nocron.err"
ok $? "and says: run CREATE EXTENSION pg_cron in database \"dfcron\" (cron.database_name)"
grep -q '^ERROR:  55000' "$TEST_TMP/82_nocron.err"; ok $? "with SQLSTATE 55000 (object_not_in_prerequisite_state)"
! grep -q 'not in "dfcron"' "$TEST_TMP/82_nocron.err"; ok $? "no 'installed in dfcron, not in dfcron' dead end"
psql -X -q -d dfcron -c "SELECT doliflow.unschedule()" >/dev/null 2>"$TEST_TMP/82_nocron_un.err"
grep -q 'run CREATE EXTENSION pg_cron in database "dfcron"' "$TEST_TMP/82_nocron_un.err"; ok $? "unschedule() says the same"
is "$(q dfcron "SELECT status || ': ' || detail FROM doliflow.status() WHERE section = 'schedule'")" \
   "not created: pg_cron is loaded but its extension is not created: run CREATE EXTENSION pg_cron in database dfcron (cron.database_name), then SELECT * FROM doliflow.schedule()" \
   "status() shows the missing CREATE EXTENSION step"
q dfcron "CREATE EXTENSION pg_cron" >/dev/null && q dfapp "CREATE EXTENSION doliflow CASCADE" >/dev/null 2>&1
ok $? "pg_cron in dfcron, doliflow in dfcron and dfapp"
diag "pg_cron $(q dfcron "SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'")"

# schedule() where pg_cron lives.
q dfcron "SELECT * FROM doliflow.schedule()" >/dev/null 2>"$TEST_TMP/82_schedule.err"
ok $? "schedule() in the pg_cron database"
jobs="SELECT string_agg(jobname || ' ' || schedule || ' ' || database || ' ' || command, E'\n' ORDER BY jobname) FROM cron.job"
expected=$(q dfcron "SELECT string_agg(jobname || ' ' || schedule || ' ' || database || ' ' || command, E'\n' ORDER BY jobname) FROM doliflow._schedule_jobs('00:30', 'Europe/Paris', 'dfcron')")
is "$(q dfcron "$jobs")" "$expected" "four jobs: nightly, weekly rebuild, monthly cleanup, cron history"
q dfcron "SELECT schedule FROM cron.job WHERE jobname = 'doliflow-nightly'" | grep -Eq '^30 2[23] \* \* \*$'
ok $? "nightly 00:30 Europe/Paris is 22:30 or 23:30 GMT (summer/winter)"
grep -q "pg_cron schedules in GMT" "$TEST_TMP/82_schedule.err"; ok $? "schedule() says pg_cron schedules in GMT"
grep -q "daylight saving" "$TEST_TMP/82_schedule.err"; ok $? "schedule() warns about daylight saving time"
ids=$(q dfcron "SELECT string_agg(jobid::text, ',' ORDER BY jobname) FROM cron.job")
q dfcron "SELECT * FROM doliflow.schedule('01:15', 'Europe/Paris')" >/dev/null 2>&1
is "$(q dfcron "SELECT count(*) FROM cron.job")|$(q dfcron "SELECT string_agg(jobid::text, ',' ORDER BY jobname) FROM cron.job")" "4|$ids" \
   "schedule() again replaces the jobs (same ids, no duplicates)"
q dfcron "SELECT schedule FROM cron.job WHERE jobname = 'doliflow-nightly'" | grep -Eq '^15 (23|0) \* \* \*$'
ok $? "with the new nightly time (01:15 local)"
is "$(q dfcron "SELECT count(*) FROM doliflow.scheduled_jobs() WHERE next_run > now() AND next_run < now() + interval '32 days' AND local_time LIKE '% Europe/Paris'")" "4" \
   "scheduled_jobs(): four jobs with their next run and local time"
is "$(q dfcron "SELECT count(*) FROM doliflow.status() WHERE section = 'schedule' AND status = 'scheduled'")" "4" "status() shows the scheduled jobs"

# The cron-history job's command works where it runs.
q dfcron "$(q dfcron "SELECT command FROM cron.job WHERE jobname = 'doliflow-cron-history'")" >/dev/null
ok $? "the cron-history job's command runs in the cron database"

is "$(q dfcron "SELECT doliflow.unschedule()")|$(q dfcron "SELECT count(*) FROM cron.job")" "4|0" "unschedule() removes the four jobs"
is "$(q dfcron "SELECT doliflow.unschedule()")" "0" "unschedule() again: nothing to remove"

# A database where pg_cron is not installed: schedule() explains, and
# schedule_sql() is run in the cron database.
q dfapp "SELECT * FROM doliflow.schedule()" >/dev/null 2>"$TEST_TMP/82_app.err"
ok $(( $? == 0 )) "schedule() refuses where pg_cron is not installed"
grep -q 'schedule_sql()' "$TEST_TMP/82_app.err"; ok $? "and says to use schedule_sql() in the cron database"
for i in 1 2; do q dfapp "SELECT doliflow.schedule_sql()" | psql -X -q -v ON_ERROR_STOP=1 -d dfcron >/dev/null; done
is "$(q dfcron "SELECT count(*) FILTER (WHERE jobname LIKE '%@dfapp') || '/' || count(*) FILTER (WHERE database = 'dfapp') FROM cron.job")" "4/3" \
   "schedule_sql() twice: four jobs for dfapp (three run in it, one prunes pg_cron history in dfcron)"
q dfapp "SELECT doliflow.unschedule_sql()" | psql -X -q -v ON_ERROR_STOP=1 -d dfcron >/dev/null
is "$(q dfcron "SELECT count(*) FROM cron.job")" "0" "unschedule_sql() removes them"

# pg_cron really runs the pipeline in dfapp.
q dfcron "SELECT cron.schedule_in_database('doliflow-test-minute', '* * * * *', 'CALL doliflow.run_pipeline()', 'dfapp')" >/dev/null
start=$(date +%s); status=""
while [ $(( $(date +%s) - start )) -lt 90 ]; do
	status=$(q dfapp "SELECT status FROM doliflow.run_log WHERE kind = 'pipeline' AND status <> 'running' ORDER BY run_id LIMIT 1")
	[ -n "$status" ] && break
	sleep 2
done
waited=$(( $(date +%s) - start ))
[ -n "$status" ]; ok $? "pg_cron ran run_pipeline within 90 s (after ${waited}s; status $status)"
diag "run: $(q dfapp "SELECT run_id, status, triggered_by, left(error, 80) FROM doliflow.run_log ORDER BY run_id LIMIT 1")"
is "$(q dfapp "SELECT count(*) FROM doliflow.run_step WHERE run_id = (SELECT min(run_id) FROM doliflow.run_log) AND step IN ('extract', 'load_warehouse') AND finished_at IS NOT NULL")" "2" \
   "the cron run logged its extract and load steps (no source is connected: they fail, the run is recorded)"
for i in $(seq 1 20); do
	d=$(q dfcron "SELECT status FROM cron.job_run_details d JOIN cron.job j USING (jobid) WHERE j.jobname = 'doliflow-test-minute' AND d.status IN ('succeeded', 'failed') LIMIT 1")
	[ -n "$d" ] && break; sleep 0.5
done
is "$d" "succeeded" "cron.job_run_details: the job succeeded (the procedure COMMITs under pg_cron)"
q dfcron "SELECT cron.unschedule('doliflow-test-minute')" >/dev/null
done_testing
