/*
 * skedctl: one table of commands (skedctl.c), one file per command
 * (ctl-<verb>.c), each exporting a struct ctl_cmd.
 */
#ifndef SKEDCTL_H
#define SKEDCTL_H

/* Exit statuses shared by every command. */
#define CTL_EXIT_OK	0
#define CTL_EXIT_FAIL	1	/* the operation failed */
#define CTL_EXIT_USAGE	2	/* bad arguments or input */

struct ctl_cmd {
	const char	*name;
	const char	*usage;		/* arguments, after the name */
	const char	*summary;	/* one line for the command list */
	int		(*exec)(int argc, char **argv);
};

extern const struct ctl_cmd ctl_next_cmd;

void	ctl_usage(const struct ctl_cmd *, int status) __attribute__((noreturn));
void	ctl_err(const struct ctl_cmd *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
