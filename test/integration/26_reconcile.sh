#!/usr/bin/env bash
# Hard deletes found without reading every source key (issue 18): the lake's live
# keys are compared with the source's by per-group (64 keys) counts, offset sums and
# key-hash sums computed by MariaDB, a lone missing key deduced, keys fetched only for
# the other groups that differ.  Each round deletes
# keys in another pattern and checks the lake's current keys against the source's
# own key list (independent of the comparison), and that few keys crossed the wire.
set -u
. "$(dirname "$0")/../lib.sh"

SRC=df26_src
PG=df26
N=200000
myroot() { env -u MYSQL_HOST mariadb --no-defaults -S "$MYSQL_SOCKET" -u root --default-character-set=utf8mb4 "$@"; }
myroot -e "DROP DATABASE IF EXISTS $SRC; CREATE DATABASE $SRC CHARACTER SET utf8mb4"
myroot "$SRC" < "$DF_ROOT/test/fixtures/dolibarr.sql" || { echo "not ok 1 - fixture loads"; exit 1; }
myroot "$SRC" -e "INSERT INTO llx_stock_mouvement (rowid, fk_product, fk_entrepot, value, type_mouvement, datem, label)
	SELECT seq, 1 + seq % 50, 1, 1, 3, '2024-01-01' + INTERVAL seq MINUTE, CONCAT('m ', seq) FROM seq_1_to_$N;
	INSERT INTO llx_actioncomm (id, ref, datep, code, label)
	SELECT seq, CONCAT('A', seq), '2024-01-01' + INTERVAL seq MINUTE, 'AC_OTH', 'x' FROM seq_1_to_20000" \
	|| { echo "not ok 1 - source rows load"; exit 1; }
df_new_pgdb "$PG" && df_connect "$PG" "$SRC"; ok $? "install and connect"
sleep 1.2

extract() { psql -X -q -d "$PG" -c "CALL doliflow.extract()" >"$TEST_TMP/26.out" 2>&1; }
step() { q "$PG" "SELECT status || '|' || coalesce(detail -> 'reconcile' ->> '$2', '-') FROM doliflow.run_step WHERE step = 'extract:$1' ORDER BY step_id DESC LIMIT 1"; }
# The source's keys and the lake's live keys, each listed on its own side.
same_keys() {	# same_keys TABLE KEY
	is "$(q "$PG" "SELECT count(*) || ':' || md5(string_agg($2::text, ',' ORDER BY $2)) FROM lake.${1}_current")" \
	   "$(myq "$SRC" "SELECT CONCAT(COUNT(*), ':', MD5(GROUP_CONCAT($2 ORDER BY $2 SEPARATOR ','))) FROM $1" )" "$3"
}
myroot -e "SET GLOBAL group_concat_max_len = 16777216"

extract; ok $? "first extract"
same_keys llx_stock_mouvement rowid "first extract: lake keys = source keys"

# 1. Nothing deleted: one comparison of the coarse ranges, no key fetched.
sleep 1.1; extract
is "$(step llx_stock_mouvement source_keys)" "success|0" "no delete: no source key fetched"
is "$(q "$PG" "SELECT count(*) FROM lake.llx_stock_mouvement WHERE _deleted")" "0" "no delete: no tombstone"

# 2. Deletes of every kind: the first and the last key, a whole coarse range,
#    scattered rows (103 multiples of 97 in 150000..160000), one row of a group of 8.
myroot "$SRC" -e "DELETE FROM llx_stock_mouvement WHERE rowid IN (1, $N) OR rowid BETWEEN 70000 AND 140000
	OR (rowid BETWEEN 150000 AND 160000 AND rowid % 97 = 0) OR rowid = 180003;
	DELETE FROM llx_actioncomm WHERE id % 1000 = 5"
sleep 1.1; extract
s=$(step llx_stock_mouvement source_keys)
is "${s%%|*}" "success" "deletes: the extract succeeds"
same_keys llx_stock_mouvement rowid "deletes (rowid mode): lake keys = source keys"
same_keys llx_actioncomm id "deletes (tms mode): lake keys = source keys"
is "$(q "$PG" "SELECT count(*) FROM lake.llx_stock_mouvement WHERE _deleted")" "$((2 + 70001 + 103 + 1))" "one tombstone per deleted movement"
keys=${s#*|}
ok $(( keys > N / 10 )) "deletes: keys fetched for the differing ranges only ($keys of $N)"

# 3. A delete and an insert in the same group of 8 (same count, other offsets):
#    180003 was deleted above, 180001 goes and 180003 comes back.
#    And a group of 64 with one key less that did not lose one key: 150059 (deleted above)
#    comes back while 150020 and 150060 go, so its offsets differ by 4 + 44 - 43 = 5, the
#    offset of 150021, still there: the hash sums and the source's count of 150021 reject
#    that guess and the group's keys are fetched.
myroot "$SRC" -e "DELETE FROM llx_stock_mouvement WHERE rowid IN (180001, 150020, 150060);
	INSERT INTO llx_stock_mouvement (rowid, fk_product, fk_entrepot, value, type_mouvement, datem, label) VALUES (180003, 1, 1, 1, 3, '2024-06-01', 'back'),
		(150059, 1, 1, 1, 3, '2024-06-01', 'back')"
sleep 1.1; extract
is "$(q "$PG" "SELECT count(*) FROM lake.llx_stock_mouvement_current WHERE rowid = 180001")" "0" \
	"a delete hidden by an insert in the same group (equal counts) is found by the offset sums"
is "$(q "$PG" "SELECT count(*) FROM lake.llx_stock_mouvement WHERE _deleted")" "$((2 + 70001 + 103 + 2 + 2))" "its tombstone is stored"
is "$(q "$PG" "SELECT string_agg(rowid::text, ',' ORDER BY rowid) FROM lake.llx_stock_mouvement_current WHERE rowid BETWEEN 150016 AND 150079 AND rowid IN (150020, 150021, 150060)")" "150021" \
	"a group with one key less but two keys gone loses those two, not the key its offsets point at"
is "$(q "$PG" "SELECT count(*) FROM lake.llx_stock_mouvement_current WHERE rowid BETWEEN 150016 AND 150079")" \
   "$(myq "$SRC" "SELECT COUNT(*) - 1 FROM llx_stock_mouvement WHERE rowid BETWEEN 150016 AND 150079")" \
   "that group: the source's keys but the one that came back below the rowid watermark"

is "$(df_lake_drift "$PG")" "" "every lake _current table equals the latest live versions of its history"
psql -X -q -d postgres -c "DROP DATABASE $PG WITH (FORCE)" >/dev/null 2>&1
myroot -e "DROP DATABASE $SRC"
done_testing
