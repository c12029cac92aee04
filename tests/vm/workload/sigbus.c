// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* SIGBUS: caught only where a phase armed it, and jumped out of. */
#include <setjmp.h>
#include <signal.h>
#include <unistd.h>

#include "workload.h"

/*
 * Only the SIGBUS handler's state is global: it cannot be handed a context.
 * It is per thread because SIGBUS goes to the thread that faulted, and the
 * race and load threads fault concurrently. The executable's own TLS is
 * static (no lazy allocation), so the handler may touch it.
 */
_Thread_local sigjmp_buf sigbus_env;
_Thread_local volatile sig_atomic_t sigbus_armed;

static void on_sigbus(int sig)
{
	static const char msg[] = PROG ": unexpected SIGBUS\n";
	ssize_t n;

	(void)sig;
	if (!sigbus_armed) {
		n = write(STDERR_FILENO, msg, sizeof(msg) - 1);
		(void)n;
		_exit(1);
	}
	sigbus_armed = 0;
	/* a fault cannot be returned from: the write would just be retried */
	siglongjmp(sigbus_env, 1);
}

void install_sigbus_handler(void)
{
	struct sigaction sa = { .sa_handler = on_sigbus };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL))
		die_errno("sigaction SIGBUS");
}
