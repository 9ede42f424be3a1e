#!/usr/bin/env bash
# run_pipeline() against a real source, and its faults: the batch role runs
# it, overlapping runs, a backend killed mid-load, the source killed during
# extract, the source down before the run.  The source is a second throwaway
# MariaDB so that stopping it leaves the shared one alone.
set -u
. "$(dirname "$0")/../lib.sh"

PG=df81
SRC=df81_src
M2="$TEST_TMP/m2_81"
port2=$(df_my_start_second "$M2" "$TEST_TMP/m2_81.log") || { echo "not ok 1 - second MariaDB starts"; exit 1; }
trap 'df_my_stop "$M2"' EXIT
src_pw=$(sed -n 's/^DOLIFLOW_SOURCE_PASSWORD=//p' "$M2/env")
m2() { env -u MYSQL_HOST -u MYSQL_PORT -u MYSQL_PWD mariadb --no-defaults -S "$M2/mysql.sock" -u root "$@"; }
m2 -e "CREATE DATABASE $SRC CHARACTER SET utf8mb4" && m2 "$SRC" < "$DF_ROOT/test/fixtures/dolibarr.sql"
ok $? "source fixture loads"
m2 "$SRC" -e "INSERT INTO llx_societe (nom, entity) VALUES ('A',1),('B',1),('C',1);
              INSERT INTO llx_ticket (ref, track_id, fk_soc) VALUES ('T1','t1',1),('T2','t2',2);"
# extract() leaves rows stamped in the source's current second to the next run.
sleep 1.2

df_new_pgdb "$PG"; ok $? "extension installs"
psql -X -q -v ON_ERROR_STOP=1 -d "$PG" -v port="$port2" -v db="$SRC" -v pw="$src_pw" >/dev/null <<'EOF'
SELECT doliflow.connect('127.0.0.1', :'port'::int, :'db', 'doliflow_reader', :'pw');
EOF
ok $? "connect() to the second MariaDB"

last_run() { q "$PG" "SELECT $1 FROM doliflow.run_log WHERE kind = 'pipeline' ORDER BY run_id DESC LIMIT 1"; }
step() { q "$PG" "SELECT $2 FROM doliflow.run_step WHERE run_id = (SELECT max(run_id) FROM doliflow.run_log WHERE kind = 'pipeline') AND step = '$1'"; }
customers() { q "$PG" "SELECT count(*) FROM dw.dim_customer WHERE customer_id IS NOT NULL" 2>/dev/null || q "$PG" "SELECT count(*) FROM dw.dim_customer"; }

# 1. A clean run.
q "$PG" "CALL doliflow.run_pipeline()" >/dev/null 2>"$TEST_TMP/81_run1.err"
is "$(last_run status)" "success" "first run: success"
is "$(step extract status)|$(step load_warehouse status)" "success|success" "first run: extract and load succeed"
is "$(step extract rows_out)" "$(q "$PG" "SELECT sum(rows_out) FROM doliflow.run_step WHERE step LIKE 'extract:%' AND run_id = (SELECT max(run_id) FROM doliflow.run_log)")" \
   "the extract step's rows are the sum of its per-table sub-steps"
is "$(q "$PG" "SELECT count(*) FROM lake.llx_societe_current")" "3" "the lake holds the 3 source customers"
n_customers=$(customers)
is "$(q "$PG" "SELECT count(*) FROM doliflow.run_step WHERE run_id = (SELECT max(run_id) FROM doliflow.run_log) AND finished_at IS NULL")" "0" "every step row is finished"
grep -q 'doliflow: load_warehouse success' "$TEST_TMP/81_run1.err"; ok $? "a NOTICE per step"

# 2. The batch role, through a login granted it.
psql -X -q -d "$PG" -c "DROP ROLE IF EXISTS df81_batch; CREATE ROLE df81_batch LOGIN IN ROLE doliflow_batch" >/dev/null 2>&1
m2 "$SRC" -e "INSERT INTO llx_societe (nom, entity) VALUES ('D',1)"
sleep 2	# extract leaves rows changed in the source's current second to the next run
PGUSER=df81_batch q "$PG" "CALL doliflow.run_pipeline()" >/dev/null 2>"$TEST_TMP/81_batch.err"
is "$(last_run status)|$(last_run triggered_by)" "success|df81_batch" "the batch role runs the pipeline"
is "$(q "$PG" "SELECT count(*) FROM lake.llx_societe_current")" "4" "its extract reached the lake (4 customers)"
PGUSER=df81_batch q "$PG" "UPDATE doliflow.settings SET value = '1' WHERE name = 'lead_time_default_days'" >/dev/null 2>&1
ok $(( $? == 0 )) "the batch role cannot change settings"
PGUSER=df81_batch q "$PG" "INSERT INTO lake.batch (table_name) VALUES ('x')" >/dev/null 2>&1
ok $(( $? == 0 )) "the batch role cannot write the lake directly"
is "$(PGUSER=df81_batch q "$PG" "SELECT coalesce(umoptions::text, 'hidden') FROM pg_user_mappings WHERE srvname = 'doliflow_source'")" "hidden" \
   "the batch role cannot read the source password"
PGUSER=df81_batch q "$PG" "SELECT doliflow.connect('127.0.0.1', 1, 'x', 'y', 'z')" >/dev/null 2>&1
ok $(( $? == 0 )) "the batch role cannot re-point the source"

# 3. Overlap: while another session holds the doliflow lock, a run is skipped.
psql -X -q -d "$PG" -c "SELECT doliflow._lock_try()" -c "SELECT pg_sleep(6)" >/dev/null 2>&1 &
holder=$!
for i in $(seq 1 50); do
	[ "$(q "$PG" "SELECT count(doliflow._claim_holder('run'))")" = 1 ] && break; sleep 0.1
done
q "$PG" "CALL doliflow.run_pipeline()" >/dev/null 2>&1
is "$(last_run status)" "skipped" "a run while another holds the lock is skipped"
last_run error | grep -q "another doliflow run is in progress"; ok $? "the skipped run says why"
is "$(q "$PG" "SELECT count(*) FROM doliflow.run_step WHERE run_id = (SELECT max(run_id) FROM doliflow.run_log)")" "0" "a skipped run has no step"
wait "$holder"

# 4. A backend killed in the middle of the load: readers never see a partial
# warehouse, the lock goes with the backend, the next run recovers.
m2 "$SRC" -e "INSERT INTO llx_societe (nom, entity) VALUES ('E',1)"
sleep 2
before=$(customers)
psql -X -q -d "$PG" -c "BEGIN; LOCK TABLE dw.fact_tickets IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(20)" >/dev/null 2>&1 &
gate=$!
sleep 0.5
PGAPPNAME=df81_victim psql -X -q -d "$PG" -c "CALL doliflow.run_pipeline()" >/dev/null 2>&1 &
victim=$!
pid=""
for i in $(seq 1 150); do
	pid=$(q "$PG" "SELECT pid FROM pg_stat_activity WHERE application_name = 'df81_victim' AND wait_event_type = 'Lock'")
	[ -n "$pid" ] && break; sleep 0.1
done
[ -n "$pid" ]; ok $? "the load is under way (waiting inside the load step)"
is "$(step load_warehouse status)" "running" "the load step shows as running while it runs"
q "$PG" "SELECT pg_terminate_backend($pid)" >/dev/null
wait "$victim"
kill "$gate" 2>/dev/null; wait "$gate" 2>/dev/null
q "$PG" "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'BEGIN; LOCK TABLE dw.fact_tickets%' AND pid <> pg_backend_pid()" >/dev/null
is "$(customers)" "$before" "after the kill the warehouse is the previous one (nothing half-loaded)"
is "$(q "$PG" "SELECT count(doliflow._claim_holder('run'))")" "0" "the killed run's lock is gone (its claim names a backend that ended)"
killed=$(last_run run_id)
is "$(last_run status)" "running" "the killed run is left 'running' until the next run"
q "$PG" "CALL doliflow.run_pipeline()" >/dev/null 2>&1
is "$(q "$PG" "SELECT status FROM doliflow.run_log WHERE run_id = $killed")" "failed" "the next run marks the killed run failed"
q "$PG" "SELECT error FROM doliflow.run_step WHERE run_id = $killed AND step = 'load_warehouse'" | grep -q interrupted
ok $? "the killed step says it was interrupted"
is "$(last_run status)" "success" "the next run succeeds"
is "$(customers)" "$((before + 1))" "the next run loads the change (customer E)"

# 5. The source killed during the extract: a table is locked on the source so
# that the extract waits on it, then MariaDB is stopped.
m2 "$SRC" -e "LOCK TABLES llx_ticket WRITE; SELECT SLEEP(30)" >/dev/null 2>&1 &
locker=$!
sleep 0.5
m2 "$SRC" -e "INSERT INTO llx_societe (nom, entity) VALUES ('F',1)" 2>/dev/null
q "$PG" "CALL doliflow.run_pipeline()" >/dev/null 2>"$TEST_TMP/81_killed.err" &
runner=$!
for i in $(seq 1 150); do
	[ "$(m2 -N -e "SELECT count(*) FROM information_schema.processlist WHERE state LIKE '%lock%' AND info LIKE '%llx_ticket%' AND user = 'doliflow_reader'")" -gt 0 ] 2>/dev/null && break
	sleep 0.1
done
df_my_stop "$M2"
wait "$runner"
kill "$locker" 2>/dev/null; wait "$locker" 2>/dev/null
is "$(last_run status)" "partial" "source killed during extract: the run is partial"
is "$(step extract status)" "failed" "the extract step failed"
step extract error | grep -Eq "tables? failed; first error: .+"; ok $? "its error names the failure ($(step extract error | cut -c1-100))"
is "$(step load_warehouse status)" "success" "the load still ran, on the last verified lake"
is "$(q "$PG" "SELECT count(*) FROM doliflow.run_step WHERE run_id = (SELECT max(run_id) FROM doliflow.run_log) AND step LIKE 'analytics:%' AND status = 'failed'")" "0" \
   "analytics are not failed by an extract failure"
is "$(q "$PG" "SELECT count(*) FROM lake.watermark w JOIN lake.batch b ON b.table_name = w.table_name WHERE b.status = 'failed' AND b.run_id = (SELECT max(run_id) FROM doliflow.run_log) AND w.updated_at > (SELECT started_at FROM doliflow.run_log WHERE run_id = (SELECT max(run_id) FROM doliflow.run_log))" 2>/dev/null || echo 0)" "0" \
   "no watermark moved for a failed table"

# 6. The source down before the run.  Customer F may or may not have been
# extracted in 5 (it is held back when the run starts within the second of
# its insert), so the content to keep is whatever 5 left.
kept=$(customers)
q "$PG" "CALL doliflow.run_pipeline()" >/dev/null 2>"$TEST_TMP/81_down.err"
is "$(last_run status)" "partial" "source down: the run is partial (extract failed, load ran)"
is "$(step extract status)|$(step load_warehouse status)" "failed|success" "source down: extract failed, load succeeded on the existing lake"
q "$PG" "SELECT error FROM doliflow.run_step WHERE run_id = (SELECT max(run_id) FROM doliflow.run_log) AND step LIKE 'extract:%' AND status = 'failed' LIMIT 1" \
	| grep -Eiq "connect|unreachable|gone|lost"; ok $? "the failed table's error says the source cannot be reached"
last_run error | grep -q '^extract: '; ok $? "the run's first error is the extract's"
grep -q "WARNING:  doliflow: extract failed" "$TEST_TMP/81_down.err"; ok $? "a WARNING for the failed step"
is "$(customers)" "$kept" "the warehouse keeps its last good content"

q "$PG" "SELECT run_id, kind, status, left(error, 90) FROM doliflow.run_log ORDER BY run_id" | sed 's/^/# /'
is "$(df_lake_drift "$PG")" "" "every lake _current table equals the latest live versions of its history"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PG WITH (FORCE)" -c "DROP ROLE IF EXISTS df81_batch" >/dev/null 2>&1
done_testing
