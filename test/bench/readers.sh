#!/usr/bin/env bash
# test/bench/readers.sh: BI readers during the nightly load.
#   pgbench clients logged in with the doliflow_reader role query the dw views
#   and facts, first on an idle warehouse, then while full rebuilds of the
#   warehouse run back to back; prints the p50/p99 latency of both and the ratio.
# Run by test/bench/run (`make bench`), which provides the servers.
#   READERS_SCALE=small|medium (default medium), READERS_SECONDS (default 20)
set -u
cd "$(dirname "$0")/../.." || exit 1
. test/lib.sh
[ -n "${PGPORT:-}" ] && [ -n "${MYSQL_PORT:-}" ] || df_die "run me through test/bench/run"
SCALE=${READERS_SCALE:-medium} SECS=${READERS_SECONDS:-20}
SRC=bench_rd_src DB=bench_rd
PGBENCH=/usr/lib/postgresql/$DF_PG_MAJOR/bin/pgbench

test/generator/load.sh --host "$MYSQL_HOST" --port "$MYSQL_PORT" --user "$MYSQL_USER" \
	--db "$SRC" --scale "$SCALE" --seed 11 >/dev/null || df_die "generator failed"
df_new_pgdb "$DB" && df_connect "$DB" "$SRC" || df_die "connect failed"
q "$DB" "CALL doliflow.extract()" >/dev/null 2>&1 || df_die "extract failed"
q "$DB" "CALL doliflow.load_warehouse()" >/dev/null 2>&1 || df_die "load failed"
q postgres "DROP ROLE IF EXISTS bench_bi; CREATE ROLE bench_bi LOGIN IN ROLE doliflow_reader" >/dev/null

cat >"$TEST_TMP/readers.sql" <<'SQL'
\set m random(1, 12)
SELECT * FROM dw.v_tickets_monthly ORDER BY 1 DESC LIMIT 12;
SELECT * FROM dw.v_technician_performance;
SELECT count(*), avg(resolution_hours) FROM dw.fact_tickets WHERE extract(month FROM created_at) = :m;
SELECT * FROM dw.v_active_projects LIMIT 20;
SQL

# p50 and p99 (ms) from pgbench per-transaction logs (3rd field: latency in us).
pct() { cat "$1".* | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {
	if (NR == 0) { print "n/a n/a 0"; exit }
	p50 = a[int(NR*0.50) > 0 ? int(NR*0.50) : 1]; p99 = a[int(NR*0.99) > 0 ? int(NR*0.99) : 1];
	printf "%.2f %.2f %d\n", p50/1000, p99/1000, NR }'; }

run_readers() {	# run_readers TAG
	rm -f "$TEST_TMP/$1".*
	(cd "$TEST_TMP" && "$PGBENCH" -n -U bench_bi -c 4 -j 2 -T "$SECS" -f readers.sql -l --log-prefix="$1" "$DB" >/dev/null 2>&1)
}

run_readers idle
read -r idle50 idle99 idlen < <(pct "$TEST_TMP/idle")

loads=0
( while :; do q "$DB" "CALL doliflow.load_warehouse(full_rebuild => true)" >/dev/null 2>&1; echo x; done ) >"$TEST_TMP/loads" &
loader=$!
sleep 1
run_readers busy
kill "$loader" 2>/dev/null; wait "$loader" 2>/dev/null
psql -X -q -d "$DB" -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE datname = '$DB' AND query LIKE 'CALL doliflow.load_warehouse%'" >/dev/null
loads=$(wc -l <"$TEST_TMP/loads")
read -r busy50 busy99 busyn < <(pct "$TEST_TMP/busy")

printf '%-44s %10s %10s %8s\n' "BI readers ($SCALE scale, 4 clients, ${SECS}s)" "p50 ms" "p99 ms" "queries"
printf '%-44s %10s %10s %8s\n' "idle warehouse" "$idle50" "$idle99" "$idlen"
printf '%-44s %10s %10s %8s\n' "during full rebuilds ($loads completed)" "$busy50" "$busy99" "$busyn"
awk -v a="$idle99" -v b="$busy99" 'BEGIN { if (a > 0) printf "p99 ratio during load / idle: %.2f\n", b / a }'
q postgres "DROP ROLE IF EXISTS bench_bi" >/dev/null 2>&1 || true
