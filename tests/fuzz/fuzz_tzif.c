/*
 * tz_parse (TZif v1-v3 and its POSIX TZ footer, from memory) under
 * fuzzing.
 *
 * Input: the bytes of a TZif file.
 *
 * Oracles: no crash (ASan, UBSan); a parsed zone's spans cover all time
 * in order without holes (the first starts at INT64_MIN, each ends where
 * the next starts, the last ends at INT64_MAX); tz_span_find and
 * tz_offset_at agree with the spans; every instant tz_local_to_utc gives
 * for a wall-clock time has that wall-clock time.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tz.h"

#define SPANS_CHECKED	4096

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fail(const char *what, int64_t a, int64_t b)
{
	fprintf(stderr, "fuzz: %s (%lld, %lld)\n", what, (long long)a,
	    (long long)b);
	abort();
}

/* Probe instant t against span i, which holds it. */
static void
probe(const struct tz *z, int64_t t, size_t i, const struct tz_span *sp)
{
	int64_t	local, first, second;
	int	n;

	if (tz_span_find(z, t) != i)
		fail("tz_span_find disagrees with the spans", t,
		    (int64_t)i);
	if (tz_offset_at(z, t) != sp->offset)
		fail("tz_offset_at disagrees with the span", t, sp->offset);
	/* Wall-clock values far from overflow only. */
	if (t < -(INT64_C(1) << 40) || t > (INT64_C(1) << 40))
		return;
	local = t + sp->offset;
	n = tz_local_to_utc(z, local, &first, &second);
	if (n < 0 || n > 2)
		fail("tz_local_to_utc: not 0, 1 or 2 instants", local, n);
	if (n >= 1 && first + tz_offset_at(z, first) != local)
		fail("tz_local_to_utc: first instant has another wall clock",
		    local, first);
	if (n == 2 && (second <= first ||
	    second + tz_offset_at(z, second) != local))
		fail("tz_local_to_utc: bad second instant", local, second);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tz	*z;
	struct tz_span	 sp, prev;
	const char	*cause = NULL;
	size_t		 n, i;
	int		 rc;

	if (size > 256 * 1024)
		return (0);
	rc = tz_parse("Fuzz/Zone", data, size, &z, &cause);
	if (rc != 0) {
		if (rc != -EINVAL && rc != -ENOMEM)
			fail("tz_parse: unexpected error", rc, 0);
		if (rc == -EINVAL && cause == NULL)
			fail("tz_parse: -EINVAL without a cause", rc, 0);
		return (0);
	}
	n = tz_span_count(z);
	if (n == 0)
		fail("a zone without spans", 0, 0);
	for (i = 0; i < n && i < SPANS_CHECKED; i++) {
		tz_span_get(z, i, &sp);
		if (i == 0 && sp.start != INT64_MIN)
			fail("the first span starts at an instant", sp.start,
			    0);
		if (i > 0 && sp.start != prev.end)
			fail("a hole or an overlap between spans", prev.end,
			    sp.start);
		if (sp.start >= sp.end)
			fail("an empty span", sp.start, sp.end);
		if (sp.start != INT64_MIN)
			probe(z, sp.start, i, &sp);
		if (sp.end != INT64_MAX)
			probe(z, sp.end - 1, i, &sp);
		prev = sp;
	}
	tz_span_get(z, n - 1, &sp);
	if (sp.end != INT64_MAX)
		fail("the last span ends", sp.end, 0);
	probe(z, 0, tz_span_find(z, 0), (tz_span_get(z, tz_span_find(z, 0),
	    &sp), &sp));
	tz_free(z);
	return (0);
}
