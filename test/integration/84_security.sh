#!/usr/bin/env bash
# 84_security: the adversarial suite of issue 12 (roles, grants, search_path, temp tables).
#  1. the install script: no reusable temp table (no CREATE TEMP TABLE IF NOT EXISTS, no DROP of a
#     pg_temp table it did not just make, every scratch table ON COMMIT DROP);
#  2. the catalog against the role matrix of doc/operations.md (parsed from the doc): for every
#     routine, relation, sequence and schema of the extension (and the relations made at run
#     time), what PUBLIC (a login with no grant), doliflow_reader, doliflow_batch and
#     doliflow_owner may use; no write privilege but the owner's; a pinned search_path on every
#     routine but the documented exemptions (C, SQL-standard bodies, committing procedures,
#     which set it first and after every COMMIT);
#  3. traps: a login with no grant plants functions and operators in public shadowing every
#     pg_catalog function name the extension's bodies use and the usual operators (plus
#     better-matching overloads such as generate_series(date, date, interval) and
#     =(float8, integer)); each attacker plants, in its own session, temporary views named like
#     every relation of the extension and pg_temp functions; every trap writes current_user,
#     session_user and pg_user_mappings.umoptions into the PUBLIC-writable table public.loot.
#     Then, with search_path = public, pg_temp, pg_catalog: as the reader every analyst entry
#     point and every dw relation, as the batch role every batch entry point, as the login with
#     no grant all of them (each refused), and as a superuser the whole pipeline (issue item 7);
#  4. for every scratch table name of the install script (including the loader's dynamic
#     dwc_/dwv_/dwa_ names built from doliflow.warehouse_sources/targets), a batch session
#     plants a temp table of that name with BEFORE/AFTER statement and row triggers for
#     INSERT/UPDATE/DELETE/TRUNCATE, then calls the entry point that makes it;
#  5. item 1 exactly as reported: doliflow_series with a BEFORE TRUNCATE trigger, then
#     CALL doliflow.run_analytics('forecast', true) as the batch role;
#  after each, public.loot holds no row written as anyone but the planter, and no password;
#  6. item 6: the batch role cannot clean the lake, rewrite the run log or disconnect;
#     item 8: status() and load_warehouse() work for batch, the analyst functions for reader;
#  7. item 5: schedule_sql() / unschedule_sql() piped into psql with hostile arguments run
#     nothing but the cron calls (a fake cron schema records them).
set -u
. "$(dirname "$0")/../lib.sh"

SRC=sec84_src
PG=sec84
R=sec84_reader
B=sec84_batch
N=sec84_nobody
SCRIPT="$DF_ROOT/doliflow--$(sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" "$DF_ROOT/doliflow.control").sql"
[ -f "$SCRIPT" ] || df_build "$(basename "$SCRIPT")" >/dev/null
OUT=$TEST_TMP/84
mkdir -p "$OUT"

# as ROLE SQL...: run SQL as a login (trust authentication on the test server).
as() {
	local who=$1; shift
	psql -X -q -A -t -v ON_ERROR_STOP=1 -U "$who" -d "$PG" "$@"
}
# The loot check: rows written as someone else than the one who planted the trap, or with a
# password.  Prints them (empty when safe).
loot() {	# loot [FILE...]: also the TRAP-LOOT warnings in the session outputs (rows may be rolled back)
	q "$PG" "SELECT planter || ' -> ' || cur || ' (session ' || sess || ') via ' || via
					|| coalesce(' opts ' || regexp_replace(opts, 'password=[^,}]*', 'password=(hidden)', 'g'), '')
			   FROM public.loot WHERE cur <> planter OR opts ILIKE '%password%' ORDER BY at LIMIT 5"
	[ $# -gt 0 ] && cat "$@" 2>/dev/null | grep -m3 'TRAP-LOOT'
}
loot_clear() { q "$PG" "TRUNCATE public.loot" >/dev/null; }

#------------------------------------------------------------------------------
# 1. The install script
#------------------------------------------------------------------------------
is "$(grep -ciE 'CREATE[[:space:]]+TEMP(ORARY)?[[:space:]]+TABLE[[:space:]]+IF[[:space:]]+NOT[[:space:]]+EXISTS' "$SCRIPT")" 0 \
	"install script: no CREATE TEMP TABLE IF NOT EXISTS (a caller's table would be reused)"
is "$(grep -ciE "DROP[[:space:]]+TABLE[[:space:]]+IF[[:space:]]+EXISTS[[:space:]]+pg_temp|to_regclass\('pg_temp\." "$SCRIPT")" 0 \
	"install script: no DROP TABLE IF EXISTS pg_temp.x nor to_regclass('pg_temp...') (it would act on a caller's table)"
# Every CREATE TEMP TABLE statement (up to its AS or the end of its column list) says ON COMMIT DROP.
n_nodrop=$(tr '\n' ' ' <"$SCRIPT" | grep -oiE "CREATE TEMP(ORARY)? TABLE [^;]*" | grep -viE "ON COMMIT DROP" | wc -l)
is "$n_nodrop" 0 "install script: every CREATE TEMP TABLE is ON COMMIT DROP"

#------------------------------------------------------------------------------
# Setup: a generated source, the pipeline once, the logins, the loot table
#------------------------------------------------------------------------------
( unset MYSQL_HOST; df_new_source "$SRC" small 84 ) || { ok 1 "generate the source"; done_testing; }
df_new_pgdb "$PG" && df_connect "$PG" "$SRC"; ok $? "doliflow installed and connected"
psql -X -q -d "$PG" -c "CALL doliflow.run_pipeline()" >"$OUT/pipeline0.out" 2>&1
is "$(q "$PG" "SELECT status FROM doliflow.run_log WHERE kind = 'pipeline' ORDER BY run_id DESC LIMIT 1")" success \
	"the pipeline ran once as the superuser (data to attack)"

psql -X -q -v ON_ERROR_STOP=1 -d postgres >/dev/null <<EOF
DO \$\$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$R') THEN CREATE ROLE $R LOGIN; END IF;
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$B') THEN CREATE ROLE $B LOGIN; END IF;
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$N') THEN CREATE ROLE $N LOGIN; END IF;
END \$\$;
GRANT doliflow_reader TO $R;
GRANT doliflow_batch TO $B;
EOF
ok $? "logins: $R (doliflow_reader), $B (doliflow_batch), $N (no grant)"

q "$PG" "CREATE TABLE public.loot (at timestamptz NOT NULL DEFAULT clock_timestamp(), planter text, cur text,
									sess text, opts text, via text);
		 GRANT SELECT, INSERT ON public.loot TO PUBLIC;
		 -- Lax database (public writable, as before PostgreSQL 15): the attacker may plant there.
		 GRANT CREATE ON SCHEMA public TO PUBLIC;
		 -- Inputs of the analyst calls, so that the calls themselves need no operator or function.
		 CREATE TABLE public.sample_series AS
			SELECT d::date AS day, (10 + extract(isodow FROM d) + (extract(doy FROM d)::int % 5))::float8 AS y
			  FROM generate_series(date '2025-01-01', date '2025-09-30', interval '1 day') d;
		 CREATE TABLE public.sample_points AS
			SELECT ARRAY[(i % 7)::float8, (i % 3)::float8 * 2, (i % 11)::float8 / 3] AS v FROM generate_series(1, 300) i;
		 CREATE TABLE public.sample_jobs AS
			SELECT (ARRAY['install','repair','check'])[1 + i % 3] AS kind, (ARRAY['Lyon','Paris'])[1 + i % 2] AS city,
				   'tech' || (i % 4) AS tech, (ARRAY['low','high'])[1 + i % 2] AS severity,
				   (1 + i % 5)::float8 AS estimate, 1 + i % 12 AS month, (1 + i % 5 + (i % 3) * 0.5)::float8 AS hours
			  FROM generate_series(1, 400) i;
		 GRANT SELECT ON public.sample_series, public.sample_points, public.sample_jobs TO PUBLIC" >/dev/null
ok $? "loot table (PUBLIC-writable), public writable, sample inputs"
PRODUCT=$(q "$PG" "SELECT min(fk_product) FROM doliflow._stock_product")
# Events (past and coming) so that the event code paths run (generate_series over dates).
q "$PG" "INSERT INTO doliflow.events (name, start_date, end_date, scope, expected_effect) VALUES
			('trap past', current_date - 40, current_date - 30, 'all', 1.3),
			('trap coming', current_date + 5, current_date + 9, 'all', 1.2)" >/dev/null
diag "product for what_if_order: $PRODUCT"
# the last two weeks of demand, for simulate_replenishment() (literal dates: the trapped
# sessions resolve operators in public first)
SIM_END=$(q "$PG" "SELECT max(day) FROM dw.fact_sales_daily")
SIM_START=$(q "$PG" "SELECT max(day) - 13 FROM dw.fact_sales_daily")

#------------------------------------------------------------------------------
# 2. The catalog against the documented matrix
#------------------------------------------------------------------------------
# The table between the role-matrix markers: objects (backquoted patterns) | kind | PUBLIC |
# reader | batch | owner | superuser.
awk '/<!-- role-matrix/{on=1; next} /<!-- \/role-matrix/{on=0} on && /^\| `/' "$DF_ROOT/doc/operations.md" |
	awk -F'|' '{ n++; split($2, a, "`"); for (i = 2; i <= length(a); i += 2) {
		gsub(/^ +| +$/, "", $3); gsub(/^ +| +$/, "", $4); gsub(/^ +| +$/, "", $5); gsub(/^ +| +$/, "", $6); gsub(/^ +| +$/, "", $7);
		printf "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", n, a[i], $3, $4, $5, $6, $7 } }' >"$OUT/matrix.tsv"
[ "$(wc -l <"$OUT/matrix.tsv")" -gt 20 ]; ok $? "role matrix parsed from doc/operations.md ($(wc -l <"$OUT/matrix.tsv") patterns)"
q "$PG" "CREATE TABLE public.role_matrix (rowno int, pattern text, kind text, pub text, reader text, batch text, owner text)" >/dev/null
cut -f1-7 "$OUT/matrix.tsv" | psql -X -q -d "$PG" -c "COPY public.role_matrix FROM STDIN"

# Every object: the extension's members plus what lives in its schemas (made at run time).
cat >"$OUT/objects.sql" <<EOF
CREATE TEMP VIEW objs AS
WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'doliflow'),
sch AS (SELECT n.oid, n.nspname FROM pg_namespace n WHERE n.nspname IN ('doliflow', 'doliflow_analytics', 'dw', 'lake', 'dolibarr'))
SELECT 'routine' AS kind, n.nspname || '.' || p.proname AS name, p.oid::regprocedure::text AS ident, p.oid AS oid
  FROM pg_proc p JOIN sch n ON n.oid = p.pronamespace
UNION ALL
SELECT CASE WHEN c.relkind = 'S' THEN 'sequence' ELSE 'relation' END, n.nspname || '.' || c.relname, c.oid::regclass::text, c.oid
  FROM pg_class c JOIN sch n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
UNION ALL
SELECT 'schema', n.nspname, quote_ident(n.nspname), n.oid FROM sch n;
-- First matching row of the matrix.
CREATE TEMP VIEW expected AS
SELECT o.*, m.rowno, m.pub, m.reader, m.batch, m.owner
  FROM objs o LEFT JOIN LATERAL (
	SELECT * FROM public.role_matrix m
	 WHERE m.kind = o.kind AND o.name LIKE replace(replace(m.pattern, '_', '\_'), '*', '%')
	 ORDER BY m.rowno LIMIT 1) m ON true;
CREATE TEMP VIEW actual AS
SELECT e.*, r.role, CASE r.role WHEN '$N' THEN e.pub WHEN 'doliflow_reader' THEN e.reader
								WHEN 'doliflow_batch' THEN e.batch ELSE e.owner END AS want,
	   CASE e.kind
		WHEN 'routine' THEN has_function_privilege(r.role, e.oid, 'EXECUTE')
		WHEN 'relation' THEN has_table_privilege(r.role, e.oid, 'SELECT')
		WHEN 'sequence' THEN has_sequence_privilege(r.role, e.oid, 'USAGE')
		WHEN 'schema' THEN has_schema_privilege(r.role, e.oid, 'USAGE') END AS got,
	   CASE e.kind
		WHEN 'relation' THEN has_table_privilege(r.role, e.oid, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
		WHEN 'sequence' THEN has_sequence_privilege(r.role, e.oid, 'UPDATE')
		WHEN 'schema' THEN has_schema_privilege(r.role, e.oid, 'CREATE')
		ELSE false END AS writes
  FROM expected e CROSS JOIN (VALUES ('$N'), ('doliflow_reader'), ('doliflow_batch'), ('doliflow_owner')) r(role);
EOF
catalog_diff() {
	psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$PG" -f "$OUT/objects.sql" -c "
		SELECT kind || ' ' || ident || ': ' || role || CASE WHEN rowno IS NULL THEN ' (no row of the matrix matches)'
				ELSE ' may' || CASE WHEN got THEN '' ELSE ' not' END || ' use it, the matrix (row ' || rowno || ') says ' || want END
		  FROM actual WHERE rowno IS NULL OR got <> (want = 'yes')
		UNION ALL
		SELECT kind || ' ' || ident || ': ' || role || ' has a write privilege'
		  FROM actual WHERE writes AND role <> 'doliflow_owner'
		 ORDER BY 1"
}
diff_out=$(catalog_diff 2>&1)
is "$diff_out" "" "catalog = documented role matrix, for every routine, relation, sequence and schema and each of PUBLIC, reader, batch, owner"
is "$(q "$PG" "SELECT count(*) > 90 FROM (SELECT 1 FROM pg_proc WHERE pronamespace = 'doliflow'::regnamespace) x")" t \
	"(the check saw the extension's routines)"
is "$(q "$PG" "SELECT count(*) > 40 FROM (SELECT 1 FROM pg_proc WHERE pronamespace = 'doliflow_analytics'::regnamespace) x")" t \
	"(the check saw doliflow_analytics's routines)"

# search_path: pinned on every routine, but C, SQL-standard bodies and committing procedures,
# which must set it as their first statement and after every COMMIT.
is "$(q "$PG" "SELECT string_agg(p.oid::regprocedure::text, ', ') FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
		WHERE p.pronamespace IN ('doliflow'::regnamespace, 'doliflow_analytics'::regnamespace) AND l.lanname NOT IN ('c', 'internal')
		  AND p.prosqlbody IS NULL AND p.prokind <> 'p'
		  AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false)")" "" \
	"every function but C and SQL-standard bodies has SET search_path = pg_catalog, pg_temp"
is "$(q "$PG" "SELECT string_agg(p.oid::regprocedure::text, ', ') FROM pg_proc p
		WHERE p.pronamespace = 'doliflow'::regnamespace AND p.prokind = 'p' AND p.proconfig IS NULL
		  AND (coalesce(substring(p.prosrc FROM '(?i)\\mBEGIN\\M.{0,250}'), '')
				 !~ '(?i)^BEGIN(\\s|--[^\\n]*\\n)*PERFORM pg_catalog\\.set_config\\(''search_path'', ''pg_catalog, pg_temp'', true\\);'
			   OR (SELECT count(*) FROM regexp_matches(p.prosrc, '(?i)(\\mCOMMIT\\s*;|\\mCALL\\s+doliflow\\.[^;]*;)(\\s|--[^\\n]*\\n|SET TRANSACTION[^;]*;)*PERFORM pg_catalog\\.set_config\\(''search_path'', ''pg_catalog, pg_temp'', true\\)', 'g'))
				  <> (SELECT count(*) FROM regexp_matches(p.prosrc, '(?i)(\\mCOMMIT\\s*;|\\mCALL\\s+doliflow\\.[^;]*;)', 'g')))")" "" \
	"every procedure without a SET clause sets search_path first and right after every COMMIT and CALL"

#------------------------------------------------------------------------------
# 3. Traps
#------------------------------------------------------------------------------
# Public shadows, planted by the login with no grant: every pg_catalog function whose name the
# extension's bodies use (same signature: wins when public comes first), better-matching
# overloads (win even after pg_catalog), and the usual operators on the usual types.
cat >"$OUT/plant_public.sql" <<'EOF'
CREATE TABLE public.trap_objects (sig text);
CREATE FUNCTION public.trap_log(p_via text) RETURNS void LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp AS $f$
DECLARE
	v_planter text := (SELECT pg_catalog.pg_get_userbyid(p.proowner) FROM pg_catalog.pg_proc p
						WHERE p.oid = 'public.trap_log(text)'::pg_catalog.regprocedure);
BEGIN
	INSERT INTO public.loot (planter, cur, sess, opts, via)
	VALUES (v_planter, current_user, session_user,
			(SELECT string_agg(coalesce(u.umoptions::text, ''), ';') FROM pg_catalog.pg_user_mappings u), p_via);
	-- A message reaches the client even when the victim's transaction is rolled back.
	IF current_user <> v_planter THEN
		RAISE WARNING 'TRAP-LOOT planter=% cur=% via=%', v_planter, current_user, p_via;
	END IF;
END $f$;
DO $d$
DECLARE
	f record;
	n_fn int := 0;
	n_op int := 0;
	v_args text;
	v_call text;
BEGIN
	-- Names followed by "(" in the bodies of the extension's routines.
	FOR f IN
		WITH words AS (
			SELECT DISTINCT lower(m[1]) AS w
			  FROM pg_proc p, regexp_matches(p.prosrc, '([A-Za-z_][A-Za-z0-9_]*)\s*\(', 'g') m
			 WHERE p.pronamespace IN ('doliflow'::regnamespace, 'doliflow_analytics'::regnamespace)
			   AND p.prolang IN (SELECT oid FROM pg_language WHERE lanname IN ('sql', 'plpgsql')))
		SELECT p.oid, p.proname, p.pronargs, p.proretset, p.prorettype::regtype::text AS ret,
			   array_to_string(ARRAY(SELECT format_type(t, NULL) FROM unnest(p.proargtypes) t), ', ') AS args
		  FROM pg_proc p JOIN words ON words.w = p.proname
		 WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.prokind = 'f' AND p.pronargs <= 4
		   AND p.provariadic = 0 AND p.proallargtypes IS NULL
		   AND NOT EXISTS (SELECT FROM pg_type t WHERE t.oid = ANY (p.proargtypes::oid[] || p.prorettype)
							 AND (t.typtype IN ('p', 'c') OR t.typname = 'trigger'))
		   AND p.proname NOT IN ('trap_log')
	LOOP
		v_args := (SELECT string_agg('$' || i, ', ') FROM generate_series(1, f.pronargs) i);
		v_call := format('pg_catalog.%I(%s)', f.proname, coalesce(v_args, ''));
		BEGIN
			EXECUTE format('CREATE FUNCTION public.%I(%s) RETURNS %s%s LANGUAGE plpgsql VOLATILE '
						   'SET search_path = pg_catalog, pg_temp AS %L',
						   f.proname, f.args, CASE WHEN f.proretset THEN 'SETOF ' ELSE '' END, f.ret,
						   format('BEGIN PERFORM public.trap_log(%L); %s; END',
								  'public.' || f.proname || '(' || f.args || ')',
								  CASE WHEN f.proretset THEN 'RETURN QUERY SELECT * FROM ' || v_call
									   ELSE 'RETURN ' || v_call END));
			INSERT INTO public.trap_objects VALUES (format('FUNCTION public.%I(%s)', f.proname, f.args));
			n_fn := n_fn + 1;
		EXCEPTION WHEN OTHERS THEN NULL;	-- e.g. two catalog signatures differing only by typmod
		END;
	END LOOP;
	-- Usual operators on usual types (same signature as pg_catalog's).
	FOR f IN
		SELECT o.oid, o.oprname, format_type(o.oprleft, NULL) AS l, format_type(o.oprright, NULL) AS r,
			   format_type(o.oprresult, NULL) AS res
		  FROM pg_operator o
		 WHERE o.oprnamespace = 'pg_catalog'::regnamespace AND o.oprkind = 'b'
		   AND o.oprname IN ('=', '<>', '<', '>', '<=', '>=', '+', '-', '*', '/', '%', '^', '||', '->', '->>', '~', '~~', '@>', '<@', '&&', '?')
		   AND o.oprleft IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype, 'numeric'::regtype, 'float8'::regtype,
							 'text'::regtype, 'bool'::regtype, 'date'::regtype, 'timestamp'::regtype, 'timestamptz'::regtype,
							 'interval'::regtype, 'jsonb'::regtype, 'name'::regtype, 'oid'::regtype, 'float4'::regtype,
							 'anyarray'::regtype, 'anycompatiblearray'::regtype, 'bpchar'::regtype, 'time'::regtype)
		   AND o.oprright IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype, 'numeric'::regtype, 'float8'::regtype,
							  'text'::regtype, 'bool'::regtype, 'date'::regtype, 'timestamp'::regtype, 'timestamptz'::regtype,
							  'interval'::regtype, 'jsonb'::regtype, 'name'::regtype, 'oid'::regtype, 'float4'::regtype,
							  'bpchar'::regtype, 'time'::regtype, 'text[]'::regtype)
		   AND NOT EXISTS (SELECT FROM pg_type t WHERE t.oid IN (o.oprleft, o.oprright, o.oprresult) AND t.typtype = 'p')
	LOOP
		BEGIN
			EXECUTE format('CREATE FUNCTION public.trap_op_%s(%s, %s) RETURNS %s LANGUAGE plpgsql VOLATILE '
						   'SET search_path = pg_catalog, pg_temp AS %L', f.oid, f.l, f.r, f.res,
						   format('BEGIN PERFORM public.trap_log(%L); RETURN $1 OPERATOR(pg_catalog.%s) $2; END',
								  'public.' || f.oprname || '(' || f.l || ', ' || f.r || ')', f.oprname));
			EXECUTE format('CREATE OPERATOR public.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = public.trap_op_%s)',
						   f.oprname, f.l, f.r, f.oid);
			INSERT INTO public.trap_objects VALUES (format('FUNCTION public.trap_op_%s(%s, %s)', f.oid, f.l, f.r));
			n_op := n_op + 1;
		EXCEPTION WHEN OTHERS THEN NULL;
		END;
	END LOOP;
	RAISE NOTICE 'planted: % functions, % operators', n_fn, n_op;
END $d$;
-- Better matches than pg_catalog's (exact argument types where pg_catalog needs a cast).
CREATE FUNCTION public.generate_series(date, date, interval) RETURNS SETOF timestamp LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $f$ BEGIN PERFORM public.trap_log('public.generate_series(date, date, interval)');
RETURN QUERY SELECT pg_catalog.generate_series($1::timestamp, $2::timestamp, $3); END $f$;
CREATE FUNCTION public.trap_eq_f8_i4(float8, integer) RETURNS boolean LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $f$ BEGIN PERFORM public.trap_log('public.=(float8, integer)');
RETURN $1 OPERATOR(pg_catalog.=) $2::float8; END $f$;
CREATE OPERATOR public.= (LEFTARG = float8, RIGHTARG = integer, FUNCTION = public.trap_eq_f8_i4);
CREATE FUNCTION public.trap_gt_f8_i4(float8, integer) RETURNS boolean LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $f$ BEGIN PERFORM public.trap_log('public.>(float8, integer)');
RETURN $1 OPERATOR(pg_catalog.>) $2::float8; END $f$;
CREATE OPERATOR public.> (LEFTARG = float8, RIGHTARG = integer, FUNCTION = public.trap_gt_f8_i4);
CREATE FUNCTION public.round(float8, integer) RETURNS numeric LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $f$ BEGIN PERFORM public.trap_log('public.round(float8, integer)');
RETURN pg_catalog.round($1::numeric, $2); END $f$;
CREATE FUNCTION public.to_char(date, text) RETURNS text LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $f$ BEGIN PERFORM public.trap_log('public.to_char(date, text)');
RETURN pg_catalog.to_char($1::timestamp, $2); END $f$;
CREATE FUNCTION public.date_trunc(text, date) RETURNS timestamp LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $f$ BEGIN PERFORM public.trap_log('public.date_trunc(text, date)');
RETURN pg_catalog.date_trunc($1, $2::timestamp); END $f$;
CREATE FUNCTION public.format(text, text) RETURNS text LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $f$ BEGIN PERFORM public.trap_log('public.format(text, text)');
RETURN pg_catalog.format($1, $2); END $f$;
CREATE FUNCTION public.format(text, integer) RETURNS text LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $f$ BEGIN PERFORM public.trap_log('public.format(text, integer)');
RETURN pg_catalog.format($1, $2); END $f$;
CREATE FUNCTION public.jsonb_build_object(text, bigint) RETURNS jsonb LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $f$ BEGIN PERFORM public.trap_log('public.jsonb_build_object(text, bigint)');
RETURN pg_catalog.jsonb_build_object($1, $2); END $f$;
CREATE FUNCTION public.lower(varchar) RETURNS text LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $f$ BEGIN PERFORM public.trap_log('public.lower(varchar)');
RETURN pg_catalog.lower($1::text); END $f$;
INSERT INTO public.trap_objects VALUES ('FUNCTION public.generate_series(date, date, interval)'),
	('FUNCTION public.trap_eq_f8_i4(float8, integer)'), ('FUNCTION public.trap_gt_f8_i4(float8, integer)'),
	('FUNCTION public.round(float8, integer)'), ('FUNCTION public.to_char(date, text)'),
	('FUNCTION public.date_trunc(text, date)'), ('FUNCTION public.format(text, text)'),
	('FUNCTION public.format(text, integer)'), ('FUNCTION public.jsonb_build_object(text, bigint)'),
	('FUNCTION public.lower(varchar)'), ('FUNCTION public.trap_log(text)');
EOF
planted=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -U "$N" -d "$PG" -f "$OUT/plant_public.sql" 2>&1)
ok $? "the login with no grant planted its public traps"
: "$planted"
n_pub=$(q "$PG" "SELECT count(*) FROM public.trap_objects")
[ "$n_pub" -gt 300 ]; ok $? "public shadows: $n_pub functions and operators"
# (the shadows must work: a query with public first gets the right answers through them)
is "$(psql -X -q -A -t -d "$PG" -c "SET search_path = public, pg_catalog" -c "SELECT lower('AbC') || (2 + 3)::text")" "abc5" \
	"the shadows return the right results (an attack that breaks nothing)"
q "$PG" "DELETE FROM public.loot" >/dev/null

# The session traps each attacker plants (psql variable planter): temporary views named like
# every relation of the extension's schemas (any unqualified relation name in owner-rights
# code would read one and run pg_temp code), pg_temp functions shadowing common names, the
# trigger function of the temp-table traps, and pg_temp.plant(name, columns) making a temp
# table with BEFORE/AFTER statement and row triggers for INSERT/UPDATE/DELETE/TRUNCATE.
cat >"$OUT/plant_session.sql" <<'EOF'
CREATE FUNCTION pg_temp.grab_row() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $f$
BEGIN
	IF current_user <> session_user THEN
		RAISE WARNING 'TRAP-LOOT planter=% cur=% via=trigger on pg_temp.%', session_user, current_user, TG_TABLE_NAME;
	END IF;
	INSERT INTO public.loot (planter, cur, sess, opts, via)
	VALUES ((SELECT pg_catalog.pg_get_userbyid(p.proowner) FROM pg_catalog.pg_proc p WHERE p.oid = 'pg_temp.grab_row()'::pg_catalog.regprocedure),
			current_user, session_user,
			(SELECT string_agg(coalesce(u.umoptions::text, ''), ';') FROM pg_catalog.pg_user_mappings u),
			'trigger ' || TG_WHEN || ' ' || TG_OP || ' ' || TG_LEVEL || ' on pg_temp.' || TG_TABLE_NAME);
	RETURN CASE WHEN TG_LEVEL = 'ROW' AND TG_OP = 'DELETE' THEN OLD WHEN TG_LEVEL = 'ROW' THEN NEW END;
END $f$;
CREATE FUNCTION pg_temp.grab(p_via text) RETURNS integer LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $f$
BEGIN
	IF current_user <> session_user THEN
		RAISE WARNING 'TRAP-LOOT planter=% cur=% via=%', session_user, current_user, p_via;
	END IF;
	INSERT INTO public.loot (planter, cur, sess, opts, via)
	VALUES ((SELECT pg_catalog.pg_get_userbyid(p.proowner) FROM pg_catalog.pg_proc p WHERE p.oid = 'pg_temp.grab(text)'::pg_catalog.regprocedure),
			current_user, session_user,
			(SELECT string_agg(coalesce(u.umoptions::text, ''), ';') FROM pg_catalog.pg_user_mappings u), p_via);
	RETURN 1;
END $f$;
CREATE FUNCTION pg_temp.plant(p_name text, p_cols text) RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $f$
DECLARE
	w text; e text;
BEGIN
	EXECUTE format('CREATE TEMP TABLE %I (%s)', p_name, p_cols);
	EXECUTE format('GRANT ALL ON pg_temp.%I TO PUBLIC', p_name);	-- so that the owner may write it
	FOREACH w IN ARRAY ARRAY['BEFORE', 'AFTER'] LOOP
		EXECUTE format('CREATE TRIGGER trap_%s_stmt %s INSERT OR UPDATE OR DELETE OR TRUNCATE ON pg_temp.%I '
					   'FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.grab_row()', lower(w), w, p_name);
		EXECUTE format('CREATE TRIGGER trap_%s_row %s INSERT OR UPDATE OR DELETE ON pg_temp.%I '
					   'FOR EACH ROW EXECUTE FUNCTION pg_temp.grab_row()', lower(w), w, p_name);
	END LOOP;
END $f$;
DO $d$
DECLARE
	r record;
	n int := 0;
BEGIN
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);	-- (the public traps)
	FOR r IN
		SELECT c.relname, string_agg(format('NULL::%s AS %I', format_type(a.atttypid, a.atttypmod), a.attname), ', '
									 ORDER BY a.attnum) AS cols
		  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
		 WHERE c.relnamespace IN (SELECT oid FROM pg_namespace WHERE nspname IN ('doliflow', 'dw', 'lake', 'dolibarr'))
		   AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
		 GROUP BY c.relname
	LOOP
		BEGIN
			EXECUTE format('CREATE TEMP VIEW %I AS SELECT %s FROM pg_temp.grab(%L) g', r.relname, r.cols,
						   'temp view pg_temp.' || r.relname);
			EXECUTE format('GRANT ALL ON pg_temp.%I TO PUBLIC', r.relname);
			n := n + 1;
		EXCEPTION WHEN OTHERS THEN NULL;
		END;
	END LOOP;
	RAISE NOTICE 'temp views: %', n;
END $d$;
CREATE FUNCTION pg_temp.now() RETURNS timestamptz LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $f$ BEGIN PERFORM pg_temp.grab('pg_temp.now()'); RETURN pg_catalog.now(); END $f$;
CREATE FUNCTION pg_temp.lower(text) RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $f$ BEGIN PERFORM pg_temp.grab('pg_temp.lower(text)'); RETURN pg_catalog.lower($1); END $f$;
CREATE FUNCTION pg_temp.format(text, text) RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $f$ BEGIN PERFORM pg_temp.grab('pg_temp.format(text, text)'); RETURN pg_catalog.format($1, $2); END $f$;
CREATE FUNCTION pg_temp.generate_series(date, date, interval) RETURNS SETOF timestamp LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $f$
BEGIN PERFORM pg_temp.grab('pg_temp.generate_series(date, date, interval)'); RETURN QUERY SELECT pg_catalog.generate_series($1::timestamp, $2::timestamp, $3); END $f$;
CREATE FUNCTION pg_temp.setting(text) RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $f$ BEGIN PERFORM pg_temp.grab('pg_temp.setting(text)'); RETURN NULL; END $f$;
SET search_path = public, pg_temp, pg_catalog;
EOF

# Entry points (no operator or function in the calls themselves: only the routine called).
cat >"$OUT/reader_calls.sql" <<EOF
SELECT doliflow.build_info();
SELECT doliflow.normal_quantile(0.95);
SELECT doliflow.easter_sunday(2025);
SELECT * FROM doliflow.french_holidays(2025);
SELECT doliflow.mysql_date('2025-01-02'), doliflow.mysql_timestamp('2025-01-02 03:04:05'), doliflow.mysql_timestamptz('2025-01-02 03:04:05');
SELECT doliflow.stock_level(10, 5, 1, 3), doliflow.suggested_quantity(10, 2, 10, 1), doliflow.rotation_rate(30, 10);
SELECT doliflow.safety_stock(2, 5, 0.95), doliflow.safety_stock_z(2, 5, 1.645), doliflow._check_finite(1, 'x', 0);
SELECT doliflow.safety_stock_empirical('{1, 2, 3}', 0.5, 2, 9);
SELECT doliflow_analytics.robust_z(s, 12), doliflow_analytics._robust_z(1, 2, 3) FROM (SELECT doliflow_analytics.robust_stats(y) AS s FROM public.sample_series) x;
SELECT doliflow_analytics.forecast_summary(m), doliflow_analytics.forecast_describe(m), doliflow_analytics.forecast_model_is_valid(m::bytea), doliflow_analytics.forecast_model_from_bytea(m::bytea)::text, doliflow_analytics.forecast_summary(doliflow_analytics.forecast_model_in(doliflow_analytics.forecast_model_out(m))) FROM (SELECT doliflow_analytics.forecast_fit(day, y) AS m FROM public.sample_series) x;
SELECT f.* FROM (SELECT doliflow_analytics.forecast_fit(day, y, '{"method": "ets"}') AS m FROM public.sample_series) x, doliflow_analytics.forecast(m, 14, 0.8) f;
SELECT f.* FROM (SELECT doliflow_analytics.forecast_fit(day, y) AS m FROM public.sample_series) x, doliflow_analytics.forecast_fitted(m) f;
SELECT doliflow_analytics.forecast_summary(doliflow_analytics.forecast_array(ARRAY[1,2,3,4,5,6,7,1,2,3,4,5,6,7,1,2,3,4,5,6,7]::float8[], '2025-01-01', '{"freq": "day"}'));
SELECT doliflow_analytics.iforest_summary(m), doliflow_analytics.iforest_score(m, ARRAY[1,2,3]::float8[]), doliflow_analytics.iforest_explain(m, ARRAY[1,2,3]::float8[], ARRAY['a','b','c']) FROM (SELECT doliflow_analytics.iforest_fit(v) AS m FROM public.sample_points) x;
SELECT doliflow_analytics.iforest_fit(v, '{"trees": 10}') IS NULL FROM public.sample_points;
SELECT doliflow_analytics.iforest_model_from_bytea(m::bytea)::text, doliflow_analytics.iforest_model_in(doliflow_analytics.iforest_model_out(m))::bytea = m::bytea FROM (SELECT doliflow_analytics.iforest_fit(v) AS m FROM public.sample_points) x;
SELECT doliflow_analytics.kmeans_model_from_bytea(m::bytea)::text, doliflow_analytics.kmeans_model_in(doliflow_analytics.kmeans_model_out(m))::bytea = m::bytea FROM (SELECT doliflow_analytics.kmeans_fit(v, 3) AS m FROM public.sample_points) x;
SELECT doliflow_analytics.duration_model_from_bytea(m::bytea)::text, doliflow_analytics.duration_model_in(doliflow_analytics.duration_model_out(m))::bytea = m::bytea FROM (SELECT doliflow_analytics.duration_fit(kind, city, tech, severity, estimate, month, hours) AS m FROM public.sample_jobs) x;
SELECT doliflow_analytics.kmeans_summary(m), doliflow_analytics.kmeans_assign(m, ARRAY[1,2,3]::float8[]) FROM (SELECT doliflow_analytics.kmeans_fit(v, 3) AS m FROM public.sample_points) x;
SELECT doliflow_analytics.kmeans_fit(v, 3, 42) IS NULL, doliflow_analytics.kmeans_fit(v, 3, 42, 'zscore') IS NULL FROM public.sample_points;
SELECT doliflow_analytics.duration_summary(m), doliflow_analytics.duration_predict(m, '{"intervention_type": "repair", "city": "Lyon"}', 0.8), doliflow_analytics._duration_predict(m, 'repair', 'Lyon', 'tech1', 'low', 2, 3, 0.8) FROM (SELECT doliflow_analytics.duration_fit(kind, city, tech, severity, estimate, month, hours) AS m FROM public.sample_jobs) x;
SELECT doliflow_analytics.duration_fit(kind, city, tech, estimate, month, hours) IS NULL FROM public.sample_jobs;
SELECT * FROM doliflow.customer_rfm();
SELECT doliflow.predict_intervention_duration('{"intervention_type": "repair", "city": "Lyon"}');
SELECT * FROM doliflow.what_if_order($PRODUCT, '2030-01-01', 10);
SELECT count(*) FROM doliflow.simulate_replenishment('$SIM_START', '$SIM_END', 'all', 0.9, ARRAY[$PRODUCT]);
SELECT doliflow.company_today(), doliflow.company_now();
SELECT * FROM doliflow._ticket_anomaly_months();
SELECT doliflow.report_html('all', 'fr') IS NOT NULL;
SELECT doliflow.order_quantity(37, 50, 12), doliflow.order_rounding(37, 50, 12, 'en'), doliflow.supplier_reason('delay', 5, 3, 'B', 10, 2.5, 2, 'fr');
SELECT doliflow.order_proposals_csv() IS NOT NULL;
EOF
# Every dw relation, as the reader reads them (views call doliflow functions as the reader).
q "$PG" "SELECT format('SELECT * FROM %s;', c.oid::regclass) FROM pg_class c
		  WHERE c.relnamespace = 'dw'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p') ORDER BY 1" >>"$OUT/reader_calls.sql"

cat >"$OUT/batch_calls.sql" <<'EOF'
SELECT doliflow.setting('cache_hours');
SELECT doliflow.current_run_id();
SELECT * FROM doliflow.status();
SELECT * FROM doliflow.scheduled_jobs();
SELECT * FROM doliflow.quality_report(30);
SELECT * FROM doliflow.test_connection();
CALL doliflow.extract();
CALL doliflow.load_warehouse();
CALL doliflow.load_warehouse(true);
CALL doliflow.run_analytics('all', true);
CALL doliflow.run_pipeline();
EOF

# The analyst functions the reader may call and the batch routines: every one the matrix grants
# must be called above (a routine added to the matrix without a call here fails).
uncalled=$(psql -X -q -A -t -d "$PG" -f "$OUT/objects.sql" -c "
	SELECT string_agg(DISTINCT name, ' ') FROM expected
	 WHERE kind = 'routine' AND (reader = 'yes' OR batch = 'yes') AND rowno <> (SELECT min(rowno) + 1 FROM public.role_matrix WHERE kind = 'routine')
	   AND name NOT LIKE 'doliflow_analytics.%\_model\_%'
	   AND name NOT LIKE 'doliflow\_analytics.\_%' AND name NOT IN ('doliflow_analytics._robust_z', 'doliflow_analytics._duration_predict')
	   AND position(name || '(' IN pg_read_file('$OUT/reader_calls.sql') || pg_read_file('$OUT/batch_calls.sql')) = 0" 2>&1)
is "$uncalled" "" "every routine of the reader and batch APIs is called by this suite"

run_as() {	# run_as LOGIN FILE LABEL: plant the session traps, then run FILE with public first
	local who=$1 file=$2 label=$3 rc
	{ cat "$OUT/plant_session.sql"; echo "\\set ON_ERROR_STOP 1"; cat "$file"; } |
		psql -X -q -A -t -U "$who" -d "$PG" -v ON_ERROR_STOP=1 >"$OUT/$label.out" 2>&1
	rc=$?
	ok $rc "$label: every call succeeds with the traps planted$( [ $rc -ne 0 ] && printf ' (%s)' "$(grep -m1 ERROR "$OUT/$label.out")")"
	is "$(loot "$OUT/$label.out")" "" "$label: no trap ran as anyone but its planter, no password read"
	loot_clear
}
loot_clear
run_as "$R" "$OUT/reader_calls.sql" "reader (analyst API and every dw relation)"
run_as "$B" "$OUT/reader_calls.sql" "batch (analyst API)"
run_as "$B" "$OUT/batch_calls.sql" "batch (pipeline, status, extract, load, analytics)"
is "$(q "$PG" "SELECT status FROM doliflow.run_log WHERE kind = 'pipeline' ORDER BY run_id DESC LIMIT 1")" success \
	"the batch role's trapped pipeline run succeeded"
is "$(q "$PG" "SELECT string_agg(DISTINCT kind || '=' || status, ' ' ORDER BY kind || '=' || status) FROM doliflow.run_log
				WHERE triggered_by = '$B' AND kind IN ('load_warehouse', 'extract', 'analytics')")" \
	"analytics=success extract=success load_warehouse=success" "item 8: extract, load_warehouse, run_analytics work for the batch role"

# The login with no grant: every doliflow entry point refused (42501), every call of only
# doliflow_analytics (PUBLIC's) succeeds, with the traps planted; no trap fired elsewhere.
n_calls=0 n_refused=0 n_pub=0 n_pub_ok=0
while IFS= read -r call; do
	[ -n "$call" ] || continue
	{ cat "$OUT/plant_session.sql"; echo "$call"; } | psql -X -q -A -t -U "$N" -d "$PG" -v VERBOSITY=verbose >"$OUT/nobody.out" 2>&1
	cat "$OUT/nobody.out" >>"$OUT/nobody_all.out"
	err=$(grep -m1 ERROR "$OUT/nobody.out")
	if [[ $call == *doliflow_analytics.* && $call != *doliflow.* ]]; then
		n_pub=$((n_pub + 1))
		if [ -z "$err" ]; then n_pub_ok=$((n_pub_ok + 1)); else diag "no grant, doliflow_analytics refused: $call -> $err"; fi
		continue
	fi
	n_calls=$((n_calls + 1))
	case $err in *42501*) n_refused=$((n_refused + 1)) ;; *) diag "no grant, not refused: $call -> ${err:-success}" ;; esac
done < <(cat "$OUT/reader_calls.sql" "$OUT/batch_calls.sql" | grep -v "^SELECT \* FROM dw\." )
is "$n_refused" "$n_calls" "no grant: all $n_calls doliflow entry points refused with insufficient_privilege"
[ "$n_pub" -gt 5 ] && [ "$n_pub_ok" -eq "$n_pub" ]; ok $? "no grant: all $n_pub calls of doliflow_analytics succeed ($n_pub_ok)"
is "$(loot "$OUT/nobody_all.out")" "" "no grant: no trap ran as anyone else"
loot_clear

#------------------------------------------------------------------------------
# 4. Every scratch table name, one trapped batch session each
#------------------------------------------------------------------------------
# Static names with the routine making them, and the loader's dynamic prefixes.
awk 'match($0, /CREATE (FUNCTION|PROCEDURE) doliflow\."?[a-z_0-9]+/) { fn = substr($0, RSTART, RLENGTH); sub(/.* doliflow\."?/, "", fn) }
	 match($0, /CREATE TEMP(ORARY)? TABLE (IF NOT EXISTS )?[a-z_][a-z_0-9]*/) { t = substr($0, RSTART, RLENGTH); sub(/.* /, "", t); print t "\t" fn }' \
	"$SCRIPT" | sort -u >"$OUT/scratch_static.tsv"
grep -oE "'[a-z]+_' \|\| r\.(source_table|target)" "$SCRIPT" | sort -u | sed "s/'\([a-z]*_\)' || r\./\1 /" >"$OUT/scratch_prefixes.txt"
grep -q "doliflow_series" "$OUT/scratch_static.tsv" && [ "$(wc -l <"$OUT/scratch_prefixes.txt")" -ge 3 ]
ok $? "scratch tables found in the install script: $(cut -f1 "$OUT/scratch_static.tsv" | tr '\n' ' ')+ prefixes $(cut -d' ' -f1 "$OUT/scratch_prefixes.txt" | tr '\n' ' ')"
{
	cat "$OUT/scratch_static.tsv"
	while read -r prefix col; do
		case $col in
			source_table) q "$PG" "SELECT '$prefix' || source_table || E'\t_load_warehouse_tx' FROM doliflow.warehouse_sources" ;;
			target) q "$PG" "SELECT '$prefix' || target || E'\t_load_warehouse_tx' FROM doliflow.warehouse_targets" ;;
			*) printf '%s?\tunknown\n' "$prefix" ;;
		esac
	done <"$OUT/scratch_prefixes.txt"
} >"$OUT/scratch.tsv"
n_scratch=0 n_unknown=0
while IFS=$'\t' read -r name fn; do
	case $fn in
		generate_predictions) call="CALL doliflow.run_analytics('forecast', true);" ;;
		_analytics_*) call="CALL doliflow.run_analytics('${fn#_analytics_}', true);" ;;
		_load_warehouse_tx|_load_dim_date) call="CALL doliflow.load_warehouse();" ;;
		_extract_table|_reconcile_gone) call="CALL doliflow.extract();" ;;
		connect|_connect) diag "scratch table $name: made by connect(), which only a superuser may call"; continue ;;
		*) n_unknown=$((n_unknown + 1)); diag "scratch table $name made in $fn: no entry point known"; continue ;;
	esac
	# The real column list when the script gives one, else a generic one.
	cols=$(tr '\n' ' ' <"$SCRIPT" | grep -oE "CREATE TEMP TABLE $name \([^;]*\) ON COMMIT" | head -1 |
		sed -E "s/^CREATE TEMP TABLE $name \((.*)\) ON COMMIT$/\1/")
	[ -n "$cols" ] || cols="k bigint, c2 text, c3 text, c4 text, c5 text, c6 text, c7 text, c8 text"
	n_scratch=$((n_scratch + 1))
	{ cat "$OUT/plant_session.sql"; printf "SELECT pg_temp.plant(%s, %s);\n%s\n" "'$name'" "'$cols'" "$call"; } |
		psql -X -q -A -t -U "$B" -d "$PG" >"$OUT/scratch1.out" 2>&1
	cat "$OUT/scratch1.out" >>"$OUT/scratch.out"
	l=$(loot "$OUT/scratch1.out")
	[ -z "$l" ] || { ok 1 "scratch table $name ($call): $l"; loot_clear; }
done <"$OUT/scratch.tsv"
is "$n_unknown" 0 "every scratch table of the install script has a known entry point"
[ "$n_scratch" -gt 40 ]; ok $? "$n_scratch trapped batch sessions, one per scratch table name"
is "$(loot)" "" "no scratch-table trap ran as anyone but the batch login"
loot_clear

#------------------------------------------------------------------------------
# 5. Item 1 exactly as reported
#------------------------------------------------------------------------------
psql -X -q -A -t -U "$B" -d "$PG" >"$OUT/item1.out" 2>&1 <<'EOF'
CREATE TEMP TABLE grabbed (who text, opts text);
GRANT ALL ON grabbed TO PUBLIC;
CREATE FUNCTION pg_temp.grab() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
	INSERT INTO pg_temp.grabbed SELECT current_user, (SELECT string_agg(umoptions::text, ';') FROM pg_user_mappings);
	IF current_user <> session_user THEN	-- (seen even if the step is rolled back)
		RAISE WARNING 'TRAP-LOOT planter=% cur=% via=doliflow_series', session_user, current_user;
	END IF;
	RETURN NULL;
END $f$;
CREATE TEMP TABLE doliflow_series (fk_product int, day date, y float8);
GRANT ALL ON doliflow_series TO PUBLIC;
CREATE TRIGGER t BEFORE TRUNCATE ON doliflow_series FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.grab();
CALL doliflow.run_analytics('forecast', true);
SELECT 'grabbed:' || coalesce(string_agg(who || ' ' || coalesce(opts, '-'), ', '), 'nothing') FROM pg_temp.grabbed;
EOF
is "$(sed -n 's/^grabbed://p' "$OUT/item1.out")$(loot "$OUT/item1.out")" "nothing" \
	"item 1: a doliflow_series temp table with a BEFORE TRUNCATE trigger made by the batch role is never used by run_analytics('forecast')"
grep -q 'failed: relation "doliflow_series" already exists' "$OUT/item1.out"; ok $? "item 1: the forecast step refuses the caller's table (relation already exists)"

#------------------------------------------------------------------------------
# 6. Item 6: what the batch role must not do; the guards of the helpers it may call
#------------------------------------------------------------------------------
last_run=$(q "$PG" "SELECT max(run_id) FROM doliflow.run_log WHERE status <> 'running'")
last_step=$(q "$PG" "SELECT max(step_id) FROM doliflow.run_step WHERE run_id = $last_run")
before=$(q "$PG" "SELECT md5(string_agg(r::text, ',' ORDER BY run_id)) FROM doliflow.run_log r")$(q "$PG" "SELECT md5(string_agg(s::text, ',' ORDER BY step_id)) FROM doliflow.run_step s")
lake_before=$(q "$PG" "SELECT count(*) FROM lake.llx_ticket")
for call in "SELECT doliflow._cleanup_table('llx_ticket', now() + interval '1 day')" \
			"SELECT doliflow._run_end($last_run, 'failed', 'forged')" \
			"SELECT doliflow._run_end_error($last_run, 'forged')" \
			"SELECT doliflow._step_end($last_step, 'failed', 0, 0, NULL, 'forged')" \
			"SELECT doliflow._step_begin($last_run, 'forged')" \
			"SELECT doliflow._batch_failed('llx_ticket', $last_run, 'forged')" \
			"SELECT doliflow._load_warehouse_tx($last_run, true)" \
			"SELECT doliflow._recover_stale_runs()" \
			"SELECT doliflow._pipeline_exec($last_run, 'load_warehouse', true, false)" \
			"SELECT doliflow.disconnect()" \
			"SELECT doliflow.connect('127.0.0.1', 1, 'x', 'y', 'z')" \
			"SELECT * FROM doliflow.schedule()" \
			"SELECT doliflow.apply_grants()" \
			"CALL doliflow.cleanup(1)" \
			"SELECT doliflow._lake_rebuild_current('llx_ticket')" \
			"SELECT doliflow.generate_predictions()" \
			"UPDATE doliflow.run_log SET status = 'success'" \
			"SELECT * FROM lake.llx_ticket LIMIT 1"; do
	out=$(as "$B" -c "$call" 2>&1)
	case $out in
		*ERROR*) ok 0 "item 6: batch refused: $call" ;;
		*) ok 1 "item 6: batch refused: $call (got: $out)" ;;
	esac
done
is "$(as "$B" -c "SELECT count(*) FROM pg_user_mappings WHERE umoptions IS NOT NULL")" 0 "item 6: the batch role cannot read the user mapping's options"
after=$(q "$PG" "SELECT md5(string_agg(r::text, ',' ORDER BY run_id)) FROM doliflow.run_log r")$(q "$PG" "SELECT md5(string_agg(s::text, ',' ORDER BY step_id)) FROM doliflow.run_step s")
is "$after" "$before" "item 6: the run log is unchanged by the batch role's attempts"
is "$(q "$PG" "SELECT count(*) FROM lake.llx_ticket")" "$lake_before" "item 6: the lake is unchanged"
is "$(q "$PG" "SELECT count(*) FROM pg_foreign_server WHERE srvname = 'doliflow_source'")" 1 "item 6: the source is still connected"

# Item 8 as reported, with the messages.
out=$(as "$B" -c "SELECT count(*) > 0 FROM doliflow.status() WHERE section = 'lake'" 2>&1)
is "$out" t "item 8: status() as the batch role shows the lake (no permission denied for schema lake)"
out=$(as "$R" -c "SELECT doliflow.predict_intervention_duration('{\"intervention_type\": \"repair\"}') ? 'predicted_duration'" 2>&1)
is "$out" t "item 8: predict_intervention_duration() as the reader"
out=$(as "$R" -c "SELECT count(*) FROM doliflow.what_if_order($PRODUCT, current_date + 30)" 2>&1)
is "$out" 1 "item 8: what_if_order() as the reader"
out=$(as "$R" -c "SELECT count(*) FROM lake.llx_ticket" 2>&1)
case $out in *"permission denied for schema lake"*) ok 0 "the reader still has no access to the lake" ;; *) ok 1 "the reader has no access to the lake (got: $out)" ;; esac
out=$(as "$R" -c "CALL doliflow.run_analytics('forecast')" 2>&1)
case $out in *"permission denied"*) ok 0 "the reader cannot run the pipeline" ;; *) ok 1 "the reader cannot run the pipeline (got: $out)" ;; esac

#------------------------------------------------------------------------------
# 7 (item 7). A superuser runs everything with the public traps and public first in its path
#------------------------------------------------------------------------------
cat >"$OUT/super_calls.sql" <<EOF
SET search_path = public, pg_temp, pg_catalog;
CALL doliflow.run_pipeline();
CALL doliflow.run_pipeline(true);
CALL doliflow.run_analytics('all', true);
CALL doliflow.extract();
CALL doliflow.load_warehouse();
CALL doliflow.cleanup(3650);
SELECT * FROM doliflow.status();
SELECT * FROM doliflow.test_connection();
SELECT * FROM doliflow.quality_report(30);
SELECT doliflow.schedule_sql();
SELECT doliflow.unschedule_sql();
SELECT * FROM doliflow.scheduled_jobs();
SELECT doliflow.generate_predictions();
SELECT doliflow.learn_event_effects();
SELECT doliflow.apply_grants();
SELECT * FROM doliflow._event_factors('2025-06-01', '2025-01-01', '2026-12-31', ARRAY[$PRODUCT]);
SELECT * FROM doliflow._demand_history('2025-06-01', ARRAY[$PRODUCT], true);
SELECT * FROM doliflow._baseline_model('2025-06-01', ARRAY[$PRODUCT], true);
SELECT doliflow.event_effect(1, '2030-01-01');
EOF
cat "$OUT/reader_calls.sql" >>"$OUT/super_calls.sql"
psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$PG" -f "$OUT/super_calls.sql" >"$OUT/super.out" 2>&1
ok $? "item 7: a superuser ran the pipeline, every module, cleanup, status, the analyst API with public traps first in its path$(grep -m1 ERROR "$OUT/super.out" | sed 's/^/ (/; s/$/)/')"
is "$(loot "$OUT/super.out")" "" "item 7: no public trap ran as the superuser (or as anyone)"
is "$(q "$PG" "SELECT string_agg(DISTINCT status, ',') FROM doliflow.run_log WHERE run_id > (SELECT max(run_id) - 3 FROM doliflow.run_log WHERE kind = 'pipeline') AND kind = 'pipeline'")" success \
	"item 7: the superuser's trapped pipeline runs succeeded"
loot_clear
# The public traps go (the superuser's own checks below must not meet them).
q "$PG" "SELECT format('DROP %s CASCADE;', sig) FROM public.trap_objects" | psql -X -q -d "$PG" >/dev/null 2>&1
is "$(q "$PG" "SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace AND proowner = '$N'::regrole")" 0 "public traps removed"

#------------------------------------------------------------------------------
# 8 (item 5). Generated scripts piped into psql with hostile arguments
#------------------------------------------------------------------------------
SCRATCH=sec84_cron
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $SCRATCH" >/dev/null 2>&1
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $SCRATCH" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d "$SCRATCH" >/dev/null <<'EOF'
CREATE SCHEMA cron;
CREATE TABLE cron.calls (fn text, a text, b text, c text, d text);
CREATE TABLE cron.job (jobid bigint, jobname text);
INSERT INTO cron.job VALUES (1, 'doliflow-nightly'), (2, 'other');
CREATE FUNCTION cron.schedule_in_database(a text, b text, c text, d text) RETURNS bigint LANGUAGE sql AS
	$$ INSERT INTO cron.calls VALUES ('schedule', a, b, c, d); SELECT 1::bigint $$;
CREATE FUNCTION cron.unschedule(a bigint) RETURNS boolean LANGUAGE sql AS
	$$ INSERT INTO cron.calls VALUES ('unschedule', a::text); SELECT true $$;
EOF
PWNED=$OUT/pwned
cd "$OUT" || exit 1	# (an injected psql \! command would run here)
i=0
for evil in $'x\nCREATE TABLE pwned (); --' $'x\r\nCREATE TABLE pwned ();' $'x\'); CREATE TABLE pwned (); --' \
			$'x\\! touch '"$PWNED"$'\n\\! touch '"$PWNED" $'x"\nCREATE TABLE pwned ();\n--' $'x$$; CREATE TABLE pwned (); $$'; do
	i=$((i + 1))
	for fn in "schedule_sql(database => :'evil')" "schedule_sql('01:00', 'Europe/Paris', :'evil')" "unschedule_sql(:'evil')"; do
		echo "TRUNCATE cron.calls; DELETE FROM cron.job WHERE jobid > 2; INSERT INTO cron.job VALUES (3, 'doliflow-nightly@' || :'evil');" |
			psql -X -q -d "$SCRATCH" -v evil="$evil" >/dev/null
		echo "SELECT doliflow.$fn;" | psql -X -q -A -t -d "$PG" -v evil="$evil" 2>"$OUT/inj.err" >"$OUT/inj.sql"
		psql -X -q -d "$SCRATCH" -v ON_ERROR_STOP=1 -f "$OUT/inj.sql" >"$OUT/inj.out" 2>&1; rc=$?
		got=$(q "$SCRATCH" "SELECT to_regclass('pwned') IS NULL") ; compgen -G "$PWNED*" >/dev/null && got=pwned-file
		case $fn in
			unschedule*) want_rows=1; check="SELECT count(*) FROM cron.calls WHERE fn = 'unschedule'" ;;
			*) want_rows=4; check="SELECT count(*) FROM cron.calls WHERE fn = 'schedule' AND (d = :'evil' OR a LIKE 'doliflow-cron-history%')" ;;
		esac
		rows=$(echo "$check;" | psql -X -q -A -t -d "$SCRATCH" -v evil="$evil")
		[ $rc -eq 0 ] && [ "$got" = t ] && [ "$rows" = "$want_rows" ]
		ok $? "item 5: $fn with hostile value #$i piped into psql runs only the cron calls (psql $rc, injected: $([ "$got" = t ] && echo no || echo YES), calls $rows)"
		q "$SCRATCH" "DROP TABLE IF EXISTS pwned" >/dev/null; rm -f "$PWNED"*
	done
done
for fn in "schedule_sql(tz => :'evil')" "schedule_sql('01:00', :'evil')"; do
	out=$(echo "SELECT doliflow.$fn;" | psql -X -q -A -t -d "$PG" -v evil=$'Europe/Paris\nCREATE TABLE pwned ();' -v VERBOSITY=verbose 2>&1)
	case $out in *22023*) ok 0 "item 5: $fn with a hostile time zone is refused (22023)" ;; *) ok 1 "item 5: $fn with a hostile time zone refused (got: $out)" ;; esac
done
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $SCRATCH" >/dev/null 2>&1

done_testing
