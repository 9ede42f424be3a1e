/*
 * pg_robust.c
 *		SQL glue of robust statistics: robust_stats aggregate, robust_z (analytics/50_analytics.sql).
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

#include "robust.h"
#include "pg_ana_glue.h"

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
