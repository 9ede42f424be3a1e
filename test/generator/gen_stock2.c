/*
 * gen_stock2.c: daily stock simulation (llx_stock_mouvement, llx_product_stock, llx_product,
 * open supplier orders llx_commande_fournisseur/det, truth_stockout, odd movements).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One (product, warehouse) pair per product plus, for some products, a site-warehouse pair
 * with a quarter of the demand.  Day by day (so movement rowids are chronological): receptions
 * due today, the planted odd movement, the day's demand (never more than the stock on hand),
 * then an order-up-to replenishment: when on hand + on order <= reorder point s, order up to
 * S rounded up to the packaging; it arrives after the actual lead time (below).  Planted
 * products stop being replenished 30 + lead-time days before the end, so their stock runs out
 * within the lead time.  Every value is an integer, so SUM(value) = reel exactly.
 *
 * Supplier orders: every replenishment order is a real supplier order (sorders, written by
 * gen_stock3.c as llx_commande_fournisseur + one llx_commande_fournisseurdet line, rowids in
 * the order they were placed): date_commande = the order day, fk_statut 5 (received
 * completely) once received, and its reception movement (type 3, origintype order_supplier)
 * carries fk_origin = the order's rowid, as Dolibarr's reception does.  Orders still in
 * transit at the end stay open (fk_statut 1-4).  The planted odd movement's special
 * reception is an order placed the planned lead time before it.
 *
 * Actual lead time = max(1, L + delay - early), L = the supplier's delivery time (p->lead):
 * delay ~ Poisson(p->ltdelay) and early = 1 with probability 0.08 (when L > 1), where each
 * product's mean delay is drawn once: 0.1 L (40 % of the products: reliable suppliers),
 * 0.25 L (40 %) or 0.5 L (20 %: erratic ones).  So lead times are mostly late, rarely one day
 * early, and some products vary much more than others.  These draws come from their own
 * stream (ST_LEADTIME), so demand, tickets, invoices and every other part draw the same
 * numbers for a seed; only the stock movements after the first reception change with the
 * lead times (the stock on hand, hence the orders and the capped demand, depend on them).
 * truth_lead_time holds every order's planned and actual lead time.
 */
#include "model.h"

static Tbl *tm;
static int	mv_id;

SOrder	   *sorders;
int			nsorders;
static int	cap_sorders;

/* a new supplier order; returns its index (rowid - 1) */
static int
new_order(int prod, int wh, int64_t ordered, int64_t due, int64_t arrival, double qty)
{
	SOrder	   *o;

	if (nsorders == cap_sorders)
	{
		cap_sorders = cap_sorders ? 2 * cap_sorders : 1024;
		sorders = xrealloc(sorders, (size_t) cap_sorders, sizeof(SOrder));
	}
	o = &sorders[nsorders];
	o->prod = prod;
	o->wh = wh;
	o->ordered = ordered;
	o->due = due;
	o->arrival = arrival;
	o->qty = qty;
	o->received = 0;
	return nsorders++;
}

/* the actual lead time of an order (see the header) */
static int
actual_lead(Rng *rl, const Prod *p)
{
	int			l = p->lead + rpois(rl, p->ltdelay);

	if (p->lead > 1 && rbern(rl, 0.08))
		l--;
	return l < 1 ? 1 : l;
}

static void
mv(int64_t ts, const Prod *p, int prod, int wh, double value, int type, const char *label,
   const char *invcode, const char *origin, int origin_id)
{
	F_int(tm, ++mv_id);
	F_dt(tm, ts);
	F_dt(tm, ts);
	F_int(tm, prod);
	F_int(tm, wh);
	F_dbl(tm, value, 0);
	F_dbl(tm, p->cost, 8);
	F_int(tm, type);
	F_int(tm, G.admin);
	F_str(tm, label);
	F_str(tm, invcode);
	F_intn(tm, origin_id, 0);
	F_str(tm, origin);
	F_int(tm, wh == G.site_wh ? G.site_proj : 0);
	F_end(tm);
}

static void
levels(const Prod *p, const Pair *q, int64_t day, double *s, double *S)
{
	double		lvl = 1.0 + p->trend * (double) (day - G.start) / 365.25;
	double		m = p->base * (lvl < 0.05 ? 0.05 : lvl) * q->factor;

	*s = ceil(m * (p->lead + 5) * 1.25 + 2);
	*S = *s + ceil(m * 21);
}

static double
sample(Rng *r, const Prod *p, const Pair *q, int64_t day)
{
	double		mu = demand_mean(p, day) * q->factor;

	if (p->pattern == P_INTERMITTENT || p->pattern == P_LUMPY)
	{
		double		wf = mu / (p->base > 0 ? p->base : 1);		/* weekly x yearly x level */
		double		pr = p->occ * wf;

		if (pr > 0.95)
			pr = 0.95;
		if (!rbern(r, pr))
			return 0;
		if (p->pattern == P_INTERMITTENT)
			return 1 + rpois(r, (p->size - 1) * q->factor);
		return ceil(p->size * q->factor * exp(0.8 * rnorm3(r)));
	}
	return rpois(r, mu);
}

void
gen_movements(void)
{
	Rng			r,
				rl;
	Pair	   *pairs = xcalloc((size_t) G.nprod * 2, sizeof(Pair));
	int			npair = 0,
				i,
				k;
	int64_t		day;
	char		lab[128];

	tm = tbl_open("llx_stock_mouvement",
				  "rowid,tms,datem,fk_product,fk_entrepot,value,price,type_mouvement,"
				  "fk_user_author,label,inventorycode,fk_origin,origintype,fk_projet", NULL, 0);
	rng_init(&r, G.seed, ST_STOCK, 0);
	rng_init(&rl, G.seed, ST_LEADTIME, 0);
	for (i = 0; i < G.nprod; i++)
	{
		Prod	   *p = &G.prod[i];
		double		u = runif(&rl);

		p->ltdelay = (u < 0.4 ? 0.1 : u < 0.8 ? 0.25 : 0.5) * p->lead;

		pairs[npair].prod = i;
		pairs[npair].wh = p->wh;
		pairs[npair++].factor = 1.0;
		if (p->wh2)
		{
			pairs[npair].prod = i;
			pairs[npair].wh = p->wh2;
			pairs[npair++].factor = 0.25;
		}
	}
	/* opening inventory */
	for (k = 0; k < npair; k++)
	{
		Pair	   *q = &pairs[k];
		Prod	   *p = &G.prod[q->prod];
		double		s,
					S;

		levels(p, q, G.start, &s, &S);
		q->onhand = S;
		snprintf(lab, sizeof lab, "INV%d", 1);
		mv(ts_of(G.start, 7, 0, 0), p, q->prod + 1, q->wh, S, 0, "Inventaire initial", lab, NULL,
		   0);
	}
	for (day = G.start; day <= G.end; day++)
	{
		for (k = 0; k < npair; k++)
		{
			Pair	   *q = &pairs[k];
			Prod	   *p = &G.prod[q->prod];
			double		s,
						S,
						d,
						ip;
			int			j;

			/* receptions due today */
			for (j = 0; j < q->npend;)
			{
				if (q->arr[j] <= day)
				{
					q->onhand += q->qty[j];
					mv(ts_of(day, 7, rint2(&r, 30, 59), rint2(&r, 0, 59)), p, q->prod + 1,
					   q->wh, q->qty[j], 3, "Réception commande fournisseur", NULL,
					   "order_supplier", q->oid[j] + 1);
					sorders[q->oid[j]].received = 1;
					q->npend--;
					q->arr[j] = q->arr[q->npend];
					q->ord[j] = q->ord[q->npend];
					q->qty[j] = q->qty[q->npend];
					q->oid[j] = q->oid[q->npend];
				}
				else
					j++;
			}
			/* the planted odd movement: a huge one-off sale */
			if (p->oddday == day && q->factor == 1.0)
			{
				double		big = ceil(p->usual * runif2(&r, 20, 100));

				levels(p, q, day, &s, &S);
				if (q->onhand < big)
				{
					double		add = big - q->onhand + S;
					int			o = new_order(q->prod, q->wh, day - p->lead, day, day, add);

					sorders[o].received = 1;
					q->onhand += add;
					mv(ts_of(day, 7, 15, 0), p, q->prod + 1, q->wh, add, 3,
					   "Réception commande spéciale", NULL, "order_supplier", o + 1);
				}
				q->onhand -= big;
				mv(ts_of(day, 11, 0, 0), p, q->prod + 1, q->wh, -big, 2,
				   "Expédition commande client", NULL, "shipping", 0);
				snprintf(lab, sizeof lab, "value %.0f, usual %.1f", -big, p->usual);
				truth_anomaly("odd_stock_movement", "llx_stock_mouvement", mv_id, lab);
			}
			/* the day's demand */
			d = sample(&r, p, q, day);
			if (d > q->onhand)
				d = q->onhand;
			if (d > 0)
			{
				int			fac = rbern(&r, 0.7);

				q->onhand -= d;
				mv(ts_of(day, rint2(&r, 8, 17), rint2(&r, 0, 59), rint2(&r, 0, 59)), p,
				   q->prod + 1, q->wh, -d, 2, fac ? "Facture client" : "Expédition client",
				   NULL, fac ? "facture" : "shipping", 0);
			}
			/* a rare manual correction */
			if (rbern(&r, 0.002))
			{
				double		c = rint2(&r, 1, 3);
				int			out = q->onhand >= c && rbern(&r, 0.6);

				q->onhand += out ? -c : c;
				mv(ts_of(day, 18, 0, 0), p, q->prod + 1, q->wh, out ? -c : c, out ? 1 : 0,
				   "Correction d'inventaire", NULL, NULL, 0);
			}
			/* replenishment */
			if (p->planted && day > G.end - 30 - p->lead)
				continue;
			levels(p, q, day, &s, &S);
			for (ip = q->onhand, j = 0; j < q->npend; j++)
				ip += q->qty[j];
			if (ip <= s && q->npend < MAXPEND && !(p->pattern == P_OBSOLETE && day > p->stop))
			{
				double		o = ceil((S - ip) / p->pack) * p->pack;

				q->arr[q->npend] = day + actual_lead(&rl, p);
				q->ord[q->npend] = day;
				q->qty[q->npend] = o;
				q->oid[q->npend] = new_order(q->prod, q->wh, day, day + p->lead,
											 q->arr[q->npend], o);
				q->npend++;
			}
		}
	}
	stock_finish(pairs, npair);
	free(pairs);
}
