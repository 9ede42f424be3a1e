#!/usr/bin/env bash
# 24_settings_domains: every setting has a domain, enforced on every write.
#  1. the reproductions of issue 13 (defect 2) are rejected with 22023 and a message
#     naming the setting, the value and the range;
#  2. for EVERY setting, the values just outside its domain, NaN, Infinity, huge, empty
#     and wrong-typed values are rejected the same way, INSERT as well as UPDATE;
#  3. a setting inserted without a domain (as other parts add them) keeps the type check;
#  4. every setting at its minimum at once, then every one at its maximum: each value is
#     accepted, and a full pipeline run, every dw view (as a BI reader too) and status()
#     succeed on a small generated source.
set -u
. "$(dirname "$0")/../lib.sh"

SRC=df24_src
PG=df24
(unset MYSQL_HOST; df_new_source "$SRC" small 24) || { echo "not ok 1 - generated source loads"; echo "1..1"; exit 1; }
df_new_pgdb "$PG" && df_connect "$PG" "$SRC"; ok $? "install and connect"
psql -X -q -d postgres -c "DROP ROLE IF EXISTS df24_reader" -c "CREATE ROLE df24_reader LOGIN IN ROLE doliflow_reader" >/dev/null 2>&1

# try NAME VALUE: "ok" when the UPDATE is accepted (then rolled back), else SQLSTATE|message.
q "$PG" "CREATE FUNCTION public.try_setting(p_name text, p_value text, p_insert boolean DEFAULT false) RETURNS text
LANGUAGE plpgsql AS \$\$
DECLARE st text; msg text;
BEGIN
	BEGIN
		IF p_insert THEN
			INSERT INTO doliflow.settings (name, value, value_type, description, min_value, min_exclusive, max_value,
										   max_exclusive, allowed_values, value_pattern)
			SELECT s.name || '_copy', p_value, s.value_type, s.description, s.min_value, s.min_exclusive, s.max_value,
				   s.max_exclusive, s.allowed_values, s.value_pattern
			  FROM doliflow.settings s WHERE s.name = p_name;
		ELSE
			UPDATE doliflow.settings SET value = p_value WHERE name = p_name;
		END IF;
		RAISE EXCEPTION USING ERRCODE = 'DF024', MESSAGE = 'accepted';
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
	END;
	RETURN CASE WHEN st = 'DF024' THEN 'ok' ELSE st || '|' || msg END;
END \$\$" >/dev/null
ok $? "helper try_setting()"

# 1. The reproductions of the issue.
for nv in forecast_history_days=0 service_level=1.5 service_level=0 attention_days=-3 safety_margin_pct=-50 \
		  cache_hours=2147483648 warehouse_stale_hours=NaN "lake_lookback=-1 year" forecast_engine=bogus \
		  timezone=Mars/Olympus stock_review_days=-100; do
	n=${nv%%=*} v=${nv#*=}
	got=$(q "$PG" "SELECT try_setting('$n', '$v')")
	case $got in
		"22023|invalid value \"$v\" for doliflow setting \"$n\": must be "*) ok 0 "$n = '$v' rejected: ${got#*|}" ;;
		*) ok 1 "$n = '$v' rejected with 22023 naming setting, value and range (got: $got)" ;;
	esac
done
is "$(q "$PG" "SELECT try_setting('cache_hours', '2147483648')")" \
   '22023|invalid value "2147483648" for doliflow setting "cache_hours": must be an integer >= 0 and <= 87600' \
   "the message states the range exactly"
is "$(q "$PG" "SELECT try_setting('warehouse_stale_hours', '0')")" \
   '22023|invalid value "0" for doliflow setting "warehouse_stale_hours": must be a finite number > 0 and <= 87600' \
   "an exclusive bound is said as such (> 0)"

# 2. Every setting: the values outside its domain.  Cases are derived from each row's
#    type and bounds; the expected outcome is rejection with 22023 and a message that
#    names the setting, the value and each bound.
every_domain=$(q "$PG" "SELECT string_agg(name, ' ' ORDER BY name) FROM doliflow.settings
	WHERE min_value IS NULL AND max_value IS NULL AND allowed_values IS NULL AND value_pattern IS NULL
	  AND value_type NOT IN ('timezone', 'boolean')")
is "$every_domain" "" "every setting of the extension has a domain (bounds, allowed values, pattern or time zone)"
CASES="
CREATE TEMP VIEW cases AS
SELECT s.name, c.value
  FROM doliflow.settings s CROSS JOIN LATERAL (
	SELECT unnest(CASE s.value_type
		WHEN 'integer' THEN ARRAY[(s.min_value::bigint - CASE WHEN s.min_exclusive THEN 0 ELSE 1 END)::text,
								  (s.max_value::bigint + CASE WHEN s.max_exclusive THEN 0 ELSE 1 END)::text,
								  '2147483648', '-2147483649', '99999999999999999999', '1.5', 'NaN', 'Infinity', '', 'abc', '1e3']
		WHEN 'numeric' THEN ARRAY[CASE WHEN s.min_exclusive THEN s.min_value ELSE (s.min_value::numeric - 0.000001)::text END,
								  CASE WHEN s.max_exclusive THEN s.max_value ELSE (s.max_value::numeric + 0.000001)::text END,
								  'NaN', 'Infinity', '-Infinity', '1e400', '-1e400', '', 'abc', '1,5']
		WHEN 'interval' THEN ARRAY[(s.min_value::interval - interval '1 second')::text,
								   (s.max_value::interval + interval '1 second')::text,
								   'infinity', '', 'abc', '1 fortnight']
		WHEN 'time' THEN ARRAY['24:00:00', '25:00', '-01:00', '', 'abc', 'noon']
		WHEN 'timezone' THEN ARRAY['Mars/Olympus', 'Europe/Pariss', '', 'abc', 'UTC+25']
		WHEN 'text' THEN CASE WHEN s.allowed_values IS NOT NULL THEN ARRAY['bogus', '', upper(s.allowed_values[1]), s.allowed_values[1] || ' ']
							  ELSE ARRAY['', 'a b', 'x;drop table t', repeat('z', 65), 'naïve'] END
	END) AS value) c
 -- a candidate the pattern itself allows is no outside value (source_option_file: '' = none)
 WHERE NOT (s.value_pattern IS NOT NULL AND c.value ~ s.value_pattern)
   AND (s.min_value IS NOT NULL OR s.max_value IS NOT NULL OR s.allowed_values IS NOT NULL
	OR s.value_pattern IS NOT NULL OR s.value_type = 'timezone');"
while IFS='|' read -r name n bad sample; do
	is "$bad" "0" "$name: all $n values outside its domain rejected with 22023 naming setting, value and range${sample:+ (first failure: $sample)}"
done < <(q "$PG" "$CASES
WITH r AS (
	SELECT c.name, c.value, try_setting(c.name, c.value) AS up, try_setting(c.name, c.value, true) AS ins,
		   s.min_value, s.max_value
	  FROM cases c JOIN doliflow.settings s USING (name))
SELECT r.name, count(*),
	   count(*) FILTER (WHERE NOT (
			 up LIKE '22023|invalid value \"' || replace(r.value, '_', '\\_') || '\" for doliflow setting \"' || replace(r.name, '_', '\\_') || '\": must be %'
			 AND (r.min_value IS NULL OR up LIKE '% ' || r.min_value || '%')
			 AND (r.max_value IS NULL OR up LIKE '% ' || r.max_value || '%')
			 AND ins LIKE '22023|invalid value %')),
	   min(r.value || ' -> ' || r.up) FILTER (WHERE NOT (up LIKE '22023|%' AND ins LIKE '22023|%'))
  FROM r GROUP BY 1 ORDER BY 1")

# 3. A setting inserted the old way (no domain columns) keeps the type check.
q "$PG" "INSERT INTO doliflow.settings (name, value, value_type, description) VALUES ('df24_plain', '5', 'integer', 'test')" >/dev/null 2>&1
ok $? "a plain INSERT (name, value, value_type, description) still works"
is "$(q "$PG" "SELECT try_setting('df24_plain', '-7')")|$(q "$PG" "SELECT try_setting('df24_plain', 'x')" | cut -c1-5)" "ok|22023" \
   "a setting without a domain: any integer, but still only an integer"
q "$PG" "DELETE FROM doliflow.settings WHERE name = 'df24_plain'" >/dev/null

# 4. Boundary values accepted, and everything still runs on them.  Each setting at its
#    minimum (just inside an exclusive bound), then each at its maximum; enumerations and
#    time zones take a different allowed value in each round.
boundary() {	# boundary min|max: the UPDATE statements
	q "$PG" "SELECT string_agg(format('UPDATE doliflow.settings SET value = %L WHERE name = %L;', v, name), ' ')
	  FROM (SELECT s.name, CASE
		WHEN s.value_type IN ('integer', 'numeric') AND '$1' = 'min' THEN
			CASE WHEN s.min_exclusive THEN (s.min_value::numeric + 0.001)::text ELSE s.min_value END
		WHEN s.value_type IN ('integer', 'numeric') THEN
			CASE WHEN s.max_exclusive THEN (s.max_value::numeric - 0.001)::text ELSE s.max_value END
		WHEN s.value_type IN ('interval', 'time') THEN CASE '$1' WHEN 'min' THEN s.min_value ELSE s.max_value END
		WHEN s.value_type = 'timezone' THEN CASE '$1' WHEN 'min' THEN 'Pacific/Kiritimati' ELSE 'Pacific/Pago_Pago' END
		WHEN s.allowed_values IS NOT NULL THEN s.allowed_values[CASE '$1' WHEN 'min' THEN 1 ELSE cardinality(s.allowed_values) END]
		WHEN s.value_pattern IS NOT NULL AND '' ~ s.value_pattern THEN ''	-- a path: empty = none
		WHEN s.value_pattern IS NOT NULL THEN CASE '$1' WHEN 'min' THEN 'q' ELSE repeat('z', 64) END
	  END AS v FROM doliflow.settings s WHERE s.min_value IS NOT NULL OR s.max_value IS NOT NULL OR s.allowed_values IS NOT NULL
		 OR s.value_pattern IS NOT NULL OR s.value_type = 'timezone') b"
}
views=$(q "$PG" "SELECT string_agg(viewname, ' ' ORDER BY viewname) FROM pg_views WHERE schemaname = 'dw'")
diag "dw views: $views"
for round in default min max; do
	if [ "$round" != default ]; then
		upd=$(boundary "$round")
		q "$PG" "$upd" >/dev/null 2>"$TEST_TMP/24_$round.err"
		ok $? "$round: every setting accepts its $round boundary ($(q "$PG" "SELECT count(*) FROM doliflow.settings WHERE updated_at = (SELECT max(updated_at) FROM doliflow.settings)") settings set)"
		df_connect "$PG" "$SRC"; ok $? "$round: connect() applies source_fetch_size = $(q "$PG" "SELECT doliflow.setting('source_fetch_size')")"
	fi
	sleep 1.1
	start=$(date +%s)
	psql -X -q -d "$PG" -c "CALL doliflow.run_pipeline(full_rebuild => true)" >"$TEST_TMP/24_$round.out" 2>&1
	ok $? "$round: run_pipeline(full_rebuild) returns ($(( $(date +%s) - start )) s)"
	is "$(q "$PG" "SELECT status || coalesce(': ' || error, '') FROM doliflow.run_log WHERE kind = 'pipeline' ORDER BY run_id DESC LIMIT 1")" "success" \
	   "$round: the pipeline run succeeds"
	is "$(q "$PG" "SELECT coalesce(string_agg(step || ': ' || left(error, 120), '; ' ORDER BY step_id), '') FROM doliflow.run_step
		WHERE run_id = (SELECT max(run_id) FROM doliflow.run_log WHERE kind = 'pipeline') AND status = 'failed'")" "" "$round: no step failed"
	bad="" badr=""
	for v in $views; do
		q "$PG" "SELECT count(*) FROM (SELECT * FROM dw.$v) x" >/dev/null 2>>"$TEST_TMP/24_views.err" || bad="$bad $v"
		PGUSER=df24_reader q "$PG" "SELECT count(*) FROM (SELECT * FROM dw.$v) x" >/dev/null 2>>"$TEST_TMP/24_views.err" || badr="$badr $v"
	done
	is "${bad# }" "" "$round: SELECT * FROM every dw view succeeds"
	is "${badr# }" "" "$round: and as a doliflow_reader"
	[ -n "$bad$badr" ] && tail -5 "$TEST_TMP/24_views.err" | sed 's/^/# /'
	q "$PG" "SELECT count(*) FROM doliflow.status()" >/dev/null 2>"$TEST_TMP/24_status.err"
	ok $? "$round: status() succeeds"
	is "$(q "$PG" "SELECT (SELECT count(*) FROM dw.alert_snapshot) > 0 AND (SELECT count(*) FROM dw.predictions) > 0")" "t" \
	   "$round: the outputs are there (alert snapshot, predictions)"
done
psql -X -q -d postgres -c "DROP DATABASE $PG WITH (FORCE)" -c "DROP ROLE IF EXISTS df24_reader" >/dev/null 2>&1
done_testing
