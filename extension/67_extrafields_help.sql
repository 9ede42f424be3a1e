-- doliflow install script, part 67: first-run help on the ticket extrafields.
--
-- A real Dolibarr names its ticket extrafields freely ("cost", "cout",
-- "montant"...).  status() (from the lake) and connect() (from the source) list
-- the extrafields of tickets (llx_extrafields, elementtype ticket) with their labels and types and the
-- setting each one feeds, and for a setting extrafield_* naming no existing
-- extrafield it suggests the ones whose name or label look like what the
-- setting expects.

CREATE FUNCTION doliflow._extrafield_suggest(p_setting text, p_name text, p_label text) RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT coalesce(p_name, '') || ' ' || coalesce(p_label, '') ~* CASE p_setting
		WHEN 'extrafield_satisfaction' THEN 'satisf|rating|note|avis|score|contentement'
		WHEN 'extrafield_estimated_duration' THEN 'dur|estim|temps|heure|hour|time|prevu|prévu'
		WHEN 'extrafield_intervention_type' THEN 'type|kind|nature|categ|genre'
		WHEN 'extrafield_intervention_cost' THEN 'cost|co[uû]t|montant|prix|price|amount|tarif|€'
		ELSE '^$' END;
$$;
COMMENT ON FUNCTION doliflow._extrafield_suggest(text, text, text) IS 'internal: whether a ticket extrafield (name, label) looks like what the setting p_setting (extrafield_*) expects, by keywords in French and English';

-- The section itself, from any list of extrafields (p_fields: a jsonb array of
-- {name, elementtype, label, type, size, pos}, every element type; NULL when the
-- list could not be had, then one row saying why: p_unavailable).  status() gives
-- it the lake's copy, connect() the source's own table.
CREATE FUNCTION doliflow._extrafields_help(p_fields jsonb, p_unavailable text) RETURNS SETOF doliflow.status_row
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r record;
	v_n integer;
	v_sugg text;
BEGIN
	IF p_fields IS NULL THEN
		RETURN NEXT ('extrafields', 'llx_ticket_extrafields', 'not extracted', NULL, NULL, NULL, NULL, p_unavailable)::doliflow.status_row;
		RETURN;
	END IF;
	SELECT count(*) INTO v_n FROM jsonb_to_recordset(p_fields) AS e(name text, elementtype text, label text, type text, size text, pos integer) WHERE e.elementtype = 'ticket';
	-- every extrafield of tickets, with the setting it feeds
	FOR r IN
		SELECT e.name, e.label, e.type, e.size,
			   (SELECT string_agg(s.name, ', ' ORDER BY s.name) FROM doliflow.settings s
				 WHERE s.name LIKE 'extrafield\_%' AND s.value = e.name) AS settings
		  FROM jsonb_to_recordset(p_fields) AS e(name text, elementtype text, label text, type text, size text, pos integer)
		 WHERE e.elementtype = 'ticket'
		 ORDER BY e.pos NULLS LAST, e.name
	LOOP
		RETURN NEXT ('extrafields', r.name, CASE WHEN r.settings IS NULL THEN 'unused' ELSE 'mapped' END,
					 NULL, NULL, NULL, NULL,
					 format('label "%s", type %s%s; %s', coalesce(r.label, ''), coalesce(r.type, '?'),
							coalesce('(' || nullif(r.size, '') || ')', ''),
							coalesce('feeds setting ' || r.settings, 'no setting reads it')))::doliflow.status_row;
	END LOOP;
	-- every setting naming an extrafield that does not exist, with suggestions
	FOR r IN
		SELECT s.name, s.value FROM doliflow.settings s
		 WHERE s.name LIKE 'extrafield\_%'
		   AND NOT EXISTS (SELECT 1 FROM jsonb_to_recordset(p_fields) AS e(name text, elementtype text, label text, type text, size text, pos integer)
						    WHERE e.elementtype = 'ticket' AND e.name = s.value)
		 ORDER BY s.name
	LOOP
		SELECT string_agg(format('%s ("%s")', e.name, coalesce(e.label, '')), ', ' ORDER BY e.pos NULLS LAST, e.name)
		  INTO v_sugg
		  FROM jsonb_to_recordset(p_fields) AS e(name text, elementtype text, label text, type text, size text, pos integer)
		 WHERE e.elementtype = 'ticket' AND doliflow._extrafield_suggest(r.name, e.name, e.label);
		RETURN NEXT ('extrafields', r.name, 'missing', NULL, NULL, NULL, NULL,
					 format('names extrafield "%s", which tickets do not have (%s ticket extrafields); %s', r.value, v_n,
							CASE WHEN v_sugg IS NULL THEN 'no candidate found: set it to one of the extrafields listed above'
								 ELSE format('candidates: %s; e.g. UPDATE doliflow.settings SET value = %L WHERE name = %L',
											 v_sugg, split_part(v_sugg, ' ', 1), r.name) END))::doliflow.status_row;
	END LOOP;
END;
$$;
COMMENT ON FUNCTION doliflow._extrafields_help(jsonb, text) IS 'internal: the extrafields section of status() and connect(): from a list of extrafields (jsonb array of name, elementtype, label, type, size, pos; NULL: one row "not extracted" saying p_unavailable), the ticket ones with label, type and the extrafield_* setting each feeds (mapped/unused), then every extrafield_* setting naming an extrafield that does not exist (missing) with candidates whose name or label look right and the UPDATE that would map it';

CREATE FUNCTION doliflow._status_extrafields() RETURNS SETOF doliflow.status_row
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT h.* FROM doliflow._extrafields_help(
		(SELECT jsonb_agg(jsonb_build_object('name', e.name, 'elementtype', e.elementtype, 'label', e.label,
											 'type', e.type, 'size', e.size, 'pos', e.pos))
		   FROM lake.llx_extrafields_current e),
		'llx_extrafields is not in the lake yet: CALL doliflow.extract() (or the pipeline) first') h;
$$;
COMMENT ON FUNCTION doliflow._status_extrafields() IS 'status() provider: the extrafields section (doliflow._extrafields_help) from the lake''s copy of llx_extrafields (lake.llx_extrafields_current)';

-- connect() prints the same section, read from the source itself (the lake is
-- still empty on a first connect).  A source whose llx_extrafields cannot be
-- read does not fail connect(): the notice says why.
CREATE FUNCTION doliflow._connect_extrafields() RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_fields jsonb;
	v_why text;
	r record;
	v_n integer := 0;
BEGIN
	BEGIN
		PERFORM doliflow._source_arm();
		EXECUTE 'SELECT coalesce(jsonb_agg(jsonb_build_object(''name'', e.name, ''elementtype'', e.elementtype, ''label'', e.label,
								''type'', e.type, ''size'', e.size, ''pos'', e.pos)), ''[]'')
				   FROM dolibarr.llx_extrafields e' INTO v_fields;
	EXCEPTION WHEN query_canceled THEN
		RAISE;
	WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS v_why = MESSAGE_TEXT;
		v_fields := NULL;
		v_why := 'llx_extrafields could not be read from the source: ' || v_why;
	END;
	FOR r IN SELECT * FROM doliflow._extrafields_help(v_fields, v_why) LOOP
		IF v_n = 0 THEN
			RAISE NOTICE 'doliflow: ticket extrafields of the source and the settings they feed (also in doliflow.status(), section extrafields):';
		END IF;
		v_n := v_n + 1;
		RAISE NOTICE 'doliflow: extrafield %: % (%)', r.name, r.status, r.detail;
	END LOOP;
	RETURN v_n;
END;
$$;
COMMENT ON FUNCTION doliflow._connect_extrafields() IS 'internal: what connect() prints after creating the foreign tables: the extrafields section of status() (doliflow._extrafields_help) read from the source''s llx_extrafields, one NOTICE a row; returns the number of rows';

INSERT INTO doliflow.status_providers (provider, position, description) VALUES
	('doliflow._status_extrafields()', 35, 'Ticket extrafields of the source: label, type, the setting each feeds; settings naming a missing extrafield, with suggestions');
