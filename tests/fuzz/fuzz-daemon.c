/*
 * skedd.c with main() renamed, plus start and stop in main()'s order
 * (fuzz-daemon.h): its static helpers (host_log, host_update, log_errors)
 * are used as they are, so the harness's daemon is set up as skedd's.
 */
#define main	skedd_main
int	skedd_main(int, char **);
#include "daemon/skedd.c"
#undef main

#include "fuzz-daemon.h"

int
fuzz_daemon_start(struct daemon *d, const char *config_path)
{
	struct errlist	 errs = ERRLIST_INIT;
	const char	*cause = "";

	log_init(1, 0);
	d->config_path = config_path;
	d->start_ms = now_ms();
	d->listen_fd = -1;
	if ((d->zones = tz_cache_new(NULL)) == NULL)
		abort();
	if (config_load(d->config_path, d->zones, &d->cfg, &errs) != 0)
		goto fail;
	if ((d->cfg.time_zone != NULL ? tz_cache_get(d->zones,
	    d->cfg.time_zone, &d->default_zone, &cause) :
	    tz_cache_system(d->zones, &d->default_zone, &cause)) != 0) {
		log_err("time_zone: %s", cause);
		return (-1);
	}
	signal(SIGPIPE, SIG_IGN);
	d->loop = ev_default_loop(EVFLAG_AUTO);
	if (store_open(d->cfg.database, &d->store) != 0) {
		log_err("database %s: %s", d->cfg.database,
		    store_error(d->store));
		return (-1);
	}
	if (dispatch_recover(d) != 0)
		return (-1);
	d->host.abi = SKED_PLUGIN_ABI;
	d->host.loop = d->loop;
	d->host.complete = dispatch_complete;
	d->host.log = host_log;
	host_update(d);
	if (plugins_open(&d->host, d->cfg.plugin_dir) != 0)
		return (-1);
	dispatch_init(d);
	tasks_init(d);
	d->starting = true;
	if (tasks_load(d, &errs) != 0 ||
	    tasks_sync_files(d, &d->cfg, &errs) != 0 ||
	    planned_load(d, &errs) != 0 ||
	    api_start(d, -1, &errs) != 0)
		goto fail;
	d->starting = false;
	return (0);
fail:
	log_errors(&errs, LOG_ERR);
	errlist_clear(&errs);
	return (-1);
}

void
fuzz_daemon_stop(struct daemon *d)
{
	api_stop(d);
	dispatch_abandon(d);
	ev_timer_stop(d->loop, &d->prune_timer);
	ev_prepare_stop(d->loop, &d->flush);
	view_cache_free(d);
	tasks_free(d);
	plugins_close();
	store_close(d->store);
	config_free(&d->cfg);
	tz_cache_free(d->zones);
}
