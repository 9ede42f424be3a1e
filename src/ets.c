/*
 * ets.c - exponential smoothing state space models (ETS), pure C core.
 *
 * Copyright (C) doliflow contributors.  GPL-3.0-or-later.
 * Model, estimation and selection rules are described in ets.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "ets.h"

#define ETS_TOL		1.0e-10
#define ETS_HUGE	1.0e10
#define P_LO		1.0e-4
#define P_HI		0.9999
#define PHI_LO		0.8
#define PHI_HI		0.98
#define NM_MAXD		32

typedef struct EtsPar
{
	int			error,
				trend,
				season,
				damped,
				m;
	double		alpha,
				beta,
				gamma,
				phi;
} EtsPar;

static void
par_from_model(const EtsModel *mod, EtsPar *p)
{
	p->error = mod->error;
	p->trend = mod->trend;
	p->season = mod->season;
	p->damped = mod->damped;
	p->m = mod->season ? mod->m : 1;
	p->alpha = mod->alpha;
	p->beta = mod->trend ? mod->beta : 0.0;
	p->gamma = mod->season ? mod->gamma : 0.0;
	p->phi = (mod->trend && mod->damped) ? mod->phi : 1.0;
}

/*
 * The recursion.  x0 in R's order.  Returns lik (n log SSE + 2 sum log|f|),
 * or ETS_HUGE-ish +Inf when the model breaks down (f ~ 0 with M error,
 * negative multiplicative trend).  sse_data: sum (y - f)^2.
 */
static double
ets_run(const EtsPar *p, const double *x0, const double *y, int n,
		double *xend, double *fitted, double *resid, double *sse_data,
		double *sse_err)
{
	const int	trend = p->trend,
				season = p->season,
				merr = (p->error == ETS_M);
	const int	m = season ? p->m : 1;
	const int	off = trend ? 2 : 1;
	const double alpha = p->alpha,
				bpa = trend ? p->beta / p->alpha : 0.0,
				gamma = p->gamma,
				phi = p->phi;
	double		S[ETS_MAX_M];
	double		l = x0[0],
				b = trend ? x0[1] : 0.0;
	double		sse = 0.0,
				sseg = 0.0,
				slog = 0.0,
				prod = 1.0;
	int			pos = 0,
				t,
				j;

	if (season)
		for (j = 0; j < m; j++)
			S[j] = x0[off + m - 1 - j];

	if (!merr && trend != ETS_M && season != ETS_M && fitted == NULL && resid == NULL)
	{
		/*
		 * Linear models, error-correction form (l' = q + alpha e,
		 * b' = phi b + beta e, s' = s + gamma e): algebraically the update
		 * above, with a shorter dependency chain.
		 */
		const double beta = p->beta;
		const double phit = trend ? phi : 0.0;

		for (t = 0; t < n; t++)
		{
			double		q = l + phit * b,
						e;

			if (season)
			{
				e = y[t] - (q + S[pos]);
				S[pos] += gamma * e;
				if (++pos == m)
					pos = 0;
			}
			else
				e = y[t] - q;
			sse += e * e;
			l = q + alpha * e;
			b = phit * b + beta * e;
		}
		goto done;
	}

	for (t = 0; t < n; t++)
	{
		double		phib,
					q,
					f,
					e,
					sold = 0.0,
					yt = y[t],
					lnew;

		if (trend == ETS_N)
		{
			phib = 0.0;
			q = l;
		}
		else if (trend == ETS_A)
		{
			phib = phi * b;
			q = l + phib;
		}
		else
		{
			if (b < 0.0)
				return HUGE_VAL;
			phib = (phi == 1.0) ? b : pow(b, phi);
			q = l * phib;
		}
		if (season == ETS_N)
			f = q;
		else
		{
			sold = S[pos];
			f = (season == ETS_A) ? q + sold : q * sold;
		}
		if (merr)
		{
			double		af = fabs(f);

			if (af < ETS_TOL)
				return HUGE_VAL;
			e = (yt - f) / f;
			prod *= af;
			if (prod > 1e150 || prod < 1e-150)
			{
				slog += log(prod);
				prod = 1.0;
			}
			sseg += (yt - f) * (yt - f);
		}
		else
			e = yt - f;
		sse += e * e;
		if (fitted)
			fitted[t] = f;
		if (resid)
			resid[t] = e;

		/* level */
		if (season == ETS_N)
			lnew = q + alpha * (yt - q);
		else if (season == ETS_A)
			lnew = q + alpha * (yt - sold - q);
		else
			lnew = q + alpha * ((fabs(sold) < ETS_TOL ? ETS_HUGE : yt / sold) - q);
		/* trend */
		if (trend == ETS_A)
			b = phib + bpa * (lnew - l - phib);
		else if (trend == ETS_M)
			b = phib + bpa * ((fabs(l) < ETS_TOL ? ETS_HUGE : lnew / l) - phib);
		/* season */
		if (season == ETS_A)
			S[pos] = sold + gamma * (yt - q - sold);
		else if (season == ETS_M)
			S[pos] = sold + gamma * ((fabs(q) < ETS_TOL ? ETS_HUGE : yt / q) - sold);
		if (season && ++pos == m)
			pos = 0;
		l = lnew;
	}
done:
	if (xend)
	{
		xend[0] = l;
		if (trend)
			xend[1] = b;
		if (season)
			for (j = 0; j < m; j++)
			{
				int			k = pos - 1 - j;

				while (k < 0)
					k += m;
				xend[off + j] = S[k];
			}
	}
	if (sse_data)
		*sse_data = merr ? sseg : sse;
	if (sse_err)
		*sse_err = sse;
	if (!isfinite(sse) || !isfinite(l))
		return HUGE_VAL;
	slog += log(prod);
	if (sse <= 0.0)
		return -1e10;
	{
		double		lik = n * log(sse) + (merr ? 2.0 * slog : 0.0);

		if (isnan(lik))
			return HUGE_VAL;
		if (lik < -1e10)
			lik = -1e10;
		return lik;
	}
}

static int
nstates(int trend, int season, int m)
{
	return 1 + (trend != ETS_N) + (season != ETS_N ? m : 0);
}

static int
nparams_k(int trend, int season, int damped, int m)
{
	/* smoothing params + l0 + b0 + (m-1) seasonal + 1 (sigma) */
	int			k = 1 + 1 + 1;

	if (trend)
		k += 2 + (damped ? 1 : 0);
	if (season)
		k += 1 + (m - 1);
	return k;
}

static void
set_ic(EtsModel *mod, int n, double sse_data)
{
	double		k = mod->k;

	mod->loglik = -0.5 * mod->lik;
	mod->aic = mod->lik + 2.0 * k;
	mod->bic = mod->lik + log((double) n) * k;
	mod->aicc = (n - k - 1 > 0) ? mod->aic + 2.0 * k * (k + 1) / (n - k - 1) : HUGE_VAL;
	mod->mse = n > 0 ? sse_data / n : 0.0;
}

/* ---------------------------------------------------------------- checks */

/* all roots of c[0] + c[1] z + ... + c[d] z^d inside |z| <= 1 + eps
 * (Schur-Cohn step-down) */
static int
roots_inside(double *c, int d)
{
	double		tmp[NM_MAXD + 2];
	int			k,
				i;

	for (k = d; k >= 1; k--)
	{
		double		ck = c[k],
					c0 = c[0];

		if (fabs(c0) > fabs(ck) * (1.0 + 1e-10))
			return 0;
		if (fabs(ck) < 1e-300)
			return 0;
		for (i = 0; i < k; i++)
			tmp[i] = ck * c[i + 1] - c0 * c[k - 1 - i];
		for (i = 0; i < k; i++)
			c[i] = tmp[i];
		if (fabs(c[k - 1]) < 1e-300)
			return 1;			/* a root on the circle: accept (R's 1e-10 slack) */
	}
	return 1;
}

/* R's admissible() for the seasonal case (the non-seasonal one always holds
 * within the usual bounds). */
static int
admissible_seasonal(double alpha, double beta, double gamma, double phi, int m)
{
	double		P[ETS_MAX_M + 2];
	int			i;

	if (gamma < fmax(1 - 1 / phi - alpha, 0.0) || gamma > 1 + 1 / phi - alpha)
		return 0;
	if (alpha < 1 - 1 / phi - gamma * (1 - m + phi + phi * m) / (2 * phi * m))
		return 0;
	if (beta < -(1 - phi) * (gamma / m + alpha))
		return 0;
	P[0] = phi * (1 - alpha - gamma);
	P[1] = alpha + beta - alpha * phi + gamma - 1;
	for (i = 2; i <= m - 1; i++)
		P[i] = alpha + beta - alpha * phi;
	P[m] = alpha + beta - phi;
	P[m + 1] = 1;
	return roots_inside(P, m + 1);
}

/* ------------------------------------------------------ initial states */

static double
sigm(double u)
{
	return 1.0 / (1.0 + exp(-u));
}

static double
logit(double p)
{
	if (p < 1e-9)
		p = 1e-9;
	if (p > 1 - 1e-9)
		p = 1 - 1e-9;
	return log(p / (1 - p));
}

/*
 * R's initstate().  Seasonal part by classical decomposition (needs n >= 3m
 * and 2n work).  x0 gets l, b, s_1..s_m (R order).
 */
static int
init_states(const double *y, int n, int trend, int season, int m,
			double *x0, double *work)
{
	double	   *ysa = work;
	double		fig[ETS_MAX_M];
	int			cnt[ETS_MAX_M];
	int			maxn,
				i,
				off = trend ? 2 : 1;

	if (season)
	{
		double	   *tr = work + n;
		int			h = m / 2;
		double		sum = 0.0;

		if (n < 3 * m || m < 2 || m > ETS_MAX_M)
			return ETS_ETOOSHORT;
		/* centred moving average (R's decompose filter) */
		for (i = 0; i < n; i++)
			tr[i] = NAN;
		{
			double		w = 1.0 / m;
			double		run = 0.0;

			if (m % 2)
			{
				for (i = 0; i < m; i++)
					run += y[i];
				for (i = h; i + h < n; i++)
				{
					tr[i] = run * w;
					if (i + h + 1 < n)
						run += y[i + h + 1] - y[i - h];
				}
			}
			else
			{
				/* 0.5 y[t-h] + y[t-h+1..t+h-1] + 0.5 y[t+h] */
				for (i = 0; i < m - 1; i++)
					run += y[i + 1];
				for (i = h; i + h < n; i++)
				{
					tr[i] = (run + 0.5 * (y[i - h] + y[i + h])) * w;
					if (i + h < n - 1)
						run += y[i + h] - y[i - h + 1];
				}
			}
		}
		for (i = 0; i < m; i++)
		{
			fig[i] = 0.0;
			cnt[i] = 0;
		}
		for (i = 0; i < n; i++)
			if (!isnan(tr[i]))
			{
				double		d;

				if (season == ETS_A)
					d = y[i] - tr[i];
				else
				{
					if (fabs(tr[i]) < 1e-300)
						return ETS_ENUMERIC;
					d = y[i] / tr[i];
				}
				fig[i % m] += d;
				cnt[i % m]++;
			}
		for (i = 0; i < m; i++)
		{
			fig[i] = cnt[i] ? fig[i] / cnt[i] : (season == ETS_A ? 0.0 : 1.0);
			sum += fig[i];
		}
		for (i = 0; i < m; i++)
			fig[i] = (season == ETS_A) ? fig[i] - sum / m : fig[i] / (sum / m);
		/* R: init.seas <- rev(seasonal[2:m]); last one by normalisation */
		{
			double		s = 0.0;

			for (i = 0; i < m - 1; i++)
			{
				double		v = fig[m - 1 - i];

				if (season == ETS_M)
					v = fmax(v, 1e-2);
				x0[off + i] = v;
				s += v;
			}
			if (season == ETS_M && s > m)
				for (i = 0; i < m - 1; i++)
					x0[off + i] /= (s + 1e-2 * (m - 1));
			s = 0.0;
			for (i = 0; i < m - 1; i++)
				s += x0[off + i];
			x0[off + m - 1] = (season == ETS_A) ? -s : m - s;
		}
		for (i = 0; i < n; i++)
			ysa[i] = (season == ETS_A) ? y[i] - fig[i % m] : y[i] / fmax(fig[i % m], 1e-2);
	}
	else
	{
		m = 1;
		for (i = 0; i < n; i++)
			ysa[i] = y[i];
	}

	maxn = 2 * m > 10 ? 2 * m : 10;
	if (maxn > n)
		maxn = n;
	if (trend == ETS_N)
	{
		double		s = 0.0;

		for (i = 0; i < maxn; i++)
			s += ysa[i];
		x0[0] = s / maxn;
	}
	else
	{
		/* least squares line on t = 1..maxn */
		double		mt = (maxn + 1) / 2.0,
					my = 0.0,
					sxy = 0.0,
					sxx = 0.0,
					a,
					sl;

		for (i = 0; i < maxn; i++)
			my += ysa[i];
		my /= maxn;
		for (i = 0; i < maxn; i++)
		{
			sxy += (i + 1 - mt) * (ysa[i] - my);
			sxx += (i + 1 - mt) * (i + 1 - mt);
		}
		sl = sxx > 0 ? sxy / sxx : 0.0;
		a = my - sl * mt;
		if (trend == ETS_A)
		{
			x0[0] = a;
			x0[1] = sl;
			if (fabs(a + sl) < 1e-8)
			{
				x0[0] = a * (1 + 1e-3);
				x0[1] = sl * (1 + 1e-3);
			}
		}
		else
		{
			double		l0 = a + sl,
						b0;

			if (fabs(l0) < 1e-8)
				l0 = 1e-7;
			b0 = (a + 2 * sl) / l0;
			l0 = l0 / b0;
			if (fabs(b0) > 1e10)
				b0 = b0 > 0 ? 1e10 : -1e10;
			if (l0 < 1e-8 || b0 < 1e-8)
			{
				l0 = fmax(ysa[0], 1e-3);
				b0 = (n > 1) ? fmax(ysa[1] / ysa[0], 1e-3) : 1.0;
			}
			x0[0] = l0;
			x0[1] = b0;
		}
	}
	return ETS_OK;
}

/* ------------------------------------------------------- optimisation */

typedef struct FitCtx
{
	EtsPar		p;				/* components (parameters overwritten) */
	const double *y;
	int			n;
	int			optbeta,
				optgamma,
				optphi,
				optb0,
				optseas;
	double		x0[ETS_MAX_STATE];	/* heuristic states (non-optimised ones kept) */
	double		sc_l,
				sc_b,
				sc_s;
	int			neval;
} FitCtx;

/* u -> parameters and states; returns 0 when the point is not admissible */
static int
decode(FitCtx *c, const double *u, EtsPar *p, double *x0)
{
	int			i = 0,
				j,
				m = c->p.m,
				off = c->p.trend ? 2 : 1;

	*p = c->p;
	p->alpha = P_LO + (P_HI - P_LO) * sigm(u[i++]);
	if (c->optbeta)
		p->beta = P_LO + (p->alpha - P_LO) * sigm(u[i++]);
	if (c->optgamma)
	{
		double		w = 1.0 - p->alpha - P_LO;

		p->gamma = P_LO + (w > 0 ? w : 0.0) * sigm(u[i++]);
	}
	if (c->optphi)
		p->phi = PHI_LO + (PHI_HI - PHI_LO) * sigm(u[i++]);
	memcpy(x0, c->x0, sizeof(double) * ETS_MAX_STATE);
	x0[0] = u[i++] * c->sc_l;
	if (c->optb0)
		x0[1] = (c->p.trend == ETS_M) ? u[i++] : u[i++] * c->sc_b;
	if (c->optseas)
	{
		double		s = 0.0;

		for (j = 0; j < m - 1; j++)
		{
			x0[off + j] = (c->p.season == ETS_M) ? u[i++] : u[i++] * c->sc_s;
			s += x0[off + j];
		}
		x0[off + m - 1] = (c->p.season == ETS_A) ? -s : m - s;
	}
	if (c->p.season == ETS_M)
		for (j = 0; j < m; j++)
			if (x0[off + j] < 0)
				return 0;
	if (c->p.season && !admissible_seasonal(p->alpha, p->beta, p->gamma, p->phi, m))
		return 0;
	return 1;
}

static double
objective(const double *u, void *vc)
{
	FitCtx	   *c = (FitCtx *) vc;
	EtsPar		p;
	double		x0[ETS_MAX_STATE];

	c->neval++;
	if (!decode(c, u, &p, x0))
		return HUGE_VAL;
	return ets_run(&p, x0, c->y, c->n, NULL, NULL, NULL, NULL, NULL);
}

/* Nelder-Mead (reflection 1, expansion 2, contraction 0.5, shrink 0.5). */
static double
nelder_mead(double (*fn) (const double *, void *), void *ctx, double *x, int d,
			const double *step, int maxeval, double tol)
{
	double		v[NM_MAXD + 1][NM_MAXD];
	double		fv[NM_MAXD + 1];
	double		c[NM_MAXD],
				xr[NM_MAXD],
				xe[NM_MAXD];
	int			i,
				j,
				ne = 0;

	for (i = 0; i <= d; i++)
	{
		for (j = 0; j < d; j++)
			v[i][j] = x[j];
		if (i > 0)
			v[i][i - 1] += step[i - 1];
		fv[i] = fn(v[i], ctx);
		ne++;
	}
	for (;;)
	{
		int			hi = 0,
					lo = 0,
					nh = 0;
		double		fr,
					fe;

		for (i = 1; i <= d; i++)
		{
			if (fv[i] < fv[lo])
				lo = i;
			if (fv[i] > fv[hi])
				hi = i;
		}
		nh = (hi == 0) ? 1 : 0;
		for (i = 0; i <= d; i++)
			if (i != hi && fv[i] > fv[nh])
				nh = i;
		if (ne >= maxeval || (isfinite(fv[hi]) && fv[hi] - fv[lo] <= tol))
		{
			for (j = 0; j < d; j++)
				x[j] = v[lo][j];
			return fv[lo];
		}
		for (j = 0; j < d; j++)
			c[j] = 0.0;
		for (i = 0; i <= d; i++)
			if (i != hi)
				for (j = 0; j < d; j++)
					c[j] += v[i][j];
		for (j = 0; j < d; j++)
		{
			c[j] /= d;
			xr[j] = 2.0 * c[j] - v[hi][j];
		}
		fr = fn(xr, ctx);
		ne++;
		if (fr < fv[lo])
		{
			for (j = 0; j < d; j++)
				xe[j] = 3.0 * c[j] - 2.0 * v[hi][j];
			fe = fn(xe, ctx);
			ne++;
			if (fe < fr)
			{
				memcpy(v[hi], xe, sizeof(double) * d);
				fv[hi] = fe;
			}
			else
			{
				memcpy(v[hi], xr, sizeof(double) * d);
				fv[hi] = fr;
			}
		}
		else if (fr < fv[nh])
		{
			memcpy(v[hi], xr, sizeof(double) * d);
			fv[hi] = fr;
		}
		else
		{
			double		fc;
			int			outside = fr < fv[hi];

			for (j = 0; j < d; j++)
				xe[j] = outside ? c[j] + 0.5 * (xr[j] - c[j]) : c[j] + 0.5 * (v[hi][j] - c[j]);
			fc = fn(xe, ctx);
			ne++;
			if (fc < (outside ? fr : fv[hi]))
			{
				memcpy(v[hi], xe, sizeof(double) * d);
				fv[hi] = fc;
			}
			else
			{
				/* shrink towards the best vertex */
				for (i = 0; i <= d; i++)
					if (i != lo)
					{
						for (j = 0; j < d; j++)
							v[i][j] = v[lo][j] + 0.5 * (v[i][j] - v[lo][j]);
						fv[i] = fn(v[i], ctx);
						ne++;
					}
			}
		}
	}
}

void
ets_default_options(EtsOptions *opt)
{
	opt->maxeval = 600;
	opt->tol = -1.0;
	opt->opt_season_states = -1;
	opt->allow_mult_trend = 0;
	opt->allow_season = 1;
	opt->allow_mult = 1;
	opt->allow_damped = 1;
}

static int
check_spec(const EtsModel *mod)
{
	if (mod->error != ETS_A && mod->error != ETS_M)
		return 0;
	if (mod->trend < ETS_N || mod->trend > ETS_M)
		return 0;
	if (mod->season < ETS_N || mod->season > ETS_M)
		return 0;
	if (mod->damped != 0 && mod->damped != 1)
		return 0;
	if (mod->damped && mod->trend == ETS_N)
		return 0;
	if (mod->season && (mod->m < 2 || mod->m > ETS_MAX_M))
		return 0;
	if (!mod->season && mod->m != 1)
		return 0;
	return 1;
}

const char *
ets_model_name(const EtsModel *mod, char *buf, int buflen)
{
	static const char *c[] = {"N", "A", "M"};

	if (buf == NULL || buflen < 16)
		return "";
	if (!check_spec(mod))
	{
		snprintf(buf, buflen, "ETS(?)");
		return buf;
	}
	snprintf(buf, buflen, "ETS(%s,%s%s,%s)", c[mod->error], c[mod->trend],
			 mod->damped ? "d" : "", c[mod->season]);
	return buf;
}


int
ets_filter(EtsModel *mod, const double *y, int n, double *fitted, double *resid)
{
	EtsPar		p;
	double		sse_data = 0.0,
				sse_err = 0.0;
	int			i,
				df;

	if (mod == NULL || y == NULL || n < 1 || !check_spec(mod))
		return ETS_EINVAL;
	for (i = 0; i < n; i++)
		if (!isfinite(y[i]))
			return ETS_ENONFINITE;
	par_from_model(mod, &p);
	mod->n = n;
	if (mod->k <= 0)
		mod->k = nparams_k(mod->trend, mod->season, mod->damped, p.m);
	mod->lik = ets_run(&p, mod->x0, y, n, mod->x, fitted, resid, &sse_data, &sse_err);
	if (!isfinite(mod->lik))
		return ETS_ENUMERIC;
	set_ic(mod, n, sse_data);
	df = n - (mod->k - 1);
	mod->sigma2 = sse_err / (df > 0 ? df : n);
	return ETS_OK;
}

/*
 * Fit one model; start (may be NULL) is an already fitted neighbour (same
 * season type) whose parameters and states seed the search.
 */
static int
fit_one(EtsModel *mod, const double *y, int n, const EtsOptions *opt,
		double *work, const EtsModel *start)
{
	EtsOptions	dopt;
	FitCtx		c;
	double		u[NM_MAXD],
				step[NM_MAXD];
	double	   *own = NULL;
	int			d = 0,
				i,
				rc,
				m,
				off,
				maxeval;
	double		sd,
				tol,
				lik;
	EtsPar		p;

	if (mod == NULL || y == NULL || n < 1)
		return ETS_EINVAL;
	if (mod->trend == ETS_N)
		mod->damped = 0;
	if (!mod->season)
		mod->m = 1;
	if (!check_spec(mod))
		return ETS_EINVAL;
	if (opt == NULL)
	{
		ets_default_options(&dopt);
		opt = &dopt;
	}
	for (i = 0; i < n; i++)
	{
		if (!isfinite(y[i]))
			return ETS_ENONFINITE;
		if ((mod->error == ETS_M || mod->trend == ETS_M || mod->season == ETS_M) && y[i] <= 0.0)
			return ETS_EINVAL;
	}
	m = mod->m;
	off = mod->trend ? 2 : 1;
	mod->k = nparams_k(mod->trend, mod->season, mod->damped, m);
	if (n <= mod->k - 1 + 4)
		return ETS_ETOOSHORT;
	if (work == NULL)
	{
		own = malloc(sizeof(double) * 2 * (size_t) n);
		if (own == NULL)
			return ETS_ENOMEM;
		work = own;
	}
	memset(&c, 0, sizeof(c));
	rc = init_states(y, n, mod->trend, mod->season, m, c.x0, work);
	free(own);
	if (rc != ETS_OK)
		return rc;

	c.p.error = mod->error;
	c.p.trend = mod->trend;
	c.p.season = mod->season;
	c.p.damped = mod->damped;
	c.p.m = m;
	c.p.phi = 1.0;
	c.y = y;
	c.n = n;
	c.optbeta = mod->trend != ETS_N;
	c.optgamma = mod->season != ETS_N;
	c.optphi = mod->damped;
	c.optb0 = mod->trend != ETS_N;
	c.optseas = mod->season != ETS_N &&
		(opt->opt_season_states == 1 ||
		 (opt->opt_season_states < 0 && n <= ETS_OPT_SEASON_MAX_N * m));

	{
		double		mean = 0.0,
					var = 0.0;

		for (i = 0; i < n; i++)
			mean += y[i];
		mean /= n;
		for (i = 0; i < n; i++)
			var += (y[i] - mean) * (y[i] - mean);
		sd = sqrt(var / n);
	}
	c.sc_l = fmax(fmax(fabs(c.x0[0]), sd), 1e-8);
	c.sc_b = fmax(fmax(fabs(mod->trend ? c.x0[1] : 0.0), 0.01 * sd), 1e-8);
	c.sc_s = 1e-8;
	if (mod->season == ETS_A)
	{
		for (i = 0; i < m; i++)
			c.sc_s = fmax(c.sc_s, fabs(c.x0[off + i]));
		c.sc_s = fmax(c.sc_s, 0.1 * sd);
	}

	/* R's initparam(), mapped to the transformed space */
	{
		double		alpha = P_LO + 0.2 * (P_HI - P_LO) / m;
		double		beta = P_LO + 0.1 * (alpha - P_LO);
		double		gamma = P_LO + 0.05 * (P_HI - alpha - P_LO);
		double		phi = PHI_LO + 0.99 * (PHI_HI - PHI_LO);

		if (gamma > 1 - alpha)
			gamma = 1 - alpha - 1e-3;
		if (start)
		{
			alpha = fmin(fmax(start->alpha, 2 * P_LO), P_HI - 1e-4);
			if (start->trend)
				beta = fmin(fmax(start->beta, P_LO * 1.01), alpha * 0.999);
			else
				beta = P_LO + 0.1 * (alpha - P_LO);
			if (start->season && mod->season)
				gamma = fmin(fmax(start->gamma, P_LO * 1.01), (1 - alpha) * 0.999);
			if (start->damped)
				phi = fmin(fmax(start->phi, PHI_LO + 1e-3), PHI_HI - 1e-3);
			else
				phi = PHI_HI - 1e-3;
			c.x0[0] = start->x0[0];
			if (mod->trend == ETS_A && start->trend == ETS_A)
				c.x0[1] = start->x0[1];
			if (mod->season && start->season == mod->season)
				for (i = 0; i < m; i++)
					c.x0[off + i] = start->x0[(start->trend ? 2 : 1) + i];
		}
		u[d] = logit((alpha - P_LO) / (P_HI - P_LO));
		step[d++] = 1.0;
		if (c.optbeta)
		{
			u[d] = logit((beta - P_LO) / (alpha - P_LO));
			step[d++] = 1.0;
		}
		if (c.optgamma)
		{
			u[d] = logit((gamma - P_LO) / (1 - alpha - P_LO));
			step[d++] = 1.0;
		}
		if (c.optphi)
		{
			u[d] = logit((phi - PHI_LO) / (PHI_HI - PHI_LO));
			step[d++] = -1.0;
		}
		u[d] = c.x0[0] / c.sc_l;
		step[d++] = sd > 0 ? 0.1 * sd / c.sc_l : 0.1;
		if (c.optb0)
		{
			if (mod->trend == ETS_M)
			{
				u[d] = c.x0[1];
				step[d++] = 0.01;
			}
			else
			{
				u[d] = c.x0[1] / c.sc_b;
				step[d++] = 0.2;
			}
		}
		if (c.optseas)
			for (i = 0; i < m - 1; i++)
			{
				if (mod->season == ETS_M)
				{
					u[d] = c.x0[off + i];
					step[d++] = 0.02;
				}
				else
				{
					u[d] = c.x0[off + i] / c.sc_s;
					step[d++] = 0.1;
				}
			}
	}
	if (d > NM_MAXD)
		return ETS_EINVAL;
	if (start)
		for (i = 0; i < d; i++)
			step[i] *= 0.3;

	maxeval = opt->maxeval > 0 ? opt->maxeval : 600;
	tol = opt->tol > 0 ? opt->tol : 0.03;
	/* make sure the start is admissible: shrink gamma if needed */
	lik = objective(u, &c);
	for (i = 0; i < 20 && !isfinite(lik) && c.optgamma; i++)
	{
		u[c.optbeta ? 2 : 1] -= 1.0;
		lik = objective(u, &c);
	}
	if (!isfinite(lik))
		return ETS_ENUMERIC;
	lik = nelder_mead(objective, &c, u, d, step, maxeval * 2 / 3, tol);
	/* one restart from the optimum with a fresh, smaller simplex (cheap on
	 * short series, where the likelihood surface is rougher) */
	if (c.neval < maxeval && n <= 500)
	{
		for (i = 0; i < d; i++)
			step[i] *= 0.5;
		lik = nelder_mead(objective, &c, u, d, step, maxeval - c.neval, tol);
	}
	if (!isfinite(lik))
		return ETS_ENUMERIC;
	if (!decode(&c, u, &p, mod->x0))
		return ETS_ENUMERIC;
	mod->alpha = p.alpha;
	mod->beta = mod->trend ? p.beta : 0.0;
	mod->gamma = mod->season ? p.gamma : 0.0;
	mod->phi = mod->damped ? p.phi : 1.0;
	for (i = nstates(mod->trend, mod->season, m); i < ETS_MAX_STATE; i++)
		mod->x0[i] = 0.0;
	memset(mod->x, 0, sizeof(mod->x));
	return ets_filter(mod, y, n, NULL, NULL);
}

int
ets_fit(EtsModel *mod, const double *y, int n, const EtsOptions *opt,
		double *work)
{
	return fit_one(mod, y, n, opt, work, NULL);
}

int
ets_auto(const double *y, int n, int m, const EtsOptions *opt,
		 EtsModel *best, int *n_fitted)
{
	EtsOptions	dopt;
	double	   *work;
	int			positive = 1,
				i,
				e,
				t,
				s,
				dmp,
				nf = 0,
				found = 0,
				lastrc = ETS_ETOOSHORT;

	if (best == NULL || y == NULL || n < 1)
		return ETS_EINVAL;
	if (opt == NULL)
	{
		ets_default_options(&dopt);
		opt = &dopt;
	}
	for (i = 0; i < n; i++)
	{
		if (!isfinite(y[i]))
			return ETS_ENONFINITE;
		if (y[i] <= 0.0)
			positive = 0;
	}
	if (m < 1)
		m = 1;
	work = malloc(sizeof(double) * 2 * (size_t) n);
	if (work == NULL)
		return ETS_ENOMEM;

	for (s = ETS_N; s <= ETS_M; s++)
	{
		EtsModel	done[3][3][2];	/* [error][trend][damped] fitted in this season */
		int			ok[3][3][2];

		if (s != ETS_N && (!opt->allow_season || m < 2 || m > ETS_MAX_M || n < 3 * m))
			continue;
		if (s == ETS_M && (!positive || !opt->allow_mult))
			continue;
		memset(ok, 0, sizeof(ok));
		for (t = ETS_N; t <= ETS_M; t++)
		{
			for (dmp = 0; dmp <= (t != ETS_N && opt->allow_damped); dmp++)
			{
				for (e = ETS_A; e <= ETS_M; e++)
				{
					EtsModel   *cand = &done[e][t][dmp];
					const EtsModel *start = NULL;
					int			rc;

					if (e == ETS_M && (!positive || !opt->allow_mult))
						continue;
					if (e == ETS_A && s == ETS_M)
						continue;
					if (t == ETS_M && (!opt->allow_mult_trend || !positive || e == ETS_A || s == ETS_A))
						continue;
					/* warm start: the additive-error twin, else the undamped one */
					if (e == ETS_M && ok[ETS_A][t][dmp])
						start = &done[ETS_A][t][dmp];
					else if (dmp && ok[e][t][0])
						start = &done[e][t][0];
					else if (t == ETS_A && ok[e][ETS_N][0])
						start = &done[e][ETS_N][0];
					memset(cand, 0, sizeof(*cand));
					cand->error = e;
					cand->trend = t;
					cand->season = s;
					cand->damped = dmp;
					cand->m = s ? m : 1;
					rc = fit_one(cand, y, n, opt, work, start);
					if (rc != ETS_OK)
					{
						if (rc == ETS_ENOMEM)
						{
							free(work);
							return rc;
						}
						lastrc = rc;
						continue;
					}
					ok[e][t][dmp] = 1;
					nf++;
					if (!found || cand->aicc < best->aicc)
					{
						*best = *cand;
						found = 1;
					}
				}
			}
		}
	}
	free(work);
	if (n_fitted)
		*n_fitted = nf;
	return found ? ETS_OK : lastrc;
}

/* one step of the recursion on a state in R order, with observation yt */
static void
state_step(const EtsPar *p, double *x, double yt, double *fout)
{
	const int	m = p->season ? p->m : 1,
				off = p->trend ? 2 : 1;
	double		l = x[0],
				b = p->trend ? x[1] : 0.0,
				phib = 0.0,
				q = l,
				sold = 0.0,
				f,
				lnew;
	int			j;

	if (p->trend == ETS_A)
	{
		phib = p->phi * b;
		q = l + phib;
	}
	else if (p->trend == ETS_M)
	{
		phib = b > 0 ? pow(b, p->phi) : 0.0;
		q = l * phib;
	}
	if (p->season)
	{
		sold = x[off + m - 1];
		f = p->season == ETS_A ? q + sold : q * sold;
	}
	else
		f = q;
	if (fout)
	{
		*fout = f;
		return;
	}
	if (p->season == ETS_N)
		lnew = q + p->alpha * (yt - q);
	else if (p->season == ETS_A)
		lnew = q + p->alpha * (yt - sold - q);
	else
		lnew = q + p->alpha * ((fabs(sold) < ETS_TOL ? ETS_HUGE : yt / sold) - q);
	if (p->trend == ETS_A)
		x[1] = phib + p->beta / p->alpha * (lnew - l - phib);
	else if (p->trend == ETS_M)
		x[1] = phib + p->beta / p->alpha * ((fabs(l) < ETS_TOL ? ETS_HUGE : lnew / l) - phib);
	if (p->season)
	{
		double		snew;

		if (p->season == ETS_A)
			snew = sold + p->gamma * (yt - q - sold);
		else
			snew = sold + p->gamma * ((fabs(q) < ETS_TOL ? ETS_HUGE : yt / q) - sold);
		for (j = m - 1; j > 0; j--)
			x[off + j] = x[off + j - 1];
		x[off] = snew;
	}
	x[0] = lnew;
}

int
ets_forecast(const EtsModel *mod, int h, double level,
			 double *mean, double *lo, double *hi)
{
	EtsPar		p;
	int			i,
				j,
				m,
				off;
	double		phistar;

	if (mod == NULL || mean == NULL || h < 1 || ets_model_validate(mod) != ETS_OK)
		return ETS_EINVAL;
	if ((lo || hi) && !(level > 0.0 && level < 1.0))
		return ETS_EINVAL;
	par_from_model(mod, &p);
	m = p.m;
	off = p.trend ? 2 : 1;

	/* point forecasts: R's forecast() in etscalc.c */
	phistar = p.phi;
	for (i = 0; i < h; i++)
	{
		double		f;

		if (p.trend == ETS_N)
			f = mod->x[0];
		else if (p.trend == ETS_A)
			f = mod->x[0] + phistar * mod->x[1];
		else
			f = mod->x[1] > 0 ? mod->x[0] * pow(mod->x[1], phistar) : mod->x[0];
		if (p.season)
		{
			j = m - 1 - (i % m);
			f = p.season == ETS_A ? f + mod->x[off + j] : f * mod->x[off + j];
		}
		mean[i] = f;
		if (p.damped)
			phistar += pow(p.phi, i + 2);
		else
			phistar += 1.0;
	}
	if (lo == NULL && hi == NULL)
		return ETS_OK;

	if (p.error == ETS_A && p.trend != ETS_M && p.season != ETS_M)
	{
		/* class 1: analytic */
		double		z = gsl_cdf_ugaussian_Pinv(0.5 + level / 2.0);
		double		acc = 0.0,
					phij = 0.0;

		for (i = 0; i < h; i++)
		{
			double		sd = sqrt(mod->sigma2 * (1.0 + acc));
			int			jj = i + 1;	/* c_j for the next horizon */
			double		cj;

			if (lo)
				lo[i] = mean[i] - z * sd;
			if (hi)
				hi[i] = mean[i] + z * sd;
			phij += p.damped ? pow(p.phi, jj) : 1.0;
			cj = p.alpha;
			if (p.trend)
				cj += p.beta * phij;
			if (p.season && jj % m == 0)
				cj += p.gamma;
			acc += cj * cj;
		}
		return ETS_OK;
	}
	else
	{
		/* simulation, fixed seed */
		int			nsim = ETS_NSIM;
		double	   *paths;
		gsl_rng    *rng;
		double		sigma = sqrt(mod->sigma2);
		double		qlo = 0.5 - level / 2.0,
					qhi = 0.5 + level / 2.0;
		int			k;

		if ((size_t) h * nsim > 4000000u)
			nsim = 4000000 / h;
		if (nsim < 200)
			nsim = 200;
		paths = malloc(sizeof(double) * (size_t) nsim * h);
		if (paths == NULL)
			return ETS_ENOMEM;
		rng = gsl_rng_alloc(gsl_rng_mt19937);
		if (rng == NULL)
		{
			free(paths);
			return ETS_ENOMEM;
		}
		gsl_rng_set(rng, 20240601UL);
		for (k = 0; k < nsim; k++)
		{
			double		x[ETS_MAX_STATE];

			memcpy(x, mod->x, sizeof(x));
			for (i = 0; i < h; i++)
			{
				double		f,
							e = gsl_ran_gaussian_ziggurat(rng, sigma),
							yy;

				state_step(&p, x, 0.0, &f);
				yy = p.error == ETS_A ? f + e : f * (1.0 + e);
				if (!isfinite(yy))
					yy = f;
				paths[(size_t) i * nsim + k] = yy;
				state_step(&p, x, yy, NULL);
			}
		}
		for (i = 0; i < h; i++)
		{
			double	   *col = paths + (size_t) i * nsim;

			gsl_sort(col, 1, nsim);
			if (lo)
				lo[i] = gsl_stats_quantile_from_sorted_data(col, 1, nsim, qlo);
			if (hi)
				hi[i] = gsl_stats_quantile_from_sorted_data(col, 1, nsim, qhi);
		}
		gsl_rng_free(rng);
		free(paths);
	}
	return ETS_OK;
}

int
ets_model_validate(const EtsModel *mod)
{
	int			i,
				ns;

	if (mod == NULL || !check_spec(mod))
		return ETS_EINVAL;
	if (!(mod->alpha > 0.0 && mod->alpha <= 1.0))
		return ETS_EINVAL;
	if (mod->trend && !(mod->beta >= 0.0 && mod->beta <= 1.0))
		return ETS_EINVAL;
	if (mod->season && !(mod->gamma >= 0.0 && mod->gamma <= 1.0))
		return ETS_EINVAL;
	if (mod->damped && !(mod->phi > 0.0 && mod->phi <= 1.0))
		return ETS_EINVAL;
	if (!(mod->sigma2 >= 0.0) || !isfinite(mod->sigma2))
		return ETS_EINVAL;
	ns = nstates(mod->trend, mod->season, mod->m);
	for (i = 0; i < ns; i++)
		if (!isfinite(mod->x[i]) || !isfinite(mod->x0[i]))
			return ETS_EINVAL;
	if (mod->trend == ETS_M && !(mod->x[1] > 0.0))
		return ETS_EINVAL;
	return ETS_OK;
}
