/*
 * skedctl validate: check task files offline, with the core task loader
 * skedd uses.  No daemon.
 *
 *	skedctl validate FILE...
 *
 * Every error is printed as file:line:column: message; exit 1 when any
 * file has one, else "FILE: N tasks OK" for each.  Beyond the loader's
 * checks, each task's zone is looked up and its schedule compiled, as
 * skedd does when it arms the task.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>

#include "sched.h"
#include "skedctl.h"
#include "task.h"
#include "tz.h"

static int	validate_exec(int, char **);

const struct ctl_cmd ctl_validate_cmd = {
	.name = "validate",
	.usage = "FILE...",
	.summary = "check task files offline, printing every error",
	.exec = validate_exec,
};

static const struct option validate_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The errors of tasks the loader accepted: zones and schedules. */
static int
check_schedules(const struct task_set *set, struct tz_cache *zones,
    const struct tz *utc, struct errlist *errs)
{
	const struct task	*t;
	const struct tz		*zone;
	struct sched		 s;
	const char		*cause;
	char			 err[SCHED_ERRLEN];
	size_t			 i;

	for (i = 0; i < set->count; i++) {
		t = &set->tasks[i];
		if (t->time_zone != NULL &&
		    tz_cache_get(zones, t->time_zone, &zone, &cause) != 0) {
			errlist_add(errs, t->file, t->line, t->column,
			    "%s: time_zone: '%s': %s", t->task_name,
			    t->time_zone, cause);
			continue;
		}
		if (task_schedule(t, zones, utc, &s, err, sizeof err) < 0)
			errlist_add(errs, t->file, t->line, t->column,
			    "%s: %s", t->task_name, err);
	}
	return (errs->count > 0 ? -1 : 0);
}

static int
validate_exec(int argc, char **argv)
{
	const struct ctl_cmd	*cmd = &ctl_validate_cmd;
	struct task_set		 set;
	struct errlist		 errs = ERRLIST_INIT;
	struct tz_cache		*zones;
	const struct tz		*utc;
	const char		*cause;
	int			 ch, i, status = CTL_EXIT_OK;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", validate_opts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'h':
			ctl_usage(cmd, CTL_EXIT_OK);
		default:
			ctl_usage(cmd, CTL_EXIT_USAGE);
		}
	}
	if (optind == argc) {
		ctl_err(cmd, "which files?");
		ctl_usage(cmd, CTL_EXIT_USAGE);
	}
	if ((zones = tz_cache_new(NULL)) == NULL ||
	    tz_cache_get(zones, "UTC", &utc, &cause) != 0) {
		ctl_err(cmd, "cannot load the UTC zone");
		tz_cache_free(zones);
		return (CTL_EXIT_FAIL);
	}
	for (i = optind; i < argc; i++) {
		set.tasks = NULL;
		set.count = 0;
		if (task_file_load(argv[i], &set, &errs) != 0 ||
		    check_schedules(&set, zones, utc, &errs) != 0) {
			errlist_print(&errs, stderr);
			errlist_clear(&errs);
			task_set_free(&set);
			status = CTL_EXIT_FAIL;
			continue;
		}
		printf("%s: %zu task%s OK\n", argv[i], set.count,
		    set.count == 1 ? "" : "s");
		task_set_free(&set);
	}
	tz_cache_free(zones);
	return (status);
}
