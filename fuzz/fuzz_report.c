// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Stall report files, as vfiotop report reads them (anyone may hand it one). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "report_view.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	FILE *f, *out;

	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/vfiotop-fuzz-report-%d.json", (int)getpid());
	f = fopen(path, "w");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	out = fopen("/dev/null", "w");
	if (out) {
		report_print(path, out);
		fclose(out);
	}
	unlink(path);
	return 0;
}
