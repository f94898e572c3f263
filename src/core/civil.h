/*
 * Proleptic Gregorian calendar arithmetic on day numbers (days since
 * 1970-01-01), after Howard Hinnant's "chrono-compatible low-level date
 * algorithms".  Pure, branch-light, valid far beyond the years sked uses.
 */
#ifndef SKED_CIVIL_H
#define SKED_CIVIL_H

#include <stdint.h>

struct civil {
	int	year;
	int	mon;	/* 1-12 */
	int	day;	/* 1-31 */
	int	hour;
	int	min;
	int	sec;
};

static inline int64_t
civil_days(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468);
}

static inline void
civil_from_days(int64_t z, int *year, int *mon, int *day)
{
	int64_t era, doe, yoe, y, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*mon = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = (int)(y + (*mon <= 2));
}

/* 0 = Sunday ... 6 = Saturday. */
static inline int
civil_weekday(int64_t days)
{
	return ((int)(days >= -4 ? (days + 4) % 7 : (days + 5) % 7 + 6));
}

static inline int
civil_is_leap(int64_t y)
{
	return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
}

static inline int
civil_month_days(int64_t y, int m)
{
	static const unsigned char len[] =
	    { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return (m == 2 && civil_is_leap(y) ? 29 : len[m - 1]);
}

static inline int64_t
civil_to_secs(const struct civil *c)
{
	return (civil_days(c->year, c->mon, c->day) * 86400 +
	    c->hour * 3600 + c->min * 60 + c->sec);
}

static inline void
civil_from_secs(int64_t t, struct civil *c)
{
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t rem = t - days * 86400;

	civil_from_days(days, &c->year, &c->mon, &c->day);
	c->hour = (int)(rem / 3600);
	c->min = (int)(rem / 60 % 60);
	c->sec = (int)(rem % 60);
}

#endif
