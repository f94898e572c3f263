/*
 * sked plugin ABI.  A plugin is a shared object in skedd's plugin_dir that
 * exports one symbol, "sked_plugin", a struct sked_plugin.  skedd refuses a
 * plugin whose abi is not SKED_PLUGIN_ABI.
 *
 * Plugins run inside skedd's single event loop (libev, the default loop)
 * and must never block it: start() begins the work and returns; the plugin
 * later calls host->complete() exactly once per job, from the loop (for
 * example from an ev_child or ev_io callback).  complete() may also be
 * called from within start() when the job fails at once.
 *
 * Every string handed to a plugin stays valid until the job is completed.
 */
#ifndef SKED_PLUGIN_H
#define SKED_PLUGIN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SKED_PLUGIN_ABI		1
#define SKED_PLUGIN_SYMBOL	"sked_plugin"

struct ev_loop;

enum sked_status {
	SKED_SUCCESS = 0,
	SKED_FAIL = 1,
	SKED_SKIP = 2,		/* the target was busy; nothing was done */
};

/* One subtask: one action on one target. */
struct sked_job {
	const char	*execution_id;
	const char	*task_id;
	const char	*task_name;
	const char	*project_id;
	const char	*action;	/* task_type: START, EXECUTE_SCRIPT, ... */
	const char	*target_type;
	const char	*target_id;
	const char	*input_param;	/* JSON object text; "{}" when none */
	int		 force;		/* schedule_task_policy.enforcement_enable */
	void		*plugin_data;	/* the plugin's own, per job */
	/*
	 * The occurrence's instant, ISO 8601 UTC with milliseconds
	 * ("2026-12-03T02:00:00.000Z"), or NULL for run now and events:
	 * (task_id, scheduled_at) is an idempotency key.  Appended within
	 * ABI 1: plugins built before it never read it.
	 */
	const char	*scheduled_at;
};

struct sked_result {
	enum sked_status status;
	int		 exit_code;	/* -1 when there is none */
	const char	*reason;	/* why it failed or was skipped; NULL */
	const char	*output_tail;	/* last bytes of output; may be NULL */
};

struct sked_host {
	unsigned	 abi;		/* SKED_PLUGIN_ABI */
	struct ev_loop	*loop;
	const char	*hooks_dir;
	size_t		 output_limit;	/* bytes of output tail to keep */
	double		 kill_grace;	/* seconds between SIGTERM and SIGKILL */
	/* Report a job's end; the daemon copies the result. */
	void		(*complete)(struct sked_job *, const struct sked_result *);
	/* priority as syslog(3): LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG */
	void		(*log)(int priority, const char *fmt, ...)
			    __attribute__((format(printf, 2, 3)));
};

struct sked_plugin {
	unsigned	   abi;		/* SKED_PLUGIN_ABI */
	const char	  *name;
	/* NULL-terminated lists of what it serves; NULL means any. */
	const char *const *actions;
	const char *const *target_types;
	/* Called once at load; *state is handed back to every call. */
	int		 (*init)(const struct sked_host *, void **state);
	/* Begin a job; complete() follows, exactly once. */
	void		 (*start)(void *state, struct sked_job *);
	/*
	 * Shutdown: stop a running job (hard = 0: politely, hard = 1: now).
	 * complete() still follows.  May be NULL when jobs cannot be stopped.
	 */
	void		 (*cancel)(void *state, struct sked_job *, int hard);
	void		 (*fini)(void *state);
};

#ifdef __cplusplus
}
#endif

#endif
