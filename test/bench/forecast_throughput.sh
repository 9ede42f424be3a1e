#!/bin/sh
# forecast_throughput.sh - in-database forecasting throughput: forecast_fit
# over N products x 3 years of daily sales (GROUP BY product) against a plain
# array_agg over the same GROUP BY, serial and with 2 parallel workers.
# Needs a running server with doliflow installed (make bench provides one:
# PGHOST/PGPORT/PGUSER).  FC_PRODUCTS sets N (default 1000; the SPEC's
# 10,000 takes about ten times longer).
# Copyright (C) doliflow contributors.  GPL-3.0-or-later.
set -eu
n=${FC_PRODUCTS:-1000}
db=fc_throughput_$$
createdb "$db"
trap 'dropdb --if-exists "$db" >/dev/null 2>&1 || true' EXIT INT TERM
psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<SQL
CREATE EXTENSION doliflow CASCADE;
CREATE TABLE sales AS
SELECT p AS product, date '2022-01-01' + i AS day,
       CASE WHEN p % 5 = 0 THEN (CASE WHEN (i * 31 + p) % 7 = 0 THEN 1 + (i % 3) ELSE 0 END)
            ELSE round((5 + p % 50 + 0.005 * i) * (1 + 0.3 * sin(i * 2 * pi() / 7 + p)))::float8 END AS qty
  FROM generate_series(1, $n) p, generate_series(0, 1094) i;
ANALYZE sales;
CREATE FUNCTION pg_temp.timeit(q text) RETURNS float8 LANGUAGE plpgsql AS \$\$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN EXECUTE 'CREATE TEMP TABLE t_out AS ' || q; DROP TABLE t_out;
RETURN extract(epoch FROM clock_timestamp() - t0); END \$\$;
CREATE TEMP TABLE r (what text, workers int, seconds float8);
SET max_parallel_workers_per_gather = 0;
INSERT INTO r SELECT 'array_agg', 0, pg_temp.timeit('SELECT product, array_agg(qty ORDER BY day) FROM sales GROUP BY product');
INSERT INTO r SELECT 'forecast_fit', 0, pg_temp.timeit('SELECT product, doliflow.forecast_fit(day, qty) FROM sales GROUP BY product');
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
INSERT INTO r SELECT 'array_agg', 2, pg_temp.timeit('SELECT product, array_agg(qty) FROM sales GROUP BY product');
INSERT INTO r SELECT 'forecast_fit', 2, pg_temp.timeit('SELECT product, doliflow.forecast_fit(day, qty) FROM sales GROUP BY product');
\echo
\echo in-database throughput: $n products x 1,095 days
SELECT f.workers, round(a.seconds::numeric, 2) AS array_agg_s, round(f.seconds::numeric, 2) AS forecast_fit_s,
       round((f.seconds / a.seconds)::numeric, 1) AS ratio,
       round(($n / f.seconds)::numeric, 1) AS products_per_s,
       round((1000 * f.seconds / $n)::numeric, 2) AS ms_per_product
  FROM r f JOIN r a ON a.workers = f.workers AND a.what = 'array_agg' WHERE f.what = 'forecast_fit' ORDER BY 1;
SQL
