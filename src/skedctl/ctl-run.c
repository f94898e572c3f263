/*
 * skedctl run: run a task now
 * (POST /v1/{project_id}/schedule-task/{task_id}/execute).
 *
 *	skedctl run [-p PROJECT] [--force] [--wait] [--json] TASK
 *
 * --force runs it even when the overlap policy would skip it; --wait polls
 * the execution until it ends and exits 0 only when it succeeded.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "skedctl.h"

#define RUN_POLL_NSEC	200000000L	/* 0.2 s */

static int	run_exec(int, char **);

const struct ctl_cmd ctl_run_cmd = {
	.name = "run",
	.usage = "[-p PROJECT] [--force] [--wait] [--json] TASK",
	.summary = "run a task now",
	.exec = run_exec,
};

static const struct option run_opts[] = {
	{ "project", required_argument, NULL, 'p' },
	{ "force", no_argument, NULL, 'f' },
	{ "wait", no_argument, NULL, 'w' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Not final yet: running, or queued behind a running execution. */
static int
pending(const json_t *e)
{
	const char	*st = ctl_str(e, "status");

	return (st != NULL && (strcmp(st, "RUNNING") == 0 ||
	    strcmp(st, "WAITING") == 0));
}

static void
run_report(const json_t *e)
{
	const char	*id = ctl_str(e, "id"), *st = ctl_str(e, "status");
	const char	*reason = ctl_str(e, "reason");

	if (id == NULL)
		id = "?";
	if (st == NULL)
		st = "?";
	if (strcmp(st, "RUNNING") == 0 || strcmp(st, "WAITING") == 0)
		printf("execution %s started\n", id);
	else if (strcmp(st, "SKIP") == 0 && reason != NULL)
		printf("execution %s skipped: %s\n", id, reason);
	else if (strcmp(st, "SKIP") == 0)
		printf("execution %s skipped\n", id);
	else
		printf("execution %s finished: %s\n", id, st);
}

/* Poll the execution e (which it owns) until it ends: the last answer. */
static json_t *
run_wait(const struct ctl_cmd *cmd, const char *project, const char *task,
    json_t *e)
{
	const char	*params[PARAM_COUNT] = { NULL };
	struct timespec	 pause = { 0, RUN_POLL_NSEC };
	json_t		*next;
	char		 tid[PROTO_PARAM_MAX], xid[PROTO_PARAM_MAX];

	if (ctl_str(e, "task_id") != NULL)
		task = ctl_str(e, "task_id");
	if (ctl_str(e, "id") == NULL ||
	    strlen(ctl_str(e, "id")) >= sizeof xid ||
	    strlen(task) >= sizeof tid) {
		ctl_err(cmd, "skedd's reply names no execution to wait for");
		json_decref(e);
		return (NULL);
	}
	snprintf(tid, sizeof tid, "%s", task);
	snprintf(xid, sizeof xid, "%s", ctl_str(e, "id"));
	params[PARAM_PROJECT_ID] = project;
	params[PARAM_TASK_ID] = tid;
	params[PARAM_EXECUTION_ID] = xid;
	while (pending(e)) {
		nanosleep(&pause, NULL);
		next = ctl_request(cmd, ROUTE_EXECUTION_SHOW, params, NULL,
		    NULL);
		json_decref(e);
		if ((e = next) == NULL)
			return (NULL);
	}
	return (e);
}

static int
run_exec(int argc, char **argv)
{
	const struct ctl_cmd	*cmd = &ctl_run_cmd;
	const char		*project = ctl_project, *st, *operand;
	struct ctl_query	 q = CTL_QUERY_INIT;
	json_t			*e, *items;
	char			 task[PROTO_PARAM_MAX];
	int			 ch, force = 0, dowait = 0, json = ctl_json, rc, status;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "p:h", run_opts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			project = optarg;
			break;
		case 'f':
			force = 1;
			break;
		case 'w':
			dowait = 1;
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

	if (force)
		ctl_query_add(&q, "force", "true");
	e = ctl_task_request(cmd, ROUTE_TASK_EXECUTE, project, operand,
	    NULL, &q, NULL, task);
	ctl_query_free(&q);
	if (e == NULL)
		return (CTL_EXIT_FAIL);
	if (!json)
		run_report(e);
	if (dowait && (e = run_wait(cmd, project, task, e)) == NULL)
		return (CTL_EXIT_FAIL);

	if (json)
		rc = ctl_print_json(e);
	else if (dowait) {
		if ((items = json_array()) == NULL ||
		    json_array_append(items, e) != 0)
			rc = -1;
		else
			rc = ctl_history_table(items);
		json_decref(items);
	} else
		rc = 0;
	/* started (without --wait), or ended well (with it) */
	st = ctl_str(e, "status");
	if (rc != 0) {
		ctl_err(cmd, "out of memory");
		status = CTL_EXIT_FAIL;
	} else if (st != NULL && (strcmp(st, "SUCCESS") == 0 ||
	    (!dowait && pending(e))))
		status = CTL_EXIT_OK;
	else
		status = CTL_EXIT_FAIL;
	json_decref(e);
	return (status);
}
