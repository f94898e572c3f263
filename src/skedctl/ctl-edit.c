/*
 * skedctl edit: change some fields of a task
 * (PATCH /v1/{project_id}/schedule-task/{task_id}).
 *
 *	skedctl edit [-p PROJECT] [--json] TASK [FILE] [field flags]
 *	    [--dry-run]
 *
 * FILE (YAML or JSON) holds the fields to change; the flags override it.
 * Prints the whole task skedd answers with.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "skedctl.h"

static int	edit_exec(int, char **);

const struct ctl_cmd ctl_edit_cmd = {
	.name = "edit",
	.usage = "[-p PROJECT] [--json] TASK [FILE] " CTL_FIELD_USAGE,
	.summary = "change fields of a task, from a file and/or field flags",
	.exec = edit_exec,
};


int
ctl_patch_task(const struct ctl_cmd *cmd, const char *project,
    const char *task, const json_t *body, int json, const char *done)
{
	const char	*name;
	json_t		*t;
	int		 rc;

	if (ctl_check_param(cmd, "--project", project) != 0 ||
	    ctl_check_param(cmd, "TASK", task) != 0)
		return (CTL_EXIT_USAGE);
	if ((t = ctl_task_request(cmd, ROUTE_TASK_MODIFY, project, task, NULL,
	    NULL, body, NULL)) == NULL)
		return (CTL_EXIT_FAIL);
	if (done != NULL && !json) {
		name = ctl_str(t, "task_name");
		printf("%s %s\n", done, name != NULL ? name : task);
		rc = 0;
	} else
		rc = ctl_show_task(t, json);
	json_decref(t);
	if (rc != 0) {
		ctl_err(cmd, "out of memory");
		return (CTL_EXIT_FAIL);
	}
	return (CTL_EXIT_OK);
}

static int
edit_exec(int argc, char **argv)
{
	const struct ctl_cmd	*cmd = &ctl_edit_cmd;
	const char		*project = ctl_project;
	json_t			*fields, *body = NULL;
	int			 json = ctl_json, dry = 0;
	int			 status = CTL_EXIT_USAGE;

	if ((fields = json_object()) == NULL) {
		ctl_err(cmd, "out of memory");
		return (CTL_EXIT_FAIL);
	}
	if (ctl_field_args(cmd, argc, argv, &project, &json, &dry,
	    fields) != 0)
		goto out;
	if (optind == argc) {
		ctl_err(cmd, "which task?");
		json_decref(fields);
		ctl_usage(cmd, CTL_EXIT_USAGE);
	}
	if (optind + 2 < argc) {
		ctl_err(cmd, "unexpected argument '%s'", argv[optind + 2]);
		goto out;
	}
	if (optind + 1 < argc) {
		if ((body = ctl_task_file_json(cmd, argv[optind + 1])) == NULL)
			goto out;
		if (json_object_update(body, fields) != 0) {
			ctl_err(cmd, "out of memory");
			status = CTL_EXIT_FAIL;
			goto out;
		}
	} else
		body = json_incref(fields);
	if (json_object_size(body) == 0) {
		ctl_err(cmd, "nothing to change: give a file or field flags");
		goto out;
	}
	if (dry)
		status = ctl_print_json(body) == 0 ? CTL_EXIT_OK :
		    CTL_EXIT_FAIL;
	else
		status = ctl_patch_task(cmd, project, argv[optind], body, json,
		    NULL);
out:
	json_decref(body);
	json_decref(fields);
	return (status);
}
