#!/usr/bin/env bash
# 60_stock: stock intelligence on generated data (issue 6).
#  1. a generated Dolibarr source (medium scale, seed 7) goes through extract, load_warehouse and
#     run_analytics('forecast') then ('stock'), the way the nightly batch runs them;
#  2. the stock-outs the generator planted (NAME_truth.truth_stockout) are Critical in
#     dw.v_stock_alerts before they happen, and the level of every single-warehouse item
#     matches the seed's formula recomputed here from dw.predictions and dw.fact_stock;
#  3. back-tests fill dw.predictions with forecasts whose days have actuals, and
#     dw.v_forecast_accuracy equals WAPE, MAPE and MASE recomputed here independently;
#  4. events: for every planted promotion that repeats (truth_promotion), the repeat is
#     forecast with a lower error when the promotions are recorded in doliflow.events
#     (the effect learned from the earlier one) than by the same model without events;
#  5. the 24-hour cache: a second run_analytics('forecast') reuses the predictions, force
#     recomputes; the dashboard shows the timestamp.
set -u
. "$(dirname "$0")/../lib.sh"

SRC=st60_src
PG=st60

# The MariaDB client takes MYSQL_HOST from the environment and then ignores the
# socket load.sh passes: generate without it.
( unset MYSQL_HOST; df_new_source "$SRC" medium 7 ) || { ok 1 "generate the source"; done_testing; }
df_new_pgdb "$PG" && df_connect "$PG" "$SRC"; ok $? "doliflow installed and connected"
# extract() logs a table that failed (e.g. a MariaDB temporary-file error) and the
# next extract() takes it again: up to three tries before the load.
for try in 1 2 3; do
	psql -X -q -v ON_ERROR_STOP=1 -d "$PG" -c "CALL doliflow.extract()" >>"$TEST_TMP/60_load.out" 2>&1
	[ "$(q "$PG" "SELECT status FROM doliflow.run_log WHERE kind = 'extract' ORDER BY run_id DESC LIMIT 1")" = success ] && break
done
is "$(q "$PG" "SELECT status FROM doliflow.run_log WHERE kind = 'extract' ORDER BY run_id DESC LIMIT 1")" success "extract"
psql -X -q -v ON_ERROR_STOP=1 -d "$PG" -c "CALL doliflow.load_warehouse()" >>"$TEST_TMP/60_load.out" 2>&1
ok $? "load_warehouse"
[ "$(q "$PG" "SELECT count(*) > 0 FROM dw.fact_stock")" = t ] || { ok 1 "the warehouse has stock movements"; done_testing; }

# Ground truth, copied from MariaDB into PostgreSQL.
q "$PG" "CREATE TABLE truth_stockout (fk_product int, fk_entrepot int, stock_at_end float8, lead_time_days int, expected_stockout date);
         CREATE TABLE truth_promotion (fk_product int, start_date date, end_date date, uplift float8);" >/dev/null
myq "${SRC}_truth" "SELECT fk_product, fk_entrepot, stock_at_end, lead_time_days, expected_stockout FROM truth_stockout" |
	psql -X -q -d "$PG" -c "COPY truth_stockout FROM STDIN"
myq "${SRC}_truth" "SELECT fk_product, start_date, end_date, uplift FROM truth_promotion" |
	psql -X -q -d "$PG" -c "COPY truth_promotion FROM STDIN"
n_so=$(q "$PG" "SELECT count(*) FROM truth_stockout")
n_promo=$(q "$PG" "SELECT count(*) FROM truth_promotion")
diag "truth: $n_so planted stock-outs, $n_promo promotions"
[ "$n_so" -gt 0 ] && [ "$n_promo" -gt 0 ]; ok $? "the generator planted stock-outs and promotions"

diag "time so far: ${SECONDS}s"
#------------------------------------------------------------------------------
# 1. The nightly modules through the ops dispatcher
#------------------------------------------------------------------------------
psql -X -q -v ON_ERROR_STOP=1 -d "$PG" -c "SET ROLE doliflow_batch" -c "CALL doliflow.run_analytics('forecast')" \
	-c "CALL doliflow.run_analytics('stock')" >"$TEST_TMP/60_analytics.out" 2>&1
ok $? "run_analytics('forecast') then ('stock') as the batch role"
is "$(q "$PG" "SELECT string_agg(step || '=' || status, ' ' ORDER BY step_id) FROM doliflow.run_step
                WHERE step LIKE 'analytics:%' AND step IN ('analytics:forecast', 'analytics:stock')")" \
	"analytics:forecast=success analytics:stock=success" "both modules logged as successful steps"
n_prod=$(q "$PG" "SELECT count(*) FROM doliflow._stock_product")
is "$(q "$PG" "SELECT products || ' ' || rows_written FROM dw.prediction_runs WHERE kind = 'nightly'")" \
	"$n_prod $((n_prod * 90))" "one nightly run: every stockable product x 90 days"
is "$(q "$PG" "SELECT count(*) FROM dw.predictions WHERE yhat < 0 OR lo > yhat OR hi < yhat OR yhat = 'NaN'")" "0" \
	"no negative or NaN forecast, lo <= yhat <= hi"
origin=$(q "$PG" "SELECT origin FROM dw.prediction_runs WHERE kind = 'nightly'")
last_day=$(q "$PG" "SELECT max(day) FROM dw.fact_sales_daily WHERE demand_qty > 0")
is "$origin" "$last_day" "the forecast origin is the last day of loaded demand (the generated data ends in the past)"

diag "time so far: ${SECONDS}s"
#------------------------------------------------------------------------------
# 2. Alerts: planted stock-outs are Critical; levels match the formula
#------------------------------------------------------------------------------
q "$PG" "SELECT t.fk_product, t.fk_entrepot, t.stock_at_end, t.lead_time_days, t.expected_stockout,
                a.level, a.stock, a.lead_time_days, a.demand_lead_time, a.today
           FROM truth_stockout t LEFT JOIN dw.v_stock_alerts a USING (fk_product, fk_entrepot)
          ORDER BY 1, 2" >"$TEST_TMP/60_stockouts.txt"
while read -r line; do diag "planted: $line"; done <"$TEST_TMP/60_stockouts.txt"
# The generator dates a stock-out: the end day when the stock is already 0, else the day
# the mean demand exhausts it within the lead time.
n_future=$(q "$PG" "SELECT count(*) FROM truth_stockout WHERE expected_stockout > (SELECT origin FROM dw.prediction_runs WHERE kind = 'nightly')")
n_crit=$(q "$PG" "SELECT count(*) FROM truth_stockout t JOIN dw.v_stock_alerts a USING (fk_product, fk_entrepot) WHERE a.level = 'Critical'")
n_fut_crit=$(q "$PG" "SELECT count(*) FROM truth_stockout t JOIN dw.v_stock_alerts a USING (fk_product, fk_entrepot)
                       WHERE a.level = 'Critical' AND t.expected_stockout >= a.today AND t.stock_at_end > 0")
diag "planted stock-outs Critical: $n_crit of $n_so; still to come: $n_fut_crit of $n_future Critical before they happen"
[ "$n_future" -gt 0 ]; ok $? "some planted stock-outs are still to come ($n_future)"
is "$(q "$PG" "SELECT count(*) FROM truth_stockout t JOIN dw.v_stock_alerts a USING (fk_product, fk_entrepot)
                WHERE a.level IN ('Critical', 'Attention')")" "$n_so" "every planted stock-out is flagged (Critical or Attention)"
is "$(q "$PG" "SELECT count(*) FROM truth_stockout t JOIN dw.v_stock_alerts a USING (fk_product, fk_entrepot)
                WHERE a.level = 'Critical' AND t.stock_at_end <= 0")" "$((n_so - n_future))" \
	"every planted item already out of stock is Critical"
[ $((100 * n_fut_crit)) -ge $((90 * n_future)) ]; ok $? \
	"at least 90 % of the stock-outs still to come are Critical before they happen ($n_fut_crit of $n_future)"
is "$(q "$PG" "SELECT count(*) FROM truth_stockout t JOIN dw.v_stock_alerts a USING (fk_product, fk_entrepot)
                WHERE a.stock = t.stock_at_end AND a.lead_time_days = t.lead_time_days")" "$n_so" \
	"the alerts see the planted stock and supplier lead time"
diag "levels: $(q "$PG" "SELECT string_agg(level || '=' || n, ' ' ORDER BY level) FROM (SELECT level, count(*) n FROM dw.v_stock_alerts GROUP BY 1) x")"
# Independent recomputation for items of products held in a single warehouse.
bad=$(q "$PG" "
WITH cfg AS (SELECT (SELECT value::int FROM doliflow.settings WHERE name = 'lead_time_default_days') AS dflt,
                    (SELECT value::numeric FROM doliflow.settings WHERE name = 'attention_days') AS att),
run AS (SELECT run_id, origin FROM dw.prediction_runs WHERE kind = 'nightly'),
one AS (SELECT product_key, min(warehouse_key) AS wh, sum(quantity) AS stock FROM dw.fact_stock
         GROUP BY 1 HAVING count(DISTINCT warehouse_key) = 1),
calc AS (
  SELECT o.product_key, o.wh, o.stock,
         CASE WHEN p.supplier_lead_time_days > 0 THEN p.supplier_lead_time_days ELSE cfg.dflt END AS l
    FROM one o JOIN dw.dim_product p USING (product_key) CROSS JOIN cfg WHERE p.product_type = 0),
dem AS (
  SELECT c.*, (SELECT coalesce(sum(yhat), 0) FROM dw.predictions pr, run
                WHERE pr.run_id = run.run_id AND pr.fk_product = c.product_key
                  AND pr.day BETWEEN run.origin + 1 AND run.origin + c.l) AS d
    FROM calc c)
SELECT count(*) FROM dem JOIN dw.v_stock_alerts a ON a.fk_product = dem.product_key AND a.fk_entrepot = dem.wh
 CROSS JOIN cfg
 WHERE a.level IS DISTINCT FROM CASE WHEN dem.stock - dem.d < 0 THEN 'Critical'
                                     WHEN dem.stock - dem.d < cfg.att * dem.d / dem.l THEN 'Attention'
                                     ELSE 'OK' END")
n_one=$(q "$PG" "SELECT count(*) FROM (SELECT product_key FROM dw.fact_stock GROUP BY 1 HAVING count(DISTINCT warehouse_key) = 1) x")
is "$bad" "0" "level = the seed's formula recomputed from dw.predictions and dw.fact_stock ($n_one single-warehouse products)"
# Suggested quantities: multiples of the packaging, never negative.
is "$(q "$PG" "SELECT count(*) FROM dw.v_stock_alerts WHERE suggested_quantity < 0
                 OR (packaging > 0 AND suggested_quantity % packaging <> 0)")" "0" \
	"suggested quantities are >= 0 and multiples of the supplier packaging"
# what_if_order over all warehouses = the formula on the sums.
is "$(q "$PG" "SELECT count(*) FROM (SELECT DISTINCT fk_product, target_date FROM dw.v_stock_alerts WHERE fk_entrepot IS NOT NULL) a,
                 doliflow.what_if_order(a.fk_product, a.target_date) w
                WHERE w.suggested_quantity <> doliflow.suggested_quantity(w.sum_forecast, w.stock,
                      (SELECT value::numeric FROM doliflow.settings WHERE name = 'safety_margin_pct'), w.packaging)
                   OR w.stock <> (SELECT sum(quantity) FROM dw.fact_stock s WHERE s.product_key = a.fk_product)")" "0" \
	"what_if_order() = suggested_quantity() on the product totals"

diag "time so far: ${SECONDS}s"
#------------------------------------------------------------------------------
# 3. Accuracy: back-tests, and the view against an independent recomputation
#------------------------------------------------------------------------------
psql -X -q -v ON_ERROR_STOP=1 -d "$PG" >"$TEST_TMP/60_backtest.out" 2>&1 <<EOF
SET client_min_messages = warning;
SELECT array_agg(fk_product) AS subset FROM doliflow._stock_product WHERE fk_product <= 250 \\gset
SELECT doliflow.generate_predictions('$origin'::date - 56, true, 'backtest', NULL, :'subset');
SELECT doliflow.generate_predictions('$origin'::date - 28, true, 'backtest', NULL, :'subset');
EOF
ok $? "two back-tests of the products up to 250 (origins 56 and 28 days before the end)"
# Written independently: for each product-day the prediction of the run with the latest
# origin before the day (a correlated subquery rather than DISTINCT ON), actuals from
# fact_sales_daily with missing days as 0, errors aggregated by ISO week.
q "$PG" "
CREATE TABLE indep AS
WITH runs AS (SELECT run_id, origin FROM dw.prediction_runs WHERE kind IN ('nightly', 'backtest')),
pairs AS (
  SELECT pr.fk_product, pr.day, pr.yhat, m.mase_scale
    FROM dw.predictions pr JOIN runs r USING (run_id)
    JOIN dw.prediction_models m ON m.run_id = pr.run_id AND m.fk_product = pr.fk_product
   WHERE pr.day <= '$last_day' AND r.origin = (SELECT max(r2.origin) FROM runs r2 WHERE r2.origin < pr.day)),
j AS (
  SELECT p.*, coalesce((SELECT f.demand_qty FROM dw.fact_sales_daily f
                         WHERE f.product_key = p.fk_product AND f.day = p.day), 0)::float8 AS actual
    FROM pairs p)
SELECT extract(isoyear FROM day)::int AS y, extract(week FROM day)::int AS w,
       count(*) AS n, sum(actual) AS act, sum(abs(yhat - actual)) AS err,
       100 * sum(abs(yhat - actual)) / nullif(sum(actual), 0) AS wape,
       100 * avg(abs(yhat - actual) / actual) FILTER (WHERE actual > 0) AS mape,
       avg(abs(yhat - actual) / mase_scale) FILTER (WHERE mase_scale > 0) AS mase
  FROM j GROUP BY 1, 2;
CREATE TABLE indep_weekly AS
SELECT sum(abs(f - a)) AS err, sum(a) AS act FROM (
  SELECT fk_product, extract(isoyear FROM day), extract(week FROM day), sum(yhat) AS f, sum(actual) AS a
    FROM (SELECT pr.fk_product, pr.day, pr.yhat,
                 coalesce((SELECT f.demand_qty FROM dw.fact_sales_daily f WHERE f.product_key = pr.fk_product AND f.day = pr.day), 0) AS actual
            FROM dw.predictions pr JOIN dw.prediction_runs r USING (run_id)
           WHERE r.kind IN ('nightly', 'backtest') AND pr.day <= '$last_day'
             AND r.origin = (SELECT max(r2.origin) FROM dw.prediction_runs r2 WHERE r2.kind IN ('nightly', 'backtest') AND r2.origin < pr.day)) x
   GROUP BY 1, 2, 3) w" >/dev/null
is "$(q "$PG" "SELECT count(*) >= 8 FROM indep")" "t" "the back-tests cover at least 8 ISO weeks with actuals"
is "$(q "$PG" "SELECT count(*) FROM indep i FULL JOIN (SELECT * FROM dw.v_forecast_accuracy WHERE grain = 'week') v
                 ON v.iso_week = format('%s-W%s', i.y, lpad(i.w::text, 2, '0'))
                WHERE v.days IS DISTINCT FROM i.n OR abs(v.wape - i.wape) > 0.006 OR abs(v.mape - i.mape) > 0.006
                   OR abs(v.mase - i.mase) > 0.0006 OR abs(v.accuracy_pct - (100 - i.wape)) > 0.006
                   OR abs(v.actual - i.act) > 0.001")" "0" \
	"v_forecast_accuracy (per week): days, actual, WAPE, MAPE, MASE, accuracy = independent recomputation"
is "$(q "$PG" "SELECT count(*) FROM dw.v_forecast_accuracy v
                WHERE v.grain = 'all' AND abs(v.wape - (SELECT 100 * sum(err) / sum(act) FROM indep)) < 0.006
                  AND v.days = (SELECT sum(n) FROM indep)")" "1" "overall WAPE = independent recomputation"
is "$(q "$PG" "SELECT count(*) FROM dw.v_forecast_accuracy v, indep_weekly i
                WHERE v.grain = 'all' AND abs(v.weekly_wape - 100 * i.err / i.act) < 0.006")" "1" \
	"overall WAPE of weekly totals = independent recomputation"
is "$(q "$PG" "SELECT count(*) FROM (SELECT iso_week, sum(days) d FROM dw.v_forecast_accuracy WHERE grain = 'product_week' GROUP BY 1) p
                JOIN dw.v_forecast_accuracy w ON w.grain = 'week' AND w.iso_week = p.iso_week WHERE w.days <> p.d")" "0" \
	"per-product rows add up to the weekly rows"
diag "accuracy by week (WAPE-based %): $(q "$PG" "SELECT string_agg(iso_week || '=' || accuracy_pct, ' ' ORDER BY week_start) FROM dw.v_forecast_accuracy WHERE grain = 'week'")"
diag "overall: $(q "$PG" "SELECT format('WAPE %s%%, MAPE %s%%, MASE %s, accuracy %s%%, accuracy of weekly totals %s%%', wape, mape, mase, accuracy_pct, weekly_accuracy_pct) FROM dw.v_forecast_accuracy WHERE grain = 'all'")"

diag "time so far: ${SECONDS}s"
#------------------------------------------------------------------------------
# 4. Events: a repeated promotion is forecast better with the learned effect (the first
#    40 repeats, each forecast from the day before it starts, with and without events)
#------------------------------------------------------------------------------
q "$PG" "
INSERT INTO doliflow.events (name, kind, start_date, end_date, scope, scope_id)
SELECT 'Promotion ' || fk_product, 'promotion', start_date, end_date, 'product', fk_product FROM truth_promotion;
CREATE TABLE promo_eval (fk_product int, start_date date, end_date date, uplift float8, with_events float8,
                         without_events float8, actual float8, learned float8);
DO \$\$
DECLARE
	p record;
	r_with bigint;
	r_without bigint;
BEGIN
	SET LOCAL client_min_messages = warning;
	-- every promotion after the first of its product, forecast from the day before it starts
	FOR p IN SELECT t.* FROM truth_promotion t
	          WHERE EXISTS (SELECT 1 FROM truth_promotion e WHERE e.fk_product = t.fk_product AND e.end_date < t.start_date)
	            AND t.end_date <= '$last_day'
	          ORDER BY 1, 2 LIMIT 40
	LOOP
		r_with := doliflow.generate_predictions(p.start_date - 1, true, 'experiment', NULL, ARRAY[p.fk_product]);
		r_without := doliflow.generate_predictions(p.start_date - 1, false, 'experiment', NULL, ARRAY[p.fk_product]);
		INSERT INTO promo_eval
		SELECT p.fk_product, p.start_date, p.end_date, p.uplift,
		       sum(abs(w.yhat - coalesce(f.demand_qty, 0))), sum(abs(wo.yhat - coalesce(f.demand_qty, 0))),
		       sum(coalesce(f.demand_qty, 0)),
		       (SELECT learned_effect FROM doliflow.events e WHERE e.scope_id = p.fk_product AND e.end_date < p.start_date
		         ORDER BY e.end_date DESC LIMIT 1)
		  FROM dw.predictions w
		  JOIN dw.predictions wo ON wo.run_id = r_without AND wo.fk_product = w.fk_product AND wo.day = w.day
		  LEFT JOIN dw.fact_sales_daily f ON f.product_key = w.fk_product AND f.day = w.day
		 WHERE w.run_id = r_with AND w.day BETWEEN p.start_date AND p.end_date;
	END LOOP;
END
\$\$;" >/dev/null
ok $? "repeated promotions forecast with and without events"
n_rep=$(q "$PG" "SELECT count(*) FROM promo_eval")
diag "repeated promotions: $n_rep; $(q "$PG" "SELECT format('WAPE with events %s%%, without %s%%; learned effects %s (planted uplifts %s)',
        round((100 * sum(with_events) / sum(actual))::numeric, 1), round((100 * sum(without_events) / sum(actual))::numeric, 1),
        string_agg(round(learned::numeric, 2)::text, ',' ORDER BY fk_product, start_date),
        string_agg(uplift::text, ',' ORDER BY fk_product, start_date)) FROM promo_eval")"
[ "$n_rep" -gt 0 ]; ok $? "the generator planted repeated promotions ($n_rep)"
is "$(q "$PG" "SELECT sum(with_events) < sum(without_events) FROM promo_eval")" "t" \
	"the repeats have a lower total error with the learned event effect than without events"
n_better=$(q "$PG" "SELECT count(*) FILTER (WHERE with_events < without_events) FROM promo_eval")
[ $((100 * n_better)) -ge $((80 * n_rep)) ]; ok $? "at least 80 % of the repeats are forecast better with the events ($n_better of $n_rep)"
n_close=$(q "$PG" "SELECT count(*) FROM promo_eval WHERE abs(learned - uplift) / uplift <= 0.35")
[ $((100 * n_close)) -ge $((85 * n_rep)) ]; ok $? \
	"the learned effect of the earlier promotion is within 35 % of the planted uplift for at least 85 % of them ($n_close of $n_rep)"

diag "time so far: ${SECONDS}s"
#------------------------------------------------------------------------------
# 5. Cache and dashboard
#------------------------------------------------------------------------------
n_runs=$(q "$PG" "SELECT count(*) FROM dw.prediction_runs WHERE kind = 'nightly'")
stamp=$(q "$PG" "SELECT generated_at FROM dw.v_dashboard")
psql -X -q -v ON_ERROR_STOP=1 -d "$PG" -c "CALL doliflow.run_analytics('forecast')" >"$TEST_TMP/60_cache.out" 2>&1
is "$(q "$PG" "SELECT count(*) FROM dw.prediction_runs WHERE kind = 'nightly'") $(q "$PG" "SELECT generated_at FROM dw.v_dashboard")" \
	"$n_runs $stamp" "a second run within cache_hours reuses the predictions; the stamp stays"
# (the forced run uses the SQL baseline engine: same code path for the cache, 20 times faster)
psql -X -q -v ON_ERROR_STOP=1 -d "$PG" -c "UPDATE doliflow.settings SET value = 'sql' WHERE name = 'forecast_engine'" \
	-c "CALL doliflow.run_analytics('forecast', true)" >>"$TEST_TMP/60_cache.out" 2>&1
is "$(q "$PG" "SELECT count(*) FROM dw.prediction_runs WHERE kind = 'nightly'") $(q "$PG" "SELECT generated_at > '$stamp' FROM dw.v_dashboard")" \
	"$((n_runs + 1)) t" "force recomputes; the dashboard shows the new stamp"
is "$(q "$PG" "SELECT count(*) FROM dw.predictions p JOIN dw.prediction_runs r USING (run_id) WHERE r.kind = 'nightly'")" \
	"$((2 * n_prod * 90))" "the older nightly predictions are kept"
is "$(q "$PG" "SELECT n_critical + n_attention + n_ok = (SELECT count(*) FROM dw.v_stock_alerts)
                  AND n_critical >= $n_so AND jsonb_array_length(top_urgent) = 3 AND revenue_forecast_30d > 0
                  AND (top_urgent -> 0 ->> 'level') = 'Critical' AND cache_fresh
                  AND rotation_rate > 0 AND stock_value > 0 AND revenue_actual_30d > 0
                FROM dw.v_dashboard")" "t" "dashboard: counts, top 3 urgent, rotation, stock value, revenue, fresh cache"
# The BI reader role sees the pages (it has no access to schema doliflow, whose
# formula functions the views call).
psql -X -q -v ON_ERROR_STOP=1 -d "$PG" -c "SET ROLE doliflow_reader" \
	-c "SELECT count(*) FROM dw.v_stock_alerts" -c "SELECT * FROM dw.v_dashboard" \
	-c "SELECT count(*) FROM dw.v_predictions" -c "SELECT count(*) FROM dw.v_forecast_accuracy" >"$TEST_TMP/60_reader.out" 2>&1
ok $? "the BI reader role reads dw.v_stock_alerts, v_dashboard, v_predictions and v_forecast_accuracy"
psql -X -q -d "$PG" -c "SET ROLE doliflow_reader" -c "SELECT * FROM doliflow.events" >/dev/null 2>&1
ok $((1 - $?)) "... and not the doliflow schema"
diag "dashboard: $(q "$PG" "SELECT format('critical %s, attention %s, ok %s, stock value %s, rotation %s, revenue forecast %s vs actual %s (invoiced %s)',
        n_critical, n_attention, n_ok, stock_value, rotation_rate, revenue_forecast_30d, revenue_actual_30d, revenue_invoiced_30d) FROM dw.v_dashboard")"

diag "time so far: ${SECONDS}s"
#------------------------------------------------------------------------------
# 6. The lead-time back-test (C since 0.3.0) against the SQL statement it replaced,
#    kept verbatim in sql/lead_time_errors.sql, on the generated data: the same rows
#    (numbers within 1e-9 relative, arrays in the same order); the time of each.
#    On a sample of the products (every 16th): the old statement pairs every day of a
#    product with each of its decision days once receptions name their supplier order,
#    about 0.3 s a product on the medium data.
#------------------------------------------------------------------------------
sed -n '/^CREATE FUNCTION pg_temp.lead_time_errors_sql(/,/^\$\$;$/p' "$DF_ROOT/sql/lead_time_errors.sql" |
	sed 's/^CREATE FUNCTION pg_temp\./CREATE FUNCTION lte_oracle./' >"$TEST_TMP/60_lte_sql.sql"
psql -X -q -v ON_ERROR_STOP=1 -d "$PG" -c "CREATE SCHEMA lte_oracle" -f "$TEST_TMP/60_lte_sql.sql" -c "
CREATE FUNCTION lte_oracle.close(a float8, b float8) RETURNS boolean LANGUAGE sql IMMUTABLE AS \$\$
	SELECT a = b OR abs(a - b) <= 1e-9 * greatest(abs(a), abs(b)) \$\$;
CREATE FUNCTION lte_oracle.compare(p_last_origin date, p_origins int, p_step int)
RETURNS TABLE (rows_new bigint, rows_old bigint, unmatched bigint, models_differ bigint, errors_differ bigint, errors bigint)
LANGUAGE sql AS \$\$
	WITH p AS (SELECT array_agg(fk_product) AS p FROM doliflow._stock_product WHERE fk_product % 16 = 1),
	n AS (SELECT e.* FROM p, doliflow._lead_time_errors(p_last_origin, p_origins, p_step, p.p) e),
	o AS (SELECT e.* FROM p, lte_oracle.lead_time_errors_sql(p_last_origin, p_origins, p_step, p.p) e)
	SELECT (SELECT count(*) FROM n), (SELECT count(*) FROM o),
		   count(*) FILTER (WHERE n.fk_product IS NULL OR o.fk_product IS NULL),
		   count(*) FILTER (WHERE NOT (lte_oracle.close(n.level, o.level) AND lte_oracle.close(n.sigma, o.sigma)
									 AND n.lead_time_days = o.lead_time_days AND n.risk_days = o.risk_days
									 AND (SELECT bool_and(lte_oracle.close(x, y)) FROM unnest(n.dow_factor, o.dow_factor) u(x, y)))),
		   count(*) FILTER (WHERE NOT (n.days = o.days AND n.known_on = o.known_on AND cardinality(n.errors) = cardinality(o.errors)
									 AND coalesce((SELECT bool_and(lte_oracle.close(x, y)) FROM unnest(n.errors, o.errors) u(x, y)), true))),
		   sum(cardinality(n.errors))
	  FROM n FULL JOIN o ON o.fk_product = n.fk_product AND o.origin = n.origin \$\$;
-- milliseconds of one call of either (all products)
CREATE FUNCTION lte_oracle.ms(p_c boolean, p_last_origin date, p_origins int, p_step int) RETURNS numeric
LANGUAGE plpgsql AS \$\$
DECLARE
	v_p int[] := (SELECT array_agg(fk_product) FROM doliflow._stock_product WHERE p_c OR fk_product % 16 = 1);
	t0 timestamptz := clock_timestamp();
	n bigint;
BEGIN
	IF p_c THEN
		SELECT count(*) INTO n FROM doliflow._lead_time_errors(p_last_origin, p_origins, p_step, v_p);
	ELSE
		SELECT count(*) INTO n FROM lte_oracle.lead_time_errors_sql(p_last_origin, p_origins, p_step, v_p);
	END IF;
	RETURN round(extract(epoch FROM clock_timestamp() - t0) * 1000);
END \$\$;" >"$TEST_TMP/60_lte.out" 2>&1
ok $? "the SQL statement of the lead-time back-test, as a test function"
n_lt=$(q "$PG" "SELECT count(*) FROM doliflow._stock_lead_times WHERE fk_product % 16 = 1")
n_sample=$(q "$PG" "SELECT count(*) FROM doliflow._stock_product WHERE fk_product % 16 = 1")
# the nightly safety stocks' call (182 days, weekly) and the simulator's (refits every 14 days)
for args in "'$origin'::date, 27, 7" "'$origin'::date - 30, 20, 14"; do
	res=$(q "$PG" "SELECT rows_new = rows_old AND unmatched = 0, models_differ, errors_differ, rows_new, errors FROM lte_oracle.compare($args)")
	read -r same models errs rows n_err <<<"$(echo "$res" | tr '|' ' ')"
	is "$same $models $errs" "t 0 0" "_lead_time_errors($args) = the SQL statement: $rows rows, $n_err errors ($n_sample products, $n_lt real lead times)"
done
[ "${rows:-0}" -gt 0 ] && [ "${n_err:-0}" -gt 0 ]; ok $? "the comparison saw models and errors"
t_sql=$(q "$PG" "SELECT lte_oracle.ms(false, '$origin', 27, 7)")
t_c=$(q "$PG" "SELECT lte_oracle.ms(true, '$origin', 27, 7)")
t_c2=$(q "$PG" "SELECT lte_oracle.ms(true, '$origin', 27, 7)")
diag "_lead_time_errors('$origin', 27, 7): SQL statement ${t_sql} ms for $n_sample products, C ${t_c} ms (again ${t_c2} ms) for all $n_prod"

done_testing
