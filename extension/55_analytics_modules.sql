-- doliflow install script, part 55: the analytics modules (issue 7).
--
-- The C functions of part 50 wired into the warehouse: one procedure per module of
-- run_analytics(), each taking (run_id bigint, force boolean) as the pipeline expects,
-- reading dw facts and writing dw outputs stamped with the run and generated_at:
--
--   doliflow._analytics_duration      dw.models (kind 'duration'), predict_intervention_duration()
--   doliflow._analytics_anomalies     dw.anomalies (+ dw.v_anomalies, latest run)
--   doliflow._analytics_segmentation  dw.customer_segments (+ dw.v_customer_segments)
--   doliflow._analytics_insights      dw.insights (+ dw.v_insights)
--
-- Modules never COMMIT (they run inside the step's transaction) and pin their
-- search_path; every name below is schema-qualified.  History is kept per run; the
-- v_* views show the latest run.  Thresholds are settings (doliflow.settings), chosen
-- from the statistics, not from any particular data set:
--   * robust z-scores (median / scaled MAD) on the log scale, where durations, costs and
--     quantities are multiplicative;
--   * the anomaly threshold is the larger of anomaly_min_z (3.5, Iglewicz & Hoaglin) and
--     the normal quantile that gives anomaly_false_alarms expected false alarms among the
--     N rows judged (a Bonferroni-style bound: the more rows, the stricter).

------------------------------------------------------------------------------
-- Settings
------------------------------------------------------------------------------

INSERT INTO doliflow.settings (name, value, value_type, description) VALUES
	('anomaly_min_z', '3.5', 'numeric', 'Smallest robust z-score (median/MAD, log scale) that makes an anomaly, whatever the number of rows judged'),
	('anomaly_false_alarms', '1', 'numeric', 'Expected number of false alarms per anomaly kind and run if the data were log-normal: the threshold is max(anomaly_min_z, normal quantile of 1 - this / (2 x rows judged))'),
	('anomaly_min_peers', '20', 'integer', 'Fewest peers a group needs to judge a row against it (smaller groups fall back to a wider peer group)'),
	('anomaly_stock_min_ratio', '20', 'numeric', 'A stock movement is odd only if it is also at least this many times the median size of the product''s movements of the same type (an order of magnitude beyond promotion peaks)'),
	('low_satisfaction_max', '2', 'numeric', 'Satisfaction (1-5) at or below which a closed ticket is a low_satisfaction anomaly'),
	('iforest_threshold', '0.7', 'numeric', 'Isolation-forest score (0-1) above which a ticket not flagged by any rule is reported as a multivariate anomaly'),
	('duration_holdout_months', '3', 'integer', 'Months of most recent closed tickets the duration module holds out to measure its error (MAE) against the naive baselines'),
	('segment_new_days', '90', 'integer', 'A customer whose first activity is younger than this many days is New'),
	('segment_fading_factor', '3', 'numeric', 'At risk (fading) when the days since the last activity exceed this many times the customer''s usual gap between activities'),
	('segment_fading_min_days', '180', 'integer', 'At risk (fading) needs at least this many days without activity'),
	('segment_low_satisfaction', '3.5', 'numeric', 'At risk (unhappy) when the mean satisfaction of the last 12 months is below this, over at least 3 rated tickets'),
	('segment_premium_quantile', '0.9', 'numeric', 'Premium when the 12-month invoiced revenue is at or above this quantile of the customers who were invoiced'),
	('segment_frequent_quantile', '0.8', 'numeric', 'Frequent when the number of tickets in the last 12 months is at or above this quantile of the customers who had tickets'),
	('segment_clusters', '5', 'integer', 'Number of k-means clusters of the RFM features (reported beside the rule-based segment)'),
	('insight_min_z', '2', 'numeric', 'Robust z-score from which a technician''s figure is reported as notably above or below the team'),
	('insight_budget_pct', '100', 'numeric', 'A project is drifting when its cost (labour + material) exceeds this percentage of its budget'),
	('insight_hours_pct', '120', 'numeric', 'A project is drifting when its spent hours exceed this percentage of its planned hours');

------------------------------------------------------------------------------
-- Output tables
------------------------------------------------------------------------------

CREATE TABLE dw.analytics_runs (
	module        text NOT NULL,
	generated_at  timestamptz NOT NULL DEFAULT now(),
	run_id        bigint,
	rows_in       bigint,
	rows_out      bigint,
	detail        jsonb,
	load_run_id   bigint,
	complete      boolean,
	missing_tables text[],
	PRIMARY KEY (module, generated_at)
);
COMMENT ON TABLE dw.analytics_runs IS 'One row per computation of an analytics module (anomalies, segmentation, duration, insights), even when it found nothing; the v_* views show the outputs of the latest one';
COMMENT ON COLUMN dw.analytics_runs.module IS 'Analytics module name (doliflow.run_analytics(module))';
COMMENT ON COLUMN dw.analytics_runs.generated_at IS 'When it computed: the generated_at of the rows it wrote';
COMMENT ON COLUMN dw.analytics_runs.run_id IS 'doliflow.run_log run it belonged to';
COMMENT ON COLUMN dw.analytics_runs.rows_in IS 'Rows read';
COMMENT ON COLUMN dw.analytics_runs.rows_out IS 'Rows written';
COMMENT ON COLUMN dw.analytics_runs.detail IS 'Module figures: counts by kind or segment, thresholds, holdout errors';
COMMENT ON COLUMN dw.analytics_runs.load_run_id IS 'The warehouse load the outputs were computed from (dw.load_state.run_id then; its lake batches are those up to its last_batch)';
COMMENT ON COLUMN dw.analytics_runs.complete IS 'False when a source table of the module''s inputs (doliflow.analytics_input) was missing (its extract had failed) in that load';
COMMENT ON COLUMN dw.analytics_runs.missing_tables IS 'Those missing source tables (empty when complete)';

CREATE TABLE dw.models (
	model_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	kind          text NOT NULL,
	run_id        bigint,
	generated_at  timestamptz NOT NULL DEFAULT now(),
	model         bytea NOT NULL,
	training_rows bigint NOT NULL,
	info          jsonb,
	metrics       jsonb
);
CREATE INDEX models_kind_idx ON dw.models (kind, model_id DESC);
COMMENT ON TABLE dw.models IS 'Trained analytics models (the bytes of the doliflow_analytics model types, cast to bytea: kinds are mixed), one row per training; history is kept and the newest of a kind is used';
COMMENT ON COLUMN dw.models.model_id IS 'Identity; the highest of a kind is the current model';
COMMENT ON COLUMN dw.models.kind IS 'duration (used by doliflow.predict_intervention_duration), anomaly_duration (residual model of the anomalies module), anomaly_iforest (isolation forest over ticket features)';
COMMENT ON COLUMN dw.models.run_id IS 'doliflow.run_log run that trained it';
COMMENT ON COLUMN dw.models.generated_at IS 'When it was trained';
COMMENT ON COLUMN dw.models.model IS 'The bytes of the model doliflow_analytics.duration_fit / iforest_fit returned (versioned, checksummed; cast back to its type, e.g. model::doliflow_analytics.duration_model, which checks them)';
COMMENT ON COLUMN dw.models.training_rows IS 'Rows the model was trained on';
COMMENT ON COLUMN dw.models.info IS 'doliflow_analytics.duration_summary() or training options';
COMMENT ON COLUMN dw.models.metrics IS 'Quality figures measured when trained (duration: MAE on a time-based holdout against the naive baselines)';

CREATE TABLE dw.anomalies (
	anomaly_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	run_id        bigint,
	generated_at  timestamptz NOT NULL DEFAULT now(),
	kind          text NOT NULL,
	score         float8 NOT NULL,
	severity      text NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
	reason        text NOT NULL,
	source_table  text NOT NULL,
	source_id     bigint NOT NULL,
	features      jsonb
);
CREATE INDEX anomalies_run_idx ON dw.anomalies (run_id, kind);
CREATE INDEX anomalies_source_idx ON dw.anomalies (source_table, source_id);
COMMENT ON TABLE dw.anomalies IS 'Anomalies found by run_analytics(''anomalies''), one row per anomaly and run (history kept; dw.v_anomalies shows the latest run)';
COMMENT ON COLUMN dw.anomalies.anomaly_id IS 'Identity';
COMMENT ON COLUMN dw.anomalies.run_id IS 'doliflow.run_log run that found it';
COMMENT ON COLUMN dw.anomalies.generated_at IS 'When it was computed';
COMMENT ON COLUMN dw.anomalies.kind IS 'overlong_intervention, aberrant_cost, estimate_gap, low_satisfaction (tickets), odd_stock_movement (stock movements), multivariate (tickets isolated by the isolation forest only)';
COMMENT ON COLUMN dw.anomalies.score IS 'Robust z-score (log scale) for the statistical kinds, 5 - satisfaction for low_satisfaction, isolation-forest score (0-1) for multivariate; larger is more anomalous';
COMMENT ON COLUMN dw.anomalies.severity IS 'high when the score is at least twice the threshold (satisfaction 1 for low_satisfaction), else medium; low for multivariate';
COMMENT ON COLUMN dw.anomalies.reason IS 'Why, in a sentence a person understands, with the figures compared';
COMMENT ON COLUMN dw.anomalies.source_table IS 'Dolibarr table of the row: llx_ticket or llx_stock_mouvement';
COMMENT ON COLUMN dw.anomalies.source_id IS 'rowid in source_table (dw.fact_tickets.ticket_key, dw.fact_stock.movement_key)';
COMMENT ON COLUMN dw.anomalies.features IS 'Figures behind the score: values, peer medians and scales, z-scores, thresholds, isolation-forest score and top feature';

CREATE VIEW dw.v_anomalies AS
	SELECT a.* FROM dw.anomalies a
	 WHERE a.generated_at = (SELECT max(r.generated_at) FROM dw.analytics_runs r WHERE r.module = 'anomalies');
COMMENT ON VIEW dw.v_anomalies IS 'Anomalies of the latest anomalies run';

CREATE TABLE dw.customer_segments (
	run_id          bigint,
	generated_at    timestamptz NOT NULL DEFAULT now(),
	customer_key    integer NOT NULL,
	as_of           date NOT NULL,
	recency_days    integer,
	frequency       integer NOT NULL,
	tickets_12m     integer NOT NULL,
	invoices_12m    integer NOT NULL,
	monetary        numeric NOT NULL,
	satisfaction    numeric,
	rated_tickets   integer NOT NULL,
	first_activity  date,
	tenure_days     integer,
	usual_gap_days  numeric,
	cluster         integer,
	segment         text NOT NULL CHECK (segment IN ('premium', 'frequent', 'at_risk', 'new', 'regular')),
	rule            text NOT NULL,
	PRIMARY KEY (generated_at, customer_key)
);
CREATE INDEX customer_segments_customer_idx ON dw.customer_segments (customer_key);
COMMENT ON TABLE dw.customer_segments IS 'Customer segments computed by run_analytics(''segmentation''): RFM features, k-means cluster and the rule-based label with its explanation; one row per customer and run (dw.v_customer_segments shows the latest run)';
COMMENT ON COLUMN dw.customer_segments.run_id IS 'doliflow.run_log run that computed it';
COMMENT ON COLUMN dw.customer_segments.generated_at IS 'When it was computed';
COMMENT ON COLUMN dw.customer_segments.customer_key IS 'dw.dim_customer key (llx_societe.rowid)';
COMMENT ON COLUMN dw.customer_segments.as_of IS 'Reference date: the latest activity (ticket or validated invoice) in the warehouse, so that a stale source does not make every customer look inactive; today when there is none';
COMMENT ON COLUMN dw.customer_segments.recency_days IS 'R: days from the last activity (ticket, validated invoice, intervention) to as_of; NULL without activity';
COMMENT ON COLUMN dw.customer_segments.frequency IS 'F: tickets + validated invoices in the 12 months up to as_of';
COMMENT ON COLUMN dw.customer_segments.tickets_12m IS 'Tickets created in the 12 months up to as_of';
COMMENT ON COLUMN dw.customer_segments.invoices_12m IS 'Validated invoices dated in the 12 months up to as_of';
COMMENT ON COLUMN dw.customer_segments.monetary IS 'M: invoiced revenue excl. VAT (validated invoices, credit notes negative) in the 12 months up to as_of, euros';
COMMENT ON COLUMN dw.customer_segments.satisfaction IS 'Mean satisfaction (1-5) of the tickets of the last 12 months, NULL when none was rated';
COMMENT ON COLUMN dw.customer_segments.rated_tickets IS 'Tickets of the last 12 months with a satisfaction';
COMMENT ON COLUMN dw.customer_segments.first_activity IS 'First activity, or the creation date when the customer has none yet';
COMMENT ON COLUMN dw.customer_segments.tenure_days IS 'Days from first_activity to as_of';
COMMENT ON COLUMN dw.customer_segments.usual_gap_days IS 'Usual gap between activities: (last - first activity) / (activities - 1) over the whole history, NULL with fewer than two';
COMMENT ON COLUMN dw.customer_segments.cluster IS 'k-means cluster (k-means++ seeded, z-scored log features: recency, tickets, revenue, satisfaction); clusters are numbered by their centroids';
COMMENT ON COLUMN dw.customer_segments.segment IS 'new, at_risk, premium, frequent or regular, by the first rule that matches in that order (see rule)';
COMMENT ON COLUMN dw.customer_segments.rule IS 'The rule that gave the segment, with the customer''s figures and the thresholds';

CREATE VIEW dw.v_customer_segments AS
	SELECT s.*, c.name AS customer_name, c.town
	  FROM dw.customer_segments s
	  LEFT JOIN dw.dim_customer c ON c.customer_key = s.customer_key
	 WHERE s.generated_at = (SELECT max(r.generated_at) FROM dw.analytics_runs r WHERE r.module = 'segmentation');
COMMENT ON VIEW dw.v_customer_segments IS 'Customer segments of the latest segmentation run, with the customer''s name and town';

CREATE TABLE dw.insights (
	insight_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	run_id        bigint,
	generated_at  timestamptz NOT NULL DEFAULT now(),
	topic         text NOT NULL,
	subject_type  text NOT NULL,
	subject_key   integer,
	subject_name  text,
	metric        text NOT NULL,
	value         float8,
	reference     float8,
	z             float8,
	severity      text NOT NULL CHECK (severity IN ('info', 'good', 'warning', 'critical')),
	sentence      text NOT NULL,
	details       jsonb
);
CREATE INDEX insights_run_idx ON dw.insights (run_id, topic);
COMMENT ON TABLE dw.insights IS 'Human-readable insights computed by run_analytics(''insights''): technicians notably above or below the team, projects drifting from their budget or planned hours, team summaries; history kept (dw.v_insights shows the latest run)';
COMMENT ON COLUMN dw.insights.insight_id IS 'Identity';
COMMENT ON COLUMN dw.insights.run_id IS 'doliflow.run_log run that computed it';
COMMENT ON COLUMN dw.insights.generated_at IS 'When it was computed';
COMMENT ON COLUMN dw.insights.topic IS 'technician_performance, project_drift or team_summary';
COMMENT ON COLUMN dw.insights.subject_type IS 'technician, project or team';
COMMENT ON COLUMN dw.insights.subject_key IS 'dw.dim_technician / dw.dim_project key, NULL for the team';
COMMENT ON COLUMN dw.insights.subject_name IS 'Technician full name or project reference and title';
COMMENT ON COLUMN dw.insights.metric IS 'hours_vs_estimate (median actual/estimate), satisfaction (mean), cost_vs_budget (%), hours_vs_planned (%), ...';
COMMENT ON COLUMN dw.insights.value IS 'The subject''s figure';
COMMENT ON COLUMN dw.insights.reference IS 'What it is compared with: the team median, the budget or planned figure (100%)';
COMMENT ON COLUMN dw.insights.z IS 'Robust z-score of value among the peers (technicians), NULL for budget insights';
COMMENT ON COLUMN dw.insights.severity IS 'good, info, warning or critical';
COMMENT ON COLUMN dw.insights.sentence IS 'The insight in one sentence';
COMMENT ON COLUMN dw.insights.details IS 'Supporting figures';

CREATE VIEW dw.v_insights AS
	SELECT i.* FROM dw.insights i
	 WHERE i.generated_at = (SELECT max(r.generated_at) FROM dw.analytics_runs r WHERE r.module = 'insights');
COMMENT ON VIEW dw.v_insights IS 'Insights of the latest insights run';

-- The latest-run views' columns carry their table's column comments.
DO $comments$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT v.relname AS view, a.attname AS col, pg_catalog.col_description(t.oid, ta.attnum) AS descr
			   FROM (VALUES ('v_anomalies', 'anomalies'), ('v_customer_segments', 'customer_segments'),
							('v_insights', 'insights')) AS m(view, tab)
			   JOIN pg_catalog.pg_class v ON v.relname = m.view AND v.relnamespace = 'dw'::regnamespace
			   JOIN pg_catalog.pg_class t ON t.relname = m.tab AND t.relnamespace = 'dw'::regnamespace
			   JOIN pg_catalog.pg_attribute a ON a.attrelid = v.oid AND a.attnum > 0
			   JOIN pg_catalog.pg_attribute ta ON ta.attrelid = t.oid AND ta.attname = a.attname
	LOOP
		EXECUTE pg_catalog.format('COMMENT ON COLUMN dw.%I.%I IS %L', r.view, r.col, r.descr);
	END LOOP;
END;
$comments$;
COMMENT ON COLUMN dw.v_customer_segments.customer_name IS 'Customer name (dw.dim_customer.name)';
COMMENT ON COLUMN dw.v_customer_segments.town IS 'Customer town (dw.dim_customer.town)';

------------------------------------------------------------------------------
-- Helpers
------------------------------------------------------------------------------

-- True when the module may reuse its outputs: not forced, and they were
-- computed from the current warehouse load, complete (part 35), whatever their age.
CREATE FUNCTION doliflow._analytics_cached(p_last timestamptz, p_force boolean) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT NOT coalesce(p_force, false)
	   AND coalesce((SELECT doliflow._lineage_current(r.module, r.load_run_id, r.complete)
					   FROM dw.analytics_runs r WHERE r.generated_at = p_last LIMIT 1), false);
$$;
COMMENT ON FUNCTION doliflow._analytics_cached(timestamptz, boolean) IS 'Internal: whether an analytics module may keep outputs generated at p_last: not forced, computed from the current warehouse load, which is complete for the module''s inputs (whatever their age)';

-- Reports a module's figures to the pipeline's step row (part 70), when it is installed.
CREATE FUNCTION doliflow._analytics_report(p_module text, p_run_id bigint, p_rows_in bigint, p_rows_out bigint,
											 p_detail jsonb, p_cached boolean DEFAULT false) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF NOT p_cached THEN
		INSERT INTO dw.analytics_runs (module, generated_at, run_id, rows_in, rows_out, detail,
									   load_run_id, complete, missing_tables)
		SELECT p_module, now(), p_run_id, p_rows_in, p_rows_out, p_detail, l.load_run_id, l.complete, l.missing_tables
		  FROM doliflow._lineage(p_module) l;
	END IF;
	PERFORM doliflow._step_report(p_rows_in, p_rows_out, p_detail);
	RAISE NOTICE 'doliflow: % % rows read, % rows written%', p_module, p_rows_in, p_rows_out,
		coalesce(': ' || p_detail::text, '');
END;
$$;
COMMENT ON FUNCTION doliflow._analytics_report(text, bigint, bigint, bigint, jsonb, boolean) IS 'Internal: records an analytics module''s computation in dw.analytics_runs (unless it reused cached outputs) and hands its row counts and figures to the run log step (doliflow._step_report)';

-- The anomaly threshold for N rows judged (see the header).
CREATE FUNCTION doliflow.anomaly_threshold(n bigint) RETURNS float8
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT greatest(doliflow.setting('anomaly_min_z')::float8,
					CASE WHEN n > 0 THEN doliflow.normal_quantile(
						1 - least(0.25, doliflow.setting('anomaly_false_alarms')::float8 / (2.0 * n))) END);
$$;
COMMENT ON FUNCTION doliflow.anomaly_threshold(bigint) IS
'Robust z threshold used for N rows judged: max(anomaly_min_z, normal quantile of 1 - anomaly_false_alarms / (2N)), i.e. about anomaly_false_alarms false alarms expected among N log-normal rows (3.5 up to ~2,000 rows, 3.9 for 10,000, 5.0 for 1,000,000)';

-- Rows the duration model learns from: closed (solved) tickets with intervention hours.
CREATE VIEW doliflow.duration_training_rows AS
	SELECT t.ticket_key, t.closed_at, t.intervention_type, t.city,
		   t.technician_key::text AS technician, t.severity_code AS severity,
		   t.estimated_hours::float8 AS estimate, extract(month FROM t.created_at)::int AS month,
		   t.intervention_hours::float8 AS actual
	  FROM dw.fact_tickets t
	 WHERE t.status = 8 AND t.intervention_hours > 0 AND t.closed_at IS NOT NULL;
COMMENT ON VIEW doliflow.duration_training_rows IS 'Closed (status 8) tickets with intervention hours, in the shape doliflow_analytics.duration_fit takes: intervention type, city, technician key, severity, estimate, month created, actual hours';

-- Fits the duration model on the closed tickets closed before p_before (all when NULL),
-- in two passes: a first fit, then a refit without the rows whose log residual is an
-- outlier (robust z beyond anomaly_min_z), so planted or real anomalies do not bend it.
CREATE FUNCTION doliflow.duration_train(p_before timestamp DEFAULT NULL) RETURNS bytea
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	m0 doliflow_analytics.duration_model;
	m1 doliflow_analytics.duration_model;
	zmax float8 := doliflow.setting('anomaly_min_z')::float8;
BEGIN
	SELECT doliflow_analytics.duration_fit(r.intervention_type, r.city, r.technician, r.severity, r.estimate, r.month, r.actual)
	  INTO m0 FROM doliflow.duration_training_rows r
	 WHERE p_before IS NULL OR r.closed_at < p_before;
	IF m0 IS NULL THEN
		RETURN NULL;
	END IF;
	WITH res AS (
		SELECT r.*, ln(r.actual) - ln((doliflow_analytics._duration_predict(m0, r.intervention_type, r.city, r.technician,
									r.severity, r.estimate, r.month, 0.8))[1]) AS e
		  FROM doliflow.duration_training_rows r
		 WHERE p_before IS NULL OR r.closed_at < p_before),
	st AS (SELECT doliflow_analytics.robust_stats(res.e) AS s FROM res)
	SELECT doliflow_analytics.duration_fit(res.intervention_type, res.city, res.technician, res.severity, res.estimate, res.month, res.actual)
	  INTO m1 FROM res, st
	 WHERE abs(doliflow_analytics.robust_z(st.s, res.e)) <= zmax;
	RETURN coalesce(m1, m0)::bytea;	-- dw.models holds the bytes of every kind
END;
$$;
COMMENT ON FUNCTION doliflow.duration_train(timestamp) IS
'Trains the intervention duration model (doliflow_analytics.duration_fit on doliflow.duration_training_rows) on tickets closed before the given time (all when NULL): a first fit, then a refit without the rows whose log residual has a robust z beyond anomaly_min_z. NULL when there is nothing to learn from';

-- MAE of the model against the two naive baselines on a time-based holdout.
CREATE FUNCTION doliflow.duration_backtest(p_holdout interval DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_cut timestamp;
	m doliflow_analytics.duration_model;
	r jsonb;
BEGIN
	SELECT max(closed_at) - coalesce(p_holdout, pg_catalog.make_interval(months => doliflow.setting('duration_holdout_months')::int))
	  INTO v_cut FROM doliflow.duration_training_rows;
	m := doliflow.duration_train(v_cut)::doliflow_analytics.duration_model;
	IF m IS NULL THEN
		RETURN jsonb_build_object('cutoff', v_cut, 'test_rows', 0);
	END IF;
	WITH type_mean AS (
		SELECT intervention_type, avg(actual) AS mean_actual
		  FROM doliflow.duration_training_rows WHERE closed_at < v_cut GROUP BY 1),
	glob AS (SELECT avg(actual) AS mean_actual FROM doliflow.duration_training_rows WHERE closed_at < v_cut),
	test AS (
		SELECT t.actual, t.estimate, coalesce(tm.mean_actual, g.mean_actual) AS type_mean,
			   (doliflow_analytics._duration_predict(m, t.intervention_type, t.city, t.technician, t.severity,
										   t.estimate, t.month, 0.8))[1] AS predicted
		  FROM doliflow.duration_training_rows t
		  LEFT JOIN type_mean tm USING (intervention_type), glob g
		 WHERE t.closed_at >= v_cut AND t.estimate > 0)
	SELECT jsonb_build_object(
		'cutoff', v_cut, 'train_rows', (SELECT count(*) FROM doliflow.duration_training_rows WHERE closed_at < v_cut),
		'test_rows', count(*),
		'mae_model', round(avg(abs(predicted - actual))::numeric, 4),
		'mae_estimate', round(avg(abs(estimate - actual))::numeric, 4),
		'mae_type_mean', round(avg(abs(type_mean - actual))::numeric, 4))
	  INTO r FROM test;
	RETURN r;
END;
$$;
COMMENT ON FUNCTION doliflow.duration_backtest(interval) IS
'Time-based holdout of the duration model: trains on tickets closed before (last closing - holdout; default duration_holdout_months) and reports the mean absolute error in hours on the later tickets that have an estimate, for the model, for "the estimate as given" and for "the mean of the intervention type in the training period"';

------------------------------------------------------------------------------
-- Module: duration
------------------------------------------------------------------------------

CREATE PROCEDURE doliflow._analytics_duration(p_run_id bigint, p_force boolean DEFAULT false)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_last timestamptz;
	v_model bytea;
	v_rows bigint;
	v_metrics jsonb;
	v_id bigint;
BEGIN
	SELECT max(generated_at) INTO v_last FROM dw.analytics_runs WHERE module = 'duration';
	IF doliflow._analytics_cached(v_last, p_force) THEN
		PERFORM doliflow._analytics_report('duration', p_run_id, 0, 0, jsonb_build_object('cached', v_last), true);
		RETURN;
	END IF;
	SELECT count(*) INTO v_rows FROM doliflow.duration_training_rows;
	v_model := doliflow.duration_train(NULL);
	IF v_model IS NULL THEN
		-- A fresh warehouse is a state, not a failure: nothing stored, the previous
		-- model (if any) stays in use, and predict_intervention_duration() says so.
		RAISE NOTICE 'doliflow: no closed ticket with intervention hours yet: no duration model trained';
		PERFORM doliflow._analytics_report('duration', p_run_id, 0, 0,
			jsonb_build_object('trained', false, 'reason', 'no closed ticket with intervention hours'));
		RETURN;
	END IF;
	v_metrics := doliflow.duration_backtest(NULL);
	INSERT INTO dw.models (kind, run_id, generated_at, model, training_rows, info, metrics)
	VALUES ('duration', p_run_id, now(), v_model, v_rows, doliflow_analytics.duration_summary(v_model::doliflow_analytics.duration_model), v_metrics)
	RETURNING model_id INTO v_id;
	PERFORM doliflow._analytics_report('duration', p_run_id, v_rows, 1, jsonb_build_object('model_id', v_id) || v_metrics);
END;
$$;
COMMENT ON PROCEDURE doliflow._analytics_duration(bigint, boolean) IS
'Analytics module "duration": trains the intervention duration model on every closed ticket with intervention hours (doliflow.duration_train), measures it on a time-based holdout (doliflow.duration_backtest) and stores both in dw.models (kind duration); predict_intervention_duration() uses the newest';

CREATE FUNCTION doliflow.predict_intervention_duration(features jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	m record;
	f jsonb := features;
	v_tech text;
	r jsonb;
BEGIN
	IF features IS NULL OR jsonb_typeof(features) <> 'object' THEN
		RAISE EXCEPTION 'predict_intervention_duration() takes a JSON object, e.g. {"intervention_type":"maintenance","estimated_duration":4,"city":"Paris"}'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF f ? 'estimated_duration' AND jsonb_typeof(f -> 'estimated_duration') NOT IN ('number', 'null')
	   AND NOT (jsonb_typeof(f -> 'estimated_duration') = 'string' AND f ->> 'estimated_duration' ~ '^\s*[0-9]+([.,][0-9]*)?\s*$') THEN
		RAISE EXCEPTION 'estimated_duration must be a number of hours, not %', f -> 'estimated_duration'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF jsonb_typeof(f -> 'estimated_duration') = 'string' THEN
		f := jsonb_set(f, '{estimated_duration}', to_jsonb(replace(f ->> 'estimated_duration', ',', '.')::float8));
	END IF;
	IF (f ->> 'estimated_duration')::float8 <= 0 OR (f ->> 'estimated_duration')::float8 > 10000 THEN
		RAISE EXCEPTION 'estimated_duration must be more than 0 and at most 10000 hours, not %', f ->> 'estimated_duration'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF f ? 'month' AND NOT (f ->> 'month' ~ '^\s*[0-9]{1,2}\s*$' AND (f ->> 'month')::int BETWEEN 1 AND 12) THEN
		RAISE EXCEPTION 'month must be 1 to 12, not %', f -> 'month' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	-- technician: a dw.dim_technician key, or a login / full name
	IF f ? 'technician' AND f ->> 'technician' !~ '^\s*[0-9]+\s*$' THEN
		SELECT t.technician_key::text INTO v_tech FROM dw.dim_technician t
		 WHERE lower(t.login) = lower(trim(f ->> 'technician')) OR lower(t.full_name) = lower(trim(f ->> 'technician'))
		 ORDER BY t.technician_key LIMIT 1;
		f := jsonb_set(f, '{technician}', to_jsonb(coalesce(v_tech, f ->> 'technician')));
	END IF;
	-- the type may be given as intervention_type or type
	IF NOT f ? 'intervention_type' AND f ? 'type' THEN
		f := f || jsonb_build_object('intervention_type', f -> 'type');
	END IF;
	IF NOT f ? 'month' THEN
		f := f || jsonb_build_object('month', extract(month FROM doliflow.company_now())::int);
	END IF;

	SELECT d.model_id, d.model, d.generated_at, d.training_rows INTO m
	  FROM dw.models d WHERE d.kind = 'duration' ORDER BY d.model_id DESC LIMIT 1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no intervention duration model has been trained yet'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Run CALL doliflow.run_analytics(''duration'') after loading the warehouse.';
	END IF;
	r := doliflow_analytics.duration_predict(m.model::doliflow_analytics.duration_model, f, 0.8);
	RETURN r || jsonb_build_object('model_id', m.model_id, 'model_trained_at', m.generated_at,
								   'training_rows', m.training_rows,
								   'fallback', (SELECT coalesce(jsonb_agg(k.key ORDER BY k.key), '[]'::jsonb)
												  FROM jsonb_each(r -> 'known') k
												 WHERE k.value = 'false'::jsonb
												   AND (f ? k.key OR k.key = 'month')));
END;
$$;
COMMENT ON FUNCTION doliflow.predict_intervention_duration(jsonb) IS
'Predicted actual duration (hours) of an intervention with the newest duration model, e.g. {"intervention_type":"maintenance","estimated_duration":4,"city":"Paris"} -> {"predicted_duration":..,"confidence":0..1,"interval_low":..,"interval_high":.. (80%),...}. Optional keys: technician (key or login), severity, month (default: current). Unknown types, cities or technicians fall back to the overall effect and are listed in "fallback"; errors when no model has been trained (run_analytics(''duration''))';

------------------------------------------------------------------------------
-- Module: anomalies
------------------------------------------------------------------------------

CREATE PROCEDURE doliflow._analytics_anomalies(p_run_id bigint, p_force boolean DEFAULT false)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_last timestamptz;
	v_model doliflow_analytics.duration_model;
	v_forest doliflow_analytics.iforest_model;
	v_min_peers int := doliflow.setting('anomaly_min_peers')::int;
	v_low_sat numeric := doliflow.setting('low_satisfaction_max')::numeric;
	v_iso float8 := doliflow.setting('iforest_threshold')::float8;
	v_stock_ratio numeric := doliflow.setting('anomaly_stock_min_ratio')::numeric;
	v_n bigint;
	v_thr float8;
	v_thr_stock float8;
	v_tickets bigint;
	v_moves bigint;
	v_out bigint;
	v_counts jsonb;
BEGIN
	SELECT max(generated_at) INTO v_last FROM dw.analytics_runs WHERE module = 'anomalies';
	IF doliflow._analytics_cached(v_last, p_force) THEN
		PERFORM doliflow._analytics_report('anomalies', p_run_id, 0, 0, jsonb_build_object('cached', v_last), true);
		RETURN;
	END IF;

	-- 1. Tickets: the duration model gives each closed ticket an expected duration with
	--    its estimate (e_full) and without it (e_peer: type, city, technician, month).
	v_model := doliflow.duration_train(NULL)::doliflow_analytics.duration_model;
	CREATE TEMP TABLE _an_t ON COMMIT DROP AS
	SELECT t.ticket_key, t.intervention_type, t.city, t.technician_key, t.severity_code,
		   t.intervention_hours::float8 AS hours, t.estimated_hours::float8 AS estimate,
		   t.intervention_cost::float8 AS cost, t.satisfaction::float8 AS satisfaction,
		   CASE WHEN t.intervention_cost > 0 THEN (t.intervention_cost / t.intervention_hours)::float8 END AS cost_per_hour,
		   CASE WHEN t.estimated_hours > 0 THEN
				(doliflow_analytics._duration_predict(v_model, t.intervention_type, t.city, t.technician_key::text, t.severity_code,
											t.estimated_hours::float8, extract(month FROM t.created_at)::int, 0.8))[1] END AS e_full,
		   (doliflow_analytics._duration_predict(v_model, t.intervention_type, t.city, t.technician_key::text, t.severity_code,
									   NULL, extract(month FROM t.created_at)::int, 0.8))[1] AS e_peer
	  FROM dw.fact_tickets t
	 WHERE t.status = 8 AND t.intervention_hours > 0 AND v_model IS NOT NULL;
	SELECT count(*) INTO v_tickets FROM _an_t;
	v_thr := doliflow.anomaly_threshold(v_tickets);

	-- robust z of: the log residual given the estimate (r_full), the log residual
	-- against the peers only (r_peer), the log estimate against the same type's
	-- estimates, the log cost per hour against the technician's (or, with too few, the
	-- type's) jobs.
	CREATE TEMP TABLE _an_z ON COMMIT DROP AS
	WITH x AS (
		SELECT t.*, ln(t.hours) - ln(t.e_full) AS r_full, ln(t.hours) - ln(t.e_peer) AS r_peer,
			   ln(t.est_pos) AS l_est, ln(t.cost_per_hour) AS l_cph
		  FROM (SELECT t.*, CASE WHEN t.estimate > 0 THEN t.estimate END AS est_pos FROM _an_t t) t),
	s_full AS (SELECT doliflow_analytics.robust_stats(r_full) AS s FROM x),
	s_peer AS (SELECT doliflow_analytics.robust_stats(r_peer) AS s FROM x),
	s_est AS (SELECT intervention_type, doliflow_analytics.robust_stats(l_est) AS s FROM x GROUP BY 1),
	s_cph_tech AS (SELECT technician_key, doliflow_analytics.robust_stats(l_cph) AS s FROM x GROUP BY 1),
	s_cph_type AS (SELECT intervention_type, doliflow_analytics.robust_stats(l_cph) AS s FROM x GROUP BY 1)
	SELECT x.*,
		   doliflow_analytics.robust_z(sf.s, x.r_full) AS z_full,
		   doliflow_analytics.robust_z(sp.s, x.r_peer) AS z_peer,
		   CASE WHEN (se.s).n >= v_min_peers THEN doliflow_analytics.robust_z(se.s, x.l_est) END AS z_est,
		   CASE WHEN (ct.s).n >= v_min_peers THEN 'technician' ELSE 'intervention type' END AS cph_group,
		   CASE WHEN (ct.s).n >= v_min_peers THEN exp((ct.s).median) ELSE exp((cy.s).median) END AS cph_median,
		   CASE WHEN (ct.s).n >= v_min_peers THEN doliflow_analytics.robust_z(ct.s, x.l_cph)
				WHEN (cy.s).n >= v_min_peers THEN doliflow_analytics.robust_z(cy.s, x.l_cph) END AS z_cph,
		   (se.s).median AS est_median
	  FROM x CROSS JOIN s_full sf CROSS JOIN s_peer sp
	  LEFT JOIN s_est se ON se.intervention_type IS NOT DISTINCT FROM x.intervention_type
	  LEFT JOIN s_cph_tech ct ON ct.technician_key IS NOT DISTINCT FROM x.technician_key
	  LEFT JOIN s_cph_type cy ON cy.intervention_type IS NOT DISTINCT FROM x.intervention_type;

	-- Isolation forest over the four standardized views of a ticket.
	SELECT doliflow_analytics.iforest_fit(ARRAY[z.z_peer, coalesce(z.z_full, 0), coalesce(z.z_cph, 0), coalesce(z.satisfaction, 4)])
	  INTO v_forest FROM _an_z z;
	IF v_model IS NOT NULL THEN
		INSERT INTO dw.models (kind, run_id, generated_at, model, training_rows, info)
		VALUES ('anomaly_duration', p_run_id, now(), v_model::bytea, v_tickets, doliflow_analytics.duration_summary(v_model));
	END IF;
	IF v_forest IS NOT NULL THEN
		INSERT INTO dw.models (kind, run_id, generated_at, model, training_rows, info)
		VALUES ('anomaly_iforest', p_run_id, now(), v_forest::bytea, v_tickets,
				jsonb_build_object('features', ARRAY['z_hours_vs_peers', 'z_hours_vs_estimate', 'z_cost_per_hour', 'satisfaction']));
	END IF;
	-- (the C explain function directly: the jsonb wrapper would deserialize the forest
	-- on every call)
	CREATE TEMP TABLE _an_f ON COMMIT DROP AS
	SELECT e.*, jsonb_build_object('score', e.ex[1],
			'top_feature', (ARRAY['hours vs peers', 'hours vs estimate', 'cost per hour', 'satisfaction'])[
				CASE greatest(e.ex[2], e.ex[3], e.ex[4], e.ex[5]) WHEN e.ex[2] THEN 1 WHEN e.ex[3] THEN 2 WHEN e.ex[4] THEN 3 ELSE 4 END],
			'shares', jsonb_build_object('hours vs peers', round(e.ex[2]::numeric, 3), 'hours vs estimate', round(e.ex[3]::numeric, 3),
										 'cost per hour', round(e.ex[4]::numeric, 3), 'satisfaction', round(e.ex[5]::numeric, 3))) AS iso
	  FROM (SELECT z.*, doliflow_analytics._iforest_explain(v_forest,
					ARRAY[z.z_peer, coalesce(z.z_full, 0), coalesce(z.z_cph, 0), coalesce(z.satisfaction, 4)]) AS ex
			  FROM _an_z z WHERE v_forest IS NOT NULL) e;

	-- overlong_intervention: longer than expected given the estimate, and the actual
	-- hours (not the estimate) are what is out of line with the peers.
	-- estimate_gap: the estimate and the actual disagree, and it is the estimate that
	-- is out of line (or the job was much shorter than estimated).
	CREATE TEMP TABLE _an_out (kind text, score float8, severity text, reason text, source_table text,
							   source_id bigint, features jsonb) ON COMMIT DROP;
	INSERT INTO _an_out
	SELECT 'overlong_intervention', coalesce(greatest(f.z_full, f.z_peer), f.z_peer),
		   CASE WHEN coalesce(greatest(f.z_full, f.z_peer), f.z_peer) >= 2 * v_thr THEN 'high' ELSE 'medium' END,
		   format('took %s h where a similar %s%s%s usually takes %s h%s (robust z %s)',
				  trim_scale(round(f.hours::numeric, 2))::text, coalesce(f.intervention_type, 'intervention'),
				  coalesce(' in ' || f.city, ''), coalesce(' estimated at ' || trim_scale(round(f.estimate::numeric, 2))::text || ' h', ''),
				  to_char(coalesce(f.e_full, f.e_peer), 'FM9999990.0'),
				  CASE WHEN f.e_full IS NOT NULL THEN format(' (%s h for its peers whatever the estimate)', to_char(f.e_peer, 'FM9999990.0')) ELSE '' END,
				  to_char(coalesce(greatest(f.z_full, f.z_peer), f.z_peer), 'FM9990.0')),
		   'llx_ticket', f.ticket_key,
		   jsonb_build_object('hours', f.hours, 'estimate', f.estimate, 'expected_hours', round(f.e_full::numeric, 2),
							  'peer_hours', round(f.e_peer::numeric, 2), 'z_hours_vs_estimate', round(f.z_full::numeric, 2),
							  'z_hours_vs_peers', round(f.z_peer::numeric, 2), 'z_estimate', round(f.z_est::numeric, 2),
							  'threshold', round(v_thr::numeric, 2), 'iforest_score', round((f.iso ->> 'score')::numeric, 3),
							  'iforest_top_feature', f.iso ->> 'top_feature')
	  FROM _an_f f
	 WHERE CASE WHEN f.z_full IS NULL THEN f.z_peer >= v_thr
				ELSE f.z_full >= v_thr AND f.z_peer > 0 AND f.z_peer >= -coalesce(f.z_est, 0) END;

	INSERT INTO _an_out
	SELECT 'estimate_gap', abs(f.z_full),
		   CASE WHEN abs(f.z_full) >= 2 * v_thr THEN 'high' ELSE 'medium' END,
		   format('estimated at %s h but took %s h (%s x the estimate) where a similar %s%s with that estimate usually takes %s h (robust z %s)',
				  trim_scale(round(f.estimate::numeric, 2))::text, trim_scale(round(f.hours::numeric, 2))::text,
				  to_char(f.hours / f.estimate, 'FM9990.00'), coalesce(f.intervention_type, 'intervention'),
				  coalesce(' in ' || f.city, ''), to_char(f.e_full, 'FM9999990.0'), to_char(f.z_full, 'FMS9990.0')),
		   'llx_ticket', f.ticket_key,
		   jsonb_build_object('hours', f.hours, 'estimate', f.estimate, 'ratio', round((f.hours / f.estimate)::numeric, 3),
							  'expected_hours', round(f.e_full::numeric, 2), 'peer_hours', round(f.e_peer::numeric, 2),
							  'z_hours_vs_estimate', round(f.z_full::numeric, 2), 'z_hours_vs_peers', round(f.z_peer::numeric, 2),
							  'z_estimate', round(f.z_est::numeric, 2), 'threshold', round(v_thr::numeric, 2),
							  'iforest_score', round((f.iso ->> 'score')::numeric, 3), 'iforest_top_feature', f.iso ->> 'top_feature')
	  FROM _an_f f
	 WHERE f.z_full IS NOT NULL
	   AND (f.z_full <= -v_thr OR (f.z_full >= v_thr AND NOT (f.z_peer > 0 AND f.z_peer >= -coalesce(f.z_est, 0))));

	-- aberrant_cost: cost per hour against the technician's usual rate (both ways).
	INSERT INTO _an_out
	SELECT 'aberrant_cost', abs(f.z_cph),
		   CASE WHEN abs(f.z_cph) >= 2 * v_thr THEN 'high' ELSE 'medium' END,
		   format('cost %s EUR for %s h, i.e. %s EUR/h where this %s''s jobs usually cost %s EUR/h (robust z %s)',
				  to_char(f.cost, 'FM999999990.00'), trim_scale(round(f.hours::numeric, 2))::text,
				  to_char(f.cost_per_hour, 'FM999999990.0'), f.cph_group, to_char(f.cph_median, 'FM999999990.0'),
				  to_char(f.z_cph, 'FMS9990.0')),
		   'llx_ticket', f.ticket_key,
		   jsonb_build_object('cost', f.cost, 'hours', f.hours, 'cost_per_hour', round(f.cost_per_hour::numeric, 2),
							  'peer_group', f.cph_group, 'peer_cost_per_hour', round(f.cph_median::numeric, 2),
							  'z_cost_per_hour', round(f.z_cph::numeric, 2), 'threshold', round(v_thr::numeric, 2),
							  'iforest_score', round((f.iso ->> 'score')::numeric, 3), 'iforest_top_feature', f.iso ->> 'top_feature')
	  FROM _an_f f
	 WHERE abs(f.z_cph) >= v_thr;

	-- low_satisfaction: every closed ticket rated at or below the setting.
	INSERT INTO _an_out
	SELECT 'low_satisfaction', 5 - t.satisfaction::float8,
		   CASE WHEN t.satisfaction <= 1 THEN 'high' ELSE 'medium' END,
		   format('customer rated the %s %s/5 (%s or less is flagged; the usual rating is %s/5)',
				  coalesce(t.intervention_type, 'intervention'), t.satisfaction::int, v_low_sat,
				  (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY t2.satisfaction)::int FROM dw.fact_tickets t2
				    WHERE t2.status = 8 AND t2.satisfaction IS NOT NULL)),
		   'llx_ticket', t.ticket_key,
		   jsonb_build_object('satisfaction', t.satisfaction, 'threshold', v_low_sat, 'customer_key', t.customer_key,
							  'technician_key', t.technician_key)
	  FROM dw.fact_tickets t
	 WHERE t.status = 8 AND t.satisfaction BETWEEN 1 AND v_low_sat;

	-- multivariate: isolated by the forest, missed by every rule above.
	INSERT INTO _an_out
	SELECT 'multivariate', (f.iso ->> 'score')::float8, 'low',
		   format('unusual combination of hours, estimate, cost and satisfaction (isolation score %s, mostly %s)',
				  to_char((f.iso ->> 'score')::float8, 'FM0.000'), f.iso ->> 'top_feature'),
		   'llx_ticket', f.ticket_key,
		   jsonb_build_object('hours', f.hours, 'estimate', f.estimate, 'cost_per_hour', round(f.cost_per_hour::numeric, 2),
							  'satisfaction', f.satisfaction, 'iforest_score', round((f.iso ->> 'score')::numeric, 3),
							  'iforest_shares', f.iso -> 'shares', 'threshold', v_iso)
	  FROM _an_f f
	 WHERE (f.iso ->> 'score')::float8 >= v_iso
	   AND NOT EXISTS (SELECT 1 FROM _an_out o WHERE o.source_table = 'llx_ticket' AND o.source_id = f.ticket_key);

	-- 2. Stock movements: the size |quantity| against the product's usual movements of
	--    the same type.  Quantities are counts, so the robust z is taken on the Anscombe
	--    scale 2 sqrt(x + 3/8), where Poisson noise has unit variance (the scale is never
	--    taken below 1, the Poisson floor).  Only unusually large movements are odd
	--    (small ones are stock-limited sales or partial deliveries), and only when they
	--    are also anomaly_stock_min_ratio times the usual size: daily demand is
	--    overdispersed (promotions, seasons), so the normal tail bound alone is too loose.
	SELECT count(*) INTO v_moves FROM dw.fact_stock WHERE quantity <> 0;
	v_thr_stock := doliflow.anomaly_threshold(v_moves);
	INSERT INTO _an_out
	WITH g AS (
		SELECT product_key, movement_type, doliflow_analytics.robust_stats(2 * sqrt(abs(quantity)::float8 + 0.375)) AS s,
			   percentile_disc(0.5) WITHIN GROUP (ORDER BY abs(quantity)) AS usual
		  FROM dw.fact_stock WHERE quantity <> 0 GROUP BY 1, 2),
	z AS (
		SELECT m.movement_key, m.product_key, m.movement_type, m.movement_type_label, m.quantity, m.moved_at,
			   g.usual, (g.s).n AS peers,
			   (2 * sqrt(abs(m.quantity)::float8 + 0.375) - (g.s).median) / greatest((g.s).scale, 1.0) AS z
		  FROM dw.fact_stock m JOIN g USING (product_key, movement_type)
		 WHERE m.quantity <> 0 AND (g.s).n >= v_min_peers
		   AND abs(m.quantity) >= v_stock_ratio * g.usual)
	SELECT 'odd_stock_movement', z.z, CASE WHEN z.z >= 2 * v_thr_stock THEN 'high' ELSE 'medium' END,
		   format('%s of %s units of %s on %s, %s times its usual %s movement of %s units (median of %s; robust z %s)',
				  coalesce(z.movement_type_label, 'movement'), trim(to_char(z.quantity, 'FMS999999990.##')),
				  coalesce(p.ref, 'product ' || z.product_key), to_char(z.moved_at, 'YYYY-MM-DD'),
				  to_char(abs(z.quantity) / z.usual, 'FM999999990'),
				  coalesce(z.movement_type_label, 'type ' || z.movement_type), trim(to_char(z.usual, 'FM999999990.##')),
				  z.peers, to_char(z.z, 'FM9990.0')),
		   'llx_stock_mouvement', z.movement_key,
		   jsonb_build_object('quantity', z.quantity, 'product_key', z.product_key, 'movement_type', z.movement_type,
							  'usual_quantity', z.usual, 'ratio', round(abs(z.quantity) / z.usual, 2), 'peers', z.peers,
							  'z_quantity', round(z.z::numeric, 2), 'threshold', round(v_thr_stock::numeric, 2),
							  'min_ratio', v_stock_ratio)
	  FROM z LEFT JOIN dw.dim_product p ON p.product_key = z.product_key
	 WHERE z.z >= v_thr_stock;

	INSERT INTO dw.anomalies (run_id, generated_at, kind, score, severity, reason, source_table, source_id, features)
	SELECT p_run_id, now(), o.kind, round(o.score::numeric, 4)::float8, o.severity, o.reason, o.source_table, o.source_id, o.features
	  FROM _an_out o ORDER BY o.kind, o.score DESC, o.source_id;
	GET DIAGNOSTICS v_out = ROW_COUNT;
	SELECT jsonb_object_agg(kind, n) INTO v_counts FROM (SELECT kind, count(*) AS n FROM _an_out GROUP BY 1) c;
	PERFORM doliflow._analytics_report('anomalies', p_run_id, v_tickets + v_moves, v_out,
		jsonb_build_object('by_kind', coalesce(v_counts, '{}'), 'threshold_tickets', round(v_thr::numeric, 3),
						   'threshold_stock', round(v_thr_stock::numeric, 3)));
	DROP TABLE _an_t, _an_z, _an_f, _an_out;
END;
$$;
COMMENT ON PROCEDURE doliflow._analytics_anomalies(bigint, boolean) IS
'Analytics module "anomalies": robust z-scores (log scale) of closed tickets against the duration model and their peers (overlong_intervention, estimate_gap), of cost per hour against the technician''s jobs (aberrant_cost), satisfaction at or below low_satisfaction_max (low_satisfaction), stock movement sizes against the product''s usual size of the same type (odd_stock_movement), and an isolation forest over the four ticket views (multivariate, and a confirming score on every ticket anomaly); writes dw.anomalies';

------------------------------------------------------------------------------
-- Module: segmentation
------------------------------------------------------------------------------

-- RFM features of every customer as of the latest activity in the warehouse.
CREATE FUNCTION doliflow.customer_rfm()
RETURNS TABLE (customer_key integer, as_of date, recency_days integer, frequency integer,
			   tickets_12m integer, invoices_12m integer, monetary numeric, satisfaction numeric,
			   rated_tickets integer, first_activity date, tenure_days integer, usual_gap_days numeric)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	WITH ref AS (
		SELECT coalesce(greatest((SELECT max(t.created_at)::date FROM dw.fact_tickets t),
								 (SELECT max(l.invoice_date) FROM dw.fact_invoice_lines l WHERE l.is_validated)),
						doliflow.company_today()) AS as_of),
	tk AS (
		SELECT t.customer_key, count(*) AS n12, avg(t.satisfaction) FILTER (WHERE t.satisfaction BETWEEN 1 AND 5) AS sat,
			   count(*) FILTER (WHERE t.satisfaction BETWEEN 1 AND 5) AS rated
		  FROM dw.fact_tickets t, ref
		 WHERE t.created_at::date > ref.as_of - 365 AND t.created_at::date <= ref.as_of
		 GROUP BY 1),
	inv AS (
		SELECT l.customer_key, count(DISTINCT l.invoice_key) AS n12, sum(l.total_ht) AS revenue
		  FROM dw.fact_invoice_lines l, ref
		 WHERE l.is_validated AND l.invoice_date > ref.as_of - 365 AND l.invoice_date <= ref.as_of
		 GROUP BY 1)
	SELECT c.customer_key, ref.as_of,
		   ref.as_of - c.last_activity,
		   (coalesce(tk.n12, 0) + coalesce(inv.n12, 0))::int,
		   coalesce(tk.n12, 0)::int, coalesce(inv.n12, 0)::int,
		   round(coalesce(inv.revenue, 0), 2),
		   round(tk.sat, 2), coalesce(tk.rated, 0)::int,
		   coalesce(c.first_activity, c.created_at::date),
		   ref.as_of - coalesce(c.first_activity, c.created_at::date),
		   CASE WHEN c.tickets + c.invoices >= 2 AND c.last_activity > c.first_activity
				THEN round((c.last_activity - c.first_activity)::numeric / (c.tickets + c.invoices - 1), 1) END
	  FROM dw.dim_customer c CROSS JOIN ref
	  LEFT JOIN tk ON tk.customer_key = c.customer_key
	  LEFT JOIN inv ON inv.customer_key = c.customer_key
	 WHERE c.client_type IN (1, 3) OR c.tickets > 0 OR c.invoices > 0;
$$;
COMMENT ON FUNCTION doliflow.customer_rfm() IS
'RFM features of every customer (llx_societe client 1 or 3, or with activity) as of the latest ticket or validated invoice in the warehouse: recency (days since the last activity), frequency (tickets + invoices in 12 months), monetary (revenue excl. VAT in 12 months), mean satisfaction and rated tickets (12 months), first activity, tenure and the usual gap between activities';

CREATE PROCEDURE doliflow._analytics_segmentation(p_run_id bigint, p_force boolean DEFAULT false)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_last timestamptz;
	v_new int := doliflow.setting('segment_new_days')::int;
	v_fade numeric := doliflow.setting('segment_fading_factor')::numeric;
	v_fade_min int := doliflow.setting('segment_fading_min_days')::int;
	v_low_sat numeric := doliflow.setting('segment_low_satisfaction')::numeric;
	v_k int := doliflow.setting('segment_clusters')::int;
	v_prem numeric;
	v_freq numeric;
	v_sat_med float8;
	v_model doliflow_analytics.kmeans_model;
	v_rows bigint;
	v_counts jsonb;
BEGIN
	SELECT max(generated_at) INTO v_last FROM dw.analytics_runs WHERE module = 'segmentation';
	IF doliflow._analytics_cached(v_last, p_force) THEN
		PERFORM doliflow._analytics_report('segmentation', p_run_id, 0, 0, jsonb_build_object('cached', v_last), true);
		RETURN;
	END IF;
	CREATE TEMP TABLE _seg ON COMMIT DROP AS SELECT * FROM doliflow.customer_rfm();
	SELECT percentile_disc(doliflow.setting('segment_premium_quantile')::float8) WITHIN GROUP (ORDER BY monetary)
	  INTO v_prem FROM _seg WHERE monetary > 0;
	SELECT percentile_disc(doliflow.setting('segment_frequent_quantile')::float8) WITHIN GROUP (ORDER BY tickets_12m)
	  INTO v_freq FROM _seg WHERE tickets_12m > 0;
	SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY satisfaction) INTO v_sat_med FROM _seg;

	-- k-means (k-means++ seeding, z-scored) on log recency, log tickets, log revenue and
	-- satisfaction; customers without activity get the worst recency observed.
	ALTER TABLE _seg ADD COLUMN feats float8[];
	UPDATE _seg SET feats = ARRAY[ln(1 + coalesce(recency_days, (SELECT max(recency_days) FROM _seg), 0)),
								  ln(1 + tickets_12m), ln(1 + greatest(monetary, 0)),
								  coalesce(satisfaction::float8, v_sat_med, 4)];
	SELECT count(*) INTO v_rows FROM _seg;
	SELECT doliflow_analytics.kmeans_fit(feats, least(v_k, greatest(v_rows, 1)::int), 42) INTO v_model FROM _seg;

	INSERT INTO dw.customer_segments (run_id, generated_at, customer_key, as_of, recency_days, frequency, tickets_12m,
									  invoices_12m, monetary, satisfaction, rated_tickets, first_activity, tenure_days,
									  usual_gap_days, cluster, segment, rule)
	SELECT p_run_id, now(), s.customer_key, s.as_of, s.recency_days, s.frequency, s.tickets_12m, s.invoices_12m,
		   s.monetary, s.satisfaction, s.rated_tickets, s.first_activity, s.tenure_days, s.usual_gap_days,
		   CASE WHEN v_model IS NOT NULL THEN doliflow_analytics.kmeans_assign(v_model, s.feats) END,
		   r.segment, r.rule
	  FROM _seg s,
	  LATERAL (SELECT CASE
			WHEN s.tenure_days < v_new THEN 'new'
			WHEN s.recency_days > greatest(v_fade_min, v_fade * coalesce(s.usual_gap_days, 0)) THEN 'at_risk'
			WHEN s.rated_tickets >= 3 AND s.satisfaction < v_low_sat THEN 'at_risk'
			WHEN s.monetary > 0 AND s.monetary >= v_prem THEN 'premium'
			WHEN s.tickets_12m > 0 AND s.tickets_12m >= v_freq THEN 'frequent'
			ELSE 'regular' END AS segment) AS seg,
	  LATERAL (SELECT seg.segment, CASE seg.segment
			WHEN 'new' THEN format('New: first activity on %s, %s days before %s (fewer than %s)',
								   s.first_activity, s.tenure_days, s.as_of, v_new)
			WHEN 'at_risk' THEN CASE
				WHEN s.recency_days > greatest(v_fade_min, v_fade * coalesce(s.usual_gap_days, 0))
				THEN format('At risk (fading): no activity for %s days, more than %s days%s',
							s.recency_days, greatest(v_fade_min, v_fade * coalesce(s.usual_gap_days, 0))::int,
							CASE WHEN v_fade * coalesce(s.usual_gap_days, 0) > v_fade_min
								 THEN format(' (%s x their usual gap of %s days)', v_fade, s.usual_gap_days)
								 ELSE format(' (their usual gap is %s)', coalesce(s.usual_gap_days || ' days', 'unknown')) END)
				ELSE format('At risk (unhappy): mean satisfaction %s/5 over %s rated tickets in 12 months, below %s',
							s.satisfaction, s.rated_tickets, v_low_sat) END
			WHEN 'premium' THEN format('Premium: %s EUR invoiced in 12 months, in the top %s%% of invoiced customers (from %s EUR)',
									   s.monetary, round(100 * (1 - doliflow.setting('segment_premium_quantile')::numeric)), v_prem)
			WHEN 'frequent' THEN format('Frequent: %s tickets in 12 months, in the top %s%% of customers with tickets (from %s)',
										s.tickets_12m, round(100 * (1 - doliflow.setting('segment_frequent_quantile')::numeric)), v_freq)
			ELSE format('Regular: active %s days ago, %s tickets and %s EUR in 12 months: no other rule applies',
						coalesce(s.recency_days::text, '(never)'), s.tickets_12m, s.monetary) END AS rule) AS r;
	GET DIAGNOSTICS v_rows = ROW_COUNT;
	SELECT jsonb_object_agg(segment, n) INTO v_counts
	  FROM (SELECT segment, count(*) AS n FROM dw.customer_segments WHERE generated_at = now() GROUP BY 1) c;
	PERFORM doliflow._analytics_report('segmentation', p_run_id, v_rows, v_rows,
		jsonb_build_object('by_segment', coalesce(v_counts, '{}'), 'premium_from', v_prem, 'frequent_from', v_freq,
						   'kmeans', CASE WHEN v_model IS NOT NULL THEN doliflow_analytics.kmeans_summary(v_model) - 'centroids' END));
	DROP TABLE _seg;
END;
$$;
COMMENT ON PROCEDURE doliflow._analytics_segmentation(bigint, boolean) IS
'Analytics module "segmentation": RFM features per customer (doliflow.customer_rfm), a k-means clustering of them (k-means++ seeded, z-scored logs) and the first seed''s labels by rules applied in order: new (first activity younger than segment_new_days), at_risk (no activity for more than max(segment_fading_min_days, segment_fading_factor x usual gap), or mean satisfaction below segment_low_satisfaction), premium (12-month revenue in the top segment_premium_quantile), frequent (12-month tickets in the top segment_frequent_quantile), else regular; writes dw.customer_segments with the rule that applied';

------------------------------------------------------------------------------
-- Module: insights
------------------------------------------------------------------------------

CREATE PROCEDURE doliflow._analytics_insights(p_run_id bigint, p_force boolean DEFAULT false)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_last timestamptz;
	v_zmin float8 := doliflow.setting('insight_min_z')::float8;
	v_budget numeric := doliflow.setting('insight_budget_pct')::numeric;
	v_hours numeric := doliflow.setting('insight_hours_pct')::numeric;
	v_min_jobs int := 10;
	v_rows bigint;
	v_counts jsonb;
BEGIN
	SELECT max(generated_at) INTO v_last FROM dw.analytics_runs WHERE module = 'insights';
	IF doliflow._analytics_cached(v_last, p_force) THEN
		PERFORM doliflow._analytics_report('insights', p_run_id, 0, 0, jsonb_build_object('cached', v_last), true);
		RETURN;
	END IF;

	-- Technicians over the 12 months before the latest closing: median actual/estimate
	-- and mean satisfaction, against the team with a robust z across technicians.
	CREATE TEMP TABLE _ins_tech ON COMMIT DROP AS
	WITH ref AS (SELECT max(closed_at) AS at FROM dw.fact_tickets WHERE status = 8),
	jobs AS (
		SELECT t.technician_key, t.intervention_hours::float8 AS hours, t.estimated_hours::float8 AS estimate,
			   t.satisfaction::float8 AS satisfaction
		  FROM dw.fact_tickets t, ref
		 WHERE t.status = 8 AND t.closed_at > ref.at - interval '12 months' AND t.technician_key IS NOT NULL)
	SELECT j.technician_key, coalesce(d.full_name, 'technician ' || j.technician_key) AS name, count(*) AS jobs,
		   percentile_cont(0.5) WITHIN GROUP (ORDER BY j.hours / j.estimate) FILTER (WHERE j.hours > 0 AND j.estimate > 0) AS ratio,
		   count(*) FILTER (WHERE j.hours > 0 AND j.estimate > 0) AS ratio_jobs,
		   avg(j.satisfaction) FILTER (WHERE j.satisfaction BETWEEN 1 AND 5) AS satisfaction,
		   count(*) FILTER (WHERE j.satisfaction BETWEEN 1 AND 5) AS rated
	  FROM jobs j LEFT JOIN dw.dim_technician d ON d.technician_key = j.technician_key
	 GROUP BY 1, 2;

	INSERT INTO dw.insights (run_id, generated_at, topic, subject_type, subject_key, subject_name, metric, value,
							 reference, z, severity, sentence, details)
	WITH st AS (
		SELECT doliflow_analytics.robust_stats(ln(ratio)) FILTER (WHERE ratio_jobs >= v_min_jobs) AS r,
			   doliflow_analytics.robust_stats(satisfaction) FILTER (WHERE rated >= v_min_jobs) AS s
		  FROM _ins_tech),
	z AS (
		SELECT t.*, doliflow_analytics.robust_z(st.r, ln(t.ratio)) AS z_ratio, exp((st.r).median) AS team_ratio,
			   doliflow_analytics.robust_z(st.s, t.satisfaction) AS z_sat, (st.s).median AS team_sat
		  FROM _ins_tech t, st)
	SELECT p_run_id, now(), 'technician_performance', 'technician', z.technician_key, z.name, 'hours_vs_estimate',
		   round(z.ratio::numeric, 3), round(z.team_ratio::numeric, 3), round(z.z_ratio::numeric, 2),
		   CASE WHEN z.z_ratio > 0 THEN 'warning' ELSE 'good' END,
		   format('%s''s interventions take %s x their estimate (median of %s jobs in 12 months) where the team''s median technician takes %s x (robust z %s)',
				  z.name, to_char(z.ratio, 'FM990.00'), z.ratio_jobs, to_char(z.team_ratio, 'FM990.00'), to_char(z.z_ratio, 'FMS990.0')),
		   jsonb_build_object('jobs', z.jobs, 'ratio_jobs', z.ratio_jobs, 'threshold', v_zmin)
	  FROM z WHERE z.ratio_jobs >= v_min_jobs AND abs(z.z_ratio) >= v_zmin
	UNION ALL
	SELECT p_run_id, now(), 'technician_performance', 'technician', z.technician_key, z.name, 'satisfaction',
		   round(z.satisfaction::numeric, 2), round(z.team_sat::numeric, 2), round(z.z_sat::numeric, 2),
		   CASE WHEN z.z_sat < 0 THEN 'warning' ELSE 'good' END,
		   format('%s''s customers rate them %s/5 on average (%s ratings in 12 months) against %s/5 for the team''s median technician (robust z %s)',
				  z.name, to_char(z.satisfaction, 'FM0.00'), z.rated, to_char(z.team_sat, 'FM0.00'), to_char(z.z_sat, 'FMS990.0')),
		   jsonb_build_object('jobs', z.jobs, 'rated', z.rated, 'threshold', v_zmin)
	  FROM z WHERE z.rated >= v_min_jobs AND abs(z.z_sat) >= v_zmin
	UNION ALL
	SELECT p_run_id, now(), 'team_summary', 'team', NULL, 'team', 'hours_vs_estimate',
		   round(exp((st.r).median)::numeric, 3), 1, NULL, 'info',
		   format('Over 12 months the median technician''s interventions take %s x their estimate (%s technicians with at least %s jobs); their customers rate them %s/5',
				  to_char(exp((st.r).median), 'FM990.00'), (st.r).n, v_min_jobs, to_char((st.s).median, 'FM0.00')),
		   jsonb_build_object('technicians', (st.r).n, 'median_satisfaction', round((st.s).median::numeric, 2))
	  FROM st WHERE (st.r).n > 0
	 ORDER BY 3, 5, 7;	-- topic, subject, metric: insight ids in a stable order

	-- Projects (validated or closed) drifting from their budget or planned hours.
	INSERT INTO dw.insights (run_id, generated_at, topic, subject_type, subject_key, subject_name, metric, value,
							 reference, z, severity, sentence, details)
	SELECT p_run_id, now(), 'project_drift', 'project', p.project_key, concat_ws(' ', p.ref, nullif(p.title, '')), m.metric,
		   round(m.pct, 1), 100, NULL,
		   CASE WHEN p.status = 1 THEN CASE WHEN m.pct >= 1.5 * m.limit_pct THEN 'critical' ELSE 'warning' END ELSE 'info' END,
		   m.sentence || CASE WHEN p.status = 2 THEN ' (closed)' ELSE '' END,
		   jsonb_build_object('status', p.status_label, 'budget', p.budget_amount, 'labor_cost', p.labor_cost,
							  'material_cost', p.material_cost, 'planned_hours', p.planned_hours, 'spent_hours', p.spent_hours,
							  'invoiced_ht', p.invoiced_ht, 'limit_pct', m.limit_pct)
	  FROM dw.dim_project p,
	  LATERAL (VALUES
		('cost_vs_budget', 100 * (p.labor_cost + p.material_cost) / nullif(p.budget_amount, 0), v_budget,
		 format('Project %s has cost %s EUR (labour %s + material %s), %s%% of its %s EUR budget',
				p.ref, round(p.labor_cost + p.material_cost), round(p.labor_cost), round(p.material_cost),
				round(100 * (p.labor_cost + p.material_cost) / nullif(p.budget_amount, 0)), round(p.budget_amount))),
		('hours_vs_planned', 100 * p.spent_hours / nullif(p.planned_hours, 0), v_hours,
		 format('Project %s has used %s h, %s%% of the %s h planned for its tasks',
				p.ref, round(p.spent_hours, 1), round(100 * p.spent_hours / nullif(p.planned_hours, 0)), round(p.planned_hours, 1)))
	  ) AS m(metric, pct, limit_pct, sentence)
	 WHERE p.status IN (1, 2) AND m.pct > m.limit_pct
	 ORDER BY p.project_key, m.metric;	-- (insight ids in a stable order: a restored or rebuilt dw scans in another)

	SELECT count(*), jsonb_object_agg(topic, n) INTO v_rows, v_counts
	  FROM (SELECT topic, count(*) AS n FROM dw.insights WHERE run_id IS NOT DISTINCT FROM p_run_id
			   AND generated_at = now() GROUP BY 1) c;
	SELECT sum((v_counts ->> k)::bigint) INTO v_rows FROM jsonb_object_keys(coalesce(v_counts, '{}')) k;
	PERFORM doliflow._analytics_report('insights', p_run_id, (SELECT count(*) FROM _ins_tech) + (SELECT count(*) FROM dw.dim_project),
		coalesce(v_rows, 0), jsonb_build_object('by_topic', coalesce(v_counts, '{}')));
	DROP TABLE _ins_tech;
END;
$$;
COMMENT ON PROCEDURE doliflow._analytics_insights(bigint, boolean) IS
'Analytics module "insights": technicians whose median actual/estimate ratio or mean satisfaction over 12 months is notably off the team (robust z across technicians beyond insight_min_z), a team summary, and validated or closed projects whose cost exceeds insight_budget_pct of the budget or whose spent hours exceed insight_hours_pct of the planned hours; writes dw.insights with one sentence each';
