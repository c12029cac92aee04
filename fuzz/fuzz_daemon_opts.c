// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* vfiotopd's command line: every flag and value. */
#include <stdint.h>
#include <stdlib.h>

#include "daemon_opts.h"
#include "fuzz_split.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *f[32], *argv[34], *buf, err[256];
	struct daemon_opts o;
	int n;

	buf = fuzz_split(data, size, f, 32, &n);
	if (!buf)
		return 0;
	argv[0] = (char *)"vfiotopd";
	for (int i = 0; i < n; i++)
		argv[i + 1] = f[i];
	argv[n + 1] = NULL;
	daemon_opts_parse(n + 1, argv, &o, err, sizeof(err));
	free(buf);
	return 0;
}
