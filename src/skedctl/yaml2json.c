/*
 * YAML to JSON for skedctl add and edit: one YAML document read with
 * libyaml's document loader and rebuilt with jansson.  Scalars keep their
 * YAML 1.2 core-schema types: a plain null, ~ or nothing is null, plain
 * true/false booleans, plain decimal, 0x and 0o numbers integers, plain
 * decimals reals; quoted scalars and everything else are strings.  Tags
 * !!str, !!int, !!float, !!bool and !!null force a type.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <yaml.h>

#include "skedctl.h"

#define Y2J_MAX_DEPTH	64	/* nesting, and a bound on alias loops */
#define Y2J_MAX_NODES	100000	/* alias expansion ("billion laughs") */

struct y2j {
	const char	*name;
	yaml_document_t	*doc;
	char		*err;
	size_t		 errlen;
	size_t		 nodes;
};

static void
y2j_error(struct y2j *y, const yaml_node_t *n, const char *what)
{
	if (n != NULL)
		snprintf(y->err, y->errlen, "%s:%zu:%zu: %s", y->name,
		    n->start_mark.line + 1, n->start_mark.column + 1, what);
	else
		snprintf(y->err, y->errlen, "%s: %s", y->name, what);
}

static int
tag_is(const yaml_node_t *n, const char *tag)
{
	return (n->tag != NULL && strcmp((const char *)n->tag, tag) == 0);
}

static int
one_of(const char *s, const char *const list[])
{
	size_t	i;

	for (i = 0; list[i] != NULL; i++)
		if (strcmp(s, list[i]) == 0)
			return (1);
	return (0);
}

static const char *const y2j_nulls[] = { "", "~", "null", "Null", "NULL",
    NULL };
static const char *const y2j_trues[] = { "true", "True", "TRUE", NULL };
static const char *const y2j_falses[] = { "false", "False", "FALSE", NULL };

/* An integer in the core schema: [-+]?[0-9]+, 0o[0-7]+, 0x[0-9a-fA-F]+. */
static int
scalar_int(const char *s, json_int_t *out)
{
	const char	*digits = s;
	char		*end;
	long long	 v;
	int		 base = 10;

	if (strncmp(s, "0x", 2) == 0 || strncmp(s, "0o", 2) == 0) {
		base = s[1] == 'x' ? 16 : 8;
		digits = s + 2;
		if (*digits == '\0' || strspn(digits, base == 16 ?
		    "0123456789abcdefABCDEF" : "01234567") != strlen(digits))
			return (0);
	} else {
		if (*digits == '-' || *digits == '+')
			digits++;
		if (*digits < '0' || *digits > '9')
			return (0);
		digits = s;
	}
	errno = 0;
	v = strtoll(digits, &end, base);
	if (*end != '\0' || errno != 0)
		return (0);
	*out = v;
	return (1);
}

/* A real: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static int
scalar_real(const char *s, double *out)
{
	const char	*p = s;
	char		*end;
	int		 digits = 0;

	if (*p == '-' || *p == '+')
		p++;
	for (; *p >= '0' && *p <= '9'; p++)
		digits++;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			digits++;
	if (digits == 0)
		return (0);
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (*p < '0' || *p > '9')
			return (0);
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p != '\0')
		return (0);
	*out = strtod(s, &end);
	return (*end == '\0' && isfinite(*out));
}

/*
 * libyaml's loader gives every untagged scalar the !!str tag, so only the
 * other four tags can be told from no tag: quote a plain scalar to keep
 * it a string.
 */
static json_t *
scalar(struct y2j *y, const yaml_node_t *n)
{
	const char	*s = (const char *)n->data.scalar.value;
	json_int_t	 i;
	double		 d;
	int		 any, ok = 1;

	if (strlen(s) != n->data.scalar.length) {
		y2j_error(y, n, "a NUL character in a scalar");
		return (NULL);
	}
	any = n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    !tag_is(n, YAML_NULL_TAG) && !tag_is(n, YAML_BOOL_TAG) &&
	    !tag_is(n, YAML_INT_TAG) && !tag_is(n, YAML_FLOAT_TAG);
	if (any || tag_is(n, YAML_NULL_TAG)) {
		if (one_of(s, y2j_nulls))
			return (json_null());
		ok = any;
	}
	if (any || tag_is(n, YAML_BOOL_TAG)) {
		if (one_of(s, y2j_trues))
			return (json_true());
		if (one_of(s, y2j_falses))
			return (json_false());
		ok = any;
	}
	if (any || tag_is(n, YAML_INT_TAG)) {
		if (scalar_int(s, &i))
			return (json_integer(i));
		ok = any;
	}
	if (any || tag_is(n, YAML_FLOAT_TAG)) {
		if (scalar_real(s, &d))
			return (json_real(d));
		ok = any;
	}
	if (!ok && (tag_is(n, YAML_NULL_TAG) || tag_is(n, YAML_BOOL_TAG) ||
	    tag_is(n, YAML_INT_TAG) || tag_is(n, YAML_FLOAT_TAG))) {
		y2j_error(y, n, "a value that does not match its tag");
		return (NULL);
	}
	return (json_string(s));
}

static json_t	*node(struct y2j *, const yaml_node_t *, int);

static json_t *
sequence(struct y2j *y, const yaml_node_t *n, int depth)
{
	yaml_node_item_t	*it;
	json_t			*a, *v;

	if ((a = json_array()) == NULL)
		return (NULL);
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		v = node(y, yaml_document_get_node(y->doc, *it), depth + 1);
		if (v == NULL || json_array_append_new(a, v) != 0) {
			json_decref(a);
			return (NULL);
		}
	}
	return (a);
}

static json_t *
mapping(struct y2j *y, const yaml_node_t *n, int depth)
{
	yaml_node_pair_t	*p;
	const yaml_node_t	*k;
	const char		*key;
	json_t			*o, *v;

	if ((o = json_object()) == NULL)
		return (NULL);
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	    p++) {
		k = yaml_document_get_node(y->doc, p->key);
		if (k == NULL || k->type != YAML_SCALAR_NODE) {
			y2j_error(y, k, "a key that is not a scalar");
			goto fail;
		}
		key = (const char *)k->data.scalar.value;
		if (json_object_get(o, key) != NULL) {
			char	what[256];

			snprintf(what, sizeof what, "%.200s: a repeated key",
			    key);
			y2j_error(y, k, what);
			goto fail;
		}
		v = node(y, yaml_document_get_node(y->doc, p->value),
		    depth + 1);
		if (v == NULL || json_object_set_new(o, key, v) != 0)
			goto fail;
	}
	return (o);
fail:
	json_decref(o);
	return (NULL);
}

static json_t *
node(struct y2j *y, const yaml_node_t *n, int depth)
{
	if (n == NULL) {
		y2j_error(y, NULL, "a missing node");
		return (NULL);
	}
	if (depth > Y2J_MAX_DEPTH) {
		y2j_error(y, n, "nested too deeply (a recursive alias?)");
		return (NULL);
	}
	if (++y->nodes > Y2J_MAX_NODES) {
		y2j_error(y, n, "too many nodes (aliases expand too far)");
		return (NULL);
	}
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return (scalar(y, n));
	case YAML_SEQUENCE_NODE:
		return (sequence(y, n, depth));
	case YAML_MAPPING_NODE:
		return (mapping(y, n, depth));
	default:
		y2j_error(y, n, "an empty node");
		return (NULL);
	}
}

json_t *
yaml2json_text(const char *name, const char *text, size_t len, char *err,
    size_t errlen)
{
	struct y2j		 y = { name, NULL, err, errlen, 0 };
	yaml_parser_t		 parser;
	yaml_document_t		 doc;
	const yaml_node_t	*root;
	json_t			*out = NULL;

	snprintf(err, errlen, "%s: out of memory", name);
	if (!yaml_parser_initialize(&parser))
		return (NULL);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "%s:%zu:%zu: %s%s%s", name,
		    parser.problem_mark.line + 1,
		    parser.problem_mark.column + 1,
		    parser.problem != NULL ? parser.problem : "bad YAML",
		    parser.context != NULL ? " " : "",
		    parser.context != NULL ? parser.context : "");
		yaml_parser_delete(&parser);
		return (NULL);
	}
	y.doc = &doc;
	if ((root = yaml_document_get_root_node(&doc)) == NULL)
		snprintf(err, errlen, "%s: no YAML document", name);
	else
		out = node(&y, root, 0);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return (out);
}

json_t *
yaml2json_file(const char *path, char *err, size_t errlen)
{
	FILE	*fp;
	char	*text = NULL, *p;
	size_t	 len = 0, cap = 0, n;
	json_t	*out;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	for (;;) {
		if (len == cap) {
			cap = cap == 0 ? 8192 : cap * 2;
			if ((p = realloc(text, cap)) == NULL) {
				snprintf(err, errlen, "%s: out of memory", path);
				goto fail;
			}
			text = p;
		}
		n = fread(text + len, 1, cap - len, fp);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(fp)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	fclose(fp);
	out = yaml2json_text(path, text, len, err, errlen);
	free(text);
	return (out);
fail:
	fclose(fp);
	free(text);
	return (NULL);
}
