/*
 * pg_iforest.c
 *		SQL glue of the isolation forest: iforest_fit, iforest_score, iforest_explain (analytics/50_analytics.sql).
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

#include "iforest.h"
#include "pg_ana_glue.h"

/* ====================================================================== */
/* isolation forest                                                         */
/* ====================================================================== */

enum
{
	IF_OPT_TREES = 0, IF_OPT_SUBSAMPLE, IF_OPT_DEPTH, IF_OPT_SEED
};


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


PG_FUNCTION_INFO_V1(doliflow_iforest_score);
Datum
doliflow_iforest_score(PG_FUNCTION_ARGS)
{
	const char *fname = "doliflow.iforest_score";
	iforest    *f = cached_model(fcinfo, PG_GETARG_BYTEA_PP(0), ANA_MODEL_IFOREST, fname);
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
	iforest    *f = cached_model(fcinfo, PG_GETARG_BYTEA_PP(0), ANA_MODEL_IFOREST, fname);
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
	iforest    *f = cached_model(fcinfo, PG_GETARG_BYTEA_PP(0), ANA_MODEL_IFOREST, fname);
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
