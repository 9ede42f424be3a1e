#!/usr/bin/env bash
# 63_purchasing: what buyers ask (issue 16, item 3), on a small hand-made Dolibarr source whose
# every figure is computed by hand below.
#
#   demand: constant, every day of the last 400 days (so the SQL baseline forecasts exactly the
#   same quantity every day): PRD1 1/day out of each of two warehouses, PRD2 2/day out of
#   warehouse 1, PRD3 1/day out of warehouse 2.  Settings: forecast_engine sql,
#   safety_margin_pct 0, attention_days 3, stock_review_days 7.
#
#   PRD1: stock 4 (wh1) + 6 (wh2); suppliers A (id 10: 5 days, tiers of 50 at 3.00 and of 100
#         at 2.80, packaging 12) and B (id 11: 10 days, 2.50 a unit, from 1): A is used
#         (shortest delay), MOQ 50, packaging 12.  Open supplier orders: status 3 for 8 (status
#         0 for 100 and 5 for 50 do not count).  Customer orders: status 1 for 6 and status 2
#         for 2 count (8); draft (0) 100, closed (3) 40 and canceled (-1) 30 do not.
#         Shares 1/2 and 1/2: incoming 4 + 4, reserved 4 + 4, virtual 4 and 6.
#         Lead time 5: demand over it 5 per warehouse; wh1 4 - 5 < 0 Critical, wh2 6 - 5 = 1 < 3
#         Attention.  Target = 5 + 7 days: 12 per warehouse; needs 12 - 4 = 8 and 12 - 6 = 6.
#         Product: need 14 -> MOQ 50 -> packs of 12 -> 60, tier 50 (60 < 100): 3.00, 180.00;
#         planned delivery today + 5.  Each warehouse alone: 8 -> 60 and 6 -> 60.
#   PRD2: stock 20 (wh1); suppliers A (7 days, 4.00) and B (7 days, 3.50, no packaging):
#         B is used (same delay, lower price); the product's packaging 10 applies, MOQ 1.
#         Customer order status 2 for 5: virtual 15.  Lead 7: demand 14, 20 - 14 = 6, not < 6: OK.
#         Target 14 days: 28; need 28 - 15 = 13 -> packs of 10 -> 20, at 3.50: 70.00; today + 7.
#   PRD3: stock 30 (wh2); one supplier C (id 12) with no delay: the default 7 days.
#         Demand 7, target 14: need 0, nothing to order; only supplier.
set -u
. "$(dirname "$0")/../lib.sh"

SRC=pu63_src
PG=pu63

my() { mariadb --no-defaults -h "$MYSQL_HOST" -P "$MYSQL_PORT" -u "$MYSQL_USER" -p"$MYSQL_PWD" \
	--default-character-set=utf8mb4 "$@"; }

my -e "DROP DATABASE IF EXISTS $SRC; CREATE DATABASE $SRC CHARACTER SET utf8mb4" &&
my "$SRC" <"$DF_ROOT/test/fixtures/dolibarr.sql" &&
my "$SRC" <<'SQL'
SET sql_mode = '';
INSERT INTO llx_societe (rowid, nom, entity, status, client, fournisseur, datec)
VALUES (1, 'Client 1', 1, 1, 1, 0, '2022-01-01'), (10, 'Fournisseur A', 1, 1, 0, 1, '2022-01-01'),
       (11, 'Fournisseur B', 1, 1, 0, 1, '2022-01-01'), (12, 'Fournisseur C', 1, 1, 0, 1, '2022-01-01');
INSERT INTO llx_entrepot (rowid, ref, entity, statut, datec)
VALUES (1, 'Dépôt', 1, 1, '2022-01-01'), (2, 'Camion', 1, 1, '2022-01-01');
INSERT INTO llx_product (rowid, ref, entity, label, price, cost_price, pmp, fk_product_type, tosell, tobuy, stock, packaging, datec)
VALUES (1, 'PRD1', 1, 'Produit 1', 10, 3, 3, 0, 1, 1, 10, NULL, '2022-01-01'),
       (2, 'PRD2', 1, 'Produit 2', 10, 3, 3, 0, 1, 1, 20, 10, '2022-01-01'),
       (3, 'PRD3', 1, 'Produit 3', 10, 3, 3, 0, 1, 1, 30, NULL, '2022-01-01');
INSERT INTO llx_product_fournisseur_price (rowid, entity, fk_product, fk_soc, ref_fourn, price, quantity, unitprice, tva_tx, delivery_time_days, packaging, status)
VALUES (1, 1, 1, 10, 'A-P1-50', 150, 50, 3.00, 20, 5, 12, 1),
       (2, 1, 1, 10, 'A-P1-100', 280, 100, 2.80, 20, 5, 12, 1),
       (3, 1, 1, 11, 'B-P1', 2.5, 1, 2.50, 20, 10, NULL, 1),
       (4, 1, 2, 10, 'A-P2', 4, 1, 4.00, 20, 7, 5, 1),
       (5, 1, 2, 11, 'B-P2', 3.5, 1, 3.50, 20, 7, NULL, 1),
       (6, 1, 2, 12, 'C-P2-OLD', 1, 1, 1.00, 20, 1, NULL, 0),
       (7, 1, 3, 12, 'C-P3', 9, 1, 9.00, 20, NULL, NULL, 1);
-- The stock: one reception 401 days ago, then the daily sales (type 2) of the last 400 days.
INSERT INTO llx_stock_mouvement (rowid, datem, fk_product, fk_entrepot, value, price, type_mouvement, label, fk_origin, origintype)
VALUES (1, CURDATE() - INTERVAL 401 DAY + INTERVAL 9 HOUR, 1, 1, 404, 3, 3, 'Réception', 0, NULL),
       (2, CURDATE() - INTERVAL 401 DAY + INTERVAL 9 HOUR, 1, 2, 406, 3, 3, 'Réception', 0, NULL),
       (3, CURDATE() - INTERVAL 401 DAY + INTERVAL 9 HOUR, 2, 1, 820, 3, 3, 'Réception', 0, NULL),
       (4, CURDATE() - INTERVAL 401 DAY + INTERVAL 9 HOUR, 3, 2, 430, 3, 3, 'Réception', 0, NULL);
INSERT INTO llx_stock_mouvement (rowid, datem, fk_product, fk_entrepot, value, price, type_mouvement, label, fk_origin, origintype)
SELECT 10 + 4 * seq + k, CURDATE() - INTERVAL seq DAY + INTERVAL 11 HOUR,
       ELT(k + 1, 1, 1, 2, 3), ELT(k + 1, 1, 2, 1, 2), ELT(k + 1, -1, -1, -2, -1), 10, 2, 'Vente', seq, 'facture'
  FROM (SELECT CAST(seq AS SIGNED) AS seq FROM seq_1_to_400) s
 CROSS JOIN (SELECT CAST(seq AS SIGNED) AS k FROM seq_0_to_3) kk;
INSERT INTO llx_product_stock (rowid, fk_product, fk_entrepot, reel)
SELECT ROW_NUMBER() OVER (ORDER BY fk_product, fk_entrepot), fk_product, fk_entrepot, SUM(value)
  FROM llx_stock_mouvement GROUP BY fk_product, fk_entrepot;
-- Supplier orders: 3 ordered (counts), 0 draft and 5 received (do not).
INSERT INTO llx_commande_fournisseur (rowid, ref, entity, fk_soc, source, fk_statut, date_creation, date_commande)
VALUES (1, 'CF1', 1, 10, 0, 3, CURDATE() - INTERVAL 2 DAY, CURDATE() - INTERVAL 2 DAY),
       (2, 'CF2', 1, 10, 0, 0, CURDATE() - INTERVAL 1 DAY, NULL),
       (3, 'CF3', 1, 11, 0, 5, CURDATE() - INTERVAL 30 DAY, CURDATE() - INTERVAL 30 DAY);
INSERT INTO llx_commande_fournisseurdet (rowid, fk_commande, fk_product, qty, subprice, product_type)
VALUES (1, 1, 1, 8, 3, 0), (2, 2, 1, 100, 3, 0), (3, 3, 1, 50, 2.5, 0);
-- Customer orders: 1 validated and 2 shipment in process count; 0 draft, 3 closed, -1 canceled do not.
INSERT INTO llx_commande (rowid, ref, entity, fk_soc, fk_statut, date_creation, date_commande)
VALUES (1, 'CO1', 1, 1, 1, CURDATE(), CURDATE()), (2, 'CO2', 1, 1, 2, CURDATE(), CURDATE()),
       (3, 'CO3', 1, 1, 0, CURDATE(), NULL), (4, 'CO4', 1, 1, 3, CURDATE() - INTERVAL 9 DAY, CURDATE() - INTERVAL 9 DAY),
       (5, 'CO5', 1, 1, -1, CURDATE(), CURDATE());
INSERT INTO llx_commandedet (rowid, fk_commande, fk_product, qty, subprice, product_type)
VALUES (1, 1, 1, 6, 10, 0), (2, 2, 1, 2, 10, 0), (3, 2, 2, 5, 10, 0), (4, 3, 1, 100, 10, 0),
       (5, 4, 1, 40, 10, 0), (6, 5, 1, 30, 10, 0), (7, 1, NULL, 1, 50, 1);
SQL
ok $? "hand-made source loaded (fixture DDL with llx_commande and llx_commandedet)"
sleep 1.2	# rows modified in the current second of the source clock wait for the next extract (21_extract)

df_new_pgdb "$PG" && df_connect "$PG" "$SRC"; ok $? "doliflow installed and connected"
q "$PG" "UPDATE doliflow.settings SET value = 'sql' WHERE name = 'forecast_engine';
         UPDATE doliflow.settings SET value = '0' WHERE name = 'safety_margin_pct';
         UPDATE doliflow.settings SET value = '3' WHERE name = 'attention_days';
         UPDATE doliflow.settings SET value = '7' WHERE name = 'stock_review_days';
         UPDATE doliflow.settings SET value = '400' WHERE name = 'forecast_history_days';" >/dev/null
ok $? "settings: sql baseline, no margin"
psql -X -q -v ON_ERROR_STOP=1 -d "$PG" -c "CALL doliflow.extract()" -c "CALL doliflow.load_warehouse()" \
	-c "CALL doliflow.run_analytics('forecast')" >"$TEST_TMP/63_load.out" 2>&1
ok $? "extract, load_warehouse, forecast"
is "$(q "$PG" "SELECT string_agg(table_name || '=' || n, ' ' ORDER BY table_name) FROM (
                 SELECT 'llx_commande' AS table_name, count(*) AS n FROM lake.llx_commande_current
                 UNION ALL SELECT 'llx_commandedet', count(*) FROM lake.llx_commandedet_current) x")" \
	"llx_commande=5 llx_commandedet=7" "the customer orders and their lines are in the lake"
is "$(q "$PG" "SELECT count(*) FROM doliflow.quality_report(36500) WHERE table_name IN ('llx_commande', 'llx_commandedet')")" 2 \
	"the quality report covers the customer orders"
is "$(q "$PG" "SELECT count(DISTINCT round(yhat::numeric, 6)) || ' ' || min(round(yhat::numeric, 6)) || ' ' || max(round(yhat::numeric, 6))
                 FROM dw.predictions WHERE fk_product = 1")" "1 2.000000 2.000000" "(the constant demand is forecast exactly: 2 a day for PRD1)"

today=$(q "$PG" "SELECT doliflow.company_today()")
d5=$(q "$PG" "SELECT doliflow.company_today() + 5")
d7=$(q "$PG" "SELECT doliflow.company_today() + 7")

#------------------------------------------------------------------------------
# Warehouse rows of dw.v_stock_alerts
#------------------------------------------------------------------------------
is "$(q "$PG" "SELECT string_agg(concat_ws(' ', product_ref, warehouse_ref, level, stock, incoming, reserved, virtual_stock,
                                           demand_lead_time, demand_until_target, raw_quantity, moq, order_packaging, order_quantity),
                                 ' | ' ORDER BY fk_product, fk_entrepot) FROM dw.v_stock_alerts")" \
	"PRD1 Dépôt Critical 4.000 4.000 4.000 4.000 5.000 12.000 8.000 50 12 60 | PRD1 Camion Attention 6.000 4.000 4.000 6.000 5.000 12.000 6.000 50 12 60 | PRD2 Dépôt OK 20.000 0.000 5.000 15.000 14.000 28.000 13.000 1 10 20 | PRD3 Camion OK 30.000 0.000 0.000 30.000 7.000 14.000 0.000 1 0" \
	"warehouse rows: stock, open supplier orders (status 1-4), open customer orders (status 1-2), virtual stock, need, MOQ, packaging, rounded quantity"
is "$(q "$PG" "SELECT string_agg(concat_ws(' / ', product_ref, coalesce(rounding, '-'), supplier_id, supplier_name, supplier_ref, unit_price, planned_delivery_date, lead_time_days),
                                 ' | ' ORDER BY fk_product, fk_entrepot) FROM dw.v_stock_alerts")" \
	"PRD1 / minimum de commande 50, colisage 12 -> 60 / 10 / Fournisseur A / A-P1-50 / 3 / $d5 / 5 | PRD1 / minimum de commande 50, colisage 12 -> 60 / 10 / Fournisseur A / A-P1-50 / 3 / $d5 / 5 | PRD2 / colisage 10 -> 20 / 11 / Fournisseur B / B-P2 / 3.5 / $d7 / 7 | PRD3 / - / 12 / Fournisseur C / C-P3 / 9 / $d7 / 7" \
	"rounding shown, supplier used, planned delivery = today ($today) + the supplier's delay (else the default 7)"
is "$(q "$PG" "SELECT string_agg(DISTINCT product_ref || ': ' || supplier_reason, ' | ') FROM dw.v_stock_alerts")" \
	"PRD1: délai le plus court des 2 fournisseurs : 5 j (suivant : Fournisseur B, 10 j) | PRD2: même délai que Fournisseur A (7 j), prix unitaire plus bas : 3,5 (contre 4) | PRD3: seul fournisseur (délai inconnu)" \
	"why that supplier: shortest delay, then lower price (an inactive price is not a supplier), only supplier"
q "$PG" "UPDATE doliflow.settings SET value = 'en' WHERE name = 'language'" >/dev/null
is "$(q "$PG" "SELECT rounding || ' / ' || supplier_reason FROM dw.v_stock_alerts WHERE fk_product = 1 AND fk_entrepot = 1")" \
	"MOQ 50, packaging 12 -> 60 / shortest delivery time of 2 suppliers: 5 d (next: Fournisseur B, 10 d)" "the same in English (setting language)"
q "$PG" "UPDATE doliflow.settings SET value = 'fr' WHERE name = 'language'" >/dev/null

#------------------------------------------------------------------------------
# Product totals: the warehouse rows add up
#------------------------------------------------------------------------------
is "$(q "$PG" "SELECT string_agg(concat_ws(' ', product_ref, warehouses, level, stock, incoming, reserved, virtual_stock, raw_quantity,
                                           order_quantity, rounding, supplier_id, unit_price, order_amount, planned_delivery_date),
                                 ' | ' ORDER BY fk_product) FROM dw.v_stock_products")" \
	"PRD1 2 Critical 10.000 8.000 8.000 10.000 14.000 60 minimum de commande 50, colisage 12 -> 60 10 3 180.00 $d5 | PRD2 1 OK 20.000 0.000 5.000 15.000 13.000 20 colisage 10 -> 20 11 3.5 70.00 $d7 | PRD3 1 OK 30.000 0.000 0.000 30.000 0.000 0 12 9 0.00 $d7" \
	"product rows: totals, the need rounded once (14 -> MOQ 50 -> 60), price of the tier 60 reaches"
is "$(q "$PG" "SELECT count(*) FROM dw.v_stock_products p JOIN (
                 SELECT fk_product, sum(stock) s, sum(incoming) i, sum(reserved) r, sum(virtual_stock) v,
                        sum(demand_lead_time) dl, sum(demand_until_target) dt, sum(raw_quantity) q
                   FROM dw.v_stock_alerts GROUP BY 1) w USING (fk_product)
                WHERE (p.stock, p.incoming, p.reserved, p.virtual_stock, p.demand_lead_time, p.demand_until_target, p.raw_quantity)
                      IS DISTINCT FROM (w.s, w.i, w.r, w.v, w.dl, w.dt, w.q)")" 0 \
	"sum over the warehouses = the product row (stock, incoming, reserved, virtual stock, demand, need)"
is "$(q "$PG" "SELECT count(*) FROM dw.v_stock_products WHERE virtual_stock <> stock + incoming - reserved")" 0 \
	"virtual stock = physical + open supplier orders - open customer orders"
# A product whose quantity reaches the next tier gets that tier's price: PRD1 needs 110 (-> 120).
q "$PG" "UPDATE doliflow.settings SET value = '60' WHERE name = 'stock_review_days'" >/dev/null
is "$(q "$PG" "SELECT concat_ws(' ', raw_quantity, order_quantity, rounding, unit_price, order_amount) FROM dw.v_stock_products WHERE fk_product = 1")" \
	"120.000 120 pas d'arrondi 2.8 336.00" "(review 60 days: need 2 x 65 - 10 = 120, a multiple of 12: the 100 tier, 2.80)"
q "$PG" "UPDATE doliflow.settings SET value = '7' WHERE name = 'stock_review_days'" >/dev/null

#------------------------------------------------------------------------------
# Order proposals per supplier, and their CSV
#------------------------------------------------------------------------------
is "$(q "$PG" "SELECT string_agg(concat_ws(' ', supplier_id, supplier_name, line_no, product_ref, quantity, line_amount, supplier_lines, supplier_total, supplier_delivery_date),
                                 ' | ' ORDER BY supplier_name, line_no) FROM dw.v_order_proposals")" \
	"10 Fournisseur A 1 PRD1 60 180.00 1 180.00 $d5 | 11 Fournisseur B 1 PRD2 20 70.00 1 70.00 $d7" \
	"proposals grouped per supplier with totals (nothing to order for PRD3)"
dd5=$(q "$PG" "SELECT to_char(doliflow.company_today() + 5, 'DD/MM/YYYY')")
dd7=$(q "$PG" "SELECT to_char(doliflow.company_today() + 7, 'DD/MM/YYYY')")
psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$PG" -c "SELECT doliflow.order_proposals_csv()" >"$TEST_TMP/63_proposals.csv"
ok $? "the CSV, written by psql as the README says"
cat >"$TEST_TMP/63_expected.csv" <<EOF
fournisseur_id;fournisseur;ligne;ref_fournisseur;produit_ref;produit;quantite;prix_unitaire_ht;montant_ht;arrondi;livraison_prevue;niveau
10;Fournisseur A;1;A-P1-50;PRD1;Produit 1;60;3;180,00;minimum de commande 50, colisage 12 -> 60;$dd5;Critical
10;Fournisseur A;TOTAL;;;;;;180,00;;$dd5;
11;Fournisseur B;1;B-P2;PRD2;Produit 2;20;3,5;70,00;colisage 10 -> 20;$dd7;OK
11;Fournisseur B;TOTAL;;;;;;70,00;;$dd7;

EOF
diff "$TEST_TMP/63_expected.csv" "$TEST_TMP/63_proposals.csv" >"$TEST_TMP/63_csv.diff"
ok $? "CSV: ; separator, decimal comma, one total line per supplier$( [ -s "$TEST_TMP/63_csv.diff" ] && printf ' (diff: %s)' "$(tr '\n' ' ' <"$TEST_TMP/63_csv.diff")")"
is "$(q "$PG" "SELECT doliflow.order_proposals_csv(11)" | wc -l)" 4 "one supplier's CSV: header, its line, its total (and the final newline)"
is "$(q "$PG" "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = 'dolibarr' AND c.relname IN ('llx_commande', 'llx_commandedet')")" 2 \
	"the customer order tables are foreign tables of the connector"
is "$(my -N "$SRC" -e "SELECT count(*) FROM llx_commande_fournisseur")" 3 "nothing was written to the source (still 3 supplier orders)"

#------------------------------------------------------------------------------
# The rounding functions at their edges
#------------------------------------------------------------------------------
is "$(q "$PG" "SELECT concat_ws(' ', doliflow.order_quantity(37, 50, 12), doliflow.order_quantity(49, 50, NULL), doliflow.order_quantity(51, 50, NULL),
                                 doliflow.order_quantity(0, 50, 12), doliflow.order_quantity(-3, 50, 12), doliflow.order_quantity(7.2, NULL, 0),
                                 doliflow.order_quantity(7.2, 0, 2.5), coalesce(doliflow.order_quantity(NULL, 5, 5)::text, 'null'))")" \
	"60 50 51 0 0 7.2 7.5 null" "order_quantity: MOQ then packaging; nothing needed = 0; NULL in, NULL out"
is "$(q "$PG" "SELECT concat_ws(' / ', doliflow.order_rounding(37, 50, 12, 'en'), doliflow.order_rounding(60, 50, 12, 'en'),
                                 doliflow.order_rounding(61, 50, 12, 'en'), doliflow.order_rounding(10, 50, NULL, 'en'),
                                 coalesce(doliflow.order_rounding(0, 50, 12, 'en'), 'null'))")" \
	"MOQ 50, packaging 12 -> 60 / no rounding / packaging 12 -> 72 / MOQ 50 / null" "order_rounding says what was done"
for bad in "order_quantity(1, -1, 1)" "order_quantity(1, 1, -1)" "order_quantity('NaN', 1, 1)" "order_rounding(1, 1, 1, 'de')" "supplier_reason('only', 1, 1, NULL, NULL, NULL, 1, 'xx')"; do
	out=$(q "$PG" "SELECT doliflow.$bad" 2>&1)
	case "$out" in *"must be"*) ok 0 "$bad refused: ${out#ERROR:  }" ;; *) ok 1 "$bad refused (got: $out)" ;; esac
done

done_testing
