// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * HTTP method, path and query pairs as libmicrohttpd hands them over, and the
 * --listen argument. Input: fields separated by NUL: METHOD, PATH, then KEY,
 * VALUE pairs (an empty field is the NULL MHD gives for "?key" or "?=v"), up
 * to HTTP_MAX_ARGS + 2 pairs; METHOD is also parsed as --listen's value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_split.h"
#include "http_route.h"
#include "listen_addr.h"

#define MAX_PAIRS (HTTP_MAX_ARGS + 2)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *f[2 + 2 * MAX_PAIRS], *buf, err[160];
	const char *keys[MAX_PAIRS], *vals[MAX_PAIRS];
	struct http_route r;
	struct listen_addr a;
	int n, nargs = 0;

	buf = fuzz_split(data, size, f, sizeof(f) / sizeof(f[0]), &n);
	if (!buf)
		return 0;
	for (int i = 2; i + 1 < n && nargs < MAX_PAIRS; i += 2, nargs++) {
		keys[nargs] = f[i][0] ? f[i] : NULL;
		vals[nargs] = f[i + 1][0] ? f[i + 1] : NULL;
	}
	http_route_request(n > 0 ? f[0] : NULL, n > 1 ? f[1] : NULL, nargs, keys, vals, &r);
	if (r.status == 200 ? r.why != NULL : (r.status < 400 || r.status > 499 || !r.why))
		abort();
	/* the unparsed case too: no method, no path */
	http_route_request(NULL, NULL, 0, keys, vals, &r);
	if (r.status != 400)
		abort();

	err[0] = '\0';
	if (listen_addr_parse(f[0], &a, err, sizeof(err)) == 0) {
		if (!a.len || !memchr(a.text, '\0', sizeof(a.text)) || !a.text[0])
			abort();
	} else if (!err[0]) {
		abort();	/* a refusal always says why */
	}
	free(buf);
	return 0;
}
