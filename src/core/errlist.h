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
void	errlist_print(const struct errlist *, FILE *);
void	errlist_clear(struct errlist *);

#endif
