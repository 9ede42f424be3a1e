#!/usr/bin/env bash
# 10_generator.sh: the Dolibarr BTP generator and its loader, checked against the source
# tables and against the ground truth it writes (database NAME_truth).
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
. "$(dirname "$0")/../lib.sh"

GEN=$DF_ROOT/test/generator
DB=gen_it
T=${DB}_truth
SEED=4242
SCALE=${GEN_TEST_SCALE:-small}	# medium works too (slower)
TMP=${TEST_TMP:-$(mktemp -d)}/gen
mkdir -p "$TMP"

# SQL on the source with zero dates allowed; one value per line
sq() { myq "$DB" "SET sql_mode=''; $*"; }
# the ids of a truth_dirt kind for one table (and column), comma separated
dirt() { sq "SELECT IFNULL(GROUP_CONCAT(row_id ORDER BY row_id), '') FROM $T.truth_dirt WHERE kind='$1' AND table_name='$2'${3:+ AND column_name='$3'}"; }
ids() { sq "SELECT IFNULL(GROUP_CONCAT(x ORDER BY x), '') FROM ($*) q"; }

"$GEN/load.sh" --host "$MYSQL_HOST" --port "$MYSQL_PORT" --user "$MYSQL_USER" --db "$DB" \
	--scale "$SCALE" --seed "$SEED" >"$TMP/load.out" 2>&1
ok $? "load.sh loads the $SCALE scale into $DB and $T"
diag "$(tail -1 "$TMP/load.out")"
is "$(grep -c '^gen_it' "$TMP/load.out")" 29 "load.sh prints the row count of every table"

# -- what buyers ask (issue 16): suppliers, minimum order quantities, customer orders -------
is "$(sq "SELECT GROUP_CONCAT(DISTINCT fk_statut ORDER BY fk_statut) FROM llx_commande")" "-1,0,1,2,3" \
	"customer orders with Dolibarr's statuses (canceled, draft, validated, shipping, closed)"
is "$(sq "SELECT COUNT(*) FROM llx_commandedet d LEFT JOIN llx_commande c ON c.rowid = d.fk_commande WHERE c.rowid IS NULL
          OR (d.fk_product IS NOT NULL AND d.fk_product NOT IN (SELECT rowid FROM llx_product))")" 0 \
	"every customer order line has its order and an existing product (or none: a service line)"
[ "$(sq "SELECT COUNT(*) FROM llx_commande c JOIN llx_commandedet d ON d.fk_commande = c.rowid WHERE c.fk_statut IN (1, 2) AND d.fk_product > 0")" -gt 0 ]
ok $? "open customer orders (status 1-2) reserve products"
[ "$(sq "SELECT COUNT(*) FROM (SELECT fk_product FROM llx_product_fournisseur_price WHERE status = 1
          GROUP BY fk_product HAVING COUNT(DISTINCT fk_soc) >= 2 AND COUNT(DISTINCT delivery_time_days) >= 2) x")" -gt 0 ]
ok $? "products with several suppliers of different delays"
[ "$(sq "SELECT COUNT(*) FROM (SELECT fk_product, MIN(delivery_time_days) d FROM llx_product_fournisseur_price WHERE status = 1 GROUP BY 1) m
          JOIN llx_product_fournisseur_price a ON a.fk_product = m.fk_product AND a.delivery_time_days = m.d
          JOIN llx_product_fournisseur_price b ON b.fk_product = m.fk_product AND b.delivery_time_days = m.d
                                          AND b.fk_soc <> a.fk_soc AND b.unitprice < a.unitprice")" -gt 0 ]
ok $? "products with two suppliers as fast, at different prices"
[ "$(sq "SELECT COUNT(*) FROM llx_product_fournisseur_price WHERE status = 1 AND quantity > packaging AND packaging > 0")" -gt 0 ]
ok $? "supplier prices whose minimum quantity is above the packaging"

# -- every kind of dirt and anomaly is planted --------------------------------------------
for k in zero_date orphan_key duplicate_ref end_before_start negative_qty emoji null_value; do
	n=$(sq "SELECT COUNT(*) FROM $T.truth_dirt WHERE kind='$k'")
	[ "$n" -gt 0 ]; ok $? "truth_dirt has $k rows ($n)"
done
for k in overlong_intervention aberrant_cost estimate_gap low_satisfaction odd_stock_movement; do
	n=$(sq "SELECT COUNT(*) FROM $T.truth_anomaly WHERE kind='$k'")
	[ "$n" -gt 0 ]; ok $? "truth_anomaly has $k rows ($n)"
done

# -- dirt in the source = dirt in the truth -----------------------------------------------
zsql=$(sq "SELECT GROUP_CONCAT(CONCAT('SELECT ''', table_name, '.', column_name, ''' c, COUNT(*) n FROM \`',
	table_name, '\` WHERE CAST(\`', column_name, '\` AS CHAR) LIKE ''0000-00-00%''') SEPARATOR ' UNION ALL ')
	FROM information_schema.columns WHERE table_schema='$DB' AND data_type IN ('date','datetime')")
is "$(sq "SELECT GROUP_CONCAT(CONCAT(c, '=', n) ORDER BY c) FROM ($zsql) z WHERE n > 0")" \
	"$(sq "SELECT GROUP_CONCAT(CONCAT(table_name, '.', column_name, '=', n) ORDER BY table_name, column_name)
		FROM (SELECT table_name, column_name, COUNT(*) n FROM $T.truth_dirt WHERE kind='zero_date'
		GROUP BY 1, 2) z")" "zero dates: every date column of the source holds exactly the truth's"
for tc in "llx_ticket:date_close:date_close" "llx_fichinter:datei:datei" "llx_facture:datef:datef" \
	"llx_element_time:element_date:element_date"; do
	IFS=: read -r tb col _ <<<"$tc"
	pk=rowid
	is "$(ids "SELECT $pk x FROM $tb WHERE CAST($col AS CHAR) LIKE '0000-00-00%'")" \
		"$(dirt zero_date "$tb" "$col")" "zero dates in $tb.$col are the truth's rows"
done
is "$(ids "SELECT t.rowid x FROM llx_ticket t LEFT JOIN llx_societe s ON s.rowid = t.fk_soc WHERE t.fk_soc > 0 AND s.rowid IS NULL")" \
	"$(dirt orphan_key llx_ticket fk_soc)" "orphan llx_ticket.fk_soc = truth"
is "$(ids "SELECT d.rowid x FROM llx_facturedet d LEFT JOIN llx_product p ON p.rowid = d.fk_product WHERE d.fk_product IS NOT NULL AND p.rowid IS NULL")" \
	"$(dirt orphan_key llx_facturedet fk_product)" "orphan llx_facturedet.fk_product = truth"
is "$(ids "SELECT d.rowid x FROM llx_product_stock d LEFT JOIN llx_product p ON p.rowid = d.fk_product WHERE p.rowid IS NULL")" \
	"$(dirt orphan_key llx_product_stock fk_product)" "orphan llx_product_stock.fk_product = truth"
is "$(ids "SELECT s.rowid x FROM llx_societe s WHERE EXISTS (SELECT 1 FROM llx_societe o WHERE o.nom = s.nom AND o.email = s.email AND o.rowid < s.rowid)")" \
	"$(dirt duplicate_ref llx_societe)" "customers entered twice (same nom and email) = truth"
is "$(ids "SELECT s.rowid x FROM llx_projet_task s WHERE EXISTS (SELECT 1 FROM llx_projet_task o WHERE o.fk_projet = s.fk_projet AND o.label = s.label AND o.rowid < s.rowid)")" \
	"$(dirt duplicate_ref llx_projet_task)" "duplicate task labels in a project = truth"
is "$(ids "SELECT rowid x FROM llx_projet WHERE datee < dateo")" \
	"$(dirt end_before_start llx_projet)" "projects ending before they start = truth"
is "$(ids "SELECT rowid x FROM llx_ticket WHERE date_close < datec AND CAST(date_close AS CHAR) NOT LIKE '0000%'")" \
	"$(dirt end_before_start llx_ticket)" "tickets closed before they were created = truth"
is "$(ids "SELECT d.rowid x FROM llx_facturedet d JOIN llx_facture f ON f.rowid = d.fk_facture WHERE d.qty < 0 AND f.type = 0")" \
	"$(dirt negative_qty llx_facturedet)" "negative quantities on standard invoices = truth"
is "$(ids "SELECT rowid x FROM llx_societe WHERE HEX(nom) REGEXP '^(..)*F0'")" \
	"$(dirt emoji llx_societe)" "emoji in customer names = truth"
is "$(ids "SELECT rowid x FROM llx_ticket WHERE HEX(subject) REGEXP '^(..)*F0'")" \
	"$(dirt emoji llx_ticket)" "emoji in ticket subjects = truth"
is "$(ids "SELECT rowid x FROM llx_societe WHERE town IS NULL")" "$(dirt null_value llx_societe town)" \
	"NULL towns = truth"
is "$(ids "SELECT fk_object x FROM llx_ticket_extrafields WHERE estimated_duration IS NULL")" \
	"$(dirt null_value llx_ticket_extrafields estimated_duration)" "NULL estimated durations = truth"
is "$(sq "SELECT COUNT(*) FROM llx_societe WHERE nom REGEXP '[éèêàçôûïœ]'" | awk '{print ($1 > 10)}')" 1 \
	"customer names carry accents"

# -- stock ---------------------------------------------------------------------------------
is "$(ids "SELECT s.rowid x FROM llx_product_stock s LEFT JOIN (SELECT fk_product, fk_entrepot, SUM(value) v FROM llx_stock_mouvement GROUP BY 1, 2) m ON m.fk_product = s.fk_product AND m.fk_entrepot = s.fk_entrepot WHERE NOT (s.reel <=> m.v)")" \
	"$(sq "SELECT IFNULL(GROUP_CONCAT(row_id ORDER BY row_id), '') FROM $T.truth_dirt WHERE table_name='llx_product_stock'")" \
	"SUM(value) = reel for every product x warehouse except the dirty rows"
is "$(sq "SELECT COUNT(*) FROM llx_product_stock WHERE reel < 0")" 0 "no negative stock"
is "$(sq "SELECT COUNT(*) FROM $T.truth_stockout o JOIN llx_product_stock s ON s.fk_product = o.fk_product AND s.fk_entrepot = o.fk_entrepot AND s.reel = o.stock_at_end WHERE o.expected_stockout <= DATE_ADD('2026-09-30', INTERVAL o.lead_time_days DAY)")" \
	"$(sq "SELECT COUNT(*) FROM $T.truth_stockout")" "truth_stockout: end stock = reel, runs out within the lead time"
n=$(sq "SELECT COUNT(*) FROM $T.truth_stockout"); [ "$n" -gt 0 ]; ok $? "some products run out ($n)"
is "$(sq "SELECT COUNT(*) FROM $T.truth_anomaly a JOIN llx_stock_mouvement m ON m.rowid = a.source_id
	WHERE a.kind = 'odd_stock_movement' AND -m.value >= 15 * (SELECT AVG(-o.value) FROM llx_stock_mouvement o
	WHERE o.fk_product = m.fk_product AND o.fk_entrepot = m.fk_entrepot AND o.type_mouvement = 2 AND o.rowid <> m.rowid)")" \
	"$(sq "SELECT COUNT(*) FROM $T.truth_anomaly WHERE kind = 'odd_stock_movement'")" \
	"odd stock movements are at least 15x the usual demand movement"
# supplier orders and their receptions (issue 16: real lead times)
is "$(sq "SELECT COUNT(*) FROM llx_stock_mouvement m LEFT JOIN llx_commande_fournisseur c ON c.rowid = m.fk_origin
	LEFT JOIN llx_commande_fournisseurdet d ON d.fk_commande = c.rowid AND d.fk_product = m.fk_product
	WHERE m.type_mouvement = 3 AND m.origintype = 'order_supplier' AND d.rowid IS NULL")" 0 \
	"every supplier-order reception names an existing order with a line of the same product"
n=$(sq "SELECT COUNT(*) FROM llx_stock_mouvement WHERE type_mouvement = 3 AND origintype = 'order_supplier'"); [ "$n" -gt 100 ]
ok $? "receptions of supplier orders ($n)"
is "$(sq "SELECT COUNT(*) FROM llx_stock_mouvement m JOIN llx_commande_fournisseur c ON c.rowid = m.fk_origin
	WHERE m.type_mouvement = 3 AND m.origintype = 'order_supplier' AND (c.date_commande IS NULL OR DATE(m.datem) < c.date_commande OR c.fk_statut <> 5)")" 0 \
	"received orders: fk_statut 5, reception on or after date_commande"
is "$(sq "SELECT COUNT(*) FROM (SELECT fk_origin FROM llx_stock_mouvement WHERE type_mouvement = 3 AND origintype = 'order_supplier' GROUP BY 1 HAVING COUNT(*) > 1) x")" 0 \
	"one reception per received order"
is "$(sq "SELECT COUNT(*) FROM llx_commande_fournisseur c WHERE c.fk_statut = 5 AND NOT EXISTS (SELECT 1 FROM llx_stock_mouvement m WHERE m.fk_origin = c.rowid AND m.origintype = 'order_supplier')")" 0 \
	"every order with fk_statut 5 has its reception"
is "$(sq "SELECT COUNT(*) FROM llx_commande_fournisseur c LEFT JOIN llx_commande_fournisseurdet d ON d.fk_commande = c.rowid WHERE d.rowid IS NULL")" 0 \
	"every supplier order has a line"
is "$(sq "SELECT COUNT(*) FROM llx_commande_fournisseur WHERE fk_statut IN (1, 2, 3, 4)")" \
	"$(sq "SELECT COUNT(*) FROM $T.truth_lead_time WHERE received = 0")" "open orders (status 1-4) = the orders in transit of truth_lead_time"
is "$(sq "SELECT COUNT(*) FROM $T.truth_lead_time t JOIN llx_commande_fournisseur c ON c.rowid = t.fk_commande_fournisseur
	JOIN llx_stock_mouvement m ON m.fk_origin = c.rowid AND m.origintype = 'order_supplier' AND m.type_mouvement = 3
	WHERE t.received = 1 AND DATEDIFF(DATE(m.datem), c.date_commande) = t.actual_lead_days AND m.fk_product = t.fk_product")" \
	"$(sq "SELECT COUNT(*) FROM $T.truth_lead_time WHERE received = 1")" "truth_lead_time: reception date - date_commande = actual_lead_days"
is "$(sq "SELECT COUNT(*) FROM $T.truth_lead_time WHERE actual_lead_days < 1 OR actual_lead_days < planned_lead_days - 1")" 0 \
	"actual lead time >= 1 day and at most one day early"
# non-degenerate: lead times vary around the plan, mostly late, some products much more than others
is "$(sq "SELECT AVG(actual_lead_days > planned_lead_days) > 0.5 AND AVG(actual_lead_days < planned_lead_days) BETWEEN 0.01 AND 0.2
	AND COUNT(DISTINCT actual_lead_days - planned_lead_days) >= 5 FROM $T.truth_lead_time")" 1 \
	"lead times vary: mostly late, a few early, at least 5 different delays"
is "$(sq "SELECT MAX(sd) > 2 * MIN(sd) FROM (SELECT fk_product, STDDEV_POP(actual_lead_days) sd FROM $T.truth_lead_time
	WHERE received = 1 GROUP BY 1 HAVING COUNT(*) >= 10 AND STDDEV_POP(actual_lead_days) > 0) x")" 1 \
	"some products' lead times vary much more than others'"
is "$(sq "SELECT COUNT(DISTINCT pattern) FROM $T.truth_demand")" 6 "six demand patterns"
is "$(sq "SELECT COUNT(*) FROM llx_stock_mouvement m JOIN $T.truth_demand d ON d.fk_product = m.fk_product
	WHERE d.pattern = 'obsolete' AND m.type_mouvement = 2 AND m.datem >= '2025-10-01'")" 0 \
	"obsolete products sell nothing in their last year"
is "$(sq "SELECT SUM(adi <= 1.32) FROM (SELECT d.fk_product, 1096 / COUNT(DISTINCT DATE(m.datem)) adi
	FROM $T.truth_demand d JOIN llx_stock_mouvement m ON m.fk_product = d.fk_product AND m.type_mouvement = 2
	WHERE d.pattern = 'intermittent' GROUP BY 1) q")" 0 "intermittent products have ADI > 1.32"
is "$(sq "SELECT (SUM(-m.value * (p.fk_product IS NOT NULL)) / SUM(p.fk_product IS NOT NULL)) >
	1.5 * (SUM(-m.value * (p.fk_product IS NULL)) / SUM(p.fk_product IS NULL))
	FROM llx_stock_mouvement m JOIN $T.truth_demand d ON d.fk_product = m.fk_product AND d.pattern = 'promo'
	LEFT JOIN $T.truth_promotion p ON p.fk_product = m.fk_product AND DATE(m.datem) BETWEEN p.start_date AND p.end_date
	WHERE m.type_mouvement = 2")" 1 "promotions lift sales"
is "$(sq "SELECT SUM(-value * (DAYOFWEEK(datem) = 1)) / SUM(-value) < 0.01 FROM llx_stock_mouvement WHERE type_mouvement = 2")" 1 \
	"almost no sales on Sundays"

# -- tickets, interventions, invoices ------------------------------------------------------
is "$(ids "SELECT fk_object x FROM llx_ticket_extrafields WHERE satisfaction < 3")" \
	"$(sq "SELECT GROUP_CONCAT(source_id ORDER BY source_id) FROM $T.truth_anomaly WHERE kind='low_satisfaction'")" \
	"satisfaction below 3 only where planted"
is "$(sq "SELECT COUNT(*) FROM llx_ticket_extrafields WHERE satisfaction NOT BETWEEN 1 AND 5 OR intervention_type NOT IN ('maintenance','repair','installation','inspection','emergency')")" 0 \
	"extrafield values in range"
is "$(sq "SELECT GROUP_CONCAT(name ORDER BY pos) FROM llx_extrafields WHERE elementtype='ticket'")" \
	"satisfaction,estimated_duration,intervention_type,intervention_cost" "ticket extrafields declared"
cw="JOIN llx_element_element e ON e.fk_source = t.rowid AND e.sourcetype='ticket' OR e.fk_target = t.rowid AND e.targettype='ticket'
	JOIN llx_fichinter f ON f.rowid = IF(e.sourcetype='ticket', e.fk_target, e.fk_source)
	JOIN llx_ticket_extrafields x ON x.fk_object = t.rowid"
clean="t.fk_statut = 8 AND t.rowid NOT IN (SELECT source_id FROM $T.truth_anomaly WHERE source_table='llx_ticket')"
is "$(sq "SELECT (SELECT MIN(x.intervention_cost / (f.duree / 3600)) FROM llx_ticket t $cw
	WHERE t.rowid IN (SELECT source_id FROM $T.truth_anomaly WHERE kind='aberrant_cost')) >
	(SELECT MAX(x.intervention_cost / (f.duree / 3600)) FROM llx_ticket t $cw WHERE $clean)")" 1 \
	"aberrant costs per hour exceed every normal one"
is "$(sq "SELECT (SELECT AVG(f.duree / 3600 / x.estimated_duration) FROM llx_ticket t $cw
	WHERE t.rowid IN (SELECT source_id FROM $T.truth_anomaly WHERE kind='overlong_intervention')) >
	3 * (SELECT AVG(f.duree / 3600 / x.estimated_duration) FROM llx_ticket t $cw WHERE $clean)")" 1 \
	"overlong interventions last several times the usual"
is "$(sq "SELECT COUNT(*) FROM llx_ticket t $cw WHERE t.rowid IN (SELECT source_id FROM $T.truth_anomaly
	WHERE kind='estimate_gap') AND x.estimated_duration / (f.duree / 3600) BETWEEN 0.34 AND 2.9")" 0 \
	"estimate gaps are off by a factor of about 5"
is "$(sq "SELECT COUNT(*) FROM llx_fichinter f LEFT JOIN (SELECT fk_fichinter, SUM(duree) d FROM llx_fichinterdet GROUP BY 1) l ON l.fk_fichinter = f.rowid WHERE NOT (f.duree <=> l.d)")" 0 \
	"fichinter.duree = sum of its lines (seconds)"
n=$(sq "SELECT COUNT(*) FROM llx_element_element WHERE sourcetype='fichinter'"); [ "$n" -gt 0 ]; ok $? "some ticket links are stored in reverse ($n)"
is "$(sq "SELECT COUNT(*) FROM llx_ticket t WHERE t.type_code NOT IN (SELECT code FROM llx_c_ticket_type) OR t.category_code NOT IN (SELECT code FROM llx_c_ticket_category) OR t.severity_code NOT IN (SELECT code FROM llx_c_ticket_severity)")" 0 \
	"ticket codes exist in the dictionaries"
is "$(sq "SELECT COUNT(*) FROM llx_ticket WHERE fk_statut IN (8, 9) AND rowid NOT IN (SELECT row_id FROM $T.truth_dirt WHERE table_name='llx_ticket' AND kind IN ('zero_date','end_before_start')) AND NOT (datec < date_read AND date_read < date_close)")" 0 \
	"datec < date_read < date_close on clean closed tickets"
is "$(sq "SELECT COUNT(*) FROM llx_facture WHERE ABS(total_ttc - total_ht - total_tva) > 0.001")" 0 "invoice total_ttc = total_ht + total_tva"
is "$(sq "SELECT COUNT(*) FROM llx_facture f JOIN (SELECT fk_facture, SUM(total_ht) h FROM llx_facturedet GROUP BY 1) d ON d.fk_facture = f.rowid WHERE ABS(f.total_ht - d.h) > 0.001")" 0 "invoice total_ht = sum of its lines"
is "$(sq "SELECT GROUP_CONCAT(DISTINCT type ORDER BY type) FROM llx_facture")" "0,2,5" "standard, credit note and situation invoices"
is "$(sq "SELECT COUNT(*) FROM llx_actioncomm WHERE code IN ('AC_TICKET_CREATE','AC_TICKET_CLOSE') AND elementtype='ticket'")" \
	"$(sq "SELECT COUNT(*) + SUM(fk_statut IN (8,9) AND CAST(date_close AS CHAR) NOT LIKE '0000%') FROM llx_ticket")" \
	"one agenda event per ticket creation and closing"

# -- segments --------------------------------------------------------------------------------
is "$(sq "SELECT GROUP_CONCAT(DISTINCT segment ORDER BY segment) FROM $T.truth_segment")" \
	"at_risk,frequent,new,premium,regular" "five customer segments"
is "$(sq "SELECT COUNT(*) FROM llx_ticket t JOIN $T.truth_segment s ON s.fk_soc = t.fk_soc WHERE s.segment='new' AND t.datec < '2026-07-02'")" 0 \
	"new customers have no ticket before the last 90 days"
is "$(sq "SELECT COUNT(*) FROM llx_ticket t JOIN $T.truth_segment s ON s.fk_soc = t.fk_soc WHERE s.segment='at_risk' AND t.datec > '2026-03-30'")" 0 \
	"at-risk customers have no ticket in the last 6 months"
is "$(sq "SELECT (SELECT SUM(f.total_ht) / COUNT(DISTINCT s.fk_soc) FROM $T.truth_segment s JOIN llx_facture f ON f.fk_soc = s.fk_soc WHERE s.segment='premium') >
	3 * (SELECT SUM(f.total_ht) / COUNT(DISTINCT s.fk_soc) FROM $T.truth_segment s JOIN llx_facture f ON f.fk_soc = s.fk_soc WHERE s.segment='regular')")" 1 \
	"premium customers bring more than 3x the revenue of regular ones"
is "$(sq "SELECT (SELECT COUNT(*) / COUNT(DISTINCT s.fk_soc) FROM $T.truth_segment s JOIN llx_ticket t ON t.fk_soc = s.fk_soc WHERE s.segment='frequent') >
	2.5 * (SELECT COUNT(*) / COUNT(DISTINCT s.fk_soc) FROM $T.truth_segment s JOIN llx_ticket t ON t.fk_soc = s.fk_soc WHERE s.segment='regular')")" 1 \
	"frequent customers open more than 2.5x the tickets of regular ones"

# -- the columns are TABLES.md's -------------------------------------------------------------
awk '/^### llx_/ { t = $2; next } /^```/ { inb = !inb; next } inb && t != "" && NF >= 2 { print t, $1, tolower($2) }' \
	"$DOLIFLOW_SHARED/dolibarr/TABLES.md" | sort -s -k1,1 >"$TMP/tables_md.txt"
myq information_schema "SELECT table_name, column_name, LOWER(column_type) FROM columns WHERE table_schema='$DB' ORDER BY table_name, ordinal_position" \
	| tr '\t' ' ' >"$TMP/schema.txt"
n=$(awk '{print $1}' "$TMP/tables_md.txt" | sort -u | wc -l)
[ "$n" -ge 15 ]; ok $? "TABLES.md lists $n tables with their columns"
[ -f "$DOLIFLOW_SHARED/dolibarr/TABLES.md" ] ||
	diag "no ${DOLIFLOW_SHARED:-../shared}/dolibarr/TABLES.md: the checkout (or the local repository it was cloned from) must sit beside shared/, or set DOLIFLOW_SHARED"
# every TABLES.md table exists with the same columns, in order (extrafield columns excepted;
# sort -s keeps each table's column order)
awk 'NR == FNR { md[$1] = 1; next } ($1 in md)' "$TMP/tables_md.txt" "$TMP/schema.txt" \
	| grep -v -E '^llx_ticket_extrafields (satisfaction|estimated_duration|intervention_type|intervention_cost) ' | sort -s -k1,1 >"$TMP/schema_md.txt"
diff "$TMP/tables_md.txt" "$TMP/schema_md.txt" >"$TMP/columns.diff"
ok $? "column names and types of the loaded database = TABLES.md"
[ -s "$TMP/columns.diff" ] && diag "$(head -20 "$TMP/columns.diff")"

# -- determinism -----------------------------------------------------------------------------
sum() { (cd "$1" && cat -- *.tsv load.sql truth.sql | md5sum | cut -d' ' -f1); }
"$GEN/doliflow-gen" --seed "$SEED" --scale "$SCALE" --out "$TMP/a" >/dev/null &&
	"$GEN/doliflow-gen" --seed "$SEED" --scale "$SCALE" --out "$TMP/b" >/dev/null &&
	"$GEN/doliflow-gen" --seed $((SEED + 1)) --scale "$SCALE" --out "$TMP/c" >/dev/null
ok $? "three generations"
is "$(sum "$TMP/a")" "$(sum "$TMP/b")" "the same seed gives byte-identical files"
[ "$(sum "$TMP/a")" != "$(sum "$TMP/c")" ]; ok $? "another seed gives other data"
is "$(sq "SELECT COUNT(*) FROM llx_ticket")" "$(wc -l <"$TMP/a/llx_ticket.tsv")" \
	"the loaded ticket count = the generated rows"
"$GEN/doliflow-gen" --seed 1 --scale small --out "$TMP/e" --end-date 2025-02-28 >/dev/null &&
	is "$(cut -f17 "$TMP/e/llx_ticket.tsv" | sort | tail -1 | cut -c1-10 | awk '{print ($1 <= "2025-02-28")}')" 1 \
		"--end-date moves the data window"

myq information_schema "DROP DATABASE $DB; DROP DATABASE $T" >/dev/null 2>&1
rm -rf "$TMP"
done_testing
