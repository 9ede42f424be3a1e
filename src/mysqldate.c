/* mysqldate: parse MySQL date/time text; see mysqldate.h. */
#include "mysqldate.h"

static int
digits(const char *s, int n, int *v)
{
	int			i, r = 0;

	for (i = 0; i < n; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return 0;
		r = r * 10 + (s[i] - '0');
	}
	*v = r;
	return 1;
}

static int
days_in_month(int y, int m)
{
	static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

int
df_mysql_parse_datetime(const char *s, size_t len, df_mysql_datetime *out)
{
	df_mysql_datetime t = {0, 0, 0, 0, 0, 0, 0};

	if (s == NULL || out == NULL || len < 10)
		return 0;
	if (!digits(s, 4, &t.year) || s[4] != '-' || !digits(s + 5, 2, &t.month) ||
		s[7] != '-' || !digits(s + 8, 2, &t.day))
		return 0;
	if (t.year < 1 || t.month < 1 || t.month > 12 || t.day < 1 ||
		t.day > days_in_month(t.year, t.month))
		return 0;
	if (len > 10)
	{
		size_t		i;
		int			scale = 100000;

		if (len < 19 || (s[10] != ' ' && s[10] != 'T') ||
			!digits(s + 11, 2, &t.hour) || s[13] != ':' ||
			!digits(s + 14, 2, &t.minute) || s[16] != ':' ||
			!digits(s + 17, 2, &t.second))
			return 0;
		if (t.hour > 23 || t.minute > 59 || t.second > 59)
			return 0;
		if (len > 19)
		{
			if (s[19] != '.' || len == 20 || len > 26)
				return 0;
			for (i = 20; i < len; i++)
			{
				if (s[i] < '0' || s[i] > '9')
					return 0;
				t.usec += (s[i] - '0') * scale;
				scale /= 10;
			}
		}
	}
	*out = t;
	return 1;
}
