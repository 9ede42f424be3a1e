/*
 * gen.h: infrastructure of doliflow-gen (PRNG, calendar, TSV writer).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything here is deterministic: the PRNG is xoshiro256** seeded through splitmix64, the
 * calendar is proleptic Gregorian arithmetic on day numbers (days since 1970-01-01, no time
 * zone), and numbers are formatted by hand with a fixed number of decimals.
 */
#ifndef DOLIFLOW_GEN_H
#define DOLIFLOW_GEN_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* fatal errors (the generator is a command-line program: it may exit)                        */
/* ------------------------------------------------------------------------------------------ */
static inline void
die(const char *msg, const char *arg)
{
	fprintf(stderr, "doliflow-gen: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	exit(1);
}

static inline void *
xcalloc(size_t n, size_t sz)
{
	void	   *p;

	if (n == 0)
		n = 1;
	p = calloc(n, sz);
	if (p == NULL)
		die("out of memory", NULL);
	return p;
}

static inline void *
xrealloc(void *p, size_t n, size_t sz)
{
	if (n == 0)
		n = 1;
	if (sz != 0 && n > SIZE_MAX / sz)
		die("allocation too large", NULL);
	p = realloc(p, n * sz);
	if (p == NULL)
		die("out of memory", NULL);
	return p;
}

/* ------------------------------------------------------------------------------------------ */
/* PRNG: xoshiro256** with splitmix64 seeding; one independent stream per (seed, stream id)     */
/* ------------------------------------------------------------------------------------------ */
typedef struct Rng
{
	uint64_t	s[4];
} Rng;

static inline uint64_t
splitmix64(uint64_t *x)
{
	uint64_t	z = (*x += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* a bijective 64-bit mix (splitmix64 finaliser): distinct inputs give distinct outputs */
static inline uint64_t
mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static inline void
rng_init(Rng *r, uint64_t seed, uint64_t stream, uint64_t sub)
{
	uint64_t	x = mix64(seed ^ mix64(stream * UINT64_C(0x632BE59BD9B4E019) + sub + 1));
	int			i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
	if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
		r->s[0] = 1;
}

static inline uint64_t
rotl64(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t
rnext(Rng *r)
{
	uint64_t   *s = r->s;
	uint64_t	result = rotl64(s[1] * 5, 7) * 9;
	uint64_t	t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl64(s[3], 45);
	return result;
}

/* uniform in [0,1) with 53 random bits */
static inline double
runif(Rng *r)
{
	return (double) (rnext(r) >> 11) * 0x1.0p-53;
}

static inline double
runif2(Rng *r, double a, double b)
{
	return a + (b - a) * runif(r);
}

/* uniform integer in [lo, hi] (inclusive); negligible bias for the ranges used here */
static inline int
rint2(Rng *r, int lo, int hi)
{
	uint64_t	span;

	if (hi <= lo)
		return lo;
	span = (uint64_t) ((int64_t) hi - (int64_t) lo + 1);
	return (int) ((int64_t) lo + (int64_t) (((rnext(r) >> 32) * span) >> 32));
}

static inline int
rbern(Rng *r, double p)
{
	return runif(r) < p;
}

/* standard normal (Box-Muller, no cached second value: the stream state stays simple) */
static inline double
rnorm(Rng *r)
{
	double		u1 = runif(r),
				u2 = runif(r);

	if (u1 < 1e-300)
		u1 = 1e-300;
	return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* standard normal truncated to [-3, 3]: normal data without heavy tails */
static inline double
rnorm3(Rng *r)
{
	double		z = rnorm(r);

	if (z > 3.0)
		z = 3.0;
	if (z < -3.0)
		z = -3.0;
	return z;
}

/* Poisson: inversion for small means, rounded normal approximation above 30 */
static inline int
rpois(Rng *r, double mean)
{
	if (!(mean > 0.0))
		return 0;
	if (mean < 30.0)
	{
		double		u = runif(r),
					p = exp(-mean),
					c = p;
		int			k = 0;

		while (u > c && k < 1000)
		{
			k++;
			p *= mean / k;
			c += p;
		}
		return k;
	}
	else
	{
		double		x = floor(mean + sqrt(mean) * rnorm(r) + 0.5);

		return x < 0 ? 0 : (int) x;
	}
}

/* pick one index according to weights */
static inline int
rpick(Rng *r, const double *w, int n)
{
	double		tot = 0,
				u;
	int			i;

	for (i = 0; i < n; i++)
		tot += w[i];
	u = runif(r) * tot;
	for (i = 0; i < n - 1; i++)
	{
		if (u < w[i])
			return i;
		u -= w[i];
	}
	return n - 1;
}

/* ------------------------------------------------------------------------------------------ */
/* calendar: day numbers (days since 1970-01-01) and datetimes (seconds since then, no TZ)      */
/* ------------------------------------------------------------------------------------------ */
#define DAY_SECS		86400
#define T_NULL			INT64_MIN		/* SQL NULL */
#define T_ZERO			(INT64_MIN + 1) /* MariaDB zero date '0000-00-00[ 00:00:00]' */

static inline int64_t
days_from_civil(int y, int m, int d)
{
	int			era;
	unsigned	yoe,
				doy,
				doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned) (y - era * 400);
	doy = (unsigned) ((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1);
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int64_t) era * 146097 + (int64_t) doe - 719468;
}

static inline void
civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t		era;
	unsigned	doe,
				yoe,
				doy,
				mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned) (z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int) (doy - (153 * mp + 2) / 5 + 1);
	*m = (int) (mp < 10 ? mp + 3 : mp - 9);
	*y = (int) ((int64_t) yoe + era * 400 + (*m <= 2));
}

/* 0 = Monday ... 6 = Sunday */
static inline int
dow_of(int64_t day)
{
	int64_t		w = (day + 3) % 7;

	return (int) (w < 0 ? w + 7 : w);
}

static inline int64_t
day_of(int64_t t)
{
	return t >= 0 ? t / DAY_SECS : -((-t + DAY_SECS - 1) / DAY_SECS);
}

static inline int
parse_date(const char *s, int64_t *day)
{
	int			y,
				m,
				d,
				y2,
				m2,
				d2;
	char		tail;

	if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
		return 0;
	if (y < 1971 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31)
		return 0;
	*day = days_from_civil(y, m, d);
	civil_from_days(*day, &y2, &m2, &d2);
	return y2 == y && m2 == m && d2 == d;
}

/* ------------------------------------------------------------------------------------------ */
/* TSV writer in MariaDB LOAD DATA format: tab separated, \N for NULL, backslash escapes        */
/* ------------------------------------------------------------------------------------------ */
#define TBUF 65536

typedef struct Tbl
{
	const char *name;			/* table name; file is <name>.tsv */
	const char *cols;			/* column list for LOAD DATA, comma separated */
	const char *set;			/* optional SET clause of LOAD DATA, or NULL */
	int			truth;			/* 1 = ground-truth table (loaded by truth.sql) */
	FILE	   *f;
	long		rows;
	int			ncol;
	int			col;
	size_t		len;
	char		buf[TBUF];
} Tbl;

static inline void
t_flush(Tbl *t)
{
	if (t->len && fwrite(t->buf, 1, t->len, t->f) != t->len)
		die("write error on", t->name);
	t->len = 0;
}

static inline void
t_raw(Tbl *t, const char *s, size_t n)
{
	if (t->len + n > TBUF)
	{
		t_flush(t);
		if (n > TBUF)
		{
			if (fwrite(s, 1, n, t->f) != n)
				die("write error on", t->name);
			return;
		}
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
}

static inline void
t_sep(Tbl *t)
{
	if (t->col++ > 0)
		t_raw(t, "\t", 1);
}

static inline void
F_null(Tbl *t)
{
	t_sep(t);
	t_raw(t, "\\N", 2);
}

static inline void
F_int(Tbl *t, int64_t v)
{
	char		b[24];
	int			i = 24;
	uint64_t	u = v < 0 ? (uint64_t) 0 - (uint64_t) v : (uint64_t) v;

	t_sep(t);
	do
	{
		b[--i] = (char) ('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		b[--i] = '-';
	t_raw(t, b + i, (size_t) (24 - i));
}

/* an int, or NULL when v == nullval */
static inline void
F_intn(Tbl *t, int64_t v, int64_t nullval)
{
	if (v == nullval)
		F_null(t);
	else
		F_int(t, v);
}

static inline void
F_str(Tbl *t, const char *s)
{
	const char *p;

	if (s == NULL)
	{
		F_null(t);
		return;
	}
	t_sep(t);
	for (p = s; *p; p++)
	{
		switch (*p)
		{
			case '\\':
				t_raw(t, "\\\\", 2);
				break;
			case '\t':
				t_raw(t, "\\t", 2);
				break;
			case '\n':
				t_raw(t, "\\n", 2);
				break;
			case '\r':
				t_raw(t, "\\r", 2);
				break;
			default:
				t_raw(t, p, 1);
		}
	}
}

static const double pow10tab[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};

/* fixed-point decimal with dec digits (0..8); NaN/inf become NULL */
static inline void
F_dbl(Tbl *t, double v, int dec)
{
	char		b[64];
	double		r;

	if (!isfinite(v))
	{
		F_null(t);
		return;
	}
	r = v * pow10tab[dec];
	if (fabs(r) < 9.0e15)
	{
		int64_t		n = llround(r);
		uint64_t	u = n < 0 ? (uint64_t) 0 - (uint64_t) n : (uint64_t) n;
		int			i = 64,
					k;

		for (k = 0; k < dec; k++)
		{
			b[--i] = (char) ('0' + u % 10);
			u /= 10;
		}
		if (dec > 0)
			b[--i] = '.';
		do
		{
			b[--i] = (char) ('0' + u % 10);
			u /= 10;
		} while (u);
		if (n < 0)
			b[--i] = '-';
		t_sep(t);
		t_raw(t, b + i, (size_t) (64 - i));
	}
	else
	{
		int			n = snprintf(b, sizeof b, "%.*f", dec, v);

		t_sep(t);
		t_raw(t, b, (size_t) n);
	}
}

/* money held as integer cents */
static inline void
F_cents(Tbl *t, int64_t c)
{
	char		b[32];
	uint64_t	u = c < 0 ? (uint64_t) 0 - (uint64_t) c : (uint64_t) c;
	int			i = 32;

	b[--i] = (char) ('0' + u % 10);
	u /= 10;
	b[--i] = (char) ('0' + u % 10);
	u /= 10;
	b[--i] = '.';
	do
	{
		b[--i] = (char) ('0' + u % 10);
		u /= 10;
	} while (u);
	if (c < 0)
		b[--i] = '-';
	t_sep(t);
	t_raw(t, b + i, (size_t) (32 - i));
}

static inline char *
put2(char *p, int v)
{
	p[0] = (char) ('0' + v / 10 % 10);
	p[1] = (char) ('0' + v % 10);
	return p + 2;
}

static inline char *
fmt_date(char *p, int64_t day)
{
	int			y,
				m,
				d;

	civil_from_days(day, &y, &m, &d);
	p = put2(p, y / 100);
	p = put2(p, y % 100);
	*p++ = '-';
	p = put2(p, m);
	*p++ = '-';
	return put2(p, d);
}

/* a date column: t is a day number, T_NULL or T_ZERO */
static inline void
F_date(Tbl *t, int64_t day)
{
	char		b[16];

	if (day == T_NULL)
	{
		F_null(t);
		return;
	}
	t_sep(t);
	if (day == T_ZERO)
	{
		t_raw(t, "0000-00-00", 10);
		return;
	}
	t_raw(t, b, (size_t) (fmt_date(b, day) - b));
}

/*
 * No datetime is written after gen_ts_max (seconds; --as-of): data generated up to an end
 * date that is today would otherwise carry times later than now (later in the day, or a
 * ticket read the next morning), which a source read now holds back as "newer than the
 * source clock".  INT64_MAX: no limit.
 */
extern int64_t gen_ts_max;

/* a datetime/timestamp column: t in seconds, T_NULL or T_ZERO; see gen_ts_max */
static inline void
F_dt(Tbl *t, int64_t ts)
{
	char		b[24],
			   *p;
	int64_t		day,
				s;

	if (ts == T_NULL)
	{
		F_null(t);
		return;
	}
	t_sep(t);
	if (ts == T_ZERO)
	{
		t_raw(t, "0000-00-00 00:00:00", 19);
		return;
	}
	if (ts > gen_ts_max)
		ts = gen_ts_max;
	day = day_of(ts);
	s = ts - day * DAY_SECS;
	p = fmt_date(b, day);
	*p++ = ' ';
	p = put2(p, (int) (s / 3600));
	*p++ = ':';
	p = put2(p, (int) (s / 60 % 60));
	*p++ = ':';
	p = put2(p, (int) (s % 60));
	t_raw(t, b, (size_t) (p - b));
}

static inline void
F_end(Tbl *t)
{
	if (t->col != t->ncol)
	{
		fprintf(stderr, "doliflow-gen: internal error: %s row has %d fields, %d columns\n",
				t->name, t->col, t->ncol);
		exit(2);
	}
	t_raw(t, "\n", 1);
	t->col = 0;
	t->rows++;
}

#endif							/* DOLIFLOW_GEN_H */
