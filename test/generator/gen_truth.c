/*
 * gen_truth.c: the ground-truth tables (database NAME_truth) that tests compare doliflow's
 * results with.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "model.h"

const char *const kind_names[K_NKIND] = {"premium", "frequent", "at_risk", "new", "regular"};
const char *const pattern_names[P_NPAT] = {
	"smooth", "seasonal", "intermittent", "lumpy", "obsolete", "promo"
};

static Tbl *t_anom,
		   *t_seg,
		   *t_dem,
		   *t_dirt,
		   *t_so,
		   *t_lt,
		   *t_promo;

void
truth_open(void)
{
	t_anom = tbl_open("truth_anomaly", "kind,source_table,source_id,detail", NULL, 1);
	t_seg = tbl_open("truth_segment", "fk_soc,segment", NULL, 1);
	t_dem = tbl_open("truth_demand",
					 "fk_product,pattern,base,trend,weekly_amp,yearly_amp,promo", NULL, 1);
	t_dirt = tbl_open("truth_dirt", "kind,table_name,row_id,column_name", NULL, 1);
	t_so = tbl_open("truth_stockout",
					"fk_product,fk_entrepot,stock_at_end,lead_time_days,expected_stockout",
					NULL, 1);
	t_lt = tbl_open("truth_lead_time",
					"fk_commande_fournisseur,fk_product,fk_entrepot,ordered_on,"
					"planned_lead_days,arrival_on,actual_lead_days,received", NULL, 1);
	t_promo = tbl_open("truth_promotion", "fk_product,start_date,end_date,uplift", NULL, 1);
}

void
truth_write_sql(FILE *f)
{
	fputs("DROP TABLE IF EXISTS truth_anomaly, truth_segment, truth_demand, truth_dirt,\n"
		  "  truth_stockout, truth_promotion, truth_lead_time;\n"
		  "CREATE TABLE truth_anomaly (kind varchar(32) NOT NULL, source_table varchar(64) "
		  "NOT NULL,\n  source_id int NOT NULL, detail text, KEY (kind), KEY (source_id))"
		  " DEFAULT CHARSET=utf8mb4;\n"
		  "CREATE TABLE truth_segment (fk_soc int NOT NULL PRIMARY KEY, segment varchar(16) "
		  "NOT NULL) DEFAULT CHARSET=utf8mb4;\n"
		  "CREATE TABLE truth_demand (fk_product int NOT NULL PRIMARY KEY, pattern varchar(16) "
		  "NOT NULL,\n  base double, trend double, weekly_amp double, yearly_amp double, "
		  "promo int) DEFAULT CHARSET=utf8mb4;\n"
		  "CREATE TABLE truth_dirt (kind varchar(32) NOT NULL, table_name varchar(64) NOT NULL,"
		  "\n  row_id int NOT NULL, column_name varchar(64), KEY (kind), "
		  "KEY (table_name, row_id)) DEFAULT CHARSET=utf8mb4;\n"
		  "CREATE TABLE truth_stockout (fk_product int NOT NULL, fk_entrepot int NOT NULL,\n"
		  "  stock_at_end double, lead_time_days int, expected_stockout date, "
		  "PRIMARY KEY (fk_product, fk_entrepot)) DEFAULT CHARSET=utf8mb4;\n"
		  "CREATE TABLE truth_lead_time (fk_commande_fournisseur int NOT NULL PRIMARY KEY,\n"
		  "  fk_product int NOT NULL, fk_entrepot int NOT NULL, ordered_on date NOT NULL,\n"
		  "  planned_lead_days int NOT NULL, arrival_on date NOT NULL, actual_lead_days int "
		  "NOT NULL,\n  received int NOT NULL, KEY (fk_product)) DEFAULT CHARSET=utf8mb4;\n"
		  "CREATE TABLE truth_promotion (fk_product int NOT NULL, start_date date NOT NULL,\n"
		  "  end_date date NOT NULL, uplift double, KEY (fk_product)) "
		  "DEFAULT CHARSET=utf8mb4;\n", f);
}

void
truth_dirt(const char *kind, const char *table, int64_t id, const char *col)
{
	F_str(t_dirt, kind);
	F_str(t_dirt, table);
	F_int(t_dirt, id);
	F_str(t_dirt, col);
	F_end(t_dirt);
}

void
truth_anomaly(const char *kind, const char *table, int64_t id, const char *detail)
{
	F_str(t_anom, kind);
	F_str(t_anom, table);
	F_int(t_anom, id);
	F_str(t_anom, detail);
	F_end(t_anom);
}

void
truth_segment(int soc, const char *segment)
{
	F_int(t_seg, soc);
	F_str(t_seg, segment);
	F_end(t_seg);
}

void
truth_demand(int prod, const char *pattern, double base, double trend, double wamp,
			 double yamp, int promo)
{
	F_int(t_dem, prod);
	F_str(t_dem, pattern);
	F_dbl(t_dem, base, 4);
	F_dbl(t_dem, trend, 4);
	F_dbl(t_dem, wamp, 4);
	F_dbl(t_dem, yamp, 4);
	F_int(t_dem, promo);
	F_end(t_dem);
}

void
truth_stockout(int prod, int wh, double stock, int lead, int64_t day)
{
	F_int(t_so, prod);
	F_int(t_so, wh);
	F_dbl(t_so, stock, 0);
	F_int(t_so, lead);
	F_date(t_so, day);
	F_end(t_so);
}

void
truth_promotion(int prod, int64_t s, int64_t e, double uplift)
{
	F_int(t_promo, prod);
	F_date(t_promo, s);
	F_date(t_promo, e);
	F_dbl(t_promo, uplift, 2);
	F_end(t_promo);
}

/* every supplier order: its planned and actual lead time; received = 0: still open at the end
 * (arrival_on is then the arrival the simulation drew, after the end of the data) */
void
truth_lead_time(int order, const SOrder *o, int planned)
{
	F_int(t_lt, order);
	F_int(t_lt, o->prod + 1);
	F_int(t_lt, o->wh);
	F_date(t_lt, o->ordered);
	F_int(t_lt, planned);
	F_date(t_lt, o->arrival);
	F_int(t_lt, (int) (o->arrival - o->ordered));
	F_int(t_lt, o->received);
	F_end(t_lt);
}
