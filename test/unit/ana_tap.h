/*
 * ana_tap.h - minimal TAP helpers for the analytics unit tests (header-only).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef DOLIFLOW_ANA_TAP_H
#define DOLIFLOW_ANA_TAP_H

#include <math.h>
#include <stdio.h>
#include <time.h>

static int	tap_n = 0;
static int	tap_failed = 0;

static int
tap_ok(int cond, const char *fmt_name)
{
	tap_n++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, fmt_name);
	fflush(stdout);
	return cond;
}

#define TAP_OK(cond, ...) do { \
	char tap_buf_[512]; \
	snprintf(tap_buf_, sizeof tap_buf_, __VA_ARGS__); \
	tap_ok((cond), tap_buf_); \
} while (0)

/* |a-b| <= tol, with the values in the message on failure */
#define TAP_NEAR(a, b, tol, ...) do { \
	double tap_a_ = (a), tap_b_ = (b); \
	char tap_buf_[512]; \
	int tap_c_ = fabs(tap_a_ - tap_b_) <= (tol); \
	snprintf(tap_buf_, sizeof tap_buf_, __VA_ARGS__); \
	if (!tap_ok(tap_c_, tap_buf_)) \
		printf("#   got %.17g, expected %.17g (tol %g)\n", tap_a_, tap_b_, (double) (tol)); \
} while (0)

#define TAP_RC(rc, expect, ...) do { \
	int tap_r_ = (rc), tap_e_ = (expect); \
	char tap_buf_[512]; \
	snprintf(tap_buf_, sizeof tap_buf_, __VA_ARGS__); \
	if (!tap_ok(tap_r_ == tap_e_, tap_buf_)) \
		printf("#   got status %d, expected %d\n", tap_r_, tap_e_); \
} while (0)

static double
tap_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

static int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	if (tap_failed)
		printf("# %d of %d failed\n", tap_failed, tap_n);
	return tap_failed ? 1 : 0;
}

#endif
