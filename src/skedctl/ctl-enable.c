/*
 * skedctl enable: PATCH a task with {"is_enable": true}.
 *
 *	skedctl enable [-p PROJECT] [--json] TASK
 *
 * Prints "enabled NAME", or the task with --json.
 */
#include "config.h"

#include <stdio.h>

#include "skedctl.h"

static int	enable_exec(int, char **);

const struct ctl_cmd ctl_enable_cmd = {
	.name = "enable",
	.usage = "[-p PROJECT] [--json] TASK",
	.summary = "let a task fire again",
	.exec = enable_exec,
};

static int
enable_exec(int argc, char **argv)
{
	const struct ctl_cmd	*cmd = &ctl_enable_cmd;
	const char		*project = ctl_project;
	const char		*operand;
	json_t			*body;
	int			 json = ctl_json, status;

	operand = ctl_simple_args(cmd, argc, argv, "task", &project, &json);
	if ((body = json_pack("{s:b}", "is_enable", 1)) == NULL) {
		ctl_err(cmd, "out of memory");
		return (CTL_EXIT_FAIL);
	}
	status = ctl_patch_task(cmd, project, operand, body, json,
	    "enabled");
	json_decref(body);
	return (status);
}
