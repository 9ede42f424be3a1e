-- doliflow upgrade 0.1.0 -> 0.2.0, fragment 10: the analytics library moved out.
-- The forecasting, robust statistics, isolation forest, k-means and duration model objects are
-- the extension doliflow_analytics (schema doliflow_analytics) since 0.2.0, which doliflow 0.2.0
-- requires: the user runs CREATE EXTENSION doliflow_analytics first (ALTER EXTENSION checks
-- requires before it runs this script).  Here every 0.1.0 copy in schema doliflow is dropped.
-- Wrappers with SQL-standard bodies go before what they call.  Outside these objects, in 0.1.0 only PL/pgSQL bodies call them (duration_train, duration_backtest,
-- predict_intervention_duration, _analytics_*, generate_predictions): no view, column or
-- SQL-standard body depends on them, so no CASCADE is needed but for the base type's I/O
-- functions; those callers are recreated on doliflow_analytics.* by the fragment that
-- recreates doliflow's objects.  Stored models are bytea in dw.models and JSON in
-- dw.prediction_models: no data to carry over.  A plain DROP fails loudly should anything else
-- depend on one of them.

-- Aggregates first (they depend on their support functions).
DROP AGGREGATE doliflow.forecast_fit(date, float8);
DROP AGGREGATE doliflow.forecast_fit(date, float8, jsonb);
DROP AGGREGATE doliflow.robust_stats(float8);
DROP AGGREGATE doliflow.iforest_fit(float8[]);
DROP AGGREGATE doliflow.iforest_fit(float8[], jsonb);
DROP AGGREGATE doliflow.kmeans(float8[], int);
DROP AGGREGATE doliflow.kmeans(float8[], int, int);
DROP AGGREGATE doliflow.kmeans(float8[], int, int, text);
DROP AGGREGATE doliflow.duration_fit(text, text, text, float8, int, float8);
DROP AGGREGATE doliflow.duration_fit(text, text, text, text, float8, int, float8);

-- Aggregate support functions.
DROP FUNCTION doliflow._forecast_fit_trans(internal, date, float8);
DROP FUNCTION doliflow._forecast_fit_trans(internal, date, float8, jsonb);
DROP FUNCTION doliflow._forecast_fit_combine(internal, internal);
DROP FUNCTION doliflow._forecast_fit_serial(internal);
DROP FUNCTION doliflow._forecast_fit_deserial(bytea, internal);
DROP FUNCTION doliflow._forecast_fit_final(internal);
DROP FUNCTION doliflow._robust_trans(internal, float8);
DROP FUNCTION doliflow._robust_combine(internal, internal);
DROP FUNCTION doliflow._robust_serial(internal);
DROP FUNCTION doliflow._robust_deserial(bytea, internal);
DROP FUNCTION doliflow._robust_final(internal);
DROP FUNCTION doliflow._iforest_trans(internal, float8[]);
DROP FUNCTION doliflow._iforest_trans(internal, float8[], jsonb);
DROP FUNCTION doliflow._rows_combine(internal, internal);
DROP FUNCTION doliflow._rows_serial(internal);
DROP FUNCTION doliflow._rows_deserial(bytea, internal);
DROP FUNCTION doliflow._iforest_final(internal);
DROP FUNCTION doliflow._kmeans_trans(internal, float8[], int);
DROP FUNCTION doliflow._kmeans_trans(internal, float8[], int, int);
DROP FUNCTION doliflow._kmeans_trans(internal, float8[], int, int, text);
DROP FUNCTION doliflow._kmeans_final(internal);
DROP FUNCTION doliflow._duration_trans(internal, text, text, text, float8, int, float8);
DROP FUNCTION doliflow._duration_trans(internal, text, text, text, text, float8, int, float8);
DROP FUNCTION doliflow._duration_combine(internal, internal);
DROP FUNCTION doliflow._duration_serial(internal);
DROP FUNCTION doliflow._duration_deserial(bytea, internal);
DROP FUNCTION doliflow._duration_final(internal);

-- Functions.
DROP FUNCTION doliflow.forecast(doliflow.forecast_model, int, float8);
DROP FUNCTION doliflow.forecast_fitted(doliflow.forecast_model);
DROP FUNCTION doliflow.forecast_summary(doliflow.forecast_model);
DROP FUNCTION doliflow.forecast_describe(doliflow.forecast_model);
DROP FUNCTION doliflow.forecast_array(float8[], date, jsonb);
DROP FUNCTION doliflow.forecast_model_is_valid(bytea);
DROP FUNCTION doliflow.robust_z(doliflow.robust_summary, float8);   -- its SQL body uses _robust_z
DROP FUNCTION doliflow._robust_z(float8, float8, float8);
DROP FUNCTION doliflow.iforest_score(bytea, float8[]);
DROP FUNCTION doliflow.iforest_explain(bytea, float8[], text[]);   -- wrappers before the C they call
DROP FUNCTION doliflow._iforest_explain(bytea, float8[]);
DROP FUNCTION doliflow.kmeans_assign(bytea, float8[]);
DROP FUNCTION doliflow.kmeans_info(bytea);
DROP FUNCTION doliflow.duration_predict(bytea, jsonb, float8);
DROP FUNCTION doliflow._duration_predict(bytea, text, text, text, text, float8, int, float8);
DROP FUNCTION doliflow.duration_model_info(bytea);

-- Casts, then the types.  DROP TYPE of a base type needs CASCADE for its own I/O functions
-- (forecast_model_in/out/recv/send), which are all that depends on it by now.
DROP CAST (doliflow.forecast_model AS bytea);
DROP CAST (bytea AS doliflow.forecast_model);
DROP FUNCTION doliflow.forecast_model_from_bytea(bytea);
DROP TYPE doliflow.forecast_model CASCADE;
DROP TYPE doliflow.robust_summary;
