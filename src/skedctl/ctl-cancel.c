/*
 * skedctl cancel: cancel one planned execution of a task on one target
 * (PUT /v2/{project_id}/instances/{instance_id}/scheduled-tasks/{task_id}
 * ?status=CANCELLED), without changing the task.
 *
 *	skedctl cancel [-p PROJECT] TASK INSTANCE
 */
#include "config.h"

#include "skedctl.h"

static int	cancel_exec(int, char **);

const struct ctl_cmd ctl_cancel_cmd = {
	.name = "cancel",
	.usage = "[-p PROJECT] TASK INSTANCE",
	.summary = "cancel the planned execution of a task on one target",
	.exec = cancel_exec,
};

static int
cancel_exec(int argc, char **argv)
{
	return (ctl_planned_modify(&ctl_cancel_cmd, argc, argv, 2, "status",
	    "CANCELLED"));
}
