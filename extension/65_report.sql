-- doliflow install script, part 65: the HTML report (the stock manager's pages).
--
--   settings      language (fr | en)
--   labels        doliflow.report_labels (every word the pages show, in French and English)
--   formatting    _h (HTML escape), _report_num / _report_qty / _report_eur / _report_date / _report_ts
--   charts        _svg_lines (demand, forecast and its interval), _svg_bars (grouped or stacked bars)
--   pages         report_html(page, lang): alertes, tableau, predictions, interventions, all
--   nightly       doliflow.report_pages (the latest report, one row per page and language),
--                 _analytics_report() (registered as the analytics module "report" in part 75)
--
-- The pages are one self-contained HTML document each: inline CSS, inline SVG
-- drawn here in plpgsql (a handful of simple charts: no library needed, nothing
-- fetched, no script), printable (@media print).  Every value taken from the
-- data goes through doliflow._h().  The dw views keep their English values;
-- the pages translate them through doliflow.report_labels.

------------------------------------------------------------------------------
-- Settings
------------------------------------------------------------------------------

INSERT INTO doliflow.settings (name, value, value_type, description) VALUES
	('language', 'fr', 'text', 'Language of the HTML report (doliflow.report_html) and of the label columns of the dw views: fr (French, default) or en (English); the messages of the batch stay English');

------------------------------------------------------------------------------
-- Labels
------------------------------------------------------------------------------

CREATE TABLE doliflow.report_labels (
	key  text PRIMARY KEY,
	fr   text NOT NULL,
	en   text NOT NULL
);
COMMENT ON TABLE doliflow.report_labels IS 'Every word the HTML report shows, in French (fr) and English (en); keyed by a stable English identifier (levels, segments, anomaly kinds and severities are keyed by the value stored in dw)';
COMMENT ON COLUMN doliflow.report_labels.key IS 'Identifier: a dw value (e.g. level_Critical, segment_at_risk, kind_aberrant_cost) or a page text';
COMMENT ON COLUMN doliflow.report_labels.fr IS 'French text';
COMMENT ON COLUMN doliflow.report_labels.en IS 'English text';

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
	('missing_tables', 'tables sources manquantes (extraction en échec) : %s', 'missing source tables (extract failed): %s'),
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
	('virtual_stock', 'stock virtuel', 'virtual stock'),
	('virtual_detail', '%s + %s commandé − %s réservé', '%s + %s on order − %s reserved'),
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

------------------------------------------------------------------------------
-- Language, escaping and formatting
------------------------------------------------------------------------------

-- The language of a call: the argument, else the setting, else French.
CREATE FUNCTION doliflow._report_lang(p_lang text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v text := p_lang;
BEGIN
	IF v IS NULL THEN
		SELECT s.value INTO v FROM doliflow.settings s WHERE s.name = 'language';
		v := coalesce(v, 'fr');
		IF v NOT IN ('fr', 'en') THEN
			RAISE EXCEPTION 'setting language must be fr or en, not "%"', v USING ERRCODE = 'invalid_parameter_value';
		END IF;
		RETURN v;
	END IF;
	IF v NOT IN ('fr', 'en') THEN
		RAISE EXCEPTION 'lang must be fr or en, not "%"', v USING ERRCODE = 'invalid_parameter_value';
	END IF;
	RETURN v;
END;
$$;
COMMENT ON FUNCTION doliflow._report_lang(text) IS 'internal: the report language: p_lang when given (fr or en, else invalid_parameter_value naming lang), else the setting language (default fr)';

CREATE FUNCTION doliflow._t(p_key text, p_lang text) RETURNS text
LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT coalesce((SELECT CASE p_lang WHEN 'en' THEN l.en ELSE l.fr END
					   FROM doliflow.report_labels l WHERE l.key = p_key), p_key);
END;
COMMENT ON FUNCTION doliflow._t(text, text) IS 'internal: the text of a report label in a language (the key itself when the label is missing)';

CREATE FUNCTION doliflow._h(p_text text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT replace(replace(replace(replace(replace(coalesce(p_text, ''), '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;');
END;
COMMENT ON FUNCTION doliflow._h(text) IS 'internal: text escaped for HTML content and attribute values (& < > " and '' ); NULL gives the empty string';

-- 1234.5 -> '1 234,50' (fr, no-break spaces) or '1,234.50' (en); NULL -> an en dash.
CREATE FUNCTION doliflow._report_num(x numeric, decimals integer, lang text) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	s text;
	i text;
	f text;
BEGIN
	IF x IS NULL THEN
		RETURN '–';
	END IF;
	x := round(x, decimals);
	s := to_char(abs(x), 'FM9999999999999999990' || CASE WHEN decimals > 0 THEN '.' || repeat('0', decimals) ELSE '' END);
	i := split_part(s, '.', 1);
	f := split_part(s, '.', 2);
	i := regexp_replace(i, '(\d)(?=(\d{3})+$)', '\1' || CASE lang WHEN 'en' THEN ',' ELSE U&'\00A0' END, 'g');
	RETURN CASE WHEN x < 0 THEN '-' ELSE '' END || i
		|| CASE WHEN f <> '' THEN CASE lang WHEN 'en' THEN '.' ELSE ',' END || f ELSE '' END;
END;
$$;
COMMENT ON FUNCTION doliflow._report_num(numeric, integer, text) IS 'internal: a number rounded to decimals, grouped by thousands: 1 234,50 in French (no-break spaces, decimal comma), 1,234.50 in English; NULL gives an en dash';

-- Quantities: whole numbers without decimals, else one decimal.
CREATE FUNCTION doliflow._report_qty(x numeric, lang text) RETURNS text
LANGUAGE sql IMMUTABLE
BEGIN ATOMIC
	SELECT doliflow._report_num(x, CASE WHEN round(x, 1) = round(x) THEN 0 ELSE 1 END, lang);
END;
COMMENT ON FUNCTION doliflow._report_qty(numeric, text) IS 'internal: a quantity: no decimals when whole to 0.1, else one decimal, in the language''s number format';

CREATE FUNCTION doliflow._report_eur(x numeric, lang text, decimals integer DEFAULT 2) RETURNS text
LANGUAGE sql IMMUTABLE
BEGIN ATOMIC
	SELECT CASE WHEN x IS NULL THEN '–'
				WHEN lang = 'en' THEN CASE WHEN x < 0 THEN '-' ELSE '' END || '€' || doliflow._report_num(abs(x), decimals, lang)
				ELSE doliflow._report_num(x, decimals, lang) || U&'\00A0€' END;
END;
COMMENT ON FUNCTION doliflow._report_eur(numeric, text, integer) IS 'internal: an amount in euros: 1 234,50 € in French, €1,234.50 in English';

CREATE FUNCTION doliflow._report_date(d date, lang text) RETURNS text
LANGUAGE sql IMMUTABLE
BEGIN ATOMIC
	SELECT CASE WHEN d IS NULL THEN '–' WHEN lang = 'en' THEN to_char(d, 'YYYY-MM-DD') ELSE to_char(d, 'DD/MM/YYYY') END;
END;
COMMENT ON FUNCTION doliflow._report_date(date, text) IS 'internal: a date: 02/12/2026 in French, 2026-12-02 in English';

CREATE FUNCTION doliflow._report_ts(t timestamptz, lang text, tz text) RETURNS text
LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT CASE WHEN t IS NULL THEN '–'
				WHEN lang = 'en' THEN to_char(t AT TIME ZONE tz, 'YYYY-MM-DD HH24:MI')
				ELSE to_char(t AT TIME ZONE tz, 'DD/MM/YYYY "à" HH24"h"MI') END;
END;
COMMENT ON FUNCTION doliflow._report_ts(timestamptz, text, text) IS 'internal: a time in the company time zone tz: 02/12/2026 à 00h41 in French, 2026-12-02 00:41 in English';

CREATE FUNCTION doliflow._report_month(d date, lang text) RETURNS text
LANGUAGE sql IMMUTABLE
BEGIN ATOMIC
	SELECT CASE WHEN lang = 'en' THEN to_char(d, 'Mon YYYY')
				ELSE (ARRAY['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.'])[extract(month FROM d)::int]
					 || ' ' || to_char(d, 'YYYY') END;
END;
COMMENT ON FUNCTION doliflow._report_month(date, text) IS 'internal: a month name and year (janv. 2026 / Jan 2026)';

------------------------------------------------------------------------------
-- Charts (inline SVG)
------------------------------------------------------------------------------

-- A round axis top at or above x (a few round multiples of a power of ten).
CREATE FUNCTION doliflow._svg_nice(x float8) RETURNS float8
LANGUAGE sql IMMUTABLE
BEGIN ATOMIC
	SELECT CASE WHEN x IS NULL OR x <= 0 THEN 1
				ELSE (SELECT min(m * p) FROM (SELECT power(10::float8, floor(log(x)))) t(p),
											 unnest(ARRAY[1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]::float8[]) m WHERE m * p >= x * 0.999999)
		   END;
END;
COMMENT ON FUNCTION doliflow._svg_nice(float8) IS 'internal: the smallest round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 x 10^k) at or above x, for chart axes (1 when x is not positive)';

-- Lines over n points (x labels), with NULL gaps: actual (solid), forecast
-- (dashed) and the band lo..hi; a vertical mark before point p_split (0: none).
CREATE FUNCTION doliflow._svg_lines(p_labels text[], p_actual float8[], p_forecast float8[], p_lo float8[], p_hi float8[],
									p_split integer, p_width integer, p_height integer, p_title text, p_lang text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	n integer := coalesce(array_length(p_labels, 1), 0);
	pl integer := 34;	-- left padding (y labels)
	pr integer := 6;
	pt integer := 8;
	pb integer := 18;	-- bottom padding (x labels)
	ymax float8 := 0;
	i integer;
	svg text;
	seg text;
	band_top text := '';
	band_bot text := '';
	v float8;
BEGIN
	IF n < 2 THEN
		RETURN '';
	END IF;
	FOR i IN 1 .. n LOOP
		ymax := greatest(ymax, coalesce(p_actual[i], 0), coalesce(p_forecast[i], 0), coalesce(p_hi[i], 0));
	END LOOP;
	ymax := doliflow._svg_nice(ymax * 1.02);
	svg := format('<svg class="chart" viewBox="0 0 %s %s" width="%s" height="%s" role="img" aria-label="%s"><title>%s</title>',
				  p_width, p_height, p_width, p_height, doliflow._h(p_title), doliflow._h(p_title));
	-- grid: 0, half, max
	FOR i IN 0 .. 2 LOOP
		svg := svg || format('<line class="grid" x1="%s" y1="%s" x2="%s" y2="%s"/><text class="ylab" x="%s" y="%s">%s</text>',
							 pl, round((p_height - pb - i * (p_height - pt - pb) / 2.0)::numeric, 1),
							 p_width - pr, round((p_height - pb - i * (p_height - pt - pb) / 2.0)::numeric, 1),
							 pl - 4, round((p_height - pb - i * (p_height - pt - pb) / 2.0 + 3)::numeric, 1),
							 doliflow._h(doliflow._report_qty((ymax * i / 2)::numeric, p_lang)));
	END LOOP;
	-- band
	FOR i IN 1 .. n LOOP
		IF p_lo[i] IS NOT NULL AND p_hi[i] IS NOT NULL THEN
			band_top := band_top || format('%s,%s ', round((pl + (i - 1) * (p_width - pl - pr)::float8 / (n - 1))::numeric, 1),
										   round((p_height - pb - p_hi[i] / ymax * (p_height - pt - pb))::numeric, 1));
			band_bot := format('%s,%s ', round((pl + (i - 1) * (p_width - pl - pr)::float8 / (n - 1))::numeric, 1),
							   round((p_height - pb - greatest(p_lo[i], 0) / ymax * (p_height - pt - pb))::numeric, 1)) || band_bot;
		END IF;
	END LOOP;
	IF band_top <> '' THEN
		svg := svg || format('<polygon class="band" points="%s"/>', band_top || band_bot);
	END IF;
	-- split mark
	IF p_split > 1 AND p_split <= n THEN
		svg := svg || format('<line class="split" x1="%1$s" y1="%2$s" x2="%1$s" y2="%3$s"/>',
							 round((pl + (p_split - 1.5) * (p_width - pl - pr)::float8 / (n - 1))::numeric, 1), pt, p_height - pb);
	END IF;
	-- the two lines, broken at NULLs
	FOR k IN 1 .. 2 LOOP
		seg := '';
		FOR i IN 1 .. n + 1 LOOP
			v := CASE WHEN i > n THEN NULL WHEN k = 1 THEN p_actual[i] ELSE p_forecast[i] END;
			IF v IS NULL THEN
				IF seg <> '' THEN
					svg := svg || format('<polyline class="%s" points="%s"/>', CASE k WHEN 1 THEN 'actual' ELSE 'forecast' END, seg);
				END IF;
				seg := '';
			ELSE
				seg := seg || format('%s,%s ', round((pl + (i - 1) * (p_width - pl - pr)::float8 / (n - 1))::numeric, 1),
									 round((p_height - pb - v / ymax * (p_height - pt - pb))::numeric, 1));
			END IF;
		END LOOP;
	END LOOP;
	-- x labels: first, middle, last
	svg := svg || format('<text class="xlab" x="%s" y="%s" text-anchor="start">%s</text>', pl, p_height - 4, doliflow._h(p_labels[1]))
			   || format('<text class="xlab" x="%s" y="%s" text-anchor="middle">%s</text>',
						 round((pl + ((n + 1) / 2 - 1) * (p_width - pl - pr)::float8 / (n - 1))::numeric, 1), p_height - 4, doliflow._h(p_labels[(n + 1) / 2]))
			   || format('<text class="xlab" x="%s" y="%s" text-anchor="end">%s</text>', p_width - pr, p_height - 4, doliflow._h(p_labels[n]));
	RETURN svg || '</svg>';
END;
$$;
COMMENT ON FUNCTION doliflow._svg_lines(text[], float8[], float8[], float8[], float8[], integer, integer, integer, text, text) IS 'internal: an inline SVG line chart: actual (solid) and forecast (dashed) series with NULL gaps, the interval lo..hi as a band, a mark before point p_split; y labels in the language''s number format';

-- Bars: p_values holds p_series series of n values one after the other
-- (series s, point i at (s - 1) * n + i); grouped side by side or stacked;
-- an optional horizontal reference line.
CREATE FUNCTION doliflow._svg_bars(p_labels text[], p_values numeric[], p_series integer, p_classes text[], p_stacked boolean,
								   p_width integer, p_height integer, p_title text, p_lang text,
								   p_ref numeric DEFAULT NULL, p_ref_label text DEFAULT NULL, p_ymax numeric DEFAULT NULL,
								   p_suffix text DEFAULT '')
RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	n integer := coalesce(array_length(p_labels, 1), 0);
	pl integer := 34;
	pr integer := 6;
	pt integer := 10;
	pb integer := 18;
	ymax numeric := 0;
	i integer;
	s integer;
	acc numeric;
	v numeric;
	slot float8;
	bw float8;
	x float8;
	svg text;
	every integer;
BEGIN
	IF n < 1 THEN
		RETURN '';
	END IF;
	FOR i IN 1 .. n LOOP
		acc := 0;
		FOR s IN 1 .. p_series LOOP
			v := coalesce(p_values[(s - 1) * n + i], 0);
			IF p_stacked THEN acc := acc + v; ELSE acc := greatest(acc, v); END IF;
		END LOOP;
		ymax := greatest(ymax, acc);
	END LOOP;
	ymax := coalesce(p_ymax, doliflow._svg_nice(greatest(ymax * 1.02, coalesce(p_ref * 1.05, 0))::float8)::numeric);
	IF ymax <= 0 THEN
		ymax := 1;
	END IF;
	slot := (p_width - pl - pr)::float8 / n;
	bw := least(CASE WHEN p_stacked THEN slot * 0.62 ELSE slot * 0.8 / p_series END, 48);
	svg := format('<svg class="chart" viewBox="0 0 %s %s" width="%s" height="%s" role="img" aria-label="%s"><title>%s</title>',
				  p_width, p_height, p_width, p_height, doliflow._h(p_title), doliflow._h(p_title));
	FOR i IN 0 .. 2 LOOP
		svg := svg || format('<line class="grid" x1="%s" y1="%s" x2="%s" y2="%s"/><text class="ylab" x="%s" y="%s">%s</text>',
							 pl, round(p_height - pb - i * (p_height - pt - pb) / 2.0, 1),
							 p_width - pr, round(p_height - pb - i * (p_height - pt - pb) / 2.0, 1),
							 pl - 4, round(p_height - pb - i * (p_height - pt - pb) / 2.0 + 3, 1),
							 doliflow._h(doliflow._report_qty(ymax * i / 2, p_lang) || p_suffix));
	END LOOP;
	FOR i IN 1 .. n LOOP
		acc := 0;
		FOR s IN 1 .. p_series LOOP
			v := p_values[(s - 1) * n + i];
			CONTINUE WHEN v IS NULL OR v <= 0;
			x := CASE WHEN p_stacked THEN pl + (i - 1) * slot + (slot - bw) / 2
					  ELSE pl + (i - 1) * slot + (slot - p_series * bw) / 2 + (s - 1) * bw END;
			svg := svg || format('<rect class="%s" x="%s" y="%s" width="%s" height="%s"><title>%s: %s</title></rect>',
								 p_classes[s], round(x::numeric, 1),
								 round(p_height - pb - (acc + v) / ymax * (p_height - pt - pb), 1),
								 round(bw::numeric, 1), round(v / ymax * (p_height - pt - pb), 1),
								 doliflow._h(p_labels[i]), doliflow._h(doliflow._report_qty(v, p_lang) || p_suffix));
			IF p_stacked THEN acc := acc + v; END IF;
		END LOOP;
	END LOOP;
	IF p_ref IS NOT NULL THEN
		svg := svg || format('<line class="ref" x1="%1$s" y1="%2$s" x2="%3$s" y2="%2$s"/><text class="reflab" x="%4$s" y="%5$s" text-anchor="end">%6$s</text>',
							 pl, round(p_height - pb - p_ref / ymax * (p_height - pt - pb), 1), p_width - pr,
							 p_width - pr - 2, round(p_height - pb - p_ref / ymax * (p_height - pt - pb) - 3, 1),
							 doliflow._h(p_ref_label));
	END IF;
	every := greatest(1, ceil(n / (p_width / 70.0))::integer);
	FOR i IN 1 .. n LOOP
		CONTINUE WHEN (i - 1) % every <> 0;
		svg := svg || format('<text class="xlab" x="%s" y="%s" text-anchor="middle">%s</text>',
							 round((pl + (i - 0.5) * slot)::numeric, 1), p_height - 4, doliflow._h(p_labels[i]));
	END LOOP;
	RETURN svg || '</svg>';
END;
$$;
COMMENT ON FUNCTION doliflow._svg_bars(text[], numeric[], integer, text[], boolean, integer, integer, text, text, numeric, text, numeric, text) IS 'internal: an inline SVG bar chart of p_series series (values one series after the other), grouped or stacked, with an optional reference line';

------------------------------------------------------------------------------
-- Page pieces
------------------------------------------------------------------------------

-- The supplier an order would go to: the active supplier price with the
-- shortest lead time, then the lowest unit price (the one dw.dim_product
-- takes its lead time and packaging from).
CREATE VIEW doliflow._report_supplier AS
SELECT DISTINCT ON (fp.fk_product) fp.fk_product, c.name AS supplier
  FROM lake.llx_product_fournisseur_price_current fp
  LEFT JOIN dw.dim_customer c ON c.customer_key = fp.fk_soc
 WHERE fp.status = 1
 ORDER BY fp.fk_product, fp.delivery_time_days ASC NULLS LAST, fp.unitprice ASC NULLS LAST, fp.rowid;
COMMENT ON VIEW doliflow._report_supplier IS 'internal: per product, the supplier of the active supplier price with the shortest lead time then the lowest unit price (where dw.dim_product takes lead time and packaging from)';

CREATE FUNCTION doliflow._report_css() RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $css$
	SELECT $$
:root{--ink:#1f2933;--muted:#616e7c;--line:#d9dee4;--bg:#f5f7fa;--crit:#c62828;--att:#e08600;--ok:#2e7d32;--blue:#1f5f9e;--band:#9cc3e6}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 "Segoe UI","DejaVu Sans","Liberation Sans",Arial,sans-serif}
.banner{margin:0;padding:10px 24px;font-weight:600;border-bottom:1px solid var(--line)}
.banner.bad{background:#fdecea;color:#8e1c1c;border-color:#f3b7b2}
.banner.warn{background:#fff4e0;color:#7a4a00;border-color:#f5d29a}
.banner.good{background:#e8f3ea;color:#1d5a22;border-color:#b9dbbd}
.banner.none{background:#eef1f5;color:var(--muted)}
header{padding:16px 24px 8px;background:#fff;border-bottom:1px solid var(--line)}
header h1{margin:0 0 4px;font-size:22px;font-weight:650}
.meta{color:var(--muted);font-size:12.5px;margin:2px 0}
.meta b{color:var(--ink);font-weight:600}
nav{padding:6px 24px;background:#fff;border-bottom:1px solid var(--line)}
nav a{color:var(--blue);text-decoration:none;margin-right:18px;font-weight:600}
main{padding:8px 24px 24px}
section.page{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 18px 18px;margin:16px 0}
h2{margin:0 0 10px;font-size:19px}
h3{margin:18px 0 8px;font-size:15px;color:#334e68}
p.note{color:var(--muted);margin:4px 0 10px}
p.empty{padding:14px;border:1px dashed var(--line);border-radius:6px;color:var(--muted);background:#fafbfc}
table{border-collapse:collapse;width:100%;font-size:13px;margin:4px 0 8px}
th{text-align:left;font-weight:600;color:#334e68;border-bottom:2px solid var(--line);padding:5px 6px;vertical-align:bottom}
td{border-bottom:1px solid #eceff3;padding:5px 6px;vertical-align:top}
td.item{min-width:210px}
td.n,th.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
tr:nth-child(even) td{background:#fafbfc}
.sub{color:var(--muted);font-size:12px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:700;color:#fff;white-space:nowrap}
.b-Critical{background:var(--crit)}.b-Attention{background:var(--att)}.b-OK{background:var(--ok)}
.sev-high{color:var(--crit);font-weight:600}.sev-medium{color:var(--att);font-weight:600}.sev-low{color:var(--muted)}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:10px;margin:6px 0 10px}
.tile{border:1px solid var(--line);border-radius:8px;padding:10px 12px;background:#fff;border-top:4px solid var(--blue)}
.tile .v{font-size:24px;font-weight:700;margin:2px 0}
.tile .l{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.03em}
.tile.t-Critical{border-top-color:var(--crit)}.tile.t-Critical .v{color:var(--crit)}
.tile.t-Attention{border-top-color:var(--att)}.tile.t-Attention .v{color:var(--att)}
.tile.t-OK{border-top-color:var(--ok)}.tile.t-OK .v{color:var(--ok)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:10px}
.card{border:1px solid var(--line);border-radius:8px;padding:8px 10px;break-inside:avoid}
.card .t{font-weight:600;margin-bottom:2px}
.card .f{color:var(--muted);font-size:12px}
.legend{color:var(--muted);font-size:12px;margin:2px 0 8px}
.key{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 10px;vertical-align:-1px}
svg.chart{display:block;max-width:100%;height:auto}
.card svg.chart{width:100%}
svg .grid{stroke:#e6e9ee;stroke-width:1}
svg .ylab{font-size:9px;fill:#7b8794;text-anchor:end}
svg .xlab{font-size:9px;fill:#7b8794}
svg .actual{fill:none;stroke:var(--blue);stroke-width:1.6}
svg .forecast{fill:none;stroke:#d4600f;stroke-width:1.6;stroke-dasharray:4 3}
svg .band{fill:var(--band);opacity:.45}
svg .split{stroke:#9aa5b1;stroke-width:1;stroke-dasharray:2 2}
svg .ref{stroke:var(--ok);stroke-width:1.2;stroke-dasharray:5 3}
svg .reflab{font-size:9px;fill:var(--ok)}
svg .c-crit{fill:var(--crit)}svg .c-att{fill:var(--att)}svg .c-ok{fill:#81c784}
svg .c-blue{fill:var(--blue)}svg .c-grey{fill:#9fb3c8}svg .c-acc{fill:#4c8fd0}
.two{display:grid;grid-template-columns:1fr 1fr;gap:18px}
footer{color:var(--muted);font-size:11.5px;padding:0 24px 20px}
@media (max-width:800px){.two{grid-template-columns:1fr}}
@media print{
 body{background:#fff;font-size:11px}
 nav{display:none}
 header{border:0;padding:0 0 6px}
 main{padding:0}
 section.page{border:0;border-radius:0;padding:0;margin:0 0 12px;break-before:page}
 section.page:first-of-type{break-before:auto}
 .banner,.badge,.tile,svg,.key{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 tr,.card,.tile{break-inside:avoid}
 @page{size:A4;margin:12mm}
}
$$;
$css$;
COMMENT ON FUNCTION doliflow._report_css() IS 'internal: the style sheet inlined in every report page (screen and print)';

-- The run the report speaks for: the run executing now (the nightly batch
-- storing its report), else the latest pipeline run, else the latest run.
CREATE FUNCTION doliflow._report_banner(p_lang text, p_tz text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r doliflow.run_log;
	v_total bigint;
	v_failed bigint;
	v_names text;
	v_cur bigint := nullif(pg_catalog.current_setting('doliflow.run_id', true), '')::bigint;
	lin record;
BEGIN
	SELECT * INTO r FROM doliflow.run_log l WHERE l.run_id = v_cur;
	IF NOT FOUND THEN
		SELECT * INTO r FROM doliflow.run_log l WHERE l.kind = 'pipeline' AND l.status <> 'skipped' ORDER BY l.run_id DESC LIMIT 1;
	END IF;
	IF NOT FOUND THEN
		SELECT * INTO r FROM doliflow.run_log l WHERE l.kind <> 'cleanup' AND l.status <> 'skipped' ORDER BY l.run_id DESC LIMIT 1;
	END IF;
	IF NOT FOUND THEN
		RETURN '<p class="banner none" id="run-status" data-status="none">' || doliflow._h(doliflow._t('run_none', p_lang)) || '</p>';
	END IF;
	SELECT count(*), count(*) FILTER (WHERE s.status = 'failed'),
		   string_agg(s.step, ', ' ORDER BY s.step_id) FILTER (WHERE s.status = 'failed')
	  INTO v_total, v_failed, v_names
	  FROM doliflow.run_step s WHERE s.run_id = r.run_id;
	-- The data the pages stand on (part 35, as status() and the views): a
	-- source table missing from the current warehouse load makes the night
	-- incomplete, whatever the steps said.
	lin := doliflow._lineage(NULL);
	IF NOT lin.complete THEN
		v_names := concat_ws('; ', v_names, format(doliflow._t('missing_tables', p_lang), array_to_string(lin.missing_tables, ', ')));
	END IF;
	-- The nightly batch storing its own report: that night is the last one.
	IF r.status = 'running' AND r.run_id = v_cur THEN
		r.status := CASE WHEN v_failed > 0 OR NOT lin.complete THEN 'partial' ELSE 'success' END;
	END IF;
	IF r.status = 'running' THEN
		RETURN format('<p class="banner %s" id="run-status" data-status="running">%s</p>',
					  CASE WHEN v_failed > 0 THEN 'bad' ELSE 'good' END,
					  doliflow._h(format(doliflow._t('run_running', p_lang), r.run_id,
										 doliflow._report_ts(r.started_at, p_lang, p_tz), v_failed, v_total, coalesce(v_names, '–'))));
	ELSIF r.status = 'failed' THEN
		RETURN format('<p class="banner bad" id="run-status" data-status="failed">%s</p>',
					  doliflow._h(format(doliflow._t('run_failed', p_lang), r.run_id,
										 doliflow._report_ts(r.started_at, p_lang, p_tz),
										 coalesce(r.error, v_names, doliflow._t('unknown', p_lang)))));
	ELSIF r.status = 'partial' OR v_failed > 0 OR NOT lin.complete THEN
		RETURN format('<p class="banner bad" id="run-status" data-status="partial">%s</p>',
					  doliflow._h(format(doliflow._t('run_partial', p_lang), r.run_id,
										 doliflow._report_ts(r.started_at, p_lang, p_tz), v_failed, v_total, coalesce(v_names, r.error, '–'))));
	END IF;
	RETURN format('<p class="banner good" id="run-status" data-status="success">%s</p>',
				  doliflow._h(format(doliflow._t('run_success', p_lang), r.run_id,
									 doliflow._report_ts(r.started_at, p_lang, p_tz), v_total - v_failed, v_total)));
END;
$$;
COMMENT ON FUNCTION doliflow._report_banner(text, text) IS 'internal: the first line of every report page: the status of the latest pipeline run (success, partial with the failed steps and the source tables missing from the current warehouse load (doliflow._lineage), failed with its error, running, or never run); inside a run (the nightly report module), that run, judged on its steps so far';

-- When the data was computed and how fresh the source is.
CREATE FUNCTION doliflow._report_meta(p_lang text, p_tz text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_gen timestamptz;
	v_cache integer;
	v_src timestamptz;
	v_load timestamptz;
	v_html text;
BEGIN
	SELECT lr.generated_at INTO v_gen FROM doliflow._stock_latest_run lr;
	SELECT s.value::integer INTO v_cache FROM doliflow.settings s WHERE s.name = 'cache_hours';
	v_src := (doliflow._lineage(NULL)).source_as_of;	-- the oldest table of the current load (part 35)
	SELECT max(l.loaded_at) INTO v_load FROM dw.load_state l;
	v_html := format('<p class="meta" id="computed-at">%s <b>%s</b> (%s %s)',
					 doliflow._h(doliflow._t('computed_at', p_lang)),
					 doliflow._h(doliflow._report_ts(now(), p_lang, p_tz)),
					 doliflow._h(doliflow._t('tz', p_lang)), doliflow._h(p_tz));
	IF v_gen IS NOT NULL THEN
		v_html := v_html || format(' · %s <b>%s</b>, %s %s', doliflow._h(doliflow._t('forecast_of', p_lang)),
								   doliflow._h(doliflow._report_ts(v_gen, p_lang, p_tz)),
								   doliflow._h(doliflow._t('cache_until', p_lang)),
								   doliflow._h(doliflow._report_ts(v_gen + make_interval(hours => v_cache), p_lang, p_tz)));
		IF v_gen + make_interval(hours => v_cache) < now() THEN
			v_html := v_html || format(' · <b class="sev-high" id="stale">%s</b>',
									   doliflow._h(format(doliflow._t('cache_stale', p_lang), v_cache)));
		END IF;
	END IF;
	v_html := v_html || '</p>' || format('<p class="meta" id="freshness">%s <b>%s</b> · %s <b>%s</b></p>',
		doliflow._h(doliflow._t('source_fresh', p_lang)), doliflow._h(doliflow._report_ts(v_src, p_lang, p_tz)),
		doliflow._h(doliflow._t('warehouse_loaded', p_lang)), doliflow._h(doliflow._report_ts(v_load, p_lang, p_tz)));
	RETURN v_html;
END;
$$;
COMMENT ON FUNCTION doliflow._report_meta(text, text) IS 'internal: the freshness lines of every report page: when the report and the forecast were computed (with the cache limit and a stale warning), when the oldest source table of the current warehouse load was read (doliflow._lineage) and the warehouse loaded, in the company time zone';

CREATE FUNCTION doliflow._report_level(p_level text, p_lang text) RETURNS text
LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT format('<span class="badge b-%s">%s</span>', doliflow._h(p_level), doliflow._h(doliflow._t('level_' || p_level, p_lang)));
END;
COMMENT ON FUNCTION doliflow._report_level(text, text) IS 'internal: an alert level as a coloured badge in the language';

-- How the suggested quantity was obtained: need, margin, packaging rounding.
CREATE FUNCTION doliflow._report_order(p_target numeric, p_stock numeric, p_margin numeric, p_pack numeric,
									   p_suggested numeric, p_lang text) RETURNS text
LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT CASE WHEN coalesce(p_suggested, 0) <= 0
				THEN format('<b>0</b><div class="sub">%s</div>', doliflow._h(doliflow._t('nothing_to_order', p_lang)))
				ELSE format('<b class="qty">%s</b><div class="sub">%s %s + %s %s %% = %s<br>→ %s</div>',
							doliflow._h(doliflow._report_qty(p_suggested, p_lang)),
							doliflow._h(doliflow._t('need', p_lang)), doliflow._h(doliflow._report_qty(greatest(p_target - p_stock, 0), p_lang)),
							doliflow._h(doliflow._t('margin', p_lang)), doliflow._h(doliflow._report_qty(p_margin, p_lang)),
							doliflow._h(doliflow._report_qty(greatest(p_target - p_stock, 0) * (1 + p_margin / 100), p_lang)),
							doliflow._h(CASE WHEN p_pack = 1 THEN doliflow._t('rounded_none', p_lang)
											 WHEN p_pack > 0 THEN doliflow._t('rounded_to', p_lang) || ' ' || doliflow._report_qty(p_pack, p_lang)
											 ELSE doliflow._t('no_rounding', p_lang) END))
		   END;
END;
COMMENT ON FUNCTION doliflow._report_order(numeric, numeric, numeric, numeric, numeric, text) IS 'internal: the suggested quantity with its derivation: need (demand until the target date - stock, never negative) + margin = quantity, then the packaging rounding';

-- The quantity to order of an alert row (part 58/60): the need against the virtual stock,
-- then its MOQ / packaging rounding as dw.v_stock_alerts words it.
CREATE FUNCTION doliflow._report_buy(p_order numeric, p_raw numeric, p_rounding text, p_virtual numeric,
									 p_stock numeric, p_incoming numeric, p_reserved numeric, p_lang text) RETURNS text
LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT CASE WHEN coalesce(p_order, 0) <= 0
				THEN format('<b>0</b><div class="sub">%s<br>%s %s</div>', doliflow._h(doliflow._t('nothing_to_order', p_lang)),
							doliflow._h(doliflow._t('virtual_stock', p_lang)), doliflow._h(doliflow._report_qty(p_virtual, p_lang)))
				ELSE format('<b class="qty">%s</b><div class="sub">%s %s (%s %s = %s)<br>→ <span class="rounding">%s</span></div>',
							doliflow._h(doliflow._report_qty(p_order, p_lang)),
							doliflow._h(doliflow._t('need', p_lang)), doliflow._h(doliflow._report_qty(p_raw, p_lang)),
							doliflow._h(doliflow._t('virtual_stock', p_lang)), doliflow._h(doliflow._report_qty(p_virtual, p_lang)),
							doliflow._h(format(doliflow._t('virtual_detail', p_lang), doliflow._report_qty(p_stock, p_lang),
											   doliflow._report_qty(p_incoming, p_lang), doliflow._report_qty(p_reserved, p_lang))),
							doliflow._h(p_rounding))
		   END;
END;
COMMENT ON FUNCTION doliflow._report_buy(numeric, numeric, text, numeric, numeric, numeric, numeric, text) IS 'internal: the quantity to order of an alert item (dw.v_stock_alerts.order_quantity) with its derivation: need against the virtual stock (physical + open supplier orders - open customer orders), then the MOQ / packaging rounding in words';

-- Recent demand and forecast of one item (product x warehouse share).
CREATE FUNCTION doliflow._report_item_chart(p_product integer, p_share numeric, p_run bigint, p_origin date,
											p_title text, p_lang text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_labels text[];
	v_act float8[];
	v_fc float8[];
	v_lo float8[];
	v_hi float8[];
BEGIN
	SELECT array_agg(doliflow._report_date(g.day, p_lang) ORDER BY g.day),
		   array_agg(CASE WHEN g.day <= p_origin THEN coalesce(d.qty, 0) * p_share END ORDER BY g.day),
		   array_agg(pr.yhat * p_share ORDER BY g.day),
		   array_agg(pr.lo * p_share ORDER BY g.day),
		   array_agg(pr.hi * p_share ORDER BY g.day)
	  INTO v_labels, v_act, v_fc, v_lo, v_hi
	  FROM (SELECT d::date AS day FROM generate_series(p_origin - 27, p_origin + 28, interval '1 day') d) g
	  LEFT JOIN doliflow._stock_demand d ON d.fk_product = p_product AND d.day = g.day
	  LEFT JOIN dw.predictions pr ON pr.run_id = p_run AND pr.fk_product = p_product AND pr.fk_entrepot IS NULL AND pr.day = g.day;
	RETURN doliflow._svg_lines(v_labels, v_act, v_fc, v_lo, v_hi, 29, 300, 110, p_title, p_lang);
END;
$$;
COMMENT ON FUNCTION doliflow._report_item_chart(integer, numeric, bigint, date, text, text) IS 'internal: SVG chart of one alert item: its demand over the 28 days up to the forecast origin and the 28 forecast days with their interval, scaled by the warehouse''s demand share';

-- The reasons of dw.anomalies and the rules of dw.customer_segments are
-- English sentences with figures (the batch's language); the French pages
-- translate the known sentence shapes, figures kept, decimal commas.
CREATE FUNCTION doliflow._report_reason(p_text text, p_lang text) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	t text := p_text;
BEGIN
	IF p_lang = 'en' OR t IS NULL THEN
		RETURN t;
	END IF;
	-- anomalies
	t := regexp_replace(t, '^took (\S+) h where a similar (.*?) usually takes (\S+) h', 'a duré \1 h alors qu''une intervention similaire (\2) dure d''habitude \3 h');
	t := regexp_replace(t, '^estimated at (\S+) h but took (\S+) h \((\S+) x the estimate\) where a similar (.*?) with that estimate usually takes (\S+) h',
						'estimée à \1 h mais a duré \2 h (\3 × l''estimation) alors qu''une intervention similaire (\4) avec cette estimation dure d''habitude \5 h');
	t := regexp_replace(t, '^cost (\S+) EUR for (\S+) h, i\.e\. (\S+) EUR/h where this (.*?)''s jobs usually cost (\S+) EUR/h',
						'a coûté \1 € pour \2 h, soit \3 €/h alors que les interventions de ce \4 coûtent d''habitude \5 €/h');
	t := regexp_replace(t, '^customer rated the (.*?) (\S+)/5 \((\S+) or less is flagged; the usual rating is (\S+)/5\)',
						'le client a noté l''intervention (\1) \2/5 (signalée à \3 ou moins ; la note habituelle est \4/5)');
	t := regexp_replace(t, '^unusual combination of hours, estimate, cost and satisfaction \(isolation score (\S+), mostly (.*)\)$',
						'combinaison inhabituelle d''heures, d''estimation, de coût et de satisfaction (score d''isolement \1, surtout \2)');
	t := regexp_replace(t, '^(.*?) of (\S+) units of (.*?) on (\S+), (\S+) times its usual (.*?) movement of (\S+) units \(median of (.*?); robust z (\S+)\)$',
						'\1 de \2 unités de \3 le \4, \5 fois son mouvement habituel (\6) de \7 unités (médiane de \8 ; z robuste \9)');
	t := replace(t, ' (robust z ', ' (z robuste ');
	t := replace(t, ' for its peers whatever the estimate', ' pour ses pairs quelle que soit l''estimation');
	t := replace(t, ' estimated at ', ' estimée à ');
	t := regexp_replace(t, ' in ([A-Z])', ' à \1', 'g');
	t := replace(t, 'ce technician', 'ce technicien');
	-- segments
	t := regexp_replace(t, '^New: first activity on (\S+), (\S+) days before (\S+) \(fewer than (\S+)\)', 'Nouveau : première activité le \1, \2 jours avant le \3 (moins de \4)');
	t := regexp_replace(t, '^At risk \(fading\): no activity for (\S+) days, more than (\S+) days', 'À risque (s''éloigne) : aucune activité depuis \1 jours, plus de \2 jours');
	t := regexp_replace(t, ' \((\S+) x their usual gap of (\S+) days\)$', ' (\1 × son intervalle habituel de \2 jours)');
	t := regexp_replace(t, ' \(their usual gap is unknown\)$', ' (intervalle habituel inconnu)');
	t := regexp_replace(t, ' \(their usual gap is (\S+) days\)$', ' (intervalle habituel : \1 jours)');
	t := regexp_replace(t, '^At risk \(unhappy\): mean satisfaction (\S+)/5 over (\S+) rated tickets in 12 months, below (\S+)',
						'À risque (mécontent) : satisfaction moyenne \1/5 sur \2 tickets notés en 12 mois, sous \3');
	t := regexp_replace(t, '^Premium: (\S+) EUR invoiced in 12 months, in the top (\S+)% of invoiced customers \(from (\S+) EUR\)',
						'Premium : \1 € facturés en 12 mois, dans les \2 % premiers clients facturés (à partir de \3 €)');
	t := regexp_replace(t, '^Frequent: (\S+) tickets in 12 months, in the top (\S+)% of customers with tickets \(from (\S+)\)',
						'Fréquent : \1 tickets en 12 mois, dans les \2 % premiers clients ayant des tickets (à partir de \3)');
	t := regexp_replace(t, '^Regular: active (\S+) days ago, (\S+) tickets and (\S+) EUR in 12 months: no other rule applies',
						'Régulier : actif il y a \1 jours, \2 tickets et \3 € en 12 mois : aucune autre règle ne s''applique');
	t := regexp_replace(t, '^Regular: active \(never\) days ago, (\S+) tickets and (\S+) EUR in 12 months: no other rule applies',
						'Régulier : jamais actif, \1 tickets et \2 € en 12 mois : aucune autre règle ne s''applique');
	-- decimal commas
	RETURN regexp_replace(t, '(\d)\.(\d)', '\1,\2', 'g');
END;
$$;
COMMENT ON FUNCTION doliflow._report_reason(text, text) IS 'internal: an anomaly reason or a segment rule in the report language: the English sentence as stored in dw, or its French translation (known sentence shapes, figures kept with decimal commas)';

------------------------------------------------------------------------------
-- The pages
------------------------------------------------------------------------------

CREATE FUNCTION doliflow._report_alertes(p_lang text, p_tz text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_max_charts constant integer := 24;
	v_html text;
	v_rows text := '';
	v_cards text := '';
	v_n integer := 0;
	v_ok bigint := 0;
	v_today date := (now() AT TIME ZONE p_tz)::date;
	v_attention numeric;
	r record;
BEGIN
	v_html := format('<section class="page" id="alertes"><h2>%s</h2>', doliflow._h(doliflow._t('page_alertes', p_lang)));
	IF NOT EXISTS (SELECT 1 FROM doliflow._stock_latest_run) THEN
		RETURN v_html || format('<p class="empty" id="alertes-empty">%s</p></section>', doliflow._h(doliflow._t('no_forecast', p_lang)));
	END IF;
	SELECT s.value::numeric INTO v_attention FROM doliflow.settings s WHERE s.name = 'attention_days';
	v_html := v_html || format('<p class="note">%s</p>', doliflow._h(format(doliflow._t('urgent_first', p_lang), doliflow._report_qty(v_attention, p_lang))));
	FOR r IN
		SELECT a.*
		  FROM dw.v_stock_alerts a
		 ORDER BY a.level_rank, a.days_of_cover NULLS LAST, a.stock_after_lead_time, a.fk_product, a.fk_entrepot
	LOOP	-- one pass over the view (it is computed live): the urgent rows, and the OK ones counted
		IF r.level NOT IN ('Critical', 'Attention') THEN
			v_ok := v_ok + (r.level = 'OK')::integer;
			CONTINUE;
		END IF;
		v_n := v_n + 1;
		v_rows := v_rows || format('<tr class="alert" data-level="%s"><td>%s</td><td class="item"><b>%s</b><div class="sub">%s</div></td><td>%s</td>'
								   '<td class="n">%s</td><td class="n">%s<div class="sub">%s %s %s</div></td><td class="n">%s</td>'
								   '<td class="n" style="white-space:normal;min-width:10em">%s</td><td class="supplier" style="min-width:9em">%s<div class="sub">%s</div></td><td class="n delivery">%s</td></tr>',
			doliflow._h(r.level), doliflow._report_level(r.level, p_lang),
			doliflow._h(r.product_ref), doliflow._h(r.product_label), doliflow._h(coalesce(r.warehouse_ref, '–')),
			doliflow._h(doliflow._report_qty(r.stock, p_lang)),
			doliflow._h(doliflow._report_qty(r.demand_lead_time, p_lang)),
			doliflow._h(doliflow._t('lead_time', p_lang)), r.lead_time_days, doliflow._h(doliflow._t('days', p_lang)),
			doliflow._h(CASE WHEN r.days_of_cover IS NULL THEN '–'
							 ELSE doliflow._report_num(r.days_of_cover, 1, p_lang) || ' ' || doliflow._t('days', p_lang) END),
			doliflow._report_buy(r.order_quantity, r.raw_quantity, r.rounding, r.virtual_stock, r.stock, r.incoming, r.reserved, p_lang),
			doliflow._h(coalesce(r.supplier_name, doliflow._t('unknown', p_lang))), doliflow._h(coalesce(r.supplier_reason, '')),
			doliflow._h(doliflow._report_date(r.planned_delivery_date, p_lang)));
		IF v_n <= v_max_charts THEN
			v_cards := v_cards || format('<div class="card"><div class="t">%s %s — %s</div><div class="f">%s %s · %s %s · %s %s</div>%s</div>',
				doliflow._report_level(r.level, p_lang), doliflow._h(r.product_ref), doliflow._h(coalesce(r.warehouse_ref, '–')),
				doliflow._h(doliflow._t('stock', p_lang)), doliflow._h(doliflow._report_qty(r.stock, p_lang)),
				doliflow._h(doliflow._t('demand_lead', p_lang)), doliflow._h(doliflow._report_qty(r.demand_lead_time, p_lang)),
				doliflow._h(doliflow._t('suggested', p_lang)), doliflow._h(doliflow._report_qty(r.order_quantity, p_lang)),
				doliflow._report_item_chart(r.fk_product, r.demand_share, r.run_id, r.forecast_origin,
											r.product_ref || ' ' || coalesce(r.warehouse_ref, ''), p_lang));
		END IF;
	END LOOP;
	IF v_n = 0 THEN
		v_html := v_html || format('<p class="empty" id="alertes-none">%s</p>', doliflow._h(doliflow._t('no_urgent', p_lang)));
	ELSE
		v_html := v_html || format('<h3>%s (<span id="n-urgent">%s</span>)</h3>', doliflow._h(doliflow._t('urgent_items', p_lang)), v_n)
			|| format('<table id="alert-table"><thead><tr><th>%s</th><th>%s</th><th>%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th><th>%s</th><th class="n">%s</th></tr></thead><tbody>',
					  doliflow._h(doliflow._t('level', p_lang)), doliflow._h(doliflow._t('item', p_lang)), doliflow._h(doliflow._t('warehouse', p_lang)),
					  doliflow._h(doliflow._t('stock', p_lang)), doliflow._h(doliflow._t('demand_lead', p_lang)), doliflow._h(doliflow._t('cover', p_lang)),
					  doliflow._h(doliflow._t('suggested', p_lang)), doliflow._h(doliflow._t('supplier', p_lang)), doliflow._h(doliflow._t('delivery', p_lang)))
			|| v_rows || '</tbody></table>'
			|| format('<p class="legend">%s</p>', doliflow._h(doliflow._t('chart_legend', p_lang)))
			|| CASE WHEN v_n > v_max_charts THEN format('<p class="note">%s</p>', doliflow._h(format(doliflow._t('charts_capped', p_lang), v_max_charts))) ELSE '' END
			|| '<div class="cards" id="alert-charts">' || v_cards || '</div>';
	END IF;
	RETURN v_html || format('<p class="note" id="ok-count">%s</p></section>', doliflow._h(format(doliflow._t('ok_items', p_lang), v_ok)));
END;
$$;
COMMENT ON FUNCTION doliflow._report_alertes(text, text) IS 'internal: report page Alertes: the Critical then Attention items of dw.v_stock_alerts with stock, demand over the lead time, days of cover, suggested quantity (order_quantity: need against the virtual stock, with its MOQ / packaging rounding shown), supplier and why, planned delivery date (today in the company time zone + the supplier''s delay), and a chart per item (the first 24)';

-- Labels of the savings tile and of the lead-time accuracy (issue 16, item 5).
INSERT INTO doliflow.report_labels (key, fr, en) VALUES
	('savings', 'Économies (simulation)', 'Savings (simulation)'),
	('savings_detail', 'de stock moyen en moins qu''avec la règle Dolibarr ; jours de rupture évités : %s (doliflow %s, Dolibarr %s) ; simulation du %s au %s', 'less average stock than Dolibarr''s rule; stock-out days avoided: %s (doliflow %s, Dolibarr %s); simulated %s to %s'),
	('savings_none', 'Pas encore de simulation : le module nocturne « simulation » la calcule (CALL doliflow.run_analytics(''simulation'')).', 'No simulation yet: the nightly module "simulation" computes it (CALL doliflow.run_analytics(''simulation'')).'),
	('savings_stale', 'résultat ancien, calculé le %s sur un chargement antérieur ou incomplet', 'stale result, computed on %s from an earlier or incomplete load'),
	('lt_accuracy', 'Précision sur le délai d''appro.', 'Lead-time accuracy'),
	('lt_accuracy_detail', 'demande prévue sur le délai de chaque article contre la réelle, semaine du %s', 'forecast demand over each item''s lead time against the actual, week of %s'),
	('lt_accuracy_by_week', 'Précision sur le délai d''approvisionnement, par semaine', 'Lead-time accuracy by week'),
	('lt_accuracy_note', 'Pour chaque jour de prévision et chaque article : la demande prévue sur son délai fournisseur contre la demande réelle de ces jours (100 − Σ|écart| / Σ réel), ce qu''une commande doit couvrir ; simulation du %s.', 'For each forecast day and item: the demand forecast over its supplier lead time against the actual demand of those days (100 − Σ|error| / Σ actual), what an order must cover; simulation of %s.'),
	('lt_windows', 'Fenêtres', 'Windows'),
	('no_lt_accuracy', 'Pas encore de mesure sur le délai : il faut une simulation nocturne et des prévisions dont le délai est écoulé.', 'No lead-time measure yet: it needs a nightly simulation and forecasts whose lead time has passed.');

CREATE FUNCTION doliflow._report_tableau(p_lang text, p_tz text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	d record;
	v_html text;
	v_labels text[];
	v_vals numeric[];
	u record;
	v_rows text := '';
BEGIN
	v_html := format('<section class="page" id="tableau"><h2>%s</h2>', doliflow._h(doliflow._t('page_tableau', p_lang)));
	SELECT * INTO d FROM dw.v_dashboard;
	IF d.generated_at IS NULL THEN
		RETURN v_html || format('<p class="empty" id="tableau-empty">%s</p></section>', doliflow._h(doliflow._t('no_forecast', p_lang)));
	END IF;
	v_html := v_html || '<div class="tiles" id="tiles">'
		|| format('<div class="tile t-Critical" id="tile-critical"><div class="l">%s</div><div class="v">%s</div><div class="sub">%s</div></div>',
				  doliflow._h(doliflow._t('level_Critical', p_lang)), d.n_critical, doliflow._h(doliflow._t('items', p_lang)))
		|| format('<div class="tile t-Attention" id="tile-attention"><div class="l">%s</div><div class="v">%s</div><div class="sub">%s</div></div>',
				  doliflow._h(doliflow._t('level_Attention', p_lang)), d.n_attention, doliflow._h(doliflow._t('items', p_lang)))
		|| format('<div class="tile t-OK" id="tile-ok"><div class="l">%s</div><div class="v">%s</div><div class="sub">%s</div></div>',
				  doliflow._h(doliflow._t('level_OK', p_lang)), d.n_ok, doliflow._h(doliflow._t('items', p_lang)))
		|| format('<div class="tile" id="tile-stock-value"><div class="l">%s</div><div class="v">%s</div></div>',
				  doliflow._h(doliflow._t('stock_value', p_lang)), doliflow._h(doliflow._report_eur(d.stock_value, p_lang, 0)))
		|| format('<div class="tile" id="tile-rotation"><div class="l">%s</div><div class="v">%s</div><div class="sub">%s</div></div>',
				  doliflow._h(doliflow._t('rotation', p_lang)), doliflow._h(doliflow._report_num(d.rotation_rate, 2, p_lang)),
				  doliflow._h(format(doliflow._t('rotation_detail', p_lang), doliflow._report_qty(d.sales_30d, p_lang), doliflow._report_qty(d.avg_stock_30d, p_lang))))
		|| format('<div class="tile" id="tile-revenue"><div class="l">%s</div><div class="v">%s</div><div class="sub">%s %s · %s %s %%</div></div>',
				  doliflow._h(doliflow._t('revenue', p_lang)), doliflow._h(doliflow._report_eur(d.revenue_forecast_30d, p_lang, 0)),
				  doliflow._h(doliflow._t('actual_short', p_lang)),
				  doliflow._h(doliflow._report_eur(d.revenue_actual_30d, p_lang, 0)), doliflow._h(doliflow._t('revenue_gap', p_lang)),
				  doliflow._h(CASE WHEN d.revenue_gap_pct > 0 THEN '+' ELSE '' END || doliflow._report_num(d.revenue_gap_pct, 1, p_lang)))
		|| format('<div class="tile" id="tile-accuracy"><div class="l">%s</div><div class="v">%s</div></div>',
				  doliflow._h(doliflow._t('accuracy_week', p_lang)),
				  doliflow._h(CASE WHEN d.accuracy_last_week_pct IS NULL THEN '–' ELSE doliflow._report_num(d.accuracy_last_week_pct, 1, p_lang) || ' %' END))
		|| format('<div class="tile" id="tile-lt-accuracy" data-value="%s"><div class="l">%s</div><div class="v">%s</div><div class="sub">%s</div></div>',
				  coalesce(d.lead_time_accuracy_pct::text, ''), doliflow._h(doliflow._t('lt_accuracy', p_lang)),
				  doliflow._h(CASE WHEN d.lead_time_accuracy_pct IS NULL THEN '–' ELSE doliflow._report_num(d.lead_time_accuracy_pct, 1, p_lang) || ' %' END),
				  doliflow._h(CASE WHEN d.lead_time_accuracy_pct IS NULL THEN doliflow._t('no_lt_accuracy', p_lang)
								   ELSE format(doliflow._t('lt_accuracy_detail', p_lang),
											   doliflow._report_date((d.lead_time_accuracy_trend -> -1 ->> 'week_start')::date, p_lang)) END))
		-- savings where known: from the latest nightly simulation, said stale when it is
		|| CASE WHEN d.simulation_id IS NULL THEN
				format('<div class="tile" id="tile-savings" data-sim="none"><div class="l">%s</div><div class="v">–</div><div class="sub" id="savings-none">%s</div></div>',
					   doliflow._h(doliflow._t('savings', p_lang)), doliflow._h(doliflow._t('savings_none', p_lang)))
		   ELSE format('<div class="tile" id="tile-savings" data-sim="%s" data-value="%s" data-stockouts="%s"><div class="l">%s</div><div class="v">%s</div><div class="sub">%s%s</div></div>',
					   CASE WHEN d.simulation_current THEN 'current' ELSE 'stale' END,
					   coalesce(d.saved_stock_value::text, ''), coalesce(d.saved_stockout_days::text, ''),
					   doliflow._h(doliflow._t('savings', p_lang)),
					   doliflow._h(CASE WHEN d.saved_stock_value IS NULL THEN '–' ELSE doliflow._report_eur(d.saved_stock_value, p_lang, 0) END),
					   doliflow._h(format(doliflow._t('savings_detail', p_lang), coalesce(d.saved_stockout_days::text, '–'),
										  coalesce(d.sim_stockout_days_doliflow::text, '–'), coalesce(d.sim_stockout_days_dolibarr::text, '–'),
										  doliflow._report_date(d.simulation_start, p_lang), doliflow._report_date(d.simulation_end, p_lang))),
					   CASE WHEN d.simulation_current THEN ''
							ELSE format(' · <b class="sev-high" id="savings-stale">%s</b>',
										doliflow._h(format(doliflow._t('savings_stale', p_lang), doliflow._report_ts(d.simulation_generated_at, p_lang, p_tz)))) END)
		   END
		|| '</div>';
	-- 7-day trend
	v_html := v_html || format('<div class="two"><div><h3>%s</h3>', doliflow._h(doliflow._t('trend', p_lang)));
	IF jsonb_array_length(d.alert_trend_7d) = 0 THEN
		v_html := v_html || format('<p class="empty">%s</p>', doliflow._h(doliflow._t('no_trend', p_lang)));
	ELSE
		SELECT array_agg(doliflow._report_date((e ->> 'date')::date, p_lang) ORDER BY (e ->> 'date')::date)
		  INTO v_labels FROM jsonb_array_elements(d.alert_trend_7d) e;
		SELECT array_agg(x.v ORDER BY x.s, x.day) INTO v_vals
		  FROM (SELECT 1 AS s, (e ->> 'date')::date AS day, (e ->> 'critical')::numeric AS v FROM jsonb_array_elements(d.alert_trend_7d) e
				UNION ALL SELECT 2, (e ->> 'date')::date, (e ->> 'attention')::numeric FROM jsonb_array_elements(d.alert_trend_7d) e) x;
		v_html := v_html || '<div id="trend-chart">' || doliflow._svg_bars(v_labels, v_vals, 2, ARRAY['c-crit', 'c-att'], true, 420, 170,
													doliflow._t('trend', p_lang), p_lang) || '</div>'
			|| format('<p class="legend"><span class="key" style="background:#c62828"></span>%s<span class="key" style="background:#e08600"></span>%s</p>',
					  doliflow._h(doliflow._t('level_Critical', p_lang)), doliflow._h(doliflow._t('level_Attention', p_lang)));
	END IF;
	-- top 3
	v_html := v_html || format('</div><div><h3>%s</h3>', doliflow._h(doliflow._t('top3', p_lang)));
	IF jsonb_array_length(d.top_urgent) = 0 THEN
		v_html := v_html || format('<p class="empty">%s</p>', doliflow._h(doliflow._t('no_urgent', p_lang)));
	ELSE
		FOR u IN SELECT * FROM jsonb_to_recordset(d.top_urgent) AS t(rank integer, product_ref text, product_label text, warehouse_ref text,
				 level text, stock numeric, demand_lead_time numeric, days_of_cover numeric, suggested_quantity numeric) ORDER BY rank
		LOOP
			v_rows := v_rows || format('<tr class="top"><td>%s</td><td><b>%s</b><div class="sub">%s — %s</div></td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td></tr>',
				doliflow._report_level(u.level, p_lang), doliflow._h(u.product_ref), doliflow._h(u.product_label), doliflow._h(coalesce(u.warehouse_ref, '–')),
				doliflow._h(doliflow._report_qty(u.stock, p_lang)),
				doliflow._h(CASE WHEN u.days_of_cover IS NULL THEN '–' ELSE doliflow._report_num(u.days_of_cover, 1, p_lang) || ' ' || doliflow._t('days', p_lang) END),
				doliflow._h(doliflow._report_qty(u.suggested_quantity, p_lang)));
		END LOOP;
		v_html := v_html || format('<table id="top3"><thead><tr><th>%s</th><th>%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th></tr></thead><tbody>%s</tbody></table>',
			doliflow._h(doliflow._t('level', p_lang)), doliflow._h(doliflow._t('item', p_lang)), doliflow._h(doliflow._t('stock', p_lang)),
			doliflow._h(doliflow._t('cover', p_lang)), doliflow._h(doliflow._t('suggested', p_lang)), v_rows);
	END IF;
	RETURN v_html || '</div></div></section>';
END;
$$;
COMMENT ON FUNCTION doliflow._report_tableau(text, text) IS 'internal: report page Tableau de bord from dw.v_dashboard: tiles (alerts per level, stock value, rotation, forecast vs actual revenue, last week''s accuracy, lead-time accuracy, and the savings of the latest nightly simulation: stock value and stock-outs against Dolibarr''s rule, said stale or missing when it is), the 7-day alert trend chart and the top 3 urgencies';

CREATE FUNCTION doliflow._report_predictions(p_lang text, p_tz text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_top constant integer := 15;
	v_html text;
	v_rows text := '';
	v_level numeric;
	r record;
	v_labels text[];
	v_act float8[];
	v_fc float8[];
	v_lo float8[];
	v_hi float8[];
	v_vals numeric[];
	v_last date;
	v_sim_at timestamptz;
BEGIN
	v_html := format('<section class="page" id="predictions"><h2>%s</h2>', doliflow._h(doliflow._t('page_predictions', p_lang)));
	IF NOT EXISTS (SELECT 1 FROM doliflow._stock_latest_run) THEN
		RETURN v_html || format('<p class="empty" id="predictions-empty">%s</p></section>', doliflow._h(doliflow._t('no_forecast', p_lang)));
	END IF;
	SELECT s.value::numeric INTO v_level FROM doliflow.settings s WHERE s.name = 'forecast_interval_level';
	FOR r IN
		SELECT p.fk_product, min(p.product_ref) AS ref, min(p.product_label) AS label, min(p.method) AS method,
			   sum(p.yhat) FILTER (WHERE p.horizon <= 7) AS next7, sum(p.yhat) FILTER (WHERE p.horizon <= 28) AS next28,
			   avg(p.lo) FILTER (WHERE p.horizon <= 28) AS lo, avg(p.hi) FILTER (WHERE p.horizon <= 28) AS hi
		  FROM dw.v_predictions p
		 GROUP BY p.fk_product
		 ORDER BY sum(p.yhat) FILTER (WHERE p.horizon <= 28) DESC NULLS LAST, p.fk_product
		 LIMIT v_top
	LOOP
		v_rows := v_rows || format('<tr class="fc"><td><b>%s</b><div class="sub">%s</div></td><td>%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s – %s</td></tr>',
			doliflow._h(r.ref), doliflow._h(r.label), doliflow._h(r.method),
			doliflow._h(doliflow._report_qty(r.next7, p_lang)), doliflow._h(doliflow._report_qty(r.next28, p_lang)),
			doliflow._h(doliflow._report_num(r.next28 / 28, 2, p_lang)),
			doliflow._h(doliflow._report_num(r.lo, 2, p_lang)), doliflow._h(doliflow._report_num(r.hi, 2, p_lang)));
	END LOOP;
	v_html := v_html || format('<h3>%s</h3><p class="note">%s</p>', doliflow._h(doliflow._t('forecast_table', p_lang)),
							   doliflow._h(format(doliflow._t('forecast_table_note', p_lang), v_top, doliflow._report_num(100 * v_level, 0, p_lang))))
		|| format('<table id="forecast-table"><thead><tr><th>%s</th><th>%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th></tr></thead><tbody>%s</tbody></table>',
				  doliflow._h(doliflow._t('item', p_lang)), doliflow._h(doliflow._t('method', p_lang)), doliflow._h(doliflow._t('next7', p_lang)),
				  doliflow._h(doliflow._t('next28', p_lang)), doliflow._h(doliflow._t('per_day', p_lang)), doliflow._h(doliflow._t('interval', p_lang)), v_rows);
	-- forecast vs actual, all products, the last 28 days with actuals
	SELECT max(a.day) INTO v_last FROM doliflow._prediction_actuals a;
	v_html := v_html || format('<div class="two"><div><h3>%s</h3>', doliflow._h(doliflow._t('fc_vs_actual', p_lang)));
	IF v_last IS NULL THEN
		v_html := v_html || format('<p class="empty" id="accuracy-empty">%s</p>', doliflow._h(doliflow._t('no_accuracy', p_lang)));
	ELSE
		SELECT array_agg(doliflow._report_date(g.day, p_lang) ORDER BY g.day), array_agg(x.actual ORDER BY g.day),
			   array_agg(x.yhat ORDER BY g.day), array_agg(x.lo ORDER BY g.day), array_agg(x.hi ORDER BY g.day)
		  INTO v_labels, v_act, v_fc, v_lo, v_hi
		  FROM (SELECT d::date AS day FROM generate_series(v_last - 27, v_last, interval '1 day') d) g
		  LEFT JOIN (SELECT a.day, sum(a.actual) AS actual, sum(a.yhat) AS yhat, sum(pr.lo) AS lo, sum(pr.hi) AS hi
					   FROM doliflow._prediction_actuals a
					   LEFT JOIN dw.predictions pr ON pr.run_id = a.run_id AND pr.fk_product = a.fk_product
												  AND pr.fk_entrepot IS NULL AND pr.day = a.day
					  WHERE a.day > v_last - 28
					  GROUP BY a.day) x ON x.day = g.day;
		v_html := v_html || '<div id="fc-actual-chart">'
			|| doliflow._svg_lines(v_labels, v_act, v_fc, v_lo, v_hi, 0, 460, 170, doliflow._t('fc_vs_actual', p_lang), p_lang)
			|| '</div>' || format('<p class="legend">%s</p>', doliflow._h(doliflow._t('fc_vs_actual_legend', p_lang)));
	END IF;
	-- accuracy by week
	v_html := v_html || format('</div><div><h3>%s</h3>', doliflow._h(doliflow._t('accuracy_by_week', p_lang)));
	v_rows := '';
	SELECT array_agg(w.iso_week ORDER BY w.week_start), array_agg(greatest(w.accuracy_pct, 0) ORDER BY w.week_start),
		   string_agg(format('<tr class="week"><td>%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td></tr>',
							 doliflow._h(w.iso_week), doliflow._h(doliflow._report_qty(w.actual, p_lang)),
							 doliflow._h(doliflow._report_qty(w.forecast, p_lang)),
							 doliflow._h(CASE WHEN w.accuracy_pct IS NULL THEN '–' ELSE doliflow._report_num(w.accuracy_pct, 1, p_lang) || ' %' END)),
					  '' ORDER BY w.week_start DESC)
	  INTO v_labels, v_vals, v_rows
	  FROM (SELECT * FROM dw.v_forecast_accuracy f WHERE f.grain = 'week' ORDER BY f.week_start DESC LIMIT 12) w;
	IF v_labels IS NULL THEN
		v_html := v_html || format('<p class="empty" id="weeks-empty">%s</p>', doliflow._h(doliflow._t('no_accuracy', p_lang)));
	ELSE
		v_html := v_html || '<div id="accuracy-chart">'
			|| doliflow._svg_bars(v_labels, v_vals, 1, ARRAY['c-acc'], false, 420, 170, doliflow._t('accuracy_by_week', p_lang), p_lang,
								  85, format(doliflow._t('accuracy_goal', p_lang), 85), 100, ' %')
			|| '</div>'
			|| format('<table id="accuracy-table"><thead><tr><th>%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th></tr></thead><tbody>%s</tbody></table>',
					  doliflow._h(doliflow._t('week', p_lang)), doliflow._h(doliflow._t('actual', p_lang)),
					  doliflow._h(doliflow._t('forecast', p_lang)), doliflow._h(doliflow._t('accuracy', p_lang)), v_rows);
	END IF;
	v_html := v_html || '</div></div>';
	-- lead-time accuracy by week, from the latest nightly simulation (dw.v_dashboard)
	v_html := v_html || format('<div id="lt-accuracy"><h3>%s</h3>', doliflow._h(doliflow._t('lt_accuracy_by_week', p_lang)));
	SELECT max(l.generated_at),
		   array_agg(l.iso_week ORDER BY l.week_start),
		   array_agg(greatest(coalesce(l.accuracy_pct, 0), 0) ORDER BY l.week_start),
		   string_agg(format('<tr class="ltweek" data-value="%s"><td>%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td></tr>',
							 coalesce(l.accuracy_pct::text, ''), doliflow._h(l.iso_week), l.products, l.windows,
							 doliflow._h(CASE WHEN l.accuracy_pct IS NULL THEN '–' ELSE doliflow._report_num(l.accuracy_pct, 1, p_lang) || ' %' END)),
					  '' ORDER BY l.week_start DESC)
	  INTO v_sim_at, v_labels, v_vals, v_rows
	  FROM (SELECT * FROM dw.v_lead_time_accuracy w WHERE w.grain = 'week' ORDER BY w.week_start DESC LIMIT 12) l;
	IF v_labels IS NULL THEN
		RETURN v_html || format('<p class="empty" id="lt-accuracy-empty">%s</p></div></section>', doliflow._h(doliflow._t('no_lt_accuracy', p_lang)));
	END IF;
	RETURN v_html || format('<p class="note">%s</p>', doliflow._h(format(doliflow._t('lt_accuracy_note', p_lang), doliflow._report_ts(v_sim_at, p_lang, p_tz))))
		|| '<div class="two"><div id="lt-accuracy-chart">'
		|| doliflow._svg_bars(v_labels, v_vals, 1, ARRAY['c-acc'], false, 420, 170, doliflow._t('lt_accuracy_by_week', p_lang), p_lang,
							  85, format(doliflow._t('accuracy_goal', p_lang), 85), 100, ' %')
		|| '</div><div>'
		|| format('<table id="lt-accuracy-table"><thead><tr><th>%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th></tr></thead><tbody>%s</tbody></table>',
				  doliflow._h(doliflow._t('week', p_lang)), doliflow._h(doliflow._t('items', p_lang)), doliflow._h(doliflow._t('lt_windows', p_lang)),
				  doliflow._h(doliflow._t('accuracy', p_lang)), v_rows)
		|| '</div></div></div></section>';
END;
$$;
COMMENT ON FUNCTION doliflow._report_predictions(text, text) IS 'internal: report page Prédictions: forecast table of the items in most demand (dw.v_predictions), forecast vs actual with intervals over the last 28 days with actuals, accuracy by week (dw.v_forecast_accuracy) as a chart and a table, and the lead-time accuracy by week of the latest nightly simulation (dw.v_lead_time_accuracy) as a chart and a table';

CREATE FUNCTION doliflow._report_interventions(p_lang text, p_tz text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_html text;
	v_rows text;
	v_labels text[];
	v_vals numeric[];
	v_n bigint;
	r record;
BEGIN
	v_html := format('<section class="page" id="interventions"><h2>%s</h2>', doliflow._h(doliflow._t('page_interventions', p_lang)));
	-- tickets per month (the last 12 months with tickets)
	v_html := v_html || format('<h3>%s</h3>', doliflow._h(doliflow._t('tickets_monthly', p_lang)));
	SELECT array_agg(doliflow._report_month(m.month, p_lang) ORDER BY m.month),
		   array_agg(m.tickets_opened::numeric ORDER BY m.month) || array_agg(m.tickets_closed::numeric ORDER BY m.month),
		   string_agg(format('<tr class="month"><td>%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td></tr>',
							 doliflow._h(doliflow._report_month(m.month, p_lang)), m.tickets_opened, m.tickets_closed,
							 doliflow._h(doliflow._report_num(m.mean_resolution_hours, 1, p_lang) || ' ' || doliflow._t('hours', p_lang)),
							 doliflow._h(CASE WHEN m.mean_satisfaction IS NULL THEN '–' ELSE doliflow._report_num(m.mean_satisfaction, 2, p_lang) || '/5' END)),
					  '' ORDER BY m.month DESC)
	  INTO v_labels, v_vals, v_rows
	  FROM (SELECT * FROM dw.v_tickets_monthly t WHERE t.month IS NOT NULL ORDER BY t.month DESC LIMIT 12) m;
	IF v_labels IS NULL THEN
		v_html := v_html || format('<p class="empty" id="tickets-empty">%s</p>', doliflow._h(doliflow._t('no_tickets', p_lang)));
	ELSE
		v_html := v_html || '<div class="two"><div id="tickets-chart">'
			|| doliflow._svg_bars(v_labels, v_vals, 2, ARRAY['c-blue', 'c-grey'], false, 460, 180, doliflow._t('tickets_monthly', p_lang), p_lang)
			|| format('<p class="legend"><span class="key" style="background:#1f5f9e"></span>%s<span class="key" style="background:#9fb3c8"></span>%s</p></div>',
					  doliflow._h(doliflow._t('opened', p_lang)), doliflow._h(doliflow._t('closed', p_lang)))
			|| format('<div><table id="tickets-table"><thead><tr><th>%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th></tr></thead><tbody>%s</tbody></table></div></div>',
					  doliflow._h(doliflow._t('month', p_lang)), doliflow._h(doliflow._t('opened', p_lang)), doliflow._h(doliflow._t('closed', p_lang)),
					  doliflow._h(doliflow._t('resolution', p_lang)), doliflow._h(doliflow._t('satisfaction', p_lang)), v_rows);
	END IF;
	-- technicians
	SELECT string_agg(format('<tr class="tech"><td>%s<div class="sub">%s</div></td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td></tr>',
							 doliflow._h(t.full_name), doliflow._h(t.job), t.tickets_assigned,
							 doliflow._h(doliflow._report_num(t.mean_resolution_hours, 1, p_lang) || ' ' || doliflow._t('hours', p_lang)),
							 doliflow._h(CASE WHEN t.mean_satisfaction IS NULL THEN '–' ELSE doliflow._report_num(t.mean_satisfaction, 2, p_lang) || '/5' END),
							 doliflow._h(doliflow._report_num(t.intervention_hours, 0, p_lang) || ' ' || doliflow._t('hours', p_lang)),
							 doliflow._h(CASE WHEN t.estimate_accuracy_pct IS NULL THEN '–' ELSE doliflow._report_num(t.estimate_accuracy_pct, 1, p_lang) || ' %' END)),
					  '' ORDER BY t.tickets_assigned DESC, t.technician_key)
	  INTO v_rows
	  FROM (SELECT * FROM dw.v_technician_performance p ORDER BY p.tickets_assigned DESC, p.technician_key LIMIT 15) t;
	IF v_rows IS NOT NULL THEN
		v_html := v_html || format('<h3>%s</h3><table id="tech-table"><thead><tr><th>%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th></tr></thead><tbody>%s</tbody></table>',
			doliflow._h(doliflow._t('technicians', p_lang)), doliflow._h(doliflow._t('technician', p_lang)), doliflow._h(doliflow._t('tickets', p_lang)),
			doliflow._h(doliflow._t('resolution', p_lang)), doliflow._h(doliflow._t('satisfaction', p_lang)),
			doliflow._h(doliflow._t('interv_hours', p_lang)), doliflow._h(doliflow._t('estimate_accuracy', p_lang)), v_rows);
	END IF;
	-- active projects
	SELECT string_agg(format('<tr class="project"><td><b>%s</b><div class="sub">%s</div></td><td>%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td>%s</td></tr>',
							 doliflow._h(p.ref), doliflow._h(p.title), doliflow._h(p.customer_name),
							 doliflow._h(doliflow._report_eur(p.budget_amount, p_lang, 0)), doliflow._h(doliflow._report_eur(p.spent_cost, p_lang, 0)),
							 doliflow._h(CASE WHEN p.budget_consumed_pct IS NULL THEN '–' ELSE doliflow._report_num(p.budget_consumed_pct, 1, p_lang) || ' %' END),
							 doliflow._h(CASE WHEN p.schedule_elapsed_pct IS NULL THEN '–' ELSE doliflow._report_num(p.schedule_elapsed_pct, 1, p_lang) || ' %' END),
							 CASE WHEN p.drift THEN '<span class="sev-high">' || doliflow._h(
								 (SELECT string_agg(doliflow._t('drift_' || x, p_lang), ' ; ') FROM unnest(string_to_array(p.drift_reason, '; ')) x)) || '</span>'
								  ELSE '–' END),
					  '' ORDER BY p.drift DESC, p.budget_consumed_pct DESC NULLS LAST, p.project_key)
	  INTO v_rows FROM dw.v_active_projects p;
	v_html := v_html || format('<h3>%s</h3>', doliflow._h(doliflow._t('projects', p_lang)));
	IF v_rows IS NULL THEN
		v_html := v_html || format('<p class="empty">%s</p>', doliflow._h(doliflow._t('no_projects', p_lang)));
	ELSE
		v_html := v_html || format('<table id="project-table"><thead><tr><th>%s</th><th>%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th><th class="n">%s</th><th>%s</th></tr></thead><tbody>%s</tbody></table>',
			doliflow._h(doliflow._t('project', p_lang)), doliflow._h(doliflow._t('customer', p_lang)), doliflow._h(doliflow._t('budget', p_lang)),
			doliflow._h(doliflow._t('spent', p_lang)), doliflow._h(doliflow._t('consumed', p_lang)), doliflow._h(doliflow._t('elapsed', p_lang)),
			doliflow._h(doliflow._t('drift', p_lang)), v_rows);
	END IF;
	-- anomalies
	v_html := v_html || format('<h3>%s</h3>', doliflow._h(doliflow._t('anomalies', p_lang)));
	SELECT count(*) INTO v_n FROM dw.v_anomalies;
	IF v_n = 0 THEN
		v_html := v_html || format('<p class="empty" id="anomalies-empty">%s</p>', doliflow._h(doliflow._t('no_anomalies', p_lang)));
	ELSE
		SELECT string_agg(format('<tr class="anomaly"><td>%s</td><td class="sev-%s">%s</td><td class="n">%s</td><td>%s</td></tr>',
								 doliflow._h(doliflow._t('kind_' || a.kind, p_lang)), doliflow._h(a.severity),
								 doliflow._h(doliflow._t('severity_' || a.severity, p_lang)),
								 doliflow._h(doliflow._report_num(a.score::numeric, 1, p_lang)),
								 doliflow._h(doliflow._report_reason(a.reason, p_lang))), '' ORDER BY a.o)
		  INTO v_rows
		  FROM (SELECT x.*, row_number() OVER (ORDER BY x.severity = 'high' DESC, x.score DESC, x.anomaly_id) AS o
				  FROM dw.v_anomalies x ORDER BY x.severity = 'high' DESC, x.score DESC, x.anomaly_id LIMIT 10) a;
		v_html := v_html || format('<p class="note" id="anomaly-count" data-count="%s">%s</p>', v_n,
								   doliflow._h(format(doliflow._t('anomalies_note', p_lang), v_n, least(v_n, 10))))
			|| format('<table id="anomaly-table"><thead><tr><th>%s</th><th>%s</th><th class="n">%s</th><th>%s</th></tr></thead><tbody>%s</tbody></table>',
					  doliflow._h(doliflow._t('kind', p_lang)), doliflow._h(doliflow._t('severity', p_lang)),
					  doliflow._h(doliflow._t('score', p_lang)), doliflow._h(doliflow._t('reason', p_lang)), v_rows);
	END IF;
	-- segments
	v_html := v_html || format('<h3>%s</h3>', doliflow._h(doliflow._t('segments', p_lang)));
	SELECT string_agg(format('<tr class="segment" data-segment="%s"><td><b>%s</b></td><td class="n">%s</td><td class="n">%s</td><td>%s<div class="sub">%s : %s</div></td></tr>',
							 doliflow._h(s.segment), doliflow._h(doliflow._t('segment_' || s.segment, p_lang)), s.n,
							 doliflow._h(doliflow._report_eur(s.monetary, p_lang, 0)), doliflow._h(doliflow._t('segrule_' || s.segment, p_lang)),
							 doliflow._h(doliflow._t('example', p_lang)), doliflow._h(s.example_name || ' — ' || doliflow._report_reason(s.example_rule, p_lang))),
					  '' ORDER BY s.o)
	  INTO v_rows
	  FROM (SELECT c.segment, count(*) AS n, sum(c.monetary) AS monetary,
				   (array_agg(coalesce(c.customer_name, '?') ORDER BY c.monetary DESC, c.customer_key))[1] AS example_name,
				   (array_agg(c.rule ORDER BY c.monetary DESC, c.customer_key))[1] AS example_rule,
				   array_position(ARRAY['premium', 'frequent', 'regular', 'new', 'at_risk'], c.segment) AS o
			  FROM dw.v_customer_segments c GROUP BY c.segment) s;
	IF v_rows IS NULL THEN
		v_html := v_html || format('<p class="empty" id="segments-empty">%s</p>', doliflow._h(doliflow._t('no_segments', p_lang)));
	ELSE
		v_html := v_html || format('<table id="segment-table"><thead><tr><th>%s</th><th class="n">%s</th><th class="n">%s</th><th>%s</th></tr></thead><tbody>%s</tbody></table>',
			doliflow._h(doliflow._t('segment', p_lang)), doliflow._h(doliflow._t('customers', p_lang)),
			doliflow._h(doliflow._t('monetary', p_lang)), doliflow._h(doliflow._t('rule', p_lang)), v_rows);
	END IF;
	RETURN v_html || '</section>';
END;
$$;
COMMENT ON FUNCTION doliflow._report_interventions(text, text) IS 'internal: report page Interventions et clients: tickets per month (dw.v_tickets_monthly), technician performance, active projects with budget and drift, the strongest anomalies of the latest run with their reasons, and the customer segments with their rules';

------------------------------------------------------------------------------
-- The report
------------------------------------------------------------------------------

-- The document (invoker rights: the nightly module runs it as the pipeline's
-- owner role; report_html() is the SECURITY DEFINER entry point for readers).
CREATE FUNCTION doliflow._report_document(page text, lang text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_lang text := doliflow._report_lang(lang);
	v_tz text;
	v_title text;
	v_body text := '';
BEGIN
	IF page IS NULL OR page NOT IN ('all', 'alertes', 'tableau', 'predictions', 'interventions') THEN
		RAISE EXCEPTION 'page must be all, alertes, tableau, predictions or interventions, not "%"', coalesce(page, 'NULL')
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT s.value INTO v_tz FROM doliflow.settings s WHERE s.name = 'timezone';
	v_tz := coalesce(v_tz, 'Europe/Paris');
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_timezone_names z WHERE z.name = v_tz)
	   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_timezone_abbrevs z WHERE z.abbrev = v_tz) THEN
		RAISE EXCEPTION 'setting timezone is not a known time zone: "%"', v_tz USING ERRCODE = 'invalid_parameter_value';
	END IF;
	v_title := doliflow._t('report', v_lang) || CASE WHEN page = 'all' THEN '' ELSE ' — ' || doliflow._t('page_' || page, v_lang) END;
	IF page IN ('all', 'alertes') THEN v_body := v_body || doliflow._report_alertes(v_lang, v_tz); END IF;
	IF page IN ('all', 'tableau') THEN v_body := v_body || doliflow._report_tableau(v_lang, v_tz); END IF;
	IF page IN ('all', 'predictions') THEN v_body := v_body || doliflow._report_predictions(v_lang, v_tz); END IF;
	IF page IN ('all', 'interventions') THEN v_body := v_body || doliflow._report_interventions(v_lang, v_tz); END IF;
	RETURN '<!DOCTYPE html>' || chr(10)
		|| format('<html lang="%s"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">', v_lang)
		|| '<meta http-equiv="Content-Security-Policy" content="default-src ''none''; style-src ''unsafe-inline''; img-src data:">'
		|| format('<title>%s</title><style>%s</style></head>', doliflow._h(v_title), doliflow._report_css())
		|| format('<body data-page="%s" data-lang="%s">', doliflow._h(page), v_lang)
		|| doliflow._report_banner(v_lang, v_tz)
		|| format('<header><h1>%s</h1>%s</header>', doliflow._h(v_title), doliflow._report_meta(v_lang, v_tz))
		|| CASE WHEN page = 'all' THEN format('<nav><a href="#alertes">%s</a><a href="#tableau">%s</a><a href="#predictions">%s</a><a href="#interventions">%s</a></nav>',
											  doliflow._h(doliflow._t('page_alertes', v_lang)), doliflow._h(doliflow._t('page_tableau', v_lang)),
											  doliflow._h(doliflow._t('page_predictions', v_lang)), doliflow._h(doliflow._t('page_interventions', v_lang)))
				ELSE '' END
		|| '<main>' || v_body || '</main>'
		|| format('<footer>%s</footer></body></html>', doliflow._h(doliflow._t('footer', v_lang))) || chr(10);
END;
$$;
COMMENT ON FUNCTION doliflow._report_document(text, text) IS 'internal: the body of report_html() with the caller''s rights (what the nightly report module calls)';

CREATE FUNCTION doliflow.report_html(page text DEFAULT 'all', lang text DEFAULT NULL) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
	SELECT doliflow._report_document(page, lang);
$$;
COMMENT ON FUNCTION doliflow.report_html(text, text) IS
'The stock manager''s report as one self-contained HTML document (inline CSS and SVG, no script, nothing fetched, printable): page alertes (urgent items first with stock, demand over the lead time, days of cover, suggested quantity and its rounding, supplier, planned delivery and a chart each), tableau (KPI tiles, 7-day alert trend, top 3 urgencies), predictions (forecast per item, forecast vs actual with intervals, accuracy by week), interventions (tickets per month, technicians, active projects, anomalies, customer segments) or all. lang fr or en (default: the setting language). Every page starts with the status of the last run and says when its data was computed and how fresh the source is, in the company time zone (setting timezone). Example: psql -Atc "SELECT doliflow.report_html()" > rapport.html';

------------------------------------------------------------------------------
-- The nightly copy
------------------------------------------------------------------------------

CREATE TABLE doliflow.report_pages (
	page         text NOT NULL CHECK (page IN ('all', 'alertes', 'tableau', 'predictions', 'interventions')),
	lang         text NOT NULL CHECK (lang IN ('fr', 'en')),
	html         text NOT NULL,
	generated_at timestamptz NOT NULL,
	run_id       bigint,
	PRIMARY KEY (page, lang)
);
COMMENT ON TABLE doliflow.report_pages IS 'The latest report stored by the nightly batch (analytics module report): one row per page and language; SELECT html FROM doliflow.report_pages WHERE page = ''all'' AND lang = ''fr''';
COMMENT ON COLUMN doliflow.report_pages.page IS 'all, alertes, tableau, predictions or interventions (the page argument of report_html)';
COMMENT ON COLUMN doliflow.report_pages.lang IS 'fr or en';
COMMENT ON COLUMN doliflow.report_pages.html IS 'The HTML document report_html(page, lang) returned';
COMMENT ON COLUMN doliflow.report_pages.generated_at IS 'When the page was produced';
COMMENT ON COLUMN doliflow.report_pages.run_id IS 'doliflow.run_log run that produced it';

CREATE PROCEDURE doliflow._analytics_report(run_id bigint, force boolean)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
	v_run bigint := run_id;
	v_rows bigint;
BEGIN
	INSERT INTO doliflow.report_pages AS rp (page, lang, html, generated_at, run_id)
	SELECT p.page, l.lang, doliflow._report_document(p.page, l.lang), now(), v_run
	  FROM unnest(ARRAY['all', 'alertes', 'tableau', 'predictions', 'interventions']) AS p(page)
	 CROSS JOIN unnest(ARRAY['fr', 'en']) AS l(lang)
	ON CONFLICT (page, lang) DO UPDATE
	   SET html = EXCLUDED.html, generated_at = EXCLUDED.generated_at, run_id = EXCLUDED.run_id;
	GET DIAGNOSTICS v_rows = ROW_COUNT;
	PERFORM doliflow._step_report(NULL, v_rows, NULL);
	RAISE NOTICE 'doliflow: report: % pages stored', v_rows;
END;
$$;
COMMENT ON PROCEDURE doliflow._analytics_report(bigint, boolean) IS 'Report module of run_analytics(): stores report_html(page, lang) of every page in French and English into doliflow.report_pages (replacing the previous night''s); always recomputed (the pages show the run''s status). No transaction control: the caller commits.';
