/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The VM behind a process, as an operator names it: a libvirt domain (from
 * its machine scope), QEMU's -name, the systemd unit it runs in, a container
 * and a Kubernetes pod (from its cgroup path). Read from /proc/PID/cgroup and
 * /proc/PID/cmdline only, never from the maps. The cmdline is read off the
 * daemon's loop: reading it takes the process's mmap_lock, which a process
 * whose faults wait behind a reset can keep from a reader as long as the
 * reset lasts (the stall vfiotop is there to report).
 */
#ifndef VFIOTOP_VM_IDENT_H
#define VFIOTOP_VM_IDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum vm_source {
	VM_SOURCE_NONE,
	VM_SOURCE_LIBVIRT,	/* machine-qemu\x2dN\x2dNAME.scope */
	VM_SOURCE_QEMU,		/* -name guest=NAME,... or -name NAME */
	VM_SOURCE_UNIT,		/* the systemd unit (.service or .scope) */
	VM_SOURCE_CONTAINER,	/* the container ID */
};

#define VM_NAME_LEN	64
#define VM_UNIT_LEN	128
#define VM_ID_LEN	65	/* a container ID: 64 hex digits */
#define VM_POD_LEN	37	/* a pod UID: 36 characters */

struct vm_ident {
	bool read;			/* looked up (whether or not anything was found) */
	bool cmdline_pending;		/* its QEMU -name is being read: vm_ident_poll() */
	enum vm_source source;		/* where name came from */
	char name[VM_NAME_LEN];		/* "" when nothing names it */
	char libvirt[VM_NAME_LEN];	/* the domain of its machine scope, "" if none */
	char qemu_name[VM_NAME_LEN];	/* QEMU's -name, "" if not QEMU or none */
	char unit[VM_UNIT_LEN];		/* innermost systemd unit, "" if none */
	char container[VM_ID_LEN];	/* "" if not in a container */
	char pod[VM_POD_LEN];		/* Kubernetes pod UID, "" if none */
};

/* QEMU's -name from argv as /proc/PID/cmdline has it (NUL-separated, len bytes). */
void vm_ident_from_cmdline(struct vm_ident *id, const char *argv, size_t len);
/* The unit, libvirt domain, container and pod from /proc/PID/cgroup's text. */
void vm_ident_from_cgroup(struct vm_ident *id, const char *text);
/* name and source from what the two above found: libvirt, QEMU, then the unit */
void vm_ident_settle(struct vm_ident *id);
/*
 * All of it for pid under proc (/proc); id->read is set even when pid is gone.
 * The cgroup is read now, the cmdline in a thread of its own:
 * vm_ident_poll() takes its answer later.
 */
void vm_ident_read(struct vm_ident *id, const char *proc, pid_t pid);
/*
 * Run first by the cmdline thread, before it reads anything: where the
 * daemon takes the thread's capabilities down to what reading needs.
 */
void vm_ident_on_worker_start(void (*fn)(void));
/* The cmdline's answer for pid, if in; true when id changed. */
bool vm_ident_poll(struct vm_ident *id, pid_t pid);
const char *vm_source_name(enum vm_source source);

#endif
