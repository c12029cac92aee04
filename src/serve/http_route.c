// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Which document an HTTP request gets, or which 4xx: no network in here. */
#include <string.h>

#include "http_route.h"

static void route_error(struct http_route *r, int status, const char *why)
{
	r->status = status;
	r->why = why;
}

void http_route_request(const char *method, const char *path, int nargs,
			const char *const *keys, const char *const *vals, struct http_route *r)
{
	memset(r, 0, sizeof(*r));
	if (!method || !path)
		return route_error(r, 400, "malformed request");
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return route_error(r, 405, "only GET and HEAD are served");
	if (nargs > HTTP_MAX_ARGS)
		return route_error(r, 400, "too many query parameters");
	if (!strcmp(path, "/metrics")) {
		r->doc = HTTP_DOC_METRICS;
		if (nargs)
			return route_error(r, 400, "/metrics takes no query parameters");
	} else if (!strcmp(path, "/json")) {
		r->doc = HTTP_DOC_JSON;
		for (int i = 0; i < nargs; i++) {
			const char *v = vals[i] ? vals[i] : "";

			if (!keys[i] || strcmp(keys[i], "pretty"))
				return route_error(r, 400, "/json takes only ?pretty");
			if (*v && strcmp(v, "1") && strcmp(v, "true") && strcmp(v, "0") &&
			    strcmp(v, "false"))
				return route_error(r, 400, "pretty is 1, true, 0 or false");
			r->pretty = !*v || !strcmp(v, "1") || !strcmp(v, "true");
		}
	} else if (!strcmp(path, "/")) {
		r->index = true;
	} else {
		return route_error(r, 404, "not found: try /metrics or /json");
	}
	r->status = 200;
}

