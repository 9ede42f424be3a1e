-- doliflow 0.2.0 -> 0.3.0, part 00: what must come first.
\echo Use "ALTER EXTENSION doliflow UPDATE" to load this file. \quit
