/*
 * holidays.h - public holidays of France (metropolitan), pure C core.
 *
 * Copyright (C) doliflow contributors.  GPL-3.0-or-later.
 *
 * Pure core: libc only; no PostgreSQL header.  Days are absolute day numbers
 * (days since 2000-01-01, PostgreSQL's DateADT epoch), valid for the
 * Gregorian years 1583..9999 (other days are never holidays).
 *
 * The 11 holidays of the Code du travail (art. L3133-1): fixed 1 January,
 * 1 May, 8 May, 14 July, 15 August, 1 November, 11 November, 25 December;
 * movable Easter Monday (Easter + 1), Ascension (Easter + 39) and Whit Monday
 * (Easter + 50).  Easter Sunday by the anonymous Gregorian algorithm
 * (Meeus/Jones/Butcher).  Alsace-Moselle's extra days (Good Friday,
 * 26 December) are not included.
 */
#ifndef DOLIFLOW_HOLIDAYS_H
#define DOLIFLOW_HOLIDAYS_H

#include <stdint.h>

#define HOLIDAY_FR_COUNT	11

/* Day number of 'year-month-day' (proleptic Gregorian). */
int32_t		hol_days_from_civil(int year, int month, int day);
/* Inverse of hol_days_from_civil. */
void		hol_civil_from_days(int32_t d, int *year, int *month, int *day);
/* Day number of Easter Sunday of year (1583..9999), or INT32_MIN. */
int32_t		hol_easter(int year);
/* 0 if day is not a French public holiday, else its index 1..11. */
int			hol_fr(int32_t day);
/* English name of holiday index 1..11 ("" otherwise). */
const char *hol_fr_name(int index);

#endif							/* DOLIFLOW_HOLIDAYS_H */
