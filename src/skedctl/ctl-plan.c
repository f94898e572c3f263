/*
 * skedctl plan: the planned records of one target
 * (GET /v2/{project_id}/instances/{instance_id}/scheduled-tasks).
 *
 *	skedctl plan [-p PROJECT] [--json] INSTANCE
 *
 * A table TASK PLANNED EXECUTE_AT STATUS ZONE, times in the task's zone.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>

#include "skedctl.h"

static int	plan_exec(int, char **);

const struct ctl_cmd ctl_plan_cmd = {
	.name = "plan",
	.usage = "[-p PROJECT] [--json] INSTANCE",
	.summary = "list the planned executions on one target",
	.exec = plan_exec,
};

static const struct option plan_opts[] = {
	{ "project", required_argument, NULL, 'p' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int
plan_print(const json_t *reply)
{
	static const char *const head[] = { "TASK", "PLANNED", "EXECUTE_AT",
	    "STATUS", "ZONE" };
	const json_t	*r;
	struct ctl_grid	*g;
	const char	*row[5];
	size_t		 i;
	int		 rc;

	if ((g = ctl_grid_new(5, 0, head)) == NULL)
		return (-1);
	json_array_foreach(json_object_get(reply, "planned_records"), i, r) {
		row[0] = ctl_str(r, "task_name") != NULL ?
		    ctl_str(r, "task_name") : ctl_str(r, "task_id");
		row[1] = ctl_str(r, "planned_time");
		row[2] = ctl_str(r, "execute_time");
		row[3] = ctl_str(r, "status");
		row[4] = ctl_str(r, "time_zone");
		ctl_grid_add(g, row);
	}
	rc = ctl_grid_print(g, stdout);
	ctl_grid_free(g);
	return (rc);
}

static int
plan_exec(int argc, char **argv)
{
	const struct ctl_cmd	*cmd = &ctl_plan_cmd;
	const char		*params[PARAM_COUNT] = { NULL };
	const char		*project = ctl_project;
	json_t			*reply;
	int			 ch, json = ctl_json, status = CTL_EXIT_FAIL;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "p:h", plan_opts, NULL)) != -1) {
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
		ctl_err(cmd, "which instance?");
		ctl_usage(cmd, CTL_EXIT_USAGE);
	}
	if (optind + 1 != argc) {
		ctl_err(cmd, "unexpected argument '%s'", argv[optind + 1]);
		return (CTL_EXIT_USAGE);
	}
	if (ctl_check_param(cmd, "--project", project) != 0 ||
	    ctl_check_param(cmd, "INSTANCE", argv[optind]) != 0)
		return (CTL_EXIT_USAGE);
	params[PARAM_PROJECT_ID] = project;
	params[PARAM_INSTANCE_ID] = argv[optind];
	if ((reply = ctl_request(cmd, ROUTE_PLANNED_LIST, params, NULL,
	    NULL)) == NULL)
		return (CTL_EXIT_FAIL);
	if ((json ? ctl_print_json(reply) : plan_print(reply)) != 0)
		ctl_err(cmd, "out of memory");
	else
		status = CTL_EXIT_OK;
	json_decref(reply);
	return (status);
}
