/*
 * The built-in hook plugin, for every action no other plugin serves: runs
 * the administrator's hooks_dir/<target_type> as "HOOK ACTION TARGET_ID".
 * Exit 0 is success; exit 75 (EX_TEMPFAIL) means the target is busy: the
 * job is skipped, or with enforcement the hook runs once more at once with
 * SKED_FORCE=1 and that run decides.  Anything else is a failure.
 */
#include <config.h>	/* <>: src/daemon/config.h is the daemon's config */

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <jansson.h>

#include <sked/plugin.h>

#include "plugins.h"
#include "proc.h"

#define HOOKS_DIR_DEFAULT	"/etc/sked/hooks.d"
#define HOOK_TIMEOUT_DEFAULT	3600.

struct hook_run {
	struct builtin_run	 b;	/* first: b.path is the hook */
	double			 timeout;
	int			 forced;	/* this run has SKED_FORCE=1 */
};

static void	hook_done(void *, const struct proc_result *);

/*
 * The target type becomes a file name under hooks_dir: no '/', no "..",
 * no hidden files, nothing a shell would trip on.
 */
static int
valid_hook_name(const char *s)
{
	if (*s == '\0' || *s == '.')
		return (0);
	for (; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' ||
		    *s == '-'))
			return (0);
	return (1);
}

/* input_param is the hook's business, except for the timeout. */
static int
hook_timeout(const char *input_param, double *out, char *why, size_t len)
{
	json_error_t	 err;
	json_t		*root, *v;
	int		 rc = 0;

	*out = HOOK_TIMEOUT_DEFAULT;
	if (input_param == NULL)
		return (0);
	if ((root = json_loads(input_param, 0, &err)) == NULL) {
		snprintf(why, len, "input_param: not valid JSON: %s", err.text);
		return (-1);
	}
	if (!json_is_object(root)) {
		snprintf(why, len, "input_param: expected an object");
		rc = -1;
	} else if ((v = json_object_get(root, "timeout")) != NULL) {
		if (json_is_number(v) && json_number_value(v) > 0)
			*out = json_number_value(v);
		else {
			snprintf(why, len, "input_param.timeout: expected a "
			    "positive number");
			rc = -1;
		}
	}
	json_decref(root);
	return (rc);
}

/*
 * Checked here rather than left to execve in the child, so that the
 * reason names the hook and its problem instead of "exit status 127".
 */
static int
hook_check(const char *path, char *why, size_t len)
{
	struct stat	st;

	if (stat(path, &st) == -1) {
		snprintf(why, len, "hook %s: %s", path, strerror(errno));
		return (-1);
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(why, len, "hook %s: %s", path, strerror(EISDIR));
		return (-1);
	}
	if (access(path, X_OK) == -1) {
		snprintf(why, len, "hook %s: %s", path, strerror(errno));
		return (-1);
	}
	return (0);
}

static void
hook_spawn(struct hook_run *run)
{
	const struct sked_host	*host = run->b.st->host;
	struct sked_job		*job = run->b.job;
	struct proc_strv	 argv = { NULL, 0, 0 }, env = { NULL, 0, 0 };
	struct proc_spec	 spec;

	proc_strv_add(&argv, run->b.path);
	proc_strv_add(&argv, job->action);
	proc_strv_add(&argv, job->target_id != NULL ? job->target_id : "");
	builtin_job_env(&env, job);
	if (run->forced)
		proc_strv_add(&env, "SKED_FORCE=1");

	memset(&spec, 0, sizeof spec);
	spec.argv = (const char *const *)argv.v;
	spec.env = (const char *const *)env.v;
	spec.timeout = run->timeout;
	spec.kill_grace = host->kill_grace;
	spec.output_limit = host->output_limit;
	run->b.proc = proc_spawn(host->loop, &spec, hook_done, run);
	proc_strv_free(&argv);
	proc_strv_free(&env);
}

static void
hook_done(void *arg, const struct proc_result *r)
{
	struct hook_run		*run = arg;
	struct sked_result	 res;
	char			 why[300];

	builtin_result(&res, r, why, sizeof why);
	if (res.exit_code == EX_TEMPFAIL && !r->cancelled) {
		if (!run->b.job->force) {
			res.status = SKED_SKIP;
			res.reason = "target busy (hook exit 75)";
		} else if (!run->forced) {
			run->forced = 1;
			hook_spawn(run);
			return;
		} else
			res.reason = "exit status 75 (target busy even with "
			    "SKED_FORCE=1)";
	}
	builtin_finish(&run->b, &res);
}

static void
hook_start(void *state, struct sked_job *job)
{
	const struct sked_host	*host = ((struct builtin_state *)state)->host;
	struct hook_run		*run;
	const char		*dir;
	char			*path = NULL;
	char			 why[PATH_MAX + 100];
	double			 timeout;

	if (job->target_type == NULL || !valid_hook_name(job->target_type)) {
		snprintf(why, sizeof why, "target_type '%s': not a valid hook "
		    "name (letters, digits, '_', '.', '-'; no leading '.')",
		    job->target_type != NULL ? job->target_type : "");
		goto fail;
	}
	if (hook_timeout(job->input_param, &timeout, why, sizeof why) == -1)
		goto fail;
	dir = host->hooks_dir != NULL ? host->hooks_dir : HOOKS_DIR_DEFAULT;
	if (asprintf(&path, "%s/%s", dir, job->target_type) == -1)
		abort();
	if (hook_check(path, why, sizeof why) == -1)
		goto fail;

	run = (struct hook_run *)builtin_run_new(state, job, sizeof *run);
	run->b.path = path;
	run->timeout = timeout;
	hook_spawn(run);
	return;

fail:
	free(path);
	builtin_fail(state, job, why);
}

const struct sked_plugin sked_builtin_hook = {
	.abi = SKED_PLUGIN_ABI,
	.name = "hook",
	.actions = NULL,
	.target_types = NULL,
	.init = builtin_init,
	.start = hook_start,
	.cancel = builtin_cancel,
	.fini = builtin_fini,
};
