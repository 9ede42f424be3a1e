/*
 * pg_kmeans.c
 *		SQL glue of k-means: kmeans_fit aggregate, kmeans_assign, kmeans_summary (analytics/50_analytics.sql).
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

#include "kmeans.h"
#include "pg_ana_glue.h"

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
	kmeans_model *m = cached_model(fcinfo, PG_GETARG_BYTEA_PP(0), ANA_MODEL_KMEANS, fname);
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
	kmeans_model *m = cached_model(fcinfo, PG_GETARG_BYTEA_PP(0), ANA_MODEL_KMEANS, fname);
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
