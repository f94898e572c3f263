/*
 * skedctl approve: approve a task that needs approval
 * (POST /v1/schedule/task/{task_id}/approve, approve_status PASSED).
 *
 *	skedctl approve [-p PROJECT] [--json] [--comment TEXT] TASK
 *
 * Prints the task in the O&M shape skedd answers with.  -p is the project
 * in which a task name is looked up.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>

#include "skedctl.h"

static int	approve_exec(int, char **);

const struct ctl_cmd ctl_approve_cmd = {
	.name = "approve",
	.usage = "[-p PROJECT] [--json] [--comment TEXT] TASK",
	.summary = "approve a task that needs approval",
	.exec = approve_exec,
};

static const struct option approve_opts[] = {
	{ "project", required_argument, NULL, 'p' },
	{ "comment", required_argument, NULL, 'c' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const char *const om_fields[] = { "id", "name", "approve_status",
    "approve_comments", "enable_approve", "task_type", "trigger_time",
    NULL };

static int
om_print(const json_t *t)
{
	struct ctl_kv	 kv = CTL_KV_INIT;
	size_t		 i;
	int		 rc;

	for (i = 0; om_fields[i] != NULL; i++)
		ctl_kv_json(&kv, t, om_fields[i]);
	ctl_kv_rest(&kv, t, om_fields);
	rc = ctl_kv_print(&kv, stdout, 0);
	ctl_kv_free(&kv);
	return (rc);
}

int
ctl_approve(const struct ctl_cmd *cmd, int argc, char **argv,
    const char *verdict)
{
	const char	*project = ctl_project, *comment = NULL, *operand;
	json_t		*body, *reply;
	int		 ch, json = ctl_json, status = CTL_EXIT_OK;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "p:c:h", approve_opts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'p':
			project = optarg;
			break;
		case 'c':
			comment = optarg;
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
	operand = ctl_operand(cmd, argc, argv, "task", project);
	if ((body = json_pack("{s:s}", "approve_status", verdict)) == NULL ||
	    (comment != NULL && json_object_set_new(body, "approve_comments",
	    json_string(comment)) != 0)) {
		json_decref(body);
		ctl_err(cmd, "out of memory");
		return (CTL_EXIT_FAIL);
	}
	reply = ctl_task_request(cmd, ROUTE_OM_APPROVE, project, operand,
	    NULL, NULL, body, NULL);
	json_decref(body);
	if (reply == NULL)
		return (CTL_EXIT_FAIL);
	if ((json ? ctl_print_json(reply) : om_print(reply)) != 0) {
		ctl_err(cmd, "out of memory");
		status = CTL_EXIT_FAIL;
	}
	json_decref(reply);
	return (status);
}

static int
approve_exec(int argc, char **argv)
{
	return (ctl_approve(&ctl_approve_cmd, argc, argv, "PASSED"));
}
