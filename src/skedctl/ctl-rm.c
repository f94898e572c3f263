/*
 * skedctl rm: delete a task (DELETE /v1/{project_id}/schedule-task/{task_id});
 * its history stays until pruned.
 *
 *	skedctl rm [-p PROJECT] TASK
 *
 * Prints "deleted TASK".
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>

#include "skedctl.h"

static int	rm_exec(int, char **);

const struct ctl_cmd ctl_rm_cmd = {
	.name = "rm",
	.usage = "[-p PROJECT] TASK",
	.summary = "delete a task (its history is kept until pruned)",
	.exec = rm_exec,
};

static const struct option rm_opts[] = {
	{ "project", required_argument, NULL, 'p' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int
rm_exec(int argc, char **argv)
{
	const struct ctl_cmd	*cmd = &ctl_rm_cmd;
	const char		*project = ctl_project;
	json_t			*reply;
	int			 ch, json = ctl_json;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "p:h", rm_opts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			project = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			ctl_usage(cmd, CTL_EXIT_OK);
		default:
			ctl_usage(cmd, CTL_EXIT_USAGE);
		}
	}
	if (optind == argc) {
		ctl_err(cmd, "which task?");
		ctl_usage(cmd, CTL_EXIT_USAGE);
	}
	if (optind + 1 != argc) {
		ctl_err(cmd, "unexpected argument '%s'", argv[optind + 1]);
		return (CTL_EXIT_USAGE);
	}
	if (ctl_check_param(cmd, "--project", project) != 0 ||
	    ctl_check_param(cmd, "TASK", argv[optind]) != 0)
		return (CTL_EXIT_USAGE);
	if ((reply = ctl_task_request(cmd, ROUTE_TASK_DELETE, project,
	    argv[optind], NULL, NULL, NULL, NULL)) == NULL)
		return (CTL_EXIT_FAIL);
	json_decref(reply);
	if (!json)	/* 204: nothing to print as JSON */
		printf("deleted %s\n", argv[optind]);
	return (CTL_EXIT_OK);
}
