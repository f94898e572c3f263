#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "readfile.h"

static const char *
file_kind(mode_t mode)
{
	if (S_ISFIFO(mode))
		return ("a FIFO");
	if (S_ISDIR(mode))
		return ("a directory");
	if (S_ISCHR(mode))
		return ("a character device");
	if (S_ISBLK(mode))
		return ("a block device");
	if (S_ISSOCK(mode))
		return ("a socket");
	return ("not a file");
}

static void
too_large(size_t max, char *err, size_t errlen)
{
	if (max >= (1 << 20))
		snprintf(err, errlen, "larger than %zu MiB", max >> 20);
	else
		snprintf(err, errlen, "larger than %zu bytes", max);
}

int
read_regular_file(const char *path, size_t max, char **text, size_t *len,
    char *err, size_t errlen)
{
	struct stat	 st;
	char		*buf, *p;
	size_t		 got = 0, cap;
	ssize_t		 r;
	int		 fd;

	*text = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s", strerror(errno));
		return (-1);
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s", strerror(errno));
		close(fd);
		return (-1);
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "not a regular file (%s)",
		    file_kind(st.st_mode));
		close(fd);
		return (-1);
	}
	if ((unsigned long long)st.st_size > max) {
		too_large(max, err, errlen);
		close(fd);
		return (-1);
	}
	/* the file may grow while it is read: read to its end, up to max */
	cap = (size_t)st.st_size + 1;
	if ((buf = malloc(cap + 1)) == NULL)
		abort();
	for (;;) {
		if (got == cap) {
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			if ((p = realloc(buf, cap + 1)) == NULL)
				abort();
			buf = p;
		}
		r = read(fd, buf + got, cap - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(err, errlen, "%s", strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		got += (size_t)r;
		if (got > max) {
			too_large(max, err, errlen);
			goto fail;
		}
	}
	close(fd);
	buf[got] = '\0';
	*text = buf;
	*len = got;
	return (0);
fail:
	close(fd);
	free(buf);
	return (-1);
}
