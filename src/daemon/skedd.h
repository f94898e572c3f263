/*
 * skedd's shared state.  Modules are initialised in this order and torn
 * down in reverse: log, conf, store, plugins, dispatch, tasks (timers),
 * api.  Watchers live inside the struct that owns them; callbacks get back
 * to the owner with container_of.
 */
#ifndef SKED_SKEDD_H
#define SKED_SKEDD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/queue.h>

#include <ev.h>

#include <jansson.h>

#include "conf.h"
#include "sched.h"
#include "task.h"

#include <sked/plugin.h>

#define container_of(p, type, member) \
	((type *)(void *)((char *)(p) - offsetof(type, member)))

struct store;
struct api;
struct tz_cache;
struct execution;
struct list_cache;
struct project;
struct cluster;

enum last_status {
	ST_WAITING,
	ST_RUNNING,
	ST_SUCCESS,
	ST_FAIL,
	ST_SKIP,
};

const char	*status_name(enum last_status);
int		 status_parse(const char *, enum last_status *);

/* enable_approve tasks (seed 004): they fire only once PASSED. */
enum approve_status {
	APPROVE_NONE,		/* enable_approve is false */
	APPROVE_PENDING,
	APPROVE_PASSED,
	APPROVE_REJECTED,
};

/*
 * A task's full definition.  Only what the daemon decides with stays in
 * memory for every task (struct dtask); the definition lives in the store
 * and is loaded when a task fires, is shown, listed or changed, then kept
 * in a bounded cache (tasks.c, ARCHITECTURE.md "Memory").  An execution
 * holds its definition (refs) until it ends, so a change or an eviction
 * never pulls strings from under a running job.
 */
struct tdef {
	struct task	 t;		/* owns its strings */
	struct sched	 sched;		/* compiled; sched.tz the zone */
	int64_t		 create_ms;
	int64_t		 update_ms;
	char		*approve_comments;	/* NULL: none */
	struct dtask	*dt;		/* NULL: replaced, kept for refs */
	unsigned	 refs;		/* executions running with it */
	TAILQ_ENTRY(tdef) lru;		/* while dt->def is this */
};

/*
 * One task, as the daemon runs it: about 160 bytes, so that ten million
 * fit in a couple of GiB.  Strings shared by many tasks (task types, life
 * cycle types, task files) are interned words.
 */
#define DTASK_ID_INLINE	40	/* ids up to 39 bytes live in the struct */

struct dtask {
	char		 id_[DTASK_ID_INLINE];	/* dtask_id() */
	char		*name;
	struct project	*proj;
	struct tdef	*def;		/* NULL: in the store only */
	struct dtask	*hnext;		/* id hash chain */
	struct dtask	*nnext;		/* (project, name) hash chain */
	int64_t		 next;		/* armed instant, s; 0: not armed */
	int64_t		 last_fire;	/* scheduled instant of the last fire */
	int64_t		 queued_at;
	uint64_t	 digest;	/* of the stored definition */
	uint32_t	 serial;	/* new at every definition: caches */
	uint32_t	 ppos;		/* slot in proj->slot */
	uint32_t	 heap;		/* index in the timer heap; HEAP_NONE */
	uint32_t	 refs;		/* executions, fires, prunes, events */
	uint32_t	 source;	/* word of its task file; 0: API */
	uint32_t	 task_type;	/* word */
	uint32_t	 life_cycle_type;	/* word; 0: none */
	uint16_t	 running;	/* executions running */
	uint16_t	 queued;	/* QUEUE: fires waiting for the last one */
	uint8_t		 scheduled_type;	/* enum task_sched_type */
	uint8_t		 last_status;	/* enum last_status */
	uint8_t		 approve;	/* enum approve_status */
	uint8_t		 misfire_policy;	/* enum task_misfire */
	uint8_t		 overlap_policy;	/* enum task_overlap */
	unsigned	 id_heap:1;	/* id_ holds a pointer to a longer id */
	unsigned	 timed:1;	/* has a time schedule (not LIFE_CYCLE) */
	unsigned	 removed:1;	/* gone from the set; freed at refs 0 */
	unsigned	 is_enable:1;
	unsigned	 enable_approve:1;
	unsigned	 default_zone:1;	/* no time_zone: the daemon's */
	unsigned	 catchup:1;	/* armed now for a missed fire */
	unsigned	 caught_up:1;	/* its one catch-up fired this start */
	unsigned	 prune_pending:1;
	unsigned	 seen:1;	/* tasks_sync_files: still in a file */
};

#define HEAP_NONE	UINT32_MAX

/*
 * The tasks of one project in creation order: a listing walks these only.
 * Deleted tasks leave holes (NULL slots), counted out by a Fenwick tree,
 * so that a delete is O(log n) and the k-th task of a page is found in
 * O(log n); the slots are compacted when holes outnumber tasks.
 */
struct project {
	char		 *name;
	struct dtask	**slot;
	uint32_t	 *fen;		/* Fenwick tree over occupied slots */
	size_t		  nslots;	/* slots used, holes included */
	size_t		  cap;
	size_t		  count;	/* tasks */
	size_t		  nlisted;	/* not LIFE_CYCLE: listed by default */
};

/* Interned words: index 0 is "no word". */
struct words {
	char		**v;
	size_t		  n, cap;
	uint32_t	 *hash;		/* open addressing, word index + 1 */
	size_t		  nhash;	/* a power of two */
};

struct task_table {
	struct dtask	**buckets;	/* by id */
	struct dtask	**names;	/* by project and name */
	size_t		  nbuckets;	/* of each; a power of two */
	size_t		  count;
	size_t		  nfile_tasks;	/* of count, from task files */
	size_t		  nenabled;	/* of count, is_enable */
	/* loading from the store, in steps while the API answers */
	bool		  loading;
	size_t		  loaded, load_total;
	int64_t		  load_from;	/* s: fires are due from here */
	struct words	  words;	/* task types, life cycle types, files */
	struct words	  pnames;	/* project names */
	struct project	**projects;	/* by word of pnames */
	size_t		  capprojects;
	/* the timer heap: the soonest armed task on top, one ev_periodic */
	struct dtask	**heap;
	size_t		  nheap, capheap;
	ev_periodic	  timer;
	bool		  approaching;	/* armed early, to re-arm exactly */
	/* the definition cache */
	TAILQ_HEAD(, tdef) lru;
	size_t		  ndefs;
	size_t		  maxdefs;
	ev_prepare	  trim;
	uint64_t	  def_loads;	/* from the store, for the status */
	/* dtask slabs */
	struct dtask	**slabs;
	size_t		  nslabs;
	struct dtask	 *free;		/* chained through hnext */
};

/* Every task: the projects' slots in order. */
#define TASKS_FOREACH(d, p, i, dt)					\
	for ((p) = 0; (p) < (d)->tasks.pnames.n; (p)++)			\
		if ((d)->tasks.projects[(p)] != NULL)			\
			for ((i) = 0; (i) < (d)->tasks.projects[(p)]->nslots; \
			    (i)++)					\
				if (((dt) = (d)->tasks.projects[(p)]->slot[(i)]) \
				    != NULL)

static inline const char *
dtask_id(const struct dtask *dt)
{
	const char	*p;

	if (!dt->id_heap)
		return (dt->id_);
	memcpy(&p, dt->id_, sizeof p);
	return (p);
}

/* One subtask: a job for a plugin. */
struct subtask {
	struct sked_job		 job;
	struct execution	*exec;
	size_t			 index;
	bool			 started;
	bool			 done;
	TAILQ_ENTRY(subtask)	 wait;	/* waiting for a free slot */
};

TAILQ_HEAD(subtask_queue, subtask);

/*
 * A planned record (seed 001): the fire of a task at planned_at on one
 * target, cancelled or moved to execute_at.  It is kept until both
 * instants are behind: the fire at planned_at skips the target, the run at
 * execute_at (its own timer) runs on that target only.
 */
struct planned {
	char		*task_id;
	char		*instance_id;
	int64_t		 planned_at;	/* s */
	int64_t		 execute_at;	/* s; 0: not moved */
	bool		 cancelled;
	bool		 fired;		/* the fire at planned_at was seen */
	bool		 moved_done;	/* the run at execute_at was started */
	ev_periodic	 moved;		/* armed for execute_at */
	struct daemon	*d;
	LIST_ENTRY(planned) entry;
};

/* A run of a LIFE_CYCLE task for one event, waiting for its wait_time. */
struct event_run {
	struct dtask	*dt;		/* holds a ref */
	char		 id[37];	/* the execution's, given at the event */
	char		*target_type;
	char		*target_id;
	ev_tstamp	 due;		/* ev_now() based */
	TAILQ_ENTRY(event_run) entry;
};

TAILQ_HEAD(event_queue, event_run);

struct notifier;
TAILQ_HEAD(notifier_queue, notifier);

/*
 * A fire noted by the timer; flush_cb re-arms the task (from rearm, which
 * reads its definition) and, when run, records the execution.
 */
struct due_fire {
	struct dtask	*dt;
	int64_t		 scheduled;	/* s */
	int64_t		 fired_ms;
	int64_t		 rearm;		/* s: the next fire after this */
	bool		 run;		/* false: the misfire policy skips it */
};

/* A task whose history may be longer than it keeps. */
struct prune_req {
	struct dtask	*dt;
	int		 keep;
};

struct daemon {
	struct ev_loop		*loop;
	uint64_t		 serial;	/* last dtask.serial given */
	bool			 starting;	/* until READY=1: fires missed
						   while down may be caught up */
	struct list_cache	*list_cache;	/* views.c */
	struct config		 cfg;
	const char		*config_path;	/* -c, or NULL */
	struct tz_cache		*zones;
	const struct tz		*default_zone;
	struct store		*store;
	struct sked_host	 host;		/* for plugins */
	struct api		*api;
	struct cluster		*cluster;	/* NULL: a single node */
	struct task_table	 tasks;
	/* dispatch */
	struct subtask_queue	 waiting;
	unsigned		 running_subtasks;
	unsigned		 running_executions;
	LIST_HEAD(, execution)	 executions;	/* running */
	struct due_fire		*due;		/* fired this loop iteration */
	size_t			 ndue, capdue;
	ev_prepare		 flush;		/* records the due fires */
	ev_timer		 prune_timer;
	struct prune_req	*prune;
	size_t			 nprune, capprune;
	struct event_queue	 events;	/* due first, then event order */
	ev_timer		 event_timer;
	struct notifier_queue	 notifiers;	/* the first one runs */
	size_t			 nnotifiers;
	LIST_HEAD(, planned)	 planned;
	/* life */
	ev_signal		 sigterm, sigint, sighup;
	ev_timer		 shutdown_timer;
	ev_timer		 watchdog;
	ev_timer		 loader;	/* loads the tasks in steps */
	int			 exit_code;
	bool			 stopping;
	bool			 notify;	/* under systemd */
	int64_t			 start_ms;
	int			 verbose;
	int			 listen_fd;	/* from sd_listen_fds, or -1 */
};

/* tasks.c: the task set, its timers and the definition cache */
void		 tasks_init(struct daemon *);
void		 tasks_free(struct daemon *);
struct dtask	*tasks_find(struct daemon *, const char *id);
struct dtask	*tasks_find_name(struct daemon *, const char *project,
		    const char *name);
/*
 * The definition of a task, from the cache or the store; NULL (logged)
 * when the store cannot give it.  Valid until the loop next waits, or
 * while held (tasks_def_hold).
 */
struct tdef	*tasks_def(struct daemon *, struct dtask *);
struct tdef	*tasks_def_hold(struct daemon *, struct dtask *);
/*
 * Evict what the cache holds beyond its size: pointers from tasks_def
 * not held become invalid (the loop does it before it waits; walks that
 * read many definitions do it as they go).
 */
void		 tasks_trim(struct daemon *);
void		 tasks_def_drop(struct daemon *, struct tdef *);
/* An interned word's text ("" for word 0). */
const char	*tasks_word(const struct daemon *, uint32_t);
/* The word of s (upper-cased first with upper), 0 when none has it. */
uint32_t	 tasks_word_find(struct daemon *, const char *s, bool upper);
/* The zone a task's times are in (its own, else the daemon's). */
const struct tz	*tasks_zone(struct daemon *, struct dtask *);
/* The task file of a task, or NULL for API tasks. */
const char	*tasks_source(const struct daemon *, const struct dtask *);
/* The k-th task of a project in creation order (k < count). */
struct dtask	*tasks_project_at(struct project *, size_t k);
/*
 * Take a task (its strings move into the new definition); the task is
 * not armed yet (tasks_arm).
 */
struct dtask	*tasks_add(struct daemon *, struct task *, int64_t create_ms,
		    int64_t update_ms, int64_t last_fire, enum last_status,
		    const char *source);
void		 tasks_remove(struct daemon *, struct dtask *);
/* The approval of a task from its stored words ("" or NULL: none yet). */
void		 tasks_set_approve(struct daemon *, struct dtask *,
		    const char *status, const char *comments);
/* A new definition for a task (t's strings move in); re-armed at once. */
void		 tasks_replace(struct daemon *, struct dtask *, struct task *,
		    const char *source, int64_t now_ms);
/* A project's tasks, or NULL when it never had one. */
struct project	*tasks_project(struct daemon *, const char *name);
void		 tasks_release(struct daemon *, struct dtask *);
/* Arm for the next instant after now; 0 disarms (shutdown). */
void		 tasks_arm(struct daemon *, struct dtask *, int64_t now);
void		 tasks_disarm_all(struct daemon *);
/* Re-compile the tasks in the default zone after it changed. */
void		 tasks_rezone(struct daemon *);
int		 tasks_load(struct daemon *, struct errlist *);
/* The same in steps of at most max tasks; *done at the end. */
void		 tasks_load_begin(struct daemon *);
int		 tasks_load_some(struct daemon *, size_t max, bool *done,
		    struct errlist *);
int		 tasks_sync_files(struct daemon *, struct config *,
		    struct errlist *);
/*
 * Cluster: another node changed (or deleted) a task in the store: read
 * it again and arm, replace or remove it here.  _all: every task, after
 * notifications may have been missed.
 */
void		 tasks_refresh(struct daemon *, const char *id, bool deleted);
void		 tasks_refresh_all(struct daemon *);
struct tasks_census {
	size_t		 enabled;
	size_t		 armed;
	int64_t		 next;		/* the soonest armed instant; 0: none */
	struct dtask	*next_task;
};
void		 tasks_census(struct daemon *, struct tasks_census *);
int64_t		 now_ms(void);

/* dispatch.c: executions */
void		 dispatch_init(struct daemon *);
/* Shutdown: fail the subtasks not started; then cancel the running ones. */
void		 dispatch_stop(struct daemon *);
void		 dispatch_cancel(struct daemon *, bool hard);
/* Run a task now (API); exec_id (37 bytes) gets the execution's id. */
int		 dispatch_run_now(struct daemon *, struct dtask *, bool force,
		    char *exec_id);
void		 dispatch_due(struct daemon *, struct dtask *);
void		 dispatch_complete(struct sked_job *,
		    const struct sked_result *);
int		 dispatch_recover(struct daemon *);
/*
 * Claim and run timed occurrences (cluster: deferred claims), in one
 * transaction; what its commit loses does not run and is claimed again.
 */
struct claim {
	struct dtask	*dt;		/* held by the caller */
	int64_t		 scheduled;	/* s */
};
void		 dispatch_claims(struct daemon *, struct claim *, size_t n);
void		 dispatch_abandon(struct daemon *);

/*
 * A LIFE_CYCLE run of dt on one target after wait seconds; id (37 bytes)
 * gets the id its execution will have.
 */
void		 dispatch_event(struct daemon *, struct dtask *,
		    const char *target_type, const char *target_id, int wait,
		    char *id);
/* The run of a moved planned record, on its one target. */
void		 dispatch_moved(struct daemon *, struct dtask *,
		    const char *target_id, int64_t execute_at);
/* Why an enable_approve task may not run now, or NULL. */
const char	*dispatch_approval_block(const struct dtask *);

/* planned.c: planned records */
int		 planned_load(struct daemon *, struct errlist *);
struct planned	*planned_find(struct daemon *, const char *task_id,
		    const char *instance_id, int64_t planned_at);
/*
 * Move (execute_at > 0) or cancel (0) the fire of dt at planned_at on
 * instance_id: stored first, then armed.  -1 with *cause (to free) when
 * the store refused it.
 */
int		 planned_set(struct daemon *, struct dtask *,
		    const char *instance_id, int64_t planned_at,
		    int64_t execute_at, char **cause);
/* The fire at planned_at reached this target: forget what is done. */
void		 planned_fired(struct daemon *, struct planned *);
/* Forget records both of whose instants are behind now (s). */
void		 planned_prune(struct daemon *, int64_t now);
void		 planned_free(struct daemon *);
/* Cluster: read the planned records of a task again from the store. */
void		 planned_refresh(struct daemon *, const char *task_id);
/* The target type of dt holding instance_id, or NULL. */
const char	*planned_target_type(struct daemon *, struct dtask *,
		    const char *instance_id);

/* cluster.c: several nodes on one PostgreSQL store (NULL cluster: none) */
int		 cluster_init(struct daemon *);	/* joins, when PostgreSQL */
int		 cluster_start(struct daemon *);	/* beats, listens */
void		 cluster_stop(struct daemon *);	/* leaves */
void		 cluster_free(struct daemon *);
const char	*cluster_name(const struct daemon *);	/* NULL: none */
/* This node claims the occurrence first (the others BACKUP_DELAY later). */
bool		 cluster_owns(struct daemon *, struct dtask *, int64_t scheduled);
/* Claim it after seconds (dispatch_claim), holding dt. */
void		 cluster_defer(struct daemon *, struct dtask *, int64_t scheduled,
		    double after);
void		 cluster_claimed(struct daemon *);
/* The database is away: claims and writes wait for the reconnection. */
bool		 cluster_lost(const struct daemon *);
/* After a store error: notice a lost connection. */
void		 cluster_check(struct daemon *);
/* Tell the other nodes: "put"/"del" task id, "planned" task id. */
void		 cluster_changed(struct daemon *, const char *kind,
		    const char *id);
json_t		*cluster_view(struct daemon *);	/* GET /v1/cluster */

/* skedd.c */
/* strdup that aborts when out of memory; NULL stays NULL. */
char		*xstrdup(const char *);
int		 daemon_reload(struct daemon *, struct errlist *);
void		 daemon_status_line(struct daemon *);
/* As SIGTERM does: stop arming, let running subtasks end, exit. */
void		 daemon_shutdown(struct daemon *);
void		 uuid_generate_str(char out[37]);

#endif
