/*
 * skedctl: the command-line client of skedd and an offline calculator.
 *
 *	skedctl [-s SOCKET] COMMAND [ARGS...]
 */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skedctl.h"

static const struct ctl_cmd *const ctl_table[] = {
	&ctl_list_cmd,
	&ctl_show_cmd,
	&ctl_run_cmd,
	&ctl_history_cmd,
	&ctl_reload_cmd,
	&ctl_status_cmd,
	&ctl_next_cmd,
};

const char	*ctl_socket;

#define NCMDS	(sizeof ctl_table / sizeof ctl_table[0])

static void	usage(FILE *, int) __attribute__((noreturn));

static void
usage(FILE *fp, int status)
{
	size_t	i;

	fprintf(fp, "usage: skedctl [-s SOCKET] COMMAND [ARGS...]\n\n"
	    "commands:\n");
	for (i = 0; i < NCMDS; i++)
		fprintf(fp, "  %-10s %s\n", ctl_table[i]->name,
		    ctl_table[i]->summary);
	fprintf(fp, "\nskedd's socket: -s SOCKET, else $SKED_SOCKET, else %s.\n"
	    "'skedctl COMMAND --help' describes a command.\n",
	    SKED_SOCKET_DEFAULT);
	exit(status);
}

void
ctl_usage(const struct ctl_cmd *cmd, int status)
{
	fprintf(status == 0 ? stdout : stderr, "usage: skedctl %s %s\n",
	    cmd->name, cmd->usage);
	exit(status);
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
	const struct ctl_cmd	*cmd = NULL;
	size_t			 i;
	int			 k, status;

	(void)setlocale(LC_CTYPE, "");	/* column widths of tables */
	k = global_options(argc, argv);
	if (k >= argc)
		usage(stderr, CTL_EXIT_USAGE);
	if (strcmp(argv[k], "help") == 0)
		usage(stdout, CTL_EXIT_OK);
	for (i = 0; i < NCMDS; i++)
		if (strcmp(argv[k], ctl_table[i]->name) == 0)
			cmd = ctl_table[i];
	if (cmd == NULL) {
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
