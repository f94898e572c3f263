/*
 * Planned records (seed 001): the upcoming fire of a task on one target,
 * moved to another instant or cancelled without changing the task.  The
 * store is written first, then the running state follows; at start-up
 * every stored record comes back, and those whose instants are both
 * behind are forgotten.
 *
 * A record is looked up by (task, target, planned instant) when the task
 * fires, which is O(records); there are few (one per user action), so a
 * list does.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errlist.h"
#include "log.h"
#include "skedd.h"
#include "store.h"

/* a fire is noted by its timer and recorded in the next loop iteration */
#define PRUNE_GRACE	60	/* s */

static void
planned_drop(struct daemon *d, struct planned *p, bool unstore)
{
	if (unstore && store_planned_delete(d->store, p->task_id,
	    p->instance_id, p->planned_at) < 0)
		log_err("planned record of task %s on %s: %s", p->task_id,
		    p->instance_id, store_error(d->store));
	if (ev_is_active(&p->moved))
		ev_periodic_stop(d->loop, &p->moved);
	LIST_REMOVE(p, entry);
	free(p->task_id);
	free(p->instance_id);
	free(p);
}

/* Both instants are behind, or handled: nothing left to do. */
static bool
planned_done(const struct planned *p)
{
	return (p->fired && (p->cancelled || p->execute_at == 0 ||
	    p->moved_done));
}

static void
moved_cb(struct ev_loop *loop, ev_periodic *w, int revents)
{
	struct planned	*p = container_of(w, struct planned, moved);
	struct daemon	*d = p->d;
	struct dtask	*dt = tasks_find(d, p->task_id);

	ev_periodic_stop(loop, w);
	if (d->stopping)
		return;		/* kept: missed, as any fire during shutdown */
	p->moved_done = true;
	if (dt == NULL || dt->removed)
		log_notice("planned record of task %s on %s: the task is gone; "
		    "the run moved to %lld is dropped", p->task_id,
		    p->instance_id, (long long)p->execute_at);
	else
		dispatch_moved(d, dt, p->instance_id, p->execute_at);
	/* the fire at planned_at may still be ahead: keep it until then */
	if (planned_done(p) || dt == NULL || dt->removed)
		planned_drop(d, p, true);
}

static void
planned_arm(struct daemon *d, struct planned *p)
{
	if (ev_is_active(&p->moved))
		ev_periodic_stop(d->loop, &p->moved);
	if (p->cancelled || p->execute_at == 0 || p->moved_done)
		return;
	ev_periodic_set(&p->moved, (ev_tstamp)p->execute_at, 0, 0);
	ev_periodic_start(d->loop, &p->moved);
}

static struct planned *
planned_new(struct daemon *d, const char *task_id, const char *instance_id,
    int64_t planned_at)
{
	struct planned	*p;

	if ((p = calloc(1, sizeof *p)) == NULL)
		abort();
	p->task_id = xstrdup(task_id);
	p->instance_id = xstrdup(instance_id);
	p->planned_at = planned_at;
	p->d = d;
	ev_periodic_init(&p->moved, moved_cb, 0, 0, 0);
	LIST_INSERT_HEAD(&d->planned, p, entry);
	return (p);
}

struct planned *
planned_find(struct daemon *d, const char *task_id, const char *instance_id,
    int64_t planned_at)
{
	struct planned	*p;

	LIST_FOREACH(p, &d->planned, entry)
		if (p->planned_at == planned_at &&
		    strcmp(p->task_id, task_id) == 0 &&
		    strcmp(p->instance_id, instance_id) == 0)
			return (p);
	return (NULL);
}

const char *
planned_target_type(struct daemon *d, struct dtask *dt,
    const char *instance_id)
{
	const struct tdef	*def = tasks_def(d, dt);
	const struct task	*t;
	size_t			 i, j;

	if (def == NULL)
		return (NULL);
	t = &def->t;
	for (i = 0; i < t->ntargets; i++)
		for (j = 0; j < t->targets[i].ntarget_ids; j++)
			if (strcmp(t->targets[i].target_ids[j],
			    instance_id) == 0)
				return (t->targets[i].target_type);
	return (NULL);
}

int
planned_set(struct daemon *d, struct dtask *dt, const char *instance_id,
    int64_t planned_at, int64_t execute_at, char **cause)
{
	struct store_planned	 sp;
	struct planned		*p;

	memset(&sp, 0, sizeof sp);
	sp.task_id = dtask_id(dt);
	sp.instance_id = instance_id;
	sp.planned_at = planned_at;
	sp.execute_at = execute_at;
	snprintf(sp.status, sizeof sp.status, "%s", execute_at > 0 ?
	    "WAITING" : "CANCELLED");
	if (store_planned_put(d->store, &sp) != 0) {
		if (asprintf(cause, "%s", store_error(d->store)) < 0)
			abort();
		return (-1);
	}
	if ((p = planned_find(d, dtask_id(dt), instance_id, planned_at)) == NULL)
		p = planned_new(d, dtask_id(dt), instance_id, planned_at);
	p->execute_at = execute_at;
	p->cancelled = execute_at == 0;
	p->moved_done = false;
	planned_arm(d, p);
	log_info("task %s (%s): the run at %lld on %s is %s%lld",
	    dt->name, dtask_id(dt), (long long)planned_at, instance_id,
	    execute_at > 0 ? "moved to " : "cancelled", execute_at > 0 ?
	    (long long)execute_at : 0LL);
	return (0);
}

void
planned_fired(struct daemon *d, struct planned *p)
{
	p->fired = true;
	if (planned_done(p))
		planned_drop(d, p, true);
}

void
planned_prune(struct daemon *d, int64_t now)
{
	struct planned	*p, *next;

	/*
	 * A fire that never came (the task was disabled, changed or
	 * deleted) leaves its record behind; once both its instants are
	 * past and its run is not pending, it goes.
	 */
	for (p = LIST_FIRST(&d->planned); p != NULL; p = next) {
		next = LIST_NEXT(p, entry);
		if (p->planned_at + PRUNE_GRACE < now &&
		    !ev_is_active(&p->moved) &&
		    (p->execute_at == 0 || p->execute_at < now || p->cancelled))
			planned_drop(d, p, true);
	}
}

static int
load_one(void *arg, const struct store_planned *sp)
{
	struct daemon	*d = arg;
	struct planned	*p;
	int64_t		 now = (int64_t)floor(ev_time());

	p = planned_new(d, sp->task_id, sp->instance_id, sp->planned_at);
	p->execute_at = sp->execute_at;
	p->cancelled = strcmp(sp->status, "CANCELLED") == 0;
	p->fired = sp->planned_at < now;
	if (!p->cancelled && p->execute_at > 0 && p->execute_at < now) {
		/* as a missed fire under DO_NOTHING: said, not run */
		log_notice("planned record of task %s on %s: the run moved to "
		    "%lld was missed while skedd was down; not run",
		    sp->task_id, sp->instance_id, (long long)sp->execute_at);
		p->moved_done = true;
	}
	planned_arm(d, p);
	return (0);
}

int
planned_load(struct daemon *d, struct errlist *errs)
{
	if (store_planned_load(d->store, load_one, d) != 0) {
		errlist_add(errs, d->cfg.database, 0, 0, "%s",
		    store_error(d->store));
		return (-1);
	}
	planned_prune(d, (int64_t)floor(ev_time()));
	return (0);
}

void
planned_free(struct daemon *d)
{
	while (!LIST_EMPTY(&d->planned))
		planned_drop(d, LIST_FIRST(&d->planned), false);
}

struct refresh_arg {
	struct daemon	*d;
	const char	*task_id;
};

static int
refresh_one(void *arg, const struct store_planned *sp)
{
	struct refresh_arg	*ra = arg;

	return (strcmp(sp->task_id, ra->task_id) == 0 ? load_one(ra->d, sp) :
	    0);
}

/* Cluster: another node moved or cancelled a fire of this task. */
void
planned_refresh(struct daemon *d, const char *task_id)
{
	struct refresh_arg	 ra = { d, task_id };
	struct planned		*p, *next;

	for (p = LIST_FIRST(&d->planned); p != NULL; p = next) {
		next = LIST_NEXT(p, entry);
		if (strcmp(p->task_id, task_id) == 0)
			planned_drop(d, p, false);
	}
	if (store_planned_load(d->store, refresh_one, &ra) != 0) {
		log_err("planned records of task %s: %s", task_id,
		    store_error(d->store));
		cluster_check(d);
	}
}
