/*
 * The engine's only file reads: zoneinfo files, loaded once per zone and
 * kept until the cache is freed.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tz.h"

#define TZFILE_MAX	(1 << 20)	/* real TZif files are a few KiB */


struct tz_cache {
	char		*dir;
	struct tz	**zones;
	size_t		  n;
	size_t		  cap;
};

struct tz_cache *
tz_cache_new(const char *dir)
{
	struct tz_cache	*c;

	if ((c = calloc(1, sizeof *c)) == NULL)
		return (NULL);
	if ((c->dir = strdup(dir != NULL ? dir : SKED_ZONEINFO)) == NULL) {
		free(c);
		return (NULL);
	}
	return (c);
}

void
tz_cache_free(struct tz_cache *c)
{
	size_t	i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++)
		tz_free(c->zones[i]);
	free(c->zones);
	free(c->dir);
	free(c);
}

static int
cache_add(struct tz_cache *c, struct tz *z)
{
	struct tz	**p;
	size_t		  cap;

	if (c->n == c->cap) {
		cap = c->cap ? c->cap * 2 : 16;
		if ((p = realloc(c->zones, cap * sizeof *p)) == NULL)
			return (-ENOMEM);
		c->zones = p;
		c->cap = cap;
	}
	c->zones[c->n++] = z;
	return (0);
}

/* Read and parse one TZif file. */
static int
load_file(const char *path, const char *name, struct tz **out,
    const char **cause)
{
	struct stat	 st;
	unsigned char	*buf;
	ssize_t		 r;
	size_t		 got = 0;
	int		 fd, rc;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		*cause = "unknown time zone";
		return (-ENOENT);
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > TZFILE_MAX) {
		close(fd);
		*cause = "unknown time zone";
		return (-ENOENT);
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return (-ENOMEM);
	}
	while (got < (size_t)st.st_size) {
		r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	rc = tz_parse(name, buf, got, out, cause);
	free(buf);
	if (rc == -EINVAL)
		*cause = "unknown time zone (not a compiled zoneinfo file)";
	return (rc == -EINVAL ? -ENOENT : rc);
}

int
tz_cache_get(struct tz_cache *c, const char *name, const struct tz **out,
    const char **cause)
{
	struct tz	*z;
	char		 path[PATH_MAX];
	size_t		 i;
	int		 rc;

	if (!tz_name_valid(name)) {
		*cause = "malformed time zone name";
		return (-EINVAL);
	}
	for (i = 0; i < c->n; i++)
		if (strcmp(tz_name(c->zones[i]), name) == 0) {
			*out = c->zones[i];
			return (0);
		}
	if ((size_t)snprintf(path, sizeof path, "%s/%s", c->dir, name) >=
	    sizeof path) {
		*cause = "malformed time zone name";
		return (-EINVAL);
	}
	rc = load_file(path, name, &z, cause);
	if (rc == -ENOENT && (strcmp(name, "UTC") == 0 ||
	    strcmp(name, "Etc/UTC") == 0))
		rc = tz_utc(&z);
	if (rc != 0)
		return (rc);
	if ((rc = cache_add(c, z)) != 0) {
		tz_free(z);
		return (rc);
	}
	*out = z;
	return (0);
}

int
tz_cache_system(struct tz_cache *c, const struct tz **out,
    const char **cause)
{
	const char	*path = "/etc/localtime", *p;
	struct tz	*z;
	char		 link[PATH_MAX];
	ssize_t		 n;
	size_t		 i;
	int		 rc;

	n = readlink(path, link, sizeof link - 1);
	if (n > 0) {
		link[n] = '\0';
		if ((p = strstr(link, "zoneinfo/")) != NULL &&
		    tz_cache_get(c, p + 9, out, cause) == 0)
			return (0);
	}
	for (i = 0; i < c->n; i++)
		if (strcmp(tz_name(c->zones[i]), "localtime") == 0) {
			*out = c->zones[i];
			return (0);
		}
	rc = load_file(path, "localtime", &z, cause);
	if (rc == -ENOENT && access(path, F_OK) == -1)
		return (tz_cache_get(c, "UTC", out, cause));
	if (rc != 0)
		return (rc);
	if ((rc = cache_add(c, z)) != 0) {
		tz_free(z);
		return (rc);
	}
	*out = z;
	return (0);
}
