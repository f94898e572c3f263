/*
 * What the built-in exec and hook plugins share: the host, one run per
 * job (the job's plugin_data) with the process it runs, the job's SKED_*
 * environment, and how a job ends.
 */
#include <config.h>	/* <>: src/daemon/config.h is the daemon's config */

#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include <sked/plugin.h>

#include "plugins.h"
#include "proc.h"

static const char *
nonnull(const char *s)
{
	return (s != NULL ? s : "");
}

void
builtin_job_env(struct proc_strv *env, const struct sked_job *job)
{
	proc_strv_addf(env, "SKED_TARGET_TYPE=%s", nonnull(job->target_type));
	proc_strv_addf(env, "SKED_TARGET_ID=%s", nonnull(job->target_id));
	proc_strv_addf(env, "SKED_TASK_ID=%s", nonnull(job->task_id));
	proc_strv_addf(env, "SKED_TASK_NAME=%s", nonnull(job->task_name));
	proc_strv_addf(env, "SKED_EXECUTION_ID=%s",
	    nonnull(job->execution_id));
	proc_strv_addf(env, "SKED_PROJECT_ID=%s", nonnull(job->project_id));
	proc_strv_addf(env, "SKED_SCHEDULED_AT=%s", nonnull(job->scheduled_at));
	proc_strv_addf(env, "SKED_INPUT_PARAM=%s",
	    job->input_param != NULL ? job->input_param : "{}");
}

int
builtin_init(const struct sked_host *host, void **state)
{
	struct builtin_state	*st;

	if ((st = calloc(1, sizeof *st)) == NULL)
		return (-1);
	st->host = host;
	LIST_INIT(&st->runs);
	*state = st;
	return (0);
}

static void
run_free(struct builtin_run *run)
{
	LIST_REMOVE(run, entry);
	free(run->path);
	free(run);
}

void
builtin_fini(void *state)
{
	struct builtin_state	*st = state;
	struct builtin_run	*run;

	while ((run = LIST_FIRST(&st->runs)) != NULL) {
		proc_abandon(run->proc);
		run_free(run);
	}
	free(st);
}

void
builtin_cancel(void *state, struct sked_job *job, int hard)
{
	struct builtin_run	*run = job->plugin_data;

	if (run != NULL)
		proc_kill(run->proc, hard);
}

struct builtin_run *
builtin_run_new(void *state, struct sked_job *job, size_t size)
{
	struct builtin_state	*st = state;
	struct builtin_run	*run;

	if ((run = calloc(1, size)) == NULL)
		abort();
	run->st = st;
	run->job = job;
	job->plugin_data = run;
	LIST_INSERT_HEAD(&st->runs, run, entry);
	return (run);
}

void
builtin_result(struct sked_result *res, const struct proc_result *r,
    char *why, size_t len)
{
	memset(res, 0, sizeof *res);
	res->reason = proc_reason(r, why, len);
	res->status = res->reason == NULL ? SKED_SUCCESS : SKED_FAIL;
	res->exit_code = proc_exit_code(r);
	res->output_tail = r->output;
}

void
builtin_finish(struct builtin_run *run, const struct sked_result *res)
{
	const struct sked_host	*host = run->st->host;
	struct sked_job		*job = run->job;

	run_free(run);
	job->plugin_data = NULL;
	host->complete(job, res);
}

void
builtin_fail(void *state, struct sked_job *job, const char *why)
{
	struct builtin_state	*st = state;
	struct sked_result	 res;

	memset(&res, 0, sizeof res);
	res.status = SKED_FAIL;
	res.exit_code = -1;
	res.reason = why;
	st->host->complete(job, &res);
}
