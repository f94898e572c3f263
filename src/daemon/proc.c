/*
 * Child processes on the default loop.  The parent never blocks: both pipe
 * ends it keeps are non-blocking and close-on-exec, stdin text is fed by an
 * ev_io writer, and every wait is a watcher (ev_child, ev_io, ev_timer).
 * The child runs in its own session, so that a timeout or a shutdown can
 * signal the whole process group, grandchildren included.
 */
#include <config.h>	/* <>: src/daemon/config.h is the daemon's config */

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "proc.h"

#define PROC_OF(w, m)	((struct proc *)((char *)(w) - offsetof(struct proc, m)))
#define READ_CHUNK	65536
#define READS_PER_CB	16	/* then let other watchers run */

extern char	**environ;

struct proc {
	ev_child	 child;
	ev_io		 out;		/* read end of the output pipe */
	ev_io		 in;		/* write end of the stdin pipe */
	ev_timer	 timeout;
	ev_timer	 grace;		/* SIGTERM sent: SIGKILL when it fires */
	ev_timer	 drain;		/* reaped: stop waiting for EOF; also
					   reports a spawn error a turn later */
	struct ev_loop	*loop;
	pid_t		 pid;		/* 0: never started */
	int		 reaped;
	int		 eof;
	int		 status;
	int		 timed_out;
	int		 cancelled;
	double		 timeout_s;
	double		 kill_grace;

	char		*in_buf;
	size_t		 in_len;
	size_t		 in_off;

	char		*ring;		/* the last limit bytes of output */
	size_t		 limit;
	unsigned long long total;

	char		 error[256];
	proc_done_cb	 done;
	void		*arg;
};

/* What the child needs to take on another user's identity. */
struct runas {
	const char	*name;
	uid_t		 uid;
	gid_t		 gid;
	const char	*home;
	gid_t		*groups;	/* supplementary, looked up early */
	int		 ngroups;
	int		 switch_ids;	/* only root may, and must */
};

static void	proc_finish(struct proc *);

static void	child_die(int, const char *, ...)
		    __attribute__((format(printf, 2, 3), noreturn));

/*
 * In the child, between fork and exec: stderr is already the pipe, so the
 * message lands in the job's output.  Exit 127 like a shell that could not
 * run the command.
 */
static void
child_die(int code, const char *fmt, ...)
{
	char	buf[512];
	va_list	ap;
	int	len;

	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (len > 0)
		(void)write(STDERR_FILENO, buf, (size_t)len < sizeof buf ?
		    (size_t)len : sizeof buf - 1);
	_exit(code);
}

static void
close_from(int lowfd)
{
	long	max, fd;

	if (close_range((unsigned)lowfd, ~0U, 0) == 0)
		return;
	/* Kernels before 5.9 have no close_range. */
	if ((max = sysconf(_SC_OPEN_MAX)) < 0)
		max = 1024;
	for (fd = lowfd; fd < max; fd++)
		(void)close((int)fd);
}

static void __attribute__((noreturn))
child_exec(const struct proc_spec *spec, char **envp, int in_fd, int out_fd,
    const struct runas *ra)
{
	struct sigaction	 sa;
	sigset_t		 none;
	const char		*dir;
	int			 sig, null_fd;

	/*
	 * The daemon's handlers (libev's among them) must not run here, and
	 * the program must start with the defaults a shell would give it.
	 * Dispositions first, while everything is still blocked.
	 */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);

	/*
	 * Lift both pipe ends above 2 first: when the daemon runs with a
	 * closed stdio, pipe2 may have handed out 0, 1 or 2.
	 */
	if ((out_fd = fcntl(out_fd, F_DUPFD, 3)) == -1 ||
	    dup2(out_fd, STDOUT_FILENO) == -1 ||
	    dup2(out_fd, STDERR_FILENO) == -1)
		_exit(127);
	if (in_fd == -1) {
		if ((null_fd = open("/dev/null", O_RDONLY)) == -1)
			child_die(127, "skedd: /dev/null: %s\n",
			    strerror(errno));
		in_fd = null_fd;
	}
	if ((in_fd = fcntl(in_fd, F_DUPFD, 3)) == -1 ||
	    dup2(in_fd, STDIN_FILENO) == -1)
		child_die(127, "skedd: stdin: %s\n", strerror(errno));
	close_from(3);

	/* Its own session and process group, so kill(-pid) reaches all. */
	if (setsid() == -1)
		child_die(127, "skedd: setsid: %s\n", strerror(errno));

	if (ra != NULL && ra->switch_ids) {
		if (setgroups((size_t)ra->ngroups, ra->groups) == -1)
			child_die(127, "skedd: setgroups %s: %s\n", ra->name,
			    strerror(errno));
		if (setgid(ra->gid) == -1)
			child_die(127, "skedd: setgid %lu: %s\n",
			    (unsigned long)ra->gid, strerror(errno));
		if (setuid(ra->uid) == -1)
			child_die(127, "skedd: setuid %lu: %s\n",
			    (unsigned long)ra->uid, strerror(errno));
	}

	if (spec->cwd != NULL) {
		if (chdir(spec->cwd) == -1)
			child_die(127, "skedd: cannot change to %s: %s\n",
			    spec->cwd, strerror(errno));
	} else if (ra != NULL) {
		/* As cron does: the user's home, "/" if it is missing. */
		dir = ra->home != NULL && *ra->home != '\0' ? ra->home : "/";
		if (chdir(dir) == -1)
			(void)chdir("/");
	}

	execve(spec->argv[0], (char *const *)spec->argv, envp);
	child_die(errno == ENOENT ? 127 : 126, "skedd: cannot execute %s: %s\n",
	    spec->argv[0], strerror(errno));
}

static size_t
env_name_len(const char *s)
{
	const char	*eq = strchr(s, '=');

	return (eq != NULL ? (size_t)(eq - s) : strlen(s));
}

/* What systemd hands skedd alone: a job must not talk to it as skedd. */
static int
daemon_only(const char *var)
{
	static const char *const names[] = { "NOTIFY_SOCKET", "WATCHDOG_PID",
		"WATCHDOG_USEC", "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES",
		NULL };
	size_t	i, len = env_name_len(var);

	for (i = 0; names[i] != NULL; i++)
		if (strlen(names[i]) == len && strncmp(var, names[i], len) == 0)
			return (1);
	return (0);
}

/*
 * The daemon's environment, then the run-as variables, then the caller's:
 * an entry is dropped when a later one sets the same name.  The strings
 * are borrowed; the array is the caller's to free.
 */
static char **
make_env(const char *const *runas, const char *const *extra)
{
	const char	**all, **out;
	size_t		  n = 0, i, j, k, len;

	for (i = 0; environ != NULL && environ[i] != NULL; i++)
		n++;
	for (i = 0; runas != NULL && runas[i] != NULL; i++)
		n++;
	for (i = 0; extra != NULL && extra[i] != NULL; i++)
		n++;
	if ((all = calloc(n + 1, sizeof *all)) == NULL ||
	    (out = calloc(n + 1, sizeof *out)) == NULL)
		abort();
	n = 0;
	for (i = 0; environ != NULL && environ[i] != NULL; i++)
		if (!daemon_only(environ[i]))
			all[n++] = environ[i];
	for (i = 0; runas != NULL && runas[i] != NULL; i++)
		all[n++] = runas[i];
	for (i = 0; extra != NULL && extra[i] != NULL; i++)
		all[n++] = extra[i];
	for (i = k = 0; i < n; i++) {
		len = env_name_len(all[i]);
		for (j = i + 1; j < n; j++)
			if (env_name_len(all[j]) == len &&
			    strncmp(all[i], all[j], len) == 0)
				break;
		if (j == n)
			out[k++] = all[i];
	}
	free(all);
	return ((char **)out);
}

static int
set_nonblock(int fd)
{
	int	flags;

	if ((flags = fcntl(fd, F_GETFL)) == -1)
		return (-1);
	return (fcntl(fd, F_SETFL, flags | O_NONBLOCK));
}

/*
 * Signal the job's process group.  Before the child is reaped its pid is
 * ours (at worst a zombie), so falling back to the pid alone is safe when
 * the child has not yet called setsid.
 */
static void
proc_signal(struct proc *p, int sig)
{
	if (p->pid <= 0)
		return;
	if (kill(-p->pid, sig) == -1 && errno == ESRCH && !p->reaped)
		(void)kill(p->pid, sig);
}

static void
tail_append(struct proc *p, const char *buf, size_t n)
{
	size_t	pos, first;

	if (p->limit == 0) {
		p->total += n;
		return;
	}
	if (n >= p->limit) {
		buf += n - p->limit;
		p->total += n - p->limit;
		n = p->limit;
	}
	pos = (size_t)(p->total % p->limit);
	first = p->limit - pos < n ? p->limit - pos : n;
	memcpy(p->ring + pos, buf, first);
	memcpy(p->ring, buf + first, n - first);
	p->total += n;
}

/* The ring, oldest byte first, as a string. */
static char *
tail_string(const struct proc *p, size_t *lenp)
{
	char	*s;
	size_t	 len, start;

	len = p->total < p->limit ? (size_t)p->total : p->limit;
	if ((s = malloc(len + 1)) == NULL)
		abort();
	if (len > 0) {
		start = p->total <= p->limit ? 0 :
		    (size_t)(p->total % p->limit);
		memcpy(s, p->ring + start, len - start);
		memcpy(s + len - start, p->ring, start);
	}
	s[len] = '\0';
	*lenp = len;
	return (s);
}

static void
close_in(struct proc *p)
{
	if (p->in.fd == -1)
		return;
	ev_io_stop(p->loop, &p->in);
	close(p->in.fd);
	ev_io_set(&p->in, -1, EV_WRITE);
	free(p->in_buf);
	p->in_buf = NULL;
}

static void
close_out(struct proc *p)
{
	if (p->out.fd == -1)
		return;
	ev_io_stop(p->loop, &p->out);
	close(p->out.fd);
	ev_io_set(&p->out, -1, EV_READ);
}

/*
 * write(2) on a pipe whose reader is gone raises SIGPIPE, which would kill
 * the daemon unless it ignores the signal.  Rather than depend on that,
 * block it for the call and consume the one the call raised.
 */
static ssize_t
write_nosigpipe(int fd, const void *buf, size_t len)
{
	static const struct timespec	 zero = { 0, 0 };
	sigset_t			 pipeset, old, pending;
	ssize_t				 n;
	int				 was_pending, saved;

	sigemptyset(&pipeset);
	sigaddset(&pipeset, SIGPIPE);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipeset, &old);
	n = write(fd, buf, len);
	saved = errno;
	if (n == -1 && saved == EPIPE && !was_pending)
		while (sigtimedwait(&pipeset, NULL, &zero) == -1 &&
		    errno == EINTR)
			;
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = saved;
	return (n);
}

static void
in_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct proc	*p = PROC_OF(w, in);
	ssize_t		 n;

	while (p->in_off < p->in_len) {
		n = write_nosigpipe(w->fd, p->in_buf + p->in_off,
		    p->in_len - p->in_off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n == -1)
			break;		/* EPIPE: it did not want it all */
		p->in_off += (size_t)n;
	}
	close_in(p);			/* EOF for the child */
}

static void
out_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct proc	*p = PROC_OF(w, out);
	char		 buf[READ_CHUNK];
	ssize_t		 n;
	int		 i;

	for (i = 0; i < READS_PER_CB; i++) {
		n = read(w->fd, buf, sizeof buf);
		if (n > 0) {
			tail_append(p, buf, (size_t)n);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		/* EOF, or an error that no retry will mend */
		close_out(p);
		p->eof = 1;
		if (p->reaped)
			proc_finish(p);
		return;
	}
}

static void
child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	struct proc	*p = PROC_OF(w, child);

	ev_child_stop(loop, w);
	p->reaped = 1;
	p->status = w->rstatus;
	/*
	 * It ended in time: no timeout for whatever it left behind.  A grace
	 * timer already running still finishes off the group.
	 */
	ev_timer_stop(loop, &p->timeout);
	close_in(p);
	if (p->eof) {
		proc_finish(p);
		return;
	}
	ev_timer_set(&p->drain, PROC_DRAIN_SECS, 0.);
	ev_timer_start(loop, &p->drain);
}

static void
start_grace(struct proc *p)
{
	if (ev_is_active(&p->grace))
		return;
	ev_timer_set(&p->grace, p->kill_grace > 0 ? p->kill_grace : 0., 0.);
	ev_timer_start(p->loop, &p->grace);
}

static void
timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct proc	*p = PROC_OF(w, timeout);

	p->timed_out = 1;
	proc_signal(p, SIGTERM);
	start_grace(p);
}

static void
grace_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	proc_signal(PROC_OF(w, grace), SIGKILL);
}

static void
drain_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	proc_finish(PROC_OF(w, drain));
}

static void
proc_stop_all(struct proc *p)
{
	if (p->pid > 0 && !p->reaped)
		ev_child_stop(p->loop, &p->child);
	ev_timer_stop(p->loop, &p->timeout);
	ev_timer_stop(p->loop, &p->grace);
	ev_timer_stop(p->loop, &p->drain);
	close_in(p);
	close_out(p);
}

static void
proc_free(struct proc *p)
{
	free(p->ring);
	free(p);
}

static void
proc_finish(struct proc *p)
{
	struct proc_result	 r;
	char			*out = NULL;

	proc_stop_all(p);
	memset(&r, 0, sizeof r);
	r.timeout = p->timeout_s;
	r.cancelled = p->cancelled;
	if (p->error[0] != '\0')
		r.error = p->error;
	else {
		r.status = p->status;
		r.timed_out = p->timed_out;
		out = tail_string(p, &r.output_len);
		r.output = out;
		r.output_total = p->total;
	}
	p->done(p->arg, &r);
	free(out);
	proc_free(p);
}

static void	proc_fail(struct proc *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* Report a spawn failure from the loop, never from inside proc_spawn. */
static void
proc_fail(struct proc *p, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(p->error, sizeof p->error, fmt, ap);
	va_end(ap);
	ev_timer_set(&p->drain, 0., 0.);
	ev_timer_start(p->loop, &p->drain);
}

/* Apart, so that no variable of the caller lives across the vfork. */
static pid_t
vfork_exec(const struct proc_spec *spec, char **envp, int in_fd, int out_fd,
    const struct runas *ra)
{
	pid_t	pid;

	if ((pid = vfork()) == 0)
		child_exec(spec, envp, in_fd, out_fd, ra);
	return (pid);
}

/*
 * The supplementary groups, as initgroups(3) would set them: looked up
 * here because the child, sharing our memory until exec, must not call
 * into NSS or malloc.
 */
static int
runas_groups(struct proc *p, const struct passwd *pw, struct runas *ra)
{
	int	n = 16;

	for (;;) {
		if ((ra->groups = reallocarray(ra->groups, (size_t)n,
		    sizeof *ra->groups)) == NULL)
			abort();
		ra->ngroups = n;
		if (getgrouplist(pw->pw_name, pw->pw_gid, ra->groups,
		    &ra->ngroups) != -1)
			return (0);
		if (ra->ngroups <= n) {
			free(ra->groups);
			ra->groups = NULL;
			proc_fail(p, "cannot run as user '%s': cannot list "
			    "its groups", pw->pw_name);
			return (-1);
		}
		n = ra->ngroups;
	}
}

/* Look the user up in the parent, where a failure has a clear reason. */
static int
runas_lookup(struct proc *p, const char *user, struct runas *ra,
    struct proc_strv *vars)
{
	struct passwd	*pw;

	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		proc_fail(p, "cannot run as user '%s': %s", user, errno != 0 &&
		    errno != ENOENT && errno != ESRCH ? strerror(errno) :
		    "no such user");
		return (-1);
	}
	if (geteuid() != 0 && pw->pw_uid != geteuid()) {
		proc_fail(p, "cannot run as user '%s': skedd is not running "
		    "as root", user);
		return (-1);
	}
	proc_strv_addf(vars, "HOME=%s", pw->pw_dir);
	proc_strv_addf(vars, "USER=%s", pw->pw_name);
	proc_strv_addf(vars, "LOGNAME=%s", pw->pw_name);
	ra->name = user;
	ra->uid = pw->pw_uid;
	ra->gid = pw->pw_gid;
	ra->home = vars->v[0] + strlen("HOME=");
	ra->switch_ids = geteuid() == 0;
	if (ra->switch_ids && runas_groups(p, pw, ra) == -1)
		return (-1);
	return (0);
}

struct proc *
proc_spawn(struct ev_loop *loop, const struct proc_spec *spec,
    proc_done_cb done, void *arg)
{
	struct proc		*p;
	struct proc_strv	 vars = { NULL, 0, 0 };
	struct runas		 ra, *rap = NULL;
	sigset_t		 all, old;
	char			**envp;
	int			 outp[2] = { -1, -1 }, inp[2] = { -1, -1 };
	pid_t			 pid;

	if ((p = calloc(1, sizeof *p)) == NULL)
		abort();
	p->loop = loop;
	p->done = done;
	p->arg = arg;
	p->timeout_s = spec->timeout;
	p->kill_grace = spec->kill_grace;
	p->limit = spec->output_limit;
	if (p->limit > 0 && (p->ring = malloc(p->limit)) == NULL)
		abort();
	ev_child_init(&p->child, child_cb, 0, 0);
	ev_io_init(&p->out, out_cb, -1, EV_READ);
	ev_io_init(&p->in, in_cb, -1, EV_WRITE);
	ev_timer_init(&p->timeout, timeout_cb, 0., 0.);
	ev_timer_init(&p->grace, grace_cb, 0., 0.);
	ev_timer_init(&p->drain, drain_cb, 0., 0.);

	if (!ev_is_default_loop(loop)) {
		/* libev reaps children on the default loop only. */
		proc_fail(p, "cannot run %s: not libev's default loop",
		    spec->argv[0]);
		return (p);
	}
	if (spec->user != NULL) {
		memset(&ra, 0, sizeof ra);
		if (runas_lookup(p, spec->user, &ra, &vars) == -1)
			goto fail;
		rap = &ra;
	}
	if (pipe2(outp, O_CLOEXEC) == -1 ||
	    (spec->stdin_text != NULL && pipe2(inp, O_CLOEXEC) == -1) ||
	    set_nonblock(outp[0]) == -1 ||
	    (inp[1] != -1 && set_nonblock(inp[1]) == -1)) {
		proc_fail(p, "cannot run %s: pipe: %s", spec->argv[0],
		    strerror(errno));
		goto fail;
	}
	envp = make_env((const char *const *)vars.v, spec->env);

	/*
	 * vfork, not fork: at a million tasks the daemon's page tables alone
	 * take a fork milliseconds to copy, at every fire.  The child borrows
	 * our memory until execve, so it only makes system calls on what was
	 * prepared above.  Every signal is blocked across it: a handler that
	 * ran in the child before the reset would act for the daemon (libev's
	 * writes to the loop's own wake-up pipe).
	 */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	if ((pid = vfork_exec(spec, envp, inp[0], outp[1], rap)) == -1) {
		proc_fail(p, "cannot run %s: vfork: %s", spec->argv[0],
		    strerror(errno));
		sigprocmask(SIG_SETMASK, &old, NULL);
		free(envp);
		goto fail;
	}
	p->pid = pid;
	ev_child_set(&p->child, pid, 0);
	ev_child_start(loop, &p->child);
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(envp);
	proc_strv_free(&vars);
	if (rap != NULL)
		free(rap->groups);

	close(outp[1]);
	ev_io_set(&p->out, outp[0], EV_READ);
	ev_io_start(loop, &p->out);
	if (inp[0] != -1) {
		close(inp[0]);
		if ((p->in_buf = malloc(spec->stdin_len + 1)) == NULL)
			abort();
		memcpy(p->in_buf, spec->stdin_text, spec->stdin_len);
		p->in_len = spec->stdin_len;
		ev_io_set(&p->in, inp[1], EV_WRITE);
		ev_io_start(loop, &p->in);
	}
	if (spec->timeout > 0) {
		ev_timer_set(&p->timeout, spec->timeout, 0.);
		ev_timer_start(loop, &p->timeout);
	}
	return (p);

fail:
	proc_strv_free(&vars);
	if (rap != NULL)
		free(rap->groups);
	if (outp[0] != -1) {
		close(outp[0]);
		close(outp[1]);
	}
	if (inp[0] != -1) {
		close(inp[0]);
		close(inp[1]);
	}
	return (p);
}

void
proc_kill(struct proc *p, int hard)
{
	if (p->pid <= 0)
		return;			/* never ran; done() is coming */
	p->cancelled = 1;
	if (p->reaped) {
		/* Only draining: a hard stop does not wait for EOF either. */
		if (hard) {
			ev_timer_stop(p->loop, &p->drain);
			ev_timer_set(&p->drain, 0., 0.);
			ev_timer_start(p->loop, &p->drain);
		}
		return;
	}
	if (hard) {
		proc_signal(p, SIGKILL);
		return;
	}
	proc_signal(p, SIGTERM);
	start_grace(p);
}

void
proc_abandon(struct proc *p)
{
	/* libev's SIGCHLD handler reaps the zombie later. */
	if (p->pid > 0 && !p->reaped)
		proc_signal(p, SIGKILL);
	proc_stop_all(p);
	proc_free(p);
}

static const struct {
	int		 sig;
	const char	*name;
} signames[] = {
	{ SIGHUP, "SIGHUP" }, { SIGINT, "SIGINT" }, { SIGQUIT, "SIGQUIT" },
	{ SIGILL, "SIGILL" }, { SIGTRAP, "SIGTRAP" }, { SIGABRT, "SIGABRT" },
	{ SIGBUS, "SIGBUS" }, { SIGFPE, "SIGFPE" }, { SIGKILL, "SIGKILL" },
	{ SIGUSR1, "SIGUSR1" }, { SIGSEGV, "SIGSEGV" }, { SIGUSR2, "SIGUSR2" },
	{ SIGPIPE, "SIGPIPE" }, { SIGALRM, "SIGALRM" }, { SIGTERM, "SIGTERM" },
	{ SIGCHLD, "SIGCHLD" }, { SIGCONT, "SIGCONT" }, { SIGSTOP, "SIGSTOP" },
	{ SIGTSTP, "SIGTSTP" }, { SIGTTIN, "SIGTTIN" }, { SIGTTOU, "SIGTTOU" },
	{ SIGURG, "SIGURG" }, { SIGXCPU, "SIGXCPU" }, { SIGXFSZ, "SIGXFSZ" },
	{ SIGVTALRM, "SIGVTALRM" }, { SIGPROF, "SIGPROF" },
	{ SIGWINCH, "SIGWINCH" }, { SIGIO, "SIGIO" }, { SIGSYS, "SIGSYS" },
};

const char *
proc_reason(const struct proc_result *r, char *buf, size_t len)
{
	const char	*pfx = r->cancelled ? "cancelled: " : "";
	const char	*name = NULL;
	size_t		 i;
	int		 sig;

	if (r->error != NULL)
		snprintf(buf, len, "%s", r->error);
	else if (r->timed_out)
		snprintf(buf, len, "timed out after %g s", r->timeout);
	else if (WIFEXITED(r->status)) {
		if (WEXITSTATUS(r->status) == 0)
			return (NULL);
		snprintf(buf, len, "%sexit status %d", pfx,
		    WEXITSTATUS(r->status));
	} else if (WIFSIGNALED(r->status)) {
		sig = WTERMSIG(r->status);
		for (i = 0; i < sizeof signames / sizeof signames[0]; i++)
			if (signames[i].sig == sig)
				name = signames[i].name;
		if (name != NULL)
			snprintf(buf, len, "%skilled by signal %d (%s)", pfx,
			    sig, name);
		else
			snprintf(buf, len, "%skilled by signal %d", pfx, sig);
	} else
		snprintf(buf, len, "%swait status %#x", pfx, r->status);
	return (buf);
}

int
proc_exit_code(const struct proc_result *r)
{
	if (r->error != NULL || r->timed_out || !WIFEXITED(r->status))
		return (-1);
	return (WEXITSTATUS(r->status));
}

void
proc_strv_add(struct proc_strv *sv, const char *s)
{
	char	**v;

	if (sv->n + 2 > sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 16;
		if ((v = reallocarray(sv->v, sv->cap, sizeof *v)) == NULL)
			abort();
		sv->v = v;
	}
	if ((sv->v[sv->n] = strdup(s)) == NULL)
		abort();
	sv->v[++sv->n] = NULL;
}

void
proc_strv_addf(struct proc_strv *sv, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		abort();
	va_end(ap);
	proc_strv_add(sv, s);
	free(s);
}

void
proc_strv_free(struct proc_strv *sv)
{
	size_t	i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}
