#!/usr/bin/env bash
# test/bench/report.sh: time to render each page of doliflow.report_html() (issue 17:
# a page renders in under a second at the medium scale).
#   A generated source (medium scale by default, ending today) goes through the nightly
#   pipeline and two back-tests (as in 75_report_browser); then every page is rendered
#   ROUNDS times, pages alternated within each round, French and English; prints the
#   median and worst wall milliseconds and the median backend CPU milliseconds per page,
#   and says which pages took a second of CPU or more.
#   The figures are printed, never asserted: the machine is shared.
# Run by test/bench/run (`make bench`), or standalone: it then starts its own throwaway
# PostgreSQL and MariaDB with test/lib.sh and stops them at the end.
#
#   test/bench/report.sh [--scale small|medium|large] [--seed N] [--rounds N] [--keep]
# --keep leaves the databases bench_rp and bench_rp_src in place (with servers you own).
set -u
cd "$(dirname "$0")/../.." || exit 1
. test/lib.sh
SCALE=medium SEED=17 ROUNDS=5 KEEP=""
while [ $# -gt 0 ]; do
	case $1 in
		--scale) SCALE=$2; shift 2 ;;
		--seed) SEED=$2; shift 2 ;;
		--rounds) ROUNDS=$2; shift 2 ;;
		--keep) KEEP=1; shift ;;
		*) df_die "unknown option $1" ;;
	esac
done
case $ROUNDS in ''|*[!0-9]*|0) df_die "--rounds takes a positive integer" ;; esac

OWN=""
if [ -z "${PGPORT:-}" ] || [ -z "${MYSQL_PORT:-}" ]; then
	cleanup() { trap - EXIT INT TERM HUP; [ -n "$OWN" ] && { df_pg_stop "$OWN/pg"; df_my_stop "$OWN/mysql"; rm -rf "$OWN"; }; }
	trap cleanup EXIT; trap 'exit 130' INT TERM HUP
	df_install_packages
	OWN=$(df_run_dir)
	df_make_pgroot "$OWN/root"
	df_install_private "$OWN/root" || df_die "install failed"
	df_start_servers "$OWN" "$OWN/root/usr/lib/postgresql/$DF_PG_MAJOR/bin" || df_die "servers did not start"
	df_export_env "$OWN"
	KEEP=""
fi

SRC=bench_rp_src DB=bench_rp
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

if [ -n "$KEEP" ] && [ "$(q "$DB" "SELECT count(*) FROM doliflow.report_pages" 2>/dev/null)" = 10 ]; then
	prep="reused the databases kept by an earlier --keep run"
else
	t0=$(now)
	test/generator/load.sh --host "$MYSQL_HOST" --port "$MYSQL_PORT" --user "$MYSQL_USER" \
		--db "$SRC" --scale "$SCALE" --seed "$SEED" --end-date "$(date +%F)" >/dev/null || df_die "generator failed"
	df_new_pgdb "$DB" && df_connect "$DB" "$SRC" || df_die "connect failed"
	q "$DB" "CALL doliflow.run_pipeline()" >/dev/null 2>&1
	st=$(q "$DB" "SELECT status FROM doliflow.run_log WHERE kind = 'pipeline' ORDER BY run_id DESC LIMIT 1")
	[ "$st" = success ] || df_die "the pipeline ended $st"
	q "$DB" "SELECT doliflow.generate_predictions((SELECT max(day) FROM dw.fact_sales_daily) - o, true, 'backtest')
	           FROM (VALUES (28), (14)) v(o)" >/dev/null 2>&1 || df_die "back-tests failed"
	q "$DB" "VACUUM (ANALYZE)" >/dev/null 2>&1
	prep="generated, pipeline and back-tests in $(since "$t0") s"
fi

# One line per render: page lang wall-ms cpu-ms.  CPU is the backend's own (user + system,
# /proc/self/stat, 10 ms ticks) with parallel workers off, so that it is the whole cost of
# the call: on a shared machine it is the figure to read, wall time grows with the load.
raw=$(psql -X -q -d "$DB" -v rounds="$ROUNDS" 2>&1 <<'SQL'
SELECT set_config('bench.rounds', :'rounds', false) \gset
SET max_parallel_workers_per_gather = 0;
CREATE FUNCTION pg_temp.cpu_ms() RETURNS numeric LANGUAGE sql AS $f$
	SELECT (split_part(x, ' ', 12)::numeric + split_part(x, ' ', 13)::numeric) * 1000 / 100
	  FROM (SELECT split_part(pg_read_file('/proc/self/stat'), ') ', 2) AS x) s $f$;
DO $$
DECLARE t0 timestamptz; c0 numeric; p text; l text; n integer;
BEGIN
	PERFORM doliflow.report_html('all');	-- warm the caches once
	FOR i IN 1 .. current_setting('bench.rounds')::int LOOP
		FOREACH l IN ARRAY ARRAY['fr', 'en'] LOOP
			FOREACH p IN ARRAY ARRAY['alertes', 'tableau', 'predictions', 'interventions', 'all'] LOOP
				c0 := pg_temp.cpu_ms();
				t0 := clock_timestamp();
				n := length(doliflow.report_html(p, l));
				RAISE NOTICE 'ms % % % %', p, l, round(extract(epoch FROM clock_timestamp() - t0) * 1000, 1), pg_temp.cpu_ms() - c0;
			END LOOP;
		END LOOP;
	END LOOP;
END $$;
SQL
)
lines=$(echo "$raw" | sed -n 's/^NOTICE:  ms //p')
[ -n "$lines" ] || { echo "$raw" | head -5; df_die "no timing printed"; }
items=$(q "$DB" "SELECT format('%s items, %s urgent, %s predictions, %s tickets, %s customers',
	(SELECT count(*) FROM dw.v_stock_alerts), (SELECT count(*) FROM dw.v_stock_alerts WHERE level IN ('Critical', 'Attention')),
	(SELECT count(*) FROM dw.predictions), (SELECT count(*) FROM dw.fact_tickets), (SELECT count(*) FROM dw.dim_customer))")

printf 'report_html at the %s scale (seed %s; %s; %s; load average %s)\n' "$SCALE" "$SEED" "$items" "$prep" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-16s %4s %14s %14s %14s %6s\n' page lang "wall median ms" "wall worst ms" "cpu median ms" runs
echo "$lines" | awk '
function median(k, col,   c, a, b, t, w) {
	c = n[k]; for (a = 1; a <= c; a++) w[a] = v[k, a, col]
	for (a = 1; a <= c; a++) for (b = a + 1; b <= c; b++) if (w[b] < w[a]) { t = w[a]; w[a] = w[b]; w[b] = t }
	worst = w[c]
	return (c % 2) ? w[(c + 1) / 2] : (w[c / 2] + w[c / 2 + 1]) / 2
}
{ k = $1 " " $2; n[k]++; v[k, n[k], 1] = $3; v[k, n[k], 2] = $4; if (!(k in seen)) { seen[k] = 1; order[++m] = k } }
END {
	for (j = 1; j <= m; j++) {
		k = order[j]; cpu = median(k, 2); wall = median(k, 1)
		split(k, pl, " ")
		printf "%-16s %4s %14.1f %14.1f %14.1f %6d\n", pl[1], pl[2], wall, worst, cpu, n[k]
		if (pl[1] != "all" && cpu >= 1000) slow = slow " " k
	}
	if (slow == "") print "every page: median backend CPU under 1000 ms"; else print "pages at 1000 ms of CPU or more (median):" slow
}'
if [ -z "$KEEP" ]; then
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
	mariadb --no-defaults -h "$MYSQL_HOST" -P "$MYSQL_PORT" -u "$MYSQL_USER" -p"$MYSQL_PWD" \
		-e "DROP DATABASE IF EXISTS $SRC; DROP DATABASE IF EXISTS ${SRC}_truth" 2>/dev/null
fi
exit 0
