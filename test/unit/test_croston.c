/*
 * test_croston.c - unit tests of Croston / SBA / TSB.  Reference values from
 * R 4.2 forecast 8.20 (croston(x, h = 1)$mean; SBA = Croston x (1 - alpha/2))
 * and hand computation.
 * Copyright (C) doliflow contributors.  GPL-3.0-or-later.
 */
#include <math.h>
#include <string.h>

#include "croston.h"
#include "tap.h"

int
main(void)
{
	CrostonModel m;
	double		x[] = {0, 0, 3, 0, 0, 0, 5, 0, 2, 0, 0, 4};
	double		z[] = {0, 0, 0, 2, 0, 2, 3, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 4, 0, 6, 3, 0, 0, 0, 0, 0, 0, 0, 2, 0,
	0, 0, 0, 0, 4, 0, 3, 0, 0, 0, 4, 0, 2, 0, 0, 2, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0};
	double		f[5],
				lo[5],
				hi[5],
				fit[12];
	int			rc;

	rc = croston_fit(x, 12, CR_CROSTON, 0.1, 0, &m, fit);
	ok(rc == CR_OK && near(m.fc, 1.06051487796724, 1e-13), "Croston alpha .1 = R's 1.06051487796724 (got %.15g)", m.fc);
	ok(near(m.z, 3.172, 1e-12) && near(m.p, 2.991, 1e-12), "hand: size 3.172, interval 2.991");
	ok(fit[0] == 0 && fit[2] == 0 && near(fit[3], 1.0, 1e-12) && near(fit[7], 3.2 / 3.1, 1e-12),
	   "one-step fitted values (0 before the first demand, then z/p)");
	croston_fit(x, 12, CR_CROSTON, 0.3, 0, &m, NULL);
	ok(near(m.fc, 1.15219611848825, 1e-13), "Croston alpha .3 = R's 1.15219611848825");
	croston_fit(z, 60, CR_CROSTON, 0.1, 0, &m, NULL);
	ok(near(m.fc, 0.74800372880516, 1e-13), "60-point series = R's 0.74800372880516");
	croston_fit(z, 60, CR_SBA, 0.1, 0, &m, NULL);
	ok(near(m.fc, 0.74800372880516 * 0.95, 1e-13), "SBA = Croston x (1 - 0.1/2)");

	/* TSB hand-computed: y = 1,0,0,1, alpha = beta = .5, d0 = .5, z0 = 1 */
	{
		double		y[] = {1, 0, 0, 1};

		croston_fit(y, 4, CR_TSB, 0.5, 0.5, &m, NULL);
		ok(near(m.p, 0.59375, 1e-14) && near(m.fc, 0.59375, 1e-14), "TSB d: .75 .375 .1875 .59375");
	}
	/* optimised */
	rc = croston_fit(z, 60, CR_SBA, 0, 0, &m, NULL);
	ok(rc == CR_OK && m.alpha >= 0.02 && m.alpha <= 0.5, "optimised alpha in [0.02, 0.5] (%g)", m.alpha);
	{
		CrostonModel m2;
		double		mse_opt = m.mse;

		croston_fit(z, 60, CR_SBA, 0.1, 0, &m2, NULL);
		ok(mse_opt <= m2.mse + 1e-12, "optimised MSE <= MSE at alpha .1");
	}
	rc = croston_fit(z, 60, CR_TSB, 0, 0, &m, NULL);
	ok(rc == CR_OK && m.alpha > 0 && m.beta > 0, "TSB optimises alpha and beta (%g, %g)", m.alpha, m.beta);

	/* intervals: mixture of 0 and sizes */
	croston_fit(x, 12, CR_CROSTON, 0.1, 0, &m, NULL);
	croston_forecast(&m, 5, 0.95, f, lo, hi);
	ok(f[0] == m.fc && f[4] == m.fc, "flat forecast");
	ok(lo[0] == 0 && hi[0] >= f[0], "95%% bounds: 0 and a size (hi %g)", hi[0]);
	/* q = 1/2.991: upper level .975 -> size quantile (.975 - (1 - q)) / q */
	{
		double		q = 1 / 2.991,
					r = (0.975 - (1 - q)) / q;
		/* sizes / mean 3.5: 2,3,4,5 -> sorted ratios */
		double		s[] = {2 / 3.5, 3 / 3.5, 4 / 3.5, 5 / 3.5};
		double		p20 = r * 3;
		int			j = (int) p20;
		double		expect = 3.172 * (s[j] + (p20 - j) * (s[j + 1] - s[j]));

		/* the model keeps 21 interpolated quantiles, so a small tolerance */
		ok(near(hi[0], expect, 0.02), "upper bound = mixture quantile (%g vs %g)", hi[0], expect);
	}
	/* edge cases */
	{
		double		zero[] = {0, 0, 0, 0, 0};
		double		one[] = {0, 0, 4, 0};
		double		neg[] = {0, -3, 2, 0, -1, 4};
		double		bad[] = {0, NAN, 2};

		rc = croston_fit(zero, 5, CR_SBA, 0.1, 0, &m, NULL);
		croston_forecast(&m, 3, 0.9, f, lo, hi);
		ok(rc == CR_OK && f[0] == 0 && lo[0] == 0 && hi[0] == 0, "all zero -> 0, bounds 0");
		croston_fit(one, 4, CR_CROSTON, 0.1, 0, &m, NULL);
		ok(near(m.fc, 4.0 / 3, 1e-14), "one demand: size / interval like R (4/3)");
		croston_fit(neg, 6, CR_CROSTON, 0.1, 0, &m, NULL);
		croston_forecast(&m, 3, 0.9, f, lo, hi);
		ok(m.n_demand == 2 && f[0] >= 0 && lo[0] >= 0, "negatives are no demand; forecast >= 0");
		ok(croston_fit(bad, 3, CR_TSB, 0.1, 0, &m, NULL) == CR_ENONFINITE, "NaN rejected");
		ok(croston_fit(x, 0, CR_TSB, 0.1, 0, &m, NULL) == CR_ETOOSHORT, "n = 0 too short");
		ok(croston_fit(x, 12, 7, 0.1, 0, &m, NULL) == CR_EINVAL, "unknown method rejected");
		ok(croston_fit(x, 12, CR_SBA, NAN, 0, &m, NULL) == CR_EINVAL, "NaN alpha rejected");
		rc = croston_fit(x, 1, CR_SBA, 0.1, 0, &m, NULL);
		ok(rc == CR_OK && m.fc == 0, "n = 1 with no demand -> 0");
		croston_fit(x, 12, CR_SBA, 0.1, 0, &m, NULL);
		m.sizeq[3] = NAN;
		ok(croston_model_validate(&m) == CR_EINVAL && croston_forecast(&m, 1, .9, f, 0, 0) == CR_EINVAL,
		   "corrupted model rejected");
	}
	/*
	 * TSB grid search against a brute force written here: 169 passes of the
	 * plain recurrence, the least MSE first in (alpha, beta) order.
	 */
	{
		static double ys[400];
		unsigned int seed = 12345u;
		int			bad = 0,
					s;

		for (s = 0; s < 300; s++)
		{
			int			n = 1 + s % 397,
						k = 0,
						t;
			double		msize = 0.0,
						best = HUGE_VAL,
						ba = 0.0,
						bb = 0.0,
						a,
						b;

			for (t = 0; t < n; t++)
			{
				seed = seed * 1103515245u + 12345u;
				ys[t] = ((seed >> 16) % 100) < (unsigned int) (5 + s % 60) ? 1 + (seed >> 8) % 7 : 0.0;
				if (ys[t] > 0)
				{
					k++;
					msize += ys[t];
				}
			}
			if (k > 0)
				msize /= k;
			for (a = 0.02; a <= 0.5001; a += 0.04)
				for (b = 0.02; b <= 0.5001; b += 0.04)
				{
					double		d = (double) k / n,
								zz = msize,
								sse = 0.0;

					for (t = 0; t < n; t++)
					{
						double		fc = d * zz;

						sse += (ys[t] - fc) * (ys[t] - fc);
						if (ys[t] > 0)
						{
							d += b * (1.0 - d);
							zz += a * (ys[t] - zz);
						}
						else
							d -= b * d;
					}
					if (sse / n < best)
					{
						best = sse / n;
						ba = a;
						bb = b;
					}
				}
			if (croston_fit(ys, n, CR_TSB, 0, 0, &m, NULL) != CR_OK ||
				m.alpha != ba || m.beta != bb || m.mse != best)
				bad++;
		}
		ok(bad == 0, "TSB grid search = brute force over the 13 x 13 grid on 300 series (%d differ)", bad);
	}
	/* determinism */
	{
		CrostonModel a,
					b;

		croston_fit(z, 60, CR_TSB, 0, 0, &a, NULL);
		croston_fit(z, 60, CR_TSB, 0, 0, &b, NULL);
		ok(memcmp(&a, &b, sizeof(a)) == 0, "deterministic fit");
	}
	return tap_done();
}
