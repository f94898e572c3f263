/*
 * Child processes on libev's default loop (ev_child works nowhere else):
 * spawn a program with its output (stdout and stderr, one pipe) captured as
 * a bounded tail, optional stdin text, a timeout that sends SIGTERM and then
 * SIGKILL to the process group, and a callback when it is over.
 *
 * A process is over when it has been reaped and its pipe has reached EOF,
 * in either order.  A background process that keeps the pipe open after the
 * child exited is not waited for beyond PROC_DRAIN_SECS: the output read by
 * then is reported and the leftover process is left alone (it was started
 * on purpose, like "nohup x &" in a crontab; it gets EPIPE if it writes).
 */
#ifndef SKED_PROC_H
#define SKED_PROC_H

#include <stddef.h>

#define PROC_DRAIN_SECS	2.0

struct ev_loop;
struct proc;

struct proc_spec {
	const char *const *argv;	/* argv[0] is the file run (no PATH
					   search; relative to cwd) */
	const char *const *env;		/* "NAME=value", NULL-terminated, added
					   to the daemon's environment, later
					   ones winning; may be NULL */
	const char	*cwd;		/* NULL: the daemon's, or the user's
					   home directory when user is set */
	const char	*user;		/* run as; NULL: as skedd */
	const char	*stdin_text;	/* NULL: stdin is /dev/null */
	size_t		 stdin_len;
	double		 timeout;	/* seconds; <= 0: none */
	double		 kill_grace;	/* seconds from SIGTERM to SIGKILL */
	size_t		 output_limit;	/* bytes of output tail kept */
};

struct proc_result {
	const char	*error;		/* it never ran: why; else NULL */
	int		 status;	/* wait status, when error is NULL */
	int		 timed_out;
	int		 cancelled;	/* proc_kill was called */
	double		 timeout;	/* as given, for the reason */
	const char	*output;	/* tail, NUL-terminated; NULL with
					   error */
	size_t		 output_len;
	unsigned long long output_total; /* bytes the process wrote */
};

/* Called once, from the loop; the result is valid during the call only. */
typedef void	(*proc_done_cb)(void *arg, const struct proc_result *);

/*
 * Start a process.  Always returns a handle, valid until done() returns;
 * a spawn failure is reported through done() too, from the next loop
 * iteration, never from within proc_spawn.
 */
struct proc	*proc_spawn(struct ev_loop *, const struct proc_spec *,
		    proc_done_cb done, void *arg);
/* Stop it: hard = 0: SIGTERM, SIGKILL after the grace; hard = 1: SIGKILL. */
void		 proc_kill(struct proc *, int hard);
/* SIGKILL it and forget it without calling done(): for teardown only. */
void		 proc_abandon(struct proc *);

/* The reason a finished process failed, or NULL when it exited 0. */
const char	*proc_reason(const struct proc_result *, char *, size_t);
/* Its exit status, or -1 after a signal, a timeout or a spawn failure. */
int		 proc_exit_code(const struct proc_result *);

/* A growable NULL-terminated string vector, for argv and environment. */
struct proc_strv {
	char	**v;
	size_t	  n;
	size_t	  cap;
};

void	 proc_strv_add(struct proc_strv *, const char *);
void	 proc_strv_addf(struct proc_strv *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 proc_strv_free(struct proc_strv *);

#endif
