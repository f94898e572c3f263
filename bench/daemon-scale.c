/*
 * daemon-scale: skedd at N tasks.
 *
 *	bench/daemon-scale [--skedd PATH] [--idle S] [--burst S] [--rate R]
 *	    [--lead S] [--keep] N
 *
 * Puts N tasks of mixed kinds (CRON, DAY, WEEK, MONTH, FIXED_TIME, in three
 * zones; none due within the next hours) into a temp store, plus a burst:
 * R one-off tasks due at each second of S seconds, starting --lead seconds
 * after the store is written, each with one target whose hook is a no-op
 * (/bin/true).  Then it starts the real `skedd -f` on that store with
 * NOTIFY_SOCKET set and reports:
 *
 *   ready	time from exec to READY=1
 *   rss	VmRSS once ready, in total and per task
 *   burst	CPU the daemon used while the burst fired
 *   idle	CPU used over --idle seconds with nothing due
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
 * of the week or month) away from now, so that none fires during the run.
 */
static void
background_task(struct task *t, size_t i, const struct tm *now_utc)
{
	static const char *const zones[] = { "UTC", "Europe/Berlin",
					    "America/New_York" };
	static char		 cron[64];
	int			 hour = (now_utc->tm_hour + 8 + (int)(i % 8)) % 24;
	int			 wday = (now_utc->tm_wday + 3) % 7;
	int			 mday = (now_utc->tm_mday + 10) % 28 + 1;

	t->time_zone = (char *)zones[i % 3];
	t->hour = hour;
	t->min = (int)(i / 8 % 60);
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

static void
put_tasks(const char *db, size_t n, time_t t0, int burst, int rate)
{
	struct store		*st;
	struct task		 t;
	struct task_target	 target;
	struct tm		 now_utc, at;
	char			 id[64], name[40], tid[32], *ids[1] = { tid };
	time_t			 now = time(NULL);
	size_t			 i, total = n + (size_t)burst * (size_t)rate;

	gmtime_r(&now, &now_utc);
	if (store_open(db, &st) != 0)
		die("%s", store_error(NULL));
	if (store_begin(st) != 0)
		die("%s", store_error(st));
	for (i = 0; i < total; i++) {
		memset(&t, 0, sizeof t);
		snprintf(id, sizeof id, "00000000-0000-4000-8000-%012zu", i);
		snprintf(name, sizeof name, "%s-%zu", i < n ? "bg" : "burst",
		    i);
		snprintf(tid, sizeof tid, "t-%zu", i % 1000);
		t.id = id;
		t.task_name = name;
		t.project_id = "bench";
		t.task_type = "START";
		t.is_enable = true;
		t.day_interval = 1;
		target.target_type = "NOOP";
		target.target_ids = ids;
		target.ntarget_ids = 1;
		t.targets = &target;
		t.ntargets = 1;
		t.history_keep = 5;
		if (i < n)
			background_task(&t, i, &now_utc);
		else {
			time_t	when = t0 + (time_t)((i - n) / (size_t)rate);

			gmtime_r(&when, &at);
			t.scheduled_type = TASK_FIXED_TIME;
			t.time_zone = "UTC";
			t.has_date = t.has_time = true;
			t.year = at.tm_year + 1900;
			t.mon = at.tm_mon + 1;
			t.day = at.tm_mday;
			t.hour = at.tm_hour;
			t.min = at.tm_min;
			t.sec = at.tm_sec;
		}
		if (store_task_put(st, &t, NULL) != 0)
			die("task %zu: %s", i, store_error(st));
	}
	if (store_commit(st) != 0)
		die("%s", store_error(st));
	store_close(st);
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

/* Seconds until a datagram containing READY=1, or -1. */
static double
wait_ready(int fd, double t0, double limit)
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
		if (strstr(buf, "READY=1") != NULL)
			return (mono() - t0);
	}
	return (-1);
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
	fprintf(stderr, "usage: daemon-scale [--skedd PATH] [--idle S] "
	    "[--burst S] [--rate R] [--lead S] [--keep] N\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "skedd", required_argument, NULL, 's' },
		{ "idle", required_argument, NULL, 'i' },
		{ "burst", required_argument, NULL, 'b' },
		{ "rate", required_argument, NULL, 'r' },
		{ "lead", required_argument, NULL, 'l' },
		{ "keep", no_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*skedd = getenv("SKEDD") ? getenv("SKEDD") : "./skedd";
	char		 path[PATH_MAX + 64], conf[PATH_MAX + 64],
			 db[PATH_MAX + 64], text[4 * PATH_MAX];
	int		 idle = 60, burst = 30, rate = 1000, keep = 0, ch, fd,
			 status, logfd;
	double		 lead = -1, t_start, ready, cpu0, cpu1, put_s;
	long		 rss, hwm, want, done;
	size_t		 n, total;
	time_t		 t0;
	sqlite3		*sdb;
	char		*end;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		switch (ch) {
		case 's': skedd = optarg; break;
		case 'i': idle = atoi(optarg); break;
		case 'b': burst = atoi(optarg); break;
		case 'r': rate = atoi(optarg); break;
		case 'l': lead = atof(optarg); break;
		case 'k': keep = 1; break;
		default: usage();
		}
	if (optind + 1 != argc)
		usage();
	errno = 0;
	n = strtoul(argv[optind], &end, 10);
	if (errno != 0 || *end != '\0' || idle < 0 || burst < 0 || rate < 1)
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
	snprintf(conf, sizeof conf, "%s/sked.yaml", dir);
	snprintf(text, sizeof text, "socket: %s/skedd.sock\n"
	    "database: %s\ntasks_dir: %s/tasks.d\nhooks_dir: %s/hooks.d\n"
	    "plugin_dir: %s/plugins\ntime_zone: UTC\n", dir, db, dir, dir,
	    dir);
	write_text(conf, text);

	printf("daemon-scale: %zu tasks + burst %d/s x %d s = %zu tasks in "
	    "%s\n", n, rate, burst, total, dir);
	fflush(stdout);
	put_s = mono();
	t0 = time(NULL) + (time_t)lead + (time_t)((double)total / 150000.);
	put_tasks(db, n, t0, burst, rate);
	put_s = mono() - put_s;
	printf("%-26s %.2f s\n", "store written", put_s);

	snprintf(path, sizeof path, "%s/notify.sock", dir);
	fd = notify_socket(path);
	snprintf(text, sizeof text, "%s/skedd.log", dir);
	if ((logfd = open(text, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1)
		die("%s: %s", text, strerror(errno));
	fflush(stdout);
	t_start = mono();
	if ((skedd_pid = fork()) == -1)
		die("fork: %s", strerror(errno));
	if (skedd_pid == 0) {
		setenv("NOTIFY_SOCKET", path, 1);
		dup2(logfd, STDOUT_FILENO);
		dup2(logfd, STDERR_FILENO);
		execl(skedd, skedd, "-f", "-c", conf, (char *)NULL);
		_exit(127);
	}
	if ((ready = wait_ready(fd, t_start, 600.)) < 0)
		die("no READY=1 within 600 s");
	printf("%-26s %.2f s\n", "ready (exec to READY=1)", ready);
	if (time(NULL) >= t0)
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
