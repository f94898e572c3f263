/*
 * skedctl's side of the control API (SPEC section 5): HTTP/1.1 over skedd's
 * unix socket with one libcurl handle, JSON bodies with jansson, and the
 * helpers the commands share: errors, task names, tables, key: value lines.
 */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "proto.h"
#include "skedctl.h"

#define CLIENT_URL_BASE		"http://localhost"
#define CLIENT_PATH_MAX		2048
#define CLIENT_BODY_MAX		(64 * 1024 * 1024)
#define CLIENT_CONNECT_TIMEOUT	10L	/* seconds */
#define CLIENT_TIMEOUT		120L	/* seconds, for a whole request */
#define LOOKUP_LIMIT		50	/* the list route's largest page */
#define LOOKUP_MAX_PAGES	1000

struct reply_buf {
	char	*data;
	size_t	 len;
	int	 too_big;
};

struct ctl_kv_pair {
	char	*key;
	char	*value;
};

struct ctl_grid {
	size_t	  ncols;
	size_t	  nrows;	/* with the header */
	size_t	  cap;
	unsigned  right;
	char	**cell;		/* nrows * ncols */
	int	  failed;
};

static CURL	*curl;
static int	 curl_ready;
static char	 curl_errbuf[CURL_ERROR_SIZE];

static CURL *
client_handle(void)
{
	if (curl != NULL)
		return (curl);
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
			return (NULL);
		curl_ready = 1;
	}
	curl = curl_easy_init();
	return (curl);
}

void
ctl_client_close(void)
{
	if (curl != NULL)
		curl_easy_cleanup(curl);
	curl = NULL;
	if (curl_ready)
		curl_global_cleanup();
	curl_ready = 0;
}

/* -s SOCKET, else $SKED_SOCKET, else the compiled default. */
static const char *
socket_path(void)
{
	const char	*env;

	if (ctl_socket != NULL)
		return (ctl_socket);
	if ((env = getenv("SKED_SOCKET")) != NULL && *env != '\0')
		return (env);
	return (SKED_SOCKET_DEFAULT);
}

void
ctl_query_add(struct ctl_query *q, const char *key, const char *value)
{
	CURL	*h;
	char	*esc, *s;
	size_t	 need;
	int	 n;

	if (q->failed)
		return;
	if ((h = client_handle()) == NULL ||
	    (esc = curl_easy_escape(h, value, 0)) == NULL) {
		q->failed = 1;
		return;
	}
	need = q->len + 1 + strlen(key) + 1 + strlen(esc) + 1;
	if ((s = realloc(q->s, need)) == NULL) {
		curl_free(esc);
		q->failed = 1;
		return;
	}
	q->s = s;
	n = snprintf(s + q->len, need - q->len, "%s%s=%s",
	    q->len > 0 ? "&" : "", key, esc);
	q->len += (size_t)n;
	curl_free(esc);
}

void
ctl_query_addl(struct ctl_query *q, const char *key, long value)
{
	char	buf[32];

	snprintf(buf, sizeof buf, "%ld", value);
	ctl_query_add(q, key, buf);
}

void
ctl_query_free(struct ctl_query *q)
{
	free(q->s);
	q->s = NULL;
	q->len = 0;
	q->failed = 0;
}

static size_t
reply_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct reply_buf	*b = arg;
	size_t			 n = size * nmemb;
	char			*p;

	if (n > CLIENT_BODY_MAX - b->len) {
		b->too_big = 1;
		return (0);
	}
	if ((p = realloc(b->data, b->len + n + 1)) == NULL)
		return (0);
	memcpy(p + b->len, ptr, n);
	b->data = p;
	b->len += n;
	b->data[b->len] = '\0';
	return (n);
}

static int
add_header(struct curl_slist **list, const char *h)
{
	struct curl_slist	*l;

	if ((l = curl_slist_append(*list, h)) == NULL)
		return (-1);
	*list = l;
	return (0);
}

static void
unreachable(const char *sock, CURL *h, CURLcode rc)
{
	long	 os_errno = 0;

	(void)curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
	if (os_errno != 0)
		fprintf(stderr, "skedctl: cannot reach skedd at %s: %s (%s)\n",
		    sock, curl_easy_strerror(rc), strerror((int)os_errno));
	else
		fprintf(stderr, "skedctl: cannot reach skedd at %s: %s\n",
		    sock, curl_errbuf[0] != '\0' ? curl_errbuf :
		    curl_easy_strerror(rc));
}

/*
 * One exchange.  Returns 0 with the HTTP status and the parsed body (NULL
 * when empty, or not JSON in an error reply), or -1 after printing why.
 */
static int
call(const struct ctl_cmd *cmd, enum route rt,
    const char *const params[PARAM_COUNT], const struct ctl_query *q,
    const json_t *body, long *status, json_t **reply)
{
	const struct route_def	*def = proto_route(rt);
	const char		*sock = socket_path();
	struct curl_slist	*hdrs = NULL;
	struct reply_buf	 in = { NULL, 0, 0 };
	json_error_t		 jerr;
	CURL			*h;
	CURLcode		 rc;
	char			 path[CLIENT_PATH_MAX], *url = NULL, *out = NULL;
	size_t			 ulen;
	int			 ret = -1;

	*reply = NULL;
	if (def == NULL || proto_path(path, sizeof path, rt, params) != 0) {
		ctl_err(cmd, "cannot build the path of %s",
		    def != NULL ? def->pattern : "a route");
		return (-1);
	}
	ulen = strlen(CLIENT_URL_BASE) + strlen(path) +
	    (q != NULL && q->len > 0 ? 1 + q->len : 0) + 1;
	if ((q != NULL && q->failed) || (h = client_handle()) == NULL ||
	    (url = malloc(ulen)) == NULL ||
	    (body != NULL && (out = json_dumps(body, JSON_COMPACT)) == NULL) ||
	    add_header(&hdrs, "Accept: application/json") != 0 ||
	    add_header(&hdrs, "Expect:") != 0 ||
	    add_header(&hdrs, out != NULL ? "Content-Type: application/json" :
	    "Content-Type:") != 0) {
		ctl_err(cmd, "out of memory");
		goto out;
	}
	snprintf(url, ulen, "%s%s%s%s", CLIENT_URL_BASE, path,
	    q != NULL && q->len > 0 ? "?" : "", q != NULL && q->len > 0 ?
	    q->s : "");

	curl_easy_reset(h);
	curl_errbuf[0] = '\0';
	if ((rc = curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, sock)) !=
	    CURLE_OK) {
		unreachable(sock, h, rc);
		goto out;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, CLIENT_CONNECT_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, CLIENT_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "skedctl/" PACKAGE_VERSION);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, reply_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &in);
	if (strcmp(def->method, "GET") == 0)
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	else {
		if (strcmp(def->method, "POST") != 0)
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, def->method);
		/* a body, or Content-Length: 0 (not for DELETE) */
		if (out != NULL || strcmp(def->method, "DELETE") != 0) {
			curl_easy_setopt(h, CURLOPT_POSTFIELDS,
			    out != NULL ? out : "");
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE,
			    (long)(out != NULL ? strlen(out) : 0));
		}
	}

	if ((rc = curl_easy_perform(h)) != CURLE_OK) {
		if (in.too_big)
			ctl_err(cmd, "skedd's reply is larger than %d bytes",
			    CLIENT_BODY_MAX);
		else
			unreachable(sock, h, rc);
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	if (in.len > 0 &&
	    (*reply = json_loadb(in.data, in.len, 0, &jerr)) == NULL &&
	    *status >= 200 && *status < 300) {
		ctl_err(cmd, "bad reply from skedd: line %d: %s", jerr.line,
		    jerr.text);
		goto out;
	}
	ret = 0;
out:
	curl_slist_free_all(hdrs);
	free(in.data);
	free(out);
	free(url);
	return (ret);
}

static void
api_error(const struct ctl_cmd *cmd, long status, const json_t *reply)
{
	const json_t	*e;
	const char	*msg, *code;
	size_t		 i;

	json_array_foreach(json_object_get(reply, "errors"), i, e)
		if (json_is_string(e))
			fprintf(stderr, "%s\n", json_string_value(e));
	msg = ctl_str(reply, "error_msg");
	code = ctl_str(reply, "error_code");
	if (msg != NULL && code != NULL)
		ctl_err(cmd, "%s (%s)", msg, code);
	else if (msg != NULL)
		ctl_err(cmd, "%s (HTTP %ld)", msg, status);
	else if (code != NULL)
		ctl_err(cmd, "skedd answered HTTP %ld (%s)", status, code);
	else
		ctl_err(cmd, "skedd answered HTTP %ld", status);
}

/* The body of a 2xx reply; otherwise the error printed and NULL. */
static json_t *
check(const struct ctl_cmd *cmd, long status, json_t *reply)
{
	if (status < 200 || status >= 300) {
		api_error(cmd, status, reply);
		json_decref(reply);
		return (NULL);
	}
	if (reply == NULL && (reply = json_object()) == NULL)
		ctl_err(cmd, "out of memory");
	return (reply);
}

json_t *
ctl_request(const struct ctl_cmd *cmd, enum route rt,
    const char *const params[PARAM_COUNT], const struct ctl_query *q,
    const json_t *body)
{
	json_t	*reply;
	long	 status;

	if (call(cmd, rt, params, q, body, &status, &reply) != 0)
		return (NULL);
	return (check(cmd, status, reply));
}

/*
 * The id of the task called name: 1 with it in id, 0 when there is none
 * (or the list route fails), -1 after printing an error.
 */
static int
lookup_name(const struct ctl_cmd *cmd, const char *project, const char *name,
    char id[PROTO_PARAM_MAX])
{
	const char	*params[PARAM_COUNT] = { [PARAM_PROJECT_ID] = project };
	struct ctl_query q = CTL_QUERY_INIT;
	json_t		*reply, *ids, *t;
	const char	*tid;
	char		*list;
	json_int_t	 total;
	long		 status, offset = 0;
	size_t		 i, n;
	int		 page, ret = 0;

	if ((ids = json_array()) == NULL) {
		ctl_err(cmd, "out of memory");
		return (-1);
	}
	/*
	 * The list route leaves LIFE_CYCLE tasks out unless asked for them
	 * (seed 002): ask a second time when the first finds nothing.
	 */
	for (page = 0; page < 2 * LOOKUP_MAX_PAGES; page++) {
		if (page == LOOKUP_MAX_PAGES) {
			if (json_array_size(ids) > 0)
				break;
			offset = 0;
		}
		ctl_query_add(&q, "task_name", name);
		if (page >= LOOKUP_MAX_PAGES)
			ctl_query_add(&q, "scheduled_type", "LIFE_CYCLE");
		ctl_query_addl(&q, "offset", offset);
		ctl_query_addl(&q, "limit", LOOKUP_LIMIT);
		ret = call(cmd, ROUTE_TASK_LIST, params, &q, NULL, &status,
		    &reply);
		ctl_query_free(&q);
		if (ret != 0)
			goto out;
		if (status != 200) {
			json_decref(reply);
			break;
		}
		n = json_array_size(json_object_get(reply, "scheduled_tasks"));
		json_array_foreach(json_object_get(reply, "scheduled_tasks"),
		    i, t) {
			tid = ctl_str(t, "id");
			if (tid != NULL && ctl_str(t, "task_name") != NULL &&
			    strcmp(ctl_str(t, "task_name"), name) == 0)
				json_array_append_new(ids, json_string(tid));
		}
		total = json_integer_value(json_object_get(reply,
		    "total_count"));
		json_decref(reply);
		offset += (long)n;
		if ((n == 0 || offset >= total) && page < LOOKUP_MAX_PAGES)
			page = LOOKUP_MAX_PAGES - 1;	/* then LIFE_CYCLE */
		else if (n == 0 || offset >= total)
			break;
	}
	switch (json_array_size(ids)) {
	case 0:
		break;
	case 1:
		tid = json_string_value(json_array_get(ids, 0));
		if (strlen(tid) >= PROTO_PARAM_MAX) {
			ctl_err(cmd, "task '%s': id too long", name);
			ret = -1;
			break;
		}
		snprintf(id, PROTO_PARAM_MAX, "%s", tid);
		ret = 1;
		break;
	default:
		list = ctl_join(ids, ", ");
		ctl_err(cmd, "%zu tasks are named '%s' in project '%s': %s; "
		    "give an id", json_array_size(ids), name, project,
		    list != NULL ? list : "");
		free(list);
		ret = -1;
		break;
	}
out:
	json_decref(ids);
	return (ret);
}

json_t *
ctl_task_request(const struct ctl_cmd *cmd, enum route rt,
    const char *project, const char *task, const char *execution,
    const struct ctl_query *q, const json_t *body,
    char task_id[PROTO_PARAM_MAX])
{
	const char	*params[PARAM_COUNT] = { [PARAM_PROJECT_ID] = project,
	    [PARAM_TASK_ID] = task, [PARAM_EXECUTION_ID] = execution };

	return (ctl_task_request_params(cmd, rt, params, q, body, task_id));
}

json_t *
ctl_task_request_params(const struct ctl_cmd *cmd, enum route rt,
    const char *const given[PARAM_COUNT], const struct ctl_query *q,
    const json_t *body, char task_id[PROTO_PARAM_MAX])
{
	const char	*params[PARAM_COUNT];
	const char	*project = given[PARAM_PROJECT_ID];
	const char	*task = given[PARAM_TASK_ID];
	json_t		*reply;
	char		 id[PROTO_PARAM_MAX];
	long		 status;
	int		 found;

	memcpy(params, given, sizeof params);

	if (call(cmd, rt, params, q, body, &status, &reply) != 0)
		return (NULL);
	if (status == 404) {
		/* not an id: a name?  Else the first answer stands. */
		if ((found = lookup_name(cmd, project, task, id)) < 0) {
			json_decref(reply);
			return (NULL);
		}
		if (found && strcmp(id, task) != 0) {
			json_decref(reply);
			params[PARAM_TASK_ID] = task = id;
			if (call(cmd, rt, params, q, body, &status, &reply) != 0)
				return (NULL);
		}
	}
	if (task_id != NULL)
		snprintf(task_id, PROTO_PARAM_MAX, "%s", task);
	return (check(cmd, status, reply));
}

int
ctl_parse_long(const char *arg, long min, long max, long *out)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
		return (-1);
	*out = v;
	return (0);
}

int
ctl_parse_when(const char *arg, char compact[15])
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	const char	*fmt;
	char		 digits[15];
	size_t		 i, k = 0;
	int		 y, mo, d, h, mi, s, leap;

	if (strlen(arg) == 14)
		fmt = "dddddddddddddd";
	else if (strlen(arg) == 19 && arg[10] == 'T')
		fmt = "dddd-dd-ddTdd:dd:dd";
	else
		fmt = "dddd-dd-dd dd:dd:dd";
	if (strlen(arg) != strlen(fmt))
		return (-1);
	for (i = 0; fmt[i] != '\0'; i++) {
		if (fmt[i] != 'd') {
			if (arg[i] != fmt[i])
				return (-1);
			continue;
		}
		if (arg[i] < '0' || arg[i] > '9')
			return (-1);
		digits[k++] = arg[i];
	}
	digits[k] = '\0';
	if (sscanf(digits, "%4d%2d%2d%2d%2d%2d", &y, &mo, &d, &h, &mi, &s) !=
	    6)
		return (-1);
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap) || h > 23 || mi > 59 ||
	    s > 59)
		return (-1);
	memcpy(compact, digits, 15);
	return (0);
}

int
ctl_check_param(const struct ctl_cmd *cmd, const char *what,
    const char *value)
{
	if (*value == '\0') {
		ctl_err(cmd, "%s: empty", what);
		return (-1);
	}
	if (strlen(value) >= PROTO_PARAM_MAX) {
		ctl_err(cmd, "%s: longer than %d characters", what,
		    PROTO_PARAM_MAX - 1);
		return (-1);
	}
	return (0);
}

int
ctl_print_json(const json_t *v)
{
	char	*s;

	if ((s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) ==
	    NULL)
		return (-1);
	puts(s);
	free(s);
	return (0);
}

const char *
ctl_str(const json_t *obj, const char *key)
{
	return (json_string_value(json_object_get(obj, key)));
}

const char *
ctl_cell(const json_t *obj, const char *key, char *buf, size_t len)
{
	const json_t	*v = json_object_get(obj, key);

	if (json_is_string(v))
		return (json_string_value(v));
	if (json_is_integer(v)) {
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		return (buf);
	}
	if (json_is_real(v)) {
		snprintf(buf, len, "%g", json_real_value(v));
		return (buf);
	}
	if (json_is_boolean(v))
		return (json_is_true(v) ? "yes" : "no");
	return ("-");
}

/* A value as text: strings as they are, anything else as compact JSON. */
static char *
json_text(const json_t *v)
{
	if (json_is_string(v))
		return (strdup(json_string_value(v)));
	return (json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY));
}

char *
ctl_join(const json_t *array, const char *sep)
{
	const json_t	*v;
	char		*s = NULL, *t, *p;
	size_t		 i, len = 0, n;

	if ((s = strdup("")) == NULL)
		return (NULL);
	json_array_foreach(array, i, v) {
		if ((t = json_text(v)) == NULL)
			goto fail;
		n = len + (i > 0 ? strlen(sep) : 0) + strlen(t) + 1;
		if ((p = realloc(s, n)) == NULL) {
			free(t);
			goto fail;
		}
		s = p;
		len += (size_t)snprintf(s + len, n - len, "%s%s",
		    i > 0 ? sep : "", t);
		free(t);
	}
	return (s);
fail:
	free(s);
	return (NULL);
}

/*
 * A copy safe to print on a terminal: control characters become '?',
 * carriage returns spaces, newlines and tabs spaces unless kept.
 */
static char *
clean(const char *s, int keep_newlines)
{
	char	*c, *p;

	if ((c = strdup(s)) == NULL)
		return (NULL);
	for (p = c; *p != '\0'; p++) {
		if ((*p == '\n' || *p == '\t') && keep_newlines)
			continue;
		if (*p == '\n' || *p == '\t' || *p == '\r')
			*p = ' ';
		else if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	return (c);
}

/*
 * Columns taken on a terminal: wcwidth in the user's locale; bytes it
 * cannot decode count as UTF-8, one column per character.
 */
static size_t
text_width(const char *s)
{
	mbstate_t	 st;
	wchar_t		 wc;
	size_t		 n, w = 0;
	int		 cw;

	memset(&st, 0, sizeof st);
	while (*s != '\0') {
		n = mbrtowc(&wc, s, MB_CUR_MAX, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0 ||
		    (cw = wcwidth(wc)) < 0) {
			memset(&st, 0, sizeof st);
			if (((unsigned char)*s & 0xc0) != 0x80)
				w++;
			s++;
			continue;
		}
		w += (size_t)cw;
		s += n;
	}
	return (w);
}

struct ctl_grid *
ctl_grid_new(size_t ncols, unsigned right, const char *const head[])
{
	struct ctl_grid	*g;

	if ((g = calloc(1, sizeof *g)) == NULL)
		return (NULL);
	g->ncols = ncols;
	g->right = right;
	ctl_grid_add(g, head);
	return (g);
}

void
ctl_grid_add(struct ctl_grid *g, const char *const row[])
{
	char	**cell;
	size_t	  cap, i;

	if (g == NULL || g->failed)
		return;
	if (g->nrows == g->cap) {
		cap = g->cap == 0 ? 16 : g->cap * 2;
		if ((cell = reallocarray(g->cell, cap * g->ncols,
		    sizeof *cell)) == NULL) {
			g->failed = 1;
			return;
		}
		g->cell = cell;
		g->cap = cap;
	}
	cell = g->cell + g->nrows * g->ncols;
	for (i = 0; i < g->ncols; i++)
		if ((cell[i] = clean(row[i] != NULL ? row[i] : "-", 0)) ==
		    NULL) {
			while (i-- > 0)
				free(cell[i]);
			g->failed = 1;
			return;
		}
	g->nrows++;
}

int
ctl_grid_print(const struct ctl_grid *g, FILE *fp)
{
	const char	*s;
	size_t		*width, r, c, w;

	if (g == NULL || g->failed ||
	    (width = calloc(g->ncols, sizeof *width)) == NULL)
		return (-1);
	for (r = 0; r < g->nrows; r++)
		for (c = 0; c < g->ncols; c++) {
			s = g->cell[r * g->ncols + c];
			if ((w = text_width(s)) > width[c])
				width[c] = w;
		}
	for (r = 0; r < g->nrows; r++) {
		for (c = 0; c < g->ncols; c++) {
			s = g->cell[r * g->ncols + c];
			w = width[c] - text_width(s);
			if (c > 0)
				fputs("  ", fp);
			if (g->right & (1U << c))
				fprintf(fp, "%*s%s", (int)w, "", s);
			else if (c + 1 < g->ncols)
				fprintf(fp, "%s%*s", s, (int)w, "");
			else
				fputs(s, fp);
		}
		fputc('\n', fp);
	}
	free(width);
	return (0);
}

void
ctl_grid_free(struct ctl_grid *g)
{
	size_t	i;

	if (g == NULL)
		return;
	for (i = 0; i < g->nrows * g->ncols; i++)
		free(g->cell[i]);
	free(g->cell);
	free(g);
}

static void
kv_add_owned(struct ctl_kv *kv, char *key, char *value)
{
	struct ctl_kv_pair	*p;
	size_t			 cap;

	if (kv->failed || key == NULL || value == NULL)
		goto fail;
	if (kv->n == kv->cap) {
		cap = kv->cap == 0 ? 32 : kv->cap * 2;
		if ((p = reallocarray(kv->pairs, cap, sizeof *p)) == NULL)
			goto fail;
		kv->pairs = p;
		kv->cap = cap;
	}
	kv->pairs[kv->n].key = key;
	kv->pairs[kv->n].value = value;
	kv->n++;
	return;
fail:
	kv->failed = 1;
	free(key);
	free(value);
}

void
ctl_kv_add(struct ctl_kv *kv, const char *key, const char *value)
{
	kv_add_owned(kv, strdup(key), clean(value, 1));
}

void
ctl_kv_json(struct ctl_kv *kv, const json_t *obj, const char *key)
{
	const json_t	*v = json_object_get(obj, key);
	char		*t;

	if (v == NULL || json_is_null(v))
		return;
	if ((t = json_text(v)) == NULL) {
		kv->failed = 1;
		return;
	}
	ctl_kv_add(kv, key, t);
	free(t);
}

void
ctl_kv_rest(struct ctl_kv *kv, const json_t *obj, const char *const known[])
{
	const char	*key;
	const json_t	*v;
	size_t		 i;

	json_object_foreach((json_t *)obj, key, v) {
		for (i = 0; known[i] != NULL; i++)
			if (strcmp(known[i], key) == 0)
				break;
		if (known[i] == NULL)
			ctl_kv_json(kv, obj, key);
	}
}

int
ctl_kv_print(const struct ctl_kv *kv, FILE *fp, int indent)
{
	const char	*v, *nl;
	size_t		 i, k, n, width = 0;
	int		 first;

	if (kv->failed)
		return (-1);
	for (i = 0; i < kv->n; i++)
		if ((k = strlen(kv->pairs[i].key) + 1) > width)
			width = k;
	for (i = 0; i < kv->n; i++) {
		k = strlen(kv->pairs[i].key);
		fprintf(fp, "%*s%s%c", indent, "", kv->pairs[i].key,
		    k > 0 ? ':' : ' ');
		/* continuation lines start in the column of the value */
		for (v = kv->pairs[i].value, first = 1;; first = 0) {
			nl = strchr(v, '\n');
			n = nl != NULL ? (size_t)(nl - v) : strlen(v);
			if (n > 0)
				fprintf(fp, "%*s%.*s", first ? (int)(width - k) :
				    indent + 1 + (int)width, "", (int)n, v);
			fputc('\n', fp);
			if (nl == NULL || nl[1] == '\0')
				break;
			v = nl + 1;
		}
	}
	return (0);
}

void
ctl_kv_free(struct ctl_kv *kv)
{
	size_t	i;

	for (i = 0; i < kv->n; i++) {
		free(kv->pairs[i].key);
		free(kv->pairs[i].value);
	}
	free(kv->pairs);
	kv->pairs = NULL;
	kv->n = kv->cap = 0;
	kv->failed = 0;
}

int
ctl_print_block(FILE *fp, const char *text, int indent)
{
	const char	*nl;
	char		*c;
	size_t		 n;

	if ((c = clean(text, 1)) == NULL)
		return (-1);
	for (text = c; *text != '\0'; text = nl + 1) {
		nl = strchr(text, '\n');
		n = nl != NULL ? (size_t)(nl - text) : strlen(text);
		if (n > 0)
			fprintf(fp, "%*s%.*s", indent, "", (int)n, text);
		fputc('\n', fp);
		if (nl == NULL)
			break;
	}
	free(c);
	return (0);
}
