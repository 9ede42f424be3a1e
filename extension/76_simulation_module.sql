-- doliflow install script, part 76: the nightly simulation as an analytics module
-- (the registry is part 70's; the module's code and tables are part 63's).  It runs
-- after the forecast (its lead-time accuracy judges the forecasts) and before the
-- report (the report's Tableau de bord shows its savings).

INSERT INTO doliflow.analytics_module (name, procedure, depends_on, position, description) VALUES
	('simulation', 'doliflow._analytics_simulation(bigint, boolean)', '{forecast}', 25, 'Replenishment simulation of the last simulation_days (doliflow.simulate_replenishment, every policy) and the lead-time forecast error, into dw.simulation_results and dw.lead_time_accuracy: the dashboard''s savings and proof of precision');
