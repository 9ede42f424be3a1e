/*
 * duration_model.c - intervention duration model: row accumulation, ridge fit (GSL
 * Cholesky), prediction with interval and confidence, validated serialization.
 *
 * Pure core: no PostgreSQL header. Copyright (C) doliflow contributors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "duration_model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#define ABSENT UINT32_MAX
#define PRIOR_NU 2.0
#define PRIOR_S 0.5
#define CONF_N0 10.0
#define UNPEN_RIDGE 1e-6

static const char *const month_names[12] = {
	"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"
};

const char *
dm_factor_name(int factor)
{
	switch (factor)
	{
		case DM_TYPE:
			return "intervention_type";
		case DM_CITY:
			return "city";
		case DM_TECHNICIAN:
			return "technician";
		case DM_SEVERITY:
			return "severity";
		case DM_MONTH:
			return "month";
	}
	return "unknown";
}

void
dm_params_default(dm_params *p)
{
	p->lambda = 5.0;
	p->min_level_count = 1;
}

/* trim ASCII blanks, lower-case ASCII letters; out has DM_MAX_NAME + 1 bytes */
static int
normalise(const char *in, char *out, uint32_t *len)
{
	size_t		a = 0,
				b,
				i;

	*len = 0;
	out[0] = '\0';
	if (!in)
		return ANA_OK;
	b = strlen(in);
	while (a < b && (in[a] == ' ' || in[a] == '\t' || in[a] == '\n' || in[a] == '\r'))
		a++;
	while (b > a && (in[b - 1] == ' ' || in[b - 1] == '\t' || in[b - 1] == '\n' || in[b - 1] == '\r'))
		b--;
	if (b - a > DM_MAX_NAME)
		return ANA_EINVAL;
	for (i = a; i < b; i++)
	{
		char		c = in[i];

		out[i - a] = (c >= 'A' && c <= 'Z') ? (char) (c - 'A' + 'a') : c;
	}
	out[b - a] = '\0';
	*len = (uint32_t) (b - a);
	return ANA_OK;
}

/* ---------- dictionary ---------- */

static void
dict_init(dm_dict *d)
{
	memset(d, 0, sizeof *d);
}

static void
dict_free(dm_dict *d, const ana_alloc *al)
{
	uint32_t	i;

	for (i = 0; i < d->n; i++)
		ana_free(al, d->names[i]);
	ana_free(al, d->names);
	ana_free(al, d->lens);
	ana_free(al, d->counts);
	ana_free(al, d->slots);
	dict_init(d);
}

static uint32_t
hash_name(const char *s, uint32_t len)
{
	uint64_t	h = ana_fnv1a((const unsigned char *) s, len);

	return (uint32_t) (h ^ (h >> 32));
}

static int
dict_rehash(dm_dict *d, uint32_t nslots, const ana_alloc *al)
{
	uint32_t   *s = ana_malloc(al, (size_t) nslots * sizeof(uint32_t));
	uint32_t	i;

	if (!s)
		return ANA_ENOMEM;
	memset(s, 0, (size_t) nslots * sizeof(uint32_t));
	for (i = 0; i < d->n; i++)
	{
		uint32_t	k = hash_name(d->names[i], d->lens[i]) & (nslots - 1);

		while (s[k])
			k = (k + 1) & (nslots - 1);
		s[k] = i + 1;
	}
	ana_free(al, d->slots);
	d->slots = s;
	d->nslots = nslots;
	return ANA_OK;
}

/* find (or insert when insert != 0) a normalised name; *id = ABSENT if not found */
static int
dict_find(dm_dict *d, const char *name, uint32_t len, int insert, const ana_alloc *al,
		  uint32_t *id)
{
	uint32_t	k;
	int			rc;

	*id = ABSENT;
	if (d->nslots)
	{
		k = hash_name(name, len) & (d->nslots - 1);
		while (d->slots[k])
		{
			uint32_t	i = d->slots[k] - 1;

			if (d->lens[i] == len && memcmp(d->names[i], name, len) == 0)
			{
				*id = i;
				return ANA_OK;
			}
			k = (k + 1) & (d->nslots - 1);
		}
	}
	if (!insert)
		return ANA_OK;
	if (d->n >= UINT32_MAX / 4)
		return ANA_EOVERFLOW;
	if (d->n == d->cap)
	{
		uint32_t	cap = d->cap ? d->cap * 2 : 16;
		char	  **nn = ana_realloc(al, d->names, (size_t) cap * sizeof(char *));

		if (!nn)
			return ANA_ENOMEM;
		d->names = nn;
		{
			uint32_t   *nl = ana_realloc(al, d->lens, (size_t) cap * sizeof(uint32_t));

			if (!nl)
				return ANA_ENOMEM;
			d->lens = nl;
		}
		{
			uint64_t   *nc = ana_realloc(al, d->counts, (size_t) cap * sizeof(uint64_t));

			if (!nc)
				return ANA_ENOMEM;
			d->counts = nc;
		}
		d->cap = cap;
	}
	if ((d->n + 1) * 2 > d->nslots)
	{
		if ((rc = dict_rehash(d, d->nslots ? d->nslots * 2 : 32, al)) != ANA_OK)
			return rc;
	}
	d->names[d->n] = ana_malloc(al, (size_t) len + 1);
	if (!d->names[d->n])
		return ANA_ENOMEM;
	memcpy(d->names[d->n], name, len);
	d->names[d->n][len] = '\0';
	d->lens[d->n] = len;
	d->counts[d->n] = 0;
	k = hash_name(name, len) & (d->nslots - 1);
	while (d->slots[k])
		k = (k + 1) & (d->nslots - 1);
	d->slots[k] = d->n + 1;
	*id = d->n++;
	return ANA_OK;
}

/* ---------- training rows ---------- */

void
dm_data_init(dm_data *d)
{
	int			f;

	for (f = 0; f < DM_NFACTORS; f++)
		dict_init(&d->dict[f]);
	d->rows = NULL;
	d->n = 0;
	d->cap = 0;
}

void
dm_data_free(dm_data *d, const ana_alloc *al)
{
	int			f;

	if (!d)
		return;
	for (f = 0; f < DM_NFACTORS; f++)
		dict_free(&d->dict[f], al);
	ana_free(al, d->rows);
	dm_data_init(d);
}

static int
reserve_rows(dm_data *d, size_t need, const ana_alloc *al)
{
	size_t		cap;
	dm_row	   *nr;

	if (need <= d->cap)
		return ANA_OK;
	cap = d->cap ? d->cap : 64;
	while (cap < need)
	{
		if (cap > SIZE_MAX / 2 / sizeof(dm_row))
			return ANA_EOVERFLOW;
		cap *= 2;
	}
	nr = ana_realloc(al, d->rows, cap * sizeof(dm_row));
	if (!nr)
		return ANA_ENOMEM;
	d->rows = nr;
	d->cap = cap;
	return ANA_OK;
}

static int
push_row(dm_data *d, const dm_row *r, const ana_alloc *al)
{
	int			rc,
				f;

	if ((rc = reserve_rows(d, d->n + 1, al)) != ANA_OK)
		return rc;
	d->rows[d->n++] = *r;
	for (f = 0; f < DM_NFACTORS; f++)
		if (r->level[f] != ABSENT)
			d->dict[f].counts[r->level[f]]++;
	return ANA_OK;
}

int
dm_data_add(dm_data *d, const dm_obs *o, const ana_alloc *al)
{
	char		buf[DM_MAX_NAME + 1];
	uint32_t	len;
	dm_row		r;
	int			f,
				rc;

	if (!d || !o)
		return ANA_EINVAL;
	if (!isfinite(o->estimate) || !isfinite(o->actual))
		return ANA_ENONFINITE;
	if (!(o->actual > 0.0) || o->month < 0 || o->month > 12)
		return ANA_EDOMAIN;
	for (f = 0; f < DM_NFACTORS - 1; f++)	/* validate all names before interning any */
		if ((rc = normalise(o->level[f], buf, &len)) != ANA_OK)
			return rc;
	for (f = 0; f < DM_NFACTORS - 1; f++)
	{
		normalise(o->level[f], buf, &len);
		r.level[f] = ABSENT;
		if (len > 0 && (rc = dict_find(&d->dict[f], buf, len, 1, al, &r.level[f])) != ANA_OK)
			return rc;
	}
	r.level[DM_MONTH] = ABSENT;
	if (o->month > 0)
	{
		const char *mn = month_names[o->month - 1];

		if ((rc = dict_find(&d->dict[DM_MONTH], mn, (uint32_t) strlen(mn), 1, al,
							&r.level[DM_MONTH])) != ANA_OK)
			return rc;
	}
	r.has_est = o->estimate > 0.0;
	r.log_est = r.has_est ? log(o->estimate) : 0.0;
	r.log_actual = log(o->actual);
	return push_row(d, &r, al);
}

int
dm_data_merge(dm_data *dst, const dm_data *src, const ana_alloc *al)
{
	uint32_t   *map[DM_NFACTORS] = {NULL};
	size_t		i;
	int			f,
				rc = ANA_OK;

	if (!dst || !src)
		return ANA_EINVAL;
	for (f = 0; f < DM_NFACTORS && rc == ANA_OK; f++)
	{
		uint32_t	j;

		map[f] = ana_malloc(al, ((size_t) src->dict[f].n + 1) * sizeof(uint32_t));
		if (!map[f])
		{
			rc = ANA_ENOMEM;
			break;
		}
		for (j = 0; j < src->dict[f].n && rc == ANA_OK; j++)
			rc = dict_find(&dst->dict[f], src->dict[f].names[j], src->dict[f].lens[j], 1, al,
						   &map[f][j]);
	}
	if (rc == ANA_OK && src->n > 0)
		rc = reserve_rows(dst, dst->n + src->n, al);
	for (i = 0; rc == ANA_OK && i < src->n; i++)
	{
		dm_row		r = src->rows[i];

		for (f = 0; f < DM_NFACTORS; f++)
			if (r.level[f] != ABSENT)
				r.level[f] = map[f][r.level[f]];
		rc = push_row(dst, &r, al);
	}
	for (f = 0; f < DM_NFACTORS; f++)
		ana_free(al, map[f]);
	return rc;
}

/* payload: u64 nrows | per factor: u32 nlevels, per level: u32 len, bytes |
 *          per row: 5 x u32 level, u8 has_est, f64 log_est, f64 log_actual */
int
dm_data_serialized_size(const dm_data *d, size_t *size)
{
	size_t		s = ANA_HEADER_SIZE + 8,
				rows;
	int			f;
	uint32_t	j;

	if (!d || !size)
		return ANA_EINVAL;
	for (f = 0; f < DM_NFACTORS; f++)
	{
		s += 4;
		for (j = 0; j < d->dict[f].n; j++)
			s += 4 + d->dict[f].lens[j];
	}
	if (ana_mul_size(d->n, 37, &rows) != ANA_OK || rows > SIZE_MAX - s)
		return ANA_EOVERFLOW;
	*size = s + rows;
	return ANA_OK;
}

int
dm_data_serialize(const dm_data *d, unsigned char *buf, size_t cap, size_t *written)
{
	ana_wbuf	w;
	int			f;
	uint32_t	j;
	size_t		i;

	if (!d || !buf)
		return ANA_EINVAL;
	ana_w_init(&w, buf, cap);
	ana_w_header(&w, DM_DATA_MAGIC, DM_VERSION);
	ana_w_u64(&w, (uint64_t) d->n);
	for (f = 0; f < DM_NFACTORS; f++)
	{
		ana_w_u32(&w, d->dict[f].n);
		for (j = 0; j < d->dict[f].n; j++)
		{
			ana_w_u32(&w, d->dict[f].lens[j]);
			ana_w_bytes(&w, d->dict[f].names[j], d->dict[f].lens[j]);
		}
	}
	for (i = 0; i < d->n; i++)
	{
		for (f = 0; f < DM_NFACTORS; f++)
			ana_w_u32(&w, d->rows[i].level[f]);
		ana_w_u8(&w, (uint8_t) d->rows[i].has_est);
		ana_w_f64(&w, d->rows[i].log_est);
		ana_w_f64(&w, d->rows[i].log_actual);
	}
	return ana_w_finish(&w, written);
}

int
dm_data_deserialize(dm_data *d, const unsigned char *buf, size_t len, const ana_alloc *al)
{
	ana_rbuf	r;
	uint64_t	n;
	int			f,
				rc;
	size_t		i;

	if (!d)
		return ANA_EINVAL;
	dm_data_init(d);
	if ((rc = ana_r_open(&r, buf, len, DM_DATA_MAGIC, DM_VERSION, NULL)) != ANA_OK)
		return rc;
	n = ana_r_u64(&r);
	if (r.err)
		return r.err;
	for (f = 0; f < DM_NFACTORS; f++)
	{
		uint32_t	nl = ana_r_u32(&r),
					j;

		if (r.err)
		{
			rc = r.err;
			goto fail;
		}
		if (nl > ana_r_remaining(&r) / 5 || (f == DM_MONTH && nl > 12))
		{
			rc = nl > ana_r_remaining(&r) / 5 ? ANA_ETRUNCATED : ANA_EFORMAT;
			goto fail;
		}
		for (j = 0; j < nl; j++)
		{
			uint32_t	l = ana_r_u32(&r),
						id;
			const unsigned char *s;
			char		tmp[DM_MAX_NAME + 1],
						norm[DM_MAX_NAME + 1];
			uint32_t	nlen;

			if (r.err)
			{
				rc = r.err;
				goto fail;
			}
			if (l == 0 || l > DM_MAX_NAME)
			{
				rc = ANA_EFORMAT;
				goto fail;
			}
			s = ana_r_bytes(&r, l);
			if (!s)
			{
				rc = r.err;
				goto fail;
			}
			memcpy(tmp, s, l);
			tmp[l] = '\0';
			/* must be a normalised name with no NUL inside, not seen before */
			if (strlen(tmp) != l || normalise(tmp, norm, &nlen) != ANA_OK || nlen != l ||
				memcmp(norm, tmp, l) != 0)
			{
				rc = ANA_EFORMAT;
				goto fail;
			}
			if (f == DM_MONTH)
			{
				int			mth,
							ok = 0;

				for (mth = 0; mth < 12; mth++)
					ok |= strcmp(tmp, month_names[mth]) == 0;
				if (!ok)
				{
					rc = ANA_EFORMAT;
					goto fail;
				}
			}
			if ((rc = dict_find(&d->dict[f], tmp, l, 0, al, &id)) != ANA_OK)
				goto fail;
			if (id != ABSENT)
			{
				rc = ANA_EFORMAT;	/* duplicate level */
				goto fail;
			}
			if ((rc = dict_find(&d->dict[f], tmp, l, 1, al, &id)) != ANA_OK)
				goto fail;
		}
	}
	if (n > ana_r_remaining(&r) / 37)
	{
		rc = ANA_ETRUNCATED;
		goto fail;
	}
	if (n * 37 != ana_r_remaining(&r))
	{
		rc = ANA_EFORMAT;
		goto fail;
	}
	if (n > 0 && (rc = reserve_rows(d, (size_t) n, al)) != ANA_OK)
		goto fail;
	for (i = 0; i < (size_t) n; i++)
	{
		dm_row		row;
		uint8_t		he;

		for (f = 0; f < DM_NFACTORS; f++)
		{
			row.level[f] = ana_r_u32(&r);
			if (row.level[f] != ABSENT && row.level[f] >= d->dict[f].n)
				r.err = r.err ? r.err : ANA_EFORMAT;
		}
		he = ana_r_u8(&r);
		row.has_est = he;
		row.log_est = ana_r_f64(&r);
		row.log_actual = ana_r_f64(&r);
		if (!r.err && (he > 1 || (!he && row.log_est != 0.0)))
			r.err = ANA_EFORMAT;
		if (r.err)
		{
			rc = r.err;
			goto fail;
		}
		push_row(d, &row, al);	/* capacity reserved: cannot fail */
	}
	return ANA_OK;
fail:
	dm_data_free(d, al);
	return rc;
}

/* ---------- fitting ---------- */

typedef struct frow
{
	int32_t		col[DM_NFACTORS];	/* parameter index, -1 = none */
	int32_t		has_est;
	double		le;
	double		la;
} frow;

static int
frow_cmp(const void *a, const void *b)
{
	const frow *x = a,
			   *y = b;
	int			f;

	for (f = 0; f < DM_NFACTORS; f++)
		if (x->col[f] != y->col[f])
			return x->col[f] < y->col[f] ? -1 : 1;
	if (x->has_est != y->has_est)
		return x->has_est < y->has_est ? -1 : 1;
	if (x->le != y->le)
		return x->le < y->le ? -1 : 1;
	if (x->la != y->la)
		return x->la < y->la ? -1 : 1;
	return 0;
}

/* level names ordered by bytes, then length */
static int
name_cmp_bytes(const char *a, uint32_t la, const char *b, uint32_t lb)
{
	int			c = memcmp(a, b, la < lb ? la : lb);

	if (c)
		return c;
	return (la > lb) - (la < lb);
}

static int
u64_desc(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *) a,
				y = *(const uint64_t *) b;

	return (x < y) - (x > y);
}

/* bottom-up merge sort of level ids by name (reentrant, no global state) */
static void
sort_ids_by_name(uint32_t *ids, uint32_t *tmp, uint32_t n, const dm_dict *d)
{
	uint32_t	width,
				lo;

	for (width = 1; width < n; width = width > n / 2 ? n : width * 2)
	{
		for (lo = 0; lo < n; lo += 2 * width)
		{
			uint32_t	mid = lo + width < n ? lo + width : n;
			uint32_t	hi = mid + width < n ? mid + width : n;
			uint32_t	a = lo,
						b = mid,
						k = lo;

			while (a < mid && b < hi)
				tmp[k++] = name_cmp_bytes(d->names[ids[b]], d->lens[ids[b]],
										  d->names[ids[a]], d->lens[ids[a]]) < 0 ? ids[b++] : ids[a++];
			while (a < mid)
				tmp[k++] = ids[a++];
			while (b < hi)
				tmp[k++] = ids[b++];
		}
		memcpy(ids, tmp, (size_t) n * sizeof(uint32_t));
	}
}

void
dm_model_free(dm_model *m, const ana_alloc *al)
{
	int			f;
	uint32_t	j;

	if (!m)
		return;
	for (f = 0; f < DM_NFACTORS; f++)
	{
		if (m->levels[f])
			for (j = 0; j < m->n_levels[f]; j++)
				ana_free(al, m->levels[f][j].name);
		ana_free(al, m->levels[f]);
	}
	ana_free(al, m);
}

int
dm_fit(dm_data *d, const dm_params *pp, const ana_alloc *al, dm_model **out)
{
	dm_params	p;
	dm_model   *m = NULL;
	int32_t    *map[DM_NFACTORS] = {NULL};
	uint32_t	threshold,
				f_off[DM_NFACTORS],
				np,
				f;
	frow	   *fr = NULL;
	double	   *A = NULL,
			   *rhs = NULL,
			   *beta = NULL,
				rss = 0.0,
				df,
				sigma2;
	size_t		i,
				total_levels = 0;
	uint64_t	n_est = 0;
	int			rc = ANA_ENOMEM,
				any_est = 0,
				any_missing = 0;

	if (!d || !out)
		return ANA_EINVAL;
	*out = NULL;
	if (pp)
		p = *pp;
	else
		dm_params_default(&p);
	if (!(p.lambda > 0.0) || !isfinite(p.lambda) || p.min_level_count == 0)
		return ANA_EINVAL;
	if (d->n == 0)
		return ANA_EEMPTY;
	if (d->n > (size_t) INT32_MAX)
		return ANA_EOVERFLOW;

	/* level count threshold so that at most DM_MAX_PARAMS - 3 levels are kept */
	threshold = p.min_level_count;
	for (f = 0; f < DM_NFACTORS; f++)
		total_levels += d->dict[f].n;
	{
		uint64_t   *cnt = ana_malloc(al, (total_levels + 1) * sizeof(uint64_t));
		size_t		kept = 0;
		uint32_t	j;

		if (!cnt)
			return ANA_ENOMEM;
		for (f = 0; f < DM_NFACTORS; f++)
			for (j = 0; j < d->dict[f].n; j++)
				if (d->dict[f].counts[j] >= threshold)
					cnt[kept++] = d->dict[f].counts[j];
		if (kept > DM_MAX_PARAMS - 3)
		{
			qsort(cnt, kept, sizeof(uint64_t), u64_desc);
			/* keep counts strictly above the (cap+1)-th largest */
			if (cnt[DM_MAX_PARAMS - 3] + 1 > threshold)
				threshold = (uint32_t) (cnt[DM_MAX_PARAMS - 3] >= UINT32_MAX - 1 ? UINT32_MAX : cnt[DM_MAX_PARAMS - 3] + 1);
		}
		ana_free(al, cnt);
	}

	m = ana_malloc(al, sizeof(dm_model));
	if (!m)
		return ANA_ENOMEM;
	memset(m, 0, sizeof *m);
	m->lambda = p.lambda;
	np = 3;
	for (f = 0; f < DM_NFACTORS; f++)
	{
		const dm_dict *dc = &d->dict[f];
		uint32_t   *ids = ana_malloc(al, ((size_t) dc->n + 1) * sizeof(uint32_t));
		uint32_t   *tmp = ana_malloc(al, ((size_t) dc->n + 1) * sizeof(uint32_t));
		uint32_t	j,
					kept = 0;

		map[f] = ana_malloc(al, ((size_t) dc->n + 1) * sizeof(int32_t));
		if (!ids || !tmp || !map[f])
		{
			ana_free(al, ids);
			ana_free(al, tmp);
			goto fail;
		}
		for (j = 0; j < dc->n; j++)
		{
			ids[j] = j;
			map[f][j] = -1;
		}
		sort_ids_by_name(ids, tmp, dc->n, dc);
		for (j = 0; j < dc->n; j++)
			kept += dc->counts[ids[j]] >= threshold;
		m->levels[f] = ana_malloc(al, ((size_t) kept + 1) * sizeof(dm_level));
		if (!m->levels[f])
		{
			ana_free(al, ids);
			ana_free(al, tmp);
			goto fail;
		}
		f_off[f] = np;
		for (j = 0; j < dc->n; j++)
		{
			uint32_t	id = ids[j];
			dm_level   *lv;

			if (dc->counts[id] < threshold)
				continue;
			lv = &m->levels[f][m->n_levels[f]];
			lv->name = ana_malloc(al, (size_t) dc->lens[id] + 1);
			if (!lv->name)
			{
				ana_free(al, ids);
				ana_free(al, tmp);
				goto fail;
			}
			memcpy(lv->name, dc->names[id], (size_t) dc->lens[id] + 1);
			lv->len = dc->lens[id];
			lv->count = dc->counts[id];
			lv->coef = 0.0;
			map[f][id] = (int32_t) (np + m->n_levels[f]);
			m->n_levels[f]++;
		}
		np += m->n_levels[f];
		ana_free(al, ids);
		ana_free(al, tmp);
	}

	/* canonical row order */
	fr = ana_malloc(al, d->n * sizeof(frow));
	if (!fr)
		goto fail;
	for (i = 0; i < d->n; i++)
	{
		const dm_row *r = &d->rows[i];

		for (f = 0; f < DM_NFACTORS; f++)
			fr[i].col[f] = r->level[f] == ABSENT ? -1 : map[f][r->level[f]];
		fr[i].has_est = r->has_est;
		fr[i].le = r->log_est;
		fr[i].la = r->log_actual;
		any_est |= r->has_est;
		any_missing |= !r->has_est;
		n_est += r->has_est != 0;
	}
	qsort(fr, d->n, sizeof(frow), frow_cmp);

	/* normal equations */
	A = ana_malloc(al, (size_t) np * np * sizeof(double));
	rhs = ana_malloc(al, (size_t) np * sizeof(double));
	beta = ana_malloc(al, (size_t) np * sizeof(double));
	if (!A || !rhs || !beta)
		goto fail;
	memset(A, 0, (size_t) np * np * sizeof(double));
	memset(rhs, 0, (size_t) np * sizeof(double));
	for (i = 0; i < d->n; i++)
	{
		uint32_t	cols[3 + DM_NFACTORS];
		double		vals[3 + DM_NFACTORS];
		int			nc = 0,
					a,
					b;

		cols[nc] = 0;
		vals[nc++] = 1.0;
		if (fr[i].has_est)
		{
			cols[nc] = 1;
			vals[nc++] = fr[i].le;
		}
		else
		{
			cols[nc] = 2;
			vals[nc++] = 1.0;
		}
		for (f = 0; f < DM_NFACTORS; f++)
			if (fr[i].col[f] >= 0)
			{
				cols[nc] = (uint32_t) fr[i].col[f];
				vals[nc++] = 1.0;
			}
		for (a = 0; a < nc; a++)
		{
			rhs[cols[a]] += vals[a] * fr[i].la;
			for (b = 0; b < nc; b++)
				A[(size_t) cols[a] * np + cols[b]] += vals[a] * vals[b];
		}
	}
	for (i = 0; i < 3; i++)
		A[i * np + i] += UNPEN_RIDGE * (1.0 + A[i * np + i]);
	for (i = 3; i < np; i++)
		A[i * np + i] += p.lambda;
	{
		gsl_matrix_view Av = gsl_matrix_view_array(A, np, np);
		gsl_vector_view bv = gsl_vector_view_array(rhs, np);
		gsl_vector_view xv = gsl_vector_view_array(beta, np);

		if (gsl_linalg_cholesky_decomp1(&Av.matrix) != GSL_SUCCESS ||
			gsl_linalg_cholesky_solve(&Av.matrix, &bv.vector, &xv.vector) != GSL_SUCCESS)
		{
			rc = ANA_ENUMERIC;
			goto fail;
		}
	}
	for (i = 0; i < np; i++)
		if (!isfinite(beta[i]))
		{
			rc = ANA_ENUMERIC;
			goto fail;
		}
	m->b0 = beta[0];
	m->b_logest = any_est ? beta[1] : 0.0;
	m->b_missing = any_missing ? beta[2] : 0.0;
	for (f = 0; f < DM_NFACTORS; f++)
	{
		uint32_t	j;
		double		wsum = 0.0,
					w2 = 0.0;

		for (j = 0; j < m->n_levels[f]; j++)
		{
			dm_level   *lv = &m->levels[f][j];

			lv->coef = beta[f_off[f] + j];
			wsum += (double) lv->count;
			w2 += (double) lv->count * lv->coef * lv->coef;
		}
		m->tau2[f] = wsum > 0.0 ? w2 / wsum : 0.0;
	}
	/* residuals, split by whether the row had an estimate */
	df = 1.0 + any_est + any_missing;
	for (f = 0; f < DM_NFACTORS; f++)
	{
		uint32_t	j;

		for (j = 0; j < m->n_levels[f]; j++)
			df += (double) m->levels[f][j].count / ((double) m->levels[f][j].count + p.lambda);
	}
	{
		double		rss_e = 0.0,
					rss_m = 0.0,
					ne = (double) n_est,
					nm = (double) (d->n - n_est),
					rdf_e,
					rdf_m,
					mle = 0.0,
					vle = 0.0;

		for (i = 0; i < d->n; i++)
		{
			double		mu = beta[0] + (fr[i].has_est ? beta[1] * fr[i].le : beta[2]);
			double		e;

			for (f = 0; f < DM_NFACTORS; f++)
				if (fr[i].col[f] >= 0)
					mu += beta[fr[i].col[f]];
			e = fr[i].la - mu;
			if (fr[i].has_est)
			{
				rss_e += e * e;
				mle += fr[i].le;
			}
			else
				rss_m += e * e;
		}
		rss = rss_e + rss_m;
		rdf_e = ne - df * ne / (double) d->n;
		rdf_m = nm - df * nm / (double) d->n;
		sigma2 = (rss_e + PRIOR_NU * PRIOR_S * PRIOR_S) / ((rdf_e > 0.0 ? rdf_e : 0.0) + PRIOR_NU);
		m->sigma = sqrt(sigma2);
		if (any_missing)
			m->sigma_noest = sqrt((rss_m + PRIOR_NU * PRIOR_S * PRIOR_S) /
								  ((rdf_m > 0.0 ? rdf_m : 0.0) + PRIOR_NU));
		else
		{
			/* never trained without an estimate: integrate the estimate out */
			mle /= ne;
			for (i = 0; i < d->n; i++)
				vle += (fr[i].le - mle) * (fr[i].le - mle) / ne;
			m->b_missing = m->b_logest * mle;
			m->sigma_noest = sqrt(sigma2 + m->b_logest * m->b_logest * vle);
		}
		if (!any_est)
			m->sigma = m->sigma_noest;
	}
	m->rmse_log = sqrt(rss / (double) d->n);
	m->n = (uint64_t) d->n;
	m->n_with_estimate = n_est;
	if (!isfinite(m->sigma) || !isfinite(m->sigma_noest) || !isfinite(m->b_missing) ||
		!isfinite(m->rmse_log))
	{
		rc = ANA_ENUMERIC;
		goto fail;
	}
	rc = ANA_OK;
	*out = m;
	m = NULL;
fail:
	for (f = 0; f < DM_NFACTORS; f++)
		ana_free(al, map[f]);
	ana_free(al, fr);
	ana_free(al, A);
	ana_free(al, rhs);
	ana_free(al, beta);
	dm_model_free(m, al);
	return rc;
}

/* ---------- prediction ---------- */

static const dm_level *
find_level(const dm_model *m, int f, const char *name, uint32_t len)
{
	uint32_t	lo = 0,
				hi = m->n_levels[f];

	while (lo < hi)
	{
		uint32_t	mid = lo + (hi - lo) / 2;
		int			c = name_cmp_bytes(m->levels[f][mid].name, m->levels[f][mid].len, name, len);

		if (c == 0)
			return &m->levels[f][mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int
dm_model_level(const dm_model *m, int factor, const char *name, double *coef,
			   uint64_t *count)
{
	char		buf[DM_MAX_NAME + 1];
	uint32_t	len;
	const dm_level *lv;

	if (!m || factor < 0 || factor >= DM_NFACTORS || !name)
		return ANA_EINVAL;
	if (normalise(name, buf, &len) != ANA_OK)
		return ANA_EINVAL;
	lv = find_level(m, factor, buf, len);
	if (!lv)
		return ANA_EINVAL;
	if (coef)
		*coef = lv->coef;
	if (count)
		*count = lv->count;
	return ANA_OK;
}

int
dm_predict(const dm_model *m, const dm_obs *o, double level, dm_prediction *out)
{
	char		buf[DM_MAX_NAME + 1];
	uint32_t	len;
	double		mu,
				var,
				sg,
				s,
				z;
	int			f,
				rc;

	if (!m || !o || !out || !(level > 0.0 && level < 1.0))
		return ANA_EINVAL;
	if (!isfinite(o->estimate))
		return ANA_ENONFINITE;
	if (o->month < 0 || o->month > 12)
		return ANA_EDOMAIN;
	memset(out, 0, sizeof *out);
	out->used_estimate = o->estimate > 0.0 && m->n_with_estimate > 0;
	mu = m->b0 + (out->used_estimate ? m->b_logest * log(o->estimate) : m->b_missing);
	sg = out->used_estimate ? m->sigma : m->sigma_noest;
	var = sg * sg * (1.0 + 1.0 / (double) m->n);
	for (f = 0; f < DM_NFACTORS; f++)
	{
		const dm_level *lv = NULL;

		if (f == DM_MONTH)
		{
			if (o->month > 0)
				lv = find_level(m, f, month_names[o->month - 1],
								(uint32_t) strlen(month_names[o->month - 1]));
		}
		else
		{
			if ((rc = normalise(o->level[f], buf, &len)) != ANA_OK)
				return rc;
			if (len > 0)
				lv = find_level(m, f, buf, len);
		}
		if (lv)
		{
			out->known[f] = 1;
			mu += lv->coef;
			var += sg * sg / ((double) lv->count + m->lambda);
		}
		else
			var += m->tau2[f];
	}
	s = sqrt(var);
	z = gsl_cdf_ugaussian_Pinv(0.5 + level / 2.0);
	out->sigma = s;
	out->predicted = exp(mu);
	out->mean = exp(mu + var / 2.0);
	out->lo = exp(mu - z * s);
	out->hi = exp(mu + z * s);
	out->confidence = ((double) m->n / ((double) m->n + CONF_N0)) / (1.0 + sinh(z * s));
	if (!isfinite(out->predicted) || !isfinite(out->mean) || !isfinite(out->hi) ||
		!isfinite(out->confidence))
		return ANA_ERANGE;
	return ANA_OK;
}

/* ---------- model serialization ----------
 * payload: f64 lambda, sigma, sigma_noest, b0, b_logest, b_missing, rmse_log | u64 n, n_with_estimate |
 *          per factor: u32 nlevels, f64 tau2, per level: u32 len, bytes, f64 coef, u64 count
 */
int
dm_model_serialized_size(const dm_model *m, size_t *size)
{
	size_t		s = ANA_HEADER_SIZE + 7 * 8 + 16;
	int			f;
	uint32_t	j;

	if (!m || !size)
		return ANA_EINVAL;
	for (f = 0; f < DM_NFACTORS; f++)
	{
		s += 12;
		for (j = 0; j < m->n_levels[f]; j++)
			s += 20 + m->levels[f][j].len;
	}
	*size = s;
	return ANA_OK;
}

int
dm_model_serialize(const dm_model *m, unsigned char *buf, size_t cap, size_t *written)
{
	ana_wbuf	w;
	int			f;
	uint32_t	j;

	if (!m || !buf)
		return ANA_EINVAL;
	ana_w_init(&w, buf, cap);
	ana_w_header(&w, DM_MODEL_MAGIC, DM_VERSION);
	ana_w_f64(&w, m->lambda);
	ana_w_f64(&w, m->sigma);
	ana_w_f64(&w, m->sigma_noest);
	ana_w_f64(&w, m->b0);
	ana_w_f64(&w, m->b_logest);
	ana_w_f64(&w, m->b_missing);
	ana_w_f64(&w, m->rmse_log);
	ana_w_u64(&w, m->n);
	ana_w_u64(&w, m->n_with_estimate);
	for (f = 0; f < DM_NFACTORS; f++)
	{
		ana_w_u32(&w, m->n_levels[f]);
		ana_w_f64(&w, m->tau2[f]);
		for (j = 0; j < m->n_levels[f]; j++)
		{
			ana_w_u32(&w, m->levels[f][j].len);
			ana_w_bytes(&w, m->levels[f][j].name, m->levels[f][j].len);
			ana_w_f64(&w, m->levels[f][j].coef);
			ana_w_u64(&w, m->levels[f][j].count);
		}
	}
	return ana_w_finish(&w, written);
}

int
dm_model_deserialize(const unsigned char *buf, size_t len, const ana_alloc *al,
					 dm_model **out)
{
	ana_rbuf	r;
	dm_model   *m;
	int			f,
				rc;

	if (!out)
		return ANA_EINVAL;
	*out = NULL;
	if ((rc = ana_r_open(&r, buf, len, DM_MODEL_MAGIC, DM_VERSION, NULL)) != ANA_OK)
		return rc;
	m = ana_malloc(al, sizeof(dm_model));
	if (!m)
		return ANA_ENOMEM;
	memset(m, 0, sizeof *m);
	m->lambda = ana_r_f64(&r);
	m->sigma = ana_r_f64(&r);
	m->sigma_noest = ana_r_f64(&r);
	m->b0 = ana_r_f64(&r);
	m->b_logest = ana_r_f64(&r);
	m->b_missing = ana_r_f64(&r);
	m->rmse_log = ana_r_f64(&r);
	m->n = ana_r_u64(&r);
	m->n_with_estimate = ana_r_u64(&r);
	rc = r.err;
	if (!rc && (!(m->lambda > 0.0) || !(m->sigma > 0.0) || !(m->sigma_noest > 0.0) || m->rmse_log < 0.0 || m->n == 0 ||
				m->n_with_estimate > m->n))
		rc = ANA_EFORMAT;
	for (f = 0; f < DM_NFACTORS && !rc; f++)
	{
		uint32_t	nl = ana_r_u32(&r),
					j;

		m->tau2[f] = ana_r_f64(&r);
		if ((rc = r.err) != ANA_OK)
			break;
		if (m->tau2[f] < 0.0 || (f == DM_MONTH && nl > 12))
		{
			rc = ANA_EFORMAT;
			break;
		}
		if (nl > ana_r_remaining(&r) / 21)
		{
			rc = ANA_ETRUNCATED;
			break;
		}
		m->levels[f] = ana_malloc(al, ((size_t) nl + 1) * sizeof(dm_level));
		if (!m->levels[f])
		{
			rc = ANA_ENOMEM;
			break;
		}
		for (j = 0; j < nl; j++)
		{
			uint32_t	l = ana_r_u32(&r);
			const unsigned char *s;
			dm_level   *lv = &m->levels[f][j];
			char		norm[DM_MAX_NAME + 1];
			uint32_t	nlen;

			if ((rc = r.err) != ANA_OK)
				break;
			if (l == 0 || l > DM_MAX_NAME)
			{
				rc = ANA_EFORMAT;
				break;
			}
			if (!(s = ana_r_bytes(&r, l)))
			{
				rc = r.err;
				break;
			}
			lv->name = ana_malloc(al, (size_t) l + 1);
			if (!lv->name)
			{
				rc = ANA_ENOMEM;
				break;
			}
			m->n_levels[f] = j + 1; /* so that free releases this name */
			memcpy(lv->name, s, l);
			lv->name[l] = '\0';
			lv->len = l;
			lv->coef = ana_r_f64(&r);
			lv->count = ana_r_u64(&r);
			if ((rc = r.err) != ANA_OK)
				break;
			if (strlen(lv->name) != l || normalise(lv->name, norm, &nlen) != ANA_OK ||
				nlen != l || memcmp(norm, lv->name, l) != 0 || lv->count == 0 ||
				lv->count > m->n ||
				(j > 0 && name_cmp_bytes(m->levels[f][j - 1].name, m->levels[f][j - 1].len,
										 lv->name, l) >= 0))
			{
				rc = ANA_EFORMAT;	/* not normalised, unsorted or duplicate */
				break;
			}
		}
	}
	if (!rc && ana_r_remaining(&r) != 0)
		rc = ANA_EFORMAT;
	if (rc)
	{
		dm_model_free(m, al);
		return rc;
	}
	*out = m;
	return ANA_OK;
}
