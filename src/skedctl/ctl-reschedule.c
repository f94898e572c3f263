/*
 * skedctl reschedule: move one planned execution of a task on one target
 * (PUT /v2/{project_id}/instances/{instance_id}/scheduled-tasks/{task_id}
 * ?execute_at=YYYYMMDDHHmmss), without changing the task.
 *
 *	skedctl reschedule [-p PROJECT] TASK INSTANCE 'YYYY-MM-DD HH:MM:SS'
 *
 * The time is on the wall clock of the task's zone.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "skedctl.h"

static int	reschedule_exec(int, char **);

const struct ctl_cmd ctl_reschedule_cmd = {
	.name = "reschedule",
	.usage = "[-p PROJECT] TASK INSTANCE 'YYYY-MM-DD HH:MM:SS'",
	.summary = "move a planned execution of a task on one target",
	.exec = reschedule_exec,
};

static const struct option planned_opts[] = {
	{ "project", required_argument, NULL, 'p' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/*
 * The options and nargs arguments (TASK INSTANCE [TIME]) of cancel and
 * reschedule, then the PUT with key=value (value NULL: argv's TIME).
 */
int
ctl_planned_modify(const struct ctl_cmd *cmd, int argc, char **argv,
    int nargs, const char *key, const char *value)
{
	const char		*params[PARAM_COUNT] = { NULL };
	const char		*project = ctl_project;
	struct ctl_query	 q = CTL_QUERY_INIT;
	json_t			*reply;
	char			 when[15];
	int			 ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "p:h", planned_opts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'p':
			project = optarg;
			break;
		case 'j':
			break;	/* 204: there is no JSON to print */
		case 'h':
			ctl_usage(cmd, CTL_EXIT_OK);
		default:
			ctl_usage(cmd, CTL_EXIT_USAGE);
		}
	}
	if (argc - optind < nargs) {
		ctl_err(cmd, "%s", argc - optind == 0 ? "which task?" :
		    argc - optind == 1 ? "which instance?" : "at what time?");
		ctl_usage(cmd, CTL_EXIT_USAGE);
	}
	if (argc - optind > nargs) {
		ctl_err(cmd, "unexpected argument '%s'", argv[optind + nargs]);
		return (CTL_EXIT_USAGE);
	}
	if (ctl_check_param(cmd, "--project", project) != 0 ||
	    ctl_check_param(cmd, "TASK", argv[optind]) != 0 ||
	    ctl_check_param(cmd, "INSTANCE", argv[optind + 1]) != 0)
		return (CTL_EXIT_USAGE);
	if (value == NULL) {
		if (ctl_parse_when(argv[optind + 2], when) != 0) {
			ctl_err(cmd, "'%s': not a time 'YYYY-MM-DD HH:MM:SS'",
			    argv[optind + 2]);
			return (CTL_EXIT_USAGE);
		}
		value = when;
	}
	params[PARAM_PROJECT_ID] = project;
	params[PARAM_TASK_ID] = argv[optind];
	params[PARAM_INSTANCE_ID] = argv[optind + 1];
	ctl_query_add(&q, key, value);
	reply = ctl_task_request_params(cmd, ROUTE_PLANNED_MODIFY, params, &q,
	    NULL, NULL);
	ctl_query_free(&q);
	if (reply == NULL)
		return (CTL_EXIT_FAIL);
	json_decref(reply);
	if (strcmp(key, "execute_at") == 0)
		printf("rescheduled %s on %s to %s\n", argv[optind],
		    argv[optind + 1], argv[optind + 2]);
	else
		printf("cancelled %s on %s\n", argv[optind], argv[optind + 1]);
	return (CTL_EXIT_OK);
}

static int
reschedule_exec(int argc, char **argv)
{
	return (ctl_planned_modify(&ctl_reschedule_cmd, argc, argv, 3,
	    "execute_at", NULL));
}
