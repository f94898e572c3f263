/*
 * skedctl next: the offline calculator of SPEC section 3.  No daemon.
 *
 *	skedctl next --cron EXPR [--tz ZONE] [--from @EPOCH|ISO8601]
 *	    [-n COUNT] [--utc]
 *	skedctl next --task FILE [--name NAME] [--tz ZONE] [--from ...]
 *	    [-n COUNT] [--utc]
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sched.h"
#include "skedctl.h"
#include "task.h"
#include "timefmt.h"
#include "tz.h"

#define NEXT_DEFAULT_COUNT	5
#define NEXT_MAX_COUNT		1000000

static int	next_exec(int, char **);

const struct ctl_cmd ctl_next_cmd = {
	.name = "next",
	.usage = "(--cron EXPR | --task FILE [--name NAME]) [--tz ZONE] "
	    "[--from @EPOCH|ISO8601] [-n COUNT] [--utc]",
	.summary = "print the next fire times of an expression or task file",
	.exec = next_exec,
};

static const struct option next_opts[] = {
	{ "cron", required_argument, NULL, 'c' },
	{ "task", required_argument, NULL, 't' },
	{ "name", required_argument, NULL, 'N' },
	{ "tz", required_argument, NULL, 'z' },
	{ "from", required_argument, NULL, 'f' },
	{ "count", required_argument, NULL, 'n' },
	{ "utc", no_argument, NULL, 'u' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/*
 * @EPOCH, or ISO 8601; without an offset the time is read on the wall
 * clock of zone (a repeated time means its first occurrence, a time in a
 * gap the end of the gap).
 */
static int
parse_from(const char *arg, const struct tz *zone, int64_t *out)
{
	struct iso_time	 it;
	char		*end;
	long long	 v;
	int64_t		 second;

	if (arg[0] == '@') {
		errno = 0;
		v = strtoll(arg + 1, &end, 10);
		if (arg[1] == '\0' || *end != '\0' || errno != 0)
			return (-EINVAL);
		*out = v;
		return (0);
	}
	if (timefmt_parse_iso(arg, &it) != 0)
		return (-EINVAL);
	if (it.has_offset)
		*out = it.local - it.offset;
	else
		(void)tz_local_to_utc(zone, it.local, out, &second);
	return (0);
}

static int
parse_count(const char *arg, long *out)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || errno != 0 || v < 0 ||
	    v > NEXT_MAX_COUNT)
		return (-EINVAL);
	*out = v;
	return (0);
}

static void
print_times(const struct sched *s, const struct tz *zone, int64_t from,
    long count, int utc)
{
	char	buf[64];
	int64_t	t = from;
	long	i;

	for (i = 0; i < count; i++) {
		if (sched_next(s, t, &t) != 0)
			break;
		if (utc)
			timefmt_utc(t, buf, sizeof buf);
		else
			timefmt_iso(t, tz_offset_at(zone, t), buf, sizeof buf);
		puts(buf);
	}
}

/* Compile the one task of a file (or the one named) into s. */
static int
load_task(const char *path, const char *name, struct tz_cache *zones,
    const struct tz *default_zone, struct sched *s, const struct tz **zone,
    int *runs)
{
	struct task_set	 set = { NULL, 0 };
	struct errlist	 errs = ERRLIST_INIT;
	const struct task *t = NULL;
	const char	*cause;
	char		 err[SCHED_ERRLEN];
	size_t		 i;
	int		 rc = -1;

	if (task_file_load(path, &set, &errs) != 0) {
		errlist_print(&errs, stderr);
		errlist_clear(&errs);
		return (-1);
	}
	for (i = 0; i < set.count; i++)
		if (name == NULL || strcmp(set.tasks[i].task_name, name) == 0) {
			if (t != NULL) {
				ctl_err(&ctl_next_cmd, "%s holds %zu tasks; "
				    "choose one with --name", path, set.count);
				goto out;
			}
			t = &set.tasks[i];
		}
	if (t == NULL) {
		if (name != NULL)
			ctl_err(&ctl_next_cmd, "%s: no task named '%s'", path,
			    name);
		else
			ctl_err(&ctl_next_cmd, "%s: no task", path);
		goto out;
	}
	*zone = default_zone;
	if (t->time_zone != NULL &&
	    tz_cache_get(zones, t->time_zone, zone, &cause) != 0) {
		ctl_err(&ctl_next_cmd, "%s: time_zone: '%s': %s", path,
		    t->time_zone, cause);
		goto out;
	}
	switch (task_schedule(t, zones, default_zone, s, err, sizeof err)) {
	case 0:
		*runs = t->is_enable;
		if (!t->is_enable)
			fprintf(stderr, "skedctl next: task '%s' is disabled "
			    "(is_enable: false) and never fires\n",
			    t->task_name);
		rc = 0;
		break;
	case 1:
		*runs = 0;	/* LIFE_CYCLE: fires on events, not times */
		fprintf(stderr, "skedctl next: task '%s' runs on %s events, "
		    "not at times\n", t->task_name,
		    t->life_cycle_type ? t->life_cycle_type : "LIFE_CYCLE");
		rc = 0;
		break;
	default:
		ctl_err(&ctl_next_cmd, "%s: %s", t->file ? t->file : path, err);
		break;
	}
out:
	task_set_free(&set);
	return (rc);
}

/*
 * The zone when --tz is not given: $TZ as other programs read it (a zone
 * name, ":name", or a POSIX string such as "EST5EDT,M3.2.0,M11.1.0"), else
 * the system zone.
 */
static int
env_zone(struct tz_cache *zones, struct tz **posix, const struct tz **out)
{
	const char	*env = getenv("TZ"), *cause;

	if (env != NULL && *env == ':')
		env++;
	if (env == NULL || *env == '\0' || *env == '/') {
		if (tz_cache_system(zones, out, &cause) == 0)
			return (0);
		ctl_err(&ctl_next_cmd, "system time zone: %s", cause);
		return (-1);
	}
	if (tz_cache_get(zones, env, out, &cause) == 0)
		return (0);
	if (tz_from_posix(env, env, posix, &cause) == 0) {
		*out = *posix;
		return (0);
	}
	ctl_err(&ctl_next_cmd, "TZ: '%s': unknown time zone", env);
	return (-1);
}

static int
next_exec(int argc, char **argv)
{
	const struct ctl_cmd	*cmd = &ctl_next_cmd;
	struct tz_cache		*zones;
	struct tz		*posix_zone = NULL;
	const struct tz		*zone = NULL, *default_zone;
	struct sched		 s;
	const char		*cron = NULL, *task = NULL, *name = NULL;
	const char		*zone_name = NULL, *from_arg = NULL, *cause;
	char			 err[SCHED_ERRLEN];
	long			 count = NEXT_DEFAULT_COUNT;
	int64_t			 from;
	int			 ch, utc = 0, runs = 1, status = CTL_EXIT_USAGE;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "n:h", next_opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			cron = optarg;
			break;
		case 't':
			task = optarg;
			break;
		case 'N':
			name = optarg;
			break;
		case 'z':
			zone_name = optarg;
			break;
		case 'f':
			from_arg = optarg;
			break;
		case 'n':
			if (parse_count(optarg, &count) != 0) {
				ctl_err(cmd, "-n: '%s': not a count 0-%d",
				    optarg, NEXT_MAX_COUNT);
				return (CTL_EXIT_USAGE);
			}
			break;
		case 'u':
			utc = 1;
			break;
		case 'h':
			ctl_usage(cmd, CTL_EXIT_OK);
		default:
			ctl_usage(cmd, CTL_EXIT_USAGE);
		}
	}
	if (optind != argc) {
		ctl_err(cmd, "unexpected argument '%s'", argv[optind]);
		return (CTL_EXIT_USAGE);
	}
	if ((cron == NULL) == (task == NULL)) {
		ctl_err(cmd, "give exactly one of --cron and --task");
		ctl_usage(cmd, CTL_EXIT_USAGE);
	}
	if (name != NULL && task == NULL) {
		ctl_err(cmd, "--name needs --task");
		return (CTL_EXIT_USAGE);
	}

	if ((zones = tz_cache_new(NULL)) == NULL) {
		ctl_err(cmd, "out of memory");
		return (CTL_EXIT_FAIL);
	}
	if (zone_name != NULL) {
		if (tz_cache_get(zones, zone_name, &default_zone, &cause) != 0) {
			ctl_err(cmd, "--tz: '%s': %s", zone_name, cause);
			goto out;
		}
	} else if (env_zone(zones, &posix_zone, &default_zone) != 0)
		goto out;

	if (cron != NULL) {
		zone = default_zone;
		if (sched_parse_cron(&s, cron, zone, err, sizeof err) != 0) {
			ctl_err(cmd, "--cron: '%s': %s", cron, err);
			goto out;
		}
	} else if (load_task(task, name, zones, default_zone, &s, &zone,
	    &runs) != 0)
		goto out;

	if (from_arg == NULL)
		from = (int64_t)time(NULL);
	else if (parse_from(from_arg, zone, &from) != 0) {
		ctl_err(cmd, "--from: '%s': expected @EPOCH_SECONDS or ISO 8601 "
		    "(2024-03-10T01:30:00Z, 2024-03-10T01:30:00-05:00, "
		    "2024-03-10 01:30:00)", from_arg);
		goto out;
	}
	if (runs)
		print_times(&s, zone, from, count, utc);
	status = fflush(stdout) == 0 ? CTL_EXIT_OK : CTL_EXIT_FAIL;
out:
	tz_free(posix_zone);
	tz_cache_free(zones);
	return (status);
}
