/*
 * The store, on both engines: every case runs against SQLite (a fresh file
 * under /tmp) and PostgreSQL (a fresh database); schema and migration,
 * tasks through a put and a load with every field, executions and their
 * subtasks, crash recovery, pruning, constraints and transactions; then
 * what only a cluster has.  No time comes from the clock, except the
 * database's where a claim is checked against it.
 *
 * PostgreSQL: $SKED_TEST_PG, a connection string to a database where the
 * role may CREATE DATABASE; else a throwaway server started with
 * tests/pg/pg-server under $SKED_SRCDIR or $TOP_SRCDIR.  Without one the
 * PostgreSQL cases say "SKIP: reason" and are not run; with
 * SKED_REQUIRE_PG=1 that fails.
 */
#define _GNU_SOURCE	/* strcasestr */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "daemon/store.h"
#include "task.h"
#include "testutil.h"

#define T0	1704067200000LL		/* 2024-01-01T00:00:00Z, in ms */

enum engine { E_SQLITE, E_PG };

static enum engine engine;
static char	dir[64];
static char	dbpath[128];

/* PostgreSQL: the maintenance database, and this case's own */
static char	pg_maint[1024];
static char	pg_conninfo[1200];
static char	pg_dbname[64];
static char	pg_script[1024];	/* pg-server, when we started it */
static char	pg_dir[64];

static int	pg_server(const char *, char *, size_t);

static void
setup_sqlite(void)
{
	engine = E_SQLITE;
	snprintf(dir, sizeof dir, "/tmp/check_store.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(dbpath, sizeof dbpath, "%s/sked.db", dir);
}

static void
teardown_sqlite(void)
{
	struct dirent	*de;
	char		 p[sizeof dir + sizeof de->d_name + 1];
	DIR		*d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

/* conninfo with dbname (and user, when not NULL) replaced. */
static void
pg_with(const char *conninfo, const char *db, const char *user, char *out,
    size_t len)
{
	PQconninfoOption	*opts, *o;
	char			*err = NULL;
	size_t			 n = 0;

	opts = PQconninfoParse(conninfo, &err);
	ck_assert_msg(opts != NULL, "conninfo %s: %s", conninfo, err);
	out[0] = '\0';
	for (o = opts; o->keyword != NULL; o++) {
		const char *v = o->val;

		if (strcmp(o->keyword, "dbname") == 0)
			v = db;
		else if (user != NULL && strcmp(o->keyword, "user") == 0)
			v = user;
		if (v == NULL || *v == '\0')
			continue;
		n += (size_t)snprintf(out + n, len - n, "%s%s='%s'", n ? " " :
		    "", o->keyword, v);
		ck_assert_uint_lt(n, len);
	}
	if (user != NULL && strstr(out, "user=") == NULL)
		n += (size_t)snprintf(out + n, len - n, " user='%s'", user);
	PQconninfoFree(opts);
}

static void
quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

static PGconn *
pg_connect(const char *conninfo)
{
	PGconn	*c = PQconnectdb(conninfo);

	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "connect %s: %s",
	    conninfo, PQerrorMessage(c));
	PQsetNoticeProcessor(c, quiet, NULL);
	return (c);
}

static void
pg_run(PGconn *c, const char *sql)
{
	PGresult	*r = PQexec(c, sql);

	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK ||
	    PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql,
	    PQerrorMessage(c));
	PQclear(r);
}

static void
setup_pg(void)
{
	static unsigned	 n;
	PGconn		*c;
	char		 sql[128];

	engine = E_PG;
	snprintf(dir, sizeof dir, "/tmp/check_store.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(dbpath, sizeof dbpath, "%s/sked.db", dir);
	snprintf(pg_dbname, sizeof pg_dbname, "sked_check_%ld_%u",
	    (long)getpid(), n++);
	c = pg_connect(pg_maint);
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", pg_dbname);
	pg_run(c, sql);
	PQfinish(c);
	pg_with(pg_maint, pg_dbname, NULL, pg_conninfo, sizeof pg_conninfo);
}

static void
teardown_pg(void)
{
	PGconn	*c;
	char	 sql[128];

	teardown_sqlite();
	c = PQconnectdb(pg_maint);
	if (PQstatus(c) == CONNECTION_OK) {
		snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s "
		    "WITH (FORCE)", pg_dbname);
		PQclear(PQexec(c, sql));
	}
	PQfinish(c);
}

static struct store *
open_store(void)
{
	struct store	*s;

	if (engine == E_PG)
		ck_assert_msg(store_open_postgresql(pg_conninfo, &s) == 0,
		    "open: %s", store_error(NULL));
	else
		ck_assert_msg(store_open(dbpath, &s) == 0, "open: %s",
		    store_error(NULL));
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(store_kind(s), engine == E_PG ? "postgresql" :
	    "sqlite");
	return (s);
}

/* A second, raw connection, to look behind the store's back. */
struct raw {
	sqlite3	*sq;
	PGconn	*pg;
	char	 err[512];
};

static struct raw *
raw_open(void)
{
	struct raw	*r;

	ck_assert_ptr_nonnull(r = calloc(1, sizeof *r));
	if (engine == E_PG) {
		r->pg = pg_connect(pg_conninfo);
		return (r);
	}
	ck_assert_int_eq(sqlite3_open(dbpath, &r->sq), SQLITE_OK);
	sqlite3_busy_timeout(r->sq, 5000);
	return (r);
}

static void
raw_close(struct raw *r)
{
	if (r->pg != NULL)
		PQfinish(r->pg);
	if (r->sq != NULL)
		sqlite3_close(r->sq);
	free(r);
}

/* 0, or -1 with the reason in r->err. */
static int
raw_exec(struct raw *r, const char *sql)
{
	PGresult	*res;
	int		 rc = 0;

	if (r->sq != NULL) {
		if (sqlite3_exec(r->sq, sql, NULL, NULL, NULL) == SQLITE_OK)
			return (0);
		snprintf(r->err, sizeof r->err, "%s", sqlite3_errmsg(r->sq));
		return (-1);
	}
	res = PQexec(r->pg, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK) {
		snprintf(r->err, sizeof r->err, "%s", PQerrorMessage(r->pg));
		rc = -1;
	}
	PQclear(res);
	return (rc);
}

static int64_t
raw_int(struct raw *r, const char *sql)
{
	sqlite3_stmt	*st;
	PGresult	*res;
	int64_t		 v;

	if (r->pg != NULL) {
		res = PQexec(r->pg, sql);
		ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "%s: %s",
		    sql, PQerrorMessage(r->pg));
		ck_assert_msg(PQntuples(res) == 1, "%s: no row", sql);
		v = PQgetisnull(res, 0, 0) ? 0 : strtoll(PQgetvalue(res, 0, 0),
		    NULL, 10);
		PQclear(res);
		return (v);
	}
	ck_assert_msg(sqlite3_prepare_v2(r->sq, sql, -1, &st, NULL) ==
	    SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(r->sq));
	ck_assert_msg(sqlite3_step(st) == SQLITE_ROW, "%s: no row", sql);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return (v);
}

/* Every task the store loads, with what the callback was told. */
struct loaded {
	struct task		*t[16];
	struct store_task_meta	 meta[16];
	size_t			 n;
	size_t			 stop_after;	/* 0: never */
};

static int
collect(void *arg, struct task *t, const struct store_task_meta *meta)
{
	struct loaded	*l = arg;

	ck_assert_uint_lt(l->n, NELEM(l->t));
	/* source is only good during the call: compare it now */
	if (meta->source == NULL)
		ck_assert_ptr_null(t->file);
	else
		ck_assert_str_eq(meta->source, t->file);
	l->t[l->n] = t;
	l->meta[l->n] = *meta;
	l->meta[l->n].source = NULL;
	l->n++;
	return (l->stop_after != 0 && l->n == l->stop_after ? 7 : 0);
}

/* As collect, and the approval comments, good only during the call. */
static int
collect_approve(void *arg, struct task *t, const struct store_task_meta *meta)
{
	if (strcmp(meta->approve_status, "REJECTED") == 0)
		ck_assert_str_eq(meta->approve_comments, "no");
	else
		ck_assert_ptr_null(meta->approve_comments);
	return (collect(arg, t, meta));
}

static void
load(struct store *s, struct loaded *l)
{
	memset(l, 0, sizeof *l);
	ck_assert_msg(store_tasks_load(s, collect, l) == 0, "load: %s",
	    store_error(s));
}

static void
loaded_free(struct loaded *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++) {
		task_free(l->t[i]);
		free(l->t[i]);
	}
	l->n = 0;
}

static void
str_eq(const char *field, const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		ck_assert_msg(a == NULL && b == NULL, "%s: '%s' != '%s'", field,
		    a ? a : "(null)", b ? b : "(null)");
	else
		ck_assert_msg(strcmp(a, b) == 0, "%s: '%s' != '%s'", field, a,
		    b);
}

#define INT_EQ(f)	ck_assert_msg((int64_t)a->f == (int64_t)b->f, \
			    "line %d: " #f ": %lld != %lld", line, \
			    (long long)a->f, (long long)b->f)
#define STR_EQ(f)	str_eq(#f, a->f, b->f)

/* Every member of struct task, targets included. */
static void
task_eq(int line, const struct task *a, const struct task *b)
{
	size_t	i, j;

	STR_EQ(id);
	STR_EQ(task_name);
	STR_EQ(project_id);
	STR_EQ(task_type);
	STR_EQ(description);
	INT_EQ(scheduled_type);
	INT_EQ(has_date);
	INT_EQ(year);
	INT_EQ(mon);
	INT_EQ(day);
	INT_EQ(has_time);
	INT_EQ(hour);
	INT_EQ(min);
	INT_EQ(sec);
	INT_EQ(day_interval);
	INT_EQ(week_mask);
	INT_EQ(month_mask);
	INT_EQ(date_mask);
	INT_EQ(date_last);
	STR_EQ(week_list);
	STR_EQ(month_list);
	STR_EQ(date_list);
	STR_EQ(task_cron);
	STR_EQ(time_zone);
	INT_EQ(has_expire);
	INT_EQ(expire_ms);
	INT_EQ(has_once);
	INT_EQ(once_ms);
	INT_EQ(is_enable);
	INT_EQ(enforcement_enable);
	STR_EQ(life_cycle_type);
	INT_EQ(priority);
	INT_EQ(wait_time);
	STR_EQ(input_param);
	STR_EQ(risk_level);
	INT_EQ(enable_approve);
	INT_EQ(enable_message_notification);
	STR_EQ(message_notification);
	INT_EQ(misfire_policy);
	INT_EQ(overlap_policy);
	INT_EQ(history_keep);
	STR_EQ(file);
	INT_EQ(line);
	INT_EQ(column);
	INT_EQ(ntargets);
	for (i = 0; i < a->ntargets; i++) {
		str_eq("target_type", a->targets[i].target_type,
		    b->targets[i].target_type);
		INT_EQ(targets[i].ntarget_ids);
		for (j = 0; j < a->targets[i].ntarget_ids; j++)
			str_eq("target_id", a->targets[i].target_ids[j],
			    b->targets[i].target_ids[j]);
	}
}

/* Parse one task of a YAML text; it gets an id when it has none. */
static struct task_set
parse(const char *text, const char *id)
{
	struct task_set	set;
	struct errlist	errs = ERRLIST_INIT;

	ck_assert_msg(task_text_load("rt.yaml", text, strlen(text), &set,
	    &errs) == 0, "parse: %s", errs.count ? errs.msgs[0] : "?");
	ck_assert_uint_eq(set.count, 1);
	if (set.tasks[0].id == NULL)
		ck_assert_ptr_nonnull(set.tasks[0].id = strdup(id));
	errlist_clear(&errs);
	return (set);
}

static const char cron_text[] = "task_name: c\ntask_type: START\n"
    "scheduled_type: CRON\ntask_cron: '@daily'\n";

static void
put_text(struct store *s, const char *text, const char *id)
{
	struct task_set	set = parse(text, id);

	ck_assert_msg(store_task_put(s, &set.tasks[0], NULL) == 0, "put: %s",
	    store_error(s));
	task_set_free(&set);
}

/* Open: the schema, its version, and the pragmas that persist. */
START_TEST(test_open_schema)
{
	static const char *const tables[] = { "tasks", "targets",
	    "executions", "subtasks", "planned", "task_files" };
	struct store	*s = open_store();
	struct raw	*db;
	char		 sql[160];
	size_t		 i;
	int		 version = engine == E_PG ? 1 : 5;

	ck_assert_int_eq(store_schema_version(s), version);
	db = raw_open();
	if (engine == E_SQLITE) {
		ck_assert_int_eq(raw_int(db, "PRAGMA user_version"), 5);
		ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM "
		    "pragma_table_info('tasks') WHERE name = 'digest'"), 1);
		ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM "
		    "pragma_table_info('executions') WHERE name = 'node'"), 1);
		for (i = 0; i < NELEM(tables); i++) {
			snprintf(sql, sizeof sql, "SELECT count(*) FROM "
			    "sqlite_master WHERE type = 'table' AND "
			    "name = '%s'", tables[i]);
			ck_assert_msg(raw_int(db, sql) == 1, "no table %s",
			    tables[i]);
		}
		ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM "
		    "sqlite_master WHERE type = 'index' AND name IN "
		    "('tasks_name', 'executions_task')"), 2);
		ck_assert_int_eq(raw_int(db, "SELECT journal_mode = 'wal' "
		    "FROM pragma_journal_mode"), 1);
	} else {
		ck_assert_int_eq(raw_int(db, "SELECT version FROM "
		    "sked_schema"), 1);
		for (i = 0; i < NELEM(tables); i++) {
			snprintf(sql, sizeof sql, "SELECT count(*) FROM "
			    "pg_tables WHERE tablename = '%s'", tables[i]);
			ck_assert_msg(raw_int(db, sql) == 1, "no table %s",
			    tables[i]);
		}
		ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM pg_tables "
		    "WHERE tablename = 'nodes'"), 1);
		ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM pg_indexes "
		    "WHERE indexname IN ('tasks_name', 'executions_task', "
		    "'executions_occurrence')"), 3);
		/* every time in ms is a BIGINT */
		ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM "
		    "information_schema.columns WHERE table_schema = "
		    "current_schema() AND column_name LIKE '%\\_ms' "
		    "AND data_type <> 'bigint'"), 0);
	}
	raw_close(db);
	store_close(s);
	/* opening again migrates nothing and keeps the version */
	s = open_store();
	ck_assert_int_eq(store_schema_version(s), version);
	store_close(s);
}
END_TEST

/*
 * A database of schema 4 (before executions.node) migrates to 5: the
 * executions it had read back with no node.
 */
START_TEST(test_migrate_4)
{
	struct store_execution	 got;
	struct store		*s;
	struct raw		*db = raw_open();

	s = open_store();
	store_close(s);
	/* undo step 4 -> 5 by hand */
	ck_assert_msg(raw_exec(db, "ALTER TABLE executions DROP COLUMN node;"
	    "INSERT INTO tasks (id, scheduled_type) VALUES ('t', 'CRON');"
	    "INSERT INTO executions (id, task_id, status, seq) "
	    "VALUES ('old', 't', 'SUCCESS', 1);"
	    "PRAGMA user_version = 4") == 0, "%s", db->err);
	raw_close(db);
	s = open_store();
	ck_assert_int_eq(store_schema_version(s), 5);
	ck_assert_int_eq(store_execution_get(s, "old", &got), 0);
	ck_assert_ptr_null(got.node);
	store_execution_free(&got);
	store_close(s);
}
END_TEST

/* Databases that cannot be used; the message names the path and why. */
enum bad_db { BAD_NO_DIR, BAD_NOT_DB, BAD_NEWER };

static const struct {
	int		 line;
	enum bad_db	 kind;
	const char	*msg;
} bad_dbs[] = {
	{ ROW, BAD_NO_DIR, "unable to open database file" },
	{ ROW, BAD_NOT_DB, "file is not a database" },
	{ ROW, BAD_NEWER, "schema version 999 is newer than this sked knows "
	    "(5)" },
};

START_TEST(test_open_bad)
{
	struct store	*s = (struct store *)1;
	struct raw	*db;
	FILE		*fp;
	char		 path[192];

	switch (bad_dbs[_i].kind) {
	case BAD_NO_DIR:
		snprintf(path, sizeof path, "%s/missing/sked.db", dir);
		break;
	case BAD_NOT_DB:
		snprintf(path, sizeof path, "%s", dbpath);
		ck_assert_ptr_nonnull(fp = fopen(path, "w"));
		for (int i = 0; i < 100; i++)
			fputs("this is not an SQLite database\n", fp);
		fclose(fp);
		break;
	case BAD_NEWER:
		snprintf(path, sizeof path, "%s", dbpath);
		db = raw_open();
		ck_assert_int_eq(raw_exec(db, "CREATE TABLE x (y);"
		    "PRAGMA user_version = 999"), 0);
		raw_close(db);
		break;
	}
	ck_assert_msg(store_open(path, &s) == -1, "line %d: opened",
	    bad_dbs[_i].line);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(store_error(NULL), path) != NULL &&
	    strstr(store_error(NULL), bad_dbs[_i].msg) != NULL,
	    "line %d: '%s' lacks the path or '%s'", bad_dbs[_i].line,
	    store_error(NULL), bad_dbs[_i].msg);
	if (bad_dbs[_i].kind == BAD_NEWER) {
		/* refused, not touched */
		db = raw_open();
		ck_assert_int_eq(raw_int(db, "PRAGMA user_version"), 999);
		ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM "
		    "sqlite_master WHERE name = 'tasks'"), 0);
		raw_close(db);
	}
}
END_TEST

/* Tasks of every kind and shape, through a put, a reopen and a load. */
static const struct {
	int		 line;
	const char	*text;
	int		 from_file;	/* put with source = the file */
} round_trips[] = {
	{ ROW, "id: full-week\ntask_name: week.task\nproject_id: proj-1\n"
	    "task_type: START\ndescription: 'Sundays and Saturdays, \"quoted\"'\n"
	    "scheduled_type: WEEK\nweek_list: '1,7'\n"
	    "scheduled_time: '09:30:15'\ntime_zone: Europe/Paris\n"
	    "expire_time: '2030-01-02T03:04:05.678Z'\nis_enable: false\n"
	    "schedule_task_policy: {enforcement_enable: true}\n"
	    "target_infos:\n"
	    "  - {target_type: VM, target_id: [vm-1, vm-2, vm-3]}\n"
	    "  - {target_type: HOST, target_id: [h1]}\n"
	    "  - {target_type: DESKTOP, target_id: [d1, d2]}\n"
	    "input_param: {command: echo hi, timeout: 30, env: {A: 'é'}}\n"
	    "misfire_policy: FIRE_ONCE_NOW\noverlap_policy: QUEUE\n"
	    "history_keep: 7\n", 1 },
	{ ROW, "task_name: m\ntask_type: STOP\nscheduled_type: MONTH\n"
	    "date_list: '1,15,L'\nmonth_list: '1,6,12'\n"
	    "scheduled_time: '23:59:59'\noverlap_policy: ALLOW\n"
	    "target_infos: [{target_type: VM, target_id: [a]}, "
	    "{target_type: HOST, target_id: [b, c]}]\n", 0 },
	{ ROW, "task_name: f\ntask_type: REBOOT\nscheduled_type: FIXED_TIME\n"
	    "scheduled_date: '2031-02-28'\nscheduled_time: '00:00:01'\n"
	    "time_zone: UTC\n", 1 },
	{ ROW, "task_name: d\ntask_type: START\nscheduled_type: DAY\n"
	    "day_interval: 3\nscheduled_date: '2024-03-01'\n"
	    "scheduled_time: '12:00:00'\n", 0 },
	{ ROW, cron_text, 0 },
	{ ROW, "task_name: l\ntask_type: START\nscheduled_type: LIFE_CYCLE\n"
	    "life_cycle_type: POST_CREATE_DESKTOP_SUCCESS\nwait_time: 30\n"
	    "priority: 5\n", 1 },
	{ ROW, "name: om.once\ntask_type: EXECUTE_SCRIPT\n"
	    "enterprise_project_id: ep\nrisk_level: HIGH\n"
	    "enable_approve: true\nenable_message_notification: true\n"
	    "message_notification: {type: email, to: [ops]}\n"
	    "input_param: '{\"timeout\":\"300\"}'\n"
	    "trigger_time:\n  policy: ONCE\n"
	    "  single_scheduled_time: 1704067201500\n"
	    "  scheduled_close_time: 1893456000000\n", 1 },
	{ ROW, "name: om.periodic\ntask_type: EXECUTE_SCRIPT\n"
	    "risk_level: LOW\ntrigger_time:\n  policy: PERIODIC\n"
	    "  periodic_scheduled_time: '10:00:00'\n  period: '2,4'\n"
	    "  time_zone: Asia/Shanghai\n", 0 },
};

struct scanned {
	size_t		 n;
	char		 id[64];
	char		 name[80];
	char		 file[128];
	uint64_t	 digest;
	int		 kind;
	int64_t		 create_ms;
};

static int
collect_view(void *arg, const struct task *t, const struct store_task_meta *m,
    uint64_t digest)
{
	struct scanned	*sc = arg;

	sc->n++;
	snprintf(sc->id, sizeof sc->id, "%s", t->id);
	snprintf(sc->name, sizeof sc->name, "%s", t->task_name);
	snprintf(sc->file, sizeof sc->file, "%s", t->file ? t->file : "");
	sc->digest = digest;
	sc->kind = (int)t->scheduled_type;
	sc->create_ms = m->create_ms;
	return (0);
}

START_TEST(test_round_trip)
{
	struct task_set		 set;
	struct store_task_meta	 meta, gm;
	struct store		*s = open_store();
	struct loaded		 l;
	struct scanned		 sc;
	struct task		 got;
	char			*comments;
	uint64_t		 digest;
	struct raw		*db;

	set = parse(round_trips[_i].text, "generated-id");
	digest = task_digest(&set.tasks[0]);
	memset(&meta, 0, sizeof meta);
	meta.create_ms = T0 + 1;
	meta.update_ms = T0 + 2;
	meta.last_fire = 1704067200;
	snprintf(meta.last_status, sizeof meta.last_status, "SUCCESS");
	meta.source = round_trips[_i].from_file ? set.tasks[0].file : NULL;
	ck_assert_msg(store_task_put(s, &set.tasks[0], &meta) == 0,
	    "line %d: put: %s", round_trips[_i].line, store_error(s));
	store_close(s);
	if (!round_trips[_i].from_file) {
		/* an API task has no file, line or column */
		free(set.tasks[0].file);
		set.tasks[0].file = NULL;
		set.tasks[0].line = set.tasks[0].column = 0;
	}

	s = open_store();
	load(s, &l);
	ck_assert_uint_eq(l.n, 1);
	task_eq(round_trips[_i].line, &set.tasks[0], l.t[0]);
	ck_assert_int_eq(l.meta[0].create_ms, T0 + 1);
	ck_assert_int_eq(l.meta[0].update_ms, T0 + 2);
	ck_assert_int_eq(l.meta[0].last_fire, 1704067200);
	ck_assert_str_eq(l.meta[0].last_status, "SUCCESS");
	loaded_free(&l);

	/* one task by id: the same definition, as the daemon reads it */
	ck_assert_int_eq(store_task_get(s, set.tasks[0].id, &got, &gm,
	    &comments), 0);
	task_eq(round_trips[_i].line, &set.tasks[0], &got);
	ck_assert_int_eq(gm.create_ms, T0 + 1);
	ck_assert_int_eq(gm.update_ms, T0 + 2);
	ck_assert_ptr_null(comments);
	task_free(&got);
	ck_assert_int_eq(store_task_get(s, "no-such-id", &got, &gm,
	    &comments), 1);

	/* the scan: the resident fields and the stored digest */
	memset(&sc, 0, sizeof sc);
	ck_assert_int_eq(store_tasks_scan(s, collect_view, &sc), 0);
	ck_assert_uint_eq(sc.n, 1);
	ck_assert_str_eq(sc.id, set.tasks[0].id);
	ck_assert_str_eq(sc.name, set.tasks[0].task_name);
	ck_assert_int_eq(sc.kind, (int)set.tasks[0].scheduled_type);
	ck_assert_int_eq(sc.create_ms, T0 + 1);
	ck_assert_msg(sc.digest == digest, "line %d: digest %llx, want %llx",
	    round_trips[_i].line, (unsigned long long)sc.digest,
	    (unsigned long long)digest);
	ck_assert_str_eq(sc.file, round_trips[_i].from_file ? "rt.yaml" : "");
	/* a row from before schema 3 has no digest: 0, unknown */
	db = raw_open();
	ck_assert_int_eq(raw_exec(db, "UPDATE tasks SET digest = NULL"), 0);
	raw_close(db);
	memset(&sc, 0, sizeof sc);
	ck_assert_int_eq(store_tasks_scan(s, collect_view, &sc), 0);
	ck_assert_uint_eq(sc.n, 1);
	ck_assert_msg(sc.digest == 0, "a NULL digest scans as 0");
	task_set_free(&set);
	store_close(s);
}
END_TEST

/* A task built by hand: NULL strings, and targets the parser never makes. */
START_TEST(test_targets_shape)
{
	static char *vm_ab[] = { "a", "b" }, *vm_c[] = { "c" },
	    *vm_d[] = { "d" };
	struct task_target	 in[] = {
		{ "VM", vm_ab, 2 }, { "VM", vm_c, 1 }, { "HOST", NULL, 0 },
		{ "VM", vm_d, 1 },
	};
	struct task		 t;
	struct store		*s = open_store();
	struct loaded		 l;
	const struct task	*o;

	memset(&t, 0, sizeof t);
	t.id = "bare";
	t.scheduled_type = TASK_CRON;
	t.targets = in;
	t.ntargets = NELEM(in);
	t.line = 9;	/* dropped: no source */
	ck_assert_int_eq(store_task_put(s, &t, NULL), 0);
	load(s, &l);
	ck_assert_uint_eq(l.n, 1);
	o = l.t[0];
	ck_assert_str_eq(o->id, "bare");
	ck_assert_ptr_null(o->task_name);
	ck_assert_ptr_null(o->project_id);
	ck_assert_ptr_null(o->task_cron);
	ck_assert_ptr_null(o->input_param);
	ck_assert_ptr_null(o->file);
	ck_assert_int_eq(o->line, 0);
	ck_assert(!o->has_date && !o->has_time && !o->has_expire &&
	    !o->has_once);
	ck_assert_str_eq(l.meta[0].last_status, "WAITING");
	/* adjacent targets of one type merge; one without ids stays apart */
	ck_assert_uint_eq(o->ntargets, 3);
	ck_assert_str_eq(o->targets[0].target_type, "VM");
	ck_assert_uint_eq(o->targets[0].ntarget_ids, 3);
	ck_assert_str_eq(o->targets[0].target_ids[0], "a");
	ck_assert_str_eq(o->targets[0].target_ids[1], "b");
	ck_assert_str_eq(o->targets[0].target_ids[2], "c");
	ck_assert_str_eq(o->targets[1].target_type, "HOST");
	ck_assert_uint_eq(o->targets[1].ntarget_ids, 0);
	ck_assert_str_eq(o->targets[2].target_type, "VM");
	ck_assert_uint_eq(o->targets[2].ntarget_ids, 1);
	ck_assert_str_eq(o->targets[2].target_ids[0], "d");
	loaded_free(&l);

	t.id = NULL;
	ck_assert_int_eq(store_task_put(s, &t, NULL), -1);
	ck_assert_ptr_nonnull(strstr(store_error(s), "no id"));
	store_close(s);
}
END_TEST

/* A second put replaces the row and its targets, in the same place. */
START_TEST(test_replace)
{
	struct store	*s = open_store();
	struct loaded	 l;

	put_text(s, "id: a\ntask_name: a\ntask_type: START\n"
	    "scheduled_type: CRON\ntask_cron: '@daily'\ntarget_infos:\n"
	    "  - {target_type: VM, target_id: [1, 2]}\n"
	    "  - {target_type: HOST, target_id: [3]}\n", NULL);
	put_text(s, "id: b\n" "task_name: b\ntask_type: START\n"
	    "scheduled_type: CRON\ntask_cron: '@daily'\n", NULL);
	put_text(s, "id: a\ntask_name: a2\ntask_type: STOP\n"
	    "scheduled_type: CRON\ntask_cron: '@hourly'\ntarget_infos:\n"
	    "  - {target_type: DESKTOP, target_id: [9]}\n", NULL);
	load(s, &l);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.t[0]->id, "a");
	ck_assert_str_eq(l.t[0]->task_name, "a2");
	ck_assert_str_eq(l.t[0]->task_type, "STOP");
	ck_assert_str_eq(l.t[0]->task_cron, "@hourly");
	ck_assert_uint_eq(l.t[0]->ntargets, 1);
	ck_assert_str_eq(l.t[0]->targets[0].target_type, "DESKTOP");
	ck_assert_uint_eq(l.t[0]->targets[0].ntarget_ids, 1);
	ck_assert_str_eq(l.t[0]->targets[0].target_ids[0], "9");
	ck_assert_str_eq(l.t[1]->id, "b");
	ck_assert_uint_eq(l.t[1]->ntargets, 0);
	loaded_free(&l);
	store_close(s);
}
END_TEST

/* A walk stops at the callback's first non-zero answer, and returns it. */
START_TEST(test_load_stop)
{
	struct store	*s = open_store();
	struct loaded	 l;

	put_text(s, cron_text, "a");
	put_text(s, cron_text, "b");
	put_text(s, cron_text, "c");
	memset(&l, 0, sizeof l);
	l.stop_after = 2;
	ck_assert_int_eq(store_tasks_load(s, collect, &l), 7);
	ck_assert_uint_eq(l.n, 2);
	loaded_free(&l);
	/* and the next walk starts from the beginning */
	load(s, &l);
	ck_assert_uint_eq(l.n, 3);
	loaded_free(&l);
	store_close(s);
}
END_TEST

static int64_t	occurrence;

static void
exec_init(struct store_execution *e, const char *id, const char *task_id,
    struct store_subtask *subs, size_t n)
{
	size_t	i;

	memset(e, 0, sizeof *e);
	e->id = (char *)id;
	e->task_id = (char *)task_id;
	e->task_type = "START";
	e->scheduled_type = "CRON";
	e->time_zone = "UTC";
	snprintf(e->status, sizeof e->status, "RUNNING");
	e->total_count = (int)n;
	e->excuting_count = (int)n;
	/*
	 * Each its own occurrence: PostgreSQL keeps (task, scheduled_at)
	 * unique, and so would a single node
	 */
	e->scheduled_at = T0 / 1000 + occurrence++;
	e->begin_ms = T0 + 10;
	e->create_ms = T0 + 5;
	e->subtasks = subs;
	e->nsubtasks = n;
	for (i = 0; i < n; i++) {
		memset(&subs[i], 0, sizeof subs[i]);
		subs[i].target_type = "VM";
		subs[i].target_id = i == 0 ? "vm-0" : i == 1 ? "vm-1" : "vm-n";
		snprintf(subs[i].status, sizeof subs[i].status, "WAITING");
		subs[i].exit_code = -1;
	}
}

/* Delete hides a task from the load; a put with its id brings it back. */
START_TEST(test_delete_revive)
{
	struct store_execution	 e, got;
	struct store_subtask	 sub[1];
	struct store		*s = open_store();
	struct loaded		 l;
	struct raw		*db;

	put_text(s, cron_text, "a");
	put_text(s, cron_text, "b");
	exec_init(&e, "e1", "a", sub, 1);
	ck_assert_int_eq(store_execution_insert(s, &e), 0);
	ck_assert_int_eq(store_task_delete(s, "a", T0), 0);
	ck_assert_int_eq(store_task_delete(s, "a", T0), 1);
	ck_assert_int_eq(store_task_delete(s, "nope", T0), 1);
	ck_assert_ptr_nonnull(strstr(store_error(s), "nope: no such task"));
	load(s, &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.t[0]->id, "b");
	loaded_free(&l);
	/* the row stays for its execution, and cannot really go */
	ck_assert_int_eq(store_execution_get(s, "e1", &got), 0);
	ck_assert_str_eq(got.task_id, "a");
	store_execution_free(&got);
	db = raw_open();
	if (engine == E_SQLITE)
		ck_assert_int_eq(raw_exec(db, "PRAGMA foreign_keys = ON"), 0);
	ck_assert_int_ne(raw_exec(db, "DELETE FROM tasks WHERE id = 'a'"), 0);
	ck_assert_msg(strcasestr(db->err, "FOREIGN KEY") != NULL, "%s",
	    db->err);
	ck_assert_int_eq(raw_int(db, "SELECT deleted_ms FROM tasks "
	    "WHERE id = 'a'"), T0);
	raw_close(db);

	put_text(s, "task_name: back\ntask_type: START\n"
	    "scheduled_type: CRON\ntask_cron: '@daily'\n", "a");
	load(s, &l);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.t[0]->id, "a");	/* its old place */
	ck_assert_str_eq(l.t[0]->task_name, "back");
	ck_assert_str_eq(l.t[1]->id, "b");
	loaded_free(&l);
	store_close(s);
}
END_TEST

START_TEST(test_set_status)
{
	struct store	*s = open_store();
	struct loaded	 l;

	put_text(s, cron_text, "a");
	ck_assert_int_eq(store_task_set_status(s, "a", "FAIL", 1704067260), 0);
	ck_assert_int_eq(store_task_set_status(s, "zz", "FAIL", 1), 1);
	load(s, &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.meta[0].last_status, "FAIL");
	ck_assert_int_eq(l.meta[0].last_fire, 1704067260);
	loaded_free(&l);
	store_close(s);
}
END_TEST

/*
 * Approval: none until set; set, cleared, kept by a task put (a changed
 * task file), refused for an unknown task and by the CHECK.
 */
START_TEST(test_approve)
{
	struct store	*s = open_store();
	struct loaded	 l;

	put_text(s, cron_text, "a");
	load(s, &l);
	ck_assert_str_eq(l.meta[0].approve_status, "");
	loaded_free(&l);
	ck_assert_int_eq(store_task_set_approve(s, "a", "REJECTED", "no"), 0);
	ck_assert_int_eq(store_task_set_approve(s, "zz", "PASSED", NULL), 1);
	ck_assert_int_eq(store_task_set_approve(s, "a", "MAYBE", NULL), -1);
	put_text(s, cron_text, "a");	/* the definition changes */
	memset(&l, 0, sizeof l);
	ck_assert_int_eq(store_tasks_load(s, collect_approve, &l), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.meta[0].approve_status, "REJECTED");
	loaded_free(&l);
	ck_assert_int_eq(store_task_set_approve(s, "a", "PASSED", NULL), 0);
	store_close(s);
	s = open_store();
	memset(&l, 0, sizeof l);
	ck_assert_int_eq(store_tasks_load(s, collect_approve, &l), 0);
	ck_assert_str_eq(l.meta[0].approve_status, "PASSED");
	loaded_free(&l);
	store_close(s);
}
END_TEST

struct planned_got {
	char		rows[8][128];
	size_t		n;
};

static int
collect_planned(void *arg, const struct store_planned *p)
{
	struct planned_got	*g = arg;

	ck_assert_uint_lt(g->n, NELEM(g->rows));
	snprintf(g->rows[g->n++], sizeof g->rows[0], "%s %s %lld %lld %s",
	    p->task_id, p->instance_id, (long long)p->planned_at,
	    (long long)p->execute_at, p->status);
	return (g->n == 3 ? 5 : 0);	/* stop after three */
}

/* Planned records: put, replace, delete, load order, stop, cascade. */
START_TEST(test_planned)
{
	struct store		*s = open_store();
	struct store_planned	 p = { "a", "vm1", 2000, 2100, "WAITING" };
	struct planned_got	 g;
	struct raw		*db;

	put_text(s, cron_text, "a");
	ck_assert_int_eq(store_planned_put(s, &p), 0);
	p.planned_at = 1000;
	p.execute_at = 0;
	snprintf(p.status, sizeof p.status, "CANCELLED");
	ck_assert_int_eq(store_planned_put(s, &p), 0);
	p.instance_id = "vm2";
	ck_assert_int_eq(store_planned_put(s, &p), 0);
	/* replace: the same key, moved instead of cancelled */
	p.execute_at = 1500;
	snprintf(p.status, sizeof p.status, "WAITING");
	ck_assert_int_eq(store_planned_put(s, &p), 0);
	memset(&g, 0, sizeof g);
	ck_assert_int_eq(store_planned_load(s, collect_planned, &g), 5);
	ck_assert_uint_eq(g.n, 3);
	ck_assert_str_eq(g.rows[0], "a vm1 1000 0 CANCELLED");
	ck_assert_str_eq(g.rows[1], "a vm2 1000 1500 WAITING");
	ck_assert_str_eq(g.rows[2], "a vm1 2000 2100 WAITING");
	/* an unknown task and an unknown status are refused */
	p.task_id = "zz";
	ck_assert_int_eq(store_planned_put(s, &p), -1);
	p.task_id = "a";
	snprintf(p.status, sizeof p.status, "DONE");
	ck_assert_int_eq(store_planned_put(s, &p), -1);
	ck_assert_int_eq(store_planned_delete(s, "a", "vm1", 1000), 0);
	ck_assert_int_eq(store_planned_delete(s, "a", "vm1", 1000), 1);
	ck_assert_str_eq(store_error(s), "a: no such planned record");
	store_close(s);
	s = open_store();
	memset(&g, 0, sizeof g);
	ck_assert_int_eq(store_planned_load(s, collect_planned, &g), 0);
	ck_assert_uint_eq(g.n, 2);
	ck_assert_str_eq(g.rows[0], "a vm2 1000 1500 WAITING");
	store_close(s);
	db = raw_open();
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM planned"), 2);
	raw_close(db);
}
END_TEST

/* Insert, update a subtask and the execution, then read it back. */
START_TEST(test_execution)
{
	struct store_execution	 e, got;
	struct store_subtask	 sub[3], done;
	struct store		*s = open_store();

	put_text(s, cron_text, "t");
	exec_init(&e, "e1", "t", sub, 3);
	sub[2].reason = "queued";
	ck_assert_msg(store_execution_insert(s, &e) == 0, "%s",
	    store_error(s));

	memset(&done, 0, sizeof done);
	snprintf(done.status, sizeof done.status, "SUCCESS");
	done.exit_code = 0;
	done.output_tail = "hello\n";
	done.begin_ms = T0 + 11;
	done.end_ms = T0 + 20;
	ck_assert_int_eq(store_subtask_update(s, "e1", 1, &done), 0);
	ck_assert_int_eq(store_subtask_update(s, "e1", 3, &done), 1);
	ck_assert_int_eq(store_subtask_update(s, "e9", 0, &done), 1);

	e.success_count = 1;
	e.excuting_count = 2;
	e.reason = "partly";
	e.end_ms = T0 + 30;
	snprintf(e.status, sizeof e.status, "FAIL");
	ck_assert_int_eq(store_execution_update(s, &e), 0);
	e.id = "e9";
	ck_assert_int_eq(store_execution_update(s, &e), 1);

	ck_assert_int_eq(store_execution_get(s, "e1", &got), 0);
	ck_assert_str_eq(got.id, "e1");
	ck_assert_str_eq(got.task_id, "t");
	ck_assert_str_eq(got.task_type, "START");
	ck_assert_str_eq(got.scheduled_type, "CRON");
	ck_assert_str_eq(got.time_zone, "UTC");
	ck_assert_str_eq(got.status, "FAIL");
	ck_assert_str_eq(got.reason, "partly");
	ck_assert_int_eq(got.total_count, 3);
	ck_assert_int_eq(got.success_count, 1);
	ck_assert_int_eq(got.failed_count, 0);
	ck_assert_int_eq(got.excuting_count, 2);
	ck_assert_int_eq(got.skipped_count, 0);
	ck_assert_int_eq(got.scheduled_at, e.scheduled_at);
	ck_assert_int_eq(got.begin_ms, T0 + 10);
	ck_assert_int_eq(got.end_ms, T0 + 30);
	ck_assert_int_eq(got.create_ms, T0 + 5);
	ck_assert_uint_eq(got.nsubtasks, 3);
	ck_assert_str_eq(got.subtasks[0].target_id, "vm-0");
	ck_assert_str_eq(got.subtasks[0].status, "WAITING");
	ck_assert_int_eq(got.subtasks[0].exit_code, -1);
	ck_assert_ptr_null(got.subtasks[0].reason);
	ck_assert_ptr_null(got.subtasks[0].output_tail);
	ck_assert_str_eq(got.subtasks[1].target_type, "VM");
	ck_assert_str_eq(got.subtasks[1].target_id, "vm-1");
	ck_assert_str_eq(got.subtasks[1].status, "SUCCESS");
	ck_assert_int_eq(got.subtasks[1].exit_code, 0);
	ck_assert_str_eq(got.subtasks[1].output_tail, "hello\n");
	ck_assert_int_eq(got.subtasks[1].begin_ms, T0 + 11);
	ck_assert_int_eq(got.subtasks[1].end_ms, T0 + 20);
	ck_assert_str_eq(got.subtasks[2].reason, "queued");
	store_execution_free(&got);

	ck_assert_int_eq(store_execution_get(s, "nope", &got), 1);
	ck_assert_ptr_null(got.id);
	store_close(s);
}
END_TEST

/* History pages: newest first, offset and limit, and the total. */
static const struct {
	int		 line;
	int		 offset, limit;
	const char	*ids;		/* expected, newest first */
} pages[] = {
	{ ROW, 0, 10, "e4 e3 e2 e1 e0" },
	{ ROW, 0, 2, "e4 e3" },
	{ ROW, 1, 2, "e3 e2" },
	{ ROW, 4, 5, "e0" },
	{ ROW, 5, 5, "" },
	{ ROW, 0, 0, "" },
};

START_TEST(test_history)
{
	struct store_execution	 e, *v;
	struct store_subtask	 sub[2];
	struct store		*s = open_store();
	char			 id[8], got[64];
	size_t			 n, i;
	int			 total;

	put_text(s, cron_text, "t");
	put_text(s, cron_text, "other");
	for (i = 0; i < 5; i++) {
		snprintf(id, sizeof id, "e%zu", i);
		exec_init(&e, id, "t", sub, 2);
		/* the same time for all: the order is the insertion's */
		ck_assert_int_eq(store_execution_insert(s, &e), 0);
	}
	exec_init(&e, "x", "other", sub, 1);
	ck_assert_int_eq(store_execution_insert(s, &e), 0);

	ck_assert_int_eq(store_history(s, "t", pages[_i].offset,
	    pages[_i].limit, &v, &n, &total), 0);
	ck_assert_int_eq(total, 5);
	got[0] = '\0';
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(v[i].nsubtasks, 2);
		ck_assert_str_eq(v[i].subtasks[1].target_id, "vm-1");
		snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s",
		    i ? " " : "", v[i].id);
	}
	ck_assert_msg(strcmp(got, pages[_i].ids) == 0, "line %d: '%s', "
	    "wanted '%s'", pages[_i].line, got, pages[_i].ids);
	store_executions_free(v, n);

	ck_assert_int_eq(store_history(s, "none", 0, 10, &v, &n, &total), 0);
	ck_assert_int_eq(total, 0);
	ck_assert_uint_eq(n, 0);
	store_executions_free(v, n);
	store_close(s);
}
END_TEST

/* After a crash: RUNNING executions and their open subtasks close. */
START_TEST(test_close_running)
{
	struct store_execution	 e, got;
	struct store_subtask	 sub[3];
	struct store		*s = open_store();
	struct loaded		 l;
	int			 closed;

	put_text(s, cron_text, "t");
	put_text(s, cron_text, "u");
	ck_assert_int_eq(store_task_set_status(s, "t", "RUNNING", 1), 0);
	ck_assert_int_eq(store_task_set_status(s, "u", "RUNNING", 1), 0);
	put_text(s, cron_text, "w");
	ck_assert_int_eq(store_task_set_status(s, "w", "SUCCESS", 1), 0);
	exec_init(&e, "w1", "w", sub, 1);
	ck_assert_int_eq(store_execution_insert(s, &e), 0);
	exec_init(&e, "run", "t", sub, 3);
	snprintf(sub[0].status, sizeof sub[0].status, "SUCCESS");
	sub[0].end_ms = T0 + 15;
	snprintf(sub[1].status, sizeof sub[1].status, "RUNNING");
	e.success_count = 1;
	e.excuting_count = 1;
	e.failed_count = 0;
	ck_assert_int_eq(store_execution_insert(s, &e), 0);
	exec_init(&e, "ok", "t", sub, 1);
	snprintf(e.status, sizeof e.status, "SUCCESS");
	snprintf(sub[0].status, sizeof sub[0].status, "SUCCESS");
	e.end_ms = T0 + 40;
	ck_assert_int_eq(store_execution_insert(s, &e), 0);

	ck_assert_int_eq(store_close_running(s, "daemon restarted", T0 + 99,
	    &closed), 0);
	ck_assert_int_eq(closed, 2);

	ck_assert_int_eq(store_execution_get(s, "run", &got), 0);
	ck_assert_str_eq(got.status, "FAIL");
	ck_assert_str_eq(got.reason, "daemon restarted");
	ck_assert_int_eq(got.end_ms, T0 + 99);
	ck_assert_int_eq(got.excuting_count, 0);
	ck_assert_int_eq(got.failed_count, 2);
	ck_assert_int_eq(got.success_count, 1);
	ck_assert_str_eq(got.subtasks[0].status, "SUCCESS");
	ck_assert_ptr_null(got.subtasks[0].reason);
	ck_assert_int_eq(got.subtasks[0].end_ms, T0 + 15);
	ck_assert_str_eq(got.subtasks[1].status, "FAIL");
	ck_assert_str_eq(got.subtasks[1].reason, "daemon restarted");
	ck_assert_int_eq(got.subtasks[1].end_ms, T0 + 99);
	ck_assert_str_eq(got.subtasks[2].status, "FAIL");
	ck_assert_str_eq(got.subtasks[2].reason, "daemon restarted");
	store_execution_free(&got);

	ck_assert_int_eq(store_execution_get(s, "ok", &got), 0);
	ck_assert_str_eq(got.status, "SUCCESS");
	ck_assert_ptr_null(got.reason);
	ck_assert_int_eq(got.end_ms, T0 + 40);
	store_execution_free(&got);

	/*
	 * t had a running execution; u says RUNNING with none, and w's last
	 * execution ended: both untouched
	 */
	load(s, &l);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_str_eq(l.meta[0].last_status, "FAIL");
	ck_assert_str_eq(l.meta[1].last_status, "RUNNING");
	ck_assert_str_eq(l.meta[2].last_status, "SUCCESS");
	loaded_free(&l);

	ck_assert_int_eq(store_close_running(s, "again", T0 + 100, &closed),
	    0);
	ck_assert_int_eq(closed, 0);
	store_close(s);
}
END_TEST

/* Keep the newest N, a batch at a time; subtasks go with them. */
static const struct {
	int	line;
	int	keep, batch;
	int	deleted[4];	/* per call, ending with 0 */
} prunes[] = {
	{ ROW, 3, 4, { 4, 3, 0 } },
	{ ROW, 3, 100, { 7, 0 } },
	{ ROW, 0, 6, { 6, 4, 0 } },
	{ ROW, 10, 1, { 0 } },
	{ ROW, 20, 5, { 0 } },
};

START_TEST(test_prune)
{
	struct store_execution	 e, *v;
	struct store_subtask	 sub[2];
	struct store		*s = open_store();
	struct raw		*db;
	char			 id[8];
	size_t			 n, i, j;
	int			 total, deleted, left, keep = prunes[_i].keep;

	put_text(s, cron_text, "t");
	put_text(s, cron_text, "u");
	for (i = 0; i < 10; i++) {
		snprintf(id, sizeof id, "e%zu", i);
		exec_init(&e, id, "t", sub, 2);
		ck_assert_int_eq(store_execution_insert(s, &e), 0);
	}
	exec_init(&e, "other", "u", sub, 2);
	ck_assert_int_eq(store_execution_insert(s, &e), 0);

	left = 10;
	for (i = 0; i == 0 || prunes[_i].deleted[i - 1] != 0; i++) {
		ck_assert_int_eq(store_prune(s, "t", keep, prunes[_i].batch,
		    &deleted), 0);
		ck_assert_msg(deleted == prunes[_i].deleted[i], "line %d: "
		    "call %zu deleted %d, wanted %d", prunes[_i].line, i,
		    deleted, prunes[_i].deleted[i]);
		left -= deleted;
		/* after every call, what is left is the newest */
		ck_assert_int_eq(store_history(s, "t", 0, 100, &v, &n,
		    &total), 0);
		ck_assert_int_eq(total, left);
		for (j = 0; j < n; j++) {
			snprintf(id, sizeof id, "e%zu", 9 - j);
			ck_assert_msg(strcmp(v[j].id, id) == 0, "line %d: "
			    "call %zu left %s, not %s", prunes[_i].line, i,
			    v[j].id, id);
		}
		store_executions_free(v, n);
	}
	if (keep > 10)
		keep = 10;
	ck_assert_int_eq(left, keep);
	ck_assert_int_eq(store_history(s, "u", 0, 100, &v, &n, &total), 0);
	ck_assert_int_eq(total, 1);
	store_executions_free(v, n);
	db = raw_open();
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM subtasks"),
	    2 * (keep + 1));
	raw_close(db);
	ck_assert_int_eq(store_prune(s, "t", -1, 1, &deleted), -1);
	ck_assert_int_eq(store_prune(s, "t", 1, 0, &deleted), -1);
	store_close(s);
}
END_TEST

/* Foreign keys hold, and a failed insert leaves nothing behind. */
START_TEST(test_constraints)
{
	struct store_execution	 e, got;
	struct store_subtask	 sub[3];
	struct store		*s = open_store();
	size_t			 n;
	int			 total;
	struct store_execution	*v;

	exec_init(&e, "e1", "ghost", sub, 2);
	ck_assert_int_eq(store_execution_insert(s, &e), -1);
	ck_assert_msg(strcasestr(store_error(s), "FOREIGN KEY") != NULL, "%s",
	    store_error(s));
	ck_assert_int_eq(store_execution_get(s, "e1", &got), 1);

	put_text(s, cron_text, "t");
	exec_init(&e, "e1", "t", sub, 1);
	ck_assert_int_eq(store_execution_insert(s, &e), 0);
	/* the same id again: refused whole, subtasks included */
	exec_init(&e, "e1", "t", sub, 3);
	ck_assert_int_eq(store_execution_insert(s, &e), -1);
	ck_assert_msg(strcasestr(store_error(s), "UNIQUE") != NULL, "%s",
	    store_error(s));
	ck_assert_int_eq(store_execution_get(s, "e1", &got), 0);
	ck_assert_uint_eq(got.nsubtasks, 1);
	store_execution_free(&got);
	ck_assert_int_eq(store_history(s, "t", 0, 10, &v, &n, &total), 0);
	ck_assert_int_eq(total, 1);
	store_executions_free(v, n);
	store_close(s);
}
END_TEST

/* store_begin groups puts; failures inside roll back only themselves. */
START_TEST(test_transaction)
{
	struct store_execution	 e;
	struct store_subtask	 sub[1];
	struct store		*s = open_store();
	struct loaded		 l;
	struct raw		*db;

	ck_assert_int_eq(store_commit(s), -1);
	ck_assert_int_eq(store_rollback(s), -1);

	ck_assert_int_eq(store_begin(s), 0);
	put_text(s, cron_text, "a");
	put_text(s, cron_text, "b");
	exec_init(&e, "e1", "ghost", sub, 1);
	ck_assert_int_eq(store_execution_insert(s, &e), -1);
	put_text(s, cron_text, "c");
	/* not visible to another connection before the commit */
	db = raw_open();
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM tasks"), 0);
	ck_assert_int_eq(store_commit(s), 0);
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM tasks"), 3);
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM executions"), 0);
	raw_close(db);

	ck_assert_int_eq(store_begin(s), 0);
	put_text(s, cron_text, "d");
	ck_assert_int_eq(store_begin(s), 0);	/* nested */
	put_text(s, cron_text, "e");
	ck_assert_int_eq(store_rollback(s), 0);
	put_text(s, cron_text, "f");
	ck_assert_int_eq(store_commit(s), 0);

	ck_assert_int_eq(store_begin(s), 0);
	put_text(s, cron_text, "g");
	ck_assert_int_eq(store_rollback(s), 0);

	load(s, &l);
	ck_assert_uint_eq(l.n, 5);
	ck_assert_str_eq(l.t[0]->id, "a");
	ck_assert_str_eq(l.t[2]->id, "c");
	ck_assert_str_eq(l.t[3]->id, "d");
	ck_assert_str_eq(l.t[4]->id, "f");
	loaded_free(&l);
	store_close(s);
}
END_TEST

/* Data outlives the store: close, reopen, and everything is there. */
static int
count_view(void *arg, const struct task *t, const struct store_task_meta *m,
    uint64_t digest)
{
	struct scanned	*sc = arg;

	/* in load order: c0, c1, ... */
	ck_assert_int_eq(atoi(t->task_name + 1), (int)sc->n);
	sc->n++;
	return (0);
}

/* A scan in steps: every task once, in order, wherever a step ends. */
START_TEST(test_scan_steps)
{
	struct store	*s = open_store();
	struct scanned	 sc;
	char		 text[128], id[16];
	size_t		 step, calls;
	bool		 done;
	int		 i;

	for (i = 0; i < 7; i++) {
		snprintf(text, sizeof text, "task_name: c%d\ntask_type: START\n"
		    "scheduled_type: CRON\ntask_cron: '@daily'\n", i);
		snprintf(id, sizeof id, "id-%d", i);
		put_text(s, text, id);
	}
	for (step = 1; step <= 8; step++) {
		memset(&sc, 0, sizeof sc);
		calls = 0;
		do {
			ck_assert_int_eq(store_tasks_scan_some(s, count_view,
			    &sc, step, &done), 0);
			calls++;
			/* another statement between the steps */
			put_text(s, cron_text, "other");
			ck_assert_int_eq(store_task_delete(s, "other", 1), 0);
		} while (!done && calls < 20);
		ck_assert_msg(done, "step %zu: not done", step);
		ck_assert_uint_eq(sc.n, 7);
		ck_assert_uint_le(calls, 7 / step + 1);
	}
	store_close(s);
}
END_TEST

/* Task file fingerprints: the table is replaced whole, found by path. */
START_TEST(test_files)
{
	struct store		*s = open_store();
	struct store_file	 f[2] = {
		{ "/etc/sked/tasks.d/a.yaml", 2049, 17, 120, 1700000000123456789LL,
		  1700000000223456789LL },
		{ "/etc/sked/tasks.d/b.yaml", 2049, 18, 0, 1, 2 },
	}, got;

	memset(&got, 0, sizeof got);
	got.path = f[0].path;
	ck_assert_int_eq(store_file_get(s, &got), 1);
	ck_assert_int_eq(store_files_replace(s, f, 2), 0);
	ck_assert_int_eq(store_file_get(s, &got), 0);
	ck_assert(got.dev == 2049 && got.ino == 17 && got.size == 120);
	ck_assert_int_eq(got.mtime_ns, 1700000000123456789LL);
	ck_assert_int_eq(got.ctime_ns, 1700000000223456789LL);
	/* replaced by the one file left: a.yaml is gone */
	ck_assert_int_eq(store_files_replace(s, &f[1], 1), 0);
	ck_assert_int_eq(store_file_get(s, &got), 1);
	got.path = f[1].path;
	ck_assert_int_eq(store_file_get(s, &got), 0);
	ck_assert(got.ino == 18 && got.size == 0 && got.mtime_ns == 1);
	store_close(s);
}
END_TEST

START_TEST(test_reopen)
{
	struct store_execution	 e, got;
	struct store_subtask	 sub[2];
	struct store		*s = open_store();
	struct loaded		 l;

	put_text(s, cron_text, "a");
	exec_init(&e, "e1", "a", sub, 2);
	ck_assert_int_eq(store_execution_insert(s, &e), 0);
	ck_assert_int_eq(store_begin(s), 0);
	put_text(s, cron_text, "lost");
	store_close(s);		/* an open transaction is rolled back */

	s = open_store();
	load(s, &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.t[0]->id, "a");
	loaded_free(&l);
	ck_assert_int_eq(store_execution_get(s, "e1", &got), 0);
	ck_assert_uint_eq(got.nsubtasks, 2);
	store_execution_free(&got);
	store_close(s);
}
END_TEST

/* Cluster */

/* The node of an execution is stored and read back; NULL stays NULL. */
START_TEST(test_node_column)
{
	struct store_execution	 e, got, *v;
	struct store_subtask	 sub[1];
	struct store		*s = open_store();
	size_t			 n;
	int			 total;

	put_text(s, cron_text, "t");
	exec_init(&e, "e1", "t", sub, 1);
	e.node = "node-a";
	ck_assert_int_eq(store_execution_insert(s, &e), 0);
	exec_init(&e, "e2", "t", sub, 1);
	e.scheduled_at++;
	ck_assert_int_eq(store_execution_insert(s, &e), 0);
	ck_assert_int_eq(store_execution_get(s, "e1", &got), 0);
	ck_assert_str_eq(got.node, "node-a");
	store_execution_free(&got);
	ck_assert_ptr_null(got.node);
	ck_assert_int_eq(store_execution_get(s, "e2", &got), 0);
	ck_assert_ptr_null(got.node);
	store_execution_free(&got);
	ck_assert_int_eq(store_history(s, "t", 0, 10, &v, &n, &total), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_ptr_null(v[0].node);
	ck_assert_str_eq(v[1].node, "node-a");
	store_executions_free(v, n);
	store_close(s);
}
END_TEST

/* An execution of node on task_id at scheduled_at, RUNNING, subs open. */
static void
running_of(struct store *s, const char *id, const char *task_id,
    const char *node, int64_t at)
{
	struct store_execution	 e;
	struct store_subtask	 sub[3];

	exec_init(&e, id, task_id, sub, 3);
	e.node = (char *)node;
	e.scheduled_at = at;
	snprintf(sub[0].status, sizeof sub[0].status, "SUCCESS");
	snprintf(sub[1].status, sizeof sub[1].status, "RUNNING");
	e.success_count = 1;
	e.excuting_count = 1;
	ck_assert_msg(store_execution_insert(s, &e) == 0, "%s",
	    store_error(s));
}

static void
closed_as(struct store *s, const char *id, const char *reason)
{
	struct store_execution	 got;

	ck_assert_int_eq(store_execution_get(s, id, &got), 0);
	if (reason == NULL) {
		ck_assert_str_eq(got.status, "RUNNING");
		ck_assert_str_eq(got.subtasks[1].status, "RUNNING");
		ck_assert_str_eq(got.subtasks[2].status, "WAITING");
		ck_assert_int_eq(got.excuting_count, 1);
	} else {
		ck_assert_str_eq(got.status, "FAIL");
		ck_assert_str_eq(got.reason, reason);
		ck_assert_int_eq(got.excuting_count, 0);
		ck_assert_int_eq(got.failed_count, 2);
		ck_assert_int_eq(got.success_count, 1);
		ck_assert_str_eq(got.subtasks[0].status, "SUCCESS");
		ck_assert_ptr_null(got.subtasks[0].reason);
		ck_assert_str_eq(got.subtasks[1].status, "FAIL");
		ck_assert_str_eq(got.subtasks[1].reason, reason);
		ck_assert_str_eq(got.subtasks[2].status, "FAIL");
		ck_assert_str_eq(got.subtasks[2].reason, reason);
		ck_assert_int_eq(got.subtasks[2].end_ms, T0 + 99);
	}
	store_execution_free(&got);
}

/*
 * One node's RUNNING executions only; a task's last_status only where
 * the closed execution was its last (another node fired it since).
 */
START_TEST(test_close_running_node)
{
	struct store	*s = open_store();
	struct loaded	 l;
	int		 closed;

	put_text(s, cron_text, "t");
	put_text(s, cron_text, "u");
	put_text(s, cron_text, "w");
	running_of(s, "t-a", "t", "a", 100);
	running_of(s, "u-a", "u", "a", 100);
	running_of(s, "u-b", "u", "b", 200);	/* u's last: b's */
	running_of(s, "w-b", "w", "b", 100);
	ck_assert_int_eq(store_task_set_status(s, "t", "RUNNING", 100), 0);
	ck_assert_int_eq(store_task_set_status(s, "u", "RUNNING", 200), 0);
	ck_assert_int_eq(store_task_set_status(s, "w", "RUNNING", 100), 0);
	ck_assert_int_eq(store_close_running_node(s, "a", "node a lost",
	    T0 + 99, &closed), 0);
	ck_assert_int_eq(closed, 2);
	closed_as(s, "t-a", "node a lost");
	closed_as(s, "u-a", "node a lost");
	closed_as(s, "u-b", NULL);
	closed_as(s, "w-b", NULL);
	load(s, &l);
	ck_assert_str_eq(l.meta[0].last_status, "FAIL");
	ck_assert_str_eq(l.meta[1].last_status, "RUNNING");
	ck_assert_str_eq(l.meta[2].last_status, "RUNNING");
	loaded_free(&l);
	ck_assert_int_eq(store_close_running_node(s, "a", "again", T0 + 99,
	    &closed), 0);
	ck_assert_int_eq(closed, 0);
	/* NULL: every node's, as store_close_running */
	ck_assert_int_eq(store_close_running_node(s, NULL, "all", T0 + 99,
	    &closed), 0);
	ck_assert_int_eq(closed, 2);
	closed_as(s, "w-b", "all");
	store_close(s);
}
END_TEST

/* SQLite: one node, nobody else; every cluster call says so. */
START_TEST(test_single_node)
{
	struct store_execution	 e, got;
	struct store_subtask	 sub[1];
	struct store_node	*nodes = (struct store_node *)1;
	struct store		*s = open_store();
	int64_t			 now, before = (int64_t)time(NULL) * 1000;
	size_t			 n = 9;
	int			 fd = 7, closed;

	ck_assert(!store_lost(s));
	put_text(s, cron_text, "t");
	exec_init(&e, "e1", "t", sub, 1);
	e.scheduled_at = before / 1000 + 3600;	/* the local clock decides */
	ck_assert_int_eq(store_execution_claim(s, &e, "n1", &now), 0);
	ck_assert_int_ge(now, before);
	ck_assert_int_le(now, before + 60000);
	ck_assert_int_eq(store_execution_get(s, "e1", &got), 0);
	store_execution_free(&got);
	ck_assert_int_eq(store_node_join(s, "n1", 1, 10), 0);
	ck_assert_int_eq(store_node_join(s, "n1", 2, 10), 0);
	ck_assert_int_eq(store_node_beat(s, "n1", 1, 3, 1, &now), 0);
	ck_assert_int_ge(now, before);
	ck_assert_int_eq(store_nodes(s, &nodes, &n), 0);
	ck_assert_uint_eq(n, 0);
	free(nodes);
	ck_assert_int_eq(store_node_take_over(s, "n1", 10, "lost", T0,
	    &closed), 1);
	ck_assert_int_eq(closed, 0);
	ck_assert_int_eq(store_node_leave(s, "n1", 1), 0);
	ck_assert_int_eq(store_notify(s, "x"), 0);
	ck_assert_int_eq(store_listen(s, &fd), 0);
	ck_assert_int_eq(fd, -1);
	ck_assert_int_eq(store_notifications(s, NULL, NULL), 0);
	ck_assert_int_eq(store_reconnect(s), 0);
	ck_assert(!store_lost(s));
	store_close(s);
}
END_TEST

/* Two nodes claim one occurrence: one gets it, the other nothing. */
START_TEST(test_pg_claim_once)
{
	struct store_execution	 e, got, *v;
	struct store_subtask	 sub[2];
	struct store		*a = open_store(), *b = open_store();
	struct loaded		 l;
	int64_t			 now, at;
	size_t			 n;
	int			 total;

	put_text(a, cron_text, "t");
	exec_init(&e, "by-a", "t", sub, 2);
	at = e.scheduled_at;
	ck_assert_msg(store_execution_claim(a, &e, "a", &now) == 0, "%s",
	    store_error(a));
	ck_assert_int_gt(now, T0);
	exec_init(&e, "by-b", "t", sub, 1);
	e.scheduled_at = at;	/* the same occurrence */
	ck_assert_int_eq(store_execution_claim(b, &e, "b", &now), 1);
	ck_assert_ptr_nonnull(strstr(store_error(b), "already claimed"));
	ck_assert_int_eq(store_execution_get(b, "by-b", &got), 1);
	ck_assert_int_eq(store_execution_get(b, "by-a", &got), 0);
	ck_assert_str_eq(got.node, "a");
	ck_assert_uint_eq(got.nsubtasks, 2);
	store_execution_free(&got);

	/* in the batch transaction: refused, and the transaction goes on */
	ck_assert_int_eq(store_begin(b), 0);
	put_text(b, cron_text, "u");
	ck_assert_int_eq(store_execution_claim(b, &e, "b", &now), 1);
	ck_assert_int_eq(store_task_set_status(b, "t", "RUNNING", 7), 0);
	e.scheduled_at++;	/* the next occurrence is b's */
	ck_assert_int_eq(store_execution_claim(b, &e, "b", &now), 0);
	/* a task that is not stored: an error, in its own savepoint */
	e.task_id = "ghost";
	ck_assert_int_eq(store_execution_claim(b, &e, "b", &now), -1);
	ck_assert_int_eq(store_commit(b), 0);
	load(a, &l);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.meta[0].last_status, "RUNNING");
	loaded_free(&l);
	ck_assert_int_eq(store_history(a, "t", 0, 10, &v, &n, &total), 0);
	ck_assert_int_eq(total, 2);
	ck_assert_str_eq(v[0].id, "by-b");
	ck_assert_str_eq(v[0].node, "b");
	ck_assert_uint_eq(v[0].nsubtasks, 1);
	store_executions_free(v, n);
	/* run now and events (scheduled_at 0) are no occurrence */
	e.task_id = "t";
	e.scheduled_at = 0;
	e.id = "now-1";
	ck_assert_int_eq(store_execution_claim(a, &e, "a", &now), 0);
	e.id = "now-2";
	ck_assert_int_eq(store_execution_claim(b, &e, "b", &now), 0);
	store_close(a);
	store_close(b);
}
END_TEST

/* A node whose clock runs ahead must not fire early: the database's. */
START_TEST(test_pg_claim_early)
{
	struct store_execution	 e, got;
	struct store_subtask	 sub[1];
	struct store		*s = open_store();
	struct raw		*db = raw_open();
	int64_t			 now, local = (int64_t)time(NULL) * 1000;

	put_text(s, cron_text, "t");
	exec_init(&e, "early", "t", sub, 1);
	e.scheduled_at = local / 1000 + 3600;
	ck_assert_int_eq(store_execution_claim(s, &e, "a", &now), 2);
	ck_assert_int_ge(now, local - 60000);
	ck_assert_int_le(now, local + 60000);
	ck_assert_ptr_nonnull(strstr(store_error(s), "too early"));
	ck_assert_int_eq(store_execution_get(s, "early", &got), 1);
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM subtasks"), 0);
	/* due by the database's clock a second ago: claimed */
	e.scheduled_at = now / 1000 - 1;
	ck_assert_int_eq(store_execution_claim(s, &e, "a", &now), 0);
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM subtasks"), 1);
	raw_close(db);
	store_close(s);
}
END_TEST

/* A live name is refused; a stale one is taken; the old one is out. */
START_TEST(test_pg_join)
{
	struct store		*a = open_store(), *b = open_store();
	struct store_node	*v;
	struct raw		*db = raw_open();
	int64_t			 now;
	size_t			 n;

	ck_assert_int_eq(store_node_join(a, "n1", 1, 10), 0);
	ck_assert_int_eq(store_node_join(a, "n1", 1, 10), 0);	/* again */
	ck_assert_int_eq(store_node_join(b, "n1", 2, 10), 1);
	ck_assert_ptr_nonnull(strstr(store_error(b), "alive"));
	ck_assert_int_eq(store_node_join(b, "n2", 2, 10), 0);
	ck_assert_int_eq(store_node_beat(a, "n1", 1, 5, 2, &now), 0);
	ck_assert_int_gt(now, T0);
	ck_assert_int_eq(store_nodes(b, &v, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[0].name, "n1");
	ck_assert_str_eq(v[0].state, "alive");
	ck_assert_uint_eq(v[0].incarnation, 1);
	ck_assert_int_eq(v[0].fired, 5);
	ck_assert_int_eq(v[0].running, 2);
	ck_assert_int_ge(v[0].age_ms, 0);
	ck_assert_int_lt(v[0].age_ms, 5000);
	ck_assert_int_eq(v[0].heartbeat_ms, now);
	ck_assert_str_eq(v[1].name, "n2");
	free(v);
	/* n1 silent for a minute: a new start takes the name */
	ck_assert_int_eq(raw_exec(db, "UPDATE nodes SET heartbeat = "
	    "heartbeat - 60000 WHERE name = 'n1'"), 0);
	ck_assert_int_eq(store_node_join(b, "n1", 3, 10), 0);
	ck_assert_int_eq(store_node_beat(a, "n1", 1, 6, 0, &now), 1);
	ck_assert_int_gt(now, T0);
	ck_assert_int_eq(store_node_beat(b, "n1", 3, 0, 0, &now), 0);
	ck_assert_int_eq(store_node_leave(a, "n1", 1), 1);
	ck_assert_int_eq(store_node_leave(b, "n1", 3), 0);
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM nodes WHERE "
	    "name = 'n1' AND state = 'left' AND incarnation = 3"), 1);
	/* left: no longer alive, the name is free at once */
	ck_assert_int_eq(store_node_beat(b, "n1", 3, 0, 0, &now), 1);
	ck_assert_int_eq(store_node_join(a, "n1", 4, 10), 0);
	raw_close(db);
	store_close(a);
	store_close(b);
}
END_TEST

/* Of two survivors, one closes the dead node's work; the other nothing. */
START_TEST(test_pg_take_over)
{
	struct store	*a = open_store(), *b = open_store(), *c = open_store();
	struct raw	*db = raw_open();
	struct loaded	 l;
	int		 closed;

	ck_assert_int_eq(store_node_join(a, "dead", 1, 10), 0);
	ck_assert_int_eq(store_node_join(b, "live", 2, 10), 0);
	put_text(a, cron_text, "t");
	put_text(a, cron_text, "u");
	running_of(a, "t-dead", "t", "dead", 100);
	running_of(b, "u-live", "u", "live", 100);
	ck_assert_int_eq(store_task_set_status(a, "t", "RUNNING", 100), 0);
	ck_assert_int_eq(store_task_set_status(a, "u", "RUNNING", 100), 0);
	/* alive: nothing to take over */
	ck_assert_int_eq(store_node_take_over(b, "dead", 10, "node dead lost",
	    T0 + 99, &closed), 1);
	ck_assert_int_eq(store_node_take_over(b, "nobody", 10, "x", T0 + 99,
	    &closed), 1);
	closed_as(b, "t-dead", NULL);
	ck_assert_int_eq(raw_exec(db, "UPDATE nodes SET heartbeat = "
	    "heartbeat - 60000 WHERE name = 'dead'"), 0);

	/* b holds the row (its transaction open), c skips it */
	ck_assert_int_eq(store_begin(b), 0);
	ck_assert_msg(store_node_take_over(b, "dead", 10, "node dead lost",
	    T0 + 99, &closed) == 0, "%s", store_error(b));
	ck_assert_int_eq(closed, 1);
	ck_assert_int_eq(store_node_take_over(c, "dead", 10, "node dead lost",
	    T0 + 99, &closed), 1);
	ck_assert_int_eq(closed, 0);
	closed_as(c, "t-dead", NULL);	/* not committed yet */
	ck_assert_int_eq(store_commit(b), 0);
	ck_assert_int_eq(store_node_take_over(c, "dead", 10, "node dead lost",
	    T0 + 99, &closed), 1);

	closed_as(c, "t-dead", "node dead lost");
	closed_as(c, "u-live", NULL);
	load(c, &l);
	ck_assert_str_eq(l.meta[0].last_status, "FAIL");
	ck_assert_str_eq(l.meta[1].last_status, "RUNNING");
	loaded_free(&l);
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM nodes WHERE "
	    "name = 'dead' AND state = 'dead'"), 1);
	/* the dead node, back, finds out */
	ck_assert_int_eq(store_node_beat(a, "dead", 1, 0, 0, &(int64_t){ 0 }),
	    1);
	raw_close(db);
	store_close(a);
	store_close(b);
	store_close(c);
}
END_TEST

struct heard {
	char	payload[8][64];
	int	n;
};

static void
hear(void *arg, const char *payload)
{
	struct heard	*h = arg;

	ck_assert_int_lt(h->n, 8);
	snprintf(h->payload[h->n++], sizeof h->payload[0], "%s", payload);
}

/* What s hears within ms (after its socket is readable). */
static int
heard_within(struct store *s, int fd, int ms, struct heard *h)
{
	struct timeval	tv = { ms / 1000, (ms % 1000) * 1000 };
	fd_set		rd;
	int		n;

	memset(h, 0, sizeof *h);
	FD_ZERO(&rd);
	FD_SET(fd, &rd);
	if ((n = store_notifications(s, hear, h)) != 0)
		return (n);
	if (select(fd + 1, &rd, NULL, NULL, &tv) < 0)
		return (-1);
	return (store_notifications(s, hear, h));
}

START_TEST(test_pg_notify)
{
	struct store	*a = open_store(), *b = open_store();
	struct heard	 h;
	int		 fa, fb;

	ck_assert_int_eq(store_listen(a, &fa), 0);
	ck_assert_int_ge(fa, 0);
	ck_assert_int_eq(store_listen(b, &fb), 0);
	ck_assert_int_eq(heard_within(a, fa, 0, &h), 0);
	ck_assert_int_eq(store_notify(b, "task t changed"), 0);
	ck_assert_int_eq(heard_within(a, fa, 5000, &h), 1);
	ck_assert_str_eq(h.payload[0], "task t changed");
	/* not at the sender */
	ck_assert_int_eq(heard_within(b, fb, 300, &h), 0);
	/* at COMMIT only */
	ck_assert_int_eq(store_begin(b), 0);
	ck_assert_int_eq(store_notify(b, "in a transaction"), 0);
	ck_assert_int_eq(heard_within(a, fa, 300, &h), 0);
	ck_assert_int_eq(store_commit(b), 0);
	ck_assert_int_eq(heard_within(a, fa, 5000, &h), 1);
	ck_assert_str_eq(h.payload[0], "in a transaction");
	ck_assert_int_eq(store_begin(b), 0);
	ck_assert_int_eq(store_notify(b, "rolled back"), 0);
	ck_assert_int_eq(store_rollback(b), 0);
	ck_assert_int_eq(heard_within(a, fa, 500, &h), 0);
	/* both ways */
	ck_assert_int_eq(store_notify(a, "from a"), 0);
	ck_assert_int_eq(heard_within(b, fb, 5000, &h), 1);
	ck_assert_str_eq(h.payload[0], "from a");
	store_close(a);
	store_close(b);
}
END_TEST

static void
lost_now(struct store *s)
{
	struct loaded	l;

	ck_assert_int_eq(store_task_set_status(s, "t", "FAIL", 1), -1);
	ck_assert_msg(strstr(store_error(s), "database connection lost") !=
	    NULL, "%s", store_error(s));
	ck_assert(store_lost(s));
	/* and every call after it, at once */
	memset(&l, 0, sizeof l);
	ck_assert_int_eq(store_tasks_load(s, collect, &l), -1);
	ck_assert_ptr_nonnull(strstr(store_error(s),
	    "database connection lost"));
	ck_assert_int_eq(store_begin(s), -1);
}

static void
works_again(struct store *s, struct store *other, int *fd)
{
	struct heard	h;

	ck_assert_msg(store_reconnect(s) == 0, "%s", store_error(s));
	ck_assert(!store_lost(s));
	ck_assert_int_eq(store_task_set_status(s, "t", "SUCCESS", 2), 0);
	/* LISTENing again, on the new socket */
	ck_assert_int_eq(store_listen(s, fd), 0);
	ck_assert_int_eq(store_notify(other, "after"), 0);
	ck_assert_int_eq(heard_within(s, *fd, 5000, &h), 1);
	ck_assert_str_eq(h.payload[0], "after");
}

/* A lost connection fails every call until store_reconnect. */
START_TEST(test_pg_lost)
{
	struct store	*s = open_store(), *b;
	struct raw	*db = raw_open();
	int		 fd;

	put_text(s, cron_text, "t");
	ck_assert_int_eq(store_listen(s, &fd), 0);
	/* the server ends our backend (an administrator, a fail-over) */
	ck_assert_int_eq(raw_exec(db, "SELECT pg_terminate_backend(pid) "
	    "FROM pg_stat_activity WHERE datname = current_database() AND "
	    "pid <> pg_backend_pid()"), 0);
	raw_close(db);
	usleep(100000);
	lost_now(s);
	b = open_store();
	works_again(s, b, &fd);
	store_close(b);

	if (pg_script[0] == '\0') {
		printf("# test_pg_lost: not our server: no stop and start\n");
		store_close(s);
		return;
	}
	/* the server stops, and starts again */
	ck_assert_int_eq(pg_server("stop", NULL, 0), 0);
	lost_now(s);
	ck_assert_int_eq(store_reconnect(s), -1);
	ck_assert_msg(strstr(store_error(s), "cannot connect") != NULL, "%s",
	    store_error(s));
	ck_assert(store_lost(s));
	ck_assert_int_eq(pg_server("start", NULL, 0), 0);
	b = open_store();
	works_again(s, b, &fd);
	store_close(b);
	store_close(s);
}
END_TEST

/* A schema newer than this code is refused, naming the database. */
START_TEST(test_pg_newer)
{
	struct store	*s = open_store();
	struct raw	*db = raw_open();

	store_close(s);
	ck_assert_int_eq(raw_exec(db, "UPDATE sked_schema SET version = 99"),
	    0);
	s = (struct store *)1;
	ck_assert_int_eq(store_open_postgresql(pg_conninfo, &s), -1);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(store_error(NULL), "schema version 99 is newer "
	    "than this sked knows (1)") != NULL && strstr(store_error(NULL),
	    pg_dbname) != NULL, "%s", store_error(NULL));
	ck_assert_int_eq(raw_int(db, "SELECT version FROM sked_schema"), 99);
	raw_close(db);
}
END_TEST

/* A role without rights: on a fresh database and on a migrated one. */
START_TEST(test_pg_no_rights)
{
	struct store	*s;
	struct raw	*db = raw_open();
	char		 role[64], sql[256], ci[1400], *p;

	snprintf(role, sizeof role, "sked_norights_%ld", (long)getpid());
	snprintf(sql, sizeof sql, "DROP ROLE IF EXISTS %s; CREATE ROLE %s "
	    "LOGIN PASSWORD 'x'", role, role);
	ck_assert_msg(raw_exec(db, sql) == 0, "%s", db->err);
	pg_with(pg_conninfo, pg_dbname, role, ci, sizeof ci);
	/* the password, for a server that asks */
	p = ci + strlen(ci);
	snprintf(p, sizeof ci - strlen(ci), " password='x'");

	ck_assert_int_eq(store_open_postgresql(ci, &s), -1);
	ck_assert_msg(strstr(store_error(NULL), "permission denied") != NULL &&
	    strstr(store_error(NULL), role) != NULL && strstr(store_error(NULL),
	    pg_dbname) != NULL, "%s", store_error(NULL));
	s = open_store();
	store_close(s);
	ck_assert_int_eq(store_open_postgresql(ci, &s), -1);
	ck_assert_msg(strstr(store_error(NULL), "permission denied for table "
	    "sked_schema") != NULL, "%s", store_error(NULL));
	snprintf(sql, sizeof sql, "DROP ROLE %s", role);
	ck_assert_msg(raw_exec(db, sql) == 0, "%s", db->err);
	raw_close(db);
}
END_TEST

START_TEST(test_pg_unreachable)
{
	struct store	*s = (struct store *)1;

	ck_assert_int_eq(store_open_postgresql("host=/nonexistent/sked "
	    "dbname=sked connect_timeout=2", &s), -1);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(store_error(NULL), "database sked on "
	    "/nonexistent/sked: cannot connect: ") != NULL &&
	    strstr(store_error(NULL), "No such file or directory") != NULL,
	    "%s", store_error(NULL));
	ck_assert_ptr_null(strchr(store_error(NULL), '\n'));
	ck_assert_int_eq(store_open_postgresql("host=/x password=secret "
	    "dbname=", &s), -1);
	ck_assert_ptr_null(strstr(store_error(NULL), "secret"));
}
END_TEST

/* PostgreSQL scans in chunks: every task once, in order, across them. */
START_TEST(test_pg_scan_chunks)
{
	struct store	*s = open_store();
	struct raw	*db = raw_open();
	struct scanned	 sc;
	bool		 done;
	int		 calls = 0;

	ck_assert_int_eq(raw_exec(db, "INSERT INTO tasks (id, task_name, "
	    "project_id, task_type, scheduled_type, task_cron) SELECT "
	    "'id-' || g, 'c' || g, 'p', 'START', 'CRON', '@daily' FROM "
	    "generate_series(0, 25002) g"), 0);
	/* a deleted one in the middle is skipped, not counted */
	ck_assert_int_eq(raw_exec(db, "INSERT INTO tasks (id, task_name, "
	    "project_id, task_type, scheduled_type, deleted_ms) VALUES "
	    "('gone', 'x', 'p', 'START', 'CRON', 1)"), 0);
	ck_assert_int_eq(raw_exec(db, "INSERT INTO tasks (id, task_name, "
	    "project_id, task_type, scheduled_type, task_cron) VALUES "
	    "('id-last', 'c25003', 'p', 'START', 'CRON', '@daily')"), 0);
	raw_close(db);
	memset(&sc, 0, sizeof sc);
	do {
		ck_assert_int_eq(store_tasks_scan_some(s, count_view, &sc,
		    7000, &done), 0);
		calls++;
	} while (!done && calls < 10);
	ck_assert(done);
	ck_assert_uint_eq(sc.n, 25004);
	ck_assert_int_eq(calls, 4);
	memset(&sc, 0, sizeof sc);
	ck_assert_int_eq(store_tasks_scan(s, count_view, &sc), 0);
	ck_assert_uint_eq(sc.n, 25004);
	store_close(s);
}
END_TEST

/* The cases of both engines. */
static void
add_common(TCase *tc)
{
	tcase_add_test(tc, test_open_schema);
	add_table_test(tc, test_round_trip, round_trips);
	tcase_add_test(tc, test_targets_shape);
	tcase_add_test(tc, test_replace);
	tcase_add_test(tc, test_load_stop);
	tcase_add_test(tc, test_delete_revive);
	tcase_add_test(tc, test_set_status);
	tcase_add_test(tc, test_approve);
	tcase_add_test(tc, test_planned);
	tcase_add_test(tc, test_execution);
	add_table_test(tc, test_history, pages);
	tcase_add_test(tc, test_close_running);
	add_table_test(tc, test_prune, prunes);
	tcase_add_test(tc, test_constraints);
	tcase_add_test(tc, test_transaction);
	tcase_add_test(tc, test_files);
	tcase_add_test(tc, test_scan_steps);
	tcase_add_test(tc, test_reopen);
	tcase_add_test(tc, test_node_column);
	tcase_add_test(tc, test_close_running_node);
}

static Suite *
store_suite(bool pg)
{
	Suite	*su = suite_create("store");
	TCase	*tc = tcase_create("sqlite");

	tcase_add_checked_fixture(tc, setup_sqlite, teardown_sqlite);
	add_common(tc);
	add_table_test(tc, test_open_bad, bad_dbs);
	tcase_add_test(tc, test_migrate_4);
	tcase_add_test(tc, test_single_node);
	suite_add_tcase(su, tc);
	if (!pg)
		return (su);
	tc = tcase_create("postgresql");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup_pg, teardown_pg);
	add_common(tc);
	tcase_add_test(tc, test_pg_claim_once);
	tcase_add_test(tc, test_pg_claim_early);
	tcase_add_test(tc, test_pg_join);
	tcase_add_test(tc, test_pg_take_over);
	tcase_add_test(tc, test_pg_notify);
	tcase_add_test(tc, test_pg_lost);
	tcase_add_test(tc, test_pg_newer);
	tcase_add_test(tc, test_pg_no_rights);
	tcase_add_test(tc, test_pg_unreachable);
	tcase_add_test(tc, test_pg_scan_chunks);
	suite_add_tcase(su, tc);
	return (su);
}

/* Run a pg-server command; its first line of output into out. */
static int
pg_server(const char *cmd, char *out, size_t len)
{
	char	 line[2048];
	FILE	*fp;
	int	 st;

	snprintf(line, sizeof line, "'%s' %s '%s' 2>&1", pg_script, cmd,
	    pg_dir);
	if ((fp = popen(line, "r")) == NULL)
		return (-1);
	if (out != NULL) {
		out[0] = '\0';
		if (fgets(out, (int)len, fp) != NULL)
			out[strcspn(out, "\n")] = '\0';
	}
	while (fgets(line, sizeof line, fp) != NULL)
		;
	st = pclose(fp);
	return (WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1);
}

/* A server to test against: "" when there is one, else why not. */
static const char *
pg_find(void)
{
	static char	 why[2200];
	const char	*env, *src;
	PGconn		*c;

	if ((env = getenv("SKED_TEST_PG")) != NULL && *env != '\0') {
		snprintf(pg_maint, sizeof pg_maint, "%s", env);
	} else {
		if ((src = getenv("SKED_SRCDIR")) == NULL || *src == '\0')
			src = getenv("TOP_SRCDIR");
		if (src == NULL || *src == '\0')
			src = SKED_SOURCE_DIR;
		snprintf(pg_script, sizeof pg_script, "%s/tests/pg/pg-server",
		    src);
		if (access(pg_script, X_OK) != 0) {
			snprintf(why, sizeof why, "%s: %s (and no "
			    "SKED_TEST_PG)", pg_script, strerror(errno));
			pg_script[0] = '\0';
			return (why);
		}
		snprintf(pg_dir, sizeof pg_dir, "/tmp/check_store_pg.XXXXXX");
		if (mkdtemp(pg_dir) == NULL) {
			snprintf(why, sizeof why, "mkdtemp: %s",
			    strerror(errno));
			return (why);
		}
		if (pg_server("start", pg_maint, sizeof pg_maint) != 0) {
			snprintf(why, sizeof why, "%s start %s failed: %s",
			    pg_script, pg_dir, pg_maint);
			pg_script[0] = '\0';
			return (why);
		}
	}
	c = PQconnectdb(pg_maint);
	if (PQstatus(c) != CONNECTION_OK) {
		snprintf(why, sizeof why, "%s: %s", pg_maint,
		    PQerrorMessage(c));
		why[strcspn(why, "\n")] = '\0';
		PQfinish(c);
		return (why);
	}
	PQfinish(c);
	return ("");
}

static void
pg_stop(void)
{
	char	cmd[1200];

	if (pg_script[0] == '\0')
		return;
	(void)pg_server("stop", NULL, 0);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", pg_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "check_store: cannot remove %s\n", pg_dir);
}

int
main(void)
{
	const char	*why = pg_find(), *req = getenv("SKED_REQUIRE_PG");
	bool		 pg = *why == '\0';
	int		 rc;

	if (!pg)
		printf("# SKIP: the PostgreSQL cases: %s\n", why);
	rc = run_suite(store_suite(pg));
	pg_stop();
	if (!pg && req != NULL && strcmp(req, "1") == 0) {
		printf("# SKED_REQUIRE_PG=1: no PostgreSQL server: %s\n", why);
		return (EXIT_FAILURE);
	}
	return (rc);
}
