/*
 * Reading and writing instants as text: ISO 8601 and the seeds' formats.
 * Pure code.
 */
#ifndef SKED_TIMEFMT_H
#define SKED_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

struct iso_time {
	int64_t	local;		/* wall clock, seconds (see tz.h) */
	int	millis;		/* fraction of the second, truncated to ms */
	int	has_offset;	/* "Z" or an offset was given */
	int32_t	offset;		/* seconds east of UTC, if has_offset */
	int	has_time;	/* a time of day was given */
};

/*
 * YYYY-MM-DD[(T| )HH:MM[:SS[.f...]]][Z|(+|-)HH[:MM]] with a real date and
 * time (no 24:00, no leap seconds).  Returns 0 or -EINVAL.
 */
int	timefmt_parse_iso(const char *, struct iso_time *);

/* 2024-03-10T03:00:00-04:00 (offset always written, +00:00 for UTC). */
void	timefmt_iso(int64_t t, int32_t offset, char *buf, size_t len);
/* 2024-03-10T07:00:00Z */
void	timefmt_utc(int64_t t, char *buf, size_t len);

#endif
