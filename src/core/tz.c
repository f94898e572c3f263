/*
 * Time-zone rules: TZif (RFC 8536) versions 1-3 and the POSIX TZ footer,
 * turned into one sorted table of offset changes up to TZ_MAX_YEAR so that
 * every query is a binary search.  Pure: no I/O, no globals.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "tz.h"

#define TZIF_HEADER	44
#define TZIF_MAX_COUNT	100000	/* far above any real zone */
/*
 * Transition times beyond +-2^59 s (RFC 8536's lower bound) are refused:
 * at INT64_MAX a span would be empty and offsets added to it overflow.
 */
#define TZIF_TIME_MAX	(INT64_C(1) << 59)
/* The footer's rules are expanded from 1900 at the earliest. */
#define TZ_EXPAND_FIRST	(-2208988800LL)	/* 1900-01-01T00:00:00Z */
#define TZ_EXPAND_LAST	7289654400LL	/* 2201-01-01T00:00:00Z */

struct tz {
	char		*name;
	size_t		 n;		/* transitions */
	size_t		 cap;
	int64_t		*at;		/* instant of transition i */
	int32_t		*off;		/* offset from at[i] on */
	uint8_t		*dst;
	int32_t		 off0;		/* offset before at[0] */
	uint8_t		 dst0;
};

/* A POSIX TZ rule date: Jn, n or Mm.w.d, and a time of day. */
struct posix_rule {
	char	kind;		/* 'J', 'N', 'M' */
	int	n, m, w, d;
	int32_t	secs;		/* local time of day; may be < 0 or > 24h */
};

struct posix_tz {
	int32_t			std_off;	/* seconds east */
	int32_t			dst_off;
	int			has_dst;
	struct posix_rule	start, end;
};

static uint32_t
be32(const unsigned char *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3]);
}

static int64_t
be64(const unsigned char *p)
{
	return ((int64_t)((uint64_t)be32(p) << 32 | be32(p + 4)));
}

static struct tz *
tz_new(const char *name)
{
	struct tz	*z;

	if ((z = calloc(1, sizeof *z)) == NULL)
		return (NULL);
	if ((z->name = strdup(name)) == NULL) {
		free(z);
		return (NULL);
	}
	return (z);
}

void
tz_free(struct tz *z)
{
	if (z == NULL)
		return;
	free(z->name);
	free(z->at);
	free(z->off);
	free(z->dst);
	free(z);
}

/* Append a transition; ones that change nothing are dropped. */
static int
tz_push(struct tz *z, int64_t at, int32_t off, int dst)
{
	int32_t	cur = z->n ? z->off[z->n - 1] : z->off0;
	size_t	cap;
	void	*p;

	if (off == cur)
		return (0);
	if (z->n && at <= z->at[z->n - 1])
		return (0);
	if (z->n == z->cap) {
		cap = z->cap ? z->cap * 2 : 64;
		if ((p = realloc(z->at, cap * sizeof *z->at)) == NULL)
			return (-ENOMEM);
		z->at = p;
		if ((p = realloc(z->off, cap * sizeof *z->off)) == NULL)
			return (-ENOMEM);
		z->off = p;
		if ((p = realloc(z->dst, cap * sizeof *z->dst)) == NULL)
			return (-ENOMEM);
		z->dst = p;
		z->cap = cap;
	}
	z->at[z->n] = at;
	z->off[z->n] = off;
	z->dst[z->n] = (uint8_t)dst;
	z->n++;
	return (0);
}

/* POSIX TZ strings (tzset(3)): NAME OFFSET [NAME [OFFSET] [,RULE,RULE]] */
static const char *
posix_name(const char *s)
{
	const char	*p = s;

	if (*p == '<') {
		while (*++p != '>')
			if (*p == '\0')
				return (NULL);
		return (p - s >= 4 ? p + 1 : NULL);
	}
	while (isalpha((unsigned char)*p))
		p++;
	return (p - s >= 3 ? p : NULL);
}

/* [+-]hh[:mm[:ss]], hours up to max; west-positive as written. */
static const char *
posix_hms(const char *s, int32_t *out, int max)
{
	int	sign = 1, h = 0, m = 0, sec = 0, digits = 0;

	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	while (isdigit((unsigned char)*s) && digits < 3) {
		h = h * 10 + (*s++ - '0');
		digits++;
	}
	if (digits == 0 || h > max)
		return (NULL);
	if (*s == ':') {
		s++;
		if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
			return (NULL);
		m = (s[0] - '0') * 10 + (s[1] - '0');
		s += 2;
		if (*s == ':') {
			s++;
			if (!isdigit((unsigned char)s[0]) ||
			    !isdigit((unsigned char)s[1]))
				return (NULL);
			sec = (s[0] - '0') * 10 + (s[1] - '0');
			s += 2;
		}
		if (m > 59 || sec > 59)
			return (NULL);
	}
	*out = sign * (h * 3600 + m * 60 + sec);
	return (s);
}

static const char *
posix_int(const char *s, int *out, int lo, int hi)
{
	int	v = 0, digits = 0;

	while (isdigit((unsigned char)*s) && digits < 4) {
		v = v * 10 + (*s++ - '0');
		digits++;
	}
	if (digits == 0 || v < lo || v > hi)
		return (NULL);
	*out = v;
	return (s);
}

static const char *
posix_rule(const char *s, struct posix_rule *r)
{
	r->secs = 7200;
	if (*s == 'J') {
		r->kind = 'J';
		s = posix_int(s + 1, &r->n, 1, 365);
	} else if (*s == 'M') {
		r->kind = 'M';
		if ((s = posix_int(s + 1, &r->m, 1, 12)) == NULL || *s++ != '.' ||
		    (s = posix_int(s, &r->w, 1, 5)) == NULL || *s++ != '.')
			return (NULL);
		s = posix_int(s, &r->d, 0, 6);
	} else {
		r->kind = 'N';
		s = posix_int(s, &r->n, 0, 365);
	}
	if (s != NULL && *s == '/')
		s = posix_hms(s + 1, &r->secs, 167);
	return (s);
}

static int
posix_parse(const char *s, struct posix_tz *p)
{
	int32_t	v;

	memset(p, 0, sizeof *p);
	if ((s = posix_name(s)) == NULL || (s = posix_hms(s, &v, 24)) == NULL)
		return (-EINVAL);
	p->std_off = -v;
	if (*s == '\0')
		return (0);
	if ((s = posix_name(s)) == NULL)
		return (-EINVAL);
	p->has_dst = 1;
	p->dst_off = p->std_off + 3600;
	if (*s != ',' && *s != '\0') {
		if ((s = posix_hms(s, &v, 24)) == NULL)
			return (-EINVAL);
		p->dst_off = -v;
	}
	if (*s == '\0') {	/* no rules: the US rules, as tzset(3) does */
		p->start = (struct posix_rule){ 'M', 0, 3, 2, 0, 7200 };
		p->end = (struct posix_rule){ 'M', 0, 11, 1, 0, 7200 };
		return (0);
	}
	if (*s++ != ',' || (s = posix_rule(s, &p->start)) == NULL ||
	    *s++ != ',' || (s = posix_rule(s, &p->end)) == NULL || *s != '\0')
		return (-EINVAL);
	return (0);
}

/* Local seconds (as UTC) at which the rule falls in year y. */
static int64_t
rule_local(const struct posix_rule *r, int y)
{
	int64_t	days, jan1 = civil_days(y, 1, 1);
	int	first, day, mdays;

	switch (r->kind) {
	case 'J':
		days = jan1 + r->n - 1 + (civil_is_leap(y) && r->n >= 60);
		break;
	case 'N':
		days = jan1 + r->n;
		break;
	default:
		first = 1 + (r->d - civil_weekday(civil_days(y, r->m, 1)) + 7) % 7;
		day = first + 7 * (r->w - 1);
		mdays = civil_month_days(y, r->m);
		while (day > mdays)
			day -= 7;
		days = civil_days(y, r->m, day);
		break;
	}
	return (days * 86400 + r->secs);
}

static int
posix_expand(struct tz *z, const struct posix_tz *p, int from_year)
{
	int64_t	a, b;
	int	y, rc;

	for (y = from_year; y <= TZ_MAX_YEAR; y++) {
		a = rule_local(&p->start, y) - p->std_off;	/* to DST */
		b = rule_local(&p->end, y) - p->dst_off;	/* to standard */
		if (a < b) {
			if ((rc = tz_push(z, a, p->dst_off, 1)) != 0 ||
			    (rc = tz_push(z, b, p->std_off, 0)) != 0)
				return (rc);
		} else {
			if ((rc = tz_push(z, b, p->std_off, 0)) != 0 ||
			    (rc = tz_push(z, a, p->dst_off, 1)) != 0)
				return (rc);
		}
	}
	return (0);
}

int
tz_from_posix(const char *name, const char *posix, struct tz **out,
    const char **cause)
{
	struct posix_tz	 p;
	struct tz	*z;
	int		 rc;

	if (posix_parse(posix, &p) != 0) {
		*cause = "malformed POSIX TZ string";
		return (-EINVAL);
	}
	if ((z = tz_new(name)) == NULL)
		return (-ENOMEM);
	z->off0 = p.std_off;
	if (p.has_dst && (rc = posix_expand(z, &p, 1900)) != 0) {
		tz_free(z);
		return (rc);
	}
	*out = z;
	return (0);
}

int
tz_utc(struct tz **out)
{
	return ((*out = tz_new("UTC")) == NULL ? -ENOMEM : 0);
}

int
tz_parse(const char *name, const unsigned char *buf, size_t len,
    struct tz **out, const char **cause)
{
	const unsigned char	*h = buf, *d, *times, *idx, *types, *end;
	uint32_t		 isut, isstd, leap, timecnt, typecnt, charcnt;
	size_t			 tsize = 4, need, i;
	struct posix_tz		 p;
	struct tz		*z;
	char			 footer[128];
	int64_t			 t, prev = INT64_MIN;
	int			 version, rc, y, m, day;

	*cause = "not a TZif file";
	if (len < TZIF_HEADER || memcmp(buf, "TZif", 4) != 0)
		return (-EINVAL);
	version = buf[4];
	for (;;) {
		if ((size_t)(h - buf) + TZIF_HEADER > len)
			goto truncated;
		isut = be32(h + 20);
		isstd = be32(h + 24);
		leap = be32(h + 28);
		timecnt = be32(h + 32);
		typecnt = be32(h + 36);
		charcnt = be32(h + 40);
		if (timecnt > TZIF_MAX_COUNT || typecnt > 256 || typecnt == 0 ||
		    leap > TZIF_MAX_COUNT || charcnt > 65536 ||
		    isut > typecnt || isstd > typecnt) {
			*cause = "TZif counts out of range";
			return (-EINVAL);
		}
		need = timecnt * tsize + timecnt + typecnt * 6 + charcnt +
		    leap * (tsize + 4) + isstd + isut;
		d = h + TZIF_HEADER;
		if ((size_t)(d - buf) + need > len)
			goto truncated;
		if (tsize == 4 && version >= '2') {
			h = d + need;	/* skip the 32-bit block */
			tsize = 8;
			if ((size_t)(h - buf) + TZIF_HEADER > len ||
			    memcmp(h, "TZif", 4) != 0)
				goto truncated;
			continue;
		}
		break;
	}
	times = d;
	idx = times + timecnt * tsize;
	types = idx + timecnt;
	end = d + need;

	if ((z = tz_new(name)) == NULL)
		return (-ENOMEM);
	z->off0 = (int32_t)be32(types);
	z->dst0 = types[4];
	for (i = 0; i < timecnt; i++) {
		t = tsize == 8 ? be64(times + i * 8) :
		    (int64_t)(int32_t)be32(times + i * 4);
		if (idx[i] >= typecnt || t <= prev) {
			tz_free(z);
			*cause = "TZif transitions out of order or bad type";
			return (-EINVAL);
		}
		if (t < -TZIF_TIME_MAX || t > TZIF_TIME_MAX) {
			tz_free(z);
			*cause = "TZif transition time out of range";
			return (-EINVAL);
		}
		prev = t;
		if ((rc = tz_push(z, t, (int32_t)be32(types + idx[i] * 6),
		    types[idx[i] * 6 + 4])) != 0) {
			tz_free(z);
			return (rc);
		}
	}
	/* The footer: "\nTZ\n", rules for instants past the table. */
	if (tsize == 8 && end < buf + len && *end == '\n') {
		const unsigned char *nl = memchr(end + 1, '\n',
		    (size_t)(buf + len - end - 1));

		if (nl == NULL || (size_t)(nl - end - 1) >= sizeof footer) {
			tz_free(z);
			*cause = "malformed TZif footer";
			return (-EINVAL);
		}
		memcpy(footer, end + 1, (size_t)(nl - end - 1));
		footer[nl - end - 1] = '\0';
		if (footer[0] != '\0') {
			if (posix_parse(footer, &p) != 0) {
				tz_free(z);
				*cause = "malformed POSIX TZ string in footer";
				return (-EINVAL);
			}
			if (timecnt == 0)
				z->off0 = p.std_off;
			if (p.has_dst) {
				/*
				 * From the year of the last transition, which
				 * 64-bit data may put billions of years away:
				 * the walk is bounded by 1900 and
				 * TZ_MAX_YEAR.
				 */
				y = 1900;
				if (z->n && z->at[z->n - 1] >= TZ_EXPAND_LAST)
					y = TZ_MAX_YEAR + 1;
				else if (z->n &&
				    z->at[z->n - 1] > TZ_EXPAND_FIRST)
					civil_from_days(z->at[z->n - 1] / 86400,
					    &y, &m, &day);
				rc = posix_expand(z, &p, y);
			} else
				rc = z->n ? tz_push(z, z->at[z->n - 1] + 1,
				    p.std_off, 0) : 0;
			if (rc != 0) {
				tz_free(z);
				return (rc);
			}
		}
	}
	*out = z;
	return (0);
truncated:
	*cause = "truncated TZif file";
	return (-EINVAL);
}

const char *
tz_name(const struct tz *z)
{
	return (z->name);
}

size_t
tz_span_count(const struct tz *z)
{
	return (z->n + 1);
}

/* Span k covers [at[k-1], at[k]): the number of transitions <= t. */
size_t
tz_span_find(const struct tz *z, int64_t t)
{
	size_t	lo = 0, hi = z->n, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (z->at[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo);
}

void
tz_span_get(const struct tz *z, size_t i, struct tz_span *sp)
{
	sp->start = i == 0 ? INT64_MIN : z->at[i - 1];
	sp->end = i == z->n ? INT64_MAX : z->at[i];
	sp->offset = i == 0 ? z->off0 : z->off[i - 1];
	sp->is_dst = i == 0 ? z->dst0 : z->dst[i - 1];
}

int32_t
tz_offset_at(const struct tz *z, int64_t t)
{
	size_t	i = tz_span_find(z, t);

	return (i == 0 ? z->off0 : z->off[i - 1]);
}

size_t
tz_span_find_local(const struct tz *z, int64_t local)
{
	size_t	lo = 0, hi = z->n, mid;
	int32_t	off;

	/* Span i ends (on the wall clock) at at[i] + its offset. */
	while (lo < hi) {
		mid = (lo + hi) / 2;
		off = mid == 0 ? z->off0 : z->off[mid - 1];
		if (z->at[mid] + off > local)
			hi = mid;
		else
			lo = mid + 1;
	}
	return (lo);
}

int
tz_local_to_utc(const struct tz *z, int64_t local, int64_t *first,
    int64_t *second)
{
	struct tz_span	a, b;
	size_t		i = tz_span_find_local(z, local);
	int		n = 0;

	tz_span_get(z, i, &a);
	if (a.start == INT64_MIN || local - a.offset >= a.start) {
		*first = local - a.offset;
		n = 1;
	}
	if (i + 1 < tz_span_count(z)) {
		tz_span_get(z, i + 1, &b);
		if (local - b.offset >= b.start && (b.end == INT64_MAX ||
		    local - b.offset < b.end)) {
			if (n == 0)
				*first = local - b.offset;
			else
				*second = local - b.offset;
			n++;
		}
	}
	if (n == 0)
		*first = a.start;	/* in the gap before span i */
	return (n);
}

int
tz_name_valid(const char *name)
{
	const char	*p, *comp = name;

	if (name == NULL || *name == '\0' || strlen(name) > 255)
		return (0);
	for (p = name;; p++) {
		if (*p == '/' || *p == '\0') {
			if (p == comp || *comp == '.')
				return (0);	/* empty, ".", ".." */
			if (*p == '\0')
				return (1);
			comp = p + 1;
			continue;
		}
		if (!isalnum((unsigned char)*p) && strchr("_+-.", *p) == NULL)
			return (0);
	}
}
