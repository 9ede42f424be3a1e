/*
 * lead_time_errors.c
 *		Back-test of the SQL baseline over the lead time for one product
 *		(pure core; see lead_time_errors.h).
 *
 * The SQL this replaces (doliflow._lead_time_errors up to 0.3.0's C version),
 * for a product with grid days 0 .. n - 1 (demand q, public holiday flag hol,
 * ISO weekday dow), running sums from day 0 of
 *	 S_w = q on the non-holiday days of weekday w, N_w = count of those days,
 *	 Q2 = q^2 on non-holidays, C = q on every day,
 * and, at an origin o (window (o - D, o] = a difference of two running sums,
 * D = dow_days; the level window the same with level_days):
 *	 m_w  = S_w over the D days / N_w over them (NULL when no such day)
 *	 v    = avg of the non-NULL m_w (NULL when none)
 *	 f_w  = coalesce(m_w, v) / v when v > 0, else 1 (PostgreSQL: NaN > 0)
 *	 lvl  = sum_w ls_w / nullif(sum_w f_w ln_w, 0), level = coalesce(lvl, 0)
 *			 (ls_w, ln_w: S_w, N_w over the level window)
 *	 sigma = coalesce(sqrt(greatest(lq2 - 2 level sum f ls + level^2 sum f f ln, 0)
 *			 / nullif(sum ln, 0)), 0)
 * and for each decision day d of the origin (o .. o + step - 1):
 *	 fc	  = greatest(level, 0) x _weekday_sum(f, dow(d), L + R)
 *	 when no real lead time was received in (d - 364, d]: the error
 *		 C[d + L + R] - C[d] - fc (horizon L + R), only when d + L + R <= last_day
 *		 and that day is in the grid;
 *	 else for each real lead time l received then: C[d + l + R] - C[d] - fc
 *		 (horizon l + R), only when d + l + R <= last_day and in the grid;
 *	 ordered by horizon within the day.
 *
 * Floating point: every operation is the SQL's, in the SQL's order (sums of
 * 7 values left to right from the first, avg = sum / count, x^2 by pow), so
 * finite results are bitwise equal.  NaN and +-Inf demands propagate as in
 * the SQL: the windows are differences of running sums, so one NaN (or Inf,
 * Inf - Inf = NaN) demand on a non-holiday day makes S_w, Q2 and C NaN from
 * that day on and every later model and error NaN (a holiday's NaN reaches C
 * only); comparisons follow PostgreSQL's float8 order (NaN above everything:
 * greatest(NaN, 0) = NaN, NaN > 0), so a NaN weekday mean gives NaN factors.
 * Where a PostgreSQL float8 operator raises "value out of range" (a finite
 * result overflowing to Inf or a nonzero product underflowing to 0, only
 * with demands beyond about 1e150 or nearer 0 than 1e-150) the IEEE result is
 * returned instead.
 *
 * Copyright (C) 2026 the doliflow authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "lead_time_errors.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* No fused multiply-add: each operation rounds as PostgreSQL's float8 operators do. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize ("fp-contract=off")
#endif

/* days before a decision day whose receptions give the real lead times known */
#define LTE_LT_WINDOW 364

typedef struct lte_lt
{
	int64_t		received;
	int64_t		days;
} lte_lt;

/* The workspace: running sums at n + 1 points (point i = after day i - 1). */
typedef struct lte_ws
{
	double	   *s;				/* (n + 1) x 7 */
	int64_t    *cnt;			/* (n + 1) x 7 */
	double	   *q2;				/* n + 1 */
	double	   *c;				/* n + 1 */
	lte_lt	   *lt;				/* n_lt, by reception day */
	int64_t    *scratch;		/* n_lt */
} lte_ws;

static int64_t
lte_max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/* greatest(x, 0) of PostgreSQL float8: NaN is above every number, and the
 * first argument is kept when they are equal (-0 stays -0). */
static double
pg_greatest0(double x)
{
	return x < 0.0 ? 0.0 : x;
}

/* x > 0 of PostgreSQL float8 (NaN > 0 is true) */
static int
pg_gt0(double x)
{
	return isnan(x) || x > 0.0;
}

int
lte_check(const lte_input *in)
{
	int64_t		i;

	if (in == NULL)
		return LTE_E_NULL;
	if (in->n < 0 || in->n > LTE_MAX)
		return LTE_E_N;
	if (in->n > 0 && (in->q == NULL || in->hol == NULL))
		return LTE_E_NULL;
	if (in->first_dow < 1 || in->first_dow > 7)
		return LTE_E_FIRST_DOW;
	if (in->dow_days < 0 || in->dow_days > LTE_MAX)
		return LTE_E_DOW_DAYS;
	if (in->level_days < 0 || in->level_days > LTE_MAX)
		return LTE_E_LEVEL_DAYS;
	if (in->lead < 1 || in->lead > LTE_MAX)
		return LTE_E_LEAD;
	if (in->review < 1 || in->review > LTE_MAX)
		return LTE_E_REVIEW;
	if (in->last_day < -LTE_MAX || in->last_day > LTE_MAX)
		return LTE_E_LAST_DAY;
	if (in->step < 1 || in->step > LTE_MAX)
		return LTE_E_STEP;
	if (in->n_origins < 0 || in->n_origins > LTE_MAX)
		return LTE_E_ORIGINS;
	if (in->n_lt < 0 || in->n_lt > LTE_MAX)
		return LTE_E_N_LT;
	if (in->n_lt > 0 && (in->lt_received == NULL || in->lt_days == NULL))
		return LTE_E_NULL;
	for (i = 0; i < in->n_lt; i++)
	{
		if (in->lt_received[i] < -LTE_MAX || in->lt_received[i] > LTE_MAX)
			return LTE_E_LT_RECEIVED;
		if (in->lt_days[i] < 0 || in->lt_days[i] > LTE_MAX)
			return LTE_E_LT_DAYS;
	}
	if (in->n_origins > 0)
	{
		/* the windows of the first origin start at day 0 or later */
		if (in->first_origin < lte_max64(in->dow_days, in->level_days) || in->first_origin > LTE_MAX)
			return LTE_E_FIRST_ORIGIN;
		/* the last decision day, first_origin + n_origins x step - 1, is a day of
		 * the series (divided, not multiplied: no overflow) */
		if (in->first_origin >= in->n ||
			in->n_origins > (in->n - in->first_origin) / in->step)
			return LTE_E_SPAN;
	}
	return LTE_OK;
}

/* layout of the workspace; 0 when it does not fit in a size_t */
static size_t
lte_layout(const lte_input *in, size_t off[6])
{
	size_t		pts = (size_t) in->n + 1;
	size_t		nlt = (size_t) in->n_lt;
	size_t		total = 0;
	size_t		sz[6];
	int			i;

	/* n, n_lt <= 2^40 (lte_check): the products below fit a 64-bit size_t;
	 * check for a 32-bit one */
	if (pts > SIZE_MAX / (7 * sizeof(double)) / 4 || nlt > SIZE_MAX / sizeof(lte_lt) / 4)
		return 0;
	sz[0] = pts * 7 * sizeof(double);
	sz[1] = pts * 7 * sizeof(int64_t);
	sz[2] = pts * sizeof(double);
	sz[3] = pts * sizeof(double);
	sz[4] = nlt * sizeof(lte_lt);
	sz[5] = nlt * sizeof(int64_t);
	for (i = 0; i < 6; i++)
	{
		off[i] = total;
		if (sz[i] > SIZE_MAX - total - sizeof(lte_ws) - 16)
			return 0;
		total += (sz[i] + 7) & ~(size_t) 7;
	}
	return total + sizeof(lte_ws);
}

size_t
lte_workspace_bytes(const lte_input *in)
{
	size_t		off[6];

	if (lte_check(in) != LTE_OK)
		return 0;
	return lte_layout(in, off);
}

static void
lte_ws_map(const lte_input *in, void *mem, lte_ws *w)
{
	size_t		off[6];
	char	   *base = (char *) mem + sizeof(lte_ws);

	(void) lte_layout(in, off);
	w->s = (double *) (base + off[0]);
	w->cnt = (int64_t *) (base + off[1]);
	w->q2 = (double *) (base + off[2]);
	w->c = (double *) (base + off[3]);
	w->lt = (lte_lt *) (base + off[4]);
	w->scratch = (int64_t *) (base + off[5]);
}

static int
lte_lt_cmp(const void *a, const void *b)
{
	const lte_lt *x = a,
			   *y = b;

	if (x->received != y->received)
		return x->received < y->received ? -1 : 1;
	if (x->days != y->days)
		return x->days < y->days ? -1 : 1;
	return 0;
}

static int
lte_i64_cmp(const void *a, const void *b)
{
	int64_t		x = *(const int64_t *) a,
				y = *(const int64_t *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

int
lte_prepare(const lte_input *in, void *mem)
{
	lte_ws		w;
	int			st = lte_check(in);
	int64_t		i;
	int			d;

	if (st != LTE_OK)
		return st;
	if (mem == NULL)
		return LTE_E_NULL;
	lte_ws_map(in, mem, &w);
	*(lte_ws *) mem = w;

	/* the SQL's running sums, in day order (sum(x) OVER (ORDER BY day)) */
	for (d = 0; d < 7; d++)
	{
		w.s[d] = 0.0;
		w.cnt[d] = 0;
	}
	w.q2[0] = 0.0;
	w.c[0] = 0.0;
	for (i = 0; i < in->n; i++)
	{
		int			dow = (int) ((in->first_dow - 1 + i) % 7);	/* 0-based */
		double		q = in->q[i];
		int			wd = !in->hol[i];

		for (d = 0; d < 7; d++)
		{
			/* CASE WHEN dow = d AND NOT hol THEN q ELSE 0 END */
			w.s[(i + 1) * 7 + d] = w.s[i * 7 + d] + ((wd && d == dow) ? q : 0.0);
			w.cnt[(i + 1) * 7 + d] = w.cnt[i * 7 + d] + ((wd && d == dow) ? 1 : 0);
		}
		w.q2[i + 1] = w.q2[i] + (wd ? q * q : 0.0);
		w.c[i + 1] = w.c[i] + q;
	}
	for (i = 0; i < in->n_lt; i++)
	{
		w.lt[i].received = in->lt_received[i];
		w.lt[i].days = in->lt_days[i];
	}
	if (in->n_lt > 1)
		qsort(w.lt, (size_t) in->n_lt, sizeof(lte_lt), lte_lt_cmp);
	return LTE_OK;
}

/* first index of the sorted lead times whose reception day is > day */
static int64_t
lte_lt_after(const lte_ws *w, int64_t n_lt, int64_t day)
{
	int64_t		lo = 0,
				hi = n_lt;

	while (lo < hi)
	{
		int64_t		mid = lo + (hi - lo) / 2;

		if (w->lt[mid].received <= day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* doliflow._weekday_sum(f, first_dow, n): n >= 0 */
static double
lte_weekday_sum(const double f[7], int first_dow, int64_t n)
{
	double		all = pg_greatest0(f[0]);
	double		part = 0.0;
	int64_t		r = n % 7;
	int64_t		j;
	int			d;

	for (d = 1; d < 7; d++)
		all = all + pg_greatest0(f[d]);
	if (r > 0)
	{
		part = pg_greatest0(f[(first_dow - 1 + 1) % 7]);
		for (j = 2; j <= r; j++)
			part = part + pg_greatest0(f[(first_dow - 1 + j) % 7]);
	}
	/* (n / 7) x all + coalesce(part, 0) */
	return (double) (n / 7) * all + part;
}

int
lte_origin(const lte_input *in, void *mem, int64_t k, lte_model *out,
		   lte_emit_fn emit, void *arg)
{
	const lte_ws *w = (const lte_ws *) mem;
	int64_t		o,
				od,
				ol,
				i;
	double		m[7],
				ls[7],
				ln[7],
				f[7];
	int			m_null[7];
	double		v_sum = 0.0,
				v = 0.0;
	int			v_n = 0;
	double		sum_ls,
				den,
				nl,
				a,
				b,
				lvl,
				x,
				level,
				level0;
	int			d;
	int64_t		risk;

	if (in == NULL || mem == NULL || out == NULL)
		return LTE_E_NULL;
	if (k < 0 || k >= in->n_origins)
		return LTE_E_K;
	o = in->first_origin + k * in->step;	/* <= n - 1 (lte_check) */
	/* running sums just after day o and just after the day before each window */
	od = o - in->dow_days;		/* >= 0 */
	ol = o - in->level_days;

	for (d = 0; d < 7; d++)
	{
		int64_t		cnt = w->cnt[(o + 1) * 7 + d] - w->cnt[(od + 1) * 7 + d];

		m_null[d] = (cnt == 0);
		m[d] = m_null[d] ? 0.0 : (w->s[(o + 1) * 7 + d] - w->s[(od + 1) * 7 + d]) / (double) cnt;
		if (!m_null[d])
		{
			v_sum = v_sum + m[d];	/* avg(float8): Sx from 0, then Sx / N */
			v_n++;
		}
		ls[d] = w->s[(o + 1) * 7 + d] - w->s[(ol + 1) * 7 + d];
		ln[d] = (double) (w->cnt[(o + 1) * 7 + d] - w->cnt[(ol + 1) * 7 + d]);
	}
	if (v_n > 0)
		v = v_sum / (double) v_n;
	for (d = 0; d < 7; d++)
		f[d] = (v_n > 0 && pg_gt0(v)) ? (m_null[d] ? v : m[d]) / v : 1.0;

	/* sums over the 7 weekdays, left to right from the first (sum(float8)) */
	sum_ls = ls[0];
	den = f[0] * ln[0];
	nl = ln[0];
	a = f[0] * ls[0];
	b = f[0] * f[0] * ln[0];
	for (d = 1; d < 7; d++)
	{
		sum_ls = sum_ls + ls[d];
		den = den + f[d] * ln[d];
		nl = nl + ln[d];
		a = a + f[d] * ls[d];
		b = b + f[d] * f[d] * ln[d];
	}
	lvl = (den == 0.0) ? 0.0 : sum_ls / den;	/* nullif(den, 0), coalesce(lvl, 0) */
	level = lvl;
	x = (w->q2[o + 1] - w->q2[ol + 1]) - 2.0 * level * a + pow(level, 2.0) * b;
	x = pg_greatest0(x);

	out->origin = o;
	out->level = level;
	memcpy(out->dow_factor, f, sizeof(f));
	out->sigma = (nl == 0.0) ? 0.0 : sqrt(x / nl);
	out->lead_time_days = in->lead;
	risk = in->lead + in->review;
	out->risk_days = risk;

	if (emit == NULL)
		return LTE_OK;
	level0 = pg_greatest0(level);
	/* the decision days o .. o + step - 1, all in the series (lte_check) */
	for (i = o; i < o + in->step; i++)
	{
		int			dow = (int) ((in->first_dow - 1 + i) % 7) + 1;
		double		fc = level0 * lte_weekday_sum(f, dow, risk);
		/* the real lead times received in (i - 364, i] */
		int64_t		lo = lte_lt_after(w, in->n_lt, i - LTE_LT_WINDOW),
					hi = lte_lt_after(w, in->n_lt, i);
		int			rc;

		if (lo >= hi)
		{
			int64_t		e = i + risk;

			if (e <= in->last_day && e < in->n)
			{
				double		actual = w->c[e + 1] - w->c[i + 1];

				if ((rc = emit(arg, i, risk, actual - fc)) != 0)
					return rc;
			}
		}
		else
		{
			int64_t		nw = hi - lo,
						j;

			for (j = 0; j < nw; j++)
				w->scratch[j] = w->lt[lo + j].days;
			if (nw > 1)
				qsort(w->scratch, (size_t) nw, sizeof(int64_t), lte_i64_cmp);
			for (j = 0; j < nw; j++)
			{
				int64_t		h = w->scratch[j] + in->review;
				int64_t		e = i + h;

				if (e <= in->last_day && e < in->n)
				{
					if ((rc = emit(arg, i, h, w->c[e + 1] - w->c[i + 1] - fc)) != 0)
						return rc;
				}
			}
		}
	}
	return LTE_OK;
}

const char *
lte_strerror(int status)
{
	switch (status)
	{
		case LTE_OK:
			return "no error";
		case LTE_E_N:
			return "the number of days must be between 0 and 2^40";
		case LTE_E_FIRST_DOW:
			return "the weekday of the first day must be 1 (Monday) to 7";
		case LTE_E_DOW_DAYS:
			return "dow_days must be between 0 and 2^40";
		case LTE_E_LEVEL_DAYS:
			return "level_days must be between 0 and 2^40";
		case LTE_E_LEAD:
			return "the lead time must be between 1 and 2^40 days";
		case LTE_E_REVIEW:
			return "the review period must be between 1 and 2^40 days";
		case LTE_E_LAST_DAY:
			return "the last day is too far from the first day";
		case LTE_E_STEP:
			return "the step must be between 1 and 2^40 days";
		case LTE_E_ORIGINS:
			return "the number of origins must be between 0 and 2^40";
		case LTE_E_FIRST_ORIGIN:
			return "the first origin must be at least max(dow_days, level_days) days after the first day";
		case LTE_E_SPAN:
			return "the series must cover every decision day (up to the last origin + step - 1)";
		case LTE_E_LT_RECEIVED:
			return "a reception day is too far from the first day";
		case LTE_E_LT_DAYS:
			return "a lead time must be between 0 and 2^40 days";
		case LTE_E_N_LT:
			return "the number of lead times must be between 0 and 2^40";
		case LTE_E_NULL:
			return "missing data";
		case LTE_E_K:
			return "origin number out of range";
	}
	return "unknown status";
}
