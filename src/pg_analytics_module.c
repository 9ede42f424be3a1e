/*
 * pg_analytics_module.c
 *		Module entry point of the doliflow_analytics library.
 *
 * Copyright (C) 2026 the doliflow authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "postgres.h"

#include "fmgr.h"

#include <gsl/gsl_errno.h>

PG_MODULE_MAGIC;

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
