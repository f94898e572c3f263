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
#include "routes.h"
#include "views.h"


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

struct reply
reply_error(int status, const char *fmt, ...)
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

struct reply
reply_ok(json_t *body)
{
	return (reply_with(200, body));
}

struct reply
reply_with(int status, json_t *body)
{
	struct reply	r = { status, body };

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

int
query_unknown(struct api_req *req, const char *const *known,
    struct reply *r)
{
	struct query_check	qc = { known, "" };

	MHD_get_connection_values(req->c, MHD_GET_ARGUMENT_KIND, check_arg,
	    &qc);
	if (qc.bad[0] != '\0') {
		*r = reply_error(400, "%s: unknown query parameter", qc.bad);
		return (1);
	}
	return (0);
}

/* An integer query parameter in [lo, hi]; def when absent. */
int
query_int(struct api_req *req, const char *name, long lo, long hi,
    long def, long *out, struct reply *r)
{
	const char	*v = query_str(req, name);
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
		*r = reply_error(400, "%s: '%s' is not an integer", name, v);
		return (-1);
	}
	if (l < lo || l > hi) {
		*r = reply_error(400, "%s: %ld is out of range %ld-%ld", name,
		    l, lo, hi);
		return (-1);
	}
	*out = l;
	return (0);
}

const char *
query_str(struct api_req *req, const char *name)
{
	return (MHD_lookup_connection_value(req->c, MHD_GET_ARGUMENT_KIND,
	    name));
}

struct dtask *
route_task(struct api_req *req, struct reply *r)
{
	const char	*project = req->params[PARAM_PROJECT_ID];
	const char	*id = req->params[PARAM_TASK_ID];
	struct dtask	*dt = tasks_find(req->d, id);

	if (dt == NULL || strcmp(dt->t.project_id, project) != 0) {
		*r = reply_error(404, "task_id: no task '%s' in project %s",
		    id, project);
		return (NULL);
	}
	return (dt);
}

bool
caller_may_use(struct api_req *req, const char *project, struct reply *r)
{
	/* authorization arrives with auth.c; until then the socket's mode */
	return (true);
}

/* One handler per route of proto.h, in its order. */
static const route_fn handlers[ROUTE_COUNT] = {
	[ROUTE_TASK_LIST] = route_list,
	[ROUTE_TASK_CREATE] = route_create,
	[ROUTE_TASK_SHOW] = route_show,
	[ROUTE_TASK_MODIFY] = route_modify,
	[ROUTE_TASK_DELETE] = route_delete,
	[ROUTE_TASK_EXECUTE] = route_execute,
	[ROUTE_TASK_HISTORY] = route_history,
	[ROUTE_EXECUTION_SHOW] = route_execution,
	[ROUTE_PLANNED_LIST] = route_planned_list,
	[ROUTE_PLANNED_MODIFY] = route_planned_modify,
	[ROUTE_OM_CREATE] = route_om_create,
	[ROUTE_OM_SHOW] = route_om_show,
	[ROUTE_OM_APPROVE] = route_om_approve,
	[ROUTE_EVENT] = route_event,
	[ROUTE_RELOAD] = route_reload,
	[ROUTE_STATUS] = route_status,
};

static struct reply
route(struct daemon *d, struct MHD_Connection *c, const char *method,
    const char *url, struct request *body)
{
	struct api_req	 req;
	struct reply	 r;
	char		 allow[64];
	int		 rc;

	memset(&req, 0, sizeof req);
	req.d = d;
	req.c = c;
	req.method = method;
	req.url = url;
	req.body = body->body;
	req.len = body->len;
	rc = proto_match(method, url, &req.route, req.params, allow,
	    sizeof allow);
	if (rc == 404)
		return (reply_error(404, "no route %s %s", method, url));
	if (rc == 405)
		return (reply_error(405, "method %s not allowed on %s (allowed:"
		    " %s)", method, url, allow));
	if (body->too_large)
		return (reply_error(413, "request body larger than %d bytes",
		    d->cfg.request_body_max));
	if (req.params[PARAM_PROJECT_ID][0] != '\0' &&
	    !caller_may_use(&req, req.params[PARAM_PROJECT_ID], &r))
		return (r);
	return (handlers[req.route](&req));
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
