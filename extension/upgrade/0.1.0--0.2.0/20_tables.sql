-- doliflow 0.1.0 -> 0.2.0, part 20: tables (written by hand).  Comments of new tables
-- and columns come with the generated code part (90_code.sql); registry rows in 95_rows.sql.

-- settings: a domain per setting (filled by 95_rows.sql), a timezone type
ALTER TABLE doliflow.settings
	ADD COLUMN min_value text,
	ADD COLUMN min_exclusive boolean NOT NULL DEFAULT false,
	ADD COLUMN max_value text,
	ADD COLUMN max_exclusive boolean NOT NULL DEFAULT false,
	ADD COLUMN allowed_values text[],
	ADD COLUMN value_pattern text,
	ADD COLUMN default_value text;	-- set to 0.2.0's defaults by 95_rows.sql; value is kept
ALTER TABLE doliflow.settings DROP CONSTRAINT settings_value_type_check,
	ADD CONSTRAINT settings_value_type_check
	CHECK (value_type IN ('integer', 'numeric', 'text', 'boolean', 'interval', 'time', 'timezone'));

-- lake: rows held back by the source clock (NULL for the batches of 0.1.0)
ALTER TABLE lake.batch ADD COLUMN rows_held_back bigint;

-- lineage of the outputs: which load they were computed from (NULL = unknown, for rows of 0.1.0)
ALTER TABLE dw.analytics_runs ADD COLUMN load_run_id bigint, ADD COLUMN complete boolean, ADD COLUMN missing_tables text[];
ALTER TABLE dw.prediction_runs ADD COLUMN load_run_id bigint, ADD COLUMN complete boolean, ADD COLUMN missing_tables text[];
ALTER TABLE dw.alert_snapshot ADD COLUMN load_run_id bigint, ADD COLUMN complete boolean, ADD COLUMN missing_tables text[];

CREATE TABLE doliflow.analytics_input (
	module       text NOT NULL,
	source_table text NOT NULL,
	PRIMARY KEY (module, source_table)
);
INSERT INTO doliflow.analytics_input (module, source_table)
SELECT m.module, unnest(m.tables)
  FROM (VALUES
	('forecast', '{llx_product,llx_product_stock,llx_stock_mouvement}'::text[]),
	('stock', '{llx_product,llx_product_stock,llx_stock_mouvement,llx_product_fournisseur_price,llx_entrepot,llx_commande_fournisseur,llx_commande_fournisseurdet,llx_facture,llx_facturedet}'),
	('anomalies', '{llx_ticket,llx_ticket_extrafields,llx_c_ticket_type,llx_c_ticket_category,llx_c_ticket_severity,llx_element_element,llx_fichinter,llx_societe,llx_user,llx_stock_mouvement,llx_product}'),
	('segmentation', '{llx_societe,llx_ticket,llx_ticket_extrafields,llx_element_element,llx_fichinter,llx_facture,llx_facturedet}'),
	('duration', '{llx_ticket,llx_ticket_extrafields,llx_c_ticket_type,llx_c_ticket_category,llx_c_ticket_severity,llx_element_element,llx_fichinter,llx_societe,llx_user}'),
	('insights', '{llx_ticket,llx_ticket_extrafields,llx_element_element,llx_fichinter,llx_user,llx_societe,llx_projet,llx_projet_task,llx_element_time,llx_stock_mouvement,llx_facture,llx_facturedet}')
  ) AS m(module, tables);

CREATE TABLE doliflow.pipeline_lock (
	name         text PRIMARY KEY CHECK (name IN ('run', 'extract', 'load_warehouse')),
	holder_pid   integer,
	holder_start timestamptz,
	claimed_at   timestamptz,
	CHECK ((holder_pid IS NULL) = (holder_start IS NULL))
);
INSERT INTO doliflow.pipeline_lock (name) VALUES ('run'), ('extract'), ('load_warehouse');
ALTER TABLE doliflow.pipeline_lock OWNER TO doliflow_owner;
REVOKE ALL ON doliflow.pipeline_lock FROM PUBLIC;

CREATE TABLE doliflow.report_labels (
	key  text PRIMARY KEY,
	fr   text NOT NULL,
	en   text NOT NULL
);
INSERT INTO doliflow.report_labels (key, fr, en) VALUES
	('report', 'Rapport doliflow', 'doliflow report'),
	('page_alertes', 'Alertes stock', 'Stock alerts'),
	('page_tableau', 'Tableau de bord', 'Dashboard'),
	('page_predictions', 'Prédictions', 'Forecasts'),
	('page_interventions', 'Interventions et clients', 'Interventions and customers'),
	('level_Critical', 'Critique', 'Critical'),
	('level_Attention', 'Attention', 'Attention'),
	('level_OK', 'OK', 'OK'),
	('computed_at', 'Données calculées le', 'Data computed on'),
	('forecast_of', 'prévision du', 'forecast of'),
	('cache_until', 'valable jusqu''au', 'valid until'),
	('cache_stale', 'prévision périmée (plus de %s h)', 'stale forecast (older than %s h)'),
	('source_fresh', 'Source lue le', 'Source read on'),
	('warehouse_loaded', 'entrepôt chargé le', 'warehouse loaded on'),
	('tz', 'fuseau', 'time zone'),
	('run_success', 'Dernière nuit (exécution %s du %s) : réussie, %s étapes sur %s.', 'Last night (run %s of %s): succeeded, %s steps out of %s.'),
	('run_partial', 'ATTENTION : la dernière nuit (exécution %s du %s) est incomplète : %s étape(s) en échec sur %s (%s). Les chiffres ci-dessous peuvent être en retard.', 'WARNING: last night (run %s of %s) is incomplete: %s step(s) failed out of %s (%s). The figures below may be out of date.'),
	('run_failed', 'ATTENTION : la dernière nuit (exécution %s du %s) a échoué : %s. Les chiffres ci-dessous sont ceux de la dernière exécution réussie.', 'WARNING: last night (run %s of %s) failed: %s. The figures below are those of the last successful run.'),
	('run_running', 'Exécution %s en cours depuis le %s : %s étape(s) en échec sur %s jusqu''ici (%s).', 'Run %s in progress since %s: %s step(s) failed out of %s so far (%s).'),
	('run_none', 'Aucune donnée : doliflow n''a encore jamais tourné (CALL doliflow.run_pipeline() ou la planification nocturne remplira ce rapport).', 'No data: doliflow has never run yet (CALL doliflow.run_pipeline() or the nightly schedule will fill this report).'),
	('no_data', 'Pas de données', 'No data'),
	('no_forecast', 'Pas encore de prévision : les alertes apparaissent après la première exécution réussie des prévisions.', 'No forecast yet: alerts appear after the first successful forecast run.'),
	('no_urgent', 'Aucun article en alerte : tous les stocks couvrent le délai de réapprovisionnement.', 'No item on alert: every stock covers its lead time.'),
	('no_accuracy', 'Pas encore de comparaison prévu / réel : elle apparaît quand les jours prévus ont leurs ventes réelles (dès la deuxième nuit, ou après un back-test).', 'No forecast vs actual comparison yet: it appears once the forecast days have actual sales (from the second night, or after a back-test).'),
	('no_tickets', 'Aucun ticket dans l''entrepôt.', 'No ticket in the warehouse.'),
	('no_anomalies', 'Aucune anomalie détectée lors de la dernière analyse.', 'No anomaly found by the last analysis.'),
	('no_segments', 'Pas encore de segmentation des clients.', 'No customer segmentation yet.'),
	('no_projects', 'Aucun chantier actif.', 'No active project.'),
	('no_trend', 'Pas encore d''historique des alertes.', 'No alert history yet.'),
	('urgent_items', 'Articles urgents', 'Urgent items'),
	('urgent_first', 'Les articles urgents d''abord : Critique (rupture avant la livraison possible), puis Attention (moins de %s jours de marge après le délai).', 'Urgent items first: Critical (stock-out before a delivery can arrive), then Attention (less than %s days left after the lead time).'),
	('item', 'Article', 'Item'),
	('warehouse', 'Entrepôt', 'Warehouse'),
	('level', 'Niveau', 'Level'),
	('stock', 'Stock', 'Stock'),
	('demand_lead', 'Demande sur le délai', 'Demand over lead time'),
	('cover', 'Couverture', 'Cover'),
	('suggested', 'Quantité suggérée', 'Suggested quantity'),
	('supplier', 'Fournisseur', 'Supplier'),
	('delivery', 'Livraison prévue', 'Planned delivery'),
	('lead_time', 'délai', 'lead time'),
	('days', 'j', 'd'),
	('days_long', 'jours', 'days'),
	('pcs', 'pcs', 'pcs'),
	('unknown', 'inconnu', 'unknown'),
	('need', 'besoin', 'need'),
	('margin', 'marge', 'margin'),
	('rounded_to', 'arrondi au colis de', 'rounded up to packs of'),
	('rounded_none', 'pas d''arrondi (colis de 1)', 'no rounding (packs of 1)'),
	('no_rounding', 'pas d''arrondi (colisage inconnu)', 'not rounded (packaging unknown)'),
	('nothing_to_order', 'rien à commander', 'nothing to order'),
	('chart_legend', 'Ventes des 28 derniers jours (trait plein), prévision (pointillés) et son intervalle (zone claire)', 'Sales of the last 28 days (solid), forecast (dashed) and its interval (shaded)'),
	('charts_capped', 'Graphiques des %s premiers articles ; les autres sont dans le tableau.', 'Charts of the first %s items; the others are in the table.'),
	('others', 'Autres articles suivis', 'Other tracked items'),
	('ok_items', '%s articles au niveau OK.', '%s items at level OK.'),
	('tiles', 'Indicateurs', 'Key figures'),
	('stock_value', 'Valeur du stock', 'Stock value'),
	('rotation', 'Rotation sur 30 jours', 'Rotation over 30 days'),
	('rotation_detail', '%s pcs vendues / %s pcs en stock moyen', '%s pcs sold / %s pcs average stock'),
	('revenue', 'CA prévu / réel sur 30 jours', 'Forecast / actual revenue, 30 days'),
	('revenue_gap', 'écart', 'gap'),
	('actual_short', 'réel', 'actual'),
	('accuracy_week', 'Précision de la dernière semaine', 'Accuracy of the last week'),
	('items', 'articles', 'items'),
	('trend', 'Alertes des 7 derniers jours', 'Alerts over the last 7 days'),
	('top3', 'Les 3 urgences', 'Top 3 urgencies'),
	('forecast_table', 'Prévision par article', 'Forecast per item'),
	('forecast_table_note', 'Les %s articles les plus demandés ; intervalle à %s %% de la demande journalière moyenne.', 'The %s items in most demand; %s %% interval of the average daily demand.'),
	('method', 'Méthode', 'Method'),
	('next7', 'Prévu 7 j', 'Next 7 d'),
	('next28', 'Prévu 28 j', 'Next 28 d'),
	('per_day', 'par jour', 'per day'),
	('interval', 'Intervalle', 'Interval'),
	('fc_vs_actual', 'Prévu et réel, tous articles', 'Forecast and actual, all items'),
	('fc_vs_actual_legend', 'Ventes réelles (trait plein), dernière prévision faite avant chaque jour (pointillés) et son intervalle (zone claire)', 'Actual sales (solid), the latest forecast made before each day (dashed) and its interval (shaded)'),
	('accuracy_by_week', 'Précision par semaine (100 − WAPE)', 'Accuracy by week (100 − WAPE)'),
	('accuracy_goal', 'objectif %s %%', 'goal %s %%'),
	('week', 'Semaine', 'Week'),
	('actual', 'Réel', 'Actual'),
	('forecast', 'Prévu', 'Forecast'),
	('accuracy', 'Précision', 'Accuracy'),
	('tickets_monthly', 'Tickets par mois', 'Tickets per month'),
	('opened', 'Ouverts', 'Opened'),
	('closed', 'Clôturés', 'Closed'),
	('month', 'Mois', 'Month'),
	('resolution', 'Résolution moyenne', 'Mean resolution'),
	('satisfaction', 'Satisfaction', 'Satisfaction'),
	('hours', 'h', 'h'),
	('technicians', 'Performance des techniciens', 'Technician performance'),
	('technician', 'Technicien', 'Technician'),
	('tickets', 'Tickets', 'Tickets'),
	('interv_hours', 'Heures d''intervention', 'Intervention hours'),
	('estimate_accuracy', 'Justesse des estimations', 'Estimate accuracy'),
	('projects', 'Chantiers actifs', 'Active projects'),
	('project', 'Chantier', 'Project'),
	('customer', 'Client', 'Customer'),
	('budget', 'Budget', 'Budget'),
	('spent', 'Dépensé', 'Spent'),
	('consumed', 'Consommé', 'Consumed'),
	('elapsed', 'Temps écoulé', 'Time elapsed'),
	('drift', 'Dérive', 'Drift'),
	('drift_cost over budget', 'coût au-delà du budget', 'cost over budget'),
	('drift_hours over plan', 'heures au-delà du prévu', 'hours over plan'),
	('drift_budget consumed ahead of schedule', 'budget consommé plus vite que le planning', 'budget consumed ahead of schedule'),
	('anomalies', 'Anomalies', 'Anomalies'),
	('anomalies_note', '%s anomalies lors de la dernière analyse ; les %s plus marquées :', '%s anomalies in the last analysis; the %s strongest:'),
	('kind', 'Type', 'Kind'),
	('severity', 'Gravité', 'Severity'),
	('reason', 'Raison', 'Reason'),
	('score', 'Score', 'Score'),
	('kind_overlong_intervention', 'Intervention trop longue', 'Overlong intervention'),
	('kind_aberrant_cost', 'Coût aberrant', 'Aberrant cost'),
	('kind_estimate_gap', 'Écart à l''estimation', 'Estimate gap'),
	('kind_low_satisfaction', 'Client mécontent', 'Low satisfaction'),
	('kind_odd_stock_movement', 'Mouvement de stock inhabituel', 'Odd stock movement'),
	('kind_multivariate', 'Combinaison inhabituelle', 'Unusual combination'),
	('severity_high', 'forte', 'high'),
	('severity_medium', 'moyenne', 'medium'),
	('severity_low', 'faible', 'low'),
	('segments', 'Segments de clients', 'Customer segments'),
	('segment', 'Segment', 'Segment'),
	('customers', 'Clients', 'Customers'),
	('monetary', 'Facturé sur 12 mois', 'Invoiced over 12 months'),
	('rule', 'Règle', 'Rule'),
	('example', 'Exemple', 'Example'),
	('segment_premium', 'Premium', 'Premium'),
	('segment_frequent', 'Fréquent', 'Frequent'),
	('segment_at_risk', 'À risque', 'At risk'),
	('segment_new', 'Nouveau', 'New'),
	('segment_regular', 'Régulier', 'Regular'),
	('segrule_premium', 'parmi les clients au plus fort CA facturé sur 12 mois', 'among the customers with the highest revenue invoiced over 12 months'),
	('segrule_frequent', 'parmi les clients ayant le plus de tickets sur 12 mois', 'among the customers with the most tickets over 12 months'),
	('segrule_at_risk', 'inactif depuis bien plus longtemps que d''habitude, ou satisfaction basse', 'inactive far longer than usual, or low satisfaction'),
	('segrule_new', 'première activité récente', 'first activity recent'),
	('segrule_regular', 'aucune autre règle ne s''applique', 'no other rule applies'),
	('footer', 'Produit par doliflow dans PostgreSQL ; les chiffres viennent des vues dw (v_stock_alerts, v_dashboard, v_predictions, v_forecast_accuracy, v_tickets_monthly, v_technician_performance, v_active_projects, v_anomalies, v_customer_segments).', 'Produced by doliflow inside PostgreSQL; the figures come from the dw views (v_stock_alerts, v_dashboard, v_predictions, v_forecast_accuracy, v_tickets_monthly, v_technician_performance, v_active_projects, v_anomalies, v_customer_segments).');

CREATE TABLE doliflow.report_pages (
	page         text NOT NULL CHECK (page IN ('all', 'alertes', 'tableau', 'predictions', 'interventions')),
	lang         text NOT NULL CHECK (lang IN ('fr', 'en')),
	html         text NOT NULL,
	generated_at timestamptz NOT NULL,
	run_id       bigint,
	PRIMARY KEY (page, lang)
);

-- The warehouse build definitions changed (doliflow.warehouse_targets, 95_rows.sql): rows
-- that 0.1.0 loaded would be kept by an incremental load, so the first load after the
-- upgrade is a full one (a target without a load_state row is rebuilt in full).
DELETE FROM dw.load_state;

-- The loader is made of functions: warehouse_targets names each target's load and
-- affected-keys functions (created by 90_code, its rows by 95_rows) instead of holding SQL
-- text with tokens.
DELETE FROM doliflow.warehouse_targets;
ALTER TABLE doliflow.warehouse_targets
	DROP COLUMN build_sql,
	DROP COLUMN affected_sql,
	ALTER COLUMN key_columns TYPE name[] USING pg_catalog.string_to_array(pg_catalog.replace(key_columns, ' ', ''), ','),
	ADD CONSTRAINT warehouse_targets_key_columns_check CHECK (pg_catalog.cardinality(key_columns) >= 1),
	ADD COLUMN load_function regprocedure NOT NULL,
	ADD COLUMN affected_function regprocedure NOT NULL;

-- An analytics module names its routine as a regprocedure (no lookup by name at run time);
-- the registry rows come back from 95_rows.
DELETE FROM doliflow.analytics_module;
ALTER TABLE doliflow.analytics_module ALTER COLUMN procedure TYPE regprocedure USING procedure::regprocedure;

-- Quality rules hold no SQL: their conditions are column names and values (the rows come
-- back from 95_rows, with the same rule numbers).
DELETE FROM doliflow.quality_rule;
ALTER TABLE doliflow.quality_rule
	DROP CONSTRAINT quality_rule_kind_check,
	DROP CONSTRAINT quality_rule_check1,
	DROP COLUMN condition,
	ADD COLUMN only_where text,
	ADD COLUMN only_equals text,
	ADD COLUMN input_types integer[],
	ADD COLUMN output_types integer[],
	ADD CONSTRAINT quality_rule_kind_check CHECK (kind IN ('required', 'duplicate', 'orphan', 'negative', 'wrong_sign', 'end_before_start')),
	ADD CONSTRAINT quality_rule_check1 CHECK ((only_where IS NULL) = (only_equals IS NULL) AND (only_where IS NULL OR kind = 'orphan')),
	ADD CONSTRAINT quality_rule_check2 CHECK ((kind = 'wrong_sign') = (input_types IS NOT NULL AND output_types IS NOT NULL)),
	ADD CONSTRAINT quality_rule_check3 CHECK (kind NOT IN ('wrong_sign', 'end_before_start') OR pg_catalog.cardinality(columns) = 2);

-- The stock pages read the last days of movements by calendar day.
CREATE INDEX fact_stock_day_idx ON dw.fact_stock ((moved_at::date));
