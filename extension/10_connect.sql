-- doliflow install script, part 10: the connector.
--
-- doliflow.connect() points doliflow at a Dolibarr MariaDB/MySQL database through
-- mysql_fdw: a foreign server `doliflow_source`, ONE user mapping (for the NOLOGIN role
-- doliflow_owner) and read-only foreign tables in schema `dolibarr`, one per source table
-- of the catalog below.  Only functions owned by doliflow_owner (SECURITY DEFINER, fixed
-- search_path, fully-qualified names) read the source, so no other role needs, or gets,
-- the MySQL password (pg_user_mappings shows umoptions only to the mapped role, the server
-- owner and superusers; never GRANT doliflow_owner to a login role).

------------------------------------------------------------------------------
-- The owner role
------------------------------------------------------------------------------

-- (created in part 05, whose lock table and helpers it owns)
COMMENT ON ROLE doliflow_owner IS 'doliflow: NOLOGIN role that owns the Dolibarr foreign server, the foreign tables, the lake and the SECURITY DEFINER functions reading them; holds the only user mapping (the MySQL password). Never grant it to a login role.';

GRANT USAGE ON FOREIGN DATA WRAPPER mysql_fdw TO doliflow_owner;
GRANT USAGE ON SCHEMA doliflow TO doliflow_owner;
GRANT USAGE, CREATE ON SCHEMA dolibarr TO doliflow_owner;
GRANT SELECT ON doliflow.settings TO doliflow_owner;

INSERT INTO doliflow.settings (name, value, value_type, description) VALUES
	('source_fetch_size', '10000', 'integer', 'Rows mysql_fdw fetches per round trip from the Dolibarr source (server option fetch_size, applied by connect())'),
	('source_connect_timeout', '10', 'integer', 'Seconds a connection to the Dolibarr source may take (TCP connect and handshake) before it fails; 1 to 3600. Applies to connections opened after the change (the next session)'),
	('source_read_timeout', '300', 'integer', 'Seconds one read or write on the Dolibarr source connection may wait before the access fails (a frozen source fails that table''s step instead of hanging); 1 to 86400, longer than the slowest source query. Applies to connections opened after the change'),
	('source_option_file', '', 'text', 'Absolute path of a my.cnf-style file on the database server ([client] section, password=...; mode 0600, owned by the server''s OS user) read when the user mapping holds no password: connect(..., password => NULL) keeps the password out of SQL text. Empty = none');

-- The foreign server is created here, as a member of the extension, so that
-- DROP EXTENSION drops it with the user mapping holding the password (and
-- the foreign tables) instead of leaving them behind.  connect() sets its
-- options and creates the mapping and the foreign tables.
CREATE SERVER doliflow_source FOREIGN DATA WRAPPER mysql_fdw;
ALTER SERVER doliflow_source OWNER TO doliflow_owner;
COMMENT ON SERVER doliflow_source IS 'doliflow: the Dolibarr MariaDB/MySQL database (options set by doliflow.connect(); sessions use utf8mb4 and UTC); dropped with the extension, user mapping and foreign tables included';

------------------------------------------------------------------------------
-- Catalog of the source: which Dolibarr tables doliflow reads, how, and their
-- columns with their MySQL types (Dolibarr 22 install files, see
-- ../shared/dolibarr/TABLES.md).  connect() builds the foreign tables from
-- this catalog and the columns the source really has; the lake tables are
-- built from it at install time.
------------------------------------------------------------------------------

CREATE TABLE doliflow.source_table (
	table_name    text PRIMARY KEY,
	key_column    text NOT NULL,
	mode          text NOT NULL CHECK (mode IN ('tms', 'rowid', 'parent', 'full')),
	parent_table  text REFERENCES doliflow.source_table,
	parent_column text,
	load_order    int NOT NULL,
	CHECK ((mode = 'parent') = (parent_table IS NOT NULL AND parent_column IS NOT NULL))
);
COMMENT ON TABLE doliflow.source_table IS 'Dolibarr tables read by doliflow and how extract() reads each: tms (incremental on tms with a watermark), rowid (append-only, rowid > last), parent (lines reloaded for the parents whose version changed), full (whole table every run)';
COMMENT ON COLUMN doliflow.source_table.table_name IS 'Dolibarr table name (same name for the foreign table dolibarr.<t> and the lake table lake.<t>)';
COMMENT ON COLUMN doliflow.source_table.key_column IS 'Primary key column (rowid, or id for llx_actioncomm)';
COMMENT ON COLUMN doliflow.source_table.mode IS 'Extraction mode: tms, rowid, parent or full';
COMMENT ON COLUMN doliflow.source_table.parent_table IS 'For mode parent: the header table whose changed rows drive the reload of these lines';
COMMENT ON COLUMN doliflow.source_table.parent_column IS 'For mode parent: the column of this table referencing the parent key';
COMMENT ON COLUMN doliflow.source_table.load_order IS 'Extraction order (parents before their lines)';

CREATE TABLE doliflow.source_column (
	table_name  text NOT NULL REFERENCES doliflow.source_table,
	position    int NOT NULL,
	column_name text NOT NULL,
	mysql_type  text NOT NULL,
	not_null    boolean NOT NULL,
	PRIMARY KEY (table_name, column_name)
);
COMMENT ON TABLE doliflow.source_column IS 'Columns of the Dolibarr source tables with their MySQL column type, as in a Dolibarr 22 install; the lake columns are derived from them (custom extrafield columns of llx_ticket_extrafields are discovered at connect time instead)';
COMMENT ON COLUMN doliflow.source_column.position IS 'Ordinal position in the Dolibarr table';
COMMENT ON COLUMN doliflow.source_column.mysql_type IS 'MySQL column type, e.g. int(11), double(24,8), datetime';
COMMENT ON COLUMN doliflow.source_column.not_null IS 'Declared NOT NULL in Dolibarr';

GRANT SELECT ON doliflow.source_table, doliflow.source_column TO doliflow_owner;

INSERT INTO doliflow.source_table (table_name, key_column, mode, parent_table, parent_column, load_order) VALUES
	('llx_c_ticket_type',          'rowid', 'full',   NULL, NULL, 10),
	('llx_c_ticket_severity',      'rowid', 'full',   NULL, NULL, 11),
	('llx_c_ticket_category',      'rowid', 'full',   NULL, NULL, 12),
	('llx_extrafields',            'rowid', 'tms',    NULL, NULL, 13),
	('llx_user',                   'rowid', 'tms',    NULL, NULL, 20),
	('llx_societe',                'rowid', 'tms',    NULL, NULL, 21),
	('llx_socpeople',              'rowid', 'tms',    NULL, NULL, 22),
	('llx_entrepot',               'rowid', 'tms',    NULL, NULL, 23),
	('llx_product',                'rowid', 'tms',    NULL, NULL, 24),
	('llx_product_fournisseur_price', 'rowid', 'tms', NULL, NULL, 25),
	('llx_product_stock',          'rowid', 'tms',    NULL, NULL, 26),
	('llx_projet',                 'rowid', 'tms',    NULL, NULL, 30),
	('llx_projet_task',            'rowid', 'tms',    NULL, NULL, 31),
	('llx_element_time',           'rowid', 'tms',    NULL, NULL, 32),
	('llx_ticket',                 'rowid', 'tms',    NULL, NULL, 40),
	('llx_ticket_extrafields',     'rowid', 'tms',    NULL, NULL, 41),
	('llx_actioncomm',             'id',    'tms',    NULL, NULL, 42),
	('llx_element_element',        'rowid', 'full',   NULL, NULL, 43),
	('llx_fichinter',              'rowid', 'tms',    NULL, NULL, 50),
	('llx_fichinterdet',           'rowid', 'parent', 'llx_fichinter', 'fk_fichinter', 51),
	('llx_facture',                'rowid', 'tms',    NULL, NULL, 60),
	('llx_facturedet',             'rowid', 'parent', 'llx_facture', 'fk_facture', 61),
	('llx_commande_fournisseur',   'rowid', 'tms',    NULL, NULL, 70),
	('llx_commande_fournisseurdet', 'rowid', 'parent', 'llx_commande_fournisseur', 'fk_commande', 71),
	('llx_commande',               'rowid', 'tms',    NULL, NULL, 72),
	('llx_commandedet',            'rowid', 'parent', 'llx_commande', 'fk_commande', 73),
	('llx_stock_mouvement',        'rowid', 'rowid',  NULL, NULL, 80);

INSERT INTO doliflow.source_column (table_name, position, column_name, mysql_type, not_null) VALUES
	('llx_actioncomm', 1, 'id', 'int(11)', true),
	('llx_actioncomm', 2, 'ref', 'varchar(30)', true),
	('llx_actioncomm', 3, 'ref_ext', 'varchar(255)', false),
	('llx_actioncomm', 4, 'entity', 'int(11)', true),
	('llx_actioncomm', 5, 'datep', 'datetime', false),
	('llx_actioncomm', 6, 'datep2', 'datetime', false),
	('llx_actioncomm', 7, 'fk_action', 'int(11)', false),
	('llx_actioncomm', 8, 'code', 'varchar(50)', false),
	('llx_actioncomm', 9, 'datec', 'datetime', false),
	('llx_actioncomm', 10, 'tms', 'timestamp', false),
	('llx_actioncomm', 11, 'fk_user_author', 'int(11)', false),
	('llx_actioncomm', 12, 'fk_user_mod', 'int(11)', false),
	('llx_actioncomm', 13, 'fk_project', 'int(11)', false),
	('llx_actioncomm', 14, 'fk_task', 'int(11)', false),
	('llx_actioncomm', 15, 'fk_soc', 'int(11)', false),
	('llx_actioncomm', 16, 'fk_contact', 'int(11)', false),
	('llx_actioncomm', 17, 'fk_parent', 'int(11)', true),
	('llx_actioncomm', 18, 'fk_user_action', 'int(11)', false),
	('llx_actioncomm', 19, 'transparency', 'int(11)', false),
	('llx_actioncomm', 20, 'priority', 'smallint(6)', false),
	('llx_actioncomm', 21, 'visibility', 'varchar(12)', false),
	('llx_actioncomm', 22, 'fulldayevent', 'smallint(6)', true),
	('llx_actioncomm', 23, 'percent', 'smallint(6)', true),
	('llx_actioncomm', 24, 'location', 'varchar(128)', false),
	('llx_actioncomm', 25, 'durationp', 'double', false),
	('llx_actioncomm', 26, 'label', 'varchar(255)', true),
	('llx_actioncomm', 27, 'note', 'mediumtext', false),
	('llx_actioncomm', 28, 'calling_duration', 'int(11)', false),
	('llx_actioncomm', 29, 'email_subject', 'varchar(255)', false),
	('llx_actioncomm', 30, 'email_msgid', 'varchar(255)', false),
	('llx_actioncomm', 31, 'email_from', 'varchar(255)', false),
	('llx_actioncomm', 32, 'email_sender', 'varchar(255)', false),
	('llx_actioncomm', 33, 'email_to', 'varchar(255)', false),
	('llx_actioncomm', 34, 'email_tocc', 'varchar(255)', false),
	('llx_actioncomm', 35, 'email_tobcc', 'varchar(255)', false),
	('llx_actioncomm', 36, 'errors_to', 'varchar(255)', false),
	('llx_actioncomm', 37, 'reply_to', 'varchar(255)', false),
	('llx_actioncomm', 38, 'recurid', 'varchar(128)', false),
	('llx_actioncomm', 39, 'recurrule', 'varchar(128)', false),
	('llx_actioncomm', 40, 'recurdateend', 'datetime', false),
	('llx_actioncomm', 41, 'num_vote', 'int(11)', false),
	('llx_actioncomm', 42, 'event_paid', 'smallint(6)', true),
	('llx_actioncomm', 43, 'status', 'smallint(6)', true),
	('llx_actioncomm', 44, 'fk_element', 'int(11)', false),
	('llx_actioncomm', 45, 'elementtype', 'varchar(255)', false),
	('llx_actioncomm', 46, 'ip', 'varchar(250)', false),
	('llx_actioncomm', 47, 'fk_bookcal_calendar', 'int(11)', false),
	('llx_actioncomm', 48, 'import_key', 'varchar(14)', false),
	('llx_actioncomm', 49, 'extraparams', 'varchar(255)', false),
	('llx_commande_fournisseur', 1, 'rowid', 'int(11)', true),
	('llx_commande_fournisseur', 2, 'ref', 'varchar(180)', true),
	('llx_commande_fournisseur', 3, 'entity', 'int(11)', true),
	('llx_commande_fournisseur', 4, 'ref_ext', 'varchar(255)', false),
	('llx_commande_fournisseur', 5, 'ref_supplier', 'varchar(255)', false),
	('llx_commande_fournisseur', 6, 'fk_soc', 'int(11)', true),
	('llx_commande_fournisseur', 7, 'fk_projet', 'int(11)', false),
	('llx_commande_fournisseur', 8, 'tms', 'timestamp', false),
	('llx_commande_fournisseur', 9, 'date_creation', 'datetime', false),
	('llx_commande_fournisseur', 10, 'date_valid', 'datetime', false),
	('llx_commande_fournisseur', 11, 'date_approve', 'datetime', false),
	('llx_commande_fournisseur', 12, 'date_approve2', 'datetime', false),
	('llx_commande_fournisseur', 13, 'date_commande', 'date', false),
	('llx_commande_fournisseur', 14, 'fk_user_author', 'int(11)', false),
	('llx_commande_fournisseur', 15, 'fk_user_modif', 'int(11)', false),
	('llx_commande_fournisseur', 16, 'fk_user_valid', 'int(11)', false),
	('llx_commande_fournisseur', 17, 'fk_user_approve', 'int(11)', false),
	('llx_commande_fournisseur', 18, 'fk_user_approve2', 'int(11)', false),
	('llx_commande_fournisseur', 19, 'source', 'smallint(6)', true),
	('llx_commande_fournisseur', 20, 'fk_statut', 'smallint(6)', false),
	('llx_commande_fournisseur', 21, 'billed', 'smallint(6)', false),
	('llx_commande_fournisseur', 22, 'amount_ht', 'double(24,8)', false),
	('llx_commande_fournisseur', 23, 'remise_percent', 'double', false),
	('llx_commande_fournisseur', 24, 'remise', 'double', false),
	('llx_commande_fournisseur', 25, 'total_tva', 'double(24,8)', false),
	('llx_commande_fournisseur', 26, 'localtax1', 'double(24,8)', false),
	('llx_commande_fournisseur', 27, 'localtax2', 'double(24,8)', false),
	('llx_commande_fournisseur', 28, 'total_ht', 'double(24,8)', false),
	('llx_commande_fournisseur', 29, 'total_ttc', 'double(24,8)', false),
	('llx_commande_fournisseur', 30, 'note_private', 'text', false),
	('llx_commande_fournisseur', 31, 'note_public', 'text', false),
	('llx_commande_fournisseur', 32, 'model_pdf', 'varchar(255)', false),
	('llx_commande_fournisseur', 33, 'last_main_doc', 'varchar(255)', false),
	('llx_commande_fournisseur', 34, 'date_livraison', 'datetime', false),
	('llx_commande_fournisseur', 35, 'fk_account', 'int(11)', false),
	('llx_commande_fournisseur', 36, 'fk_cond_reglement', 'int(11)', false),
	('llx_commande_fournisseur', 37, 'fk_mode_reglement', 'int(11)', false),
	('llx_commande_fournisseur', 38, 'fk_input_method', 'int(11)', false),
	('llx_commande_fournisseur', 39, 'fk_incoterms', 'int(11)', false),
	('llx_commande_fournisseur', 40, 'location_incoterms', 'varchar(255)', false),
	('llx_commande_fournisseur', 41, 'import_key', 'varchar(14)', false),
	('llx_commande_fournisseur', 42, 'extraparams', 'varchar(255)', false),
	('llx_commande_fournisseur', 43, 'fk_multicurrency', 'int(11)', false),
	('llx_commande_fournisseur', 44, 'multicurrency_code', 'varchar(3)', false),
	('llx_commande_fournisseur', 45, 'multicurrency_tx', 'double(24,8)', false),
	('llx_commande_fournisseur', 46, 'multicurrency_total_ht', 'double(24,8)', false),
	('llx_commande_fournisseur', 47, 'multicurrency_total_tva', 'double(24,8)', false),
	('llx_commande_fournisseur', 48, 'multicurrency_total_ttc', 'double(24,8)', false),
	('llx_commande_fournisseurdet', 1, 'rowid', 'int(11)', true),
	('llx_commande_fournisseurdet', 2, 'fk_commande', 'int(11)', true),
	('llx_commande_fournisseurdet', 3, 'fk_parent_line', 'int(11)', false),
	('llx_commande_fournisseurdet', 4, 'fk_product', 'int(11)', false),
	('llx_commande_fournisseurdet', 5, 'ref', 'varchar(128)', false),
	('llx_commande_fournisseurdet', 6, 'label', 'varchar(255)', false),
	('llx_commande_fournisseurdet', 7, 'description', 'text', false),
	('llx_commande_fournisseurdet', 8, 'vat_src_code', 'varchar(10)', false),
	('llx_commande_fournisseurdet', 9, 'tva_tx', 'double(7,4)', false),
	('llx_commande_fournisseurdet', 10, 'localtax1_tx', 'double(7,4)', false),
	('llx_commande_fournisseurdet', 11, 'localtax1_type', 'varchar(10)', false),
	('llx_commande_fournisseurdet', 12, 'localtax2_tx', 'double(7,4)', false),
	('llx_commande_fournisseurdet', 13, 'localtax2_type', 'varchar(10)', false),
	('llx_commande_fournisseurdet', 14, 'qty', 'double', false),
	('llx_commande_fournisseurdet', 15, 'remise_percent', 'double', false),
	('llx_commande_fournisseurdet', 16, 'remise', 'double', false),
	('llx_commande_fournisseurdet', 17, 'subprice', 'double(24,8)', false),
	('llx_commande_fournisseurdet', 18, 'total_ht', 'double(24,8)', false),
	('llx_commande_fournisseurdet', 19, 'total_tva', 'double(24,8)', false),
	('llx_commande_fournisseurdet', 20, 'total_localtax1', 'double(24,8)', false),
	('llx_commande_fournisseurdet', 21, 'total_localtax2', 'double(24,8)', false),
	('llx_commande_fournisseurdet', 22, 'total_ttc', 'double(24,8)', false),
	('llx_commande_fournisseurdet', 23, 'product_type', 'int(11)', false),
	('llx_commande_fournisseurdet', 24, 'date_start', 'datetime', false),
	('llx_commande_fournisseurdet', 25, 'date_end', 'datetime', false),
	('llx_commande_fournisseurdet', 26, 'info_bits', 'int(11)', false),
	('llx_commande_fournisseurdet', 27, 'special_code', 'int(11)', false),
	('llx_commande_fournisseurdet', 28, 'rang', 'int(11)', false),
	('llx_commande_fournisseurdet', 29, 'import_key', 'varchar(14)', false),
	('llx_commande_fournisseurdet', 30, 'fk_unit', 'int(11)', false),
	('llx_commande_fournisseurdet', 31, 'fk_multicurrency', 'int(11)', false),
	('llx_commande_fournisseurdet', 32, 'multicurrency_code', 'varchar(3)', false),
	('llx_commande_fournisseurdet', 33, 'multicurrency_subprice', 'double(24,8)', false),
	('llx_commande_fournisseurdet', 34, 'multicurrency_total_ht', 'double(24,8)', false),
	('llx_commande_fournisseurdet', 35, 'multicurrency_total_tva', 'double(24,8)', false),
	('llx_commande_fournisseurdet', 36, 'multicurrency_total_ttc', 'double(24,8)', false),
	('llx_commande_fournisseurdet', 37, 'extraparams', 'varchar(255)', false),
	('llx_commande', 1, 'rowid', 'int(11)', true),
	('llx_commande', 2, 'ref', 'varchar(30)', true),
	('llx_commande', 3, 'entity', 'int(11)', true),
	('llx_commande', 4, 'ref_ext', 'varchar(255)', false),
	('llx_commande', 5, 'ref_client', 'varchar(255)', false),
	('llx_commande', 6, 'fk_soc', 'int(11)', true),
	('llx_commande', 7, 'fk_projet', 'int(11)', false),
	('llx_commande', 8, 'tms', 'timestamp', false),
	('llx_commande', 9, 'date_creation', 'datetime', false),
	('llx_commande', 10, 'date_valid', 'datetime', false),
	('llx_commande', 11, 'date_cloture', 'datetime', false),
	('llx_commande', 12, 'date_commande', 'date', false),
	('llx_commande', 13, 'fk_user_author', 'int(11)', false),
	('llx_commande', 14, 'fk_user_modif', 'int(11)', false),
	('llx_commande', 15, 'fk_user_valid', 'int(11)', false),
	('llx_commande', 16, 'fk_user_cloture', 'int(11)', false),
	('llx_commande', 17, 'source', 'smallint(6)', false),
	('llx_commande', 18, 'fk_statut', 'smallint(6)', false),
	('llx_commande', 19, 'amount_ht', 'double(24,8)', false),
	('llx_commande', 20, 'remise_percent', 'double', false),
	('llx_commande', 21, 'remise_absolue', 'double', false),
	('llx_commande', 22, 'remise', 'double', false),
	('llx_commande', 23, 'total_tva', 'double(24,8)', false),
	('llx_commande', 24, 'localtax1', 'double(24,8)', false),
	('llx_commande', 25, 'localtax2', 'double(24,8)', false),
	('llx_commande', 26, 'revenuestamp', 'double(24,8)', false),
	('llx_commande', 27, 'total_ht', 'double(24,8)', false),
	('llx_commande', 28, 'total_ttc', 'double(24,8)', false),
	('llx_commande', 29, 'signed_status', 'smallint(6)', false),
	('llx_commande', 30, 'note_private', 'text', false),
	('llx_commande', 31, 'note_public', 'text', false),
	('llx_commande', 32, 'model_pdf', 'varchar(255)', false),
	('llx_commande', 33, 'last_main_doc', 'varchar(255)', false),
	('llx_commande', 34, 'module_source', 'varchar(32)', false),
	('llx_commande', 35, 'pos_source', 'varchar(32)', false),
	('llx_commande', 36, 'facture', 'tinyint(4)', false),
	('llx_commande', 37, 'fk_account', 'int(11)', false),
	('llx_commande', 38, 'fk_currency', 'varchar(3)', false),
	('llx_commande', 39, 'fk_cond_reglement', 'int(11)', false),
	('llx_commande', 40, 'deposit_percent', 'varchar(63)', false),
	('llx_commande', 41, 'fk_mode_reglement', 'int(11)', false),
	('llx_commande', 42, 'date_livraison', 'datetime', false),
	('llx_commande', 43, 'fk_shipping_method', 'int(11)', false),
	('llx_commande', 44, 'fk_warehouse', 'int(11)', false),
	('llx_commande', 45, 'fk_availability', 'int(11)', false),
	('llx_commande', 46, 'fk_input_reason', 'int(11)', false),
	('llx_commande', 47, 'fk_delivery_address', 'int(11)', false),
	('llx_commande', 48, 'fk_incoterms', 'int(11)', false),
	('llx_commande', 49, 'location_incoterms', 'varchar(255)', false),
	('llx_commande', 50, 'import_key', 'varchar(14)', false),
	('llx_commande', 51, 'extraparams', 'varchar(255)', false),
	('llx_commande', 52, 'fk_multicurrency', 'int(11)', false),
	('llx_commande', 53, 'multicurrency_code', 'varchar(3)', false),
	('llx_commande', 54, 'multicurrency_tx', 'double(24,8)', false),
	('llx_commande', 55, 'multicurrency_total_ht', 'double(24,8)', false),
	('llx_commande', 56, 'multicurrency_total_tva', 'double(24,8)', false),
	('llx_commande', 57, 'multicurrency_total_ttc', 'double(24,8)', false),
	('llx_commandedet', 1, 'rowid', 'int(11)', true),
	('llx_commandedet', 2, 'fk_commande', 'int(11)', true),
	('llx_commandedet', 3, 'fk_parent_line', 'int(11)', false),
	('llx_commandedet', 4, 'fk_product', 'int(11)', false),
	('llx_commandedet', 5, 'label', 'varchar(255)', false),
	('llx_commandedet', 6, 'description', 'text', false),
	('llx_commandedet', 7, 'vat_src_code', 'varchar(10)', false),
	('llx_commandedet', 8, 'tva_tx', 'double(7,4)', false),
	('llx_commandedet', 9, 'localtax1_tx', 'double(7,4)', false),
	('llx_commandedet', 10, 'localtax1_type', 'varchar(10)', false),
	('llx_commandedet', 11, 'localtax2_tx', 'double(7,4)', false),
	('llx_commandedet', 12, 'localtax2_type', 'varchar(10)', false),
	('llx_commandedet', 13, 'qty', 'double', false),
	('llx_commandedet', 14, 'remise_percent', 'double', false),
	('llx_commandedet', 15, 'remise', 'double', false),
	('llx_commandedet', 16, 'fk_remise_except', 'int(11)', false),
	('llx_commandedet', 17, 'price', 'double', false),
	('llx_commandedet', 18, 'subprice', 'double(24,8)', false),
	('llx_commandedet', 19, 'total_ht', 'double(24,8)', false),
	('llx_commandedet', 20, 'total_tva', 'double(24,8)', false),
	('llx_commandedet', 21, 'total_localtax1', 'double(24,8)', false),
	('llx_commandedet', 22, 'total_localtax2', 'double(24,8)', false),
	('llx_commandedet', 23, 'total_ttc', 'double(24,8)', false),
	('llx_commandedet', 24, 'product_type', 'int(11)', false),
	('llx_commandedet', 25, 'date_start', 'datetime', false),
	('llx_commandedet', 26, 'date_end', 'datetime', false),
	('llx_commandedet', 27, 'info_bits', 'int(11)', false),
	('llx_commandedet', 28, 'buy_price_ht', 'double(24,8)', false),
	('llx_commandedet', 29, 'fk_product_fournisseur_price', 'int(11)', false),
	('llx_commandedet', 30, 'special_code', 'int(10) unsigned', false),
	('llx_commandedet', 31, 'rang', 'int(11)', false),
	('llx_commandedet', 32, 'fk_unit', 'int(11)', false),
	('llx_commandedet', 33, 'import_key', 'varchar(14)', false),
	('llx_commandedet', 34, 'ref_ext', 'varchar(255)', false),
	('llx_commandedet', 35, 'fk_commandefourndet', 'int(11)', false),
	('llx_commandedet', 36, 'fk_multicurrency', 'int(11)', false),
	('llx_commandedet', 37, 'multicurrency_code', 'varchar(3)', false),
	('llx_commandedet', 38, 'multicurrency_subprice', 'double(24,8)', false),
	('llx_commandedet', 39, 'multicurrency_total_ht', 'double(24,8)', false),
	('llx_commandedet', 40, 'multicurrency_total_tva', 'double(24,8)', false),
	('llx_commandedet', 41, 'multicurrency_total_ttc', 'double(24,8)', false),
	('llx_c_ticket_category', 1, 'rowid', 'int(11)', true),
	('llx_c_ticket_category', 2, 'entity', 'int(11)', false),
	('llx_c_ticket_category', 3, 'code', 'varchar(32)', true),
	('llx_c_ticket_category', 4, 'label', 'varchar(128)', true),
	('llx_c_ticket_category', 5, 'public', 'int(11)', false),
	('llx_c_ticket_category', 6, 'use_default', 'int(11)', false),
	('llx_c_ticket_category', 7, 'fk_parent', 'int(11)', true),
	('llx_c_ticket_category', 8, 'force_severity', 'varchar(32)', false),
	('llx_c_ticket_category', 9, 'description', 'varchar(255)', false),
	('llx_c_ticket_category', 10, 'pos', 'int(11)', true),
	('llx_c_ticket_category', 11, 'active', 'int(11)', false),
	('llx_c_ticket_severity', 1, 'rowid', 'int(11)', true),
	('llx_c_ticket_severity', 2, 'entity', 'int(11)', false),
	('llx_c_ticket_severity', 3, 'code', 'varchar(32)', true),
	('llx_c_ticket_severity', 4, 'pos', 'varchar(32)', true),
	('llx_c_ticket_severity', 5, 'label', 'varchar(128)', true),
	('llx_c_ticket_severity', 6, 'color', 'varchar(10)', false),
	('llx_c_ticket_severity', 7, 'active', 'int(11)', false),
	('llx_c_ticket_severity', 8, 'use_default', 'int(11)', false),
	('llx_c_ticket_severity', 9, 'description', 'varchar(255)', false),
	('llx_c_ticket_type', 1, 'rowid', 'int(11)', true),
	('llx_c_ticket_type', 2, 'entity', 'int(11)', false),
	('llx_c_ticket_type', 3, 'code', 'varchar(32)', true),
	('llx_c_ticket_type', 4, 'pos', 'varchar(32)', true),
	('llx_c_ticket_type', 5, 'label', 'varchar(128)', true),
	('llx_c_ticket_type', 6, 'active', 'int(11)', false),
	('llx_c_ticket_type', 7, 'use_default', 'int(11)', false),
	('llx_c_ticket_type', 8, 'description', 'varchar(255)', false),
	('llx_element_element', 1, 'rowid', 'int(11)', true),
	('llx_element_element', 2, 'fk_source', 'int(11)', true),
	('llx_element_element', 3, 'sourcetype', 'varchar(64)', true),
	('llx_element_element', 4, 'fk_target', 'int(11)', true),
	('llx_element_element', 5, 'targettype', 'varchar(64)', true),
	('llx_element_time', 1, 'rowid', 'int(11)', true),
	('llx_element_time', 2, 'ref_ext', 'varchar(32)', false),
	('llx_element_time', 3, 'fk_element', 'int(11)', true),
	('llx_element_time', 4, 'elementtype', 'varchar(32)', true),
	('llx_element_time', 5, 'element_date', 'date', false),
	('llx_element_time', 6, 'element_datehour', 'datetime', false),
	('llx_element_time', 7, 'element_date_withhour', 'int(11)', false),
	('llx_element_time', 8, 'element_duration', 'double', false),
	('llx_element_time', 9, 'fk_product', 'int(11)', false),
	('llx_element_time', 10, 'fk_user', 'int(11)', false),
	('llx_element_time', 11, 'thm', 'double(24,8)', false),
	('llx_element_time', 12, 'invoice_id', 'int(11)', false),
	('llx_element_time', 13, 'invoice_line_id', 'int(11)', false),
	('llx_element_time', 14, 'intervention_id', 'int(11)', false),
	('llx_element_time', 15, 'intervention_line_id', 'int(11)', false),
	('llx_element_time', 16, 'import_key', 'varchar(14)', false),
	('llx_element_time', 17, 'datec', 'datetime', false),
	('llx_element_time', 18, 'tms', 'timestamp', false),
	('llx_element_time', 19, 'note', 'text', false),
	('llx_entrepot', 1, 'rowid', 'int(11)', true),
	('llx_entrepot', 2, 'ref', 'varchar(255)', true),
	('llx_entrepot', 3, 'datec', 'datetime', false),
	('llx_entrepot', 4, 'tms', 'timestamp', false),
	('llx_entrepot', 5, 'entity', 'int(11)', true),
	('llx_entrepot', 6, 'fk_project', 'int(11)', false),
	('llx_entrepot', 7, 'description', 'text', false),
	('llx_entrepot', 8, 'lieu', 'varchar(64)', false),
	('llx_entrepot', 9, 'address', 'varchar(255)', false),
	('llx_entrepot', 10, 'zip', 'varchar(10)', false),
	('llx_entrepot', 11, 'town', 'varchar(50)', false),
	('llx_entrepot', 12, 'fk_departement', 'int(11)', false),
	('llx_entrepot', 13, 'fk_pays', 'int(11)', false),
	('llx_entrepot', 14, 'phone', 'varchar(30)', false),
	('llx_entrepot', 15, 'fax', 'varchar(30)', false),
	('llx_entrepot', 16, 'barcode', 'varchar(180)', false),
	('llx_entrepot', 17, 'fk_barcode_type', 'int(11)', false),
	('llx_entrepot', 18, 'warehouse_usage', 'int(11)', false),
	('llx_entrepot', 19, 'statut', 'tinyint(4)', false),
	('llx_entrepot', 20, 'fk_user_author', 'int(11)', false),
	('llx_entrepot', 21, 'model_pdf', 'varchar(255)', false),
	('llx_entrepot', 22, 'import_key', 'varchar(14)', false),
	('llx_entrepot', 23, 'fk_parent', 'int(11)', false),
	('llx_extrafields', 1, 'rowid', 'int(11)', true),
	('llx_extrafields', 2, 'name', 'varchar(64)', true),
	('llx_extrafields', 3, 'entity', 'int(11)', true),
	('llx_extrafields', 4, 'elementtype', 'varchar(64)', true),
	('llx_extrafields', 5, 'label', 'varchar(255)', true),
	('llx_extrafields', 6, 'type', 'varchar(8)', false),
	('llx_extrafields', 7, 'size', 'varchar(8)', false),
	('llx_extrafields', 8, 'fieldcomputed', 'text', false),
	('llx_extrafields', 9, 'fielddefault', 'varchar(255)', false),
	('llx_extrafields', 10, 'fieldunique', 'int(11)', false),
	('llx_extrafields', 11, 'fieldrequired', 'int(11)', false),
	('llx_extrafields', 12, 'perms', 'varchar(255)', false),
	('llx_extrafields', 13, 'enabled', 'varchar(255)', false),
	('llx_extrafields', 14, 'pos', 'int(11)', false),
	('llx_extrafields', 15, 'alwayseditable', 'int(11)', false),
	('llx_extrafields', 16, 'param', 'text', false),
	('llx_extrafields', 17, 'list', 'varchar(255)', false),
	('llx_extrafields', 18, 'printable', 'int(11)', false),
	('llx_extrafields', 19, 'totalizable', 'tinyint(1)', false),
	('llx_extrafields', 20, 'langs', 'varchar(64)', false),
	('llx_extrafields', 21, 'help', 'text', false),
	('llx_extrafields', 22, 'css', 'varchar(128)', false),
	('llx_extrafields', 23, 'cssview', 'varchar(128)', false),
	('llx_extrafields', 24, 'csslist', 'varchar(128)', false),
	('llx_extrafields', 25, 'fk_user_author', 'int(11)', false),
	('llx_extrafields', 26, 'fk_user_modif', 'int(11)', false),
	('llx_extrafields', 27, 'datec', 'datetime', false),
	('llx_extrafields', 28, 'tms', 'timestamp', false),
	('llx_facture', 1, 'rowid', 'int(11)', true),
	('llx_facture', 2, 'ref', 'varchar(30)', true),
	('llx_facture', 3, 'entity', 'int(11)', true),
	('llx_facture', 4, 'ref_ext', 'varchar(255)', false),
	('llx_facture', 5, 'ref_client', 'varchar(255)', false),
	('llx_facture', 6, 'type', 'smallint(6)', true),
	('llx_facture', 7, 'subtype', 'smallint(6)', false),
	('llx_facture', 8, 'fk_soc', 'int(11)', true),
	('llx_facture', 9, 'datec', 'datetime', false),
	('llx_facture', 10, 'datef', 'date', false),
	('llx_facture', 11, 'date_pointoftax', 'date', false),
	('llx_facture', 12, 'date_valid', 'date', false),
	('llx_facture', 13, 'tms', 'timestamp', false),
	('llx_facture', 14, 'date_closing', 'datetime', false),
	('llx_facture', 15, 'paye', 'smallint(6)', true),
	('llx_facture', 16, 'remise_percent', 'double', false),
	('llx_facture', 17, 'remise_absolue', 'double', false),
	('llx_facture', 18, 'remise', 'double', false),
	('llx_facture', 19, 'close_code', 'varchar(16)', false),
	('llx_facture', 20, 'close_missing_amount', 'double(24,8)', false),
	('llx_facture', 21, 'close_note', 'varchar(128)', false),
	('llx_facture', 22, 'total_tva', 'double(24,8)', false),
	('llx_facture', 23, 'localtax1', 'double(24,8)', false),
	('llx_facture', 24, 'localtax2', 'double(24,8)', false),
	('llx_facture', 25, 'revenuestamp', 'double(24,8)', false),
	('llx_facture', 26, 'total_ht', 'double(24,8)', false),
	('llx_facture', 27, 'total_ttc', 'double(24,8)', false),
	('llx_facture', 28, 'fk_statut', 'smallint(6)', true),
	('llx_facture', 29, 'fk_user_author', 'int(11)', false),
	('llx_facture', 30, 'fk_user_modif', 'int(11)', false),
	('llx_facture', 31, 'fk_user_valid', 'int(11)', false),
	('llx_facture', 32, 'fk_user_closing', 'int(11)', false),
	('llx_facture', 33, 'module_source', 'varchar(32)', false),
	('llx_facture', 34, 'pos_source', 'varchar(32)', false),
	('llx_facture', 35, 'fk_fac_rec_source', 'int(11)', false),
	('llx_facture', 36, 'fk_facture_source', 'int(11)', false),
	('llx_facture', 37, 'fk_projet', 'int(11)', false),
	('llx_facture', 38, 'increment', 'varchar(10)', false),
	('llx_facture', 39, 'fk_account', 'int(11)', false),
	('llx_facture', 40, 'fk_currency', 'varchar(3)', false),
	('llx_facture', 41, 'fk_cond_reglement', 'int(11)', true),
	('llx_facture', 42, 'fk_mode_reglement', 'int(11)', false),
	('llx_facture', 43, 'date_lim_reglement', 'date', false),
	('llx_facture', 44, 'payment_reference', 'varchar(25)', false),
	('llx_facture', 45, 'note_private', 'text', false),
	('llx_facture', 46, 'note_public', 'text', false),
	('llx_facture', 47, 'model_pdf', 'varchar(255)', false),
	('llx_facture', 48, 'last_main_doc', 'varchar(255)', false),
	('llx_facture', 49, 'fk_input_reason', 'int(11)', false),
	('llx_facture', 50, 'fk_incoterms', 'int(11)', false),
	('llx_facture', 51, 'location_incoterms', 'varchar(255)', false),
	('llx_facture', 52, 'fk_transport_mode', 'int(11)', false),
	('llx_facture', 53, 'prorata_discount', 'double', false),
	('llx_facture', 54, 'situation_cycle_ref', 'int(11)', false),
	('llx_facture', 55, 'situation_counter', 'smallint(6)', false),
	('llx_facture', 56, 'situation_final', 'smallint(6)', false),
	('llx_facture', 57, 'retained_warranty', 'double', false),
	('llx_facture', 58, 'retained_warranty_date_limit', 'date', false),
	('llx_facture', 59, 'retained_warranty_fk_cond_reglement', 'int(11)', false),
	('llx_facture', 60, 'import_key', 'varchar(14)', false),
	('llx_facture', 61, 'extraparams', 'varchar(255)', false),
	('llx_facture', 62, 'is_also_delivery_note', 'tinyint(4)', true),
	('llx_facture', 63, 'fk_multicurrency', 'int(11)', false),
	('llx_facture', 64, 'multicurrency_code', 'varchar(3)', false),
	('llx_facture', 65, 'multicurrency_tx', 'double(24,8)', false),
	('llx_facture', 66, 'multicurrency_total_ht', 'double(24,8)', false),
	('llx_facture', 67, 'multicurrency_total_tva', 'double(24,8)', false),
	('llx_facture', 68, 'multicurrency_total_ttc', 'double(24,8)', false),
	('llx_facturedet', 1, 'rowid', 'int(11)', true),
	('llx_facturedet', 2, 'fk_facture', 'int(11)', true),
	('llx_facturedet', 3, 'fk_parent_line', 'int(11)', false),
	('llx_facturedet', 4, 'fk_product', 'int(11)', false),
	('llx_facturedet', 5, 'label', 'varchar(255)', false),
	('llx_facturedet', 6, 'description', 'text', false),
	('llx_facturedet', 7, 'vat_src_code', 'varchar(10)', false),
	('llx_facturedet', 8, 'tva_tx', 'double(7,4)', false),
	('llx_facturedet', 9, 'localtax1_tx', 'double(7,4)', false),
	('llx_facturedet', 10, 'localtax1_type', 'varchar(10)', false),
	('llx_facturedet', 11, 'localtax2_tx', 'double(7,4)', false),
	('llx_facturedet', 12, 'localtax2_type', 'varchar(10)', false),
	('llx_facturedet', 13, 'qty', 'double', false),
	('llx_facturedet', 14, 'remise_percent', 'double', false),
	('llx_facturedet', 15, 'remise', 'double', false),
	('llx_facturedet', 16, 'fk_remise_except', 'int(11)', false),
	('llx_facturedet', 17, 'subprice', 'double(24,8)', false),
	('llx_facturedet', 18, 'subprice_ttc', 'double(24,8)', false),
	('llx_facturedet', 19, 'price', 'double(24,8)', false),
	('llx_facturedet', 20, 'total_ht', 'double(24,8)', false),
	('llx_facturedet', 21, 'total_tva', 'double(24,8)', false),
	('llx_facturedet', 22, 'total_localtax1', 'double(24,8)', false),
	('llx_facturedet', 23, 'total_localtax2', 'double(24,8)', false),
	('llx_facturedet', 24, 'total_ttc', 'double(24,8)', false),
	('llx_facturedet', 25, 'product_type', 'int(11)', false),
	('llx_facturedet', 26, 'date_start', 'datetime', false),
	('llx_facturedet', 27, 'date_end', 'datetime', false),
	('llx_facturedet', 28, 'info_bits', 'int(11)', false),
	('llx_facturedet', 29, 'buy_price_ht', 'double(24,8)', false),
	('llx_facturedet', 30, 'fk_product_fournisseur_price', 'int(11)', false),
	('llx_facturedet', 31, 'batch', 'varchar(128)', false),
	('llx_facturedet', 32, 'fk_warehouse', 'int(11)', false),
	('llx_facturedet', 33, 'special_code', 'int(11)', false),
	('llx_facturedet', 34, 'rang', 'int(11)', false),
	('llx_facturedet', 35, 'fk_contract_line', 'int(11)', false),
	('llx_facturedet', 36, 'fk_unit', 'int(11)', false),
	('llx_facturedet', 37, 'import_key', 'varchar(14)', false),
	('llx_facturedet', 38, 'fk_code_ventilation', 'int(11)', true),
	('llx_facturedet', 39, 'situation_percent', 'double', false),
	('llx_facturedet', 40, 'fk_prev_id', 'int(11)', false),
	('llx_facturedet', 41, 'fk_user_author', 'int(11)', false),
	('llx_facturedet', 42, 'fk_user_modif', 'int(11)', false),
	('llx_facturedet', 43, 'fk_multicurrency', 'int(11)', false),
	('llx_facturedet', 44, 'multicurrency_code', 'varchar(3)', false),
	('llx_facturedet', 45, 'multicurrency_subprice', 'double(24,8)', false),
	('llx_facturedet', 46, 'multicurrency_subprice_ttc', 'double(24,8)', false),
	('llx_facturedet', 47, 'multicurrency_total_ht', 'double(24,8)', false),
	('llx_facturedet', 48, 'multicurrency_total_tva', 'double(24,8)', false),
	('llx_facturedet', 49, 'multicurrency_total_ttc', 'double(24,8)', false),
	('llx_facturedet', 50, 'ref_ext', 'varchar(255)', false),
	('llx_facturedet', 51, 'extraparams', 'varchar(255)', false),
	('llx_fichinter', 1, 'rowid', 'int(11)', true),
	('llx_fichinter', 2, 'fk_soc', 'int(11)', true),
	('llx_fichinter', 3, 'fk_projet', 'int(11)', false),
	('llx_fichinter', 4, 'fk_contrat', 'int(11)', false),
	('llx_fichinter', 5, 'ref', 'varchar(30)', true),
	('llx_fichinter', 6, 'ref_ext', 'varchar(255)', false),
	('llx_fichinter', 7, 'ref_client', 'varchar(255)', false),
	('llx_fichinter', 8, 'entity', 'int(11)', true),
	('llx_fichinter', 9, 'tms', 'timestamp', false),
	('llx_fichinter', 10, 'datec', 'datetime', false),
	('llx_fichinter', 11, 'date_valid', 'datetime', false),
	('llx_fichinter', 12, 'datei', 'date', false),
	('llx_fichinter', 13, 'fk_user_author', 'int(11)', false),
	('llx_fichinter', 14, 'fk_user_modif', 'int(11)', false),
	('llx_fichinter', 15, 'fk_user_valid', 'int(11)', false),
	('llx_fichinter', 16, 'fk_statut', 'smallint(6)', false),
	('llx_fichinter', 17, 'dateo', 'date', false),
	('llx_fichinter', 18, 'datee', 'date', false),
	('llx_fichinter', 19, 'datet', 'date', false),
	('llx_fichinter', 20, 'duree', 'double', false),
	('llx_fichinter', 21, 'description', 'text', false),
	('llx_fichinter', 22, 'signed_status', 'smallint(6)', false),
	('llx_fichinter', 23, 'online_sign_ip', 'varchar(48)', false),
	('llx_fichinter', 24, 'online_sign_name', 'varchar(64)', false),
	('llx_fichinter', 25, 'note_private', 'text', false),
	('llx_fichinter', 26, 'note_public', 'text', false),
	('llx_fichinter', 27, 'model_pdf', 'varchar(255)', false),
	('llx_fichinter', 28, 'last_main_doc', 'varchar(255)', false),
	('llx_fichinter', 29, 'import_key', 'varchar(14)', false),
	('llx_fichinter', 30, 'extraparams', 'varchar(255)', false),
	('llx_fichinterdet', 1, 'rowid', 'int(11)', true),
	('llx_fichinterdet', 2, 'fk_fichinter', 'int(11)', false),
	('llx_fichinterdet', 3, 'fk_parent_line', 'int(11)', false),
	('llx_fichinterdet', 4, 'date', 'datetime', false),
	('llx_fichinterdet', 5, 'description', 'text', false),
	('llx_fichinterdet', 6, 'duree', 'int(11)', false),
	('llx_fichinterdet', 7, 'rang', 'int(11)', false),
	('llx_fichinterdet', 8, 'extraparams', 'varchar(255)', false),
	('llx_product', 1, 'rowid', 'int(11)', true),
	('llx_product', 2, 'ref', 'varchar(128)', true),
	('llx_product', 3, 'entity', 'int(11)', true),
	('llx_product', 4, 'ref_ext', 'varchar(128)', false),
	('llx_product', 5, 'datec', 'datetime', false),
	('llx_product', 6, 'tms', 'timestamp', false),
	('llx_product', 7, 'fk_parent', 'int(11)', false),
	('llx_product', 8, 'label', 'varchar(255)', true),
	('llx_product', 9, 'description', 'text', false),
	('llx_product', 10, 'note_public', 'mediumtext', false),
	('llx_product', 11, 'note', 'mediumtext', false),
	('llx_product', 12, 'customcode', 'varchar(32)', false),
	('llx_product', 13, 'fk_country', 'int(11)', false),
	('llx_product', 14, 'fk_state', 'int(11)', false),
	('llx_product', 15, 'price', 'double(24,8)', false),
	('llx_product', 16, 'price_ttc', 'double(24,8)', false),
	('llx_product', 17, 'price_min', 'double(24,8)', false),
	('llx_product', 18, 'price_min_ttc', 'double(24,8)', false),
	('llx_product', 19, 'price_base_type', 'varchar(3)', false),
	('llx_product', 20, 'price_label', 'varchar(255)', false),
	('llx_product', 21, 'cost_price', 'double(24,8)', false),
	('llx_product', 22, 'default_vat_code', 'varchar(10)', false),
	('llx_product', 23, 'tva_tx', 'double(7,4)', false),
	('llx_product', 24, 'recuperableonly', 'int(11)', true),
	('llx_product', 25, 'localtax1_tx', 'double(7,4)', false),
	('llx_product', 26, 'localtax1_type', 'varchar(10)', true),
	('llx_product', 27, 'localtax2_tx', 'double(7,4)', false),
	('llx_product', 28, 'localtax2_type', 'varchar(10)', true),
	('llx_product', 29, 'fk_user_author', 'int(11)', false),
	('llx_product', 30, 'fk_user_modif', 'int(11)', false),
	('llx_product', 31, 'tosell', 'tinyint(4)', false),
	('llx_product', 32, 'tobuy', 'tinyint(4)', false),
	('llx_product', 33, 'tobatch', 'tinyint(4)', true),
	('llx_product', 34, 'sell_or_eat_by_mandatory', 'tinyint(4)', true),
	('llx_product', 35, 'batch_mask', 'varchar(32)', false),
	('llx_product', 36, 'fk_product_type', 'int(11)', false),
	('llx_product', 37, 'duration', 'varchar(6)', false),
	('llx_product', 38, 'seuil_stock_alerte', 'float', false),
	('llx_product', 39, 'url', 'varchar(255)', false),
	('llx_product', 40, 'barcode', 'varchar(180)', false),
	('llx_product', 41, 'fk_barcode_type', 'int(11)', false),
	('llx_product', 42, 'accountancy_code_sell', 'varchar(32)', false),
	('llx_product', 43, 'accountancy_code_sell_intra', 'varchar(32)', false),
	('llx_product', 44, 'accountancy_code_sell_export', 'varchar(32)', false),
	('llx_product', 45, 'accountancy_code_buy', 'varchar(32)', false),
	('llx_product', 46, 'accountancy_code_buy_intra', 'varchar(32)', false),
	('llx_product', 47, 'accountancy_code_buy_export', 'varchar(32)', false),
	('llx_product', 48, 'partnumber', 'varchar(32)', false),
	('llx_product', 49, 'net_measure', 'float', false),
	('llx_product', 50, 'net_measure_units', 'tinyint(4)', false),
	('llx_product', 51, 'weight', 'float', false),
	('llx_product', 52, 'weight_units', 'tinyint(4)', false),
	('llx_product', 53, 'length', 'float', false),
	('llx_product', 54, 'length_units', 'tinyint(4)', false),
	('llx_product', 55, 'width', 'float', false),
	('llx_product', 56, 'width_units', 'tinyint(4)', false),
	('llx_product', 57, 'height', 'float', false),
	('llx_product', 58, 'height_units', 'tinyint(4)', false),
	('llx_product', 59, 'surface', 'float', false),
	('llx_product', 60, 'surface_units', 'tinyint(4)', false),
	('llx_product', 61, 'volume', 'float', false),
	('llx_product', 62, 'volume_units', 'tinyint(4)', false),
	('llx_product', 63, 'stockable_product', 'int(11)', true),
	('llx_product', 64, 'stock', 'double', false),
	('llx_product', 65, 'pmp', 'double(24,8)', true),
	('llx_product', 66, 'fifo', 'double(24,8)', false),
	('llx_product', 67, 'lifo', 'double(24,8)', false),
	('llx_product', 68, 'fk_default_warehouse', 'int(11)', false),
	('llx_product', 69, 'fk_default_bom', 'int(11)', false),
	('llx_product', 70, 'fk_default_workstation', 'int(11)', false),
	('llx_product', 71, 'canvas', 'varchar(32)', false),
	('llx_product', 72, 'finished', 'tinyint(4)', false),
	('llx_product', 73, 'lifetime', 'int(11)', false),
	('llx_product', 74, 'qc_frequency', 'int(11)', false),
	('llx_product', 75, 'hidden', 'tinyint(4)', false),
	('llx_product', 76, 'import_key', 'varchar(14)', false),
	('llx_product', 77, 'model_pdf', 'varchar(255)', false),
	('llx_product', 78, 'fk_price_expression', 'int(11)', false),
	('llx_product', 79, 'desiredstock', 'float', false),
	('llx_product', 80, 'fk_unit', 'int(11)', false),
	('llx_product', 81, 'price_autogen', 'tinyint(4)', false),
	('llx_product', 82, 'fk_project', 'int(11)', false),
	('llx_product', 83, 'mandatory_period', 'tinyint(4)', false),
	('llx_product', 84, 'last_main_doc', 'varchar(255)', false),
	('llx_product', 85, 'packaging', 'float(24,8)', false),
	('llx_product_fournisseur_price', 1, 'rowid', 'int(11)', true),
	('llx_product_fournisseur_price', 2, 'entity', 'int(11)', true),
	('llx_product_fournisseur_price', 3, 'datec', 'datetime', false),
	('llx_product_fournisseur_price', 4, 'tms', 'timestamp', false),
	('llx_product_fournisseur_price', 5, 'fk_product', 'int(11)', false),
	('llx_product_fournisseur_price', 6, 'fk_soc', 'int(11)', false),
	('llx_product_fournisseur_price', 7, 'ref_fourn', 'varchar(128)', false),
	('llx_product_fournisseur_price', 8, 'desc_fourn', 'text', false),
	('llx_product_fournisseur_price', 9, 'fk_availability', 'int(11)', false),
	('llx_product_fournisseur_price', 10, 'price', 'double(24,8)', false),
	('llx_product_fournisseur_price', 11, 'quantity', 'double', false),
	('llx_product_fournisseur_price', 12, 'remise_percent', 'double', true),
	('llx_product_fournisseur_price', 13, 'remise', 'double', true),
	('llx_product_fournisseur_price', 14, 'unitprice', 'double(24,8)', false),
	('llx_product_fournisseur_price', 15, 'charges', 'double(24,8)', false),
	('llx_product_fournisseur_price', 16, 'default_vat_code', 'varchar(10)', false),
	('llx_product_fournisseur_price', 17, 'barcode', 'varchar(180)', false),
	('llx_product_fournisseur_price', 18, 'fk_barcode_type', 'int(11)', false),
	('llx_product_fournisseur_price', 19, 'tva_tx', 'double(7,4)', true),
	('llx_product_fournisseur_price', 20, 'localtax1_tx', 'double(7,4)', false),
	('llx_product_fournisseur_price', 21, 'localtax1_type', 'varchar(10)', true),
	('llx_product_fournisseur_price', 22, 'localtax2_tx', 'double(7,4)', false),
	('llx_product_fournisseur_price', 23, 'localtax2_type', 'varchar(10)', true),
	('llx_product_fournisseur_price', 24, 'info_bits', 'int(11)', true),
	('llx_product_fournisseur_price', 25, 'fk_user', 'int(11)', false),
	('llx_product_fournisseur_price', 26, 'fk_supplier_price_expression', 'int(11)', false),
	('llx_product_fournisseur_price', 27, 'delivery_time_days', 'int(11)', false),
	('llx_product_fournisseur_price', 28, 'supplier_reputation', 'varchar(10)', false),
	('llx_product_fournisseur_price', 29, 'packaging', 'double', false),
	('llx_product_fournisseur_price', 30, 'fk_multicurrency', 'int(11)', false),
	('llx_product_fournisseur_price', 31, 'multicurrency_code', 'varchar(3)', false),
	('llx_product_fournisseur_price', 32, 'multicurrency_tx', 'double(24,8)', false),
	('llx_product_fournisseur_price', 33, 'multicurrency_unitprice', 'double(24,8)', false),
	('llx_product_fournisseur_price', 34, 'multicurrency_price', 'double(24,8)', false),
	('llx_product_fournisseur_price', 35, 'import_key', 'varchar(14)', false),
	('llx_product_fournisseur_price', 36, 'status', 'int(11)', false),
	('llx_product_stock', 1, 'rowid', 'int(11)', true),
	('llx_product_stock', 2, 'tms', 'timestamp', false),
	('llx_product_stock', 3, 'fk_product', 'int(11)', true),
	('llx_product_stock', 4, 'fk_entrepot', 'int(11)', true),
	('llx_product_stock', 5, 'reel', 'double', false),
	('llx_product_stock', 6, 'import_key', 'varchar(14)', false),
	('llx_projet', 1, 'rowid', 'int(11)', true),
	('llx_projet', 2, 'fk_project', 'int(11)', false),
	('llx_projet', 3, 'fk_soc', 'int(11)', false),
	('llx_projet', 4, 'datec', 'datetime', false),
	('llx_projet', 5, 'tms', 'timestamp', false),
	('llx_projet', 6, 'dateo', 'date', false),
	('llx_projet', 7, 'datee', 'date', false),
	('llx_projet', 8, 'ref', 'varchar(50)', false),
	('llx_projet', 9, 'ref_ext', 'varchar(50)', false),
	('llx_projet', 10, 'entity', 'int(11)', true),
	('llx_projet', 11, 'title', 'varchar(255)', true),
	('llx_projet', 12, 'description', 'text', false),
	('llx_projet', 13, 'fk_user_creat', 'int(11)', true),
	('llx_projet', 14, 'fk_user_modif', 'int(11)', false),
	('llx_projet', 15, 'public', 'int(11)', false),
	('llx_projet', 16, 'fk_statut', 'int(11)', true),
	('llx_projet', 17, 'fk_opp_status', 'int(11)', false),
	('llx_projet', 18, 'opp_percent', 'double(5,2)', false),
	('llx_projet', 19, 'fk_opp_status_end', 'int(11)', false),
	('llx_projet', 20, 'date_close', 'datetime', false),
	('llx_projet', 21, 'fk_user_close', 'int(11)', false),
	('llx_projet', 22, 'note_private', 'text', false),
	('llx_projet', 23, 'note_public', 'text', false),
	('llx_projet', 24, 'email_msgid', 'varchar(175)', false),
	('llx_projet', 25, 'email_date', 'datetime', false),
	('llx_projet', 26, 'opp_amount', 'double(24,8)', false),
	('llx_projet', 27, 'budget_amount', 'double(24,8)', false),
	('llx_projet', 28, 'usage_opportunity', 'int(11)', false),
	('llx_projet', 29, 'usage_task', 'int(11)', false),
	('llx_projet', 30, 'usage_bill_time', 'int(11)', false),
	('llx_projet', 31, 'usage_organize_event', 'int(11)', false),
	('llx_projet', 32, 'date_start_event', 'datetime', false),
	('llx_projet', 33, 'date_end_event', 'datetime', false),
	('llx_projet', 34, 'location', 'varchar(255)', false),
	('llx_projet', 35, 'accept_conference_suggestions', 'int(11)', false),
	('llx_projet', 36, 'accept_booth_suggestions', 'int(11)', false),
	('llx_projet', 37, 'max_attendees', 'int(11)', false),
	('llx_projet', 38, 'price_registration', 'double(24,8)', false),
	('llx_projet', 39, 'price_booth', 'double(24,8)', false),
	('llx_projet', 40, 'model_pdf', 'varchar(255)', false),
	('llx_projet', 41, 'ip', 'varchar(250)', false),
	('llx_projet', 42, 'last_main_doc', 'varchar(255)', false),
	('llx_projet', 43, 'import_key', 'varchar(14)', false),
	('llx_projet', 44, 'extraparams', 'varchar(255)', false),
	('llx_projet_task', 1, 'rowid', 'int(11)', true),
	('llx_projet_task', 2, 'ref', 'varchar(50)', false),
	('llx_projet_task', 3, 'entity', 'int(11)', true),
	('llx_projet_task', 4, 'fk_projet', 'int(11)', true),
	('llx_projet_task', 5, 'fk_task_parent', 'int(11)', true),
	('llx_projet_task', 6, 'datec', 'datetime', false),
	('llx_projet_task', 7, 'tms', 'timestamp', false),
	('llx_projet_task', 8, 'dateo', 'datetime', false),
	('llx_projet_task', 9, 'datee', 'datetime', false),
	('llx_projet_task', 10, 'datev', 'datetime', false),
	('llx_projet_task', 11, 'label', 'varchar(255)', true),
	('llx_projet_task', 12, 'description', 'text', false),
	('llx_projet_task', 13, 'duration_effective', 'double', false),
	('llx_projet_task', 14, 'planned_workload', 'double', false),
	('llx_projet_task', 15, 'progress', 'int(11)', false),
	('llx_projet_task', 16, 'priority', 'int(11)', false),
	('llx_projet_task', 17, 'budget_amount', 'double(24,8)', false),
	('llx_projet_task', 18, 'fk_user_creat', 'int(11)', false),
	('llx_projet_task', 19, 'fk_user_modif', 'int(11)', false),
	('llx_projet_task', 20, 'fk_user_valid', 'int(11)', false),
	('llx_projet_task', 21, 'fk_statut', 'smallint(6)', true),
	('llx_projet_task', 22, 'note_private', 'text', false),
	('llx_projet_task', 23, 'note_public', 'text', false),
	('llx_projet_task', 24, 'rang', 'int(11)', false),
	('llx_projet_task', 25, 'model_pdf', 'varchar(255)', false),
	('llx_projet_task', 26, 'import_key', 'varchar(14)', false),
	('llx_projet_task', 27, 'billable', 'smallint(6)', false),
	('llx_societe', 1, 'rowid', 'int(11)', true),
	('llx_societe', 2, 'nom', 'varchar(128)', false),
	('llx_societe', 3, 'name_alias', 'varchar(128)', false),
	('llx_societe', 4, 'entity', 'int(11)', true),
	('llx_societe', 5, 'ref_ext', 'varchar(255)', false),
	('llx_societe', 6, 'statut', 'tinyint(4)', false),
	('llx_societe', 7, 'parent', 'int(11)', false),
	('llx_societe', 8, 'status', 'tinyint(4)', false),
	('llx_societe', 9, 'code_client', 'varchar(24)', false),
	('llx_societe', 10, 'code_fournisseur', 'varchar(24)', false),
	('llx_societe', 11, 'tp_payment_reference', 'varchar(25)', false),
	('llx_societe', 12, 'accountancy_code_customer_general', 'varchar(32)', false),
	('llx_societe', 13, 'code_compta', 'varchar(32)', false),
	('llx_societe', 14, 'accountancy_code_supplier_general', 'varchar(32)', false),
	('llx_societe', 15, 'code_compta_fournisseur', 'varchar(32)', false),
	('llx_societe', 16, 'address', 'varchar(255)', false),
	('llx_societe', 17, 'zip', 'varchar(25)', false),
	('llx_societe', 18, 'town', 'varchar(50)', false),
	('llx_societe', 19, 'fk_departement', 'int(11)', false),
	('llx_societe', 20, 'fk_pays', 'int(11)', false),
	('llx_societe', 21, 'geolat', 'double(24,8)', false),
	('llx_societe', 22, 'geolong', 'double(24,8)', false),
	('llx_societe', 23, 'geopoint', 'point', false),
	('llx_societe', 24, 'georesultcode', 'varchar(16)', false),
	('llx_societe', 25, 'phone', 'varchar(30)', false),
	('llx_societe', 26, 'phone_mobile', 'varchar(30)', false),
	('llx_societe', 27, 'fax', 'varchar(30)', false),
	('llx_societe', 28, 'url', 'varchar(255)', false),
	('llx_societe', 29, 'email', 'varchar(128)', false),
	('llx_societe', 30, 'fk_account', 'int(11)', false),
	('llx_societe', 31, 'socialnetworks', 'text', false),
	('llx_societe', 32, 'fk_effectif', 'int(11)', false),
	('llx_societe', 33, 'fk_typent', 'int(11)', false),
	('llx_societe', 34, 'fk_forme_juridique', 'int(11)', false),
	('llx_societe', 35, 'fk_currency', 'varchar(3)', false),
	('llx_societe', 36, 'siren', 'varchar(128)', false),
	('llx_societe', 37, 'siret', 'varchar(128)', false),
	('llx_societe', 38, 'ape', 'varchar(128)', false),
	('llx_societe', 39, 'idprof4', 'varchar(128)', false),
	('llx_societe', 40, 'idprof5', 'varchar(128)', false),
	('llx_societe', 41, 'idprof6', 'varchar(128)', false),
	('llx_societe', 42, 'tva_intra', 'varchar(20)', false),
	('llx_societe', 43, 'capital', 'double(24,8)', false),
	('llx_societe', 44, 'fk_stcomm', 'int(11)', true),
	('llx_societe', 45, 'note_private', 'text', false),
	('llx_societe', 46, 'note_public', 'text', false),
	('llx_societe', 47, 'model_pdf', 'varchar(255)', false),
	('llx_societe', 48, 'last_main_doc', 'varchar(255)', false),
	('llx_societe', 49, 'prefix_comm', 'varchar(5)', false),
	('llx_societe', 50, 'client', 'tinyint(4)', false),
	('llx_societe', 51, 'fournisseur', 'tinyint(4)', false),
	('llx_societe', 52, 'supplier_account', 'varchar(32)', false),
	('llx_societe', 53, 'fk_prospectlevel', 'varchar(12)', false),
	('llx_societe', 54, 'fk_incoterms', 'int(11)', false),
	('llx_societe', 55, 'location_incoterms', 'varchar(255)', false),
	('llx_societe', 56, 'customer_bad', 'tinyint(4)', false),
	('llx_societe', 57, 'customer_rate', 'double', false),
	('llx_societe', 58, 'supplier_rate', 'double', false),
	('llx_societe', 59, 'remise_client', 'double', false),
	('llx_societe', 60, 'remise_supplier', 'double', false),
	('llx_societe', 61, 'mode_reglement', 'tinyint(4)', false),
	('llx_societe', 62, 'cond_reglement', 'tinyint(4)', false),
	('llx_societe', 63, 'deposit_percent', 'varchar(63)', false),
	('llx_societe', 64, 'transport_mode', 'tinyint(4)', false),
	('llx_societe', 65, 'mode_reglement_supplier', 'tinyint(4)', false),
	('llx_societe', 66, 'cond_reglement_supplier', 'tinyint(4)', false),
	('llx_societe', 67, 'transport_mode_supplier', 'tinyint(4)', false),
	('llx_societe', 68, 'fk_shipping_method', 'int(11)', false),
	('llx_societe', 69, 'tva_assuj', 'tinyint(4)', false),
	('llx_societe', 70, 'vat_reverse_charge', 'tinyint(4)', false),
	('llx_societe', 71, 'localtax1_assuj', 'tinyint(4)', false),
	('llx_societe', 72, 'localtax1_value', 'double(7,4)', false),
	('llx_societe', 73, 'localtax2_assuj', 'tinyint(4)', false),
	('llx_societe', 74, 'localtax2_value', 'double(7,4)', false),
	('llx_societe', 75, 'barcode', 'varchar(180)', false),
	('llx_societe', 76, 'fk_barcode_type', 'int(11)', false),
	('llx_societe', 77, 'price_level', 'int(11)', false),
	('llx_societe', 78, 'outstanding_limit', 'double(24,8)', false),
	('llx_societe', 79, 'order_min_amount', 'double(24,8)', false),
	('llx_societe', 80, 'supplier_order_min_amount', 'double(24,8)', false),
	('llx_societe', 81, 'default_lang', 'varchar(6)', false),
	('llx_societe', 82, 'logo', 'varchar(255)', false),
	('llx_societe', 83, 'logo_squarred', 'varchar(255)', false),
	('llx_societe', 84, 'canvas', 'varchar(32)', false),
	('llx_societe', 85, 'fk_warehouse', 'int(11)', false),
	('llx_societe', 86, 'webservices_url', 'varchar(255)', false),
	('llx_societe', 87, 'webservices_key', 'varchar(128)', false),
	('llx_societe', 88, 'accountancy_code_sell', 'varchar(32)', false),
	('llx_societe', 89, 'accountancy_code_buy', 'varchar(32)', false),
	('llx_societe', 90, 'tms', 'timestamp', false),
	('llx_societe', 91, 'datec', 'datetime', false),
	('llx_societe', 92, 'fk_user_creat', 'int(11)', false),
	('llx_societe', 93, 'fk_user_modif', 'int(11)', false),
	('llx_societe', 94, 'fk_multicurrency', 'int(11)', false),
	('llx_societe', 95, 'multicurrency_code', 'varchar(3)', false),
	('llx_societe', 96, 'ip', 'varchar(250)', false),
	('llx_societe', 97, 'import_key', 'varchar(14)', false),
	('llx_socpeople', 1, 'rowid', 'int(11)', true),
	('llx_socpeople', 2, 'datec', 'datetime', false),
	('llx_socpeople', 3, 'tms', 'timestamp', false),
	('llx_socpeople', 4, 'fk_soc', 'int(11)', false),
	('llx_socpeople', 5, 'entity', 'int(11)', true),
	('llx_socpeople', 6, 'ref_ext', 'varchar(255)', false),
	('llx_socpeople', 7, 'name_alias', 'varchar(255)', false),
	('llx_socpeople', 8, 'fk_parent', 'int(11)', false),
	('llx_socpeople', 9, 'civility', 'varchar(6)', false),
	('llx_socpeople', 10, 'lastname', 'varchar(50)', false),
	('llx_socpeople', 11, 'firstname', 'varchar(50)', false),
	('llx_socpeople', 12, 'address', 'varchar(255)', false),
	('llx_socpeople', 13, 'zip', 'varchar(25)', false),
	('llx_socpeople', 14, 'town', 'varchar(255)', false),
	('llx_socpeople', 15, 'fk_departement', 'int(11)', false),
	('llx_socpeople', 16, 'fk_pays', 'int(11)', false),
	('llx_socpeople', 17, 'geolat', 'double(24,8)', false),
	('llx_socpeople', 18, 'geolong', 'double(24,8)', false),
	('llx_socpeople', 19, 'geopoint', 'point', false),
	('llx_socpeople', 20, 'georesultcode', 'varchar(16)', false),
	('llx_socpeople', 21, 'birthday', 'date', false),
	('llx_socpeople', 22, 'poste', 'varchar(255)', false),
	('llx_socpeople', 23, 'phone', 'varchar(30)', false),
	('llx_socpeople', 24, 'phone_perso', 'varchar(30)', false),
	('llx_socpeople', 25, 'phone_mobile', 'varchar(30)', false),
	('llx_socpeople', 26, 'fax', 'varchar(30)', false),
	('llx_socpeople', 27, 'url', 'varchar(255)', false),
	('llx_socpeople', 28, 'email', 'varchar(255)', false),
	('llx_socpeople', 29, 'socialnetworks', 'text', false),
	('llx_socpeople', 30, 'photo', 'varchar(255)', false),
	('llx_socpeople', 31, 'no_email', 'smallint(6)', true),
	('llx_socpeople', 32, 'priv', 'smallint(6)', true),
	('llx_socpeople', 33, 'fk_prospectlevel', 'varchar(12)', false),
	('llx_socpeople', 34, 'fk_stcommcontact', 'int(11)', true),
	('llx_socpeople', 35, 'fk_user_creat', 'int(11)', false),
	('llx_socpeople', 36, 'fk_user_modif', 'int(11)', false),
	('llx_socpeople', 37, 'note_private', 'text', false),
	('llx_socpeople', 38, 'note_public', 'text', false),
	('llx_socpeople', 39, 'default_lang', 'varchar(6)', false),
	('llx_socpeople', 40, 'canvas', 'varchar(32)', false),
	('llx_socpeople', 41, 'import_key', 'varchar(14)', false),
	('llx_socpeople', 42, 'statut', 'tinyint(4)', true),
	('llx_socpeople', 43, 'ip', 'varchar(250)', false),
	('llx_stock_mouvement', 1, 'rowid', 'int(11)', true),
	('llx_stock_mouvement', 2, 'tms', 'timestamp', false),
	('llx_stock_mouvement', 3, 'datem', 'datetime', false),
	('llx_stock_mouvement', 4, 'fk_product', 'int(11)', true),
	('llx_stock_mouvement', 5, 'batch', 'varchar(128)', false),
	('llx_stock_mouvement', 6, 'eatby', 'date', false),
	('llx_stock_mouvement', 7, 'sellby', 'date', false),
	('llx_stock_mouvement', 8, 'fk_entrepot', 'int(11)', true),
	('llx_stock_mouvement', 9, 'value', 'double', false),
	('llx_stock_mouvement', 10, 'price', 'double(24,8)', false),
	('llx_stock_mouvement', 11, 'type_mouvement', 'smallint(6)', false),
	('llx_stock_mouvement', 12, 'fk_user_author', 'int(11)', false),
	('llx_stock_mouvement', 13, 'label', 'varchar(255)', false),
	('llx_stock_mouvement', 14, 'inventorycode', 'varchar(128)', false),
	('llx_stock_mouvement', 15, 'fk_project', 'int(11)', false),
	('llx_stock_mouvement', 16, 'fk_origin', 'int(11)', false),
	('llx_stock_mouvement', 17, 'origintype', 'varchar(64)', false),
	('llx_stock_mouvement', 18, 'model_pdf', 'varchar(255)', false),
	('llx_stock_mouvement', 19, 'fk_projet', 'int(11)', true),
	('llx_ticket', 1, 'rowid', 'int(11)', true),
	('llx_ticket', 2, 'entity', 'int(11)', false),
	('llx_ticket', 3, 'ref', 'varchar(128)', true),
	('llx_ticket', 4, 'track_id', 'varchar(128)', true),
	('llx_ticket', 5, 'fk_soc', 'int(11)', false),
	('llx_ticket', 6, 'fk_project', 'int(11)', false),
	('llx_ticket', 7, 'fk_contract', 'int(11)', false),
	('llx_ticket', 8, 'origin_email', 'varchar(128)', false),
	('llx_ticket', 9, 'origin_replyto', 'varchar(128)', false),
	('llx_ticket', 10, 'origin_references', 'text', false),
	('llx_ticket', 11, 'fk_user_create', 'int(11)', false),
	('llx_ticket', 12, 'fk_user_assign', 'int(11)', false),
	('llx_ticket', 13, 'subject', 'varchar(255)', false),
	('llx_ticket', 14, 'message', 'mediumtext', false),
	('llx_ticket', 15, 'fk_statut', 'int(11)', false),
	('llx_ticket', 16, 'resolution', 'int(11)', false),
	('llx_ticket', 17, 'progress', 'int(11)', false),
	('llx_ticket', 18, 'timing', 'varchar(20)', false),
	('llx_ticket', 19, 'type_code', 'varchar(32)', false),
	('llx_ticket', 20, 'category_code', 'varchar(32)', false),
	('llx_ticket', 21, 'severity_code', 'varchar(32)', false),
	('llx_ticket', 22, 'datec', 'datetime', false),
	('llx_ticket', 23, 'date_read', 'datetime', false),
	('llx_ticket', 24, 'date_last_msg_sent', 'datetime', false),
	('llx_ticket', 25, 'date_close', 'datetime', false),
	('llx_ticket', 26, 'notify_tiers_at_create', 'tinyint(4)', false),
	('llx_ticket', 27, 'email_msgid', 'varchar(255)', false),
	('llx_ticket', 28, 'email_date', 'datetime', false),
	('llx_ticket', 29, 'ip', 'varchar(250)', false),
	('llx_ticket', 30, 'tms', 'timestamp', false),
	('llx_ticket', 31, 'model_pdf', 'varchar(255)', false),
	('llx_ticket', 32, 'last_main_doc', 'varchar(255)', false),
	('llx_ticket', 33, 'extraparams', 'varchar(255)', false),
	('llx_ticket', 34, 'barcode', 'varchar(255)', false),
	('llx_ticket', 35, 'fk_barcode_type', 'int(11)', false),
	('llx_ticket', 36, 'import_key', 'varchar(14)', false),
	('llx_ticket_extrafields', 1, 'rowid', 'int(11)', true),
	('llx_ticket_extrafields', 2, 'tms', 'timestamp', false),
	('llx_ticket_extrafields', 3, 'fk_object', 'int(11)', true),
	('llx_ticket_extrafields', 4, 'import_key', 'varchar(14)', false),
	('llx_user', 1, 'rowid', 'int(11)', true),
	('llx_user', 2, 'entity', 'int(11)', true),
	('llx_user', 3, 'ref_employee', 'varchar(50)', false),
	('llx_user', 4, 'ref_ext', 'varchar(50)', false),
	('llx_user', 5, 'admin', 'smallint(6)', false),
	('llx_user', 6, 'employee', 'tinyint(4)', false),
	('llx_user', 7, 'fk_establishment', 'int(11)', false),
	('llx_user', 8, 'datec', 'datetime', false),
	('llx_user', 9, 'tms', 'timestamp', false),
	('llx_user', 10, 'fk_user_creat', 'int(11)', false),
	('llx_user', 11, 'fk_user_modif', 'int(11)', false),
	('llx_user', 12, 'login', 'varchar(50)', true),
	('llx_user', 13, 'pass_encoding', 'varchar(24)', false),
	('llx_user', 14, 'pass', 'varchar(128)', false),
	('llx_user', 15, 'pass_crypted', 'varchar(128)', false),
	('llx_user', 16, 'pass_temp', 'varchar(128)', false),
	('llx_user', 17, 'api_key', 'varchar(128)', false),
	('llx_user', 18, 'gender', 'varchar(10)', false),
	('llx_user', 19, 'civility', 'varchar(6)', false),
	('llx_user', 20, 'lastname', 'varchar(50)', false),
	('llx_user', 21, 'firstname', 'varchar(50)', false),
	('llx_user', 22, 'address', 'varchar(255)', false),
	('llx_user', 23, 'zip', 'varchar(25)', false),
	('llx_user', 24, 'town', 'varchar(50)', false),
	('llx_user', 25, 'fk_state', 'int(11)', false),
	('llx_user', 26, 'fk_country', 'int(11)', false),
	('llx_user', 27, 'birth', 'date', false),
	('llx_user', 28, 'birth_place', 'varchar(64)', false),
	('llx_user', 29, 'job', 'varchar(128)', false),
	('llx_user', 30, 'office_phone', 'varchar(30)', false),
	('llx_user', 31, 'office_fax', 'varchar(30)', false),
	('llx_user', 32, 'user_mobile', 'varchar(30)', false),
	('llx_user', 33, 'personal_mobile', 'varchar(30)', false),
	('llx_user', 34, 'email', 'varchar(255)', false),
	('llx_user', 35, 'personal_email', 'varchar(255)', false),
	('llx_user', 36, 'email_oauth2', 'varchar(255)', false),
	('llx_user', 37, 'signature', 'longtext', false),
	('llx_user', 38, 'socialnetworks', 'text', false),
	('llx_user', 39, 'fk_soc', 'int(11)', false),
	('llx_user', 40, 'fk_socpeople', 'int(11)', false),
	('llx_user', 41, 'fk_member', 'int(11)', false),
	('llx_user', 42, 'fk_user', 'int(11)', false),
	('llx_user', 43, 'fk_user_expense_validator', 'int(11)', false),
	('llx_user', 44, 'fk_user_holiday_validator', 'int(11)', false),
	('llx_user', 45, 'national_registration_number', 'varchar(50)', false),
	('llx_user', 46, 'idpers1', 'varchar(128)', false),
	('llx_user', 47, 'idpers2', 'varchar(128)', false),
	('llx_user', 48, 'idpers3', 'varchar(128)', false),
	('llx_user', 49, 'note_public', 'text', false),
	('llx_user', 50, 'note_private', 'text', false),
	('llx_user', 51, 'model_pdf', 'varchar(255)', false),
	('llx_user', 52, 'last_main_doc', 'varchar(255)', false),
	('llx_user', 53, 'datelastlogin', 'datetime', false),
	('llx_user', 54, 'datepreviouslogin', 'datetime', false),
	('llx_user', 55, 'datelastpassvalidation', 'datetime', false),
	('llx_user', 56, 'datestartvalidity', 'datetime', false),
	('llx_user', 57, 'dateendvalidity', 'datetime', false),
	('llx_user', 58, 'flagdelsessionsbefore', 'datetime', false),
	('llx_user', 59, 'iplastlogin', 'varchar(250)', false),
	('llx_user', 60, 'ippreviouslogin', 'varchar(250)', false),
	('llx_user', 61, 'ldap_sid', 'varchar(255)', false),
	('llx_user', 62, 'openid', 'varchar(255)', false),
	('llx_user', 63, 'statut', 'tinyint(4)', false),
	('llx_user', 64, 'photo', 'varchar(255)', false),
	('llx_user', 65, 'lang', 'varchar(6)', false),
	('llx_user', 66, 'color', 'varchar(6)', false),
	('llx_user', 67, 'barcode', 'varchar(255)', false),
	('llx_user', 68, 'fk_barcode_type', 'int(11)', false),
	('llx_user', 69, 'accountancy_code_user_general', 'varchar(32)', false),
	('llx_user', 70, 'accountancy_code', 'varchar(32)', false),
	('llx_user', 71, 'nb_holiday', 'int(11)', false),
	('llx_user', 72, 'thm', 'double(24,8)', false),
	('llx_user', 73, 'tjm', 'double(24,8)', false),
	('llx_user', 74, 'salary', 'double(24,8)', false),
	('llx_user', 75, 'salaryextra', 'double(24,8)', false),
	('llx_user', 76, 'dateemployment', 'date', false),
	('llx_user', 77, 'dateemploymentend', 'date', false),
	('llx_user', 78, 'weeklyhours', 'double(16,8)', false),
	('llx_user', 79, 'import_key', 'varchar(14)', false),
	('llx_user', 80, 'default_range', 'int(11)', false),
	('llx_user', 81, 'default_c_exp_tax_cat', 'int(11)', false),
	('llx_user', 82, 'fk_warehouse', 'int(11)', false);

------------------------------------------------------------------------------
-- Type mapping
------------------------------------------------------------------------------

-- Foreign-table type for a source column (information_schema DATA_TYPE and
-- COLUMN_TYPE): chosen so that no value a real Dolibarr holds can break a
-- scan.  Dates and times come as text (mysql_fdw errors on '0000-00-00'),
-- spatial columns are left out (NULL).
CREATE FUNCTION doliflow._fdw_type(p_data_type text, p_column_type text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
	SELECT CASE
		WHEN dt IN ('date', 'datetime', 'timestamp', 'time', 'year') THEN 'text'
		WHEN dt IN ('point', 'geometry', 'linestring', 'polygon', 'multipoint', 'multilinestring',
					'multipolygon', 'geometrycollection', 'bit') THEN NULL
		WHEN dt = 'tinyint' THEN 'smallint'
		WHEN dt = 'smallint' THEN CASE WHEN uns THEN 'integer' ELSE 'smallint' END
		WHEN dt = 'mediumint' THEN 'integer'
		WHEN dt IN ('int', 'integer') THEN CASE WHEN uns THEN 'bigint' ELSE 'integer' END
		WHEN dt = 'bigint' THEN CASE WHEN uns THEN 'numeric' ELSE 'bigint' END
		WHEN dt IN ('decimal', 'numeric') THEN 'numeric'
		WHEN dt IN ('float', 'double', 'real', 'double precision') THEN 'double precision'
		WHEN dt LIKE '%blob' OR dt IN ('binary', 'varbinary') THEN 'bytea'
		ELSE 'text'
	END
	FROM (SELECT lower(p_data_type) AS dt, coalesce(lower(p_column_type) LIKE '%unsigned%', false) AS uns) x;
$$;
COMMENT ON FUNCTION doliflow._fdw_type(text, text) IS 'Internal: PostgreSQL type of a foreign-table column for a MySQL column (DATA_TYPE, COLUMN_TYPE); NULL = left out (spatial, bit)';

-- Lake type for a catalog column type (doliflow.source_column.mysql_type).
CREATE FUNCTION doliflow._lake_type(p_mysql_type text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
	SELECT CASE
		WHEN t ~ '^(point|geometry|linestring|polygon|multi|bit)' THEN NULL
		WHEN t ~ '^(tinyint|smallint)' THEN CASE WHEN t ~ '^smallint.*unsigned' THEN 'integer' ELSE 'smallint' END
		WHEN t ~ '^(mediumint|int)' THEN CASE WHEN t ~ 'unsigned' THEN 'bigint' ELSE 'integer' END
		WHEN t ~ '^bigint' THEN CASE WHEN t ~ 'unsigned' THEN 'numeric' ELSE 'bigint' END
		WHEN t ~ '^double\(24,8\)' THEN 'numeric(24,8)'
		WHEN t ~ '^double\([0-9]+,[0-9]+\)' OR t ~ '^(decimal|numeric)' THEN 'numeric'
		WHEN t ~ '^(double|float|real)' THEN 'double precision'
		WHEN t = 'date' THEN 'date'
		WHEN t ~ '^datetime' THEN 'timestamp without time zone'
		WHEN t ~ '^timestamp' THEN 'timestamp with time zone'
		WHEN t ~ '(blob|binary)' THEN 'bytea'
		ELSE 'text'
	END
	FROM (SELECT lower(p_mysql_type) AS t) x;
$$;
COMMENT ON FUNCTION doliflow._lake_type(text) IS 'Internal: PostgreSQL type of a lake column for a MySQL column type: ints keep their width, double(24,8) money -> numeric(24,8), other doubles -> float8 or numeric, datetime -> timestamp, timestamp (tms, read in UTC) -> timestamptz, spatial -> left out (NULL)';

-- MySQL date/time text -> PostgreSQL, with zero dates ('0000-00-00') and
-- invalid dates that ALLOW_INVALID_DATES lets in ('2023-02-31') -> NULL.
-- In C (src/mysqldate.c): they run on every date of every extracted row.
CREATE FUNCTION doliflow.mysql_timestamp(s text) RETURNS timestamp
AS 'MODULE_PATHNAME', 'doliflow_mysql_timestamp'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION doliflow.mysql_timestamp(text) IS 'MySQL DATETIME/DATE text -> timestamp; zero dates (0000-00-00) and impossible dates (2023-02-31, allowed by MySQL ALLOW_INVALID_DATES) give NULL instead of an error';

CREATE FUNCTION doliflow.mysql_date(s text) RETURNS date
AS 'MODULE_PATHNAME', 'doliflow_mysql_date'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION doliflow.mysql_date(text) IS 'MySQL DATE text -> date; zero and impossible dates give NULL';

-- An SQL-standard body: its names are bound here, not looked up in the caller's
-- search_path, and it stays inlinable (it runs once per extracted value).
CREATE FUNCTION doliflow.mysql_timestamptz(s text) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN doliflow.mysql_timestamp(s) AT TIME ZONE 'UTC';
COMMENT ON FUNCTION doliflow.mysql_timestamptz(text) IS 'MySQL TIMESTAMP text read in a UTC session (doliflow sets time_zone = +00:00 on the source connection) -> timestamptz; zero and impossible dates give NULL';

------------------------------------------------------------------------------
-- Read-only guard: a row trigger on every foreign table, so that not even a
-- superuser writes to Dolibarr through doliflow (privileges are revoked too).
------------------------------------------------------------------------------

CREATE FUNCTION doliflow._source_read_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	RAISE EXCEPTION 'the Dolibarr source is read-only: % on dolibarr.% is not allowed', TG_OP, TG_TABLE_NAME
		USING ERRCODE = 'insufficient_privilege',
			  HINT = 'doliflow never writes to Dolibarr; change the data in Dolibarr itself.';
END;
$$;
COMMENT ON FUNCTION doliflow._source_read_only() IS 'Internal: trigger that rejects INSERT, UPDATE and DELETE on the dolibarr foreign tables';

------------------------------------------------------------------------------
-- Where the source is (for messages); never the password.
------------------------------------------------------------------------------

CREATE TABLE doliflow.source_connection (
	id           boolean PRIMARY KEY DEFAULT true CHECK (id),
	host         text NOT NULL,
	port         int NOT NULL,
	dbname       text NOT NULL,
	username     text NOT NULL,
	connected_at timestamptz NOT NULL DEFAULT now(),
	connected_by text NOT NULL DEFAULT session_user,
	tables       int NOT NULL,
	missing      jsonb
);
COMMENT ON TABLE doliflow.source_connection IS 'The Dolibarr source doliflow.connect() was last pointed at (never the password, which only the user mapping of doliflow_owner holds)';
COMMENT ON COLUMN doliflow.source_connection.id IS 'Always true: one row';
COMMENT ON COLUMN doliflow.source_connection.host IS 'MySQL/MariaDB host';
COMMENT ON COLUMN doliflow.source_connection.port IS 'MySQL/MariaDB port';
COMMENT ON COLUMN doliflow.source_connection.dbname IS 'Dolibarr database name';
COMMENT ON COLUMN doliflow.source_connection.username IS 'MySQL account (should have SELECT only)';
COMMENT ON COLUMN doliflow.source_connection.connected_at IS 'When connect() ran';
COMMENT ON COLUMN doliflow.source_connection.connected_by IS 'Role that ran connect()';
COMMENT ON COLUMN doliflow.source_connection.tables IS 'Foreign tables created';
COMMENT ON COLUMN doliflow.source_connection.missing IS 'Catalog tables and columns the source lacks ({"table": null} = whole table missing, {"table": [columns]}), and the extrafield columns discovered';
ALTER TABLE doliflow.source_connection OWNER TO doliflow_owner;

CREATE FUNCTION doliflow._unreachable(p_err text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	w text;
BEGIN
	SELECT format('%s:%s (database %s)', c.host, c.port, c.dbname) INTO w FROM doliflow.source_connection c;
	RAISE EXCEPTION 'the Dolibarr source is unreachable at %', coalesce(w, 'the configured server')
		USING ERRCODE = 'sqlclient_unable_to_establish_sqlconnection',
			  DETAIL = p_err,
			  HINT = 'Check that MariaDB/MySQL runs and accepts connections from this host, and the account given to doliflow.connect().';
END;
$$;
COMMENT ON FUNCTION doliflow._unreachable(text) IS 'Internal: raises the "source unreachable" error (SQLSTATE 08001) naming host, port and database';
ALTER FUNCTION doliflow._unreachable(text) OWNER TO doliflow_owner;
REVOKE ALL ON FUNCTION doliflow._unreachable(text) FROM PUBLIC;

------------------------------------------------------------------------------
-- The source guard (src/pg_source_guard.c): timeouts, cancel, option file,
-- errors kept out of the server log's STATEMENT and CONTEXT lines.
------------------------------------------------------------------------------

CREATE FUNCTION doliflow._raise_hidden(sqlstate text, message text, detail text, hint text) RETURNS void
AS 'MODULE_PATHNAME', 'doliflow_raise_hidden' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION doliflow._raise_hidden(text, text, text, text) IS 'Internal: raises an ERROR with that SQLSTATE, message, detail and hint whose statement and context are not written to the server log (they may hold the source password)';

CREATE FUNCTION doliflow._source_guard_arm(host text, port int, username text, connect_timeout int,
										   read_timeout int, option_file text) RETURNS void
AS 'MODULE_PATHNAME', 'doliflow_source_guard_arm' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION doliflow._source_guard_arm(text, int, text, int, int, text) IS 'Internal: arms the source guard of this backend: a cancel, statement_timeout or terminate shuts the sockets connected to host:port down (so a read from a frozen source ends), and new mysql_fdw connections to host:port as username get the connect and read timeouts (seconds) and, without a password in the user mapping, the option file';

CREATE FUNCTION doliflow._source_option_file_check(path text) RETURNS void
AS 'MODULE_PATHNAME', 'doliflow_source_option_file_check' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION doliflow._source_option_file_check(text) IS 'Internal: checks that the source option file is an absolute path to a regular file the server can read and only its owner can access (mode 0600)';

-- Arms the guard for the configured source; called before each source access.
CREATE FUNCTION doliflow._source_arm() RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	c record;
	v_file text := doliflow.setting('source_option_file');
BEGIN
	SELECT sc.host, sc.port, sc.username INTO c FROM doliflow.source_connection sc;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	IF v_file <> '' THEN
		PERFORM doliflow._source_option_file_check(v_file);
	END IF;
	PERFORM doliflow._source_guard_arm(c.host, c.port, c.username,
		doliflow.setting('source_connect_timeout')::int, doliflow.setting('source_read_timeout')::int,
		nullif(v_file, ''));
END;
$$;
COMMENT ON FUNCTION doliflow._source_arm() IS 'Internal: arms the source guard (timeouts from the source_connect_timeout and source_read_timeout settings, cancel, option file) for the source in doliflow.source_connection';

-- Drops what connect() made (the user mapping, the foreign tables) and the
-- server's options; the server stays (it belongs to the extension).
CREATE FUNCTION doliflow._source_clear() RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r record;
	v_sql text;
	v_cmm text := pg_catalog.current_setting('client_min_messages');
BEGIN
	PERFORM pg_catalog.set_config('client_min_messages', 'warning', true);
	FOR r IN SELECT ft.ftrelid::regclass AS rel FROM pg_catalog.pg_foreign_table ft
			   JOIN pg_catalog.pg_foreign_server fs ON fs.oid = ft.ftserver
			  WHERE fs.srvname = 'doliflow_source' LOOP
		EXECUTE pg_catalog.format('DROP FOREIGN TABLE IF EXISTS %s CASCADE', r.rel);
	END LOOP;
	DROP USER MAPPING IF EXISTS FOR doliflow_owner SERVER doliflow_source;
	SELECT 'ALTER SERVER doliflow_source OPTIONS (' ||
		   string_agg(pg_catalog.format('DROP %I', pg_catalog.split_part(o, '=', 1)), ', ') || ')'
	  INTO v_sql
	  FROM pg_catalog.pg_foreign_server fs, pg_catalog.unnest(fs.srvoptions) o
	 WHERE fs.srvname = 'doliflow_source';
	IF v_sql IS NOT NULL THEN
		EXECUTE v_sql;
	END IF;
	PERFORM pg_catalog.set_config('client_min_messages', v_cmm, true);
END;
$$;
COMMENT ON FUNCTION doliflow._source_clear() IS 'Internal: drops the user mapping and the foreign tables of doliflow_source and clears its options';

DO $$
DECLARE
	f text;
BEGIN
	FOREACH f IN ARRAY ARRAY['doliflow._raise_hidden(text, text, text, text)',
							 'doliflow._source_guard_arm(text, int, text, int, int, text)',
							 'doliflow._source_option_file_check(text)', 'doliflow._source_arm()',
							 'doliflow._source_clear()'] LOOP
		EXECUTE pg_catalog.format('ALTER FUNCTION %s OWNER TO doliflow_owner', f);
		EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
	END LOOP;
END;
$$;

------------------------------------------------------------------------------
-- connect()
------------------------------------------------------------------------------

CREATE FUNCTION doliflow._connect(host text, port int, dbname text, username text, password text)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	t record;
	c record;
	cols text;
	ncols int;
	ntables int := 0;
	v_missing jsonb := '{}'::jsonb;
	v_miss text[];
	v_extra text[];
	v_err text;
	v_cmm text;
	v_file text;
BEGIN
	IF host IS NULL OR btrim(host) = '' THEN
		RAISE EXCEPTION 'doliflow.connect: host must not be empty' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF port IS NULL OR port < 1 OR port > 65535 THEN
		RAISE EXCEPTION 'doliflow.connect: port must be between 1 and 65535, got %', coalesce(port::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF dbname IS NULL OR btrim(dbname) = '' THEN
		RAISE EXCEPTION 'doliflow.connect: dbname (the Dolibarr database) must not be empty' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF username IS NULL OR btrim(username) = '' THEN
		RAISE EXCEPTION 'doliflow.connect: username must not be empty' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	v_file := doliflow.setting('source_option_file');
	IF password IS NULL AND v_file = '' THEN
		RAISE EXCEPTION 'doliflow.connect: password must not be NULL unless the source_option_file setting names a file holding it (use '''' for an account without password)'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF password IS NULL THEN
		PERFORM doliflow._source_option_file_check(v_file);
	END IF;

	-- Replace everything: the server's options, the one user mapping, the
	-- foreign tables (the server itself belongs to the extension).
	PERFORM doliflow._source_clear();
	EXECUTE (SELECT 'ALTER SERVER doliflow_source OPTIONS (' ||
				    string_agg(format('%s %I %L',
						CASE WHEN EXISTS (SELECT FROM pg_catalog.pg_foreign_server fs, pg_catalog.unnest(fs.srvoptions) so
										   WHERE fs.srvname = 'doliflow_source' AND so LIKE o.k || '=%')
							 THEN 'SET' ELSE 'ADD' END, o.k, o.v), ', ') || ')'
			   FROM (VALUES ('host', host), ('port', port::text),
							('init_command', 'SET NAMES utf8mb4, time_zone = ''+00:00'''),
							('fetch_size', doliflow.setting('source_fetch_size')), ('reconnect', 'true')) o(k, v));
	IF password IS NULL THEN
		-- The password comes from source_option_file, read by the client library.
		EXECUTE format('CREATE USER MAPPING FOR doliflow_owner SERVER doliflow_source OPTIONS (username %L)', username);
	ELSE
		EXECUTE format('CREATE USER MAPPING FOR doliflow_owner SERVER doliflow_source OPTIONS (username %L, password %L)',
					   username, password);
	END IF;

	-- Helper foreign tables: the source catalog and the source clock.
	EXECUTE format($f$CREATE FOREIGN TABLE dolibarr._columns (
			table_schema text, table_name text, column_name text, ordinal_position bigint,
			data_type text, column_type text)
		SERVER doliflow_source OPTIONS (dbname 'information_schema', table_name 'COLUMNS')$f$);
	COMMENT ON FOREIGN TABLE dolibarr._columns IS 'doliflow internal: information_schema.COLUMNS of the source (column discovery)';
	CREATE FOREIGN TABLE dolibarr._clock (variable_name text, variable_value text)
		SERVER doliflow_source OPTIONS (dbname 'information_schema', table_name 'SESSION_VARIABLES');
	COMMENT ON FOREIGN TABLE dolibarr._clock IS 'doliflow internal: session variables of the source; TIMESTAMP is the source clock';

	INSERT INTO doliflow.source_connection AS sc (host, port, dbname, username, tables)
	VALUES (_connect.host, _connect.port, _connect.dbname, _connect.username, 0)
	ON CONFLICT (id) DO UPDATE SET host = excluded.host, port = excluded.port, dbname = excluded.dbname,
		username = excluded.username, connected_at = now(), connected_by = session_user, tables = 0, missing = NULL;

	PERFORM doliflow._source_arm();
	BEGIN
		CREATE TEMP TABLE df_source_columns ON COMMIT DROP AS
			SELECT x.table_name::text AS table_name, x.column_name::text AS column_name,
				   x.ordinal_position::int AS ordinal_position, x.data_type, x.column_type
			  FROM dolibarr._columns x
			 WHERE x.table_schema = _connect.dbname;
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS v_err = MESSAGE_TEXT;
		PERFORM doliflow._unreachable(v_err);
	END;
	IF NOT EXISTS (SELECT FROM pg_temp.df_source_columns) THEN
		RAISE EXCEPTION 'database "%" on %:% has no tables visible to MySQL account "%"', dbname, host, port, username
			USING ERRCODE = 'invalid_catalog_name',
				  HINT = 'Check the database name and GRANT SELECT ON <dbname>.* TO the account.';
	END IF;

	FOR t IN SELECT st.* FROM doliflow.source_table st ORDER BY st.load_order LOOP
		IF NOT EXISTS (SELECT FROM pg_temp.df_source_columns s WHERE s.table_name = t.table_name) THEN
			RAISE WARNING 'doliflow.connect: table % does not exist in the source database %; it will not be extracted', t.table_name, dbname;
			v_missing := v_missing || jsonb_build_object(t.table_name, NULL);
			CONTINUE;
		END IF;
		-- Catalog columns the source has, then (llx_ticket_extrafields only)
		-- the custom extrafield columns the installation added.
		SELECT string_agg(format('%I %s', s.column_name, doliflow._fdw_type(s.data_type, s.column_type)), ', '
						  ORDER BY s.ordinal_position),
			   count(*)
		  INTO cols, ncols
		  FROM pg_temp.df_source_columns s
		 WHERE s.table_name = t.table_name
		   AND doliflow._fdw_type(s.data_type, s.column_type) IS NOT NULL
		   AND (t.table_name = 'llx_ticket_extrafields'
				OR EXISTS (SELECT FROM doliflow.source_column sc
							WHERE sc.table_name = t.table_name AND sc.column_name = s.column_name));
		SELECT array_agg(sc.column_name ORDER BY sc.position) INTO v_miss
		  FROM doliflow.source_column sc
		 WHERE sc.table_name = t.table_name AND doliflow._lake_type(sc.mysql_type) IS NOT NULL
		   AND NOT EXISTS (SELECT FROM pg_temp.df_source_columns s
							WHERE s.table_name = t.table_name AND s.column_name = sc.column_name);
		IF v_miss IS NOT NULL THEN
			RAISE NOTICE 'doliflow.connect: %: the source lacks column(s) %; they stay NULL in the lake', t.table_name, v_miss;
			v_missing := v_missing || jsonb_build_object(t.table_name, v_miss);
		END IF;
		IF t.key_column <> ALL (coalesce(v_miss, '{}')) THEN
			EXECUTE format('CREATE FOREIGN TABLE dolibarr.%I (%s) SERVER doliflow_source OPTIONS (dbname %L, table_name %L)',
						   t.table_name, cols, dbname, t.table_name);
		ELSE
			RAISE WARNING 'doliflow.connect: %.% (the key) is missing in the source; table skipped', t.table_name, t.key_column;
			CONTINUE;
		END IF;
		EXECUTE format('COMMENT ON FOREIGN TABLE dolibarr.%I IS %L', t.table_name,
					   format('doliflow: Dolibarr table %s.%s (read-only; dates as text, converted in the lake)', dbname, t.table_name));
		EXECUTE format('CREATE TRIGGER read_only BEFORE INSERT OR UPDATE OR DELETE ON dolibarr.%I '
					   'FOR EACH ROW EXECUTE FUNCTION doliflow._source_read_only()', t.table_name);
		ntables := ntables + 1;
	END LOOP;

	SELECT array_agg(s.column_name::text ORDER BY s.ordinal_position) INTO v_extra
	  FROM pg_temp.df_source_columns s
	 WHERE s.table_name = 'llx_ticket_extrafields'
	   AND NOT EXISTS (SELECT FROM doliflow.source_column sc
						WHERE sc.table_name = 'llx_ticket_extrafields' AND sc.column_name = s.column_name);
	IF v_extra IS NOT NULL THEN
		v_missing := v_missing || jsonb_build_object('ticket_extrafields_discovered', v_extra);
	END IF;

	-- Nobody writes to the source through PostgreSQL.
	FOR c IN SELECT cl.relname FROM pg_catalog.pg_class cl
			  WHERE cl.relnamespace = 'dolibarr'::regnamespace AND cl.relkind = 'f' LOOP
		EXECUTE format('REVOKE ALL ON dolibarr.%I FROM PUBLIC', c.relname);
		EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON dolibarr.%I FROM doliflow_owner', c.relname);
	END LOOP;

	UPDATE doliflow.source_connection SET tables = ntables, missing = nullif(v_missing, '{}'::jsonb);
	DROP TABLE pg_temp.df_source_columns;
	RETURN ntables;
END;
$$;
COMMENT ON FUNCTION doliflow._connect(text, int, text, text, text) IS 'Internal: the work of doliflow.connect(), which re-raises its errors without the statement';
ALTER FUNCTION doliflow._connect(text, int, text, text, text) OWNER TO doliflow_owner;
REVOKE ALL ON FUNCTION doliflow._connect(text, int, text, text, text) FROM PUBLIC;

-- connect() itself: every error of the work is re-raised through
-- doliflow._raise_hidden, so that neither the STATEMENT line (the call with
-- the password) nor the CONTEXT lines (the text of CREATE USER MAPPING) reach
-- the server log, and the password is masked in the message if the source
-- ever echoed it.
CREATE FUNCTION doliflow.connect(host text, port int, dbname text, username text, password text)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_state text;
	v_msg text;
	v_detail text;
	v_hint text;
	v_tables integer;
BEGIN
	v_tables := doliflow._connect(host, port, dbname, username, password);
	PERFORM doliflow._connect_extrafields();	-- first-run help (67_extrafields_help.sql)
	RETURN v_tables;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT,
							v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
	IF pg_catalog.length(password) >= 4 THEN	-- shorter ones would mangle every message
		v_msg := pg_catalog.replace(v_msg, password, '********');
		v_detail := pg_catalog.replace(v_detail, password, '********');
		v_hint := pg_catalog.replace(v_hint, password, '********');
	END IF;
	PERFORM doliflow._raise_hidden(v_state, v_msg, v_detail, v_hint);
	RETURN NULL;
END;
$$;
COMMENT ON FUNCTION doliflow.connect(text, int, text, text, text) IS
'Points doliflow at a Dolibarr MariaDB/MySQL database: (re)creates the foreign server doliflow_source (mysql_fdw, utf8mb4, UTC session), the only user mapping (for the NOLOGIN role doliflow_owner; the password is visible to nobody else) and one read-only foreign table per source table in schema dolibarr, typed from the source''s own catalog (dates as text, spatial columns left out, custom extrafield columns of llx_ticket_extrafields discovered), then prints (NOTICE) the ticket extrafields of the source with their labels and types, the extrafield_* setting each feeds and suggestions for a setting naming a missing one (the extrafields section of status()). Returns the number of foreign tables. Give it a MySQL account with SELECT only.';
ALTER FUNCTION doliflow.connect(text, int, text, text, text) OWNER TO doliflow_owner;
REVOKE ALL ON FUNCTION doliflow.connect(text, int, text, text, text) FROM PUBLIC;

CREATE FUNCTION doliflow.disconnect() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM doliflow._source_clear();
	DELETE FROM doliflow.source_connection;
END;
$$;
COMMENT ON FUNCTION doliflow.disconnect() IS 'Drops the user mapping holding the password and the foreign tables, and clears the options of the foreign server doliflow_source (the lake is kept); DROP EXTENSION does the same by itself';
ALTER FUNCTION doliflow.disconnect() OWNER TO doliflow_owner;
REVOKE ALL ON FUNCTION doliflow.disconnect() FROM PUBLIC;

-- The source clock (UTC, whole seconds), read through the source connection.
CREATE FUNCTION doliflow._source_now() RETURNS timestamptz
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v text;
	v_err text;
BEGIN
	IF to_regclass('dolibarr._clock') IS NULL THEN
		RAISE EXCEPTION 'doliflow is not connected to a Dolibarr source'
			USING ERRCODE = 'undefined_object', HINT = 'Call doliflow.connect(host, port, dbname, username, password) first.';
	END IF;
	PERFORM doliflow._source_arm();
	BEGIN
		EXECUTE 'SELECT variable_value FROM dolibarr._clock WHERE variable_name = ''TIMESTAMP''' INTO v;
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS v_err = MESSAGE_TEXT;
		PERFORM doliflow._unreachable(v_err);
	END;
	RETURN to_timestamp(floor(v::numeric));
END;
$$;
COMMENT ON FUNCTION doliflow._source_now() IS 'Internal: the clock of the Dolibarr source (whole seconds); errors clearly when the source is unreachable';
ALTER FUNCTION doliflow._source_now() OWNER TO doliflow_owner;
REVOKE ALL ON FUNCTION doliflow._source_now() FROM PUBLIC;

CREATE FUNCTION doliflow.test_connection()
RETURNS TABLE (table_name text, reachable boolean, row_count bigint, error text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	t record;
	v_down text;
	v_msg text;
	v_detail text;
BEGIN
	IF to_regclass('dolibarr._clock') IS NULL THEN
		RAISE EXCEPTION 'doliflow is not connected to a Dolibarr source'
			USING ERRCODE = 'undefined_object', HINT = 'Call doliflow.connect(host, port, dbname, username, password) first.';
	END IF;
	-- The server itself down (refused, timed out, cancelled by the source
	-- guard): every table gets the same clear error.  A cancel or
	-- statement_timeout of this call is not caught: it ends the call.
	BEGIN
		PERFORM doliflow._source_now();
	EXCEPTION WHEN sqlclient_unable_to_establish_sqlconnection OR fdw_unable_to_establish_connection THEN
		GET STACKED DIAGNOSTICS v_msg = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL;
		v_down := v_msg || CASE WHEN v_detail <> '' THEN ': ' || v_detail ELSE '' END;
	END;
	FOR t IN SELECT st.table_name FROM doliflow.source_table st ORDER BY st.load_order LOOP
		table_name := t.table_name;
		row_count := NULL;
		error := NULL;
		IF v_down IS NOT NULL THEN
			reachable := false;
			error := v_down;
		ELSIF to_regclass(format('dolibarr.%I', t.table_name)) IS NULL THEN
			reachable := false;
			error := 'no foreign table: the table is missing in the source (see doliflow.source_connection.missing)';
		ELSE
			BEGIN
				EXECUTE format('SELECT count(*) FROM dolibarr.%I', t.table_name) INTO row_count;
				reachable := true;
			EXCEPTION WHEN OTHERS THEN		-- never a cancel: OTHERS does not catch it
				reachable := false;
				GET STACKED DIAGNOSTICS error = MESSAGE_TEXT;
			END;
		END IF;
		RETURN NEXT;
	END LOOP;
END;
$$;
COMMENT ON FUNCTION doliflow.test_connection() IS 'One row per Dolibarr source table: whether it can be read, its row count on the source (counted by MySQL), and the error if not. When the source server itself is down, refuses the account or does not answer within the source_connect_timeout / source_read_timeout settings, every row has reachable = false and that error (naming host, port and database); raises only when doliflow is not connected (42704) or the call is cancelled';
ALTER FUNCTION doliflow.test_connection() OWNER TO doliflow_owner;
REVOKE ALL ON FUNCTION doliflow.test_connection() FROM PUBLIC;
