/*
 * forecast.h - automatic demand forecasting per series, pure C core.
 *
 * Copyright (C) doliflow contributors.  GPL-3.0-or-later.
 *
 * Pure core: libc + GSL + the other cores (demand_class, ets, croston,
 * prophet); no PostgreSQL header, never prints, exits or aborts; every
 * function returns an FC_* status code.
 *
 * AUTOMATIC CHOICE (fc_fit with method FC_AUTO) has two tiers (FcOptions.tier):
 *   FC_TIER_FAST: steps 1-3 below, then smooth / erratic -> the Prophet-style
 *      model alone (no holdout: ~0.5 ms per 3-year daily series; measured
 *      more accurate than R prophet, R ets and the full tier on the generated
 *      daily demand of test/bench/forecast_accuracy.sh); intermittent /
 *      lumpy -> the cheap Croston / SBA / TSB holdout of step 4-5.  If the
 *      Prophet fit fails (fewer than PROPHET_MIN_OBS days) -> step 6.
 *   FC_TIER_FULL: steps 1-6 below (ETS by AICc over up to 15 models, Theta,
 *      Prophet, naive, ensembles, rolling-origin holdout: ~20-35 ms per
 *      3-year daily series); the M4 / carparts figures of the benchmark.
 *   FC_TIER_DEFAULT (0): FAST for daily data (period 7), FULL otherwise.
 *   use_prophet = 0 turns the FAST tier's Prophet step off: smooth / erratic
 *   series then get the FULL tier without Prophet.
 * REGRESSORS (events, holidays: FcOptions.xreg): only the Prophet-style model
 *   uses them.  With regressors the automatic choice always returns a model
 *   that uses them: FAST -> Prophet for every class but zero / constant /
 *   short; FULL -> the holdout winner among Prophet and the ensembles that
 *   contain it.
 *
 * FULL TIER:
 *   1. Reject NaN/Inf (FC_ENONFINITE); keep the last max_obs observations.
 *   2. Classify the series (demand_class.h: SBC ADI/CV2 cut-offs 1.32/0.49).
 *   3. zero -> FC_ZERO (forecast 0); constant -> FC_NAIVE (the constant);
 *      short (n < 4 or fewer than 2 demands) -> FC_MEAN (mean demand rate,
 *      intervals from the sample variance).
 *   4. intermittent / lumpy -> Croston, SBA (both alpha = 0.1 or optimised,
 *      option croston_opt) and TSB (optimised); smooth / erratic -> ETS chosen
 *      by AICc (ets.h), Theta (SES with drift, on seasonally adjusted data when
 *      a seasonality test passes), for daily data (period 7) the
 *      Prophet-style model (prophet.h), for non-seasonal data (period 1) the
 *      naive forecast; plus the mean and the median of those candidates as
 *      ensembles.
 *   5. The winner is the candidate with the smallest mean error over
 *      `origins` rolling-origin holdouts of `holdout` periods each (absolute
 *      error for smooth/erratic, squared error for intermittent/lumpy: the
 *      absolute error would reward a zero forecast), each candidate refitted
 *      on the data before the origin.  Too short for a holdout -> ETS by AICc
 *      (smooth/erratic) or SBA (intermittent/lumpy).  The winner is refitted
 *      on the whole series.
 *   6. Too short for a holdout -> ETS by AICc (smooth/erratic) or SBA
 *      (intermittent/lumpy), else Theta, else the mean.
 *   7. Calibration (FULL tier, smooth / erratic series): the chosen model is
 *      refitted at up to 4 origins (step H/2) over the end of the series (H =
 *      the holdout, at most n/3) and its 95% half widths, times the growth
 *      g(i) = 1 + 0.15 i / period (step i+1; period 1 for non-seasonal data),
 *      compared with its errors there: interval_scale = exp((k log(median
 *      |u| / 0.6745) + 8 log 1.7) / (k + 8)) within [0.5, 4], u = |error| /
 *      (half width / z_0.975), k errors (below 4, or too short: 1.7).
 *      fc_forecast multiplies the model's half widths at step i and level L
 *      by interval_scale x g(i) x t4(L) / t4(0.8) x z(0.8) / z(L) (Student t
 *      tails with 4 degrees of freedom beyond the 80% level).  The constants
 *      were fitted on series of M1 and Tourism that the accuracy bench does
 *      not score.  A model with interval_scale 1 (forced method, fast tier,
 *      intermittent, version 1) keeps the model's own intervals.
 *   nonneg (default on): forecasts and bounds are clamped at 0.
 *
 * MODEL VALUE (FcModel) and its bytes (fc_model_serialize): format 3 is the
 *   ana_common container shared by every model type [magic "DFFC", version,
 *   flags, payload length, 64-bit FNV-1a checksum of the payload] around
 *   fc_model_write()'s payload: the fixed part (method, class, statistics)
 *   then each member as [kind, length, fields], every field written
 *   explicitly little-endian, so the bytes do not depend on the host.
 *   Formats 1 and 2 (struct images of x86-64 builds) are still read, decoded
 *   field by field.  fc_model_deserialize checks magic, version, lengths,
 *   checksum, every code and count, finiteness, and each member with its
 *   core's validator: corrupted bytes give FC_ECORRUPT, never a crash.
 */
#ifndef DOLIFLOW_FORECAST_H
#define DOLIFLOW_FORECAST_H

#include <stddef.h>
#include <stdint.h>

#include "holidays.h"

#include "ana_common.h"
#include "croston.h"
#include "demand_class.h"
#include "ets.h"
#include "prophet.h"

#define FC_MAGIC		0x43464644u	/* "DFFC" (its little-endian bytes) */
#define FC_VERSION		3		/* 3: little-endian fields (ana_common);
								 * 2: freq, anchor, horizon, data_scale,
								 * interval_scale; versions 1 and 2 are
								 * still read */
#define FC_MAX_MEMBERS	4
#define FC_MAX_PERIOD	366

/* status codes (0 = success, negative = error) */
#define FC_OK			0
#define FC_EINVAL		(-1)	/* bad argument / option / NULL pointer */
#define FC_ETOOSHORT	(-2)	/* n = 0: nothing to fit */
#define FC_ENONFINITE	(-3)	/* NaN or +-Inf in the data */
#define FC_ENOMEM		(-4)
#define FC_ENUMERIC		(-5)	/* no candidate could be fitted */
#define FC_ECORRUPT		(-6)	/* serialized bytes fail validation */
#define FC_ESPACE		(-7)	/* output buffer too small */
#define FC_ERANGE		(-8)	/* a result outside the double range, or a
								 * date outside the calendar */

/*
 * frequencies (FcOptions.freq, FcModel.freq): what one position of the series
 * is.  FC_FREQ_DAY is the default (0 in a version-1 model means day).
 * Dates: day i = first_day + i; week i = first_day + 7 i; month, quarter and
 * year i = the month of first_day plus i, 3 i or 12 i months, on day
 * `anchor` of that month (clamped to its last day: anchor 31 = month ends).
 */
#define FC_FREQ_DAY		1
#define FC_FREQ_WEEK	2
#define FC_FREQ_MONTH	3
#define FC_FREQ_QUARTER	4
#define FC_FREQ_YEAR	5

/* methods (FcModel.method, FcOptions.method) */
#define FC_AUTO			0		/* options only: automatic choice */
#define FC_ZERO			1
#define FC_MEAN			2
#define FC_NAIVE		3
#define FC_ETS			4
#define FC_CROSTON		5
#define FC_SBA			6
#define FC_TSB			7
#define FC_THETA		8
#define FC_PROPHET		9
#define FC_ENS_MEAN		10		/* mean of the members */
#define FC_ENS_MEDIAN	11		/* median of the members */
#define FC_N_METHODS	12

/* tiers of the automatic choice (FcOptions.tier, FcModel.tier) */
#define FC_TIER_DEFAULT	0		/* options only: FAST if period 7, else FULL */
#define FC_TIER_FAST	1
#define FC_TIER_FULL	2

typedef struct FcOptions
{
	int			method;			/* FC_AUTO (default) or a method to force (an
								 * ensemble forces the combination of the
								 * candidates of the series' class) */
	int			nonneg;			/* default 1 */
	int			holdout;		/* holdout length; <= 0: auto = horizon if
								 * set, else 28 for period 7, else
								 * max(period, 6) */
	int			origins;		/* rolling origins, default 2 */
	int			max_obs;		/* fit on the last max_obs points, default
								 * 3660 (10 years of days) */
	int			croston_opt;	/* 1: optimise Croston/SBA alpha, 0 (default):
								 * 0.1 like R */
	int			use_prophet;	/* -1 auto (daily: period 7), 0 never, 1 yes */
	int			use_ensemble;	/* default 1 */
	int32_t		first_day;		/* day number of y[0] (days since
								 * 2000-01-01), used by the Prophet model */
	int			tier;			/* FC_TIER_DEFAULT / FAST / FULL (FC_AUTO) */
	int			freq;			/* FC_FREQ_*, default FC_FREQ_DAY; first_day
								 * is then the date of y[0] */
	int			anchor;			/* day of month for month/quarter/year
								 * (1..31, 0 = the day of first_day) */
	int			horizon;		/* horizon the model will be asked for (0 =
								 * unknown): the holdout length when
								 * holdout <= 0 */
	/*
	 * Regressors for the Prophet-style model (events, holidays): n_xreg
	 * columns, column-major, x_r(i) = xreg[r * ld_xreg + i] for the n_all
	 * observations given to fc_fit (ld_xreg >= n_all); xspec NULL (default
	 * priors) or n_xreg priors.  0 <= n_xreg <= PROPHET_MAX_REGRESSORS.
	 */
	const double *xreg;
	int			n_xreg;
	int			ld_xreg;
	const prophet_regressor *xspec;
	EtsOptions	ets;			/* ETS settings */
} FcOptions;

typedef struct FcSimple			/* FC_ZERO, FC_MEAN, FC_NAIVE */
{
	double		level;
	double		sigma2;			/* one-step variance */
	int32_t		n;
	int32_t		pad_;
} FcSimple;

typedef struct FcTheta			/* SES with drift (Hyndman & Billah 2003) */
{
	EtsModel	ses;			/* ETS(A,N,N) on the adjusted series */
	double		drift;			/* b/2, b = OLS slope of the adjusted series */
	int32_t		n;				/* series length */
	int32_t		m;				/* seasonal period (1 = not adjusted) */
	int32_t		phase;			/* seasonal position of the next period */
	int32_t		pad_;
	double		seas[ETS_MAX_M];	/* multiplicative seasonal indexes */
} FcTheta;

typedef struct FcMember
{
	int32_t		kind;			/* FC_ZERO .. FC_PROPHET */
	int32_t		pad_;
	union
	{
		FcSimple	simple;
		EtsModel	ets;
		CrostonModel croston;
		FcTheta		theta;
		prophet_model prophet;
	}			u;
} FcMember;

typedef struct FcModel
{
	uint32_t	magic;			/* FC_MAGIC */
	uint32_t	version;		/* FC_VERSION */
	int32_t		method;			/* FC_ZERO .. FC_ENS_MEDIAN */
	int32_t		demand_class;	/* DemandClass */
	int32_t		period;			/* seasonal period given to fc_fit */
	int32_t		n;				/* observations used by the fit */
	int32_t		n_total;		/* observations given (n <= n_total) */
	int32_t		nonneg;
	int32_t		holdout;		/* holdout length used (0 = none) */
	int32_t		origins;		/* rolling origins used */
	int32_t		n_members;		/* 1..FC_MAX_MEMBERS */
	int32_t		n_candidates;	/* candidates compared */
	int32_t		first_day;		/* day number of the first fitted value
								 * (FcOptions.first_day + n_total - n); the
								 * forecast starts at first_day + n */
	int32_t		tier;			/* tier of the automatic choice that chose
								 * the model (0: forced method or fallback) */
	double		adi;
	double		cv2;
	double		score;			/* holdout error of the winner (NaN-free: -1 if
								 * no holdout) */
	double		score_ets;		/* holdout error of ETS alone (-1 if none) */
	double		scale;			/* mean |y| of the fit window (info) */
	/* version 2 (a version-1 model reads as freq day, scales 1) */
	int32_t		freq;			/* FC_FREQ_* */
	int32_t		anchor;			/* day of month (month/quarter/year), else 0 */
	int32_t		horizon;		/* FcOptions.horizon (info) */
	int32_t		pad2_;
	double		data_scale;		/* the members see y / data_scale (a power
								 * of 2; 1 unless max|y| is above 1e30 or
								 * below 1e-30): forecasts are multiplied
								 * back, fc_fitted divides y */
	double		interval_scale; /* half widths of the intervals are
								 * multiplied by this, the horizon growth and
								 * the tail factor (1 = the model's own,
								 * uncalibrated) */
	FcMember	member[FC_MAX_MEMBERS];
} FcModel;

void		fc_default_options(FcOptions *opt);

/*
 * Fit y[0..n-1] (one value per period, oldest first, missing periods already
 * zero) with seasonal period `period` (7 for daily data, 1 for none).
 * opt NULL = defaults.
 */
int			fc_fit(const double *y, int n, int period, const FcOptions *opt,
				   FcModel *out);

/*
 * Forecast h periods after the last observation; level in (0,1) for the
 * central prediction interval; lo/hi may be NULL.
 */
int			fc_forecast(const FcModel *m, int h, double level,
						double *mean, double *lo, double *hi);

/*
 * fc_forecast with the future values of the regressors: x_r(i) =
 * x[r * ldx + i] for the h forecast days, r < fc_model_n_regressors(m);
 * x NULL = all zero (no event in the horizon).
 */
int			fc_forecast_x(const FcModel *m, int h, double level,
						  const double *x, int ldx,
						  double *mean, double *lo, double *hi);

/*
 * Regressors used by the model (0 if no member uses them) and the learned
 * coefficient of regressor r (z units: the log1p scale in log1p mode).
 */
int			fc_model_n_regressors(const FcModel *m);
int			fc_model_regressor(const FcModel *m, int r, double *beta, int *log1p_mode);

/*
 * In-sample one-step fitted values of the model on the same y it was fitted on
 * (the last m->n values of the series given to fc_fit): fitted[0..n-1].  For
 * ensembles the combination of the members' fitted values.
 */
int			fc_fitted(const FcModel *m, const double *y, int n, double *fitted);
/* fc_fitted with the regressors over the same n days (x NULL = zero). */
int			fc_fitted_x(const FcModel *m, const double *y, int n,
						const double *x, int ldx, double *fitted);

/* Serialized size of m (0 if m is invalid). */
size_t		fc_model_size(const FcModel *m);
/* Write m into buf (len >= fc_model_size(m)); *written = bytes used. */
int			fc_model_serialize(const FcModel *m, void *buf, size_t len, size_t *written);
/* Read and validate (formats 1 to 3); FC_ECORRUPT on any inconsistency. */
int			fc_model_deserialize(const void *buf, size_t len, FcModel *m);
/*
 * The payload alone (format 3, no container), for values that embed a model in
 * their own container (the SQL type forecast_model): fc_model_write appends it
 * to w; fc_model_read reads it at r's cursor and validates (FC_ECORRUPT).
 */
int			fc_model_write(ana_wbuf *w, const FcModel *m);
int			fc_model_read(ana_rbuf *r, FcModel *m);
/* FC_OK if the in-memory model is consistent. */
int			fc_model_validate(const FcModel *m);

/*
 * Readable one-line description ("ETS(A,Ad,A) alpha=0.02 ... AICc=... class=smooth")
 * and a JSON object with the same facts.  Return the length that was needed
 * (snprintf semantics); buf may be NULL when len is 0.
 */
int			fc_model_describe(const FcModel *m, char *buf, size_t len);
int			fc_model_json(const FcModel *m, char *buf, size_t len);

/*
 * Day number of position i of the model's calendar (0 = first fitted value,
 * m->n = first forecast); FC_ERANGE outside the calendar.
 */
int			fc_model_date(const FcModel *m, int64_t i, int32_t *day);
/* The same for a calendar not yet fitted: position i from first_day. */
int			fc_calendar_date(int freq, int anchor, int32_t first_day, int64_t i,
							 int32_t *day);
/* civil date <-> day number (days since 2000-01-01) */
/* day numbers (days since 2000-01-01) <-> civil dates: one copy, holidays.c's */
#define fc_days_from_civil hol_days_from_civil
#define fc_civil_from_days hol_civil_from_days
int			fc_days_in_month(int y, int m);
const char *fc_freq_name(int freq);

const char *fc_method_name(int method);
const char *fc_strerror(int status);

#endif							/* DOLIFLOW_FORECAST_H */
