/*
 * The database driver under the store (store.c): one connection of one
 * engine, its prepared statements, their parameters, rows and columns.
 * store.c holds the logic and the SQL once; a driver only moves values:
 * store-sqlite.c (SQLite) and store-pg.c (PostgreSQL through libpq).
 *
 * SQL is written with ?N parameters, as SQLite takes them; the
 * PostgreSQL driver makes them $N.  A text bound is not copied: it must
 * stay valid until the statement is reset.  A column's text is valid until
 * the next step or reset of its statement; NULL for SQL NULL.
 */
#ifndef SKED_STORE_DB_H
#define SKED_STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DB_ROW		1
#define DB_DONE		0
#define DB_ERROR	(-1)

struct db;
struct dbst;

/* How notifications reach the store (store_notifications). */
typedef void (*db_notify_cb)(void *arg, const char *payload);

struct db_ops {
	const char	*kind;		/* "sqlite" "postgresql" */
	void		 (*close)(struct db *);
	/* 0, or -1 with errmsg() set */
	int		 (*prepare)(struct db *, const char *sql,
			    struct dbst **);
	void		 (*finalize)(struct dbst *);
	/* statements without parameters or rows, ;-separated */
	int		 (*exec)(struct db *, const char *sql);
	/* the reason of the last failure */
	const char	*(*errmsg)(struct db *);
	/* a transaction is open (false after the engine ended it itself) */
	bool		 (*in_tx)(struct db *);
	/* it is open but failed: it can only roll back (PostgreSQL) */
	bool		 (*tx_failed)(struct db *);
	/* rows the last statement changed */
	int64_t		 (*changes)(struct db *);
	/* the rowid of the last insert, 0 when unknown (then reset to 0) */
	int64_t		 (*last_rowid)(struct db *);
	/* the schema version (0: none yet), and setting it */
	int		 (*get_version)(struct db *, int *);
	int		 (*set_version)(struct db *, int);
	/* cluster: LISTEN, its socket, and what came (-1: failed) */
	int		 (*listen)(struct db *, const char *channel, int *fd);
	int		 (*notifications)(struct db *, db_notify_cb, void *);
	bool		 (*lost)(struct db *);
	int		 (*reconnect)(struct db *);

	void		 (*bind_null)(struct dbst *, int);
	void		 (*bind_int)(struct dbst *, int, int64_t);
	void		 (*bind_text)(struct dbst *, int, const char *);
	/* DB_ROW, DB_DONE or DB_ERROR */
	int		 (*step)(struct dbst *);
	/* back to before the first step (bindings stay) */
	void		 (*reset)(struct dbst *);
	void		 (*clear)(struct dbst *);	/* every binding NULL */
	bool		 (*col_null)(struct dbst *, int);
	int64_t		 (*col_int)(struct dbst *, int);
	const char	*(*col_text)(struct dbst *, int);
	size_t		 (*col_bytes)(struct dbst *, int);
};

/* Every engine's connection and statement begins with these. */
struct db {
	const struct db_ops	*ops;
	const char		*name;	/* for messages, no password */
};

struct dbst {
	struct db		*db;
};

/*
 * Open a connection: 0, or -1 with the reason in err (naming the database
 * but never a password).
 */
int	db_sqlite_open(const char *path, struct db **, char *err, size_t);
int	db_pg_open(const char *conninfo, struct db **, char *err, size_t);

/* A reason's first line, cut to fit (server messages run on). */
void	db_first_line(char *buf, size_t size, const char *msg);

static inline int
db_step(struct dbst *st)
{
	return (st->db->ops->step(st));
}

static inline void
db_reset(struct dbst *st)
{
	st->db->ops->reset(st);
}

static inline void
db_clear(struct dbst *st)
{
	st->db->ops->clear(st);
}

static inline void
db_bind_int(struct dbst *st, int i, int64_t v)
{
	st->db->ops->bind_int(st, i, v);
}

static inline void
db_bind_null(struct dbst *st, int i)
{
	st->db->ops->bind_null(st, i);
}

static inline void
db_bind_text(struct dbst *st, int i, const char *v)
{
	st->db->ops->bind_text(st, i, v);
}

static inline bool
db_col_null(struct dbst *st, int i)
{
	return (st->db->ops->col_null(st, i));
}

static inline int64_t
db_col_int(struct dbst *st, int i)
{
	return (st->db->ops->col_int(st, i));
}

static inline const char *
db_col_text(struct dbst *st, int i)
{
	return (st->db->ops->col_text(st, i));
}

static inline size_t
db_col_bytes(struct dbst *st, int i)
{
	return (st->db->ops->col_bytes(st, i));
}

#endif
