/*
 * kmeans.h - k-means clustering: k-means++ seeding (Arthur & Vassilvitskii 2007), Lloyd
 * iterations, several restarts keeping the lowest inertia, a column standardisation
 * helper (z-score or robust), point assignment and a validated serialized model.
 *
 * Pure core: no PostgreSQL header. Copyright (C) doliflow contributors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef DOLIFLOW_KMEANS_H
#define DOLIFLOW_KMEANS_H

#include "ana_common.h"

#define KMEANS_MAGIC 0x4d4b4644u	/* "DFKM" little-endian */
#define KMEANS_VERSION 1
#define KMEANS_MAX_K 65536
#define KMEANS_MAX_DIM 4096

typedef struct kmeans_params
{
	uint32_t	k;				/* clusters wanted (>= 1) */
	uint32_t	max_iter;		/* Lloyd iterations per restart, default 300 */
	uint32_t	n_init;			/* restarts, default 10; the lowest inertia wins */
	double		tol;			/* default 1e-4, see kmeans_fit */
	uint64_t	seed;			/* default 42 */
	ana_tick_fn tick;			/* called once per Lloyd iteration; may be NULL */
	void	   *tick_arg;
} kmeans_params;

void		kmeans_params_default(kmeans_params *p, uint32_t k);

typedef struct kmeans_result
{
	uint32_t	k;				/* clusters found: min(requested k, distinct points) */
	uint32_t	d;
	uint64_t	n;
	double	   *centroids;		/* k x d row-major, sorted lexicographically */
	uint32_t   *labels;			/* n labels in [0, k) (NULL if not requested) */
	double		inertia;		/* sum of squared distances to the assigned centroid */
	uint32_t	n_iter;			/* Lloyd iterations of the winning restart */
	int			converged;		/* winning restart met the tolerance before max_iter */
} kmeans_result;

/*
 * Cluster a row-major n x d matrix. Each restart seeds with k-means++ (first centre
 * uniform, the next ones drawn with probability proportional to the squared distance to
 * the nearest chosen centre) and runs Lloyd iterations until the summed squared centroid
 * shift is <= tol * (mean per-column variance of X), or max_iter. An emptied cluster is
 * re-seeded with the point farthest from its centroid. When X has fewer than k distinct
 * rows, k-means++ runs out of points at positive distance and the result has k = number of
 * distinct rows (not an error). Centroids are finally sorted lexicographically and labels
 * renumbered, so the labelling is canonical. n = 0 -> ANA_EEMPTY; NaN/Inf ->
 * ANA_ENONFINITE. want_labels = 0 skips the n-label array (SQL aggregates do not need it).
 */
int			kmeans_fit(const double *X, size_t n, size_t d, const kmeans_params *p,
					   int want_labels, const ana_alloc *al, kmeans_result *out);
void		kmeans_result_free(kmeans_result *r, const ana_alloc *al);

/* nearest centroid (ties -> lowest index) of point x; dist2 (optional) squared distance */
int			kmeans_assign(const double *centroids, uint32_t k, uint32_t d,
						  const double *x, size_t xd, uint32_t *label, double *dist2);

/* Column standardisation */
typedef enum kmeans_scaling
{
	KMEANS_SCALE_NONE = 0,
	KMEANS_SCALE_ZSCORE = 1,	/* (x - mean) / population sd */
	KMEANS_SCALE_ROBUST = 2		/* (x - median) / robust scale (robust.h chain) */
} kmeans_scaling;

/*
 * Compute per-column center[d] and scale[d] of X (n x d) and, if apply, standardise X in
 * place. A constant column gets scale 1 (it then contributes nothing). For ROBUST the
 * scale is 1.4826 MAD, else IQR/1.349, else 1.2533 mean|x - median|, else 1.
 */
int			kmeans_standardize(double *X, size_t n, size_t d, int method, int apply,
							   double *center, double *scale, const ana_alloc *al);

/* A fitted model as stored by SQL: scaling + centroids (in the scaled space). */
typedef struct kmeans_model
{
	uint32_t	k;
	uint32_t	d;
	int			scaling;		/* kmeans_scaling */
	uint64_t	n;				/* rows fitted */
	double		inertia;		/* in the scaled space */
	uint32_t	n_iter;
	double	   *center;			/* d (zeros for NONE) */
	double	   *scale;			/* d (ones for NONE) */
	double	   *centroids;		/* k x d */
} kmeans_model;

/*
 * Convenience: copy X, standardise with `scaling`, fit, and build a model (takes
 * ownership of nothing; X is not modified).
 */
int			kmeans_model_fit(const double *X, size_t n, size_t d, int scaling,
							 const kmeans_params *p, const ana_alloc *al, kmeans_model **out);
/* scale x with the model's center/scale, then assign */
int			kmeans_model_assign(const kmeans_model *m, const double *x, size_t xd,
								uint32_t *label, double *dist2);
/* centroid j back in the original units: out[d] */
int			kmeans_model_centroid(const kmeans_model *m, uint32_t j, double *out);
void		kmeans_model_free(kmeans_model *m, const ana_alloc *al);
int			kmeans_model_serialized_size(const kmeans_model *m, size_t *size);
int			kmeans_model_serialize(const kmeans_model *m, unsigned char *buf, size_t cap,
								   size_t *written);
int			kmeans_model_deserialize(const unsigned char *buf, size_t len,
									 const ana_alloc *al, kmeans_model **out);

#endif							/* DOLIFLOW_KMEANS_H */
