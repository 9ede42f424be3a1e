/*
 * test_holidays.c - French public holidays core (src/holidays.c).
 * Reference dates: published Easter Sundays and the 2025 calendar
 * (service-public.fr list); day numbers checked against libc's timegm.
 *
 * Copyright (C) doliflow contributors.  GPL-3.0-or-later.
 */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "holidays.h"
#include "tap.h"

/* independent day number: timegm, shifted to 2000-01-01 */
static int32_t
libc_day(int y, int m, int d)
{
	struct tm	t;

	memset(&t, 0, sizeof(t));
	t.tm_year = y - 1900;
	t.tm_mon = m - 1;
	t.tm_mday = d;
	t.tm_hour = 0;
	/* exact multiple of 86400 at midnight UTC: the division is exact */
	return (int32_t) (timegm(&t) / 86400) - 10957;
}

int
main(void)
{
	static const int easter[][3] = {
		{2000, 4, 23}, {2008, 3, 23}, {2011, 4, 24}, {2019, 4, 21}, {2024, 3, 31},
		{2025, 4, 20}, {2026, 4, 5}, {2038, 4, 25}, {1818, 3, 22}
	};
	/* 2025: the 11 holidays, hand-listed */
	static const int fr2025[][2] = {
		{1, 1}, {4, 21}, {5, 1}, {5, 8}, {5, 29}, {6, 9}, {7, 14}, {8, 15},
		{11, 1}, {11, 11}, {12, 25}
	};
	int			i,
				bad = 0,
				cnt = 0,
				y,
				m,
				d;
	int32_t		day;

	ok(hol_days_from_civil(2000, 1, 1) == 0 && hol_days_from_civil(1999, 12, 31) == -1,
	   "epoch 2000-01-01 = day 0");
	for (day = -200000; day <= 200000; day += 7)
	{
		hol_civil_from_days(day, &y, &m, &d);
		if (hol_days_from_civil(y, m, d) != day || libc_day(y, m, d) != day)
			bad++;
	}
	ok(bad == 0, "civil <-> day numbers agree with each other and with timegm over 1450..2547 (%d bad)", bad);
	for (i = 0; i < (int) (sizeof(easter) / sizeof(easter[0])); i++)
		ok(hol_easter(easter[i][0]) == libc_day(easter[i][0], easter[i][1], easter[i][2]),
		   "Easter %d = %02d-%02d", easter[i][0], easter[i][1], easter[i][2]);
	ok(hol_easter(1500) == INT32_MIN, "no Easter before the Gregorian calendar");
	for (i = 0; i < 11; i++)
		ok(hol_fr(libc_day(2025, fr2025[i][0], fr2025[i][1])) != 0, "2025-%02d-%02d is a holiday (%s)",
		   fr2025[i][0], fr2025[i][1], hol_fr_name(hol_fr(libc_day(2025, fr2025[i][0], fr2025[i][1]))));
	for (day = libc_day(2025, 1, 1); day <= libc_day(2025, 12, 31); day++)
		cnt += hol_fr(day) != 0;
	ok(cnt == 11, "2025 has 11 holidays (%d)", cnt);
	ok(hol_fr(libc_day(2025, 4, 20)) == 0 && hol_fr(libc_day(2025, 7, 15)) == 0 &&
	   hol_fr(libc_day(2024, 4, 1)) == 9 && hol_fr(libc_day(2024, 5, 9)) == 10 &&
	   hol_fr(libc_day(2024, 5, 20)) == 11,
	   "Easter Sunday and 15 July are not holidays; 2024 movable days Apr 1, May 9, May 20");
	ok(hol_fr(INT32_MIN) == 0 && hol_fr(INT32_MAX) == 0, "out-of-range days are not holidays");
	return tap_done();
}
