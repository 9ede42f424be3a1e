/*
 * robust.h - robust location/scale statistics: selection (quickselect), median,
 * quantiles, MAD, robust z-scores, and a mergeable/serializable accumulation state for
 * per-peer-group SQL aggregates.
 *
 * Pure core: no PostgreSQL header. Copyright (C) doliflow contributors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef DOLIFLOW_ROBUST_H
#define DOLIFLOW_ROBUST_H

#include "ana_common.h"

/* consistency constant: 1.4826 * MAD estimates sigma for normal data */
#define ROBUST_MAD_SCALE 1.4826
/* sqrt(pi/2): mean absolute deviation * 1.2533 estimates sigma for normal data */
#define ROBUST_MEANAD_SCALE 1.2533
/* 2 * 0.6745: interquartile range / 1.349 estimates sigma for normal data */
#define ROBUST_IQR_SCALE 1.349
/* last-resort scale: max(REL * |median|, ABS) */
#define ROBUST_FLOOR_REL 0.01
#define ROBUST_FLOOR_ABS 1e-9

/*
 * Selection. All *_inplace functions permute x (the multiset of values is unchanged)
 * and reject NaN/Inf with ANA_ENONFINITE (checked before anything is moved), n = 0 with
 * ANA_EEMPTY. Expected O(n): quickselect with a median-of-three pivot and three-way
 * partitioning (fast on many equal values); after 2*log2(n)+8 rounds without
 * convergence it falls back to heapsort of the remaining range, so the worst case is
 * O(n log n).
 */
/* k-th smallest value (0-based): afterwards x[k] holds it, x[<k] <= x[k] <= x[>k] */
int			robust_select(double *x, size_t n, size_t k, double *out);
/* median; mean of the two middle values when n is even */
int			robust_median_inplace(double *x, size_t n, double *out);
/* quantile p in [0,1], linear interpolation between order statistics (R type 7) */
int			robust_quantile_inplace(double *x, size_t n, double p, double *out);
/*
 * Median and scaled MAD = 1.4826 * median(|x - median|). x is overwritten by the absolute
 * deviations. Either output pointer may be NULL.
 */
int			robust_mad_inplace(double *x, size_t n, double *median, double *mad);

/* Which estimator gave robust_summary.scale (see robust_summarize_inplace). */
typedef enum robust_scale_method
{
	ROBUST_SCALE_MAD = 0,		/* 1.4826 * MAD */
	ROBUST_SCALE_IQR = 1,		/* IQR / 1.349 */
	ROBUST_SCALE_MEANAD = 2,	/* 1.2533 * mean |x - median| */
	ROBUST_SCALE_FLOOR = 3		/* max(0.01 * |median|, 1e-9): all values equal */
} robust_scale_method;

const char *robust_scale_method_name(int method);	/* "mad", "iqr", "meanad", "floor" */

typedef struct robust_summary
{
	uint64_t	n;
	double		median;
	double		mad;			/* scaled: 1.4826 * median |x - median| */
	double		q1;				/* 25% quantile (type 7) */
	double		q3;				/* 75% quantile (type 7) */
	double		meanad;			/* unscaled mean |x - median| */
	double		min;
	double		max;
	double		scale;			/* > 0: the sigma estimate used by robust_z */
	int			scale_method;	/* robust_scale_method */
} robust_summary;

/*
 * Summary of n >= 1 finite values. x is permuted; scratch (n doubles, may alias nothing)
 * receives the deviations. Scale fallback chain, first one > 0 wins:
 *   1.4826 * MAD  ->  IQR / 1.349  ->  1.2533 * mean|x - median|  ->  floor
 * (MAD = 0 happens when half or more of the values are equal: the IQR then usually is 0
 * too but the mean absolute deviation is not, unless all values are equal, in which case
 * the floor max(0.01 * |median|, 1e-9) makes any differing value strongly anomalous
 * instead of dividing by zero.)
 */
int			robust_summarize_inplace(double *x, size_t n, double *scratch,
									 robust_summary *out);

/* z = (x - median) / scale; ANA_ENONFINITE for a non-finite x, ANA_ERANGE on overflow */
int			robust_z(const robust_summary *s, double x, double *z);

/*
 * Accumulation state of an aggregate: all values (robust statistics need them).
 * Zero-initialise (or robust_state_init) before use.
 */
typedef struct robust_state
{
	double	   *v;
	size_t		n;
	size_t		cap;
} robust_state;

void		robust_state_init(robust_state *st);
void		robust_state_free(robust_state *st, const ana_alloc *al);
/* append one finite value (ANA_ENONFINITE otherwise); amortised O(1) */
int			robust_state_add(robust_state *st, double x, const ana_alloc *al);
/* append all values of src to dst (the combine step of a parallel aggregate) */
int			robust_state_merge(robust_state *dst, const robust_state *src,
							   const ana_alloc *al);
/* summary of the values; permutes st->v (the multiset, hence the result, is unchanged) */
int			robust_state_summarize(robust_state *st, robust_summary *out,
								   const ana_alloc *al);

/* serialized size in bytes (ANA_EOVERFLOW if it would not fit a size_t) */
int			robust_state_serialized_size(const robust_state *st, size_t *size);
/* write into buf (cap bytes); *written = bytes used. ANA_EINVAL when cap is too small */
int			robust_state_serialize(const robust_state *st, unsigned char *buf,
								   size_t cap, size_t *written);
/*
 * Read a serialized state into st (initialised, empty). Validates magic, version, length,
 * checksum, count and finiteness; on error st stays empty.
 */
int			robust_state_deserialize(robust_state *st, const unsigned char *buf,
									 size_t len, const ana_alloc *al);

#define ROBUST_STATE_MAGIC 0x42524644u	/* "DFRB" little-endian */
#define ROBUST_STATE_VERSION 1

#endif							/* DOLIFLOW_ROBUST_H */
