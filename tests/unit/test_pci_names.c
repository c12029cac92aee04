// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * PCI names (pci_names.c) from a small pci.ids this test writes: known IDs
 * named, unknown ones "", and a missing or malformed database "" everywhere
 * without libpci's default of exiting.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pci_names.h"
#include "utf8.h"

/* the format of pci.ids: vendor, <TAB>device, <TAB><TAB>subvendor subdevice; C class, <TAB>subclass */
static const char fake_ids[] =
	"# a few lines of the PCI ID database, as pci.ids writes them\n"
	"0000  Gammagraphx, Inc. (or missing ID)\n"
	"1af4  Red Hat, Inc.\n"
	"\t1000  Virtio network device\n"
	"\t1110  Inter-VM shared memory\n"
	"\t\t1af4 1100  QEMU Virtual Machine\n"
	"1b36  Red Hat, Inc.\n"
	"\t0010  QEMU NVM Express Controller\n"
	"abcd  Caf\xc3\xa9 \xff Devices\n"
	"C 05  Memory controller\n"
	"\t00  RAM memory\n"
	"\t80  Memory controller\n"
	"C 02  Network controller\n"
	"\t00  Ethernet controller\n";

struct files {
	char dir[PATH_MAX];
	char ids[PATH_MAX];	/* fake_ids */
	char bad[PATH_MAX];	/* a line libpci cannot parse */
	char none[PATH_MAX];	/* not there */
};

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		fail_msg("create %s: %s", path, strerror(errno));
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	struct files *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/vfiotop-pci-names.XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->ids, sizeof(f->ids), "%s/pci.ids", f->dir);
	snprintf(f->bad, sizeof(f->bad), "%s/bad.ids", f->dir);
	snprintf(f->none, sizeof(f->none), "%s/missing.ids", f->dir);
	write_text(f->ids, fake_ids);
	write_text(f->bad, "1af4  Red Hat, Inc.\n\t1110  Inter-VM shared memory\nthis is no ID line\n");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct files *f = *state;

	unlink(f->ids);
	unlink(f->bad);
	rmdir(f->dir);
	free(f);
	return 0;
}

static struct pci_identity ivshmem(void)
{
	return (struct pci_identity){ .present = true, .vendor = 0x1af4, .device = 0x1110,
				      .subsys_vendor = 0x1af4, .subsys_device = 0x1100,
				      .class_id = 0x050000 };
}

static void assert_all_empty(const struct pci_names *n)
{
	assert_true(n->resolved);
	assert_string_equal(n->vendor_name, "");
	assert_string_equal(n->device_name, "");
	assert_string_equal(n->subsystem_name, "");
	assert_string_equal(n->class_name, "");
}

static void names_of_a_known_device(void **state)
{
	struct files *f = *state;
	struct pci_name_db *db = pci_name_db_open(f->ids);
	struct pci_identity id = ivshmem();
	struct pci_names n;

	assert_non_null(db);
	pci_names_resolve(db, &id, &n);
	assert_true(n.resolved);
	assert_string_equal(n.vendor_name, "Red Hat, Inc.");
	assert_string_equal(n.device_name, "Inter-VM shared memory");
	assert_string_equal(n.subsystem_name, "Red Hat, Inc. QEMU Virtual Machine");
	assert_string_equal(n.class_name, "RAM memory");
	assert_true(n.vendor == 0x1af4 && n.device == 0x1110 && n.subsys_vendor == 0x1af4 &&
		    n.subsys_device == 0x1100 && n.class_id == 0x050000);

	/* another device of the same file: the list stays parsed between lookups */
	id = (struct pci_identity){ .present = true, .vendor = 0x1b36, .device = 0x0010,
				    .subsys_vendor = 0x1af4, .subsys_device = 0x1100,
				    .class_id = 0x028000 };
	pci_names_resolve(db, &id, &n);
	assert_string_equal(n.vendor_name, "Red Hat, Inc.");
	assert_string_equal(n.device_name, "QEMU NVM Express Controller");
	/* the subsystem's own line is under 1af4:1110: here only its vendor is known */
	assert_string_equal(n.subsystem_name, "Red Hat, Inc.");
	/* the class is named, not its subclass 80: the name without libpci's " [0280]" */
	assert_string_equal(n.class_name, "Network controller");
	pci_name_db_close(db);
}

static void unknown_ids_are_empty(void **state)
{
	struct files *f = *state;
	struct pci_name_db *db = pci_name_db_open(f->ids);
	/* 8086 is in every real pci.ids (and udev's hwdb): the fake file decides alone */
	struct pci_identity id = { .present = true, .vendor = 0x8086, .device = 0x1572,
				   .subsys_vendor = 0x8086, .subsys_device = 0x0001,
				   .class_id = 0xff0000 };
	struct pci_names n;

	pci_names_resolve(db, &id, &n);
	assert_all_empty(&n);

	/* a known vendor's unknown device, and no subsystem IDs at all */
	id = ivshmem();
	id.device = 0x9999;
	id.subsys_vendor = 0;
	id.subsys_device = 0;
	pci_names_resolve(db, &id, &n);
	assert_string_equal(n.vendor_name, "Red Hat, Inc.");
	assert_string_equal(n.device_name, "");
	/* subsystem 0000 means none, though the database names a vendor 0000 */
	assert_string_equal(n.subsystem_name, "");
	assert_string_equal(n.class_name, "RAM memory");
	id.subsys_vendor = 0xffff;
	pci_names_resolve(db, &id, &n);
	assert_string_equal(n.subsystem_name, "");
	pci_name_db_close(db);
}

static void missing_database_gives_empty_names(void **state)
{
	struct files *f = *state;
	struct pci_name_db *db = pci_name_db_open(f->none);
	struct pci_identity id = ivshmem();
	struct pci_names n;

	assert_non_null(db);
	pci_names_resolve(db, &id, &n);
	assert_all_empty(&n);
	pci_names_resolve(db, &id, &n);	/* asked again: still nothing, no crash */
	assert_all_empty(&n);
	pci_name_db_close(db);

	pci_names_resolve(NULL, &id, &n);	/* no database at all */
	assert_all_empty(&n);
	assert_true(pci_names_current(&n, &id));
}

/* libpci's own error handler exits the process: this test would not return */
static void malformed_database_gives_empty_names(void **state)
{
	struct files *f = *state;
	struct pci_name_db *db = pci_name_db_open(f->bad);
	struct pci_identity id = ivshmem();
	struct pci_names n;

	pci_names_resolve(db, &id, &n);
	assert_all_empty(&n);
	pci_name_db_release(db);
	pci_names_resolve(db, &id, &n);	/* given up on: not parsed again */
	assert_all_empty(&n);
	pci_name_db_close(db);
}

/* released, the list is parsed again for the next identity */
static void released_database_parses_again(void **state)
{
	struct files *f = *state;
	struct pci_name_db *db = pci_name_db_open(f->ids);
	struct pci_identity id = ivshmem();
	struct pci_names n;

	pci_names_resolve(db, &id, &n);
	pci_name_db_release(db);
	memset(&n, 0, sizeof(n));
	pci_names_resolve(db, &id, &n);
	assert_string_equal(n.device_name, "Inter-VM shared memory");
	pci_name_db_release(db);
	pci_name_db_release(db);
	pci_name_db_close(db);
	pci_name_db_close(NULL);
	pci_name_db_release(NULL);
}

/* a byte that is no UTF-8 becomes '?': JSON and Prometheus labels need valid text */
static void names_are_utf8(void **state)
{
	struct files *f = *state;
	struct pci_name_db *db = pci_name_db_open(f->ids);
	struct pci_identity id = { .present = true, .vendor = 0xabcd };
	struct pci_names n;

	pci_names_resolve(db, &id, &n);
	assert_string_equal(n.vendor_name, "Caf\xc3\xa9 ? Devices");
	for (const unsigned char *s = (const unsigned char *)n.vendor_name; *s;) {
		int len = *s < 0x80 ? 1 : utf8_seq_len(s);

		assert_true(len > 0);
		s += len;
	}
	pci_name_db_close(db);
}

/* names are looked up again only when one of the numbers changed */
static void current_until_a_number_changes(void **state)
{
	struct files *f = *state;
	struct pci_name_db *db = pci_name_db_open(f->ids);
	struct pci_identity id = ivshmem(), other;
	struct pci_names n = { 0 };

	assert_false(pci_names_current(&n, &id));
	pci_names_resolve(db, &id, &n);
	assert_true(pci_names_current(&n, &id));
	other = id;
	other.driver[0] = 'x';		/* not a number of the identity's names */
	other.iommu_group = 7;
	assert_true(pci_names_current(&n, &other));
	other = id;
	other.vendor = 0x1b36;
	assert_false(pci_names_current(&n, &other));
	other = id;
	other.device = 0x1000;
	assert_false(pci_names_current(&n, &other));
	other = id;
	other.subsys_vendor = 0x1b36;
	assert_false(pci_names_current(&n, &other));
	other = id;
	other.subsys_device = 0x1101;
	assert_false(pci_names_current(&n, &other));
	other = id;
	other.class_id = 0x058000;
	assert_false(pci_names_current(&n, &other));
	pci_name_db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(names_of_a_known_device, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_ids_are_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_database_gives_empty_names, setup, teardown),
		cmocka_unit_test_setup_teardown(malformed_database_gives_empty_names, setup,
						teardown),
		cmocka_unit_test_setup_teardown(released_database_parses_again, setup, teardown),
		cmocka_unit_test_setup_teardown(names_are_utf8, setup, teardown),
		cmocka_unit_test_setup_teardown(current_until_a_number_changes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
