/*
 * ets.h - exponential smoothing state space models (ETS), pure C core.
 *
 * Copyright (C) doliflow contributors.  GPL-3.0-or-later.
 *
 * Pure core: libc + GSL only, no PostgreSQL header; never prints, exits or
 * aborts; every function returns an ETS_* status code.
 *
 * MODELS (Hyndman, Koehler, Ord & Snyder 2008, "Forecasting with exponential
 * smoothing"; equations and conventions of R's forecast::ets, etscalc.c):
 *   error  A or M; trend N, A, Ad (damped), M, Md; season N, A, M.
 *   State x = (l, b, s_1 .. s_m), s_1 the most recent seasonal state and s_m
 *   the one used by the next one-step forecast (R's order).  One step:
 *     q  = l            (N)     l + phi b (A)     l b^phi (M)
 *     f  = q            (N)     q + s_m   (A)     q s_m   (M)
 *     e  = y - f        (error A)                 (y - f) / f   (error M)
 *     l' = q + alpha (p - q),  p = y, y - s_m, y / s_m   (season N, A, M)
 *     b' = phib + (beta/alpha) (r - phib),  r = l' - l (A) or l' / l (M),
 *          phib = phi b (A) or b^phi (M)
 *     s' = s_m + gamma (t - s_m),  t = y - q (A) or y / q (M); s' becomes s_1.
 *   Criterion (R's "lik"): lik = n log(sum e^2) + 2 sum log|f| (M error only)
 *   = -2 loglik up to a constant; loglik = -lik/2 (R's convention);
 *   AIC = lik + 2k, BIC = lik + k log n, AICc = AIC + 2k(k+1)/(n-k-1),
 *   k = number of estimated parameters + 1 (smoothing parameters, l0, b0 and
 *   m-1 seasonal states: the m-th is fixed by sum s = 0 (A) or = m (M)).
 *   sigma2 = sum e^2 / (n - k + 1)  (R: divided by n - number of parameters).
 *
 * ESTIMATION: maximum likelihood by Nelder-Mead on a transformed space that
 * enforces R's "usual" bounds (1e-4 <= beta <= alpha <= 0.9999,
 * gamma <= 1 - alpha, 0.8 <= phi <= 0.98) plus R's "admissible" test for
 * seasonal models (roots of the characteristic polynomial, by a Schur-Cohn
 * test).  Initial states by R's heuristic (classical decomposition for the
 * seasonal states, regression on the first max(10, 2m) seasonally adjusted
 * values for level and trend), then optimised jointly with the smoothing
 * parameters: l0 and b0 always, the seasonal states only when
 * n <= ETS_OPT_SEASON_MAX_N * m (for long series they are well identified by
 * the decomposition and optimising them costs more than it brings).
 *
 * SELECTION (ets_auto): AICc over the allowed set; as R with
 * allow.multiplicative.trend = FALSE and restrict = TRUE: ANN AAN AAdN ANA
 * AAA AAdA MNN MAN MAdN MNA MAA MAdA MNM MAM MAdM; multiplicative components
 * only when every value is > 0; seasonal models only when 2 <= m <= 24 and
 * n >= 3m; a model is skipped when n <= (its parameter count) + 4.
 *
 * FORECASTS: point forecasts by the state recursion without error (R's
 * "mean" for classes 1 and 2); prediction intervals analytic for the linear
 * models (error A, trend N/A/Ad, season N/A: variance
 * sigma2 (1 + sum_{j<h} c_j^2), c_j = alpha + beta phi_j + gamma d_{j,m}),
 * otherwise by simulation of ETS_NSIM paths with a fixed seed (deterministic).
 */
#ifndef DOLIFLOW_ETS_H
#define DOLIFLOW_ETS_H

#define ETS_OK			0
#define ETS_EINVAL		(-1)	/* bad argument / model / NULL pointer */
#define ETS_ETOOSHORT	(-2)	/* not enough data for any allowed model */
#define ETS_ENONFINITE	(-3)	/* NaN/Inf in the data */
#define ETS_ENOMEM		(-4)
#define ETS_ENUMERIC	(-5)	/* no finite likelihood could be found */

#define ETS_MAX_M		24		/* longest seasonal period (as R) */
#define ETS_MAX_STATE	(2 + ETS_MAX_M)
#define ETS_OPT_SEASON_MAX_N	20
#define ETS_NSIM		5000

/* component types */
#define ETS_N			0
#define ETS_A			1
#define ETS_M			2

typedef struct EtsModel
{
	int			error;			/* ETS_A / ETS_M */
	int			trend;			/* ETS_N / ETS_A / ETS_M */
	int			season;			/* ETS_N / ETS_A / ETS_M */
	int			damped;			/* 0/1 (trend != N) */
	int			m;				/* seasonal period, 1 when season == N */
	int			n;				/* observations used by the fit */
	int			k;				/* parameters + 1 (see header comment) */
	double		alpha,
				beta,
				gamma,
				phi;			/* unused ones are 0 (phi = 1 when undamped) */
	double		x0[ETS_MAX_STATE];	/* initial state l, b, s_1..s_m */
	double		x[ETS_MAX_STATE];	/* state after the last observation */
	double		lik;			/* R's lik = -2 loglik (+ const) */
	double		loglik,
				aic,
				aicc,
				bic;
	double		sigma2;			/* innovation variance */
	double		mse;			/* mean squared one-step error, data units */
} EtsModel;

typedef struct EtsOptions
{
	int			maxeval;		/* likelihood evaluations per model, default 600 */
	double		tol;			/* stop when the simplex spread in lik < tol,
								 * default 1e-4 * n (relative to lik scale) */
	int			opt_season_states;	/* -1 auto (default), 0 no, 1 yes */
	int			allow_mult_trend;	/* default 0 */
	int			allow_season;	/* default 1 */
	int			allow_mult;		/* default 1 (only used on positive data) */
	int			allow_damped;	/* default 1 */
} EtsOptions;

void		ets_default_options(EtsOptions *opt);

/* Name like "ETS(M,Ad,A)" into buf (>= 16 bytes). */
const char *ets_model_name(const EtsModel *mod, char *buf, int buflen);

/*
 * Run the recursion for a fully specified model (components, parameters and
 * x0 set in *mod), over y[0..n-1].  Fills mod->x (final state), lik, loglik,
 * aic/aicc/bic (with mod->k as given, or computed when k <= 0), sigma2, mse;
 * fitted/resid (may be NULL) get the one-step forecasts and the errors e
 * (relative errors for error M, as R's residuals()).
 */
int			ets_filter(EtsModel *mod, const double *y, int n,
					   double *fitted, double *resid);

/*
 * Estimate one model: error/trend/season/damped/m in *mod select it, the rest
 * is written.  work: NULL or >= 2n doubles.
 */
int			ets_fit(EtsModel *mod, const double *y, int n, const EtsOptions *opt,
					double *work);

/*
 * Fit every allowed model and keep the one with the smallest AICc.
 * m: seasonal period (1 = none).  n_fitted (may be NULL) = models tried.
 */
int			ets_auto(const double *y, int n, int m, const EtsOptions *opt,
					 EtsModel *best, int *n_fitted);

/*
 * Forecast h steps ahead from mod->x.  mean[h]; lo/hi (may be NULL) bounds of
 * the central prediction interval of coverage level in (0,1).
 */
int			ets_forecast(const EtsModel *mod, int h, double level,
						 double *mean, double *lo, double *hi);

/* ETS_OK if the struct is consistent (component codes, bounds, finite). */
int			ets_model_validate(const EtsModel *mod);

#endif							/* DOLIFLOW_ETS_H */
