/*
 * Dispatch: a fire becomes an execution record (RUNNING, one subtask per
 * target) in the store before any action starts; each subtask then waits
 * for one of max_concurrency slots and is handed to the plugin serving its
 * action and target type.  Plugins report back through
 * dispatch_complete(); the execution ends when its last subtask does.
 *
 * Timer callbacks only note the fire (dispatch_due); an ev_prepare watcher
 * records every fire of a loop iteration in one transaction, so a burst of
 * fires costs one commit and each fire's lateness is a few microseconds.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "log.h"
#include "plugins.h"
#include "skedd.h"
#include "store.h"
#include "tz.h"

#define PRUNE_BATCH	200	/* rows deleted per step at most */
#define PRUNE_BUDGET	0.002	/* seconds per step at most */

struct execution {
	struct store_execution	 rec;
	struct dtask		*task;
	struct subtask		*subs;
	size_t			 ndone;
	LIST_ENTRY(execution)	 entry;
};

static const char *const status_names[] = {
	"WAITING", "RUNNING", "SUCCESS", "FAIL", "SKIP",
};

const char *
status_name(enum last_status s)
{
	return ((unsigned)s < 5 ? status_names[s] : "WAITING");
}

int
status_parse(const char *s, enum last_status *out)
{
	int	i;

	for (i = 0; i < 5; i++)
		if (strcmp(s, status_names[i]) == 0) {
			*out = (enum last_status)i;
			return (0);
		}
	return (-1);
}

void
uuid_generate_str(char out[37])
{
	unsigned char	b[16];
	size_t		got = 0;
	ssize_t		n;

	while (got < sizeof b) {
		n = getrandom(b + got, sizeof b - got, 0);
		if (n < 0 && errno != EINTR)
			abort();
		if (n > 0)
			got += (size_t)n;
	}
	b[6] = (b[6] & 0x0f) | 0x40;	/* version 4 */
	b[8] = (b[8] & 0x3f) | 0x80;	/* RFC 4122 variant */
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
	    b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static char *
xstrdup(const char *s)
{
	char	*p;

	if (s == NULL)
		return (NULL);
	if ((p = strdup(s)) == NULL)
		abort();
	return (p);
}

static void
set_reason(char **dst, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_reason(char **dst, const char *fmt, ...)
{
	va_list	ap;

	free(*dst);
	va_start(ap, fmt);
	if (vasprintf(dst, fmt, ap) < 0)
		abort();
	va_end(ap);
}

static void	pump(struct daemon *);
static void	finish(struct daemon *, struct execution *);

/* The targets of a task: one subtask each; none means the local host. */
static struct execution *
execution_new(struct daemon *d, struct dtask *dt, int64_t scheduled,
    int64_t fired_ms)
{
	struct execution	*ex;
	struct store_execution	*r;
	const struct task	*t = &dt->t;
	size_t			 i, j, n = 0;

	for (i = 0; i < t->ntargets; i++)
		n += t->targets[i].ntarget_ids;
	if ((ex = calloc(1, sizeof *ex)) == NULL)
		abort();
	r = &ex->rec;
	if ((r->id = malloc(37)) == NULL)
		abort();
	uuid_generate_str(r->id);
	r->task_id = xstrdup(t->id);
	r->task_type = xstrdup(t->task_type);
	r->scheduled_type = xstrdup(task_sched_type_name(t->scheduled_type));
	r->time_zone = xstrdup(t->time_zone != NULL ? t->time_zone :
	    tz_name(d->default_zone));
	snprintf(r->status, sizeof r->status, "RUNNING");
	r->total_count = n == 0 ? 1 : (int)n;
	r->excuting_count = r->total_count;
	r->scheduled_at = scheduled;
	r->begin_ms = r->create_ms = fired_ms;
	r->nsubtasks = (size_t)r->total_count;
	if ((r->subtasks = calloc(r->nsubtasks, sizeof *r->subtasks)) ==
	    NULL || (ex->subs = calloc(r->nsubtasks, sizeof *ex->subs)) ==
	    NULL)
		abort();
	if (n == 0) {
		r->subtasks[0].target_type = xstrdup("HOST");
		r->subtasks[0].target_id = xstrdup("localhost");
	}
	for (i = 0, n = 0; i < t->ntargets; i++)
		for (j = 0; j < t->targets[i].ntarget_ids; j++, n++) {
			r->subtasks[n].target_type =
			    xstrdup(t->targets[i].target_type);
			r->subtasks[n].target_id =
			    xstrdup(t->targets[i].target_ids[j]);
		}
	for (i = 0; i < r->nsubtasks; i++) {
		snprintf(r->subtasks[i].status, sizeof r->subtasks[i].status,
		    "WAITING");
		r->subtasks[i].exit_code = -1;
	}
	ex->task = dt;
	dt->refs++;
	return (ex);
}

static void
execution_free(struct execution *ex)
{
	store_execution_free(&ex->rec);
	free(ex->subs);
	free(ex);
}

/* A fire the overlap policy turns away: recorded, as SKIP, and done. */
static struct execution *
record_skip(struct daemon *d, struct dtask *dt, int64_t scheduled,
    int64_t fired_ms, const char *why)
{
	struct execution	*ex = execution_new(d, dt, scheduled, fired_ms);
	struct store_execution	*r = &ex->rec;
	size_t			 i;

	snprintf(r->status, sizeof r->status, "SKIP");
	set_reason(&r->reason, "%s", why);
	r->skipped_count = r->total_count;
	r->excuting_count = 0;
	r->end_ms = fired_ms;
	for (i = 0; i < r->nsubtasks; i++) {
		snprintf(r->subtasks[i].status, sizeof r->subtasks[i].status,
		    "SKIP");
		set_reason(&r->subtasks[i].reason, "%s", why);
	}
	if (store_execution_insert(d->store, r) != 0)
		log_err("task %s: cannot record a skipped execution: %s",
		    dt->t.id, store_error(d->store));
	dt->last_status = ST_SKIP;
	if (store_task_set_status(d->store, dt->t.id, "SKIP",
	    scheduled > 0 ? scheduled : dt->last_fire) != 0)
		log_err("task %s: %s", dt->t.id, store_error(d->store));
	log_info("task %s (%s): %s", dt->t.task_name, dt->t.id, why);
	return (ex);
}

/*
 * Record one fire.  Returns the execution, which is either running (its
 * subtasks queued) or already finished (skipped); NULL when the store
 * refused the record, in which case nothing runs.
 */
static struct execution *
fire(struct daemon *d, struct dtask *dt, int64_t scheduled, int64_t fired_ms,
    bool force)
{
	struct execution	*ex;
	struct subtask		*st;
	size_t			 i;

	if (dt->running > 0 && !force) {
		switch (dt->t.overlap_policy) {
		case TASK_OVERLAP_SKIP:
			ex = record_skip(d, dt, scheduled, fired_ms, "the "
			    "previous execution is still running "
			    "(overlap_policy SKIP)");
			finish(d, ex);
			return (NULL);
		case TASK_OVERLAP_QUEUE:
			if (dt->queued == 0) {
				dt->queued = 1;
				dt->queued_at = scheduled;
				log_info("task %s (%s): queued behind the "
				    "running execution", dt->t.task_name,
				    dt->t.id);
				return (NULL);
			}
			ex = record_skip(d, dt, scheduled, fired_ms, "a run is "
			    "already queued behind the running execution "
			    "(overlap_policy QUEUE)");
			finish(d, ex);
			return (NULL);
		case TASK_OVERLAP_ALLOW:
			break;
		}
	}
	ex = execution_new(d, dt, scheduled, fired_ms);
	if (store_execution_insert(d->store, &ex->rec) != 0) {
		log_err("task %s (%s): execution not recorded, so not run: %s",
		    dt->t.task_name, dt->t.id, store_error(d->store));
		tasks_release(dt);
		execution_free(ex);
		return (NULL);
	}
	if (scheduled > 0)
		dt->last_fire = scheduled;
	dt->last_status = ST_RUNNING;
	if (store_task_set_status(d->store, dt->t.id, "RUNNING",
	    dt->last_fire) != 0)
		log_err("task %s: %s", dt->t.id, store_error(d->store));
	dt->running++;
	d->running_executions++;
	LIST_INSERT_HEAD(&d->executions, ex, entry);
	for (i = 0; i < ex->rec.nsubtasks; i++) {
		st = &ex->subs[i];
		st->exec = ex;
		st->index = i;
		st->job.execution_id = ex->rec.id;
		st->job.task_id = dt->t.id;
		st->job.task_name = dt->t.task_name;
		st->job.project_id = dt->t.project_id;
		st->job.action = dt->t.task_type;
		st->job.target_type = ex->rec.subtasks[i].target_type;
		st->job.target_id = ex->rec.subtasks[i].target_id;
		st->job.input_param = dt->t.input_param != NULL ?
		    dt->t.input_param : "{}";
		st->job.force = dt->t.enforcement_enable;
		TAILQ_INSERT_TAIL(&d->waiting, st, wait);
	}
	log_info("task %s (%s): execution %s started, %zu subtask%s",
	    dt->t.task_name, dt->t.id, ex->rec.id, ex->rec.nsubtasks,
	    ex->rec.nsubtasks == 1 ? "" : "s");
	return (ex);
}

int
dispatch_run_now(struct daemon *d, struct dtask *dt, bool force,
    char *exec_id)
{
	struct execution	*ex;
	int64_t			 fired = now_ms();
	bool			 skip;

	skip = dt->running > 0 && !force;
	if (skip && dt->t.overlap_policy != TASK_OVERLAP_ALLOW) {
		const char *why = dt->t.overlap_policy == TASK_OVERLAP_SKIP ?
		    "the previous execution is still running (overlap_policy "
		    "SKIP)" : "the previous execution is still running; a run "
		    "now is not queued (overlap_policy QUEUE)";

		ex = record_skip(d, dt, 0, fired, why);
		snprintf(exec_id, 37, "%s", ex->rec.id);
		finish(d, ex);
		return (0);
	}
	if ((ex = fire(d, dt, 0, fired, force)) == NULL)
		return (-1);
	snprintf(exec_id, 37, "%s", ex->rec.id);
	pump(d);
	return (0);
}

/* Timer callback: note the fire; the prepare watcher records it. */
void
dispatch_due(struct daemon *d, struct dtask *dt)
{
	double		 now = ev_time();
	int64_t		 scheduled = dt->next, nows = (int64_t)floor(now);
	struct due_fire	*df;
	bool		 run = true;

	if (dt->catchup) {
		dt->catchup = false;
		log_notice("task %s (%s): missed its fire at %lld while skedd "
		    "was down; firing once now (FIRE_ONCE_NOW)",
		    dt->t.task_name, dt->t.id, (long long)scheduled);
		tasks_arm(d, dt, nows, false);
	} else if (now - (double)scheduled > d->cfg.misfire_threshold) {
		/* the clock was stepped forward, or the machine slept */
		run = dt->t.misfire_policy == TASK_MISFIRE_FIRE_ONCE_NOW;
		log_notice("task %s (%s): fire at %lld missed by %.0f s; %s",
		    dt->t.task_name, dt->t.id, (long long)scheduled,
		    now - (double)scheduled, run ? "firing once now "
		    "(FIRE_ONCE_NOW)" : "skipped (DO_NOTHING)");
		tasks_arm(d, dt, nows, false);
	} else
		/* from the instant that fired: a late loop loses nothing */
		tasks_arm(d, dt, scheduled, false);
	if (!run)
		return;
	if (d->ndue == d->capdue) {
		d->capdue = d->capdue ? d->capdue * 2 : 256;
		if ((d->due = realloc(d->due, d->capdue * sizeof *d->due)) ==
		    NULL)
			abort();
	}
	df = &d->due[d->ndue++];
	df->dt = dt;
	df->scheduled = scheduled;
	df->fired_ms = (int64_t)(now * 1000);
	dt->refs++;
}

static void
flush_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct daemon	*d = container_of(w, struct daemon, flush);
	size_t		 i;
	bool		 tx;

	if (d->ndue == 0)
		return;
	tx = d->ndue > 1 && store_begin(d->store) == 0;
	for (i = 0; i < d->ndue; i++) {
		if (!d->due[i].dt->removed && !d->stopping)
			(void)fire(d, d->due[i].dt, d->due[i].scheduled,
			    d->due[i].fired_ms, false);
		tasks_release(d->due[i].dt);
	}
	if (tx && store_commit(d->store) != 0)
		log_err("recording %zu fires: %s", d->ndue,
		    store_error(d->store));
	d->ndue = 0;
	pump(d);
}

static void
start_subtask(struct daemon *d, struct subtask *st)
{
	struct store_subtask	*ss = &st->exec->rec.subtasks[st->index];

	st->started = true;
	d->running_subtasks++;
	snprintf(ss->status, sizeof ss->status, "RUNNING");
	ss->begin_ms = now_ms();
	if (store_subtask_update(d->store, st->exec->rec.id, st->index, ss) !=
	    0)
		log_err("execution %s: %s", st->exec->rec.id,
		    store_error(d->store));
	plugins_start(&st->job);
}

/* Start waiting subtasks while slots are free. */
static void
pump(struct daemon *d)
{
	struct subtask	*st;

	while (!TAILQ_EMPTY(&d->waiting) &&
	    d->running_subtasks < (unsigned)d->cfg.max_concurrency &&
	    !d->stopping) {
		st = TAILQ_FIRST(&d->waiting);
		TAILQ_REMOVE(&d->waiting, st, wait);
		start_subtask(d, st);
	}
}

static void
schedule_prune(struct daemon *d, struct dtask *dt)
{
	if (dt->prune_pending || dt->removed)
		return;
	if (d->nprune == d->capprune) {
		d->capprune = d->capprune ? d->capprune * 2 : 64;
		if ((d->prune = realloc(d->prune, d->capprune *
		    sizeof *d->prune)) == NULL)
			abort();
	}
	d->prune[d->nprune++] = dt;
	dt->prune_pending = true;
	dt->refs++;
	if (!ev_is_active(&d->prune_timer))
		ev_timer_start(d->loop, &d->prune_timer);
}

/* The end of an execution: status, the task's last_status, the queue. */
static void
finish(struct daemon *d, struct execution *ex)
{
	struct dtask		*dt = ex->task;
	struct store_execution	*r = &ex->rec;
	enum last_status	 st = ST_FAIL;

	if (strcmp(r->status, "RUNNING") == 0) {
		if (r->failed_count > 0)
			snprintf(r->status, sizeof r->status, "FAIL");
		else if (r->success_count > 0)
			snprintf(r->status, sizeof r->status, "SUCCESS");
		else
			snprintf(r->status, sizeof r->status, "SKIP");
		r->end_ms = now_ms();
		r->excuting_count = 0;
		if (store_execution_update(d->store, r) != 0)
			log_err("execution %s: %s", r->id,
			    store_error(d->store));
		(void)status_parse(r->status, &st);
		dt->last_status = st;
		if (store_task_set_status(d->store, dt->t.id, r->status,
		    dt->last_fire) != 0)
			log_err("task %s: %s", dt->t.id,
			    store_error(d->store));
		LIST_REMOVE(ex, entry);
		dt->running--;
		d->running_executions--;
		log_info("task %s (%s): execution %s %s (%d ok, %d failed, "
		    "%d skipped)", dt->t.task_name, dt->t.id, r->id, r->status,
		    r->success_count, r->failed_count, r->skipped_count);
	}
	schedule_prune(d, dt);
	if (dt->queued > 0 && dt->running == 0 && !dt->removed &&
	    !d->stopping) {
		int64_t at = dt->queued_at;

		dt->queued = 0;
		(void)fire(d, dt, at, now_ms(), false);
	}
	tasks_release(dt);
	execution_free(ex);
	if (d->stopping && d->running_executions == 0)
		ev_break(d->loop, EVBREAK_ALL);
}

void
dispatch_complete(struct sked_job *job, const struct sked_result *res)
{
	struct subtask		*st = container_of(job, struct subtask, job);
	struct execution	*ex = st->exec;
	struct dtask		*dt = ex->task;
	struct daemon		*d = dt->d;
	struct store_subtask	*ss = &ex->rec.subtasks[st->index];
	const char		*name;

	if (st->done) {
		log_err("execution %s: a subtask completed twice; ignored",
		    ex->rec.id);
		return;
	}
	st->done = true;
	if (st->started)
		d->running_subtasks--;
	switch (res->status) {
	case SKED_SUCCESS:
		name = "SUCCESS";
		ex->rec.success_count++;
		break;
	case SKED_SKIP:
		name = "SKIP";
		ex->rec.skipped_count++;
		break;
	default:
		name = "FAIL";
		ex->rec.failed_count++;
		break;
	}
	ex->rec.excuting_count--;
	snprintf(ss->status, sizeof ss->status, "%s", name);
	ss->exit_code = res->exit_code;
	free(ss->reason);
	ss->reason = NULL;
	if (d->stopping && res->status != SKED_SUCCESS)
		set_reason(&ss->reason, "stopped by skedd shutdown%s%s",
		    res->reason ? ": " : "", res->reason ? res->reason : "");
	else if (res->reason != NULL)
		ss->reason = xstrdup(res->reason);
	free(ss->output_tail);
	ss->output_tail = xstrdup(res->output_tail);
	if (ss->begin_ms == 0)
		ss->begin_ms = now_ms();
	ss->end_ms = now_ms();
	if (res->status != SKED_SUCCESS && ex->rec.reason == NULL)
		set_reason(&ex->rec.reason, "%s %s: %s", ss->target_type,
		    ss->target_id, ss->reason ? ss->reason : name);
	if (store_begin(d->store) != 0 ||
	    store_subtask_update(d->store, ex->rec.id, st->index, ss) != 0 ||
	    store_execution_update(d->store, &ex->rec) != 0 ||
	    store_commit(d->store) != 0) {
		log_err("execution %s: %s", ex->rec.id, store_error(d->store));
		(void)store_rollback(d->store);
	}
	if (++ex->ndone == ex->rec.nsubtasks)
		finish(d, ex);
	if (!d->stopping)
		pump(d);
}

static void
prune_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct daemon	*d = container_of(w, struct daemon, prune_timer);
	struct dtask	*dt;
	double		 until = ev_time() + PRUNE_BUDGET;
	int		 keep, deleted, total = 0;

	/*
	 * Most tasks queued here have nothing beyond history_keep: take as
	 * many as fit in the time budget and the row batch, so that a burst
	 * of completions is worked off in a few steps, then stop the timer.
	 */
	while (d->nprune > 0 && total < PRUNE_BATCH && ev_time() < until) {
		dt = d->prune[--d->nprune];
		keep = dt->t.history_keep > 0 ? dt->t.history_keep :
		    d->cfg.history_keep;
		deleted = 0;
		if (store_prune(d->store, dt->t.id, keep, PRUNE_BATCH - total,
		    &deleted) != 0)
			log_err("pruning the history of %s: %s", dt->t.id,
			    store_error(d->store));
		dt->prune_pending = false;
		total += deleted;
		if (total >= PRUNE_BATCH && !dt->removed) {
			tasks_release(dt);
			schedule_prune(d, dt);	/* more next time */
			break;
		}
		tasks_release(dt);
	}
	if (d->nprune == 0)
		ev_timer_stop(loop, w);
}

void
dispatch_init(struct daemon *d)
{
	TAILQ_INIT(&d->waiting);
	LIST_INIT(&d->executions);
	ev_prepare_init(&d->flush, flush_cb);
	ev_prepare_start(d->loop, &d->flush);
	ev_timer_init(&d->prune_timer, prune_cb, 0.05, 0.05);
}

/* After a crash: executions left RUNNING are closed as FAIL. */
int
dispatch_recover(struct daemon *d)
{
	int	closed = 0;

	if (store_close_running(d->store, "skedd stopped while the execution "
	    "was running (crash or kill); closed at the next start", now_ms(),
	    &closed) != 0) {
		log_err("closing interrupted executions: %s",
		    store_error(d->store));
		return (-1);
	}
	if (closed > 0)
		log_warn("%d interrupted execution%s closed as FAIL", closed,
		    closed == 1 ? "" : "s");
	return (0);
}

/*
 * Shutdown: subtasks that never started fail at once; running ones are
 * asked to stop (hard: killed now).  Their completions end the loop.
 */
void
dispatch_stop(struct daemon *d)
{
	struct subtask		*st;
	struct sked_result	 r = { SKED_FAIL, -1,
	    "skedd shut down before the subtask started", NULL };

	while ((st = TAILQ_FIRST(&d->waiting)) != NULL) {
		TAILQ_REMOVE(&d->waiting, st, wait);
		dispatch_complete(&st->job, &r);
	}
}

void
dispatch_cancel(struct daemon *d, bool hard)
{
	struct subtask		*st;
	struct execution	*ex, *next;
	size_t			 i;

	for (ex = LIST_FIRST(&d->executions); ex != NULL; ex = next) {
		next = LIST_NEXT(ex, entry);
		for (i = 0; i < ex->rec.nsubtasks; i++) {
			st = &ex->subs[i];
			if (st->started && !st->done)
				(void)plugins_cancel(&st->job, hard);
		}
	}
}

/* Last resort at exit: record what is still running as failed. */
void
dispatch_abandon(struct daemon *d)
{
	struct execution	*ex;
	struct subtask		*st;
	struct sked_result	 r = { SKED_FAIL, -1,
	    "still running when skedd exited; abandoned", NULL };
	size_t			 i;

	/* each completion may free its execution: start over every time */
	while ((ex = LIST_FIRST(&d->executions)) != NULL) {
		for (i = 0; i < ex->rec.nsubtasks && ex->subs[i].done; i++)
			continue;
		if (i == ex->rec.nsubtasks)
			break;	/* cannot happen: finished ones leave */
		st = &ex->subs[i];
		dispatch_complete(&st->job, &r);
	}
	while (d->nprune > 0)
		tasks_release(d->prune[--d->nprune]);
	free(d->due);
	free(d->prune);
}
