/*
 * The built-in exec plugin, for EXECUTE_SCRIPT.  input_param is checked in
 * full before anything runs: exactly one of command (run by /bin/sh -c) and
 * script (with args), optional user, cwd, env and timeout, nothing else;
 * a mistake fails the job at once with a reason that names the field.
 */
#include <config.h>	/* <>: src/daemon/config.h is the daemon's config */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <sked/plugin.h>

#include "plugins.h"
#include "proc.h"

#define EXEC_TIMEOUT_DEFAULT	3600.

/* What input_param asks for; the strings point into the parsed JSON. */
struct exec_params {
	json_t			*root;
	struct proc_strv	 argv;
	struct proc_strv	 env;
	const char		*user;
	const char		*cwd;
	double			 timeout;
};

static const char *const exec_actions[] = { "EXECUTE_SCRIPT", NULL };

/* jansson refuses "\u0000" (no JSON_ALLOW_NUL): the strings are C strings. */
static int
get_string(json_t *v, const char *field, int empty_ok, const char **out,
    char *why, size_t len)
{
	if (!json_is_string(v)) {
		snprintf(why, len, "input_param.%s: expected a string", field);
		return (-1);
	}
	if (!empty_ok && json_string_length(v) == 0) {
		snprintf(why, len, "input_param.%s: must not be empty", field);
		return (-1);
	}
	*out = json_string_value(v);
	return (0);
}

static int
parse_env(json_t *obj, struct proc_strv *env, char *why, size_t len)
{
	const char	*name, *val;
	json_t		*v;
	char		 field[128];

	if (!json_is_object(obj)) {
		snprintf(why, len, "input_param.env: expected an object");
		return (-1);
	}
	json_object_foreach(obj, name, v) {
		if (*name == '\0' || strchr(name, '=') != NULL) {
			snprintf(why, len, "input_param.env: bad variable "
			    "name '%s'", name);
			return (-1);
		}
		snprintf(field, sizeof field, "env.%s", name);
		if (get_string(v, field, 1, &val, why, len) == -1)
			return (-1);
		proc_strv_addf(env, "%s=%s", name, val);
	}
	return (0);
}

static int
parse_args(json_t *arr, struct proc_strv *argv, char *why, size_t len)
{
	const char	*s;
	json_t		*v;
	size_t		 i;
	char		 field[32];

	if (!json_is_array(arr)) {
		snprintf(why, len, "input_param.args: expected an array of "
		    "strings");
		return (-1);
	}
	json_array_foreach(arr, i, v) {
		snprintf(field, sizeof field, "args[%zu]", i);
		if (get_string(v, field, 1, &s, why, len) == -1)
			return (-1);
		proc_strv_add(argv, s);
	}
	return (0);
}

static void
params_free(struct exec_params *pp)
{
	proc_strv_free(&pp->argv);
	proc_strv_free(&pp->env);
	json_decref(pp->root);
}

/* The SKED_* variables go first, so that input_param.env may override. */
static int
parse_params(const struct sked_job *job, struct exec_params *pp, char *why,
    size_t len)
{
	json_error_t	 err;
	json_t		*v, *command, *script, *args = NULL, *env = NULL;
	const char	*key, *s;

	memset(pp, 0, sizeof *pp);
	pp->timeout = EXEC_TIMEOUT_DEFAULT;
	pp->root = json_loads(job->input_param != NULL ? job->input_param :
	    "{}", JSON_REJECT_DUPLICATES, &err);
	if (pp->root == NULL) {
		snprintf(why, len, "input_param: not valid JSON: %s",
		    err.text);
		return (-1);
	}
	if (!json_is_object(pp->root)) {
		snprintf(why, len, "input_param: expected an object");
		return (-1);
	}
	json_object_foreach(pp->root, key, v) {
		if (strcmp(key, "command") != 0 && strcmp(key, "script") != 0 &&
		    strcmp(key, "args") != 0 && strcmp(key, "user") != 0 &&
		    strcmp(key, "cwd") != 0 && strcmp(key, "env") != 0 &&
		    strcmp(key, "timeout") != 0) {
			snprintf(why, len, "input_param.%s: unknown key", key);
			return (-1);
		}
	}

	command = json_object_get(pp->root, "command");
	script = json_object_get(pp->root, "script");
	if ((command == NULL) == (script == NULL)) {
		snprintf(why, len, "input_param: expected exactly one of "
		    "command and script");
		return (-1);
	}
	if (command != NULL) {
		if (get_string(command, "command", 0, &s, why, len) == -1)
			return (-1);
		if (json_object_get(pp->root, "args") != NULL) {
			snprintf(why, len, "input_param.args: only with "
			    "script");
			return (-1);
		}
		proc_strv_add(&pp->argv, "/bin/sh");
		proc_strv_add(&pp->argv, "-c");
		proc_strv_add(&pp->argv, s);
	} else {
		if (get_string(script, "script", 0, &s, why, len) == -1)
			return (-1);
		proc_strv_add(&pp->argv, s);
		if ((args = json_object_get(pp->root, "args")) != NULL &&
		    parse_args(args, &pp->argv, why, len) == -1)
			return (-1);
	}

	if ((v = json_object_get(pp->root, "user")) != NULL &&
	    get_string(v, "user", 0, &pp->user, why, len) == -1)
		return (-1);
	if ((v = json_object_get(pp->root, "cwd")) != NULL) {
		if (get_string(v, "cwd", 0, &pp->cwd, why, len) == -1)
			return (-1);
		/* The daemon's own directory means nothing to its users. */
		if (pp->cwd[0] != '/') {
			snprintf(why, len, "input_param.cwd: expected an "
			    "absolute path");
			return (-1);
		}
	}
	if ((v = json_object_get(pp->root, "timeout")) != NULL) {
		if (!json_is_number(v) || !(json_number_value(v) > 0)) {
			snprintf(why, len, "input_param.timeout: expected a "
			    "positive number");
			return (-1);
		}
		pp->timeout = json_number_value(v);
	}
	builtin_job_env(&pp->env, job);
	if ((env = json_object_get(pp->root, "env")) != NULL &&
	    parse_env(env, &pp->env, why, len) == -1)
		return (-1);
	return (0);
}

static void
exec_done(void *arg, const struct proc_result *r)
{
	struct sked_result	res;
	char			why[300];

	builtin_result(&res, r, why, sizeof why);
	builtin_finish(arg, &res);
}

static void
exec_start(void *state, struct sked_job *job)
{
	const struct sked_host	*host = ((struct builtin_state *)state)->host;
	struct builtin_run	*run;
	struct exec_params	 pp;
	struct proc_spec	 spec;
	char			 why[300];

	if (parse_params(job, &pp, why, sizeof why) == -1) {
		params_free(&pp);
		builtin_fail(state, job, why);
		return;
	}
	run = builtin_run_new(state, job, sizeof *run);
	memset(&spec, 0, sizeof spec);
	spec.argv = (const char *const *)pp.argv.v;
	spec.env = (const char *const *)pp.env.v;
	spec.cwd = pp.cwd;
	spec.user = pp.user;
	spec.timeout = pp.timeout;
	spec.kill_grace = host->kill_grace;
	spec.output_limit = host->output_limit;
	run->proc = proc_spawn(host->loop, &spec, exec_done, run);
	params_free(&pp);
}

const struct sked_plugin sked_builtin_exec = {
	.abi = SKED_PLUGIN_ABI,
	.name = "exec",
	.actions = exec_actions,
	.target_types = NULL,
	.init = builtin_init,
	.start = exec_start,
	.cancel = builtin_cancel,
	.fini = builtin_fini,
};
