/*
 * The O&M view of seed 004: GET /v1/schedule/task/{task_id} and
 * POST /v1/schedule/task.  Neither path names a project, so each checks
 * the caller against the task's project once it knows it.
 */
#include "config.h"

#include <string.h>

#include <jansson.h>

#include "routes.h"
#include "skedd.h"
#include "views.h"

#define OM_DEFAULT_PROJECT	"default"

struct reply
route_om_create(struct api_req *req)
{
	static const char *const known[] = { NULL };
	const char	*project;
	struct reply	 r;
	json_t		*o, *v;

	if (query_unknown(req, known, &r) ||
	    (o = api_body_object(req, &r)) == NULL)
		return (r);
	v = json_object_get(o, "enterprise_project_id");
	if (v == NULL || json_is_null(v))
		v = json_object_get(o, "project_id");
	if (v != NULL && !json_is_null(v) && !json_is_string(v)) {
		json_decref(o);
		return (reply_error(400, "enterprise_project_id: expected a "
		    "string"));
	}
	project = json_is_string(v) ? json_string_value(v) :
	    OM_DEFAULT_PROJECT;
	if (!caller_may_use(req, project, &r)) {
		json_decref(o);
		return (r);
	}
	return (api_task_create(req, o, project, true));
}

struct reply
route_om_show(struct api_req *req)
{
	static const char *const known[] = { NULL };
	const char	*id = req->params[PARAM_TASK_ID];
	struct dtask	*dt;
	struct reply	 r;

	if (query_unknown(req, known, &r))
		return (r);
	if ((dt = tasks_find(req->d, id)) == NULL)
		return (reply_error(404, "task_id: no task '%s'", id));
	/* whoever may not see the project learns nothing of the task */
	if (!caller_may_use(req, dt->proj->name, &r))
		return (r);
	return (reply_view(req->d, view_task_om(req->d, dt)));
}
