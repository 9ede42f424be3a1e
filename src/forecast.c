/*
 * forecast.c - automatic demand forecasting per series, pure C core.
 *
 * Copyright (C) doliflow contributors.  GPL-3.0-or-later.
 * The choice rules and the byte format are described in forecast.h.
 */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "forecast.h"

#define FC_MAX_CAND		8

/* ------------------------------------------------------------- helpers */

void
fc_default_options(FcOptions *opt)
{
	if (opt == NULL)
		return;
	memset(opt, 0, sizeof(*opt));
	opt->method = FC_AUTO;
	opt->nonneg = 1;
	opt->holdout = 0;
	opt->origins = 2;
	opt->max_obs = 3660;
	opt->croston_opt = 0;
	opt->use_prophet = -1;
	opt->use_ensemble = 1;
	opt->first_day = 0;
	opt->tier = FC_TIER_DEFAULT;
	opt->freq = FC_FREQ_DAY;
	opt->anchor = 0;
	opt->horizon = 0;
	opt->xreg = NULL;
	opt->n_xreg = 0;
	opt->ld_xreg = 0;
	opt->xspec = NULL;
	ets_default_options(&opt->ets);
}

static int
is_single(int k)
{
	return k >= FC_ZERO && k <= FC_PROPHET;
}

const char *
fc_method_name(int method)
{
	static const char *names[FC_N_METHODS] = {
		"auto", "zero", "mean", "naive", "ets", "croston", "sba", "tsb",
		"theta", "prophet", "ensemble_mean", "ensemble_median"
	};

	if (method < 0 || method >= FC_N_METHODS)
		return "unknown";
	return names[method];
}

const char *
fc_strerror(int status)
{
	switch (status)
	{
		case FC_OK:
			return "success";
		case FC_EINVAL:
			return "invalid argument";
		case FC_ETOOSHORT:
			return "no observations to fit";
		case FC_ENONFINITE:
			return "the series contains NaN or infinite values";
		case FC_ENOMEM:
			return "out of memory";
		case FC_ENUMERIC:
			return "no forecasting model could be fitted";
		case FC_ECORRUPT:
			return "corrupted forecast model";
		case FC_ESPACE:
			return "output buffer too small";
		case FC_ERANGE:
			return "a forecast or a date is out of range (|value| above 1.8e308, or a date beyond the calendar)";
	}
	return "unknown status";
}

static int
map_ets(int rc)
{
	switch (rc)
	{
		case ETS_OK:
			return FC_OK;
		case ETS_ENOMEM:
			return FC_ENOMEM;
		case ETS_ENONFINITE:
			return FC_ENONFINITE;
		case ETS_EINVAL:
			return FC_EINVAL;
	}
	return FC_ENUMERIC;
}

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

static double
median_of(double *v, int k)
{
	qsort(v, k, sizeof(double), cmp_double);
	return (k % 2) ? v[k / 2] : 0.5 * (v[k / 2 - 1] + v[k / 2]);
}

/* ------------------------------------------------------------- calendar */

/* (fc_days_from_civil and fc_civil_from_days are holidays.c's: forecast.h) */

int
fc_days_in_month(int y, int m)
{
	static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dim[(m - 1) % 12];
}

const char *
fc_freq_name(int freq)
{
	switch (freq)
	{
		case FC_FREQ_DAY:
			return "day";
		case FC_FREQ_WEEK:
			return "week";
		case FC_FREQ_MONTH:
			return "month";
		case FC_FREQ_QUARTER:
			return "quarter";
		case FC_FREQ_YEAR:
			return "year";
	}
	return "unknown";
}

/* dates stay well inside int32 (PostgreSQL dates end in year 5874897) */
#define FC_DAY_LIMIT	(INT32_MAX - 1000000)

int
fc_calendar_date(int freq, int anchor, int32_t first_day, int64_t i, int32_t *day)
{
	int64_t		d;

	if (day == NULL || anchor < 0 || anchor > 31)
		return FC_EINVAL;
	if (i > INT32_MAX || i < -(int64_t) INT32_MAX)
		return FC_ERANGE;
	switch (freq)
	{
		case FC_FREQ_DAY:
			d = (int64_t) first_day + i;
			break;
		case FC_FREQ_WEEK:
			d = (int64_t) first_day + 7 * i;
			break;
		case FC_FREQ_MONTH:
		case FC_FREQ_QUARTER:
		case FC_FREQ_YEAR:
			{
				int			y,
							m,
							dd;
				int64_t		mon,
							yy;
				int			k = freq == FC_FREQ_MONTH ? 1 : freq == FC_FREQ_QUARTER ? 3 : 12;

				if (first_day > FC_DAY_LIMIT || first_day < -FC_DAY_LIMIT)
					return FC_ERANGE;
				fc_civil_from_days(first_day, &y, &m, &dd);
				mon = (int64_t) y * 12 + (m - 1) + (int64_t) k * i;
				yy = mon >= 0 ? mon / 12 : -((-mon + 11) / 12);
				m = (int) (mon - yy * 12) + 1;
				if (yy > 6000000 || yy < -6000000)
					return FC_ERANGE;
				if (anchor > 0)
					dd = anchor;
				if (dd > fc_days_in_month((int) yy, m))
					dd = fc_days_in_month((int) yy, m);
				d = fc_days_from_civil((int) yy, m, dd);
				break;
			}
		default:
			return FC_EINVAL;
	}
	if (d > FC_DAY_LIMIT || d < -(int64_t) FC_DAY_LIMIT)
		return FC_ERANGE;
	*day = (int32_t) d;
	return FC_OK;
}

int
fc_model_date(const FcModel *m, int64_t i, int32_t *day)
{
	if (m == NULL)
		return FC_EINVAL;
	return fc_calendar_date(m->freq, m->anchor, m->first_day, i, day);
}

/* ---------------------------------------------------------------- theta */

/*
 * Seasonality test of the Theta method (Assimakopoulos & Nikolopoulos 2000,
 * as in forecast::thetaf): |r_m| > 1.645 sqrt((1 + 2 sum_{k<m} r_k^2) / n).
 */
static int
seasonal_test(const double *y, int n, int m)
{
	double		mean = 0.0,
				c0 = 0.0,
				acc = 0.0,
				rm = 0.0;
	int			k,
				t;

	if (m < 2 || m > ETS_MAX_M || n < 3 * m)
		return 0;
	for (t = 0; t < n; t++)
		mean += y[t];
	mean /= n;
	for (t = 0; t < n; t++)
		c0 += (y[t] - mean) * (y[t] - mean);
	if (c0 <= 0.0)
		return 0;
	for (k = 1; k <= m; k++)
	{
		double		ck = 0.0,
					r;

		for (t = k; t < n; t++)
			ck += (y[t] - mean) * (y[t - k] - mean);
		r = ck / c0;
		if (k < m)
			acc += r * r;
		else
			rm = r;
	}
	return fabs(rm) > 1.645 * sqrt((1.0 + 2.0 * acc) / n);
}

/* classical multiplicative decomposition: seasonal indexes by position t % m */
static int
mult_indexes(const double *y, int n, int m, double *seas)
{
	double		sum = 0.0;
	int			cnt[ETS_MAX_M],
				h = m / 2,
				t,
				i;

	for (i = 0; i < m; i++)
	{
		seas[i] = 0.0;
		cnt[i] = 0;
	}
	for (t = h; t + h < n; t++)
	{
		double		tr = 0.0;

		if (m % 2)
			for (i = -h; i <= h; i++)
				tr += y[t + i];
		else
		{
			for (i = -h + 1; i <= h - 1; i++)
				tr += y[t + i];
			tr += 0.5 * (y[t - h] + y[t + h]);
		}
		tr /= m;
		if (tr <= 0.0)
			return 0;
		seas[t % m] += y[t] / tr;
		cnt[t % m]++;
	}
	for (i = 0; i < m; i++)
	{
		if (cnt[i] == 0)
			return 0;
		seas[i] /= cnt[i];
		sum += seas[i];
	}
	for (i = 0; i < m; i++)
	{
		seas[i] /= sum / m;
		if (!(seas[i] > 1e-3))
			return 0;
	}
	return 1;
}

static int
theta_fit(const double *y, int n, int period, const EtsOptions *eopt, FcTheta *th)
{
	double	   *ya;
	double		mt,
				my = 0.0,
				sxy = 0.0,
				sxx = 0.0;
	int			t,
				rc,
				positive = 1;

	memset(th, 0, sizeof(*th));
	th->n = n;
	th->m = 1;
	for (t = 0; t < n; t++)
		if (y[t] <= 0.0)
			positive = 0;
	ya = malloc(sizeof(double) * n);
	if (ya == NULL)
		return FC_ENOMEM;
	if (positive && seasonal_test(y, n, period) && mult_indexes(y, n, period, th->seas))
	{
		th->m = period;
		th->phase = n % period;
		for (t = 0; t < n; t++)
			ya[t] = y[t] / th->seas[t % period];
	}
	else
	{
		for (t = 0; t < n; t++)
			ya[t] = y[t];
		th->seas[0] = 1.0;
	}
	mt = (n - 1) / 2.0;
	for (t = 0; t < n; t++)
		my += ya[t];
	my /= n;
	for (t = 0; t < n; t++)
	{
		sxy += (t - mt) * (ya[t] - my);
		sxx += (t - mt) * (t - mt);
	}
	th->drift = sxx > 0 ? 0.5 * sxy / sxx : 0.0;
	th->ses.error = ETS_A;
	th->ses.trend = ETS_N;
	th->ses.season = ETS_N;
	th->ses.m = 1;
	rc = ets_fit(&th->ses, ya, n, eopt, NULL);
	free(ya);
	return map_ets(rc);
}

static int
theta_forecast(const FcTheta *th, int h, double level, double *mean, double *lo, double *hi)
{
	int			i,
				rc;
	double		a = th->ses.alpha;
	double		c = (1.0 - pow(1.0 - a, th->n)) / a;

	rc = ets_forecast(&th->ses, h, level, mean, lo, hi);
	if (rc != ETS_OK)
		return map_ets(rc);
	for (i = 0; i < h; i++)
	{
		double		d = th->drift * (i + c);
		double		s = th->m > 1 ? th->seas[(th->phase + i) % th->m] : 1.0;

		mean[i] = (mean[i] + d) * s;
		if (lo)
			lo[i] = (lo[i] + d) * s;
		if (hi)
			hi[i] = (hi[i] + d) * s;
	}
	return FC_OK;
}

/* ------------------------------------------------------- single members */

static double
zquant(double level)
{
	return gsl_cdf_ugaussian_Pinv(0.5 + level / 2.0);
}

static int
member_fit(int kind, const double *y, int n, int period, const FcOptions *opt,
		   int32_t first_day, FcMember *out)
{
	int			t,
				rc;

	memset(out, 0, sizeof(*out));
	out->kind = kind;
	switch (kind)
	{
		case FC_ZERO:
			out->u.simple.n = n;
			return FC_OK;
		case FC_MEAN:
			{
				double		s = 0.0,
							v = 0.0;

				for (t = 0; t < n; t++)
					s += y[t];
				s /= n;
				for (t = 0; t < n; t++)
					v += (y[t] - s) * (y[t] - s);
				out->u.simple.level = s;
				out->u.simple.sigma2 = n > 1 ? v / (n - 1) : 0.0;
				out->u.simple.n = n;
				return FC_OK;
			}
		case FC_NAIVE:
			{
				double		v = 0.0;

				for (t = 1; t < n; t++)
					v += (y[t] - y[t - 1]) * (y[t] - y[t - 1]);
				out->u.simple.level = y[n - 1];
				out->u.simple.sigma2 = n > 1 ? v / (n - 1) : 0.0;
				out->u.simple.n = n;
				return FC_OK;
			}
		case FC_ETS:
			rc = ets_auto(y, n, period <= ETS_MAX_M ? period : 1, &opt->ets,
						  &out->u.ets, NULL);
			return map_ets(rc);
		case FC_CROSTON:
		case FC_SBA:
		case FC_TSB:
			rc = croston_fit(y, n, kind == FC_CROSTON ? CR_CROSTON : kind == FC_SBA ? CR_SBA : CR_TSB,
							 (kind == FC_TSB || opt->croston_opt) ? 0.0 : 0.1, 0.0,
							 &out->u.croston, NULL);
			return rc == CR_OK ? FC_OK : rc == CR_ENOMEM ? FC_ENOMEM : FC_ENUMERIC;
		case FC_THETA:
			return theta_fit(y, n, period, &opt->ets, &out->u.theta);
		case FC_PROPHET:
			{
				prophet_options po;

				prophet_default_options(&po);
				po.nonneg = opt->nonneg ? 1 : 0;

				/*
				 * The period: daily data with period 7 keeps the weekly term
				 * and the 365.25-day yearly term; any other period replaces
				 * both by one Fourier term of that period (none for 1).
				 */
				if (!(opt->freq == FC_FREQ_DAY && period == 7))
				{
					po.weekly = 0;
					if (period < 2)
						po.yearly = 0;
					else if (!(opt->freq == FC_FREQ_DAY && period >= 365))
					{
						po.season_period = period;
						po.yearly_order = period / 2 < po.yearly_order ? period / 2 : po.yearly_order;
					}
				}
				for (t = 0; t < n; t++)
					if (y[t] < 0.0)
						po.mode = PROPHET_ADDITIVE;	/* log1p needs y >= 0 */
				/* opt->xreg starts at y[0] (fc_fit offsets it) */
				rc = prophet_fit(&po, y, n, first_day, NULL,
								 opt->n_xreg > 0 ? opt->xreg : NULL, opt->n_xreg,
								 opt->n_xreg > 0 ? opt->ld_xreg : 0, opt->xspec,
								 NULL, 0, &out->u.prophet);
				if (rc == PROPHET_OK)
					return FC_OK;
				return rc == PROPHET_ENOMEM ? FC_ENOMEM : FC_ENUMERIC;
			}
	}
	return FC_EINVAL;
}

static int
member_forecast(const FcMember *mb, int h, double level, const double *x, int ldx,
				double *mean, double *lo, double *hi)
{
	int			i,
				rc;

	switch (mb->kind)
	{
		case FC_ZERO:
		case FC_MEAN:
		case FC_NAIVE:
			{
				const FcSimple *s = &mb->u.simple;
				double		z = (lo || hi) ? zquant(level) : 0.0;

				for (i = 0; i < h; i++)
				{
					double		v = mb->kind == FC_NAIVE ? s->sigma2 * (i + 1) :
						mb->kind == FC_MEAN ? s->sigma2 * (1.0 + 1.0 / (s->n > 0 ? s->n : 1)) : 0.0;

					mean[i] = s->level;
					if (lo)
						lo[i] = s->level - z * sqrt(v);
					if (hi)
						hi[i] = s->level + z * sqrt(v);
				}
				return FC_OK;
			}
		case FC_ETS:
			return map_ets(ets_forecast(&mb->u.ets, h, level, mean, lo, hi));
		case FC_CROSTON:
		case FC_SBA:
		case FC_TSB:
			rc = croston_forecast(&mb->u.croston, h, level, mean, lo, hi);
			return rc == CR_OK ? FC_OK : FC_EINVAL;
		case FC_THETA:
			return theta_forecast(&mb->u.theta, h, level, mean, lo, hi);
		case FC_PROPHET:
			{
				const prophet_model *pm = &mb->u.prophet;
				double	   *tmp = NULL,
						   *zx = NULL;

				/* prophet_predict wants both bounds or none */
				if ((lo == NULL) != (hi == NULL))
				{
					tmp = malloc(sizeof(double) * h);
					if (tmp == NULL)
						return FC_ENOMEM;
				}
				/* no future regressor values given: no event in the horizon */
				if (pm->n_regressors > 0 && x == NULL)
				{
					zx = calloc((size_t) h * pm->n_regressors, sizeof(double));
					if (zx == NULL)
					{
						free(tmp);
						return FC_ENOMEM;
					}
					x = zx;
					ldx = h;
				}
				rc = prophet_predict(pm, pm->last_day + 1, h,
									 pm->n_regressors > 0 ? x : NULL,
									 pm->n_regressors > 0 ? ldx : 0,
									 (lo || hi) ? 1 : 0, &level, mean,
									 lo ? lo : tmp, hi ? hi : tmp);
				free(tmp);
				free(zx);
				return rc == PROPHET_OK ? FC_OK : rc == PROPHET_ENOMEM ? FC_ENOMEM : FC_EINVAL;
			}
	}
	return FC_EINVAL;
}

/* ------------------------------------------------------ automatic choice */

typedef struct Cand
{
	int			kind;			/* single method or FC_ENS_* */
	double		err;			/* summed holdout error */
	int			cnt;			/* holdout points */
	int			failed;
} Cand;

static void
combine(int method, int k, double **fc, int h, double *out)
{
	double		v[FC_MAX_MEMBERS];
	int			i,
				j;

	for (i = 0; i < h; i++)
	{
		double		s = 0.0;

		for (j = 0; j < k; j++)
		{
			v[j] = fc[j][i];
			s += v[j];
		}
		out[i] = method == FC_ENS_MEAN ? s / k : median_of(v, k);
	}
}

static int
default_holdout(const FcOptions *opt, int period)
{
	if (opt->holdout > 0)
		return opt->holdout;
	if (opt->horizon > 0)
		return opt->horizon;
	if (period == 7)
		return 28;
	return period > 6 ? period : 6;
}

static void
set_header(FcModel *out, int n, int n_total, int period, const FcOptions *opt,
		   const DemandStats *ds)
{
	double		s = 0.0;

	(void) s;
	out->magic = FC_MAGIC;
	out->version = FC_VERSION;
	out->data_scale = 1.0;
	out->interval_scale = 1.0;
	out->period = period;
	out->n = n;
	out->n_total = n_total;
	out->nonneg = opt->nonneg ? 1 : 0;
	out->demand_class = ds->cls;
	out->adi = ds->adi;
	out->cv2 = ds->cv2;
	out->score = -1.0;
	out->score_ets = -1.0;
}

static int	fit_final(FcModel *out, int method, const int *singles, int nsingles,
					  const double *y, int n, int period, const FcOptions *opt,
					  int32_t first_day);

/*
 * Interval calibration constants, fitted on a split of M1 and Tourism that
 * the accuracy bench does not score (the series outside its default subset,
 * test/bench/forecast_accuracy.py): a prior scale the holdout estimate is
 * shrunk towards, the growth of the half widths with the step ahead (per
 * seasonal cycle, one step for non-seasonal data) and the degrees of freedom
 * of the Student t whose tails replace the normal beyond the 80% level.
 */
#define FC_CAL_ORIGINS	4		/* refits at origins H/2 apart */
#define FC_CAL_PRIOR	1.7		/* scale of a series too short to calibrate */
#define FC_CAL_WEIGHT	8.0		/* pseudo-errors of the prior */
#define FC_CAL_GROWTH	0.15	/* half width x (1 + 0.15 i / period), step i+1 */
#define FC_CAL_TAIL_DF	4.0		/* t tails above the 80% level */

/*
 * Factor of the half widths at step i (0-based) of a calibrated model:
 * multiplied by the model's interval_scale.
 */
static double
horizon_growth(int period, int i)
{
	int			per = period > 1 ? period : 1;

	return 1.0 + FC_CAL_GROWTH * (double) i / per;
}

/*
 * Factor of the half widths at `level` of a calibrated model: the ratio of a
 * Student t quantile (FC_CAL_TAIL_DF) to the normal one, taken relative to
 * that ratio at the 80% level (1 there, about 1.18 at 95%).
 */
static double
tail_factor(double level)
{
	return (gsl_cdf_tdist_Pinv(0.5 + level / 2.0, FC_CAL_TAIL_DF) / zquant(level)) /
		(gsl_cdf_tdist_Pinv(0.9, FC_CAL_TAIL_DF) / zquant(0.8));
}

static int
cmp_dbl(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

/*
 * Interval calibration (FULL tier, smooth / erratic series): the winner is
 * refitted at up to FC_CAL_ORIGINS origins H/2 apart over the end of the
 * series and its 95% interval, widened by horizon_growth, compared with the
 * errors it made there.  u = |error| / (that half width / z_0.975) has median
 * 0.6745 when the interval is right; the scale is median |u| / 0.6745, its
 * logarithm shrunk towards log FC_CAL_PRIOR with the weight of FC_CAL_WEIGHT
 * pseudo-errors (FC_CAL_PRIOR alone when fewer than 4 errors), kept within
 * [0.5, 4].  fc_forecast multiplies the half widths of a calibrated model
 * (interval_scale <> 1) by interval_scale x horizon_growth x tail_factor.
 */
static int
calibrate(FcModel *out, int method, const int *singles, int nsingles,
		  const double *y, int n, int period, const FcOptions *opt, int32_t pday,
		  int H)
{
	int			O = FC_CAL_ORIGINS,
				step,
				mintr = (period > 1 && period <= ETS_MAX_M) ? 2 * period + 2 : 8;
	FcModel    *tmp;
	double	   *buf,
			   *u;
	double		z = zquant(0.95),
				sc = FC_CAL_PRIOR;
	int			o,
				i,
				k = 0,
				rc = FC_OK;

	if (H > n / 3)
		H = n / 3;
	if (H < 1)
	{
		out->interval_scale = sc;	/* too short: the prior */
		return FC_OK;
	}
	step = H / 2 > 1 ? H / 2 : 1;
	tmp = malloc(sizeof(FcModel));
	buf = malloc(sizeof(double) * (size_t) H * 3);
	u = malloc(sizeof(double) * (size_t) H * O);
	if (tmp == NULL || buf == NULL || u == NULL)
	{
		free(tmp);
		free(buf);
		free(u);
		return FC_ENOMEM;
	}
	for (o = 0; o < O; o++)
	{
		int			ntr = n - H - o * step;
		double	   *mean = buf,
				   *lo = buf + H,
				   *hi = buf + 2 * H;

		if (ntr < mintr)
			break;
		*tmp = *out;
		tmp->n = ntr;
		tmp->n_total = ntr;
		tmp->data_scale = 1.0;
		tmp->interval_scale = 1.0;
		rc = fit_final(tmp, method, singles, nsingles, y, ntr, period, opt, pday);
		if (rc == FC_ENOMEM)
			break;
		if (rc != FC_OK || fc_forecast(tmp, H, 0.95, mean, lo, hi) != FC_OK)
		{
			rc = FC_OK;
			continue;
		}
		for (i = 0; i < H; i++)
		{
			double		e = y[ntr + i] - mean[i];
			double		half = (e > 0 ? hi[i] - mean[i] : mean[i] - lo[i]) *
				horizon_growth(period, i);

			if (half > 0 && isfinite(e))
				u[k++] = fabs(e) / (half / z);
		}
	}
	if (rc == FC_OK && k >= 4)
	{
		double		med;

		qsort(u, k, sizeof(double), cmp_dbl);
		med = (k % 2) ? u[k / 2] : 0.5 * (u[k / 2 - 1] + u[k / 2]);
		med /= 0.6745;
		if (med > 0 && isfinite(med))
			sc = exp((k * log(med) + FC_CAL_WEIGHT * log(FC_CAL_PRIOR)) /
					 (k + FC_CAL_WEIGHT));
	}
	if (rc == FC_OK)
		out->interval_scale = sc < 0.5 ? 0.5 : sc > 4.0 ? 4.0 : sc;
	free(tmp);
	free(buf);
	free(u);
	return rc;
}

static int
fit_final(FcModel *out, int method, const int *singles, int nsingles,
		  const double *y, int n, int period, const FcOptions *opt, int32_t first_day)
{
	int			j,
				rc;

	out->method = method;
	if (is_single(method))
	{
		out->n_members = 1;
		return member_fit(method, y, n, period, opt, first_day, &out->member[0]);
	}
	out->n_members = nsingles;
	for (j = 0; j < nsingles; j++)
	{
		rc = member_fit(singles[j], y, n, period, opt, first_day, &out->member[j]);
		if (rc != FC_OK)
			return rc;
	}
	return FC_OK;
}

static int
fit_inner(const double *y_all, int n_all, int period, const FcOptions *opt_in,
		  FcModel *out)
{
	FcOptions	opt;
	DemandStats ds;
	const double *y;
	int			n,
				i,
				rc,
				H,
				O,
				step,
				nsingles = 0,
				ncand = 0;
	int			singles[FC_MAX_MEMBERS];
	Cand		cand[FC_MAX_CAND];
	int32_t		first_day,
				pday;
	double		sumabs = 0.0;
	int			intermittent,
				has_x,
				fast,
				with_prophet = 0;

	if (out == NULL || n_all < 0 || (n_all > 0 && y_all == NULL))
		return FC_EINVAL;
	if (opt_in)
		opt = *opt_in;
	else
		fc_default_options(&opt);
	if (opt.method < 0 || opt.method >= FC_N_METHODS || opt.origins < 0 ||
		period < 1 || period > FC_MAX_PERIOD)
		return FC_EINVAL;
	if (opt.max_obs <= 0)
		opt.max_obs = 3660;
	if (opt.tier < FC_TIER_DEFAULT || opt.tier > FC_TIER_FULL ||
		opt.n_xreg < 0 || opt.n_xreg > PROPHET_MAX_REGRESSORS ||
		(opt.n_xreg > 0 && (opt.xreg == NULL || opt.ld_xreg < n_all)))
		return FC_EINVAL;
	if (opt.n_xreg == 0)
	{
		opt.xreg = NULL;
		opt.xspec = NULL;
	}
	for (i = 0; i < opt.n_xreg; i++)
	{
		int			t;

		for (t = 0; t < n_all; t++)
			if (!isfinite(opt.xreg[(size_t) i * opt.ld_xreg + t]))
				return FC_ENONFINITE;
		if (opt.xspec && (!isfinite(opt.xspec[i].prior_mean) ||
						  !isfinite(opt.xspec[i].prior_scale)))
			return FC_EINVAL;
	}
	for (i = 0; i < n_all; i++)
		if (!isfinite(y_all[i]))
			return FC_ENONFINITE;
	if (n_all == 0)
		return FC_ETOOSHORT;
	n = n_all > opt.max_obs ? opt.max_obs : n_all;
	y = y_all + (n_all - n);
	if ((int64_t) opt.first_day + n_all > (int64_t) INT32_MAX - 1000000 ||
		(int64_t) opt.first_day < (int64_t) INT32_MIN + 1000000)
		return FC_EINVAL;
	if (opt.freq < FC_FREQ_DAY || opt.freq > FC_FREQ_YEAR || opt.anchor < 0 ||
		opt.anchor > 31 || opt.horizon < 0)
		return FC_EINVAL;
	/* the date of the first fitted value */
	rc = fc_calendar_date(opt.freq, opt.anchor, opt.first_day, n_all - n, &first_day);
	if (rc != FC_OK)
		return rc;
	/* the Prophet-style model counts days, or positions for other units */
	pday = opt.freq == FC_FREQ_DAY ? first_day : (int32_t) (n_all - n);
	if (opt.xreg)
		opt.xreg += n_all - n;	/* row 0 = y[0] from here on */
	has_x = opt.n_xreg > 0;
	fast = opt.tier == FC_TIER_FAST ||
		(opt.tier == FC_TIER_DEFAULT && period == 7 && opt.freq == FC_FREQ_DAY);

	memset(out, 0, sizeof(*out));
	rc = demand_classify(y, n, 0, &ds);
	if (rc != DC_OK)
		return rc == DC_ENONFINITE ? FC_ENONFINITE : FC_EINVAL;
	set_header(out, n, n_all, period, &opt, &ds);
	out->first_day = first_day;
	out->freq = opt.freq;
	out->anchor = opt.freq >= FC_FREQ_MONTH ? opt.anchor : 0;
	out->horizon = opt.horizon;
	if (opt.method == FC_AUTO)
		out->tier = fast ? FC_TIER_FAST : FC_TIER_FULL;
	for (i = 0; i < n; i++)
		sumabs += fabs(y[i]);
	out->scale = sumabs / n;

	/* forced single method */
	if (opt.method != FC_AUTO && is_single(opt.method))
	{
		out->n_candidates = 1;
		return fit_final(out, opt.method, NULL, 0, y, n, period, &opt, pday);
	}

	/* fallbacks */
	if (ds.cls == DC_ZERO)
		return fit_final(out, FC_ZERO, NULL, 0, y, n, period, &opt, pday);
	if (ds.cls == DC_CONSTANT)
		return fit_final(out, FC_NAIVE, NULL, 0, y, n, period, &opt, pday);
	if (ds.cls == DC_SHORT)
		return fit_final(out, FC_MEAN, NULL, 0, y, n, period, &opt, pday);

	intermittent = (ds.cls == DC_INTERMITTENT || ds.cls == DC_LUMPY);

	/*
	 * Fast tier: the Prophet-style model alone for smooth / erratic series,
	 * and for every class when regressors are given (the model that can use
	 * them); intermittent series go on to the cheap Croston family holdout.
	 */
	if (opt.method == FC_AUTO && fast && !intermittent && !has_x && opt.use_prophet == 0)
		out->tier = FC_TIER_FULL;	/* Prophet disabled: the full holdout */
	if (opt.method == FC_AUTO && fast && opt.use_prophet != 0 && (!intermittent || has_x))
	{
		out->n_candidates = 1;
		rc = fit_final(out, FC_PROPHET, NULL, 0, y, n, period, &opt, pday);
		if (rc == FC_OK || rc == FC_ENOMEM)
			return rc;
		goto no_holdout;		/* too short for the Prophet model */
	}
	if (intermittent)
	{
		singles[nsingles++] = FC_CROSTON;
		singles[nsingles++] = FC_SBA;
		singles[nsingles++] = FC_TSB;
		if (has_x)
			singles[nsingles++] = FC_PROPHET;
	}
	else
	{
		singles[nsingles++] = FC_ETS;
		singles[nsingles++] = FC_THETA;
		if (has_x || opt.use_prophet == 1 ||
			(opt.use_prophet < 0 && period == 7 && opt.freq == FC_FREQ_DAY))
			singles[nsingles++] = FC_PROPHET;
		/* non-seasonal data: the random walk is the standard benchmark */
		if (period == 1)
			singles[nsingles++] = FC_NAIVE;
	}
	for (i = 0; i < nsingles; i++)
	{
		if (singles[i] == FC_PROPHET)
			with_prophet = 1;
		cand[ncand].kind = singles[i];
		cand[ncand].err = 0.0;
		cand[ncand].cnt = 0;
		cand[ncand].failed = 0;
		ncand++;
	}
	if (opt.use_ensemble && !intermittent && nsingles >= 2)
	{
		cand[ncand].kind = FC_ENS_MEAN;
		cand[ncand].err = 0.0;
		cand[ncand].cnt = 0;
		cand[ncand].failed = 0;
		ncand++;
		if (nsingles >= 3)
		{
			cand[ncand].kind = FC_ENS_MEDIAN;
			cand[ncand].err = 0.0;
			cand[ncand].cnt = 0;
			cand[ncand].failed = 0;
			ncand++;
		}
	}
	out->n_candidates = ncand;

	/* forced ensemble of the candidates of this class */
	if (opt.method == FC_ENS_MEAN || opt.method == FC_ENS_MEDIAN)
	{
		if (nsingles < 2)
			return fit_final(out, singles[0], NULL, 0, y, n, period, &opt, pday);
		return fit_final(out, opt.method, singles, nsingles, y, n, period, &opt, pday);
	}

	/* rolling-origin holdout */
	H = default_holdout(&opt, period);
	/* a horizon longer than a third of the series: the last third */
	if (opt.holdout <= 0 && opt.horizon > 0 && H > n / 3)
		H = n / 3 > 1 ? n / 3 : 1;
	step = H;
	O = opt.origins;
	{
		int			minfit = 2 * H;

		/* seasonal candidates need three seasons before the first origin */
		if (!intermittent && minfit < 3 * period && period <= ETS_MAX_M)
			minfit = 3 * period;
		if (minfit < 20)
			minfit = 20;
		while (O > 0 && n - H - (O - 1) * step < minfit)
			O--;
	}
	if (O > 0)
	{
		double	   *buf = malloc(sizeof(double) * (size_t) H * (FC_MAX_MEMBERS + 1));
		double	   *fcs[FC_MAX_MEMBERS];
		int			o,
					j,
					best = -1;

		if (buf == NULL)
			return FC_ENOMEM;
		for (o = 0; o < O; o++)
		{
			int			ntr = n - H - o * step;
			const double *test = y + ntr;
			int			okall = 1;
			FcMember	mb;

			for (j = 0; j < nsingles; j++)
			{
				fcs[j] = buf + (size_t) j * H;
				rc = member_fit(singles[j], y, ntr, period, &opt, pday, &mb);
				if (rc == FC_OK)
					rc = member_forecast(&mb, H, 0.95,
										 opt.xreg ? opt.xreg + ntr : NULL, opt.ld_xreg,
										 fcs[j], NULL, NULL);
				if (rc == FC_ENOMEM)
				{
					free(buf);
					return rc;
				}
				if (rc != FC_OK)
				{
					cand[j].failed = 1;
					okall = 0;
					continue;
				}
				if (opt.nonneg)
					for (i = 0; i < H; i++)
						if (fcs[j][i] < 0.0)
							fcs[j][i] = 0.0;
			}
			for (j = 0; j < ncand; j++)
			{
				const double *f;

				if (cand[j].failed)
					continue;
				if (is_single(cand[j].kind))
					f = fcs[j];
				else
				{
					if (!okall)
					{
						cand[j].failed = 1;
						continue;
					}
					combine(cand[j].kind, nsingles, fcs, H, buf + (size_t) FC_MAX_MEMBERS * H);
					f = buf + (size_t) FC_MAX_MEMBERS * H;
				}
				for (i = 0; i < H; i++)
				{
					double		e = test[i] - f[i];

					cand[j].err += intermittent ? e * e : fabs(e);
					cand[j].cnt++;
				}
			}
		}
		free(buf);
		for (j = 0; j < ncand; j++)
		{
			/* with regressors the winner must use them */
			if (has_x && with_prophet && cand[j].kind != FC_PROPHET &&
				is_single(cand[j].kind))
				continue;
			if (!cand[j].failed && cand[j].cnt > 0 &&
				(best < 0 || cand[j].err < cand[best].err))
				best = j;
		}
		out->holdout = H;
		out->origins = O;
		if (cand[0].kind == FC_ETS && !cand[0].failed && cand[0].cnt > 0)
			out->score_ets = cand[0].err / cand[0].cnt;
		if (best >= 0)
		{
			out->score = cand[best].err / cand[best].cnt;
			rc = fit_final(out, cand[best].kind, singles, nsingles, y, n, period, &opt, pday);
			if (rc == FC_OK && !intermittent && !has_x)
				rc = calibrate(out, cand[best].kind, singles, nsingles, y, n, period, &opt,
							   pday, H);
			if (rc == FC_OK || rc == FC_ENOMEM)
				return rc;
			/* the winner failed on the full series: fall through */
		}
	}

	/* no holdout possible: ETS by AICc / SBA, else the mean */
no_holdout:
	out->holdout = 0;
	out->origins = 0;
	out->score = -1.0;
	if (has_x)
	{
		rc = fit_final(out, FC_PROPHET, NULL, 0, y, n, period, &opt, pday);
		if (rc == FC_OK || rc == FC_ENOMEM)
			return rc;
	}
	rc = fit_final(out, intermittent ? FC_SBA : FC_ETS, NULL, 0, y, n, period, &opt, pday);
	if (rc == FC_OK && !intermittent && out->tier == FC_TIER_FULL)
		rc = calibrate(out, FC_ETS, NULL, 0, y, n, period, &opt, pday,
					   default_holdout(&opt, period));
	if (rc == FC_OK || rc == FC_ENOMEM)
		return rc;
	if (!intermittent)
	{
		rc = fit_final(out, FC_THETA, NULL, 0, y, n, period, &opt, pday);
		if (rc == FC_OK && out->tier == FC_TIER_FULL)
			rc = calibrate(out, FC_THETA, NULL, 0, y, n, period, &opt, pday,
						   default_holdout(&opt, period));
		if (rc == FC_OK || rc == FC_ENOMEM)
			return rc;
	}
	return fit_final(out, FC_MEAN, NULL, 0, y, n, period, &opt, pday);
}

/*
 * fc_fit: the members see y / data_scale, a power of 2 near max |y| when the
 * magnitudes are extreme (their sums of squares would overflow or
 * underflow); forecasts and fitted values are scaled back.
 */
int
fc_fit(const double *y_all, int n_all, int period, const FcOptions *opt,
	   FcModel *out)
{
	double		amax = 0.0,
				s = 1.0;
	double	   *ys = NULL;
	int			i,
				rc;

	if (out == NULL || n_all < 0 || (n_all > 0 && y_all == NULL))
		return FC_EINVAL;
	for (i = 0; i < n_all; i++)
	{
		if (!isfinite(y_all[i]))
			return FC_ENONFINITE;
		if (fabs(y_all[i]) > amax)
			amax = fabs(y_all[i]);
	}
	if (amax > 1e30 || (amax > 0.0 && amax < 1e-30))
	{
		s = ldexp(1.0, ilogb(amax));
		ys = malloc(sizeof(double) * (size_t) n_all);
		if (ys == NULL)
			return FC_ENOMEM;
		for (i = 0; i < n_all; i++)
			ys[i] = y_all[i] / s;
	}
	rc = fit_inner(ys ? ys : y_all, n_all, period, opt, out);
	free(ys);
	if (rc != FC_OK)
		return rc;
	out->data_scale = s;
	if (s != 1.0)
	{
		out->scale = isfinite(out->scale * s) ? out->scale * s : DBL_MAX;
		if (out->score > 0)
			out->score = isfinite(out->score * s) ? out->score * s : DBL_MAX;
		if (out->score_ets > 0)
			out->score_ets = isfinite(out->score_ets * s) ? out->score_ets * s : DBL_MAX;
	}
	return fc_model_validate(out) == FC_OK ? FC_OK : FC_ERANGE;
}

int
fc_forecast(const FcModel *m, int h, double level, double *mean, double *lo, double *hi)
{
	return fc_forecast_x(m, h, level, NULL, 0, mean, lo, hi);
}

int
fc_model_n_regressors(const FcModel *m)
{
	int			j;

	for (j = 0; m && j < m->n_members && j < FC_MAX_MEMBERS; j++)
		if (m->member[j].kind == FC_PROPHET)
			return m->member[j].u.prophet.n_regressors;
	return 0;
}

int
fc_model_regressor(const FcModel *m, int r, double *beta, int *log1p_mode)
{
	int			j;

	if (m == NULL || r < 0)
		return FC_EINVAL;
	for (j = 0; j < m->n_members && j < FC_MAX_MEMBERS; j++)
	{
		const prophet_model *pm = &m->member[j].u.prophet;

		if (m->member[j].kind != FC_PROPHET)
			continue;
		if (r >= pm->n_regressors)
			return FC_EINVAL;
		if (beta)
			*beta = pm->beta_reg[r];
		if (log1p_mode)
			*log1p_mode = pm->mode == PROPHET_LOG1P;
		return FC_OK;
	}
	return FC_EINVAL;
}

int
fc_forecast_x(const FcModel *m, int h, double level, const double *x, int ldx,
			  double *mean, double *lo, double *hi)
{
	int			i,
				j,
				rc;
	double		tail = 1.0;

	if (m == NULL || mean == NULL || h < 1)
		return FC_EINVAL;
	if ((lo || hi) && !(level > 0.0 && level < 1.0))
		return FC_EINVAL;
	if (fc_model_validate(m) != FC_OK)
		return FC_ECORRUPT;
	if (x != NULL && ldx < h)
		return FC_EINVAL;
	if (m->interval_scale != 1.0 && (lo || hi))
		tail = tail_factor(level);
	if (m->n_members == 1)
	{
		rc = member_forecast(&m->member[0], h, level, x, ldx, mean, lo, hi);
		if (rc != FC_OK)
			return rc;
	}
	else
	{
		int			k = m->n_members;
		double	   *buf = malloc(sizeof(double) * (size_t) h * 3 * k);
		double	   *pm[FC_MAX_MEMBERS],
				   *pl[FC_MAX_MEMBERS],
				   *ph[FC_MAX_MEMBERS];

		if (buf == NULL)
			return FC_ENOMEM;
		for (j = 0; j < k; j++)
		{
			pm[j] = buf + (size_t) h * (3 * j);
			pl[j] = buf + (size_t) h * (3 * j + 1);
			ph[j] = buf + (size_t) h * (3 * j + 2);
			rc = member_forecast(&m->member[j], h, level > 0 && level < 1 ? level : 0.95,
								 x, ldx, pm[j], pl[j], ph[j]);
			if (rc != FC_OK)
			{
				free(buf);
				return rc;
			}
			if (m->nonneg)
				for (i = 0; i < h; i++)
					if (pm[j][i] < 0.0)
						pm[j][i] = 0.0;
		}
		combine(m->method, k, pm, h, mean);
		if (lo)
			combine(m->method, k, pl, h, lo);
		if (hi)
			combine(m->method, k, ph, h, hi);
		free(buf);
	}
	for (i = 0; i < h; i++)
	{
		if (lo && lo[i] > mean[i])
			lo[i] = mean[i];
		if (hi && hi[i] < mean[i])
			hi[i] = mean[i];
		if (m->interval_scale != 1.0)
		{
			double		sc = m->interval_scale * horizon_growth(m->period, i) * tail;

			if (lo)
				lo[i] = mean[i] - sc * (mean[i] - lo[i]);
			if (hi)
				hi[i] = mean[i] + sc * (hi[i] - mean[i]);
		}
		if (m->data_scale != 1.0)
		{
			mean[i] *= m->data_scale;
			if (lo)
				lo[i] *= m->data_scale;
			if (hi)
				hi[i] *= m->data_scale;
		}
		if (!isfinite(mean[i]) || (lo && !isfinite(lo[i])) || (hi && !isfinite(hi[i])))
			return FC_ERANGE;
		if (m->nonneg)
		{
			if (mean[i] < 0.0)
				mean[i] = 0.0;
			if (lo && lo[i] < 0.0)
				lo[i] = 0.0;
			if (hi && hi[i] < 0.0)
				hi[i] = 0.0;
		}
	}
	return FC_OK;
}

static int
member_fitted(const FcMember *mb, const double *y, int n, const double *x, int ldx,
			  double *fitted)
{
	int			t,
				rc;

	switch (mb->kind)
	{
		case FC_ZERO:
		case FC_MEAN:
			for (t = 0; t < n; t++)
				fitted[t] = mb->u.simple.level;
			return FC_OK;
		case FC_NAIVE:
			for (t = 0; t < n; t++)
				fitted[t] = t > 0 ? y[t - 1] : y[0];
			return FC_OK;
		case FC_ETS:
			{
				EtsModel	e = mb->u.ets;

				return map_ets(ets_filter(&e, y, n, fitted, NULL));
			}
		case FC_CROSTON:
		case FC_SBA:
		case FC_TSB:
			{
				CrostonModel c;

				rc = croston_fit(y, n, mb->u.croston.method, mb->u.croston.alpha,
								 mb->u.croston.beta > 0 ? mb->u.croston.beta : 0.0,
								 &c, fitted);
				return rc == CR_OK ? FC_OK : FC_ENUMERIC;
			}
		case FC_THETA:
			{
				const FcTheta *th = &mb->u.theta;
				EtsModel	e = th->ses;
				double	   *ya = calloc(n, sizeof(double));

				if (ya == NULL)
					return FC_ENOMEM;
				for (t = 0; t < n; t++)
					ya[t] = th->m > 1 ? y[t] / th->seas[t % th->m] : y[t];
				rc = map_ets(ets_filter(&e, ya, n, fitted, NULL));
				for (t = 0; rc == FC_OK && t < n; t++)
					fitted[t] *= th->m > 1 ? th->seas[t % th->m] : 1.0;
				free(ya);
				return rc;
			}
		case FC_PROPHET:
			{
				const prophet_model *pm = &mb->u.prophet;
				double	   *zx = NULL;

				if (pm->n_regressors > 0 && x == NULL)
				{
					zx = calloc((size_t) n * pm->n_regressors, sizeof(double));
					if (zx == NULL)
						return FC_ENOMEM;
					x = zx;
					ldx = n;
				}
				rc = prophet_predict(pm, pm->first_day, n,
									 pm->n_regressors > 0 ? x : NULL,
									 pm->n_regressors > 0 ? ldx : 0,
									 0, NULL, fitted, NULL, NULL);
				free(zx);
				return rc == PROPHET_OK ? FC_OK : FC_ENUMERIC;
			}
	}
	return FC_EINVAL;
}

int
fc_fitted(const FcModel *m, const double *y, int n, double *fitted)
{
	return fc_fitted_x(m, y, n, NULL, 0, fitted);
}

int
fc_fitted_x(const FcModel *m, const double *y, int n, const double *x, int ldx,
			double *fitted)
{
	double	   *ys = NULL;
	int			i,
				j,
				rc;

	if (m == NULL || y == NULL || fitted == NULL || n < 1)
		return FC_EINVAL;
	if (fc_model_validate(m) != FC_OK)
		return FC_ECORRUPT;
	if (n != m->n || (x != NULL && ldx < n))
		return FC_EINVAL;
	for (i = 0; i < n; i++)
		if (!isfinite(y[i]))
			return FC_ENONFINITE;
	if (m->data_scale != 1.0)
	{
		ys = malloc(sizeof(double) * (size_t) n);
		if (ys == NULL)
			return FC_ENOMEM;
		for (i = 0; i < n; i++)
			ys[i] = y[i] / m->data_scale;
		y = ys;
	}
	if (m->n_members == 1)
		rc = member_fitted(&m->member[0], y, n, x, ldx, fitted);
	else
	{
		double	   *buf = malloc(sizeof(double) * (size_t) n * m->n_members);
		double	   *pm[FC_MAX_MEMBERS];

		if (buf == NULL)
			return FC_ENOMEM;
		rc = FC_OK;
		for (j = 0; j < m->n_members && rc == FC_OK; j++)
		{
			pm[j] = buf + (size_t) n * j;
			rc = member_fitted(&m->member[j], y, n, x, ldx, pm[j]);
		}
		if (rc == FC_OK)
			combine(m->method, m->n_members, pm, n, fitted);
		free(buf);
	}
	free(ys);
	for (i = 0; rc == FC_OK && i < n; i++)
	{
		if (m->nonneg && fitted[i] < 0.0)
			fitted[i] = 0.0;
		fitted[i] *= m->data_scale;
		if (!isfinite(fitted[i]))
			rc = FC_ERANGE;
	}
	return rc;
}

/* ------------------------------------------------------- validation, bytes */

static int
member_validate(const FcMember *mb)
{
	int			i;

	switch (mb->kind)
	{
		case FC_ZERO:
		case FC_MEAN:
		case FC_NAIVE:
			{
				const FcSimple *s = &mb->u.simple;

				if (!isfinite(s->level) || !isfinite(s->sigma2) || s->sigma2 < 0.0 || s->n < 0)
					return FC_ECORRUPT;
				if (mb->kind == FC_ZERO && (s->level != 0.0 || s->sigma2 != 0.0))
					return FC_ECORRUPT;
				return FC_OK;
			}
		case FC_ETS:
			return ets_model_validate(&mb->u.ets) == ETS_OK ? FC_OK : FC_ECORRUPT;
		case FC_CROSTON:
		case FC_SBA:
		case FC_TSB:
			if (croston_model_validate(&mb->u.croston) != CR_OK)
				return FC_ECORRUPT;
			if (mb->u.croston.method != (mb->kind == FC_CROSTON ? CR_CROSTON :
										 mb->kind == FC_SBA ? CR_SBA : CR_TSB))
				return FC_ECORRUPT;
			return FC_OK;
		case FC_THETA:
			{
				const FcTheta *th = &mb->u.theta;

				if (ets_model_validate(&th->ses) != ETS_OK || th->ses.trend != ETS_N ||
					th->ses.season != ETS_N || th->ses.error != ETS_A)
					return FC_ECORRUPT;
				if (!isfinite(th->drift) || th->n < 1 || th->m < 1 || th->m > ETS_MAX_M ||
					th->phase < 0 || th->phase >= th->m)
					return FC_ECORRUPT;
				for (i = 0; i < th->m; i++)
					if (!isfinite(th->seas[i]) || th->seas[i] <= 0.0)
						return FC_ECORRUPT;
				return FC_OK;
			}
		case FC_PROPHET:
			return prophet_model_validate(&mb->u.prophet) == PROPHET_OK ? FC_OK : FC_ECORRUPT;
	}
	return FC_ECORRUPT;
}

int
fc_model_validate(const FcModel *m)
{
	int			j;

	if (m == NULL)
		return FC_EINVAL;
	if (m->magic != FC_MAGIC || m->version != FC_VERSION)
		return FC_ECORRUPT;
	if (m->method < FC_ZERO || m->method >= FC_N_METHODS)
		return FC_ECORRUPT;
	if (m->demand_class < DC_SHORT || m->demand_class > DC_LUMPY)
		return FC_ECORRUPT;
	if (m->period < 1 || m->period > FC_MAX_PERIOD || m->n < 1 || m->n > m->n_total ||
		(m->nonneg != 0 && m->nonneg != 1) || m->holdout < 0 || m->origins < 0 ||
		m->n_candidates < 0 || m->n_candidates > FC_MAX_CAND ||
		m->tier < 0 || m->tier > FC_TIER_FULL)
		return FC_ECORRUPT;
	if ((int64_t) m->first_day + m->n > (int64_t) INT32_MAX - 1000000 ||
		(int64_t) m->first_day < (int64_t) INT32_MIN + 1000000)
		return FC_ECORRUPT;
	if (!isfinite(m->adi) || !isfinite(m->cv2) || !isfinite(m->score) ||
		!isfinite(m->score_ets) || !isfinite(m->scale))
		return FC_ECORRUPT;
	if (m->freq < FC_FREQ_DAY || m->freq > FC_FREQ_YEAR || m->anchor < 0 || m->anchor > 31 ||
		(m->freq < FC_FREQ_MONTH && m->anchor != 0) || m->horizon < 0 || m->pad2_ != 0 ||
		!isfinite(m->data_scale) || !(m->data_scale > 0.0) ||
		!isfinite(m->interval_scale) || !(m->interval_scale > 0.0) || m->interval_scale > 1e6)
		return FC_ECORRUPT;
	if (is_single(m->method))
	{
		if (m->n_members != 1 || m->member[0].kind != m->method)
			return FC_ECORRUPT;
	}
	else if (m->n_members < 2 || m->n_members > FC_MAX_MEMBERS)
		return FC_ECORRUPT;
	for (j = 0; j < m->n_members; j++)
	{
		if (!is_single(m->member[j].kind))
			return FC_ECORRUPT;
		if (member_validate(&m->member[j]) != FC_OK)
			return FC_ECORRUPT;
	}
	return FC_OK;
}

/*
 * Bytes of a model.
 *
 * Format 3 (written since 0.2.0; one helper for every model type, ana_common.h):
 *   the ana container [u32 magic "DFFC" | u16 version 3 | u16 flags 0 | u64 payload
 *   length | u64 FNV-1a 64 of the payload] around fc_model_write()'s payload:
 *   the fixed fields of FcModel in declaration order (magic, version and pad2_ left
 *   out: the container carries the first two, the third is always 0), then each of
 *   the n_members members as [u32 kind | u32 length | fields].  Every field is
 *   written explicitly little-endian (int as i32, double as its IEEE 754 bits in a
 *   u64), packed, arrays at their full declared length, padding fields (pad_) left
 *   out: the bytes are the same on every host.  fc_io_* below is the one list of
 *   the fields, used to write, to read and to read the old formats.
 * Formats 1 and 2 (read only, written by 0.1.0 and the 0.2.0 development builds):
 *   [u32 magic | u16 version | u16 header size 16 | u32 total length | u32 FNV-1a 32
 *   of the rest] then the fixed part of FcModel (96 bytes in format 1, 128 in 2) and
 *   each member as [i32 kind | u32 size | struct bytes]: struct images written by
 *   x86-64 (little-endian, LP64) builds.  They are decoded field by field at the
 *   x86-64 offsets (natural alignment, computed by the same field list), so a
 *   big-endian or 32-bit host reads them too; validation is what it was (header,
 *   lengths, checksum, the struct's own magic and version, every member size, then
 *   fc_model_validate).
 */
#define LEGACY_HDR			16
#define LEGACY_FIXED_V1		96	/* x86-64 offsetof(FcModel, freq) */
#define LEGACY_FIXED_V2		128 /* x86-64 offsetof(FcModel, member) */

/* x86-64 sizes of the member structs (the "size" field of formats 1 and 2) */
static size_t
legacy_member_size(int kind)
{
	switch (kind)
	{
		case FC_ZERO:
		case FC_MEAN:
		case FC_NAIVE:
			return 24;
		case FC_ETS:
			return 536;
		case FC_CROSTON:
		case FC_SBA:
		case FC_TSB:
			return 232;
		case FC_THETA:
			return 752;
		case FC_PROPHET:
			return 1528;
	}
	return 0;
}

/*
 * The struct layouts the field list below describes.  On x86-64 the sizes are also
 * those of the old formats; anywhere, a field added to one of these structs must be
 * added to its fc_io_* function (and the format version bumped), which this check
 * reminds of when the size changes.
 */
#if defined(__x86_64__) && defined(__LP64__)
_Static_assert(sizeof(FcSimple) == 24, "FcSimple changed: update fc_io_simple and FC_VERSION");
_Static_assert(sizeof(EtsModel) == 536, "EtsModel changed: update fc_io_ets and FC_VERSION");
_Static_assert(sizeof(CrostonModel) == 232, "CrostonModel changed: update fc_io_croston and FC_VERSION");
_Static_assert(sizeof(FcTheta) == 752, "FcTheta changed: update fc_io_theta and FC_VERSION");
_Static_assert(sizeof(prophet_model) == 1528, "prophet_model changed: update fc_io_prophet and FC_VERSION");
_Static_assert(offsetof(FcModel, freq) == LEGACY_FIXED_V1 &&
			   offsetof(FcModel, member) == LEGACY_FIXED_V2 &&
			   sizeof(FcModel) == LEGACY_FIXED_V2 + FC_MAX_MEMBERS * (8 + 1528),
			   "FcModel changed: update fc_io_fixed and FC_VERSION");
#endif

/*
 * One cursor for the three uses of the field list: write (w set), read format 3
 * (r set), read an x86-64 struct image of formats 1-2 (r set, legacy: each field is
 * first aligned on its size from `base`, the struct's first byte, and pad_ fields
 * are skipped).  In write mode the fields are only read.
 */
typedef struct FcIo
{
	ana_wbuf   *w;
	ana_rbuf   *r;
	int			legacy;
	size_t		base;
} FcIo;

static void
fc_io_align(FcIo *io, size_t a)
{
	size_t		off;

	if (!io->legacy)
		return;
	off = (io->r->pos - io->base) % a;
	if (off != 0)
		(void) ana_r_bytes(io->r, a - off);
}

static void
fc_io_i32(FcIo *io, int32_t *v)
{
	fc_io_align(io, 4);
	if (io->w)
		ana_w_i32(io->w, *v);
	else
		*v = ana_r_i32(io->r);
}

static void
fc_io_int(FcIo *io, int *v)
{
	int32_t		t = io->w ? (int32_t) *v : 0;

	fc_io_i32(io, &t);
	if (!io->w)
		*v = (int) t;
}

static void
fc_io_u32(FcIo *io, uint32_t *v)
{
	fc_io_align(io, 4);
	if (io->w)
		ana_w_u32(io->w, *v);
	else
		*v = ana_r_u32(io->r);
}

/* a padding field: in the x86-64 images only (ignored), not in format 3 */
static void
fc_io_pad32(FcIo *io)
{
	if (io->legacy)
	{
		fc_io_align(io, 4);
		(void) ana_r_bytes(io->r, 4);
	}
}

static void
fc_io_f64v(FcIo *io, double *v, int n)
{
	int			i;

	fc_io_align(io, 8);
	for (i = 0; i < n; i++)
	{
		if (io->w)
			ana_w_f64(io->w, v[i]);
		else
			v[i] = ana_r_f64_any(io->r);	/* finiteness: the validators */
	}
}

static void
fc_io_f64(FcIo *io, double *v)
{
	fc_io_f64v(io, v, 1);
}

static void
fc_io_simple(FcIo *io, FcSimple *s)
{
	fc_io_f64(io, &s->level);
	fc_io_f64(io, &s->sigma2);
	fc_io_i32(io, &s->n);
	fc_io_pad32(io);
}

static void
fc_io_ets(FcIo *io, EtsModel *e)
{
	fc_io_int(io, &e->error);
	fc_io_int(io, &e->trend);
	fc_io_int(io, &e->season);
	fc_io_int(io, &e->damped);
	fc_io_int(io, &e->m);
	fc_io_int(io, &e->n);
	fc_io_int(io, &e->k);
	fc_io_f64(io, &e->alpha);
	fc_io_f64(io, &e->beta);
	fc_io_f64(io, &e->gamma);
	fc_io_f64(io, &e->phi);
	fc_io_f64v(io, e->x0, ETS_MAX_STATE);
	fc_io_f64v(io, e->x, ETS_MAX_STATE);
	fc_io_f64(io, &e->lik);
	fc_io_f64(io, &e->loglik);
	fc_io_f64(io, &e->aic);
	fc_io_f64(io, &e->aicc);
	fc_io_f64(io, &e->bic);
	fc_io_f64(io, &e->sigma2);
	fc_io_f64(io, &e->mse);
}

static void
fc_io_croston(FcIo *io, CrostonModel *c)
{
	fc_io_int(io, &c->method);
	fc_io_int(io, &c->n);
	fc_io_int(io, &c->n_demand);
	fc_io_pad32(io);
	fc_io_f64(io, &c->alpha);
	fc_io_f64(io, &c->beta);
	fc_io_f64(io, &c->z);
	fc_io_f64(io, &c->p);
	fc_io_f64(io, &c->fc);
	fc_io_f64(io, &c->mse);
	fc_io_f64v(io, c->sizeq, CR_NQ);
}

static void
fc_io_theta(FcIo *io, FcTheta *th)
{
	fc_io_ets(io, &th->ses);	/* at offset 0: the alignment base is the same */
	fc_io_f64(io, &th->drift);
	fc_io_i32(io, &th->n);
	fc_io_i32(io, &th->m);
	fc_io_i32(io, &th->phase);
	fc_io_pad32(io);
	fc_io_f64v(io, th->seas, ETS_MAX_M);
}

static void
fc_io_prophet(FcIo *io, prophet_model *p)
{
	fc_io_u32(io, &p->magic);
	fc_io_u32(io, &p->version);
	fc_io_i32(io, &p->mode);
	fc_io_i32(io, &p->nonneg);
	fc_io_i32(io, &p->n_obs);
	fc_io_i32(io, &p->first_day);
	fc_io_i32(io, &p->last_day);
	fc_io_i32(io, &p->n_changepoints);
	fc_io_i32(io, &p->weekly_order);
	fc_io_i32(io, &p->yearly_order);
	fc_io_i32(io, &p->n_regressors);
	fc_io_i32(io, &p->season_period);
	fc_io_f64(io, &p->k);
	fc_io_f64(io, &p->m);
	fc_io_f64v(io, p->cp_day, PROPHET_MAX_CHANGEPOINTS);
	fc_io_f64v(io, p->delta, PROPHET_MAX_CHANGEPOINTS);
	fc_io_f64v(io, p->weekly, 2 * PROPHET_MAX_WEEKLY_ORDER);
	fc_io_f64v(io, p->yearly, 2 * PROPHET_MAX_YEARLY_ORDER);
	fc_io_f64v(io, p->beta_reg, PROPHET_MAX_REGRESSORS);
	fc_io_f64(io, &p->sigma);
	fc_io_f64(io, &p->cp_rate);
	fc_io_f64(io, &p->cp_scale);
	fc_io_f64(io, &p->changepoint_prior_scale);
	fc_io_f64(io, &p->y_scale);
}

/* the fields of one member of kind mb->kind (kind itself not included) */
static void
fc_io_member(FcIo *io, FcMember *mb)
{
	switch (mb->kind)
	{
		case FC_ZERO:
		case FC_MEAN:
		case FC_NAIVE:
			fc_io_simple(io, &mb->u.simple);
			break;
		case FC_ETS:
			fc_io_ets(io, &mb->u.ets);
			break;
		case FC_CROSTON:
		case FC_SBA:
		case FC_TSB:
			fc_io_croston(io, &mb->u.croston);
			break;
		case FC_THETA:
			fc_io_theta(io, &mb->u.theta);
			break;
		case FC_PROPHET:
			fc_io_prophet(io, &mb->u.prophet);
			break;
	}
}

/*
 * The fixed fields.  Format 3 (legacy = 0): from method on, without pad2_.  The x86-64
 * image (legacy = 1 or 2, the old format version): from magic on; format 1 ends
 * after scale.
 */
static void
fc_io_fixed(FcIo *io, FcModel *m, int legacy)
{
	if (legacy)
	{
		fc_io_u32(io, &m->magic);
		fc_io_u32(io, &m->version);
	}
	fc_io_i32(io, &m->method);
	fc_io_i32(io, &m->demand_class);
	fc_io_i32(io, &m->period);
	fc_io_i32(io, &m->n);
	fc_io_i32(io, &m->n_total);
	fc_io_i32(io, &m->nonneg);
	fc_io_i32(io, &m->holdout);
	fc_io_i32(io, &m->origins);
	fc_io_i32(io, &m->n_members);
	fc_io_i32(io, &m->n_candidates);
	fc_io_i32(io, &m->first_day);
	fc_io_i32(io, &m->tier);
	fc_io_f64(io, &m->adi);
	fc_io_f64(io, &m->cv2);
	fc_io_f64(io, &m->score);
	fc_io_f64(io, &m->score_ets);
	fc_io_f64(io, &m->scale);
	if (legacy == 1)
		return;
	fc_io_i32(io, &m->freq);
	fc_io_i32(io, &m->anchor);
	fc_io_i32(io, &m->horizon);
	if (legacy)
		fc_io_i32(io, &m->pad2_);	/* fc_model_validate wants 0 */
	fc_io_f64(io, &m->data_scale);
	fc_io_f64(io, &m->interval_scale);
}

/* format-3 length of the fields of a member of this kind (0: not a member kind) */
static size_t
member_wire_size(int kind)
{
	FcMember	mb;
	ana_wbuf	w;
	FcIo		io = {&w, NULL, 0, 0};

	if (!is_single(kind))
		return 0;
	memset(&mb, 0, sizeof(mb));
	mb.kind = kind;
	ana_w_init(&w, NULL, 0);	/* counts only */
	fc_io_member(&io, &mb);
	return w.len;
}

int
fc_model_write(ana_wbuf *w, const FcModel *m)
{
	FcIo		io = {w, NULL, 0, 0};
	FcModel    *mm = (FcModel *) m; /* write mode only reads the fields */
	int			j;

	if (w == NULL || m == NULL)
		return FC_EINVAL;
	if (fc_model_validate(m) != FC_OK)
		return FC_ECORRUPT;
	fc_io_fixed(&io, mm, 0);
	for (j = 0; j < m->n_members; j++)
	{
		ana_w_u32(w, (uint32_t) m->member[j].kind);
		ana_w_u32(w, (uint32_t) member_wire_size(m->member[j].kind));
		fc_io_member(&io, &mm->member[j]);
	}
	return FC_OK;
}

int
fc_model_read(ana_rbuf *r, FcModel *m)
{
	FcIo		io = {NULL, r, 0, 0};
	int			j;

	if (r == NULL || m == NULL)
		return FC_EINVAL;
	memset(m, 0, sizeof(*m));
	fc_io_fixed(&io, m, 0);
	if (r->err || m->n_members < 1 || m->n_members > FC_MAX_MEMBERS)
		goto corrupt;
	for (j = 0; j < m->n_members; j++)
	{
		uint32_t	kind = ana_r_u32(r),
					len = ana_r_u32(r);
		size_t		start = r->pos;

		if (r->err || kind > INT32_MAX || !is_single((int) kind) ||
			len != member_wire_size((int) kind))
			goto corrupt;
		m->member[j].kind = (int32_t) kind;
		fc_io_member(&io, &m->member[j]);
		if (r->err || r->pos - start != len)
			goto corrupt;
	}
	m->magic = FC_MAGIC;
	m->version = FC_VERSION;
	if (fc_model_validate(m) != FC_OK)
		goto corrupt;
	return FC_OK;
corrupt:
	memset(m, 0, sizeof(*m));
	return FC_ECORRUPT;
}

size_t
fc_model_size(const FcModel *m)
{
	ana_wbuf	w;

	ana_w_init(&w, NULL, 0);	/* counts only */
	ana_w_header(&w, FC_MAGIC, FC_VERSION);
	if (fc_model_write(&w, m) != FC_OK)
		return 0;
	return w.len;
}

int
fc_model_serialize(const FcModel *m, void *buf, size_t len, size_t *written)
{
	size_t		need = fc_model_size(m);
	ana_wbuf	w;
	int			rc;

	if (need == 0)
		return m == NULL ? FC_EINVAL : FC_ECORRUPT;
	if (buf == NULL || len < need)
		return FC_ESPACE;
	ana_w_init(&w, buf, len);
	ana_w_header(&w, FC_MAGIC, FC_VERSION);
	if ((rc = fc_model_write(&w, m)) != FC_OK)
		return rc;
	if (ana_w_finish(&w, written) != ANA_OK)
		return FC_ESPACE;
	return FC_OK;
}

static uint32_t
legacy_fnv1a32(const unsigned char *p, size_t len)
{
	uint32_t	h = 2166136261u;
	size_t		i;

	for (i = 0; i < len; i++)
	{
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

/* formats 1 and 2: the x86-64 struct images, decoded field by field */
static int
fc_model_read_legacy(const unsigned char *p, size_t len, FcModel *m)
{
	ana_rbuf	r;
	FcIo		io = {NULL, &r, 1, 0};
	uint32_t	magic,
				total,
				sum;
	uint16_t	version,
				hsz;
	size_t		fixed;
	int			j;

	if (len < LEGACY_HDR + LEGACY_FIXED_V1)
		return FC_ECORRUPT;
	r.p = p;
	r.len = len;
	r.pos = 0;
	r.err = 0;
	magic = ana_r_u32(&r);
	version = ana_r_u16(&r);
	hsz = ana_r_u16(&r);
	total = ana_r_u32(&r);
	sum = ana_r_u32(&r);
	if (magic != FC_MAGIC || (version != 1 && version != 2) ||
		hsz != LEGACY_HDR || total != len)
		return FC_ECORRUPT;
	fixed = version == 1 ? LEGACY_FIXED_V1 : LEGACY_FIXED_V2;
	if (len < LEGACY_HDR + fixed)
		return FC_ECORRUPT;
	if (legacy_fnv1a32(p + LEGACY_HDR, len - LEGACY_HDR) != sum)
		return FC_ECORRUPT;
	io.base = r.pos;
	fc_io_fixed(&io, m, version);
	fc_io_align(&io, 8);
	if (r.err || r.pos - io.base != fixed)
		goto corrupt;
	/* the struct's own magic and version are those of the header */
	if (m->magic != FC_MAGIC || m->version != version)
		goto corrupt;
	if (version == 1)
	{
		/* version 1: daily data, unscaled, the model's own intervals */
		m->freq = FC_FREQ_DAY;
		m->anchor = 0;
		m->horizon = 0;
		m->pad2_ = 0;
		m->data_scale = 1.0;
		m->interval_scale = 1.0;
	}
	m->version = FC_VERSION;
	if (m->n_members < 1 || m->n_members > FC_MAX_MEMBERS)
		goto corrupt;
	for (j = 0; j < m->n_members; j++)
	{
		int32_t		kind;
		uint32_t	sz;

		kind = ana_r_i32(&r);
		sz = ana_r_u32(&r);
		if (r.err || !is_single(kind) || sz != legacy_member_size(kind) ||
			ana_r_remaining(&r) < sz)
			goto corrupt;
		m->member[j].kind = kind;
		io.base = r.pos;
		fc_io_member(&io, &m->member[j]);
		fc_io_align(&io, 8);
		if (r.err || r.pos - io.base != sz)
			goto corrupt;
	}
	if (ana_r_remaining(&r) != 0 || fc_model_validate(m) != FC_OK)
		goto corrupt;
	return FC_OK;
corrupt:
	memset(m, 0, sizeof(*m));
	return FC_ECORRUPT;
}

int
fc_model_deserialize(const void *buf, size_t len, FcModel *m)
{
	const unsigned char *p = buf;
	ana_rbuf	r;
	uint16_t	version;

	if (m == NULL || (buf == NULL && len > 0))
		return FC_EINVAL;
	memset(m, 0, sizeof(*m));
	if (len < 8)
		return FC_ECORRUPT;
	version = (uint16_t) (p[4] | (p[5] << 8));
	if (version == 1 || version == 2)
		return fc_model_read_legacy(p, len, m);
	if (ana_r_open(&r, p, len, FC_MAGIC, FC_VERSION, &version) != ANA_OK ||
		version != FC_VERSION)
		return FC_ECORRUPT;
	if (fc_model_read(&r, m) != FC_OK || ana_r_remaining(&r) != 0)
	{
		memset(m, 0, sizeof(*m));
		return FC_ECORRUPT;
	}
	return FC_OK;
}

/* ------------------------------------------------------------- rendering */

typedef struct Out
{
	char	   *buf;
	size_t		len;
	size_t		used;			/* characters that would have been written */
} Out;

static void
out_printf(Out *o, const char *fmt,...)
	__attribute__((format(printf, 2, 3)));

static void
out_printf(Out *o, const char *fmt,...)
{
	va_list		ap;
	int			k;
	size_t		room = o->used < o->len ? o->len - o->used : 0;

	va_start(ap, fmt);
	k = vsnprintf(room ? o->buf + o->used : NULL, room, fmt, ap);
	va_end(ap);
	if (k > 0)
		o->used += (size_t) k;
}

static void
member_text(Out *o, const FcMember *mb, int json)
{
	char		nm[32];

	switch (mb->kind)
	{
		case FC_ZERO:
			out_printf(o, json ? "{\"method\":\"zero\"}" : "zero");
			break;
		case FC_MEAN:
		case FC_NAIVE:
			out_printf(o, json ? "{\"method\":\"%s\",\"level\":%.10g,\"sigma\":%.6g}" :
					   "%s level=%.6g sigma=%.4g", fc_method_name(mb->kind),
					   mb->u.simple.level, sqrt(mb->u.simple.sigma2));
			break;
		case FC_ETS:
			{
				const EtsModel *e = &mb->u.ets;

				ets_model_name(e, nm, sizeof(nm));
				if (json)
				{
					out_printf(o, "{\"method\":\"ets\",\"model\":\"%s\",\"alpha\":%.6g", nm, e->alpha);
					if (e->trend)
						out_printf(o, ",\"beta\":%.6g", e->beta);
					if (e->season)
						out_printf(o, ",\"gamma\":%.6g,\"m\":%d", e->gamma, e->m);
					if (e->damped)
						out_printf(o, ",\"phi\":%.6g", e->phi);
					/* a perfect fit has no finite likelihood (ets.c clamps it) */
					if (e->lik <= -1e10 || !isfinite(e->aicc))
						out_printf(o, ",\"aicc\":null,\"aic\":null,\"bic\":null,\"loglik\":null,\"perfect_fit\":%s,\"sigma\":%.6g}",
								   e->lik <= -1e10 ? "true" : "false", sqrt(e->sigma2));
					else
						out_printf(o, ",\"aicc\":%.10g,\"aic\":%.10g,\"bic\":%.10g,\"loglik\":%.10g,\"sigma\":%.6g}",
								   e->aicc, e->aic, e->bic, e->loglik, sqrt(e->sigma2));
				}
				else
				{
					out_printf(o, "%s alpha=%.4g", nm, e->alpha);
					if (e->trend)
						out_printf(o, " beta=%.4g", e->beta);
					if (e->season)
						out_printf(o, " gamma=%.4g", e->gamma);
					if (e->damped)
						out_printf(o, " phi=%.4g", e->phi);
					if (e->lik <= -1e10)
						out_printf(o, " AICc=-Infinity sigma=%.4g", sqrt(e->sigma2));
					else
						out_printf(o, " AICc=%.2f sigma=%.4g", e->aicc, sqrt(e->sigma2));
				}
				break;
			}
		case FC_CROSTON:
		case FC_SBA:
		case FC_TSB:
			{
				const CrostonModel *c = &mb->u.croston;

				if (json)
				{
					out_printf(o, "{\"method\":\"%s\",\"alpha\":%.6g", fc_method_name(mb->kind), c->alpha);
					if (mb->kind == FC_TSB)
						out_printf(o, ",\"beta\":%.6g,\"size\":%.10g,\"probability\":%.6g", c->beta, c->z, c->p);
					else
						out_printf(o, ",\"size\":%.10g,\"interval\":%.6g", c->z, c->p);
					out_printf(o, ",\"rate\":%.10g,\"mse\":%.6g}", c->fc, c->mse);
				}
				else if (mb->kind == FC_TSB)
					out_printf(o, "TSB alpha=%.4g beta=%.4g size=%.4g probability=%.4g rate=%.4g",
							   c->alpha, c->beta, c->z, c->p, c->fc);
				else
					out_printf(o, "%s alpha=%.4g size=%.4g interval=%.4g rate=%.4g",
							   croston_method_name(c->method), c->alpha, c->z, c->p, c->fc);
				break;
			}
		case FC_THETA:
			{
				const FcTheta *th = &mb->u.theta;

				out_printf(o, json ? "{\"method\":\"theta\",\"alpha\":%.6g,\"drift\":%.6g,\"seasonal_period\":%d}" :
						   "Theta alpha=%.4g drift=%.4g seasonal_period=%d",
						   th->ses.alpha, th->drift, th->m);
				break;
			}
		case FC_PROPHET:
			{
				const prophet_model *pm = &mb->u.prophet;

				if (pm->season_period > 0)
					out_printf(o, json ? "{\"method\":\"prophet\",\"mode\":\"%s\",\"changepoints\":%d,\"weekly_order\":%d,\"season_order\":%d,\"season_period\":%d,\"slope\":%.6g,\"sigma\":%.6g,\"regressors\":%d}" :
							   "Prophet-style mode=%s changepoints=%d weekly=%d season=%d period=%d slope=%.4g sigma=%.4g regressors=%d",
							   pm->mode == PROPHET_LOG1P ? "log1p" : "additive",
							   pm->n_changepoints, pm->weekly_order, pm->yearly_order, pm->season_period,
							   pm->k, pm->sigma, pm->n_regressors);
				else
					out_printf(o, json ? "{\"method\":\"prophet\",\"mode\":\"%s\",\"changepoints\":%d,\"weekly_order\":%d,\"yearly_order\":%d,\"slope\":%.6g,\"sigma\":%.6g,\"regressors\":%d}" :
							   "Prophet-style mode=%s changepoints=%d weekly=%d yearly=%d slope=%.4g sigma=%.4g regressors=%d",
							   pm->mode == PROPHET_LOG1P ? "log1p" : "additive",
							   pm->n_changepoints, pm->weekly_order, pm->yearly_order, pm->k, pm->sigma,
							   pm->n_regressors);
				break;
			}
	}
}

static int
render(const FcModel *m, char *buf, size_t len, int json)
{
	Out			o;
	int			j;

	o.buf = buf;
	o.len = buf ? len : 0;
	o.used = 0;
	if (len > 0 && buf)
		buf[0] = '\0';
	if (fc_model_validate(m) != FC_OK)
	{
		out_printf(&o, json ? "{\"error\":\"invalid model\"}" : "invalid model");
		return (int) o.used;
	}
	if (json)
	{
		out_printf(&o, "{\"method\":\"%s\",\"demand_class\":\"%s\",\"adi\":%.6g,\"cv2\":%.6g,"
				   "\"n\":%d,\"n_total\":%d,\"first_day\":%d,\"period\":%d,\"nonneg\":%s,\"holdout\":%d,\"origins\":%d,"
				   "\"candidates\":%d,\"choice\":\"%s\"",
				   fc_method_name(m->method), demand_class_name(m->demand_class), m->adi, m->cv2,
				   m->n, m->n_total, m->first_day, m->period, m->nonneg ? "true" : "false", m->holdout,
				   m->origins, m->n_candidates,
				   m->tier == FC_TIER_FAST ? "auto_fast" : m->tier == FC_TIER_FULL ? "auto_full" : "forced");
		out_printf(&o, ",\"freq\":\"%s\",\"horizon\":%d,\"data_scale\":%.17g,\"interval_scale\":%.6g",
				   fc_freq_name(m->freq), m->horizon, m->data_scale, m->interval_scale);
		if (m->score >= 0)
			out_printf(&o, ",\"holdout_error\":%.6g", m->score);
		if (m->score_ets >= 0)
			out_printf(&o, ",\"holdout_error_ets\":%.6g", m->score_ets);
		out_printf(&o, ",\"members\":[");
		for (j = 0; j < m->n_members; j++)
		{
			if (j)
				out_printf(&o, ",");
			member_text(&o, &m->member[j], 1);
		}
		out_printf(&o, "]}");
	}
	else
	{
		if (m->n_members > 1)
		{
			out_printf(&o, "%s of [", m->method == FC_ENS_MEAN ? "mean" : "median");
			for (j = 0; j < m->n_members; j++)
			{
				if (j)
					out_printf(&o, "; ");
				member_text(&o, &m->member[j], 0);
			}
			out_printf(&o, "]");
		}
		else
			member_text(&o, &m->member[0], 0);
		out_printf(&o, " class=%s ADI=%.3g CV2=%.3g n=%d period=%d",
				   demand_class_name(m->demand_class), m->adi, m->cv2, m->n, m->period);
		if (m->freq != FC_FREQ_DAY)
			out_printf(&o, " freq=%s", fc_freq_name(m->freq));
		if (m->holdout > 0)
			out_printf(&o, " holdout=%dx%d error=%.4g", m->holdout, m->origins, m->score);
	}
	return (int) o.used;
}

int
fc_model_describe(const FcModel *m, char *buf, size_t len)
{
	return render(m, buf, len, 0);
}

int
fc_model_json(const FcModel *m, char *buf, size_t len)
{
	return render(m, buf, len, 1);
}
