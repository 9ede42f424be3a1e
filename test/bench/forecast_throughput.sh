#!/bin/sh
# forecast_throughput.sh - in-database forecasting throughput (SPEC,
# Benchmarks): fit and forecast N products x 3 years of daily sales
#   SELECT count(*), sum(f.yhat) FROM (SELECT product, forecast_fit(day, qty) m
#     FROM sales GROUP BY product) s, LATERAL forecast(s.m, 28) f
# against a plain
#   SELECT sum(cardinality(a)) FROM (SELECT product, array_agg(qty ORDER BY day) a
#     FROM sales GROUP BY product) s
# over the same table, side by side in one run (alternated, REPS times each,
# best and median reported), serial and with 2 parallel workers.  Each query
# runs in a fresh backend; its peak memory is the backend's VmHWM read from
# /proc/<pid>/status by the backend itself at the end of the query (it
# includes the shared buffers the backend touched; parallel workers' memory
# is not in the leader's figure).
#
# Parallel query: forecast_fit's transition, combine, serial and deserial
# functions let workers scan and buffer rows, but the final function (the
# fit) runs in the leader after combine, so with a GROUP BY the fits are
# serial whatever the number of workers: workers only speed up the scan.
#
# Table: N products x 1,095 days (one row per day, zeros included), weekly
# and yearly seasonality, a trend, deterministic noise; every fifth product
# intermittent.  Needs a running server with doliflow installed (make bench
# provides one: PGHOST/PGPORT/PGUSER) and a superuser (pg_read_file of /proc).
#   FC_PRODUCTS  N (default 10000, the SPEC's size: ~11M rows)
#   FC_REPS      timings per query (default 2)
# Copyright (C) doliflow contributors.  GPL-3.0-or-later.
set -eu
n=${FC_PRODUCTS:-10000}
reps=${FC_REPS:-2}
db=fc_throughput_$$
createdb "$db"
trap 'dropdb --if-exists "$db" >/dev/null 2>&1 || true' EXIT INT TERM
psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<SQL
CREATE EXTENSION doliflow CASCADE;
CREATE TABLE sales AS
SELECT p AS product, date '2022-01-01' + i AS day,
       CASE WHEN p % 5 = 0
            THEN (CASE WHEN (i * 31 + p * 17) % 7 = 0 OR (i % 7 = 4 AND (i + p) % 3 = 0) THEN 1 + (i + p) % 3 ELSE 0 END)
            ELSE greatest(0, round((5 + p % 50 + 0.005 * i)
                                   * (1 + 0.3 * sin(i * 2 * pi() / 7 + p))
                                   * (1 + 0.2 * sin(i * 2 * pi() / 365.25 + p / 7.0))
                                   + 0.4 * ((i * 7919 + p * 104729) % 11 - 5)))
       END::float8 AS qty
  FROM generate_series(1, $n) p, generate_series(0, 1094) i;
VACUUM ANALYZE sales;
CREATE FUNCTION bench_run(q text, workers int) RETURNS text LANGUAGE plpgsql AS \$\$
DECLARE t0 timestamptz; r text; hwm0 text; hwm1 text;
BEGIN
  PERFORM set_config('max_parallel_workers_per_gather', workers::text, true);
  PERFORM set_config('parallel_setup_cost', '0', true);
  PERFORM set_config('parallel_tuple_cost', '0', true);
  hwm0 := substring(pg_read_file('/proc/' || pg_backend_pid() || '/status') from 'VmHWM:\s*(\d+)');
  t0 := clock_timestamp();
  EXECUTE q INTO r;
  hwm1 := substring(pg_read_file('/proc/' || pg_backend_pid() || '/status') from 'VmHWM:\s*(\d+)');
  RETURN extract(epoch FROM clock_timestamp() - t0) || ' ' || hwm0 || ' ' || hwm1 || ' ' || r;
END \$\$;
SQL
q_arr="SELECT sum(cardinality(a))::text FROM (SELECT product, array_agg(qty ORDER BY day) a FROM sales GROUP BY product) s"
q_fit="SELECT count(*) || ' ' || round(sum(f.yhat)) FROM (SELECT product, doliflow_analytics.forecast_fit(day, qty) m FROM sales GROUP BY product) s, LATERAL doliflow_analytics.forecast(s.m, 28) f"
q_fit_only="SELECT count(m)::text FROM (SELECT product, doliflow_analytics.forecast_fit(day, qty) m FROM sales GROUP BY product) s"
out=$(mktemp); trap 'rm -f "$out"; dropdb --if-exists "$db" >/dev/null 2>&1 || true' EXIT INT TERM
run() {	# label workers query
	r=$(psql -X -At -v ON_ERROR_STOP=1 -d "$db" -c "SELECT bench_run(\$q\$$3\$q\$, $2)")
	echo "$1 $2 $r" >>"$out"
}
for w in 0 2; do
	i=0
	while [ $i -lt "$reps" ]; do
		run array_agg $w "$q_arr"
		run forecast_fit+forecast $w "$q_fit"
		i=$((i + 1))
	done
done
run forecast_fit_only 0 "$q_fit_only"
echo
echo "in-database throughput: $n products x 1,095 days ($(psql -X -At -d "$db" -c "SELECT to_char(count(*), 'FM999,999,999') FROM sales") rows), $reps runs each, alternated"
echo "plan of the serial fit query:"
psql -X -At -d "$db" -c "SET max_parallel_workers_per_gather = 0; EXPLAIN (COSTS OFF) $q_fit" | sed 's/^/  /'
echo "raw: query workers seconds VmHWM_before_kB VmHWM_after_kB result"
sed 's/^/  /' "$out"
python3 - "$out" "$n" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
n = int(sys.argv[2])
t = {}
for r in rows:
    t.setdefault((r[0], int(r[1])), []).append((float(r[2]), int(r[4])))
print("%-8s %-24s %9s %9s %11s %14s" % ("workers", "query", "best_s", "median_s", "ms/product", "peak_RSS_MB"))
for w in (0, 2):
    for q in ("array_agg", "forecast_fit+forecast"):
        v = t[(q, w)]
        s = [x[0] for x in v]
        print("%-8d %-24s %9.2f %9.2f %11.3f %14.0f" % (w, q, min(s), statistics.median(s),
              1000 * min(s) / n, max(x[1] for x in v) / 1024))
if ("forecast_fit_only", 0) in t:
    s, m = t[("forecast_fit_only", 0)][0]
    print("%-8d %-24s %9.2f %9s %11.3f %14.0f" % (0, "forecast_fit only", s, "", 1000 * s / n, m / 1024))
print()
print("%-8s %28s %28s" % ("workers", "ratio fit+forecast/array_agg", "ratio (medians)"))
for w in (0, 2):
    a = [x[0] for x in t[("array_agg", w)]]
    f = [x[0] for x in t[("forecast_fit+forecast", w)]]
    print("%-8d %28.2f %28.2f" % (w, min(f) / min(a), statistics.median(f) / statistics.median(a)))
print("target (SPEC): ratio <= 3")
PY
