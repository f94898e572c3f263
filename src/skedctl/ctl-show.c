/*
 * skedctl show: one task (GET /v1/{project_id}/schedule-task/{task_id}).
 *
 *	skedctl show [-p PROJECT] [--json] TASK
 *
 * TASK is an id or a task name.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skedctl.h"

static int	show_exec(int, char **);

const struct ctl_cmd ctl_show_cmd = {
	.name = "show",
	.usage = "[-p PROJECT] [--json] TASK",
	.summary = "show one task, by id or name",
	.exec = show_exec,
};


/* The fields of SPEC section 2, in its order; others follow. */
static const char *const show_fields[] = {
	"id", "task_name", "project_id", "task_type", "scheduled_type",
	"scheduled_date", "scheduled_time", "day_interval", "week_list",
	"month_list", "date_list", "task_cron", "time_zone", "expire_time",
	"is_enable", "description", "schedule_task_policy", "target_infos",
	"life_cycle_type", "priority", "wait_time", "input_param",
	"next_execution_time", "last_status", "create_time", "update_time",
	"misfire_policy", "overlap_policy", "history_keep", "source", NULL
};

/* One line per target: "TYPE: id1, id2". */
static void
show_targets(struct ctl_kv *kv, const json_t *targets)
{
	const json_t	*t, *ids;
	const char	*type;
	char		*list, *line;
	size_t		 i;

	json_array_foreach(targets, i, t) {
		type = ctl_str(t, "target_type");
		ids = json_object_get(t, "target_id");
		if (json_is_array(ids))
			list = ctl_join(ids, ", ");
		else
			list = strdup(json_is_string(ids) ?
			    json_string_value(ids) : "");
		if (list == NULL || asprintf(&line, "%s: %s",
		    type != NULL ? type : "?", list) == -1) {
			free(list);
			kv->failed = 1;
			return;
		}
		ctl_kv_add(kv, i == 0 ? "target_infos" : "", line);
		free(line);
		free(list);
	}
}

int
ctl_show_task(const json_t *task, int json)
{
	struct ctl_kv	 kv = CTL_KV_INIT;
	size_t		 i;
	int		 rc;

	if (json)
		return (ctl_print_json(task));
	for (i = 0; show_fields[i] != NULL; i++)
		if (strcmp(show_fields[i], "target_infos") == 0)
			show_targets(&kv, json_object_get(task,
			    "target_infos"));
		else
			ctl_kv_json(&kv, task, show_fields[i]);
	ctl_kv_rest(&kv, task, show_fields);
	rc = ctl_kv_print(&kv, stdout, 0);
	ctl_kv_free(&kv);
	return (rc);
}

static int
show_exec(int argc, char **argv)
{
	const struct ctl_cmd	*cmd = &ctl_show_cmd;
	const char		*project = ctl_project, *operand;
	json_t			*task;
	int			 json = ctl_json, status = CTL_EXIT_FAIL;

	operand = ctl_simple_args(cmd, argc, argv, "task", &project, &json);

	if ((task = ctl_task_request(cmd, ROUTE_TASK_SHOW, project,
	    operand, NULL, NULL, NULL, NULL)) == NULL)
		return (CTL_EXIT_FAIL);
	if (ctl_show_task(task, json) != 0)
		ctl_err(cmd, "out of memory");
	else
		status = CTL_EXIT_OK;
	json_decref(task);
	return (status);
}
