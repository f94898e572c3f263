#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errlist.h"

void
errlist_add(struct errlist *el, const char *file, int line, int column,
    const char *fmt, ...)
{
	char	 raw[512], text[1024], *msg;
	char   **grown;
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	errlist_utf8(text, sizeof text, raw);

	if (file != NULL && line > 0)
		n = asprintf(&msg, "%s:%d:%d: %s", file, line,
		    column > 0 ? column : 1, text);
	else if (file != NULL)
		n = asprintf(&msg, "%s: %s", file, text);
	else
		n = asprintf(&msg, "%s", text);
	if (n < 0)
		abort();	/* out of memory while reporting: nothing sane left */

	if (el->count == el->cap) {
		el->cap = el->cap ? el->cap * 2 : 8;
		grown = realloc(el->msgs, el->cap * sizeof *el->msgs);
		if (grown == NULL)
			abort();
		el->msgs = grown;
	}
	el->msgs[el->count++] = msg;
}

void
errlist_print(const struct errlist *el, FILE *fp)
{
	size_t	i;

	for (i = 0; i < el->count; i++)
		fprintf(fp, "%s\n", el->msgs[i]);
}

void
errlist_clear(struct errlist *el)
{
	size_t	i;

	for (i = 0; i < el->count; i++)
		free(el->msgs[i]);
	free(el->msgs);
	el->msgs = NULL;
	el->count = el->cap = 0;
}

/* The length of the valid UTF-8 sequence at s (before end), or 0. */
static size_t
utf8_len(const unsigned char *s, const unsigned char *end)
{
	size_t		n, i;
	unsigned	cp;

	if (s[0] < 0x80)
		return (1);
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return (0);
	if ((size_t)(end - s) < n)
		return (0);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, past U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return (0);
	return (n);
}

const char *
errlist_char(const char *s, char buf[ERRLIST_CHARLEN])
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 n = utf8_len(u, u + strnlen(s, 4));

	if (n > 0 && u[0] >= 0x20 && u[0] != 0x7f) {
		memcpy(buf, s, n);
		buf[n] = '\0';
	} else
		snprintf(buf, ERRLIST_CHARLEN, "\\x%02x", u[0]);
	return (buf);
}

void
errlist_utf8(char *dst, size_t len, const char *src)
{
	const unsigned char	*s = (const unsigned char *)src,
				*end = s + strlen(src);
	size_t			 n, o = 0;

	if (len == 0)
		return;
	while (s < end) {
		if ((n = utf8_len(s, end)) > 0) {
			if (o + n >= len)
				break;
			memcpy(dst + o, s, n);
			o += n;
			s += n;
		} else {
			if (o + 4 >= len)
				break;
			snprintf(dst + o, 5, "\\x%02x", *s++);
			o += 4;
		}
	}
	dst[o] = '\0';
}
