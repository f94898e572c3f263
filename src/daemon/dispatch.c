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

#include <jansson.h>

#include "civil.h"
#include "log.h"
#include "plugins.h"
#include "proc.h"
#include "skedd.h"
#include "store.h"
#include "tz.h"
#include "views.h"

#define PRUNE_BATCH	200	/* rows deleted per step at most */
#define PRUNE_BUDGET	0.002	/* seconds per step at most */
#define NOTIFY_TIMEOUT	30.0	/* seconds a notifier may take */
#define NOTIFY_NAME	"notify"	/* hooks_dir/notify EVENT TASK_ID */
/*
 * Cluster: a node not first in an occurrence's ranking claims it this
 * much later, so that a dead owner's occurrences still fire (that late).
 */
#define BACKUP_DELAY	1.0	/* s */

/*
 * What one fire is: a timed fire (scheduled > 0, planned records apply),
 * a run now, an event run or a moved planned record (one target, an id
 * given in advance).
 */
struct fire_req {
	int64_t		 scheduled;	/* s; 0: run now, events */
	int64_t		 fired_ms;
	bool		 force;		/* past the overlap policy */
	bool		 timed;		/* the task's own schedule */
	const char	*id;		/* NULL: a new one */
	const char	*only_type;	/* one target, or NULL: all */
	const char	*only_id;
};

#define NOTIFY_QUEUE_MAX 1000	/* notifications waiting, at most */

/*
 * A notification.  They run one at a time, in the order of their events,
 * so that a notifier sees an execution start before it ends.
 */
struct notifier {
	struct proc		*p;	/* NULL: waiting */
	char			*what;	/* "EVENT task_id execution_id" */
	struct proc_strv	 argv, env;
	char			*text;	/* the execution, JSON */
	TAILQ_ENTRY(notifier)	 entry;
};

struct execution {
	struct store_execution	 rec;
	struct dtask		*task;
	struct tdef		*def;	/* held until the end */
	struct daemon		*d;
	struct subtask		*subs;
	size_t			 ndone;
	char			 scheduled_at[32];	/* "" for run now */
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
execution_new(struct daemon *d, struct dtask *dt, struct tdef *def,
    const struct fire_req *fr)
{
	struct execution	*ex;
	struct store_execution	*r;
	const struct task	*t = &def->t;
	int64_t			 scheduled = fr->scheduled;
	int64_t			 fired_ms = fr->fired_ms;
	size_t			 i, j, n = 0;

	for (i = 0; i < t->ntargets; i++)
		n += t->targets[i].ntarget_ids;
	if (fr->only_id != NULL)
		n = 1;
	if ((ex = calloc(1, sizeof *ex)) == NULL)
		abort();
	r = &ex->rec;
	if ((r->id = malloc(37)) == NULL)
		abort();
	if (fr->id != NULL)
		snprintf(r->id, 37, "%s", fr->id);
	else
		uuid_generate_str(r->id);
	r->task_id = xstrdup(dtask_id(dt));
	r->task_type = xstrdup(t->task_type);
	r->scheduled_type = xstrdup(task_sched_type_name(t->scheduled_type));
	r->time_zone = xstrdup(t->time_zone != NULL ? t->time_zone :
	    tz_name(d->default_zone));
	snprintf(r->status, sizeof r->status, "RUNNING");
	r->total_count = n == 0 ? 1 : (int)n;
	r->excuting_count = r->total_count;
	r->scheduled_at = scheduled;
	if (scheduled > 0)
		view_iso_ms(scheduled * 1000, ex->scheduled_at,
		    sizeof ex->scheduled_at);
	r->begin_ms = r->create_ms = fired_ms;
	r->nsubtasks = (size_t)r->total_count;
	if ((r->subtasks = calloc(r->nsubtasks, sizeof *r->subtasks)) ==
	    NULL || (ex->subs = calloc(r->nsubtasks, sizeof *ex->subs)) ==
	    NULL)
		abort();
	if (fr->only_id != NULL) {
		r->subtasks[0].target_type = xstrdup(fr->only_type);
		r->subtasks[0].target_id = xstrdup(fr->only_id);
	} else if (n == 0) {
		r->subtasks[0].target_type = xstrdup("HOST");
		r->subtasks[0].target_id = xstrdup("localhost");
	}
	for (i = 0, n = 0; fr->only_id == NULL && i < t->ntargets; i++)
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
	ex->def = def;
	def->refs++;
	ex->d = d;
	return (ex);
}

static void
execution_free(struct daemon *d, struct execution *ex)
{
	tasks_def_drop(d, ex->def);
	store_execution_free(&ex->rec);
	free(ex->subs);
	free(ex);
}

/*
 * Record an execution before anything runs.  In a cluster a timed
 * occurrence is claimed: 1 when another node has it (nothing written),
 * 2 when the database's clock says it is not due yet, or the database is
 * away (claimed again later).  0 recorded, -1 an error (logged).
 */
static int
record(struct daemon *d, struct dtask *dt, const struct fire_req *fr,
    struct store_execution *r)
{
	int64_t	db_now;
	int	rc;

	if (d->cluster != NULL && r->node == NULL)	/* who runs it */
		r->node = xstrdup(cluster_name(d));
	if (d->cluster == NULL || !fr->timed || r->scheduled_at <= 0) {
		rc = store_execution_insert(d->store, r) == 0 ? 0 : -1;
		if (rc < 0 && d->cluster != NULL)
			cluster_check(d);
		return (rc);
	}
	rc = store_execution_claim(d->store, r, r->node, &db_now);
	if (rc == 0)
		cluster_claimed(d);
	else if (rc == 2) {
		log_info("task %s (%s): the occurrence at %lld is %.3f s ahead "
		    "of the database's clock; claimed then", dt->name,
		    dtask_id(dt), (long long)r->scheduled_at,
		    (double)(r->scheduled_at * 1000 - db_now) / 1000);
		cluster_defer(d, dt, r->scheduled_at,
		    (double)(r->scheduled_at * 1000 - db_now) / 1000 + 0.01);
	} else if (rc < 0) {
		/*
		 * The database is away, or this batch lost a deadlock to
		 * another node's: claimed again in a transaction of its own
		 * (and dropped once older than misfire_threshold).
		 */
		log_warn("task %s (%s): claiming the occurrence at %lld: %s; "
		    "trying again", dt->name, dtask_id(dt),
		    (long long)r->scheduled_at, store_error(d->store));
		cluster_check(d);
		cluster_defer(d, dt, r->scheduled_at, cluster_lost(d) ? 0 :
		    0.1);
		rc = 2;
	}
	return (rc);
}

/* A fire the overlap policy turns away: recorded, as SKIP, and done. */
static struct execution *
record_skip(struct daemon *d, struct dtask *dt, struct tdef *def,
    const struct fire_req *fr, const char *why)
{
	struct execution	*ex;
	struct store_execution	*r;
	int64_t			 scheduled = fr->timed ? fr->scheduled : 0;
	int64_t			 fired_ms = fr->fired_ms;
	size_t			 i;

	if (def == NULL && (def = tasks_def(d, dt)) == NULL) {
		log_err("task %s (%s): %s; not recorded: its definition "
		    "cannot be read", dt->name, dtask_id(dt), why);
		return (NULL);
	}
	ex = execution_new(d, dt, def, fr);
	r = &ex->rec;

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
	switch (record(d, dt, fr, r)) {
	case 0:
		break;
	case -1:
		log_err("task %s: cannot record a skipped execution: %s",
		    dtask_id(dt), store_error(d->store));
		break;
	default:	/* another node's, or later */
		tasks_release(d, dt);
		execution_free(d, ex);
		return (NULL);
	}
	dt->last_status = ST_SKIP;
	if (store_task_set_status(d->store, dtask_id(dt), "SKIP",
	    scheduled > 0 ? scheduled : dt->last_fire) != 0)
		log_err("task %s: %s", dtask_id(dt), store_error(d->store));
	log_info("task %s (%s): %s", dt->name, dtask_id(dt), why);
	return (ex);
}

const char *
dispatch_approval_block(const struct dtask *dt)
{
	if (!dt->enable_approve)
		return (NULL);
	switch ((enum approve_status)dt->approve) {
	case APPROVE_PASSED:
		return (NULL);
	case APPROVE_REJECTED:
		return ("approval rejected");
	default:
		return ("awaiting approval");
	}
}

static void	notify(struct daemon *, struct dtask *, const struct tdef *,
		    const struct store_execution *, const char *event);

static void
format_local(struct daemon *d, const struct tdef *def, int64_t at, char *buf,
    size_t size)
{
	const struct tz	*zone = def->sched.tz != NULL ? def->sched.tz :
	    d->default_zone;
	struct civil	 c;

	civil_from_secs(at + tz_offset_at(zone, at), &c);
	snprintf(buf, size, "%04d-%02d-%02d %02d:%02d:%02d", c.year, c.mon,
	    c.day, c.hour, c.min, c.sec);
}

/*
 * The planned records of a timed fire: a cancelled or moved target is
 * SKIPped in this execution (its moved run is an execution of its own).
 * Returns the number of subtasks skipped.
 */
static size_t
apply_planned(struct daemon *d, struct dtask *dt, struct execution *ex)
{
	struct store_execution	*r = &ex->rec;
	struct planned		*p;
	char			 when[40];
	size_t			 i, n = 0;

	if (LIST_EMPTY(&d->planned))
		return (0);
	for (i = 0; i < r->nsubtasks; i++) {
		p = planned_find(d, dtask_id(dt), r->subtasks[i].target_id,
		    r->scheduled_at);
		if (p == NULL)
			continue;
		if (p->cancelled)
			set_reason(&r->subtasks[i].reason, "planned record "
			    "cancelled");
		else if (p->execute_at > 0) {
			format_local(d, ex->def, p->execute_at, when,
			    sizeof when);
			set_reason(&r->subtasks[i].reason, "planned record "
			    "moved to %s", when);
		} else
			continue;
		snprintf(r->subtasks[i].status, sizeof r->subtasks[i].status,
		    "SKIP");
		ex->subs[i].done = true;
		r->skipped_count++;
		r->excuting_count--;
		n++;
		planned_fired(d, p);
	}
	if (n == r->nsubtasks)
		set_reason(&r->reason, "%s", r->subtasks[0].reason);
	return (n);
}

/*
 * Record one fire.  Returns the execution, which is running (its subtasks
 * queued); NULL when it was turned away (recorded as SKIP and finished),
 * queued behind the running one, or the store refused the record (then
 * nothing runs).
 */
static struct execution *
fire_one(struct daemon *d, struct dtask *dt, const struct fire_req *fr)
{
	struct execution	*ex;
	struct subtask		*st;
	struct tdef		*def;
	const char		*why;
	size_t			 i, skipped = 0;
	int			 rc;

	if ((def = tasks_def(d, dt)) == NULL) {
		log_err("task %s (%s): not run: its definition cannot be read",
		    dt->name, dtask_id(dt));
		return (NULL);
	}
	if ((why = dispatch_approval_block(dt)) != NULL) {
		finish(d, record_skip(d, dt, def, fr, why));
		return (NULL);
	}
	if (dt->running > 0 && !fr->force) {
		switch (dt->overlap_policy) {
		case TASK_OVERLAP_SKIP:
			ex = record_skip(d, dt, def, fr, "the previous "
			    "execution is still running (overlap_policy "
			    "SKIP)");
			finish(d, ex);
			return (NULL);
		case TASK_OVERLAP_QUEUE:
			if (dt->queued == 0 && fr->timed) {
				dt->queued = 1;
				dt->queued_at = fr->scheduled;
				log_info("task %s (%s): queued behind the "
				    "running execution", dt->name,
				    dtask_id(dt));
				return (NULL);
			}
			ex = record_skip(d, dt, def, fr, dt->queued ? "a run is "
			    "already queued behind the running execution "
			    "(overlap_policy QUEUE)" : "the previous execution "
			    "is still running; only timed fires are queued "
			    "(overlap_policy QUEUE)");
			finish(d, ex);
			return (NULL);
		case TASK_OVERLAP_ALLOW:
			break;
		}
	}
	ex = execution_new(d, dt, def, fr);
	if (fr->timed)
		skipped = apply_planned(d, dt, ex);
	if ((rc = record(d, dt, fr, &ex->rec)) != 0) {
		if (rc < 0)
			log_err("task %s (%s): execution not recorded, so not "
			    "run: %s", dt->name, dtask_id(dt),
			    store_error(d->store));
		tasks_release(d, dt);
		execution_free(d, ex);
		return (NULL);
	}
	if (fr->timed)
		dt->last_fire = fr->scheduled;
	dt->last_status = ST_RUNNING;
	if (store_task_set_status(d->store, dtask_id(dt), "RUNNING",
	    dt->last_fire) != 0)
		log_err("task %s: %s", dtask_id(dt), store_error(d->store));
	dt->running++;
	d->running_executions++;
	LIST_INSERT_HEAD(&d->executions, ex, entry);
	for (i = 0; i < ex->rec.nsubtasks; i++) {
		st = &ex->subs[i];
		st->exec = ex;
		st->index = i;
		st->job.execution_id = ex->rec.id;
		st->job.task_id = dtask_id(dt);
		st->job.task_name = def->t.task_name;
		st->job.project_id = def->t.project_id;
		st->job.action = def->t.task_type;
		st->job.target_type = ex->rec.subtasks[i].target_type;
		st->job.target_id = ex->rec.subtasks[i].target_id;
		st->job.input_param = def->t.input_param != NULL ?
		    def->t.input_param : "{}";
		st->job.force = def->t.enforcement_enable;
		st->job.scheduled_at = ex->scheduled_at[0] != '\0' ?
		    ex->scheduled_at : NULL;
		if (!st->done)
			TAILQ_INSERT_TAIL(&d->waiting, st, wait);
	}
	log_info("task %s (%s): execution %s started, %zu subtask%s%s",
	    dt->name, dtask_id(dt), ex->rec.id, ex->rec.nsubtasks,
	    ex->rec.nsubtasks == 1 ? "" : "s", skipped > 0 ?
	    " (some skipped by planned records)" : "");
	if (skipped == ex->rec.nsubtasks) {
		ex->ndone = skipped;
		finish(d, ex);
		return (NULL);
	}
	ex->ndone = skipped;
	notify(d, dt, def, &ex->rec, "START_EXECUTION");
	return (ex);
}

static struct execution *
fire(struct daemon *d, struct dtask *dt, int64_t scheduled, int64_t fired_ms,
    bool force)
{
	struct fire_req	fr = { scheduled, fired_ms, force, scheduled > 0,
	    NULL, NULL, NULL };

	return (fire_one(d, dt, &fr));
}

int
dispatch_run_now(struct daemon *d, struct dtask *dt, bool force,
    char *exec_id)
{
	struct fire_req		 fr = { 0, now_ms(), force, false, NULL, NULL,
	    NULL };
	struct execution	*ex;
	struct tdef		*def;
	const char		*why;
	bool			 skip;

	if ((def = tasks_def(d, dt)) == NULL)
		return (-1);
	/* turned away: the SKIP record's id is the answer */
	skip = dt->running > 0 && !force &&
	    dt->overlap_policy != TASK_OVERLAP_ALLOW;
	if ((why = dispatch_approval_block(dt)) != NULL || skip) {
		if (why == NULL)
			why = dt->overlap_policy == TASK_OVERLAP_SKIP ?
			    "the previous execution is still running "
			    "(overlap_policy SKIP)" : "the previous execution "
			    "is still running; a run now is not queued "
			    "(overlap_policy QUEUE)";
		ex = record_skip(d, dt, def, &fr, why);
		snprintf(exec_id, 37, "%s", ex->rec.id);
		finish(d, ex);
		return (0);
	}
	if ((ex = fire_one(d, dt, &fr)) == NULL)
		return (-1);
	snprintf(exec_id, 37, "%s", ex->rec.id);
	pump(d);
	return (0);
}

void
dispatch_moved(struct daemon *d, struct dtask *dt, const char *target_id,
    int64_t execute_at)
{
	const char	*type = planned_target_type(d, dt, target_id);
	/* its own run of one target: the task's overlap policy is for its
	   whole fires */
	struct fire_req	 fr = { execute_at, now_ms(), true, false, NULL,
	    type, target_id };

	if (type == NULL) {
		log_notice("task %s (%s): %s is no longer a target; its moved "
		    "run is dropped", dt->name, dtask_id(dt), target_id);
		return;
	}
	(void)fire_one(d, dt, &fr);
	pump(d);
}

/* Events: one queue, due first, then in the order the runs were added. */
static void
event_arm(struct daemon *d)
{
	struct event_run	*er = TAILQ_FIRST(&d->events);
	ev_tstamp		 after;

	ev_timer_stop(d->loop, &d->event_timer);
	if (er == NULL || d->stopping)
		return;
	after = er->due - ev_now(d->loop);
	ev_timer_set(&d->event_timer, after > 0 ? after : 0, 0);
	ev_timer_start(d->loop, &d->event_timer);
}

static void
event_free(struct daemon *d, struct event_run *er)
{
	tasks_release(d, er->dt);
	free(er->target_type);
	free(er->target_id);
	free(er);
}

void
dispatch_event(struct daemon *d, struct dtask *dt, const char *target_type,
    const char *target_id, int wait, char *id)
{
	struct event_run	*er, *at;

	if ((er = calloc(1, sizeof *er)) == NULL)
		abort();
	er->dt = dt;
	dt->refs++;
	uuid_generate_str(er->id);
	snprintf(id, 37, "%s", er->id);
	er->target_type = xstrdup(target_type);
	er->target_id = xstrdup(target_id);
	er->due = ev_now(d->loop) + wait;
	/* after every run due at the same time or before: stable order */
	TAILQ_FOREACH_REVERSE(at, &d->events, event_queue, entry)
		if (at->due <= er->due)
			break;
	if (at == NULL)
		TAILQ_INSERT_HEAD(&d->events, er, entry);
	else
		TAILQ_INSERT_AFTER(&d->events, at, er, entry);
	log_info("task %s (%s): event run %s on %s %s in %d s",
	    dt->name, dtask_id(dt), er->id, target_type, target_id, wait);
	event_arm(d);
}

static void
event_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct daemon		*d = container_of(w, struct daemon,
	    event_timer);
	struct event_run	*er;
	struct fire_req		 fr = { 0, 0, false, false, NULL, NULL, NULL };
	ev_tstamp		 now = ev_now(loop) + 0.001;

	while ((er = TAILQ_FIRST(&d->events)) != NULL && er->due <= now &&
	    !d->stopping) {
		TAILQ_REMOVE(&d->events, er, entry);
		fr.fired_ms = now_ms();
		fr.id = er->id;
		fr.only_type = er->target_type;
		fr.only_id = er->target_id;
		if (er->dt->removed)
			finish(d, record_skip(d, er->dt, NULL, &fr, "the task was "
			    "deleted before its event run started"));
		else
			(void)fire_one(d, er->dt, &fr);
		event_free(d, er);
	}
	event_arm(d);
	pump(d);
}

/* Shutdown: every event run still waiting is recorded, as SKIP. */
static void
events_drain(struct daemon *d)
{
	struct event_run	*er;
	struct fire_req		 fr = { 0, 0, false, false, NULL, NULL, NULL };

	ev_timer_stop(d->loop, &d->event_timer);
	while ((er = TAILQ_FIRST(&d->events)) != NULL) {
		TAILQ_REMOVE(&d->events, er, entry);
		fr.fired_ms = now_ms();
		fr.id = er->id;
		fr.only_type = er->target_type;
		fr.only_id = er->target_id;
		finish(d, record_skip(d, er->dt, NULL, &fr, "skedd shut down "
		    "before the event run's wait_time was over"));
		event_free(d, er);
	}
}

/* Notifications (seed 004 MessageNotification) */

/* Does the task's message_notification ask for this event? */
static bool
notify_wants(const struct tdef *def, const char *event)
{
	json_t		*mn, *pol, *v;
	const char	*s, *e;
	size_t		 i, len = strlen(event);
	bool		 want = true;

	if (def->t.message_notification == NULL ||
	    (mn = json_loads(def->t.message_notification, 0, NULL)) == NULL)
		return (true);
	pol = json_object_get(mn, "policy");
	if (json_is_string(pol) && json_string_length(pol) > 0) {
		/* one event, or several separated by commas */
		want = false;
		for (s = json_string_value(pol); *s != '\0'; s = e) {
			s += strspn(s, " ,");
			e = s + strcspn(s, " ,");
			if ((size_t)(e - s) == len && strncmp(s, event, len) ==
			    0)
				want = true;
		}
	} else if (json_is_array(pol) && json_array_size(pol) > 0) {
		want = false;
		json_array_foreach(pol, i, v)
			if (json_is_string(v) && strcmp(json_string_value(v),
			    event) == 0)
				want = true;
	}
	json_decref(mn);
	return (want);
}

static void
notifier_free(struct daemon *d, struct notifier *n)
{
	TAILQ_REMOVE(&d->notifiers, n, entry);
	d->nnotifiers--;
	proc_strv_free(&n->argv);
	proc_strv_free(&n->env);
	free(n->text);
	free(n->what);
	free(n);
}

static void	notify_next(struct daemon *);

static void
notify_done(void *arg, const struct proc_result *res)
{
	struct daemon	*d = arg;
	struct notifier	*n = TAILQ_FIRST(&d->notifiers);
	char		 buf[256];
	const char	*why = proc_reason(res, buf, sizeof buf);

	if (why != NULL)
		log_warn("notifier %s: %s%s%.200s", n->what, why,
		    res->output_len > 0 ? "; output: " : "",
		    res->output_len > 0 ? res->output : "");
	else
		log_debug("notifier %s: done", n->what);
	notifier_free(d, n);
	notify_next(d);
}

static void
notify_next(struct daemon *d)
{
	struct notifier		*n = TAILQ_FIRST(&d->notifiers);
	struct proc_spec	 spec;

	if (n == NULL || n->p != NULL)
		return;
	memset(&spec, 0, sizeof spec);
	spec.argv = (const char *const *)n->argv.v;
	spec.env = (const char *const *)n->env.v;
	spec.stdin_text = n->text;
	spec.stdin_len = strlen(n->text);
	spec.timeout = NOTIFY_TIMEOUT;
	spec.kill_grace = d->cfg.kill_grace;
	spec.output_limit = 1024;
	n->p = proc_spawn(d->loop, &spec, notify_done, d);
}

/* Run hooks_dir/notify EVENT TASK_ID with the execution on stdin. */
static void
notify(struct daemon *d, struct dtask *dt, const struct tdef *def,
    const struct store_execution *r, const char *event)
{
	struct notifier		*n;
	json_t			*j;
	char			*path;
	const char		*dir;

	if (!def->t.enable_message_notification || !notify_wants(def, event))
		return;
	dir = d->host.hooks_dir != NULL ? d->host.hooks_dir : ".";
	if (asprintf(&path, "%s/%s", dir, NOTIFY_NAME) < 0)
		abort();
	if (access(path, X_OK) != 0) {
		log_notice("task %s (%s): no notifier %s (%s); %s of %s not "
		    "sent", dt->name, dtask_id(dt), path, strerror(errno),
		    event, r->id);
		free(path);
		return;
	}
	if (d->nnotifiers >= NOTIFY_QUEUE_MAX) {
		log_warn("task %s (%s): %zu notifications are waiting; %s of "
		    "%s not sent", dt->name, dtask_id(dt), d->nnotifiers,
		    event, r->id);
		free(path);
		return;
	}
	if ((n = calloc(1, sizeof *n)) == NULL)
		abort();
	j = view_execution(r, true);
	n->text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (n->text == NULL ||
	    asprintf(&n->what, "%s %s %s", event, dtask_id(dt), r->id) < 0)
		abort();
	proc_strv_add(&n->argv, path);
	proc_strv_add(&n->argv, event);
	proc_strv_add(&n->argv, dtask_id(dt));
	proc_strv_addf(&n->env, "SKED_EVENT=%s", event);
	proc_strv_addf(&n->env, "SKED_TASK_ID=%s", dtask_id(dt));
	proc_strv_addf(&n->env, "SKED_TASK_NAME=%s", dt->name);
	proc_strv_addf(&n->env, "SKED_PROJECT_ID=%s", dt->proj->name);
	proc_strv_addf(&n->env, "SKED_EXECUTION_ID=%s", r->id);
	if (r->scheduled_at > 0) {
		char	at[32];

		view_iso_ms(r->scheduled_at * 1000, at, sizeof at);
		proc_strv_addf(&n->env, "SKED_SCHEDULED_AT=%s", at);
	}
	TAILQ_INSERT_TAIL(&d->notifiers, n, entry);
	d->nnotifiers++;
	log_info("task %s (%s): notifier %s %s for execution %s",
	    dt->name, dtask_id(dt), path, event, r->id);
	free(path);
	notify_next(d);
}

/* Timer callback: note the fire; the prepare watcher records it. */
void
dispatch_due(struct daemon *d, struct dtask *dt)
{
	double		 now = ev_time();
	int64_t		 scheduled = dt->next, nows = (int64_t)floor(now);
	int64_t		 rearm;
	struct due_fire	*df;
	bool		 run = true;

	if (dt->catchup) {
		dt->catchup = false;
		dt->caught_up = true;	/* once, even while skedd starts */
		log_notice("task %s (%s): missed its fire at %lld while skedd "
		    "was down; firing once now (FIRE_ONCE_NOW)",
		    dt->name, dtask_id(dt), (long long)scheduled);
		rearm = nows;
	} else if (now - (double)scheduled > d->cfg.misfire_threshold) {
		/* the clock was stepped forward, or the machine slept */
		run = dt->misfire_policy == TASK_MISFIRE_FIRE_ONCE_NOW;
		log_notice("task %s (%s): fire at %lld missed by %.0f s; %s",
		    dt->name, dtask_id(dt), (long long)scheduled,
		    now - (double)scheduled, run ? "firing once now "
		    "(FIRE_ONCE_NOW)" : "skipped (DO_NOTHING)");
		rearm = nows;
	} else	/* from the instant that fired: a late loop loses nothing */
		rearm = scheduled;
	/*
	 * Only noted here, so that each of a thousand fires due at once is
	 * timed when its timer ran; re-arming reads the definition, in
	 * flush_cb.
	 */
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
	df->rearm = rearm;
	df->run = run;
	dt->refs++;
}

/*
 * A batch whose commit failed: its executions are not in the store, so
 * they must not run (none has started: pump comes after the commit).  In
 * a cluster their occurrences are claimed again once the database is
 * back.
 */
static void
unfire(struct daemon *d, struct execution *ex)
{
	struct dtask	*dt = ex->task;
	size_t		 i;

	for (i = 0; i < ex->rec.nsubtasks; i++)
		if (!ex->subs[i].done && !ex->subs[i].started)
			TAILQ_REMOVE(&d->waiting, &ex->subs[i], wait);
	LIST_REMOVE(ex, entry);
	dt->running--;
	d->running_executions--;
	if (d->cluster != NULL && ex->rec.scheduled_at > 0)
		cluster_defer(d, dt, ex->rec.scheduled_at, 0);
	tasks_release(d, dt);
	execution_free(d, ex);
}

/* nodes claim in one order, so that their batches never deadlock */
static int
occurrence_cmp(const struct dtask *a, int64_t at, const struct dtask *b,
    int64_t bt)
{
	int	c = strcmp(dtask_id(a), dtask_id(b));

	return (c != 0 ? c : (at > bt) - (at < bt));
}

static int
due_order(const void *a, const void *b)
{
	const struct due_fire	*x = a, *y = b;

	return (occurrence_cmp(x->dt, x->scheduled, y->dt, y->scheduled));
}

static int
claim_order(const void *a, const void *b)
{
	const struct claim	*x = a, *y = b;

	return (occurrence_cmp(x->dt, x->scheduled, y->dt, y->scheduled));
}

static void
flush_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct daemon		 *d = container_of(w, struct daemon, flush);
	struct due_fire		 *df;
	struct execution	**batch = NULL, *ex;
	size_t			  i, nbatch = 0;
	bool			  tx;

	if (d->ndue == 0)
		return;
	if (d->cluster != NULL && d->ndue > 1)
		qsort(d->due, d->ndue, sizeof *d->due, due_order);
	tx = d->ndue > 1 && store_begin(d->store) == 0;
	if (tx && (batch = calloc(d->ndue, sizeof *batch)) == NULL)
		abort();
	for (i = 0; i < d->ndue; i++) {
		df = &d->due[i];
		/* not re-armed since it fired (a PATCH re-arms it itself) */
		if (df->dt->heap == HEAP_NONE && df->dt->next == df->scheduled)
			tasks_arm(d, df->dt, df->rearm);
		if (!df->run || df->dt->removed || d->stopping)
			;
		else if (d->cluster != NULL &&
		    !cluster_owns(d, df->dt, df->scheduled))
			cluster_defer(d, df->dt, df->scheduled, BACKUP_DELAY);
		else if ((ex = fire(d, df->dt, df->scheduled, df->fired_ms,
		    false)) != NULL && batch != NULL)
			batch[nbatch++] = ex;
		tasks_release(d, df->dt);
	}
	if (tx && store_commit(d->store) != 0) {
		log_err("recording %zu fires: %s; %zu executions not run",
		    d->ndue, store_error(d->store), nbatch);
		cluster_check(d);
		for (i = 0; i < nbatch; i++)
			unfire(d, batch[i]);
	}
	free(batch);
	d->ndue = 0;
	pump(d);
}

void
dispatch_claims(struct daemon *d, struct claim *v, size_t n)
{
	struct execution	**batch, *ex;
	size_t			  i, nbatch = 0;
	bool			  tx = n > 1 && store_begin(d->store) == 0;

	if ((batch = calloc(n + 1, sizeof *batch)) == NULL)
		abort();
	qsort(v, n, sizeof *v, claim_order);
	for (i = 0; i < n; i++)
		if ((ex = fire(d, v[i].dt, v[i].scheduled, now_ms(), false)) !=
		    NULL)
			batch[nbatch++] = ex;
	if (tx && store_commit(d->store) != 0) {
		log_err("recording %zu claimed occurrences: %s; %zu executions "
		    "not run", n, store_error(d->store), nbatch);
		cluster_check(d);
		for (i = 0; i < nbatch; i++)
			unfire(d, batch[i]);
	}
	free(batch);
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
schedule_prune(struct daemon *d, struct dtask *dt, int keep)
{
	if (dt->prune_pending || dt->removed)
		return;
	if (d->nprune == d->capprune) {
		d->capprune = d->capprune ? d->capprune * 2 : 64;
		if ((d->prune = realloc(d->prune, d->capprune *
		    sizeof *d->prune)) == NULL)
			abort();
	}
	d->prune[d->nprune].dt = dt;
	d->prune[d->nprune++].keep = keep > 0 ? keep : d->cfg.history_keep;
	dt->prune_pending = true;
	dt->refs++;
	if (!ev_is_active(&d->prune_timer))
		ev_timer_start(d->loop, &d->prune_timer);
}

/* The end of an execution: status, the task's last_status, the queue. */
static void
finish(struct daemon *d, struct execution *ex)
{
	struct dtask		*dt;
	struct store_execution	*r;
	enum last_status	 st = ST_FAIL;

	if (ex == NULL)		/* not recorded, or another node's */
		return;
	dt = ex->task;
	r = &ex->rec;
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
		if (store_task_set_status(d->store, dtask_id(dt), r->status,
		    dt->last_fire) != 0)
			log_err("task %s: %s", dtask_id(dt),
			    store_error(d->store));
		LIST_REMOVE(ex, entry);
		dt->running--;
		d->running_executions--;
		log_info("task %s (%s): execution %s %s (%d ok, %d failed, "
		    "%d skipped)", dt->name, dtask_id(dt), r->id, r->status,
		    r->success_count, r->failed_count, r->skipped_count);
		if (st == ST_SUCCESS || st == ST_FAIL)
			notify(d, dt, ex->def, r, st == ST_SUCCESS ?
			    "EXECUTION_SUCCEEDED" : "EXECUTION_FAILED");
	}
	schedule_prune(d, dt, ex->def->t.history_keep);
	if (dt->queued > 0 && dt->running == 0 && !dt->removed &&
	    !d->stopping) {
		int64_t at = dt->queued_at;

		dt->queued = 0;
		(void)fire(d, dt, at, now_ms(), false);
	}
	tasks_release(d, dt);
	execution_free(d, ex);
	if (d->stopping && d->running_executions == 0)
		ev_break(d->loop, EVBREAK_ALL);
}

void
dispatch_complete(struct sked_job *job, const struct sked_result *res)
{
	struct subtask		*st = container_of(job, struct subtask, job);
	struct execution	*ex = st->exec;
	struct daemon		*d = ex->d;
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
		dt = d->prune[--d->nprune].dt;
		keep = d->prune[d->nprune].keep;
		deleted = 0;
		if (store_prune(d->store, dtask_id(dt), keep, PRUNE_BATCH - total,
		    &deleted) != 0)
			log_err("pruning the history of %s: %s", dtask_id(dt),
			    store_error(d->store));
		dt->prune_pending = false;
		total += deleted;
		if (total >= PRUNE_BATCH && !dt->removed) {
			tasks_release(d, dt);
			schedule_prune(d, dt, keep);	/* more next time */
			break;
		}
		tasks_release(d, dt);
	}
	if (d->nprune == 0)
		ev_timer_stop(loop, w);
}

void
dispatch_init(struct daemon *d)
{
	TAILQ_INIT(&d->waiting);
	LIST_INIT(&d->executions);
	TAILQ_INIT(&d->events);
	TAILQ_INIT(&d->notifiers);
	LIST_INIT(&d->planned);
	ev_timer_init(&d->event_timer, event_cb, 0, 0);
	ev_prepare_init(&d->flush, flush_cb);
	ev_prepare_start(d->loop, &d->flush);
	ev_timer_init(&d->prune_timer, prune_cb, 0.05, 0.05);
}

/* After a crash: executions left RUNNING are closed as FAIL. */
int
dispatch_recover(struct daemon *d)
{
	int	closed = 0;

	/* in a cluster only this node's: the others' are running */
	if (store_close_running_node(d->store, cluster_name(d), "skedd "
	    "stopped while the execution was running (crash or kill); closed "
	    "at the next start", now_ms(), &closed) != 0) {
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

	events_drain(d);
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
	struct notifier		*n;
	size_t			 i;

	events_drain(d);

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
		tasks_release(d, d->prune[--d->nprune].dt);
	while ((n = TAILQ_FIRST(&d->notifiers)) != NULL) {
		log_warn("notifier %s: %s when skedd exited", n->what,
		    n->p != NULL ? "still running; killed" : "not sent");
		if (n->p != NULL)
			proc_abandon(n->p);
		notifier_free(d, n);
	}
	planned_free(d);
	free(d->due);
	free(d->prune);
}
