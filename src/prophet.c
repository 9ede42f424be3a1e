/*
 * prophet.c - Prophet-style daily forecasting model (pure C core, GSL).
 *
 * Copyright (C) doliflow contributors.  GPL-3.0-or-later.
 *
 * See prophet.h for the model, the fit and the interval method.
 *
 * Internals.  Parameters live in a scaled space like Prophet's: z_s = z / ys
 * (ys = max|z|), t_s = (d - first_day) / T (T = last_day - first_day), so the
 * prior scales mean what they mean in Prophet.  Column order of the design:
 *   0 intercept | 1 slope | C changepoint ramps | 2W weekly | 2Y yearly |
 *   R' estimated regressors
 * Fixed regressors are moved to the left-hand side (z_s - x * mu_s).
 *
 * The penalised normal equations (G + diag(lam)) beta = X'z + lam * mu are
 * solved with GSL's Cholesky.  G and X'z are accumulated once, split in
 * "prefix" (all but the last H rows) and "tail" (last H rows): the holdout
 * fit uses the prefix, its tail error is z_t'z_t - 2 b'X_t'z_t + b'G_t b,
 * and the final fit uses prefix + tail: no further pass over the data.
 *
 * GSL's error handler is switched off around GSL calls (and restored), so a
 * failed decomposition is a status code, never an abort.
 */
#include "prophet.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define BLOCK_ROWS	64
#define YEAR_DAYS	365.25
#define SIGMA2_FLOOR 1e-8		/* scaled units, keeps the system PD */
#define IRLS_EPS	1e-6		/* |delta| floor in the L1 reweighting */
#define N_TAU_GRID	4
static const double tau_grid_mult[N_TAU_GRID] = {0.02, 0.2, 1.0, 10.0};

typedef struct fit_ctx
{
	int			n;
	int			p;				/* estimated columns */
	int			C;				/* changepoints */
	int			W;				/* weekly order */
	int			Y;				/* yearly order */
	double		P;				/* period of the yearly term */
	int			R;				/* all regressors */
	int			Rest;			/* estimated regressors */
	int			col_cp, col_w, col_y, col_r;
	int32_t		first_day;
	double		T;
	double		ys;
	int			log1p_mode;
	double		cp_s[PROPHET_MAX_CHANGEPOINTS];
	int			reg_col[PROPHET_MAX_REGRESSORS];	/* -1 = fixed */
	double		reg_fixed_s[PROPHET_MAX_REGRESSORS];	/* mu_s of fixed */
	double		wcos[7][PROPHET_MAX_WEEKLY_ORDER];
	double		wsin[7][PROPHET_MAX_WEEKLY_ORDER];
	const double *y;
	const int32_t *days;
	const double *reg;
	int			ld_reg;
} fit_ctx;

typedef struct work_ptrs
{
	double	   *Gp, *Gt, *A;	/* p x p */
	double	   *bp, *bt;		/* X'z prefix / tail */
	double	   *beta, *lam, *mu, *prior_var, *rhs, *tmp, *best;
	double	   *rows;			/* BLOCK_ROWS x p */
	double	   *zrow;			/* BLOCK_ROWS */
	double	   *seg;			/* segments' sums (accumulate) */
} work_ptrs;

/* ------------------------------------------------------------------ */

const char *
prophet_strerror(int status)
{
	switch (status)
	{
		case PROPHET_OK:
			return "success";
		case PROPHET_EINVAL:
			return "invalid argument";
		case PROPHET_ETOOSHORT:
			return "series too short for the Prophet-style model";
		case PROPHET_ENONFINITE:
			return "series or regressor contains NaN or infinity";
		case PROPHET_ENOMEM:
			return "out of memory or workspace too small";
		case PROPHET_ENUMERIC:
			return "normal equations are not positive definite";
		case PROPHET_ECORRUPT:
			return "corrupt Prophet model";
	}
	return "unknown status";
}

int
prophet_default_options(prophet_options *opt)
{
	if (opt == NULL)
		return PROPHET_EINVAL;
	memset(opt, 0, sizeof(*opt));
	opt->n_changepoints = 25;
	opt->changepoint_range = 0.8;
	opt->changepoint_prior_scale = 0.05;
	opt->seasonality_prior_scale = 10.0;
	opt->regressor_prior_scale = 10.0;
	opt->weekly = -1;
	opt->weekly_order = 3;
	opt->yearly = -1;
	opt->yearly_order = 10;
	opt->season_period = 0;
	opt->mode = PROPHET_LOG1P;
	opt->nonneg = 1;
	opt->holdout = 0;
	opt->irls_iter = 5;
	return PROPHET_OK;
}

static int
check_options(const prophet_options *o)
{
	if (o->n_changepoints < 0 || o->n_changepoints > PROPHET_MAX_CHANGEPOINTS)
		return PROPHET_EINVAL;
	if (!(o->changepoint_range > 0.0 && o->changepoint_range <= 1.0))
		return PROPHET_EINVAL;
	if (!(o->changepoint_prior_scale > 0.0) || !isfinite(o->changepoint_prior_scale))
		return PROPHET_EINVAL;
	if (!(o->seasonality_prior_scale > 0.0) || !isfinite(o->seasonality_prior_scale))
		return PROPHET_EINVAL;
	if (!(o->regressor_prior_scale > 0.0) || !isfinite(o->regressor_prior_scale))
		return PROPHET_EINVAL;
	if (o->weekly < -1 || o->weekly > 1 || o->yearly < -1 || o->yearly > 1)
		return PROPHET_EINVAL;
	if (o->weekly_order < 1 || o->weekly_order > PROPHET_MAX_WEEKLY_ORDER)
		return PROPHET_EINVAL;
	if (o->yearly_order < 1 || o->yearly_order > PROPHET_MAX_YEARLY_ORDER)
		return PROPHET_EINVAL;
	if (o->season_period < 0 || o->season_period == 1 || o->season_period > 366)
		return PROPHET_EINVAL;
	if (o->mode != PROPHET_ADDITIVE && o->mode != PROPHET_LOG1P)
		return PROPHET_EINVAL;
	if (o->holdout < 0 || o->holdout > 100000 || o->irls_iter < 0 || o->irls_iter > 100)
		return PROPHET_EINVAL;
	return PROPHET_OK;
}

static int
max_params(const prophet_options *o, int n_reg)
{
	return 2 + o->n_changepoints + 2 * o->weekly_order + 2 * o->yearly_order + n_reg;
}

static size_t
workspace_doubles(int p)
{
	/* + the segments' sums of accumulate: at most p - 1 segments of 5 + 2p */
	return (size_t) 3 * p * p + (size_t) 11 * p + (size_t) BLOCK_ROWS * p + BLOCK_ROWS +
		(size_t) p * (5 + 2 * (size_t) p);
}

size_t
prophet_workspace_size(const prophet_options *opt, int n_reg)
{
	prophet_options def;

	if (opt == NULL)
	{
		prophet_default_options(&def);
		opt = &def;
	}
	if (check_options(opt) != PROPHET_OK || n_reg < 0 || n_reg > PROPHET_MAX_REGRESSORS)
		return 0;
	return workspace_doubles(max_params(opt, n_reg)) * sizeof(double);
}

/* ------------------------------------------------------------------ */
/* Fourier helpers shared by fit and predict                           */

static inline int
weekday_index(int32_t d)
{
	int			w = (int) (d % 7);

	return w < 0 ? w + 7 : w;
}

/* out[2i] = cos((i+1) theta), out[2i+1] = sin((i+1) theta), theta yearly */
static inline void
yearly_terms(double d, int Y, double P, double *out)
{
	double		th = 2.0 * M_PI * fmod(d, P) / P;
	double		c1 = cos(th),
				s1 = sin(th);
	double		c = c1,
				s = s1;

	for (int i = 0; i < Y; i++)
	{
		double		cn,
					sn;

		out[2 * i] = c;
		out[2 * i + 1] = s;
		cn = c * c1 - s * s1;
		sn = s * c1 + c * s1;
		c = cn;
		s = sn;
	}
}

static void
weekly_table(int W, double wcos[7][PROPHET_MAX_WEEKLY_ORDER],
			 double wsin[7][PROPHET_MAX_WEEKLY_ORDER])
{
	for (int w = 0; w < 7; w++)
		for (int i = 0; i < W; i++)
		{
			double		a = 2.0 * M_PI * (double) ((i + 1) * w) / 7.0;

			wcos[w][i] = cos(a);
			wsin[w][i] = sin(a);
		}
}

/* ------------------------------------------------------------------ */

static inline int32_t
day_of(const fit_ctx *c, int i)
{
	return c->days ? c->days[i] : c->first_day + i;
}

static inline double
z_of(const fit_ctx *c, int i)
{
	double		v = c->y[i];

	return c->log1p_mode ? log1p(v) : v;
}

/* Build design row i into row[0..p), return the adjusted scaled target. */
static double
build_row(const fit_ctx *c, int i, double *row)
{
	int32_t		d = day_of(c, i);
	double		ts = (double) (d - c->first_day) / c->T;
	double		zt = z_of(c, i) / c->ys;
	int			w;

	row[0] = 1.0;
	row[1] = ts;
	for (int j = 0; j < c->C; j++)
	{
		double		v = ts - c->cp_s[j];

		row[c->col_cp + j] = v > 0.0 ? v : 0.0;
	}
	if (c->W > 0)
	{
		w = weekday_index(d);
		for (int k = 0; k < c->W; k++)
		{
			row[c->col_w + 2 * k] = c->wcos[w][k];
			row[c->col_w + 2 * k + 1] = c->wsin[w][k];
		}
	}
	if (c->Y > 0)
		yearly_terms((double) d, c->Y, c->P, row + c->col_y);
	for (int r = 0; r < c->R; r++)
	{
		double		x = c->reg[(size_t) r * c->ld_reg + i];

		if (c->reg_col[r] >= 0)
			row[c->reg_col[r]] = x;
		else
			zt -= x * c->reg_fixed_s[r];
	}
	return zt;
}

/*
 * g[j] += a0 x0[j] + a1 x1[j] + a2 x2[j] + a3 x3[j] for j in [from, to),
 * two columns at a time with GCC's generic vectors where available: the
 * same operations in the same order on each element, so the same result
 * bit for bit as the scalar loop (which is the fallback).
 */
#if defined(__GNUC__)
typedef double v2d __attribute__((vector_size(16), aligned(8), may_alias));
#endif

static inline void
rank4_update(double *g, const double *x0, const double *x1, const double *x2,
			 const double *x3, double a0, double a1, double a2, double a3,
			 int from, int to)
{
	int			j = from;

#if defined(__GNUC__)
	{
		v2d			v0 = {a0, a0},
					v1 = {a1, a1},
					v2 = {a2, a2},
					v3 = {a3, a3};

		for (; j + 2 <= to; j += 2)
		{
			v2d			gj = *(const v2d *) (g + j);

			gj += v0 * *(const v2d *) (x0 + j) + v1 * *(const v2d *) (x1 + j) +
				v2 * *(const v2d *) (x2 + j) + v3 * *(const v2d *) (x3 + j);
			*(v2d *) (g + j) = gj;
		}
	}
#endif
	for (; j < to; j++)
		g[j] += a0 * x0[j] + a1 * x1[j] + a2 * x2[j] + a3 * x3[j];
}

/*
 * Accumulate the upper triangle of X'X, X'z and z'z over rows [from, to).
 *
 * The trend columns T = [1, t, ramp_0 .. ramp_{C-1}] are piecewise linear
 * in t: between two changepoints (segment s: the rows with s changepoints
 * below t, base b_s = cp_{s-1}, b_0 = 0) every one is a + e u with
 * u = t - b_s >= 0 (intercept a = 1, e = 0; slope a = b_s, e = 1; ramp j < s
 * a = b_s - cp_j >= 0, e = 1; ramp j >= s zero).  So the rows only add the
 * segment's moments of u (1, u, u^2, z, u z) and, for each dense column x
 * (weekly, yearly, regressors: D), the sums of x and u x; T'T, T'D and T'z
 * are assembled from them per segment at the end (terms of one sign, no
 * cancellation beyond that of the direct sums).  D'D and D'z are summed
 * directly, four rows at a time.  Same matrices as summing the products of
 * the design rows, up to floating-point rounding; about half the work.
 */
static void
accumulate(const fit_ctx *c, const work_ptrs *w, int from, int to,
		   double *G, double *b, double *zz)
{
	int			p = c->p,
				cw = c->col_w,
				nd = p - cw,
				nseg = c->C + 1,
				s = 0;
	double		zsum = 0.0;
	double	   *mom = w->seg,	/* nseg x 5: n, sum u, sum u^2, sum z, sum u z */
			   *F = mom + (size_t) 5 * nseg,	/* nseg x nd: sum x */
			   *U = F + (size_t) nseg * nd; /* nseg x nd: sum u x */

	memset(mom, 0, sizeof(double) * (size_t) nseg * (5 + 2 * (size_t) nd));
	for (int i0 = from; i0 < to; i0 += BLOCK_ROWS)
	{
		int			nb = (to - i0 < BLOCK_ROWS) ? to - i0 : BLOCK_ROWS;
		int			r;

		for (r = 0; r < nb; r++)
		{
			double	   *x = w->rows + (size_t) r * p;
			double		zr = build_row(c, i0 + r, x),
						ts = x[1],
						u;
			double	   *ms,
					   *Fs,
					   *Us;

			w->zrow[r] = zr;
			/* rows come in increasing t: the segment only moves forward */
			while (s < c->C && c->cp_s[s] < ts)
				s++;
			u = ts - (s > 0 ? c->cp_s[s - 1] : 0.0);
			ms = mom + (size_t) 5 * s;
			ms[0] += 1.0;
			ms[1] += u;
			ms[2] += u * u;
			ms[3] += zr;
			ms[4] += u * zr;
			Fs = F + (size_t) s * nd;
			Us = U + (size_t) s * nd;
			x += cw;
			for (int k = 0; k < nd; k++)
			{
				Fs[k] += x[k];
				Us[k] += u * x[k];
			}
		}
		r = 0;

		/* D'D, D'z: four rows at a time, one load/store of G per four */
		for (; r + 4 <= nb; r += 4)
		{
			const double *x0 = w->rows + (size_t) r * p;
			const double *x1 = x0 + p;
			const double *x2 = x1 + p;
			const double *x3 = x2 + p;
			const double *zr = w->zrow + r;

			zsum += zr[0] * zr[0] + zr[1] * zr[1] + zr[2] * zr[2] + zr[3] * zr[3];
			for (int a = cw; a < p; a++)
			{
				double		a0 = x0[a],
							a1 = x1[a],
							a2 = x2[a],
							a3 = x3[a];

				if (a0 == 0.0 && a1 == 0.0 && a2 == 0.0 && a3 == 0.0)
					continue;
				b[a] += a0 * zr[0] + a1 * zr[1] + a2 * zr[2] + a3 * zr[3];
				rank4_update(G + (size_t) a * p, x0, x1, x2, x3, a0, a1, a2, a3, a, p);
			}
		}
		for (; r < nb; r++)
		{
			const double *x = w->rows + (size_t) r * p;
			double		zr = w->zrow[r];

			zsum += zr * zr;
			for (int a = cw; a < p; a++)
			{
				double		xa = x[a];
				double	   *Ga = G + (size_t) a * p;

				if (xa == 0.0)
					continue;
				b[a] += xa * zr;
				for (int bb = a; bb < p; bb++)
					Ga[bb] += xa * x[bb];
			}
		}
	}
	*zz += zsum;

	/* T'T, T'D, T'z from the segments' sums */
	for (s = 0; s < nseg; s++)
	{
		const double *ms = mom + (size_t) 5 * s,
				   *Fs = F + (size_t) s * nd,
				   *Us = U + (size_t) s * nd;
		double		bs = s > 0 ? c->cp_s[s - 1] : 0.0;
		int			nt = 2 + s; /* intercept, slope, ramps 0 .. s-1 */

		if (ms[0] == 0.0)
			continue;
		for (int t = 0; t < nt; t++)
		{
			/* column t = at + et u on this segment (T's column index t) */
			double		at = t == 0 ? 1.0 : t == 1 ? bs : bs - c->cp_s[t - 2],
						et = t == 0 ? 0.0 : 1.0;
			double	   *Gt = G + (size_t) t * p;

			for (int q = t; q < nt; q++)
			{
				double		aq = q == 0 ? 1.0 : q == 1 ? bs : bs - c->cp_s[q - 2],
							eq = q == 0 ? 0.0 : 1.0;

				Gt[q] += at * aq * ms[0] + (at * eq + et * aq) * ms[1] + et * eq * ms[2];
			}
			b[t] += at * ms[3] + et * ms[4];
			if (et == 0.0)
				for (int k = 0; k < nd; k++)
					Gt[cw + k] += Fs[k];
			else
				for (int k = 0; k < nd; k++)
					Gt[cw + k] += at * Fs[k] + Us[k];
		}
	}
}

/* q = b' G b with G given by its upper triangle (+ optional second matrix) */
static double
quad_form(int p, const double *G1, const double *G2, const double *beta)
{
	double		s = 0.0;

	for (int a = 0; a < p; a++)
	{
		double		row = 0.0;

		for (int bb = a + 1; bb < p; bb++)
			row += (G1[(size_t) a * p + bb] + (G2 ? G2[(size_t) a * p + bb] : 0.0)) * beta[bb];
		s += beta[a] * (2.0 * row +
						(G1[(size_t) a * p + a] + (G2 ? G2[(size_t) a * p + a] : 0.0)) * beta[a]);
	}
	return s;
}

/*
 * Cholesky factor of the symmetric p x p matrix A (row-major, both
 * triangles set): A = L L' with L written over the lower triangle (the
 * upper one is left as it was).  Returns false when A is not positive
 * definite.  For the small systems of the fit (p <= ~130) a plain
 * row-oriented factorisation is several times faster than GSL's recursive
 * one through the reference BLAS; same factor up to rounding.
 */
static bool
chol_decomp(double *A, int p)
{
	for (int i = 0; i < p; i++)
	{
		double	   *Li = A + (size_t) i * p;

		for (int j = 0; j <= i; j++)
		{
			const double *Lj = A + (size_t) j * p;
			double		s0 = 0.0,
						s1 = 0.0,
						v;
			int			k = 0;

			for (; k + 2 <= j; k += 2)
			{
				s0 += Li[k] * Lj[k];
				s1 += Li[k + 1] * Lj[k + 1];
			}
			if (k < j)
				s0 += Li[k] * Lj[k];
			v = Li[j] - (s0 + s1);
			if (i == j)
			{
				if (!(v > 0.0) || !isfinite(v))
					return false;
				Li[i] = sqrt(v);
			}
			else
				Li[j] = v / Lj[j];
		}
	}
	return true;
}

/* solve L L' x = r with the factor of chol_decomp */
static void
chol_solve(const double *L, int p, const double *r, double *x)
{
	for (int i = 0; i < p; i++)
	{
		const double *Li = L + (size_t) i * p;
		double		s = r[i];

		for (int k = 0; k < i; k++)
			s -= Li[k] * x[k];
		x[i] = s / Li[i];
	}
	for (int i = p - 1; i >= 0; i--)
	{
		double		s = x[i];

		for (int k = i + 1; k < p; k++)
			s -= L[(size_t) k * p + i] * x[k];
		x[i] = s / L[(size_t) i * p + i];
	}
}

/* (A^-1)_aa = |L^-1 e_a|^2 from the factor of chol_decomp; tmp: p doubles */
static double
chol_inv_diag(const double *L, int p, int a, double *tmp)
{
	double		d = 1.0 / L[(size_t) a * p + a],
				q = d * d;

	tmp[a] = d;
	for (int i = a + 1; i < p; i++)
	{
		const double *Li = L + (size_t) i * p;
		double		s = 0.0;

		for (int k = a; k < i; k++)
			s += Li[k] * tmp[k];
		tmp[i] = -s / Li[i];
		q += tmp[i] * tmp[i];
	}
	return q;
}

/*
 * MAP solve: (G + diag(lam)) beta = b + lam * mu, with lam = sigma^2 / prior_var
 * and the Laplace prior on changepoints approximated by reweighting.
 * G = G1 (+ G2), b = b1 (+ b2).  Returns status; beta and *sigma2 out.
 */
static int
solve_map(const fit_ctx *c, const work_ptrs *w,
		  const double *G1, const double *G2, const double *b1, const double *b2,
		  double zz, int nrows, double tau, int iters, double *sigma2_io,
		  double *rss_out)
{
	int			p = c->p;
	double		s2 = *sigma2_io;

	/* initial changepoint prior: Gaussian with the Laplace variance 2 tau^2 */
	for (int j = 0; j < c->C; j++)
		w->prior_var[c->col_cp + j] = 2.0 * tau * tau;

	for (int it = 0; it <= iters; it++)
	{
		double		bx = 0.0,
					rss;

		for (int a = 0; a < p; a++)
		{
			for (int bb = a; bb < p; bb++)
			{
				double		g = G1[(size_t) a * p + bb] + (G2 ? G2[(size_t) a * p + bb] : 0.0);

				w->A[(size_t) a * p + bb] = g;
				w->A[(size_t) bb * p + a] = g;
			}
			w->lam[a] = s2 / w->prior_var[a];
			w->A[(size_t) a * p + a] += w->lam[a];
			w->rhs[a] = b1[a] + (b2 ? b2[a] : 0.0) + w->lam[a] * w->mu[a];
		}
		if (!chol_decomp(w->A, p))
			return PROPHET_ENUMERIC;
		chol_solve(w->A, p, w->rhs, w->beta);
		for (int a = 0; a < p; a++)
			bx += w->beta[a] * (b1[a] + (b2 ? b2[a] : 0.0));
		rss = zz - 2.0 * bx + quad_form(p, G1, G2, w->beta);
		if (!(rss > 0.0))
			rss = 0.0;
		*rss_out = rss;
		s2 = rss / (double) nrows;
		if (!(s2 > SIGMA2_FLOOR))
			s2 = SIGMA2_FLOOR;
		/* reweight: tau|d| ~ d^2 / (2 tau |d_prev|) -> variance 2 tau |d| */
		for (int j = 0; j < c->C; j++)
		{
			double		ad = fabs(w->beta[c->col_cp + j]);

			if (ad < IRLS_EPS)
				ad = IRLS_EPS;
			w->prior_var[c->col_cp + j] = 2.0 * tau * ad;
		}
	}
	for (int a = 0; a < p; a++)
		if (!isfinite(w->beta[a]))
			return PROPHET_ENUMERIC;
	*sigma2_io = s2;
	return PROPHET_OK;
}

/* ------------------------------------------------------------------ */

int
prophet_fit(const prophet_options *opt_in,
			const double *y, int n, int32_t first_day,
			const int32_t *days,
			const double *reg, int n_reg, int ld_reg,
			const prophet_regressor *regspec,
			void *work, size_t work_size,
			prophet_model *out)
{
	prophet_options opt;
	fit_ctx		c;
	work_ptrs	w;
	double	   *buf;
	void	   *owned = NULL;
	size_t		need;
	int			pmax,
				p,
				H,
				rc = PROPHET_OK;
	int32_t		last_day;
	double		ymax = 0.0,
				zzp = 0.0,
				zzt = 0.0,
				s2,
				rss = 0.0,
				tau;
	gsl_error_handler_t *old_handler;

	if (opt_in)
		opt = *opt_in;
	else
		prophet_default_options(&opt);
	if (out == NULL || check_options(&opt) != PROPHET_OK)
		return PROPHET_EINVAL;
	if (n < 0 || n > PROPHET_MAX_OBS || (n > 0 && y == NULL))
		return PROPHET_EINVAL;
	if (n_reg < 0 || n_reg > PROPHET_MAX_REGRESSORS)
		return PROPHET_EINVAL;
	if (n_reg > 0 && (reg == NULL || ld_reg < n))
		return PROPHET_EINVAL;
	if (n < PROPHET_MIN_OBS)
		return PROPHET_ETOOSHORT;

	/* validate data; day numbers must be increasing and not overflow */
	if (days)
	{
		for (int i = 1; i < n; i++)
			if (days[i] <= days[i - 1])
				return PROPHET_EINVAL;
		first_day = days[0];
		last_day = days[n - 1];
	}
	else
	{
		if ((int64_t) first_day + (int64_t) n - 1 > INT32_MAX - 1000000)
			return PROPHET_EINVAL;
		last_day = first_day + (n - 1);
	}
	if ((int64_t) last_day > INT32_MAX - 1000000 || (int64_t) first_day < INT32_MIN + 1000000)
		return PROPHET_EINVAL;
	for (int i = 0; i < n; i++)
	{
		double		v = y[i];

		if (!isfinite(v))
			return PROPHET_ENONFINITE;
		if (opt.mode == PROPHET_LOG1P)
		{
			if (v < 0.0)
				return PROPHET_EINVAL;
			v = log1p(v);
		}
		if (fabs(v) > ymax)
			ymax = fabs(v);
	}
	for (int r = 0; r < n_reg; r++)
	{
		for (int i = 0; i < n; i++)
			if (!isfinite(reg[(size_t) r * ld_reg + i]))
				return PROPHET_ENONFINITE;
		if (regspec && (!isfinite(regspec[r].prior_mean) ||
						isnan(regspec[r].prior_scale) || isinf(regspec[r].prior_scale)))
			return PROPHET_EINVAL;
	}

	/* the structure of the model */
	memset(&c, 0, sizeof(c));
	c.n = n;
	c.first_day = first_day;
	c.T = (double) ((int64_t) last_day - first_day);
	c.ys = ymax > 0.0 ? ymax : 1.0;
	c.log1p_mode = (opt.mode == PROPHET_LOG1P);
	c.y = y;
	c.days = days;
	c.reg = reg;
	c.ld_reg = ld_reg;
	c.R = n_reg;
	c.W = (opt.weekly != 0) ? opt.weekly_order : 0;
	c.P = opt.season_period > 0 ? (double) opt.season_period : YEAR_DAYS;
	c.Y = (opt.yearly == 1 || (opt.yearly == -1 && c.T + 1 >= 2.0 * c.P)) ? opt.yearly_order : 0;
	{
		/* Prophet: candidates at rounded linspace(0, hist-1, C+1)[1:] */
		int			hist = (int) floor((double) n * opt.changepoint_range);
		int			C = opt.n_changepoints;

		if (C > hist - 1)
			C = hist - 1;
		if (C < 0)
			C = 0;
		c.C = C;
		for (int j = 0; j < C; j++)
		{
			int			idx = (int) floor((double) (hist - 1) * (j + 1) / C + 0.5);

			c.cp_s[j] = (double) (day_of(&c, idx) - first_day) / c.T;
		}
	}
	c.col_cp = 2;
	c.col_w = c.col_cp + c.C;
	c.col_y = c.col_w + 2 * c.W;
	c.col_r = c.col_y + 2 * c.Y;
	p = c.col_r;
	for (int r = 0; r < n_reg; r++)
	{
		if (regspec && regspec[r].fixed)
		{
			c.reg_col[r] = -1;
			c.reg_fixed_s[r] = regspec[r].prior_mean / c.ys;
		}
		else
			c.reg_col[r] = p++;
	}
	c.p = p;
	c.Rest = p - c.col_r;
	if (c.W > 0)
		weekly_table(c.W, c.wcos, c.wsin);

	/* workspace */
	pmax = max_params(&opt, n_reg);
	need = workspace_doubles(pmax) * sizeof(double);
	if (work == NULL)
	{
		owned = malloc(need);
		if (owned == NULL)
			return PROPHET_ENOMEM;
		buf = owned;
	}
	else
	{
		if (work_size < need || ((uintptr_t) work % sizeof(double)) != 0)
			return PROPHET_ENOMEM;
		buf = work;
	}
	w.Gp = buf;
	w.Gt = w.Gp + (size_t) p * p;
	w.A = w.Gt + (size_t) p * p;
	w.bp = w.A + (size_t) p * p;
	w.bt = w.bp + p;
	w.beta = w.bt + p;
	w.lam = w.beta + p;
	w.mu = w.lam + p;
	w.prior_var = w.mu + p;
	w.rhs = w.prior_var + p;
	w.tmp = w.rhs + p;
	w.best = w.tmp + p;
	w.rows = w.best + p;
	w.zrow = w.rows + (size_t) BLOCK_ROWS * p;
	w.seg = w.zrow + BLOCK_ROWS;
	memset(w.Gp, 0, sizeof(double) * 2 * (size_t) p * p);
	memset(w.bp, 0, sizeof(double) * 2 * (size_t) p);

	/* priors (scaled units) */
	{
		double		ss2 = opt.seasonality_prior_scale * opt.seasonality_prior_scale;

		for (int a = 0; a < p; a++)
		{
			w.mu[a] = 0.0;
			w.prior_var[a] = ss2;
		}
		w.prior_var[0] = 25.0;
		w.prior_var[1] = 25.0;
		for (int r = 0; r < n_reg; r++)
		{
			int			col = c.reg_col[r];
			double		sd = opt.regressor_prior_scale;

			if (col < 0)
				continue;
			if (regspec)
			{
				w.mu[col] = regspec[r].prior_mean / c.ys;
				if (regspec[r].prior_scale > 0.0)
					sd = regspec[r].prior_scale / c.ys;
			}
			if (!(sd * sd > 1e-300))
				sd = 1e-150;
			w.prior_var[col] = sd * sd;
		}
	}

	/* holdout length: only when the prefix keeps most of the history */
	H = opt.holdout;
	if (H > 0 && (n - H < 4 * H || n - H < 2 * PROPHET_MIN_OBS))
		H = 0;

	/* one pass over the data */
	accumulate(&c, &w, 0, n - H, w.Gp, w.bp, &zzp);
	if (H > 0)
		accumulate(&c, &w, n - H, n, w.Gt, w.bt, &zzt);

	old_handler = gsl_set_error_handler_off();

	tau = opt.changepoint_prior_scale;
	if (H > 0 && c.C > 0)
	{
		double		best_sse = INFINITY,
					best_tau = tau;

		for (int g = 0; g < N_TAU_GRID; g++)
		{
			double		t = opt.changepoint_prior_scale * tau_grid_mult[g];
			double		sse,
						bx = 0.0;

			s2 = 0.01;
			rc = solve_map(&c, &w, w.Gp, NULL, w.bp, NULL, zzp, n - H, t,
						   opt.irls_iter, &s2, &rss);
			if (rc != PROPHET_OK)
				continue;
			for (int a = 0; a < p; a++)
				bx += w.beta[a] * w.bt[a];
			sse = zzt - 2.0 * bx + quad_form(p, w.Gt, NULL, w.beta);
			if (sse < best_sse)
			{
				best_sse = sse;
				best_tau = t;
			}
		}
		tau = best_tau;
	}

	s2 = 0.01;
	rc = solve_map(&c, &w, w.Gp, H > 0 ? w.Gt : NULL, w.bp, H > 0 ? w.bt : NULL,
				   zzp + zzt, n, tau, c.C > 0 ? opt.irls_iter : 0, &s2, &rss);
	if (rc != PROPHET_OK)
		goto done;

	/* residual variance with effective degrees of freedom: the last
	 * Cholesky factor in w.A is of G + diag(lam); edf = p - sum lam_j Ainv_jj */
	{
		double		edf = (double) p,
					sig2;

		/* w.lam were computed from the sigma before the last update; they
		 * match the factor in w.A, which is what edf needs */
		for (int a = 0; a < p; a++)
			edf -= w.lam[a] * chol_inv_diag(w.A, p, a, w.tmp);
		if (edf > n - 1)
			edf = n - 1;
		sig2 = rss / ((double) n - edf);
		if (!(sig2 >= 0.0) || !isfinite(sig2))
			sig2 = 0.0;

		/* the model, in z units and absolute days */
		memset(out, 0, sizeof(*out));
		out->magic = PROPHET_MAGIC;
		out->version = PROPHET_VERSION;
		out->mode = opt.mode;
		out->nonneg = opt.nonneg ? 1 : 0;
		out->n_obs = n;
		out->first_day = first_day;
		out->last_day = last_day;
		out->n_changepoints = c.C;
		out->weekly_order = c.W;
		out->yearly_order = c.Y;
		out->season_period = opt.season_period;
		out->n_regressors = n_reg;
		out->m = w.beta[0] * c.ys;
		out->k = w.beta[1] * c.ys / c.T;
		{
			double		sumabs = 0.0;

			for (int j = 0; j < c.C; j++)
			{
				out->cp_day[j] = (double) first_day + c.cp_s[j] * c.T;
				out->delta[j] = w.beta[c.col_cp + j] * c.ys / c.T;
				sumabs += fabs(out->delta[j]);
			}
			out->cp_scale = c.C > 0 ? sumabs / c.C : 0.0;
			out->cp_rate = c.C > 0 ? (double) c.C / (c.T + 1.0) : 0.0;
		}
		for (int k = 0; k < 2 * c.W; k++)
			out->weekly[k] = w.beta[c.col_w + k] * c.ys;
		for (int k = 0; k < 2 * c.Y; k++)
			out->yearly[k] = w.beta[c.col_y + k] * c.ys;
		for (int r = 0; r < n_reg; r++)
			out->beta_reg[r] = c.reg_col[r] >= 0 ? w.beta[c.reg_col[r]] * c.ys
				: regspec[r].prior_mean;
		out->sigma = sqrt(sig2) * c.ys;
		out->changepoint_prior_scale = tau;
		out->y_scale = c.ys;
		if (prophet_model_validate(out) != PROPHET_OK)
			rc = PROPHET_ENUMERIC;
	}

done:
	gsl_set_error_handler(old_handler);
	free(owned);
	return rc;
}

/* ------------------------------------------------------------------ */

static double
model_mean_z(const prophet_model *m, int32_t d, const double *wc, const double *ws,
			 double *ytmp)
{
	double		v = m->m + m->k * (double) ((int64_t) d - m->first_day);

	for (int j = 0; j < m->n_changepoints; j++)
	{
		double		u = (double) d - m->cp_day[j];

		if (u > 0.0)
			v += m->delta[j] * u;
	}
	if (m->weekly_order > 0)
	{
		int			w = weekday_index(d);

		for (int k = 0; k < m->weekly_order; k++)
			v += m->weekly[2 * k] * wc[w * PROPHET_MAX_WEEKLY_ORDER + k] +
				m->weekly[2 * k + 1] * ws[w * PROPHET_MAX_WEEKLY_ORDER + k];
	}
	if (m->yearly_order > 0)
	{
		yearly_terms((double) d, m->yearly_order,
					 m->season_period > 0 ? (double) m->season_period : YEAR_DAYS, ytmp);
		for (int k = 0; k < 2 * m->yearly_order; k++)
			v += m->yearly[k] * ytmp[k];
	}
	return v;
}

static inline double
back(const prophet_model *m, double z)
{
	double		v = (m->mode == PROPHET_LOG1P) ? expm1(z) : z;

	if (m->nonneg && !(v >= 0.0))
		v = 0.0;
	return v;
}

int
prophet_predict(const prophet_model *model,
				int32_t first_day, int h,
				const double *reg, int ld_reg,
				int n_levels, const double *levels,
				double *mean, double *lower, double *upper)
{
	double		wcos[7][PROPHET_MAX_WEEKLY_ORDER],
				wsin[7][PROPHET_MAX_WEEKLY_ORDER];
	double		ytmp[2 * PROPHET_MAX_YEARLY_ORDER];
	double		zq[16];
	double		s2,
				tvar_coef;

	if (model == NULL || prophet_model_validate(model) != PROPHET_OK)
		return PROPHET_EINVAL;
	if (h < 0 || h > PROPHET_MAX_OBS || (h > 0 && mean == NULL))
		return PROPHET_EINVAL;
	if ((int64_t) first_day + h > INT32_MAX - 1000000 ||
		(int64_t) first_day < INT32_MIN + 1000000)
		return PROPHET_EINVAL;
	if (model->n_regressors > 0 && h > 0 && (reg == NULL || ld_reg < h))
		return PROPHET_EINVAL;
	if (n_levels < 0 || n_levels > 16 || (n_levels > 0 && (levels == NULL || lower == NULL || upper == NULL)))
		return PROPHET_EINVAL;
	for (int l = 0; l < n_levels; l++)
	{
		if (!(levels[l] > 0.0 && levels[l] < 1.0))
			return PROPHET_EINVAL;
		zq[l] = gsl_cdf_ugaussian_Pinv(0.5 + levels[l] / 2.0);
	}
	for (int r = 0; r < model->n_regressors; r++)
		for (int i = 0; i < h; i++)
			if (!isfinite(reg[(size_t) r * ld_reg + i]))
				return PROPHET_ENONFINITE;

	weekly_table(model->weekly_order, wcos, wsin);
	s2 = model->sigma * model->sigma;
	tvar_coef = model->cp_rate * 2.0 * model->cp_scale * model->cp_scale;

	for (int i = 0; i < h; i++)
	{
		int32_t		d = first_day + i;
		double		z = model_mean_z(model, d, &wcos[0][0], &wsin[0][0], ytmp);
		double		var = s2;

		for (int r = 0; r < model->n_regressors; r++)
			z += model->beta_reg[r] * reg[(size_t) r * ld_reg + i];
		if (d > model->last_day)
		{
			/* sum_{s=1..H} (H - s)^2 = (H-1) H (2H-1) / 6 */
			double		Hd = (double) ((int64_t) d - model->last_day);

			var += tvar_coef * (Hd - 1.0) * Hd * (2.0 * Hd - 1.0) / 6.0;
		}
		mean[i] = back(model, z);
		for (int l = 0; l < n_levels; l++)
		{
			double		half = zq[l] * sqrt(var);

			lower[(size_t) l * h + i] = back(model, z - half);
			upper[(size_t) l * h + i] = back(model, z + half);
		}
	}
	return PROPHET_OK;
}

/* ------------------------------------------------------------------ */

int
prophet_window_expand(const double *x, int len, int lower, int upper, double *out)
{
	if (len < 0 || (len > 0 && (x == NULL || out == NULL)) || x == out)
		return PROPHET_EINVAL;
	if (lower > 0 || upper < 0 || lower < -366 || upper > 366)
		return PROPHET_EINVAL;
	for (int i = 0; i < len; i++)
	{
		double		best = 0.0;

		if (!isfinite(x[i]))
			return PROPHET_ENONFINITE;
		/* events e with e + lower <= i <= e + upper */
		for (int e = i - upper; e <= i - lower; e++)
		{
			if (e < 0 || e >= len)
				continue;
			if (fabs(x[e]) > fabs(best))
				best = x[e];
		}
		out[i] = best;
	}
	return PROPHET_OK;
}

int
prophet_model_validate(const prophet_model *m)
{
	if (m == NULL)
		return PROPHET_ECORRUPT;
	if (m->magic != PROPHET_MAGIC || m->version != PROPHET_VERSION)
		return PROPHET_ECORRUPT;
	if (m->mode != PROPHET_ADDITIVE && m->mode != PROPHET_LOG1P)
		return PROPHET_ECORRUPT;
	if ((m->nonneg != 0 && m->nonneg != 1) || m->n_obs < PROPHET_MIN_OBS ||
		m->n_obs > PROPHET_MAX_OBS || m->last_day <= m->first_day ||
		(int64_t) m->last_day - m->first_day < (int64_t) m->n_obs - 1 ||
		m->n_changepoints < 0 || m->n_changepoints > PROPHET_MAX_CHANGEPOINTS ||
		m->weekly_order < 0 || m->weekly_order > PROPHET_MAX_WEEKLY_ORDER ||
		m->yearly_order < 0 || m->yearly_order > PROPHET_MAX_YEARLY_ORDER ||
		m->n_regressors < 0 || m->n_regressors > PROPHET_MAX_REGRESSORS ||
		m->season_period < 0 || m->season_period == 1 || m->season_period > 366)
		return PROPHET_ECORRUPT;
	if (m->first_day < INT32_MIN + 1000000 || m->last_day > INT32_MAX - 1000000)
		return PROPHET_ECORRUPT;
	if (!isfinite(m->k) || !isfinite(m->m) || !isfinite(m->sigma) || m->sigma < 0.0 ||
		!isfinite(m->cp_rate) || m->cp_rate < 0.0 || !isfinite(m->cp_scale) ||
		m->cp_scale < 0.0 || !isfinite(m->changepoint_prior_scale) ||
		!isfinite(m->y_scale))
		return PROPHET_ECORRUPT;
	for (int j = 0; j < PROPHET_MAX_CHANGEPOINTS; j++)
		if (!isfinite(m->cp_day[j]) || !isfinite(m->delta[j]))
			return PROPHET_ECORRUPT;
	for (int k = 0; k < 2 * PROPHET_MAX_WEEKLY_ORDER; k++)
		if (!isfinite(m->weekly[k]))
			return PROPHET_ECORRUPT;
	for (int k = 0; k < 2 * PROPHET_MAX_YEARLY_ORDER; k++)
		if (!isfinite(m->yearly[k]))
			return PROPHET_ECORRUPT;
	for (int r = 0; r < PROPHET_MAX_REGRESSORS; r++)
		if (!isfinite(m->beta_reg[r]))
			return PROPHET_ECORRUPT;
	return PROPHET_OK;
}

size_t
prophet_model_size(void)
{
	return sizeof(prophet_model);
}

int
prophet_model_pack(const prophet_model *model, void *buf, size_t len)
{
	if (buf == NULL || len < sizeof(prophet_model))
		return PROPHET_EINVAL;
	if (prophet_model_validate(model) != PROPHET_OK)
		return PROPHET_ECORRUPT;
	memcpy(buf, model, sizeof(prophet_model));
	return PROPHET_OK;
}

int
prophet_model_unpack(const void *buf, size_t len, prophet_model *model)
{
	prophet_model tmp;

	if (buf == NULL || model == NULL)
		return PROPHET_EINVAL;
	if (len != sizeof(prophet_model))
		return PROPHET_ECORRUPT;
	memcpy(&tmp, buf, sizeof(tmp));
	if (prophet_model_validate(&tmp) != PROPHET_OK)
		return PROPHET_ECORRUPT;
	*model = tmp;
	return PROPHET_OK;
}
