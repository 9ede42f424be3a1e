/*
 * lead_time_errors.h
 *		Back-test of the SQL baseline demand model over the lead time, for one
 *		product (pure core: libc only, no PostgreSQL header).
 *
 * What doliflow._lead_time_errors computed in one SQL statement (window sums
 * and lags over a product x day grid), per product: at origins
 * first_origin + k x step (k < n_origins) the model of doliflow._baseline_model
 * (level, 7 weekday factors, sigma) and, for every decision day d of the
 * origin (origin .. origin + step - 1), the errors of its forecast of the
 * demand over L + R days against the actual demand, ordered by day then
 * horizon.  The series is the SQL's grid: day 0 is its first day, days without
 * demand are 0; the results depend on where it starts (the windows are
 * differences of running sums from day 0, as in the SQL), so the caller passes
 * the grid the SQL built: from first_origin - max(dow_days, level_days).
 *
 * Day indexes are int64 offsets from day 0.  Every figure follows the SQL's
 * float8 arithmetic operation by operation (same order of the additions), so
 * results are bitwise those of the SQL on finite data; NaN and +-Infinity
 * demands propagate as there (a running sum that met one stays NaN/Inf, so
 * every later window of it is NaN: see lead_time_errors.c).
 *
 * Copyright (C) 2026 the doliflow authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef DOLIFLOW_LEAD_TIME_ERRORS_H
#define DOLIFLOW_LEAD_TIME_ERRORS_H

#include <stddef.h>
#include <stdint.h>

/* Status codes (lte_strerror gives a sentence). */
#define LTE_OK				0
#define LTE_E_N				1	/* n < 0 or too large */
#define LTE_E_FIRST_DOW		2	/* first_dow not 1..7 */
#define LTE_E_DOW_DAYS		3	/* dow_days < 0 or too large */
#define LTE_E_LEVEL_DAYS	4	/* level_days < 0 or too large */
#define LTE_E_LEAD			5	/* lead < 1 or too large */
#define LTE_E_REVIEW		6	/* review < 1 or too large */
#define LTE_E_LAST_DAY		7	/* |last_day| too large */
#define LTE_E_STEP			8	/* step < 1 or too large */
#define LTE_E_ORIGINS		9	/* n_origins < 0 or too large */
#define LTE_E_FIRST_ORIGIN	10	/* the first origin's windows start before day 0 */
#define LTE_E_SPAN			11	/* the last decision day is after the series */
#define LTE_E_LT_RECEIVED	12	/* |lt_received[i]| too large */
#define LTE_E_LT_DAYS		13	/* lt_days[i] < 0 or too large */
#define LTE_E_N_LT			14	/* n_lt < 0 or too large */
#define LTE_E_NULL			15	/* a NULL pointer where data is needed */
#define LTE_E_K				16	/* origin number out of 0 .. n_origins - 1 */

/* Bound of every day count and index given (|x| <= LTE_MAX): sums of a few of
 * them never overflow int64. */
#define LTE_MAX				((int64_t) 1 << 40)

typedef struct lte_input
{
	const double *q;			/* n daily demands (day 0 .. n - 1) */
	const unsigned char *hol;	/* n flags: nonzero = public holiday */
	int64_t		n;
	int			first_dow;		/* ISO weekday (1 = Monday .. 7) of day 0 */
	int64_t		dow_days;		/* weekday means over the dow_days days ending at the origin */
	int64_t		level_days;		/* level and sigma over the level_days days ending there */
	int64_t		lead;			/* planned lead time L (>= 1) */
	int64_t		review;			/* review period R (>= 1) */
	int64_t		last_day;		/* index of the last day of loaded demand (< 0: none) */
	int64_t		first_origin;	/* index of the first origin */
	int64_t		n_origins;		/* origins first_origin + k x step, k < n_origins */
	int64_t		step;
	const int64_t *lt_received; /* n_lt real lead times: index of the reception day */
	const int64_t *lt_days;		/* and its lead time in days (>= 0) */
	int64_t		n_lt;
} lte_input;

/* The model at one origin. */
typedef struct lte_model
{
	int64_t		origin;			/* index of the origin */
	double		level;			/* coalesce(level, 0) */
	double		dow_factor[7];	/* ISO weekdays 1..7 */
	double		sigma;
	int64_t		lead_time_days; /* L */
	int64_t		risk_days;		/* L + R */
} lte_model;

/*
 * Called for every error in the order of the SQL's array_agg (day, then
 * horizon): day = index of the decision day, horizon = l + R (l the lead time
 * the error is over), known on day + horizon.  Returns 0 to go on; anything
 * else stops lte_origin, which returns it.
 */
typedef int (*lte_emit_fn) (void *arg, int64_t day, int64_t horizon, double error);

/* Checks the input (the status of the first problem found). */
int			lte_check(const lte_input *in);

/* Bytes of workspace lte_prepare needs for this input (0 when it does not fit
 * in a size_t; lte_check first). */
size_t		lte_workspace_bytes(const lte_input *in);

/* Fills the workspace (running sums, lead times sorted); checks first. */
int			lte_prepare(const lte_input *in, void *ws);

/* The model at origin k (0 .. n_origins - 1) and its errors, passed to emit
 * (NULL: none).  ws as lte_prepare left it (its scratch part is used). */
int			lte_origin(const lte_input *in, void *ws, int64_t k, lte_model *out,
					   lte_emit_fn emit, void *arg);

const char *lte_strerror(int status);

#endif
