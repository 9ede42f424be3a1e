#!/usr/bin/env bash
# connect(), test_connection(), the read-only foreign tables and the secrets
# design, against the real MariaDB of the test runner.
set -u
. "$(dirname "$0")/../lib.sh"

SRC=df20_src
PG=df20
myroot() { env -u MYSQL_HOST mariadb --no-defaults -S "$MYSQL_SOCKET" -u root "$@"; }
myroot -e "DROP DATABASE IF EXISTS $SRC; CREATE DATABASE $SRC CHARACTER SET utf8mb4"
myroot "$SRC" < "$DF_ROOT/test/fixtures/dolibarr.sql" || { echo "not ok 1 - fixture loads"; exit 1; }
myq "$SRC" "INSERT INTO llx_societe (nom, entity) VALUES ('A',1),('B',1),('C',1);
            INSERT INTO llx_ticket (ref, track_id, fk_soc) VALUES ('T1','t1',1),('T2','t2',2);"
df_new_pgdb "$PG"; ok $? "extension installs"

n=$(df_connect "$PG" "$SRC" && q "$PG" "SELECT tables FROM doliflow.source_connection")
is "$n" "$(q "$PG" "SELECT count(*) FROM doliflow.source_table")" "connect() creates one foreign table per source table"
is "$(q "$PG" "SELECT count(*) FROM pg_foreign_table ft JOIN pg_class c ON c.oid = ft.ftrelid WHERE c.relnamespace = 'dolibarr'::regnamespace AND c.relname LIKE 'llx%'")" "$n" "the foreign tables are in schema dolibarr"

# Again: replaced, not duplicated.
df_connect "$PG" "$SRC"
is "$(q "$PG" "SELECT count(*) FROM pg_foreign_server WHERE srvname = 'doliflow_source'")|$(q "$PG" "SELECT count(*) FROM pg_user_mappings WHERE srvname = 'doliflow_source'")|$(q "$PG" "SELECT usename FROM pg_user_mappings WHERE srvname = 'doliflow_source'")" "1|1|doliflow_owner" \
	"a second connect() replaces: one server, one user mapping, for doliflow_owner"
is "$(q "$PG" "SELECT r.rolname FROM pg_foreign_server s JOIN pg_roles r ON r.oid = s.srvowner WHERE srvname = 'doliflow_source'")|$(q "$PG" "SELECT DISTINCT r.rolname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE c.relnamespace = 'dolibarr'::regnamespace")" \
	"doliflow_owner|doliflow_owner" "doliflow_owner owns the server and the foreign tables"
is "$(q "$PG" "SELECT rolcanlogin FROM pg_roles WHERE rolname = 'doliflow_owner'")" "f" "doliflow_owner is NOLOGIN"

# Types: dates as text, geopoint left out, extrafields discovered.
is "$(q "$PG" "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'dolibarr.llx_ticket'::regclass AND attname IN ('datec','tms') ORDER BY attname")" "text
text" "date and timestamp columns are text in the foreign tables"
is "$(q "$PG" "SELECT count(*) FROM pg_attribute WHERE attrelid IN ('dolibarr.llx_societe'::regclass, 'dolibarr.llx_socpeople'::regclass) AND attname = 'geopoint'")" "0" "point columns are left out"
is "$(q "$PG" "SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'dolibarr.llx_ticket_extrafields'::regclass AND attnum > 4")" \
	"$(myq "$SRC" "SELECT GROUP_CONCAT(column_name ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema='$SRC' AND table_name='llx_ticket_extrafields' AND ordinal_position > 4")" \
	"the extrafield columns of llx_ticket_extrafields are discovered"

# First-run help: connect() prints the ticket extrafields of the source (named freely, as a
# real Dolibarr does: "cout", "montant"...), the setting each feeds, and suggestions for a
# setting naming one that does not exist (the extrafields section of status(), one routine).
# (The fixture's own ticket extrafields are named as the settings expect: set aside meanwhile.)
myq "$SRC" "CREATE TABLE df20_extrafields_saved AS SELECT * FROM llx_extrafields;
	DELETE FROM llx_extrafields;
	INSERT INTO llx_extrafields (name, elementtype, label, type, size, pos) VALUES
	('satisfaction', 'ticket', 'Satisfaction client (1-5)', 'int', '10', 1),
	('duree_prevue', 'ticket', 'Durée prévue (h)', 'double', '24,8', 2),
	('cout', 'ticket', 'Coût de l''intervention', 'double', '24,8', 3),
	('montant', 'propal', 'Montant HT', 'double', '24,8', 1);"
out=$(psql -X -q -v ON_ERROR_STOP=1 -d "$PG" -v host="$MYSQL_HOST" -v port="$MYSQL_PORT" -v db="$SRC" \
	-v user="$DOLIFLOW_SOURCE_USER" -v pw="$DOLIFLOW_SOURCE_PASSWORD" 2>&1 >/dev/null <<'EOF2'
SELECT doliflow.connect(:'host', :'port'::int, :'db', :'user', :'pw');
EOF2
)
ef() { echo "$out" | sed -n "s/^NOTICE:  doliflow: extrafield $1: //p"; }
is "$(ef satisfaction)" 'mapped (label "Satisfaction client (1-5)", type int(10); feeds setting extrafield_satisfaction)' \
	"connect() lists a ticket extrafield with its label, type and the setting it feeds"
is "$(ef cout)" "unused (label \"Coût de l'intervention\", type double(24,8); no setting reads it)" "connect() lists an extrafield no setting reads (cout)"
is "$(ef montant)" "" "connect() leaves out the extrafields of other objects (montant of propal)"
ef extrafield_intervention_cost | grep -q "^missing (names extrafield \"intervention_cost\", which tickets do not have (3 ticket extrafields); candidates: cout (\"Coût de l'intervention\"); e.g. UPDATE doliflow.settings SET value = 'cout' WHERE name = 'extrafield_intervention_cost')\$"
ok $? "connect() suggests cout for extrafield_intervention_cost"
ef extrafield_estimated_duration | grep -q 'candidates: duree_prevue ("Durée prévue (h)")'
ok $? "connect() suggests duree_prevue for extrafield_estimated_duration"
# The same rows as status() gives from the lake (one routine): fill the lake's copy the way
# extract() does and compare.
q "$PG" "SET ROLE doliflow_owner; INSERT INTO lake.llx_extrafields_current (rowid, name, elementtype, label, type, size, pos, _batch, _extracted_at, _hash)
         SELECT e.rowid, e.name, e.elementtype, e.label, e.type, e.size, e.pos, 1, now(), md5(e.name)::uuid FROM dolibarr.llx_extrafields e" >/dev/null
is "$(q "$PG" "SELECT string_agg(format('doliflow: extrafield %s: %s (%s)', name, status, detail), E'\\n' ORDER BY ord)
                 FROM doliflow.status() WITH ORDINALITY AS s(section, name, status, n, at, age, lim, detail, ord) WHERE section = 'extrafields'")" \
	"$(echo "$out" | sed -n 's/^NOTICE:  \(doliflow: extrafield \)/\1/p')" "connect() prints what status() shows in its extrafields section"
q "$PG" "TRUNCATE lake.llx_extrafields_current" >/dev/null
myq "$SRC" "DELETE FROM llx_extrafields; INSERT INTO llx_extrafields SELECT * FROM df20_extrafields_saved; DROP TABLE df20_extrafields_saved"
is "$(q "$PG" "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'dolibarr.llx_facture'::regclass AND attname IN ('total_ht', 'type') ORDER BY attname")" "double precision
smallint" "double(24,8) and smallint columns get safe numeric types"

# test_connection(): one row per table, counts from the source.
got=$(q "$PG" "SELECT string_agg(table_name || '=' || row_count, ',' ORDER BY table_name) FROM doliflow.test_connection() WHERE reachable")
exp=$(myq "$SRC" "SELECT GROUP_CONCAT(CONCAT(t, '=', n) ORDER BY t) FROM (
	SELECT 'llx_societe' t, COUNT(*) n FROM llx_societe UNION ALL SELECT 'llx_ticket', COUNT(*) FROM llx_ticket) x")
is "$(q "$PG" "SELECT count(*) FILTER (WHERE reachable) || '/' || count(*) FROM doliflow.test_connection()")" "$n/$n" "test_connection(): every table reachable"
is "$(q "$PG" "SELECT string_agg(table_name || '=' || row_count, ',' ORDER BY table_name) FROM doliflow.test_connection() WHERE table_name IN ('llx_societe', 'llx_ticket')")" "$exp" "test_connection(): row counts match the source"

# Nobody writes to the source.
for stmt in "INSERT INTO dolibarr.llx_societe (rowid, nom, entity) VALUES (99, 'x', 1)" \
			"UPDATE dolibarr.llx_societe SET nom = 'x'" "DELETE FROM dolibarr.llx_societe" "TRUNCATE dolibarr.llx_societe"; do
	q "$PG" "$stmt" >/dev/null 2>&1; r1=$?
	q "$PG" "SET ROLE doliflow_owner; $stmt" >/dev/null 2>&1; r2=$?
	ok $(( (r1 == 0 || r2 == 0) ? 1 : 0 )) "refused to superuser and to doliflow_owner: ${stmt%% *}"
done
is "$(myq "$SRC" "SELECT GROUP_CONCAT(nom ORDER BY rowid) FROM llx_societe")" "A,B,C" "the source is unchanged"
psql -X -q -d "$PG" -c "DROP ROLE IF EXISTS df20_bob; CREATE ROLE df20_bob LOGIN" >/dev/null 2>&1
q "$PG" "SET ROLE df20_bob; SELECT count(*) FROM dolibarr.llx_societe" >/dev/null 2>&1
ok $(( $? == 0 )) "another role cannot read the foreign tables"
is "$(q "$PG" "SET ROLE df20_bob; SELECT coalesce(umoptions::text, 'hidden') FROM pg_user_mappings WHERE srvname = 'doliflow_source'")" "hidden" \
	"another role does not see the user mapping's password"
is "$(q "$PG" "SELECT has_function_privilege('df20_bob', 'doliflow.connect(text,int,text,text,text)', 'EXECUTE')::text || has_function_privilege('df20_bob', 'doliflow.test_connection()', 'EXECUTE')::text")" "falsefalse" \
	"connect() and test_connection() are not executable by PUBLIC"
hits=$(grep -rl -- "$DOLIFLOW_SOURCE_PASSWORD" "$DF_ROOT/extension" "$DF_ROOT/sql" "$DF_ROOT/test" 2>/dev/null | wc -l)
is "$hits" "0" "the password is in no project file"

# Argument checks.
q "$PG" "SELECT doliflow.connect('127.0.0.1', 0, 'x', 'u', 'p')" 2>"$TEST_TMP/20.err"; grep -q "port must be between" "$TEST_TMP/20.err"; ok $? "connect() rejects a bad port"
q "$PG" "SELECT doliflow.connect('127.0.0.1', $MYSQL_PORT, 'no_such_db', '$DOLIFLOW_SOURCE_USER', '$DOLIFLOW_SOURCE_PASSWORD')" 2>"$TEST_TMP/20.err"
grep -q 'has no tables visible' "$TEST_TMP/20.err"; ok $? "connect() to a missing database says so"
is "$(q "$PG" "SELECT count(*) FROM doliflow.test_connection() WHERE reachable")" "$n" "a failed connect() leaves the previous connection in place"

# The source down: the documented rows, each with reachable = false and one
# clear error naming where (no exception).
MY2=$TEST_TMP/my20; rm -rf "$MY2"
if port2=$(df_my_start_second "$MY2" "$TEST_TMP/my20.log"); then
	pw2=$(sed -n 's/^DOLIFLOW_SOURCE_PASSWORD=//p' "$MY2/env")
	env -u MYSQL_HOST mariadb --no-defaults -S "$MY2/mysql.sock" -u root -e "CREATE DATABASE d2; CREATE TABLE d2.llx_societe (rowid int primary key, nom varchar(128), entity int)"
	q "$PG" "SELECT doliflow.connect('127.0.0.1', $port2, 'd2', 'doliflow_reader', '$pw2')" >/dev/null 2>&1
	is "$(q "$PG" "SELECT count(*) FILTER (WHERE reachable) || '/' || count(*) FROM doliflow.test_connection()")" "1/$n" \
		"test_connection() reports the missing tables as unreachable"
	df_my_stop "$MY2"
	out=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$PG" -c "SELECT table_name || '|' || reachable || '|' || coalesce(row_count::text, '') || '|' || error FROM doliflow.test_connection()" 2>&1)
	is "$(echo "$out" | grep -c "^llx_[a-z_]*|false||the Dolibarr source is unreachable at 127.0.0.1:$port2 (database d2)")" "$n" \
		"source down: one row per table, reachable = false, the error says unreachable and where"
	is "$(echo "$out" | grep -c ERROR)" "0" "source down: no exception"
else
	ok 1 "second MariaDB starts"
fi
psql -X -q -d postgres -c "DROP DATABASE $PG WITH (FORCE)" -c "DROP ROLE df20_bob" >/dev/null 2>&1
done_testing
