/*
 * prophet.h - Prophet-style daily forecasting model as a pure C core.
 *
 * Copyright (C) doliflow contributors.  GPL-3.0-or-later.
 *
 * Pure core: includes no PostgreSQL header (libc + GSL only), never prints,
 * never exits/aborts; every function returns a PROPHET_* status code.
 * prophet_fit switches GSL's error handler off around its GSL calls and
 * restores the previous one (process-global: not for concurrent threads).
 * Cost: fit ~0.5 ms for 3 years of daily data, 0.3 s for 10^6 days; memory
 * O(p^2) (~100 kB), independent of n.
 *
 * MODEL (daily data, day numbers are absolute: days since 2000-01-01, which
 * is PostgreSQL's DateADT epoch, so a `date` converts without arithmetic):
 *
 *   z(d) = trend(d) + weekly(d) + yearly(d) + sum_r beta_r * x_r(d) + eps
 *
 *   z = y              (PROPHET_ADDITIVE)
 *   z = log1p(y)       (PROPHET_LOG1P: multiplicative behaviour, y >= 0)
 *
 *   trend(d)  = m + k*(d - origin) + sum_j delta_j * max(0, d - cp_day[j])
 *   weekly(d) = sum_{i=1..W} a_i cos(2 pi i d / 7)      + b_i sin(2 pi i d / 7)
 *   yearly(d) = sum_{i=1..Y} c_i cos(2 pi i d / P) + e_i sin(2 pi i d / P),
 *               P = 365.25 or options.season_period (any seasonal cycle of
 *               the time unit: 12 for monthly positions, 4 quarterly, ...)
 *
 * Changepoint candidates: n_changepoints evenly spaced over the first
 * changepoint_range of the history (Prophet's defaults: 25 in the first 80%).
 *
 * FIT: penalised least squares = MAP estimate under Prophet's priors, with y
 * scaled internally by max|z| (as Prophet does): Gaussian priors on
 * m, k (sd 5), seasonal coefficients (sd seasonality_prior_scale) and
 * regressors (caller's prior mean/sd); Laplace prior (scale
 * changepoint_prior_scale) on the slope changes delta, solved by iteratively
 * reweighted ridge (|d| ~ d^2 / |d_prev|; a few Cholesky solves of the small
 * p x p system).  The residual sigma is re-estimated between iterations
 * (RSS / (n - effective degrees of freedom)).  The design matrix is never
 * stored: rows are generated in fixed-size blocks and accumulated into X'X and
 * X'z, so memory is O(p^2) independent of n and time is O(n p^2 + p^3).
 * When opt.holdout > 0 and the history is long enough (n >= 5 holdout), the
 * changepoint prior scale is chosen from a small grid by the squared error on
 * the last `holdout` days (fit on the prefix, error computed from the split
 * Gram matrices: no extra pass over the data).
 *
 * INTERVALS (analytic, deterministic, no PRNG): at h days past the last
 * observed day, variance = sigma^2 + trend variance, where the trend variance
 * is Prophet's future-changepoint model taken in closed form: a slope change
 * occurs each future day with probability rate = (#candidates / span of
 * candidates) and is Laplace with scale lambda = mean |delta| of the fit, so
 *   Var[trend shift at h] = rate * 2 lambda^2 * sum_{s=1..h} (h - s)^2
 * and the bounds are mean -/+ z_{(1+level)/2} * sd (normal approximation),
 * computed on the z scale and mapped back (expm1 in log1p mode: quantiles
 * commute with a monotone transform).  With nonneg, mean and bounds are
 * clamped at 0.
 *
 * REGRESSORS (holidays, promotions, closures, any real-valued series): the
 * caller passes the columns; an event window (days before/after) is applied
 * by the caller with prophet_window_expand() on the full calendar column
 * before splitting it into history and future parts.  Each regressor has a
 * Gaussian prior (mean, sd) in z units, or is fixed to its prior mean, so an
 * effect learned earlier (model.beta_reg[r]) can be fed back as a prior.
 * In LOG1P mode an effect beta is multiplicative: (1 + y) is multiplied by
 * exp(beta) on the days where x = 1 (beta = log(0.1) ~ -2.3: a 90% drop).
 *
 * SERIALIZATION: prophet_model is a flat struct of fixed size with no pointers
 * (memcpy-able; host byte order).  All coefficients are stored in z units and
 * absolute day numbers, so prediction needs nothing else.  Validate anything
 * read back from storage with prophet_model_validate() before use.
 */
#ifndef DOLIFLOW_PROPHET_H
#define DOLIFLOW_PROPHET_H

#include <stddef.h>
#include <stdint.h>

#define PROPHET_MAGIC			0x50525048u	/* "PRPH" */
#define PROPHET_VERSION			1

#define PROPHET_MAX_CHANGEPOINTS	50
#define PROPHET_MAX_WEEKLY_ORDER	3
#define PROPHET_MAX_YEARLY_ORDER	20
#define PROPHET_MAX_REGRESSORS		32
#define PROPHET_MIN_OBS			14	/* fewer -> PROPHET_ETOOSHORT */
#define PROPHET_MAX_OBS			100000000

/* status codes (0 = success, negative = error) */
#define PROPHET_OK			0
#define PROPHET_EINVAL		(-1)	/* bad argument / option / NULL pointer */
#define PROPHET_ETOOSHORT	(-2)	/* n < PROPHET_MIN_OBS: caller falls back */
#define PROPHET_ENONFINITE	(-3)	/* NaN/Inf in y or a regressor */
#define PROPHET_ENOMEM		(-4)	/* allocation failed / workspace too small */
#define PROPHET_ENUMERIC	(-5)	/* normal equations not positive definite */
#define PROPHET_ECORRUPT	(-6)	/* prophet_model_validate: bad model bytes */

/* modes */
#define PROPHET_ADDITIVE	0
#define PROPHET_LOG1P		1

typedef struct prophet_options
{
	int			n_changepoints;		/* default 25, 0..PROPHET_MAX_CHANGEPOINTS */
	double		changepoint_range;	/* default 0.8, in (0, 1] */
	double		changepoint_prior_scale;	/* Laplace scale, default 0.05 */
	double		seasonality_prior_scale;	/* Gaussian sd, default 10 */
	double		regressor_prior_scale;	/* default sd for regressors whose
										 * prior_scale <= 0, in scaled units
										 * (x max|z|), default 10 */
	int			weekly;				/* -1 auto (on), 0 off, 1 on */
	int			weekly_order;		/* default 3 */
	int			yearly;				/* -1 auto (on if span >= 730 days) */
	int			yearly_order;		/* default 10 */
	int			season_period;		/* period of the "yearly" Fourier term in
									 * time units: 0 (default) = 365.25 days;
									 * 2..366 = that many units (e.g. 12 for
									 * monthly positions); the auto switch
									 * turns it on when the span covers two
									 * periods */
	int			mode;				/* PROPHET_LOG1P (default: demand is
									 * non-negative and mostly multiplicative;
									 * measured better on test/bench) or
									 * PROPHET_ADDITIVE (Prophet's default;
									 * needed when y can be negative) */
	int			nonneg;				/* default 1: clamp forecasts/bounds at 0 */
	int			holdout;			/* default 0 (no tuning: fixed Prophet
									 * priors were as good on test/bench and
									 * twice as fast); > 0: days held out to
									 * choose the changepoint prior scale in
									 * {0.02,0.2,1,10} x changepoint_prior_scale */
	int			irls_iter;			/* default 5: L1 reweighting passes
									 * (0 = plain ridge, Gaussian prior with
									 * the same variance 2 tau^2) */
} prophet_options;

typedef struct prophet_regressor
{
	double		prior_mean;		/* z units per unit of x (default 0) */
	double		prior_scale;	/* Gaussian sd in z units; <= 0 -> default
								 * regressor_prior_scale * max|z| */
	int			fixed;			/* nonzero: beta = prior_mean, not estimated */
} prophet_regressor;

typedef struct prophet_model
{
	uint32_t	magic;			/* PROPHET_MAGIC */
	uint32_t	version;		/* PROPHET_VERSION */
	int32_t		mode;			/* PROPHET_ADDITIVE / PROPHET_LOG1P */
	int32_t		nonneg;
	int32_t		n_obs;			/* history length used by the fit */
	int32_t		first_day;		/* first history day (days since 2000-01-01) */
	int32_t		last_day;		/* last history day; horizon counts from here */
	int32_t		n_changepoints;
	int32_t		weekly_order;	/* 0 = no weekly term */
	int32_t		yearly_order;	/* 0 = no yearly term */
	int32_t		n_regressors;
	int32_t		season_period;	/* 0: yearly term of 365.25 days (the
								 * only value of models before it existed);
								 * 2..366: period of that term in units */
	double		k;				/* base slope per day (z units) */
	double		m;				/* trend value at first_day */
	double		cp_day[PROPHET_MAX_CHANGEPOINTS];	/* absolute day numbers */
	double		delta[PROPHET_MAX_CHANGEPOINTS];	/* slope changes per day */
	double		weekly[2 * PROPHET_MAX_WEEKLY_ORDER];	/* a1,b1,a2,b2,... */
	double		yearly[2 * PROPHET_MAX_YEARLY_ORDER];	/* c1,e1,c2,e2,... */
	double		beta_reg[PROPHET_MAX_REGRESSORS];	/* learned effects, z units */
	double		sigma;			/* residual sd, z units */
	double		cp_rate;		/* future changepoints per day (intervals) */
	double		cp_scale;		/* mean |delta| (intervals) */
	double		changepoint_prior_scale;	/* value used (after tuning) */
	double		y_scale;		/* max|z| of the history (info) */
} prophet_model;

/* Fill *opt with the defaults above. */
int			prophet_default_options(prophet_options *opt);

/*
 * Bytes of workspace prophet_fit needs for these options and n_reg regressors
 * (independent of n).  0 on invalid arguments.
 */
size_t		prophet_workspace_size(const prophet_options *opt, int n_reg);

/*
 * Fit the model.
 *   opt        options (NULL = defaults)
 *   y          n observations, day first_day + i (or days[i] when days != NULL)
 *   days       NULL (consecutive days) or n strictly increasing day numbers
 *              (gaps allowed; first_day is then ignored and taken as days[0])
 *   reg        NULL or n_reg columns, column-major: x_r(i) = reg[r * ld_reg + i]
 *   regspec    NULL (all defaults) or n_reg prior specs
 *   work       NULL (malloc/free inside) or a buffer of >= work_size bytes,
 *              work_size >= prophet_workspace_size(opt, n_reg), 8-aligned
 *   out        the fitted model (fully written on PROPHET_OK)
 */
int			prophet_fit(const prophet_options *opt,
						const double *y, int n, int32_t first_day,
						const int32_t *days,
						const double *reg, int n_reg, int ld_reg,
						const prophet_regressor *regspec,
						void *work, size_t work_size,
						prophet_model *out);

/*
 * Predict h consecutive days starting at first_day (any day: in-sample days
 * give fitted values; days after model->last_day widen the intervals).
 *   reg        NULL if the model has no regressors, else model->n_regressors
 *              columns of h future values: x_r(i) = reg[r * ld_reg + i]
 *   levels     n_levels (0..16) coverage levels in (0,1), e.g. {0.8, 0.95}
 *   mean       h point forecasts (y units)
 *   lower/upper  NULL or n_levels * h values: bound of level l for day i at
 *              [l * h + i]
 */
int			prophet_predict(const prophet_model *model,
							int32_t first_day, int h,
							const double *reg, int ld_reg,
							int n_levels, const double *levels,
							double *mean, double *lower, double *upper);

/*
 * Event window: out[i] = the x[e] with largest |x[e]| over the days e with
 * e + lower <= i <= e + upper (lower <= 0 <= upper, Prophet's lower_window /
 * upper_window), so one coefficient covers the event and its window.
 * out may not alias x.
 */
int			prophet_window_expand(const double *x, int len, int lower, int upper,
								  double *out);

/* PROPHET_OK if the struct read from storage is consistent (magic, version,
 * counts in range, every value finite), else PROPHET_ECORRUPT. */
int			prophet_model_validate(const prophet_model *model);

/* Serialized size (= sizeof(prophet_model)); pack/unpack are memcpy plus
 * validation, for glue that stores the model in a bytea. */
size_t		prophet_model_size(void);
int			prophet_model_pack(const prophet_model *model, void *buf, size_t len);
int			prophet_model_unpack(const void *buf, size_t len, prophet_model *model);

/* Static English message for a status code. */
const char *prophet_strerror(int status);

#endif							/* DOLIFLOW_PROPHET_H */
