/*
 * test_ets.c - unit tests of the ETS core (hand-computed recursions,
 * forecasts and intervals, estimation, selection, edge cases, determinism).
 * The comparison with R's own figures is test_ets_r_check.c.
 * Copyright (C) doliflow contributors.  GPL-3.0-or-later.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ets.h"
#include "tap.h"

static unsigned long long rng_state = 12345;

static double
unif(void)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return ((rng_state >> 11) + 0.5) / 9007199254740992.0;
}

static double
gauss(void)
{
	return sqrt(-2 * log(unif())) * cos(2 * 3.14159265358979 * unif());
}

static EtsModel
spec(int e, int t, int s, int d, int m)
{
	EtsModel	x;

	memset(&x, 0, sizeof(x));
	x.error = e;
	x.trend = t;
	x.season = s;
	x.damped = d;
	x.m = s ? m : 1;
	x.phi = 1.0;
	return x;
}

int
main(void)
{
	EtsModel	m;
	double		f[64],
				lo[64],
				hi[64],
				fit[8],
				res[8];
	double		z95 = 1.959963984540054;
	int			rc,
				i;

	/* ---- hand-computed recursion: ANN alpha .5, l0 10, y = 12, 8 */
	m = spec(ETS_A, ETS_N, ETS_N, 0, 1);
	m.alpha = 0.5;
	m.x0[0] = 10;
	{
		double		y[] = {12, 8};

		rc = ets_filter(&m, y, 2, fit, res);
		ok(rc == ETS_OK && fit[0] == 10 && fit[1] == 11, "ANN fitted values 10, 11");
		ok(res[0] == 2 && res[1] == -3, "ANN residuals 2, -3");
		ok(m.x[0] == 9.5, "ANN final level 9.5");
		ok(near(m.lik, 2 * log(13.0), 1e-12), "lik = n log(SSE) = 2 log 13 (got %g)", m.lik);
		ok(near(m.loglik, -log(13.0), 1e-12), "loglik = -lik/2");
	}
	/* ---- MNN: relative errors and the log|f| term */
	m = spec(ETS_M, ETS_N, ETS_N, 0, 1);
	m.alpha = 0.5;
	m.x0[0] = 10;
	{
		double		y[] = {12, 8};

		/* f1 = 10, e1 = .2, l1 = 10 + .5*(12-10) = 11; f2 = 11, e2 = -3/11 */
		rc = ets_filter(&m, y, 2, fit, res);
		ok(rc == ETS_OK && near(res[0], 0.2, 1e-12) && near(res[1], -3.0 / 11, 1e-12),
		   "MNN relative errors .2, -3/11");
		ok(near(m.lik, 2 * log(0.04 + 9.0 / 121) + 2 * (log(10.0) + log(11.0)), 1e-12),
		   "MNN lik = n log(sum e^2) + 2 sum log|f|");
	}

	/* ---- point forecasts and analytic intervals, AAN */
	m = spec(ETS_A, ETS_A, ETS_N, 0, 1);
	m.alpha = 0.5;
	m.beta = 0.1;
	m.x[0] = 10;
	m.x[1] = 2;
	m.x0[0] = 10;
	m.x0[1] = 2;
	m.sigma2 = 1.0;
	rc = ets_forecast(&m, 3, 0.95, f, lo, hi);
	ok(rc == ETS_OK && f[0] == 12 && f[1] == 14 && f[2] == 16, "AAN forecasts 12, 14, 16");
	ok(near(hi[0] - f[0], z95, 1e-9), "h=1 half-width z sigma");
	ok(near(hi[1] - f[1], z95 * sqrt(1 + 0.6 * 0.6), 1e-9), "h=2 var sigma2 (1 + (alpha+beta)^2)");
	ok(near(hi[2] - f[2], z95 * sqrt(1 + 0.36 + 0.7 * 0.7), 1e-9), "h=3 adds (alpha + 2 beta)^2");
	ok(near(f[1] - lo[1], hi[1] - f[1], 1e-12), "symmetric interval");
	ok(ets_forecast(&m, 3, 1.5, f, lo, hi) == ETS_EINVAL, "level outside (0,1) rejected");
	ok(ets_forecast(&m, 0, 0.95, f, NULL, NULL) == ETS_EINVAL, "h = 0 rejected");

	/* damped */
	m = spec(ETS_A, ETS_A, ETS_N, 1, 1);
	m.alpha = 0.5;
	m.beta = 0.1;
	m.phi = 0.9;
	m.x[0] = m.x0[0] = 10;
	m.x[1] = m.x0[1] = 2;
	m.sigma2 = 1;
	ets_forecast(&m, 2, 0.95, f, lo, hi);
	ok(near(f[0], 11.8, 1e-12) && near(f[1], 13.42, 1e-12), "AAdN forecasts 10+.9*2, 10+1.71*2");
	ok(near(hi[1] - f[1], z95 * sqrt(1 + pow(0.5 + 0.1 * 0.9, 2)), 1e-9), "AAdN h=2 c_1 = alpha + beta phi");

	/* additive season, m = 2: s_1 (newest) = 1, s_2 = -1 */
	m = spec(ETS_A, ETS_N, ETS_A, 0, 2);
	m.alpha = 0.3;
	m.gamma = 0.2;
	m.x[0] = m.x0[0] = 10;
	m.x[1] = m.x0[1] = 1;
	m.x[2] = m.x0[2] = -1;
	m.sigma2 = 4;
	ets_forecast(&m, 3, 0.8, f, lo, hi);
	ok(f[0] == 9 && f[1] == 11 && f[2] == 9, "ANA forecasts 9, 11, 9");
	ok(near(hi[2] - f[2], 1.2815515655446004 * 2 * sqrt(1 + 0.09 + 0.25), 1e-9),
	   "ANA h=3: c_2 = alpha + gamma (j = m)");

	/* ---- multiplicative model intervals by simulation: deterministic, widen */
	m = spec(ETS_M, ETS_N, ETS_N, 0, 1);
	m.alpha = 0.3;
	m.x[0] = m.x0[0] = 100;
	m.sigma2 = 0.01;
	{
		double		lo2[10],
					hi2[10],
					f2[10];

		ets_forecast(&m, 10, 0.95, f, lo, hi);
		ets_forecast(&m, 10, 0.95, f2, lo2, hi2);
		ok(memcmp(lo, lo2, sizeof(lo2)) == 0 && memcmp(hi, hi2, sizeof(hi2)) == 0,
		   "simulated intervals are deterministic");
		ok(lo[0] < 100 && hi[0] > 100 && hi[9] - lo[9] > hi[0] - lo[0],
		   "MNN intervals contain the forecast and widen");
		ok(near(hi[0] - lo[0], 2 * z95 * 10, 0.05), "MNN h=1 width ~ 2 z sigma f (got %g)", hi[0] - lo[0]);
	}

	/* ---- estimation: simulated ANN with alpha 0.3 */
	{
		int			n = 2000;
		double	   *y = malloc(sizeof(double) * n);
		double		l = 50;
		EtsModel	a,
					b;

		for (i = 0; i < n; i++)
		{
			double		e = gauss();

			y[i] = l + e;
			l += 0.3 * e;
		}
		a = spec(ETS_A, ETS_N, ETS_N, 0, 1);
		rc = ets_fit(&a, y, n, NULL, NULL);
		ok(rc == ETS_OK && fabs(a.alpha - 0.3) < 0.05, "ANN alpha recovered (0.3, got %g)", a.alpha);
		ok(fabs(a.sigma2 - 1.0) < 0.1, "sigma2 recovered (1, got %g)", a.sigma2);
		ok(near(a.aicc, a.aic + 2.0 * a.k * (a.k + 1) / (n - a.k - 1), 1e-12) &&
		   near(a.bic, a.lik + log((double) n) * a.k, 1e-12), "AICc and BIC formulas");
		rc = ets_auto(y, n, 1, NULL, &a, NULL);
		rc |= ets_auto(y, n, 1, NULL, &b, NULL);
		ok(rc == ETS_OK && memcmp(&a, &b, sizeof(a)) == 0, "ets_auto is deterministic");
		ok(a.trend == ETS_N && a.season == ETS_N, "no trend/season chosen on a level series");
		free(y);
	}
	/* ---- selection: trend + weekly season, positive */
	{
		int			n = 700,
					nf;
		double	   *y = malloc(sizeof(double) * n);
		double		w[7] = {5, 3, 0, -1, -2, -3, -2};
		EtsModel	a;
		char		nm[32];

		for (i = 0; i < n; i++)
			y[i] = 100 + 0.2 * i + w[i % 7] * 3 + gauss();
		rc = ets_auto(y, n, 7, NULL, &a, &nf);
		ok(rc == ETS_OK && a.season != ETS_N && a.trend != ETS_N,
		   "trend + season found: %s", ets_model_name(&a, nm, sizeof(nm)));
		ok(nf == 15, "15 candidate models on positive seasonal data (got %d)", nf);
		ets_forecast(&a, 14, 0.95, f, NULL, NULL);
		{
			double		mae = 0;

			for (i = 0; i < 14; i++)
				mae += fabs(f[i] - (100 + 0.2 * (n + i) + w[(n + i) % 7] * 3));
			ok(mae / 14 < 1.5, "14-day forecast close to the signal (MAE %g)", mae / 14);
		}
		/* with zeros: no multiplicative component */
		for (i = 0; i < n; i += 10)
			y[i] = 0;
		rc = ets_auto(y, n, 7, NULL, &a, &nf);
		ok(rc == ETS_OK && nf == 6 && a.error == ETS_A && a.season != ETS_M,
		   "zeros: only additive models (%d fitted, %s)", nf, ets_model_name(&a, nm, sizeof(nm)));
		free(y);
	}
	/* ---- edge cases */
	{
		double		y[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
		double		yn[] = {1, 2, NAN, 4, 5, 6, 7, 8, 9, 10};
		double		yi[] = {1, 2, -INFINITY, 4, 5, 6, 7, 8, 9, 10};
		EtsModel	a;

		ok(ets_auto(y, 0, 1, NULL, &a, NULL) == ETS_EINVAL, "n = 0 rejected");
		ok(ets_auto(y, 1, 1, NULL, &a, NULL) == ETS_ETOOSHORT, "n = 1 too short");
		ok(ets_auto(y, 2, 1, NULL, &a, NULL) == ETS_ETOOSHORT, "n = 2 too short");
		ok(ets_auto(yn, 10, 1, NULL, &a, NULL) == ETS_ENONFINITE, "NaN rejected");
		ok(ets_auto(yi, 10, 1, NULL, &a, NULL) == ETS_ENONFINITE, "-Inf rejected");
		ok(ets_auto(y, 10, 1, NULL, NULL, NULL) == ETS_EINVAL, "NULL output rejected");
		a = spec(ETS_M, ETS_N, ETS_N, 0, 1);
		y[3] = 0;
		ok(ets_fit(&a, y, 10, NULL, NULL) == ETS_EINVAL, "multiplicative error on data with a zero rejected");
		a = spec(ETS_A, ETS_N, ETS_A, 0, 30);
		ok(ets_fit(&a, y, 10, NULL, NULL) == ETS_EINVAL, "m > 24 rejected");
		a = spec(3, ETS_N, ETS_N, 0, 1);
		ok(ets_model_validate(&a) == ETS_EINVAL, "bad component code invalid");
		for (i = 0; i < 10; i++)
			y[i] = 7;
		rc = ets_auto(y, 10, 1, NULL, &a, NULL);
		ok(rc == ETS_OK, "constant series fits");
		ets_forecast(&a, 3, 0.95, f, lo, hi);
		ok(near(f[0], 7, 1e-6) && near(f[2], 7, 1e-6), "constant series forecast 7 (got %g)", f[0]);
	}
	/* ---- huge n */
	{
		int			n = 1000000;
		double	   *y = malloc(sizeof(double) * n);
		EtsModel	a = spec(ETS_A, ETS_N, ETS_N, 0, 1);
		struct timespec t0,
					t1;

		double		l = 10;

		for (i = 0; i < n; i++)
		{
			double		e = gauss();

			y[i] = l + e;
			l += 0.5 * e;
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		rc = ets_fit(&a, y, n, NULL, NULL);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("# n = 10^6 ANN fit: %.0f ms (diagnostic only)\n",
			   (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) * 1e-6);
		ok(rc == ETS_OK && fabs(a.alpha - 0.5) < 0.01, "n = 10^6 ANN fit recovers alpha 0.5 (%g)", a.alpha);
		free(y);
	}
	return tap_done();
}
