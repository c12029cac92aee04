// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vm_ident.h"

#define CMDLINE_MAX	8192	/* -name comes early in QEMU's and libvirt's argv */
#define CGROUP_MAX	4096

static void copy(char *out, size_t cap, const char *s, size_t len)
{
	if (len >= cap)
		len = cap - 1;
	memcpy(out, s, len);
	out[len] = '\0';
}

/* one QemuOpts value, s to end, with ",," unescaped */
static void copy_opt(char *out, size_t cap, const char *s, const char *end)
{
	size_t n = 0;

	for (; s < end && n + 1 < cap; s++) {
		out[n++] = *s;
		if (*s == ',')
			s++;	/* the escaping second comma */
	}
	out[n] = '\0';
}

/*
 * QEMU's -name, parsed as QemuOpts does: comma-separated options, ",," a
 * comma in a value; the name is guest=NAME wherever it stands, or a first
 * option without '=' ("NAME,debug-threads=on").
 */
static void qemu_name(char *out, size_t cap, const char *arg)
{
	for (bool first = true; *arg; first = false) {
		const char *end = arg, *eq = NULL;

		while (*end && !(*end == ',' && end[1] != ',')) {
			if (*end == ',') {
				end += 2;
				continue;
			}
			if (*end == '=' && !eq)
				eq = end;
			end++;
		}
		if (eq && eq - arg == 5 && !strncmp(arg, "guest", 5))
			copy_opt(out, cap, eq + 1, end);
		else if (!eq && first)
			copy_opt(out, cap, arg, end);
		arg = *end ? end + 1 : end;
	}
}

void vm_ident_from_cmdline(struct vm_ident *id, const char *argv, size_t len)
{
	const char *end = argv + len, *prev = NULL;

	for (const char *a = argv; a < end; a += strnlen(a, end - a) + 1) {
		if (prev && (!strcmp(prev, "-name") || !strcmp(prev, "--name"))) {
			if (strnlen(a, end - a) < (size_t)(end - a))
				qemu_name(id->qemu_name, sizeof(id->qemu_name), a);
			return;
		}
		prev = a;
	}
}

/* systemd's unit-name escaping: "\x2d" is '-' */
static void unescape(char *out, size_t cap, const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n + 1 < cap; i++) {
		unsigned int c;

		if (s[i] == '\\' && i + 3 < len && s[i + 1] == 'x' &&
		    isxdigit((unsigned char)s[i + 2]) && isxdigit((unsigned char)s[i + 3]) &&
		    sscanf(s + i + 2, "%2x", &c) == 1) {
			out[n++] = (char)c;
			i += 3;
		} else {
			out[n++] = s[i];
		}
	}
	out[n] = '\0';
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t sl = strlen(suffix);

	return len >= sl && !memcmp(s + len - sl, suffix, sl);
}

static bool hex_id(const char *s, size_t len)
{
	if (len != VM_ID_LEN - 1)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* docker-ID.scope, cri-containerd-ID.scope, crio-ID.scope, libpod-ID.scope, or a bare ID */
static void container_of_part(struct vm_ident *id, const char *part, size_t len)
{
	static const char *const runtimes[] = { "docker-", "cri-containerd-", "crio-", "libpod-" };

	if (ends_with(part, len, ".scope")) {
		len -= 6;
		for (size_t i = 0; i < sizeof(runtimes) / sizeof(runtimes[0]); i++) {
			size_t pl = strlen(runtimes[i]);

			if (len > pl && !memcmp(part, runtimes[i], pl)) {
				part += pl;
				len -= pl;
				break;
			}
		}
	}
	if (hex_id(part, len))
		copy(id->container, sizeof(id->container), part, len);
}

/* kubepods-burstable-pod<uid with _>.slice (systemd driver), or pod<uid> (cgroupfs) */
static void pod_of_part(struct vm_ident *id, const char *part, size_t len)
{
	const char *pod = part;
	size_t n;

	/* "kubepods" holds "pod" too: the UID's follows a '-' or starts the part */
	while ((pod = memmem(pod, len - (size_t)(pod - part), "pod", 3)) &&
	       pod != part && pod[-1] != '-')
		pod += 3;
	if (!pod)
		return;
	pod += 3;
	n = len - (size_t)(pod - part);
	if (ends_with(pod, n, ".slice"))
		n -= 6;
	if (n != VM_POD_LEN - 1)
		return;
	copy(id->pod, sizeof(id->pod), pod, n);
	for (char *p = id->pod; *p; p++)
		if (*p == '_')
			*p = '-';
}

static void cgroup_path(struct vm_ident *id, const char *path, size_t len)
{
	bool kube = memmem(path, len, "kubepods", 8) != NULL;
	const char *end = path + len;

	for (const char *part = path; part < end;) {
		const char *slash = memchr(part, '/', end - part) ?: end;
		size_t n = slash - part;
		static const char machine[] = "machine-qemu-";
		char name[VM_UNIT_LEN];

		if (n && (ends_with(part, n, ".service") || ends_with(part, n, ".scope"))) {
			unescape(id->unit, sizeof(id->unit), part, n);
			/* libvirt: machine-qemu-ID-NAME.scope (the domain name, escaped) */
			unescape(name, sizeof(name), part, n - (ends_with(part, n, ".scope") ? 6 : 8));
			if (!strncmp(name, machine, sizeof(machine) - 1) &&
			    ends_with(part, n, ".scope")) {
				const char *p = name + sizeof(machine) - 1;

				while (isdigit((unsigned char)*p))
					p++;
				if (*p == '-' && p[1] && p > name + sizeof(machine) - 1)
					snprintf(id->libvirt, sizeof(id->libvirt), "%s", p + 1);
			}
		}
		if (kube && n > 3 && memmem(part, n, "pod", 3))
			pod_of_part(id, part, n);
		if (n)
			container_of_part(id, part, n);
		part = slash + 1;
	}
}

void vm_ident_from_cgroup(struct vm_ident *id, const char *text)
{
	/* cgroup v2's "0::/path"; on v1, the name=systemd hierarchy, else the first */
	const char *best = NULL;
	size_t best_len = 0;
	int best_rank = 0;

	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n') ?: line + strlen(line);
		const char *c1 = memchr(line, ':', (size_t)(nl - line));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(nl - c1 - 1)) : NULL;
		int rank = !c2 ? 0 : !strncmp(line, "0::", 3) ? 3 :
			   (c2 - c1 - 1 == 12 && !memcmp(c1 + 1, "name=systemd", 12)) ? 2 : 1;

		if (rank > best_rank) {
			best = c2 + 1;
			best_len = (size_t)(nl - best);
			best_rank = rank;
		}
		line = *nl ? nl + 1 : nl;
	}
	if (best)
		cgroup_path(id, best, best_len);
}

void vm_ident_settle(struct vm_ident *id)
{
	id->name[0] = '\0';
	id->source = VM_SOURCE_NONE;
	if (id->libvirt[0]) {
		snprintf(id->name, sizeof(id->name), "%s", id->libvirt);
		id->source = VM_SOURCE_LIBVIRT;
	} else if (id->qemu_name[0]) {
		snprintf(id->name, sizeof(id->name), "%s", id->qemu_name);
		id->source = VM_SOURCE_QEMU;
	} else if (id->unit[0] && !id->container[0] && strcmp(id->unit, "init.scope") &&
		   strncmp(id->unit, "session-", 8) && strncmp(id->unit, "user@", 5)) {
		/* a unit of its own names a VM (qemu@vm1.service); a login session does not */
		snprintf(id->name, sizeof(id->name), "%s", id->unit);
		id->source = VM_SOURCE_UNIT;
	} else if (id->container[0]) {
		snprintf(id->name, sizeof(id->name), "%.12s", id->container);
		id->source = VM_SOURCE_CONTAINER;
	}
}

static ssize_t read_all(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	size_t n = 0;
	ssize_t r = 0;

	if (fd < 0)
		return -1;
	while (n < cap - 1 && (r = read(fd, buf + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	buf[n] = '\0';
	return r < 0 ? -1 : (ssize_t)n;
}

/*
 * The cmdline reads, done by one worker thread, started at the first lookup
 * and kept: a thread that exits hands its stack back with madvise(), and
 * those zaps would count among the BAR zaps a tracefs probe checks. A read
 * stuck behind a held mmap_lock delays the names read after it, never the
 * daemon's loop. Jobs are the loop's to start and take, the worker's to run.
 */
#define CMDLINE_JOBS 16

enum { JOB_FREE, JOB_QUEUED, JOB_RUNNING, JOB_DONE };

static struct cmdline_job {
	int state;
	pid_t pid;
	char path[PATH_MAX];
	char qemu_name[VM_NAME_LEN];
} jobs[CMDLINE_JOBS];
static pthread_mutex_t jobs_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t jobs_queued = PTHREAD_COND_INITIALIZER;
static bool worker_started;
static void (*worker_start_fn)(void);

void vm_ident_on_worker_start(void (*fn)(void))
{
	worker_start_fn = fn;
}

static void *cmdline_worker(void *arg)
{
	char *buf = malloc(CMDLINE_MAX), path[PATH_MAX];

	if (worker_start_fn)
		worker_start_fn();
	pthread_mutex_lock(&jobs_lock);
	for (;;) {
		struct cmdline_job *j = NULL;
		struct vm_ident id = { 0 };
		ssize_t n;

		for (int i = 0; i < CMDLINE_JOBS && !j; i++)
			if (jobs[i].state == JOB_QUEUED)
				j = &jobs[i];
		if (!j) {
			pthread_cond_wait(&jobs_queued, &jobs_lock);
			continue;
		}
		j->state = JOB_RUNNING;
		memcpy(path, j->path, sizeof(path));
		pthread_mutex_unlock(&jobs_lock);
		n = buf ? read_all(path, buf, CMDLINE_MAX) : -1;
		if (n > 0)
			vm_ident_from_cmdline(&id, buf, (size_t)n);
		pthread_mutex_lock(&jobs_lock);
		memcpy(j->qemu_name, id.qemu_name, sizeof(j->qemu_name));
		j->state = JOB_DONE;
	}
	return arg;
}

/* with jobs_lock held */
static struct cmdline_job *job_of(pid_t pid)
{
	for (int i = 0; i < CMDLINE_JOBS; i++)
		if (jobs[i].state != JOB_FREE && jobs[i].pid == pid)
			return &jobs[i];
	return NULL;
}

/* with jobs_lock held; false: no slot free or no worker, try at the next poll */
static bool cmdline_start(const char *proc, pid_t pid)
{
	if (job_of(pid))
		return true;
	if (!worker_started) {
		pthread_attr_t attr;
		pthread_t t;

		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&attr, 64 << 10);
		worker_started = !pthread_create(&t, &attr, cmdline_worker, NULL);
		pthread_attr_destroy(&attr);
		if (!worker_started)
			return false;
	}
	/* a free slot, else one whose answer nobody took (its process went) */
	for (int i = 0; i < 2 * CMDLINE_JOBS; i++) {
		struct cmdline_job *j = &jobs[i % CMDLINE_JOBS];

		if (j->state != (i < CMDLINE_JOBS ? JOB_FREE : JOB_DONE))
			continue;
		j->pid = pid;
		snprintf(j->path, sizeof(j->path), "%s/%d/cmdline", proc, pid);
		j->state = JOB_QUEUED;
		pthread_cond_signal(&jobs_queued);
		return true;
	}
	return false;
}

static char proc_root[PATH_MAX] = "/proc";

void vm_ident_read(struct vm_ident *id, const char *proc, pid_t pid)
{
	char path[PATH_MAX], buf[CGROUP_MAX];

	memset(id, 0, sizeof(*id));
	id->read = true;
	snprintf(proc_root, sizeof(proc_root), "%s", proc);
	snprintf(path, sizeof(path), "%s/%d/cgroup", proc, pid);
	if (read_all(path, buf, sizeof(buf)) > 0)
		vm_ident_from_cgroup(id, buf);
	id->cmdline_pending = true;
	pthread_mutex_lock(&jobs_lock);
	cmdline_start(proc, pid);
	pthread_mutex_unlock(&jobs_lock);
	vm_ident_settle(id);
}

bool vm_ident_poll(struct vm_ident *id, pid_t pid)
{
	struct cmdline_job *j;
	bool done = false;

	if (!id->cmdline_pending)
		return false;
	pthread_mutex_lock(&jobs_lock);
	j = job_of(pid);
	if (!j) {
		cmdline_start(proc_root, pid);	/* no slot was free */
	} else if (j->state == JOB_DONE) {
		memcpy(id->qemu_name, j->qemu_name, sizeof(id->qemu_name));
		j->state = JOB_FREE;
		done = true;
	}
	pthread_mutex_unlock(&jobs_lock);
	if (!done)
		return false;
	id->cmdline_pending = false;
	vm_ident_settle(id);
	return true;
}

const char *vm_source_name(enum vm_source source)
{
	switch (source) {
	case VM_SOURCE_LIBVIRT:
		return "libvirt";
	case VM_SOURCE_QEMU:
		return "qemu";
	case VM_SOURCE_UNIT:
		return "systemd";
	case VM_SOURCE_CONTAINER:
		return "container";
	default:
		return "";
	}
}
