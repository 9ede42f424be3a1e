-- doliflow install script, part 00: schemas, settings, run log, shared helpers.
-- Assembled with the other extension/NN_*.sql parts into doliflow--<version>.sql.

\echo Use "CREATE EXTENSION doliflow CASCADE" to load this file. \quit

-- Schema doliflow is created here, not by CREATE EXTENSION (the control file names no
-- schema), so that it belongs to the extension and DROP EXTENSION drops it too.
CREATE SCHEMA doliflow;
CREATE SCHEMA lake;
CREATE SCHEMA dw;
-- Foreign tables over the Dolibarr database live here; doliflow.connect() fills it.
CREATE SCHEMA dolibarr;

COMMENT ON SCHEMA doliflow IS 'doliflow API: connector, pipeline procedures, settings, run log';
COMMENT ON SCHEMA lake IS 'doliflow data lake: append-only, batch-tagged raw copies of the Dolibarr tables';
COMMENT ON SCHEMA dw IS 'doliflow data warehouse: dimensions, facts, analytics outputs and BI views';
COMMENT ON SCHEMA dolibarr IS 'doliflow: read-only foreign tables over the Dolibarr source (mysql_fdw), created by doliflow.connect()';

REVOKE ALL ON SCHEMA lake, dw, dolibarr FROM PUBLIC;

------------------------------------------------------------------------------
-- Settings
------------------------------------------------------------------------------

CREATE TABLE doliflow.settings (
	name        text PRIMARY KEY,
	value       text NOT NULL,
	value_type  text NOT NULL CHECK (value_type IN ('integer', 'numeric', 'text', 'boolean', 'interval', 'time', 'timezone')),
	description text NOT NULL,
	updated_at  timestamptz NOT NULL DEFAULT now(),
	min_value   text,
	min_exclusive boolean NOT NULL DEFAULT false,
	max_value   text,
	max_exclusive boolean NOT NULL DEFAULT false,
	allowed_values text[],
	value_pattern text,
	default_value text
);
COMMENT ON TABLE doliflow.settings IS 'Every doliflow tunable with its description and domain; change a value with UPDATE (every write is checked against value_type, min_value/max_value, allowed_values and value_pattern)';
COMMENT ON COLUMN doliflow.settings.name IS 'Setting name';
COMMENT ON COLUMN doliflow.settings.value IS 'Current value, as text; must be valid for value_type and inside the domain';
COMMENT ON COLUMN doliflow.settings.value_type IS 'SQL type the value is cast to: integer (int4), numeric (finite), text, boolean, interval, time, or timezone (a name of pg_timezone_names, used as text)';
COMMENT ON COLUMN doliflow.settings.description IS 'What the setting changes';
COMMENT ON COLUMN doliflow.settings.updated_at IS 'When the value last changed';
COMMENT ON COLUMN doliflow.settings.min_value IS 'Smallest value accepted (in value_type; NULL = no lower bound beyond the type)';
COMMENT ON COLUMN doliflow.settings.min_exclusive IS 'True when min_value itself is not accepted';
COMMENT ON COLUMN doliflow.settings.max_value IS 'Largest value accepted (in value_type; NULL = no upper bound beyond the type)';
COMMENT ON COLUMN doliflow.settings.max_exclusive IS 'True when max_value itself is not accepted';
COMMENT ON COLUMN doliflow.settings.allowed_values IS 'The only values accepted (an enumeration), or NULL';
COMMENT ON COLUMN doliflow.settings.value_pattern IS 'Regular expression the whole value must match, or NULL';
COMMENT ON COLUMN doliflow.settings.default_value IS 'The value this release installs (kept by upgrades; a dump keeps the rows whose value differs from it)';

-- The domain of a setting in words ("an integer >= 1 and <= 730"), for error messages.
CREATE FUNCTION doliflow._setting_domain(p_type text, p_min text, p_min_excl boolean, p_max text,
										 p_max_excl boolean, p_allowed text[], p_pattern text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT CASE p_type
			 WHEN 'integer' THEN 'an integer'
			 WHEN 'numeric' THEN 'a finite number'
			 WHEN 'boolean' THEN 'a boolean (true or false)'
			 WHEN 'interval' THEN 'an interval'
			 WHEN 'time' THEN 'a time of day'
			 WHEN 'timezone' THEN 'a time zone name of pg_timezone_names (e.g. Europe/Paris)'
			 ELSE 'a text'
		   END
		   || CASE WHEN p_allowed IS NOT NULL THEN ' among ' || array_to_string(p_allowed, ', ') ELSE '' END
		   || CASE WHEN p_pattern IS NOT NULL THEN ' matching ' || p_pattern ELSE '' END
		   || CASE WHEN p_min IS NOT NULL THEN CASE WHEN p_min_excl THEN ' > ' ELSE ' >= ' END || p_min ELSE '' END
		   || CASE WHEN p_min IS NOT NULL AND p_max IS NOT NULL THEN ' and' ELSE '' END
		   || CASE WHEN p_max IS NOT NULL THEN CASE WHEN p_max_excl THEN ' < ' ELSE ' <= ' END || p_max ELSE '' END
		   || CASE WHEN p_type = 'integer' AND p_min IS NULL AND p_max IS NULL
				   THEN ' from -2147483648 to 2147483647' ELSE '' END;
$$;
COMMENT ON FUNCTION doliflow._setting_domain(text, text, boolean, text, boolean, text[], text) IS
'Internal: the domain of a doliflow setting in words (type, allowed values, pattern, range), as error messages show it';

-- Every write of a setting is checked against its type and domain (the columns
-- min_value .. value_pattern), so that a value no reader can use never gets in:
-- the views, status() and the nightly batch read the table without re-checking.
-- Rows without a domain (NULL columns) only get the type check.
CREATE FUNCTION doliflow._settings_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_ok boolean := true;
	v_lo boolean;
	v_hi boolean;
	v_num numeric;
	v_msg text;
BEGIN
	IF NEW.min_value IS NOT NULL OR NEW.max_value IS NOT NULL THEN
		IF NEW.value_type NOT IN ('integer', 'numeric', 'interval', 'time') THEN
			RAISE EXCEPTION 'doliflow setting "%": min_value and max_value apply to integer, numeric, interval and time settings, not %',
				NEW.name, NEW.value_type USING ERRCODE = 'invalid_parameter_value';
		END IF;
	END IF;
	BEGIN
		CASE NEW.value_type
			WHEN 'integer', 'numeric' THEN
				IF NEW.value_type = 'integer' THEN
					v_num := NEW.value::integer;	-- every integer setting is read as int4
				ELSE
					v_num := NEW.value::numeric;
					v_ok := v_num NOT IN ('NaN', 'Infinity', '-Infinity');
				END IF;
				v_lo := NEW.min_value IS NULL OR (CASE WHEN NEW.min_exclusive THEN v_num > NEW.min_value::numeric ELSE v_num >= NEW.min_value::numeric END);
				v_hi := NEW.max_value IS NULL OR (CASE WHEN NEW.max_exclusive THEN v_num < NEW.max_value::numeric ELSE v_num <= NEW.max_value::numeric END);
			WHEN 'boolean' THEN PERFORM NEW.value::boolean;
			WHEN 'interval' THEN
				v_lo := NEW.min_value IS NULL OR (CASE WHEN NEW.min_exclusive THEN NEW.value::interval > NEW.min_value::interval ELSE NEW.value::interval >= NEW.min_value::interval END);
				v_hi := NEW.max_value IS NULL OR (CASE WHEN NEW.max_exclusive THEN NEW.value::interval < NEW.max_value::interval ELSE NEW.value::interval <= NEW.max_value::interval END);
			WHEN 'time' THEN
				v_lo := NEW.min_value IS NULL OR (CASE WHEN NEW.min_exclusive THEN NEW.value::time > NEW.min_value::time ELSE NEW.value::time >= NEW.min_value::time END);
				v_hi := NEW.max_value IS NULL OR (CASE WHEN NEW.max_exclusive THEN NEW.value::time < NEW.max_value::time ELSE NEW.value::time <= NEW.max_value::time END);
			WHEN 'timezone' THEN
				v_ok := EXISTS (SELECT FROM pg_catalog.pg_timezone_names z WHERE z.name = NEW.value);
			ELSE NULL;
		END CASE;
		v_ok := v_ok AND coalesce(v_lo, true) AND coalesce(v_hi, true)
				AND (NEW.allowed_values IS NULL OR NEW.value = ANY (NEW.allowed_values))
				AND (NEW.value_pattern IS NULL OR NEW.value ~ NEW.value_pattern);
	EXCEPTION WHEN data_exception THEN
		v_ok := false;
	END;
	IF NOT v_ok THEN
		RAISE EXCEPTION 'invalid value "%" for doliflow setting "%": must be %', NEW.value, NEW.name,
			doliflow._setting_domain(NEW.value_type, NEW.min_value, NEW.min_exclusive, NEW.max_value,
									 NEW.max_exclusive, NEW.allowed_values, NEW.value_pattern)
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'SELECT * FROM doliflow.settings WHERE name = ' || quote_literal(NEW.name) || ' shows its domain.';
	END IF;
	-- The source option file is checked when it is named, not first at 00:30 (part 10's
	-- check: absolute, a regular file the server reads, mode 0600).
	IF NEW.name = 'source_option_file' AND NEW.value <> '' THEN
		BEGIN
			PERFORM doliflow._source_option_file_check(NEW.value);
		EXCEPTION WHEN invalid_parameter_value THEN
			GET STACKED DIAGNOSTICS v_msg = MESSAGE_TEXT;
			RAISE EXCEPTION 'invalid value "%" for doliflow setting "source_option_file": %', NEW.value,
				regexp_replace(v_msg, '^doliflow\.connect: ', '')
				USING ERRCODE = 'invalid_parameter_value';
		END;
	END IF;
	NEW.updated_at := now();
	RETURN NEW;
END;
$$;
CREATE TRIGGER settings_check BEFORE INSERT OR UPDATE ON doliflow.settings
	FOR EACH ROW EXECUTE FUNCTION doliflow._settings_check();

CREATE FUNCTION doliflow.setting(p_name text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v text;
BEGIN
	SELECT s.value INTO v FROM doliflow.settings s WHERE s.name = p_name;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown doliflow setting "%"', p_name
			USING ERRCODE = 'undefined_object',
				  HINT = 'SELECT name, description FROM doliflow.settings lists them.';
	END IF;
	RETURN v;
END;
$$;
COMMENT ON FUNCTION doliflow.setting(text) IS 'Value of a doliflow setting as text; errors on an unknown name';

-- One company clock: every "today", forecast origin and snapshot date is the
-- date in the company's time zone (setting timezone), never the session's
-- TimeZone, so that two sessions at the same moment agree.
CREATE FUNCTION doliflow.company_now() RETURNS timestamp
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
	SELECT pg_catalog.timezone(doliflow.setting('timezone'), pg_catalog.now());
$$;
COMMENT ON FUNCTION doliflow.company_now() IS 'Wall-clock time of the company now (transaction start in the time zone of setting timezone), whatever the session TimeZone';

CREATE FUNCTION doliflow.company_today() RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
	SELECT doliflow.company_now()::date;
$$;
COMMENT ON FUNCTION doliflow.company_today() IS 'Today''s date for the company (time zone of setting timezone), whatever the session TimeZone: the "today" of forecasts, alert snapshots and every page';

INSERT INTO doliflow.settings (name, value, value_type, description) VALUES
	('lead_time_default_days', '7', 'integer', 'Supplier lead time in days used when llx_product_fournisseur_price.delivery_time_days is unknown'),
	('safety_margin_pct', '10', 'numeric', 'Safety margin in percent applied to suggested order quantities: (sum of forecast - stock) x (1 + margin/100)'),
	('attention_days', '3', 'numeric', 'Attention alert when stock left after the lead time covers fewer than this many days of forecast demand'),
	('service_level', '0.95', 'numeric', 'Cycle service level for safety stock: z = inverse normal of this probability in z x sigma x sqrt(lead time)'),
	('forecast_horizon_days', '90', 'integer', 'How many days ahead the nightly forecast predicts'),
	('forecast_interval_level', '0.95', 'numeric', 'Coverage of the prediction intervals stored with each forecast'),
	('forecast_history_days', '1095', 'integer', 'How many days of history the forecast models read'),
	('cache_hours', '24', 'integer', 'Horizon shown by dw.v_dashboard.cache_valid_until (generated_at + this); outputs are reused as long as they were computed from the current, complete warehouse load, whatever their age'),
	('retention_days', '90', 'integer', 'Default age in days beyond which cleanup() drops non-current lake versions and run logs'),
	('nightly_time', '00:30', 'time', 'Local time of the nightly pipeline (converted to GMT for pg_cron by schedule())'),
	('timezone', 'Europe/Paris', 'text', 'Time zone of the company; used for the schedule and for day boundaries of demand'),
	('extrafield_satisfaction', 'satisfaction', 'text', 'Column of llx_ticket_extrafields holding customer satisfaction (1-5)'),
	('extrafield_estimated_duration', 'estimated_duration', 'text', 'Column of llx_ticket_extrafields holding the estimated intervention duration in hours'),
	('extrafield_intervention_type', 'intervention_type', 'text', 'Column of llx_ticket_extrafields holding the intervention type (maintenance, repair, ...)'),
	('extrafield_intervention_cost', 'intervention_cost', 'text', 'Column of llx_ticket_extrafields holding the intervention cost in euros');

------------------------------------------------------------------------------
-- Run log: one row per run, one row per step.  Written in their own
-- transactions by the procedures, so a failed step is still recorded.
------------------------------------------------------------------------------

CREATE TABLE doliflow.run_log (
	run_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	kind         text NOT NULL,
	started_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
	finished_at  timestamptz,
	status       text NOT NULL DEFAULT 'running'
		CHECK (status IN ('running', 'success', 'partial', 'failed', 'skipped')),
	triggered_by text NOT NULL DEFAULT session_user,
	error        text
);
COMMENT ON TABLE doliflow.run_log IS 'One row per doliflow run (pipeline, extract, load, analytics, cleanup)';
COMMENT ON COLUMN doliflow.run_log.kind IS 'What ran: pipeline, extract, load_warehouse, analytics or cleanup';
COMMENT ON COLUMN doliflow.run_log.status IS 'running, success, partial (some steps failed), failed or skipped (another run held the lock)';
COMMENT ON COLUMN doliflow.run_log.triggered_by IS 'Role that started the run';
COMMENT ON COLUMN doliflow.run_log.error IS 'First error of the run, if any';

CREATE TABLE doliflow.run_step (
	step_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	run_id       bigint NOT NULL REFERENCES doliflow.run_log ON DELETE CASCADE,
	step         text NOT NULL,
	started_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
	finished_at  timestamptz,
	status       text NOT NULL DEFAULT 'running'
		CHECK (status IN ('running', 'success', 'failed', 'skipped')),
	rows_in      bigint,
	rows_out     bigint,
	detail       jsonb,
	error        text
);
CREATE INDEX run_step_run_id_idx ON doliflow.run_step (run_id);
COMMENT ON TABLE doliflow.run_step IS 'One row per step of a doliflow run: status, row counts, duration and error';
COMMENT ON COLUMN doliflow.run_step.step IS 'Step name, e.g. extract:llx_ticket, load:fact_tickets, analytics:forecast';
COMMENT ON COLUMN doliflow.run_step.rows_in IS 'Rows read by the step';
COMMENT ON COLUMN doliflow.run_step.rows_out IS 'Rows written by the step';
COMMENT ON COLUMN doliflow.run_step.detail IS 'Step-specific figures (watermarks, counts checked against the source, ...)';


------------------------------------------------------------------------------
-- C functions shared by every area
------------------------------------------------------------------------------

CREATE FUNCTION doliflow.build_info() RETURNS jsonb
AS 'MODULE_PATHNAME', 'doliflow_build_info'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION doliflow.build_info() IS 'Version of the doliflow library, of the GSL it was built with and runs against, and of PostgreSQL';

CREATE FUNCTION doliflow.normal_quantile(p float8) RETURNS float8
AS 'MODULE_PATHNAME', 'doliflow_normal_quantile'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION doliflow.normal_quantile(float8) IS 'Inverse of the standard normal distribution (the z of a service level, e.g. 0.95 -> 1.645); p must be in (0, 1)';
