/*
 * pg_duration_model.c
 *		SQL glue of the intervention duration model: duration_fit, duration_predict, duration_summary (analytics/50_analytics.sql).
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
#include "pg_ana_glue.h"

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
	m = cached_model(fcinfo, PG_GETARG_BYTEA_PP(0), ANA_MODEL_DURATION, fname);
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
	dm_model   *m = cached_model(fcinfo, PG_GETARG_BYTEA_PP(0), ANA_MODEL_DURATION, fname);
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
