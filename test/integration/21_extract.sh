#!/usr/bin/env bash
# extract(): dirty source -> lake, versions, tombstones, completeness against
# the source, quality report, cleanup.
set -u
. "$(dirname "$0")/../lib.sh"

SRC=df21_src
PG=df21
myroot() { env -u MYSQL_HOST mariadb --no-defaults -S "$MYSQL_SOCKET" -u root --default-character-set=utf8mb4 "$@"; }
myroot -e "DROP DATABASE IF EXISTS $SRC; CREATE DATABASE $SRC CHARACTER SET utf8mb4"
myroot "$SRC" < "$DF_ROOT/test/fixtures/dolibarr.sql" || { echo "not ok 1 - fixture loads"; exit 1; }
# Every kind of dirt, counted by hand:
#  zero/impossible dates: societe 1 (datec 0000-00-00), societe 2 (datec 2024-02-31), facture 2 (datef 0000-00-00) -> 3 rows
#  orphans: ticket 2 (fk_soc 99), stock_mouvement 1 and 2 (product 1 and 2 missing... product 1 exists) -> see below
#  duplicates: societe 3 and 4 (same nom + zip); societe 5 is deleted later
#  end before start: ticket 1 (closed before created)
#  negative quantity: facturedet 2 (qty -3); stock movement 3 (type 1 output with value > 0)
myroot "$SRC" <<'SQL'
SET sql_mode = 'ALLOW_INVALID_DATES';
INSERT INTO llx_societe (rowid, nom, zip, entity, datec, client) VALUES
 (1, 'Dupont 😀 Bâtiment', '75001', 1, '0000-00-00 00:00:00', 1),
 (2, 'Martin Plomberie', '69001', 1, '2024-02-31 10:00:00', 1),
 (3, 'Durand', '13001', 1, '2024-01-02 10:00:00', 1),
 (4, 'Durand', '13001', 1, '2024-01-03 10:00:00', 1),
 (5, 'Temporaire', '33000', 1, '2024-01-03 10:00:00', 0);
INSERT INTO llx_product (rowid, ref, label, entity, datec) VALUES (1, 'P1', 'Tube cuivre 🔧', 1, '2024-01-01 00:00:00');
INSERT INTO llx_entrepot (rowid, ref, entity) VALUES (1, 'Dépôt', 1);
INSERT INTO llx_ticket (rowid, ref, track_id, fk_soc, subject, type_code, fk_statut, datec, date_close) VALUES
 (1, 'T1', 't1', 1, 'fuite 🚿', 'DEPANN', 8, '2024-01-10 08:00:00', '2024-01-09 08:00:00'),
 (2, 'T2', 't2', 99, 'panne', 'DEPANN', 0, '2024-01-10 08:00:00', NULL),
 (3, 'T3', 't3', 3, 'contrôle', 'CONTROLE', 0, '2024-01-11 08:00:00', NULL);
INSERT INTO llx_ticket_extrafields (fk_object, satisfaction, intervention_type, estimated_duration) VALUES (1, 4, 'repair', 2.5);
INSERT INTO llx_facture (rowid, ref, fk_soc, datef, datec, entity) VALUES (1, 'F1', 1, '2024-01-01', '2024-01-01 09:00:00', 1), (2, 'F2', 2, '0000-00-00', '2024-01-01 09:00:00', 1);
INSERT INTO llx_facturedet (rowid, fk_facture, fk_product, qty, total_ht) VALUES (1, 1, 1, 2, 100.5), (2, 1, 1, -3, 20), (3, 2, 1, 1, 1);
INSERT INTO llx_stock_mouvement (rowid, fk_product, fk_entrepot, value, type_mouvement, datem) VALUES
 (1, 1, 1, 5, 3, '2024-01-01 00:00:00'), (2, 1, 1, -2, 2, '2024-01-02 00:00:00'), (3, 1, 1, 4, 1, '2024-01-03 00:00:00'), (4, 7, 1, -1, 2, '2024-01-04 00:00:00');
SQL
df_new_pgdb "$PG" && df_connect "$PG" "$SRC"; ok $? "install and connect"
sleep 1.2	# rows modified in the current second of the source clock wait for the next extract

extract() { psql -X -q -d "$PG" -c "CALL doliflow.extract()" >"$TEST_TMP/21.out" 2>&1; }
last_run() { q "$PG" "SELECT max(run_id) FROM doliflow.run_log WHERE kind = 'extract'"; }
failed_steps() { q "$PG" "SELECT count(*) FROM doliflow.run_step WHERE run_id = $(last_run) AND status <> 'success'"; }
versions() { q "$PG" "SELECT sum(n) FROM (SELECT count(*) n FROM lake.llx_societe UNION ALL SELECT count(*) FROM lake.llx_ticket UNION ALL SELECT count(*) FROM lake.llx_facture UNION ALL SELECT count(*) FROM lake.llx_facturedet UNION ALL SELECT count(*) FROM lake.llx_stock_mouvement UNION ALL SELECT count(*) FROM lake.llx_c_ticket_type UNION ALL SELECT count(*) FROM lake.llx_ticket_extrafields UNION ALL SELECT count(*) FROM lake.llx_product) x"; }

lake_indexes() { q "$PG" "SELECT count(*) || ':' || md5(string_agg(indexdef, ';' ORDER BY indexname)) FROM pg_indexes WHERE schemaname = 'lake'"; }
indexes0=$(lake_indexes)
extract; ok $? "extract() of a dirty source runs without error"
is "$(lake_indexes)" "$indexes0" "the first extract rebuilds every lake index it set aside"
is "$(failed_steps)" "0" "every table step succeeded"
is "$(q "$PG" "SELECT status FROM doliflow.run_log WHERE run_id = $(last_run)")" "success" "the run is logged as success"
is "$(q "$PG" "SELECT count(*) FROM doliflow.run_step WHERE run_id = $(last_run)")" "$(q "$PG" "SELECT count(*) FROM doliflow.source_table")" "one step per source table"

# Row by row against the source.
for t in llx_societe llx_ticket llx_facture llx_facturedet llx_stock_mouvement llx_c_ticket_type llx_c_ticket_category llx_extrafields; do
	src=$(myq "$SRC" "SELECT COUNT(*), COALESCE(SUM(rowid), 0) FROM $t" | tr '\t' '|')
	got=$(q "$PG" "SELECT count(*), coalesce(sum(rowid), 0) FROM lake.${t}_current")
	is "$got" "$src" "$t: lake current = source (count and key sum)"
done
src=$(myq "$SRC" "SET time_zone = '+00:00'; SELECT MD5(GROUP_CONCAT(CONCAT(rowid, ':', tms, ':', ref, ':', subject) ORDER BY rowid SEPARATOR ',')) FROM llx_ticket")
got=$(q "$PG" "SELECT md5(string_agg(rowid || ':' || to_char(tms AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ':' || ref || ':' || subject, ',' ORDER BY rowid)) FROM lake.llx_ticket_current")
is "$got" "$src" "llx_ticket: ordered md5 of key, tms (UTC) and text equal on both sides"
is "$(q "$PG" "SELECT md5(nom) FROM lake.llx_societe_current WHERE rowid = 1")" "$(myq "$SRC" "SELECT MD5(nom) FROM llx_societe WHERE rowid = 1")" "emoji round-trip (utf8mb4)"
is "$(q "$PG" "SELECT rowid || ':' || coalesce(datec::text, 'NULL') || ':' || array_to_string(_invalid_dates, ',') FROM lake.llx_societe_current WHERE rowid IN (1, 2) ORDER BY rowid")" "1:NULL:datec
2:NULL:datec" "zero and impossible dates become NULL and are flagged"
is "$(q "$PG" "SELECT datef IS NULL AND _invalid_dates = '{datef}' FROM lake.llx_facture_current WHERE rowid = 2")" "t" "zero DATE -> NULL"
is "$(q "$PG" "SELECT total_ht FROM lake.llx_facturedet_current WHERE rowid = 1")" "100.50000000" "double(24,8) money -> numeric(24,8)"
is "$(q "$PG" "SELECT (extrafields ->> doliflow.setting('extrafield_satisfaction'))::int || ':' || (extrafields ->> 'intervention_type') || ':' || (extrafields ->> 'estimated_duration') FROM lake.llx_ticket_extrafields_current")" "4:repair:2.5" \
	"ticket extrafields land in the jsonb column, by their setting name"

# No change, no version.
v1=$(versions); extract
is "$(versions)" "$v1" "a second extract with no source change adds no versions"
is "$(failed_steps)" "0" "second extract: every step succeeded"

# Update, insert, delete.
myq "$SRC" "UPDATE llx_ticket SET fk_statut = 8, subject = 'fuite réparée ✅' WHERE rowid = 3;
	DELETE FROM llx_societe WHERE rowid = 5;
	INSERT INTO llx_stock_mouvement (rowid, fk_product, fk_entrepot, value, type_mouvement, datem) VALUES (5, 1, 1, 10, 3, '2024-02-01 00:00:00');
	DELETE FROM llx_facturedet WHERE rowid = 3; UPDATE llx_facture SET note_public = 'edited' WHERE rowid = 2;
	DELETE FROM llx_c_ticket_type WHERE code = 'PROJECT';"
sleep 1.2; extract
is "$(failed_steps)" "0" "third extract succeeded"
is "$(q "$PG" "SELECT count(*) || ':' || (SELECT subject FROM lake.llx_ticket_current WHERE rowid = 3) FROM lake.llx_ticket WHERE rowid = 3")" "2:fuite réparée ✅" \
	"an updated row gets a new version, the current table shows it"
is "$(q "$PG" "SELECT count(*) FILTER (WHERE _deleted) || ':' || (SELECT count(*) FROM lake.llx_societe_current WHERE rowid = 5) FROM lake.llx_societe WHERE rowid = 5")" "1:0" \
	"a deleted row gets a tombstone and leaves the current table"
is "$(q "$PG" "SELECT count(*) FILTER (WHERE _deleted) FROM lake.llx_facturedet WHERE rowid = 3")" "1" "a deleted invoice line gets a tombstone"
is "$(q "$PG" "SELECT count(*) FROM lake.llx_c_ticket_type_current")" "$(myq "$SRC" "SELECT COUNT(*) FROM llx_c_ticket_type")" "a deleted dictionary row leaves the current table"
is "$(q "$PG" "SELECT count(*) FROM lake.llx_stock_mouvement_current")" "5" "new stock movement by rowid"
is "$(q "$PG" "SELECT last_rowid FROM lake.watermark WHERE table_name = 'llx_stock_mouvement'")" "5" "rowid watermark = source max(rowid)"
is "$(q "$PG" "SELECT bool_and(status = 'loaded' AND rows_fetched = source_count) FROM lake.batch WHERE run_id = $(last_run)")" "t" \
	"every batch records rows fetched = the source's own count"

# Quality report: each kind of dirt is found, with the hand-computed counts.
qr() { q "$PG" "SELECT $1 FROM doliflow.quality_report(30) WHERE table_name = '$2'"; }
is "$(qr "zero_dates || ':' || duplicates || ':' || missing_pct || ':' || score" llx_societe)" "2:1:30.00:63.5" \
	"quality llx_societe: 2 zero dates, 1 duplicate, 6 of 20 required cells missing (datec x2, town x4), score 100(1-.3*.3-.3*.25-.4*.5)"
is "$(qr "orphans || ':' || end_before_start || ':' || incoherent_rows || ':' || score" llx_ticket)" "1:1:2:73.3" \
	"quality llx_ticket: 1 orphan customer, 1 closed before created, score 100(1-.4*2/3)"
is "$(qr "negative_quantities || ':' || orphans || ':' || score" llx_stock_mouvement)" "1:1:84.0" \
	"quality llx_stock_mouvement: 1 sign against type, 1 unknown product"
is "$(qr negative_quantities llx_facturedet)" "1" "quality llx_facturedet: 1 negative quantity"
is "$(qr zero_dates llx_facture)" "1" "quality llx_facture: 1 zero date"
is "$(qr score llx_socpeople)" "" "quality: a table without rows has no score"
is "$(qr score '(all)')" "$(q "$PG" "SELECT round(sum(score * rows) / sum(rows), 1) FROM doliflow.quality_report(30) WHERE table_name <> '(all)' AND score IS NOT NULL")" \
	"quality: the global score is the row-weighted mean"
is "$(qr "rows" llx_ticket)" "3" "quality: rows = live rows in the period"
is "$(q "$PG" "SELECT count(*) FROM doliflow.quality_report(1)")" "$(( $(q "$PG" "SELECT count(*) FROM doliflow.source_table") + 1 ))" "quality: one row per table plus (all)"

# Retention: age everything by 100 days, clean at 90: only superseded
# versions and old tombstones go, every current row stays.
cur() { q "$PG" "SELECT md5(string_agg(x, ',' ORDER BY x)) FROM (SELECT 'T' || rowid || subject AS x FROM lake.llx_ticket_current UNION ALL SELECT 'S' || rowid || nom FROM lake.llx_societe_current UNION ALL SELECT 'D' || rowid || qty FROM lake.llx_facturedet_current UNION ALL SELECT 'M' || rowid FROM lake.llx_stock_mouvement_current) y"; }
before=$(cur)
q "$PG" "DO \$\$ DECLARE t text; BEGIN FOR t IN SELECT table_name FROM doliflow.source_table LOOP
	EXECUTE format('UPDATE lake.%I SET _extracted_at = _extracted_at - interval ''100 days''', t);
	EXECUTE format('UPDATE lake.%I SET _extracted_at = _extracted_at - interval ''100 days''', t || '_current'); END LOOP; END \$\$;
	UPDATE lake.batch SET started_at = started_at - interval '100 days', finished_at = finished_at - interval '100 days';
	UPDATE doliflow.run_log SET finished_at = finished_at - interval '100 days' WHERE run_id = (SELECT min(run_id) FROM doliflow.run_log)"
runs=$(q "$PG" "SELECT count(*) FROM doliflow.run_log")
psql -X -q -d "$PG" -c "CALL doliflow.cleanup(90)" >"$TEST_TMP/21.out" 2>&1; ok $? "cleanup(90) runs"
is "$(cur)" "$before" "cleanup keeps every current row"
is "$(q "$PG" "SELECT count(*) FROM lake.llx_ticket WHERE rowid = 3")" "1" "cleanup drops the superseded version"
is "$(q "$PG" "SELECT count(*) FROM lake.llx_societe WHERE rowid = 5")" "0" "cleanup drops an old tombstone with nothing older"
is "$(q "$PG" "SELECT count(*) FROM doliflow.run_log")" "$runs" "cleanup drops the old run log (and logs itself)"
is "$(q "$PG" "SELECT status FROM doliflow.run_log WHERE kind = 'cleanup'")" "success" "cleanup is logged"
extract
is "$(failed_steps)|$(cur)" "0|$before" "extract after cleanup: nothing lost, nothing resurrected"
q "$PG" "CALL doliflow.cleanup(0)" >/dev/null 2>&1; ok $(( $? == 0 )) "cleanup(0) is refused"
q "$PG" "SELECT * FROM doliflow.quality_report(0)" >/dev/null 2>&1; ok $(( $? == 0 )) "quality_report(0) is refused"

is "$(df_lake_drift "$PG")" "" "every lake _current table equals the latest live versions of its history"
psql -X -q -d postgres -c "DROP DATABASE $PG WITH (FORCE)" >/dev/null 2>&1
myroot -e "DROP DATABASE $SRC"
done_testing
