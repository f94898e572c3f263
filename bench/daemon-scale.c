/*
 * daemon-scale: skedd at N tasks.
 *
 *	bench/daemon-scale [--skedd PATH] [--source store|files|api]
 *	    [--idle S] [--burst S] [--rate R] [--lead S] [--conns K]
 *	    [--limit S] [--keep] N
 *
 * N tasks of mixed kinds (CRON, DAY, WEEK, MONTH, FIXED_TIME, in three
 * zones; none due within the next hours), plus a burst: R one-off tasks due
 * at each second of S seconds, starting --lead seconds after the tasks are
 * in place, each with one target whose hook is a no-op (/bin/true).  The
 * tasks reach skedd one of three ways (--source):
 *
 *   store	written straight into the store through its own code (the
 *		default);
 *   files	written as YAML into 100 task files of tasks_dir (N/100
 *		each), skedd started on an empty store; `skedd -n` is timed
 *		on them too, and a reload (SIGHUP) with one file changed;
 *   api	created through the control API (POST .../schedule-task) on
 *		K keep-alive connections once skedd, started empty, is ready.
 *
 * Then it starts the real `skedd -f` with NOTIFY_SOCKET set and reports:
 *
 *   ready	time from exec to READY=1
 *   api	when list, show and run now first answered, from exec
 *   rss	VmRSS once ready, in total and per task
 *   burst	CPU the daemon used while the burst fired
 *   idle	CPU used over --idle seconds with nothing due
 *   reload	(files) SIGHUP to the READY=1 after RELOADING=1, one file of
 *		100 changed
 *   one task	create, modify and delete one API task at N: p50, p99
 *   lateness	per fire: execution begin - scheduled instant (the timer),
 *		and subtask begin - scheduled instant (the hook started);
 *		p50, p99, max
 *
 * Nothing here passes or fails; it prints figures (bench/README.md).
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "daemon/store.h"
#include "task.h"

static char	 dir[64];
static pid_t	 skedd_pid;

static void	die(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
	va_list	ap;

	fputs("daemon-scale: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (skedd_pid > 0)
		kill(skedd_pid, SIGKILL);
	exit(1);
}

static double
mono(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

static void
sleep_until_wall(time_t t)
{
	struct timespec	ts = { t, 0 };

	while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL) ==
	    EINTR)
		;
}

static void
write_text(const char *path, const char *text)
{
	FILE	*f;

	if ((f = fopen(path, "w")) == NULL || fputs(text, f) < 0 ||
	    fclose(f) != 0)
		die("%s: %s", path, strerror(errno));
}

/*
 * Background task i: due at some wall time at least six hours (and a day
 * of the week or month) away from now, so that none fires during the run;
 * bump moves its minute on by one.
 */
static void
background_task(struct task *t, size_t i, const struct tm *now_utc,
    int bump)
{
	static const char *const zones[] = { "UTC", "Europe/Berlin",
					    "America/New_York" };
	static char		 cron[64];
	int			 hour = (now_utc->tm_hour + 8 + (int)(i % 8)) % 24;
	int			 wday = (now_utc->tm_wday + 3) % 7;
	int			 mday = (now_utc->tm_mday + 10) % 28 + 1;

	t->time_zone = (char *)zones[i % 3];
	t->hour = hour;
	t->min = (int)((i / 8 + (size_t)bump) % 60);
	t->sec = (int)(i / 480 % 60);
	t->has_time = true;
	switch (i % 5) {
	case 0:
		t->scheduled_type = TASK_CRON;
		snprintf(cron, sizeof cron, "%d %d %d ? * %s", t->sec, t->min,
		    hour, i % 2 ? "MON-FRI" : "*");
		if (i % 2)	/* and not today or tomorrow */
			snprintf(cron, sizeof cron, "%d %d %d ? * %d", t->sec,
			    t->min, hour, wday + 1);
		t->task_cron = cron;
		t->has_time = false;
		break;
	case 1:
		t->scheduled_type = TASK_DAY;
		t->day_interval = 2 + (int)(i % 5);
		t->has_date = true;
		t->year = now_utc->tm_year + 1901;
		t->mon = 1 + (int)(i % 12);
		t->day = 1 + (int)(i % 28);
		break;
	case 2:
		t->scheduled_type = TASK_WEEK;
		t->week_mask = 1u << wday;
		t->week_list = NULL;
		break;
	case 3:
		t->scheduled_type = TASK_MONTH;
		t->month_mask = 0x1ffe;
		t->date_mask = 1u << mday;
		t->date_last = i % 7 == 0;
		break;
	default:
		t->scheduled_type = TASK_FIXED_TIME;
		t->has_date = true;
		t->year = now_utc->tm_year + 1901 + (int)(i % 3);
		t->mon = 1 + (int)(i % 12);
		t->day = 1 + (int)(i % 28);
		break;
	}
}

/*
 * Task i of n (background below n, burst from n on): the same task for
 * every source.  bump moves a background task's minute by one (the edit of
 * the reload).  Points into static buffers: one task at a time.
 */
static void
make_task(struct task *t, size_t i, size_t n, const struct tm *now_utc,
    time_t t0, int rate, int bump)
{
	static struct task_target	 target;
	static char			 id[64], name[40], tid[32];
	static char			*ids[1] = { tid };
	struct tm			 at;
	time_t				 when;

	memset(t, 0, sizeof *t);
	snprintf(id, sizeof id, "00000000-0000-4000-8000-%012zu", i);
	snprintf(name, sizeof name, "%s-%zu", i < n ? "bg" : "burst", i);
	snprintf(tid, sizeof tid, "t-%zu", i % 1000);
	t->id = id;
	t->task_name = name;
	t->project_id = "bench";
	t->task_type = "START";
	t->is_enable = true;
	t->day_interval = 1;
	target.target_type = "NOOP";
	target.target_ids = ids;
	target.ntarget_ids = 1;
	t->targets = &target;
	t->ntargets = 1;
	t->history_keep = 5;
	if (i < n) {
		background_task(t, i, now_utc, bump);
		return;
	}
	when = t0 + (time_t)((i - n) / (size_t)rate);
	gmtime_r(&when, &at);
	t->scheduled_type = TASK_FIXED_TIME;
	t->time_zone = "UTC";
	t->has_date = t->has_time = true;
	t->year = at.tm_year + 1900;
	t->mon = at.tm_mon + 1;
	t->day = at.tm_mday;
	t->hour = at.tm_hour;
	t->min = at.tm_min;
	t->sec = at.tm_sec;
}

static void
put_tasks(const char *db, size_t n, time_t t0, int burst, int rate)
{
	struct store	*st;
	struct task	 t;
	struct tm	 now_utc;
	time_t		 now = time(NULL);
	size_t		 i, total = n + (size_t)burst * (size_t)rate;

	gmtime_r(&now, &now_utc);
	if (store_open(db, &st) != 0)
		die("%s", store_error(NULL));
	if (store_begin(st) != 0)
		die("%s", store_error(st));
	for (i = 0; i < total; i++) {
		make_task(&t, i, n, &now_utc, t0, rate, 0);
		if (store_task_put(st, &t, NULL) != 0)
			die("task %zu: %s", i, store_error(st));
	}
	if (store_commit(st) != 0)
		die("%s", store_error(st));
	store_close(st);
}

/*
 * A task as the user writes it: a YAML mapping in block style (one item
 * of a task file's sequence) or a JSON object (a request body), without
 * the id, which a task file may leave out and a request may not give.
 */
static size_t
task_text(const struct task *t, int yaml, char *buf, size_t len)
{
	char		 v[16][96];
	const char	*k[16];
	size_t		 nf = 0, i, o = 0;
	int		 d;

#define FIELD(key, ...) do {						\
	k[nf] = (key);							\
	snprintf(v[nf++], sizeof v[0], __VA_ARGS__);			\
} while (0)
	FIELD("task_name", "\"%s\"", t->task_name);
	FIELD("project_id", "\"%s\"", t->project_id);
	FIELD("task_type", "\"%s\"", t->task_type);
	FIELD("scheduled_type", "\"%s\"",
	    task_sched_type_names[t->scheduled_type]);
	FIELD("time_zone", "\"%s\"", t->time_zone);
	FIELD("history_keep", "%d", t->history_keep);
	switch (t->scheduled_type) {
	case TASK_CRON:
		FIELD("task_cron", "\"%s\"", t->task_cron);
		break;
	case TASK_DAY:
		FIELD("day_interval", "%d", t->day_interval);
		break;
	case TASK_WEEK:
		for (d = 0; d < 7 && !(t->week_mask & 1u << d); d++)
			;
		FIELD("week_list", "\"%d\"", d + 1);
		break;
	case TASK_MONTH:
		for (d = 1; d < 32 && !(t->date_mask & 1u << d); d++)
			;
		FIELD("date_list", "\"%d%s\"", d, t->date_last ? ",L" : "");
		break;
	default:
		break;
	}
	if (t->has_date)
		FIELD("scheduled_date", "\"%04d-%02d-%02d\"", t->year, t->mon,
		    t->day);
	if (t->has_time)
		FIELD("scheduled_time", "\"%02d:%02d:%02d\"", t->hour, t->min,
		    t->sec);
#undef FIELD
#define OUT(...) do {							\
	if (o < len)							\
		o += (size_t)snprintf(buf + o, len - o, __VA_ARGS__);	\
} while (0)
	if (!yaml)
		OUT("{");
	for (i = 0; i < nf; i++)
		if (yaml)
			OUT("%s %s: %s\n", i == 0 ? "-" : " ", k[i], v[i]);
		else
			OUT("%s\"%s\":%s", i == 0 ? "" : ",", k[i], v[i]);
	if (yaml)
		OUT("  target_infos:\n    - target_type: %s\n"
		    "      target_id: [ %s ]\n", t->targets[0].target_type,
		    t->targets[0].target_ids[0]);
	else
		OUT(",\"target_infos\":[{\"target_type\":\"%s\","
		    "\"target_id\":[\"%s\"]}]}", t->targets[0].target_type,
		    t->targets[0].target_ids[0]);
#undef OUT
	if (o >= len)
		die("task %s: text longer than %zu bytes", t->task_name, len);
	return (o);
}

#define NFILES	100

/*
 * Task file j of NFILES: background tasks [j n/NFILES, (j+1) n/NFILES)
 * and every NFILES-th burst task.  bump: its first task's time edited.
 */
static void
write_file(size_t j, size_t n, const struct tm *now_utc, time_t t0,
    int burst, int rate, int bump)
{
	struct task	 t;
	char		 path[PATH_MAX], tmp[PATH_MAX], text[2048];
	size_t		 i, lo = j * n / NFILES, hi = (j + 1) * n / NFILES,
			 total = n + (size_t)burst * (size_t)rate;
	FILE		*f;

	snprintf(path, sizeof path, "%s/tasks.d/tasks-%03zu.yaml", dir, j);
	snprintf(tmp, sizeof tmp, "%s/tasks.d/.tasks-%03zu.tmp", dir, j);
	if ((f = fopen(tmp, "w")) == NULL)
		die("%s: %s", tmp, strerror(errno));
	fprintf(f, "# daemon-scale: %zu background tasks%s\n", hi - lo,
	    burst > 0 ? " and burst tasks" : "");
	for (i = lo; i < hi; i++) {
		make_task(&t, i, n, now_utc, t0, rate, bump && i == lo);
		task_text(&t, 1, text, sizeof text);
		fputs(text, f);
	}
	for (i = n + j; i < total; i += NFILES) {
		make_task(&t, i, n, now_utc, t0, rate, 0);
		task_text(&t, 1, text, sizeof text);
		fputs(text, f);
	}
	if (ferror(f) || fclose(f) != 0)
		die("%s: %s", tmp, strerror(errno));
	/* a reload must never see half a file */
	if (rename(tmp, path) != 0)
		die("%s: %s", path, strerror(errno));
}

static void
write_files(size_t n, const struct tm *now_utc, time_t t0, int burst,
    int rate)
{
	size_t	j;

	for (j = 0; j < NFILES; j++)
		write_file(j, n, now_utc, t0, burst, rate, 0);
}

/* The control socket: one connection, or -1 while nobody listens. */
static int
connect_to(const char *path)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		die("socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
		close(fd);
		return (-1);
	}
	return (fd);
}

/*
 * One HTTP/1.1 request on a keep-alive connection, its whole answer read
 * into buf (the body from *bodyp).  The status, or -1 when the connection
 * failed or closed (the caller connects again).
 */
static int
http(int fd, const char *method, const char *path, const char *body,
    char *buf, size_t len, char **bodyp)
{
	char	 req[1024], *end, *cl;
	size_t	 have = 0, want, blen = body ? strlen(body) : 0;
	ssize_t	 r;
	int	 n, status;

	if (strcmp(method, "GET") == 0)
		n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\n"
		    "Host: skedd\r\n\r\n", path);
	else
		n = snprintf(req, sizeof req, "%s %s HTTP/1.1\r\n"
		    "Host: skedd\r\n%sContent-Length: %zu\r\n\r\n", method,
		    path, body ? "Content-Type: application/json\r\n" : "",
		    blen);
	if (n <= 0 || (size_t)n >= sizeof req)
		die("%s %s: request too long", method, path);
	if (write(fd, req, (size_t)n) != n ||
	    (blen > 0 && write(fd, body, blen) != (ssize_t)blen))
		return (-1);
	for (;;) {
		if (have + 1 >= len)
			die("%s %s: answer larger than %zu bytes", method,
			    path, len);
		if ((r = read(fd, buf + have, len - have - 1)) <= 0)
			return (-1);
		have += (size_t)r;
		buf[have] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) != NULL)
			break;
	}
	status = atoi(buf + 9);
	want = (size_t)(end + 4 - buf);
	if ((cl = strcasestr(buf, "\r\nContent-Length:")) != NULL && cl < end)
		want += strtoul(cl + 17, NULL, 10);
	if (want >= len)
		die("%s %s: answer larger than %zu bytes", method, path, len);
	while (have < want) {
		if ((r = read(fd, buf + have, want - have)) <= 0)
			return (-1);
		have += (size_t)r;
	}
	buf[want] = '\0';
	if (bodyp != NULL)
		*bodyp = end + 4;
	return (status);
}

/* The "id" of a task in an answer's body, or NULL. */
static char *
answer_id(const char *body, char *id, size_t len)
{
	const char	*p;
	size_t		 k;

	if ((p = strstr(body, "\"id\":\"")) == NULL)
		return (NULL);
	p += 6;
	for (k = 0; p[k] != '"' && p[k] != '\0' && k + 1 < len; k++)
		id[k] = p[k];
	id[k] = '\0';
	return (id);
}

/*
 * Creates tasks [lo, hi) through the API on conns keep-alive connections,
 * one process each (task i on connection i % conns).
 */
static double
api_create(const char *sock, size_t lo, size_t hi, size_t n, time_t t0,
    int rate, int conns)
{
	static char	 buf[65536];
	struct task	 t;
	struct tm	 now_utc;
	time_t		 now = time(NULL);
	char		 text[2048], *body;
	double		 t_start = mono();
	pid_t		 pid;
	size_t		 i;
	int		 c, fd, st, status, failed = 0;

	gmtime_r(&now, &now_utc);
	for (c = 0; c < conns; c++) {
		if ((pid = fork()) == -1)
			die("fork: %s", strerror(errno));
		if (pid != 0)
			continue;
		skedd_pid = 0;
		fd = -1;
		for (i = lo + (size_t)c; i < hi; i += (size_t)conns) {
			make_task(&t, i, n, &now_utc, t0, rate, 0);
			task_text(&t, 0, text, sizeof text);
			while (fd < 0 || (st = http(fd, "POST",
			    "/v1/bench/schedule-task", text, buf, sizeof buf,
			    &body)) < 0) {
				if (fd >= 0)
					close(fd);
				if ((fd = connect_to(sock)) < 0)
					die("%s: %s", sock, strerror(errno));
			}
			if (st != 200 && st != 201)
				die("create %s: status %d: %s", t.task_name, st,
				    body);
		}
		_exit(0);
	}
	for (c = 0; c < conns; c++)
		if (wait(&status) == -1 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			failed = 1;
	if (failed)
		die("an API client failed");
	return (mono() - t_start);
}

/* The NOTIFY_SOCKET skedd will talk to. */
static int
notify_socket(const char *path)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path)
		die("%s: path too long", path);
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1)
		die("notify socket %s: %s", path, strerror(errno));
	return (fd);
}

/*
 * Seconds from t0 until a datagram containing READY=1 (after one with
 * RELOADING=1 if reloading), or -1 after limit seconds.
 */
static double
wait_ready(int fd, double t0, double limit, int reloading)
{
	char		 buf[4096];
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	ssize_t		 len;
	int		 status;

	while (mono() - t0 < limit) {
		if (waitpid(skedd_pid, &status, WNOHANG) == skedd_pid) {
			skedd_pid = 0;
			die("skedd exited before READY (status %d); see %s/"
			    "skedd.log", status, dir);
		}
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if ((len = recv(fd, buf, sizeof buf - 1, 0)) <= 0)
			continue;
		buf[len] = '\0';
		if (strstr(buf, "RELOADING=1") != NULL)
			reloading = 0;
		if (!reloading && strstr(buf, "READY=1") != NULL)
			return (mono() - t0);
	}
	return (-1);
}

/* Drops the datagrams skedd sent so far. */
static void
drain(int fd)
{
	char	buf[4096];

	while (recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0)
		;
}

/*
 * The API probe, a process of its own from skedd's exec on: every 50 ms,
 * until each has answered once (2xx) or limit seconds passed, a list of
 * one task, and a show and a run now of the task that a list gave (when
 * there is one).  Writes the three times since t0 (-1: never) to path.
 */
static pid_t
probe_start(const char *sock, const char *path, double t0, double limit)
{
	static char	 buf[65536];
	double		 at[3] = { -1, -1, -1 };
	char		 id[64] = "", url[256], *body;
	pid_t		 pid;
	FILE		*f;
	int		 fd = -1, st, k;

	if ((pid = fork()) == -1)
		die("fork: %s", strerror(errno));
	if (pid != 0)
		return (pid);
	skedd_pid = 0;
	while ((at[0] < 0 || at[1] < 0 || at[2] < 0) &&
	    mono() - t0 < limit) {
		if (fd < 0 && (fd = connect_to(sock)) < 0) {
			usleep(50000);
			continue;
		}
		for (k = 0; k < 3 && fd >= 0; k++) {
			if ((at[k] >= 0 && (k > 0 || id[0] != '\0')) ||
			    (k > 0 && id[0] == '\0'))
				continue;
			if (k == 0)
				snprintf(url, sizeof url, "/v2/bench/"
				    "scheduled-tasks?limit=1");
			else
				snprintf(url, sizeof url, "/v1/bench/"
				    "schedule-task/%s%s", id, k == 2 ?
				    "/execute" : "");
			st = http(fd, k == 2 ? "POST" : "GET", url, NULL, buf,
			    sizeof buf, &body);
			if (st < 0) {
				close(fd);
				fd = -1;
			} else if (st >= 200 && st < 300) {
				if (at[k] < 0)
					at[k] = mono() - t0;
				/* list gives the task shown and run */
				if (k == 0)
					answer_id(body, id, sizeof id);
			}
		}
		usleep(50000);
	}
	if ((f = fopen(path, "w")) == NULL)
		_exit(1);
	fprintf(f, "%f %f %f\n", at[0], at[1], at[2]);
	fclose(f);
	_exit(0);
}

static void
probe_report(pid_t pid, const char *path, double ready)
{
	double	 at[3] = { -1, -1, -1 };
	char	 s[3][32];
	FILE	*f;
	int	 k, status;

	/* a few seconds more for the show and run now of what list gave */
	for (k = 0; k < 100 && waitpid(pid, &status, WNOHANG) == 0; k++)
		usleep(50000);
	if (k == 100) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	if ((f = fopen(path, "r")) != NULL) {
		if (fscanf(f, "%lf %lf %lf", &at[0], &at[1], &at[2]) != 3)
			at[0] = at[1] = at[2] = -1;
		fclose(f);
	}
	for (k = 0; k < 3; k++)
		if (at[k] < 0)
			snprintf(s[k], sizeof s[k], "never");
		else
			snprintf(s[k], sizeof s[k], "%.2f s (%+.2f)", at[k],
			    at[k] - ready);
	printf("%-26s list %s, show %s, run now %s; ready %.2f s\n",
	    "api first answered", s[0], s[1], s[2], ready);
}

static int
cmp_dbl(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return ((x > y) - (x < y));
}

/*
 * Creating, modifying (PATCH) and deleting one API task, count times each
 * on one keep-alive connection: p50 and p99 per operation.
 */
static void
one_task_ops(const char *sock, int count)
{
	static char	 buf[65536];
	static const char *const what[3] = { "create one task",
					     "modify one task (PATCH)",
					     "delete one task" };
	char		 (*ids)[64], url[256], text[512], *body;
	double		*lat, t;
	int		 fd, op, i, st;

	if ((ids = calloc((size_t)count, sizeof *ids)) == NULL ||
	    (lat = calloc((size_t)count, sizeof *lat)) == NULL)
		die("out of memory");
	if ((fd = connect_to(sock)) < 0)
		die("%s: %s", sock, strerror(errno));
	for (op = 0; op < 3; op++) {
		for (i = 0; i < count; i++) {
			if (op == 0) {
				snprintf(text, sizeof text, "{\"task_name\":"
				    "\"op-%d\",\"task_type\":\"START\","
				    "\"scheduled_type\":\"CRON\",\"task_cron\":"
				    "\"0 0 3 1 1 ?\",\"time_zone\":\"UTC\","
				    "\"target_infos\":[{\"target_type\":"
				    "\"NOOP\",\"target_id\":[\"op\"]}]}", i);
				snprintf(url, sizeof url,
				    "/v1/bench/schedule-task");
			} else
				snprintf(url, sizeof url,
				    "/v1/bench/schedule-task/%s", ids[i]);
			t = mono();
			st = http(fd, op == 0 ? "POST" : op == 1 ? "PATCH" :
			    "DELETE", url, op == 0 ? text : op == 1 ?
			    "{\"task_cron\":\"0 0 4 1 1 ?\"}" : NULL, buf,
			    sizeof buf, &body);
			lat[i] = mono() - t;
			if (st < 200 || st >= 300)
				die("%s: status %d: %s", what[op], st,
				    st < 0 ? "connection closed" : body);
			if (op == 0 && answer_id(body, ids[i], sizeof ids[i])
			    == NULL)
				die("create: no id in %s", body);
		}
		qsort(lat, (size_t)count, sizeof *lat, cmp_dbl);
		printf("%-26s p50 %.0f us, p99 %.0f us (%d times)\n", what[op],
		    lat[count / 2] * 1e6, lat[count * 99 / 100] * 1e6, count);
	}
	close(fd);
	free(ids);
	free(lat);
}

/*
 * skedd -n -c conf: seconds to its exit, or -1 after limit seconds (then
 * killed).  Dies unless it exits 0.
 */
static double
check_only(const char *skedd, const char *conf, double limit)
{
	char	log[PATH_MAX];
	double	t0 = mono(), t;
	pid_t	pid;
	int	status;

	if ((pid = fork()) == -1)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		snprintf(log, sizeof log, "%s/check.log", dir);
		if (freopen(log, "w", stdout) == NULL ||
		    dup2(STDOUT_FILENO, STDERR_FILENO) == -1)
			_exit(127);
		execl(skedd, skedd, "-n", "-c", conf, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (mono() - t0 >= limit) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return (-1);
		}
		usleep(10000);
	}
	t = mono() - t0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("skedd -n: status %d; see %s/check.log", status, dir);
	return (t);
}

static long
status_kib(pid_t pid, const char *field)
{
	char	 path[64], line[256];
	FILE	*f;
	long	 v = -1;

	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return (-1);
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, field, strlen(field)) == 0)
			v = strtol(line + strlen(field), NULL, 10);
	fclose(f);
	return (v);
}

/* utime + stime of pid, in seconds. */
static double
cpu_seconds(pid_t pid)
{
	char		 path[64], buf[2048], *p;
	unsigned long	 ut, stime;
	FILE		*f;
	size_t		 n;
	int		 i;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		die("%s: %s", path, strerror(errno));
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* fields after the ")" that ends comm: state is field 3 */
	if ((p = strrchr(buf, ')')) == NULL)
		die("%s: unexpected format", path);
	p += 2;
	for (i = 3; i < 14; i++)
		p = strchr(p, ' ') + 1;
	if (sscanf(p, "%lu %lu", &ut, &stime) != 2)
		die("%s: unexpected format", path);
	return ((double)(ut + stime) / (double)sysconf(_SC_CLK_TCK));
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return ((x > y) - (x < y));
}

static sqlite3 *
open_db(const char *path)
{
	sqlite3	*db;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		die("%s: %s", path, sqlite3_errmsg(db));
	sqlite3_busy_timeout(db, 5000);
	return (db);
}

static long
count_rows(sqlite3 *db, const char *sql)
{
	sqlite3_stmt	*s;
	long		 v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		die("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return (v);
}

/* Prints p50, p99 and max of one lateness query, in ms. */
static void
lateness(sqlite3 *db, const char *what, const char *sql)
{
	sqlite3_stmt	*s;
	int64_t		*v = NULL;
	size_t		 n = 0, cap = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		die("%s: %s", sql, sqlite3_errmsg(db));
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((v = realloc(v, cap * sizeof *v)) == NULL)
				die("out of memory");
		}
		v[n++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	if (n == 0) {
		printf("%-26s no rows\n", what);
		return;
	}
	qsort(v, n, sizeof *v, cmp_i64);
	printf("%-26s p50 %lld ms, p99 %lld ms, max %lld ms (%zu fires)\n",
	    what, (long long)v[n / 2], (long long)v[(n * 99) / 100],
	    (long long)v[n - 1], n);
	free(v);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return (remove(path));
}

static void
usage(void)
{
	fprintf(stderr, "usage: daemon-scale [--skedd PATH] "
	    "[--source store|files|api] [--idle S] [--burst S] [--rate R] "
	    "[--lead S] [--conns K] [--limit S] [--keep] N\n");
	exit(2);
}

enum source { SRC_STORE, SRC_FILES, SRC_API };

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "skedd", required_argument, NULL, 's' },
		{ "source", required_argument, NULL, 'S' },
		{ "idle", required_argument, NULL, 'i' },
		{ "burst", required_argument, NULL, 'b' },
		{ "rate", required_argument, NULL, 'r' },
		{ "lead", required_argument, NULL, 'l' },
		{ "conns", required_argument, NULL, 'c' },
		{ "limit", required_argument, NULL, 'L' },
		{ "keep", no_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const source_names[] = { "store", "files",
						    "api" };
	const char	*skedd = getenv("SKEDD") ? getenv("SKEDD") : "./skedd";
	char		 path[PATH_MAX + 64], conf[PATH_MAX + 64],
			 db[PATH_MAX + 64], text[4 * PATH_MAX],
			 sock[PATH_MAX + 64], probe_out[PATH_MAX + 64];
	int		 idle = 60, burst = 30, rate = 1000, keep = 0, ch, fd,
			 status, logfd, conns = 4;
	enum source	 source = SRC_STORE;
	double		 lead = -1, t_start, ready, cpu0, cpu1, put_s, limit = 600,
			 check_s = 0, t;
	long		 rss, hwm, want, done;
	size_t		 n, total;
	time_t		 t0, now;
	struct tm	 now_utc;
	pid_t		 probe_pid;
	sqlite3		*sdb;
	char		*end;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		switch (ch) {
		case 's': skedd = optarg; break;
		case 'S':
			for (source = 0; source < 3; source++)
				if (strcmp(optarg, source_names[source]) == 0)
					break;
			if (source == 3)
				usage();
			break;
		case 'i': idle = atoi(optarg); break;
		case 'b': burst = atoi(optarg); break;
		case 'r': rate = atoi(optarg); break;
		case 'l': lead = atof(optarg); break;
		case 'c': conns = atoi(optarg); break;
		case 'L': limit = atof(optarg); break;
		case 'k': keep = 1; break;
		default: usage();
		}
	if (optind + 1 != argc)
		usage();
	errno = 0;
	n = strtoul(argv[optind], &end, 10);
	if (errno != 0 || *end != '\0' || idle < 0 || burst < 0 || rate < 1 ||
	    conns < 1 || limit <= 0)
		usage();
	if (access(skedd, X_OK) != 0)
		die("%s: %s (run from the build directory or use --skedd)",
		    skedd, strerror(errno));
	total = n + (size_t)burst * (size_t)rate;
	/* long enough for the store load and arming, measured below */
	if (lead < 0)
		lead = 10. + (double)total / 100000.;

	snprintf(dir, sizeof dir, "/tmp/sked-scale-XXXXXX");
	if (mkdtemp(dir) == NULL)
		die("mkdtemp: %s", strerror(errno));
	snprintf(path, sizeof path, "%s/hooks.d", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/hooks.d/NOOP", dir);
	if (symlink("/bin/true", path) != 0)
		die("%s: %s", path, strerror(errno));
	snprintf(path, sizeof path, "%s/tasks.d", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/plugins", dir);
	mkdir(path, 0755);
	snprintf(db, sizeof db, "%s/sked.db", dir);
	snprintf(sock, sizeof sock, "%s/skedd.sock", dir);
	snprintf(conf, sizeof conf, "%s/sked.yaml", dir);
	snprintf(probe_out, sizeof probe_out, "%s/probe.out", dir);
	snprintf(text, sizeof text, "socket: %s\n"
	    "database: %s\ntasks_dir: %s/tasks.d\nhooks_dir: %s/hooks.d\n"
	    "plugin_dir: %s/plugins\ntime_zone: UTC\n", sock, db, dir, dir,
	    dir);
	write_text(conf, text);

	printf("daemon-scale: %zu tasks + burst %d/s x %d s = %zu tasks in "
	    "%s, from the %s\n", n, rate, burst, total, dir,
	    source == SRC_STORE ? "store" : source == SRC_FILES ?
	    "task files (100)" : "API");
	fflush(stdout);
	put_s = mono();
	now = time(NULL);
	gmtime_r(&now, &now_utc);
	t0 = now + (time_t)lead + (time_t)((double)total / 150000.);
	switch (source) {
	case SRC_STORE:
		put_tasks(db, n, t0, burst, rate);
		put_s = mono() - put_s;
		printf("%-26s %.2f s\n", "store written", put_s);
		break;
	case SRC_FILES:
		/* -n on the N tasks; the burst's instants from its time */
		write_files(n, &now_utc, t0, 0, rate);
		put_s = mono() - put_s;
		printf("%-26s %.2f s (%d files)\n", "task files written", put_s,
		    NFILES);
		fflush(stdout);
		if ((check_s = check_only(skedd, conf, limit)) < 0)
			printf("%-26s more than %.0f s (killed)\n",
			    "check (-n)", limit);
		else
			printf("%-26s %.2f s\n", "check (-n)", check_s);
		fflush(stdout);
		if (burst > 0) {
			t0 = time(NULL) + (time_t)lead +
			    (time_t)((double)total / 150000. +
			    (check_s < 0 ? limit : 2. * check_s));
			write_files(n, &now_utc, t0, burst, rate);
		}
		break;
	case SRC_API:
		break;
	}

	snprintf(path, sizeof path, "%s/notify.sock", dir);
	fd = notify_socket(path);
	snprintf(text, sizeof text, "%s/skedd.log", dir);
	if ((logfd = open(text, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1)
		die("%s: %s", text, strerror(errno));
	fflush(stdout);
	t_start = mono();
	probe_pid = probe_start(sock, probe_out, t_start, limit);
	if ((skedd_pid = fork()) == -1)
		die("fork: %s", strerror(errno));
	if (skedd_pid == 0) {
		setenv("NOTIFY_SOCKET", path, 1);
		dup2(logfd, STDOUT_FILENO);
		dup2(logfd, STDERR_FILENO);
		execl(skedd, skedd, "-f", "-c", conf, (char *)NULL);
		_exit(127);
	}
	if ((ready = wait_ready(fd, t_start, limit, 0)) < 0) {
		kill(probe_pid, SIGKILL);
		die("no READY=1 within %.0f s", limit);
	}
	printf("%-26s %.2f s\n", "ready (exec to READY=1)", ready);
	fflush(stdout);
	if (source == SRC_API) {
		t = api_create(sock, 0, n, n, 0, rate, conns);
		printf("%-26s %.2f s, %.0f tasks/s (%d connections)\n",
		    "api create", t, (double)n / t, conns);
		fflush(stdout);
		if (burst > 0) {
			t0 = time(NULL) + (time_t)lead + (time_t)(1.5 *
			    (double)(total - n) * t / (double)(n ? n : 1));
			api_create(sock, n, total, n, t0, rate, conns);
		}
	}
	probe_report(probe_pid, probe_out, ready);
	if (burst > 0 && time(NULL) >= t0)
		die("ready after the burst began; give a longer --lead");
	sleep(1);
	rss = status_kib(skedd_pid, "VmRSS:");
	printf("%-26s %.1f MiB, %.0f bytes/task\n", "rss once ready",
	    (double)rss / 1024., (double)rss * 1024. / (double)total);
	fflush(stdout);

	if (burst > 0) {
		sleep_until_wall(t0);
		cpu0 = cpu_seconds(skedd_pid);
		sleep_until_wall(t0 + burst);
		cpu1 = cpu_seconds(skedd_pid);
		printf("%-26s %.2f s CPU in %d s (%.1f%% of one core)\n",
		    "burst", cpu1 - cpu0, burst, 100. * (cpu1 - cpu0) /
		    burst);
		fflush(stdout);
		/* every burst execution ended (a straggler may still run) */
		sdb = open_db(db);
		want = (long)burst * rate;
		for (done = 0; done < want && time(NULL) < t0 + burst + 60; ) {
			done = count_rows(sdb, "SELECT count(*) FROM executions"
			    " WHERE end_ms > 0 AND scheduled_at > 0");
			if (done < want)
				usleep(200000);
		}
		printf("%-26s %ld of %ld\n", "burst executions ended", done,
		    want);
		sqlite3_close(sdb);
	}
	if (idle > 0) {
		sleep(2);	/* let the last pruning batches go */
		cpu0 = cpu_seconds(skedd_pid);
		sleep((unsigned)idle);
		cpu1 = cpu_seconds(skedd_pid);
		printf("%-26s %.3f s CPU in %d s (%.3f%%)\n", "idle",
		    cpu1 - cpu0, idle, 100. * (cpu1 - cpu0) / idle);
	}
	hwm = status_kib(skedd_pid, "VmHWM:");
	printf("%-26s %.1f MiB\n", "peak rss (VmHWM)", (double)hwm / 1024.);
	fflush(stdout);

	if (source == SRC_FILES) {
		/* one task's time edited in the middle file of 100 */
		write_file(NFILES / 2, n, &now_utc, t0, burst, rate, 1);
		drain(fd);
		t = mono();
		kill(skedd_pid, SIGHUP);
		if ((t = wait_ready(fd, t, limit, 1)) < 0)
			printf("%-26s more than %.0f s\n",
			    "reload, 1 file of 100", limit);
		else
			printf("%-26s %.2f s\n", "reload, 1 file of 100 "
			    "changed", t);
		fflush(stdout);
	}
	one_task_ops(sock, 200);

	kill(skedd_pid, SIGTERM);
	if (waitpid(skedd_pid, &status, 0) != skedd_pid)
		die("waitpid: %s", strerror(errno));
	skedd_pid = 0;
	printf("%-26s %s %d\n", "skedd stopped", WIFEXITED(status) ?
	    "exit" : "signal", WIFEXITED(status) ? WEXITSTATUS(status) :
	    WTERMSIG(status));

	if (burst > 0) {
		sdb = open_db(db);
		lateness(sdb, "lateness: timer fired", "SELECT begin_ms - "
		    "scheduled_at * 1000 FROM executions WHERE "
		    "scheduled_at > 0");
		lateness(sdb, "lateness: hook started", "SELECT s.begin_ms - "
		    "e.scheduled_at * 1000 FROM subtasks s JOIN executions e "
		    "ON e.id = s.execution_id WHERE e.scheduled_at > 0 AND "
		    "s.begin_ms > 0");
		printf("%-26s %ld\n", "executions not SUCCESS", count_rows(sdb,
		    "SELECT count(*) FROM executions WHERE status <> "
		    "'SUCCESS'"));
		sqlite3_close(sdb);
	}
	if (!keep)
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return (0);
}
