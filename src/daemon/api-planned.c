/*
 * Planned records (seed 001) and the approval of O&M tasks (seed 004).
 *
 * A planned record is the next fire of a task on one of its targets: PUT
 * moves it (?execute_at=YYYYMMDDHHmmss, wall time in the task's zone) or
 * cancels it (?status=CANCELLED); GET lists a target's upcoming ones.
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "civil.h"
#include "routes.h"
#include "skedd.h"
#include "store.h"
#include "tz.h"
#include "views.h"

#define APPROVE_COMMENTS_MAX	1024	/* bytes */

static json_t *
local_time(struct daemon *d, struct dtask *dt, int64_t at)
{
	struct civil	c;
	char		buf[40];

	civil_from_secs(at + tz_offset_at(tasks_zone(d, dt), at), &c);
	snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", c.year,
	    c.mon, c.day, c.hour, c.min, c.sec);
	return (json_string(buf));
}

/* YYYYMMDDHHmmss as a wall-clock time, in seconds of the local scale. */
static int
parse_execute_at(const char *v, int64_t *local, char *why, size_t size)
{
	struct civil	c;
	size_t		i;

	for (i = 0; v[i] != '\0'; i++)
		if (!isdigit((unsigned char)v[i]))
			break;
	if (i != 14 || v[i] != '\0') {
		snprintf(why, size, "not of the form YYYYMMDDHHmmss");
		return (-1);
	}
	memset(&c, 0, sizeof c);
	if (sscanf(v, "%4d%2d%2d%2d%2d%2d", &c.year, &c.mon, &c.day, &c.hour,
	    &c.min, &c.sec) != 6) {
		snprintf(why, size, "not of the form YYYYMMDDHHmmss");
		return (-1);
	}
	if (c.year < 1970 || c.year > 2199)
		snprintf(why, size, "year %d is out of range 1970-2199",
		    c.year);
	else if (c.mon < 1 || c.mon > 12)
		snprintf(why, size, "month %d is out of range 1-12", c.mon);
	else if (c.day < 1 || c.day > civil_month_days(c.year, c.mon))
		snprintf(why, size, "day %d does not exist in %04d-%02d",
		    c.day, c.year, c.mon);
	else if (c.hour > 23)
		snprintf(why, size, "hour %d is out of range 0-23", c.hour);
	else if (c.min > 59)
		snprintf(why, size, "minute %d is out of range 0-59", c.min);
	else if (c.sec > 59)
		snprintf(why, size, "second %d is out of range 0-59", c.sec);
	else {
		*local = civil_to_secs(&c);
		return (0);
	}
	return (-1);
}

struct reply
route_planned_modify(struct api_req *req)
{
	struct daemon	*d = req->d;
	static const char *const known[] = { "execute_at", "status", NULL };
	const char	*inst = req->params[PARAM_INSTANCE_ID];
	const char	*ea, *status;
	struct reply	 r;
	struct dtask	*dt;
	int64_t		 local = 0, at = 0, second, now;
	char		 why[128], *cause = NULL;

	if (query_unknown(req, known, &r))
		return (r);
	ea = query_str(req, "execute_at");
	status = query_str(req, "status");
	if ((ea == NULL) == (status == NULL))
		return (reply_error(400, "execute_at, status: give exactly one "
		    "of them (execute_at=YYYYMMDDHHmmss or status=CANCELLED)"));
	if (status != NULL && strcmp(status, "CANCELLED") != 0)
		return (reply_error(400, "status: '%s' is not CANCELLED",
		    status));
	if (ea != NULL && parse_execute_at(ea, &local, why, sizeof why) != 0)
		return (reply_error(400, "execute_at: '%s': %s", ea, why));
	if ((dt = route_task(req, &r)) == NULL)
		return (r);
	if (planned_target_type(d, dt, inst) == NULL)
		return (reply_error(404, "instance_id: '%s' is not a target of "
		    "task %s", inst, dtask_id(dt)));
	now = (int64_t)floor(ev_time());
	if (ea != NULL) {
		/* a time in a gap runs when the gap ends; a repeated one at
		   its first occurrence, as the schedules do */
		(void)tz_local_to_utc(tasks_zone(d, dt), local, &at, &second);
		if (at <= now)
			return (reply_error(400, "execute_at: '%s' is in the "
			    "past (time zone %s)", ea,
			    tz_name(tasks_zone(d, dt))));
	}
	if (dt->next == 0)
		return (reply_error(409, "task_id: task %s has no upcoming "
		    "execution (disabled, expired or not timed)", dtask_id(dt)));
	if (planned_set(d, dt, inst, dt->next, at, &cause) != 0) {
		r = reply_error(500, "%s", cause);
		free(cause);
		return (r);
	}
	cluster_changed(d, "planned", dtask_id(dt));
	return (reply_with(204, NULL));
}

static json_t *
record(struct daemon *d, struct dtask *dt, const char *inst,
    int64_t planned_at, const struct planned *p)
{
	return (json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:s}",
	    "task_id", dtask_id(dt),
	    "task_name", dt->name,
	    "instance_id", inst,
	    "target_type", planned_target_type(d, dt, inst),
	    "planned_time", local_time(d, dt, planned_at),
	    "execute_time", p != NULL && !p->cancelled && p->execute_at > 0 ?
	    local_time(d, dt, p->execute_at) : json_null(),
	    "status", p != NULL && p->cancelled ? "CANCELLED" : "WAITING",
	    "time_zone", tz_name(tasks_zone(d, dt))));
}

struct reply
route_planned_list(struct api_req *req)
{
	struct daemon	*d = req->d;
	static const char *const known[] = { NULL };
	const char	*project = req->params[PARAM_PROJECT_ID];
	const char	*inst = req->params[PARAM_INSTANCE_ID];
	struct reply	 r;
	struct dtask	*dt;
	struct project	*proj;
	struct planned	*p;
	json_t		*items;
	int64_t		 now = (int64_t)floor(ev_time());
	size_t		 i;

	if (query_unknown(req, known, &r))
		return (r);
	planned_prune(d, now);
	items = json_array();
	for (i = 0; (proj = tasks_project(d, project)) != NULL &&
	    i < proj->nslots; i++) {
		/* every timed task of the project: its targets are in the
		   definition */
		if ((dt = proj->slot[i]) == NULL || !dt->timed ||
		    !dt->is_enable || dt->next == 0 ||
		    planned_target_type(d, dt, inst) == NULL)
			continue;
		json_array_append_new(items, record(d, dt, inst, dt->next,
		    planned_find(d, dtask_id(dt), inst, dt->next)));
		if (i % 1024 == 1023)	/* nothing held: keep the cache small */
			tasks_trim(d);
	}
	/* records of other instants still ahead: a moved run to come, or a
	   fire the task no longer has (it was changed) */
	LIST_FOREACH(p, &d->planned, entry) {
		if (strcmp(p->instance_id, inst) != 0 ||
		    (dt = tasks_find(d, p->task_id)) == NULL ||
		    strcmp(dt->proj->name, project) != 0 ||
		    planned_target_type(d, dt, inst) == NULL ||
		    (p->planned_at == dt->next && dt->is_enable))
			continue;
		if (p->planned_at < now && (p->cancelled ||
		    p->execute_at == 0 || p->moved_done))
			continue;
		json_array_append_new(items, record(d, dt, inst,
		    p->planned_at, p));
	}
	return (reply_ok(json_pack("{s:o, s:I}", "planned_records", items,
	    "count", (json_int_t)json_array_size(items))));
}

struct reply
route_om_approve(struct api_req *req)
{
	struct daemon	*d = req->d;
	const char	*id = req->params[PARAM_TASK_ID];
	const char	*key, *status = NULL, *comments = NULL;
	json_t		*body, *v;
	json_error_t	 jerr;
	struct reply	 r;
	struct dtask	*dt;

	/* the one who asks for a run is not the one who approves it */
	if (!req->caller.admin)
		return (reply_error(403, "approving a task is for "
		    "administrators (root, skedd's user, admin_group)"));
	if (req->body == NULL || req->len == 0)
		return (reply_error(400, "body: a JSON object with "
		    "approve_status is required"));
	if ((body = json_loadb(req->body, req->len, 0, &jerr)) == NULL)
		return (reply_error(400, "body: not JSON: %s (line %d, column "
		    "%d)", jerr.text, jerr.line, jerr.column));
	if (!json_is_object(body)) {
		json_decref(body);
		return (reply_error(400, "body: not a JSON object"));
	}
	json_object_foreach(body, key, v) {
		if (strcmp(key, "approve_status") == 0) {
			if (!json_is_string(v)) {
				r = reply_error(400, "approve_status: not a "
				    "string");
				goto out;
			}
			status = json_string_value(v);
		} else if (strcmp(key, "approve_comments") == 0) {
			if (json_is_null(v))
				continue;
			if (!json_is_string(v)) {
				r = reply_error(400, "approve_comments: not a "
				    "string");
				goto out;
			}
			comments = json_string_value(v);
			if (strlen(comments) > APPROVE_COMMENTS_MAX) {
				r = reply_error(400, "approve_comments: longer "
				    "than %d bytes", APPROVE_COMMENTS_MAX);
				goto out;
			}
		} else {
			r = reply_error(400, "%s: unknown field", key);
			goto out;
		}
	}
	if (status == NULL) {
		r = reply_error(400, "approve_status: required (PASSED or "
		    "REJECTED)");
		goto out;
	}
	if (strcmp(status, "PASSED") != 0 && strcmp(status, "REJECTED") != 0) {
		r = reply_error(400, "approve_status: '%s' is not PASSED or "
		    "REJECTED", status);
		goto out;
	}
	if ((dt = tasks_find(d, id)) == NULL) {
		r = reply_error(404, "task_id: no task '%s'", id);
		goto out;
	}
	if (!caller_may_use(req, dt->proj->name, &r))
		goto out;
	if (!dt->enable_approve) {
		r = reply_error(409, "approve_status: task %s does not have "
		    "enable_approve", id);
		goto out;
	}
	if (store_task_set_approve(d->store, dtask_id(dt), status, comments) !=
	    0) {
		r = reply_error(500, "%s", store_error(d->store));
		goto out;
	}
	tasks_set_approve(d, dt, status, comments);
	cluster_changed(d, "put", dtask_id(dt));
	r = reply_view(d, view_task_om(d, dt));
out:
	json_decref(body);
	return (r);
}
