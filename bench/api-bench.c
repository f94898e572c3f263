/*
 * api-bench: the control API under keep-alive load.
 *
 *	bench/api-bench [--skedd PATH] [-k CONNECTIONS] [-d SECONDS]
 *	    [-l LIMIT] [N]
 *
 * Puts N tasks (default 10000) of one project into a temp store, starts the
 * real `skedd -f` on it and, for each of two routes, runs K clients (default
 * 4, one process each) for D seconds (default 5), each on one keep-alive
 * HTTP/1.1 connection to the unix socket, one request at a time:
 *
 *   list	GET /v2/bench/scheduled-tasks?limit=LIMIT&offset=... (50)
 *   show	GET /v1/bench/schedule-task/ID (a random task)
 *
 * It prints requests per second and p50/p99 latency per route.  Nothing
 * here passes or fails (bench/README.md).
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/store.h"
#include "task.h"

static char	 dir[64];
static pid_t	 skedd_pid;
static int	 list_limit = 50;

static void	die(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
	va_list	ap;

	fputs("api-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (skedd_pid > 0)
		kill(skedd_pid, SIGKILL);
	exit(1);
}

static int64_t
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
}

static void
task_id(char *buf, size_t len, size_t i)
{
	snprintf(buf, len, "00000000-0000-4000-8000-%012zu", i);
}

static void
put_tasks(const char *db, size_t n)
{
	struct store	*st;
	struct task	 t;
	char		 id[64], name[40];
	size_t		 i;

	if (store_open(db, &st) != 0)
		die("%s", store_error(NULL));
	if (store_begin(st) != 0)
		die("%s", store_error(st));
	for (i = 0; i < n; i++) {
		memset(&t, 0, sizeof t);
		task_id(id, sizeof id, i);
		snprintf(name, sizeof name, "task-%zu", i);
		t.id = id;
		t.task_name = name;
		t.project_id = "bench";
		t.task_type = "EXECUTE_SCRIPT";
		t.is_enable = true;
		t.day_interval = 1;
		t.history_keep = 5;
		t.time_zone = "UTC";
		/* never due during a run: 03:00 on the 1st of January */
		t.scheduled_type = TASK_CRON;
		t.task_cron = "0 0 3 1 1 ?";
		if (store_task_put(st, &t, NULL) != 0)
			die("task %zu: %s", i, store_error(st));
	}
	if (store_commit(st) != 0)
		die("%s", store_error(st));
	store_close(st);
}

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

/* One request, its whole answer read; the status. */
static int
request(int fd, const char *path, char *buf, size_t len)
{
	char	 req[512], *end, *cl;
	size_t	 have = 0, want;
	ssize_t	 n;
	int	 status;

	n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: skedd\r\n\r\n",
	    path);
	if (write(fd, req, (size_t)n) != n)
		die("write: %s", strerror(errno));
	for (;;) {
		if (have + 1 >= len)
			die("answer larger than %zu bytes", len);
		if ((n = read(fd, buf + have, len - have - 1)) <= 0)
			die("read: %s", n == 0 ? "closed" : strerror(errno));
		have += (size_t)n;
		buf[have] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) != NULL)
			break;
	}
	if ((cl = strcasestr(buf, "\r\nContent-Length:")) == NULL || cl > end)
		die("answer without Content-Length");
	want = (size_t)(end + 4 - buf) + strtoul(cl + 17, NULL, 10);
	if (want >= len)
		die("answer larger than %zu bytes", len);
	while (have < want) {
		if ((n = read(fd, buf + have, want - have)) <= 0)
			die("read: %s", n == 0 ? "closed" : strerror(errno));
		have += (size_t)n;
	}
	status = atoi(buf + 9);
	return (status);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return ((x > y) - (x < y));
}

/* One client: requests for secs seconds; latencies (ns) to out. */
static void
client(const char *sock, int show, size_t ntasks, int secs, FILE *out,
    unsigned seed)
{
	static char	 buf[1 << 20];
	char		 path[256], id[64];
	int64_t		 t0 = now_ns(), t, end = t0 + (int64_t)secs * 1000000000;
	int		 fd, st;

	if ((fd = connect_to(sock)) < 0)
		die("%s: %s", sock, strerror(errno));
	srand(seed);
	while ((t = now_ns()) < end) {
		if (show) {
			task_id(id, sizeof id, (size_t)rand() % ntasks);
			snprintf(path, sizeof path,
			    "/v1/bench/schedule-task/%s", id);
		} else
			snprintf(path, sizeof path,
			    "/v2/bench/scheduled-tasks?limit=%d&offset=%d",
			    list_limit, rand() % 100 * 50);
		if ((st = request(fd, path, buf, sizeof buf)) != 200)
			die("%s: status %d", path, st);
		t = now_ns() - t;
		fwrite(&t, sizeof t, 1, out);
	}
	close(fd);
}

static void
run(const char *name, const char *sock, int show, size_t ntasks, int k,
    int secs)
{
	char		 path[128];
	int64_t		*lat = NULL;
	size_t		 n = 0, cap = 0;
	pid_t		 pid;
	FILE		*f;
	int		 i, status;

	for (i = 0; i < k; i++) {
		snprintf(path, sizeof path, "%s/%s.%d", dir, name, i);
		if ((pid = fork()) < 0)
			die("fork: %s", strerror(errno));
		if (pid == 0) {
			skedd_pid = 0;
			if ((f = fopen(path, "w")) == NULL)
				die("%s: %s", path, strerror(errno));
			client(sock, show, ntasks, secs, f, (unsigned)i + 1);
			fclose(f);
			_exit(0);
		}
	}
	for (i = 0; i < k; i++)
		if (wait(&status) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			die("a %s client failed", name);
	for (i = 0; i < k; i++) {
		int64_t	v;

		snprintf(path, sizeof path, "%s/%s.%d", dir, name, i);
		if ((f = fopen(path, "r")) == NULL)
			die("%s: %s", path, strerror(errno));
		while (fread(&v, sizeof v, 1, f) == 1) {
			if (n == cap) {
				cap = cap ? cap * 2 : 65536;
				if ((lat = realloc(lat, cap * sizeof *lat)) ==
				    NULL)
					die("out of memory");
			}
			lat[n++] = v;
		}
		fclose(f);
		unlink(path);
	}
	if (n == 0)
		die("%s: no request completed", name);
	qsort(lat, n, sizeof *lat, cmp_i64);
	printf("%-5s %d conn x %d s: %8.0f req/s  p50 %6.1f us  p99 %7.1f us"
	    "  (%zu requests)\n", name, k, secs, (double)n / secs,
	    (double)lat[n / 2] / 1e3, (double)lat[n * 99 / 100] / 1e3, n);
	free(lat);
}

int
main(int argc, char **argv)
{
	const char	*skedd = "./skedd";
	char		 conf[128], db[128], sock[128], cmd[512];
	size_t		 ntasks = 10000;
	int		 k = 4, secs = 5, ch, i, fd;
	FILE		*f;
	static const struct option	opts[] = {
		{ "skedd", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};

	while ((ch = getopt_long(argc, argv, "k:d:l:", opts, NULL)) != -1)
		switch (ch) {
		case 's':
			skedd = optarg;
			break;
		case 'k':
			k = atoi(optarg);
			break;
		case 'd':
			secs = atoi(optarg);
			break;
		case 'l':
			list_limit = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: api-bench [--skedd PATH] "
			    "[-k CONNECTIONS] [-d SECONDS] [-l LIMIT] [N]\n");
			return (2);
		}
	if (optind < argc)
		ntasks = strtoul(argv[optind], NULL, 10);
	if (ntasks == 0 || k < 1 || secs < 1)
		die("N, -k and -d must be positive");
	snprintf(dir, sizeof dir, "/tmp/api-bench.XXXXXX");
	if (mkdtemp(dir) == NULL)
		die("mkdtemp: %s", strerror(errno));
	snprintf(db, sizeof db, "%s/sked.db", dir);
	snprintf(sock, sizeof sock, "%s/skedd.sock", dir);
	snprintf(conf, sizeof conf, "%s/sked.yaml", dir);
	put_tasks(db, ntasks);
	snprintf(cmd, sizeof cmd, "%s/tasks.d", dir);
	mkdir(cmd, 0755);
	if ((f = fopen(conf, "w")) == NULL)
		die("%s: %s", conf, strerror(errno));
	fprintf(f, "socket: %s\ndatabase: %s\ntasks_dir: tasks.d\n"
	    "hooks_dir: tasks.d\nplugin_dir: tasks.d\ntime_zone: UTC\n",
	    sock, db);
	fclose(f);
	if ((skedd_pid = fork()) == 0) {
		snprintf(cmd, sizeof cmd, "%s/skedd.log", dir);
		if (freopen(cmd, "w", stderr) == NULL)
			_exit(127);
		execl(skedd, skedd, "-f", "-c", conf, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 300; i++) {
		if ((fd = connect_to(sock)) >= 0) {
			close(fd);
			break;
		}
		usleep(100000);
	}
	if (i == 300)
		die("skedd did not answer on %s; see %s/skedd.log", sock, dir);
	printf("%zu tasks in project bench\n", ntasks);
	run("list", sock, 0, ntasks, k, secs);
	run("show", sock, 1, ntasks, k, secs);
	kill(skedd_pid, SIGTERM);
	waitpid(skedd_pid, NULL, 0);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "api-bench: could not remove %s\n", dir);
	return (0);
}
