-- doliflow install script, part 30: the warehouse.
--   * calendar helpers (Easter, French public holidays)
--   * dw dimensions and facts (star schema keyed by the Dolibarr rowids)
--   * the first seed's report views
--   * doliflow.load_warehouse(): lake -> dw, incremental or full, in one transaction
--   * doliflow.status(): freshness, row counts, last runs and steps
--
-- The warehouse reads ONLY the lake contract of part 20: for each source table lake.<t>
-- (append-only versions: source columns + _batch, _extracted_at, _deleted) and the view
-- lake.<t>_current (latest live version per key).  Those objects are created by the lake at
-- run time, so everything here that reads them is PL/pgSQL or dynamic SQL (resolved when the
-- load runs, not when the extension is installed).

------------------------------------------------------------------------------
-- Calendar helpers
------------------------------------------------------------------------------

CREATE FUNCTION doliflow.easter_sunday(p_year integer) RETURNS date
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	-- Anonymous Gregorian algorithm (Meeus/Jones/Butcher), valid for every Gregorian year.
	a int; b int; c int; d int; e int; f int; g int; h int; i int; k int; l int; m int;
	mon int; dy int;
BEGIN
	IF p_year < 1583 OR p_year > 9999 THEN
		RAISE EXCEPTION 'year % is outside the Gregorian range 1583..9999', p_year
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	a := p_year % 19;
	b := p_year / 100;
	c := p_year % 100;
	d := b / 4;
	e := b % 4;
	f := (b + 8) / 25;
	g := (b - f + 1) / 3;
	h := (19 * a + b - d - g + 15) % 30;
	i := c / 4;
	k := c % 4;
	l := (32 + 2 * e + 2 * i - h - k) % 7;
	m := (a + 11 * h + 22 * l) / 451;
	mon := (h + l - 7 * m + 114) / 31;
	dy := ((h + l - 7 * m + 114) % 31) + 1;
	RETURN make_date(p_year, mon, dy);
END;
$$;
COMMENT ON FUNCTION doliflow.easter_sunday(integer) IS
	'Date of Easter Sunday of a Gregorian year (anonymous Gregorian algorithm); years 1583..9999';

CREATE FUNCTION doliflow.french_holidays(p_year integer)
RETURNS TABLE (holiday date, name text)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
	SELECT v.d, v.n
	  FROM (SELECT doliflow.easter_sunday(p_year) AS easter) e,
	  LATERAL (VALUES
		(make_date(p_year, 1, 1),   'Jour de l''an'),
		(e.easter + 1,              'Lundi de Pâques'),
		(make_date(p_year, 5, 1),   'Fête du Travail'),
		(make_date(p_year, 5, 8),   'Victoire 1945'),
		(e.easter + 39,             'Ascension'),
		(e.easter + 50,             'Lundi de Pentecôte'),
		(make_date(p_year, 7, 14),  'Fête nationale'),
		(make_date(p_year, 8, 15),  'Assomption'),
		(make_date(p_year, 11, 1),  'Toussaint'),
		(make_date(p_year, 11, 11), 'Armistice 1918'),
		(make_date(p_year, 12, 25), 'Noël')) AS v(d, n)
	 ORDER BY 1;
$$;
COMMENT ON FUNCTION doliflow.french_holidays(integer) IS
	'The 11 national public holidays of metropolitan France in a year (Easter Monday, Ascension and Whit Monday computed from Easter); Alsace-Moselle''s Good Friday and 26 December are not included';

------------------------------------------------------------------------------
-- Dimensions
------------------------------------------------------------------------------

CREATE TABLE dw.dim_date (
	date_key      integer PRIMARY KEY,
	day           date NOT NULL UNIQUE,
	year          smallint NOT NULL,
	quarter       smallint NOT NULL,
	month         smallint NOT NULL,
	month_name    text NOT NULL,
	year_month    text NOT NULL,
	day_of_month  smallint NOT NULL,
	day_of_year   smallint NOT NULL,
	iso_year      smallint NOT NULL,
	iso_week      smallint NOT NULL,
	iso_weekday   smallint NOT NULL,
	weekday_name  text NOT NULL,
	is_weekend    boolean NOT NULL,
	is_holiday    boolean NOT NULL,
	holiday_name  text,
	is_working_day boolean NOT NULL
);
COMMENT ON TABLE dw.dim_date IS 'Calendar dimension: every day from 1 January of the first year of the data to 31 December two years after the last (or the current) year, with ISO weeks and French public holidays';
COMMENT ON COLUMN dw.dim_date.date_key IS 'Date key YYYYMMDD (e.g. 20250421); the *_date_key columns of the facts point here';
COMMENT ON COLUMN dw.dim_date.day IS 'The date';
COMMENT ON COLUMN dw.dim_date.year IS 'Calendar year';
COMMENT ON COLUMN dw.dim_date.quarter IS 'Calendar quarter 1-4';
COMMENT ON COLUMN dw.dim_date.month IS 'Month 1-12';
COMMENT ON COLUMN dw.dim_date.month_name IS 'French month name (janvier ... décembre)';
COMMENT ON COLUMN dw.dim_date.year_month IS 'YYYY-MM, handy for BI grouping';
COMMENT ON COLUMN dw.dim_date.day_of_month IS 'Day of the month 1-31';
COMMENT ON COLUMN dw.dim_date.day_of_year IS 'Day of the year 1-366';
COMMENT ON COLUMN dw.dim_date.iso_year IS 'ISO 8601 week-numbering year (differs from year around 1 January)';
COMMENT ON COLUMN dw.dim_date.iso_week IS 'ISO 8601 week number 1-53';
COMMENT ON COLUMN dw.dim_date.iso_weekday IS 'ISO day of week: 1 = Monday ... 7 = Sunday';
COMMENT ON COLUMN dw.dim_date.weekday_name IS 'French day name (lundi ... dimanche)';
COMMENT ON COLUMN dw.dim_date.is_weekend IS 'Saturday or Sunday';
COMMENT ON COLUMN dw.dim_date.is_holiday IS 'French national public holiday (see doliflow.french_holidays)';
COMMENT ON COLUMN dw.dim_date.holiday_name IS 'Name of the public holiday, NULL on other days';
COMMENT ON COLUMN dw.dim_date.is_working_day IS 'Neither weekend nor public holiday';

CREATE TABLE dw.dim_customer (
	customer_key   integer PRIMARY KEY,
	entity         integer,
	name           text,
	name_alias     text,
	code_client    text,
	zip            text,
	town           text,
	country_id     integer,
	client_type    smallint,
	client_type_label text,
	is_supplier    boolean,
	status         smallint,
	status_label   text,
	created_at     timestamp,
	first_activity date,
	last_activity  date,
	tickets        bigint NOT NULL,
	invoices       bigint NOT NULL,
	interventions  bigint NOT NULL
);
COMMENT ON TABLE dw.dim_customer IS 'Customers and other third parties (llx_societe), with their first and last activity (ticket, validated invoice or intervention)';
COMMENT ON COLUMN dw.dim_customer.customer_key IS 'llx_societe.rowid';
COMMENT ON COLUMN dw.dim_customer.entity IS 'Dolibarr entity (company of a multi-company install)';
COMMENT ON COLUMN dw.dim_customer.name IS 'Third-party name (llx_societe.nom)';
COMMENT ON COLUMN dw.dim_customer.name_alias IS 'Commercial name / alias';
COMMENT ON COLUMN dw.dim_customer.code_client IS 'Customer code';
COMMENT ON COLUMN dw.dim_customer.zip IS 'Postal code';
COMMENT ON COLUMN dw.dim_customer.town IS 'Town as typed in Dolibarr (trimmed)';
COMMENT ON COLUMN dw.dim_customer.country_id IS 'llx_c_country rowid (fk_pays)';
COMMENT ON COLUMN dw.dim_customer.client_type IS 'llx_societe.client: 0 none, 1 customer, 2 prospect, 3 customer and prospect';
COMMENT ON COLUMN dw.dim_customer.client_type_label IS 'Label of client_type';
COMMENT ON COLUMN dw.dim_customer.is_supplier IS 'llx_societe.fournisseur = 1';
COMMENT ON COLUMN dw.dim_customer.status IS 'llx_societe.status: 1 in activity, 0 ceased';
COMMENT ON COLUMN dw.dim_customer.status_label IS 'active or ceased';
COMMENT ON COLUMN dw.dim_customer.created_at IS 'Creation time in Dolibarr (datec)';
COMMENT ON COLUMN dw.dim_customer.first_activity IS 'Earliest of: ticket creation, validated invoice date, intervention date';
COMMENT ON COLUMN dw.dim_customer.last_activity IS 'Latest of: ticket creation, validated invoice date, intervention date';
COMMENT ON COLUMN dw.dim_customer.tickets IS 'Number of tickets of the customer';
COMMENT ON COLUMN dw.dim_customer.invoices IS 'Number of validated (non-draft, non-abandoned) invoices of the customer';
COMMENT ON COLUMN dw.dim_customer.interventions IS 'Number of intervention sheets of the customer';

CREATE TABLE dw.dim_project (
	project_key    integer PRIMARY KEY,
	entity         integer,
	ref            text,
	title          text,
	customer_key   integer,
	status         smallint,
	status_label   text,
	budget_amount  numeric(24,8),
	opp_amount     numeric(24,8),
	created_at     timestamp,
	date_start     date,
	date_end       date,
	closed_at      timestamp,
	tasks          bigint NOT NULL,
	planned_hours  numeric NOT NULL,
	spent_hours    numeric NOT NULL,
	labor_cost     numeric NOT NULL,
	material_cost  numeric NOT NULL,
	invoiced_ht    numeric NOT NULL
);
COMMENT ON TABLE dw.dim_project IS 'Projects / building sites (llx_projet) with planned and spent hours, labour and material costs and invoiced amounts';
COMMENT ON COLUMN dw.dim_project.project_key IS 'llx_projet.rowid';
COMMENT ON COLUMN dw.dim_project.entity IS 'Dolibarr entity';
COMMENT ON COLUMN dw.dim_project.ref IS 'Project reference';
COMMENT ON COLUMN dw.dim_project.title IS 'Project title';
COMMENT ON COLUMN dw.dim_project.customer_key IS 'Customer (llx_projet.fk_soc), dw.dim_customer';
COMMENT ON COLUMN dw.dim_project.status IS 'llx_projet.fk_statut: 0 draft, 1 open (validated), 2 closed';
COMMENT ON COLUMN dw.dim_project.status_label IS 'draft, open or closed';
COMMENT ON COLUMN dw.dim_project.budget_amount IS 'Budget (llx_projet.budget_amount), euros excl. VAT';
COMMENT ON COLUMN dw.dim_project.opp_amount IS 'Opportunity amount';
COMMENT ON COLUMN dw.dim_project.created_at IS 'Creation time (datec)';
COMMENT ON COLUMN dw.dim_project.date_start IS 'Planned start (dateo)';
COMMENT ON COLUMN dw.dim_project.date_end IS 'Planned end (datee)';
COMMENT ON COLUMN dw.dim_project.closed_at IS 'Closing time (date_close)';
COMMENT ON COLUMN dw.dim_project.tasks IS 'Number of tasks';
COMMENT ON COLUMN dw.dim_project.planned_hours IS 'Sum of llx_projet_task.planned_workload (seconds) / 3600';
COMMENT ON COLUMN dw.dim_project.spent_hours IS 'Sum of llx_element_time.element_duration (seconds) / 3600 of the project''s tasks';
COMMENT ON COLUMN dw.dim_project.labor_cost IS 'Time spent x hourly cost: element_duration/3600 x llx_element_time.thm (rate at entry time), else the user''s current thm, else 0';
COMMENT ON COLUMN dw.dim_project.material_cost IS 'Value of stock issued to the project: -sum(value x price) of output movements (types 1 and 2) whose fk_projet is the project';
COMMENT ON COLUMN dw.dim_project.invoiced_ht IS 'Sum of total_ht of the project''s validated invoices (fk_statut 1 or 2; credit notes count negative)';

-- The material cost of a project is a running sum kept per project: a night's changed
-- stock movements add and remove their contributions, instead of every movement of an
-- affected project being summed again (a big site has hundreds of thousands).
CREATE TABLE dw.project_material (
	project_key  integer PRIMARY KEY,
	movements    bigint NOT NULL,
	cost         numeric NOT NULL
);
COMMENT ON TABLE dw.project_material IS 'Running sums behind dw.dim_project.material_cost: per project, the output movements (types 1 and 2) issued to it and -sum(value x price); recomputed by a full load, moved by the changed movements in an incremental one';
COMMENT ON COLUMN dw.project_material.project_key IS 'Project (fk_projet of the movements), dw.dim_project';
COMMENT ON COLUMN dw.project_material.movements IS 'Number of live output movements (types 1 and 2) of the project';
COMMENT ON COLUMN dw.project_material.cost IS '-sum(value x price) of those movements, unrounded';

CREATE TABLE dw.dim_technician (
	technician_key integer PRIMARY KEY,
	entity         integer,
	login          text,
	firstname      text,
	lastname       text,
	full_name      text,
	job            text,
	thm            numeric(24,8),
	tjm            numeric(24,8),
	is_employee    boolean,
	is_active      boolean,
	employed_from  date,
	employed_until date
);
COMMENT ON TABLE dw.dim_technician IS 'Users / technicians (llx_user) with their hourly cost';
COMMENT ON COLUMN dw.dim_technician.technician_key IS 'llx_user.rowid';
COMMENT ON COLUMN dw.dim_technician.entity IS 'Dolibarr entity (0 = superadmin of every entity)';
COMMENT ON COLUMN dw.dim_technician.login IS 'Login';
COMMENT ON COLUMN dw.dim_technician.firstname IS 'First name';
COMMENT ON COLUMN dw.dim_technician.lastname IS 'Last name';
COMMENT ON COLUMN dw.dim_technician.full_name IS 'First name and last name, or the login when both are empty';
COMMENT ON COLUMN dw.dim_technician.job IS 'Job title (llx_user.job)';
COMMENT ON COLUMN dw.dim_technician.thm IS 'Hourly cost (llx_user.thm), euros';
COMMENT ON COLUMN dw.dim_technician.tjm IS 'Daily rate (llx_user.tjm), euros';
COMMENT ON COLUMN dw.dim_technician.is_employee IS 'llx_user.employee = 1';
COMMENT ON COLUMN dw.dim_technician.is_active IS 'llx_user.statut = 1 (enabled)';
COMMENT ON COLUMN dw.dim_technician.employed_from IS 'Employment start (dateemployment)';
COMMENT ON COLUMN dw.dim_technician.employed_until IS 'Employment end (dateemploymentend)';

CREATE TABLE dw.dim_product (
	product_key      integer PRIMARY KEY,
	entity           integer,
	ref              text,
	label            text,
	product_type     smallint,
	product_type_label text,
	to_sell          boolean,
	to_buy           boolean,
	price            numeric(24,8),
	cost_price       numeric(24,8),
	pmp              numeric(24,8),
	alert_stock      numeric,
	desired_stock    numeric,
	supplier_lead_time_days integer,
	supplier_packaging numeric,
	supplier_prices  bigint NOT NULL,
	stock_total      numeric NOT NULL,
	stock_denormalized numeric,
	default_warehouse_key integer
);
COMMENT ON TABLE dw.dim_product IS 'Products and services (llx_product) with stock levels and best supplier lead time';
COMMENT ON COLUMN dw.dim_product.product_key IS 'llx_product.rowid';
COMMENT ON COLUMN dw.dim_product.entity IS 'Dolibarr entity';
COMMENT ON COLUMN dw.dim_product.ref IS 'Product reference';
COMMENT ON COLUMN dw.dim_product.label IS 'Product label';
COMMENT ON COLUMN dw.dim_product.product_type IS 'fk_product_type: 0 product, 1 service';
COMMENT ON COLUMN dw.dim_product.product_type_label IS 'product or service';
COMMENT ON COLUMN dw.dim_product.to_sell IS 'tosell = 1';
COMMENT ON COLUMN dw.dim_product.to_buy IS 'tobuy = 1';
COMMENT ON COLUMN dw.dim_product.price IS 'Selling price excl. VAT';
COMMENT ON COLUMN dw.dim_product.cost_price IS 'Cost price';
COMMENT ON COLUMN dw.dim_product.pmp IS 'Weighted average cost (PMP / WAP)';
COMMENT ON COLUMN dw.dim_product.alert_stock IS 'Alert (minimum) stock, llx_product.seuil_stock_alerte';
COMMENT ON COLUMN dw.dim_product.desired_stock IS 'Desired (optimal) stock, llx_product.desiredstock';
COMMENT ON COLUMN dw.dim_product.supplier_lead_time_days IS 'Shortest delivery_time_days among active supplier prices (status = 1); NULL when unknown (the setting lead_time_default_days applies)';
COMMENT ON COLUMN dw.dim_product.supplier_packaging IS 'Order multiple: packaging of the supplier price with the shortest lead time (then lowest unit price), else llx_product.packaging';
COMMENT ON COLUMN dw.dim_product.supplier_prices IS 'Number of active supplier prices';
COMMENT ON COLUMN dw.dim_product.stock_total IS 'Current physical stock over all warehouses: sum of llx_product_stock.reel';
COMMENT ON COLUMN dw.dim_product.stock_denormalized IS 'llx_product.stock as stored by Dolibarr (should equal stock_total)';
COMMENT ON COLUMN dw.dim_product.default_warehouse_key IS 'Default warehouse (fk_default_warehouse)';

CREATE TABLE dw.dim_warehouse (
	warehouse_key  integer PRIMARY KEY,
	entity         integer,
	ref            text,
	place          text,
	zip            text,
	town           text,
	status         smallint,
	status_label   text,
	project_key    integer,
	parent_key     integer
);
COMMENT ON TABLE dw.dim_warehouse IS 'Warehouses (llx_entrepot), including building-site warehouses linked to a project';
COMMENT ON COLUMN dw.dim_warehouse.warehouse_key IS 'llx_entrepot.rowid';
COMMENT ON COLUMN dw.dim_warehouse.entity IS 'Dolibarr entity';
COMMENT ON COLUMN dw.dim_warehouse.ref IS 'Warehouse name (ref)';
COMMENT ON COLUMN dw.dim_warehouse.place IS 'Location (legacy lieu)';
COMMENT ON COLUMN dw.dim_warehouse.zip IS 'Postal code';
COMMENT ON COLUMN dw.dim_warehouse.town IS 'Town';
COMMENT ON COLUMN dw.dim_warehouse.status IS 'statut: 0 closed, 1 open, 2 open for internal moves only';
COMMENT ON COLUMN dw.dim_warehouse.status_label IS 'closed, open or internal';
COMMENT ON COLUMN dw.dim_warehouse.project_key IS 'Project linked to the warehouse (site warehouse), dw.dim_project';
COMMENT ON COLUMN dw.dim_warehouse.parent_key IS 'Parent warehouse, NULL at the top';

------------------------------------------------------------------------------
-- Facts
------------------------------------------------------------------------------

CREATE TABLE dw.fact_tickets (
	ticket_key        integer PRIMARY KEY,
	entity            integer,
	ref               text,
	created_at        timestamp,
	read_at           timestamp,
	closed_at         timestamp,
	created_date_key  integer,
	closed_date_key   integer,
	status            smallint,
	status_label      text,
	is_closed         boolean NOT NULL,
	type_code         text,
	type_label        text,
	category_code     text,
	category_label    text,
	severity_code     text,
	severity_label    text,
	customer_key      integer,
	project_key       integer,
	technician_key    integer,
	city              text,
	resolution_hours  numeric,
	first_response_hours numeric,
	interventions     integer NOT NULL,
	intervention_hours numeric,
	estimated_hours   numeric,
	intervention_cost numeric,
	satisfaction      numeric,
	intervention_type text
);
CREATE INDEX fact_tickets_created_idx ON dw.fact_tickets (created_date_key);
CREATE INDEX fact_tickets_closed_idx ON dw.fact_tickets (closed_date_key);
CREATE INDEX fact_tickets_technician_idx ON dw.fact_tickets (technician_key);
CREATE INDEX fact_tickets_customer_idx ON dw.fact_tickets (customer_key);
CREATE INDEX fact_tickets_project_idx ON dw.fact_tickets (project_key);
COMMENT ON TABLE dw.fact_tickets IS 'One row per ticket (llx_ticket) with its durations, linked interventions and the BTP extra fields (names from the extrafield_* settings)';
COMMENT ON COLUMN dw.fact_tickets.ticket_key IS 'llx_ticket.rowid';
COMMENT ON COLUMN dw.fact_tickets.entity IS 'Dolibarr entity';
COMMENT ON COLUMN dw.fact_tickets.ref IS 'Ticket reference';
COMMENT ON COLUMN dw.fact_tickets.created_at IS 'Creation time (datec)';
COMMENT ON COLUMN dw.fact_tickets.read_at IS 'First read (date_read)';
COMMENT ON COLUMN dw.fact_tickets.closed_at IS 'Closing time (date_close)';
COMMENT ON COLUMN dw.fact_tickets.created_date_key IS 'dw.dim_date key of created_at';
COMMENT ON COLUMN dw.fact_tickets.closed_date_key IS 'dw.dim_date key of closed_at';
COMMENT ON COLUMN dw.fact_tickets.status IS 'fk_statut: 0 new, 1 read, 2 assigned, 3 in progress, 5 need more info, 7 waiting, 8 closed, 9 canceled';
COMMENT ON COLUMN dw.fact_tickets.status_label IS 'Label of status';
COMMENT ON COLUMN dw.fact_tickets.is_closed IS 'Status 8 (closed, solved) or 9 (canceled)';
COMMENT ON COLUMN dw.fact_tickets.type_code IS 'Ticket type code';
COMMENT ON COLUMN dw.fact_tickets.type_label IS 'Label from llx_c_ticket_type joined on code (same entity first)';
COMMENT ON COLUMN dw.fact_tickets.category_code IS 'Ticket category code';
COMMENT ON COLUMN dw.fact_tickets.category_label IS 'Label from llx_c_ticket_category joined on code';
COMMENT ON COLUMN dw.fact_tickets.severity_code IS 'Ticket severity code';
COMMENT ON COLUMN dw.fact_tickets.severity_label IS 'Label from llx_c_ticket_severity joined on code';
COMMENT ON COLUMN dw.fact_tickets.customer_key IS 'Customer (fk_soc; NULL when 0), dw.dim_customer';
COMMENT ON COLUMN dw.fact_tickets.project_key IS 'Project (fk_project; NULL when 0), dw.dim_project';
COMMENT ON COLUMN dw.fact_tickets.technician_key IS 'Assigned user (fk_user_assign), dw.dim_technician';
COMMENT ON COLUMN dw.fact_tickets.city IS 'Town of the customer, trimmed';
COMMENT ON COLUMN dw.fact_tickets.resolution_hours IS 'Hours from creation to closing (date_close - datec); negative when the source dates are incoherent';
COMMENT ON COLUMN dw.fact_tickets.first_response_hours IS 'Hours from creation to first read (date_read - datec)';
COMMENT ON COLUMN dw.fact_tickets.interventions IS 'Number of intervention sheets linked to the ticket through llx_element_element (either direction)';
COMMENT ON COLUMN dw.fact_tickets.intervention_hours IS 'Sum of llx_fichinter.duree (seconds) / 3600 of the linked intervention sheets; NULL when none';
COMMENT ON COLUMN dw.fact_tickets.estimated_hours IS 'Estimated duration in hours (extra field named by setting extrafield_estimated_duration)';
COMMENT ON COLUMN dw.fact_tickets.intervention_cost IS 'Intervention cost in euros (extra field named by setting extrafield_intervention_cost)';
COMMENT ON COLUMN dw.fact_tickets.satisfaction IS 'Customer satisfaction 1-5 (extra field named by setting extrafield_satisfaction)';
COMMENT ON COLUMN dw.fact_tickets.intervention_type IS 'Intervention type, lower-case and trimmed (extra field named by setting extrafield_intervention_type)';

CREATE TABLE dw.fact_stock (
	movement_key   integer PRIMARY KEY,
	moved_at       timestamp,
	date_key       integer,
	product_key    integer NOT NULL,
	warehouse_key  integer NOT NULL,
	movement_type  smallint,
	movement_type_label text,
	quantity       numeric,
	unit_price     numeric(24,8),
	value_amount   numeric,
	project_key    integer,
	origin_type    text,
	origin_id      integer,
	inventory_code text,
	label          text
);
CREATE INDEX fact_stock_product_idx ON dw.fact_stock (product_key, date_key);
CREATE INDEX fact_stock_date_idx ON dw.fact_stock (date_key);
CREATE INDEX fact_stock_warehouse_idx ON dw.fact_stock (warehouse_key);
-- The dashboard and the stock pages read the last days of movements by calendar day
-- (doliflow._stock_moves groups by moved_at::date): without this, a whole-table scan.
CREATE INDEX fact_stock_day_idx ON dw.fact_stock ((moved_at::date));
COMMENT ON TABLE dw.fact_stock IS 'One row per stock movement (llx_stock_mouvement), signed quantity and value';
COMMENT ON COLUMN dw.fact_stock.movement_key IS 'llx_stock_mouvement.rowid';
COMMENT ON COLUMN dw.fact_stock.moved_at IS 'Movement time (datem)';
COMMENT ON COLUMN dw.fact_stock.date_key IS 'dw.dim_date key of moved_at';
COMMENT ON COLUMN dw.fact_stock.product_key IS 'Product, dw.dim_product';
COMMENT ON COLUMN dw.fact_stock.warehouse_key IS 'Warehouse, dw.dim_warehouse';
COMMENT ON COLUMN dw.fact_stock.movement_type IS 'type_mouvement: 0 manual input, 1 manual output, 2 business output (sale, shipment, consumption), 3 business input (reception, production)';
COMMENT ON COLUMN dw.fact_stock.movement_type_label IS 'Label of movement_type';
COMMENT ON COLUMN dw.fact_stock.quantity IS 'Signed quantity (llx_stock_mouvement.value): positive in, negative out';
COMMENT ON COLUMN dw.fact_stock.unit_price IS 'Unit price excl. VAT used for the weighted average cost';
COMMENT ON COLUMN dw.fact_stock.value_amount IS 'quantity x unit_price (signed)';
COMMENT ON COLUMN dw.fact_stock.project_key IS 'Project the movement is charged to (fk_projet, else fk_project; NULL when 0)';
COMMENT ON COLUMN dw.fact_stock.origin_type IS 'Source object type (facture, commande, shipping, reception, mo, ...)';
COMMENT ON COLUMN dw.fact_stock.origin_id IS 'Source object rowid';
COMMENT ON COLUMN dw.fact_stock.inventory_code IS 'Groups the lines of one operation (transfer pair, inventory)';
COMMENT ON COLUMN dw.fact_stock.label IS 'Movement label';

CREATE TABLE dw.fact_invoice_lines (
	line_key       integer PRIMARY KEY,
	invoice_key    integer NOT NULL,
	invoice_ref    text,
	entity         integer,
	invoice_type   smallint,
	invoice_status smallint,
	is_validated   boolean NOT NULL,
	invoice_date   date,
	date_key       integer,
	customer_key   integer,
	project_key    integer,
	product_key    integer,
	product_type   smallint,
	label          text,
	quantity       numeric,
	unit_price     numeric(24,8),
	discount_pct   numeric,
	total_ht       numeric(24,8),
	total_tva      numeric(24,8),
	total_ttc      numeric(24,8),
	buy_price_ht   numeric(24,8),
	margin_ht      numeric
);
CREATE INDEX fact_invoice_lines_invoice_idx ON dw.fact_invoice_lines (invoice_key);
CREATE INDEX fact_invoice_lines_product_idx ON dw.fact_invoice_lines (product_key, date_key);
CREATE INDEX fact_invoice_lines_customer_idx ON dw.fact_invoice_lines (customer_key);
CREATE INDEX fact_invoice_lines_project_idx ON dw.fact_invoice_lines (project_key);
COMMENT ON TABLE dw.fact_invoice_lines IS 'One row per customer invoice line (llx_facturedet) with its invoice header (llx_facture)';
COMMENT ON COLUMN dw.fact_invoice_lines.line_key IS 'llx_facturedet.rowid';
COMMENT ON COLUMN dw.fact_invoice_lines.invoice_key IS 'llx_facture.rowid';
COMMENT ON COLUMN dw.fact_invoice_lines.invoice_ref IS 'Invoice reference; NULL when the invoice header is missing';
COMMENT ON COLUMN dw.fact_invoice_lines.entity IS 'Dolibarr entity of the invoice';
COMMENT ON COLUMN dw.fact_invoice_lines.invoice_type IS 'llx_facture.type: 0 standard, 1 replacement, 2 credit note, 3 deposit, 5 situation';
COMMENT ON COLUMN dw.fact_invoice_lines.invoice_status IS 'llx_facture.fk_statut: 0 draft, 1 validated (unpaid), 2 closed (paid), 3 abandoned';
COMMENT ON COLUMN dw.fact_invoice_lines.is_validated IS 'invoice_status 1 or 2: the line counts as revenue';
COMMENT ON COLUMN dw.fact_invoice_lines.invoice_date IS 'Invoice date (datef)';
COMMENT ON COLUMN dw.fact_invoice_lines.date_key IS 'dw.dim_date key of invoice_date';
COMMENT ON COLUMN dw.fact_invoice_lines.customer_key IS 'Customer of the invoice, dw.dim_customer';
COMMENT ON COLUMN dw.fact_invoice_lines.project_key IS 'Project of the invoice (fk_projet), dw.dim_project';
COMMENT ON COLUMN dw.fact_invoice_lines.product_key IS 'Product of the line, NULL for free-text lines';
COMMENT ON COLUMN dw.fact_invoice_lines.product_type IS '0 product, 1 service, 9 special line (title, subtotal)';
COMMENT ON COLUMN dw.fact_invoice_lines.label IS 'Line label';
COMMENT ON COLUMN dw.fact_invoice_lines.quantity IS 'Quantity';
COMMENT ON COLUMN dw.fact_invoice_lines.unit_price IS 'Unit price excl. VAT (subprice)';
COMMENT ON COLUMN dw.fact_invoice_lines.discount_pct IS 'Line discount in percent';
COMMENT ON COLUMN dw.fact_invoice_lines.total_ht IS 'Line total excl. VAT';
COMMENT ON COLUMN dw.fact_invoice_lines.total_tva IS 'Line VAT';
COMMENT ON COLUMN dw.fact_invoice_lines.total_ttc IS 'Line total incl. VAT';
COMMENT ON COLUMN dw.fact_invoice_lines.buy_price_ht IS 'Unit buying price used for margins';
COMMENT ON COLUMN dw.fact_invoice_lines.margin_ht IS 'total_ht - quantity x buy_price_ht';

CREATE TABLE dw.fact_sales_daily (
	product_key    integer NOT NULL,
	date_key       integer NOT NULL,
	day            date NOT NULL,
	demand_qty     numeric NOT NULL,
	demand_movements integer NOT NULL,
	demand_value   numeric NOT NULL,
	invoiced_qty   numeric NOT NULL,
	revenue_ht     numeric NOT NULL,
	PRIMARY KEY (product_key, day)
);
CREATE INDEX fact_sales_daily_date_idx ON dw.fact_sales_daily (date_key);
-- The pages read the demand by calendar day (the last day of loaded demand, the last 30 days
-- of dw.v_dashboard, the actuals of doliflow._prediction_actuals): without it, whole-table scans.
CREATE INDEX fact_sales_daily_day_idx ON dw.fact_sales_daily (day);
COMMENT ON TABLE dw.fact_sales_daily IS 'Daily demand per product, the input of the forecasts. Demand = stock leaving through business outputs: -sum(value) of llx_stock_mouvement with type_mouvement = 2 (sales, shipments, consumption on sites); manual outputs, transfers, corrections and inventories (types 0 and 1) are not demand. Revenue comes from validated invoice lines (fk_statut 1 or 2) on the invoice date. Sparse: days with neither demand nor revenue have no row (join dw.dim_date for zeros)';
COMMENT ON COLUMN dw.fact_sales_daily.product_key IS 'Product, dw.dim_product';
COMMENT ON COLUMN dw.fact_sales_daily.date_key IS 'dw.dim_date key';
COMMENT ON COLUMN dw.fact_sales_daily.day IS 'The day (movement date for demand, invoice date for revenue)';
COMMENT ON COLUMN dw.fact_sales_daily.demand_qty IS 'Units demanded: -sum(value) of business output movements (type 2) that day';
COMMENT ON COLUMN dw.fact_sales_daily.demand_movements IS 'Number of business output movements that day';
COMMENT ON COLUMN dw.fact_sales_daily.demand_value IS 'Cost value of the demand: -sum(value x price) of those movements';
COMMENT ON COLUMN dw.fact_sales_daily.invoiced_qty IS 'Quantity on validated invoice lines dated that day';
COMMENT ON COLUMN dw.fact_sales_daily.revenue_ht IS 'total_ht of validated invoice lines dated that day (credit notes negative)';

------------------------------------------------------------------------------
-- Load state
------------------------------------------------------------------------------

CREATE TABLE dw.load_state (
	target        text PRIMARY KEY,
	last_batch    bigint NOT NULL,
	loaded_at     timestamptz NOT NULL,
	mode          text NOT NULL CHECK (mode IN ('full', 'incremental')),
	run_id        bigint,
	rows_total    bigint NOT NULL,
	rows_changed  bigint NOT NULL,
	config        jsonb
);
COMMENT ON TABLE dw.load_state IS 'Per warehouse table: the last lake batch loaded, when, how, and the resulting row count (written in the same transaction as the data)';
COMMENT ON COLUMN dw.load_state.target IS 'dw table name';
COMMENT ON COLUMN dw.load_state.last_batch IS 'Highest lake batch (_batch) included; the next incremental load reads batches above it';
COMMENT ON COLUMN dw.load_state.loaded_at IS 'Commit time of the load (transaction start)';
COMMENT ON COLUMN dw.load_state.mode IS 'full or incremental';
COMMENT ON COLUMN dw.load_state.run_id IS 'doliflow.run_log run that loaded it';
COMMENT ON COLUMN dw.load_state.rows_total IS 'Rows in the table after the load';
COMMENT ON COLUMN dw.load_state.rows_changed IS 'Rows deleted plus rows inserted by the load';
COMMENT ON COLUMN dw.load_state.config IS 'Settings the load depended on (extra field names); a change forces a full rebuild';

------------------------------------------------------------------------------
-- Loader internals
------------------------------------------------------------------------------

-- Numeric value of free text, NULL when it is not a number (extra fields are typed by the
-- installation: an int column, a double, or a varchar someone typed "4,5" into).
CREATE FUNCTION doliflow._to_numeric(p text) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
	SELECT CASE WHEN btrim(p) ~ '^[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)([eE][+-]?[0-9]{1,3})?$'
				THEN replace(btrim(p), ',', '.')::numeric END;
$$;
COMMENT ON FUNCTION doliflow._to_numeric(text) IS 'Internal: text to numeric, NULL when the text is not a number (accepts a decimal comma)';

CREATE FUNCTION doliflow._date_key(p timestamp) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
	SELECT (extract(year FROM p) * 10000 + extract(month FROM p) * 100 + extract(day FROM p))::integer;
$$;
COMMENT ON FUNCTION doliflow._date_key(timestamp) IS 'Internal: dw.dim_date key (YYYYMMDD) of a time or date, NULL for NULL';

-- The lake tables the warehouse reads, with their key column.
CREATE TABLE doliflow.warehouse_sources (
	source_table text PRIMARY KEY,
	key_column   text NOT NULL DEFAULT 'rowid'
);
COMMENT ON TABLE doliflow.warehouse_sources IS 'Lake tables read by load_warehouse() and their key column; the loader checks they exist and reads their changed keys';
COMMENT ON COLUMN doliflow.warehouse_sources.source_table IS 'Dolibarr table name (lake.<name> and lake.<name>_current)';
COMMENT ON COLUMN doliflow.warehouse_sources.key_column IS 'Primary key column in the source';
INSERT INTO doliflow.warehouse_sources (source_table) VALUES
	('llx_societe'), ('llx_user'), ('llx_projet'), ('llx_projet_task'), ('llx_element_time'),
	('llx_product'), ('llx_product_stock'), ('llx_product_fournisseur_price'), ('llx_entrepot'),
	('llx_stock_mouvement'), ('llx_ticket'), ('llx_ticket_extrafields'), ('llx_c_ticket_type'),
	('llx_c_ticket_category'), ('llx_c_ticket_severity'), ('llx_element_element'),
	('llx_fichinter'), ('llx_facture'), ('llx_facturedet');

-- The incremental load reads current lake rows by the foreign keys below (the rows of an
-- affected customer, project, product-day...); without these it would read whole tables.
DO $$
DECLARE
	i record;
BEGIN
	FOR i IN SELECT * FROM (VALUES
		('llx_ticket', 'fk_soc'), ('llx_facture', 'fk_soc'), ('llx_facture', 'fk_projet'),
		('llx_facture', 'datef'), ('llx_fichinter', 'fk_soc'), ('llx_projet_task', 'fk_projet'),
		('llx_element_time', 'fk_element'), ('llx_element_time', 'fk_user'),
		('llx_stock_mouvement', 'fk_product, (datem::date)'),
		('llx_product_fournisseur_price', 'fk_product'), ('llx_product_stock', 'fk_product'),
		('llx_element_element', 'fk_source'), ('llx_element_element', 'fk_target'),
		('llx_ticket_extrafields', 'fk_object')) v(tbl, cols)
	LOOP
		EXECUTE format('CREATE INDEX ON lake.%I (%s)', i.tbl || '_current', i.cols);
	END LOOP;
END;
$$;
-- A project's material cost sums all its movements (hundreds of thousands on a site
-- warehouse): covering and partial, that sum is read from the index alone.
CREATE INDEX ON lake.llx_stock_mouvement_current (fk_projet) INCLUDE (value, price)
 WHERE type_mouvement IN (1, 2) AND fk_projet <> 0;

-- The warehouse tables in load order, each with two functions of its own:
--   load_function (boolean) RETURNS bigint: inserts the table's rows and returns how many.
--     With true (full rebuild) it reads everything; with false only the rows of the keys in
--     pg_temp.dwa_<target> (which the loader fills and, for the DELETE, uses itself).  It
--     reads those keys into an array v_keys and filters with (v_keys IS NULL OR key =
--     ANY (v_keys)): SET plan_cache_mode = force_custom_plan plans every call with the
--     array's value, so the filter folds to nothing (full) or to an index condition
--     (incremental); an IN (SELECT ...) under an OR would stay a filter over a full scan.
--   affected_function () RETURNS SETOF the key: incremental only; the keys to rebuild, from
--     pg_temp.dwc_<source> (changed keys of each lake source since the last load),
--     pg_temp.dwv_<source> (their versions since the last load and the version it saw: old
--     and new foreign keys) and the lake.  A superset of the keys whose row can differ (a
--     larger set is just rebuilt).
--   key_columns: the key of the target (the columns of pg_temp.dwa_<target>).
-- Both are PL/pgSQL: they read the loader's temporary tables, which exist only during a load.
CREATE TABLE doliflow.warehouse_targets (
	target            text PRIMARY KEY,
	load_order        integer NOT NULL UNIQUE,
	key_columns       name[] NOT NULL CHECK (cardinality(key_columns) >= 1),
	load_function     regprocedure NOT NULL,
	affected_function regprocedure NOT NULL
);
COMMENT ON TABLE doliflow.warehouse_targets IS 'Internal: the dw tables load_warehouse() maintains, in load order, with the function that builds each one and the function that finds the keys an incremental load must rebuild';
COMMENT ON COLUMN doliflow.warehouse_targets.target IS 'dw table name';
COMMENT ON COLUMN doliflow.warehouse_targets.load_order IS 'Load order';
COMMENT ON COLUMN doliflow.warehouse_targets.key_columns IS 'Key column(s) of the table';
COMMENT ON COLUMN doliflow.warehouse_targets.load_function IS 'Function (full boolean) inserting the rows: all of them, or those of the keys in pg_temp.dwa_<target>; returns the row count';
COMMENT ON COLUMN doliflow.warehouse_targets.affected_function IS 'Function returning the keys an incremental load rebuilds (reads pg_temp.dwc_<source>: changed keys, pg_temp.dwv_<source>: their versions since the last load and the one it saw)';

-- Name of the ticket extra field a setting names (a key of the lake's jsonb column
-- llx_ticket_extrafields.extrafields), or NULL with a warning when no ticket has it.
CREATE FUNCTION doliflow._extrafield_key(p_setting text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	col text := doliflow.setting(p_setting);
BEGIN
	IF EXISTS (SELECT FROM lake.llx_ticket_extrafields_current e WHERE e.extrafields ? col)
	   OR NOT EXISTS (SELECT FROM lake.llx_ticket_extrafields_current) THEN
		RETURN col;
	END IF;
	RAISE WARNING 'doliflow: ticket extra field "%" (setting %) is not in llx_ticket_extrafields; it loads as NULL',
		col, p_setting
		USING HINT = 'SELECT name, label FROM dolibarr.llx_extrafields WHERE elementtype = ''ticket'' lists the fields; UPDATE doliflow.settings to name the right one.';
	RETURN NULL;
END;
$$;
COMMENT ON FUNCTION doliflow._extrafield_key(text) IS 'Internal: the ticket extra field named by a setting, NULL (with a warning) when no ticket of the lake has it';

-- dim_customer ---------------------------------------------------------------
CREATE FUNCTION doliflow._load_dim_customer(p_full boolean) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET plan_cache_mode = force_custom_plan AS $$
DECLARE
	v_keys integer[];	-- keys to rebuild, NULL = all
	v_n bigint;
BEGIN
	IF NOT p_full THEN v_keys := ARRAY(SELECT a.k FROM pg_temp.dwa_dim_customer a); END IF;
	INSERT INTO dw.dim_customer
	WITH s AS (
		SELECT * FROM lake.llx_societe_current
		 WHERE (v_keys IS NULL OR rowid = ANY (v_keys))
	), act AS (
		SELECT fk_soc AS k, datec::date AS d, 1 AS t, 0 AS i, 0 AS v FROM lake.llx_ticket_current
		 WHERE (v_keys IS NULL OR fk_soc = ANY (v_keys))
		UNION ALL
		SELECT fk_soc, datef, 0, 0, 1 FROM lake.llx_facture_current
		 WHERE fk_statut IN (1, 2) AND (v_keys IS NULL OR fk_soc = ANY (v_keys))
		UNION ALL
		SELECT fk_soc, coalesce(datei, datec::date), 0, 1, 0 FROM lake.llx_fichinter_current
		 WHERE (v_keys IS NULL OR fk_soc = ANY (v_keys))
	), a AS (
		SELECT k, min(d) AS first_d, max(d) AS last_d, sum(t) AS t, sum(i) AS i, sum(v) AS v
		  FROM act GROUP BY k
	)
	SELECT s.rowid, s.entity, s.nom, s.name_alias, s.code_client, nullif(btrim(s.zip), ''),
		   nullif(btrim(s.town), ''), nullif(s.fk_pays, 0), s.client,
		   CASE s.client WHEN 0 THEN 'none' WHEN 1 THEN 'customer' WHEN 2 THEN 'prospect'
						 WHEN 3 THEN 'customer and prospect' END,
		   s.fournisseur = 1, s.status,
		   CASE s.status WHEN 1 THEN 'active' WHEN 0 THEN 'ceased' END,
		   s.datec, a.first_d, a.last_d, coalesce(a.t, 0), coalesce(a.v, 0), coalesce(a.i, 0)
	  FROM s LEFT JOIN a ON a.k = s.rowid;
	GET DIAGNOSTICS v_n = ROW_COUNT;
	RETURN v_n;
END;
$$;
COMMENT ON FUNCTION doliflow._load_dim_customer(boolean) IS 'Internal: inserts the rows of dw.dim_customer (all, or those of the keys in pg_temp.dwa_dim_customer); returns the count';

CREATE FUNCTION doliflow._affected_dim_customer() RETURNS SETOF integer
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	RETURN QUERY
	SELECT k FROM pg_temp.dwc_llx_societe
	UNION SELECT fk_soc FROM pg_temp.dwv_llx_ticket
	UNION SELECT fk_soc FROM pg_temp.dwv_llx_facture
	UNION SELECT fk_soc FROM pg_temp.dwv_llx_fichinter;
END;
$$;
COMMENT ON FUNCTION doliflow._affected_dim_customer() IS 'Internal: customer keys an incremental load rebuilds (changed customers, and the customers of changed tickets, invoices and interventions, old and new)';

-- dim_project ----------------------------------------------------------------
CREATE FUNCTION doliflow._load_dim_project(p_full boolean) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET plan_cache_mode = force_custom_plan AS $$
DECLARE
	v_keys integer[];	-- keys to rebuild, NULL = all
	v_lo bigint;
	v_n bigint;
BEGIN
	IF p_full THEN
		TRUNCATE dw.project_material;
		INSERT INTO dw.project_material (project_key, movements, cost)
		SELECT fk_projet, count(*), sum(-(coalesce(value, 0)::numeric * coalesce(price, 0)::numeric))
		  FROM lake.llx_stock_mouvement_current
		 WHERE type_mouvement IN (1, 2) AND fk_projet <> 0
		 GROUP BY fk_projet;
	ELSE
		v_keys := ARRAY(SELECT a.k FROM pg_temp.dwa_dim_project a);
		-- The changed movements: pg_temp.dwv_llx_stock_mouvement holds, per changed key, the
		-- version the last load of this table saw (batch <= its last_batch) and the versions
		-- since; the old one's contribution leaves the sums, the newest one's comes in.
		SELECT s.last_batch INTO v_lo FROM dw.load_state s WHERE s.target = 'dim_project';
		MERGE INTO dw.project_material p
		USING (SELECT d.k, sum(d.n) AS n, sum(d.c) AS c
				 FROM (SELECT o.fk_projet AS k, -1 AS n, coalesce(o.value, 0)::numeric * coalesce(o.price, 0)::numeric AS c
						 FROM pg_temp.dwv_llx_stock_mouvement o
						WHERE o._batch <= v_lo AND NOT o._deleted AND o.type_mouvement IN (1, 2) AND o.fk_projet <> 0
					   UNION ALL
					   SELECT w.fk_projet, 1, -(coalesce(w.value, 0)::numeric * coalesce(w.price, 0)::numeric)
						 FROM (SELECT DISTINCT ON (v.rowid) v.* FROM pg_temp.dwv_llx_stock_mouvement v
								WHERE v._batch > v_lo ORDER BY v.rowid, v._batch DESC, v._deleted DESC) w
						WHERE NOT w._deleted AND w.type_mouvement IN (1, 2) AND w.fk_projet <> 0) d
				GROUP BY d.k) x
		   ON p.project_key = x.k
		 WHEN MATCHED AND p.movements + x.n = 0 THEN DELETE
		 WHEN MATCHED THEN UPDATE SET movements = p.movements + x.n, cost = p.cost + x.c
		 WHEN NOT MATCHED AND x.n <> 0 THEN INSERT (project_key, movements, cost) VALUES (x.k, x.n, x.c);
	END IF;
	INSERT INTO dw.dim_project
	WITH p AS (
		SELECT * FROM lake.llx_projet_current
		 WHERE (v_keys IS NULL OR rowid = ANY (v_keys))
	), task AS (
		SELECT rowid, fk_projet, planned_workload FROM lake.llx_projet_task_current
		 WHERE (v_keys IS NULL OR fk_projet = ANY (v_keys))
	), tk AS (
		SELECT fk_projet AS k, count(*) AS n, sum(coalesce(planned_workload, 0)::numeric) AS planned
		  FROM task GROUP BY fk_projet
	), tm AS (
		SELECT t.fk_projet AS k, sum(coalesce(e.element_duration, 0)::numeric) AS secs,
			   sum(coalesce(e.element_duration, 0)::numeric
				   * coalesce(e.thm, u.thm, 0)::numeric) AS cost_secs
		  FROM lake.llx_element_time_current e
		  JOIN task t ON t.rowid = e.fk_element
		  LEFT JOIN lake.llx_user_current u ON u.rowid = e.fk_user
		 WHERE e.elementtype = 'task'
		 GROUP BY t.fk_projet
	), mat AS (
		SELECT project_key AS k, cost FROM dw.project_material
		 WHERE (v_keys IS NULL OR project_key = ANY (v_keys))
	), inv AS (
		SELECT fk_projet AS k, sum(coalesce(total_ht, 0)::numeric) AS ht
		  FROM lake.llx_facture_current
		 WHERE fk_statut IN (1, 2)
		   AND (v_keys IS NULL OR fk_projet = ANY (v_keys))
		 GROUP BY fk_projet
	)
	SELECT p.rowid, p.entity, p.ref, p.title, nullif(p.fk_soc, 0), p.fk_statut,
		   CASE p.fk_statut WHEN 0 THEN 'draft' WHEN 1 THEN 'open' WHEN 2 THEN 'closed' END,
		   p.budget_amount::numeric(24,8), p.opp_amount::numeric(24,8), p.datec, p.dateo, p.datee,
		   p.date_close, coalesce(tk.n, 0), round(coalesce(tk.planned, 0) / 3600, 4),
		   round(coalesce(tm.secs, 0) / 3600, 4), round(coalesce(tm.cost_secs, 0) / 3600, 2),
		   round(coalesce(mat.cost, 0), 2), round(coalesce(inv.ht, 0), 2)
	  FROM p
	  LEFT JOIN tk ON tk.k = p.rowid
	  LEFT JOIN tm ON tm.k = p.rowid
	  LEFT JOIN mat ON mat.k = p.rowid
	  LEFT JOIN inv ON inv.k = p.rowid;
	GET DIAGNOSTICS v_n = ROW_COUNT;
	RETURN v_n;
END;
$$;
COMMENT ON FUNCTION doliflow._load_dim_project(boolean) IS 'Internal: inserts the rows of dw.dim_project (all, or those of the keys in pg_temp.dwa_dim_project), the material costs from dw.project_material (recomputed by a full load, moved by the changed stock movements otherwise); returns the count';

CREATE FUNCTION doliflow._affected_dim_project() RETURNS SETOF integer
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	RETURN QUERY
	SELECT k FROM pg_temp.dwc_llx_projet
	UNION SELECT fk_projet FROM pg_temp.dwv_llx_projet_task
	UNION SELECT t.fk_projet FROM pg_temp.dwv_llx_element_time e JOIN lake.llx_projet_task t ON t.rowid = e.fk_element
		   WHERE e.elementtype = 'task'
	UNION SELECT t.fk_projet FROM lake.llx_element_time_current e JOIN lake.llx_projet_task_current t ON t.rowid = e.fk_element
		   WHERE e.fk_user IN (SELECT k FROM pg_temp.dwc_llx_user) AND e.elementtype = 'task'
	UNION SELECT fk_projet FROM pg_temp.dwv_llx_stock_mouvement WHERE type_mouvement IN (1, 2)
	UNION SELECT fk_projet FROM pg_temp.dwv_llx_facture;
END;
$$;
COMMENT ON FUNCTION doliflow._affected_dim_project() IS 'Internal: project keys an incremental load rebuilds (changed projects, and the projects of changed tasks, time spent, users, stock movements and invoices)';

-- dim_technician -------------------------------------------------------------
CREATE FUNCTION doliflow._load_dim_technician(p_full boolean) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET plan_cache_mode = force_custom_plan AS $$
DECLARE
	v_keys integer[];	-- keys to rebuild, NULL = all
	v_n bigint;
BEGIN
	IF NOT p_full THEN v_keys := ARRAY(SELECT a.k FROM pg_temp.dwa_dim_technician a); END IF;
	INSERT INTO dw.dim_technician
	SELECT u.rowid, u.entity, u.login, u.firstname, u.lastname,
		   coalesce(nullif(btrim(concat_ws(' ', nullif(btrim(u.firstname), ''), nullif(btrim(u.lastname), ''))), ''), u.login),
		   u.job, u.thm::numeric(24,8), u.tjm::numeric(24,8), u.employee = 1, u.statut = 1,
		   u.dateemployment, u.dateemploymentend
	  FROM lake.llx_user_current u
	 WHERE (v_keys IS NULL OR u.rowid = ANY (v_keys));
	GET DIAGNOSTICS v_n = ROW_COUNT;
	RETURN v_n;
END;
$$;
COMMENT ON FUNCTION doliflow._load_dim_technician(boolean) IS 'Internal: inserts the rows of dw.dim_technician (all, or those of the keys in pg_temp.dwa_dim_technician); returns the count';

CREATE FUNCTION doliflow._affected_dim_technician() RETURNS SETOF integer
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	RETURN QUERY SELECT k FROM pg_temp.dwc_llx_user;
END;
$$;
COMMENT ON FUNCTION doliflow._affected_dim_technician() IS 'Internal: technician keys an incremental load rebuilds (changed users)';

-- dim_product ----------------------------------------------------------------
CREATE FUNCTION doliflow._load_dim_product(p_full boolean) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET plan_cache_mode = force_custom_plan AS $$
DECLARE
	v_keys integer[];	-- keys to rebuild, NULL = all
	v_n bigint;
BEGIN
	IF NOT p_full THEN v_keys := ARRAY(SELECT a.k FROM pg_temp.dwa_dim_product a); END IF;
	INSERT INTO dw.dim_product
	WITH p AS (
		SELECT * FROM lake.llx_product_current
		 WHERE (v_keys IS NULL OR rowid = ANY (v_keys))
	), sp AS (
		SELECT DISTINCT ON (fk_product) fk_product AS k, delivery_time_days, packaging,
			   count(*) OVER (PARTITION BY fk_product) AS n,
			   min(delivery_time_days) OVER (PARTITION BY fk_product) AS best_days
		  FROM lake.llx_product_fournisseur_price_current
		 WHERE status = 1 AND (v_keys IS NULL OR fk_product = ANY (v_keys))
		 ORDER BY fk_product, delivery_time_days ASC NULLS LAST, unitprice ASC NULLS LAST, rowid
	), st AS (
		SELECT fk_product AS k, sum(coalesce(reel, 0)::numeric) AS qty
		  FROM lake.llx_product_stock_current
		 WHERE (v_keys IS NULL OR fk_product = ANY (v_keys))
		 GROUP BY fk_product
	)
	SELECT p.rowid, p.entity, p.ref, p.label, p.fk_product_type,
		   CASE p.fk_product_type WHEN 0 THEN 'product' WHEN 1 THEN 'service' END,
		   p.tosell = 1, p.tobuy = 1, p.price::numeric(24,8), p.cost_price::numeric(24,8),
		   p.pmp::numeric(24,8), p.seuil_stock_alerte::numeric, p.desiredstock::numeric,
		   sp.best_days, coalesce(nullif(sp.packaging, 0), nullif(p.packaging, 0))::numeric,
		   coalesce(sp.n, 0), coalesce(st.qty, 0), p.stock::numeric, p.fk_default_warehouse
	  FROM p
	  LEFT JOIN sp ON sp.k = p.rowid
	  LEFT JOIN st ON st.k = p.rowid;
	GET DIAGNOSTICS v_n = ROW_COUNT;
	RETURN v_n;
END;
$$;
COMMENT ON FUNCTION doliflow._load_dim_product(boolean) IS 'Internal: inserts the rows of dw.dim_product (all, or those of the keys in pg_temp.dwa_dim_product); returns the count';

CREATE FUNCTION doliflow._affected_dim_product() RETURNS SETOF integer
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	RETURN QUERY
	SELECT k FROM pg_temp.dwc_llx_product
	UNION SELECT fk_product FROM pg_temp.dwv_llx_product_fournisseur_price
	UNION SELECT fk_product FROM pg_temp.dwv_llx_product_stock;
END;
$$;
COMMENT ON FUNCTION doliflow._affected_dim_product() IS 'Internal: product keys an incremental load rebuilds (changed products, supplier prices and stock rows)';

-- dim_warehouse --------------------------------------------------------------
CREATE FUNCTION doliflow._load_dim_warehouse(p_full boolean) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET plan_cache_mode = force_custom_plan AS $$
DECLARE
	v_keys integer[];	-- keys to rebuild, NULL = all
	v_n bigint;
BEGIN
	IF NOT p_full THEN v_keys := ARRAY(SELECT a.k FROM pg_temp.dwa_dim_warehouse a); END IF;
	INSERT INTO dw.dim_warehouse
	SELECT w.rowid, w.entity, w.ref, w.lieu, nullif(btrim(w.zip), ''), nullif(btrim(w.town), ''), w.statut,
		   CASE w.statut WHEN 0 THEN 'closed' WHEN 1 THEN 'open' WHEN 2 THEN 'internal' END,
		   nullif(w.fk_project, 0), nullif(w.fk_parent, 0)
	  FROM lake.llx_entrepot_current w
	 WHERE (v_keys IS NULL OR w.rowid = ANY (v_keys));
	GET DIAGNOSTICS v_n = ROW_COUNT;
	RETURN v_n;
END;
$$;
COMMENT ON FUNCTION doliflow._load_dim_warehouse(boolean) IS 'Internal: inserts the rows of dw.dim_warehouse (all, or those of the keys in pg_temp.dwa_dim_warehouse); returns the count';

CREATE FUNCTION doliflow._affected_dim_warehouse() RETURNS SETOF integer
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	RETURN QUERY SELECT k FROM pg_temp.dwc_llx_entrepot;
END;
$$;
COMMENT ON FUNCTION doliflow._affected_dim_warehouse() IS 'Internal: warehouse keys an incremental load rebuilds (changed warehouses)';

-- fact_tickets ---------------------------------------------------------------
CREATE FUNCTION doliflow._load_fact_tickets(p_full boolean) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET plan_cache_mode = force_custom_plan AS $$
DECLARE
	v_keys integer[];	-- keys to rebuild, NULL = all
	-- the extra fields the settings name (keys of the lake's jsonb column)
	v_satisfaction text := doliflow._extrafield_key('extrafield_satisfaction');
	v_estimated text := doliflow._extrafield_key('extrafield_estimated_duration');
	v_cost text := doliflow._extrafield_key('extrafield_intervention_cost');
	v_type text := doliflow._extrafield_key('extrafield_intervention_type');
	v_n bigint;
BEGIN
	IF NOT p_full THEN v_keys := ARRAY(SELECT a.k FROM pg_temp.dwa_fact_tickets a); END IF;
	INSERT INTO dw.fact_tickets
	WITH t AS (
		SELECT * FROM lake.llx_ticket_current
		 WHERE (v_keys IS NULL OR rowid = ANY (v_keys))
	), links AS (
		SELECT DISTINCT ticket, fichinter FROM (
			SELECT fk_source AS ticket, fk_target AS fichinter FROM lake.llx_element_element_current
			 WHERE sourcetype = 'ticket' AND targettype = 'fichinter'
			   AND (v_keys IS NULL OR fk_source = ANY (v_keys))
			UNION ALL
			SELECT fk_target, fk_source FROM lake.llx_element_element_current
			 WHERE sourcetype = 'fichinter' AND targettype = 'ticket'
			   AND (v_keys IS NULL OR fk_target = ANY (v_keys))) l
	), fi AS (
		SELECT l.ticket AS k, count(*) AS n, sum(f.duree::numeric) AS secs
		  FROM links l JOIN lake.llx_fichinter_current f ON f.rowid = l.fichinter
		 GROUP BY l.ticket
	), x AS (
		SELECT DISTINCT ON (fk_object) fk_object AS k,
			   round(doliflow._to_numeric(e.extrafields ->> v_satisfaction), 4) AS satisfaction,
			   round(doliflow._to_numeric(e.extrafields ->> v_estimated), 4) AS estimated,
			   round(doliflow._to_numeric(e.extrafields ->> v_cost), 4) AS cost,
			   nullif(lower(btrim(e.extrafields ->> v_type)), '') AS itype
		  FROM lake.llx_ticket_extrafields_current e
		 WHERE (v_keys IS NULL OR fk_object = ANY (v_keys))
		 ORDER BY fk_object, rowid DESC
	)
	SELECT t.rowid, t.entity, t.ref, t.datec, t.date_read, t.date_close,
		   doliflow._date_key(t.datec), doliflow._date_key(t.date_close),
		   t.fk_statut,
		   CASE t.fk_statut WHEN 0 THEN 'new' WHEN 1 THEN 'read' WHEN 2 THEN 'assigned'
				WHEN 3 THEN 'in progress' WHEN 5 THEN 'need more info' WHEN 7 THEN 'waiting'
				WHEN 8 THEN 'closed' WHEN 9 THEN 'canceled' END,
		   coalesce(t.fk_statut IN (8, 9), false),
		   t.type_code,
		   (SELECT d.label FROM lake.llx_c_ticket_type_current d WHERE d.code = t.type_code
			 ORDER BY d.entity = t.entity DESC, d.entity, d.rowid LIMIT 1),
		   t.category_code,
		   (SELECT d.label FROM lake.llx_c_ticket_category_current d WHERE d.code = t.category_code
			 ORDER BY d.entity = t.entity DESC, d.entity, d.rowid LIMIT 1),
		   t.severity_code,
		   (SELECT d.label FROM lake.llx_c_ticket_severity_current d WHERE d.code = t.severity_code
			 ORDER BY d.entity = t.entity DESC, d.entity, d.rowid LIMIT 1),
		   nullif(t.fk_soc, 0), nullif(t.fk_project, 0), nullif(t.fk_user_assign, 0),
		   nullif(btrim(s.town), ''),
		   round(extract(epoch FROM t.date_close - t.datec) / 3600, 4),
		   round(extract(epoch FROM t.date_read - t.datec) / 3600, 4),
		   coalesce(fi.n, 0), round(fi.secs / 3600, 4),
		   x.estimated, x.cost, x.satisfaction, x.itype
	  FROM t
	  LEFT JOIN lake.llx_societe_current s ON s.rowid = t.fk_soc
	  LEFT JOIN fi ON fi.k = t.rowid
	  LEFT JOIN x ON x.k = t.rowid;
	GET DIAGNOSTICS v_n = ROW_COUNT;
	RETURN v_n;
END;
$$;
COMMENT ON FUNCTION doliflow._load_fact_tickets(boolean) IS 'Internal: inserts the rows of dw.fact_tickets (all, or those of the keys in pg_temp.dwa_fact_tickets), the extra fields named by the extrafield_* settings; returns the count';

CREATE FUNCTION doliflow._affected_fact_tickets() RETURNS SETOF integer
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	RETURN QUERY
	SELECT k FROM pg_temp.dwc_llx_ticket
	UNION SELECT fk_object FROM pg_temp.dwv_llx_ticket_extrafields
	UNION SELECT CASE WHEN sourcetype = 'ticket' THEN fk_source ELSE fk_target END
			FROM pg_temp.dwv_llx_element_element
		   WHERE ((sourcetype = 'ticket' AND targettype = 'fichinter') OR (sourcetype = 'fichinter' AND targettype = 'ticket'))
	UNION SELECT fk_source FROM lake.llx_element_element_current
		   WHERE sourcetype = 'ticket' AND targettype = 'fichinter' AND fk_target IN (SELECT k FROM pg_temp.dwc_llx_fichinter)
	UNION SELECT fk_target FROM lake.llx_element_element_current
		   WHERE sourcetype = 'fichinter' AND targettype = 'ticket' AND fk_source IN (SELECT k FROM pg_temp.dwc_llx_fichinter)
	UNION SELECT rowid FROM lake.llx_ticket_current WHERE fk_soc IN (SELECT k FROM pg_temp.dwc_llx_societe)
	UNION SELECT rowid FROM lake.llx_ticket_current
		   WHERE type_code IN (SELECT code FROM pg_temp.dwv_llx_c_ticket_type)
	UNION SELECT rowid FROM lake.llx_ticket_current
		   WHERE category_code IN (SELECT code FROM pg_temp.dwv_llx_c_ticket_category)
	UNION SELECT rowid FROM lake.llx_ticket_current
		   WHERE severity_code IN (SELECT code FROM pg_temp.dwv_llx_c_ticket_severity);
END;
$$;
COMMENT ON FUNCTION doliflow._affected_fact_tickets() IS 'Internal: ticket keys an incremental load rebuilds (changed tickets, their extra fields, links to interventions, customers and dictionary labels)';

-- fact_stock -----------------------------------------------------------------
CREATE FUNCTION doliflow._load_fact_stock(p_full boolean) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET plan_cache_mode = force_custom_plan AS $$
DECLARE
	v_keys integer[];	-- keys to rebuild, NULL = all
	v_n bigint;
BEGIN
	IF NOT p_full THEN v_keys := ARRAY(SELECT a.k FROM pg_temp.dwa_fact_stock a); END IF;
	INSERT INTO dw.fact_stock
	SELECT m.rowid, m.datem, doliflow._date_key(m.datem), m.fk_product, m.fk_entrepot, m.type_mouvement,
		   CASE m.type_mouvement WHEN 0 THEN 'manual input' WHEN 1 THEN 'manual output'
				WHEN 2 THEN 'business output' WHEN 3 THEN 'business input' END,
		   m.value::numeric, m.price::numeric(24,8),
		   round(m.value::numeric * m.price::numeric, 8),
		   coalesce(nullif(m.fk_projet, 0), nullif(m.fk_project, 0)),
		   m.origintype, m.fk_origin, m.inventorycode, m.label
	  FROM lake.llx_stock_mouvement_current m
	 WHERE (v_keys IS NULL OR m.rowid = ANY (v_keys));
	GET DIAGNOSTICS v_n = ROW_COUNT;
	RETURN v_n;
END;
$$;
COMMENT ON FUNCTION doliflow._load_fact_stock(boolean) IS 'Internal: inserts the rows of dw.fact_stock (all, or those of the keys in pg_temp.dwa_fact_stock); returns the count';

CREATE FUNCTION doliflow._affected_fact_stock() RETURNS SETOF integer
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	RETURN QUERY SELECT k FROM pg_temp.dwc_llx_stock_mouvement;
END;
$$;
COMMENT ON FUNCTION doliflow._affected_fact_stock() IS 'Internal: movement keys an incremental load rebuilds (changed stock movements)';

-- fact_invoice_lines ---------------------------------------------------------
CREATE FUNCTION doliflow._load_fact_invoice_lines(p_full boolean) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET plan_cache_mode = force_custom_plan AS $$
DECLARE
	v_keys integer[];	-- keys to rebuild, NULL = all
	v_n bigint;
BEGIN
	IF NOT p_full THEN v_keys := ARRAY(SELECT a.k FROM pg_temp.dwa_fact_invoice_lines a); END IF;
	INSERT INTO dw.fact_invoice_lines
	SELECT l.rowid, l.fk_facture, f.ref, f.entity, f.type, f.fk_statut, coalesce(f.fk_statut IN (1, 2), false),
		   f.datef, doliflow._date_key(f.datef), f.fk_soc, nullif(f.fk_projet, 0), l.fk_product, l.product_type,
		   l.label, l.qty::numeric, l.subprice::numeric(24,8), l.remise_percent::numeric,
		   l.total_ht::numeric(24,8), l.total_tva::numeric(24,8), l.total_ttc::numeric(24,8),
		   l.buy_price_ht::numeric(24,8),
		   round(l.total_ht::numeric - coalesce(l.qty, 0)::numeric * coalesce(l.buy_price_ht, 0)::numeric, 8)
	  FROM lake.llx_facturedet_current l
	  LEFT JOIN lake.llx_facture_current f ON f.rowid = l.fk_facture
	 WHERE (v_keys IS NULL OR l.rowid = ANY (v_keys));
	GET DIAGNOSTICS v_n = ROW_COUNT;
	RETURN v_n;
END;
$$;
COMMENT ON FUNCTION doliflow._load_fact_invoice_lines(boolean) IS 'Internal: inserts the rows of dw.fact_invoice_lines (all, or those of the keys in pg_temp.dwa_fact_invoice_lines); returns the count';

CREATE FUNCTION doliflow._affected_fact_invoice_lines() RETURNS SETOF integer
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	RETURN QUERY
	SELECT k FROM pg_temp.dwc_llx_facturedet
	UNION SELECT rowid FROM lake.llx_facturedet_current WHERE fk_facture IN (SELECT k FROM pg_temp.dwc_llx_facture);
END;
$$;
COMMENT ON FUNCTION doliflow._affected_fact_invoice_lines() IS 'Internal: invoice line keys an incremental load rebuilds (changed lines and the lines of changed invoices)';

-- fact_sales_daily -----------------------------------------------------------
-- Its key is (product, day): no array filter; the incremental rows come from a join with
-- pg_temp.dwa_fact_sales_daily (a one-time-filtered branch of its own, so that a full
-- load never reads that table and an incremental one is driven by it).
CREATE FUNCTION doliflow._load_fact_sales_daily(p_full boolean) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET plan_cache_mode = force_custom_plan AS $$
DECLARE
	v_n bigint;
BEGIN
	INSERT INTO dw.fact_sales_daily
	WITH mv AS (
		SELECT m.fk_product, m.datem, m.value, m.price FROM lake.llx_stock_mouvement_current m
		 WHERE p_full AND m.type_mouvement = 2
		UNION ALL
		SELECT m.fk_product, m.datem, m.value, m.price
		  FROM pg_temp.dwa_fact_sales_daily a
		  JOIN lake.llx_stock_mouvement_current m ON m.fk_product = a.product_key AND m.datem::date = a.day
		 WHERE NOT p_full AND m.type_mouvement = 2
	), d AS (
		SELECT fk_product AS product, datem::date AS day, -sum(value::numeric) AS qty, count(*) AS n,
			   -sum(value::numeric * coalesce(price, 0)::numeric) AS val
		  FROM mv
		 WHERE datem IS NOT NULL AND value IS NOT NULL
		 GROUP BY 1, 2
	), il AS (
		SELECT l.fk_product, f.datef, l.qty, l.total_ht
		  FROM lake.llx_facturedet_current l
		  JOIN lake.llx_facture_current f ON f.rowid = l.fk_facture
		 WHERE p_full AND f.fk_statut IN (1, 2)
		UNION ALL
		SELECT l.fk_product, f.datef, l.qty, l.total_ht
		  FROM pg_temp.dwa_fact_sales_daily a
		  JOIN lake.llx_facture_current f ON f.datef = a.day
		  JOIN lake.llx_facturedet_current l ON l.fk_facture = f.rowid AND l.fk_product = a.product_key
		 WHERE NOT p_full AND f.fk_statut IN (1, 2)
	), r AS (
		SELECT fk_product AS product, datef AS day, sum(coalesce(qty, 0)::numeric) AS qty,
			   sum(coalesce(total_ht, 0)::numeric) AS ht
		  FROM il
		 WHERE datef IS NOT NULL AND fk_product IS NOT NULL
		 GROUP BY 1, 2
	)
	SELECT coalesce(d.product, r.product), doliflow._date_key(coalesce(d.day, r.day)), coalesce(d.day, r.day),
		   coalesce(d.qty, 0), coalesce(d.n, 0), round(coalesce(d.val, 0), 8),
		   coalesce(r.qty, 0), round(coalesce(r.ht, 0), 8)
	  FROM d FULL JOIN r ON r.product = d.product AND r.day = d.day
	 ORDER BY 1, 3;	-- in key order: inserting millions of rows in hash order into the key index is slower than sorting
	GET DIAGNOSTICS v_n = ROW_COUNT;
	RETURN v_n;
END;
$$;
COMMENT ON FUNCTION doliflow._load_fact_sales_daily(boolean) IS 'Internal: inserts the rows of dw.fact_sales_daily (all, or those of the (product, day) keys in pg_temp.dwa_fact_sales_daily); returns the count';

CREATE FUNCTION doliflow._affected_fact_sales_daily() RETURNS TABLE (product_key integer, day date)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	RETURN QUERY
	SELECT m.fk_product, m.datem::date FROM pg_temp.dwv_llx_stock_mouvement m
	 WHERE m.type_mouvement = 2 AND m.datem IS NOT NULL
	UNION
	SELECT l.fk_product, f.datef
	  FROM (SELECT v.fk_product, v.fk_facture FROM pg_temp.dwv_llx_facturedet v
			UNION SELECT h.fk_product, h.fk_facture FROM lake.llx_facturedet h
			 WHERE h.fk_facture IN (SELECT c.k FROM pg_temp.dwc_llx_facture c)) l
	  JOIN lake.llx_facture f ON f.rowid = l.fk_facture
	 WHERE l.fk_product IS NOT NULL AND f.datef IS NOT NULL;
END;
$$;
COMMENT ON FUNCTION doliflow._affected_fact_sales_daily() IS 'Internal: (product, day) keys an incremental load rebuilds (days of changed sales movements, and of the lines of changed invoices, old and new)';

INSERT INTO doliflow.warehouse_targets (target, load_order, key_columns, load_function, affected_function) VALUES
	('dim_customer',       10, '{customer_key}',    'doliflow._load_dim_customer(boolean)',       'doliflow._affected_dim_customer()'),
	('dim_project',        20, '{project_key}',     'doliflow._load_dim_project(boolean)',        'doliflow._affected_dim_project()'),
	('dim_technician',     30, '{technician_key}',  'doliflow._load_dim_technician(boolean)',     'doliflow._affected_dim_technician()'),
	('dim_product',        40, '{product_key}',     'doliflow._load_dim_product(boolean)',        'doliflow._affected_dim_product()'),
	('dim_warehouse',      50, '{warehouse_key}',   'doliflow._load_dim_warehouse(boolean)',      'doliflow._affected_dim_warehouse()'),
	('fact_tickets',       60, '{ticket_key}',      'doliflow._load_fact_tickets(boolean)',       'doliflow._affected_fact_tickets()'),
	('fact_stock',         70, '{movement_key}',    'doliflow._load_fact_stock(boolean)',         'doliflow._affected_fact_stock()'),
	('fact_invoice_lines', 80, '{line_key}',        'doliflow._load_fact_invoice_lines(boolean)', 'doliflow._affected_fact_invoice_lines()'),
	('fact_sales_daily',   90, '{product_key,day}', 'doliflow._load_fact_sales_daily(boolean)',   'doliflow._affected_fact_sales_daily()');

-- dim_date is rebuilt from the facts after every load (about 1,500 rows; only the rows that
-- differ are deleted and inserted).
CREATE FUNCTION doliflow._load_dim_date(OUT rows_deleted bigint, OUT rows_inserted bigint)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	lo date;
	hi date;
BEGIN
	SELECT min(d), max(d) INTO lo, hi FROM (
		-- By date_key, which is indexed: the stock fact has millions of rows.
		SELECT to_date(k::text, 'YYYYMMDD') AS d FROM (
			SELECT min(created_date_key) AS k FROM dw.fact_tickets
			UNION ALL SELECT max(created_date_key) FROM dw.fact_tickets
			UNION ALL SELECT max(closed_date_key) FROM dw.fact_tickets
			UNION ALL SELECT min(date_key) FROM dw.fact_stock
			UNION ALL SELECT max(date_key) FROM dw.fact_stock) keys
		UNION ALL SELECT min(invoice_date) FROM dw.fact_invoice_lines
		UNION ALL SELECT max(invoice_date) FROM dw.fact_invoice_lines
		UNION ALL SELECT min(date_start) FROM dw.dim_project
		UNION ALL SELECT max(date_end) FROM dw.dim_project
		UNION ALL SELECT doliflow.company_today()) s
	 -- Dirty dates (year 1, 2999) would make a calendar of centuries: keep a sane window.
	 WHERE d BETWEEN date '1990-01-01' AND doliflow.company_today() + 3650;
	lo := make_date(extract(year FROM lo)::int, 1, 1);
	hi := make_date(extract(year FROM greatest(hi, doliflow.company_today()))::int + 2, 12, 31);

	CREATE TEMP TABLE dw_dim_date_new ON COMMIT DROP AS
	SELECT doliflow._date_key(g::date) AS date_key, g::date AS day,
		   extract(year FROM g)::smallint AS year, extract(quarter FROM g)::smallint AS quarter,
		   extract(month FROM g)::smallint AS month,
		   (ARRAY['janvier','février','mars','avril','mai','juin','juillet','août','septembre',
				  'octobre','novembre','décembre'])[extract(month FROM g)::int] AS month_name,
		   to_char(g, 'YYYY-MM') AS year_month,
		   extract(day FROM g)::smallint AS day_of_month, extract(doy FROM g)::smallint AS day_of_year,
		   extract(isoyear FROM g)::smallint AS iso_year, extract(week FROM g)::smallint AS iso_week,
		   extract(isodow FROM g)::smallint AS iso_weekday,
		   (ARRAY['lundi','mardi','mercredi','jeudi','vendredi','samedi','dimanche'])[extract(isodow FROM g)::int] AS weekday_name,
		   extract(isodow FROM g) >= 6 AS is_weekend,
		   h.name IS NOT NULL AS is_holiday, h.name AS holiday_name,
		   extract(isodow FROM g) < 6 AND h.name IS NULL AS is_working_day
	  FROM generate_series(lo, hi, interval '1 day') g
	  LEFT JOIN LATERAL doliflow.french_holidays(extract(year FROM g)::int) h ON h.holiday = g::date;

	DELETE FROM dw.dim_date d
	 WHERE NOT EXISTS (SELECT 1 FROM pg_temp.dw_dim_date_new n WHERE (n.*)::text = (d.*)::text);
	GET DIAGNOSTICS rows_deleted = ROW_COUNT;
	INSERT INTO dw.dim_date
	SELECT * FROM pg_temp.dw_dim_date_new n
	 WHERE NOT EXISTS (SELECT 1 FROM dw.dim_date d WHERE d.date_key = n.date_key);
	GET DIAGNOSTICS rows_inserted = ROW_COUNT;
	DROP TABLE pg_temp.dw_dim_date_new;
END;
$$;
COMMENT ON FUNCTION doliflow._load_dim_date() IS 'Internal: brings dw.dim_date to the range of the loaded facts (1 January of the first year to 31 December two years after the last)';

-- Highest lake batch visible now (part 20's lake.batch numbers every batch).
CREATE FUNCTION doliflow._lake_last_batch() RETURNS bigint
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT coalesce(max(b.batch_id), 0)::bigint FROM lake.batch b;
$$;
COMMENT ON FUNCTION doliflow._lake_last_batch() IS 'Internal: the highest batch number in the lake';


INSERT INTO doliflow.settings (name, value, value_type, description) VALUES
	('project_drift_margin_pct', '20', 'numeric', 'dw.v_active_projects flags a project as drifting when its share of budget consumed exceeds its share of schedule elapsed by more than this many points (or when cost exceeds budget, or hours exceed planned hours)'),
	('warehouse_stale_hours', '36', 'numeric', 'doliflow.status() reports a warehouse table or lake table as stale when its last load or extract is older than this many hours'),
	('warehouse_random_page_cost', '1.1', 'numeric', 'random_page_cost used by incremental warehouse loads (never above the server''s own): they read a few percent of the rows by key, which the default of 4 prices as disk reads and replaces by whole-table scans');

-- The whole load, inside the caller's transaction.  Returns a summary.
CREATE FUNCTION doliflow._load_warehouse_tx(p_run_id bigint, p_full boolean) RETURNS jsonb
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_lo bigint;
	v_hi bigint;
	v_full boolean := p_full;
	v_config jsonb;
	v_old_config jsonb;
	v_reason text;
	r record;
	v_step bigint;
	v_keys text;
	v_cols text;
	v_n_keys bigint;
	v_del bigint;
	v_ins bigint;
	v_missing text;
	v_summary jsonb := '{}';
BEGIN
	-- It runs as doliflow_owner (the batch role's load_warehouse() calls it): only
	-- under a run this login has running.
	PERFORM doliflow._run_check(p_run_id);
	-- The lake must be there.
	SELECT string_agg(x, ', ') INTO v_missing FROM (
		SELECT 'lake.' || s.source_table AS x FROM doliflow.warehouse_sources s
		 WHERE to_regclass('lake.' || quote_ident(s.source_table)) IS NULL
		UNION ALL
		SELECT 'lake.' || s.source_table || '_current' FROM doliflow.warehouse_sources s
		 WHERE to_regclass('lake.' || quote_ident(s.source_table || '_current')) IS NULL) m;
	IF v_missing IS NOT NULL THEN
		RAISE EXCEPTION 'the lake has no %', v_missing
			USING ERRCODE = 'undefined_table',
				  HINT = 'Run CALL doliflow.extract() (after doliflow.connect()) before loading the warehouse.';
	END IF;

	v_config := jsonb_build_object(
		'extrafield_satisfaction', doliflow.setting('extrafield_satisfaction'),
		'extrafield_estimated_duration', doliflow.setting('extrafield_estimated_duration'),
		'extrafield_intervention_type', doliflow.setting('extrafield_intervention_type'),
		'extrafield_intervention_cost', doliflow.setting('extrafield_intervention_cost'));
	SELECT min(last_batch), (array_agg(config))[1] INTO v_lo, v_old_config FROM dw.load_state;
	v_hi := doliflow._lake_last_batch();
	IF NOT v_full THEN
		IF v_lo IS NULL OR (SELECT count(*) FROM dw.load_state) <> (SELECT count(*) + 1 FROM doliflow.warehouse_targets) THEN
			v_full := true; v_reason := 'no previous complete load';
		ELSIF v_old_config IS DISTINCT FROM v_config THEN
			v_full := true; v_reason := 'extrafield settings changed';
		ELSIF v_hi < v_lo THEN
			v_full := true; v_reason := 'lake batches went backwards (lake rebuilt?)';
		END IF;
		IF v_full THEN
			RAISE NOTICE 'doliflow: full rebuild instead of incremental load: %', v_reason;
		END IF;
	END IF;
	v_summary := jsonb_build_object('mode', CASE WHEN v_full THEN 'full' ELSE 'incremental' END,
									'from_batch', v_lo, 'to_batch', v_hi, 'reason', v_reason);

	-- What changed in every source since the last load: pg_temp.dwv_<source> holds the
	-- versions stored since then plus, for each of their keys, the version the last load
	-- saw (so old and new foreign keys are both known); pg_temp.dwc_<source> their keys.
	FOR r IN SELECT * FROM doliflow.warehouse_sources ORDER BY source_table LOOP
		-- Made fresh (a caller's table of that name makes this fail, it is never used
		-- or dropped), dropped at the end of the load.
		IF v_full THEN
			EXECUTE format('CREATE TEMP TABLE %I ON COMMIT DROP AS SELECT * FROM lake.%I LIMIT 0',
						   'dwv_' || r.source_table, r.source_table);
		ELSE
			EXECUTE format('CREATE TEMP TABLE %1$I ON COMMIT DROP AS '
						   'WITH n AS MATERIALIZED (SELECT * FROM lake.%2$I WHERE _batch > $1 AND _batch <= $2) '
						   'SELECT * FROM n UNION ALL '
						   'SELECT b.* FROM (SELECT DISTINCT %3$I AS k FROM n) c '
						   'CROSS JOIN LATERAL (SELECT * FROM lake.%2$I p WHERE p.%3$I = c.k AND p._batch <= $1 '
						   'ORDER BY p._batch DESC, p._deleted DESC LIMIT 1) b',
						   'dwv_' || r.source_table, r.source_table, r.key_column) USING v_lo, v_hi;
		END IF;
		EXECUTE format('CREATE TEMP TABLE %I ON COMMIT DROP AS SELECT DISTINCT %I::integer AS k FROM pg_temp.%I',
					   'dwc_' || r.source_table, r.key_column, 'dwv_' || r.source_table);
		GET DIAGNOSTICS v_n_keys = ROW_COUNT;
		IF NOT v_full THEN
			EXECUTE format('ANALYZE pg_temp.%I, pg_temp.%I', 'dwv_' || r.source_table, 'dwc_' || r.source_table);
		END IF;
		IF v_n_keys > 0 THEN
			v_summary := jsonb_set(v_summary, '{changed}',
				coalesce(v_summary -> 'changed', '{}') || jsonb_build_object(r.source_table, v_n_keys));
		END IF;
	END LOOP;

	-- An incremental load reads a few percent of the rows by key: index probes into cached
	-- tables, which the planner's defaults (random_page_cost 4) price as if from disk and
	-- replace by whole-table scans.  Short queries do not repay JIT compilation either.
	IF NOT v_full THEN
		PERFORM pg_catalog.set_config('random_page_cost',
			least(pg_catalog.current_setting('random_page_cost')::float8,
				  doliflow.setting('warehouse_random_page_cost')::float8)::text, true);
		PERFORM pg_catalog.set_config('jit', 'off', true);
	END IF;

	FOR r IN SELECT * FROM doliflow.warehouse_targets ORDER BY load_order LOOP
		v_step := doliflow._step_begin(p_run_id, 'load:' || r.target);
		SELECT string_agg(quote_ident(c), ', ' ORDER BY o) INTO v_keys
		  FROM unnest(r.key_columns) WITH ORDINALITY u(c, o);
		v_cols := CASE WHEN cardinality(r.key_columns) > 1 THEN v_keys ELSE 'k' END;
		IF v_full THEN
			EXECUTE format('CREATE TEMP TABLE %I ON COMMIT DROP AS SELECT %s FROM dw.%I LIMIT 0',
						   'dwa_' || r.target,
						   CASE WHEN v_cols = 'k' THEN v_keys || ' AS k' ELSE v_keys END, r.target);
			EXECUTE format('DELETE FROM dw.%I', r.target);
			GET DIAGNOSTICS v_del = ROW_COUNT;
			v_n_keys := NULL;
		ELSE
			EXECUTE format('CREATE TEMP TABLE %I ON COMMIT DROP AS SELECT DISTINCT * FROM %s() s(%s) WHERE (%s) IS NOT NULL',
						   'dwa_' || r.target, r.affected_function::oid::regproc, v_cols, v_cols);
			GET DIAGNOSTICS v_n_keys = ROW_COUNT;
			EXECUTE format('ANALYZE pg_temp.%I', 'dwa_' || r.target);
			EXECUTE format('DELETE FROM dw.%I WHERE (%s) IN (SELECT * FROM pg_temp.%I)',
						   r.target, v_keys, 'dwa_' || r.target);
			GET DIAGNOSTICS v_del = ROW_COUNT;
		END IF;
		-- The target's own function inserts the rows of the keys in pg_temp.dwa_<target> (all
		-- of them in a full load).
		EXECUTE format('SELECT %s($1)', r.load_function::oid::regproc) INTO v_ins USING v_full;

		INSERT INTO dw.load_state AS s (target, last_batch, loaded_at, mode, run_id, rows_total, rows_changed, config)
		VALUES (r.target, v_hi, now(), CASE WHEN v_full THEN 'full' ELSE 'incremental' END, p_run_id,
				v_ins, v_del + v_ins, v_config)
		ON CONFLICT (target) DO UPDATE
		   SET last_batch = EXCLUDED.last_batch, loaded_at = EXCLUDED.loaded_at, mode = EXCLUDED.mode,
			   run_id = EXCLUDED.run_id, config = EXCLUDED.config, rows_changed = EXCLUDED.rows_changed,
			   rows_total = CASE WHEN v_full THEN EXCLUDED.rows_total ELSE s.rows_total - v_del + v_ins END;
		PERFORM doliflow._step_end(v_step, 'success', coalesce(v_n_keys, v_ins), v_ins,
			jsonb_build_object('mode', CASE WHEN v_full THEN 'full' ELSE 'incremental' END,
							   'affected_keys', v_n_keys, 'deleted', v_del, 'inserted', v_ins));
	END LOOP;
	-- The scratch tables made above, so that a second load in this transaction makes its own.
	FOR r IN SELECT 'dwa_' || t.target AS t FROM doliflow.warehouse_targets t
			 UNION ALL SELECT x || s.source_table FROM doliflow.warehouse_sources s, unnest(ARRAY['dwc_', 'dwv_']) x LOOP
		EXECUTE format('DROP TABLE pg_temp.%I', r.t);
	END LOOP;

	v_step := doliflow._step_begin(p_run_id, 'load:dim_date');
	SELECT * INTO v_del, v_ins FROM doliflow._load_dim_date();
	INSERT INTO dw.load_state AS s (target, last_batch, loaded_at, mode, run_id, rows_total, rows_changed, config)
	VALUES ('dim_date', v_hi, now(), CASE WHEN v_full THEN 'full' ELSE 'incremental' END, p_run_id,
			(SELECT count(*) FROM dw.dim_date), v_del + v_ins, v_config)
	ON CONFLICT (target) DO UPDATE
	   SET last_batch = EXCLUDED.last_batch, loaded_at = EXCLUDED.loaded_at, mode = EXCLUDED.mode,
		   run_id = EXCLUDED.run_id, config = EXCLUDED.config, rows_changed = EXCLUDED.rows_changed,
		   rows_total = EXCLUDED.rows_total;
	PERFORM doliflow._step_end(v_step, 'success', NULL, v_ins,
		jsonb_build_object('deleted', v_del, 'inserted', v_ins));
	RETURN v_summary;
END;
$$;
COMMENT ON FUNCTION doliflow._load_warehouse_tx(bigint, boolean) IS 'Internal: the body of load_warehouse(), run in one transaction';

CREATE PROCEDURE doliflow.load_warehouse(full_rebuild boolean DEFAULT false)
LANGUAGE plpgsql AS $$
DECLARE
	v_run bigint;
	v_summary jsonb;
	v_err text;
	v_state text;
	v_detail text;
	v_hint text;
	v_step bigint;
BEGIN
	-- A procedure that commits cannot carry a SET clause; the path is set per transaction.
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
	IF full_rebuild IS NULL THEN
		RAISE EXCEPTION 'full_rebuild must be true or false, not NULL'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	v_run := doliflow._run_begin('load_warehouse');
	-- The run row is committed first so that a failed load is still logged.  (This COMMIT
	-- is also why load_warehouse cannot run inside an explicit transaction block.)
	COMMIT;
	-- One snapshot for the whole load: every dw table is built from the same lake batches.
	SET TRANSACTION ISOLATION LEVEL REPEATABLE READ;
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
	IF NOT doliflow._claim_xact('load_warehouse') THEN
		PERFORM doliflow._run_end(v_run, 'skipped', 'another load_warehouse is running');
		COMMIT;
		PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
		RAISE NOTICE 'doliflow: load_warehouse skipped: another load is running';
		RETURN;
	END IF;
	BEGIN
		v_summary := doliflow._load_warehouse_tx(v_run, full_rebuild);
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS v_err = MESSAGE_TEXT, v_state = RETURNED_SQLSTATE,
								v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
	END;
	IF v_err IS NULL THEN
		PERFORM doliflow._run_end(v_run, 'success');
		COMMIT;
		PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
		RAISE NOTICE 'doliflow: warehouse loaded (%)', v_summary ->> 'mode';
	ELSE
		-- Everything the load wrote is rolled back; the warehouse is unchanged.
		v_step := doliflow._step_begin(v_run, 'load');
		PERFORM doliflow._step_end(v_step, 'failed', NULL, NULL,
			jsonb_build_object('sqlstate', v_state, 'detail', v_detail, 'hint', v_hint), v_err);
		PERFORM doliflow._run_end(v_run, 'failed', v_err);
		COMMIT;
		PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
		-- (an empty DETAIL or HINT would print an empty line)
		IF coalesce(v_detail, '') = '' AND coalesce(v_hint, '') <> '' THEN
			RAISE EXCEPTION 'doliflow: load_warehouse failed: %', v_err
				USING ERRCODE = v_state, HINT = v_hint;
		ELSIF coalesce(v_detail, '') = '' THEN
			RAISE EXCEPTION 'doliflow: load_warehouse failed: %', v_err USING ERRCODE = v_state;
		ELSIF coalesce(v_hint, '') = '' THEN
			RAISE EXCEPTION 'doliflow: load_warehouse failed: %', v_err
				USING ERRCODE = v_state, DETAIL = v_detail;
		ELSE
			RAISE EXCEPTION 'doliflow: load_warehouse failed: %', v_err
				USING ERRCODE = v_state, DETAIL = v_detail, HINT = v_hint;
		END IF;
	END IF;
END;
$$;
COMMENT ON PROCEDURE doliflow.load_warehouse(boolean) IS
	'Loads the warehouse (dw) from the lake in one transaction: readers see the old warehouse until the commit, then the new one. Incremental by default: rebuilds only the rows whose lake sources got versions (changes or deletions) in batches after the last load, including rows that depend on several tables; full_rebuild => true rebuilds everything (automatic on the first load or when the extrafield settings change). Logs a run (kind load_warehouse) with one step per table. Call it outside an explicit transaction block (CALL doliflow.load_warehouse();).';

------------------------------------------------------------------------------
-- Report views (the first seed's reports)
------------------------------------------------------------------------------

-- Closed tickets per closing month that the latest anomalies run flagged
-- (dw.v_anomalies, created by the analytics part 55 after this view: plpgsql,
-- so the reference is resolved at the first call).  Runs with the reader's
-- rights (dw only).
CREATE FUNCTION doliflow._ticket_anomaly_months() RETURNS TABLE (month date, flagged bigint)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	RETURN QUERY
	SELECT date_trunc('month', t.closed_at)::date, count(*)
	  FROM dw.fact_tickets t
	 WHERE t.closed_at IS NOT NULL AND t.is_closed
	   AND EXISTS (SELECT 1 FROM dw.v_anomalies a WHERE a.source_table = 'llx_ticket' AND a.source_id = t.ticket_key)
	 GROUP BY 1;
END;
$$;
COMMENT ON FUNCTION doliflow._ticket_anomaly_months() IS 'Internal: per closing month, the closed tickets flagged by the latest anomalies run (dw.v_anomalies), for dw.v_tickets_monthly.anomaly_rate; empty before the anomalies module has run';

CREATE VIEW dw.v_tickets_monthly AS
WITH opened AS (
	SELECT date_trunc('month', created_at)::date AS month, count(*) AS opened,
		   avg(first_response_hours) FILTER (WHERE first_response_hours >= 0) AS first_response
	  FROM dw.fact_tickets WHERE created_at IS NOT NULL GROUP BY 1
), closed AS (
	SELECT date_trunc('month', closed_at)::date AS month, count(*) AS closed,
		   count(*) FILTER (WHERE status = 8) AS solved,
		   avg(resolution_hours) FILTER (WHERE resolution_hours >= 0) AS resolution,
		   percentile_cont(0.5) WITHIN GROUP (ORDER BY resolution_hours) FILTER (WHERE resolution_hours >= 0) AS resolution_median,
		   avg(satisfaction) FILTER (WHERE satisfaction BETWEEN 1 AND 5) AS satisfaction,
		   count(satisfaction) FILTER (WHERE satisfaction BETWEEN 1 AND 5) AS rated,
		   sum(interventions) AS interventions,
		   sum(intervention_hours) AS hours
	  FROM dw.fact_tickets WHERE closed_at IS NOT NULL AND is_closed GROUP BY 1
)
SELECT coalesce(o.month, c.month) AS month,
	   coalesce(o.opened, 0) AS tickets_opened,
	   coalesce(c.closed, 0) AS tickets_closed,
	   coalesce(c.solved, 0) AS tickets_solved,
	   round(c.resolution, 2) AS mean_resolution_hours,
	   round(c.resolution_median::numeric, 2) AS median_resolution_hours,
	   round(o.first_response, 2) AS mean_first_response_hours,
	   round(c.satisfaction, 2) AS mean_satisfaction,
	   coalesce(c.rated, 0) AS satisfaction_responses,
	   coalesce(c.interventions, 0) AS interventions,
	   round(coalesce(c.hours, 0), 2) AS intervention_hours,
	   round(coalesce(am.flagged, 0)::numeric / nullif(c.closed, 0), 4) AS anomaly_rate
  FROM opened o FULL JOIN closed c ON c.month = o.month
  LEFT JOIN doliflow._ticket_anomaly_months() am ON am.month = c.month;
COMMENT ON VIEW dw.v_tickets_monthly IS 'Monthly ticket performance (first seed''s v_tickets_monthly): volumes, resolution and response times, satisfaction and intervention hours. Opened counts are by creation month; every other figure is over the tickets closed (status 8 or 9) in the month';
COMMENT ON COLUMN dw.v_tickets_monthly.month IS 'First day of the month';
COMMENT ON COLUMN dw.v_tickets_monthly.tickets_opened IS 'Tickets created in the month';
COMMENT ON COLUMN dw.v_tickets_monthly.tickets_closed IS 'Tickets closed (status 8 closed or 9 canceled) with a closing date in the month';
COMMENT ON COLUMN dw.v_tickets_monthly.tickets_solved IS 'Of those, tickets closed as solved (status 8)';
COMMENT ON COLUMN dw.v_tickets_monthly.mean_resolution_hours IS 'Mean hours from creation to closing of the tickets closed in the month (incoherent negative durations excluded)';
COMMENT ON COLUMN dw.v_tickets_monthly.median_resolution_hours IS 'Median of the same durations';
COMMENT ON COLUMN dw.v_tickets_monthly.mean_first_response_hours IS 'Mean hours from creation to first read of the tickets created in the month';
COMMENT ON COLUMN dw.v_tickets_monthly.mean_satisfaction IS 'Mean satisfaction (1-5; values outside 1-5 ignored) of the tickets closed in the month';
COMMENT ON COLUMN dw.v_tickets_monthly.satisfaction_responses IS 'Number of tickets closed in the month with a satisfaction score in 1-5';
COMMENT ON COLUMN dw.v_tickets_monthly.interventions IS 'Intervention sheets linked to the tickets closed in the month';
COMMENT ON COLUMN dw.v_tickets_monthly.intervention_hours IS 'Hours of those intervention sheets (llx_fichinter.duree)';
COMMENT ON COLUMN dw.v_tickets_monthly.anomaly_rate IS 'Share (0-1) of the tickets closed in the month that the latest anomalies run flagged (dw.v_anomalies, any ticket kind); 0 before any anomalies run; NULL without closed ticket';

CREATE VIEW dw.v_technician_performance AS
SELECT t.technician_key, t.full_name, t.job, t.is_active, t.thm,
	   count(f.*) AS tickets_assigned,
	   count(*) FILTER (WHERE f.is_closed) AS tickets_closed,
	   count(*) FILTER (WHERE NOT f.is_closed) AS tickets_open,
	   round(avg(f.resolution_hours) FILTER (WHERE f.is_closed AND f.resolution_hours >= 0), 2) AS mean_resolution_hours,
	   round(avg(f.first_response_hours) FILTER (WHERE f.first_response_hours >= 0), 2) AS mean_first_response_hours,
	   round(avg(f.satisfaction) FILTER (WHERE f.satisfaction BETWEEN 1 AND 5), 2) AS mean_satisfaction,
	   round(coalesce(sum(f.intervention_hours), 0), 2) AS intervention_hours,
	   round(coalesce(sum(f.intervention_hours), 0) * coalesce(t.thm, 0), 2) AS labor_cost,
	   round(coalesce(sum(f.intervention_cost), 0), 2) AS intervention_cost,
	   count(*) FILTER (WHERE f.estimated_hours > 0 AND f.intervention_hours IS NOT NULL) AS estimated_tickets,
	   round(100 * (1 - sum(abs(f.intervention_hours - f.estimated_hours)) FILTER (WHERE f.estimated_hours > 0 AND f.intervention_hours IS NOT NULL)
				/ nullif(sum(f.estimated_hours) FILTER (WHERE f.estimated_hours > 0 AND f.intervention_hours IS NOT NULL), 0)), 1) AS estimate_accuracy_pct,
	   round(100 * (sum(f.intervention_hours) FILTER (WHERE f.estimated_hours > 0 AND f.intervention_hours IS NOT NULL)
				/ nullif(sum(f.estimated_hours) FILTER (WHERE f.estimated_hours > 0 AND f.intervention_hours IS NOT NULL), 0) - 1), 1) AS estimate_bias_pct
  FROM dw.dim_technician t
  JOIN dw.fact_tickets f ON f.technician_key = t.technician_key
 GROUP BY t.technician_key, t.full_name, t.job, t.is_active, t.thm;
COMMENT ON VIEW dw.v_technician_performance IS 'Per technician (assignee of at least one ticket): volumes, resolution time, satisfaction, intervention hours and costs, and how good the estimates are (first seed''s v_technician_performance)';
COMMENT ON COLUMN dw.v_technician_performance.technician_key IS 'llx_user.rowid';
COMMENT ON COLUMN dw.v_technician_performance.full_name IS 'Technician name';
COMMENT ON COLUMN dw.v_technician_performance.job IS 'Job title';
COMMENT ON COLUMN dw.v_technician_performance.is_active IS 'User enabled in Dolibarr';
COMMENT ON COLUMN dw.v_technician_performance.thm IS 'Hourly cost used for labor_cost';
COMMENT ON COLUMN dw.v_technician_performance.tickets_assigned IS 'Tickets assigned to the technician (fk_user_assign)';
COMMENT ON COLUMN dw.v_technician_performance.tickets_closed IS 'Of those, closed (status 8 or 9)';
COMMENT ON COLUMN dw.v_technician_performance.tickets_open IS 'Of those, not closed';
COMMENT ON COLUMN dw.v_technician_performance.mean_resolution_hours IS 'Mean creation-to-closing hours of the closed tickets (negative durations excluded)';
COMMENT ON COLUMN dw.v_technician_performance.mean_first_response_hours IS 'Mean creation-to-first-read hours';
COMMENT ON COLUMN dw.v_technician_performance.mean_satisfaction IS 'Mean satisfaction (1-5; other values ignored)';
COMMENT ON COLUMN dw.v_technician_performance.intervention_hours IS 'Hours of the intervention sheets linked to the technician''s tickets';
COMMENT ON COLUMN dw.v_technician_performance.labor_cost IS 'intervention_hours x the technician''s hourly cost (thm)';
COMMENT ON COLUMN dw.v_technician_performance.intervention_cost IS 'Sum of the tickets'' intervention cost extra field';
COMMENT ON COLUMN dw.v_technician_performance.estimated_tickets IS 'Tickets with both an estimate (> 0) and linked intervention hours: the base of the two estimate figures';
COMMENT ON COLUMN dw.v_technician_performance.estimate_accuracy_pct IS '100 x (1 - sum |actual - estimated| / sum estimated) over estimated_tickets; 100 = perfect, can be negative';
COMMENT ON COLUMN dw.v_technician_performance.estimate_bias_pct IS '100 x (sum actual / sum estimated - 1): positive = the technician takes longer than estimated';

CREATE VIEW dw.v_active_projects AS
WITH p AS (
	SELECT p.*, c.name AS customer_name,
		   p.labor_cost + p.material_cost AS spent_cost,
		   -- read the table, not doliflow.setting(): a view's tables are accessed with its
		   -- owner's rights, its functions with the reader's (BI roles see only dw).
		   (SELECT s.value::numeric FROM doliflow.settings s WHERE s.name = 'project_drift_margin_pct') AS margin,
		   CASE WHEN p.date_start IS NOT NULL AND p.date_end > p.date_start
				THEN least(100, greatest(0, round(100.0 * (pg_catalog.timezone((SELECT s.value FROM doliflow.settings s WHERE s.name = 'timezone'), now())::date - p.date_start) / (p.date_end - p.date_start), 1)))
		   END AS elapsed_pct
	  FROM dw.dim_project p
	  LEFT JOIN dw.dim_customer c ON c.customer_key = p.customer_key
	 WHERE p.status = 1
)
SELECT project_key, ref, title, customer_key, customer_name, date_start, date_end,
	   budget_amount,
	   labor_cost, material_cost, spent_cost,
	   budget_amount - spent_cost AS remaining_budget,
	   round(100 * spent_cost / nullif(budget_amount, 0), 1) AS budget_consumed_pct,
	   planned_hours, spent_hours,
	   round(100 * spent_hours / nullif(planned_hours, 0), 1) AS hours_consumed_pct,
	   elapsed_pct AS schedule_elapsed_pct,
	   invoiced_ht,
	   coalesce(spent_cost > budget_amount OR spent_hours > planned_hours AND planned_hours > 0
				OR 100 * spent_cost / nullif(budget_amount, 0) - elapsed_pct > margin, false) AS drift,
	   concat_ws('; ',
		   CASE WHEN spent_cost > budget_amount THEN 'cost over budget' END,
		   CASE WHEN spent_hours > planned_hours AND planned_hours > 0 THEN 'hours over plan' END,
		   CASE WHEN 100 * spent_cost / nullif(budget_amount, 0) - elapsed_pct > margin
				THEN 'budget consumed ahead of schedule' END) AS drift_reason
  FROM p;
COMMENT ON VIEW dw.v_active_projects IS 'Open projects (status 1) with budget against spending (labour at hourly cost + materials issued from stock), planned against spent hours, and a drift flag (first seed''s v_active_projects)';
COMMENT ON COLUMN dw.v_active_projects.project_key IS 'llx_projet.rowid';
COMMENT ON COLUMN dw.v_active_projects.ref IS 'Project reference';
COMMENT ON COLUMN dw.v_active_projects.title IS 'Project title';
COMMENT ON COLUMN dw.v_active_projects.customer_key IS 'Customer, dw.dim_customer';
COMMENT ON COLUMN dw.v_active_projects.customer_name IS 'Customer name';
COMMENT ON COLUMN dw.v_active_projects.date_start IS 'Planned start';
COMMENT ON COLUMN dw.v_active_projects.date_end IS 'Planned end';
COMMENT ON COLUMN dw.v_active_projects.budget_amount IS 'Budget, euros excl. VAT';
COMMENT ON COLUMN dw.v_active_projects.labor_cost IS 'Time spent x hourly cost (dw.dim_project.labor_cost)';
COMMENT ON COLUMN dw.v_active_projects.material_cost IS 'Stock issued to the project, at movement price';
COMMENT ON COLUMN dw.v_active_projects.spent_cost IS 'labor_cost + material_cost';
COMMENT ON COLUMN dw.v_active_projects.remaining_budget IS 'budget_amount - spent_cost';
COMMENT ON COLUMN dw.v_active_projects.budget_consumed_pct IS '100 x spent_cost / budget_amount (NULL without budget)';
COMMENT ON COLUMN dw.v_active_projects.planned_hours IS 'Planned workload of the tasks, hours';
COMMENT ON COLUMN dw.v_active_projects.spent_hours IS 'Time recorded on the tasks, hours';
COMMENT ON COLUMN dw.v_active_projects.hours_consumed_pct IS '100 x spent_hours / planned_hours (NULL without plan)';
COMMENT ON COLUMN dw.v_active_projects.schedule_elapsed_pct IS 'Share of the planned period (date_start..date_end) elapsed today, 0-100';
COMMENT ON COLUMN dw.v_active_projects.invoiced_ht IS 'Validated invoices of the project, euros excl. VAT';
COMMENT ON COLUMN dw.v_active_projects.drift IS 'Cost over budget, hours over plan, or budget consumed ahead of schedule by more than the setting project_drift_margin_pct points';
COMMENT ON COLUMN dw.v_active_projects.drift_reason IS 'Which of the drift conditions hold, separated by "; "';

------------------------------------------------------------------------------
-- status()
------------------------------------------------------------------------------

-- Every status row has this shape; a provider is a function returning SETOF it.
CREATE TYPE doliflow.status_row AS (
	section  text,
	name     text,
	status   text,
	rows     bigint,
	last_at  timestamptz,
	age      interval,
	duration interval,
	detail   text
);
COMMENT ON TYPE doliflow.status_row IS 'One line of doliflow.status()';

CREATE TABLE doliflow.status_providers (
	provider    regprocedure PRIMARY KEY,
	position    integer NOT NULL UNIQUE,
	description text NOT NULL
);
COMMENT ON TABLE doliflow.status_providers IS 'Functions whose rows make up doliflow.status(), in position order; each takes no argument and returns SETOF doliflow.status_row. Other parts of doliflow add theirs (analytics outputs, scheduled jobs)';
COMMENT ON COLUMN doliflow.status_providers.provider IS 'Function () RETURNS SETOF doliflow.status_row';
COMMENT ON COLUMN doliflow.status_providers.position IS 'Order of its rows in status()';
COMMENT ON COLUMN doliflow.status_providers.description IS 'What its rows show';

CREATE FUNCTION doliflow._status_runs() RETURNS SETOF doliflow.status_row
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	-- The last run of each kind, then its steps.
	WITH last AS (
		SELECT DISTINCT ON (kind) * FROM doliflow.run_log ORDER BY kind, run_id DESC
	)
	SELECT (x.r).* FROM (
		SELECT ('run', l.kind, l.status, NULL::bigint, coalesce(l.finished_at, l.started_at),
				now() - coalesce(l.finished_at, l.started_at),
				coalesce(l.finished_at, clock_timestamp()) - l.started_at,
				concat_ws(' ', 'run ' || l.run_id, 'by ' || l.triggered_by, nullif('error: ' || l.error, 'error: ')))::doliflow.status_row AS r,
			   l.kind AS k1, 0 AS k2
		  FROM last l
		UNION ALL
		SELECT ('step', s.step, s.status, s.rows_out, coalesce(s.finished_at, s.started_at),
				now() - coalesce(s.finished_at, s.started_at),
				coalesce(s.finished_at, clock_timestamp()) - s.started_at,
				concat_ws(' ', 'run ' || s.run_id, 'in ' || s.rows_in, nullif('error: ' || s.error, 'error: ')))::doliflow.status_row,
			   l.kind, s.step_id
		  FROM last l JOIN doliflow.run_step s ON s.run_id = l.run_id
	) x ORDER BY k1, k2;
$$;
COMMENT ON FUNCTION doliflow._status_runs() IS 'status() provider: the last run of each kind and its steps';

CREATE FUNCTION doliflow._status_warehouse() RETURNS SETOF doliflow.status_row
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_stale interval := make_interval(secs => doliflow.setting('warehouse_stale_hours')::numeric * 3600);
	r record;
	v_rows bigint;
	v_at timestamptz;
BEGIN
	-- Tables maintained by load_warehouse(): figures recorded by the load itself (exact, free).
	FOR r IN
		SELECT t.target, s.last_batch, s.loaded_at, s.mode, s.rows_total, s.rows_changed
		  FROM (SELECT target, load_order FROM doliflow.warehouse_targets
				UNION ALL SELECT 'dim_date', 1000) t
		  LEFT JOIN dw.load_state s ON s.target = t.target
		 ORDER BY t.load_order
	LOOP
		RETURN NEXT ('warehouse', 'dw.' || r.target,
					 CASE WHEN r.loaded_at IS NULL THEN 'never loaded'
						  WHEN now() - r.loaded_at > v_stale THEN 'stale' ELSE 'ok' END,
					 r.rows_total, r.loaded_at, now() - r.loaded_at, NULL::interval,
					 CASE WHEN r.loaded_at IS NOT NULL
						  THEN format('%s load up to lake batch %s, %s rows changed', r.mode, r.last_batch, r.rows_changed)
					 END)::doliflow.status_row;
	END LOOP;
	-- Analytics outputs: every other dw table stamped with generated_at.
	FOR r IN
		SELECT c.oid::regclass AS rel, c.relname
		  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		 WHERE n.nspname = 'dw' AND c.relkind IN ('r', 'p', 'm')
		   AND c.relname NOT IN (SELECT target FROM doliflow.warehouse_targets)
		   AND c.relname NOT IN ('dim_date', 'load_state')
		   AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'generated_at' AND NOT a.attisdropped)
		 ORDER BY c.relname
	LOOP
		EXECUTE format('SELECT count(*), max(generated_at)::timestamptz FROM %s', r.rel) INTO v_rows, v_at;
		RETURN NEXT ('analytics', 'dw.' || r.relname,
					 CASE WHEN v_at IS NULL THEN 'empty' WHEN now() - v_at > v_stale THEN 'stale' ELSE 'ok' END,
					 v_rows, v_at, now() - v_at, NULL::interval, NULL::text)::doliflow.status_row;
	END LOOP;
END;
$$;
COMMENT ON FUNCTION doliflow._status_warehouse() IS 'status() provider: every dw table: rows and age of its last load (warehouse) or of its newest generated_at (analytics outputs)';

CREATE FUNCTION doliflow._status_lake() RETURNS SETOF doliflow.status_row
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	v_stale interval := make_interval(secs => doliflow.setting('warehouse_stale_hours')::numeric * 3600);
	r record;
	v_at timestamptz;
	v_batch bigint;
BEGIN
	FOR r IN
		SELECT c.oid::regclass AS rel, c.relname, c.reltuples
		  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		 WHERE n.nspname = 'lake' AND c.relkind IN ('r', 'p')
		   AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = '_deleted' AND NOT a.attisdropped)
		   AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = '_batch' AND NOT a.attisdropped)
		   AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = '_extracted_at' AND NOT a.attisdropped)
		 ORDER BY c.relname
	LOOP
		EXECUTE format('SELECT _extracted_at, _batch FROM %s ORDER BY _batch DESC LIMIT 1', r.rel) INTO v_at, v_batch;
		RETURN NEXT ('lake', 'lake.' || r.relname,
					 CASE WHEN v_at IS NULL THEN 'empty' WHEN now() - v_at > v_stale THEN 'stale' ELSE 'ok' END,
					 CASE WHEN r.reltuples >= 0 THEN r.reltuples::bigint END, v_at, now() - v_at, NULL::interval,
					 format('versions (estimate); last changed in batch %s', v_batch))::doliflow.status_row;
	END LOOP;
END;
$$;
COMMENT ON FUNCTION doliflow._status_lake() IS 'status() provider: every lake table: estimated number of versions and time of its last extracted change';

INSERT INTO doliflow.status_providers (provider, position, description) VALUES
	('doliflow._status_runs()', 10, 'Last run of each kind, with its steps'),
	('doliflow._status_warehouse()', 20, 'Warehouse tables and analytics outputs: rows, last load, age'),
	('doliflow._status_lake()', 30, 'Lake tables: versions, last extracted change, age');

CREATE FUNCTION doliflow.status() RETURNS SETOF doliflow.status_row
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	p record;
BEGIN
	FOR p IN SELECT provider FROM doliflow.status_providers ORDER BY position LOOP
		RETURN QUERY EXECUTE format('SELECT * FROM %s', p.provider::regproc::text || '()');
	END LOOP;
END;
$$;
COMMENT ON FUNCTION doliflow.status() IS
	'Operator overview, one row per item: section run (last run of each kind) and step (its steps), warehouse (each dw table: rows, last load, age, ok/stale/never loaded), analytics (dw outputs with generated_at), lake (each lake table: versions, last extracted change), and whatever other parts register in doliflow.status_providers (e.g. scheduled jobs). Columns: section, name, status, rows, last_at, age, duration, detail';
