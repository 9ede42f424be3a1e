/*
 * ana_common.c - status texts, allocator, PRNG, serialization helpers, row sort.
 *
 * Pure core: no PostgreSQL header. Copyright (C) doliflow contributors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ana_common.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *
ana_strerror(int status)
{
	switch (status)
	{
		case ANA_OK:
			return "success";
		case ANA_EINVAL:
			return "invalid argument";
		case ANA_ENOMEM:
			return "out of memory";
		case ANA_ENONFINITE:
			return "input contains NaN or infinity";
		case ANA_EEMPTY:
			return "no input data";
		case ANA_EOVERFLOW:
			return "size overflow";
		case ANA_EFORMAT:
			return "serialized data is malformed";
		case ANA_ETRUNCATED:
			return "serialized data is truncated";
		case ANA_EVERSION:
			return "serialized data has an unsupported format version";
		case ANA_ECHECKSUM:
			return "serialized data is corrupted (checksum mismatch)";
		case ANA_EDOMAIN:
			return "value outside the allowed domain";
		case ANA_ERANGE:
			return "result out of range";
		case ANA_ENUMERIC:
			return "numerical failure";
		case ANA_EMISMATCH:
			return "dimension mismatch";
	}
	return "unknown error";
}

/* ---------- allocation ---------- */

void *
ana_malloc(const ana_alloc *al, size_t size)
{
	if (size == 0)
		size = 1;
	if (al && al->alloc)
		return al->alloc(al->ctx, size);
	return malloc(size);
}

void *
ana_realloc(const ana_alloc *al, void *ptr, size_t size)
{
	if (size == 0)
		size = 1;
	if (al && al->realloc)
		return al->realloc(al->ctx, ptr, size);
	return realloc(ptr, size);
}

void
ana_free(const ana_alloc *al, void *ptr)
{
	if (ptr == NULL)
		return;
	if (al && al->free)
		al->free(al->ctx, ptr);
	else if (!al || !al->alloc)
		free(ptr);
	/* custom allocator without free: memory belongs to its context */
}

int
ana_mul_size(size_t a, size_t b, size_t *out)
{
	if (a != 0 && b > SIZE_MAX / a)
		return ANA_EOVERFLOW;
	*out = a * b;
	return ANA_OK;
}

int
ana_mul3_size(size_t a, size_t b, size_t c, size_t *out)
{
	size_t		t;

	if (ana_mul_size(a, b, &t) != ANA_OK)
		return ANA_EOVERFLOW;
	return ana_mul_size(t, c, out);
}

/* ---------- PRNG: splitmix64 seeding, xoshiro256** ---------- */

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t	z = (*x += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

void
ana_rng_seed(ana_rng *r, uint64_t seed)
{
	uint64_t	x = seed;
	int			i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
	/* splitmix64 never yields four zero words, but be explicit */
	if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
		r->s[0] = 1;
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
ana_rng_next(ana_rng *r)
{
	uint64_t   *s = r->s;
	uint64_t	result = rotl(s[1] * 5, 7) * 9;
	uint64_t	t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double
ana_rng_uniform(ana_rng *r)
{
	return (double) (ana_rng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t
ana_rng_below(ana_rng *r, uint64_t n)
{
	/* Lemire's nearly divisionless method, 64x64->128 via halves (C99, no __int128) */
	uint64_t	threshold,
				x;

	if (n <= 1)
		return 0;
	threshold = (0 - n) % n;	/* 2^64 mod n */
	for (;;)
	{
		x = ana_rng_next(r);
		if (x >= threshold)
			return x % n;
	}
}

/* ---------- checksum ---------- */

uint64_t
ana_fnv1a(const unsigned char *p, size_t n)
{
	uint64_t	h = UINT64_C(0xcbf29ce484222325);
	size_t		i;

	for (i = 0; i < n; i++)
	{
		h ^= p[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

/* ---------- write buffer ---------- */

void
ana_w_init(ana_wbuf *w, unsigned char *buf, size_t cap)
{
	w->p = buf;
	w->cap = buf ? cap : 0;
	w->len = 0;
	w->overflow = 0;
}

static void
w_raw(ana_wbuf *w, const unsigned char *b, size_t n)
{
	if (!w->overflow && w->p && w->cap - w->len >= n && w->len <= w->cap)
		memcpy(w->p + w->len, b, n);
	else
		w->overflow = 1;
	w->len += n;				/* keep counting so callers can size buffers */
}

void
ana_w_u8(ana_wbuf *w, uint8_t v)
{
	w_raw(w, &v, 1);
}

void
ana_w_u16(ana_wbuf *w, uint16_t v)
{
	unsigned char b[2];

	b[0] = (unsigned char) v;
	b[1] = (unsigned char) (v >> 8);
	w_raw(w, b, 2);
}

void
ana_w_u32(ana_wbuf *w, uint32_t v)
{
	unsigned char b[4];
	int			i;

	for (i = 0; i < 4; i++)
		b[i] = (unsigned char) (v >> (8 * i));
	w_raw(w, b, 4);
}

void
ana_w_u64(ana_wbuf *w, uint64_t v)
{
	unsigned char b[8];
	int			i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char) (v >> (8 * i));
	w_raw(w, b, 8);
}

void
ana_w_i32(ana_wbuf *w, int32_t v)
{
	ana_w_u32(w, (uint32_t) v);
}

void
ana_w_f32(ana_wbuf *w, float v)
{
	uint32_t	u;

	memcpy(&u, &v, 4);
	ana_w_u32(w, u);
}

void
ana_w_f64(ana_wbuf *w, double v)
{
	uint64_t	u;

	memcpy(&u, &v, 8);
	ana_w_u64(w, u);
}

void
ana_w_bytes(ana_wbuf *w, const void *src, size_t n)
{
	w_raw(w, (const unsigned char *) src, n);
}

void
ana_w_header(ana_wbuf *w, uint32_t magic, uint16_t version)
{
	ana_w_u32(w, magic);
	ana_w_u16(w, version);
	ana_w_u16(w, 0);
	ana_w_u64(w, 0);			/* payload length, patched by finish */
	ana_w_u64(w, 0);			/* checksum, patched by finish */
}

static void
put_u64_at(unsigned char *p, uint64_t v)
{
	int			i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char) (v >> (8 * i));
}

int
ana_w_finish(ana_wbuf *w, size_t *written)
{
	if (written)
		*written = w->len;
	if (w->overflow || w->len < ANA_HEADER_SIZE)
		return ANA_EINVAL;
	put_u64_at(w->p + 8, (uint64_t) (w->len - ANA_HEADER_SIZE));
	put_u64_at(w->p + 16, ana_fnv1a(w->p + ANA_HEADER_SIZE, w->len - ANA_HEADER_SIZE));
	return ANA_OK;
}

/* ---------- read buffer ---------- */

static const unsigned char *
r_take(ana_rbuf *r, size_t n)
{
	const unsigned char *q;

	if (r->err)
		return NULL;
	if (r->len - r->pos < n)
	{
		r->err = ANA_ETRUNCATED;
		return NULL;
	}
	q = r->p + r->pos;
	r->pos += n;
	return q;
}

uint8_t
ana_r_u8(ana_rbuf *r)
{
	const unsigned char *q = r_take(r, 1);

	return q ? q[0] : 0;
}

uint16_t
ana_r_u16(ana_rbuf *r)
{
	const unsigned char *q = r_take(r, 2);

	return q ? (uint16_t) (q[0] | (q[1] << 8)) : 0;
}

uint32_t
ana_r_u32(ana_rbuf *r)
{
	const unsigned char *q = r_take(r, 4);
	uint32_t	v = 0;
	int			i;

	if (!q)
		return 0;
	for (i = 3; i >= 0; i--)
		v = (v << 8) | q[i];
	return v;
}

uint64_t
ana_r_u64(ana_rbuf *r)
{
	const unsigned char *q = r_take(r, 8);
	uint64_t	v = 0;
	int			i;

	if (!q)
		return 0;
	for (i = 7; i >= 0; i--)
		v = (v << 8) | q[i];
	return v;
}

int32_t
ana_r_i32(ana_rbuf *r)
{
	uint32_t	u = ana_r_u32(r);
	int32_t		v;

	memcpy(&v, &u, 4);			/* two's complement on every supported host */
	return v;
}

double
ana_r_f64_any(ana_rbuf *r)
{
	uint64_t	u = ana_r_u64(r);
	double		v;

	memcpy(&v, &u, 8);
	return v;
}

float
ana_r_f32_any(ana_rbuf *r)
{
	uint32_t	u = ana_r_u32(r);
	float		v;

	memcpy(&v, &u, 4);
	return v;
}

double
ana_r_f64(ana_rbuf *r)
{
	uint64_t	u = ana_r_u64(r);
	double		v;

	memcpy(&v, &u, 8);
	if (!isfinite(v))
	{
		if (!r->err)
			r->err = ANA_EFORMAT;
		return 0.0;
	}
	return v;
}

const unsigned char *
ana_r_bytes(ana_rbuf *r, size_t n)
{
	return r_take(r, n);
}

size_t
ana_r_remaining(const ana_rbuf *r)
{
	return r->len - r->pos;
}

int
ana_r_open(ana_rbuf *r, const unsigned char *buf, size_t len,
		   uint32_t magic, uint16_t max_version, uint16_t *version)
{
	uint32_t	m;
	uint16_t	v,
				flags;
	uint64_t	plen,
				sum;

	r->p = buf;
	r->len = buf ? len : 0;
	r->pos = 0;
	r->err = 0;
	if (buf == NULL)
		return ANA_EINVAL;
	if (len < 4)
		return ANA_ETRUNCATED;
	m = ana_r_u32(r);
	if (m != magic)
		return ANA_EFORMAT;
	if (len < ANA_HEADER_SIZE)
		return ANA_ETRUNCATED;
	v = ana_r_u16(r);
	flags = ana_r_u16(r);
	plen = ana_r_u64(r);
	sum = ana_r_u64(r);
	if (v == 0 || v > max_version)
		return ANA_EVERSION;
	if (flags != 0)
		return ANA_EFORMAT;
	if (plen > (uint64_t) (len - ANA_HEADER_SIZE))
		return ANA_ETRUNCATED;
	if (plen < (uint64_t) (len - ANA_HEADER_SIZE))
		return ANA_EFORMAT;		/* trailing garbage */
	if (ana_fnv1a(buf + ANA_HEADER_SIZE, (size_t) plen) != sum)
		return ANA_ECHECKSUM;
	if (version)
		*version = v;
	return ANA_OK;
}

/* ---------- lexicographic row sort ---------- */

static int
row_cmp(const double *X, size_t d, size_t a, size_t b)
{
	const double *ra = X + a * d;
	const double *rb = X + b * d;
	size_t		j;

	for (j = 0; j < d; j++)
	{
		if (ra[j] < rb[j])
			return -1;
		if (ra[j] > rb[j])
			return 1;
	}
	return 0;
}

int
ana_sort_rows(double *X, size_t n, size_t d, const ana_alloc *al)
{
	size_t	   *idx,
			   *tmp,
				width,
				i,
				bytes,
				total;
	double	   *copy;

	if (n < 2 || d == 0)
		return ANA_OK;
	if (X == NULL)
		return ANA_EINVAL;
	if (ana_mul_size(n, sizeof(size_t), &bytes) != ANA_OK ||
		ana_mul3_size(n, d, sizeof(double), &total) != ANA_OK)
		return ANA_EOVERFLOW;
	idx = ana_malloc(al, bytes);
	tmp = ana_malloc(al, bytes);
	copy = ana_malloc(al, total);
	if (!idx || !tmp || !copy)
	{
		ana_free(al, idx);
		ana_free(al, tmp);
		ana_free(al, copy);
		return ANA_ENOMEM;
	}
	for (i = 0; i < n; i++)
		idx[i] = i;
	/* bottom-up stable merge sort of the index array */
	for (width = 1; width < n; width = (width > n / 2) ? n : width * 2)
	{
		size_t		lo;

		for (lo = 0; lo < n; lo += 2 * width)
		{
			size_t		mid = lo + width < n ? lo + width : n;
			size_t		hi = mid + width < n ? mid + width : n;
			size_t		a = lo,
						b = mid,
						k = lo;

			while (a < mid && b < hi)
				tmp[k++] = row_cmp(X, d, idx[b], idx[a]) < 0 ? idx[b++] : idx[a++];
			while (a < mid)
				tmp[k++] = idx[a++];
			while (b < hi)
				tmp[k++] = idx[b++];
		}
		{
			size_t	   *sw = idx;

			idx = tmp;
			tmp = sw;
		}
	}
	memcpy(copy, X, total);
	for (i = 0; i < n; i++)
		memcpy(X + i * d, copy + idx[i] * d, d * sizeof(double));
	ana_free(al, idx);
	ana_free(al, tmp);
	ana_free(al, copy);
	return ANA_OK;
}
