/*
 * Route table and matcher shared by skedd and skedctl.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "proto.h"

static const struct route_def routes[ROUTE_COUNT] = {
	{ ROUTE_TASK_LIST, "GET", "/v2/{project_id}/scheduled-tasks" },
	{ ROUTE_TASK_CREATE, "POST", "/v1/{project_id}/schedule-task" },
	{ ROUTE_TASK_SHOW, "GET", "/v1/{project_id}/schedule-task/{task_id}" },
	{ ROUTE_TASK_MODIFY, "PATCH",
	    "/v1/{project_id}/schedule-task/{task_id}" },
	{ ROUTE_TASK_DELETE, "DELETE",
	    "/v1/{project_id}/schedule-task/{task_id}" },
	{ ROUTE_TASK_EXECUTE, "POST",
	    "/v1/{project_id}/schedule-task/{task_id}/execute" },
	{ ROUTE_TASK_HISTORY, "GET",
	    "/v1/{project_id}/schedule-task/{task_id}/execute-history" },
	{ ROUTE_EXECUTION_SHOW, "GET", "/v1/{project_id}/schedule-task/"
	    "{task_id}/execute-history/{execution_id}" },
	{ ROUTE_PLANNED_LIST, "GET",
	    "/v2/{project_id}/instances/{instance_id}/scheduled-tasks" },
	{ ROUTE_PLANNED_MODIFY, "PUT",
	    "/v2/{project_id}/instances/{instance_id}/scheduled-tasks/"
	    "{task_id}" },
	{ ROUTE_OM_CREATE, "POST", "/v1/schedule/task" },
	{ ROUTE_OM_SHOW, "GET", "/v1/schedule/task/{task_id}" },
	{ ROUTE_OM_APPROVE, "POST", "/v1/schedule/task/{task_id}/approve" },
	{ ROUTE_EVENT, "POST", "/v1/{project_id}/events" },
	{ ROUTE_RELOAD, "POST", "/v1/daemon/reload" },
	{ ROUTE_STATUS, "GET", "/v1/daemon/status" },
	{ ROUTE_CLUSTER, "GET", "/v1/cluster" },
};

static const char *const param_names[PARAM_COUNT] = {
	"project_id", "task_id", "execution_id", "instance_id",
};

const struct route_def *
proto_route(enum route id)
{
	return ((unsigned)id < ROUTE_COUNT ? &routes[id] : NULL);
}

static int
param_index(const char *name, size_t len)
{
	int	i;

	for (i = 0; i < PARAM_COUNT; i++)
		if (strlen(param_names[i]) == len &&
		    strncmp(param_names[i], name, len) == 0)
			return (i);
	return (-1);
}

static int
hexval(int c)
{
	if (isdigit(c))
		return (c - '0');
	c = tolower(c);
	return (c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1);
}

/* Copy one percent-decoded segment; -1 when malformed or too long. */
static int
decode(char *out, const char *s, size_t len)
{
	size_t	i, o = 0;
	int	hi, lo;

	for (i = 0; i < len; i++) {
		if (o + 1 >= PROTO_PARAM_MAX)
			return (-1);
		if (s[i] == '%') {
			if (i + 2 >= len)
				return (-1);
			hi = hexval((unsigned char)s[i + 1]);
			lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return (-1);
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else
			out[o++] = s[i];
	}
	out[o] = '\0';
	return (0);
}

/* Does path match pattern?  Fills params when it does. */
static int
match_one(const char *pattern, const char *path,
    char params[PARAM_COUNT][PROTO_PARAM_MAX])
{
	const char	*p = pattern, *s = path, *pe, *se;
	int		 k;

	while (*p != '\0' && *s != '\0') {
		if (*p != '/' || *s != '/')
			return (0);
		p++, s++;
		pe = strchr(p, '/');
		if (pe == NULL)
			pe = p + strlen(p);
		se = strchr(s, '/');
		if (se == NULL)
			se = s + strlen(s);
		if (*p == '{') {
			if (se == s)
				return (0);
			k = param_index(p + 1, (size_t)(pe - p - 2));
			if (k < 0 || decode(params[k], s, (size_t)(se - s)) != 0)
				return (0);
		} else if (pe - p != se - s || strncmp(p, s, (size_t)(pe - p))
		    != 0)
			return (0);
		p = pe, s = se;
	}
	/* one trailing slash is forgiven */
	if (*p == '\0' && s[0] == '/' && s[1] == '\0')
		return (1);
	return (*p == '\0' && *s == '\0');
}

int
proto_match(const char *method, const char *path, enum route *id,
    char params[PARAM_COUNT][PROTO_PARAM_MAX], char *allow, size_t allowlen)
{
	char	tmp[PARAM_COUNT][PROTO_PARAM_MAX];
	int	i, k, found = 0;

	if (allow != NULL && allowlen > 0)
		allow[0] = '\0';
	for (i = 0; i < ROUTE_COUNT; i++) {
		memset(tmp, 0, sizeof tmp);
		if (!match_one(routes[i].pattern, path, tmp))
			continue;
		if (strcmp(routes[i].method, method) == 0) {
			*id = routes[i].id;
			for (k = 0; k < PARAM_COUNT; k++)
				memcpy(params[k], tmp[k], PROTO_PARAM_MAX);
			return (0);
		}
		if (allow != NULL && strstr(allow, routes[i].method) == NULL) {
			if (found)
				strncat(allow, ", ", allowlen - strlen(allow) - 1);
			strncat(allow, routes[i].method,
			    allowlen - strlen(allow) - 1);
		}
		found = 1;
	}
	return (found ? 405 : 404);
}

static int
unreserved(int c)
{
	return (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~');
}

int
proto_path(char *buf, size_t len, enum route id,
    const char *const params[PARAM_COUNT])
{
	const char	*p, *pe, *v;
	size_t		 o = 0;
	int		 k, n;

	if ((unsigned)id >= ROUTE_COUNT || len == 0)
		return (-1);
	for (p = routes[id].pattern; *p != '\0'; p++) {
		if (*p != '{') {
			if (o + 1 >= len)
				return (-1);
			buf[o++] = *p;
			continue;
		}
		pe = strchr(p, '}');
		k = param_index(p + 1, (size_t)(pe - p - 1));
		if (k < 0 || params[k] == NULL || params[k][0] == '\0')
			return (-1);
		for (v = params[k]; *v != '\0'; v++) {
			if (unreserved((unsigned char)*v)) {
				if (o + 1 >= len)
					return (-1);
				buf[o++] = *v;
			} else {
				n = snprintf(buf + o, len - o, "%%%02X",
				    (unsigned char)*v);
				if (n < 0 || (size_t)n >= len - o)
					return (-1);
				o += (size_t)n;
			}
		}
		p = pe;
	}
	buf[o] = '\0';
	return (0);
}

const char *
proto_error_code(int status)
{
	static const int known[] = { 400, 401, 403, 404, 405, 409, 413, 415,
	    431, 500, 503 };
	static const char *const codes[] = { "SKED.0400", "SKED.0401",
	    "SKED.0403", "SKED.0404", "SKED.0405", "SKED.0409", "SKED.0413",
	    "SKED.0415", "SKED.0431", "SKED.0500", "SKED.0503" };
	size_t	i;

	for (i = 0; i < sizeof known / sizeof known[0]; i++)
		if (known[i] == status)
			return (codes[i]);
	return ("SKED.0500");
}
