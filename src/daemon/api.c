/*
 * Control API server.  libmicrohttpd parses HTTP; jansson builds and reads
 * JSON; each request is answered in one pass through the loop (nothing here
 * blocks: the store is local and every route is bounded).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "api.h"
#include "log.h"
#include "proto.h"
#include "skedd.h"
#include "store.h"
#include "tz.h"
#include "views.h"

#define LIST_LIMIT_MAX		50
#define HISTORY_LIMIT_MAX	100
#define HISTORY_LIMIT_DEFAULT	10

struct api {
	struct daemon		*d;
	struct MHD_Daemon	*mhd;
	int			 fd;
	bool			 own_socket;	/* bound here: unlink at stop */
	ev_io			 io;
	ev_timer		 timer;
};

/* Per request: the body as it arrives. */
struct request {
	char	*body;
	size_t	 len;
	bool	 too_large;
};

struct reply {
	int	 status;
	json_t	*body;		/* NULL: no body (204) */
};

static struct reply
error_reply(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static struct reply
error_reply(int status, const char *fmt, ...)
{
	struct reply	r;
	char		msg[1024];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	r.status = status;
	r.body = json_pack("{s:s, s:s}", "error_code",
	    proto_error_code(status), "error_msg", msg);
	return (r);
}

static struct reply
ok_reply(json_t *body)
{
	struct reply	r = { 200, body };

	return (r);
}

/* Query parameters: every one must be known to the route. */
struct query_check {
	const char *const	*known;
	char			 bad[128];
};

static enum MHD_Result
check_arg(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct query_check	*qc = cls;
	size_t			 i;

	for (i = 0; qc->known[i] != NULL; i++)
		if (strcmp(qc->known[i], key) == 0)
			return (MHD_YES);
	snprintf(qc->bad, sizeof qc->bad, "%s", key);
	return (MHD_NO);
}

static int
unknown_query(struct MHD_Connection *c, const char *const *known,
    struct reply *r)
{
	struct query_check	qc = { known, "" };

	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, check_arg, &qc);
	if (qc.bad[0] != '\0') {
		*r = error_reply(400, "%s: unknown query parameter", qc.bad);
		return (1);
	}
	return (0);
}

/* An integer query parameter in [lo, hi]; def when absent. */
static int
query_int(struct MHD_Connection *c, const char *name, long lo, long hi,
    long def, long *out, struct reply *r)
{
	const char	*v = MHD_lookup_connection_value(c,
	    MHD_GET_ARGUMENT_KIND, name);
	char		*end;
	long		 l;

	if (v == NULL) {
		*out = def;
		return (0);
	}
	errno = 0;
	l = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0 || !(*v == '-' ||
	    (*v >= '0' && *v <= '9'))) {
		*r = error_reply(400, "%s: '%s' is not an integer", name, v);
		return (-1);
	}
	if (l < lo || l > hi) {
		*r = error_reply(400, "%s: %ld is out of range %ld-%ld", name,
		    l, lo, hi);
		return (-1);
	}
	*out = l;
	return (0);
}

static struct dtask *
find_task(struct daemon *d, const char *project, const char *id,
    struct reply *r)
{
	struct dtask	*dt = tasks_find(d, id);

	if (dt == NULL || strcmp(dt->t.project_id, project) != 0) {
		*r = error_reply(404, "task_id: no task '%s' in project %s",
		    id, project);
		return (NULL);
	}
	return (dt);
}

static struct reply
route_list(struct daemon *d, struct MHD_Connection *c, const char *project)
{
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
	json_t		*items;
	size_t		 k, total = 0;
	struct dtask	*dt;

	if (unknown_query(c, known, &r) ||
	    query_int(c, "offset", 0, 1000000000, 0, &offset, &r) != 0 ||
	    query_int(c, "limit", 0, LIST_LIMIT_MAX, LIST_LIMIT_MAX, &limit,
	    &r) != 0)
		return (r);
	name = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
	    "task_name");
	type = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
	    "task_type");
	kind = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
	    "scheduled_type");
	lct = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
	    "life_cycle_type");
	last = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
	    "last_status");
	if (kind != NULL) {
		for (i = 0; i < 8; i++)
			if (strcasecmp(kind, kinds[i]) == 0)
				want_kind = i;
		if (want_kind < 0)
			return (error_reply(400, "scheduled_type: '%s' is not "
			    "one of FIXED_TIME, DAY, WEEK, MONTH, CRON, "
			    "LIFE_CYCLE", kind));
	}
	if (last != NULL && status_parse(last, &want_status) != 0)
		return (error_reply(400, "last_status: '%s' is not one of "
		    "WAITING, RUNNING, SUCCESS, FAIL, SKIP", last));
	items = json_array();
	for (k = 0; k < d->tasks.count; k++) {
		dt = d->tasks.order[k];
		if (strcmp(dt->t.project_id, project) != 0)
			continue;
		if (name != NULL && strcmp(dt->t.task_name, name) != 0)
			continue;
		if (type != NULL && strcasecmp(dt->t.task_type, type) != 0)
			continue;
		/* as the seed: triggered tasks only when asked for */
		if (want_kind >= 0 ? (int)dt->t.scheduled_type != want_kind :
		    dt->t.scheduled_type == TASK_LIFE_CYCLE)
			continue;
		if (lct != NULL && (dt->t.life_cycle_type == NULL ||
		    strcmp(dt->t.life_cycle_type, lct) != 0))
			continue;
		if (last != NULL && dt->last_status != want_status)
			continue;
		if (total >= (size_t)offset && total < (size_t)(offset + limit))
			json_array_append_new(items,
			    view_task_list_item(d, dt));
		total++;
	}
	return (ok_reply(json_pack("{s:o, s:I}", "scheduled_tasks", items,
	    "total_count", (json_int_t)total)));
}

static struct reply
route_history(struct daemon *d, struct MHD_Connection *c, const char *project,
    const char *id)
{
	static const char *const known[] = { "offset", "limit", NULL };
	struct store_execution	*ex = NULL;
	struct reply		 r;
	long			 offset, limit;
	size_t			 n = 0, i;
	int			 total = 0;
	json_t			*items;

	if (unknown_query(c, known, &r) ||
	    query_int(c, "offset", 0, 1000000000, 0, &offset, &r) != 0 ||
	    query_int(c, "limit", 1, HISTORY_LIMIT_MAX, HISTORY_LIMIT_DEFAULT,
	    &limit, &r) != 0)
		return (r);
	if (find_task(d, project, id, &r) == NULL)
		return (r);
	if (store_history(d->store, id, (int)offset, (int)limit, &ex, &n,
	    &total) != 0)
		return (error_reply(500, "history: %s", store_error(d->store)));
	items = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(items, view_execution(&ex[i], false));
	store_executions_free(ex, n);
	return (ok_reply(json_pack("{s:i, s:o}", "count", total, "items",
	    items)));
}

static struct reply
route_execution(struct daemon *d, const char *project, const char *task_id,
    const char *exec_id)
{
	struct store_execution	ex;
	struct reply		r;
	json_t			*o;
	int			 rc;

	if (find_task(d, project, task_id, &r) == NULL)
		return (r);
	rc = store_execution_get(d->store, exec_id, &ex);
	if (rc < 0)
		return (error_reply(500, "execution: %s",
		    store_error(d->store)));
	if (rc == 1 || strcmp(ex.task_id, task_id) != 0) {
		if (rc == 0)
			store_execution_free(&ex);
		return (error_reply(404, "execution_id: no execution '%s' of "
		    "task %s", exec_id, task_id));
	}
	o = view_execution(&ex, true);
	store_execution_free(&ex);
	return (ok_reply(o));
}

static struct reply
route_execute(struct daemon *d, struct MHD_Connection *c, const char *project,
    const char *id)
{
	static const char *const known[] = { "force", NULL };
	const char	*f;
	struct dtask	*dt;
	struct reply	 r;
	char		 exec_id[37];
	bool		 force = false;

	if (unknown_query(c, known, &r))
		return (r);
	f = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "force");
	if (f != NULL) {
		if (strcmp(f, "true") == 0)
			force = true;
		else if (strcmp(f, "false") != 0)
			return (error_reply(400, "force: '%s' is not true or "
			    "false", f));
	}
	if ((dt = find_task(d, project, id, &r)) == NULL)
		return (r);
	if (d->stopping)
		return (error_reply(503, "skedd is shutting down"));
	if (dt->t.scheduled_type == TASK_LIFE_CYCLE && dt->t.ntargets == 0)
		return (error_reply(400, "task_id: a LIFE_CYCLE task without "
		    "target_infos runs from events only"));
	if (dispatch_run_now(d, dt, force, exec_id) != 0)
		return (error_reply(500, "the execution could not be recorded: "
		    "%s", store_error(d->store)));
	return (route_execution(d, project, id, exec_id));
}

static struct reply
route_reload(struct daemon *d)
{
	struct errlist	errs = ERRLIST_INIT;
	struct reply	r;
	json_t		*a;
	size_t		 i;

	if (daemon_reload(d, &errs) != 0) {
		a = json_array();
		for (i = 0; i < errs.count; i++)
			json_array_append_new(a, json_string(errs.msgs[i]));
		r = error_reply(400, "configuration rejected (%zu error%s); "
		    "the running configuration is kept: %s", errs.count,
		    errs.count == 1 ? "" : "s", errs.count ? errs.msgs[0] : "");
		json_object_set_new(r.body, "errors", a);
		errlist_clear(&errs);
		return (r);
	}
	return (ok_reply(json_pack("{s:s, s:I, s:I}", "status", "reloaded",
	    "tasks", (json_int_t)d->tasks.count,
	    "file_tasks", (json_int_t)d->cfg.tasks.count)));
}

static struct reply
route_status(struct daemon *d)
{
	struct dtask	*dt;
	int64_t		 next = tasks_next_fire(d, &dt);
	size_t		 i, enabled = 0;
	json_t		*o;

	for (i = 0; i < d->tasks.count; i++)
		enabled += d->tasks.order[i]->t.is_enable;
	o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
	    "version", PACKAGE_VERSION,
	    "pid", (json_int_t)getpid(),
	    "uptime", (json_int_t)((now_ms() - d->start_ms) / 1000),
	    "tasks", (json_int_t)d->tasks.count,
	    "enabled", (json_int_t)enabled,
	    "armed", (json_int_t)tasks_armed(d),
	    "running", (json_int_t)d->running_subtasks,
	    "queued", (json_int_t)0);
	{
		struct subtask *st;
		json_int_t q = 0;

		TAILQ_FOREACH(st, &d->waiting, wait)
			q++;
		json_object_set_new(o, "queued", json_integer(q));
	}
	json_object_set_new(o, "running_executions",
	    json_integer(d->running_executions));
	json_object_set_new(o, "next_fire", next > 0 ?
	    view_time_ms(next * 1000) : json_null());
	json_object_set_new(o, "next_task_id", dt ? json_string(dt->t.id) :
	    json_null());
	json_object_set_new(o, "next_task_name", dt ?
	    json_string(dt->t.task_name) : json_null());
	json_object_set_new(o, "config", d->cfg.path ?
	    json_string(d->cfg.path) : json_null());
	json_object_set_new(o, "database", json_string(d->cfg.database));
	json_object_set_new(o, "socket", json_string(d->cfg.socket));
	json_object_set_new(o, "tasks_dir", json_string(d->cfg.tasks_dir));
	json_object_set_new(o, "default_time_zone",
	    json_string(tz_name(d->default_zone)));
	return (ok_reply(o));
}

static struct reply
route(struct daemon *d, struct MHD_Connection *c, const char *method,
    const char *url, struct request *req)
{
	char		 params[PARAM_COUNT][PROTO_PARAM_MAX], allow[64];
	const char	*project, *task;
	enum route	 id;
	int		 rc;

	rc = proto_match(method, url, &id, params, allow, sizeof allow);
	if (rc == 404)
		return (error_reply(404, "no route %s %s", method, url));
	if (rc == 405)
		return (error_reply(405, "method %s not allowed on %s (allowed:"
		    " %s)", method, url, allow));
	if (req->too_large)
		return (error_reply(413, "request body larger than %d bytes",
		    d->cfg.request_body_max));
	project = params[PARAM_PROJECT_ID];
	task = params[PARAM_TASK_ID];
	switch (id) {
	case ROUTE_TASK_LIST:
		return (route_list(d, c, project));
	case ROUTE_TASK_SHOW: {
		struct reply r;
		struct dtask *dt;

		if (unknown_query(c, (const char *const[]){ NULL }, &r))
			return (r);
		if ((dt = find_task(d, project, task, &r)) == NULL)
			return (r);
		return (ok_reply(view_task(d, dt)));
	}
	case ROUTE_TASK_HISTORY:
		return (route_history(d, c, project, task));
	case ROUTE_EXECUTION_SHOW:
		return (route_execution(d, project, task,
		    params[PARAM_EXECUTION_ID]));
	case ROUTE_TASK_EXECUTE:
		return (route_execute(d, c, project, task));
	case ROUTE_RELOAD:
		return (route_reload(d));
	case ROUTE_STATUS:
		return (route_status(d));
	default:
		return (error_reply(503, "%s %s: this route is not served by "
		    "this version of skedd", method, url));
	}
}

static enum MHD_Result
send_reply(struct MHD_Connection *c, struct reply *r)
{
	struct MHD_Response	*resp;
	enum MHD_Result		 ret;
	char			*text = NULL;
	size_t			 len = 0;

	if (r->body != NULL) {
		text = json_dumps(r->body, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(r->body);
		if (text == NULL)
			abort();
		len = strlen(text);
		text[len++] = '\n';	/* over the NUL: the buffer holds it */
	}
	resp = MHD_create_response_from_buffer(len, text,
	    MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(text);
		return (MHD_NO);
	}
	if (text != NULL)
		MHD_add_response_header(resp, "Content-Type",
		    "application/json");
	ret = MHD_queue_response(c, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return (ret);
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct api	*api = cls;
	struct daemon	*d = api->d;
	struct request	*req = *con_cls;
	struct reply	 r;
	const char	*cl;

	if (req == NULL) {
		if ((req = calloc(1, sizeof *req)) == NULL)
			return (MHD_NO);
		*con_cls = req;
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl != NULL && strtoull(cl, NULL, 10) >
		    (unsigned long long)d->cfg.request_body_max)
			req->too_large = true;
		return (MHD_YES);
	}
	if (*upload_size > 0) {
		if (!req->too_large && req->len + *upload_size <=
		    (size_t)d->cfg.request_body_max) {
			char *nb = realloc(req->body, req->len + *upload_size +
			    1);

			if (nb == NULL)
				return (MHD_NO);
			req->body = nb;
			memcpy(req->body + req->len, upload, *upload_size);
			req->len += *upload_size;
			req->body[req->len] = '\0';
		} else
			req->too_large = true;
		*upload_size = 0;
		return (MHD_YES);
	}
	r = route(d, c, method, url, req);
	log_debug("%s %s: %d", method, url, r.status);
	return (send_reply(c, &r));
}

static void
completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct request	*req = *con_cls;

	if (req != NULL) {
		free(req->body);
		free(req);
		*con_cls = NULL;
	}
}

static void
api_rearm(struct api *api)
{
	MHD_UNSIGNED_LONG_LONG	ms;

	ev_timer_stop(api->d->loop, &api->timer);
	if (MHD_get_timeout(api->mhd, &ms) == MHD_YES) {
		ev_timer_set(&api->timer, (double)ms / 1000.0, 0);
		ev_timer_start(api->d->loop, &api->timer);
	}
}

static void
io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct api	*api = container_of(w, struct api, io);

	MHD_run(api->mhd);
	api_rearm(api);
}

static void
timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct api	*api = container_of(w, struct api, timer);

	MHD_run(api->mhd);
	api_rearm(api);
}

static int
bind_socket(struct daemon *d, struct errlist *errs)
{
	struct sockaddr_un	 sun;
	struct group		*gr;
	int			 fd;
	mode_t			 old;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(d->cfg.socket) >= sizeof sun.sun_path) {
		errlist_add(errs, d->cfg.path, 0, 0, "socket: %s: path longer "
		    "than %zu bytes", d->cfg.socket, sizeof sun.sun_path - 1);
		return (-1);
	}
	strcpy(sun.sun_path, d->cfg.socket);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) < 0)
		goto fail;
	/* a stale socket from a crash: only if nobody answers on it */
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0) {
		close(fd);
		errlist_add(errs, d->cfg.path, 0, 0, "socket: %s: another "
		    "skedd is listening there", d->cfg.socket);
		return (-1);
	}
	(void)unlink(d->cfg.socket);
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
		umask(old);
		goto fail;
	}
	umask(old);
	if (geteuid() == 0 && (gr = getgrnam(d->cfg.socket_group)) != NULL &&
	    chown(d->cfg.socket, 0, gr->gr_gid) != 0)
		log_warn("socket %s: chown to group %s: %s", d->cfg.socket,
		    d->cfg.socket_group, strerror(errno));
	if (chmod(d->cfg.socket, (mode_t)d->cfg.socket_mode) != 0)
		log_warn("socket %s: chmod: %s", d->cfg.socket,
		    strerror(errno));
	if (listen(fd, 128) != 0)
		goto fail;
	return (fd);
fail:
	errlist_add(errs, d->cfg.path, 0, 0, "socket: %s: %s", d->cfg.socket,
	    strerror(errno));
	if (fd >= 0)
		close(fd);
	return (-1);
}

int
api_start(struct daemon *d, int listen_fd, struct errlist *errs)
{
	struct api			*api;
	const union MHD_DaemonInfo	*info;

	if ((api = calloc(1, sizeof *api)) == NULL)
		abort();
	api->d = d;
	if (listen_fd >= 0)
		api->fd = listen_fd;
	else {
		if ((api->fd = bind_socket(d, errs)) < 0) {
			free(api);
			return (-1);
		}
		api->own_socket = true;
	}
	api->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG,
	    0, NULL, NULL, handler, api,
	    MHD_OPTION_LISTEN_SOCKET, api->fd,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)d->cfg.connection_timeout,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)d->cfg.max_connections,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)d->cfg.request_header_max + 4096,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, api,
	    MHD_OPTION_END);
	if (api->mhd == NULL) {
		errlist_add(errs, d->cfg.path, 0, 0, "socket: %s: the HTTP "
		    "server did not start", d->cfg.socket);
		close(api->fd);
		free(api);
		return (-1);
	}
	info = MHD_get_daemon_info(api->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	ev_io_init(&api->io, io_cb, info->epoll_fd, EV_READ);
	ev_io_start(d->loop, &api->io);
	ev_timer_init(&api->timer, timer_cb, 0, 0);
	d->api = api;
	return (0);
}

void
api_stop(struct daemon *d)
{
	struct api	*api = d->api;

	if (api == NULL)
		return;
	ev_io_stop(d->loop, &api->io);
	ev_timer_stop(d->loop, &api->timer);
	MHD_stop_daemon(api->mhd);
	close(api->fd);
	if (api->own_socket)
		(void)unlink(d->cfg.socket);
	free(api);
	d->api = NULL;
}
