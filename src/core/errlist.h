/*
 * A list of error messages collected while checking input, so that every
 * error is reported and not just the first (OpenBSD yyerror, tmux
 * cfg_add_cause).  Each message is "file:line:column: text" when the
 * position is known, "file: text" or "text" otherwise.
 */
#ifndef SKED_ERRLIST_H
#define SKED_ERRLIST_H

#include <stddef.h>
#include <stdio.h>

struct errlist {
	char	**msgs;
	size_t	  count;
	size_t	  cap;
};

#define ERRLIST_INIT	{ NULL, 0, 0 }

/* line and column are 1-based; 0 means unknown. */
void	errlist_add(struct errlist *, const char *file, int line, int column,
	    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/*
 * The character at s as a message shows it: the whole UTF-8 sequence when
 * it is one (not just its first byte), else "\xNN".
 */
#define ERRLIST_CHARLEN	8
const char	*errlist_char(const char *s, char buf[ERRLIST_CHARLEN]);
/*
 * src as valid UTF-8 in dst (len bytes): invalid bytes as "\xNN", a
 * sequence cut short by the end of dst left out.  JSON needs valid text.
 */
void	errlist_utf8(char *dst, size_t len, const char *src);
void	errlist_print(const struct errlist *, FILE *);
void	errlist_clear(struct errlist *);

#endif
