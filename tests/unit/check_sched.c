/*
 * Next fire times from fixed instants (never the current clock): every
 * example of the SPEC and the seeds, leap years, day rules, year fields,
 * DST gaps and overlaps for fixed-time and interval schedules in six
 * zones, the zone's POSIX footer past its table, the seed schedule kinds,
 * expiry and the year bound.  Expected instants were checked against
 * Python's zoneinfo when the table was written.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "civil.h"
#include "sched.h"
#include "testutil.h"
#include "timefmt.h"
#include "tz.h"

#define MAXFIRES	6

static struct tz_cache *zones;

static void
setup(void)
{
	zones = tz_cache_new(test_zoneinfo());
	ck_assert_ptr_nonnull(zones);
}

static void
teardown(void)
{
	tz_cache_free(zones);
}

static const struct tz *
zone(int line, const char *name)
{
	const struct tz	*z;
	const char	*cause;

	ck_assert_msg(tz_cache_get(zones, name, &z, &cause) == 0,
	    "line %d: zone %s: %s", line, name, cause);
	return (z);
}

static int64_t
instant(const char *iso)
{
	struct iso_time	it;

	ck_assert_msg(timefmt_parse_iso(iso, &it) == 0 && it.has_offset,
	    "bad instant in table: %s", iso);
	return (it.local - it.offset);
}

/* Compare the chain of fire times after `from` with want (NULL-ended). */
static void
check_fires(int line, const char *what, const struct sched *s,
    const char *from, const char *const *want)
{
	char	got[32];
	int64_t	t = instant(from);
	int	i, rc;

	for (i = 0; i < MAXFIRES && want[i] != NULL; i++) {
		rc = sched_next(s, t, &t);
		ck_assert_msg(rc == 0, "line %d: %s: fire %d after %s: none "
		    "(%d), wanted %s", line, what, i + 1, from, rc, want[i]);
		timefmt_utc(t, got, sizeof got);
		ck_assert_msg(strcmp(got, want[i]) == 0, "line %d: %s: fire %d "
		    "after %s: got %s, wanted %s", line, what, i + 1, from, got,
		    want[i]);
	}
	if (i < MAXFIRES) {
		rc = sched_next(s, t, &t);
		timefmt_utc(t, got, sizeof got);
		ck_assert_msg(rc == -ENOENT, "line %d: %s: fire %d: got %s, "
		    "wanted no more", line, what, i + 1, got);
	}
}

#define END	NULL
static const struct {
	int		 line;
	const char	*expr;
	const char	*zone;
	const char	*from;
	const char	*want[MAXFIRES + 1];	/* fewer than MAXFIRES: then none */
} cron_rows[] = {
	/* the seeds */
	{ ROW, "0 15 10 ? * *", "Asia/Shanghai", "2024-01-01T00:00:00Z",
	    { "2024-01-01T02:15:00Z", "2024-01-02T02:15:00Z",
	      "2024-01-03T02:15:00Z", "2024-01-04T02:15:00Z",
	      "2024-01-05T02:15:00Z", "2024-01-06T02:15:00Z" } },
	{ ROW, "*/10 * * * * ?", "UTC", "2024-01-01T00:00:05Z",
	    { "2024-01-01T00:00:10Z", "2024-01-01T00:00:20Z",
	      "2024-01-01T00:00:30Z", "2024-01-01T00:00:40Z",
	      "2024-01-01T00:00:50Z", "2024-01-01T00:01:00Z" } },
	/* strictly after: a fire time equal to from is not repeated */
	{ ROW, "0 0 12 * * ?", "UTC", "2024-01-01T12:00:00Z",
	    { "2024-01-02T12:00:00Z", "2024-01-03T12:00:00Z",
	      "2024-01-04T12:00:00Z", "2024-01-05T12:00:00Z",
	      "2024-01-06T12:00:00Z", "2024-01-07T12:00:00Z" } },
	/* leap years */
	{ ROW, "0 0 0 29 2 ? *", "UTC", "2023-01-01T00:00:00Z",
	    { "2024-02-29T00:00:00Z", "2028-02-29T00:00:00Z",
	      "2032-02-29T00:00:00Z", "2036-02-29T00:00:00Z",
	      "2040-02-29T00:00:00Z", "2044-02-29T00:00:00Z" } },
	{ ROW, "0 0 0 29 2 ?", "UTC", "2096-03-01T00:00:00Z",
	    { "2104-02-29T00:00:00Z", "2108-02-29T00:00:00Z",
	      "2112-02-29T00:00:00Z", "2116-02-29T00:00:00Z",
	      "2120-02-29T00:00:00Z", "2124-02-29T00:00:00Z" } },
	{ ROW, "0 0 0 29 2 ?", "UTC", "2196-03-01T00:00:00Z", { END } },
	{ ROW, "0 0 0 L 2 ?", "UTC", "2023-06-01T00:00:00Z",
	    { "2024-02-29T00:00:00Z", "2025-02-28T00:00:00Z",
	      "2026-02-28T00:00:00Z", "2027-02-28T00:00:00Z",
	      "2028-02-29T00:00:00Z", "2029-02-28T00:00:00Z" } },
	/* a day that never exists is valid and never fires */
	{ ROW, "0 0 0 30 2 ?", "UTC", "2024-01-01T00:00:00Z", { END } },
	{ ROW, "0 0 0 31 4,6,9,11 ?", "UTC", "2024-01-01T00:00:00Z", { END } },
	/* nth weekday: 6#5 is the fifth Friday, only in some months */
	{ ROW, "0 0 12 ? * 6#5", "UTC", "2024-01-01T00:00:00Z",
	    { "2024-03-29T12:00:00Z", "2024-05-31T12:00:00Z",
	      "2024-08-30T12:00:00Z", "2024-11-29T12:00:00Z",
	      "2025-01-31T12:00:00Z", "2025-05-30T12:00:00Z" } },
	{ ROW, "0 0 3 ? * 1#1", "UTC", "2024-01-01T00:00:00Z",
	    { "2024-01-07T03:00:00Z", "2024-02-04T03:00:00Z",
	      "2024-03-03T03:00:00Z", "2024-04-07T03:00:00Z",
	      "2024-05-05T03:00:00Z", "2024-06-02T03:00:00Z" } },
	{ ROW, "0 15 10 ? * 6L", "UTC", "2024-01-01T00:00:00Z",
	    { "2024-01-26T10:15:00Z", "2024-02-23T10:15:00Z",
	      "2024-03-29T10:15:00Z", "2024-04-26T10:15:00Z",
	      "2024-05-31T10:15:00Z", "2024-06-28T10:15:00Z" } },
	/* nearest weekday: June 2024 starts on a Saturday, so 1W is Monday
	 * the 3rd (it does not cross into May); September 2024 starts on a
	 * Sunday (Monday the 2nd); 15W on a Saturday is Friday the 14th */
	{ ROW, "0 0 0 1W * ?", "UTC", "2024-05-02T00:00:00Z",
	    { "2024-06-03T00:00:00Z", "2024-07-01T00:00:00Z",
	      "2024-08-01T00:00:00Z", "2024-09-02T00:00:00Z",
	      "2024-10-01T00:00:00Z", "2024-11-01T00:00:00Z" } },
	{ ROW, "0 0 0 15W * ?", "UTC", "2024-06-01T00:00:00Z",
	    { "2024-06-14T00:00:00Z", "2024-07-15T00:00:00Z",
	      "2024-08-15T00:00:00Z", "2024-09-16T00:00:00Z",
	      "2024-10-15T00:00:00Z", "2024-11-15T00:00:00Z" } },
	/* LW: March 2024 ends on a Sunday (Friday 29th), August 2024 on a
	 * Saturday (Friday 30th) */
	{ ROW, "0 0 0 LW * ?", "UTC", "2024-03-01T00:00:00Z",
	    { "2024-03-29T00:00:00Z", "2024-04-30T00:00:00Z",
	      "2024-05-31T00:00:00Z", "2024-06-28T00:00:00Z",
	      "2024-07-31T00:00:00Z", "2024-08-30T00:00:00Z" } },
	{ ROW, "0 0 0 L-3 * ?", "UTC", "2024-01-01T00:00:00Z",
	    { "2024-01-28T00:00:00Z", "2024-02-26T00:00:00Z",
	      "2024-03-28T00:00:00Z", "2024-04-27T00:00:00Z",
	      "2024-05-28T00:00:00Z", "2024-06-27T00:00:00Z" } },
	{ ROW, "0 0 0 L * ?", "UTC", "2024-01-31T00:00:00Z",
	    { "2024-02-29T00:00:00Z", "2024-03-31T00:00:00Z",
	      "2024-04-30T00:00:00Z", "2024-05-31T00:00:00Z",
	      "2024-06-30T00:00:00Z", "2024-07-31T00:00:00Z" } },
	/* wrap-around ranges */
	{ ROW, "0 0 22-2 * * ?", "UTC", "2024-01-01T12:00:00Z",
	    { "2024-01-01T22:00:00Z", "2024-01-01T23:00:00Z",
	      "2024-01-02T00:00:00Z", "2024-01-02T01:00:00Z",
	      "2024-01-02T02:00:00Z", "2024-01-02T22:00:00Z" } },
	{ ROW, "0 0 0 ? * FRI-MON", "UTC", "2024-01-01T00:00:00Z",
	    { "2024-01-05T00:00:00Z", "2024-01-06T00:00:00Z",
	      "2024-01-07T00:00:00Z", "2024-01-08T00:00:00Z",
	      "2024-01-12T00:00:00Z", "2024-01-13T00:00:00Z" } },
	{ ROW, "0 0 0 1 NOV-FEB ?", "UTC", "2024-01-15T00:00:00Z",
	    { "2024-02-01T00:00:00Z", "2024-11-01T00:00:00Z",
	      "2024-12-01T00:00:00Z", "2025-01-01T00:00:00Z",
	      "2025-02-01T00:00:00Z", "2025-11-01T00:00:00Z" } },
	/* names and steps */
	{ ROW, "0 0 0 ? JAN,MAR,DEC SUN", "UTC", "2024-01-01T00:00:00Z",
	    { "2024-01-07T00:00:00Z", "2024-01-14T00:00:00Z",
	      "2024-01-21T00:00:00Z", "2024-01-28T00:00:00Z",
	      "2024-03-03T00:00:00Z", "2024-03-10T00:00:00Z" } },
	{ ROW, "0 10-50/7 * * * ?", "UTC", "2024-01-01T00:40:00Z",
	    { "2024-01-01T00:45:00Z", "2024-01-01T01:10:00Z",
	      "2024-01-01T01:17:00Z", "2024-01-01T01:24:00Z",
	      "2024-01-01T01:31:00Z", "2024-01-01T01:38:00Z" } },
	{ ROW, "0 0/30 8-18 ? * 2-6", "UTC", "2024-01-05T18:00:00Z",
	    { "2024-01-05T18:30:00Z", "2024-01-08T08:00:00Z",
	      "2024-01-08T08:30:00Z", "2024-01-08T09:00:00Z",
	      "2024-01-08T09:30:00Z", "2024-01-08T10:00:00Z" } },
	/* year fields and the year bound */
	{ ROW, "0 0 0 1 1 ? 2030-2032", "UTC", "2024-01-01T00:00:00Z",
	    { "2030-01-01T00:00:00Z", "2031-01-01T00:00:00Z",
	      "2032-01-01T00:00:00Z", END } },
	{ ROW, "0 0 0 1 1 ? 2030/50", "UTC", "2024-01-01T00:00:00Z",
	    { "2030-01-01T00:00:00Z", "2080-01-01T00:00:00Z",
	      "2130-01-01T00:00:00Z", "2180-01-01T00:00:00Z", END } },
	{ ROW, "59 59 23 31 12 ?", "UTC", "2197-06-01T00:00:00Z",
	    { "2197-12-31T23:59:59Z", "2198-12-31T23:59:59Z",
	      "2199-12-31T23:59:59Z", END } },
	{ ROW, "0 0 0 1 1 ? 2020", "UTC", "2024-01-01T00:00:00Z", { END } },
	/* classic: dom OR dow, unless a day field starts with '*' */
	{ ROW, "30 4 1,15 * 5", "UTC", "2024-01-01T00:00:00Z",
	    { "2024-01-01T04:30:00Z", "2024-01-05T04:30:00Z",
	      "2024-01-12T04:30:00Z", "2024-01-15T04:30:00Z",
	      "2024-01-19T04:30:00Z", "2024-01-26T04:30:00Z" } },
	{ ROW, "0 0 */2 * 1", "UTC", "2024-01-01T00:00:00Z",
	    { "2024-01-15T00:00:00Z", "2024-01-29T00:00:00Z",
	      "2024-02-05T00:00:00Z", "2024-02-19T00:00:00Z",
	      "2024-03-11T00:00:00Z", "2024-03-25T00:00:00Z" } },
	{ ROW, "0 0 * * 7", "UTC", "2024-01-01T00:00:00Z",
	    { "2024-01-07T00:00:00Z", "2024-01-14T00:00:00Z",
	      "2024-01-21T00:00:00Z", "2024-01-28T00:00:00Z",
	      "2024-02-04T00:00:00Z", "2024-02-11T00:00:00Z" } },
	{ ROW, "@monthly", "UTC", "2024-01-15T00:00:00Z",
	    { "2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z",
	      "2024-04-01T00:00:00Z", "2024-05-01T00:00:00Z",
	      "2024-06-01T00:00:00Z", "2024-07-01T00:00:00Z" } },

	/* DST, fixed time: a time in the gap runs at the gap's end, a
	 * repeated time runs once, at its first occurrence */
	{ ROW, "0 30 2 * * ?", "America/New_York", "2024-03-09T00:00:00Z",
	    { "2024-03-09T07:30:00Z", "2024-03-10T07:00:00Z",
	      "2024-03-11T06:30:00Z", "2024-03-12T06:30:00Z",
	      "2024-03-13T06:30:00Z", "2024-03-14T06:30:00Z" } },
	{ ROW, "30 2 * * *", "America/New_York", "2024-03-10T06:59:59Z",
	    { "2024-03-10T07:00:00Z", "2024-03-11T06:30:00Z",
	      "2024-03-12T06:30:00Z", "2024-03-13T06:30:00Z",
	      "2024-03-14T06:30:00Z", "2024-03-15T06:30:00Z" } },
	{ ROW, "0 30 1 * * ?", "America/New_York", "2024-11-02T12:00:00Z",
	    { "2024-11-03T05:30:00Z", "2024-11-04T06:30:00Z",
	      "2024-11-05T06:30:00Z", "2024-11-06T06:30:00Z",
	      "2024-11-07T06:30:00Z", "2024-11-08T06:30:00Z" } },
	/* from inside the second pass: the repeated time is not run again */
	{ ROW, "0 30 1 * * ?", "America/New_York", "2024-11-03T06:00:00Z",
	    { "2024-11-04T06:30:00Z", "2024-11-05T06:30:00Z",
	      "2024-11-06T06:30:00Z", "2024-11-07T06:30:00Z",
	      "2024-11-08T06:30:00Z", "2024-11-09T06:30:00Z" } },
	{ ROW, "0 30 1 * * ?", "Europe/London", "2024-03-30T12:00:00Z",
	    { "2024-03-31T01:00:00Z", "2024-04-01T00:30:00Z",
	      "2024-04-02T00:30:00Z", "2024-04-03T00:30:00Z",
	      "2024-04-04T00:30:00Z", "2024-04-05T00:30:00Z" } },
	{ ROW, "0 30 1 * * ?", "Europe/London", "2024-10-26T12:00:00Z",
	    { "2024-10-27T00:30:00Z", "2024-10-28T01:30:00Z",
	      "2024-10-29T01:30:00Z", "2024-10-30T01:30:00Z",
	      "2024-10-31T01:30:00Z", "2024-11-01T01:30:00Z" } },
	/* Lord Howe: a 30-minute shift, 02:00 -> 02:30 and 02:00 -> 01:30 */
	{ ROW, "0 15 2 * * ?", "Australia/Lord_Howe", "2024-10-05T00:00:00Z",
	    { "2024-10-05T15:30:00Z", "2024-10-06T15:15:00Z",
	      "2024-10-07T15:15:00Z", "2024-10-08T15:15:00Z",
	      "2024-10-09T15:15:00Z", "2024-10-10T15:15:00Z" } },
	{ ROW, "0 45 1 * * ?", "Australia/Lord_Howe", "2024-04-06T00:00:00Z",
	    { "2024-04-06T14:45:00Z", "2024-04-07T15:15:00Z",
	      "2024-04-08T15:15:00Z", "2024-04-09T15:15:00Z",
	      "2024-04-10T15:15:00Z", "2024-04-11T15:15:00Z" } },
	/* Sao Paulo: the clock jumped at midnight, so midnight did not exist
	 * on 2018-11-04, and 23:00-24:00 repeated on 2019-02-16 */
	{ ROW, "0 0 0 * * ?", "America/Sao_Paulo", "2018-11-02T12:00:00Z",
	    { "2018-11-03T03:00:00Z", "2018-11-04T03:00:00Z",
	      "2018-11-05T02:00:00Z", "2018-11-06T02:00:00Z",
	      "2018-11-07T02:00:00Z", "2018-11-08T02:00:00Z" } },
	{ ROW, "0 30 0 * * ?", "America/Sao_Paulo", "2018-11-03T12:00:00Z",
	    { "2018-11-04T03:00:00Z", "2018-11-05T02:30:00Z",
	      "2018-11-06T02:30:00Z", "2018-11-07T02:30:00Z",
	      "2018-11-08T02:30:00Z", "2018-11-09T02:30:00Z" } },
	{ ROW, "0 30 23 * * ?", "America/Sao_Paulo", "2019-02-16T12:00:00Z",
	    { "2019-02-17T01:30:00Z", "2019-02-18T02:30:00Z",
	      "2019-02-19T02:30:00Z", "2019-02-20T02:30:00Z",
	      "2019-02-21T02:30:00Z", "2019-02-22T02:30:00Z" } },
	/* Chatham: +12:45 and +13:45, changing at 02:45 and 03:45 */
	{ ROW, "0 0 3 * * ?", "Pacific/Chatham", "2024-09-28T00:00:00Z",
	    { "2024-09-28T14:00:00Z", "2024-09-29T13:15:00Z",
	      "2024-09-30T13:15:00Z", "2024-10-01T13:15:00Z",
	      "2024-10-02T13:15:00Z", "2024-10-03T13:15:00Z" } },
	{ ROW, "0 0 3 * * ?", "Pacific/Chatham", "2024-04-06T00:00:00Z",
	    { "2024-04-06T13:15:00Z", "2024-04-07T14:15:00Z",
	      "2024-04-08T14:15:00Z", "2024-04-09T14:15:00Z",
	      "2024-04-10T14:15:00Z", "2024-04-11T14:15:00Z" } },
	/* Apia skipped all of 2011-12-30 (-10 to +14): a skipped date is not
	 * caught up, unlike an hour's gap (croner agrees) */
	{ ROW, "0 1 * * *", "Pacific/Apia", "2011-12-29T09:00:00Z",
	    { "2011-12-29T11:00:00Z", "2011-12-30T11:00:00Z",
	      "2011-12-31T11:00:00Z", "2012-01-01T11:00:00Z",
	      "2012-01-02T11:00:00Z", "2012-01-03T11:00:00Z" } },
	{ ROW, "0 12 30 12 *", "Pacific/Apia", "2011-12-01T00:00:00Z",
	    { "2012-12-29T22:00:00Z", "2013-12-29T22:00:00Z",
	      "2014-12-29T22:00:00Z", "2015-12-29T22:00:00Z",
	      "2016-12-29T22:00:00Z", "2017-12-29T22:00:00Z" } },
	/* Kathmandu: +05:45, and +05:30 before 1986 */
	{ ROW, "0 0 9 * * ?", "Asia/Kathmandu", "2024-01-01T00:00:00Z",
	    { "2024-01-01T03:15:00Z", "2024-01-02T03:15:00Z",
	      "2024-01-03T03:15:00Z", "2024-01-04T03:15:00Z",
	      "2024-01-05T03:15:00Z", "2024-01-06T03:15:00Z" } },
	{ ROW, "0 0 9 1 6 ?", "Asia/Kathmandu", "1985-01-01T00:00:00Z",
	    { "1985-06-01T03:30:00Z", "1986-06-01T03:15:00Z",
	      "1987-06-01T03:15:00Z", "1988-06-01T03:15:00Z",
	      "1989-06-01T03:15:00Z", "1990-06-01T03:15:00Z" } },

	/* DST, interval: every wall-clock time that exists, so none in the
	 * gap and both passes of a repeated hour */
	{ ROW, "0 */30 * * * ?", "America/New_York", "2024-03-10T06:00:00Z",
	    { "2024-03-10T06:30:00Z", "2024-03-10T07:00:00Z",
	      "2024-03-10T07:30:00Z", "2024-03-10T08:00:00Z",
	      "2024-03-10T08:30:00Z", "2024-03-10T09:00:00Z" } },
	{ ROW, "0 30 * * * ?", "America/New_York", "2024-03-10T05:00:00Z",
	    { "2024-03-10T05:30:00Z", "2024-03-10T06:30:00Z",
	      "2024-03-10T07:30:00Z", "2024-03-10T08:30:00Z",
	      "2024-03-10T09:30:00Z", "2024-03-10T10:30:00Z" } },
	{ ROW, "0 0,30 2 * * ?", "America/New_York", "2024-03-09T12:00:00Z",
	    { "2024-03-11T06:00:00Z", "2024-03-11T06:30:00Z",
	      "2024-03-12T06:00:00Z", "2024-03-12T06:30:00Z",
	      "2024-03-13T06:00:00Z", "2024-03-13T06:30:00Z" } },
	{ ROW, "0 */30 * * * ?", "America/New_York", "2024-11-03T05:00:00Z",
	    { "2024-11-03T05:30:00Z", "2024-11-03T06:00:00Z",
	      "2024-11-03T06:30:00Z", "2024-11-03T07:00:00Z",
	      "2024-11-03T07:30:00Z", "2024-11-03T08:00:00Z" } },
	{ ROW, "0 0,30 1 * * ?", "America/New_York", "2024-11-03T04:00:00Z",
	    { "2024-11-03T05:00:00Z", "2024-11-03T05:30:00Z",
	      "2024-11-03T06:00:00Z", "2024-11-03T06:30:00Z",
	      "2024-11-04T06:00:00Z", "2024-11-04T06:30:00Z" } },
	/* from the first pass, both passes still follow */
	{ ROW, "0 0,30 1 * * ?", "America/New_York", "2024-11-03T05:45:00Z",
	    { "2024-11-03T06:00:00Z", "2024-11-03T06:30:00Z",
	      "2024-11-04T06:00:00Z", "2024-11-04T06:30:00Z",
	      "2024-11-05T06:00:00Z", "2024-11-05T06:30:00Z" } },
	{ ROW, "*/15 * * * *", "Europe/London", "2024-03-31T00:30:00Z",
	    { "2024-03-31T00:45:00Z", "2024-03-31T01:00:00Z",
	      "2024-03-31T01:15:00Z", "2024-03-31T01:30:00Z",
	      "2024-03-31T01:45:00Z", "2024-03-31T02:00:00Z" } },
	{ ROW, "0 */15 * * * ?", "Australia/Lord_Howe", "2024-04-06T14:30:00Z",
	    { "2024-04-06T14:45:00Z", "2024-04-06T15:00:00Z",
	      "2024-04-06T15:15:00Z", "2024-04-06T15:30:00Z",
	      "2024-04-06T15:45:00Z", "2024-04-06T16:00:00Z" } },
	{ ROW, "0 0 0-3 * * ?", "America/Sao_Paulo", "2018-11-04T00:00:00Z",
	    { "2018-11-04T03:00:00Z", "2018-11-04T04:00:00Z",
	      "2018-11-04T05:00:00Z", "2018-11-05T02:00:00Z",
	      "2018-11-05T03:00:00Z", "2018-11-05T04:00:00Z" } },
	{ ROW, "0 0 23 * * ?", "America/Sao_Paulo", "2019-02-16T12:00:00Z",
	    { "2019-02-17T01:00:00Z", "2019-02-18T02:00:00Z",
	      "2019-02-19T02:00:00Z", "2019-02-20T02:00:00Z",
	      "2019-02-21T02:00:00Z", "2019-02-22T02:00:00Z" } },
	{ ROW, "0 0 23-23 * * ?", "America/Sao_Paulo", "2019-02-16T12:00:00Z",
	    { "2019-02-17T01:00:00Z", "2019-02-17T02:00:00Z",
	      "2019-02-18T02:00:00Z", "2019-02-19T02:00:00Z",
	      "2019-02-20T02:00:00Z", "2019-02-21T02:00:00Z" } },

	/* past the zone's table: the POSIX footer's rules */
	{ ROW, "0 30 2 * * ?", "America/New_York", "2100-03-13T12:00:00Z",
	    { "2100-03-14T07:00:00Z", "2100-03-15T06:30:00Z",
	      "2100-03-16T06:30:00Z", "2100-03-17T06:30:00Z",
	      "2100-03-18T06:30:00Z", "2100-03-19T06:30:00Z" } },
	{ ROW, "0 30 1 * * ?", "America/New_York", "2199-11-02T12:00:00Z",
	    { "2199-11-03T05:30:00Z", "2199-11-04T06:30:00Z",
	      "2199-11-05T06:30:00Z", "2199-11-06T06:30:00Z",
	      "2199-11-07T06:30:00Z", "2199-11-08T06:30:00Z" } },
	{ ROW, "0 0/30 1 * * ?", "America/New_York", "2199-11-03T05:00:00Z",
	    { "2199-11-03T05:30:00Z", "2199-11-03T06:00:00Z",
	      "2199-11-03T06:30:00Z", "2199-11-04T06:00:00Z",
	      "2199-11-04T06:30:00Z", "2199-11-05T06:00:00Z" } },
};

START_TEST(test_cron)
{
	struct sched	s;
	char		err[SCHED_ERRLEN];
	const struct tz	*z = zone(cron_rows[_i].line, cron_rows[_i].zone);

	ck_assert_msg(sched_parse_cron(&s, cron_rows[_i].expr, z, err,
	    sizeof err) == 0, "line %d: %s", cron_rows[_i].line, err);
	check_fires(cron_rows[_i].line, cron_rows[_i].expr, &s,
	    cron_rows[_i].from, cron_rows[_i].want);
}
END_TEST

/* The seed kinds, built the way the task model builds them. */
enum kind { K_DATE, K_DAYS, K_WEEK, K_MONTH, K_ONCE };

static const struct {
	int		 line;
	enum kind	 kind;
	const char	*zone;
	int		 a, b, c;	/* date, interval/mask, ... per kind */
	unsigned	 mask;
	uint32_t	 dom;
	int		 last;
	int		 hour, min, sec;
	const char	*expire;	/* NULL: none */
	const char	*from;
	const char	*want[MAXFIRES + 1];
} kind_rows[] = {
	/* FIXED_TIME: once, at a date and time */
	{ ROW, K_DATE, "Asia/Shanghai", 2022, 12, 23, 0, 0, 0, 9, 0, 0, NULL,
	    "2022-01-01T00:00:00Z", { "2022-12-23T01:00:00Z", END } },
	{ ROW, K_DATE, "Asia/Shanghai", 2022, 12, 23, 0, 0, 0, 9, 0, 0, NULL,
	    "2022-12-23T01:00:00Z", { END } },
	{ ROW, K_DATE, "America/New_York", 2024, 3, 10, 0, 0, 0, 2, 30, 0,
	    NULL, "2024-01-01T00:00:00Z", { "2024-03-10T07:00:00Z", END } },
	/* DAY: every x days from the first day */
	{ ROW, K_DAYS, "UTC", 2024, 1, 30, 3, 0, 0, 9, 0, 0, NULL,
	    "2024-01-01T00:00:00Z",
	    { "2024-01-30T09:00:00Z", "2024-02-02T09:00:00Z",
	      "2024-02-05T09:00:00Z", "2024-02-08T09:00:00Z",
	      "2024-02-11T09:00:00Z", "2024-02-14T09:00:00Z" } },
	{ ROW, K_DAYS, "Asia/Shanghai", 2022, 12, 23, 1, 0, 0, 9, 0, 0, NULL,
	    "2022-12-23T02:00:00Z",
	    { "2022-12-24T01:00:00Z", "2022-12-25T01:00:00Z",
	      "2022-12-26T01:00:00Z", "2022-12-27T01:00:00Z",
	      "2022-12-28T01:00:00Z", "2022-12-29T01:00:00Z" } },
	{ ROW, K_DAYS, "UTC", 2023, 12, 30, 366, 0, 0, 0, 0, 0, NULL,
	    "2023-01-01T00:00:00Z",
	    { "2023-12-30T00:00:00Z", "2024-12-30T00:00:00Z",
	      "2025-12-31T00:00:00Z", "2027-01-01T00:00:00Z",
	      "2028-01-02T00:00:00Z", "2029-01-02T00:00:00Z" } },
	{ ROW, K_DAYS, "America/New_York", 2024, 3, 8, 2, 0, 0, 2, 30, 0,
	    NULL, "2024-03-01T00:00:00Z",
	    { "2024-03-08T07:30:00Z", "2024-03-10T07:00:00Z",
	      "2024-03-12T06:30:00Z", "2024-03-14T06:30:00Z",
	      "2024-03-16T06:30:00Z", "2024-03-18T06:30:00Z" } },
	/* WEEK: 1 = Sunday ... 7 = Saturday; "1,2,7" is Sun, Mon, Sat */
	{ ROW, K_WEEK, "UTC", 0, 0, 0, 0x43, 0, 0, 8, 0, 0, NULL,
	    "2024-01-01T12:00:00Z",
	    { "2024-01-06T08:00:00Z", "2024-01-07T08:00:00Z",
	      "2024-01-08T08:00:00Z", "2024-01-13T08:00:00Z",
	      "2024-01-14T08:00:00Z", "2024-01-15T08:00:00Z" } },
	/* MONTH: "1,2,28,L" in months "1,3,12" */
	{ ROW, K_MONTH, "UTC", 0, 0, 0, 0x100a, (1U << 1) | (1U << 2) |
	    (1U << 28), 1, 6, 0, 0, NULL, "2024-01-01T12:00:00Z",
	    { "2024-01-02T06:00:00Z", "2024-01-28T06:00:00Z",
	      "2024-01-31T06:00:00Z", "2024-03-01T06:00:00Z",
	      "2024-03-02T06:00:00Z", "2024-03-28T06:00:00Z" } },
	/* MONTH: 31 does not clamp; February only through L */
	{ ROW, K_MONTH, "UTC", 0, 0, 0, 0x1ffe, 1U << 31, 0, 0, 0, 0, NULL,
	    "2024-01-31T00:00:00Z",
	    { "2024-03-31T00:00:00Z", "2024-05-31T00:00:00Z",
	      "2024-07-31T00:00:00Z", "2024-08-31T00:00:00Z",
	      "2024-10-31T00:00:00Z", "2024-12-31T00:00:00Z" } },
	/* expiry: no fire after it; a fire exactly at it is kept */
	{ ROW, K_WEEK, "UTC", 0, 0, 0, 0x7f, 0, 0, 10, 0, 0,
	    "2024-01-03T10:00:00Z", "2024-01-01T00:00:00Z",
	    { "2024-01-01T10:00:00Z", "2024-01-02T10:00:00Z",
	      "2024-01-03T10:00:00Z", END } },
	/* ONCE: an instant (ms timestamp in the seeds) */
	{ ROW, K_ONCE, "UTC", 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL,
	    "2025-05-10T00:00:00Z", { "2025-05-10T08:35:30Z", END } },
	{ ROW, K_ONCE, "UTC", 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL,
	    "2025-05-10T08:35:30Z", { END } },
};

START_TEST(test_kinds)
{
	struct sched	 s;
	char		 err[SCHED_ERRLEN];
	const struct tz	*z;
	int		 rc = 0;

	z = zone(kind_rows[_i].line, kind_rows[_i].zone);
	switch (kind_rows[_i].kind) {
	case K_DATE:
		rc = sched_at_date(&s, z, kind_rows[_i].a, kind_rows[_i].b,
		    kind_rows[_i].c, kind_rows[_i].hour, kind_rows[_i].min,
		    kind_rows[_i].sec, err, sizeof err);
		break;
	case K_DAYS:
		rc = sched_every_days(&s, z, civil_days(kind_rows[_i].a,
		    kind_rows[_i].b, kind_rows[_i].c), (int)kind_rows[_i].mask,
		    kind_rows[_i].hour, kind_rows[_i].min, kind_rows[_i].sec,
		    err, sizeof err);
		break;
	case K_WEEK:
		rc = sched_weekly(&s, z, kind_rows[_i].mask, kind_rows[_i].hour,
		    kind_rows[_i].min, kind_rows[_i].sec, err, sizeof err);
		break;
	case K_MONTH:
		rc = sched_monthly(&s, z, kind_rows[_i].mask, kind_rows[_i].dom,
		    kind_rows[_i].last, kind_rows[_i].hour, kind_rows[_i].min,
		    kind_rows[_i].sec, err, sizeof err);
		break;
	case K_ONCE:
		sched_once(&s, 1746866130);	/* seed 004: 1746866130000 ms */
		break;
	}
	ck_assert_msg(rc == 0, "line %d: %s", kind_rows[_i].line, err);
	if (kind_rows[_i].expire != NULL)
		sched_set_expire(&s, instant(kind_rows[_i].expire));
	check_fires(kind_rows[_i].line, "kind", &s, kind_rows[_i].from,
	    kind_rows[_i].want);
}
END_TEST

/* Equivalent Quartz forms of the seed kinds. */
START_TEST(test_kind_quartz)
{
	struct sched	s;
	char		err[SCHED_ERRLEN], out[128];

	ck_assert_int_eq(sched_weekly(&s, NULL, 0x43, 9, 0, 0, err,
	    sizeof err), 0);
	ck_assert_int_eq(sched_to_quartz(&s, out, sizeof out), 0);
	ck_assert_str_eq(out, "0 0 9 ? * 1,2,7");
	ck_assert_int_eq(sched_monthly(&s, NULL, 0x100a, (1U << 1) |
	    (1U << 2) | (1U << 28), 1, 9, 0, 0, err, sizeof err), 0);
	ck_assert_int_eq(sched_to_quartz(&s, out, sizeof out), 0);
	ck_assert_str_eq(out, "0 0 9 1,2,28,L 1,3,12 ?");
	ck_assert_int_eq(sched_at_date(&s, NULL, 2022, 12, 23, 9, 0, 0, err,
	    sizeof err), 0);
	ck_assert_int_eq(sched_to_quartz(&s, out, sizeof out), 0);
	ck_assert_str_eq(out, "0 0 9 23 12 ? 2022");
	ck_assert_int_eq(sched_every_days(&s, NULL, 0, 1, 9, 0, 0, err,
	    sizeof err), 0);
	ck_assert_int_eq(sched_to_quartz(&s, out, sizeof out), 0);
	ck_assert_str_eq(out, "0 0 9 * * ?");
	ck_assert_int_eq(sched_every_days(&s, NULL, 0, 2, 9, 0, 0, err,
	    sizeof err), 0);
	ck_assert_int_eq(sched_to_quartz(&s, out, sizeof out), -ENOENT);
	ck_assert_int_eq(sched_to_quartz(&s, out, 0), -ENOSPC);
}
END_TEST

/* Invalid arguments to the kind constructors name the problem. */
START_TEST(test_kind_invalid)
{
	struct sched	s;
	char		err[SCHED_ERRLEN];

	ck_assert_int_eq(sched_at_date(&s, NULL, 2023, 2, 29, 0, 0, 0, err,
	    sizeof err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "2023-02-29"));
	ck_assert_int_eq(sched_at_date(&s, NULL, 2200, 1, 1, 0, 0, 0, err,
	    sizeof err), -EINVAL);
	ck_assert_int_eq(sched_weekly(&s, NULL, 0, 9, 0, 0, err, sizeof err),
	    -EINVAL);
	ck_assert_int_eq(sched_weekly(&s, NULL, 1, 24, 0, 0, err, sizeof err),
	    -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "24:00:00"));
	ck_assert_int_eq(sched_every_days(&s, NULL, 0, 0, 9, 0, 0, err,
	    sizeof err), -EINVAL);
	ck_assert_int_eq(sched_every_days(&s, NULL, 0, 367, 9, 0, 0, err,
	    sizeof err), -EINVAL);
	ck_assert_int_eq(sched_monthly(&s, NULL, 0, 2, 0, 9, 0, 0, err,
	    sizeof err), -EINVAL);
	ck_assert_int_eq(sched_monthly(&s, NULL, 2, 0, 0, 9, 0, 0, err,
	    sizeof err), -EINVAL);
}
END_TEST

/*
 * Chained fire times never go backwards and never repeat, across a year
 * of DST changes in every zone of the tables.
 */
static const char *const walk_zones[] = {
	"America/New_York", "Europe/London", "Australia/Lord_Howe",
	"America/Sao_Paulo", "Pacific/Chatham", "Asia/Kathmandu",
};
static const char *const walk_exprs[] = {
	"0 */7 * * * ?", "0 30 2 * * ?", "0 0 0-3 * * ?", "30 1 * * *",
	"0 15,45 1-3 ? * *", "*/5 * * * *",
};

START_TEST(test_monotonic)
{
	struct sched	 s;
	char		 err[SCHED_ERRLEN];
	const struct tz	*z = zone(__LINE__, walk_zones[_i]);
	int64_t		 t, prev;
	size_t		 e;
	int		 n;

	for (e = 0; e < NELEM(walk_exprs); e++) {
		ck_assert_int_eq(sched_parse_cron(&s, walk_exprs[e], z, err,
		    sizeof err), 0);
		t = prev = instant("2018-01-01T00:00:00Z");
		for (n = 0; n < 200000 && t < instant("2019-06-01T00:00:00Z");
		    n++) {
			ck_assert_int_eq(sched_next(&s, t, &t), 0);
			ck_assert_msg(t > prev, "%s in %s: %lld after %lld",
			    walk_exprs[e], walk_zones[_i], (long long)t,
			    (long long)prev);
			prev = t;
		}
	}
}
END_TEST

/* Instants at the ends of int64_t neither overflow nor fire. */
START_TEST(test_extremes)
{
	struct sched	 s;
	char		 err[SCHED_ERRLEN];
	const struct tz	*z = zone(__LINE__, "America/New_York");
	int64_t		 t;

	ck_assert_int_eq(sched_parse_cron(&s, "* * * * * ?", z, err,
	    sizeof err), 0);
	ck_assert_int_eq(sched_next(&s, INT64_MAX, &t), -ENOENT);
	ck_assert_int_eq(sched_next(&s, INT64_MAX - 1, &t), -ENOENT);
	ck_assert_int_eq(sched_next(&s, INT64_MIN, &t), 0);
	ck_assert_int_eq(t, instant("1970-01-01T05:00:00Z"));
	ck_assert_int_eq(sched_parse_cron(&s, "0 30 2 * * ?", z, err,
	    sizeof err), 0);
	ck_assert_int_eq(sched_next(&s, INT64_MIN, &t), 0);
	ck_assert_int_eq(t, instant("1970-01-01T07:30:00Z"));
	ck_assert_int_eq(sched_next(&s, instant("2199-12-31T07:30:00Z"), &t),
	    -ENOENT);
}
END_TEST

static Suite *
sched_suite(void)
{
	Suite	*su = suite_create("sched");
	TCase	*tc = tcase_create("next");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	add_table_test(tc, test_cron, cron_rows);
	add_table_test(tc, test_kinds, kind_rows);
	tcase_add_test(tc, test_kind_quartz);
	tcase_add_test(tc, test_kind_invalid);
	tcase_add_test(tc, test_extremes);
	tcase_add_loop_test(tc, test_monotonic, 0, (int)NELEM(walk_zones));
	suite_add_tcase(su, tc);
	return (su);
}

int
main(void)
{
	return (run_suite(sched_suite()));
}
