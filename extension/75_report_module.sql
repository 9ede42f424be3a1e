-- doliflow install script, part 75: the nightly report as an analytics module
-- (the registry is part 70's; the module's code is part 65's).

INSERT INTO doliflow.analytics_module (name, procedure, depends_on, position, description) VALUES
	('report', 'doliflow._analytics_report(bigint, boolean)', '{}', 70, 'The HTML report (doliflow.report_html) of every page in French and English, stored in doliflow.report_pages');
