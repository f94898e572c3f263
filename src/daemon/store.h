/*
 * The store: tasks (with their targets), planned records, executions and
 * subtask results.  Two engines behind this one interface: SQLite (one
 * file, WAL, foreign keys, a busy timeout; the default) and PostgreSQL
 * (cluster mode, store_open_postgresql); the logic and the SQL are in
 * store.c once, over a thin driver (store-db.h).  Statements are prepared
 * once per connection and kept; the schema is versioned (SQLite: PRAGMA
 * user_version; PostgreSQL: the table sked_schema) and migrated forward on
 * open.
 *
 * Every function returns 0 on success and -1 on error, with the reason in
 * store_error(); a lookup or update of a row that does not exist returns 1
 * (also with a reason).  Times are milliseconds since the epoch (UTC)
 * unless the name says seconds.  One connection, used by one thread at a
 * time (SQLite: opened SQLITE_OPEN_NOMUTEX).
 */
#ifndef SKED_STORE_H
#define SKED_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct task;
struct store;

/* What the store keeps about a task besides its definition. */
struct store_task_meta {
	int64_t		 create_ms;
	int64_t		 update_ms;
	int64_t		 last_fire;	/* seconds: scheduled instant of the
					   newest fire, 0 before the first */
	char		 last_status[16]; /* WAITING RUNNING SUCCESS FAIL SKIP */
	const char	*source;	/* task file path, NULL for API tasks
					   (store_tasks_load: valid during the
					   callback only) */
	/* loaded, never put (store_task_set_approve): "" when none, else
	   PENDING PASSED REJECTED; comments valid during the callback */
	char		 approve_status[16];
	const char	*approve_comments;
};

/*
 * A planned record (seed 001): the fire of task_id at planned_at (s) on
 * target instance_id, moved to execute_at (s; 0: not moved) or CANCELLED.
 */
struct store_planned {
	const char	*task_id;
	const char	*instance_id;
	int64_t		 planned_at;
	int64_t		 execute_at;
	char		 status[16];	/* WAITING CANCELLED */
};

struct store_subtask {
	char		*target_type;
	char		*target_id;
	char		 status[16];	/* WAITING RUNNING SUCCESS FAIL SKIP */
	int		 exit_code;	/* -1: none */
	char		*reason;	/* NULL when none */
	char		*output_tail;	/* NULL when none */
	int64_t		 begin_ms;	/* 0: not begun */
	int64_t		 end_ms;	/* 0: not ended */
};

struct store_execution {
	char		*id;		/* UUID */
	char		*task_id;
	char		*task_type;
	char		*scheduled_type;
	char		*time_zone;
	char		 status[16];	/* RUNNING SUCCESS FAIL SKIP */
	char		*reason;	/* NULL when none */
	int		 total_count;
	int		 success_count;
	int		 failed_count;
	int		 excuting_count;	/* the seeds' spelling */
	int		 skipped_count;
	int64_t		 scheduled_at;	/* seconds; 0 for run now / events */
	int64_t		 begin_ms;
	int64_t		 end_ms;	/* 0 while running */
	int64_t		 create_ms;
	char		*node;		/* cluster: the node that claimed it;
					   NULL on a single node */
	struct store_subtask *subtasks;	/* total_count of them, or NULL */
	size_t		 nsubtasks;
};

/*
 * Open (creating the file, not its folder) and migrate.  A database whose
 * schema is newer than this code is refused.  On failure *store is NULL
 * and store_error(NULL) says why, naming the path.
 */
int	 store_open(const char *path, struct store **);
/* Rolls back a transaction still open. */
void	 store_close(struct store *);
/* The last error, for the caller's log line; NULL: the last store_open's. */
const char *store_error(const struct store *);
/* SQLite: PRAGMA user_version (5); PostgreSQL: sked_schema (1) */
int	 store_schema_version(struct store *);

/*
 * Tasks.  store_tasks_load calls cb once per stored task that is not
 * deleted, in the order they were first put, with a task it owns: a
 * calloc'd struct whose every member is filled in (targets from the
 * targets table, file = the source or NULL, line and column), to be freed
 * with task_free(t); free(t).  A non-zero return from cb stops the walk
 * and is returned.  Adjacent targets of one type come back as one target
 * holding all their ids.
 */
typedef int (*store_task_cb)(void *arg, struct task *, const
	    struct store_task_meta *);
int	 store_tasks_load(struct store *, store_task_cb, void *arg);
/*
 * The same tasks as views: t's strings point into the row (valid during
 * the callback), targets, description, input_param and the other fields
 * the daemon reads on demand are absent; digest is the stored
 * task_digest(), 0 when unknown (a row from before schema 3).
 */
typedef int (*store_task_view_cb)(void *arg, const struct task *t,
	    const struct store_task_meta *, uint64_t digest);
int	 store_tasks_scan(struct store *, store_task_view_cb, void *arg);
/*
 * The same, max rows at a time: the next call goes on where this one
 * stopped; *done when the scan is over (or failed).  Other statements
 * may run in between (the daemon serves its API while it loads).
 */
int	 store_tasks_scan_some(struct store *, store_task_view_cb, void *arg,
	    size_t max, bool *done);
/*
 * One task as such a view, with description, priority and wait_time too
 * (what a list item shows): one statement, no targets.  1: no such task.
 */
int	 store_task_item(struct store *, const char *id, store_task_view_cb,
	    void *arg);
/*
 * The fingerprints of the task files (path and stat) the stored file
 * tasks come from.  get fills f by f->path, 1 when there is none;
 * replace makes the n given the whole table, in one transaction.
 */
struct store_file {
	const char	*path;
	uint64_t	 dev, ino, size;
	int64_t		 mtime_ns, ctime_ns;
};
int	 store_file_get(struct store *, struct store_file *);
int	 store_files_replace(struct store *, const struct store_file *,
	    size_t n);
/*
 * At least the number of tasks store_tasks_load would give (deleted ones
 * may count), without a scan: for sizing.
 */
int	 store_tasks_count(struct store *, int64_t *);
/*
 * One task (deleted too: what it was), as store_tasks_load gives it (t's members
 * owned by the caller: task_free).  *approve_comments is a copy of the
 * approval comments (to free; NULL when none); meta->source and
 * meta->approve_comments are NULL (t->file is the source).  1: no such
 * task.
 */
int	 store_task_get(struct store *, const char *id, struct task *,
	    struct store_task_meta *, char **approve_comments);
/*
 * Insert or replace a task (by id, which must be set) and its targets, in
 * one transaction.  A replaced task keeps its place in the load order; a
 * deleted one comes back.  meta may be NULL (zero times, WAITING); t's
 * line and column are kept only with a meta->source.
 */
int	 store_task_put(struct store *, const struct task *,
	    const struct store_task_meta *);
/*
 * Mark deleted (kept while executions refer to it); its id becomes free.
 * 1: no such task, or already deleted.
 */
int	 store_task_delete(struct store *, const char *id, int64_t now_ms);
/* 1: no such task. */
int	 store_task_set_status(struct store *, const char *id,
	    const char *last_status, int64_t last_fire);

/*
 * The approval of a task (seed 004): status PENDING, PASSED or REJECTED
 * (NULL: none), comments may be NULL.  Kept apart from the definition, so
 * store_task_put leaves it alone.  1: no such task.
 */
int	 store_task_set_approve(struct store *, const char *id,
	    const char *status, const char *comments);

/*
 * Planned records.  put inserts or replaces the record of (task_id,
 * instance_id, planned_at); the task must be stored.  delete returns 1
 * when there is no such record.  load calls cb for every record, oldest
 * planned_at first, with strings valid during the call only; a non-zero
 * return stops the walk and is returned.
 */
typedef int (*store_planned_cb)(void *arg, const struct store_planned *);
int	 store_planned_put(struct store *, const struct store_planned *);
int	 store_planned_delete(struct store *, const char *task_id,
	    const char *instance_id, int64_t planned_at);
int	 store_planned_load(struct store *, store_planned_cb, void *arg);

/*
 * Executions.  store_execution_insert writes the execution and every
 * subtask in one transaction (subtask i at position i); the update
 * functions rewrite the counts, status, reason and times of one row (a
 * subtask's exit code and output tail too), and return 1 when there is no
 * such row.  Strings may be NULL except the ids and status; e->node is
 * stored as the owner (NULL on a single node).  PostgreSQL refuses (-1)
 * a second execution of one occurrence (task_id, scheduled_at > 0): a
 * cluster records scheduled fires with store_execution_claim.
 */
int	 store_execution_insert(struct store *, const struct store_execution *);
int	 store_execution_update(struct store *, const struct store_execution *);
int	 store_subtask_update(struct store *, const char *execution_id,
	    size_t index, const struct store_subtask *);
/*
 * Newest first, with their subtasks; *total is the number of executions of
 * the task.  Free *out with store_executions_free(*out, *n).
 */
int	 store_history(struct store *, const char *task_id, int offset,
	    int limit, struct store_execution **out, size_t *n, int *total);
/*
 * One execution with its subtasks; 1 when there is no such execution.
 * Free with store_execution_free(out).
 */
int	 store_execution_get(struct store *, const char *id,
	    struct store_execution *out);
void	 store_execution_free(struct store_execution *);	/* members */
void	 store_executions_free(struct store_execution *, size_t n);

/*
 * Close every execution still RUNNING (and its RUNNING or WAITING
 * subtasks) as FAIL with reason, end time now_ms, in one transaction;
 * excuting_count becomes 0 and failed_count grows by the subtasks closed.
 * Their tasks whose last_status is still RUNNING become FAIL.  *closed is
 * the number of executions closed.
 */
int	 store_close_running(struct store *, const char *reason, int64_t now_ms,
	    int *closed);
/*
 * Delete the oldest executions of a task beyond the newest keep, at most
 * batch of them; *deleted is how many went (0: nothing left to prune).
 */
int	 store_prune(struct store *, const char *task_id, int keep, int batch,
	    int *deleted);

/*
 * Transactions, for bulk work (loading file tasks, the benchmark).  They
 * nest (inner levels are savepoints); store_rollback always ends the
 * level.  After an error that SQLite rolls back by itself (disk full,
 * I/O), every level is gone and store_commit fails.
 */
int	 store_begin(struct store *);
int	 store_commit(struct store *);
int	 store_rollback(struct store *);

/*
 * The PostgreSQL store (cluster mode, SPEC section 7): the same interface
 * and the same schema (in PostgreSQL's dialect) on a libpq connection
 * string or URI; the schema is created or migrated under an advisory
 * lock, so that nodes starting together do not race.  On failure *store
 * is NULL and store_error(NULL) says why (unreachable, no rights, a newer
 * schema).  store_kind: "sqlite" or "postgresql".
 */
int	 store_open_postgresql(const char *conninfo, struct store **);
const char *store_kind(const struct store *);

/*
 * Cluster.  An occurrence is (task id, scheduled_at > 0); the PostgreSQL
 * executions table keeps it unique.  store_execution_claim inserts e (as
 * store_execution_insert, with node as its owner) when the database's
 * clock has reached e->scheduled_at and no execution of that occurrence
 * exists: 0 recorded (ours), 1 already recorded (another node's claim;
 * nothing written), 2 too early by the database's clock (nothing written;
 * *db_now_ms is that clock).  Inside a transaction it does not abort it.
 * SQLite: store_execution_insert, 0 or -1; *db_now_ms the local clock.
 */
int	 store_execution_claim(struct store *, const struct store_execution *,
	    const char *node, int64_t *db_now_ms);

struct store_node {
	char		 name[64];
	char		 state[8];	/* alive dead left */
	uint64_t	 incarnation;	/* random, per start */
	int64_t		 started_ms;
	int64_t		 heartbeat_ms;	/* the database's clock */
	int64_t		 age_ms;	/* the database's now - heartbeat_ms */
	int64_t		 fired;		/* occurrences claimed, as last beaten */
	int		 running;	/* subtasks running, as last beaten */
};
/*
 * Take node_name for this incarnation (state alive, heartbeat now).  1: a
 * node of that name is alive (state alive, heartbeat within dead_after_s)
 * under another incarnation: nothing changed.
 */
int	 store_node_join(struct store *, const char *name, uint64_t incarnation,
	    int dead_after_s);
/*
 * The heartbeat: heartbeat = now, fired and running as given.  1: the row
 * is no longer this incarnation's (declared dead, or taken), nothing
 * changed.  *db_now_ms the database's clock.
 */
int	 store_node_beat(struct store *, const char *name, uint64_t incarnation,
	    int64_t fired, int running, int64_t *db_now_ms);
/* A clean stop: state left. */
int	 store_node_leave(struct store *, const char *name, uint64_t incarnation);
/* Every node, by name; free(*out). */
int	 store_nodes(struct store *, struct store_node **out, size_t *n);
/*
 * Declare dead a node alive by its state whose heartbeat is older than
 * dead_after_s, and, in the same transaction, close its RUNNING
 * executions' RUNNING and WAITING subtasks as FAIL with reason (as
 * store_close_running does for one node).  Row-locked (SKIP LOCKED): of
 * survivors racing, one does it; the others get 1 (not dead, or taken
 * care of), as does a node not found.  *closed: executions closed.
 */
int	 store_node_take_over(struct store *, const char *name, int dead_after_s,
	    const char *reason, int64_t now_ms, int *closed);
/*
 * Tell the other nodes that something changed (LISTEN/NOTIFY channel
 * "sked"): sent when the current transaction commits, at once outside
 * one.  payload is at most 7999 bytes.  SQLite: does nothing, 0.
 */
int	 store_notify(struct store *, const char *payload);
/*
 * LISTEN on channel "sked": *fd is the connection's socket, to watch for
 * reading (-1 for SQLite, which has no other writer).  After it is
 * readable, and after any other call, store_notifications calls cb once
 * per notification another connection sent, and returns how many.
 */
typedef void (*store_notify_cb)(void *arg, const char *payload);
int	 store_listen(struct store *, int *fd);
int	 store_notifications(struct store *, store_notify_cb, void *arg);
/*
 * The connection is lost (PostgreSQL: the server went away; every call
 * fails at once until store_reconnect succeeds).  store_reconnect opens
 * it again, prepares what the store prepares and LISTENs again if it
 * did; the socket (store_listen's *fd) may have changed.
 */
bool	 store_lost(const struct store *);
int	 store_reconnect(struct store *);

/*
 * Close the RUNNING executions of one node only (cluster: at its restart,
 * the others' are theirs); node NULL: every one (store_close_running).
 * A task's last_status RUNNING becomes FAIL only where the execution
 * closed is the task's newest (another node may have fired it since).
 */
int	 store_close_running_node(struct store *, const char *node,
	    const char *reason, int64_t now_ms, int *closed);

/*
 * Issue 4 (API task routes).  The project of a stored task, deleted or
 * not; 1 when no row has that id (never stored, or pruned away).
 */
int	 store_task_project(struct store *, const char *id, char *project,
	    size_t len);

#endif
