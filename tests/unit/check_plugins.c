/*
 * Plugins: the real exec and hook plugins and a plugin directory, driven
 * through the registry on libev's default loop, and the process runner
 * under them.  Every job runs to its complete(), which the test host
 * records; a watchdog timer fails a job that never completes.
 *
 * The plugin .so files are found under $TOP_BUILDDIR (set by make check),
 * else under the current directory.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "daemon/plugins.h"
#include "daemon/proc.h"
#include "testutil.h"

#define WATCHDOG	20.	/* seconds before a job counts as lost */

static char		 tmp[256];		/* this test's directory */
static char		 hooks[300];
static char		 logbuf[16384];
static size_t		 loglen;
static int		 in_start;
static struct sked_host	 host;

/* What the last complete() reported. */
static struct {
	int		 done;
	int		 during_start;	/* from within plugins_start */
	enum sked_status status;
	int		 exit_code;
	char		*reason;
	char		*output;
} got;

static void	test_log(int, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
test_log(int priority, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(logbuf + loglen, sizeof logbuf - loglen - 1, fmt, ap);
	va_end(ap);
	if (n > 0 && loglen + (size_t)n + 1 < sizeof logbuf) {
		loglen += (size_t)n;
		logbuf[loglen++] = '\n';
		logbuf[loglen] = '\0';
	}
}

static char *
xstrdup(const char *s)
{
	char	*d;

	if (s == NULL)
		return (NULL);
	ck_assert_ptr_nonnull(d = strdup(s));
	return (d);
}

static void
got_clear(void)
{
	free(got.reason);
	free(got.output);
	memset(&got, 0, sizeof got);
}

/* What the last proc_spawn's done() reported. */
static struct {
	int	 done;
	int	 in_spawn;
	int	 during_spawn;
	int	 status;
	int	 timed_out;
	char	*error;
	char	*output;
} pgot;

static void
pgot_clear(void)
{
	free(pgot.error);
	free(pgot.output);
	memset(&pgot, 0, sizeof pgot);
}

static void
test_complete(struct sked_job *job, const struct sked_result *r)
{
	ck_assert_msg(!got.done, "complete() called twice");
	got.done = 1;
	got.during_start = in_start;
	got.status = r->status;
	got.exit_code = r->exit_code;
	got.reason = xstrdup(r->reason);
	got.output = xstrdup(r->output_tail);
	ev_break(EV_DEFAULT, EVBREAK_ALL);
}

static void
watchdog_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	ev_break(loop, EVBREAK_ALL);
}

/* Run the loop until done is set or the watchdog fires. */
static void
run_until(const int *done)
{
	ev_timer	dog;

	if (*done)
		return;
	ev_timer_init(&dog, watchdog_cb, WATCHDOG, 0.);
	ev_timer_start(EV_DEFAULT, &dog);
	while (!*done && ev_is_active(&dog))
		ev_run(EV_DEFAULT, EVRUN_ONCE);
	ev_timer_stop(EV_DEFAULT, &dog);
	ck_assert_msg(*done, "no completion within %g s", WATCHDOG);
}

static struct sked_job
make_job(const char *action, const char *target_type, const char *target_id,
    const char *input_param)
{
	struct sked_job	job;

	memset(&job, 0, sizeof job);
	job.execution_id = "exe-1";
	job.task_id = "task-1";
	job.task_name = "nightly";
	job.project_id = "proj-1";
	job.action = action;
	job.target_type = target_type;
	job.target_id = target_id;
	job.input_param = input_param;
	return (job);
}

static void
run_job(struct sked_job *job)
{
	got_clear();
	in_start = 1;
	plugins_start(job);
	in_start = 0;
	run_until(&got.done);
	ck_assert_uint_eq(plugins_running(), 0);
}

static void
run_exec(const char *input_param)
{
	struct sked_job	job = make_job("EXECUTE_SCRIPT", "HOST", "localhost",
			    input_param);

	run_job(&job);
}

static void
assert_got(enum sked_status status, int exit_code, const char *reason)
{
	ck_assert_int_eq(got.status, status);
	ck_assert_int_eq(got.exit_code, exit_code);
	if (reason == NULL)
		ck_assert_ptr_null(got.reason);
	else {
		ck_assert_ptr_nonnull(got.reason);
		ck_assert_str_eq(got.reason, reason);
	}
}

static void
write_file(const char *path, mode_t mode, const char *text)
{
	FILE	*f;

	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
}

static void
write_hook(const char *name, mode_t mode, const char *text)
{
	char	path[PATH_MAX];

	snprintf(path, sizeof path, "%s/%s", hooks, name);
	write_file(path, mode, text);
}

static char *
read_text(const char *path)
{
	static char	 buf[8192];
	FILE		*f;
	size_t		 n;

	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return (buf);
}

static void
host_init(void)
{
	memset(&host, 0, sizeof host);
	host.abi = SKED_PLUGIN_ABI;
	host.loop = EV_DEFAULT;
	host.hooks_dir = hooks;
	host.output_limit = 4096;
	host.kill_grace = 0.3;
	host.complete = test_complete;
	host.log = test_log;
	loglen = 0;
	logbuf[0] = '\0';
}

/* The jobs' SKED_* variables are checked exactly: none from outside. */
static void
clean_env(void)
{
	extern char	**environ;
	char		  name[256];
	size_t		  i = 0;

	while (environ[i] != NULL) {
		if (strncmp(environ[i], "SKED_", 5) != 0) {
			i++;
			continue;
		}
		snprintf(name, sizeof name, "%.*s",
		    (int)strcspn(environ[i], "="), environ[i]);
		ck_assert_int_eq(unsetenv(name), 0);
	}
}

static void
setup(void)
{
	char	dir[] = "/tmp/sked-check-plugins-XXXXXX", real[PATH_MAX];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* pwd prints the real path; /tmp may be a link. */
	ck_assert_ptr_nonnull(realpath(dir, real));
	ck_assert_uint_lt(strlen(real), sizeof tmp);
	strcpy(tmp, real);
	snprintf(hooks, sizeof hooks, "%s/hooks.d", tmp);
	ck_assert_int_eq(mkdir(hooks, 0755), 0);
	clean_env();
	host_init();
	ck_assert_int_eq(plugins_open(&host, NULL), 0);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return (remove(path));
}

static void
teardown(void)
{
	plugins_close();
	got_clear();
	pgot_clear();
	nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * exec
 */

START_TEST(test_command_success)
{
	run_exec("{\"command\": \"echo hello; echo err >&2\"}");
	assert_got(SKED_SUCCESS, 0, NULL);
	ck_assert_str_eq(got.output, "hello\nerr\n");
	ck_assert_int_eq(got.during_start, 0);
}
END_TEST

START_TEST(test_command_exit)
{
	run_exec("{\"command\": \"echo out; exit 3\"}");
	assert_got(SKED_FAIL, 3, "exit status 3");
	ck_assert_str_eq(got.output, "out\n");
}
END_TEST

START_TEST(test_command_signal)
{
	run_exec("{\"command\": \"kill -TERM $$\"}");
	assert_got(SKED_FAIL, -1, "killed by signal 15 (SIGTERM)");
	ck_assert_str_eq(got.output, "");
}
END_TEST

START_TEST(test_script_args)
{
	char	script[PATH_MAX], param[PATH_MAX + 100];

	snprintf(script, sizeof script, "%s/args.sh", tmp);
	write_file(script, 0755, "#!/bin/sh\nprintf '[%s]' \"$@\"\n");
	snprintf(param, sizeof param, "{\"script\": \"%s\", \"args\": "
	    "[\"a b\", \"c\", \"\", \"$HOME\"]}", script);
	run_exec(param);
	assert_got(SKED_SUCCESS, 0, NULL);
	ck_assert_str_eq(got.output, "[a b][c][][$HOME]");
}
END_TEST

/* Like a shell: 127 when the file is missing, 126 when it cannot run. */
START_TEST(test_script_exec_errors)
{
	char	script[PATH_MAX], param[PATH_MAX + 100];

	run_exec("{\"script\": \"/nonexistent/x.sh\"}");
	assert_got(SKED_FAIL, 127, "exit status 127");
	ck_assert_str_eq(got.output, "skedd: cannot execute /nonexistent/x.sh: "
	    "No such file or directory\n");

	snprintf(script, sizeof script, "%s/noexec.sh", tmp);
	write_file(script, 0644, "#!/bin/sh\necho ran\n");
	snprintf(param, sizeof param, "{\"script\": \"%s\"}", script);
	run_exec(param);
	assert_got(SKED_FAIL, 126, "exit status 126");
	ck_assert_ptr_nonnull(strstr(got.output, "Permission denied"));
}
END_TEST

START_TEST(test_cwd)
{
	char	param[PATH_MAX + 100], want[PATH_MAX + 2];

	snprintf(param, sizeof param, "{\"command\": \"pwd\", \"cwd\": \"%s\"}",
	    tmp);
	run_exec(param);
	assert_got(SKED_SUCCESS, 0, NULL);
	snprintf(want, sizeof want, "%s\n", tmp);
	ck_assert_str_eq(got.output, want);

	run_exec("{\"command\": \"pwd\", \"cwd\": \"/nonexistent\"}");
	assert_got(SKED_FAIL, 127, "exit status 127");
	ck_assert_str_eq(got.output, "skedd: cannot change to /nonexistent: "
	    "No such file or directory\n");
}
END_TEST

/* The daemon's environment, then SKED_*, then env, which may override. */
START_TEST(test_env)
{
	ck_assert_int_eq(setenv("PLUGTEST_INHERITED", "yes", 1), 0);
	ck_assert_int_eq(setenv("PLUGTEST_OVERRIDDEN", "daemon", 1), 0);
	run_exec("{\"command\": \"echo \\\"$FOO|$SKED_TASK_NAME|"
	    "$PLUGTEST_INHERITED|$PLUGTEST_OVERRIDDEN\\\"; env | grep -c "
	    "^PLUGTEST_OVERRIDDEN=\", \"env\": {\"FOO\": \"bar baz\", "
	    "\"SKED_TASK_NAME\": \"over\", \"PLUGTEST_OVERRIDDEN\": \"job\"}}");
	assert_got(SKED_SUCCESS, 0, NULL);
	ck_assert_str_eq(got.output, "bar baz|over|yes|job\n1\n");
	unsetenv("PLUGTEST_INHERITED");
	unsetenv("PLUGTEST_OVERRIDDEN");
}
END_TEST

START_TEST(test_sked_vars)
{
	static const char	 param[] = "{\"command\": \"env | grep ^SKED_ "
				    "| LC_ALL=C sort\"}";
	struct sked_job		 job = make_job("EXECUTE_SCRIPT", "VM", "vm-7",
				    param);
	char			 want[1024];

	job.scheduled_at = "2026-12-03T02:00:00.000Z";
	run_job(&job);
	assert_got(SKED_SUCCESS, 0, NULL);
	snprintf(want, sizeof want,
	    "SKED_EXECUTION_ID=exe-1\n"
	    "SKED_INPUT_PARAM=%s\n"
	    "SKED_PROJECT_ID=proj-1\n"
	    "SKED_SCHEDULED_AT=2026-12-03T02:00:00.000Z\n"
	    "SKED_TARGET_ID=vm-7\n"
	    "SKED_TARGET_TYPE=VM\n"
	    "SKED_TASK_ID=task-1\n"
	    "SKED_TASK_NAME=nightly\n", param);
	ck_assert_str_eq(got.output, want);
}
END_TEST

/* input_param mistakes fail at once, naming the field. */
static const struct {
	int		 line;
	const char	*param;
	const char	*reason;	/* "...": a prefix */
} bad_params[] = {
	{ ROW, "{}", "input_param: expected exactly one of command and "
	    "script" },
	{ ROW, "{\"command\": \"true\", \"script\": \"/bin/true\"}",
	    "input_param: expected exactly one of command and script" },
	{ ROW, "{\"command\": 1}", "input_param.command: expected a string" },
	{ ROW, "{\"command\": \"\"}", "input_param.command: must not be "
	    "empty" },
	{ ROW, "{\"command\": \"a\\u0000b\"}", "input_param: not valid JSON: "
	    "..." },
	{ ROW, "{\"script\": [\"/bin/true\"]}", "input_param.script: expected "
	    "a string" },
	{ ROW, "{\"script\": \"/bin/echo\", \"args\": \"a\"}",
	    "input_param.args: expected an array of strings" },
	{ ROW, "{\"script\": \"/bin/echo\", \"args\": [\"a\", 1]}",
	    "input_param.args[1]: expected a string" },
	{ ROW, "{\"command\": \"true\", \"args\": []}", "input_param.args: "
	    "only with script" },
	{ ROW, "{\"command\": \"true\", \"user\": 0}", "input_param.user: "
	    "expected a string" },
	{ ROW, "{\"command\": \"true\", \"cwd\": \"tmp\"}", "input_param.cwd: "
	    "expected an absolute path" },
	{ ROW, "{\"command\": \"true\", \"cwd\": null}", "input_param.cwd: "
	    "expected a string" },
	{ ROW, "{\"command\": \"true\", \"env\": [\"A=1\"]}",
	    "input_param.env: expected an object" },
	{ ROW, "{\"command\": \"true\", \"env\": {\"A\": 1}}",
	    "input_param.env.A: expected a string" },
	{ ROW, "{\"command\": \"true\", \"env\": {\"A=B\": \"1\"}}",
	    "input_param.env: bad variable name 'A=B'" },
	{ ROW, "{\"command\": \"true\", \"timeout\": 0}",
	    "input_param.timeout: expected a positive number" },
	{ ROW, "{\"command\": \"true\", \"timeout\": -5}",
	    "input_param.timeout: expected a positive number" },
	{ ROW, "{\"command\": \"true\", \"timeout\": \"300\"}",
	    "input_param.timeout: expected a positive number" },
	{ ROW, "{\"command\": \"true\", \"timeout\": true}",
	    "input_param.timeout: expected a positive number" },
	{ ROW, "{\"command\": \"true\", \"shell\": \"bash\"}",
	    "input_param.shell: unknown key" },
	{ ROW, "[\"true\"]", "input_param: expected an object" },
	{ ROW, "{\"command\": ", "input_param: not valid JSON: ..." },
	{ ROW, "{\"command\": \"a\", \"command\": \"b\"}",
	    "input_param: not valid JSON: ..." },
};

START_TEST(test_bad_params)
{
	const char	*want = bad_params[_i].reason;
	size_t		 len = strlen(want);

	run_exec(bad_params[_i].param);
	ck_assert_msg(got.status == SKED_FAIL, "line %d: status %d",
	    bad_params[_i].line, got.status);
	ck_assert_int_eq(got.exit_code, -1);
	ck_assert_int_eq(got.during_start, 1);
	ck_assert_ptr_null(got.output);
	ck_assert_ptr_nonnull(got.reason);
	if (len > 3 && strcmp(want + len - 3, "...") == 0)
		ck_assert_msg(strncmp(got.reason, want, len - 3) == 0,
		    "line %d: reason \"%s\"", bad_params[_i].line, got.reason);
	else
		ck_assert_msg(strcmp(got.reason, want) == 0,
		    "line %d: reason \"%s\", want \"%s\"", bad_params[_i].line,
		    got.reason, want);
}
END_TEST

START_TEST(test_timeout)
{
	ev_tstamp	t0;

	ev_now_update(EV_DEFAULT);
	t0 = ev_now(EV_DEFAULT);
	run_exec("{\"command\": \"echo before; sleep 10\", \"timeout\": 0.3}");
	assert_got(SKED_FAIL, -1, "timed out after 0.3 s");
	ck_assert_str_eq(got.output, "before\n");
	ev_now_update(EV_DEFAULT);
	/* SIGTERM ended it: no need for the grace */
	ck_assert_double_lt(ev_now(EV_DEFAULT) - t0, 0.3 + 0.25);
	ck_assert_double_ge(ev_now(EV_DEFAULT) - t0, 0.29);
}
END_TEST

/* A job that traps TERM is killed after the grace. */
START_TEST(test_timeout_grace)
{
	ev_tstamp	t0;

	ev_now_update(EV_DEFAULT);
	t0 = ev_now(EV_DEFAULT);
	run_exec("{\"command\": \"trap 'echo got TERM' TERM; "
	    "while :; do sleep 0.05; done\", \"timeout\": 0.3}");
	assert_got(SKED_FAIL, -1, "timed out after 0.3 s");
	/* the trap ran (the shell may also report its killed sleep) */
	ck_assert_ptr_nonnull(strstr(got.output, "got TERM\n"));
	ev_now_update(EV_DEFAULT);
	ck_assert_double_ge(ev_now(EV_DEFAULT) - t0, 0.3 + 0.3 - 0.01);
	ck_assert_double_lt(ev_now(EV_DEFAULT) - t0, 3.);
}
END_TEST

/* Only the last output_limit bytes are kept. */
START_TEST(test_output_tail)
{
	char	want[1001];
	int	i;

	host.output_limit = 1000;
	run_exec("{\"command\": \"i=0; while [ $i -lt 1000 ]; do "
	    "printf '%04d\\\\n' $i; i=$((i + 1)); done\"}");
	assert_got(SKED_SUCCESS, 0, NULL);
	for (i = 800; i < 1000; i++)
		snprintf(want + (i - 800) * 5, 6, "%04d\n", i);
	ck_assert_uint_eq(strlen(got.output), 1000);
	ck_assert_str_eq(got.output, want);

	host.output_limit = 0;
	run_exec("{\"command\": \"echo lost\"}");
	assert_got(SKED_SUCCESS, 0, NULL);
	ck_assert_str_eq(got.output, "");
}
END_TEST

/*
 * The shell exits at once but its background child holds the pipe: the
 * job completes after the drain bound, with what was read by then.
 */
START_TEST(test_background_drain)
{
	ev_tstamp	t0, took;
	long		pid;

	ev_now_update(EV_DEFAULT);
	t0 = ev_now(EV_DEFAULT);
	run_exec("{\"command\": \"sleep 30 & echo $!\"}");
	ev_now_update(EV_DEFAULT);
	took = ev_now(EV_DEFAULT) - t0;
	assert_got(SKED_SUCCESS, 0, NULL);
	pid = strtol(got.output, NULL, 10);
	ck_assert_int_gt(pid, 1);
	ck_assert_int_eq(kill((pid_t)pid, SIGKILL), 0);
	ck_assert_double_ge(took, PROC_DRAIN_SECS - 0.1);
	ck_assert_double_lt(took, PROC_DRAIN_SECS + 1.5);
}
END_TEST

/* A hook or script that stops at shutdown, politely or not. */
static struct sked_job	cancel_job;
static int		cancel_hard;

static void
cancel_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	ck_assert_uint_eq(plugins_running(), 1);
	ck_assert_int_eq(plugins_cancel(&cancel_job, cancel_hard), 0);
}

START_TEST(test_cancel)
{
	struct sked_job	 other = make_job("START", "VM", "x", "{}");
	ev_timer	 t;

	cancel_hard = _i;
	cancel_job = make_job("EXECUTE_SCRIPT", "HOST", "localhost",
	    "{\"command\": \"sleep 10\"}");
	ev_timer_init(&t, cancel_cb, 0.2, 0.);
	ev_timer_start(EV_DEFAULT, &t);
	run_job(&cancel_job);
	assert_got(SKED_FAIL, -1, cancel_hard ?
	    "cancelled: killed by signal 9 (SIGKILL)" :
	    "cancelled: killed by signal 15 (SIGTERM)");
	ck_assert_int_eq(plugins_cancel(&other, 1), -1);
}
END_TEST

START_TEST(test_runas_unknown)
{
	run_exec("{\"command\": \"true\", \"user\": \"no-such-user-sked\"}");
	assert_got(SKED_FAIL, -1, "cannot run as user 'no-such-user-sked': "
	    "no such user");
	ck_assert_ptr_null(got.output);
}
END_TEST

/* Root only: run as nobody, with its identity and environment. */
START_TEST(test_runas_root)
{
	struct passwd	*pw;
	struct stat	 st;
	char		 want[PATH_MAX * 2];

	ck_assert_ptr_nonnull(pw = getpwnam("nobody"));
	snprintf(want, sizeof want, "%lu\n%s|nobody|nobody\n%s\n",
	    (unsigned long)pw->pw_uid, pw->pw_dir,
	    stat(pw->pw_dir, &st) == 0 ? pw->pw_dir : "/");
	run_exec("{\"command\": \"id -u; echo \\\"$HOME|$USER|$LOGNAME\\\"; "
	    "pwd\", \"user\": \"nobody\"}");
	assert_got(SKED_SUCCESS, 0, NULL);
	ck_assert_str_eq(got.output, want);
}
END_TEST

/*
 * Not root: another user is refused, one's own user is fine.  When the
 * suite runs as root this test first drops to nobody; Check runs it in a
 * child process of its own, so the rest of the suite keeps root.
 */
START_TEST(test_runas_not_root)
{
	struct passwd	*pw;
	char		 param[200];

	if (geteuid() == 0) {
		ck_assert_ptr_nonnull(pw = getpwnam("nobody"));
		ck_assert_int_eq(setgid(pw->pw_gid), 0);
		ck_assert_int_eq(setuid(pw->pw_uid), 0);
	}
	ck_assert_int_ne(geteuid(), 0);
	ck_assert_ptr_nonnull(pw = getpwuid(geteuid()));
	strcpy(hooks, "/nonexistent");
	host_init();
	ck_assert_int_eq(plugins_open(&host, NULL), 0);

	run_exec("{\"command\": \"true\", \"user\": \"root\"}");
	assert_got(SKED_FAIL, -1, "cannot run as user 'root': skedd is not "
	    "running as root");

	snprintf(param, sizeof param, "{\"command\": \"echo $USER\", "
	    "\"user\": \"%s\"}", pw->pw_name);
	run_exec(param);
	assert_got(SKED_SUCCESS, 0, NULL);
	snprintf(param, sizeof param, "%s\n", pw->pw_name);
	ck_assert_str_eq(got.output, param);
	plugins_close();
	got_clear();
}
END_TEST

/*
 * hook
 */

START_TEST(test_hook_success)
{
	struct sked_job	job = make_job("START", "VM", "vm-1", "{\"x\":1}");

	write_hook("VM", 0755, "#!/bin/sh\necho \"$# $1 $2\"\n"
	    "env | grep ^SKED_ | LC_ALL=C sort\n");
	run_job(&job);
	assert_got(SKED_SUCCESS, 0, NULL);
	ck_assert_str_eq(got.output, "2 START vm-1\n"
	    "SKED_EXECUTION_ID=exe-1\n"
	    "SKED_INPUT_PARAM={\"x\":1}\n"
	    "SKED_PROJECT_ID=proj-1\n"
	    "SKED_SCHEDULED_AT=\n"
	    "SKED_TARGET_ID=vm-1\n"
	    "SKED_TARGET_TYPE=VM\n"
	    "SKED_TASK_ID=task-1\n"
	    "SKED_TASK_NAME=nightly\n");
}
END_TEST

START_TEST(test_hook_fail)
{
	struct sked_job	job = make_job("STOP", "SYSTEMD_UNIT", "nginx.service",
			    "{}");

	write_hook("SYSTEMD_UNIT", 0755, "#!/bin/sh\necho \"no $1\" >&2\n"
	    "exit 2\n");
	run_job(&job);
	assert_got(SKED_FAIL, 2, "exit status 2");
	ck_assert_str_eq(got.output, "no STOP\n");
}
END_TEST

START_TEST(test_hook_missing)
{
	struct sked_job	job = make_job("START", "NOPE", "x", "{}");
	char		want[PATH_MAX + 100];

	run_job(&job);
	snprintf(want, sizeof want, "hook %s/NOPE: No such file or directory",
	    hooks);
	assert_got(SKED_FAIL, -1, want);
	ck_assert_int_eq(got.during_start, 1);

	write_hook("NOEXEC", 0644, "#!/bin/sh\nexit 0\n");
	job.target_type = "NOEXEC";
	run_job(&job);
	snprintf(want, sizeof want, "hook %s/NOEXEC: Permission denied",
	    hooks);
	assert_got(SKED_FAIL, -1, want);

	snprintf(want, sizeof want, "%s/DIR", hooks);
	ck_assert_int_eq(mkdir(want, 0755), 0);
	job.target_type = "DIR";
	run_job(&job);
	snprintf(want, sizeof want, "hook %s/DIR: Is a directory", hooks);
	assert_got(SKED_FAIL, -1, want);

	host.hooks_dir = NULL;		/* the default, /etc/sked/hooks.d */
	job.target_type = "SKED_CHECK_NO_SUCH_HOOK";
	run_job(&job);
	assert_got(SKED_FAIL, -1, "hook /etc/sked/hooks.d/"
	    "SKED_CHECK_NO_SUCH_HOOK: No such file or directory");
}
END_TEST

/* Busy (75): skipped, or with force run again with SKED_FORCE=1. */
START_TEST(test_hook_busy)
{
	struct sked_job	job = make_job("REBOOT", "BUSY", "b-1", "{}");
	char		text[PATH_MAX + 200], log[PATH_MAX];

	snprintf(log, sizeof log, "%s/busy.log", tmp);
	snprintf(text, sizeof text, "#!/bin/sh\n"
	    "echo \"$1 force=${SKED_FORCE:-0}\" >>'%s'\n"
	    "if [ \"$SKED_FORCE\" = 1 ]; then echo forced; exit 0; fi\n"
	    "echo busy; exit 75\n", log);
	write_hook("BUSY", 0755, text);

	run_job(&job);
	assert_got(SKED_SKIP, 75, "target busy (hook exit 75)");
	ck_assert_str_eq(got.output, "busy\n");
	ck_assert_str_eq(read_text(log), "REBOOT force=0\n");

	job.force = 1;
	run_job(&job);
	assert_got(SKED_SUCCESS, 0, NULL);
	ck_assert_str_eq(got.output, "forced\n");
	ck_assert_str_eq(read_text(log), "REBOOT force=0\nREBOOT force=0\n"
	    "REBOOT force=1\n");
}
END_TEST

START_TEST(test_hook_busy_forced)
{
	struct sked_job	job = make_job("STOP", "ALWAYS", "a-1", "{}");
	char		text[PATH_MAX + 200], log[PATH_MAX];

	snprintf(log, sizeof log, "%s/always.log", tmp);
	snprintf(text, sizeof text, "#!/bin/sh\n"
	    "echo \"force=${SKED_FORCE:-0}\" >>'%s'\nexit 75\n", log);
	write_hook("ALWAYS", 0755, text);
	job.force = 1;
	run_job(&job);
	assert_got(SKED_FAIL, 75, "exit status 75 (target busy even with "
	    "SKED_FORCE=1)");
	ck_assert_str_eq(read_text(log), "force=0\nforce=1\n");
}
END_TEST

START_TEST(test_hook_timeout)
{
	struct sked_job	job = make_job("START", "SLOW", "s-1",
			    "{\"timeout\": 0.3}");

	write_hook("SLOW", 0755, "#!/bin/sh\nsleep 10\n");
	run_job(&job);
	assert_got(SKED_FAIL, -1, "timed out after 0.3 s");

	job.input_param = "{\"timeout\": \"10\"}";
	run_job(&job);
	assert_got(SKED_FAIL, -1, "input_param.timeout: expected a positive "
	    "number");
	ck_assert_int_eq(got.during_start, 1);
}
END_TEST

/* Target types that would leave hooks_dir, or hide, are refused. */
static const struct {
	int		 line;
	const char	*type;
} bad_types[] = {
	{ ROW, "../escape" },
	{ ROW, ".hidden" },
	{ ROW, "a/b" },
	{ ROW, "" },
	{ ROW, "VM X" },
	{ ROW, "VM;true" },
	{ ROW, ".." },
};

START_TEST(test_hook_bad_type)
{
	struct sked_job	job = make_job("START", bad_types[_i].type, "x", "{}");
	char		path[PATH_MAX], want[200];

	/* Each would run if it were looked up: success is not a refusal. */
	snprintf(path, sizeof path, "%s/escape", tmp);
	write_file(path, 0755, "#!/bin/sh\nexit 0\n");
	write_hook(".hidden", 0755, "#!/bin/sh\nexit 0\n");
	snprintf(path, sizeof path, "%s/a", hooks);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	write_hook("a/b", 0755, "#!/bin/sh\nexit 0\n");

	run_job(&job);
	snprintf(want, sizeof want, "target_type '%s': not a valid hook name "
	    "(letters, digits, '_', '.', '-'; no leading '.')",
	    bad_types[_i].type);
	ck_assert_msg(got.status == SKED_FAIL, "line %d", bad_types[_i].line);
	assert_got(SKED_FAIL, -1, want);
}
END_TEST

/*
 * The plugin directory
 */

static void
link_so(const char *dir, const char *built, const char *name)
{
	const char	*top = getenv("TOP_BUILDDIR");
	char		 src[PATH_MAX], real[PATH_MAX], dst[PATH_MAX];

	snprintf(src, sizeof src, "%s/%s", top != NULL ? top : ".", built);
	ck_assert_msg(realpath(src, real) != NULL, "%s: %s (build it first)",
	    src, strerror(errno));
	snprintf(dst, sizeof dst, "%s/%s", dir, name);
	ck_assert_int_eq(symlink(real, dst), 0);
}

START_TEST(test_plugin_dir)
{
	struct sked_job	 job = make_job("NOTIFY", "FILE", NULL, "{}");
	char		 dir[300], path[PATH_MAX], out[PATH_MAX];
	char		 want[PATH_MAX + 100];

	snprintf(dir, sizeof dir, "%s/plugins", tmp);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	link_so(dir, "plugins/sked-example.so", "sked-example.so");
	link_so(dir, "tests/unit/plugin-badabi.so", "plugin-badabi.so");
	snprintf(path, sizeof path, "%s/garbage.so", dir);
	write_file(path, 0644, "not an ELF file\n");
	snprintf(path, sizeof path, "%s/README", dir);
	write_file(path, 0644, "not a plugin: no .so\n");

	plugins_close();
	ck_assert_int_eq(plugins_open(&host, dir), 0);
	snprintf(want, sizeof want, "plugin %s/plugin-badabi.so: built for "
	    "plugin ABI %d, skedd speaks %d; not loaded\n", dir,
	    SKED_PLUGIN_ABI + 1, SKED_PLUGIN_ABI);
	ck_assert_msg(strstr(logbuf, want) != NULL, "log: %s", logbuf);
	snprintf(want, sizeof want, "plugin %s/garbage.so: ", dir);
	ck_assert_msg(strstr(logbuf, want) != NULL, "log: %s", logbuf);
	snprintf(want, sizeof want, "plugin %s/sked-example.so: loaded "
	    "example\n", dir);
	ck_assert_msg(strstr(logbuf, want) != NULL, "log: %s", logbuf);
	ck_assert_ptr_null(strstr(logbuf, "README"));

	ck_assert_str_eq(plugin_name(plugins_find("NOTIFY", "FILE")),
	    "example");
	ck_assert_str_eq(plugin_name(plugins_find("NOTIFY", "VM")), "hook");
	ck_assert_str_eq(plugin_name(plugins_find("EXECUTE_SCRIPT", "FILE")),
	    "exec");
	ck_assert_str_eq(plugin_name(plugins_find("START", "VM")), "hook");
	ck_assert_int_eq(plugins_action_declared("NOTIFY"), 1);
	ck_assert_int_eq(plugins_action_declared("START"), 0);
	ck_assert_int_eq(plugins_action_declared("EXECUTE_SCRIPT"), 0);

	/* It completes from the loop, not from within start(). */
	snprintf(out, sizeof out, "%s/notes.txt", tmp);
	job.target_id = out;
	run_job(&job);
	assert_got(SKED_SUCCESS, -1, NULL);
	ck_assert_int_eq(got.during_start, 0);
	job.execution_id = "exe-2";
	job.task_name = "weekly";
	run_job(&job);
	assert_got(SKED_SUCCESS, -1, NULL);
	ck_assert_int_eq(got.during_start, 0);
	ck_assert_str_eq(read_text(out), "NOTIFY nightly exe-1\n"
	    "NOTIFY weekly exe-2\n");

	job.target_id = "notes.txt";
	run_job(&job);
	assert_got(SKED_FAIL, -1, "target_id: expected an absolute path");
	ck_assert_int_eq(got.during_start, 1);
}
END_TEST

START_TEST(test_plugin_dir_missing)
{
	plugins_close();
	ck_assert_int_eq(plugins_open(&host, "/nonexistent/plugins"), 0);
	ck_assert_ptr_nonnull(strstr(logbuf, "plugin_dir /nonexistent/plugins: "
	    "No such file or directory"));
	ck_assert_str_eq(plugin_name(plugins_find("EXECUTE_SCRIPT", "HOST")),
	    "exec");
	ck_assert_str_eq(plugin_name(plugins_find("START", "VM")), "hook");
	ck_assert_int_eq(plugins_open(&host, NULL), -1);	/* already */
}
END_TEST

/*
 * The process runner itself
 */

static void
proc_done(void *arg, const struct proc_result *r)
{
	pgot.done = 1;
	pgot.during_spawn = pgot.in_spawn;
	pgot.status = r->status;
	pgot.timed_out = r->timed_out;
	pgot.error = xstrdup(r->error);
	pgot.output = xstrdup(r->output);
}

static void
run_proc(struct ev_loop *loop, const struct proc_spec *spec)
{
	pgot_clear();
	pgot.in_spawn = 1;
	ck_assert_ptr_nonnull(proc_spawn(loop, spec, proc_done, NULL));
	pgot.in_spawn = 0;
	if (loop == EV_DEFAULT)
		run_until(&pgot.done);
	else
		while (!pgot.done)
			ev_run(loop, EVRUN_ONCE);
	ck_assert_int_eq(pgot.during_spawn, 0);
}

static void
proc_spec_init(struct proc_spec *spec, const char *const *argv)
{
	memset(spec, 0, sizeof *spec);
	spec->argv = argv;
	spec->kill_grace = 0.3;
	spec->output_limit = 1 << 21;
}

/* stdin text is fed without blocking, even when larger than a pipe. */
START_TEST(test_proc_stdin)
{
	static const char *const	 wc[] = { "/bin/sh", "-c",
					    "wc -c; echo done", NULL };
	static const char *const	 cat[] = { "/bin/cat", NULL };
	static const char *const	 no[] = { "/bin/true", NULL };
	struct proc_spec		 spec;
	size_t				 big = 1 << 20;
	char				*text;

	ck_assert_ptr_nonnull(text = malloc(big));
	memset(text, 'x', big);
	proc_spec_init(&spec, wc);
	spec.stdin_text = text;
	spec.stdin_len = big;
	run_proc(EV_DEFAULT, &spec);
	ck_assert_ptr_null(pgot.error);
	ck_assert_int_eq(WIFEXITED(pgot.status) && WEXITSTATUS(pgot.status) ==
	    0, 1);
	ck_assert_int_eq(strtol(pgot.output, NULL, 10), (long)big);
	ck_assert_ptr_nonnull(strstr(pgot.output, "\ndone\n"));

	proc_spec_init(&spec, cat);
	spec.stdin_text = "{\"a\": 1}\n";
	spec.stdin_len = strlen(spec.stdin_text);
	run_proc(EV_DEFAULT, &spec);
	ck_assert_str_eq(pgot.output, "{\"a\": 1}\n");

	/* It reads nothing and exits: EPIPE, and no SIGPIPE for us. */
	proc_spec_init(&spec, no);
	spec.stdin_text = text;
	spec.stdin_len = big;
	run_proc(EV_DEFAULT, &spec);
	ck_assert_ptr_null(pgot.error);
	ck_assert_int_eq(WIFEXITED(pgot.status) && WEXITSTATUS(pgot.status) ==
	    0, 1);

	/* Without stdin text, stdin is /dev/null. */
	proc_spec_init(&spec, cat);
	run_proc(EV_DEFAULT, &spec);
	ck_assert_str_eq(pgot.output, "");
	free(text);
}
END_TEST

/* TERM ignored (by the shell and its sleep alike): SIGKILL after grace. */
START_TEST(test_proc_sigkill)
{
	static const char *const	 argv[] = { "/bin/sh", "-c",
					    "trap '' TERM; sleep 10", NULL };
	struct proc_spec		 spec;
	struct proc_result		 r;
	char				 buf[100];
	ev_tstamp			 t0;

	proc_spec_init(&spec, argv);
	spec.timeout = 0.3;
	ev_now_update(EV_DEFAULT);
	t0 = ev_now(EV_DEFAULT);
	run_proc(EV_DEFAULT, &spec);
	ev_now_update(EV_DEFAULT);
	ck_assert_int_eq(pgot.timed_out, 1);
	ck_assert_int_eq(WIFSIGNALED(pgot.status), 1);
	ck_assert_int_eq(WTERMSIG(pgot.status), SIGKILL);
	ck_assert_double_ge(ev_now(EV_DEFAULT) - t0, 0.6 - 0.01);
	ck_assert_double_lt(ev_now(EV_DEFAULT) - t0, 3.);

	memset(&r, 0, sizeof r);
	r.status = pgot.status;
	ck_assert_str_eq(proc_reason(&r, buf, sizeof buf),
	    "killed by signal 9 (SIGKILL)");
	ck_assert_int_eq(proc_exit_code(&r), -1);
}
END_TEST

/* The hex value of a "Name:\tvalue" line of /proc/self/status. */
static const char *
sig_field(const char *text, const char *name)
{
	static char	 value[32];
	const char	*p;

	ck_assert_ptr_nonnull(p = strstr(text, name));
	p += strlen(name) + strspn(p + strlen(name), " \t");
	snprintf(value, sizeof value, "%.*s", (int)strcspn(p, "\n"), p);
	return (value);
}

/* Ignored and blocked signals are the daemon's own: the job gets none. */
START_TEST(test_proc_signals)
{
	static const char *const	 argv[] = { "/bin/sh", "-c",
					    "grep -E '^Sig(Blk|Ign):' "
					    "/proc/self/status", NULL };
	struct proc_spec		 spec;
	struct sigaction		 ign, old_usr1;
	sigset_t			 usr2, old_mask;
	unsigned long long		 ign_bits;
	int				 sig;

	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	ck_assert_int_eq(sigaction(SIGUSR1, &ign, &old_usr1), 0);
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &usr2, &old_mask), 0);
	proc_spec_init(&spec, argv);
	run_proc(EV_DEFAULT, &spec);
	sigaction(SIGUSR1, &old_usr1, NULL);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	ck_assert_str_eq(sig_field(pgot.output, "SigBlk:"), "0000000000000000");
	ign_bits = strtoull(sig_field(pgot.output, "SigIgn:"), NULL, 16);
	/*
	 * glibc keeps 32..SIGRTMIN-1 for itself and refuses sigaction on
	 * them: a disposition inherited there is beyond any libc program.
	 */
	for (sig = 32; sig < SIGRTMIN; sig++)
		ign_bits &= ~(1ULL << (sig - 1));
	ck_assert_msg(ign_bits == 0, "SigIgn: %s", pgot.output);
}
END_TEST

/* A spawn error comes through done(), from the loop, never at once. */
START_TEST(test_proc_not_default_loop)
{
	static const char *const	 argv[] = { "/bin/true", NULL };
	struct ev_loop			*loop;
	struct proc_spec		 spec;

	ck_assert_ptr_nonnull(loop = ev_loop_new(EVFLAG_AUTO));
	proc_spec_init(&spec, argv);
	run_proc(loop, &spec);
	ck_assert_ptr_nonnull(pgot.error);
	ck_assert_str_eq(pgot.error, "cannot run /bin/true: not libev's "
	    "default loop");
	ck_assert_ptr_null(pgot.output);
	ev_loop_destroy(loop);
}
END_TEST

static Suite *
plugins_suite(void)
{
	Suite	*su = suite_create("plugins");
	TCase	*tc = tcase_create("plugins");
	TCase	*bare = tcase_create("bare");
	char	*fork_env = getenv("CK_FORK");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_command_success);
	tcase_add_test(tc, test_command_exit);
	tcase_add_test(tc, test_command_signal);
	tcase_add_test(tc, test_script_args);
	tcase_add_test(tc, test_script_exec_errors);
	tcase_add_test(tc, test_cwd);
	tcase_add_test(tc, test_env);
	tcase_add_test(tc, test_sked_vars);
	add_table_test(tc, test_bad_params, bad_params);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_timeout_grace);
	tcase_add_test(tc, test_output_tail);
	tcase_add_test(tc, test_background_drain);
	tcase_add_loop_test(tc, test_cancel, 0, 2);
	tcase_add_test(tc, test_runas_unknown);
	/* Switching users needs root: skipped, not failed, without it. */
	if (geteuid() == 0)
		tcase_add_test(tc, test_runas_root);
	tcase_add_test(tc, test_hook_success);
	tcase_add_test(tc, test_hook_fail);
	tcase_add_test(tc, test_hook_missing);
	tcase_add_test(tc, test_hook_busy);
	tcase_add_test(tc, test_hook_busy_forced);
	tcase_add_test(tc, test_hook_timeout);
	add_table_test(tc, test_hook_bad_type, bad_types);
	tcase_add_test(tc, test_plugin_dir);
	tcase_add_test(tc, test_plugin_dir_missing);
	tcase_add_test(tc, test_proc_stdin);
	tcase_add_test(tc, test_proc_sigkill);
	tcase_add_test(tc, test_proc_signals);
	tcase_add_test(tc, test_proc_not_default_loop);
	suite_add_tcase(su, tc);

	/*
	 * As root the test drops to nobody for good: only in a child of its
	 * own (Check's default), never in a CK_FORK=no run.
	 */
	tcase_set_timeout(bare, 60);
	if (geteuid() != 0 || fork_env == NULL || strcmp(fork_env, "no") != 0)
		tcase_add_test(bare, test_runas_not_root);
	suite_add_tcase(su, bare);
	return (su);
}

int
main(void)
{
	return (run_suite(plugins_suite()));
}
