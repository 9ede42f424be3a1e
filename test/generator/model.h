/*
 * model.h: the shared state of doliflow-gen (the company being simulated) and the prototypes
 * of the generator's parts.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Generation order (gen.c): people -> projects -> stock (products, movements) -> tickets ->
 * sales (invoices) -> truth files.  Every part draws from its own PRNG streams
 * (rng_init(seed, STREAM_x, sub)), so that changing one part never shifts another's data.
 */
#ifndef DOLIFLOW_MODEL_H
#define DOLIFLOW_MODEL_H

#include "gen.h"

/* PRNG stream ids */
enum
{
	ST_PEOPLE = 1, ST_PROJ, ST_TASK, ST_TICKET, ST_TICKET2, ST_SALES, ST_INVLINE, ST_PROD,
	ST_DEMAND, ST_STOCK, ST_DIRT, ST_ORDERS, ST_LEADTIME
};

/* customer kinds (truth_segment) */
enum
{
	K_PREMIUM, K_FREQUENT, K_ATRISK, K_NEW, K_REGULAR, K_NKIND
};

/* demand patterns (truth_demand) */
enum
{
	P_SMOOTH, P_SEASONAL, P_INTERMITTENT, P_LUMPY, P_OBSOLETE, P_PROMO, P_NPAT
};

#define NCITY 7
typedef struct City
{
	const char *name;
	const char *zip;
	double		lat,
				lon,
				factor;			/* intervention duration factor (traffic, building age) */
} City;
extern const City cities[NCITY];

typedef struct Cust
{
	int			city;
	int			kind;
	int64_t		first,			/* first and last day of activity */
				last;
	double		w;				/* ticket weight (per day of activity) */
	int			proj;			/* rowid of one of its projects, 0 = none */
	int			orphan_dirt;	/* unused placeholder for symmetry */
} Cust;

typedef struct Tech
{
	int			city;
	double		speed;			/* >1 = slower */
	double		thm;			/* hourly cost */
} Tech;

typedef struct Proj
{
	int			soc;
	int64_t		dateo,
				datee;
	int			status;
	double		budget;
} Proj;

typedef struct Prod
{
	int			pattern;
	double		base,			/* mean daily demand (weekday-normalised level) */
				trend,			/* relative change per year */
				wamp,			/* weekly amplitude */
				yamp;			/* yearly amplitude */
	int			npromo;
	int64_t		ps[3],
				pe[3];
	double		up[3];
	int64_t		stop;			/* obsolete: last day with demand */
	double		price,			/* sale price HT */
				cost;
	int			lead,			/* supplier delivery time (days): the planned one */
				pack,			/* packaging (order multiple) */
				supp;			/* supplier societe rowid */
	int			wh;				/* main warehouse rowid */
	int			wh2;			/* second (site) warehouse rowid or 0 */
	double		reorder,		/* seuil_stock_alerte */
				upto;			/* desiredstock */
	double		occ,			/* intermittent/lumpy: probability of a demand day */
				size,			/* intermittent/lumpy: mean (median for lumpy) size */
				usual;			/* usual size of one demand movement */
	int64_t		oddday;			/* day of the planted odd movement, or 0 */
	int			planted;		/* truth_stockout candidate */
	double		stock_total;
	double		ltdelay;		/* mean extra delay of its supplier orders (days, Poisson) */
} Prod;

/* what the sales part needs to know about a closed ticket */
typedef struct Bill
{
	int			ticket;
	int			soc;
	int			proj;
	int64_t		day;
	double		hours;
	double		rate;
} Bill;

typedef struct Gen
{
	uint64_t	seed;
	int			scale;			/* 0 small, 1 medium, 2 large */
	const char *out;
	int64_t		start,
				end;			/* day numbers: the data covers [start, end] */
	int			ncust,
				nsupp,
				nsoc,
				ntech,
				nproj,
				ntickets,
				nprod,
				nwh;
	int			site_wh;		/* rowid of the site warehouse */
	int			site_proj;		/* project (rowid) of the site warehouse */
	Cust	   *cust;			/* [ncust], rowid = index + 1 */
	Tech	   *tech;			/* [ntech], user rowid = index + 2 */
	Proj	   *proj;			/* [nproj], rowid = index + 1 */
	Prod	   *prod;			/* [nprod], rowid = index + 1 */
	Bill	   *bill;
	int			nbill;
	int			admin;			/* user rowid of the administrator */
} Gen;

extern Gen	G;

/* gen.c: table registry */
Tbl		   *tbl_open(const char *name, const char *cols, const char *set, int truth);

/* gen_people.c */
void		gen_people(void);

/* gen_projects.c */
void		gen_projects(void);

/* gen_tickets.c (the model), gen_tickets2.c (the rows) */
enum
{
	A_NONE, A_OVERLONG, A_COST, A_GAP, A_LOWSAT
};
enum							/* dirt flags of a ticket */
{
	D_ORPHAN = 1, D_ZERO = 2, D_EBS = 4, D_EMOJI = 8, D_NULLEST = 16
};
typedef struct Tk
{
	int			cust;			/* customer index, or -1 (orphan) */
	int			soc;			/* fk_soc */
	int			proj;			/* fk_project or 0 */
	int			tech;			/* technician index or -1 */
	int			itype,			/* 0 maintenance, 1 repair, 2 installation, 3 inspection,
								 * 4 emergency */
				cat,
				sev,
				status;
	int64_t		datec,
				date_read,
				date_close;		/* T_NULL, T_ZERO or seconds */
	double		est,			/* estimated_duration as stored (hours) */
				actual,			/* true duration (hours) */
				fih,			/* duration on the intervention sheet (hours) */
				cost;
	int			sat;			/* 0 = NULL */
	int			has_fi;
	int			anomaly;
	int			dirt;
	int			fi;				/* fichinter rowid or 0 */
} Tk;
void		gen_tickets(void);
void		write_tickets(Tk *tk, int n);
extern const char *const itype_names[5];

/* gen_sales.c */
void		gen_sales(void);

/* gen_stock.c, gen_stock2.c, gen_stock3.c */
#define MAXPEND 8
typedef struct Pair				/* one product in one warehouse during the simulation */
{
	int			prod;			/* index into G.prod */
	int			wh;
	double		factor;			/* share of the product's demand */
	double		onhand;
	int			npend;			/* pending supplier orders */
	int64_t		arr[MAXPEND],
				ord[MAXPEND];
	double		qty[MAXPEND];
	int			oid[MAXPEND];	/* its supplier order: index into sorders */
} Pair;
typedef struct SOrder			/* one supplier order (llx_commande_fournisseur rowid = index + 1) */
{
	int			prod;			/* index into G.prod */
	int			wh;
	int64_t		ordered,		/* date_commande */
				due,			/* planned delivery: ordered + the planned lead time */
				arrival;		/* actual arrival (may lie after G.end: still open) */
	double		qty;
	int			received;		/* received within the data (a reception movement exists) */
} SOrder;
extern SOrder *sorders;
extern int	nsorders;
void		stock_finish(Pair *pairs, int npair);
void		product_label(int i, char *buf, size_t n);
void		gen_products(void);
void		gen_movements(void);
double		demand_mean(const Prod *p, int64_t day);

/* gen_orders.c */
void		gen_orders(void);

/* gen_truth.c */
void		truth_open(void);
void		truth_dirt(const char *kind, const char *table, int64_t id, const char *col);
void		truth_anomaly(const char *kind, const char *table, int64_t id, const char *detail);
void		truth_segment(int soc, const char *segment);
void		truth_demand(int prod, const char *pattern, double base, double trend,
						 double wamp, double yamp, int promo);
void		truth_stockout(int prod, int wh, double stock, int lead, int64_t day);
void		truth_lead_time(int order, const SOrder *o, int planned);
void		truth_promotion(int prod, int64_t s, int64_t e, double uplift);
void		truth_write_sql(FILE *f);

extern const char *const kind_names[K_NKIND];
extern const char *const pattern_names[P_NPAT];

/* small helpers shared by the parts */
int64_t		ts_of(int64_t day, int h, int m, int s);
int			dirt_count(int n, double frac);

#endif							/* DOLIFLOW_MODEL_H */
