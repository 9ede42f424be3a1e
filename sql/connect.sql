-- Connector checks that need no source: arguments, NULLs, not connected,
-- type mapping, date conversion, catalog and comments.
SELECT doliflow.connect(NULL, 3306, 'db', 'u', 'p');
SELECT doliflow.connect('h', 0, 'db', 'u', 'p');
SELECT doliflow.connect('h', 70000, 'db', 'u', 'p');
SELECT doliflow.connect('h', 3306, '', 'u', 'p');
SELECT doliflow.connect('h', 3306, 'db', NULL, 'p');
SELECT doliflow.connect('h', 3306, 'db', 'u', NULL);
SELECT * FROM doliflow.test_connection();
SELECT doliflow._extract_table('llx_ticket');
SELECT doliflow._extract_table('no_such_table');

-- Zero and impossible dates become NULL, real ones convert.
SELECT x, doliflow.mysql_timestamp(x), doliflow.mysql_date(x), doliflow.mysql_timestamptz(x)
  FROM unnest(ARRAY['2024-02-29 10:11:12', '2023-02-29', '0000-00-00', '0000-00-00 00:00:00',
					'2024-00-10', '2024-04-31', '2024-12-31 23:59:59.123456', '2024-01-01 24:00:00',
					'', 'garbage', NULL]) x;

-- Type mapping.
SELECT t, doliflow._fdw_type(split_part(t, '(', 1), t) AS fdw, doliflow._lake_type(t) AS lake
  FROM unnest(ARRAY['int(11)', 'int(10) unsigned', 'tinyint(4)', 'smallint(6)', 'double(24,8)',
					'double(7,4)', 'double', 'float', 'datetime', 'date', 'timestamp', 'point',
					'varchar(255)', 'mediumtext']) t;

-- Catalog: every table has a key among its columns; parents exist.
SELECT count(*) AS tables, count(*) FILTER (WHERE mode = 'parent') AS parent_mode
  FROM doliflow.source_table;
SELECT st.table_name FROM doliflow.source_table st
 WHERE NOT EXISTS (SELECT FROM doliflow.source_column c WHERE c.table_name = st.table_name AND c.column_name = st.key_column);
SELECT key_column FROM doliflow.source_table WHERE table_name = 'llx_actioncomm';

-- Roles and privileges.
SELECT rolcanlogin FROM pg_roles WHERE rolname = 'doliflow_owner';
SELECT p.proname, r.rolname AS owner, p.prosecdef,
	   has_function_privilege('public', p.oid, 'EXECUTE') AS public_can_execute,
	   array_to_string(p.proconfig, ',') AS config
  FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner
 WHERE p.pronamespace = 'doliflow'::regnamespace AND p.prosecdef ORDER BY 1;

-- Every doliflow function has a comment, internal helpers included.
SELECT p.oid::regprocedure FROM pg_proc p
 WHERE p.pronamespace = 'doliflow'::regnamespace AND obj_description(p.oid, 'pg_proc') IS NULL;
SELECT c.oid::regclass FROM pg_class c
 WHERE c.relnamespace IN ('doliflow'::regnamespace, 'lake'::regnamespace) AND c.relkind IN ('r', 'v', 'f')
   AND obj_description(c.oid, 'pg_class') IS NULL;
