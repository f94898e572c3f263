/*
 * The task set: every task the daemon knows, by id and by (project, name)
 * (hash tables), in creation order per project (for listing), and in one
 * timer heap ordered by next instant.  One ev_periodic is armed for the
 * top of the heap, so arming, firing and re-arming are O(log n), and
 * libev re-evaluates that periodic against the wall clock when the clock
 * is set, so a stepped clock is seen at once.
 *
 * What stays in memory per task is struct dtask (skedd.h): what firing,
 * lookups, listing filters and the census need.  A task's definition
 * (struct tdef) is loaded from the store when it fires, is shown, listed
 * or changed, and kept in a bounded cache trimmed before the loop waits.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "skedd.h"
#include "store.h"
#include "tz.h"

#define SLAB_TASKS	4096	/* struct dtask per allocation */
#define DEF_CACHE_MAX	8192	/* definitions kept in memory */

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
	return (task_fnv(TASK_FNV_OFFSET, s));
}

static uint64_t
hash_name(const char *project, const char *name)
{
	uint64_t	h = task_fnv(TASK_FNV_OFFSET, project);

	/* a separator no project name holds: "a"+"bc" is not "ab"+"c" */
	h = (h ^ '/') * TASK_FNV_PRIME;
	return (task_fnv(h, name));
}

/* Interned words */

static void
words_rehash(struct words *w, size_t n)
{
	size_t	i, h;

	free(w->hash);
	if ((w->hash = calloc(n, sizeof *w->hash)) == NULL)
		abort();
	w->nhash = n;
	for (i = 1; i < w->n; i++) {
		for (h = hash_id(w->v[i]) & (n - 1); w->hash[h] != 0;
		    h = (h + 1) & (n - 1))
			continue;
		w->hash[h] = (uint32_t)i;
	}
}

/* The word of s, 0 when s is NULL or (without add) not interned. */
static uint32_t
words_get(struct words *w, const char *s, bool add)
{
	size_t	h;

	if (s == NULL || (w->n == 0 && !add))
		return (0);
	if (w->n == 0) {
		w->cap = 16;
		if ((w->v = calloc(w->cap, sizeof *w->v)) == NULL)
			abort();
		w->v[0] = xstrdup("");
		w->n = 1;
		words_rehash(w, 64);
	}
	for (h = hash_id(s) & (w->nhash - 1); w->hash[h] != 0;
	    h = (h + 1) & (w->nhash - 1))
		if (strcmp(w->v[w->hash[h]], s) == 0)
			return (w->hash[h]);
	if (!add)
		return (0);
	if (w->n == w->cap) {
		w->cap *= 2;
		if ((w->v = realloc(w->v, w->cap * sizeof *w->v)) == NULL)
			abort();
	}
	w->v[w->n] = xstrdup(s);
	w->hash[h] = (uint32_t)w->n;
	if (++w->n * 2 > w->nhash)
		words_rehash(w, w->nhash * 2);
	return ((uint32_t)w->n - 1);
}

static void
words_free(struct words *w)
{
	size_t	i;

	for (i = 0; i < w->n; i++)
		free(w->v[i]);
	free(w->v);
	free(w->hash);
	memset(w, 0, sizeof *w);
}

const char *
tasks_word(const struct daemon *d, uint32_t word)
{
	return (word < d->tasks.words.n ? d->tasks.words.v[word] : "");
}

uint32_t
tasks_word_find(struct daemon *d, const char *s, bool upper)
{
	char		*u;
	uint32_t	 w;
	size_t		 i;

	if (!upper)
		return (words_get(&d->tasks.words, s, false));
	u = xstrdup(s);
	for (i = 0; u[i] != '\0'; i++)
		u[i] = (char)toupper((unsigned char)u[i]);
	w = words_get(&d->tasks.words, u, false);
	free(u);
	return (w);
}

const char *
tasks_source(const struct daemon *d, const struct dtask *dt)
{
	return (dt->source != 0 ? tasks_word(d, dt->source) : NULL);
}

const struct tz *
tasks_zone(struct daemon *d, struct dtask *dt)
{
	const struct tdef	*def;
	const struct tz		*z;
	const char		*cause;

	if (dt->default_zone || (def = tasks_def(d, dt)) == NULL)
		return (d->default_zone);
	if (def->sched.tz != NULL)
		return (def->sched.tz);
	/* a ONCE instant needs no zone to fire, but is shown in its own */
	if (def->t.time_zone != NULL &&
	    tz_cache_get(d->zones, def->t.time_zone, &z, &cause) == 0)
		return (z);
	return (d->default_zone);
}

/* struct dtask from slabs: no allocator header per task */

static struct dtask *
dtask_alloc(struct task_table *tt)
{
	struct dtask	*dt, *slab;
	size_t		 i;

	if (tt->free == NULL) {
		if ((slab = calloc(SLAB_TASKS, sizeof *slab)) == NULL ||
		    (tt->slabs = realloc(tt->slabs, (tt->nslabs + 1) *
		    sizeof *tt->slabs)) == NULL)
			abort();
		tt->slabs[tt->nslabs++] = slab;
		for (i = SLAB_TASKS; i-- > 0;) {
			slab[i].hnext = tt->free;
			tt->free = &slab[i];
		}
	}
	dt = tt->free;
	tt->free = dt->hnext;
	memset(dt, 0, sizeof *dt);
	dt->heap = HEAP_NONE;
	return (dt);
}

static void
dtask_set_id(struct dtask *dt, const char *id)
{
	char	*p;

	if (strlen(id) < DTASK_ID_INLINE) {
		strcpy(dt->id_, id);
		dt->id_heap = 0;
		return;
	}
	p = xstrdup(id);
	memcpy(dt->id_, &p, sizeof p);
	dt->id_heap = 1;
}

/* Hash tables by id and by (project, name) */

static void
table_resize(struct task_table *tt, size_t n)
{
	struct dtask	**nb, **nn, *dt, *next;
	size_t		  i, h;

	if ((nb = calloc(n, sizeof *nb)) == NULL ||
	    (nn = calloc(n, sizeof *nn)) == NULL)
		abort();
	for (i = 0; i < tt->nbuckets; i++) {
		for (dt = tt->buckets[i]; dt != NULL; dt = next) {
			next = dt->hnext;
			h = hash_id(dtask_id(dt)) & (n - 1);
			dt->hnext = nb[h];
			nb[h] = dt;
		}
		for (dt = tt->names[i]; dt != NULL; dt = next) {
			next = dt->nnext;
			h = hash_name(dt->proj->name, dt->name) & (n - 1);
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
table_grow(struct task_table *tt)
{
	table_resize(tt, tt->nbuckets ? tt->nbuckets * 2 : 1024);
}

/* Room for n tasks at once: a load does not rehash as it goes. */
static void
tasks_reserve(struct daemon *d, size_t n)
{
	struct task_table	*tt = &d->tasks;
	size_t			 b = 1024;

	while (b < n)
		b *= 2;
	if (b > tt->nbuckets)
		table_resize(tt, b);
	if (n > tt->capheap) {
		tt->capheap = n;
		if ((tt->heap = realloc(tt->heap, n * sizeof *tt->heap)) ==
		    NULL)
			abort();
	}
}

static void
name_link(struct task_table *tt, struct dtask *dt)
{
	size_t	h = hash_name(dt->proj->name, dt->name) & (tt->nbuckets - 1);

	dt->nnext = tt->names[h];
	tt->names[h] = dt;
}

static void
name_unlink(struct task_table *tt, struct dtask *dt)
{
	struct dtask	**pp;

	for (pp = &tt->names[hash_name(dt->proj->name, dt->name) &
	    (tt->nbuckets - 1)]; *pp != NULL; pp = &(*pp)->nnext)
		if (*pp == dt) {
			*pp = dt->nnext;
			return;
		}
}

static void
id_unlink(struct task_table *tt, struct dtask *dt)
{
	struct dtask	**pp;

	for (pp = &tt->buckets[hash_id(dtask_id(dt)) & (tt->nbuckets - 1)];
	    *pp != NULL; pp = &(*pp)->hnext)
		if (*pp == dt) {
			*pp = dt->hnext;
			return;
		}
}

/* Projects: slots in creation order, a Fenwick tree over the occupied */

static void
fen_add(struct project *p, size_t slot, int delta)
{
	size_t	i;

	for (i = slot + 1; i <= p->cap; i += i & -i)
		p->fen[i] += (uint32_t)delta;
}

static void
fen_build(struct project *p)
{
	size_t	i, j;

	memset(p->fen, 0, (p->cap + 1) * sizeof *p->fen);
	for (i = 1; i <= p->cap; i++) {
		p->fen[i] += i <= p->nslots && p->slot[i - 1] != NULL;
		if ((j = i + (i & -i)) <= p->cap)
			p->fen[j] += p->fen[i];
	}
}

struct dtask *
tasks_project_at(struct project *p, size_t k)
{
	size_t	pos = 0, step;

	/* the slot with k occupied slots before it */
	for (step = 1; step * 2 <= p->cap; step *= 2)
		continue;
	for (; step > 0; step /= 2)
		if (pos + step <= p->cap && p->fen[pos + step] <= k) {
			pos += step;
			k -= p->fen[pos];
		}
	return (pos < p->nslots ? p->slot[pos] : NULL);
}

static void
project_compact(struct project *p)
{
	size_t	i, n = 0;

	for (i = 0; i < p->nslots; i++)
		if (p->slot[i] != NULL) {
			p->slot[n] = p->slot[i];
			p->slot[n]->ppos = (uint32_t)n;
			n++;
		}
	p->nslots = n;
	fen_build(p);
}

struct project *
tasks_project(struct daemon *d, const char *name)
{
	uint32_t	w = words_get(&d->tasks.pnames, name, false);

	return (w != 0 ? d->tasks.projects[w] : NULL);
}

static void
project_link(struct daemon *d, struct dtask *dt, const char *name)
{
	struct task_table	*tt = &d->tasks;
	struct project		*p;
	uint32_t		 w = words_get(&tt->pnames, name, true);

	if (w >= tt->capprojects) {
		/* projects[] follows the words */
		if ((tt->projects = realloc(tt->projects, tt->pnames.cap *
		    sizeof *tt->projects)) == NULL)
			abort();
		memset(&tt->projects[tt->capprojects], 0, (tt->pnames.cap -
		    tt->capprojects) * sizeof *tt->projects);
		tt->capprojects = tt->pnames.cap;
	}
	if (tt->projects[w] == NULL) {
		if ((p = calloc(1, sizeof *p)) == NULL)
			abort();
		p->name = tt->pnames.v[w];
		tt->projects[w] = p;
	}
	p = tt->projects[w];
	if (p->nslots == p->cap) {
		if (p->count < p->nslots / 2)
			project_compact(p);
		else {
			p->cap = p->cap ? p->cap * 2 : 64;
			if ((p->slot = realloc(p->slot, p->cap *
			    sizeof *p->slot)) == NULL ||
			    (p->fen = realloc(p->fen, (p->cap + 1) *
			    sizeof *p->fen)) == NULL)
				abort();
			fen_build(p);
		}
	}
	dt->proj = p;
	dt->ppos = (uint32_t)p->nslots;
	p->slot[p->nslots++] = dt;
	fen_add(p, dt->ppos, 1);
	p->count++;
	p->nlisted += dt->scheduled_type != TASK_LIFE_CYCLE;
}

/* O(log n): a hole, compacted away once holes outnumber tasks */
static void
project_unlink(struct dtask *dt)
{
	struct project	*p = dt->proj;

	p->slot[dt->ppos] = NULL;
	fen_add(p, dt->ppos, -1);
	p->count--;
	p->nlisted -= dt->scheduled_type != TASK_LIFE_CYCLE;
	if (p->nslots - p->count > p->count + 64)
		project_compact(p);
}

/* The timer heap (binary, by the instant each task is due) */

static int64_t
heap_key(const struct dtask *dt)
{
	return (dt->catchup ? 0 : dt->next);
}

static void
heap_set(struct task_table *tt, size_t i, struct dtask *dt)
{
	tt->heap[i] = dt;
	dt->heap = (uint32_t)i;
}

static void
heap_up(struct task_table *tt, size_t i)
{
	struct dtask	*dt = tt->heap[i];
	int64_t		 k = heap_key(dt);
	size_t		 parent;

	while (i > 0 && heap_key(tt->heap[parent = (i - 1) / 2]) > k) {
		heap_set(tt, i, tt->heap[parent]);
		i = parent;
	}
	heap_set(tt, i, dt);
}

static void
heap_down(struct task_table *tt, size_t i)
{
	struct dtask	*dt = tt->heap[i];
	int64_t		 k = heap_key(dt);
	size_t		 c;

	while ((c = 2 * i + 1) < tt->nheap) {
		if (c + 1 < tt->nheap &&
		    heap_key(tt->heap[c + 1]) < heap_key(tt->heap[c]))
			c++;
		if (heap_key(tt->heap[c]) >= k)
			break;
		heap_set(tt, i, tt->heap[c]);
		i = c;
	}
	heap_set(tt, i, dt);
}

static void
heap_insert(struct task_table *tt, struct dtask *dt)
{
	if (tt->nheap == tt->capheap) {
		tt->capheap = tt->capheap ? tt->capheap * 2 : 1024;
		if ((tt->heap = realloc(tt->heap, tt->capheap *
		    sizeof *tt->heap)) == NULL)
			abort();
	}
	heap_set(tt, tt->nheap++, dt);
	heap_up(tt, tt->nheap - 1);
}

static void
heap_remove(struct task_table *tt, struct dtask *dt)
{
	struct dtask	*last;
	size_t		 i = dt->heap;

	if (i == HEAP_NONE)
		return;
	dt->heap = HEAP_NONE;
	if (i != --tt->nheap) {
		last = tt->heap[tt->nheap];
		heap_set(tt, i, last);
		heap_up(tt, i);
		heap_down(tt, last->heap);
	}
}

/*
 * Linux lets a long poll or epoll_wait end late by a thousandth of its
 * timeout (select_estimate_accuracy: up to 60 ms for libev's longest
 * block), so a task due in more than APPROACH seconds is first waited for
 * until APPROACH early; from there the wait is short, and so is the slack.
 */
#define APPROACH	0.1	/* the kernel's largest slack, 100 ms */

static void
timer_update(struct daemon *d)
{
	struct task_table	*tt = &d->tasks;
	ev_tstamp		 at;
	bool			 early;

	if (tt->nheap == 0) {
		ev_periodic_stop(d->loop, &tt->timer);
		return;
	}
	at = (ev_tstamp)heap_key(tt->heap[0]);
	early = at - ev_time() > APPROACH;
	if (early)
		at -= APPROACH;
	if (ev_is_active(&tt->timer) && tt->timer.offset == at &&
	    tt->approaching == early)
		return;
	tt->approaching = early;
	ev_periodic_stop(d->loop, &tt->timer);
	ev_periodic_set(&tt->timer, at, 0, 0);
	ev_periodic_start(d->loop, &tt->timer);
}

static void
timer_cb(struct ev_loop *loop, ev_periodic *w, int revents)
{
	struct task_table	*tt = container_of(w, struct task_table, timer);
	struct daemon		*d = container_of(tt, struct daemon, tasks);
	struct dtask		*dt;
	double			 now = ev_time();
	size_t			 budget = tt->nheap;

	/* every task due; a re-armed one is due later, never again now */
	while (tt->nheap > 0 && budget-- > 0) {
		dt = tt->heap[0];
		if ((double)heap_key(dt) > now)
			break;
		heap_remove(tt, dt);
		dispatch_due(d, dt);
	}
	timer_update(d);
}

/* The definition cache */

static void
def_free(struct tdef *def)
{
	task_free(&def->t);
	free(def->approve_comments);
	free(def);
}

/* dt no longer uses its definition: freed now, or by its last execution */
static void
def_detach(struct task_table *tt, struct dtask *dt)
{
	struct tdef	*def = dt->def;

	if (def == NULL)
		return;
	TAILQ_REMOVE(&tt->lru, def, lru);
	tt->ndefs--;
	dt->def = NULL;
	def->dt = NULL;
	if (def->refs == 0)
		def_free(def);
}

/* A definition for dt from t (its strings move in), compiled. */
static struct tdef *
def_new(struct daemon *d, struct dtask *dt, struct task *t)
{
	struct task_table	*tt = &d->tasks;
	struct tdef		*def;
	char			 err[SCHED_ERRLEN];
	int			 rc;

	if ((def = calloc(1, sizeof *def)) == NULL)
		abort();
	def->t = *t;
	memset(t, 0, sizeof *t);
	def->dt = dt;
	rc = task_schedule(&def->t, d->zones, d->default_zone, &def->sched,
	    err, sizeof err);
	if (rc < 0)	/* a zone file vanished since the task was checked */
		log_err("task %s (%s): %s; not armed", dtask_id(dt), dt->name,
		    err);
	dt->timed = rc == 0;
	dt->def = def;
	TAILQ_INSERT_TAIL(&tt->lru, def, lru);
	tt->ndefs++;
	return (def);
}

struct tdef *
tasks_def(struct daemon *d, struct dtask *dt)
{
	struct task_table	*tt = &d->tasks;
	struct store_task_meta	 m;
	struct task		 t;
	struct tdef		*def;
	char			*comments;
	int			 rc;

	if ((def = dt->def) != NULL) {
		TAILQ_REMOVE(&tt->lru, def, lru);
		TAILQ_INSERT_TAIL(&tt->lru, def, lru);
		return (def);
	}
	if ((rc = store_task_get(d->store, dtask_id(dt), &t, &m,
	    &comments)) != 0) {
		log_err("task %s (%s): its definition cannot be read: %s",
		    dtask_id(dt), dt->name, store_error(d->store));
		return (NULL);
	}
	tt->def_loads++;
	def = def_new(d, dt, &t);
	def->create_ms = m.create_ms;
	def->update_ms = m.update_ms;
	def->approve_comments = comments;
	return (def);
}

struct tdef *
tasks_def_hold(struct daemon *d, struct dtask *dt)
{
	struct tdef	*def = tasks_def(d, dt);

	if (def != NULL)
		def->refs++;
	return (def);
}

void
tasks_def_drop(struct daemon *d, struct tdef *def)
{
	if (def != NULL && --def->refs == 0 && def->dt == NULL)
		def_free(def);
}

/* Forget the least recently used definitions beyond the cache's size. */
void
tasks_trim(struct daemon *d)
{
	struct task_table	*tt = &d->tasks;
	struct tdef		*def;
	size_t			 budget = tt->ndefs;

	while (tt->ndefs > tt->maxdefs && budget-- > 0 &&
	    (def = TAILQ_FIRST(&tt->lru)) != NULL) {
		if (def->refs > 0) {	/* running: kept, looked at later */
			TAILQ_REMOVE(&tt->lru, def, lru);
			TAILQ_INSERT_TAIL(&tt->lru, def, lru);
			continue;
		}
		def_detach(tt, def->dt);
	}
}

/* Before the loop waits: nothing holds a definition it did not take. */
static void
trim_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct task_table	*tt = container_of(w, struct task_table, trim);

	tasks_trim(container_of(tt, struct daemon, tasks));
}

void
tasks_init(struct daemon *d)
{
	struct task_table	*tt = &d->tasks;
	const char		*env = getenv("SKED_DEF_CACHE");

	memset(tt, 0, sizeof *tt);
	TAILQ_INIT(&tt->lru);
	/* SKED_DEF_CACHE: a smaller cache, so that tests reach the store */
	tt->maxdefs = env != NULL && atoi(env) > 0 ? (size_t)atoi(env) :
	    DEF_CACHE_MAX;
	table_grow(tt);
	ev_periodic_init(&tt->timer, timer_cb, 0, 0, 0);
	ev_prepare_init(&tt->trim, trim_cb);
	/* after dispatch's flush, which uses the definitions of the fires */
	ev_set_priority(&tt->trim, EV_MINPRI);
	ev_prepare_start(d->loop, &tt->trim);
}

struct dtask *
tasks_find(struct daemon *d, const char *id)
{
	struct dtask	*dt;

	if (d->tasks.nbuckets == 0)
		return (NULL);
	for (dt = d->tasks.buckets[hash_id(id) & (d->tasks.nbuckets - 1)];
	    dt != NULL; dt = dt->hnext)
		if (strcmp(dtask_id(dt), id) == 0)
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
		if (strcmp(dt->name, name) == 0 &&
		    strcmp(dt->proj->name, project) == 0)
			return (dt);
	return (NULL);
}

/*
 * Arm a task for its next instant after now.  While skedd starts (it was
 * down: tasks loaded, task files edited meanwhile), a fire missed since
 * the last one is caught up once, now, if the task says FIRE_ONCE_NOW.
 */
static void
arm_sched(struct daemon *d, struct dtask *dt, const struct sched *sched,
    int64_t create_ms, int64_t now)
{
	int64_t	next, from;

	/* once: fires while the rest loads re-arm with d->starting still on */
	if (d->starting && !dt->caught_up &&
	    dt->misfire_policy == TASK_MISFIRE_FIRE_ONCE_NOW) {
		from = dt->last_fire > 0 ? dt->last_fire : create_ms / 1000;
		if (sched_next(sched, from, &next) == 0 && next <= now &&
		    next > 0) {
			/* the missed instant, fired now (dispatch_due) */
			dt->next = next;
			dt->catchup = true;
			heap_insert(&d->tasks, dt);
			return;
		}
	}
	if (sched_next(sched, now, &next) == 0) {
		dt->next = next;
		heap_insert(&d->tasks, dt);
	}	/* else never again (expired, past) */
}

void
tasks_arm(struct daemon *d, struct dtask *dt, int64_t now)
{
	struct tdef	*def;

	heap_remove(&d->tasks, dt);
	dt->next = 0;
	dt->catchup = false;
	if (dt->timed && dt->is_enable && !dt->removed && !d->stopping &&
	    (def = tasks_def(d, dt)) != NULL && dt->timed)
		arm_sched(d, dt, &def->sched, def->create_ms, now);
	timer_update(d);
}

void
tasks_disarm_all(struct daemon *d)
{
	struct task_table	*tt = &d->tasks;

	while (tt->nheap > 0) {
		tt->heap[--tt->nheap]->heap = HEAP_NONE;
		tt->heap[tt->nheap]->next = 0;
		tt->heap[tt->nheap]->catchup = false;
	}
	ev_periodic_stop(d->loop, &tt->timer);
}

/* What of t the running set decides with, in dt. */
static void
resident_from(struct daemon *d, struct dtask *dt, const struct task *t,
    const char *source)
{
	struct task_table	*tt = &d->tasks;

	dt->task_type = words_get(&tt->words, t->task_type, true);
	dt->life_cycle_type = words_get(&tt->words, t->life_cycle_type, true);
	tt->nfile_tasks -= dt->source != 0;
	dt->source = words_get(&tt->words, source, true);
	tt->nfile_tasks += dt->source != 0;
	dt->scheduled_type = (uint8_t)t->scheduled_type;
	dt->misfire_policy = (uint8_t)t->misfire_policy;
	dt->overlap_policy = (uint8_t)t->overlap_policy;
	tt->nenabled -= dt->is_enable;
	dt->is_enable = t->is_enable;
	tt->nenabled += dt->is_enable;
	dt->enable_approve = t->enable_approve;
	dt->default_zone = t->time_zone == NULL;
	dt->serial = (uint32_t)++d->serial;
}

/* The resident part of a new task: linked, not armed, no definition. */
static struct dtask *
dtask_new(struct daemon *d, const struct task *t, const char *source,
    int64_t last_fire, enum last_status st)
{
	struct task_table	*tt = &d->tasks;
	struct dtask		*dt;
	size_t			 h;

	dt = dtask_alloc(tt);
	dtask_set_id(dt, t->id);
	dt->name = xstrdup(t->task_name);
	dt->last_fire = last_fire;
	dt->last_status = (uint8_t)st;
	resident_from(d, dt, t, source);
	/* no decision stored yet (tasks_load applies a stored one) */
	dt->approve = dt->enable_approve ? APPROVE_PENDING : APPROVE_NONE;
	project_link(d, dt, t->project_id);
	if (tt->count >= tt->nbuckets)
		table_grow(tt);
	h = hash_id(dtask_id(dt)) & (tt->nbuckets - 1);
	dt->hnext = tt->buckets[h];
	tt->buckets[h] = dt;
	name_link(tt, dt);
	tt->count++;
	return (dt);
}

struct dtask *
tasks_add(struct daemon *d, struct task *t, int64_t create_ms,
    int64_t update_ms, int64_t last_fire, enum last_status st,
    const char *source)
{
	struct dtask	*dt;
	struct tdef	*def;

	dt = dtask_new(d, t, source, last_fire, st);
	dt->digest = task_digest(t);
	def = def_new(d, dt, t);
	def->create_ms = create_ms;
	def->update_ms = update_ms;
	return (dt);
}

static void
dtask_free(struct daemon *d, struct dtask *dt)
{
	struct task_table	*tt = &d->tasks;
	char			*p;

	def_detach(tt, dt);
	if (dt->id_heap) {
		memcpy(&p, dt->id_, sizeof p);
		free(p);
	}
	free(dt->name);
	memset(dt, 0, sizeof *dt);
	dt->hnext = tt->free;
	tt->free = dt;
}

void
tasks_remove(struct daemon *d, struct dtask *dt)
{
	struct task_table	*tt = &d->tasks;

	heap_remove(tt, dt);
	timer_update(d);
	dt->next = 0;
	id_unlink(tt, dt);
	name_unlink(tt, dt);
	project_unlink(dt);
	tt->count--;
	tt->nfile_tasks -= dt->source != 0;
	tt->nenabled -= dt->is_enable;
	dt->removed = true;
	if (dt->refs == 0)
		dtask_free(d, dt);
}

void
tasks_release(struct daemon *d, struct dtask *dt)
{
	if (--dt->refs == 0 && dt->removed)
		dtask_free(d, dt);
}

void
tasks_free(struct daemon *d)
{
	struct task_table	*tt = &d->tasks;
	struct project		*p;
	struct tdef		*def;
	struct dtask		*dt;
	size_t			 i, k;

	ev_periodic_stop(d->loop, &tt->timer);
	ev_prepare_stop(d->loop, &tt->trim);
	/* removed tasks still referenced are in no project: the slabs */
	for (i = 0; i < tt->nslabs; i++)
		for (k = 0; k < SLAB_TASKS; k++) {
			dt = &tt->slabs[i][k];
			if (dt->name != NULL)
				dtask_free(d, dt);
		}
	while ((def = TAILQ_FIRST(&tt->lru)) != NULL) {
		TAILQ_REMOVE(&tt->lru, def, lru);
		def_free(def);
	}
	for (i = 0; i < tt->pnames.n; i++)
		if ((p = tt->projects[i]) != NULL) {
			free(p->slot);
			free(p->fen);
			free(p);
		}
	for (i = 0; i < tt->nslabs; i++)
		free(tt->slabs[i]);
	free(tt->slabs);
	free(tt->projects);
	words_free(&tt->words);
	words_free(&tt->pnames);
	free(tt->heap);
	free(tt->buckets);
	free(tt->names);
	memset(tt, 0, sizeof *tt);
}

/* The numbers of STATUS= and the status route: counted as they change. */
void
tasks_census(struct daemon *d, struct tasks_census *c)
{
	memset(c, 0, sizeof *c);
	c->enabled = d->tasks.nenabled;
	c->armed = d->tasks.nheap;
	if (d->tasks.nheap > 0) {
		c->next_task = d->tasks.heap[0];
		c->next = c->next_task->next;
	}
}

void
tasks_set_approve(struct daemon *d, struct dtask *dt, const char *status,
    const char *comments)
{
	if (!dt->enable_approve)
		dt->approve = APPROVE_NONE;
	else if (status != NULL && strcmp(status, "PASSED") == 0)
		dt->approve = APPROVE_PASSED;
	else if (status != NULL && strcmp(status, "REJECTED") == 0)
		dt->approve = APPROVE_REJECTED;
	else
		dt->approve = APPROVE_PENDING;
	if (dt->def != NULL) {
		free(dt->def->approve_comments);
		dt->def->approve_comments = xstrdup(comments);
	}
}

static int
load_one(void *arg, const struct task *t, const struct store_task_meta *m,
    uint64_t digest)
{
	struct daemon	*d = arg;
	enum last_status st = ST_WAITING;
	struct dtask	*dt;
	struct sched	 s;
	char		 err[SCHED_ERRLEN];
	int		 rc;

	(void)status_parse(m->last_status, &st);
	if (st == ST_RUNNING)	/* closed by dispatch_recover */
		st = ST_FAIL;
	/* no lookup: nothing is created while the tasks load (503) */
	/* the task as the row has it: compiled here, not kept */
	dt = dtask_new(d, t, m->source, m->last_fire, st);
	dt->digest = digest;
	tasks_set_approve(d, dt, m->approve_status, NULL);
	rc = task_schedule(t, d->zones, d->default_zone, &s, err, sizeof err);
	if (rc < 0)
		log_err("task %s (%s): %s; not armed", t->id, t->task_name,
		    err);
	dt->timed = rc == 0;
	/* from the instant the load began: a fire due meanwhile is late,
	   not lost */
	if (dt->timed && dt->is_enable)
		arm_sched(d, dt, &s, m->create_ms, d->tasks.load_from);
	d->tasks.loaded++;
	return (0);
}

void
tasks_load_begin(struct daemon *d)
{
	int64_t	n;

	d->tasks.load_from = now_ms() / 1000;
	d->tasks.loaded = 0;
	d->tasks.loading = true;
	if (store_tasks_count(d->store, &n) == 0) {
		d->tasks.load_total = (size_t)n;
		tasks_reserve(d, d->tasks.count + (size_t)n);
	}
}

int
tasks_load_some(struct daemon *d, size_t max, bool *done,
    struct errlist *errs)
{
	int	rc;

	rc = store_tasks_scan_some(d->store, load_one, d, max, done);
	timer_update(d);
	if (rc != 0)
		errlist_add(errs, d->cfg.database, 0, 0, "%s",
		    store_error(d->store));
	if (*done) {
		d->tasks.loading = false;
		log_info("%zu tasks loaded from %s", d->tasks.loaded,
		    d->cfg.database);
	}
	return (rc != 0 ? -1 : 0);
}

/* Every task of the store, armed. */
int
tasks_load(struct daemon *d, struct errlist *errs)
{
	bool	done;

	tasks_load_begin(d);
	return (tasks_load_some(d, SIZE_MAX, &done, errs));
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

/*
 * Replace a running task's definition in place: timers, counts and
 * references stay with the task; the name index and its project follow a
 * rename or a change of kind.
 */
void
tasks_replace(struct daemon *d, struct dtask *dt, struct task *t,
    const char *source, int64_t now)
{
	struct task_table	*tt = &d->tasks;
	struct tdef		*old, *def;
	char			*comments;
	int64_t			 create_ms;
	bool			 moved = strcmp(dt->proj->name,
				    t->project_id) != 0;
	bool			 lifecycle = dt->scheduled_type ==
				    TASK_LIFE_CYCLE;

	old = tasks_def(d, dt);
	create_ms = old != NULL ? old->create_ms : now;
	comments = old != NULL ? xstrdup(old->approve_comments) : NULL;
	def_detach(tt, dt);	/* old may be gone now */
	name_unlink(tt, dt);
	if (moved)
		project_unlink(dt);
	free(dt->name);
	dt->name = xstrdup(t->task_name);
	resident_from(d, dt, t, source);
	dt->digest = task_digest(t);
	if (moved)
		project_link(d, dt, t->project_id);
	else	/* keeps its place in the listing */
		dt->proj->nlisted += (dt->scheduled_type != TASK_LIFE_CYCLE) -
		    !lifecycle;
	name_link(tt, dt);
	def = def_new(d, dt, t);
	def->create_ms = create_ms;
	def->update_ms = now;
	/*
	 * A decision outlives a changed definition while approval is on;
	 * turning it off forgets it, so that turning it on again asks anew
	 * (after a restart too).
	 */
	if (!dt->enable_approve && dt->approve != APPROVE_NONE) {
		dt->approve = APPROVE_NONE;
		if (store_task_set_approve(d->store, dtask_id(dt), NULL,
		    NULL) < 0)
			log_err("task %s: %s", dtask_id(dt),
			    store_error(d->store));
	} else if (dt->enable_approve) {
		if (dt->approve == APPROVE_NONE)
			dt->approve = APPROVE_PENDING;
		else {	/* the decision's words stay */
			def->approve_comments = comments;
			comments = NULL;
		}
	}
	free(comments);
	tasks_arm(d, dt, now / 1000);
}

/*
 * After a change of the default zone: the tasks without a time_zone of
 * their own are compiled again (their definitions reloaded) and re-armed.
 */
void
tasks_rezone(struct daemon *d)
{
	struct dtask	*dt;
	size_t		 p, i, n = 0;
	int64_t		 now = now_ms() / 1000;

	TASKS_FOREACH(d, p, i, dt) {
		if (!dt->default_zone)
			continue;
		def_detach(&d->tasks, dt);
		dt->timed = dt->scheduled_type != TASK_LIFE_CYCLE;
		tasks_arm(d, dt, now);
		if (++n % 1024 == 0)
			tasks_trim(d);
	}
}

static void
unsee(struct daemon *d, struct config *cfg)
{
	struct dtask	*dt;
	size_t		 i;

	for (i = 0; i < cfg->tasks.count; i++)
		if (cfg->tasks.tasks[i].id != NULL &&
		    (dt = tasks_find(d, cfg->tasks.tasks[i].id)) != NULL)
			dt->seen = false;
}

/*
 * Make the file tasks of the store and of the running set those of cfg:
 * new ones are added, changed ones replaced in place (same id, history
 * kept), vanished ones removed (history kept).  Unchanged tasks keep their
 * timers.  The store is written first, in one transaction; the running
 * set follows only when it committed.  Everything is a hash lookup or a
 * walk: O(n) in the tasks.
 */
/*
 * The files cfg did not read (unchanged), by word: their tasks stay as
 * they are.  NULL when it read them all.
 */
static bool *
unchanged_words(struct daemon *d, const struct config *cfg)
{
	bool		*keep = NULL;
	uint32_t	 w;
	size_t		 i;

	for (i = 0; i < cfg->nfiles; i++) {
		if (cfg->files[i].read ||
		    (w = words_get(&d->tasks.words, cfg->files[i].path,
		    false)) == 0)
			continue;
		if (keep == NULL && (keep = calloc(d->tasks.words.n,
		    sizeof *keep)) == NULL)
			abort();
		keep[w] = true;
	}
	return (keep);
}

/* The stored fingerprints follow the files just synced. */
static int
put_files(struct daemon *d, const struct config *cfg)
{
	struct store_file	*f;
	size_t			 i;
	int			 rc;

	if ((f = calloc(cfg->nfiles + 1, sizeof *f)) == NULL)
		abort();
	for (i = 0; i < cfg->nfiles; i++) {
		f[i].path = cfg->files[i].path;
		f[i].dev = cfg->files[i].dev;
		f[i].ino = cfg->files[i].ino;
		f[i].size = cfg->files[i].size;
		f[i].mtime_ns = cfg->files[i].mtime_ns;
		f[i].ctime_ns = cfg->files[i].ctime_ns;
	}
	rc = store_files_replace(d->store, f, cfg->nfiles);
	free(f);
	return (rc);
}

int
tasks_sync_files(struct daemon *d, struct config *cfg, struct errlist *errs)
{
	struct dtask	*dt, **gone = NULL;
	struct tdef	*def;
	struct task	*t;
	struct store_task_meta m;
	char		 id[37];
	int64_t		 now = now_ms();
	size_t		 i, p, k, ngone = 0, added = 0, changed = 0;
	bool		*same, *keep = unchanged_words(d, cfg), named;
	int		 rc = -1;

	for (i = 0; i < cfg->tasks.count; i++) {
		t = &cfg->tasks.tasks[i];
		if ((named = t->id == NULL)) {
			file_task_id(t, id);
			t->id = xstrdup(id);
		}
		dt = tasks_find(d, t->id);
		/* an id from the name: the name is what the user gave */
		if (named && dt != NULL && dt->source != 0)
			dt = NULL;
		if (dt != NULL && dt->source == 0)
			errlist_add(errs, t->file, t->line, t->column, "id: "
			    "'%s' is the id of a task created through the "
			    "API", t->id);
		else if (dt != NULL && keep != NULL && keep[dt->source])
			errlist_add(errs, t->file, t->line, t->column, "id: "
			    "'%s' is also the id of task %s in %s", t->id,
			    dt->name, tasks_source(d, dt));
		dt = tasks_find_name(d, t->project_id, t->task_name);
		if (dt != NULL && dt->source == 0)
			errlist_add(errs, t->file, t->line, t->column,
			    "task_name: '%s' is the name of a task created "
			    "through the API in project %s", t->task_name,
			    t->project_id);
		else if (dt != NULL && keep != NULL && keep[dt->source] &&
		    (named || strcmp(dtask_id(dt), t->id) != 0))
			errlist_add(errs, t->file, t->line, t->column,
			    "task_name: '%s' is also the name of task %s in %s "
			    "in project %s", t->task_name, dtask_id(dt),
			    tasks_source(d, dt), t->project_id);
	}
	if (errs->count > 0) {
		free(keep);
		return (-1);
	}
	tasks_reserve(d, d->tasks.count + cfg->tasks.count);
	if ((same = calloc(cfg->tasks.count + 1, sizeof *same)) == NULL ||
	    (gone = calloc(d->tasks.count + 1, sizeof *gone)) == NULL)
		abort();
	for (i = 0; i < cfg->tasks.count; i++) {
		t = &cfg->tasks.tasks[i];
		if ((dt = tasks_find(d, t->id)) == NULL)
			continue;
		dt->seen = true;
		/* a row from before digests: its definition tells */
		if (dt->digest == 0 && (def = tasks_def(d, dt)) != NULL)
			dt->digest = task_digest(&def->t);
		same[i] = dt->source != 0 &&
		    strcmp(tasks_source(d, dt), t->file) == 0 &&
		    dt->digest == task_digest(t);
	}
	if (store_begin(d->store) != 0)
		goto fail;
	for (i = 0; i < cfg->tasks.count; i++) {
		if (same[i])
			continue;
		t = &cfg->tasks.tasks[i];
		dt = tasks_find(d, t->id);
		def = dt != NULL ? tasks_def(d, dt) : NULL;
		memset(&m, 0, sizeof m);
		m.create_ms = def != NULL ? def->create_ms : now;
		m.update_ms = now;
		m.last_fire = dt != NULL ? dt->last_fire : 0;
		snprintf(m.last_status, sizeof m.last_status, "%s",
		    status_name(dt != NULL ? dt->last_status : ST_WAITING));
		m.source = t->file;
		if (store_task_put(d->store, t, &m) != 0)
			goto fail;
	}
	TASKS_FOREACH(d, p, k, dt) {
		if (dt->source == 0 || dt->seen ||
		    (keep != NULL && keep[dt->source]))
			continue;
		if (store_task_delete(d->store, dtask_id(dt), now) != 0)
			goto fail;
		gone[ngone++] = dt;
	}
	unsee(d, cfg);
	if (put_files(d, cfg) != 0 || store_commit(d->store) != 0)
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
		if ((added + changed) % 1024 == 0)
			tasks_trim(d);
	}
	for (i = k = 0; i < cfg->nfiles; i++)
		k += !cfg->files[i].read;
	log_info("task files: %zu added, %zu changed, %zu removed; %zu of "
	    "%zu files unchanged, not read", added, changed, ngone, k,
	    cfg->nfiles);
	/*
	 * The tasks read are the running set's now (or the same as its):
	 * a million of them would keep 270 MB of husks.
	 */
	task_set_free(&cfg->tasks);
	tasks_trim(d);
	malloc_trim(0);
	rc = 0;
	goto out;
fail:
	errlist_add(errs, d->cfg.database, 0, 0, "%s", store_error(d->store));
	(void)store_rollback(d->store);
	unsee(d, cfg);
out:
	free(keep);
	free(same);
	free(gone);
	return (rc);
}

/*
 * Cluster: another node changed a task.  Its row is the truth; the task
 * here becomes what the row says (armed at once), and keeps its
 * executions running with the definition they hold.
 */
void
tasks_refresh(struct daemon *d, const char *id, bool deleted)
{
	struct dtask		*dt = tasks_find(d, id);
	struct store_task_meta	 m;
	struct task		 t;
	enum last_status	 st = ST_WAITING;
	char			*comments = NULL, *source;
	int64_t			 now = now_ms();
	int			 rc;

	if (deleted) {
		if (dt != NULL) {
			log_info("task %s (%s): deleted on another node",
			    dt->name, id);
			tasks_remove(d, dt);
		}
		return;
	}
	if (dt == NULL && d->tasks.loading)
		return;		/* a new row: the loader reads it later */
	if ((rc = store_task_get(d->store, id, &t, &m, &comments)) != 0) {
		if (rc < 0) {
			log_err("task %s: reading a change of another node: "
			    "%s", id, store_error(d->store));
			cluster_check(d);
		}
		return;
	}
	(void)status_parse(m.last_status, &st);
	if (dt != NULL && dt->digest == task_digest(&t)) {
		task_free(&t);
		dt->last_status = st;
	} else if (dt == NULL) {
		source = xstrdup(t.file);
		dt = tasks_add(d, &t, m.create_ms, m.update_ms, m.last_fire,
		    st, source);
		free(source);
		tasks_arm(d, dt, now / 1000);
		log_info("task %s (%s): created on another node", dt->name, id);
	} else {
		source = xstrdup(t.file);
		tasks_replace(d, dt, &t, source, now);
		free(source);
		log_info("task %s (%s): changed on another node", dt->name, id);
	}
	tasks_set_approve(d, dt, m.approve_status, comments);
	free(comments);
	tasks_trim(d);
}

struct refresh_walk {
	struct daemon	 *d;
	char		**ids;		/* changed or new */
	size_t		  n, cap;
};

static int
refresh_one(void *arg, const struct task *t, const struct store_task_meta *m,
    uint64_t digest)
{
	struct refresh_walk	*w = arg;
	struct dtask		*dt = tasks_find(w->d, t->id);
	enum last_status	 st = ST_WAITING;

	if (dt != NULL) {
		dt->seen = 1;
		(void)status_parse(m->last_status, &st);
		dt->last_status = st;
		if (digest == dt->digest && !dt->enable_approve)
			return (0);
	}
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 64;
		if ((w->ids = realloc(w->ids, w->cap * sizeof *w->ids)) ==
		    NULL)
			abort();
	}
	w->ids[w->n++] = xstrdup(t->id);
	return (0);
}

/*
 * After the database was away: notifications sent meanwhile are lost, so
 * every row is compared with what is armed here (by digest), and what is
 * not in the store any more goes.
 */
void
tasks_refresh_all(struct daemon *d)
{
	struct refresh_walk	 w = { d, NULL, 0, 0 };
	struct dtask		*dt, **gone = NULL;
	size_t			 p, i, ngone = 0;

	if (d->tasks.loading)
		return;		/* the loader is reading every row anyway */
	TASKS_FOREACH(d, p, i, dt)
		dt->seen = 0;
	if (store_tasks_scan(d->store, refresh_one, &w) != 0) {
		log_err("cluster: comparing the tasks with the store: %s",
		    store_error(d->store));
		cluster_check(d);
		goto out;
	}
	if ((gone = calloc(d->tasks.count + 1, sizeof *gone)) == NULL)
		abort();
	TASKS_FOREACH(d, p, i, dt)
		if (!dt->seen)
			gone[ngone++] = dt;
	for (i = 0; i < ngone; i++)
		tasks_refresh(d, dtask_id(gone[i]), true);
	for (i = 0; i < w.n; i++)
		tasks_refresh(d, w.ids[i], false);
	if (w.n + ngone > 0)
		log_notice("cluster: %zu tasks changed and %zu deleted while "
		    "the database was away", w.n, ngone);
out:
	for (i = 0; i < w.n; i++)
		free(w.ids[i]);
	free(w.ids);
	free(gone);
}
