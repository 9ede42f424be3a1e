/*
 * test_forecast.c - unit tests of the automatic choice, fallbacks, forecasts,
 * serialization (round trip, corruption), rendering and edge cases.
 * Copyright (C) doliflow contributors.  GPL-3.0-or-later.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "forecast.h"
#include "tap.h"

static unsigned long long rs = 777;

static double
unif(void)
{
	rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
	return ((rs >> 11) + 0.5) / 9007199254740992.0;
}

static double
gauss(void)
{
	return sqrt(-2 * log(unif())) * cos(2 * 3.14159265358979 * unif());
}

static int
all_ge(const double *a, const double *b, int h)
{
	int			i;

	for (i = 0; i < h; i++)
		if (a[i] < b[i])
			return 0;
	return 1;
}

int
main(void)
{
	FcModel		m;
	FcOptions	o;
	double		f[64],
				lo[64],
				hi[64];
	int			rc,
				i;

	fc_default_options(&o);
	/* ---- input checks */
	{
		double		y[] = {1, 2, 3, NAN};
		double		yi[] = {1, INFINITY, 3};
		double		yn[] = {1, -INFINITY, 3};

		ok(fc_fit(y, 0, 7, NULL, &m) == FC_ETOOSHORT, "n = 0 -> FC_ETOOSHORT");
		ok(fc_fit(y, 4, 7, NULL, &m) == FC_ENONFINITE, "NaN -> FC_ENONFINITE");
		ok(fc_fit(yi, 3, 7, NULL, &m) == FC_ENONFINITE, "+Inf -> FC_ENONFINITE");
		ok(fc_fit(yn, 3, 7, NULL, &m) == FC_ENONFINITE, "-Inf -> FC_ENONFINITE");
		ok(fc_fit(y, 3, 0, NULL, &m) == FC_EINVAL, "period 0 rejected");
		ok(fc_fit(NULL, 3, 7, NULL, &m) == FC_EINVAL, "NULL data rejected");
		ok(fc_fit(y, 3, 7, NULL, NULL) == FC_EINVAL, "NULL model rejected");
		o.method = 99;
		ok(fc_fit(y, 3, 7, &o, &m) == FC_EINVAL, "unknown method rejected");
		fc_default_options(&o);
	}
	/* ---- fallbacks */
	{
		double		z[30] = {0};
		double		c[30];
		double		one[] = {5};
		double		two[] = {4, 6};

		rc = fc_fit(z, 30, 7, NULL, &m);
		fc_forecast(&m, 5, 0.95, f, lo, hi);
		ok(rc == FC_OK && m.method == FC_ZERO && f[0] == 0 && hi[4] == 0, "all zero -> zero forecast");
		for (i = 0; i < 30; i++)
			c[i] = 3.5;
		rc = fc_fit(c, 30, 7, NULL, &m);
		fc_forecast(&m, 5, 0.95, f, lo, hi);
		ok(rc == FC_OK && m.method == FC_NAIVE && f[4] == 3.5 && lo[4] == 3.5 && hi[4] == 3.5,
		   "constant -> the constant, zero-width interval");
		rc = fc_fit(one, 1, 7, NULL, &m);
		fc_forecast(&m, 3, 0.95, f, lo, hi);
		ok(rc == FC_OK && m.method == FC_MEAN && f[0] == 5 && m.demand_class == DC_SHORT, "n = 1 -> mean 5");
		rc = fc_fit(two, 2, 7, NULL, &m);
		fc_forecast(&m, 3, 0.95, f, lo, hi);
		ok(rc == FC_OK && m.method == FC_MEAN && f[0] == 5 &&
		   near(hi[0] - 5, 1.959963984540054 * sqrt(2 * 1.5), 1e-9),
		   "n = 2 -> mean 5, sd sqrt(s2 (1 + 1/n))");
	}
	/* ---- intermittent */
	{
		double		y[200];
		char		buf[512];

		for (i = 0; i < 200; i++)
			y[i] = unif() < 0.2 ? 1 + floor(4 * unif()) : 0;
		rc = fc_fit(y, 200, 7, NULL, &m);
		fc_forecast(&m, 14, 0.9, f, lo, hi);
		ok(rc == FC_OK && (m.method == FC_CROSTON || m.method == FC_SBA || m.method == FC_TSB),
		   "intermittent -> %s", fc_method_name(m.method));
		ok(m.demand_class == DC_INTERMITTENT || m.demand_class == DC_LUMPY, "class %s",
		   demand_class_name(m.demand_class));
		ok(f[0] > 0.2 && f[0] < 1.0 && lo[0] >= 0 && all_ge(hi, f, 14) && all_ge(f, lo, 14),
		   "rate %g near 0.2 x 2.5, lo <= f <= hi", f[0]);
		ok(m.holdout > 0 && m.score >= 0, "chosen by holdout (%d x %d)", m.holdout, m.origins);
		fc_model_describe(&m, buf, sizeof(buf));
		ok(strstr(buf, "class=") != NULL && (strstr(buf, "SBA") || strstr(buf, "Croston") || strstr(buf, "TSB")),
		   "description: %s", buf);
	}
	/* ---- smooth daily demand with weekly pattern and trend */
	{
		int			n = 730;
		double	   *y = malloc(sizeof(double) * n);
		double		w[7] = {1.3, 1.1, 1.0, 1.0, 1.2, 0.8, 0.6};
		double		mae = 0;
		char		js[4096];

		for (i = 0; i < n; i++)
			y[i] = (40 + 0.02 * i) * w[i % 7] + 2 * gauss();
		o.first_day = 8000;
		rc = fc_fit(y, n, 7, &o, &m);
		ok(rc == FC_OK && m.method != FC_MEAN && m.demand_class == DC_SMOOTH,
		   "smooth daily series -> %s", fc_method_name(m.method));
		rc = fc_forecast(&m, 28, 0.95, f, lo, hi);
		for (i = 0; i < 28; i++)
			mae += fabs(f[i] - (40 + 0.02 * (n + i)) * w[(n + i) % 7]);
		ok(rc == FC_OK && mae / 28 < 2.0, "28-day forecast MAE vs signal %g < 2", mae / 28);
		ok(all_ge(hi, f, 28) && all_ge(f, lo, 28) && hi[27] - lo[27] > 4 && hi[27] - lo[27] < 40,
		   "95%% interval contains the mean, width %g", hi[27] - lo[27]);
		fc_model_json(&m, js, sizeof(js));
		ok(js[0] == '{' && js[strlen(js) - 1] == '}' && strstr(js, "\"demand_class\":\"smooth\""),
		   "JSON summary");
		/* fitted values */
		{
			double	   *fit = malloc(sizeof(double) * n);

			ok(fc_fitted(&m, y, n, fit) == FC_OK && fabs(fit[n - 1] - y[n - 1]) < 15, "fitted values");
			ok(fc_fitted(&m, y, n - 1, fit) == FC_EINVAL, "fitted with wrong length rejected");
			free(fit);
		}
		/* serialization round trip and determinism */
		{
			size_t		sz = fc_model_size(&m),
						w1,
						w2;
			unsigned char *b1 = malloc(sz),
					   *b2 = malloc(sz);
			FcModel		m2;
			double		f2[28],
						lo2[28],
						hi2[28];
			int			bad = 0,
						crashed = 0;

			ok(sz > 0 && fc_model_serialize(&m, b1, sz, &w1) == FC_OK && w1 == sz, "serialize (%zu bytes)", sz);
			ok(fc_model_serialize(&m, b2, sz - 1, &w2) == FC_ESPACE, "short buffer -> FC_ESPACE");
			rc = fc_model_deserialize(b1, sz, &m2);
			fc_forecast(&m2, 28, 0.95, f2, lo2, hi2);
			ok(rc == FC_OK && memcmp(f, f2, sizeof(f2)) == 0 && memcmp(lo, lo2, sizeof(lo2)) == 0,
			   "round trip gives identical forecasts");
			{
				FcModel		m3;

				fc_fit(y, n, 7, &o, &m3);
				fc_model_serialize(&m3, b2, sz, &w2);
				ok(w2 == sz && memcmp(b1, b2, sz) == 0, "fit is deterministic (identical bytes)");
			}
			/* flip every byte once */
			for (i = 0; i < (int) sz; i++)
			{
				b2[i] ^= 0x5a;
				rc = fc_model_deserialize(b2, sz, &m2);
				if (rc != FC_ECORRUPT)
					bad++;
				b2[i] ^= 0x5a;
			}
			ok(bad == 0, "every single corrupted byte detected (%d missed of %zu)", bad, sz);
			for (i = 0; i < (int) sz; i += 7)
				if (fc_model_deserialize(b1, i, &m2) != FC_ECORRUPT)
					crashed++;
			ok(crashed == 0, "every truncation rejected");
			for (i = 0; i < (int) sz; i++)
				b2[i] = (unsigned char) (unif() * 256);
			ok(fc_model_deserialize(b2, sz, &m2) == FC_ECORRUPT, "random bytes rejected");
			ok(fc_model_deserialize(NULL, 0, &m2) == FC_ECORRUPT, "empty input rejected");
			free(b1);
			free(b2);
		}
		/* every forced method */
		{
			int			k,
						allok = 1;

			for (k = FC_ZERO; k < FC_N_METHODS; k++)
			{
				FcOptions	fo = o;

				fo.method = k;
				rc = fc_fit(y, n, 7, &fo, &m);
				if (rc == FC_OK)
					rc = fc_forecast(&m, 10, 0.8, f, lo, hi);
				if (rc != FC_OK || !all_ge(hi, f, 10) || !all_ge(f, lo, 10) || m.method != k)
				{
					allok = 0;
					printf("# method %s: %s\n", fc_method_name(k), fc_strerror(rc));
				}
			}
			ok(allok, "every method can be forced and forecasts");
		}
		/* one bound only (the Prophet core wants both: the glue handles it) */
		{
			FcOptions	fo = o;
			double		hi2[10];

			fo.method = FC_PROPHET;
			rc = fc_fit(y, n, 7, &fo, &m);
			ok(rc == FC_OK && fc_forecast(&m, 10, 0.8, f, lo, NULL) == FC_OK &&
			   fc_forecast(&m, 10, 0.8, f, NULL, hi2) == FC_OK && all_ge(f, lo, 10) &&
			   all_ge(hi2, f, 10), "Prophet member: lower or upper bound alone");
		}
		free(y);
	}
	/* ---- nonneg */
	{
		double		y[60];

		for (i = 0; i < 60; i++)
			y[i] = 60 - i + 0.5 * gauss();
		o.method = FC_ETS;
		o.nonneg = 0;
		fc_fit(y, 60, 1, &o, &m);
		fc_forecast(&m, 30, 0.95, f, lo, hi);
		ok(f[29] < 0, "nonneg off: a falling trend goes negative (%g)", f[29]);
		o.nonneg = 1;
		fc_fit(y, 60, 1, &o, &m);
		fc_forecast(&m, 30, 0.95, f, lo, hi);
		ok(f[29] == 0 && lo[29] == 0 && hi[0] >= 0, "nonneg on: clamped at 0");
		fc_default_options(&o);
	}
	/* ---- huge n: trimmed to max_obs */
	{
		int			n = 1000000;
		double	   *y = malloc(sizeof(double) * n);
		struct timespec t0,
					t1;

		for (i = 0; i < n; i++)
			y[i] = 20 + 5 * sin(i * 2 * 3.14159265358979 / 7) + gauss();
		clock_gettime(CLOCK_MONOTONIC, &t0);
		rc = fc_fit(y, n, 7, NULL, &m);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		fc_forecast(&m, 7, 0.95, f, NULL, NULL);
		printf("# n = 10^6 fc_fit: %.0f ms (diagnostic only)\n",
			   (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) * 1e-6);
		ok(rc == FC_OK && m.n == 3660 && m.n_total == n && fabs(f[0] - (20 + 5 * sin(n * 2 * 3.14159265358979 / 7))) < 3,
		   "n = 10^6 fits the last 3660 points");
		free(y);
	}
	/* ---- tiers of the automatic choice, and regressors (events) */
	{
		enum {N = 840, H = 28};
		static double y[N + H],
					x[N + H],
					xf[H],
					fit[N];
		double		f1[H],
					f2[H];
		FcOptions	o;
		FcModel		mf,
					mu,
					mx;
		prophet_regressor spec;
		double		beta = 0;
		int			lm = 0,
					ev,
					r1,
					r2,
					r3;

		/* weekly demand ~40, a 5-day promotion x3 every 100 days */
		for (i = 0; i < N + H; i++)
		{
			ev = (i % 100) >= 50 && (i % 100) < 55;
			x[i] = ev;
			y[i] = round((40 + 8 * sin(i * 2 * 3.14159265358979 / 7) + 2 * gauss()) * (ev ? 3 : 1));
			if (y[i] < 0)
				y[i] = 0;
		}
		fc_default_options(&o);
		r1 = fc_fit(y, N, 7, &o, &mf);
		ok(r1 == FC_OK && mf.method == FC_PROPHET && mf.tier == FC_TIER_FAST && mf.holdout == 0,
		   "daily smooth series: default tier is fast, Prophet-style without holdout (%s)",
		   fc_method_name(mf.method));
		o.tier = FC_TIER_FULL;
		r2 = fc_fit(y, N, 7, &o, &mu);
		ok(r2 == FC_OK && mu.tier == FC_TIER_FULL && mu.holdout == 28 && mu.n_candidates >= 5,
		   "full tier: holdout over %d candidates", mu.n_candidates);
		fc_default_options(&o);
		r3 = fc_fit(y, 200, 1, &o, &mu);
		ok(r3 == FC_OK && mu.tier == FC_TIER_FULL, "period 1: default tier is full");
		o.tier = 7;
		ok(fc_fit(y, N, 7, &o, &mu) == FC_EINVAL, "unknown tier rejected");
		fc_default_options(&o);
		o.use_prophet = 0;
		r1 = fc_fit(y, N, 7, &o, &mu);
		ok(r1 == FC_OK && mu.tier == FC_TIER_FULL && mu.method != FC_PROPHET && mu.holdout == 28,
		   "prophet off: the full holdout without Prophet (%s)", fc_method_name(mu.method));

		/* the promotion as a regressor: effect ~ log(3), applied in the horizon */
		fc_default_options(&o);
		o.xreg = x;
		o.n_xreg = 1;
		o.ld_xreg = N;
		r1 = fc_fit(y, N, 7, &o, &mx);
		r2 = r1 == FC_OK ? fc_model_regressor(&mx, 0, &beta, &lm) : r1;
		ok(r1 == FC_OK && mx.method == FC_PROPHET && fc_model_n_regressors(&mx) == 1 &&
		   r2 == FC_OK && lm == 1 && fabs(beta - log(3.0)) < 0.15,
		   "promotion effect learned: coefficient %.3f ~ log 3 = %.3f", beta, log(3.0));
		for (i = 0; i < H; i++)
			xf[i] = x[N + i];
		/* N = 840: days 850..854 (horizon steps 10..14) are promotion days */
		r1 = fc_forecast_x(&mx, H, 0.9, xf, H, f1, NULL, NULL);
		r2 = fc_forecast_x(&mx, H, 0.9, NULL, 0, f2, NULL, NULL);
		ok(r1 == FC_OK && r2 == FC_OK && f1[0] == f2[0] && f1[12] > 2.5 * f2[12] && f1[12] < 3.5 * f2[12],
		   "future occurrence applied: %.1f with, %.1f without (x3 planted)", f1[12], f2[12]);
		ok(fc_forecast_x(&mx, H, 0.9, xf, H - 1, f1, NULL, NULL) == FC_EINVAL, "short regressor stride rejected");
		r1 = fc_fitted_x(&mx, y, N, x, N, fit);
		ok(r1 == FC_OK && fit[750] > 2 * fit[745], "fitted values carry the effect (%.1f vs %.1f)",
		   fit[750], fit[745]);
		/* fixed prior: the coefficient is the prior */
		spec.prior_mean = 0.5;
		spec.prior_scale = 0;
		spec.fixed = 1;
		o.xspec = &spec;
		r1 = fc_fit(y, N, 7, &o, &mx);
		r2 = r1 == FC_OK ? fc_model_regressor(&mx, 0, &beta, NULL) : r1;
		ok(r1 == FC_OK && r2 == FC_OK && beta == 0.5, "fixed regressor keeps its prior mean (%g)", beta);
		spec.prior_mean = NAN;
		ok(fc_fit(y, N, 7, &o, &mx) == FC_EINVAL, "NaN prior rejected");
		o.xspec = NULL;
		o.ld_xreg = N - 1;
		ok(fc_fit(y, N, 7, &o, &mx) == FC_EINVAL, "regressor column shorter than the series rejected");
		/* full tier with regressors: the winner uses them */
		o.ld_xreg = N;
		o.tier = FC_TIER_FULL;
		ok(fc_fit(y, N, 7, &o, &mx) == FC_OK && fc_model_n_regressors(&mx) == 1 &&
		   (mx.method == FC_PROPHET || mx.method == FC_ENS_MEAN || mx.method == FC_ENS_MEDIAN),
		   "full tier with regressors returns a model that uses them (%s)", fc_method_name(mx.method));
	}
	/* ---- misc */
	{
		char		small[8];
		double		y[] = {3, 4, 5, 4, 3, 4, 5, 4, 3, 4};
		int			need;

		fc_fit(y, 10, 1, NULL, &m);
		need = fc_model_describe(&m, small, sizeof(small));
		ok(need > 7 && strlen(small) == 7, "describe truncates like snprintf (needs %d)", need);
		ok(fc_forecast(&m, 0, 0.9, f, lo, hi) == FC_EINVAL, "h = 0 rejected");
		ok(fc_forecast(&m, 3, 1.0, f, lo, hi) == FC_EINVAL, "level 1 rejected");
		ok(fc_forecast(&m, 3, 1.0, f, NULL, NULL) == FC_OK, "level ignored without bounds");
		m.member[0].kind = 42;
		ok(fc_forecast(&m, 3, 0.9, f, lo, hi) == FC_ECORRUPT, "corrupted in-memory model rejected");
		ok(strcmp(fc_strerror(FC_ECORRUPT), "corrupted forecast model") == 0, "error messages");
	}
	/* ---- calendars, scaling, options of version 2 */
	{
		int32_t		d;
		int			yy,
					mm,
					dd,
					i;
		double		ym[48],
					ys[48];
		FcOptions	o;
		FcModel		ma,
					mb;
		unsigned char bytes[200000];
		size_t		w;

		/* 1949-01-31 + 1 month = 1949-02-28 (clamped), + 13 months = 1950-02-28 */
		ok(fc_calendar_date(FC_FREQ_MONTH, 31, fc_days_from_civil(1949, 1, 31), 1, &d) == FC_OK &&
		   (fc_civil_from_days(d, &yy, &mm, &dd), yy == 1949 && mm == 2 && dd == 28),
		   "month ends clamp (%d-%d-%d)", yy, mm, dd);
		ok(fc_calendar_date(FC_FREQ_QUARTER, 1, fc_days_from_civil(2000, 11, 1), 1, &d) == FC_OK &&
		   (fc_civil_from_days(d, &yy, &mm, &dd), yy == 2001 && mm == 2 && dd == 1), "quarters cross years");
		ok(fc_calendar_date(FC_FREQ_MONTH, 1, fc_days_from_civil(2000, 3, 1), -3, &d) == FC_OK &&
		   (fc_civil_from_days(d, &yy, &mm, &dd), yy == 1999 && mm == 12), "negative positions");
		ok(fc_calendar_date(FC_FREQ_YEAR, 1, 0, INT32_MAX, &d) == FC_ERANGE, "beyond the calendar -> FC_ERANGE");
		ok(fc_calendar_date(42, 0, 0, 1, &d) == FC_EINVAL && fc_calendar_date(FC_FREQ_DAY, 0, 0, 1, NULL) == FC_EINVAL,
		   "bad frequency / NULL rejected");
		for (i = 0; i < 48; i++)
		{
			ym[i] = 100 + 10 * (i % 12 == 6) + i;
			ys[i] = ym[i] * 1e200;
		}
		fc_default_options(&o);
		o.freq = FC_FREQ_MONTH;
		o.anchor = 1;
		o.horizon = 12;
		ok(fc_fit(ym, 48, 12, &o, &ma) == FC_OK && ma.freq == FC_FREQ_MONTH && ma.data_scale == 1.0 &&
		   ma.holdout == 12, "monthly fit told the horizon validates on it (holdout %d)", ma.holdout);
		ok(fc_fit(ys, 48, 12, &o, &mb) == FC_OK && mb.data_scale > 1e190 &&
		   fc_forecast(&mb, 3, 0.9, f, lo, hi) == FC_OK && f[0] / 1e200 > 100 && f[0] / 1e200 < 200,
		   "1e200-scale data forecast on their scale (%g)", f[0]);
		o.freq = 0;
		ok(fc_fit(ym, 48, 12, &o, &mb) == FC_EINVAL, "frequency 0 rejected");
		o.freq = FC_FREQ_WEEK;
		o.anchor = 3;
		ok(fc_fit(ym, 48, 12, &o, &mb) == FC_OK && mb.anchor == 0, "no anchor for weeks");
		o.horizon = -1;
		ok(fc_fit(ym, 48, 12, &o, &mb) == FC_EINVAL, "negative horizon rejected");
		/* version 1 bytes: the fixed part without the version-2 fields */
		ok(fc_model_serialize(&ma, bytes, sizeof(bytes), &w) == FC_OK &&
		   fc_model_deserialize(bytes, w, &mb) == FC_OK && mb.freq == FC_FREQ_MONTH, "version 2 round trip");
		ma.interval_scale = NAN;
		ok(fc_model_validate(&ma) == FC_ECORRUPT, "NaN interval scale rejected");
		ma.interval_scale = 1.0;
		ma.freq = 9;
		ok(fc_model_validate(&ma) == FC_ECORRUPT, "unknown frequency rejected");
		ma.freq = FC_FREQ_DAY;
		ma.anchor = 5;
		ok(fc_model_validate(&ma) == FC_ECORRUPT, "anchor on daily data rejected");
	}
	{
		/*
		 * Calibrated intervals: the half widths of a full-tier model are the
		 * model's own times interval_scale x (1 + 0.15 i / period) x the
		 * t4 tail factor (1 at 80%; (qt(.975,4)/qnorm(.975)) /
		 * (qt(.9,4)/qnorm(.9)) = 1.18406760 at 95%, computed in R).
		 */
		double		ym[60],
					f1[24],
					l1[24],
					h1[24],
					f2[24],
					l2[24],
					h2[24];
		FcModel		ma,
					mu;
		FcOptions	o;
		unsigned	seed = 7;
		int			i,
					rc,
					good = 1;

		for (i = 0; i < 60; i++)
		{
			seed = seed * 1103515245u + 12345u;
			ym[i] = 200 + 40 * (i % 12 == 11) + 2 * i + (double) ((seed >> 16) % 100) / 10.0;
		}
		fc_default_options(&o);
		o.freq = FC_FREQ_MONTH;
		o.horizon = 12;
		rc = fc_fit(ym, 60, 12, &o, &ma);
		ok(rc == FC_OK && ma.interval_scale != 1.0 &&
		   ma.interval_scale >= 0.5 && ma.interval_scale <= 4.0,
		   "monthly full-tier model calibrated (interval_scale %.4f)", ma.interval_scale);
		mu = ma;
		mu.interval_scale = 1.0;
		good = fc_forecast(&ma, 24, 0.95, f1, l1, h1) == FC_OK &&
			fc_forecast(&mu, 24, 0.95, f2, l2, h2) == FC_OK;
		ok(good, "calibrated and raw forecasts");
		for (i = 0; good && i < 24; i++)
			if (!(f1[i] == f2[i] && h2[i] > f2[i] &&
				  near((h1[i] - f1[i]) / (h2[i] - f2[i]),
					   ma.interval_scale * (1 + 0.15 * i / 12.0) * 1.18406760, 1e-6)))
				good = 0;
		ok(good, "95%% half widths = raw x scale x (1 + 0.15 i / 12) x 1.18407 (step 24: %.4f)",
		   (h1[23] - f1[23]) / (h2[23] - f2[23]));
		good = fc_forecast(&ma, 24, 0.8, f1, l1, h1) == FC_OK &&
			fc_forecast(&mu, 24, 0.8, f2, l2, h2) == FC_OK;
		for (i = 0; good && i < 24; i++)
			if (!near((h1[i] - f1[i]) / (h2[i] - f2[i]), ma.interval_scale * (1 + 0.15 * i / 12.0), 1e-6))
				good = 0;
		ok(good, "80%% half widths = raw x scale x (1 + 0.15 i / 12), no tail factor");
		o.freq = FC_FREQ_YEAR;
		o.horizon = 6;
		rc = fc_fit(ym, 10, 1, &o, &ma);
		ok(rc == FC_OK && ma.interval_scale == 1.7,
		   "a yearly series too short to check gets the prior scale 1.7 (%.4f)", ma.interval_scale);
		o.method = FC_ETS;
		rc = fc_fit(ym, 60, 12, &o, &ma);
		ok(rc == FC_OK && ma.interval_scale == 1.0,
		   "forced method keeps the model's own intervals");
	}
	return tap_done();
}
