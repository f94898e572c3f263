/*
 * The task set: every task the daemon knows, by id (a hash table) and in
 * creation order (for listing), each with one ev_periodic armed for its
 * exact next instant.  libev keeps periodics in a heap, so arming, firing
 * and re-arming are O(log n), and it re-evaluates them against the wall
 * clock when the clock is set, so a stepped clock is seen at once.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "skedd.h"
#include "store.h"
#include "tz.h"

int64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static uint64_t
hash_id(const char *s)
{
	uint64_t	h = 1469598103934665603ULL;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return (h);
}

static uint64_t
hash_name(const char *project, const char *name)
{
	uint64_t	h = hash_id(project);

	/* a separator no project name holds: "a"+"bc" is not "ab"+"c" */
	h = (h ^ '/') * 1099511628211ULL;
	while (*name != '\0')
		h = (h ^ (unsigned char)*name++) * 1099511628211ULL;
	return (h);
}

static void
table_grow(struct task_table *tt)
{
	struct dtask	**nb, **nn, *dt, *next;
	size_t		  n = tt->nbuckets ? tt->nbuckets * 2 : 1024, i, h;

	if ((nb = calloc(n, sizeof *nb)) == NULL ||
	    (nn = calloc(n, sizeof *nn)) == NULL)
		abort();
	for (i = 0; i < tt->nbuckets; i++) {
		for (dt = tt->buckets[i]; dt != NULL; dt = next) {
			next = dt->hnext;
			h = hash_id(dt->t.id) & (n - 1);
			dt->hnext = nb[h];
			nb[h] = dt;
		}
		for (dt = tt->names[i]; dt != NULL; dt = next) {
			next = dt->nnext;
			h = hash_name(dt->t.project_id, dt->t.task_name) &
			    (n - 1);
			dt->nnext = nn[h];
			nn[h] = dt;
		}
	}
	free(tt->buckets);
	free(tt->names);
	tt->buckets = nb;
	tt->names = nn;
	tt->nbuckets = n;
}

static void
name_link(struct task_table *tt, struct dtask *dt)
{
	size_t	h = hash_name(dt->t.project_id, dt->t.task_name) &
	    (tt->nbuckets - 1);

	dt->nnext = tt->names[h];
	tt->names[h] = dt;
}

static void
name_unlink(struct task_table *tt, struct dtask *dt)
{
	struct dtask	**pp;

	for (pp = &tt->names[hash_name(dt->t.project_id, dt->t.task_name) &
	    (tt->nbuckets - 1)]; *pp != NULL; pp = &(*pp)->nnext)
		if (*pp == dt) {
			*pp = dt->nnext;
			return;
		}
}

struct project *
tasks_project(struct daemon *d, const char *name)
{
	struct project	*p;

	for (p = d->tasks.projects; p != NULL; p = p->next)
		if (strcmp(p->name, name) == 0)
			return (p);
	return (NULL);
}

static void
project_link(struct daemon *d, struct dtask *dt)
{
	struct project	*p = tasks_project(d, dt->t.project_id);

	if (p == NULL) {
		if ((p = calloc(1, sizeof *p)) == NULL)
			abort();
		p->name = xstrdup(dt->t.project_id);
		p->next = d->tasks.projects;
		d->tasks.projects = p;
	}
	if (p->count == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		if ((p->order = realloc(p->order, p->cap * sizeof *p->order))
		    == NULL)
			abort();
	}
	dt->proj = p;
	dt->ppos = p->count;
	p->order[p->count++] = dt;
	p->nlisted += dt->t.scheduled_type != TASK_LIFE_CYCLE;
}

/*
 * O(tasks after it): deletions are rare next to listings, which a
 * gap-free array keeps O(page).
 */
static void
project_unlink(struct dtask *dt)
{
	struct project	*p = dt->proj;
	size_t		 i;

	memmove(&p->order[dt->ppos], &p->order[dt->ppos + 1],
	    (p->count - dt->ppos - 1) * sizeof *p->order);
	p->count--;
	for (i = dt->ppos; i < p->count; i++)
		p->order[i]->ppos = i;
	p->nlisted -= dt->t.scheduled_type != TASK_LIFE_CYCLE;
	dt->proj = NULL;
}

void
tasks_init(struct daemon *d)
{
	memset(&d->tasks, 0, sizeof d->tasks);
	table_grow(&d->tasks);
}

struct dtask *
tasks_find(struct daemon *d, const char *id)
{
	struct dtask	*dt;

	if (d->tasks.nbuckets == 0)
		return (NULL);
	for (dt = d->tasks.buckets[hash_id(id) & (d->tasks.nbuckets - 1)];
	    dt != NULL; dt = dt->hnext)
		if (strcmp(dt->t.id, id) == 0)
			return (dt);
	return (NULL);
}

struct dtask *
tasks_find_name(struct daemon *d, const char *project, const char *name)
{
	struct dtask	*dt;

	if (d->tasks.nbuckets == 0)
		return (NULL);
	for (dt = d->tasks.names[hash_name(project, name) &
	    (d->tasks.nbuckets - 1)]; dt != NULL; dt = dt->nnext)
		if (strcmp(dt->t.task_name, name) == 0 &&
		    strcmp(dt->t.project_id, project) == 0)
			return (dt);
	return (NULL);
}

/*
 * Linux lets a long poll or epoll_wait end late by a thousandth of its
 * timeout (select_estimate_accuracy: up to 60 ms for libev's longest
 * block), so a task due in more than APPROACH seconds is first armed
 * APPROACH early; from there the wait is short, and so is the slack.
 */
#define APPROACH	0.1	/* the kernel's largest slack, 100 ms */

static void
arm_at(struct daemon *d, struct dtask *dt, int64_t at)
{
	dt->approaching = (double)at - ev_time() > APPROACH;
	ev_periodic_set(&dt->timer, dt->approaching ? (ev_tstamp)at - APPROACH :
	    (ev_tstamp)at, 0, 0);
	ev_periodic_start(d->loop, &dt->timer);
}

static void
fire_cb(struct ev_loop *loop, ev_periodic *w, int revents)
{
	struct dtask	*dt = container_of(w, struct dtask, timer);

	if (dt->approaching) {
		dt->approaching = false;
		ev_periodic_set(&dt->timer, (ev_tstamp)dt->next, 0, 0);
		ev_periodic_start(loop, &dt->timer);
		return;
	}
	dispatch_due(dt->d, dt);
}

/*
 * Arm a task for its next instant after now.  While skedd starts (it was
 * down: tasks loaded, task files edited meanwhile), a fire missed since
 * the last one is caught up once, now, if the task says FIRE_ONCE_NOW.
 */
void
tasks_arm(struct daemon *d, struct dtask *dt, int64_t now)
{
	int64_t	next, from;

	if (ev_is_active(&dt->timer))
		ev_periodic_stop(d->loop, &dt->timer);
	dt->next = 0;
	if (!dt->timed || !dt->t.is_enable || dt->removed || d->stopping)
		return;
	if (d->starting &&
	    dt->t.misfire_policy == TASK_MISFIRE_FIRE_ONCE_NOW) {
		from = dt->last_fire > 0 ? dt->last_fire : dt->create_ms / 1000;
		if (sched_next(&dt->sched, from, &next) == 0 && next <= now &&
		    next > 0) {
			/* the missed instant, fired now (dispatch_due) */
			dt->next = next;
			dt->catchup = true;
			arm_at(d, dt, now);
			return;
		}
	}
	if (sched_next(&dt->sched, now, &next) != 0)
		return;		/* never again (expired, past) */
	dt->next = next;
	arm_at(d, dt, next);
}

struct dtask *
tasks_add(struct daemon *d, struct task *t, int64_t create_ms,
    int64_t update_ms, int64_t last_fire, enum last_status st,
    const char *source)
{
	struct task_table	*tt = &d->tasks;
	struct dtask		*dt;
	char			 err[SCHED_ERRLEN];
	size_t			 h;
	int			 rc;

	if ((dt = calloc(1, sizeof *dt)) == NULL)
		abort();
	dt->t = *t;
	memset(t, 0, sizeof *t);
	dt->d = d;
	dt->serial = ++d->serial;
	dt->create_ms = create_ms;
	dt->update_ms = update_ms;
	dt->last_fire = last_fire;
	dt->last_status = st;
	/* no decision stored yet (tasks_load applies a stored one) */
	dt->approve = dt->t.enable_approve ? APPROVE_PENDING : APPROVE_NONE;
	dt->source = xstrdup(source);
	rc = task_schedule(&dt->t, d->zones, d->default_zone, &dt->sched, err,
	    sizeof err);
	if (rc < 0)	/* a zone file vanished since the task was checked */
		log_err("task %s (%s): %s; not armed", dt->t.id,
		    dt->t.task_name, err);
	dt->timed = rc == 0;
	ev_periodic_init(&dt->timer, fire_cb, 0, 0, 0);
	if (tt->count * 2 >= tt->nbuckets)
		table_grow(tt);
	h = hash_id(dt->t.id) & (tt->nbuckets - 1);
	dt->hnext = tt->buckets[h];
	tt->buckets[h] = dt;
	name_link(tt, dt);
	project_link(d, dt);
	if (tt->count == tt->cap) {
		tt->cap = tt->cap ? tt->cap * 2 : 1024;
		if ((tt->order = realloc(tt->order, tt->cap *
		    sizeof *tt->order)) == NULL)
			abort();
	}
	dt->pos = tt->count;
	tt->order[tt->count++] = dt;
	return (dt);
}

static void
dtask_free(struct dtask *dt)
{
	task_free(&dt->t);
	free(dt->source);
	free(dt->approve_comments);
	free(dt);
}

void
tasks_remove(struct daemon *d, struct dtask *dt)
{
	struct task_table	*tt = &d->tasks;
	struct dtask		**pp;
	size_t			  i;

	if (ev_is_active(&dt->timer))
		ev_periodic_stop(d->loop, &dt->timer);
	for (pp = &tt->buckets[hash_id(dt->t.id) & (tt->nbuckets - 1)];
	    *pp != NULL; pp = &(*pp)->hnext)
		if (*pp == dt) {
			*pp = dt->hnext;
			break;
		}
	name_unlink(tt, dt);
	project_unlink(dt);
	memmove(&tt->order[dt->pos], &tt->order[dt->pos + 1],
	    (tt->count - dt->pos - 1) * sizeof *tt->order);
	tt->count--;
	for (i = dt->pos; i < tt->count; i++)
		tt->order[i]->pos = i;
	dt->removed = true;
	if (dt->refs == 0)
		dtask_free(dt);
}

void
tasks_release(struct dtask *dt)
{
	if (--dt->refs == 0 && dt->removed)
		dtask_free(dt);
}

void
tasks_free(struct daemon *d)
{
	struct project	*p;
	size_t		 i;

	for (i = 0; i < d->tasks.count; i++) {
		if (ev_is_active(&d->tasks.order[i]->timer))
			ev_periodic_stop(d->loop, &d->tasks.order[i]->timer);
		dtask_free(d->tasks.order[i]);
	}
	while ((p = d->tasks.projects) != NULL) {
		d->tasks.projects = p->next;
		free(p->order);
		free(p->name);
		free(p);
	}
	free(d->tasks.order);
	free(d->tasks.buckets);
	free(d->tasks.names);
	memset(&d->tasks, 0, sizeof d->tasks);
}

/*
 * The numbers of STATUS= and the status route, in one walk over the tasks
 * (at start, reload and on request; never on the fire path).
 */
void
tasks_census(struct daemon *d, struct tasks_census *c)
{
	struct dtask	*dt;
	size_t		 i;

	memset(c, 0, sizeof *c);
	for (i = 0; i < d->tasks.count; i++) {
		dt = d->tasks.order[i];
		c->enabled += dt->t.is_enable;
		c->armed += ev_is_active(&dt->timer) != 0;
		if (dt->next > 0 && (c->next == 0 || dt->next < c->next)) {
			c->next = dt->next;
			c->next_task = dt;
		}
	}
}

void
tasks_set_approve(struct dtask *dt, const char *status, const char *comments)
{
	if (!dt->t.enable_approve)
		dt->approve = APPROVE_NONE;
	else if (status != NULL && strcmp(status, "PASSED") == 0)
		dt->approve = APPROVE_PASSED;
	else if (status != NULL && strcmp(status, "REJECTED") == 0)
		dt->approve = APPROVE_REJECTED;
	else
		dt->approve = APPROVE_PENDING;
	free(dt->approve_comments);
	dt->approve_comments = xstrdup(comments);
}

struct load_ctx {
	struct daemon	*d;
	int64_t		 now;
	size_t		 count;
};

static int
load_one(void *arg, struct task *t, const struct store_task_meta *m)
{
	struct load_ctx	*lc = arg;
	enum last_status st = ST_WAITING;
	struct dtask	*dt;

	(void)status_parse(m->last_status, &st);
	if (st == ST_RUNNING)	/* closed by dispatch_recover */
		st = ST_FAIL;
	dt = tasks_add(lc->d, t, m->create_ms, m->update_ms, m->last_fire, st,
	    m->source);
	free(t);
	tasks_set_approve(dt, m->approve_status, m->approve_comments);
	tasks_arm(lc->d, dt, lc->now);
	lc->count++;
	return (0);
}

/* Every task of the store, armed. */
int
tasks_load(struct daemon *d, struct errlist *errs)
{
	struct load_ctx	lc = { d, now_ms() / 1000, 0 };

	if (store_tasks_load(d->store, load_one, &lc) != 0) {
		errlist_add(errs, d->cfg.database, 0, 0, "%s",
		    store_error(d->store));
		return (-1);
	}
	log_info("%zu tasks loaded from %s", lc.count, d->cfg.database);
	return (0);
}

/* A stable id for a file task that names none: from project and name. */
static void
file_task_id(const struct task *t, char out[37])
{
	uint64_t	a = hash_id(t->project_id), b;
	char		buf[300];

	snprintf(buf, sizeof buf, "%s/%s", t->project_id, t->task_name);
	b = hash_id(buf);
	a ^= b * 0x9e3779b97f4a7c15ULL;
	/* shaped as a name-based UUID (version 8, RFC 9562) */
	snprintf(out, 37, "%08x-%04x-8%03x-%04x-%012llx",
	    (unsigned)(b >> 32), (unsigned)(b >> 16) & 0xffff,
	    (unsigned)b & 0xfff, (unsigned)(0x8000 | ((a >> 48) & 0x3fff)),
	    (unsigned long long)(a & 0xffffffffffffULL));
}

static bool
task_same(const struct task *a, const struct task *b)
{
	/*
	 * Compare the stored form: what a user could change in the file.
	 * Positions (line, column) do not count.
	 */
#define SAME_STR(f) ((a->f == NULL && b->f == NULL) || (a->f != NULL && \
	b->f != NULL && strcmp(a->f, b->f) == 0))
	size_t	i, j;

	if (!SAME_STR(task_name) || !SAME_STR(project_id) ||
	    !SAME_STR(task_type) || !SAME_STR(description) ||
	    !SAME_STR(week_list) || !SAME_STR(month_list) ||
	    !SAME_STR(date_list) || !SAME_STR(task_cron) ||
	    !SAME_STR(time_zone) || !SAME_STR(life_cycle_type) ||
	    !SAME_STR(input_param) || !SAME_STR(risk_level) ||
	    !SAME_STR(message_notification) || !SAME_STR(file))
		return (false);
	if (a->scheduled_type != b->scheduled_type ||
	    a->has_date != b->has_date || a->year != b->year ||
	    a->mon != b->mon || a->day != b->day ||
	    a->has_time != b->has_time || a->hour != b->hour ||
	    a->min != b->min || a->sec != b->sec ||
	    a->day_interval != b->day_interval ||
	    a->week_mask != b->week_mask || a->month_mask != b->month_mask ||
	    a->date_mask != b->date_mask || a->date_last != b->date_last ||
	    a->has_expire != b->has_expire || a->expire_ms != b->expire_ms ||
	    a->has_once != b->has_once || a->once_ms != b->once_ms ||
	    a->is_enable != b->is_enable ||
	    a->enforcement_enable != b->enforcement_enable ||
	    a->priority != b->priority || a->wait_time != b->wait_time ||
	    a->enable_approve != b->enable_approve ||
	    a->enable_message_notification !=
	    b->enable_message_notification ||
	    a->misfire_policy != b->misfire_policy ||
	    a->overlap_policy != b->overlap_policy ||
	    a->history_keep != b->history_keep || a->ntargets != b->ntargets)
		return (false);
	for (i = 0; i < a->ntargets; i++) {
		if (strcmp(a->targets[i].target_type,
		    b->targets[i].target_type) != 0 ||
		    a->targets[i].ntarget_ids != b->targets[i].ntarget_ids)
			return (false);
		for (j = 0; j < a->targets[i].ntarget_ids; j++)
			if (strcmp(a->targets[i].target_ids[j],
			    b->targets[i].target_ids[j]) != 0)
				return (false);
	}
	return (true);
#undef SAME_STR
}

/*
 * Replace a running task's definition in place: timers, counts and
 * references stay with the task; the name index and its project follow a
 * rename or a change of kind.
 */
void
tasks_replace(struct daemon *d, struct dtask *dt, struct task *t,
    const char *source, int64_t now)
{
	char	err[SCHED_ERRLEN];
	int	rc;
	bool	moved = strcmp(dt->t.project_id, t->project_id) != 0;

	name_unlink(&d->tasks, dt);
	if (moved)
		project_unlink(dt);
	else	/* keeps its place in the listing */
		dt->proj->nlisted += (t->scheduled_type != TASK_LIFE_CYCLE) -
		    (dt->t.scheduled_type != TASK_LIFE_CYCLE);
	task_free(&dt->t);
	dt->t = *t;
	memset(t, 0, sizeof *t);
	dt->serial = ++d->serial;
	name_link(&d->tasks, dt);
	if (moved)
		project_link(d, dt);
	/*
	 * A decision outlives a changed definition while approval is on;
	 * turning it off forgets it, so that turning it on again asks anew
	 * (after a restart too).
	 */
	if (!dt->t.enable_approve && dt->approve != APPROVE_NONE) {
		dt->approve = APPROVE_NONE;
		free(dt->approve_comments);
		dt->approve_comments = NULL;
		if (store_task_set_approve(d->store, dt->t.id, NULL, NULL) < 0)
			log_err("task %s: %s", dt->t.id,
			    store_error(d->store));
	} else if (dt->t.enable_approve && dt->approve == APPROVE_NONE)
		dt->approve = APPROVE_PENDING;
	free(dt->source);
	dt->source = xstrdup(source);
	dt->update_ms = now;
	rc = task_schedule(&dt->t, d->zones, d->default_zone, &dt->sched, err,
	    sizeof err);
	if (rc < 0)
		log_err("task %s (%s): %s; not armed", dt->t.id,
		    dt->t.task_name, err);
	dt->timed = rc == 0;
	tasks_arm(d, dt, now / 1000);
}

static bool
in_set(const struct config *cfg, const char *id)
{
	size_t	i;

	for (i = 0; i < cfg->tasks.count; i++)
		if (cfg->tasks.tasks[i].id != NULL &&
		    strcmp(cfg->tasks.tasks[i].id, id) == 0)
			return (true);
	return (false);
}

/*
 * Make the file tasks of the store and of the running set those of cfg:
 * new ones are added, changed ones replaced in place (same id, history
 * kept), vanished ones removed (history kept).  Unchanged tasks keep their
 * timers.  The store is written first, in one transaction; the running
 * set follows only when it committed.
 */
int
tasks_sync_files(struct daemon *d, struct config *cfg, struct errlist *errs)
{
	struct dtask	*dt, **gone = NULL;
	struct task	*t;
	struct store_task_meta m;
	char		 id[37];
	int64_t		 now = now_ms();
	size_t		 i, ngone = 0, added = 0, changed = 0;
	bool		*same;

	for (i = 0; i < cfg->tasks.count; i++) {
		t = &cfg->tasks.tasks[i];
		if (t->id == NULL) {
			file_task_id(t, id);
			if ((t->id = strdup(id)) == NULL)
				abort();
		}
		dt = tasks_find(d, t->id);
		if (dt != NULL && dt->source == NULL)
			errlist_add(errs, t->file, t->line, t->column, "id: "
			    "'%s' is the id of a task created through the "
			    "API", t->id);
		dt = tasks_find_name(d, t->project_id, t->task_name);
		if (dt != NULL && dt->source == NULL)
			errlist_add(errs, t->file, t->line, t->column,
			    "task_name: '%s' is the name of a task created "
			    "through the API in project %s", t->task_name,
			    t->project_id);
	}
	if (errs->count > 0)
		return (-1);
	if ((same = calloc(cfg->tasks.count + 1, sizeof *same)) == NULL ||
	    (gone = calloc(d->tasks.count + 1, sizeof *gone)) == NULL)
		abort();
	if (store_begin(d->store) != 0)
		goto fail;
	for (i = 0; i < cfg->tasks.count; i++) {
		t = &cfg->tasks.tasks[i];
		dt = tasks_find(d, t->id);
		if (dt != NULL && dt->source != NULL &&
		    strcmp(dt->source, t->file) == 0 && task_same(&dt->t, t)) {
			same[i] = true;
			continue;
		}
		memset(&m, 0, sizeof m);
		m.create_ms = dt != NULL ? dt->create_ms : now;
		m.update_ms = now;
		m.last_fire = dt != NULL ? dt->last_fire : 0;
		snprintf(m.last_status, sizeof m.last_status, "%s",
		    status_name(dt != NULL ? dt->last_status : ST_WAITING));
		m.source = t->file;
		if (store_task_put(d->store, t, &m) != 0)
			goto fail;
	}
	for (i = 0; i < d->tasks.count; i++) {
		dt = d->tasks.order[i];
		if (dt->source == NULL || in_set(cfg, dt->t.id))
			continue;
		if (store_task_delete(d->store, dt->t.id, now) != 0)
			goto fail;
		gone[ngone++] = dt;
	}
	if (store_commit(d->store) != 0)
		goto fail;

	for (i = 0; i < ngone; i++)
		tasks_remove(d, gone[i]);
	for (i = 0; i < cfg->tasks.count; i++) {
		if (same[i])
			continue;
		t = &cfg->tasks.tasks[i];
		dt = tasks_find(d, t->id);
		/* t->file moves into the task with t: still good after */
		if (dt != NULL) {
			tasks_replace(d, dt, t, t->file, now);
			changed++;
		} else {
			dt = tasks_add(d, t, now, now, 0, ST_WAITING, t->file);
			tasks_arm(d, dt, now / 1000);
			added++;
		}
	}
	free(same);
	free(gone);
	log_info("task files: %zu added, %zu changed, %zu removed", added,
	    changed, ngone);
	return (0);
fail:
	errlist_add(errs, d->cfg.database, 0, 0, "%s", store_error(d->store));
	(void)store_rollback(d->store);
	free(same);
	free(gone);
	return (-1);
}
