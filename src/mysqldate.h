/* mysqldate: parse MySQL DATE / DATETIME / TIMESTAMP text (pure core, no
 * PostgreSQL headers). */
#ifndef DOLIFLOW_MYSQLDATE_H
#define DOLIFLOW_MYSQLDATE_H
#include <stddef.h>

typedef struct df_mysql_datetime
{
	int			year, month, day, hour, minute, second, usec;
} df_mysql_datetime;

/* Parses "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS[.f{1,6}]" of length len.
 * Returns 1 and fills *out for a real calendar date and time, 0 for anything
 * else: zero dates ("0000-00-00"), zero month/day, impossible days
 * ("2023-02-31", which MySQL's ALLOW_INVALID_DATES lets in), bad syntax. */
int			df_mysql_parse_datetime(const char *s, size_t len, df_mysql_datetime *out);

#endif
