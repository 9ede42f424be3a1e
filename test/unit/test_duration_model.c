/*
 * test_duration_model.c - unit tests of src/duration_model.c (TAP).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ana_tap.h"
#include "duration_model.h"

#include <stdlib.h>
#include <string.h>

#define NTYPES 6
#define NCITIES 30
#define NTECHS 20

static const double type_eff[NTYPES] = {-0.4, -0.1, 0.0, 0.1, 0.3, 0.5};
static const double sev_eff[3] = {0.0, 0.2, 0.5};
static double city_eff[NCITIES];
static double tech_eff[NTECHS];

static double
gauss(ana_rng *r)
{
	double		u1 = ana_rng_uniform(r) + 1e-300,
				u2 = ana_rng_uniform(r);

	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

typedef struct synth
{
	char		type[16],
				city[16],
				tech[16],
				sev[16];
	int			t,
				month;
	double		est,
				actual;
} synth;

static void
gen(synth *s, ana_rng *r, double noise)
{
	int			c = (int) ana_rng_below(r, NCITIES),
				k = (int) ana_rng_below(r, NTECHS),
				v = (int) ana_rng_below(r, 3);
	double		le = log(3.0) + 0.6 * gauss(r);

	s->t = (int) ana_rng_below(r, NTYPES);
	s->month = 1 + (int) ana_rng_below(r, 12);
	snprintf(s->type, sizeof s->type, "Type%d", s->t);
	snprintf(s->city, sizeof s->city, "City%d", c);
	snprintf(s->tech, sizeof s->tech, "tech%d", k);
	snprintf(s->sev, sizeof s->sev, "sev%d", v);
	s->actual = exp(0.1 + 0.85 * le + type_eff[s->t] + city_eff[c] + tech_eff[k] + sev_eff[v] +
					0.1 * sin(2 * M_PI * s->month / 12.0) + noise * gauss(r));
	s->est = ana_rng_uniform(r) < 0.15 ? 0.0 : exp(le);
}

static dm_obs
obs_of(const synth *s)
{
	dm_obs		o;

	o.level[DM_TYPE] = s->type;
	o.level[DM_CITY] = s->city;
	o.level[DM_TECHNICIAN] = s->tech;
	o.level[DM_SEVERITY] = s->sev;
	o.month = s->month;
	o.estimate = s->est;
	o.actual = s->actual;
	return o;
}

static unsigned char *
ser_model(const dm_model *m, size_t *len)
{
	size_t		sz;
	unsigned char *b;

	dm_model_serialized_size(m, &sz);
	b = malloc(sz);
	if (dm_model_serialize(m, b, sz, len) != ANA_OK || *len != sz)
	{
		free(b);
		return NULL;
	}
	return b;
}

static void
test_planted(void)
{
	size_t		ntr = 20000,
				nte = 5000,
				i;
	synth	   *tr = malloc(ntr * sizeof(synth)),
			   *te = malloc(nte * sizeof(synth));
	ana_rng		r;
	dm_data		d,
				drev,
				d1,
				d2;
	dm_model   *m,
			   *mrev,
			   *mmerge,
			   *m2;
	double		type_mean[NTYPES] = {0},
				type_n[NTYPES] = {0},
				all_mean = 0,
				mae_model = 0,
				mae_est = 0,
				mae_type = 0,
				maxerr,
				c0,
				c;
	int			covered = 0,
				t,
				rc,
				conf_ok = 1;
	unsigned char *b1,
			   *b2,
			   *b3;
	size_t		l1,
				l2,
				l3;

	ana_rng_seed(&r, 21);
	for (i = 0; i < NCITIES; i++)
		city_eff[i] = 0.2 * gauss(&r);
	for (i = 0; i < NTECHS; i++)
		tech_eff[i] = 0.15 * gauss(&r);
	for (i = 0; i < ntr; i++)
		gen(&tr[i], &r, 0.25);
	for (i = 0; i < nte; i++)
		gen(&te[i], &r, 0.25);

	dm_data_init(&d);
	dm_data_init(&drev);
	dm_data_init(&d1);
	dm_data_init(&d2);
	for (i = 0; i < ntr; i++)
	{
		dm_obs		o = obs_of(&tr[i]),
					orv = obs_of(&tr[ntr - 1 - i]);

		rc = dm_data_add(&d, &o, NULL);
		if (rc)
			break;
		dm_data_add(&drev, &orv, NULL);
		dm_data_add(i % 2 ? &d1 : &d2, &o, NULL);
		type_mean[tr[i].t] += tr[i].actual;
		type_n[tr[i].t]++;
		all_mean += tr[i].actual / ntr;
	}
	TAP_RC(rc, ANA_OK, "20000 training rows added");
	TAP_RC(dm_fit(&d, NULL, NULL, &m), ANA_OK, "fit ok");
	TAP_NEAR(m->b_logest, 0.85, 0.02, "elasticity on log(estimate) recovered (planted 0.85)");
	TAP_NEAR(m->sigma, 0.25, 0.01, "residual sigma of rows with an estimate recovered (planted 0.25)");
	TAP_NEAR(m->sigma_noest, sqrt(0.25 * 0.25 + 0.85 * 0.85 * 0.36), 0.03,
			 "residual sigma without estimate = sqrt(0.25^2 + 0.85^2 0.6^2) = 0.568");
	dm_model_level(m, DM_TYPE, "type0", &c0, NULL);
	maxerr = 0;
	for (t = 1; t < NTYPES; t++)
	{
		char		nm[16];

		snprintf(nm, sizeof nm, "TYPE%d", t);
		dm_model_level(m, DM_TYPE, nm, &c, NULL);
		if (fabs((c - c0) - (type_eff[t] - type_eff[0])) > maxerr)
			maxerr = fabs((c - c0) - (type_eff[t] - type_eff[0]));
	}
	TAP_OK(maxerr < 0.03, "type effects recovered (relative to type0), max error %.4f < 0.03", maxerr);
	dm_model_level(m, DM_TECHNICIAN, "tech0", &c0, NULL);
	maxerr = 0;
	for (t = 1; t < NTECHS; t++)
	{
		char		nm[16];

		snprintf(nm, sizeof nm, "tech%d", t);
		dm_model_level(m, DM_TECHNICIAN, nm, &c, NULL);
		if (fabs((c - c0) - (tech_eff[t] - tech_eff[0])) > maxerr)
			maxerr = fabs((c - c0) - (tech_eff[t] - tech_eff[0]));
	}
	TAP_OK(maxerr < 0.05, "technician effects recovered, max error %.4f < 0.05", maxerr);
	dm_model_level(m, DM_SEVERITY, "sev0", &c0, NULL);
	dm_model_level(m, DM_SEVERITY, "sev2", &c, NULL);
	TAP_NEAR(c - c0, 0.5, 0.03, "severity effect sev2 - sev0 recovered (0.5)");
	dm_model_level(m, DM_MONTH, "3", &c0, NULL);
	dm_model_level(m, DM_MONTH, "9", &c, NULL);
	TAP_NEAR(c0 - c, 0.2, 0.04, "month effect March - September recovered (0.2)");
	TAP_RC(dm_model_level(m, DM_CITY, "atlantis", &c, NULL), ANA_EINVAL, "unknown level lookup -> EINVAL");

	/* holdout: model vs "estimate as given" vs "mean per type" (MAE in hours) */
	for (t = 0; t < NTYPES; t++)
		type_mean[t] /= type_n[t];
	for (i = 0; i < nte; i++)
	{
		dm_obs		o = obs_of(&te[i]);
		dm_prediction p;

		dm_predict(m, &o, 0.8, &p);
		mae_model += fabs(p.predicted - te[i].actual) / nte;
		/* baseline 1 uses the estimate, or the type mean when there is none */
		mae_est += fabs((te[i].est > 0 ? te[i].est : type_mean[te[i].t]) - te[i].actual) / nte;
		mae_type += fabs(type_mean[te[i].t] - te[i].actual) / nte;
		covered += te[i].actual >= p.lo && te[i].actual <= p.hi;
		if (!(p.confidence >= 0 && p.confidence <= 1) || !(p.lo < p.predicted && p.predicted < p.hi))
			conf_ok = 0;
	}
	TAP_OK(mae_model < 0.8 * mae_est, "holdout MAE model %.3f h < 0.8 x 'estimate as given' %.3f h", mae_model, mae_est);
	TAP_OK(mae_model < 0.8 * mae_type, "holdout MAE model %.3f h < 0.8 x 'mean per type' %.3f h", mae_model, mae_type);
	TAP_OK(covered > 0.77 * nte && covered < 0.83 * nte, "80%% interval covers %.1f%% of the holdout", 100.0 * covered / nte);
	TAP_OK(conf_ok, "confidence in [0,1] and lo < predicted < hi for every holdout row");

	/* unknown city and missing estimate lower the confidence */
	{
		dm_obs		o = obs_of(&te[0]);
		dm_prediction known,
					unk,
					noest,
					spaced;

		o.estimate = 4;
		dm_predict(m, &o, 0.8, &known);
		o.level[DM_CITY] = "Atlantis";
		dm_predict(m, &o, 0.8, &unk);
		o.estimate = 0;
		dm_predict(m, &o, 0.8, &noest);
		TAP_OK(known.known[DM_CITY] && !unk.known[DM_CITY], "known/unknown city flagged");
		TAP_OK(unk.hi - unk.lo > known.hi - known.lo && unk.confidence < known.confidence,
			   "unknown city: wider interval, lower confidence (%.3f < %.3f)", unk.confidence, known.confidence);
		TAP_OK(noest.confidence < unk.confidence && !noest.used_estimate,
			   "no estimate: lower confidence still (%.3f)", noest.confidence);
		o = obs_of(&te[0]);
		dm_predict(m, &o, 0.8, &known);
		{
			char		sp[32];

			snprintf(sp, sizeof sp, "  %s\t", te[0].city);
			for (i = 0; sp[i]; i++)
				if (sp[i] >= 'a' && sp[i] <= 'z')
					sp[i] = (char) (sp[i] - 32);
			o.level[DM_CITY] = sp;
			dm_predict(m, &o, 0.8, &spaced);
		}
		TAP_OK(spaced.predicted == known.predicted, "level names are trimmed and case-folded");
		TAP_RC(dm_predict(m, &o, 1.0, &known), ANA_EINVAL, "interval level 1 -> EINVAL");
		o.estimate = NAN;
		TAP_RC(dm_predict(m, &o, 0.8, &known), ANA_ENONFINITE, "NaN estimate at prediction -> ENONFINITE");
	}

	/* order independence: reversed rows and a merge of two halves give identical bytes */
	TAP_RC(dm_fit(&drev, NULL, NULL, &mrev), ANA_OK, "fit on reversed rows");
	TAP_RC(dm_data_merge(&d1, &d2, NULL), ANA_OK, "merge two partial states");
	TAP_RC(dm_fit(&d1, NULL, NULL, &mmerge), ANA_OK, "fit on merged state");
	b1 = ser_model(m, &l1);
	b2 = ser_model(mrev, &l2);
	b3 = ser_model(mmerge, &l3);
	TAP_OK(b1 && b2 && l1 == l2 && memcmp(b1, b2, l1) == 0, "reversed input order -> bitwise identical model");
	TAP_OK(b3 && l1 == l3 && memcmp(b1, b3, l1) == 0, "merged partial states -> bitwise identical model");

	/* model round trip and corruption */
	TAP_RC(dm_model_deserialize(b1, l1, NULL, &m2), ANA_OK, "model deserialize ok");
	{
		dm_obs		o = obs_of(&te[1]);
		dm_prediction p1,
					p2;

		dm_predict(m, &o, 0.9, &p1);
		dm_predict(m2, &o, 0.9, &p2);
		TAP_OK(p1.predicted == p2.predicted && p1.hi == p2.hi && p1.confidence == p2.confidence,
			   "deserialized model predicts identically");
	}
	dm_model_free(m2, NULL);
	{
		int			bad = 0;

		for (i = 0; i < l1 * 8; i += 3)
		{
			b1[i / 8] ^= (unsigned char) (1 << (i % 8));
			if (dm_model_deserialize(b1, l1, NULL, &m2) == ANA_OK)
			{
				bad++;
				dm_model_free(m2, NULL);
			}
			b1[i / 8] ^= (unsigned char) (1 << (i % 8));
		}
		TAP_OK(bad == 0, "%zu bit flips across the model bytes rejected (%d accepted)", l1 * 8 / 3, bad);
		bad = 0;
		for (i = 0; i < l1; i++)
			if (dm_model_deserialize(b1, i, NULL, &m2) == ANA_OK)
			{
				bad++;
				dm_model_free(m2, NULL);
			}
		TAP_OK(bad == 0, "every truncation of the model rejected");
	}
	{
		/* forged: swap the first letters of two type names so the list is unsorted */
		ana_wbuf	w;
		size_t		dummy,
					off = ANA_HEADER_SIZE + 72 + 12;	/* first type level */
		unsigned char *c2 = malloc(l1);
		dm_model   *bad;

		memcpy(c2, b1, l1);
		c2[off + 4 + 4] = '9';	/* "type0" -> "type9": now > "type1" */
		ana_w_init(&w, c2, l1);
		w.len = l1;
		ana_w_finish(&w, &dummy);
		TAP_RC(dm_model_deserialize(c2, l1, NULL, &bad), ANA_EFORMAT, "forged unsorted level names -> EFORMAT");
		memcpy(c2, b1, l1);
		c2[off + 4] = 'T';		/* not normalised */
		ana_w_init(&w, c2, l1);
		w.len = l1;
		ana_w_finish(&w, &dummy);
		TAP_RC(dm_model_deserialize(c2, l1, NULL, &bad), ANA_EFORMAT, "forged upper-case level name -> EFORMAT");
		free(c2);
	}

	/* training-state round trip */
	{
		size_t		sz,
					w;
		unsigned char *sb;
		dm_data		back;
		dm_model   *mb;
		unsigned char *b4;
		size_t		l4;

		dm_data_serialized_size(&d, &sz);
		sb = malloc(sz);
		TAP_RC(dm_data_serialize(&d, sb, sz, &w), ANA_OK, "training state serializes (%zu bytes for 20000 rows)", w);
		TAP_RC(dm_data_deserialize(&back, sb, w, NULL), ANA_OK, "training state deserializes");
		dm_fit(&back, NULL, NULL, &mb);
		b4 = ser_model(mb, &l4);
		TAP_OK(l4 == l1 && memcmp(b4, b3, l4) == 0, "model from the round-tripped state is identical");
		free(b4);
		dm_model_free(mb, NULL);
		dm_data_free(&back, NULL);
		TAP_RC(dm_data_deserialize(&back, sb, w - 1, NULL), ANA_ETRUNCATED, "truncated state -> ETRUNCATED");
		sb[w - 3] ^= 4;
		TAP_RC(dm_data_deserialize(&back, sb, w, NULL), ANA_ECHECKSUM, "corrupted state -> ECHECKSUM");
		free(sb);
	}
	free(b1);
	free(b2);
	free(b3);
	dm_model_free(m, NULL);
	dm_model_free(mrev, NULL);
	dm_model_free(mmerge, NULL);
	dm_data_free(&d, NULL);
	dm_data_free(&drev, NULL);
	dm_data_free(&d1, NULL);
	dm_data_free(&d2, NULL);
	free(tr);
	free(te);
	(void) all_mean;
}

static void
test_edges(void)
{
	dm_data		d;
	dm_model   *m;
	dm_obs		o;
	dm_prediction p;
	char		longname[DM_MAX_NAME + 10];
	size_t		sz,
				w,
				i;
	unsigned char *b;
	int			bad;

	dm_data_init(&d);
	TAP_RC(dm_fit(&d, NULL, NULL, &m), ANA_EEMPTY, "empty training set -> EEMPTY");
	memset(&o, 0, sizeof o);
	o.level[DM_TYPE] = "maintenance";
	o.level[DM_CITY] = "Paris";
	o.estimate = 4;
	o.actual = NAN;
	TAP_RC(dm_data_add(&d, &o, NULL), ANA_ENONFINITE, "NaN actual -> ENONFINITE");
	o.actual = INFINITY;
	TAP_RC(dm_data_add(&d, &o, NULL), ANA_ENONFINITE, "Inf actual -> ENONFINITE");
	o.actual = 0;
	TAP_RC(dm_data_add(&d, &o, NULL), ANA_EDOMAIN, "zero actual -> EDOMAIN");
	o.actual = 5;
	o.estimate = -INFINITY;
	TAP_RC(dm_data_add(&d, &o, NULL), ANA_ENONFINITE, "-Inf estimate -> ENONFINITE");
	o.estimate = 4;
	o.month = 13;
	TAP_RC(dm_data_add(&d, &o, NULL), ANA_EDOMAIN, "month 13 -> EDOMAIN");
	o.month = 0;
	memset(longname, 'x', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	o.level[DM_TECHNICIAN] = longname;
	TAP_RC(dm_data_add(&d, &o, NULL), ANA_EINVAL, "level name over %d bytes -> EINVAL", DM_MAX_NAME);
	TAP_OK(d.n == 0 && d.dict[DM_TYPE].n == 0, "rejected rows leave the state untouched");
	o.level[DM_TECHNICIAN] = NULL;
	TAP_RC(dm_data_add(&d, &o, NULL), ANA_OK, "single row added");
	TAP_RC(dm_fit(&d, NULL, NULL, &m), ANA_OK, "single-row fit ok");
	o.actual = 0;
	TAP_RC(dm_predict(m, &o, 0.8, &p), ANA_OK, "single-row predict ok");
	TAP_NEAR(p.predicted, 5.0, 0.05, "single row: predicts its own duration (5 h)");
	TAP_OK(p.confidence < 0.35, "single row: low confidence %.3f (n/(n+10) and prior sigma)", p.confidence);
	dm_model_free(m, NULL);

	/* no estimate ever, only a type: falls back to per-type levels */
	dm_data_free(&d, NULL);
	dm_data_init(&d);
	for (i = 0; i < 200; i++)
	{
		memset(&o, 0, sizeof o);
		o.level[DM_TYPE] = i % 2 ? "repair" : "install";
		o.actual = i % 2 ? 2.0 : 8.0;
		dm_data_add(&d, &o, NULL);
	}
	dm_fit(&d, NULL, NULL, &m);
	memset(&o, 0, sizeof o);
	o.level[DM_TYPE] = "repair";
	o.estimate = 100;			/* the model never saw estimates: ignored */
	dm_predict(m, &o, 0.8, &p);
	TAP_OK(!p.used_estimate && fabs(p.predicted - 2.0) < 0.1, "no estimates in training: estimate ignored, repair -> %.3f h", p.predicted);
	o.level[DM_TYPE] = "unknown-type";
	dm_predict(m, &o, 0.8, &p);
	TAP_OK(fabs(p.predicted - 4.0) < 0.1, "unknown type -> geometric middle %.3f h (global effect)", p.predicted);
	dm_model_free(m, NULL);

	/* exhaustive corruption of a small training state */
	dm_data_serialized_size(&d, &sz);
	b = malloc(sz);
	dm_data_serialize(&d, b, sz, &w);
	bad = 0;
	for (i = 0; i < 80 * 8; i++)
	{
		dm_data		x;

		b[i / 8] ^= (unsigned char) (1 << (i % 8));
		if (dm_data_deserialize(&x, b, w, NULL) == ANA_OK)
		{
			bad++;
			dm_data_free(&x, NULL);
		}
		b[i / 8] ^= (unsigned char) (1 << (i % 8));
	}
	TAP_OK(bad == 0, "bit flips in the first 80 bytes of a state rejected (%d accepted)", bad);
	free(b);
	dm_data_free(&d, NULL);
}

static void
test_large(void)
{
	size_t		n = 1000000,
				i;
	dm_data		d;
	dm_model   *m;
	ana_rng		r;
	double		t0,
				t1,
				t2;
	synth		s;
	int			rc = 0;

	ana_rng_seed(&r, 33);
	dm_data_init(&d);
	t0 = tap_now();
	for (i = 0; i < n && !rc; i++)
	{
		dm_obs		o;

		gen(&s, &r, 0.3);
		o = obs_of(&s);
		rc = dm_data_add(&d, &o, NULL);
	}
	t1 = tap_now();
	rc = rc ? rc : dm_fit(&d, NULL, NULL, &m);
	t2 = tap_now();
	TAP_RC(rc, ANA_OK, "10^6 rows accumulated and fitted");
	if (!rc)
	{
		TAP_NEAR(m->b_logest, 0.85, 0.01, "10^6 rows: elasticity 0.85 recovered");
		dm_model_free(m, NULL);
	}
	printf("# 10^6 rows: accumulate %.2f s, fit %.2f s (timings: printed, not asserted)\n", t1 - t0, t2 - t1);
	dm_data_free(&d, NULL);
}

int
main(void)
{
	test_planted();
	test_edges();
	test_large();
	return tap_done();
}
