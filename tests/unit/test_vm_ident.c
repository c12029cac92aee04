// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The VM behind a pid, from argv and cgroup paths as libvirt, plain QEMU,
 * systemd, Docker and Kubernetes (systemd and cgroupfs drivers) leave them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vm_ident.h"

#define CID "4f3c9a0e1b2d3c4e5f60718293a4b5c6d7e8f90112233445566778899aabbccd"
#define POD_UID "0a1b2c3d-4e5f-6789-abcd-ef0123456789"
#define POD_SYSTEMD "0a1b2c3d_4e5f_6789_abcd_ef0123456789"

/* argv as /proc/PID/cmdline has it: each argument NUL-terminated */
static struct vm_ident ident(const char *const *argv, const char *cgroup)
{
	struct vm_ident id = { 0 };
	char buf[1024];
	size_t n = 0;

	for (; argv && *argv; argv++) {
		size_t l = strlen(*argv) + 1;

		memcpy(buf + n, *argv, l);
		n += l;
	}
	vm_ident_from_cmdline(&id, buf, n);
	if (cgroup)
		vm_ident_from_cgroup(&id, cgroup);
	vm_ident_settle(&id);
	return id;
}

static void libvirt_domain(void **state)
{
	const char *argv[] = { "/usr/bin/qemu-system-x86_64", "-name",
			       "guest=gpu-vm-01,debug-threads=on", "-S", NULL };
	struct vm_ident id = ident(argv,
		"0::/machine.slice/machine-qemu\\x2d12\\x2dgpu\\x2dvm\\x2d01.scope/libvirt/emulator\n");

	assert_string_equal(id.name, "gpu-vm-01");
	assert_int_equal(id.source, VM_SOURCE_LIBVIRT);
	assert_string_equal(id.qemu_name, "gpu-vm-01");
	assert_string_equal(id.unit, "machine-qemu-12-gpu-vm-01.scope");
	assert_string_equal(id.container, "");
	assert_string_equal(vm_source_name(id.source), "libvirt");
}

/* the scope names the domain even when argv is cut or has no -name */
static void libvirt_scope_alone(void **state)
{
	struct vm_ident id = ident(NULL, "0::/machine.slice/machine-qemu\\x2d3\\x2dwin11.scope/libvirt/vcpu0\n");

	assert_string_equal(id.name, "win11");
	assert_int_equal(id.source, VM_SOURCE_LIBVIRT);
}

static void plain_qemu(void **state)
{
	const char *argv[] = { "qemu-system-x86_64", "-m", "4G", "-name", "testvm", NULL };
	const char *commas[] = { "qemu-kvm", "-name", "guest=a,,b,process=x", NULL };
	const char *options_only[] = { "qemu-kvm", "-name", "process=worker,debug-threads=on", NULL };
	const char *last[] = { "qemu-kvm", "-name", NULL };
	/* QemuOpts: guest= wherever it stands; a bare name only first */
	const char *guest_later[] = { "qemu-kvm", "-name", "debug-threads=on,guest=vm,,9", NULL };
	const char *bare_first[] = { "qemu-kvm", "-name", "vm3,debug-threads=on", NULL };
	const char *bare_later[] = { "qemu-kvm", "-name", "debug-threads=on,vm4", NULL };
	struct vm_ident id = ident(argv, "0::/user.slice/user-0.slice/session-2.scope\n");

	assert_string_equal(id.name, "testvm");
	assert_int_equal(id.source, VM_SOURCE_QEMU);
	assert_string_equal(id.unit, "session-2.scope");
	assert_string_equal(ident(commas, NULL).name, "a,b");
	assert_string_equal(ident(options_only, NULL).name, "");
	assert_int_equal(ident(last, NULL).source, VM_SOURCE_NONE);
	assert_string_equal(ident(guest_later, NULL).name, "vm,9");
	assert_string_equal(ident(bare_first, NULL).name, "vm3");
	assert_string_equal(ident(bare_later, NULL).name, "");
}

static void systemd_unit(void **state)
{
	const char *argv[] = { "dpdk-testpmd", "-l", "0-1", NULL };
	struct vm_ident id = ident(argv, "0::/system.slice/dpdk-testpmd.service\n");
	struct vm_ident v1 = ident(argv, "12:pids:/system.slice/other.service\n"
				   "1:name=systemd:/system.slice/qemu\\x40vm7.service\n");
	struct vm_ident login = ident(argv, "0::/user.slice/user-1000.slice/session-4.scope\n");

	assert_string_equal(id.name, "dpdk-testpmd.service");
	assert_int_equal(id.source, VM_SOURCE_UNIT);
	assert_string_equal(v1.name, "qemu@vm7.service");
	assert_string_equal(login.name, "");
	assert_int_equal(login.source, VM_SOURCE_NONE);
}

static void docker(void **state)
{
	struct vm_ident id = ident(NULL, "0::/system.slice/docker-" CID ".scope\n");
	struct vm_ident cgroupfs = ident(NULL, "0::/docker/" CID "\n");

	assert_string_equal(id.container, CID);
	assert_int_equal(id.source, VM_SOURCE_CONTAINER);
	assert_string_equal(id.name, "4f3c9a0e1b2d");
	assert_string_equal(cgroupfs.container, CID);
}

static void kubernetes(void **state)
{
	const char *argv[] = { "/usr/libexec/qemu-kvm", "-name",
			       "guest=default_vmi-fedora,debug-threads=on", NULL };
	struct vm_ident kubevirt = ident(argv,
		"0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" POD_SYSTEMD
		".slice/cri-containerd-" CID ".scope\n");
	struct vm_ident cgroupfs = ident(NULL, "0::/kubepods/besteffort/pod" POD_UID "/" CID "\n");

	assert_string_equal(kubevirt.name, "default_vmi-fedora");
	assert_int_equal(kubevirt.source, VM_SOURCE_QEMU);
	assert_string_equal(kubevirt.pod, POD_UID);
	assert_string_equal(kubevirt.container, CID);
	assert_string_equal(cgroupfs.pod, POD_UID);
	assert_string_equal(cgroupfs.container, CID);
	assert_int_equal(cgroupfs.source, VM_SOURCE_CONTAINER);
}

/* what is not a name stays out: long names are cut, odd paths ignored */
static void hostile(void **state)
{
	char longname[300], cgroup[400];
	const char *argv[] = { "qemu", "-name", longname, NULL };
	struct vm_ident id;

	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	id = ident(argv, "garbage without colons\n::\n0::\n");
	assert_int_equal(strlen(id.name), VM_NAME_LEN - 1);
	snprintf(cgroup, sizeof(cgroup), "0::/machine.slice/machine-qemu\\x2d.scope/%s.scope\n",
		 "pod-not-a-uid");
	id = ident(NULL, cgroup);
	assert_string_equal(id.pod, "");
	assert_string_equal(id.container, "");
	id = ident(NULL, "0::/machine.slice/machine-qemu\\x2d7\\x2d.scope\n");
	assert_int_not_equal(id.source, VM_SOURCE_LIBVIRT);
}

/* the cmdline thread's answer, within 5 s */
static bool poll_until(struct vm_ident *id, pid_t pid)
{
	for (int i = 0; i < 500; i++) {
		if (vm_ident_poll(id, pid))
			return true;
		usleep(10000);
	}
	return false;
}

static void reads_proc(void **state)
{
	char root[] = "/tmp/vm_ident.XXXXXX", path[PATH_MAX];
	static const char cmdline[] = "qemu-system-x86_64\0-name\0guest=vt-one,debug-threads=on\0";
	struct vm_ident id;
	FILE *f;

	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/42", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/42/cmdline", root);
	f = fopen(path, "w");
	assert_non_null(f);
	fwrite(cmdline, 1, sizeof(cmdline) - 1, f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/42/cgroup", root);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("0::/machine.slice/machine-qemu\\x2d1\\x2dvt\\x2done.scope/libvirt/emulator\n", f);
	fclose(f);

	/* the cgroup at once; the cmdline from its thread, taken by a poll */
	vm_ident_read(&id, root, 42);
	assert_true(id.read);
	assert_string_equal(id.name, "vt-one");
	assert_int_equal(id.source, VM_SOURCE_LIBVIRT);
	assert_true(poll_until(&id, 42));
	assert_string_equal(id.qemu_name, "vt-one");
	assert_false(id.cmdline_pending);
	assert_false(vm_ident_poll(&id, 42));	/* once taken, nothing more */

	/* plain QEMU: no name until the cmdline is in */
	snprintf(path, sizeof(path), "%s/42/cgroup", root);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("0::/user.slice/user-0.slice/session-1.scope\n", f);
	fclose(f);
	vm_ident_read(&id, root, 42);
	assert_string_equal(id.name, "");
	assert_true(poll_until(&id, 42));
	assert_string_equal(id.name, "vt-one");
	assert_int_equal(id.source, VM_SOURCE_QEMU);

	vm_ident_read(&id, root, 43);	/* gone: looked up, nothing found */
	assert_true(id.read);
	assert_true(poll_until(&id, 43));
	assert_string_equal(id.name, "");

	snprintf(path, sizeof(path), "rm -rf '%s'", root);
	assert_int_equal(system(path), 0);
}

/*
 * A cmdline read that cannot go on (the process's mmap_lock held, here a FIFO
 * without a writer) must not hold up the caller: the daemon's loop.
 */
static void blocked_cmdline(void **state)
{
	char root[] = "/tmp/vm_ident.XXXXXX", path[PATH_MAX];
	static const char cmdline[] = "qemu\0-name\0guest=late\0";
	struct vm_ident id;
	int fd;

	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/77", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/77/cmdline", root);
	assert_int_equal(mkfifo(path, 0600), 0);

	vm_ident_read(&id, root, 77);		/* returns: the open waits in its thread */
	assert_true(id.cmdline_pending);
	usleep(100000);
	assert_false(vm_ident_poll(&id, 77));
	fd = open(path, O_WRONLY);		/* the lock is let go */
	assert_true(fd >= 0);
	assert_int_equal(write(fd, cmdline, sizeof(cmdline) - 1), sizeof(cmdline) - 1);
	close(fd);
	assert_true(poll_until(&id, 77));
	assert_string_equal(id.name, "late");

	snprintf(path, sizeof(path), "rm -rf '%s'", root);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(libvirt_domain),
		cmocka_unit_test(libvirt_scope_alone),
		cmocka_unit_test(plain_qemu),
		cmocka_unit_test(systemd_unit),
		cmocka_unit_test(docker),
		cmocka_unit_test(kubernetes),
		cmocka_unit_test(hostile),
		cmocka_unit_test(reads_proc),
		cmocka_unit_test(blocked_cmdline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
