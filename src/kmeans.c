/*
 * kmeans.c - k-means++ / Lloyd / restarts, standardisation, model serialization.
 *
 * Pure core: no PostgreSQL header. Copyright (C) doliflow contributors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "kmeans.h"
#include "robust.h"

#include <math.h>
#include <string.h>

void
kmeans_params_default(kmeans_params *p, uint32_t k)
{
	p->k = k;
	p->max_iter = 300;
	p->n_init = 10;
	p->tol = 1e-4;
	p->seed = 42;
	p->tick = NULL;
	p->tick_arg = NULL;
}

static inline double
dist2(const double *a, const double *b, size_t d)
{
	double		s = 0.0;
	size_t		j;

	for (j = 0; j < d; j++)
	{
		double		t = a[j] - b[j];

		s += t * t;
	}
	return s;
}

static uint32_t
nearest(const double *C, uint32_t k, size_t d, const double *x, double *best)
{
	uint32_t	c,
				arg = 0;
	double		b = dist2(C, x, d);

	for (c = 1; c < k; c++)
	{
		double		t = dist2(C + (size_t) c * d, x, d);

		if (t < b)
		{
			b = t;
			arg = c;
		}
	}
	*best = b;
	return arg;
}

/* k-means++ seeding; returns the number of centres chosen (< k if points run out) */
static uint32_t
seed_pp(const double *X, size_t n, size_t d, uint32_t k, ana_rng *rng, double *C,
		double *D)
{
	size_t		i,
				first = (size_t) ana_rng_below(rng, n);
	uint32_t	c;

	memcpy(C, X + first * d, d * sizeof(double));
	for (i = 0; i < n; i++)
		D[i] = dist2(X + i * d, C, d);
	for (c = 1; c < k; c++)
	{
		double		total = 0.0,
					u,
					acc = 0.0;
		size_t		pick = n;

		for (i = 0; i < n; i++)
			total += D[i];
		if (!(total > 0.0))
			return c;			/* every point coincides with a centre */
		u = ana_rng_uniform(rng) * total;
		for (i = 0; i < n; i++)
		{
			acc += D[i];
			if (D[i] > 0.0 && acc > u)
			{
				pick = i;
				break;
			}
		}
		if (pick == n)			/* rounding: take the last point at positive distance */
			for (i = n; i-- > 0;)
				if (D[i] > 0.0)
				{
					pick = i;
					break;
				}
		memcpy(C + (size_t) c * d, X + pick * d, d * sizeof(double));
		for (i = 0; i < n; i++)
		{
			double		t = dist2(X + i * d, C + (size_t) c * d, d);

			if (t < D[i])
				D[i] = t;
		}
	}
	return k;
}

/* one restart: Lloyd from the seeded centres C (k x d); labels into L */
static double
lloyd(const double *X, size_t n, size_t d, uint32_t k, double *C, uint32_t *L,
	  double *D, double *sums, uint64_t *counts, const kmeans_params *p, double tol_abs,
	  uint32_t *iters, int *converged)
{
	uint32_t	it;
	size_t		i,
				j;
	double		inertia = 0.0;
	uint32_t	c;

	*converged = 0;
	*iters = 0;
	for (it = 0; it < p->max_iter; it++)
	{
		double		shift = 0.0;

		if (p->tick)
			p->tick(p->tick_arg);
		memset(sums, 0, (size_t) k * d * sizeof(double));
		memset(counts, 0, (size_t) k * sizeof(uint64_t));
		for (i = 0; i < n; i++)
		{
			L[i] = nearest(C, k, d, X + i * d, &D[i]);
			counts[L[i]]++;
			for (j = 0; j < d; j++)
				sums[(size_t) L[i] * d + j] += X[i * d + j];
		}
		for (c = 0; c < k; c++)
		{
			double	   *cc = C + (size_t) c * d;

			if (counts[c] == 0)
			{
				/* empty cluster: move it onto the point farthest from its centre */
				size_t		far = 0;

				for (i = 1; i < n; i++)
					if (D[i] > D[far])
						far = i;
				shift += dist2(cc, X + far * d, d);
				memcpy(cc, X + far * d, d * sizeof(double));
				D[far] = 0.0;
				continue;
			}
			for (j = 0; j < d; j++)
			{
				double		m = sums[(size_t) c * d + j] / (double) counts[c];
				double		t = m - cc[j];

				shift += t * t;
				cc[j] = m;
			}
		}
		*iters = it + 1;
		if (shift <= tol_abs)
		{
			*converged = 1;
			break;
		}
	}
	/* final assignment against the final centres */
	for (i = 0; i < n; i++)
	{
		L[i] = nearest(C, k, d, X + i * d, &D[i]);
		inertia += D[i];
	}
	return inertia;
}

void
kmeans_result_free(kmeans_result *r, const ana_alloc *al)
{
	if (!r)
		return;
	ana_free(al, r->centroids);
	ana_free(al, r->labels);
	r->centroids = NULL;
	r->labels = NULL;
}

static int
row_less(const double *a, const double *b, size_t d)
{
	size_t		j;

	for (j = 0; j < d; j++)
	{
		if (a[j] < b[j])
			return 1;
		if (a[j] > b[j])
			return 0;
	}
	return 0;
}

int
kmeans_fit(const double *X, size_t n, size_t d, const kmeans_params *pp, int want_labels,
		   const ana_alloc *al, kmeans_result *out)
{
	kmeans_params p;
	size_t		i,
				j,
				nd,
				kd;
	double	   *C = NULL,
			   *bestC = NULL,
			   *D = NULL,
			   *sums = NULL,
			   *mean = NULL,
				tol_abs,
				var = 0.0,
				best = INFINITY;
	uint64_t   *counts = NULL;
	uint32_t   *L = NULL,
			   *bestL = NULL,
				r,
				bestk = 0,
				k;
	ana_rng		rng;
	int			rc = ANA_ENOMEM;

	if (!out || !pp)
		return ANA_EINVAL;
	memset(out, 0, sizeof *out);
	p = *pp;
	if (p.k == 0 || p.k > KMEANS_MAX_K || p.n_init == 0 || p.max_iter == 0 ||
		!(p.tol >= 0.0) || !isfinite(p.tol) || d == 0 || d > KMEANS_MAX_DIM)
		return ANA_EINVAL;
	if (n == 0)
		return ANA_EEMPTY;
	if (!X)
		return ANA_EINVAL;
	if (ana_mul_size(n, d, &nd) != ANA_OK || ana_mul_size(nd, sizeof(double), &i) != ANA_OK)
		return ANA_EOVERFLOW;
	for (i = 0; i < nd; i++)
		if (!isfinite(X[i]))
			return ANA_ENONFINITE;
	k = p.k;
	if ((size_t) k > n)
		k = (uint32_t) n;
	kd = (size_t) k * d;

	C = ana_malloc(al, kd * sizeof(double));
	bestC = ana_malloc(al, kd * sizeof(double));
	sums = ana_malloc(al, kd * sizeof(double));
	counts = ana_malloc(al, (size_t) k * sizeof(uint64_t));
	D = ana_malloc(al, n * sizeof(double));
	L = ana_malloc(al, n * sizeof(uint32_t));
	bestL = ana_malloc(al, n * sizeof(uint32_t));
	mean = ana_malloc(al, d * sizeof(double));
	if (!C || !bestC || !sums || !counts || !D || !L || !bestL || !mean)
		goto done;

	/* tolerance relative to the data's mean column variance (two-pass, stable) */
	for (j = 0; j < d; j++)
		mean[j] = 0.0;
	for (i = 0; i < n; i++)
		for (j = 0; j < d; j++)
			mean[j] += (X[i * d + j] - mean[j]) / (double) (i + 1);
	for (j = 0; j < d; j++)
	{
		double		v = 0.0;

		for (i = 0; i < n; i++)
		{
			double		t = X[i * d + j] - mean[j];

			v += (t * t - v) / (double) (i + 1);
		}
		var += v / (double) d;
	}
	tol_abs = p.tol * (isfinite(var) ? var : 0.0);

	ana_rng_seed(&rng, p.seed);
	for (r = 0; r < p.n_init; r++)
	{
		uint32_t	kk = seed_pp(X, n, d, k, &rng, C, D),
					iters;
		int			conv;
		double		inertia;

		inertia = lloyd(X, n, d, kk, C, L, D, sums, counts, &p, tol_abs, &iters, &conv);
		if (!isfinite(inertia))
		{
			rc = ANA_ERANGE;
			goto done;
		}
		if (inertia < best)
		{
			uint32_t   *t = bestL;

			best = inertia;
			bestk = kk;
			memcpy(bestC, C, (size_t) kk * d * sizeof(double));
			bestL = L;
			L = t;
			out->n_iter = iters;
			out->converged = conv;
		}
		if (kk < k)
			break;				/* fewer distinct points than k: every restart is alike */
	}

	/* canonical order: sort centroids lexicographically (insertion sort, k small) */
	{
		/* reuse scratch: counts holds k uint64 (>= k uint32), sums k*d doubles */
		uint32_t   *order = (uint32_t *) counts;
		uint32_t   *rank = (uint32_t *) sums;
		uint32_t	a,
					b;

		for (a = 0; a < bestk; a++)
			order[a] = a;
		for (a = 1; a < bestk; a++)
		{
			uint32_t	v = order[a];

			b = a;
			while (b > 0 && row_less(bestC + (size_t) v * d, bestC + (size_t) order[b - 1] * d, d))
			{
				order[b] = order[b - 1];
				b--;
			}
			order[b] = v;
		}
		for (a = 0; a < bestk; a++)
		{
			memcpy(C + (size_t) a * d, bestC + (size_t) order[a] * d, d * sizeof(double));
			rank[order[a]] = a;
		}
		memcpy(bestC, C, (size_t) bestk * d * sizeof(double));
		for (i = 0; i < n; i++)
			bestL[i] = rank[bestL[i]];
	}

	out->k = bestk;
	out->d = (uint32_t) d;
	out->n = (uint64_t) n;
	out->inertia = best;
	out->centroids = bestC;
	bestC = NULL;
	if (want_labels)
	{
		out->labels = bestL;
		bestL = NULL;
	}
	rc = ANA_OK;

done:
	ana_free(al, C);
	ana_free(al, bestC);
	ana_free(al, sums);
	ana_free(al, counts);
	ana_free(al, D);
	ana_free(al, L);
	ana_free(al, bestL);
	ana_free(al, mean);
	return rc;
}

int
kmeans_assign(const double *centroids, uint32_t k, uint32_t d, const double *x, size_t xd,
			  uint32_t *label, double *d2)
{
	double		b;
	size_t		j;

	if (!centroids || !x || !label || k == 0)
		return ANA_EINVAL;
	if (xd != d)
		return ANA_EMISMATCH;
	for (j = 0; j < xd; j++)
		if (!isfinite(x[j]))
			return ANA_ENONFINITE;
	*label = nearest(centroids, k, d, x, &b);
	if (!isfinite(b))
		return ANA_ERANGE;
	if (d2)
		*d2 = b;
	return ANA_OK;
}

/* ---------- standardisation ---------- */

int
kmeans_standardize(double *X, size_t n, size_t d, int method, int apply, double *center,
				   double *scale, const ana_alloc *al)
{
	size_t		i,
				j;

	if (!X || !center || !scale || d == 0)
		return ANA_EINVAL;
	if (n == 0)
		return ANA_EEMPTY;
	for (i = 0; i < n * d; i++)
		if (!isfinite(X[i]))
			return ANA_ENONFINITE;
	if (method == KMEANS_SCALE_NONE)
	{
		for (j = 0; j < d; j++)
		{
			center[j] = 0.0;
			scale[j] = 1.0;
		}
		return ANA_OK;
	}
	if (method == KMEANS_SCALE_ZSCORE)
	{
		for (j = 0; j < d; j++)
		{
			double		m = 0.0,
						v = 0.0;

			for (i = 0; i < n; i++)
				m += (X[i * d + j] - m) / (double) (i + 1);
			for (i = 0; i < n; i++)
			{
				double		t = X[i * d + j] - m;

				v += (t * t - v) / (double) (i + 1);
			}
			center[j] = m;
			scale[j] = (v > 0.0 && isfinite(v)) ? sqrt(v) : 1.0;
		}
	}
	else if (method == KMEANS_SCALE_ROBUST)
	{
		double	   *col = ana_malloc(al, n * sizeof(double));
		double	   *scr = ana_malloc(al, n * sizeof(double));

		if (!col || !scr)
		{
			ana_free(al, col);
			ana_free(al, scr);
			return ANA_ENOMEM;
		}
		for (j = 0; j < d; j++)
		{
			robust_summary s;
			int			rc;

			for (i = 0; i < n; i++)
				col[i] = X[i * d + j];
			rc = robust_summarize_inplace(col, n, scr, &s);
			if (rc != ANA_OK)
			{
				ana_free(al, col);
				ana_free(al, scr);
				return rc;
			}
			center[j] = s.median;
			scale[j] = s.scale_method == ROBUST_SCALE_FLOOR ? 1.0 : s.scale;
		}
		ana_free(al, col);
		ana_free(al, scr);
	}
	else
		return ANA_EINVAL;
	if (apply)
		for (i = 0; i < n; i++)
			for (j = 0; j < d; j++)
			{
				double		t = (X[i * d + j] - center[j]) / scale[j];

				if (!isfinite(t))
					return ANA_ERANGE;
				X[i * d + j] = t;
			}
	return ANA_OK;
}

/* ---------- model ---------- */

void
kmeans_model_free(kmeans_model *m, const ana_alloc *al)
{
	if (!m)
		return;
	ana_free(al, m->center);
	ana_free(al, m->scale);
	ana_free(al, m->centroids);
	ana_free(al, m);
}

static kmeans_model *
model_alloc(uint32_t k, uint32_t d, const ana_alloc *al)
{
	kmeans_model *m = ana_malloc(al, sizeof(kmeans_model));

	if (!m)
		return NULL;
	memset(m, 0, sizeof *m);
	m->k = k;
	m->d = d;
	m->center = ana_malloc(al, (size_t) d * sizeof(double));
	m->scale = ana_malloc(al, (size_t) d * sizeof(double));
	m->centroids = ana_malloc(al, (size_t) k * d * sizeof(double));
	if (!m->center || !m->scale || !m->centroids)
	{
		kmeans_model_free(m, al);
		return NULL;
	}
	return m;
}

int
kmeans_model_fit(const double *X, size_t n, size_t d, int scaling, const kmeans_params *p,
				 const ana_alloc *al, kmeans_model **out)
{
	double	   *Y,
			   *center,
			   *scale;
	size_t		bytes;
	kmeans_result res;
	kmeans_model *m;
	int			rc;

	if (!out)
		return ANA_EINVAL;
	*out = NULL;
	if (d == 0 || d > KMEANS_MAX_DIM || !p)
		return ANA_EINVAL;
	if (n == 0)
		return ANA_EEMPTY;
	if (ana_mul3_size(n, d, sizeof(double), &bytes) != ANA_OK)
		return ANA_EOVERFLOW;
	Y = ana_malloc(al, bytes);
	center = ana_malloc(al, d * sizeof(double));
	scale = ana_malloc(al, d * sizeof(double));
	if (!Y || !center || !scale)
	{
		rc = ANA_ENOMEM;
		goto done;
	}
	memcpy(Y, X, bytes);
	if ((rc = kmeans_standardize(Y, n, d, scaling, 1, center, scale, al)) != ANA_OK)
		goto done;
	if ((rc = kmeans_fit(Y, n, d, p, 0, al, &res)) != ANA_OK)
		goto done;
	m = model_alloc(res.k, (uint32_t) d, al);
	if (!m)
	{
		kmeans_result_free(&res, al);
		rc = ANA_ENOMEM;
		goto done;
	}
	m->scaling = scaling;
	m->n = res.n;
	m->inertia = res.inertia;
	m->n_iter = res.n_iter;
	memcpy(m->center, center, d * sizeof(double));
	memcpy(m->scale, scale, d * sizeof(double));
	memcpy(m->centroids, res.centroids, (size_t) res.k * d * sizeof(double));
	kmeans_result_free(&res, al);
	*out = m;
	rc = ANA_OK;
done:
	ana_free(al, Y);
	ana_free(al, center);
	ana_free(al, scale);
	return rc;
}

int
kmeans_model_assign(const kmeans_model *m, const double *x, size_t xd, uint32_t *label,
					double *d2)
{
	double		y[KMEANS_MAX_DIM];	/* 32 kB of stack at most */
	size_t		j;
	int			rc;

	if (!m || !x || !label)
		return ANA_EINVAL;
	if (xd != m->d || xd > KMEANS_MAX_DIM)
		return ANA_EMISMATCH;
	for (j = 0; j < xd; j++)
	{
		if (!isfinite(x[j]))
			return ANA_ENONFINITE;
		y[j] = (x[j] - m->center[j]) / m->scale[j];
		if (!isfinite(y[j]))
			return ANA_ERANGE;
	}
	rc = kmeans_assign(m->centroids, m->k, m->d, y, xd, label, d2);
	return rc;
}

int
kmeans_model_centroid(const kmeans_model *m, uint32_t c, double *out)
{
	uint32_t	j;

	if (!m || !out)
		return ANA_EINVAL;
	if (c >= m->k)
		return ANA_EINVAL;
	for (j = 0; j < m->d; j++)
		out[j] = m->center[j] + m->scale[j] * m->centroids[(size_t) c * m->d + j];
	return ANA_OK;
}

/* payload: u32 k | u32 d | u32 scaling | u32 n_iter | u64 n | f64 inertia |
 *          d x f64 center | d x f64 scale | k*d x f64 centroids */
int
kmeans_model_serialized_size(const kmeans_model *m, size_t *size)
{
	if (!m || !size)
		return ANA_EINVAL;
	*size = ANA_HEADER_SIZE + 32 + 8 * (2 * (size_t) m->d + (size_t) m->k * m->d);
	return ANA_OK;
}

int
kmeans_model_serialize(const kmeans_model *m, unsigned char *buf, size_t cap,
					   size_t *written)
{
	ana_wbuf	w;
	size_t		i;

	if (!m || !buf)
		return ANA_EINVAL;
	ana_w_init(&w, buf, cap);
	ana_w_header(&w, KMEANS_MAGIC, KMEANS_VERSION);
	ana_w_u32(&w, m->k);
	ana_w_u32(&w, m->d);
	ana_w_u32(&w, (uint32_t) m->scaling);
	ana_w_u32(&w, m->n_iter);
	ana_w_u64(&w, m->n);
	ana_w_f64(&w, m->inertia);
	for (i = 0; i < m->d; i++)
		ana_w_f64(&w, m->center[i]);
	for (i = 0; i < m->d; i++)
		ana_w_f64(&w, m->scale[i]);
	for (i = 0; i < (size_t) m->k * m->d; i++)
		ana_w_f64(&w, m->centroids[i]);
	return ana_w_finish(&w, written);
}

int
kmeans_model_deserialize(const unsigned char *buf, size_t len, const ana_alloc *al,
						 kmeans_model **out)
{
	ana_rbuf	r;
	uint32_t	k,
				d,
				scaling,
				n_iter;
	uint64_t	n;
	double		inertia;
	kmeans_model *m;
	size_t		i,
				need;
	int			rc;

	if (!out)
		return ANA_EINVAL;
	*out = NULL;
	if ((rc = ana_r_open(&r, buf, len, KMEANS_MAGIC, KMEANS_VERSION, NULL)) != ANA_OK)
		return rc;
	k = ana_r_u32(&r);
	d = ana_r_u32(&r);
	scaling = ana_r_u32(&r);
	n_iter = ana_r_u32(&r);
	n = ana_r_u64(&r);
	inertia = ana_r_f64(&r);
	if (r.err)
		return r.err;
	if (k == 0 || k > KMEANS_MAX_K || d == 0 || d > KMEANS_MAX_DIM ||
		scaling > KMEANS_SCALE_ROBUST || n < k || inertia < 0.0)
		return ANA_EFORMAT;
	need = 8 * (2 * (size_t) d + (size_t) k * d);
	if (ana_r_remaining(&r) < need)
		return ANA_ETRUNCATED;
	if (ana_r_remaining(&r) > need)
		return ANA_EFORMAT;
	m = model_alloc(k, d, al);
	if (!m)
		return ANA_ENOMEM;
	m->scaling = (int) scaling;
	m->n = n;
	m->n_iter = n_iter;
	m->inertia = inertia;
	for (i = 0; i < d; i++)
		m->center[i] = ana_r_f64(&r);
	for (i = 0; i < d; i++)
	{
		m->scale[i] = ana_r_f64(&r);
		if (!(m->scale[i] > 0.0) && !r.err)
			r.err = ANA_EFORMAT;
	}
	for (i = 0; i < (size_t) k * d; i++)
		m->centroids[i] = ana_r_f64(&r);
	if (r.err)
	{
		rc = r.err;
		kmeans_model_free(m, al);
		return rc;
	}
	*out = m;
	return ANA_OK;
}
