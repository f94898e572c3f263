/*
 * The read side of the API and the daemon commands: list, show, history,
 * one execution, run now, reload, status.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>

#include "routes.h"
#include "skedd.h"
#include "store.h"
#include "tz.h"
#include "views.h"

#define LIST_LIMIT_MAX		50
#define HISTORY_LIMIT_MAX	100
#define HISTORY_LIMIT_DEFAULT	10

/*
 * A list page as text: the items' cached text joined, the same bytes
 * json_dumps would give for {"scheduled_tasks": [...], "total_count": N}.
 */
struct page {
	char	*buf;
	bool	 failed;	/* a definition could not be read */
	size_t	 len;
	size_t	 cap;
	size_t	 items;
};

static void
page_put(struct page *pg, const char *s, size_t n)
{
	if (pg->len + n + 1 > pg->cap) {
		pg->cap = (pg->len + n + 1) * 2;
		if ((pg->buf = realloc(pg->buf, pg->cap)) == NULL)
			abort();
	}
	memcpy(pg->buf + pg->len, s, n);
	pg->len += n;
}

static void
page_init(struct page *pg)
{
	memset(pg, 0, sizeof *pg);
	page_put(pg, "{\"scheduled_tasks\":[", 20);
}

static void
page_add(struct page *pg, struct daemon *d, struct dtask *dt)
{
	const char	*text;
	size_t		 n;

	if ((text = view_task_list_text(d, dt, &n)) == NULL) {
		pg->failed = true;
		return;
	}
	if (pg->items++ > 0)
		page_put(pg, ",", 1);
	page_put(pg, text, n);
}

static struct reply
page_reply(struct daemon *d, struct page *pg, size_t total)
{
	char	tail[64];
	int	n;

	if (pg->failed) {
		free(pg->buf);
		return (reply_error(500, "a task of the page could not be read "
		    "from the store: %s", store_error(d->store)));
	}
	n = snprintf(tail, sizeof tail, "],\"total_count\":%zu}\n", total);
	page_put(pg, tail, (size_t)n);
	return (reply_text(200, pg->buf, pg->len));
}

struct reply
route_list(struct api_req *req)
{
	struct daemon	*d = req->d;
	const char	*project = req->params[PARAM_PROJECT_ID];
	static const char *const known[] = { "offset", "limit", "task_name",
	    "task_type", "scheduled_type", "life_cycle_type", "last_status",
	    NULL };
	static const char *const kinds[] = { "FIXED_TIME", "DAY", "WEEK",
	    "MONTH", "CRON", "LIFE_CYCLE", "ONCE", "PERIODIC" };
	const char	*name, *type, *kind, *lct, *last;
	struct reply	 r;
	long		 offset, limit;
	enum last_status want_status = ST_WAITING;
	int		 want_kind = -1, i;
	struct page	 pg;
	size_t		 k, count, total = 0;
	struct dtask	*dt;
	struct project	*proj;
	uint32_t	 want_type = 0, want_lct = 0;

	if (query_unknown(req, known, &r) ||
	    query_int(req, "offset", 0, 1000000000, 0, &offset, &r) != 0 ||
	    query_int(req, "limit", 0, LIST_LIMIT_MAX, LIST_LIMIT_MAX, &limit,
	    &r) != 0)
		return (r);
	name = query_str(req, "task_name");
	type = query_str(req, "task_type");
	kind = query_str(req, "scheduled_type");
	lct = query_str(req, "life_cycle_type");
	last = query_str(req, "last_status");
	if (kind != NULL) {
		for (i = 0; i < 8; i++)
			if (strcasecmp(kind, kinds[i]) == 0)
				want_kind = i;
		if (want_kind < 0)
			return (reply_error(400, "scheduled_type: '%s' is not "
			    "one of FIXED_TIME, DAY, WEEK, MONTH, CRON, "
			    "LIFE_CYCLE, ONCE, PERIODIC", kind));
	}
	if (last != NULL && status_parse(last, &want_status) != 0)
		return (reply_error(400, "last_status: '%s' is not one of "
		    "WAITING, RUNNING, SUCCESS, FAIL, SKIP", last));
	page_init(&pg);
	if ((proj = tasks_project(d, project)) == NULL)
		goto done;
	if (name == NULL && type == NULL && kind == NULL && lct == NULL &&
	    last == NULL && proj->nlisted == proj->count) {
		/* the common page: no filter, nothing hidden, no walk */
		total = proj->count;
		for (k = (size_t)offset; k < total && k < (size_t)(offset +
		    limit); k++)
			page_add(&pg, d, tasks_project_at(proj, k));
		goto done;
	}
	/* words are interned: a word nobody uses matches no task */
	if ((type != NULL && (want_type = tasks_word_find(d, type, true)) ==
	    0) || (lct != NULL && (want_lct = tasks_word_find(d, lct, false)) ==
	    0))
		goto done;
	count = name != NULL ? 1 : proj->nslots;
	for (k = 0; k < count; k++) {
		/* a name is unique in its project */
		if ((dt = name != NULL ? tasks_find_name(d, project, name) :
		    proj->slot[k]) == NULL)
			continue;
		if (type != NULL && dt->task_type != want_type)
			continue;
		/* as the seed: triggered tasks only when asked for */
		if (want_kind >= 0 ? (int)dt->scheduled_type != want_kind :
		    dt->scheduled_type == TASK_LIFE_CYCLE)
			continue;
		if (lct != NULL && dt->life_cycle_type != want_lct)
			continue;
		if (last != NULL && dt->last_status != want_status)
			continue;
		if (total >= (size_t)offset && total < (size_t)(offset + limit))
			page_add(&pg, d, dt);
		total++;
	}
done:
	return (page_reply(d, &pg, total));
}

struct reply
route_show(struct api_req *req)
{
	static const char *const known[] = { NULL };
	struct reply	 r;
	struct dtask	*dt;

	if (query_unknown(req, known, &r))
		return (r);
	if ((dt = route_task(req, &r)) == NULL)
		return (r);
	return (reply_view(req->d, view_task(req->d, dt)));
}

/*
 * The route's task for reading its history: a running task of the
 * project, or a deleted one whose row the store still keeps (its history
 * stays readable until pruned).
 */
static bool
history_task(struct api_req *req, struct reply *r)
{
	const char	*project = req->params[PARAM_PROJECT_ID];
	const char	*id = req->params[PARAM_TASK_ID];
	char		 stored[256];
	int		 rc;

	if (tasks_find(req->d, id) != NULL)
		return (route_task(req, r) != NULL);
	rc = store_task_project(req->d->store, id, stored, sizeof stored);
	if (rc < 0) {
		*r = reply_error(500, "task_id: %s",
		    store_error(req->d->store));
		return (false);
	}
	if (rc == 1 || strcmp(stored, project) != 0) {
		*r = reply_error(404, "task_id: no task '%s' in project %s",
		    id, project);
		return (false);
	}
	return (true);
}

struct reply
route_history(struct api_req *req)
{
	struct daemon		*d = req->d;
	const char		*id = req->params[PARAM_TASK_ID];
	static const char *const known[] = { "offset", "limit", NULL };
	struct store_execution	*ex = NULL;
	struct reply		 r;
	long			 offset, limit;
	size_t			 n = 0, i;
	int			 total = 0;
	json_t			*items;

	if (query_unknown(req, known, &r) ||
	    query_int(req, "offset", 0, 1000000000, 0, &offset, &r) != 0 ||
	    query_int(req, "limit", 1, HISTORY_LIMIT_MAX, HISTORY_LIMIT_DEFAULT,
	    &limit, &r) != 0)
		return (r);
	if (!history_task(req, &r))
		return (r);
	if (store_history(d->store, id, (int)offset, (int)limit, &ex, &n,
	    &total) != 0)
		return (reply_error(500, "history: %s", store_error(d->store)));
	items = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(items, view_execution(&ex[i], false));
	store_executions_free(ex, n);
	return (reply_ok(json_pack("{s:i, s:o}", "count", total, "items",
	    items)));
}

/* One execution of the route's task, with its subtasks. */
static struct reply
execution_reply(struct daemon *d, const char *task_id, const char *exec_id)
{
	struct store_execution	ex;
	json_t			*o;
	int			 rc;

	rc = store_execution_get(d->store, exec_id, &ex);
	if (rc < 0)
		return (reply_error(500, "execution: %s",
		    store_error(d->store)));
	if (rc == 1 || strcmp(ex.task_id, task_id) != 0) {
		if (rc == 0)
			store_execution_free(&ex);
		return (reply_error(404, "execution_id: no execution '%s' of "
		    "task %s", exec_id, task_id));
	}
	o = view_execution(&ex, true);
	store_execution_free(&ex);
	return (reply_ok(o));
}

struct reply
route_execution(struct api_req *req)
{
	static const char *const known[] = { NULL };
	struct reply	 r;

	if (query_unknown(req, known, &r) || !history_task(req, &r))
		return (r);
	return (execution_reply(req->d, req->params[PARAM_TASK_ID],
	    req->params[PARAM_EXECUTION_ID]));
}

struct reply
route_execute(struct api_req *req)
{
	struct daemon	*d = req->d;
	static const char *const known[] = { "force", NULL };
	const char	*f;
	struct dtask	*dt;
	struct tdef	*def;
	struct reply	 r;
	char		 exec_id[37];
	bool		 force = false;

	if (query_unknown(req, known, &r))
		return (r);
	f = query_str(req, "force");
	if (f != NULL) {
		if (strcmp(f, "true") == 0)
			force = true;
		else if (strcmp(f, "false") != 0)
			return (reply_error(400, "force: '%s' is not true or "
			    "false", f));
	}
	if ((dt = route_task(req, &r)) == NULL)
		return (r);
	if (d->stopping)
		return (reply_error(503, "skedd is shutting down"));
	if (dt->scheduled_type == TASK_LIFE_CYCLE &&
	    ((def = tasks_def(d, dt)) == NULL || def->t.ntargets == 0))
		return (reply_error(400, "task_id: a LIFE_CYCLE task without "
		    "target_infos runs from events only"));
	if (dispatch_run_now(d, dt, force, exec_id) != 0)
		return (reply_error(500, "the execution could not be recorded: "
		    "%s", store_error(d->store)));
	return (execution_reply(d, dtask_id(dt), exec_id));
}

struct reply
route_reload(struct api_req *req)
{
	struct daemon	*d = req->d;
	struct errlist	errs = ERRLIST_INIT;
	struct reply	r;
	json_t		*a;
	size_t		 i;

	if (daemon_reload(d, &errs) != 0) {
		a = json_array();
		for (i = 0; i < errs.count; i++)
			json_array_append_new(a, json_string(errs.msgs[i]));
		r = reply_error(400, "configuration rejected (%zu error%s); "
		    "the running configuration is kept: %s", errs.count,
		    errs.count == 1 ? "" : "s", errs.count ? errs.msgs[0] : "");
		json_object_set_new(r.body, "errors", a);
		errlist_clear(&errs);
		return (r);
	}
	return (reply_ok(json_pack("{s:s, s:I, s:I}", "status", "reloaded",
	    "tasks", (json_int_t)d->tasks.count,
	    "file_tasks", (json_int_t)d->tasks.nfile_tasks)));
}

struct reply
route_status(struct api_req *req)
{
	struct daemon		*d = req->d;
	struct tasks_census	 c;
	struct subtask		*st;
	struct dtask		*dt;
	json_int_t		 queued = 0;
	json_t			*o, *c2;

	tasks_census(d, &c);
	dt = c.next_task;
	TAILQ_FOREACH(st, &d->waiting, wait)
		queued++;
	o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
	    "version", PACKAGE_VERSION,
	    "pid", (json_int_t)getpid(),
	    "uptime", (json_int_t)((now_ms() - d->start_ms) / 1000),
	    "tasks", (json_int_t)d->tasks.count,
	    "enabled", (json_int_t)c.enabled,
	    "armed", (json_int_t)c.armed,
	    "running", (json_int_t)d->running_subtasks,
	    "queued", queued);
	json_object_set_new(o, "running_executions",
	    json_integer(d->running_executions));
	json_object_set_new(o, "next_fire", c.next > 0 ?
	    view_time_ms(c.next * 1000) : json_null());
	json_object_set_new(o, "next_task_id", dt ? json_string(dtask_id(dt)) :
	    json_null());
	json_object_set_new(o, "next_task_name", dt ?
	    json_string(dt->name) : json_null());
	json_object_set_new(o, "config", d->cfg.path ?
	    json_string(d->cfg.path) : json_null());
	json_object_set_new(o, "database", json_string(d->cfg.database));
	json_object_set_new(o, "socket", json_string(d->cfg.socket));
	json_object_set_new(o, "tasks_dir", json_string(d->cfg.tasks_dir));
	json_object_set_new(o, "default_time_zone",
	    json_string(tz_name(d->default_zone)));
	json_object_set_new(o, "loading", json_boolean(d->tasks.loading));
	json_object_set_new(o, "tasks_loaded",
	    json_integer((json_int_t)d->tasks.loaded));
	json_object_set_new(o, "definitions_cached",
	    json_integer((json_int_t)d->tasks.ndefs));
	json_object_set_new(o, "definitions_read",
	    json_integer((json_int_t)d->tasks.def_loads));
	json_object_set_new(o, "store", json_string(store_kind(d->store)));
	if (d->cluster != NULL && (c2 = cluster_view(d)) != NULL)
		json_object_set_new(o, "cluster", c2);
	return (reply_ok(o));
}

struct reply
route_cluster(struct api_req *req)
{
	static const char *const known[] = { NULL };
	struct reply	 r;
	json_t		*o;

	if (query_unknown(req, known, &r))
		return (r);
	if ((o = cluster_view(req->d)) == NULL)
		return (reply_error(503, "the nodes cannot be read: %s",
		    store_error(req->d->store)));
	return (reply_ok(o));
}
