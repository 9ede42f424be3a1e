/*
 * gen_sales.c: customer invoices (llx_facture, llx_facturedet): intervention invoices
 * (type 0), monthly progress invoices of projects (type 5, "situations"), credit notes
 * (type 2).  Money is computed in integer cents, so total_ttc = total_ht + total_tva exactly,
 * on every line and on every header (header = sum of its lines).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "model.h"

typedef struct Inv
{
	int64_t		day;
	int			type;			/* 0, 2 or 5 */
	int			soc,
				proj,
				src;			/* type 0: bill index; 5: project index; 2: invoice index */
	int			counter,
				final;
	double		pct0,
				pct1;
	int			idx;			/* index before sorting */
} Inv;

static int
cmp_inv(const void *a, const void *b)
{
	const Inv  *x = a,
			   *y = b;

	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	return x->idx - y->idx;
}

static Tbl *tf,
		   *tl;
static int	line_id;

/* one line; returns its total HT in cents and adds its VAT to *tva */
static int64_t
line(int inv, int fk_product, const char *label, double qty, double subprice, double tx,
	 int ptype, int rang, double sitpct, double frac, double buy, int64_t *tva)
{
	int64_t		ht = llround(qty * subprice * frac * 100),
				tv = llround((double) ht * tx / 100);

	F_int(tl, ++line_id);
	F_int(tl, inv);
	F_intn(tl, fk_product, 0);
	F_str(tl, label);
	F_null(tl);
	F_str(tl, "");
	F_dbl(tl, tx, 4);
	F_dbl(tl, qty, 2);
	F_int(tl, 0);
	F_dbl(tl, subprice, 8);
	F_dbl(tl, subprice, 8);
	F_cents(tl, ht);
	F_cents(tl, tv);
	F_cents(tl, ht + tv);
	F_int(tl, ptype);
	F_int(tl, 0);
	F_dbl(tl, buy, 8);
	F_int(tl, 0);
	F_int(tl, rang);
	F_dbl(tl, sitpct, 2);
	F_end(tl);
	*tva += tv;
	return ht;
}

void
gen_sales(void)
{
	Rng			r;
	int			cap = G.nbill * 2 + G.nproj * 40 + 16,
				n = 0,
				i,
				n0 = 0,
				c0 = 0,
				kd,
				step,
				mon = -1,
				seq = 0,
				nneg = 0,
				norph = 0;
	Inv		   *iv = xcalloc(cap, sizeof(Inv));
	int		   *rowid_of;
	char		b[200];

	tf = tbl_open("llx_facture",
				  "rowid,ref,entity,type,fk_soc,datec,datef,date_valid,tms,date_closing,paye,"
				  "close_code,total_tva,total_ht,total_ttc,fk_statut,fk_user_author,"
				  "fk_user_valid,fk_facture_source,fk_projet,fk_cond_reglement,"
				  "fk_mode_reglement,date_lim_reglement,situation_cycle_ref,situation_counter,"
				  "situation_final,retained_warranty,note_public", NULL, 0);
	tl = tbl_open("llx_facturedet",
				  "rowid,fk_facture,fk_product,label,description,vat_src_code,tva_tx,qty,"
				  "remise_percent,subprice,price,total_ht,total_tva,total_ttc,product_type,"
				  "info_bits,buy_price_ht,special_code,rang,situation_percent", NULL, 0);
	rng_init(&r, G.seed, ST_SALES, 0);
	for (i = 0; i < G.nbill; i++)
	{
		Bill	   *bl = &G.bill[i];

		if (!rbern(&r, 0.65))
			continue;
		iv[n].day = bl->day + rint2(&r, 0, 5);
		if (iv[n].day > G.end)
			iv[n].day = G.end;
		iv[n].soc = bl->soc;
		iv[n].proj = bl->proj;
		iv[n].src = i;
		iv[n].idx = n;
		n++;
		if (rbern(&r, 0.03) && iv[n - 1].day + 20 <= G.end)
		{
			iv[n] = iv[n - 1];
			iv[n].type = 2;
			iv[n].day += rint2(&r, 3, 20);
			iv[n].src = n - 1;
			iv[n].idx = n;
			n++;
		}
	}
	for (i = 0; i < G.nproj; i++)
	{
		Proj	   *p = &G.proj[i];
		int64_t		last = p->datee < G.end ? p->datee : G.end,
					d;
		int			nm = (int) ((p->datee - p->dateo) / 30) + 1,
					c = 0;

		if (p->status == 0)
			continue;
		for (d = p->dateo + 30; d <= last + 30 && d <= G.end && c < 38; d += 30)
		{
			c++;
			iv[n].type = 5;
			iv[n].day = d;
			iv[n].soc = p->soc;
			iv[n].proj = i + 1;
			iv[n].src = i;
			iv[n].counter = c;
			iv[n].pct0 = c == 1 ? 0 : iv[n - 1].pct1;
			iv[n].pct1 = c >= nm ? 100 : floor(100.0 * c / nm);
			iv[n].final = iv[n].pct1 >= 100;
			iv[n].idx = n;
			n++;
			if (iv[n - 1].final)
				break;
		}
	}
	qsort(iv, n, sizeof(Inv), cmp_inv);
	rowid_of = xcalloc(n, sizeof(int));
	for (i = 0; i < n; i++)
	{
		rowid_of[iv[i].idx] = i + 1;
		n0 += iv[i].type == 0;
	}
	kd = dirt_count(n0, 0.004);
	step = n0 / (kd + 1);
	for (i = 0; i < n; i++)
	{
		Inv		   *v = &iv[i];
		int			rowid = i + 1,
					y,
					m,
					d,
					st,
					paye;
		int64_t		ht = 0,
					tva = 0,
					age = G.end - v->day;
		double		tx = v->type == 5 || rbern(&r, 0.3) ? 20 : 10;
		int			zero = 0,
					neg = 0,
					orph = 0;
		Rng			rl;

		rng_init(&rl, G.seed, ST_INVLINE, (uint64_t) v->idx);
		if (v->type == 0)
		{
			zero = c0 % step == step / 2 && c0 / step < kd;
			neg = c0 % step == step / 4 && c0 / step < kd;
			orph = c0 % step == 3 * step / 4 && c0 / step < kd;
			c0++;
		}
		if (v->type == 0 || v->type == 2)
		{
			Bill	   *bl = &G.bill[v->type == 0 ? v->src : 0];
			int			np = rint2(&rl, 0, 2),
						l;

			if (v->type == 2)
			{
				/* a credit note refunds the travel costs of its source invoice */
				ht += line(rowid, 0, "Avoir : remise sur frais de déplacement", 1,
						   -floor(runif2(&rl, 20, 60)), tx, 1, 1, 100, 1, 0, &tva);
			}
			else
			{
				snprintf(b, sizeof b, "Main d'œuvre technicien (ticket n°%d)", bl->ticket);
				ht += line(rowid, 0, b, bl->hours, bl->rate, tx, 1, 1, 100, 1, 0, &tva);
				ht += line(rowid, 0, "Déplacement", 1, floor(runif2(&rl, 35, 60)), tx, 1, 2,
						   100, 1, 0, &tva);
				for (l = 0; l < np; l++)
				{
					int			pi = rint2(&rl, 0, G.nprod - 1);

					product_label(pi, b, sizeof b);
					ht += line(rowid, pi + 1, b, rint2(&rl, 1, 4), G.prod[pi].price, tx, 0,
							   3 + l, 100, 1, G.prod[pi].cost, &tva);
				}
				if (neg)
				{
					int			pi = rint2(&rl, 0, G.nprod - 1);

					ht += line(rowid, pi + 1, "Reprise de matériel non utilisé",
							   -rint2(&rl, 1, 3), G.prod[pi].price, tx, 0, 9, 100, 1,
							   G.prod[pi].cost, &tva);
					truth_dirt("negative_qty", "llx_facturedet", line_id, "qty");
					nneg++;
				}
				if (orph)
				{
					ht += line(rowid, G.nprod + 500 + norph, "Article supprimé du catalogue",
							   1, 12.5, tx, 0, 10, 100, 1, 0, &tva);
					truth_dirt("orphan_key", "llx_facturedet", line_id, "fk_product");
					norph++;
				}
			}
		}
		else
		{
			Proj	   *p = &G.proj[v->src];
			int			nlot = 1 + (int) (p->budget > 50000) + (int) (p->budget > 120000),
						l;

			for (l = 0; l < nlot; l++)
			{
				double		amount = floor(p->budget / nlot);

				snprintf(b, sizeof b, "Lot %d : travaux selon devis – avancement %.0f %%", l + 1,
						 v->pct1);
				ht += line(rowid, 0, b, 1, amount, tx, 1, l + 1, v->pct1,
						   (v->pct1 - v->pct0) / 100.0, 0, &tva);
			}
		}
		if (age > 45)
		{
			double		u = runif(&r);

			st = u < 0.90 ? 2 : u < 0.96 ? 1 : 3;
		}
		else
		{
			double		u = runif(&r);

			st = u < 0.75 ? 1 : u < 0.90 ? 2 : 0;
		}
		if (v->type == 2)
			st = 2;
		paye = st == 2;
		civil_from_days(v->day, &y, &m, &d);
		if (y * 12 + m != mon)
		{
			mon = y * 12 + m;
			seq = 0;
		}
		if (st == 0)
			snprintf(b, sizeof b, "(PROV%d)", rowid);
		else
			snprintf(b, sizeof b, "%s%02d%02d-%04d", v->type == 2 ? "AV" : "FA", y % 100, m, ++seq);
		if (zero)
			truth_dirt("zero_date", "llx_facture", rowid, "datef");
		F_int(tf, rowid);
		F_str(tf, b);
		F_int(tf, 1);
		F_int(tf, v->type);
		F_int(tf, v->soc);
		F_dt(tf, ts_of(v->day, 17, rint2(&r, 0, 59), 0));
		F_date(tf, zero ? T_ZERO : v->day);
		F_date(tf, st == 0 ? T_NULL : v->day);
		F_dt(tf, ts_of(paye ? (v->day + 30 < G.end ? v->day + 30 : G.end) : v->day, 18, 0, 0));
		F_dt(tf, st >= 2 ? ts_of(v->day + 30 < G.end ? v->day + 30 : G.end, 18, 0, 0) : T_NULL);
		F_int(tf, paye);
		F_str(tf, st == 3 ? "abandon" : NULL);
		F_cents(tf, tva);
		F_cents(tf, ht);
		F_cents(tf, ht + tva);
		F_int(tf, st);
		F_int(tf, G.admin);
		F_intn(tf, st == 0 ? 0 : G.admin, 0);
		F_intn(tf, v->type == 2 ? rowid_of[v->src] : 0, 0);
		F_intn(tf, v->proj, 0);
		F_int(tf, 2);
		F_int(tf, rint2(&r, 2, 7));
		F_date(tf, v->day + 30);
		F_intn(tf, v->type == 5 ? v->src + 1 : 0, 0);
		F_intn(tf, v->type == 5 ? v->counter : 0, 0);
		F_intn(tf, v->type == 5 ? v->final : -1, -1);
		F_intn(tf, v->type == 5 ? 5 : -1, -1);
		F_str(tf, v->type == 5 ? "Retenue de garantie 5 % – levée à la réception." : NULL);
		F_end(tf);
	}
	(void) nneg;
	free(rowid_of);
	free(iv);
}
