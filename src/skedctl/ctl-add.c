/*
 * skedctl add: create a task (POST /v1/{project_id}/schedule-task) from a
 * task file (YAML or JSON, one task) and/or field flags.
 *
 *	skedctl add [-p PROJECT] [--json] [FILE] [field flags] [--dry-run]
 *
 * The task is checked first with the core task loader, so errors name
 * file:line:column; --dry-run prints the JSON body instead of sending it.
 */
#include "config.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skedctl.h"
#include "task.h"

static int	add_exec(int, char **);

const struct ctl_cmd ctl_add_cmd = {
	.name = "add",
	.usage = "[-p PROJECT] [--json] [FILE] " CTL_FIELD_USAGE,
	.summary = "create a task from a task file and/or field flags",
	.exec = add_exec,
};


/* The first character that is not white space, or '\0'. */
static int
first_char(const char *path)
{
	FILE	*fp;
	int	 c;

	if ((fp = fopen(path, "r")) == NULL)
		return ('\0');
	while ((c = getc(fp)) != EOF && isspace(c))
		continue;
	fclose(fp);
	return (c == EOF ? '\0' : c);
}

json_t *
ctl_task_file_json(const struct ctl_cmd *cmd, const char *path)
{
	json_error_t	 jerr;
	json_t		*doc, *one, *list;
	char		 err[1024];
	int		 c = first_char(path);

	if (c == '{' || c == '[') {
		if ((doc = json_load_file(path, JSON_REJECT_DUPLICATES,
		    &jerr)) == NULL) {
			fprintf(stderr, "%s:%d:%d: %s\n", path, jerr.line,
			    jerr.column, jerr.text);
			return (NULL);
		}
	} else if ((doc = yaml2json_file(path, err, sizeof err)) == NULL) {
		fprintf(stderr, "%s\n", err);
		return (NULL);
	}
	/* one task: a mapping, a sequence of one, or {tasks: [one]} */
	list = doc;
	if (json_is_object(doc) && json_object_size(doc) == 1 &&
	    json_is_array(json_object_get(doc, "tasks")))
		list = json_object_get(doc, "tasks");
	if (json_is_array(list)) {
		if (json_array_size(list) != 1) {
			ctl_err(cmd, "%s holds %zu tasks; give a file of one",
			    path, json_array_size(list));
			json_decref(doc);
			return (NULL);
		}
		list = json_array_get(list, 0);
	}
	if (!json_is_object(list)) {
		ctl_err(cmd, "%s: a task is a mapping", path);
		json_decref(doc);
		return (NULL);
	}
	one = json_incref(list);
	json_decref(doc);
	return (one);
}

/* TYPE:ID[,ID...] appended to fields' target_infos. */
static int
add_target(const struct ctl_cmd *cmd, const char *arg, json_t *fields)
{
	json_t	*targets, *t, *ids;
	char	*copy, *colon, *id, *next;
	int	 rc = -1;

	if ((colon = strchr(arg, ':')) == NULL || colon == arg ||
	    colon[1] == '\0') {
		ctl_err(cmd, "--target '%s': not TYPE:ID[,ID...]", arg);
		return (-1);
	}
	if ((copy = strdup(arg)) == NULL)
		goto oom;
	colon = copy + (colon - arg);
	*colon = '\0';
	targets = json_object_get(fields, "target_infos");
	if (!json_is_array(targets)) {
		if ((targets = json_array()) == NULL ||
		    json_object_set_new(fields, "target_infos", targets) != 0)
			goto oom;
	}
	if ((ids = json_array()) == NULL ||
	    (t = json_pack("{s:s,s:o}", "target_type", copy, "target_id",
	    ids)) == NULL || json_array_append_new(targets, t) != 0)
		goto oom;
	for (id = colon + 1; id != NULL; id = next) {
		if ((next = strchr(id, ',')) != NULL)
			*next++ = '\0';
		if (*id == '\0') {
			ctl_err(cmd, "--target '%s': an empty id", arg);
			goto out;
		}
		if (json_array_append_new(ids, json_string(id)) != 0)
			goto oom;
	}
	rc = 0;
	goto out;
oom:
	ctl_err(cmd, "out of memory");
out:
	free(copy);
	return (rc);
}

/* The object input_param of fields, created when missing. */
static json_t *
input_param(json_t *fields)
{
	json_t	*p = json_object_get(fields, "input_param");

	if (json_is_object(p))
		return (p);
	if ((p = json_object()) == NULL ||
	    json_object_set_new(fields, "input_param", p) != 0)
		return (NULL);
	return (p);
}

/* 1 when ch is a field flag (applied to fields), 0 when it is not, -1
 * after an error. */
static int
field_opt(const struct ctl_cmd *cmd, int ch, const char *arg,
    json_t *fields)
{
	json_error_t	 jerr;
	json_t		*v = NULL, *p;
	const char	*key = NULL, *eq;
	char		 when[15], date[11], time[9], *field;
	int		 rc;

	switch (ch) {
	case CTL_OPT_NAME:
		key = "task_name";
		break;
	case CTL_OPT_TYPE:
		key = "task_type";
		break;
	case CTL_OPT_ZONE:
		key = "time_zone";
		break;
	case CTL_OPT_DESCRIPTION:
		key = "description";
		break;
	case CTL_OPT_CRON:
		if (json_object_set_new(fields, "scheduled_type",
		    json_string("CRON")) != 0)
			goto oom;
		key = "task_cron";
		break;
	case CTL_OPT_AT:
		if (ctl_parse_when(arg, when) != 0) {
			ctl_err(cmd, "--at '%s': not 'YYYY-MM-DD HH:MM:SS'",
			    arg);
			return (-1);
		}
		snprintf(date, sizeof date, "%.4s-%.2s-%.2s", when, when + 4,
		    when + 6);
		snprintf(time, sizeof time, "%.2s:%.2s:%.2s", when + 8,
		    when + 10, when + 12);
		if (json_object_set_new(fields, "scheduled_type",
		    json_string("FIXED_TIME")) != 0 ||
		    json_object_set_new(fields, "scheduled_date",
		    json_string(date)) != 0 ||
		    json_object_set_new(fields, "scheduled_time",
		    json_string(time)) != 0)
			goto oom;
		return (1);
	case CTL_OPT_TARGET:
		return (add_target(cmd, arg, fields) == 0 ? 1 : -1);
	case CTL_OPT_PARAM:
		v = json_loads(arg, 0, &jerr);
		if (!json_is_object(v)) {
			ctl_err(cmd, "--param: not a JSON object%s%s",
			    v == NULL ? ": " : "", v == NULL ? jerr.text : "");
			json_decref(v);
			return (-1);
		}
		/* merged with --command, whichever comes first */
		if ((p = input_param(fields)) == NULL ||
		    json_object_update(p, v) != 0)
			goto oom;
		json_decref(v);
		return (1);
	case CTL_OPT_COMMAND:
		if ((p = input_param(fields)) == NULL ||
		    json_object_set_new(p, "command", json_string(arg)) != 0)
			goto oom;
		return (1);
	case CTL_OPT_ENABLE:
	case CTL_OPT_DISABLE:
		if (json_object_set_new(fields, "is_enable",
		    json_boolean(ch == CTL_OPT_ENABLE)) != 0)
			goto oom;
		return (1);
	case CTL_OPT_SET:
		if ((eq = strchr(arg, '=')) == NULL || eq == arg) {
			ctl_err(cmd, "--set '%s': not FIELD=VALUE", arg);
			return (-1);
		}
		/* VALUE as JSON when it is JSON, else as a string */
		if ((v = json_loads(eq + 1, JSON_DECODE_ANY, NULL)) == NULL &&
		    (v = json_string(eq + 1)) == NULL)
			goto oom;
		if ((field = strndup(arg, (size_t)(eq - arg))) == NULL) {
			json_decref(v);
			goto oom;
		}
		rc = json_object_set_new(fields, field, v);
		free(field);
		if (rc != 0)
			goto oom;
		return (1);
	default:
		return (0);
	}
	if ((v = json_string(arg)) == NULL ||
	    json_object_set_new(fields, key, v) != 0)
		goto oom;
	return (1);
oom:
	ctl_err(cmd, "out of memory");
	return (-1);
}

/* Every error of the core task loader on text, which must hold one task. */
static int
add_check(const struct ctl_cmd *cmd, const char *name, const json_t *body)
{
	struct task_set	 set = { NULL, 0 };
	struct errlist	 errs = ERRLIST_INIT;
	char		*text;
	int		 rc = 0;

	if ((text = json_dumps(body, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) ==
	    NULL) {
		ctl_err(cmd, "out of memory");
		return (-1);
	}
	if (task_text_load(name, text, strlen(text), &set, &errs) != 0) {
		errlist_print(&errs, stderr);
		rc = -1;
	}
	errlist_clear(&errs);
	task_set_free(&set);
	free(text);
	return (rc);
}

int
ctl_field_args(const struct ctl_cmd *cmd, int argc, char **argv,
    const char **project, int *json, int *dry, json_t *fields)
{
	static const struct option opts[] = {
		{ "project", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		CTL_FIELD_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	int	ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			*project = optarg;
			break;
		case 'j':
			*json = 1;
			break;
		case 'h':
			json_decref(fields);
			ctl_usage(cmd, CTL_EXIT_OK);
		case CTL_OPT_DRY_RUN:
			*dry = 1;
			break;
		default:
			if ((rc = field_opt(cmd, ch, optarg, fields)) < 0)
				return (-1);
			if (rc == 0) {
				json_decref(fields);
				ctl_usage(cmd, CTL_EXIT_USAGE);
			}
			break;
		}
	}
	return (0);
}

static int
add_exec(int argc, char **argv)
{
	const struct ctl_cmd	*cmd = &ctl_add_cmd;
	const char		*project = ctl_project, *file = NULL;
	const char		*params[PARAM_COUNT] = { NULL };
	struct task_set		 set = { NULL, 0 };
	struct errlist		 errs = ERRLIST_INIT;
	json_t			*fields, *body = NULL, *task;
	int			 json = ctl_json, dry = 0;
	int			 status = CTL_EXIT_USAGE;

	if ((fields = json_object()) == NULL) {
		ctl_err(cmd, "out of memory");
		return (CTL_EXIT_FAIL);
	}
	if (ctl_field_args(cmd, argc, argv, &project, &json, &dry,
	    fields) != 0)
		goto out;
	if (optind + 1 < argc) {
		ctl_err(cmd, "unexpected argument '%s'", argv[optind + 1]);
		goto out;
	}
	if (optind < argc)
		file = argv[optind];
	if (file == NULL && json_object_size(fields) == 0) {
		ctl_err(cmd, "a task file or field flags, please");
		goto out;
	}
	if (ctl_check_param(cmd, "--project", project) != 0)
		goto out;

	if (file != NULL) {
		/* positions of errors in the file itself */
		if (task_file_load(file, &set, &errs) != 0) {
			errlist_print(&errs, stderr);
			goto out;
		}
		if (set.count != 1) {
			ctl_err(cmd, "%s holds %zu tasks; give a file of one",
			    file, set.count);
			goto out;
		}
		if ((body = ctl_task_file_json(cmd, file)) == NULL)
			goto out;
		if (json_object_update(body, fields) != 0) {
			ctl_err(cmd, "out of memory");
			status = CTL_EXIT_FAIL;
			goto out;
		}
	} else {
		if (json_object_get(fields, "task_type") == NULL &&
		    json_object_get(fields, "input_param") != NULL &&
		    json_object_set_new(fields, "task_type",
		    json_string("EXECUTE_SCRIPT")) != 0) {
			ctl_err(cmd, "out of memory");
			status = CTL_EXIT_FAIL;
			goto out;
		}
		body = json_incref(fields);
	}
	if ((file == NULL || json_object_size(fields) > 0) &&
	    add_check(cmd, "arguments", body) != 0)
		goto out;

	if (dry) {
		status = ctl_print_json(body) == 0 ? CTL_EXIT_OK :
		    CTL_EXIT_FAIL;
		goto out;
	}
	params[PARAM_PROJECT_ID] = project;
	status = CTL_EXIT_FAIL;
	if ((task = ctl_request(cmd, ROUTE_TASK_CREATE, params, NULL,
	    body)) == NULL)
		goto out;
	if (ctl_show_task(task, json) != 0)
		ctl_err(cmd, "out of memory");
	else
		status = CTL_EXIT_OK;
	json_decref(task);
out:
	errlist_clear(&errs);
	task_set_free(&set);
	json_decref(body);
	json_decref(fields);
	return (status);
}
