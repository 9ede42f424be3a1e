/*
 * pg_forecast.c
 *		SQL glue of the forecasting core (forecast.h): the forecast_model type,
 *		the forecast_fit aggregate and its accessors.
 *
 * Copyright (C) 2026 the doliflow authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * forecast_model value (a varlena):
 *   uint32 magic "DFFM", uint32 version, uint32 model_len, uint32 n_fitted,
 *   uint32 FNV-1a checksum of everything else, model_len bytes of
 *   fc_model_serialize() (itself checksummed), n_fitted float4 fitted values.
 * Every value read from disk, from a bytea cast, from text or from the wire is
 * checked (lengths, the core's checksum and validation, finite fitted values)
 * before use: corrupted bytes raise an error, never crash.
 *
 * forecast_fit aggregate state: a sparse buffer of (day, qty) pairs in the
 * aggregate memory context plus the options; serialized for parallel query
 * as magic, version, options, n, int32 days[n], float8 qty[n].
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
#include "utils/date.h"
#include "utils/jsonb.h"
#include "utils/tuplestore.h"

#include "forecast.h"

#define FM_MAGIC		0x4d464644u	/* "DFFM" */
#define FM_VERSION		1
#define FM_HDR			20
#define AS_MAGIC		0x53414644u	/* "DFAS" */
#define AS_VERSION		1
#define FC_MAX_HORIZON	36600

/* ------------------------------------------------------------ options */

typedef struct FitOpts
{
	int32		method;
	int32		period;
	int32		nonneg;
	int32		holdout;
	int32		origins;
	int32		max_obs;
	int32		croston_opt;
	int32		use_prophet;
	int32		use_ensemble;
	int32		store_fitted;
} FitOpts;

static void
default_opts(FitOpts *o)
{
	FcOptions	d;

	fc_default_options(&d);
	o->method = d.method;
	o->period = 7;
	o->nonneg = d.nonneg;
	o->holdout = d.holdout;
	o->origins = d.origins;
	o->max_obs = d.max_obs;
	o->croston_opt = d.croston_opt;
	o->use_prophet = d.use_prophet;
	o->use_ensemble = d.use_ensemble;
	o->store_fitted = 1;
}

static bool
opts_valid(const FitOpts *o)
{
	return o->method >= FC_AUTO && o->method < FC_N_METHODS &&
		o->period >= 1 && o->period <= FC_MAX_PERIOD &&
		(o->nonneg == 0 || o->nonneg == 1) &&
		o->holdout >= 0 && o->holdout <= 3660 &&
		o->origins >= 0 && o->origins <= 10 &&
		o->max_obs >= 1 && o->max_obs <= 100000 &&
		(o->croston_opt == 0 || o->croston_opt == 1) &&
		o->use_prophet >= -1 && o->use_prophet <= 1 &&
		(o->use_ensemble == 0 || o->use_ensemble == 1) &&
		(o->store_fitted == 0 || o->store_fitted == 1);
}

static void
to_fc_options(const FitOpts *o, int32 first_day, FcOptions *fo)
{
	fc_default_options(fo);
	fo->method = o->method;
	fo->nonneg = o->nonneg;
	fo->holdout = o->holdout;
	fo->origins = o->origins;
	fo->max_obs = o->max_obs;
	fo->croston_opt = o->croston_opt;
	fo->use_prophet = o->use_prophet;
	fo->use_ensemble = o->use_ensemble;
	fo->first_day = first_day;
}

static const char *valid_keys =
"method, period, nonneg, holdout, origins, max_obs, croston_optimize, prophet, ensemble, fitted";

static int
json_int(JsonbValue *v, const char *key, int lo, int hi)
{
	Datum		d;
	int64		x;

	if (v->type != jbvNumeric)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("forecast option \"%s\" must be a number", key)));
	d = DirectFunctionCall1(numeric_int8, NumericGetDatum(v->val.numeric));
	x = DatumGetInt64(d);
	if (x < lo || x > hi)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("forecast option \"%s\" must be between %d and %d, got " INT64_FORMAT,
						key, lo, hi, x)));
	return (int) x;
}

static int
json_bool(JsonbValue *v, const char *key)
{
	if (v->type != jbvBool)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("forecast option \"%s\" must be true or false", key)));
	return v->val.boolean ? 1 : 0;
}

static void
parse_opts(Jsonb *jb, FitOpts *o)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	default_opts(o);
	if (jb == NULL)
		return;
	if (!JB_ROOT_IS_OBJECT(jb))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("forecast options must be a JSON object"),
				 errhint("Valid keys: %s.", valid_keys)));
	it = JsonbIteratorInit(&jb->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		char	   *key;
		JsonbValue	val;

		if (tok != WJB_KEY)
			continue;
		key = pnstrdup(v.val.string.val, v.val.string.len);
		tok = JsonbIteratorNext(&it, &val, true);
		if (tok != WJB_VALUE)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("forecast option \"%s\" must be a scalar", key)));
		if (strcmp(key, "method") == 0)
		{
			char	   *m;
			int			k;

			if (val.type != jbvString)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("forecast option \"method\" must be a string")));
			m = pnstrdup(val.val.string.val, val.val.string.len);
			for (k = 0; k < FC_N_METHODS; k++)
				if (strcmp(m, fc_method_name(k)) == 0)
					break;
			if (k == FC_N_METHODS)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("unknown forecast method \"%s\"", m),
						 errhint("Methods: auto, zero, mean, naive, ets, croston, sba, tsb, theta, prophet, ensemble_mean, ensemble_median.")));
			o->method = k;
		}
		else if (strcmp(key, "period") == 0)
			o->period = json_int(&val, key, 1, FC_MAX_PERIOD);
		else if (strcmp(key, "nonneg") == 0)
			o->nonneg = json_bool(&val, key);
		else if (strcmp(key, "holdout") == 0)
			o->holdout = json_int(&val, key, 0, 3660);
		else if (strcmp(key, "origins") == 0)
			o->origins = json_int(&val, key, 0, 10);
		else if (strcmp(key, "max_obs") == 0)
			o->max_obs = json_int(&val, key, 1, 100000);
		else if (strcmp(key, "croston_optimize") == 0)
			o->croston_opt = json_bool(&val, key);
		else if (strcmp(key, "prophet") == 0)
			o->use_prophet = json_bool(&val, key);
		else if (strcmp(key, "ensemble") == 0)
			o->use_ensemble = json_bool(&val, key);
		else if (strcmp(key, "fitted") == 0)
			o->store_fitted = json_bool(&val, key);
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown forecast option \"%s\"", key),
					 errhint("Valid keys: %s.", valid_keys)));
	}
}

/* ------------------------------------------------------ model values */

static void
report_fc_error(int rc, const char *what)
{
	int			code;

	switch (rc)
	{
		case FC_ENOMEM:
			code = ERRCODE_OUT_OF_MEMORY;
			break;
		case FC_ENONFINITE:
			code = ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;
			break;
		case FC_ECORRUPT:
			code = ERRCODE_DATA_CORRUPTED;
			break;
		case FC_EINVAL:
		case FC_ETOOSHORT:
			code = ERRCODE_INVALID_PARAMETER_VALUE;
			break;
		default:
			code = ERRCODE_INTERNAL_ERROR;
	}
	ereport(ERROR, (errcode(code), errmsg("%s: %s", what, fc_strerror(rc))));
}

/* FNV-1a over the value without its checksum field (bytes 16..19) */
static uint32
fm_checksum(const char *p, Size len)
{
	uint32		h = 2166136261u;
	Size		i;

	for (i = 0; i < len; i++)
	{
		if (i >= 16 && i < 20)
			continue;
		h ^= (unsigned char) p[i];
		h *= 16777619u;
	}
	return h;
}

/* Build a forecast_model varlena from a fitted model and its fitted values. */
static bytea *
model_to_varlena(const FcModel *m, const double *fitted, int n_fitted)
{
	size_t		mlen = fc_model_size(m),
				written;
	Size		total;
	bytea	   *res;
	char	   *p;
	uint32		u;
	int			i,
				rc;

	if (mlen == 0)
		report_fc_error(FC_ECORRUPT, "forecast_model");
	total = VARHDRSZ + FM_HDR + mlen + (Size) n_fitted * sizeof(float4);
	res = (bytea *) palloc0(total);
	SET_VARSIZE(res, total);
	p = VARDATA(res);
	u = FM_MAGIC;
	memcpy(p, &u, 4);
	u = FM_VERSION;
	memcpy(p + 4, &u, 4);
	u = (uint32) mlen;
	memcpy(p + 8, &u, 4);
	u = (uint32) n_fitted;
	memcpy(p + 12, &u, 4);
	rc = fc_model_serialize(m, p + FM_HDR, mlen, &written);
	if (rc != FC_OK)
		report_fc_error(rc, "forecast_model");
	for (i = 0; i < n_fitted; i++)
	{
		float4		f = (float4) fitted[i];

		memcpy(p + FM_HDR + mlen + (Size) i * sizeof(float4), &f, sizeof(float4));
	}
	u = fm_checksum(p, total - VARHDRSZ);
	memcpy(p + 16, &u, 4);
	return res;
}

/*
 * Validate raw forecast_model bytes (without varlena header); on success fill
 * *m and return the fitted-value count and pointer.
 */
static bool
parse_model_bytes(const char *p, Size len, FcModel *m, uint32 *n_fitted,
				  const char **fitted)
{
	uint32		magic,
				version,
				mlen,
				nf,
				sum;
	Size		i;

	if (len < FM_HDR)
		return false;
	memcpy(&magic, p, 4);
	memcpy(&version, p + 4, 4);
	memcpy(&mlen, p + 8, 4);
	memcpy(&nf, p + 12, 4);
	memcpy(&sum, p + 16, 4);
	if (magic != FM_MAGIC || version != FM_VERSION)
		return false;
	if (fm_checksum(p, len) != sum)
		return false;
	if (mlen > len - FM_HDR || (Size) nf > (len - FM_HDR - mlen) / sizeof(float4) ||
		len != FM_HDR + mlen + (Size) nf * sizeof(float4))
		return false;
	if (fc_model_deserialize(p + FM_HDR, mlen, m) != FC_OK)
		return false;
	if (nf != 0 && (int64) nf != m->n)
		return false;
	for (i = 0; i < nf; i++)
	{
		float4		f;

		memcpy(&f, p + FM_HDR + mlen + i * sizeof(float4), sizeof(float4));
		if (!isfinite(f))
			return false;
	}
	*n_fitted = nf;
	*fitted = p + FM_HDR + mlen;
	return true;
}

static void
corrupt_error(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("invalid or corrupted doliflow.forecast_model value")));
}

/* detoast and validate a forecast_model argument */
static FcModel *
get_model(FunctionCallInfo fcinfo, int argno, uint32 *n_fitted, const char **fitted)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(argno);
	FcModel    *m = palloc(sizeof(FcModel));
	uint32		nf;
	const char *fp;

	if (!parse_model_bytes(VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b), m, &nf, &fp))
		corrupt_error();
	if (n_fitted)
		*n_fitted = nf;
	if (fitted)
		*fitted = fp;
	return m;
}

PG_FUNCTION_INFO_V1(doliflow_forecast_model_in);
Datum
doliflow_forecast_model_in(PG_FUNCTION_ARGS)
{
	char	   *s = PG_GETARG_CSTRING(0);
	char	   *b64 = strrchr(s, '#');
	int			len,
				dlen;
	bytea	   *res;
	FcModel		m;
	uint32		nf;
	const char *fp;

	if (b64 == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type doliflow.forecast_model"),
				 errdetail("The text form ends with '#' and the base64 bytes of the model, as printed by the output function.")));
	b64++;
	len = strlen(b64);
	while (len > 0 && (b64[len - 1] == ' ' || b64[len - 1] == '\n'))
		len--;
	dlen = pg_b64_dec_len(len);
	res = (bytea *) palloc(VARHDRSZ + dlen);
	dlen = pg_b64_decode(b64, len, VARDATA(res), dlen);
	if (dlen < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid base64 in doliflow.forecast_model input")));
	SET_VARSIZE(res, VARHDRSZ + dlen);
	if (!parse_model_bytes(VARDATA(res), dlen, &m, &nf, &fp))
		corrupt_error();
	PG_RETURN_BYTEA_P(res);
}

PG_FUNCTION_INFO_V1(doliflow_forecast_model_out);
Datum
doliflow_forecast_model_out(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	FcModel		m;
	uint32		nf;
	const char *fp;
	int			dlen,
				blen,
				need;
	char	   *desc,
			   *out;

	if (!parse_model_bytes(VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b), &m, &nf, &fp))
		corrupt_error();
	need = fc_model_describe(&m, NULL, 0);
	desc = palloc(need + 1);
	fc_model_describe(&m, desc, need + 1);
	dlen = VARSIZE_ANY_EXHDR(b);
	blen = pg_b64_enc_len(dlen);
	out = palloc(need + 3 + blen + 1);
	memcpy(out, desc, need);
	memcpy(out + need, " #", 2);
	blen = pg_b64_encode(VARDATA_ANY(b), dlen, out + need + 2, blen);
	if (blen < 0)
		elog(ERROR, "base64 encoding failed");
	out[need + 2 + blen] = '\0';
	PG_RETURN_CSTRING(out);
}

PG_FUNCTION_INFO_V1(doliflow_forecast_model_recv);
Datum
doliflow_forecast_model_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			len = buf->len - buf->cursor;
	bytea	   *res = (bytea *) palloc(VARHDRSZ + len);
	FcModel		m;
	uint32		nf;
	const char *fp;

	SET_VARSIZE(res, VARHDRSZ + len);
	pq_copymsgbytes(buf, VARDATA(res), len);
	if (!parse_model_bytes(VARDATA(res), len, &m, &nf, &fp))
		corrupt_error();
	PG_RETURN_BYTEA_P(res);
}

PG_FUNCTION_INFO_V1(doliflow_forecast_model_send);
Datum
doliflow_forecast_model_send(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_P_COPY(0);

	PG_RETURN_BYTEA_P(b);
}

/* bytea -> forecast_model, validated */
PG_FUNCTION_INFO_V1(doliflow_forecast_model_from_bytea);
Datum
doliflow_forecast_model_from_bytea(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_P_COPY(0);
	FcModel		m;
	uint32		nf;
	const char *fp;

	if (!parse_model_bytes(VARDATA(b), VARSIZE(b) - VARHDRSZ, &m, &nf, &fp))
		corrupt_error();
	PG_RETURN_BYTEA_P(b);
}

/* ------------------------------------------------------------ aggregate */

typedef struct FitState
{
	FitOpts		opts;
	int64		n;
	int64		cap;
	int32	   *days;
	double	   *qty;
} FitState;

static FitState *
state_new(MemoryContext ctx, const FitOpts *o, int64 cap)
{
	FitState   *st = MemoryContextAllocZero(ctx, sizeof(FitState));

	st->opts = *o;
	st->cap = cap < 64 ? 64 : cap;
	st->days = MemoryContextAllocHuge(ctx, sizeof(int32) * st->cap);
	st->qty = MemoryContextAllocHuge(ctx, sizeof(double) * st->cap);
	return st;
}

static void
state_reserve(FitState *st, int64 need)
{
	if (need <= st->cap)
		return;
	while (st->cap < need)
		st->cap *= 2;
	if ((Size) st->cap * sizeof(double) > MaxAllocHugeSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many rows in one forecast_fit group")));
	st->days = repalloc_huge(st->days, sizeof(int32) * st->cap);
	st->qty = repalloc_huge(st->qty, sizeof(double) * st->cap);
}

static Datum
fit_transfn(FunctionCallInfo fcinfo, bool with_opts)
{
	MemoryContext aggctx;
	FitState   *st = PG_ARGISNULL(0) ? NULL : (FitState *) PG_GETARG_POINTER(0);
	DateADT		day;
	double		q;

	if (!AggCheckCallContext(fcinfo, &aggctx))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("forecast_fit transition function called outside an aggregate")));
	if (st == NULL)
	{
		FitOpts		o;

		/* options: from the first row that has them */
		parse_opts(with_opts && !PG_ARGISNULL(3) ? PG_GETARG_JSONB_P(3) : NULL, &o);
		st = state_new(aggctx, &o, 64);
	}
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(st);
	day = PG_GETARG_DATEADT(1);
	q = PG_GETARG_FLOAT8(2);
	if (DATE_NOT_FINITE(day))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("forecast_fit: day must be a finite date, got %s",
						DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(day))))));
	if (!isfinite(q))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("forecast_fit: quantity must be a finite number, got %s on %s",
						isnan(q) ? "NaN" : (q > 0 ? "Infinity" : "-Infinity"),
						DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(day)))),
				 errhint("Filter or replace NaN and infinite quantities before aggregating.")));
	state_reserve(st, st->n + 1);
	st->days[st->n] = day;
	st->qty[st->n] = q;
	st->n++;
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(doliflow_forecast_fit_trans);
Datum
doliflow_forecast_fit_trans(PG_FUNCTION_ARGS)
{
	return fit_transfn(fcinfo, false);
}

PG_FUNCTION_INFO_V1(doliflow_forecast_fit_trans_opts);
Datum
doliflow_forecast_fit_trans_opts(PG_FUNCTION_ARGS)
{
	return fit_transfn(fcinfo, true);
}

PG_FUNCTION_INFO_V1(doliflow_forecast_fit_combine);
Datum
doliflow_forecast_fit_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	FitState   *a = PG_ARGISNULL(0) ? NULL : (FitState *) PG_GETARG_POINTER(0);
	FitState   *b = PG_ARGISNULL(1) ? NULL : (FitState *) PG_GETARG_POINTER(1);

	if (!AggCheckCallContext(fcinfo, &aggctx))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("forecast_fit combine function called outside an aggregate")));
	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
	{
		a = state_new(aggctx, &b->opts, b->n);
	}
	state_reserve(a, a->n + b->n);
	memcpy(a->days + a->n, b->days, sizeof(int32) * b->n);
	memcpy(a->qty + a->n, b->qty, sizeof(double) * b->n);
	a->n += b->n;
	PG_RETURN_POINTER(a);
}

#define AS_HDR (4 + 4 + sizeof(FitOpts) + 8)

PG_FUNCTION_INFO_V1(doliflow_forecast_fit_serial);
Datum
doliflow_forecast_fit_serial(PG_FUNCTION_ARGS)
{
	FitState   *st = (FitState *) PG_GETARG_POINTER(0);
	Size		len = AS_HDR + (Size) st->n * (sizeof(int32) + sizeof(double));
	bytea	   *res;
	char	   *p;
	uint32		u;

	if (len + VARHDRSZ > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("forecast_fit state too large to pass between parallel workers")));
	res = (bytea *) palloc(VARHDRSZ + len);
	SET_VARSIZE(res, VARHDRSZ + len);
	p = VARDATA(res);
	u = AS_MAGIC;
	memcpy(p, &u, 4);
	u = AS_VERSION;
	memcpy(p + 4, &u, 4);
	memcpy(p + 8, &st->opts, sizeof(FitOpts));
	memcpy(p + 8 + sizeof(FitOpts), &st->n, 8);
	memcpy(p + AS_HDR, st->days, sizeof(int32) * st->n);
	memcpy(p + AS_HDR + sizeof(int32) * st->n, st->qty, sizeof(double) * st->n);
	PG_RETURN_BYTEA_P(res);
}

PG_FUNCTION_INFO_V1(doliflow_forecast_fit_deserial);
Datum
doliflow_forecast_fit_deserial(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	const char *p = VARDATA_ANY(b);
	Size		len = VARSIZE_ANY_EXHDR(b);
	MemoryContext aggctx;
	FitOpts		o;
	uint32		magic,
				version;
	int64		n,
				i;
	FitState   *st;

	if (!AggCheckCallContext(fcinfo, &aggctx))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("forecast_fit deserial function called outside an aggregate")));
	if (len < AS_HDR)
		goto corrupt;
	memcpy(&magic, p, 4);
	memcpy(&version, p + 4, 4);
	memcpy(&o, p + 8, sizeof(FitOpts));
	memcpy(&n, p + 8 + sizeof(FitOpts), 8);
	if (magic != AS_MAGIC || version != AS_VERSION || !opts_valid(&o) || n < 0 ||
		(uint64) n > (len - AS_HDR) / (sizeof(int32) + sizeof(double)) ||
		len != AS_HDR + (Size) n * (sizeof(int32) + sizeof(double)))
		goto corrupt;
	st = state_new(aggctx, &o, n);
	memcpy(st->days, p + AS_HDR, sizeof(int32) * n);
	memcpy(st->qty, p + AS_HDR + sizeof(int32) * n, sizeof(double) * n);
	for (i = 0; i < n; i++)
		if (!isfinite(st->qty[i]) || DATE_NOT_FINITE(st->days[i]))
			goto corrupt;
	st->n = n;
	PG_RETURN_POINTER(st);
corrupt:
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("invalid or corrupted forecast_fit aggregate state")));
	PG_RETURN_NULL();
}

typedef struct DayQty
{
	int32		day;
	double		qty;
} DayQty;

static int
cmp_dayqty(const void *a, const void *b)
{
	const DayQty *x = a,
			   *y = b;

	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	/* deterministic order of duplicates so that sums do not depend on plans */
	return (x->qty > y->qty) - (x->qty < y->qty);
}

/* fit y (dense) and build the varlena */
static bytea *
fit_series(const double *y, int n, int32 first_day, const FitOpts *o)
{
	FcOptions	fo;
	FcModel    *m = palloc(sizeof(FcModel));
	double	   *fitted = NULL;
	int			rc,
				nf = 0;

	to_fc_options(o, first_day, &fo);
	rc = fc_fit(y, n, o->period, &fo, m);
	if (rc != FC_OK)
		report_fc_error(rc, "forecast_fit");
	if (o->store_fitted)
	{
		fitted = palloc(sizeof(double) * m->n);
		rc = fc_fitted(m, y + (n - m->n), m->n, fitted);
		if (rc != FC_OK)
			report_fc_error(rc, "forecast_fit");
		nf = m->n;
	}
	return model_to_varlena(m, fitted, nf);
}

PG_FUNCTION_INFO_V1(doliflow_forecast_fit_final);
Datum
doliflow_forecast_fit_final(PG_FUNCTION_ARGS)
{
	FitState   *st = PG_ARGISNULL(0) ? NULL : (FitState *) PG_GETARG_POINTER(0);
	DayQty	   *dq;
	double	   *y;
	int64		i;
	int32		first,
				last,
				start;
	int64		span;

	if (st == NULL || st->n == 0)
		PG_RETURN_NULL();
	/* sort a copy: the final function may run more than once on a state */
	dq = palloc_extended(sizeof(DayQty) * st->n, MCXT_ALLOC_HUGE);
	for (i = 0; i < st->n; i++)
	{
		dq[i].day = st->days[i];
		dq[i].qty = st->qty[i];
	}
	qsort(dq, st->n, sizeof(DayQty), cmp_dayqty);
	first = dq[0].day;
	last = dq[st->n - 1].day;
	span = (int64) last - first + 1;
	/* only the last max_obs days are fitted: older days cannot matter */
	start = span > st->opts.max_obs ? last - st->opts.max_obs + 1 : first;
	span = (int64) last - start + 1;
	y = palloc0(sizeof(double) * span);
	for (i = 0; i < st->n; i++)
	{
		if (dq[i].day < start)
			continue;
		y[dq[i].day - start] += dq[i].qty;	/* duplicates are summed */
		if (!isfinite(y[dq[i].day - start]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("forecast_fit: the quantities of one day sum to an infinite value")));
		if ((i & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	PG_RETURN_BYTEA_P(fit_series(y, (int) span, start, &st->opts));
}

/* forecast_array(y float8[], start date, options jsonb) -> forecast_model */
PG_FUNCTION_INFO_V1(doliflow_forecast_array);
Datum
doliflow_forecast_array(PG_FUNCTION_ARGS)
{
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int			n,
				i;
	double	   *y;
	int32		start = 0;
	FitOpts		o;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	arr = PG_GETARG_ARRAYTYPE_P(0);
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("forecast_array expects a one-dimensional array")));
	if (!PG_ARGISNULL(1))
	{
		DateADT		d = PG_GETARG_DATEADT(1);

		if (DATE_NOT_FINITE(d))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("forecast_array: start must be a finite date")));
		start = d;
	}
	parse_opts(PG_ARGISNULL(2) ? NULL : PG_GETARG_JSONB_P(2), &o);
	deconstruct_array(arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &n);
	if (n == 0)
		PG_RETURN_NULL();
	y = palloc(sizeof(double) * n);
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("forecast_array: element %d is NULL", i + 1),
					 errhint("Use 0 for a period without demand.")));
		y[i] = DatumGetFloat8(elems[i]);
		if (!isfinite(y[i]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("forecast_array: element %d is not a finite number", i + 1)));
	}
	if ((int64) start + n > (int64) PG_INT32_MAX - 1000000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("forecast_array: start date too late")));
	PG_RETURN_BYTEA_P(fit_series(y, n, start, &o));
}

/* ------------------------------------------------------------ accessors */

PG_FUNCTION_INFO_V1(doliflow_forecast);
Datum
doliflow_forecast(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	FcModel    *m = get_model(fcinfo, 0, NULL, NULL);
	int32		h = PG_GETARG_INT32(1);
	double		level = PG_GETARG_FLOAT8(2);
	double	   *mean,
			   *lo,
			   *hi;
	int			rc,
				i;

	if (h < 1 || h > FC_MAX_HORIZON)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("forecast horizon must be between 1 and %d, got %d", FC_MAX_HORIZON, h)));
	if (!(level > 0.0 && level < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("forecast level must be strictly between 0 and 1, got %g", level)));
	InitMaterializedSRF(fcinfo, 0);
	mean = palloc(sizeof(double) * h);
	lo = palloc(sizeof(double) * h);
	hi = palloc(sizeof(double) * h);
	rc = fc_forecast(m, h, level, mean, lo, hi);
	if (rc != FC_OK)
		report_fc_error(rc, "forecast");
	for (i = 0; i < h; i++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = DateADTGetDatum(m->first_day + m->n + i);
		values[1] = Float8GetDatum(mean[i]);
		values[2] = Float8GetDatum(lo[i]);
		values[3] = Float8GetDatum(hi[i]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(doliflow_forecast_fitted);
Datum
doliflow_forecast_fitted(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	uint32		nf;
	const char *fp;
	FcModel    *m = get_model(fcinfo, 0, &nf, &fp);
	uint32		i;

	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; i < nf; i++)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};
		float4		f;

		memcpy(&f, fp + i * sizeof(float4), sizeof(float4));
		values[0] = DateADTGetDatum(m->first_day + (int32) i);
		values[1] = Float8GetDatum((double) f);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(doliflow_forecast_summary);
Datum
doliflow_forecast_summary(PG_FUNCTION_ARGS)
{
	FcModel    *m = get_model(fcinfo, 0, NULL, NULL);
	int			need = fc_model_json(m, NULL, 0);
	char	   *buf = palloc(need + 1);
	DateADT		d0 = m->first_day,
				d1 = m->first_day + m->n - 1;
	char	   *full;

	fc_model_json(m, buf, need + 1);
	/* add the calendar: first and last fitted day */
	buf[need - 1] = '\0';		/* drop the closing brace */
	full = psprintf("%s,\"first_date\":\"%s\",\"last_date\":\"%s\"}", buf,
					DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(d0))),
					DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(d1))));
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(full)));
}

PG_FUNCTION_INFO_V1(doliflow_forecast_describe);
Datum
doliflow_forecast_describe(PG_FUNCTION_ARGS)
{
	FcModel    *m = get_model(fcinfo, 0, NULL, NULL);
	int			need = fc_model_describe(m, NULL, 0);
	char	   *buf = palloc(need + 1);

	fc_model_describe(m, buf, need + 1);
	PG_RETURN_TEXT_P(cstring_to_text(buf));
}

/* bytea -> true when the bytes are a valid forecast_model (never raises) */
PG_FUNCTION_INFO_V1(doliflow_forecast_model_is_valid);
Datum
doliflow_forecast_model_is_valid(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	FcModel	   *m = palloc(sizeof(FcModel));
	uint32		nf;
	const char *fp;

	PG_RETURN_BOOL(parse_model_bytes(VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b), m, &nf, &fp));
}
