-- Warehouse (part 30): calendar helpers, argument checks, and a load from a tiny hand-made
-- lake whose figures are computed by hand in the comments.  Runs in a database of its own so
-- that lake tables of other suites never interfere.
SELECT current_database() AS orig_db \gset
CREATE DATABASE doliflow_wh_regress;
\c doliflow_wh_regress
SET client_min_messages = warning;
CREATE EXTENSION doliflow CASCADE;

-- Easter: known dates, including the earliest (22 March) and latest (25 April) possible.
SELECT y, doliflow.easter_sunday(y)
  FROM (VALUES (1818), (1943), (2000), (2024), (2025), (2026), (2038), (2285)) v(y);
SELECT doliflow.easter_sunday(NULL) IS NULL AS null_in_null_out;
SELECT doliflow.easter_sunday(1500);
-- 2025: Easter Monday 21 April, Ascension 29 May, Whit Monday 9 June.
SELECT * FROM doliflow.french_holidays(2025);
SELECT count(*) FROM doliflow.french_holidays(2024);

-- Argument checks.
CALL doliflow.load_warehouse(NULL);
CALL doliflow.load_warehouse(full_rebuild => NULL);
-- A lake view missing: a clear error, logged as a failed run, and nothing written.
ALTER TABLE lake.llx_ticket_current RENAME TO llx_ticket_current_away;
CALL doliflow.load_warehouse();
ALTER TABLE lake.llx_ticket_current_away RENAME TO llx_ticket_current;
SELECT kind, status, error LIKE 'the lake has no lake.llx_%' AS says_what_is_missing FROM doliflow.run_log;
SELECT step, status, detail ->> 'sqlstate' AS sqlstate FROM doliflow.run_step;
SELECT count(*) AS load_state_rows FROM dw.load_state;
-- Inside a transaction block the procedure cannot commit.
BEGIN;
CALL doliflow.load_warehouse();
ROLLBACK;
-- status() before any load.
SELECT section, name, status, rows FROM doliflow.status() WHERE section = 'warehouse';

-- The lake of part 20 (connect() is not needed: rows are written by hand).  Test-only
-- defaults for the lake's bookkeeping columns keep the inserts short.
DO $$
DECLARE r record;
BEGIN
	FOR r IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			  WHERE n.nspname = 'lake' AND c.relkind = 'r' AND c.relname LIKE 'llx%' LOOP
		EXECUTE format('ALTER TABLE lake.%I ALTER _hash SET DEFAULT gen_random_uuid(), ALTER _extracted_at SET DEFAULT now()', r.relname);
	END LOOP;
END $$;

-- Batch 1.
INSERT INTO lake.batch (batch_id, table_name, status) OVERRIDING SYSTEM VALUE VALUES (1, 'all', 'loaded');
INSERT INTO lake.llx_societe (rowid, entity, nom, town, zip, client, fournisseur, status, datec, _batch) VALUES
	(1, 1, 'Dupont SARL', ' Lyon ', '69003', 1, 0, 1, '2024-01-05 10:00', 1),
	(2, 1, 'Martin', 'Paris', '75011', 3, 1, 0, '2024-02-01 09:00', 1);
INSERT INTO lake.llx_user (rowid, entity, login, firstname, lastname, job, thm, employee, statut, _batch) VALUES
	(7, 1, 'jdupont', 'Jean', 'Dupont', 'Plombier', 40, 1, 1, 1),
	(8, 1, 'x', NULL, ' ', NULL, NULL, 1, 0, 1);
INSERT INTO lake.llx_c_ticket_type (rowid, entity, code, label, _batch) VALUES
	(1, 2, 'DEPANN', 'Libellé de l''entité 2', 1), (2, 1, 'DEPANN', 'Dépannage', 1);
INSERT INTO lake.llx_c_ticket_category (rowid, entity, code, label, _batch) VALUES (1, 1, 'PLOMB', 'Plomberie', 1);
INSERT INTO lake.llx_c_ticket_severity (rowid, entity, code, label, _batch) VALUES (1, 1, 'HIGH', 'High', 1);
-- Ticket 1: created Friday 18 April 2025 08:00, read 09:30 (1.5 h), closed Tuesday 22 April
-- 10:00 (98 h).  Ticket 2: open, unknown type code.
INSERT INTO lake.llx_ticket (rowid, entity, ref, datec, date_read, date_close, fk_statut, type_code, category_code, severity_code, fk_soc, fk_project, fk_user_assign, _batch) VALUES
	(1, 1, 'TK1', '2025-04-18 08:00', '2025-04-18 09:30', '2025-04-22 10:00', 8, 'DEPANN', 'PLOMB', 'HIGH', 1, 0, 7, 1),
	(2, 1, 'TK2', '2025-05-02 10:00', NULL, NULL, 3, 'NOPE', NULL, NULL, 2, 0, 8, 1);
INSERT INTO lake.llx_ticket_extrafields (rowid, fk_object, extrafields, _batch) VALUES
	(1, 1, '{"satisfaction": 4, "estimated_duration": 2.5, "intervention_type": " Repair ", "intervention_cost": 150}', 1);
-- Interventions 10 (1.5 h) and 11 (0.5 h) on ticket 1, linked in both directions, the pair
-- (1, 10) twice: 2 interventions, 2.0 hours.  Intervention 12 is linked to a proposal only.
INSERT INTO lake.llx_fichinter (rowid, fk_soc, datei, datec, duree, _batch) VALUES
	(10, 1, '2025-04-19', '2025-04-19 08:00', 5400, 1), (11, 1, '2025-04-21', '2025-04-21 08:00', 1800, 1),
	(12, 2, '2025-06-01', '2025-06-01 08:00', 3600, 1);
INSERT INTO lake.llx_element_element (rowid, fk_source, sourcetype, fk_target, targettype, _batch) VALUES
	(1, 1, 'ticket', 10, 'fichinter', 1), (2, 11, 'fichinter', 1, 'ticket', 1),
	(3, 10, 'fichinter', 1, 'ticket', 1), (4, 5, 'propal', 12, 'fichinter', 1);

SELECT sum(doliflow._lake_rebuild_current(table_name)) AS current_rows FROM doliflow.source_table;
CALL doliflow.load_warehouse();
SELECT ticket_key, created_date_key, closed_date_key, status_label, is_closed, type_label, category_label,
	   severity_label, customer_key, project_key, technician_key, city, resolution_hours,
	   first_response_hours, interventions, intervention_hours, estimated_hours, intervention_cost,
	   satisfaction, intervention_type
  FROM dw.fact_tickets ORDER BY 1;
SELECT customer_key, name, town, client_type_label, is_supplier, status_label, first_activity, last_activity,
	   tickets, invoices, interventions
  FROM dw.dim_customer ORDER BY 1;
SELECT technician_key, full_name, thm, is_active FROM dw.dim_technician ORDER BY 1;

-- The calendar: 1 January of the first data year, then to 31 December two years after the
-- current year; holidays and ISO weeks.
SELECT min(day) AS first_day,
	   max(day) = make_date(extract(year FROM doliflow.company_today())::int + 2, 12, 31) AS ends_two_years_ahead,
	   count(*) = max(day) - min(day) + 1 AS no_gap
  FROM dw.dim_date;
SELECT day, weekday_name, holiday_name, is_working_day FROM dw.dim_date WHERE is_holiday AND year = 2025 ORDER BY day;
SELECT date_key, iso_year, iso_week, iso_weekday, is_weekend, month_name, quarter
  FROM dw.dim_date WHERE day IN ('2025-04-21', '2025-12-28', '2025-12-29', '2027-01-01') ORDER BY 1;

-- (dim_date's size depends on the current year.)
SELECT target, mode, last_batch, rows_total FROM dw.load_state WHERE target <> 'dim_date' ORDER BY target;
SELECT month, tickets_opened, tickets_closed, mean_resolution_hours, mean_first_response_hours,
	   mean_satisfaction, interventions, intervention_hours
  FROM dw.v_tickets_monthly ORDER BY 1;
SELECT technician_key, full_name, tickets_assigned, tickets_closed, mean_resolution_hours, intervention_hours,
	   labor_cost, intervention_cost, estimate_accuracy_pct, estimate_bias_pct
  FROM dw.v_technician_performance ORDER BY 1;

-- Batch 2: ticket 2 deleted (tombstone), customer 1 moves, satisfaction changed, the link
-- from intervention 11 removed.  Incremental load.
INSERT INTO lake.batch (batch_id, table_name, status) OVERRIDING SYSTEM VALUE VALUES (2, 'all', 'loaded');
INSERT INTO lake.llx_ticket (rowid, _batch, _deleted) VALUES (2, 2, true);
INSERT INTO lake.llx_societe (rowid, entity, nom, town, zip, client, fournisseur, status, datec, _batch) VALUES
	(1, 1, 'Dupont SARL', 'Villeurbanne', '69100', 1, 0, 1, '2024-01-05 10:00', 2);
INSERT INTO lake.llx_ticket_extrafields (rowid, fk_object, extrafields, _batch) VALUES
	(1, 1, '{"satisfaction": 5, "estimated_duration": 2.5, "intervention_type": "repair", "intervention_cost": 150}', 2);
INSERT INTO lake.llx_element_element (rowid, _batch, _deleted) VALUES (2, 2, true);
SELECT sum(doliflow._lake_rebuild_current(table_name)) AS current_rows FROM doliflow.source_table;
CALL doliflow.load_warehouse();
SELECT ticket_key, city, interventions, intervention_hours, satisfaction FROM dw.fact_tickets ORDER BY 1;
SELECT customer_key, town, tickets, last_activity FROM dw.dim_customer ORDER BY 1;
SELECT target, mode, last_batch, rows_total, rows_changed FROM dw.load_state
 WHERE target IN ('fact_tickets', 'dim_customer', 'fact_stock') ORDER BY target;
SELECT step, status, rows_in, rows_out FROM doliflow.run_step
 WHERE run_id = (SELECT max(run_id) FROM doliflow.run_log) ORDER BY step_id;
SELECT section, name, status, rows FROM doliflow.status()
 WHERE section IN ('warehouse', 'run') AND name <> 'dw.dim_date' ORDER BY section, name;
SELECT rows = (SELECT count(*) FROM dw.dim_date) AS dim_date_rows_right FROM doliflow.status() WHERE name = 'dw.dim_date';
SELECT count(*) AS lake_rows FROM doliflow.status() WHERE section = 'lake' AND status = 'ok';

-- A change of an extrafield setting forces a full rebuild (column missing: NULL, warning).
UPDATE doliflow.settings SET value = 'no_such_column' WHERE name = 'extrafield_satisfaction';
SET client_min_messages = warning;
CALL doliflow.load_warehouse();
SELECT DISTINCT mode FROM dw.load_state;
SELECT ticket_key, satisfaction FROM dw.fact_tickets;

-- Every dw object and every column of the report views is described.
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'dw' AND c.relkind IN ('r', 'v') AND obj_description(c.oid, 'pg_class') IS NULL;
SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'dw' AND c.relkind IN ('r', 'v') AND a.attnum > 0 AND NOT a.attisdropped
   AND col_description(c.oid, a.attnum) IS NULL;

\c :orig_db
DROP DATABASE doliflow_wh_regress;
