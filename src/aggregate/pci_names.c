// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * PCI names through libpci's pci_lookup_name(), from the local database
 * only: no DNS (PCI_LOOKUP_NETWORK) and no ~/.pciids-cache, and not udev's
 * hwdb either, so a name comes from one file the operator can see.
 */
#include <pci/pci.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pci_names.h"
#include "utf8.h"

struct pci_name_db {
	struct pci_access *pacc;
	bool broken;	/* libpci gave up on the file: every name "" from now on */
};

/* where db_error() returns to: the lookup that called libpci */
static jmp_buf *lookup_jump;

/*
 * libpci calls its error callback for a malformed file (and out of memory)
 * and expects it not to return (its default exits): it jumps back out of
 * the lookup, which then treats the database as missing. libpci has closed
 * the file by then; what it parsed is freed with the name list.
 */
static _Noreturn void db_error(char *msg, ...)
{
	char text[256];
	va_list ap;

	va_start(ap, msg);
	vsnprintf(text, sizeof(text), msg, ap);
	va_end(ap);
	text[strcspn(text, "\n")] = '\0';
	log_warn("PCI names: %s; names will be empty", text);
	if (!lookup_jump)
		abort();	/* only lookups call into libpci after setup */
	longjmp(*lookup_jump, 1);
}

static void db_warning(char *msg, ...)
{
	char text[256];
	va_list ap;

	va_start(ap, msg);
	vsnprintf(text, sizeof(text), msg, ap);
	va_end(ap);
	text[strcspn(text, "\n")] = '\0';
	log_warn("PCI names: %s", text);
}

static void db_debug(char *msg, ...)
{
}

struct pci_name_db *pci_name_db_open(const char *path)
{
	struct pci_name_db *db = calloc(1, sizeof(*db));
	char *copy = path ? strdup(path) : NULL;

	if (!db || (path && !copy)) {
		free(db);
		free(copy);
		return NULL;
	}
	db->pacc = pci_alloc();
	db->pacc->error = db_error;
	db->pacc->warning = db_warning;
	db->pacc->debug = db_debug;
	/* Debian builds libpci with DNS and hwdb lookups: both off, and its cache */
	db->pacc->id_lookup_mode = PCI_LOOKUP_NO_HWDB;
	if (copy)
		pci_set_name_list_path(db->pacc, copy, 1);
	return db;
}

void pci_name_db_close(struct pci_name_db *db)
{
	if (!db)
		return;
	pci_cleanup(db->pacc);
	free(db);
}

void pci_name_db_release(struct pci_name_db *db)
{
	if (db)
		pci_free_name_list(db->pacc);
}

bool pci_names_current(const struct pci_names *names, const struct pci_identity *id)
{
	return names->resolved && names->vendor == id->vendor && names->device == id->device &&
	       names->subsys_vendor == id->subsys_vendor &&
	       names->subsys_device == id->subsys_device && names->class_id == id->class_id;
}

/*
 * A name as an output may print it: valid UTF-8 (pci.ids is, but a file
 * given instead may not be, and a name libpci cut short may end in half a
 * character), each byte that is not a '?'. NULL (unknown) is "".
 */
static void keep_name(char *dst, const char *name)
{
	const unsigned char *s = (const unsigned char *)(name ? name : "");
	size_t n = 0;

	while (*s && n < PCI_NAME_LEN - 1) {
		int len = *s < 0x80 ? 1 : utf8_seq_len(s);

		if (len == 0 || n + len > PCI_NAME_LEN - 1) {
			dst[n++] = '?';
			s++;
			continue;
		}
		memcpy(dst + n, s, len);
		n += len;
		s += len;
	}
	dst[n] = '\0';
}

/*
 * A class the database names but not its subclass comes back from libpci
 * as "Memory controller [0599]" even with PCI_LOOKUP_NO_NUMBERS: the name only.
 */
static void drop_class_number(char *name, unsigned int class_subclass)
{
	char number[16];
	size_t len = strlen(name), nlen;

	nlen = snprintf(number, sizeof(number), " [%04x]", class_subclass);
	if (len > nlen && !strcmp(name + len - nlen, number))
		name[len - nlen] = '\0';
}

/*
 * The subsystem as `lspci -v` prints it after "Subsystem:": its vendor's
 * name and its own; its vendor's alone when the database has no such
 * subsystem. None when the device has no subsystem IDs (0000 or ffff).
 */
static const char *subsystem_lookup(struct pci_access *a, char *buf, int size,
				    const struct pci_identity *id)
{
	const char *name;

	if (!id->subsys_vendor || id->subsys_vendor == 0xffff)
		return NULL;
	name = pci_lookup_name(a, buf, size, PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE |
			       PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_NO_NUMBERS, id->vendor,
			       id->device, id->subsys_vendor, id->subsys_device);
	if (!name)
		name = pci_lookup_name(a, buf, size, PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_VENDOR |
				       PCI_LOOKUP_NO_NUMBERS, id->subsys_vendor);
	return name;
}

/* false when libpci gave up (db_error): names are left half done */
static bool lookup_all(struct pci_access *a, const struct pci_identity *id,
		       struct pci_names *names)
{
	const int flags = PCI_LOOKUP_NO_NUMBERS;
	char buf[PCI_NAME_LEN];
	jmp_buf jump;

	if (setjmp(jump)) {
		lookup_jump = NULL;
		return false;
	}
	lookup_jump = &jump;
	keep_name(names->vendor_name,
		  pci_lookup_name(a, buf, sizeof(buf), flags | PCI_LOOKUP_VENDOR, id->vendor));
	keep_name(names->device_name,
		  pci_lookup_name(a, buf, sizeof(buf), flags | PCI_LOOKUP_DEVICE, id->vendor,
				  id->device));
	keep_name(names->subsystem_name, subsystem_lookup(a, buf, sizeof(buf), id));
	/* the class and subclass bytes; the programming interface is not named */
	keep_name(names->class_name,
		  pci_lookup_name(a, buf, sizeof(buf), flags | PCI_LOOKUP_CLASS, id->class_id >> 8));
	drop_class_number(names->class_name, id->class_id >> 8);
	lookup_jump = NULL;
	return true;
}

void pci_names_resolve(struct pci_name_db *db, const struct pci_identity *id,
		       struct pci_names *names)
{
	memset(names, 0, sizeof(*names));
	names->resolved = true;
	names->vendor = id->vendor;
	names->device = id->device;
	names->subsys_vendor = id->subsys_vendor;
	names->subsys_device = id->subsys_device;
	names->class_id = id->class_id;
	if (!db || db->broken)
		return;
	if (!lookup_all(db->pacc, id, names)) {
		db->broken = true;
		pci_free_name_list(db->pacc);
		names->vendor_name[0] = names->device_name[0] = '\0';
		names->subsystem_name[0] = names->class_name[0] = '\0';
	}
}
