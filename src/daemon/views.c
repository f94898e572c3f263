/*
 * Tasks and executions as the seeds show them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "log.h"
#include "skedd.h"
#include "store.h"
#include "timefmt.h"
#include "tz.h"
#include "views.h"

void
view_iso_ms(int64_t ms, char *out, size_t size)
{
	char	buf[40];
	int64_t	s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);

	timefmt_utc(s, buf, sizeof buf);	/* 2024-03-07T10:40:43Z */
	buf[strlen(buf) - 1] = '\0';
	snprintf(out, size, "%s.%03dZ", buf, (int)(ms - s * 1000));
}

json_t *
view_time_ms(int64_t ms)
{
	char	out[48];

	if (ms == 0)
		return (json_null());
	view_iso_ms(ms, out, sizeof out);
	return (json_string(out));
}

json_t *
view_next_execution(struct daemon *d, struct dtask *dt)
{
	struct civil	c;
	char		buf[40];

	if (dt->next == 0)
		return (json_null());
	civil_from_secs(dt->next + tz_offset_at(tasks_zone(d, dt), dt->next),
	    &c);
	snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", c.year,
	    c.mon, c.day, c.hour, c.min, c.sec);
	return (json_string(buf));
}

static json_t *
str_or_null(const char *s)
{
	return (s != NULL ? json_string(s) : json_null());
}

static json_t *
task_cron_of(const struct dtask *dt, const struct tdef *def)
{
	char	buf[200];

	if (def->t.task_cron != NULL)
		return (json_string(def->t.task_cron));
	if (dt->timed && sched_to_quartz(&def->sched, buf, sizeof buf) == 0)
		return (json_string(buf));
	return (json_null());
}

static json_t *
local_instant(int64_t at, const struct tz *zone)
{
	struct civil	c;
	char		buf[40];

	if (at == 0)
		return (json_null());
	civil_from_secs(at + tz_offset_at(zone, at), &c);
	snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", c.year,
	    c.mon, c.day, c.hour, c.min, c.sec);
	return (json_string(buf));
}

/*
 * A page of the list holds up to 50 of these: built key by key, because
 * json_pack re-parses its format and re-checks every constant key for each
 * item, which was a fifth of a list request at 10,000 tasks
 * (bench/api-bench).  The keys are constant ASCII: set without the check.
 * sc is the compiled schedule (NULL: not timed), zone the task's.
 */
static json_t *
list_item(const struct dtask *dt, const struct task *t,
    const struct sched *sc, const struct tz *zone)
{
	json_t	*o = json_object();
	char	 buf[200];

	json_object_set_new_nocheck(o, "id", json_string(dtask_id(dt)));
	json_object_set_new_nocheck(o, "task_name", json_string(dt->name));
	json_object_set_new_nocheck(o, "task_type", json_string(t->task_type));
	json_object_set_new_nocheck(o, "scheduled_type",
	    json_string_nocheck(task_sched_type_name(t->scheduled_type)));
	json_object_set_new_nocheck(o, "life_cycle_type",
	    str_or_null(t->life_cycle_type));
	json_object_set_new_nocheck(o, "last_status",
	    json_string_nocheck(status_name(dt->last_status)));
	json_object_set_new_nocheck(o, "next_execution_time",
	    local_instant(dt->next, zone));
	json_object_set_new_nocheck(o, "enable", json_boolean(dt->is_enable));
	json_object_set_new_nocheck(o, "description",
	    str_or_null(t->description));
	json_object_set_new_nocheck(o, "priority", json_integer(t->priority));
	json_object_set_new_nocheck(o, "time_zone", json_string(tz_name(zone)));
	json_object_set_new_nocheck(o, "wait_time",
	    json_integer(t->wait_time));
	json_object_set_new_nocheck(o, "task_cron", t->task_cron != NULL ?
	    json_string(t->task_cron) : sc != NULL && sched_to_quartz(sc, buf,
	    sizeof buf) == 0 ? json_string(buf) : json_null());
	json_object_set_new_nocheck(o, "project_id",
	    json_string(dt->proj->name));
	return (o);
}

struct item_read {
	struct daemon	*d;
	struct dtask	*dt;
	json_t		*o;
};

/* A list item from its row, compiled here, without a definition. */
static int
item_cb(void *arg, const struct task *t, const struct store_task_meta *m,
    uint64_t digest)
{
	struct item_read	*ir = arg;
	struct daemon		*d = ir->d;
	const struct tz		*zone = d->default_zone;
	struct sched		 sc;
	char			 err[SCHED_ERRLEN];
	const char		*cause;
	bool			 timed;

	timed = ir->dt->timed && task_schedule(t, d->zones, d->default_zone,
	    &sc, err, sizeof err) == 0;
	if (timed && sc.tz != NULL)
		zone = sc.tz;
	else if (t->time_zone != NULL)
		(void)tz_cache_get(d->zones, t->time_zone, &zone, &cause);
	if (zone == NULL)
		zone = d->default_zone;
	ir->o = list_item(ir->dt, t, timed ? &sc : NULL, zone);
	return (0);
}

/*
 * From the definition when it is in memory; else one row read for it
 * alone (no targets, nothing cached), so that paging through a million
 * tasks neither loads nor evicts definitions.
 */
json_t *
view_task_list_item(struct daemon *d, struct dtask *dt)
{
	struct item_read	 ir = { d, dt, NULL };

	if (dt->def != NULL)
		return (list_item(dt, &dt->def->t, dt->timed ?
		    &dt->def->sched : NULL, tasks_zone(d, dt)));
	if (store_task_item(d->store, dtask_id(dt), item_cb, &ir) != 0) {
		log_err("task %s (%s): its list item cannot be read: %s",
		    dtask_id(dt), dt->name, store_error(d->store));
		return (NULL);
	}
	return (ir.o);
}

/*
 * The serialized list items of the tasks listed lately, so that a page of
 * 50 is copied, not built and serialized again (at 10,000 tasks that was
 * most of a list request: bench/api-bench).  A slot is good while the
 * task has the same definition (serial), next fire, last_status and zone;
 * the slots are few, so the memory stays small at a million tasks.
 */
#define LIST_CACHE_SLOTS	16384	/* a power of two; 1 MiB of slots */

struct list_cache_slot {
	const struct dtask	*dt;
	uint32_t		 serial;
	int64_t			 next;
	const struct tz		*zone;
	enum last_status	 status;
	char			*text;
	size_t			 len;
};

struct list_cache {
	struct list_cache_slot	 slot[LIST_CACHE_SLOTS];
};

const char *
view_task_list_text(struct daemon *d, struct dtask *dt, size_t *len)
{
	struct list_cache_slot	*sl;
	/* a task's own zone is part of its definition (serial) */
	const struct tz		*zone = dt->default_zone ? d->default_zone :
				    NULL;
	json_t			*o;

	if (d->list_cache == NULL &&
	    (d->list_cache = calloc(1, sizeof *d->list_cache)) == NULL)
		abort();
	sl = &d->list_cache->slot[dt->serial & (LIST_CACHE_SLOTS - 1)];
	if (sl->text == NULL || sl->dt != dt || sl->serial != dt->serial ||
	    sl->next != dt->next || sl->zone != zone ||
	    sl->status != dt->last_status) {
		free(sl->text);
		sl->text = NULL;
		if ((o = view_task_list_item(d, dt)) == NULL)
			return (NULL);
		if ((sl->text = json_dumps(o, JSON_COMPACT |
		    JSON_PRESERVE_ORDER)) == NULL)
			abort();
		json_decref(o);
		sl->len = strlen(sl->text);
		sl->dt = dt;
		sl->serial = dt->serial;
		sl->next = dt->next;
		sl->zone = zone;
		sl->status = (enum last_status)dt->last_status;
	}
	*len = sl->len;
	return (sl->text);
}

void
view_cache_free(struct daemon *d)
{
	size_t	i;

	if (d->list_cache == NULL)
		return;
	for (i = 0; i < LIST_CACHE_SLOTS; i++)
		free(d->list_cache->slot[i].text);
	free(d->list_cache);
	d->list_cache = NULL;
}

json_t *
view_task(struct daemon *d, struct dtask *dt)
{
	const struct tdef	*def = tasks_def(d, dt);
	const struct task	*t;
	json_t			*o, *targets, *ids, *ip;
	char			 buf[40];
	size_t			 i, j;

	if (def == NULL)
		return (NULL);
	t = &def->t;
	o = json_object();
	json_object_set_new(o, "id", json_string(t->id));
	json_object_set_new(o, "task_name", json_string(t->task_name));
	json_object_set_new(o, "project_id", json_string(t->project_id));
	json_object_set_new(o, "task_type", json_string(t->task_type));
	json_object_set_new(o, "scheduled_type",
	    json_string(task_sched_type_name(t->scheduled_type)));
	if (t->has_date) {
		snprintf(buf, sizeof buf, "%04d-%02d-%02d", t->year, t->mon,
		    t->day);
		json_object_set_new(o, "scheduled_date", json_string(buf));
	} else
		json_object_set_new(o, "scheduled_date", json_null());
	if (t->has_time) {
		snprintf(buf, sizeof buf, "%02d:%02d:%02d", t->hour, t->min,
		    t->sec);
		json_object_set_new(o, "scheduled_time", json_string(buf));
	} else
		json_object_set_new(o, "scheduled_time", json_null());
	json_object_set_new(o, "day_interval", t->scheduled_type == TASK_DAY ?
	    json_integer(t->day_interval) : json_null());
	json_object_set_new(o, "week_list", str_or_null(t->week_list));
	json_object_set_new(o, "month_list", str_or_null(t->month_list));
	json_object_set_new(o, "date_list", str_or_null(t->date_list));
	json_object_set_new(o, "task_cron", task_cron_of(dt, def));
	json_object_set_new(o, "time_zone",
	    json_string(tz_name(tasks_zone(d, dt))));
	json_object_set_new(o, "expire_time", t->has_expire ?
	    view_time_ms(t->expire_ms) : json_null());
	json_object_set_new(o, "is_enable", json_boolean(t->is_enable));
	json_object_set_new(o, "description", str_or_null(t->description));
	json_object_set_new(o, "schedule_task_policy", json_pack("{s:b}",
	    "enforcement_enable", t->enforcement_enable));
	targets = json_array();
	for (i = 0; i < t->ntargets; i++) {
		ids = json_array();
		for (j = 0; j < t->targets[i].ntarget_ids; j++)
			json_array_append_new(ids,
			    json_string(t->targets[i].target_ids[j]));
		json_array_append_new(targets, json_pack("{s:s, s:o}",
		    "target_type", t->targets[i].target_type,
		    "target_id", ids));
	}
	json_object_set_new(o, "target_infos", targets);
	json_object_set_new(o, "life_cycle_type",
	    str_or_null(t->life_cycle_type));
	json_object_set_new(o, "priority", json_integer(t->priority));
	json_object_set_new(o, "wait_time", json_integer(t->wait_time));
	ip = t->input_param != NULL ? json_loads(t->input_param, 0, NULL) :
	    NULL;
	json_object_set_new(o, "input_param", ip != NULL ? ip : json_null());
	json_object_set_new(o, "next_execution_time",
	    view_next_execution(d, dt));
	json_object_set_new(o, "last_status",
	    json_string(status_name(dt->last_status)));
	json_object_set_new(o, "create_time", view_time_ms(def->create_ms));
	json_object_set_new(o, "update_time", view_time_ms(def->update_ms));
	json_object_set_new(o, "misfire_policy",
	    json_string(task_misfire_names[t->misfire_policy]));
	json_object_set_new(o, "overlap_policy",
	    json_string(task_overlap_names[t->overlap_policy]));
	json_object_set_new(o, "history_keep", json_integer(t->history_keep >
	    0 ? t->history_keep : d->cfg.history_keep));
	json_object_set_new(o, "source", str_or_null(tasks_source(d, dt)));
	if (t->risk_level != NULL)
		json_object_set_new(o, "risk_level",
		    json_string(t->risk_level));
	json_object_set_new(o, "enable_approve",
	    json_boolean(t->enable_approve));
	return (o);
}

json_t *
view_execution(const struct store_execution *r, bool subtasks)
{
	const struct store_subtask	*s;
	json_t				*o, *a;
	size_t				 i;

	o = json_object();
	json_object_set_new(o, "id", json_string(r->id));
	json_object_set_new(o, "task_id", json_string(r->task_id));
	json_object_set_new(o, "task_type", str_or_null(r->task_type));
	json_object_set_new(o, "status", json_string(r->status));
	json_object_set_new(o, "scheduled_type",
	    str_or_null(r->scheduled_type));
	json_object_set_new(o, "total_count", json_integer(r->total_count));
	json_object_set_new(o, "success_count",
	    json_integer(r->success_count));
	json_object_set_new(o, "failed_count", json_integer(r->failed_count));
	json_object_set_new(o, "excuting_count",
	    json_integer(r->excuting_count));
	json_object_set_new(o, "skipped_count",
	    json_integer(r->skipped_count));
	json_object_set_new(o, "time_zone", str_or_null(r->time_zone));
	json_object_set_new(o, "begin_time", view_time_ms(r->begin_ms));
	json_object_set_new(o, "end_time", view_time_ms(r->end_ms));
	json_object_set_new(o, "create_time", view_time_ms(r->create_ms));
	json_object_set_new(o, "scheduled_time", r->scheduled_at > 0 ?
	    view_time_ms(r->scheduled_at * 1000) : json_null());
	/* SPEC section 7's name for the occurrence; scheduled_time stays */
	json_object_set_new(o, "scheduled_at", r->scheduled_at > 0 ?
	    view_time_ms(r->scheduled_at * 1000) : json_null());
	json_object_set_new(o, "node", str_or_null(r->node));
	if (strcmp(r->status, "SUCCESS") != 0 && r->reason != NULL)
		json_object_set_new(o, "reason", json_string(r->reason));
	if (!subtasks)
		return (o);
	a = json_array();
	for (i = 0; i < r->nsubtasks; i++) {
		s = &r->subtasks[i];
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:o, s:o, "
		    "s:o, s:o, s:o}",
		    "target_type", s->target_type,
		    "target_id", s->target_id,
		    "status", s->status,
		    "exit_code", s->exit_code >= 0 ?
		    json_integer(s->exit_code) : json_null(),
		    "reason", str_or_null(s->reason),
		    "output_tail", str_or_null(s->output_tail),
		    "begin_time", view_time_ms(s->begin_ms),
		    "end_time", view_time_ms(s->end_ms)));
	}
	json_object_set_new(o, "subtasks", a);
	return (o);
}

static const char *
approve_name(enum approve_status a)
{
	switch (a) {
	case APPROVE_PENDING:	return ("PENDING");
	case APPROVE_PASSED:	return ("PASSED");
	case APPROVE_REJECTED:	return ("REJECTED");
	default:		return (NULL);
	}
}

/*
 * trigger_time of seed 004.  FIXED_TIME is a ONCE at its instant, WEEK a
 * PERIODIC; every other timed kind is the CRON of its Quartz equivalent
 * (null when it has none, as a DAY every 3 days); LIFE_CYCLE has none.
 */
static json_t *
trigger_of(struct daemon *d, struct dtask *dt, const struct tdef *def)
{
	const struct task	*t = &def->t;
	struct sched		 s;
	json_t			*o;
	char			 buf[40], *p;
	int64_t			 at;
	int			 i;

	if (t->scheduled_type == TASK_LIFE_CYCLE || !dt->timed)
		return (json_null());
	o = json_object();
	switch (t->scheduled_type) {
	case TASK_ONCE:
	case TASK_FIXED_TIME:
		json_object_set_new(o, "policy", json_string("ONCE"));
		break;
	case TASK_WEEK:
	case TASK_PERIODIC:
		json_object_set_new(o, "policy", json_string("PERIODIC"));
		break;
	default:
		json_object_set_new(o, "policy", json_string("CRON"));
		break;
	}
	json_object_set_new(o, "time_zone",
	    json_string(tz_name(tasks_zone(d, dt))));
	switch (t->scheduled_type) {
	case TASK_ONCE:
		json_object_set_new(o, "single_scheduled_time",
		    json_integer(t->once_ms));
		break;
	case TASK_FIXED_TIME:
		/* its one instant, even once expired or past */
		s = def->sched;
		sched_set_expire(&s, SCHED_NEVER);
		json_object_set_new(o, "single_scheduled_time",
		    sched_next(&s, 0, &at) == 0 ? json_integer(at * 1000) :
		    json_null());
		break;
	case TASK_WEEK:
	case TASK_PERIODIC:
		snprintf(buf, sizeof buf, "%02d:%02d:%02d", t->hour, t->min,
		    t->sec);
		json_object_set_new(o, "periodic_scheduled_time",
		    json_string(buf));
		for (p = buf, i = 0; i < 7; i++)
			if (t->week_mask & (1U << i))
				p += snprintf(p, 3, "%s%d", p == buf ? "" :
				    ",", i + 1);
		*p = '\0';
		json_object_set_new(o, "period", json_string(buf));
		break;
	default:
		json_object_set_new(o, "cron", task_cron_of(dt, def));
		break;
	}
	if (t->has_expire)
		json_object_set_new(o, "scheduled_close_time",
		    json_integer(t->expire_ms));
	return (o);
}

json_t *
view_task_om(struct daemon *d, struct dtask *dt)
{
	const struct tdef	*def = tasks_def(d, dt);
	const struct task	*t;
	const char		*a = approve_name(dt->approve);
	json_t			*o, *mn;

	if (def == NULL)
		return (NULL);
	t = &def->t;
	o = json_object();
	json_object_set_new(o, "id", json_string(t->id));
	json_object_set_new(o, "enterprise_project_id",
	    json_string(t->project_id));
	json_object_set_new(o, "name", json_string(t->task_name));
	json_object_set_new(o, "trigger_time", trigger_of(d, dt, def));
	json_object_set_new(o, "task_type", json_string(t->task_type));
	json_object_set_new(o, "risk_level", str_or_null(t->risk_level));
	/* as seed 004: a string holding the JSON object */
	json_object_set_new(o, "input_param", str_or_null(t->input_param));
	json_object_set_new(o, "enable_approve",
	    json_boolean(t->enable_approve));
	json_object_set_new(o, "approve_status", a != NULL ? json_string(a) :
	    json_null());
	json_object_set_new(o, "approve_comments",
	    str_or_null(def->approve_comments));
	json_object_set_new(o, "enable_message_notification",
	    json_boolean(t->enable_message_notification));
	mn = t->message_notification != NULL ?
	    json_loads(t->message_notification, 0, NULL) : NULL;
	json_object_set_new(o, "message_notification", mn != NULL ? mn :
	    json_null());
	json_object_set_new(o, "description", str_or_null(t->description));
	json_object_set_new(o, "is_enable", json_boolean(t->is_enable));
	json_object_set_new(o, "next_execution_time",
	    view_next_execution(d, dt));
	json_object_set_new(o, "last_status",
	    json_string(status_name(dt->last_status)));
	json_object_set_new(o, "create_time", view_time_ms(def->create_ms));
	json_object_set_new(o, "update_time", view_time_ms(def->update_ms));
	json_object_set_new(o, "source", str_or_null(tasks_source(d, dt)));
	return (o);
}
