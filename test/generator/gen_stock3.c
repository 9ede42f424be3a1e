/*
 * gen_stock3.c: the end of the stock simulation: llx_product_stock (reel = SUM(value), except
 * the planted dirty rows), llx_product, the supplier orders (llx_commande_fournisseur and
 * llx_commande_fournisseurdet, one line each: every order of gen_stock2.c, received ones with
 * fk_statut 5, the ones still in transit open), truth_lead_time and truth_stockout.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "model.h"

static void
write_products(const Pair *pairs, int npair)
{
	Tbl		   *t = tbl_open("llx_product",
							 "rowid,ref,entity,datec,tms,label,description,price,price_ttc,"
							 "price_min,price_min_ttc,price_base_type,cost_price,tva_tx,"
							 "fk_user_author,tosell,tobuy,fk_product_type,seuil_stock_alerte,"
							 "stock,pmp,desiredstock,fk_default_warehouse,finished,"
							 "stockable_product,packaging", NULL, 0);
	int			i,
				k;
	char		b[192];

	for (k = 0; k < npair; k++)
		G.prod[pairs[k].prod].stock_total += pairs[k].onhand;
	for (i = 0; i < G.nprod; i++)
	{
		Prod	   *p = &G.prod[i];
		int64_t		datec = G.start - 30 - i % 200;

		F_int(t, i + 1);
		snprintf(b, sizeof b, "MAT-%05d", i + 1);
		F_str(t, b);
		F_int(t, 1);
		F_dt(t, ts_of(datec, 9, 0, 0));
		F_dt(t, ts_of(datec, 9, 30, 0));
		product_label(i, b, sizeof b);
		F_str(t, b);
		F_str(t, i % 17 == 0 ? "Conforme NF.\nStocké à l'abri de l'humidité." : NULL);
		F_dbl(t, p->price, 8);
		F_dbl(t, p->price * 1.2, 8);
		F_dbl(t, p->cost, 8);
		F_dbl(t, p->cost * 1.2, 8);
		F_str(t, "HT");
		F_dbl(t, p->cost, 8);
		F_dbl(t, 20, 4);
		F_int(t, G.admin);
		F_int(t, p->pattern == P_OBSOLETE ? 0 : 1);
		F_int(t, p->pattern == P_OBSOLETE ? 0 : 1);
		F_int(t, 0);
		F_dbl(t, p->reorder, 0);
		F_dbl(t, p->stock_total, 0);
		F_dbl(t, p->cost, 8);
		F_dbl(t, p->upto, 0);
		F_int(t, p->wh);
		F_int(t, 0);
		F_int(t, 1);
		F_dbl(t, p->pack, 8);
		F_end(t);
	}
}

static void
write_orders(void)
{
	Tbl		   *tc = tbl_open("llx_commande_fournisseur",
							  "rowid,ref,entity,fk_soc,fk_projet,tms,date_creation,date_valid,"
							  "date_approve,date_commande,fk_user_author,fk_user_valid,"
							  "fk_user_approve,source,fk_statut,billed,total_tva,total_ht,"
							  "total_ttc,date_livraison,fk_input_method", NULL, 0);
	Tbl		   *td = tbl_open("llx_commande_fournisseurdet",
							  "rowid,fk_commande,fk_product,ref,label,tva_tx,qty,subprice,"
							  "total_ht,total_tva,total_ttc,product_type,rang", NULL, 0);
	int			k;
	char		b[192];

	for (k = 0; k < nsorders; k++)
	{
		const SOrder *o = &sorders[k];
		const Prod *p = &G.prod[o->prod];
		int64_t		od = o->ordered;
		int64_t		ht = llround(o->qty * p->cost * 100),
					tva = llround((double) ht * 0.2);
		int			y,
					m,
					d,
					id = k + 1,
		/* received: 5 (received completely); in transit: validated or approved when placed
		 * on the last days, else ordered (3), one in ten received partially (4) */
					st = o->received ? 5
			: od >= G.end - 1 ? 1 + (int) (mix64(G.seed + (uint64_t) id) % 2)
			: (id % 10 == 7 ? 4 : 3);

		truth_lead_time(id, o, p->lead);
		civil_from_days(od, &y, &m, &d);
		F_int(tc, id);
		snprintf(b, sizeof b, "CF%02d%02d-%04d", y % 100, m, id);
		F_str(tc, b);
		F_int(tc, 1);
		F_int(tc, p->supp);
		F_intn(tc, o->wh == G.site_wh ? G.site_proj : 0, 0);
		F_dt(tc, o->received ? ts_of(o->arrival, 8, 0, 0) : ts_of(od, 16, 0, 0));
		F_dt(tc, ts_of(od, 15, 0, 0));
		F_dt(tc, ts_of(od, 15, 5, 0));
		F_dt(tc, st >= 2 ? ts_of(od, 15, 30, 0) : T_NULL);
		F_date(tc, st >= 3 ? od : T_NULL);
		F_int(tc, G.admin);
		F_int(tc, G.admin);
		F_intn(tc, st >= 2 ? G.admin : 0, 0);
		F_int(tc, 42);
		F_int(tc, st);
		F_int(tc, 0);
		F_cents(tc, tva);
		F_cents(tc, ht);
		F_cents(tc, ht + tva);
		F_dt(tc, ts_of(o->due, 8, 0, 0));
		F_int(tc, 0);
		F_end(tc);

		F_int(td, id);
		F_int(td, id);
		F_int(td, o->prod + 1);
		snprintf(b, sizeof b, "F%d-%05d", p->supp, o->prod + 1);
		F_str(td, b);
		product_label(o->prod, b, sizeof b);
		F_str(td, b);
		F_dbl(td, 20, 4);
		F_dbl(td, o->qty, 0);
		F_dbl(td, p->cost, 8);
		F_cents(td, ht);
		F_cents(td, tva);
		F_cents(td, ht + tva);
		F_int(td, 0);
		F_int(td, 1);
		F_end(td);
	}
}

void
stock_finish(Pair *pairs, int npair)
{
	Tbl		   *ts = tbl_open("llx_product_stock", "rowid,tms,fk_product,fk_entrepot,reel",
							  NULL, 0);
	int			k,
				knull = dirt_count(npair, 0.01),
				korph = dirt_count(npair, 0.01),
				step = npair / (knull + 1),
				nnull = 0;

	for (k = 0; k < npair; k++)
	{
		Pair	   *q = &pairs[k];
		Prod	   *p = &G.prod[q->prod];
		int			nul = 0;
		double		s,
					S,
					lvl = 1.0 + p->trend * (double) (G.end - G.start) / 365.25;
		double		m = p->base * (lvl < 0.05 ? 0.05 : lvl);

		s = ceil(m * (p->lead + 5) * 1.25 + 2);
		S = s + ceil(m * 21);
		if (q->factor == 1.0)
		{
			p->reorder = s;
			p->upto = S;
		}
		if (k % step == step / 2 && nnull < knull && !p->planted)
		{
			nul = 1;
			nnull++;
			truth_dirt("null_value", "llx_product_stock", k + 1, "reel");
		}
		F_int(ts, k + 1);
		F_dt(ts, ts_of(G.end, 19, 0, 0));
		F_int(ts, q->prod + 1);
		F_int(ts, q->wh);
		if (nul)
			F_null(ts);
		else
			F_dbl(ts, q->onhand, 0);
		F_end(ts);

		/* planted stock-outs: when does the end stock run out? */
		if (p->planted && q->factor == 1.0)
		{
			double		cum = 0;
			int64_t		d = G.end;

			if (q->onhand > 0)
				for (d = G.end + 1; d <= G.end + p->lead; d++)
				{
					cum += demand_mean(p, d);
					if (cum >= q->onhand)
						break;
				}
			if (d <= G.end + p->lead)
				truth_stockout(q->prod + 1, q->wh, q->onhand, p->lead, d);
		}
	}
	/* stock rows of products that do not exist */
	for (k = 0; k < korph; k++)
	{
		int			id = npair + k + 1;

		truth_dirt("orphan_key", "llx_product_stock", id, "fk_product");
		F_int(ts, id);
		F_dt(ts, ts_of(G.end, 19, 0, 0));
		F_int(ts, G.nprod + 1000 + k);
		F_int(ts, 1);
		F_int(ts, 5 + k);
		F_end(ts);
	}
	write_products(pairs, npair);
	write_orders();
	free(sorders);
	sorders = NULL;
	nsorders = 0;
}
