#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "civil.h"
#include "timefmt.h"

/* Exactly n digits. */
static int
digits(const char **sp, int n, int *out)
{
	const char	*s = *sp;
	int		 v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return (-EINVAL);
		v = v * 10 + (s[i] - '0');
	}
	*sp = s + n;
	*out = v;
	return (0);
}

int
timefmt_parse_iso(const char *s, struct iso_time *out)
{
	struct civil	c = { 0, 0, 0, 0, 0, 0 };
	int		oh, om = 0, sign, ms = 0, scale;

	memset(out, 0, sizeof *out);
	if (digits(&s, 4, &c.year) || *s++ != '-' || digits(&s, 2, &c.mon) ||
	    *s++ != '-' || digits(&s, 2, &c.day))
		return (-EINVAL);
	if (c.mon < 1 || c.mon > 12 || c.day < 1 ||
	    c.day > civil_month_days(c.year, c.mon))
		return (-EINVAL);
	if (*s == 'T' || *s == 't' || *s == ' ') {
		s++;
		if (digits(&s, 2, &c.hour) || *s++ != ':' ||
		    digits(&s, 2, &c.min))
			return (-EINVAL);
		if (*s == ':') {
			s++;
			if (digits(&s, 2, &c.sec))
				return (-EINVAL);
			if (*s == '.' || *s == ',') {
				s++;
				if (!isdigit((unsigned char)*s))
					return (-EINVAL);
				for (scale = 100; isdigit((unsigned char)*s);
				    s++, scale /= 10)
					ms += (*s - '0') * scale;
			}
		}
		if (c.hour > 23 || c.min > 59 || c.sec > 59)
			return (-EINVAL);
		out->has_time = 1;
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
		out->has_offset = 1;
	} else if (*s == '+' || *s == '-') {
		sign = *s++ == '-' ? -1 : 1;
		if (digits(&s, 2, &oh))
			return (-EINVAL);
		if (*s == ':')
			s++;
		if (isdigit((unsigned char)*s) && digits(&s, 2, &om))
			return (-EINVAL);
		if (oh > 23 || om > 59)
			return (-EINVAL);
		out->has_offset = 1;
		out->offset = sign * (oh * 3600 + om * 60);
	}
	if (*s != '\0')
		return (-EINVAL);
	out->local = civil_to_secs(&c);
	out->millis = ms;
	return (0);
}

void
timefmt_iso(int64_t t, int32_t offset, char *buf, size_t len)
{
	struct civil	c;
	int32_t		a = offset < 0 ? -offset : offset;

	civil_from_secs(t + offset, &c);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
	    c.year, c.mon, c.day, c.hour, c.min, c.sec,
	    offset < 0 ? '-' : '+', a / 3600, a / 60 % 60);
}

void
timefmt_utc(int64_t t, char *buf, size_t len)
{
	struct civil	c;

	civil_from_secs(t, &c);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.mon,
	    c.day, c.hour, c.min, c.sec);
}
