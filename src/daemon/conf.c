/*
 * sked.yaml, read with libyaml's document loader (which keeps line and
 * column of every node) and checked against one table of keys.  Then every
 * task file of tasks_dir is read with the task loader and checked as a set:
 * schedules compile, ids and names are unique.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <yaml.h>

#include "readfile.h"
#include "sched.h"
#include "tz.h"
#include "conf.h"

#ifndef SKED_SOCKET_DEFAULT
#define SKED_SOCKET_DEFAULT	"/run/sked/skedd.sock"
#endif
#ifndef SKED_DATABASE_DEFAULT
#define SKED_DATABASE_DEFAULT	"/var/lib/sked/sked.db"
#endif
#ifndef SKED_PLUGIN_DIR
#define SKED_PLUGIN_DIR		"/usr/lib/sked/plugins"
#endif

#define CONFIG_FILE_MAX	(1 << 20)

enum key_type {
	K_PATH,		/* relative to the config file's folder */
	K_STRING,
	K_ZONE,
	K_GROUP,
	K_INT,
	K_MODE,		/* octal file mode */
	K_HOSTPORT,
	K_PROJECTS,
	K_TOKENS,
	K_STORE,	/* sqlite or postgresql */
	K_DBURL,	/* a libpq connection string or URI */
	K_NODENAME,	/* 1-63 of [A-Za-z0-9._-] */
};

#define NODE_NAME_MAX	63

struct key {
	const char	*name;
	enum key_type	 type;
	size_t		 offset;
	long		 min, max;	/* K_INT */
	const char	*def;		/* default, as written in the file */
	const char	*help;
};

#define S(f)	offsetof(struct config, f)

static const struct key keys[] = {
	{ "socket", K_PATH, S(socket), 0, 0, SKED_SOCKET_DEFAULT,
	    "control socket path" },
	{ "database", K_PATH, S(database), 0, 0, SKED_DATABASE_DEFAULT,
	    "SQLite store" },
	{ "tasks_dir", K_PATH, S(tasks_dir), 0, 0, "tasks.d",
	    "folder of task files (*.yaml, *.yml, *.json)" },
	{ "hooks_dir", K_PATH, S(hooks_dir), 0, 0, "hooks.d",
	    "folder of hook executables, one per target type" },
	{ "plugin_dir", K_PATH, S(plugin_dir), 0, 0, SKED_PLUGIN_DIR,
	    "folder of plugin shared objects (*.so)" },
	{ "time_zone", K_ZONE, S(time_zone), 0, 0, NULL,
	    "default zone of tasks without time_zone (default: the system's)" },
	{ "listen_tcp", K_HOSTPORT, S(listen_tcp), 0, 0, NULL,
	    "loopback TCP listener, 127.0.0.1:PORT (off by default)" },
	{ "tokens", K_TOKENS, S(tokens), 0, 0, NULL,
	    "API tokens for listen_tcp: [{name, sha256, projects}]" },
	{ "projects", K_PROJECTS, S(projects), 0, 0, NULL,
	    "project: {users: [...], groups: [...]}" },
	{ "admin_group", K_GROUP, S(admin_group), 0, 0, "sked",
	    "members may use every project" },
	{ "socket_group", K_GROUP, S(socket_group), 0, 0, "sked",
	    "group owner of the control socket" },
	{ "socket_mode", K_MODE, S(socket_mode), 0, 0777, "0660",
	    "mode of the control socket" },
	{ "max_concurrency", K_INT, S(max_concurrency), 1, 100000, "64",
	    "subtasks running at once; the rest wait in order" },
	{ "history_keep", K_INT, S(history_keep), 1, 10000000, "100",
	    "executions kept per task (a task's history_keep wins)" },
	{ "shutdown_timeout", K_INT, S(shutdown_timeout), 0, 86400, "30",
	    "seconds running subtasks get to finish at SIGTERM" },
	{ "kill_grace", K_INT, S(kill_grace), 0, 3600, "5",
	    "seconds between SIGTERM and SIGKILL for a process" },
	{ "output_limit", K_INT, S(output_limit), 0, 1048576, "4096",
	    "bytes of output tail kept per subtask" },
	{ "misfire_threshold", K_INT, S(misfire_threshold), 1, 86400, "60",
	    "seconds late after which a fire counts as missed" },
	{ "request_body_max", K_INT, S(request_body_max), 1024, 1073741824,
	    "1048576", "largest API request body (413 past it)" },
	{ "request_header_max", K_INT, S(request_header_max), 1024, 1048576,
	    "16384", "largest API request header block (431 past it)" },
	{ "connection_timeout", K_INT, S(connection_timeout), 1, 3600, "30",
	    "seconds before an idle or slow API connection is closed" },
	{ "max_connections", K_INT, S(max_connections), 1, 65536, "256",
	    "API connections at once" },
	{ "store", K_STORE, S(store_kind), 0, 0, "sqlite",
	    "the store: sqlite (one machine) or postgresql (cluster mode)" },
	{ "database_url", K_DBURL, S(database_url), 0, 0, NULL,
	    "libpq connection string or URI (store: postgresql; no password)" },
	{ "node_name", K_NODENAME, S(node_name), 0, 0, NULL,
	    "this node's name in the cluster (default: the host name)" },
	{ "cluster_heartbeat", K_INT, S(cluster_heartbeat), 1, 3600, "2",
	    "seconds between a node's heartbeats" },
	{ "cluster_dead_after", K_INT, S(cluster_dead_after), 1, 86400, "10",
	    "seconds of silence after which a node is dead (> 2 heartbeats)" },
};

#define NKEYS	(sizeof keys / sizeof keys[0])
#define NKEYS_MAX	64
_Static_assert(NKEYS <= NKEYS_MAX, "NKEYS_MAX is too small");

struct cctx {
	yaml_document_t	*doc;
	const char	*file;
	char		*dir;		/* folder of the file, for K_PATH */
	struct errlist	*errs;
	int		 nerr;
	int		 tasks_dir_given;
	struct tz_cache	*zones;
	/* where each key's value was given (line 0: not given), for the
	   checks across keys */
	int		 given_line[NKEYS_MAX], given_col[NKEYS_MAX];
	bool		 key_bad[NKEYS_MAX];	/* its value was refused */
	bool		 loaded;		/* the YAML was read */
};

static void	bad(struct cctx *, const yaml_node_t *, const char *,
		    const char *, ...) __attribute__((format(printf, 4, 5)));

static void
bad(struct cctx *c, const yaml_node_t *n, const char *key, const char *fmt,
    ...)
{
	char	msg[400];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	errlist_add(c->errs, c->file, n ? (int)n->start_mark.line + 1 : 0,
	    n ? (int)n->start_mark.column + 1 : 0, "%s: %s", key, msg);
	c->nerr++;
}

static void	bad_at(struct cctx *, int, int, const char *, const char *,
		    ...) __attribute__((format(printf, 5, 6)));

static void
bad_at(struct cctx *c, int line, int col, const char *key, const char *fmt,
    ...)
{
	char	msg[400];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	errlist_add(c->errs, c->file, line, col, "%s: %s", key, msg);
	c->nerr++;
}

static char *
xstrdup(const char *s)
{
	char	*p;

	if (s == NULL)
		return (NULL);
	if ((p = strdup(s)) == NULL)
		abort();
	return (p);
}

static const char *
scalar(const yaml_node_t *n)
{
	return ((const char *)n->data.scalar.value);
}

static int
is_null(const yaml_node_t *n)
{
	const char	*s;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return (0);
	s = scalar(n);
	return (*s == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0);
}

static char *
join_path(const char *dir, const char *p)
{
	char	*out;

	if (p[0] == '/' || dir == NULL)
		return (xstrdup(p));
	if (asprintf(&out, "%s/%s", dir, p) < 0)
		abort();
	return (out);
}

static int
valid_group_name(const char *s)
{
	size_t	i;

	if (*s == '\0' || *s == '-' || strlen(s) > 32)
		return (0);
	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("_.-", s[i]) ==
		    NULL)
			return (0);
	return (1);
}

/* A node name: 1-63 of letters, digits, '.', '_' and '-'. */
static int
valid_node_name(const char *s)
{
	size_t	i;

	if (*s == '\0' || strlen(s) > NODE_NAME_MAX)
		return (0);
	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("._-", s[i]) ==
		    NULL)
			return (0);
	return (1);
}

/*
 * A database_url as libpq reads it (PQconninfoParse: a key=value string
 * or a postgresql:// URI); NULL, or why not, in err.  A password in it is
 * refused: it belongs in PGPASSFILE or ~/.pgpass, not in sked.yaml, which
 * is readable and whose values skedd may log.
 */
static int
check_dburl(const char *s, char *err, size_t errlen)
{
	PQconninfoOption	*opts, *o;
	char			*msg = NULL;
	size_t			 n;
	int			 rc = 0;

	if (*s == '\0') {
		snprintf(err, errlen, "empty");
		return (-1);
	}
	if ((opts = PQconninfoParse(s, &msg)) == NULL) {
		snprintf(err, errlen, "%s", msg != NULL ? msg :
		    "out of memory");
		if (msg != NULL)
			PQfreemem(msg);
		n = strlen(err);
		while (n > 0 && (err[n - 1] == '\n' || err[n - 1] == ' '))
			err[--n] = '\0';
		return (-1);
	}
	for (o = opts; o->keyword != NULL; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL) {
			snprintf(err, errlen, "holds a password: put it in "
			    "~/.pgpass or the file PGPASSFILE names, not in "
			    "sked.yaml");
			rc = -1;
		}
	PQconninfoFree(opts);
	return (rc);
}

/* A list of names: a YAML sequence of scalars, each checked. */
static int
get_names(struct cctx *c, const yaml_node_t *n, const char *key,
    char ***out, size_t *count)
{
	yaml_node_item_t	*it;
	const yaml_node_t	*v;
	size_t			 i = 0, cap;

	if (*out != NULL) {	/* the list was given before */
		bad(c, n, key, "given twice");
		return (-1);
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		bad(c, n, key, "expected a list of names");
		return (-1);
	}
	cap = (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
	if ((*out = calloc(cap + 1, sizeof **out)) == NULL)
		abort();
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		v = yaml_document_get_node(c->doc, *it);
		if (v->type != YAML_SCALAR_NODE ||
		    !(valid_group_name(scalar(v)) || strcmp(scalar(v), "*")
		    == 0)) {
			bad(c, v, key, "'%s' is not a valid name",
			    v->type == YAML_SCALAR_NODE ? scalar(v) : "?");
			continue;
		}
		(*out)[i++] = xstrdup(scalar(v));
	}
	*count = i;
	return (0);
}

static void
get_projects(struct cctx *c, const yaml_node_t *n, struct config *cfg)
{
	yaml_node_pair_t	*p, *q;
	const yaml_node_t	*k, *v, *kk, *vv;
	struct config_project	*pr;
	size_t			 cap;
	char			 key[200];

	if (n->type != YAML_MAPPING_NODE) {
		bad(c, n, "projects", "expected a mapping of project names");
		return;
	}
	cap = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	if ((cfg->projects = calloc(cap + 1, sizeof *pr)) == NULL)
		abort();
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	    p++) {
		k = yaml_document_get_node(c->doc, p->key);
		v = yaml_document_get_node(c->doc, p->value);
		if (k->type != YAML_SCALAR_NODE ||
		    !valid_group_name(scalar(k))) {
			bad(c, k, "projects", "'%s' is not a project name",
			    k->type == YAML_SCALAR_NODE ? scalar(k) : "?");
			continue;
		}
		pr = &cfg->projects[cfg->nprojects++];
		pr->name = xstrdup(scalar(k));
		if (is_null(v))
			continue;
		if (v->type != YAML_MAPPING_NODE) {
			bad(c, v, "projects", "%s: expected {users: [...], "
			    "groups: [...]}", pr->name);
			continue;
		}
		for (q = v->data.mapping.pairs.start;
		    q < v->data.mapping.pairs.top; q++) {
			kk = yaml_document_get_node(c->doc, q->key);
			vv = yaml_document_get_node(c->doc, q->value);
			snprintf(key, sizeof key, "projects.%s.%s", pr->name,
			    kk->type == YAML_SCALAR_NODE ? scalar(kk) : "?");
			if (kk->type == YAML_SCALAR_NODE &&
			    strcmp(scalar(kk), "users") == 0)
				get_names(c, vv, key, &pr->users, &pr->nusers);
			else if (kk->type == YAML_SCALAR_NODE &&
			    strcmp(scalar(kk), "groups") == 0)
				get_names(c, vv, key, &pr->groups,
				    &pr->ngroups);
			else
				bad(c, kk, key, "unknown key (users, groups)");
		}
	}
}

static void
get_tokens(struct cctx *c, const yaml_node_t *n, struct config *cfg)
{
	yaml_node_item_t	*it;
	yaml_node_pair_t	*q;
	const yaml_node_t	*e, *kk, *vv;
	struct config_token	*tk;
	const char		*s;
	size_t			 cap, i;
	char			 key[64];
	int			 have_hash;

	if (n->type != YAML_SEQUENCE_NODE) {
		bad(c, n, "tokens", "expected a list of {name, sha256, "
		    "projects}");
		return;
	}
	cap = (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
	if ((cfg->tokens = calloc(cap + 1, sizeof *tk)) == NULL)
		abort();
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		e = yaml_document_get_node(c->doc, *it);
		snprintf(key, sizeof key, "tokens[%zu]", cfg->ntokens);
		if (e->type != YAML_MAPPING_NODE) {
			bad(c, e, key, "expected {name, sha256, projects}");
			continue;
		}
		tk = &cfg->tokens[cfg->ntokens++];
		have_hash = 0;
		for (q = e->data.mapping.pairs.start;
		    q < e->data.mapping.pairs.top; q++) {
			kk = yaml_document_get_node(c->doc, q->key);
			vv = yaml_document_get_node(c->doc, q->value);
			s = kk->type == YAML_SCALAR_NODE ? scalar(kk) : "?";
			if (strcmp(s, "name") == 0 &&
			    vv->type == YAML_SCALAR_NODE) {
				free(tk->name);
				tk->name = xstrdup(scalar(vv));
			} else if (strcmp(s, "sha256") == 0) {
				s = vv->type == YAML_SCALAR_NODE ? scalar(vv) :
				    "";
				for (i = 0; i < 64 && isxdigit((unsigned char)
				    s[i]); i++)
					tk->sha256[i] = (char)tolower(
					    (unsigned char)s[i]);
				if (i != 64 || s[64] != '\0')
					bad(c, vv, key, "sha256: expected 64 "
					    "hex digits (sha256sum of the "
					    "token)");
				have_hash = 1;
			} else if (strcmp(s, "projects") == 0)
				get_names(c, vv, "tokens.projects",
				    &tk->projects, &tk->nprojects);
			else
				bad(c, kk, key, "unknown key '%s' (name, "
				    "sha256, projects)", s);
		}
		if (!have_hash)
			bad(c, e, key, "sha256: required");
	}
}

static void
set_key(struct cctx *c, const struct key *k, const yaml_node_t *v,
    struct config *cfg, int from_default)
{
	char		*p = (char *)cfg + k->offset, *end;
	const char	*s, *cause;
	const struct tz	*zone;
	long		 l;
	unsigned long	 port;

	if (k->type == K_PROJECTS) {
		get_projects(c, v, cfg);
		return;
	}
	if (k->type == K_TOKENS) {
		get_tokens(c, v, cfg);
		return;
	}
	if (v->type != YAML_SCALAR_NODE) {
		bad(c, v, k->name, "expected a single value");
		return;
	}
	s = scalar(v);
	switch (k->type) {
	case K_PATH:
		if (*s == '\0') {
			bad(c, v, k->name, "empty path");
			break;
		}
		free(*(char **)p);
		*(char **)p = join_path(from_default && s[0] != '/' &&
		    c->dir == NULL ? "/etc/sked" : c->dir, s);
		break;
	case K_STRING:
		free(*(char **)p);
		*(char **)p = xstrdup(s);
		break;
	case K_STORE:
		if (strcmp(s, "sqlite") != 0 && strcmp(s, "postgresql") != 0) {
			bad(c, v, k->name, "'%s' is not a store (sqlite, "
			    "postgresql)", s);
			break;
		}
		free(*(char **)p);
		*(char **)p = xstrdup(s);
		break;
	case K_DBURL: {
		char	err[300];

		if (check_dburl(s, err, sizeof err) != 0) {
			bad(c, v, k->name, "%s", err);
			break;
		}
		free(*(char **)p);
		*(char **)p = xstrdup(s);
		break;
	}
	case K_NODENAME:
		if (!valid_node_name(s)) {
			bad(c, v, k->name, "'%s' is not a node name (1-%d "
			    "letters, digits, '.', '_' and '-')", s,
			    NODE_NAME_MAX);
			break;
		}
		free(*(char **)p);
		*(char **)p = xstrdup(s);
		break;
	case K_ZONE:
		if (!tz_name_valid(s)) {
			bad(c, v, k->name, "'%s' is not a time zone name", s);
			break;
		}
		if (tz_cache_get(c->zones, s, &zone, &cause) != 0) {
			bad(c, v, k->name, "'%s': %s", s, cause);
			break;
		}
		free(*(char **)p);
		*(char **)p = xstrdup(s);
		break;
	case K_GROUP:
		if (!valid_group_name(s)) {
			bad(c, v, k->name, "'%s' is not a group name", s);
			break;
		}
		free(*(char **)p);
		*(char **)p = xstrdup(s);
		break;
	case K_INT:
		errno = 0;
		l = strtol(s, &end, 10);
		if (*s == '\0' || *end != '\0' || errno != 0 ||
		    v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
			bad(c, v, k->name, "expected an integer");
			break;
		}
		if (l < k->min || l > k->max) {
			bad(c, v, k->name, "%ld is out of range %ld-%ld", l,
			    k->min, k->max);
			break;
		}
		*(int *)p = (int)l;
		break;
	case K_MODE:
		errno = 0;
		l = strtol(s, &end, 8);
		if (*s == '\0' || *end != '\0' || errno != 0 || l < 0 ||
		    l > 0777) {
			bad(c, v, k->name, "expected an octal mode such as "
			    "0660");
			break;
		}
		*(int *)p = (int)l;
		break;
	case K_HOSTPORT:
		if (strncmp(s, "127.0.0.1:", 10) != 0 &&
		    strncmp(s, "[::1]:", 6) != 0 &&
		    strncmp(s, "localhost:", 10) != 0) {
			bad(c, v, k->name, "'%s': only loopback addresses "
			    "(127.0.0.1:PORT, [::1]:PORT) are allowed", s);
			break;
		}
		errno = 0;
		port = strtoul(strrchr(s, ':') + 1, &end, 10);
		if (*end != '\0' || port == 0 || port > 65535 ||
		    !isdigit((unsigned char)strrchr(s, ':')[1])) {
			bad(c, v, k->name, "'%s': expected a port 1-65535", s);
			break;
		}
		free(*(char **)p);
		*(char **)p = xstrdup(s);
		break;
	default:
		break;
	}
}

/* Defaults, written as in a file so that one parser checks both. */
static void
set_defaults(struct cctx *c, struct config *cfg)
{
	yaml_node_t	n;
	size_t		i;

	for (i = 0; i < NKEYS; i++) {
		if (keys[i].def == NULL)
			continue;
		memset(&n, 0, sizeof n);
		n.type = YAML_SCALAR_NODE;
		n.data.scalar.value = (yaml_char_t *)(uintptr_t)keys[i].def;
		n.data.scalar.length = strlen(keys[i].def);
		n.data.scalar.style = YAML_PLAIN_SCALAR_STYLE;
		set_key(c, &keys[i], &n, cfg, 1);
	}
}

static int
read_file(const char *path, char **text, size_t *len, struct errlist *errs)
{
	char	err[256];

	if (read_regular_file(path, CONFIG_FILE_MAX, text, len, err,
	    sizeof err) != 0) {
		errlist_add(errs, path, 0, 0, "%s", err);
		return (-1);
	}
	return (0);
}

static int
parse_config(struct cctx *c, const char *text, size_t len,
    struct config *cfg)
{
	yaml_parser_t		 parser;
	yaml_document_t		 doc;
	yaml_node_t		*root;
	yaml_node_pair_t	*p;
	const yaml_node_t	*k, *v;
	unsigned char		 seen[NKEYS];
	size_t			 i;
	int			 nerr;

	if (!yaml_parser_initialize(&parser))
		abort();
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		errlist_add(c->errs, c->file, (int)parser.problem_mark.line + 1,
		    (int)parser.problem_mark.column + 1, "%s%s%s",
		    parser.problem ? parser.problem : "YAML error",
		    parser.context ? " " : "",
		    parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return (-1);
	}
	yaml_parser_delete(&parser);
	c->doc = &doc;
	c->loaded = true;
	root = yaml_document_get_root_node(&doc);
	if (root == NULL || is_null(root)) {
		yaml_document_delete(&doc);
		return (0);	/* an empty file: every default */
	}
	if (root->type != YAML_MAPPING_NODE) {
		bad(c, root, "sked.yaml", "expected a mapping of keys");
		yaml_document_delete(&doc);
		return (-1);
	}
	memset(seen, 0, sizeof seen);
	for (p = root->data.mapping.pairs.start;
	    p < root->data.mapping.pairs.top; p++) {
		k = yaml_document_get_node(&doc, p->key);
		v = yaml_document_get_node(&doc, p->value);
		if (k->type != YAML_SCALAR_NODE) {
			bad(c, k, "sked.yaml", "keys must be strings");
			continue;
		}
		for (i = 0; i < NKEYS; i++)
			if (strcmp(keys[i].name, scalar(k)) == 0)
				break;
		if (i == NKEYS) {
			bad(c, k, scalar(k), "unknown key");
			continue;
		}
		if (seen[i]++) {
			bad(c, k, scalar(k), "given twice");
			continue;
		}
		if (keys[i].offset == S(tasks_dir))
			c->tasks_dir_given = 1;
		c->given_line[i] = (int)v->start_mark.line + 1;
		c->given_col[i] = (int)v->start_mark.column + 1;
		if (is_null(v))
			continue;
		nerr = c->nerr;
		set_key(c, &keys[i], v, cfg, 0);
		c->key_bad[i] = c->nerr != nerr;
	}
	yaml_document_delete(&doc);
	return (c->nerr == 0 ? 0 : -1);
}

static int
key_index(size_t offset)
{
	size_t	i;

	for (i = 0; i < NKEYS; i++)
		if (keys[i].offset == offset)
			return ((int)i);
	abort();
}

/* Where key (by offset) was given, else where other was, else 0:0. */
static void
key_pos(const struct cctx *c, size_t offset, size_t other, int *line,
    int *col)
{
	int	i = key_index(offset), j = key_index(other);

	if (c->given_line[i] == 0)
		i = j;
	*line = c->given_line[i];
	*col = c->given_col[i];
}

/*
 * The checks across keys, once every key is read: the store's keys go
 * together, the default node name is a valid one, a node is declared dead
 * after more than two heartbeats.
 */
static void
check_keys(struct cctx *c, struct config *cfg)
{
	char	host[256];
	int	line, col, pg = config_store_pg(cfg);
	bool	store_ok = !c->key_bad[key_index(S(store_kind))];

	/* after store: mysql, what goes with the store is not checked */
	key_pos(c, S(store_kind), S(store_kind), &line, &col);
	if (store_ok && pg && cfg->database_url == NULL &&
	    !c->key_bad[key_index(S(database_url))])
		bad_at(c, line, col, "database_url", "required with store: "
		    "postgresql (a libpq connection string or URI)");
	if (store_ok && !pg && cfg->database_url != NULL) {
		key_pos(c, S(database_url), S(database_url), &line, &col);
		bad_at(c, line, col, "database_url", "only used with store: "
		    "postgresql (store is %s)", cfg->store_kind);
	}
	if (store_ok && pg && c->given_line[key_index(S(database))] != 0) {
		key_pos(c, S(database), S(database), &line, &col);
		bad_at(c, line, col, "database", "the SQLite file, not used "
		    "with store: postgresql (remove it)");
	}
	if (cfg->node_name == NULL && !c->key_bad[key_index(S(node_name))]) {
		if (gethostname(host, sizeof host) != 0)
			host[0] = '\0';
		host[sizeof host - 1] = '\0';
		if (valid_node_name(host))
			cfg->node_name = xstrdup(host);
		else if (pg && store_ok) {
			key_pos(c, S(store_kind), S(store_kind), &line, &col);
			bad_at(c, line, col, "node_name", "the host name '%s' "
			    "is not a node name (1-%d letters, digits, '.', "
			    "'_' and '-'): set node_name", host,
			    NODE_NAME_MAX);
		} else	/* a single machine does not use it */
			cfg->node_name = xstrdup("localhost");
	}
	if (c->key_bad[key_index(S(cluster_heartbeat))] ||
	    c->key_bad[key_index(S(cluster_dead_after))])
		return;
	if (cfg->cluster_dead_after <= 2 * cfg->cluster_heartbeat) {
		key_pos(c, S(cluster_dead_after), S(cluster_heartbeat), &line,
		    &col);
		bad_at(c, line, col, "cluster_dead_after", "%d must be more "
		    "than twice cluster_heartbeat (%d)",
		    cfg->cluster_dead_after, cfg->cluster_heartbeat);
	}
}

bool
config_store_pg(const struct config *cfg)
{
	return (cfg->store_kind != NULL &&
	    strcmp(cfg->store_kind, "postgresql") == 0);
}

static int
str_differs(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != b);
	return (strcmp(a, b) != 0);
}

size_t
config_keep_start_only(struct config *next, const struct config *cur,
    const char **changed, size_t max)
{
	size_t	n = 0;

#define KEEP_STR(f, name) do {						\
	if (str_differs(next->f, cur->f)) {				\
		free(next->f);						\
		next->f = xstrdup(cur->f);				\
		if (n < max)						\
			changed[n] = name;				\
		n++;							\
	}								\
} while (0)
#define KEEP_NUM(f) do {						\
	if (next->f != cur->f) {					\
		next->f = cur->f;					\
		if (n < max)						\
			changed[n] = #f;				\
		n++;							\
	}								\
} while (0)
	KEEP_STR(store_kind, "store");
	KEEP_STR(database_url, "database_url");
	KEEP_STR(node_name, "node_name");
	KEEP_NUM(cluster_heartbeat);
	KEEP_NUM(cluster_dead_after);
#undef KEEP_STR
#undef KEEP_NUM
	return (n);
}

static int
name_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

static int
is_task_file(const char *name)
{
	size_t	n = strlen(name);

	if (name[0] == '.')
		return (0);
	return ((n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
	    (n > 4 && strcmp(name + n - 4, ".yml") == 0) ||
	    (n > 5 && strcmp(name + n - 5, ".json") == 0));
}

/*
 * Tasks sorted by id or by (project, name), ties in file order, so that
 * duplicates are neighbours: the check of a set is O(n log n).
 */
static int
by_id(const void *a, const void *b, void *arg)
{
	const struct task	*v = arg, *x = &v[*(const size_t *)a],
				*y = &v[*(const size_t *)b];
	int			 c;

	if (x->id == NULL || y->id == NULL)
		c = (x->id == NULL) - (y->id == NULL);
	else
		c = strcmp(x->id, y->id);
	if (c == 0)
		c = (*(const size_t *)a > *(const size_t *)b) -
		    (*(const size_t *)a < *(const size_t *)b);
	return (c);
}

static int
by_name(const void *a, const void *b, void *arg)
{
	const struct task	*v = arg, *x = &v[*(const size_t *)a],
				*y = &v[*(const size_t *)b];
	int			 c;

	if ((c = strcmp(x->project_id, y->project_id)) == 0 &&
	    (c = strcmp(x->task_name, y->task_name)) == 0)
		c = (*(const size_t *)a > *(const size_t *)b) -
		    (*(const size_t *)a < *(const size_t *)b);
	return (c);
}

/*
 * For each task, the first earlier task with the same key (SIZE_MAX:
 * none), from the order sorted by cmp.
 */
static void
first_same(const struct task_set *set, size_t *order, size_t *first,
    int (*cmp)(const void *, const void *, void *), bool ids)
{
	const struct task	*t, *u;
	size_t			 i, lead = 0;

	for (i = 0; i < set->count; i++)
		order[i] = i;
	qsort_r(order, set->count, sizeof *order, cmp, set->tasks);
	for (i = 0; i < set->count; i++) {
		first[order[i]] = SIZE_MAX;
		t = &set->tasks[order[i]];
		u = &set->tasks[order[lead]];
		if (i > 0 && (ids ? t->id != NULL && u->id != NULL &&
		    strcmp(t->id, u->id) == 0 :
		    strcmp(t->project_id, u->project_id) == 0 &&
		    strcmp(t->task_name, u->task_name) == 0))
			first[order[i]] = order[lead];
		else
			lead = i;
	}
}

/* Every task compiles; ids and names are unique. */
static void
check_set(const struct task_set *set, struct tz_cache *zones,
    const struct tz *def, struct errlist *errs)
{
	const struct task	*t, *u;
	struct sched		 s;
	char			 err[SCHED_ERRLEN];
	size_t			*order, *same_id, *same_name, i;

	if ((order = calloc(set->count + 1, sizeof *order)) == NULL ||
	    (same_id = calloc(set->count + 1, sizeof *same_id)) == NULL ||
	    (same_name = calloc(set->count + 1, sizeof *same_name)) == NULL)
		abort();
	first_same(set, order, same_id, by_id, true);
	first_same(set, order, same_name, by_name, false);
	for (i = 0; i < set->count; i++) {
		t = &set->tasks[i];
		if (task_schedule(t, zones, def, &s, err, sizeof err) < 0)
			errlist_add(errs, t->file, t->line, t->column, "%s",
			    err);
		if (same_id[i] != SIZE_MAX) {
			u = &set->tasks[same_id[i]];
			errlist_add(errs, t->file, t->line, t->column,
			    "id: '%s' is also the id of the task at %s:%d",
			    t->id, u->file, u->line);
		}
		if (same_name[i] != SIZE_MAX && same_name[i] != same_id[i]) {
			u = &set->tasks[same_name[i]];
			errlist_add(errs, t->file, t->line, t->column,
			    "task_name: '%s' is also the name of the task at "
			    "%s:%d in project %s", t->task_name, u->file,
			    u->line, t->project_id);
		}
	}
	free(order);
	free(same_id);
	free(same_name);
}

static int
file_cmp(const void *a, const void *b)
{
	return (strcmp(((const struct task_file *)a)->path,
	    ((const struct task_file *)b)->path));
}

const struct task_file *
config_file(const struct config *cfg, const char *path)
{
	struct task_file	key;

	key.path = (char *)(uintptr_t)path;
	if (cfg->nfiles == 0)
		return (NULL);
	return (bsearch(&key, cfg->files, cfg->nfiles, sizeof *cfg->files,
	    file_cmp));
}

/*
 * Read every task file, in name order, but those unchanged says the
 * daemon has; check the set read.
 */
static void
load_tasks(struct config *cfg, struct tz_cache *zones, int dir_given,
    config_unchanged_fn unchanged, void *arg, struct errlist *errs)
{
	struct task_file	*tf;
	struct stat		 st;
	DIR			*d;
	struct dirent		*de;
	char			**names = NULL, *path;
	size_t			 n = 0, cap = 0, i, j, cap2 = 0;
	struct task_set		 set;
	const struct tz		*def = NULL;
	const char		*cause;

	if ((d = opendir(cfg->tasks_dir)) == NULL) {
		if (errno != ENOENT || dir_given)
			errlist_add(errs, cfg->path, 0, 0, "tasks_dir: %s: %s",
			    cfg->tasks_dir, strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (!is_task_file(de->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((names = realloc(names, cap * sizeof *names)) ==
			    NULL)
				abort();
		}
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 1)	/* names is NULL when the folder holds none */
		qsort(names, n, sizeof *names, name_cmp);
	if (cfg->time_zone != NULL)
		(void)tz_cache_get(zones, cfg->time_zone, &def, &cause);
	else
		(void)tz_cache_system(zones, &def, &cause);
	if ((cfg->files = calloc(n + 1, sizeof *cfg->files)) == NULL)
		abort();
	for (i = 0; i < n; i++) {
		if (asprintf(&path, "%s/%s", cfg->tasks_dir, names[i]) < 0)
			abort();
		free(names[i]);
		/* lstat-free: a symlink to a task file is a task file */
		tf = &cfg->files[cfg->nfiles++];
		tf->path = path;
		if (stat(path, &st) == 0) {
			tf->dev = (uint64_t)st.st_dev;
			tf->ino = (uint64_t)st.st_ino;
			tf->size = (uint64_t)st.st_size;
			tf->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 +
			    st.st_mtim.tv_nsec;
			tf->ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000 +
			    st.st_ctim.tv_nsec;
			if (S_ISREG(st.st_mode) && unchanged != NULL &&
			    unchanged(arg, tf))
				continue;
		}
		tf->read = true;
		if (task_file_load(path, &set, errs) == 0) {
			for (j = 0; j < set.count; j++) {
				if (cfg->tasks.count == cap2) {
					cap2 = cap2 ? cap2 * 2 : 16;
					cfg->tasks.tasks = realloc(
					    cfg->tasks.tasks, cap2 *
					    sizeof *cfg->tasks.tasks);
					if (cfg->tasks.tasks == NULL)
						abort();
				}
				cfg->tasks.tasks[cfg->tasks.count++] =
				    set.tasks[j];
			}
			free(set.tasks);
		}
	}
	free(names);

	check_set(&cfg->tasks, zones, def, errs);
}

int
config_load(const char *path, struct tz_cache *zones, struct config *cfg,
    struct errlist *errs)
{
	return (config_load_since(path, zones, NULL, NULL, cfg, errs));
}

int
config_load_since(const char *path, struct tz_cache *zones,
    config_unchanged_fn unchanged, void *arg, struct config *cfg,
    struct errlist *errs)
{
	struct cctx	 c;
	char		*text = NULL, *slash, *real;
	size_t		 len = 0, before = errs->count;
	struct stat	 st;

	memset(cfg, 0, sizeof *cfg);
	memset(&c, 0, sizeof c);
	c.errs = errs;
	c.zones = zones;
	if (path == NULL && stat(SKED_CONFIG_DEFAULT, &st) == 0)
		path = SKED_CONFIG_DEFAULT;
	if (path != NULL) {
		cfg->path = xstrdup(path);
		c.file = cfg->path;
		if ((real = realpath(path, NULL)) != NULL) {
			if ((slash = strrchr(real, '/')) != NULL)
				*slash = '\0';
			c.dir = real;
		}
	} else
		c.file = SKED_CONFIG_DEFAULT;
	set_defaults(&c, cfg);
	if (path != NULL && read_file(path, &text, &len, errs) == 0) {
		(void)parse_config(&c, text, len, cfg);
		if (c.loaded)
			check_keys(&c, cfg);
		free(text);
	} else if (path == NULL)
		check_keys(&c, cfg);
	if (errs->count == before)
		load_tasks(cfg, zones, c.tasks_dir_given, unchanged, arg,
		    errs);
	free(c.dir);
	if (errs->count != before) {
		config_free(cfg);
		return (-1);
	}
	return (0);
}

static void
free_names(char **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
config_free(struct config *cfg)
{
	size_t	i;

	free(cfg->path);
	free(cfg->socket);
	free(cfg->database);
	free(cfg->tasks_dir);
	free(cfg->hooks_dir);
	free(cfg->plugin_dir);
	free(cfg->time_zone);
	free(cfg->listen_tcp);
	free(cfg->admin_group);
	free(cfg->socket_group);
	free(cfg->store_kind);
	free(cfg->database_url);
	free(cfg->node_name);
	for (i = 0; i < cfg->nprojects; i++) {
		free(cfg->projects[i].name);
		free_names(cfg->projects[i].users, cfg->projects[i].nusers);
		free_names(cfg->projects[i].groups, cfg->projects[i].ngroups);
	}
	free(cfg->projects);
	for (i = 0; i < cfg->ntokens; i++) {
		free(cfg->tokens[i].name);
		free_names(cfg->tokens[i].projects, cfg->tokens[i].nprojects);
	}
	free(cfg->tokens);
	task_set_free(&cfg->tasks);
	for (i = 0; i < cfg->nfiles; i++)
		free(cfg->files[i].path);
	free(cfg->files);
	memset(cfg, 0, sizeof *cfg);
}

void
config_print_keys(FILE *fp)
{
	size_t	i;

	for (i = 0; i < NKEYS; i++)
		fprintf(fp, "%-20s %-24s %s\n", keys[i].name,
		    keys[i].def ? keys[i].def : "-", keys[i].help);
}
