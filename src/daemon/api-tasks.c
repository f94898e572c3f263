/*
 * Writing tasks through the API: create, modify, delete.  A body is parsed
 * with jansson (so malformed JSON and duplicate keys are caught with their
 * position), typed strictly, then printed again as one line and read by the
 * task file reader, so that API tasks and task files pass one set of rules
 * (core/task.c's field table).  Every check runs before anything changes;
 * the store is written first and the running set follows only when the
 * store has committed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "routes.h"
#include "skedd.h"
#include "store.h"
#include "tz.h"
#include "views.h"

/* Fields the task reader takes from any YAML scalar: JSON must give text. */
static const char *const string_fields[] = {
	"id", "task_name", "name", "project_id", "enterprise_project_id",
	"task_type", "description", "scheduled_type", "scheduled_date",
	"scheduled_time", "week_list", "month_list", "date_list", "task_cron",
	"time_zone", "expire_time", "life_cycle_type", "risk_level",
	"misfire_policy", "overlap_policy", NULL
};
static const char *const trigger_string_fields[] = {
	"policy", "time_zone", "periodic_scheduled_time", "period", "cron",
	NULL
};

/* The seed shape's schedule, replaced as a whole by a trigger_time. */
static const char *const seed_schedule[] = {
	"scheduled_type", "scheduled_date", "scheduled_time", "day_interval",
	"week_list", "month_list", "date_list", "task_cron", NULL
};

static bool
in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return (true);
	return (false);
}

static const char *
json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:	return ("an object");
	case JSON_ARRAY:	return ("an array");
	case JSON_STRING:	return ("a string");
	case JSON_INTEGER:	return ("an integer");
	case JSON_REAL:		return ("a number");
	case JSON_TRUE:
	case JSON_FALSE:	return ("a boolean");
	default:		return ("null");
	}
}

/* The request body as a JSON object, or NULL with a 400 in *r. */
json_t *
api_body_object(struct api_req *req, struct reply *r)
{
	json_error_t	 jerr;
	json_t		*o;

	if (req->body == NULL || req->len == 0) {
		*r = reply_error(400, "body: a JSON object is required");
		return (NULL);
	}
	o = json_loadb(req->body, req->len, JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL) {
		*r = reply_error(400, "body: malformed JSON at line %d, column "
		    "%d: %s", jerr.line, jerr.column, jerr.text);
		return (NULL);
	}
	if (!json_is_object(o)) {
		*r = reply_error(400, "body: expected a JSON object, not %s",
		    json_kind(o));
		json_decref(o);
		return (NULL);
	}
	return (o);
}

static bool
trigger_types_ok(json_t *tt, struct reply *r)
{
	const char	*k;
	json_t		*v;

	json_object_foreach(tt, k, v)
		if (in_list(trigger_string_fields, k) && !json_is_null(v) &&
		    !json_is_string(v)) {
			*r = reply_error(400, "trigger_time.%s: expected a "
			    "string, not %s", k, json_kind(v));
			return (false);
		}
	return (true);
}

/*
 * What YAML cannot tell apart: a number or boolean where text is meant
 * ("task_name": 12).  Integers and booleans the reader checks itself:
 * JSON text is a quoted scalar, which it refuses for them.
 */
static bool
types_ok(json_t *o, struct reply *r)
{
	const char	*k;
	json_t		*v, *v2, *e, *ids;
	size_t		 i, j;

	json_object_foreach(o, k, v) {
		if (strcmp(k, "tasks") == 0) {
			*r = reply_error(400, "tasks: unknown field (one task "
			    "per request)");
			return (false);
		}
		if (json_is_null(v))
			continue;
		if (in_list(string_fields, k) && !json_is_string(v)) {
			*r = reply_error(400, "%s: expected a string, not %s",
			    k, json_kind(v));
			return (false);
		}
		if (strcmp(k, "trigger_time") == 0 && json_is_object(v) &&
		    !trigger_types_ok(v, r))
			return (false);
		if (strcmp(k, "target_infos") != 0 || !json_is_array(v))
			continue;
		json_array_foreach(v, i, e) {
			if (!json_is_object(e))
				continue;	/* the reader names it */
			v2 = json_object_get(e, "target_type");
			if (v2 != NULL && !json_is_string(v2)) {
				*r = reply_error(400, "target_infos[%zu]."
				    "target_type: expected a string, not %s",
				    i, json_kind(v2));
				return (false);
			}
			ids = json_object_get(e, "target_id");
			if (!json_is_array(ids))
				continue;
			json_array_foreach(ids, j, v2) {
				if (json_is_string(v2))
					continue;
				*r = reply_error(400, "target_infos[%zu]."
				    "target_id[%zu]: expected a string, not %s",
				    i, j, json_kind(v2));
				return (false);
			}
		}
	}
	return (true);
}

/* "body:1:23: task_cron: ..." → "task_cron: ..." */
static const char *
strip_position(const char *msg)
{
	const char	*p = msg;
	int		 n;

	if (strncmp(p, "body", 4) != 0)
		return (msg);
	p += 4;
	for (n = 0; n < 2 && *p == ':'; n++) {
		p++;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == ':')
		p++;
	while (*p == ' ')
		p++;
	return (p);
}

/*
 * Read one task from a JSON object with the task file rules and compile
 * its schedule.  0, or -1 with a 400 naming every bad field in *r.
 */
static int
task_from_json(struct daemon *d, json_t *o, struct task *out, struct reply *r)
{
	struct errlist	 errs = ERRLIST_INIT;
	struct task_set	 set;
	struct sched	 s;
	char		*text, msg[1024], err[SCHED_ERRLEN];
	size_t		 i, len = 0;

	/*
	 * One line of JSON, which YAML's flow syntax reads as it is; non-ASCII
	 * as \uXXXX, because YAML folds a raw U+0085 or U+2028 (line breaks
	 * to it) into a space.
	 */
	if ((text = json_dumps(o, JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII)) ==
	    NULL)
		abort();
	if (task_text_load("body", text, strlen(text), &set, &errs) != 0) {
		free(text);
		msg[0] = '\0';
		for (i = 0; i < errs.count && len < sizeof msg; i++)
			len += (size_t)snprintf(msg + len, sizeof msg - len,
			    "%s%s", i ? "; " : "",
			    strip_position(errs.msgs[i]));
		errlist_clear(&errs);
		task_set_free(&set);
		*r = reply_error(400, "%s", msg[0] ? msg : "body: not a task");
		return (-1);
	}
	free(text);
	errlist_clear(&errs);
	if (set.count != 1) {
		task_set_free(&set);
		*r = reply_error(400, "body: expected one task");
		return (-1);
	}
	*out = set.tasks[0];
	free(set.tasks);
	/* API tasks have no file: the store keeps no position for them */
	free(out->file);
	out->file = NULL;
	out->line = out->column = 0;
	if (task_schedule(out, d->zones, d->default_zone, &s, err,
	    sizeof err) < 0) {
		*r = reply_error(400, "%s", err);
		task_free(out);
		return (-1);
	}
	return (0);
}

static struct reply
name_taken(const struct dtask *other)
{
	return (reply_error(409, "task_name: '%s' is already the name of task "
	    "%s in project %s", other->name, dtask_id(other),
	    other->proj->name));
}

static struct reply
read_only(struct daemon *d, const struct dtask *dt)
{
	return (reply_error(409, "task %s (%s) is defined in the file %s: "
	    "file tasks are read-only through the API; edit the file and "
	    "reload", dtask_id(dt), dt->name, tasks_source(d, dt)));
}

static void
meta_of(struct store_task_meta *m, const struct dtask *dt, int64_t create_ms,
    int64_t update_ms)
{
	memset(m, 0, sizeof *m);
	m->create_ms = create_ms;
	m->update_ms = update_ms;
	m->last_fire = dt != NULL ? dt->last_fire : 0;
	snprintf(m->last_status, sizeof m->last_status, "%s",
	    status_name(dt != NULL ? dt->last_status : ST_WAITING));
	m->source = NULL;
}

/*
 * A new API task of project from body o (consumed), in either seed shape.
 * The project comes from the path (or the O&M body, already checked by
 * the caller); a body that names another one is refused.
 */
struct reply
api_task_create(struct api_req *req, json_t *o, const char *project_in,
    bool om_view)
{
	struct daemon		*d = req->d;
	struct store_task_meta	 m;
	struct task		 t;
	struct dtask		*dt;
	struct reply		 r;
	static const char *const keys[] = { "project_id",
	    "enterprise_project_id" };
	const char		*given;
	char			 id[37];
	int			 i;
	int64_t			 now = now_ms();
	char			*project;

	/* it may live in o, whose project fields are replaced below */
	if ((project = strdup(project_in)) == NULL)
		abort();
	if (!types_ok(o, &r))
		goto out;
	if (json_object_get(o, "id") != NULL) {
		r = reply_error(400, "id: assigned by skedd; not accepted in "
		    "a request");
		goto out;
	}
	for (i = 0; i < 2; i++) {
		given = json_string_value(json_object_get(o, keys[i]));
		if (given != NULL && strcmp(given, project) != 0) {
			r = reply_error(400, "%s: '%s' is not the project of "
			    "the request (%s)", keys[i], given, project);
			goto out;
		}
		json_object_del(o, keys[i]);
	}
	json_object_set_new(o, "project_id", json_string(project));
	if (task_from_json(d, o, &t, &r) != 0)
		goto out;
	if ((dt = tasks_find_name(d, t.project_id, t.task_name)) != NULL) {
		r = name_taken(dt);
		task_free(&t);
		goto out;
	}
	do
		uuid_generate_str(id);
	while (tasks_find(d, id) != NULL);
	if ((t.id = strdup(id)) == NULL)
		abort();
	meta_of(&m, NULL, now, now);
	if (store_task_put(d->store, &t, &m) != 0) {
		r = reply_error(500, "the task could not be stored: %s",
		    store_error(d->store));
		task_free(&t);
		goto out;
	}
	/* tasks_add: a task that asks for approval waits for it */
	dt = tasks_add(d, &t, now, now, 0, ST_WAITING, NULL);
	tasks_arm(d, dt, now / 1000);
	cluster_changed(d, "put", dtask_id(dt));
	r = reply_view(d, om_view ? view_task_om(d, dt) : view_task(d, dt));
out:
	free(project);
	json_decref(o);
	return (r);
}

struct reply
route_create(struct api_req *req)
{
	static const char *const known[] = { NULL };
	struct reply	 r;
	json_t		*o;

	if (query_unknown(req, known, &r) ||
	    (o = api_body_object(req, &r)) == NULL)
		return (r);
	return (api_task_create(req, o, req->params[PARAM_PROJECT_ID], false));
}

/* A task's definition as a request body would give it. */
static json_t *
definition(const struct task *t)
{
	json_t	*o, *tt, *a, *ids, *v;
	char	 buf[40];
	size_t	 i, j;

	o = json_object();
	json_object_set_new(o, "task_name", json_string(t->task_name));
	json_object_set_new(o, "project_id", json_string(t->project_id));
	json_object_set_new(o, "task_type", json_string(t->task_type));
	if (t->description != NULL)
		json_object_set_new(o, "description",
		    json_string(t->description));
	if (t->time_zone != NULL)
		json_object_set_new(o, "time_zone", json_string(t->time_zone));
	if (t->has_time)
		snprintf(buf, sizeof buf, "%02d:%02d:%02d", t->hour, t->min,
		    t->sec);
	if (t->scheduled_type == TASK_ONCE ||
	    t->scheduled_type == TASK_PERIODIC) {
		tt = json_object();
		json_object_set_new(tt, "policy", json_string(
		    t->scheduled_type == TASK_ONCE ? "ONCE" : "PERIODIC"));
		if (t->has_once)
			json_object_set_new(tt, "single_scheduled_time",
			    json_integer(t->once_ms));
		if (t->has_time)
			json_object_set_new(tt, "periodic_scheduled_time",
			    json_string(buf));
		if (t->week_list != NULL)
			json_object_set_new(tt, "period",
			    json_string(t->week_list));
		if (t->has_expire)
			json_object_set_new(tt, "scheduled_close_time",
			    json_integer(t->expire_ms));
		json_object_set_new(o, "trigger_time", tt);
	} else {
		json_object_set_new(o, "scheduled_type",
		    json_string(task_sched_type_name(t->scheduled_type)));
		if (t->has_time)
			json_object_set_new(o, "scheduled_time",
			    json_string(buf));
		if (t->has_date) {
			snprintf(buf, sizeof buf, "%04d-%02d-%02d", t->year,
			    t->mon, t->day);
			json_object_set_new(o, "scheduled_date",
			    json_string(buf));
		}
		json_object_set_new(o, "day_interval",
		    json_integer(t->day_interval));
		if (t->week_list != NULL)
			json_object_set_new(o, "week_list",
			    json_string(t->week_list));
		if (t->month_list != NULL)
			json_object_set_new(o, "month_list",
			    json_string(t->month_list));
		if (t->date_list != NULL)
			json_object_set_new(o, "date_list",
			    json_string(t->date_list));
		if (t->task_cron != NULL)
			json_object_set_new(o, "task_cron",
			    json_string(t->task_cron));
		if (t->has_expire)
			json_object_set_new(o, "expire_time",
			    view_time_ms(t->expire_ms));
	}
	json_object_set_new(o, "is_enable", json_boolean(t->is_enable));
	json_object_set_new(o, "schedule_task_policy", json_pack("{s:b}",
	    "enforcement_enable", t->enforcement_enable));
	if (t->ntargets > 0) {
		a = json_array();
		for (i = 0; i < t->ntargets; i++) {
			ids = json_array();
			for (j = 0; j < t->targets[i].ntarget_ids; j++)
				json_array_append_new(ids, json_string(
				    t->targets[i].target_ids[j]));
			json_array_append_new(a, json_pack("{s:s, s:o}",
			    "target_type", t->targets[i].target_type,
			    "target_id", ids));
		}
		json_object_set_new(o, "target_infos", a);
	}
	if (t->life_cycle_type != NULL)
		json_object_set_new(o, "life_cycle_type",
		    json_string(t->life_cycle_type));
	json_object_set_new(o, "priority", json_integer(t->priority));
	json_object_set_new(o, "wait_time", json_integer(t->wait_time));
	if (t->input_param != NULL &&
	    (v = json_loads(t->input_param, 0, NULL)) != NULL)
		json_object_set_new(o, "input_param", v);
	if (t->risk_level != NULL)
		json_object_set_new(o, "risk_level",
		    json_string(t->risk_level));
	json_object_set_new(o, "enable_approve",
	    json_boolean(t->enable_approve));
	json_object_set_new(o, "enable_message_notification",
	    json_boolean(t->enable_message_notification));
	if (t->message_notification != NULL &&
	    (v = json_loads(t->message_notification, 0, NULL)) != NULL)
		json_object_set_new(o, "message_notification", v);
	json_object_set_new(o, "misfire_policy",
	    json_string(task_misfire_names[t->misfire_policy]));
	json_object_set_new(o, "overlap_policy",
	    json_string(task_overlap_names[t->overlap_policy]));
	if (t->history_keep > 0)
		json_object_set_new(o, "history_keep",
		    json_integer(t->history_keep));
	return (o);
}

/*
 * The patch over the definition: a field given replaces the stored one,
 * null puts it back to its default; trigger_time is merged field by field.
 * A schedule in the other shape replaces the whole stored schedule.
 */
static void
merge(json_t *def, json_t *patch)
{
	const char	*k, *k2;
	json_t		*v, *v2, *tt;
	size_t		 i;
	bool		 seed = false;

	for (i = 0; seed_schedule[i] != NULL; i++)
		seed |= json_object_get(patch, seed_schedule[i]) != NULL;
	if (seed)
		json_object_del(def, "trigger_time");
	if (json_object_get(patch, "trigger_time") != NULL)
		for (i = 0; seed_schedule[i] != NULL; i++)
			json_object_del(def, seed_schedule[i]);
	tt = json_object_get(def, "trigger_time");
	if (json_object_get(patch, "expire_time") != NULL && tt != NULL)
		json_object_del(tt, "scheduled_close_time");
	v = json_object_get(patch, "trigger_time");
	if (json_is_object(v) && json_object_get(v, "scheduled_close_time"))
		json_object_del(def, "expire_time");
	json_object_foreach(patch, k, v) {
		if (strcmp(k, "trigger_time") == 0 && json_is_object(v) &&
		    json_is_object(tt)) {
			json_object_foreach(v, k2, v2) {
				if (json_is_null(v2))
					json_object_del(tt, k2);
				else
					json_object_set(tt, k2, v2);
			}
			continue;
		}
		if (json_is_null(v))
			json_object_del(def, k);
		else
			json_object_set(def, k, v);
	}
}

struct reply
route_modify(struct api_req *req)
{
	static const char *const known[] = { NULL };
	struct daemon		*d = req->d;
	struct store_task_meta	 m;
	struct dtask		*dt, *other;
	struct tdef		*cur;
	struct task		 t;
	struct reply		 r;
	json_t			*patch, *def = NULL, *v;
	static const char *const project_keys[] = { "project_id",
	    "enterprise_project_id" };
	const char		*s;
	int64_t			 now = now_ms();
	int			 i;

	if (query_unknown(req, known, &r) || (dt = route_task(req, &r)) == NULL)
		return (r);
	if (dt->source != 0)
		return (read_only(d, dt));
	if ((patch = api_body_object(req, &r)) == NULL)
		return (r);
	if (!types_ok(patch, &r))
		goto out;
	if ((s = json_string_value(json_object_get(patch, "id"))) != NULL &&
	    strcmp(s, dtask_id(dt)) != 0) {
		r = reply_error(400, "id: '%s' is not the task of the path "
		    "(%s); ids never change", s, dtask_id(dt));
		goto out;
	}
	json_object_del(patch, "id");
	/*
	 * The project is the path's.  A body may repeat it, but null (which
	 * elsewhere means "back to the default") would move the task out of
	 * its project, where the path could no longer find it.
	 */
	for (i = 0; i < 2; i++) {
		if ((v = json_object_get(patch, project_keys[i])) == NULL)
			continue;
		if ((s = json_string_value(v)) == NULL) {
			r = reply_error(400, "%s: expected the task's project "
			    "(%s), not %s", project_keys[i], dt->proj->name,
			    json_kind(v));
			goto out;
		}
		if (strcmp(s, dt->proj->name) != 0) {
			r = reply_error(400, "%s: '%s': a task cannot move to "
			    "another project", project_keys[i], s);
			goto out;
		}
		json_object_del(patch, project_keys[i]);
	}
	if ((v = json_object_get(patch, "name")) != NULL &&
	    json_object_get(patch, "task_name") == NULL) {
		/* the O&M name is task_name: the stored one must go */
		json_object_set(patch, "task_name", v);
		json_object_del(patch, "name");
	}
	if ((cur = tasks_def(d, dt)) == NULL) {
		r = reply_error(500, "the task could not be read: %s",
		    store_error(d->store));
		goto out;
	}
	def = definition(&cur->t);
	merge(def, patch);
	if (task_from_json(d, def, &t, &r) != 0)
		goto out;
	other = tasks_find_name(d, t.project_id, t.task_name);
	if (other != NULL && other != dt) {
		r = name_taken(other);
		task_free(&t);
		goto out;
	}
	if ((t.id = strdup(dtask_id(dt))) == NULL)
		abort();
	/* a client comparing update_time must see it move */
	if ((cur = tasks_def(d, dt)) == NULL) {
		r = reply_error(500, "the task could not be read: %s",
		    store_error(d->store));
		task_free(&t);
		goto out;
	}
	if (now <= cur->update_ms)
		now = cur->update_ms + 1;
	meta_of(&m, dt, cur->create_ms, now);
	if (store_task_put(d->store, &t, &m) != 0) {
		r = reply_error(500, "the task could not be stored: %s",
		    store_error(d->store));
		task_free(&t);
		goto out;
	}
	/* tasks_replace keeps or resets the approval with enable_approve */
	tasks_replace(d, dt, &t, NULL, now);
	cluster_changed(d, "put", dtask_id(dt));
	r = reply_view(d, view_task(d, dt));
out:
	json_decref(def);
	json_decref(patch);
	return (r);
}

struct reply
route_delete(struct api_req *req)
{
	static const char *const known[] = { NULL };
	struct daemon	*d = req->d;
	struct dtask	*dt;
	struct reply	 r;
	int		 rc;

	if (query_unknown(req, known, &r) || (dt = route_task(req, &r)) == NULL)
		return (r);
	if (dt->source != 0)
		return (read_only(d, dt));
	rc = store_task_delete(d->store, dtask_id(dt), now_ms());
	if (rc < 0)
		return (reply_error(500, "the task could not be deleted: %s",
		    store_error(d->store)));
	/*
	 * Running executions keep a reference: the task leaves the set (no
	 * more fires, no more lookups) and is freed when the last one ends.
	 */
	cluster_changed(d, "del", dtask_id(dt));
	tasks_remove(d, dt);
	return (reply_with(204, NULL));
}
