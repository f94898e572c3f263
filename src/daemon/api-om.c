/*
 * Routes of the next change (issue 4): placeholders answering 503.
 */
#include "config.h"

#include "routes.h"

struct reply
route_om_create(struct api_req *req)
{
	return (reply_error(503, "%s %s: this route is not served by "
	    "this version of skedd", req->method, req->url));
}

struct reply
route_om_show(struct api_req *req)
{
	return (reply_error(503, "%s %s: this route is not served by "
	    "this version of skedd", req->method, req->url));
}
