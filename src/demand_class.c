/*
 * demand_class.c - Syntetos-Boylan-Croston demand classification.
 *
 * Copyright (C) doliflow contributors.  GPL-3.0-or-later.
 * Definitions in demand_class.h.
 */
#include <math.h>
#include <stddef.h>

#include "demand_class.h"

int
demand_classify(const double *y, int n, int min_obs, DemandStats *out)
{
	int			i,
				k = 0,
				last = 0;
	int			allsame = 1;
	double		sum = 0.0,
				mean,
				ss = 0.0;

	if (out == NULL || n < 0 || (n > 0 && y == NULL))
		return DC_EINVAL;
	if (min_obs <= 0)
		min_obs = DC_MIN_OBS;

	out->n = n;
	out->n_nonzero = 0;
	out->adi = 0.0;
	out->cv2 = 0.0;
	out->mean_size = 0.0;
	out->p_demand = 0.0;
	out->cls = DC_SHORT;

	for (i = 0; i < n; i++)
	{
		if (!isfinite(y[i]))
			return DC_ENONFINITE;
		if (y[i] != 0.0)
		{
			k++;
			last = i + 1;
			sum += fabs(y[i]);
		}
		if (y[i] != y[0])
			allsame = 0;
	}
	if (n == 0)
		return DC_OK;

	out->n_nonzero = k;
	out->p_demand = (double) k / n;
	if (k > 0)
	{
		mean = sum / k;
		for (i = 0; i < n; i++)
			if (y[i] != 0.0)
			{
				double		d = fabs(y[i]) - mean;

				ss += d * d;
			}
		out->mean_size = mean;
		out->adi = (double) last / k;
		out->cv2 = (k >= 2 && mean > 0.0) ? (ss / k) / (mean * mean) : 0.0;
	}

	if (k == 0)
		out->cls = DC_ZERO;
	else if (n < min_obs || k < 2)
		out->cls = DC_SHORT;
	else if (allsame)
		out->cls = DC_CONSTANT;
	else if (out->adi < DC_ADI_CUT)
		out->cls = out->cv2 < DC_CV2_CUT ? DC_SMOOTH : DC_ERRATIC;
	else
		out->cls = out->cv2 < DC_CV2_CUT ? DC_INTERMITTENT : DC_LUMPY;
	return DC_OK;
}

const char *
demand_class_name(int cls)
{
	switch (cls)
	{
		case DC_SHORT:
			return "short";
		case DC_ZERO:
			return "zero";
		case DC_CONSTANT:
			return "constant";
		case DC_SMOOTH:
			return "smooth";
		case DC_ERRATIC:
			return "erratic";
		case DC_INTERMITTENT:
			return "intermittent";
		case DC_LUMPY:
			return "lumpy";
	}
	return "unknown";
}
