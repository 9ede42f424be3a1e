/* SQL glue: doliflow.mysql_timestamp(text), mysql_date(text),
 * mysql_timestamptz(text) around the mysqldate core. */
#include "postgres.h"

#include "fmgr.h"
#include "datatype/timestamp.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

#include "mysqldate.h"

PG_FUNCTION_INFO_V1(doliflow_mysql_timestamp);
PG_FUNCTION_INFO_V1(doliflow_mysql_date);

static bool
parse_text(text *t, df_mysql_datetime *dt)
{
	return df_mysql_parse_datetime(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), dt) == 1;
}

/* mysql_timestamp(text) -> timestamp; NULL for zero or impossible dates. */
Datum
doliflow_mysql_timestamp(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	df_mysql_datetime dt;
	struct pg_tm tm;
	Timestamp	result;

	if (!parse_text(t, &dt))
		PG_RETURN_NULL();
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = dt.year;
	tm.tm_mon = dt.month;
	tm.tm_mday = dt.day;
	tm.tm_hour = dt.hour;
	tm.tm_min = dt.minute;
	tm.tm_sec = dt.second;
	if (tm2timestamp(&tm, dt.usec, NULL, &result) != 0 || !IS_VALID_TIMESTAMP(result))
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMP(result);
}

/* mysql_date(text) -> date; NULL for zero or impossible dates. */
Datum
doliflow_mysql_date(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	df_mysql_datetime dt;

	if (!parse_text(t, &dt))
		PG_RETURN_NULL();
	PG_RETURN_DATEADT(date2j(dt.year, dt.month, dt.day) - POSTGRES_EPOCH_JDATE);
}
