/*
 * sked.yaml keys of the store and cluster mode (SPEC section 7): store,
 * database_url, node_name, cluster_heartbeat, cluster_dead_after.  Their
 * defaults, good values, and a must-fail table whose every error carries
 * file:line:column and names the key; and config_keep_start_only, the
 * rule of a reload for them.
 */
#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/conf.h"
#include "errlist.h"
#include "testutil.h"
#include "tz.h"

#define DIR_TEMPLATE	"/tmp/sked-check-conf.XXXXXX"
static char		 dir[sizeof DIR_TEMPLATE];
static char		 path[sizeof dir + 16];
static struct tz_cache	*zones;

static void
setup(void)
{
	memcpy(dir, DIR_TEMPLATE, sizeof dir);	/* CK_FORK=no: again */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/c.yaml", dir);
	ck_assert_ptr_nonnull(zones = tz_cache_new(test_zoneinfo()));
}

static void
teardown(void)
{
	unlink(path);
	rmdir(dir);
	tz_cache_free(zones);
}

/* Load text as sked.yaml; the return of config_load. */
static int
load(const char *text, struct config *cfg, struct errlist *errs)
{
	FILE	*fp;

	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	fputs(text, fp);
	ck_assert_int_eq(fclose(fp), 0);
	return (config_load(path, zones, cfg, errs));
}

static const char *
hostname_or_localhost(void)
{
	static char	host[256];
	size_t		i;

	if (gethostname(host, sizeof host) != 0)
		return ("localhost");
	host[sizeof host - 1] = '\0';
	if (host[0] == '\0' || strlen(host) > 63)
		return ("localhost");
	for (i = 0; host[i] != '\0'; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789._-", host[i]) == NULL)
			return ("localhost");
	return (host);
}

START_TEST(test_defaults)
{
	struct config	 cfg;
	struct errlist	 errs = ERRLIST_INIT;

	ck_assert_int_eq(load("max_concurrency: 2\n", &cfg, &errs), 0);
	ck_assert_str_eq(cfg.store_kind, "sqlite");
	ck_assert(!config_store_pg(&cfg));
	ck_assert_ptr_null(cfg.database_url);
	ck_assert_str_eq(cfg.node_name, hostname_or_localhost());
	ck_assert_int_eq(cfg.cluster_heartbeat, 2);
	ck_assert_int_eq(cfg.cluster_dead_after, 10);
	config_free(&cfg);
	/* an empty file: the same */
	ck_assert_int_eq(load("", &cfg, &errs), 0);
	ck_assert_str_eq(cfg.store_kind, "sqlite");
	ck_assert_int_eq(cfg.cluster_dead_after, 10);
	config_free(&cfg);
	/* null values: the defaults */
	ck_assert_int_eq(load("store:\nnode_name: ~\ncluster_heartbeat:\n",
	    &cfg, &errs), 0);
	ck_assert_str_eq(cfg.store_kind, "sqlite");
	ck_assert_str_eq(cfg.node_name, hostname_or_localhost());
	ck_assert_int_eq(cfg.cluster_heartbeat, 2);
	config_free(&cfg);
	ck_assert_uint_eq(errs.count, 0);
}
END_TEST

/* Good configurations and what they give. */
static const struct {
	int		 line;
	const char	*text;
	const char	*store, *url, *node;	/* NULL node: the default */
	int		 heartbeat, dead_after;
} good[] = {
	{ ROW, "store: sqlite\n", "sqlite", NULL, NULL, 2, 10 },
	{ ROW, "store: postgresql\ndatabase_url: 'host=/tmp/pg port=5433 "
	    "user=sked dbname=sked'\n", "postgresql",
	    "host=/tmp/pg port=5433 user=sked dbname=sked", NULL, 2, 10 },
	{ ROW, "store: postgresql\ndatabase_url: "
	    "postgresql://sked@db1:5432/sked?sslmode=verify-full\n"
	    "node_name: node-1.eu_west\n", "postgresql",
	    "postgresql://sked@db1:5432/sked?sslmode=verify-full",
	    "node-1.eu_west", 2, 10 },
	{ ROW, "store: postgresql\ndatabase_url: postgres:///sked\n",
	    "postgresql", "postgres:///sked", NULL, 2, 10 },
	{ ROW, "node_name: a\n", "sqlite", NULL, "a", 2, 10 },
	{ ROW, "node_name: "
	    "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"
	    "abc\n", "sqlite", NULL,
	    "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"
	    "abc", 2, 10 },
	{ ROW, "cluster_heartbeat: 1\ncluster_dead_after: 3\n", "sqlite",
	    NULL, NULL, 1, 3 },
	{ ROW, "cluster_dead_after: 5\n", "sqlite", NULL, NULL, 2, 5 },
	{ ROW, "cluster_heartbeat: 4\n" "cluster_dead_after: 9\n", "sqlite",
	    NULL, NULL, 4, 9 },
	{ ROW, "cluster_heartbeat: 3600\ncluster_dead_after: 86400\n",
	    "sqlite", NULL, NULL, 3600, 86400 },
};

START_TEST(test_good)
{
	struct config	 cfg;
	struct errlist	 errs = ERRLIST_INIT;
	int		 rc;

	rc = load(good[_i].text, &cfg, &errs);
	if (rc != 0)
		errlist_print(&errs, stderr);
	ck_assert_msg(rc == 0, "row %d: rejected", good[_i].line);
	ck_assert_str_eq(cfg.store_kind, good[_i].store);
	if (good[_i].url == NULL)
		ck_assert_ptr_null(cfg.database_url);
	else
		ck_assert_str_eq(cfg.database_url, good[_i].url);
	ck_assert_str_eq(cfg.node_name, good[_i].node != NULL ?
	    good[_i].node : hostname_or_localhost());
	ck_assert_int_eq(cfg.cluster_heartbeat, good[_i].heartbeat);
	ck_assert_int_eq(cfg.cluster_dead_after, good[_i].dead_after);
	config_free(&cfg);
}
END_TEST

/*
 * Bad values: the one error expected, as "line:column: key: reason"
 * (after "PATH:").
 */
#define PG	"store: postgresql\n"
static const struct {
	int		 line;
	const char	*text;
	const char	*error;
} bad[] = {
	{ ROW, "store: mysql\n",
	    "1:8: store: 'mysql' is not a store (sqlite, postgresql)" },
	{ ROW, "store: SQLite\n",
	    "1:8: store: 'SQLite' is not a store (sqlite, postgresql)" },
	{ ROW, "store: [sqlite]\n", "1:8: store: expected a single value" },
	/* store: mysql is the one error, not also database_url's */
	{ ROW, "store: mysql\ndatabase_url: host=x\n",
	    "1:8: store: 'mysql' is not a store" },
	{ ROW, PG, "1:8: database_url: required with store: postgresql" },
	{ ROW, PG "database_url:\n",
	    "1:8: database_url: required with store: postgresql" },
	{ ROW, "database_url: host=/tmp\n",
	    "1:15: database_url: only used with store: postgresql (store is "
	    "sqlite)" },
	{ ROW, "store: sqlite\ndatabase_url: host=/tmp\n",
	    "2:15: database_url: only used with store: postgresql" },
	{ ROW, PG "database_url: host=x\ndatabase: /var/lib/sked/sked.db\n",
	    "3:11: database: the SQLite file, not used with store: "
	    "postgresql" },
	{ ROW, PG "database_url: ''\n", "2:15: database_url: empty" },
	{ ROW, PG "database_url: 'host=x bogus=1'\n",
	    "2:15: database_url: invalid connection option \"bogus\"" },
	{ ROW, PG "database_url: 'host=x dbname'\n",
	    "2:15: database_url: missing \"=\" after \"dbname\"" },
	{ ROW, PG "database_url: 'postgresql://[::1/db'\n",
	    "2:15: database_url: end of string reached when looking for "
	    "matching \"]\"" },
	{ ROW, PG "database_url: 'postgresql://h/db?nosuch=1'\n",
	    "2:15: database_url: invalid URI query parameter: \"nosuch\"" },
	{ ROW, PG "database_url: 'host=x password=secret'\n",
	    "2:15: database_url: holds a password: put it in ~/.pgpass" },
	{ ROW, PG "database_url: \"host=x password = 'se cret'\"\n",
	    "2:15: database_url: holds a password" },
	{ ROW, PG "database_url: 'postgresql://sked:secret@db1/sked'\n",
	    "2:15: database_url: holds a password" },
	{ ROW, PG "database_url: 'postgresql://sked@db1/sked?password=x'\n",
	    "2:15: database_url: holds a password" },
	{ ROW, PG "database_url: {host: x}\n",
	    "2:15: database_url: expected a single value" },
	{ ROW, "node_name: ''\n", "1:12: node_name: '' is not a node name "
	    "(1-63 letters, digits, '.', '_' and '-')" },
	{ ROW, "node_name: 'node 1'\n", "1:12: node_name: 'node 1' is not a "
	    "node name" },
	{ ROW, "node_name: node/1\n", "1:12: node_name: 'node/1' is not a "
	    "node name" },
	{ ROW, "node_name: 'n\xc3\xa9'\n", "1:12: node_name: " },
	{ ROW, "node_name: "
	    "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"
	    "abcd\n", "1:12: node_name: 'abcdefghij" },
	{ ROW, "node_name: [a, b]\n", "1:12: node_name: expected a single "
	    "value" },
	{ ROW, "cluster_heartbeat: 0\n", "1:20: cluster_heartbeat: 0 is out "
	    "of range 1-3600" },
	{ ROW, "cluster_heartbeat: 3601\ncluster_dead_after: 86400\n",
	    "1:20: cluster_heartbeat: 3601 is out of range 1-3600" },
	{ ROW, "cluster_heartbeat: '2'\n", "1:20: cluster_heartbeat: "
	    "expected an integer" },
	{ ROW, "cluster_heartbeat: 1.5\n", "1:20: cluster_heartbeat: "
	    "expected an integer" },
	{ ROW, "cluster_dead_after: 0\n", "1:21: cluster_dead_after: 0 is "
	    "out of range 1-86400" },
	{ ROW, "cluster_dead_after: 86401\n", "1:21: cluster_dead_after: "
	    "86401 is out of range 1-86400" },
	{ ROW, "cluster_dead_after: 4\n", "1:21: cluster_dead_after: 4 must "
	    "be more than twice cluster_heartbeat (2)" },
	{ ROW, "cluster_heartbeat: 2\ncluster_dead_after: 4\n",
	    "2:21: cluster_dead_after: 4 must be more than twice "
	    "cluster_heartbeat (2)" },
	/* the default dead_after against a given heartbeat: at the latter */
	{ ROW, "cluster_heartbeat: 5\n", "1:20: cluster_dead_after: 10 must "
	    "be more than twice cluster_heartbeat (5)" },
	{ ROW, "store: sqlite\nstore: postgresql\n",
	    "2:1: store: given twice" },
	{ ROW, "node_name: a\nnode_name: b\n",
	    "2:1: node_name: given twice" },
};

START_TEST(test_bad)
{
	struct config	 cfg;
	struct errlist	 errs = ERRLIST_INIT;
	char		 want[512];

	ck_assert_msg(load(bad[_i].text, &cfg, &errs) == -1,
	    "row %d: accepted", bad[_i].line);
	snprintf(want, sizeof want, "%s:%s", path, bad[_i].error);
	ck_assert_msg(errs.count == 1 && strncmp(errs.msgs[0], want,
	    strlen(want)) == 0, "row %d: got %zu errors, first '%s', wanted "
	    "'%s'", bad[_i].line, errs.count, errs.count ? errs.msgs[0] : "",
	    want);
	errlist_clear(&errs);
}
END_TEST

/* Every error at once, with the others of the file (skedd -n). */
START_TEST(test_all_errors)
{
	struct config	 cfg;
	struct errlist	 errs = ERRLIST_INIT;
	char		 want[512];

	ck_assert_int_eq(load("max_concurrency: 0\n" PG
	    "node_name: 'a b'\ncluster_dead_after: 3\n", &cfg, &errs), -1);
	ck_assert_uint_eq(errs.count, 4);
	snprintf(want, sizeof want, "%s:1:18: max_concurrency: ", path);
	ck_assert_str_eq(strstr(errs.msgs[0], want) == errs.msgs[0] ? want :
	    errs.msgs[0], want);
	snprintf(want, sizeof want, "%s:3:12: node_name: ", path);
	ck_assert_msg(strncmp(errs.msgs[1], want, strlen(want)) == 0, "%s",
	    errs.msgs[1]);
	snprintf(want, sizeof want, "%s:2:8: database_url: required", path);
	ck_assert_msg(strncmp(errs.msgs[2], want, strlen(want)) == 0, "%s",
	    errs.msgs[2]);
	snprintf(want, sizeof want, "%s:4:21: cluster_dead_after: 3 must",
	    path);
	ck_assert_msg(strncmp(errs.msgs[3], want, strlen(want)) == 0, "%s",
	    errs.msgs[3]);
	errlist_clear(&errs);
}
END_TEST

/* A reload keeps the start-only keys (and says which changed). */
START_TEST(test_keep_start_only)
{
	struct config	 cur, next;
	struct errlist	 errs = ERRLIST_INIT;
	const char	*changed[8];

	ck_assert_int_eq(load(PG "database_url: host=/a\nnode_name: n1\n",
	    &cur, &errs), 0);
	ck_assert_int_eq(load(PG "database_url: host=/a\nnode_name: n1\n"
	    "max_concurrency: 3\n", &next, &errs), 0);
	ck_assert_uint_eq(config_keep_start_only(&next, &cur, changed, 8), 0);
	config_free(&next);
	ck_assert_int_eq(load("node_name: n2\ncluster_heartbeat: 1\n"
	    "cluster_dead_after: 5\n", &next, &errs), 0);
	ck_assert_uint_eq(config_keep_start_only(&next, &cur, changed, 8), 5);
	ck_assert_str_eq(changed[0], "store");
	ck_assert_str_eq(changed[1], "database_url");
	ck_assert_str_eq(changed[2], "node_name");
	ck_assert_str_eq(changed[3], "cluster_heartbeat");
	ck_assert_str_eq(changed[4], "cluster_dead_after");
	ck_assert_str_eq(next.store_kind, "postgresql");
	ck_assert_str_eq(next.database_url, "host=/a");
	ck_assert_str_eq(next.node_name, "n1");
	ck_assert_int_eq(next.cluster_heartbeat, 2);
	ck_assert_int_eq(next.cluster_dead_after, 10);
	/* and back: a NULL database_url is kept as NULL */
	ck_assert_uint_eq(config_keep_start_only(&cur, &(struct config){
	    .store_kind = "sqlite", .node_name = "n1",
	    .cluster_heartbeat = 2, .cluster_dead_after = 10 }, changed, 1),
	    2);
	ck_assert_str_eq(changed[0], "store");
	ck_assert_ptr_null(cur.database_url);
	config_free(&cur);
	config_free(&next);
}
END_TEST

static Suite *
conf_suite(void)
{
	Suite	*su = suite_create("conf");
	TCase	*tc = tcase_create("conf");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_defaults);
	add_table_test(tc, test_good, good);
	add_table_test(tc, test_bad, bad);
	tcase_add_test(tc, test_all_errors);
	tcase_add_test(tc, test_keep_start_only);
	suite_add_tcase(su, tc);
	return (su);
}

int
main(void)
{
	return (run_suite(conf_suite()));
}
