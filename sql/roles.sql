-- Roles: doliflow_owner (writes, as the pipeline), doliflow_batch (runs the
-- pipeline only), doliflow_reader (reads dw only).  Checked as each role.
SET client_min_messages = warning;
\set VERBOSITY terse

SELECT rolname, rolcanlogin, rolsuper FROM pg_roles WHERE rolname LIKE 'doliflow\_%' ORDER BY 1;
SELECT pg_has_role('doliflow_batch', 'doliflow_reader', 'USAGE') AS batch_reads_dw,
       pg_has_role('doliflow_batch', 'doliflow_owner', 'USAGE') AS batch_is_owner,
       pg_has_role('doliflow_reader', 'doliflow_owner', 'USAGE') AS reader_is_owner;

-- A table created later in dw is readable by the reader (default privileges)
-- and owned by / writable only through doliflow_owner.
CREATE TABLE dw.roles_probe (id int, label text);
INSERT INTO dw.roles_probe VALUES (1, 'one');
CREATE TABLE lake.roles_probe (id int);
SELECT r.rolname,
       has_table_privilege(r.rolname, 'dw.roles_probe', 'SELECT') AS dw_select,
       has_table_privilege(r.rolname, 'dw.roles_probe', 'INSERT, UPDATE, DELETE, TRUNCATE') AS dw_write,
       has_schema_privilege(r.rolname, 'lake', 'USAGE') AS lake_usage,
       has_schema_privilege(r.rolname, 'dolibarr', 'USAGE') AS dolibarr_usage,
       has_schema_privilege(r.rolname, 'doliflow', 'USAGE') AS doliflow_usage,
       has_table_privilege(r.rolname, 'doliflow.settings', 'UPDATE') AS settings_update,
       has_table_privilege(r.rolname, 'doliflow.run_log', 'INSERT') AS runlog_insert
  FROM (VALUES ('doliflow_owner'), ('doliflow_batch'), ('doliflow_reader')) r(rolname)
 ORDER BY 1;

-- A foreign server, a user mapping with a password and a foreign table, the
-- way connect() makes them; apply_grants() locks the table down.
CREATE SERVER roles_probe_srv FOREIGN DATA WRAPPER mysql_fdw OPTIONS (host '127.0.0.1', port '9');
CREATE USER MAPPING FOR doliflow_owner SERVER roles_probe_srv OPTIONS (username 'doliflow', password 'S3cret-probe');
CREATE FOREIGN TABLE dolibarr.roles_probe (rowid int, ref text) SERVER roles_probe_srv
	OPTIONS (dbname 'dolibarr', table_name 'llx_probe');
ALTER FOREIGN TABLE dolibarr.roles_probe OWNER TO doliflow_owner;
SELECT doliflow.apply_grants();
SELECT r.rolname,
       has_table_privilege(r.rolname, 'dolibarr.roles_probe', 'SELECT') AS ft_select,
       has_table_privilege(r.rolname, 'dolibarr.roles_probe', 'INSERT') AS ft_insert,
       has_table_privilege(r.rolname, 'dolibarr.roles_probe', 'UPDATE') AS ft_update,
       has_table_privilege(r.rolname, 'dolibarr.roles_probe', 'DELETE') AS ft_delete
  FROM (VALUES ('doliflow_owner'), ('doliflow_batch'), ('doliflow_reader'), ('public')) r(rolname)
 WHERE r.rolname <> 'public' ORDER BY 1;

-- As the reader: dw yes; lake, dolibarr, doliflow, the password no.
SET ROLE doliflow_reader;
SELECT * FROM dw.roles_probe;
SELECT * FROM lake.roles_probe;
SELECT * FROM dolibarr.roles_probe;
SELECT count(*) FROM doliflow.settings;
SELECT doliflow.status();
SELECT srvname, umoptions FROM pg_user_mappings WHERE srvname = 'roles_probe_srv';
SELECT count(*) FROM pg_user_mapping;
INSERT INTO dw.roles_probe VALUES (2, 'two');
INSERT INTO dolibarr.roles_probe VALUES (1, 'x');
RESET ROLE;

-- As the batch role: reads the run log and settings, cannot change them,
-- cannot write dw or the source, cannot read the password, schedule or
-- connect; runs analytics through the pipeline machinery.
CREATE PROCEDURE doliflow._roles_probe_module(run_id bigint, force boolean) LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO dw.roles_probe VALUES (100, current_user);
END $$;
INSERT INTO doliflow.analytics_module VALUES ('roles_probe', 'doliflow._roles_probe_module(bigint, boolean)', '{}', 1000, 'test');
SET ROLE doliflow_batch;
SELECT count(*) > 0 AS reads_settings FROM doliflow.settings;
SELECT count(*) >= 0 AS reads_run_log FROM doliflow.run_log;
UPDATE doliflow.settings SET value = '1' WHERE name = 'lead_time_default_days';
INSERT INTO doliflow.run_log (kind) VALUES ('forged');
INSERT INTO dw.roles_probe VALUES (3, 'three');
UPDATE dolibarr.roles_probe SET ref = 'x';
DELETE FROM dolibarr.roles_probe;
SELECT srvname, umoptions FROM pg_user_mappings WHERE srvname = 'roles_probe_srv';
INSERT INTO doliflow.analytics_module VALUES ('evil', 'pg_catalog.pg_terminate_backend(integer, bigint)', '{}', 1001, 'x');
SELECT doliflow.apply_grants();
SELECT doliflow._pipeline_exec(1, 'analytics:roles_probe', false, false);
CALL doliflow.run_analytics('roles_probe');
RESET ROLE;
-- The module ran as doliflow_owner and its write landed.
SELECT id, label FROM dw.roles_probe ORDER BY id;
SELECT kind, status FROM doliflow.run_log ORDER BY run_id DESC LIMIT 1;
SELECT p.proname, has_function_privilege('doliflow_batch', p.oid, 'EXECUTE') AS batch_may
  FROM pg_proc p
 WHERE p.pronamespace = 'doliflow'::regnamespace
   AND p.proname IN ('run_pipeline', 'run_analytics', 'schedule', 'unschedule', 'apply_grants', 'scheduled_jobs', '_pipeline_exec', '_run_begin')
 ORDER BY 1;
-- Every SECURITY DEFINER routine of the extension is closed to PUBLIC.
SELECT p.oid::regprocedure AS open_definer
  FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'doliflow')
   AND p.prosecdef AND has_function_privilege('public', p.oid, 'EXECUTE');

DELETE FROM doliflow.analytics_module WHERE name = 'roles_probe';
DROP PROCEDURE doliflow._roles_probe_module;
DROP FOREIGN TABLE dolibarr.roles_probe;
DROP USER MAPPING FOR doliflow_owner SERVER roles_probe_srv;
DROP SERVER roles_probe_srv;
DROP TABLE dw.roles_probe, lake.roles_probe;
