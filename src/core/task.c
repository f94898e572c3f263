/*
 * Task files: YAML (JSON is YAML too, so one reader serves both) read with
 * libyaml's document loader, which keeps each node's line and column, then
 * checked field by field against one table.  Every error is collected as
 * "file:line:column: field: reason"; a file with any error yields no task.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <yaml.h>

#include "civil.h"
#include "sched.h"
#include "readfile.h"
#include "task.h"
#include "timefmt.h"
#include "tz.h"

#define TASK_FILE_MAX	(4 << 20)
#define NAME_MAX_LEN	64
#define DESC_MAX_LEN	255
#define JSON_DEPTH_MAX	32

struct ctx {
	yaml_document_t	*doc;
	const char	*file;
	struct errlist	*errs;
	int		 nerr;
	const char	*prefix;	/* "trigger_time." inside it */
	/* which keys were given, by table index; given: with a value, not
	 * null, which is what a required field needs */
	unsigned char	 seen[64];
	unsigned char	 trig_seen[16];
	unsigned char	 given[64];
	unsigned char	 trig_given[16];
	enum { SHAPE_NONE, SHAPE_SEED, SHAPE_OM } shape;
};

static void	bad(struct ctx *, const yaml_node_t *, const char *,
		    const char *, ...) __attribute__((format(printf, 4, 5)));

static void
bad(struct ctx *c, const yaml_node_t *n, const char *field, const char *fmt,
    ...)
{
	char	msg[400];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	errlist_add(c->errs, c->file, n ? (int)n->start_mark.line + 1 : 0,
	    n ? (int)n->start_mark.column + 1 : 0, "%s%s: %s",
	    c->prefix ? c->prefix : "", field, msg);
	c->nerr++;
}

static int
is_plain(const yaml_node_t *n)
{
	return (n->type == YAML_SCALAR_NODE &&
	    n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE);
}

static const char *
scalar(const yaml_node_t *n)
{
	return ((const char *)n->data.scalar.value);
}

static int
is_null(const yaml_node_t *n)
{
	const char	*s;

	if (!is_plain(n))
		return (0);
	s = scalar(n);
	return (*s == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	    strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0);
}

static int
get_str(struct ctx *c, const yaml_node_t *n, const char *f, char **out)
{
	if (n->type != YAML_SCALAR_NODE) {
		bad(c, n, f, "expected a string");
		return (-1);
	}
	free(*out);
	if ((*out = strdup(scalar(n))) == NULL)
		abort();
	return (0);
}

static int
get_int(struct ctx *c, const yaml_node_t *n, const char *f, long lo, long hi,
    long *out)
{
	const char	*s = scalar(n);
	char		*end;
	long		 v;

	if (n->type != YAML_SCALAR_NODE || !is_plain(n) ||
	    !(isdigit((unsigned char)*s) || (*s == '-' &&
	    isdigit((unsigned char)s[1])))) {
		bad(c, n, f, "expected an integer");
		return (-1);
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end != '\0' || errno != 0) {
		bad(c, n, f, "expected an integer");
		return (-1);
	}
	if (v < lo || v > hi) {
		bad(c, n, f, "%ld is out of range %ld-%ld", v, lo, hi);
		return (-1);
	}
	*out = v;
	return (0);
}

static int
get_ms(struct ctx *c, const yaml_node_t *n, const char *f, int64_t *out)
{
	long long	 v;
	char		*end;

	if (n->type != YAML_SCALAR_NODE || !is_plain(n) ||
	    !isdigit((unsigned char)*scalar(n))) {
		bad(c, n, f, "expected a timestamp in milliseconds");
		return (-1);
	}
	errno = 0;
	v = strtoll(scalar(n), &end, 10);
	/* up to the end of 2199 */
	if (*end != '\0' || errno != 0 || v > 7258118399999LL) {
		bad(c, n, f, "'%s' is not a millisecond timestamp up to 2199",
		    scalar(n));
		return (-1);
	}
	*out = v;
	return (0);
}

static int
get_bool(struct ctx *c, const yaml_node_t *n, const char *f, bool *out)
{
	if (is_plain(n) && strcasecmp(scalar(n), "true") == 0)
		*out = true;
	else if (is_plain(n) && strcasecmp(scalar(n), "false") == 0)
		*out = false;
	else {
		bad(c, n, f, "expected true or false");
		return (-1);
	}
	return (0);
}

/* Names: 1-64 of letters, digits, '-', '_', '.'. */
static int
get_name(struct ctx *c, const yaml_node_t *n, const char *f, char **out)
{
	const char	*s;
	char		 cb[ERRLIST_CHARLEN];
	size_t		 len;

	if (get_str(c, n, f, out) != 0)
		return (-1);
	s = *out;
	len = strlen(s);
	if (len == 0 || len > NAME_MAX_LEN) {
		bad(c, n, f, "must be 1-%d characters", NAME_MAX_LEN);
		return (-1);
	}
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && strchr("-_.", *s) == NULL) {
			bad(c, n, f, "'%s' is not allowed (letters, digits, "
			    "'-', '_' and '.')", errlist_char(s, cb));
			return (-1);
		}
	return (0);
}

/* An upper-case word such as START or POST_CREATE_DESKTOP_SUCCESS. */
static int
get_word(struct ctx *c, const yaml_node_t *n, const char *f, char **out)
{
	char	*s;

	if (get_str(c, n, f, out) != 0)
		return (-1);
	if (**out == '\0' || strlen(*out) > NAME_MAX_LEN) {
		bad(c, n, f, "must be 1-%d characters", NAME_MAX_LEN);
		return (-1);
	}
	for (s = *out; *s; s++) {
		if (!isalnum((unsigned char)*s) && *s != '_') {
			bad(c, n, f, "'%s': letters, digits and '_' only",
			    scalar(n));
			return (-1);
		}
		*s = (char)toupper((unsigned char)*s);
	}
	return (0);
}

/* "1,2,7": values lo..hi, and L where allowed; bit v set per value. */
static int
get_list(struct ctx *c, const yaml_node_t *n, const char *f, int lo, int hi,
    int allow_last, uint32_t *mask, bool *last, char **text)
{
	const char	*s;
	long		 v;
	char		*end;

	if (n->type != YAML_SCALAR_NODE) {
		bad(c, n, f, "expected a list such as \"1,2,7\"");
		return (-1);
	}
	*mask = 0;
	if (last)
		*last = false;
	for (s = scalar(n);;) {
		while (*s == ' ')
			s++;
		if (allow_last && (*s == 'L' || *s == 'l') &&
		    (s[1] == ',' || s[1] == '\0' || s[1] == ' ')) {
			*last = true;
			s++;
		} else {
			if (!isdigit((unsigned char)*s)) {
				bad(c, n, f, "'%s': expected values %d-%d%s "
				    "separated by commas", scalar(n), lo, hi,
				    allow_last ? " or L" : "");
				return (-1);
			}
			v = strtol(s, &end, 10);
			if (v < lo || v > hi) {
				bad(c, n, f, "'%s': %ld is out of range %d-%d",
				    scalar(n), v, lo, hi);
				return (-1);
			}
			*mask |= 1U << v;
			s = end;
		}
		while (*s == ' ')
			s++;
		if (*s == '\0')
			break;
		if (*s++ != ',') {
			bad(c, n, f, "'%s': expected values separated by "
			    "commas", scalar(n));
			return (-1);
		}
	}
	return (get_str(c, n, f, text));
}

static int
get_time(struct ctx *c, const yaml_node_t *n, const char *f, struct task *t)
{
	const char	*s = scalar(n);
	int		 h, m, sec;
	char		 tail;

	if (n->type != YAML_SCALAR_NODE || strlen(s) != 8 ||
	    sscanf(s, "%2d:%2d:%2d%c", &h, &m, &sec, &tail) != 3 ||
	    !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[3]) ||
	    !isdigit((unsigned char)s[6]) || h > 23 || m > 59 || sec > 59 ||
	    h < 0 || m < 0 || sec < 0) {
		bad(c, n, f, "'%s' is not a time HH:mm:ss (00:00:00-23:59:59)",
		    n->type == YAML_SCALAR_NODE ? s : "");
		return (-1);
	}
	t->has_time = true;
	t->hour = h;
	t->min = m;
	t->sec = sec;
	return (0);
}

/* A YAML node as JSON, for input_param and message_notification. */
static json_t *
to_json(yaml_document_t *doc, const yaml_node_t *n, int depth)
{
	yaml_node_pair_t	*p;
	yaml_node_item_t	*it;
	json_t			*j, *v;
	const char		*s;
	char			*end;
	long long		 i;

	if (depth > JSON_DEPTH_MAX)
		return (NULL);
	switch (n->type) {
	case YAML_SCALAR_NODE:
		s = scalar(n);
		if (!is_plain(n))
			return (json_string(s));
		if (is_null(n))
			return (json_null());
		if (strcmp(s, "true") == 0)
			return (json_true());
		if (strcmp(s, "false") == 0)
			return (json_false());
		errno = 0;
		i = strtoll(s, &end, 10);
		if (*s != '\0' && *end == '\0' && errno == 0)
			return (json_integer(i));
		return (json_string(s));
	case YAML_SEQUENCE_NODE:
		j = json_array();
		for (it = n->data.sequence.items.start;
		    it < n->data.sequence.items.top; it++) {
			v = to_json(doc, yaml_document_get_node(doc, *it),
			    depth + 1);
			if (v == NULL || json_array_append_new(j, v) != 0) {
				json_decref(j);
				return (NULL);
			}
		}
		return (j);
	case YAML_MAPPING_NODE:
		j = json_object();
		for (p = n->data.mapping.pairs.start;
		    p < n->data.mapping.pairs.top; p++) {
			const yaml_node_t *k = yaml_document_get_node(doc,
			    p->key);

			v = to_json(doc, yaml_document_get_node(doc, p->value),
			    depth + 1);
			if (k->type != YAML_SCALAR_NODE || v == NULL ||
			    json_object_set_new(j, scalar(k), v) != 0) {
				json_decref(v);
				json_decref(j);
				return (NULL);
			}
		}
		return (j);
	default:
		return (NULL);
	}
}

/* A mapping, or (as in seed 004) a string holding a JSON object. */
static int
get_object(struct ctx *c, const yaml_node_t *n, const char *f, char **out)
{
	json_error_t	 jerr;
	json_t		*j;

	if (n->type == YAML_MAPPING_NODE)
		j = to_json(c->doc, n, 0);
	else if (n->type == YAML_SCALAR_NODE && !is_plain(n))
		j = json_loads(scalar(n), JSON_REJECT_DUPLICATES, &jerr);
	else
		j = NULL;
	if (j == NULL || !json_is_object(j)) {
		json_decref(j);
		bad(c, n, f, "expected an object (a mapping, or a string "
		    "holding a JSON object)");
		return (-1);
	}
	free(*out);
	*out = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	if (*out == NULL)
		abort();
	return (0);
}

enum field_id {
	F_ID, F_TASK_NAME, F_NAME, F_PROJECT_ID, F_ENTERPRISE_PROJECT_ID,
	F_TASK_TYPE, F_DESCRIPTION, F_SCHEDULED_TYPE, F_SCHEDULED_DATE,
	F_SCHEDULED_TIME, F_DAY_INTERVAL, F_WEEK_LIST, F_MONTH_LIST,
	F_DATE_LIST, F_TASK_CRON, F_TIME_ZONE, F_EXPIRE_TIME, F_IS_ENABLE,
	F_SCHEDULE_TASK_POLICY, F_TARGET_INFOS, F_LIFE_CYCLE_TYPE, F_PRIORITY,
	F_WAIT_TIME, F_INPUT_PARAM, F_TRIGGER_TIME, F_RISK_LEVEL,
	F_ENABLE_APPROVE, F_MESSAGE_NOTIFICATION,
	F_ENABLE_MESSAGE_NOTIFICATION, F_MISFIRE_POLICY, F_OVERLAP_POLICY,
	F_HISTORY_KEEP,
};

/* The task schema: every key a task may have, and what it means. */
static const struct field {
	const char	*name;
	enum field_id	 id;
	const char	*help;
} fields[] = {
	{ "id", F_ID, "stable id (default: generated)" },
	{ "task_name", F_TASK_NAME, "1-64 of letters, digits, - _ ." },
	{ "name", F_NAME, "O&M shape: task_name" },
	{ "project_id", F_PROJECT_ID, "namespace, default \"default\"" },
	{ "enterprise_project_id", F_ENTERPRISE_PROJECT_ID,
	    "O&M shape: project_id" },
	{ "task_type", F_TASK_TYPE, "action: START, STOP, EXECUTE_SCRIPT..." },
	{ "description", F_DESCRIPTION, "free text, up to 255 characters" },
	{ "scheduled_type", F_SCHEDULED_TYPE,
	    "FIXED_TIME, DAY, WEEK, MONTH, CRON or LIFE_CYCLE" },
	{ "scheduled_date", F_SCHEDULED_DATE, "yyyy-MM-dd" },
	{ "scheduled_time", F_SCHEDULED_TIME, "HH:mm:ss" },
	{ "day_interval", F_DAY_INTERVAL, "DAY: every x days, 1-366" },
	{ "week_list", F_WEEK_LIST, "WEEK: \"1,2,7\", 1 = Sunday" },
	{ "month_list", F_MONTH_LIST, "MONTH: \"1,3,12\"" },
	{ "date_list", F_DATE_LIST, "MONTH: \"1,2,28,L\"" },
	{ "task_cron", F_TASK_CRON, "CRON: Quartz or classic expression" },
	{ "time_zone", F_TIME_ZONE, "IANA zone name" },
	{ "expire_time", F_EXPIRE_TIME, "ISO 8601 instant" },
	{ "is_enable", F_IS_ENABLE, "true or false" },
	{ "schedule_task_policy", F_SCHEDULE_TASK_POLICY,
	    "{enforcement_enable: bool}" },
	{ "target_infos", F_TARGET_INFOS,
	    "[{target_type, target_id: [ids]}]" },
	{ "life_cycle_type", F_LIFE_CYCLE_TYPE, "LIFE_CYCLE: event type" },
	{ "priority", F_PRIORITY, "LIFE_CYCLE: lower runs first" },
	{ "wait_time", F_WAIT_TIME, "LIFE_CYCLE: seconds after the event" },
	{ "input_param", F_INPUT_PARAM, "object handed to the plugin" },
	{ "trigger_time", F_TRIGGER_TIME, "O&M shape: the schedule" },
	{ "risk_level", F_RISK_LEVEL, "O&M: HIGH, MEDIUM or LOW" },
	{ "enable_approve", F_ENABLE_APPROVE, "O&M: needs approval" },
	{ "message_notification", F_MESSAGE_NOTIFICATION, "O&M: notifier" },
	{ "enable_message_notification", F_ENABLE_MESSAGE_NOTIFICATION,
	    "O&M: notify" },
	{ "misfire_policy", F_MISFIRE_POLICY, "DO_NOTHING or FIRE_ONCE_NOW" },
	{ "overlap_policy", F_OVERLAP_POLICY, "SKIP, QUEUE or ALLOW" },
	{ "history_keep", F_HISTORY_KEEP, "executions kept, 1-1000000" },
};

#define NFIELDS	(sizeof fields / sizeof fields[0])

const char *const task_sched_type_names[TASK_SCHED_TYPES] = {
	"FIXED_TIME", "DAY", "WEEK", "MONTH", "CRON", "LIFE_CYCLE", "ONCE",
	"PERIODIC",
};
const char *const task_misfire_names[TASK_MISFIRES] = {
	"DO_NOTHING", "FIRE_ONCE_NOW",
};
const char *const task_overlap_names[TASK_OVERLAPS] = {
	"SKIP", "QUEUE", "ALLOW",
};

const char *
task_sched_type_name(enum task_sched_type t)
{
	return (task_sched_type_names[t]);
}

static int
pick(struct ctx *c, const yaml_node_t *n, const char *f,
    const char *const *names, int count, int *out)
{
	int	i;

	if (n->type == YAML_SCALAR_NODE)
		for (i = 0; i < count; i++)
			if (strcasecmp(scalar(n), names[i]) == 0) {
				*out = i;
				return (0);
			}
	bad(c, n, f, "'%s' is not one of %s%s%s%s%s", n->type ==
	    YAML_SCALAR_NODE ? scalar(n) : "", names[0],
	    count > 1 ? ", " : "", count > 1 ? names[1] : "",
	    count > 2 ? ", " : "", count > 2 ? "..." : "");
	return (-1);
}

static int
get_date(struct ctx *c, const yaml_node_t *n, const char *f, struct task *t)
{
	const char	*s = scalar(n);
	int		 y, m, d;

	if (n->type != YAML_SCALAR_NODE || strlen(s) != 10 ||
	    sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 || s[4] != '-' ||
	    s[7] != '-' || y < SCHED_MIN_YEAR || y > SCHED_MAX_YEAR ||
	    m < 1 || m > 12 || d < 1 || d > civil_month_days(y, m)) {
		bad(c, n, f, "'%s' is not a date yyyy-MM-dd in %d-%d",
		    n->type == YAML_SCALAR_NODE ? s : "", SCHED_MIN_YEAR,
		    SCHED_MAX_YEAR);
		return (-1);
	}
	t->has_date = true;
	t->year = y;
	t->mon = m;
	t->day = d;
	return (0);
}

static int
get_targets(struct ctx *c, const yaml_node_t *n, const char *f,
    struct task *t)
{
	yaml_node_item_t	*it, *jt;
	yaml_node_pair_t	*p;
	struct task_target	*tg;
	const yaml_node_t	*e, *k, *v, *id;
	size_t			 count;

	if (n->type != YAML_SEQUENCE_NODE) {
		bad(c, n, f, "expected a list of {target_type, target_id}");
		return (-1);
	}
	count = (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
	if ((t->targets = calloc(count ? count : 1, sizeof *tg)) == NULL)
		abort();
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		e = yaml_document_get_node(c->doc, *it);
		tg = &t->targets[t->ntargets++];
		if (e->type != YAML_MAPPING_NODE) {
			bad(c, e, f, "expected {target_type, target_id}");
			continue;
		}
		for (p = e->data.mapping.pairs.start;
		    p < e->data.mapping.pairs.top; p++) {
			k = yaml_document_get_node(c->doc, p->key);
			v = yaml_document_get_node(c->doc, p->value);
			if (k->type == YAML_SCALAR_NODE &&
			    strcmp(scalar(k), "target_type") == 0)
				(void)get_word(c, v, "target_infos.target_type",
				    &tg->target_type);
			else if (k->type == YAML_SCALAR_NODE &&
			    strcmp(scalar(k), "target_id") == 0) {
				if (tg->target_ids != NULL) {
					/* a second list would be written past
					 * the end of the first one's count */
					bad(c, k, "target_infos.target_id",
					    "given twice");
					continue;
				}
				if (v->type != YAML_SEQUENCE_NODE) {
					bad(c, v, "target_infos.target_id",
					    "expected a list of ids");
					continue;
				}
				count = (size_t)(v->data.sequence.items.top -
				    v->data.sequence.items.start);
				tg->target_ids = calloc(count ? count : 1,
				    sizeof *tg->target_ids);
				if (tg->target_ids == NULL)
					abort();
				for (jt = v->data.sequence.items.start;
				    jt < v->data.sequence.items.top; jt++) {
					id = yaml_document_get_node(c->doc, *jt);
					if (id->type != YAML_SCALAR_NODE ||
					    *scalar(id) == '\0' ||
					    strlen(scalar(id)) > 255) {
						bad(c, id, "target_infos.target_id",
						    "expected a non-empty id");
						continue;
					}
					if ((tg->target_ids[tg->ntarget_ids++] =
					    strdup(scalar(id))) == NULL)
						abort();
				}
			} else
				bad(c, k, "target_infos", "unknown field '%s'",
				    k->type == YAML_SCALAR_NODE ? scalar(k) :
				    "?");
		}
		if (tg->target_type == NULL)
			bad(c, e, "target_infos.target_type", "required");
		if (tg->ntarget_ids == 0)
			bad(c, e, "target_infos.target_id",
			    "required: at least one id");
	}
	return (0);
}

static const char *const trigger_keys[] = {
	"policy", "time_zone", "single_scheduled_time",
	"periodic_scheduled_time", "period", "cron", "scheduled_close_time",
};

static void
get_trigger(struct ctx *c, const yaml_node_t *n, struct task *t)
{
	static const char *const policies[] = { "ONCE", "PERIODIC", "CRON" };
	yaml_node_pair_t	*p;
	const yaml_node_t	*k, *v;
	struct sched		 s;
	char			 err[SCHED_ERRLEN];
	uint32_t		 mask;
	size_t			 i;
	int			 pol;

	if (n->type != YAML_MAPPING_NODE) {
		bad(c, n, "trigger_time", "expected a mapping");
		return;
	}
	c->prefix = "trigger_time.";
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	    p++) {
		k = yaml_document_get_node(c->doc, p->key);
		v = yaml_document_get_node(c->doc, p->value);
		for (i = 0; i < sizeof trigger_keys / sizeof trigger_keys[0];
		    i++)
			if (k->type == YAML_SCALAR_NODE &&
			    strcmp(scalar(k), trigger_keys[i]) == 0)
				break;
		if (i == sizeof trigger_keys / sizeof trigger_keys[0]) {
			bad(c, k, k->type == YAML_SCALAR_NODE ? scalar(k) : "?",
			    "unknown field");
			continue;
		}
		if (c->trig_seen[i]++) {
			bad(c, k, trigger_keys[i], "given twice");
			continue;
		}
		if (is_null(v))
			continue;
		c->trig_given[i] = 1;
		switch (i) {
		case 0:
			if (pick(c, v, "policy", policies, 3, &pol) == 0)
				t->scheduled_type = pol == 0 ? TASK_ONCE :
				    pol == 1 ? TASK_PERIODIC : TASK_CRON;
			break;
		case 1:
			if (get_str(c, v, "time_zone", &t->time_zone) == 0 &&
			    !tz_name_valid(t->time_zone))
				bad(c, v, "time_zone", "'%s' is not a time zone "
				    "name", t->time_zone);
			break;
		case 2:
			if (get_ms(c, v, "single_scheduled_time", &t->once_ms)
			    == 0)
				t->has_once = true;
			break;
		case 3:
			(void)get_time(c, v, "periodic_scheduled_time", t);
			break;
		case 4:
			if (get_list(c, v, "period", 1, 7, 0, &mask, NULL,
			    &t->week_list) == 0)
				t->week_mask = mask >> 1;
			break;
		case 5:
			if (get_str(c, v, "cron", &t->task_cron) == 0 &&
			    sched_parse_cron(&s, t->task_cron, NULL, err,
			    sizeof err) != 0)
				bad(c, v, "cron", "%s", err);
			break;
		case 6:
			if (get_ms(c, v, "scheduled_close_time", &t->expire_ms)
			    == 0)
				t->has_expire = true;
			break;
		}
	}
	c->prefix = NULL;
	if (!c->trig_given[0])
		t->scheduled_type = TASK_ONCE;	/* the seed's default */
	if (t->scheduled_type == TASK_ONCE && !c->trig_given[2])
		bad(c, n, "trigger_time.single_scheduled_time",
		    "required for policy ONCE");
	if (t->scheduled_type == TASK_PERIODIC && !c->trig_given[3])
		bad(c, n, "trigger_time.periodic_scheduled_time",
		    "required for policy PERIODIC");
	if (t->scheduled_type == TASK_PERIODIC && !c->trig_given[4])
		bad(c, n, "trigger_time.period", "required for policy PERIODIC");
	if (t->scheduled_type == TASK_CRON && !c->trig_given[5])
		bad(c, n, "trigger_time.cron", "required for policy CRON");
}

static void
set_field(struct ctx *c, const struct field *fd, const yaml_node_t *v,
    struct task *t)
{
	static const char *const risks[] = { "HIGH", "MEDIUM", "LOW" };
	const char		*f = fd->name;
	struct iso_time		 it;
	yaml_node_pair_t	*p;
	const yaml_node_t	*k, *pv;
	uint32_t		 mask;
	long			 l;
	int			 i;
	char			 err[SCHED_ERRLEN];
	struct sched		 s;

	switch (fd->id) {
	case F_ID:
		(void)get_name(c, v, f, &t->id);
		break;
	case F_TASK_NAME:
	case F_NAME:
		if (c->seen[F_TASK_NAME] && c->seen[F_NAME])
			bad(c, v, f, "give task_name or name, not both");
		else
			(void)get_name(c, v, f, &t->task_name);
		break;
	case F_PROJECT_ID:
	case F_ENTERPRISE_PROJECT_ID:
		(void)get_name(c, v, f, &t->project_id);
		break;
	case F_TASK_TYPE:
		(void)get_word(c, v, f, &t->task_type);
		break;
	case F_DESCRIPTION:
		if (get_str(c, v, f, &t->description) == 0 &&
		    strlen(t->description) > DESC_MAX_LEN)
			bad(c, v, f, "longer than %d characters", DESC_MAX_LEN);
		break;
	case F_SCHEDULED_TYPE:
		if (pick(c, v, f, task_sched_type_names, 6, &i) == 0)
			t->scheduled_type = (enum task_sched_type)i;
		break;
	case F_SCHEDULED_DATE:
		(void)get_date(c, v, f, t);
		break;
	case F_SCHEDULED_TIME:
		(void)get_time(c, v, f, t);
		break;
	case F_DAY_INTERVAL:
		if (get_int(c, v, f, 1, 366, &l) == 0)
			t->day_interval = (int)l;
		break;
	case F_WEEK_LIST:
		if (get_list(c, v, f, 1, 7, 0, &mask, NULL, &t->week_list) == 0)
			t->week_mask = mask >> 1;	/* 1 = Sunday = bit 0 */
		break;
	case F_MONTH_LIST:
		if (get_list(c, v, f, 1, 12, 0, &mask, NULL, &t->month_list)
		    == 0)
			t->month_mask = mask;
		break;
	case F_DATE_LIST:
		(void)get_list(c, v, f, 1, 31, 1, &t->date_mask, &t->date_last,
		    &t->date_list);
		break;
	case F_TASK_CRON:
		if (get_str(c, v, f, &t->task_cron) == 0 &&
		    sched_parse_cron(&s, t->task_cron, NULL, err, sizeof err)
		    != 0)
			bad(c, v, f, "%s", err);
		break;
	case F_TIME_ZONE:
		if (get_str(c, v, f, &t->time_zone) == 0 &&
		    !tz_name_valid(t->time_zone))
			bad(c, v, f, "'%s' is not a time zone name",
			    t->time_zone);
		break;
	case F_EXPIRE_TIME:
		if (v->type != YAML_SCALAR_NODE ||
		    timefmt_parse_iso(scalar(v), &it) != 0 || !it.has_time) {
			bad(c, v, f, "'%s' is not an ISO 8601 instant such as "
			    "2024-03-07T10:40:43.858Z", v->type ==
			    YAML_SCALAR_NODE ? scalar(v) : "");
			break;
		}
		t->has_expire = true;	/* without an offset: UTC */
		t->expire_ms = (it.local - it.offset) * 1000 + it.millis;
		break;
	case F_IS_ENABLE:
		(void)get_bool(c, v, f, &t->is_enable);
		break;
	case F_SCHEDULE_TASK_POLICY:
		if (v->type != YAML_MAPPING_NODE) {
			bad(c, v, f, "expected {enforcement_enable: bool}");
			break;
		}
		for (p = v->data.mapping.pairs.start;
		    p < v->data.mapping.pairs.top; p++) {
			k = yaml_document_get_node(c->doc, p->key);
			pv = yaml_document_get_node(c->doc, p->value);
			if (k->type == YAML_SCALAR_NODE &&
			    strcmp(scalar(k), "enforcement_enable") == 0)
				(void)get_bool(c, pv,
				    "schedule_task_policy.enforcement_enable",
				    &t->enforcement_enable);
			else
				bad(c, k, f, "unknown field '%s'",
				    k->type == YAML_SCALAR_NODE ? scalar(k) :
				    "?");
		}
		break;
	case F_TARGET_INFOS:
		(void)get_targets(c, v, f, t);
		break;
	case F_LIFE_CYCLE_TYPE:
		(void)get_word(c, v, f, &t->life_cycle_type);
		break;
	case F_PRIORITY:
		if (get_int(c, v, f, 0, 1000000, &l) == 0)
			t->priority = (int)l;
		break;
	case F_WAIT_TIME:
		if (get_int(c, v, f, 0, 31622400, &l) == 0)
			t->wait_time = (int)l;
		break;
	case F_INPUT_PARAM:
		(void)get_object(c, v, f, &t->input_param);
		break;
	case F_TRIGGER_TIME:
		get_trigger(c, v, t);
		break;
	case F_RISK_LEVEL:
		if (pick(c, v, f, risks, 3, &i) == 0 &&
		    (t->risk_level = strdup(risks[i])) == NULL)
			abort();
		break;
	case F_ENABLE_APPROVE:
		(void)get_bool(c, v, f, &t->enable_approve);
		break;
	case F_MESSAGE_NOTIFICATION:
		(void)get_object(c, v, f, &t->message_notification);
		break;
	case F_ENABLE_MESSAGE_NOTIFICATION:
		(void)get_bool(c, v, f, &t->enable_message_notification);
		break;
	case F_MISFIRE_POLICY:
		if (pick(c, v, f, task_misfire_names, TASK_MISFIRES, &i) == 0)
			t->misfire_policy = (enum task_misfire)i;
		break;
	case F_OVERLAP_POLICY:
		if (pick(c, v, f, task_overlap_names, TASK_OVERLAPS, &i) == 0)
			t->overlap_policy = (enum task_overlap)i;
		break;
	case F_HISTORY_KEEP:
		if (get_int(c, v, f, 1, 1000000, &l) == 0)
			t->history_keep = (int)l;
		break;
	}
}

/* What each kind needs, once every field has been read. */
static void
check_kind(struct ctx *c, const yaml_node_t *n, struct task *t)
{
	const char	*kind = task_sched_type_name(t->scheduled_type);

	if (c->shape != SHAPE_SEED)
		return;
	switch (t->scheduled_type) {
	case TASK_FIXED_TIME:
		if (!c->given[F_SCHEDULED_DATE])
			bad(c, n, "scheduled_date", "required for %s", kind);
		/* FALLTHROUGH */
	case TASK_DAY:
		if (t->scheduled_type == TASK_DAY && t->day_interval > 1 &&
		    !c->given[F_SCHEDULED_DATE])
			bad(c, n, "scheduled_date", "required for DAY with "
			    "day_interval > 1 (the first day)");
		/* FALLTHROUGH */
	case TASK_WEEK:
		if (t->scheduled_type == TASK_WEEK && !c->given[F_WEEK_LIST])
			bad(c, n, "week_list", "required for WEEK");
		/* FALLTHROUGH */
	case TASK_MONTH:
		if (t->scheduled_type == TASK_MONTH && !c->given[F_DATE_LIST])
			bad(c, n, "date_list", "required for MONTH");
		if (!c->given[F_SCHEDULED_TIME])
			bad(c, n, "scheduled_time", "required for %s", kind);
		break;
	case TASK_CRON:
		if (!c->given[F_TASK_CRON])
			bad(c, n, "task_cron", "required for CRON");
		break;
	case TASK_LIFE_CYCLE:
		if (!c->given[F_LIFE_CYCLE_TYPE])
			bad(c, n, "life_cycle_type", "required for LIFE_CYCLE");
		break;
	default:
		break;
	}
}

static int
task_from_node(struct ctx *c, const yaml_node_t *n, struct task *t)
{
	yaml_node_pair_t	*p;
	const yaml_node_t	*k, *v;
	size_t			 i;
	int			 before = c->nerr;

	memset(t, 0, sizeof *t);
	t->is_enable = true;
	t->day_interval = 1;
	t->month_mask = 0x1ffe;
	t->line = (int)n->start_mark.line + 1;
	t->column = (int)n->start_mark.column + 1;
	if ((t->file = strdup(c->file)) == NULL)
		abort();
	memset(c->seen, 0, sizeof c->seen);
	memset(c->trig_seen, 0, sizeof c->trig_seen);
	memset(c->given, 0, sizeof c->given);
	memset(c->trig_given, 0, sizeof c->trig_given);
	c->shape = SHAPE_NONE;
	if (n->type != YAML_MAPPING_NODE) {
		bad(c, n, "task", "expected a mapping of task fields");
		return (-1);
	}
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	    p++) {
		k = yaml_document_get_node(c->doc, p->key);
		v = yaml_document_get_node(c->doc, p->value);
		if (k->type != YAML_SCALAR_NODE) {
			bad(c, k, "task", "field names must be strings");
			continue;
		}
		for (i = 0; i < NFIELDS; i++)
			if (strcmp(scalar(k), fields[i].name) == 0)
				break;
		if (i == NFIELDS) {
			bad(c, k, scalar(k), "unknown field");
			continue;
		}
		if (c->seen[fields[i].id]++) {
			bad(c, k, scalar(k), "given twice");
			continue;
		}
		if (fields[i].id == F_SCHEDULED_TYPE ||
		    fields[i].id == F_TRIGGER_TIME) {
			if (c->shape != SHAPE_NONE) {
				bad(c, k, scalar(k), "give scheduled_type or "
				    "trigger_time, not both");
				continue;
			}
			c->shape = fields[i].id == F_TRIGGER_TIME ? SHAPE_OM :
			    SHAPE_SEED;
		}
		if (is_null(v))
			continue;
		c->given[fields[i].id] = 1;
		set_field(c, &fields[i], v, t);
	}
	if (t->task_name == NULL && !c->given[F_TASK_NAME] && !c->given[F_NAME])
		bad(c, n, "task_name", "required");
	if (t->task_type == NULL && !c->given[F_TASK_TYPE])
		bad(c, n, "task_type", "required");
	if (c->shape == SHAPE_NONE || (!c->given[F_SCHEDULED_TYPE] &&
	    !c->given[F_TRIGGER_TIME]))
		bad(c, n, "scheduled_type", "required (or trigger_time)");
	check_kind(c, n, t);
	if (t->project_id == NULL && (t->project_id = strdup("default")) ==
	    NULL)
		abort();
	return (c->nerr == before ? 0 : -1);
}

static void
set_push(struct task_set *set, size_t *cap, const struct task *t)
{
	struct task	*p;

	if (set->count == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		if ((p = realloc(set->tasks, *cap * sizeof *p)) == NULL)
			abort();
		set->tasks = p;
	}
	set->tasks[set->count++] = *t;
}

static int
by_project_name(const void *a, const void *b, void *arg)
{
	const struct task	*v = arg;
	size_t			 i = *(const size_t *)a, j = *(const size_t *)b;
	int			 c;

	if ((c = strcmp(v[i].project_id, v[j].project_id)) == 0 &&
	    (c = strcmp(v[i].task_name, v[j].task_name)) == 0)
		c = (i > j) - (i < j);
	return (c);
}

/*
 * A name used twice in a project is an error at each later use, naming
 * the first.  Sorted, so that a file of many tasks is O(n log n).
 */
static int
names_taken(const char *name, const struct task_set *set,
    struct errlist *errs)
{
	const struct task	*t, *u;
	size_t			*order, *first, i, lead = 0;
	int			 rc = 0;

	if (set->count < 2)
		return (0);
	if ((order = calloc(set->count, sizeof *order)) == NULL ||
	    (first = calloc(set->count, sizeof *first)) == NULL)
		abort();
	for (i = 0; i < set->count; i++)
		order[i] = i;
	qsort_r(order, set->count, sizeof *order, by_project_name,
	    set->tasks);
	for (i = 0; i < set->count; i++) {
		t = &set->tasks[order[i]];
		u = &set->tasks[order[lead]];
		first[order[i]] = SIZE_MAX;
		if (i > 0 && strcmp(t->project_id, u->project_id) == 0 &&
		    strcmp(t->task_name, u->task_name) == 0)
			first[order[i]] = order[lead];
		else
			lead = i;
	}
	for (i = 0; i < set->count; i++) {
		if (first[i] == SIZE_MAX)
			continue;
		t = &set->tasks[i];
		errlist_add(errs, name, t->line, t->column, "task_name: '%s' is "
		    "already used at line %d", t->task_name,
		    set->tasks[first[i]].line);
		rc = -1;
	}
	free(order);
	free(first);
	return (rc);
}

int
task_text_load(const char *name, const char *text, size_t len,
    struct task_set *set, struct errlist *errs)
{
	struct ctx		 c;
	yaml_parser_t		 parser;
	yaml_document_t		 doc;
	yaml_node_t		*root, *seq = NULL;
	yaml_node_item_t	*it;
	struct task		 t;
	size_t			 cap = 0;
	int			 rc = 0;

	memset(set, 0, sizeof *set);
	memset(&c, 0, sizeof c);
	c.file = name;
	c.errs = errs;
	c.doc = &doc;
	if (!yaml_parser_initialize(&parser))
		abort();
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		errlist_add(errs, name, (int)parser.problem_mark.line + 1,
		    (int)parser.problem_mark.column + 1, "%s%s%s",
		    parser.problem ? parser.problem : "YAML error",
		    parser.context ? " " : "",
		    parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return (-1);
	}
	yaml_parser_delete(&parser);
	if ((root = yaml_document_get_root_node(&doc)) == NULL) {
		errlist_add(errs, name, 0, 0, "no task in the file");
		yaml_document_delete(&doc);
		return (-1);
	}
	if (root->type == YAML_SEQUENCE_NODE)
		seq = root;
	else if (root->type == YAML_MAPPING_NODE &&
	    root->data.mapping.pairs.top - root->data.mapping.pairs.start == 1) {
		yaml_node_t *k = yaml_document_get_node(&doc,
		    root->data.mapping.pairs.start->key);

		if (k->type == YAML_SCALAR_NODE &&
		    strcmp(scalar(k), "tasks") == 0) {
			seq = yaml_document_get_node(&doc,
			    root->data.mapping.pairs.start->value);
			if (seq->type != YAML_SEQUENCE_NODE) {
				bad(&c, seq, "tasks", "expected a list of tasks");
				seq = NULL;
				rc = -1;
			}
		}
	}
	if (seq != NULL) {
		for (it = seq->data.sequence.items.start;
		    it < seq->data.sequence.items.top; it++) {
			if (task_from_node(&c, yaml_document_get_node(&doc, *it),
			    &t) != 0)
				rc = -1;
			set_push(set, &cap, &t);
		}
	} else if (rc == 0) {
		rc = task_from_node(&c, root, &t);
		set_push(set, &cap, &t);
	}
	/* Names are unique within a project. */
	if (rc == 0 && names_taken(name, set, errs) != 0)
		rc = -1;
	yaml_document_delete(&doc);
	if (rc != 0)
		task_set_free(set);
	return (rc);
}

int
task_file_load(const char *path, struct task_set *set, struct errlist *errs)
{
	char	*buf, err[256];
	size_t	 len;
	int	 rc;

	memset(set, 0, sizeof *set);
	if (read_regular_file(path, TASK_FILE_MAX, &buf, &len, err,
	    sizeof err) != 0) {
		errlist_add(errs, path, 0, 0, "%s", err);
		return (-1);
	}
	rc = task_text_load(path, buf, len, set, errs);
	free(buf);
	return (rc);
}

uint64_t
task_fnv(uint64_t h, const char *s)
{
	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * TASK_FNV_PRIME;
	return (h);
}

static uint64_t
mix(uint64_t h, uint64_t v)
{
	h = (h ^ v) * 0x9e3779b97f4a7c15ULL;
	return (h ^ (h >> 29));
}

uint64_t
task_digest(const struct task *t)
{
	/*
	 * The stored form, what a user could change in a file: a task
	 * file whose tasks all digest the same is unchanged.  Positions
	 * (line, column) do not count.
	 */
	const char *const strs[] = { t->task_name, t->project_id,
	    t->task_type, t->description, t->week_list, t->month_list,
	    t->date_list, t->task_cron, t->time_zone, t->life_cycle_type,
	    t->input_param, t->risk_level, t->message_notification, t->file };
	const int64_t nums[] = { t->scheduled_type, t->has_date, t->year,
	    t->mon, t->day, t->has_time, t->hour, t->min, t->sec,
	    t->day_interval, t->week_mask, t->month_mask, t->date_mask,
	    t->date_last, t->has_expire, t->expire_ms, t->has_once,
	    t->once_ms, t->is_enable, t->enforcement_enable, t->priority,
	    t->wait_time, t->enable_approve, t->enable_message_notification,
	    t->misfire_policy, t->overlap_policy, t->history_keep,
	    (int64_t)t->ntargets };
	uint64_t	h = TASK_FNV_OFFSET;
	size_t		i, j;

	/* NULL and "" differ; a string ends where the next begins */
	for (i = 0; i < sizeof strs / sizeof strs[0]; i++)
		h = mix(task_fnv(mix(h, strs[i] != NULL), strs[i] != NULL ?
		    strs[i] : ""), 0xff);
	for (i = 0; i < sizeof nums / sizeof nums[0]; i++)
		h = mix(h, (uint64_t)nums[i]);
	for (i = 0; i < t->ntargets; i++) {
		h = mix(task_fnv(h, t->targets[i].target_type), 0xfe);
		for (j = 0; j < t->targets[i].ntarget_ids; j++)
			h = mix(task_fnv(h, t->targets[i].target_ids[j]), 0xfd);
	}
	return (h);
}

void
task_free(struct task *t)
{
	size_t	i, j;

	free(t->id);
	free(t->task_name);
	free(t->project_id);
	free(t->task_type);
	free(t->description);
	free(t->week_list);
	free(t->month_list);
	free(t->date_list);
	free(t->task_cron);
	free(t->time_zone);
	for (i = 0; i < t->ntargets; i++) {
		free(t->targets[i].target_type);
		for (j = 0; j < t->targets[i].ntarget_ids; j++)
			free(t->targets[i].target_ids[j]);
		free(t->targets[i].target_ids);
	}
	free(t->targets);
	free(t->life_cycle_type);
	free(t->input_param);
	free(t->risk_level);
	free(t->message_notification);
	free(t->file);
	memset(t, 0, sizeof *t);
}

void
task_set_free(struct task_set *set)
{
	size_t	i;

	for (i = 0; i < set->count; i++)
		task_free(&set->tasks[i]);
	free(set->tasks);
	set->tasks = NULL;
	set->count = 0;
}

int
task_schedule(const struct task *t, struct tz_cache *zones,
    const struct tz *default_zone, struct sched *s, char *err, size_t errlen)
{
	const struct tz	*z = default_zone;
	const char	*cause;
	char		 msg[SCHED_ERRLEN];
	int		 rc = 0;

	if (t->time_zone != NULL &&
	    tz_cache_get(zones, t->time_zone, &z, &cause) != 0) {
		snprintf(err, errlen, "time_zone: '%s': %s", t->time_zone,
		    cause);
		return (-1);
	}
	switch (t->scheduled_type) {
	case TASK_LIFE_CYCLE:
		return (1);
	case TASK_FIXED_TIME:
		rc = sched_at_date(s, z, t->year, t->mon, t->day, t->hour,
		    t->min, t->sec, msg, sizeof msg);
		break;
	case TASK_DAY:
		rc = sched_every_days(s, z, t->has_date ? civil_days(t->year,
		    t->mon, t->day) : 0, t->day_interval, t->hour, t->min,
		    t->sec, msg, sizeof msg);
		break;
	case TASK_WEEK:
	case TASK_PERIODIC:
		rc = sched_weekly(s, z, t->week_mask, t->hour, t->min, t->sec,
		    msg, sizeof msg);
		break;
	case TASK_MONTH:
		rc = sched_monthly(s, z, t->month_mask, t->date_mask,
		    t->date_last, t->hour, t->min, t->sec, msg, sizeof msg);
		break;
	case TASK_CRON:
		if (sched_parse_cron(s, t->task_cron, z, msg, sizeof msg) != 0) {
			snprintf(err, errlen, "task_cron: %s", msg);
			return (-1);
		}
		break;
	case TASK_ONCE:
		/* a fraction of a second rounds up: never before the time */
		sched_once(s, t->once_ms / 1000 + (t->once_ms % 1000 != 0));
		break;
	}
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s",
		    task_sched_type_name(t->scheduled_type), msg);
		return (-1);
	}
	if (t->has_expire)
		sched_set_expire(s, t->expire_ms >= 0 ? t->expire_ms / 1000 :
		    -((-t->expire_ms + 999) / 1000));
	return (0);
}
