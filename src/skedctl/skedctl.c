/*
 * skedctl: the command-line client of skedd and an offline calculator.
 *
 *	skedctl [-s SOCKET] COMMAND [ARGS...]
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skedctl.h"

static const struct ctl_cmd *const ctl_table[] = {
	&ctl_next_cmd,
};

#define NCMDS	(sizeof ctl_table / sizeof ctl_table[0])

static void	usage(FILE *, int) __attribute__((noreturn));

static void
usage(FILE *fp, int status)
{
	size_t	i;

	fprintf(fp, "usage: skedctl COMMAND [ARGS...]\n\ncommands:\n");
	for (i = 0; i < NCMDS; i++)
		fprintf(fp, "  %-10s %s\n", ctl_table[i]->name,
		    ctl_table[i]->summary);
	fprintf(fp, "\n'skedctl COMMAND --help' describes a command.\n");
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

int
main(int argc, char **argv)
{
	size_t	i;

	if (argc < 2)
		usage(stderr, CTL_EXIT_USAGE);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0)
		usage(stdout, CTL_EXIT_OK);
	if (strcmp(argv[1], "--version") == 0) {
		printf("skedctl %s\n", PACKAGE_VERSION);
		return (CTL_EXIT_OK);
	}
	for (i = 0; i < NCMDS; i++)
		if (strcmp(argv[1], ctl_table[i]->name) == 0)
			return (ctl_table[i]->exec(argc - 1, argv + 1));
	fprintf(stderr, "skedctl: unknown command '%s'\n", argv[1]);
	usage(stderr, CTL_EXIT_USAGE);
}
