/*
 * test_lead_time_errors.c - the lead-time back-test core (src/lead_time_errors.c)
 * on small series whose models and errors are computed by hand below.
 *
 * Copyright (C) 2026 the doliflow authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lead_time_errors.h"
#include "tap.h"

#define MAXD 1000
#define MAXE 64

static double q[MAXD];
static unsigned char hol[MAXD];
static int64_t lt_r[8],
			lt_d[8];

typedef struct errs
{
	int			n;
	int64_t		day[MAXE],
				h[MAXE];
	double		e[MAXE];
} errs;

static int
collect(void *arg, int64_t day, int64_t h, double e)
{
	errs	   *x = arg;

	if (x->n >= MAXE)
		return 99;
	x->day[x->n] = day;
	x->h[x->n] = h;
	x->e[x->n] = e;
	x->n++;
	return 0;
}

/* one origin k of the input: its model and errors; the status */
static int
run(lte_input *in, int64_t k, lte_model *m, errs *x)
{
	size_t		bytes = lte_workspace_bytes(in);
	void	   *ws;
	int			st;

	memset(x, 0, sizeof(*x));
	if (bytes == 0)
		return lte_check(in) ? lte_check(in) : -1;
	ws = malloc(bytes);
	st = lte_prepare(in, ws);
	if (st == LTE_OK && k >= 0)
		st = lte_origin(in, ws, k, m, collect, x);
	free(ws);
	return st;
}

static void
base(lte_input *in, int n)
{
	memset(in, 0, sizeof(*in));
	memset(q, 0, sizeof(q));
	memset(hol, 0, sizeof(hol));
	in->q = q;
	in->hol = hol;
	in->n = n;
	in->first_dow = 1;
	in->dow_days = 7;
	in->level_days = 7;
	in->lead = 1;
	in->review = 1;
	in->last_day = n - 1;
	in->first_origin = 14;
	in->n_origins = 1;
	in->step = 1;
	in->lt_received = lt_r;
	in->lt_days = lt_d;
}

static int
factors_are(const lte_model *m, const double f[7], double tol)
{
	int			d;

	for (d = 0; d < 7; d++)
		if (!near(m->dow_factor[d], f[d], tol))
			return 0;
	return 1;
}

int
main(void)
{
	lte_input	in;
	lte_model	m;
	errs		x;
	int			i,
				st;
	static const double ones[7] = {1, 1, 1, 1, 1, 1, 1};

	/* 1. constant 2 a day: factors 1, level 2, sigma 0; day 14 forecasts days
	 * 15..16 (L 1 + R 1) as 4, the actual is 4: error 0 known on day 16 */
	base(&in, 20);
	in.dow_days = 14;
	for (i = 0; i < 20; i++)
		q[i] = 2;
	st = run(&in, 0, &m, &x);
	ok(st == LTE_OK, "constant: status %d", st);
	ok(m.origin == 14 && m.level == 2 && m.sigma == 0 && factors_are(&m, ones, 0),
	   "constant: level 2, factors 1, sigma 0 (level %g sigma %g)", m.level, m.sigma);
	ok(m.lead_time_days == 1 && m.risk_days == 2, "constant: L 1, L + R 2");
	ok(x.n == 1 && x.day[0] == 14 && x.h[0] == 2 && x.e[0] == 0, "constant: one error 0 on day 14, horizon 2");

	/* 2. weekday factors: 7 every Monday (days 0, 7, 14 ...), 0 otherwise; windows
	 * of 14 days ending on day 14 (days 1..14: Mondays 7 and 14): mean of Mondays 7,
	 * of the others 0, mean of the means 1 -> f = 7, 0 x 6; level = 14 / (7 x 2) = 1;
	 * residuals 0.  Day 14 with L 6 + R 2 = 8: forecast = 1 x (1 week x 7 + f(Tue) 0) = 7;
	 * actual days 15..22: Monday 21 = 7 -> error 0. */
	base(&in, 30);
	in.dow_days = 14;
	in.level_days = 14;
	in.lead = 6;
	in.review = 2;
	for (i = 0; i < 30; i += 7)
		q[i] = 7;
	st = run(&in, 0, &m, &x);
	{
		static const double f[7] = {7, 0, 0, 0, 0, 0, 0};

		ok(st == LTE_OK && factors_are(&m, f, 1e-15) && near(m.level, 1, 1e-15) && near(m.sigma, 0, 1e-12),
		   "Mondays: f = 7 0 0 0 0 0 0, level 1, sigma 0 (level %g, f1 %g, sigma %g)",
		   m.level, m.dow_factor[0], m.sigma);
		ok(x.n == 1 && x.h[0] == 8 && near(x.e[0], 0, 1e-12), "Mondays: one error 0 over 8 days");

		/* 3. Monday 7 (day 7) a public holiday with demand 100: out of the means and the
		 * level, Monday's mean is day 14's 7 -> f unchanged; level = 7 / (7 x 1) = 1 */
		hol[7] = 1;
		q[7] = 100;
		st = run(&in, 0, &m, &x);
		ok(st == LTE_OK && factors_are(&m, f, 1e-15) && near(m.level, 1, 1e-15) && near(m.sigma, 0, 1e-12),
		   "holiday: its demand is out of the weekday means and the level (level %g, f1 %g)",
		   m.level, m.dow_factor[0]);
		/* the same day not a holiday: Monday mean 53.5, level 107 / 14 */
		hol[7] = 0;
		st = run(&in, 0, &m, &x);
		ok(st == LTE_OK && near(m.level, 107.0 / 14, 1e-14) && near(m.dow_factor[0], 7, 1e-14),
		   "no holiday: Monday mean 53.5, level 107 / 14 (level %g)", m.level);
	}

	/* 4. sigma: days 1..7 = 7 6 5 4 3 2 1, days 8..14 = 1 2 ... 7: every weekday mean
	 * over 14 days is 4 -> f = 1; level over days 8..14 = 28 / 7 = 4; residuals
	 * -3 -2 -1 0 1 2 3 -> sigma = sqrt(28 / 7) = 2.  Day 14 forecasts 2 x 4 = 8 for
	 * days 15, 16 (demand 0): error -8, known on 16. */
	base(&in, 20);
	in.dow_days = 14;
	for (i = 1; i <= 7; i++)
	{
		q[i] = 8 - i;
		q[7 + i] = i;
	}
	st = run(&in, 0, &m, &x);
	ok(st == LTE_OK && factors_are(&m, ones, 1e-15) && m.level == 4 && near(m.sigma, 2, 1e-15),
	   "sigma: level 4, factors 1, sigma 2 (%g)", m.sigma);
	ok(x.n == 1 && x.day[0] == 14 && x.h[0] == 2 && x.e[0] == -8, "sigma: error -8");

	/* 5. negative factors count as 0 in the forecast: Monday -6, other days 2 over
	 * the 7 days to day 14 (days 8..14, day 14 a Monday): mean of the means 6/7,
	 * f = -7 and 7/3 x 6; level = 6 / (-7 + 14) = 6/7; forecast over 7 days (L 6, R 1)
	 * = 6/7 x 6 x 7/3 = 12; actual days 15..21 = 6 x 2 - 6 = 6: error -6. */
	base(&in, 30);
	in.lead = 6;
	for (i = 0; i < 30; i++)
		q[i] = (i % 7 == 0) ? -6 : 2;
	st = run(&in, 0, &m, &x);
	ok(st == LTE_OK && near(m.dow_factor[0], -7, 1e-14) && near(m.dow_factor[3], 7.0 / 3, 1e-14)
	   && near(m.level, 6.0 / 7, 1e-14), "negative Monday: f1 -7, f 7/3, level 6/7 (%g %g %g)",
	   m.dow_factor[0], m.dow_factor[3], m.level);
	ok(x.n == 1 && x.h[0] == 7 && near(x.e[0], -6, 1e-13), "negative factor as 0: error -6 (%g)", x.n ? x.e[0] : NAN);

	/* 6. no demand: factors 1, level 0, sigma 0, errors 0 */
	base(&in, 20);
	st = run(&in, 0, &m, &x);
	ok(st == LTE_OK && factors_are(&m, ones, 0) && m.level == 0 && m.sigma == 0 && x.n == 1 && x.e[0] == 0,
	   "no demand: factors 1, level 0, sigma 0, error 0");

	/* 7. real lead times: 1 a day, windows 7, L 5, R 2, decision days 400..402
	 * (forecast 7).  Received on day 37 after 3 days: known on day 400 (37 >
	 * 400 - 364) -> error 3 + 2 - 7 = -2, known on 405; not on day 401 (planned L:
	 * 7 - 7 = 0, known on 408); on 402 two received that day, after 10 and 0
	 * days: by horizon, 0 + 2 = 2 -> -5 (known on 404), then 12 -> 5 (known on 414);
	 * received on 500 after 1 day: never known. */
	base(&in, 800);
	in.lead = 5;
	in.review = 2;
	in.first_origin = 400;
	in.step = 3;
	for (i = 0; i < 800; i++)
		q[i] = 1;
	lt_r[0] = 402, lt_d[0] = 10;
	lt_r[1] = 37, lt_d[1] = 3;
	lt_r[2] = 500, lt_d[2] = 1;
	lt_r[3] = 402, lt_d[3] = 0;
	in.n_lt = 4;
	in.last_day = 414;
	st = run(&in, 0, &m, &x);
	ok(st == LTE_OK && m.level == 1 && m.risk_days == 7, "lead times: status %d, level %g", st, m.level);
	ok(x.n == 4
	   && x.day[0] == 400 && x.h[0] == 5 && x.e[0] == -2
	   && x.day[1] == 401 && x.h[1] == 7 && x.e[1] == 0
	   && x.day[2] == 402 && x.h[2] == 2 && x.e[2] == -5
	   && x.day[3] == 402 && x.h[3] == 12 && x.e[3] == 5,
	   "lead times: the 364-day window, the planned L when none, by horizon within a day (%d errors)", x.n);
	/* 8. last_day cutoff: on day 413 the error known on 414 is not there yet */
	in.last_day = 413;
	st = run(&in, 0, &m, &x);
	ok(st == LTE_OK && x.n == 3 && x.h[2] == 2, "last_day: errors known after it are left out (%d)", x.n);
	/* nothing loaded: no error */
	in.last_day = -1;
	st = run(&in, 0, &m, &x);
	ok(st == LTE_OK && x.n == 0, "last_day -1: no error");
	/* the series ends before last_day: day 407 is its last, 408 and 414 are out */
	in.last_day = 1000;
	in.n = 408;
	st = run(&in, 0, &m, &x);
	ok(st == LTE_OK && x.n == 2 && x.h[0] == 5 && x.h[1] == 2, "series end: errors after it are left out (%d)", x.n);
	in.n_lt = 0;

	/* 9. n = 0: no origin fits; with no origin, nothing to do */
	base(&in, 0);
	in.q = NULL;
	in.hol = NULL;
	st = run(&in, 0, &m, &x);
	ok(st == LTE_E_SPAN, "n = 0 with an origin: LTE_E_SPAN (%d)", st);
	in.n_origins = 0;
	st = run(&in, -1, &m, &x);
	ok(st == LTE_OK, "n = 0 without origin: ok (%d)", st);

	/* 10. a single day, empty windows: factors 1 (no weekday mean), level 0 (no day),
	 * sigma 0; its error would be known on day 2, after the series */
	base(&in, 1);
	in.dow_days = 0;
	in.level_days = 0;
	in.first_origin = 0;
	q[0] = 5;
	st = run(&in, 0, &m, &x);
	ok(st == LTE_OK && factors_are(&m, ones, 0) && m.level == 0 && m.sigma == 0 && x.n == 0,
	   "single day: factors 1, level 0, sigma 0, no error");

	/* 11. NaN: a NaN demand on day 3 (before the windows) makes the running sums NaN:
	 * Thursday's mean (day 3 is a Thursday) is NaN, so is the mean of the means
	 * (NaN > 0 in PostgreSQL: every factor NaN), the level, sigma and the error */
	base(&in, 20);
	for (i = 0; i < 20; i++)
		q[i] = 1;
	q[3] = NAN;
	st = run(&in, 0, &m, &x);
	ok(st == LTE_OK && isnan(m.dow_factor[0]) && isnan(m.dow_factor[3]) && isnan(m.level) && isnan(m.sigma)
	   && x.n == 1 && isnan(x.e[0]), "NaN demand: every factor, the level, sigma and the error NaN");
	/* on a public holiday it reaches the total demand only: the model is finite,
	 * the error (a difference of running totals) NaN */
	hol[3] = 1;
	st = run(&in, 0, &m, &x);
	ok(st == LTE_OK && factors_are(&m, ones, 0) && m.level == 1 && m.sigma == 0 && x.n == 1 && isnan(x.e[0]),
	   "NaN demand on a holiday: model finite, error NaN");
	/* +Infinity: Inf - Inf = NaN in the windows after it, as the SQL */
	hol[3] = 0;
	q[3] = INFINITY;
	st = run(&in, 0, &m, &x);
	ok(st == LTE_OK && isnan(m.level) && isnan(m.dow_factor[3]), "Infinity demand: NaN model after it");

	/* 12. bad inputs */
	base(&in, 20);
	in.step = 0;
	ok(lte_check(&in) == LTE_E_STEP, "step 0 refused");
	in.step = 1;
	in.n_origins = -1;
	ok(lte_check(&in) == LTE_E_ORIGINS, "negative n_origins refused");
	in.n_origins = INT64_MAX;
	ok(lte_check(&in) == LTE_E_ORIGINS, "huge n_origins refused");
	in.n_origins = 7;
	ok(lte_check(&in) == LTE_E_SPAN, "origins past the series refused");
	in.n_origins = 6;
	ok(lte_check(&in) == LTE_OK, "origins up to the last day accepted");
	in.n_origins = 3;
	in.step = (int64_t) 1 << 39;
	ok(lte_check(&in) == LTE_E_SPAN, "huge step refused (no overflow)");
	in.step = 1;
	in.first_origin = 6;
	ok(lte_check(&in) == LTE_E_FIRST_ORIGIN, "windows before day 0 refused");
	in.first_origin = 14;
	in.lead = 0;
	ok(lte_check(&in) == LTE_E_LEAD, "lead 0 refused");
	in.lead = 1;
	in.n_lt = 1;
	lt_r[0] = 0, lt_d[0] = -1;
	ok(lte_check(&in) == LTE_E_LT_DAYS, "negative lead time refused");
	lt_d[0] = 1, lt_r[0] = INT64_MIN;
	ok(lte_check(&in) == LTE_E_LT_RECEIVED, "far reception day refused");
	in.n_lt = 0;
	in.first_dow = 8;
	ok(lte_check(&in) == LTE_E_FIRST_DOW, "weekday 8 refused");
	in.first_dow = 1;
	in.q = NULL;
	ok(lte_check(&in) == LTE_E_NULL && lte_workspace_bytes(&in) == 0, "NULL data refused");
	in.q = q;
	ok(lte_origin(&in, NULL, 0, &m, NULL, NULL) == LTE_E_NULL, "lte_origin without workspace refused");
	{
		void	   *ws = malloc(lte_workspace_bytes(&in));

		ok(lte_prepare(&in, ws) == LTE_OK && lte_origin(&in, ws, 3, &m, NULL, NULL) == LTE_E_K,
		   "origin number past n_origins refused");
		/* a callback that stops: its status comes back */
		base(&in, 30);
		in.step = 10;
		free(ws);
		ws = malloc(lte_workspace_bytes(&in));
		memset(&x, 0, sizeof(x));
		x.n = MAXE - 2;
		ok(lte_prepare(&in, ws) == LTE_OK && lte_origin(&in, ws, 0, &m, collect, &x) == 99,
		   "the callback's stop status is returned");
		free(ws);
	}
	ok(strcmp(lte_strerror(LTE_E_SPAN), "unknown status") != 0 && strcmp(lte_strerror(12345), "unknown status") == 0,
	   "lte_strerror");
	return tap_done();
}
