/*
 * The engine's properties under fuzzing (schedcheck.h).
 *
 * The matcher reads a wall clock with gmtime_r() on "local" seconds and the
 * offsets with tz_offset_at(), then tests each field against the bit sets
 * of struct sched as sched.h documents them; it shares no code with
 * sched.c or civil.h, so an error in either shows as a disagreement.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sched.h"
#include "schedcheck.h"
#include "tz.h"

/* How far before each answer every second is checked not to match. */
#define MISSED_WINDOW	90

static const char *const zone_names[FUZZ_NZONES] = {
	"UTC",
	"Europe/London",
	"America/New_York",
	"Australia/Lord_Howe",	/* a 30-minute DST shift */
	"Pacific/Apia",		/* skipped 2011-12-30 */
	"Asia/Kolkata",
	"America/Sao_Paulo",	/* DST at midnight, then none */
};

struct tz_cache *
fuzz_zones(void)
{
	static struct tz_cache	*zones;

	if (zones == NULL && (zones = tz_cache_new(NULL)) == NULL)
		abort();
	return (zones);
}

const struct tz *
fuzz_zone(struct tz_cache *zones, unsigned idx)
{
	const struct tz	*z;
	const char	*cause;

	if (tz_cache_get(zones, zone_names[idx % FUZZ_NZONES], &z,
	    &cause) != 0) {
		fprintf(stderr, "fuzz: zone %s: %s\n",
		    zone_names[idx % FUZZ_NZONES], cause);
		abort();
	}
	return (z);
}

static int
leap(int y)
{
	return ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0);
}

static int
month_len(int y, int m)
{
	static const int len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	return (m == 2 && leap(y) ? 29 : len[m - 1]);
}

/* Weekday (0 = Sunday) of year y, month m, day d: Sakamoto's method. */
static int
weekday(int y, int m, int d)
{
	static const int t[12] = { 0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4 };

	if (m < 3)
		y--;
	return ((y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7);
}

/* Quartz W: the weekday nearest day target, within the month. */
static int
nearest(int y, int m, int target)
{
	int	wd = weekday(y, m, target), n = month_len(y, m);

	if (wd == 6)
		return (target == 1 ? 3 : target - 1);
	if (wd == 0)
		return (target == n ? target - 2 : target + 1);
	return (target);
}

static int
day_matches(const struct sched *s, const struct tm *tm, int64_t daynum)
{
	int	y = tm->tm_year + 1900, m = tm->tm_mon + 1, d = tm->tm_mday;
	int	n = month_len(y, m), wd = tm->tm_wday, t, dom_ok, dow_ok;

	if (weekday(y, m, d) != wd) {
		fprintf(stderr, "fuzz: weekday of %04d-%02d-%02d: %d vs %d\n",
		    y, m, d, weekday(y, m, d), wd);
		abort();
	}
	dom_ok = (s->dom >> d) & 1;
	switch (s->dom_rule) {
	case SCHED_DOM_LAST:
		t = n - s->dom_arg;
		dom_ok |= t >= 1 && d == t;
		break;
	case SCHED_DOM_LAST_WEEKDAY:
		t = n - s->dom_arg;
		dom_ok |= t >= 1 && d == nearest(y, m, t);
		break;
	case SCHED_DOM_WEEKDAY:
		dom_ok |= s->dom_arg >= 1 && s->dom_arg <= n &&
		    d == nearest(y, m, s->dom_arg);
		break;
	}
	dow_ok = (s->dow >> wd) & 1;
	dow_ok |= (s->dow_nth[wd] >> ((d - 1) / 7 + 1)) & 1;
	dow_ok |= ((s->dow_last >> wd) & 1) && d + 7 > n;
	if ((s->flags & SCHED_F_DAY_OR) &&
	    !(s->flags & (SCHED_F_DOM_STAR | SCHED_F_DOW_STAR))) {
		if (!dom_ok && !dow_ok)
			return (0);
	} else if (!dom_ok || !dow_ok)
		return (0);
	if (s->day_interval >= 1 && daynum < s->day_anchor)
		return (0);
	if (s->day_interval > 1 &&
	    (daynum - s->day_anchor) % s->day_interval != 0)
		return (0);
	return (1);
}

/* Does wall-clock second `local` match the fields of s? */
static int
local_matches(const struct sched *s, int64_t local)
{
	struct tm	tm;
	time_t		tt = (time_t)local;
	int64_t		daynum;
	int		y;

	if (gmtime_r(&tt, &tm) == NULL)
		return (0);
	y = tm.tm_year + 1900;
	if (y < SCHED_MIN_YEAR || y > SCHED_MAX_YEAR)
		return (0);
	if (!((s->years[(y - SCHED_MIN_YEAR) / 64] >>
	    ((y - SCHED_MIN_YEAR) % 64)) & 1))
		return (0);
	if (!((s->mon >> (tm.tm_mon + 1)) & 1) ||
	    !((s->hour >> tm.tm_hour) & 1) ||
	    !((s->min >> tm.tm_min) & 1) ||
	    tm.tm_sec > 59 || !((s->sec >> tm.tm_sec) & 1))
		return (0);
	daynum = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
	return (day_matches(s, &tm, daynum));
}

static int64_t
offset(const struct sched *s, int64_t t)
{
	return (s->tz == NULL ? 0 : tz_offset_at(s->tz, t));
}

/* Is instant t a fire time of s (ignoring which earlier ones there are)? */
static int
instant_matches(const struct sched *s, int64_t t)
{
	int64_t	before, after, l;

	if (t > s->expire)
		return (0);
	if (s->flags & SCHED_F_ONCE)
		return (t == s->once);
	if (local_matches(s, t + offset(s, t)))
		return (1);
	/* A fixed time inside a gap of up to three hours runs at its end. */
	if (!(s->flags & SCHED_F_FIXED) || s->tz == NULL)
		return (0);
	before = offset(s, t - 1);
	after = offset(s, t);
	if (after <= before || after - before > 3 * 3600)
		return (0);
	for (l = t + before; l < t + after; l++)
		if (local_matches(s, l))
			return (1);
	return (0);
}

static int64_t
mono_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec);
}

/*
 * One sched_next call, timed.  Past the bound the call is repeated once
 * and only a second slow run aborts: a process preempted on a busy
 * machine is not a finding.
 */
static int
timed_next(const struct sched *s, int64_t after, int64_t *next,
    const char *what)
{
	int64_t	t0, ns;
	int	rc, i;

	for (i = 0; i < 2; i++) {
		t0 = mono_ns();
		rc = sched_next(s, after, next);
		ns = mono_ns() - t0;
		if (ns <= FUZZ_NEXT_MAX_NS)
			return (rc);
	}
	fprintf(stderr, "fuzz: %s: sched_next(%lld) took %lld ms\n", what,
	    (long long)after, (long long)(ns / 1000000));
	abort();
}

void
fuzz_check_sched(const struct sched *s, int64_t from, int n,
    const char *what)
{
	int64_t	prev = from, t, u, lo;
	int	i, rc;

	for (i = 0; i < n; i++) {
		rc = timed_next(s, prev, &t, what);
		if (rc == -ENOENT)
			return;
		if (rc != 0) {
			fprintf(stderr, "fuzz: %s: sched_next: %d\n", what, rc);
			abort();
		}
		if (t <= prev) {
			fprintf(stderr, "fuzz: %s: sched_next(%lld) = %lld, "
			    "not after\n", what, (long long)prev,
			    (long long)t);
			abort();
		}
		if (!instant_matches(s, t)) {
			fprintf(stderr, "fuzz: %s: sched_next(%lld) = %lld "
			    "(offset %lld) does not match the schedule\n",
			    what, (long long)prev, (long long)t,
			    (long long)offset(s, t));
			abort();
		}
		/*
		 * Interval schedules fire at every existing wall-clock time
		 * that matches, so no second just before t may match.
		 */
		if (!(s->flags & (SCHED_F_ONCE | SCHED_F_FIXED))) {
			lo = t - MISSED_WINDOW > prev ? t - MISSED_WINDOW :
			    prev;
			for (u = lo + 1; u < t; u++)
				if (instant_matches(s, u)) {
					fprintf(stderr, "fuzz: %s: sched_next"
					    "(%lld) = %lld skips %lld\n", what,
					    (long long)prev, (long long)t,
					    (long long)u);
					abort();
				}
		}
		prev = t;
	}
}
