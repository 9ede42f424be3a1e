/*
 * test_demand_class.c - unit tests of the SBC demand classification.
 * Copyright (C) doliflow contributors.  GPL-3.0-or-later.
 */
#include <math.h>
#include <string.h>

#include "demand_class.h"
#include "tap.h"

int
main(void)
{
	DemandStats s;
	double		inter[] = {0, 0, 3, 0, 0, 0, 5, 0, 2, 0, 0, 4};
	double		smooth[] = {10, 11, 9, 10, 12, 10, 9, 11};
	double		erratic[] = {1, 50, 2, 40, 1, 60, 3, 45};
	double		lumpy[] = {0, 0, 1, 0, 0, 50, 0, 0, 2, 0, 0, 60};
	double		cons[] = {5, 5, 5, 5, 5};
	double		zero[] = {0, 0, 0, 0};
	double		one[] = {0, 0, 0, 0, 0, 7};
	double		bad[] = {1, 2, NAN, 3};
	double		inf[] = {1, INFINITY, 2, 3};
	double		neg[] = {2, -1, 3, 2, 2};

	ok(demand_classify(NULL, 3, 0, &s) == DC_EINVAL, "NULL series rejected");
	ok(demand_classify(smooth, -1, 0, &s) == DC_EINVAL, "negative n rejected");
	ok(demand_classify(smooth, 8, 0, NULL) == DC_EINVAL, "NULL output rejected");
	ok(demand_classify(NULL, 0, 0, &s) == DC_OK && s.cls == DC_SHORT, "n = 0 is short");
	ok(demand_classify(bad, 4, 0, &s) == DC_ENONFINITE, "NaN rejected");
	ok(demand_classify(inf, 4, 0, &s) == DC_ENONFINITE, "Inf rejected");

	/* hand-computed: demands at 3,7,9,12 -> ADI 12/4 = 3; sizes 3,5,2,4:
	 * mean 3.5, population variance 1.25 -> CV2 = 1.25/12.25 */
	demand_classify(inter, 12, 0, &s);
	ok(s.n_nonzero == 4 && near(s.adi, 3.0, 1e-12), "ADI = 3 (got %g)", s.adi);
	ok(near(s.cv2, 1.25 / 12.25, 1e-12), "CV2 = 0.10204 (got %g)", s.cv2);
	ok(s.cls == DC_INTERMITTENT, "class intermittent (got %s)", demand_class_name(s.cls));
	ok(near(s.p_demand, 4.0 / 12.0, 1e-12), "demand probability 1/3");

	demand_classify(smooth, 8, 0, &s);
	ok(s.cls == DC_SMOOTH && s.adi == 1.0, "smooth series (ADI 1, CV2 %g)", s.cv2);
	demand_classify(erratic, 8, 0, &s);
	ok(s.cls == DC_ERRATIC, "erratic series (CV2 %g >= 0.49)", s.cv2);
	demand_classify(lumpy, 12, 0, &s);
	ok(s.cls == DC_LUMPY, "lumpy series (ADI %g, CV2 %g)", s.adi, s.cv2);
	demand_classify(cons, 5, 0, &s);
	ok(s.cls == DC_CONSTANT, "constant series");
	demand_classify(zero, 4, 0, &s);
	ok(s.cls == DC_ZERO && s.adi == 0.0 && s.cv2 == 0.0, "all-zero series");
	demand_classify(one, 6, 0, &s);
	ok(s.cls == DC_SHORT, "a single demand is short");
	demand_classify(smooth, 3, 0, &s);
	ok(s.cls == DC_SHORT, "3 points are short (min 4)");
	demand_classify(smooth, 3, 2, &s);
	ok(s.cls != DC_SHORT, "min_obs 2 accepts 3 points");
	demand_classify(neg, 5, 0, &s);
	ok(s.n_nonzero == 5 && s.cls == DC_SMOOTH, "returns (negative) count as demand, |y| sizes");
	ok(strcmp(demand_class_name(DC_LUMPY), "lumpy") == 0 &&
	   strcmp(demand_class_name(99), "unknown") == 0, "class names");
	/* cut-off boundary: ADI exactly 1.32 is intermittent side */
	{
		double		y[33];
		int			i;

		/* 25 demands over 33 periods, last at 33 -> ADI 1.32 */
		for (i = 0; i < 33; i++)
			y[i] = (i % 4 == 1) ? 0 : 5 + (i % 3);
		demand_classify(y, 33, 0, &s);
		ok(s.n_nonzero == 25 && near(s.adi, 1.32, 1e-12) && s.cls == DC_INTERMITTENT,
		   "ADI = 1.32 falls on the intermittent side (ADI %g, %s)", s.adi, demand_class_name(s.cls));
	}
	return tap_done();
}
