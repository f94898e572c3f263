/*
 * Who is calling the control API, and which projects they may use.  Over
 * the unix socket the peer's credentials (SO_PEERCRED) are read once per
 * connection; over TCP every request carries an X-Auth-Token, checked
 * against the SHA-256 digests of sked.yaml's tokens.
 */
#ifndef SKED_AUTH_H
#define SKED_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct caller;
struct config;
struct config_token;

/* A unix-socket peer: its credentials and the names it is known by. */
struct auth_peer {
	uid_t	  uid;
	gid_t	  gid;
	char	 *user;		/* NULL: the uid has no passwd entry */
	char	**groups;	/* primary and supplementary group names */
	size_t	  ngroups;
};

/*
 * The peer of a connected unix socket, or NULL (and the reason in errbuf)
 * when the kernel does not say who it is.
 */
struct auth_peer	*auth_peer_new(int fd, char *errbuf, size_t errlen);
void			 auth_peer_free(struct auth_peer *);

/* Fill c from a unix peer under cfg (admin_group may change at reload). */
void	auth_caller_peer(const struct config *, const struct auth_peer *,
	    struct caller *c);
/*
 * Fill c from a presented token: 0, or -1 when it matches none of cfg's
 * tokens.  Every token is compared, in constant time.
 */
int	auth_caller_token(const struct config *, const char *token,
	    struct caller *c);
/*
 * May c use project?  0 yes, 401 no identity, 403 identified but not
 * allowed; why holds a message naming caller and project.
 */
int	auth_check(const struct config *, const struct caller *c,
	    const char *project, char *why, size_t whylen);
/* A caller's name for messages: "user alice (uid 1000)", "token ci". */
void	auth_describe(const struct caller *c, char *buf, size_t len);

#endif
