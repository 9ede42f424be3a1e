/*
 * test_robust.c - unit tests of src/robust.c (TAP).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ana_tap.h"
#include "robust.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

static int
cmpd(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

/* reference quantile (type 7) from a full sort: independent of the quickselect path */
static double
ref_quantile(const double *x, size_t n, double p)
{
	double	   *s = malloc(n * sizeof(double));
	double		h = (double) (n - 1) * p,
				r;
	size_t		lo = (size_t) floor(h);

	memcpy(s, x, n * sizeof(double));
	qsort(s, n, sizeof(double), cmpd);
	if (lo >= n - 1)
		r = s[n - 1];
	else
		r = s[lo] + (h - (double) lo) * (s[lo + 1] - s[lo]);
	free(s);
	return r;
}

static void
test_hand_values(void)
{
	double		a[] = {1, 2, 3, 4, 100};
	double		b[] = {4, 1, 3, 2};
	double		c[] = {4, 1, 3, 2};
	double		m,
				mad,
				q;
	robust_summary s;
	double		scratch[16];

	TAP_RC(robust_mad_inplace(a, 5, &m, &mad), ANA_OK, "mad of {1,2,3,4,100}: ok");
	TAP_NEAR(m, 3.0, 0, "median {1,2,3,4,100} = 3");
	TAP_NEAR(mad, 1.4826, 1e-15, "MAD {1,2,3,4,100} = 1.4826 * 1");

	TAP_RC(robust_median_inplace(b, 4, &m), ANA_OK, "median of even n: ok");
	TAP_NEAR(m, 2.5, 0, "median {4,1,3,2} = 2.5");
	memcpy(b, c, sizeof c);
	TAP_RC(robust_mad_inplace(b, 4, NULL, &mad), ANA_OK, "mad even n ok");
	TAP_NEAR(mad, 1.4826, 1e-15, "MAD {1,2,3,4} = 1.4826 * median{1.5,.5,.5,1.5} = 1.4826");

	memcpy(b, c, sizeof c);
	robust_quantile_inplace(b, 4, 0.25, &q);
	TAP_NEAR(q, 1.75, 1e-15, "q25 {1,2,3,4} = 1.75 (R type 7)");
	robust_quantile_inplace(b, 4, 0.75, &q);
	TAP_NEAR(q, 3.25, 1e-15, "q75 {1,2,3,4} = 3.25");
	robust_quantile_inplace(b, 4, 0.0, &q);
	TAP_NEAR(q, 1.0, 0, "q0 = min");
	robust_quantile_inplace(b, 4, 1.0, &q);
	TAP_NEAR(q, 4.0, 0, "q1 = max");

	{
		double		d[] = {1, 2, 3, 4, 100};
		double		z;

		TAP_RC(robust_summarize_inplace(d, 5, scratch, &s), ANA_OK, "summary ok");
		TAP_OK(s.scale_method == ROBUST_SCALE_MAD && s.n == 5 && s.min == 1 && s.max == 100,
			   "summary: MAD method, n, min, max");
		TAP_NEAR(s.q1, 2, 0, "summary q1 = 2");
		TAP_NEAR(s.q3, 4, 0, "summary q3 = 4");
		TAP_NEAR(s.meanad, (2.0 + 1 + 0 + 1 + 97) / 5, 1e-12, "mean abs deviation = 20.2");
		robust_z(&s, 100, &z);
		TAP_NEAR(z, 97 / 1.4826, 1e-12, "robust z of 100 = 97/1.4826");
	}
	/* MAD = 0 but IQR > 0: {1,1,1,1,1,2,3,10} */
	{
		double		d[] = {1, 1, 1, 1, 1, 2, 3, 10};

		robust_summarize_inplace(d, 8, scratch, &s);
		TAP_OK(s.mad == 0 && s.scale_method == ROBUST_SCALE_IQR, "MAD=0 falls back to IQR");
		TAP_NEAR(s.scale, (2.25 - 1.0) / 1.349, 1e-15, "IQR fallback scale = 1.25/1.349");
	}
	/* MAD = 0 and IQR = 0: {5,5,5,5,9} -> mean abs deviation 0.8 */
	{
		double		d[] = {5, 5, 5, 5, 9};
		double		z;

		robust_summarize_inplace(d, 5, scratch, &s);
		TAP_OK(s.scale_method == ROBUST_SCALE_MEANAD, "MAD=IQR=0 falls back to mean abs dev");
		TAP_NEAR(s.scale, 1.2533 * 0.8, 1e-15, "meanAD scale = 1.2533 * 0.8");
		robust_z(&s, 9, &z);
		TAP_NEAR(z, 4 / (1.2533 * 0.8), 1e-12, "z(9) = 4 / 1.00264");
	}
	/* all equal: floor */
	{
		double		d[] = {7, 7, 7};
		double		e[] = {0, 0};
		double		z;

		robust_summarize_inplace(d, 3, scratch, &s);
		TAP_OK(s.scale_method == ROBUST_SCALE_FLOOR, "all equal -> floor");
		TAP_NEAR(s.scale, 0.07, 1e-15, "floor = 1%% of |median| = 0.07");
		robust_z(&s, 7, &z);
		TAP_NEAR(z, 0, 0, "z of the common value is 0");
		robust_summarize_inplace(e, 2, scratch, &s);
		TAP_NEAR(s.scale, 1e-9, 0, "all zero -> absolute floor 1e-9");
	}
	/* single value */
	{
		double		d[] = {42};

		TAP_RC(robust_summarize_inplace(d, 1, scratch, &s), ANA_OK, "single value summary ok");
		TAP_OK(s.median == 42 && s.q1 == 42 && s.q3 == 42 && s.mad == 0,
			   "single value: median=q1=q3=42, mad=0");
	}
}

static void
test_errors(void)
{
	double		d[] = {1, NAN, 3};
	double		e[] = {1, 2, INFINITY};
	double		f[] = {1, -INFINITY};
	double		m = -1,
				scratch[4],
				z;
	robust_summary s;

	TAP_RC(robust_median_inplace(d, 3, &m), ANA_ENONFINITE, "NaN rejected");
	TAP_OK(m == -1 && d[0] == 1 && d[2] == 3, "NaN: output and input untouched");
	TAP_RC(robust_median_inplace(e, 3, &m), ANA_ENONFINITE, "+Inf rejected");
	TAP_RC(robust_quantile_inplace(f, 2, 0.5, &m), ANA_ENONFINITE, "-Inf rejected");
	TAP_RC(robust_summarize_inplace(e, 3, scratch, &s), ANA_ENONFINITE, "Inf in summary rejected");
	TAP_RC(robust_median_inplace(scratch, 0, &m), ANA_EEMPTY, "empty -> EEMPTY");
	TAP_RC(robust_median_inplace(NULL, 0, &m), ANA_EEMPTY, "empty NULL -> EEMPTY");
	TAP_RC(robust_quantile_inplace(e, 2, 1.5, &m), ANA_EINVAL, "p > 1 -> EINVAL");
	TAP_RC(robust_quantile_inplace(e, 2, NAN, &m), ANA_EINVAL, "p NaN -> EINVAL");
	TAP_RC(robust_select(e, 2, 2, &m), ANA_EINVAL, "k >= n -> EINVAL");
	{
		double		g[] = {-DBL_MAX, DBL_MAX};

		TAP_RC(robust_median_inplace(g, 2, &m), ANA_OK, "median of {-DBL_MAX, DBL_MAX} ok");
		TAP_NEAR(m, 0, 0, "median of extremes = 0 (no overflow)");
		TAP_RC(robust_mad_inplace(g, 2, NULL, &m), ANA_ERANGE, "1.4826 * MAD of {-DBL_MAX, DBL_MAX} overflows -> ERANGE");
	}
	{
		double		g[] = {-DBL_MAX, DBL_MAX, DBL_MAX};

		TAP_RC(robust_mad_inplace(g, 3, NULL, &m), ANA_ERANGE, "deviation overflow -> ERANGE");
	}
	{
		double		g[] = {1, 2, 3};

		robust_summarize_inplace(g, 3, scratch, &s);
		TAP_RC(robust_z(&s, NAN, &z), ANA_ENONFINITE, "z of NaN rejected");
		TAP_RC(robust_z(&s, INFINITY, &z), ANA_ENONFINITE, "z of Inf rejected");
		s.scale = 1e-300;
		TAP_RC(robust_z(&s, DBL_MAX, &z), ANA_ERANGE, "z overflow -> ERANGE");
	}
}

static void
test_against_sort(void)
{
	ana_rng		r;
	int			trial,
				bad = 0;

	ana_rng_seed(&r, 7);
	for (trial = 0; trial < 2000; trial++)
	{
		size_t		n = 1 + (size_t) ana_rng_below(&r, 200);
		double	   *x = malloc(n * sizeof(double));
		double	   *y = malloc(n * sizeof(double));
		double		p = ana_rng_uniform(&r),
					q,
					m;
		size_t		i;
		int			dup = trial % 3 == 0;

		for (i = 0; i < n; i++)
			x[i] = dup ? (double) ana_rng_below(&r, 5) : ana_rng_uniform(&r) * 100 - 50;
		memcpy(y, x, n * sizeof(double));
		robust_quantile_inplace(y, n, p, &q);
		if (fabs(q - ref_quantile(x, n, p)) > 1e-12)
			bad++;
		memcpy(y, x, n * sizeof(double));
		robust_median_inplace(y, n, &m);
		if (fabs(m - ref_quantile(x, n, 0.5)) > 1e-12)
			bad++;
		free(x);
		free(y);
	}
	TAP_OK(bad == 0, "2000 random arrays (with and without ties): quickselect quantiles == sort-based reference (%d mismatches)", bad);
}

static void
fill_pattern(double *x, size_t n, int pattern)
{
	size_t		i;

	for (i = 0; i < n; i++)
		switch (pattern)
		{
			case 0:
				x[i] = (double) i;	/* sorted */
				break;
			case 1:
				x[i] = (double) (n - i);	/* reversed */
				break;
			case 2:
				x[i] = 3.0;		/* constant */
				break;
			case 3:
				x[i] = (double) (i < n / 2 ? i : n - i);	/* organ pipe */
				break;
			default:
				x[i] = (double) (i % 2);	/* two values */
		}
}

static void
test_large(void)
{
	size_t		n = 1000000,
				i;
	double	   *x = malloc(n * sizeof(double));
	double	   *scratch = malloc(n * sizeof(double));
	ana_rng		r;
	robust_summary s;
	double		t0,
				t1;
	int			pattern,
				rc;

	ana_rng_seed(&r, 99);
	/* standard normal via Box-Muller: MAD*1.4826 ~ 1, median ~ 0 */
	for (i = 0; i < n; i += 2)
	{
		double		u1 = ana_rng_uniform(&r) + 1e-300,
					u2 = ana_rng_uniform(&r);
		double		rad = sqrt(-2 * log(u1));

		x[i] = rad * cos(2 * M_PI * u2);
		if (i + 1 < n)
			x[i + 1] = rad * sin(2 * M_PI * u2);
	}
	t0 = tap_now();
	rc = robust_summarize_inplace(x, n, scratch, &s);
	t1 = tap_now();
	TAP_RC(rc, ANA_OK, "summary of 10^6 normal values ok");
	TAP_NEAR(s.median, 0, 0.01, "10^6 N(0,1): median ~ 0");
	TAP_NEAR(s.mad, 1, 0.01, "10^6 N(0,1): 1.4826*MAD ~ 1 (consistency constant)");
	TAP_NEAR((s.q3 - s.q1) / 1.349, 1, 0.01, "10^6 N(0,1): IQR/1.349 ~ 1");
	printf("# 10^6 summary in %.3f s\n", t1 - t0);

	for (pattern = 0; pattern < 5; pattern++)
	{
		double		m,
					expect;

		fill_pattern(x, n, pattern);
		memcpy(scratch, x, n * sizeof(double));
		qsort(scratch, n, sizeof(double), cmpd);
		expect = 0.5 * scratch[n / 2 - 1] + 0.5 * scratch[n / 2];
		t0 = tap_now();
		robust_median_inplace(x, n, &m);
		t1 = tap_now();
		/* a quadratic selection would take hours here: 60 s only catches that, never a loaded machine */
		TAP_OK(m == expect && t1 - t0 < 60.0,
			   "10^6 adversarial pattern %d: median %g == sorted %g in %.3f s", pattern, m, expect, t1 - t0);
	}
	free(x);
	free(scratch);
}

static void
test_state(void)
{
	robust_state a,
				b,
				all,
				c;
	robust_summary sa,
				sall;
	unsigned char *buf;
	size_t		sz,
				w,
				i;
	int			rc,
				bad;

	robust_state_init(&a);
	robust_state_init(&b);
	robust_state_init(&all);
	for (i = 0; i < 1000; i++)
	{
		double		v = (double) ((i * 7919) % 1000) / 10.0;

		robust_state_add(i % 3 ? &a : &b, v, NULL);
		robust_state_add(&all, v, NULL);
	}
	TAP_RC(robust_state_add(&a, NAN, NULL), ANA_ENONFINITE, "state rejects NaN");
	TAP_RC(robust_state_add(&a, -INFINITY, NULL), ANA_ENONFINITE, "state rejects -Inf");
	TAP_RC(robust_state_merge(&a, &b, NULL), ANA_OK, "merge ok");
	TAP_OK(a.n == 1000, "merged count 1000");
	robust_state_summarize(&a, &sa, NULL);
	robust_state_summarize(&all, &sall, NULL);
	TAP_OK(sa.n == sall.n && sa.median == sall.median && sa.mad == sall.mad &&
		   sa.q1 == sall.q1 && sa.q3 == sall.q3 && sa.meanad == sall.meanad &&
		   sa.min == sall.min && sa.max == sall.max && sa.scale == sall.scale &&
		   sa.scale_method == sall.scale_method,
		   "merge(a,b) summary == one-pass summary (every field bitwise equal)");
	/* mean absolute deviation is bitwise order independent (exact binned summation) */
	{
		double		v[5000],
					sc[5000],
					first = 0;
		robust_summary sr;
		ana_rng		rr;
		int			sh,
					same = 1;

		ana_rng_seed(&rr, 5);
		for (i = 0; i < 5000; i++)
			v[i] = (ana_rng_uniform(&rr) - 0.5) * pow(10.0, (double) ana_rng_below(&rr, 12));
		for (sh = 0; sh < 10; sh++)
		{
			for (i = 5000; i > 1; i--)
			{
				size_t		j = (size_t) ana_rng_below(&rr, i);
				double		t = v[i - 1];

				v[i - 1] = v[j];
				v[j] = t;
			}
			robust_summarize_inplace(v, 5000, sc, &sr);
			if (sh == 0)
				first = sr.meanad;
			else if (sr.meanad != first)
				same = 0;
		}
		TAP_OK(same, "mean abs deviation bitwise identical over 10 shuffles of values spanning 12 decades");
	}
	TAP_NEAR(sa.median, 49.95, 1e-12, "median of 0.0..99.9 = 49.95");

	robust_state_serialized_size(&a, &sz);
	TAP_OK(sz == ANA_HEADER_SIZE + 8 + 8 * 1000, "serialized size = header + 8 + 8n");
	buf = malloc(sz);
	TAP_RC(robust_state_serialize(&a, buf, sz - 1, &w), ANA_EINVAL, "serialize into a short buffer -> EINVAL");
	TAP_RC(robust_state_serialize(&a, buf, sz, &w), ANA_OK, "serialize ok");
	TAP_RC(robust_state_deserialize(&c, buf, w, NULL), ANA_OK, "deserialize ok");
	TAP_OK(c.n == a.n && memcmp(c.v, a.v, a.n * 8) == 0, "round trip preserves values");
	robust_state_free(&c, NULL);

	TAP_RC(robust_state_deserialize(&c, buf, w - 1, NULL), ANA_ETRUNCATED, "truncated by 1 byte -> ETRUNCATED");
	TAP_RC(robust_state_deserialize(&c, buf, 10, NULL), ANA_ETRUNCATED, "truncated header -> ETRUNCATED");
	TAP_RC(robust_state_deserialize(&c, buf, 0, NULL), ANA_ETRUNCATED, "zero bytes -> ETRUNCATED");
	TAP_RC(robust_state_deserialize(&c, NULL, 0, NULL), ANA_EINVAL, "NULL buffer -> EINVAL");
	buf[100] ^= 0x40;
	TAP_RC(robust_state_deserialize(&c, buf, w, NULL), ANA_ECHECKSUM, "flipped payload bit -> ECHECKSUM");
	buf[100] ^= 0x40;
	buf[0] ^= 1;
	TAP_RC(robust_state_deserialize(&c, buf, w, NULL), ANA_EFORMAT, "bad magic -> EFORMAT");
	buf[0] ^= 1;
	buf[4] = 9;
	TAP_RC(robust_state_deserialize(&c, buf, w, NULL), ANA_EVERSION, "future version -> EVERSION");
	buf[4] = 1;
	/* a NaN written with a correct checksum (forged) is still rejected */
	{
		double		nanv = NAN;
		ana_wbuf	ww;
		unsigned char small[64];

		ana_w_init(&ww, small, sizeof small);
		ana_w_header(&ww, ROBUST_STATE_MAGIC, 1);
		ana_w_u64(&ww, 2);
		ana_w_f64(&ww, 1.0);
		ana_w_f64(&ww, nanv);
		ana_w_finish(&ww, &w);
		TAP_RC(robust_state_deserialize(&c, small, w, NULL), ANA_EFORMAT, "forged NaN value -> EFORMAT");
		/* count larger than the payload */
		ana_w_init(&ww, small, sizeof small);
		ana_w_header(&ww, ROBUST_STATE_MAGIC, 1);
		ana_w_u64(&ww, UINT64_MAX);
		ana_w_f64(&ww, 1.0);
		ana_w_finish(&ww, &w);
		TAP_RC(robust_state_deserialize(&c, small, w, NULL), ANA_ETRUNCATED, "forged huge count -> ETRUNCATED");
		/* exhaustive single-byte corruption of a small state */
		{
			robust_state t;
			unsigned char ser[64];
			size_t		j;

			robust_state_init(&t);
			robust_state_add(&t, 1.5, NULL);
			robust_state_add(&t, -2.5, NULL);
			robust_state_serialize(&t, ser, sizeof ser, &w);
			bad = 0;
			for (j = 0; j < w; j++)
			{
				int			bit;

				for (bit = 0; bit < 8; bit++)
				{
					ser[j] ^= (unsigned char) (1 << bit);
					rc = robust_state_deserialize(&c, ser, w, NULL);
					if (rc == ANA_OK)
					{
						bad++;
						robust_state_free(&c, NULL);
					}
					ser[j] ^= (unsigned char) (1 << bit);
				}
			}
			TAP_OK(bad == 0, "every single-bit flip of a serialized state is rejected (%d accepted)", bad);
			robust_state_free(&t, NULL);
		}
	}
	free(buf);
	{
		robust_state e;

		robust_state_init(&e);
		TAP_RC(robust_state_summarize(&e, &sa, NULL), ANA_EEMPTY, "empty state summary -> EEMPTY");
		robust_state_serialized_size(&e, &sz);
		buf = malloc(sz);
		robust_state_serialize(&e, buf, sz, &w);
		TAP_RC(robust_state_deserialize(&c, buf, w, NULL), ANA_OK, "empty state round trip");
		TAP_OK(c.n == 0, "empty state stays empty");
		free(buf);
	}
	robust_state_free(&a, NULL);
	robust_state_free(&b, NULL);
	robust_state_free(&all, NULL);
}

int
main(void)
{
	test_hand_values();
	test_errors();
	test_against_sort();
	test_large();
	test_state();
	return tap_done();
}
