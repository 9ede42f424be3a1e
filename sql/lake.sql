-- Lake checks that need no source: structure, arguments, empty reports.
SELECT count(*) AS lake_tables FROM pg_class WHERE relnamespace = 'lake'::regnamespace AND relkind = 'r';
SELECT count(*) AS current_tables FROM pg_class WHERE relnamespace = 'lake'::regnamespace AND relkind = 'r' AND relname LIKE '%\_current';
-- Every source table has its lake table with the meta columns and its view.
SELECT st.table_name FROM doliflow.source_table st
 WHERE to_regclass('lake.' || st.table_name) IS NULL OR to_regclass('lake.' || st.table_name || '_current') IS NULL;
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'lake.llx_ticket'::regclass AND attname LIKE '\_%' ORDER BY attnum;
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'lake.llx_ticket'::regclass AND attname IN ('rowid', 'datec', 'tms', 'fk_statut', 'subject') ORDER BY attnum;
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'lake.llx_facture'::regclass AND attname IN ('total_ht', 'datef', 'type') ORDER BY attnum;
SELECT count(*) AS geopoint_columns FROM pg_attribute WHERE attrelid = 'lake.llx_societe'::regclass AND attname = 'geopoint';
SELECT attname FROM pg_attribute WHERE attrelid = 'lake.llx_ticket_extrafields'::regclass AND attnum > 0 ORDER BY attnum;
SELECT attname FROM pg_attribute WHERE attrelid = 'lake.llx_actioncomm_current'::regclass AND attnum = 1;

-- A current table per source table, keyed like the source; the extract keeps it
-- (tested against the history in the integration tests).
SELECT count(*) AS current_without_key FROM doliflow.source_table st
 WHERE NOT EXISTS (SELECT FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
				   WHERE i.indrelid = ('lake.' || st.table_name || '_current')::regclass AND i.indisprimary
					 AND i.indnatts = 1 AND a.attname = st.key_column);
-- Rebuilt from a hand-edited history: latest version by key, tombstones hide the row.
INSERT INTO lake.llx_c_ticket_type (rowid, code, pos, label, _batch, _extracted_at, _deleted, _hash) VALUES
	(1, 'A', '1', 'first', 1, now(), false, md5('1')::uuid),
	(1, 'A', '1', 'second', 2, now(), false, md5('2')::uuid),
	(2, 'B', '2', 'gone', 1, now(), false, md5('3')::uuid),
	(2, 'B', '2', 'gone', 2, now(), true, md5('3')::uuid);
SELECT doliflow._lake_rebuild_current('llx_c_ticket_type');
SELECT rowid, label, _batch FROM lake.llx_c_ticket_type_current ORDER BY rowid;
SELECT doliflow._lake_rebuild_current('llx_nope');
SELECT doliflow._lake_rebuild_current(NULL);

-- quality_report on this tiny lake, and its argument checks.
SELECT table_name, rows, missing_pct, duplicates, score FROM doliflow.quality_report(30)
 WHERE table_name IN ('llx_c_ticket_type', '(all)', 'llx_ticket') ORDER BY table_name;
SELECT * FROM doliflow.quality_report(0);
SELECT * FROM doliflow.quality_report(NULL);
SELECT * FROM doliflow.quality_report(2147483647);
CALL doliflow.cleanup(0);

-- Settings of this area are described and typed.
SELECT name, value, value_type FROM doliflow.settings WHERE name LIKE 'lake\_%' OR name LIKE 'source\_%' ORDER BY name;
