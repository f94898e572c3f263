/*
 * The SQLite store: schema and migration, tasks through a put and a load
 * with every field, executions and their subtasks, crash recovery,
 * pruning, constraints and transactions.  Each test has its own database
 * in a fresh folder under /tmp; no time comes from the clock.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "daemon/store.h"
#include "task.h"
#include "testutil.h"

#define T0	1704067200000LL		/* 2024-01-01T00:00:00Z, in ms */

static char	dir[64];
static char	dbpath[128];

static void
setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/check_store.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(dbpath, sizeof dbpath, "%s/sked.db", dir);
}

static void
teardown(void)
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

static struct store *
open_store(void)
{
	struct store	*s;

	ck_assert_msg(store_open(dbpath, &s) == 0, "open: %s",
	    store_error(NULL));
	ck_assert_ptr_nonnull(s);
	return (s);
}

/* A second, raw connection, to look behind the store's back. */
static sqlite3 *
raw_open(void)
{
	sqlite3	*db;

	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	return (db);
}

static int64_t
raw_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt	*st;
	int64_t		 v;

	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK,
	    "%s: %s", sql, sqlite3_errmsg(db));
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
	sqlite3		*db;
	char		 sql[128];
	size_t		 i;

	ck_assert_int_eq(store_schema_version(s), 4);
	db = raw_open();
	ck_assert_int_eq(raw_int(db, "PRAGMA user_version"), 4);
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM "
	    "pragma_table_info('tasks') WHERE name = 'digest'"), 1);
	for (i = 0; i < NELEM(tables); i++) {
		snprintf(sql, sizeof sql, "SELECT count(*) FROM sqlite_master "
		    "WHERE type = 'table' AND name = '%s'", tables[i]);
		ck_assert_msg(raw_int(db, sql) == 1, "no table %s", tables[i]);
	}
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM sqlite_master "
	    "WHERE type = 'index' AND name IN ('tasks_name', "
	    "'executions_task')"), 2);
	ck_assert_int_eq(raw_int(db, "SELECT journal_mode = 'wal' "
	    "FROM pragma_journal_mode"), 1);
	sqlite3_close(db);
	store_close(s);
	/* opening again migrates nothing and keeps the version */
	s = open_store();
	ck_assert_int_eq(store_schema_version(s), 4);
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
	    "(4)" },
};

START_TEST(test_open_bad)
{
	struct store	*s = (struct store *)1;
	sqlite3		*db;
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
		ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE x (y);"
		    "PRAGMA user_version = 999", NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(db);
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
		sqlite3_close(db);
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
	sqlite3			*db;

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
	ck_assert_int_eq(sqlite3_exec(db, "UPDATE tasks SET digest = NULL",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
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
	e->scheduled_at = T0 / 1000;
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
	sqlite3			*db;

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
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL,
	    NULL, NULL), SQLITE_OK);
	ck_assert_int_ne(sqlite3_exec(db, "DELETE FROM tasks WHERE id = 'a'",
	    NULL, NULL, NULL), SQLITE_OK);
	ck_assert_ptr_nonnull(strstr(sqlite3_errmsg(db), "FOREIGN KEY"));
	ck_assert_int_eq(raw_int(db, "SELECT deleted_ms FROM tasks "
	    "WHERE id = 'a'"), T0);
	sqlite3_close(db);

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
	sqlite3			*db;

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
	sqlite3_close(db);
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
	ck_assert_int_eq(got.scheduled_at, T0 / 1000);
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
	sqlite3			*db;
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
	sqlite3_close(db);
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
	ck_assert_msg(strstr(store_error(s), "FOREIGN KEY") != NULL, "%s",
	    store_error(s));
	ck_assert_int_eq(store_execution_get(s, "e1", &got), 1);

	put_text(s, cron_text, "t");
	exec_init(&e, "e1", "t", sub, 1);
	ck_assert_int_eq(store_execution_insert(s, &e), 0);
	/* the same id again: refused whole, subtasks included */
	exec_init(&e, "e1", "t", sub, 3);
	ck_assert_int_eq(store_execution_insert(s, &e), -1);
	ck_assert_msg(strstr(store_error(s), "UNIQUE") != NULL, "%s",
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
	sqlite3			*db;

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
	sqlite3_close(db);

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

static Suite *
store_suite(void)
{
	Suite	*su = suite_create("store");
	TCase	*tc = tcase_create("store");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_open_schema);
	add_table_test(tc, test_open_bad, bad_dbs);
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
	suite_add_tcase(su, tc);
	return (su);
}

int
main(void)
{
	return (run_suite(store_suite()));
}
