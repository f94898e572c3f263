/*
 * skedd: the sked daemon.
 *
 *	skedd [-c CONFIG] [-f] [-n] [-v]...
 *
 * Start-up reads the configuration and task files, opens the store, closes
 * executions a crash left running, loads plugins, arms one timer per task,
 * opens the control socket and only then tells systemd READY=1.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "api.h"
#include "log.h"
#include "plugins.h"
#include "skedd.h"
#include "store.h"
#include "timefmt.h"
#include "tz.h"
#include "views.h"

static void
usage(FILE *fp, int status)
{
	fprintf(fp, "usage: skedd [-c CONFIG] [-f] [-n] [-v]...\n"
	    "  -c CONFIG  configuration file (default %s)\n"
	    "  -f         stay in the foreground, log to stderr\n"
	    "  -n         check the configuration and task files, then exit\n"
	    "  -v         more verbose (twice: debug)\n", SKED_CONFIG_DEFAULT);
	exit(status);
}

/* c: the tasks' census when the caller has it, else NULL. */
static void
notify_status(struct daemon *d, const char *state,
    const struct tasks_census *c)
{
	struct tasks_census	 own;
	struct dtask		*dt;
	char			 when[40] = "none";

	if (!d->notify)
		return;
	if (c == NULL) {
		tasks_census(d, &own);
		c = &own;
	}
	if (c->next > 0)
		timefmt_utc(c->next, when, sizeof when);
	dt = c->next_task;
	sd_notifyf(0, "%sSTATUS=%zu tasks, %zu armed; next fire %s%s%s%s",
	    state, d->tasks.count, c->armed, when, dt ? " (" : "",
	    dt ? dt->name : "", dt ? ")" : "");
}

char *
xstrdup(const char *s)
{
	char	*p;

	if (s == NULL)
		return (NULL);
	if ((p = strdup(s)) == NULL)
		abort();
	return (p);
}

static void
host_log(int priority, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(priority, fmt, ap);
	va_end(ap);
}

/* The plugin host reads these at each job; they follow reloads. */
static void
host_update(struct daemon *d)
{
	d->host.hooks_dir = d->cfg.hooks_dir;
	d->host.output_limit = (size_t)d->cfg.output_limit;
	d->host.kill_grace = d->cfg.kill_grace;
}

static void
log_errors(const struct errlist *errs, int priority)
{
	size_t	i;

	for (i = 0; i < errs->count; i++)
		log_msg(priority, "%s", errs->msgs[i]);
}

/* Reload: all or nothing; the running configuration stays on error. */
static bool
same_file(const struct task_file *a, uint64_t dev, uint64_t ino,
    uint64_t size, int64_t mtime_ns, int64_t ctime_ns)
{
	return (a->dev == dev && a->ino == ino && a->size == size &&
	    a->mtime_ns == mtime_ns && a->ctime_ns == ctime_ns);
}

/* At start, before the store is open: sked.yaml only. */
static bool
unchanged_all(void *arg, const struct task_file *tf)
{
	return (true);
}

/* At start: the store has the tasks of a file it saw as it is now. */
static bool
unchanged_stored(void *arg, const struct task_file *tf)
{
	struct daemon		*d = arg;
	struct store_file	 f = { .path = tf->path };

	return (store_file_get(d->store, &f) == 0 && same_file(tf, f.dev,
	    f.ino, f.size, f.mtime_ns, f.ctime_ns));
}

/* At a reload: the running set has the tasks of a file seen as it is. */
static bool
unchanged_running(void *arg, const struct task_file *tf)
{
	struct daemon		*d = arg;
	const struct task_file	*was = config_file(&d->cfg, tf->path);

	return (was != NULL && same_file(tf, was->dev, was->ino, was->size,
	    was->mtime_ns, was->ctime_ns));
}

int
daemon_reload(struct daemon *d, struct errlist *errs)
{
	struct config	 cfg;
	const struct tz	*zone = NULL;
	const char	*cause = "";

	if (d->tasks.loading) {
		errlist_add(errs, NULL, 0, 0, "skedd is still loading its tasks "
		    "(%zu of at most %zu); reload once it is ready",
		    d->tasks.loaded,
		    d->tasks.load_total);
		log_warn("reload refused: still loading tasks");
		return (-1);
	}
	sd_notify(0, "RELOADING=1");
	log_notice("reloading %s", d->config_path ? d->config_path :
	    SKED_CONFIG_DEFAULT);
	if (config_load_since(d->config_path, d->zones, unchanged_running, d,
	    &cfg, errs) != 0)
		goto fail;
	if ((cfg.time_zone != NULL ? tz_cache_get(d->zones, cfg.time_zone,
	    &zone, &cause) : tz_cache_system(d->zones, &zone, &cause)) != 0) {
		errlist_add(errs, cfg.path, 0, 0, "time_zone: %s", cause);
		config_free(&cfg);
		goto fail;
	}
#define KEEP(f) do {							\
	if (strcmp(cfg.f, d->cfg.f) != 0) {				\
		log_warn("reload: %s changes at the next restart", #f);	\
		free(cfg.f);						\
		if ((cfg.f = strdup(d->cfg.f)) == NULL)			\
			abort();					\
	}								\
} while (0)
#define KEEP_INT(f) do {						\
	if (cfg.f != d->cfg.f) {					\
		log_warn("reload: %s changes at the next restart", #f);	\
		cfg.f = d->cfg.f;					\
	}								\
} while (0)
	KEEP(socket);
	KEEP(database);
	KEEP(plugin_dir);
	if ((cfg.socket_group == NULL) != (d->cfg.socket_group == NULL) ||
	    (cfg.socket_group != NULL &&
	    strcmp(cfg.socket_group, d->cfg.socket_group) != 0)) {
		log_warn("reload: socket_group changes at the next restart");
		free(cfg.socket_group);
		cfg.socket_group = NULL;
		if (d->cfg.socket_group != NULL &&
		    (cfg.socket_group = strdup(d->cfg.socket_group)) == NULL)
			abort();
	}
	KEEP_INT(socket_mode);
	KEEP_INT(request_header_max);
	KEEP_INT(connection_timeout);
	KEEP_INT(max_connections);
	/* the TCP listener is bound at start, like the socket */
	if ((cfg.listen_tcp == NULL) != (d->cfg.listen_tcp == NULL) ||
	    (cfg.listen_tcp != NULL &&
	    strcmp(cfg.listen_tcp, d->cfg.listen_tcp) != 0)) {
		log_warn("reload: listen_tcp changes at the next restart");
		free(cfg.listen_tcp);
		cfg.listen_tcp = NULL;
		if (d->cfg.listen_tcp != NULL &&
		    (cfg.listen_tcp = strdup(d->cfg.listen_tcp)) == NULL)
			abort();
	}
#undef KEEP
#undef KEEP_INT
	{
		const char	*changed[8];
		size_t		 i, n;

		n = config_keep_start_only(&cfg, &d->cfg, changed,
		    sizeof changed / sizeof changed[0]);
		for (i = 0; i < n && i < sizeof changed / sizeof changed[0];
		    i++)
			log_warn("reload: %s changes at the next restart",
			    changed[i]);
	}
	if (tasks_sync_files(d, &cfg, errs) != 0) {
		config_free(&cfg);
		goto fail;
	}
	if (zone != d->default_zone) {
		d->default_zone = zone;
		tasks_rezone(d);
	}
	config_free(&d->cfg);
	d->cfg = cfg;
	host_update(d);
	log_notice("configuration reloaded: %zu tasks", d->tasks.count);
	notify_status(d, "READY=1\n", NULL);
	return (0);
fail:
	log_err("reload rejected; the running configuration is kept:");
	log_errors(errs, LOG_ERR);
	notify_status(d, "READY=1\n", NULL);
	return (-1);
}

static void
sighup_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct daemon	*d = container_of(w, struct daemon, sighup);
	struct errlist	 errs = ERRLIST_INIT;

	(void)daemon_reload(d, &errs);
	errlist_clear(&errs);
}

static void
shutdown_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct daemon	*d = container_of(w, struct daemon, shutdown_timer);
	static int	 round;

	if (round++ == 0) {
		log_notice("shutdown: %u subtasks still running after %d s; "
		    "stopping them", d->running_subtasks,
		    d->cfg.shutdown_timeout);
		dispatch_cancel(d, false);
		ev_timer_set(w, d->cfg.kill_grace + 2.0, 0);
		ev_timer_start(loop, w);
	} else if (round == 2) {
		dispatch_cancel(d, true);
		ev_timer_set(w, 2.0, 0);
		ev_timer_start(loop, w);
	} else
		ev_break(loop, EVBREAK_ALL);	/* dispatch_abandon records */
}

static void
sigterm_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct daemon	*d = w->signum == SIGTERM ?
	    container_of(w, struct daemon, sigterm) :
	    container_of(w, struct daemon, sigint);

	if (d->stopping)
		return;
	log_notice("shutting down (signal %d)", w->signum);
	daemon_shutdown(d);
}

void
daemon_shutdown(struct daemon *d)
{
	struct ev_loop	*loop = d->loop;

	if (d->stopping)
		return;
	d->stopping = true;
	sd_notify(0, "STOPPING=1");
	tasks_disarm_all(d);
	dispatch_stop(d);	/* running subtasks may finish */
	if (d->running_executions == 0) {
		ev_break(loop, EVBREAK_ALL);
		return;
	}
	log_notice("waiting up to %d s for %u running subtasks",
	    d->cfg.shutdown_timeout, d->running_subtasks);
	ev_timer_init(&d->shutdown_timer, shutdown_timer_cb,
	    d->cfg.shutdown_timeout, 0);
	ev_timer_start(loop, &d->shutdown_timer);
}

static void
watchdog_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	sd_notify(0, "WATCHDOG=1");
}

static int
daemonize(void)
{
	int	fd;

	switch (fork()) {
	case -1:
		return (-1);
	case 0:
		break;
	default:
		_exit(0);
	}
	if (setsid() < 0)
		return (-1);
	if (chdir("/") != 0)
		return (-1);
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		(void)dup2(fd, STDIN_FILENO);
		(void)dup2(fd, STDOUT_FILENO);
		(void)dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	return (0);
}

#define LOAD_STEP	20000	/* tasks loaded per loop iteration */

/* SKED_LOAD_STEP: smaller steps, so that tests take the stepped path */
static size_t
load_step_size(void)
{
	const char	*env = getenv("SKED_LOAD_STEP");

	return (env != NULL && atoi(env) > 0 ? (size_t)atoi(env) : LOAD_STEP);
}

/*
 * One step of the start-up load; after the last, the task files, the
 * planned records and READY=1.  -1 when the start failed (logged).
 */
/* A server that is not up (yet) is waited for; any other error is final. */
static bool
retryable(const char *why)
{
	static const char *const transient[] = {
		"Connection refused", "No such file or directory",
		"timeout expired", "the database system is starting up",
		"the database system is shutting down",
		"the database system is in recovery mode",
		"Network is unreachable", "No route to host",
	};
	size_t	i;

	for (i = 0; i < sizeof transient / sizeof transient[0]; i++)
		if (why != NULL && strstr(why, transient[i]) != NULL)
			return (true);
	return (false);
}

static int
open_store(struct daemon *d)
{
	double	wait = 0.5;

	if (!config_store_pg(&d->cfg)) {
		if (store_open(d->cfg.database, &d->store) == 0)
			return (0);
		log_err("database %s: %s", d->cfg.database,
		    store_error(d->store));
		return (-1);
	}
	while (store_open_postgresql(d->cfg.database_url, &d->store) != 0) {
		if (!retryable(store_error(NULL))) {
			log_err("database_url: %s", store_error(NULL));
			return (-1);
		}
		log_warn("database_url: %s; trying again in %.1f s",
		    store_error(NULL), wait);
		if (d->notify)
			sd_notifyf(0, "STATUS=waiting for the database: %s",
			    store_error(NULL));
		usleep((useconds_t)(wait * 1e6));
		if ((wait *= 2) > 30)
			wait = 30;
	}
	return (0);
}

static int
load_step(struct daemon *d)
{
	struct tasks_census	 census;
	struct errlist		 errs = ERRLIST_INIT;
	bool			 done;

	if (tasks_load_some(d, load_step_size(), &done, &errs) != 0)
		goto fail;
	if (!done) {
		if (d->notify)
			sd_notifyf(0, "STATUS=loading tasks: %zu of at most %zu",
			    d->tasks.loaded, d->tasks.load_total);
		return (1);
	}
	if (tasks_sync_files(d, &d->cfg, &errs) != 0 ||
	    planned_load(d, &errs) != 0)
		goto fail;
	tasks_census(d, &census);
	log_notice("ready: %zu tasks (%zu armed), socket %s, %s %s",
	    d->tasks.count, census.armed, d->cfg.socket,
	    store_kind(d->store), config_store_pg(&d->cfg) ?
	    cluster_name(d) : d->cfg.database);
	notify_status(d, "READY=1\n", &census);
	d->starting = false;
	return (0);
fail:
	log_errors(&errs, LOG_ERR);
	errlist_clear(&errs);
	d->tasks.loading = false;
	return (-1);
}

static void
loader_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct daemon	*d = container_of(w, struct daemon, loader);
	int		 rc;

	if (d->stopping)
		return;
	if ((rc = load_step(d)) > 0) {
		ev_timer_set(w, 0, 0);
		ev_timer_start(loop, w);
	} else if (rc < 0) {
		d->exit_code = 1;
		ev_break(loop, EVBREAK_ALL);
	}
}

int
main(int argc, char **argv)
{
	static struct daemon	 daemon;
	struct daemon		*d = &daemon;
	struct errlist		 errs = ERRLIST_INIT;
	const char		*cause = "";
	uint64_t		 wd_usec;
	int			 ch, foreground = 0, check = 0, nfds, rc = 1;
	int			 plugins_up = 0;
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};

	while ((ch = getopt_long(argc, argv, "c:fnvhV", longopts, NULL)) != -1)
		switch (ch) {
		case 'c':
			d->config_path = optarg;
			break;
		case 'f':
			foreground = 1;
			break;
		case 'n':
			check = 1;
			break;
		case 'v':
			d->verbose++;
			break;
		case 'h':
			usage(stdout, 0);
			break;
		case 'V':
			printf("skedd %s\n", PACKAGE_VERSION);
			return (0);
		default:
			usage(stderr, 2);
		}
	if (optind != argc)
		usage(stderr, 2);

	log_init(foreground || check, d->verbose);
	d->start_ms = now_ms();
	d->listen_fd = -1;
	if ((d->zones = tz_cache_new(NULL)) == NULL)
		abort();
	/*
	 * skedd -n reads every task file; a start reads sked.yaml first
	 * and the task files once the store tells which it already has.
	 */
	if (config_load_since(d->config_path, d->zones, check ? NULL :
	    unchanged_all, NULL, &d->cfg, &errs) != 0) {
		if (check)
			errlist_print(&errs, stderr);
		else {
			log_errors(&errs, LOG_ERR);
			log_err("configuration rejected; not starting");
		}
		errlist_clear(&errs);
		tz_cache_free(d->zones);
		return (1);
	}
	if (check) {
		printf("configuration OK\n");
		config_free(&d->cfg);
		tz_cache_free(d->zones);
		return (0);
	}
	if ((d->cfg.time_zone != NULL ? tz_cache_get(d->zones,
	    d->cfg.time_zone, &d->default_zone, &cause) :
	    tz_cache_system(d->zones, &d->default_zone, &cause)) != 0) {
		log_err("time_zone: %s", cause);
		return (1);
	}
	if (!foreground && daemonize() != 0) {
		log_err("daemonize: %s", strerror(errno));
		return (1);
	}
	d->notify = getenv("NOTIFY_SOCKET") != NULL;
	signal(SIGPIPE, SIG_IGN);
	d->loop = ev_default_loop(EVFLAG_AUTO);

	/* store: open, migrate, close what a crash left running */
	if (open_store(d) != 0)
		goto out;
	if (cluster_init(d) != 0)
		goto out;
	if (dispatch_recover(d) != 0)
		goto out;
	config_free(&d->cfg);
	if (config_load_since(d->config_path, d->zones, unchanged_stored, d,
	    &d->cfg, &errs) != 0) {
		log_errors(&errs, LOG_ERR);
		log_err("configuration rejected; not starting");
		goto out;
	}

	d->host.abi = SKED_PLUGIN_ABI;
	d->host.loop = d->loop;
	d->host.complete = dispatch_complete;
	d->host.log = host_log;
	host_update(d);
	if (plugins_open(&d->host, d->cfg.plugin_dir) != 0)
		goto out;
	plugins_up = 1;

	dispatch_init(d);
	tasks_init(d);
	d->starting = true;
	tasks_load_begin(d);

	nfds = sd_listen_fds(1);
	if (nfds > 1) {
		log_err("systemd passed %d sockets; skedd takes one", nfds);
		goto out;
	}
	if (api_start(d, nfds == 1 ? SD_LISTEN_FDS_START : -1, &errs) != 0) {
		log_errors(&errs, LOG_ERR);
		goto out;
	}
	if (cluster_start(d) != 0)
		goto out;

	ev_signal_init(&d->sigterm, sigterm_cb, SIGTERM);
	ev_signal_init(&d->sigint, sigterm_cb, SIGINT);
	ev_signal_init(&d->sighup, sighup_cb, SIGHUP);
	ev_signal_start(d->loop, &d->sigterm);
	ev_signal_start(d->loop, &d->sigint);
	ev_signal_start(d->loop, &d->sighup);
	if (sd_watchdog_enabled(0, &wd_usec) > 0) {
		ev_timer_init(&d->watchdog, watchdog_cb, 0,
		    (double)wd_usec / 2e6);
		ev_timer_again(d->loop, &d->watchdog);
	}
	/*
	 * A small store loads at once; a large one in steps, between which
	 * the loop serves the API (reads and run now; writes wait, 503).
	 */
	if (d->tasks.load_total <= load_step_size()) {
		while ((rc = load_step(d)) > 0)
			continue;
		if (rc < 0)
			goto out;
	} else {
		ev_timer_init(&d->loader, loader_cb, 0, 0);
		ev_timer_start(d->loop, &d->loader);
	}
	d->exit_code = 0;
	ev_run(d->loop, 0);
	rc = d->exit_code;
	log_notice("stopped");
out:
	api_stop(d);
	cluster_stop(d);
	if (d->loop != NULL) {
		dispatch_abandon(d);
		ev_timer_stop(d->loop, &d->watchdog);
		ev_timer_stop(d->loop, &d->loader);
		ev_timer_stop(d->loop, &d->shutdown_timer);
		ev_timer_stop(d->loop, &d->prune_timer);
		ev_prepare_stop(d->loop, &d->flush);
		ev_signal_stop(d->loop, &d->sigterm);
		ev_signal_stop(d->loop, &d->sigint);
		ev_signal_stop(d->loop, &d->sighup);
	}
	view_cache_free(d);
	tasks_free(d);
	if (plugins_up)
		plugins_close();
	cluster_free(d);
	store_close(d->store);
	config_free(&d->cfg);
	tz_cache_free(d->zones);
	errlist_clear(&errs);
	if (d->loop != NULL)
		ev_loop_destroy(d->loop);
	return (rc);
}
