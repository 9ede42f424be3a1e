#!/usr/bin/env bash
# 25_company_clock: one company clock.  The same pipeline run from sessions in
# different TimeZones (UTC, America/Los_Angeles, Pacific/Kiritimati = UTC+14,
# Pacific/Pago_Pago = UTC-11: the last two never share a date) gives the same
# outputs, timestamps and run ids aside: forecast origin and predictions, the alert
# snapshot and its date, every dw view read from any session, the calendar range.
# "Today" is the date in the company's time zone (setting timezone, Europe/Paris),
# computed here independently with date(1).
set -u
. "$(dirname "$0")/../lib.sh"

SRC=df25_src
PG=df25
end=$(TZ=Europe/Paris date -d yesterday +%F)
(unset MYSQL_HOST; df_new_source "$SRC" small 25 "$end") || { echo "not ok 1 - generated source loads"; echo "1..1"; exit 1; }
df_new_pgdb "$PG" && df_connect "$PG" "$SRC"; ok $? "install and connect (source ends $end)"
sleep 1.1
# Warm-up run (and a second one) so that the compared runs read an unchanging lake.
PGTZ=UTC q "$PG" "CALL doliflow.run_pipeline()" >/dev/null 2>&1
PGTZ=UTC q "$PG" "CALL doliflow.run_pipeline()" >/dev/null 2>&1
ok $? "warm-up runs"

# fp TAG QUERY: fingerprint of the rows of QUERY without the keys that are run ids,
# row ids or timestamps of the computation (*_at, *_id, cache_*, source_data_*: when the
# source was read); the rows are kept
# in public.snap under TAG to show a difference.
q "$PG" "CREATE TABLE public.snap (tag text, what text, j jsonb);
CREATE FUNCTION public.fp(p_tag text, p_what text, p_query text) RETURNS text LANGUAGE plpgsql AS \$\$
DECLARE r text;
BEGIN
	DELETE FROM public.snap WHERE tag = p_tag AND what = p_what;
	EXECUTE format('INSERT INTO public.snap SELECT %L, %L, (SELECT coalesce(jsonb_object_agg(e.key, e.value), ''{}'')
	                  FROM jsonb_each(to_jsonb(x)) e WHERE e.key !~ ''(_at\$|_id\$|^cache_|^source_data_)'') FROM (%s) x', p_tag, p_what, p_query);
	SELECT md5(coalesce(string_agg(j::text, E'\n' ORDER BY j::text), '')) || ':' || count(*) INTO r
	  FROM public.snap WHERE tag = p_tag AND what = p_what;
	RETURN r;
END \$\$" >/dev/null
ok $? "fingerprint helper"

outputs() {	# outputs TZ: fingerprints of every output, read from a session in TZ
	local v views
	views=$(q "$PG" "SELECT string_agg(viewname, ' ' ORDER BY viewname) FROM pg_views WHERE schemaname = 'dw'")
	for v in $views; do
		printf '%s=%s\n' "$v" "$(PGTZ=$1 q "$PG" "SELECT fp('$1', '$v', 'SELECT * FROM dw.$v')")"
	done
	printf 'origin=%s\n' "$(PGTZ=$1 q "$PG" "SELECT origin FROM dw.prediction_runs WHERE kind = 'nightly' ORDER BY run_id DESC LIMIT 1")"
	printf 'predictions=%s\n' "$(PGTZ=$1 q "$PG" "SELECT fp('$1', 'predictions', 'SELECT origin, fk_product, day, horizon, round(yhat::numeric, 6) AS yhat, method FROM dw.predictions
		WHERE run_id = (SELECT max(run_id) FROM dw.prediction_runs WHERE kind = ''nightly'')')")"
	printf 'snapshot=%s\n' "$(PGTZ=$1 q "$PG" "SELECT fp('$1', 'snapshot', 'SELECT * FROM dw.alert_snapshot WHERE run_id = (SELECT max(run_id) FROM dw.alert_snapshot)')")"
	printf 'snapshot_dates=%s\n' "$(PGTZ=$1 q "$PG" "SELECT string_agg(DISTINCT snapshot_date::text, ',') FROM dw.alert_snapshot")"
	printf 'calendar=%s\n' "$(PGTZ=$1 q "$PG" "SELECT min(day) || '..' || max(day) FROM dw.dim_date")"
	printf 'segments=%s\n' "$(PGTZ=$1 q "$PG" "SELECT fp('$1', 'rfm', 'SELECT * FROM doliflow.customer_rfm()')")"
	printf 'company_today=%s\n' "$(PGTZ=$1 q "$PG" "SELECT doliflow.company_today()")"
}

diff_rows() {	# diff_rows TAG1 TAG2: a few values that differ, as diagnostics
	q "$PG" "WITH k AS (SELECT s.tag, s.what, e.key, e.value::text AS v FROM snap s CROSS JOIN LATERAL jsonb_each(s.j) e WHERE s.tag IN ('$1', '$2'))
	  (SELECT 'only $1', what, key, left(v, 300) FROM k WHERE tag = '$1' EXCEPT ALL SELECT 'only $1', what, key, left(v, 300) FROM k WHERE tag = '$2')
	  UNION ALL (SELECT 'only $2', what, key, left(v, 300) FROM k WHERE tag = '$2' EXCEPT ALL SELECT 'only $2', what, key, left(v, 300) FROM k WHERE tag = '$1')
	  ORDER BY 2, 3, 1 LIMIT 8" | sed 's/^/# /'
}
today=$(TZ=Europe/Paris date +%F)
ref=""
for tz in UTC America/Los_Angeles Pacific/Kiritimati Pacific/Pago_Pago; do
	PGTZ=$tz q "$PG" "CALL doliflow.run_pipeline(full_rebuild => true)" >/dev/null 2>"$TEST_TMP/25_${tz//\//_}.err"
	ok $? "run_pipeline(full_rebuild) from a session in $tz"
	is "$(q "$PG" "SELECT status FROM doliflow.run_log WHERE kind = 'pipeline' ORDER BY run_id DESC LIMIT 1")" "success" "$tz: the run succeeds"
	[ "$(TZ=Europe/Paris date +%F)" = "$today" ] || { diag "the company date changed during the test; comparing from here"; ref=""; today=$(TZ=Europe/Paris date +%F); }
	out=$(outputs "$tz")
	is "$(echo "$out" | sed -n 's/^company_today=//p')" "$today" "$tz: company_today() is the date in Europe/Paris ($today)"
	is "$(echo "$out" | sed -n 's/^snapshot_dates=//p')" "$today" "$tz: the alert snapshot is dated $today"
	if [ -z "$ref" ]; then
		ref=$out reftz=$tz
		is "$(echo "$out" | sed -n 's/^origin=//p')" "$(q "$PG" "SELECT least(date '$today' - 1, max(day)) FROM doliflow._stock_demand")" \
		   "$tz: the forecast origin is the company's yesterday (or the last day of demand)"
	else
		is "$(diff <(echo "$ref") <(echo "$out") | grep '^[<>]' | tr '\n' ' ')" "" "$tz: every output equals the one of the $reftz run"
		diff_rows "$reftz" "$tz"
	fi
done
# The same outputs read from a session in another time zone than the run's.
is "$(diff <(echo "$out") <(outputs Pacific/Kiritimati) | grep '^[<>]' | tr '\n' ' ')" "" \
   "the views read the same from Pacific/Pago_Pago and Pacific/Kiritimati sessions"
# The company time zone decides, whatever the session's, with or without daylight saving
# time on either side (in December Australia/Sydney and America/Santiago are on summer
# time, Europe/Paris and America/Los_Angeles on winter time): company_today() and
# company_now() agree with date(1) in the company's zone.
for ctz in Pacific/Kiritimati Australia/Sydney America/Santiago Europe/Paris; do
	q "$PG" "UPDATE doliflow.settings SET value = '$ctz' WHERE name = 'timezone'" >/dev/null
	for stz in Pacific/Pago_Pago America/Los_Angeles Australia/Sydney; do
		got=$(PGTZ=$stz q "$PG" "SELECT doliflow.company_today() || ' ' || to_char(doliflow.company_now(), 'HH24:MI')")
		exp=$(TZ=$ctz date +'%F %H:%M'); exp2=$(TZ=$ctz date -d '-1 minute' +'%F %H:%M')
		[ "$got" = "$exp" ] || [ "$got" = "$exp2" ]; ok $? "company $ctz, session $stz: company_today() and company_now() = $got (date(1): $exp)"
	done
done
psql -X -q -d postgres -c "DROP DATABASE $PG WITH (FORCE)" >/dev/null 2>&1
done_testing
