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
listens(const struct dtask *dt, const char *type, const char *id)
{
	const struct task_target	*tg;
	size_t				 i, j;

	for (i = 0; i < dt->t.ntargets; i++) {
		tg = &dt->t.targets[i];
		if (strcmp(tg->target_type, type) != 0)
			continue;
		for (j = 0; j < tg->ntarget_ids; j++)
			if (strcmp(tg->target_ids[j], id) == 0)
				return (true);
	}
	return (false);
}

static int
by_priority(const void *a, const void *b)
{
	const struct dtask	*x = *(const struct dtask *const *)a;
	const struct dtask	*y = *(const struct dtask *const *)b;

	if (x->t.priority != y->t.priority)
		return (x->t.priority < y->t.priority ? -1 : 1);
	return (x->pos < y->pos ? -1 : x->pos > y->pos);
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
	struct dtask	**match = NULL, *dt;
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
	if ((match = calloc(d->tasks.count + 1, sizeof *match)) == NULL)
		abort();
	for (i = 0; i < d->tasks.count; i++) {
		dt = d->tasks.order[i];
		if (dt->t.scheduled_type == TASK_LIFE_CYCLE &&
		    dt->t.is_enable && !dt->removed &&
		    strcmp(dt->t.project_id, project) == 0 &&
		    dt->t.life_cycle_type != NULL &&
		    strcmp(dt->t.life_cycle_type, val[0]) == 0 &&
		    listens(dt, val[1], val[2]))
			match[n++] = dt;
	}
	qsort(match, n, sizeof *match, by_priority);
	ids = json_array();
	for (i = 0; i < n; i++) {
		dispatch_event(d, match[i], val[1], val[2],
		    match[i]->t.wait_time, id);
		json_array_append_new(ids, json_string(id));
	}
	r = reply_with(202, json_pack("{s:o}", "execution_ids", ids));
out:
	free(match);
	json_decref(body);
	return (r);
}
