/*
 * skedctl plan: the planned records of one target
 * (GET /v2/{project_id}/instances/{instance_id}/scheduled-tasks).
 *
 *	skedctl plan [-p PROJECT] [--json] INSTANCE
 *
 * A table TASK PLANNED EXECUTE_AT STATUS ZONE, times in the task's zone.
 */
#include "config.h"

#include <stdio.h>

#include "skedctl.h"

static int	plan_exec(int, char **);

const struct ctl_cmd ctl_plan_cmd = {
	.name = "plan",
	.usage = "[-p PROJECT] [--json] INSTANCE",
	.summary = "list the planned executions on one target",
	.exec = plan_exec,
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
	const char		*operand;
	json_t			*reply;
	int			 json = ctl_json, status = CTL_EXIT_FAIL;

	operand = ctl_simple_args(cmd, argc, argv, "instance", &project, &json);
	params[PARAM_PROJECT_ID] = project;
	params[PARAM_INSTANCE_ID] = operand;
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
