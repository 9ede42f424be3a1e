-- doliflow install script, part 40: forecasting (C glue in src/pg_forecast.c
-- around the pure cores src/forecast.c, ets.c, croston.c, prophet.c,
-- demand_class.c, holidays.c).
--
-- API (two steps: an aggregate builds a model, accessors read it):
--   doliflow_analytics.forecast_fit(day date, qty float8 [, options jsonb]) -> forecast_model
--   doliflow_analytics.forecast(model, horizon int, level float8 = 0.95) -> (day, yhat, lo, hi)
--   doliflow_analytics.forecast_summary(model) -> jsonb   (method, class, parameters, events)
--   doliflow_analytics.forecast_fitted(model), forecast_describe(model), forecast_array(y[], start, options)
--
-- Calendar ("freq": what one position of the series is):
--   "day" | "week" | "month" | "quarter" | "year", or an interval of that length
--   ("1 day", "7 days", "1 week", "1 mon", "3 months", "12 months", "1 year").
--   Dates: weeks are 7 days from the first date; months, quarters and years
--   keep the first date's day of month (clamped: 31 = month ends).
--   forecast_fit without "freq" infers it: year, quarter, month or week when
--   every date is on that calendar (same day of month, or every date a month
--   end; weeks: a whole number of weeks apart) and at least 3 distinct dates
--   (weeks: 4) cover half of its periods (weeks: 80%); otherwise days, the
--   days without a row being missing (zero demand by default: sparse daily
--   demand stays daily).  A declared "freq" with a date off its calendar is
--   an error (22023).  forecast_array needs "freq" (no silent default; 22023).
--   The default seasonal period ("period") follows: day 7, week 52, month 12,
--   quarter 4, year 1 (none).  Every model honours "period": ETS and Theta
--   use it up to 24 (as R; longer periods are not seasonal for them), the
--   Prophet-style model replaces its weekly and 365.25-day terms by one
--   Fourier term of that period (except for daily data with period 7).
--   auto = auto_fast only for daily data with period 7.
-- Missing values ("missing"): "zero" (forecast_fit's default: a day without a
--   row sold nothing) or "interpolate" (a measurement not taken: linear between
--   its neighbours; forecast_array drops leading NULLs and carries the last
--   value over trailing ones).  forecast_array rejects NULL elements unless
--   "missing" is set (22004).
-- Horizon ("horizon": 1..36600): the horizon the model will be asked for;
--   the automatic choice validates its candidates on holdouts of that length
--   (on the last third of the series when it is shorter than three horizons;
--   "holdout" still wins when given).  Shown in forecast_summary.
-- Intervals: the full tier (auto_full, and auto on non-daily data) calibrates
--   the width on the model's own multi-step errors (refitted at up to 4
--   origins over the end of the series): half widths are multiplied by the
--   median of the standardised errors (over 0.6745), shrunk towards 1.7
--   ("interval_scale" in the summary, within [0.5, 4]; 1.7 for a series too
--   short to check), by 1 + 0.15 per seasonal cycle ahead (per step for
--   non-seasonal data), and by Student t tails (4 degrees of freedom) beyond
--   the 80% level; forced methods, intermittent series and the fast tier
--   (daily data by default) keep the model's own intervals.
-- Magnitudes: series whose largest |value| is above 1e30 or below 1e-30 are
--   fitted on a power-of-2 scale and scaled back ("data_scale" in the
--   summary); a forecast beyond the float8 range is an error (22003).
--
-- Automatic choice ("method"):
--   "auto" (default)  daily data ("period": 7): "auto_fast"; other periods: "auto_full"
--   "auto_fast"       smooth/erratic -> Prophet-style model (~0.5 ms per 3-year
--                     series); intermittent/lumpy -> Croston/SBA/TSB by holdout
--   "auto_full"       rolling-origin holdout over ETS (AICc), Theta, Prophet-style,
--                     naive (period 1), mean/median ensembles (~20-40 ms per series)
--   or a forced method: zero, mean, naive, ets, croston, sba, tsb, theta, prophet,
--   ensemble_mean, ensemble_median.
--
-- Events and holidays (options, used by the Prophet-style model as regressors;
-- with events the automatic choice always returns a model that uses them):
--   "events": [ { "name": "promo_spring",                 required, unique, < 64 bytes
--                 "days": ["2025-03-10", ...],             and/or
--                 "ranges": [["2025-03-10", "2025-03-16"], ...],   first and last day
--                 "prior_mean": 0.0,     coefficient prior mean (model scale, see below)
--                 "prior_scale": 0.5,    prior sd (> 0; omitted: nearly flat)
--                 "fixed": false } ]     true: coefficient = prior_mean, not estimated
--   "holidays": "fr"   the 11 French public holidays (one regressor "holidays_fr"),
--               or {"country": "fr", "name": ..., "prior_mean": ..., "prior_scale": ..., "fixed": ...}
--   At most 32 events (holidays count as one), 10,000 days/ranges per event,
--   dates "YYYY-MM-DD"; only with "period": 7.  List future occurrences too:
--   forecast() applies them (and the holidays) in the horizon.
--   forecast_summary(model)->'events': one object per event: name, kind,
--   days_in_history, used, scale ("log1p": demand is modelled as log(1 + y)),
--   coefficient, effect (= exp(coefficient): the factor on 1 + demand),
--   prior_mean, prior_scale, fixed.  Store the coefficient and pass it back
--   later as "prior_mean" (with "fixed": true, or a small "prior_scale") to
--   reuse a learned effect for an event with no history.

------------------------------------------------------------------------------
-- The model type
------------------------------------------------------------------------------

CREATE TYPE doliflow_analytics.forecast_model;

CREATE FUNCTION doliflow_analytics.forecast_model_in(cstring) RETURNS doliflow_analytics.forecast_model
AS 'MODULE_PATHNAME', 'doliflow_forecast_model_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics.forecast_model_out(doliflow_analytics.forecast_model) RETURNS cstring
AS 'MODULE_PATHNAME', 'doliflow_forecast_model_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics.forecast_model_recv(internal) RETURNS doliflow_analytics.forecast_model
AS 'MODULE_PATHNAME', 'doliflow_forecast_model_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics.forecast_model_send(doliflow_analytics.forecast_model) RETURNS bytea
AS 'MODULE_PATHNAME', 'doliflow_forecast_model_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE doliflow_analytics.forecast_model (
	INPUT = doliflow_analytics.forecast_model_in,
	OUTPUT = doliflow_analytics.forecast_model_out,
	RECEIVE = doliflow_analytics.forecast_model_recv,
	SEND = doliflow_analytics.forecast_model_send,
	INTERNALLENGTH = VARIABLE,
	STORAGE = extended
);
COMMENT ON TYPE doliflow_analytics.forecast_model IS 'A fitted demand forecasting model (ETS, Theta, Prophet-style, Croston/SBA/TSB, ensembles or a fallback) with its in-sample fitted values; text form = readable description followed by # and the base64 bytes; every value is validated when read';
COMMENT ON FUNCTION doliflow_analytics.forecast_model_in(cstring) IS 'Text input of forecast_model: the part after the last # is the base64 of the model bytes, checked before use';
COMMENT ON FUNCTION doliflow_analytics.forecast_model_out(doliflow_analytics.forecast_model) IS 'Text output of forecast_model: readable description, then # and the base64 bytes (so that dumps restore)';
COMMENT ON FUNCTION doliflow_analytics.forecast_model_recv(internal) IS 'Binary input of forecast_model, validated';
COMMENT ON FUNCTION doliflow_analytics.forecast_model_send(doliflow_analytics.forecast_model) IS 'Binary output of forecast_model';

CREATE FUNCTION doliflow_analytics.forecast_model_from_bytea(bytea) RETURNS doliflow_analytics.forecast_model
AS 'MODULE_PATHNAME', 'doliflow_forecast_model_from_bytea'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION doliflow_analytics.forecast_model_from_bytea(bytea) IS 'Checks bytes (magic, version, lengths, checksum, every parameter) and returns them as a forecast_model; corrupted bytes raise data_corrupted';
CREATE FUNCTION doliflow_analytics.forecast_model_is_valid(bytea) RETURNS boolean
AS 'MODULE_PATHNAME', 'doliflow_forecast_model_is_valid'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION doliflow_analytics.forecast_model_is_valid(bytea) IS 'True when the bytes are a valid forecast_model (same checks as the cast, without raising)';
-- forecast_model -> bytea needs no function: same representation.
CREATE CAST (doliflow_analytics.forecast_model AS bytea) WITHOUT FUNCTION;
CREATE CAST (bytea AS doliflow_analytics.forecast_model) WITH FUNCTION doliflow_analytics.forecast_model_from_bytea(bytea);
COMMENT ON CAST (doliflow_analytics.forecast_model AS bytea) IS 'The stored bytes of a forecast model (flat, versioned, checksummed)';
COMMENT ON CAST (bytea AS doliflow_analytics.forecast_model) IS 'Reads model bytes back, rejecting corrupted ones';

------------------------------------------------------------------------------
-- forecast_fit aggregate (two-step API: aggregate -> model -> accessors)
------------------------------------------------------------------------------

CREATE FUNCTION doliflow_analytics._forecast_fit_trans(internal, date, float8) RETURNS internal
AS 'MODULE_PATHNAME', 'doliflow_forecast_fit_trans'
LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics._forecast_fit_trans(internal, date, float8, jsonb) RETURNS internal
AS 'MODULE_PATHNAME', 'doliflow_forecast_fit_trans_opts'
LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics._forecast_fit_combine(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'doliflow_forecast_fit_combine'
LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics._forecast_fit_serial(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'doliflow_forecast_fit_serial'
LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics._forecast_fit_deserial(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'doliflow_forecast_fit_deserial'
LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION doliflow_analytics._forecast_fit_final(internal) RETURNS doliflow_analytics.forecast_model
AS 'MODULE_PATHNAME', 'doliflow_forecast_fit_final'
LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION doliflow_analytics._forecast_fit_trans(internal, date, float8) IS 'forecast_fit transition: appends (day, qty) to a sparse buffer; NULLs skipped, NaN/Infinity rejected';
COMMENT ON FUNCTION doliflow_analytics._forecast_fit_trans(internal, date, float8, jsonb) IS 'forecast_fit transition with options (read from the first row of the group)';
COMMENT ON FUNCTION doliflow_analytics._forecast_fit_combine(internal, internal) IS 'forecast_fit combine: concatenates two partial buffers (parallel aggregation)';
COMMENT ON FUNCTION doliflow_analytics._forecast_fit_serial(internal) IS 'forecast_fit state to bytes (magic, version, options, days, quantities)';
COMMENT ON FUNCTION doliflow_analytics._forecast_fit_deserial(bytea, internal) IS 'forecast_fit state from bytes, validated';
COMMENT ON FUNCTION doliflow_analytics._forecast_fit_final(internal) IS 'forecast_fit final: infers the frequency (or checks the declared one), sums duplicate periods, fills missing periods (zero or interpolated), fits the model';

CREATE AGGREGATE doliflow_analytics.forecast_fit(day date, qty float8) (
	SFUNC = doliflow_analytics._forecast_fit_trans,
	STYPE = internal,
	FINALFUNC = doliflow_analytics._forecast_fit_final,
	COMBINEFUNC = doliflow_analytics._forecast_fit_combine,
	SERIALFUNC = doliflow_analytics._forecast_fit_serial,
	DESERIALFUNC = doliflow_analytics._forecast_fit_deserial,
	PARALLEL = SAFE
);
CREATE AGGREGATE doliflow_analytics.forecast_fit(day date, qty float8, options jsonb) (
	SFUNC = doliflow_analytics._forecast_fit_trans,
	STYPE = internal,
	FINALFUNC = doliflow_analytics._forecast_fit_final,
	COMBINEFUNC = doliflow_analytics._forecast_fit_combine,
	SERIALFUNC = doliflow_analytics._forecast_fit_serial,
	DESERIALFUNC = doliflow_analytics._forecast_fit_deserial,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE doliflow_analytics.forecast_fit(date, float8) IS 'Fits a demand model per group: rows in any order; the frequency is inferred from the dates (year, quarter, month or week when every date is on that calendar and covers half of it, else days); periods without a row are zero demand, duplicate days are summed, NULLs skipped; the series is classified (ADI/CV2) and the model chosen automatically (default auto_fast: Prophet-style model for smooth/erratic series, Croston/SBA/TSB by holdout for intermittent demand; fallbacks for short, constant or zero series; the ETS/Theta/ensemble holdout with the option "method": "auto_full"); NULL for an empty group. Parallel safe: workers scan and buffer rows, the fits run in the leader';
COMMENT ON AGGREGATE doliflow_analytics.forecast_fit(date, float8, jsonb) IS 'forecast_fit with options: {"method": "auto|auto_fast|auto_full|ets|theta|prophet|croston|sba|tsb|naive|mean|zero|ensemble_mean|ensemble_median" (auto = auto_fast for daily data: Prophet-style for smooth series, Croston/SBA/TSB by holdout for intermittent ones; auto_full = holdout over ETS, Theta, Prophet-style and ensembles), "freq": "day|week|month|quarter|year" or an interval (default: inferred from the dates), "period" (default by freq: 7, 52, 12, 4, 1), "missing": "zero|interpolate" (default zero), "horizon": the horizon to validate on, "nonneg": true, "holdout": 28, "origins": 2, "max_obs": 3660, "croston_optimize": false, "prophet": true, "ensemble": true, "fitted": true, "events": [{"name": "promo", "days": ["YYYY-MM-DD", ...], "ranges": [["first", "last"], ...], "prior_mean": 0, "prior_scale": 0.5, "fixed": false}, ...] (at most 32; future occurrences are applied by forecast(); learned effects in forecast_summary()->''events''), "holidays": "fr" (French public holidays, one regressor) or {"country": "fr", "name", "prior_mean", "prior_scale", "fixed"}}; options are read from the first row of each group';

------------------------------------------------------------------------------
-- Accessors
------------------------------------------------------------------------------

CREATE FUNCTION doliflow_analytics.forecast(model doliflow_analytics.forecast_model, horizon int, level float8 DEFAULT 0.95)
RETURNS TABLE (day date, yhat float8, lo float8, hi float8)
AS 'MODULE_PATHNAME', 'doliflow_forecast'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 28;
COMMENT ON FUNCTION doliflow_analytics.forecast(doliflow_analytics.forecast_model, int, float8) IS 'Forecasts for the horizon periods (days, weeks, months, quarters or years: the model''s frequency) after the last fitted period, dated on its calendar: point forecast and central prediction interval of the given level (never negative unless the model was fitted with "nonneg": false); the events and holidays given to forecast_fit apply on their future days';

CREATE FUNCTION doliflow_analytics.forecast_fitted(model doliflow_analytics.forecast_model)
RETURNS TABLE (day date, fitted float8)
AS 'MODULE_PATHNAME', 'doliflow_forecast_fitted'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION doliflow_analytics.forecast_fitted(doliflow_analytics.forecast_model) IS 'In-sample one-step fitted values of the model, one row per fitted period (stored as float4 on the model''s data scale; none when fitted with "fitted": false)';

CREATE FUNCTION doliflow_analytics.forecast_summary(model doliflow_analytics.forecast_model) RETURNS jsonb
AS 'MODULE_PATHNAME', 'doliflow_forecast_summary'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION doliflow_analytics.forecast_summary(doliflow_analytics.forecast_model) IS 'The model as JSON: method, choice (auto_fast, auto_full or forced), demand class (ADI, CV2), parameters, AICc (null for a perfect fit), holdout errors, freq, period, horizon, data_scale, first_date and last_date, and "events": per event or holiday regressor its name, kind, days_in_history, used, scale, coefficient, effect (exp(coefficient), the factor on 1 + demand in log1p scale), prior_mean, prior_scale, fixed';

CREATE FUNCTION doliflow_analytics.forecast_describe(model doliflow_analytics.forecast_model) RETURNS text
AS 'MODULE_PATHNAME', 'doliflow_forecast_describe'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION doliflow_analytics.forecast_describe(doliflow_analytics.forecast_model) IS 'One readable line: method, parameters, AICc, demand class';

CREATE FUNCTION doliflow_analytics.forecast_array(y float8[], start date DEFAULT NULL, options jsonb DEFAULT NULL)
RETURNS doliflow_analytics.forecast_model
AS 'MODULE_PATHNAME', 'doliflow_forecast_array'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION doliflow_analytics.forecast_array(float8[], date, jsonb) IS 'Fits a model on a plain array of consecutive periods (oldest first); the option "freq" (day, week, month, quarter, year) is required and says what one element is; start dates the first element (default 2000-01-01); NULL elements need "missing": "zero" or "interpolate"; same options as forecast_fit; NULL for NULL, empty or all-NULL arrays';
