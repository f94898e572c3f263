/*
 * Cluster mode (SPEC section 7): several skedd nodes on one PostgreSQL
 * store.  Every node has every task armed; what makes an occurrence fire
 * once is the store: its execution row is unique by (task id, scheduled
 * instant), so of the nodes that claim it one wins and the others do
 * nothing.
 *
 * The load is shared without a lock and without a leader: for each
 * occurrence the nodes alive rank themselves by a hash of (task id,
 * instant, node name), the highest-ranked one claims it when it is due and
 * every other node claims it BACKUP_DELAY (dispatch.c) later.  While the owner lives
 * the backups' claims find the row and cost one index probe; when it has
 * died, the first backup fires the occurrence that much late, so none is
 * lost in the seconds before the owner is declared dead.
 *
 * A node beats every cluster_heartbeat seconds (its row in the nodes
 * table, the database's clock); one silent for cluster_dead_after seconds
 * is declared dead by one survivor (row lock, SKIP LOCKED), which closes
 * its RUNNING subtasks as FAIL "node NAME lost".  Changes made through any
 * node's API are sent as notifications (LISTEN/NOTIFY, on commit) and
 * applied by the others.  When the database goes away the node keeps its
 * loop, claims nothing (a fire that cannot be recorded is kept here and
 * claimed after the reconnection), answers writes with 503 and reconnects
 * with backoff.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <jansson.h>

#include "log.h"
#include "skedd.h"
#include "store.h"
#include "views.h"

#define RECONNECT_MIN	0.5	/* s, doubled up to RECONNECT_MAX */
#define RECONNECT_MAX	10.0
#define PENDING_MAX	1000000	/* occurrences kept for a later claim */

/* An occurrence to claim later: as a backup, too early, or not recorded. */
struct pending {
	struct dtask	*dt;		/* holds a ref */
	int64_t		 scheduled;	/* s */
	ev_tstamp	 due;		/* ev_time() */
};

struct cluster {
	struct daemon	*d;
	char		 name[64];
	uint64_t	 incarnation;
	ev_timer	 beat;
	ev_io		 listen;
	ev_prepare	 drain;		/* notifications read with replies */
	ev_timer	 reconnect;
	double		 backoff;
	bool		 lost;
	ev_tstamp	 beating_since;	/* connected and beating, ev_time() */
	int64_t		 fired;		/* occurrences this node claimed */
	/* the nodes alive at the last beat, by name; this one among them */
	char		**alive;
	size_t		  nalive;
	/* a binary min-heap by due */
	struct pending	*pend;
	size_t		  npend, cappend;
	ev_timer	  pend_timer;
};

static void	beat_cb(struct ev_loop *, ev_timer *, int);

static void
set_alive(struct cluster *c, char **names, size_t n)
{
	size_t	i;

	for (i = 0; i < c->nalive; i++)
		free(c->alive[i]);
	free(c->alive);
	c->alive = names;
	c->nalive = n;
}

/* splitmix64's finaliser over FNV-1a: a score uniform over the nodes */
static uint64_t
score(const char *task_id, int64_t scheduled, const char *node)
{
	char		buf[24];
	uint64_t	h;

	snprintf(buf, sizeof buf, "%" PRId64, scheduled);
	h = task_fnv(task_fnv(task_fnv(UINT64_C(0xcbf29ce484222325),
	    task_id), buf), node);
	h ^= h >> 30;
	h *= UINT64_C(0xbf58476d1ce4e5b9);
	h ^= h >> 27;
	h *= UINT64_C(0x94d049bb133111eb);
	return (h ^ (h >> 31));
}

bool
cluster_owns(struct daemon *d, struct dtask *dt, int64_t scheduled)
{
	struct cluster	*c = d->cluster;
	uint64_t	 mine, s;
	size_t		 i;

	if (c == NULL || c->nalive == 0)
		return (true);
	mine = score(dtask_id(dt), scheduled, c->name);
	for (i = 0; i < c->nalive; i++) {
		if (strcmp(c->alive[i], c->name) == 0)
			continue;
		s = score(dtask_id(dt), scheduled, c->alive[i]);
		if (s > mine || (s == mine && strcmp(c->alive[i], c->name) < 0))
			return (false);
	}
	return (true);
}

const char *
cluster_name(const struct daemon *d)
{
	return (d->cluster != NULL ? d->cluster->name : NULL);
}

bool
cluster_lost(const struct daemon *d)
{
	return (d->cluster != NULL && d->cluster->lost);
}

/* The pending heap. */
static void
pend_swap(struct pending *a, struct pending *b)
{
	struct pending	t = *a;

	*a = *b;
	*b = t;
}

static void
pend_arm(struct cluster *c)
{
	struct ev_loop	*loop = c->d->loop;
	ev_tstamp	 after;

	ev_timer_stop(loop, &c->pend_timer);
	if (c->npend == 0 || c->lost)
		return;
	after = c->pend[0].due - ev_time();
	ev_timer_set(&c->pend_timer, after > 0 ? after : 0, 0);
	ev_timer_start(loop, &c->pend_timer);
}

void
cluster_defer(struct daemon *d, struct dtask *dt, int64_t scheduled,
    double after)
{
	struct cluster	*c = d->cluster;
	size_t		 i, up;

	if (c->npend >= PENDING_MAX) {
		log_err("task %s (%s): %zu occurrences wait for a claim "
		    "already; the one at %lld is dropped", dt->name,
		    dtask_id(dt), c->npend, (long long)scheduled);
		return;
	}
	if (c->npend == c->cappend) {
		c->cappend = c->cappend ? c->cappend * 2 : 256;
		if ((c->pend = realloc(c->pend, c->cappend * sizeof *c->pend))
		    == NULL)
			abort();
	}
	i = c->npend++;
	c->pend[i].dt = dt;
	c->pend[i].scheduled = scheduled;
	c->pend[i].due = ev_time() + after;
	dt->refs++;
	while (i > 0 && c->pend[up = (i - 1) / 2].due > c->pend[i].due) {
		pend_swap(&c->pend[up], &c->pend[i]);
		i = up;
	}
	if (i == 0)
		pend_arm(c);
}

static struct pending
pend_pop(struct cluster *c)
{
	struct pending	top = c->pend[0];
	size_t		i = 0, l, m;

	c->pend[0] = c->pend[--c->npend];
	for (;;) {
		l = 2 * i + 1;
		m = i;
		if (l < c->npend && c->pend[l].due < c->pend[m].due)
			m = l;
		if (l + 1 < c->npend && c->pend[l + 1].due < c->pend[m].due)
			m = l + 1;
		if (m == i)
			break;
		pend_swap(&c->pend[i], &c->pend[m]);
		i = m;
	}
	return (top);
}

static void
pend_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct cluster	*c = container_of(w, struct cluster, pend_timer);
	struct daemon	*d = c->d;
	struct pending	*due;
	struct claim	*claims;
	ev_tstamp	 now = ev_time();
	size_t		 i, n = 0, k = 0;

	if ((due = calloc(c->npend + 1, sizeof *due)) == NULL ||
	    (claims = calloc(c->npend + 1, sizeof *claims)) == NULL)
		abort();
	while (c->npend > 0 && c->pend[0].due <= now)
		due[n++] = pend_pop(c);
	for (i = 0; i < n; i++) {
		if (due[i].dt->removed || d->stopping)
			;
		else if (now - (double)due[i].scheduled >
		    d->cfg.misfire_threshold)
			log_warn("task %s (%s): the occurrence at %lld could "
			    "not be claimed within misfire_threshold (%d s); "
			    "missed", due[i].dt->name, dtask_id(due[i].dt),
			    (long long)due[i].scheduled,
			    d->cfg.misfire_threshold);
		else {
			claims[k].dt = due[i].dt;
			claims[k++].scheduled = due[i].scheduled;
			continue;	/* holds its ref through the claim */
		}
		tasks_release(d, due[i].dt);
	}
	dispatch_claims(d, claims, k);
	for (i = 0; i < k; i++)
		tasks_release(d, claims[i].dt);
	free(due);
	free(claims);
	pend_arm(c);
}

/* Notifications from the other nodes: "put ID", "del ID", ... */
static void
on_notify(void *arg, const char *payload)
{
	struct daemon	*d = arg;
	const char	*sp = strchr(payload, ' ');
	char		 kind[16];
	size_t		 n;

	if (sp == NULL || (n = (size_t)(sp - payload)) >= sizeof kind)
		return;
	memcpy(kind, payload, n);
	kind[n] = '\0';
	log_debug("cluster: %s", payload);
	if (strcmp(kind, "put") == 0 || strcmp(kind, "del") == 0)
		tasks_refresh(d, sp + 1, kind[0] == 'd');
	else if (strcmp(kind, "planned") == 0)
		planned_refresh(d, sp + 1);
}

static void
drain(struct cluster *c)
{
	if (!c->lost)
		(void)store_notifications(c->d->store, on_notify, c->d);
}

static void
listen_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	drain(container_of(w, struct cluster, listen));
}

static void
drain_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	drain(container_of(w, struct cluster, drain));
}

static int
start_listening(struct cluster *c)
{
	int	fd;

	if (store_listen(c->d->store, &fd) != 0)
		return (-1);
	if (ev_is_active(&c->listen))
		ev_io_stop(c->d->loop, &c->listen);
	if (fd >= 0) {
		ev_io_set(&c->listen, fd, EV_READ);
		ev_io_start(c->d->loop, &c->listen);
	}
	return (0);
}

/* The store said it lost the connection: stop claiming, reconnect. */
static void
went_away(struct cluster *c)
{
	struct ev_loop	*loop = c->d->loop;

	if (c->lost)
		return;
	c->lost = true;
	log_err("cluster: %s; claiming nothing, writes answered 503, "
	    "reconnecting", store_error(c->d->store));
	if (ev_is_active(&c->listen))
		ev_io_stop(loop, &c->listen);
	ev_timer_stop(loop, &c->pend_timer);
	c->backoff = RECONNECT_MIN;
	ev_timer_set(&c->reconnect, c->backoff, 0);
	ev_timer_start(loop, &c->reconnect);
}

void
cluster_check(struct daemon *d)
{
	if (d->cluster != NULL && !d->cluster->lost && store_lost(d->store))
		went_away(d->cluster);
}

static void
reconnect_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct cluster	*c = container_of(w, struct cluster, reconnect);
	struct daemon	*d = c->d;
	int64_t		 db_now;
	int		 rc;

	if (store_reconnect(d->store) != 0 || start_listening(c) != 0) {
		c->backoff = fmin(c->backoff * 2, RECONNECT_MAX);
		log_warn("cluster: reconnecting: %s; again in %.1f s",
		    store_error(d->store), c->backoff);
		ev_timer_set(w, c->backoff, 0);
		ev_timer_start(loop, w);
		return;
	}
	rc = store_node_beat(d->store, c->name, c->incarnation, c->fired,
	    (int)d->running_subtasks, &db_now);
	if (rc == 1)
		rc = store_node_join(d->store, c->name, c->incarnation,
		    d->cfg.cluster_dead_after);
	if (rc != 0) {
		log_err("cluster: node %s cannot rejoin: %s", c->name,
		    rc == 1 ? "a live node has its name" :
		    store_error(d->store));
		ev_timer_set(w, RECONNECT_MAX, 0);
		ev_timer_start(loop, w);
		return;
	}
	c->lost = false;
	c->beating_since = ev_time();
	log_notice("cluster: the database is back; %zu occurrences to claim",
	    c->npend);
	/* what changed elsewhere meanwhile sent no notification to us */
	tasks_refresh_all(d);
	pend_arm(c);
	ev_timer_stop(loop, &c->beat);
	beat_cb(loop, &c->beat, 0);
}

/* Declare dead who is silent, once this node has beaten long enough. */
static void
judge(struct cluster *c, const struct store_node *v, size_t n)
{
	struct daemon	*d = c->d;
	char		 reason[96];
	size_t		 i;
	int		 closed, rc;

	/*
	 * After the database (or this node) was away, every heartbeat is
	 * old: nobody is judged until the others had the time to beat.
	 */
	if (ev_time() - c->beating_since < d->cfg.cluster_dead_after)
		return;
	for (i = 0; i < n; i++) {
		if (strcmp(v[i].state, "alive") != 0 ||
		    strcmp(v[i].name, c->name) == 0 ||
		    v[i].age_ms <= (int64_t)d->cfg.cluster_dead_after * 1000)
			continue;
		snprintf(reason, sizeof reason, "node %s lost", v[i].name);
		rc = store_node_take_over(d->store, v[i].name,
		    d->cfg.cluster_dead_after, reason, now_ms(), &closed);
		if (rc == 0)
			log_warn("cluster: node %s is dead (silent for %.1f "
			    "s); %d of its executions closed", v[i].name,
			    (double)v[i].age_ms / 1000, closed);
		else if (rc < 0)
			log_err("cluster: declaring node %s dead: %s",
			    v[i].name, store_error(d->store));
	}
}

static void
beat_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct cluster		*c = container_of(w, struct cluster, beat);
	struct daemon		*d = c->d;
	struct store_node	*v = NULL;
	char			**names;
	size_t			 i, n = 0, k = 0;
	int64_t			 db_now;
	int			 rc;

	ev_timer_set(w, d->cfg.cluster_heartbeat, 0);
	ev_timer_start(loop, w);
	if (c->lost)
		return;
	rc = store_node_beat(d->store, c->name, c->incarnation, c->fired,
	    (int)d->running_subtasks, &db_now);
	if (rc == 1) {
		/* its subtasks were closed as lost: it must not go on */
		log_msg(LOG_CRIT, "cluster: node %s was declared dead by the cluster "
		    "(or its name taken); stopping", c->name);
		d->exit_code = 1;
		daemon_shutdown(d);
		return;
	}
	if (rc != 0 || store_nodes(d->store, &v, &n) != 0) {
		if (store_lost(d->store))
			went_away(c);
		else
			log_err("cluster: heartbeat: %s", store_error(d->store));
		free(v);
		return;
	}
	if ((names = calloc(n + 1, sizeof *names)) == NULL)
		abort();
	for (i = 0; i < n; i++)
		if (strcmp(v[i].state, "alive") == 0 && (v[i].age_ms <=
		    (int64_t)d->cfg.cluster_dead_after * 1000 ||
		    strcmp(v[i].name, c->name) == 0))
			names[k++] = xstrdup(v[i].name);
	set_alive(c, names, k);
	judge(c, v, n);
	free(v);
}

int
cluster_init(struct daemon *d)
{
	struct cluster	*c;
	int		 rc, waited = 0;

	if (strcmp(store_kind(d->store), "postgresql") != 0)
		return (0);
	if ((c = calloc(1, sizeof *c)) == NULL)
		abort();
	c->d = d;
	snprintf(c->name, sizeof c->name, "%s", d->cfg.node_name);
	if (getrandom(&c->incarnation, sizeof c->incarnation, 0) !=
	    sizeof c->incarnation)
		c->incarnation = (uint64_t)now_ms() ^ (uint64_t)getpid();
	c->incarnation &= INT64_MAX;	/* a BIGINT */
	/*
	 * A node of this name that is alive by its heartbeat is either this
	 * node before a crash (silent from now on) or another node with the
	 * same name (beating on): wait until the first would be dead.
	 */
	while ((rc = store_node_join(d->store, c->name, c->incarnation,
	    d->cfg.cluster_dead_after)) == 1 && waited <=
	    d->cfg.cluster_dead_after + d->cfg.cluster_heartbeat) {
		if (waited == 0)
			log_notice("cluster: node %s beat less than "
			    "cluster_dead_after ago; waiting for it to be "
			    "silent that long (a restart after a crash)",
			    c->name);
		sleep(1);
		waited++;
	}
	if (rc != 0) {
		if (rc == 1)
			log_err("node_name: %s is the name of a node that is "
			    "alive (it beat less than cluster_dead_after = "
			    "%d s ago); every node needs its own", c->name,
			    d->cfg.cluster_dead_after);
		else
			log_err("database_url: joining the cluster as %s: %s",
			    c->name, store_error(d->store));
		free(c);
		return (-1);
	}
	ev_timer_init(&c->beat, beat_cb, 0, 0);
	ev_io_init(&c->listen, listen_cb, -1, EV_READ);
	ev_prepare_init(&c->drain, drain_cb);
	ev_timer_init(&c->reconnect, reconnect_cb, 0, 0);
	ev_timer_init(&c->pend_timer, pend_cb, 0, 0);
	d->cluster = c;
	log_notice("cluster: node %s joined (heartbeat %d s, dead after %d s)",
	    c->name, d->cfg.cluster_heartbeat, d->cfg.cluster_dead_after);
	return (0);
}

int
cluster_start(struct daemon *d)
{
	struct cluster	*c = d->cluster;

	if (c == NULL)
		return (0);
	if (start_listening(c) != 0) {
		log_err("database_url: LISTEN: %s", store_error(d->store));
		return (-1);
	}
	ev_prepare_start(d->loop, &c->drain);
	c->beating_since = ev_time();
	beat_cb(d->loop, &c->beat, 0);
	return (0);
}

void
cluster_stop(struct daemon *d)
{
	struct cluster	*c = d->cluster;
	struct pending	 p;

	if (c == NULL)
		return;
	ev_timer_stop(d->loop, &c->beat);
	ev_timer_stop(d->loop, &c->reconnect);
	ev_timer_stop(d->loop, &c->pend_timer);
	ev_prepare_stop(d->loop, &c->drain);
	if (ev_is_active(&c->listen))
		ev_io_stop(d->loop, &c->listen);
	while (c->npend > 0) {
		p = pend_pop(c);
		tasks_release(d, p.dt);
	}
	if (!c->lost && store_node_leave(d->store, c->name, c->incarnation)
	    != 0)
		log_err("cluster: leaving: %s", store_error(d->store));
}

void
cluster_free(struct daemon *d)
{
	struct cluster	*c = d->cluster;

	if (c == NULL)
		return;
	set_alive(c, NULL, 0);
	free(c->pend);
	free(c);
	d->cluster = NULL;
}

void
cluster_claimed(struct daemon *d)
{
	if (d->cluster != NULL)
		d->cluster->fired++;
}

void
cluster_changed(struct daemon *d, const char *kind, const char *id)
{
	char	payload[256];

	if (d->cluster == NULL)
		return;
	snprintf(payload, sizeof payload, "%s %s", kind, id);
	if (store_notify(d->store, payload) != 0)
		log_err("cluster: telling the other nodes (%s): %s", payload,
		    store_error(d->store));
}

json_t *
cluster_view(struct daemon *d)
{
	struct store_node	*v = NULL;
	json_t			*a;
	size_t			 i, n = 0;
	int64_t			 dead_ms;

	if (d->cluster == NULL)
		return (json_pack("{s:b, s:[]}", "cluster", 0, "nodes"));
	if (store_nodes(d->store, &v, &n) != 0)
		return (NULL);
	dead_ms = (int64_t)d->cfg.cluster_dead_after * 1000;
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:o, s:I, "
		    "s:I, s:I, s:b}",
		    "name", v[i].name,
		    "state", strcmp(v[i].state, "alive") == 0 &&
		    v[i].age_ms <= dead_ms ? "alive" : "dead",
		    "last_heartbeat", view_time_ms(v[i].heartbeat_ms),
		    "started", view_time_ms(v[i].started_ms),
		    "heartbeat_age_ms", (json_int_t)v[i].age_ms,
		    "fired", (json_int_t)v[i].fired,
		    "running", (json_int_t)v[i].running,
		    "self", strcmp(v[i].name, d->cluster->name) == 0));
	free(v);
	return (json_pack("{s:b, s:s, s:i, s:i, s:o}", "cluster", 1,
	    "node", d->cluster->name,
	    "heartbeat", d->cfg.cluster_heartbeat,
	    "dead_after", d->cfg.cluster_dead_after,
	    "nodes", a));
}
