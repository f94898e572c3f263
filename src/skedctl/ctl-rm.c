/*
 * skedctl rm: delete a task (DELETE /v1/{project_id}/schedule-task/{task_id});
 * its history stays until pruned.
 *
 *	skedctl rm [-p PROJECT] TASK
 *
 * Prints "deleted TASK".
 */
#include "config.h"

#include <stdio.h>

#include "skedctl.h"

static int	rm_exec(int, char **);

const struct ctl_cmd ctl_rm_cmd = {
	.name = "rm",
	.usage = "[-p PROJECT] TASK",
	.summary = "delete a task (its history is kept until pruned)",
	.exec = rm_exec,
};

static int
rm_exec(int argc, char **argv)
{
	const struct ctl_cmd	*cmd = &ctl_rm_cmd;
	const char		*project = ctl_project;
	const char		*operand;
	json_t			*reply;
	int			 json = ctl_json;

	operand = ctl_simple_args(cmd, argc, argv, "task", &project, &json);
	if ((reply = ctl_task_request(cmd, ROUTE_TASK_DELETE, project,
	    operand, NULL, NULL, NULL, NULL)) == NULL)
		return (CTL_EXIT_FAIL);
	json_decref(reply);
	if (!json)	/* 204: nothing to print as JSON */
		printf("deleted %s\n", operand);
	return (CTL_EXIT_OK);
}
