/*
 * test_kmeans.c - unit tests of src/kmeans.c (TAP).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ana_tap.h"
#include "kmeans.h"

#include <stdlib.h>
#include <string.h>

static double
gauss(ana_rng *r)
{
	double		u1 = ana_rng_uniform(r) + 1e-300,
				u2 = ana_rng_uniform(r);

	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

/* adjusted Rand index (Hubert & Arabie) from the contingency table */
static double
ari(const uint32_t *a, const uint32_t *b, size_t n, uint32_t ka, uint32_t kb)
{
	double	   *tab = calloc((size_t) ka * kb, sizeof(double));
	double	   *ra = calloc(ka, sizeof(double));
	double	   *rb = calloc(kb, sizeof(double));
	double		sij = 0,
				sa = 0,
				sb = 0,
				expct,
				mx,
				nn = (double) n * (n - 1) / 2;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		tab[a[i] * kb + b[i]]++;
		ra[a[i]]++;
		rb[b[i]]++;
	}
	for (i = 0; i < (size_t) ka * kb; i++)
		sij += tab[i] * (tab[i] - 1) / 2;
	for (i = 0; i < ka; i++)
		sa += ra[i] * (ra[i] - 1) / 2;
	for (i = 0; i < kb; i++)
		sb += rb[i] * (rb[i] - 1) / 2;
	expct = sa * sb / nn;
	mx = (sa + sb) / 2;
	free(tab);
	free(ra);
	free(rb);
	return (sij - expct) / (mx - expct);
}

static void
test_hand(void)
{
	double		X[] = {0, 0, 0, 2, 10, 0, 10, 2};
	kmeans_params p;
	kmeans_result r;

	kmeans_params_default(&p, 2);
	TAP_OK(p.max_iter == 300 && p.n_init == 10 && p.tol == 1e-4, "defaults 300 iterations, 10 restarts, tol 1e-4");
	TAP_RC(kmeans_fit(X, 4, 2, &p, 1, NULL, &r), ANA_OK, "4 points k=2 ok");
	TAP_OK(r.k == 2 && r.centroids[0] == 0 && r.centroids[1] == 1 && r.centroids[2] == 10 && r.centroids[3] == 1,
		   "centroids (0,1) and (10,1), sorted");
	TAP_NEAR(r.inertia, 4, 0, "inertia = 4 * 1^2 = 4");
	TAP_OK(r.labels[0] == 0 && r.labels[1] == 0 && r.labels[2] == 1 && r.labels[3] == 1, "labels 0,0,1,1");
	TAP_OK(r.converged, "converged");
	kmeans_result_free(&r, NULL);
}

static void
make_blobs(double *X, uint32_t *truth, size_t n, size_t d, uint32_t k, double spread, ana_rng *r)
{
	size_t		i,
				j;

	for (i = 0; i < n; i++)
	{
		uint32_t	c = (uint32_t) (i % k);

		truth[i] = c;
		for (j = 0; j < d; j++)
			X[i * d + j] = 20.0 * (double) ((c * 7 + j * 3) % (k + 1)) + (j == 0 ? 50.0 * c : 0) + spread * gauss(r);
	}
}

static void
test_blobs(void)
{
	size_t		n = 900,
				d = 3;
	double	   *X = malloc(n * d * sizeof(double));
	uint32_t   *truth = malloc(n * sizeof(uint32_t));
	ana_rng		rng;
	kmeans_params p;
	kmeans_result r,
				r1,
				r2;
	double		a;

	ana_rng_seed(&rng, 11);
	make_blobs(X, truth, n, d, 3, 1.0, &rng);
	kmeans_params_default(&p, 3);
	TAP_RC(kmeans_fit(X, n, d, &p, 1, NULL, &r), ANA_OK, "3 blobs ok");
	a = ari(truth, r.labels, n, 3, r.k);
	TAP_NEAR(a, 1.0, 1e-12, "3 well separated blobs recovered exactly (ARI = 1)");
	kmeans_fit(X, n, d, &p, 1, NULL, &r2);
	TAP_OK(r2.inertia == r.inertia && memcmp(r2.labels, r.labels, n * 4) == 0 &&
		   memcmp(r2.centroids, r.centroids, (size_t) r.k * d * 8) == 0, "same seed -> identical result");
	kmeans_result_free(&r2, NULL);
	/* restarts never do worse than the first restart (same stream) */
	p.n_init = 1;
	kmeans_fit(X, n, d, &p, 0, NULL, &r1);
	TAP_OK(r.inertia <= r1.inertia && r1.labels == NULL, "n_init=10 inertia %.3f <= n_init=1 %.3f; labels skipped on request", r.inertia, r1.inertia);
	kmeans_result_free(&r1, NULL);
	kmeans_result_free(&r, NULL);

	/* 8 blobs in 2-D with k=8: restarts help against bad k-means++ draws */
	{
		size_t		m = 1600,
					i;
		double	   *Y = malloc(m * 2 * sizeof(double));
		uint32_t   *t = malloc(m * sizeof(uint32_t));
		int			good = 0,
					s;

		for (i = 0; i < m; i++)
		{
			uint32_t	c = (uint32_t) (i % 8);

			t[i] = c;
			Y[i * 2] = 10.0 * (c % 4) + 0.5 * gauss(&rng);
			Y[i * 2 + 1] = 10.0 * (c / 4) + 0.5 * gauss(&rng);
		}
		for (s = 0; s < 20; s++)
		{
			kmeans_params_default(&p, 8);
			p.seed = (uint64_t) s;
			kmeans_fit(Y, m, 2, &p, 1, NULL, &r);
			good += ari(t, r.labels, m, 8, r.k) > 0.999;
			kmeans_result_free(&r, NULL);
		}
		TAP_OK(good == 20, "8 blobs on a grid: exact recovery for %d/20 seeds with 10 restarts", good);
		free(Y);
		free(t);
	}
	free(X);
	free(truth);
}

static void
test_edges(void)
{
	double		X[] = {1, 1, 1, 1, 5, 5, 5, 5, 1, 1},
				c[2];
	kmeans_params p;
	kmeans_result r;
	uint32_t	lab;

	kmeans_params_default(&p, 4);
	TAP_RC(kmeans_fit(X, 5, 2, &p, 1, NULL, &r), ANA_OK, "k=4 with 2 distinct points: ok");
	TAP_OK(r.k == 2 && r.inertia == 0, "k reduced to the 2 distinct points, inertia 0");
	TAP_OK(r.labels[0] == 0 && r.labels[2] == 1 && r.labels[4] == 0, "labels follow the distinct points");
	kmeans_result_free(&r, NULL);
	TAP_RC(kmeans_fit(X, 1, 2, &p, 1, NULL, &r), ANA_OK, "n = 1 ok");
	TAP_OK(r.k == 1 && r.centroids[0] == 1 && r.inertia == 0 && r.labels[0] == 0, "n = 1: one cluster at the point");
	kmeans_result_free(&r, NULL);
	TAP_RC(kmeans_fit(X, 0, 2, &p, 1, NULL, &r), ANA_EEMPTY, "n = 0 -> EEMPTY");
	p.k = 0;
	TAP_RC(kmeans_fit(X, 5, 2, &p, 1, NULL, &r), ANA_EINVAL, "k = 0 -> EINVAL");
	p.k = 2;
	p.tol = NAN;
	TAP_RC(kmeans_fit(X, 5, 2, &p, 1, NULL, &r), ANA_EINVAL, "tol NaN -> EINVAL");
	p.tol = 1e-4;
	X[3] = NAN;
	TAP_RC(kmeans_fit(X, 5, 2, &p, 1, NULL, &r), ANA_ENONFINITE, "NaN -> ENONFINITE");
	X[3] = INFINITY;
	TAP_RC(kmeans_fit(X, 5, 2, &p, 1, NULL, &r), ANA_ENONFINITE, "Inf -> ENONFINITE");
	X[3] = 1;
	kmeans_fit(X, 5, 2, &p, 1, NULL, &r);
	c[0] = 4;
	c[1] = 4.5;
	TAP_RC(kmeans_assign(r.centroids, r.k, 2, c, 2, &lab, NULL), ANA_OK, "assign ok");
	TAP_OK(lab == 1, "(4,4.5) assigned to the (5,5) cluster");
	TAP_RC(kmeans_assign(r.centroids, r.k, 2, c, 3, &lab, NULL), ANA_EMISMATCH, "assign wrong dimension");
	c[0] = NAN;
	TAP_RC(kmeans_assign(r.centroids, r.k, 2, c, 2, &lab, NULL), ANA_ENONFINITE, "assign NaN");
	kmeans_result_free(&r, NULL);
}

static void
test_standardize_and_model(void)
{
	/* column 0 in euros (huge), column 1 in tickets (small): unscaled k-means ignores col 1 */
	size_t		n = 400,
				i;
	double	   *X = malloc(n * 2 * sizeof(double));
	uint32_t   *truth = malloc(n * sizeof(uint32_t));
	double		center[2],
				scale[2],
				cen[2];
	ana_rng		rng;
	kmeans_params p;
	kmeans_model *m,
			   *m2;
	unsigned char *buf;
	size_t		sz,
				w;
	int			correct = 0,
				bad,
				rc;

	ana_rng_seed(&rng, 5);
	for (i = 0; i < n; i++)
	{
		truth[i] = (uint32_t) (i % 2);
		X[i * 2] = 50000 + 10000 * gauss(&rng);	/* uninformative, huge variance */
		X[i * 2 + 1] = (truth[i] ? 20 : 2) + gauss(&rng);
	}
	{
		double		c3[] = {1, 2, 5, 4, 9, 6};

		TAP_RC(kmeans_standardize(c3, 3, 2, KMEANS_SCALE_ZSCORE, 1, center, scale, NULL), ANA_OK, "zscore ok");
		TAP_OK(center[0] == 5 && fabs(scale[0] - sqrt(32.0 / 3)) < 1e-12 && center[1] == 4 &&
			   fabs(scale[1] - sqrt(8.0 / 3)) < 1e-12, "zscore center = mean, scale = population sd");
		TAP_NEAR(c3[0], -4 / sqrt(32.0 / 3), 1e-12, "zscore applied");
	}
	{
		double		c3[] = {1, 7, 2, 7, 3, 7, 100, 7};

		kmeans_standardize(c3, 4, 2, KMEANS_SCALE_ROBUST, 0, center, scale, NULL);
		TAP_OK(center[0] == 2.5 && fabs(scale[0] - 1.4826) < 1e-12, "robust: median 2.5, scale 1.4826*MAD(=1)");
		TAP_OK(center[1] == 7 && scale[1] == 1, "robust: constant column scale 1");
		TAP_OK(c3[0] == 1, "apply = 0 leaves X alone");
	}
	kmeans_params_default(&p, 2);
	TAP_RC(kmeans_model_fit(X, n, 2, KMEANS_SCALE_NONE, &p, NULL, &m), ANA_OK, "unscaled model ok");
	for (i = 0; i < n; i++)
	{
		uint32_t	l;

		kmeans_model_assign(m, X + i * 2, 2, &l, NULL);
		correct += l == truth[i];
	}
	correct = correct > (int) n / 2 ? correct : (int) n - correct;
	TAP_OK(correct < (int) (0.8 * n), "without scaling the informative column is drowned (%d/%zu agree)", correct, n);
	kmeans_model_free(m, NULL);
	/*
	 * z-scores: the bimodal column (+-1 sd) separates better than the Gaussian noise column
	 * (within-cluster SS 1.01 vs 1.36 per point), so k-means finds the real groups.
	 */
	TAP_RC(kmeans_model_fit(X, n, 2, KMEANS_SCALE_ZSCORE, &p, NULL, &m), ANA_OK, "z-scored model ok");
	correct = 0;
	for (i = 0; i < n; i++)
	{
		uint32_t	l;

		kmeans_model_assign(m, X + i * 2, 2, &l, NULL);
		correct += l == truth[i];
	}
	correct = correct > (int) n / 2 ? correct : (int) n - correct;
	TAP_OK(correct == (int) n, "with z-score scaling the two groups are recovered (%d/%zu)", correct, n);
	kmeans_model_centroid(m, 1, cen);
	TAP_NEAR(cen[1], 20, 0.5, "centroid 1 back in original units: tickets ~ 20");

	kmeans_model_serialized_size(m, &sz);
	buf = malloc(sz);
	TAP_RC(kmeans_model_serialize(m, buf, sz, &w), ANA_OK, "serialize model");
	TAP_RC(kmeans_model_deserialize(buf, w, NULL, &m2), ANA_OK, "deserialize model");
	TAP_OK(m2->k == m->k && memcmp(m2->centroids, m->centroids, 2 * 2 * 8) == 0 &&
		   memcmp(m2->scale, m->scale, 16) == 0 && m2->scaling == KMEANS_SCALE_ZSCORE, "round trip identical");
	kmeans_model_free(m2, NULL);
	bad = 0;
	for (i = 0; i < w * 8; i++)
	{
		buf[i / 8] ^= (unsigned char) (1 << (i % 8));
		rc = kmeans_model_deserialize(buf, w, NULL, &m2);
		if (rc == ANA_OK)
		{
			bad++;
			kmeans_model_free(m2, NULL);
		}
		buf[i / 8] ^= (unsigned char) (1 << (i % 8));
	}
	TAP_OK(bad == 0, "every single-bit flip of a serialized model rejected (%d accepted)", bad);
	bad = 0;
	for (i = 0; i < w; i++)
		if (kmeans_model_deserialize(buf, i, NULL, &m2) == ANA_OK)
			bad++;
	TAP_OK(bad == 0, "every truncation rejected");
	{
		/* forged zero scale with a valid checksum */
		ana_wbuf	ww;
		size_t		dummy;

		memset(buf + ANA_HEADER_SIZE + 32 + 16, 0, 8);	/* scale[0] = 0.0 */
		ana_w_init(&ww, buf, w);
		ww.len = w;
		ana_w_finish(&ww, &dummy);
		TAP_RC(kmeans_model_deserialize(buf, w, NULL, &m2), ANA_EFORMAT, "forged zero scale -> EFORMAT");
	}
	free(buf);
	kmeans_model_free(m, NULL);
	free(X);
	free(truth);
}

static void
test_large(void)
{
	size_t		n = 1000000,
				d = 2;
	double	   *X = malloc(n * d * sizeof(double));
	uint32_t   *truth = malloc(n * sizeof(uint32_t));
	ana_rng		rng;
	kmeans_params p;
	kmeans_result r;
	double		t0,
				t1,
				a;

	ana_rng_seed(&rng, 12);
	make_blobs(X, truth, n, d, 5, 2.0, &rng);
	kmeans_params_default(&p, 5);
	p.n_init = 3;
	t0 = tap_now();
	TAP_RC(kmeans_fit(X, n, d, &p, 1, NULL, &r), ANA_OK, "10^6 x 2, k=5, 3 restarts");
	t1 = tap_now();
	a = ari(truth, r.labels, n, 5, r.k);
	TAP_OK(a > 0.999, "10^6 rows: ARI %.5f > 0.999", a);
	printf("# 10^6 rows fitted in %.2f s (%u iterations in the best restart)\n", t1 - t0, r.n_iter);
	kmeans_result_free(&r, NULL);
	free(X);
	free(truth);
}

int
main(void)
{
	test_hand();
	test_blobs();
	test_edges();
	test_standardize_and_model();
	test_large();
	return tap_done();
}
