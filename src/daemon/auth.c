/*
 * Authorization of the control API.  The identity is established once per
 * unix connection (credentials cannot change under an open socket) or per
 * request over TCP (each request carries its token); the decision is taken
 * per request against the running configuration, so a reload that changes
 * projects, tokens or admin_group applies to open connections too.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "auth.h"
#include "conf.h"
#include "routes.h"
#include "skedd.h"

static char *
dupstr(const char *s)
{
	char	*p = strdup(s);

	if (p == NULL)
		abort();
	return (p);
}

/*
 * getgrgid_r and getpwuid_r with a buffer that grows on ERANGE: a group
 * with many members must not silently drop out (that would deny access).
 */
static void *
nss_buf(size_t *len)
{
	void	*p;

	*len = *len == 0 ? 4096 : *len * 2;
	if ((p = malloc(*len)) == NULL)
		abort();
	return (p);
}

static void
add_group(struct auth_peer *p, gid_t gid)
{
	struct group	 gr, *res = NULL;
	char		*buf = NULL;
	size_t		 len = 0, i;
	int		 rc;

	do {
		free(buf);
		buf = nss_buf(&len);
		rc = getgrgid_r(gid, &gr, buf, len, &res);
	} while (rc == ERANGE && len < (1 << 24));
	if (rc != 0 || res == NULL)
		goto out;	/* a gid without a name: nothing can list it */
	for (i = 0; i < p->ngroups; i++)
		if (strcmp(p->groups[i], gr.gr_name) == 0)
			goto out;
	p->groups = reallocarray(p->groups, p->ngroups + 1,
	    sizeof *p->groups);
	if (p->groups == NULL)
		abort();
	p->groups[p->ngroups++] = dupstr(gr.gr_name);
out:
	free(buf);
}

struct auth_peer *
auth_peer_new(int fd, char *errbuf, size_t errlen)
{
	struct auth_peer	*p;
	struct ucred		 cred;
	socklen_t		 len = sizeof cred;
	struct passwd		 pw, *res = NULL;
	char			*buf = NULL;
	size_t			 len2 = 0;	/* of buf */
	gid_t			 gids[256];
	int			 n = 256, i, rc;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
	    len != sizeof cred) {
		snprintf(errbuf, errlen, "SO_PEERCRED: %s", strerror(errno));
		return (NULL);
	}
	if ((p = calloc(1, sizeof *p)) == NULL)
		abort();
	p->uid = cred.uid;
	p->gid = cred.gid;
	add_group(p, cred.gid);
	do {
		free(buf);
		buf = nss_buf(&len2);
		rc = getpwuid_r(cred.uid, &pw, buf, len2, &res);
	} while (rc == ERANGE && len2 < (1 << 24));
	if (rc == 0 && res != NULL) {
		p->user = dupstr(pw.pw_name);
		/*
		 * The user's groups from the group database, as login would
		 * give them: the peer's own supplementary groups are not
		 * available from SO_PEERCRED.
		 */
		if (getgrouplist(pw.pw_name, cred.gid, gids, &n) < 0)
			n = 256;	/* the first 256 are still filled */
		for (i = 0; i < n; i++)
			add_group(p, gids[i]);
	}
	free(buf);
	return (p);
}

void
auth_peer_free(struct auth_peer *p)
{
	size_t	i;

	if (p == NULL)
		return;
	for (i = 0; i < p->ngroups; i++)
		free(p->groups[i]);
	free(p->groups);
	free(p->user);
	free(p);
}

static bool
peer_in_group(const struct auth_peer *p, const char *group)
{
	size_t	i;

	for (i = 0; i < p->ngroups; i++)
		if (strcmp(p->groups[i], group) == 0)
			return (true);
	return (false);
}

void
auth_caller_peer(const struct config *cfg, const struct auth_peer *p,
    struct caller *c)
{
	memset(c, 0, sizeof *c);
	c->known = true;
	c->uid = p->uid;
	c->gid = p->gid;
	c->peer = p;
	/*
	 * The user skedd runs as owns the store and could change it anyway,
	 * so it is an administrator like root.
	 */
	c->admin = p->uid == 0 || p->uid == geteuid() ||
	    (cfg->admin_group != NULL && peer_in_group(p, cfg->admin_group));
}

static void
hex(const unsigned char *in, size_t len, char *out)
{
	static const char	digits[] = "0123456789abcdef";
	size_t			i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

int
auth_caller_token(const struct config *cfg, const char *token,
    struct caller *c)
{
	unsigned char			 md[EVP_MAX_MD_SIZE];
	unsigned int			 mdlen = 0;
	char				 digest[2 * EVP_MAX_MD_SIZE + 1];
	const struct config_token	*found = NULL;
	size_t				 i, j;

	memset(c, 0, sizeof *c);
	if (token == NULL || token[0] == '\0')
		return (-1);
	if (EVP_Digest(token, strlen(token), md, &mdlen, EVP_sha256(), NULL)
	    != 1 || mdlen != 32)
		return (-1);
	hex(md, mdlen, digest);
	/* no early exit: the time taken says nothing about which matched */
	for (i = 0; i < cfg->ntokens; i++)
		if (CRYPTO_memcmp(digest, cfg->tokens[i].sha256, 64) == 0)
			found = &cfg->tokens[i];
	if (found == NULL)
		return (-1);
	c->known = true;
	c->tok = found;
	c->token = found->name;
	c->uid = (uid_t)-1;
	c->gid = (gid_t)-1;
	for (j = 0; j < found->nprojects; j++)
		if (strcmp(found->projects[j], "*") == 0)
			c->admin = true;
	return (0);
}

void
auth_describe(const struct caller *c, char *buf, size_t len)
{
	if (c->tok != NULL)
		snprintf(buf, len, "token %s", c->tok->name);
	else if (c->peer != NULL && c->peer->user != NULL)
		snprintf(buf, len, "user %s (uid %u)", c->peer->user,
		    (unsigned)c->uid);
	else if (c->known)
		snprintf(buf, len, "uid %u", (unsigned)c->uid);
	else
		snprintf(buf, len, "an unidentified caller");
}

int
auth_check(const struct config *cfg, const struct caller *c,
    const char *project, char *why, size_t whylen)
{
	const struct config_project	*pr = NULL;
	char				 who[256];
	size_t				 i;

	if (!c->known) {
		snprintf(why, whylen, "project %s: the caller is not "
		    "identified", project);
		return (401);
	}
	if (c->admin)
		return (0);
	if (c->tok != NULL) {
		for (i = 0; i < c->tok->nprojects; i++)
			if (strcmp(c->tok->projects[i], project) == 0)
				return (0);
	} else if (c->peer != NULL) {
		for (i = 0; i < cfg->nprojects; i++)
			if (strcmp(cfg->projects[i].name, project) == 0)
				pr = &cfg->projects[i];
		if (pr != NULL && c->peer->user != NULL)
			for (i = 0; i < pr->nusers; i++)
				if (strcmp(pr->users[i], c->peer->user) == 0)
					return (0);
		if (pr != NULL)
			for (i = 0; i < pr->ngroups; i++)
				if (peer_in_group(c->peer, pr->groups[i]))
					return (0);
	}
	auth_describe(c, who, sizeof who);
	if (c->tok != NULL)
		snprintf(why, whylen, "project %s: %s may not use it (not in "
		    "the token's projects)", project, who);
	else
		snprintf(why, whylen, "project %s: %s may not use it (neither "
		    "the user nor one of its groups is listed for it in "
		    "projects)", project, who);
	return (403);
}

bool
caller_may_use(struct api_req *req, const char *project, struct reply *r)
{
	char	why[512];
	int	rc;

	rc = auth_check(&req->d->cfg, &req->caller, project, why, sizeof why);
	if (rc == 0)
		return (true);
	*r = reply_error(rc, "%s", why);
	return (false);
}
