/*
 * The plugin registry.  One array, in lookup order: the shared objects of
 * plugin_dir by name, then exec, then hook, so that plugins_find is a walk
 * to the first plugin that declares both the action and the target type.
 * Nothing a plugin does at load is fatal: it is logged and left out.
 */
#include <config.h>	/* <>: src/daemon/config.h is the daemon's config */

#include <sys/queue.h>

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <sked/plugin.h>

#include "plugins.h"

struct plugin {
	const struct sked_plugin *sp;
	void			*state;
	void			*dl;	/* NULL: built in */
	char			*path;	/* for log lines */
};

struct running {
	LIST_ENTRY(running)	 entry;
	struct sked_job		*job;
	struct plugin		*pl;
};

static struct {
	int			 open;
	const struct sked_host	*daemon;
	struct sked_host	 host;	/* what plugins see */
	struct plugin		*v;
	size_t			 n;
	LIST_HEAD(, running)	 running;
} reg;

static void
reg_complete(struct sked_job *job, const struct sked_result *res)
{
	struct running		*r;
	struct sked_result	 fixed;

	LIST_FOREACH(r, &reg.running, entry)
		if (r->job == job)
			break;
	if (r == NULL) {
		reg.daemon->log(LOG_ERR, "a plugin completed execution %s "
		    "target %s, which it was not running; ignored",
		    job->execution_id, job->target_id);
		return;
	}
	if (res->status != SKED_SUCCESS && res->status != SKED_FAIL &&
	    res->status != SKED_SKIP) {
		reg.daemon->log(LOG_ERR, "plugin %s: invalid status %d",
		    r->pl->sp->name, (int)res->status);
		fixed = *res;
		fixed.status = SKED_FAIL;
		fixed.reason = "the plugin reported an invalid status";
		res = &fixed;
	}
	LIST_REMOVE(r, entry);
	free(r);
	reg.daemon->complete(job, res);
}

static void
reg_sync_host(void)
{
	reg.host = *reg.daemon;
	reg.host.complete = reg_complete;
}

static int
add_plugin(const struct sked_plugin *sp, void *dl, const char *path)
{
	struct plugin	*v, *pl;
	void		*state = NULL;

	if (sp->init != NULL && sp->init(&reg.host, &state) != 0) {
		reg.daemon->log(LOG_ERR, "plugin %s: init failed; not loaded",
		    path);
		return (-1);
	}
	if ((v = reallocarray(reg.v, reg.n + 1, sizeof *v)) == NULL)
		abort();
	reg.v = v;
	pl = &reg.v[reg.n++];
	pl->sp = sp;
	pl->state = state;
	pl->dl = dl;
	if ((pl->path = strdup(path)) == NULL)
		abort();
	return (0);
}

static void
load_one(const char *path)
{
	const struct sked_plugin	*sp;
	void				*dl;

	if ((dl = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		reg.daemon->log(LOG_ERR, "plugin %s: %s; not loaded", path,
		    dlerror());
		return;
	}
	if ((sp = dlsym(dl, SKED_PLUGIN_SYMBOL)) == NULL) {
		reg.daemon->log(LOG_ERR, "plugin %s: no symbol %s; not loaded",
		    path, SKED_PLUGIN_SYMBOL);
		goto fail;
	}
	/* abi comes first in every version of the struct: safe to read. */
	if (sp->abi != SKED_PLUGIN_ABI) {
		reg.daemon->log(LOG_ERR, "plugin %s: built for plugin ABI %u, "
		    "skedd speaks %u; not loaded", path, sp->abi,
		    SKED_PLUGIN_ABI);
		goto fail;
	}
	if (sp->name == NULL || sp->start == NULL) {
		reg.daemon->log(LOG_ERR, "plugin %s: no name or no start(); "
		    "not loaded", path);
		goto fail;
	}
	if (add_plugin(sp, dl, path) == -1)
		goto fail;
	reg.daemon->log(LOG_INFO, "plugin %s: loaded %s", path, sp->name);
	return;

fail:
	dlclose(dl);
}

static int
is_so(const struct dirent *d)
{
	size_t	len = strlen(d->d_name);

	return (d->d_name[0] != '.' && len > 3 &&
	    strcmp(d->d_name + len - 3, ".so") == 0);
}

/* By bytes, not alphasort's strcoll: the order must not follow LC_ALL. */
static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return (strcmp((*a)->d_name, (*b)->d_name));
}

static void
load_dir(const char *dir)
{
	struct dirent	**names;
	char		 *path;
	int		  n, i;

	if ((n = scandir(dir, &names, is_so, by_name)) == -1) {
		reg.daemon->log(LOG_WARNING, "plugin_dir %s: %s; no plugins "
		    "loaded from it", dir, strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		if (asprintf(&path, "%s/%s", dir, names[i]->d_name) == -1)
			abort();
		load_one(path);
		free(path);
		free(names[i]);
	}
	free(names);
}

int
plugins_open(const struct sked_host *host, const char *plugin_dir)
{
	if (reg.open)
		return (-1);
	memset(&reg, 0, sizeof reg);
	reg.open = 1;
	reg.daemon = host;
	LIST_INIT(&reg.running);
	reg_sync_host();
	if (plugin_dir != NULL)
		load_dir(plugin_dir);
	if (add_plugin(&sked_builtin_exec, NULL, "(built-in exec)") == -1 ||
	    add_plugin(&sked_builtin_hook, NULL, "(built-in hook)") == -1) {
		plugins_close();
		return (-1);
	}
	return (0);
}

void
plugins_close(void)
{
	struct running	*r;
	struct plugin	*pl;

	if (!reg.open)
		return;
	while ((r = LIST_FIRST(&reg.running)) != NULL) {
		reg.daemon->log(LOG_WARNING, "plugin %s: execution %s target "
		    "%s still running at close; abandoned", r->pl->sp->name,
		    r->job->execution_id, r->job->target_id);
		LIST_REMOVE(r, entry);
		free(r);
	}
	while (reg.n > 0) {
		pl = &reg.v[--reg.n];
		if (pl->sp->fini != NULL)
			pl->sp->fini(pl->state);
		if (pl->dl != NULL)
			dlclose(pl->dl);
		free(pl->path);
	}
	free(reg.v);
	memset(&reg, 0, sizeof reg);
}

static int
listed(const char *const *list, const char *s)
{
	if (list == NULL)
		return (1);
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return (1);
	return (0);
}

static struct plugin *
find(const char *action, const char *target_type)
{
	size_t	i;

	for (i = 0; i < reg.n; i++)
		if (listed(reg.v[i].sp->actions, action) &&
		    listed(reg.v[i].sp->target_types, target_type))
			return (&reg.v[i]);
	return (NULL);
}

const struct plugin *
plugins_find(const char *action, const char *target_type)
{
	return (find(action, target_type));
}

const char *
plugin_name(const struct plugin *pl)
{
	return (pl->sp->name);
}

int
plugins_action_declared(const char *action)
{
	size_t	i;

	for (i = 0; i < reg.n; i++)
		if (reg.v[i].dl != NULL && reg.v[i].sp->actions != NULL &&
		    listed(reg.v[i].sp->actions, action))
			return (1);
	return (0);
}

void
plugins_start(struct sked_job *job)
{
	struct sked_result	 res;
	struct running		*r;
	struct plugin		*pl;

	if ((pl = find(job->action, job->target_type)) == NULL) {
		memset(&res, 0, sizeof res);
		res.status = SKED_FAIL;
		res.exit_code = -1;
		res.reason = "no plugin serves this action and target type";
		reg.daemon->complete(job, &res);
		return;
	}
	reg_sync_host();
	/* Recorded first: complete() may come from within start(). */
	if ((r = calloc(1, sizeof *r)) == NULL)
		abort();
	r->job = job;
	r->pl = pl;
	LIST_INSERT_HEAD(&reg.running, r, entry);
	job->plugin_data = NULL;
	pl->sp->start(pl->state, job);
}

int
plugins_cancel(struct sked_job *job, int hard)
{
	struct running	*r;

	LIST_FOREACH(r, &reg.running, entry)
		if (r->job == job)
			break;
	if (r == NULL || r->pl->sp->cancel == NULL)
		return (-1);
	/* r may be gone when this returns: cancel() can complete at once. */
	r->pl->sp->cancel(r->pl->state, job, hard);
	return (0);
}

size_t
plugins_running(void)
{
	struct running	*r;
	size_t		 n = 0;

	LIST_FOREACH(r, &reg.running, entry)
		n++;
	return (n);
}
