#!/usr/bin/env bash
# SQL fuzz of every C function and C-backed aggregate of doliflow, through psql.
#   test/fuzz/sql_fuzz.sh DB [CALLS] [SERVER-LOG]
# CALLS defaults to $DOLIFLOW_FUZZ_CALLS or 5000; DOLIFLOW_FUZZ_SEED fixes the seed.
set -u
db=$1; calls=${2:-${DOLIFLOW_FUZZ_CALLS:-5000}}; log=${3:-}
exec python3 "$(dirname "$0")/sql_fuzz.py" --db "$db" --calls "$calls" \
	${DOLIFLOW_FUZZ_SEED:+--seed "$DOLIFLOW_FUZZ_SEED"} ${log:+--server-log "$log"} \
	--save "${TEST_TMP:-/tmp}/fuzz-crashes"
