/*
 * skedctl disable: PATCH a task with {"is_enable": false}.
 *
 *	skedctl disable [-p PROJECT] [--json] TASK
 *
 * Prints "disabled NAME", or the task with --json.
 */
#include "config.h"

#include <stdio.h>

#include "skedctl.h"

static int	disable_exec(int, char **);

const struct ctl_cmd ctl_disable_cmd = {
	.name = "disable",
	.usage = "[-p PROJECT] [--json] TASK",
	.summary = "keep a task stored but never fire it",
	.exec = disable_exec,
};

static int
disable_exec(int argc, char **argv)
{
	const struct ctl_cmd	*cmd = &ctl_disable_cmd;
	const char		*project = ctl_project;
	const char		*operand;
	json_t			*body;
	int			 json = ctl_json, status;

	operand = ctl_simple_args(cmd, argc, argv, "task", &project, &json);
	if ((body = json_pack("{s:b}", "is_enable", 0)) == NULL) {
		ctl_err(cmd, "out of memory");
		return (CTL_EXIT_FAIL);
	}
	status = ctl_patch_task(cmd, project, operand, body, json,
	    "disabled");
	json_decref(body);
	return (status);
}
