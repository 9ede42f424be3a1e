#!/usr/bin/env bash
# 87_upgrade: a user of each earlier release upgrades to the current build (issue 14).
# For each release (0.1.0 = 8a40951, 0.2.0 = 060f743; commits, not tags, so that a
# clone without tags runs it):
#  1. the release (git archive) is built and installed into its own private root, the
#     way a real user has the old .so; a cluster started there gets CREATE EXTENSION
#     doliflow VERSION 'old', a full pipeline on a generated source, changed settings
#     and an event;
#  2. the current build is installed over it (make install overwrites the .so) and
#     ALTER EXTENSION doliflow UPDATE runs (after CREATE EXTENSION doliflow_analytics
#     when that extension exists);
#  3. (a) the catalog of the extension objects (test/upgrade/catalog.sql) equals a fresh
#     install's, (b) settings, events, prediction history, lake and run log are kept,
#     (c) the next incremental run gives the warehouse a full rebuild gives.
set -u
. "$(dirname "$0")/../lib.sh"

okr() { ok "$1" "$2"; return "$1"; }	# ok, and the status for a || diagnosis
NEWV=$(sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" "$DF_ROOT/doliflow.control")
TABLES="dim_date dim_customer dim_project dim_technician dim_product dim_warehouse fact_tickets fact_stock fact_invoice_lines fact_sales_daily"

upgrade_from() {	# upgrade_from COMMIT: install that release, use it, upgrade, compare
	local FROM=$1 OLDV W DB SRC keep_sql old_api new_api bad t db
	OLDV=$(git -C "$DF_ROOT" show "$FROM:doliflow.control" | sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p")
	W=$TEST_TMP/up87_$OLDV DB=up87_${OLDV//./_} SRC=up87_src_${OLDV//./_}
	rm -rf "$W"; mkdir -p "$W/old"
	chmod 755 "$W"
	diag "upgrade from $OLDV ($FROM) to $NEWV"
	git -C "$DF_ROOT" archive "$FROM" | tar -x -C "$W/old" || { ok 1 "git archive $FROM"; done_testing; }
	df_make_pgroot "$W/root"
	make -C "$W/old" -s with_llvm=no >/dev/null 2>"$W/old_build.err" &&
		make -C "$W/old" -s with_llvm=no install DESTDIR="$W/root" >/dev/null 2>>"$W/old_build.err"
	okr $? "$OLDV builds and installs into its own root" || cat "$W/old_build.err"
	chmod -R a+rX "$W/root"
	BIN=$W/root/usr/lib/postgresql/$DF_PG_MAJOR/bin
	PORT=$(df_free_port)
	trap "df_pg_stop '$W/pg'" EXIT
	if ! df_pg_start "$W/pg" "$PORT" "$BIN" 2>"$W/pg_start.err"; then
		# say why, then try once more on another port (a CI run saw this start fail)
		while IFS= read -r l; do diag "first start on port $PORT: $l"; done <"$W/pg_start.err"
		df_pg_stop "$W/pg"; rm -rf "$W/pg"
		PORT=$(df_free_port $((PORT + 100)))
		df_pg_start "$W/pg" "$PORT" "$BIN" 2>"$W/pg_start.err"
	fi
	okr $? "a cluster runs from the $OLDV root (port $PORT)" || while IFS= read -r l; do diag "$l"; done <"$W/pg_start.err"
	export PGPORT=$PORT

	psql -Xq -d postgres -c "CREATE DATABASE $DB" -c "CREATE DATABASE ${DB}_fresh" -c "CREATE DATABASE ${DB}_full" >/dev/null
	q $DB "CREATE EXTENSION doliflow VERSION '$OLDV' CASCADE" >/dev/null 2>&1
	is "$(q $DB "SELECT extversion FROM pg_extension WHERE extname = 'doliflow'")" "$OLDV" "CREATE EXTENSION doliflow $OLDV"

	df_new_source "$SRC" small 87
	df_connect $DB "$SRC"
	q $DB "CALL doliflow.run_pipeline()" >/dev/null 2>"$W/run1.err"; okr $? "$OLDV: full pipeline" || tail -5 "$W/run1.err"
	q $DB "UPDATE doliflow.settings SET value = '15' WHERE name = 'safety_margin_pct';
	        UPDATE doliflow.settings SET value = '02:15' WHERE name = 'nightly_time';
	        INSERT INTO doliflow.events (name, kind, start_date, end_date, scope, expected_effect)
	        VALUES ('Promo 87 $OLDV', 'promotion', current_date + 10, current_date + 20, 'all', 1.5)" >/dev/null
	ok $? "$OLDV: settings and an event changed"

	keep_sql="SELECT 'setting', name || '=' || value FROM doliflow.settings
	 UNION ALL SELECT 'events', md5(string_agg(e::text, ',' ORDER BY event_id)) FROM doliflow.events e
	 UNION ALL SELECT 'prediction_runs', md5(string_agg(p.run_id || '/' || p.generated_at || '/' || p.rows_written, ',' ORDER BY p.run_id, p.generated_at)) FROM dw.prediction_runs p
	 UNION ALL SELECT 'predictions', count(*)::text FROM dw.predictions
	 UNION ALL SELECT 'run_log', md5(string_agg(r.run_id || '/' || r.status, ',' ORDER BY r.run_id)) FROM doliflow.run_log r
	 UNION ALL SELECT 'lake.batch', md5(string_agg(b.batch_id::text, ',' ORDER BY b.batch_id)) FROM lake.batch b
	 UNION ALL SELECT 'lake.llx_ticket', count(*)::text FROM lake.llx_ticket
	 UNION ALL SELECT 'lake.llx_stock_mouvement', count(*)::text FROM lake.llx_stock_mouvement"
	q $DB "$keep_sql" >"$W/keep_before.txt" 2>&1; ok $? "the user's data is listed before the upgrade"

	# 2. the new build over the old one, then ALTER EXTENSION UPDATE
	df_install_private "$W/root"; ok $? "the current build installs over $OLDV"

	if [ "$OLDV" = 0.1.0 ]; then
	# Between the install and ALTER EXTENSION UPDATE the database still has 0.1.0's declarations,
	# which name C symbols of doliflow.so: doliflow.so forwards them to doliflow_analytics.so
	# (src/pg_compat_0_1_0.c), so they work and give what the new declarations give (0.1.0's
	# forecast_array, which had no frequency, gets {"freq": "day"}, as 0.1.0 read every array).
	old_api="WITH s AS (SELECT date '2025-01-01' + i AS day, (10 + 3 * sin(i) + (i % 7))::float8 AS y FROM generate_series(1, 120) i)
	 SELECT 'forecast', doliflow.forecast_summary(doliflow.forecast_fit(day, y))::text FROM s
	 UNION ALL SELECT 'kmeans', doliflow.kmeans_info(doliflow.kmeans(ARRAY[i % 7, i % 3]::float8[], 2))::text FROM generate_series(1, 50) i
	 UNION ALL SELECT 'robust', doliflow.robust_stats(i::float8)::text FROM generate_series(1, 50) i
	 UNION ALL SELECT 'iforest', round(doliflow.iforest_score(m, ARRAY[100, 0]::float8[])::numeric, 6)::text
	   FROM (SELECT doliflow.iforest_fit(ARRAY[i, i % 5]::float8[]) AS m FROM generate_series(1, 200) i) f
	 UNION ALL SELECT 'forecast_array', doliflow.forecast_summary(doliflow.forecast_array(
	   (SELECT array_agg((10 + 3 * sin(i) + (i % 7))::float8 ORDER BY i) FROM generate_series(1, 120) i), date '2025-01-01'/*opts*/))::text"
	new_api=$(echo "$old_api" | sed -e 's/doliflow\./doliflow_analytics./g; s/doliflow_analytics\.kmeans_info(/doliflow_analytics.kmeans_summary(/; s/doliflow_analytics\.kmeans(/doliflow_analytics.kmeans_fit(/' -e "s|/\\*opts\\*/|, '{\"freq\": \"day\"}'|")
	q $DB "$old_api" >"$W/old_api.txt" 2>&1; okr $? "0.1.0's declarations still work over the new library, before the update" || sed 's/^/#   /' "$W/old_api.txt" | head -5
	psql -Xq -d postgres -c "CREATE DATABASE ${DB}_api" >/dev/null; q ${DB}_api "CREATE EXTENSION doliflow_analytics" >/dev/null 2>&1
	q ${DB}_api "$new_api" >"$W/new_api.txt" 2>&1
	is "$(cat "$W/old_api.txt")" "$(cat "$W/new_api.txt")" "... and give what the new declarations give"
	else
		# the old declarations over the new .so (a night between make install and the update)
		q "$DB" "CALL doliflow.run_pipeline()" >/dev/null 2>"$W/run_between.err"
		okr $? "$OLDV's declarations run the pipeline over the new library, before the update" || tail -5 "$W/run_between.err"
		q "$DB" "$keep_sql" >"$W/keep_before.txt" 2>&1
	fi
	if [ -f "$W/root/usr/share/postgresql/$DF_PG_MAJOR/extension/doliflow_analytics.control" ]; then
		q $DB "CREATE EXTENSION IF NOT EXISTS doliflow_analytics; ALTER EXTENSION doliflow_analytics UPDATE" >/dev/null 2>"$W/ana.err"
		okr $? "doliflow_analytics installed or updated" || cat "$W/ana.err"
	fi
	q $DB "ALTER EXTENSION doliflow UPDATE" >/dev/null 2>"$W/update.err"; okr $? "ALTER EXTENSION doliflow UPDATE" || { head -20 "$W/update.err" | sed "s/^/# /"; }
	is "$(q $DB "SELECT extversion FROM pg_extension WHERE extname = 'doliflow'")" \
		"$NEWV" "the extension is at the new version $NEWV"

	# (a) the catalog equals a fresh install's
	for db in ${DB}_fresh ${DB}_full; do
		q "$db" "CREATE EXTENSION doliflow CASCADE" >/dev/null 2>&1
		[ -f "$W/root/usr/share/postgresql/$DF_PG_MAJOR/extension/doliflow_analytics.control" ] &&
			q "$db" "CREATE EXTENSION doliflow_analytics" >/dev/null 2>&1
	done
	psql -XAtq -d $DB -f "$DF_ROOT/test/upgrade/catalog.sql" >"$W/cat_upgraded.txt" 2>&1
	psql -XAtq -d ${DB}_fresh -f "$DF_ROOT/test/upgrade/catalog.sql" >"$W/cat_fresh.txt" 2>&1
	diff -u "$W/cat_fresh.txt" "$W/cat_upgraded.txt" >"$W/cat.diff"
	okr $? "(a) the upgraded catalog equals a fresh install's ($(wc -l <"$W/cat_fresh.txt") lines)" ||
		{ diag "diff fresh -> upgraded (first 80 lines):"; head -80 "$W/cat.diff" | sed 's/^/#   /'; }

	# (b) the user's data and settings are kept
	q $DB "$keep_sql" >"$W/keep_after.txt" 2>&1
	# kept = nothing lost or changed (settings added since are new lines)
	sort "$W/keep_before.txt" >"$W/kb"; sort "$W/keep_after.txt" >"$W/ka"
	comm -23 "$W/kb" "$W/ka" >"$W/keep.diff"; [ ! -s "$W/keep.diff" ]; okr $? "(b) settings, events, predictions, run log and lake are kept" ||
		sed 's/^/#   /' "$W/keep.diff"
	is "$(q $DB "SELECT value FROM doliflow.settings WHERE name IN ('safety_margin_pct', 'nightly_time') ORDER BY name")" \
		"$(printf '02:15\n15')" "(b) the changed settings keep their values"
	is "$(q $DB "SELECT count(*) FROM doliflow.settings WHERE min_value IS NOT NULL OR allowed_values IS NOT NULL OR value_pattern IS NOT NULL")" \
		"$(q ${DB}_fresh "SELECT count(*) FROM doliflow.settings WHERE min_value IS NOT NULL OR allowed_values IS NOT NULL OR value_pattern IS NOT NULL")" \
		"(b) every setting has the domain a fresh install gives it"

	# (c) the next incremental run equals a full rebuild
	myq "$SRC" "UPDATE llx_ticket SET fk_statut = 8, date_close = NOW() WHERE rowid % 7 = 0 AND fk_statut <> 8;
	            DELETE FROM llx_element_time WHERE rowid % 11 = 0" >/dev/null 2>&1
	q $DB "CALL doliflow.run_pipeline()" >/dev/null 2>"$W/run2.err"; okr $? "after the upgrade: pipeline" || tail -5 "$W/run2.err"
	is "$(q $DB "SELECT string_agg(DISTINCT mode, ',') FROM dw.load_state")" full "the first load after the upgrade is a full one (every upgrade empties dw.load_state)"
	myq "$SRC" "UPDATE llx_ticket SET fk_statut = 8, date_close = NOW() WHERE rowid % 5 = 0 AND fk_statut <> 8;
	            DELETE FROM llx_element_time WHERE rowid % 13 = 0" >/dev/null 2>&1
	q $DB "CALL doliflow.run_pipeline()" >/dev/null 2>"$W/run2b.err"; okr $? "then an incremental pipeline" || tail -5 "$W/run2b.err"
	is "$(q $DB "SELECT string_agg(DISTINCT mode, ',') FROM dw.load_state")" incremental "the next run loads incrementally"
	# the same database rebuilt in full from its own lake: what the incremental load made must
	# be what a full load makes (a fresh database would also differ by its lake history)
	for t in $TABLES; do
		q $DB "SELECT '$t', md5(string_agg(x::text, E'\n' ORDER BY x::text)) FROM dw.$t x"
	done >"$W/incr.md5" 2>&1
	q $DB "CALL doliflow.load_warehouse(full_rebuild => true)" >/dev/null 2>"$W/run3.err"; okr $? "full rebuild of the upgraded database" || tail -5 "$W/run3.err"
	for t in $TABLES; do
		q $DB "SELECT '$t', md5(string_agg(x::text, E'\n' ORDER BY x::text)) FROM dw.$t x"
	done >"$W/full.md5" 2>&1
	bad=$(diff "$W/incr.md5" "$W/full.md5" | sed -n 's/^> \([a-z_]*\)|.*/\1/p' | tr '\n' ' ' | sed 's/ $//')
	is "$bad" "" "(c) the incremental warehouse after the upgrade equals a full rebuild, table by table"
	is "$(df_lake_drift $DB)" "" "(c) no lake drift after the upgrade"

	df_pg_stop "$W/pg"; trap - EXIT
}

for from in 8a40951 060f743; do upgrade_from "$from"; done
done_testing
