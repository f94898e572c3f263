/*
 * skedctl enable: PATCH a task with {"is_enable": true}.
 *
 *	skedctl enable [-p PROJECT] [--json] TASK
 *
 * Prints "enabled NAME", or the task with --json.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>

#include "skedctl.h"

static int	enable_exec(int, char **);

const struct ctl_cmd ctl_enable_cmd = {
	.name = "enable",
	.usage = "[-p PROJECT] [--json] TASK",
	.summary = "let a task fire again",
	.exec = enable_exec,
};

static const struct option enable_opts[] = {
	{ "project", required_argument, NULL, 'p' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int
enable_exec(int argc, char **argv)
{
	const struct ctl_cmd	*cmd = &ctl_enable_cmd;
	const char		*project = ctl_project;
	json_t			*body;
	int			 ch, json = ctl_json, status;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "p:h", enable_opts, NULL)) != -1) {
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
	if (optind == argc) {
		ctl_err(cmd, "which task?");
		ctl_usage(cmd, CTL_EXIT_USAGE);
	}
	if (optind + 1 != argc) {
		ctl_err(cmd, "unexpected argument '%s'", argv[optind + 1]);
		return (CTL_EXIT_USAGE);
	}
	if ((body = json_pack("{s:b}", "is_enable", 1)) == NULL) {
		ctl_err(cmd, "out of memory");
		return (CTL_EXIT_FAIL);
	}
	status = ctl_patch_task(cmd, project, argv[optind], body, json,
	    "enabled");
	json_decref(body);
	return (status);
}
