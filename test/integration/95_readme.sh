#!/usr/bin/env bash
# The README's SQL examples run as written on a warehouse the pipeline filled,
# so the README stays true to the code.
. "$(dirname "$0")/../lib.sh"
SRC=readme_src PG=readme_db
df_new_source "$SRC" small 5; ok $? "generated source"
df_new_pgdb "$PG" && df_connect "$PG" "$SRC"; ok $? "extension installed and connected"
sleep 1.2	# rows stamped in the source's current second belong to the next extract
q "$PG" "CALL doliflow.run_pipeline()" >/dev/null 2>"$TEST_TMP/95_pipeline.err"
is "$(q "$PG" "SELECT status FROM doliflow.run_log WHERE kind = 'pipeline' ORDER BY run_id DESC LIMIT 1")" "success" "the pipeline succeeds"

# Every ```sql block of the README after the install section (connect() needs a real host).
awk '/^## The analytics as SQL building blocks/ {on = 1} on && /^```sql/ {inb = 1; next} inb && /^```/ {inb = 0; next} inb' \
	"$DF_ROOT/README.md" >"$TEST_TMP/readme.sql"
[ -s "$TEST_TMP/readme.sql" ]; ok $? "the README has SQL examples"
psql -X -q -v ON_ERROR_STOP=1 -d "$PG" -f "$TEST_TMP/readme.sql" >"$TEST_TMP/readme.out" 2>&1
ok $? "the README's SQL examples run"
grep -q "predicted_duration" "$TEST_TMP/readme.out"; ok $? "predict_intervention_duration answers the seed's call"
missing=$(awk '/^## Install and connect/ {on = 1} /^## What you get/ {on = 0} on' "$DF_ROOT/README.md" \
	| grep -oE "doliflow\.[a-z_]+" | sort -u | while read -r f; do
	[ "$(q "$PG" "SELECT to_regclass('$f') IS NOT NULL OR EXISTS (SELECT FROM pg_proc WHERE proname = split_part('$f', '.', 2) AND pronamespace = 'doliflow'::regnamespace)")" = t ] || echo "$f"
	done)
is "$missing" "" "every doliflow object the install section names exists"
done_testing
