/*
 * skedctl list: the tasks of a project (GET /v2/{project_id}/scheduled-tasks).
 *
 *	skedctl list [-p PROJECT] [--name NAME] [--type TASK_TYPE]
 *	    [--scheduled-type KIND] [--life-cycle-type TYPE]
 *	    [--status LAST_STATUS] [--offset N] [--limit N] [--json]
 */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skedctl.h"

#define LIST_MAX_LIMIT	50

static int	list_exec(int, char **);

const struct ctl_cmd ctl_list_cmd = {
	.name = "list",
	.usage = "[-p PROJECT] [--name NAME] [--type TASK_TYPE] "
	    "[--scheduled-type KIND] [--life-cycle-type TYPE] "
	    "[--status LAST_STATUS] [--offset N] [--limit N] [--json]",
	.summary = "list the tasks of a project",
	.exec = list_exec,
};

static const struct option list_opts[] = {
	{ "project", required_argument, NULL, 'p' },
	{ "name", required_argument, NULL, 'N' },
	{ "type", required_argument, NULL, 't' },
	{ "scheduled-type", required_argument, NULL, 'S' },
	{ "life-cycle-type", required_argument, NULL, 'L' },
	{ "status", required_argument, NULL, 's' },
	{ "offset", required_argument, NULL, 'o' },
	{ "limit", required_argument, NULL, 'l' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The query keys of the string filters, by option letter. */
static const struct {
	int		 ch;
	const char	*key;
} list_filters[] = {
	{ 'N', "task_name" },
	{ 't', "task_type" },
	{ 'S', "scheduled_type" },
	{ 'L', "life_cycle_type" },
	{ 's', "last_status" },
};

#define NFILTERS	(sizeof list_filters / sizeof list_filters[0])

static int
list_print(const json_t *reply, long offset)
{
	static const char *const head[] = { "ID", "NAME", "TYPE", "SCHEDULE",
	    "NEXT", "LAST", "ENABLED" };
	const json_t	*tasks = json_object_get(reply, "scheduled_tasks"), *t;
	struct ctl_grid	*g;
	const char	*row[7], *next, *zone, *kind;
	char		*when, enabled[8];
	json_int_t	 total;
	size_t		 i;
	int		 rc;

	if ((g = ctl_grid_new(7, 0, head)) == NULL)
		return (-1);
	json_array_foreach(tasks, i, t) {
		next = ctl_str(t, "next_execution_time");
		zone = ctl_str(t, "time_zone");
		when = NULL;
		if (next != NULL && zone != NULL &&
		    asprintf(&when, "%s %s", next, zone) == -1)
			when = NULL;
		kind = ctl_str(t, "scheduled_type");
		row[0] = ctl_str(t, "id");
		row[1] = ctl_str(t, "task_name");
		row[2] = ctl_str(t, "task_type");
		row[3] = kind != NULL && strcmp(kind, "CRON") == 0 &&
		    ctl_str(t, "task_cron") != NULL ? ctl_str(t, "task_cron") :
		    kind;
		row[4] = when != NULL ? when : next;
		row[5] = ctl_str(t, "last_status");
		row[6] = ctl_cell(t, json_object_get(t, "enable") != NULL ?
		    "enable" : "is_enable", enabled, sizeof enabled);
		ctl_grid_add(g, row);
		free(when);
	}
	rc = ctl_grid_print(g, stdout);
	ctl_grid_free(g);
	total = json_integer_value(json_object_get(reply, "total_count"));
	if (rc == 0 && (offset > 0 || (json_int_t)json_array_size(tasks) <
	    total))
		printf("%zu of %" JSON_INTEGER_FORMAT " tasks\n",
		    json_array_size(tasks), total);
	return (rc);
}

static int
list_exec(int argc, char **argv)
{
	const struct ctl_cmd	*cmd = &ctl_list_cmd;
	const char		*params[PARAM_COUNT] = { NULL };
	const char		*filter[NFILTERS] = { NULL };
	const char		*project = ctl_project;
	struct ctl_query	 q = CTL_QUERY_INIT;
	json_t			*reply;
	long			 offset = -1, limit = -1;
	size_t			 i;
	int			 ch, json = ctl_json, status = CTL_EXIT_FAIL;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "p:h", list_opts, NULL)) != -1) {
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
			if (ctl_parse_long(optarg, 0, LIST_MAX_LIMIT, &limit)
			    != 0) {
				ctl_err(cmd, "--limit: '%s': not a number "
				    "0-%d", optarg, LIST_MAX_LIMIT);
				return (CTL_EXIT_USAGE);
			}
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			ctl_usage(cmd, CTL_EXIT_OK);
		default:
			for (i = 0; i < NFILTERS; i++)
				if (list_filters[i].ch == ch)
					break;
			if (i == NFILTERS)
				ctl_usage(cmd, CTL_EXIT_USAGE);
			filter[i] = optarg;
			break;
		}
	}
	if (optind != argc) {
		ctl_err(cmd, "unexpected argument '%s'", argv[optind]);
		return (CTL_EXIT_USAGE);
	}
	if (ctl_check_param(cmd, "--project", project) != 0)
		return (CTL_EXIT_USAGE);

	if (offset >= 0)
		ctl_query_addl(&q, "offset", offset);
	if (limit >= 0)
		ctl_query_addl(&q, "limit", limit);
	for (i = 0; i < NFILTERS; i++)
		if (filter[i] != NULL)
			ctl_query_add(&q, list_filters[i].key, filter[i]);
	params[PARAM_PROJECT_ID] = project;
	reply = ctl_request(cmd, ROUTE_TASK_LIST, params, &q, NULL);
	ctl_query_free(&q);
	if (reply == NULL)
		return (CTL_EXIT_FAIL);
	if ((json ? ctl_print_json(reply) : list_print(reply, offset)) != 0)
		ctl_err(cmd, "out of memory");
	else
		status = CTL_EXIT_OK;
	json_decref(reply);
	return (status);
}
