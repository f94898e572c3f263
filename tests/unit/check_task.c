/*
 * Task files: good tasks of every kind in both shapes and syntaxes, and a
 * must-fail table whose errors carry the position and name the field.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "sched.h"
#include "task.h"
#include "testutil.h"
#include "tz.h"

#define HEAD	"task_name: t\ntask_type: START\n"

/* Good tasks: what they compile to, as fire times after 2024-01-01. */
static const struct {
	int		 line;
	const char	*text;
	const char	*kind;
	int64_t		 first;		/* first fire after 1704067200 */
} good[] = {
	{ ROW, HEAD "scheduled_type: CRON\ntask_cron: '0 15 10 ? * *'\n"
	    "time_zone: UTC\n", "CRON", 1704104100 },
	{ ROW, HEAD "scheduled_type: cron\ntask_cron: '@daily'\n"
	    "time_zone: UTC\n", "CRON", 1704153600 },
	{ ROW, HEAD "scheduled_type: DAY\nscheduled_time: '09:00:00'\n"
	    "time_zone: UTC\n", "DAY", 1704099600 },
	{ ROW, HEAD "scheduled_type: WEEK\nweek_list: '1,7'\n"
	    "scheduled_time: '00:00:00'\ntime_zone: UTC\n", "WEEK",
	    1704499200 },
	{ ROW, HEAD "scheduled_type: MONTH\ndate_list: 'L'\n"
	    "scheduled_time: '00:00:00'\ntime_zone: UTC\n", "MONTH",
	    1706659200 },
	{ ROW, HEAD "scheduled_type: FIXED_TIME\nscheduled_date: '2024-01-02'\n"
	    "scheduled_time: '00:00:00'\ntime_zone: UTC\n", "FIXED_TIME",
	    1704153600 },
	{ ROW, "{\"task_name\": \"j\", \"task_type\": \"stop\", "
	    "\"scheduled_type\": \"WEEK\", \"week_list\": \"2\", "
	    "\"scheduled_time\": \"00:00:00\", \"time_zone\": \"UTC\", "
	    "\"is_enable\": true, \"target_infos\": [{\"target_type\": "
	    "\"VM\", \"target_id\": [\"a\", \"b\"]}]}", "WEEK", 1704672000 },
	{ ROW, "name: o\ntask_type: EXECUTE_SCRIPT\ntrigger_time:\n"
	    "  policy: ONCE\n  single_scheduled_time: 1704067201500\n",
	    "ONCE", 1704067202 },
	{ ROW, "name: o\ntask_type: EXECUTE_SCRIPT\ntrigger_time:\n"
	    "  policy: PERIODIC\n  periodic_scheduled_time: '10:00:00'\n"
	    "  period: '2'\n  time_zone: UTC\n", "PERIODIC", 1704103200 },
	{ ROW, "name: o\ntask_type: EXECUTE_SCRIPT\ninput_param: "
	    "'{\"timeout\":\"300\"}'\ntrigger_time:\n  policy: CRON\n"
	    "  cron: '0 0 12 * * ?'\n  time_zone: UTC\n", "CRON", 1704110400 },
	{ ROW, HEAD "scheduled_type: LIFE_CYCLE\n"
	    "life_cycle_type: POST_CREATE_DESKTOP_SUCCESS\nwait_time: 30\n"
	    "priority: 1\n", "LIFE_CYCLE", -1 },
};

START_TEST(test_good)
{
	struct task_set	 set;
	struct errlist	 errs = ERRLIST_INIT;
	struct tz_cache	*zones = tz_cache_new(test_zoneinfo());
	const struct tz	*utc;
	const char	*cause;
	struct sched	 s;
	char		 err[SCHED_ERRLEN];
	int64_t		 t;
	int		 rc;

	ck_assert_int_eq(tz_cache_get(zones, "UTC", &utc, &cause), 0);
	rc = task_text_load("good.yaml", good[_i].text,
	    strlen(good[_i].text), &set, &errs);
	ck_assert_msg(rc == 0, "line %d: rejected: %s", good[_i].line,
	    errs.count ? errs.msgs[0] : "?");
	ck_assert_uint_eq(set.count, 1);
	ck_assert_str_eq(task_sched_type_name(set.tasks[0].scheduled_type),
	    good[_i].kind);
	ck_assert_str_eq(set.tasks[0].project_id, "default");
	rc = task_schedule(&set.tasks[0], zones, utc, &s, err, sizeof err);
	if (good[_i].first < 0)
		ck_assert_int_eq(rc, 1);
	else {
		ck_assert_msg(rc == 0, "line %d: %s", good[_i].line, err);
		ck_assert_int_eq(sched_next(&s, 1704067200, &t), 0);
		ck_assert_msg(t == good[_i].first, "line %d: first fire %lld, "
		    "wanted %lld", good[_i].line, (long long)t,
		    (long long)good[_i].first);
	}
	task_set_free(&set);
	tz_cache_free(zones);
}
END_TEST

/* Each bad file, and text the first error must contain. */
static const struct {
	int		 line;
	const char	*text;
	const char	*msg;
} bad[] = {
	{ ROW, HEAD "scheduled_type: DAY\nday_interval: 0\n"
	    "scheduled_time: '09:00:00'\n", "bad.yaml:4:15: day_interval: 0 is "
	    "out of range 1-366" },
	{ ROW, HEAD "scheduled_type: DAY\nday_interval: 367\n"
	    "scheduled_time: '09:00:00'\n", "bad.yaml:4:15: day_interval: 367" },
	{ ROW, HEAD "scheduled_type: DAY\nday_interval: '3'\n"
	    "scheduled_time: '09:00:00'\n", "bad.yaml:4:15: day_interval: "
	    "expected an integer" },
	{ ROW, HEAD "scheduled_type: WEEK\nweek_list: '0'\n"
	    "scheduled_time: '09:00:00'\n", "bad.yaml:4:12: week_list: '0': 0 "
	    "is out of range 1-7" },
	{ ROW, HEAD "scheduled_type: WEEK\nweek_list: '8'\n"
	    "scheduled_time: '09:00:00'\n", "week_list: '8'" },
	{ ROW, HEAD "scheduled_type: WEEK\nweek_list: '1,,2'\n"
	    "scheduled_time: '09:00:00'\n", "week_list: '1,,2'" },
	{ ROW, HEAD "scheduled_type: MONTH\ndate_list: '32'\n"
	    "scheduled_time: '09:00:00'\n", "bad.yaml:4:12: date_list: '32'" },
	{ ROW, HEAD "scheduled_type: MONTH\ndate_list: 'L-1'\n"
	    "scheduled_time: '09:00:00'\n", "date_list: 'L-1'" },
	{ ROW, HEAD "scheduled_type: MONTH\ndate_list: '1'\nmonth_list: '13'\n"
	    "scheduled_time: '09:00:00'\n", "bad.yaml:5:13: month_list: '13'" },
	{ ROW, HEAD "scheduled_type: FIXED_TIME\nscheduled_date: '2023-02-30'\n"
	    "scheduled_time: '09:00:00'\n", "bad.yaml:4:17: scheduled_date: "
	    "'2023-02-30' is not a date" },
	{ ROW, HEAD "scheduled_type: FIXED_TIME\nscheduled_date: '2024/01/01'\n"
	    "scheduled_time: '09:00:00'\n", "scheduled_date: '2024/01/01'" },
	{ ROW, HEAD "scheduled_type: DAY\nscheduled_time: '24:00:00'\n",
	    "bad.yaml:4:17: scheduled_time: '24:00:00' is not a time" },
	{ ROW, HEAD "scheduled_type: DAY\nscheduled_time: '9:00'\n",
	    "scheduled_time: '9:00'" },
	{ ROW, "task_name: 'has space'\ntask_type: START\nscheduled_type: CRON\n"
	    "task_cron: '@daily'\n", "bad.yaml:1:12: task_name: ' ' is not "
	    "allowed" },
	{ ROW, "task_name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaa\ntask_type: START\nscheduled_type: CRON\n"
	    "task_cron: '@daily'\n", "task_name: must be 1-64 characters" },
	{ ROW, "task_type: START\nscheduled_type: CRON\ntask_cron: '@daily'\n",
	    "bad.yaml:1:1: task_name: required" },
	{ ROW, "task_name: t\nscheduled_type: CRON\ntask_cron: '@daily'\n",
	    "task_type: required" },
	{ ROW, HEAD "task_cron: '@daily'\n", "scheduled_type: required" },
	{ ROW, HEAD "scheduled_type: HOURLY\n", "bad.yaml:3:17: scheduled_type: "
	    "'HOURLY' is not one of" },
	{ ROW, HEAD "scheduled_type: CRON\n", "task_cron: required for CRON" },
	{ ROW, HEAD "scheduled_type: CRON\ntask_cron: '0 0 0 ? * 6#6'\n",
	    "bad.yaml:4:12: task_cron: day-of-week: '6#6'" },
	{ ROW, HEAD "scheduled_type: WEEK\nscheduled_time: '09:00:00'\n",
	    "week_list: required for WEEK" },
	{ ROW, HEAD "scheduled_type: MONTH\nscheduled_time: '09:00:00'\n",
	    "date_list: required for MONTH" },
	{ ROW, HEAD "scheduled_type: DAY\nday_interval: 2\n"
	    "scheduled_time: '09:00:00'\n", "scheduled_date: required for DAY" },
	{ ROW, HEAD "scheduled_type: FIXED_TIME\nscheduled_time: '09:00:00'\n",
	    "scheduled_date: required for FIXED_TIME" },
	{ ROW, HEAD "scheduled_type: LIFE_CYCLE\n",
	    "life_cycle_type: required for LIFE_CYCLE" },
	{ ROW, HEAD "scheduled_type: CRON\ntask_cron: '@daily'\nbogus: 1\n",
	    "bad.yaml:5:1: bogus: unknown field" },
	{ ROW, HEAD "scheduled_type: CRON\ntask_cron: '@daily'\n"
	    "task_cron: '@hourly'\n", "bad.yaml:5:1: task_cron: given twice" },
	{ ROW, HEAD "scheduled_type: CRON\ntask_cron: '@daily'\n"
	    "is_enable: 'yes'\n", "bad.yaml:5:12: is_enable: expected true or "
	    "false" },
	{ ROW, HEAD "scheduled_type: CRON\ntask_cron: '@daily'\n"
	    "time_zone: '../etc/passwd'\n", "time_zone: '../etc/passwd' is not "
	    "a time zone name" },
	{ ROW, HEAD "scheduled_type: CRON\ntask_cron: '@daily'\n"
	    "expire_time: 'tomorrow'\n", "bad.yaml:5:14: expire_time: "
	    "'tomorrow'" },
	{ ROW, HEAD "scheduled_type: CRON\ntask_cron: '@daily'\n"
	    "input_param: [1, 2]\n", "bad.yaml:5:14: input_param: expected an "
	    "object" },
	{ ROW, HEAD "scheduled_type: CRON\ntask_cron: '@daily'\n"
	    "input_param: '[1]'\n", "input_param: expected an object" },
	{ ROW, HEAD "scheduled_type: CRON\ntask_cron: '@daily'\n"
	    "target_infos:\n  - target_type: VM\n    target_id: vm-1\n",
	    "bad.yaml:7:16: target_infos.target_id: expected a list" },
	{ ROW, HEAD "scheduled_type: CRON\ntask_cron: '@daily'\n"
	    "target_infos:\n  - target_id: [a]\n",
	    "target_infos.target_type: required" },
	{ ROW, HEAD "scheduled_type: CRON\ntask_cron: '@daily'\n"
	    "schedule_task_policy: {force: true}\n",
	    "schedule_task_policy: unknown field 'force'" },
	{ ROW, HEAD "scheduled_type: CRON\ntask_cron: '@daily'\n"
	    "description: " "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxx\n", "description: longer than 255" },
	{ ROW, HEAD "scheduled_type: CRON\ntask_cron: '@daily'\n"
	    "trigger_time: {policy: CRON, cron: '@daily'}\n",
	    "give scheduled_type or trigger_time, not both" },
	{ ROW, "name: o\ntask_type: X\ntrigger_time:\n  policy: ONCE\n",
	    "trigger_time.single_scheduled_time: required for policy ONCE" },
	{ ROW, "name: o\ntask_type: X\ntrigger_time:\n  policy: SOMETIMES\n",
	    "bad.yaml:4:11: trigger_time.policy: 'SOMETIMES'" },
	{ ROW, "name: o\ntask_type: X\ntrigger_time:\n  policy: PERIODIC\n"
	    "  periodic_scheduled_time: '10:00:00'\n  period: '9'\n",
	    "trigger_time.period: '9'" },
	{ ROW, "name: o\ntask_type: X\ntrigger_time:\n  policy: CRON\n"
	    "  cron: '0 0 0 L-31 * ?'\n", "bad.yaml:5:9: trigger_time.cron: "
	    "day-of-month: 'L-31'" },
	{ ROW, "name: o\ntask_type: X\ntrigger_time:\n  when: now\n",
	    "bad.yaml:4:3: trigger_time.when: unknown field" },
	{ ROW, HEAD "overlap_policy: SOMETIMES\nscheduled_type: CRON\n"
	    "task_cron: '@daily'\n", "overlap_policy: 'SOMETIMES'" },
	{ ROW, "task_name: [unclosed\n", "bad.yaml:2:1: " },
	{ ROW, "", "no task in the file" },
	{ ROW, "- 1\n- 2\n", "bad.yaml:1:3: task: expected a mapping" },
	{ ROW, "tasks: 5\n", "tasks: expected a list of tasks" },
	{ ROW, "tasks:\n  - " "task_name: a\n    task_type: START\n"
	    "    scheduled_type: CRON\n    task_cron: '@daily'\n"
	    "  - task_name: a\n    task_type: STOP\n    scheduled_type: CRON\n"
	    "    task_cron: '@daily'\n", "task_name: 'a' is already used" },
};

START_TEST(test_bad)
{
	struct task_set	set;
	struct errlist	errs = ERRLIST_INIT;
	int		rc;

	rc = task_text_load("bad.yaml", bad[_i].text, strlen(bad[_i].text),
	    &set, &errs);
	ck_assert_msg(rc == -1, "line %d: accepted", bad[_i].line);
	ck_assert_uint_eq(set.count, 0);
	ck_assert_msg(errs.count > 0, "line %d: no message", bad[_i].line);
	ck_assert_msg(strstr(errs.msgs[0], bad[_i].msg) != NULL,
	    "line %d: '%s' lacks '%s'", bad[_i].line, errs.msgs[0],
	    bad[_i].msg);
	errlist_clear(&errs);
}
END_TEST

/* Every error of a file is reported, not just the first. */
START_TEST(test_all_errors)
{
	static const char text[] = "task_name: 'a b'\ntask_type: START\n"
	    "scheduled_type: DAY\nday_interval: 0\nscheduled_time: '25:00:00'\n"
	    "colour: blue\n";
	struct task_set	set;
	struct errlist	errs = ERRLIST_INIT;

	ck_assert_int_eq(task_text_load("f.yaml", text, sizeof text - 1, &set,
	    &errs), -1);
	ck_assert_uint_eq(errs.count, 4);
	ck_assert_ptr_nonnull(strstr(errs.msgs[0], "f.yaml:1:12: task_name"));
	ck_assert_ptr_nonnull(strstr(errs.msgs[1], "f.yaml:4:15: day_interval"));
	ck_assert_ptr_nonnull(strstr(errs.msgs[2],
	    "f.yaml:5:17: scheduled_time"));
	ck_assert_ptr_nonnull(strstr(errs.msgs[3], "f.yaml:6:1: colour"));
	errlist_clear(&errs);
}
END_TEST

/* input_param keeps its values and types as JSON. */
START_TEST(test_input_param)
{
	static const char text[] = HEAD "scheduled_type: CRON\n"
	    "task_cron: '@daily'\ninput_param:\n  command: echo hi\n"
	    "  timeout: 30\n  env: {A: '1'}\n  args: [x, true]\n";
	struct task_set	set;
	struct errlist	errs = ERRLIST_INIT;

	ck_assert_int_eq(task_text_load("f.yaml", text, sizeof text - 1, &set,
	    &errs), 0);
	ck_assert_str_eq(set.tasks[0].input_param, "{\"args\":[\"x\",true],"
	    "\"command\":\"echo hi\",\"env\":{\"A\":\"1\"},\"timeout\":30}");
	task_set_free(&set);
}
END_TEST

START_TEST(test_missing_file)
{
	struct task_set	set;
	struct errlist	errs = ERRLIST_INIT;

	ck_assert_int_eq(task_file_load("/nonexistent/t.yaml", &set, &errs),
	    -1);
	ck_assert_ptr_nonnull(strstr(errs.msgs[0], "/nonexistent/t.yaml: "));
	errlist_clear(&errs);
}
END_TEST

static Suite *
task_suite(void)
{
	Suite	*su = suite_create("task");
	TCase	*tc = tcase_create("task");

	add_table_test(tc, test_good, good);
	add_table_test(tc, test_bad, bad);
	tcase_add_test(tc, test_all_errors);
	tcase_add_test(tc, test_input_param);
	tcase_add_test(tc, test_missing_file);
	suite_add_tcase(su, tc);
	return (su);
}

int
main(void)
{
	return (run_suite(task_suite()));
}
