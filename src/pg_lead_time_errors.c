/*
 * pg_lead_time_errors.c
 *		SQL glue of the lead-time back-test core (lead_time_errors.c):
 *		doliflow._lead_time_errors_product, one product's rows of
 *		doliflow._lead_time_errors (the SQL function builds the arrays of
 *		every product in one scan of each source and calls this per product).
 *
 *	 _lead_time_errors_product(q_days date[], q float8[], hol boolean[],
 *		first_day date, first_origin date, p_origins int, p_step int,
 *		dow_days int, level_days int, lead int, review int, last_day date,
 *		lt_received date[], lt_days int[])
 *	 RETURNS TABLE (origin date, level float8, dow_factor float8[], sigma float8,
 *		lead_time_days int, risk_days int, days date[], errors float8[], known_on date[])
 *
 * The grid is the days first_day .. first_day + cardinality(hol) - 1 (hol[i]:
 * day i is a public holiday); the demand is sparse, q[i] on q_days[i] (each
 * day at most once; days outside the grid are ignored, missing days are 0).
 * Origins first_origin + k x p_step, k < p_origins.  Every array is
 * one-dimensional (or empty) without NULL elements.
 *
 * Copyright (C) 2026 the doliflow authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/int.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "lead_time_errors.h"

#define FN "doliflow._lead_time_errors_product"

/* the errors of one origin, collected by the core's callback */
typedef struct lte_buf
{
	int64		n,
				cap;
	int64	   *day;
	int64	   *horizon;
	double	   *error;
} lte_buf;

static int
lte_collect(void *arg, int64_t day, int64_t horizon, double error)
{
	lte_buf    *b = (lte_buf *) arg;

	if (b->n == b->cap)
	{
		int64		cap = b->cap * 2;

		if (cap > (int64) (MaxAllocSize / sizeof(double)))
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg(FN ": more than %ld errors at one origin", (long) b->cap)));
		b->day = repalloc(b->day, cap * sizeof(int64));
		b->horizon = repalloc(b->horizon, cap * sizeof(int64));
		b->error = repalloc(b->error, cap * sizeof(double));
		b->cap = cap;
	}
	b->day[b->n] = day;
	b->horizon[b->n] = horizon;
	b->error[b->n] = error;
	b->n++;
	return 0;
}

/* a one-dimensional array without NULL elements: its elements */
static void
get_array(ArrayType *a, Oid elemtype, const char *argname, Datum **elems, int *n)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;
	bool	   *nulls;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg(FN ": argument %s must be a one-dimensional array, not %d-dimensional", argname, ARR_NDIM(a))));
	if (ARR_ELEMTYPE(a) != elemtype)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg(FN ": argument %s has the wrong element type", argname)));
	if (array_contains_nulls(a))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg(FN ": argument %s must not contain NULL elements", argname)));
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	deconstruct_array(a, elemtype, typlen, typbyval, typalign, elems, &nulls, n);
}

static DateADT
finite_date_arg(FunctionCallInfo fcinfo, int i, const char *argname)
{
	DateADT		d = PG_GETARG_DATEADT(i);

	if (DATE_NOT_FINITE(d))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg(FN ": argument %s must be a finite date", argname)));
	return d;
}

/* the date first_day + idx, which must exist */
static DateADT
lte_date(DateADT first_day, int64 idx, const char *what)
{
	int64		d = (int64) first_day + idx;

	if (!IS_VALID_DATE(d))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg(FN ": %s out of the range of dates", what)));
	return (DateADT) d;
}

static void
report_lte_status(int st)
{
	const char *arg;

	switch (st)
	{
		case LTE_E_N:
			arg = "hol";
			break;
		case LTE_E_DOW_DAYS:
			arg = "dow_days";
			break;
		case LTE_E_LEVEL_DAYS:
			arg = "level_days";
			break;
		case LTE_E_LEAD:
			arg = "lead";
			break;
		case LTE_E_REVIEW:
			arg = "review";
			break;
		case LTE_E_LAST_DAY:
			arg = "last_day";
			break;
		case LTE_E_STEP:
			arg = "p_step";
			break;
		case LTE_E_ORIGINS:
			arg = "p_origins";
			break;
		case LTE_E_FIRST_ORIGIN:
			arg = "first_origin";
			break;
		case LTE_E_SPAN:
			arg = "p_origins";
			break;
		case LTE_E_LT_RECEIVED:
			arg = "lt_received";
			break;
		case LTE_E_LT_DAYS:
		case LTE_E_N_LT:
			arg = "lt_days";
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg(FN ": %s", lte_strerror(st))));
			return;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg(FN ": invalid argument %s: %s", arg, lte_strerror(st))));
}

PG_FUNCTION_INFO_V1(doliflow_lead_time_errors_product);
Datum
doliflow_lead_time_errors_product(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	DateADT		first_day,
				first_origin,
				last_day;
	int32		p_origins = PG_GETARG_INT32(5),
				p_step = PG_GETARG_INT32(6),
				dow_days = PG_GETARG_INT32(7),
				level_days = PG_GETARG_INT32(8),
				lead = PG_GETARG_INT32(9),
				review = PG_GETARG_INT32(10),
				risk;
	Datum	   *qd_e,
			   *q_e,
			   *hol_e,
			   *ltr_e,
			   *ltd_e;
	int			n_qd,
				n_q,
				n_hol,
				n_ltr,
				n_ltd,
				i;
	MemoryContext work,
				per_origin,
				old;
	lte_input	in;
	double	   *q;
	unsigned char *hol;
	int64	   *lt_received,
			   *lt_days;
	size_t		ws_bytes;
	void	   *ws;
	lte_buf		buf;
	int			st;
	int64		k;

	/* STRICT: no argument is NULL */
	first_day = finite_date_arg(fcinfo, 3, "first_day");
	first_origin = finite_date_arg(fcinfo, 4, "first_origin");
	last_day = finite_date_arg(fcinfo, 11, "last_day");
	if (p_origins < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg(FN ": argument p_origins must not be negative, not %d", p_origins)));
	if (p_step < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg(FN ": argument p_step must be at least 1, not %d", p_step)));
	if (dow_days < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg(FN ": argument dow_days must not be negative, not %d", dow_days)));
	if (level_days < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg(FN ": argument level_days must not be negative, not %d", level_days)));
	if (lead < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg(FN ": argument lead must be at least 1, not %d", lead)));
	if (review < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg(FN ": argument review must be at least 1, not %d", review)));
	if (pg_add_s32_overflow(lead, review, &risk))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg(FN ": lead + review (arguments lead %d and review %d) is out of the range of integers", lead, review)));

	work = AllocSetContextCreate(CurrentMemoryContext, "lead time errors", ALLOCSET_DEFAULT_SIZES);
	per_origin = AllocSetContextCreate(work, "lead time errors of an origin", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(work);

	get_array(PG_GETARG_ARRAYTYPE_P(0), DATEOID, "q_days", &qd_e, &n_qd);
	get_array(PG_GETARG_ARRAYTYPE_P(1), FLOAT8OID, "q", &q_e, &n_q);
	get_array(PG_GETARG_ARRAYTYPE_P(2), BOOLOID, "hol", &hol_e, &n_hol);
	get_array(PG_GETARG_ARRAYTYPE_P(12), DATEOID, "lt_received", &ltr_e, &n_ltr);
	get_array(PG_GETARG_ARRAYTYPE_P(13), INT4OID, "lt_days", &ltd_e, &n_ltd);
	if (n_qd != n_q)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg(FN ": arguments q_days and q must have the same length, not %d and %d", n_qd, n_q)));
	if (n_ltr != n_ltd)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg(FN ": arguments lt_received and lt_days must have the same length, not %d and %d", n_ltr, n_ltd)));

	/* the grid: dense demand (0 on missing days), holiday flags; its workspace
	 * (running sums: 7 + 7 + 2 values a day) must fit one allocation */
	if ((Size) n_hol > (MaxAllocSize - 4096) / (16 * sizeof(double)))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg(FN ": argument hol has too many days (%d; at most %d)",
						n_hol, (int) ((MaxAllocSize - 4096) / (16 * sizeof(double))))));
	q = palloc0(sizeof(double) * Max(n_hol, 1));
	hol = palloc(Max(n_hol, 1));
	for (i = 0; i < n_hol; i++)
		hol[i] = DatumGetBool(hol_e[i]) ? 1 : 0;
	{
		bool	   *seen = palloc0(Max(n_hol, 1));

		for (i = 0; i < n_q; i++)
		{
			DateADT		d = DatumGetDateADT(qd_e[i]);
			int64		idx;

			if (DATE_NOT_FINITE(d))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg(FN ": argument q_days must hold finite dates (element %d)", i + 1)));
			idx = (int64) d - first_day;
			if (idx < 0 || idx >= n_hol)
				continue;		/* outside the grid: not used */
			if (seen[idx])
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg(FN ": argument q_days holds %s more than once",
								DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(d))))));
			seen[idx] = true;
			q[idx] = DatumGetFloat8(q_e[i]);
		}
		pfree(seen);
	}
	lt_received = palloc(sizeof(int64) * Max(n_ltr, 1));
	lt_days = palloc(sizeof(int64) * Max(n_ltr, 1));
	for (i = 0; i < n_ltr; i++)
	{
		DateADT		d = DatumGetDateADT(ltr_e[i]);

		if (DATE_NOT_FINITE(d))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg(FN ": argument lt_received must hold finite dates (element %d)", i + 1)));
		lt_received[i] = (int64) d - first_day;
		lt_days[i] = DatumGetInt32(ltd_e[i]);
		if (lt_days[i] < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg(FN ": argument lt_days must not hold a negative lead time (element %d: %d)",
							i + 1, (int) lt_days[i])));
	}

	memset(&in, 0, sizeof(in));
	in.q = q;
	in.hol = hol;
	in.n = n_hol;
	/* ISO weekday: date 2000-01-01 (day 0) was a Saturday (6) */
	in.first_dow = (int) ((((int64) first_day % 7) + 7 + 5) % 7) + 1;
	in.dow_days = dow_days;
	in.level_days = level_days;
	in.lead = lead;
	in.review = review;
	in.last_day = (int64) last_day - first_day;
	in.first_origin = (int64) first_origin - first_day;
	in.n_origins = p_origins;
	in.step = p_step;
	in.lt_received = lt_received;
	in.lt_days = lt_days;
	in.n_lt = n_ltr;

	st = lte_check(&in);
	if (st != LTE_OK)
		report_lte_status(st);
	ws_bytes = lte_workspace_bytes(&in);
	if (ws_bytes == 0 || ws_bytes > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg(FN ": too many days in argument hol (%d) or lead times in lt_days (%d)", n_hol, n_ltr)));
	ws = palloc(ws_bytes);
	st = lte_prepare(&in, ws);
	if (st != LTE_OK)
		report_lte_status(st);

	MemoryContextSwitchTo(old);
	InitMaterializedSRF(fcinfo, 0);
	MemoryContextSwitchTo(work);

	buf.n = 0;
	buf.cap = 64;
	buf.day = palloc(buf.cap * sizeof(int64));
	buf.horizon = palloc(buf.cap * sizeof(int64));
	buf.error = palloc(buf.cap * sizeof(double));
	for (k = 0; k < p_origins; k++)
	{
		lte_model	m;
		Datum		values[9];
		bool		nulls[9] = {false, false, false, false, false, false, false, false, false};
		Datum		fd[7];
		Datum	   *dd,
				   *ed,
				   *kd;
		int64		j;

		CHECK_FOR_INTERRUPTS();
		buf.n = 0;
		st = lte_origin(&in, ws, k, &m, lte_collect, &buf);
		if (st != LTE_OK)
			report_lte_status(st);

		MemoryContextSwitchTo(per_origin);
		for (j = 0; j < 7; j++)
			fd[j] = Float8GetDatum(m.dow_factor[j]);
		dd = palloc(sizeof(Datum) * Max(buf.n, 1));
		ed = palloc(sizeof(Datum) * Max(buf.n, 1));
		kd = palloc(sizeof(Datum) * Max(buf.n, 1));
		for (j = 0; j < buf.n; j++)
		{
			dd[j] = DateADTGetDatum(lte_date(first_day, buf.day[j], "a decision day"));
			ed[j] = Float8GetDatum(buf.error[j]);
			kd[j] = DateADTGetDatum(lte_date(first_day, buf.day[j] + buf.horizon[j], "the day an error is known on"));
		}
		values[0] = DateADTGetDatum(lte_date(first_day, m.origin, "an origin"));
		values[1] = Float8GetDatum(m.level);
		values[2] = PointerGetDatum(construct_array(fd, 7, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		values[3] = Float8GetDatum(m.sigma);
		values[4] = Int32GetDatum(lead);
		values[5] = Int32GetDatum(risk);
		values[6] = PointerGetDatum(construct_array(dd, (int) buf.n, DATEOID, sizeof(DateADT), true, TYPALIGN_INT));
		values[7] = PointerGetDatum(construct_array(ed, (int) buf.n, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		values[8] = PointerGetDatum(construct_array(kd, (int) buf.n, DATEOID, sizeof(DateADT), true, TYPALIGN_INT));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		MemoryContextSwitchTo(work);
		MemoryContextReset(per_origin);
	}

	MemoryContextSwitchTo(old);
	MemoryContextDelete(work);
	return (Datum) 0;
}
