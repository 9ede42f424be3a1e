#!/usr/bin/env bash
# 70_analytics: the analytics modules (issue 7) on a small generated source.
#  1. predict_intervention_duration() before any model: a clear error; the duration module
#     stores a model (run, generated_at, training rows counted independently); the seed's
#     call answers with a coherent interval; fallbacks for unknown categories; bad input;
#  2. anomalies: stamped rows, reasons, low_satisfaction equals an independent query, the
#     figures in features agree with the facts, history per run and the latest-run view,
#     the cache (no recomputation unless forced);
#  3. segmentation: one row per customer, RFM figures recomputed independently, every label
#     consistent with its rule and the rule text;
#  4. insights: technicians and drifting projects, checked against independent queries;
#  5. comments on every output table, view and column; run log and status().
set -u
. "$(dirname "$0")/../lib.sh"

SRC=an70_src
DB=an70

extract() {
	q "$1" "CALL doliflow.extract()" >/dev/null 2>&1 || return 1
	[ "$(q "$1" "SELECT status FROM doliflow.run_log WHERE kind = 'extract' ORDER BY run_id DESC LIMIT 1")" = success ] && return 0
	diag "extract not complete; retrying"
	q "$1" "CALL doliflow.extract()" >/dev/null 2>&1 &&
	[ "$(q "$1" "SELECT status FROM doliflow.run_log WHERE kind = 'extract' ORDER BY run_id DESC LIMIT 1")" = success ]
}

# run_module DB MODULE FORCE: through run_analytics() when the pipeline part is installed,
# else as the pipeline would (a run-log entry, the module procedure with the run id).
run_module() {
	if [ -n "$(q "$1" "SELECT to_regprocedure('doliflow.run_analytics(text, boolean)')")" ]; then
		q "$1" "CALL doliflow.run_analytics('$2', $3)" >/dev/null 2>&1
	else
		q "$1" "DO \$\$ DECLARE r bigint := doliflow._run_begin('analytics'); BEGIN
			CALL doliflow._analytics_$2(r, $3); PERFORM doliflow._run_end(r, 'success'); END \$\$" >/dev/null 2>&1
	fi
}

"$DF_ROOT/test/generator/load.sh" --host "$MYSQL_HOST" --port "$MYSQL_PORT" --user "$MYSQL_USER" \
	--db "$SRC" --scale small --seed 7 >/dev/null
ok $? "generated a small Dolibarr source"
df_new_pgdb "$DB" && df_connect "$DB" "$SRC" && extract "$DB" && q "$DB" "CALL doliflow.load_warehouse()" >/dev/null 2>&1
ok $? "extracted and loaded the warehouse"

######################################################################
# 1. duration
######################################################################
err=$(q "$DB" "SELECT doliflow.predict_intervention_duration('{\"intervention_type\":\"maintenance\",\"estimated_duration\":4,\"city\":\"Paris\"}')" 2>&1)
echo "$err" | grep -q "no intervention duration model has been trained yet"
ok $? "predict before any model: clear error ($(echo "$err" | head -1))"

# On an empty warehouse the module succeeds without a model and prediction still explains.
df_new_pgdb "${DB}_empty" && run_module "${DB}_empty" duration true
ok $? "duration module on an empty warehouse: no failure"
is "$(q "${DB}_empty" "SELECT count(*) FROM dw.models")|$(q "${DB}_empty" "SELECT detail->>'trained' FROM dw.analytics_runs WHERE module = 'duration'")" "0|false" \
	"empty warehouse: no model stored, the computation recorded as not trained"
q "${DB}_empty" "INSERT INTO dw.dim_customer (customer_key, name, client_type, created_at, tickets, invoices, interventions)
	VALUES (1, 'Sans activité', 1, now() - interval '1 year', 0, 0, 0), (2, 'Tout neuf', 1, now() - interval '10 days', 0, 0, 0)" >/dev/null
for m in anomalies segmentation insights; do
	run_module "${DB}_empty" $m true
	ok $? "$m module on a warehouse without activity: no failure"
done
is "$(q "${DB}_empty" "SELECT string_agg(customer_key || ':' || segment || ':' || (as_of = current_date), ' ' ORDER BY customer_key) FROM dw.v_customer_segments")" \
	"1:regular:true 2:new:true" "customers without activity: as of today, new by creation date, else regular"
q postgres "DROP DATABASE IF EXISTS ${DB}_empty WITH (FORCE)" >/dev/null 2>&1

run_module "$DB" duration true
ok $? "duration module ran"
is "$(q "$DB" "SELECT count(*) FILTER (WHERE run_id IS NOT NULL AND generated_at IS NOT NULL AND info ? 'rows') FROM dw.models WHERE kind = 'duration'")" 1 \
	"one duration model, stamped with its run and generated_at"
is "$(q "$DB" "SELECT training_rows FROM dw.models WHERE kind = 'duration'")" \
   "$(q "$DB" "SELECT count(*) FROM dw.fact_tickets WHERE status = 8 AND intervention_hours > 0 AND closed_at IS NOT NULL")" \
	"training rows = closed tickets with intervention hours"
is "$(q "$DB" "SELECT metrics ?& array['mae_model', 'mae_estimate', 'mae_type_mean', 'cutoff'] FROM dw.models WHERE kind = 'duration'")" t \
	"holdout metrics stored with the model"

P=$(q "$DB" "SELECT doliflow.predict_intervention_duration('{\"intervention_type\":\"maintenance\",\"estimated_duration\":4,\"city\":\"Paris\"}')")
diag "seed call -> $P"
is "$(q "$DB" "SELECT (p->>'predicted_duration')::float8 > 0 AND (p->>'confidence')::float8 BETWEEN 0 AND 1
	AND (p->>'interval_low')::float8 <= (p->>'predicted_duration')::float8
	AND (p->>'predicted_duration')::float8 <= (p->>'interval_high')::float8
	AND p->'known'->>'intervention_type' = 'true' AND p->'known'->>'city' = 'true' AND p->'fallback' = '[]'
	FROM (SELECT '$P'::jsonb AS p) s")" t "seed call: positive prediction inside its interval, confidence in [0,1], type and city known"
is "$(q "$DB" "SELECT (doliflow.predict_intervention_duration('{\"intervention_type\":\"maintenance\",\"estimated_duration\":4,\"city\":\"Paris\",\"month\":3}') - 'model_id' - 'model_trained_at' - 'training_rows' - 'fallback')
	= doliflow_analytics.duration_predict((SELECT model::doliflow_analytics.duration_model FROM dw.models WHERE kind = 'duration' ORDER BY model_id DESC LIMIT 1),
	                            '{\"intervention_type\":\"maintenance\",\"estimated_duration\":4,\"city\":\"Paris\",\"month\":3}')")" t \
	"prediction = the C model's prediction with the stored model"
# Independent check of direction: a longer estimate predicts a longer duration.
is "$(q "$DB" "SELECT (doliflow.predict_intervention_duration('{\"intervention_type\":\"repair\",\"estimated_duration\":8}')->>'predicted_duration')::float8
	> (doliflow.predict_intervention_duration('{\"intervention_type\":\"repair\",\"estimated_duration\":2}')->>'predicted_duration')::float8")" t \
	"8 h estimate predicts longer than a 2 h estimate"
is "$(q "$DB" "SELECT p->'fallback' @> '[\"city\", \"intervention_type\"]' AND (p->>'predicted_duration')::float8 > 0
	FROM (SELECT doliflow.predict_intervention_duration('{\"intervention_type\":\"underwater welding\",\"estimated_duration\":3,\"city\":\"Atlantis\"}') AS p) s")" t \
	"unknown type and city fall back to the overall effect and are listed"
is "$(q "$DB" "SELECT (doliflow.predict_intervention_duration('{\"intervention_type\":\"repair\"}')->>'used_estimate')")" false \
	"no estimate: predicted from the peers alone"
is "$(q "$DB" "SELECT doliflow.predict_intervention_duration('{\"intervention_type\":\"repair\",\"estimated_duration\":\"4,5\"}')->>'predicted_duration'
	= doliflow.predict_intervention_duration('{\"intervention_type\":\"repair\",\"estimated_duration\":4.5}')->>'predicted_duration'")" t \
	"estimate given as a French decimal string"
for bad in "NULL" "'[1,2]'" "'{\"estimated_duration\":\"abc\"}'" "'{\"estimated_duration\":-1}'" "'{\"estimated_duration\":0}'" \
	"'{\"estimated_duration\":1e9}'" "'{\"month\":13}'" "'{\"month\":\"may\"}'" "'{\"estimated_duration\":true}'"; do
	out=$(psql -X -q -A -t -d "$DB" -v VERBOSITY=verbose -c "SELECT doliflow.predict_intervention_duration($bad::jsonb)" 2>&1)
	echo "$out" | grep -q "22023"
	ok $? "bad input $bad: invalid_parameter_value ($(echo "$out" | head -1 | cut -c1-90))"
done

######################################################################
# 2. anomalies
######################################################################
run_module "$DB" anomalies true
ok $? "anomalies module ran"
R1=$(q "$DB" "SELECT max(run_id) FROM dw.anomalies")
is "$(q "$DB" "SELECT count(*) FROM dw.anomalies WHERE run_id IS NULL OR generated_at IS NULL OR reason = '' OR score IS NULL")" 0 \
	"every anomaly stamped with run and generated_at, with a score and a reason"
diag "anomalies by kind: $(q "$DB" "SELECT string_agg(kind || '=' || n, ' ') FROM (SELECT kind, count(*) n FROM dw.v_anomalies GROUP BY 1 ORDER BY 1) s")"
is "$(q "$DB" "SELECT count(DISTINCT kind) >= 4 FROM dw.v_anomalies")" t "at least four kinds found on the small source"
is "$(q "$DB" "SELECT string_agg(source_id::text, ',' ORDER BY source_id) FROM dw.v_anomalies WHERE kind = 'low_satisfaction'")" \
   "$(q "$DB" "SELECT string_agg(ticket_key::text, ',' ORDER BY ticket_key) FROM dw.fact_tickets WHERE status = 8 AND satisfaction BETWEEN 1 AND 2")" \
	"low_satisfaction = closed tickets rated 1 or 2"
is "$(q "$DB" "SELECT count(*) FROM dw.v_anomalies a LEFT JOIN dw.fact_tickets t ON t.ticket_key = a.source_id
	WHERE a.source_table = 'llx_ticket' AND t.ticket_key IS NULL")" 0 "every ticket anomaly points at a ticket"
is "$(q "$DB" "SELECT count(*) FROM dw.v_anomalies a LEFT JOIN dw.fact_stock m ON m.movement_key = a.source_id
	WHERE a.source_table = 'llx_stock_mouvement' AND (m.movement_key IS NULL OR m.quantity <> (a.features->>'quantity')::numeric)")" 0 \
	"every stock anomaly points at its movement, with its quantity"
is "$(q "$DB" "SELECT count(*) FROM dw.v_anomalies a JOIN dw.fact_tickets t ON t.ticket_key = a.source_id
	WHERE a.kind = 'aberrant_cost' AND (abs(t.intervention_cost / t.intervention_hours - (a.features->>'cost_per_hour')::numeric) > 0.01
	   OR a.reason NOT LIKE '%' || to_char(t.intervention_cost, 'FM999999990.00') || ' EUR%')")" 0 \
	"aberrant_cost: cost per hour and the cost in the reason match the fact"
is "$(q "$DB" "SELECT count(*) FROM dw.v_anomalies a JOIN dw.fact_tickets t ON t.ticket_key = a.source_id
	WHERE a.kind = 'overlong_intervention' AND NOT (t.intervention_hours > (a.features->>'expected_hours')::numeric
	  AND (a.features->>'z_hours_vs_estimate')::float8 >= (a.features->>'threshold')::float8)")" 0 \
	"overlong_intervention: actual above the expected duration, z above the threshold"
is "$(q "$DB" "SELECT count(*) FROM dw.v_anomalies WHERE kind IN ('overlong_intervention', 'estimate_gap', 'aberrant_cost', 'odd_stock_movement')
	AND score < (features->>'threshold')::float8")" 0 "every statistical anomaly scores at least its threshold"
is "$(q "$DB" "SELECT count(*) FROM dw.v_anomalies WHERE kind = 'odd_stock_movement'
	AND abs((features->>'quantity')::numeric) < (features->>'min_ratio')::numeric * (features->>'usual_quantity')::numeric")" 0 \
	"odd stock movements are at least min_ratio times the usual size"
is "$(q "$DB" "SELECT count(*) FROM (SELECT source_table, source_id, kind FROM dw.v_anomalies GROUP BY 1, 2, 3 HAVING count(*) > 1) d")" 0 \
	"no duplicate anomaly in a run"
N1=$(q "$DB" "SELECT count(*) FROM dw.v_anomalies")
run_module "$DB" anomalies false
is "$(q "$DB" "SELECT count(*) FROM dw.anomalies")" "$N1" "not forced and fresh: the cached anomalies are kept (no new run)"
run_module "$DB" anomalies true
is "$(q "$DB" "SELECT count(DISTINCT run_id) FROM dw.anomalies")" 2 "forced: a second run, history kept"
is "$(q "$DB" "SELECT count(*) FROM dw.v_anomalies")|$(q "$DB" "SELECT count(DISTINCT run_id) FROM dw.v_anomalies")|$(q "$DB" "SELECT min(run_id) > $R1 FROM dw.v_anomalies")" \
   "$N1|1|t" "dw.v_anomalies shows the latest run only, same anomalies (deterministic)"

######################################################################
# 3. segmentation
######################################################################
run_module "$DB" segmentation true
ok $? "segmentation module ran"
is "$(q "$DB" "SELECT count(*) FROM dw.v_customer_segments")" \
   "$(q "$DB" "SELECT count(*) FROM dw.dim_customer WHERE client_type IN (1, 3) OR tickets > 0 OR invoices > 0")" \
	"one segment per customer"
diag "segments: $(q "$DB" "SELECT string_agg(segment || '=' || n, ' ') FROM (SELECT segment, count(*) n FROM dw.v_customer_segments GROUP BY 1 ORDER BY 1) s")"
is "$(q "$DB" "WITH asof AS (SELECT greatest((SELECT max(created_at)::date FROM dw.fact_tickets),
	                                            (SELECT max(invoice_date) FROM dw.fact_invoice_lines WHERE is_validated)) d),
	m AS (SELECT customer_key, sum(total_ht) AS rev, count(DISTINCT invoice_key) AS n FROM dw.fact_invoice_lines, asof
	       WHERE is_validated AND invoice_date > asof.d - 365 AND invoice_date <= asof.d GROUP BY 1),
	t AS (SELECT customer_key, count(*) AS n FROM dw.fact_tickets, asof
	       WHERE created_at::date > asof.d - 365 AND created_at::date <= asof.d GROUP BY 1)
	SELECT count(*) FROM dw.v_customer_segments s LEFT JOIN m USING (customer_key) LEFT JOIN t USING (customer_key)
	 JOIN dw.dim_customer c USING (customer_key), asof
	WHERE s.monetary <> round(coalesce(m.rev, 0), 2) OR s.invoices_12m <> coalesce(m.n, 0) OR s.tickets_12m <> coalesce(t.n, 0)
	   OR s.recency_days IS DISTINCT FROM asof.d - c.last_activity OR s.as_of <> asof.d")" 0 \
	"RFM figures equal an independent computation"
is "$(q "$DB" "SELECT count(*) FROM dw.v_customer_segments WHERE rule IS NULL OR rule = ''
	OR rule NOT ILIKE replace(CASE segment WHEN 'at_risk' THEN 'at risk' ELSE segment END, '_', ' ') || '%'")" 0 \
	"every label explained by a rule naming it"
PREM=$(q "$DB" "SELECT percentile_disc(0.9) WITHIN GROUP (ORDER BY monetary) FROM dw.v_customer_segments WHERE monetary > 0")
FREQ=$(q "$DB" "SELECT percentile_disc(0.8) WITHIN GROUP (ORDER BY tickets_12m) FROM dw.v_customer_segments WHERE tickets_12m > 0")
is "$(q "$DB" "SELECT count(*) FROM dw.v_customer_segments s, LATERAL (SELECT
	  s.tenure_days < 90 AS is_new,
	  s.recency_days > greatest(180, 3 * coalesce(s.usual_gap_days, 0)) OR (s.rated_tickets >= 3 AND s.satisfaction < 3.5) AS is_risk,
	  s.monetary > 0 AND s.monetary >= $PREM AS is_prem,
	  s.tickets_12m > 0 AND s.tickets_12m >= $FREQ AS is_freq) f
	WHERE s.segment <> CASE WHEN f.is_new THEN 'new' WHEN coalesce(f.is_risk, false) THEN 'at_risk' WHEN f.is_prem THEN 'premium'
	                        WHEN f.is_freq THEN 'frequent' ELSE 'regular' END")" 0 \
	"every label consistent with the features and the documented thresholds"
is "$(q "$DB" "SELECT count(*) FROM dw.v_customer_segments WHERE segment = 'premium' AND rule NOT LIKE '%' || monetary::text || ' EUR%'")" 0 \
	"premium rules quote the customer's revenue"
is "$(q "$DB" "SELECT count(DISTINCT cluster) > 1 AND count(*) FILTER (WHERE cluster IS NULL) = 0 FROM dw.v_customer_segments")" t \
	"k-means clusters assigned to every customer"

######################################################################
# 4. insights
######################################################################
run_module "$DB" insights true
ok $? "insights module ran"
is "$(q "$DB" "SELECT count(*) FROM dw.v_insights WHERE sentence IS NULL OR sentence = '' OR run_id IS NULL OR generated_at IS NULL")" 0 \
	"every insight has a sentence, a run and generated_at"
is "$(q "$DB" "SELECT count(*) FROM dw.v_insights WHERE topic = 'team_summary'")" 1 "one team summary"
is "$(q "$DB" "SELECT string_agg(subject_key::text, ',' ORDER BY subject_key) FROM dw.v_insights WHERE metric = 'cost_vs_budget'")" \
   "$(q "$DB" "SELECT string_agg(project_key::text, ',' ORDER BY project_key) FROM dw.dim_project
	WHERE status IN (1, 2) AND budget_amount > 0 AND labor_cost + material_cost > budget_amount")" \
	"cost_vs_budget insights = projects whose labour + material cost exceed the budget"
is "$(q "$DB" "SELECT count(*) FROM dw.v_insights i
	WHERE i.topic = 'technician_performance' AND (SELECT count(*) FROM dw.fact_tickets t WHERE t.technician_key = i.subject_key
	  AND t.status = 8 AND t.closed_at > (SELECT max(closed_at) FROM dw.fact_tickets WHERE status = 8) - interval '12 months') < 10")" 0 \
	"technician insights only for technicians with at least 10 closed jobs in 12 months"

######################################################################
# 5. comments, run log, status
######################################################################
is "$(q "$DB" "SELECT string_agg(c.relname || coalesce('.' || a.attname, ''), ', ')
	FROM pg_class c LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	WHERE c.relnamespace = 'dw'::regnamespace AND c.relname IN ('models', 'anomalies', 'customer_segments', 'insights', 'analytics_runs',
	                                                               'v_anomalies', 'v_customer_segments', 'v_insights')
	  AND (obj_description(c.oid, 'pg_class') IS NULL OR (a.attname IS NOT NULL AND col_description(c.oid, a.attnum) IS NULL))")" "" \
	"every output table, view and column has a comment"
is "$(q "$DB" "SELECT count(*) FROM pg_class c WHERE c.relnamespace = 'dw'::regnamespace
	AND c.relname IN ('v_anomalies', 'v_customer_segments', 'v_insights') AND obj_description(c.oid, 'pg_class') IS NOT NULL")" 3 \
	"the latest-run views have comments"
is "$(q "$DB" "SELECT count(*) FROM pg_proc p WHERE p.pronamespace = 'doliflow'::regnamespace
	AND p.proname IN ('predict_intervention_duration', 'duration_train', 'duration_backtest', 'customer_rfm', 'anomaly_threshold',
	                  '_analytics_duration', '_analytics_anomalies', '_analytics_segmentation', '_analytics_insights')
	AND obj_description(p.oid, 'pg_proc') IS NOT NULL")" 9 "every new function and procedure has a comment"
is "$(q "$DB" "SELECT count(*) FROM doliflow.status() WHERE name IN ('dw.models', 'dw.anomalies', 'dw.customer_segments', 'dw.insights') AND rows > 0")" 4 \
	"status() reports the four outputs with their rows"
is "$(q "$DB" "SELECT round(doliflow.anomaly_threshold(100)::numeric, 2)||' '||round(doliflow.anomaly_threshold(1000000)::numeric, 2)")" "3.50 4.89" \
	"anomaly threshold: 3.5 floor, Bonferroni-style bound for a million rows (normal quantile of 1 - 1/2e6)"
is "$(q "$DB" "SELECT string_agg(module || '=' || n, ' ' ORDER BY module) FROM (SELECT module, count(*) n FROM dw.analytics_runs GROUP BY 1) s")" \
	"anomalies=2 duration=1 insights=1 segmentation=1" "dw.analytics_runs: one row per computation, none for the cached call"
q "$DB" "UPDATE doliflow.settings SET value = '0' WHERE name = 'low_satisfaction_max';
	UPDATE doliflow.settings SET value = '1000' WHERE name IN ('anomaly_min_z', 'anomaly_stock_min_ratio');
	UPDATE doliflow.settings SET value = '1.01' WHERE name = 'iforest_threshold'" >/dev/null
run_module "$DB" anomalies true
is "$(q "$DB" "SELECT count(*) FROM dw.v_anomalies")|$(q "$DB" "SELECT count(*) > 0 FROM dw.anomalies")" "0|t" \
	"a run that finds nothing empties dw.v_anomalies (history kept)"
# The roles and grants belong to the ops part (80_roles); check them when it is installed.
if [ -n "$(q "$DB" "SELECT to_regprocedure('doliflow.apply_grants()')")" ]; then
	q "$DB" "SET ROLE doliflow_reader; SELECT count(*) FROM dw.v_anomalies; SELECT count(*) FROM dw.v_customer_segments; SELECT count(*) FROM dw.v_insights; SELECT count(*) FROM dw.models" >/dev/null 2>&1
	ok $? "doliflow_reader reads the analytics outputs"
fi

q postgres "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
done_testing
