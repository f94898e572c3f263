/*
 * skedctl history: the executions of a task, or one execution with its
 * subtasks.
 *
 *	skedctl history [-p PROJECT] [--offset N] [--limit N] [--json] TASK
 *	skedctl history [-p PROJECT] [--json] TASK EXECUTION_ID
 */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skedctl.h"

#define HISTORY_MAX_LIMIT	100

static int	history_exec(int, char **);

const struct ctl_cmd ctl_history_cmd = {
	.name = "history",
	.usage = "[-p PROJECT] [--offset N] [--limit N] [--json] TASK "
	    "[EXECUTION_ID]",
	.summary = "list the executions of a task, or show one",
	.exec = history_exec,
};

static const struct option history_opts[] = {
	{ "project", required_argument, NULL, 'p' },
	{ "offset", required_argument, NULL, 'o' },
	{ "limit", required_argument, NULL, 'l' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const char *const execution_fields[] = {
	"id", "task_id", "task_type", "status", "scheduled_type",
	"total_count", "success_count", "failed_count", "excuting_count",
	"skipped_count", "time_zone", "begin_time", "end_time", "create_time",
	"reason", "subtasks", NULL
};

static const char *const subtask_fields[] = {
	"target_type", "target_id", "status", "exit_code", "reason",
	"begin_time", "end_time", "output_tail", NULL
};

int
ctl_history_table(const json_t *items)
{
	static const char *const head[] = { "EXECUTION", "BEGIN", "END",
	    "STATUS", "TOTAL", "OK", "FAILED", "RUNNING", "SKIPPED",
	    "REASON" };
	static const char *const count[] = { "total_count", "success_count",
	    "failed_count", "excuting_count", "skipped_count" };
	const json_t	*e;
	struct ctl_grid	*g;
	const char	*row[10];
	char		 buf[5][32];
	size_t		 i, k;
	int		 rc;

	/* the counts are right-aligned */
	if ((g = ctl_grid_new(10, 0x1f0, head)) == NULL)
		return (-1);
	json_array_foreach(items, i, e) {
		row[0] = ctl_str(e, "id");
		row[1] = ctl_str(e, "begin_time");
		row[2] = ctl_str(e, "end_time");
		row[3] = ctl_str(e, "status");
		for (k = 0; k < 5; k++)
			row[4 + k] = ctl_cell(e, count[k], buf[k],
			    sizeof buf[k]);
		row[9] = ctl_str(e, "reason");
		ctl_grid_add(g, row);
	}
	rc = ctl_grid_print(g, stdout);
	ctl_grid_free(g);
	return (rc);
}

/* "subtask TYPE ID", its fields indented, then its output's tail. */
static int
history_subtask(const json_t *s)
{
	struct ctl_kv	 kv = CTL_KV_INIT;
	const char	*tail;
	char		 type[64];
	size_t		 i;
	int		 rc;

	printf("\nsubtask %s %s\n", ctl_cell(s, "target_type", type,
	    sizeof type), ctl_str(s, "target_id") != NULL ?
	    ctl_str(s, "target_id") : "-");
	for (i = 2; subtask_fields[i] != NULL; i++)
		if (strcmp(subtask_fields[i], "output_tail") != 0)
			ctl_kv_json(&kv, s, subtask_fields[i]);
	ctl_kv_rest(&kv, s, subtask_fields);
	if ((tail = ctl_str(s, "output_tail")) != NULL && *tail != '\0')
		ctl_kv_add(&kv, "output_tail", "");
	rc = ctl_kv_print(&kv, stdout, 2);
	ctl_kv_free(&kv);
	if (rc == 0 && tail != NULL && *tail != '\0')
		rc = ctl_print_block(stdout, tail, 4);
	return (rc);
}

static int
history_execution(const json_t *e)
{
	struct ctl_kv	 kv = CTL_KV_INIT;
	const json_t	*s;
	size_t		 i;
	int		 rc;

	for (i = 0; execution_fields[i] != NULL; i++)
		if (strcmp(execution_fields[i], "subtasks") != 0)
			ctl_kv_json(&kv, e, execution_fields[i]);
	ctl_kv_rest(&kv, e, execution_fields);
	rc = ctl_kv_print(&kv, stdout, 0);
	ctl_kv_free(&kv);
	json_array_foreach(json_object_get(e, "subtasks"), i, s)
		if (rc == 0)
			rc = history_subtask(s);
	return (rc);
}

static int
history_list(const json_t *reply, long offset)
{
	const json_t	*items = json_object_get(reply, "items");
	json_int_t	 count;

	if (ctl_history_table(items) != 0)
		return (-1);
	count = json_integer_value(json_object_get(reply, "count"));
	if (offset > 0 || (json_int_t)json_array_size(items) < count)
		printf("%zu of %" JSON_INTEGER_FORMAT " executions\n",
		    json_array_size(items), count);
	return (0);
}

static int
history_exec(int argc, char **argv)
{
	const struct ctl_cmd	*cmd = &ctl_history_cmd;
	const char		*project = ctl_project, *task, *exec;
	struct ctl_query	 q = CTL_QUERY_INIT;
	json_t			*reply;
	long			 offset = -1, limit = -1;
	int			 ch, json = ctl_json, rc, status = CTL_EXIT_FAIL;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "p:h", history_opts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'p':
			project = optarg;
			break;
		case 'o':
			if (ctl_parse_long(optarg, 0, LONG_MAX, &offset) != 0) {
				ctl_err(cmd, "--offset: '%s': not a number "
				    ">= 0", optarg);
				return (CTL_EXIT_USAGE);
			}
			break;
		case 'l':
			if (ctl_parse_long(optarg, 1, HISTORY_MAX_LIMIT,
			    &limit) != 0) {
				ctl_err(cmd, "--limit: '%s': not a number "
				    "1-%d", optarg, HISTORY_MAX_LIMIT);
				return (CTL_EXIT_USAGE);
			}
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
		ctl_err(cmd, "which task?");
		ctl_usage(cmd, CTL_EXIT_USAGE);
	}
	if (argc - optind > 2) {
		ctl_err(cmd, "unexpected argument '%s'", argv[optind + 2]);
		return (CTL_EXIT_USAGE);
	}
	task = argv[optind];
	exec = argc - optind == 2 ? argv[optind + 1] : NULL;
	if (exec != NULL && (offset >= 0 || limit >= 0)) {
		ctl_err(cmd, "--offset and --limit page the list of "
		    "executions, not one execution");
		return (CTL_EXIT_USAGE);
	}
	if (ctl_check_param(cmd, "--project", project) != 0 ||
	    ctl_check_param(cmd, "TASK", task) != 0 ||
	    (exec != NULL && ctl_check_param(cmd, "EXECUTION_ID", exec) != 0))
		return (CTL_EXIT_USAGE);

	if (offset >= 0)
		ctl_query_addl(&q, "offset", offset);
	if (limit >= 0)
		ctl_query_addl(&q, "limit", limit);
	reply = ctl_task_request(cmd, exec != NULL ? ROUTE_EXECUTION_SHOW :
	    ROUTE_TASK_HISTORY, project, task, exec, &q, NULL, NULL);
	ctl_query_free(&q);
	if (reply == NULL)
		return (CTL_EXIT_FAIL);
	if (json)
		rc = ctl_print_json(reply);
	else if (exec != NULL)
		rc = history_execution(reply);
	else
		rc = history_list(reply, offset);
	if (rc != 0)
		ctl_err(cmd, "out of memory");
	else
		status = CTL_EXIT_OK;
	json_decref(reply);
	return (status);
}
