\set VERBOSITY terse
-- The HTML report (part 65) on a fresh install: formats, escaping, languages,
-- argument checks, the pages without data, the first line after a failed or
-- partial night, and the nightly copy.  (The pages with data and their
-- rendering in a browser: test/integration/75_report_browser.sh.)

-- 1. Number, money and date formats: French by default, English on demand.
SELECT doliflow._report_num(1234.5, 2, 'fr') = '1' || U&'\00A0' || '234,50' AS fr_number,
	   doliflow._report_eur(1234.5, 'fr') = '1' || U&'\00A0' || '234,50' || U&'\00A0' || '€' AS fr_money,
	   doliflow._report_num(-1234567.891, 1, 'en') AS en_number,
	   doliflow._report_eur(1234.5, 'en') AS en_money,
	   doliflow._report_num(0.05, 1, 'fr') AS small,
	   doliflow._report_num(999, 0, 'fr') AS no_group,
	   doliflow._report_num(NULL, 2, 'fr') AS null_dash,
	   doliflow._report_qty(153.495, 'fr') AS qty_decimal,
	   doliflow._report_qty(160, 'fr') AS qty_whole,
	   doliflow._report_date('2026-12-02', 'fr') AS fr_date,
	   doliflow._report_date('2026-12-02', 'en') AS en_date,
	   doliflow._report_ts('2026-12-01 23:41:00+00', 'fr', 'Europe/Paris') AS fr_time,
	   doliflow._report_month('2026-02-10', 'fr') AS fr_month;

-- 2. Escaping: every character that could open markup or end an attribute.
SELECT doliflow._h('<script>alert("x") & ''y''</script>') AS escaped, doliflow._h(NULL) = '' AS null_empty;

-- 3. Translations of stored English sentences (figures kept, decimal commas).
SELECT doliflow._report_reason('cost 2439.31 EUR for 3 h, i.e. 813.1 EUR/h where this technician''s jobs usually cost 45.0 EUR/h (robust z +47.3)', 'fr') AS cost_fr,
	   doliflow._report_reason('Premium: 5230.10 EUR invoiced in 12 months, in the top 10% of invoiced customers (from 4000.00 EUR)', 'fr') AS premium_fr,
	   doliflow._report_reason('Premium: 5230.10 EUR invoiced in 12 months', 'en') AS premium_en;
-- every label has both languages, none empty
SELECT count(*) AS labels, count(*) FILTER (WHERE fr = '' OR en = '') AS empty FROM doliflow.report_labels;

-- 4. Arguments: page and lang are checked (22023), lang defaults to the setting.
SELECT doliflow.report_html('stock');
SELECT doliflow.report_html(NULL);
SELECT doliflow.report_html('all', 'de');
SELECT doliflow.report_html('all', 'FR');
UPDATE doliflow.settings SET value = 'en' WHERE name = 'language';
SELECT doliflow.report_html('tableau') LIKE '%<html lang="en">%<h2>Dashboard</h2>%' AS english_from_setting;
UPDATE doliflow.settings SET value = 'it' WHERE name = 'language';   -- refused by the setting's domain
SELECT doliflow.report_html('tableau') LIKE '%<html lang="en">%' AS setting_kept;
SELECT doliflow.report_html('tableau', 'fr') LIKE '%<html lang="fr">%<h2>Tableau de bord</h2>%' AS argument_wins;
UPDATE doliflow.settings SET value = 'fr' WHERE name = 'language';

-- 5. A fresh install: every page says there is no data instead of empty charts,
--    and its first line says doliflow never ran.  (Earlier suites of this
--    database left runs in the log: hidden inside a transaction.)
BEGIN;
DELETE FROM doliflow.run_log;
SELECT p.page,
	   substring(h FROM '<body[^>]*>(<p class="banner[^"]*" id="run-status" data-status="[a-z]+">)') AS first_line,
	   (SELECT count(*) FROM regexp_matches(h, 'class="empty"', 'g')) AS empty_notes,
	   h LIKE '%<svg%' AS has_chart,
	   h ~* '<script|https?://|src=|@import|url\(' AS external_or_script,
	   right(h, 8) = '</html>' || chr(10) AS complete
  FROM unnest(ARRAY['all', 'alertes', 'tableau', 'predictions', 'interventions']) AS p(page),
	   LATERAL doliflow.report_html(p.page) AS h
 ORDER BY p.page;
SELECT doliflow.report_html('alertes') LIKE '%Aucune donnée : doliflow n&#39;a encore jamais tourné%' AS says_never_ran,
	   doliflow.report_html('alertes', 'en') LIKE '%No data: doliflow has never run yet%' AS says_never_ran_en;

-- 6. A failed night, then a partial one: the FIRST line of the page says so.
INSERT INTO doliflow.run_log (kind, started_at, finished_at, status, error)
VALUES ('pipeline', '2026-12-01 23:30:00+00', '2026-12-01 23:31:00+00', 'failed', 'could not connect to server "dolibarr": <timeout>');
SELECT regexp_replace(substring(doliflow.report_html('tableau') FROM '<body[^>]*>(<p[^>]*>[^<]*</p>)'), 'exécution \d+', 'exécution N') AS first_line_failed;
INSERT INTO doliflow.run_log (kind, started_at, finished_at, status)
VALUES ('pipeline', '2026-12-02 23:30:00+00', '2026-12-02 23:35:00+00', 'partial') RETURNING run_id AS partial_run \gset
INSERT INTO doliflow.run_step (run_id, step, status, error) VALUES
	(:partial_run, 'extract:llx_ticket', 'failed', 'table gone'), (:partial_run, 'extract:llx_product', 'success', NULL),
	(:partial_run, 'load_warehouse', 'success', NULL);
SELECT regexp_replace(substring(doliflow.report_html('alertes') FROM '<body[^>]*>(<p[^>]*>[^<]*</p>)'), 'exécution \d+', 'exécution N') AS first_line_partial,
	   regexp_replace(substring(doliflow.report_html('alertes', 'en') FROM '<body[^>]*>(<p[^>]*>[^<]*</p>)'), 'run \d+', 'run N') AS first_line_partial_en;
ROLLBACK;

-- 6b. A night whose steps all succeeded while the warehouse load misses a source
--     table (its latest extract failed: doliflow._lineage, as status() says): the
--     first line says the night is incomplete and names the table.
BEGIN;
DELETE FROM lake.batch;
INSERT INTO lake.batch (table_name, started_at, finished_at, status)
SELECT st.table_name, '2026-12-02 23:30:00+00', '2026-12-02 23:31:00+00', 'loaded' FROM doliflow.source_table st;
INSERT INTO lake.batch (table_name, started_at, finished_at, status, error)
VALUES ('llx_ticket', '2026-12-03 23:30:00+00', '2026-12-03 23:31:00+00', 'failed', 'table gone');
INSERT INTO doliflow.run_log (kind, started_at, finished_at, status)
VALUES ('pipeline', '2026-12-03 23:30:00+00', '2026-12-03 23:35:00+00', 'success') RETURNING run_id AS ok_run \gset
INSERT INTO doliflow.run_step (run_id, step, status) VALUES (:ok_run, 'extract', 'success'), (:ok_run, 'load_warehouse', 'success');
SELECT (doliflow._lineage(NULL)).missing_tables;
SELECT regexp_replace(substring(doliflow.report_html('tableau') FROM '<body[^>]*>(<p[^>]*>[^<]*</p>)'), 'exécution \d+', 'exécution N') AS first_line_incomplete_load;
ROLLBACK;

-- 7. The nightly copy: the module "report" is registered after the analytics
--    and stores every page in both languages.
SELECT name, procedure, depends_on, position > (SELECT max(position) FROM doliflow.analytics_module WHERE name <> 'report') AS last
  FROM doliflow.analytics_module WHERE name = 'report';
SET client_min_messages = warning;
CALL doliflow.run_analytics('report');
RESET client_min_messages;
SELECT page, lang, html LIKE '<!DOCTYPE html>%' AS html, run_id = (SELECT max(run_id) FROM doliflow.run_log) AS this_run,
	   generated_at > now() - interval '1 minute' AS fresh
  FROM doliflow.report_pages ORDER BY page, lang;
SELECT step, status, rows_out FROM doliflow.run_step WHERE run_id = (SELECT max(run_id) FROM doliflow.run_log);
DELETE FROM doliflow.report_pages;

-- 8. First-run help: status() lists the ticket extrafields with the setting each
--    feeds, and suggests one for a setting naming an extrafield that does not exist.
SELECT name, status, detail FROM doliflow.status() WHERE section = 'extrafields';
BEGIN;
INSERT INTO lake.llx_extrafields_current (rowid, name, elementtype, label, type, size, pos, _batch, _extracted_at, _hash)
SELECT v.*, 1, now(), md5(v.name)::uuid
  FROM (VALUES (1, 'satisfaction', 'ticket', 'Satisfaction client (1-5)', 'int', '10', 1),
			   (2, 'duree_prevue', 'ticket', 'Durée prévue (h)', 'double', '24,8', 2),
			   (3, 'intervention_type', 'ticket', 'Type d''intervention', 'varchar', '32', 3),
			   (4, 'montant', 'ticket', 'Montant HT', 'double', '24,8', 4),
			   (5, 'cout', 'propal', 'Coût (devis)', 'double', '24,8', 1)) v(rowid, name, elementtype, label, type, size, pos);
SELECT name, status, detail FROM doliflow.status() WHERE section = 'extrafields';
ROLLBACK;
