/*
 * skedctl status: the state of skedd (GET /v1/daemon/status).
 *
 *	skedctl status [--json]
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "skedctl.h"

static int	status_exec(int, char **);

const struct ctl_cmd ctl_status_cmd = {
	.name = "status",
	.usage = "[--json]",
	.summary = "show the state of skedd",
	.exec = status_exec,
};


static const char *const status_fields[] = {
	"version", "pid", "uptime", "tasks", "enabled", "armed", "running",
	"queued", "next_fire", "next_task_id", "next_task_name", "config",
	"database", "socket", "tasks_dir", NULL
};
/* printed apart: the nodes of a cluster, as a table */
static const char *const status_shown[] = {
	"version", "pid", "uptime", "tasks", "enabled", "armed", "running",
	"queued", "next_fire", "next_task_id", "next_task_name", "config",
	"database", "socket", "tasks_dir", "cluster", NULL
};

/* cluster: node NAME; then one line per node */
static void
status_nodes(const json_t *cl)
{
	const json_t	*nodes = json_object_get(cl, "nodes"), *n;
	size_t		 i;

	if (!json_is_array(nodes))
		return;
	printf("\nnode %s of %zu (heartbeat %lld s, dead after %lld s)\n",
	    json_string_value(json_object_get(cl, "node")) ?: "?",
	    json_array_size(nodes),
	    (long long)json_integer_value(json_object_get(cl, "heartbeat")),
	    (long long)json_integer_value(json_object_get(cl, "dead_after")));
	printf("%-24s %-6s %-25s %10s %8s\n", "NODE", "STATE",
	    "LAST HEARTBEAT", "FIRED", "RUNNING");
	json_array_foreach(nodes, i, n)
		printf("%-24s %-6s %-25s %10lld %8lld%s\n",
		    json_string_value(json_object_get(n, "name")) ?: "?",
		    json_string_value(json_object_get(n, "state")) ?: "?",
		    json_string_value(json_object_get(n, "last_heartbeat")) ?:
		    "-",
		    (long long)json_integer_value(json_object_get(n, "fired")),
		    (long long)json_integer_value(json_object_get(n,
		    "running")),
		    json_is_true(json_object_get(n, "self")) ? "  (this one)" :
		    "");
}

/* Seconds as "3d 4h 5m 6s", leading zero units left out. */
static void
status_uptime(struct ctl_kv *kv, json_int_t secs)
{
	char	buf[64];
	int	n = 0;

	if (secs >= 86400)
		n += snprintf(buf + n, sizeof buf - (size_t)n, "%"
		    JSON_INTEGER_FORMAT "d ", secs / 86400);
	if (secs >= 3600)
		n += snprintf(buf + n, sizeof buf - (size_t)n, "%dh ",
		    (int)(secs % 86400 / 3600));
	if (secs >= 60)
		n += snprintf(buf + n, sizeof buf - (size_t)n, "%dm ",
		    (int)(secs % 3600 / 60));
	snprintf(buf + n, sizeof buf - (size_t)n, "%ds", (int)(secs % 60));
	ctl_kv_add(kv, "uptime", buf);
}

static int
status_print(const json_t *st)
{
	struct ctl_kv	 kv = CTL_KV_INIT;
	const json_t	*v;
	size_t		 i;
	int		 rc;

	for (i = 0; status_fields[i] != NULL; i++) {
		v = json_object_get(st, status_fields[i]);
		if (strcmp(status_fields[i], "uptime") == 0 &&
		    json_is_integer(v) && json_integer_value(v) >= 0)
			status_uptime(&kv, json_integer_value(v));
		else
			ctl_kv_json(&kv, st, status_fields[i]);
	}
	ctl_kv_rest(&kv, st, status_shown);
	rc = ctl_kv_print(&kv, stdout, 0);
	ctl_kv_free(&kv);
	if (rc == 0 && json_is_object(json_object_get(st, "cluster")))
		status_nodes(json_object_get(st, "cluster"));
	return (rc);
}

static int
status_exec(int argc, char **argv)
{
	const struct ctl_cmd	*cmd = &ctl_status_cmd;
	const char		*params[PARAM_COUNT] = { NULL };
	json_t			*reply;
	int			 json = ctl_json, status = CTL_EXIT_OK;

	(void)ctl_simple_args(cmd, argc, argv, NULL, NULL, &json);

	if ((reply = ctl_request(cmd, ROUTE_STATUS, params, NULL, NULL)) ==
	    NULL)
		return (CTL_EXIT_FAIL);
	if ((json ? ctl_print_json(reply) : status_print(reply)) != 0) {
		ctl_err(cmd, "out of memory");
		status = CTL_EXIT_FAIL;
	}
	json_decref(reply);
	return (status);
}
