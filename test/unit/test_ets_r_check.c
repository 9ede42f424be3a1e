/*
 * ets_r_check.c - external check of the ETS core against R's forecast::ets.
 *
 * Copyright (C) doliflow contributors.  GPL-3.0-or-later.
 *
 * The reference figures come from R (forecast package) via the JSON files
 * Debian's python3-statsmodels ships (tsa/tests/results/fit_ets_results_*.json);
 * gen_ets_r_data.py turns them into ets_r_data.h.  For each of the 19 models
 * R fitted (austourists, quarterly; oildata, annual) we plug R's parameters
 * and initial states in and compare fitted values, residuals, final states,
 * log-likelihood, sigma^2 and the 4 point forecasts (statsmodels' own test
 * uses rtol 1e-5 / atol 1e-5 for fitted values and loglik, 1e-3 / 1e-4 for
 * forecasts).  Then our own maximum-likelihood fit of the same model must
 * reach a log-likelihood at least R's minus 0.5 (a worse optimum would show).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../src/ets.h"
#include "ets_r_data.h"

static int	test_no = 0,
			failures = 0;

static void
ok(int cond, const char *fmt, const char *name, double detail)
{
	test_no++;
	if (!cond)
		failures++;
	printf("%sok %d - ", cond ? "" : "not ", test_no);
	printf(fmt, name, detail);
	printf("\n");
}

/* numpy's allclose criterion: max_i |a-b| / (atol + rtol |b|), <= 1 passes */
static double
allclose_ratio(const double *a, const double *b, int n, double rtol, double atol)
{
	double		worst = 0.0;
	int			i;

	for (i = 0; i < n; i++)
	{
		double		d = fabs(a[i] - b[i]) / (atol + rtol * fabs(b[i]));

		if (d > worst || isnan(d))
			worst = isnan(d) ? INFINITY : d;
	}
	return worst;
}

int
main(void)
{
	int			c;
	double		fitted[128],
				resid[128],
				fc[8];

	printf("1..%d\n", N_R_CASES * 8);
	for (c = 0; c < N_R_CASES; c++)
	{
		const RCase *r = &R_CASES[c];
		EtsModel	mod,
					fit;
		int			rc,
					ns,
					i;
		double		d;

		memset(&mod, 0, sizeof(mod));
		mod.error = r->error;
		mod.trend = r->trend;
		mod.season = r->season;
		mod.damped = r->damped;
		mod.m = r->m;
		mod.alpha = r->alpha;
		mod.beta = r->beta;
		mod.gamma = r->gamma;
		mod.phi = r->damped ? r->phi : 1.0;
		for (i = 0; i < r->ninit; i++)
			mod.x0[i] = r->init[i];
		ns = r->ninit;
		rc = ets_filter(&mod, r->y, r->n, fitted, resid);
		ok(rc == ETS_OK, "%s: filter with R's parameters runs (rc %g)", r->name, rc);
		d = allclose_ratio(fitted, r->fitted, r->n, 1e-5, 1e-5);
		ok(d <= 1, "%s: fitted values match R (rtol=atol=1e-5; worst ratio %.3f)", r->name, d);
		d = allclose_ratio(resid, r->resid, r->n, 1e-5, 1e-5);
		ok(d <= 1, "%s: residuals match R (rtol=atol=1e-5; worst ratio %.3f)", r->name, d);
		d = allclose_ratio(mod.x, r->final, ns, 1e-5, 1e-5);
		ok(d <= 1, "%s: final state matches R (rtol=atol=1e-5; worst ratio %.3f)", r->name, d);
		d = fabs(mod.loglik - r->loglik);
		ok(d < 1e-5 * (1 + fabs(r->loglik)), "%s: log-likelihood matches R (abs diff %.2e)", r->name, d);
		d = fabs(mod.sigma2 - r->sigma2) / r->sigma2;
		ok(d < 1e-5, "%s: sigma2 matches R (rel diff %.2e)", r->name, d);
		rc = ets_forecast(&mod, r->h, 0.95, fc, NULL, NULL);
		d = rc == ETS_OK ? allclose_ratio(fc, r->fcast, r->h, 1e-3, 1e-4) : INFINITY;
		ok(d <= 1, "%s: 4 point forecasts match R (rtol 1e-3, atol 1e-4; worst ratio %.3f)", r->name, d);

		memset(&fit, 0, sizeof(fit));
		fit.error = r->error;
		fit.trend = r->trend;
		fit.season = r->season;
		fit.damped = r->damped;
		fit.m = r->m;
		rc = ets_fit(&fit, r->y, r->n, NULL, NULL);
		d = rc == ETS_OK ? fit.loglik - r->loglik : -INFINITY;
		ok(d > -0.5, "%s: our ML fit reaches R's log-likelihood (ours - R's = %+.3f)", r->name, d);
	}
	return failures ? 1 : 0;
}
