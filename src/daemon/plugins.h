/*
 * The plugin registry: the built-in exec and hook plugins and the shared
 * objects of plugin_dir, and the jobs each of them runs.
 *
 * The registry hands plugins its own copy of the daemon's host whose
 * complete() first forgets the job, so a job is always cancelled through
 * the plugin that runs it, and a plugin that completes a job twice or one
 * it never ran is logged and ignored instead of reaching the daemon.
 */
#ifndef SKED_PLUGINS_H
#define SKED_PLUGINS_H

#include <sys/queue.h>

#include <stddef.h>

#include <sked/plugin.h>

struct plugin;
struct proc_strv;

/*
 * Initialise the built-ins and every "*.so" of plugin_dir (may be NULL),
 * in name order.  A plugin that cannot be loaded is logged and skipped;
 * -1 only when the registry is open already.  The host must outlive the
 * registry; its hooks_dir, output_limit and kill_grace are read again at
 * each plugins_start, so a reload may change them.
 */
int		 plugins_open(const struct sked_host *, const char *plugin_dir);
/* fini and dlclose, in reverse order; jobs still running are forgotten. */
void		 plugins_close(void);

/*
 * The plugin serving action on target_type: loaded plugins in load order,
 * then exec (EXECUTE_SCRIPT), then hook (everything).  NULL only when the
 * registry is not open.
 */
const struct plugin *plugins_find(const char *action, const char *target_type);
const char	*plugin_name(const struct plugin *);
/* Does a loaded (not built-in) plugin list this action by name? */
int		 plugins_action_declared(const char *action);

/*
 * Run a job with the plugin plugins_find picks; host->complete() follows
 * exactly once, possibly from within this call.  The job (and its strings)
 * must stay valid until then.
 */
void		 plugins_start(struct sked_job *);
/* Stop a running job; complete() still follows.  -1: not running here,
   or its plugin cannot stop jobs. */
int		 plugins_cancel(struct sked_job *, int hard);
size_t		 plugins_running(void);

extern const struct sked_plugin sked_builtin_exec;
extern const struct sked_plugin sked_builtin_hook;

/*
 * plugin-builtin.c: what the exec and hook plugins share.  A run is the
 * job's plugin_data; a plugin's own run struct starts with it.
 */
struct builtin_run {
	LIST_ENTRY(builtin_run)	 entry;
	struct builtin_state	*st;
	struct sked_job		*job;
	struct proc		*proc;
	char			*path;	/* what runs, when kept; freed with it */
};

struct builtin_state {
	const struct sked_host	*host;
	LIST_HEAD(, builtin_run) runs;
};

struct proc_result;

/* The job's SKED_* variables. */
void		 builtin_job_env(struct proc_strv *, const struct sked_job *);
/* The init, cancel and fini of struct sked_plugin. */
int		 builtin_init(const struct sked_host *, void **state);
void		 builtin_cancel(void *state, struct sked_job *, int hard);
void		 builtin_fini(void *state);
/* A run of size bytes (the plugin's run struct) for the job. */
struct builtin_run *builtin_run_new(void *state, struct sked_job *,
		    size_t size);
/* A finished process as a result: success, or the reason in why. */
void		 builtin_result(struct sked_result *,
		    const struct proc_result *, char *why, size_t len);
/* The job ends with res; its run is freed. */
void		 builtin_finish(struct builtin_run *, const struct sked_result *);
/* The job fails before anything runs. */
void		 builtin_fail(void *state, struct sked_job *, const char *why);

#endif
