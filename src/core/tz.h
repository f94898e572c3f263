/*
 * Time-zone rules from compiled zoneinfo (TZif, RFC 8536).
 *
 * A struct tz is immutable once built: a sorted list of transitions, each
 * the start of a span of constant UTC offset.  Transitions past the last one
 * in the file are generated from the POSIX TZ footer up to TZ_MAX_YEAR, so
 * every lookup is a binary search and no rule is evaluated at query time.
 *
 * Instants are seconds since the epoch (UTC).  A "local" value is a
 * wall-clock time written as seconds since the epoch as if the wall clock
 * were UTC (local = instant + offset).  Offsets are seconds east of UTC.
 *
 * Pure code: tz_parse() and the queries do no I/O and keep no globals.  Only
 * tzfile.c (struct tz_cache) reads files.
 */
#ifndef SKED_TZ_H
#define SKED_TZ_H

#include <stddef.h>
#include <stdint.h>

#define TZ_MAX_YEAR	2200	/* footer rules are expanded up to here */

struct tz;

/* One span of constant offset: [start, end).  start is INT64_MIN for the
 * first span, end is INT64_MAX for the last. */
struct tz_span {
	int64_t		start;
	int64_t		end;
	int32_t		offset;
	int		is_dst;
};

/* Parse a TZif file held in memory.  name is copied.  Returns 0, -EINVAL
 * for malformed data (cause set to a static message), -ENOMEM. */
int		 tz_parse(const char *name, const unsigned char *buf, size_t len,
		    struct tz **out, const char **cause);
/* A zone from a POSIX TZ string alone, e.g. "EST5EDT,M3.2.0,M11.1.0". */
int		 tz_from_posix(const char *name, const char *posix,
		    struct tz **out, const char **cause);
/* The UTC zone (no transitions). */
int		 tz_utc(struct tz **out);
void		 tz_free(struct tz *);

const char	*tz_name(const struct tz *);
int32_t		 tz_offset_at(const struct tz *, int64_t t);

/* Spans are numbered 0 .. tz_span_count()-1 in time order. */
size_t		 tz_span_count(const struct tz *);
size_t		 tz_span_find(const struct tz *, int64_t t);
void		 tz_span_get(const struct tz *, size_t i, struct tz_span *);
/* First span whose local end (end + offset) is greater than local. */
size_t		 tz_span_find_local(const struct tz *, int64_t local);

/*
 * The instants whose wall-clock time is local.  Returns 1 (one instant, in
 * *first), 2 (a repeated time: *first < *second) or 0 (local falls in a gap:
 * *first is set to the instant the gap ends, the first instant after it).
 */
int		 tz_local_to_utc(const struct tz *, int64_t local, int64_t *first,
		    int64_t *second);

/*
 * Zones by IANA name, loaded from a zoneinfo directory on first use and kept
 * until tz_cache_free().  Not thread-safe; one cache per owner.
 */
struct tz_cache;

struct tz_cache	*tz_cache_new(const char *zoneinfo_dir);	/* NULL: default */
void		 tz_cache_free(struct tz_cache *);
/* 0 and *out; -EINVAL for a malformed name or file, -ENOENT for an unknown
 * zone; *cause (static text) says why. */
int		 tz_cache_get(struct tz_cache *, const char *name,
		    const struct tz **out, const char **cause);
/* The system zone: /etc/localtime, named after its zoneinfo link target
 * ("localtime" when it is not a link), UTC when the file is missing. */
int		 tz_cache_system(struct tz_cache *, const struct tz **out,
		    const char **cause);
/* Is name well formed for a zone (letters, digits, "/_+-.", no "..")? */
int		 tz_name_valid(const char *name);

#endif
