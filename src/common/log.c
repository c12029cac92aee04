// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Plain stderr logging: the daemon runs in the foreground under systemd or a shell. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "log.h"

static const char *log_prog = "vfiotop";
static int log_level = VLOG_INFO;

void log_init(const char *prog, int verbosity)
{
	log_prog = prog;
	log_level = VLOG_INFO + verbosity;
}

int log_verbosity(void)
{
	return log_level - VLOG_INFO;
}

void log_msg(enum vlog_level level, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	struct timespec ts;
	va_list ap;

	if ((int)level > log_level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(stderr, "%s[%lld.%03ld] %s: ", log_prog, (long long)ts.tv_sec,
		ts.tv_nsec / 1000000, names[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
