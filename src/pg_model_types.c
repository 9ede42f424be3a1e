/*
 * pg_model_types.c: the SQL types iforest_model, kmeans_model and duration_model
 * (text and binary I/O, the checked cast from bytea) around the cores' readers.
 *
 * Copyright (C) 2026 the doliflow authors; GPL-3.0-or-later.
 */
#include "postgres.h"

#include "common/base64.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

#include "duration_model.h"
#include "iforest.h"
#include "kmeans.h"
#include "pg_ana_glue.h"

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
