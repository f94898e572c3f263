/*
 * The control API's routes: one handler per entry of proto.h's table, each
 * given the parsed request and answering one reply.  api.c is the server
 * (sockets, HTTP, limits, who is calling); the handlers live in api-*.c,
 * one file per area.  A handler validates everything before it changes
 * anything: a rejected request changes nothing.
 */
#ifndef SKED_ROUTES_H
#define SKED_ROUTES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "proto.h"

struct daemon;
struct dtask;
struct MHD_Connection;
struct auth_peer;
struct config_token;

/* Who is calling: from SO_PEERCRED on the socket, or a token over TCP. */
struct caller {
	bool		 known;		/* an identity was established */
	bool		 admin;		/* root or admin_group: every project */
	uid_t		 uid;
	gid_t		 gid;
	const char	*token;		/* the token's name, over TCP */
	const struct auth_peer	 *peer;	/* over the unix socket */
	const struct config_token *tok;	/* over TCP */
};

struct api_req {
	struct daemon		*d;
	struct MHD_Connection	*c;
	const char		*method;
	const char		*url;	/* the path as sent: encoded, no query */
	enum route		 route;
	char			 params[PARAM_COUNT][PROTO_PARAM_MAX];
	const char		*body;	/* NUL-terminated; NULL: none */
	size_t			 len;
	struct caller		 caller;
};

struct reply {
	int	 status;
	json_t	*body;		/* NULL: no body (204), or text */
	char	*text;		/* JSON already serialized, with its
				   newline (malloc'd): sent as it is */
	size_t	 len;
};

typedef struct reply (*route_fn)(struct api_req *);

/* api.c: replies, query parameters, lookups */
struct reply	 reply_error(int status, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
struct reply	 reply_ok(json_t *body);		/* 200 */
/* 200 with a task view, or 500 when it could not be read (NULL). */
struct reply	 reply_view(struct daemon *, json_t *body);
struct reply	 reply_with(int status, json_t *body);	/* 202, 204 ... */
struct reply	 reply_text(int status, char *text, size_t len);
/* 1 (and a 400 in *r) when a query parameter is not in known. */
int		 query_unknown(struct api_req *, const char *const *known,
		    struct reply *r);
/* An integer in [lo, hi], def when absent; -1 and a 400 otherwise. */
int		 query_int(struct api_req *, const char *name, long lo, long hi,
		    long def, long *out, struct reply *r);
/* A query parameter's value, or NULL. */
const char	*query_str(struct api_req *, const char *name);
/*
 * The task of the route's {project_id} and {task_id}, or NULL with a 404
 * in *r.
 */
struct dtask	*route_task(struct api_req *, struct reply *r);
/*
 * May the caller use this project?  false: *r holds the 401 or 403.
 * api.c checks the {project_id} of every route before its handler runs;
 * routes without one (the O&M view, events by task) call it themselves
 * once they know the project.
 */
bool		 caller_may_use(struct api_req *, const char *project,
		    struct reply *r);

/* api-read.c */
struct reply	 route_list(struct api_req *);
struct reply	 route_show(struct api_req *);
struct reply	 route_history(struct api_req *);
struct reply	 route_execution(struct api_req *);
struct reply	 route_execute(struct api_req *);
struct reply	 route_reload(struct api_req *);
struct reply	 route_status(struct api_req *);
struct reply	 route_cluster(struct api_req *);
/* api-tasks.c */
/* The request body as a JSON object, or NULL with a 400 in *r. */
json_t		*api_body_object(struct api_req *, struct reply *r);
/*
 * Create a task of project from a body (consumed) in either shape; the
 * reply shows it in the seed shape, or the O&M one.
 */
struct reply	 api_task_create(struct api_req *, json_t *body,
		    const char *project, bool om_view);
struct reply	 route_create(struct api_req *);
struct reply	 route_modify(struct api_req *);
struct reply	 route_delete(struct api_req *);
/* api-om.c */
struct reply	 route_om_create(struct api_req *);
struct reply	 route_om_show(struct api_req *);
/* api-planned.c */
struct reply	 route_planned_list(struct api_req *);
struct reply	 route_planned_modify(struct api_req *);
struct reply	 route_om_approve(struct api_req *);
/* api-events.c */
struct reply	 route_event(struct api_req *);

#endif
