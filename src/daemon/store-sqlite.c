/*
 * The SQLite driver of the store (store-db.h): one file, WAL, foreign
 * keys, a busy timeout; statements prepared persistent.  Every call is a
 * thin wrapper: the store's scan reads columns straight from SQLite's row,
 * so a driver call must cost no more than the function it wraps.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store-db.h"

#define BUSY_TIMEOUT_MS	5000

struct sqdb {
	struct db	 base;
	sqlite3		*db;
};

struct sqst {
	struct dbst	 base;
	sqlite3_stmt	*st;
};

#define SQDB(d)	((struct sqdb *)(void *)(d))
#define SQST(s)	(((struct sqst *)(void *)(s))->st)

static void
sq_close(struct db *d)
{
	if (d == NULL)
		return;
	/* an open transaction is rolled back */
	sqlite3_close(SQDB(d)->db);
	free(d);
}

static const char *
sq_errmsg(struct db *d)
{
	return (sqlite3_errmsg(SQDB(d)->db));
}

static int
sq_prepare(struct db *d, const char *sql, struct dbst **out)
{
	struct sqst	*st;

	if ((st = calloc(1, sizeof *st)) == NULL)
		abort();
	st->base.db = d;
	if (sqlite3_prepare_v3(SQDB(d)->db, sql, -1,
	    SQLITE_PREPARE_PERSISTENT, &st->st, NULL) != SQLITE_OK) {
		free(st);
		return (-1);
	}
	*out = &st->base;
	return (0);
}

static void
sq_finalize(struct dbst *st)
{
	if (st == NULL)
		return;
	sqlite3_finalize(SQST(st));
	free(st);
}

static int
sq_exec(struct db *d, const char *sql)
{
	return (sqlite3_exec(SQDB(d)->db, sql, NULL, NULL, NULL) == SQLITE_OK ?
	    0 : -1);
}

static bool
sq_in_tx(struct db *d)
{
	return (!sqlite3_get_autocommit(SQDB(d)->db));
}

static bool
sq_tx_failed(struct db *d)
{
	(void)d;
	return (false);
}

static int64_t
sq_changes(struct db *d)
{
	return (sqlite3_changes(SQDB(d)->db));
}

static int64_t
sq_last_rowid(struct db *d)
{
	int64_t	v = sqlite3_last_insert_rowid(SQDB(d)->db);

	/* an upsert's UPDATE leaves it alone: 0 tells that apart */
	sqlite3_set_last_insert_rowid(SQDB(d)->db, 0);
	return (v);
}

static int
sq_get_version(struct db *d, int *v)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(SQDB(d)->db, "PRAGMA user_version", -1, &st,
	    NULL) != SQLITE_OK)
		return (-1);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return (rc == SQLITE_ROW ? 0 : -1);
}

static int
sq_set_version(struct db *d, int v)
{
	char	sql[64];

	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v);
	return (sq_exec(d, sql));
}

/* One writer: nobody else to hear from, or to lose. */
static int
sq_listen(struct db *d, const char *channel, int *fd)
{
	(void)d;
	(void)channel;
	*fd = -1;
	return (0);
}

static int
sq_notifications(struct db *d, db_notify_cb cb, void *arg)
{
	(void)d;
	(void)cb;
	(void)arg;
	return (0);
}

static bool
sq_lost(struct db *d)
{
	(void)d;
	return (false);
}

static int
sq_reconnect(struct db *d)
{
	(void)d;
	return (0);
}

static void
sq_bind_null(struct dbst *st, int i)
{
	sqlite3_bind_null(SQST(st), i);
}

static void
sq_bind_int(struct dbst *st, int i, int64_t v)
{
	sqlite3_bind_int64(SQST(st), i, v);
}

static void
sq_bind_text(struct dbst *st, int i, const char *v)
{
	/* the caller's string outlives the step, so no copy */
	sqlite3_bind_text(SQST(st), i, v, -1, SQLITE_STATIC);
}

static int
sq_step(struct dbst *st)
{
	switch (sqlite3_step(SQST(st))) {
	case SQLITE_ROW:
		return (DB_ROW);
	case SQLITE_DONE:
		return (DB_DONE);
	default:
		return (DB_ERROR);
	}
}

static void
sq_reset(struct dbst *st)
{
	sqlite3_reset(SQST(st));
}

static void
sq_clear(struct dbst *st)
{
	sqlite3_clear_bindings(SQST(st));
}

static bool
sq_col_null(struct dbst *st, int i)
{
	return (sqlite3_column_type(SQST(st), i) == SQLITE_NULL);
}

static int64_t
sq_col_int(struct dbst *st, int i)
{
	return (sqlite3_column_int64(SQST(st), i));
}

static const char *
sq_col_text(struct dbst *st, int i)
{
	return ((const char *)sqlite3_column_text(SQST(st), i));
}

static size_t
sq_col_bytes(struct dbst *st, int i)
{
	return ((size_t)sqlite3_column_bytes(SQST(st), i));
}

static const struct db_ops sq_ops = {
	.kind = "sqlite",
	.close = sq_close,
	.prepare = sq_prepare,
	.finalize = sq_finalize,
	.exec = sq_exec,
	.errmsg = sq_errmsg,
	.in_tx = sq_in_tx,
	.tx_failed = sq_tx_failed,
	.changes = sq_changes,
	.last_rowid = sq_last_rowid,
	.get_version = sq_get_version,
	.set_version = sq_set_version,
	.listen = sq_listen,
	.notifications = sq_notifications,
	.lost = sq_lost,
	.reconnect = sq_reconnect,
	.bind_null = sq_bind_null,
	.bind_int = sq_bind_int,
	.bind_text = sq_bind_text,
	.step = sq_step,
	.reset = sq_reset,
	.clear = sq_clear,
	.col_null = sq_col_null,
	.col_int = sq_col_int,
	.col_text = sq_col_text,
	.col_bytes = sq_col_bytes,
};

static int
pragma_wal(struct sqdb *q, const char *path, char *err, size_t len)
{
	sqlite3_stmt		*st;
	const unsigned char	*mode;
	int			 rc = -1;

	if (sqlite3_prepare_v2(q->db, "PRAGMA journal_mode = WAL", -1, &st,
	    NULL) != SQLITE_OK) {
		snprintf(err, len, "database %s: %s", path,
		    sqlite3_errmsg(q->db));
		return (-1);
	}
	if (sqlite3_step(st) != SQLITE_ROW)
		snprintf(err, len, "database %s: %s", path,
		    sqlite3_errmsg(q->db));
	else if ((mode = sqlite3_column_text(st, 0)) == NULL ||
	    (strcmp((const char *)mode, "wal") != 0 &&
	    strcmp((const char *)mode, "memory") != 0))
		snprintf(err, len, "database %s: cannot use WAL (journal mode "
		    "%s)", path, mode != NULL ? (const char *)mode : "unknown");
	else
		rc = 0;
	sqlite3_finalize(st);
	return (rc);
}

static int
pragma(struct sqdb *q, const char *sql, const char *what, const char *path,
    char *err, size_t len)
{
	if (sqlite3_exec(q->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, len, "database %s: %s: %s", path, what,
		    sqlite3_errmsg(q->db));
		return (-1);
	}
	return (0);
}

int
db_sqlite_open(const char *path, struct db **out, char *err, size_t len)
{
	struct sqdb	*q;
	int		 rc, serr;

	*out = NULL;
	if ((q = calloc(1, sizeof *q)) == NULL) {
		snprintf(err, len, "database %s: %s", path, strerror(ENOMEM));
		return (-1);
	}
	q->base.ops = &sq_ops;
	q->base.name = path;	/* the store keeps its copy */
	/* NOMUTEX: one thread at a time, so the locks would only cost */
	rc = sqlite3_open_v2(path, &q->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		serr = q->db != NULL ? sqlite3_system_errno(q->db) : 0;
		snprintf(err, len, "database %s: %s%s%s%s", path, q->db !=
		    NULL ? sqlite3_errmsg(q->db) : sqlite3_errstr(rc),
		    serr ? " (" : "", serr ? strerror(serr) : "",
		    serr ? ")" : "");
		goto fail;
	}
	sqlite3_extended_result_codes(q->db, 1);
	sqlite3_busy_timeout(q->db, BUSY_TIMEOUT_MS);
	/* foreign_keys is per connection and off by default */
	/*
	 * temp_store: statement journals and savepoints copy the pages they
	 * touch, to files otherwise (a third of the time of a bulk put).
	 */
	if (pragma(q, "PRAGMA foreign_keys = ON", "foreign keys", path, err,
	    len) != 0 ||
	    pragma_wal(q, path, err, len) != 0 ||
	    pragma(q, "PRAGMA synchronous = NORMAL", "synchronous", path, err,
	    len) != 0 ||
	    pragma(q, "PRAGMA temp_store = MEMORY", "temp_store", path, err,
	    len) != 0)
		goto fail;
	*out = &q->base;
	return (0);
fail:
	sq_close(&q->base);
	return (-1);
}
