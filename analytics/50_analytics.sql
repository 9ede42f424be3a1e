-- doliflow install script, part 50: analytics functions (C glue over the cores in
-- src/robust.c, src/iforest.c, src/kmeans.c, src/duration_model.c).
-- Models are types of their own (iforest_model, kmeans_model, duration_model) with bytea's
-- representation (versioned, checksummed, validated on every way in: text, binary, cast from
-- bytea), so they can be stored in tables, and cast to bytea where kinds are mixed;
-- every aggregate is PARALLEL SAFE with combine/serial/deserial
-- functions, and fitting is independent of row order (serial and parallel plans agree).

------------------------------------------------------------------------------
-- Robust statistics per peer group
------------------------------------------------------------------------------

CREATE TYPE doliflow_analytics.robust_summary AS (
	n            bigint,
	median       float8,
	mad          float8,
	q1           float8,
	q3           float8,
	mean_abs_dev float8,
	min          float8,
	max          float8,
	scale        float8,
	scale_method text
);
COMMENT ON TYPE doliflow_analytics.robust_summary IS
'Result of doliflow_analytics.robust_stats(): count, median, scaled MAD (1.4826 x median absolute deviation), quartiles (R type 7), mean absolute deviation from the median, min, max, and the robust scale used by robust_z() with the method that gave it (mad, iqr = IQR/1.349, meanad = 1.2533 x mean abs dev, floor = max(1% of |median|, 1e-9) when all values are equal)';

CREATE FUNCTION doliflow_analytics._robust_trans(internal, float8) RETURNS internal
	AS 'MODULE_PATHNAME', 'doliflow_robust_trans' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics._robust_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'doliflow_robust_combine' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics._robust_serial(internal) RETURNS bytea
	AS 'MODULE_PATHNAME', 'doliflow_robust_serial' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics._robust_deserial(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'doliflow_robust_deserial' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics._robust_final(internal) RETURNS doliflow_analytics.robust_summary
	AS 'MODULE_PATHNAME', 'doliflow_robust_final' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION doliflow_analytics._robust_trans(internal, float8) IS 'Internal: transition function of doliflow_analytics.robust_stats (NULLs skipped, NaN/infinity rejected)';
COMMENT ON FUNCTION doliflow_analytics._robust_combine(internal, internal) IS 'Internal: combine function of doliflow_analytics.robust_stats (parallel aggregation)';
COMMENT ON FUNCTION doliflow_analytics._robust_serial(internal) IS 'Internal: serializes a doliflow_analytics.robust_stats state (magic, version, checksum)';
COMMENT ON FUNCTION doliflow_analytics._robust_deserial(bytea, internal) IS 'Internal: validates and deserializes a doliflow_analytics.robust_stats state';
COMMENT ON FUNCTION doliflow_analytics._robust_final(internal) IS 'Internal: final function of doliflow_analytics.robust_stats';

CREATE AGGREGATE doliflow_analytics.robust_stats(float8) (
	SFUNC = doliflow_analytics._robust_trans,
	STYPE = internal,
	FINALFUNC = doliflow_analytics._robust_final,
	FINALFUNC_MODIFY = READ_WRITE,
	COMBINEFUNC = doliflow_analytics._robust_combine,
	SERIALFUNC = doliflow_analytics._robust_serial,
	DESERIALFUNC = doliflow_analytics._robust_deserial,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE doliflow_analytics.robust_stats(float8) IS
'Robust location and scale of a group (median, MAD, quartiles...) as a doliflow_analytics.robust_summary; NULLs are skipped, NaN and infinity raise an error, an empty group gives NULL. Selection is O(n) (quickselect); the state keeps every value (8 bytes each)';

CREATE FUNCTION doliflow_analytics._robust_z(median float8, scale float8, x float8) RETURNS float8
	AS 'MODULE_PATHNAME', 'doliflow_robust_z' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION doliflow_analytics._robust_z(float8, float8, float8) IS 'Internal: (x - median) / scale with checks; use doliflow_analytics.robust_z';

CREATE FUNCTION doliflow_analytics.robust_z(summary doliflow_analytics.robust_summary, x float8) RETURNS float8
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN doliflow_analytics._robust_z(summary.median, summary.scale, x);
COMMENT ON FUNCTION doliflow_analytics.robust_z(doliflow_analytics.robust_summary, float8) IS
'Robust z-score (x - median) / scale of x against a doliflow_analytics.robust_stats() summary; |z| > 3.5 is the usual anomaly threshold';

------------------------------------------------------------------------------
-- Isolation forest
------------------------------------------------------------------------------

CREATE TYPE doliflow_analytics.iforest_model;
CREATE FUNCTION doliflow_analytics.iforest_model_in(cstring) RETURNS doliflow_analytics.iforest_model
	AS 'MODULE_PATHNAME', 'doliflow_iforest_model_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics.iforest_model_out(doliflow_analytics.iforest_model) RETURNS cstring
	AS 'MODULE_PATHNAME', 'doliflow_iforest_model_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics.iforest_model_recv(internal) RETURNS doliflow_analytics.iforest_model
	AS 'MODULE_PATHNAME', 'doliflow_iforest_model_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics.iforest_model_send(doliflow_analytics.iforest_model) RETURNS bytea
	AS 'MODULE_PATHNAME', 'doliflow_model_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE doliflow_analytics.iforest_model (
	INPUT = doliflow_analytics.iforest_model_in, OUTPUT = doliflow_analytics.iforest_model_out,
	RECEIVE = doliflow_analytics.iforest_model_recv, SEND = doliflow_analytics.iforest_model_send,
	INTERNALLENGTH = VARIABLE, STORAGE = extended
);
COMMENT ON TYPE doliflow_analytics.iforest_model IS 'An isolation forest from doliflow_analytics.iforest_fit; text form = readable description, then # and the base64 bytes; every way in validates the bytes';
COMMENT ON FUNCTION doliflow_analytics.iforest_model_in(cstring) IS 'Text input of iforest_model: the part after the last # is the base64 of the model bytes, checked before use';
COMMENT ON FUNCTION doliflow_analytics.iforest_model_out(doliflow_analytics.iforest_model) IS 'Text output of iforest_model: readable description, then # and the base64 bytes (so that dumps restore)';
COMMENT ON FUNCTION doliflow_analytics.iforest_model_recv(internal) IS 'Binary input of iforest_model, validated';
COMMENT ON FUNCTION doliflow_analytics.iforest_model_send(doliflow_analytics.iforest_model) IS 'Binary output of iforest_model: the model bytes';
CREATE FUNCTION doliflow_analytics.iforest_model_from_bytea(bytea) RETURNS doliflow_analytics.iforest_model
	AS 'MODULE_PATHNAME', 'doliflow_iforest_model_from_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION doliflow_analytics.iforest_model_from_bytea(bytea) IS 'Checks bytes (magic, version, limits, checksum, exact length) and returns them as a iforest_model; corrupted bytes raise data_corrupted';
-- iforest_model -> bytea needs no function: same representation.
CREATE CAST (doliflow_analytics.iforest_model AS bytea) WITHOUT FUNCTION;
CREATE CAST (bytea AS doliflow_analytics.iforest_model) WITH FUNCTION doliflow_analytics.iforest_model_from_bytea(bytea);
COMMENT ON CAST (doliflow_analytics.iforest_model AS bytea) IS 'The stored bytes of a iforest model (versioned, checksummed), e.g. for dw.models where kinds are mixed';
COMMENT ON CAST (bytea AS doliflow_analytics.iforest_model) IS 'Reads model bytes back, rejecting corrupted ones and other kinds';

CREATE FUNCTION doliflow_analytics._iforest_trans(internal, float8[]) RETURNS internal
	AS 'MODULE_PATHNAME', 'doliflow_iforest_trans' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics._iforest_trans(internal, float8[], jsonb) RETURNS internal
	AS 'MODULE_PATHNAME', 'doliflow_iforest_trans' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics._rows_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'doliflow_rows_combine' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics._rows_serial(internal) RETURNS bytea
	AS 'MODULE_PATHNAME', 'doliflow_rows_serial' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics._rows_deserial(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'doliflow_rows_deserial' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics._iforest_final(internal) RETURNS doliflow_analytics.iforest_model
	AS 'MODULE_PATHNAME', 'doliflow_iforest_final' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION doliflow_analytics._iforest_trans(internal, float8[]) IS 'Internal: transition function of doliflow_analytics.iforest_fit';
COMMENT ON FUNCTION doliflow_analytics._iforest_trans(internal, float8[], jsonb) IS 'Internal: transition function of doliflow_analytics.iforest_fit with options';
COMMENT ON FUNCTION doliflow_analytics._rows_combine(internal, internal) IS 'Internal: combine function of the row-collecting aggregates (iforest_fit, kmeans_fit)';
COMMENT ON FUNCTION doliflow_analytics._rows_serial(internal) IS 'Internal: serializes a row-collecting aggregate state (checksummed)';
COMMENT ON FUNCTION doliflow_analytics._rows_deserial(bytea, internal) IS 'Internal: validates and deserializes a row-collecting aggregate state';
COMMENT ON FUNCTION doliflow_analytics._iforest_final(internal) IS 'Internal: trains the isolation forest and returns it as its model type';

CREATE AGGREGATE doliflow_analytics.iforest_fit(float8[]) (
	SFUNC = doliflow_analytics._iforest_trans, STYPE = internal,
	FINALFUNC = doliflow_analytics._iforest_final, FINALFUNC_MODIFY = READ_WRITE,
	COMBINEFUNC = doliflow_analytics._rows_combine,
	SERIALFUNC = doliflow_analytics._rows_serial, DESERIALFUNC = doliflow_analytics._rows_deserial,
	PARALLEL = SAFE
);
CREATE AGGREGATE doliflow_analytics.iforest_fit(float8[], jsonb) (
	SFUNC = doliflow_analytics._iforest_trans, STYPE = internal,
	FINALFUNC = doliflow_analytics._iforest_final, FINALFUNC_MODIFY = READ_WRITE,
	COMBINEFUNC = doliflow_analytics._rows_combine,
	SERIALFUNC = doliflow_analytics._rows_serial, DESERIALFUNC = doliflow_analytics._rows_deserial,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE doliflow_analytics.iforest_fit(float8[]) IS
'Trains an isolation forest (Liu, Ting & Zhou 2008; 100 trees, subsample 256, depth ceil(log2 256), seed 42) on feature vectors of equal length; NULL rows are skipped, NULL elements, NaN and infinity raise an error. Returns an iforest_model (NULL for no rows)';
COMMENT ON AGGREGATE doliflow_analytics.iforest_fit(float8[], jsonb) IS
'Trains an isolation forest with options {"n_trees":100,"subsample":256,"max_depth":0 (= ceil(log2 subsample)),"seed":42}; the options must be the same on every row';

CREATE FUNCTION doliflow_analytics.iforest_score(model doliflow_analytics.iforest_model, features float8[]) RETURNS float8
	AS 'MODULE_PATHNAME', 'doliflow_iforest_score' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION doliflow_analytics.iforest_score(doliflow_analytics.iforest_model, float8[]) IS
'Anomaly score in (0,1] of a point under an isolation forest from doliflow_analytics.iforest_fit: 2^(-E[h]/c(psi)); above about 0.6 is unusual, 0.5 or less is ordinary';

CREATE FUNCTION doliflow_analytics.iforest_summary(model doliflow_analytics.iforest_model) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'doliflow_iforest_summary' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION doliflow_analytics.iforest_summary(doliflow_analytics.iforest_model) IS
'Trees, subsample size used, depth limit, features, training rows, nodes and seed of a doliflow_analytics.iforest_fit model (validates the bytes, like every reader of the model)';

CREATE FUNCTION doliflow_analytics._iforest_explain(model doliflow_analytics.iforest_model, features float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'doliflow_iforest_explain' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION doliflow_analytics._iforest_explain(doliflow_analytics.iforest_model, float8[]) IS 'Internal: score followed by each feature''s share of the isolation; use doliflow_analytics.iforest_explain';

CREATE FUNCTION doliflow_analytics.iforest_explain(model doliflow_analytics.iforest_model, features float8[], feature_names text[] DEFAULT NULL)
	RETURNS jsonb AS 'MODULE_PATHNAME', 'doliflow_iforest_explain_jsonb'
	LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION doliflow_analytics.iforest_explain(doliflow_analytics.iforest_model, float8[], text[]) IS
'Score plus a reason: each feature''s share of the isolation (the log2 of how much every split on that feature shrank the point''s node, summed over the trees) and the top feature, named from feature_names (1-based) when given';

------------------------------------------------------------------------------
-- k-means
------------------------------------------------------------------------------

CREATE TYPE doliflow_analytics.kmeans_model;
CREATE FUNCTION doliflow_analytics.kmeans_model_in(cstring) RETURNS doliflow_analytics.kmeans_model
	AS 'MODULE_PATHNAME', 'doliflow_kmeans_model_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics.kmeans_model_out(doliflow_analytics.kmeans_model) RETURNS cstring
	AS 'MODULE_PATHNAME', 'doliflow_kmeans_model_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics.kmeans_model_recv(internal) RETURNS doliflow_analytics.kmeans_model
	AS 'MODULE_PATHNAME', 'doliflow_kmeans_model_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics.kmeans_model_send(doliflow_analytics.kmeans_model) RETURNS bytea
	AS 'MODULE_PATHNAME', 'doliflow_model_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE doliflow_analytics.kmeans_model (
	INPUT = doliflow_analytics.kmeans_model_in, OUTPUT = doliflow_analytics.kmeans_model_out,
	RECEIVE = doliflow_analytics.kmeans_model_recv, SEND = doliflow_analytics.kmeans_model_send,
	INTERNALLENGTH = VARIABLE, STORAGE = extended
);
COMMENT ON TYPE doliflow_analytics.kmeans_model IS 'A k-means model from doliflow_analytics.kmeans_fit; text form = readable description, then # and the base64 bytes; every way in validates the bytes';
COMMENT ON FUNCTION doliflow_analytics.kmeans_model_in(cstring) IS 'Text input of kmeans_model: the part after the last # is the base64 of the model bytes, checked before use';
COMMENT ON FUNCTION doliflow_analytics.kmeans_model_out(doliflow_analytics.kmeans_model) IS 'Text output of kmeans_model: readable description, then # and the base64 bytes (so that dumps restore)';
COMMENT ON FUNCTION doliflow_analytics.kmeans_model_recv(internal) IS 'Binary input of kmeans_model, validated';
COMMENT ON FUNCTION doliflow_analytics.kmeans_model_send(doliflow_analytics.kmeans_model) IS 'Binary output of kmeans_model: the model bytes';
CREATE FUNCTION doliflow_analytics.kmeans_model_from_bytea(bytea) RETURNS doliflow_analytics.kmeans_model
	AS 'MODULE_PATHNAME', 'doliflow_kmeans_model_from_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION doliflow_analytics.kmeans_model_from_bytea(bytea) IS 'Checks bytes (magic, version, limits, checksum, exact length) and returns them as a kmeans_model; corrupted bytes raise data_corrupted';
-- kmeans_model -> bytea needs no function: same representation.
CREATE CAST (doliflow_analytics.kmeans_model AS bytea) WITHOUT FUNCTION;
CREATE CAST (bytea AS doliflow_analytics.kmeans_model) WITH FUNCTION doliflow_analytics.kmeans_model_from_bytea(bytea);
COMMENT ON CAST (doliflow_analytics.kmeans_model AS bytea) IS 'The stored bytes of a kmeans model (versioned, checksummed), e.g. for dw.models where kinds are mixed';
COMMENT ON CAST (bytea AS doliflow_analytics.kmeans_model) IS 'Reads model bytes back, rejecting corrupted ones and other kinds';

CREATE FUNCTION doliflow_analytics._kmeans_trans(internal, float8[], int) RETURNS internal
	AS 'MODULE_PATHNAME', 'doliflow_kmeans_trans' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics._kmeans_trans(internal, float8[], int, int) RETURNS internal
	AS 'MODULE_PATHNAME', 'doliflow_kmeans_trans' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics._kmeans_trans(internal, float8[], int, int, text) RETURNS internal
	AS 'MODULE_PATHNAME', 'doliflow_kmeans_trans' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics._kmeans_final(internal) RETURNS doliflow_analytics.kmeans_model
	AS 'MODULE_PATHNAME', 'doliflow_kmeans_final' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION doliflow_analytics._kmeans_trans(internal, float8[], int) IS 'Internal: transition function of doliflow_analytics.kmeans_fit';
COMMENT ON FUNCTION doliflow_analytics._kmeans_trans(internal, float8[], int, int) IS 'Internal: transition function of doliflow_analytics.kmeans_fit with a seed';
COMMENT ON FUNCTION doliflow_analytics._kmeans_trans(internal, float8[], int, int, text) IS 'Internal: transition function of doliflow_analytics.kmeans_fit with a seed and a scaling';
COMMENT ON FUNCTION doliflow_analytics._kmeans_final(internal) IS 'Internal: runs k-means and returns it as its model type';

CREATE AGGREGATE doliflow_analytics.kmeans_fit(float8[], int) (
	SFUNC = doliflow_analytics._kmeans_trans, STYPE = internal,
	FINALFUNC = doliflow_analytics._kmeans_final, FINALFUNC_MODIFY = READ_WRITE,
	COMBINEFUNC = doliflow_analytics._rows_combine,
	SERIALFUNC = doliflow_analytics._rows_serial, DESERIALFUNC = doliflow_analytics._rows_deserial,
	PARALLEL = SAFE
);
CREATE AGGREGATE doliflow_analytics.kmeans_fit(float8[], int, int) (
	SFUNC = doliflow_analytics._kmeans_trans, STYPE = internal,
	FINALFUNC = doliflow_analytics._kmeans_final, FINALFUNC_MODIFY = READ_WRITE,
	COMBINEFUNC = doliflow_analytics._rows_combine,
	SERIALFUNC = doliflow_analytics._rows_serial, DESERIALFUNC = doliflow_analytics._rows_deserial,
	PARALLEL = SAFE
);
CREATE AGGREGATE doliflow_analytics.kmeans_fit(float8[], int, int, text) (
	SFUNC = doliflow_analytics._kmeans_trans, STYPE = internal,
	FINALFUNC = doliflow_analytics._kmeans_final, FINALFUNC_MODIFY = READ_WRITE,
	COMBINEFUNC = doliflow_analytics._rows_combine,
	SERIALFUNC = doliflow_analytics._rows_serial, DESERIALFUNC = doliflow_analytics._rows_deserial,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE doliflow_analytics.kmeans_fit(float8[], int) IS
'k-means (k-means++ seeding, 10 restarts, at most 300 Lloyd iterations, seed 42) of z-scored feature vectors into k clusters; returns a kmeans_model (fewer clusters when there are fewer distinct points)';
COMMENT ON AGGREGATE doliflow_analytics.kmeans_fit(float8[], int, int) IS 'k-means with an explicit seed (same data + seed = same model, whatever the plan)';
COMMENT ON AGGREGATE doliflow_analytics.kmeans_fit(float8[], int, int, text) IS 'k-means with a seed and a column scaling: ''zscore'' (default), ''robust'' (median / MAD) or ''none''';

CREATE FUNCTION doliflow_analytics.kmeans_assign(model doliflow_analytics.kmeans_model, features float8[]) RETURNS int
	AS 'MODULE_PATHNAME', 'doliflow_kmeans_assign' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION doliflow_analytics.kmeans_assign(doliflow_analytics.kmeans_model, float8[]) IS
'Cluster number (1..k) of a point under a doliflow_analytics.kmeans_fit model; clusters are numbered in lexicographic order of their centroids';

CREATE FUNCTION doliflow_analytics.kmeans_summary(model doliflow_analytics.kmeans_model) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'doliflow_kmeans_summary' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION doliflow_analytics.kmeans_summary(doliflow_analytics.kmeans_model) IS
'k, number of features and rows, inertia (scaled space), iterations, scaling and the centroids in the original units of a doliflow_analytics.kmeans_fit model';

------------------------------------------------------------------------------
-- Intervention duration model
------------------------------------------------------------------------------

CREATE TYPE doliflow_analytics.duration_model;
CREATE FUNCTION doliflow_analytics.duration_model_in(cstring) RETURNS doliflow_analytics.duration_model
	AS 'MODULE_PATHNAME', 'doliflow_duration_model_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics.duration_model_out(doliflow_analytics.duration_model) RETURNS cstring
	AS 'MODULE_PATHNAME', 'doliflow_duration_model_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics.duration_model_recv(internal) RETURNS doliflow_analytics.duration_model
	AS 'MODULE_PATHNAME', 'doliflow_duration_model_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics.duration_model_send(doliflow_analytics.duration_model) RETURNS bytea
	AS 'MODULE_PATHNAME', 'doliflow_model_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE doliflow_analytics.duration_model (
	INPUT = doliflow_analytics.duration_model_in, OUTPUT = doliflow_analytics.duration_model_out,
	RECEIVE = doliflow_analytics.duration_model_recv, SEND = doliflow_analytics.duration_model_send,
	INTERNALLENGTH = VARIABLE, STORAGE = extended
);
COMMENT ON TYPE doliflow_analytics.duration_model IS 'An intervention duration model from doliflow_analytics.duration_fit; text form = readable description, then # and the base64 bytes; every way in validates the bytes';
COMMENT ON FUNCTION doliflow_analytics.duration_model_in(cstring) IS 'Text input of duration_model: the part after the last # is the base64 of the model bytes, checked before use';
COMMENT ON FUNCTION doliflow_analytics.duration_model_out(doliflow_analytics.duration_model) IS 'Text output of duration_model: readable description, then # and the base64 bytes (so that dumps restore)';
COMMENT ON FUNCTION doliflow_analytics.duration_model_recv(internal) IS 'Binary input of duration_model, validated';
COMMENT ON FUNCTION doliflow_analytics.duration_model_send(doliflow_analytics.duration_model) IS 'Binary output of duration_model: the model bytes';
CREATE FUNCTION doliflow_analytics.duration_model_from_bytea(bytea) RETURNS doliflow_analytics.duration_model
	AS 'MODULE_PATHNAME', 'doliflow_duration_model_from_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION doliflow_analytics.duration_model_from_bytea(bytea) IS 'Checks bytes (magic, version, limits, checksum, exact length) and returns them as a duration_model; corrupted bytes raise data_corrupted';
-- duration_model -> bytea needs no function: same representation.
CREATE CAST (doliflow_analytics.duration_model AS bytea) WITHOUT FUNCTION;
CREATE CAST (bytea AS doliflow_analytics.duration_model) WITH FUNCTION doliflow_analytics.duration_model_from_bytea(bytea);
COMMENT ON CAST (doliflow_analytics.duration_model AS bytea) IS 'The stored bytes of a duration model (versioned, checksummed), e.g. for dw.models where kinds are mixed';
COMMENT ON CAST (bytea AS doliflow_analytics.duration_model) IS 'Reads model bytes back, rejecting corrupted ones and other kinds';

CREATE FUNCTION doliflow_analytics._duration_trans(internal, text, text, text, float8, int, float8) RETURNS internal
	AS 'MODULE_PATHNAME', 'doliflow_duration_trans' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics._duration_trans(internal, text, text, text, text, float8, int, float8) RETURNS internal
	AS 'MODULE_PATHNAME', 'doliflow_duration_trans' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics._duration_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'doliflow_duration_combine' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics._duration_serial(internal) RETURNS bytea
	AS 'MODULE_PATHNAME', 'doliflow_duration_serial' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics._duration_deserial(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'doliflow_duration_deserial' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics._duration_final(internal) RETURNS doliflow_analytics.duration_model
	AS 'MODULE_PATHNAME', 'doliflow_duration_final' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION doliflow_analytics._duration_trans(internal, text, text, text, float8, int, float8) IS 'Internal: transition function of doliflow_analytics.duration_fit';
COMMENT ON FUNCTION doliflow_analytics._duration_trans(internal, text, text, text, text, float8, int, float8) IS 'Internal: transition function of doliflow_analytics.duration_fit with severity';
COMMENT ON FUNCTION doliflow_analytics._duration_combine(internal, internal) IS 'Internal: combine function of doliflow_analytics.duration_fit';
COMMENT ON FUNCTION doliflow_analytics._duration_serial(internal) IS 'Internal: serializes a doliflow_analytics.duration_fit state (checksummed)';
COMMENT ON FUNCTION doliflow_analytics._duration_deserial(bytea, internal) IS 'Internal: validates and deserializes a doliflow_analytics.duration_fit state';
COMMENT ON FUNCTION doliflow_analytics._duration_final(internal) IS 'Internal: fits the duration model and returns it as its model type';

CREATE AGGREGATE doliflow_analytics.duration_fit(intervention_type text, city text, technician text,
                                        estimate_hours float8, month int, actual_hours float8) (
	SFUNC = doliflow_analytics._duration_trans, STYPE = internal,
	FINALFUNC = doliflow_analytics._duration_final, FINALFUNC_MODIFY = READ_WRITE,
	COMBINEFUNC = doliflow_analytics._duration_combine,
	SERIALFUNC = doliflow_analytics._duration_serial, DESERIALFUNC = doliflow_analytics._duration_deserial,
	PARALLEL = SAFE
);
CREATE AGGREGATE doliflow_analytics.duration_fit(intervention_type text, city text, technician text, severity text,
                                        estimate_hours float8, month int, actual_hours float8) (
	SFUNC = doliflow_analytics._duration_trans, STYPE = internal,
	FINALFUNC = doliflow_analytics._duration_final, FINALFUNC_MODIFY = READ_WRITE,
	COMBINEFUNC = doliflow_analytics._duration_combine,
	SERIALFUNC = doliflow_analytics._duration_serial, DESERIALFUNC = doliflow_analytics._duration_deserial,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE doliflow_analytics.duration_fit(text, text, text, float8, int, float8) IS
'Fits the intervention duration model log(actual) = b0 + b1 log(estimate) + type + city + technician + month effects (ridge-shrunk, lambda 5) on closed interventions; rows with NULL or non-positive actual hours are skipped, a NULL or non-positive estimate counts as "no estimate", NaN/infinity raise an error. Categories are trimmed and case-folded. Returns a duration_model';
COMMENT ON AGGREGATE doliflow_analytics.duration_fit(text, text, text, text, float8, int, float8) IS
'Same as the six-argument doliflow_analytics.duration_fit, with a severity category as well';

CREATE FUNCTION doliflow_analytics._duration_predict(model doliflow_analytics.duration_model, intervention_type text, city text, technician text,
                                           severity text, estimate_hours float8, month int, level float8)
	RETURNS float8[]
	AS 'MODULE_PATHNAME', 'doliflow_duration_predict' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION doliflow_analytics._duration_predict(doliflow_analytics.duration_model, text, text, text, text, float8, int, float8) IS
'Internal: predicted, low, high, mean, confidence, sigma, used_estimate, known flags (type, city, technician, severity, month); use doliflow_analytics.duration_predict';

CREATE FUNCTION doliflow_analytics.duration_predict(model doliflow_analytics.duration_model, features jsonb, level float8 DEFAULT 0.8)
	RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT CASE WHEN r IS NULL THEN NULL ELSE jsonb_build_object(
		'predicted_duration', round(r[1]::numeric, 2),
		'confidence', round(r[5]::numeric, 2),
		'interval_low', round(r[2]::numeric, 2),
		'interval_high', round(r[3]::numeric, 2),
		'interval_level', level,
		'expected_duration', round(r[4]::numeric, 2),
		'used_estimate', r[7] = 1,
		'known', jsonb_build_object('intervention_type', r[8] = 1, 'city', r[9] = 1,
		                            'technician', r[10] = 1, 'severity', r[11] = 1, 'month', r[12] = 1)) END
	  FROM (SELECT doliflow_analytics._duration_predict(model,
	            features ->> 'intervention_type', features ->> 'city', features ->> 'technician',
	            features ->> 'severity', (features ->> 'estimated_duration')::float8,
	            (features ->> 'month')::int, level) AS r) AS s;
END;
COMMENT ON FUNCTION doliflow_analytics.duration_predict(doliflow_analytics.duration_model, jsonb, float8) IS
'Predicts the actual duration in hours from {"intervention_type","city","technician","severity","estimated_duration","month"} (all optional; unknown categories fall back to the global effect): predicted_duration (log-normal median), confidence in [0,1] = n/(n+10) / (1 + relative half-width of the interval), the interval at the given level, expected_duration (mean) and which inputs the model knew';

CREATE FUNCTION doliflow_analytics.duration_summary(model doliflow_analytics.duration_model) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'doliflow_duration_summary' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION doliflow_analytics.duration_summary(doliflow_analytics.duration_model) IS
'Rows, coefficients (intercept, log-estimate elasticity, no-estimate shift), residual sigmas and every category level''s effect and row count of a doliflow_analytics.duration_fit model';
