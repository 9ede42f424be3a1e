-- doliflow install script, part 20: the data lake.
--
-- lake.<table>          append-only versions of every Dolibarr source table: the source
--                       columns (same names; dates as date/timestamp, zero dates -> NULL)
--                       plus _batch, _extracted_at, _deleted (tombstone), _hash (md5 of
--                       the source row) and _invalid_dates (columns whose zero/impossible
--                       date became NULL).  llx_ticket_extrafields keeps its custom
--                       columns in one jsonb column `extrafields` ({"satisfaction": 4, ...}).
-- lake.<table>_current  the latest live (not deleted) version of each row, by key.
-- lake.batch            one row per table and extract run (window, counts, status).
-- lake.watermark        where the next incremental extract of each table starts.
--
-- doliflow.extract() (a procedure: commits per table) calls
-- doliflow._extract_table() (SECURITY DEFINER, owned by doliflow_owner) for each table;
-- a table's load is kept only when the rows fetched match a count of the same window
-- made by the source itself (mysql_fdw 2.8 ends a scan silently when the connection dies).

INSERT INTO doliflow.settings (name, value, value_type, description) VALUES
	('lake_lookback', '10 minutes', 'interval', 'Incremental extracts re-read rows whose tms is this much older than the last watermark (late commits, clock skew); unchanged rows add no version'),
	('lake_reconcile_interval', '0 seconds', 'interval', 'Minimum time between two full-key reconciliations of a tms/rowid table (finds hard deletes); 0 = every extract'),
	('lake_parent_chunk', '5000', 'integer', 'Parent keys per source query when reloading the lines (llx_facturedet, llx_fichinterdet, llx_commande_fournisseurdet) of changed headers');

------------------------------------------------------------------------------
-- Batches and watermarks
------------------------------------------------------------------------------

CREATE TABLE lake.batch (
	batch_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	run_id       bigint,
	table_name   text NOT NULL,
	started_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
	finished_at  timestamptz,
	window_lo    text,
	window_hi    text,
	source_count bigint,
	rows_fetched bigint,
	rows_loaded  bigint,
	rows_deleted bigint,
	status       text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'loaded', 'failed')),
	error        text
);
CREATE INDEX batch_table_idx ON lake.batch (table_name, batch_id);
COMMENT ON TABLE lake.batch IS 'One row per source table and extract: the window read, the source''s own count of it, rows fetched, new versions and tombstones stored, status (loaded = verified and committed; failed = nothing kept)';
COMMENT ON COLUMN lake.batch.batch_id IS 'Batch number; lake rows carry it in _batch';
COMMENT ON COLUMN lake.batch.run_id IS 'doliflow.run_log run that made the batch';
COMMENT ON COLUMN lake.batch.table_name IS 'Source table';
COMMENT ON COLUMN lake.batch.started_at IS 'Start of the batch';
COMMENT ON COLUMN lake.batch.finished_at IS 'End of the batch';
COMMENT ON COLUMN lake.batch.window_lo IS 'Lower bound (exclusive) of the window: tms (UTC), rowid or parent batch; NULL = from the beginning';
COMMENT ON COLUMN lake.batch.window_hi IS 'Upper bound (inclusive) of the window, from the source clock (tms), the source max(rowid) or the last parent batch';
COMMENT ON COLUMN lake.batch.source_count IS 'Rows of the window counted by the source (MySQL) itself';
COMMENT ON COLUMN lake.batch.rows_fetched IS 'Rows fetched through mysql_fdw (must match source_count)';
COMMENT ON COLUMN lake.batch.rows_loaded IS 'New versions stored (changed or new rows)';
COMMENT ON COLUMN lake.batch.rows_deleted IS 'Tombstones stored (rows deleted on the source)';
COMMENT ON COLUMN lake.batch.status IS 'running, loaded or failed';
COMMENT ON COLUMN lake.batch.error IS 'Why the batch failed';

CREATE TABLE lake.watermark (
	table_name         text PRIMARY KEY,
	last_tms           timestamptz,
	last_rowid         bigint,
	last_parent_batch  bigint,
	last_batch         bigint,
	last_reconciled_at timestamptz,
	updated_at         timestamptz NOT NULL DEFAULT clock_timestamp()
);
COMMENT ON TABLE lake.watermark IS 'Where the next incremental extract of each table starts; moved only by a verified load, in the same transaction';
COMMENT ON COLUMN lake.watermark.table_name IS 'Source table';
COMMENT ON COLUMN lake.watermark.last_tms IS 'tms mode: every row with tms <= this (UTC, source clock) is in the lake';
COMMENT ON COLUMN lake.watermark.last_rowid IS 'rowid mode: every row with rowid <= this is in the lake';
COMMENT ON COLUMN lake.watermark.last_parent_batch IS 'parent mode: lines of every parent version up to this batch of the parent table are in the lake';
COMMENT ON COLUMN lake.watermark.last_batch IS 'Last loaded batch of this table';
COMMENT ON COLUMN lake.watermark.last_reconciled_at IS 'Last full-key comparison with the source (hard deletes -> tombstones)';
COMMENT ON COLUMN lake.watermark.updated_at IS 'When the watermark last moved';

ALTER TABLE lake.batch OWNER TO doliflow_owner;
ALTER TABLE lake.watermark OWNER TO doliflow_owner;
SELECT pg_catalog.pg_extension_config_dump('lake.batch', '');
SELECT pg_catalog.pg_extension_config_dump('lake.watermark', '');
GRANT USAGE ON SCHEMA lake TO doliflow_owner;

------------------------------------------------------------------------------
-- One lake table and one _current view per source table
------------------------------------------------------------------------------

DO $$
DECLARE
	t record;
	cols text;
	names text;
BEGIN
	FOR t IN SELECT * FROM doliflow.source_table ORDER BY load_order LOOP
		SELECT string_agg(format('%I %s', c.column_name, doliflow._lake_type(c.mysql_type)), ', ' ORDER BY c.position),
			   string_agg(format('v.%I', c.column_name), ', ' ORDER BY c.position)
		  INTO cols, names
		  FROM doliflow.source_column c
		 WHERE c.table_name = t.table_name AND doliflow._lake_type(c.mysql_type) IS NOT NULL;
		IF t.table_name = 'llx_ticket_extrafields' THEN
			cols := cols || ', extrafields jsonb';
			names := names || ', v.extrafields';
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
		EXECUTE format($v$CREATE VIEW lake.%I AS
			SELECT %s, v._batch, v._extracted_at, v._invalid_dates
			  FROM (SELECT DISTINCT ON (l.%I) l.* FROM lake.%I l ORDER BY l.%I, l._batch DESC, l._deleted DESC) v
			 WHERE NOT v._deleted$v$,
			t.table_name || '_current', names, t.key_column, t.table_name, t.key_column);
		EXECUTE format('COMMENT ON VIEW lake.%I IS %L', t.table_name || '_current',
			format('Lake: the latest version of each row of Dolibarr %s by %s, rows deleted on the source left out', t.table_name, t.key_column));
		EXECUTE format('ALTER TABLE lake.%I OWNER TO doliflow_owner', t.table_name);
		EXECUTE format('ALTER VIEW lake.%I OWNER TO doliflow_owner', t.table_name || '_current');
		PERFORM pg_catalog.pg_extension_config_dump(format('lake.%I', t.table_name)::regclass, '');
	END LOOP;
END;
$$;

------------------------------------------------------------------------------
-- Extraction of one table (runs as doliflow_owner)
------------------------------------------------------------------------------

-- count(*) of a window, computed by the source (mysql_fdw pushes the
-- aggregate and the WHERE clause down); errors say what was being verified.
CREATE FUNCTION doliflow._source_count(p_table text, p_pred text) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	n bigint;
	v_err text;
BEGIN
	EXECUTE format('SELECT count(*) FROM dolibarr.%I f WHERE %s', p_table, p_pred) INTO n;
	RETURN n;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS v_err = MESSAGE_TEXT;
	RAISE EXCEPTION 'could not count % on the Dolibarr source to verify the extract: %', p_table, v_err
		USING ERRCODE = 'connection_failure',
			  HINT = 'The source connection failed during the extract; nothing of this table was kept and its watermark did not move. Run doliflow.extract() again.';
END;
$$;
COMMENT ON FUNCTION doliflow._source_count(text, text) IS 'Internal: count(*) of a window of a source table, computed by MySQL';
ALTER FUNCTION doliflow._source_count(text, text) OWNER TO doliflow_owner;
REVOKE ALL ON FUNCTION doliflow._source_count(text, text) FROM PUBLIC;

CREATE FUNCTION doliflow._extract_table(p_table text, p_run_id bigint DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	t doliflow.source_table;
	wm lake.watermark;
	v_mode text;
	v_ft regclass;
	v_batch bigint;
	v_now timestamptz := clock_timestamp();
	v_src_now timestamptz;
	v_lo text;
	v_hi text;
	v_preds text[];
	v_pred text;
	v_ids int[];
	v_chunk int := doliflow.setting('lake_parent_chunk')::int;
	v_capture boolean := false;
	v_empty boolean;
	v_reconcile boolean := false;
	v_cols text;
	v_sel text;
	v_hash text;
	v_inv text;
	v_extra text;
	v_key text;
	v_sql text;
	c1 bigint;
	c2 bigint;
	f bigint;
	l bigint;
	n_fetched bigint := 0;
	n_loaded bigint := 0;
	n_deleted bigint := 0;
	n_source bigint := 0;
	n_keys bigint;
	v_detail jsonb;
BEGIN
	SELECT * INTO t FROM doliflow.source_table st WHERE st.table_name = p_table;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown source table "%"', p_table
			USING ERRCODE = 'undefined_table', HINT = 'SELECT table_name FROM doliflow.source_table lists them.';
	END IF;
	v_ft := to_regclass(format('dolibarr.%I', p_table));
	IF v_ft IS NULL THEN
		RAISE EXCEPTION 'no foreign table dolibarr.%: the table is missing in the source or doliflow is not connected', p_table
			USING ERRCODE = 'undefined_table',
				  HINT = 'Call doliflow.connect(); doliflow.source_connection.missing lists what the source lacks.';
	END IF;
	v_key := t.key_column;
	v_mode := t.mode;
	IF v_mode = 'tms' AND NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a
									   WHERE a.attrelid = v_ft AND a.attname = 'tms' AND NOT a.attisdropped) THEN
		v_mode := 'full';		-- an old source without tms: read it whole
	END IF;

	v_src_now := doliflow._source_now();	-- one clear error when the source is down

	SELECT * INTO wm FROM lake.watermark w WHERE w.table_name = p_table FOR UPDATE;
	INSERT INTO lake.batch (run_id, table_name) VALUES (p_run_id, p_table) RETURNING batch_id INTO v_batch;
	EXECUTE format('SELECT NOT EXISTS (SELECT FROM lake.%I)', p_table) INTO v_empty;

	-- Column expressions: lake column <- converted foreign column (or NULL
	-- when the source lacks it), the row hash over everything read, and the
	-- list of columns whose date was zero or impossible.
	SELECT string_agg(format('%I', lc.attname), ', ' ORDER BY lc.attnum),
		   string_agg(CASE
						WHEN fc.attname IS NULL THEN format('NULL::%s', format_type(lc.atttypid, lc.atttypmod))
						WHEN lc.atttypid = 'date'::regtype THEN format('doliflow.mysql_date(f.%I)', lc.attname)
						WHEN lc.atttypid = 'timestamp'::regtype THEN format('doliflow.mysql_timestamp(f.%I)', lc.attname)
						WHEN lc.atttypid = 'timestamptz'::regtype THEN format('doliflow.mysql_timestamptz(f.%I)', lc.attname)
						ELSE format('f.%I::%s', lc.attname, format_type(lc.atttypid, lc.atttypmod))
					  END || format(' AS %I', lc.attname), ', ' ORDER BY lc.attnum),
		   string_agg(CASE WHEN fc.attname IS NOT NULL AND lc.atttypid IN ('date'::regtype, 'timestamp'::regtype, 'timestamptz'::regtype)
						   THEN format('CASE WHEN f.%1$I IS NOT NULL AND doliflow.mysql_timestamp(f.%1$I) IS NULL THEN %2$L END',
									   lc.attname, lc.attname) END, ', ' ORDER BY lc.attnum)
	  INTO v_cols, v_sel, v_inv
	  FROM pg_catalog.pg_attribute lc
	  LEFT JOIN pg_catalog.pg_attribute fc
		ON fc.attrelid = v_ft AND fc.attname = lc.attname AND NOT fc.attisdropped AND fc.attnum > 0
	 WHERE lc.attrelid = format('lake.%I', p_table)::regclass AND lc.attnum > 0 AND NOT lc.attisdropped
	   AND lc.attname NOT IN ('_batch', '_extracted_at', '_deleted', '_hash', '_invalid_dates', 'extrafields');
	SELECT 'md5(ROW(' || string_agg(format('f.%I', a.attname), ', ' ORDER BY a.attnum) || ')::text)::uuid'
	  INTO v_hash
	  FROM pg_catalog.pg_attribute a WHERE a.attrelid = v_ft AND a.attnum > 0 AND NOT a.attisdropped;
	v_inv := CASE WHEN v_inv IS NULL THEN 'NULL::text[]'
				  ELSE format('NULLIF(array_remove(ARRAY[%s]::text[], NULL), ''{}'')', v_inv) END;
	IF p_table = 'llx_ticket_extrafields' THEN
		SELECT 'jsonb_strip_nulls(jsonb_build_object(' || string_agg(format('%L, f.%I', a.attname, a.attname), ', ' ORDER BY a.attnum) || '))'
		  INTO v_extra
		  FROM pg_catalog.pg_attribute a
		 WHERE a.attrelid = v_ft AND a.attnum > 0 AND NOT a.attisdropped
		   AND NOT EXISTS (SELECT FROM doliflow.source_column sc
							WHERE sc.table_name = p_table AND sc.column_name = a.attname);
		v_cols := v_cols || ', extrafields';
		v_sel := v_sel || ', ' || coalesce(v_extra, '''{}''::jsonb') || ' AS extrafields';
	END IF;

	-- The window(s) to read.
	IF v_mode = 'tms' THEN
		v_lo := to_char((wm.last_tms - doliflow.setting('lake_lookback')::interval) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS');
		v_hi := to_char((v_src_now - interval '1 second') AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS');
		IF v_lo IS NULL THEN
			v_preds := ARRAY[format('(f.tms <= %L OR f.tms IS NULL)', v_hi)];
		ELSE
			-- Rows with a NULL or zero tms cannot be windowed: they are read every
			-- time (unchanged ones add no version).
			v_preds := ARRAY[format('((f.tms > %L AND f.tms <= %L) OR f.tms IS NULL OR f.tms < %L)', v_lo, v_hi, '1000-01-01')];
		END IF;
		v_reconcile := wm.table_name IS NOT NULL
			AND (wm.last_reconciled_at IS NULL
				 OR v_now - wm.last_reconciled_at >= doliflow.setting('lake_reconcile_interval')::interval);
	ELSIF v_mode = 'rowid' THEN
		v_lo := coalesce(wm.last_rowid, 0)::text;
		BEGIN
			EXECUTE format('SELECT max(f.%I) FROM dolibarr.%I f', v_key, p_table) INTO v_hi;
		EXCEPTION WHEN OTHERS THEN
			PERFORM doliflow._source_count(p_table, 'false');	-- re-raises clearly
			RAISE;
		END;
		v_hi := coalesce(v_hi, v_lo);
		v_preds := ARRAY[format('(f.%I > %s AND f.%I <= %s)', v_key, v_lo, v_key, v_hi)];
		v_reconcile := wm.table_name IS NOT NULL
			AND (wm.last_reconciled_at IS NULL
				 OR v_now - wm.last_reconciled_at >= doliflow.setting('lake_reconcile_interval')::interval);
		IF wm.last_rowid IS NULL THEN
			v_lo := NULL;
		END IF;
	ELSIF v_mode = 'parent' AND wm.last_parent_batch IS NOT NULL THEN
		v_lo := wm.last_parent_batch::text;
		SELECT max(b.batch_id)::text INTO v_hi FROM lake.batch b
		 WHERE b.table_name = t.parent_table AND b.status = 'loaded';
		v_hi := coalesce(v_hi, v_lo);
		EXECUTE format('SELECT array_agg(DISTINCT p.%I ORDER BY p.%I) FROM lake.%I p WHERE p._batch > %s AND p._batch <= %s',
					   (SELECT st.key_column FROM doliflow.source_table st WHERE st.table_name = t.parent_table),
					   (SELECT st.key_column FROM doliflow.source_table st WHERE st.table_name = t.parent_table),
					   t.parent_table, v_lo, v_hi)
		   INTO v_ids;
		v_preds := '{}';
		FOR i IN 0 .. coalesce((cardinality(v_ids) - 1) / v_chunk, -1) LOOP
			v_preds := v_preds || format('f.%I = ANY (%L::integer[])', t.parent_column,
										 v_ids[i * v_chunk + 1 : (i + 1) * v_chunk]::text);
		END LOOP;
		v_capture := true;
	ELSE	-- full, or the first load of a parent-mode table
		IF v_mode = 'parent' THEN
			SELECT max(b.batch_id)::text INTO v_hi FROM lake.batch b
			 WHERE b.table_name = t.parent_table AND b.status = 'loaded';
		END IF;
		v_preds := ARRAY['true'];
		v_capture := true;
	END IF;

	IF v_capture OR v_reconcile THEN
		DROP TABLE IF EXISTS pg_temp.df_keys;
		CREATE TEMP TABLE df_keys (k bigint);
	END IF;

	-- Load each window: count on the source, fetch and store changed rows in
	-- one statement, count again.  Rows fetched must equal a source count,
	-- else everything this function did is rolled back by the error.
	FOREACH v_pred IN ARRAY v_preds LOOP
		c1 := doliflow._source_count(p_table, v_pred);
		v_sql := format('WITH src AS MATERIALIZED (SELECT %s, %s AS _hash, %s AS _invalid_dates FROM dolibarr.%I f WHERE %s)',
						v_sel, v_hash, v_inv, p_table, v_pred);
		IF v_capture THEN
			v_sql := v_sql || format(', keys AS (INSERT INTO pg_temp.df_keys (k) SELECT s.%I FROM src s)', v_key);
		END IF;
		v_sql := v_sql || format(', ins AS (INSERT INTO lake.%I (%s, _batch, _extracted_at, _deleted, _hash, _invalid_dates) '
								 'SELECT %s, $1, $2, false, s._hash, s._invalid_dates FROM src s',
								 p_table, v_cols, regexp_replace(v_cols, '([^ ,]+)', 's.\1', 'g'));
		IF NOT v_empty THEN
			v_sql := v_sql || format(' WHERE NOT EXISTS (SELECT FROM (SELECT l._hash, l._deleted FROM lake.%I l WHERE l.%I = s.%I '
									 'ORDER BY l._batch DESC, l._deleted DESC LIMIT 1) x WHERE x._hash = s._hash AND NOT x._deleted)',
									 p_table, v_key, v_key);
		END IF;
		v_sql := v_sql || ' RETURNING 1) SELECT (SELECT count(*) FROM src), (SELECT count(*) FROM ins)';
		EXECUTE v_sql INTO f, l USING v_batch, v_now;
		c2 := doliflow._source_count(p_table, v_pred);
		IF f < least(c1, c2) OR f > greatest(c1, c2) THEN
			RAISE EXCEPTION 'incomplete read of % from the Dolibarr source: % rows fetched, but the source counts % in the same window',
				p_table, f, CASE WHEN c1 = c2 THEN c1::text ELSE format('%s then %s', c1, c2) END
				USING ERRCODE = 'connection_failure',
					  DETAIL = format('window: %s', v_pred),
					  HINT = 'The MySQL connection was probably lost during the scan (mysql_fdw then ends it without an error). Nothing of this table was kept and its watermark did not move; run doliflow.extract() again.';
		END IF;
		n_fetched := n_fetched + f;
		n_loaded := n_loaded + l;
		n_source := n_source + c2;
	END LOOP;

	-- Hard deletes.  Windowed modes: compare the full key set of the source
	-- (verified against a source count) with the lake's live keys.  Full and
	-- parent modes: the keys just read are the whole set (for those parents).
	IF v_reconcile THEN
		c1 := doliflow._source_count(p_table, 'true');
		EXECUTE format('INSERT INTO pg_temp.df_keys (k) SELECT f.%I FROM dolibarr.%I f', v_key, p_table);
		GET DIAGNOSTICS n_keys = ROW_COUNT;
		c2 := doliflow._source_count(p_table, 'true');
		IF n_keys < least(c1, c2) OR n_keys > greatest(c1, c2) THEN
			RAISE EXCEPTION 'incomplete key scan of % on the Dolibarr source: % keys fetched, but the source counts %',
				p_table, n_keys, c2
				USING ERRCODE = 'connection_failure',
					  HINT = 'The MySQL connection was probably lost during the scan. Nothing of this table was kept; run doliflow.extract() again.';
		END IF;
	END IF;
	IF v_capture OR v_reconcile THEN
		ANALYZE pg_temp.df_keys;
		EXECUTE format('INSERT INTO lake.%1$I (%2$s, _batch, _extracted_at, _deleted, _hash, _invalid_dates) '
					   'SELECT %3$s, $1, $2, true, c._hash, c._invalid_dates '
					   '  FROM (SELECT DISTINCT ON (l.%4$I) l.* FROM lake.%1$I l ORDER BY l.%4$I, l._batch DESC, l._deleted DESC) c '
					   ' WHERE NOT c._deleted %5$s AND NOT EXISTS (SELECT FROM pg_temp.df_keys k WHERE k.k = c.%4$I)',
					   p_table, v_cols, regexp_replace(v_cols, '([^ ,]+)', 'c.\1', 'g'), v_key,
					   CASE WHEN v_mode = 'parent' AND v_ids IS NOT NULL
							THEN format('AND c.%I = ANY (%L::integer[])', t.parent_column, v_ids::text)
							WHEN v_mode = 'parent' AND v_lo IS NOT NULL THEN 'AND false'
							ELSE '' END)
			USING v_batch, v_now;
		GET DIAGNOSTICS n_deleted = ROW_COUNT;
		DROP TABLE pg_temp.df_keys;
	END IF;

	v_detail := jsonb_build_object('mode', v_mode, 'batch', v_batch, 'window_lo', v_lo, 'window_hi', v_hi,
								   'windows', cardinality(v_preds), 'source_count', n_source, 'fetched', n_fetched,
								   'loaded', n_loaded, 'deleted', n_deleted, 'reconciled', v_reconcile or v_capture);
	UPDATE lake.batch
	   SET finished_at = clock_timestamp(), window_lo = v_lo, window_hi = v_hi, source_count = n_source,
		   rows_fetched = n_fetched, rows_loaded = n_loaded, rows_deleted = n_deleted, status = 'loaded'
	 WHERE batch_id = v_batch;
	INSERT INTO lake.watermark AS w (table_name, last_tms, last_rowid, last_parent_batch, last_batch, last_reconciled_at)
	VALUES (p_table,
			CASE WHEN v_mode = 'tms' THEN v_src_now - interval '1 second' END,
			CASE WHEN v_mode = 'rowid' THEN v_hi::bigint END,
			CASE WHEN v_mode = 'parent' THEN v_hi::bigint END,
			v_batch, v_now)
	ON CONFLICT (table_name) DO UPDATE
	   SET last_tms = excluded.last_tms, last_rowid = excluded.last_rowid,
		   last_parent_batch = coalesce(excluded.last_parent_batch, w.last_parent_batch),
		   last_batch = excluded.last_batch,
		   last_reconciled_at = CASE WHEN v_reconcile OR v_capture THEN v_now ELSE w.last_reconciled_at END,
		   updated_at = clock_timestamp();
	RETURN v_detail;
END;
$$;
COMMENT ON FUNCTION doliflow._extract_table(text, bigint) IS 'Internal: extracts one source table into the lake as one verified batch (see doliflow.extract); raises, keeping nothing, when the rows fetched differ from the source''s own count';
ALTER FUNCTION doliflow._extract_table(text, bigint) OWNER TO doliflow_owner;
REVOKE ALL ON FUNCTION doliflow._extract_table(text, bigint) FROM PUBLIC;

CREATE FUNCTION doliflow._batch_failed(p_table text, p_run_id bigint, p_error text) RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
	INSERT INTO lake.batch (run_id, table_name, finished_at, status, error, rows_loaded, rows_deleted)
	VALUES (p_run_id, p_table, clock_timestamp(), 'failed', p_error, 0, 0)
	RETURNING batch_id;
$$;
COMMENT ON FUNCTION doliflow._batch_failed(text, bigint, text) IS 'Internal: records a failed batch (its rows were rolled back)';
ALTER FUNCTION doliflow._batch_failed(text, bigint, text) OWNER TO doliflow_owner;
REVOKE ALL ON FUNCTION doliflow._batch_failed(text, bigint, text) FROM PUBLIC;

------------------------------------------------------------------------------
-- extract()
------------------------------------------------------------------------------

-- The steps of an extract under an existing run (run_pipeline() calls this
-- with its own run).  Commits after each table; a failed table is logged
-- and the others go on.
CREATE PROCEDURE doliflow._extract_run(p_run_id bigint, INOUT p_failed int DEFAULT 0, INOUT p_error text DEFAULT NULL)
LANGUAGE plpgsql AS $$
DECLARE
	t record;
	v_step bigint;
	v_detail jsonb;
	v_err text;
	v_state text;
	v_hint text;
	v_down boolean := false;
BEGIN
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
	p_failed := 0;
	FOR t IN SELECT st.table_name FROM doliflow.source_table st ORDER BY st.load_order LOOP
		v_step := doliflow._step_begin(p_run_id, 'extract:' || t.table_name);
		COMMIT;
		PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
		IF v_down THEN
			PERFORM doliflow._step_end(v_step, 'skipped', NULL, NULL, NULL, 'source unreachable');
			COMMIT;
			CONTINUE;
		END IF;
		BEGIN
			v_detail := doliflow._extract_table(t.table_name, p_run_id);
			PERFORM doliflow._step_end(v_step, 'success', (v_detail ->> 'fetched')::bigint,
									   (v_detail ->> 'loaded')::bigint + (v_detail ->> 'deleted')::bigint, v_detail);
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS v_err = MESSAGE_TEXT, v_state = RETURNED_SQLSTATE, v_hint = PG_EXCEPTION_HINT;
			PERFORM doliflow._batch_failed(t.table_name, p_run_id, v_err);
			PERFORM doliflow._step_end(v_step, 'failed', NULL, 0,
									   jsonb_build_object('sqlstate', v_state, 'hint', nullif(v_hint, '')), v_err);
			p_failed := p_failed + 1;
			p_error := coalesce(p_error, v_err);
			v_down := v_state = '08001';
		END;
		COMMIT;
	END LOOP;
END;
$$;
COMMENT ON PROCEDURE doliflow._extract_run(bigint, int, text) IS 'Internal: the per-table steps of an extract under an existing run (one committed transaction per table); returns the number of failed tables and the first error';

CREATE PROCEDURE doliflow.extract()
LANGUAGE plpgsql AS $$
DECLARE
	v_run bigint;
	v_failed int;
	v_error text;
	v_tables int;
BEGIN
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
	IF NOT pg_catalog.pg_try_advisory_lock(pg_catalog.hashtext('doliflow.extract')) THEN
		v_run := doliflow._run_begin('extract');
		PERFORM doliflow._run_end(v_run, 'skipped', 'another doliflow.extract() is running');
		RAISE NOTICE 'doliflow: another extract is running; this one is skipped (run %)', v_run;
		RETURN;
	END IF;
	v_run := doliflow._run_begin('extract');
	COMMIT;
	CALL doliflow._extract_run(v_run, v_failed, v_error);
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
	SELECT count(*) INTO v_tables FROM doliflow.source_table;
	PERFORM doliflow._run_end(v_run, CASE WHEN v_failed = 0 THEN 'success'
										  WHEN v_failed < v_tables THEN 'partial' ELSE 'failed' END, v_error);
	COMMIT;
	PERFORM pg_catalog.pg_advisory_unlock(pg_catalog.hashtext('doliflow.extract'));
	IF v_failed > 0 THEN
		RAISE WARNING 'doliflow: extract run % finished with % failed table(s): %', v_run, v_failed, v_error
			USING HINT = format('SELECT step, error FROM doliflow.run_step WHERE run_id = %s AND status <> ''success''', v_run);
	END IF;
END;
$$;
COMMENT ON PROCEDURE doliflow.extract() IS
'Copies the Dolibarr source into the lake: for every source table one committed, verified batch of new versions (only rows that changed), tombstones for rows deleted on the source, incremental on tms (watermark, lookback setting lake_lookback, upper bound from the source clock), on rowid for llx_stock_mouvement, through the header for invoice/intervention/supplier-order lines, in full for dictionaries. Each batch is kept only if the rows fetched match the source''s own count of the window; a failed table is logged (doliflow.run_step) and the others go on. Call it outside a transaction block.';
REVOKE ALL ON PROCEDURE doliflow.extract() FROM PUBLIC;
REVOKE ALL ON PROCEDURE doliflow._extract_run(bigint, int, text) FROM PUBLIC;
