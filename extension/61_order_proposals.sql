-- doliflow install script, part 63: what buyers ask (issue 16, item 3), over dw.v_stock_alerts.
--
--   dw.v_stock_products     one row per product: the warehouse rows of dw.v_stock_alerts added
--                           up (stock, open supplier and customer orders, virtual stock, demand,
--                           need), the need rounded once for the product (MOQ, packaging), the
--                           supplier used and why, the price of the tier that quantity reaches,
--                           the planned delivery date
--   dw.v_order_proposals    the products to order, grouped per supplier with the supplier's
--                           totals: what a buyer keys into Dolibarr (never written to the source)
--   order_proposals_csv()   the same as CSV text (; separator, decimal comma) a spreadsheet opens

CREATE VIEW dw.v_stock_products AS
WITH a AS (
	SELECT a.fk_product, a.product_ref, a.product_label, a.fk_entrepot, a.level, a.level_rank,
		   a.stock, a.incoming, a.reserved, a.virtual_stock, a.demand_lead_time, a.demand_until_target,
		   a.raw_quantity, a.moq, a.order_packaging, a.supplier_id, a.supplier_name, a.supplier_ref,
		   a.supplier_reason, a.unit_price, a.planned_delivery_date, a.lead_time_days, a.today, a.generated_at
	  FROM dw.v_stock_alerts a
), p AS (
	SELECT a.fk_product, min(a.product_ref) AS product_ref, min(a.product_label) AS product_label,
		   count(a.fk_entrepot) AS warehouses, min(a.level_rank) AS level_rank,
		   sum(a.stock) AS stock, sum(a.incoming) AS incoming, sum(a.reserved) AS reserved,
		   sum(a.virtual_stock) AS virtual_stock, sum(a.demand_lead_time) AS demand_lead_time,
		   sum(a.demand_until_target) AS demand_until_target,
		   CASE WHEN bool_and(a.raw_quantity IS NOT NULL) THEN sum(a.raw_quantity) END AS raw_quantity,
		   max(a.moq) AS moq, max(a.order_packaging) AS order_packaging,
		   max(a.supplier_id) AS supplier_id, max(a.supplier_name) AS supplier_name, max(a.supplier_ref) AS supplier_ref,
		   max(a.supplier_reason) AS supplier_reason, max(a.unit_price) AS base_unit_price,
		   max(a.planned_delivery_date) AS planned_delivery_date, max(a.lead_time_days) AS lead_time_days,
		   max(a.today) AS today, max(a.generated_at) AS generated_at
	  FROM a
	 GROUP BY a.fk_product
), q AS (
	SELECT p.*, doliflow.order_quantity(p.raw_quantity, p.moq, p.order_packaging) AS order_quantity,
		   doliflow.order_rounding(p.raw_quantity, p.moq, p.order_packaging,
			   coalesce((SELECT s.value FROM doliflow.settings s WHERE s.name = 'language'), 'fr')) AS rounding
	  FROM p
)
SELECT q.fk_product, q.product_ref, q.product_label, q.warehouses,
	   CASE q.level_rank WHEN 0 THEN 'Unknown' WHEN 1 THEN 'Critical' WHEN 2 THEN 'Attention' WHEN 3 THEN 'OK' END AS level,
	   q.level_rank, q.stock, q.incoming, q.reserved, q.virtual_stock, q.demand_lead_time, q.demand_until_target,
	   q.raw_quantity, q.moq, q.order_packaging, q.order_quantity, q.rounding,
	   q.supplier_id, q.supplier_name, q.supplier_ref, q.supplier_reason,
	   coalesce(t.unit_price, q.base_unit_price) AS unit_price,
	   round(q.order_quantity * coalesce(t.unit_price, q.base_unit_price), 2) AS order_amount,
	   q.planned_delivery_date, q.lead_time_days, q.today, q.generated_at
  FROM q
  LEFT JOIN LATERAL (	-- the price of the largest tier the quantity reaches (Dolibarr's price by quantity)
	SELECT sp.unit_price FROM doliflow._stock_supplier_price sp
	 WHERE sp.fk_product = q.fk_product AND sp.fk_soc = q.supplier_id AND sp.min_quantity <= q.order_quantity
	 ORDER BY sp.min_quantity DESC, sp.unit_price ASC NULLS LAST, sp.price_id
	 LIMIT 1) t ON true;
COMMENT ON VIEW dw.v_stock_products IS
'One row per stockable product: its warehouse rows of dw.v_stock_alerts added up (stock, incoming, reserved, virtual_stock, demand_lead_time, demand_until_target and raw_quantity are the sums over the warehouses, so the warehouse rows add up to this row), the worst level, and the need rounded once for the product: order_quantity = order_quantity(raw_quantity, moq, order_packaging) (one supplier order line; the warehouse rows of dw.v_stock_alerts round each warehouse alone), with the supplier used and why, the unit price of the largest tier that quantity reaches, the order amount and the planned delivery date.';
COMMENT ON COLUMN dw.v_stock_products.fk_product IS 'Product (llx_product.rowid)';
COMMENT ON COLUMN dw.v_stock_products.product_ref IS 'Product reference';
COMMENT ON COLUMN dw.v_stock_products.product_label IS 'Product label';
COMMENT ON COLUMN dw.v_stock_products.warehouses IS 'Warehouses holding stock of the product (rows of dw.v_stock_alerts with a warehouse)';
COMMENT ON COLUMN dw.v_stock_products.level IS 'The worst level of its warehouse rows: Unknown, Critical, Attention or OK';
COMMENT ON COLUMN dw.v_stock_products.level_rank IS '0 Unknown, 1 Critical, 2 Attention, 3 OK';
COMMENT ON COLUMN dw.v_stock_products.stock IS 'Physical stock, all warehouses';
COMMENT ON COLUMN dw.v_stock_products.incoming IS 'Quantity on open supplier orders (status 1-4)';
COMMENT ON COLUMN dw.v_stock_products.reserved IS 'Quantity on open customer orders (status 1-2)';
COMMENT ON COLUMN dw.v_stock_products.virtual_stock IS 'stock + incoming - reserved';
COMMENT ON COLUMN dw.v_stock_products.demand_lead_time IS 'Forecast demand over the lead time';
COMMENT ON COLUMN dw.v_stock_products.demand_until_target IS 'Forecast demand until the target date';
COMMENT ON COLUMN dw.v_stock_products.raw_quantity IS 'Sum of the warehouses'' needs before rounding (each warehouse covered by its own stock: no transfer assumed); NULL when a warehouse row is Unknown';
COMMENT ON COLUMN dw.v_stock_products.moq IS 'Minimum order quantity of the supplier used';
COMMENT ON COLUMN dw.v_stock_products.order_packaging IS 'Order multiple used';
COMMENT ON COLUMN dw.v_stock_products.order_quantity IS 'Quantity to order: order_quantity(raw_quantity, moq, order_packaging)';
COMMENT ON COLUMN dw.v_stock_products.rounding IS 'The rounding in words (MOQ 50 / packaging 12 -> 60 / no rounding), in the setting language; NULL when nothing is needed';
COMMENT ON COLUMN dw.v_stock_products.supplier_id IS 'Supplier used (llx_societe.rowid): shortest delivery time, then lowest unit price';
COMMENT ON COLUMN dw.v_stock_products.supplier_name IS 'Name of the supplier used';
COMMENT ON COLUMN dw.v_stock_products.supplier_ref IS 'Supplier''s product reference';
COMMENT ON COLUMN dw.v_stock_products.supplier_reason IS 'Why that supplier, in words';
COMMENT ON COLUMN dw.v_stock_products.unit_price IS 'Unit price of the supplier''s largest price tier whose minimum quantity order_quantity reaches (else of its smallest tier)';
COMMENT ON COLUMN dw.v_stock_products.order_amount IS 'order_quantity x unit_price, excluding VAT';
COMMENT ON COLUMN dw.v_stock_products.planned_delivery_date IS 'Today in the company time zone + the supplier''s delivery days (else the lead time), calendar days';
COMMENT ON COLUMN dw.v_stock_products.lead_time_days IS 'Lead time used for the demand over the lead time';
COMMENT ON COLUMN dw.v_stock_products.today IS 'First forecast day';
COMMENT ON COLUMN dw.v_stock_products.generated_at IS 'When the forecast used was computed';

CREATE VIEW dw.v_order_proposals AS
SELECT p.supplier_id, p.supplier_name,
	   row_number() OVER (PARTITION BY p.supplier_id ORDER BY p.level_rank, p.product_ref, p.fk_product) AS line_no,
	   p.fk_product, p.product_ref, p.product_label, p.supplier_ref, p.level,
	   p.order_quantity AS quantity, p.unit_price, p.order_amount AS line_amount, p.rounding,
	   p.raw_quantity, p.virtual_stock, p.planned_delivery_date, p.supplier_reason,
	   count(*) OVER (PARTITION BY p.supplier_id) AS supplier_lines,
	   sum(p.order_amount) OVER (PARTITION BY p.supplier_id) AS supplier_total,
	   max(p.planned_delivery_date) OVER (PARTITION BY p.supplier_id) AS supplier_delivery_date,
	   p.generated_at
  FROM dw.v_stock_products p
 WHERE p.order_quantity > 0;
COMMENT ON VIEW dw.v_order_proposals IS
'Order proposals, grouped per supplier: one line per product to order (order_quantity > 0 in dw.v_stock_products), numbered per supplier (most urgent first), with the supplier''s number of lines, total amount excluding VAT and latest planned delivery date; products without an active supplier price have supplier_id NULL. Ready to be keyed into Dolibarr as supplier orders: doliflow never writes to the source. doliflow.order_proposals_csv() gives the same as CSV.';
COMMENT ON COLUMN dw.v_order_proposals.supplier_id IS 'Supplier (llx_societe.rowid); NULL: no active supplier price';
COMMENT ON COLUMN dw.v_order_proposals.supplier_name IS 'Supplier name';
COMMENT ON COLUMN dw.v_order_proposals.line_no IS 'Line number within the supplier''s proposal (Critical first, then by product reference)';
COMMENT ON COLUMN dw.v_order_proposals.fk_product IS 'Product (llx_product.rowid)';
COMMENT ON COLUMN dw.v_order_proposals.product_ref IS 'Product reference';
COMMENT ON COLUMN dw.v_order_proposals.product_label IS 'Product label';
COMMENT ON COLUMN dw.v_order_proposals.supplier_ref IS 'Supplier''s product reference';
COMMENT ON COLUMN dw.v_order_proposals.level IS 'Worst alert level of the product';
COMMENT ON COLUMN dw.v_order_proposals.quantity IS 'Quantity to order (MOQ and packaging respected)';
COMMENT ON COLUMN dw.v_order_proposals.unit_price IS 'Unit price excluding VAT (the price tier the quantity reaches)';
COMMENT ON COLUMN dw.v_order_proposals.line_amount IS 'quantity x unit_price';
COMMENT ON COLUMN dw.v_order_proposals.rounding IS 'How the need was rounded';
COMMENT ON COLUMN dw.v_order_proposals.raw_quantity IS 'Need before rounding';
COMMENT ON COLUMN dw.v_order_proposals.virtual_stock IS 'Virtual stock (stock + open supplier orders - open customer orders)';
COMMENT ON COLUMN dw.v_order_proposals.planned_delivery_date IS 'Planned delivery date of the line';
COMMENT ON COLUMN dw.v_order_proposals.supplier_reason IS 'Why this supplier';
COMMENT ON COLUMN dw.v_order_proposals.supplier_lines IS 'Lines of this supplier''s proposal';
COMMENT ON COLUMN dw.v_order_proposals.supplier_total IS 'Total amount excluding VAT of this supplier''s proposal';
COMMENT ON COLUMN dw.v_order_proposals.supplier_delivery_date IS 'Latest planned delivery date among the supplier''s lines';
COMMENT ON COLUMN dw.v_order_proposals.generated_at IS 'When the forecast used was computed';

-- CSV for a spreadsheet: ; separator, decimal comma, dates dd/mm/yyyy, fields with ; " or
-- a line break quoted ("" inside), one header line, the lines of each supplier then its total.
CREATE FUNCTION doliflow.order_proposals_csv(supplier integer DEFAULT NULL) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	WITH o AS MATERIALIZED (	-- (the view is computed live: once)
		SELECT * FROM dw.v_order_proposals o
		 WHERE order_proposals_csv.supplier IS NULL OR o.supplier_id = order_proposals_csv.supplier
	), l AS (
		SELECT 0 AS part, NULL::integer AS sid, NULL::text AS sname, 0::bigint AS line,
			   ARRAY['fournisseur_id', 'fournisseur', 'ligne', 'ref_fournisseur', 'produit_ref', 'produit', 'quantite',
					 'prix_unitaire_ht', 'montant_ht', 'arrondi', 'livraison_prevue', 'niveau'] AS f
		UNION ALL
		SELECT 1, o.supplier_id, o.supplier_name, o.line_no,
			   ARRAY[o.supplier_id::text, o.supplier_name, o.line_no::text, o.supplier_ref, o.product_ref, o.product_label,
					 replace(trim_scale(o.quantity)::text, '.', ','),
					 replace(trim_scale(round(o.unit_price, 4))::text, '.', ','),
					 replace(round(o.line_amount, 2)::text, '.', ','),
					 o.rounding, to_char(o.planned_delivery_date, 'DD/MM/YYYY'), o.level]
		  FROM o
		UNION ALL
		SELECT 1, o.supplier_id, o.supplier_name, 9223372036854775807,
			   ARRAY[o.supplier_id::text, o.supplier_name, 'TOTAL', NULL, NULL, NULL, NULL, NULL,
					 replace(round(max(o.supplier_total), 2)::text, '.', ','), NULL,
					 to_char(max(o.supplier_delivery_date), 'DD/MM/YYYY'), NULL]
		  FROM o
		 GROUP BY o.supplier_id, o.supplier_name
	)
	SELECT string_agg(
			 (SELECT string_agg(CASE WHEN u.v ~ '[;"\r\n]' THEN '"' || replace(u.v, '"', '""') || '"' ELSE coalesce(u.v, '') END,
								';' ORDER BY u.i)
				FROM unnest(l.f) WITH ORDINALITY u(v, i)),
			 E'\n' ORDER BY l.part, l.sname NULLS LAST, l.sid NULLS LAST, l.line) || E'\n'
	  FROM l;
$$;
COMMENT ON FUNCTION doliflow.order_proposals_csv(integer) IS
'dw.v_order_proposals as CSV text a spreadsheet opens (French conventions: ; separator, decimal comma, dates dd/mm/yyyy, UTF-8 without BOM): a header line, then per supplier (by name; products without supplier last) its lines and a TOTAL line with its amount and latest delivery date. supplier = one supplier''s proposal only (NULL = all). Writes nothing anywhere: psql -XAtc "SELECT doliflow.order_proposals_csv()" > propositions.csv';
