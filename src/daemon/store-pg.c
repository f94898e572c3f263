/*
 * The PostgreSQL driver of the store (store-db.h), on libpq: statements
 * prepared once per connection (PQprepare, PQexecPrepared), parameters and
 * results as text.  A statement's first step executes it and keeps the
 * whole result; the next steps walk its rows, so that column text stays
 * valid until the statement is reset, as SQLite's does.
 *
 * A connection that breaks makes the driver "lost": every call fails at
 * once with "database connection lost: ..." until reconnect opens a new
 * connection, prepares every statement on it again and LISTENs again.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store-db.h"

struct pgst;

struct pgdb {
	struct db	 base;
	PGconn		*conn;
	char		*conninfo;
	char		 name[256];	/* "NAME on HOST" */
	char		 err[512];
	bool		 lost;
	char		*channel;	/* LISTENing on it, or NULL */
	int64_t		 changes;
	struct pgst	**sts;		/* to prepare again at reconnect */
	size_t		 nsts;
	unsigned	 next;		/* statement names s0, s1, ... */
};

struct pgst {
	struct dbst	 base;
	char		 name[16];
	char		*sql;		/* with $N */
	int		 nparams;
	const char	**vals;		/* NULL: SQL NULL */
	char		(*ints)[24];	/* the text of integer parameters */
	PGresult	*res;		/* after the first step */
	int		 row, nrows;
	size_t		 slot;		/* in pgdb.sts */
};

#define PGDB(d)	((struct pgdb *)(void *)(d))
#define PGST(s)	((struct pgst *)(void *)(s))

void
db_first_line(char *buf, size_t size, const char *msg)
{
	size_t	len;

	if (msg == NULL)
		msg = "unknown error";
	/* libpq's own messages begin with a severity */
	if (strncmp(msg, "FATAL:  ", 8) == 0 || strncmp(msg, "ERROR:  ", 8) ==
	    0)
		msg += 8;
	len = strcspn(msg, "\n");
	while (len > 0 && isspace((unsigned char)msg[len - 1]))
		len--;
	if (len >= size)
		len = size - 1;
	memcpy(buf, msg, len);
	buf[len] = '\0';
}

/* Notices (a LISTEN twice, a savepoint of nothing) are no one's business. */
static void
quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/*
 * The reason of a failure: the server's primary message, else libpq's
 * first line; a broken connection makes the driver lost.
 */
static void
pg_fail(struct pgdb *p, const PGresult *res, const char *what)
{
	const char	*msg = NULL, *state = NULL;
	char		 line[400];

	if (res != NULL) {
		msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	}
	db_first_line(line, sizeof line, msg != NULL ? msg :
	    PQerrorMessage(p->conn));
	if (PQstatus(p->conn) == CONNECTION_BAD) {
		p->lost = true;
		snprintf(p->err, sizeof p->err, "database connection lost: %s",
		    line);
	} else if (state != NULL && strcmp(state, "42501") == 0)
		/* insufficient_privilege: say what the role lacks */
		snprintf(p->err, sizeof p->err, "%s%s%s (the role %s lacks "
		    "rights on the sked schema)", what ? what : "",
		    what ? ": " : "", line, PQuser(p->conn));
	else
		snprintf(p->err, sizeof p->err, "%s%s%s", what ? what : "",
		    what ? ": " : "", line);
}

static int
lost_call(struct pgdb *p)
{
	/* the reason it was lost is in err already */
	if (strncmp(p->err, "database connection lost", 24) != 0)
		snprintf(p->err, sizeof p->err, "database connection lost");
	return (-1);
}

/* ?N to $N, outside quotes: the store writes SQLite's form. */
static char *
translate(const char *sql, int *nparams)
{
	char	*out, *o;
	int	 n, max = 0;
	char	 quote = 0;

	if ((out = malloc(strlen(sql) + 1)) == NULL)
		abort();
	for (o = out; *sql != '\0'; sql++) {
		if (quote) {
			if (*sql == quote)
				quote = 0;
		} else if (*sql == '\'' || *sql == '"')
			quote = *sql;
		else if (*sql == '?' && isdigit((unsigned char)sql[1])) {
			*o++ = '$';
			n = atoi(sql + 1);
			if (n > max)
				max = n;
			continue;
		}
		*o++ = *sql;
	}
	*o = '\0';
	*nparams = max;
	return (out);
}

static int
pg_prepare_on(struct pgdb *p, struct pgst *st)
{
	PGresult	*res;
	int		 rc = 0;

	res = PQprepare(p->conn, st->name, st->sql, st->nparams, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		pg_fail(p, res, NULL);
		rc = -1;
	}
	PQclear(res);
	return (rc);
}

static int
pg_prepare(struct db *d, const char *sql, struct dbst **out)
{
	struct pgdb	*p = PGDB(d);
	struct pgst	*st;

	if (p->lost)
		return (lost_call(p));
	if ((st = calloc(1, sizeof *st)) == NULL)
		abort();
	st->base.db = d;
	snprintf(st->name, sizeof st->name, "s%u", p->next++);
	st->sql = translate(sql, &st->nparams);
	if (st->nparams > 0 && ((st->vals = calloc((size_t)st->nparams,
	    sizeof *st->vals)) == NULL || (st->ints = calloc((size_t)
	    st->nparams, sizeof *st->ints)) == NULL))
		abort();
	if (pg_prepare_on(p, st) != 0) {
		free(st->vals);
		free(st->ints);
		free(st->sql);
		free(st);
		return (-1);
	}
	if ((p->sts = realloc(p->sts, (p->nsts + 1) * sizeof *p->sts)) ==
	    NULL)
		abort();
	st->slot = p->nsts;
	p->sts[p->nsts++] = st;
	*out = &st->base;
	return (0);
}

static void
pg_finalize(struct dbst *s)
{
	struct pgst	*st = PGST(s);
	struct pgdb	*p;

	if (st == NULL)
		return;
	p = PGDB(s->db);
	/* the server forgets it with the connection; no DEALLOCATE */
	p->sts[st->slot] = NULL;
	PQclear(st->res);
	free(st->vals);
	free(st->ints);
	free(st->sql);
	free(st);
}

static void
pg_close(struct db *d)
{
	struct pgdb	*p = PGDB(d);

	if (p == NULL)
		return;
	/* an open transaction is rolled back by the server */
	PQfinish(p->conn);
	free(p->sts);
	free(p->channel);
	free(p->conninfo);
	free(p);
}

static int
pg_exec(struct db *d, const char *sql)
{
	struct pgdb	*p = PGDB(d);
	PGresult	*res;
	int		 rc = 0;

	if (p->lost)
		return (lost_call(p));
	res = PQexec(p->conn, sql);
	switch (PQresultStatus(res)) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
		break;
	default:
		pg_fail(p, res, NULL);
		rc = -1;
	}
	PQclear(res);
	return (rc);
}

static const char *
pg_errmsg(struct db *d)
{
	return (PGDB(d)->err);
}

static bool
pg_in_tx(struct db *d)
{
	switch (PQtransactionStatus(PGDB(d)->conn)) {
	case PQTRANS_INTRANS:
	case PQTRANS_INERROR:
	case PQTRANS_ACTIVE:
		return (!PGDB(d)->lost);
	default:
		return (false);
	}
}

static bool
pg_tx_failed(struct db *d)
{
	return (PQtransactionStatus(PGDB(d)->conn) == PQTRANS_INERROR);
}

static int64_t
pg_changes(struct db *d)
{
	return (PGDB(d)->changes);
}

/* No rowids: the task upsert says RETURNING seq instead. */
static int64_t
pg_last_rowid(struct db *d)
{
	(void)d;
	return (0);
}

/* One row, one column, as an integer; 1 when there is no row. */
static int
query_int(struct pgdb *p, const char *sql, int64_t *v)
{
	PGresult	*res;
	int		 rc = 0;

	if (p->lost)
		return (lost_call(p));
	res = PQexec(p->conn, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pg_fail(p, res, NULL);
		rc = -1;
	} else if (PQntuples(res) < 1 || PQgetisnull(res, 0, 0))
		rc = 1;
	else
		*v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return (rc);
}

/*
 * The version is a row of sked_schema; no such table yet is version 0.
 * Looking it up in the catalog first keeps a fresh database's check from
 * failing (and aborting the migration's transaction).
 */
static int
pg_get_version(struct db *d, int *v)
{
	struct pgdb	*p = PGDB(d);
	int64_t		 n = 0;
	int		 rc;

	*v = 0;
	if ((rc = query_int(p, "SELECT count(*) FROM pg_catalog.pg_tables "
	    "WHERE schemaname = current_schema() AND "
	    "tablename = 'sked_schema'", &n)) != 0)
		return (rc < 0 ? -1 : 0);
	if (n == 0)
		return (0);
	if ((rc = query_int(p, "SELECT max(version) FROM sked_schema",
	    &n)) < 0)
		return (-1);
	*v = rc == 0 ? (int)n : 0;
	return (0);
}

static int
pg_set_version(struct db *d, int v)
{
	char	sql[96];

	snprintf(sql, sizeof sql, "DELETE FROM sked_schema; "
	    "INSERT INTO sked_schema (version) VALUES (%d)", v);
	return (pg_exec(d, sql));
}

static int
do_listen(struct pgdb *p)
{
	char	*q, sql[128];
	int	 rc;

	if ((q = PQescapeIdentifier(p->conn, p->channel,
	    strlen(p->channel))) == NULL) {
		pg_fail(p, NULL, "listen");
		return (-1);
	}
	snprintf(sql, sizeof sql, "LISTEN %s", q);
	PQfreemem(q);
	rc = pg_exec(&p->base, sql);
	return (rc);
}

static int
pg_listen(struct db *d, const char *channel, int *fd)
{
	struct pgdb	*p = PGDB(d);

	*fd = -1;
	if (p->lost)
		return (lost_call(p));
	free(p->channel);
	if ((p->channel = strdup(channel)) == NULL)
		abort();
	if (do_listen(p) != 0) {
		free(p->channel);
		p->channel = NULL;
		return (-1);
	}
	*fd = PQsocket(p->conn);
	return (0);
}

/*
 * What arrived, and what earlier calls read on the way; our own
 * notifications come back to us too (the server sends them to every
 * listener) and are left out.
 */
static int
pg_notifications(struct db *d, db_notify_cb cb, void *arg)
{
	struct pgdb	*p = PGDB(d);
	PGnotify	*nt;
	int		 n = 0, self;

	if (p->lost)
		return (lost_call(p));
	if (!PQconsumeInput(p->conn)) {
		pg_fail(p, NULL, "reading notifications");
		if (!p->lost && PQstatus(p->conn) == CONNECTION_BAD)
			p->lost = true;
		return (-1);
	}
	self = PQbackendPID(p->conn);
	while ((nt = PQnotifies(p->conn)) != NULL) {
		if (nt->be_pid != self) {
			cb(arg, nt->extra);
			n++;
		}
		PQfreemem(nt);
	}
	return (n);
}

static bool
pg_lost(struct db *d)
{
	struct pgdb	*p = PGDB(d);

	/* a break seen by libpq but not yet by a call of ours */
	if (!p->lost && PQstatus(p->conn) == CONNECTION_BAD) {
		p->lost = true;
		snprintf(p->err, sizeof p->err, "database connection lost: %s",
		    "the connection is closed");
	}
	return (p->lost);
}

/*
 * A connection, with the reason in err when it fails: libpq's first line,
 * which says unreachable ("connection to server ... failed: No such file
 * or directory"), refused or authentication failed.
 */
static PGconn *
connect_db(const char *conninfo, char *err, size_t len, const char *name)
{
	PGconn	*conn;
	char	 line[400];

	conn = PQconnectdb(conninfo);
	if (conn == NULL) {
		snprintf(err, len, "database %s: cannot connect: %s", name,
		    strerror(ENOMEM));
		return (NULL);
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		db_first_line(line, sizeof line, PQerrorMessage(conn));
		snprintf(err, len, "database %s: cannot connect: %s", name,
		    line);
		PQfinish(conn);
		return (NULL);
	}
	PQsetNoticeProcessor(conn, quiet, NULL);
	return (conn);
}

static int
pg_reconnect(struct db *d)
{
	struct pgdb	*p = PGDB(d);
	PGconn		*conn;
	size_t		 i;

	if ((conn = connect_db(p->conninfo, p->err, sizeof p->err,
	    p->name)) == NULL)
		return (-1);
	PQfinish(p->conn);
	p->conn = conn;
	p->lost = false;
	for (i = 0; i < p->nsts; i++) {
		if (p->sts[i] == NULL)
			continue;
		PQclear(p->sts[i]->res);
		p->sts[i]->res = NULL;
		if (pg_prepare_on(p, p->sts[i]) != 0)
			goto fail;
	}
	if (p->channel != NULL && do_listen(p) != 0)
		goto fail;
	return (0);
fail:
	/* half prepared is no use: the next reconnect does it all again */
	p->lost = true;
	return (-1);
}

static void
pg_bind_null(struct dbst *s, int i)
{
	struct pgst	*st = PGST(s);

	if (i >= 1 && i <= st->nparams)
		st->vals[i - 1] = NULL;
}

static void
pg_bind_int(struct dbst *s, int i, int64_t v)
{
	struct pgst	*st = PGST(s);

	if (i < 1 || i > st->nparams)
		return;
	snprintf(st->ints[i - 1], sizeof st->ints[0], "%" PRId64, v);
	st->vals[i - 1] = st->ints[i - 1];
}

static void
pg_bind_text(struct dbst *s, int i, const char *v)
{
	struct pgst	*st = PGST(s);

	if (i >= 1 && i <= st->nparams)
		st->vals[i - 1] = v;
}

static int
pg_step(struct dbst *s)
{
	struct pgst	*st = PGST(s);
	struct pgdb	*p = PGDB(s->db);
	PGresult	*res;
	const char	*n;

	if (st->res == NULL) {
		if (p->lost)
			return (lost_call(p));
		res = PQexecPrepared(p->conn, st->name, st->nparams,
		    st->vals, NULL, NULL, 0);
		switch (PQresultStatus(res)) {
		case PGRES_TUPLES_OK:
			st->nrows = PQntuples(res);
			break;
		case PGRES_COMMAND_OK:
			st->nrows = 0;
			break;
		default:
			pg_fail(p, res, NULL);
			PQclear(res);
			return (DB_ERROR);
		}
		n = PQcmdTuples(res);
		p->changes = *n != '\0' ? strtoll(n, NULL, 10) : 0;
		st->res = res;
		st->row = -1;
	}
	if (st->row < st->nrows)
		st->row++;
	return (st->row < st->nrows ? DB_ROW : DB_DONE);
}

static void
pg_reset(struct dbst *s)
{
	PQclear(PGST(s)->res);
	PGST(s)->res = NULL;
}

static void
pg_clear(struct dbst *s)
{
	struct pgst	*st = PGST(s);
	int		 i;

	for (i = 0; i < st->nparams; i++)
		st->vals[i] = NULL;
}

static bool
pg_col_null(struct dbst *s, int i)
{
	struct pgst	*st = PGST(s);

	return (st->res == NULL || st->row >= st->nrows ||
	    i >= PQnfields(st->res) || PQgetisnull(st->res, st->row, i));
}

static int64_t
pg_col_int(struct dbst *s, int i)
{
	struct pgst	*st = PGST(s);
	const char	*v;

	if (pg_col_null(s, i))
		return (0);
	v = PQgetvalue(st->res, st->row, i);
	/* a boolean, should one come */
	if (*v == 't')
		return (1);
	return (strtoll(v, NULL, 10));
}

static const char *
pg_col_text(struct dbst *s, int i)
{
	struct pgst	*st = PGST(s);

	if (pg_col_null(s, i))
		return (NULL);
	return (PQgetvalue(st->res, st->row, i));
}

static size_t
pg_col_bytes(struct dbst *s, int i)
{
	struct pgst	*st = PGST(s);

	if (pg_col_null(s, i))
		return (0);
	return ((size_t)PQgetlength(st->res, st->row, i));
}

static const struct db_ops pg_ops = {
	.kind = "postgresql",
	.close = pg_close,
	.prepare = pg_prepare,
	.finalize = pg_finalize,
	.exec = pg_exec,
	.errmsg = pg_errmsg,
	.in_tx = pg_in_tx,
	.tx_failed = pg_tx_failed,
	.changes = pg_changes,
	.last_rowid = pg_last_rowid,
	.get_version = pg_get_version,
	.set_version = pg_set_version,
	.listen = pg_listen,
	.notifications = pg_notifications,
	.lost = pg_lost,
	.reconnect = pg_reconnect,
	.bind_null = pg_bind_null,
	.bind_int = pg_bind_int,
	.bind_text = pg_bind_text,
	.step = pg_step,
	.reset = pg_reset,
	.clear = pg_clear,
	.col_null = pg_col_null,
	.col_int = pg_col_int,
	.col_text = pg_col_text,
	.col_bytes = pg_col_bytes,
};

/* "NAME on HOST" from the connection string, never its password. */
static void
describe(const char *conninfo, char *buf, size_t size)
{
	PQconninfoOption	*opts, *o;
	const char		*db = NULL, *host = NULL, *user = NULL;
	char			*err = NULL;

	if ((opts = PQconninfoParse(conninfo, &err)) == NULL) {
		snprintf(buf, size, "(a bad connection string: %s)",
		    err != NULL ? err : "out of memory");
		if (err != NULL) {
			buf[strcspn(buf, "\n")] = '\0';
			PQfreemem(err);
		}
		return;
	}
	for (o = opts; o->keyword != NULL; o++) {
		if (o->val == NULL || *o->val == '\0')
			continue;
		if (strcmp(o->keyword, "dbname") == 0)
			db = o->val;
		else if (strcmp(o->keyword, "host") == 0)
			host = o->val;
		else if (strcmp(o->keyword, "user") == 0)
			user = o->val;
	}
	snprintf(buf, size, "%s%s%s%s%s", db != NULL ? db : "(default)",
	    user != NULL ? " as " : "", user != NULL ? user : "",
	    host != NULL ? " on " : "", host != NULL ? host : "");
	PQconninfoFree(opts);
}

int
db_pg_open(const char *conninfo, struct db **out, char *err, size_t len)
{
	struct pgdb	*p;

	*out = NULL;
	if ((p = calloc(1, sizeof *p)) == NULL ||
	    (p->conninfo = strdup(conninfo)) == NULL) {
		free(p);
		snprintf(err, len, "database: %s", strerror(ENOMEM));
		return (-1);
	}
	p->base.ops = &pg_ops;
	p->base.name = p->name;
	describe(conninfo, p->name, sizeof p->name);
	if ((p->conn = connect_db(conninfo, err, len, p->name)) == NULL) {
		free(p->conninfo);
		free(p);
		return (-1);
	}
	*out = &p->base;
	return (0);
}
