#!/usr/bin/env bash
# SQL fuzz (CI size: 5,000 calls; `make fuzz` runs 100,000): every C function
# of the extension with edge and random values; the backend never crashes.
set -u
. "$(dirname "$0")/../lib.sh"
db=df88
df_new_pgdb "$db"; ok $? "extension installs"
out=$("$DF_ROOT/test/fuzz/sql_fuzz.sh" "$db" "${DOLIFLOW_FUZZ_CALLS:-5000}" "$DOLIFLOW_RUN_DIR/pg/server.log"); rc=$?
echo "$out" | sed -n '1p;/^# calls/,$p;/CRASH/p;/^# server log:/p'
is "$rc" 0 "no crash, no signal in the server log, server alive"
echo "$out" | grep -Eq '^# calls [1-9][0-9]*,'; ok $? "the fuzzer made its calls"
is "$(q "$db" "SELECT 1")" "1" "the server still answers"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
done_testing
