/*
 * The task model of SPEC section 2: one schema, read from YAML task files,
 * JSON files and (later) API bodies, checked against one declarative table
 * of fields.  Both seed shapes are accepted: the scheduled-task shape
 * (scheduled_type, scheduled_date, ...) and the O&M shape (name,
 * trigger_time {policy ONCE|PERIODIC|CRON, ...}).
 */
#ifndef SKED_TASK_H
#define SKED_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errlist.h"

struct sched;
struct tz;
struct tz_cache;

enum task_sched_type {
	TASK_FIXED_TIME,
	TASK_DAY,
	TASK_WEEK,
	TASK_MONTH,
	TASK_CRON,
	TASK_LIFE_CYCLE,
	TASK_ONCE,		/* O&M: trigger_time.policy ONCE */
	TASK_PERIODIC,		/* O&M: trigger_time.policy PERIODIC */
};
#define TASK_SCHED_TYPES	(TASK_PERIODIC + 1)

enum task_misfire {
	TASK_MISFIRE_DO_NOTHING,
	TASK_MISFIRE_FIRE_ONCE_NOW,
};
#define TASK_MISFIRES		(TASK_MISFIRE_FIRE_ONCE_NOW + 1)

enum task_overlap {
	TASK_OVERLAP_SKIP,
	TASK_OVERLAP_QUEUE,
	TASK_OVERLAP_ALLOW,
};
#define TASK_OVERLAPS		(TASK_OVERLAP_ALLOW + 1)

struct task_target {
	char		 *target_type;
	char		**target_ids;
	size_t		  ntarget_ids;
};

struct task {
	char			*id;		/* NULL: generated later */
	char			*task_name;
	char			*project_id;	/* default "default" */
	char			*task_type;	/* action, upper case */
	char			*description;
	enum task_sched_type	 scheduled_type;
	bool			 has_date;	/* scheduled_date given */
	int			 year, mon, day;	/* scheduled_date */
	bool			 has_time;	/* scheduled_time given */
	int			 hour, min, sec;	/* scheduled_time */
	int			 day_interval;	/* DAY, default 1 */
	unsigned		 week_mask;	/* bit 0 = Sunday (list 1) */
	unsigned		 month_mask;	/* bit m = month m */
	uint32_t		 date_mask;	/* bit d = day d */
	bool			 date_last;	/* "L" in date_list */
	char			*week_list;	/* as given, for display */
	char			*month_list;
	char			*date_list;
	char			*task_cron;
	char			*time_zone;	/* NULL: the default zone */
	bool			 has_expire;
	int64_t			 expire_ms;	/* expire_time, ms since epoch */
	bool			 has_once;
	int64_t			 once_ms;	/* single_scheduled_time */
	bool			 is_enable;	/* default true */
	bool			 enforcement_enable;
	struct task_target	*targets;
	size_t			 ntargets;
	char			*life_cycle_type;
	int			 priority;
	int			 wait_time;
	char			*input_param;	/* JSON text of an object, or NULL */
	/* O&M shape extras */
	char			*risk_level;	/* HIGH, MEDIUM, LOW or NULL */
	bool			 enable_approve;
	bool			 enable_message_notification;
	char			*message_notification;	/* JSON text or NULL */
	/* daemon policies (SPEC section 4) */
	enum task_misfire	 misfire_policy;
	enum task_overlap	 overlap_policy;
	int			 history_keep;	/* 0: the daemon's default */
	/* where it came from, for messages */
	char			*file;
	int			 line;
	int			 column;
};

struct task_set {
	struct task	*tasks;
	size_t		 count;
};

/*
 * Read every task in a YAML or JSON task file.  A file holds one task (a
 * mapping), a sequence of tasks, or a mapping whose only key is "tasks"
 * with a sequence of tasks.  Every error is added to errs as
 * "file:line:column: field: reason"; returns 0 when there were none, -1
 * otherwise (the set is then empty).
 */
int	task_file_load(const char *path, struct task_set *, struct errlist *errs);
/* The same, from text in memory; name is used in messages. */
int	task_text_load(const char *name, const char *text, size_t len,
	    struct task_set *, struct errlist *errs);

void	task_set_free(struct task_set *);
/*
 * A 64-bit digest of what a user can change in a task (its stored form;
 * not its position in a file): equal digests, the same task.
 */
uint64_t task_digest(const struct task *);
/* FNV-1a over a string, from h (TASK_FNV_OFFSET to start). */
#define TASK_FNV_OFFSET	1469598103934665603ULL
#define TASK_FNV_PRIME	1099511628211ULL
uint64_t task_fnv(uint64_t h, const char *);
void	task_free(struct task *);

/*
 * Compile a task's schedule.  The zone is time_zone looked up in zones,
 * else default_zone.  Returns 0, 1 when the task has no time schedule
 * (LIFE_CYCLE), or -1 with a message naming the field in err.
 */
int	task_schedule(const struct task *, struct tz_cache *zones,
	    const struct tz *default_zone, struct sched *, char *err,
	    size_t errlen);

const char	*task_sched_type_name(enum task_sched_type);
/* The enums' names (upper case, as the seeds spell them), by value. */
extern const char *const task_sched_type_names[TASK_SCHED_TYPES];
extern const char *const task_misfire_names[TASK_MISFIRES];
extern const char *const task_overlap_names[TASK_OVERLAPS];

#endif
