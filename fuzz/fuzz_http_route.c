// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* HTTP method, path and query pairs as libmicrohttpd hands them over; --listen. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_split.h"
#include "http_server.h"
#include "listen_addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *f[2 + 2 * (HTTP_MAX_ARGS + 2)], *buf, err[160];
	const char *keys[HTTP_MAX_ARGS + 2], *vals[HTTP_MAX_ARGS + 2];
	struct http_route r;
	struct listen_addr a;
	int n, nargs = 0;

	buf = fuzz_split(data, size, f, sizeof(f) / sizeof(f[0]), &n);
	if (!buf)
		return 0;
	for (int i = 2; i + 1 < n && nargs < HTTP_MAX_ARGS + 2; i += 2, nargs++) {
		keys[nargs] = f[i][0] ? f[i] : NULL;	/* MHD gives NULL for a bare value */
		vals[nargs] = f[i + 1][0] ? f[i + 1] : NULL;
	}
	http_route_request(n > 0 ? f[0] : NULL, n > 1 ? f[1] : NULL, nargs, keys, vals, &r);
	if (n > 0)
		listen_addr_parse(f[0], &a, err, sizeof(err));
	free(buf);
	return 0;
}
