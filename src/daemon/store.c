/*
 * The store of the daemon, on SQLite (one file) or PostgreSQL (a cluster's
 * shared database), with one logic for both: this file holds every
 * statement's SQL and the code that turns rows into structs; a thin driver
 * (store-db.h: store-sqlite.c, store-pg.c) only prepares, binds, steps and
 * reads columns.  The SQL is written once in the dialect both accept
 * (parameters as ?N, ON CONFLICT, COALESCE, LIMIT and OFFSET, savepoints);
 * where they differ (DDL, the task put, the execution sequence, the scan's
 * chunks, the schema version) each dialect has its own text.  Every
 * statement is prepared once per connection and kept; the schema is
 * migrated forward at open, one step per version, inside one transaction.
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
 * - executions.seq is max + 1 at insertion on SQLite (one writer), an
 *   identity on PostgreSQL (nodes insert at once): "newest first" is seq
 *   DESC.
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
#include <time.h>

#include "store.h"
#include "store-db.h"
#include "task.h"

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
	/*
	 * 4 -> 5: the node that claimed an execution (cluster mode); NULL
	 * on a single node, so nothing else changes here.
	 */
	"ALTER TABLE executions ADD COLUMN node TEXT;",
};


/*
 * PostgreSQL's schema, versioned on its own in sked_schema (there is no
 * user_version): version 1 is SQLite's version 5 in PostgreSQL's types
 * (BIGINT for every time in ms and every mask, identities for seq) plus
 * what a cluster needs.  Created and migrated under an advisory lock.
 */
static const char *const pg_migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE sked_schema (version BIGINT NOT NULL);"
	"CREATE TABLE tasks ("
	" seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	" id TEXT NOT NULL UNIQUE,"
	" task_name TEXT,"
	" project_id TEXT,"
	" task_type TEXT,"
	" description TEXT,"
	" scheduled_type TEXT NOT NULL,"
	" date_year BIGINT, date_mon BIGINT, date_day BIGINT,"
	" time_hour BIGINT, time_min BIGINT, time_sec BIGINT,"
	" day_interval BIGINT NOT NULL DEFAULT 1,"
	" week_mask BIGINT NOT NULL DEFAULT 0,"
	" month_mask BIGINT NOT NULL DEFAULT 0,"
	" date_mask BIGINT NOT NULL DEFAULT 0,"
	" date_last BIGINT NOT NULL DEFAULT 0,"
	" week_list TEXT, month_list TEXT, date_list TEXT,"
	" task_cron TEXT,"
	" time_zone TEXT,"
	" expire_ms BIGINT,"
	" once_ms BIGINT,"
	" is_enable BIGINT NOT NULL DEFAULT 1,"
	" enforcement_enable BIGINT NOT NULL DEFAULT 0,"
	" life_cycle_type TEXT,"
	" priority BIGINT NOT NULL DEFAULT 0,"
	" wait_time BIGINT NOT NULL DEFAULT 0,"
	" input_param TEXT,"
	" risk_level TEXT,"
	" enable_approve BIGINT NOT NULL DEFAULT 0,"
	" enable_message_notification BIGINT NOT NULL DEFAULT 0,"
	" message_notification TEXT,"
	" misfire_policy TEXT NOT NULL DEFAULT 'DO_NOTHING',"
	" overlap_policy TEXT NOT NULL DEFAULT 'SKIP',"
	" history_keep BIGINT NOT NULL DEFAULT 0,"
	" source TEXT,"
	" source_line BIGINT NOT NULL DEFAULT 0,"
	" source_column BIGINT NOT NULL DEFAULT 0,"
	" create_ms BIGINT NOT NULL DEFAULT 0,"
	" update_ms BIGINT NOT NULL DEFAULT 0,"
	" last_fire BIGINT NOT NULL DEFAULT 0,"
	" last_status TEXT NOT NULL DEFAULT 'WAITING',"
	" deleted_ms BIGINT,"
	" approve_status TEXT"
	" CHECK (approve_status IN ('PENDING', 'PASSED', 'REJECTED')),"
	" approve_comments TEXT,"
	" digest BIGINT);"
	"CREATE INDEX tasks_name ON tasks (project_id, task_name);"
	"CREATE TABLE targets ("
	" task_seq BIGINT NOT NULL REFERENCES tasks (seq) ON DELETE CASCADE,"
	" position BIGINT NOT NULL,"
	" target_type TEXT,"
	" target_id TEXT,"
	" PRIMARY KEY (task_seq, position));"
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
	" scheduled_at BIGINT NOT NULL DEFAULT 0,"
	" begin_ms BIGINT NOT NULL DEFAULT 0,"
	" end_ms BIGINT NOT NULL DEFAULT 0,"
	" create_ms BIGINT NOT NULL DEFAULT 0,"
	" seq BIGINT GENERATED BY DEFAULT AS IDENTITY UNIQUE,"
	" node TEXT);"
	"CREATE INDEX executions_task ON executions (task_id, seq);"
	"CREATE INDEX executions_running ON executions (status)"
	" WHERE status = 'RUNNING';"
	/* the exactly-once rule: one execution per occurrence */
	"CREATE UNIQUE INDEX executions_occurrence ON executions"
	" (task_id, scheduled_at) WHERE scheduled_at > 0;"
	"CREATE TABLE subtasks ("
	" execution_id TEXT NOT NULL REFERENCES executions (id)"
	" ON DELETE CASCADE,"
	" position BIGINT NOT NULL,"
	" target_type TEXT,"
	" target_id TEXT,"
	" status TEXT NOT NULL,"
	" exit_code INTEGER NOT NULL DEFAULT -1,"
	" reason TEXT,"
	" output_tail TEXT,"
	" begin_ms BIGINT NOT NULL DEFAULT 0,"
	" end_ms BIGINT NOT NULL DEFAULT 0,"
	" PRIMARY KEY (execution_id, position));"
	"CREATE TABLE planned ("
	" task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,"
	" instance_id TEXT NOT NULL,"
	" planned_at BIGINT NOT NULL,"
	" execute_at BIGINT,"
	" status TEXT NOT NULL DEFAULT 'WAITING'"
	" CHECK (status IN ('WAITING', 'CANCELLED')),"
	" PRIMARY KEY (task_id, instance_id, planned_at));"
	"CREATE TABLE task_files ("
	" path TEXT PRIMARY KEY,"
	" dev BIGINT NOT NULL, ino BIGINT NOT NULL, size BIGINT NOT NULL,"
	" mtime_ns BIGINT NOT NULL, ctime_ns BIGINT NOT NULL);"
	/* heartbeat and started: the database's clock, not the nodes' */
	"CREATE TABLE nodes ("
	" name TEXT PRIMARY KEY,"
	" incarnation BIGINT NOT NULL,"
	" state TEXT NOT NULL CHECK (state IN ('alive', 'dead', 'left')),"
	" started BIGINT NOT NULL,"
	" heartbeat BIGINT NOT NULL,"
	" fired BIGINT NOT NULL DEFAULT 0,"
	" running INTEGER NOT NULL DEFAULT 0);",
};

/* Any number; the same in every sked, so that nodes wait for each other. */
#define PG_MIGRATION_LOCK	"SELECT pg_advisory_xact_lock(7364617465)"

#define SCHEMA_VERSION	((int)(sizeof migrations / sizeof migrations[0]))
#define PG_SCHEMA_VERSION \
	((int)(sizeof pg_migrations / sizeof pg_migrations[0]))

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
	"skipped_count, scheduled_at, begin_ms, end_ms, create_ms, node"
#define EXEC_VALUES \
	"?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, " \
	"?16, ?17"
#define SUB_COLS \
	"target_type, target_id, status, exit_code, reason, output_tail, " \
	"begin_ms, end_ms"

/* The database's clock in ms (PostgreSQL; not the transaction's start). */
#define PG_NOW	"(extract(epoch FROM clock_timestamp()) * 1000)::bigint"

/* A PostgreSQL scan reads this many rows a statement (keyset by seq). */
#define SCAN_CHUNK	10000
#define SCAN_SQL \
	"SELECT " VIEW_COLS ", seq FROM tasks WHERE deleted_ms IS NULL AND " \
	"seq > ?1 ORDER BY seq"

enum stmt_id {
	S_BEGIN, S_COMMIT, S_ROLLBACK, S_SAVEPOINT, S_RELEASE, S_ROLLBACK_TO,
	S_TASK_PUT, S_TASKS_LOAD, S_TASK_GET,	/* built from tcols at open */
	S_TARGETS_OF, S_TASK_COUNT, S_TASKS_SCAN,
	S_FILE_GET, S_FILES_CLEAR, S_FILE_PUT, S_TASK_ITEM,
	S_TASK_SEQ, S_TARGETS_CLEAR, S_TARGET_ADD, S_TARGETS_LOAD,
	S_TASK_DELETE, S_TASK_STATUS, S_TASK_PROJECT,
	S_EXEC_INSERT, S_EXEC_UPDATE, S_EXEC_GET, S_EXEC_COUNT, S_EXEC_PAGE,
	S_SUB_INSERT, S_SUB_UPDATE, S_SUBS_GET,
	S_CLOSE_COUNTS, S_CLOSE_SUBS, S_CLOSE_TASKS, S_CLOSE_EXECS,
	S_PRUNE,
	S_TASK_APPROVE, S_PLANNED_PUT, S_PLANNED_DELETE, S_PLANNED_LOAD,
	/* cluster: PostgreSQL only */
	S_CLAIM, S_NODE_JOIN, S_NODE_BEAT, S_NODE_LEAVE, S_NODES,
	S_NODE_LOCK, S_NODE_DEAD, S_NOTIFY,
	NSTMTS
};

/* What both dialects take as it is. */
static const char *const stmt_sql[NSTMTS] = {
	/* IMMEDIATE: take the write lock now, not at the first write, where
	   a busy database could no longer be waited for */
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_SAVEPOINT] = "SAVEPOINT store",
	[S_RELEASE] = "RELEASE store",
	[S_ROLLBACK_TO] = "ROLLBACK TO store",
	[S_TASK_SEQ] = "SELECT seq FROM tasks WHERE id = ?1",
	[S_TARGETS_CLEAR] = "DELETE FROM targets WHERE task_seq = ?1",
	[S_TARGET_ADD] = "INSERT INTO targets (task_seq, position, "
	    "target_type, target_id) VALUES (?1, ?2, ?3, ?4)",
	[S_TARGETS_LOAD] = "SELECT task_seq, target_type, target_id "
	    "FROM targets ORDER BY task_seq, position",
	/* the last seq: an upper bound, read from the end of the table's
	   b-tree, where count(*) would scan ten million rows */
	[S_TASK_COUNT] = "SELECT COALESCE(max(seq), 0) FROM tasks",
	[S_FILE_GET] = "SELECT dev, ino, size, mtime_ns, ctime_ns "
	    "FROM task_files WHERE path = ?1",
	[S_FILES_CLEAR] = "DELETE FROM task_files",
	[S_FILE_PUT] = "INSERT INTO task_files (path, dev, ino, size, "
	    "mtime_ns, ctime_ns) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	/* what the daemon keeps of every task, and what compiles it; seq
	   last, where a chunked scan goes on from */
	[S_TASKS_SCAN] = SCAN_SQL,
	/* what a list item shows besides: no targets, no input_param */
	[S_TASK_ITEM] = "SELECT " VIEW_COLS ", description, priority, "
	    "wait_time FROM tasks WHERE id = ?1",
	[S_TARGETS_OF] = "SELECT task_seq, target_type, target_id "
	    "FROM targets WHERE task_seq = ?1 ORDER BY position",
	[S_TASK_DELETE] = "UPDATE tasks SET deleted_ms = ?2 "
	    "WHERE id = ?1 AND deleted_ms IS NULL",
	[S_TASK_STATUS] = "UPDATE tasks SET last_status = ?2, last_fire = ?3 "
	    "WHERE id = ?1",
	[S_TASK_PROJECT] = "SELECT project_id FROM tasks WHERE id = ?1",
	/* SQLite: one writer, so max + 1 is safe and needs no sequence */
	[S_EXEC_INSERT] = "INSERT INTO executions (" EXEC_COLS ", seq) "
	    "VALUES (" EXEC_VALUES ", "
	    "(SELECT COALESCE(max(seq), 0) + 1 FROM executions))",
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
	/*
	 * close_running: counts first, while the subtasks still say what
	 * they were; then the subtasks, the tasks, and the executions.  The
	 * node parameter NULL: every node's (a single node's, at start).
	 * A node's: only where that execution is the task's last, since
	 * another node may have fired the task since.
	 */
	[S_CLOSE_COUNTS] = "UPDATE executions SET excuting_count = 0, "
	    "failed_count = failed_count + (SELECT count(*) FROM subtasks "
	    "WHERE execution_id = executions.id AND status IN ('RUNNING', "
	    "'WAITING')) WHERE status = 'RUNNING' AND "
	    "(CAST(?1 AS TEXT) IS NULL OR node = ?1)",
	[S_CLOSE_SUBS] = "UPDATE subtasks SET status = 'FAIL', reason = ?1, "
	    "end_ms = ?2 WHERE status IN ('RUNNING', 'WAITING') AND "
	    "execution_id IN (SELECT id FROM executions "
	    "WHERE status = 'RUNNING' AND "
	    "(CAST(?3 AS TEXT) IS NULL OR node = ?3))",
	[S_CLOSE_TASKS] = "UPDATE tasks SET last_status = 'FAIL' "
	    "WHERE last_status = 'RUNNING' AND id IN (SELECT task_id "
	    "FROM executions e WHERE status = 'RUNNING' AND "
	    "(CAST(?1 AS TEXT) IS NULL OR (node = ?1 AND "
	    "seq = (SELECT max(seq) FROM executions "
	    "WHERE task_id = e.task_id))))",
	[S_CLOSE_EXECS] = "UPDATE executions SET status = 'FAIL', "
	    "reason = ?1, end_ms = ?2 WHERE status = 'RUNNING' AND "
	    "(CAST(?3 AS TEXT) IS NULL OR node = ?3)",
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

/* PostgreSQL's text where it differs, and what only a cluster has. */
static const char *const pg_sql[NSTMTS] = {
	/* row locks and the serial order do the rest */
	[S_BEGIN] = "BEGIN",
	/* in chunks: one result of ten million rows would be all in memory */
	[S_TASKS_SCAN] = SCAN_SQL " LIMIT 10000",
	[S_EXEC_INSERT] = "INSERT INTO executions (" EXEC_COLS ") "
	    "VALUES (" EXEC_VALUES ")",
	/*
	 * One statement: the database's clock decides "not yet" (a node's
	 * clock may be ahead), and ON CONFLICT DO NOTHING on the occurrence
	 * index refuses a second claim without an error, which would abort
	 * the caller's transaction.  A claim of the same occurrence still
	 * open in another transaction waits for its end.
	 */
	[S_CLAIM] = "WITH now AS (SELECT " PG_NOW " AS ms), "
	    "ins AS (INSERT INTO executions (" EXEC_COLS ") "
	    "SELECT ?1::text, ?2::text, ?3::text, ?4::text, ?5::text, "
	    "?6::text, ?7::text, ?8::integer, ?9::integer, ?10::integer, "
	    "?11::integer, ?12::integer, ?13::bigint, ?14::bigint, "
	    "?15::bigint, ?16::bigint, ?17::text FROM now "
	    "WHERE now.ms >= ?13::bigint * 1000 "
	    "ON CONFLICT (task_id, scheduled_at) WHERE scheduled_at > 0 "
	    "DO NOTHING RETURNING 1) "
	    "SELECT (SELECT ms FROM now), (SELECT count(*) FROM ins)",
	/* a row not alive, ours, or silent too long is ours to take */
	[S_NODE_JOIN] = "INSERT INTO nodes (name, incarnation, state, "
	    "started, heartbeat, fired, running) VALUES (?1, ?2, 'alive', "
	    PG_NOW ", " PG_NOW ", 0, 0) ON CONFLICT (name) DO UPDATE SET "
	    "incarnation = excluded.incarnation, state = 'alive', "
	    "started = excluded.started, heartbeat = excluded.heartbeat, "
	    "fired = 0, running = 0 WHERE nodes.state <> 'alive' OR "
	    "nodes.incarnation = excluded.incarnation OR "
	    "nodes.heartbeat < excluded.heartbeat - ?3::bigint * 1000 "
	    "RETURNING 1",
	[S_NODE_BEAT] = "WITH u AS (UPDATE nodes SET heartbeat = " PG_NOW ", "
	    "fired = ?3, running = ?4 WHERE name = ?1 AND incarnation = ?2 "
	    "AND state = 'alive' RETURNING heartbeat) "
	    "SELECT COALESCE((SELECT heartbeat FROM u), " PG_NOW "), "
	    "(SELECT count(*) FROM u)",
	[S_NODE_LEAVE] = "UPDATE nodes SET state = 'left', heartbeat = "
	    PG_NOW " WHERE name = ?1 AND incarnation = ?2",
	[S_NODES] = "SELECT name, state, incarnation, started, heartbeat, "
	    PG_NOW " - heartbeat, fired, running FROM nodes ORDER BY name",
	/* of survivors racing, the one that gets the row lock does it */
	[S_NODE_LOCK] = "SELECT name FROM nodes WHERE name = ?1 AND "
	    "state = 'alive' AND heartbeat < " PG_NOW " - ?2::bigint * 1000 "
	    "FOR UPDATE SKIP LOCKED",
	[S_NODE_DEAD] = "UPDATE nodes SET state = 'dead' WHERE name = ?1",
	/* transactional: sent at COMMIT, dropped at ROLLBACK */
	[S_NOTIFY] = "SELECT pg_notify('sked', ?1)",
};

/* What only SQLite prepares: nothing is left out of the shared text. */
struct dialect {
	const char *const	*migrations;
	int			 nmigrations;
	const char		*lock;		/* begins the migration */
	const char *const	*sql;		/* overrides of stmt_sql */
	bool			 cluster;	/* prepare S_CLAIM... */
	const char		*put_suffix;	/* of the task upsert */
	size_t			 scan_chunk;	/* 0: one statement */
};

static const struct dialect sqlite_dialect = {
	migrations, SCHEMA_VERSION, "BEGIN IMMEDIATE", NULL, false,
	/*
	 * No RETURNING: it costs a temporary table per row, and a new
	 * row's seq is sqlite3_last_insert_rowid() anyway.
	 */
	"", 0,
};

static const struct dialect pg_dialect = {
	pg_migrations, PG_SCHEMA_VERSION, "BEGIN; " PG_MIGRATION_LOCK, pg_sql,
	/* xmax 0: the row is new (the upsert inserted it) */
	true, " RETURNING seq, (xmax = 0)::integer", SCAN_CHUNK,
};

struct store {
	struct db	*db;
	const struct dialect *dl;
	char		*path;		/* the database, for messages */
	int		 depth;		/* open transactions and savepoints */
	bool		 gone;		/* the engine rolled them all back */
	bool		 listening;
	bool		 scan_open;	/* store_tasks_scan_some is under way */
	int64_t		 scan_seq;	/* the last seq it gave */
	size_t		 scan_rows;	/* rows of the current chunk */
	struct dbst	*st[NSTMTS];
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

/* Record the engine's reason now: a later rollback would replace it. */
static int
fail(struct store *s, const char *what)
{
	seterr(s, "%s: %s", what, s->db->ops->errmsg(s->db));
	return (-1);
}

static void
done(struct dbst *st)
{
	db_reset(st);
	db_clear(st);
}

/* Run a statement that returns no row; what names it in the error. */
static int
run(struct store *s, enum stmt_id id, const char *what)
{
	struct dbst	*st = s->st[id];
	int		 rc;

	/* a statement with RETURNING (or a SELECT of a function) may give
	   rows that nobody reads */
	while ((rc = db_step(st)) == DB_ROW)
		;
	if (rc != DB_DONE && what != NULL)
		fail(s, what);
	done(st);
	return (rc == DB_DONE ? 0 : -1);
}

static void
bind_str(struct dbst *st, int i, const char *v)
{
	if (v == NULL)
		db_bind_null(st, i);
	else
		db_bind_text(st, i, v);
}

static void
bind_int(struct dbst *st, int i, int64_t v)
{
	db_bind_int(st, i, v);
}

static void
bind_opt(struct dbst *st, int i, bool has, int64_t v)
{
	if (has)
		db_bind_int(st, i, v);
	else
		db_bind_null(st, i);
}

static char *
col_dup(struct dbst *st, int i)
{
	const char	*p;
	char		*s;
	size_t		 len;

	if ((p = db_col_text(st, i)) == NULL)
		return (NULL);
	len = db_col_bytes(st, i);
	if ((s = malloc(len + 1)) == NULL)
		abort();
	memcpy(s, p, len + 1);
	return (s);
}

/* A status word into its fixed buffer, cut to fit. */
static void
col_word(struct dbst *st, int i, char *buf, size_t size)
{
	const char	*p = db_col_text(st, i);
	size_t		 len;

	len = p != NULL ? db_col_bytes(st, i) : 0;
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
		s->gone = false;
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
	 * Some errors (disk full, I/O; a lost connection) roll the whole
	 * transaction back by themselves: then there is nothing left to end
	 * at any level.
	 */
	if (!s->db->ops->in_tx(s->db)) {
		s->gone = s->depth > 0;
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
	/*
	 * PostgreSQL: a statement that failed outside a savepoint left the
	 * transaction able only to roll back, and a COMMIT of it would
	 * answer success while it rolls back.
	 */
	if (ok && s->db->ops->tx_failed(s->db)) {
		seterr(s, "commit: the transaction was rolled back after an "
		    "earlier error");
		ok = 0;
	}
	if (ok && run(s, S_COMMIT, "commit") == 0)
		return (0);
	(void)run(s, S_ROLLBACK, NULL);
	return (-1);
}

static int
exec_sql(struct store *s, const char *sql, const char *what)
{
	if (s->db->ops->exec(s->db, sql) != 0) {
		seterr(s, "database %s: %s: %s", s->path, what,
		    s->db->ops->errmsg(s->db));
		return (-1);
	}
	return (0);
}

static int
read_version(struct store *s, int *v)
{
	if (s->db->ops->get_version(s->db, v) != 0) {
		seterr(s, "database %s: reading the schema version: %s",
		    s->path, s->db->ops->errmsg(s->db));
		return (-1);
	}
	return (0);
}

static int
newer(struct store *s, int v)
{
	seterr(s, "database %s: schema version %d is newer than this sked "
	    "knows (%d); use a newer sked or another database", s->path, v,
	    s->dl->nmigrations);
	return (-1);
}

/*
 * Bring the schema to the dialect's version, or refuse one newer than it.
 * The version is read again under the lock: another process (a node
 * starting at the same time) may have migrated while we waited for it.
 */
static int
migrate(struct store *s)
{
	const struct dialect	*dl = s->dl;
	char			 what[64];
	int			 v;

	if (read_version(s, &v) != 0)
		return (-1);
	if (v > dl->nmigrations)
		return (newer(s, v));
	if (v == dl->nmigrations)
		return (0);
	if (exec_sql(s, dl->lock, "migrating") != 0)
		goto rollback;
	if (read_version(s, &v) != 0)
		goto rollback;
	if (v > dl->nmigrations) {
		newer(s, v);
		goto rollback;
	}
	for (; v < dl->nmigrations; v++) {
		snprintf(what, sizeof what, "migrating to schema version %d",
		    v + 1);
		if (exec_sql(s, dl->migrations[v], what) != 0)
			goto rollback;
	}
	if (s->db->ops->set_version(s->db, dl->nmigrations) != 0) {
		seterr(s, "database %s: setting the schema version: %s",
		    s->path, s->db->ops->errmsg(s->db));
		goto rollback;
	}
	if (exec_sql(s, "COMMIT", "migrating") != 0)
		goto rollback;
	return (0);
rollback:
	(void)s->db->ops->exec(s->db, "ROLLBACK");
	return (-1);
}

/* A growing string, for the statements built at open. */
struct buf {
	char	*p;
	size_t	 len, size;
};

static void	bprintf(struct buf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
bprintf(struct buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	for (;;) {
		va_start(ap, fmt);
		/* an empty buffer has no pointer to offset yet */
		n = vsnprintf(b->p != NULL ? b->p + b->len : NULL,
		    b->size - b->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			abort();
		if ((size_t)n < b->size - b->len)
			break;
		b->size = (b->size + (size_t)n + 1) * 2;
		if ((b->p = realloc(b->p, b->size)) == NULL)
			abort();
	}
	b->len += (size_t)n;
}

/* The task statements, written from the column table. */
static char *
task_sql(const struct dialect *dl, enum stmt_id id)
{
	struct buf	 q = { NULL, 0, 0 };
	int		 i;

	bprintf(&q, "%s", "");
	if (id == S_TASKS_LOAD || id == S_TASK_GET) {
		bprintf(&q, "SELECT seq");
		for (i = 0; i < NTCOLS; i++)
			bprintf(&q, ", %s", tcols[i]);
		/* after tcols: NTCOLS + 1 and NTCOLS + 2 */
		bprintf(&q, ", approve_status, approve_comments");
		/* a deleted task's row too: its executions may still run */
		bprintf(&q, "%s", id == S_TASK_GET ? " FROM tasks WHERE "
		    "id = ?1" : " FROM tasks WHERE deleted_ms IS NULL ORDER BY "
		    "seq");
		return (q.p);
	}
	/*
	 * An upsert, not INSERT OR REPLACE: the row (and its seq, which the
	 * targets and executions refer to) stays, and a deleted task comes
	 * back to life.
	 */
	bprintf(&q, "INSERT INTO tasks (");
	for (i = 0; i < NTCOLS; i++)
		bprintf(&q, "%s%s", i ? ", " : "", tcols[i]);
	bprintf(&q, ") VALUES (");
	for (i = 0; i < NTCOLS; i++)
		bprintf(&q, "%s?%d", i ? ", " : "", i + 1);
	bprintf(&q, ") ON CONFLICT (id) DO UPDATE SET ");
	for (i = 1; i < NTCOLS; i++)
		bprintf(&q, "%s = excluded.%s, ", tcols[i], tcols[i]);
	bprintf(&q, "deleted_ms = NULL%s", dl->put_suffix);
	return (q.p);
}

static int
prepare(struct store *s)
{
	const struct dialect	*dl = s->dl;
	const char		*sql;
	char			*built;
	int			 i, rc;

	for (i = 0; i < NSTMTS; i++) {
		built = NULL;
		sql = dl->sql != NULL && dl->sql[i] != NULL ? dl->sql[i] :
		    stmt_sql[i];
		if (i == S_TASK_PUT || i == S_TASKS_LOAD || i == S_TASK_GET)
			sql = built = task_sql(dl, (enum stmt_id)i);
		if (i >= S_CLAIM && !dl->cluster)
			continue;
		rc = s->db->ops->prepare(s->db, sql, &s->st[i]);
		free(built);
		if (rc != 0) {
			seterr(s, "database %s: preparing statement %d: %s",
			    s->path, i, s->db->ops->errmsg(s->db));
			return (-1);
		}
	}
	return (0);
}

/* Migrate and prepare a store on an open connection; it owns db. */
static int
store_start(struct db *db, const struct dialect *dl, const char *name,
    struct store **out)
{
	struct store	*s;

	*out = NULL;
	if ((s = calloc(1, sizeof *s)) == NULL || (s->path = strdup(name)) ==
	    NULL) {
		free(s);
		db->ops->close(db);
		snprintf(open_err, sizeof open_err, "database %s: %s", name,
		    strerror(ENOMEM));
		return (-1);
	}
	s->db = db;
	s->dl = dl;
	if (migrate(s) != 0 || prepare(s) != 0) {
		snprintf(open_err, sizeof open_err, "%s", s->err);
		store_close(s);
		return (-1);
	}
	*out = s;
	return (0);
}

int
store_open(const char *path, struct store **out)
{
	struct db	*db;

	*out = NULL;
	if (db_sqlite_open(path, &db, open_err, sizeof open_err) != 0)
		return (-1);
	return (store_start(db, &sqlite_dialect, path, out));
}

int
store_open_postgresql(const char *conninfo, struct store **out)
{
	struct db	*db;

	*out = NULL;
	if (db_pg_open(conninfo, &db, open_err, sizeof open_err) != 0)
		return (-1);
	return (store_start(db, &pg_dialect, db->name, out));
}

void
store_close(struct store *s)
{
	int	i;

	if (s == NULL)
		return;
	for (i = 0; i < NSTMTS; i++)
		if (s->st[i] != NULL)
			s->db->ops->finalize(s->st[i]);
	/* an open transaction is rolled back */
	s->db->ops->close(s->db);
	free(s->path);
	free(s);
}

const char *
store_error(const struct store *s)
{
	return (s != NULL ? s->err : open_err);
}

const char *
store_kind(const struct store *s)
{
	return (s->db->ops->kind);
}

int
store_schema_version(struct store *s)
{
	int	v;

	if (s->db->ops->get_version(s->db, &v) != 0)
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
		seterr(s, s->gone ? "commit: the transaction was rolled back "
		    "after an earlier error" : "commit: no transaction");
		s->gone = false;
		return (-1);
	}
	return (tx_end(s, 1));
}

int
store_rollback(struct store *s)
{
	if (s->depth == 0) {
		if (s->gone) {
			s->gone = false;
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
name_index(const char *const *names, int n, const char *v)
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
	struct dbst		*st = s->st[S_TARGET_ADD];
	const struct task_target *tg;
	size_t			 i, j;
	int64_t			 pos = 0;

	if (!fresh) {
		db_bind_int(s->st[S_TARGETS_CLEAR], 1, seq);
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
	struct dbst	*st = s->st[S_TASK_PUT];
	int64_t		 seq = 0;
	int		 rc, fresh;

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
	db_bind_int(st, C_DIGEST + 1, (int64_t)task_digest(t));
	/* the upsert's UPDATE leaves the last rowid alone: clear it */
	(void)s->db->ops->last_rowid(s->db);
	/*
	 * PostgreSQL's upsert returns the row's seq and whether it is new;
	 * SQLite's returns nothing and leaves the rowid of a new row.
	 */
	fresh = 0;
	if ((rc = db_step(st)) == DB_ROW) {
		seq = db_col_int(st, 0);
		fresh = db_col_int(st, 1) != 0;
		rc = db_step(st);
	} else if (rc == DB_DONE && (seq = s->db->ops->last_rowid(s->db)) != 0)
		fresh = 1;
	if (rc != DB_DONE)
		fail(s, "task put");
	done(st);
	if (rc != DB_DONE) {
		(void)tx_end(s, 0);
		return (-1);
	}
	if (fresh)
		return (tx_end(s, put_targets(s, seq, t, 1) == 0));
	if (seq != 0)
		return (tx_end(s, put_targets(s, seq, t, 0) == 0));
	/* replaced: find its row, and its old targets go */
	st = s->st[S_TASK_SEQ];
	bind_str(st, 1, t->id);
	if ((rc = db_step(st)) == DB_ROW)
		seq = db_col_int(st, 0);
	else
		fail(s, "task put");
	done(st);
	return (tx_end(s, rc == DB_ROW && put_targets(s, seq, t, 0) ==
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
same_type(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == NULL && b == NULL);
	return (strcmp(a, (const char *)b) == 0);
}

/* One target row: a new target, or one more id of the previous one. */
static void
add_target_row(struct task *t, struct dbst *tg)
{
	const char	*type = db_col_text(tg, 1);
	struct task_target	*last;

	last = t->ntargets ? &t->targets[t->ntargets - 1] : NULL;
	if (last == NULL || last->ntarget_ids == 0 ||
	    db_col_null(tg, 2) ||
	    !same_type(last->target_type, type)) {
		t->targets = grow(t->targets, t->ntargets, sizeof *t->targets);
		last = &t->targets[t->ntargets++];
		memset(last, 0, sizeof *last);
		last->target_type = col_dup(tg, 1);
		if (db_col_null(tg, 2))
			return;
	}
	last->target_ids = grow(last->target_ids, last->ntarget_ids,
	    sizeof *last->target_ids);
	last->target_ids[last->ntarget_ids++] = col_dup(tg, 2);
}

static int
opt_int(struct dbst *st, int c, int *out)
{
	if (db_col_null(st, c))
		return (0);
	*out = (int)db_col_int(st, c);
	return (1);
}

/* One row of the load into t; -1 when a name is unknown. */
static int
task_from_row(struct store *s, struct dbst *st, struct task *t,
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
	t->day_interval = (int)db_col_int(st, COL(C_DAY_INTERVAL));
	t->week_mask = (unsigned)db_col_int(st, COL(C_WEEK_MASK));
	t->month_mask = (unsigned)db_col_int(st, COL(C_MONTH_MASK));
	t->date_mask = (uint32_t)db_col_int(st, COL(C_DATE_MASK));
	t->date_last = (int)db_col_int(st, COL(C_DATE_LAST)) != 0;
	t->week_list = col_dup(st, COL(C_WEEK_LIST));
	t->month_list = col_dup(st, COL(C_MONTH_LIST));
	t->date_list = col_dup(st, COL(C_DATE_LIST));
	t->task_cron = col_dup(st, COL(C_TASK_CRON));
	t->time_zone = col_dup(st, COL(C_TIME_ZONE));
	if ((t->has_expire = !db_col_null(st, COL(C_EXPIRE_MS))))
		t->expire_ms = db_col_int(st, COL(C_EXPIRE_MS));
	if ((t->has_once = !db_col_null(st, COL(C_ONCE_MS))))
		t->once_ms = db_col_int(st, COL(C_ONCE_MS));
	t->is_enable = (int)db_col_int(st, COL(C_IS_ENABLE)) != 0;
	t->enforcement_enable = (int)db_col_int(st,
	    COL(C_ENFORCEMENT_ENABLE)) != 0;
	t->life_cycle_type = col_dup(st, COL(C_LIFE_CYCLE_TYPE));
	t->priority = (int)db_col_int(st, COL(C_PRIORITY));
	t->wait_time = (int)db_col_int(st, COL(C_WAIT_TIME));
	t->input_param = col_dup(st, COL(C_INPUT_PARAM));
	t->risk_level = col_dup(st, COL(C_RISK_LEVEL));
	t->enable_approve = (int)db_col_int(st, COL(C_ENABLE_APPROVE)) != 0;
	t->enable_message_notification = (int)db_col_int(st,
	    COL(C_ENABLE_MESSAGE_NOTIFICATION)) != 0;
	t->message_notification = col_dup(st, COL(C_MESSAGE_NOTIFICATION));
	t->history_keep = (int)db_col_int(st, COL(C_HISTORY_KEEP));
	t->file = col_dup(st, COL(C_SOURCE));
	t->line = (int)db_col_int(st, COL(C_SOURCE_LINE));
	t->column = (int)db_col_int(st, COL(C_SOURCE_COLUMN));
	meta->source = t->file;
	meta->create_ms = db_col_int(st, COL(C_CREATE_MS));
	meta->update_ms = db_col_int(st, COL(C_UPDATE_MS));
	meta->last_fire = db_col_int(st, COL(C_LAST_FIRE));
	col_word(st, COL(C_LAST_STATUS), meta->last_status,
	    sizeof meta->last_status);
	col_word(st, COL(NTCOLS), meta->approve_status,
	    sizeof meta->approve_status);
	meta->approve_comments = (const char *)db_col_text(st,
	    COL(NTCOLS + 1));

	if ((i = name_index(task_sched_type_names, NSCHED,
	    db_col_text(st, COL(C_SCHEDULED_TYPE)))) < 0) {
		seterr(s, "task %s: unknown scheduled_type", t->id);
		return (-1);
	}
	t->scheduled_type = (enum task_sched_type)i;
	if ((i = name_index(task_misfire_names, NMISFIRE,
	    db_col_text(st, COL(C_MISFIRE_POLICY)))) < 0) {
		seterr(s, "task %s: unknown misfire_policy", t->id);
		return (-1);
	}
	t->misfire_policy = (enum task_misfire)i;
	if ((i = name_index(task_overlap_names, NOVERLAP,
	    db_col_text(st, COL(C_OVERLAP_POLICY)))) < 0) {
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
	struct dbst		*st = s->st[S_TASKS_LOAD];
	struct dbst		*tg = s->st[S_TARGETS_LOAD];
	struct store_task_meta	 meta;
	struct task		*t;
	int64_t			 seq, tseq = INT64_MIN;
	int			 rc, trc = DB_ROW, ret = 0;

	/* (trc, tseq) start as a row before every task: the first turn of
	   the inner loop steps onto the first target */
	while ((rc = db_step(st)) == DB_ROW) {
		seq = db_col_int(st, 0);
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
		while (trc == DB_ROW && tseq <= seq) {
			if (tseq == seq)
				add_target_row(t, tg);
			if ((trc = db_step(tg)) == DB_ROW)
				tseq = db_col_int(tg, 0);
		}
		if (trc != DB_ROW && trc != DB_DONE) {
			fail(s, "task load: targets");
			task_free(t);
			free(t);
			ret = -1;
			goto out;
		}
		if ((ret = cb(arg, t, &meta)) != 0)
			goto out;
	}
	if (rc != DB_DONE)
		ret = fail(s, "task load");
out:
	db_reset(st);
	db_reset(tg);
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
view_from_row(struct store *s, struct dbst *st, struct task *t,
    struct store_task_meta *meta, uint64_t *digest)
{
	int	i;

	memset(t, 0, sizeof *t);
	memset(meta, 0, sizeof *meta);
#define TXT(c)	((char *)(uintptr_t)db_col_text(st, (c)))
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
	    db_col_text(st, 4))) < 0) {
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
	t->day_interval = (int)db_col_int(st, 11);
	t->week_mask = (unsigned)db_col_int(st, 12);
	t->month_mask = (unsigned)db_col_int(st, 13);
	t->date_mask = (uint32_t)db_col_int(st, 14);
	t->date_last = (int)db_col_int(st, 15) != 0;
	t->task_cron = TXT(16);
	t->time_zone = TXT(17);
	if ((t->has_expire = !db_col_null(st, 18)))
		t->expire_ms = db_col_int(st, 18);
	if ((t->has_once = !db_col_null(st, 19)))
		t->once_ms = db_col_int(st, 19);
	t->is_enable = (int)db_col_int(st, 20) != 0;
	t->life_cycle_type = TXT(21);
	t->enable_approve = (int)db_col_int(st, 22) != 0;
	if ((i = name_index(task_misfire_names, NMISFIRE,
	    db_col_text(st, 23))) < 0) {
		seterr(s, "task %s: unknown misfire_policy", t->id);
		return (-1);
	}
	t->misfire_policy = (enum task_misfire)i;
	if ((i = name_index(task_overlap_names, NOVERLAP,
	    db_col_text(st, 24))) < 0) {
		seterr(s, "task %s: unknown overlap_policy", t->id);
		return (-1);
	}
	t->overlap_policy = (enum task_overlap)i;
	t->file = TXT(25);
	meta->source = t->file;
	meta->create_ms = db_col_int(st, 26);
	meta->update_ms = meta->create_ms;
	meta->last_fire = db_col_int(st, 27);
	col_word(st, 28, meta->last_status, sizeof meta->last_status);
	col_word(st, 29, meta->approve_status, sizeof meta->approve_status);
	*digest = db_col_null(st, 30) ? 0 :
	    (uint64_t)db_col_int(st, 30);
	return (0);
}

/*
 * SQLite steps one statement through the table, across calls, handing out
 * views into its rows.  PostgreSQL reads SCAN_CHUNK rows a statement and
 * goes on after the last seq it gave: a result is whole in memory, and a
 * cursor would need a transaction open across the daemon's calls.
 */
int
store_tasks_scan_some(struct store *s, store_task_view_cb cb, void *arg,
    size_t max, bool *done)
{
	struct dbst		*st = s->st[S_TASKS_SCAN];
	struct store_task_meta	 meta;
	struct task		 t;
	uint64_t		 digest;
	size_t			 n = 0, chunk = s->dl->scan_chunk;
	int			 rc = DB_ROW, ret = 0;

	*done = false;
	if (!s->scan_open) {
		s->scan_open = true;
		s->scan_seq = 0;
		s->scan_rows = 0;
		bind_int(st, 1, 0);
	}
	while (n++ < max) {
		rc = db_step(st);
		if (rc == DB_DONE && chunk > 0 && s->scan_rows == chunk) {
			/* a whole chunk: there may be more after it */
			db_reset(st);
			bind_int(st, 1, s->scan_seq);
			s->scan_rows = 0;
			rc = db_step(st);
		}
		if (rc != DB_ROW)
			break;
		if (chunk > 0) {
			s->scan_rows++;
			s->scan_seq = db_col_int(st, NVIEW_COLS);
		}
		if ((ret = view_from_row(s, st, &t, &meta, &digest)) != 0 ||
		    (ret = cb(arg, &t, &meta, digest)) != 0)
			break;
	}
	if (ret == 0 && rc != DB_ROW && rc != DB_DONE)
		ret = fail(s, "task scan");
	/* the statement stays where it is for the next call, unless over */
	if (ret != 0 || rc != DB_ROW) {
		db_reset(st);
		db_clear(st);
		s->scan_open = false;
		*done = true;
	}
	return (ret);
}

int
store_task_item(struct store *s, const char *id, store_task_view_cb cb,
    void *arg)
{
	struct dbst		*st = s->st[S_TASK_ITEM];
	struct store_task_meta	 meta;
	struct task		 t;
	uint64_t		 digest;
	int			 rc, ret;

	bind_str(st, 1, id);
	if ((rc = db_step(st)) == DB_ROW) {
		if ((ret = view_from_row(s, st, &t, &meta, &digest)) == 0) {
			t.description = TXT(NVIEW_COLS);
			t.priority = (int)db_col_int(st, NVIEW_COLS + 1);
			t.wait_time = (int)db_col_int(st, NVIEW_COLS + 2);
			ret = cb(arg, &t, &meta, digest);
		}
	} else if (rc == DB_DONE) {
		seterr(s, "task %s: not stored", id);
		ret = 1;
	} else
		ret = fail(s, "task item");
#undef TXT
	db_reset(st);
	db_clear(st);
	return (ret);
}

int
store_file_get(struct store *s, struct store_file *f)
{
	struct dbst	*st = s->st[S_FILE_GET];
	int		 rc, ret = 0;

	bind_str(st, 1, f->path);
	if ((rc = db_step(st)) == DB_ROW) {
		f->dev = (uint64_t)db_col_int(st, 0);
		f->ino = (uint64_t)db_col_int(st, 1);
		f->size = (uint64_t)db_col_int(st, 2);
		f->mtime_ns = db_col_int(st, 3);
		f->ctime_ns = db_col_int(st, 4);
	} else if (rc == DB_DONE)
		ret = 1;
	else
		ret = fail(s, "task file get");
	done(st);
	return (ret);
}

int
store_files_replace(struct store *s, const struct store_file *f, size_t n)
{
	struct dbst	*st = s->st[S_FILE_PUT];
	size_t		 i;

	if (tx_begin(s) != 0)
		return (-1);
	if (run(s, S_FILES_CLEAR, "task files") != 0)
		return (tx_end(s, 0));
	for (i = 0; i < n; i++) {
		bind_str(st, 1, f[i].path);
		db_bind_int(st, 2, (int64_t)f[i].dev);
		db_bind_int(st, 3, (int64_t)f[i].ino);
		db_bind_int(st, 4, (int64_t)f[i].size);
		db_bind_int(st, 5, f[i].mtime_ns);
		db_bind_int(st, 6, f[i].ctime_ns);
		if (run(s, S_FILE_PUT, "task file put") != 0)
			return (tx_end(s, 0));
	}
	return (tx_end(s, 1));
}

int
store_tasks_count(struct store *s, int64_t *n)
{
	struct dbst	*st = s->st[S_TASK_COUNT];
	int		 ret = 0;

	if (db_step(st) == DB_ROW)
		*n = db_col_int(st, 0);
	else
		ret = fail(s, "task count");
	db_reset(st);
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
	struct dbst	*st = s->st[S_TASK_GET];
	struct dbst	*tg = s->st[S_TARGETS_OF];
	int		 rc, ret = 0;

	memset(t, 0, sizeof *t);
	memset(meta, 0, sizeof *meta);
	*approve_comments = NULL;
	db_bind_text(st, 1, id);
	if ((rc = db_step(st)) != DB_ROW) {
		ret = rc == DB_DONE ? 1 : fail(s, "task get");
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
	db_bind_int(tg, 1, db_col_int(st, 0));
	while ((rc = db_step(tg)) == DB_ROW)
		add_target_row(t, tg);
	if (rc != DB_DONE) {
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
	db_reset(st);
	db_clear(st);
	db_reset(tg);
	return (ret);
}

static int
changed(struct store *s, int rc, const char *what, const char *id)
{
	if (rc != 0)
		return (-1);
	if (s->db->ops->changes(s->db) == 0) {
		seterr(s, "%s: no such %s", id, what);
		return (1);
	}
	return (0);
}

int
store_task_delete(struct store *s, const char *id, int64_t now_ms)
{
	struct dbst	*st = s->st[S_TASK_DELETE];

	bind_str(st, 1, id);
	bind_int(st, 2, now_ms);
	return (changed(s, run(s, S_TASK_DELETE, "task delete"), "task", id));
}

int
store_task_set_status(struct store *s, const char *id,
    const char *last_status, int64_t last_fire)
{
	struct dbst	*st = s->st[S_TASK_STATUS];

	bind_str(st, 1, id);
	bind_str(st, 2, last_status);
	bind_int(st, 3, last_fire);
	return (changed(s, run(s, S_TASK_STATUS, "task status"), "task", id));
}

int
store_task_set_approve(struct store *s, const char *id, const char *status,
    const char *comments)
{
	struct dbst	*st = s->st[S_TASK_APPROVE];

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
	struct dbst	*st = s->st[S_PLANNED_PUT];

	bind_str(st, 1, p->task_id);
	bind_str(st, 2, p->instance_id);
	bind_int(st, 3, p->planned_at);
	bind_opt(st, 4, p->execute_at != 0, p->execute_at);
	bind_str(st, 5, p->status);
	/*
	 * A level of its own: the put fails for an unknown task, and on
	 * PostgreSQL that must not abort the caller's transaction.
	 */
	if (tx_begin(s) != 0) {
		done(st);
		return (-1);
	}
	return (tx_end(s, run(s, S_PLANNED_PUT, "planned record put") == 0));
}

int
store_planned_delete(struct store *s, const char *task_id,
    const char *instance_id, int64_t planned_at)
{
	struct dbst	*st = s->st[S_PLANNED_DELETE];

	bind_str(st, 1, task_id);
	bind_str(st, 2, instance_id);
	bind_int(st, 3, planned_at);
	return (changed(s, run(s, S_PLANNED_DELETE, "planned record delete"),
	    "planned record", task_id));
}

int
store_planned_load(struct store *s, store_planned_cb cb, void *arg)
{
	struct dbst		*st = s->st[S_PLANNED_LOAD];
	struct store_planned	 p;
	int			 rc, ret = 0;

	while ((rc = db_step(st)) == DB_ROW) {
		memset(&p, 0, sizeof p);
		p.task_id = (const char *)db_col_text(st, 0);
		p.instance_id = (const char *)db_col_text(st, 1);
		p.planned_at = db_col_int(st, 2);
		p.execute_at = db_col_int(st, 3);	/* NULL: 0 */
		col_word(st, 4, p.status, sizeof p.status);
		if ((ret = cb(arg, &p)) != 0)
			goto out;
	}
	if (rc != DB_DONE)
		ret = fail(s, "planned record load");
out:
	db_reset(st);
	return (ret);
}

/* Executions */

static int
put_subtask(struct store *s, enum stmt_id id, const char *execution_id,
    size_t index, const struct store_subtask *sub)
{
	struct dbst	*st = s->st[id];

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

/* The 17 parameters of an execution row (EXEC_COLS), node the last. */
static void
bind_execution(struct dbst *st, const struct store_execution *e,
    const char *node)
{
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
	bind_str(st, 17, node);
}

static int
insert_subtasks(struct store *s, const struct store_execution *e)
{
	size_t	i;

	for (i = 0; i < e->nsubtasks; i++)
		if (put_subtask(s, S_SUB_INSERT, e->id, i,
		    &e->subtasks[i]) != 0)
			return (-1);
	return (0);
}

int
store_execution_insert(struct store *s, const struct store_execution *e)
{
	int	ok;

	if (tx_begin(s) != 0)
		return (-1);
	bind_execution(s->st[S_EXEC_INSERT], e, e->node);
	ok = run(s, S_EXEC_INSERT, "execution insert") == 0 &&
	    insert_subtasks(s, e) == 0;
	return (tx_end(s, ok));
}

static int64_t
local_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/*
 * In a savepoint of its own: a failure (a task not stored) must not leave
 * the caller's batch transaction able only to roll back; a refused claim
 * is no failure, ON CONFLICT DO NOTHING sees to that.
 */
int
store_execution_claim(struct store *s, const struct store_execution *e,
    const char *node, int64_t *db_now_ms)
{
	struct dbst	*st = s->st[S_CLAIM];
	int64_t		 inserted = 0;
	int		 rc, ret;

	if (!s->dl->cluster) {
		/* one node: nobody else claims, and the clock is ours */
		*db_now_ms = local_now_ms();
		return (store_execution_insert(s, e));
	}
	*db_now_ms = 0;
	if (tx_begin(s) != 0)
		return (-1);
	bind_execution(st, e, node);
	if ((rc = db_step(st)) == DB_ROW) {
		*db_now_ms = db_col_int(st, 0);
		inserted = db_col_int(st, 1);
		rc = db_step(st);
	}
	if (rc != DB_DONE)
		fail(s, "execution claim");
	done(st);
	if (rc != DB_DONE)
		return (tx_end(s, 0));
	if (inserted > 0) {
		/* ours: its subtasks go in with it */
		ret = insert_subtasks(s, e) == 0 ? 0 : -1;
		return (tx_end(s, ret == 0) != 0 ? -1 : 0);
	}
	if (*db_now_ms < e->scheduled_at * 1000) {
		seterr(s, "execution claim: %s at %lld: too early by the "
		    "database's clock (%lld ms)", e->task_id,
		    (long long)e->scheduled_at, (long long)*db_now_ms);
		ret = 2;
	} else {
		seterr(s, "execution claim: %s at %lld: already claimed",
		    e->task_id, (long long)e->scheduled_at);
		ret = 1;
	}
	return (tx_end(s, 1) != 0 ? -1 : ret);
}

int
store_execution_update(struct store *s, const struct store_execution *e)
{
	struct dbst	*st = s->st[S_EXEC_UPDATE];

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
execution_from_row(struct dbst *st, struct store_execution *e)
{
	memset(e, 0, sizeof *e);
	e->id = col_dup(st, 0);
	e->task_id = col_dup(st, 1);
	e->task_type = col_dup(st, 2);
	e->scheduled_type = col_dup(st, 3);
	e->time_zone = col_dup(st, 4);
	col_word(st, 5, e->status, sizeof e->status);
	e->reason = col_dup(st, 6);
	e->total_count = (int)db_col_int(st, 7);
	e->success_count = (int)db_col_int(st, 8);
	e->failed_count = (int)db_col_int(st, 9);
	e->excuting_count = (int)db_col_int(st, 10);
	e->skipped_count = (int)db_col_int(st, 11);
	e->scheduled_at = db_col_int(st, 12);
	e->begin_ms = db_col_int(st, 13);
	e->end_ms = db_col_int(st, 14);
	e->create_ms = db_col_int(st, 15);
	e->node = col_dup(st, 16);
}

static int
get_subtasks(struct store *s, struct store_execution *e)
{
	struct dbst		*st = s->st[S_SUBS_GET];
	struct store_subtask	*sub;
	int			 rc;

	bind_str(st, 1, e->id);
	while ((rc = db_step(st)) == DB_ROW) {
		e->subtasks = grow(e->subtasks, e->nsubtasks,
		    sizeof *e->subtasks);
		sub = &e->subtasks[e->nsubtasks++];
		sub->target_type = col_dup(st, 0);
		sub->target_id = col_dup(st, 1);
		col_word(st, 2, sub->status, sizeof sub->status);
		sub->exit_code = (int)db_col_int(st, 3);
		sub->reason = col_dup(st, 4);
		sub->output_tail = col_dup(st, 5);
		sub->begin_ms = db_col_int(st, 6);
		sub->end_ms = db_col_int(st, 7);
	}
	if (rc != DB_DONE)
		fail(s, "subtasks");
	done(st);
	return (rc == DB_DONE ? 0 : -1);
}

int
store_execution_get(struct store *s, const char *id,
    struct store_execution *out)
{
	struct dbst	*st = s->st[S_EXEC_GET];
	int		 rc;

	memset(out, 0, sizeof *out);
	bind_str(st, 1, id);
	if ((rc = db_step(st)) == DB_ROW)
		execution_from_row(st, out);
	else if (rc != DB_DONE)
		fail(s, "execution get");
	done(st);
	if (rc == DB_DONE) {
		seterr(s, "%s: no such execution", id);
		return (1);
	}
	if (rc != DB_ROW)
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
	struct dbst		*st = s->st[S_EXEC_COUNT];
	struct store_execution	*v = NULL;
	size_t			 i, count = 0;
	int			 rc;

	*out = NULL;
	*n = 0;
	*total = 0;
	bind_str(st, 1, task_id);
	if ((rc = db_step(st)) == DB_ROW)
		*total = (int)db_col_int(st, 0);
	else
		fail(s, "history");
	done(st);
	if (rc != DB_ROW)
		return (-1);
	if (limit <= 0)
		return (0);
	st = s->st[S_EXEC_PAGE];
	bind_str(st, 1, task_id);
	bind_int(st, 2, limit);
	bind_int(st, 3, offset > 0 ? offset : 0);
	while ((rc = db_step(st)) == DB_ROW) {
		v = grow(v, count, sizeof *v);
		execution_from_row(st, &v[count++]);
	}
	if (rc != DB_DONE)
		fail(s, "history");
	done(st);
	/* the subtasks only once the page's statement is reset */
	for (i = 0; rc == DB_DONE && i < count; i++)
		if (get_subtasks(s, &v[i]) != 0)
			rc = DB_ERROR;
	if (rc != DB_DONE) {
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
	free(e->node);
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

/* The four statements of a close, inside the caller's transaction. */
static int
close_running(struct store *s, const char *node, const char *reason,
    int64_t now_ms, int *closed)
{
	bind_str(s->st[S_CLOSE_COUNTS], 1, node);
	if (run(s, S_CLOSE_COUNTS, "close running: counts") != 0)
		return (-1);
	bind_str(s->st[S_CLOSE_SUBS], 1, reason);
	bind_int(s->st[S_CLOSE_SUBS], 2, now_ms);
	bind_str(s->st[S_CLOSE_SUBS], 3, node);
	if (run(s, S_CLOSE_SUBS, "close running: subtasks") != 0)
		return (-1);
	bind_str(s->st[S_CLOSE_TASKS], 1, node);
	if (run(s, S_CLOSE_TASKS, "close running: tasks") != 0)
		return (-1);
	bind_str(s->st[S_CLOSE_EXECS], 1, reason);
	bind_int(s->st[S_CLOSE_EXECS], 2, now_ms);
	bind_str(s->st[S_CLOSE_EXECS], 3, node);
	if (run(s, S_CLOSE_EXECS, "close running") != 0)
		return (-1);
	*closed = (int)s->db->ops->changes(s->db);
	return (0);
}

int
store_close_running_node(struct store *s, const char *node,
    const char *reason, int64_t now_ms, int *closed)
{
	int	ok;

	*closed = 0;
	if (tx_begin(s) != 0)
		return (-1);
	ok = close_running(s, node, reason, now_ms, closed) == 0;
	if (tx_end(s, ok) != 0) {
		*closed = 0;
		return (-1);
	}
	return (0);
}

int
store_close_running(struct store *s, const char *reason, int64_t now_ms,
    int *closed)
{
	return (store_close_running_node(s, NULL, reason, now_ms, closed));
}

int
store_prune(struct store *s, const char *task_id, int keep, int batch,
    int *deleted)
{
	struct dbst	*st = s->st[S_PRUNE];

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
	*deleted = s->db->ops->changes(s->db);
	return (0);
}

/*
 * Issue 4 (API task routes): the project of a task row, deleted or not,
 * so that a deleted task's history stays readable until it is pruned.
 */
int
store_task_project(struct store *s, const char *id, char *project,
    size_t len)
{
	struct dbst	*st = s->st[S_TASK_PROJECT];
	const char	*p;
	int		 rc, ret = 0;

	bind_str(st, 1, id);
	if ((rc = db_step(st)) == DB_ROW) {
		p = db_col_text(st, 0);
		snprintf(project, len, "%s", p != NULL ? p : "");
	} else if (rc == DB_DONE) {
		seterr(s, "%s: no such task", id);
		ret = 1;
	} else
		ret = fail(s, "task project");
	done(st);
	return (ret);
}

/* Cluster */

/* The nodes are PostgreSQL's: a single node has no row of its own. */
int
store_node_join(struct store *s, const char *name, uint64_t incarnation,
    int dead_after_s)
{
	struct dbst	*st = s->st[S_NODE_JOIN];
	int		 rc, got = 0;

	if (!s->dl->cluster)
		return (0);
	bind_str(st, 1, name);
	bind_int(st, 2, (int64_t)incarnation);
	bind_int(st, 3, dead_after_s);
	while ((rc = db_step(st)) == DB_ROW)
		got = 1;
	if (rc != DB_DONE)
		fail(s, "node join");
	done(st);
	if (rc != DB_DONE)
		return (-1);
	if (!got) {
		seterr(s, "node %s: another node of that name is alive",
		    name);
		return (1);
	}
	return (0);
}

int
store_node_beat(struct store *s, const char *name, uint64_t incarnation,
    int64_t fired, int running, int64_t *db_now_ms)
{
	struct dbst	*st = s->st[S_NODE_BEAT];
	int64_t		 beaten = 0;
	int		 rc;

	if (!s->dl->cluster) {
		*db_now_ms = local_now_ms();
		return (0);
	}
	*db_now_ms = 0;
	bind_str(st, 1, name);
	bind_int(st, 2, (int64_t)incarnation);
	bind_int(st, 3, fired);
	bind_int(st, 4, running);
	if ((rc = db_step(st)) == DB_ROW) {
		*db_now_ms = db_col_int(st, 0);
		beaten = db_col_int(st, 1);
		rc = db_step(st);
	}
	if (rc != DB_DONE)
		fail(s, "node heartbeat");
	done(st);
	if (rc != DB_DONE)
		return (-1);
	if (beaten == 0) {
		seterr(s, "node %s: declared dead or taken by another start",
		    name);
		return (1);
	}
	return (0);
}

int
store_node_leave(struct store *s, const char *name, uint64_t incarnation)
{
	struct dbst	*st = s->st[S_NODE_LEAVE];

	if (!s->dl->cluster)
		return (0);
	bind_str(st, 1, name);
	bind_int(st, 2, (int64_t)incarnation);
	return (changed(s, run(s, S_NODE_LEAVE, "node leave"), "node of this "
	    "incarnation", name));
}

int
store_nodes(struct store *s, struct store_node **out, size_t *n)
{
	struct dbst		*st = s->st[S_NODES];
	struct store_node	*v = NULL, *nd;
	size_t			 count = 0;
	int			 rc;

	*out = NULL;
	*n = 0;
	if (!s->dl->cluster)
		return (0);
	while ((rc = db_step(st)) == DB_ROW) {
		v = grow(v, count, sizeof *v);
		nd = &v[count++];
		memset(nd, 0, sizeof *nd);
		col_word(st, 0, nd->name, sizeof nd->name);
		col_word(st, 1, nd->state, sizeof nd->state);
		nd->incarnation = (uint64_t)db_col_int(st, 2);
		nd->started_ms = db_col_int(st, 3);
		nd->heartbeat_ms = db_col_int(st, 4);
		nd->age_ms = db_col_int(st, 5);
		nd->fired = db_col_int(st, 6);
		nd->running = (int)db_col_int(st, 7);
	}
	if (rc != DB_DONE)
		fail(s, "nodes");
	done(st);
	if (rc != DB_DONE) {
		free(v);
		return (-1);
	}
	*out = v;
	*n = count;
	return (0);
}

/*
 * The row lock is the arbiter: SKIP LOCKED makes a second survivor find
 * no row (1) instead of waiting and doing it again, and the state dead,
 * committed with the closes, keeps later ones out.
 */
int
store_node_take_over(struct store *s, const char *name, int dead_after_s,
    const char *reason, int64_t now_ms, int *closed)
{
	struct dbst	*st = s->st[S_NODE_LOCK];
	int		 rc, got = 0, ok;

	*closed = 0;
	if (!s->dl->cluster) {
		seterr(s, "node %s: no nodes on a single node", name);
		return (1);
	}
	if (tx_begin(s) != 0)
		return (-1);
	bind_str(st, 1, name);
	bind_int(st, 2, dead_after_s);
	while ((rc = db_step(st)) == DB_ROW)
		got = 1;
	if (rc != DB_DONE)
		fail(s, "node take over");
	done(st);
	if (rc != DB_DONE)
		return (tx_end(s, 0));
	if (!got) {
		seterr(s, "node %s: not dead, or taken care of", name);
		return (tx_end(s, 1) != 0 ? -1 : 1);
	}
	ok = close_running(s, name, reason, now_ms, closed) == 0;
	if (ok) {
		bind_str(s->st[S_NODE_DEAD], 1, name);
		ok = run(s, S_NODE_DEAD, "node take over") == 0;
	}
	if (tx_end(s, ok) != 0) {
		*closed = 0;
		return (-1);
	}
	return (0);
}

int
store_notify(struct store *s, const char *payload)
{
	if (!s->dl->cluster)
		return (0);
	if (strlen(payload) > 7999) {
		seterr(s, "notify: a payload of %zu bytes (at most 7999)",
		    strlen(payload));
		return (-1);
	}
	bind_str(s->st[S_NOTIFY], 1, payload);
	return (run(s, S_NOTIFY, "notify"));
}

int
store_listen(struct store *s, int *fd)
{
	*fd = -1;
	if (s->db->ops->listen(s->db, "sked", fd) != 0)
		return (fail(s, "listen"));
	s->listening = s->dl->cluster;
	return (0);
}

int
store_notifications(struct store *s, store_notify_cb cb, void *arg)
{
	int	n;

	if ((n = s->db->ops->notifications(s->db, cb, arg)) < 0)
		return (fail(s, "notifications"));
	return (n);
}

bool
store_lost(const struct store *s)
{
	return (s->db->ops->lost(s->db));
}

/*
 * The driver opens the connection again and prepares its statements and
 * LISTENs again itself; what was open on the old one is gone.
 */
int
store_reconnect(struct store *s)
{
	if (s->db->ops->reconnect(s->db) != 0)
		return (fail(s, "reconnect"));
	s->depth = 0;
	s->gone = false;
	if (s->scan_open) {
		done(s->st[S_TASKS_SCAN]);
		s->scan_open = false;
	}
	return (0);
}
