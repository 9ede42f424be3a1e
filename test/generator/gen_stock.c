/*
 * gen_stock.c: the product catalogue and its demand model, warehouses and supplier prices
 * (llx_entrepot, llx_product_fournisseur_price; llx_product is written by gen_stock2.c once
 * the stock is known).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Demand of product p on day d (demand_mean): level(d) x weekly(dow) x yearly(d) x promo(d),
 * level(d) = base x (1 + trend x years since start), weekly: Monday-Friday 1, Saturday
 * 1 - weekly_amp, Sunday 0.02, normalised to a weekly mean of 1; yearly: 1 - yearly_amp in
 * August and from 20 December to 3 January (half of it in the shoulder weeks), else 1.
 */
#include "model.h"

typedef struct Family
{
	const char *label;
	double		pmin,
				pmax;
} Family;

static const Family families[] = {
	{"Tube cuivre Ø14 (barre 2 m)", 9, 15}, {"Câble R2V 3G2,5 (couronne 50 m)", 60, 95},
	{"Sac ciment 35 kg", 8, 12}, {"Plaque de plâtre BA13 2500x1200", 7, 11},
	{"Peinture acrylique blanche 10 L", 45, 80}, {"Vis bois 4x40 (boîte de 200)", 6, 12},
	{"Chevilles nylon Ø8 (boîte de 100)", 5, 9}, {"Radiateur acier 1000 W", 120, 250},
	{"Chauffe-eau électrique 200 L", 350, 600}, {"Mitigeur lavabo chromé", 40, 120},
	{"Disjoncteur divisionnaire 20 A", 8, 20}, {"Tuile mécanique terre cuite", 1, 3},
	{"Laine de verre 100 mm (rouleau)", 25, 45}, {"Mastic silicone sanitaire 310 ml", 5, 10},
	{"Raccord PER Ø16 à sertir", 2, 6}, {"Interrupteur va-et-vient", 4, 12},
	{"Parpaing creux 20x20x50", 1.5, 3}, {"Gaine ICTA Ø20 (50 m)", 20, 35},
	{"Colle carrelage C2 25 kg", 14, 25}, {"Membrane d'étanchéité (rouleau 10 m²)", 60, 110},
	{"Siphon PVC Ø40", 3, 8}, {"Thermostat d'ambiance programmable", 45, 150},
	{"Serrure 3 points", 90, 220}, {"Bande à joint 150 m", 4, 8},
};
#define NFAM ((int) (sizeof families / sizeof families[0]))

static const char *const wh_names[] = {"Dépôt central Lyon", "Dépôt Paris Nord",
"Dépôt Marseille Est"};

/* raw weekly profile and its normalisation */
static double
weekly(const Prod *p, int64_t day)
{
	int			w = dow_of(day);
	double		norm = 7.0 / (5.0 + (1.0 - p->wamp) + 0.02);

	if (w < 5)
		return norm;
	return w == 5 ? (1.0 - p->wamp) * norm : 0.02 * norm;
}

static double
yearly(const Prod *p, int64_t day)
{
	int			y,
				m,
				d;
	double		dip = 0;

	civil_from_days(day, &y, &m, &d);
	if (m == 8 || (m == 12 && d >= 20) || (m == 1 && d <= 3))
		dip = 1;
	else if ((m == 7 && d >= 20) || (m == 9 && d <= 7) || (m == 12 && d >= 13) ||
			 (m == 1 && d <= 10))
		dip = 0.5;
	return 1.0 - p->yamp * dip;
}

double
demand_mean(const Prod *p, int64_t day)
{
	double		lvl = 1.0 + p->trend * (double) (day - G.start) / 365.25,
				v;
	int			k;

	if (p->pattern == P_OBSOLETE && day > p->stop)
		return 0;
	if (lvl < 0.05)
		lvl = 0.05;
	v = p->base * lvl * weekly(p, day) * yearly(p, day);
	for (k = 0; k < p->npromo; k++)
		if (day >= p->ps[k] && day <= p->pe[k])
			v *= p->up[k];
	return v;
}

static void
gen_warehouses(void)
{
	Tbl		   *t = tbl_open("llx_entrepot",
							 "rowid,ref,datec,tms,entity,fk_project,description,lieu,address,"
							 "zip,town,fk_pays,statut,warehouse_usage,fk_user_author,fk_parent",
							 NULL, 0);
	int			i,
				best = 1;
	int64_t		len = -1;
	char		b[128];

	/* the site warehouse serves the longest project */
	for (i = 0; i < G.nproj; i++)
		if (G.proj[i].datee - G.proj[i].dateo > len)
		{
			len = G.proj[i].datee - G.proj[i].dateo;
			best = i + 1;
		}
	G.site_wh = G.nwh == 2 ? 2 : 3;
	G.site_proj = best;
	for (i = 1; i <= G.nwh; i++)
	{
		int			site = i == G.site_wh;
		int			k = i < G.site_wh ? i - 1 : i - 2;
		int			city = site ? G.cust[G.proj[best - 1].soc - 1].city : (k == 0 ? 1 : k == 1 ? 0 : 2);

		if (site)
			snprintf(b, sizeof b, "Chantier PJ %d (base vie)", best);
		else
			snprintf(b, sizeof b, "%s", wh_names[k]);
		F_int(t, i);
		F_str(t, b);
		F_dt(t, ts_of(G.start - 400 + i, 9, 0, 0));
		F_dt(t, ts_of(G.start - 400 + i, 9, 0, 0));
		F_int(t, 1);
		F_intn(t, site ? best : 0, 0);
		F_str(t, site ? "Stock de chantier" : "Entrepôt de l'entreprise");
		F_str(t, cities[city].name);
		F_str(t, site ? "Base vie" : "ZI des Acacias");
		snprintf(b, sizeof b, "%s100", cities[city].zip);
		F_str(t, b);
		F_str(t, cities[city].name);
		F_int(t, 1);
		F_int(t, 1);
		F_int(t, 1);
		F_int(t, G.admin);
		F_int(t, 0);
		F_end(t);
	}
}

void
gen_products(void)
{
	Rng			r;
	Tbl		   *tf;
	int			i,
				k,
				fid = 0;
	int			nplant = G.nprod / 20 > 2 ? G.nprod / 20 : 2,
				nodd = dirt_count(G.nprod, 0.02);
	char		b[160];

	gen_warehouses();
	tf = tbl_open("llx_product_fournisseur_price",
				  "rowid,entity,datec,tms,fk_product,fk_soc,ref_fourn,desc_fourn,price,quantity,"
				  "remise_percent,remise,unitprice,charges,tva_tx,info_bits,fk_user,"
				  "delivery_time_days,packaging,status", NULL, 0);
	rng_init(&r, G.seed, ST_PROD, 0);
	G.prod = xcalloc(G.nprod, sizeof(Prod));
	for (i = 0; i < G.nprod; i++)
	{
		Prod	   *p = &G.prod[i];
		static const double pw[P_NPAT] = {0.35, 0.20, 0.15, 0.10, 0.08, 0.12};
		static const int packs[] = {1, 5, 10, 25, 50};
		const Family *f = &families[i % NFAM];
		int			nsup;

		p->pattern = rpick(&r, pw, P_NPAT);
		p->base = exp(runif2(&r, log(0.8), log(20)));
		p->trend = runif2(&r, -0.15, 0.35);
		p->wamp = runif2(&r, 0.2, 0.5);
		p->yamp = runif2(&r, 0.0, 0.1);
		switch (p->pattern)
		{
			case P_SEASONAL:
				p->yamp = runif2(&r, 0.45, 0.75);
				break;
			case P_INTERMITTENT:
				p->occ = 1.0 / runif2(&r, 1.6, 4.0);
				p->size = runif2(&r, 1.0, 4.0);
				p->base = p->occ * p->size;
				p->trend = p->yamp = 0;
				break;
			case P_LUMPY:
				p->occ = 1.0 / runif2(&r, 2.0, 6.0);
				p->size = runif2(&r, 3.0, 30.0);
				p->base = p->occ * p->size * exp(0.32);
				p->trend = p->yamp = 0;
				break;
			case P_OBSOLETE:
				p->stop = G.end - 365 - rint2(&r, 0, 60);
				break;
			case P_PROMO:
				p->npromo = rint2(&r, 2, 3);
				for (k = 0; k < p->npromo; k++)
				{
					int64_t		span = (G.end - 40 - (G.start + 60)) / p->npromo;

					p->ps[k] = G.start + 60 + span * k + rint2(&r, 0, (int) span - 30);
					p->pe[k] = p->ps[k] + rint2(&r, 6, 13);
					p->up[k] = floor(runif2(&r, 2.0, 3.0) * 100) / 100;
					truth_promotion(i + 1, p->ps[k], p->pe[k], p->up[k]);
				}
				break;
		}
		p->usual = p->pattern == P_INTERMITTENT ? p->size
			: p->pattern == P_LUMPY ? p->size * 1.4 : p->base * 1.2;
		if (p->usual < 1)
			p->usual = 1;
		truth_demand(i + 1, pattern_names[p->pattern], p->base, p->trend, p->wamp, p->yamp,
					 p->npromo);
		p->price = floor(runif2(&r, f->pmin, f->pmax) * 100) / 100;
		p->cost = floor(p->price * runif2(&r, 0.5, 0.7) * 100) / 100;
		p->lead = rint2(&r, 2, 30);
		p->pack = packs[p->base > 10 ? rint2(&r, 2, 4) : p->base > 3 ? rint2(&r, 0, 2) : rint2(&r, 0, 1)];
		p->supp = G.ncust + 1 + rint2(&r, 0, G.nsupp - 1);
		p->wh = G.nwh == 2 ? 1 : (rbern(&r, 0.6) ? 1 : (G.nwh == 4 && rbern(&r, 0.5) ? 4 : 2));
		p->wh2 = rbern(&r, 0.12) ? G.site_wh : 0;
		if (i % (G.nprod / nodd) == 5 && i / (G.nprod / nodd) < nodd)
		{
			p->oddday = G.start + rint2(&r, 30, (int) (G.end - G.start) - 5);
			if (p->pattern == P_OBSOLETE && p->oddday > p->stop)
				p->oddday = p->stop - 10;
		}

		/* supplier prices: the main supplier, sometimes a slower and dearer second one */
		nsup = rbern(&r, 0.3) ? 2 : 1;
		for (k = 0; k < nsup; k++)
		{
			int			soc = k == 0 ? p->supp : G.ncust + 1 + (p->supp - G.ncust) % G.nsupp;
			double		up = p->cost * (k == 0 ? 1.0 : 1.08);

			F_int(tf, ++fid);
			F_int(tf, 1);
			F_dt(tf, ts_of(G.start - 100, 10, 0, 0));
			F_dt(tf, ts_of(G.start - 100, 10, 0, 0));
			F_int(tf, i + 1);
			F_int(tf, soc);
			snprintf(b, sizeof b, "F%d-%05d", soc, i + 1);
			F_str(tf, b);
			F_str(tf, f->label);
			F_dbl(tf, up * p->pack, 8);
			F_dbl(tf, p->pack, 0);
			F_int(tf, 0);
			F_int(tf, 0);
			F_dbl(tf, up, 8);
			F_int(tf, 0);
			F_dbl(tf, 20, 4);
			F_int(tf, 0);
			F_int(tf, G.admin);
			F_int(tf, k == 0 ? p->lead : p->lead + rint2(&r, 3, 10));
			F_dbl(tf, p->pack, 0);
			F_int(tf, 1);
			F_end(tf);
		}
	}
	/*
	 * More price tiers (issue 16), from their own stream and after the rows above (which do
	 * not change): for a fifth of the products a third supplier as fast as the main one and
	 * 5 % cheaper, but with a minimum order of 8 packs (the supplier a buyer is proposed, MOQ
	 * above the packaging); for another seventh a volume tier of the main supplier (20 packs,
	 * 10 % off).  Packaging and delay stay the product's, so dw.dim_product keeps them.
	 */
	rng_init(&r, G.seed, ST_ORDERS, 1);
	for (i = 0; i < G.nprod; i++)
	{
		Prod	   *p = &G.prod[i];
		const Family *f = &families[i % NFAM];
		double		u = runif(&r),
					up;
		int			soc,
					qty;

		if (u < 0.20)
		{
			soc = G.ncust + 1 + (p->supp - G.ncust + 1) % G.nsupp;
			up = p->cost * 0.95;
			qty = 8 * p->pack;
		}
		else if (u < 0.35)
		{
			soc = p->supp;
			up = p->cost * 0.90;
			qty = 20 * p->pack;
		}
		else
			continue;
		F_int(tf, ++fid);
		F_int(tf, 1);
		F_dt(tf, ts_of(G.start - 90, 10, 0, 0));
		F_dt(tf, ts_of(G.start - 90, 10, 0, 0));
		F_int(tf, i + 1);
		F_int(tf, soc);
		snprintf(b, sizeof b, "F%d-%05d-Q%d", soc, i + 1, qty);
		F_str(tf, b);
		F_str(tf, f->label);
		F_dbl(tf, up * qty, 8);
		F_dbl(tf, qty, 0);
		F_int(tf, 0);
		F_int(tf, 0);
		F_dbl(tf, up, 8);
		F_int(tf, 0);
		F_dbl(tf, 20, 4);
		F_int(tf, 0);
		F_int(tf, G.admin);
		F_int(tf, p->lead);
		F_dbl(tf, p->pack, 0);
		F_int(tf, 1);
		F_end(tf);
	}
	/* products whose stock will run out within their lead time: regular sellers only */
	for (i = 0, k = 0; i < G.nprod && k < nplant; i++)
	{
		Prod	   *p = &G.prod[(i * 7 + 3) % G.nprod];

		if ((p->pattern == P_SMOOTH || p->pattern == P_SEASONAL) && p->base >= 1.5 &&
			!p->oddday && !p->planted)
		{
			p->planted = 1;
			k++;
		}
	}
}

/* the label of product index i (also used on invoice and order lines) */
void
product_label(int i, char *buf, size_t n)
{
	snprintf(buf, n, "%s – modèle %d", families[i % NFAM].label, i / NFAM + 1);
}
