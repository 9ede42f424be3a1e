/*
 * prophet_bench.c - benchmark helper for src/prophet.c against R's prophet.
 *
 * Copyright (C) doliflow contributors.  GPL-3.0-or-later.
 *
 *   prophet_bench gen N SEED > data.csv
 *       N realistic daily demand series (3 years + 28 days), deterministic:
 *       series,day,y,holiday,promo   (day = days since 2000-01-01)
 *   prophet_bench fit data.csv H MODE REPS > forecast.csv
 *       fit ours on all but the last H days of each series (holiday and promo
 *       as regressors), forecast H days; MODE additive|log1p; each fit and
 *       forecast is repeated REPS times to time it.
 *       series,day,yhat,lo80,hi80 and a comment line per series "#time,series,sec"
 *   prophet_bench score data.csv H ours.csv r.csv
 *       MASE (scaled by the in-sample seasonal-naive lag-7 MAE) and WAPE per
 *       series and overall, 80% interval coverage, seconds per series, ratios.
 */
#include "prophet.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXS 1000
#define MAXD 5000

/* ------------------------------------------------------------------ */
static uint64_t rng_state;

static double
urand(void)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return ((double) (rng_state >> 11) + 0.5) / 9007199254740992.0;
}

static double
nrand(void)
{
	return sqrt(-2.0 * log(urand())) * cos(2.0 * M_PI * urand());
}

static double
gamma_rand(double k)			/* Marsaglia-Tsang, k >= 1, scale 1 */
{
	double		d = k - 1.0 / 3.0,
				c = 1.0 / sqrt(9.0 * d);

	for (;;)
	{
		double		x = nrand(),
					v = 1.0 + c * x,
					u;

		if (v <= 0.0)
			continue;
		v = v * v * v;
		u = urand();
		if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
			return d * v;
	}
}

static double
poisson_rand(double mu)
{
	if (mu < 30.0)
	{
		double		L = exp(-mu),
					p = 1.0;
		int			k = 0;

		do
		{
			k++;
			p *= urand();
		} while (p > L);
		return k - 1;
	}
	else
	{
		double		v = floor(mu + sqrt(mu) * nrand() + 0.5);

		return v < 0 ? 0 : v;
	}
}

/* days since 2000-01-01 <-> civil date */
static int32_t
days_from_civil(int y, int m, int d)
{
	int			era,
				yoe,
				doy,
				doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468 - 10957;
}

static void
civil_from_days(int32_t z, int *yy, int *mm, int *dd)
{
	int			era,
				doe,
				yoe,
				y,
				doy,
				mp,
				d,
				m;

	z += 719468 + 10957;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp + (mp < 10 ? 3 : -9);
	*yy = y + (m <= 2);
	*mm = m;
	*dd = d;
}

static int32_t
easter(int Y)
{
	int			a = Y % 19,
				b = Y / 100,
				c = Y % 100,
				d = b / 4,
				e = b % 4,
				f = (b + 8) / 25,
				g = (b - f + 1) / 3,
				h = (19 * a + b - d - g + 15) % 30,
				i = c / 4,
				k = c % 4,
				l = (32 + 2 * e + 2 * i - h - k) % 7,
				m = (a + 11 * h + 22 * l) / 451,
				month = (h + l - 7 * m + 114) / 31,
				day = ((h + l - 7 * m + 114) % 31) + 1;

	return days_from_civil(Y, month, day);
}

/* French public holidays (metropolitan) */
static int
is_fr_holiday(int32_t day)
{
	int			y,
				m,
				d;
	int32_t		e;

	civil_from_days(day, &y, &m, &d);
	if ((m == 1 && d == 1) || (m == 5 && (d == 1 || d == 8)) || (m == 7 && d == 14) ||
		(m == 8 && d == 15) || (m == 11 && (d == 1 || d == 11)) || (m == 12 && d == 25))
		return 1;
	e = easter(y);
	return day == e + 1 || day == e + 39 || day == e + 50;
}

static int
cmd_gen(int nser, uint64_t seed)
{
	int32_t		start = days_from_civil(2021, 1, 4);
	int			len = 1095 + 28;

	rng_state = seed * 2654435761ULL + 1;
	printf("series,day,y,holiday,promo\n");
	for (int s = 0; s < nser; s++)
	{
		double		base = exp(log(3.0) + urand() * (log(150.0) - log(3.0)));
		double		g1 = -0.15 + 0.45 * urand();
		int			has_cp = urand() < 0.6;
		double		cp = 300 + 600 * urand();
		double		g2 = -0.2 + 0.5 * urand();
		double		wk[7] = {1.1, 1.05, 1.0, 1.0, 0.9, 0.35, 0.05};	/* Mon..Sun */
		double		amp = 0.35 * urand();
		double		peak = 120 + 120 * urand();	/* spring-summer peak */
		int			aug_dip = urand() < 0.5;
		int			has_hol = urand() < 0.7;
		int			has_promo = urand() < 0.5;
		double		promo_lift = 1.3 + 0.5 * urand();
		double		disp = 5 + 45 * urand();
		int			promo_left = 0;

		for (int k = 0; k < 7; k++)
			wk[k] *= exp(0.1 * nrand());
		for (int i = 0; i < len; i++)
		{
			int32_t		day = start + i;
			int			y,
						m,
						d,
						dow = (int) (((day + 5) % 7 + 7) % 7);	/* 2000-01-01 Sat: Mon=0 */
			double		t = i,
						tr,
						doy,
						mu,
						val;
			int			hol,
						promo = 0;

			civil_from_days(day, &y, &m, &d);
			doy = day - days_from_civil(y, 1, 1);
			tr = 1.0 + g1 * t / 365.0 + (has_cp && t > cp ? (g2 - g1) * (t - cp) / 365.0 : 0.0);
			if (tr < 0.2)
				tr = 0.2;
			mu = base * tr * wk[dow] * (1.0 + amp * cos(2 * M_PI * (doy - peak) / 365.25));
			if (aug_dip && m == 8 && d <= 25)
				mu *= 0.6;
			if (m == 12 && d >= 24)
				mu *= 0.5;
			hol = is_fr_holiday(day);
			if (has_hol && hol)
				mu *= 0.1;
			if (has_promo)
			{
				if (promo_left == 0 && urand() < 8.0 / 365.0)
					promo_left = 3 + (int) (5 * urand());
				if (promo_left > 0)
				{
					promo = 1;
					promo_left--;
					mu *= promo_lift;
				}
			}
			val = poisson_rand(mu * gamma_rand(disp) / disp);
			printf("%d,%d,%.0f,%d,%d\n", s, (int) day, val, hol, promo);
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
typedef struct series
{
	int			n;
	int32_t		day0;
	double		y[MAXD],
				hol[MAXD],
				promo[MAXD];
} series;

static series *S;
static int nS;

static int
load(const char *path)
{
	FILE	   *f = fopen(path, "r");
	char		line[256];

	if (!f)
		return -1;
	S = calloc(MAXS, sizeof(series));
	if (!S)
		return -1;
	nS = 0;
	if (!fgets(line, sizeof line, f))
		return -1;
	while (fgets(line, sizeof line, f))
	{
		int			s,
					day,
					hol,
					promo;
		double		y;

		if (sscanf(line, "%d,%d,%lf,%d,%d", &s, &day, &y, &hol, &promo) != 5 || s < 0 || s >= MAXS)
			continue;
		if (s + 1 > nS)
			nS = s + 1;
		if (S[s].n == 0)
			S[s].day0 = day;
		if (S[s].n >= MAXD)
			continue;
		S[s].y[S[s].n] = y;
		S[s].hol[S[s].n] = hol;
		S[s].promo[S[s].n] = promo;
		S[s].n++;
	}
	fclose(f);
	return 0;
}

static double
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int
cmd_fit(const char *path, int H, const char *mode, int reps)
{
	prophet_options opt;
	static double reg[2 * MAXD],
				freg[2 * MAXD];
	double		fc[MAXD],
				lo[MAXD],
				up[MAXD],
				lv = 0.8;

	if (load(path) != 0)
		return 1;
	prophet_default_options(&opt);
	opt.mode = strcmp(mode, "log1p") == 0 ? PROPHET_LOG1P : PROPHET_ADDITIVE;
	printf("series,day,yhat,lo80,hi80\n");
	for (int s = 0; s < nS; s++)
	{
		series	   *x = &S[s];
		int			n = x->n - H;
		prophet_model m;
		int			rc = 0;
		double		t0,
					el;

		for (int i = 0; i < n; i++)
		{
			reg[i] = x->hol[i];
			reg[n + i] = x->promo[i];
		}
		for (int i = 0; i < H; i++)
		{
			freg[i] = x->hol[n + i];
			freg[H + i] = x->promo[n + i];
		}
		t0 = now_sec();
		for (int r = 0; r < reps; r++)
		{
			rc = prophet_fit(&opt, x->y, n, x->day0, NULL, reg, 2, n, NULL, NULL, 0, &m);
			if (rc == PROPHET_OK)
				rc = prophet_predict(&m, x->day0 + n, H, freg, H, 1, &lv, fc, lo, up);
		}
		el = (now_sec() - t0) / reps;
		if (rc != PROPHET_OK)
		{
			fprintf(stderr, "series %d: %s\n", s, prophet_strerror(rc));
			return 1;
		}
		for (int i = 0; i < H; i++)
			printf("%d,%d,%.6f,%.6f,%.6f\n", s, (int) (x->day0 + n + i), fc[i], lo[i], up[i]);
		printf("#time,%d,%.9f\n", s, el);
	}
	return 0;
}

static int
read_fc(const char *path, double *fc, double *lo, double *up, double *tm, int H)
{
	FILE	   *f = fopen(path, "r");
	char		line[256];

	if (!f)
		return -1;
	for (int s = 0; s < nS; s++)
		tm[s] = NAN;
	for (int i = 0; i < nS * H; i++)
		fc[i] = lo[i] = up[i] = NAN;
	while (fgets(line, sizeof line, f))
	{
		int			s,
					day;
		double		v,
					l,
					u;
		int			got;

		if (sscanf(line, "#time,%d,%lf", &s, &v) == 2)
		{
			if (s >= 0 && s < nS)
				tm[s] = v;
		}
		else if ((got = sscanf(line, "%d,%d,%lf,%lf,%lf", &s, &day, &v, &l, &u)) >= 3 &&
				 s >= 0 && s < nS)
		{
			int			i = day - (S[s].day0 + S[s].n - H);

			if (i >= 0 && i < H)
			{
				fc[s * H + i] = v < 0 ? 0 : v;	/* both clamped at 0 */
				if (got == 5)
				{
					lo[s * H + i] = l < 0 ? 0 : l;
					up[s * H + i] = u < 0 ? 0 : u;
				}
			}
		}
	}
	fclose(f);
	return 0;
}

static int
cmp_dbl(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

static int
cmd_score(const char *path, int H, const char *ours, const char *theirs)
{
	double	   *fa,
			   *fb,
			   *la,
			   *ua,
			   *lb,
			   *ub,
				ta[MAXS],
				tb[MAXS];
	double		mase_a = 0,
				mase_b = 0,
				ea = 0,
				eb = 0,
				sy = 0,
				sta = 0,
				stb = 0,
				wa_mean = 0,
				wb_mean = 0;
	double		ra[MAXS];
	int			wins = 0,
				cova = 0,
				covb = 0,
				nca = 0,
				ncb = 0;

	if (load(path) != 0)
		return 1;
	fa = malloc(sizeof(double) * nS * H * 6);
	if (!fa)
		return 1;
	fb = fa + nS * H;
	la = fb + nS * H;
	ua = la + nS * H;
	lb = ua + nS * H;
	ub = lb + nS * H;
	if (read_fc(ours, fa, la, ua, ta, H) || read_fc(theirs, fb, lb, ub, tb, H))
		return 1;
	printf("%6s %9s %9s %9s %9s %11s %11s\n", "series", "MASE_c", "MASE_R", "WAPE_c", "WAPE_R", "sec_c", "sec_R");
	for (int s = 0; s < nS; s++)
	{
		series	   *x = &S[s];
		int			n = x->n - H;
		double		scale = 0,
					a = 0,
					b = 0,
					ys = 0;

		for (int i = 7; i < n; i++)
			scale += fabs(x->y[i] - x->y[i - 7]);
		scale /= (n - 7);
		for (int i = 0; i < H; i++)
		{
			double		yv = x->y[n + i];

			if (isnan(fa[s * H + i]) || isnan(fb[s * H + i]))
			{
				fprintf(stderr, "missing forecast for series %d\n", s);
				return 1;
			}
			if (!isnan(la[s * H + i]))
			{
				nca++;
				cova += yv >= la[s * H + i] && yv <= ua[s * H + i];
			}
			if (!isnan(lb[s * H + i]))
			{
				ncb++;
				covb += yv >= lb[s * H + i] && yv <= ub[s * H + i];
			}
			a += fabs(yv - fa[s * H + i]);
			b += fabs(yv - fb[s * H + i]);
			ys += fabs(yv);
		}
		printf("%6d %9.4f %9.4f %9.4f %9.4f %11.6f %11.6f\n", s, a / H / scale, b / H / scale,
			   a / ys, b / ys, ta[s], tb[s]);
		mase_a += a / H / scale;
		mase_b += b / H / scale;
		wa_mean += a / ys;
		wb_mean += b / ys;
		wins += a < b;
		ea += a;
		eb += b;
		sy += ys;
		sta += ta[s];
		stb += tb[s];
		ra[s] = tb[s] / ta[s];
	}
	qsort(ra, nS, sizeof(double), cmp_dbl);
	printf("\nseries: %d, horizon %d days, forecasts clamped at 0 for both\n", nS, H);
	printf("%-28s %12s %12s %10s\n", "", "doliflow", "R prophet", "ratio c/R");
	printf("%-28s %12.4f %12.4f %10.3f\n", "mean MASE (lag-7 scale)", mase_a / nS, mase_b / nS, mase_a / mase_b);
	printf("%-28s %12.4f %12.4f %10.3f\n", "pooled WAPE", ea / sy, eb / sy, ea / eb);
	printf("%-28s %12.4f %12.4f %10.3f\n", "mean WAPE", wa_mean / nS, wb_mean / nS, wa_mean / wb_mean);
	printf("%-28s %12.6f %12.6f %10.6f\n", "mean seconds per series", sta / nS, stb / nS, sta / stb);
	if (nca > 0 && ncb > 0)
		printf("%-28s %12.3f %12.3f\n", "80% interval coverage", (double) cova / nca, (double) covb / ncb);
	printf("speed-up R/ours: mean %.0fx, median per-series %.0fx; ours better on %d/%d series\n",
		   stb / sta, nS % 2 ? ra[nS / 2] : 0.5 * (ra[nS / 2 - 1] + ra[nS / 2]), wins, nS);
	free(fa);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "gen") == 0)
		return cmd_gen(atoi(argv[2]), strtoull(argv[3], NULL, 10));
	if (argc == 6 && strcmp(argv[1], "fit") == 0)
		return cmd_fit(argv[2], atoi(argv[3]), argv[4], atoi(argv[5]));
	if (argc == 6 && strcmp(argv[1], "score") == 0)
		return cmd_score(argv[2], atoi(argv[3]), argv[4], argv[5]);
	fprintf(stderr, "usage: %s gen N SEED | fit data.csv H additive|log1p REPS | score data.csv H ours.csv r.csv\n", argv[0]);
	return 2;
}
