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
	char line[1024];
	struct timespec ts;
	va_list ap;
	int n;

	if ((int)level > log_level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	n = snprintf(line, sizeof(line), "%s[%lld.%03ld] %s: ", log_prog, (long long)ts.tv_sec,
		     ts.tv_nsec / 1000000, names[level]);
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;	/* cut, still one line */
	line[n++] = '\n';
	/* one write per line: stderr is unbuffered, and threads (HTTP) log too */
	fwrite(line, 1, n, stderr);
}
