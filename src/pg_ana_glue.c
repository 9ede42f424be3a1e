/*
 * pg_ana_glue.c
 *		Glue helpers shared by the analytics entry points (see pg_ana_glue.h).
 *
 * Aggregates keep their transition state in the aggregate memory context and
 * have combine / serial / deserial functions (PARALLEL SAFE); the cores
 * allocate through the palloc-backed allocator of pg_ana_glue.c, so an ERROR
 * or a query cancel never leaks.
 *
 * Copyright (C) 2026 the doliflow authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "duration_model.h"
#include "iforest.h"
#include "kmeans.h"
#include "pg_ana_glue.h"

/* ---------- shared helpers ---------- */

static void *
pg_ana_alloc(void *ctx, size_t size)
{
	return MemoryContextAllocExtended((MemoryContext) ctx, size,
									  MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
}

static void *
pg_ana_realloc(void *ctx, void *ptr, size_t size)
{
	(void) ctx;
	if (ptr == NULL)
		return MemoryContextAllocExtended((MemoryContext) ctx, size,
										  MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
	return repalloc_huge(ptr, size);
}

static void
pg_ana_free(void *ctx, void *ptr)
{
	(void) ctx;
	pfree(ptr);
}

ana_alloc
alloc_in(MemoryContext cxt)
{
	ana_alloc	a;

	a.alloc = pg_ana_alloc;
	a.realloc = pg_ana_realloc;
	a.free = pg_ana_free;
	a.ctx = cxt;
	return a;
}

void
tick_interrupts(void *arg)
{
	(void) arg;
	CHECK_FOR_INTERRUPTS();
}

/* Turn a core status into an ERROR a user understands. */
void
ana_check(int rc, const char *what)
{
	int			code;

	if (rc == ANA_OK)
		return;
	switch (rc)
	{
		case ANA_ENOMEM:
			code = ERRCODE_OUT_OF_MEMORY;
			break;
		case ANA_EFORMAT:
		case ANA_ETRUNCATED:
		case ANA_EVERSION:
		case ANA_ECHECKSUM:
			code = ERRCODE_DATA_CORRUPTED;
			break;
		case ANA_ERANGE:
		case ANA_EOVERFLOW:
			code = ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;
			break;
		case ANA_EMISMATCH:
			code = ERRCODE_ARRAY_SUBSCRIPT_ERROR;
			break;
		case ANA_ENUMERIC:
			code = ERRCODE_DATA_EXCEPTION;
			break;
		default:
			code = ERRCODE_INVALID_PARAMETER_VALUE;
	}
	ereport(ERROR,
			(errcode(code),
			 errmsg("%s: %s", what, ana_strerror(rc))));
}

MemoryContext
agg_context(FunctionCallInfo fcinfo, const char *fname)
{
	MemoryContext aggcxt;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s called in non-aggregate context", fname)));
	return aggcxt;
}

/* 1-D float8[] without NULLs -> pointer to its values, *n elements */
const double *
float8_array(ArrayType *a, int *n, const char *what)
{
	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s: the feature array must be one-dimensional", what)));
	if (ARR_HASNULL(a) && array_contains_nulls(a))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s: the feature array must not contain NULL elements", what)));
	if (ARR_ELEMTYPE(a) != FLOAT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s: the feature array must be float8[]", what)));
	*n = ARR_NDIM(a) == 0 ? 0 : ARR_DIMS(a)[0];
	return (const double *) ARR_DATA_PTR(a);
}

void
reject_nonfinite(const double *x, int n, const char *what)
{
	int			i;

	for (i = 0; i < n; i++)
		if (!isfinite(x[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: the feature array contains NaN or infinity", what),
					 errhint("Filter such rows out, or replace them with NULL to skip the row.")));
}

/* ====================================================================== */
/* row buffers shared by iforest_fit and kmeans: rows of d doubles + opts   */
/* ====================================================================== */


RowsAgg *
rows_new(MemoryContext cxt)
{
	RowsAgg    *s = MemoryContextAllocZero(cxt, sizeof(RowsAgg));

	robust_state_init(&s->v);
	s->al = alloc_in(cxt);
	return s;
}

void
rows_add(RowsAgg *s, ArrayType *arr, const char *fname)
{
	int			n,
				i;
	const double *x = float8_array(arr, &n, fname);

	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s: the feature array is empty", fname)));
	if (n > IFOREST_MAX_DIM)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: at most %d features are supported, got %d", fname, IFOREST_MAX_DIM, n)));
	if (s->d == 0)
		s->d = n;
	else if (s->d != n)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s: every feature array must have the same length (%d, then %d)", fname, s->d, n)));
	reject_nonfinite(x, n, fname);
	for (i = 0; i < n; i++)
		ana_check(robust_state_add(&s->v, x[i], &s->al), fname);
}

void
rows_set_opts(RowsAgg *s, const int64 *opt, const char *fname)
{
	int			i;

	if (!s->opt_set)
	{
		memcpy(s->opt, opt, sizeof s->opt);
		s->opt_set = true;
		return;
	}
	for (i = 0; i < ROWS_MAGIC_OPTS; i++)
		if (s->opt[i] != opt[i])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: the options must be the same for every row of a group", fname)));
}

RowsAgg *
rows_combine(MemoryContext cxt, RowsAgg *a, RowsAgg *b, const char *fname)
{
	if (b == NULL || (b->d == 0 && !b->opt_set))
		return a;
	if (a == NULL)
		a = rows_new(cxt);
	if (b->opt_set)
		rows_set_opts(a, b->opt, fname);
	if (b->d != 0)
	{
		if (a->d == 0)
			a->d = b->d;
		else if (a->d != b->d)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("%s: every feature array must have the same length (%d, then %d)", fname, a->d, b->d)));
		ana_check(robust_state_merge(&a->v, &b->v, &a->al), fname);
	}
	return a;
}

/* bytea: int32 d | u8 opt_set | 8 x int64 options | robust_state bytes (checksummed) */
bytea *
rows_serialize(RowsAgg *s, const char *fname)
{
	size_t		sz,
				w,
				head = 4 + 1 + 8 * ROWS_MAGIC_OPTS;
	bytea	   *out;
	char	   *p;

	ana_check(robust_state_serialized_size(&s->v, &sz), fname);
	out = (bytea *) palloc_extended(VARHDRSZ + head + sz, MCXT_ALLOC_HUGE);
	p = VARDATA(out);
	memcpy(p, &s->d, 4);
	p[4] = s->opt_set ? 1 : 0;
	memcpy(p + 5, s->opt, 8 * ROWS_MAGIC_OPTS);
	ana_check(robust_state_serialize(&s->v, (unsigned char *) p + head, sz, &w), fname);
	SET_VARSIZE(out, VARHDRSZ + head + w);
	return out;
}

RowsAgg *
rows_deserialize(MemoryContext cxt, bytea *b, const char *fname)
{
	RowsAgg    *s = rows_new(cxt);
	const char *p = VARDATA_ANY(b);
	size_t		len = VARSIZE_ANY_EXHDR(b),
				head = 4 + 1 + 8 * ROWS_MAGIC_OPTS;

	if (len < head)
		ana_check(ANA_ETRUNCATED, fname);
	memcpy(&s->d, p, 4);
	if (p[4] != 0 && p[4] != 1)
		ana_check(ANA_EFORMAT, fname);
	s->opt_set = p[4] == 1;
	memcpy(s->opt, p + 5, 8 * ROWS_MAGIC_OPTS);
	ana_check(robust_state_deserialize(&s->v, (const unsigned char *) p + head, len - head, &s->al),
			  fname);
	if (s->d < 0 || s->d > IFOREST_MAX_DIM || (s->d == 0 && s->v.n != 0) ||
		(s->d > 0 && s->v.n % (size_t) s->d != 0))
		ana_check(ANA_EFORMAT, fname);
	return s;
}

int64
jsonb_int_option(Jsonb *j, const char *key, int64 dflt, int64 lo, int64 hi, const char *fname)
{
	JsonbValue	k,
			   *v;

	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = strlen(key);
	v = findJsonbValueFromContainer(&j->root, JB_FOBJECT, &k);
	if (v == NULL || v->type == jbvNull)
		return dflt;
	if (v->type != jbvNumeric)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: option \"%s\" must be a number", fname, key)));
	{
		int64		r = DatumGetInt64(DirectFunctionCall1(numeric_int8,
														  NumericGetDatum(v->val.numeric)));

		if (r < lo || r > hi)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: option \"%s\" must be between " INT64_FORMAT " and " INT64_FORMAT,
							fname, key, lo, hi)));
		return r;
	}
}

PG_FUNCTION_INFO_V1(doliflow_rows_combine);
Datum
doliflow_rows_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = agg_context(fcinfo, "doliflow row aggregate");

	PG_RETURN_POINTER(rows_combine(cxt,
								   PG_ARGISNULL(0) ? NULL : (RowsAgg *) PG_GETARG_POINTER(0),
								   PG_ARGISNULL(1) ? NULL : (RowsAgg *) PG_GETARG_POINTER(1),
								   "doliflow row aggregate"));
}

PG_FUNCTION_INFO_V1(doliflow_rows_serial);
Datum
doliflow_rows_serial(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(rows_serialize((RowsAgg *) PG_GETARG_POINTER(0), "doliflow row aggregate"));
}

PG_FUNCTION_INFO_V1(doliflow_rows_deserial);
Datum
doliflow_rows_deserial(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = agg_context(fcinfo, "doliflow row aggregate");

	PG_RETURN_POINTER(rows_deserialize(cxt, PG_GETARG_BYTEA_PP(0), "doliflow row aggregate state"));
}

/* deserialized models are cached per call site (fn_extra), keyed by their bytes */
typedef struct ModelCache
{
	size_t		len;
	char	   *bytes;
	void	   *model;
} ModelCache;


void *
cached_model(FunctionCallInfo fcinfo, bytea *b, int kind, const char *fname)
{
	ModelCache *c = (ModelCache *) fcinfo->flinfo->fn_extra;
	size_t		len = VARSIZE_ANY_EXHDR(b);
	const unsigned char *p = (const unsigned char *) VARDATA_ANY(b);
	MemoryContext old;
	ana_alloc	al;
	void	   *m = NULL;
	int			rc;

	if (c && c->len == len && memcmp(c->bytes, p, len) == 0)
		return c->model;
	al = alloc_in(fcinfo->flinfo->fn_mcxt);
	if (kind == ANA_MODEL_IFOREST)
		rc = iforest_deserialize(p, len, &al, (iforest **) &m);
	else if (kind == ANA_MODEL_KMEANS)
		rc = kmeans_model_deserialize(p, len, &al, (kmeans_model **) &m);
	else
		rc = dm_model_deserialize(p, len, &al, (dm_model **) &m);
	ana_check(rc, fname);
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	if (c == NULL)
		c = palloc0(sizeof(ModelCache));
	else
	{
		/* the previous model stays allocated in fn_mcxt until the query ends */
		pfree(c->bytes);
	}
	c->bytes = palloc_extended(len ? len : 1, MCXT_ALLOC_HUGE);
	memcpy(c->bytes, p, len);
	c->len = len;
	c->model = m;
	fcinfo->flinfo->fn_extra = c;
	MemoryContextSwitchTo(old);
	return m;
}
