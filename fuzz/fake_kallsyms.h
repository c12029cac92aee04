/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Reports of this boot get their stacks symbolized from /proc/kallsyms: the
 * real one (10^5 lines, read and sorted per input) would make a harness
 * crawl. Where it may, a harness mounts a small fake one over it, in a mount
 * namespace of its own. Included by the harnesses that read reports back.
 */
#ifndef VFIOTOP_FUZZ_FAKE_KALLSYMS_H
#define VFIOTOP_FUZZ_FAKE_KALLSYMS_H

#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>

/* syms: where to write the fake one; harness: named in the message if it cannot */
static inline void fake_kallsyms(const char *syms, const char *harness)
{
	FILE *f = fopen(syms, "w");

	if (!f)
		return;
	for (int i = 0; i < 256; i++)
		fprintf(f, "ffffffff%08x %c sym_%d\n", 0x81000000 + i * 0x1000, i & 1 ? 't' : 'T', i);
	fputs("0000000000000000 A zero\nffffffffc0a00000 t mod_fn\t[vfio_pci_core]\n", f);
	fclose(f);
	if (unshare(CLONE_NEWNS) && unshare(CLONE_NEWUSER | CLONE_NEWNS))
		goto no;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount(syms, "/proc/kallsyms", NULL, MS_BIND, NULL))
		goto no;
	return;
no:
	fprintf(stderr, "%s: cannot mount a fake /proc/kallsyms (%m): reading reports back "
		"reads the real one, slowly\n", harness);
}

#endif
