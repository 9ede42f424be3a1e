/*
 * pg_forecast.c
 *		SQL glue of the forecasting core (forecast.h): the forecast_model type,
 *		the forecast_fit aggregate and its accessors.
 *
 * Copyright (C) 2026 the doliflow authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * forecast_model value (a varlena), version 3: one ana_common container (the
 * serialization helper of every model type: ana_common.h) with one checksum,
 * every field little-endian whatever the host:
 *   u32 magic "DFFM" | u16 version 3 | u16 flags 0 | u64 payload length |
 *   u64 FNV-1a 64 of the payload | payload:
 *   the model (fc_model_write(): fixed part, then each member as kind, length,
 *   fields), u32 n_events and the events (u32 name length, name bytes, i32 kind
 *   (0 = days/ranges, 1 = French public holidays), i32 fixed, f64 prior_mean,
 *   f64 prior_scale, u32 n_ranges, i32 ranges[2 * n_ranges]: first and last day
 *   of each occurrence, so that forecast() knows the future ones), u32 n_fitted,
 *   n_fitted float4 fitted values (IEEE 754 bits as u32).
 * Versions 1 and 2 (0.1.0 and earlier 0.2.0 builds, x86-64 / little-endian) are
 * still read, decoded explicitly little-endian: u32 magic, u32 version, u32
 * model_len, u32 n_fitted, u32 FNV-1a 32 of everything else, u32 events_len
 * (version 2), the model in its format 1 or 2 (forecast.c), the events (u32
 * n_events, then per event char name[64], i32 kind, i32 fixed, i32 n_ranges,
 * i32 pad, f64 prior_mean, f64 prior_scale, i32 ranges[2 * n_ranges]), n_fitted
 * float4.  Text output keeps the stored bytes (a dump restores them as they
 * were); binary send always writes version 3.
 * Every value read from disk, from a bytea cast, from text or from the wire is
 * checked (lengths, the core's checksum and validation, finite fitted values)
 * before use: corrupted bytes raise an error, never crash.
 *
 * forecast_fit aggregate state: a sparse buffer of (day, qty) pairs in the
 * aggregate memory context (only the quantities while the days are
 * consecutive) plus a copy of the options jsonb (parsed by the final
 * function); serialized for parallel query as magic, version, int64 n,
 * uint32 options text length, the options as text, int32 days[n],
 * float8 qty[n].  Parallel workers only scan and append: combine
 * concatenates buffers and the final function (sort-free scatter into a
 * dense series, then the fit) runs in the leader.
 */
#include "postgres.h"

#include <ctype.h>
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
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/tuplestore.h"

#include "ana_common.h"
#include "forecast.h"
#include "holidays.h"

#define FM_MAGIC		0x4d464644u	/* "DFFM" */
#define FM_VERSION		3		/* 3: ana_common container; 1 and 2 still read */
#define FM_HDR_V1		20
#define FM_HDR			24
#define AS_MAGIC		0x53414644u	/* "DFAS" */
#define AS_VERSION		2
#define EV_NAME_LEN		64
#define EV_HDR			(EV_NAME_LEN + 4 * 4 + 2 * 8)
#define EV_MAX			PROPHET_MAX_REGRESSORS
#define EV_MAX_RANGES	10000
#define EV_KIND_DAYS	0
#define EV_KIND_HOL_FR	1
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
	int32		tier;
	int32		freq;			/* FC_FREQ_*, 0 = not given (inferred) */
	int32		horizon;		/* 0 = not given */
	int32		missing;		/* MISSING_* */
	bool		period_given;
} FitOpts;

#define MISSING_UNSET		0	/* forecast_fit: zero; forecast_array: error */
#define MISSING_ZERO		1
#define MISSING_INTERPOLATE	2

/* one event / holiday regressor (see the events description above) */
typedef struct EvItem
{
	char		name[EV_NAME_LEN];
	int32		kind;
	int32		fixed;
	int32		n_ranges;
	int32		cap;			/* allocated ranges (not serialized) */
	double		prior_mean;
	double		prior_scale;	/* <= 0: the core's default (flat) */
	int32	   *ranges;			/* 2 * n_ranges days */
} EvItem;

typedef struct EvSet
{
	int			n;
	EvItem		ev[EV_MAX];
} EvSet;

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
	o->tier = d.tier;
	o->freq = 0;
	o->horizon = 0;
	o->missing = MISSING_UNSET;
	o->period_given = false;
}

/* default seasonal period of a frequency (see 40_forecast.sql) */
static int
freq_default_period(int freq)
{
	switch (freq)
	{
		case FC_FREQ_WEEK:
			return 52;
		case FC_FREQ_MONTH:
			return 12;
		case FC_FREQ_QUARTER:
			return 4;
		case FC_FREQ_YEAR:
			return 1;
	}
	return 7;
}

/* the period once the frequency is known */
static void
resolve_period(FitOpts *o, int freq)
{
	o->freq = freq;
	if (!o->period_given)
		o->period = freq_default_period(freq);
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
	fo->tier = o->tier;
	fo->freq = o->freq > 0 ? o->freq : FC_FREQ_DAY;
	fo->horizon = o->horizon;
}

static const char *valid_keys =
"method, freq, period, horizon, missing, nonneg, holdout, origins, max_obs, croston_optimize, prophet, ensemble, fitted, events, holidays";
static const char *valid_event_keys = "name, days, ranges, prior_mean, prior_scale, fixed";

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

static double
json_num(JsonbValue *v, const char *what, const char *key)
{
	double		x;

	if (v->type != jbvNumeric)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: \"%s\" must be a finite number", what, key)));
	x = DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(v->val.numeric)));
	if (!isfinite(x))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: \"%s\" must be a finite number", what, key)));
	return x;
}

/* strict YYYY-MM-DD -> day number (days since 2000-01-01) */
static int32
json_day(JsonbValue *v, const char *what)
{
	char		buf[16];
	int			y,
				m,
				d,
				y2,
				m2,
				d2,
				i;
	int32		day;

	if (v->type != jbvString || v->val.string.len != 10)
		goto bad;
	memcpy(buf, v->val.string.val, 10);
	buf[10] = '\0';
	for (i = 0; i < 10; i++)
		if ((i == 4 || i == 7) ? buf[i] != '-' : !isdigit((unsigned char) buf[i]))
			goto bad;
	y = atoi(buf);
	m = atoi(buf + 5);
	d = atoi(buf + 8);
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > 31)
		goto bad;
	day = hol_days_from_civil(y, m, d);
	hol_civil_from_days(day, &y2, &m2, &d2);
	if (y2 != y || m2 != m || d2 != d)
		goto bad;
	return day;
bad:
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_DATETIME_FORMAT),
			 errmsg("%s: invalid date %s", what,
					v->type == jbvString ? quote_literal_cstr(pnstrdup(v->val.string.val, v->val.string.len)) :
					"(not a string)"),
			 errhint("Dates are strings \"YYYY-MM-DD\".")));
	return 0;
}

/* iterate over the elements of an array container; returns palloc'd values */
static JsonbValue *
json_array_elems(JsonbValue *v, const char *what, const char *key, int *n)
{
	JsonbIterator *it;
	JsonbValue	e;
	JsonbIteratorToken tok;
	JsonbValue *out;
	int			cap = 16,
				k = 0;

	if (v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data) ||
		JsonContainerIsScalar(v->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: \"%s\" must be a JSON array", what, key)));
	out = palloc(sizeof(JsonbValue) * cap);
	it = JsonbIteratorInit(v->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &e, true)) != WJB_DONE)
	{
		if (tok != WJB_ELEM)
			continue;
		if (k == cap)
		{
			cap *= 2;
			out = repalloc(out, sizeof(JsonbValue) * cap);
		}
		out[k++] = e;
	}
	*n = k;
	return out;
}

static void
add_range(EvItem *ev, int32 a, int32 b, const char *what)
{
	if (b < a)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: a range ends before it starts", what)));
	if (ev->n_ranges >= EV_MAX_RANGES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: too many days or ranges (at most %d)", what, EV_MAX_RANGES)));
	if (ev->n_ranges >= ev->cap)
	{
		ev->cap = ev->cap ? 2 * ev->cap : 16;
		ev->ranges = ev->ranges ? repalloc(ev->ranges, sizeof(int32) * 2 * ev->cap) :
			palloc(sizeof(int32) * 2 * ev->cap);
	}
	ev->ranges[2 * ev->n_ranges] = a;
	ev->ranges[2 * ev->n_ranges + 1] = b;
	ev->n_ranges++;
}

static EvItem *
new_event(EvSet *es, const char *name)
{
	EvItem	   *ev;
	int			i;

	if (es->n >= EV_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many forecast events: at most %d (holidays count as one)", EV_MAX)));
	if (name[0] == '\0' || strlen(name) >= EV_NAME_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("forecast event name must have 1 to %d bytes", EV_NAME_LEN - 1)));
	for (i = 0; i < es->n; i++)
		if (strcmp(es->ev[i].name, name) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("forecast event \"%s\" is given twice", name)));
	ev = &es->ev[es->n++];
	memset(ev, 0, sizeof(*ev));
	strlcpy(ev->name, name, EV_NAME_LEN);
	return ev;
}

/* prior_mean / prior_scale / fixed keys shared by events and holidays */
static bool
event_prior_key(EvItem *ev, const char *key, JsonbValue *val, const char *what)
{
	if (strcmp(key, "prior_mean") == 0)
		ev->prior_mean = json_num(val, what, key);
	else if (strcmp(key, "prior_scale") == 0)
	{
		ev->prior_scale = json_num(val, what, key);
		if (!(ev->prior_scale > 0.0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: \"prior_scale\" must be positive", what)));
	}
	else if (strcmp(key, "fixed") == 0)
		ev->fixed = json_bool(val, key);
	else
		return false;
	return true;
}

/* "events": [{"name": ..., "days": [...], "ranges": [[a, b], ...], ...}, ...] */
static void
parse_events(JsonbValue *v, EvSet *es)
{
	int			nel,
				k;
	JsonbValue *el = json_array_elems(v, "forecast option \"events\"", "events", &nel);

	for (k = 0; k < nel; k++)
	{
		JsonbIterator *it;
		JsonbValue	kv,
					val;
		JsonbIteratorToken tok;
		char	   *name = NULL;
		JsonbValue *days = NULL,
				   *ranges = NULL;
		JsonbValue	dv,
					rv;
		char		what[EV_NAME_LEN + 32];
		EvItem	   *ev;
		EvItem		pri;
		bool		has_mean = false,
					has_scale = false,
					has_fixed = false;

		if (el[k].type != jbvBinary || !JsonContainerIsObject(el[k].val.binary.data))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("forecast option \"events\": element %d is not a JSON object", k + 1),
					 errhint("Each event is {\"name\": ..., \"days\": [...] or \"ranges\": [[first, last], ...], \"prior_mean\": ..., \"prior_scale\": ..., \"fixed\": ...}.")));
		memset(&pri, 0, sizeof(pri));
		it = JsonbIteratorInit(el[k].val.binary.data);
		while ((tok = JsonbIteratorNext(&it, &kv, true)) != WJB_DONE)
		{
			char	   *key;

			if (tok != WJB_KEY)
				continue;
			key = pnstrdup(kv.val.string.val, kv.val.string.len);
			tok = JsonbIteratorNext(&it, &val, true);
			if (strcmp(key, "name") == 0)
			{
				if (val.type != jbvString)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("forecast event %d: \"name\" must be a string", k + 1)));
				name = pnstrdup(val.val.string.val, val.val.string.len);
			}
			else if (strcmp(key, "days") == 0)
			{
				dv = val;
				days = &dv;
			}
			else if (strcmp(key, "ranges") == 0)
			{
				rv = val;
				ranges = &rv;
			}
			else if (strcmp(key, "prior_mean") == 0 || strcmp(key, "prior_scale") == 0 ||
					 strcmp(key, "fixed") == 0)
			{
				snprintf(what, sizeof(what), "forecast event %d", k + 1);
				event_prior_key(&pri, key, &val, what);
				has_mean |= strcmp(key, "prior_mean") == 0;
				has_scale |= strcmp(key, "prior_scale") == 0;
				has_fixed |= strcmp(key, "fixed") == 0;
			}
			else
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("unknown key \"%s\" in forecast event %d", key, k + 1),
						 errhint("Valid event keys: %s.", valid_event_keys)));
		}
		if (name == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("forecast event %d has no \"name\"", k + 1)));
		if (days == NULL && ranges == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("forecast event \"%s\" has neither \"days\" nor \"ranges\"", name)));
		ev = new_event(es, name);
		ev->kind = EV_KIND_DAYS;
		ev->prior_mean = pri.prior_mean;
		ev->prior_scale = pri.prior_scale;
		ev->fixed = pri.fixed;
		(void) has_mean;
		(void) has_scale;
		(void) has_fixed;
		snprintf(what, sizeof(what), "forecast event \"%s\"", name);
		if (days)
		{
			int			nd,
						i;
			JsonbValue *d = json_array_elems(days, what, "days", &nd);

			for (i = 0; i < nd; i++)
			{
				int32		day = json_day(&d[i], what);

				add_range(ev, day, day, what);
			}
		}
		if (ranges)
		{
			int			nr,
						i;
			JsonbValue *r = json_array_elems(ranges, what, "ranges", &nr);

			for (i = 0; i < nr; i++)
			{
				int			np;
				JsonbValue *pair;

				if (r[i].type != jbvBinary)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("%s: each range must be an array [first, last]", what)));
				pair = json_array_elems(&r[i], what, "ranges", &np);
				if (np != 2)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("%s: each range must be an array [first, last]", what)));
				add_range(ev, json_day(&pair[0], what), json_day(&pair[1], what), what);
			}
		}
	}
}

/* "holidays": "fr" or {"country": "fr", "name": ..., "prior_mean": ..., ...} */
static void
parse_holidays(JsonbValue *v, EvSet *es)
{
	const char *what = "forecast option \"holidays\"";
	char	   *country = NULL;
	char	   *name = NULL;
	EvItem		pri;
	EvItem	   *ev;

	memset(&pri, 0, sizeof(pri));
	if (v->type == jbvString)
		country = pnstrdup(v->val.string.val, v->val.string.len);
	else if (v->type == jbvBinary && JsonContainerIsObject(v->val.binary.data))
	{
		JsonbIterator *it = JsonbIteratorInit(v->val.binary.data);
		JsonbValue	kv,
					val;
		JsonbIteratorToken tok;

		while ((tok = JsonbIteratorNext(&it, &kv, true)) != WJB_DONE)
		{
			char	   *key;

			if (tok != WJB_KEY)
				continue;
			key = pnstrdup(kv.val.string.val, kv.val.string.len);
			tok = JsonbIteratorNext(&it, &val, true);
			if (strcmp(key, "country") == 0 && val.type == jbvString)
				country = pnstrdup(val.val.string.val, val.val.string.len);
			else if (strcmp(key, "name") == 0 && val.type == jbvString)
				name = pnstrdup(val.val.string.val, val.val.string.len);
			else if (!event_prior_key(&pri, key, &val, what))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("unknown or invalid key \"%s\" in forecast option \"holidays\"", key),
						 errhint("Valid keys: country (\"fr\"), name, prior_mean, prior_scale, fixed.")));
		}
	}
	else if (v->type == jbvNull)
		return;
	if (country == NULL || pg_strcasecmp(country, "fr") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: unknown holiday calendar %s", what,
						country ? quote_literal_cstr(country) : "(none)"),
				 errhint("Supported: \"fr\" (the 11 public holidays of metropolitan France), as a string or {\"country\": \"fr\", ...}.")));
	ev = new_event(es, name ? name : "holidays_fr");
	ev->kind = EV_KIND_HOL_FR;
	ev->prior_mean = pri.prior_mean;
	ev->prior_scale = pri.prior_scale;
	ev->fixed = pri.fixed;
}

/*
 * "freq": day, week, month, quarter, year (also daily, weekly, monthly,
 * quarterly, yearly, annual) or an interval of one of those lengths ("1 day",
 * "7 days", "1 mon", "3 months", "12 months", "1 year").
 */
static int
parse_freq(JsonbValue *v)
{
	static const struct
	{
		const char *name;
		int			freq;
	}			names[] = {
		{"day", FC_FREQ_DAY}, {"daily", FC_FREQ_DAY},
		{"week", FC_FREQ_WEEK}, {"weekly", FC_FREQ_WEEK},
		{"month", FC_FREQ_MONTH}, {"monthly", FC_FREQ_MONTH},
		{"quarter", FC_FREQ_QUARTER}, {"quarterly", FC_FREQ_QUARTER},
		{"year", FC_FREQ_YEAR}, {"yearly", FC_FREQ_YEAR}, {"annual", FC_FREQ_YEAR}
	};
	char	   *str,
			   *p,
			   *end;
	int			k;
	long		count = 1;
	size_t		ul;

	if (v->type != jbvString || v->val.string.len > 40)
		goto bad;
	str = pnstrdup(v->val.string.val, v->val.string.len);
	for (k = 0; k < lengthof(names); k++)
		if (pg_strcasecmp(str, names[k].name) == 0)
			return names[k].freq;
	/* an interval: [count] unit, e.g. "7 days", "3 months", "1 year" */
	p = str;
	while (*p == ' ')
		p++;
	if (isdigit((unsigned char) *p))
	{
		count = strtol(p, &end, 10);
		if (count < 1 || count > 12)
			goto bad;
		p = end;
	}
	while (*p == ' ')
		p++;
	ul = strlen(p);
	while (ul > 0 && p[ul - 1] == ' ')
		p[--ul] = '\0';
	if (ul > 1 && (p[ul - 1] == 's' || p[ul - 1] == 'S'))
		p[--ul] = '\0';
	if (pg_strcasecmp(p, "day") == 0)
	{
		if (count == 1)
			return FC_FREQ_DAY;
		if (count == 7)
			return FC_FREQ_WEEK;
	}
	else if (pg_strcasecmp(p, "week") == 0 && count == 1)
		return FC_FREQ_WEEK;
	else if (pg_strcasecmp(p, "mon") == 0 || pg_strcasecmp(p, "month") == 0)
	{
		if (count == 1)
			return FC_FREQ_MONTH;
		if (count == 3)
			return FC_FREQ_QUARTER;
		if (count == 12)
			return FC_FREQ_YEAR;
	}
	else if (pg_strcasecmp(p, "quarter") == 0 && count == 1)
		return FC_FREQ_QUARTER;
	else if (pg_strcasecmp(p, "year") == 0 && count == 1)
		return FC_FREQ_YEAR;
bad:
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("forecast option \"freq\" must be day, week, month, quarter or year (or an interval of that length)")));
	return 0;
}

static void
parse_opts(Jsonb *jb, FitOpts *o, EvSet *es)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	default_opts(o);
	if (es)
		es->n = 0;
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
		if (strcmp(key, "events") == 0)
		{
			if (es && val.type != jbvNull)
				parse_events(&val, es);
			continue;
		}
		if (strcmp(key, "holidays") == 0)
		{
			if (es)
				parse_holidays(&val, es);
			continue;
		}
		if (tok != WJB_VALUE || val.type == jbvBinary)
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
			o->tier = FC_TIER_DEFAULT;
			if (strcmp(m, "auto_fast") == 0)
			{
				o->method = FC_AUTO;
				o->tier = FC_TIER_FAST;
				continue;
			}
			if (strcmp(m, "auto_full") == 0)
			{
				o->method = FC_AUTO;
				o->tier = FC_TIER_FULL;
				continue;
			}
			for (k = 0; k < FC_N_METHODS; k++)
				if (strcmp(m, fc_method_name(k)) == 0)
					break;
			if (k == FC_N_METHODS)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("unknown forecast method \"%s\"", m),
						 errhint("Methods: auto, auto_fast, auto_full, zero, mean, naive, ets, croston, sba, tsb, theta, prophet, ensemble_mean, ensemble_median.")));
			o->method = k;
		}
		else if (strcmp(key, "period") == 0)
		{
			o->period = json_int(&val, key, 1, FC_MAX_PERIOD);
			o->period_given = true;
		}
		else if (strcmp(key, "freq") == 0)
			o->freq = parse_freq(&val);
		else if (strcmp(key, "horizon") == 0)
			o->horizon = json_int(&val, key, 1, FC_MAX_HORIZON);
		else if (strcmp(key, "missing") == 0)
		{
			if (val.type == jbvString && val.val.string.len == 4 &&
				strncmp(val.val.string.val, "zero", 4) == 0)
				o->missing = MISSING_ZERO;
			else if (val.type == jbvString && val.val.string.len == 11 &&
					 strncmp(val.val.string.val, "interpolate", 11) == 0)
				o->missing = MISSING_INTERPOLATE;
			else
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("forecast option \"missing\" must be \"zero\" or \"interpolate\"")));
		}
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
		case FC_ERANGE:
			code = ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;
			break;
		case FC_ENUMERIC:
			code = ERRCODE_DATA_EXCEPTION;
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

/*
 * Little-endian decoding of the version-1/2 values (written by x86-64 builds as host
 * order, i.e. little-endian): explicit shifts, so any host reads them.
 */
static uint32
le_u32(const char *p)
{
	const unsigned char *q = (const unsigned char *) p;

	return (uint32) q[0] | ((uint32) q[1] << 8) | ((uint32) q[2] << 16) | ((uint32) q[3] << 24);
}

static int32
le_i32(const char *p)
{
	uint32		u = le_u32(p);
	int32		v;

	memcpy(&v, &u, 4);
	return v;
}

static double
le_f64(const char *p)
{
	uint64		u = (uint64) le_u32(p) | ((uint64) le_u32(p + 4) << 32);
	double		v;

	memcpy(&v, &u, 8);
	return v;
}

static float4
le_f32(const char *p)
{
	uint32		u = le_u32(p);
	float4		v;

	memcpy(&v, &u, 4);
	return v;
}

/* version 1/2 checksum: FNV-1a 32 over the value without its checksum field (16..19) */
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

/* the checks of one event read from bytes (every version); ranges not yet read */
static bool
event_header_valid(const EvItem *ev)
{
	return memchr(ev->name, '\0', EV_NAME_LEN) != NULL && ev->name[0] != '\0' &&
		(ev->kind == EV_KIND_DAYS || ev->kind == EV_KIND_HOL_FR) &&
		(ev->fixed == 0 || ev->fixed == 1) &&
		ev->n_ranges >= 0 && ev->n_ranges <= EV_MAX_RANGES &&
		isfinite(ev->prior_mean) && isfinite(ev->prior_scale);
}

static bool
event_ranges_valid(const EvItem *ev)
{
	int			j;

	for (j = 0; j < ev->n_ranges; j++)
		if (ev->ranges[2 * j] > ev->ranges[2 * j + 1] ||
			DATE_NOT_FINITE(ev->ranges[2 * j]) || DATE_NOT_FINITE(ev->ranges[2 * j + 1]))
			return false;
	return true;
}

/*
 * Events of a version-3 value: u32 n_events, then per event u32 name length (1..63),
 * the name's bytes (no NUL), i32 kind, i32 fixed, f64 prior_mean, f64 prior_scale,
 * u32 n_ranges, i32 ranges[2 * n_ranges].
 */
static void
events_write(ana_wbuf *w, const EvSet *es)
{
	int			n = es ? es->n : 0,
				i,
				j;

	ana_w_u32(w, (uint32) n);
	for (i = 0; i < n; i++)
	{
		const EvItem *ev = &es->ev[i];
		size_t		nl = strnlen(ev->name, EV_NAME_LEN - 1);

		ana_w_u32(w, (uint32) nl);
		ana_w_bytes(w, ev->name, nl);
		ana_w_i32(w, ev->kind);
		ana_w_i32(w, ev->fixed);
		ana_w_f64(w, ev->prior_mean);
		ana_w_f64(w, ev->prior_scale);
		ana_w_u32(w, (uint32) ev->n_ranges);
		for (j = 0; j < 2 * ev->n_ranges; j++)
			ana_w_i32(w, ev->ranges[j]);
	}
}

/* read and validate the events of a version-3 value; fill *es when not NULL */
static bool
events_read3(ana_rbuf *r, EvSet *es, uint32 *n_events)
{
	uint32		n = ana_r_u32(r),
				i;

	if (es)
		es->n = 0;
	*n_events = n;
	if (r->err || n > EV_MAX)
		return false;
	for (i = 0; i < n; i++)
	{
		EvItem		ev;
		uint32		nl = ana_r_u32(r),
					nr;
		const unsigned char *name;
		int			j;

		memset(&ev, 0, sizeof(ev));
		if (r->err || nl < 1 || nl >= EV_NAME_LEN || (name = ana_r_bytes(r, nl)) == NULL ||
			memchr(name, '\0', nl) != NULL)
			return false;
		memcpy(ev.name, name, nl);
		ev.kind = ana_r_i32(r);
		ev.fixed = ana_r_i32(r);
		ev.prior_mean = ana_r_f64_any(r);
		ev.prior_scale = ana_r_f64_any(r);
		nr = ana_r_u32(r);
		if (r->err || nr > EV_MAX_RANGES)
			return false;
		ev.n_ranges = (int32) nr;
		if (!event_header_valid(&ev) || ana_r_remaining(r) / 8 < nr)
			return false;
		if (nr > 0)
		{
			ev.ranges = palloc(sizeof(int32) * 2 * nr);
			for (j = 0; j < 2 * ev.n_ranges; j++)
				ev.ranges[j] = ana_r_i32(r);
			if (r->err || !event_ranges_valid(&ev))
				return false;
		}
		if (es)
			es->ev[es->n++] = ev;
		else if (ev.ranges)
			pfree(ev.ranges);
	}
	return true;
}

/* validate the events description of a version-2 value; fill *es when not NULL */
static bool
events_read_legacy(const char *p, Size len, EvSet *es)
{
	uint32		n;
	Size		off = 4;
	int			i;

	if (es)
		es->n = 0;
	if (len == 0)
		return true;
	if (len < 4)
		return false;
	n = le_u32(p);
	if (n > EV_MAX)
		return false;
	for (i = 0; i < (int) n; i++)
	{
		EvItem		ev;
		int32		pad,
					j;

		if (len - off < EV_HDR)
			return false;
		memcpy(ev.name, p + off, EV_NAME_LEN);
		ev.kind = le_i32(p + off + EV_NAME_LEN);
		ev.fixed = le_i32(p + off + EV_NAME_LEN + 4);
		ev.n_ranges = le_i32(p + off + EV_NAME_LEN + 8);
		pad = le_i32(p + off + EV_NAME_LEN + 12);
		ev.prior_mean = le_f64(p + off + EV_NAME_LEN + 16);
		ev.prior_scale = le_f64(p + off + EV_NAME_LEN + 24);
		off += EV_HDR;
		if (!event_header_valid(&ev) || pad != 0 ||
			(Size) ev.n_ranges * 2 * sizeof(int32) > len - off)
			return false;
		ev.ranges = NULL;
		ev.cap = 0;
		if (ev.n_ranges > 0)
		{
			ev.ranges = palloc(sizeof(int32) * 2 * ev.n_ranges);
			for (j = 0; j < 2 * ev.n_ranges; j++)
				ev.ranges[j] = le_i32(p + off + (Size) j * sizeof(int32));
			if (!event_ranges_valid(&ev))
				return false;
		}
		off += (Size) ev.n_ranges * 2 * sizeof(int32);
		if (es)
			es->ev[es->n++] = ev;
		else if (ev.ranges)
			pfree(ev.ranges);
	}
	return off == len;
}

/*
 * Regressor columns of the events for len days from first_day:
 * x[r * len + i] = 1 when day first_day + i is an occurrence of event r.
 */
static double *
events_columns(const EvSet *es, int32 first_day, int len)
{
	double	   *x = palloc0(sizeof(double) * (Size) len * es->n);
	int			r,
				i,
				j;

	for (r = 0; r < es->n; r++)
	{
		const EvItem *ev = &es->ev[r];
		double	   *col = x + (Size) r * len;

		if (ev->kind == EV_KIND_HOL_FR)
		{
			for (i = 0; i < len; i++)
				col[i] = hol_fr(first_day + i) != 0 ? 1.0 : 0.0;
			continue;
		}
		for (j = 0; j < ev->n_ranges; j++)
		{
			int64		a = (int64) ev->ranges[2 * j] - first_day,
						b = (int64) ev->ranges[2 * j + 1] - first_day;

			if (b < 0 || a >= len)
				continue;
			if (a < 0)
				a = 0;
			if (b >= len)
				b = len - 1;
			for (i = (int) a; i <= (int) b; i++)
				col[i] = 1.0;
		}
	}
	return x;
}

/* the whole version-3 value (header included) into w; FC_* status */
static int
value_write(ana_wbuf *w, const FcModel *m, const float4 *fitted, int n_fitted,
			const EvSet *es)
{
	int			rc,
				i;

	ana_w_header(w, FM_MAGIC, FM_VERSION);
	if ((rc = fc_model_write(w, m)) != FC_OK)
		return rc;
	events_write(w, es);
	ana_w_u32(w, (uint32) n_fitted);
	for (i = 0; i < n_fitted; i++)
		ana_w_f32(w, fitted[i]);
	return FC_OK;
}

/* a forecast_model varlena (version 3) from a model, its stored fitted values, events */
static bytea *
model_varlena(const FcModel *m, const float4 *fitted, int n_fitted, const EvSet *es)
{
	ana_wbuf	w;
	size_t		len;
	bytea	   *res;
	int			rc;

	ana_w_init(&w, NULL, 0);	/* counts only */
	rc = value_write(&w, m, fitted, n_fitted, es);
	if (rc != FC_OK)
		report_fc_error(rc, "forecast_model");
	len = w.len;
	if (len > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("forecast_model value would exceed %zu bytes", (size_t) MaxAllocSize)));
	res = (bytea *) palloc(VARHDRSZ + len);
	SET_VARSIZE(res, VARHDRSZ + len);
	ana_w_init(&w, (unsigned char *) VARDATA(res), len);
	rc = value_write(&w, m, fitted, n_fitted, es);
	if (rc != FC_OK || ana_w_finish(&w, &len) != ANA_OK)
		report_fc_error(rc != FC_OK ? rc : FC_ESPACE, "forecast_model");
	return res;
}

/* Build a forecast_model varlena from a fitted model and its fitted values. */
static bytea *
model_to_varlena(const FcModel *m, const double *fitted, int n_fitted, const EvSet *es)
{
	float4	   *f4 = n_fitted > 0 ? palloc(sizeof(float4) * (Size) n_fitted) : NULL;
	int			i;

	for (i = 0; i < n_fitted; i++)
	{
		/* stored on the model's scale (data_scale): within float4 range */
		f4[i] = (float4) (fitted[i] / m->data_scale);
		if (!isfinite(f4[i]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("forecast_fit: a fitted value (%g) is beyond the float4 range of the stored fitted values (3.4e38); use \"fitted\": false",
							fitted[i])));
	}
	return model_varlena(m, f4, n_fitted, es);
}

/* the fitted values: n finite float4, decoded into *fitted when it is not NULL */
static bool
fitted_read(const char *p, uint32 nf, float4 **fitted)
{
	float4	   *out = fitted && nf > 0 ? palloc(sizeof(float4) * (Size) nf) : NULL;
	uint32		i;

	for (i = 0; i < nf; i++)
	{
		float4		f = le_f32(p + (Size) i * sizeof(float4));

		if (!isfinite(f))
			return false;
		if (out)
			out[i] = f;
	}
	if (fitted)
		*fitted = out;
	return true;
}

/* version 3: one ana_common container [model payload | events | u32 n | float4 fitted[n]] */
static bool
parse_model_v3(const char *p, Size len, FcModel *m, uint32 *n_fitted,
			   float4 **fitted, EvSet *es)
{
	ana_rbuf	r;
	uint16_t	version;
	uint32		nev,
				nf;
	int			nreg;

	if (ana_r_open(&r, (const unsigned char *) p, len, FM_MAGIC, FM_VERSION, &version) != ANA_OK ||
		version != FM_VERSION)
		return false;
	if (fc_model_read(&r, m) != FC_OK)
		return false;
	if (!events_read3(&r, es, &nev))
		return false;
	nf = ana_r_u32(&r);
	if (r.err || (nf != 0 && (int64) nf != m->n) ||
		ana_r_remaining(&r) / sizeof(float4) < nf ||
		ana_r_remaining(&r) != (Size) nf * sizeof(float4))
		return false;
	/* a model that uses regressors has exactly one per event */
	nreg = fc_model_n_regressors(m);
	if (nreg > 0 && nev != (uint32) nreg)
		return false;
	if (!fitted_read(p + r.pos, nf, fitted))
		return false;
	*n_fitted = nf;
	return true;
}

/*
 * Versions 1 and 2 (0.1.0 and the 0.2.0 development builds, written by x86-64 /
 * little-endian builds): magic, version, model_len, n_fitted, FNV-1a 32, events_len
 * (version 2) as little-endian u32, the model in its format 1 or 2, the events, the
 * fitted values.  Read with the same checks as those versions did.
 */
static bool
parse_model_legacy(const char *p, Size len, FcModel *m, uint32 *n_fitted,
				   float4 **fitted, EvSet *es)
{
	uint32		magic,
				version,
				mlen,
				nf,
				sum,
				elen = 0;
	Size		hdr;
	int			nreg;

	if (len < FM_HDR_V1)
		return false;
	magic = le_u32(p);
	version = le_u32(p + 4);
	mlen = le_u32(p + 8);
	nf = le_u32(p + 12);
	sum = le_u32(p + 16);
	if (magic != FM_MAGIC || (version != 1 && version != 2))
		return false;
	hdr = version == 1 ? FM_HDR_V1 : FM_HDR;
	if (len < hdr)
		return false;
	if (version >= 2)
		elen = le_u32(p + 20);
	if (fm_checksum(p, len) != sum)
		return false;
	if (mlen > len - hdr || elen > len - hdr - mlen ||
		(Size) nf > (len - hdr - mlen - elen) / sizeof(float4) ||
		len != hdr + mlen + elen + (Size) nf * sizeof(float4))
		return false;
	if (fc_model_deserialize(p + hdr, mlen, m) != FC_OK)
		return false;
	if (nf != 0 && (int64) nf != m->n)
		return false;
	if (!events_read_legacy(p + hdr + mlen, elen, es))
		return false;
	/* a model that uses regressors has exactly one per event */
	nreg = fc_model_n_regressors(m);
	if (nreg > 0 && (elen < 4 ? 0 : le_u32(p + hdr + mlen)) != (uint32) nreg)
		return false;
	if (!fitted_read(p + hdr + mlen + elen, nf, fitted))
		return false;
	*n_fitted = nf;
	return true;
}

/*
 * Validate raw forecast_model bytes (without varlena header) of any version; on
 * success fill *m (and *es when not NULL), the fitted-value count and, when fitted
 * is not NULL, the fitted values (palloc'd, on the model's scale).
 */
static bool
parse_model_bytes(const char *p, Size len, FcModel *m, uint32 *n_fitted,
				  float4 **fitted, EvSet *es)
{
	if (len < 8)
		return false;
	/* versions 1-2: u32 version; 3: u16 version then u16 flags (0) */
	if (le_u32(p + 4) == FM_VERSION)
		return parse_model_v3(p, len, m, n_fitted, fitted, es);
	return parse_model_legacy(p, len, m, n_fitted, fitted, es);
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
get_model(FunctionCallInfo fcinfo, int argno, uint32 *n_fitted, float4 **fitted,
		  EvSet **events)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(argno);
	FcModel    *m = palloc(sizeof(FcModel));
	uint32		nf;
	EvSet	   *es = events ? palloc(sizeof(EvSet)) : NULL;

	if (events)
		*events = es;
	if (!parse_model_bytes(VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b), m, &nf, fitted, es))
		corrupt_error();
	if (n_fitted)
		*n_fitted = nf;
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
	if (!parse_model_bytes(VARDATA(res), dlen, &m, &nf, NULL, NULL))
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
	int			dlen,
				blen,
				need;
	char	   *desc,
			   *out;

	if (!parse_model_bytes(VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b), &m, &nf, NULL, NULL))
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

	SET_VARSIZE(res, VARHDRSZ + len);
	pq_copymsgbytes(buf, VARDATA(res), len);
	if (!parse_model_bytes(VARDATA(res), len, &m, &nf, NULL, NULL))
		corrupt_error();
	PG_RETURN_BYTEA_P(res);
}

PG_FUNCTION_INFO_V1(doliflow_forecast_model_send);
Datum
doliflow_forecast_model_send(PG_FUNCTION_ARGS)
{
	/*
	 * Always the current format, written field by field little-endian by the one
	 * serializer: a value stored by an older version (1 or 2) is sent converted, so
	 * the bytes on the wire never depend on the host or on the stored version.
	 */
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	FcModel		m;
	uint32		nf;
	float4	   *fitted = NULL;
	EvSet	   *es = palloc(sizeof(EvSet));

	if (!parse_model_bytes(VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b), &m, &nf, &fitted, es))
		corrupt_error();
	PG_RETURN_BYTEA_P(model_varlena(&m, fitted, (int) nf, es));
}

/* bytea -> forecast_model, validated */
PG_FUNCTION_INFO_V1(doliflow_forecast_model_from_bytea);
Datum
doliflow_forecast_model_from_bytea(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_P_COPY(0);
	FcModel		m;
	uint32		nf;

	if (!parse_model_bytes(VARDATA(b), VARSIZE(b) - VARHDRSZ, &m, &nf, NULL, NULL))
		corrupt_error();
	PG_RETURN_BYTEA_P(b);
}

/* ------------------------------------------------------------ aggregate */

/*
 * The rows of one group.  While they come one day after the other (the
 * usual case: a table in day order) only the quantities are kept and the
 * days are day0, day0 + 1, ... (days == NULL); the first row off that run
 * writes the days out.  A third of the memory of (day, qty) pairs, so a
 * hash aggregate keeps more groups before it spills.
 */
typedef struct FitState
{
	Jsonb	   *options;		/* NULL or a copy in the aggregate context */
	int64		n;
	int64		cap;
	int32		day0;			/* the first day when days == NULL */
	int32	   *days;			/* NULL: consecutive days from day0 */
	double	   *qty;
	MemoryContext ctx;			/* the aggregate context */
} FitState;

/* first capacity: a year of daily rows; grown by half (3 years: 1,152) */
#define FS_INIT_CAP		512

static FitState *
state_new(MemoryContext ctx, int64 cap)
{
	FitState   *st = MemoryContextAllocZero(ctx, sizeof(FitState));

	st->cap = cap < FS_INIT_CAP ? FS_INIT_CAP : cap;
	st->ctx = ctx;
	st->qty = MemoryContextAllocHuge(ctx, sizeof(double) * st->cap);
	return st;
}

/* day of row i */
static inline int32
state_day(const FitState *st, int64 i)
{
	return st->days ? st->days[i] : (int32) (st->day0 + i);
}

/* write the days out (the rows stop being consecutive) */
static void
state_undense(FitState *st)
{
	int64		i;

	if (st->days)
		return;
	st->days = MemoryContextAllocHuge(st->ctx, sizeof(int32) * st->cap);
	for (i = 0; i < st->n; i++)
		st->days[i] = (int32) (st->day0 + i);
}

/* can row n have day d and the state stay consecutive? */
static inline bool
state_extends(const FitState *st, int32 d)
{
	return st->days == NULL && (st->n == 0 || (int64) d == (int64) st->day0 + st->n);
}

static void
state_reserve(FitState *st, int64 need)
{
	if (need <= st->cap)
		return;
	while (st->cap < need)
		st->cap += st->cap / 2;
	if ((Size) st->cap * sizeof(double) > MaxAllocHugeSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many rows in one forecast_fit group")));
	if (st->days)
		st->days = repalloc_huge(st->days, sizeof(int32) * st->cap);
	st->qty = repalloc_huge(st->qty, sizeof(double) * st->cap);
}

/* the days of the state as an array: the state's own, or a palloc'd copy */
static const int32 *
state_days(const FitState *st)
{
	int32	   *d;
	int64		i;

	if (st->days)
		return st->days;
	d = palloc_extended(sizeof(int32) * (st->n > 0 ? st->n : 1), MCXT_ALLOC_HUGE);
	for (i = 0; i < st->n; i++)
		d[i] = (int32) (st->day0 + i);
	return d;
}

static void
state_set_options(FitState *st, MemoryContext ctx, Jsonb *jb)
{
	st->options = MemoryContextAlloc(ctx, VARSIZE(jb));
	memcpy(st->options, jb, VARSIZE(jb));
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
		st = state_new(aggctx, FS_INIT_CAP);
		/* options: from the first row that has them, validated once here */
		if (with_opts && !PG_ARGISNULL(3))
		{
			FitOpts		o;
			EvSet	   *es = palloc(sizeof(EvSet));

			state_set_options(st, aggctx, PG_GETARG_JSONB_P(3));
			parse_opts(st->options, &o, es);
			pfree(es);
		}
	}
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(st);
	day = PG_GETARG_DATEADT(1);
	q = PG_GETARG_FLOAT8(2);
	if (unlikely(DATE_NOT_FINITE(day)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("forecast_fit: day must be a finite date, got %s",
						DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(day))))));
	if (unlikely(!isfinite(q)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("forecast_fit: quantity must be a finite number, got %s on %s",
						isnan(q) ? "NaN" : (q > 0 ? "Infinity" : "-Infinity"),
						DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(day)))),
				 errhint("Filter or replace NaN and infinite quantities before aggregating.")));
	if (unlikely(st->n >= st->cap))
		state_reserve(st, st->n + 1);
	if (likely(state_extends(st, day)))
	{
		if (st->n == 0)
			st->day0 = day;
	}
	else
	{
		state_undense(st);
		st->days[st->n] = day;
	}
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
		a = state_new(aggctx, b->n);
	if (a->options == NULL && b->options != NULL)
		state_set_options(a, aggctx, b->options);
	state_reserve(a, a->n + b->n);
	if (b->n > 0)
	{
		if (b->days == NULL && state_extends(a, b->day0))
		{
			if (a->n == 0)
				a->day0 = b->day0;
		}
		else
		{
			int64		i;

			state_undense(a);
			for (i = 0; i < b->n; i++)
				a->days[a->n + i] = state_day(b, i);
		}
	}
	memcpy(a->qty + a->n, b->qty, sizeof(double) * b->n);
	a->n += b->n;
	PG_RETURN_POINTER(a);
}

#define AS_HDR (4 + 4 + 8 + 4)

PG_FUNCTION_INFO_V1(doliflow_forecast_fit_serial);
Datum
doliflow_forecast_fit_serial(PG_FUNCTION_ARGS)
{
	FitState   *st = (FitState *) PG_GETARG_POINTER(0);
	char	   *opt = st->options ? JsonbToCString(NULL, &st->options->root, VARSIZE(st->options)) : NULL;
	uint32		olen = opt ? (uint32) strlen(opt) : 0;
	Size		len = AS_HDR + olen + (Size) st->n * (sizeof(int32) + sizeof(double));
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
	memcpy(p + 8, &st->n, 8);
	memcpy(p + 16, &olen, 4);
	if (olen)
		memcpy(p + AS_HDR, opt, olen);
	p += AS_HDR + olen;
	if (st->n > 0)
		memcpy(p, state_days(st), sizeof(int32) * st->n);
	memcpy(p + sizeof(int32) * st->n, st->qty, sizeof(double) * st->n);
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
	uint32		magic,
				version,
				olen;
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
	memcpy(&n, p + 8, 8);
	memcpy(&olen, p + 16, 4);
	if (magic != AS_MAGIC || version != AS_VERSION || n < 0 || olen > len - AS_HDR ||
		(uint64) n > (len - AS_HDR - olen) / (sizeof(int32) + sizeof(double)) ||
		len != AS_HDR + olen + (Size) n * (sizeof(int32) + sizeof(double)))
		goto corrupt;
	st = state_new(aggctx, n);
	if (olen > 0)
	{
		char	   *txt = pnstrdup(p + AS_HDR, olen);

		if (strlen(txt) != olen)
			goto corrupt;
		/* jsonb_in validates the text */
		state_set_options(st, aggctx,
						  DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(txt))));
	}
	p += AS_HDR + olen;
	state_undense(st);
	memcpy(st->days, p, sizeof(int32) * n);
	memcpy(st->qty, p + sizeof(int32) * n, sizeof(double) * n);
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

/* fit y (dense) and build the varlena; o->freq is resolved */
static bytea *
fit_series(const double *y, int n, int32 first_day, int anchor, const FitOpts *o,
		   const EvSet *es)
{
	FcOptions	fo;
	FcModel    *m = palloc(sizeof(FcModel));
	double	   *fitted = NULL,
			   *x = NULL;
	prophet_regressor spec[EV_MAX];
	int			rc,
				r,
				nf = 0;

	to_fc_options(o, first_day, &fo);
	fo.anchor = anchor;
	if (es && es->n > 0)
	{
		if (o->period != 7 || fo.freq != FC_FREQ_DAY)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("forecast events and holidays need daily data (\"freq\": \"day\", \"period\": 7), got freq %s and period %d",
							fc_freq_name(fo.freq), o->period)));
		x = events_columns(es, first_day, n);
		for (r = 0; r < es->n; r++)
		{
			spec[r].prior_mean = es->ev[r].prior_mean;
			spec[r].prior_scale = es->ev[r].prior_scale;
			spec[r].fixed = es->ev[r].fixed;
		}
		fo.xreg = x;
		fo.n_xreg = es->n;
		fo.ld_xreg = n;
		fo.xspec = spec;
	}
	rc = fc_fit(y, n, o->period, &fo, m);
	if (rc != FC_OK)
		report_fc_error(rc, "forecast_fit");
	if (o->store_fitted)
	{
		fitted = palloc(sizeof(double) * m->n);
		rc = fc_fitted_x(m, y + (n - m->n), m->n, x ? x + (n - m->n) : NULL, n, fitted);
		if (rc != FC_OK)
			report_fc_error(rc, "forecast_fit");
		nf = m->n;
	}
	return model_to_varlena(m, fitted, nf, es);
}

/* fill the slots without an observation (seen[k] false) by interpolation */
static void
interpolate_missing(double *y, const bool *seen, int64 len)
{
	int64		k,
				prev = -1;

	for (k = 0; k < len; k++)
	{
		int64		q;

		if (seen[k])
		{
			prev = k;
			continue;
		}
		for (q = k + 1; q < len && !seen[q]; q++)
			;
		if (prev < 0 && q >= len)
			return;				/* nothing observed */
		for (; k < q && k < len; k++)
		{
			if (prev < 0)
				y[k] = y[q];	/* before the first observation */
			else if (q >= len)
				y[k] = y[prev]; /* after the last one */
			else
				y[k] = y[prev] + (y[q] - y[prev]) * (double) (k - prev) / (double) (q - prev);
		}
		k = q - 1;
		if ((k & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
}

static int64
gcd64(int64 a, int64 b)
{
	while (b != 0)
	{
		int64		t = a % b;

		a = b;
		b = t;
	}
	return a < 0 ? -a : a;
}

/*
 * Is every day on the calendar of freq that starts at `first` (the earliest
 * day)?  Sets the anchor (day of month: the first day's, or 31 when every day
 * is a month end) and the number of slots from first to the last day; *bad
 * gets the first day off the calendar.
 */
static bool
on_calendar(const int32 *days, int64 n, int32 first, int32 last, int freq,
			int *anchor, int64 *slots, int32 *bad)
{
	int64		i;

	*anchor = 0;
	switch (freq)
	{
		case FC_FREQ_DAY:
			*slots = (int64) last - first + 1;
			return true;
		case FC_FREQ_WEEK:
			for (i = 0; i < n; i++)
				if (((int64) days[i] - first) % 7 != 0)
				{
					*bad = days[i];
					return false;
				}
			*slots = ((int64) last - first) / 7 + 1;
			return true;
		default:
			{
				int			k = freq == FC_FREQ_MONTH ? 1 : freq == FC_FREQ_QUARTER ? 3 : 12;
				int			y0,
							m0,
							d0;
				bool		same_dom = true,
							all_end = true;
				int64		mmax = 0;

				fc_civil_from_days(first, &y0, &m0, &d0);
				for (i = 0; i < n; i++)
				{
					int			y,
								m,
								d;
					int64		mi;

					fc_civil_from_days(days[i], &y, &m, &d);
					mi = ((int64) y * 12 + m - 1) - ((int64) y0 * 12 + m0 - 1);
					if (d != d0)
						same_dom = false;
					if (d != fc_days_in_month(y, m))
						all_end = false;
					if (mi % k != 0 || (!same_dom && !all_end))
					{
						*bad = days[i];
						return false;
					}
					if (mi > mmax)
						mmax = mi;
				}
				*anchor = same_dom ? d0 : 31;
				*slots = mmax / k + 1;
				return true;
			}
	}
}

/* slot of a day on a calendar (on_calendar() was true) */
static int64
slot_of(int32 day, int32 first, int freq)
{
	int			y,
				m,
				d,
				y0,
				m0,
				d0;

	if (freq == FC_FREQ_DAY)
		return (int64) day - first;
	if (freq == FC_FREQ_WEEK)
		return ((int64) day - first) / 7;
	fc_civil_from_days(day, &y, &m, &d);
	fc_civil_from_days(first, &y0, &m0, &d0);
	return (((int64) y * 12 + m - 1) - ((int64) y0 * 12 + m0 - 1)) /
		(freq == FC_FREQ_MONTH ? 1 : freq == FC_FREQ_QUARTER ? 3 : 12);
}

/*
 * Infer the frequency of the days given to forecast_fit: year, quarter,
 * month or week when every day is on that calendar and at least 3 distinct
 * days cover half of its slots (week: 4 days, 80%); otherwise day (the days
 * without a row are then missing: zero demand by default).  Days with
 * consecutive dates are always daily.
 */
static int
infer_freq(const int32 *days, int64 n, int32 first, int32 last, int *anchor, int64 *slots)
{
	int64		g = 0,
				i,
				sl;
	int			cand = 0;
	int32		bad;

	if (n >= 3)
	{
		if (on_calendar(days, n, first, last, FC_FREQ_MONTH, anchor, &sl, &bad))
		{
			/* months: a whole number of quarters or years apart? */
			for (i = 0; i < n && g != 1; i++)
				g = gcd64(g, slot_of(days[i], first, FC_FREQ_MONTH));
			cand = g % 12 == 0 ? FC_FREQ_YEAR : g % 3 == 0 ? FC_FREQ_QUARTER : FC_FREQ_MONTH;
		}
		else
		{
			for (i = 0; i < n && g != 1; i++)
				g = gcd64(g, (int64) days[i] - first);
			if (g % 7 == 0)
				cand = FC_FREQ_WEEK;
		}
	}
	if (cand != 0 && on_calendar(days, n, first, last, cand, anchor, &sl, &bad) &&
		sl <= 2 * n + 2)
	{
		int64		distinct = 0;
		bool	   *hit = palloc0(sizeof(bool) * sl);
		double		need = cand == FC_FREQ_WEEK ? 0.8 : 0.5;

		for (i = 0; i < n; i++)
		{
			int64		k = slot_of(days[i], first, cand);

			if (!hit[k])
			{
				hit[k] = true;
				distinct++;
			}
		}
		pfree(hit);
		if (distinct >= (cand == FC_FREQ_WEEK ? 4 : 3) && distinct >= need * sl)
		{
			*slots = sl;
			return cand;
		}
	}
	*anchor = 0;
	*slots = (int64) last - first + 1;
	return FC_FREQ_DAY;
}

static const char *
day_text(int32 day)
{
	return DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(day)));
}

PG_FUNCTION_INFO_V1(doliflow_forecast_fit_final);
Datum
doliflow_forecast_fit_final(PG_FUNCTION_ARGS)
{
	FitState   *st = PG_ARGISNULL(0) ? NULL : (FitState *) PG_GETARG_POINTER(0);
	FitOpts		o;
	EvSet	   *es;
	double	   *y;
	bool	   *seen;
	bool		dup = false;
	int64		i,
				span,
				slots;
	int32		first,
				last,
				start;
	int			freq,
				anchor = 0;
	const int32 *days;
	const double *qty;

	if (st == NULL || st->n == 0)
		PG_RETURN_NULL();
	es = palloc(sizeof(EvSet));
	parse_opts(st->options, &o, es);
	days = state_days(st);
	qty = st->qty;
	first = last = days[0];
	for (i = 1; i < st->n; i++)
	{
		if (days[i] < first)
			first = days[i];
		if (days[i] > last)
			last = days[i];
	}
	if (o.freq > 0)
	{
		int32		bad = 0;

		freq = o.freq;
		if (!on_calendar(days, st->n, first, last, freq, &anchor, &slots, &bad))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("forecast_fit: day %s is not on the %s calendar that starts on %s (option \"freq\")",
							day_text(bad), fc_freq_name(freq), day_text(first)),
					 errhint("With \"freq\" %s every day must be %s.", fc_freq_name(freq),
							 freq == FC_FREQ_WEEK ? "a whole number of weeks after the first one" :
							 "on the same day of the month as the first one (or every day a month end), the months a whole number of periods apart")));
	}
	else
		freq = infer_freq(days, st->n, first, last, &anchor, &slots);
	resolve_period(&o, freq);
	if (o.missing == MISSING_UNSET)
		o.missing = MISSING_ZERO;

	if (freq != FC_FREQ_DAY)
	{
		/* weeks, months, quarters, years: sort (few rows), sum duplicates */
		DayQty	   *dq = palloc_extended(sizeof(DayQty) * st->n, MCXT_ALLOC_HUGE);
		int64		s0 = slots > o.max_obs ? slots - o.max_obs : 0;
		int32		d0;
		int			rc;

		for (i = 0; i < st->n; i++)
		{
			dq[i].day = days[i];
			dq[i].qty = qty[i];
		}
		qsort(dq, st->n, sizeof(DayQty), cmp_dayqty);
		span = slots - s0;
		y = palloc0(sizeof(double) * span);
		seen = palloc0(sizeof(bool) * span);
		for (i = 0; i < st->n; i++)
		{
			int64		k = slot_of(dq[i].day, first, freq) - s0;

			if (k < 0)
				continue;
			y[k] += dq[i].qty;
			seen[k] = true;
			if (!isfinite(y[k]))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("forecast_fit: the quantities of one period sum to an infinite value")));
		}
		pfree(dq);
		if (o.missing == MISSING_INTERPOLATE)
			interpolate_missing(y, seen, span);
		rc = fc_calendar_date(freq, anchor, first, s0, &d0);
		if (rc != FC_OK)
			report_fc_error(rc, "forecast_fit");
		PG_RETURN_BYTEA_P(fit_series(y, (int) span, d0, anchor, &o, es));
	}

	span = (int64) last - first + 1;
	/* only the last max_obs days are fitted: older days cannot matter */
	start = span > o.max_obs ? last - o.max_obs + 1 : first;
	span = (int64) last - start + 1;
	y = palloc0(sizeof(double) * span);

	/*
	 * Scatter into the dense series without sorting (the final function may
	 * run more than once on a state: the state is not modified).  Duplicate
	 * days need a deterministic summation order: then sort a copy.
	 */
	seen = palloc0(sizeof(bool) * span);
	for (i = 0; i < st->n; i++)
	{
		int64		k = (int64) days[i] - start;

		if (k < 0)
			continue;
		if (seen[k])
		{
			dup = true;
			break;
		}
		seen[k] = true;
		y[k] = qty[i];
	}
	if (dup)
	{
		DayQty	   *dq = palloc_extended(sizeof(DayQty) * st->n, MCXT_ALLOC_HUGE);

		for (i = 0; i < st->n; i++)
		{
			dq[i].day = days[i];
			dq[i].qty = qty[i];
		}
		qsort(dq, st->n, sizeof(DayQty), cmp_dayqty);
		memset(y, 0, sizeof(double) * span);
		for (i = 0; i < st->n; i++)
		{
			if (dq[i].day < start)
				continue;
			y[dq[i].day - start] += dq[i].qty;	/* duplicates are summed */
			seen[dq[i].day - start] = true;
			if (!isfinite(y[dq[i].day - start]))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("forecast_fit: the quantities of one day sum to an infinite value")));
			if ((i & 0xffff) == 0)
				CHECK_FOR_INTERRUPTS();
		}
		pfree(dq);
	}
	if (o.missing == MISSING_INTERPOLATE)
		interpolate_missing(y, seen, span);
	pfree(seen);
	PG_RETURN_BYTEA_P(fit_series(y, (int) span, start, 0, &o, es));
}

/* forecast_array(y float8[], start date, options jsonb) -> forecast_model */
PG_FUNCTION_INFO_V1(doliflow_forecast_array);
Datum
doliflow_forecast_array(PG_FUNCTION_ARGS)
{
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	bool	   *seen;
	int			n,
				i,
				lead = 0,
				anchor = 0,
				nobs = 0;
	double	   *y;
	int32		start = 0,
				d0;
	int			y0,
				m0,
				dd0,
				rc;
	FitOpts		o;
	EvSet	   *es = palloc(sizeof(EvSet));

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
	parse_opts(PG_ARGISNULL(2) ? NULL : PG_GETARG_JSONB_P(2), &o, es);
	deconstruct_array(arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &n);
	if (n == 0)
		PG_RETURN_NULL();
	if (o.freq == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("forecast_array needs the option \"freq\": what one element of the array is"),
				 errhint("Add {\"freq\": \"day\"} (or week, month, quarter, year) to the options; the default seasonal period follows (7, 52, 12, 4, 1).")));
	resolve_period(&o, o.freq);
	y = palloc(sizeof(double) * n);
	seen = palloc(sizeof(bool) * n);
	for (i = 0; i < n; i++)
	{
		seen[i] = !nulls[i];
		if (nulls[i])
		{
			if (o.missing == MISSING_UNSET)
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("forecast_array: element %d is NULL and the option \"missing\" is not set", i + 1),
						 errhint("Set \"missing\" to \"zero\" (a period without demand) or \"interpolate\" (a measurement not taken).")));
			y[i] = 0.0;
			continue;
		}
		y[i] = DatumGetFloat8(elems[i]);
		nobs++;
		if (!isfinite(y[i]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("forecast_array: element %d is not a finite number", i + 1)));
	}
	if (nobs == 0)
		PG_RETURN_NULL();
	if (o.missing == MISSING_INTERPOLATE)
	{
		/* leading NULLs are dropped: the series starts at its first value */
		while (!seen[lead])
			lead++;
		interpolate_missing(y + lead, seen + lead, n - lead);
	}
	if ((int64) start + n > (int64) PG_INT32_MAX - 1000000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("forecast_array: start date too late")));
	if (o.freq >= FC_FREQ_MONTH)
	{
		fc_civil_from_days(start, &y0, &m0, &dd0);
		anchor = dd0;
	}
	rc = fc_calendar_date(o.freq, anchor, start, lead, &d0);
	if (rc != FC_OK)
		report_fc_error(rc, "forecast_array");
	PG_RETURN_BYTEA_P(fit_series(y + lead, n - lead, d0, anchor, &o, es));
}

/* date of position i of a model, as an error when beyond the calendar */
static DateADT
model_day(const FcModel *m, int64 i)
{
	int32		d;

	if (fc_model_date(m, i, &d) != FC_OK || !IS_VALID_DATE(d))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("forecast: date out of range at period " INT64_FORMAT " of the model's calendar", i + 1)));
	return (DateADT) d;
}

/* ------------------------------------------------------------ accessors */

PG_FUNCTION_INFO_V1(doliflow_forecast);
Datum
doliflow_forecast(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	EvSet	   *es;
	FcModel    *m = get_model(fcinfo, 0, NULL, NULL, &es);
	int32		h = PG_GETARG_INT32(1);
	double	   *x = NULL;
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
	/* future occurrences of the events the model learned */
	if (es->n > 0 && fc_model_n_regressors(m) == es->n)
		x = events_columns(es, m->first_day + m->n, h);
	(void) model_day(m, (int64) m->n + h - 1);	/* the whole horizon has dates */
	rc = fc_forecast_x(m, h, level, x, h, mean, lo, hi);
	if (rc != FC_OK)
		report_fc_error(rc, "forecast");
	for (i = 0; i < h; i++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = DateADTGetDatum(model_day(m, (int64) m->n + i));
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
	float4	   *fp = NULL;
	FcModel    *m = get_model(fcinfo, 0, &nf, &fp, NULL);
	uint32		i;

	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; i < nf; i++)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};
		float4		f = fp[i];

		values[0] = DateADTGetDatum(model_day(m, i));
		values[1] = Float8GetDatum((double) f * m->data_scale);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(doliflow_forecast_summary);
Datum
doliflow_forecast_summary(PG_FUNCTION_ARGS)
{
	EvSet	   *es;
	FcModel    *m = get_model(fcinfo, 0, NULL, NULL, &es);
	int			need = fc_model_json(m, NULL, 0);
	char	   *buf = palloc(need + 1);
	DateADT		d0 = m->first_day,
				d1 = model_day(m, m->n - 1);
	StringInfoData full;
	int			r,
				used = fc_model_n_regressors(m) == es->n && es->n > 0;

	fc_model_json(m, buf, need + 1);
	/* add the calendar: first and last fitted day */
	buf[need - 1] = '\0';		/* drop the closing brace */
	initStringInfo(&full);
	appendStringInfo(&full, "%s,\"first_date\":\"%s\",\"last_date\":\"%s\"", buf,
					 DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(d0))),
					 DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(d1))));

	/*
	 * events: the learned effect of each (coefficient on the model's scale;
	 * effect = exp(coefficient), the factor applied to 1 + demand, in log1p
	 * mode), so that a caller can store it and feed it back as prior_mean.
	 */
	appendStringInfoString(&full, ",\"events\":[");
	for (r = 0; r < es->n; r++)
	{
		const EvItem *ev = &es->ev[r];
		double		beta = 0.0;
		int			log1p_mode = 0;
		int64		days_in = 0;
		double	   *col;
		int			i;

		if (r)
			appendStringInfoChar(&full, ',');
		appendStringInfoString(&full, "{\"name\":");
		escape_json(&full, ev->name);
		/* occurrences inside the fitted window */
		{
			EvSet		one;

			one.n = 1;
			one.ev[0] = *ev;
			col = events_columns(&one, d0, m->n);
			for (i = 0; i < m->n; i++)
				days_in += col[i] != 0.0;
			pfree(col);
		}
		appendStringInfo(&full, ",\"kind\":\"%s\",\"days_in_history\":" INT64_FORMAT,
						 ev->kind == EV_KIND_HOL_FR ? "holidays_fr" : "days", days_in);
		if (used && fc_model_regressor(m, r, &beta, &log1p_mode) == FC_OK)
		{
			appendStringInfo(&full, ",\"used\":true,\"scale\":\"%s\",\"coefficient\":%.10g",
							 log1p_mode ? "log1p" : "additive", beta);
			if (log1p_mode)
				appendStringInfo(&full, ",\"effect\":%.10g", exp(beta));
		}
		else
			appendStringInfoString(&full, ",\"used\":false,\"coefficient\":null");
		appendStringInfo(&full, ",\"prior_mean\":%.10g,\"fixed\":%s", ev->prior_mean,
						 ev->fixed ? "true" : "false");
		if (ev->prior_scale > 0)
			appendStringInfo(&full, ",\"prior_scale\":%.10g", ev->prior_scale);
		appendStringInfoChar(&full, '}');
	}
	appendStringInfoString(&full, "]}");
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(full.data)));
}

PG_FUNCTION_INFO_V1(doliflow_forecast_describe);
Datum
doliflow_forecast_describe(PG_FUNCTION_ARGS)
{
	FcModel    *m = get_model(fcinfo, 0, NULL, NULL, NULL);
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

	PG_RETURN_BOOL(parse_model_bytes(VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b), m, &nf, NULL, NULL));
}
