// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "array_size.h"
#include "map_read.h"
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

/*
 * In effect between attaches: the /proc scans' two, and CAP_BPF only where
 * the kernel gates every bpf() command on it, map reads included, under
 * kernel.unprivileged_bpf_disabled: older kernels did; 6.1's __sys_bpf() and
 * later ones gate only map creation and program loading (tried at each attach).
 * libcap changes the calling thread's sets only (no libpsx here), which is
 * what lets each thread keep less than the main one.
 */
static const cap_value_t between[] = { CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH, CAP_BPF };
#define BETWEEN_SCANS 2		/* between[] without CAP_BPF */

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

static bool in(const cap_value_t *set, size_t n, cap_value_t c)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == c)
			return true;
	return false;
}

/* this thread's effective set: its permitted one, or of that those in want[] */
static int set_effective(const cap_value_t *want, size_t n)
{
	cap_t caps = cap_get_proc();
	int err = 0;

	if (!caps)
		return -errno;
	cap_clear_flag(caps, CAP_EFFECTIVE);
	for (cap_value_t c = 0; CAP_IS_SUPPORTED(c); c++)
		if (has_cap(caps, c, CAP_PERMITTED) && (!want || in(want, n, c)))
			cap_set_flag(caps, CAP_EFFECTIVE, 1, &c, CAP_SET);
	if (cap_set_proc(caps))
		err = -errno;
	cap_free(caps);
	return err;
}

static void names(cap_t caps, cap_flag_t flag, char *said, size_t len)
{
	size_t off = 0;

	said[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(kept); i++) {
		char *name;

		if (!has_cap(caps, kept[i], flag))
			continue;
		name = cap_to_name(kept[i]);
		off += snprintf(said + off, off < len ? len - off : 0, "%s%s", off ? " " : "",
				name ? name : "?");
		cap_free(name);
	}
}

int privileges_drop(char *said, size_t len)
{
	cap_t now = cap_get_proc(), next = cap_init();
	int err = 0;

	if (!now || !next) {
		err = -errno;
		goto out;
	}
	/* the bounding set first: dropping from it needs CAP_SETPCAP, about to go */
	for (cap_value_t c = 0; CAP_IS_SUPPORTED(c); c++)
		if (!in(kept, ARRAY_SIZE(kept), c) && cap_get_bound(c) == 1 && cap_drop_bound(c)) {
			/* without CAP_SETPCAP (a systemd unit's bounding set) it stays */
			if (errno != EPERM) {
				err = -errno;
				goto out;
			}
		}
	for (size_t i = 0; i < ARRAY_SIZE(kept); i++) {
		if (!has_cap(now, kept[i], CAP_PERMITTED))
			continue;
		cap_set_flag(next, CAP_PERMITTED, 1, &kept[i], CAP_SET);
		if (in(between, BETWEEN_SCANS, kept[i]))
			cap_set_flag(next, CAP_EFFECTIVE, 1, &kept[i], CAP_SET);
	}
	names(next, CAP_PERMITTED, said, len);
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

int privileges_raise(void)
{
	return set_effective(NULL, 0);
}

int privileges_lower(int map_fd)
{
	int err;

	err = set_effective(between, BETWEEN_SCANS);
	if (err || map_fd < 0)
		return err;
	if (map_read_refused(map_fd))
		return set_effective(between, ARRAY_SIZE(between));
	return 0;
}

void privileges_effective(char *said, size_t len)
{
	cap_t caps = cap_get_proc();

	if (!caps) {
		snprintf(said, len, "?");
		return;
	}
	names(caps, CAP_EFFECTIVE, said, len);
	if (!said[0])
		snprintf(said, len, "none");
	cap_free(caps);
}

int privileges_thread_keep(const int *caps, size_t n)
{
	cap_t next = cap_init();
	int err = 0;

	if (!next)
		return -errno;
	for (size_t i = 0; i < n; i++) {
		cap_value_t c = caps[i];

		cap_set_flag(next, CAP_PERMITTED, 1, &c, CAP_SET);
		cap_set_flag(next, CAP_EFFECTIVE, 1, &c, CAP_SET);
	}
	/* fails only when asking for more than the thread has: keep nothing then */
	if (cap_set_proc(next)) {
		err = -errno;
		cap_clear(next);
		cap_set_proc(next);
	}
	cap_free(next);
	return err;
}

struct bare_call {
	int (*fn)(void *arg);
	void *arg;
	int ret;
};

static void *run_bare(void *p)
{
	struct bare_call *c = p;

	c->ret = privileges_thread_keep(NULL, 0) ?: c->fn(c->arg);
	return NULL;
}

int privileges_call_bare(int (*fn)(void *arg), void *arg)
{
	struct bare_call c = { .fn = fn, .arg = arg, .ret = -1 };
	pthread_t t;

	if (pthread_create(&t, NULL, run_bare, &c))
		return -1;
	pthread_join(t, NULL);
	return c.ret;
}
