/*
 * croston.h - intermittent demand: Croston, SBA and TSB, pure C core.
 *
 * Copyright (C) doliflow contributors.  GPL-3.0-or-later.
 *
 * Pure core: libc only, no PostgreSQL header; never prints or exits.
 *
 * A demand occurs at t when y[t] > 0 (zero and negative values - returns -
 * are "no demand", as in R's forecast::croston); forecasts are never
 * negative.
 *
 * CROSTON (Croston 1972; R's forecast::croston): simple exponential smoothing
 *   with the same alpha of the non-zero sizes z and of the intervals p between
 *   them (first interval counted from the start), both initialised with their
 *   first value (R's ses(initial = "simple")); forecast = z / p.
 * SBA (Syntetos & Boylan 2005): Croston x (1 - alpha / 2).
 * TSB (Teunter, Syntetos & Babai 2011): demand probability d updated every
 *   period, d += beta (1{y>0} - d), size z updated on demands only,
 *   z += alpha (y - z); forecast = d z.  Initial d = share of periods with
 *   demand, z = mean size.
 *
 * SMOOTHING PARAMETERS: fixed (alpha = 0.1 is R's default) or, when the
 *   given alpha <= 0, chosen on a grid (alpha, and beta for TSB, in
 *   0.02..0.50) minimising the in-sample mean squared one-step error over
 *   the periods after the first demand.
 *
 * INTERVALS: per-period predictive distribution = 0 with probability 1 - q,
 *   else a size drawn from the empirical distribution of the past non-zero
 *   sizes rescaled to mean z, where q = 1/p (Croston, SBA) or d (TSB), both
 *   capped to [0, 1].  The model keeps CR_NQ quantiles of size/mean size;
 *   bounds are its (1-level)/2 and (1+level)/2 quantiles (lower bound often 0).
 */
#ifndef DOLIFLOW_CROSTON_H
#define DOLIFLOW_CROSTON_H

#define CR_OK			0
#define CR_EINVAL		(-1)
#define CR_ETOOSHORT	(-2)	/* n < 1 */
#define CR_ENONFINITE	(-3)
#define CR_ENOMEM		(-4)

#define CR_CROSTON		0
#define CR_SBA			1
#define CR_TSB			2

#define CR_NQ			21		/* size quantiles at 0, 5%, ..., 100% */

typedef struct CrostonModel
{
	int			method;			/* CR_CROSTON / CR_SBA / CR_TSB */
	int			n;				/* observations */
	int			n_demand;		/* periods with y > 0 */
	int			pad_;
	double		alpha;			/* size (and interval) smoothing */
	double		beta;			/* TSB probability smoothing (0 otherwise) */
	double		z;				/* smoothed size */
	double		p;				/* smoothed interval (Croston/SBA) or
								 * probability (TSB) */
	double		fc;				/* per-period forecast */
	double		mse;			/* in-sample mean squared one-step error */
	double		sizeq[CR_NQ];	/* quantiles of size / mean size */
} CrostonModel;

/*
 * Fit.  alpha <= 0: optimise alpha (and beta for TSB when beta <= 0);
 * otherwise use the given values (beta <= 0 with TSB and a fixed alpha
 * means beta = alpha).  fitted (may be NULL): n one-step forecasts
 * (0 before the first demand).
 */
int			croston_fit(const double *y, int n, int method, double alpha,
						double beta, CrostonModel *out, double *fitted);

/* mean[h] = fc (constant); lo/hi (may be NULL) per-period bounds. */
int			croston_forecast(const CrostonModel *mod, int h, double level,
							 double *mean, double *lo, double *hi);

int			croston_model_validate(const CrostonModel *mod);

const char *croston_method_name(int method);

#endif							/* DOLIFLOW_CROSTON_H */
