/*
 * An example skedd plugin, and the model for writing one.  It serves the
 * NOTIFY action on FILE targets: it appends "<action> <task_name>
 * <execution_id>" to the file the target_id names.
 *
 * It is built like a plugin from outside the tree, with only the installed
 * header and libev:
 *
 *	cc -shared -fPIC -o sked-example.so sked-example.c -lev
 *
 * start() only arms a zero-delay timer; the work and complete() happen
 * from the loop, as any plugin whose work takes time must do it.  (One
 * small append to a local file is quick enough to do in the callback; a
 * plugin that talks to the network would use ev_io watchers instead.)
 */
#include <sys/queue.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include <sked/plugin.h>

struct ex_state {
	const struct sked_host	*host;
	LIST_HEAD(, ex_run)	 runs;
};

struct ex_run {
	ev_timer		 tick;	/* first: the watcher is the run */
	LIST_ENTRY(ex_run)	 entry;
	struct ex_state		*st;
	struct sked_job		*job;
};

static const char *const ex_actions[] = { "NOTIFY", NULL };
static const char *const ex_target_types[] = { "FILE", NULL };

static void
ex_complete(struct ex_run *run, enum sked_status status, const char *reason)
{
	const struct sked_host	*host = run->st->host;
	struct sked_job		*job = run->job;
	struct sked_result	 res;

	ev_timer_stop(host->loop, &run->tick);
	LIST_REMOVE(run, entry);
	free(run);
	job->plugin_data = NULL;
	memset(&res, 0, sizeof res);
	res.status = status;
	res.exit_code = -1;
	res.reason = reason;
	host->complete(job, &res);
}

static void
ex_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ex_run	*run = (struct ex_run *)w;
	struct sked_job	*job = run->job;
	char		 line[1024], why[1100];
	ssize_t		 n;
	int		 fd, len;

	len = snprintf(line, sizeof line, "%s %s %s\n", job->action,
	    job->task_name, job->execution_id);
	if (len < 0 || (size_t)len >= sizeof line) {
		ex_complete(run, SKED_FAIL, "line too long");
		return;
	}
	/* One write with O_APPEND: lines of parallel jobs never mix. */
	if ((fd = open(job->target_id, O_WRONLY | O_APPEND | O_CREAT |
	    O_CLOEXEC, 0644)) == -1) {
		snprintf(why, sizeof why, "%s: %s", job->target_id,
		    strerror(errno));
		ex_complete(run, SKED_FAIL, why);
		return;
	}
	n = write(fd, line, (size_t)len);
	if (n != len || close(fd) == -1) {
		snprintf(why, sizeof why, "%s: %s", job->target_id,
		    n == -1 || n == len ? strerror(errno) : "short write");
		if (n != len)
			close(fd);
		ex_complete(run, SKED_FAIL, why);
		return;
	}
	ex_complete(run, SKED_SUCCESS, NULL);
}

static void
ex_start(void *state, struct sked_job *job)
{
	struct ex_state		*st = state;
	struct ex_run		*run;
	struct sked_result	 res;

	/* A bad job may fail at once, from within start(). */
	if (job->target_id == NULL || job->target_id[0] != '/') {
		memset(&res, 0, sizeof res);
		res.status = SKED_FAIL;
		res.exit_code = -1;
		res.reason = "target_id: expected an absolute path";
		st->host->complete(job, &res);
		return;
	}
	if ((run = calloc(1, sizeof *run)) == NULL) {
		memset(&res, 0, sizeof res);
		res.status = SKED_FAIL;
		res.exit_code = -1;
		res.reason = "out of memory";
		st->host->complete(job, &res);
		return;
	}
	run->st = st;
	run->job = job;
	job->plugin_data = run;
	LIST_INSERT_HEAD(&st->runs, run, entry);
	ev_timer_init(&run->tick, ex_tick, 0., 0.);
	ev_timer_start(st->host->loop, &run->tick);
}

static void
ex_cancel(void *state, struct sked_job *job, int hard)
{
	struct ex_run	*run = job->plugin_data;

	if (run != NULL)
		ex_complete(run, SKED_FAIL, "cancelled");
}

static int
ex_init(const struct sked_host *host, void **state)
{
	struct ex_state	*st;

	if ((st = calloc(1, sizeof *st)) == NULL)
		return (-1);
	st->host = host;
	LIST_INIT(&st->runs);
	*state = st;
	return (0);
}

static void
ex_fini(void *state)
{
	struct ex_state	*st = state;
	struct ex_run	*run;

	/* The daemon waited for its jobs; anything left is dropped. */
	while ((run = LIST_FIRST(&st->runs)) != NULL) {
		ev_timer_stop(st->host->loop, &run->tick);
		LIST_REMOVE(run, entry);
		free(run);
	}
	free(st);
}

const struct sked_plugin sked_plugin = {
	.abi = SKED_PLUGIN_ABI,
	.name = "example",
	.actions = ex_actions,
	.target_types = ex_target_types,
	.init = ex_init,
	.start = ex_start,
	.cancel = ex_cancel,
	.fini = ex_fini,
};
