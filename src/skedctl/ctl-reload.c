/*
 * skedctl reload: make skedd reread its configuration and task files
 * (POST /v1/daemon/reload), as SIGHUP does.  On any error skedd keeps the
 * old configuration and every error line is printed.
 *
 *	skedctl reload [--json]
 */
#include "config.h"

#include <stdio.h>

#include "skedctl.h"

static int	reload_exec(int, char **);

const struct ctl_cmd ctl_reload_cmd = {
	.name = "reload",
	.usage = "[--json]",
	.summary = "make skedd reread its configuration and task files",
	.exec = reload_exec,
};


static int
reload_exec(int argc, char **argv)
{
	const struct ctl_cmd	*cmd = &ctl_reload_cmd;
	const char		*params[PARAM_COUNT] = { NULL };
	const json_t		*tasks, *files;
	json_t			*reply;
	int			 json = ctl_json, status = CTL_EXIT_OK;

	(void)ctl_simple_args(cmd, argc, argv, NULL, NULL, &json);

	if ((reply = ctl_request(cmd, ROUTE_RELOAD, params, NULL, NULL)) ==
	    NULL)
		return (CTL_EXIT_FAIL);
	tasks = json_object_get(reply, "tasks");
	files = json_object_get(reply, "file_tasks");
	if (json) {
		if (ctl_print_json(reply) != 0) {
			ctl_err(cmd, "out of memory");
			status = CTL_EXIT_FAIL;
		}
	} else if (json_is_integer(tasks) && json_is_integer(files))
		printf("reloaded: %" JSON_INTEGER_FORMAT " tasks, %"
		    JSON_INTEGER_FORMAT " from task files\n",
		    json_integer_value(tasks), json_integer_value(files));
	else
		printf("reloaded\n");
	json_decref(reply);
	return (status);
}
