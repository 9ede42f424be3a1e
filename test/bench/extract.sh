#!/usr/bin/env bash
# test/bench/extract.sh: extraction throughput of CALL doliflow.extract()
# against a plain "mariadb -e SELECT | psql COPY" of the same tables on the
# same machine, printed as a ratio.  Not a timed test.
#
#   test/bench/extract.sh [--scale small|medium|large] [--rows N] [--repeat N]
#
# --repeat N measures N rounds, alternating which side runs first (a warm buffer pool
# or page cache favours the second), each round a first extract into a new database;
# every round is printed, then the median ratio.
#
# With servers already running (PGHOST/PGPORT/MYSQL_* exported, as
# test/run and make bench do) it uses them; otherwise it builds, installs and
# starts throwaway servers with test/lib.sh and stops them at the end.
# The source is made by test/generator/load.sh when it exists; else (or with
# --rows N) by the Dolibarr fixture plus N generated stock movements.
set -u
cd "$(dirname "$0")/../.." || exit 1
. test/lib.sh

SCALE=large ROWS="" REPEAT=1
while [ $# -gt 0 ]; do
	case $1 in
		--scale) SCALE=$2; shift 2 ;;
		--rows) ROWS=$2; shift 2 ;;
		--repeat) REPEAT=$2; shift 2 ;;
		*) df_die "unknown option $1" ;;
	esac
done

RUN=""
if [ -z "${PGPORT:-}" ] || [ -z "${MYSQL_PORT:-}" ]; then
	RUN=$(df_run_dir)
	trap 'df_pg_stop "$RUN/pg"; df_my_stop "$RUN/mysql"; rm -rf "$RUN"' EXIT
	df_make_pgroot "$RUN/root"
	df_install_private "$RUN/root" || df_die "install failed"
	df_start_servers "$RUN" "$RUN/root/usr/lib/postgresql/$DF_PG_MAJOR/bin" || df_die "servers did not start"
	df_export_env "$RUN"
	export PATH="$RUN/root/usr/lib/postgresql/$DF_PG_MAJOR/bin:$PATH"
fi
myroot() { env -u MYSQL_HOST mariadb --no-defaults -S "$MYSQL_SOCKET" -u root "$@"; }

SRC=dfbench_src PG=dfbench
if [ -z "$ROWS" ] && [ -x test/generator/load.sh ]; then
	df_log "generating the $SCALE Dolibarr source"
	# The shared helper talks to root through the socket (MYSQL_HOST would send it over TCP).
	df_new_source "$SRC" "$SCALE" 42 || df_die "generator failed"
else
	ROWS=${ROWS:-2000000}
	df_log "source: fixture + $ROWS stock movements"
	myroot -e "DROP DATABASE IF EXISTS $SRC; CREATE DATABASE $SRC CHARACTER SET utf8mb4"
	myroot "$SRC" < test/fixtures/dolibarr.sql
	myroot "$SRC" -e "INSERT INTO llx_stock_mouvement (fk_product, fk_entrepot, value, price, type_mouvement, datem, label, inventorycode)
		SELECT 1 + seq % 500, 1 + seq % 5, 1 + seq % 7, 12.5, 2, '2022-01-01' + INTERVAL seq MINUTE, CONCAT('Mouvement ', seq), NULL FROM seq_1_to_$ROWS"
fi
ours() {
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PG WITH (FORCE)" >/dev/null 2>&1
	df_new_pgdb "$PG" >/dev/null || df_die "cannot create $PG"
	df_connect "$PG" "$SRC" || df_die "connect failed"
	sleep 1.1
	local t0 t1
	t0=$(date +%s.%N)
	psql -X -q -d "$PG" -c "CALL doliflow.extract()" >/dev/null 2>&1
	t1=$(date +%s.%N)
	failed=$(q "$PG" "SELECT count(*) FROM doliflow.run_step WHERE status <> 'success'")
	loaded=$(q "$PG" "SELECT sum(rows_fetched) FROM lake.batch WHERE status = 'loaded'")
	e=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
}
# Peer: the same tables, dumped by the mariadb client as TSV and COPYed into
# plain tables of text columns (no conversion, no verification, no versions).
peer() {
	local t t2 t3 cols
	q "$PG" "DROP SCHEMA IF EXISTS bench_copy CASCADE; CREATE SCHEMA bench_copy" >/dev/null
	t2=$(date +%s.%N)
	for t in $(q "$PG" "SELECT table_name FROM doliflow.source_table ORDER BY load_order"); do
		cols=$(q "$PG" "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'dolibarr.$t'::regclass AND attnum > 0")
		q "$PG" "DROP TABLE IF EXISTS bench_copy.$t; CREATE TABLE bench_copy.$t ($(q "$PG" "SELECT string_agg(quote_ident(attname) || ' text', ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'dolibarr.$t'::regclass AND attnum > 0"))" >/dev/null
		myroot "$SRC" --batch --skip-column-names --default-character-set=utf8mb4 -e "SELECT ${cols//\"/\`} FROM $t" |
			psql -X -q -d "$PG" -c "COPY bench_copy.$t FROM STDIN WITH (FORMAT text, NULL 'NULL')" >/dev/null || df_log "copy of $t failed"
	done
	t3=$(date +%s.%N)
	copied=$(q "$PG" "SELECT sum(n) FROM (SELECT (xpath('/row/c/text()', query_to_xml('SELECT count(*) AS c FROM bench_copy.' || table_name, false, true, '')))[1]::text::bigint AS n FROM doliflow.source_table) x")
	p=$(awk -v a="$t2" -v b="$t3" 'BEGIN { print b - a }')
}

ratios=""
for i in $(seq 1 "$REPEAT"); do
	if [ $(( i % 2 )) -eq 1 ]; then ours; peer; order="extract first"; else df_new_pgdb "$PG" >/dev/null 2>&1; df_connect "$PG" "$SRC" >/dev/null 2>&1; peer; ours; order="peer first"; fi
	r=$(awk -v rows="$loaded" -v copied="$copied" -v e="$e" -v p="$p" 'BEGIN { printf "%.2f", (rows / e) / (copied / p) }')
	ratios+="$r "
	awk -v i="$i" -v order="$order" -v rows="$loaded" -v copied="$copied" -v e="$e" -v p="$p" -v failed="$failed" -v r="$r" 'BEGIN {
		printf "round %d (%s):\n", i, order;
		printf "extract: %d rows in %.2f s = %.0f rows/s (failed steps: %d)\n", rows, e, rows / e, failed;
		printf "mariadb | COPY: %d rows in %.2f s = %.0f rows/s\n", copied, p, copied / p;
		printf "ratio extract/peer throughput: %s\n", r;
	}'
done
[ "$REPEAT" -gt 1 ] && printf 'median ratio over %d rounds: %s\n' "$REPEAT" \
	"$(printf '%s\n' $ratios | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')"
psql -X -q -d postgres -c "DROP DATABASE $PG WITH (FORCE)" >/dev/null 2>&1
myroot -e "DROP DATABASE $SRC" >/dev/null 2>&1
