/*
 * croston.c - Croston, SBA and TSB intermittent demand forecasts.
 *
 * Copyright (C) doliflow contributors.  GPL-3.0-or-later.
 * Definitions in croston.h.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "croston.h"

/*
 * One pass: returns the in-sample MSE of one-step forecasts (after the first
 * demand); final z, p and the forecast in *z, *p, *fc.
 */
static double
run_croston(const double *y, int n, double alpha, int sba, double *zo,
			double *po, double *fco, double *fitted)
{
	double		z = 0.0,
				p = 0.0,
				sse = 0.0,
				f = 0.0,
				fac = sba ? 1.0 - alpha / 2.0 : 1.0;
	int			t,
				last = -1,
				cnt = 0,
				started = 0;

	for (t = 0; t < n; t++)
	{
		if (fitted)
			fitted[t] = started ? f : 0.0;
		if (started)
		{
			sse += (y[t] - f) * (y[t] - f);
			cnt++;
		}
		if (y[t] > 0.0)
		{
			double		tt = t - last;

			if (!started)
			{
				z = y[t];
				p = tt;
				started = 1;
			}
			else
			{
				z += alpha * (y[t] - z);
				p += alpha * (tt - p);
			}
			last = t;
			f = fac * z / p;
		}
	}
	*zo = z;
	*po = p;
	*fco = started ? f : 0.0;
	return cnt ? sse / cnt : 0.0;
}

static double
run_tsb(const double *y, int n, double alpha, double beta, double d0, double z0,
		double *zo, double *po, double *fco, double *fitted)
{
	double		z = z0,
				d = d0,
				sse = 0.0;
	int			t;

	for (t = 0; t < n; t++)
	{
		double		f = d * z;

		if (fitted)
			fitted[t] = f;
		sse += (y[t] - f) * (y[t] - f);
		if (y[t] > 0.0)
		{
			d += beta * (1.0 - d);
			z += alpha * (y[t] - z);
		}
		else
			d -= beta * d;
	}
	*zo = z;
	*po = d;
	*fco = d * z;
	return n ? sse / n : 0.0;
}

/*
 * The TSB grid search: the (alpha, beta) of the grid 0.02, 0.06, .., 0.50
 * (13 x 13) with the least in-sample MSE, first in (alpha, beta) order on
 * ties.  It computes what 169 calls of run_tsb compute, bit for bit: in TSB
 * the probability d depends on beta only and the size z on alpha only, so
 * the 13 d paths and the 13 z paths are each computed once, and the squared
 * errors of the 13 betas of one alpha are summed side by side in one pass
 * (13 independent sums, each in the order run_tsb adds them, two at a time
 * with GCC's generic vectors: the same operations on each element).
 */
#define TSB_GRID	13
#define TSB_LANES	14			/* the betas padded to an even count (vectors of 2) */

#if defined(__GNUC__)
typedef double v2d __attribute__((vector_size(16), aligned(8), may_alias));
#endif

static int
tsb_grid(const double *y, int n, double d0, double z0, double *alpha, double *beta)
{
	double		av[TSB_GRID],
				bv[TSB_LANES],
				sse[TSB_LANES],
				best = HUGE_VAL,
				a,
				b;
	double	   *D,
			   *Z;
	int			na = 0,
				nb = 0,
				i,
				j,
				t;

	/* the grid values, accumulated as the loops of run_tsb's callers did */
	for (a = 0.02; a <= 0.5001 && na < TSB_GRID; a += 0.04)
		av[na++] = a;
	for (b = 0.02; b <= 0.5001 && nb < TSB_GRID; b += 0.04)
		bv[nb++] = b;
	for (j = nb; j < TSB_LANES; j++)
		bv[j] = bv[0];			/* padding lanes: computed, never compared */
	D = malloc(sizeof(double) * (size_t) n * (TSB_LANES + TSB_GRID));
	if (D == NULL)
		return CR_ENOMEM;
	Z = D + (size_t) n * TSB_LANES;

	/*
	 * D[t][j]: d before period t with beta bv[j]; Z[t][i]: z before period t
	 * with alpha av[i] (run_tsb's recurrences, all paths side by side).
	 */
	{
		double		dc[TSB_LANES],
					zc[TSB_GRID];

		for (j = 0; j < TSB_LANES; j++)
			dc[j] = d0;
		for (i = 0; i < TSB_GRID; i++)
			zc[i] = z0;
		for (t = 0; t < n; t++)
		{
			double	   *Dt = D + (size_t) t * TSB_LANES,
					   *Zt = Z + (size_t) t * TSB_GRID;

			memcpy(Dt, dc, sizeof(dc));
			memcpy(Zt, zc, sizeof(zc));
			if (y[t] > 0.0)
			{
				for (j = 0; j < TSB_LANES; j++)
					dc[j] += bv[j] * (1.0 - dc[j]);
				for (i = 0; i < na; i++)
					zc[i] += av[i] * (y[t] - zc[i]);
			}
			else
				for (j = 0; j < TSB_LANES; j++)
					dc[j] -= bv[j] * dc[j];
		}
	}
	for (i = 0; i < na; i++)
	{
		for (j = 0; j < TSB_LANES; j++)
			sse[j] = 0.0;
#if defined(__GNUC__)
		{
			v2d			acc[TSB_LANES / 2];

			for (j = 0; j < TSB_LANES / 2; j++)
				acc[j] = (v2d) {0.0, 0.0};
			for (t = 0; t < n; t++)
			{
				const double *Dt = D + (size_t) t * TSB_LANES;
				v2d			zt = {Z[(size_t) t * TSB_GRID + i], Z[(size_t) t * TSB_GRID + i]},
							yt = {y[t], y[t]};

				for (j = 0; j < TSB_LANES / 2; j++)
				{
					v2d			e = yt - *(const v2d *) (Dt + 2 * j) * zt;

					acc[j] += e * e;
				}
			}
			for (j = 0; j < TSB_LANES / 2; j++)
			{
				sse[2 * j] = acc[j][0];
				sse[2 * j + 1] = acc[j][1];
			}
		}
#else
		for (t = 0; t < n; t++)
		{
			const double *Dt = D + (size_t) t * TSB_LANES;
			double		zt = Z[(size_t) t * TSB_GRID + i],
						yt = y[t];

			for (j = 0; j < TSB_LANES; j++)
			{
				double		f = Dt[j] * zt;

				sse[j] += (yt - f) * (yt - f);
			}
		}
#endif
		for (j = 0; j < nb; j++)
		{
			double		e = n ? sse[j] / n : 0.0;

			if (e < best)
			{
				best = e;
				*alpha = av[i];
				*beta = bv[j];
			}
		}
	}
	free(D);
	return CR_OK;
}

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

int
croston_fit(const double *y, int n, int method, double alpha, double beta,
			CrostonModel *out, double *fitted)
{
	int			t,
				k = 0;
	double		msize = 0.0,
				z,
				p,
				fc,
				mse;
	double	   *sizes;

	if (out == NULL || (n > 0 && y == NULL) || n < 0)
		return CR_EINVAL;
	if (method != CR_CROSTON && method != CR_SBA && method != CR_TSB)
		return CR_EINVAL;
	if (!(alpha <= 1.0) || !(beta <= 1.0))	/* also rejects NaN */
		return CR_EINVAL;
	if (n < 1)
		return CR_ETOOSHORT;
	for (t = 0; t < n; t++)
	{
		if (!isfinite(y[t]))
			return CR_ENONFINITE;
		if (y[t] > 0.0)
		{
			k++;
			msize += y[t];
		}
	}
	memset(out, 0, sizeof(*out));
	out->method = method;
	out->n = n;
	out->n_demand = k;
	if (k > 0)
		msize /= k;

	if (method == CR_TSB)
	{
		double		d0 = (double) k / n;

		if (alpha > 0.0)
		{
			if (beta <= 0.0)
				beta = alpha;
		}
		else if (tsb_grid(y, n, d0, msize, &alpha, &beta) != CR_OK)
			return CR_ENOMEM;
		mse = run_tsb(y, n, alpha, beta, d0, msize, &z, &p, &fc, fitted);
	}
	else
	{
		beta = 0.0;
		if (alpha <= 0.0)
		{
			double		best = HUGE_VAL,
						a;

			alpha = 0.1;
			for (a = 0.02; a <= 0.5001; a += 0.02)
			{
				double		e = run_croston(y, n, a, method == CR_SBA, &z, &p, &fc, NULL);

				if (e < best)
				{
					best = e;
					alpha = a;
				}
			}
		}
		mse = run_croston(y, n, alpha, method == CR_SBA, &z, &p, &fc, fitted);
	}
	out->alpha = alpha;
	out->beta = beta;
	out->z = z;
	out->p = p;
	out->fc = fc > 0.0 ? fc : 0.0;
	out->mse = mse;

	/* size quantiles relative to the mean size */
	if (k == 0)
	{
		for (t = 0; t < CR_NQ; t++)
			out->sizeq[t] = 1.0;
		return CR_OK;
	}
	sizes = malloc(sizeof(double) * k);
	if (sizes == NULL)
		return CR_ENOMEM;
	k = 0;
	for (t = 0; t < n; t++)
		if (y[t] > 0.0)
			sizes[k++] = y[t] / msize;
	qsort(sizes, k, sizeof(double), cmp_double);
	for (t = 0; t < CR_NQ; t++)
	{
		double		pos = (double) t / (CR_NQ - 1) * (k - 1);
		int			i = (int) pos;
		double		fr = pos - i;

		out->sizeq[t] = (i + 1 < k) ? sizes[i] + fr * (sizes[i + 1] - sizes[i]) : sizes[k - 1];
	}
	free(sizes);
	return CR_OK;
}

/* quantile u in [0,1] of the per-period mixture */
static double
mix_quantile(const CrostonModel *mod, double u)
{
	double		q,
				r,
				pos,
				fr;
	int			i;

	if (mod->n_demand == 0 || mod->z <= 0.0)
		return 0.0;
	q = (mod->method == CR_TSB) ? mod->p : (mod->p > 0 ? 1.0 / mod->p : 0.0);
	if (q > 1.0)
		q = 1.0;
	if (q <= 0.0 || u <= 1.0 - q)
		return 0.0;
	r = (u - (1.0 - q)) / q;	/* quantile level within the sizes */
	pos = r * (CR_NQ - 1);
	i = (int) pos;
	if (i >= CR_NQ - 1)
		return mod->z * mod->sizeq[CR_NQ - 1];
	fr = pos - i;
	return mod->z * (mod->sizeq[i] + fr * (mod->sizeq[i + 1] - mod->sizeq[i]));
}

int
croston_forecast(const CrostonModel *mod, int h, double level,
				 double *mean, double *lo, double *hi)
{
	int			i;
	double		l = 0.0,
				u = 0.0;

	if (mod == NULL || mean == NULL || h < 1 || croston_model_validate(mod) != CR_OK)
		return CR_EINVAL;
	if ((lo || hi) && !(level > 0.0 && level < 1.0))
		return CR_EINVAL;
	if (lo || hi)
	{
		l = mix_quantile(mod, 0.5 - level / 2.0);
		u = mix_quantile(mod, 0.5 + level / 2.0);
		if (u < mod->fc)
			u = mod->fc;
		if (l > mod->fc)
			l = mod->fc;
	}
	for (i = 0; i < h; i++)
	{
		mean[i] = mod->fc;
		if (lo)
			lo[i] = l;
		if (hi)
			hi[i] = u;
	}
	return CR_OK;
}

int
croston_model_validate(const CrostonModel *mod)
{
	int			i;

	if (mod == NULL)
		return CR_EINVAL;
	if (mod->method != CR_CROSTON && mod->method != CR_SBA && mod->method != CR_TSB)
		return CR_EINVAL;
	if (mod->n < 1 || mod->n_demand < 0 || mod->n_demand > mod->n)
		return CR_EINVAL;
	if (!(mod->alpha >= 0.0 && mod->alpha <= 1.0) || !(mod->beta >= 0.0 && mod->beta <= 1.0))
		return CR_EINVAL;
	if (!isfinite(mod->z) || !isfinite(mod->p) || !(mod->fc >= 0.0) || !isfinite(mod->fc) ||
		!(mod->mse >= 0.0) || !isfinite(mod->mse) || mod->p < 0.0 || mod->z < 0.0)
		return CR_EINVAL;
	for (i = 0; i < CR_NQ; i++)
		if (!isfinite(mod->sizeq[i]) || mod->sizeq[i] < 0.0 ||
			(i > 0 && mod->sizeq[i] < mod->sizeq[i - 1]))
			return CR_EINVAL;
	return CR_OK;
}

const char *
croston_method_name(int method)
{
	switch (method)
	{
		case CR_CROSTON:
			return "Croston";
		case CR_SBA:
			return "SBA";
		case CR_TSB:
			return "TSB";
	}
	return "unknown";
}
