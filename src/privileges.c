// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdbool.h>
#include <stddef.h>
#include <sys/capability.h>

#include "privileges.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static bool has_cap(cap_t caps, cap_value_t cap)
{
	cap_flag_value_t v = CAP_CLEAR;

	return cap_get_flag(caps, cap, CAP_EFFECTIVE, &v) == 0 && v == CAP_SET;
}

const char *privileges_missing(void)
{
	cap_t caps = cap_get_proc();
	const char *why = NULL;

	if (!caps)
		return "cannot read this process's capabilities";
	/* tracing programs need CAP_BPF + CAP_PERFMON, or CAP_SYS_ADMIN on its own */
	if (!has_cap(caps, CAP_SYS_ADMIN)) {
		if (!has_cap(caps, CAP_BPF))
			why = "vfiotopd needs CAP_BPF (and CAP_PERFMON), or CAP_SYS_ADMIN, to load its BPF programs: run it as root";
		else if (!has_cap(caps, CAP_PERFMON))
			why = "vfiotopd needs CAP_PERFMON to attach its tracing programs: run it as root";
	}
	cap_free(caps);
	return why;
}
