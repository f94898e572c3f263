/*
 * The control API under fuzzing: a request through libmicrohttpd, the
 * route table and the handlers of a whole skedd (fuzz-daemon.c) with a
 * temp config, store, tasks_dir and hooks_dir, on a temp unix socket.
 * Child processes are never started (fuzz-proc.c).
 *
 * Input framing (text, one request):
 *
 *	METHOD\n
 *	PATH?QUERY\n
 *	Header: value\n	(any number, up to an empty line)
 *	\n
 *	body		(the rest, raw bytes)
 *
 * CR and control characters are dropped from the first two lines and the
 * headers (lines without ':' are skipped) so that the request is always
 * well-formed HTTP/1.1; Content-Length and Connection: close are added.
 * In the path and the body, @ID, @ID2 and @OM stand for the ids of the
 * API tasks set up at start (two in the seed shape, one in the O&M
 * shape), @FILE and @LIFE for the file tasks (CRON and LIFE_CYCLE).
 *
 * Oracles (abort with a message):
 *  1. every 4xx/5xx answer (but to HEAD) has a JSON object body with
 *     string error_code and error_msg;
 *  2. a request answered 4xx changes nothing: the same task ids before
 *     and after;
 *  3. after a 200 PATCH, a GET of the task (in the project the answer
 *     names) is a 200 with the same JSON object (next_execution_time and
 *     last_status may differ only when the clock's second moved);
 *  4. no request takes longer than REQUEST_MAX_SECS.
 * State stays bounded: tasks a request created are deleted through the
 * API afterwards, and the daemon is set up again from nothing when a
 * set-up task is gone, some task cannot be deleted, or every
 * RESTART_EVERY inputs.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "proto.h"
#include "daemon/skedd.h"
#include "fuzz-daemon.h"

#define INPUT_MAX		16384
#define REQUEST_MAX_SECS	5.0
#define RESTART_EVERY		20000

#ifdef DTASK_ID_INLINE
#define DT_ID(dt)	dtask_id(dt)
#else
#define DT_ID(dt)	((dt)->t.id)
#endif

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***);

static struct daemon	 D;
static char		 dir[] = "/tmp/sked-fuzz-api.XXXXXX";
static char		 conf_path[64], sock_path[64], db_path[64];
static unsigned long	 inputs;

/* The set-up tasks, referred to as @ID, @ID2, @OM, @FILE, @LIFE. */
enum { T_ID, T_ID2, T_OM, T_FILE, T_LIFE, NFIXED };
static const char *const fixed_names[NFIXED] = { "@ID2", "@ID", "@OM",
    "@FILE", "@LIFE" };
static char		 fixed[NFIXED][64];

/* The ids of the running set, sorted. */
struct idset {
	char	**v;
	size_t	  n;
};
static struct idset	 baseline;

struct buf {
	char	*s;
	size_t	 len, cap;
};

static void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		if ((b->s = realloc(b->s, b->cap)) == NULL)
			abort();
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE	*fp;

	if ((fp = fopen(path, "w")) == NULL || fputs(text, fp) == EOF ||
	    fclose(fp) != 0 || chmod(path, mode) != 0) {
		perror(path);
		abort();
	}
}

static double
mono(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + ts.tv_nsec / 1e9);
}

/*
 * The wall clock, precise: time() reads the coarse clock, a few ms behind
 * the one libev fires timers by.
 */
static double
wall(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((double)ts.tv_sec + ts.tv_nsec / 1e9);
}

static void
spin(int n)
{
	while (n-- > 0)
		ev_run(D.loop, EVRUN_NOWAIT);
}

struct reply {
	int	 status;
	char	*body;		/* NUL-terminated */
	size_t	 len;
};

/*
 * Send one raw request and run the loop until skedd has answered and
 * closed the connection.  The reply's status and body are parsed.
 */
static void
http(const char *req, size_t len, struct reply *r)
{
	struct sockaddr_un	 sun;
	struct buf		 in = { NULL, 0, 0 };
	char			 tmp[8192], *hdr_end, *p;
	size_t			 sent = 0;
	ssize_t			 n;
	double			 t0 = mono();
	int			 fd, eof = 0;

	memset(r, 0, sizeof *r);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0)) < 0)
		abort();
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	strncpy(sun.sun_path, sock_path, sizeof sun.sun_path - 1);
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
		perror("fuzz: connect");
		abort();
	}
	while (!eof) {
		if (sent < len) {
			n = send(fd, req + sent, len - sent, MSG_NOSIGNAL);
			if (n > 0)
				sent += (size_t)n;
			else if (n < 0 && errno != EAGAIN)
				sent = len;	/* closed early: read why */
		}
		ev_run(D.loop, EVRUN_NOWAIT);
		for (;;) {
			n = recv(fd, tmp, sizeof tmp, 0);
			if (n > 0)
				buf_add(&in, tmp, (size_t)n);
			else {
				if (n == 0 || (errno != EAGAIN &&
				    errno != EINTR))
					eof = 1;
				break;
			}
		}
		if (mono() - t0 > REQUEST_MAX_SECS) {
			fprintf(stderr, "fuzz: no complete answer after %.0f "
			    "s to:\n%.*s\n", REQUEST_MAX_SECS, (int)len, req);
			abort();
		}
	}
	close(fd);
	buf_add(&in, "", 0);
	if (in.len < 12 || strncmp(in.s, "HTTP/1.", 7) != 0) {
		fprintf(stderr, "fuzz: not an HTTP answer (%zu bytes) to:\n"
		    "%.*s\n", in.len, (int)len, req);
		abort();
	}
	r->status = atoi(in.s + 9);
	if ((hdr_end = strstr(in.s, "\r\n\r\n")) == NULL) {
		fprintf(stderr, "fuzz: an answer without its header end\n");
		abort();
	}
	*hdr_end = '\0';
	p = hdr_end + 4;
	r->len = in.len - (size_t)(p - in.s);
	if ((r->body = malloc(r->len + 1)) == NULL)
		abort();
	memcpy(r->body, p, r->len);
	r->body[r->len] = '\0';
	if (strcasestr(in.s, "\r\ntransfer-encoding: chunked") != NULL) {
		/* dechunk in place */
		char	*src = r->body, *dst = r->body, *end;
		size_t	 k;

		for (;;) {
			k = strtoul(src, &end, 16);
			if (end == src || (end = strstr(end, "\r\n")) == NULL)
				break;
			src = end + 2;
			if (k == 0 || k > r->len - (size_t)(src - r->body))
				break;
			memmove(dst, src, k);
			dst += k;
			src += k + 2;
		}
		*dst = '\0';
		r->len = (size_t)(dst - r->body);
	}
	free(in.s);
}

/* A simple request built here (no fuzzed bytes). */
static void
request(const char *method, const char *path, const char *body,
    struct reply *r)
{
	struct buf	b = { NULL, 0, 0 };
	char		cl[64];

	buf_str(&b, method);
	buf_str(&b, " ");
	buf_str(&b, path);
	buf_str(&b, " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
	if (body != NULL) {
		snprintf(cl, sizeof cl, "Content-Type: application/json\r\n"
		    "Content-Length: %zu\r\n", strlen(body));
		buf_str(&b, cl);
	}
	buf_str(&b, "\r\n");
	if (body != NULL)
		buf_str(&b, body);
	http(b.s, b.len, r);
	free(b.s);
}

static int
cmp_str(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

static void
idset_free(struct idset *s)
{
	size_t	i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static void
snapshot(struct idset *s)
{
	struct dtask	*dt;
	size_t		 i, cap = 16;

	s->n = 0;
	if ((s->v = malloc(cap * sizeof *s->v)) == NULL)
		abort();
	for (i = 0; i < D.tasks.nbuckets; i++)
		for (dt = D.tasks.buckets[i]; dt != NULL; dt = dt->hnext) {
			if (s->n == cap && (s->v = realloc(s->v,
			    (cap *= 2) * sizeof *s->v)) == NULL)
				abort();
			if ((s->v[s->n++] = strdup(DT_ID(dt))) == NULL)
				abort();
		}
	if (s->n != D.tasks.count) {
		fprintf(stderr, "fuzz: %zu tasks in the id hash, count %zu\n",
		    s->n, D.tasks.count);
		abort();
	}
	qsort(s->v, s->n, sizeof *s->v, cmp_str);
}

static int
idset_equal(const struct idset *a, const struct idset *b)
{
	size_t	i;

	if (a->n != b->n)
		return (0);
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return (0);
	return (1);
}

static int
idset_has(const struct idset *s, const char *id)
{
	return (bsearch(&id, s->v, s->n, sizeof *s->v, cmp_str) != NULL);
}

static json_t *
reply_json(const struct reply *r)
{
	return (json_loadb(r->body, r->len, JSON_DISABLE_EOF_CHECK |
	    JSON_ALLOW_NUL, NULL));
}

/* An API create that must work: the id of the task it made. */
static void
create(const char *path, const char *body, char *id)
{
	struct reply	 r;
	json_t		*j;
	const char	*s;

	request("POST", path, body, &r);
	if (r.status != 200 || (j = reply_json(&r)) == NULL ||
	    (s = json_string_value(json_object_get(j, "id"))) == NULL) {
		fprintf(stderr, "fuzz: set-up create %s: %d %s\n", path,
		    r.status, r.body);
		abort();
	}
	snprintf(id, 64, "%s", s);
	json_decref(j);
	free(r.body);
}

/* The id of the file task named name. */
static void
file_task(const char *name, char *id)
{
	struct dtask	*dt;

	if ((dt = tasks_find_name(&D, "default", name)) == NULL) {
		fprintf(stderr, "fuzz: file task %s not loaded\n", name);
		abort();
	}
	snprintf(id, 64, "%s", DT_ID(dt));
}

static void
setup(void)
{
	char	path[128];

	/* a fresh store each time */
	(void)unlink(db_path);
	snprintf(path, sizeof path, "%s-wal", db_path);
	(void)unlink(path);
	snprintf(path, sizeof path, "%s-shm", db_path);
	(void)unlink(path);
	memset(&D, 0, sizeof D);
	if (fuzz_daemon_start(&D, conf_path) != 0) {
		fprintf(stderr, "fuzz: skedd does not start\n");
		abort();
	}
	create("/v1/default/schedule-task", "{\"task_name\": \"api-day\", "
	    "\"task_type\": \"EXECUTE_SCRIPT\", \"scheduled_type\": \"DAY\", "
	    "\"scheduled_time\": \"09:00:00\", \"time_zone\": "
	    "\"Asia/Shanghai\", \"description\": \"first\", \"input_param\": "
	    "{\"command\": \"true\"}, \"target_infos\": [{\"target_type\": "
	    "\"HOST\", \"target_id\": [\"a\", \"b\"]}]}", fixed[T_ID]);
	create("/v1/default/schedule-task", "{\"task_name\": \"api-cron\", "
	    "\"task_type\": \"STOP\", \"scheduled_type\": \"CRON\", "
	    "\"task_cron\": \"0 0 3 ? * MON-FRI\", \"enable_approve\": true, "
	    "\"target_infos\": [{\"target_type\": \"VM\", \"target_id\": "
	    "[\"vm-1\"]}]}", fixed[T_ID2]);
	create("/v1/schedule/task", "{\"name\": \"om-periodic\", "
	    "\"task_type\": \"REBOOT\", \"project_id\": \"default\", "
	    "\"trigger_time\": {\"policy\": \"PERIODIC\", \"period\": \"1,3\", "
	    "\"periodic_scheduled_time\": \"17:30:00\", \"time_zone\": "
	    "\"Europe/Berlin\"}, \"target_infos\": [{\"target_type\": \"VM\", "
	    "\"target_id\": [\"vm-2\"]}]}", fixed[T_OM]);
	file_task("file-cron", fixed[T_FILE]);
	file_task("file-life", fixed[T_LIFE]);
	idset_free(&baseline);
	snapshot(&baseline);
}

static void
restart(void)
{
	spin(4);
	fuzz_daemon_stop(&D);
	setup();
}

static void
cleanup(void)
{
	char	path[128];

	fuzz_daemon_stop(&D);
	idset_free(&baseline);
	(void)unlink(db_path);
	snprintf(path, sizeof path, "%s-wal", db_path);
	(void)unlink(path);
	snprintf(path, sizeof path, "%s-shm", db_path);
	(void)unlink(path);
	(void)unlink(sock_path);
	snprintf(path, sizeof path, "%s/tasks.d/files.yaml", dir);
	(void)unlink(path);
	snprintf(path, sizeof path, "%s/tasks.d", dir);
	(void)rmdir(path);
	snprintf(path, sizeof path, "%s/hooks.d/VM", dir);
	(void)unlink(path);
	snprintf(path, sizeof path, "%s/hooks.d/HOST", dir);
	(void)unlink(path);
	snprintf(path, sizeof path, "%s/hooks.d", dir);
	(void)rmdir(path);
	snprintf(path, sizeof path, "%s/plugins", dir);
	(void)rmdir(path);
	(void)unlink(conf_path);
	(void)rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	path[128], text[1024];

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(conf_path, sizeof conf_path, "%s/sked.yaml", dir);
	snprintf(sock_path, sizeof sock_path, "%s/skedd.sock", dir);
	snprintf(db_path, sizeof db_path, "%s/sked.db", dir);
	snprintf(text, sizeof text, "socket: %s\ndatabase: %s\n"
	    "tasks_dir: tasks.d\nhooks_dir: hooks.d\nplugin_dir: plugins\n"
	    "time_zone: UTC\nhistory_keep: 5\nkill_grace: 1\n"
	    "shutdown_timeout: 1\nsocket_group: root\n", sock_path, db_path);
	write_file(conf_path, text, 0600);
	snprintf(path, sizeof path, "%s/tasks.d", dir);
	if (mkdir(path, 0700) != 0)
		abort();
	snprintf(path, sizeof path, "%s/tasks.d/files.yaml", dir);
	write_file(path, "- task_name: file-cron\n"
	    "  task_type: EXECUTE_SCRIPT\n  scheduled_type: CRON\n"
	    "  task_cron: '0 0 3 * * ?'\n  input_param: { command: 'true' }\n"
	    "- task_name: file-life\n  task_type: START\n"
	    "  scheduled_type: LIFE_CYCLE\n"
	    "  life_cycle_type: POST_CREATE_DESKTOP_SUCCESS\n"
	    "  target_infos:\n    - target_type: VM\n"
	    "      target_id: [ vm-1 ]\n", 0600);
	snprintf(path, sizeof path, "%s/hooks.d", dir);
	if (mkdir(path, 0700) != 0)
		abort();
	snprintf(path, sizeof path, "%s/hooks.d/VM", dir);
	write_file(path, "#!/bin/sh\nexit 0\n", 0700);
	snprintf(path, sizeof path, "%s/hooks.d/HOST", dir);
	write_file(path, "#!/bin/sh\nexit 0\n", 0700);
	snprintf(path, sizeof path, "%s/plugins", dir);
	if (mkdir(path, 0700) != 0)
		abort();
	setup();
	atexit(cleanup);
	return (0);
}

/* Copy a line without CR and control characters (and, if sp, spaces). */
static void
clean_line(struct buf *b, const char *s, size_t n, int sp)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] > (sp ? ' ' : 0x1f) && s[i] != 0x7f)
			buf_add(b, s + i, 1);
}

/* Copy text with @ID and the others replaced by the set-up ids. */
static void
subst(struct buf *b, const char *s, size_t n, int sp)
{
	size_t	i, k, l;

	for (i = 0; i < n;) {
		for (k = 0; k < NFIXED; k++) {
			l = strlen(fixed_names[k]);
			if (n - i >= l && memcmp(s + i, fixed_names[k], l) == 0)
				break;
		}
		if (k < NFIXED) {
			buf_str(b, fixed[k == 0 ? T_ID2 : k == 1 ? T_ID : k]);
			i += l;
		} else if (sp < 0)
			buf_add(b, s + i++, 1);
		else
			clean_line(b, s + i++, 1, sp);
	}
}

/*
 * A header line the harness passes on: NAME: value with NAME a token, and
 * not one of those that frame the request, which the harness sets (a
 * fuzzed Transfer-Encoding or Connection would leave the exchange open).
 */
static int
header_ok(const char *s, size_t len)
{
	static const char *const framing[] = { "content-length",
	    "transfer-encoding", "connection", "host", "upgrade", "expect",
	    "te", "trailer" };
	const char	*colon = memchr(s, ':', len);
	size_t		 i, n;

	if (colon == NULL || colon == s)
		return (0);
	n = (size_t)(colon - s);
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] != '\0' && strchr("!#$%&'*+-.^_`|~", s[i]) != NULL)))
			return (0);
	for (i = 0; i < sizeof framing / sizeof framing[0]; i++)
		if (strlen(framing[i]) == n &&
		    strncasecmp(s, framing[i], n) == 0)
			return (0);
	return (1);
}

static const char *
next_line(const char **p, const char *end, size_t *len)
{
	const char	*s = *p, *nl;

	if (s >= end)
		return (NULL);
	nl = memchr(s, '\n', (size_t)(end - s));
	*len = (size_t)((nl != NULL ? nl : end) - s);
	*p = nl != NULL ? nl + 1 : end;
	return (s);
}

static void
check_error_body(const char *what, const struct reply *r)
{
	json_t	*j;

	if ((j = reply_json(r)) == NULL || !json_is_object(j) ||
	    !json_is_string(json_object_get(j, "error_code")) ||
	    !json_is_string(json_object_get(j, "error_msg"))) {
		fprintf(stderr, "fuzz: oracle 1: a %d answer without a JSON "
		    "error_code and error_msg: '%s'\nrequest:\n%s\n",
		    r->status, r->body, what);
		abort();
	}
	json_decref(j);
}

/* Oracle 3: the task a 200 PATCH answered with is the one GET shows. */
static void
check_patch(const char *what, const char *path, const struct reply *r,
    double t0)
{
	char		 params[PARAM_COUNT][PROTO_PARAM_MAX], allow[64];
	char		 qpath[512], *sl;
	const char	*pp[PARAM_COUNT] = { NULL };
	const char	*id, *proj;
	enum route	 route;
	struct reply	 g;
	json_t		*p, *q;

	if ((sl = strchr(path, '?')) != NULL)
		*sl = '\0';
	if (proto_match("PATCH", path, &route, params, allow,
	    sizeof allow) != 0 || route != ROUTE_TASK_MODIFY)
		return;
	if ((p = reply_json(r)) == NULL || !json_is_object(p)) {
		fprintf(stderr, "fuzz: oracle 3: a 200 PATCH without a JSON "
		    "object: '%s'\nrequest:\n%s\n", r->body, what);
		abort();
	}
	id = json_string_value(json_object_get(p, "id"));
	proj = json_string_value(json_object_get(p, "project_id"));
	pp[PARAM_PROJECT_ID] = proj != NULL ? proj : params[PARAM_PROJECT_ID];
	pp[PARAM_TASK_ID] = id != NULL ? id : params[PARAM_TASK_ID];
	if (proto_path(qpath, sizeof qpath, ROUTE_TASK_SHOW, pp) != 0) {
		json_decref(p);
		return;
	}
	if (tasks_find(&D, pp[PARAM_TASK_ID]) == NULL) {
		fprintf(stderr, "fuzz: oracle 3: task %s is gone after a 200 "
		    "PATCH\nrequest:\n%s\n", pp[PARAM_TASK_ID], what);
		abort();
	}
	request("GET", qpath, NULL, &g);
	if (g.status != 200 || (q = reply_json(&g)) == NULL) {
		fprintf(stderr, "fuzz: oracle 3: GET %s after a 200 PATCH: "
		    "%d %s\nrequest:\n%s\n", qpath, g.status, g.body, what);
		abort();
	}
	if ((int64_t)(t0 - 0.05) != (int64_t)(wall() + 0.05)) {
		/* a fire may have come between the two */
		json_object_del(p, "next_execution_time");
		json_object_del(q, "next_execution_time");
		json_object_del(p, "last_status");
		json_object_del(q, "last_status");
	}
	if (!json_equal(p, q)) {
		fprintf(stderr, "fuzz: oracle 3: GET %s differs from the "
		    "PATCH answer:\n%s\n%s\nrequest:\n%s\n", qpath, r->body,
		    g.body, what);
		abort();
	}
	json_decref(p);
	json_decref(q);
	free(g.body);
}

/*
 * Delete the tasks a request created; set everything up again when a
 * set-up task is gone or a task will not go.
 */
static void
settle(void)
{
	struct idset	 now;
	struct dtask	*dt;
	struct reply	 r;
	const char	*pp[PARAM_COUNT] = { NULL };
	char		 path[512];
	size_t		 i;
	int		 again = 0;

	spin(4);
	snapshot(&now);
	for (i = 0; i < baseline.n; i++)
		if (!idset_has(&now, baseline.v[i]))
			again = 1;
	for (i = 0; i < now.n && !again; i++) {
		if (idset_has(&baseline, now.v[i]))
			continue;
		if ((dt = tasks_find(&D, now.v[i])) == NULL)
			abort();
		pp[PARAM_PROJECT_ID] = dt->proj->name;
		pp[PARAM_TASK_ID] = now.v[i];
		if (proto_path(path, sizeof path, ROUTE_TASK_DELETE, pp) != 0) {
			again = 1;
			break;
		}
		request("DELETE", path, NULL, &r);
		if (r.status != 204)
			again = 1;
		free(r.body);
	}
	idset_free(&now);
	if (again || ++inputs % RESTART_EVERY == 0)
		restart();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*p = (const char *)data, *end = p + size, *line;
	struct buf	 method = { NULL, 0, 0 }, path = { NULL, 0, 0 };
	struct buf	 req = { NULL, 0, 0 }, body = { NULL, 0, 0 };
	struct idset	 before, after;
	struct reply	 r;
	char		 cl[64];
	size_t		 len;
	double		 t0;

	if (size > INPUT_MAX)
		return (0);
	if ((line = next_line(&p, end, &len)) == NULL)
		return (0);
	clean_line(&method, line, len, 1);
	if ((line = next_line(&p, end, &len)) == NULL) {
		free(method.s);
		return (0);
	}
	subst(&path, line, len, 1);
	if (method.len == 0 || path.len == 0 || path.s[0] != '/') {
		free(method.s);
		free(path.s);
		return (0);
	}
	buf_str(&req, method.s);
	buf_str(&req, " ");
	buf_str(&req, path.s);
	buf_str(&req, " HTTP/1.1\r\nHost: localhost\r\n");
	while ((line = next_line(&p, end, &len)) != NULL && len > 0) {
		if (!header_ok(line, len))
			continue;
		clean_line(&req, line, len, 0);
		buf_str(&req, "\r\n");
	}
	subst(&body, p, (size_t)(end - p), -1);
	snprintf(cl, sizeof cl, "Content-Length: %zu\r\n", body.len);
	buf_str(&req, cl);
	buf_str(&req, "Connection: close\r\n\r\n");
	if (body.len > 0)
		buf_add(&req, body.s, body.len);

	snapshot(&before);
	t0 = wall();
	http(req.s, req.len, &r);
	if (getenv("FUZZ_API_VERBOSE") != NULL)
		fprintf(stderr, "fuzz: %s %s: %d %s\n", method.s, path.s,
		    r.status, r.body);
	if (r.status >= 400 && strcmp(method.s, "HEAD") != 0)
		check_error_body(req.s, &r);
	if (r.status >= 400 && r.status < 500) {
		spin(2);
		snapshot(&after);
		if (!idset_equal(&before, &after)) {
			fprintf(stderr, "fuzz: oracle 2: a %d answer changed "
			    "the tasks (%zu before, %zu after): %s\n"
			    "request:\n%s\n", r.status, before.n, after.n,
			    r.body, req.s);
			abort();
		}
		idset_free(&after);
	}
	if (r.status == 200 && strcmp(method.s, "PATCH") == 0)
		check_patch(req.s, path.s, &r, t0);
	idset_free(&before);
	free(r.body);
	free(req.s);
	free(body.s);
	free(method.s);
	free(path.s);
	settle();
	return (0);
}
