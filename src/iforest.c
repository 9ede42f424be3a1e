/*
 * iforest.c - isolation forest: training, scoring, explanation, serialization.
 *
 * Pure core: no PostgreSQL header. Copyright (C) doliflow contributors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "iforest.h"

#include <math.h>
#include <string.h>

#define EULER_GAMMA 0.57721566490153286061

void
iforest_params_default(iforest_params *p)
{
	p->n_trees = 100;
	p->subsample = 256;
	p->max_depth = 0;
	p->seed = 42;
	p->tick = NULL;
	p->tick_arg = NULL;
}

static double
harmonic(double i)
{
	if (i < 1.0)
		return 0.0;
	if (i <= 64.0)
	{
		double		s = 0.0;
		int			k,
					m = (int) i;

		for (k = m; k >= 1; k--)	/* small terms first */
			s += 1.0 / k;
		return s;
	}
	/* asymptotic expansion, error < 1e-12 for i > 64 */
	return log(i) + EULER_GAMMA + 1.0 / (2.0 * i) - 1.0 / (12.0 * i * i) +
		1.0 / (120.0 * i * i * i * i);
}

double
iforest_c(double m)
{
	if (!(m > 1.0))
		return 0.0;
	if (m <= 2.0)
		return 1.0;
	return 2.0 * harmonic(m - 1.0) - 2.0 * (m - 1.0) / m;
}

static uint32_t
ceil_log2(uint32_t v)
{
	uint32_t	r = 0;

	while (r < 32 && ((uint64_t) 1 << r) < v)
		r++;
	return r;
}

static int
fill_c_table(iforest *f, const ana_alloc *al)
{
	uint32_t	m;

	f->c_table = ana_malloc(al, ((size_t) f->psi + 1) * sizeof(double));
	if (!f->c_table)
		return ANA_ENOMEM;
	for (m = 0; m <= f->psi; m++)
		f->c_table[m] = iforest_c((double) m);
	return ANA_OK;
}

/* ---------- training ---------- */

typedef struct build_ctx
{
	const double *X;
	size_t		d;
	uint32_t	max_depth;
	ana_rng    *rng;
	iforest_node *nodes;
	uint32_t	n_nodes;
	uint32_t	tree_base;		/* index of the current tree's root */
	uint32_t	cap;
	double	   *lo;				/* d scratch: per-feature min in the node */
	double	   *hi;				/* d scratch: per-feature max */
	uint32_t   *cand;			/* d scratch: non-constant features */
} build_ctx;

static uint32_t
build(build_ctx *b, size_t *idx, uint32_t size, uint32_t depth)
{
	uint32_t	me = b->n_nodes++;
	iforest_node *nd = &b->nodes[me];
	size_t		j,
				i;
	uint32_t	nc = 0,
				f,
				nleft;
	double		u,
				p,
				mn,
				mx;

	nd->size = size;
	nd->feature = -1;
	nd->right = 0;
	nd->split = 0.0;
	if (depth >= b->max_depth || size <= 1)
		return me;
	for (j = 0; j < b->d; j++)
	{
		b->lo[j] = b->hi[j] = b->X[idx[0] * b->d + j];
	}
	for (i = 1; i < size; i++)
	{
		const double *row = b->X + idx[i] * b->d;

		for (j = 0; j < b->d; j++)
		{
			if (row[j] < b->lo[j])
				b->lo[j] = row[j];
			if (row[j] > b->hi[j])
				b->hi[j] = row[j];
		}
	}
	for (j = 0; j < b->d; j++)
		if (b->hi[j] > b->lo[j])
			b->cand[nc++] = (uint32_t) j;
	if (nc == 0)
		return me;				/* all rows identical: cannot be split */
	f = b->cand[ana_rng_below(b->rng, nc)];
	mn = b->lo[f];
	mx = b->hi[f];
	u = ana_rng_uniform(b->rng);
	p = mn * (1.0 - u) + mx * u;	/* no overflow even for mx - mn > DBL_MAX */
	if (p > mx)
		p = mx;
	if (!(p > mn))
		p = mx;					/* keep both sides non-empty: left = x < p */
	/* partition idx: x[f] < p first */
	{
		size_t		a = 0,
					z = size;

		while (a < z)
		{
			if (b->X[idx[a] * b->d + f] < p)
				a++;
			else
			{
				size_t		t = idx[a];

				idx[a] = idx[--z];
				idx[z] = t;
			}
		}
		nleft = (uint32_t) a;
	}
	nd->feature = (int32_t) f;
	nd->split = p;
	build(b, idx, nleft, depth + 1);
	/* right child index relative to the tree's root */
	b->nodes[me].right = b->n_nodes - b->tree_base;
	build(b, idx + nleft, size - nleft, depth + 1);
	return me;
}

void
iforest_free(iforest *f, const ana_alloc *al)
{
	if (!f)
		return;
	ana_free(al, f->tree_start);
	ana_free(al, f->nodes);
	ana_free(al, f->c_table);
	ana_free(al, f);
}

static int
check_params(const iforest_params *p, size_t d)
{
	if (p->n_trees == 0 || p->n_trees > IFOREST_MAX_TREES)
		return ANA_EINVAL;
	if (p->subsample < 2 || p->subsample > IFOREST_MAX_SUBSAMPLE)
		return ANA_EINVAL;
	if (p->max_depth > IFOREST_MAX_DEPTH)
		return ANA_EINVAL;
	if (d == 0 || d > IFOREST_MAX_DIM)
		return ANA_EINVAL;
	return ANA_OK;
}

int
iforest_fit(const double *X, size_t n, size_t d, const iforest_params *pp,
			const ana_alloc *al, iforest **out)
{
	iforest_params defp;
	const iforest_params *p = pp;
	iforest    *f = NULL;
	size_t	   *perm = NULL,
				i,
				bytes;
	uint32_t	psi,
				t,
				per_tree;
	build_ctx	b;
	ana_rng		rng;
	int			rc;

	if (!out)
		return ANA_EINVAL;
	*out = NULL;
	if (!p)
	{
		iforest_params_default(&defp);
		p = &defp;
	}
	if ((rc = check_params(p, d)) != ANA_OK)
		return rc;
	if (n == 0)
		return ANA_EEMPTY;
	if (!X)
		return ANA_EINVAL;
	if (ana_mul_size(n, d, &bytes) != ANA_OK)
		return ANA_EOVERFLOW;
	for (i = 0; i < bytes; i++)
		if (!isfinite(X[i]))
			return ANA_ENONFINITE;

	psi = n < p->subsample ? (uint32_t) n : p->subsample;
	per_tree = 2 * psi - 1;
	memset(&b, 0, sizeof b);
	f = ana_malloc(al, sizeof(iforest));
	if (!f)
		return ANA_ENOMEM;
	memset(f, 0, sizeof *f);
	f->d = (uint32_t) d;
	f->n_trees = p->n_trees;
	f->psi = psi;
	f->max_depth = p->max_depth ? p->max_depth : ceil_log2(psi);
	f->seed = p->seed;
	f->n_train = (uint64_t) n;
	f->c_psi = iforest_c((double) psi);
	rc = ANA_ENOMEM;
	f->tree_start = ana_malloc(al, ((size_t) p->n_trees + 1) * sizeof(uint32_t));
	/* n_trees * (2 psi - 1) <= 10^4 * 131071 < 2^32 */
	f->nodes = ana_malloc(al, (size_t) p->n_trees * per_tree * sizeof(iforest_node));
	perm = ana_malloc(al, n * sizeof(size_t));	/* n * d doubles exist, so this fits */
	b.lo = ana_malloc(al, d * sizeof(double));
	b.hi = ana_malloc(al, d * sizeof(double));
	b.cand = ana_malloc(al, d * sizeof(uint32_t));
	if (!f->tree_start || !f->nodes || !perm || !b.lo || !b.hi || !b.cand ||
		fill_c_table(f, al) != ANA_OK)
		goto fail;
	for (i = 0; i < n; i++)
		perm[i] = i;
	ana_rng_seed(&rng, p->seed);
	b.X = X;
	b.d = d;
	b.max_depth = f->max_depth;
	b.rng = &rng;
	b.nodes = f->nodes;
	b.cap = p->n_trees * per_tree;
	for (t = 0; t < p->n_trees; t++)
	{
		/* partial Fisher-Yates: perm[0..psi) becomes a uniform sample without replacement */
		for (i = 0; i < psi; i++)
		{
			size_t		j = i + (size_t) ana_rng_below(&rng, (uint64_t) (n - i));
			size_t		tmp = perm[i];

			perm[i] = perm[j];
			perm[j] = tmp;
		}
		f->tree_start[t] = b.n_nodes;
		b.tree_base = b.n_nodes;
		build(&b, perm, psi, 0);
		if (p->tick)
			p->tick(p->tick_arg);
	}
	f->tree_start[p->n_trees] = b.n_nodes;
	f->n_nodes = b.n_nodes;
	{
		/* give back the unused part of the node array */
		iforest_node *shrunk = ana_realloc(al, f->nodes,
										   (size_t) b.n_nodes * sizeof(iforest_node));

		if (shrunk)
			f->nodes = shrunk;
	}
	ana_free(al, perm);
	ana_free(al, b.lo);
	ana_free(al, b.hi);
	ana_free(al, b.cand);
	*out = f;
	return ANA_OK;

fail:
	ana_free(al, perm);
	ana_free(al, b.lo);
	ana_free(al, b.hi);
	ana_free(al, b.cand);
	iforest_free(f, al);
	return rc;
}

/* ---------- scoring ---------- */

int
iforest_explain(const iforest *f, const double *x, size_t d, double *score,
				double *share, int32_t *top, double *mean_depth)
{
	uint32_t	t;
	double		hsum = 0.0,
				total = 0.0,
				e;
	size_t		j;

	if (!f || !x)
		return ANA_EINVAL;
	if (d != f->d)
		return ANA_EMISMATCH;
	for (j = 0; j < d; j++)
		if (!isfinite(x[j]))
			return ANA_ENONFINITE;
	if (share)
		for (j = 0; j < d; j++)
			share[j] = 0.0;
	for (t = 0; t < f->n_trees; t++)
	{
		const iforest_node *base = f->nodes + f->tree_start[t];
		uint32_t	k = 0,
					h = 0;

		while (base[k].feature >= 0)
		{
			uint32_t	next = x[base[k].feature] < base[k].split ? k + 1 : base[k].right;

			if (share)
				share[base[k].feature] += log2((double) base[k].size / (double) base[next].size);
			k = next;
			h++;
		}
		hsum += (double) h + f->c_table[base[k].size];	/* size <= psi: validated */
	}
	e = hsum / (double) f->n_trees;
	if (mean_depth)
		*mean_depth = e;
	if (score)
		*score = f->c_psi > 0.0 ? pow(2.0, -e / f->c_psi) : 0.5;
	if (share || top)
	{
		int32_t		best = -1;
		double		bestv = 0.0;

		if (share)
		{
			for (j = 0; j < d; j++)
				total += share[j];
			for (j = 0; j < d; j++)
			{
				if (total > 0.0)
					share[j] /= total;
				if (share[j] > bestv)
				{
					bestv = share[j];
					best = (int32_t) j;
				}
			}
		}
		else
		{
			/* top without share: recompute into a small local pass */
			double		bestsum = 0.0;

			for (j = 0; j < d; j++)
			{
				double		s = 0.0;

				for (t = 0; t < f->n_trees; t++)
				{
					const iforest_node *base = f->nodes + f->tree_start[t];
					uint32_t	k = 0;

					while (base[k].feature >= 0)
					{
						uint32_t	next = x[base[k].feature] < base[k].split ? k + 1 : base[k].right;

						if ((size_t) base[k].feature == j)
							s += log2((double) base[k].size / (double) base[next].size);
						k = next;
					}
				}
				if (s > bestsum)
				{
					bestsum = s;
					best = (int32_t) j;
				}
			}
		}
		if (top)
			*top = best;
	}
	return ANA_OK;
}

int
iforest_score(const iforest *f, const double *x, size_t d, double *score)
{
	if (!score)
		return ANA_EINVAL;
	return iforest_explain(f, x, d, score, NULL, NULL, NULL);
}

/* ---------- serialization ----------
 * payload: u32 d | u32 n_trees | u32 psi | u32 max_depth | u64 seed | u64 n_train |
 *          per tree: u32 node count, nodes in preorder:
 *              internal: u32 feature | f64 split | u32 size
 *              leaf:     u32 0xFFFFFFFF | u32 size
 */
#define LEAF_TAG 0xFFFFFFFFu

int
iforest_serialized_size(const iforest *f, size_t *size)
{
	size_t		s;
	uint32_t	i;

	if (!f || !size)
		return ANA_EINVAL;
	s = ANA_HEADER_SIZE + 32 + 4 * (size_t) f->n_trees;
	for (i = 0; i < f->n_nodes; i++)
		s += f->nodes[i].feature >= 0 ? 16 : 8;
	*size = s;
	return ANA_OK;
}

int
iforest_serialize(const iforest *f, unsigned char *buf, size_t cap, size_t *written)
{
	ana_wbuf	w;
	uint32_t	t,
				k;

	if (!f || !buf)
		return ANA_EINVAL;
	ana_w_init(&w, buf, cap);
	ana_w_header(&w, IFOREST_MAGIC, IFOREST_VERSION);
	ana_w_u32(&w, f->d);
	ana_w_u32(&w, f->n_trees);
	ana_w_u32(&w, f->psi);
	ana_w_u32(&w, f->max_depth);
	ana_w_u64(&w, f->seed);
	ana_w_u64(&w, f->n_train);
	for (t = 0; t < f->n_trees; t++)
	{
		ana_w_u32(&w, f->tree_start[t + 1] - f->tree_start[t]);
		for (k = f->tree_start[t]; k < f->tree_start[t + 1]; k++)
		{
			const iforest_node *nd = &f->nodes[k];

			if (nd->feature >= 0)
			{
				ana_w_u32(&w, (uint32_t) nd->feature);
				ana_w_f64(&w, nd->split);
			}
			else
				ana_w_u32(&w, LEAF_TAG);
			ana_w_u32(&w, nd->size);
		}
	}
	return ana_w_finish(&w, written);
}

/*
 * Parse one tree of `count` preorder nodes into nodes[base..], checking structure with an
 * explicit stack (no recursion on untrusted input).
 */
static int
parse_tree(ana_rbuf *r, iforest *f, uint32_t base, uint32_t count)
{
	/* stack of internal nodes awaiting their right child, with their depth */
	uint32_t	stack[IFOREST_MAX_DEPTH + 1];
	uint32_t	depth_of[IFOREST_MAX_DEPTH + 1];
	int			sp = 0;
	uint32_t	k,
				depth = 0;
	int			expect_root = 1;

	for (k = 0; k < count; k++)
	{
		iforest_node *nd = &f->nodes[base + k];
		uint32_t	tag = ana_r_u32(r);

		if (r->err)
			return r->err;
		if (tag == LEAF_TAG)
		{
			nd->feature = -1;
			nd->split = 0.0;
		}
		else
		{
			if (tag >= f->d)
				return ANA_EFORMAT;
			nd->feature = (int32_t) tag;
			nd->split = ana_r_f64(r);
		}
		nd->size = ana_r_u32(r);
		nd->right = 0;
		if (r->err)
			return r->err;
		if (nd->size == 0 || nd->size > f->psi)
			return ANA_EFORMAT;
		if (expect_root)
		{
			if (k != 0 || nd->size != f->psi)
				return ANA_EFORMAT;
			expect_root = 0;
			depth = 0;
		}
		if (nd->feature >= 0)
		{
			if (depth >= f->max_depth || nd->size < 2 || sp > IFOREST_MAX_DEPTH)
				return ANA_EFORMAT;
			stack[sp] = base + k;
			depth_of[sp] = depth;
			sp++;
			depth++;			/* next node is the left child */
		}
		else
		{
			/* leaf done: the next node is the right child of the nearest pending parent */
			for (;;)
			{
				iforest_node *par;
				uint32_t	left_size;

				if (sp == 0)
				{
					if (k + 1 != count)
						return ANA_EFORMAT; /* tree complete but nodes remain */
					return ANA_OK;
				}
				par = &f->nodes[stack[sp - 1]];
				if (par->right == 0)
				{
					/* we just finished the left subtree of par */
					left_size = f->nodes[stack[sp - 1] + 1].size;
					if (left_size >= par->size)
						return ANA_EFORMAT;
					par->right = k + 1;	/* relative to the tree's root */
					depth = depth_of[sp - 1] + 1;
					break;
				}
				/* finished the right subtree: check sizes and pop */
				if (f->nodes[stack[sp - 1] + 1].size + f->nodes[base + par->right].size != par->size)
					return ANA_EFORMAT;
				sp--;
			}
		}
	}
	return ANA_ETRUNCATED;		/* ran out of nodes before the tree was complete */
}

int
iforest_deserialize(const unsigned char *buf, size_t len, const ana_alloc *al,
					iforest **out)
{
	ana_rbuf	r;
	iforest    *f;
	uint32_t	t,
				used = 0,
				per_tree;
	int			rc;

	if (!out)
		return ANA_EINVAL;
	*out = NULL;
	if ((rc = ana_r_open(&r, buf, len, IFOREST_MAGIC, IFOREST_VERSION, NULL)) != ANA_OK)
		return rc;
	f = ana_malloc(al, sizeof(iforest));
	if (!f)
		return ANA_ENOMEM;
	memset(f, 0, sizeof *f);
	f->d = ana_r_u32(&r);
	f->n_trees = ana_r_u32(&r);
	f->psi = ana_r_u32(&r);
	f->max_depth = ana_r_u32(&r);
	f->seed = ana_r_u64(&r);
	f->n_train = ana_r_u64(&r);
	rc = r.err;
	if (!rc && (f->d == 0 || f->d > IFOREST_MAX_DIM || f->n_trees == 0 ||
				f->n_trees > IFOREST_MAX_TREES || f->psi == 0 ||
				f->psi > IFOREST_MAX_SUBSAMPLE || f->max_depth > IFOREST_MAX_DEPTH ||
				f->n_train < f->psi))
		rc = ANA_EFORMAT;
	if (rc)
		goto fail;
	f->c_psi = iforest_c((double) f->psi);
	if ((rc = fill_c_table(f, al)) != ANA_OK)
		goto fail;
	per_tree = 2 * f->psi - 1;
	/* each node takes >= 8 bytes: bound the allocation by the bytes actually present */
	{
		size_t		max_nodes = ana_r_remaining(&r) / 8;
		size_t		cap = (size_t) f->n_trees * per_tree;

		if (cap > max_nodes)
			cap = max_nodes;
		f->tree_start = ana_malloc(al, ((size_t) f->n_trees + 1) * sizeof(uint32_t));
		f->nodes = ana_malloc(al, (cap ? cap : 1) * sizeof(iforest_node));
		rc = ANA_ENOMEM;
		if (!f->tree_start || !f->nodes)
			goto fail;
		for (t = 0; t < f->n_trees; t++)
		{
			uint32_t	count = ana_r_u32(&r),
						k;

			if ((rc = r.err) != ANA_OK)
				goto fail;
			rc = ANA_EFORMAT;
			if (count == 0 || count > per_tree)
				goto fail;
			if ((size_t) used + count > cap)
			{
				rc = ANA_ETRUNCATED;
				goto fail;
			}
			f->tree_start[t] = used;
			if ((rc = parse_tree(&r, f, used, count)) != ANA_OK)
				goto fail;
			/* right indices are relative to the tree's root, as scoring expects */
			for (k = 0; k < count; k++)
				if (f->nodes[used + k].feature >= 0 &&
					(f->nodes[used + k].right <= k + 1 || f->nodes[used + k].right >= count))
				{
					rc = ANA_EFORMAT;
					goto fail;
				}
			used += count;
		}
		f->tree_start[f->n_trees] = used;
		f->n_nodes = used;
	}
	if (ana_r_remaining(&r) != 0)
	{
		rc = ANA_EFORMAT;
		goto fail;
	}
	*out = f;
	return ANA_OK;

fail:
	iforest_free(f, al);
	return rc;
}
