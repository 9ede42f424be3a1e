#!/usr/bin/env bash
# Extension-script hygiene: the built install scripts (doliflow and doliflow_analytics) have no CREATE OR REPLACE,
# no SECURITY DEFINER routine without a pinned search_path, no committing
# routine with a SET clause, no unqualified relation in a definer body; and
# the same holds for the installed catalog (routines altered at install time).
set -u
. "$(dirname "$0")/../lib.sh"
cd "$DF_ROOT" || exit 1
CHECK="python3 test/check_script_hazards.py"

scripts=$(ls doliflow--*.sql analytics/doliflow_analytics--*.sql 2>/dev/null | grep -v -- '--.*--')
[ -n "$scripts" ]; ok $? "built install script present ($scripts)"
out=$($CHECK $scripts 2>&1); rc=$?
is "$rc" 0 "no hazard in the install script"
[ -n "$out" ] && echo "$out" | sed 's/^/# /'

# The checker itself finds each hazard in a script that has them all.
bad="$TEST_TMP/hazards_bad.sql"
cat >"$bad" <<'SQL'
CREATE OR REPLACE FUNCTION x.f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
CREATE FUNCTION x.g() RETURNS int LANGUAGE sql SECURITY DEFINER AS $$ SELECT 1 $$;
CREATE FUNCTION x.h() RETURNS int LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$ SELECT 1 $$;
CREATE FUNCTION x.i() RETURNS int LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
  -- FROM commented_out
  WITH w AS (SELECT 1) SELECT * FROM w;
  RETURN (SELECT count(*) FROM settings JOIN pg_class ON true);
END $$;
CREATE PROCEDURE x.p() LANGUAGE plpgsql SET work_mem = '1MB' AS $$
BEGIN
  COMMIT;
END $$;
-- CREATE OR REPLACE VIEW in a comment is fine
CREATE OR REPLACE VIEW v AS SELECT 1;
SQL
out=$($CHECK "$bad"); rc=$?
is "$rc" 1 "the checker fails on a hazardous script"
is "$(echo "$out" | sed 's/^[^:]*:\([0-9]*\): \(.*\)$/\1 \2/' | cut -c1-40)" \
"1 CREATE OR REPLACE FUNCTION: an extensi
2 SECURITY DEFINER x.g without SET searc
3 SECURITY DEFINER x.h: search_path name
8 SECURITY DEFINER x.i: unqualified rela
10 x.p COMMITs but has a SET clause (use
15 CREATE OR REPLACE VIEW: an extension " "each planted hazard reported once, at its line"

# The installed catalog.
db=ops_hazards
df_new_pgdb "$db"; ok $? "extension installs"
members="SELECT p.* FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e' WHERE d.refobjid IN (SELECT oid FROM pg_extension WHERE extname IN ('doliflow', 'doliflow_analytics'))"
is "$(q $db "SELECT count(*) FROM ($members) p WHERE p.prosecdef")" \
   "$(q $db "SELECT count(*) FROM ($members) p WHERE p.prosecdef AND EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c ~ '^search_path=' AND c !~ '(public|\\\$user)')")" \
   "every installed SECURITY DEFINER routine pins a safe search_path"
n=$(q $db "SELECT count(*) FROM ($members) p WHERE p.prosecdef"); [ "$n" -gt 0 ]; ok $? "there are definer routines to check ($n)"
is "$(q $db "SELECT string_agg(p.oid::regprocedure::text, ', ') FROM ($members) p WHERE p.prosecdef AND has_function_privilege('public', p.oid, 'EXECUTE')")" "" \
   "no definer routine is executable by PUBLIC"
is "$(q $db "SELECT string_agg(p.oid::regprocedure::text, ', ') FROM ($members) p WHERE p.prokind = 'p' AND p.proconfig IS NOT NULL AND p.prosrc ~* '\\m(COMMIT|ROLLBACK)\\s*;'")" "" \
   "no committing procedure has a SET clause"
is "$(q $db "SELECT string_agg(p.oid::regprocedure::text, ', ') FROM ($members) p WHERE p.proname !~ '^_' AND obj_description(p.oid, 'pg_proc') IS NULL")" "" \
   "every public routine has a COMMENT"
is "$(q $db "SELECT string_agg(p.oid::regprocedure::text, ', ') FROM ($members) p WHERE p.prosrc ~* 'to_reg(proc|procedure|class|type)\\s*\\(\\s*''(doliflow|dw|lake)\\.[a-z_]'")" "" \
   "no installed routine probes an object of the extension itself (to_regclass/to_regprocedure of doliflow., dw., lake.)"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
done_testing
