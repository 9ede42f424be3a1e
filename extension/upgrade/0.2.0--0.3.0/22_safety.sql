-- doliflow 0.2.0 -> 0.3.0, part 22 (issue 16, safety stock): the table of the
-- safety stocks of the nightly forecast runs (dw.v_stock_alerts reads it).
-- The setting safety_stock_backtest_days (row in 95_rows, domain in part 85) and
-- the functions and views are generated.
CREATE TABLE dw.safety_stock (
	run_id         bigint NOT NULL,
	fk_product     integer NOT NULL,
	origin         date NOT NULL,
	service_level  numeric NOT NULL,
	lead_time_days integer NOT NULL,
	risk_days      integer NOT NULL,
	errors         integer NOT NULL,
	method         text NOT NULL,
	sigma_daily    numeric,
	safety_stock   numeric,
	PRIMARY KEY (run_id, fk_product)
);
-- Kept by pg_dump beside dw.predictions (extension/86_config_dump.sql).
SELECT pg_catalog.pg_extension_config_dump('dw.safety_stock', '');
