// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "array_size.h"
#include "privileges.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/*
 * What re-attaching after a vfio module reload needs (docs/architecture.md):
 * loading and attaching tracing programs (CAP_BPF, CAP_PERFMON; and
 * CAP_SYS_ADMIN, because libbpf finds module BTF for CO-RE and fentry with
 * BPF_BTF_GET_NEXT_ID / BPF_BTF_GET_FD_BY_ID, which the kernel reserves to
 * it), and finding a device's owners in /proc/PID/fd of processes run by
 * other users such as QEMU (CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH).
 */
static const cap_value_t kept[] = { CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN, CAP_SYS_PTRACE,
				    CAP_DAC_READ_SEARCH };

static bool has_cap(cap_t caps, cap_value_t cap, cap_flag_t flag)
{
	cap_flag_value_t v = CAP_CLEAR;

	return cap_get_flag(caps, cap, flag, &v) == 0 && v == CAP_SET;
}

const char *privileges_missing(void)
{
	cap_t caps = cap_get_proc();
	const char *why = NULL;

	if (!caps)
		return "cannot read this process's capabilities";
	/* tracing programs need CAP_BPF + CAP_PERFMON (CAP_SYS_ADMIN is no substitute once dropped) */
	if (!has_cap(caps, CAP_BPF, CAP_EFFECTIVE))
		why = "vfiotopd needs CAP_BPF and CAP_PERFMON to load its BPF programs: run it as root";
	else if (!has_cap(caps, CAP_PERFMON, CAP_EFFECTIVE))
		why = "vfiotopd needs CAP_PERFMON to attach its tracing programs: run it as root";
	cap_free(caps);
	return why;
}

static bool is_kept(cap_value_t c)
{
	for (size_t i = 0; i < ARRAY_SIZE(kept); i++)
		if (kept[i] == c)
			return true;
	return false;
}

int privileges_drop(char *said, size_t len)
{
	cap_t now = cap_get_proc(), next = cap_init();
	size_t off = 0;
	int err = 0;

	if (!now || !next) {
		err = -errno;
		goto out;
	}
	/* the bounding set first: dropping from it needs CAP_SETPCAP, about to go */
	for (cap_value_t c = 0; CAP_IS_SUPPORTED(c); c++)
		if (!is_kept(c) && cap_get_bound(c) == 1 && cap_drop_bound(c)) {
			/* without CAP_SETPCAP (a systemd unit's bounding set) it stays */
			if (errno != EPERM) {
				err = -errno;
				goto out;
			}
		}
	said[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(kept); i++) {
		char *name;

		if (!has_cap(now, kept[i], CAP_PERMITTED))
			continue;
		cap_set_flag(next, CAP_PERMITTED, 1, &kept[i], CAP_SET);
		cap_set_flag(next, CAP_EFFECTIVE, 1, &kept[i], CAP_SET);
		name = cap_to_name(kept[i]);
		off += snprintf(said + off, off < len ? len - off : 0, "%s%s", off ? " " : "",
				name ? name : "?");
		cap_free(name);
	}
	if (cap_reset_ambient() && errno != EINVAL) {
		err = -errno;
		goto out;
	}
	if (cap_set_proc(next) || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		err = -errno;
out:
	cap_free(now);
	cap_free(next);
	return err;
}
