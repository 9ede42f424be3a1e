/*
 * iforest.h - Isolation forest (Liu, Ting & Zhou, "Isolation Forest", ICDM 2008).
 *
 * Training draws, for every tree, psi = min(subsample, n) rows without replacement and
 * grows an isolation tree to depth max_depth (default ceil(log2 psi)): at each node a
 * feature is chosen uniformly among those not constant in the node, and a split value
 * uniformly between the node's min and max. The anomaly score of a point x is
 *     s(x) = 2^( -E[h(x)] / c(psi) ),   h(x) = edges to the leaf + c(leaf size),
 *     c(m) = 2 H(m-1) - 2 (m-1)/m   (c(2) = 1, c(m<=1) = 0),  H = harmonic number,
 * so s -> 1 for points isolated quickly, s ~ 0.5 or less for ordinary points.
 *
 * Explanation: along each tree's path the point's node mass shrinks from psi to the leaf
 * size; every split contributes log2(parent size / child size) to the feature it tested.
 * Summed over trees and normalised, these are the shares of the isolation that each feature
 * accounts for; the largest names the feature "that isolated the point most".
 *
 * Pure core: no PostgreSQL header. Copyright (C) doliflow contributors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef DOLIFLOW_IFOREST_H
#define DOLIFLOW_IFOREST_H

#include "ana_common.h"

#define IFOREST_MAGIC 0x46494644u	/* "DFIF" little-endian */
#define IFOREST_VERSION 1

/* hard limits (also enforced when reading serialized forests) */
#define IFOREST_MAX_TREES 10000
#define IFOREST_MAX_SUBSAMPLE 65536
#define IFOREST_MAX_DEPTH 64
#define IFOREST_MAX_DIM 4096

typedef struct iforest_params
{
	uint32_t	n_trees;		/* default 100 */
	uint32_t	subsample;		/* psi, default 256 (capped at n) */
	uint32_t	max_depth;		/* 0 = ceil(log2(psi)) */
	uint64_t	seed;			/* default 42 */
	ana_tick_fn tick;			/* called once per tree; may be NULL */
	void	   *tick_arg;
} iforest_params;

typedef struct iforest_node
{
	double		split;			/* internal: x[feature] < split goes left */
	int32_t		feature;		/* -1 for a leaf */
	uint32_t	right;			/* internal: index of the right child (left = this + 1) */
	uint32_t	size;			/* training rows that reached this node */
} iforest_node;

typedef struct iforest
{
	uint32_t	d;				/* features */
	uint32_t	n_trees;
	uint32_t	psi;			/* subsample size actually used */
	uint32_t	max_depth;
	uint64_t	seed;
	uint64_t	n_train;		/* rows seen at training */
	double		c_psi;			/* c(psi) */
	double	   *c_table;		/* c(m) for m = 0..psi (leaf adjustment, precomputed) */
	uint32_t   *tree_start;		/* n_trees + 1 offsets into nodes */
	iforest_node *nodes;		/* all trees, each in preorder */
	uint32_t	n_nodes;
} iforest;

void		iforest_params_default(iforest_params *p);

/* average path length of an unsuccessful BST search among m points, c(m) above */
double		iforest_c(double m);

/*
 * Train on a row-major n x d matrix (finite values only: ANA_ENONFINITE otherwise).
 * n = 0 -> ANA_EEMPTY. n = 1 gives a forest whose trees are single leaves (every score 0.5).
 * On success *out is a new forest (free with iforest_free using the same allocator).
 */
int			iforest_fit(const double *X, size_t n, size_t d, const iforest_params *p,
						const ana_alloc *al, iforest **out);

/* anomaly score in (0, 1] of a point with d features (ANA_EMISMATCH if d differs) */
int			iforest_score(const iforest *f, const double *x, size_t d, double *score);

/*
 * Score plus explanation: share[j] (optional, d doubles, sum 1 unless nothing was
 * isolated) is feature j's share of the isolation; *top (optional) is the feature with the
 * largest share, or -1 when no split separated the point from anything.
 * *mean_depth (optional) is E[h(x)].
 */
int			iforest_explain(const iforest *f, const double *x, size_t d, double *score,
							double *share, int32_t *top, double *mean_depth);

void		iforest_free(iforest *f, const ana_alloc *al);

int			iforest_serialized_size(const iforest *f, size_t *size);
int			iforest_serialize(const iforest *f, unsigned char *buf, size_t cap,
							  size_t *written);
/*
 * Rebuild a forest from bytes. Validates header, checksum, limits, every node (feature <
 * d, finite split, child sizes summing to the parent's, depth <= max_depth, root size ==
 * psi) and exact length. Any failure returns a status code, never reads out of bounds.
 */
int			iforest_deserialize(const unsigned char *buf, size_t len, const ana_alloc *al,
								iforest **out);

#endif							/* DOLIFLOW_IFOREST_H */
