/*
 * skedctl reject: reject a task that needs approval
 * (POST /v1/schedule/task/{task_id}/approve, approve_status REJECTED).
 *
 *	skedctl reject [-p PROJECT] [--json] [--comment TEXT] TASK
 */
#include "config.h"

#include "skedctl.h"

static int	reject_exec(int, char **);

const struct ctl_cmd ctl_reject_cmd = {
	.name = "reject",
	.usage = "[-p PROJECT] [--json] [--comment TEXT] TASK",
	.summary = "reject a task that needs approval",
	.exec = reject_exec,
};

static int
reject_exec(int argc, char **argv)
{
	return (ctl_approve(&ctl_reject_cmd, argc, argv, "REJECTED"));
}
