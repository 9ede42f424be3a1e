/*
 * test_iforest.c - unit tests of src/iforest.c (TAP).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ana_tap.h"
#include "iforest.h"

#include <stdlib.h>
#include <string.h>

static double
gauss(ana_rng *r)
{
	double		u1 = ana_rng_uniform(r) + 1e-300,
				u2 = ana_rng_uniform(r);

	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

/* AUC by Mann-Whitney: P(score of a random outlier > score of a random inlier) */
static double
auc(const double *score, const int *is_out, size_t n)
{
	double		wins = 0;
	size_t		i,
				j,
				npos = 0,
				nneg = 0;

	for (i = 0; i < n; i++)
		if (is_out[i])
		{
			npos++;
			for (j = 0; j < n; j++)
				if (!is_out[j])
					wins += score[i] > score[j] ? 1.0 : (score[i] == score[j] ? 0.5 : 0.0);
		}
	for (j = 0; j < n; j++)
		nneg += !is_out[j];
	return wins / ((double) npos * (double) nneg);
}

static void
test_c(void)
{
	double		h = 0;
	int			i;

	TAP_NEAR(iforest_c(1), 0, 0, "c(1) = 0");
	TAP_NEAR(iforest_c(2), 1, 0, "c(2) = 1");
	TAP_NEAR(iforest_c(3), 2 * 1.5 - 4.0 / 3, 1e-15, "c(3) = 2 H(2) - 4/3");
	for (i = 1; i <= 255; i++)
		h += 1.0 / i;
	TAP_NEAR(iforest_c(256), 2 * h - 2 * 255.0 / 256, 1e-10, "c(256) = 2 H(255) - 2*255/256 (direct sum)");
	for (h = 0, i = 1; i <= 99999; i++)
		h += 1.0 / i;
	TAP_NEAR(iforest_c(100000), 2 * h - 2 * 99999.0 / 100000, 1e-9, "c(100000) asymptotic == direct sum");
}

static void
test_planted(void)
{
	size_t		n_in = 2000,
				n_out = 20,
				n = n_in + n_out,
				d = 2,
				i;
	double	   *X = malloc(n * d * sizeof(double));
	double	   *s = malloc(n * sizeof(double));
	int		   *lab = malloc(n * sizeof(int));
	ana_rng		r;
	iforest    *f;
	iforest_params p;
	double		a,
				mo = 0,
				mi = 0;
	int			rc,
				inrange = 1;

	ana_rng_seed(&r, 1);
	for (i = 0; i < n; i++)
	{
		if (i < n_in)
		{
			X[i * d] = gauss(&r);
			X[i * d + 1] = gauss(&r);
			lab[i] = 0;
		}
		else
		{
			double		ang = 2 * M_PI * ana_rng_uniform(&r),
						rad = 6 + 2 * ana_rng_uniform(&r);

			X[i * d] = rad * cos(ang);
			X[i * d + 1] = rad * sin(ang);
			lab[i] = 1;
		}
	}
	iforest_params_default(&p);
	TAP_OK(p.n_trees == 100 && p.subsample == 256 && p.max_depth == 0, "defaults: 100 trees, psi 256, depth auto");
	rc = iforest_fit(X, n, d, &p, NULL, &f);
	TAP_RC(rc, ANA_OK, "fit 2020 x 2 ok");
	TAP_OK(f->max_depth == 8 && f->psi == 256, "auto max depth = ceil(log2 256) = 8");
	for (i = 0; i < n; i++)
	{
		iforest_score(f, X + i * d, d, &s[i]);
		if (!(s[i] > 0 && s[i] <= 1))
			inrange = 0;
		if (lab[i])
			mo += s[i] / n_out;
		else
			mi += s[i] / n_in;
	}
	TAP_OK(inrange, "all scores in (0,1]");
	a = auc(s, lab, n);
	TAP_OK(a > 0.99, "planted ring outliers: AUC %.4f > 0.99", a);
	TAP_OK(mo > 0.65 && mi < 0.5, "mean score outliers %.3f > 0.65, inliers %.3f < 0.5", mo, mi);
	{
		double		far[2] = {50, -50},
					centre[2] = {0, 0},
					sf,
					sc;

		iforest_score(f, far, 2, &sf);
		iforest_score(f, centre, 2, &sc);
		TAP_OK(sf > 0.7 && sc < 0.45 && sf > sc, "far point %.3f scores above centre %.3f", sf, sc);
	}
	iforest_free(f, NULL);
	free(X);
	free(s);
	free(lab);
}

static void
test_explain(void)
{
	size_t		n = 3000,
				d = 5,
				i,
				j;
	double	   *X = malloc(n * d * sizeof(double));
	ana_rng		r;
	iforest    *f;
	int			right = 0,
				planted = 0,
				sum_ok = 1;

	ana_rng_seed(&r, 2);
	for (i = 0; i < n; i++)
		for (j = 0; j < d; j++)
			X[i * d + j] = gauss(&r);
	/* 30 rows unusual only in feature 3 (value 7 sigma) */
	for (i = 0; i < 30; i++)
		X[i * 100 * d + 3] = 7 + ana_rng_uniform(&r);
	iforest_fit(X, n, d, NULL, NULL, &f);
	for (i = 0; i < 30; i++)
	{
		double		share[5],
					sc,
					tot = 0;
		int32_t		top,
					top2;

		iforest_explain(f, X + i * 100 * d, d, &sc, share, &top, NULL);
		iforest_explain(f, X + i * 100 * d, d, NULL, NULL, &top2, NULL);
		for (j = 0; j < d; j++)
			tot += share[j];
		if (fabs(tot - 1) > 1e-12 || top != top2)
			sum_ok = 0;
		planted++;
		right += top == 3;
	}
	TAP_OK(right >= 28, "feature 3 named as isolating feature for %d/%d planted rows", right, planted);
	TAP_OK(sum_ok, "shares sum to 1 and top without shares == top with shares");
	iforest_free(f, NULL);
	free(X);
}

static void
test_edges(void)
{
	double		X[6] = {1, 2, 3, 4, 5, 6},
				s,
				pt[2] = {1, 2};
	iforest    *f = NULL;
	iforest_params p;
	int			i;

	TAP_RC(iforest_fit(X, 0, 2, NULL, NULL, &f), ANA_EEMPTY, "n = 0 -> EEMPTY");
	TAP_RC(iforest_fit(X, 3, 0, NULL, NULL, &f), ANA_EINVAL, "d = 0 -> EINVAL");
	X[3] = NAN;
	TAP_RC(iforest_fit(X, 3, 2, NULL, NULL, &f), ANA_ENONFINITE, "NaN -> ENONFINITE");
	X[3] = -INFINITY;
	TAP_RC(iforest_fit(X, 3, 2, NULL, NULL, &f), ANA_ENONFINITE, "-Inf -> ENONFINITE");
	X[3] = 4;
	iforest_params_default(&p);
	p.n_trees = 0;
	TAP_RC(iforest_fit(X, 3, 2, &p, NULL, &f), ANA_EINVAL, "0 trees -> EINVAL");
	iforest_params_default(&p);
	p.max_depth = 65;
	TAP_RC(iforest_fit(X, 3, 2, &p, NULL, &f), ANA_EINVAL, "depth 65 -> EINVAL");
	TAP_RC(iforest_fit(X, 1, 2, NULL, NULL, &f), ANA_OK, "single row fits");
	iforest_score(f, pt, 2, &s);
	TAP_NEAR(s, 0.5, 0, "single-row forest scores 0.5");
	TAP_RC(iforest_score(f, pt, 3, &s), ANA_EMISMATCH, "wrong dimension -> EMISMATCH");
	pt[1] = NAN;
	TAP_RC(iforest_score(f, pt, 2, &s), ANA_ENONFINITE, "score NaN point -> ENONFINITE");
	iforest_free(f, NULL);
	{
		double		same[40];

		for (i = 0; i < 40; i++)
			same[i] = 3.0;
		iforest_fit(same, 20, 2, NULL, NULL, &f);
		pt[0] = 100;
		pt[1] = -100;
		iforest_score(f, pt, 2, &s);
		TAP_NEAR(s, 0.5, 1e-15, "identical rows: no split possible, score 2^-1 = 0.5");
		iforest_free(f, NULL);
	}
	{
		double		ext[4] = {-1.7e308, 1.7e308, 1.7e308, -1.7e308};

		TAP_RC(iforest_fit(ext, 2, 2, NULL, NULL, &f), ANA_OK, "extreme finite values fit (no overflow in split)");
		iforest_score(f, ext, 2, &s);
		TAP_OK(isfinite(s), "and score finitely");
		iforest_free(f, NULL);
	}
}

static unsigned char *
ser(const iforest *f, size_t *len)
{
	size_t		sz;
	unsigned char *b;

	iforest_serialized_size(f, &sz);
	b = malloc(sz);
	if (iforest_serialize(f, b, sz, len) != ANA_OK || *len != sz)
	{
		free(b);
		return NULL;
	}
	return b;
}

static void
test_serial(void)
{
	size_t		n = 500,
				d = 3,
				i,
				l1,
				l2,
				l3,
				len;
	double	   *X = malloc(n * d * sizeof(double));
	ana_rng		r;
	iforest    *f,
			   *g,
			   *h;
	iforest_params p;
	unsigned char *b1,
			   *b2,
			   *b3,
			   *small;
	int			same = 1,
				bad,
				crashfree,
				rc;

	ana_rng_seed(&r, 3);
	for (i = 0; i < n * d; i++)
		X[i] = gauss(&r);
	iforest_fit(X, n, d, NULL, NULL, &f);
	iforest_fit(X, n, d, NULL, NULL, &g);
	b1 = ser(f, &l1);
	b2 = ser(g, &l2);
	TAP_OK(b1 && b2 && l1 == l2 && memcmp(b1, b2, l1) == 0, "same seed -> identical forest bytes (%zu bytes)", l1);
	iforest_params_default(&p);
	p.seed = 43;
	iforest_fit(X, n, d, &p, NULL, &h);
	b3 = ser(h, &l3);
	TAP_OK(l3 != l1 || memcmp(b1, b3, l1) != 0, "different seed -> different forest");
	iforest_free(g, NULL);
	iforest_free(h, NULL);
	TAP_RC(iforest_deserialize(b1, l1, NULL, &g), ANA_OK, "deserialize ok");
	for (i = 0; i < n; i++)
	{
		double		s1,
					s2;

		iforest_score(f, X + i * d, d, &s1);
		iforest_score(g, X + i * d, d, &s2);
		if (s1 != s2)
			same = 0;
	}
	TAP_OK(same, "deserialized forest gives bitwise identical scores");
	iforest_free(g, NULL);

	TAP_RC(iforest_deserialize(b1, l1 - 1, NULL, &g), ANA_ETRUNCATED, "truncated by one byte -> ETRUNCATED");
	TAP_RC(iforest_deserialize(b1, 23, NULL, &g), ANA_ETRUNCATED, "truncated header -> ETRUNCATED");
	b1[l1 / 2] ^= 0x10;
	TAP_RC(iforest_deserialize(b1, l1, NULL, &g), ANA_ECHECKSUM, "bit flip in a split -> ECHECKSUM");
	TAP_OK(g == NULL, "no forest returned on error");
	b1[l1 / 2] ^= 0x10;

	/* small forest: every bit flip and every truncation is rejected */
	iforest_params_default(&p);
	p.n_trees = 3;
	p.subsample = 16;
	iforest_free(f, NULL);
	iforest_fit(X, n, d, &p, NULL, &f);
	small = ser(f, &len);
	bad = 0;
	for (i = 0; i < len * 8; i++)
	{
		small[i / 8] ^= (unsigned char) (1 << (i % 8));
		if (iforest_deserialize(small, len, NULL, &g) == ANA_OK)
		{
			bad++;
			iforest_free(g, NULL);
		}
		small[i / 8] ^= (unsigned char) (1 << (i % 8));
	}
	TAP_OK(bad == 0, "all %zu single-bit flips of a 3-tree forest rejected (%d accepted)", len * 8, bad);
	bad = 0;
	for (i = 0; i < len; i++)
		if (iforest_deserialize(small, i, NULL, &g) == ANA_OK)
		{
			bad++;
			iforest_free(g, NULL);
		}
	TAP_OK(bad == 0, "all %zu truncations rejected", len);

	/* forged payloads with a valid checksum: structure checks must catch them */
	{
		unsigned char *c = malloc(len);
		size_t		off_root = ANA_HEADER_SIZE + 32 + 4;	/* first node of tree 0 */
		ana_wbuf	w;
		size_t		dummy;

#define RESEAL() do { ana_w_init(&w, c, len); w.len = len; ana_w_finish(&w, &dummy); } while (0)
		memcpy(c, small, len);
		c[off_root] = 7;		/* feature 7 >= d = 3 */
		RESEAL();
		TAP_RC(iforest_deserialize(c, len, NULL, &g), ANA_EFORMAT, "forged feature index >= d -> EFORMAT");
		memcpy(c, small, len);
		c[off_root + 12] ^= 1;	/* root size 16 -> 17 */
		RESEAL();
		TAP_RC(iforest_deserialize(c, len, NULL, &g), ANA_EFORMAT, "forged root size != psi -> EFORMAT");
		memcpy(c, small, len);
		c[off_root + 4 + 7] = 0x7f; /* split exponent all ones -> Inf or NaN */
		c[off_root + 4 + 6] |= 0xf0;
		RESEAL();
		TAP_RC(iforest_deserialize(c, len, NULL, &g), ANA_EFORMAT, "forged non-finite split -> EFORMAT");
		memcpy(c, small, len);
		c[ANA_HEADER_SIZE + 4] = 0; /* n_trees = 0 */
		c[ANA_HEADER_SIZE + 5] = 0;
		RESEAL();
		TAP_RC(iforest_deserialize(c, len, NULL, &g), ANA_EFORMAT, "forged n_trees = 0 -> EFORMAT");

		/* random forged corruption (checksum fixed up): never crash; if accepted, scoring works */
		crashfree = 1;
		bad = 0;
		for (i = 0; i < 20000; i++)
		{
			size_t		pos = ANA_HEADER_SIZE + (size_t) ana_rng_below(&r, len - ANA_HEADER_SIZE);
			double		sc,
						pt[IFOREST_MAX_DIM] = {0};

			memcpy(c, small, len);
			c[pos] = (unsigned char) ana_rng_next(&r);
			RESEAL();
			rc = iforest_deserialize(c, len, NULL, &g);
			if (rc == ANA_OK)
			{
				bad++;
				if (iforest_score(g, pt, g->d, &sc) != ANA_OK || !(sc > 0 && sc <= 1))
					crashfree = 0;
				iforest_free(g, NULL);
			}
		}
		TAP_OK(crashfree, "20000 forged random byte changes: no crash, %d structurally valid ones still score in (0,1]", bad);
		free(c);
	}
	free(small);
	iforest_free(f, NULL);
	free(b1);
	free(b2);
	free(b3);
	free(X);
}

static void
test_large(void)
{
	size_t		n = 1000000,
				d = 3,
				i;
	double	   *X = malloc(n * d * sizeof(double));
	int		   *lab = malloc(n * sizeof(int));
	double	   *s = malloc(n * sizeof(double));
	ana_rng		r;
	iforest    *f;
	double		t0,
				t1,
				t2;

	ana_rng_seed(&r, 4);
	for (i = 0; i < n; i++)
	{
		int			o = i % 10000 == 0;

		X[i * d] = gauss(&r) + (o ? 9 : 0);
		X[i * d + 1] = gauss(&r);
		X[i * d + 2] = gauss(&r) - (o ? 9 : 0);
		lab[i] = o;
	}
	t0 = tap_now();
	TAP_RC(iforest_fit(X, n, d, NULL, NULL, &f), ANA_OK, "fit on 10^6 x 3 rows");
	t1 = tap_now();
	for (i = 0; i < n; i++)
		iforest_score(f, X + i * d, d, &s[i]);
	t2 = tap_now();
	/* AUC of the 100 planted outliers against the 999900 inliers (counting, no sort) */
	{
		double		wins = 0,
					a;
		size_t		j;

		for (i = 0; i < n; i++)
			if (lab[i])
				for (j = 0; j < n; j++)
					if (!lab[j])
						wins += s[i] > s[j] ? 1.0 : (s[i] == s[j] ? 0.5 : 0.0);
		a = wins / (100.0 * (double) (n - 100));
		TAP_OK(a > 0.999, "10^6 rows, 100 planted outliers at 12.7 sigma: AUC %.5f > 0.999", a);
	}
	/* timings are a benchmark's business (a loaded machine is slow): printed, not asserted */
	printf("# 10^6 rows: fit %.3f s, scoring %.3f s (%.2f us/point)\n", t1 - t0, t2 - t1, (t2 - t1));
	iforest_free(f, NULL);
	free(X);
	free(lab);
	free(s);
}

int
main(void)
{
	test_c();
	test_planted();
	test_explain();
	test_edges();
	test_serial();
	test_large();
	return tap_done();
}
