/*
 * proc.c for fuzz harnesses: no child process is ever started.  A fuzzed
 * task's command must not run on the machine, so proc_spawn reports every
 * job as failing to start ("no processes under fuzzing"), through done()
 * from the next loop iteration as the real one reports a spawn failure.
 * The rest of proc.c (string vectors, reasons, exit codes) is the real
 * one, its spawn, kill and abandon renamed out of the way.
 */
#define proc_spawn	proc_spawn_unused
#define proc_kill	proc_kill_unused
#define proc_abandon	proc_abandon_unused
#include "daemon/proc.c"
#undef proc_spawn
#undef proc_kill
#undef proc_abandon

struct proc	*proc_spawn(struct ev_loop *, const struct proc_spec *,
		    proc_done_cb, void *);
void		 proc_kill(struct proc *, int);
void		 proc_abandon(struct proc *);

struct fuzz_proc {
	ev_timer	 now;
	struct ev_loop	*loop;
	proc_done_cb	 done;
	void		*arg;
	int		 cancelled;
};

static void
fuzz_proc_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct fuzz_proc	*p = (struct fuzz_proc *)(void *)w;
	struct proc_result	 r;

	memset(&r, 0, sizeof r);
	r.error = "no processes under fuzzing";
	r.cancelled = p->cancelled;
	ev_timer_stop(loop, w);
	p->done(p->arg, &r);
	free(p);
}

struct proc *
proc_spawn(struct ev_loop *loop, const struct proc_spec *spec,
    proc_done_cb done, void *arg)
{
	struct fuzz_proc	*p;

	if ((p = calloc(1, sizeof *p)) == NULL)
		abort();
	p->loop = loop;
	p->done = done;
	p->arg = arg;
	ev_timer_init(&p->now, fuzz_proc_cb, 0., 0.);
	ev_timer_start(loop, &p->now);
	return ((struct proc *)(void *)p);
}

void
proc_kill(struct proc *proc, int hard)
{
	((struct fuzz_proc *)(void *)proc)->cancelled = 1;
}

void
proc_abandon(struct proc *proc)
{
	struct fuzz_proc	*p = (struct fuzz_proc *)(void *)proc;

	ev_timer_stop(p->loop, &p->now);
	free(p);
}
