/*
 * duration_model.h - predicting the actual duration (hours) of an intervention.
 *
 * Model (log-linear, ridge-penalised least squares):
 *   log(actual) = b0 + b1 * log(estimate)            when an estimate is known (> 0)
 *                    + b_missing                     when it is not
 *                    + type[t] + city[c] + technician[k] + severity[s] + month[m] + e,
 *   e ~ N(0, sigma^2).
 * Each categorical level is a one-hot column with ridge penalty lambda (b0, b1, b_missing
 * are unpenalised), so a level seen n_l times is shrunk roughly by n_l / (n_l + lambda)
 * towards 0 = "the global effect"; an unknown or absent level simply contributes 0.
 * Solved by Cholesky (GSL) on the normal equations, which are accumulated sparsely.
 *
 * Fitting is done once on all rows (the SQL aggregate state is the rows, interned), after
 * sorting level dictionaries and rows into a canonical order, so the result does not
 * depend on the order rows arrived in (serial and parallel plans agree bit for bit).
 *
 * Residual scale, separately for rows with an estimate (sigma) and without (sigma_noest,
 * usually larger: the estimate carries information): sigma^2 = (RSS + nu0 * s0^2) /
 * (n - df + nu0) over that group's rows, with the effective number of parameters
 * df = 3 + sum_l n_l / (n_l + lambda) of a ridge one-hot design shared in proportion to
 * the group sizes, and a weak prior nu0 = 2, s0 = 0.5 so that tiny training sets stay
 * sane. When no training row lacked an estimate, b_missing = b1 * mean(log estimate)
 * and sigma_noest^2 = sigma^2 + b1^2 * var(log estimate).
 *
 * Prediction for features x (mu = linear predictor):
 *   var = sg^2 * (1 + 1/n + sum_{known levels used} 1/(n_l + lambda))
 *         (sg = sigma, or sigma_noest when no estimate is given)
 *         + sum_{factors whose level is unknown or absent} tau_f^2,
 *   tau_f^2 = count-weighted mean of the squared fitted effects of factor f
 *   (the spread of that factor's effects: what not knowing the level costs);
 *   s = sqrt(var); predicted = exp(mu) (log-normal median), mean = exp(mu + s^2/2),
 *   interval [exp(mu - z s), exp(mu + z s)] with z the normal quantile of (1+level)/2;
 *   confidence = n / (n + 10) * 1 / (1 + sinh(z s)),
 *   where sinh(z s) = (hi - lo) / (2 * predicted) is the interval's relative half-width:
 *   1 for a tight interval backed by many rows, towards 0 for wide or poorly backed ones.
 *
 * Level names are normalised before use: leading/trailing ASCII blanks trimmed and ASCII
 * letters lower-cased ("  Paris " == "paris"); an empty name means absent.
 *
 * Pure core: no PostgreSQL header. Copyright (C) doliflow contributors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef DOLIFLOW_DURATION_MODEL_H
#define DOLIFLOW_DURATION_MODEL_H

#include "ana_common.h"

#define DM_DATA_MAGIC 0x44444644u	/* "DFDD" little-endian: training rows */
#define DM_MODEL_MAGIC 0x4d444644u	/* "DFDM": fitted model */
#define DM_VERSION 1

/* categorical factors; month is factor DM_MONTH with levels "1".."12" */
enum
{
	DM_TYPE = 0,
	DM_CITY = 1,
	DM_TECHNICIAN = 2,
	DM_SEVERITY = 3,
	DM_MONTH = 4,
	DM_NFACTORS = 5
};

#define DM_MAX_NAME 1000		/* bytes of a level name after normalisation */
#define DM_MAX_PARAMS 2048		/* 3 + levels kept; rarer levels fold into "unknown" */

const char *dm_factor_name(int factor);	/* "intervention_type", "city", ... */

/* One observation (training) or one feature set (prediction). */
typedef struct dm_obs
{
	const char *level[DM_NFACTORS - 1];	/* type, city, technician, severity; NULL = absent */
	int			month;			/* 1..12, 0 = absent (anything else: ANA_EDOMAIN) */
	double		estimate;		/* hours; <= 0 means no estimate; NaN/Inf -> ANA_ENONFINITE */
	double		actual;			/* hours, > 0 (training only) */
} dm_obs;

/* ---------- training rows (aggregate state) ---------- */

typedef struct dm_dict
{
	char	  **names;			/* normalised, NUL-terminated */
	uint32_t   *lens;
	uint64_t   *counts;			/* rows using the level */
	uint32_t	n;
	uint32_t	cap;
	uint32_t   *slots;			/* open addressing: id + 1, 0 = empty */
	uint32_t	nslots;
} dm_dict;

typedef struct dm_row
{
	uint32_t	level[DM_NFACTORS];	/* UINT32_MAX = absent */
	double		log_est;		/* log(estimate) or 0 when has_est = 0 */
	double		log_actual;
	int			has_est;
} dm_row;

typedef struct dm_data
{
	dm_dict		dict[DM_NFACTORS];
	dm_row	   *rows;
	size_t		n;
	size_t		cap;
} dm_data;

void		dm_data_init(dm_data *d);
void		dm_data_free(dm_data *d, const ana_alloc *al);
/*
 * Add one training row. ANA_EDOMAIN when actual <= 0 or month not in 0..12 (the glue
 * may skip such rows), ANA_ENONFINITE for NaN/Inf, ANA_EINVAL for a name longer than
 * DM_MAX_NAME bytes.
 */
int			dm_data_add(dm_data *d, const dm_obs *o, const ana_alloc *al);
/* append src's rows to dst (combine step) */
int			dm_data_merge(dm_data *dst, const dm_data *src, const ana_alloc *al);
int			dm_data_serialized_size(const dm_data *d, size_t *size);
int			dm_data_serialize(const dm_data *d, unsigned char *buf, size_t cap,
							  size_t *written);
int			dm_data_deserialize(dm_data *d, const unsigned char *buf, size_t len,
								const ana_alloc *al);

/* ---------- fitted model ---------- */

typedef struct dm_params
{
	double		lambda;			/* ridge penalty on level effects, default 5 */
	uint32_t	min_level_count;	/* levels seen fewer times fold into unknown, default 1 */
} dm_params;

void		dm_params_default(dm_params *p);

typedef struct dm_level
{
	char	   *name;
	uint32_t	len;
	double		coef;
	uint64_t	count;
} dm_level;

typedef struct dm_model
{
	double		lambda;
	double		sigma;			/* residual sd on the log scale, rows with an estimate */
	double		sigma_noest;	/* same for rows without an estimate */
	double		b0;				/* intercept */
	double		b_logest;		/* elasticity of actual w.r.t. estimate */
	double		b_missing;		/* shift when no estimate is given */
	uint64_t	n;				/* training rows */
	uint64_t	n_with_estimate;
	double		rmse_log;		/* in-sample RMSE on the log scale */
	uint32_t	n_levels[DM_NFACTORS];
	dm_level   *levels[DM_NFACTORS];	/* sorted by name (bytewise) */
	double		tau2[DM_NFACTORS];
} dm_model;

/* Fit on the rows (which get sorted). n = 0 -> ANA_EEMPTY. */
int			dm_fit(dm_data *d, const dm_params *p, const ana_alloc *al, dm_model **out);
void		dm_model_free(dm_model *m, const ana_alloc *al);

/* coefficient and training count of a level (name normalised first); ANA_EINVAL if unknown */
int			dm_model_level(const dm_model *m, int factor, const char *name, double *coef,
						   uint64_t *count);

typedef struct dm_prediction
{
	double		predicted;		/* exp(mu): median of the log-normal, hours */
	double		mean;			/* exp(mu + s^2/2) */
	double		lo;				/* lower bound of the `level` interval */
	double		hi;
	double		confidence;		/* in [0, 1], formula above */
	double		sigma;			/* s, log scale */
	int			known[DM_NFACTORS];	/* 1 if the level was known to the model */
	int			used_estimate;
} dm_prediction;

/* level in (0,1), e.g. 0.8; o->actual is ignored */
int			dm_predict(const dm_model *m, const dm_obs *o, double level, dm_prediction *out);

int			dm_model_serialized_size(const dm_model *m, size_t *size);
int			dm_model_serialize(const dm_model *m, unsigned char *buf, size_t cap,
							   size_t *written);
int			dm_model_deserialize(const unsigned char *buf, size_t len, const ana_alloc *al,
								 dm_model **out);

#endif							/* DOLIFLOW_DURATION_MODEL_H */
