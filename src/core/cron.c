/*
 * Cron expressions, compiled into a struct sched.
 *
 * Quartz dialect (6 or 7 fields): second minute hour day-of-month month
 * day-of-week [year], '?' in exactly one day field, L, L-n, LW, nW, n#k,
 * nL, names, lists, ranges (wrapping: 22-2, FRI-MON), steps; weekdays 1-7
 * from Sunday; years 1970-2199.
 *
 * Classic dialect (5 fields or a macro): minute hour day-of-month month
 * day-of-week, weekdays 0-7 with 0 and 7 Sunday, Vixie cron's rule that the
 * day matches when either day field does, unless one of them starts with
 * '*'.  Ranges must ascend.
 *
 * Every error names the field, the offending element and the reason.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "errlist.h"
#include "sched.h"

#define MAX_FIELDS	8	/* one more than allowed, to report "too many" */

enum field_kind { F_SEC, F_MIN, F_HOUR, F_DOM, F_MON, F_DOW, F_YEAR };

struct field {
	enum field_kind	  kind;
	const char	 *name;
	int		  min;		/* smallest value as written */
	int		  max;		/* largest value as written */
	int		  wrap;		/* reversed ranges wrap around */
	int		  names_base;	/* value of names[0]; -1: no names */
	const char *const *names;
	int		  nnames;
};

/* What one field compiles to, before it is folded into the schedule. */
struct field_val {
	uint64_t	bits[4];	/* bit (value - base) */
	int		plain;		/* exactly one plain number */
	int		star;		/* starts with '*' or is '?' */
	int		question;	/* is '?' */
	uint8_t		dom_rule;
	uint8_t		dom_arg;
	uint8_t		dow_last;	/* by value as written */
	uint8_t		dow_nth[8];	/* by value as written */
};

struct parser {
	int		 quartz;
	char		*err;
	size_t		 errlen;
	const struct field *f;
	const char	*elem;		/* current element, for messages */
	size_t		 elemlen;
};

static const char *const month_names[] = {
	"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
	"JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
};
static const char *const day_names[] = {
	"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT",
};

static const struct field quartz_fields[] = {
	{ F_SEC, "second", 0, 59, 1, -1, NULL, 0 },
	{ F_MIN, "minute", 0, 59, 1, -1, NULL, 0 },
	{ F_HOUR, "hour", 0, 23, 1, -1, NULL, 0 },
	{ F_DOM, "day-of-month", 1, 31, 1, -1, NULL, 0 },
	{ F_MON, "month", 1, 12, 1, 1, month_names, 12 },
	{ F_DOW, "day-of-week", 1, 7, 1, 1, day_names, 7 },
	{ F_YEAR, "year", SCHED_MIN_YEAR, SCHED_MAX_YEAR, 0, -1, NULL, 0 },
};

static const struct field classic_fields[] = {
	{ F_MIN, "minute", 0, 59, 0, -1, NULL, 0 },
	{ F_HOUR, "hour", 0, 23, 0, -1, NULL, 0 },
	{ F_DOM, "day-of-month", 1, 31, 0, -1, NULL, 0 },
	{ F_MON, "month", 1, 12, 0, 1, month_names, 12 },
	{ F_DOW, "day-of-week", 0, 7, 0, 0, day_names, 7 },
};

static const struct {
	const char	*name;
	const char	*expr;
} macros[] = {
	{ "@yearly", "0 0 1 1 *" },
	{ "@annually", "0 0 1 1 *" },
	{ "@monthly", "0 0 1 * *" },
	{ "@weekly", "0 0 * * 0" },
	{ "@daily", "0 0 * * *" },
	{ "@midnight", "0 0 * * *" },
	{ "@hourly", "0 * * * *" },
};

static int	fail(struct parser *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static int	parse_field(struct parser *, const char *, size_t,
		    struct field_val *);
static int	parse_elem(struct parser *, const char *, const char *,
		    struct field_val *, int *);
static int	parse_value(struct parser *, const char **, const char *,
		    int *);
static int	parse_number(struct parser *, const char **, const char *,
		    int *, const char *);
static void	add_range(const struct field *, struct field_val *, int, int,
		    int);

static int
fail(struct parser *p, const char *fmt, ...)
{
	char	reason[SCHED_ERRLEN];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	if (p->f != NULL && p->elem != NULL)
		snprintf(p->err, p->errlen, "%s: '%.*s': %s", p->f->name,
		    (int)(p->elemlen > 40 ? 40 : p->elemlen), p->elem, reason);
	else if (p->f != NULL)
		snprintf(p->err, p->errlen, "%s: %s", p->f->name, reason);
	else
		snprintf(p->err, p->errlen, "%s", reason);
	return (-EINVAL);
}

static inline void
bit_set(uint64_t *bits, int i)
{
	bits[i / 64] |= 1ULL << (i % 64);
}

static int
field_base(const struct field *f)
{
	return (f->kind == F_YEAR ? SCHED_MIN_YEAR : 0);
}

/*
 * Values start..end stepping by step, wrapping past max back to min when
 * start > end (Quartz: 22-2 is 22, 23, 0, 1, 2).
 */
static void
add_range(const struct field *f, struct field_val *fv, int start, int end,
    int step)
{
	int	span = f->max - f->min + 1, base = field_base(f), i, v;

	if (start <= end) {
		for (i = start; i <= end; i += step)
			bit_set(fv->bits, i - base);
		return;
	}
	for (i = start; i <= end + span; i += step) {
		v = i > f->max ? i - span : i;
		bit_set(fv->bits, v - base);
	}
}

static int
parse_number(struct parser *p, const char **sp, const char *end, int *out,
    const char *what)
{
	const char	*s = *sp;
	char		 cb[ERRLIST_CHARLEN];
	long		 v = 0;
	int		 digits = 0;

	while (s < end && isdigit((unsigned char)*s)) {
		if (++digits > 6)
			return (fail(p, "%s is too large", what));
		v = v * 10 + (*s++ - '0');
	}
	if (digits == 0) {
		if (s < end)
			return (fail(p, "unexpected '%s' where %s was "
			    "expected", errlist_char(s, cb), what));
		return (fail(p, "%s missing", what));
	}
	*sp = s;
	*out = (int)v;
	return (0);
}

/* A number or a name; *sp is left after it. */
static int
parse_value(struct parser *p, const char **sp, const char *end, int *out)
{
	const struct field	*f = p->f;
	const char		*s = *sp, *t;
	size_t			 len;
	int			 i, v;

	if (s < end && isalpha((unsigned char)*s)) {
		for (t = s; t < end && isalpha((unsigned char)*t); t++)
			;
		len = (size_t)(t - s);
		/* Quartz "FRIL": a weekday name followed by L. */
		if (p->quartz && f->kind == F_DOW && len == 4 &&
		    toupper((unsigned char)s[3]) == 'L')
			len = 3;
		if (f->names == NULL)
			return (fail(p, "names are not allowed in this field"));
		for (i = 0; i < f->nnames; i++)
			if (len == 3 && strncasecmp(s, f->names[i], 3) == 0)
				break;
		if (i == f->nnames)
			return (fail(p, "unknown name '%.*s'",
			    (int)(t - s > 12 ? 12 : t - s), s));
		*out = f->names_base + i;
		*sp = s + len;
		return (0);
	}
	if (parse_number(p, &s, end, &v, "a value") != 0)
		return (-EINVAL);
	if (v < f->min || v > f->max)
		return (fail(p, "%d is out of range %d-%d", v, f->min, f->max));
	*out = v;
	*sp = s;
	return (0);
}

static int
parse_step(struct parser *p, const char **sp, const char *end, int *step)
{
	const struct field	*f = p->f;
	int			 limit;

	(*sp)++;	/* the '/' */
	if (parse_number(p, sp, end, step, "a step after '/'") != 0)
		return (-EINVAL);
	limit = f->kind == F_YEAR ? f->max - f->min : f->max;
	if (*step < 1)
		return (fail(p, "step must be at least 1"));
	if (*step > limit)
		return (fail(p, "step %d is larger than %d", *step, limit));
	return (0);
}

/*
 * One list element.  *plain is set when the element is a single number.
 */
static int
parse_elem(struct parser *p, const char *s, const char *end,
    struct field_val *fv, int *plain)
{
	const struct field	*f = p->f;
	char			 cb[ERRLIST_CHARLEN];
	int			 start, stop, step = 1, v, k, ranged = 0;

	*plain = 0;
	if (s == end)
		return (fail(p, "empty list element"));

	if (*s == '?') {
		if (!p->quartz)
			return (fail(p, "'?' is only valid in Quartz "
			    "expressions (6 or 7 fields)"));
		if (f->kind != F_DOM && f->kind != F_DOW)
			return (fail(p, "'?' is only valid in the day-of-month "
			    "and day-of-week fields"));
		if (end - s != 1)
			return (fail(p, "'?' must stand alone"));
		fv->question = 1;
		return (0);
	}

	if (*s == '*') {
		start = f->min;
		stop = f->kind == F_DOW && !p->quartz ? 6 : f->max;
		s++;
		if (s < end && *s == '/') {
			if (parse_step(p, &s, end, &step) != 0)
				return (-EINVAL);
		}
		if (s != end)
			return (fail(p, "unexpected '%s' after '*'",
			    errlist_char(s, cb)));
		add_range(f, fv, start, stop, step);
		return (0);
	}

	if (toupper((unsigned char)*s) == 'L' &&
	    (s + 1 == end || !isalpha((unsigned char)s[1]) ||
	    toupper((unsigned char)s[1]) == 'W')) {
		if (!p->quartz)
			return (fail(p, "'L' is only valid in Quartz "
			    "expressions (6 or 7 fields)"));
		s++;
		if (f->kind == F_DOW) {
			if (s != end)
				return (fail(p, "unexpected '%s' after 'L'",
				    errlist_char(s, cb)));
			add_range(f, fv, 7, 7, 1);	/* L alone: Saturday */
			return (0);
		}
		if (f->kind != F_DOM)
			return (fail(p, "'L' is only valid in the day fields"));
		if (fv->dom_rule != SCHED_DOM_NONE)
			return (fail(p, "only one of L, L-n, LW and nW may be "
			    "given"));
		fv->dom_rule = SCHED_DOM_LAST;
		if (s < end && *s == '-') {
			s++;
			if (parse_number(p, &s, end, &v,
			    "an offset after 'L-'") != 0)
				return (-EINVAL);
			if (v > 30)
				return (fail(p, "offset from the last day must "
				    "be 0-30"));
			fv->dom_arg = (uint8_t)v;
		}
		if (s < end && toupper((unsigned char)*s) == 'W') {
			fv->dom_rule = SCHED_DOM_LAST_WEEKDAY;
			s++;
		}
		if (s != end)
			return (fail(p, "unexpected '%s'",
			    errlist_char(s, cb)));
		return (0);
	}

	if (parse_value(p, &s, end, &start) != 0)
		return (-EINVAL);

	if (s < end && toupper((unsigned char)*s) == 'W' && p->quartz &&
	    f->kind == F_DOM) {
		if (s + 1 != end)
			return (fail(p, "unexpected '%s' after 'W'",
			    errlist_char(s + 1, cb)));
		if (fv->dom_rule != SCHED_DOM_NONE)
			return (fail(p, "only one of L, L-n, LW and nW may be "
			    "given"));
		fv->dom_rule = SCHED_DOM_WEEKDAY;
		fv->dom_arg = (uint8_t)start;
		return (0);
	}
	if (s < end && toupper((unsigned char)*s) == 'L' && p->quartz &&
	    f->kind == F_DOW) {
		if (s + 1 != end)
			return (fail(p, "unexpected '%s' after 'L'",
			    errlist_char(s + 1, cb)));
		fv->dow_last |= 1U << start;
		return (0);
	}
	if (s < end && *s == '#' && p->quartz && f->kind == F_DOW) {
		s++;
		if (parse_number(p, &s, end, &k, "a week number after '#'")
		    != 0)
			return (-EINVAL);
		if (k < 1 || k > 5)
			return (fail(p, "the week number after '#' must be "
			    "1-5"));
		if (s != end)
			return (fail(p, "unexpected '%s'",
			    errlist_char(s, cb)));
		fv->dow_nth[start] |= 1U << k;
		return (0);
	}

	stop = start;
	if (s < end && *s == '-') {
		s++;
		if (parse_value(p, &s, end, &stop) != 0)
			return (-EINVAL);
		ranged = 1;
		if (stop < start && !f->wrap)
			return (fail(p, "range %d-%d is reversed", start,
			    stop));
	}
	if (s < end && *s == '/') {
		if (parse_step(p, &s, end, &step) != 0)
			return (-EINVAL);
		if (!ranged)
			stop = f->kind == F_DOW && !p->quartz ? 6 : f->max;
		ranged = 1;
	}
	if (s != end)
		return (fail(p, "unexpected '%s'", errlist_char(s, cb)));
	add_range(f, fv, start, stop, step);
	*plain = !ranged;
	return (0);
}

static int
parse_field(struct parser *p, const char *s, size_t len,
    struct field_val *fv)
{
	const char	*end = s + len, *e;
	int		 plain, nelem = 0, rc;

	memset(fv, 0, sizeof *fv);
	fv->star = len > 0 && (*s == '*' || *s == '?');
	for (;;) {
		for (e = s; e < end && *e != ','; e++)
			;
		p->elem = s;
		p->elemlen = (size_t)(e - s);
		if ((rc = parse_elem(p, s, e, fv, &plain)) != 0)
			return (rc);
		nelem++;
		if (fv->question && nelem > 1)
			return (fail(p, "'?' must stand alone"));
		if (e == end)
			break;
		s = e + 1;
		if (s == end) {
			p->elem = s;
			p->elemlen = 0;
			return (fail(p, "empty list element"));
		}
	}
	p->elem = NULL;
	fv->plain = nelem == 1 && plain;
	/* Quartz gives these no sound meaning in a list; plain L is fine. */
	if (nelem > 1 && fv->dom_rule != SCHED_DOM_NONE &&
	    !(fv->dom_rule == SCHED_DOM_LAST && fv->dom_arg == 0))
		return (fail(p, "W, LW and L-n cannot be listed with other "
		    "days"));
	return (0);
}

/* Fold a parsed field into the schedule. */
static void
store_field(const struct field *f, const struct field_val *fv, int quartz,
    struct sched *s)
{
	int	v;

	switch (f->kind) {
	case F_SEC:
		s->sec = fv->bits[0];
		break;
	case F_MIN:
		s->min = fv->bits[0];
		break;
	case F_HOUR:
		s->hour = (uint32_t)fv->bits[0];
		break;
	case F_DOM:
		if (fv->question)
			break;		/* keeps "every day" */
		s->dom = (uint32_t)fv->bits[0];
		s->dom_rule = fv->dom_rule;
		s->dom_arg = fv->dom_arg;
		if (!fv->star)
			s->flags &= ~SCHED_F_DOM_STAR;
		break;
	case F_MON:
		s->mon = (uint16_t)fv->bits[0];
		break;
	case F_DOW:
		if (fv->question)
			break;
		/* Quartz 1-7 and classic 0-7 both become 0-6 from Sunday. */
		s->dow = 0;
		for (v = f->min; v <= f->max; v++) {
			int wd = quartz ? v - 1 : v % 7;

			if (fv->bits[0] & (1ULL << v))
				s->dow |= 1U << wd;
			if (fv->dow_last & (1U << v))
				s->dow_last |= 1U << wd;
			s->dow_nth[wd] |= fv->dow_nth[v];
		}
		if (!fv->star)
			s->flags &= ~SCHED_F_DOW_STAR;
		break;
	case F_YEAR:
		memcpy(s->years, fv->bits, sizeof s->years);
		break;
	}
}

int
sched_parse_cron(struct sched *s, const char *expr, const struct tz *tz,
    char *err, size_t errlen)
{
	struct parser		 p = { 0, err, errlen, NULL, NULL, 0 };
	const struct field	*fields;
	struct field_val	 fv[MAX_FIELDS];
	const char		*start[MAX_FIELDS], *q;
	size_t			 len[MAX_FIELDS], i;
	int			 n = 0, rc, fixed = 1, dom_q = 0, dow_q = 0;

	while (isspace((unsigned char)*expr))
		expr++;
	if (*expr == '\0')
		return (fail(&p, "empty expression"));
	if (*expr == '@') {
		for (q = expr; *q != '\0' && !isspace((unsigned char)*q); q++)
			;
		for (i = 0; i < sizeof macros / sizeof macros[0]; i++)
			if ((size_t)(q - expr) == strlen(macros[i].name) &&
			    strncasecmp(expr, macros[i].name, (size_t)(q - expr))
			    == 0)
				break;
		while (isspace((unsigned char)*q))
			q++;
		if (i == sizeof macros / sizeof macros[0]) {
			if (strncasecmp(expr, "@reboot", 7) == 0)
				return (fail(&p, "@reboot has no fire time"));
			return (fail(&p, "unknown macro '%.*s' (use @yearly, "
			    "@annually, @monthly, @weekly, @daily, @midnight "
			    "or @hourly)", (int)strcspn(expr, " \t"), expr));
		}
		if (*q != '\0')
			return (fail(&p, "unexpected text after %s",
			    macros[i].name));
		expr = macros[i].expr;
	}

	for (q = expr; *q != '\0';) {
		if (n == MAX_FIELDS)
			return (fail(&p, "too many fields: expected 5 (classic) "
			    "or 6-7 (Quartz)"));
		start[n] = q;
		while (*q != '\0' && !isspace((unsigned char)*q))
			q++;
		len[n] = (size_t)(q - start[n]);
		n++;
		while (isspace((unsigned char)*q))
			q++;
	}
	if (n == 5) {
		fields = classic_fields;
	} else if (n == 6 || n == 7) {
		fields = quartz_fields;
		p.quartz = 1;
	} else if (n >= MAX_FIELDS)
		return (fail(&p, "too many fields: expected 5 (classic) or 6-7 "
		    "(Quartz)"));
	else
		return (fail(&p, "%d field%s: expected 5 (classic) or 6-7 "
		    "(Quartz)", n, n == 1 ? "" : "s"));

	sched_init_all(s, tz);
	if (!p.quartz) {
		s->sec = 1;	/* classic: at second 0 */
		s->flags |= SCHED_F_DAY_OR;
	}
	for (i = 0; i < (size_t)n; i++) {
		p.f = &fields[i];
		if ((rc = parse_field(&p, start[i], len[i], &fv[i])) != 0)
			return (rc);
		store_field(&fields[i], &fv[i], p.quartz, s);
		if (fields[i].kind == F_SEC || fields[i].kind == F_MIN ||
		    fields[i].kind == F_HOUR)
			fixed &= fv[i].plain;
		if (fields[i].kind == F_DOM)
			dom_q = fv[i].question;
		if (fields[i].kind == F_DOW)
			dow_q = fv[i].question;
	}
	p.f = NULL;
	if (p.quartz && dom_q == dow_q)
		return (fail(&p, dom_q ? "'?' may be given in only one of "
		    "day-of-month and day-of-week" : "'?' must be given in "
		    "day-of-month or day-of-week (Quartz does not combine "
		    "the two)"));
	if (fixed)
		s->flags |= SCHED_F_FIXED;
	return (0);
}
