/*
 * skedctl validate: check task files offline, with the core task loader
 * skedd uses.  No daemon.
 *
 *	skedctl validate FILE...
 *
 * Every error is printed as file:line:column: message; exit 1 when any
 * file has one, else "FILE: N tasks OK" for each.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>

#include "skedctl.h"
#include "task.h"

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

static int
validate_exec(int argc, char **argv)
{
	const struct ctl_cmd	*cmd = &ctl_validate_cmd;
	struct task_set		 set;
	struct errlist		 errs = ERRLIST_INIT;
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
	for (i = optind; i < argc; i++) {
		set.tasks = NULL;
		set.count = 0;
		if (task_file_load(argv[i], &set, &errs) != 0) {
			errlist_print(&errs, stderr);
			errlist_clear(&errs);
			status = CTL_EXIT_FAIL;
			continue;
		}
		printf("%s: %zu task%s OK\n", argv[i], set.count,
		    set.count == 1 ? "" : "s");
		task_set_free(&set);
	}
	return (status);
}
