/*
 * sked.yaml: the daemon's configuration, and the task files of tasks_dir.
 * Loaded into a fresh struct and checked against one declarative table of
 * keys; every error is collected as "file:line:column: key: reason" and any
 * error rejects the whole configuration (the running one stays).
 */
#ifndef SKED_CONF_H
#define SKED_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "errlist.h"
#include "task.h"

#ifndef SKED_CONFIG_DEFAULT
#define SKED_CONFIG_DEFAULT	"/etc/sked/sked.yaml"
#endif

struct tz_cache;

struct config_project {
	char	 *name;
	char	**users;
	size_t	  nusers;
	char	**groups;
	size_t	  ngroups;
};

struct config_token {
	char	 *name;
	char	  sha256[65];	/* lower-case hex of the token's SHA-256 */
	char	**projects;	/* "*" for every project */
	size_t	  nprojects;
};

/*
 * A task file as it was when read: a file whose fingerprint is the same
 * at the next reload (or start, against the store) holds the same tasks,
 * which the daemon already has; it is not read again.
 */
struct task_file {
	char		*path;
	uint64_t	 dev, ino, size;
	int64_t		 mtime_ns, ctime_ns;
	bool		 read;		/* its tasks are in cfg->tasks */
};

struct config {
	char		*path;		/* the file; NULL: built-in defaults */
	char		*socket;
	char		*database;
	char		*tasks_dir;
	char		*hooks_dir;
	char		*plugin_dir;
	char		*time_zone;	/* NULL: the system zone */
	char		*listen_tcp;	/* 127.0.0.1:PORT or NULL */
	char		*admin_group;
	char		*socket_group;
	int		 socket_mode;
	int		 max_concurrency;
	int		 history_keep;
	int		 shutdown_timeout;	/* seconds */
	int		 kill_grace;		/* seconds */
	int		 output_limit;		/* bytes */
	int		 misfire_threshold;	/* seconds */
	int		 request_body_max;	/* bytes */
	int		 request_header_max;	/* bytes */
	int		 connection_timeout;	/* seconds */
	int		 max_connections;
	/* the store (SPEC section 7): "sqlite" or "postgresql" */
	char		*store_kind;
	char		*database_url;	/* libpq conninfo; NULL with sqlite */
	char		*node_name;	/* default: the host name */
	int		 cluster_heartbeat;	/* seconds */
	int		 cluster_dead_after;	/* seconds */
	struct config_project	*projects;
	size_t			 nprojects;
	struct config_token	*tokens;
	size_t			 ntokens;
	/* the task files of tasks_dir, in name order */
	struct task_file *files;
	size_t		 nfiles;
	/* the tasks of the files read, every one checked (taken by the
	   daemon: empty once tasks_sync_files has them) */
	struct task_set	 tasks;
};

/*
 * Read path (NULL: the default path, which may be missing) and every task
 * file of its tasks_dir.  zones resolves time_zone names.  Returns 0, or -1
 * with every error in errs (cfg is then empty).
 */
int	config_load(const char *path, struct tz_cache *zones, struct config *,
	    struct errlist *errs);
/*
 * The same, except for the task files unchanged(arg, file) says the
 * daemon has as they are: those are listed, not read (file->read false).
 * The set check then covers the tasks of the files read; the daemon
 * checks them against the ones it keeps (tasks_sync_files).
 */
typedef bool (*config_unchanged_fn)(void *arg, const struct task_file *);
int	config_load_since(const char *path, struct tz_cache *zones,
	    config_unchanged_fn unchanged, void *arg, struct config *,
	    struct errlist *errs);
/* The file of cfg with this path, or NULL (files are in name order). */
const struct task_file *config_file(const struct config *, const char *path);
void	config_free(struct config *);

/* The store is PostgreSQL (store: postgresql). */
bool	config_store_pg(const struct config *);

/*
 * Keys read at start only that a reload cannot change: store,
 * database_url, node_name, cluster_heartbeat, cluster_dead_after.  Each
 * that differs in next is set back to cur's value and its name put in
 * changed (up to max); returns how many differed (log each as "reload:
 * KEY changes at the next restart", as for database).
 */
size_t	config_keep_start_only(struct config *next, const struct config *cur,
	    const char **changed, size_t max);

/* Print every key with its default and help (skedd -h keys, man page). */
void	config_print_keys(FILE *);

#endif
