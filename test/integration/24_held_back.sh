#!/usr/bin/env bash
# Rows stamped after the source clock are held back by the extract, never
# without a word: counted per batch, in the extract step's detail and in
# status().  The generated demo source (end date today) writes no such row,
# so a first run extracts every row of every table.  A normal pipeline run at
# client_min_messages = notice prints no internal NOTICE (only doliflow's own).
set -u
. "$(dirname "$0")/../lib.sh"

SRC=df24_src
PG=df24
(unset MYSQL_HOST; df_new_source "$SRC" small 24 "$(date +%F)") || { echo "not ok 1 - generated source loads"; echo "1..1"; exit 1; }
is "$(myq "$SRC" "SELECT COUNT(*) FROM llx_ticket WHERE tms > NOW() OR date_read > NOW() OR date_close > NOW() OR datec > NOW()")" "0" \
   "the generator wrote no ticket time later than the source clock (end date today)"
df_new_pgdb "$PG" && df_connect "$PG" "$SRC"; ok $? "install and connect"
q "$PG" "UPDATE doliflow.settings SET value = 'sql' WHERE name = 'forecast_engine'" >/dev/null
sleep 1.1

# 1. The first run, as a new user runs it: every row of every table, and no
# internal NOTICE (DROP ... IF EXISTS, CREATE ... IF NOT EXISTS).
PGOPTIONS='-c client_min_messages=notice' psql -X -q -d "$PG" -c "CALL doliflow.run_pipeline()" >"$TEST_TMP/24_run1.out" 2>&1
ok $? "the first pipeline run succeeds"
is "$(grep -c '^NOTICE:  doliflow:' "$TEST_TMP/24_run1.out")" "$(grep -c '^NOTICE:' "$TEST_TMP/24_run1.out")" \
   "every NOTICE of the run is doliflow's own (none from DROP IF EXISTS / CREATE IF NOT EXISTS)"
grep '^NOTICE:' "$TEST_TMP/24_run1.out" | grep -v '^NOTICE:  doliflow:' | sort | uniq -c | head -5 | sed 's/^/# /'
bad=""
for t in $(q "$PG" "SELECT table_name FROM doliflow.source_table ORDER BY load_order"); do
	key=$(q "$PG" "SELECT key_column FROM doliflow.source_table WHERE table_name = '$t'")
	[ "$(q "$PG" "SELECT count(*) FROM lake.${t}_current")" = "$(myq "$SRC" "SELECT COUNT(*) FROM $t")" ] || bad="$bad $t"
done
is "$bad" "" "the first run extracted every row of every source table"
is "$(q "$PG" "SELECT coalesce(sum(rows_held_back), 0) FROM lake.batch")" "0" "no row held back"
is "$(q "$PG" "SELECT count(*) FROM dw.v_active_projects")" "$(myq "$SRC" "SELECT COUNT(*) FROM llx_projet WHERE fk_statut = 1")" \
   "dw.v_active_projects lists every open project"
is "$(q "$PG" "SELECT count(*) FROM dw.v_stock_alerts WHERE fk_entrepot IS NOT NULL")" \
   "$(q "$PG" "SELECT count(DISTINCT (s.fk_product, s.fk_entrepot)) FROM lake.llx_product_stock_current s JOIN dw.dim_product p ON p.product_key = s.fk_product JOIN lake.llx_stock_mouvement_current m ON m.fk_product = s.fk_product AND m.fk_entrepot = s.fk_entrepot WHERE coalesce(p.product_type, 0) = 0")" \
   "stock alerts cover the stocked product x warehouse pairs"
is "$(q "$PG" "SELECT rows_out FROM doliflow.run_step WHERE step = 'analytics:forecast' ORDER BY step_id DESC LIMIT 1")" \
   "$(q "$PG" "SELECT count(*) FROM dw.predictions")" "the forecast step's rows_out is the predictions it wrote"
is "$(q "$PG" "SELECT count(*) FILTER (WHERE anomaly_rate IS NULL AND tickets_closed > 0) || ':' || (sum(anomaly_rate * tickets_closed) > 0)::text FROM dw.v_tickets_monthly")" "0:true" \
   "v_tickets_monthly.anomaly_rate is computed for every month with closed tickets"
is "$(q "$PG" "SELECT count(*) FROM dw.v_tickets_monthly m
	WHERE m.anomaly_rate IS DISTINCT FROM (SELECT round(count(*) FILTER (WHERE EXISTS (SELECT 1 FROM dw.v_anomalies a WHERE a.source_table = 'llx_ticket' AND a.source_id = t.ticket_key))::numeric / nullif(count(*), 0), 4)
	  FROM dw.fact_tickets t WHERE t.is_closed AND date_trunc('month', t.closed_at)::date = m.month) AND m.tickets_closed > 0")" "0" \
   "anomaly_rate = closed tickets of the month flagged by the latest anomalies run / tickets closed"

# 2. Rows stamped after the source clock: held back, counted, said.
myq "$SRC" "UPDATE llx_societe SET nom = CONCAT(nom, ' (futur)'), tms = NOW() + INTERVAL 1 DAY WHERE rowid IN (1, 2)"
sleep 1.1
q "$PG" "CALL doliflow.run_pipeline()" >"$TEST_TMP/24_run2.out" 2>&1
is "$(q "$PG" "SELECT detail ->> 'held_back' FROM doliflow.run_step WHERE step = 'extract:llx_societe' ORDER BY step_id DESC LIMIT 1")" "2" \
   "the table's extract step counts the 2 rows newer than the source clock"
q "$PG" "SELECT detail ->> 'note' FROM doliflow.run_step WHERE step = 'extract:llx_societe' ORDER BY step_id DESC LIMIT 1" | grep -q '^2 rows newer than the source clock'
ok $? "and says so: $(q "$PG" "SELECT detail ->> 'note' FROM doliflow.run_step WHERE step = 'extract:llx_societe' ORDER BY step_id DESC LIMIT 1")"
q "$PG" "SELECT detail -> 'report' ->> 'note' FROM doliflow.run_step WHERE step = 'extract' ORDER BY step_id DESC LIMIT 1" | grep -q '^2 rows newer than the source clock'
ok $? "the extract step's detail says it too"
is "$(q "$PG" "SELECT status || ':' || rows FROM doliflow.status() WHERE section = 'data' AND name = 'llx_societe'")" "held back:2" \
   "status() shows the held-back rows of llx_societe"
is "$(q "$PG" "SELECT count(*) FROM lake.llx_societe_current WHERE nom LIKE '% (futur)'")" "0" "they are not in the lake yet"
is "$(q "$PG" "SELECT status FROM doliflow.status() WHERE section = 'data' AND name = 'source data'")" "complete" \
   "held-back rows do not make the source data incomplete"

# 3. The readers see the same: the BI role the views, the batch role status().
psql -X -q -d "$PG" -c "DROP ROLE IF EXISTS df24_bi; CREATE ROLE df24_bi LOGIN IN ROLE doliflow_reader;
	DROP ROLE IF EXISTS df24_batch; CREATE ROLE df24_batch LOGIN IN ROLE doliflow_batch" >/dev/null 2>&1
is "$(PGUSER=df24_bi q "$PG" "SELECT data_complete || ':' || cardinality(missing_tables) || ':' || (source_data_age IS NOT NULL) FROM dw.v_dashboard")|$(PGUSER=df24_bi q "$PG" "SELECT count(*) FILTER (WHERE data_complete AND forecast_current) = count(*) FROM dw.v_stock_alerts")" \
   "true:0:true|t" "the BI reader role reads completeness and age in dw.v_dashboard and dw.v_stock_alerts"
is "$(PGUSER=df24_bi q "$PG" "SELECT count(*) FILTER (WHERE anomaly_rate > 0) > 0 FROM dw.v_tickets_monthly")" "t" \
   "the BI reader role reads v_tickets_monthly.anomaly_rate"
is "$(PGUSER=df24_batch q "$PG" "SELECT string_agg(status, ',' ORDER BY name) FROM doliflow._status_lineage() WHERE section = 'data'" 2>&1)" "held back,complete" \
   "the batch role reads the data section of status() (its provider runs as doliflow_owner)"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PG WITH (FORCE)" -c "DROP ROLE IF EXISTS df24_bi" -c "DROP ROLE IF EXISTS df24_batch" >/dev/null 2>&1
done_testing
