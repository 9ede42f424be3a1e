/*
 * tap.h - minimal TAP helpers shared by the forecasting unit tests.
 *
 * Copyright (C) doliflow contributors.  GPL-3.0-or-later.
 */
#ifndef DOLIFLOW_TAP_H
#define DOLIFLOW_TAP_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

static int	tap_n = 0,
			tap_fail = 0;

static void
ok(int cond, const char *fmt,...)
{
	va_list		ap;

	tap_n++;
	if (!cond)
		tap_fail++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static int
near(double a, double b, double tol)
{
	return fabs(a - b) <= tol * (1.0 + fabs(b));
}

static int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_fail ? 1 : 0;
}

#endif
