/*
 * Task files (YAML and JSON, both seed shapes) under fuzzing:
 * task_text_load, then task_schedule and sched_next for every task read.
 *
 * Input: the text of a task file.  The default zone is one of the fixed
 * set (schedcheck.c), picked by the input's length; `from` is 2024-01-01
 * plus a few days derived from the length, never the clock.
 *
 * Oracles: no crash, leak or sanitizer report; a refused file has at
 * least one error and no tasks; an accepted task has a name, a project
 * and a task type; its schedule, when it compiles, passes the engine
 * checks of schedcheck.c; task_schedule's refusals have a message.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errlist.h"
#include "sched.h"
#include "schedcheck.h"
#include "task.h"

#define FROM_BASE	1704067200LL	/* 2024-01-01T00:00:00Z */
#define FIRES		3

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned	i;

	for (i = 0; i < FUZZ_NZONES; i++)
		(void)fuzz_zone(fuzz_zones(), i);
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct task_set	 set = { NULL, 0 };
	struct errlist	 errs = ERRLIST_INIT;
	struct sched	 s;
	const struct tz	*dz;
	char		 err[256];
	size_t		 i;
	int		 rc;

	if (size > 64 * 1024)
		return (0);
	dz = fuzz_zone(fuzz_zones(), (unsigned)size);
	rc = task_text_load("fuzz.yaml", (const char *)data, size, &set,
	    &errs);
	if (rc != 0) {
		if (errs.count == 0 || set.count != 0) {
			fprintf(stderr, "fuzz: refused with %zu errors and "
			    "%zu tasks\n", errs.count, set.count);
			abort();
		}
		errlist_clear(&errs);
		task_set_free(&set);
		return (0);
	}
	for (i = 0; i < set.count; i++) {
		const struct task *t = &set.tasks[i];

		if (t->task_name == NULL || t->project_id == NULL ||
		    t->task_type == NULL) {
			fprintf(stderr, "fuzz: task %zu without name, project "
			    "or type\n", i);
			abort();
		}
		err[0] = '\0';
		rc = task_schedule(t, fuzz_zones(), dz, &s, err, sizeof err);
		if (rc < 0 && err[0] == '\0') {
			fprintf(stderr, "fuzz: task_schedule refused %s "
			    "without a message\n", t->task_name);
			abort();
		}
		if (rc == 0)
			fuzz_check_sched(&s, FROM_BASE + 86400 * (int64_t)(size %
			    400), FIRES, t->task_name);
	}
	errlist_clear(&errs);
	task_set_free(&set);
	return (0);
}
