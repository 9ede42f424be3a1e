/*
 * pg_ana_glue.h
 *		Glue helpers shared by the SQL entry points of the analytics cores
 *		(pg_robust.c, pg_iforest.c, pg_kmeans.c, pg_duration_model.c):
 *		palloc-backed allocator, core status -> ERROR, argument checks, the
 *		row buffer of iforest_fit and kmeans, jsonb options, the model cache.
 *
 * Copyright (C) 2026 the doliflow authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef PG_ANA_GLUE_H
#define PG_ANA_GLUE_H

#include "postgres.h"

#include "fmgr.h"
#include "utils/array.h"
#include "utils/jsonb.h"

#include "ana_common.h"
#include "robust.h"

#define ROWS_MAGIC_OPTS 8		/* int64 option slots carried with the rows */

typedef struct RowsAgg
{
	int32		d;				/* 0 until the first row */
	int64		opt[ROWS_MAGIC_OPTS];	/* aggregate-specific options */
	bool		opt_set;
	robust_state v;				/* n*d values, row-major (reuses the robust buffer) */
	ana_alloc	al;
} RowsAgg;

/* which core cached_model() deserializes */
enum
{
	ANA_MODEL_IFOREST = 0, ANA_MODEL_KMEANS = 1, ANA_MODEL_DURATION = 2
};

extern ana_alloc alloc_in(MemoryContext cxt);
extern void tick_interrupts(void *arg);
extern void ana_check(int rc, const char *what);
extern MemoryContext agg_context(FunctionCallInfo fcinfo, const char *fname);
extern const double *float8_array(ArrayType *a, int *n, const char *what);
extern void reject_nonfinite(const double *x, int n, const char *what);

extern RowsAgg *rows_new(MemoryContext cxt);
extern void rows_add(RowsAgg *s, ArrayType *arr, const char *fname);
extern void rows_set_opts(RowsAgg *s, const int64 *opt, const char *fname);
extern RowsAgg *rows_combine(MemoryContext cxt, RowsAgg *a, RowsAgg *b, const char *fname);
extern bytea *rows_serialize(RowsAgg *s, const char *fname);
extern RowsAgg *rows_deserialize(MemoryContext cxt, bytea *b, const char *fname);

extern int64 jsonb_int_option(Jsonb *j, const char *key, int64 dflt, int64 lo, int64 hi,
							  const char *fname);
extern void *cached_model(FunctionCallInfo fcinfo, bytea *b, int kind, const char *fname);

#endif							/* PG_ANA_GLUE_H */
