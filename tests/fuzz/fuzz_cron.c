/*
 * sched_parse_cron (both dialects) and sched_next under fuzzing.
 *
 * Input: byte 0 picks the zone (of FUZZ_NZONES), bytes 1-4 (little
 * endian) the `from` instant as 2 s units after 1970 (so up to 2242, past
 * the engine's last year), the rest is the expression.  Shorter inputs
 * are the expression alone, from 2024-01-01 in UTC.
 *
 * Oracles: the parser never crashes (ASan, UBSan); a parsed schedule's
 * next fires are strictly increasing and match its bit sets field by
 * field (schedcheck.c), within a time bound; the canonical Quartz form
 * (sched_to_quartz) parses again to a schedule with the same next fires.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched.h"
#include "schedcheck.h"

#define FROM_DEFAULT	1704067200LL	/* 2024-01-01T00:00:00Z */
#define FIRES		4

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct tz_cache	*zones = fuzz_zones();
	unsigned	 i;

	for (i = 0; i < FUZZ_NZONES; i++)
		(void)fuzz_zone(zones, i);
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sched	 s, s2;
	const struct tz	*z;
	char		 err[SCHED_ERRLEN], q[512], *expr;
	int64_t		 from = FROM_DEFAULT, a, b;
	unsigned	 zi = 0;
	int		 ra, rb;

	if (size > 4096)
		return (0);
	if (size >= 5) {
		zi = data[0];
		from = 2 * (int64_t)((uint32_t)data[1] |
		    (uint32_t)data[2] << 8 | (uint32_t)data[3] << 16 |
		    (uint32_t)data[4] << 24);
		data += 5;
		size -= 5;
	}
	if ((expr = malloc(size + 1)) == NULL)
		abort();
	memcpy(expr, data, size);
	expr[size] = '\0';
	z = fuzz_zone(fuzz_zones(), zi);

	if (sched_parse_cron(&s, expr, z, err, sizeof err) != 0) {
		if (memchr(err, '\0', sizeof err) == NULL || err[0] == '\0') {
			fprintf(stderr, "fuzz: an error without a message\n");
			abort();
		}
		free(expr);
		return (0);
	}
	fuzz_check_sched(&s, from, FIRES, expr);

	/* The canonical form means the same schedule. */
	if (sched_to_quartz(&s, q, sizeof q) == 0) {
		if (sched_parse_cron(&s2, q, z, err, sizeof err) != 0) {
			fprintf(stderr, "fuzz: '%s' prints as '%s', which does "
			    "not parse: %s\n", expr, q, err);
			abort();
		}
		/*
		 * "0,0 3 2 * * ?" is an interval schedule (a list is not
		 * one plain value) that prints as the fixed-time "0 3 2 * *
		 * ?": the two differ in a DST gap, as documented.  Compare
		 * the fires only when both are of the same kind.
		 */
		if ((s.flags ^ s2.flags) & SCHED_F_FIXED) {
			free(expr);
			return (0);
		}
		ra = sched_next(&s, from, &a);
		rb = sched_next(&s2, from, &b);
		if (ra != rb || (ra == 0 && a != b)) {
			fprintf(stderr, "fuzz: '%s' and its Quartz form '%s' "
			    "differ after %lld: %d %lld, %d %lld\n", expr, q,
			    (long long)from, ra, (long long)a, rb,
			    (long long)b);
			abort();
		}
	}
	free(expr);
	return (0);
}
