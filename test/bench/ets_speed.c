/*
 * ets_speed.c - time the ETS automatic fit (ets_auto: every allowed model,
 * AICc choice) and the automatic choice fc_fit, default (fast tier for daily
 * data) and full tier (FC_TIER_FULL: ETS/Theta/Prophet/ensemble holdout), on
 * 3-year daily series (1,095 points, period 7), positive and with zeros;
 * prints ms per series.
 * Copyright (C) doliflow contributors.  GPL-3.0-or-later.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../../src/forecast.h"

static unsigned long long rs = 42;

static double
unif(void)
{
	rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
	return ((rs >> 11) + 0.5) / 9007199254740992.0;
}

static double
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
}

int
main(int argc, char **argv)
{
	int			reps = argc > 1 ? atoi(argv[1]) : 20;
	int			n = 1095,
				z,
				r,
				i;
	double		y[1095],
				w[7] = {1.2, 1.1, 1.0, 1.0, 1.1, 0.6, 0.4};

	printf("%-34s %10s %13s %13s\n", "series (1,095 days, m = 7)", "ets_auto", "fc_fit", "fc_fit full");
	for (z = 0; z < 2; z++)
	{
		double		te = 0,
					tf = 0,
					tu = 0;
		FcOptions	full;

		fc_default_options(&full);
		full.tier = FC_TIER_FULL;

		for (r = 0; r < reps; r++)
		{
			EtsModel	e;
			FcModel		m;
			double		t0;

			for (i = 0; i < n; i++)
			{
				double		g = sqrt(-2 * log(unif())) * cos(6.283185307179586 * unif());

				y[i] = (20 + 0.01 * i * (1 + r % 3)) * w[i % 7] * (1 + 0.2 * sin(6.283185307179586 * i / 365.25)) + 3 * g;
				y[i] = z ? (y[i] < 15 ? 0 : y[i]) : (y[i] < 0.5 ? 0.5 : y[i]);
			}
			t0 = now_ms();
			ets_auto(y, n, 7, NULL, &e, NULL);
			te += now_ms() - t0;
			t0 = now_ms();
			fc_fit(y, n, 7, NULL, &m);
			tf += now_ms() - t0;
			t0 = now_ms();
			fc_fit(y, n, 7, &full, &m);
			tu += now_ms() - t0;
		}
		printf("%-34s %8.2f ms %10.2f ms %10.2f ms\n", z ? "with zeros (6 additive models)" : "positive (15 models)",
			   te / reps, tf / reps, tu / reps);
	}
	return 0;
}
