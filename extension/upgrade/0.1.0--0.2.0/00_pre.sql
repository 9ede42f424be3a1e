-- doliflow 0.1.0 -> 0.2.0, part 00: what must come first.
\echo Use "ALTER EXTENSION doliflow UPDATE" to load this file. \quit

-- 0.1.0 had schema = doliflow in its control file, so CREATE EXTENSION made the schema
-- outside the extension; 0.2.0 creates it in its script (a member, dropped with it).
ALTER EXTENSION doliflow ADD SCHEMA doliflow;
