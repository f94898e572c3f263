/*
 * The control API: HTTP/1.1 + JSON on the control socket (SPEC section
 * 5), served by libmicrohttpd in external-select mode: its epoll fd is one
 * ev_io in skedd's loop, its timeout one ev_timer.  Routes come from the
 * shared table in proto.h.
 */
#ifndef SKED_API_H
#define SKED_API_H

struct daemon;
struct errlist;

/* listen_fd: a socket from systemd, or -1 to bind cfg.socket. */
int	api_start(struct daemon *, int listen_fd, struct errlist *);
void	api_stop(struct daemon *);

#endif
