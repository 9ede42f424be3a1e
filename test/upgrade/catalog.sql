-- test/upgrade/catalog.sql: the catalog of the doliflow extensions as sorted text lines,
-- one "object | aspect | value" per line.  Used by test/upgrade/gen_code_part.sh (what an
-- upgrade script must change) and by test/integration/87_upgrade.sh (an upgraded database
-- must list exactly what a fresh install lists).  Run with psql -XAt.
-- Members: every pg_depend 'e' member of an extension named doliflow*, with its definition
-- (function source, view query, table columns/defaults/constraints/indexes/triggers), owner,
-- ACL and comment.  Oids and creation order are left out: they differ between the two paths.
-- pg_temp.df_catalog(obj, aspect, val) stays for the session (the tool copies it out).
CREATE OR REPLACE TEMP VIEW df_catalog AS
WITH ext AS (
	SELECT oid, extname FROM pg_catalog.pg_extension WHERE extname LIKE 'doliflow%'
), mem AS (
	SELECT e.extname, d.classid, d.objid, d.objsubid,
	       pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid) AS obj
	  FROM pg_catalog.pg_depend d JOIN ext e ON d.refobjid = e.oid
	 WHERE d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.deptype = 'e'
), lines AS (
	-- membership itself (which extension owns it)
	SELECT obj, 'member of' AS aspect, extname::text AS val FROM mem	-- (text: a name column would make every val a name, cut at 63 bytes)
	UNION ALL
	-- functions, procedures, aggregates
	SELECT m.obj, 'definition',
	       CASE WHEN p.prokind = 'a'
	            THEN pg_catalog.format('aggregate sfunc=%s stype=%s finalfunc=%s combine=%s init=%s',
	                 a.aggtransfn, a.aggtranstype::regtype, a.aggfinalfn, a.aggcombinefn, a.agginitval)
	            ELSE pg_catalog.pg_get_functiondef(p.oid) END
	  FROM mem m JOIN pg_catalog.pg_proc p ON m.classid = 'pg_catalog.pg_proc'::regclass AND p.oid = m.objid
	  LEFT JOIN pg_catalog.pg_aggregate a ON a.aggfnoid = p.oid
	UNION ALL
	SELECT m.obj, 'result', pg_catalog.pg_get_function_result(p.oid)
	  FROM mem m JOIN pg_catalog.pg_proc p ON m.classid = 'pg_catalog.pg_proc'::regclass AND p.oid = m.objid
	UNION ALL
	SELECT m.obj, 'owner', p.proowner::regrole::text
	  FROM mem m JOIN pg_catalog.pg_proc p ON m.classid = 'pg_catalog.pg_proc'::regclass AND p.oid = m.objid
	UNION ALL
	SELECT m.obj, 'acl', (SELECT pg_catalog.string_agg(x::text, ',' ORDER BY x::text) FROM pg_catalog.unnest(COALESCE(p.proacl, pg_catalog.acldefault('f'::"char", p.proowner))) x)
	  FROM mem m JOIN pg_catalog.pg_proc p ON m.classid = 'pg_catalog.pg_proc'::regclass AND p.oid = m.objid
	UNION ALL
	-- relations: kind, owner, acl, options
	-- (ACLs by meaning: a NULL ACL is the object type's default for its owner, entries sorted)
	SELECT m.obj, 'relation', pg_catalog.format('kind=%s persistence=%s options=%s', c.relkind, c.relpersistence, c.reloptions)
	  FROM mem m JOIN pg_catalog.pg_class c ON m.classid = 'pg_catalog.pg_class'::regclass AND c.oid = m.objid
	UNION ALL
	SELECT m.obj, 'owner', c.relowner::regrole::text
	  FROM mem m JOIN pg_catalog.pg_class c ON m.classid = 'pg_catalog.pg_class'::regclass AND c.oid = m.objid
	UNION ALL
	SELECT m.obj, 'acl', (SELECT pg_catalog.string_agg(x::text, ',' ORDER BY x::text) FROM pg_catalog.unnest(COALESCE(c.relacl, pg_catalog.acldefault((CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END)::"char", c.relowner))) x)
	  FROM mem m JOIN pg_catalog.pg_class c ON m.classid = 'pg_catalog.pg_class'::regclass AND c.oid = m.objid
	UNION ALL
	SELECT m.obj, 'view definition', pg_catalog.pg_get_viewdef(c.oid)
	  FROM mem m JOIN pg_catalog.pg_class c ON m.classid = 'pg_catalog.pg_class'::regclass AND c.oid = m.objid
	 WHERE c.relkind IN ('v', 'm')
	UNION ALL
	-- columns (by name, not by number: an added column comes last after an upgrade)
	SELECT m.obj, 'column ' || a.attname,
	       pg_catalog.format('%s notnull=%s default=%s identity=%s generated=%s collation=%s acl=%s',
	           pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
	           pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), a.attidentity, a.attgenerated,
	           NULLIF(a.attcollation, 0)::regcollation, a.attacl)
	  FROM mem m JOIN pg_catalog.pg_class c ON m.classid = 'pg_catalog.pg_class'::regclass AND c.oid = m.objid
	  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	  LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
	UNION ALL
	SELECT m.obj, 'constraint ' || co.conname, pg_catalog.pg_get_constraintdef(co.oid)
	  FROM mem m JOIN pg_catalog.pg_constraint co ON m.classid = 'pg_catalog.pg_class'::regclass AND co.conrelid = m.objid
	UNION ALL
	SELECT m.obj, 'index ' || i.relname, pg_catalog.pg_get_indexdef(i.oid)
	  FROM mem m JOIN pg_catalog.pg_index x ON m.classid = 'pg_catalog.pg_class'::regclass AND x.indrelid = m.objid
	  JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
	UNION ALL
	SELECT m.obj, 'trigger ' || t.tgname, pg_catalog.pg_get_triggerdef(t.oid)
	  FROM mem m JOIN pg_catalog.pg_trigger t ON m.classid = 'pg_catalog.pg_class'::regclass AND t.tgrelid = m.objid
	 WHERE NOT t.tgisinternal
	UNION ALL
	SELECT m.obj, 'policy ' || po.polname, pg_catalog.format('%s %s %s %s', po.polcmd, po.polroles::regrole[],
	       pg_catalog.pg_get_expr(po.polqual, po.polrelid), pg_catalog.pg_get_expr(po.polwithcheck, po.polrelid))
	  FROM mem m JOIN pg_catalog.pg_policy po ON m.classid = 'pg_catalog.pg_class'::regclass AND po.polrelid = m.objid
	UNION ALL
	-- schemas and types
	SELECT m.obj, 'owner', n.nspowner::regrole::text
	  FROM mem m JOIN pg_catalog.pg_namespace n ON m.classid = 'pg_catalog.pg_namespace'::regclass AND n.oid = m.objid
	UNION ALL
	SELECT m.obj, 'acl', (SELECT pg_catalog.string_agg(x::text, ',' ORDER BY x::text) FROM pg_catalog.unnest(COALESCE(n.nspacl, pg_catalog.acldefault('n'::"char", n.nspowner))) x)
	  FROM mem m JOIN pg_catalog.pg_namespace n ON m.classid = 'pg_catalog.pg_namespace'::regclass AND n.oid = m.objid
	UNION ALL
	SELECT m.obj, 'type', pg_catalog.format('typtype=%s owner=%s acl=%s enum=%s', t.typtype, t.typowner::regrole, t.typacl,
	       (SELECT pg_catalog.string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid))
	  FROM mem m JOIN pg_catalog.pg_type t ON m.classid = 'pg_catalog.pg_type'::regclass AND t.oid = m.objid
	UNION ALL
	-- comments of members and of their columns
	SELECT m.obj, 'comment', pg_catalog.obj_description(m.objid, (SELECT relname FROM pg_catalog.pg_class WHERE oid = m.classid))
	  FROM mem m WHERE pg_catalog.obj_description(m.objid, (SELECT relname FROM pg_catalog.pg_class WHERE oid = m.classid)) IS NOT NULL
	UNION ALL
	SELECT m.obj, 'comment column ' || a.attname, pg_catalog.col_description(a.attrelid, a.attnum)
	  FROM mem m JOIN pg_catalog.pg_attribute a ON m.classid = 'pg_catalog.pg_class'::regclass AND a.attrelid = m.objid AND a.attnum > 0
	 WHERE pg_catalog.col_description(a.attrelid, a.attnum) IS NOT NULL
	UNION ALL
	-- the extensions' own comment and configuration tables (pg_extension_config_dump)
	SELECT 'extension ' || e.extname, 'config ' || c.t::regclass::text, c.w
	  FROM pg_catalog.pg_extension e, unnest(e.extconfig, e.extcondition) AS c(t, w) WHERE e.extname LIKE 'doliflow%'
)
SELECT obj, aspect, val FROM lines;
SELECT obj || ' | ' || aspect || ' | ' || pg_catalog.replace(COALESCE(val, '<null>'), E'\n', '\n')
  FROM pg_temp.df_catalog ORDER BY obj, aspect, val;
