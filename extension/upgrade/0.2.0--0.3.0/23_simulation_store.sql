-- doliflow 0.2.0 -> 0.3.0, part 23: the stored results of the nightly simulation module
-- (extension/63_simulation_store.sql; written by hand).  Their comments, the module's
-- procedure and dw.v_dashboard come with the generated 90_code.sql; the setting
-- simulation_days, its domain, the module's registry and analytics_input rows with 95_rows.sql.
CREATE TABLE dw.simulation_runs (
	sim_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	run_id          bigint,
	generated_at    timestamptz NOT NULL DEFAULT now(),
	period_start    date NOT NULL,
	period_end      date NOT NULL,
	service_level   float8 NOT NULL,
	products        integer NOT NULL,
	forecast_run_id bigint,
	settings        jsonb NOT NULL,
	load_run_id     bigint,
	complete        boolean,
	missing_tables  text[],
	CHECK (period_start <= period_end)
);
CREATE INDEX simulation_runs_generated_idx ON dw.simulation_runs (generated_at DESC, sim_id DESC);

CREATE TABLE dw.simulation_results (
	sim_id              bigint NOT NULL REFERENCES dw.simulation_runs ON DELETE CASCADE,
	policy              text NOT NULL,
	fk_product          integer,
	lead_time_days      integer,
	days                integer NOT NULL,
	demand              numeric NOT NULL,
	served              numeric NOT NULL,
	fill_rate           numeric,
	cycles              integer NOT NULL,
	cycles_ok           integer NOT NULL,
	cycle_service_level numeric,
	stockout_days       integer NOT NULL,
	avg_stock           numeric,
	avg_stock_value     numeric,
	peak_stock_value    numeric,
	orders              integer NOT NULL,
	qty_ordered         numeric NOT NULL,
	value_ordered       numeric NOT NULL,
	CONSTRAINT simulation_results_key UNIQUE NULLS NOT DISTINCT (sim_id, policy, fk_product)
);

CREATE TABLE dw.lead_time_accuracy (
	sim_id          bigint NOT NULL REFERENCES dw.simulation_runs ON DELETE CASCADE,
	week_start      date NOT NULL,
	fk_product      integer NOT NULL,
	lead_time_days  integer NOT NULL,
	origins         integer NOT NULL,
	forecast        numeric NOT NULL,
	actual          numeric NOT NULL,
	abs_error       numeric NOT NULL,
	PRIMARY KEY (sim_id, week_start, fk_product)
);

-- Kept by pg_dump like dw.models (extension/86_config_dump.sql), with the identity sequence.
SELECT pg_catalog.pg_extension_config_dump('dw.simulation_runs', '');
SELECT pg_catalog.pg_extension_config_dump('dw.simulation_results', '');
SELECT pg_catalog.pg_extension_config_dump('dw.lead_time_accuracy', '');
SELECT doliflow._config_dump_sequences();

-- dw.v_dashboard reads the demand by calendar day (extension/30_warehouse.sql).
CREATE INDEX fact_sales_daily_day_idx ON dw.fact_sales_daily (day);

-- dw.v_dashboard reads the alert items from the latest snapshot while it holds (extension/64_dashboard.sql):
-- the snapshot keeps the three figures it needs beyond 0.2.0's (NULL in older snapshots, which it then does not use).
ALTER TABLE dw.alert_snapshot ADD COLUMN stock_value numeric, ADD COLUMN stock_after_lead_time numeric, ADD COLUMN stock_unrounded numeric;
