/*
 * Shared glue for the Check suites.  Tables carry the source line of each
 * row (ROW) so that a failure names the row, and every table row is its own
 * test (tcase_add_loop_test), reported as one TAP line.
 */
#ifndef SKED_TESTUTIL_H
#define SKED_TESTUTIL_H

#include <check.h>
#include <stdlib.h>

#define ROW		__LINE__
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Add one test per row of a static table. */
#define add_table_test(tc, fn, table) \
	tcase_add_loop_test((tc), (fn), 0, (int)NELEM(table))

static inline int
run_suite(Suite *s)
{
	SRunner	*sr = srunner_create(s);
	int	 failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}

/* Where the tests find zoneinfo: $SKED_ZONEINFO, else the system's. */
static inline const char *
test_zoneinfo(void)
{
	const char *dir = getenv("SKED_ZONEINFO");

	return (dir != NULL && *dir != '\0' ? dir : NULL);
}

#endif
