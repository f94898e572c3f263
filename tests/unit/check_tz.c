/*
 * Time zones: offsets at fixed instants, spans, wall clock to instants in
 * gaps and overlaps, the POSIX footer past the table, POSIX strings on
 * their own, hostile TZif data and zone names.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "testutil.h"
#include "tz.h"

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
	const char	*cause = "";

	ck_assert_msg(tz_cache_get(zones, name, &z, &cause) == 0,
	    "line %d: %s: %s", line, name, cause);
	return (z);
}

/* Offsets (seconds east) at instants; expected values from zdump. */
static const struct {
	int		 line;
	const char	*zone;
	int64_t		 t;
	int32_t		 offset;
} offsets[] = {
	{ ROW, "UTC", 0, 0 },
	{ ROW, "America/New_York", 1710053999, -5 * 3600 },	/* 01:59:59 EST */
	{ ROW, "America/New_York", 1710054000, -4 * 3600 },	/* 03:00 EDT */
	{ ROW, "America/New_York", 1730613599, -4 * 3600 },
	{ ROW, "America/New_York", 1730613600, -5 * 3600 },
	{ ROW, "America/New_York", 4108690800LL, -4 * 3600 },	/* 2100-03-14 07:00Z */
	{ ROW, "America/New_York", 4108690799LL, -5 * 3600 },
	{ ROW, "America/New_York", 7247718000LL, -4 * 3600 },	/* 2199-09 */
	{ ROW, "Europe/London", 1711846800, 3600 },		/* 2024-03-31 01:00Z */
	{ ROW, "Europe/London", 1711846799, 0 },
	{ ROW, "Australia/Lord_Howe", 1728142200, 11 * 3600 },	/* 2024-10-05 15:30Z */
	{ ROW, "Australia/Lord_Howe", 1728142199, 10 * 3600 + 1800 },
	{ ROW, "America/Sao_Paulo", 1541300400, -2 * 3600 },	/* 2018-11-04 03:00Z */
	{ ROW, "America/Sao_Paulo", 1541300399, -3 * 3600 },
	{ ROW, "America/Sao_Paulo", 1735689600, -3 * 3600 },	/* 2025: no DST */
	{ ROW, "Pacific/Chatham", 1727532000, 13 * 3600 + 2700 },
	{ ROW, "Pacific/Chatham", 1727531999, 12 * 3600 + 2700 },
	{ ROW, "Asia/Kathmandu", 1704067200, 5 * 3600 + 2700 },
	{ ROW, "Asia/Kathmandu", 486000000, 5 * 3600 + 1800 },	/* 1985 */
};

START_TEST(test_offsets)
{
	const struct tz	*z = zone(offsets[_i].line, offsets[_i].zone);

	ck_assert_msg(tz_offset_at(z, offsets[_i].t) == offsets[_i].offset,
	    "line %d: %s at %lld: %d, wanted %d", offsets[_i].line,
	    offsets[_i].zone, (long long)offsets[_i].t,
	    tz_offset_at(z, offsets[_i].t), offsets[_i].offset);
}
END_TEST

/* Wall clock (as seconds) to instants. */
static const struct {
	int		 line;
	const char	*zone;
	int64_t		 local;
	int		 n;
	int64_t		 first, second;
} locals[] = {
	/* 2024-03-10 02:30 New York: in the gap, which ends at 07:00Z */
	{ ROW, "America/New_York", 1710037800, 0, 1710054000, 0 },
	/* 2024-03-10 01:30: once */
	{ ROW, "America/New_York", 1710034200, 1, 1710052200, 0 },
	/* 2024-11-03 01:30: twice, EDT then EST */
	{ ROW, "America/New_York", 1730597400, 2, 1730611800, 1730615400 },
	/* the first second after the overlap: once */
	{ ROW, "America/New_York", 1730599200, 1, 1730617200, 0 },
	/* Lord Howe 2024-10-06 02:15: in a 30-minute gap */
	{ ROW, "Australia/Lord_Howe", 1728180900, 0, 1728142200, 0 },
	/* Sao Paulo 2018-11-04 00:30: midnight gap */
	{ ROW, "America/Sao_Paulo", 1541291400, 0, 1541300400, 0 },
	{ ROW, "UTC", 1700000000, 1, 1700000000, 0 },
};

START_TEST(test_local)
{
	const struct tz	*z = zone(locals[_i].line, locals[_i].zone);
	int64_t		 a = -1, b = -1;
	int		 n;

	n = tz_local_to_utc(z, locals[_i].local, &a, &b);
	ck_assert_msg(n == locals[_i].n, "line %d: %d instants, wanted %d",
	    locals[_i].line, n, locals[_i].n);
	ck_assert_msg(a == locals[_i].first, "line %d: first %lld, wanted "
	    "%lld", locals[_i].line, (long long)a,
	    (long long)locals[_i].first);
	if (n == 2)
		ck_assert_msg(b == locals[_i].second, "line %d: second %lld, "
		    "wanted %lld", locals[_i].line, (long long)b,
		    (long long)locals[_i].second);
}
END_TEST

/* POSIX TZ strings alone: offsets at instants. */
static const struct {
	int		 line;
	const char	*posix;
	int64_t		 t;
	int32_t		 offset;
} posix[] = {
	{ ROW, "EST5EDT,M3.2.0,M11.1.0", 1710053999, -5 * 3600 },
	{ ROW, "EST5EDT,M3.2.0,M11.1.0", 1710054000, -4 * 3600 },
	{ ROW, "EST5EDT", 1710054000, -4 * 3600 },	/* default rules */
	{ ROW, "<+0545>-5:45", 1704067200, 5 * 3600 + 2700 },
	{ ROW, "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 1728142200, 11 * 3600 },
	{ ROW, "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 1728142199,
	    10 * 3600 + 1800 },
	{ ROW, "<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45", 1727532000,
	    13 * 3600 + 2700 },
	/* Nuuk: a rule at -1:00, the day before at 23:00 -02 (01:00Z) */
	{ ROW, "<-02>2<-01>,M3.5.0/-1,M10.5.0/0", 1711846800, -3600 },
	{ ROW, "<-02>2<-01>,M3.5.0/-1,M10.5.0/0", 1711846799, -7200 },
	/* Jn: day 60 is March 1 even in leap years; n: zero-based */
	{ ROW, "AAA3BBB,J60/0,J300/0", 1709262000, -2 * 3600 },
	{ ROW, "AAA3BBB,J60/0,J300/0", 1709261999, -3 * 3600 },
	{ ROW, "AAA3BBB,59/0,300/0", 1709175600, -2 * 3600 },	/* 2024-02-29 */
};

START_TEST(test_posix)
{
	struct tz	*z;
	const char	*cause = "";

	ck_assert_msg(tz_from_posix("test", posix[_i].posix, &z, &cause) == 0,
	    "line %d: %s: %s", posix[_i].line, posix[_i].posix, cause);
	ck_assert_msg(tz_offset_at(z, posix[_i].t) == posix[_i].offset,
	    "line %d: %s at %lld: %d, wanted %d", posix[_i].line,
	    posix[_i].posix, (long long)posix[_i].t,
	    tz_offset_at(z, posix[_i].t), posix[_i].offset);
	tz_free(z);
}
END_TEST

static const char *const bad_posix[] = {
	"", "E", "EST", "EST5EDT,M3.2.0", "EST5EDT,M13.2.0,M11.1.0",
	"EST5EDT,M3.6.0,M11.1.0", "EST5EDT,M3.2.7,M11.1.0", "EST5EDT,J0,J10",
	"EST5EDT,J366,J10", "EST99", "<+05", "EST5EDT,M3.2.0/200,M11.1.0",
	"EST5EDT,M3.2.0,M11.1.0x",
};

START_TEST(test_bad_posix)
{
	struct tz	*z = NULL;
	const char	*cause = NULL;

	ck_assert_msg(tz_from_posix("bad", bad_posix[_i], &z, &cause) ==
	    -EINVAL, "'%s' accepted", bad_posix[_i]);
	ck_assert_ptr_nonnull(cause);
}
END_TEST

/* Hostile TZif data is refused, never read past its end. */
START_TEST(test_bad_tzif)
{
	static const unsigned char v1_header[44] = "TZif";
	unsigned char	 buf[200];
	struct tz	*z;
	const char	*cause;

	memset(buf, 0, sizeof buf);
	ck_assert_int_eq(tz_parse("x", buf, 0, &z, &cause), -EINVAL);
	ck_assert_int_eq(tz_parse("x", (const unsigned char *)"TZiX", 4, &z,
	    &cause), -EINVAL);
	memcpy(buf, v1_header, sizeof v1_header);
	ck_assert_int_eq(tz_parse("x", buf, 44, &z, &cause), -EINVAL);
	buf[39] = 1;		/* one type ... */
	buf[35] = 200;		/* ... 200 transitions, not in the buffer */
	ck_assert_int_eq(tz_parse("x", buf, 100, &z, &cause), -EINVAL);
	buf[35] = 0;
	buf[36] = 0x7f;		/* absurd type count */
	ck_assert_int_eq(tz_parse("x", buf, 100, &z, &cause), -EINVAL);
	buf[36] = 0;
	ck_assert_int_eq(tz_parse("x", buf, 44 + 6, &z, &cause), 0);
	ck_assert_int_eq(tz_offset_at(z, 0), 0);
	tz_free(z);
	buf[4] = '2';		/* v2 promises a second header: missing */
	ck_assert_int_eq(tz_parse("x", buf, 44 + 6, &z, &cause), -EINVAL);
}
END_TEST

START_TEST(test_names)
{
	const struct tz	*a, *b;
	const char	*cause;

	ck_assert_int_eq(tz_cache_get(zones, "../etc/passwd", &a, &cause),
	    -EINVAL);
	ck_assert_int_eq(tz_cache_get(zones, "/etc/localtime", &a, &cause),
	    -EINVAL);
	ck_assert_int_eq(tz_cache_get(zones, "", &a, &cause), -EINVAL);
	ck_assert_int_eq(tz_cache_get(zones, "America//New_York", &a, &cause),
	    -EINVAL);
	ck_assert_int_eq(tz_cache_get(zones, "America/", &a, &cause), -EINVAL);
	ck_assert_int_eq(tz_cache_get(zones, "Mars/Olympus_Mons", &a, &cause),
	    -ENOENT);
	ck_assert_str_eq(cause, "unknown time zone");
	ck_assert_int_eq(tz_cache_get(zones, "America", &a, &cause), -ENOENT);
	ck_assert_int_eq(tz_cache_get(zones, "zone.tab", &a, &cause), -ENOENT);
	ck_assert_int_eq(tz_cache_get(zones, "Europe/Paris", &a, &cause), 0);
	ck_assert_int_eq(tz_cache_get(zones, "Europe/Paris", &b, &cause), 0);
	ck_assert_ptr_eq(a, b);
	ck_assert_str_eq(tz_name(a), "Europe/Paris");
	ck_assert_int_eq(tz_cache_system(zones, &a, &cause), 0);
}
END_TEST

/* Spans are ordered and their wall-clock ends increase. */
START_TEST(test_spans)
{
	const struct tz	*z = zone(__LINE__, "America/New_York");
	struct tz_span	 a, b;
	size_t		 i, n = tz_span_count(z);

	ck_assert_uint_gt(n, 300);	/* the footer expanded to 2200 */
	for (i = 0; i + 1 < n; i++) {
		tz_span_get(z, i, &a);
		tz_span_get(z, i + 1, &b);
		ck_assert(a.end == b.start);
		ck_assert(a.start < a.end);
		ck_assert(a.offset != b.offset);
		ck_assert(a.end + a.offset < b.end + b.offset || b.end ==
		    INT64_MAX);
		ck_assert_uint_eq(tz_span_find(z, b.start), i + 1);
		ck_assert_uint_eq(tz_span_find_local(z, a.end + a.offset - 1),
		    i);
	}
}
END_TEST

static Suite *
tz_suite(void)
{
	Suite	*su = suite_create("tz");
	TCase	*tc = tcase_create("tz");

	tcase_add_checked_fixture(tc, setup, teardown);
	add_table_test(tc, test_offsets, offsets);
	add_table_test(tc, test_local, locals);
	add_table_test(tc, test_posix, posix);
	add_table_test(tc, test_bad_posix, bad_posix);
	tcase_add_test(tc, test_bad_tzif);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_spans);
	suite_add_tcase(su, tc);
	return (su);
}

int
main(void)
{
	return (run_suite(tz_suite()));
}
