#!/usr/bin/env bash
# Faults: the fetching MySQL connection killed mid-scan, MariaDB killed
# mid-extract.  mysql_fdw 2.8 may end such a scan silently; doliflow must
# notice, keep nothing of that table, leave its watermark, and the next
# extract must be complete.
set -u
. "$(dirname "$0")/../lib.sh"

N=${DF22_ROWS:-600000}
SRC=df22_src
PG=df22
myroot() { env -u MYSQL_HOST mariadb --no-defaults -S "$MYSQL_SOCKET" -u root "$@"; }

load_source() {	# load_source MYSQL-CLIENT-CMD...: fixture + N stock movements
	"$@" -e "DROP DATABASE IF EXISTS $SRC; CREATE DATABASE $SRC CHARACTER SET utf8mb4" &&
	"$@" "$SRC" < "$DF_ROOT/test/fixtures/dolibarr.sql" &&
	"$@" "$SRC" -e "INSERT INTO llx_stock_mouvement (fk_product, fk_entrepot, value, type_mouvement, datem, label)
		SELECT 1 + seq % 50, 1 + seq % 3, 1 + seq % 7, 3, '2024-01-01' + INTERVAL seq MINUTE, CONCAT('mvt ', seq) FROM seq_1_to_$N"
}
# Order-independent but row-exact checksum of key + data on both sides: row
# count, key sum and the XOR of the first 60 bits of each row's md5.
src_md5() {
	"$@" "$SRC" --batch --skip-column-names -e "SELECT CONCAT(COUNT(*), ':', SUM(rowid), ':',
		BIT_XOR(CAST(CONV(SUBSTR(MD5(CONCAT(rowid, ':', fk_product, ':', datem, ':', label)), 1, 15), 16, 10) AS UNSIGNED)))
		FROM llx_stock_mouvement"
}
lake_md5() {
	q "$PG" "SELECT count(*) || ':' || sum(rowid) || ':' || bit_xor(('x' || substr(md5(rowid || ':' || fk_product || ':' || to_char(datem, 'YYYY-MM-DD HH24:MI:SS') || ':' || label), 1, 15))::bit(60)::bigint) FROM lake.llx_stock_mouvement_current"
}
myadmin() { mariadb --no-defaults -h "$MYSQL_HOST" -P "$MYSQL_PORT" -u "$MYSQL_USER" -p"$MYSQL_PWD" "$@"; }
lake_state() { q "$PG" "SELECT count(*) || ':' || coalesce(md5(string_agg(rowid || ':' || _batch, ',' ORDER BY rowid, _batch)), '-') FROM lake.llx_stock_mouvement"; }
wm() { q "$PG" "SELECT coalesce((SELECT last_rowid || ':' || last_batch FROM lake.watermark WHERE table_name = 'llx_stock_mouvement'), 'none')"; }
step() { q "$PG" "SELECT status || '|' || coalesce(error, '') FROM doliflow.run_step WHERE step = 'extract:llx_stock_mouvement' ORDER BY step_id DESC LIMIT 1"; }
# Wait until the stock movement scan (not its count) runs on the source.
wait_scan() {	# wait_scan MYSQL-CLIENT-CMD...: prints the connection id
	local i id
	for i in $(seq 1 600); do
		id=$("$@" --batch --skip-column-names -e "SELECT ID FROM information_schema.PROCESSLIST
			WHERE USER = 'doliflow_reader' AND INFO LIKE '%llx_stock_mouvement%' AND INFO NOT LIKE '%count(%'
			  AND INFO NOT LIKE '%max(%' LIMIT 1" 2>/dev/null)
		[ -n "$id" ] && { echo "$id"; return 0; }
		sleep 0.05
	done
	return 1
}

###########################################################################
# 1. The fetching connection is KILLed in the middle of a large scan.
###########################################################################
load_source myroot || { echo "not ok 1 - source loads"; exit 1; }
df_new_pgdb "$PG" && df_connect "$PG" "$SRC"; ok $? "install and connect"
sleep 1.1
psql -X -q -d "$PG" -c "CALL doliflow.extract()" >"$TEST_TMP/22.out" 2>&1
is "$(lake_md5)" "$(src_md5 myroot)" "baseline: $N movements extracted, identical to the source"
# Double the table, then kill the scan.
myroot "$SRC" -e "INSERT INTO llx_stock_mouvement (fk_product, fk_entrepot, value, type_mouvement, datem, label)
	SELECT 1 + seq % 50, 1, 1, 3, '2024-06-01' + INTERVAL seq MINUTE, CONCAT('new ', seq) FROM seq_1_to_$N"
before=$(lake_state); wm_before=$(wm)
psql -X -q -d "$PG" -c "CALL doliflow.extract()" >"$TEST_TMP/22.out" 2>&1 &
pid=$!
if id=$(wait_scan myadmin); then
	myq information_schema "KILL CONNECTION $id"
	ok 0 "the fetching connection ($id) was found in PROCESSLIST and killed"
else
	ok 1 "the fetching connection was found in PROCESSLIST"
fi
wait "$pid"
s=$(step)
is "${s%%|*}" "failed" "the step fails"
echo "${s#*|}" | grep -Eqi 'incomplete read|could not count|lost connection|server has gone away'; ok $? "with a clear message: ${s#*|}"
is "$(lake_state)" "$before" "the lake is unchanged (no row of the failed batch kept)"
is "$(wm)" "$wm_before" "the watermark did not move"
is "$(q "$PG" "SELECT status FROM lake.batch WHERE table_name = 'llx_stock_mouvement' ORDER BY batch_id DESC LIMIT 1")" "failed" "the batch is recorded as failed"
is "$(q "$PG" "SELECT status FROM doliflow.run_log WHERE kind = 'extract' ORDER BY run_id DESC LIMIT 1")" "partial" "the run is partial, the other tables went on"
psql -X -q -d "$PG" -c "CALL doliflow.extract()" >"$TEST_TMP/22.out" 2>&1
s=$(step); is "${s%%|*}" "success" "the next extract succeeds"; [ "${s%%|*}" = success ] || diag "step: $s"
is "$(lake_md5)" "$(src_md5 myroot)" "the next extract is complete: row-exact checksum of key+data equal on both sides"
is "$(q "$PG" "SELECT count(*) FROM lake.llx_stock_mouvement")" "$((2 * N))" "no row twice"
psql -X -q -d postgres -c "DROP DATABASE $PG WITH (FORCE)" >/dev/null 2>&1
myroot -e "DROP DATABASE $SRC"

###########################################################################
# 2. MariaDB itself is killed (SIGKILL) in the middle of the scan.
###########################################################################
MY2=$TEST_TMP/my22; rm -rf "$MY2"
port2=$(df_my_start_second "$MY2" "$TEST_TMP/my22.log") || { ok 1 "second MariaDB starts"; done_testing; }
my2() { env -u MYSQL_HOST mariadb --no-defaults -S "$MY2/mysql.sock" -u root "$@"; }
my2_restart() { df_my_launch "$MY2" "$port2" 2>/dev/null; }	# the same data, the same options
pw2=$(sed -n 's/^DOLIFLOW_SOURCE_PASSWORD=//p' "$MY2/env")
load_source my2 || { echo "not ok - second source loads"; done_testing; }
df_new_pgdb "$PG"
q "$PG" "SELECT doliflow.connect('127.0.0.1', $port2, '$SRC', 'doliflow_reader', '$pw2')" >/dev/null
sleep 1.1
psql -X -q -d "$PG" -c "CALL doliflow.extract()" >"$TEST_TMP/22.out" 2>&1 &
pid=$!
if wait_scan my2 >/dev/null; then
	kill -KILL "$(cat "$MY2/mysqld.pid")"
	ok 0 "MariaDB killed during the scan"
else
	ok 1 "the scan was seen on the second MariaDB"
fi
wait "$pid"
s=$(step)
is "${s%%|*}" "failed" "MariaDB killed: the step fails"
echo "${s#*|}" | grep -Eqi 'incomplete read|could not count|unreachable|lost connection|gone away'; ok $? "MariaDB killed: a clear message: ${s#*|}"
is "$(lake_state)" "0:-" "MariaDB killed: nothing of the table kept"
is "$(wm)" "none" "MariaDB killed: no watermark"
my2_restart; ok $? "MariaDB restarts"
psql -X -q -d "$PG" -c "CALL doliflow.extract()" >"$TEST_TMP/22.out" 2>&1
is "$(q "$PG" "SELECT count(*) FROM doliflow.run_step WHERE run_id = (SELECT max(run_id) FROM doliflow.run_log) AND status <> 'success'")" "0" "after the restart every step succeeds"
errs=$(q "$PG" "SELECT step || ': ' || error FROM doliflow.run_step WHERE run_id = (SELECT max(run_id) FROM doliflow.run_log) AND status <> 'success'")
[ -z "$errs" ] || diag "$errs"
is "$(lake_md5)" "$(src_md5 my2)" "after the restart the lake is complete (row-exact checksum equal)"
is "$(df_lake_drift "$PG")" "" "every lake _current table equals the latest live versions of its history"
df_my_stop "$MY2"
psql -X -q -d postgres -c "DROP DATABASE $PG WITH (FORCE)" >/dev/null 2>&1
done_testing
