#!/usr/bin/env bash
# 15_analytics_alone: doliflow_analytics is an extension of its own.
#  1. it installs alone in a database without mysql_fdw, doliflow or any doliflow role, in its
#     schema doliflow_analytics (pg_extension.extnamespace), and a login with no grant uses it
#     on a table of its own (forecast, robust statistics, k-means);
#  2. DROP EXTENSION doliflow_analytics leaves no routine, type or cast (its schema stays, empty);
#  3. CREATE EXTENSION doliflow CASCADE installs mysql_fdw and doliflow_analytics with it, and
#     doliflow_analytics cannot be dropped under doliflow.
set -u
. "$(dirname "$0")/../lib.sh"

DB=ana15
N=ana15_nobody
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
q postgres "CREATE DATABASE $DB" >/dev/null; ok $? "a fresh database"
q postgres "DROP ROLE IF EXISTS $N; CREATE ROLE $N LOGIN" >/dev/null
q "$DB" "CREATE EXTENSION doliflow_analytics" >/dev/null; ok $? "CREATE EXTENSION doliflow_analytics (alone)"
is "$(q "$DB" "SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension")" "doliflow_analytics,plpgsql" \
	"nothing else came with it (no mysql_fdw, no doliflow)"
is "$(q "$DB" "SELECT extnamespace::regnamespace FROM pg_extension WHERE extname = 'doliflow_analytics'")" doliflow_analytics \
	"pg_extension.extnamespace is its schema"
is "$(q "$DB" "SELECT count(*) FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'doliflow_analytics'
				 JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
				WHERE d.deptype = 'e' AND p.pronamespace <> 'doliflow_analytics'::regnamespace")" 0 \
	"every routine of the extension is in that schema"
is "$(q "$DB" "SELECT count(*) FROM pg_shdepend d JOIN pg_authid a ON a.oid = d.refobjid WHERE d.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND a.rolname LIKE 'doliflow%'")" 0 "grants nothing to a doliflow role (roles are cluster-wide: other tests made them)"
q "$DB" "CREATE TABLE public.sales AS SELECT DATE '2025-01-01' + i AS day, (10 + 3 * sin(i * 2 * pi() / 7) + (i % 5))::float8 AS qty
		 FROM generate_series(0, 119) i; GRANT SELECT ON public.sales TO PUBLIC" >/dev/null
out=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -U "$N" -d "$DB" -c "
	SELECT count(*) FROM (SELECT doliflow_analytics.forecast_fit(day, qty) AS m FROM public.sales) x,
		   doliflow_analytics.forecast(m, 14) f" \
	-c "SELECT (doliflow_analytics.robust_stats(qty)).median > 0 FROM public.sales" \
	-c "SELECT doliflow_analytics.kmeans_fit(ARRAY[qty, extract(dow FROM day)]::float8[], 2) IS NOT NULL FROM public.sales" 2>&1)
is "$(echo $out)" "14 t t" "a login with no grant forecasts, summarizes and clusters a table of its own"

q "$DB" "DROP EXTENSION doliflow_analytics" >/dev/null; ok $? "DROP EXTENSION doliflow_analytics"
# The schema itself stays, empty: CREATE EXTENSION made it from the control file (so that
# extnamespace names it and pg_dump restores it), and PostgreSQL refuses to make an
# extension's own schema a member of it.
is "$(q "$DB" "SELECT (SELECT count(*) FROM pg_proc WHERE pronamespace = 'doliflow_analytics'::regnamespace)
				    + (SELECT count(*) FROM pg_type WHERE typnamespace = 'doliflow_analytics'::regnamespace)
				    + (SELECT count(*) FROM pg_class WHERE relnamespace = 'doliflow_analytics'::regnamespace)
				    + (SELECT count(*) FROM pg_proc WHERE proname ~ '^(_?(forecast|robust|iforest|kmeans|duration)|_rows_)')
				    + (SELECT count(*) FROM pg_type WHERE typname ~ '(forecast|kmeans|iforest|duration)_model|robust_summary')
				    + (SELECT count(*) FROM pg_cast WHERE castsource >= 16384 OR casttarget >= 16384)")" 0 \
	"nothing is left behind (routines, types, casts; the schema is empty)"

q "$DB" "CREATE EXTENSION doliflow CASCADE" >/dev/null 2>&1; ok $? "CREATE EXTENSION doliflow CASCADE"
is "$(q "$DB" "SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension")" "doliflow,doliflow_analytics,mysql_fdw,plpgsql" \
	"it installed mysql_fdw and doliflow_analytics"
psql -X -q -d "$DB" -c "DROP EXTENSION doliflow_analytics" >/dev/null 2>&1; [ $? -ne 0 ]
ok $? "doliflow_analytics cannot be dropped while doliflow needs it"
q "$DB" "DROP EXTENSION doliflow; DROP EXTENSION doliflow_analytics" >/dev/null 2>&1; ok $? "both drop, in order"

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
q postgres "DROP ROLE IF EXISTS $N" >/dev/null
done_testing
