/*
 * Reading a whole configuration or task file.  Only regular files are
 * read: a FIFO named like a task file would block open() until a writer
 * came (and with it skedd's loop), a device could be endless.  The open
 * itself never blocks (O_NONBLOCK), so anything else is refused at once
 * with a message that says what it is.
 */
#ifndef SKED_READFILE_H
#define SKED_READFILE_H

#include <stddef.h>

/*
 * Read path into *text (malloc'd, NUL-terminated, *len bytes) when it is
 * a regular file of at most max bytes: 0.  Otherwise -1 and the reason in
 * err ("not a regular file (a FIFO)", "larger than 4 MiB", strerror).
 */
int	read_regular_file(const char *path, size_t max, char **text,
	    size_t *len, char *err, size_t errlen);

#endif
