/*
 * skedctl: one table of commands (skedctl.c), one file per command
 * (ctl-<verb>.c), each exporting a struct ctl_cmd, and the client of
 * skedd's control API they share (client.c).
 */
#ifndef SKEDCTL_H
#define SKEDCTL_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "proto.h"

/* The control socket when neither -s nor $SKED_SOCKET names one. */
#ifndef SKED_SOCKET_DEFAULT
#define SKED_SOCKET_DEFAULT	"/run/sked/skedd.sock"
#endif

#define CTL_PROJECT_DEFAULT	"default"

/* Exit statuses shared by every command. */
#define CTL_EXIT_OK	0
#define CTL_EXIT_FAIL	1	/* the operation failed */
#define CTL_EXIT_USAGE	2	/* bad arguments or input */

struct ctl_cmd {
	const char	*name;
	const char	*usage;		/* arguments, after the name */
	const char	*summary;	/* one line for the command list */
	int		(*exec)(int argc, char **argv);
};

extern const struct ctl_cmd ctl_list_cmd;
extern const struct ctl_cmd ctl_show_cmd;
extern const struct ctl_cmd ctl_run_cmd;
extern const struct ctl_cmd ctl_history_cmd;
extern const struct ctl_cmd ctl_reload_cmd;
extern const struct ctl_cmd ctl_status_cmd;
extern const struct ctl_cmd ctl_next_cmd;

/* skedctl.c */
extern const char	*ctl_socket;	/* -s SOCKET, or NULL */

void	ctl_usage(const struct ctl_cmd *, int status) __attribute__((noreturn));
void	ctl_err(const struct ctl_cmd *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * client.c: requests to skedd.
 *
 * A query string, built one parameter at a time (values URL-escaped).
 */
struct ctl_query {
	char	*s;
	size_t	 len;
	int	 failed;	/* out of memory: the request is refused */
};
#define CTL_QUERY_INIT	{ NULL, 0, 0 }

void	ctl_query_add(struct ctl_query *, const char *key, const char *value);
void	ctl_query_addl(struct ctl_query *, const char *key, long value);
void	ctl_query_free(struct ctl_query *);

/*
 * Send one request of a route (its method and path from proto.h); q and
 * body may be NULL.  Returns the reply's JSON body (an empty object when it
 * has none) when skedd answers 2xx; otherwise prints why (the socket cannot
 * be reached, or skedd's error_msg and error_code, and every line of an
 * "errors" array) and returns NULL.
 */
json_t	*ctl_request(const struct ctl_cmd *, enum route,
	    const char *const params[PARAM_COUNT], const struct ctl_query *,
	    const json_t *body);
/*
 * The same for a route of one task, named by id or by task_name: when the
 * id is unknown (404) the name is looked up with the list route and the
 * request sent again with the id of the one task so named.  The id used
 * is copied to task_id when it is not NULL.
 */
json_t	*ctl_task_request(const struct ctl_cmd *, enum route,
	    const char *project, const char *task, const char *execution,
	    const struct ctl_query *, const json_t *body,
	    char task_id[PROTO_PARAM_MAX]);
void	ctl_client_close(void);

/* client.c: arguments. */
int	ctl_parse_long(const char *, long min, long max, long *);
/* 0, or an error printed and -1 when a path parameter is empty or long. */
int	ctl_check_param(const struct ctl_cmd *, const char *what,
	    const char *value);

/* client.c: output. */
int	 ctl_print_json(const json_t *);
/* obj's string field key, or NULL. */
const char *ctl_str(const json_t *obj, const char *key);
/* A scalar field as a table cell: "-" when null or missing. */
const char *ctl_cell(const json_t *obj, const char *key, char *buf,
	    size_t len);
/* The strings (or scalars) of an array joined with sep; malloc'ed. */
char	*ctl_join(const json_t *array, const char *sep);

/* A table for people: columns as wide as their content. */
struct ctl_grid;
struct ctl_grid	*ctl_grid_new(size_t ncols, unsigned right,
		    const char *const head[]);	/* right: bit i, column i */
void	 ctl_grid_add(struct ctl_grid *, const char *const row[]);
int	 ctl_grid_print(const struct ctl_grid *, FILE *);
void	 ctl_grid_free(struct ctl_grid *);

/* Aligned "key: value" lines. */
struct ctl_kv_pair;
struct ctl_kv {
	struct ctl_kv_pair *pairs;
	size_t		 n;
	size_t		 cap;
	int		 failed;
};
#define CTL_KV_INIT	{ NULL, 0, 0, 0 }

void	ctl_kv_add(struct ctl_kv *, const char *key, const char *value);
/* obj's field key, unless null or missing; objects as compact JSON. */
void	ctl_kv_json(struct ctl_kv *, const json_t *obj, const char *key);
/* obj's fields not in known (NULL-terminated), in their order. */
void	ctl_kv_rest(struct ctl_kv *, const json_t *obj,
	    const char *const known[]);
int	ctl_kv_print(const struct ctl_kv *, FILE *, int indent);
void	ctl_kv_free(struct ctl_kv *);

/* Lines of text (a program's output) indented, control characters '?'. */
int	ctl_print_block(FILE *, const char *text, int indent);

/* ctl-history.c: the table of executions, shared with run --wait. */
int	ctl_history_table(const json_t *items);

#endif
