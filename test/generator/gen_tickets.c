/*
 * gen_tickets.c: the ticket model: who calls, when, what for, how long it really takes,
 * what it costs, how satisfied the customer is, and the planted anomalies and dirt.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * actual hours = base(type) x city factor x technician speed x (estimate / base)^0.8
 *                x lognormal(sigma 0.2, truncated at 3 sigma)
 * so that a model using type, estimate, city and technician beats both "the estimate as
 * given" and "the mean per type".  Satisfaction of closed tickets is 3..5 except the planted
 * low_satisfaction ones (1).  Rows are written by gen_tickets2.c.
 */
#include "model.h"

const char *const itype_names[5] = {"maintenance", "repair", "installation", "inspection",
"emergency"};
static const double base_hours[5] = {2.0, 3.0, 6.0, 1.5, 2.5};

static int
cmp_tk(const void *a, const void *b)
{
	const Tk   *x = a,
			   *y = b;

	if (x->datec != y->datec)
		return x->datec < y->datec ? -1 : 1;
	return x->soc < y->soc ? -1 : x->soc > y->soc;
}

static double
round_q(double h)				/* to the quarter hour, at least 0.25 */
{
	h = floor(h * 4 + 0.5) / 4;
	return h < 0.25 ? 0.25 : h;
}

/* the first ticket at or after position from that satisfies ok() and is still clean */
static int
find_from(Tk *tk, int n, int from, int need_fi)
{
	int			i,
				j;

	for (j = 0; j < n; j++)
	{
		i = (from + j) % n;
		if (tk[i].dirt || tk[i].anomaly)
			continue;
		if (need_fi == 1 && !(tk[i].status == 8 && tk[i].has_fi))
			continue;
		if (need_fi == 2 && tk[i].status != 8)
			continue;
		return i;
	}
	return -1;
}

static void
plant_dirt(Tk *tk, int n)
{
	int			kind,
				j,
				k = dirt_count(n, 0.004);
	Rng			r;

	rng_init(&r, G.seed, ST_DIRT, 1);
	for (kind = 0; kind < 5; kind++)
		for (j = 0; j < k; j++)
		{
			int			i = find_from(tk, n, (int) ((int64_t) n * (5 * j + kind) / (5 * k)) + 7,
									  kind == 0 || kind == 3 ? 0 : kind == 2 ? 2 : 1);
			Tk		   *t;

			if (i < 0)
				continue;
			t = &tk[i];
			switch (kind)
			{
				case 0:
					t->dirt = D_ORPHAN;
					t->cust = -1;
					t->soc = G.nsoc + 1000 + j;
					t->proj = 0;
					t->has_fi = 0;
					truth_dirt("orphan_key", "llx_ticket", i + 1, "fk_soc");
					break;
				case 1:
					t->dirt = D_ZERO;
					t->date_close = T_ZERO;
					truth_dirt("zero_date", "llx_ticket", i + 1, "date_close");
					break;
				case 2:
					t->dirt = D_EBS;
					t->has_fi = 0;
					t->date_close = t->datec - rint2(&r, 3600, 3 * DAY_SECS);
					truth_dirt("end_before_start", "llx_ticket", i + 1, "date_close");
					break;
				case 3:
					t->dirt = D_EMOJI;
					truth_dirt("emoji", "llx_ticket", i + 1, "subject");
					break;
				case 4:
					t->dirt = D_NULLEST;
					truth_dirt("null_value", "llx_ticket_extrafields", i + 1,
							   "estimated_duration");
					break;
			}
		}
}

static void
plant_anomalies(Tk *tk, int n)
{
	int			nel = 0,
				i,
				a,
				j,
				k;
	Rng			r;
	char		b[160];

	for (i = 0; i < n; i++)
		nel += tk[i].status == 8 && tk[i].has_fi && !tk[i].dirt;
	k = (int) (nel * 0.02 + 0.5);
	if (k < 2)
		k = 2;
	rng_init(&r, G.seed, ST_DIRT, 2);
	for (a = A_OVERLONG; a <= A_LOWSAT; a++)
		for (j = 0; j < k; j++)
		{
			Tk		   *t;

			i = find_from(tk, n, (int) ((int64_t) n * (4 * j + a - 1) / (4 * k)), 1);
			if (i < 0)
				continue;
			t = &tk[i];
			t->anomaly = a;
			switch (a)
			{
				case A_OVERLONG:
					t->fih = round_q(t->actual * runif2(&r, 4, 8));
					t->cost *= t->fih / round_q(t->actual);
					snprintf(b, sizeof b, "intervention %.2f h for a usual %.2f h",
							 t->fih, t->actual);
					truth_anomaly("overlong_intervention", "llx_ticket", i + 1, b);
					break;
				case A_COST:
					t->cost *= runif2(&r, 5, 20);
					snprintf(b, sizeof b, "cost %.2f EUR for %.2f h", t->cost, t->fih);
					truth_anomaly("aberrant_cost", "llx_ticket", i + 1, b);
					break;
				case A_GAP:
					t->est = round_q(rbern(&r, 0.5) || t->fih < 2.5 ? t->fih * 5 : t->fih / 5);
					snprintf(b, sizeof b, "estimate %.2f h, actual %.2f h", t->est, t->fih);
					truth_anomaly("estimate_gap", "llx_ticket", i + 1, b);
					break;
				case A_LOWSAT:
					t->sat = 1;
					truth_anomaly("low_satisfaction", "llx_ticket", i + 1, "satisfaction 1");
					break;
			}
		}
}

void
gen_tickets(void)
{
	int			n = G.ntickets,
				i;
	Tk		   *tk = xcalloc(n, sizeof(Tk));
	double	   *w = xcalloc(G.ncust, sizeof(double));
	Rng			r;
	int64_t		endts = ts_of(G.end, 23, 59, 59);

	for (i = 0; i < G.ncust; i++)
		w[i] = G.cust[i].w * (double) (G.cust[i].last - G.cust[i].first + 1);
	rng_init(&r, G.seed, ST_TICKET, 0);
	for (i = 0; i < n; i++)
	{
		Tk		   *t = &tk[i];
		static const double tw[5] = {0.30, 0.30, 0.15, 0.15, 0.10};
		Cust	   *c;
		int64_t		day;

		t->cust = rpick(&r, w, G.ncust);
		c = &G.cust[t->cust];
		t->soc = t->cust + 1;
		t->itype = rpick(&r, tw, 5);
		day = rint2(&r, (int) c->first, (int) c->last);
		if (t->itype != 4 && dow_of(day) >= 5 && rbern(&r, 0.8))
			day += 7 - dow_of(day);
		if (day > c->last)
			day = c->last;
		t->datec = ts_of(day, rint2(&r, 7, 18), rint2(&r, 0, 59), rint2(&r, 0, 59));
	}
	qsort(tk, n, sizeof(Tk), cmp_tk);

	for (i = 0; i < n; i++)
	{
		Tk		   *t = &tk[i];
		Cust	   *c = &G.cust[t->cust];
		int64_t		age = G.end - day_of(t->datec);
		double		b = base_hours[t->itype],
					po;
		Tech	   *te;

		rng_init(&r, G.seed, ST_TICKET2, (uint64_t) i);
		t->cat = t->itype == 4 && rbern(&r, 0.4) ? 8 : rint2(&r, 1, 7);
		t->sev = t->itype == 4 ? (rbern(&r, 0.6) ? 2 : 3) : rpick(&r, (const double[]) {0.3, 0.55, 0.15}, 3);
		t->proj = c->proj && rbern(&r, 0.25) ? c->proj : 0;
		t->est = round_q(b * exp(0.35 * rnorm3(&r)));
		t->tech = rint2(&r, 0, G.ntech - 1);
		if (G.tech[t->tech].city != c->city && rbern(&r, 0.7))
		{
			int			j,
						s = rint2(&r, 0, G.ntech - 1);

			for (j = 0; j < G.ntech; j++)
				if (G.tech[(s + j) % G.ntech].city == c->city)
				{
					t->tech = (s + j) % G.ntech;
					break;
				}
		}
		te = &G.tech[t->tech];
		t->actual = b * cities[c->city].factor * te->speed * pow(t->est / b, 0.8)
			* exp(0.2 * rnorm3(&r));
		t->fih = round_q(t->actual);
		t->cost = floor(t->fih * te->thm * runif2(&r, 0.9, 1.1) * 100) / 100;
		po = age < 30 ? 0.7 * (1.0 - (double) age / 30.0) + 0.05 : 0.01;
		if (rbern(&r, po))
			t->status = (const int[]) {0, 1, 2, 3, 5, 7}[rint2(&r, 0, 5)];
		else
			t->status = rbern(&r, 0.06) ? 9 : 8;
		t->date_read = t->status == 0 ? T_NULL
			: t->datec + (t->itype == 4 ? rint2(&r, 300, 3600) : rint2(&r, 600, 30 * 3600));
		t->date_close = T_NULL;
		if (t->status >= 8)
		{
			double		wait = t->itype == 4 ? runif2(&r, 0.05, 0.5) : runif2(&r, 0.3, 8);

			t->date_close = t->date_read + (int64_t) (wait * DAY_SECS + t->fih * 3600);
			if (t->date_close > endts)
			{
				t->status = 3;
				t->date_close = T_NULL;
			}
		}
		if (t->status < 2)
			t->tech = -1;
		t->has_fi = t->status == 8 && rbern(&r, 0.92);
		if (t->status == 8)
		{
			static const double sw[2][3] = {{0.15, 0.45, 0.40}, {0.5, 0.35, 0.15}};

			t->sat = 3 + rpick(&r, sw[c->kind == K_ATRISK], 3);
		}
	}
	plant_dirt(tk, n);
	plant_anomalies(tk, n);
	write_tickets(tk, n);
	free(w);
	free(tk);
}
