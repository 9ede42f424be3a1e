/*
 * pg_analytics.c
 *		SQL glue for the analytics cores: robust statistics, isolation forest,
 *		k-means and the intervention duration model (extension/50_analytics.sql).
 *
 * Every aggregate keeps its transition state in the aggregate memory context,
 * and has combine / serial / deserial functions so that it is PARALLEL SAFE;
 * the cores allocate through a palloc-backed allocator, so an ERROR (or a
 * query cancel from a tick callback) never leaks. Fitting sorts the rows into
 * a canonical order first, so serial and parallel plans give the same model.
 *
 * Copyright (C) 2026 the doliflow authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/base64.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "ana_common.h"
#include "duration_model.h"
#include "iforest.h"
#include "kmeans.h"
#include "robust.h"

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

static ana_alloc
alloc_in(MemoryContext cxt)
{
	ana_alloc	a;

	a.alloc = pg_ana_alloc;
	a.realloc = pg_ana_realloc;
	a.free = pg_ana_free;
	a.ctx = cxt;
	return a;
}

static void
tick_interrupts(void *arg)
{
	(void) arg;
	CHECK_FOR_INTERRUPTS();
}

/* Turn a core status into an ERROR a user understands. */
static void
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

static MemoryContext
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
static const double *
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

static void
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
/* robust statistics                                                       */
/* ====================================================================== */

typedef struct RobustAgg
{
	robust_state st;
	ana_alloc	al;
} RobustAgg;

static RobustAgg *
robust_agg_new(MemoryContext cxt)
{
	RobustAgg  *s = MemoryContextAllocZero(cxt, sizeof(RobustAgg));

	robust_state_init(&s->st);
	s->al = alloc_in(cxt);
	return s;
}

PG_FUNCTION_INFO_V1(doliflow_robust_trans);
Datum
doliflow_robust_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = agg_context(fcinfo, "doliflow.robust_stats");
	RobustAgg  *s = PG_ARGISNULL(0) ? NULL : (RobustAgg *) PG_GETARG_POINTER(0);
	double		x;

	if (s == NULL)
		s = robust_agg_new(cxt);
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(s);
	x = PG_GETARG_FLOAT8(1);
	if (!isfinite(x))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("doliflow.robust_stats: value %s is not finite", float8out_internal(x)),
				 errhint("Filter NaN and infinite values out; NULLs are skipped.")));
	ana_check(robust_state_add(&s->st, x, &s->al), "doliflow.robust_stats");
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(doliflow_robust_combine);
Datum
doliflow_robust_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = agg_context(fcinfo, "doliflow.robust_stats");
	RobustAgg  *a = PG_ARGISNULL(0) ? NULL : (RobustAgg *) PG_GETARG_POINTER(0);
	RobustAgg  *b = PG_ARGISNULL(1) ? NULL : (RobustAgg *) PG_GETARG_POINTER(1);

	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL)
		a = robust_agg_new(cxt);
	ana_check(robust_state_merge(&a->st, &b->st, &a->al), "doliflow.robust_stats");
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(doliflow_robust_serial);
Datum
doliflow_robust_serial(PG_FUNCTION_ARGS)
{
	RobustAgg  *s = (RobustAgg *) PG_GETARG_POINTER(0);
	size_t		sz,
				w;
	bytea	   *out;

	ana_check(robust_state_serialized_size(&s->st, &sz), "doliflow.robust_stats");
	out = (bytea *) palloc_extended(VARHDRSZ + sz, MCXT_ALLOC_HUGE);
	ana_check(robust_state_serialize(&s->st, (unsigned char *) VARDATA(out), sz, &w),
			  "doliflow.robust_stats");
	SET_VARSIZE(out, VARHDRSZ + w);
	PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(doliflow_robust_deserial);
Datum
doliflow_robust_deserial(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = agg_context(fcinfo, "doliflow.robust_stats");
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	RobustAgg  *s = robust_agg_new(cxt);

	ana_check(robust_state_deserialize(&s->st, (const unsigned char *) VARDATA_ANY(b),
									   VARSIZE_ANY_EXHDR(b), &s->al),
			  "doliflow.robust_stats state");
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(doliflow_robust_final);
Datum
doliflow_robust_final(PG_FUNCTION_ARGS)
{
	RobustAgg  *s = PG_ARGISNULL(0) ? NULL : (RobustAgg *) PG_GETARG_POINTER(0);
	robust_summary r;
	TupleDesc	td;
	Datum		v[10];
	bool		nulls[10] = {false};

	if (s == NULL || s->st.n == 0)
		PG_RETURN_NULL();
	ana_check(robust_state_summarize(&s->st, &r, &s->al), "doliflow.robust_stats");
	if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "doliflow.robust_stats: result type is not composite");
	td = BlessTupleDesc(td);
	v[0] = Int64GetDatum((int64) r.n);
	v[1] = Float8GetDatum(r.median);
	v[2] = Float8GetDatum(r.mad);
	v[3] = Float8GetDatum(r.q1);
	v[4] = Float8GetDatum(r.q3);
	v[5] = Float8GetDatum(r.meanad);
	v[6] = Float8GetDatum(r.min);
	v[7] = Float8GetDatum(r.max);
	v[8] = Float8GetDatum(r.scale);
	v[9] = CStringGetTextDatum(robust_scale_method_name(r.scale_method));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(td, v, nulls)));
}

/* doliflow._robust_z(median, scale, x) */
PG_FUNCTION_INFO_V1(doliflow_robust_z);
Datum
doliflow_robust_z(PG_FUNCTION_ARGS)
{
	robust_summary s;
	double		z;
	double		x = PG_GETARG_FLOAT8(2);

	memset(&s, 0, sizeof s);
	s.median = PG_GETARG_FLOAT8(0);
	s.scale = PG_GETARG_FLOAT8(1);
	if (!isfinite(x))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("doliflow.robust_z: value %s is not finite", float8out_internal(x))));
	if (!(s.scale > 0.0) || !isfinite(s.scale) || !isfinite(s.median))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("doliflow.robust_z: the summary needs a finite median and a positive scale")));
	ana_check(robust_z(&s, x, &z), "doliflow.robust_z");
	PG_RETURN_FLOAT8(z);
}

/* ====================================================================== */
/* row buffers shared by iforest_fit and kmeans: rows of d doubles + opts   */
/* ====================================================================== */

#define ROWS_MAGIC_OPTS 8		/* int64 option slots carried with the rows */

typedef struct RowsAgg
{
	int32		d;				/* 0 until the first row */
	int64		opt[ROWS_MAGIC_OPTS];	/* aggregate-specific options */
	bool		opt_set;
	robust_state v;				/* n*d values, row-major (reuses the robust buffer) */
	ana_alloc	al;
} RowsAgg;

static RowsAgg *
rows_new(MemoryContext cxt)
{
	RowsAgg    *s = MemoryContextAllocZero(cxt, sizeof(RowsAgg));

	robust_state_init(&s->v);
	s->al = alloc_in(cxt);
	return s;
}

static void
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

static void
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

static RowsAgg *
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
static bytea *
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

static RowsAgg *
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

/* ====================================================================== */
/* isolation forest                                                         */
/* ====================================================================== */

enum
{
	IF_OPT_TREES = 0, IF_OPT_SUBSAMPLE, IF_OPT_DEPTH, IF_OPT_SEED
};

static int64
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

PG_FUNCTION_INFO_V1(doliflow_iforest_trans);
Datum
doliflow_iforest_trans(PG_FUNCTION_ARGS)
{
	const char *fname = "doliflow.iforest_fit";
	MemoryContext cxt = agg_context(fcinfo, fname);
	RowsAgg    *s = PG_ARGISNULL(0) ? NULL : (RowsAgg *) PG_GETARG_POINTER(0);
	int64		opt[ROWS_MAGIC_OPTS] = {0};

	if (s == NULL)
		s = rows_new(cxt);
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(s);
	opt[IF_OPT_TREES] = 100;
	opt[IF_OPT_SUBSAMPLE] = 256;
	opt[IF_OPT_DEPTH] = 0;
	opt[IF_OPT_SEED] = 42;
	if (PG_NARGS() > 2 && !PG_ARGISNULL(2))
	{
		Jsonb	   *j = PG_GETARG_JSONB_P(2);

		if (!JB_ROOT_IS_OBJECT(j))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: options must be a JSON object", fname)));
		opt[IF_OPT_TREES] = jsonb_int_option(j, "n_trees", 100, 1, IFOREST_MAX_TREES, fname);
		opt[IF_OPT_SUBSAMPLE] = jsonb_int_option(j, "subsample", 256, 2, IFOREST_MAX_SUBSAMPLE, fname);
		opt[IF_OPT_DEPTH] = jsonb_int_option(j, "max_depth", 0, 0, IFOREST_MAX_DEPTH, fname);
		opt[IF_OPT_SEED] = jsonb_int_option(j, "seed", 42, PG_INT64_MIN, PG_INT64_MAX, fname);
	}
	rows_set_opts(s, opt, fname);
	rows_add(s, PG_GETARG_ARRAYTYPE_P(1), fname);
	PG_RETURN_POINTER(s);
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

PG_FUNCTION_INFO_V1(doliflow_iforest_final);
Datum
doliflow_iforest_final(PG_FUNCTION_ARGS)
{
	const char *fname = "doliflow.iforest_fit";
	RowsAgg    *s = PG_ARGISNULL(0) ? NULL : (RowsAgg *) PG_GETARG_POINTER(0);
	iforest_params p;
	iforest    *f;
	ana_alloc	al = alloc_in(CurrentMemoryContext);
	size_t		n,
				sz,
				w;
	bytea	   *out;

	if (s == NULL || s->d == 0 || s->v.n == 0)
		PG_RETURN_NULL();
	n = s->v.n / (size_t) s->d;
	/* canonical row order: the forest does not depend on the plan's row order */
	ana_check(ana_sort_rows(s->v.v, n, (size_t) s->d, &al), fname);
	iforest_params_default(&p);
	p.n_trees = (uint32_t) s->opt[IF_OPT_TREES];
	p.subsample = (uint32_t) s->opt[IF_OPT_SUBSAMPLE];
	p.max_depth = (uint32_t) s->opt[IF_OPT_DEPTH];
	p.seed = (uint64_t) s->opt[IF_OPT_SEED];
	p.tick = tick_interrupts;
	ana_check(iforest_fit(s->v.v, n, (size_t) s->d, &p, &al, &f), fname);
	ana_check(iforest_serialized_size(f, &sz), fname);
	out = (bytea *) palloc_extended(VARHDRSZ + sz, MCXT_ALLOC_HUGE);
	ana_check(iforest_serialize(f, (unsigned char *) VARDATA(out), sz, &w), fname);
	SET_VARSIZE(out, VARHDRSZ + w);
	iforest_free(f, &al);
	PG_RETURN_BYTEA_P(out);
}

/* deserialized models are cached per call site (fn_extra), keyed by their bytes */
typedef struct ModelCache
{
	size_t		len;
	char	   *bytes;
	void	   *model;
} ModelCache;

static void *
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
	if (kind == 0)
		rc = iforest_deserialize(p, len, &al, (iforest **) &m);
	else if (kind == 1)
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

PG_FUNCTION_INFO_V1(doliflow_iforest_score);
Datum
doliflow_iforest_score(PG_FUNCTION_ARGS)
{
	const char *fname = "doliflow.iforest_score";
	iforest    *f = cached_model(fcinfo, PG_GETARG_BYTEA_PP(0), 0, fname);
	int			n;
	const double *x = float8_array(PG_GETARG_ARRAYTYPE_P(1), &n, fname);
	double		s;

	reject_nonfinite(x, n, fname);
	if ((uint32) n != f->d)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s: the model has %u features, the point has %d", fname, f->d, n)));
	ana_check(iforest_score(f, x, (size_t) n, &s), fname);
	PG_RETURN_FLOAT8(s);
}

/*
 * iforest_summary(model) -> jsonb: the forest's shape (trees, subsample actually used,
 * depth limit, features, training rows, nodes, seed), so that a stored model can be
 * told apart without scoring points through it.
 */
PG_FUNCTION_INFO_V1(doliflow_iforest_summary);
Datum
doliflow_iforest_summary(PG_FUNCTION_ARGS)
{
	const char *fname = "doliflow.iforest_summary";
	iforest    *f = cached_model(fcinfo, PG_GETARG_BYTEA_PP(0), 0, fname);
	StringInfoData sb;

	initStringInfo(&sb);
	appendStringInfo(&sb, "{\"trees\": %u, \"sample_size\": %u, \"max_depth\": %u, \"features\": %u, "
					 "\"rows\": " UINT64_FORMAT ", \"nodes\": %u, \"seed\": " UINT64_FORMAT "}",
					 f->n_trees, f->psi, f->max_depth, f->d, (uint64) f->n_train, f->n_nodes,
					 (uint64) f->seed);
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(sb.data)));
}

/*
 * Both iforest_explain forms: the model (argument 0, cached) explains the point
 * (argument 1, *n features).  Returns the score, then each feature's share.
 */
static double *
explain_point(FunctionCallInfo fcinfo, const char *fname, int *n)
{
	iforest    *f = cached_model(fcinfo, PG_GETARG_BYTEA_PP(0), 0, fname);
	const double *x = float8_array(PG_GETARG_ARRAYTYPE_P(1), n, fname);
	double	   *out;
	int32		top;

	reject_nonfinite(x, *n, fname);
	if ((uint32) *n != f->d)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s: the model has %u features, the point has %d", fname, f->d, *n)));
	out = palloc((*n + 1) * sizeof(double));
	ana_check(iforest_explain(f, x, (size_t) *n, &out[0], &out[1], &top, NULL), fname);
	return out;
}

/* iforest_explain(model, point) -> float8[]: score, then each feature's isolation share */
PG_FUNCTION_INFO_V1(doliflow_iforest_explain);
Datum
doliflow_iforest_explain(PG_FUNCTION_ARGS)
{
	int			n,
				i;
	double	   *out = explain_point(fcinfo, "doliflow.iforest_explain", &n);
	Datum	   *d;

	d = palloc((n + 1) * sizeof(Datum));
	for (i = 0; i <= n; i++)
		d[i] = Float8GetDatum(out[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(d, n + 1, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/*
 * iforest_explain(model, point, names) -> jsonb {score, top_feature, shares}.
 * Built in C so that the deserialized forest stays cached across rows (a SQL
 * wrapper reloaded it on every call).  NULL model or point gives NULL; names
 * may be NULL or shorter than the point (features are then named by number).
 */
static char *
feature_name(ArrayType *names, int i)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	if (names == NULL || ARR_NDIM(names) != 1)
		return psprintf("%d", i);
	deconstruct_array(names, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	if (i - 1 < n && !nulls[i - 1])
		return TextDatumGetCString(elems[i - 1]);
	return psprintf("%d", i);
}

PG_FUNCTION_INFO_V1(doliflow_iforest_explain_jsonb);
Datum
doliflow_iforest_explain_jsonb(PG_FUNCTION_ARGS)
{
	ArrayType  *names;
	double	   *out;
	int			n,
				i,
				top = -1;
	StringInfoData buf;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	out = explain_point(fcinfo, "doliflow.iforest_explain", &n);
	names = PG_ARGISNULL(2) ? NULL : PG_GETARG_ARRAYTYPE_P(2);

	/* the top feature: largest positive share, the first one on ties */
	for (i = 1; i <= n; i++)
		if (out[i] > 0 && (top < 0 || out[i] > out[top]))
			top = i;

	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"score\": %.15g, \"top_feature\": ", out[0]);
	if (top < 0)
		appendStringInfoString(&buf, "null");
	else
		escape_json(&buf, feature_name(names, top));
	appendStringInfoString(&buf, ", \"shares\": ");
	if (n == 0)
		appendStringInfoString(&buf, "null");
	else
	{
		appendStringInfoChar(&buf, '{');
		for (i = 1; i <= n; i++)
		{
			if (i > 1)
				appendStringInfoString(&buf, ", ");
			escape_json(&buf, feature_name(names, i));
			appendStringInfo(&buf, ": %.4f", out[i]);
		}
		appendStringInfoChar(&buf, '}');
	}
	appendStringInfoChar(&buf, '}');
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}

/* ====================================================================== */
/* k-means                                                                  */
/* ====================================================================== */

enum
{
	KM_OPT_K = 0, KM_OPT_SEED, KM_OPT_SCALING
};

PG_FUNCTION_INFO_V1(doliflow_kmeans_trans);
Datum
doliflow_kmeans_trans(PG_FUNCTION_ARGS)
{
	const char *fname = "doliflow.kmeans_fit";
	MemoryContext cxt = agg_context(fcinfo, fname);
	RowsAgg    *s = PG_ARGISNULL(0) ? NULL : (RowsAgg *) PG_GETARG_POINTER(0);
	int64		opt[ROWS_MAGIC_OPTS] = {0};

	if (s == NULL)
		s = rows_new(cxt);
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(s);
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s: k must not be NULL", fname)));
	opt[KM_OPT_K] = PG_GETARG_INT32(2);
	if (opt[KM_OPT_K] < 1 || opt[KM_OPT_K] > KMEANS_MAX_K)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: k must be between 1 and %d, got " INT64_FORMAT, fname, KMEANS_MAX_K, opt[KM_OPT_K])));
	opt[KM_OPT_SEED] = (PG_NARGS() > 3 && !PG_ARGISNULL(3)) ? PG_GETARG_INT32(3) : 42;
	opt[KM_OPT_SCALING] = KMEANS_SCALE_ZSCORE;
	if (PG_NARGS() > 4 && !PG_ARGISNULL(4))
	{
		char	   *sc = text_to_cstring(PG_GETARG_TEXT_PP(4));

		if (strcmp(sc, "none") == 0)
			opt[KM_OPT_SCALING] = KMEANS_SCALE_NONE;
		else if (strcmp(sc, "zscore") == 0)
			opt[KM_OPT_SCALING] = KMEANS_SCALE_ZSCORE;
		else if (strcmp(sc, "robust") == 0)
			opt[KM_OPT_SCALING] = KMEANS_SCALE_ROBUST;
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: scaling must be 'none', 'zscore' or 'robust', got \"%s\"", fname, sc)));
	}
	rows_set_opts(s, opt, fname);
	rows_add(s, PG_GETARG_ARRAYTYPE_P(1), fname);
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(doliflow_kmeans_final);
Datum
doliflow_kmeans_final(PG_FUNCTION_ARGS)
{
	const char *fname = "doliflow.kmeans_fit";
	RowsAgg    *s = PG_ARGISNULL(0) ? NULL : (RowsAgg *) PG_GETARG_POINTER(0);
	kmeans_params p;
	kmeans_model *m;
	ana_alloc	al = alloc_in(CurrentMemoryContext);
	size_t		n,
				sz,
				w;
	bytea	   *out;

	if (s == NULL || s->d == 0 || s->v.n == 0)
		PG_RETURN_NULL();
	n = s->v.n / (size_t) s->d;
	ana_check(ana_sort_rows(s->v.v, n, (size_t) s->d, &al), fname);
	kmeans_params_default(&p, (uint32_t) s->opt[KM_OPT_K]);
	p.seed = (uint64_t) s->opt[KM_OPT_SEED];
	p.tick = tick_interrupts;
	ana_check(kmeans_model_fit(s->v.v, n, (size_t) s->d, (int) s->opt[KM_OPT_SCALING], &p, &al, &m),
			  fname);
	ana_check(kmeans_model_serialized_size(m, &sz), fname);
	out = (bytea *) palloc_extended(VARHDRSZ + sz, MCXT_ALLOC_HUGE);
	ana_check(kmeans_model_serialize(m, (unsigned char *) VARDATA(out), sz, &w), fname);
	SET_VARSIZE(out, VARHDRSZ + w);
	kmeans_model_free(m, &al);
	PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(doliflow_kmeans_assign);
Datum
doliflow_kmeans_assign(PG_FUNCTION_ARGS)
{
	const char *fname = "doliflow.kmeans_assign";
	kmeans_model *m = cached_model(fcinfo, PG_GETARG_BYTEA_PP(0), 1, fname);
	int			n;
	const double *x = float8_array(PG_GETARG_ARRAYTYPE_P(1), &n, fname);
	uint32_t	lab;

	reject_nonfinite(x, n, fname);
	if ((uint32) n != m->d)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s: the model has %u features, the point has %d", fname, m->d, n)));
	ana_check(kmeans_model_assign(m, x, (size_t) n, &lab, NULL), fname);
	PG_RETURN_INT32((int32) lab + 1);	/* clusters are numbered from 1 in SQL */
}

/* kmeans_summary(model) -> jsonb with k, d, n, inertia, scaling, centroids (original units) */
PG_FUNCTION_INFO_V1(doliflow_kmeans_summary);
Datum
doliflow_kmeans_summary(PG_FUNCTION_ARGS)
{
	const char *fname = "doliflow.kmeans_summary";
	kmeans_model *m = cached_model(fcinfo, PG_GETARG_BYTEA_PP(0), 1, fname);
	StringInfoData sb;
	double	   *c = palloc(m->d * sizeof(double));
	uint32		i,
				j;
	static const char *const sc[] = {"none", "zscore", "robust"};

	initStringInfo(&sb);
	appendStringInfo(&sb, "{\"k\": %u, \"features\": %u, \"rows\": " UINT64_FORMAT
					 ", \"inertia\": %s, \"iterations\": %u, \"scaling\": \"%s\", \"centroids\": [",
					 m->k, m->d, (uint64) m->n, float8out_internal(m->inertia), m->n_iter,
					 sc[m->scaling]);
	for (i = 0; i < m->k; i++)
	{
		kmeans_model_centroid(m, i, c);
		appendStringInfoString(&sb, i ? ", [" : "[");
		for (j = 0; j < m->d; j++)
		{
			if (!isfinite(c[j]))
				ana_check(ANA_ERANGE, fname);
			appendStringInfo(&sb, "%s%s", j ? ", " : "", float8out_internal(c[j]));
		}
		appendStringInfoChar(&sb, ']');
	}
	appendStringInfoString(&sb, "]}");
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(sb.data)));
}

/* ====================================================================== */
/* duration model                                                           */
/* ====================================================================== */

typedef struct DurAgg
{
	dm_data		d;
	ana_alloc	al;
	int64		skipped;		/* rows without a usable actual duration */
} DurAgg;

static DurAgg *
dur_new(MemoryContext cxt)
{
	DurAgg	   *s = MemoryContextAllocZero(cxt, sizeof(DurAgg));

	dm_data_init(&s->d);
	s->al = alloc_in(cxt);
	return s;
}

static char *
opt_text(FunctionCallInfo fcinfo, int i)
{
	return PG_ARGISNULL(i) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(i));
}

/*
 * duration_fit(type, city, technician, estimate, month, actual)            6 args
 * duration_fit(type, city, technician, severity, estimate, month, actual)  7 args
 */
PG_FUNCTION_INFO_V1(doliflow_duration_trans);
Datum
doliflow_duration_trans(PG_FUNCTION_ARGS)
{
	const char *fname = "doliflow.duration_fit";
	MemoryContext cxt = agg_context(fcinfo, fname);
	DurAgg	   *s = PG_ARGISNULL(0) ? NULL : (DurAgg *) PG_GETARG_POINTER(0);
	int			sev = PG_NARGS() == 8 ? 4 : -1;
	int			a_est = sev > 0 ? 5 : 4;
	dm_obs		o;
	int			rc;
	MemoryContext old;

	if (s == NULL)
		s = dur_new(cxt);
	memset(&o, 0, sizeof o);
	if (PG_ARGISNULL(a_est + 2))
	{
		s->skipped++;
		PG_RETURN_POINTER(s);
	}
	o.actual = PG_GETARG_FLOAT8(a_est + 2);
	o.estimate = PG_ARGISNULL(a_est) ? 0.0 : PG_GETARG_FLOAT8(a_est);
	o.month = PG_ARGISNULL(a_est + 1) ? 0 : PG_GETARG_INT32(a_est + 1);
	if (!isfinite(o.actual) || !isfinite(o.estimate))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: durations must be finite (got estimate %s, actual %s)", fname,
						float8out_internal(o.estimate), float8out_internal(o.actual))));
	if (o.month < 0 || o.month > 12)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: month must be between 1 and 12 (or NULL), got %d", fname, o.month)));
	if (!(o.actual > 0.0))
	{
		s->skipped++;			/* zero or negative duration: not recorded, skip */
		PG_RETURN_POINTER(s);
	}
	o.level[DM_TYPE] = opt_text(fcinfo, 1);
	o.level[DM_CITY] = opt_text(fcinfo, 2);
	o.level[DM_TECHNICIAN] = opt_text(fcinfo, 3);
	o.level[DM_SEVERITY] = sev > 0 ? opt_text(fcinfo, sev) : NULL;
	old = MemoryContextSwitchTo(cxt);
	rc = dm_data_add(&s->d, &o, &s->al);
	MemoryContextSwitchTo(old);
	if (rc == ANA_EINVAL)
		ereport(ERROR,
				(errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
				 errmsg("%s: a category name is longer than %d bytes", fname, DM_MAX_NAME)));
	ana_check(rc, fname);
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(doliflow_duration_combine);
Datum
doliflow_duration_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = agg_context(fcinfo, "doliflow.duration_fit");
	DurAgg	   *a = PG_ARGISNULL(0) ? NULL : (DurAgg *) PG_GETARG_POINTER(0);
	DurAgg	   *b = PG_ARGISNULL(1) ? NULL : (DurAgg *) PG_GETARG_POINTER(1);

	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL)
		a = dur_new(cxt);
	ana_check(dm_data_merge(&a->d, &b->d, &a->al), "doliflow.duration_fit");
	a->skipped += b->skipped;
	PG_RETURN_POINTER(a);
}

/* bytea: int64 skipped | dm_data bytes (checksummed) */
PG_FUNCTION_INFO_V1(doliflow_duration_serial);
Datum
doliflow_duration_serial(PG_FUNCTION_ARGS)
{
	DurAgg	   *s = (DurAgg *) PG_GETARG_POINTER(0);
	size_t		sz,
				w;
	bytea	   *out;

	ana_check(dm_data_serialized_size(&s->d, &sz), "doliflow.duration_fit");
	out = (bytea *) palloc_extended(VARHDRSZ + 8 + sz, MCXT_ALLOC_HUGE);
	memcpy(VARDATA(out), &s->skipped, 8);
	ana_check(dm_data_serialize(&s->d, (unsigned char *) VARDATA(out) + 8, sz, &w),
			  "doliflow.duration_fit");
	SET_VARSIZE(out, VARHDRSZ + 8 + w);
	PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(doliflow_duration_deserial);
Datum
doliflow_duration_deserial(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = agg_context(fcinfo, "doliflow.duration_fit");
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	DurAgg	   *s = dur_new(cxt);
	size_t		len = VARSIZE_ANY_EXHDR(b);

	if (len < 8)
		ana_check(ANA_ETRUNCATED, "doliflow.duration_fit state");
	memcpy(&s->skipped, VARDATA_ANY(b), 8);
	if (s->skipped < 0)
		ana_check(ANA_EFORMAT, "doliflow.duration_fit state");
	ana_check(dm_data_deserialize(&s->d, (const unsigned char *) VARDATA_ANY(b) + 8, len - 8, &s->al),
			  "doliflow.duration_fit state");
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(doliflow_duration_final);
Datum
doliflow_duration_final(PG_FUNCTION_ARGS)
{
	const char *fname = "doliflow.duration_fit";
	DurAgg	   *s = PG_ARGISNULL(0) ? NULL : (DurAgg *) PG_GETARG_POINTER(0);
	ana_alloc	al = alloc_in(CurrentMemoryContext);
	dm_model   *m;
	size_t		sz,
				w;
	bytea	   *out;

	if (s == NULL || s->d.n == 0)
		PG_RETURN_NULL();
	ana_check(dm_fit(&s->d, NULL, &al, &m), fname);
	ana_check(dm_model_serialized_size(m, &sz), fname);
	out = (bytea *) palloc_extended(VARHDRSZ + sz, MCXT_ALLOC_HUGE);
	ana_check(dm_model_serialize(m, (unsigned char *) VARDATA(out), sz, &w), fname);
	SET_VARSIZE(out, VARHDRSZ + w);
	dm_model_free(m, &al);
	PG_RETURN_BYTEA_P(out);
}

/*
 * _duration_predict(model, type, city, technician, severity, estimate, month, level)
 *   -> float8[]: predicted, low, high, mean, confidence, sigma, used_estimate (0/1),
 *      then known flags (0/1) for type, city, technician, severity, month
 */
PG_FUNCTION_INFO_V1(doliflow_duration_predict);
Datum
doliflow_duration_predict(PG_FUNCTION_ARGS)
{
	const char *fname = "doliflow.duration_predict";
	dm_model   *m;
	dm_obs		o;
	dm_prediction p;
	double		level = PG_ARGISNULL(7) ? 0.8 : PG_GETARG_FLOAT8(7);
	Datum		d[12];
	int			i,
				rc;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	m = cached_model(fcinfo, PG_GETARG_BYTEA_PP(0), 2, fname);
	memset(&o, 0, sizeof o);
	o.level[DM_TYPE] = opt_text(fcinfo, 1);
	o.level[DM_CITY] = opt_text(fcinfo, 2);
	o.level[DM_TECHNICIAN] = opt_text(fcinfo, 3);
	o.level[DM_SEVERITY] = opt_text(fcinfo, 4);
	o.estimate = PG_ARGISNULL(5) ? 0.0 : PG_GETARG_FLOAT8(5);
	o.month = PG_ARGISNULL(6) ? 0 : PG_GETARG_INT32(6);
	if (!isfinite(o.estimate))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: estimated_duration must be finite", fname)));
	if (o.month < 0 || o.month > 12)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: month must be between 1 and 12, got %d", fname, o.month)));
	if (!(level > 0.0 && level < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: interval level must be strictly between 0 and 1", fname)));
	rc = dm_predict(m, &o, level, &p);
	if (rc == ANA_EINVAL)
		ereport(ERROR,
				(errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
				 errmsg("%s: a category name is longer than %d bytes", fname, DM_MAX_NAME)));
	ana_check(rc, fname);
	d[0] = Float8GetDatum(p.predicted);
	d[1] = Float8GetDatum(p.lo);
	d[2] = Float8GetDatum(p.hi);
	d[3] = Float8GetDatum(p.mean);
	d[4] = Float8GetDatum(p.confidence);
	d[5] = Float8GetDatum(p.sigma);
	d[6] = Float8GetDatum(p.used_estimate ? 1.0 : 0.0);
	for (i = 0; i < DM_NFACTORS; i++)
		d[7 + i] = Float8GetDatum(p.known[i] ? 1.0 : 0.0);
	PG_RETURN_ARRAYTYPE_P(construct_array(d, 12, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/* duration_summary(model) -> jsonb: sizes, coefficients, sigmas, level effects */
PG_FUNCTION_INFO_V1(doliflow_duration_summary);
Datum
doliflow_duration_summary(PG_FUNCTION_ARGS)
{
	const char *fname = "doliflow.duration_summary";
	dm_model   *m = cached_model(fcinfo, PG_GETARG_BYTEA_PP(0), 2, fname);
	StringInfoData sb;
	int			f;
	uint32		j;

	initStringInfo(&sb);
	appendStringInfo(&sb, "{\"rows\": " UINT64_FORMAT ", \"rows_with_estimate\": " UINT64_FORMAT,
					 (uint64) m->n, (uint64) m->n_with_estimate);
	appendStringInfo(&sb, ", \"intercept\": %s", float8out_internal(m->b0));
	appendStringInfo(&sb, ", \"log_estimate_coef\": %s", float8out_internal(m->b_logest));
	appendStringInfo(&sb, ", \"no_estimate_shift\": %s", float8out_internal(m->b_missing));
	appendStringInfo(&sb, ", \"sigma\": %s", float8out_internal(m->sigma));
	appendStringInfo(&sb, ", \"sigma_no_estimate\": %s", float8out_internal(m->sigma_noest));
	appendStringInfo(&sb, ", \"rmse_log\": %s", float8out_internal(m->rmse_log));
	appendStringInfo(&sb, ", \"lambda\": %s, \"effects\": {", float8out_internal(m->lambda));
	for (f = 0; f < DM_NFACTORS; f++)
	{
		appendStringInfo(&sb, "%s\"%s\": {", f ? ", " : "", dm_factor_name(f));
		for (j = 0; j < m->n_levels[f]; j++)
		{
			if (j)
				appendStringInfoString(&sb, ", ");
			escape_json(&sb, m->levels[f][j].name);
			appendStringInfo(&sb, ": {\"coef\": %s, \"rows\": " UINT64_FORMAT "}",
							 float8out_internal(m->levels[f][j].coef), (uint64) m->levels[f][j].count);
		}
		appendStringInfoChar(&sb, '}');
	}
	appendStringInfoString(&sb, "}}");
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(sb.data)));
}

/* ====================================================================== */
/* model types: iforest_model, kmeans_model, duration_model                */
/* ====================================================================== */

/*
 * The three model types share bytea's representation (the serialized model):
 * every way in (text input, binary receive, the bytea cast) deserializes the
 * bytes with the core's reader, which checks magic, version, limits, checksum
 * and exact length, and raises data_corrupted otherwise.  Text form: a readable
 * description, " #", then the base64 of the bytes (dumps restore it).
 */
enum
{
	MK_IFOREST = 0, MK_KMEANS = 1, MK_DURATION = 2
};

static const char *const model_type_name[] = {
	"doliflow.iforest_model", "doliflow.kmeans_model", "doliflow.duration_model"
};

/* validates the bytes as a model of `kind`; returns its description when desc is set */
static void
model_check(int kind, const unsigned char *p, size_t len, StringInfo desc)
{
	const char *fname = model_type_name[kind];
	ana_alloc	al = alloc_in(CurrentMemoryContext);
	static const char *const sc[] = {"none", "zscore", "robust"};

	if (kind == MK_IFOREST)
	{
		iforest    *f = NULL;

		ana_check(iforest_deserialize(p, len, &al, &f), fname);
		if (desc)
			appendStringInfo(desc, "iforest trees=%u sample_size=%u max_depth=%u features=%u rows=" UINT64_FORMAT,
							 f->n_trees, f->psi, f->max_depth, f->d, (uint64) f->n_train);
		iforest_free(f, &al);
	}
	else if (kind == MK_KMEANS)
	{
		kmeans_model *m = NULL;

		ana_check(kmeans_model_deserialize(p, len, &al, &m), fname);
		if (desc)
			appendStringInfo(desc, "kmeans k=%u features=%u rows=" UINT64_FORMAT " scaling=%s",
							 m->k, m->d, (uint64) m->n, sc[m->scaling]);
		kmeans_model_free(m, &al);
	}
	else
	{
		dm_model   *m = NULL;

		ana_check(dm_model_deserialize(p, len, &al, &m), fname);
		if (desc)
			appendStringInfo(desc, "duration rows=" UINT64_FORMAT " with_estimate=" UINT64_FORMAT
							 " types=%u cities=%u technicians=%u severities=%u",
							 (uint64) m->n, (uint64) m->n_with_estimate, m->n_levels[0],
							 m->n_levels[1], m->n_levels[2], m->n_levels[3]);
		dm_model_free(m, &al);
	}
}

static Datum
model_in(FunctionCallInfo fcinfo, int kind)
{
	char	   *s = PG_GETARG_CSTRING(0);
	char	   *b64 = strrchr(s, '#');
	int			len,
				dlen;
	bytea	   *res;

	if (b64 == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s", model_type_name[kind]),
				 errdetail("The text form ends with '#' and the base64 bytes of the model, as printed by the output function.")));
	b64++;
	len = strlen(b64);
	while (len > 0 && (b64[len - 1] == ' ' || b64[len - 1] == '\n'))
		len--;
	while (len > 0 && b64[0] == ' ')
		b64++, len--;
	dlen = pg_b64_dec_len(len);
	res = (bytea *) palloc(VARHDRSZ + dlen);
	dlen = pg_b64_decode(b64, len, VARDATA(res), dlen);
	if (dlen < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid base64 in %s input", model_type_name[kind])));
	SET_VARSIZE(res, VARHDRSZ + dlen);
	model_check(kind, (const unsigned char *) VARDATA(res), dlen, NULL);
	PG_RETURN_BYTEA_P(res);
}

static Datum
model_out(FunctionCallInfo fcinfo, int kind)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	int			dlen = VARSIZE_ANY_EXHDR(b);
	int			blen;
	StringInfoData sb;

	initStringInfo(&sb);
	model_check(kind, (const unsigned char *) VARDATA_ANY(b), dlen, &sb);
	appendStringInfoString(&sb, " #");
	blen = pg_b64_enc_len(dlen);
	enlargeStringInfo(&sb, blen + 1);
	blen = pg_b64_encode(VARDATA_ANY(b), dlen, sb.data + sb.len, blen);
	if (blen < 0)
		elog(ERROR, "base64 encoding failed");
	sb.len += blen;
	sb.data[sb.len] = '\0';
	PG_RETURN_CSTRING(sb.data);
}

static Datum
model_recv(FunctionCallInfo fcinfo, int kind)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			len = buf->len - buf->cursor;
	bytea	   *res = (bytea *) palloc(VARHDRSZ + len);

	SET_VARSIZE(res, VARHDRSZ + len);
	pq_copymsgbytes(buf, VARDATA(res), len);
	model_check(kind, (const unsigned char *) VARDATA(res), len, NULL);
	PG_RETURN_BYTEA_P(res);
}

static Datum
model_from_bytea(FunctionCallInfo fcinfo, int kind)
{
	bytea	   *b = PG_GETARG_BYTEA_P_COPY(0);

	model_check(kind, (const unsigned char *) VARDATA(b), VARSIZE(b) - VARHDRSZ, NULL);
	PG_RETURN_BYTEA_P(b);
}

#define MODEL_TYPE_FUNCS(name, kind) \
PG_FUNCTION_INFO_V1(doliflow_##name##_in); \
Datum doliflow_##name##_in(PG_FUNCTION_ARGS) { return model_in(fcinfo, kind); } \
PG_FUNCTION_INFO_V1(doliflow_##name##_out); \
Datum doliflow_##name##_out(PG_FUNCTION_ARGS) { return model_out(fcinfo, kind); } \
PG_FUNCTION_INFO_V1(doliflow_##name##_recv); \
Datum doliflow_##name##_recv(PG_FUNCTION_ARGS) { return model_recv(fcinfo, kind); } \
PG_FUNCTION_INFO_V1(doliflow_##name##_from_bytea); \
Datum doliflow_##name##_from_bytea(PG_FUNCTION_ARGS) { return model_from_bytea(fcinfo, kind); }

MODEL_TYPE_FUNCS(iforest_model, MK_IFOREST)
MODEL_TYPE_FUNCS(kmeans_model, MK_KMEANS)
MODEL_TYPE_FUNCS(duration_model, MK_DURATION)

/* the send function of the three types: the bytes as they are */
PG_FUNCTION_INFO_V1(doliflow_model_send);
Datum
doliflow_model_send(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(PG_GETARG_BYTEA_P_COPY(0));
}
