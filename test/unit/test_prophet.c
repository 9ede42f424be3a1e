/*
 * test_prophet.c - unit tests of the Prophet-style core (TAP output).
 *
 * Copyright (C) doliflow contributors.  GPL-3.0-or-later.
 *
 * gcc -O2 -Wall -Wextra -Isrc test/unit/test_prophet.c src/prophet*.c \
 *     $(gsl-config --cflags --libs) -lm
 *
 * Every expected value is planted in simulated data (independent of the
 * fitting code) or hand-computed.
 */
#include "prophet.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static int	test_no = 0;
static int	failures = 0;

static void
ok(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#include <stdarg.h>
static void
ok(int cond, const char *fmt, ...)
{
	va_list		ap;

	test_no++;
	if (!cond)
		failures++;
	printf("%sok %d - ", cond ? "" : "not ", test_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static uint64_t rng = 12345;

static double
urand(void)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return ((double) (rng >> 11) + 0.5) / 9007199254740992.0;
}

static double
nrand(void)
{
	return sqrt(-2.0 * log(urand())) * cos(2.0 * M_PI * urand());
}

static double
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static prophet_options
additive_opts(void)
{
	prophet_options o;

	prophet_default_options(&o);
	o.mode = PROPHET_ADDITIVE;
	o.nonneg = 0;
	return o;
}

/* planted signal: trend 50 + 0.02 t, +0.03/day after day 600, weekly
 * 5 cos(w d) + 3 sin(2 w d), yearly 10 sin(2 pi d / 365.25) (d absolute) */
#define D0 8000
static double
truth(int i)
{
	int			d = D0 + i;
	double		t = i;

	return 50.0 + 0.02 * t + (t > 600 ? 0.03 * (t - 600) : 0.0) +
		5.0 * cos(2 * M_PI * d / 7.0) + 3.0 * sin(2 * M_PI * 2 * d / 7.0) +
		10.0 * sin(2 * M_PI * fmod((double) d, 365.25) / 365.25);
}

static void
test_recovery(void)
{
	enum {N = 1095, H = 28};
	static double y[N];
	prophet_options o = additive_opts();
	prophet_model m;
	double		fc[H],
				mae = 0.0,
				dsum = 0.0,
				dlate = 0.0;
	int			rc;

	for (int i = 0; i < N; i++)
		y[i] = truth(i) + nrand();
	rc = prophet_fit(&o, y, N, D0, NULL, NULL, 0, 0, NULL, NULL, 0, &m);
	ok(rc == PROPHET_OK, "fit planted trend+changepoint+weekly+yearly (rc %d)", rc);
	ok(m.n_changepoints == 25 && m.weekly_order == 3 && m.yearly_order == 10,
	   "25 changepoints, weekly order 3, yearly order 10 on 3 years");
	ok(fabs(m.cp_day[24] - (D0 + 0.8 * N)) < 2.0 && m.cp_day[0] > D0,
	   "changepoint candidates span the first 80%% (last at %.0f)", m.cp_day[24] - D0);
	ok(fabs(m.k - 0.02) < 0.004, "base slope %.4f ~ 0.02", m.k);
	for (int j = 0; j < m.n_changepoints; j++)
	{
		dsum += m.delta[j];
		if (m.cp_day[j] > D0 + 450 && m.cp_day[j] < D0 + 750)
			dlate += m.delta[j];
	}
	ok(fabs(dsum - 0.03) < 0.004, "total slope change %.4f ~ 0.03", dsum);
	ok(dlate > 0.8 * dsum, "slope change located around day 600 (%.4f of %.4f)", dlate, dsum);
	ok(fabs(m.weekly[0] - 5.0) < 0.2 && fabs(m.weekly[1]) < 0.2 &&
	   fabs(m.weekly[2]) < 0.2 && fabs(m.weekly[3] - 3.0) < 0.2 &&
	   fabs(m.weekly[4]) < 0.2 && fabs(m.weekly[5]) < 0.2,
	   "weekly coefficients %.2f %.2f %.2f %.2f %.2f %.2f ~ 5 0 0 3 0 0",
	   m.weekly[0], m.weekly[1], m.weekly[2], m.weekly[3], m.weekly[4], m.weekly[5]);
	ok(fabs(m.yearly[1] - 10.0) < 0.5 && fabs(m.yearly[0]) < 0.5 && fabs(m.yearly[2]) < 0.5,
	   "yearly sin1 %.2f ~ 10, cos1 %.2f ~ 0", m.yearly[1], m.yearly[0]);
	ok(fabs(m.sigma - 1.0) < 0.1, "residual sigma %.3f ~ 1", m.sigma);
	rc = prophet_predict(&m, D0 + N, H, NULL, 0, 0, NULL, fc, NULL, NULL);
	for (int i = 0; i < H; i++)
		mae += fabs(fc[i] - truth(N + i));
	mae /= H;
	ok(rc == PROPHET_OK && mae < 1.0, "28-day forecast MAE vs noise-free truth %.3f < 1", mae);

	/* in-sample prediction reproduces the fit: residual sd matches sigma */
	{
		static double fit[N];
		double		ss = 0.0;

		prophet_predict(&m, D0, N, NULL, 0, 0, NULL, fit, NULL, NULL);
		for (int i = 0; i < N; i++)
			ss += (y[i] - fit[i]) * (y[i] - fit[i]);
		ok(fabs(sqrt(ss / N) - m.sigma) < 0.05 * m.sigma,
		   "in-sample residual sd %.3f consistent with sigma %.3f", sqrt(ss / N), m.sigma);
	}

	/* the same data with gaps (every 5th day missing) via days[] */
	{
		static double yg[N];
		static int32_t dg[N];
		int			ng = 0;
		prophet_model mg;

		for (int i = 0; i < N; i++)
			if (i % 5 != 3 || i == N - 1)
			{
				yg[ng] = y[i];
				dg[ng] = D0 + i;
				ng++;
			}
		rc = prophet_fit(&o, yg, ng, 0, dg, NULL, 0, 0, NULL, NULL, 0, &mg);
		prophet_predict(&mg, D0 + N, H, NULL, 0, 0, NULL, fc, NULL, NULL);
		mae = 0.0;
		for (int i = 0; i < H; i++)
			mae += fabs(fc[i] - truth(N + i));
		ok(rc == PROPHET_OK && mg.first_day == D0 && mg.last_day == D0 + N - 1 && mae / H < 1.2,
		   "explicit days with gaps: forecast MAE %.3f", mae / H);
	}

	/* holdout tuning path runs and picks a grid value */
	{
		prophet_model mt;
		prophet_options ot = o;

		ot.holdout = 28;
		rc = prophet_fit(&ot, y, N, D0, NULL, NULL, 0, 0, NULL, NULL, 0, &mt);
		prophet_predict(&mt, D0 + N, H, NULL, 0, 0, NULL, fc, NULL, NULL);
		mae = 0.0;
		for (int i = 0; i < H; i++)
			mae += fabs(fc[i] - truth(N + i));
		ok(rc == PROPHET_OK && mae / H < 1.2 &&
		   (fabs(mt.changepoint_prior_scale - 0.001) < 1e-12 ||
			fabs(mt.changepoint_prior_scale - 0.01) < 1e-12 ||
			fabs(mt.changepoint_prior_scale - 0.05) < 1e-12 ||
			fabs(mt.changepoint_prior_scale - 0.5) < 1e-12),
		   "holdout tuning: tau %.3g from the grid, MAE %.3f", mt.changepoint_prior_scale, mae / H);
	}
}

static void
test_regressors(void)
{
	enum {N = 730, H = 28};
	static double y[N],
				x[N + H],
				xw[N + H],
				reg[N];
	prophet_options o = additive_opts();
	prophet_model m;
	prophet_regressor spec;
	int			rc;

	for (int i = 0; i < N + H; i++)
		x[i] = (urand() < 0.04) ? 1.0 : 0.0;
	x[N + 3] = 1.0;
	for (int i = 0; i < N; i++)
		y[i] = 100.0 + 0.01 * i + 8.0 * cos(2 * M_PI * (D0 + i) / 7.0) + 15.0 * x[i] + 2.0 * nrand();
	rc = prophet_fit(&o, y, N, D0, NULL, x, 1, N, NULL, NULL, 0, &m);
	ok(rc == PROPHET_OK && fabs(m.beta_reg[0] - 15.0) < 1.0,
	   "planted event effect 15 recovered as %.2f", m.beta_reg[0]);
	{
		double		fc[H];
		double		base = 100.0 + 0.01 * (N + 3) + 8.0 * cos(2 * M_PI * (D0 + N + 3) / 7.0);

		prophet_predict(&m, D0 + N, H, x + N, H, 0, NULL, fc, NULL, NULL);
		ok(fabs(fc[3] - (base + 15.0)) < 2.0, "future event day forecast %.1f ~ %.1f",
		   fc[3], base + 15.0);
	}

	/* fixed effect: exactly the prior mean, the rest still fits */
	spec.prior_mean = 15.0;
	spec.prior_scale = 0.0;
	spec.fixed = 1;
	rc = prophet_fit(&o, y, N, D0, NULL, x, 1, N, &spec, NULL, 0, &m);
	ok(rc == PROPHET_OK && m.beta_reg[0] == 15.0 && fabs(m.sigma - 2.0) < 0.2,
	   "fixed effect kept at 15 (sigma %.2f)", m.sigma);

	/* tight prior pulls a wrong-but-confident prior; weak prior does not */
	spec.prior_mean = 5.0;
	spec.prior_scale = 1e-4;
	spec.fixed = 0;
	rc = prophet_fit(&o, y, N, D0, NULL, x, 1, N, &spec, NULL, 0, &m);
	ok(rc == PROPHET_OK && fabs(m.beta_reg[0] - 5.0) < 0.01, "tight prior N(5, 1e-4): %.4f",
	   m.beta_reg[0]);
	spec.prior_scale = 100.0;
	rc = prophet_fit(&o, y, N, D0, NULL, x, 1, N, &spec, NULL, 0, &m);
	ok(rc == PROPHET_OK && fabs(m.beta_reg[0] - 15.0) < 1.0, "weak prior N(5, 100): %.2f",
	   m.beta_reg[0]);

	/* window: effect on the day before and after the event too */
	{
		static const double ex[8] = {0, 0, 1, 0, 0, 0, 2, 0};
		static const double want[8] = {0, 1, 1, 1, 0, 2, 2, 2};
		double		got[8];
		int			same = 1;

		rc = prophet_window_expand(ex, 8, -1, 1, got);
		for (int i = 0; i < 8; i++)
			same &= got[i] == want[i];
		ok(rc == PROPHET_OK && same, "window [-1,+1] expands events by one day each side");
		rc = prophet_window_expand(ex, 8, 0, 2, got);
		ok(rc == PROPHET_OK && got[1] == 0 && got[2] == 1 && got[4] == 1 && got[5] == 0 &&
		   got[7] == 2, "window [0,+2] covers the event and two days after");
		ok(prophet_window_expand(ex, 8, 1, 2, got) == PROPHET_EINVAL,
		   "window with lower > 0 rejected");
	}
	for (int i = 0; i < N; i++)
		xw[i] = 0.0;
	for (int i = 20; i < N - 10; i += 50)
		xw[i] = 1.0;
	prophet_window_expand(xw, N, -2, 1, reg);
	for (int i = 0; i < N; i++)
		y[i] = 40.0 + 12.0 * reg[i] + nrand();
	rc = prophet_fit(&o, y, N, D0, NULL, reg, 1, N, NULL, NULL, 0, &m);
	ok(rc == PROPHET_OK && fabs(m.beta_reg[0] - 12.0) < 0.6,
	   "windowed event effect 12 recovered as %.2f", m.beta_reg[0]);

	/* log1p: multiplicative event (x 0.1) recovered as log effect */
	{
		prophet_options ol;

		prophet_default_options(&ol);
		for (int i = 0; i < N; i++)
		{
			double		mu = 200.0 * (1.0 + 0.3 * cos(2 * M_PI * (D0 + i) / 7.0)) * (x[i] > 0 ? 0.1 : 1.0);

			y[i] = mu * exp(0.05 * nrand());
		}
		rc = prophet_fit(&ol, y, N, D0, NULL, x, 1, N, NULL, NULL, 0, &m);
		ok(rc == PROPHET_OK && fabs(exp(m.beta_reg[0]) - 0.1) < 0.01,
		   "log1p mode: multiplicative event factor %.3f ~ 0.1", exp(m.beta_reg[0]));
	}
}

static void
test_intervals(void)
{
	enum {N = 365, H = 28, REPS = 200};
	static double y[N + H];
	prophet_options o = additive_opts();
	double		lv[2] = {0.8, 0.95};
	double		fc[H],
				lo[2 * H],
				up[2 * H];
	int			in80 = 0,
				in95 = 0,
				tot = 0,
				mono = 1,
				rc = PROPHET_OK;

	for (int r = 0; r < REPS && rc == PROPHET_OK; r++)
	{
		prophet_model m;
		double		lvl = 20.0 + 10.0 * urand(),
					sl = 0.02 * nrand(),
					sd = 1.0 + 3.0 * urand();

		for (int i = 0; i < N + H; i++)
			y[i] = lvl + sl * i + 3.0 * sin(2 * M_PI * (D0 + i) / 7.0) + sd * nrand();
		rc = prophet_fit(&o, y, N, D0, NULL, NULL, 0, 0, NULL, NULL, 0, &m);
		if (rc == PROPHET_OK)
			rc = prophet_predict(&m, D0 + N, H, NULL, 0, 2, lv, fc, lo, up);
		for (int i = 0; i < H; i++)
		{
			in80 += y[N + i] >= lo[i] && y[N + i] <= up[i];
			in95 += y[N + i] >= lo[H + i] && y[N + i] <= up[H + i];
			mono &= lo[H + i] <= lo[i] && lo[i] <= fc[i] && fc[i] <= up[i] && up[i] <= up[H + i];
			tot++;
		}
		for (int i = 1; i < H; i++)
			mono &= (up[H + i] - lo[H + i]) >= (up[H + i - 1] - lo[H + i - 1]) - 1e-9;
	}
	ok(rc == PROPHET_OK, "interval simulation fits");
	ok(mono, "bounds nested (95%% outside 80%% outside mean) and widening with horizon");
	ok(in80 > 0.75 * tot && in80 < 0.90 * tot, "80%% interval coverage %.3f", (double) in80 / tot);
	ok(in95 > 0.92 * tot && in95 < 0.99 * tot, "95%% interval coverage %.3f", (double) in95 / tot);
}

static void
test_edges(void)
{
	static double y[2000];
	prophet_options o;
	prophet_model m;
	double		fc[28],
				lo[28],
				up[28],
				lv = 0.9;
	int			rc,
				allz;

	prophet_default_options(&o);
	for (int i = 0; i < 2000; i++)
		y[i] = 10.0 + (i % 7);
	ok(prophet_fit(&o, y, 0, D0, NULL, NULL, 0, 0, NULL, NULL, 0, &m) == PROPHET_ETOOSHORT,
	   "n = 0 -> ETOOSHORT");
	ok(prophet_fit(&o, y, 1, D0, NULL, NULL, 0, 0, NULL, NULL, 0, &m) == PROPHET_ETOOSHORT,
	   "n = 1 -> ETOOSHORT");
	ok(prophet_fit(&o, y, 13, D0, NULL, NULL, 0, 0, NULL, NULL, 0, &m) == PROPHET_ETOOSHORT,
	   "n = 13 -> ETOOSHORT");
	rc = prophet_fit(&o, y, 14, D0, NULL, NULL, 0, 0, NULL, NULL, 0, &m);
	ok(rc == PROPHET_OK && m.yearly_order == 0 && m.weekly_order == 3,
	   "n = 14 fits (weekly only, rc %d)", rc);
	rc = prophet_predict(&m, D0 + 14, 7, NULL, 0, 0, NULL, fc, NULL, NULL);
	{
		double		err = 0.0;

		for (int i = 0; i < 7; i++)
			err = fmax(err, fabs(fc[i] - (10.0 + ((14 + i) % 7))));
		ok(rc == PROPHET_OK && err < 0.5, "two weeks of a pure weekly pattern continue (max err %.3f)", err);
	}
	ok(prophet_fit(&o, NULL, 100, D0, NULL, NULL, 0, 0, NULL, NULL, 0, &m) == PROPHET_EINVAL,
	   "NULL y -> EINVAL");
	ok(prophet_fit(&o, y, -5, D0, NULL, NULL, 0, 0, NULL, NULL, 0, &m) == PROPHET_EINVAL,
	   "negative n -> EINVAL");
	y[50] = NAN;
	ok(prophet_fit(&o, y, 100, D0, NULL, NULL, 0, 0, NULL, NULL, 0, &m) == PROPHET_ENONFINITE,
	   "NaN in y -> ENONFINITE");
	y[50] = INFINITY;
	ok(prophet_fit(&o, y, 100, D0, NULL, NULL, 0, 0, NULL, NULL, 0, &m) == PROPHET_ENONFINITE,
	   "Inf in y -> ENONFINITE");
	y[50] = -3.0;
	ok(prophet_fit(&o, y, 100, D0, NULL, NULL, 0, 0, NULL, NULL, 0, &m) == PROPHET_EINVAL,
	   "negative y in log1p mode -> EINVAL");
	y[50] = 10.0;
	{
		double		x[100] = {0};

		x[7] = NAN;
		ok(prophet_fit(&o, y, 100, D0, NULL, x, 1, 100, NULL, NULL, 0, &m) == PROPHET_ENONFINITE,
		   "NaN in a regressor -> ENONFINITE");
		ok(prophet_fit(&o, y, 100, D0, NULL, x, 1, 50, NULL, NULL, 0, &m) == PROPHET_EINVAL,
		   "regressor leading dimension < n -> EINVAL");
	}
	{
		int32_t		d[20];

		for (int i = 0; i < 20; i++)
			d[i] = D0 + i;
		d[10] = d[9];
		ok(prophet_fit(&o, y, 20, D0, d, NULL, 0, 0, NULL, NULL, 0, &m) == PROPHET_EINVAL,
		   "non-increasing days -> EINVAL");
	}
	{
		prophet_options bad = o;

		bad.n_changepoints = PROPHET_MAX_CHANGEPOINTS + 1;
		ok(prophet_fit(&bad, y, 100, D0, NULL, NULL, 0, 0, NULL, NULL, 0, &m) == PROPHET_EINVAL,
		   "too many changepoints -> EINVAL");
		bad = o;
		bad.changepoint_prior_scale = NAN;
		ok(prophet_fit(&bad, y, 100, D0, NULL, NULL, 0, 0, NULL, NULL, 0, &m) == PROPHET_EINVAL,
		   "NaN prior scale -> EINVAL");
	}

	/* constant series, both modes */
	for (int mode = 0; mode < 2; mode++)
	{
		prophet_options oc = o;
		double		err = 0.0;

		oc.mode = mode;
		for (int i = 0; i < 800; i++)
			y[i] = 7.0;
		rc = prophet_fit(&oc, y, 800, D0, NULL, NULL, 0, 0, NULL, NULL, 0, &m);
		if (rc == PROPHET_OK)
			rc = prophet_predict(&m, D0 + 800, 28, NULL, 0, 1, &lv, fc, lo, up);
		for (int i = 0; i < 28; i++)
			err = fmax(err, fmax(fabs(fc[i] - 7.0), fmax(fabs(lo[i] - 7.0), fabs(up[i] - 7.0))));
		ok(rc == PROPHET_OK && err < 1e-3, "constant series (%s): forecast and bounds 7 (max err %.2g)",
		   mode ? "log1p" : "additive", err);
	}

	/* all-zero series */
	for (int i = 0; i < 800; i++)
		y[i] = 0.0;
	rc = prophet_fit(&o, y, 800, D0, NULL, NULL, 0, 0, NULL, NULL, 0, &m);
	if (rc == PROPHET_OK)
		rc = prophet_predict(&m, D0 + 800, 28, NULL, 0, 1, &lv, fc, lo, up);
	allz = 1;
	for (int i = 0; i < 28; i++)
		allz &= fabs(fc[i]) < 1e-9 && fabs(lo[i]) < 1e-9 && fabs(up[i]) < 1e-9;
	ok(rc == PROPHET_OK && allz, "all-zero series forecasts 0 with zero-width bounds");

	/* declining demand: never negative */
	{
		prophet_options on = additive_opts();
		int			nonneg = 1,
					hits0 = 0;

		on.nonneg = 1;
		for (int i = 0; i < 400; i++)
			y[i] = fmax(0.0, 60.0 - 0.15 * i + 2.0 * nrand());
		rc = prophet_fit(&on, y, 400, D0, NULL, NULL, 0, 0, NULL, NULL, 0, &m);
		if (rc == PROPHET_OK)
			rc = prophet_predict(&m, D0 + 400, 28, NULL, 0, 1, &lv, fc, lo, up);
		for (int i = 0; i < 28; i++)
		{
			nonneg &= fc[i] >= 0.0 && lo[i] >= 0.0 && up[i] >= 0.0;
			hits0 += fc[i] == 0.0;
		}
		ok(rc == PROPHET_OK && nonneg && hits0 > 0, "nonneg clamps a trend crossing zero (%d days at 0)", hits0);
	}

	/* predict argument checks */
	ok(prophet_predict(&m, D0, 5, NULL, 0, 1, (double[]) {1.5}, fc, lo, up) == PROPHET_EINVAL,
	   "level outside (0,1) -> EINVAL");
	ok(prophet_predict(NULL, D0, 5, NULL, 0, 0, NULL, fc, NULL, NULL) == PROPHET_EINVAL,
	   "NULL model -> EINVAL");
}

static void
test_serialization_and_determinism(void)
{
	enum {N = 900};
	static double y[N],
				x[N];
	prophet_options o;
	prophet_model a,
				b,
				c;
	unsigned char buf[sizeof(prophet_model)];
	double		fa[28],
				fb[28];
	int			rc1,
				rc2;
	size_t		ws;
	void	   *work;

	prophet_default_options(&o);
	for (int i = 0; i < N; i++)
	{
		x[i] = (i % 37) == 0;
		y[i] = fmax(0.0, 30.0 + 5.0 * sin(2 * M_PI * i / 7.0) + 10.0 * x[i] + 3.0 * nrand());
	}
	rc1 = prophet_fit(&o, y, N, D0, NULL, x, 1, N, NULL, NULL, 0, &a);
	rc2 = prophet_fit(&o, y, N, D0, NULL, x, 1, N, NULL, NULL, 0, &b);
	ok(rc1 == PROPHET_OK && rc2 == PROPHET_OK && memcmp(&a, &b, sizeof(a)) == 0,
	   "two fits of the same data give identical model bytes");

	ws = prophet_workspace_size(&o, 1);
	ok(ws > 0 && ws == prophet_workspace_size(&o, 1) && ws < 200000,
	   "workspace size %zu bytes, independent of n", ws);
	work = malloc(ws);
	rc1 = prophet_fit(&o, y, N, D0, NULL, x, 1, N, NULL, work, ws, &c);
	ok(rc1 == PROPHET_OK && memcmp(&a, &c, sizeof(a)) == 0, "caller workspace gives the same model");
	ok(prophet_fit(&o, y, N, D0, NULL, x, 1, N, NULL, work, ws - 8, &c) == PROPHET_ENOMEM,
	   "workspace too small -> ENOMEM");
	free(work);

	ok(prophet_model_size() == sizeof(prophet_model) &&
	   prophet_model_pack(&a, buf, sizeof(buf)) == PROPHET_OK &&
	   prophet_model_unpack(buf, sizeof(buf), &c) == PROPHET_OK &&
	   memcmp(&a, &c, sizeof(a)) == 0, "pack/unpack round trip (%zu bytes)", sizeof(buf));
	prophet_predict(&a, D0 + N, 28, x, 28, 0, NULL, fa, NULL, NULL);
	prophet_predict(&c, D0 + N, 28, x, 28, 0, NULL, fb, NULL, NULL);
	ok(memcmp(fa, fb, sizeof(fa)) == 0, "unpacked model predicts identically");
	ok(prophet_model_unpack(buf, sizeof(buf) - 1, &c) == PROPHET_ECORRUPT, "short buffer -> ECORRUPT");
	{
		prophet_model bad = a;

		bad.delta[3] = NAN;
		memcpy(buf, &bad, sizeof(bad));
		ok(prophet_model_unpack(buf, sizeof(buf), &c) == PROPHET_ECORRUPT, "NaN coefficient -> ECORRUPT");
		bad = a;
		bad.magic ^= 1;
		memcpy(buf, &bad, sizeof(bad));
		ok(prophet_model_unpack(buf, sizeof(buf), &c) == PROPHET_ECORRUPT, "bad magic -> ECORRUPT");
		bad = a;
		bad.n_changepoints = 1000;
		ok(prophet_model_validate(&bad) == PROPHET_ECORRUPT &&
		   prophet_predict(&bad, D0, 3, x, 3, 0, NULL, fa, NULL, NULL) == PROPHET_EINVAL,
		   "out-of-range count -> ECORRUPT, predict refuses");
	}
	ok(strcmp(prophet_strerror(PROPHET_ETOOSHORT), prophet_strerror(PROPHET_OK)) != 0,
	   "status messages");
}

static void
test_speed_and_scale(void)
{
	enum {N = 1095, H = 28, REPS = 200};
	static double y[N];
	prophet_options o;
	prophet_model m;
	double		fc[H],
				lo[H],
				up[H],
				lv = 0.8,
				t0,
				el;
	int			rc = PROPHET_OK;
	double	   *big;
	const int	NB = 1000000;

	prophet_default_options(&o);
	for (int i = 0; i < N; i++)
		y[i] = fmax(0.0, truth(i) + 3.0 * nrand());
	t0 = now_sec();
	for (int r = 0; r < REPS && rc == PROPHET_OK; r++)
	{
		rc = prophet_fit(&o, y, N, D0, NULL, NULL, 0, 0, NULL, NULL, 0, &m);
		if (rc == PROPHET_OK)
			rc = prophet_predict(&m, D0 + N, H, NULL, 0, 1, &lv, fc, lo, up);
	}
	el = (now_sec() - t0) / REPS;
	/* timing is a diagnostic only: speed targets live in test/bench */
	printf("# 1095-day fit + 28-day forecast with intervals: %.3f ms\n", el * 1e3);
	ok(rc == PROPHET_OK && isfinite(fc[0]) && isfinite(lo[0]) && isfinite(up[0]) &&
	   lo[0] <= fc[0] && fc[0] <= up[0], "3-year fit+forecast %d times: finite forecast inside its interval", REPS);

	big = malloc(sizeof(double) * NB);
	if (big == NULL)
	{
		ok(0, "allocate 10^6 points");
		return;
	}
	for (int i = 0; i < NB; i++)
		big[i] = fmax(0.0, 50.0 + 5.0 * sin(2 * M_PI * i / 7.0) + 2.0 * nrand());
	t0 = now_sec();
	rc = prophet_fit(&o, big, NB, 0, NULL, NULL, 0, 0, NULL, NULL, 0, &m);
	el = now_sec() - t0;
	printf("# 10^6-point fit: %.3f s\n", el);
	if (rc == PROPHET_OK)
		rc = prophet_predict(&m, NB, H, NULL, 0, 0, NULL, fc, NULL, NULL);
	ok(rc == PROPHET_OK && fabs(fc[0] - (50.0 + 5.0 * sin(2 * M_PI * NB / 7.0))) < 1.0,
	   "10^6 points fit with O(1) workspace, forecast %.2f", fc[0]);
	free(big);
}

int
main(void)
{
	test_recovery();
	test_regressors();
	test_intervals();
	test_edges();
	test_serialization_and_determinism();
	test_speed_and_scale();
	printf("1..%d\n", test_no);
	return failures ? 1 : 0;
}
