/*
 * gen_orders.c: customer orders (llx_commande, llx_commandedet) for the virtual stock of
 * issue 16, from their own PRNG stream (the other tables do not change).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Orders of the last 45 days, about 0.6 per product, each of 1 to 3 product lines (and
 * sometimes a delivery service line without product).  Statuses as Dolibarr's
 * Commande::STATUS_*: an order is validated (1) or still a draft (0) in its first 4 days,
 * then being shipped (2) or closed (3) until day 9, closed after; 5 % are canceled (-1).
 * Dolibarr's virtual stock subtracts the lines of the orders of status 1 and 2.
 */
#include "model.h"

void
gen_orders(void)
{
	Tbl		   *tc = tbl_open("llx_commande",
							  "rowid,ref,entity,fk_soc,fk_projet,tms,date_creation,date_valid,"
							  "date_cloture,date_commande,fk_user_author,fk_user_valid,"
							  "fk_user_cloture,source,fk_statut,total_tva,total_ht,total_ttc,"
							  "facture,date_livraison,fk_warehouse,multicurrency_code", NULL, 0);
	Tbl		   *td = tbl_open("llx_commandedet",
							  "rowid,fk_commande,fk_product,label,description,tva_tx,qty,price,"
							  "subprice,total_ht,total_tva,total_ttc,product_type,rang,"
							  "buy_price_ht,special_code", NULL, 0);
	Rng			r;
	int			norders = G.nprod * 6 / 10 + 5,
				o,
				lid = 0;
	char		b[192];

	rng_init(&r, G.seed, ST_ORDERS, 2);
	for (o = 1; o <= norders; o++)
	{
		int			age = rint2(&r, 0, 44);
		int64_t		day = G.end - age;
		int			soc = 1 + rint2(&r, 0, G.ncust - 1);
		int			nl = rint2(&r, 1, 3),
					st,
					l,
					y,
					m,
					d;
		int64_t		ht = 0,
					tva = 0;
		double		u = runif(&r);

		if (u < 0.05)
			st = -1;
		else if (age <= 4)
			st = u < 0.6 ? 1 : 0;
		else if (age <= 9)
			st = u < 0.6 ? 2 : 3;
		else
			st = 3;
		for (l = 0; l < nl; l++)
		{
			int			pi = rint2(&r, 0, G.nprod - 1);
			const Prod *p = &G.prod[pi];
			double		qty = floor(p->usual * runif2(&r, 0.5, 2.0) + 0.5);
			int64_t		lht,
						ltv;

			if (p->pattern == P_OBSOLETE)
				continue;		/* no longer sold */
			if (qty < 1)
				qty = 1;
			lht = llround(qty * p->price * 100);
			ltv = llround((double) lht * 0.2);
			ht += lht;
			tva += ltv;
			F_int(td, ++lid);
			F_int(td, o);
			F_int(td, pi + 1);
			product_label(pi, b, sizeof b);
			F_str(td, b);
			F_null(td);
			F_dbl(td, 20, 4);
			F_dbl(td, qty, 0);
			F_dbl(td, p->price, 8);
			F_dbl(td, p->price, 8);
			F_cents(td, lht);
			F_cents(td, ltv);
			F_cents(td, lht + ltv);
			F_int(td, 0);
			F_int(td, l + 1);
			F_dbl(td, p->cost, 8);
			F_int(td, 0);
			F_end(td);
		}
		if (rbern(&r, 0.15))
		{						/* delivery to the site: a service line, no product */
			int64_t		lht = 4500,
						ltv = 900;

			ht += lht;
			tva += ltv;
			F_int(td, ++lid);
			F_int(td, o);
			F_null(td);
			F_str(td, "Livraison sur chantier");
			F_null(td);
			F_dbl(td, 20, 4);
			F_dbl(td, 1, 0);
			F_dbl(td, 45, 8);
			F_dbl(td, 45, 8);
			F_cents(td, lht);
			F_cents(td, ltv);
			F_cents(td, lht + ltv);
			F_int(td, 1);
			F_int(td, nl + 1);
			F_dbl(td, 0, 8);
			F_int(td, 0);
			F_end(td);
		}
		civil_from_days(day, &y, &m, &d);
		F_int(tc, o);
		if (st == 0)
			snprintf(b, sizeof b, "(PROV%d)", o);
		else
			snprintf(b, sizeof b, "CO%02d%02d-%04d", y % 100, m, o);
		F_str(tc, b);
		F_int(tc, 1);
		F_int(tc, soc);
		F_intn(tc, G.cust[soc - 1].proj, 0);
		F_dt(tc, ts_of(st == 3 ? day + (age > 9 ? 9 : age) : day, 18, 0, 0));
		F_dt(tc, ts_of(day, 9, 0, 0));
		F_dt(tc, st == 0 ? T_NULL : ts_of(day, 9, 10, 0));
		F_dt(tc, st == 3 ? ts_of(day + (age > 9 ? 9 : age), 17, 0, 0) : T_NULL);
		F_date(tc, st == 0 ? T_NULL : day);
		F_int(tc, G.admin);
		F_intn(tc, st == 0 ? 0 : G.admin, 0);
		F_intn(tc, st == 3 ? G.admin : 0, 0);
		F_int(tc, 0);
		F_int(tc, st);
		F_cents(tc, tva);
		F_cents(tc, ht);
		F_cents(tc, ht + tva);
		F_int(tc, st == 3 ? 1 : 0);
		F_dt(tc, ts_of(day + 7, 8, 0, 0));
		F_null(tc);
		F_str(tc, "EUR");
		F_end(tc);
	}
}
