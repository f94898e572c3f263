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
	char	 text[512], *msg;
	char   **grown;
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);

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
