/* dates.h: calendar arithmetic on days since 1970-01-01 (proleptic Gregorian, UTC).
 *
 * The panel's time unit is the ISO week, stored as the day number of its Monday. */
#ifndef OMEN_UTIL_DATES_H
#define OMEN_UTIL_DATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OMEN_NO_DATE INT32_MIN

/* Parses YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+hh:mm] (also with a space for the T; a
 * zone shifts the instant to UTC), YYYY/MM/DD, and ISO weeks YYYY-Www or YYYY-Www-D (the
 * Monday, or day D). Rejects impossible dates (2023-02-30) and years outside 1970..2199.
 * Returns false and leaves *days unchanged on anything else.
 * Details: blanks around the text are ignored; the zone may also be +hhmm or +hh; a datetime
 * without a zone is taken as UTC; seconds may be 60 (leap second). The year range applies to
 * the year as written, so 1970-W01 (which starts 1969-12-29) and a zone shift across
 * 1970-01-01 can give a day before 0. */
bool omen_date_parse(const char *s, size_t len, int32_t *days);
/* A metadata timestamp: what omen_date_parse() takes, or an integer count since 1970-01-01 UTC
 * whose unit its magnitude gives (Parquet INT64 timestamps, JSON numbers): below 1e8 it is no
 * timestamp (an 8-digit YYYYMMDD, say), below 1e11 seconds, below 1e14 milliseconds, below
 * 1e17 microseconds, else nanoseconds; the day must fall in 1970..2199. Only `created`-like
 * fields use it: an observation date that is a bare number stays an error. On false, *why says
 * what is wrong with the text. */
bool omen_date_parse_timestamp(const char *s, size_t len, int32_t *days, const char **why);
/* The Monday of the ISO week containing the day. */
int32_t omen_date_week_monday(int32_t days);
/* 0 = Monday .. 6 = Sunday. */
int omen_date_weekday(int32_t days);
void omen_date_ymd(int32_t days, int *year, int *month, int *day);
bool omen_date_valid(int year, int month, int day);

#endif
