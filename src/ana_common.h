/*
 * ana_common.h - shared pieces of the analytics cores (robust, iforest, kmeans,
 * duration_model): status codes, pluggable allocator, interrupt hook, seeded PRNG,
 * bounds-checked little-endian serialization helpers and a checksum.
 *
 * Pure core: no PostgreSQL header. Copyright (C) doliflow contributors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef DOLIFLOW_ANA_COMMON_H
#define DOLIFLOW_ANA_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* Status codes returned by every analytics core function (0 = success). */
typedef enum ana_status
{
	ANA_OK = 0,
	ANA_EINVAL = 1,			/* bad argument (NULL pointer, k = 0, p out of [0,1]...) */
	ANA_ENOMEM = 2,			/* allocation failed */
	ANA_ENONFINITE = 3,		/* NaN or +-Infinity in the input */
	ANA_EEMPTY = 4,			/* no data where some is required */
	ANA_EOVERFLOW = 5,		/* a size computation would overflow */
	ANA_EFORMAT = 6,		/* serialized bytes: bad magic, bad structure, bad value */
	ANA_ETRUNCATED = 7,		/* serialized bytes shorter than announced */
	ANA_EVERSION = 8,		/* serialized bytes of an unknown format version */
	ANA_ECHECKSUM = 9,		/* serialized bytes whose checksum does not match */
	ANA_EDOMAIN = 10,		/* value outside the function's domain (e.g. duration <= 0) */
	ANA_ERANGE = 11,		/* result not representable as a finite double */
	ANA_ENUMERIC = 12,		/* numerical failure (matrix not positive definite...) */
	ANA_EMISMATCH = 13		/* dimensions differ (model vs point, state vs state) */
} ana_status;

/* Human-readable English text of a status code (static storage, never NULL). */
const char *ana_strerror(int status);

/*
 * Allocator. Every core allocation goes through it so the SQL glue can hand in palloc
 * in the right memory context (an ereport then frees everything with the context).
 * A NULL allocator pointer means malloc/realloc/free. alloc/realloc return NULL on
 * failure (or do not return at all, like palloc).
 */
typedef struct ana_alloc
{
	void	   *(*alloc) (void *ctx, size_t size);
	void	   *(*realloc) (void *ctx, void *ptr, size_t size);
	void		(*free) (void *ctx, void *ptr);
	void	   *ctx;
} ana_alloc;

void	   *ana_malloc(const ana_alloc *al, size_t size);
void	   *ana_realloc(const ana_alloc *al, void *ptr, size_t size);
void		ana_free(const ana_alloc *al, void *ptr);
/* a*b (and a*b*c) in size_t, ANA_EOVERFLOW if it does not fit */
int			ana_mul_size(size_t a, size_t b, size_t *out);
int			ana_mul3_size(size_t a, size_t b, size_t c, size_t *out);

/*
 * Interrupt hook: long loops call tick(arg) every few thousand steps. The glue passes a
 * function doing CHECK_FOR_INTERRUPTS() (which may longjmp; all core memory then comes
 * from the glue's allocator, so nothing leaks). NULL = no hook.
 */
typedef void (*ana_tick_fn) (void *arg);

/* xoshiro256** seeded through splitmix64: deterministic for a given seed on any platform. */
typedef struct ana_rng
{
	uint64_t	s[4];
} ana_rng;

void		ana_rng_seed(ana_rng *r, uint64_t seed);
uint64_t	ana_rng_next(ana_rng *r);
/* uniform double in [0, 1) with 53 random bits */
double		ana_rng_uniform(ana_rng *r);
/* uniform integer in [0, n), unbiased (Lemire); n must be > 0 */
uint64_t	ana_rng_below(ana_rng *r, uint64_t n);

/* 64-bit FNV-1a of a byte range (checksum of serialized payloads) */
uint64_t	ana_fnv1a(const unsigned char *p, size_t n);

/*
 * Serialized container shared by every model format (forecast, iforest, kmeans, duration,
 * robust states), all integers little-endian whatever the host:
 *   u32 magic | u16 version | u16 flags (0) | u64 payload length | u64 FNV-1a(payload) | payload
 * Payloads are written field by field with ana_w_* (integers little-endian, doubles and
 * floats as their IEEE 754 bits in a little-endian u64 / u32), never as struct images, so
 * the bytes are the same on every host and every later version reads them (the version
 * says which layout the payload has).
 */
#define ANA_HEADER_SIZE 24

/* Write cursor over a caller buffer; overflow is sticky and reported by ana_w_finish. */
typedef struct ana_wbuf
{
	unsigned char *p;
	size_t		cap;
	size_t		len;
	int			overflow;
} ana_wbuf;

void		ana_w_init(ana_wbuf *w, unsigned char *buf, size_t cap);
void		ana_w_u8(ana_wbuf *w, uint8_t v);
void		ana_w_u16(ana_wbuf *w, uint16_t v);
void		ana_w_u32(ana_wbuf *w, uint32_t v);
void		ana_w_u64(ana_wbuf *w, uint64_t v);
void		ana_w_i32(ana_wbuf *w, int32_t v);
void		ana_w_f64(ana_wbuf *w, double v);
/* a float's IEEE 754 bits as a little-endian u32 */
void		ana_w_f32(ana_wbuf *w, float v);
void		ana_w_bytes(ana_wbuf *w, const void *src, size_t n);
/* write the header placeholder (call first) */
void		ana_w_header(ana_wbuf *w, uint32_t magic, uint16_t version);
/* fill in payload length and checksum; ANA_EINVAL if the buffer was too small */
int			ana_w_finish(ana_wbuf *w, size_t *written);

/* Read cursor; every read is bounds-checked, errors are sticky. */
typedef struct ana_rbuf
{
	const unsigned char *p;
	size_t		len;
	size_t		pos;
	int			err;			/* first error met (ANA_ETRUNCATED...) */
} ana_rbuf;

/*
 * Check the header (magic, version <= max_version, announced length == actual length,
 * checksum) and position the cursor on the payload. Returns a status code; *version gets
 * the stored version.
 */
int			ana_r_open(ana_rbuf *r, const unsigned char *buf, size_t len,
					   uint32_t magic, uint16_t max_version, uint16_t *version);
uint8_t		ana_r_u8(ana_rbuf *r);
uint16_t	ana_r_u16(ana_rbuf *r);
uint32_t	ana_r_u32(ana_rbuf *r);
uint64_t	ana_r_u64(ana_rbuf *r);
int32_t		ana_r_i32(ana_rbuf *r);
/* reads a double and flags ANA_EFORMAT when it is not finite */
double		ana_r_f64(ana_rbuf *r);
/* reads any double, NaN and infinities included (the caller's validator decides) */
double		ana_r_f64_any(ana_rbuf *r);
/* reads any float (IEEE 754 bits, little-endian u32) */
float		ana_r_f32_any(ana_rbuf *r);
/* pointer to n bytes inside the buffer, or NULL (and r->err set) */
const unsigned char *ana_r_bytes(ana_rbuf *r, size_t n);
/* bytes not yet consumed */
size_t		ana_r_remaining(const ana_rbuf *r);

/*
 * Sort the n rows of a row-major n x d matrix lexicographically, in place (stable merge
 * sort through an index permutation). Used to make model fitting independent of the
 * order in which an aggregate saw its rows (serial vs parallel plans).
 */
int			ana_sort_rows(double *X, size_t n, size_t d, const ana_alloc *al);

#endif							/* DOLIFLOW_ANA_COMMON_H */
