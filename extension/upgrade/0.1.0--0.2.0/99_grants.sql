-- doliflow 0.1.0 -> 0.2.0, part 99: ownership and privileges of the role matrix (as 80_roles.sql).
-- 99_grants: ACLs come from 90_code.sql (its step 5 resets every ACL that differs).
-- The ACL of every object is set by 90_code.sql to the fresh install's (its step 5 resets
-- each one that differs from 0.1.0's); apply_grants() is not run again here: it is the
-- matrix as of 80_roles.sql, before the later parts of a fresh install change some grants.

-- Future relations: readable by the BI role in dw, usable by the owner,
-- whoever of the installer or the owner creates them.
ALTER DEFAULT PRIVILEGES FOR ROLE doliflow_owner IN SCHEMA dw GRANT SELECT ON TABLES TO doliflow_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA dw GRANT SELECT ON TABLES TO doliflow_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA dw, lake GRANT ALL ON TABLES TO doliflow_owner;
ALTER DEFAULT PRIVILEGES IN SCHEMA dw, lake GRANT USAGE, SELECT ON SEQUENCES TO doliflow_owner;
-- Future foreign tables in dolibarr: no write privilege for their creator.
ALTER DEFAULT PRIVILEGES FOR ROLE doliflow_owner IN SCHEMA dolibarr REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON TABLES FROM doliflow_owner;
ALTER DEFAULT PRIVILEGES IN SCHEMA dolibarr REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON TABLES FROM CURRENT_USER;
ALTER DEFAULT PRIVILEGES IN SCHEMA dolibarr GRANT SELECT ON TABLES TO doliflow_owner;
-- Future routines in doliflow, whoever of the installer or the owner creates
-- them: not PUBLIC's (apply_grants() then grants the listed ones).
ALTER DEFAULT PRIVILEGES IN SCHEMA doliflow REVOKE EXECUTE ON ROUTINES FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE doliflow_owner IN SCHEMA doliflow REVOKE EXECUTE ON ROUTINES FROM PUBLIC;
