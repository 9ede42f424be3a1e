/*
 * doliflow.c
 *		Module entry point and the small C functions every area shares.
 *
 * Copyright (C) 2026 the doliflow authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/jsonb.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_version.h>

PG_MODULE_MAGIC;

#ifndef DOLIFLOW_VERSION
#error "DOLIFLOW_VERSION must come from the Makefile"
#endif

void		_PG_init(void);

void
_PG_init(void)
{
	/*
	 * GSL's default error handler calls abort(), which would take the whole
	 * server down; every core checks GSL's return codes instead.
	 */
	gsl_set_error_handler_off();
}

PG_FUNCTION_INFO_V1(doliflow_build_info);
Datum
doliflow_build_info(PG_FUNCTION_ARGS)
{
	char	   *json;

	json = psprintf("{\"doliflow\": \"%s\", \"gsl_compiled\": \"%s\", "
					"\"gsl_runtime\": \"%s\", \"postgresql\": \"%s\"}",
					DOLIFLOW_VERSION, GSL_VERSION, gsl_version, PG_VERSION);
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(json)));
}

PG_FUNCTION_INFO_V1(doliflow_normal_quantile);
Datum
doliflow_normal_quantile(PG_FUNCTION_ARGS)
{
	float8		p = PG_GETARG_FLOAT8(0);

	if (isnan(p) || !(p > 0.0 && p < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("probability must be strictly between 0 and 1, got %s",
						float8out_internal(p))));
	PG_RETURN_FLOAT8(gsl_cdf_ugaussian_Pinv(p));
}
