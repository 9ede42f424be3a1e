-- doliflow 0.1.0 -> 0.2.0, part 99: ownership and privileges of the role matrix (as 80_roles.sql).
-- apply_grants() (0.2.0's, from 90_code.sql) sets owners and ACLs of every object.
-- A fresh install gives batch and reader nothing before apply_grants(); 0.1.0's grants
-- (its apply_grants gave batch every table and definer routine of doliflow) are taken back
-- first, so that the 0.2.0 matrix is all that is left.
REVOKE ALL ON ALL TABLES IN SCHEMA doliflow FROM doliflow_batch, doliflow_reader;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA doliflow FROM doliflow_batch, doliflow_reader;
REVOKE ALL ON ALL ROUTINES IN SCHEMA doliflow FROM doliflow_batch, doliflow_reader;
SELECT doliflow.apply_grants();

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
