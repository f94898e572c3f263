/*
 * The schedule engine: compiled schedules and "when next?".
 *
 * Every schedule kind (Quartz and classic cron expressions, and the task
 * model's FIXED_TIME, DAY, WEEK, MONTH, ONCE and PERIODIC kinds) compiles
 * into one struct sched: bit sets per calendar field plus a few day rules.
 * sched_next() walks those sets field by field, so it never scans minute by
 * minute, and maps wall-clock candidates to instants with the zone's spans
 * under the DST policy of SPEC section 3.
 *
 * Pure code: no I/O, no globals, no clock reads.  Errors are negative errno
 * values; -ENOENT from sched_next() means "never fires again".  Messages
 * for invalid input name the field and the reason.
 */
#ifndef SKED_SCHED_H
#define SKED_SCHED_H

#include <stddef.h>
#include <stdint.h>

struct tz;

#define SCHED_MIN_YEAR		1970
#define SCHED_MAX_YEAR		2199
#define SCHED_ERRLEN		160
#define SCHED_NEVER		INT64_MAX

enum sched_dom_rule {
	SCHED_DOM_NONE,		/* only the dom set */
	SCHED_DOM_LAST,		/* L, L-n: last day minus dom_arg */
	SCHED_DOM_LAST_WEEKDAY,	/* LW, L-nW: weekday nearest last day - dom_arg */
	SCHED_DOM_WEEKDAY,	/* nW: weekday nearest day dom_arg */
};

#define SCHED_F_ONCE		0x01	/* fires once, at .once */
#define SCHED_F_FIXED		0x02	/* one second, minute and hour value */
#define SCHED_F_DOM_STAR	0x04	/* day of month unrestricted */
#define SCHED_F_DOW_STAR	0x08	/* day of week unrestricted */
#define SCHED_F_DAY_OR		0x10	/* classic: dom OR dow when both set */

struct sched {
	uint64_t	 sec;		/* bit s: second s */
	uint64_t	 min;		/* bit m: minute m */
	uint32_t	 hour;		/* bit h: hour h */
	uint32_t	 dom;		/* bit d: day d of the month, 1-31 */
	uint16_t	 mon;		/* bit m: month m, 1-12 */
	uint8_t		 dow;		/* bit w: weekday w, 0 = Sunday */
	uint8_t		 dow_last;	/* nL: bit w, last weekday w of a month */
	uint8_t		 dow_nth[7];	/* n#k: dow_nth[w] bit k, k = 1-5 */
	uint8_t		 dom_rule;	/* enum sched_dom_rule */
	uint8_t		 dom_arg;
	uint8_t		 flags;		/* SCHED_F_* */
	uint16_t	 day_interval;	/* DAY: every n days from day_anchor */
	int32_t		 day_anchor;	/* days since 1970-01-01 */
	uint64_t	 years[4];	/* bit y - SCHED_MIN_YEAR */
	int64_t		 once;		/* SCHED_F_ONCE: the instant */
	int64_t		 expire;	/* no fire after this; SCHED_NEVER */
	const struct tz	*tz;		/* not owned */
};

/*
 * Compile a cron expression: Quartz (6 or 7 fields) or classic (5 fields or
 * an @macro), told apart by the field count.  Returns 0 or -EINVAL with a
 * message in err (SCHED_ERRLEN bytes).
 */
int	sched_parse_cron(struct sched *, const char *expr, const struct tz *,
	    char *err, size_t errlen);

/* The task model's kinds.  Times are wall-clock in tz; weekday masks have
 * bit 0 = Sunday; month masks bit m = month m; dom masks bit d = day d. */
int	sched_at_date(struct sched *, const struct tz *, int year, int mon,
	    int day, int hour, int min, int sec, char *err, size_t errlen);
int	sched_every_days(struct sched *, const struct tz *, int64_t first_day,
	    int interval, int hour, int min, int sec, char *err, size_t errlen);
int	sched_weekly(struct sched *, const struct tz *, unsigned dow_mask,
	    int hour, int min, int sec, char *err, size_t errlen);
int	sched_monthly(struct sched *, const struct tz *, unsigned mon_mask,
	    uint32_t dom_mask, int last_day, int hour, int min, int sec,
	    char *err, size_t errlen);
void	sched_once(struct sched *, int64_t at);
/* No fire after expire (an instant).  SCHED_NEVER removes the limit. */
void	sched_set_expire(struct sched *, int64_t expire);

/*
 * The first fire time strictly after `after`: 0 and *next, or -ENOENT when
 * there is none (expired, a date that never exists, past SCHED_MAX_YEAR).
 */
int	sched_next(const struct sched *, int64_t after, int64_t *next);

/* A schedule matching every second (cron.c builds on it). */
void	sched_init_all(struct sched *, const struct tz *);

/* Print an equivalent Quartz expression, if the schedule has one: 0, or
 * -ENOENT (DAY every n > 1 days, ONCE).  -ENOSPC if buf is too small. */
int	sched_to_quartz(const struct sched *, char *buf, size_t len);

#endif
