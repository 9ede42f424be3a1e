-- doliflow 0.1.0 -> 0.2.0, part 00: what must come first.
\echo Use "ALTER EXTENSION doliflow UPDATE" to load this file. \quit

-- 0.1.0 had schema = doliflow in its control file, so CREATE EXTENSION made the schema
-- outside the extension; 0.2.0 creates it in its script (a member, dropped with it).
-- A schema holding the extension cannot become its member, and a non-relocatable
-- extension has no SET SCHEMA: the extension is moved to public in the catalog first
-- (what a fresh 0.2.0 install records with the default search_path).
UPDATE pg_catalog.pg_extension SET extnamespace = 'public'::regnamespace WHERE extname = 'doliflow';
ALTER EXTENSION doliflow ADD SCHEMA doliflow;

-- The foreign server: 0.1.0 created it in connect() (outside the extension); 0.2.0 creates
-- it in its script, owned by doliflow_owner, so that it is dropped with the extension.
-- Its options (host, port, database) are kept.
DO $$
BEGIN
	IF EXISTS (SELECT FROM pg_catalog.pg_foreign_server WHERE srvname = 'doliflow_source') THEN
		ALTER EXTENSION doliflow ADD SERVER doliflow_source;
	ELSE
		CREATE SERVER doliflow_source FOREIGN DATA WRAPPER mysql_fdw;
	END IF;
END $$;
ALTER SERVER doliflow_source OWNER TO doliflow_owner;
