-- doliflow install script, part 58: what buyers ask (issue 16, item 3), the pieces that
-- dw.v_stock_alerts (part 60) needs before it is created.
--
--   suppliers       doliflow._stock_supplier: every active supplier of a product, ranked:
--                   shortest delivery time, then lowest unit price (the one used is rank 1)
--   customer orders doliflow._stock_reserved: quantities on open customer orders
--                   (llx_commande fk_statut 1 validated, 2 shipment in process: what
--                   Dolibarr's Product::load_virtual_stock() subtracts)
--   rounding        doliflow.order_quantity(), doliflow.order_rounding(): minimum order
--                   quantity then packaging, and the rounding said in words
--
-- Part 63 builds the product totals (dw.v_stock_products), the order proposals grouped per
-- supplier (dw.v_order_proposals) and their CSV (doliflow.order_proposals_csv()) on top of
-- dw.v_stock_alerts.  Nothing here writes to the source.

------------------------------------------------------------------------------
-- Supplier prices and the supplier used
------------------------------------------------------------------------------

-- One row per active supplier price (llx_product_fournisseur_price.status = 1).  In Dolibarr
-- `quantity` is the minimum quantity of the price tier (`price` is the price of that
-- quantity, `unitprice` = price / quantity), `packaging` the order multiple,
-- `delivery_time_days` the supplier's delay in calendar days.
CREATE VIEW doliflow._stock_supplier_price AS
SELECT fp.rowid AS price_id, fp.fk_product, fp.fk_soc, fp.ref_fourn,
	   CASE WHEN fp.quantity > 0 THEN fp.quantity::numeric ELSE 1 END AS min_quantity,
	   coalesce(nullif(fp.unitprice, 0), fp.price / nullif(fp.quantity, 0))::numeric AS unit_price,
	   CASE WHEN fp.delivery_time_days > 0 THEN fp.delivery_time_days END AS delivery_days,
	   CASE WHEN fp.packaging > 0 THEN fp.packaging::numeric END AS packaging
  FROM lake.llx_product_fournisseur_price_current fp
 WHERE fp.status = 1 AND fp.fk_product IS NOT NULL AND fp.fk_soc IS NOT NULL;
COMMENT ON VIEW doliflow._stock_supplier_price IS 'internal: active supplier price tiers (llx_product_fournisseur_price, status 1): minimum quantity of the tier (quantity, at least 1), unit price (unitprice, else price / quantity), delivery days (NULL when not positive), packaging (NULL when not positive)';

-- One row per product and supplier: the supplier's shortest delay, its minimum order
-- quantity (its smallest tier), the packaging and unit price of that tier; ranked per
-- product by delay (unknown last), then unit price (unknown last), then supplier id.
CREATE VIEW doliflow._stock_supplier AS
WITH per_soc AS (
	SELECT DISTINCT ON (sp.fk_product, sp.fk_soc)
		   sp.fk_product, sp.fk_soc, sp.ref_fourn, sp.min_quantity AS moq, sp.unit_price, sp.packaging,
		   min(sp.delivery_days) OVER (PARTITION BY sp.fk_product, sp.fk_soc) AS delivery_days,
		   count(*) OVER (PARTITION BY sp.fk_product, sp.fk_soc) AS tiers
	  FROM doliflow._stock_supplier_price sp
	 ORDER BY sp.fk_product, sp.fk_soc, sp.min_quantity, sp.unit_price NULLS LAST, sp.price_id
), ranked AS (
	SELECT s.*, c.name AS supplier_name,
		   row_number() OVER w AS rank,
		   count(*) OVER (PARTITION BY s.fk_product) AS suppliers,
		   lead(s.delivery_days) OVER w AS next_days,
		   lead(s.unit_price) OVER w AS next_price,
		   lead(c.name) OVER w AS next_name
	  FROM per_soc s
	  LEFT JOIN dw.dim_customer c ON c.customer_key = s.fk_soc
	WINDOW w AS (PARTITION BY s.fk_product ORDER BY s.delivery_days ASC NULLS LAST, s.unit_price ASC NULLS LAST, s.fk_soc)
)
SELECT r.fk_product, r.fk_soc, r.supplier_name, r.ref_fourn, r.moq, r.unit_price, r.packaging, r.delivery_days,
	   r.tiers, r.rank, r.suppliers,
	   CASE WHEN r.suppliers = 1 THEN 'only'
			WHEN r.delivery_days IS NOT NULL AND (r.next_days IS NULL OR r.next_days > r.delivery_days) THEN 'delay'
			WHEN r.delivery_days IS NOT DISTINCT FROM r.next_days
				 AND r.unit_price IS NOT NULL AND (r.next_price IS NULL OR r.next_price > r.unit_price) THEN 'price'
			ELSE 'tie'
	   END AS reason_code,
	   r.next_days, r.next_price, r.next_name
  FROM ranked r;
COMMENT ON VIEW doliflow._stock_supplier IS 'internal: per product, each active supplier (shortest delay of its prices, minimum order quantity = its smallest tier, packaging and unit price of that tier) ranked by delivery days (unknown last), then unit price (unknown last), then supplier id; rank 1 is the supplier used. reason_code for rank 1: only (one supplier), delay (strictly shorter delay than the next), price (same delay, lower unit price), tie (same delay and price: lowest supplier id)';

-- The reason in words, in the language of the setting language (fr default, en).
CREATE FUNCTION doliflow.supplier_reason(reason_code text, delivery_days integer, unit_price numeric,
										 next_name text, next_days integer, next_price numeric,
										 suppliers bigint, lang text DEFAULT 'fr') RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	en boolean := lang = 'en';
	d text := CASE WHEN delivery_days IS NOT NULL THEN delivery_days || CASE WHEN lang = 'en' THEN ' d' ELSE ' j' END
				   WHEN lang = 'en' THEN 'delay unknown' ELSE 'délai inconnu' END;
	nd text := CASE WHEN next_days IS NOT NULL THEN next_days || CASE WHEN lang = 'en' THEN ' d' ELSE ' j' END
					WHEN lang = 'en' THEN 'delay unknown' ELSE 'délai inconnu' END;
	p text := coalesce(replace(trim_scale(round(unit_price, 2))::text, '.', CASE WHEN lang = 'en' THEN '.' ELSE ',' END), '?');
	np text := coalesce(replace(trim_scale(round(next_price, 2))::text, '.', CASE WHEN lang = 'en' THEN '.' ELSE ',' END), '?');
	nn text := coalesce(next_name, '?');
BEGIN
	IF lang IS NULL OR lang NOT IN ('fr', 'en') THEN
		RAISE EXCEPTION 'lang must be fr or en, not "%"', coalesce(lang, 'NULL') USING ERRCODE = 'invalid_parameter_value';
	END IF;
	RETURN CASE reason_code
		WHEN 'only' THEN CASE WHEN en THEN format('only supplier (%s)', d) ELSE format('seul fournisseur (%s)', d) END
		WHEN 'delay' THEN CASE WHEN en THEN format('shortest delivery time of %s suppliers: %s (next: %s, %s)', suppliers, d, nn, nd)
							   ELSE format('délai le plus court des %s fournisseurs : %s (suivant : %s, %s)', suppliers, d, nn, nd) END
		WHEN 'price' THEN CASE WHEN en THEN format('same delivery time as %s (%s), lower unit price: %s (vs %s)', nn, d, p, np)
							   ELSE format('même délai que %s (%s), prix unitaire plus bas : %s (contre %s)', nn, d, p, np) END
		WHEN 'tie' THEN CASE WHEN en THEN format('same delivery time and price as %s: lowest supplier id', nn)
							 ELSE format('même délai et même prix que %s : plus petit identifiant fournisseur', nn) END
	END;
END;
$$;
COMMENT ON FUNCTION doliflow.supplier_reason(text, integer, numeric, text, integer, numeric, bigint, text) IS
'Why the supplier was chosen, in words (lang fr or en, else invalid_parameter_value): reason_code only, delay (shortest delivery time, with the next supplier and its delay), price (same delay as the next supplier, lower unit price), tie (same delay and price: lowest supplier id); NULL for an unknown code';

------------------------------------------------------------------------------
-- Open customer orders
------------------------------------------------------------------------------

-- Dolibarr's Product::load_virtual_stock() subtracts the quantities of the customer orders
-- whose fk_statut is 1 (Commande::STATUS_VALIDATED) or 2 (STATUS_SHIPMENTONPROCESS); drafts
-- (0), closed/delivered orders (3) and canceled ones (-1) do not count.  Shipments are not in
-- the lake: a partly shipped order (status 2) counts whole, as Dolibarr does when shipments
-- are not subtracted (its mode "decrease stock on invoice").
CREATE VIEW doliflow._stock_reserved AS
SELECT d.fk_product, sum(d.qty)::numeric AS qty, count(DISTINCT c.rowid) AS orders
  FROM lake.llx_commande_current c
  JOIN lake.llx_commandedet_current d ON d.fk_commande = c.rowid
 WHERE c.fk_statut IN (1, 2) AND d.fk_product IS NOT NULL AND d.qty > 0
 GROUP BY 1;
COMMENT ON VIEW doliflow._stock_reserved IS 'internal: quantities on open customer orders per product: lines (llx_commandedet, qty > 0) of the orders (llx_commande) with fk_statut 1 (validated) or 2 (shipment in process), the statuses Dolibarr''s virtual stock subtracts';

------------------------------------------------------------------------------
-- Rounding of an order: minimum order quantity, then packaging
------------------------------------------------------------------------------

-- Checks inline (no doliflow object named): dw views call these as the BI reader.
CREATE FUNCTION doliflow.order_quantity(raw_quantity numeric, moq numeric DEFAULT NULL, packaging numeric DEFAULT NULL) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	q numeric;
BEGIN
	IF raw_quantity IN ('NaN', 'Infinity', '-Infinity') THEN
		RAISE EXCEPTION 'raw_quantity must be a finite number, not %', raw_quantity USING ERRCODE = 'invalid_parameter_value';
	ELSIF moq IN ('NaN', 'Infinity', '-Infinity') THEN
		RAISE EXCEPTION 'moq must be a finite number, not %', moq USING ERRCODE = 'invalid_parameter_value';
	ELSIF packaging IN ('NaN', 'Infinity', '-Infinity') THEN
		RAISE EXCEPTION 'packaging must be a finite number, not %', packaging USING ERRCODE = 'invalid_parameter_value';
	ELSIF moq < 0 THEN
		RAISE EXCEPTION 'moq must be at least 0, not %', moq USING ERRCODE = 'invalid_parameter_value';
	ELSIF packaging < 0 THEN
		RAISE EXCEPTION 'packaging must be at least 0, not %', packaging USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF raw_quantity IS NULL THEN
		RETURN NULL;
	ELSIF raw_quantity <= 0 THEN
		RETURN 0;
	END IF;
	q := greatest(raw_quantity, coalesce(moq, 0));
	IF packaging > 0 THEN
		q := ceil(q / packaging) * packaging;
	END IF;
	RETURN trim_scale(q);
END;
$$;
COMMENT ON FUNCTION doliflow.order_quantity(numeric, numeric, numeric) IS
'Quantity to order for a need of raw_quantity: 0 when the need is not positive, else at least moq (the supplier''s minimum order quantity, llx_product_fournisseur_price.quantity), then rounded up to a multiple of packaging (the order multiple); NULL or 0 moq/packaging = none. Example: order_quantity(37, 50, 12) = 60 (MOQ 50, then packs of 12). NULL raw_quantity gives NULL; NaN/Infinity or negative moq/packaging raise invalid_parameter_value.';

CREATE FUNCTION doliflow.order_rounding(raw_quantity numeric, moq numeric DEFAULT NULL, packaging numeric DEFAULT NULL,
										lang text DEFAULT 'fr') RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	en boolean := lang = 'en';
	q numeric;
	parts text[] := '{}';
BEGIN
	IF lang IS NULL OR lang NOT IN ('fr', 'en') THEN
		RAISE EXCEPTION 'lang must be fr or en, not "%"', coalesce(lang, 'NULL') USING ERRCODE = 'invalid_parameter_value';
	ELSIF raw_quantity IN ('NaN', 'Infinity', '-Infinity') THEN
		RAISE EXCEPTION 'raw_quantity must be a finite number, not %', raw_quantity USING ERRCODE = 'invalid_parameter_value';
	ELSIF moq IN ('NaN', 'Infinity', '-Infinity') OR moq < 0 THEN
		RAISE EXCEPTION 'moq must be a finite number of at least 0, not %', moq USING ERRCODE = 'invalid_parameter_value';
	ELSIF packaging IN ('NaN', 'Infinity', '-Infinity') OR packaging < 0 THEN
		RAISE EXCEPTION 'packaging must be a finite number of at least 0, not %', packaging USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF raw_quantity IS NULL OR raw_quantity <= 0 THEN
		RETURN NULL;	-- nothing to order
	END IF;
	q := raw_quantity;
	IF moq > q THEN
		q := moq;
		parts := parts || CASE WHEN en THEN format('MOQ %s', trim_scale(moq)) ELSE format('minimum de commande %s', trim_scale(moq)) END;
	END IF;
	IF packaging > 0 AND ceil(q / packaging) * packaging <> q THEN
		parts := parts || CASE WHEN en THEN format('packaging %s -> %s', trim_scale(packaging), trim_scale(ceil(q / packaging) * packaging))
							   ELSE format('colisage %s -> %s', trim_scale(packaging), trim_scale(ceil(q / packaging) * packaging)) END;
	END IF;
	IF cardinality(parts) = 0 THEN
		RETURN CASE WHEN en THEN 'no rounding' ELSE 'pas d''arrondi' END;
	END IF;
	RETURN array_to_string(parts, ', ');
END;
$$;
COMMENT ON FUNCTION doliflow.order_rounding(numeric, numeric, numeric, text) IS
'How order_quantity() rounded raw_quantity, in words (lang fr or en): ''MOQ 50'' when the minimum order quantity raised it, ''packaging 12 -> 60'' when the order multiple did (both, comma-separated, when both did), ''no rounding'' otherwise; NULL when nothing is to be ordered (raw_quantity NULL or not positive). French: minimum de commande 50, colisage 12 -> 60, pas d''arrondi.';
