/*
 * The SQLite store of the daemon.  One connection, every statement prepared
 * once at open and kept; the schema is migrated forward at open, one step
 * per version, inside one transaction.
 *
 * Schema decisions (version 1):
 * - Enumerations (scheduled_type, misfire_policy, overlap_policy) are kept
 *   as their upper-case names, so that the file reads well in sqlite3(1) and
 *   does not depend on the order of the C enumerations.
 * - Optional parts of a task are NULL when absent: scheduled_date (three
 *   columns) unless has_date, scheduled_time unless has_time, expire_ms
 *   unless has_expire, once_ms unless has_once, and every NULL string.
 * - A target with n ids is n rows of targets with the same target_type; a
 *   target without ids is one row whose target_id is NULL.  On load,
 *   consecutive rows of one type rebuild one target, so two adjacent
 *   targets of the same type come back as one (the same subtasks).
 * - executions.seq is max + 1 at insertion: "newest first" is seq DESC.
 * - Integers of executions and subtasks are stored as given (0 for a time
 *   not yet reached, -1 for no exit code); NULL strings stay NULL.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store.h"
#include "task.h"

#define BUSY_TIMEOUT_MS	5000

/*
 * The migrations: migrations[v] takes a database from version v to v + 1.
 * A step is never changed once released; a new version appends one.
 */
static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE tasks ("
	" seq INTEGER PRIMARY KEY,"
	" id TEXT NOT NULL UNIQUE,"
	" task_name TEXT,"
	" project_id TEXT,"
	" task_type TEXT,"
	" description TEXT,"
	" scheduled_type TEXT NOT NULL,"
	" date_year INTEGER, date_mon INTEGER, date_day INTEGER,"
	" time_hour INTEGER, time_min INTEGER, time_sec INTEGER,"
	" day_interval INTEGER NOT NULL DEFAULT 1,"
	" week_mask INTEGER NOT NULL DEFAULT 0,"
	" month_mask INTEGER NOT NULL DEFAULT 0,"
	" date_mask INTEGER NOT NULL DEFAULT 0,"
	" date_last INTEGER NOT NULL DEFAULT 0,"
	" week_list TEXT, month_list TEXT, date_list TEXT,"
	" task_cron TEXT,"
	" time_zone TEXT,"
	" expire_ms INTEGER,"
	" once_ms INTEGER,"
	" is_enable INTEGER NOT NULL DEFAULT 1,"
	" enforcement_enable INTEGER NOT NULL DEFAULT 0,"
	" life_cycle_type TEXT,"
	" priority INTEGER NOT NULL DEFAULT 0,"
	" wait_time INTEGER NOT NULL DEFAULT 0,"
	" input_param TEXT,"
	" risk_level TEXT,"
	" enable_approve INTEGER NOT NULL DEFAULT 0,"
	" enable_message_notification INTEGER NOT NULL DEFAULT 0,"
	" message_notification TEXT,"
	" misfire_policy TEXT NOT NULL DEFAULT 'DO_NOTHING',"
	" overlap_policy TEXT NOT NULL DEFAULT 'SKIP',"
	" history_keep INTEGER NOT NULL DEFAULT 0,"
	" source TEXT,"
	" source_line INTEGER NOT NULL DEFAULT 0,"
	" source_column INTEGER NOT NULL DEFAULT 0,"
	" create_ms INTEGER NOT NULL DEFAULT 0,"
	" update_ms INTEGER NOT NULL DEFAULT 0,"
	" last_fire INTEGER NOT NULL DEFAULT 0,"
	" last_status TEXT NOT NULL DEFAULT 'WAITING',"
	" deleted_ms INTEGER);"
	"CREATE INDEX tasks_name ON tasks (project_id, task_name);"
	/* clustered in load order: the load walks it without a sort */
	"CREATE TABLE targets ("
	" task_seq INTEGER NOT NULL REFERENCES tasks (seq) ON DELETE CASCADE,"
	" position INTEGER NOT NULL,"
	" target_type TEXT,"
	" target_id TEXT,"
	" PRIMARY KEY (task_seq, position)) WITHOUT ROWID;"
	/* no ON DELETE: a task row goes only when no execution refers to it */
	"CREATE TABLE executions ("
	" id TEXT PRIMARY KEY,"
	" task_id TEXT NOT NULL REFERENCES tasks (id),"
	" task_type TEXT,"
	" scheduled_type TEXT,"
	" time_zone TEXT,"
	" status TEXT NOT NULL,"
	" reason TEXT,"
	" total_count INTEGER NOT NULL DEFAULT 0,"
	" success_count INTEGER NOT NULL DEFAULT 0,"
	" failed_count INTEGER NOT NULL DEFAULT 0,"
	" excuting_count INTEGER NOT NULL DEFAULT 0,"
	" skipped_count INTEGER NOT NULL DEFAULT 0,"
	" scheduled_at INTEGER NOT NULL DEFAULT 0,"
	" begin_ms INTEGER NOT NULL DEFAULT 0,"
	" end_ms INTEGER NOT NULL DEFAULT 0,"
	" create_ms INTEGER NOT NULL DEFAULT 0,"
	" seq INTEGER NOT NULL UNIQUE);"
	"CREATE INDEX executions_task ON executions (task_id, seq);"
	/* start-up closes what is RUNNING without scanning all history */
	"CREATE INDEX executions_running ON executions (status)"
	" WHERE status = 'RUNNING';"
	"CREATE TABLE subtasks ("
	" execution_id TEXT NOT NULL REFERENCES executions (id)"
	" ON DELETE CASCADE,"
	" position INTEGER NOT NULL,"
	" target_type TEXT,"
	" target_id TEXT,"
	" status TEXT NOT NULL,"
	" exit_code INTEGER NOT NULL DEFAULT -1,"
	" reason TEXT,"
	" output_tail TEXT,"
	" begin_ms INTEGER NOT NULL DEFAULT 0,"
	" end_ms INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (execution_id, position)) WITHOUT ROWID;"
	"CREATE TABLE planned ("
	" task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,"
	" instance_id TEXT NOT NULL,"
	" planned_at INTEGER NOT NULL,"
	" execute_at INTEGER,"
	" status TEXT NOT NULL DEFAULT 'WAITING'"
	" CHECK (status IN ('WAITING', 'CANCELLED')),"
	" PRIMARY KEY (task_id, instance_id, planned_at)) WITHOUT ROWID;",
	/*
	 * 1 -> 2: approval (seed 004).  Not columns of tcols: a task put (a
	 * changed task file, a PATCH) leaves the decision alone.
	 */
	"ALTER TABLE tasks ADD COLUMN approve_status TEXT"
	" CHECK (approve_status IN ('PENDING', 'PASSED', 'REJECTED'));"
	"ALTER TABLE tasks ADD COLUMN approve_comments TEXT;",
	/*
	 * 2 -> 3: the digest of the definition (task_digest), so that the
	 * daemon can load its tasks without their targets and still tell
	 * a changed task file.  NULL on old rows: unknown, read in full.
	 */
	"ALTER TABLE tasks ADD COLUMN digest INTEGER;",
	/*
	 * 3 -> 4: the fingerprints of the task files the tasks were last
	 * taken from: an unchanged file is not read again at start.
	 */
	"CREATE TABLE task_files ("
	" path TEXT PRIMARY KEY,"
	" dev INTEGER NOT NULL, ino INTEGER NOT NULL, size INTEGER NOT NULL,"
	" mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL)"
	" WITHOUT ROWID;",
};

#define SCHEMA_VERSION	((int)(sizeof migrations / sizeof migrations[0]))

/*
 * The columns of tasks that store_task_put writes and store_tasks_load
 * reads, in one order: column C is parameter C + 1 of the insert and
 * result column C + 1 of the load (result column 0 is seq).
 */
enum tcol {
	C_ID, C_TASK_NAME, C_PROJECT_ID, C_TASK_TYPE, C_DESCRIPTION,
	C_SCHEDULED_TYPE, C_DATE_YEAR, C_DATE_MON, C_DATE_DAY, C_TIME_HOUR,
	C_TIME_MIN, C_TIME_SEC, C_DAY_INTERVAL, C_WEEK_MASK, C_MONTH_MASK,
	C_DATE_MASK, C_DATE_LAST, C_WEEK_LIST, C_MONTH_LIST, C_DATE_LIST,
	C_TASK_CRON, C_TIME_ZONE, C_EXPIRE_MS, C_ONCE_MS, C_IS_ENABLE,
	C_ENFORCEMENT_ENABLE, C_LIFE_CYCLE_TYPE, C_PRIORITY, C_WAIT_TIME,
	C_INPUT_PARAM, C_RISK_LEVEL, C_ENABLE_APPROVE,
	C_ENABLE_MESSAGE_NOTIFICATION, C_MESSAGE_NOTIFICATION,
	C_MISFIRE_POLICY, C_OVERLAP_POLICY, C_HISTORY_KEEP, C_SOURCE,
	C_SOURCE_LINE, C_SOURCE_COLUMN, C_CREATE_MS, C_UPDATE_MS,
	C_LAST_FIRE, C_LAST_STATUS, C_DIGEST,
	NTCOLS
};

static const char *const tcols[NTCOLS] = {
	[C_ID] = "id",
	[C_TASK_NAME] = "task_name",
	[C_PROJECT_ID] = "project_id",
	[C_TASK_TYPE] = "task_type",
	[C_DESCRIPTION] = "description",
	[C_SCHEDULED_TYPE] = "scheduled_type",
	[C_DATE_YEAR] = "date_year",
	[C_DATE_MON] = "date_mon",
	[C_DATE_DAY] = "date_day",
	[C_TIME_HOUR] = "time_hour",
	[C_TIME_MIN] = "time_min",
	[C_TIME_SEC] = "time_sec",
	[C_DAY_INTERVAL] = "day_interval",
	[C_WEEK_MASK] = "week_mask",
	[C_MONTH_MASK] = "month_mask",
	[C_DATE_MASK] = "date_mask",
	[C_DATE_LAST] = "date_last",
	[C_WEEK_LIST] = "week_list",
	[C_MONTH_LIST] = "month_list",
	[C_DATE_LIST] = "date_list",
	[C_TASK_CRON] = "task_cron",
	[C_TIME_ZONE] = "time_zone",
	[C_EXPIRE_MS] = "expire_ms",
	[C_ONCE_MS] = "once_ms",
	[C_IS_ENABLE] = "is_enable",
	[C_ENFORCEMENT_ENABLE] = "enforcement_enable",
	[C_LIFE_CYCLE_TYPE] = "life_cycle_type",
	[C_PRIORITY] = "priority",
	[C_WAIT_TIME] = "wait_time",
	[C_INPUT_PARAM] = "input_param",
	[C_RISK_LEVEL] = "risk_level",
	[C_ENABLE_APPROVE] = "enable_approve",
	[C_ENABLE_MESSAGE_NOTIFICATION] = "enable_message_notification",
	[C_MESSAGE_NOTIFICATION] = "message_notification",
	[C_MISFIRE_POLICY] = "misfire_policy",
	[C_OVERLAP_POLICY] = "overlap_policy",
	[C_HISTORY_KEEP] = "history_keep",
	[C_SOURCE] = "source",
	[C_SOURCE_LINE] = "source_line",
	[C_SOURCE_COLUMN] = "source_column",
	[C_CREATE_MS] = "create_ms",
	[C_UPDATE_MS] = "update_ms",
	[C_LAST_FIRE] = "last_fire",
	[C_LAST_STATUS] = "last_status",
	[C_DIGEST] = "digest",
};

/* The columns of a task view (store_tasks_scan), in their order. */
#define VIEW_COLS \
	"id, task_name, project_id, task_type, scheduled_type, date_year, " \
	"date_mon, date_day, time_hour, time_min, time_sec, day_interval, " \
	"week_mask, month_mask, date_mask, date_last, task_cron, time_zone, " \
	"expire_ms, once_ms, is_enable, life_cycle_type, enable_approve, " \
	"misfire_policy, overlap_policy, source, create_ms, last_fire, " \
	"last_status, approve_status, digest"
#define NVIEW_COLS	31

/* The columns of executions, in the order every SELECT of them uses. */
#define EXEC_COLS \
	"id, task_id, task_type, scheduled_type, time_zone, status, reason, " \
	"total_count, success_count, failed_count, excuting_count, " \
	"skipped_count, scheduled_at, begin_ms, end_ms, create_ms"
#define SUB_COLS \
	"target_type, target_id, status, exit_code, reason, output_tail, " \
	"begin_ms, end_ms"

enum stmt_id {
	S_BEGIN, S_COMMIT, S_ROLLBACK, S_SAVEPOINT, S_RELEASE, S_ROLLBACK_TO,
	S_VERSION,
	S_TASK_PUT, S_TASKS_LOAD, S_TASK_GET,	/* built from tcols at open */
	S_TARGETS_OF, S_TASK_COUNT, S_TASKS_SCAN,
	S_FILE_GET, S_FILES_CLEAR, S_FILE_PUT, S_TASK_ITEM,
	S_TASK_SEQ, S_TARGETS_CLEAR, S_TARGET_ADD, S_TARGETS_LOAD,
	S_TASK_DELETE, S_TASK_STATUS,
	S_EXEC_INSERT, S_EXEC_UPDATE, S_EXEC_GET, S_EXEC_COUNT, S_EXEC_PAGE,
	S_SUB_INSERT, S_SUB_UPDATE, S_SUBS_GET,
	S_CLOSE_COUNTS, S_CLOSE_SUBS, S_CLOSE_TASKS, S_CLOSE_EXECS,
	S_PRUNE,
	S_TASK_APPROVE, S_PLANNED_PUT, S_PLANNED_DELETE, S_PLANNED_LOAD,
	NSTMTS
};

static const char *const stmt_sql[NSTMTS] = {
	/* IMMEDIATE: take the write lock now, not at the first write, where
	   a busy database could no longer be waited for */
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_SAVEPOINT] = "SAVEPOINT store",
	[S_RELEASE] = "RELEASE store",
	[S_ROLLBACK_TO] = "ROLLBACK TO store",
	[S_VERSION] = "PRAGMA user_version",
	[S_TASK_SEQ] = "SELECT seq FROM tasks WHERE id = ?1",
	[S_TARGETS_CLEAR] = "DELETE FROM targets WHERE task_seq = ?1",
	[S_TARGET_ADD] = "INSERT INTO targets (task_seq, position, "
	    "target_type, target_id) VALUES (?1, ?2, ?3, ?4)",
	[S_TARGETS_LOAD] = "SELECT task_seq, target_type, target_id "
	    "FROM targets ORDER BY task_seq, position",
	/* the last seq: an upper bound, read from the end of the table's
	   b-tree, where count(*) would scan ten million rows */
	[S_TASK_COUNT] = "SELECT ifnull(max(seq), 0) FROM tasks",
	[S_FILE_GET] = "SELECT dev, ino, size, mtime_ns, ctime_ns "
	    "FROM task_files WHERE path = ?1",
	[S_FILES_CLEAR] = "DELETE FROM task_files",
	[S_FILE_PUT] = "INSERT INTO task_files (path, dev, ino, size, "
	    "mtime_ns, ctime_ns) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	/* what the daemon keeps of every task, and what compiles it */
	[S_TASKS_SCAN] = "SELECT " VIEW_COLS " FROM tasks "
	    "WHERE deleted_ms IS NULL ORDER BY seq",
	/* what a list item shows besides: no targets, no input_param */
	[S_TASK_ITEM] = "SELECT " VIEW_COLS ", description, priority, "
	    "wait_time FROM tasks WHERE id = ?1",
	[S_TARGETS_OF] = "SELECT task_seq, target_type, target_id "
	    "FROM targets WHERE task_seq = ?1 ORDER BY position",
	[S_TASK_DELETE] = "UPDATE tasks SET deleted_ms = ?2 "
	    "WHERE id = ?1 AND deleted_ms IS NULL",
	[S_TASK_STATUS] = "UPDATE tasks SET last_status = ?2, last_fire = ?3 "
	    "WHERE id = ?1",
	[S_EXEC_INSERT] = "INSERT INTO executions (" EXEC_COLS ", seq) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
	    "?14, ?15, ?16, (SELECT ifnull(max(seq), 0) + 1 FROM executions))",
	[S_EXEC_UPDATE] = "UPDATE executions SET status = ?2, reason = ?3, "
	    "total_count = ?4, success_count = ?5, failed_count = ?6, "
	    "excuting_count = ?7, skipped_count = ?8, begin_ms = ?9, "
	    "end_ms = ?10 WHERE id = ?1",
	[S_EXEC_GET] = "SELECT " EXEC_COLS " FROM executions WHERE id = ?1",
	[S_EXEC_COUNT] = "SELECT count(*) FROM executions WHERE task_id = ?1",
	[S_EXEC_PAGE] = "SELECT " EXEC_COLS " FROM executions "
	    "WHERE task_id = ?1 ORDER BY seq DESC LIMIT ?2 OFFSET ?3",
	[S_SUB_INSERT] = "INSERT INTO subtasks (execution_id, position, "
	    SUB_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[S_SUB_UPDATE] = "UPDATE subtasks SET status = ?3, exit_code = ?4, "
	    "reason = ?5, output_tail = ?6, begin_ms = ?7, end_ms = ?8 "
	    "WHERE execution_id = ?1 AND position = ?2",
	[S_SUBS_GET] = "SELECT " SUB_COLS " FROM subtasks "
	    "WHERE execution_id = ?1 ORDER BY position",
	/* close_running: counts first, while the subtasks still say what
	   they were; then the subtasks, the tasks, and the executions */
	[S_CLOSE_COUNTS] = "UPDATE executions SET excuting_count = 0, "
	    "failed_count = failed_count + (SELECT count(*) FROM subtasks "
	    "WHERE execution_id = executions.id AND status IN ('RUNNING', "
	    "'WAITING')) WHERE status = 'RUNNING'",
	[S_CLOSE_SUBS] = "UPDATE subtasks SET status = 'FAIL', reason = ?1, "
	    "end_ms = ?2 WHERE status IN ('RUNNING', 'WAITING') AND "
	    "execution_id IN (SELECT id FROM executions "
	    "WHERE status = 'RUNNING')",
	[S_CLOSE_TASKS] = "UPDATE tasks SET last_status = 'FAIL' "
	    "WHERE last_status = 'RUNNING' AND id IN (SELECT task_id "
	    "FROM executions WHERE status = 'RUNNING')",
	[S_CLOSE_EXECS] = "UPDATE executions SET status = 'FAIL', "
	    "reason = ?1, end_ms = ?2 WHERE status = 'RUNNING'",
	/* the oldest batch of those at or below the (keep + 1)th newest */
	[S_PRUNE] = "DELETE FROM executions WHERE id IN (SELECT id "
	    "FROM executions WHERE task_id = ?1 AND seq <= (SELECT seq "
	    "FROM executions WHERE task_id = ?1 ORDER BY seq DESC "
	    "LIMIT 1 OFFSET ?2) ORDER BY seq LIMIT ?3)",
	[S_TASK_APPROVE] = "UPDATE tasks SET approve_status = ?2, "
	    "approve_comments = ?3 WHERE id = ?1 AND deleted_ms IS NULL",
	[S_PLANNED_PUT] = "INSERT INTO planned (task_id, instance_id, "
	    "planned_at, execute_at, status) VALUES (?1, ?2, ?3, ?4, ?5) "
	    "ON CONFLICT (task_id, instance_id, planned_at) DO UPDATE SET "
	    "execute_at = excluded.execute_at, status = excluded.status",
	[S_PLANNED_DELETE] = "DELETE FROM planned WHERE task_id = ?1 AND "
	    "instance_id = ?2 AND planned_at = ?3",
	[S_PLANNED_LOAD] = "SELECT task_id, instance_id, planned_at, "
	    "execute_at, status FROM planned ORDER BY planned_at, task_id, "
	    "instance_id",
};

struct store {
	sqlite3		*db;
	char		*path;
	int		 depth;		/* open transactions and savepoints */
	bool		 lost;		/* SQLite rolled them all back */
	sqlite3_stmt	*st[NSTMTS];
	char		 err[512];
};

/* Why the last store_open failed: there is no store to hold it. */
static char	open_err[512] = "no store";

/* The names stored for the enumerations, indexed by their values. */
#define NSCHED		TASK_SCHED_TYPES
#define NMISFIRE	TASK_MISFIRES
#define NOVERLAP	TASK_OVERLAPS

static void	seterr(struct store *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
seterr(struct store *s, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof s->err, fmt, ap);
	va_end(ap);
}

/* Record SQLite's reason now: a later rollback would replace it. */
static int
fail(struct store *s, const char *what)
{
	seterr(s, "%s: %s", what, sqlite3_errmsg(s->db));
	return (-1);
}

static void
done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Run a statement that returns no row; what names it in the error. */
static int
run(struct store *s, enum stmt_id id, const char *what)
{
	sqlite3_stmt	*st = s->st[id];
	int		 rc;

	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && what != NULL)
		fail(s, what);
	done(st);
	return (rc == SQLITE_DONE ? 0 : -1);
}

static void
bind_str(sqlite3_stmt *st, int i, const char *v)
{
	/* the caller's string outlives the step, so no copy */
	if (v == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

static void
bind_int(sqlite3_stmt *st, int i, int64_t v)
{
	sqlite3_bind_int64(st, i, v);
}

static void
bind_opt(sqlite3_stmt *st, int i, bool has, int64_t v)
{
	if (has)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

static char *
col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char	*p;
	char			*s;
	int			 len;

	if ((p = sqlite3_column_text(st, i)) == NULL)
		return (NULL);
	len = sqlite3_column_bytes(st, i);
	if ((s = malloc((size_t)len + 1)) == NULL)
		abort();
	memcpy(s, p, (size_t)len + 1);
	return (s);
}

/* A status word into its fixed buffer, cut to fit. */
static void
col_word(sqlite3_stmt *st, int i, char *buf, size_t size)
{
	const unsigned char	*p = sqlite3_column_text(st, i);
	size_t			 len;

	len = p != NULL ? (size_t)sqlite3_column_bytes(st, i) : 0;
	if (len >= size)
		len = size - 1;
	if (len > 0)
		memcpy(buf, p, len);
	buf[len] = '\0';
}

/*
 * Transactions nest: the outermost level is BEGIN ... COMMIT, inner ones
 * are savepoints, so that an operation is atomic on its own and inside a
 * caller's store_begin alike.
 */
static int
tx_begin(struct store *s)
{
	if (s->depth == 0)
		s->lost = false;
	if (run(s, s->depth == 0 ? S_BEGIN : S_SAVEPOINT, "begin") != 0)
		return (-1);
	s->depth++;
	return (0);
}

static int
tx_end(struct store *s, int ok)
{
	s->depth--;
	/*
	 * Some errors (disk full, I/O) roll the whole transaction back by
	 * themselves: then there is nothing left to end at any level.
	 */
	if (sqlite3_get_autocommit(s->db)) {
		s->lost = s->depth > 0;
		s->depth = 0;
		if (ok)
			seterr(s, "the transaction was rolled back after an "
			    "earlier error");
		return (-1);
	}
	if (s->depth > 0) {
		if (ok)
			return (run(s, S_RELEASE, "release"));
		(void)run(s, S_ROLLBACK_TO, NULL);
		(void)run(s, S_RELEASE, NULL);
		return (-1);
	}
	if (ok && run(s, S_COMMIT, "commit") == 0)
		return (0);
	(void)run(s, S_ROLLBACK, NULL);
	return (-1);
}

static int
read_version(sqlite3_stmt *st, int *version)
{
	int	rc;

	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*version = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return (rc == SQLITE_ROW ? 0 : -1);
}

static int
exec_sql(struct store *s, const char *sql, const char *what)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		seterr(s, "database %s: %s: %s", s->path, what,
		    sqlite3_errmsg(s->db));
		return (-1);
	}
	return (0);
}

/* Bring the schema to SCHEMA_VERSION, or refuse one newer than it. */
static int
migrate(struct store *s)
{
	sqlite3_stmt	*st;
	char		 sql[64];
	int		 v, rc = -1;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK) {
		seterr(s, "database %s: %s", s->path, sqlite3_errmsg(s->db));
		return (-1);
	}
	if (read_version(st, &v) != 0) {
		seterr(s, "database %s: %s", s->path, sqlite3_errmsg(s->db));
		goto out;
	}
	if (v > SCHEMA_VERSION) {
		seterr(s, "database %s: schema version %d is newer than this "
		    "sked knows (%d); use a newer sked or another database",
		    s->path, v, SCHEMA_VERSION);
		goto out;
	}
	if (v == SCHEMA_VERSION) {
		rc = 0;
		goto out;
	}
	if (exec_sql(s, "BEGIN IMMEDIATE", "migrating") != 0)
		goto out;
	/* another process may have migrated while we waited for the lock */
	if (read_version(st, &v) != 0) {
		seterr(s, "database %s: %s", s->path, sqlite3_errmsg(s->db));
		goto rollback;
	}
	for (; v < SCHEMA_VERSION; v++) {
		snprintf(sql, sizeof sql, "migrating to schema version %d",
		    v + 1);
		if (exec_sql(s, migrations[v], sql) != 0)
			goto rollback;
	}
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", SCHEMA_VERSION);
	if (exec_sql(s, sql, "setting the schema version") != 0 ||
	    exec_sql(s, "COMMIT", "migrating") != 0)
		goto rollback;
	rc = 0;
	goto out;
rollback:
	(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
out:
	sqlite3_finalize(st);
	return (rc);
}

/* The task statements, written from the column table. */
static char *
task_sql(enum stmt_id id)
{
	sqlite3_str	*q = sqlite3_str_new(NULL);
	int		 i;

	if (id == S_TASKS_LOAD || id == S_TASK_GET) {
		sqlite3_str_appendall(q, "SELECT seq");
		for (i = 0; i < NTCOLS; i++)
			sqlite3_str_appendf(q, ", %s", tcols[i]);
		/* after tcols: NTCOLS + 1 and NTCOLS + 2 */
		sqlite3_str_appendall(q, ", approve_status, approve_comments");
		/* a deleted task's row too: its executions may still run */
		sqlite3_str_appendall(q, id == S_TASK_GET ? " FROM tasks WHERE "
		    "id = ?1" : " FROM tasks WHERE deleted_ms IS NULL ORDER BY "
		    "seq");
		return (sqlite3_str_finish(q));
	}
	/*
	 * An upsert, not INSERT OR REPLACE: the row (and its seq, which the
	 * targets and executions refer to) stays, and a deleted task comes
	 * back to life.  No RETURNING: it costs a temporary table per row,
	 * and a new row's seq is sqlite3_last_insert_rowid() anyway.
	 */
	sqlite3_str_appendall(q, "INSERT INTO tasks (");
	for (i = 0; i < NTCOLS; i++)
		sqlite3_str_appendf(q, "%s%s", i ? ", " : "", tcols[i]);
	sqlite3_str_appendall(q, ") VALUES (");
	for (i = 0; i < NTCOLS; i++)
		sqlite3_str_appendf(q, "%s?%d", i ? ", " : "", i + 1);
	sqlite3_str_appendall(q, ") ON CONFLICT (id) DO UPDATE SET ");
	for (i = 1; i < NTCOLS; i++)
		sqlite3_str_appendf(q, "%s = excluded.%s, ", tcols[i],
		    tcols[i]);
	sqlite3_str_appendall(q, "deleted_ms = NULL");
	return (sqlite3_str_finish(q));
}

static int
prepare(struct store *s)
{
	char	*built;
	int	 i, rc;

	for (i = 0; i < NSTMTS; i++) {
		built = NULL;
		if ((i == S_TASK_PUT || i == S_TASKS_LOAD ||
		    i == S_TASK_GET) &&
		    (built = task_sql((enum stmt_id)i)) == NULL)
			abort();
		rc = sqlite3_prepare_v3(s->db, built != NULL ? built :
		    stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i],
		    NULL);
		sqlite3_free(built);
		if (rc != SQLITE_OK) {
			seterr(s, "database %s: preparing statement %d: %s",
			    s->path, i, sqlite3_errmsg(s->db));
			return (-1);
		}
	}
	return (0);
}

static int
pragma_wal(struct store *s)
{
	sqlite3_stmt		*st;
	const unsigned char	*mode;
	int			 rc = -1;

	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st,
	    NULL) != SQLITE_OK) {
		seterr(s, "database %s: %s", s->path, sqlite3_errmsg(s->db));
		return (-1);
	}
	if (sqlite3_step(st) != SQLITE_ROW)
		seterr(s, "database %s: %s", s->path, sqlite3_errmsg(s->db));
	else if ((mode = sqlite3_column_text(st, 0)) == NULL ||
	    (strcmp((const char *)mode, "wal") != 0 &&
	    strcmp((const char *)mode, "memory") != 0))
		seterr(s, "database %s: cannot use WAL (journal mode %s)",
		    s->path, mode != NULL ? (const char *)mode : "unknown");
	else
		rc = 0;
	sqlite3_finalize(st);
	return (rc);
}

int
store_open(const char *path, struct store **out)
{
	struct store	*s;
	int		 rc, serr;

	*out = NULL;
	if ((s = calloc(1, sizeof *s)) == NULL || (s->path = strdup(path)) ==
	    NULL) {
		free(s);
		snprintf(open_err, sizeof open_err, "database %s: %s", path,
		    strerror(ENOMEM));
		return (-1);
	}
	/* NOMUTEX: one thread at a time, so the locks would only cost */
	rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		serr = s->db != NULL ? sqlite3_system_errno(s->db) : 0;
		seterr(s, "database %s: %s%s%s%s", path, s->db != NULL ?
		    sqlite3_errmsg(s->db) : sqlite3_errstr(rc),
		    serr ? " (" : "", serr ? strerror(serr) : "",
		    serr ? ")" : "");
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	/* foreign_keys is per connection and off by default */
	/*
	 * temp_store: statement journals and savepoints copy the pages they
	 * touch, to files otherwise (a third of the time of a bulk put).
	 */
	if (exec_sql(s, "PRAGMA foreign_keys = ON", "foreign keys") != 0 ||
	    pragma_wal(s) != 0 ||
	    exec_sql(s, "PRAGMA synchronous = NORMAL", "synchronous") != 0 ||
	    exec_sql(s, "PRAGMA temp_store = MEMORY", "temp_store") != 0 ||
	    migrate(s) != 0 || prepare(s) != 0)
		goto fail;
	*out = s;
	return (0);
fail:
	snprintf(open_err, sizeof open_err, "%s", s->err);
	store_close(s);
	return (-1);
}

void
store_close(struct store *s)
{
	int	i;

	if (s == NULL)
		return;
	for (i = 0; i < NSTMTS; i++)
		sqlite3_finalize(s->st[i]);
	/* an open transaction is rolled back */
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

const char *
store_error(const struct store *s)
{
	return (s != NULL ? s->err : open_err);
}

int
store_schema_version(struct store *s)
{
	int	v;

	if (read_version(s->st[S_VERSION], &v) != 0)
		return (fail(s, "schema version"));
	return (v);
}

int
store_begin(struct store *s)
{
	return (tx_begin(s));
}

int
store_commit(struct store *s)
{
	if (s->depth == 0) {
		seterr(s, s->lost ? "commit: the transaction was rolled back "
		    "after an earlier error" : "commit: no transaction");
		s->lost = false;
		return (-1);
	}
	return (tx_end(s, 1));
}

int
store_rollback(struct store *s)
{
	if (s->depth == 0) {
		if (s->lost) {
			s->lost = false;
			return (0);
		}
		seterr(s, "rollback: no transaction");
		return (-1);
	}
	(void)tx_end(s, 0);
	/* the transaction is gone either way */
	return (0);
}

/* Tasks */

static int
name_index(const char *const *names, int n, const unsigned char *v)
{
	int	i;

	if (v != NULL)
		for (i = 0; i < n; i++)
			if (strcmp(names[i], (const char *)v) == 0)
				return (i);
	return (-1);
}

static int
put_targets(struct store *s, int64_t seq, const struct task *t, int fresh)
{
	sqlite3_stmt		*st = s->st[S_TARGET_ADD];
	const struct task_target *tg;
	size_t			 i, j;
	int64_t			 pos = 0;

	if (!fresh) {
		sqlite3_bind_int64(s->st[S_TARGETS_CLEAR], 1, seq);
		if (run(s, S_TARGETS_CLEAR, "task put: targets") != 0)
			return (-1);
	}
	for (i = 0; i < t->ntargets; i++) {
		tg = &t->targets[i];
		/* a target without ids is kept as one row without an id */
		for (j = 0; j == 0 || j < tg->ntarget_ids; j++) {
			bind_int(st, 1, seq);
			bind_int(st, 2, pos++);
			bind_str(st, 3, tg->target_type);
			bind_str(st, 4, tg->ntarget_ids ? tg->target_ids[j] :
			    NULL);
			if (run(s, S_TARGET_ADD, "task put: targets") != 0)
				return (-1);
		}
	}
	return (0);
}

int
store_task_put(struct store *s, const struct task *t,
    const struct store_task_meta *meta)
{
	static const struct store_task_meta none = { .last_status = "WAITING" };
	sqlite3_stmt	*st = s->st[S_TASK_PUT];
	int64_t		 seq;
	int		 rc;

	if (t->id == NULL) {
		seterr(s, "task put: the task has no id");
		return (-1);
	}
	/* the names are indexed by these */
	if ((int)t->scheduled_type < 0 || (int)t->scheduled_type >= NSCHED ||
	    (int)t->misfire_policy < 0 || (int)t->misfire_policy >= NMISFIRE ||
	    (int)t->overlap_policy < 0 || (int)t->overlap_policy >= NOVERLAP) {
		seterr(s, "task put: %s: an enumeration is out of range",
		    t->id);
		return (-1);
	}
	if (meta == NULL)
		meta = &none;
	if (tx_begin(s) != 0)
		return (-1);
	bind_str(st, C_ID + 1, t->id);
	bind_str(st, C_TASK_NAME + 1, t->task_name);
	bind_str(st, C_PROJECT_ID + 1, t->project_id);
	bind_str(st, C_TASK_TYPE + 1, t->task_type);
	bind_str(st, C_DESCRIPTION + 1, t->description);
	bind_str(st, C_SCHEDULED_TYPE + 1,
	    task_sched_type_names[t->scheduled_type]);
	bind_opt(st, C_DATE_YEAR + 1, t->has_date, t->year);
	bind_opt(st, C_DATE_MON + 1, t->has_date, t->mon);
	bind_opt(st, C_DATE_DAY + 1, t->has_date, t->day);
	bind_opt(st, C_TIME_HOUR + 1, t->has_time, t->hour);
	bind_opt(st, C_TIME_MIN + 1, t->has_time, t->min);
	bind_opt(st, C_TIME_SEC + 1, t->has_time, t->sec);
	bind_int(st, C_DAY_INTERVAL + 1, t->day_interval);
	bind_int(st, C_WEEK_MASK + 1, t->week_mask);
	bind_int(st, C_MONTH_MASK + 1, t->month_mask);
	bind_int(st, C_DATE_MASK + 1, t->date_mask);
	bind_int(st, C_DATE_LAST + 1, t->date_last);
	bind_str(st, C_WEEK_LIST + 1, t->week_list);
	bind_str(st, C_MONTH_LIST + 1, t->month_list);
	bind_str(st, C_DATE_LIST + 1, t->date_list);
	bind_str(st, C_TASK_CRON + 1, t->task_cron);
	bind_str(st, C_TIME_ZONE + 1, t->time_zone);
	bind_opt(st, C_EXPIRE_MS + 1, t->has_expire, t->expire_ms);
	bind_opt(st, C_ONCE_MS + 1, t->has_once, t->once_ms);
	bind_int(st, C_IS_ENABLE + 1, t->is_enable);
	bind_int(st, C_ENFORCEMENT_ENABLE + 1, t->enforcement_enable);
	bind_str(st, C_LIFE_CYCLE_TYPE + 1, t->life_cycle_type);
	bind_int(st, C_PRIORITY + 1, t->priority);
	bind_int(st, C_WAIT_TIME + 1, t->wait_time);
	bind_str(st, C_INPUT_PARAM + 1, t->input_param);
	bind_str(st, C_RISK_LEVEL + 1, t->risk_level);
	bind_int(st, C_ENABLE_APPROVE + 1, t->enable_approve);
	bind_int(st, C_ENABLE_MESSAGE_NOTIFICATION + 1,
	    t->enable_message_notification);
	bind_str(st, C_MESSAGE_NOTIFICATION + 1, t->message_notification);
	bind_str(st, C_MISFIRE_POLICY + 1,
	    task_misfire_names[t->misfire_policy]);
	bind_str(st, C_OVERLAP_POLICY + 1,
	    task_overlap_names[t->overlap_policy]);
	bind_int(st, C_HISTORY_KEEP + 1, t->history_keep);
	bind_str(st, C_SOURCE + 1, meta->source);
	bind_int(st, C_SOURCE_LINE + 1, meta->source != NULL ? t->line : 0);
	bind_int(st, C_SOURCE_COLUMN + 1, meta->source != NULL ?
	    t->column : 0);
	bind_int(st, C_CREATE_MS + 1, meta->create_ms);
	bind_int(st, C_UPDATE_MS + 1, meta->update_ms);
	bind_int(st, C_LAST_FIRE + 1, meta->last_fire);
	bind_str(st, C_LAST_STATUS + 1, meta->last_status[0] != '\0' ?
	    meta->last_status : "WAITING");
	sqlite3_bind_int64(st, C_DIGEST + 1, (sqlite3_int64)task_digest(t));
	/* the upsert's UPDATE leaves the last rowid alone */
	sqlite3_set_last_insert_rowid(s->db, 0);
	if (run(s, S_TASK_PUT, "task put") != 0) {
		(void)tx_end(s, 0);
		return (-1);
	}
	if ((seq = sqlite3_last_insert_rowid(s->db)) != 0)
		return (tx_end(s, put_targets(s, seq, t, 1) == 0));
	/* replaced: find its row, and its old targets go */
	st = s->st[S_TASK_SEQ];
	bind_str(st, 1, t->id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		seq = sqlite3_column_int64(st, 0);
	else
		fail(s, "task put");
	done(st);
	return (tx_end(s, rc == SQLITE_ROW && put_targets(s, seq, t, 0) ==
	    0));
}

/*
 * Grow an array whose length is n by one slot: it is reallocated each time
 * n reaches a power of two, so no capacity is kept.
 */
static void *
grow(void *p, size_t n, size_t size)
{
	if (n != 0 && (n & (n - 1)) != 0)
		return (p);
	if ((p = realloc(p, (n ? n * 2 : 1) * size)) == NULL)
		abort();
	return (p);
}

static int
same_type(const char *a, const unsigned char *b)
{
	if (a == NULL || b == NULL)
		return (a == NULL && b == NULL);
	return (strcmp(a, (const char *)b) == 0);
}

/* One target row: a new target, or one more id of the previous one. */
static void
add_target_row(struct task *t, sqlite3_stmt *tg)
{
	const unsigned char	*type = sqlite3_column_text(tg, 1);
	struct task_target	*last;

	last = t->ntargets ? &t->targets[t->ntargets - 1] : NULL;
	if (last == NULL || last->ntarget_ids == 0 ||
	    sqlite3_column_type(tg, 2) == SQLITE_NULL ||
	    !same_type(last->target_type, type)) {
		t->targets = grow(t->targets, t->ntargets, sizeof *t->targets);
		last = &t->targets[t->ntargets++];
		memset(last, 0, sizeof *last);
		last->target_type = col_dup(tg, 1);
		if (sqlite3_column_type(tg, 2) == SQLITE_NULL)
			return;
	}
	last->target_ids = grow(last->target_ids, last->ntarget_ids,
	    sizeof *last->target_ids);
	last->target_ids[last->ntarget_ids++] = col_dup(tg, 2);
}

static int
opt_int(sqlite3_stmt *st, int c, int *out)
{
	if (sqlite3_column_type(st, c) == SQLITE_NULL)
		return (0);
	*out = sqlite3_column_int(st, c);
	return (1);
}

/* One row of the load into t; -1 when a name is unknown. */
static int
task_from_row(struct store *s, sqlite3_stmt *st, struct task *t,
    struct store_task_meta *meta)
{
	int	i;

#define COL(c)	((c) + 1)
	t->id = col_dup(st, COL(C_ID));
	t->task_name = col_dup(st, COL(C_TASK_NAME));
	t->project_id = col_dup(st, COL(C_PROJECT_ID));
	t->task_type = col_dup(st, COL(C_TASK_TYPE));
	t->description = col_dup(st, COL(C_DESCRIPTION));
	t->has_date = opt_int(st, COL(C_DATE_YEAR), &t->year);
	(void)opt_int(st, COL(C_DATE_MON), &t->mon);
	(void)opt_int(st, COL(C_DATE_DAY), &t->day);
	t->has_time = opt_int(st, COL(C_TIME_HOUR), &t->hour);
	(void)opt_int(st, COL(C_TIME_MIN), &t->min);
	(void)opt_int(st, COL(C_TIME_SEC), &t->sec);
	t->day_interval = sqlite3_column_int(st, COL(C_DAY_INTERVAL));
	t->week_mask = (unsigned)sqlite3_column_int64(st, COL(C_WEEK_MASK));
	t->month_mask = (unsigned)sqlite3_column_int64(st, COL(C_MONTH_MASK));
	t->date_mask = (uint32_t)sqlite3_column_int64(st, COL(C_DATE_MASK));
	t->date_last = sqlite3_column_int(st, COL(C_DATE_LAST)) != 0;
	t->week_list = col_dup(st, COL(C_WEEK_LIST));
	t->month_list = col_dup(st, COL(C_MONTH_LIST));
	t->date_list = col_dup(st, COL(C_DATE_LIST));
	t->task_cron = col_dup(st, COL(C_TASK_CRON));
	t->time_zone = col_dup(st, COL(C_TIME_ZONE));
	if ((t->has_expire = sqlite3_column_type(st, COL(C_EXPIRE_MS)) !=
	    SQLITE_NULL))
		t->expire_ms = sqlite3_column_int64(st, COL(C_EXPIRE_MS));
	if ((t->has_once = sqlite3_column_type(st, COL(C_ONCE_MS)) !=
	    SQLITE_NULL))
		t->once_ms = sqlite3_column_int64(st, COL(C_ONCE_MS));
	t->is_enable = sqlite3_column_int(st, COL(C_IS_ENABLE)) != 0;
	t->enforcement_enable = sqlite3_column_int(st,
	    COL(C_ENFORCEMENT_ENABLE)) != 0;
	t->life_cycle_type = col_dup(st, COL(C_LIFE_CYCLE_TYPE));
	t->priority = sqlite3_column_int(st, COL(C_PRIORITY));
	t->wait_time = sqlite3_column_int(st, COL(C_WAIT_TIME));
	t->input_param = col_dup(st, COL(C_INPUT_PARAM));
	t->risk_level = col_dup(st, COL(C_RISK_LEVEL));
	t->enable_approve = sqlite3_column_int(st, COL(C_ENABLE_APPROVE)) != 0;
	t->enable_message_notification = sqlite3_column_int(st,
	    COL(C_ENABLE_MESSAGE_NOTIFICATION)) != 0;
	t->message_notification = col_dup(st, COL(C_MESSAGE_NOTIFICATION));
	t->history_keep = sqlite3_column_int(st, COL(C_HISTORY_KEEP));
	t->file = col_dup(st, COL(C_SOURCE));
	t->line = sqlite3_column_int(st, COL(C_SOURCE_LINE));
	t->column = sqlite3_column_int(st, COL(C_SOURCE_COLUMN));
	meta->source = t->file;
	meta->create_ms = sqlite3_column_int64(st, COL(C_CREATE_MS));
	meta->update_ms = sqlite3_column_int64(st, COL(C_UPDATE_MS));
	meta->last_fire = sqlite3_column_int64(st, COL(C_LAST_FIRE));
	col_word(st, COL(C_LAST_STATUS), meta->last_status,
	    sizeof meta->last_status);
	col_word(st, COL(NTCOLS), meta->approve_status,
	    sizeof meta->approve_status);
	meta->approve_comments = (const char *)sqlite3_column_text(st,
	    COL(NTCOLS + 1));

	if ((i = name_index(task_sched_type_names, NSCHED,
	    sqlite3_column_text(st, COL(C_SCHEDULED_TYPE)))) < 0) {
		seterr(s, "task %s: unknown scheduled_type", t->id);
		return (-1);
	}
	t->scheduled_type = (enum task_sched_type)i;
	if ((i = name_index(task_misfire_names, NMISFIRE,
	    sqlite3_column_text(st, COL(C_MISFIRE_POLICY)))) < 0) {
		seterr(s, "task %s: unknown misfire_policy", t->id);
		return (-1);
	}
	t->misfire_policy = (enum task_misfire)i;
	if ((i = name_index(task_overlap_names, NOVERLAP,
	    sqlite3_column_text(st, COL(C_OVERLAP_POLICY)))) < 0) {
		seterr(s, "task %s: unknown overlap_policy", t->id);
		return (-1);
	}
	t->overlap_policy = (enum task_overlap)i;
#undef COL
	return (0);
}

/*
 * Two scans walked together, tasks and targets both in seq order: one
 * query each, however many tasks there are.
 */
int
store_tasks_load(struct store *s, store_task_cb cb, void *arg)
{
	sqlite3_stmt		*st = s->st[S_TASKS_LOAD];
	sqlite3_stmt		*tg = s->st[S_TARGETS_LOAD];
	struct store_task_meta	 meta;
	struct task		*t;
	int64_t			 seq, tseq = INT64_MIN;
	int			 rc, trc = SQLITE_ROW, ret = 0;

	/* (trc, tseq) start as a row before every task: the first turn of
	   the inner loop steps onto the first target */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		seq = sqlite3_column_int64(st, 0);
		if ((t = calloc(1, sizeof *t)) == NULL)
			abort();
		memset(&meta, 0, sizeof meta);
		if (task_from_row(s, st, t, &meta) != 0) {
			task_free(t);
			free(t);
			ret = -1;
			goto out;
		}
		/* skip the targets of deleted tasks, then take this one's */
		while (trc == SQLITE_ROW && tseq <= seq) {
			if (tseq == seq)
				add_target_row(t, tg);
			if ((trc = sqlite3_step(tg)) == SQLITE_ROW)
				tseq = sqlite3_column_int64(tg, 0);
		}
		if (trc != SQLITE_ROW && trc != SQLITE_DONE) {
			fail(s, "task load: targets");
			task_free(t);
			free(t);
			ret = -1;
			goto out;
		}
		if ((ret = cb(arg, t, &meta)) != 0)
			goto out;
	}
	if (rc != SQLITE_DONE)
		ret = fail(s, "task load");
out:
	sqlite3_reset(st);
	sqlite3_reset(tg);
	return (ret);
}

/*
 * Every task as a view into the row: no copies, no targets, the columns
 * that decide when it fires and how it is found.  One pass over the
 * table; strings are valid during the callback only.
 */
int
store_tasks_scan(struct store *s, store_task_view_cb cb, void *arg)
{
	bool	done;

	return (store_tasks_scan_some(s, cb, arg, SIZE_MAX, &done));
}

/* A row of VIEW_COLS as a view: 0, or -1 with the reason set. */
static int
view_from_row(struct store *s, sqlite3_stmt *st, struct task *t,
    struct store_task_meta *meta, uint64_t *digest)
{
	int	i;

	memset(t, 0, sizeof *t);
	memset(meta, 0, sizeof *meta);
#define TXT(c)	((char *)(uintptr_t)sqlite3_column_text(st, (c)))
	t->id = TXT(0);
	t->task_name = TXT(1);
	t->project_id = TXT(2);
	t->task_type = TXT(3);
	if (t->id == NULL || t->task_name == NULL || t->project_id == NULL ||
	    t->task_type == NULL) {
		seterr(s, "a task row without id, name, project or type");
		return (-1);
	}
	if ((i = name_index(task_sched_type_names, NSCHED,
	    sqlite3_column_text(st, 4))) < 0) {
		seterr(s, "task %s: unknown scheduled_type", t->id);
		return (-1);
	}
	t->scheduled_type = (enum task_sched_type)i;
	t->has_date = opt_int(st, 5, &t->year);
	(void)opt_int(st, 6, &t->mon);
	(void)opt_int(st, 7, &t->day);
	t->has_time = opt_int(st, 8, &t->hour);
	(void)opt_int(st, 9, &t->min);
	(void)opt_int(st, 10, &t->sec);
	t->day_interval = sqlite3_column_int(st, 11);
	t->week_mask = (unsigned)sqlite3_column_int64(st, 12);
	t->month_mask = (unsigned)sqlite3_column_int64(st, 13);
	t->date_mask = (uint32_t)sqlite3_column_int64(st, 14);
	t->date_last = sqlite3_column_int(st, 15) != 0;
	t->task_cron = TXT(16);
	t->time_zone = TXT(17);
	if ((t->has_expire = sqlite3_column_type(st, 18) != SQLITE_NULL))
		t->expire_ms = sqlite3_column_int64(st, 18);
	if ((t->has_once = sqlite3_column_type(st, 19) != SQLITE_NULL))
		t->once_ms = sqlite3_column_int64(st, 19);
	t->is_enable = sqlite3_column_int(st, 20) != 0;
	t->life_cycle_type = TXT(21);
	t->enable_approve = sqlite3_column_int(st, 22) != 0;
	if ((i = name_index(task_misfire_names, NMISFIRE,
	    sqlite3_column_text(st, 23))) < 0) {
		seterr(s, "task %s: unknown misfire_policy", t->id);
		return (-1);
	}
	t->misfire_policy = (enum task_misfire)i;
	if ((i = name_index(task_overlap_names, NOVERLAP,
	    sqlite3_column_text(st, 24))) < 0) {
		seterr(s, "task %s: unknown overlap_policy", t->id);
		return (-1);
	}
	t->overlap_policy = (enum task_overlap)i;
	t->file = TXT(25);
	meta->source = t->file;
	meta->create_ms = sqlite3_column_int64(st, 26);
	meta->update_ms = meta->create_ms;
	meta->last_fire = sqlite3_column_int64(st, 27);
	col_word(st, 28, meta->last_status, sizeof meta->last_status);
	col_word(st, 29, meta->approve_status, sizeof meta->approve_status);
	*digest = sqlite3_column_type(st, 30) == SQLITE_NULL ? 0 :
	    (uint64_t)sqlite3_column_int64(st, 30);
	return (0);
}

int
store_tasks_scan_some(struct store *s, store_task_view_cb cb, void *arg,
    size_t max, bool *done)
{
	sqlite3_stmt		*st = s->st[S_TASKS_SCAN];
	struct store_task_meta	 meta;
	struct task		 t;
	uint64_t		 digest;
	size_t			 n = 0;
	int			 rc = SQLITE_ROW, ret = 0;

	*done = false;
	while (n++ < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((ret = view_from_row(s, st, &t, &meta, &digest)) != 0 ||
		    (ret = cb(arg, &t, &meta, digest)) != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = fail(s, "task scan");
	/* the statement stays where it is for the next call, unless over */
	if (ret != 0 || rc != SQLITE_ROW) {
		sqlite3_reset(st);
		*done = true;
	}
	return (ret);
}

int
store_task_item(struct store *s, const char *id, store_task_view_cb cb,
    void *arg)
{
	sqlite3_stmt		*st = s->st[S_TASK_ITEM];
	struct store_task_meta	 meta;
	struct task		 t;
	uint64_t		 digest;
	int			 rc, ret;

	bind_str(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((ret = view_from_row(s, st, &t, &meta, &digest)) == 0) {
			t.description = TXT(NVIEW_COLS);
			t.priority = sqlite3_column_int(st, NVIEW_COLS + 1);
			t.wait_time = sqlite3_column_int(st, NVIEW_COLS + 2);
			ret = cb(arg, &t, &meta, digest);
		}
	} else if (rc == SQLITE_DONE) {
		seterr(s, "task %s: not stored", id);
		ret = 1;
	} else
		ret = fail(s, "task item");
#undef TXT
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return (ret);
}

int
store_file_get(struct store *s, struct store_file *f)
{
	sqlite3_stmt	*st = s->st[S_FILE_GET];
	int		 rc, ret = 0;

	bind_str(st, 1, f->path);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		f->dev = (uint64_t)sqlite3_column_int64(st, 0);
		f->ino = (uint64_t)sqlite3_column_int64(st, 1);
		f->size = (uint64_t)sqlite3_column_int64(st, 2);
		f->mtime_ns = sqlite3_column_int64(st, 3);
		f->ctime_ns = sqlite3_column_int64(st, 4);
	} else if (rc == SQLITE_DONE)
		ret = 1;
	else
		ret = fail(s, "task file get");
	done(st);
	return (ret);
}

int
store_files_replace(struct store *s, const struct store_file *f, size_t n)
{
	sqlite3_stmt	*st = s->st[S_FILE_PUT];
	size_t		 i;

	if (tx_begin(s) != 0)
		return (-1);
	if (run(s, S_FILES_CLEAR, "task files") != 0)
		return (tx_end(s, 0));
	for (i = 0; i < n; i++) {
		bind_str(st, 1, f[i].path);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)f[i].dev);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)f[i].ino);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)f[i].size);
		sqlite3_bind_int64(st, 5, f[i].mtime_ns);
		sqlite3_bind_int64(st, 6, f[i].ctime_ns);
		if (run(s, S_FILE_PUT, "task file put") != 0)
			return (tx_end(s, 0));
	}
	return (tx_end(s, 1));
}

int
store_tasks_count(struct store *s, int64_t *n)
{
	sqlite3_stmt	*st = s->st[S_TASK_COUNT];
	int		 ret = 0;

	if (sqlite3_step(st) == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	else
		ret = fail(s, "task count");
	sqlite3_reset(st);
	return (ret);
}

/*
 * One stored task by id, with its targets: the definition the daemon keeps
 * out of memory (tasks.c) comes back from here when it is needed.
 */
int
store_task_get(struct store *s, const char *id, struct task *t,
    struct store_task_meta *meta, char **approve_comments)
{
	sqlite3_stmt	*st = s->st[S_TASK_GET];
	sqlite3_stmt	*tg = s->st[S_TARGETS_OF];
	int		 rc, ret = 0;

	memset(t, 0, sizeof *t);
	memset(meta, 0, sizeof *meta);
	*approve_comments = NULL;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		ret = rc == SQLITE_DONE ? 1 : fail(s, "task get");
		if (ret == 1)
			seterr(s, "task %s: not stored", id);
		goto out;
	}
	if (task_from_row(s, st, t, meta) != 0) {
		ret = -1;
		goto fail;
	}
	if (meta->approve_comments != NULL &&
	    (*approve_comments = strdup(meta->approve_comments)) == NULL)
		abort();
	meta->approve_comments = NULL;
	meta->source = NULL;	/* t->file holds it */
	sqlite3_bind_int64(tg, 1, sqlite3_column_int64(st, 0));
	while ((rc = sqlite3_step(tg)) == SQLITE_ROW)
		add_target_row(t, tg);
	if (rc != SQLITE_DONE) {
		ret = fail(s, "task get: targets");
		goto fail;
	}
	goto out;
fail:
	task_free(t);
	memset(t, 0, sizeof *t);
	free(*approve_comments);
	*approve_comments = NULL;
out:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	sqlite3_reset(tg);
	return (ret);
}

static int
changed(struct store *s, int rc, const char *what, const char *id)
{
	if (rc != 0)
		return (-1);
	if (sqlite3_changes(s->db) == 0) {
		seterr(s, "%s: no such %s", id, what);
		return (1);
	}
	return (0);
}

int
store_task_delete(struct store *s, const char *id, int64_t now_ms)
{
	sqlite3_stmt	*st = s->st[S_TASK_DELETE];

	bind_str(st, 1, id);
	bind_int(st, 2, now_ms);
	return (changed(s, run(s, S_TASK_DELETE, "task delete"), "task", id));
}

int
store_task_set_status(struct store *s, const char *id,
    const char *last_status, int64_t last_fire)
{
	sqlite3_stmt	*st = s->st[S_TASK_STATUS];

	bind_str(st, 1, id);
	bind_str(st, 2, last_status);
	bind_int(st, 3, last_fire);
	return (changed(s, run(s, S_TASK_STATUS, "task status"), "task", id));
}

int
store_task_set_approve(struct store *s, const char *id, const char *status,
    const char *comments)
{
	sqlite3_stmt	*st = s->st[S_TASK_APPROVE];

	bind_str(st, 1, id);
	bind_str(st, 2, status);
	bind_str(st, 3, comments);
	return (changed(s, run(s, S_TASK_APPROVE, "task approve"), "task",
	    id));
}

/* Planned records */

int
store_planned_put(struct store *s, const struct store_planned *p)
{
	sqlite3_stmt	*st = s->st[S_PLANNED_PUT];

	bind_str(st, 1, p->task_id);
	bind_str(st, 2, p->instance_id);
	bind_int(st, 3, p->planned_at);
	bind_opt(st, 4, p->execute_at != 0, p->execute_at);
	bind_str(st, 5, p->status);
	return (run(s, S_PLANNED_PUT, "planned record put"));
}

int
store_planned_delete(struct store *s, const char *task_id,
    const char *instance_id, int64_t planned_at)
{
	sqlite3_stmt	*st = s->st[S_PLANNED_DELETE];

	bind_str(st, 1, task_id);
	bind_str(st, 2, instance_id);
	bind_int(st, 3, planned_at);
	return (changed(s, run(s, S_PLANNED_DELETE, "planned record delete"),
	    "planned record", task_id));
}

int
store_planned_load(struct store *s, store_planned_cb cb, void *arg)
{
	sqlite3_stmt		*st = s->st[S_PLANNED_LOAD];
	struct store_planned	 p;
	int			 rc, ret = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&p, 0, sizeof p);
		p.task_id = (const char *)sqlite3_column_text(st, 0);
		p.instance_id = (const char *)sqlite3_column_text(st, 1);
		p.planned_at = sqlite3_column_int64(st, 2);
		p.execute_at = sqlite3_column_int64(st, 3);	/* NULL: 0 */
		col_word(st, 4, p.status, sizeof p.status);
		if ((ret = cb(arg, &p)) != 0)
			goto out;
	}
	if (rc != SQLITE_DONE)
		ret = fail(s, "planned record load");
out:
	sqlite3_reset(st);
	return (ret);
}

/* Executions */

static int
put_subtask(struct store *s, enum stmt_id id, const char *execution_id,
    size_t index, const struct store_subtask *sub)
{
	sqlite3_stmt	*st = s->st[id];

	bind_str(st, 1, execution_id);
	bind_int(st, 2, (int64_t)index);
	if (id == S_SUB_INSERT) {
		bind_str(st, 3, sub->target_type);
		bind_str(st, 4, sub->target_id);
		bind_str(st, 5, sub->status);
		bind_int(st, 6, sub->exit_code);
		bind_str(st, 7, sub->reason);
		bind_str(st, 8, sub->output_tail);
		bind_int(st, 9, sub->begin_ms);
		bind_int(st, 10, sub->end_ms);
	} else {
		bind_str(st, 3, sub->status);
		bind_int(st, 4, sub->exit_code);
		bind_str(st, 5, sub->reason);
		bind_str(st, 6, sub->output_tail);
		bind_int(st, 7, sub->begin_ms);
		bind_int(st, 8, sub->end_ms);
	}
	return (run(s, id, id == S_SUB_INSERT ? "subtask insert" :
	    "subtask update"));
}

int
store_execution_insert(struct store *s, const struct store_execution *e)
{
	sqlite3_stmt	*st = s->st[S_EXEC_INSERT];
	size_t		 i;
	int		 ok;

	if (tx_begin(s) != 0)
		return (-1);
	bind_str(st, 1, e->id);
	bind_str(st, 2, e->task_id);
	bind_str(st, 3, e->task_type);
	bind_str(st, 4, e->scheduled_type);
	bind_str(st, 5, e->time_zone);
	bind_str(st, 6, e->status);
	bind_str(st, 7, e->reason);
	bind_int(st, 8, e->total_count);
	bind_int(st, 9, e->success_count);
	bind_int(st, 10, e->failed_count);
	bind_int(st, 11, e->excuting_count);
	bind_int(st, 12, e->skipped_count);
	bind_int(st, 13, e->scheduled_at);
	bind_int(st, 14, e->begin_ms);
	bind_int(st, 15, e->end_ms);
	bind_int(st, 16, e->create_ms);
	ok = run(s, S_EXEC_INSERT, "execution insert") == 0;
	for (i = 0; ok && i < e->nsubtasks; i++)
		ok = put_subtask(s, S_SUB_INSERT, e->id, i,
		    &e->subtasks[i]) == 0;
	return (tx_end(s, ok));
}

int
store_execution_update(struct store *s, const struct store_execution *e)
{
	sqlite3_stmt	*st = s->st[S_EXEC_UPDATE];

	bind_str(st, 1, e->id);
	bind_str(st, 2, e->status);
	bind_str(st, 3, e->reason);
	bind_int(st, 4, e->total_count);
	bind_int(st, 5, e->success_count);
	bind_int(st, 6, e->failed_count);
	bind_int(st, 7, e->excuting_count);
	bind_int(st, 8, e->skipped_count);
	bind_int(st, 9, e->begin_ms);
	bind_int(st, 10, e->end_ms);
	return (changed(s, run(s, S_EXEC_UPDATE, "execution update"),
	    "execution", e->id));
}

int
store_subtask_update(struct store *s, const char *execution_id,
    size_t index, const struct store_subtask *sub)
{
	return (changed(s, put_subtask(s, S_SUB_UPDATE, execution_id, index,
	    sub), "subtask", execution_id));
}

static void
execution_from_row(sqlite3_stmt *st, struct store_execution *e)
{
	memset(e, 0, sizeof *e);
	e->id = col_dup(st, 0);
	e->task_id = col_dup(st, 1);
	e->task_type = col_dup(st, 2);
	e->scheduled_type = col_dup(st, 3);
	e->time_zone = col_dup(st, 4);
	col_word(st, 5, e->status, sizeof e->status);
	e->reason = col_dup(st, 6);
	e->total_count = sqlite3_column_int(st, 7);
	e->success_count = sqlite3_column_int(st, 8);
	e->failed_count = sqlite3_column_int(st, 9);
	e->excuting_count = sqlite3_column_int(st, 10);
	e->skipped_count = sqlite3_column_int(st, 11);
	e->scheduled_at = sqlite3_column_int64(st, 12);
	e->begin_ms = sqlite3_column_int64(st, 13);
	e->end_ms = sqlite3_column_int64(st, 14);
	e->create_ms = sqlite3_column_int64(st, 15);
}

static int
get_subtasks(struct store *s, struct store_execution *e)
{
	sqlite3_stmt		*st = s->st[S_SUBS_GET];
	struct store_subtask	*sub;
	int			 rc;

	bind_str(st, 1, e->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		e->subtasks = grow(e->subtasks, e->nsubtasks,
		    sizeof *e->subtasks);
		sub = &e->subtasks[e->nsubtasks++];
		sub->target_type = col_dup(st, 0);
		sub->target_id = col_dup(st, 1);
		col_word(st, 2, sub->status, sizeof sub->status);
		sub->exit_code = sqlite3_column_int(st, 3);
		sub->reason = col_dup(st, 4);
		sub->output_tail = col_dup(st, 5);
		sub->begin_ms = sqlite3_column_int64(st, 6);
		sub->end_ms = sqlite3_column_int64(st, 7);
	}
	if (rc != SQLITE_DONE)
		fail(s, "subtasks");
	done(st);
	return (rc == SQLITE_DONE ? 0 : -1);
}

int
store_execution_get(struct store *s, const char *id,
    struct store_execution *out)
{
	sqlite3_stmt	*st = s->st[S_EXEC_GET];
	int		 rc;

	memset(out, 0, sizeof *out);
	bind_str(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		execution_from_row(st, out);
	else if (rc != SQLITE_DONE)
		fail(s, "execution get");
	done(st);
	if (rc == SQLITE_DONE) {
		seterr(s, "%s: no such execution", id);
		return (1);
	}
	if (rc != SQLITE_ROW)
		return (-1);
	if (get_subtasks(s, out) != 0) {
		store_execution_free(out);
		return (-1);
	}
	return (0);
}

int
store_history(struct store *s, const char *task_id, int offset, int limit,
    struct store_execution **out, size_t *n, int *total)
{
	sqlite3_stmt		*st = s->st[S_EXEC_COUNT];
	struct store_execution	*v = NULL;
	size_t			 i, count = 0;
	int			 rc;

	*out = NULL;
	*n = 0;
	*total = 0;
	bind_str(st, 1, task_id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*total = sqlite3_column_int(st, 0);
	else
		fail(s, "history");
	done(st);
	if (rc != SQLITE_ROW)
		return (-1);
	if (limit <= 0)
		return (0);
	st = s->st[S_EXEC_PAGE];
	bind_str(st, 1, task_id);
	bind_int(st, 2, limit);
	bind_int(st, 3, offset > 0 ? offset : 0);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = grow(v, count, sizeof *v);
		execution_from_row(st, &v[count++]);
	}
	if (rc != SQLITE_DONE)
		fail(s, "history");
	done(st);
	/* the subtasks only once the page's statement is reset */
	for (i = 0; rc == SQLITE_DONE && i < count; i++)
		if (get_subtasks(s, &v[i]) != 0)
			rc = SQLITE_ERROR;
	if (rc != SQLITE_DONE) {
		store_executions_free(v, count);
		return (-1);
	}
	*out = v;
	*n = count;
	return (0);
}

void
store_execution_free(struct store_execution *e)
{
	size_t	i;

	if (e == NULL)
		return;
	for (i = 0; i < e->nsubtasks; i++) {
		free(e->subtasks[i].target_type);
		free(e->subtasks[i].target_id);
		free(e->subtasks[i].reason);
		free(e->subtasks[i].output_tail);
	}
	free(e->subtasks);
	free(e->id);
	free(e->task_id);
	free(e->task_type);
	free(e->scheduled_type);
	free(e->time_zone);
	free(e->reason);
	memset(e, 0, sizeof *e);
}

void
store_executions_free(struct store_execution *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		store_execution_free(&v[i]);
	free(v);
}

int
store_close_running(struct store *s, const char *reason, int64_t now_ms,
    int *closed)
{
	int	ok;

	*closed = 0;
	if (tx_begin(s) != 0)
		return (-1);
	ok = run(s, S_CLOSE_COUNTS, "close running: counts") == 0;
	if (ok) {
		bind_str(s->st[S_CLOSE_SUBS], 1, reason);
		bind_int(s->st[S_CLOSE_SUBS], 2, now_ms);
		ok = run(s, S_CLOSE_SUBS, "close running: subtasks") == 0;
	}
	if (ok)
		ok = run(s, S_CLOSE_TASKS, "close running: tasks") == 0;
	if (ok) {
		bind_str(s->st[S_CLOSE_EXECS], 1, reason);
		bind_int(s->st[S_CLOSE_EXECS], 2, now_ms);
		ok = run(s, S_CLOSE_EXECS, "close running") == 0;
		if (ok)
			*closed = sqlite3_changes(s->db);
	}
	if (tx_end(s, ok) != 0) {
		*closed = 0;
		return (-1);
	}
	return (0);
}

int
store_prune(struct store *s, const char *task_id, int keep, int batch,
    int *deleted)
{
	sqlite3_stmt	*st = s->st[S_PRUNE];

	*deleted = 0;
	if (keep < 0 || batch < 1) {
		seterr(s, "prune: keep %d and batch %d: keep must be 0 or more "
		    "and batch 1 or more", keep, batch);
		return (-1);
	}
	bind_str(st, 1, task_id);
	bind_int(st, 2, keep);
	bind_int(st, 3, batch);
	if (run(s, S_PRUNE, "prune") != 0)
		return (-1);
	*deleted = sqlite3_changes(s->db);
	return (0);
}

/*
 * Issue 4 (API task routes): the project of a task row, deleted or not,
 * so that a deleted task's history stays readable until it is pruned.
 * Prepared per call: only history reads of deleted tasks get here.
 */
int
store_task_project(struct store *s, const char *id, char *project,
    size_t len)
{
	sqlite3_stmt	*st;
	const char	*p;
	int		 rc;

	if (sqlite3_prepare_v2(s->db, "SELECT project_id FROM tasks "
	    "WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		return (fail(s, "task project"));
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		p = (const char *)sqlite3_column_text(st, 0);
		snprintf(project, len, "%s", p != NULL ? p : "");
		sqlite3_finalize(st);
		return (0);
	}
	if (rc != SQLITE_DONE) {
		fail(s, "task project");
		sqlite3_finalize(st);
		return (-1);
	}
	sqlite3_finalize(st);
	seterr(s, "%s: no such task", id);
	return (1);
}
