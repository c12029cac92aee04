/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The HTTP exporter's router (http_route.c): pure, fuzzed and unit-tested. */
#ifndef VFIOTOP_HTTP_ROUTE_H
#define VFIOTOP_HTTP_ROUTE_H

#include <stdbool.h>

enum http_doc { HTTP_DOC_METRICS, HTTP_DOC_JSON };

/*
 * How a request is answered, without the network: status, and for 200 the
 * document to render. Fuzzed and unit-tested.
 */
struct http_route {
	int status;
	enum http_doc doc;
	bool pretty;
	bool index;
	const char *why;	/* for 4xx: said in the body */
};

#define HTTP_MAX_ARGS 8

/* args: the query string's key=value pairs as the HTTP library parsed them */
void http_route_request(const char *method, const char *path, int nargs,
			const char *const *keys, const char *const *vals, struct http_route *r);

#endif
