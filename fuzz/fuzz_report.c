// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Stall report files, as vfiotop report reads them (anyone may hand it one).
 * report_print() takes a path: the input is written to one file (on tmpfs
 * when there is one), rewritten per input and removed at exit.
 *
 * A report from this boot gets its stack symbolized from /proc/kallsyms.
 * libFuzzer learns the boot id from report_print()'s strcmp within seconds,
 * and the real kallsyms (10^5 lines, read and sorted per input) would then
 * take most of its time: where it may (root, or a user namespace), the harness
 * runs in a mount namespace of its own with a small fake kallsyms mounted over
 * the real one, so symbolizing is fuzzed too, cheaply.
 */
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_kallsyms.h"
#include "report_view.h"

static char dir[128], path[192], syms[192];
static FILE *devnull;

static void cleanup(void)
{
	unlink(path);
	unlink(syms);
	if (devnull)
		fclose(devnull);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct stat st;
	const char *base = !stat("/dev/shm", &st) && S_ISDIR(st.st_mode) &&
			   !access("/dev/shm", W_OK) ? "/dev/shm" :
			   getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

	snprintf(dir, sizeof(dir), "%s", base);
	snprintf(path, sizeof(path), "%s/vfiotop-fuzz-report-%d.json", dir, (int)getpid());
	snprintf(syms, sizeof(syms), "%s/vfiotop-fuzz-kallsyms-%d", dir, (int)getpid());
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	atexit(cleanup);
	fake_kallsyms(syms, "fuzz_report");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	close(fd);
	report_print(path, devnull);
	return 0;
}
