/*
 * skedd inside a fuzz harness: skedd.c is compiled with its main()
 * renamed (fuzz-daemon.c), and these start and stop a daemon the way
 * main() does, without daemonizing, signals or ev_run.
 */
#ifndef SKED_FUZZ_DAEMON_H
#define SKED_FUZZ_DAEMON_H

struct daemon;

/* 0, or -1 with the errors logged.  d must be zeroed. */
int	fuzz_daemon_start(struct daemon *, const char *config_path);
void	fuzz_daemon_stop(struct daemon *);

#endif
