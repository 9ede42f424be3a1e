#!/usr/bin/env bash
# The source and the pipeline lock under attack and under faults (issue 12,
# items 2, 3, 4 and 9; issue 13 item 6 for test_connection):
#   * lock hijack: a role with no grant takes every advisory lock the
#     pipeline used to rely on and tries the lock row; the run still runs;
#     a real concurrent run is still skipped; a dead holder is taken over;
#   * the password never reaches the server log or an error message, is
#     readable by nobody but the owner, and can be given through an option
#     file instead of SQL text;
#   * a frozen source (SIGSTOP of the test MariaDB): statement_timeout and
#     pg_cancel_backend end test_connection() within 10 s, a fresh session
#     gets rows with reachable = false within the connect timeout, extract
#     fails its table after the read timeout and releases its lock, no crash,
#     and everything works again after SIGCONT;
#   * the source down: test_connection() keeps its contract (rows);
#   * DROP EXTENSION leaves nothing that holds the password, and no schema.
set -u
. "$(dirname "$0")/../lib.sh"

SRC=df85_src
PG=df85
LOG=$DOLIFLOW_RUN_DIR/pg/server.log
MYPID=$(cat "$DOLIFLOW_RUN_DIR/mysql/mysqld.pid")
BG=()
# The test MariaDB must never stay frozen, whatever happens here.
cleanup() {
	kill -CONT "$MYPID" 2>/dev/null
	local p
	for p in "${BG[@]}"; do kill "$p" 2>/dev/null; done
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PG WITH (FORCE)" >/dev/null 2>&1
	for r in df85_nogrant df85_batch df85_reader; do psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

myroot() { env -u MYSQL_HOST mariadb --no-defaults -S "$MYSQL_SOCKET" -u root "$@"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
within() { awk -v t="$1" -v m="$2" 'BEGIN { exit !(t < m) }'; }
log_mark() { wc -c <"$LOG"; }
log_since() { tail -c +"$(( $1 + 1 ))" "$LOG"; }

myroot -e "DROP DATABASE IF EXISTS $SRC; CREATE DATABASE $SRC CHARACTER SET utf8mb4"
myroot "$SRC" < "$DF_ROOT/test/fixtures/dolibarr.sql" || { echo "not ok 1 - fixture loads"; exit 1; }
myq "$SRC" "INSERT INTO llx_societe (nom, entity) VALUES ('A',1),('B',1);"
df_new_pgdb "$PG"; ok $? "extension installs"
for r in df85_nogrant df85_batch df85_reader; do
	psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" -c "CREATE ROLE $r LOGIN" >/dev/null 2>&1
done
q "$PG" "GRANT doliflow_batch TO df85_batch; GRANT doliflow_reader TO df85_reader" >/dev/null
NTAB=$(q "$PG" "SELECT count(*) FROM doliflow.source_table")

###########################################################################
# Password: never in the log, never in a message, readable by the owner only.
###########################################################################
mark=$(log_mark)
PW1="Wr0ng-pw-$RANDOM$RANDOM"
out=$(q "$PG" "SELECT doliflow.connect('$MYSQL_HOST', $MYSQL_PORT, '$SRC', '$DOLIFLOW_SOURCE_USER', '$PW1')" 2>&1)
ok $(( $? == 0 )) "connect() with a wrong password fails"
echo "$out" | grep -q "Access denied"; ok $? "the error says access denied"
case $out in *"$PW1"*) ok 1 "the wrong password is not in the error message" ;; *) ok 0 "the wrong password is not in the error message" ;; esac
# The real password with a wrong port and a wrong host.
q "$PG" "SELECT doliflow.connect('$MYSQL_HOST', 1, '$SRC', '$DOLIFLOW_SOURCE_USER', '$DOLIFLOW_SOURCE_PASSWORD')" >"$TEST_TMP/85.out" 2>&1
ok $(( $? == 0 )) "connect() to a wrong port fails"
q "$PG" "SELECT doliflow.connect('127.0.0.2', $MYSQL_PORT, '$SRC', '$DOLIFLOW_SOURCE_USER', '$DOLIFLOW_SOURCE_PASSWORD')" >>"$TEST_TMP/85.out" 2>&1
ok $(( $? == 0 )) "connect() to a wrong host fails"
grep -qF -- "$DOLIFLOW_SOURCE_PASSWORD" "$TEST_TMP/85.out"; ok $(( $? == 0 )) "the password is in none of these error messages"
df_connect "$PG" "$SRC"; ok $? "connect() with the right password succeeds"
is "$(q "$PG" "SELECT count(*) FILTER (WHERE reachable) FROM doliflow.test_connection()")" "$NTAB" "test_connection(): every table reachable"
# A mapping whose password became wrong: test_connection and extract fail.
myroot -e "ALTER USER '$DOLIFLOW_SOURCE_USER'@'%' IDENTIFIED BY 'Temp-$PW1'; FLUSH PRIVILEGES"
got=$(q "$PG" "SELECT count(*) FILTER (WHERE NOT reachable AND error LIKE '%Access denied%') FROM doliflow.test_connection()" 2>&1)
is "$got" "$NTAB" "with the source password changed, test_connection() reports access denied for every table"
psql -X -q -d "$PG" -c "CALL doliflow.extract()" >"$TEST_TMP/85.extract" 2>&1
myroot -e "ALTER USER '$DOLIFLOW_SOURCE_USER'@'%' IDENTIFIED BY '$DOLIFLOW_SOURCE_PASSWORD'; FLUSH PRIVILEGES"
is "$(q "$PG" "SELECT status <> 'success' FROM doliflow.run_log WHERE kind = 'extract' ORDER BY run_id DESC LIMIT 1")" "t" "with the source password changed, extract fails"
sleep 0.5
log=$(log_since "$mark")
echo "$log" | grep -q "Access denied"; ok $? "the failures are in the server log (so the next checks can fail)"
n=$(echo "$log" | grep -cF -e "$DOLIFLOW_SOURCE_PASSWORD" -e "$PW1" -e "Temp-$PW1")
is "$n" "0" "neither the real nor the wrong password is in the server log (failed and successful connects, test_connection, extract)"
is "$(echo "$log" | grep -c "STATEMENT:.*doliflow.connect")" "0" "no STATEMENT line of a connect() call in the server log"
for r in df85_nogrant df85_batch df85_reader doliflow_batch doliflow_reader; do
	is "$(q "$PG" "SET ROLE $r; SELECT coalesce((SELECT umoptions::text FROM pg_user_mappings WHERE srvname = 'doliflow_source'), 'hidden')")" "hidden" \
		"$r cannot read the user mapping's options"
done
is "$(q "$PG" "SELECT has_table_privilege('df85_batch', 'pg_catalog.pg_user_mapping', 'SELECT')")" "f" "nobody but superusers reads pg_user_mapping"

# The password without SQL text: an option file on the server.
OPT=$TEST_TMP/df85_source.cnf
printf '[client]\npassword=%s\n' "$DOLIFLOW_SOURCE_PASSWORD" >"$OPT"
[ "$(id -u)" -eq 0 ] && chown postgres: "$OPT"
chmod 644 "$OPT"
q "$PG" "UPDATE doliflow.settings SET value = '$OPT' WHERE name = 'source_option_file'" >/dev/null 2>"$TEST_TMP/85.err"
grep -q 'invalid value .* for doliflow setting "source_option_file": .*must not be accessible by group or others' "$TEST_TMP/85.err"
ok $? "an option file readable by others is refused when the setting names it"
chmod 600 "$OPT"
q "$PG" "UPDATE doliflow.settings SET value = '$OPT' WHERE name = 'source_option_file'" >/dev/null
chmod 644 "$OPT"
q "$PG" "SELECT doliflow.connect('$MYSQL_HOST', $MYSQL_PORT, '$SRC', '$DOLIFLOW_SOURCE_USER', NULL)" 2>"$TEST_TMP/85b.err" >/dev/null
grep -q "must not be accessible by group or others" "$TEST_TMP/85b.err"; ok $? "connect() refuses the file once it became readable by others"
chmod 600 "$OPT"
is "$(q "$PG" "SELECT doliflow.connect('$MYSQL_HOST', $MYSQL_PORT, '$SRC', '$DOLIFLOW_SOURCE_USER', NULL)" 2>"$TEST_TMP/85c.err")" "$NTAB" \
	"connect(..., password => NULL) with the option file succeeds"
is "$(q "$PG" "SELECT array_to_string(array(SELECT split_part(o, '=', 1) FROM unnest(umoptions) o), ',') FROM pg_user_mappings WHERE srvname = 'doliflow_source'")" "username" \
	"the user mapping then holds no password"
is "$(psql -X -A -t -d "$PG" -c "SELECT count(*) FILTER (WHERE reachable) FROM doliflow.test_connection()" 2>&1)" "$NTAB" \
	"a new session reads the source with the password from the option file"
q "$PG" "UPDATE doliflow.settings SET value = '' WHERE name = 'source_option_file'" >/dev/null
out=$(psql -X -A -t -d "$PG" -c "SELECT count(*) FILTER (WHERE reachable) FROM doliflow.test_connection()" 2>&1)
is "$out" "0" "without the option file the same mapping cannot log in (the file really gave the password)"
df_connect "$PG" "$SRC"

###########################################################################
# Lock hijack.
###########################################################################
# A role with no grant holds every advisory lock doliflow used to take.
psql -X -q -d "$PG" -U df85_nogrant -c "SELECT pg_advisory_lock(1685023849, 1), pg_advisory_lock(1685023849, 2),
	pg_advisory_lock(hashtext('doliflow.extract')), pg_advisory_lock(hashtext('doliflow.load_warehouse')), pg_sleep(600)" >/dev/null 2>&1 &
BG+=($!)
for i in $(seq 1 50); do
	[ "$(q "$PG" "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND a.usename = 'df85_nogrant'")" = 4 ] && break
	sleep 0.1
done
is "$(q "$PG" "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND a.usename = 'df85_nogrant' AND granted")" "4" \
	"the role with no grant holds the four advisory locks"
for stmt in "SELECT * FROM doliflow.pipeline_lock FOR UPDATE" "UPDATE doliflow.pipeline_lock SET holder_pid = pg_backend_pid()" \
			"LOCK TABLE doliflow.pipeline_lock" "SELECT doliflow._claim('run')" "SELECT doliflow._claim_xact('load_warehouse')"; do
	for r in df85_nogrant df85_reader df85_batch; do
		[ "$r" = df85_batch ] && case $stmt in *_claim*) continue ;; esac	# batch runs the pipeline
		psql -X -q -d "$PG" -U "$r" -v ON_ERROR_STOP=1 -c "BEGIN" -c "$stmt" -c "COMMIT" >/dev/null 2>&1
		ok $(( $? == 0 )) "$r cannot: $stmt"
	done
done
psql -X -q -d "$PG" -U df85_batch -c "CALL doliflow.run_pipeline()" >"$TEST_TMP/85.pipeline" 2>&1
is "$(q "$PG" "SELECT status <> 'skipped' FROM doliflow.run_log WHERE kind = 'pipeline' ORDER BY run_id DESC LIMIT 1")" "t" \
	"run_pipeline() runs (is not skipped) while another role holds the advisory locks"
is "$(q "$PG" "SELECT string_agg(step || '=' || status, ',' ORDER BY step_id) FROM doliflow.run_step WHERE run_id = (SELECT max(run_id) FROM doliflow.run_log WHERE kind = 'pipeline') AND step IN ('extract', 'load_warehouse')")" \
	"extract=success,load_warehouse=success" "its extract and load steps run too"
psql -X -q -d "$PG" -c "CALL doliflow.extract()" >/dev/null 2>&1
is "$(q "$PG" "SELECT status FROM doliflow.run_log WHERE kind = 'extract' ORDER BY run_id DESC LIMIT 1")" "success" "a manual extract runs too"
psql -X -q -d "$PG" -c "CALL doliflow.load_warehouse()" >/dev/null 2>&1
is "$(q "$PG" "SELECT status FROM doliflow.run_log WHERE kind = 'load_warehouse' ORDER BY run_id DESC LIMIT 1")" "success" "a manual load_warehouse runs too"
is "$(q "$PG" "SELECT count(*) FROM doliflow.pipeline_lock WHERE holder_pid IS NOT NULL")" "0" "every claim is released after the runs"

# A real concurrent run is still skipped, and a dead holder is taken over.
psql -X -q -d "$PG" -c "SELECT doliflow._claim('run')" -c "SELECT pg_sleep(600)" >/dev/null 2>&1 &
BG+=($!)
for i in $(seq 1 50); do [ "$(q "$PG" "SELECT count(*) FROM doliflow.pipeline_lock WHERE name = 'run' AND holder_pid IS NOT NULL")" = 1 ] && break; sleep 0.1; done
holder=$(q "$PG" "SELECT holder_pid FROM doliflow.pipeline_lock WHERE name = 'run'")
psql -X -q -d "$PG" -U df85_batch -c "CALL doliflow.run_analytics('segmentation')" >/dev/null 2>&1
is "$(q "$PG" "SELECT status || '|' || (error LIKE '%backend pid $holder)') FROM doliflow.run_log ORDER BY run_id DESC LIMIT 1")" "skipped|true" \
	"while a live backend holds the run claim, a run is skipped and names the holder"
q "$PG" "INSERT INTO doliflow.run_log (kind, status) VALUES ('pipeline', 'running')" >/dev/null 2>&1
q "$PG" "SELECT pg_terminate_backend($holder)" >/dev/null
for i in $(seq 1 50); do [ "$(q "$PG" "SELECT count(*) FROM pg_stat_activity WHERE pid = $holder")" = 0 ] && break; sleep 0.1; done
psql -X -q -d "$PG" -U df85_batch -c "CALL doliflow.run_analytics('segmentation')" >/dev/null 2>&1
is "$(q "$PG" "SELECT status FROM doliflow.run_log WHERE kind = 'analytics' ORDER BY run_id DESC LIMIT 1")" "success" \
	"once the holder's backend is gone its claim is stale and the next run takes it over"
is "$(q "$PG" "SELECT count(*) FROM doliflow.run_log WHERE status = 'running'")" "0" "the stale run left 'running' is marked failed"

###########################################################################
# A frozen source (SIGSTOP) and a source down.
###########################################################################
frozen() { kill -STOP "$MYPID"; }
thawed() { kill -CONT "$MYPID"; }
crash_mark=$(log_mark)
q "$PG" "UPDATE doliflow.settings SET value = '3' WHERE name = 'source_connect_timeout';
		 UPDATE doliflow.settings SET value = '3' WHERE name = 'source_read_timeout'" >/dev/null

# statement_timeout, on an established connection and on a fresh one.
frozen
t0=$(now)
out=$(timeout 40 psql -X -q -d "$PG" -c "SET statement_timeout = '5s'" -c "SELECT * FROM doliflow.test_connection()" 2>&1)
t=$(elapsed "$t0"); thawed
within "$t" 10; ok $? "frozen source: statement_timeout 5s ends test_connection() in ${t}s (< 10 s)"
frozen
q "$PG" "UPDATE doliflow.settings SET value = '120' WHERE name IN ('source_connect_timeout', 'source_read_timeout')" >/dev/null
t0=$(now)
out=$(timeout 40 psql -X -q -d "$PG" -c "SET statement_timeout = '4s'" -c "SELECT * FROM doliflow.test_connection()" 2>&1)
t=$(elapsed "$t0"); thawed
within "$t" 10; ok $? "frozen source, timeouts 120 s: statement_timeout 4s still ends test_connection() in ${t}s"

# The same session, cancelled on the frozen source, reads it again after SIGCONT.
timeout 60 psql -X -q -A -t -d "$PG" -c "SELECT count(*) FROM doliflow.test_connection()" -c "SELECT pg_sleep(2)" \
	-c "SET statement_timeout = '3s'" -c "SELECT count(*) FROM doliflow.test_connection()" -c "RESET statement_timeout" \
	-c "SELECT pg_sleep(4)" -c "SELECT 'again:' || count(*) FILTER (WHERE reachable) FROM doliflow.test_connection()" >"$TEST_TMP/85.same" 2>&1 &
spid=$!; BG+=($spid)
sleep 1.5; frozen; sleep 5; thawed
wait "$spid"
grep -q "canceling statement due to statement timeout" "$TEST_TMP/85.same"; ok $? "one session: the call on the frozen source is cancelled by statement_timeout"
is "$(grep '^again:' "$TEST_TMP/85.same")" "again:$NTAB" "... and after SIGCONT the same session reads every table again"

# pg_cancel_backend, the read blocked on an established connection.
timeout 60 psql -X -q -d "$PG" -c "SELECT count(*) FROM doliflow.test_connection()" -c "SELECT pg_sleep(2)" -c "SELECT * FROM doliflow.test_connection()" >"$TEST_TMP/85.cancel" 2>&1 &
cpid=$!; BG+=($cpid)
sleep 1.2; frozen; sleep 2.5
bpid=$(q "$PG" "SELECT pid FROM pg_stat_activity WHERE query LIKE 'SELECT * FROM doliflow.test_connection()%' AND pid <> pg_backend_pid()")
t0=$(now)
q "$PG" "SELECT pg_cancel_backend(${bpid:-0})" >/dev/null
for i in $(seq 1 100); do kill -0 "$cpid" 2>/dev/null || break; sleep 0.1; done
t=$(elapsed "$t0"); thawed
kill -0 "$cpid" 2>/dev/null; ok $(( $? == 0 )) "frozen source: pg_cancel_backend ends test_connection() (${t}s after the cancel)"
grep -q "canceling statement due to user request" "$TEST_TMP/85.cancel"; ok $? "the call reports the cancel"

# Timeouts from the settings, no statement_timeout: rows, not a hang.
q "$PG" "UPDATE doliflow.settings SET value = '3' WHERE name IN ('source_connect_timeout', 'source_read_timeout')" >/dev/null
frozen
t0=$(now)
out=$(timeout 40 psql -X -A -t -d "$PG" -c "SELECT count(*) FILTER (WHERE NOT reachable AND error LIKE 'the Dolibarr source is unreachable at $MYSQL_HOST:$MYSQL_PORT%') || '/' || count(*) FROM doliflow.test_connection()" 2>&1)
t=$(elapsed "$t0"); thawed
is "$out" "$NTAB/$NTAB" "frozen source, fresh session: test_connection() gives every table reachable = false with the unreachable error"
within "$t" 10; ok $? "... within the 3 s connect timeout (${t}s)"

# The nightly extract: the table's step fails after the read timeout, the
# extract ends and releases its lock.
frozen
t0=$(now)
timeout 60 psql -X -q -d "$PG" -c "CALL doliflow.extract()" >"$TEST_TMP/85.frozen" 2>&1
rc=$?; t=$(elapsed "$t0"); thawed
ok $(( rc == 124 )) "frozen source: extract() ends by itself (${t}s), it does not hang"
is "$(q "$PG" "SELECT status <> 'success' FROM doliflow.run_log WHERE kind = 'extract' ORDER BY run_id DESC LIMIT 1")" "t" "... logged as not successful"
is "$(q "$PG" "SELECT (SELECT status FROM doliflow.run_step WHERE run_id = r.run_id ORDER BY step_id LIMIT 1) || '|' || (SELECT count(*) FILTER (WHERE status = 'skipped') FROM doliflow.run_step WHERE run_id = r.run_id) FROM doliflow.run_log r WHERE kind = 'extract' ORDER BY run_id DESC LIMIT 1")" \
	"failed|$((NTAB - 1))" "... its first table's step failed on the timeout, the others are skipped as unreachable"
is "$(q "$PG" "SELECT count(*) FROM doliflow.pipeline_lock WHERE holder_pid IS NOT NULL")" "0" "... and the lock is released"

# After SIGCONT everything works again.
is "$(q "$PG" "SELECT count(*) FILTER (WHERE reachable) FROM doliflow.test_connection()")" "$NTAB" "after SIGCONT test_connection() reads every table again"
psql -X -q -d "$PG" -c "CALL doliflow.extract()" >/dev/null 2>&1
is "$(q "$PG" "SELECT status FROM doliflow.run_log WHERE kind = 'extract' ORDER BY run_id DESC LIMIT 1")" "success" "after SIGCONT extract() succeeds"
crashes=$(log_since "$crash_mark" | grep -E "terminated by signal|was terminated|PANIC|server process .* exited|TRAP:" | head -3)
is "$crashes" "" "no crash in the server log"

# The source down (a port nobody listens on): the documented rows.
q "$PG" "UPDATE doliflow.source_connection SET port = 1; ALTER SERVER doliflow_source OPTIONS (SET port '1')" >/dev/null
t0=$(now)
out=$(psql -X -A -t -d "$PG" -c "SELECT count(*) FILTER (WHERE NOT reachable AND row_count IS NULL AND error LIKE 'the Dolibarr source is unreachable at $MYSQL_HOST:1 (database $SRC)%') || '/' || count(*) FROM doliflow.test_connection()" 2>&1)
t=$(elapsed "$t0")
is "$out" "$NTAB/$NTAB" "source down: test_connection() returns every table with reachable = false and the error naming where"
within "$t" 5; ok $? "... at once (${t}s)"
df_connect "$PG" "$SRC"

###########################################################################
# DROP EXTENSION leaves nothing holding the password, and no schema.
###########################################################################
out=$(psql -X -q -d "$PG" -c "DROP EXTENSION doliflow" 2>&1)
echo "$out" | grep -q "user mapping for doliflow_owner on server doliflow_source"; ok $? "DROP EXTENSION without CASCADE refuses and names the user mapping"
q "$PG" "DROP EXTENSION doliflow CASCADE" >/dev/null 2>&1; ok $? "DROP EXTENSION doliflow CASCADE without disconnect()"
is "$(q "$PG" "SELECT (SELECT count(*) FROM pg_foreign_server WHERE srvname = 'doliflow_source') || '|' || (SELECT count(*) FROM pg_user_mapping) || '|' || (SELECT count(*) FROM pg_foreign_table)")" "0|0|0" \
	"no foreign server, user mapping or foreign table remains"
is "$(q "$PG" "SELECT count(*) FROM pg_namespace WHERE nspname IN ('doliflow', 'lake', 'dw', 'dolibarr')")" "0" "no doliflow, lake, dw or dolibarr schema remains"
q "$PG" "CREATE EXTENSION doliflow CASCADE" >/dev/null 2>&1; ok $? "the extension installs again"
df_connect "$PG" "$SRC"; ok $? "and connects again"

done_testing
