/*
 * skedctl event: report a life-cycle event of a target
 * (POST /v1/{project_id}/events); the LIFE_CYCLE tasks of that type and
 * target run wait_time seconds later.
 *
 *	skedctl event [-p PROJECT] [--json] LIFE_CYCLE_TYPE TARGET_TYPE
 *	    TARGET_ID
 *
 * Prints the ids of the executions it scheduled, one per line.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>

#include "skedctl.h"

static int	event_exec(int, char **);

const struct ctl_cmd ctl_event_cmd = {
	.name = "event",
	.usage = "[-p PROJECT] [--json] LIFE_CYCLE_TYPE TARGET_TYPE TARGET_ID",
	.summary = "report a life-cycle event of a target",
	.exec = event_exec,
};

static const struct option event_opts[] = {
	{ "project", required_argument, NULL, 'p' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int
event_exec(int argc, char **argv)
{
	const struct ctl_cmd	*cmd = &ctl_event_cmd;
	const char		*params[PARAM_COUNT] = { NULL };
	const char		*project = ctl_project;
	const json_t		*id;
	json_t			*body, *reply;
	size_t			 i;
	int			 ch, json = ctl_json, status = CTL_EXIT_OK;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "p:h", event_opts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			project = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			ctl_usage(cmd, CTL_EXIT_OK);
		default:
			ctl_usage(cmd, CTL_EXIT_USAGE);
		}
	}
	if (argc - optind < 3) {
		ctl_err(cmd, "%s", argc - optind == 0 ?
		    "which life-cycle type?" : argc - optind == 1 ?
		    "which target type?" : "which target id?");
		ctl_usage(cmd, CTL_EXIT_USAGE);
	}
	if (argc - optind > 3) {
		ctl_err(cmd, "unexpected argument '%s'", argv[optind + 3]);
		return (CTL_EXIT_USAGE);
	}
	if (ctl_check_param(cmd, "--project", project) != 0)
		return (CTL_EXIT_USAGE);
	for (i = 0; i < 3; i++)
		if (argv[optind + i][0] == '\0') {
			ctl_err(cmd, "an empty argument");
			return (CTL_EXIT_USAGE);
		}
	if ((body = json_pack("{s:s,s:s,s:s}", "life_cycle_type",
	    argv[optind], "target_type", argv[optind + 1], "target_id",
	    argv[optind + 2])) == NULL) {
		ctl_err(cmd, "out of memory");
		return (CTL_EXIT_FAIL);
	}
	params[PARAM_PROJECT_ID] = project;
	reply = ctl_request(cmd, ROUTE_EVENT, params, NULL, body);
	json_decref(body);
	if (reply == NULL)
		return (CTL_EXIT_FAIL);
	if (json) {
		if (ctl_print_json(reply) != 0)
			status = CTL_EXIT_FAIL;
	} else
		json_array_foreach(json_object_get(reply, "execution_ids"), i,
		    id)
			if (json_is_string(id))
				puts(json_string_value(id));
	json_decref(reply);
	return (status);
}
