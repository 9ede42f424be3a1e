/*
 * pg_compat_0_1_0.c: the C entry points that doliflow 0.1.0's SQL declared in
 * doliflow.so, kept working.  Since 0.2.0 the analytics live in their own
 * library, doliflow_analytics.so; a database still at 0.1.0 (after `make
 * install` of a newer release, before ALTER EXTENSION doliflow UPDATE, or
 * restored from an old dump) calls them by their 0.1.0 names in doliflow.so.
 * Each one forwards the call, fcinfo untouched, to the function of the same
 * arguments in doliflow_analytics.so (two were renamed in 0.2.0).
 *
 * Never remove an entry: old declarations stay callable (as contrib's
 * pg_stat_statements keeps its versioned symbols).
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"

#define DF_ANALYTICS_LIB "$libdir/doliflow_analytics"

/* The function of doliflow_analytics.so named name, looked up once per backend. */
static PGFunction
df_target(const char *name, PGFunction *cache)
{
	if (*cache == NULL)
		*cache = load_external_function(DF_ANALYTICS_LIB, name, true, NULL);
	return *cache;
}

/* One forwarder: the call goes on with fcinfo untouched. */
#define DF_FORWARD(oldname, newname) \
	PG_FUNCTION_INFO_V1(oldname); \
	Datum \
	oldname(PG_FUNCTION_ARGS) \
	{ \
		static PGFunction target = NULL; \
		return df_target(#newname, &target)(fcinfo); \
	}

DF_FORWARD(doliflow_forecast, doliflow_forecast)
DF_FORWARD(doliflow_forecast_describe, doliflow_forecast_describe)
DF_FORWARD(doliflow_forecast_fit_combine, doliflow_forecast_fit_combine)
DF_FORWARD(doliflow_forecast_fit_deserial, doliflow_forecast_fit_deserial)
DF_FORWARD(doliflow_forecast_fit_final, doliflow_forecast_fit_final)
DF_FORWARD(doliflow_forecast_fit_serial, doliflow_forecast_fit_serial)
DF_FORWARD(doliflow_forecast_fit_trans, doliflow_forecast_fit_trans)
DF_FORWARD(doliflow_forecast_fit_trans_opts, doliflow_forecast_fit_trans_opts)
DF_FORWARD(doliflow_forecast_fitted, doliflow_forecast_fitted)
DF_FORWARD(doliflow_forecast_model_from_bytea, doliflow_forecast_model_from_bytea)
DF_FORWARD(doliflow_forecast_model_in, doliflow_forecast_model_in)
DF_FORWARD(doliflow_forecast_model_is_valid, doliflow_forecast_model_is_valid)
DF_FORWARD(doliflow_forecast_model_out, doliflow_forecast_model_out)
DF_FORWARD(doliflow_forecast_model_recv, doliflow_forecast_model_recv)
DF_FORWARD(doliflow_forecast_model_send, doliflow_forecast_model_send)
DF_FORWARD(doliflow_forecast_summary, doliflow_forecast_summary)
DF_FORWARD(doliflow_iforest_explain, doliflow_iforest_explain)
DF_FORWARD(doliflow_iforest_explain_jsonb, doliflow_iforest_explain_jsonb)
DF_FORWARD(doliflow_iforest_final, doliflow_iforest_final)
DF_FORWARD(doliflow_iforest_score, doliflow_iforest_score)
DF_FORWARD(doliflow_iforest_trans, doliflow_iforest_trans)
DF_FORWARD(doliflow_kmeans_assign, doliflow_kmeans_assign)
DF_FORWARD(doliflow_kmeans_final, doliflow_kmeans_final)
DF_FORWARD(doliflow_kmeans_trans, doliflow_kmeans_trans)
DF_FORWARD(doliflow_robust_combine, doliflow_robust_combine)
DF_FORWARD(doliflow_robust_deserial, doliflow_robust_deserial)
DF_FORWARD(doliflow_robust_final, doliflow_robust_final)
DF_FORWARD(doliflow_robust_serial, doliflow_robust_serial)
DF_FORWARD(doliflow_robust_trans, doliflow_robust_trans)
DF_FORWARD(doliflow_robust_z, doliflow_robust_z)
DF_FORWARD(doliflow_rows_combine, doliflow_rows_combine)
DF_FORWARD(doliflow_rows_deserial, doliflow_rows_deserial)
DF_FORWARD(doliflow_rows_serial, doliflow_rows_serial)
/* renamed in 0.2.0 */
DF_FORWARD(doliflow_kmeans_info, doliflow_kmeans_summary)
DF_FORWARD(doliflow_duration_info, doliflow_duration_summary)

/*
 * forecast_array: 0.2.0 requires options.freq (an array has no dates to infer it from);
 * 0.1.0 had none and read every array as daily.  The old declaration keeps that meaning:
 * without a "freq" key, {"freq": "day"} is added to its options.
 */
PG_FUNCTION_INFO_V1(doliflow_forecast_array);
Datum
doliflow_forecast_array(PG_FUNCTION_ARGS)
{
	static PGFunction target = NULL;
	PGFunction	fn = df_target("doliflow_forecast_array", &target);
	LOCAL_FCINFO(call, 3);
	Datum		opts;
	Datum		result;

	if (PG_NARGS() != 3)
		return fn(fcinfo);
	if (!PG_ARGISNULL(2) &&
		DatumGetBool(DirectFunctionCall2(jsonb_exists, PG_GETARG_DATUM(2), CStringGetTextDatum("freq"))))
		opts = PG_GETARG_DATUM(2);
	else
	{
		Datum		day = DirectFunctionCall1(jsonb_in, CStringGetDatum("{\"freq\": \"day\"}"));

		opts = PG_ARGISNULL(2) ? day : DirectFunctionCall2(jsonb_concat, PG_GETARG_DATUM(2), day);
	}
	InitFunctionCallInfoData(*call, fcinfo->flinfo, 3, fcinfo->fncollation,
							 fcinfo->context, fcinfo->resultinfo);
	call->args[0] = fcinfo->args[0];
	call->args[1] = fcinfo->args[1];
	call->args[2].value = opts;
	call->args[2].isnull = false;
	result = fn(call);
	fcinfo->isnull = call->isnull;
	return result;
}
