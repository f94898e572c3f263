/*
 * Cron expression parsing: what each expression compiles to (shown as its
 * canonical Quartz form, which must re-parse to itself), whether it is a
 * fixed-time schedule, and a must-fail list whose errors name the field and
 * the reason.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "sched.h"
#include "testutil.h"

static const struct {
	int		 line;
	const char	*expr;
	const char	*quartz;	/* NULL: no Quartz equivalent */
	int		 fixed;
} good[] = {
	/* the seeds and SPEC */
	{ ROW, "0 15 10 ? * *", "0 15 10 * * ?", 1 },
	{ ROW, "*/10 * * * * ?", "*/10 * * * * ?", 0 },
	{ ROW, "0 0 12 ? * MON-FRI", "0 0 12 ? * 2-6", 1 },
	{ ROW, "0 15 10 ? * 6L", "0 15 10 ? * 6L", 1 },
	{ ROW, "0 0 0 L * ?", "0 0 0 L * ?", 1 },
	{ ROW, "0 0 0 L-3 * ?", "0 0 0 L-3 * ?", 1 },
	{ ROW, "0 0 0 LW * ?", "0 0 0 LW * ?", 1 },
	{ ROW, "0 0 0 L-2W * ?", "0 0 0 L-2W * ?", 1 },
	{ ROW, "0 0 0 15W * ?", "0 0 0 15W * ?", 1 },
	{ ROW, "0 0 12 ? * 6#5", "0 0 12 ? * 6#5", 1 },
	{ ROW, "0 0/30 8-18 ? * 2-6", "0 0,30 8-18 ? * 2-6", 0 },
	{ ROW, "0 0 0 29 2 ?", "0 0 0 29 2 ?", 1 },
	{ ROW, "0 0 0 29 2 ? *", "0 0 0 29 2 ?", 1 },
	{ ROW, "0 30 2 * * ?", "0 30 2 * * ?", 1 },
	{ ROW, "0 10-50/7 * * * ?", "0 10-45/7 * * * ?", 0 },
	{ ROW, "0 0 0 1 1 ? 2030-2090", "0 0 0 1 1 ? 2030-2090", 1 },
	{ ROW, "0 0 0 ? JAN,MAR,DEC SUN", "0 0 0 ? 1,3,12 1", 1 },
	{ ROW, "15 20 4 1,15 * ?", "15 20 4 1,15 * ?", 1 },
	{ ROW, "0 0 3 ? * 1#1", "0 0 3 ? * 1#1", 1 },
	{ ROW, "0 45 23 31 * ?", "0 45 23 31 * ?", 1 },
	{ ROW, "0 0 9-17 ? * MON-FRI", "0 0 9-17 ? * 2-6", 0 },
	/* wrap-around ranges, names, case, steps, whitespace */
	{ ROW, "0 0 22-2 * * ?", "0 0 0-2,22,23 * * ?", 0 },
	{ ROW, "0 0 0 ? * FRI-MON", "0 0 0 ? * 1,2,6,7", 1 },
	{ ROW, "0 0 0 ? NOV-FEB *", "0 0 0 * 1,2,11,12 ?", 1 },
	{ ROW, "0 0 22-2/2 * * ?", "0 0 0,2,22 * * ?", 0 },
	{ ROW, "0 0 0 ? * fri#3", "0 0 0 ? * 6#3", 1 },
	{ ROW, "0 0 0 ? * FRIL", "0 0 0 ? * 6L", 1 },
	{ ROW, "0 0 0 ? * L", "0 0 0 ? * 7", 1 },
	{ ROW, "0 0 0 ? jan-mar mon", "0 0 0 ? 1-3 2", 1 },
	{ ROW, "  0   0\t12 * * ?  ", "0 0 12 * * ?", 1 },
	{ ROW, "5/15 * * * * ?", "5/15 * * * * ?", 0 },
	{ ROW, "0 0 0 1,L * ?", "0 0 0 1,L * ?", 1 },
	{ ROW, "0 0 0 1 1 ? 2030/10", "0 0 0 1 1 ? 2030/10", 1 },
	{ ROW, "0 0 0 1 1 ? 2025,2027", "0 0 0 1 1 ? 2025,2027", 1 },
	{ ROW, "59 59 23 31 12 ? 2199", "59 59 23 31 12 ? 2199", 1 },
	{ ROW, "0 0 12 1-5 * ?", "0 0 12 1-5 * ?", 1 },
	{ ROW, "0 0 0 28-3 * ?", "0 0 0 1-3,28-31 * ?", 1 },
	{ ROW, "0 0 0 ? 12-2/2 *", "0 0 0 * 2,12 ?", 1 },
	/* classic */
	{ ROW, "30 4 * * *", "0 30 4 * * ?", 1 },
	{ ROW, "*/5 * * * *", "0 */5 * * * ?", 0 },
	{ ROW, "0 9-17 * * mon-fri", "0 0 9-17 ? * 2-6", 0 },
	{ ROW, "0 0 * * 0", "0 0 0 ? * 1", 1 },
	{ ROW, "0 0 * * 7", "0 0 0 ? * 1", 1 },
	{ ROW, "0 0 * * 5-7", "0 0 0 ? * 1,6,7", 1 },
	{ ROW, "0 0 1 jan *", "0 0 0 1 1 ?", 1 },
	{ ROW, "30 4 1,15 * 5", NULL, 1 },	/* dom OR dow */
	{ ROW, "0 0 */2 * 1", NULL, 1 },	/* '*' day: AND */
	{ ROW, "0 0 * * */2", "0 0 0 ? * 1/2", 1 },
	{ ROW, "0,30 * * * *", "0 0,30 * * * ?", 0 },
	{ ROW, "0 0-23/6 * * *", "0 0 */6 * * ?", 0 },
	{ ROW, "@yearly", "0 0 0 1 1 ?", 1 },
	{ ROW, "@annually", "0 0 0 1 1 ?", 1 },
	{ ROW, "@monthly", "0 0 0 1 * ?", 1 },
	{ ROW, "@weekly", "0 0 0 ? * 1", 1 },
	{ ROW, "@daily", "0 0 0 * * ?", 1 },
	{ ROW, "@midnight", "0 0 0 * * ?", 1 },
	{ ROW, "@hourly", "0 0 * * * ?", 0 },
	{ ROW, "@DAILY", "0 0 0 * * ?", 1 },
};

START_TEST(test_good)
{
	struct sched	s, s2;
	char		err[SCHED_ERRLEN], out[256], out2[256];
	int		rc;

	rc = sched_parse_cron(&s, good[_i].expr, NULL, err, sizeof err);
	ck_assert_msg(rc == 0, "line %d: '%s' rejected: %s", good[_i].line,
	    good[_i].expr, err);
	ck_assert_msg(!!(s.flags & SCHED_F_FIXED) == good[_i].fixed,
	    "line %d: '%s': fixed-time is %d, expected %d", good[_i].line,
	    good[_i].expr, !!(s.flags & SCHED_F_FIXED), good[_i].fixed);
	rc = sched_to_quartz(&s, out, sizeof out);
	if (good[_i].quartz == NULL) {
		ck_assert_msg(rc == -ENOENT, "line %d: '%s' printed as '%s'",
		    good[_i].line, good[_i].expr, out);
		return;
	}
	ck_assert_msg(rc == 0 && strcmp(out, good[_i].quartz) == 0,
	    "line %d: '%s' printed as '%s', expected '%s'", good[_i].line,
	    good[_i].expr, out, good[_i].quartz);
	/* The printed form is a fixed point. */
	rc = sched_parse_cron(&s2, out, NULL, err, sizeof err);
	ck_assert_msg(rc == 0, "line %d: '%s' does not re-parse: %s",
	    good[_i].line, out, err);
	ck_assert_int_eq(sched_to_quartz(&s2, out2, sizeof out2), 0);
	ck_assert_msg(strcmp(out, out2) == 0, "line %d: '%s' then '%s'",
	    good[_i].line, out, out2);
}
END_TEST

/* Each rejected expression, with text its message must contain. */
static const struct {
	int		 line;
	const char	*expr;
	const char	*msg;
} bad[] = {
	{ ROW, "", "empty expression" },
	{ ROW, "   ", "empty expression" },
	{ ROW, "* * * *", "4 fields" },
	{ ROW, "0 0 0 0 0 0 0 0", "too many fields" },
	{ ROW, "0 0 12 1 1 ? 2020 x", "too many fields" },
	{ ROW, "0 0 12 * * *", "'?' must be given" },
	{ ROW, "0 0 12 ? * ?", "only one of" },
	{ ROW, "0 0 12 1 * MON", "'?' must be given" },
	{ ROW, "60 * * * * ?", "second: '60': 60 is out of range 0-59" },
	{ ROW, "0 60 * * * ?", "minute: '60': 60 is out of range" },
	{ ROW, "0 0 24 * * ?", "hour: '24': 24 is out of range 0-23" },
	{ ROW, "0 0 0 0 * ?", "day-of-month: '0': 0 is out of range 1-31" },
	{ ROW, "0 0 0 32 * ?", "day-of-month: '32'" },
	{ ROW, "0 0 0 1 13 ?", "month: '13': 13 is out of range 1-12" },
	{ ROW, "0 0 0 1 0 ?", "month: '0'" },
	{ ROW, "0 0 0 ? * 0", "day-of-week: '0': 0 is out of range 1-7" },
	{ ROW, "0 0 0 ? * 8", "day-of-week: '8'" },
	{ ROW, "0 0 0 ? * 6#6", "day-of-week: '6#6': the week number" },
	{ ROW, "0 0 0 ? * 6#0", "day-of-week: '6#0'" },
	{ ROW, "0 0 0 ? * 8#1", "day-of-week: '8#1'" },
	{ ROW, "0 0 0 ? * 6#", "a week number after '#'" },
	{ ROW, "0 0 0 L-31 * ?", "day-of-month: 'L-31': offset from the last" },
	{ ROW, "0 0 0 L- * ?", "an offset after 'L-'" },
	{ ROW, "0 0 0 32W * ?", "day-of-month: '32W'" },
	{ ROW, "0 0 0 0W * ?", "day-of-month: '0W'" },
	{ ROW, "0 0 0 W * ?", "day-of-month: 'W'" },
	{ ROW, "0 0 0 LW,15W * ?", "only one of L" },
	{ ROW, "0 0 0 ? * LW", "day-of-week: 'LW'" },
	{ ROW, "0 0 0 1W,15 * ?", "day-of-month: W, LW and L-n cannot be "
	    "listed" },
	{ ROW, "0 0 0 LW,1 * ?", "W, LW and L-n cannot be listed" },
	{ ROW, "0 0 0 L-2,5 * ?", "W, LW and L-n cannot be listed" },
	{ ROW, "0 0 L * * ?", "hour: 'L'" },
	{ ROW, "0 0 0 ? * MONDAY", "unknown name 'MONDAY'" },
	{ ROW, "0 0 0 ? FOO *", "month: 'FOO': unknown name" },
	{ ROW, "0 0 0 ? * JAN", "day-of-week: 'JAN': unknown name" },
	{ ROW, "0 0 MON * * ?", "hour: 'MON': names are not allowed" },
	{ ROW, "0 */0 * * * ?", "minute: '*/0': step must be at least 1" },
	{ ROW, "0 0/0 * * * ?", "step must be at least 1" },
	{ ROW, "0 */60 * * * ?", "step 60 is larger than 59" },
	{ ROW, "0 0 */24 * * ?", "step 24 is larger than 23" },
	{ ROW, "0 */ * * * ?", "a step after '/'" },
	{ ROW, "0 /5 * * * ?", "minute: '/5'" },
	{ ROW, "0 5- * * * ?", "minute: '5-': a value missing" },
	{ ROW, "0 1-2-3 * * * ?", "unexpected '-'" },
	{ ROW, "0 1,,2 * * * ?", "empty list element" },
	{ ROW, "0 1, * * * ?", "empty list element" },
	{ ROW, "0 ,1 * * * ?", "empty list element" },
	{ ROW, "0 *-5 * * * ?", "unexpected '-' after '*'" },
	{ ROW, "0 0 0 ?x * *", "'?' must stand alone" },
	{ ROW, "0 0 0 ?,1 * *", "'?' must stand alone" },
	{ ROW, "? 0 0 1 * *", "second: '?'" },
	{ ROW, "0 0 0 1 1 ? 1969", "year: '1969': 1969 is out of range" },
	{ ROW, "0 0 0 1 1 ? 2200", "year: '2200'" },
	{ ROW, "0 0 0 1 1 ? 2090-2030", "year: '2090-2030': range 2090-2030 "
	    "is reversed" },
	{ ROW, "0 0 0 1 1 ? x", "year: 'x'" },
	{ ROW, "0 0 12 1 * ?junk", "'?' must stand alone" },
	{ ROW, "0 0 12 1x * ?", "day-of-month: '1x': unexpected 'x'" },
	{ ROW, "0 0 12# * * ?", "hour: '12#': unexpected '#'" },
	{ ROW, "0 0 -1 * * ?", "hour: '-1'" },
	{ ROW, "0 0 9999999 * * ?", "too large" },
	/* classic */
	{ ROW, "60 * * * *", "minute: '60'" },
	{ ROW, "* 24 * * *", "hour: '24'" },
	{ ROW, "* * 0 * *", "day-of-month: '0'" },
	{ ROW, "* * * 13 *", "month: '13'" },
	{ ROW, "* * * * 8", "day-of-week: '8': 8 is out of range 0-7" },
	{ ROW, "0 22-2 * * *", "hour: '22-2': range 22-2 is reversed" },
	{ ROW, "0 0 * * FRI-MON", "range 5-1 is reversed" },
	{ ROW, "0 0 ? * *", "'?' is only valid in Quartz" },
	{ ROW, "0 0 L * *", "'L' is only valid in Quartz" },
	{ ROW, "0 0 * * 5#2", "day-of-week: '5#2': unexpected '#'" },
	{ ROW, "0 0 15W * *", "day-of-month: '15W': unexpected 'W'" },
	{ ROW, "*/0 * * * *", "minute: '*/0': step must be at least 1" },
	{ ROW, "@reboot", "@reboot has no fire time" },
	{ ROW, "@fortnightly", "unknown macro '@fortnightly'" },
	{ ROW, "@daily 5", "unexpected text after @daily" },
};

START_TEST(test_bad)
{
	struct sched	s;
	char		err[SCHED_ERRLEN] = "";
	int		rc;

	rc = sched_parse_cron(&s, bad[_i].expr, NULL, err, sizeof err);
	ck_assert_msg(rc == -EINVAL, "line %d: '%s' accepted", bad[_i].line,
	    bad[_i].expr);
	ck_assert_msg(strstr(err, bad[_i].msg) != NULL,
	    "line %d: '%s': message '%s' lacks '%s'", bad[_i].line,
	    bad[_i].expr, err, bad[_i].msg);
}
END_TEST

/* A long message is cut to the buffer, never overflowing it. */
START_TEST(test_small_error_buffer)
{
	struct sched	s;
	char		err[8];

	memset(err, 'x', sizeof err);
	ck_assert_int_eq(sched_parse_cron(&s, "0 0 0 ? * MONDAY", NULL, err,
	    sizeof err), -EINVAL);
	ck_assert_int_eq(err[sizeof err - 1], '\0');
}
END_TEST

static Suite *
cron_suite(void)
{
	Suite	*su = suite_create("cron");
	TCase	*tc = tcase_create("parse");

	add_table_test(tc, test_good, good);
	add_table_test(tc, test_bad, bad);
	tcase_add_test(tc, test_small_error_buffer);
	suite_add_tcase(su, tc);
	return (su);
}

int
main(void)
{
	return (run_suite(cron_suite()));
}
