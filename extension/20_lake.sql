-- doliflow install script, part 20: the data lake.
--
-- lake.<table>          append-only versions of every Dolibarr source table: the source
--                       columns (same names; dates as date/timestamp, zero dates -> NULL)
--                       plus _batch, _extracted_at, _deleted (tombstone), _hash (md5 of
--                       the source row) and _invalid_dates (columns whose zero/impossible
--                       date became NULL).  llx_ticket_extrafields keeps its custom
--                       columns in one jsonb column `extrafields` ({"satisfaction": 4, ...}).
-- lake.<table>_current  the latest live (not deleted) version of each row, by key: a table
--                       that every extract updates in the batch's transaction.
-- lake.batch            one row per table and extract run (window, counts, status).
-- lake.watermark        where the next incremental extract of each table starts.
--
-- doliflow.extract() (a procedure: commits per table) calls
-- doliflow._extract_table() (SECURITY DEFINER, owned by doliflow_owner) for each table;
-- a table's load is kept only when the rows fetched match a count of the same window
-- made by the source itself (mysql_fdw 2.8 ends a scan silently when the connection dies).

INSERT INTO doliflow.settings (name, value, value_type, description) VALUES
	('lake_lookback', '10 minutes', 'interval', 'Incremental extracts re-read rows whose tms is this much older than the last watermark (late commits, clock skew); unchanged rows add no version'),
	('lake_reconcile_interval', '0 seconds', 'interval', 'Minimum time between two reconciliations of a tms/rowid/parent table with the source''s keys (finds hard deletes: per-range counts by the source, keys fetched only for the ranges that differ); 0 = every extract'),
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
	error        text,
	rows_held_back bigint
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
COMMENT ON COLUMN lake.batch.rows_held_back IS 'tms mode: source rows stamped after the window''s upper bound (the source clock), left to a later extract; 0 or NULL otherwise';

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
GRANT USAGE ON SCHEMA lake TO doliflow_owner;

------------------------------------------------------------------------------
-- One lake table and one _current table per source table
------------------------------------------------------------------------------

DO $$
DECLARE
	t record;
	cols text;
BEGIN
	FOR t IN SELECT * FROM doliflow.source_table ORDER BY load_order LOOP
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

-- Hard deletes of a windowed (tms/rowid) table without moving every key across
-- the wire, in one pass of the source: the live keys of lake.<t>_current and the
-- source's keys are compared by groups of 64 consecutive keys (count, sum of the
-- offsets in the group and sum of a hash of the keys, computed by MariaDB: mysql_fdw
-- pushes the GROUP BY down).  A group the source lacks lost all its keys; a group
-- with one key less whose offset and hash differences are those of one of its lake
-- keys lost that key (confirmed absent by a source count); only the keys of the
-- other differing groups are fetched.  The groups must add up to a source count of
-- the table and the keys fetched to the groups' counts (else each query is checked
-- against a source count made then): a scan that ends early, as mysql_fdw does when
-- the connection dies, is rejected.  Fills pg_temp.df_gone with the lake keys
-- missing from the source.
CREATE FUNCTION doliflow._reconcile_gone(p_table text, p_key text) RETURNS jsonb
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET work_mem = '64MB' AS $$
DECLARE
	c_g constant bigint := 64;	-- keys per group
	v_max bigint;
	v_range text;
	v_expect bigint;
	v_preds text[];
	v_fs bigint[];
	v_cand bigint[];
	v_total bigint;
	f bigint;
	c2 bigint;
	n_groups bigint;
	n_diff bigint;
	n_whole bigint;
	n_deduced bigint := 0;
	n_keys bigint := 0;
	n_queries int := 0;
BEGIN
	CREATE TEMP TABLE df_gone (k bigint) ON COMMIT DROP;
	EXECUTE format('SELECT max(c.%1$I) FROM lake.%2$I c', p_key, p_table || '_current') INTO v_max;
	IF v_max IS NULL THEN
		RETURN jsonb_build_object('group', c_g, 'source_groups', 0, 'groups_differing', 0, 'keys_deduced', 0,
								  'source_keys', 0, 'source_queries', 0);
	END IF;
	-- The whole table, not the range of the lake's keys: MariaDB then counts and groups
	-- on its smallest index instead of the clustered primary key (source groups
	-- outside the lake's are not compared).
	v_range := 'true';

	-- Each group of 64 consecutive keys is summed up by its count, the sum of the
	-- offsets in the group and the sum of a hash of the keys ((k mod 32749) * 32719
	-- mod 32749: integer arithmetic that MariaDB and PostgreSQL compute alike and
	-- mysql_fdw pushes down), on the lake's live keys and, by MariaDB, on the source's.
	CREATE TEMP TABLE df_loc ON COMMIT DROP AS SELECT 0::bigint AS g, 0::bigint AS n, 0::bigint AS s, 0::bigint AS h WITH NO DATA;
	EXECUTE format('INSERT INTO pg_temp.df_loc SELECT c.%1$I - c.%1$I %% 64, count(*), sum(c.%1$I %% 64), sum(c.%1$I %% 32749 * 32719 %% 32749) '
				   'FROM lake.%2$I c GROUP BY 1', p_key, p_table || '_current');
	CREATE TEMP TABLE df_grp (g bigint, n bigint, s bigint, h bigint) ON COMMIT DROP;
	v_expect := doliflow._source_count(p_table, v_range);
	EXECUTE format('WITH x AS (INSERT INTO pg_temp.df_grp (g, n, s, h) '
				   'SELECT f.%1$I - f.%1$I %% 64, count(*), sum(f.%1$I %% 64), sum(f.%1$I %% 32749 * 32719 %% 32749) '
				   'FROM dolibarr.%2$I f WHERE %3$s GROUP BY 1 RETURNING n) SELECT coalesce(sum(n), 0) FROM x',
				   p_key, p_table, v_range) INTO f;
	n_queries := 1;
	-- The groups must add up to what the source counts in the same range (made just
	-- before; when they differ, the source changed in between or the scan ended early:
	-- a count made now decides).
	IF f <> v_expect THEN
		c2 := doliflow._source_count(p_table, v_range);
		IF c2 IS NULL OR f <> c2 THEN
			RAISE EXCEPTION 'incomplete key scan of % on the Dolibarr source: groups of % keys fetched, but the source counts %',
				p_table, f, coalesce(c2::text, 'nothing')
				USING ERRCODE = 'connection_failure',
					  DETAIL = format('range: %s', v_range),
					  HINT = 'The MySQL connection was probably lost during the scan. Nothing of this table was kept; run doliflow.extract() again.';
		END IF;
	END IF;
	SELECT count(*) INTO n_groups FROM pg_temp.df_grp;

	-- The lake's groups that differ from the source's.  A group the source lacks lost all
	-- its keys; a group with one key less whose offset sum and hash sum are those of one
	-- lake key lost that key (confirmed absent by a source count below); the others have
	-- their source keys fetched.
	CREATE TEMP TABLE df_diff ON COMMIT DROP AS
	SELECT l.g, l.n AS ln, coalesce(s.n, 0) AS sn, l.s - coalesce(s.s, 0) AS ds, l.h - coalesce(s.h, 0) AS dh,
		   CASE WHEN s.g IS NULL THEN 'gone' WHEN l.n - s.n = 1 AND l.s - s.s BETWEEN 0 AND 63 THEN 'one' ELSE 'fetch' END AS how
	  FROM pg_temp.df_loc l LEFT JOIN pg_temp.df_grp s ON s.g = l.g
	 WHERE s.g IS NULL OR s.n <> l.n OR s.s <> l.s OR s.h <> l.h;
	GET DIAGNOSTICS n_diff = ROW_COUNT;
	EXECUTE format('INSERT INTO pg_temp.df_gone (k) SELECT c.%1$I FROM pg_temp.df_diff d '
				   'JOIN lake.%2$I c ON c.%1$I >= d.g AND c.%1$I < d.g + 64 WHERE d.how = %3$L',
				   p_key, p_table || '_current', 'gone');
	GET DIAGNOSTICS n_whole = ROW_COUNT;
	-- One key less: the candidate must be a lake key of the group with the hash missing.
	EXECUTE format('UPDATE pg_temp.df_diff d SET how = %3$L WHERE d.how = %4$L AND NOT EXISTS ('
				   'SELECT FROM lake.%2$I c WHERE c.%1$I = d.g + d.ds AND (c.%1$I %% 32749 * 32719 %% 32749) = d.dh)',
				   p_key, p_table || '_current', 'fetch', 'one');
	-- The candidates are confirmed absent by the source, 10000 a query (a count: an
	-- answer cut short is no answer); a chunk with any present is fetched instead.
	FOR v_cand IN SELECT array_agg(d.g + d.ds ORDER BY d.g) FROM
			(SELECT d.*, (row_number() OVER (ORDER BY d.g) - 1) / 10000 AS c FROM pg_temp.df_diff d WHERE d.how = 'one') d
			GROUP BY d.c LOOP
		c2 := doliflow._source_count(p_table, format('f.%I = ANY (%L::bigint[])', p_key, v_cand::text));
		n_queries := n_queries + 1;
		IF c2 IS NULL THEN
			RAISE EXCEPTION 'incomplete key scan of % on the Dolibarr source: no answer to a count of % keys', p_table, cardinality(v_cand)
				USING ERRCODE = 'connection_failure',
					  HINT = 'The MySQL connection was probably lost during the scan. Nothing of this table was kept; run doliflow.extract() again.';
		ELSIF c2 = 0 THEN
			INSERT INTO pg_temp.df_gone (k) SELECT unnest(v_cand);
			n_deduced := n_deduced + cardinality(v_cand);
		ELSE
			UPDATE pg_temp.df_diff d SET how = 'fetch' WHERE d.how = 'one' AND d.g + d.ds = ANY (v_cand);
		END IF;
	END LOOP;

	-- The other differing groups: their source keys, as ranges (adjacent groups merged),
	-- at most 50 ranges a query; the keys fetched must add up to the groups' source counts.
	SELECT array_agg(p), coalesce(sum(sn), 0) INTO v_preds, v_expect FROM (
		SELECT '(' || string_agg(format('(f.%1$I >= %2$s AND f.%1$I < %3$s)', p_key, r.lo, r.hi), ' OR ') || ')' AS p, sum(r.sn) AS sn
		  FROM (SELECT r.*, (row_number() OVER (ORDER BY r.lo) - 1) / 50 AS c
				  FROM (SELECT min(m.g) AS lo, max(m.g) + 64 AS hi, sum(m.sn) AS sn
						  FROM (SELECT d.g, d.sn, d.g - 64 * row_number() OVER (ORDER BY d.g) AS run
								  FROM pg_temp.df_diff d WHERE d.how = 'fetch') m
						 GROUP BY m.run) r) r
		 GROUP BY r.c) x;
	IF v_preds IS NOT NULL THEN
		TRUNCATE pg_temp.df_grp;
		v_fs := '{}';
		v_total := 0;
		FOR i IN 1 .. cardinality(v_preds) LOOP
			EXECUTE format('WITH x AS (INSERT INTO pg_temp.df_grp (g) SELECT f.%1$I FROM dolibarr.%2$I f WHERE %3$s RETURNING 1) '
						   'SELECT count(*) FROM x', p_key, p_table, v_preds[i]) INTO f;
			v_fs := v_fs || f;
			v_total := v_total + f;
			n_queries := n_queries + 1;
		END LOOP;
		IF v_total <> v_expect THEN
			FOR i IN 1 .. cardinality(v_preds) LOOP
				c2 := doliflow._source_count(p_table, v_preds[i]);
				IF c2 IS NULL OR v_fs[i] <> c2 THEN
					RAISE EXCEPTION 'incomplete key scan of % on the Dolibarr source: % keys fetched, but the source counts %',
						p_table, v_fs[i], coalesce(c2::text, 'nothing')
						USING ERRCODE = 'connection_failure',
							  DETAIL = format('ranges: %s', left(v_preds[i], 200)),
							  HINT = 'The MySQL connection was probably lost during the scan. Nothing of this table was kept; run doliflow.extract() again.';
				END IF;
			END LOOP;
		END IF;
		n_keys := v_total;
		ANALYZE pg_temp.df_grp;
		EXECUTE format('INSERT INTO pg_temp.df_gone (k) SELECT c.%1$I FROM pg_temp.df_diff d '
					   'JOIN lake.%2$I c ON c.%1$I >= d.g AND c.%1$I < d.g + 64 '
					   'WHERE d.how = %3$L AND NOT EXISTS (SELECT FROM pg_temp.df_grp s WHERE s.g = c.%1$I)',
					   p_key, p_table || '_current', 'fetch');
	END IF;
	DROP TABLE pg_temp.df_grp;
	DROP TABLE pg_temp.df_loc;
	DROP TABLE pg_temp.df_diff;
	RETURN jsonb_build_object('group', c_g, 'source_groups', n_groups, 'groups_differing', n_diff,
							  'keys_in_gone_groups', n_whole, 'keys_deduced', n_deduced, 'source_keys', n_keys,
							  'source_queries', n_queries);
END;
$$;
COMMENT ON FUNCTION doliflow._reconcile_gone(text, text) IS 'Internal: finds the live lake keys of a tms/rowid table that the source no longer has, comparing per-group (64 keys) counts, offset sums and key-hash sums computed by the source in one pass (a missing key deduced where a group lost one, confirmed by a source count; keys fetched only for the other groups that differ), each source answer verified by source counts; fills pg_temp.df_gone and returns what it compared';
ALTER FUNCTION doliflow._reconcile_gone(text, text) OWNER TO doliflow_owner;
REVOKE ALL ON FUNCTION doliflow._reconcile_gone(text, text) FROM PUBLIC;

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
	n_held bigint := 0;
	v_detail jsonb;
	v_index_defs text[];
	v_index_names text[];
	v_recon jsonb;
	v_pk_name name;
	v_pk_def text;
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
	EXECUTE format('SELECT NOT EXISTS (SELECT FROM lake.%I) AND NOT EXISTS (SELECT FROM lake.%I)', p_table, p_table || '_current')
	   INTO v_empty;

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
			-- max() alone becomes ORDER BY key DESC LIMIT 1 (PostgreSQL's min/max
			-- rewrite), which mysql_fdw 2.8 sends with "key IS NOT NULL" first in the
			-- ORDER BY: MariaDB then sorts every row.  A window function keeps the
			-- planner from that rewrite, so the aggregate itself is pushed down and
			-- MariaDB answers it from the primary key ("Select tables optimized away").
			EXECUTE format('SELECT max(f.%I), count(*) OVER () FROM dolibarr.%I f', v_key, p_table) INTO v_hi;
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
		v_reconcile := wm.last_reconciled_at IS NULL
			OR v_now - wm.last_reconciled_at >= doliflow.setting('lake_reconcile_interval')::interval;
	ELSE	-- full, or the first load of a parent-mode table
		IF v_mode = 'parent' THEN
			SELECT max(b.batch_id)::text INTO v_hi FROM lake.batch b
			 WHERE b.table_name = t.parent_table AND b.status = 'loaded';
		END IF;
		v_preds := ARRAY['true'];
		v_capture := true;
	END IF;

	IF v_capture THEN
		-- Made fresh (never a caller's table of that name), dropped below.
		CREATE TEMP TABLE df_keys (k bigint) ON COMMIT DROP;
	END IF;

	-- First load of a table: its indexes and the current table's key are built after the
	-- rows are in, which is several times faster than maintaining them row by row (the
	-- current rows are then inserted without ON CONFLICT: the source key is unique, and
	-- adding the key back checks it).  They are dropped in this transaction: an error
	-- restores them with everything else.
	IF v_empty THEN
		SELECT c.conname, pg_catalog.pg_get_constraintdef(c.oid) INTO v_pk_name, v_pk_def
		  FROM pg_catalog.pg_constraint c
		 WHERE c.conrelid = format('lake.%I', p_table || '_current')::regclass AND c.contype = 'p';
		IF v_pk_name IS NOT NULL THEN
			EXECUTE format('ALTER TABLE lake.%I DROP CONSTRAINT %I', p_table || '_current', v_pk_name);
		END IF;
		SELECT array_agg(pg_catalog.pg_get_indexdef(i.indexrelid) ORDER BY i.indexrelid),
			   array_agg(i.indexrelid::regclass::text ORDER BY i.indexrelid)
		  INTO v_index_defs, v_index_names
		  FROM pg_catalog.pg_index i
		 WHERE i.indrelid IN (format('lake.%I', p_table)::regclass, format('lake.%I', p_table || '_current')::regclass)
		   AND NOT i.indisprimary;
		IF v_index_names IS NOT NULL THEN
			EXECUTE 'DROP INDEX ' || array_to_string(v_index_names, ', ');
		END IF;
	END IF;

	-- Load each window: count on the source, fetch and store changed rows in
	-- one statement, count again.  Rows fetched must equal a source count,
	-- else everything this function did is rolled back by the error.
	FOREACH v_pred IN ARRAY v_preds LOOP
		c1 := doliflow._source_count(p_table, v_pred);
		IF v_empty THEN
			-- First load: the rows go straight from the source to the history (no
			-- materialized copy of the window), the current rows and keys are then
			-- read back from the history.
			EXECUTE format('WITH ins AS (INSERT INTO lake.%I (%s, _batch, _extracted_at, _deleted, _hash, _invalid_dates) '
						   'SELECT %s, $1, $2, false, %s, %s FROM dolibarr.%I f WHERE %s RETURNING 1) SELECT count(*) FROM ins',
						   p_table, v_cols, v_sel, v_hash, v_inv, p_table, v_pred)
			   INTO f USING v_batch, v_now;
			l := f;
			EXECUTE format('INSERT INTO lake.%I (%s, _batch, _extracted_at, _invalid_dates, _hash) '
						   'SELECT %s, _batch, _extracted_at, _invalid_dates, _hash FROM lake.%I WHERE _batch = $1',
						   p_table || '_current', v_cols, v_cols, p_table) USING v_batch;
			IF v_capture THEN
				EXECUTE format('INSERT INTO pg_temp.df_keys (k) SELECT %I FROM lake.%I WHERE _batch = $1', v_key, p_table)
				USING v_batch;
			END IF;
		ELSE
			v_sql := format('WITH src AS MATERIALIZED (SELECT %s, %s AS _hash, %s AS _invalid_dates FROM dolibarr.%I f WHERE %s)',
							v_sel, v_hash, v_inv, p_table, v_pred);
			IF v_capture THEN
				v_sql := v_sql || format(', keys AS (INSERT INTO pg_temp.df_keys (k) SELECT s.%I FROM src s)', v_key);
			END IF;
			-- New versions go to the history and replace the current row of their key.
			v_sql := v_sql || format(', ins AS (INSERT INTO lake.%I (%s, _batch, _extracted_at, _deleted, _hash, _invalid_dates) '
									 'SELECT %s, $1, $2, false, s._hash, s._invalid_dates FROM src s',
									 p_table, v_cols, regexp_replace(v_cols, '([^ ,]+)', 's.\1', 'g'));
			IF NOT v_empty THEN
				v_sql := v_sql || format(' WHERE NOT EXISTS (SELECT FROM lake.%I c WHERE c.%I = s.%I AND c._hash = s._hash)',
										 p_table || '_current', v_key, v_key);
			END IF;
			v_sql := v_sql || format(' RETURNING %s, _batch, _extracted_at, _invalid_dates, _hash)', v_cols)
				|| format(', cur AS (INSERT INTO lake.%I (%s, _batch, _extracted_at, _invalid_dates, _hash) '
						  'SELECT %s, _batch, _extracted_at, _invalid_dates, _hash FROM ins',
						  p_table || '_current', v_cols, v_cols);
			IF v_pk_name IS NULL THEN
				v_sql := v_sql || format(' ON CONFLICT (%I) DO UPDATE SET (%s, _batch, _extracted_at, _invalid_dates, _hash) = '
										 'ROW(%s, EXCLUDED._batch, EXCLUDED._extracted_at, EXCLUDED._invalid_dates, EXCLUDED._hash)',
										 v_key, v_cols, regexp_replace(v_cols, '([^ ,]+)', 'EXCLUDED.\1', 'g'));
			END IF;
			v_sql := v_sql || ')';
			v_sql := v_sql || ' SELECT (SELECT count(*) FROM src), (SELECT count(*) FROM ins)';
			EXECUTE v_sql INTO f, l USING v_batch, v_now;
		END IF;
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

	-- Hard deletes.  Windowed modes (and parent mode on its reconcile interval):
	-- per-range counts of the source compared with the lake's live keys, keys
	-- fetched only where they differ (_reconcile_gone).  Full and parent modes:
	-- the keys just read are the whole set (for those parents).
	IF v_reconcile THEN
		v_recon := doliflow._reconcile_gone(p_table, v_key);
		ANALYZE pg_temp.df_gone;
	END IF;
	IF v_capture OR v_reconcile THEN
		IF v_capture THEN
			ANALYZE pg_temp.df_keys;
		END IF;
		-- Tombstones for the live rows not read, which leave the current table.
		EXECUTE format('WITH t AS (INSERT INTO lake.%1$I (%2$s, _batch, _extracted_at, _deleted, _hash, _invalid_dates) '
					   'SELECT %3$s, $1, $2, true, c._hash, c._invalid_dates '
					   '  FROM lake.%6$I c '
					   ' WHERE %5$s RETURNING %4$I) '
					   'DELETE FROM lake.%6$I c USING t WHERE c.%4$I = t.%4$I',
					   p_table, v_cols, regexp_replace(v_cols, '([^ ,]+)', 'c.\1', 'g'), v_key,
					   concat_ws(' OR ',
						   CASE WHEN v_reconcile THEN format('c.%I IN (SELECT g.k FROM pg_temp.df_gone g)', v_key) END,
						   CASE WHEN NOT v_capture THEN NULL
								WHEN v_mode <> 'parent' OR v_lo IS NULL
								THEN format('NOT EXISTS (SELECT FROM pg_temp.df_keys k WHERE k.k = c.%I)', v_key)
								WHEN v_ids IS NOT NULL
								THEN format('(NOT EXISTS (SELECT FROM pg_temp.df_keys k WHERE k.k = c.%I) AND c.%I = ANY (%L::integer[]))',
											v_key, t.parent_column, v_ids::text)
								ELSE 'false' END),
					   p_table || '_current')
			USING v_batch, v_now;
		GET DIAGNOSTICS n_deleted = ROW_COUNT;
		IF v_capture THEN
			DROP TABLE pg_temp.df_keys;
		END IF;
		IF v_reconcile THEN
			DROP TABLE pg_temp.df_gone;
		END IF;
	END IF;

	-- Rows stamped after the window (later than the source clock: clock skew,
	-- or data written with future times) are held back to a later extract:
	-- counted, so that they are never held back without a word.
	IF v_mode = 'tms' THEN
		n_held := doliflow._source_count(p_table, format('f.tms > %L', v_hi));
	END IF;

	IF v_pk_name IS NOT NULL THEN
		EXECUTE format('ALTER TABLE lake.%I ADD CONSTRAINT %I %s', p_table || '_current', v_pk_name, v_pk_def);
	END IF;
	IF v_index_defs IS NOT NULL THEN
		FOR i IN 1 .. cardinality(v_index_defs) LOOP
			EXECUTE v_index_defs[i];
		END LOOP;
	END IF;

	v_detail := jsonb_build_object('mode', v_mode, 'batch', v_batch, 'window_lo', v_lo, 'window_hi', v_hi,
								   'windows', cardinality(v_preds), 'source_count', n_source, 'fetched', n_fetched,
								   'loaded', n_loaded, 'deleted', n_deleted, 'reconciled', v_reconcile or v_capture,
								   'held_back', n_held);
	IF v_recon IS NOT NULL THEN
		v_detail := v_detail || jsonb_build_object('reconcile', v_recon);
	END IF;
	IF n_held > 0 THEN
		v_detail := v_detail || jsonb_build_object('note',
			format('%s rows newer than the source clock (tms after %s UTC), taken by the next run after the source clock reaches them', n_held, v_hi));
	END IF;
	UPDATE lake.batch
	   SET finished_at = clock_timestamp(), window_lo = v_lo, window_hi = v_hi, source_count = n_source,
		   rows_fetched = n_fetched, rows_loaded = n_loaded, rows_deleted = n_deleted, status = 'loaded',
		   rows_held_back = n_held
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

-- Recomputes a current table from the history: for repairs after the history
-- was edited by hand (the extract itself keeps the current tables in step).
CREATE FUNCTION doliflow._lake_rebuild_current(p_table text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_key text;
	v_cols text;
	n bigint;
BEGIN
	SELECT st.key_column INTO v_key FROM doliflow.source_table st WHERE st.table_name = p_table;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown source table "%"', p_table
			USING ERRCODE = 'undefined_table', HINT = 'SELECT table_name FROM doliflow.source_table lists them.';
	END IF;
	SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO v_cols
	  FROM pg_catalog.pg_attribute a
	 WHERE a.attrelid = format('lake.%I', p_table || '_current')::regclass AND a.attnum > 0 AND NOT a.attisdropped;
	EXECUTE format('DELETE FROM lake.%I', p_table || '_current');
	EXECUTE format('INSERT INTO lake.%1$I (%2$s) SELECT %2$s FROM (SELECT DISTINCT ON (l.%3$I) l.* FROM lake.%4$I l '
				   'ORDER BY l.%3$I, l._batch DESC, l._deleted DESC) v WHERE NOT v._deleted',
				   p_table || '_current', v_cols, v_key, p_table);
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END;
$$;
COMMENT ON FUNCTION doliflow._lake_rebuild_current(text) IS 'Internal: recomputes lake.<table>_current from the history (after manual edits of the history); returns the current rows';
ALTER FUNCTION doliflow._lake_rebuild_current(text) OWNER TO doliflow_owner;
REVOKE ALL ON FUNCTION doliflow._lake_rebuild_current(text) FROM PUBLIC;

CREATE FUNCTION doliflow._batch_failed(p_table text, p_run_id bigint, p_error text) RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
	SELECT doliflow._run_check(p_run_id);
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
			-- Recorded as a failed batch too: the lake does not have this table's
			-- current state (what the outputs' lineage reads, part 35).
			PERFORM doliflow._batch_failed(t.table_name, p_run_id, 'skipped: source unreachable');
			PERFORM doliflow._step_end(v_step, 'skipped', NULL, NULL, NULL, 'source unreachable');
			COMMIT;
			PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
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
		PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
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
	IF NOT doliflow._claim('extract') THEN
		v_run := doliflow._run_begin('extract');
		PERFORM doliflow._run_end(v_run, 'skipped', 'another doliflow.extract() is running');
		RAISE NOTICE 'doliflow: another extract is running; this one is skipped (run %)', v_run;
		RETURN;
	END IF;
	v_run := doliflow._run_begin('extract');
	COMMIT;
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
	CALL doliflow._extract_run(v_run, v_failed, v_error);
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
	SELECT count(*) INTO v_tables FROM doliflow.source_table;
	PERFORM doliflow._run_end(v_run, CASE WHEN v_failed = 0 THEN 'success'
										  WHEN v_failed < v_tables THEN 'partial' ELSE 'failed' END, v_error);
	COMMIT;
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
	PERFORM doliflow._release('extract');
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

------------------------------------------------------------------------------
-- Quality report
------------------------------------------------------------------------------

CREATE TABLE doliflow.quality_rule (
	rule_id      int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	table_name   text NOT NULL REFERENCES doliflow.source_table,
	kind         text NOT NULL CHECK (kind IN ('required', 'duplicate', 'orphan', 'negative', 'wrong_sign', 'end_before_start')),
	columns      text[] NOT NULL,
	ref_table    text REFERENCES doliflow.source_table,
	only_where   text,
	only_equals  text,
	input_types  integer[],
	output_types integer[],
	CHECK ((kind = 'orphan') = (ref_table IS NOT NULL)),
	CHECK ((only_where IS NULL) = (only_equals IS NULL) AND (only_where IS NULL OR kind = 'orphan')),
	CHECK ((kind = 'wrong_sign') = (input_types IS NOT NULL AND output_types IS NOT NULL)),
	CHECK (kind NOT IN ('wrong_sign', 'end_before_start') OR cardinality(columns) = 2)
);
COMMENT ON TABLE doliflow.quality_rule IS 'What doliflow.quality_report() checks per lake table: required columns (besides those NOT NULL in Dolibarr), business keys that must be unique, foreign keys that must find their parent, and impossible rows (negative quantities, a sign contradicting the movement type, end before start). Add rows to check more: every rule names columns, none holds SQL.';
COMMENT ON COLUMN doliflow.quality_rule.kind IS 'required (columns must not be NULL or empty), duplicate (columns form a business key), orphan (columns[1] must match the key of ref_table; 0 and NULL mean "none"), negative (a column below 0), wrong_sign (columns[1] below 0 when columns[2] is one of input_types, above 0 when one of output_types), end_before_start (columns[2] before columns[1])';
COMMENT ON COLUMN doliflow.quality_rule.columns IS 'Columns of the lake table the rule is about';
COMMENT ON COLUMN doliflow.quality_rule.ref_table IS 'For orphan rules: the referenced source table';
COMMENT ON COLUMN doliflow.quality_rule.only_where IS 'For orphan rules: check only the rows whose column only_where equals only_equals (e.g. elementtype = task)';
COMMENT ON COLUMN doliflow.quality_rule.only_equals IS 'For orphan rules: the value of only_where the checked rows have';
COMMENT ON COLUMN doliflow.quality_rule.input_types IS 'For wrong_sign rules: the values of columns[2] under which columns[1] must not be negative';
COMMENT ON COLUMN doliflow.quality_rule.output_types IS 'For wrong_sign rules: the values of columns[2] under which columns[1] must not be positive';
COMMENT ON COLUMN doliflow.quality_rule.rule_id IS 'Rule number';
COMMENT ON COLUMN doliflow.quality_rule.table_name IS 'Lake table the rule checks';
GRANT SELECT ON doliflow.quality_rule TO doliflow_owner;

INSERT INTO doliflow.quality_rule (table_name, kind, columns, ref_table, only_where, only_equals, input_types, output_types) VALUES
	-- required beyond Dolibarr's NOT NULL
	('llx_societe', 'required', '{nom,datec,town}', NULL, NULL, NULL, NULL, NULL),
	('llx_ticket_extrafields', 'required', '{extrafields.extrafield_estimated_duration,extrafields.extrafield_intervention_type}', NULL, NULL, NULL, NULL, NULL),
	('llx_socpeople', 'required', '{lastname,datec}', NULL, NULL, NULL, NULL, NULL),
	('llx_user', 'required', '{lastname,datec}', NULL, NULL, NULL, NULL, NULL),
	('llx_product', 'required', '{datec}', NULL, NULL, NULL, NULL, NULL),
	('llx_projet', 'required', '{fk_soc,datec,dateo}', NULL, NULL, NULL, NULL, NULL),
	('llx_projet_task', 'required', '{datec,dateo}', NULL, NULL, NULL, NULL, NULL),
	('llx_element_time', 'required', '{element_date,element_duration,fk_user}', NULL, NULL, NULL, NULL, NULL),
	('llx_ticket', 'required', '{fk_soc,datec,subject,type_code,fk_statut}', NULL, NULL, NULL, NULL, NULL),
	('llx_actioncomm', 'required', '{datep,code}', NULL, NULL, NULL, NULL, NULL),
	('llx_fichinter', 'required', '{datec,duree}', NULL, NULL, NULL, NULL, NULL),
	('llx_fichinterdet', 'required', '{fk_fichinter,date,duree}', NULL, NULL, NULL, NULL, NULL),
	('llx_facture', 'required', '{datef,datec}', NULL, NULL, NULL, NULL, NULL),
	('llx_facturedet', 'required', '{qty,total_ht}', NULL, NULL, NULL, NULL, NULL),
	('llx_commande_fournisseur', 'required', '{date_commande,date_creation}', NULL, NULL, NULL, NULL, NULL),
	('llx_commande_fournisseurdet', 'required', '{fk_product,qty}', NULL, NULL, NULL, NULL, NULL),
	('llx_commande', 'required', '{date_commande,date_creation}', NULL, NULL, NULL, NULL, NULL),
	('llx_commandedet', 'required', '{fk_product,qty}', NULL, NULL, NULL, NULL, NULL),
	('llx_stock_mouvement', 'required', '{datem,value,type_mouvement}', NULL, NULL, NULL, NULL, NULL),
	('llx_product_stock', 'required', '{reel}', NULL, NULL, NULL, NULL, NULL),
	('llx_product_fournisseur_price', 'required', '{fk_product,fk_soc}', NULL, NULL, NULL, NULL, NULL),
	-- business keys
	('llx_c_ticket_type', 'duplicate', '{code,entity}', NULL, NULL, NULL, NULL, NULL),
	('llx_c_ticket_severity', 'duplicate', '{code,entity}', NULL, NULL, NULL, NULL, NULL),
	('llx_c_ticket_category', 'duplicate', '{code,entity}', NULL, NULL, NULL, NULL, NULL),
	('llx_extrafields', 'duplicate', '{name,entity,elementtype}', NULL, NULL, NULL, NULL, NULL),
	('llx_user', 'duplicate', '{login,entity}', NULL, NULL, NULL, NULL, NULL),
	('llx_societe', 'duplicate', '{nom,entity}', NULL, NULL, NULL, NULL, NULL),
	('llx_entrepot', 'duplicate', '{ref,entity}', NULL, NULL, NULL, NULL, NULL),
	('llx_product', 'duplicate', '{ref,entity}', NULL, NULL, NULL, NULL, NULL),
	('llx_product_stock', 'duplicate', '{fk_product,fk_entrepot}', NULL, NULL, NULL, NULL, NULL),
	('llx_projet', 'duplicate', '{ref,entity}', NULL, NULL, NULL, NULL, NULL),
	('llx_projet_task', 'duplicate', '{ref,entity}', NULL, NULL, NULL, NULL, NULL),
	('llx_projet_task', 'duplicate', '{fk_projet,label}', NULL, NULL, NULL, NULL, NULL),
	('llx_ticket', 'duplicate', '{ref,entity}', NULL, NULL, NULL, NULL, NULL),
	('llx_ticket_extrafields', 'duplicate', '{fk_object}', NULL, NULL, NULL, NULL, NULL),
	('llx_actioncomm', 'duplicate', '{ref,entity}', NULL, NULL, NULL, NULL, NULL),
	('llx_element_element', 'duplicate', '{fk_source,sourcetype,fk_target,targettype}', NULL, NULL, NULL, NULL, NULL),
	('llx_fichinter', 'duplicate', '{ref,entity}', NULL, NULL, NULL, NULL, NULL),
	('llx_facture', 'duplicate', '{ref,entity}', NULL, NULL, NULL, NULL, NULL),
	('llx_commande_fournisseur', 'duplicate', '{ref,entity}', NULL, NULL, NULL, NULL, NULL),
	('llx_commande', 'duplicate', '{ref,entity}', NULL, NULL, NULL, NULL, NULL),
	('llx_stock_mouvement', 'duplicate', '{fk_product,fk_entrepot,datem,value,type_mouvement,fk_origin,origintype,inventorycode}', NULL, NULL, NULL, NULL, NULL),
	-- foreign keys
	('llx_socpeople', 'orphan', '{fk_soc}', 'llx_societe', NULL, NULL, NULL, NULL),
	('llx_product_stock', 'orphan', '{fk_product}', 'llx_product', NULL, NULL, NULL, NULL),
	('llx_product_stock', 'orphan', '{fk_entrepot}', 'llx_entrepot', NULL, NULL, NULL, NULL),
	('llx_product_fournisseur_price', 'orphan', '{fk_product}', 'llx_product', NULL, NULL, NULL, NULL),
	('llx_product_fournisseur_price', 'orphan', '{fk_soc}', 'llx_societe', NULL, NULL, NULL, NULL),
	('llx_projet', 'orphan', '{fk_soc}', 'llx_societe', NULL, NULL, NULL, NULL),
	('llx_projet_task', 'orphan', '{fk_projet}', 'llx_projet', NULL, NULL, NULL, NULL),
	('llx_element_time', 'orphan', '{fk_element}', 'llx_projet_task', 'elementtype', 'task', NULL, NULL),
	('llx_element_time', 'orphan', '{fk_user}', 'llx_user', NULL, NULL, NULL, NULL),
	('llx_ticket', 'orphan', '{fk_soc}', 'llx_societe', NULL, NULL, NULL, NULL),
	('llx_ticket', 'orphan', '{fk_project}', 'llx_projet', NULL, NULL, NULL, NULL),
	('llx_ticket', 'orphan', '{fk_user_assign}', 'llx_user', NULL, NULL, NULL, NULL),
	('llx_ticket_extrafields', 'orphan', '{fk_object}', 'llx_ticket', NULL, NULL, NULL, NULL),
	('llx_actioncomm', 'orphan', '{fk_soc}', 'llx_societe', NULL, NULL, NULL, NULL),
	('llx_actioncomm', 'orphan', '{fk_project}', 'llx_projet', NULL, NULL, NULL, NULL),
	('llx_fichinter', 'orphan', '{fk_soc}', 'llx_societe', NULL, NULL, NULL, NULL),
	('llx_fichinter', 'orphan', '{fk_projet}', 'llx_projet', NULL, NULL, NULL, NULL),
	('llx_fichinterdet', 'orphan', '{fk_fichinter}', 'llx_fichinter', NULL, NULL, NULL, NULL),
	('llx_facture', 'orphan', '{fk_soc}', 'llx_societe', NULL, NULL, NULL, NULL),
	('llx_facture', 'orphan', '{fk_projet}', 'llx_projet', NULL, NULL, NULL, NULL),
	('llx_facturedet', 'orphan', '{fk_facture}', 'llx_facture', NULL, NULL, NULL, NULL),
	('llx_facturedet', 'orphan', '{fk_product}', 'llx_product', NULL, NULL, NULL, NULL),
	('llx_commande_fournisseur', 'orphan', '{fk_soc}', 'llx_societe', NULL, NULL, NULL, NULL),
	('llx_commande_fournisseurdet', 'orphan', '{fk_commande}', 'llx_commande_fournisseur', NULL, NULL, NULL, NULL),
	('llx_commande_fournisseurdet', 'orphan', '{fk_product}', 'llx_product', NULL, NULL, NULL, NULL),
	('llx_commande', 'orphan', '{fk_soc}', 'llx_societe', NULL, NULL, NULL, NULL),
	('llx_commandedet', 'orphan', '{fk_commande}', 'llx_commande', NULL, NULL, NULL, NULL),
	('llx_commandedet', 'orphan', '{fk_product}', 'llx_product', NULL, NULL, NULL, NULL),
	('llx_stock_mouvement', 'orphan', '{fk_product}', 'llx_product', NULL, NULL, NULL, NULL),
	('llx_stock_mouvement', 'orphan', '{fk_entrepot}', 'llx_entrepot', NULL, NULL, NULL, NULL),
	-- impossible quantities
	('llx_facturedet', 'negative', '{qty}', NULL, NULL, NULL, NULL, NULL),
	('llx_commande_fournisseurdet', 'negative', '{qty}', NULL, NULL, NULL, NULL, NULL),
	('llx_commandedet', 'negative', '{qty}', NULL, NULL, NULL, NULL, NULL),
	('llx_element_time', 'negative', '{element_duration}', NULL, NULL, NULL, NULL, NULL),
	('llx_projet_task', 'negative', '{planned_workload}', NULL, NULL, NULL, NULL, NULL),
	('llx_fichinter', 'negative', '{duree}', NULL, NULL, NULL, NULL, NULL),
	('llx_fichinterdet', 'negative', '{duree}', NULL, NULL, NULL, NULL, NULL),
	('llx_product_fournisseur_price', 'negative', '{price,quantity}', NULL, NULL, NULL, NULL, NULL),
	-- a movement whose sign contradicts its type (0/3 are inputs, 1/2 outputs)
	('llx_stock_mouvement', 'wrong_sign', '{value,type_mouvement}', NULL, NULL, NULL, '{0,3}', '{1,2}'),
	-- end before start
	('llx_ticket', 'end_before_start', '{datec,date_close}', NULL, NULL, NULL, NULL, NULL),
	('llx_projet', 'end_before_start', '{dateo,datee}', NULL, NULL, NULL, NULL, NULL),
	('llx_projet_task', 'end_before_start', '{dateo,datee}', NULL, NULL, NULL, NULL, NULL),
	('llx_actioncomm', 'end_before_start', '{datep,datep2}', NULL, NULL, NULL, NULL, NULL),
	('llx_fichinter', 'end_before_start', '{dateo,datee}', NULL, NULL, NULL, NULL, NULL),
	('llx_facture', 'end_before_start', '{datef,date_lim_reglement}', NULL, NULL, NULL, NULL, NULL),
	('llx_facturedet', 'end_before_start', '{date_start,date_end}', NULL, NULL, NULL, NULL, NULL),
	('llx_commande_fournisseurdet', 'end_before_start', '{date_start,date_end}', NULL, NULL, NULL, NULL, NULL),
	('llx_commandedet', 'end_before_start', '{date_start,date_end}', NULL, NULL, NULL, NULL, NULL),
	('llx_user', 'end_before_start', '{dateemployment,dateemploymentend}', NULL, NULL, NULL, NULL, NULL);

CREATE FUNCTION doliflow.quality_report(days int DEFAULT 30)
RETURNS TABLE (table_name text, rows bigint, missing_pct numeric, missing_cells bigint, duplicates bigint, orphans bigint,
			   negative_quantities bigint, end_before_start bigint, zero_dates bigint,
			   incoherent_rows bigint, score numeric)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	t record;
	v_req text;
	v_nreq int;
	v_orph text;
	v_neg text;
	v_ebs text;
	v_dup text;
	v_since timestamptz;
	r record;
	g_rows bigint := 0;
	g_miss numeric := 0;
	g_cells numeric := 0;
	g_dup bigint := 0;
	g_orph bigint := 0;
	g_neg bigint := 0;
	g_ebs bigint := 0;
	g_zero bigint := 0;
	g_inc bigint := 0;
	g_score numeric := 0;
BEGIN
	IF days IS NULL OR days < 1 OR days > 36500 THEN
		RAISE EXCEPTION 'doliflow.quality_report: days must be from 1 to 36500 (100 years), got %', coalesce(days::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'days is how far back the report looks; 36500 covers the whole lake.';
	END IF;
	v_since := now() - make_interval(days => days);
	FOR t IN SELECT st.table_name AS tn, st.key_column FROM doliflow.source_table st ORDER BY st.load_order LOOP
		-- Required cells: Dolibarr NOT NULL columns and the required rules;
		-- NULL and '' (after trimming) count as missing.
		SELECT string_agg(format('(CASE WHEN r.%1$I IS NULL%2$s THEN 1 ELSE 0 END)', x.col,
								 CASE WHEN x.typ IN ('text', 'character varying') THEN format(' OR btrim(r.%I) = ''''', x.col) ELSE '' END),
						  ' + '),
			   count(*)
		  INTO v_req, v_nreq
		  FROM (SELECT DISTINCT c.column_name AS col, format_type(a.atttypid, NULL) AS typ
				  FROM (SELECT sc.column_name FROM doliflow.source_column sc
						 WHERE sc.table_name = t.tn AND sc.not_null AND sc.column_name <> t.key_column
						UNION
						SELECT unnest(q.columns) FROM doliflow.quality_rule q
						 WHERE q.table_name = t.tn AND q.kind = 'required') c(column_name)
				  JOIN pg_catalog.pg_attribute a
					ON a.attrelid = format('lake.%I', t.tn)::regclass AND a.attname = c.column_name AND NOT a.attisdropped) x;
		-- Custom extrafields live in the jsonb column: 'extrafields.<setting>'
		-- names the setting holding the field name.
		SELECT v_req_x, v_n_x INTO r
		  FROM (SELECT string_agg(format('(CASE WHEN nullif(btrim(r.extrafields ->> %L), '''') IS NULL THEN 1 ELSE 0 END)',
										 doliflow.setting(substr(x.col, 13))), ' + ') AS v_req_x,
					   count(*) AS v_n_x
				  FROM (SELECT DISTINCT unnest(q.columns) AS col FROM doliflow.quality_rule q
						 WHERE q.table_name = t.tn AND q.kind = 'required') x
				 WHERE x.col LIKE 'extrafields.%') y;
		IF r.v_n_x > 0 THEN
			v_req := coalesce(v_req || ' + ', '') || r.v_req_x;
			v_nreq := v_nreq + r.v_n_x;
		END IF;
		SELECT string_agg(format('(r.%1$I IS NOT NULL AND r.%1$I <> 0 AND %3$s AND r.%1$I NOT IN (SELECT p.%4$I FROM lake.%2$I p))',
								 q.columns[1], q.ref_table || '_current',
								 CASE WHEN q.only_where IS NULL THEN 'true' ELSE format('r.%I::text = %L', q.only_where, q.only_equals) END,
								 (SELECT st.key_column FROM doliflow.source_table st WHERE st.table_name = q.ref_table)),
						  ' OR ')
		  INTO v_orph FROM doliflow.quality_rule q WHERE q.table_name = t.tn AND q.kind = 'orphan';
		-- (every condition is built from column names and values, quoted here: no rule holds SQL)
		SELECT string_agg(x.cond, ' OR ') INTO v_neg FROM (
			SELECT format('r.%I < 0', c) AS cond
			  FROM doliflow.quality_rule q, unnest(q.columns) c
			 WHERE q.table_name = t.tn AND q.kind = 'negative'
			UNION ALL
			SELECT format('(r.%2$I = ANY (%3$L::integer[]) AND r.%1$I < 0) OR (r.%2$I = ANY (%4$L::integer[]) AND r.%1$I > 0)',
						  q.columns[1], q.columns[2], q.input_types, q.output_types)
			  FROM doliflow.quality_rule q WHERE q.table_name = t.tn AND q.kind = 'wrong_sign') x;
		SELECT string_agg(format('r.%2$I < r.%1$I', q.columns[1], q.columns[2]), ' OR ') INTO v_ebs
		  FROM doliflow.quality_rule q WHERE q.table_name = t.tn AND q.kind = 'end_before_start';
		SELECT string_agg(format('(SELECT count(*) - count(DISTINCT (%1$s)) FROM scope r WHERE %2$s)',
								 (SELECT string_agg(format('r.%I', c), ', ') FROM unnest(q.columns) c),
								 (SELECT string_agg(format('r.%I IS NOT NULL', c), ' AND ') FROM unnest(q.columns) c)),
						  ' + ')
		  INTO v_dup FROM doliflow.quality_rule q WHERE q.table_name = t.tn AND q.kind = 'duplicate';

		EXECUTE format($q$
			WITH scope AS MATERIALIZED (SELECT * FROM lake.%1$I r WHERE r._extracted_at >= $1),
			flags AS (
				SELECT %2$s AS miss, coalesce(%3$s, false) AS orph, coalesce(%4$s, false) AS neg,
					   coalesce(%5$s, false) AS ebs, r._invalid_dates IS NOT NULL AS zero
				  FROM scope r)
			SELECT count(*) AS n, coalesce(sum(miss), 0)::bigint AS miss,
				   count(*) FILTER (WHERE orph) AS orph, count(*) FILTER (WHERE neg) AS neg,
				   count(*) FILTER (WHERE ebs) AS ebs, count(*) FILTER (WHERE zero) AS zero,
				   count(*) FILTER (WHERE orph OR neg OR ebs OR zero) AS inc,
				   (%6$s)::bigint AS dup
			  FROM flags$q$,
			t.tn || '_current', coalesce(v_req, '0'), coalesce(v_orph, 'false'), coalesce(v_neg, 'false'),
			coalesce(v_ebs, 'false'), coalesce(v_dup, '0'))
		INTO r USING v_since;

		table_name := t.tn;
		rows := r.n;
		missing_pct := CASE WHEN r.n * v_nreq > 0 THEN round(100.0 * r.miss / (r.n * v_nreq), 2) ELSE 0 END;
		missing_cells := r.miss;
		duplicates := r.dup;
		orphans := r.orph;
		negative_quantities := r.neg;
		end_before_start := r.ebs;
		zero_dates := r.zero;
		incoherent_rows := r.inc;
		score := CASE WHEN r.n = 0 THEN NULL
					  ELSE round(greatest(0, 100 * (1 - 0.3 * (CASE WHEN v_nreq > 0 THEN r.miss::numeric / (r.n * v_nreq) ELSE 0 END)
													   - 0.3 * least(1, r.dup::numeric / r.n)
													   - 0.4 * (r.inc::numeric / r.n))), 1) END;
		RETURN NEXT;
		g_rows := g_rows + r.n;
		g_miss := g_miss + r.miss;
		g_cells := g_cells + r.n * v_nreq;
		g_dup := g_dup + r.dup;
		g_orph := g_orph + r.orph;
		g_neg := g_neg + r.neg;
		g_ebs := g_ebs + r.ebs;
		g_zero := g_zero + r.zero;
		g_inc := g_inc + r.inc;
		g_score := g_score + coalesce(score, 0) * r.n;
	END LOOP;
	table_name := '(all)';
	rows := g_rows;
	missing_pct := CASE WHEN g_cells > 0 THEN round(100.0 * g_miss / g_cells, 2) ELSE 0 END;
	missing_cells := g_miss;
	duplicates := g_dup;
	orphans := g_orph;
	negative_quantities := g_neg;
	end_before_start := g_ebs;
	zero_dates := g_zero;
	incoherent_rows := g_inc;
	score := CASE WHEN g_rows > 0 THEN round(g_score / g_rows, 1) END;
	RETURN NEXT;
END;
$$;
COMMENT ON FUNCTION doliflow.quality_report(int) IS
'Data quality of the lake, one row per source table plus a global row "(all)", over the current (live) rows extracted in the last N days (1 to 36500, else invalid_parameter_value). rows: rows checked. missing_cells: required cells that are NULL or blank. missing_pct: 100 x missing cells / required cells, where the required columns are those NOT NULL in Dolibarr plus the required rules of doliflow.quality_rule (extrafields.<setting> = a custom ticket field named by that setting), and a cell is missing when NULL or blank (zero dates became NULL, so they count too). duplicates: rows beyond the first sharing a business key (doliflow.quality_rule duplicate, NULL keys ignored), summed over the keys. orphans: rows whose foreign key (not NULL, not 0) finds no live parent. negative_quantities: impossible negative quantities or signs contradicting the movement type. end_before_start: rows ending before they start. zero_dates: rows with a zero or impossible date in the source (lake column _invalid_dates). incoherent_rows: rows with at least one orphan, negative, end-before-start or zero-date problem. score = 100 x (1 - 0.3 x missing fraction - 0.3 x min(1, duplicates/rows) - 0.4 x incoherent_rows/rows), rounded to 0.1, NULL for a table without rows. The global score is the average of the table scores weighted by rows.';
ALTER FUNCTION doliflow.quality_report(int) OWNER TO doliflow_owner;
REVOKE ALL ON FUNCTION doliflow.quality_report(int) FROM PUBLIC;

------------------------------------------------------------------------------
-- Retention
------------------------------------------------------------------------------

CREATE FUNCTION doliflow._cleanup_table(p_table text, p_before timestamptz) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_key text;
	v_loaded bigint;
	n1 bigint;
	n2 bigint;
	n3 bigint;
BEGIN
	SELECT st.key_column INTO v_key FROM doliflow.source_table st WHERE st.table_name = p_table;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown source table "%"', p_table USING ERRCODE = 'undefined_table';
	END IF;
	-- Versions older than the cutoff that a newer version of the same row replaces, once
	-- the warehouse has loaded that newer version (its next incremental load reads the
	-- version it saw last, to know the old foreign keys).
	-- (dw.load_state is part 30's: resolved when this runs, after the install.)
	SELECT min(s.last_batch) INTO v_loaded FROM dw.load_state s;
	EXECUTE format('DELETE FROM lake.%1$I l WHERE l._extracted_at < $1 AND EXISTS ('
				   'SELECT FROM lake.%1$I n WHERE n.%2$I = l.%2$I AND n._batch <= $2 '
				   'AND (n._batch > l._batch OR (n._batch = l._batch AND n._deleted AND NOT l._deleted)))',
				   p_table, v_key) USING p_before, coalesce(v_loaded, 9223372036854775807);
	GET DIAGNOSTICS n1 = ROW_COUNT;
	-- Old tombstones with nothing older left: the row is gone for good.
	EXECUTE format('DELETE FROM lake.%1$I l WHERE l._deleted AND l._extracted_at < $1 AND NOT EXISTS ('
				   'SELECT FROM lake.%1$I o WHERE o.%2$I = l.%2$I AND o.ctid <> l.ctid)',
				   p_table, v_key) USING p_before;
	GET DIAGNOSTICS n2 = ROW_COUNT;
	-- Batch records nothing refers to any more (the last loaded one of each
	-- table stays: the parent-mode windows start from it).
	EXECUTE format('DELETE FROM lake.batch b WHERE b.table_name = %1$L AND coalesce(b.finished_at, b.started_at) < $1 '
				   'AND b.status <> ''running'' '
				   'AND b.batch_id IS DISTINCT FROM (SELECT max(x.batch_id) FROM lake.batch x WHERE x.table_name = %1$L AND x.status = ''loaded'') '
				   'AND NOT EXISTS (SELECT FROM lake.%2$I l WHERE l._batch = b.batch_id)',
				   p_table, p_table) USING p_before;
	GET DIAGNOSTICS n3 = ROW_COUNT;
	RETURN n1 + n2;
END;
$$;
COMMENT ON FUNCTION doliflow._cleanup_table(text, timestamptz) IS 'Internal: drops the lake versions of one table older than the cutoff that a version already loaded into the warehouse replaces, old tombstones with nothing older left, and unreferenced batch records; returns the versions dropped';
ALTER FUNCTION doliflow._cleanup_table(text, timestamptz) OWNER TO doliflow_owner;
REVOKE ALL ON FUNCTION doliflow._cleanup_table(text, timestamptz) FROM PUBLIC;

CREATE PROCEDURE doliflow.cleanup(days int DEFAULT 90)
LANGUAGE plpgsql AS $$
DECLARE
	v_days int := days;
	v_before timestamptz;
	v_run bigint;
	v_step bigint;
	t record;
	n bigint;
	v_err text;
	v_failed int := 0;
BEGIN
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
	IF v_days IS NULL THEN
		v_days := doliflow.setting('retention_days')::int;
	END IF;
	IF v_days < 1 THEN
		RAISE EXCEPTION 'doliflow.cleanup: days must be at least 1, got %', v_days
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	v_before := now() - make_interval(days => v_days);
	v_run := doliflow._run_begin('cleanup');
	COMMIT;
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
	FOR t IN SELECT st.table_name FROM doliflow.source_table st ORDER BY st.load_order LOOP
		v_step := doliflow._step_begin(v_run, 'cleanup:' || t.table_name);
		BEGIN
			n := doliflow._cleanup_table(t.table_name, v_before);
			PERFORM doliflow._step_end(v_step, 'success', NULL, n, jsonb_build_object('before', v_before));
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS v_err = MESSAGE_TEXT;
			PERFORM doliflow._step_end(v_step, 'failed', NULL, 0, NULL, v_err);
			v_failed := v_failed + 1;
		END;
		COMMIT;
		PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
	END LOOP;

	v_step := doliflow._step_begin(v_run, 'cleanup:run_log');
	DELETE FROM doliflow.run_log rl WHERE rl.finished_at < v_before AND rl.status <> 'running' AND rl.run_id <> v_run;
	GET DIAGNOSTICS n = ROW_COUNT;
	PERFORM doliflow._step_end(v_step, 'success', NULL, n, jsonb_build_object('before', v_before));
	COMMIT;
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);

	-- pg_cron's own history (when pg_cron is installed in this database).
	IF to_regclass('cron.job_run_details') IS NOT NULL THEN
		v_step := doliflow._step_begin(v_run, 'cleanup:cron.job_run_details');
		BEGIN
			DELETE FROM cron.job_run_details d WHERE d.end_time < v_before;
			GET DIAGNOSTICS n = ROW_COUNT;
			PERFORM doliflow._step_end(v_step, 'success', NULL, n, jsonb_build_object('before', v_before));
		EXCEPTION WHEN insufficient_privilege THEN
			PERFORM doliflow._step_end(v_step, 'skipped', NULL, 0, NULL, 'no privilege to delete from cron.job_run_details');
		END;
		COMMIT;
		PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
	END IF;
	PERFORM doliflow._run_end(v_run, CASE WHEN v_failed = 0 THEN 'success' ELSE 'partial' END);
	COMMIT;
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
END;
$$;
COMMENT ON PROCEDURE doliflow.cleanup(int) IS 'Retention: drops lake versions extracted more than N days ago (NULL = setting retention_days) that are not the current version of their row, tombstones older than N days with nothing older left, unreferenced lake.batch records, finished run logs older than N days and pg_cron''s cron.job_run_details older than N days; never the current version of a row. Commits per table; call it outside a transaction block.';
REVOKE ALL ON PROCEDURE doliflow.cleanup(int) FROM PUBLIC;
