/*
 * LIFE_CYCLE events (seed 002): POST /v1/{project_id}/events with
 * {"life_cycle_type", "target_type", "target_id"} runs every enabled
 * LIFE_CYCLE task of the project that listens for that type on that
 * target, on that one target, wait_time seconds later; lower priority
 * first, then creation order.  The answer (202) carries the ids the
 * executions will have; each is written when its run starts.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "routes.h"
#include "skedd.h"

#define EVENT_FIELD_MAX	255	/* bytes of each field */

/*
 * Does dt listen on this target?  Only the ids listed count: the task
 * model requires at least one id per target, so there is no "every
 * target of the type".
 */
static bool
listens(const struct task *t, const char *type, const char *id)
{
	const struct task_target	*tg;
	size_t				 i, j;

	for (i = 0; i < t->ntargets; i++) {
		tg = &t->targets[i];
		if (strcmp(tg->target_type, type) != 0)
			continue;
		for (j = 0; j < tg->ntarget_ids; j++)
			if (strcmp(tg->target_ids[j], id) == 0)
				return (true);
	}
	return (false);
}

/* A task an event runs, with what the order and the run need of it. */
struct match {
	struct dtask	*dt;
	int		 priority;
	int		 wait_time;
};

static int
by_priority(const void *a, const void *b)
{
	const struct match	*x = a, *y = b;

	if (x->priority != y->priority)
		return (x->priority < y->priority ? -1 : 1);
	/* then creation order: the project's slots are in it */
	return (x->dt->ppos < y->dt->ppos ? -1 : x->dt->ppos > y->dt->ppos);
}

struct reply
route_event(struct api_req *req)
{
	static const char *const fields[] = { "life_cycle_type",
	    "target_type", "target_id" };
	static const char *const known[] = { NULL };
	struct daemon	*d = req->d;
	const char	*project = req->params[PARAM_PROJECT_ID];
	const char	*val[3] = { NULL, NULL, NULL }, *key;
	struct match	*match = NULL;
	struct project	*proj;
	struct dtask	*dt;
	struct tdef	*def;
	uint32_t	 lct;
	json_t		*body, *v, *ids;
	json_error_t	 jerr;
	struct reply	 r;
	char		 id[37];
	size_t		 i, n = 0;

	if (query_unknown(req, known, &r))
		return (r);
	if (req->body == NULL || req->len == 0)
		return (reply_error(400, "body: a JSON object with "
		    "life_cycle_type, target_type and target_id is required"));
	if ((body = json_loadb(req->body, req->len, 0, &jerr)) == NULL)
		return (reply_error(400, "body: not JSON: %s (line %d, column "
		    "%d)", jerr.text, jerr.line, jerr.column));
	if (!json_is_object(body)) {
		json_decref(body);
		return (reply_error(400, "body: not a JSON object"));
	}
	json_object_foreach(body, key, v) {
		for (i = 0; i < 3; i++)
			if (strcmp(key, fields[i]) == 0)
				break;
		if (i == 3) {
			r = reply_error(400, "%s: unknown field", key);
			goto out;
		}
		if (!json_is_string(v) || json_string_length(v) == 0) {
			r = reply_error(400, "%s: not a non-empty string", key);
			goto out;
		}
		if (json_string_length(v) > EVENT_FIELD_MAX) {
			r = reply_error(400, "%s: longer than %d bytes", key,
			    EVENT_FIELD_MAX);
			goto out;
		}
		val[i] = json_string_value(v);
	}
	for (i = 0; i < 3; i++)
		if (val[i] == NULL) {
			r = reply_error(400, "%s: required", fields[i]);
			goto out;
		}
	ids = json_array();
	if ((proj = tasks_project(d, project)) == NULL ||
	    (lct = tasks_word_find(d, val[0], false)) == 0)
		goto done;
	if ((match = calloc(proj->count + 1, sizeof *match)) == NULL)
		abort();
	for (i = 0; i < proj->nslots; i++) {
		if ((dt = proj->slot[i]) == NULL ||
		    dt->scheduled_type != TASK_LIFE_CYCLE || !dt->is_enable ||
		    dt->removed || dt->life_cycle_type != lct ||
		    (def = tasks_def(d, dt)) == NULL ||
		    !listens(&def->t, val[1], val[2]))
			continue;
		match[n].dt = dt;
		match[n].priority = def->t.priority;
		match[n].wait_time = def->t.wait_time;
		n++;
		if (n % 1024 == 0)	/* nothing held: keep the cache small */
			tasks_trim(d);
	}
	qsort(match, n, sizeof *match, by_priority);
	for (i = 0; i < n; i++) {
		dispatch_event(d, match[i].dt, val[1], val[2],
		    match[i].wait_time, id);
		json_array_append_new(ids, json_string(id));
	}
done:
	r = reply_with(202, json_pack("{s:o}", "execution_ids", ids));
out:
	free(match);
	json_decref(body);
	return (r);
}
