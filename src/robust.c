/*
 * robust.c - quickselect, median, quantiles, MAD, robust z, mergeable state.
 *
 * Pure core: no PostgreSQL header. Copyright (C) doliflow contributors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "robust.h"

#include <math.h>
#include <string.h>

static int
check_finite(const double *x, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return ANA_ENONFINITE;
	return ANA_OK;
}

static inline void
swapd(double *a, double *b)
{
	double		t = *a;

	*a = *b;
	*b = t;
}

/* heapsort of x[0..n) (fallback that bounds quickselect's worst case) */
static void
sift_down(double *x, size_t start, size_t end)
{
	size_t		root = start;

	while (2 * root + 1 < end)
	{
		size_t		child = 2 * root + 1;

		if (child + 1 < end && x[child] < x[child + 1])
			child++;
		if (x[root] < x[child])
		{
			swapd(&x[root], &x[child]);
			root = child;
		}
		else
			return;
	}
}

static void
heapsort_d(double *x, size_t n)
{
	size_t		i,
				end;

	if (n < 2)
		return;
	for (i = n / 2; i-- > 0;)
		sift_down(x, i, n);
	for (end = n - 1; end > 0; end--)
	{
		swapd(&x[0], &x[end]);
		sift_down(x, 0, end);
	}
}

static unsigned
ilog2(size_t n)
{
	unsigned	r = 0;

	while (n >>= 1)
		r++;
	return r;
}

/* quickselect on finite values; x[k] ends up in its sorted position */
static double
select_k(double *x, size_t n, size_t k)
{
	size_t		lo = 0,
				hi = n;			/* active range [lo, hi) contains position k */
	unsigned	rounds = 0,
				limit = 2 * ilog2(n) + 8;

	while (hi - lo > 1)
	{
		size_t		mid,
					lt,
					gt,
					i;
		double		a,
					b,
					c,
					pivot;

		if (++rounds > limit)
		{
			heapsort_d(x + lo, hi - lo);
			return x[k];
		}
		mid = lo + (hi - lo) / 2;
		a = x[lo];
		b = x[mid];
		c = x[hi - 1];
		/* median of three */
		if (a < b)
			pivot = b < c ? b : (a < c ? c : a);
		else
			pivot = a < c ? a : (b < c ? c : b);
		/* Dijkstra three-way partition: [lo,lt) < p, [lt,gt) == p, [gt,hi) > p */
		lt = lo;
		gt = hi;
		i = lo;
		while (i < gt)
		{
			if (x[i] < pivot)
				swapd(&x[lt++], &x[i++]);
			else if (x[i] > pivot)
				swapd(&x[i], &x[--gt]);
			else
				i++;
		}
		if (k < lt)
			hi = lt;
		else if (k >= gt)
			lo = gt;
		else
			return pivot;
	}
	return x[k];
}

/* smallest value of x[from..n) */
static double
min_from(const double *x, size_t from, size_t n)
{
	double		m = x[from];
	size_t		i;

	for (i = from + 1; i < n; i++)
		if (x[i] < m)
			m = x[i];
	return m;
}

int
robust_select(double *x, size_t n, size_t k, double *out)
{
	int			rc;

	if (!x && n > 0)
		return ANA_EINVAL;
	if (n == 0)
		return ANA_EEMPTY;
	if (k >= n || !out)
		return ANA_EINVAL;
	if ((rc = check_finite(x, n)) != ANA_OK)
		return rc;
	*out = select_k(x, n, k);
	return ANA_OK;
}

static double
midpoint(double a, double b)
{
	return 0.5 * a + 0.5 * b;	/* no overflow for finite a, b */
}

static double
median_finite(double *x, size_t n)
{
	size_t		k = (n - 1) / 2;
	double		lo = select_k(x, n, k);

	if (n % 2 == 1)
		return lo;
	return midpoint(lo, min_from(x, k + 1, n));
}

int
robust_median_inplace(double *x, size_t n, double *out)
{
	int			rc;

	if ((!x && n > 0) || !out)
		return ANA_EINVAL;
	if (n == 0)
		return ANA_EEMPTY;
	if ((rc = check_finite(x, n)) != ANA_OK)
		return rc;
	*out = median_finite(x, n);
	return ANA_OK;
}

static double
quantile_finite(double *x, size_t n, double p)
{
	double		h = (double) (n - 1) * p;
	size_t		lo = (size_t) floor(h);
	double		frac,
				vlo,
				vhi,
				diff;

	if (lo >= n - 1)
		return select_k(x, n, n - 1);
	frac = h - (double) lo;
	vlo = select_k(x, n, lo);
	if (frac <= 0.0)
		return vlo;
	vhi = min_from(x, lo + 1, n);
	diff = vhi - vlo;
	if (isfinite(diff))
		return vlo + frac * diff;
	return vlo * (1.0 - frac) + vhi * frac;
}

int
robust_quantile_inplace(double *x, size_t n, double p, double *out)
{
	int			rc;

	if ((!x && n > 0) || !out || !(p >= 0.0 && p <= 1.0))
		return ANA_EINVAL;
	if (n == 0)
		return ANA_EEMPTY;
	if ((rc = check_finite(x, n)) != ANA_OK)
		return rc;
	*out = quantile_finite(x, n, p);
	return ANA_OK;
}

int
robust_mad_inplace(double *x, size_t n, double *median, double *mad)
{
	int			rc;
	double		med;
	size_t		i;

	if (!x && n > 0)
		return ANA_EINVAL;
	if (n == 0)
		return ANA_EEMPTY;
	if ((rc = check_finite(x, n)) != ANA_OK)
		return rc;
	med = median_finite(x, n);
	for (i = 0; i < n; i++)
	{
		x[i] = fabs(x[i] - med);
		if (!isfinite(x[i]))
			return ANA_ERANGE;
	}
	if (median)
		*median = med;
	if (mad)
	{
		*mad = ROBUST_MAD_SCALE * median_finite(x, n);
		if (!isfinite(*mad))
			return ANA_ERANGE;
	}
	return ANA_OK;
}

const char *
robust_scale_method_name(int method)
{
	switch (method)
	{
		case ROBUST_SCALE_MAD:
			return "mad";
		case ROBUST_SCALE_IQR:
			return "iqr";
		case ROBUST_SCALE_MEANAD:
			return "meanad";
		case ROBUST_SCALE_FLOOR:
			return "floor";
	}
	return "unknown";
}

/*
 * Order-independent sum of non-negative finite doubles: every value is split into an
 * integer mantissa (< 2^53) and a binary exponent and added exactly into a per-exponent
 * 64-bit bin (overflowing bins carry into the next exponent). The bins are then put in
 * canonical form and summed from the top, so the result depends only on the multiset of
 * values, never on their order: serial and parallel aggregates agree bit for bit.
 */
#define DSUM_BIAS 1126			/* 2^-1074 = 2^52 * 2^-1126 */
#define DSUM_NBINS 2240

static void
dsum_add(uint64_t *bins, int idx, uint64_t v)
{
	while (v != 0 && idx < DSUM_NBINS)
	{
		if (bins[idx] <= UINT64_MAX - v)
		{
			bins[idx] += v;
			return;
		}
		/* bins[idx] + v overflows: move all but the low bit of the sum one bin up */
		{
			uint64_t	t = bins[idx];
			uint64_t	hi = (t >> 1) + (v >> 1) + (t & v & 1);

			bins[idx] = (t ^ v) & 1;
			v = hi;
			idx++;
		}
	}
}

static double
det_sum_nonneg(const double *x, size_t n, uint64_t *bins)
{
	size_t		i;
	int			b;
	double		s = 0.0;

	memset(bins, 0, DSUM_NBINS * sizeof(uint64_t));
	for (i = 0; i < n; i++)
	{
		int			e;
		double		m;

		if (x[i] == 0.0)
			continue;
		m = frexp(x[i], &e);
		dsum_add(bins, e - 53 + DSUM_BIAS, (uint64_t) ldexp(m, 53));
	}
	for (b = 0; b < DSUM_NBINS - 1; b++)
	{
		uint64_t	up = bins[b] >> 1;

		bins[b] &= 1;
		dsum_add(bins, b + 1, up);
	}
	for (b = DSUM_NBINS - 1; b >= 0; b--)
		if (bins[b])
			s += ldexp((double) bins[b], b - DSUM_BIAS);
	return s;
}

int
robust_summarize_inplace(double *x, size_t n, double *scratch, robust_summary *out)
{
	int			rc;
	size_t		i;
	double		med,
				mn,
				mx,
				meanad = 0.0,
				q1,
				q3,
				mad,
				iqr;

	if ((!x && n > 0) || !out || (!scratch && n > 0))
		return ANA_EINVAL;
	if (n == 0)
		return ANA_EEMPTY;
	if ((rc = check_finite(x, n)) != ANA_OK)
		return rc;
	mn = mx = x[0];
	for (i = 1; i < n; i++)
	{
		if (x[i] < mn)
			mn = x[i];
		if (x[i] > mx)
			mx = x[i];
	}
	med = median_finite(x, n);
	q1 = quantile_finite(x, n, 0.25);
	q3 = quantile_finite(x, n, 0.75);
	for (i = 0; i < n; i++)
	{
		double		dv = fabs(x[i] - med);

		if (!isfinite(dv))
			return ANA_ERANGE;
		scratch[i] = dv;
	}
	{
		uint64_t	bins[DSUM_NBINS];	/* 17.5 kB of stack, no allocation */

		meanad = det_sum_nonneg(scratch, n, bins) / (double) n;
		if (!isfinite(meanad))	/* sum overflowed: mean of the halves */
		{
			for (i = 0; i < n; i++)
				scratch[i] *= 0.5;
			meanad = 2.0 * (det_sum_nonneg(scratch, n, bins) / (double) n);
			for (i = 0; i < n; i++)
				scratch[i] *= 2.0;
		}
	}
	mad = ROBUST_MAD_SCALE * median_finite(scratch, n);
	iqr = q3 - q1;
	if (!isfinite(iqr) || !isfinite(mad))
		return ANA_ERANGE;

	out->n = (uint64_t) n;
	out->median = med;
	out->mad = mad;
	out->q1 = q1;
	out->q3 = q3;
	out->meanad = meanad;
	out->min = mn;
	out->max = mx;
	if (mad > 0.0)
	{
		out->scale = mad;
		out->scale_method = ROBUST_SCALE_MAD;
	}
	else if (iqr > 0.0)
	{
		out->scale = iqr / ROBUST_IQR_SCALE;
		out->scale_method = ROBUST_SCALE_IQR;
	}
	else if (meanad > 0.0)
	{
		out->scale = ROBUST_MEANAD_SCALE * meanad;
		out->scale_method = ROBUST_SCALE_MEANAD;
	}
	else
	{
		double		f = ROBUST_FLOOR_REL * fabs(med);

		out->scale = f > ROBUST_FLOOR_ABS ? f : ROBUST_FLOOR_ABS;
		out->scale_method = ROBUST_SCALE_FLOOR;
	}
	return ANA_OK;
}

int
robust_z(const robust_summary *s, double x, double *z)
{
	double		v;

	if (!s || !z || !(s->scale > 0.0) || !isfinite(s->scale) || !isfinite(s->median))
		return ANA_EINVAL;
	if (!isfinite(x))
		return ANA_ENONFINITE;
	v = (x - s->median) / s->scale;
	if (!isfinite(v))
		return ANA_ERANGE;
	*z = v;
	return ANA_OK;
}

/* ---------- state ---------- */

void
robust_state_init(robust_state *st)
{
	st->v = NULL;
	st->n = 0;
	st->cap = 0;
}

void
robust_state_free(robust_state *st, const ana_alloc *al)
{
	if (!st)
		return;
	ana_free(al, st->v);
	robust_state_init(st);
}

static int
reserve(robust_state *st, size_t need, const ana_alloc *al)
{
	size_t		cap,
				bytes;
	double	   *nv;

	if (need <= st->cap)
		return ANA_OK;
	cap = st->cap ? st->cap : 64;
	while (cap < need)
	{
		if (cap > SIZE_MAX / 2)
			return ANA_EOVERFLOW;
		cap *= 2;
	}
	if (ana_mul_size(cap, sizeof(double), &bytes) != ANA_OK)
		return ANA_EOVERFLOW;
	nv = st->v ? ana_realloc(al, st->v, bytes) : ana_malloc(al, bytes);
	if (!nv)
		return ANA_ENOMEM;
	st->v = nv;
	st->cap = cap;
	return ANA_OK;
}

int
robust_state_add(robust_state *st, double x, const ana_alloc *al)
{
	int			rc;

	if (!st)
		return ANA_EINVAL;
	if (!isfinite(x))
		return ANA_ENONFINITE;
	if (st->n == SIZE_MAX)
		return ANA_EOVERFLOW;
	if ((rc = reserve(st, st->n + 1, al)) != ANA_OK)
		return rc;
	st->v[st->n++] = x;
	return ANA_OK;
}

int
robust_state_merge(robust_state *dst, const robust_state *src, const ana_alloc *al)
{
	int			rc;

	if (!dst || !src)
		return ANA_EINVAL;
	if (src->n == 0)
		return ANA_OK;
	if (dst->n > SIZE_MAX - src->n)
		return ANA_EOVERFLOW;
	if ((rc = reserve(dst, dst->n + src->n, al)) != ANA_OK)
		return rc;
	memcpy(dst->v + dst->n, src->v, src->n * sizeof(double));
	dst->n += src->n;
	return ANA_OK;
}

int
robust_state_summarize(robust_state *st, robust_summary *out, const ana_alloc *al)
{
	double	   *scratch;
	int			rc;

	if (!st || !out)
		return ANA_EINVAL;
	if (st->n == 0)
		return ANA_EEMPTY;
	scratch = ana_malloc(al, st->n * sizeof(double));	/* fits: st->v has this size */
	if (!scratch)
		return ANA_ENOMEM;
	rc = robust_summarize_inplace(st->v, st->n, scratch, out);
	ana_free(al, scratch);
	return rc;
}

/* payload: u64 n | n x f64 */
int
robust_state_serialized_size(const robust_state *st, size_t *size)
{
	size_t		b;

	if (!st || !size)
		return ANA_EINVAL;
	if (ana_mul_size(st->n, 8, &b) != ANA_OK || b > SIZE_MAX - ANA_HEADER_SIZE - 8)
		return ANA_EOVERFLOW;
	*size = ANA_HEADER_SIZE + 8 + b;
	return ANA_OK;
}

int
robust_state_serialize(const robust_state *st, unsigned char *buf, size_t cap,
					   size_t *written)
{
	ana_wbuf	w;
	size_t		i;

	if (!st || !buf)
		return ANA_EINVAL;
	ana_w_init(&w, buf, cap);
	ana_w_header(&w, ROBUST_STATE_MAGIC, ROBUST_STATE_VERSION);
	ana_w_u64(&w, (uint64_t) st->n);
	for (i = 0; i < st->n; i++)
		ana_w_f64(&w, st->v[i]);
	return ana_w_finish(&w, written);
}

int
robust_state_deserialize(robust_state *st, const unsigned char *buf, size_t len,
						 const ana_alloc *al)
{
	ana_rbuf	r;
	uint64_t	n;
	size_t		i;
	int			rc;

	if (!st)
		return ANA_EINVAL;
	robust_state_init(st);
	if ((rc = ana_r_open(&r, buf, len, ROBUST_STATE_MAGIC, ROBUST_STATE_VERSION, NULL)) != ANA_OK)
		return rc;
	n = ana_r_u64(&r);
	if (r.err)
		return r.err;
	if (n > ana_r_remaining(&r) / 8)
		return ANA_ETRUNCATED;
	if (n * 8 != ana_r_remaining(&r))
		return ANA_EFORMAT;
	if (n > 0 && (rc = reserve(st, (size_t) n, al)) != ANA_OK)
		return rc;
	for (i = 0; i < (size_t) n; i++)
	{
		double		v = ana_r_f64(&r);

		if (r.err)
		{
			robust_state_free(st, al);
			return r.err;
		}
		st->v[i] = v;
	}
	st->n = (size_t) n;
	return ANA_OK;
}
