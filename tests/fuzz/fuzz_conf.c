/*
 * config_load (sked.yaml, then the task files of its tasks_dir) under
 * fuzzing.
 *
 * Input: the text of sked.yaml.  config_load reads a file, so the input
 * is written to DIR/sked.yaml, one temp dir per process (removed at
 * exit); DIR/tasks.d, the default tasks_dir, holds one task file so that
 * the task set is read and checked too.
 *
 * Oracles: no crash, leak or sanitizer report; a rejected file has at
 * least one error; an accepted one has its paths set, absolute.
 */
#include "config.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/conf.h"
#include "errlist.h"
#include "tz.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***);
char	*xstrdup(const char *);

static char		 dir[] = "/tmp/sked-fuzz-conf.XXXXXX";
static char		 path[sizeof dir + 16], tasks[sizeof dir + 16];
static char		 task_file[sizeof dir + 32];
static struct tz_cache	*zones;

/* skedd.c's, which this harness does not link. */
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
cleanup(void)
{
	unlink(task_file);
	rmdir(tasks);
	unlink(path);
	rmdir(dir);
}

static void
write_file(const char *p, const void *data, size_t size)
{
	int	fd;

	if ((fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0 ||
	    (size > 0 && write(fd, data, size) != (ssize_t)size) ||
	    close(fd) != 0) {
		perror(p);
		abort();
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char task[] = "task_name: fuzz\n"
	    "task_type: EXECUTE_SCRIPT\nscheduled_type: CRON\n"
	    "task_cron: '*/5 * * * *'\ninput_param:\n  command: 'true'\n";

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		abort();
	}
	snprintf(path, sizeof path, "%s/sked.yaml", dir);
	snprintf(tasks, sizeof tasks, "%s/tasks.d", dir);
	snprintf(task_file, sizeof task_file, "%s/fuzz.yaml", tasks);
	if (mkdir(tasks, 0700) != 0) {
		perror(tasks);
		abort();
	}
	write_file(task_file, task, sizeof task - 1);
	atexit(cleanup);
	if ((zones = tz_cache_new(NULL)) == NULL)
		abort();
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	 cfg;
	struct errlist	 errs = ERRLIST_INIT;
	int		 rc;

	if (size > 64 * 1024)
		return (0);
	write_file(path, data, size);
	rc = config_load(path, zones, &cfg, &errs);
	if (rc != 0 && errs.count == 0) {
		fprintf(stderr, "fuzz: rejected without an error\n");
		abort();
	}
	if (rc == 0) {
		if (cfg.socket == NULL || cfg.database == NULL ||
		    cfg.tasks_dir == NULL || cfg.socket[0] != '/' ||
		    cfg.tasks_dir[0] != '/') {
			fprintf(stderr, "fuzz: accepted without absolute "
			    "paths\n");
			abort();
		}
		config_free(&cfg);
	}
	errlist_clear(&errs);
	return (0);
}
