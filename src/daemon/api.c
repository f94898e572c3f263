/*
 * Control API server.  libmicrohttpd parses HTTP; jansson builds and reads
 * JSON; each request is answered in one pass through the loop (nothing here
 * blocks: the store is local and every route is bounded).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
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
#include "auth.h"
#include "log.h"
#include "proto.h"
#include "skedd.h"
#include "store.h"
#include "tz.h"
#include "routes.h"
#include "views.h"


/* One listening socket and its HTTP server, driven from the loop. */
struct listener {
	struct api		*api;
	bool			 tcp;	/* tokens, not credentials */
	struct MHD_Daemon	*mhd;
	int			 fd;
	ev_io			 io;
	ev_timer		 timer;
};

struct api {
	struct daemon		*d;
	struct listener		 un;
	struct listener		 tcp;	/* fd -1: no listen_tcp */
	bool			 own_socket;	/* bound here: unlink at stop */
};

/* Per request: its raw path and the body as it arrives. */
struct request {
	char	*path;		/* as sent: still percent-encoded */
	size_t	 urilen;	/* the whole request target */
	bool	 started;	/* the headers were checked */
	char	*body;
	size_t	 len;
	bool	 too_large;
	char	 allow[64];	/* the Allow header of a 405 */
};

struct reply
reply_error(int status, const char *fmt, ...)
{
	char		raw[1024], msg[4096];
	va_list		ap;
	json_t		*body;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	/*
	 * Messages quote what was sent, and JSON strings must be UTF-8: a
	 * byte that is not (from a path, a query, a cut) shows as \xNN
	 * instead of losing the whole body.
	 */
	errlist_utf8(msg, sizeof msg, raw);
	body = json_pack("{s:s, s:s}", "error_code", proto_error_code(status),
	    "error_msg", msg);
	if (body == NULL)
		abort();
	return (reply_with(status, body));
}

struct reply
reply_ok(json_t *body)
{
	return (reply_with(200, body));
}

struct reply
reply_view(struct daemon *d, json_t *body)
{
	if (body == NULL)
		return (reply_error(500, "the task could not be read from the "
		    "store: %s", store_error(d->store)));
	return (reply_with(200, body));
}

struct reply
reply_with(int status, json_t *body)
{
	struct reply	r = { status, body, NULL, 0 };

	return (r);
}

struct reply
reply_text(int status, char *text, size_t len)
{
	struct reply	r = { status, NULL, text, len };

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

	if (dt == NULL && req->d->tasks.loading) {
		*r = reply_error(503, "task_id: '%s' is not loaded yet (%zu of "
		    "at most %zu tasks); try again", id, req->d->tasks.loaded,
		    req->d->tasks.load_total);
		return (NULL);
	}
	if (dt == NULL || strcmp(dt->proj->name, project) != 0) {
		*r = reply_error(404, "task_id: no task '%s' in project %s",
		    id, project);
		return (NULL);
	}
	return (dt);
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
	[ROUTE_CLUSTER] = route_cluster,
};

/* Who is calling: the connection's credentials, or the request's token. */
static int
identify(struct listener *l, struct MHD_Connection *c, struct caller *who,
    struct reply *r)
{
	const union MHD_ConnectionInfo	*info;
	const char			*token;

	memset(who, 0, sizeof *who);
	if (l->tcp) {
		token = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    "X-Auth-Token");
		if (token == NULL) {
			*r = reply_error(401, "X-Auth-Token: required on the "
			    "TCP listener");
			return (-1);
		}
		if (auth_caller_token(&l->api->d->cfg, token, who) != 0) {
			*r = reply_error(401, "X-Auth-Token: not a token of "
			    "sked.yaml");
			return (-1);
		}
		return (0);
	}
	info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (info == NULL || info->socket_context == NULL) {
		*r = reply_error(401, "the caller's credentials are unknown "
		    "(SO_PEERCRED failed)");
		return (-1);
	}
	auth_caller_peer(&l->api->d->cfg, info->socket_context, who);
	return (0);
}

static struct reply
route(struct listener *l, struct MHD_Connection *c, const char *method,
    struct request *body)
{
	struct daemon	*d = l->api->d;
	struct api_req	 req;
	struct reply	 r;
	char		 who[256];
	int		 rc;

	memset(&req, 0, sizeof req);
	req.d = d;
	req.c = c;
	req.method = method;
	req.url = body->path;
	req.body = body->body;
	req.len = body->len;
	/* before anything about the routes is told to a stranger */
	if (identify(l, c, &req.caller, &r) != 0)
		return (r);
	/*
	 * The raw path: proto_match decodes each segment once, so an
	 * encoded '/' stays inside its segment.
	 */
	rc = proto_match(method, body->path, &req.route, req.params,
	    body->allow, sizeof body->allow);
	if (rc == 404)
		return (reply_error(404, "no route %s %s", method,
		    body->path));
	if (rc == 405)
		return (reply_error(405, "method %s not allowed on %s (allowed:"
		    " %s)", method, body->path, body->allow));
	if (body->too_large)
		return (reply_error(413, "request body larger than %d bytes",
		    d->cfg.request_body_max));
	/*
	 * Reloading changes every project: administrators only.  Status
	 * tells nothing about any project: any identified caller.
	 */
	if (req.route == ROUTE_RELOAD && !req.caller.admin) {
		auth_describe(&req.caller, who, sizeof who);
		return (reply_error(403, "reload: %s is not an administrator "
		    "(root, the user skedd runs as, or a member of "
		    "admin_group %s)", who, d->cfg.admin_group != NULL ?
		    d->cfg.admin_group : "(none)"));
	}
	if (req.params[PARAM_PROJECT_ID][0] != '\0' &&
	    !caller_may_use(&req, req.params[PARAM_PROJECT_ID], &r))
		return (r);
	/*
	 * While the tasks load, what is loaded can be read and run; a
	 * change could not be checked against the rest.
	 */
	if (d->tasks.loading && strcmp(method, "GET") != 0 &&
	    req.route != ROUTE_TASK_EXECUTE)
		return (reply_error(503, "skedd is loading its tasks (%zu of at "
		    "most %zu); changes are taken once it is ready",
		    d->tasks.loaded,
		    d->tasks.load_total));
	/* nothing is changed or run that could not be recorded first */
	if (cluster_lost(d) && (strcmp(method, "GET") != 0 ||
	    req.route == ROUTE_TASK_HISTORY || req.route ==
	    ROUTE_EXECUTION_SHOW))
		return (reply_error(503, "the database is away (%s); skedd "
		    "reconnects and takes changes again once it is back",
		    store_error(d->store)));
	return (handlers[req.route](&req));
}

static enum MHD_Result
send_reply(struct MHD_Connection *c, struct reply *r, const char *allow)
{
	struct MHD_Response	*resp;
	enum MHD_Result		 ret;
	char			*text = NULL;
	size_t			 len = 0;

	if (r->text != NULL) {
		text = r->text;
		len = r->len;
	} else if (r->body != NULL) {
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
	if (r->status == 405 && allow != NULL && allow[0] != '\0')
		MHD_add_response_header(resp, "Allow", allow);
	ret = MHD_queue_response(c, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return (ret);
}

static enum MHD_Result
add_header_size(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	size_t	*n = cls;

	*n += strlen(key) + (value != NULL ? strlen(value) : 0) + 4;
	return (MHD_YES);
}

/*
 * The first call of a request, once its headers are in: refuse what is
 * too large now rather than after reading it.
 */
static int
early_limits(struct daemon *d, struct MHD_Connection *c, const char *method,
    struct request *req, struct reply *r)
{
	const char		*cl;
	char			*end;
	unsigned long long	 n;
	size_t			 hdr;

	hdr = strlen(method) + req->urilen + 12;	/* the request line */
	MHD_get_connection_values(c, MHD_HEADER_KIND, add_header_size, &hdr);
	if (hdr > (size_t)d->cfg.request_header_max) {
		*r = reply_error(431, "request header block of %zu bytes is "
		    "larger than %d bytes", hdr, d->cfg.request_header_max);
		return (-1);
	}
	cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL) {
		errno = 0;
		n = strtoull(cl, &end, 10);
		if (errno != 0 || n > (unsigned long long)d->cfg.request_body_max) {
			*r = reply_error(413, "request body of %s bytes is "
			    "larger than %d bytes", cl, d->cfg.request_body_max);
			return (-1);
		}
	}
	return (0);
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct listener	*l = cls;
	struct daemon	*d = l->api->d;
	struct request	*req = *con_cls;
	struct reply	 r;

	if (req == NULL)	/* the URI callback always sets one */
		return (MHD_NO);
	if (!req->started) {
		req->started = true;
		if (early_limits(d, c, method, req, &r) != 0) {
			log_debug("%s %s: %d", method, req->path, r.status);
			return (send_reply(c, &r, NULL));
		}
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
	r = route(l, c, method, req);
	if (r.status == 401 || r.status == 403)
		log_info("%s %s: %d", method, req->path, r.status);
	else
		log_debug("%s %s: %d", method, req->path, r.status);
	return (send_reply(c, &r, req->allow));
}

/*
 * Called with the request target as sent, before libmicrohttpd decodes
 * it: routing works on this copy so that decoding happens once.
 */
static void *
uri_cb(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct request	*req;
	size_t		 n;

	if ((req = calloc(1, sizeof *req)) == NULL)
		abort();
	req->urilen = strlen(uri);
	n = strcspn(uri, "?#");
	if ((req->path = strndup(uri, n)) == NULL)
		abort();
	return (req);
}

static void
completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct request	*req = *con_cls;

	if (req != NULL) {
		free(req->path);
		free(req->body);
		free(req);
		*con_cls = NULL;
	}
}

/* Unix connections: read the peer's credentials once, at accept. */
static void
notify_conn(void *cls, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	struct listener			*l = cls;
	const union MHD_ConnectionInfo	*info;
	char				 err[256];

	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		auth_peer_free(*socket_context);
		*socket_context = NULL;
		return;
	}
	if (l->tcp)
		return;
	info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (info == NULL)
		return;
	if ((*socket_context = auth_peer_new(info->connect_fd, err,
	    sizeof err)) == NULL)
		log_warn("control socket: %s", err);
}

static void
listener_rearm(struct listener *l)
{
	MHD_UNSIGNED_LONG_LONG	ms;

	ev_timer_stop(l->api->d->loop, &l->timer);
	if (MHD_get_timeout(l->mhd, &ms) == MHD_YES) {
		ev_timer_set(&l->timer, (double)ms / 1000.0, 0);
		ev_timer_start(l->api->d->loop, &l->timer);
	}
}

static unsigned
connections(struct listener *l)
{
	const union MHD_DaemonInfo	*info;

	info = MHD_get_daemon_info(l->mhd,
	    MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
	return (info != NULL ? info->num_connections : 0);
}

/*
 * At max_connections libmicrohttpd takes its listening socket out of its
 * epoll set, and puts it back only in the MHD_run after the one that
 * freed a slot: when a run closed connections, run once more, or the
 * socket stays out (and new clients wait) until some other event comes.
 */
static void
listener_run(struct listener *l)
{
	unsigned	before = connections(l);

	MHD_run(l->mhd);
	if (connections(l) < before)
		MHD_run(l->mhd);
	listener_rearm(l);
}

static void
io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	listener_run(container_of(w, struct listener, io));
}

static void
timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	listener_run(container_of(w, struct listener, timer));
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
	/* born 0600: nobody connects before the group and mode are set */
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
		umask(old);
		goto fail;
	}
	umask(old);
	if ((gr = getgrnam(d->cfg.socket_group)) == NULL)
		log_warn("socket %s: socket_group %s does not exist; the "
		    "socket keeps group %u", d->cfg.socket,
		    d->cfg.socket_group, (unsigned)getegid());
	else if (gr->gr_gid != getegid() &&
	    chown(d->cfg.socket, (uid_t)-1, gr->gr_gid) != 0)
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

/* listen_tcp: a loopback address (conf.c allows nothing else). */
static int
bind_tcp(struct daemon *d, struct errlist *errs)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	char		 host[64];
	const char	*spec = d->cfg.listen_tcp, *colon;
	size_t		 n;
	int		 fd = -1, one = 1, rc, saved = 0;

	colon = strrchr(spec, ':');
	n = (size_t)(colon - spec);
	if (spec[0] == '[' && n >= 2) {		/* [::1]:PORT */
		spec++;
		n -= 2;
	}
	if (n >= sizeof host)
		n = sizeof host - 1;
	memcpy(host, spec, n);
	host[n] = '\0';
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, colon + 1, &hints, &res)) != 0) {
		errlist_add(errs, d->cfg.path, 0, 0, "listen_tcp: %s: %s",
		    d->cfg.listen_tcp, gai_strerror(rc));
		return (-1);
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, ai->ai_protocol);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof one);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, 128) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		errlist_add(errs, d->cfg.path, 0, 0, "listen_tcp: %s: %s",
		    d->cfg.listen_tcp, strerror(saved));
	return (fd);
}

static int
listener_start(struct api *api, struct listener *l, bool tcp,
    struct errlist *errs)
{
	struct daemon			*d = api->d;
	const union MHD_DaemonInfo	*info;

	l->api = api;
	l->tcp = tcp;
	/*
	 * The pool holds the header block: twice the limit, so that most
	 * oversized headers still reach early_limits and get a JSON 431;
	 * past that libmicrohttpd answers 431 itself.
	 */
	l->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG,
	    0, NULL, NULL, handler, l,
	    MHD_OPTION_LISTEN_SOCKET, l->fd,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)d->cfg.connection_timeout,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)d->cfg.max_connections,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)d->cfg.request_header_max * 2 + 8192,
	    MHD_OPTION_URI_LOG_CALLBACK, uri_cb, l,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, l,
	    MHD_OPTION_NOTIFY_CONNECTION, notify_conn, l,
	    MHD_OPTION_END);
	if (l->mhd == NULL) {
		errlist_add(errs, d->cfg.path, 0, 0, "%s: %s: the HTTP "
		    "server did not start", tcp ? "listen_tcp" : "socket",
		    tcp ? d->cfg.listen_tcp : d->cfg.socket);
		return (-1);
	}
	info = MHD_get_daemon_info(l->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	ev_io_init(&l->io, io_cb, info->epoll_fd, EV_READ);
	ev_io_start(d->loop, &l->io);
	ev_timer_init(&l->timer, timer_cb, 0, 0);
	return (0);
}

static void
listener_stop(struct api *api, struct listener *l)
{
	if (l->mhd == NULL)
		return;
	ev_io_stop(api->d->loop, &l->io);
	ev_timer_stop(api->d->loop, &l->timer);
	MHD_stop_daemon(l->mhd);
	l->mhd = NULL;
}

int
api_start(struct daemon *d, int listen_fd, struct errlist *errs)
{
	struct api	*api;

	if ((api = calloc(1, sizeof *api)) == NULL)
		abort();
	api->d = d;
	api->tcp.fd = -1;
	if (listen_fd >= 0)
		api->un.fd = listen_fd;
	else {
		if ((api->un.fd = bind_socket(d, errs)) < 0) {
			free(api);
			return (-1);
		}
		api->own_socket = true;
	}
	if (d->cfg.listen_tcp != NULL &&
	    (api->tcp.fd = bind_tcp(d, errs)) < 0)
		goto fail;
	if (listener_start(api, &api->un, false, errs) != 0)
		goto fail;
	if (api->tcp.fd >= 0 && listener_start(api, &api->tcp, true, errs)
	    != 0)
		goto fail;
	if (api->tcp.fd >= 0)
		log_info("control API also on TCP %s (X-Auth-Token required)",
		    d->cfg.listen_tcp);
	d->api = api;
	return (0);
fail:
	listener_stop(api, &api->un);
	close(api->un.fd);
	if (api->own_socket)
		(void)unlink(d->cfg.socket);
	if (api->tcp.fd >= 0)
		close(api->tcp.fd);
	free(api);
	return (-1);
}

void
api_stop(struct daemon *d)
{
	struct api	*api = d->api;

	if (api == NULL)
		return;
	listener_stop(api, &api->un);
	listener_stop(api, &api->tcp);
	close(api->un.fd);
	if (api->tcp.fd >= 0)
		close(api->tcp.fd);
	if (api->own_socket)
		(void)unlink(d->cfg.socket);
	free(api);
	d->api = NULL;
}
