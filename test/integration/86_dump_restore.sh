#!/usr/bin/env bash
# 86_dump_restore: pg_dump -Fc / pg_restore keeps what the user cannot recompute (issue 14, item 4).
#  1. two nightly runs on a generated source with a change between them; settings changed,
#     events added;
#  2. pg_dump -Fc, restore into a fresh database with doliflow installed on a SECOND server
#     (its own cluster from the same private root), connect() again there (the source
#     password is not in the dump);
#  3. the next nightly batch on both; then every doliflow, dw and lake table is compared
#     (see "normalisation" below), and the restored warehouse is coherent with its load state
#     (a full rebuild there changes nothing; its load_state records the same batches).
set -u
. "$(dirname "$0")/../lib.sh"

SRC=df86_src
PG=df86
PGBIN="$DOLIFLOW_RUN_DIR/root/usr/lib/postgresql/$DF_PG_MAJOR/bin"
P2="$TEST_TMP/pg86b"
DUMP="$TEST_TMP/df86.dump"

run() {	# run DB PORT: a nightly run; prints its status
	PGPORT=$2 q "$1" "CALL doliflow.run_pipeline()" >/dev/null 2>>"$TEST_TMP/86_runs.err"
	PGPORT=$2 q "$1" "SELECT status || coalesce(': ' || error, '') FROM doliflow.run_log WHERE kind = 'pipeline' ORDER BY run_id DESC LIMIT 1"
}

df_new_source "$SRC" small 86; ok $? "generated source loads"
df_new_pgdb "$PG" && df_connect "$PG" "$SRC"; ok $? "extension installs and connects"
sleep 1.2
is "$(run "$PG" "$PGPORT")" "success" "nightly run 1"
myq "$SRC" "UPDATE llx_societe SET town = CONCAT(COALESCE(town, ''), ' 86'), tms = NOW() WHERE rowid % 7 = 0;
            DELETE FROM llx_product_stock WHERE rowid % 11 = 0;" ; ok $? "source changes"
q "$PG" "UPDATE doliflow.settings SET value = '9' WHERE name = 'lead_time_default_days';
         UPDATE doliflow.settings SET value = '45' WHERE name = 'forecast_horizon_days';
         INSERT INTO doliflow.events (name, kind, start_date, end_date, expected_effect)
         VALUES ('Salon 86', 'trade_fair', current_date - 20, current_date - 18, 1.5),
                ('Fermeture 86', 'closure', current_date + 3, current_date + 4, 0);" >/dev/null
ok $? "settings changed, events added"
sleep 1.2
is "$(run "$PG" "$PGPORT")" "success" "nightly run 2"

# 2. dump, second server, restore.
PGPORT=$PGPORT pg_dump -Fc -d "$PG" -f "$DUMP" 2>"$TEST_TMP/86_dump.err"; ok $? "pg_dump -Fc"
is "$(pg_restore -a -t settings -f - "$DUMP" | sed -n '/^COPY doliflow.settings /,/^\\\.$/p' | grep -vc '^COPY\|^\\\.$')" "2" \
   "the dump holds only the 2 settings changed by the user"
started=0
for try in 1 2 3; do
	port2=$(df_free_port $((36000 + RANDOM % 2000)))
	rm -rf "$P2"
	if df_pg_start "$P2" "$port2" "$PGBIN" 2>"$TEST_TMP/86_pg2.err"; then started=1; break; fi
	df_pg_stop "$P2"
done
ok $(( started != 1 )) "second PostgreSQL server starts"
trap 'df_pg_stop "$P2"' EXIT
# The usual restore: an empty database; pg_restore creates both extensions (the schema
# doliflow_analytics is in the dump, as for any extension with a fixed schema), then the
# dumped rows of the config tables go in over the installed ones.
PGPORT=$port2 psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE \"$PG\""; ok $? "an empty database on the second server"
PGPORT=$port2 pg_restore -d "$PG" "$DUMP" >"$TEST_TMP/86_restore.out" 2>&1
ok $? "pg_restore succeeds without error"
sed -n '1,15s/^/# /p' "$TEST_TMP/86_restore.out"
is "$(PGPORT=$port2 q "$PG" "SELECT count(*) FROM pg_user_mappings WHERE srvname = 'doliflow_source'")" "0" \
   "the source user mapping is not in the dump"
PGPORT=$port2 df_connect "$PG" "$SRC"; ok $? "connect() again on the restored database"
is "$(PGPORT=$port2 q "$PG" "SELECT count(*) FROM dw.load_state")|$(PGPORT=$port2 q "$PG" "SELECT count(*) FROM dw.fact_tickets")" "0|0" \
   "restored: warehouse and its load state both empty (the next load is a full one)"
is "$(PGPORT=$port2 q "$PG" "SELECT count(*) FROM doliflow.pipeline_lock WHERE holder_pid IS NOT NULL")" "0" "restored: no pipeline claim"

# 3. the next batch on both.
myq "$SRC" "UPDATE llx_ticket SET tms = NOW(), fk_statut = 8 WHERE rowid % 13 = 0" ; ok $? "source change before batch 3"
sleep 1.2
T0=$(q postgres "SELECT clock_timestamp()")
is "$(run "$PG" "$PGPORT")" "success" "nightly run 3 on the original"
is "$(run "$PG" "$port2")" "success" "nightly run 3 on the restored"
LAST=$(q "$PG" "SELECT max(run_id) FROM doliflow.run_log")
is "$(PGPORT=$port2 q "$PG" "SELECT max(run_id) FROM doliflow.run_log")" "$LAST" "run ids continue from the restored sequence"

# Normalisation (each honest because the two databases ran the same batch at different
# wall-clock times, or by design loaded it differently):
#  - a timestamptz at or after T0 (the start of batch 3) is blanked: it is the clock of the
#    batch that ran separately on each side; every value from before the dump must match;
#  - dw.load_state: mode/rows_changed/loaded_at differ by design (full vs incremental);
#    compared on target, last_batch, rows_total, config;
#  - run_step of batch 3: compared on step and status (rows_in/rows_out/detail of a full load
#    differ from an incremental one), all steps of earlier runs completely;
#  - lake.batch.window_hi of batch 3: the source's clock when each side extracted;
#  - lake.watermark.last_tms of a table whose watermark moved in batch 3 (updated_at >= T0):
#    it is the source's clock at that side's extract;
#  - float8 columns of the rows written by batch 3 (run_id >= its run id) rounded to 1e-8: the
#    restored warehouse was rebuilt by a full load, the original incrementally, so the facts'
#    physical order differs and the fits sum in another order (last-bit differences);
#    rows from before the dump are compared exactly;
#  - doliflow.settings.updated_at: a restored setting is written by the restore (the write
#    check stamps every write), its value and domain are compared;
#  - report_pages.html and lake._extracted_at of batch 3 carry the time of day: the html is
#    compared with times and dates of today blanked.
snap() {	# snap PORT TABLE -> md5 of the normalised rows
	PGPORT=$1 q "$PG" "SELECT md5(coalesce(string_agg(x, E'\n' ORDER BY x), '')) FROM (SELECT ROW($(cols "$1" "$2"))::text x FROM $2 t) s"
}
rows() {	# rows PORT TABLE -> the normalised rows
	PGPORT=$1 q "$PG" "SELECT x FROM (SELECT ROW($(cols "$1" "$2"))::text x FROM $2 t) s ORDER BY x"
}
cols() {
	PGPORT=$1 q "$PG" "SELECT string_agg(CASE
		WHEN '$2' = 'doliflow.report_pages' AND a.attname = 'html'
			THEN 'regexp_replace(t.html, ''[0-9]{1,2}[:h][0-9]{2}(:[0-9]{2})?|[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9:.+]+'', ''#'', ''g'')'
		WHEN '$2' = 'lake.batch' AND a.attname = 'window_hi'
			THEN format('CASE WHEN t.started_at < %L THEN t.window_hi END', '$T0')
		WHEN '$2' = 'lake.watermark' AND a.attname = 'last_tms'
			THEN format('CASE WHEN t.updated_at < %L THEN t.last_tms END', '$T0')
		WHEN a.atttypid = 'float8'::regtype AND EXISTS (SELECT 1 FROM pg_attribute r WHERE r.attrelid = a.attrelid AND r.attname = 'run_id')
			THEN format('CASE WHEN t.run_id < $LAST THEN t.%1\$I::text ELSE round(t.%1\$I::numeric, 8)::text END', a.attname)
		WHEN '$2' = 'doliflow.settings' AND a.attname = 'updated_at' THEN 'NULL::text'
		WHEN '$2' = 'doliflow.run_step' AND a.attname IN ('rows_in', 'rows_out', 'detail', 'error')
			THEN format('CASE WHEN t.run_id < $LAST THEN t.%I::text END', a.attname)
		WHEN a.atttypid = 'timestamptz'::regtype
			THEN format('CASE WHEN t.%1\$I < %2\$L THEN t.%1\$I END', a.attname, '$T0')
		ELSE format('t.%I', a.attname) END, ', ' ORDER BY a.attnum)
		FROM pg_attribute a WHERE a.attrelid = '$2'::regclass AND a.attnum > 0 AND NOT a.attisdropped"
}
tables=$(q "$PG" "SELECT string_agg(c.oid::regclass::text, ' ' ORDER BY 1) FROM pg_class c
	WHERE c.relkind = 'r' AND c.relnamespace IN ('doliflow'::regnamespace, 'dw'::regnamespace, 'lake'::regnamespace)
	  AND c.oid NOT IN ('dw.load_state'::regclass, 'doliflow.source_connection'::regclass)")
diff_tables=""
for t in $tables; do
	a=$(snap "$PGPORT" "$t") b=$(snap "$port2" "$t")
	if [ -z "$a" ] || [ "$a" != "$b" ]; then
		diff_tables="$diff_tables $t"
		diff <(rows "$PGPORT" "$t") <(rows "$port2" "$t") | head -6 | sed "s/^/# $t /" | cut -c1-300
	fi
done
is "$diff_tables" "" "every doliflow, dw and lake table equal after batch 3 ($(echo $tables | wc -w) tables)"
ls_() { PGPORT=$1 q "$PG" "SELECT string_agg(target || ':' || last_batch || ':' || rows_total || ':' || coalesce(config::text, ''), ' ' ORDER BY target) FROM dw.load_state"; }
is "$(ls_ "$port2")" "$(ls_ "$PGPORT")" "dw.load_state records the same batches and row counts"
is "$(PGPORT=$port2 q "$PG" "SELECT string_agg(name || '=' || value, ' ' ORDER BY name) FROM doliflow.settings WHERE name IN ('lead_time_default_days', 'forecast_horizon_days')")" \
   "forecast_horizon_days=45 lead_time_default_days=9" "restored: the changed settings"
is "$(PGPORT=$port2 q "$PG" "SELECT count(*) FROM dw.predictions WHERE run_id < (SELECT min(run_id) FROM doliflow.run_log WHERE run_id > 0 AND started_at >= '$T0')")" \
   "$(q "$PG" "SELECT count(*) FROM dw.predictions WHERE run_id < (SELECT min(run_id) FROM doliflow.run_log WHERE started_at >= '$T0')")" "restored: the prediction history"
n_hist=$(q "$PG" "SELECT count(*) FROM dw.predictions")
diag "predictions: $n_hist, runs: $(q "$PG" "SELECT count(*) FROM dw.prediction_runs"), events: $(q "$PG" "SELECT count(*) FROM doliflow.events")"

# Coherence: on the restored database a full rebuild changes no dw table.
before=""; for t in $(echo "$tables" | tr ' ' '\n' | grep '^dw\.\(dim\|fact\)_'); do before="$before $(snap "$port2" "$t")"; done
PGPORT=$port2 q "$PG" "CALL doliflow.load_warehouse(full_rebuild => true)" >/dev/null 2>&1; ok $? "restored: full rebuild"
after=""; for t in $(echo "$tables" | tr ' ' '\n' | grep '^dw\.\(dim\|fact\)_'); do after="$after $(snap "$port2" "$t")"; done
is "$after" "$before" "restored: the warehouse equals a full rebuild of its lake"

df_pg_stop "$P2"
done_testing
