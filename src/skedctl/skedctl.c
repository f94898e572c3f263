/*
 * skedctl: the command-line client of skedd and an offline calculator.
 *
 *	skedctl [-s SOCKET] [-p PROJECT] [--json] COMMAND [ARGS...]
 *	skedctl help [COMMAND]
 */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdarg.h>
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skedctl.h"

static const struct ctl_cmd *const ctl_table[] = {
	&ctl_list_cmd,
	&ctl_show_cmd,
	&ctl_add_cmd,
	&ctl_edit_cmd,
	&ctl_rm_cmd,
	&ctl_enable_cmd,
	&ctl_disable_cmd,
	&ctl_run_cmd,
	&ctl_history_cmd,
	&ctl_plan_cmd,
	&ctl_cancel_cmd,
	&ctl_reschedule_cmd,
	&ctl_event_cmd,
	&ctl_approve_cmd,
	&ctl_reject_cmd,
	&ctl_reload_cmd,
	&ctl_status_cmd,
	&ctl_validate_cmd,
	&ctl_next_cmd,
};

const char	*ctl_socket;
const char	*ctl_project = CTL_PROJECT_DEFAULT;
int		 ctl_json;

#define NCMDS	(sizeof ctl_table / sizeof ctl_table[0])

static void	usage(FILE *, int) __attribute__((noreturn));

static void
usage(FILE *fp, int status)
{
	size_t	i;

	fprintf(fp, "usage: skedctl [-s SOCKET] [-p PROJECT] [--json] COMMAND "
	    "[ARGS...]\n\ncommands:\n");
	for (i = 0; i < NCMDS; i++)
		fprintf(fp, "  %-10s %s\n", ctl_table[i]->name,
		    ctl_table[i]->summary);
	fprintf(fp, "\nskedd's socket: -s SOCKET, else $SKED_SOCKET, else %s.\n"
	    "-p PROJECT (default %s) and --json apply to every command.\n"
	    "'skedctl help COMMAND' or 'skedctl COMMAND --help' describes a "
	    "command.\n", SKED_SOCKET_DEFAULT, CTL_PROJECT_DEFAULT);
	exit(status);
}

void
ctl_usage(const struct ctl_cmd *cmd, int status)
{
	fprintf(status == 0 ? stdout : stderr, "usage: skedctl %s %s\n",
	    cmd->name, cmd->usage);
	if (status == 0)
		printf("\n%s.\n", cmd->summary);
	exit(status);
}

const char *
ctl_operand(const struct ctl_cmd *cmd, int argc, char **argv,
    const char *what, const char *project)
{
	char	name[32];
	size_t	i;

	if (optind == argc) {
		ctl_err(cmd, "which %s?", what);
		ctl_usage(cmd, CTL_EXIT_USAGE);
	}
	if (optind + 1 != argc) {
		ctl_err(cmd, "unexpected argument '%s'", argv[optind + 1]);
		exit(CTL_EXIT_USAGE);
	}
	for (i = 0; what[i] != '\0' && i < sizeof name - 1; i++)
		name[i] = (char)toupper((unsigned char)what[i]);
	name[i] = '\0';
	if (ctl_check_param(cmd, "--project", project) != 0 ||
	    ctl_check_param(cmd, name, argv[optind]) != 0)
		exit(CTL_EXIT_USAGE);
	return (argv[optind]);
}

const char *
ctl_simple_args(const struct ctl_cmd *cmd, int argc, char **argv,
    const char *what, const char **project, int *json)
{
	static const struct option with_project[] = {
		{ "project", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct option	*opts = with_project;
	int			 ch;

	if (project == NULL)
		opts++;		/* the daemon's commands: no project */
	optind = 1;
	while ((ch = getopt_long(argc, argv, project != NULL ? "p:h" : "h",
	    opts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			*project = optarg;
			break;
		case 'j':
			*json = 1;
			break;
		case 'h':
			ctl_usage(cmd, CTL_EXIT_OK);
		default:
			ctl_usage(cmd, CTL_EXIT_USAGE);
		}
	}
	if (what != NULL)
		return (ctl_operand(cmd, argc, argv, what, *project));
	if (optind != argc) {
		ctl_err(cmd, "unexpected argument '%s'", argv[optind]);
		exit(CTL_EXIT_USAGE);
	}
	return (NULL);
}

void
ctl_err(const struct ctl_cmd *cmd, const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "skedctl %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const struct ctl_cmd *
find(const char *name)
{
	size_t	i;

	for (i = 0; i < NCMDS; i++)
		if (strcmp(name, ctl_table[i]->name) == 0)
			return (ctl_table[i]);
	return (NULL);
}

/*
 * The options before the command, parsed by hand: getopt_long would keep
 * its state (and the '+' of a stop-at-command optstring) into the
 * commands' own getopt_long loops.
 */
static int
global_options(int argc, char **argv)
{
	const char	*arg;
	int		 k;

	for (k = 1; k < argc && argv[k][0] == '-'; k++) {
		arg = argv[k];
		if (strcmp(arg, "--") == 0)
			return (k + 1);
		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)
			usage(stdout, CTL_EXIT_OK);
		if (strcmp(arg, "--version") == 0) {
			printf("skedctl %s\n", PACKAGE_VERSION);
			exit(CTL_EXIT_OK);
		}
		if (strcmp(arg, "--json") == 0) {
			ctl_json = 1;
			continue;
		}
		if (strcmp(arg, "-p") == 0 || strcmp(arg, "--project") == 0) {
			if (++k == argc) {
				fprintf(stderr, "skedctl: %s needs a project\n",
				    arg);
				usage(stderr, CTL_EXIT_USAGE);
			}
			ctl_project = argv[k];
			continue;
		}
		if (strncmp(arg, "--project=", 10) == 0) {
			ctl_project = arg + 10;
			continue;
		}
		if (strncmp(arg, "-p", 2) == 0) {
			ctl_project = arg + 2;
			continue;
		}
		if (strcmp(arg, "-s") == 0 || strcmp(arg, "--socket") == 0) {
			if (++k == argc) {
				fprintf(stderr, "skedctl: %s needs a path\n",
				    arg);
				usage(stderr, CTL_EXIT_USAGE);
			}
			ctl_socket = argv[k];
		} else if (strncmp(arg, "-s", 2) == 0)
			ctl_socket = arg + 2;
		else if (strncmp(arg, "--socket=", 9) == 0)
			ctl_socket = arg + 9;
		else {
			fprintf(stderr, "skedctl: unknown option '%s'\n", arg);
			usage(stderr, CTL_EXIT_USAGE);
		}
		if (*ctl_socket == '\0') {
			fprintf(stderr, "skedctl: -s: empty socket path\n");
			exit(CTL_EXIT_USAGE);
		}
	}
	return (k);
}

int
main(int argc, char **argv)
{
	const struct ctl_cmd	*cmd;
	int			 k, status;

	(void)setlocale(LC_CTYPE, "");	/* column widths of tables */
	k = global_options(argc, argv);
	if (k >= argc)
		usage(stderr, CTL_EXIT_USAGE);
	if (strcmp(argv[k], "help") == 0) {
		if (k + 1 == argc)
			usage(stdout, CTL_EXIT_OK);
		if ((cmd = find(argv[k + 1])) == NULL) {
			fprintf(stderr, "skedctl: unknown command '%s'\n",
			    argv[k + 1]);
			usage(stderr, CTL_EXIT_USAGE);
		}
		ctl_usage(cmd, CTL_EXIT_OK);
	}
	if ((cmd = find(argv[k])) == NULL) {
		fprintf(stderr, "skedctl: unknown command '%s'\n", argv[k]);
		usage(stderr, CTL_EXIT_USAGE);
	}
	status = cmd->exec(argc - k, argv + k);
	ctl_client_close();
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "skedctl: standard output: %s\n",
		    strerror(errno));
		status = CTL_EXIT_FAIL;
	}
	return (status);
}
