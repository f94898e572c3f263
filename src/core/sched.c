/*
 * Next fire time of a compiled schedule.
 *
 * The search runs on the wall clock ("local" values, see tz.h): next_local()
 * finds the first matching wall-clock second at or after a given one by
 * walking year, month, day, hour, minute and second bit sets, carrying into
 * the enclosing field when one runs out.  Mapping wall clock to instants is
 * where the DST policy lives:
 *
 * - interval schedules fire at every wall-clock time that exists: they walk
 *   the zone's spans of constant offset, so a time in a gap is never found
 *   and a repeated hour is found once in each span that covers it;
 * - fixed-time schedules map a time in a gap to the end of the gap and a
 *   repeated time to its first occurrence, so they fire exactly once a day
 *   (a gap of more than three hours, a skipped date, is skipped).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "civil.h"
#include "sched.h"
#include "tz.h"

/* A safety valve: real schedules need a handful of carries per call. */
#define NEXT_LOCAL_MAX_STEPS	20000
#define SPAN_WALK_MAX		2000
/* 2199-12-31T23:59:59 on the earliest wall clock, and a day and more. */
#define SCHED_LAST_INSTANT	(7258118399LL + 2 * 86400)
#define SCHED_MARGIN		(2 * 86400)
/*
 * A fixed time in a gap runs at the gap's end, as Vixie cron runs the jobs
 * of a "medium" jump; past three hours (Samoa skipping 2011-12-30) the
 * clock changed the date, not the season, and the run is skipped.
 */
#define SCHED_GAP_CATCHUP_MAX	(3 * 3600)

static int	next_local(const struct sched *, int64_t, int64_t *);
static int	next_fixed(const struct sched *, int64_t, int64_t *);
static int	next_interval(const struct sched *, int64_t, int64_t *);
static uint32_t	month_day_mask(const struct sched *, int, int);
static int	nearest_weekday(int, int, int);
static void	sched_init(struct sched *, const struct tz *);
static int	check_time(int, int, int, char *, size_t);

static inline int
next_bit64(uint64_t set, int from)
{
	if (from >= 64)
		return (-1);
	set &= ~0ULL << from;
	return (set ? __builtin_ctzll(set) : -1);
}

static inline int
next_bit32(uint32_t set, int from)
{
	if (from >= 32)
		return (-1);
	set &= ~0U << from;
	return (set ? __builtin_ctz(set) : -1);
}

static int
next_year(const struct sched *s, int from)
{
	int	i, w, b;

	if (from < SCHED_MIN_YEAR)
		from = SCHED_MIN_YEAR;
	for (i = from - SCHED_MIN_YEAR; i <= SCHED_MAX_YEAR - SCHED_MIN_YEAR;
	    i = (w + 1) * 64) {
		w = i / 64;
		if ((b = next_bit64(s->years[w], i % 64)) >= 0)
			return (SCHED_MIN_YEAR + w * 64 + b);
	}
	return (-1);
}

/* The weekday (0 = Sunday) of day d when day 1 falls on w1. */
static inline int
weekday_of(int w1, int d)
{
	return ((w1 + d - 1) % 7);
}

static int
nearest_weekday(int d, int w1, int ndays)
{
	int	wd = weekday_of(w1, d);

	if (wd == 6)			/* Saturday: Friday, or Monday on the 1st */
		return (d == 1 ? d + 2 : d - 1);
	if (wd == 0)			/* Sunday: Monday, or Friday on the last */
		return (d == ndays ? d - 2 : d + 1);
	return (d);
}

/* Bit d set for every day d of year y, month m that the day rules match. */
static uint32_t
month_day_mask(const struct sched *s, int y, int m)
{
	int64_t		 first = civil_days(y, m, 1);
	int		 ndays = civil_month_days(y, m);
	int		 w1 = civil_weekday(first);
	uint32_t	 all = ((1U << ndays) - 1) << 1;
	uint32_t	 dmask, wmask, mask;
	uint64_t	 rep;
	unsigned	 rot;
	int		 d, w, k, r;

	dmask = s->dom & all;
	switch (s->dom_rule) {
	case SCHED_DOM_LAST:
		if ((d = ndays - s->dom_arg) >= 1)
			dmask |= 1U << d;
		break;
	case SCHED_DOM_LAST_WEEKDAY:
		if ((d = ndays - s->dom_arg) >= 1)
			dmask |= 1U << nearest_weekday(d, w1, ndays);
		break;
	case SCHED_DOM_WEEKDAY:
		if (s->dom_arg <= ndays)
			dmask |= 1U << nearest_weekday(s->dom_arg, w1, ndays);
		break;
	}

	/* Rotate the weekday set so bit j means "weekday of day j + 1", then
	 * repeat it over five weeks. */
	rot = ((unsigned)s->dow >> w1 | (unsigned)s->dow << (7 - w1)) & 0x7f;
	rep = rot | (uint64_t)rot << 7 | (uint64_t)rot << 14 |
	    (uint64_t)rot << 21 | (uint64_t)rot << 28;
	wmask = (uint32_t)(rep << 1) & all;
	for (w = 0; w < 7; w++) {
		if (s->dow_nth[w] == 0 && !(s->dow_last & (1U << w)))
			continue;
		d = 1 + (w - w1 + 7) % 7;
		for (k = 1; k <= 5; k++)
			if (s->dow_nth[w] & (1U << k) && d + 7 * (k - 1) <= ndays)
				wmask |= 1U << (d + 7 * (k - 1));
		if (s->dow_last & (1U << w))
			wmask |= 1U << (d + 7 * ((ndays - d) / 7));
	}

	if ((s->flags & SCHED_F_DAY_OR) &&
	    !(s->flags & (SCHED_F_DOM_STAR | SCHED_F_DOW_STAR)))
		mask = dmask | wmask;
	else
		mask = dmask & wmask;

	if (s->day_interval > 1 && mask) {
		uint32_t every = 0;

		if (first >= s->day_anchor) {
			r = (int)((first - s->day_anchor) % s->day_interval);
			d = r == 0 ? 1 : 1 + s->day_interval - r;
		} else if (s->day_anchor - first < ndays)
			d = 1 + (int)(s->day_anchor - first);
		else
			d = 32;
		for (; d <= ndays; d += s->day_interval)
			every |= 1U << d;
		mask &= every;
	} else if (s->day_interval == 1 && first + ndays <= s->day_anchor)
		mask = 0;
	else if (s->day_interval == 1 && first < s->day_anchor)
		mask &= ~0U << (1 + (int)(s->day_anchor - first));
	return (mask);
}

/*
 * The first wall-clock second >= from that the schedule matches, bounded
 * by SCHED_MAX_YEAR.
 */
static int
next_local(const struct sched *s, int64_t from, int64_t *out)
{
	struct civil	c;
	uint32_t	mask;
	int		steps, v;

	civil_from_secs(from, &c);
	if (c.year < SCHED_MIN_YEAR) {
		c.year = SCHED_MIN_YEAR;
		c.mon = c.day = 1;
		c.hour = c.min = c.sec = 0;
	}
	for (steps = 0; steps < NEXT_LOCAL_MAX_STEPS; steps++) {
		if ((v = next_year(s, c.year)) < 0)
			return (-ENOENT);
		if (v != c.year) {
			c.year = v;
			c.mon = c.day = 1;
			c.hour = c.min = c.sec = 0;
		}
		if ((v = next_bit32(s->mon, c.mon)) < 0) {
			c.year++;
			c.mon = c.day = 1;
			c.hour = c.min = c.sec = 0;
			continue;
		}
		if (v != c.mon) {
			c.mon = v;
			c.day = 1;
			c.hour = c.min = c.sec = 0;
		}
		mask = month_day_mask(s, c.year, c.mon);
		if ((v = next_bit32(mask, c.day)) < 0) {
			if (++c.mon > 12) {
				c.year++;
				c.mon = 1;
			}
			c.day = 1;
			c.hour = c.min = c.sec = 0;
			continue;
		}
		if (v != c.day) {
			c.day = v;
			c.hour = c.min = c.sec = 0;
		}
		if ((v = next_bit32(s->hour, c.hour)) < 0) {
			c.day++;
			c.hour = c.min = c.sec = 0;
			continue;
		}
		if (v != c.hour) {
			c.hour = v;
			c.min = c.sec = 0;
		}
		if ((v = next_bit64(s->min, c.min)) < 0) {
			c.hour++;
			c.min = c.sec = 0;
			continue;
		}
		if (v != c.min) {
			c.min = v;
			c.sec = 0;
		}
		if ((v = next_bit64(s->sec, c.sec)) < 0) {
			c.min++;
			c.sec = 0;
			continue;
		}
		c.sec = v;
		/* Carries above may leave hour 24 or minute 60; the checks
		 * of the enclosing fields caught those, so c is a real time. */
		*out = civil_to_secs(&c);
		return (0);
	}
	return (-ERANGE);
}

/*
 * Fixed-time schedules: each matching wall-clock time maps to one instant
 * (the gap's end, or the first of two), a map that never decreases, so the
 * first match whose instant is after `after` is the answer.
 */
static int
next_fixed(const struct sched *s, int64_t after, int64_t *out)
{
	int64_t	local, first, second;
	int	i, rc;

	local = after + tz_offset_at(s->tz, after) + 1;
	for (i = 0; i < 4; i++) {
		if ((rc = next_local(s, local, &local)) != 0)
			return (rc);
		if (tz_local_to_utc(s->tz, local, &first, &second) == 0 &&
		    tz_offset_at(s->tz, first) - tz_offset_at(s->tz, first - 1) >
		    SCHED_GAP_CATCHUP_MAX) {
			local++;	/* a day that never was: skip it */
			continue;
		}
		if (first > after) {
			*out = first;
			return (0);
		}
		local++;	/* the repeated hour's second pass: done once */
	}
	return (-ERANGE);
}

/*
 * Interval schedules: walk spans of constant offset from the one holding
 * after + 1.  [known_lo, known_hi) is a wall-clock range already searched
 * without a match, so a later span that covers it is searched only above.
 */
static int
next_interval(const struct sched *s, int64_t after, int64_t *out)
{
	struct tz_span	sp;
	int64_t		lo = after + 1, from, local, local_start, local_end;
	int64_t		known_lo, known_hi;
	size_t		i, n;
	int		rc, walked;

	n = tz_span_count(s->tz);
	i = tz_span_find(s->tz, lo);
	tz_span_get(s->tz, i, &sp);
	from = lo + sp.offset;
	known_lo = known_hi = from;
	for (walked = 0; walked < SPAN_WALK_MAX; walked++) {
		if ((rc = next_local(s, from, &local)) != 0)
			return (rc);
		local_end = sp.end == INT64_MAX ? INT64_MAX : sp.end + sp.offset;
		if (local < local_end) {
			*out = local - sp.offset;
			return (0);
		}
		if (from <= known_hi) {
			if (from < known_lo)
				known_lo = from;
			if (local > known_hi)
				known_hi = local;
		} else {
			known_lo = from;
			known_hi = local;
		}
		if (++i >= n)
			return (-ENOENT);
		tz_span_get(s->tz, i, &sp);
		local_start = sp.start + sp.offset;
		if (local_start >= known_lo && local_start < known_hi)
			from = known_hi;
		else
			from = local_start;
	}
	return (-ERANGE);
}

int
sched_next(const struct sched *s, int64_t after, int64_t *next)
{
	int64_t	t;
	int	rc;

	if (after >= s->expire || after > SCHED_LAST_INSTANT)
		return (-ENOENT);
	/* Nothing fires before 1970: start there, far from overflow. */
	if (after < -SCHED_MARGIN)
		after = -SCHED_MARGIN;
	if (s->flags & SCHED_F_ONCE) {
		if (s->once <= after || s->once > s->expire)
			return (-ENOENT);
		*next = s->once;
		return (0);
	}
	if (s->tz == NULL)
		rc = next_local(s, after + 1, &t);
	else if (s->flags & SCHED_F_FIXED)
		rc = next_fixed(s, after, &t);
	else
		rc = next_interval(s, after, &t);
	if (rc == -ERANGE)
		rc = -ENOENT;
	if (rc != 0)
		return (rc);
	if (t > s->expire)
		return (-ENOENT);
	*next = t;
	return (0);
}

static void
sched_init(struct sched *s, const struct tz *tz)
{
	memset(s, 0, sizeof *s);
	s->tz = tz;
	s->expire = SCHED_NEVER;
	s->years[0] = s->years[1] = s->years[2] = ~0ULL;
	s->years[3] = (1ULL << (SCHED_MAX_YEAR - SCHED_MIN_YEAR + 1 - 192)) - 1;
}

void
sched_init_all(struct sched *s, const struct tz *tz)
{
	sched_init(s, tz);
	s->sec = s->min = (1ULL << 60) - 1;
	s->hour = (1U << 24) - 1;
	s->dom = 0xfffffffeU;
	s->mon = 0x1ffe;
	s->dow = 0x7f;
	s->flags = SCHED_F_DOM_STAR | SCHED_F_DOW_STAR;
}

static int
check_time(int hour, int min, int sec, char *err, size_t errlen)
{
	if (hour < 0 || hour > 23 || min < 0 || min > 59 || sec < 0 ||
	    sec > 59) {
		snprintf(err, errlen, "time %02d:%02d:%02d out of range", hour,
		    min, sec);
		return (-EINVAL);
	}
	return (0);
}

static void
set_fixed_time(struct sched *s, int hour, int min, int sec)
{
	s->sec = 1ULL << sec;
	s->min = 1ULL << min;
	s->hour = 1U << hour;
	s->flags |= SCHED_F_FIXED;
}

int
sched_at_date(struct sched *s, const struct tz *tz, int year, int mon,
    int day, int hour, int min, int sec, char *err, size_t errlen)
{
	int	yi;

	if (check_time(hour, min, sec, err, errlen) != 0)
		return (-EINVAL);
	if (year < SCHED_MIN_YEAR || year > SCHED_MAX_YEAR || mon < 1 ||
	    mon > 12 || day < 1 || day > civil_month_days(year, mon)) {
		snprintf(err, errlen, "date %04d-%02d-%02d is not a valid date "
		    "in %d-%d", year, mon, day, SCHED_MIN_YEAR, SCHED_MAX_YEAR);
		return (-EINVAL);
	}
	sched_init_all(s, tz);
	set_fixed_time(s, hour, min, sec);
	memset(s->years, 0, sizeof s->years);
	yi = year - SCHED_MIN_YEAR;
	s->years[yi / 64] = 1ULL << (yi % 64);
	s->mon = 1U << mon;
	s->dom = 1U << day;
	s->flags &= ~SCHED_F_DOM_STAR;
	return (0);
}

int
sched_every_days(struct sched *s, const struct tz *tz, int64_t first_day,
    int interval, int hour, int min, int sec, char *err, size_t errlen)
{
	if (check_time(hour, min, sec, err, errlen) != 0)
		return (-EINVAL);
	if (interval < 1 || interval > 366) {
		snprintf(err, errlen, "day interval %d out of range 1-366",
		    interval);
		return (-EINVAL);
	}
	if (first_day < civil_days(SCHED_MIN_YEAR, 1, 1) ||
	    first_day > civil_days(SCHED_MAX_YEAR, 12, 31)) {
		snprintf(err, errlen, "first day out of range %d-%d",
		    SCHED_MIN_YEAR, SCHED_MAX_YEAR);
		return (-EINVAL);
	}
	sched_init_all(s, tz);
	set_fixed_time(s, hour, min, sec);
	s->day_interval = (uint16_t)interval;
	s->day_anchor = (int32_t)first_day;
	return (0);
}

int
sched_weekly(struct sched *s, const struct tz *tz, unsigned dow_mask,
    int hour, int min, int sec, char *err, size_t errlen)
{
	if (check_time(hour, min, sec, err, errlen) != 0)
		return (-EINVAL);
	if (dow_mask == 0 || dow_mask > 0x7f) {
		snprintf(err, errlen, "no valid weekday (1-7, 1 = Sunday)");
		return (-EINVAL);
	}
	sched_init_all(s, tz);
	set_fixed_time(s, hour, min, sec);
	s->dow = (uint8_t)dow_mask;
	s->flags &= ~SCHED_F_DOW_STAR;
	return (0);
}

int
sched_monthly(struct sched *s, const struct tz *tz, unsigned mon_mask,
    uint32_t dom_mask, int last_day, int hour, int min, int sec,
    char *err, size_t errlen)
{
	if (check_time(hour, min, sec, err, errlen) != 0)
		return (-EINVAL);
	if (mon_mask == 0 || (mon_mask & ~0x1ffeU)) {
		snprintf(err, errlen, "no valid month (1-12)");
		return (-EINVAL);
	}
	if ((dom_mask & 1U) || (dom_mask == 0 && !last_day)) {
		snprintf(err, errlen, "no valid day of the month (1-31, L)");
		return (-EINVAL);
	}
	sched_init_all(s, tz);
	set_fixed_time(s, hour, min, sec);
	s->mon = (uint16_t)mon_mask;
	s->dom = dom_mask;
	if (last_day)
		s->dom_rule = SCHED_DOM_LAST;
	s->flags &= ~SCHED_F_DOM_STAR;
	return (0);
}

void
sched_once(struct sched *s, int64_t at)
{
	sched_init(s, NULL);
	s->flags = SCHED_F_ONCE | SCHED_F_FIXED;
	s->once = at;
}

void
sched_set_expire(struct sched *s, int64_t expire)
{
	s->expire = expire;
}

/*
 * Printing an equivalent Quartz expression: each field as "*", a single
 * value, a/step, or a list of values and runs.
 */
struct outbuf {
	char	*p;
	size_t	 left;
	int	 overflow;
};

static void out_add(struct outbuf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
out_add(struct outbuf *o, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(o->p, o->left, fmt, ap);
	va_end(ap);

	if (n < 0 || (size_t)n >= o->left) {
		o->overflow = 1;
		o->left = 0;
		return;
	}
	o->p += n;
	o->left -= (size_t)n;
}

/* bit(i) for i in [lo, hi], printed as values i + shift. */
static void
out_set(struct outbuf *o, const uint64_t *words, int lo, int hi, int shift,
    int star_ok)
{
	int	vals[256], n = 0, i, j, step, first = 1;

	for (i = lo; i <= hi; i++)
		if (words[i / 64] & (1ULL << (i % 64)))
			vals[n++] = i;
	if (n == hi - lo + 1 && star_ok) {
		out_add(o, "*");
		return;
	}
	if (n >= 3) {
		step = vals[1] - vals[0];
		for (i = 2; i < n && vals[i] - vals[i - 1] == step; i++)
			;
		if (i == n && step > 1 && vals[n - 1] + step > hi) {
			if (vals[0] == lo && star_ok)
				out_add(o, "*/%d", step);
			else
				out_add(o, "%d/%d", vals[0] + shift, step);
			return;
		}
		if (i == n && step > 1) {
			out_add(o, "%d-%d/%d", vals[0] + shift,
			    vals[n - 1] + shift, step);
			return;
		}
	}
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && vals[j] == vals[j - 1] + 1; j++)
			;
		if (!first)
			out_add(o, ",");
		first = 0;
		if (j - i >= 3)
			out_add(o, "%d-%d", vals[i] + shift, vals[j - 1] + shift);
		else {
			out_add(o, "%d", vals[i] + shift);
			if (j - i == 2)
				out_add(o, ",%d", vals[i + 1] + shift);
		}
	}
}

int
sched_to_quartz(const struct sched *s, char *buf, size_t len)
{
	struct outbuf	o = { buf, len, 0 };
	uint64_t	w[4];
	int		dom_star, dow_star, k, wd, any, all_years;

	if (len == 0)
		return (-ENOSPC);
	buf[0] = '\0';
	if ((s->flags & SCHED_F_ONCE) || s->day_interval > 1)
		return (-ENOENT);
	dom_star = (s->flags & SCHED_F_DOM_STAR) && s->dom == 0xfffffffeU &&
	    s->dom_rule == SCHED_DOM_NONE;
	dow_star = (s->flags & SCHED_F_DOW_STAR) && s->dow == 0x7f;
	if (!dom_star && !dow_star)
		return (-ENOENT);	/* classic dom OR dow: no Quartz form */

	w[0] = s->sec;
	out_set(&o, w, 0, 59, 0, 1);
	out_add(&o, " ");
	w[0] = s->min;
	out_set(&o, w, 0, 59, 0, 1);
	out_add(&o, " ");
	w[0] = s->hour;
	out_set(&o, w, 0, 23, 0, 1);
	out_add(&o, " ");

	if (!dom_star || dow_star) {
		if (dom_star)
			out_add(&o, "*");
		else {
			w[0] = s->dom;
			any = s->dom != 0;
			if (any)
				out_set(&o, w, 1, 31, 0, 0);
			switch (s->dom_rule) {
			case SCHED_DOM_LAST:
				out_add(&o, "%s", any ? ",L" : "L");
				if (s->dom_arg)
					out_add(&o, "-%d", s->dom_arg);
				break;
			case SCHED_DOM_LAST_WEEKDAY:
				out_add(&o, "%s", any ? ",L" : "L");
				if (s->dom_arg)
					out_add(&o, "-%d", s->dom_arg);
				out_add(&o, "W");
				break;
			case SCHED_DOM_WEEKDAY:
				out_add(&o, any ? ",%dW" : "%dW", s->dom_arg);
				break;
			}
		}
	} else
		out_add(&o, "?");
	out_add(&o, " ");
	w[0] = s->mon;
	out_set(&o, w, 1, 12, 0, 1);
	out_add(&o, " ");

	if (!dom_star || dow_star)
		out_add(&o, "?");
	else {
		any = 0;
		if (s->dow) {
			/* Quartz numbers weekdays 1-7 from Sunday. */
			w[0] = (uint64_t)s->dow << 1;
			out_set(&o, w, 1, 7, 0, 0);
			any = 1;
		}
		for (wd = 0; wd < 7; wd++) {
			for (k = 1; k <= 5; k++)
				if (s->dow_nth[wd] & (1U << k)) {
					out_add(&o, any ? ",%d#%d" : "%d#%d",
					    wd + 1, k);
					any = 1;
				}
			if (s->dow_last & (1U << wd)) {
				out_add(&o, any ? ",%dL" : "%dL", wd + 1);
				any = 1;
			}
		}
	}

	all_years = s->years[0] == ~0ULL && s->years[1] == ~0ULL &&
	    s->years[2] == ~0ULL && s->years[3] ==
	    (1ULL << (SCHED_MAX_YEAR - SCHED_MIN_YEAR + 1 - 192)) - 1;
	if (!all_years) {
		out_add(&o, " ");
		out_set(&o, s->years, 0, SCHED_MAX_YEAR - SCHED_MIN_YEAR,
		    SCHED_MIN_YEAR, 0);
	}
	return (o.overflow ? -ENOSPC : 0);
}
