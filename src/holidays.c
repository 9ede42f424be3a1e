/*
 * holidays.c - public holidays of France, pure C core (see holidays.h).
 *
 * Copyright (C) doliflow contributors.  GPL-3.0-or-later.
 */
#include <stdint.h>

#include "holidays.h"

/* Howard Hinnant's days_from_civil, shifted to the 2000-01-01 epoch */
int32_t
hol_days_from_civil(int year, int month, int day)
{
	int64_t		y = (int64_t) year - (month <= 2);
	int64_t		era = (y >= 0 ? y : y - 399) / 400;
	int64_t		yoe = y - era * 400;
	int64_t		doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	int64_t		doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (int32_t) (era * 146097 + doe - 719468 - 10957);
}

void
hol_civil_from_days(int32_t d, int *year, int *month, int *day)
{
	int64_t		z = (int64_t) d + 10957 + 719468;
	int64_t		era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t		doe = z - era * 146097;
	int64_t		yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t		y = yoe + era * 400;
	int64_t		doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t		mp = (5 * doy + 2) / 153;
	int64_t		dd = doy - (153 * mp + 2) / 5 + 1;
	int64_t		mm = mp < 10 ? mp + 3 : mp - 9;

	*year = (int) (y + (mm <= 2));
	*month = (int) mm;
	*day = (int) dd;
}

int32_t
hol_easter(int year)
{
	int			a,
				b,
				c,
				d,
				e,
				f,
				g,
				h,
				i,
				k,
				l,
				m,
				month,
				day;

	if (year < 1583 || year > 9999)
		return INT32_MIN;
	a = year % 19;
	b = year / 100;
	c = year % 100;
	d = b / 4;
	e = b % 4;
	f = (b + 8) / 25;
	g = (b - f + 1) / 3;
	h = (19 * a + b - d - g + 15) % 30;
	i = c / 4;
	k = c % 4;
	l = (32 + 2 * e + 2 * i - h - k) % 7;
	m = (a + 11 * h + 22 * l) / 451;
	month = (h + l - 7 * m + 114) / 31;
	day = (h + l - 7 * m + 114) % 31 + 1;
	return hol_days_from_civil(year, month, day);
}

int
hol_fr(int32_t day)
{
	int			y,
				m,
				d;
	int32_t		e;

	/* 1583-01-01 .. 9999-12-31 */
	if (day < -152384 || day > 2921939)
		return 0;
	hol_civil_from_days(day, &y, &m, &d);
	if (m == 1 && d == 1)
		return 1;
	if (m == 5 && d == 1)
		return 2;
	if (m == 5 && d == 8)
		return 3;
	if (m == 7 && d == 14)
		return 4;
	if (m == 8 && d == 15)
		return 5;
	if (m == 11 && d == 1)
		return 6;
	if (m == 11 && d == 11)
		return 7;
	if (m == 12 && d == 25)
		return 8;
	if (m < 3 || m > 6)
		return 0;
	e = hol_easter(y);
	if (day == e + 1)
		return 9;
	if (day == e + 39)
		return 10;
	if (day == e + 50)
		return 11;
	return 0;
}

const char *
hol_fr_name(int index)
{
	static const char *names[HOLIDAY_FR_COUNT + 1] = {
		"", "New Year's Day", "Labour Day", "Victory in Europe Day",
		"Bastille Day", "Assumption", "All Saints' Day", "Armistice Day",
		"Christmas Day", "Easter Monday", "Ascension Day", "Whit Monday"
	};

	return index >= 1 && index <= HOLIDAY_FR_COUNT ? names[index] : "";
}
