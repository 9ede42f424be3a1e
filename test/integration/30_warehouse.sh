#!/usr/bin/env bash
# 30_warehouse: the warehouse (issue 4).
#  1. a generated Dolibarr source is extracted into the lake and loaded into dw (full);
#  2. rounds of inserts, updates and deletes on the source (admin account), each followed by
#     extract + incremental load; after every round the incremental warehouse must equal,
#     table by table and row by row, a full rebuild made from the same source in a second
#     database; at the end also a full rebuild in the same database;
#  3. the three report views equal the same figures computed on the MariaDB side;
#  4. the run log and status() describe the loads.
set -u
. "$(dirname "$0")/../lib.sh"

SRC=wh30_src
INC=wh30_incr
FULL=wh30_full
TABLES="dim_date dim_customer dim_project dim_technician dim_product dim_warehouse fact_tickets fact_stock fact_invoice_lines fact_sales_daily"

my() { mariadb --no-defaults -h "$MYSQL_HOST" -P "$MYSQL_PORT" -u "$MYSQL_USER" -p"$MYSQL_PWD" \
	--default-character-set=utf8mb4 "$@"; }

# The source: the project's generator when it is there, else the fixture DDL and a small
# deterministic data set with the usual dirt (orphan keys, out-of-range satisfaction,
# incoherent dates, links in both directions, duplicate-looking towns).
new_source() {
	if [ -x "$DF_ROOT/test/generator/load.sh" ]; then
		"$DF_ROOT/test/generator/load.sh" --host "$MYSQL_HOST" --port "$MYSQL_PORT" --user "$MYSQL_USER" \
			--db "$SRC" --scale small --seed 42 >/dev/null
	else
		my -e "DROP DATABASE IF EXISTS $SRC; CREATE DATABASE $SRC" &&
		my "$SRC" < "$DF_ROOT/test/fixtures/dolibarr.sql" &&
		my "$SRC" <<'SQL'
SET sql_mode = '';
INSERT INTO llx_user (rowid, entity, login, firstname, lastname, job, thm, tjm, employee, statut, dateemployment)
SELECT seq, 1, CONCAT('tech', seq), ELT(1 + seq % 5, 'Jean', 'Marie', 'Luc', 'Sophie', 'Ahmed'),
       CONCAT('Nom', seq), ELT(1 + seq % 3, 'Plombier', 'Électricien', 'Chauffagiste'),
       25 + seq * 2.5, 200 + seq * 20, 1, IF(seq = 8, 0, 1), DATE('2020-01-01') + INTERVAL seq MONTH
  FROM (SELECT CAST(seq AS SIGNED) AS seq FROM seq_1_to_8) s;
INSERT INTO llx_societe (rowid, nom, entity, status, client, fournisseur, zip, town, fk_pays, datec, code_client)
SELECT seq, CONCAT('Client ', seq), 1 + (seq % 13 = 0), IF(seq % 11 = 0, 0, 1), 1 + seq % 3, seq % 7 = 0,
       LPAD(69000 + seq, 5, '0'), ELT(1 + seq % 6, 'Lyon', 'Villeurbanne', ' Lyon ', 'Paris', NULL, 'Grenoble'),
       1, DATE('2022-01-01') + INTERVAL seq * 5 DAY, CONCAT('CU', seq)
  FROM (SELECT CAST(seq AS SIGNED) AS seq FROM seq_1_to_40) s;
INSERT INTO llx_projet (rowid, fk_soc, datec, dateo, datee, ref, entity, title, fk_user_creat, fk_statut, budget_amount, date_close)
SELECT seq, 1 + seq * 3 % 40, DATE('2023-01-01') + INTERVAL seq * 20 DAY, DATE('2023-01-15') + INTERVAL seq * 20 DAY,
       DATE('2023-01-15') + INTERVAL seq * 20 + 90 + seq * 30 DAY, CONCAT('PJ', seq), 1, CONCAT('Chantier ', seq), 1,
       IF(seq % 4 = 0, 2, IF(seq = 1, 0, 1)), IF(seq = 3, NULL, 5000 + seq * 1500),
       IF(seq % 4 = 0, DATE('2024-06-01') + INTERVAL seq DAY, NULL)
  FROM (SELECT CAST(seq AS SIGNED) AS seq FROM seq_1_to_12) s;
INSERT INTO llx_projet_task (rowid, ref, entity, fk_projet, label, planned_workload, datec, fk_statut)
SELECT seq, CONCAT('T', seq), 1, 1 + seq % 12, CONCAT('Tâche ', seq), 3600 * (10 + seq % 30), DATE('2023-02-01') + INTERVAL seq DAY, 1
  FROM (SELECT CAST(seq AS SIGNED) AS seq FROM seq_1_to_40) s;
INSERT INTO llx_element_time (rowid, fk_element, elementtype, element_date, element_duration, fk_user, thm, datec)
SELECT seq, 1 + seq % 40, IF(seq % 25 = 0, 'ticket', 'task'), DATE('2023-03-01') + INTERVAL seq DAY, 1800 * (1 + seq % 9),
       1 + seq % 8, IF(seq % 5 = 0, NULL, 30 + seq % 7), DATE('2023-03-01') + INTERVAL seq DAY
  FROM (SELECT CAST(seq AS SIGNED) AS seq FROM seq_1_to_300) s;
INSERT INTO llx_entrepot (rowid, ref, entity, lieu, town, statut, fk_project, datec)
VALUES (1, 'Dépôt central', 1, 'Vénissieux', 'Vénissieux', 1, NULL, '2022-01-01'),
       (2, 'Camion 1', 1, NULL, 'Lyon', 1, NULL, '2022-01-01'),
       (3, 'Chantier PJ2', 1, NULL, 'Lyon', 1, 2, '2023-02-01');
INSERT INTO llx_product (rowid, ref, entity, label, price, cost_price, pmp, fk_product_type, seuil_stock_alerte, desiredstock, tosell, tobuy, stock, packaging, datec)
SELECT seq, CONCAT('PRD', seq), 1, CONCAT('Produit ', seq), 10 + seq, 5 + seq / 2, 6 + seq / 3, IF(seq % 10 = 0, 1, 0),
       IF(seq % 3 = 0, NULL, 5 + seq % 10), 20 + seq, 1, 1, 0, IF(seq % 4 = 0, 10, NULL), '2022-01-01'
  FROM (SELECT CAST(seq AS SIGNED) AS seq FROM seq_1_to_30) s;
INSERT INTO llx_product_fournisseur_price (rowid, entity, fk_product, fk_soc, ref_fourn, price, quantity, unitprice, tva_tx, delivery_time_days, packaging, status)
SELECT seq, 1, 1 + seq % 30, 7, CONCAT('F', seq), 5 + seq % 9, 1, 5 + seq % 9, 20, IF(seq % 6 = 0, NULL, 2 + seq % 12), IF(seq % 5 = 0, 25, NULL), IF(seq % 9 = 0, 0, 1)
  FROM (SELECT CAST(seq AS SIGNED) AS seq FROM seq_1_to_45) s;
INSERT INTO llx_stock_mouvement (rowid, datem, fk_product, fk_entrepot, value, price, type_mouvement, label, fk_projet, fk_origin, origintype)
SELECT seq, TIMESTAMP('2023-01-02 08:00:00') + INTERVAL seq * 7 HOUR, 1 + seq % 30, 1 + seq % 3,
       CASE seq % 5 WHEN 0 THEN 20 + seq % 7 WHEN 1 THEN -(1 + seq % 4) WHEN 2 THEN -(1 + seq % 3) WHEN 3 THEN -(2 + seq % 5) ELSE 3 END,
       4 + seq % 11, CASE seq % 5 WHEN 0 THEN 3 WHEN 1 THEN 2 WHEN 2 THEN 1 WHEN 3 THEN 2 ELSE 0 END,
       CONCAT('Mvt ', seq), IF(seq % 7 = 0, 1 + seq % 12, 0), seq, IF(seq % 5 IN (1, 3), 'facture', NULL)
  FROM (SELECT CAST(seq AS SIGNED) AS seq FROM seq_1_to_2500) s;
INSERT INTO llx_product_stock (rowid, fk_product, fk_entrepot, reel)
SELECT ROW_NUMBER() OVER (ORDER BY fk_product, fk_entrepot), fk_product, fk_entrepot, SUM(value)
  FROM llx_stock_mouvement GROUP BY fk_product, fk_entrepot;
INSERT INTO llx_ticket (rowid, entity, ref, track_id, fk_soc, fk_project, fk_user_assign, fk_statut, type_code, category_code, severity_code, datec, date_read, date_close, subject)
SELECT seq, 1, CONCAT('TK', seq), MD5(seq), IF(seq % 17 = 0, 0, 1 + seq % 40), IF(seq % 3 = 0, 1 + seq % 12, 0),
       IF(seq % 19 = 0, NULL, 1 + seq % 8),
       ELT(1 + seq % 8, 8, 8, 8, 3, 0, 9, 8, 2),
       ELT(1 + seq % 6, 'MAINT', 'DEPANN', 'INSTALL', 'CONTROLE', 'URGENCE', 'NOPE'),
       ELT(1 + seq % 4, 'PLOMB', 'ELEC', 'CVC', 'FUITE'), ELT(1 + seq % 4, 'LOW', 'NORMAL', 'HIGH', 'BLOCKING'),
       TIMESTAMP('2023-01-03 09:00:00') + INTERVAL seq * 61 HOUR,
       IF(seq % 8 = 4, NULL, TIMESTAMP('2023-01-03 09:00:00') + INTERVAL seq * 61 HOUR + INTERVAL 30 + seq % 300 MINUTE),
       IF(ELT(1 + seq % 8, 8, 8, 8, 3, 0, 9, 8, 2) IN (8, 9), TIMESTAMP('2023-01-03 09:00:00') + INTERVAL seq * 61 HOUR + INTERVAL IF(seq = 50, -5, 2 + seq % 97) HOUR, NULL),
       CONCAT('Sujet ', seq)
  FROM (SELECT CAST(seq AS SIGNED) AS seq FROM seq_1_to_400) s;
INSERT INTO llx_ticket_extrafields (rowid, fk_object, satisfaction, estimated_duration, intervention_type, intervention_cost)
SELECT seq, seq, IF(seq % 4 = 0, NULL, IF(seq = 77, 9, 1 + seq % 5)), IF(seq % 6 = 0, NULL, 1 + seq % 7 + 0.5),
       ELT(1 + seq % 5, 'maintenance', 'Repair ', 'installation', 'inspection', 'emergency'), 80 + seq % 23 * 10
  FROM (SELECT CAST(seq AS SIGNED) AS seq FROM seq_1_to_400) s WHERE seq % 10 <> 9;
INSERT INTO llx_fichinter (rowid, fk_soc, fk_projet, ref, entity, datec, datei, fk_statut, duree)
SELECT seq, 1 + seq % 40, 0, CONCAT('FI', seq), 1, TIMESTAMP('2023-01-04') + INTERVAL seq * 70 HOUR,
       DATE('2023-01-04') + INTERVAL seq * 70 HOUR, 3, 900 * (1 + seq % 16)
  FROM (SELECT CAST(seq AS SIGNED) AS seq FROM seq_1_to_320) s;
INSERT INTO llx_element_element (rowid, fk_source, sourcetype, fk_target, targettype)
SELECT seq, IF(seq % 3 = 0, seq, (seq * 7) % 400 + 1), IF(seq % 3 = 0, 'fichinter', 'ticket'),
       IF(seq % 3 = 0, (seq * 7) % 400 + 1, seq), IF(seq % 3 = 0, 'ticket', 'fichinter')
  FROM (SELECT CAST(seq AS SIGNED) AS seq FROM seq_1_to_300) s;
INSERT INTO llx_element_element (rowid, fk_source, sourcetype, fk_target, targettype)
VALUES (900001, 5, 'propal', 9, 'commande'), (900002, 9, 'ticket', 301, 'fichinter');
INSERT INTO llx_facture (rowid, ref, entity, type, fk_soc, datec, datef, fk_statut, total_ht, total_tva, total_ttc, fk_projet, paye)
SELECT seq, CONCAT('FA', seq), 1, IF(seq % 15 = 0, 2, 0), 1 + seq % 40, TIMESTAMP('2023-01-10') + INTERVAL seq * 6 DAY,
       DATE('2023-01-10') + INTERVAL seq * 6 DAY, ELT(1 + seq % 5, 1, 2, 2, 0, 3), 0, 0, 0, IF(seq % 2 = 0, 1 + seq % 12, NULL), 0
  FROM (SELECT CAST(seq AS SIGNED) AS seq FROM seq_1_to_150) s;
INSERT INTO llx_facturedet (rowid, fk_facture, fk_product, label, qty, subprice, total_ht, total_tva, total_ttc, product_type, buy_price_ht, remise_percent)
SELECT seq, 1 + seq % 150, IF(seq % 8 = 0, NULL, 1 + seq % 30), CONCAT('Ligne ', seq), 1 + seq % 6, 20 + seq % 50,
       IF((1 + seq % 150) % 15 = 0, -1, 1) * (1 + seq % 6) * (20 + seq % 50), 0.2 * (1 + seq % 6) * (20 + seq % 50),
       1.2 * IF((1 + seq % 150) % 15 = 0, -1, 1) * (1 + seq % 6) * (20 + seq % 50), IF(seq % 8 = 0, 1, 0), 10 + seq % 20, 0
  FROM (SELECT CAST(seq AS SIGNED) AS seq FROM seq_1_to_500) s;
UPDATE llx_facture f SET total_ht = (SELECT COALESCE(SUM(total_ht), 0) FROM llx_facturedet d WHERE d.fk_facture = f.rowid);
SQL
	fi
}

# The lake: doliflow.connect() with the read-only account, then doliflow.extract().
lake_init() { df_connect "$1" "$SRC"; }
# A table whose extract failed (logged, the others go on) is caught up by the next extract:
# retry once so that both databases hold the whole source.
extract() {
	q "$1" "CALL doliflow.extract()" || return 1
	[ "$(q "$1" "SELECT status FROM doliflow.run_log WHERE kind = 'extract' ORDER BY run_id DESC LIMIT 1")" = success ] && return 0
	diag "extract in $1 not complete ($(q "$1" "SELECT error FROM doliflow.run_log WHERE kind = 'extract' ORDER BY run_id DESC LIMIT 1" | head -1)); retrying"
	q "$1" "CALL doliflow.extract()" &&
	[ "$(q "$1" "SELECT status FROM doliflow.run_log WHERE kind = 'extract' ORDER BY run_id DESC LIMIT 1")" = success ]
}

# md5 of every dw table, one line per table.
fingerprint() {
	local t
	for t in $TABLES; do
		printf '%s %s\n' "$t" "$(q "$1" "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '-') FROM dw.$t t")"
	done
}

# Incremental load in INC, full rebuild from scratch in FULL, compare.
ROUND=0
round() {
	ROUND=$((ROUND + 1))
	# extract() leaves rows changed in the source's current second to the next extract
	# (window upper bound = source clock - 1 s): let that second pass so that both databases
	# see the same source state.
	sleep 2
	extract "$INC" >/dev/null 2>&1 || { ok 1 "round $ROUND: extract"; return; }
	if [ -n "${AGE_LAKE:-}" ]; then
		# Retention between extract and load: every version looks 100 days old, so cleanup
		# may drop all it is allowed to; the versions the next load needs must stay.
		local v0 v1
		v0=$(q "$INC" "SELECT count(*) FROM lake.llx_ticket")
		q "$INC" "DO \$\$ DECLARE t text; BEGIN FOR t IN SELECT table_name FROM doliflow.source_table LOOP
			EXECUTE format('UPDATE lake.%I SET _extracted_at = _extracted_at - interval ''100 days''', t);
			EXECUTE format('UPDATE lake.%I SET _extracted_at = _extracted_at - interval ''100 days''', t || '_current'); END LOOP; END \$\$" >/dev/null
		q "$INC" "CALL doliflow.cleanup(90)" >/dev/null 2>&1
		v1=$(q "$INC" "SELECT count(*) FROM lake.llx_ticket")
		ok $(( v1 >= v0 )) "round $ROUND: cleanup before the load dropped the ticket versions of round 1 ($v0 -> $v1)"
	fi
	q "$INC" "CALL doliflow.load_warehouse()" >/dev/null 2>"$TEST_TMP/wh30_load.err"
	ok $? "round $ROUND ($1): incremental load"
	is "$(q "$INC" "SELECT mode FROM dw.load_state WHERE target = 'fact_tickets'")" incremental \
		"round $ROUND: the load was incremental"
	extract "$FULL" >/dev/null 2>&1
	q "$FULL" "CALL doliflow.load_warehouse(full_rebuild => true)" >/dev/null 2>&1
	local a b
	a=$(fingerprint "$INC"); b=$(fingerprint "$FULL")
	is "$a" "$b" "round $ROUND: incremental warehouse = full rebuild, every dw table row for row"
	[ "$a" = "$b" ] || diff <(echo "$a") <(echo "$b") | sed 's/^/# /'
}

######################################################################
new_source || { echo "Bail out! cannot create the source"; exit 1; }
df_new_pgdb "$INC" && df_new_pgdb "$FULL" || { echo "Bail out! cannot create databases"; exit 1; }
lake_init "$INC" && lake_init "$FULL" || { echo "Bail out! connect failed"; exit 1; }

# Loading while a lake view is missing fails cleanly, changes nothing and is logged.
extract "$INC" >/dev/null 2>&1; ok $? "first extract"
out=$(psql -X -q -d "$INC" -c "ALTER TABLE lake.llx_ticket_current RENAME TO llx_ticket_current_away" \
	-c "CALL doliflow.load_warehouse()" 2>&1)
echo "$out" | grep -q 'the lake has no lake.llx_ticket_current'; ok $? "load with a lake view missing: clear error"
is "$(q "$INC" "SELECT status || ' ' || (error LIKE '%llx_ticket_current%') FROM doliflow.run_log ORDER BY run_id DESC LIMIT 1")" \
	"failed true" "the failed load is in the run log"
is "$(q "$INC" "SELECT count(*) FROM dw.load_state")" 0 "the failed load wrote nothing"
q "$INC" "ALTER TABLE lake.llx_ticket_current_away RENAME TO llx_ticket_current" >/dev/null

q "$INC" "CALL doliflow.load_warehouse()" >/dev/null 2>&1; ok $? "first load"
is "$(q "$INC" "SELECT DISTINCT mode FROM dw.load_state")" full "the first load is a full one"
is "$(q "$INC" "SELECT count(*) FROM dw.fact_tickets")" "$(myq "$SRC" "SELECT count(*) FROM llx_ticket")" \
	"fact_tickets has one row per source ticket"
is "$(q "$INC" "SELECT count(*) FROM dw.fact_stock")" "$(myq "$SRC" "SELECT count(*) FROM llx_stock_mouvement")" \
	"fact_stock has one row per movement"
is "$(q "$INC" "SELECT count(*) FROM dw.fact_invoice_lines")" "$(myq "$SRC" "SELECT count(*) FROM llx_facturedet")" \
	"fact_invoice_lines has one row per invoice line"

# A load with nothing new changes nothing.
before=$(fingerprint "$INC")
q "$INC" "CALL doliflow.load_warehouse()" >/dev/null 2>&1
is "$(fingerprint "$INC")" "$before" "an incremental load without new batches changes nothing"
is "$(q "$INC" "SELECT sum(rows_changed) FROM dw.load_state WHERE target <> 'dim_date'")" 0 "... and rewrites no row"

# Round 1: tickets, their extra fields, interventions and links.
myq "$SRC" "
SET foreign_key_checks = 0;
SELECT rowid INTO @t1 FROM llx_ticket ORDER BY rowid LIMIT 1 OFFSET 9;
SELECT rowid INTO @t2 FROM llx_ticket ORDER BY rowid LIMIT 1 OFFSET 10;
SELECT rowid INTO @t3 FROM llx_ticket ORDER BY rowid LIMIT 1 OFFSET 11;
SELECT rowid INTO @t4 FROM llx_ticket ORDER BY rowid LIMIT 1 OFFSET 19;
SELECT max(rowid) + 1 INTO @tn FROM llx_ticket;
SELECT rowid INTO @s2 FROM llx_societe ORDER BY rowid LIMIT 1 OFFSET 2;
UPDATE llx_ticket SET fk_statut = 8, date_close = datec + INTERVAL 30 HOUR WHERE rowid = @t1;
UPDATE llx_ticket SET fk_soc = @s2 WHERE rowid = @t2;
DELETE FROM llx_ticket WHERE rowid = @t3;
INSERT INTO llx_ticket (rowid, entity, ref, track_id, fk_soc, fk_user_assign, fk_statut, type_code, severity_code, datec, date_read, date_close)
 VALUES (@tn, 1, CONCAT('TKN', @tn), MD5(CONCAT('n', @tn)), @s2, (SELECT min(rowid) FROM llx_user), 8, 'URGENCE', 'HIGH',
		 '2025-03-03 08:00:00', '2025-03-03 08:20:00', '2025-03-04 12:00:00');
INSERT INTO llx_ticket_extrafields (fk_object, satisfaction, estimated_duration, intervention_type, intervention_cost)
 VALUES (@tn, 2, 3.5, 'emergency', 410);
UPDATE llx_ticket_extrafields SET satisfaction = 1, intervention_type = 'repair' WHERE fk_object = @t4;
SELECT max(rowid) + 1 INTO @fn FROM llx_fichinter;
INSERT INTO llx_fichinter (rowid, fk_soc, ref, entity, datec, datei, fk_statut, duree)
 VALUES (@fn, @s2, CONCAT('FIN', @fn), 1, '2025-03-03 10:00:00', '2025-03-03', 3, 5400);
INSERT INTO llx_element_element (fk_source, sourcetype, fk_target, targettype) VALUES (@fn, 'fichinter', @tn, 'ticket');
SELECT fk_target INTO @fx FROM llx_element_element WHERE sourcetype = 'ticket' AND targettype = 'fichinter' ORDER BY rowid LIMIT 1;
UPDATE llx_fichinter SET duree = duree + 3600 WHERE rowid = @fx;
SELECT rowid INTO @ex FROM llx_element_element WHERE sourcetype = 'fichinter' AND targettype = 'ticket' ORDER BY rowid LIMIT 1;
DELETE FROM llx_element_element WHERE rowid = @ex;
SELECT fk_target INTO @fd FROM llx_element_element WHERE sourcetype = 'ticket' AND targettype = 'fichinter' ORDER BY rowid LIMIT 1 OFFSET 3;
DELETE FROM llx_fichinter WHERE rowid = @fd;
"
ok $? "round 1 source changes applied"
round "tickets, extra fields, interventions, links"

# Round 2: customers, dictionaries, users, warehouses.
myq "$SRC" "
SET foreign_key_checks = 0;
SELECT rowid INTO @s1 FROM llx_societe ORDER BY rowid LIMIT 1 OFFSET 4;
SELECT rowid INTO @s3 FROM llx_societe ORDER BY rowid LIMIT 1 OFFSET 5;
UPDATE llx_societe SET town = 'Saint-Étienne', status = 0 WHERE rowid = @s1;
DELETE FROM llx_societe WHERE rowid = @s3;
UPDATE llx_c_ticket_type SET label = 'Urgence absolue' WHERE code = 'URGENCE';
UPDATE llx_c_ticket_severity SET label = 'Bloquant' WHERE code = 'BLOCKING';
SELECT rowid INTO @u1 FROM llx_user ORDER BY rowid LIMIT 1 OFFSET 1;
UPDATE llx_user SET thm = thm + 7.5, job = 'Chef d''équipe' WHERE rowid = @u1;
UPDATE llx_entrepot SET statut = 0 WHERE rowid = (SELECT min(rowid) FROM (SELECT rowid FROM llx_entrepot) x);
"
ok $? "round 2 source changes applied"
round "customers, dictionaries, users, warehouses"

# Round 3: projects, tasks, time spent, stock, products, suppliers.
myq "$SRC" "
SET foreign_key_checks = 0;
SELECT rowid INTO @p1 FROM llx_projet WHERE fk_statut = 1 ORDER BY rowid LIMIT 1;
SELECT rowid INTO @p2 FROM llx_projet WHERE fk_statut = 1 ORDER BY rowid LIMIT 1 OFFSET 1;
UPDATE llx_projet SET budget_amount = 1000 WHERE rowid = @p1;
SELECT rowid INTO @k1 FROM llx_projet_task WHERE fk_projet = @p1 ORDER BY rowid LIMIT 1;
UPDATE llx_projet_task SET fk_projet = @p2, planned_workload = planned_workload + 7200 WHERE rowid = @k1;
SELECT rowid INTO @e1 FROM llx_element_time WHERE elementtype = 'task' ORDER BY rowid LIMIT 1;
SELECT rowid INTO @e2 FROM llx_element_time WHERE elementtype = 'task' ORDER BY rowid LIMIT 1 OFFSET 1;
UPDATE llx_element_time SET element_duration = element_duration + 5400, thm = NULL WHERE rowid = @e1;
DELETE FROM llx_element_time WHERE rowid = @e2;
INSERT INTO llx_element_time (fk_element, elementtype, element_date, element_duration, fk_user, thm)
 SELECT min(rowid), 'task', '2025-03-05', 14400, (SELECT min(rowid) FROM llx_user), 41.5 FROM llx_projet_task WHERE fk_projet = @p2;
SELECT rowid, fk_product, fk_entrepot INTO @m1, @mp, @mw FROM llx_stock_mouvement WHERE type_mouvement = 2 ORDER BY rowid LIMIT 1;
UPDATE llx_stock_mouvement SET value = value - 5, datem = datem + INTERVAL 1 DAY WHERE rowid = @m1;
DELETE FROM llx_stock_mouvement WHERE rowid = (SELECT r FROM (SELECT max(rowid) r FROM llx_stock_mouvement WHERE type_mouvement = 2) x);
-- a project's movement deleted (dw.project_material: its contribution must leave); stock
-- movements are never updated by Dolibarr (rowid mode: a correction is a new movement)
DELETE FROM llx_stock_mouvement WHERE rowid = (SELECT r FROM (SELECT min(rowid) r FROM llx_stock_mouvement WHERE fk_projet > 0 AND type_mouvement IN (1, 2)) x);
INSERT INTO llx_stock_mouvement (datem, fk_product, fk_entrepot, value, price, type_mouvement, label, fk_projet)
 VALUES ('2025-03-05 09:00:00', @mp, @mw, -4, 12.5, 2, 'Sortie chantier', @p2),
		('2025-03-05 15:00:00', @mp, @mw, -2, 12.5, 2, 'Vente', 0),
		('2025-03-06 08:00:00', @mp, @mw, 50, 11, 3, 'Réception', 0);
UPDATE llx_product_stock SET reel = reel - 1 WHERE fk_product = @mp AND fk_entrepot = @mw;
UPDATE llx_product SET pmp = pmp + 1, seuil_stock_alerte = 99 WHERE rowid = @mp;
UPDATE llx_product_fournisseur_price SET delivery_time_days = 1 WHERE rowid = (SELECT r FROM (SELECT max(rowid) r FROM llx_product_fournisseur_price) x);
DELETE FROM llx_product_fournisseur_price WHERE rowid = (SELECT r FROM (SELECT min(rowid) r FROM llx_product_fournisseur_price) x);
"
ok $? "round 3 source changes applied"
round "projects, tasks, time spent, stock, products"

# Round 4: invoices and their lines.
myq "$SRC" "
SET foreign_key_checks = 0;
SELECT rowid INTO @f1 FROM llx_facture WHERE fk_statut = 0 ORDER BY rowid LIMIT 1;
UPDATE llx_facture SET fk_statut = 1, datef = datef + INTERVAL 3 DAY WHERE rowid = @f1;
SELECT rowid INTO @f2 FROM llx_facture WHERE fk_statut IN (1, 2) ORDER BY rowid LIMIT 1 OFFSET 2;
UPDATE llx_facture SET fk_statut = 3 WHERE rowid = @f2;
SELECT rowid INTO @l1 FROM llx_facturedet WHERE fk_product IS NOT NULL ORDER BY rowid LIMIT 1 OFFSET 5;
UPDATE llx_facturedet SET qty = qty + 2, total_ht = total_ht + 100 WHERE rowid = @l1;
DELETE FROM llx_facturedet WHERE rowid = (SELECT r FROM (SELECT max(rowid) r FROM llx_facturedet) x);
SELECT rowid INTO @f3 FROM llx_facture ORDER BY rowid LIMIT 1 OFFSET 7;
DELETE FROM llx_facturedet WHERE fk_facture = @f3;
DELETE FROM llx_facture WHERE rowid = @f3;
SELECT max(rowid) + 1, (SELECT min(rowid) FROM llx_societe) INTO @fn, @sn FROM llx_facture;
INSERT INTO llx_facture (rowid, ref, entity, type, fk_soc, datec, datef, fk_statut, total_ht, fk_projet)
 VALUES (@fn, CONCAT('FAN', @fn), 1, 0, @sn, '2025-03-07 10:00:00', '2025-03-07', 1, 300, (SELECT min(rowid) FROM llx_projet WHERE fk_statut = 1));
INSERT INTO llx_facturedet (fk_facture, fk_product, label, qty, subprice, total_ht, total_tva, total_ttc, product_type)
 VALUES (@fn, (SELECT min(rowid) FROM llx_product), 'Nouvelle ligne', 3, 100, 300, 60, 360, 0);
"
ok $? "round 4 source changes applied"
AGE_LAKE=1 round "invoices and lines, with a lake cleanup before the load"

# The same database rebuilt in full must not change either.
before=$(fingerprint "$INC")
q "$INC" "CALL doliflow.load_warehouse(full_rebuild => true)" >/dev/null 2>&1; ok $? "full rebuild of the incremental database"
is "$(fingerprint "$INC")" "$before" "full rebuild in place = the incrementally maintained warehouse"

######################################################################
# The report views against the same figures computed on the MariaDB side.
# Aggregation (joins, filters, sums, counts) is done by MariaDB on the source; only the final
# divisions happen in PostgreSQL.  Tolerances absorb float-vs-numeric rounding.
LINKS="SELECT fk_source AS ticket, fk_target AS fi FROM llx_element_element WHERE sourcetype = 'ticket' AND targettype = 'fichinter'
	   UNION SELECT fk_target, fk_source FROM llx_element_element WHERE sourcetype = 'fichinter' AND targettype = 'ticket'"
IV="SELECT l.ticket, SUM(f.duree) AS secs, COUNT(*) AS n FROM ($LINKS) l JOIN llx_fichinter f ON f.rowid = l.fi GROUP BY l.ticket"
EXF="LEFT JOIN llx_ticket_extrafields e ON e.rowid = (SELECT MAX(e2.rowid) FROM llx_ticket_extrafields e2 WHERE e2.fk_object = t.rowid)"
GOOD="'1000-01-01'"

myq "$SRC" "SELECT DATE_FORMAT(datec, '%Y-%m-01'), COUNT(*) FROM llx_ticket WHERE datec > $GOOD GROUP BY 1" >"$TEST_TMP/wh30_mo.tsv"
myq "$SRC" "SELECT DATE_FORMAT(t.date_close, '%Y-%m-01'), COUNT(*), SUM(t.fk_statut = 8),
	COALESCE(SUM(IF(t.datec > $GOOD AND t.date_close >= t.datec, TIMESTAMPDIFF(SECOND, t.datec, t.date_close), NULL)), 0),
	SUM(t.datec > $GOOD AND t.date_close >= t.datec),
	COALESCE(SUM(IF(e.satisfaction BETWEEN 1 AND 5, e.satisfaction, NULL)), 0), SUM(COALESCE(e.satisfaction BETWEEN 1 AND 5, 0)),
	COALESCE(SUM(i.secs), 0), COALESCE(SUM(i.n), 0)
  FROM llx_ticket t $EXF LEFT JOIN ($IV) i ON i.ticket = t.rowid
 WHERE t.fk_statut IN (8, 9) AND t.date_close > $GOOD GROUP BY 1" >"$TEST_TMP/wh30_mc.tsv"
myq "$SRC" "SELECT u.rowid, COUNT(*), SUM(COALESCE(t.fk_statut IN (8, 9), 0)),
	COALESCE(SUM(IF(e.satisfaction BETWEEN 1 AND 5, e.satisfaction, NULL)), 0), SUM(COALESCE(e.satisfaction BETWEEN 1 AND 5, 0)),
	COALESCE(SUM(i.secs), 0), COALESCE(u.thm, 0), COALESCE(SUM(e.intervention_cost), 0),
	COALESCE(SUM(IF(e.estimated_duration > 0 AND i.secs IS NOT NULL, ABS(i.secs / 3600 - e.estimated_duration), NULL)), 0),
	COALESCE(SUM(IF(e.estimated_duration > 0 AND i.secs IS NOT NULL, e.estimated_duration, NULL)), 0)
  FROM llx_ticket t JOIN llx_user u ON u.rowid = t.fk_user_assign $EXF LEFT JOIN ($IV) i ON i.ticket = t.rowid
 GROUP BY u.rowid" >"$TEST_TMP/wh30_tech.tsv"
myq "$SRC" "SELECT p.rowid, p.budget_amount, IF(p.dateo > $GOOD, p.dateo, NULL), IF(p.datee > $GOOD, p.datee, NULL),
	(SELECT COALESCE(SUM(planned_workload), 0) FROM llx_projet_task WHERE fk_projet = p.rowid),
	(SELECT COALESCE(SUM(e.element_duration), 0) FROM llx_element_time e JOIN llx_projet_task k ON k.rowid = e.fk_element
	  WHERE e.elementtype = 'task' AND k.fk_projet = p.rowid),
	(SELECT COALESCE(SUM(e.element_duration * COALESCE(e.thm, u.thm, 0)), 0) FROM llx_element_time e
	   JOIN llx_projet_task k ON k.rowid = e.fk_element LEFT JOIN llx_user u ON u.rowid = e.fk_user
	  WHERE e.elementtype = 'task' AND k.fk_projet = p.rowid),
	(SELECT COALESCE(-SUM(value * price), 0) FROM llx_stock_mouvement WHERE type_mouvement IN (1, 2) AND fk_projet = p.rowid),
	(SELECT COALESCE(SUM(total_ht), 0) FROM llx_facture WHERE fk_statut IN (1, 2) AND fk_projet = p.rowid)
  FROM llx_projet p WHERE p.fk_statut = 1" >"$TEST_TMP/wh30_proj.tsv"

views_check=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$INC" 2>&1 <<EOF2
CREATE TEMP TABLE mo (month date, opened bigint);
CREATE TEMP TABLE mc (month date, closed bigint, solved bigint, res_s numeric, res_n bigint, sat_s numeric, sat_n bigint, secs numeric, n bigint);
CREATE TEMP TABLE te (k int, assigned bigint, closed bigint, sat_s numeric, sat_n bigint, secs numeric, thm numeric, cost numeric, err numeric, est numeric);
CREATE TEMP TABLE pr (k int, budget numeric, d0 date, d1 date, planned numeric, spent numeric, cost_s numeric, material numeric, invoiced numeric);
\copy mo FROM '$TEST_TMP/wh30_mo.tsv' WITH (NULL 'NULL')
\copy mc FROM '$TEST_TMP/wh30_mc.tsv' WITH (NULL 'NULL')
\copy te FROM '$TEST_TMP/wh30_tech.tsv' WITH (NULL 'NULL')
\copy pr FROM '$TEST_TMP/wh30_proj.tsv' WITH (NULL 'NULL')
SELECT 'monthly_rows', count(*) FROM dw.v_tickets_monthly;
SELECT 'monthly_bad', count(*) FROM (SELECT coalesce(mo.month, mc.month) AS month, mo.opened, mc.closed, mc.solved, mc.res_s, mc.res_n, mc.sat_s, mc.sat_n, mc.secs, mc.n FROM mo FULL JOIN mc ON mc.month = mo.month) x
  FULL JOIN dw.v_tickets_monthly v ON v.month = x.month
 WHERE v.month IS NULL OR x.month IS NULL
	OR v.tickets_opened <> coalesce(x.opened, 0) OR v.tickets_closed <> coalesce(x.closed, 0)
	OR v.tickets_solved <> coalesce(x.solved, 0) OR v.interventions <> coalesce(x.n, 0)
	OR abs(coalesce(v.mean_resolution_hours, -1) - coalesce(round(x.res_s / nullif(x.res_n, 0) / 3600, 2), -1)) > 0.011
	OR abs(coalesce(v.mean_satisfaction, -1) - coalesce(round(x.sat_s / nullif(x.sat_n, 0), 2), -1)) > 0.011
	OR v.satisfaction_responses <> coalesce(x.sat_n, 0)
	OR abs(v.intervention_hours - coalesce(x.secs, 0) / 3600) > 0.02;
SELECT 'tech_rows', count(*) FROM dw.v_technician_performance;
SELECT 'tech_bad', count(*) FROM te FULL JOIN dw.v_technician_performance v ON v.technician_key = te.k
 WHERE te.k IS NULL OR v.technician_key IS NULL
	OR v.tickets_assigned <> te.assigned OR v.tickets_closed <> te.closed
	OR abs(coalesce(v.mean_satisfaction, -1) - coalesce(round(te.sat_s / nullif(te.sat_n, 0), 2), -1)) > 0.011
	OR abs(v.intervention_hours - te.secs / 3600) > 0.02
	OR abs(v.labor_cost - te.secs / 3600 * te.thm) > 0.05
	OR abs(v.intervention_cost - te.cost) > 0.02
	OR abs(coalesce(v.estimate_accuracy_pct, -999) - coalesce(round(100 * (1 - te.err / nullif(te.est, 0)), 1), -999)) > 0.11;
SELECT 'tech_with_estimates', count(*) FROM dw.v_technician_performance WHERE estimate_accuracy_pct IS NOT NULL;
SELECT 'proj_rows', count(*) FROM dw.v_active_projects;
SELECT 'proj_bad', count(*) FROM (
	SELECT pr.*, pr.cost_s / 3600 + pr.material AS spent_cost,
		   CASE WHEN pr.d1 > pr.d0 THEN least(100, greatest(0, round(100.0 * (current_date - pr.d0) / (pr.d1 - pr.d0), 1))) END AS elapsed
	  FROM pr) x
  FULL JOIN dw.v_active_projects v ON v.project_key = x.k
 WHERE x.k IS NULL OR v.project_key IS NULL
	OR v.budget_amount IS DISTINCT FROM x.budget
	OR abs(v.planned_hours - x.planned / 3600) > 0.001 OR abs(v.spent_hours - x.spent / 3600) > 0.001
	OR abs(v.labor_cost - x.cost_s / 3600) > 0.02 OR abs(v.material_cost - x.material) > 0.02
	OR abs(v.invoiced_ht - x.invoiced) > 0.02
	OR v.drift <> coalesce(x.spent_cost > x.budget OR (x.spent > x.planned AND x.planned > 0)
						   OR 100 * x.spent_cost / nullif(x.budget, 0) - x.elapsed > 20, false);
SELECT 'proj_drifting', count(*) FROM dw.v_active_projects WHERE drift;
EOF2
)
diag "views: $(echo $views_check | tr '|' '=')"
val() { echo "$views_check" | awk -F'|' -v k="$1" '$1 == k {print $2}'; }
[ "$(val monthly_rows)" -ge 12 ]; ok $? "v_tickets_monthly has a row per month of activity ($(val monthly_rows))"
is "$(val monthly_bad)" 0 "v_tickets_monthly = the same figures computed on the MariaDB source"
[ "$(val tech_rows)" -ge 3 ]; ok $? "v_technician_performance has the assigned technicians ($(val tech_rows))"
is "$(val tech_bad)" 0 "v_technician_performance = the same figures computed on the MariaDB source"
[ "$(val tech_with_estimates)" -ge 1 ]; ok $? "estimate accuracy is computed"
[ "$(val proj_rows)" -ge 2 ]; ok $? "v_active_projects lists the open projects ($(val proj_rows))"
is "$(val proj_bad)" 0 "v_active_projects = the same figures computed on the MariaDB source (hours, costs, drift)"

######################################################################
# Run log and status().
is "$(q "$INC" "SELECT status FROM doliflow.run_log WHERE kind = 'load_warehouse' ORDER BY run_id DESC LIMIT 1")" success \
	"the last load is logged as a success"
is "$(q "$INC" "SELECT count(*) FILTER (WHERE s.status = 'success' AND s.rows_out IS NOT NULL) || '/' || count(*)
	FROM doliflow.run_step s WHERE s.run_id = (SELECT max(run_id) FROM doliflow.run_log WHERE kind = 'load_warehouse')")" \
	"10/10" "one successful step with row counts per dw table"
for t in $TABLES; do
	is "$(q "$INC" "SELECT rows || ' ' || status FROM doliflow.status() WHERE section = 'warehouse' AND name = 'dw.$t'")" \
	   "$(q "$INC" "SELECT count(*) FROM dw.$t") ok" "status(): dw.$t row count and freshness"
done
[ "$(q "$INC" "SELECT count(*) FROM doliflow.status() WHERE section = 'lake' AND last_at IS NOT NULL AND age >= '0'")" -ge 19 ]
ok $? "status(): every lake table with its last extract and age"
is "$(q "$INC" "SELECT count(*) FROM doliflow.status() WHERE section = 'run' AND name = 'load_warehouse' AND status = 'success'")" 1 \
	"status(): the last load_warehouse run"
is "$(q "$INC" "SELECT count(*) FROM doliflow.status() WHERE section = 'step' AND name LIKE 'load:%'")" 10 \
	"status(): with its steps"

is "$(df_lake_drift "$INC")" "" "every lake _current table equals the latest live versions of its history"
done_testing
