/*
 * What the fuzz harnesses check about a compiled schedule: sched_next()
 * chained from a fixed instant is strictly increasing, each answer matches
 * the schedule's bit sets field by field on its zone's wall clock (a slow
 * matcher written here, sharing no code with sched.c), no interval fire is
 * skipped just before an answer, and no call takes longer than a bound.
 * A violation aborts with a message.
 */
#ifndef SKED_FUZZ_SCHEDCHECK_H
#define SKED_FUZZ_SCHEDCHECK_H

#include <stdint.h>

struct sched;
struct tz;
struct tz_cache;

#define FUZZ_NZONES		7
#define FUZZ_NEXT_MAX_NS	(50 * 1000000LL)	/* one sched_next call */

/* The fixed set of zones, loaded once from the system's zoneinfo. */
const struct tz	*fuzz_zone(struct tz_cache *, unsigned idx);
struct tz_cache	*fuzz_zones(void);

/* Chain sched_next n times from `from` and check every answer. */
void		 fuzz_check_sched(const struct sched *, int64_t from, int n,
		    const char *what);

#endif
