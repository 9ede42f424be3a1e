-- doliflow 0.2.0 -> 0.3.0, part 21 (by hand): what buyers ask (issue 16, item 3).
--
-- New source tables llx_commande and llx_commandedet (open customer orders for the virtual
-- stock): their catalog rows (95_rows.sql upserts them again, with the quality rules and the
-- stock module's inputs), then their lake tables, made as part 20 of the install makes them
-- (the lake tables must exist before 90_code.sql creates the views reading them; their
-- ACL is reset to a fresh install's by 90_code.sql).  The
-- foreign tables are made by connect(): run doliflow.connect(...) again after the update
-- (until then the extract of these two tables fails alone, and the open customer orders
-- count as 0).

INSERT INTO doliflow.source_table (table_name, key_column, mode, parent_table, parent_column, load_order) VALUES
	('llx_commande',    'rowid', 'tms',    NULL, NULL, 72),
	('llx_commandedet', 'rowid', 'parent', 'llx_commande', 'fk_commande', 73)
ON CONFLICT (table_name) DO NOTHING;

INSERT INTO doliflow.source_column (table_name, position, column_name, mysql_type, not_null) VALUES
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
	('llx_commandedet', 41, 'multicurrency_total_ttc', 'double(24,8)', false)
ON CONFLICT (table_name, column_name) DO NOTHING;


DO $$
DECLARE
	t record;
	cols text;
BEGIN
	FOR t IN SELECT * FROM doliflow.source_table st
			  WHERE st.table_name IN ('llx_commande', 'llx_commandedet') AND to_regclass(format('lake.%I', st.table_name)) IS NULL
			  ORDER BY st.load_order LOOP
		SELECT string_agg(format('%I %s', c.column_name, doliflow._lake_type(c.mysql_type)), ', ' ORDER BY c.position)
		  INTO cols
		  FROM doliflow.source_column c
		 WHERE c.table_name = t.table_name AND doliflow._lake_type(c.mysql_type) IS NOT NULL;
		IF t.table_name = 'llx_ticket_extrafields' THEN
			cols := cols || ', extrafields jsonb';
		END IF;
		EXECUTE format('CREATE TABLE lake.%I (%s, _batch bigint NOT NULL, _extracted_at timestamptz NOT NULL, '
					   '_deleted boolean NOT NULL DEFAULT false, _hash uuid NOT NULL, _invalid_dates text[])',
					   t.table_name, cols);
		EXECUTE format('CREATE INDEX ON lake.%I (%I, _batch DESC, _deleted DESC)', t.table_name, t.key_column);
		EXECUTE format('CREATE INDEX ON lake.%I (_batch)', t.table_name);
		IF t.mode = 'parent' THEN
			EXECUTE format('CREATE INDEX ON lake.%I (%I)', t.table_name, t.parent_column);
		END IF;
		EXECUTE format('COMMENT ON TABLE lake.%I IS %L', t.table_name,
			format('Lake: append-only versions of Dolibarr %s (extract mode %s, key %s); the latest live version of each row is lake.%s_current',
				   t.table_name, t.mode, t.key_column, t.table_name));
		EXECUTE format('COMMENT ON COLUMN lake.%I._batch IS %L', t.table_name, 'lake.batch that stored this version');
		EXECUTE format('COMMENT ON COLUMN lake.%I._extracted_at IS %L', t.table_name, 'When this version was extracted');
		EXECUTE format('COMMENT ON COLUMN lake.%I._deleted IS %L', t.table_name, 'Tombstone: the row was deleted on the source (the other columns repeat its last version)');
		EXECUTE format('COMMENT ON COLUMN lake.%I._hash IS %L', t.table_name, 'md5 of the source row as read; a row is stored again only when it changes');
		EXECUTE format('COMMENT ON COLUMN lake.%I._invalid_dates IS %L', t.table_name, 'Columns whose source value was a zero or impossible date (stored as NULL); NULL when none');
		IF t.table_name = 'llx_ticket_extrafields' THEN
			COMMENT ON COLUMN lake.llx_ticket_extrafields.extrafields IS 'Custom extrafield columns of the installation (declared in llx_extrafields, elementtype ticket) as {"column": value}; names are the settings extrafield_*';
		END IF;
		-- The current rows are a table kept in step by _extract_table() in the
		-- batch's own transaction (a DISTINCT ON view over the history cannot
		-- be filtered by anything but its key without reading all of it).
		EXECUTE format('CREATE TABLE lake.%I (%s, _batch bigint NOT NULL, _extracted_at timestamptz NOT NULL, '
					   '_invalid_dates text[], _hash uuid NOT NULL, PRIMARY KEY (%I))',
					   t.table_name || '_current', cols, t.key_column);
		IF t.mode = 'parent' THEN
			EXECUTE format('CREATE INDEX ON lake.%I (%I)', t.table_name || '_current', t.parent_column);
		END IF;
		EXECUTE format('COMMENT ON TABLE lake.%I IS %L', t.table_name || '_current',
			format('Lake: the latest version of each row of Dolibarr %s by %s, rows deleted on the source left out (kept in step with lake.%s by every extract)',
				   t.table_name, t.key_column, t.table_name));
		EXECUTE format('COMMENT ON COLUMN lake.%I._batch IS %L', t.table_name || '_current', 'lake.batch that stored this version');
		EXECUTE format('COMMENT ON COLUMN lake.%I._extracted_at IS %L', t.table_name || '_current', 'When this version was extracted');
		EXECUTE format('COMMENT ON COLUMN lake.%I._invalid_dates IS %L', t.table_name || '_current', 'Columns whose source value was a zero or impossible date (stored as NULL); NULL when none');
		EXECUTE format('COMMENT ON COLUMN lake.%I._hash IS %L', t.table_name || '_current', 'md5 of the source row as read');
		EXECUTE format('ALTER TABLE lake.%I OWNER TO doliflow_owner', t.table_name);
		EXECUTE format('ALTER TABLE lake.%I OWNER TO doliflow_owner', t.table_name || '_current');
		PERFORM pg_catalog.pg_extension_config_dump(format('lake.%I', t.table_name || '_current')::regclass, '');
		PERFORM pg_catalog.pg_extension_config_dump(format('lake.%I', t.table_name)::regclass, '');
	END LOOP;
END;
$$;

