/*
 * The control protocol: one table of routes (SPEC section 5), used by
 * skedd to dispatch requests and by skedctl to build them, so the two can
 * never disagree about a path.
 */
#ifndef SKED_PROTO_H
#define SKED_PROTO_H

#include <stddef.h>

enum route {
	ROUTE_TASK_LIST,	/* GET    /v2/{project_id}/scheduled-tasks */
	ROUTE_TASK_CREATE,	/* POST   /v1/{project_id}/schedule-task */
	ROUTE_TASK_SHOW,	/* GET    /v1/{project_id}/schedule-task/{task_id} */
	ROUTE_TASK_MODIFY,	/* PATCH  same */
	ROUTE_TASK_DELETE,	/* DELETE same */
	ROUTE_TASK_EXECUTE,	/* POST   .../{task_id}/execute */
	ROUTE_TASK_HISTORY,	/* GET    .../{task_id}/execute-history */
	ROUTE_EXECUTION_SHOW,	/* GET    .../execute-history/{execution_id} */
	ROUTE_PLANNED_LIST,	/* GET    /v2/{project_id}/instances/{instance_id}/scheduled-tasks */
	ROUTE_PLANNED_MODIFY,	/* PUT    .../scheduled-tasks/{task_id} */
	ROUTE_OM_CREATE,	/* POST   /v1/schedule/task */
	ROUTE_OM_SHOW,		/* GET    /v1/schedule/task/{task_id} */
	ROUTE_OM_APPROVE,	/* POST   /v1/schedule/task/{task_id}/approve */
	ROUTE_EVENT,		/* POST   /v1/{project_id}/events */
	ROUTE_RELOAD,		/* POST   /v1/daemon/reload */
	ROUTE_STATUS,		/* GET    /v1/daemon/status */
	ROUTE_CLUSTER,		/* GET    /v1/cluster */
	ROUTE_COUNT
};

/* The path parameters a route can carry, in this order. */
enum route_param {
	PARAM_PROJECT_ID,
	PARAM_TASK_ID,
	PARAM_EXECUTION_ID,
	PARAM_INSTANCE_ID,
	PARAM_COUNT
};

#define PROTO_PARAM_MAX	128	/* longest path parameter, with the NUL */

struct route_def {
	enum route	 id;
	const char	*method;
	const char	*pattern;	/* {name} stands for one path segment */
};

const struct route_def	*proto_route(enum route);

/*
 * Match a request.  Returns 0 and fills *id and params (indexed by enum
 * route_param, "" when absent), 404 when no pattern matches the path, 405
 * when one does but not with this method (allow then lists the methods).
 * Path segments are percent-decoded.
 */
int	proto_match(const char *method, const char *path, enum route *id,
	    char params[PARAM_COUNT][PROTO_PARAM_MAX], char *allow,
	    size_t allowlen);

/*
 * Build a route's path from its parameters (indexed by enum route_param),
 * percent-encoding each.  Returns 0, or -1 when a parameter it needs is
 * missing or the path does not fit.
 */
int	proto_path(char *buf, size_t len, enum route,
	    const char *const params[PARAM_COUNT]);

/* The error_code of an HTTP status: "SKED.0404" and so on. */
const char	*proto_error_code(int status);

#endif
