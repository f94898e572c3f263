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
extern const struct ctl_cmd ctl_add_cmd;
extern const struct ctl_cmd ctl_edit_cmd;
extern const struct ctl_cmd ctl_rm_cmd;
extern const struct ctl_cmd ctl_enable_cmd;
extern const struct ctl_cmd ctl_disable_cmd;
extern const struct ctl_cmd ctl_plan_cmd;
extern const struct ctl_cmd ctl_cancel_cmd;
extern const struct ctl_cmd ctl_reschedule_cmd;
extern const struct ctl_cmd ctl_event_cmd;
extern const struct ctl_cmd ctl_approve_cmd;
extern const struct ctl_cmd ctl_reject_cmd;
extern const struct ctl_cmd ctl_validate_cmd;

/* skedctl.c */
extern const char	*ctl_socket;	/* -s SOCKET, or NULL */
extern const char	*ctl_project;	/* -p PROJECT before the command */
extern int		 ctl_json;	/* --json before the command */

/* The usage line; with status 0, on stdout and with the summary. */
void	ctl_usage(const struct ctl_cmd *, int status) __attribute__((noreturn));
/*
 * For a command whose options are only -p PROJECT (none when project is
 * NULL), --json and --help: parses them into *project and *json, then
 * returns its one operand ("task", "instance"), or checks there is none
 * when what is NULL.  Exits with the usage (status 2) on a mistake.
 */
const char *ctl_simple_args(const struct ctl_cmd *, int argc, char **argv,
	    const char *what, const char **project, int *json);
/*
 * After a command's own getopt_long: its one operand, checked with the
 * project; exits with the usage on a mistake.
 */
const char *ctl_operand(const struct ctl_cmd *, int argc, char **argv,
	    const char *what, const char *project);
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
/* The same with every path parameter given (instance_id, ...). */
json_t	*ctl_task_request_params(const struct ctl_cmd *, enum route,
	    const char *const params[PARAM_COUNT], const struct ctl_query *,
	    const json_t *body, char task_id[PROTO_PARAM_MAX]);
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

/* ctl-show.c: a task as "key: value" lines, or its JSON with --json. */
int	ctl_show_task(const json_t *task, int json);

/* ctl-add.c: a task file's one task as the JSON of an API body. */
json_t	*ctl_task_file_json(const struct ctl_cmd *, const char *path);

/*
 * ctl-add.c: the field flags of add and edit, for their getopt_long
 * tables, and what each does to the body being built.
 */
enum {
	CTL_OPT_NAME = 256, CTL_OPT_TYPE, CTL_OPT_CRON, CTL_OPT_AT,
	CTL_OPT_ZONE, CTL_OPT_TARGET, CTL_OPT_PARAM, CTL_OPT_COMMAND,
	CTL_OPT_DESCRIPTION, CTL_OPT_ENABLE, CTL_OPT_DISABLE, CTL_OPT_SET,
	CTL_OPT_DRY_RUN
};
#define CTL_FIELD_OPTIONS \
	{ "name", required_argument, NULL, CTL_OPT_NAME }, \
	{ "type", required_argument, NULL, CTL_OPT_TYPE }, \
	{ "cron", required_argument, NULL, CTL_OPT_CRON }, \
	{ "at", required_argument, NULL, CTL_OPT_AT }, \
	{ "zone", required_argument, NULL, CTL_OPT_ZONE }, \
	{ "target", required_argument, NULL, CTL_OPT_TARGET }, \
	{ "param", required_argument, NULL, CTL_OPT_PARAM }, \
	{ "command", required_argument, NULL, CTL_OPT_COMMAND }, \
	{ "description", required_argument, NULL, CTL_OPT_DESCRIPTION }, \
	{ "enable", no_argument, NULL, CTL_OPT_ENABLE }, \
	{ "disable", no_argument, NULL, CTL_OPT_DISABLE }, \
	{ "set", required_argument, NULL, CTL_OPT_SET }, \
	{ "dry-run", no_argument, NULL, CTL_OPT_DRY_RUN }
#define CTL_FIELD_USAGE \
	"[--name NAME] [--type ACTION] [--cron EXPR] " \
	"[--at 'YYYY-MM-DD HH:MM:SS'] [--zone ZONE] " \
	"[--target TYPE:ID[,ID...]]... [--param JSON] [--command TEXT] " \
	"[--description TEXT] [--enable|--disable] [--set FIELD=VALUE]... " \
	"[--dry-run]"
/*
 * The options of add and edit: -p, --json, --help, --dry-run and the field
 * flags, applied to fields.  -1 after an error in a field flag; exits with
 * the usage on any other mistake.
 */
int	ctl_field_args(const struct ctl_cmd *, int argc, char **argv,
	    const char **project, int *json, int *dry, json_t *fields);

/*
 * client.c: 'YYYY-MM-DD HH:MM:SS' (or with a T, or YYYYMMDDHHmmss) as
 * YYYYMMDDHHmmss; -1 when it is not a valid date and time.
 */
int	ctl_parse_when(const char *arg, char compact[15]);

/*
 * ctl-edit.c: PATCH a task with body and print the task skedd answers
 * with; with done, a line "DONE NAME" instead of the task (unless json).
 */
int	ctl_patch_task(const struct ctl_cmd *, const char *project,
	    const char *task, const json_t *body, int json, const char *done);

/*
 * ctl-reschedule.c: PUT one planned record of task on instance with the
 * query q; prints "done" on success.
 */
int	ctl_planned_modify(const struct ctl_cmd *, int argc, char **argv,
	    int nargs, const char *key, const char *value);

/* ctl-approve.c: approve or reject (status PASSED or REJECTED). */
int	ctl_approve(const struct ctl_cmd *, int argc, char **argv,
	    const char *status);

/* yaml2json.c: a YAML document as JSON, scalars typed as in YAML 1.2
 * (core schema); NULL with "file:line:column: reason" in err. */
json_t	*yaml2json_file(const char *path, char *err, size_t errlen);
json_t	*yaml2json_text(const char *name, const char *text, size_t len,
	    char *err, size_t errlen);

/* ctl-history.c: the table of executions, shared with run --wait. */
int	ctl_history_table(const json_t *items);

#endif
