// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What a kernel uevent says to vfiotopd (uevent.c): a vfio module loaded or
 * gone, a PCI device added, removed, bound, unbound or changed; nothing for
 * other modules, other subsystems, other actions, or a message cut short.
 * The messages are the kernel's own (udevadm monitor --kernel --property).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "uevent.h"

/* "A\0B\0" from "A|B|": the kernel's NUL-separated strings */
static unsigned int parse(const char *text)
{
	char msg[1024];
	size_t len = strlen(text);

	assert_true(len < sizeof(msg));
	for (size_t i = 0; i < len; i++)
		msg[i] = text[i] == '|' ? '\0' : text[i];
	return uevent_parse(msg, len);
}

static void test_modules(void **state)
{
	(void)state;
	assert_int_equal(parse("add@/module/vfio_pci|ACTION=add|DEVPATH=/module/vfio_pci|"
			       "SUBSYSTEM=module|SEQNUM=2291|"), UEVENT_VFIO_MODULES);
	assert_int_equal(parse("remove@/module/vfio_pci_core|ACTION=remove|"
			       "DEVPATH=/module/vfio_pci_core|SUBSYSTEM=module|SEQNUM=2301|"),
			 UEVENT_VFIO_MODULES);
	assert_int_equal(parse("add@/module/vfio_iommu_type1|ACTION=add|"
			       "DEVPATH=/module/vfio_iommu_type1|SUBSYSTEM=module|SEQNUM=7|"),
			 UEVENT_VFIO_MODULES);
	/* another module, or a vfio one's other actions: nothing */
	assert_int_equal(parse("add@/module/e1000e|ACTION=add|DEVPATH=/module/e1000e|"
			       "SUBSYSTEM=module|SEQNUM=8|"), 0);
	assert_int_equal(parse("change@/module/vfio|ACTION=change|DEVPATH=/module/vfio|"
			       "SUBSYSTEM=module|SEQNUM=9|"), 0);
	/* a driver of the same name is not the module */
	assert_int_equal(parse("add@/bus/pci/drivers/vfio-pci|ACTION=add|"
			       "DEVPATH=/bus/pci/drivers/vfio-pci|SUBSYSTEM=drivers|SEQNUM=10|"), 0);
}

static void test_pci_devices(void **state)
{
	static const char *const actions[] = { "add", "remove", "bind", "unbind", "change" };
	char text[512];

	(void)state;
	for (size_t i = 0; i < 5; i++) {
		snprintf(text, sizeof(text), "%s@/devices/pci0000:00/0000:00:02.0/0000:01:00.0|"
			 "ACTION=%s|DEVPATH=/devices/pci0000:00/0000:00:02.0/0000:01:00.0|"
			 "SUBSYSTEM=pci|DRIVER=vfio-pci|PCI_SLOT_NAME=0000:01:00.0|SEQNUM=%zu|",
			 actions[i], actions[i], 3000 + i);
		assert_int_equal(parse(text), UEVENT_PCI_DEVICES | (i ? 0 : UEVENT_PCI_ADDED));
	}
	assert_int_equal(parse("move@/devices/pci0000:00/0000:00:03.0|ACTION=move|"
			       "DEVPATH=/devices/pci0000:00/0000:00:03.0|SUBSYSTEM=pci|"), 0);
	/* another bus */
	assert_int_equal(parse("add@/devices/virtual/net/tap0|ACTION=add|"
			       "DEVPATH=/devices/virtual/net/tap0|SUBSYSTEM=net|"), 0);
}

static void test_malformed(void **state)
{
	const char cut[] = "add@/module/vfio_pci\0ACTION=add\0DEVPATH=/module/vfio_pci\0"
			   "SUBSYSTEM=mod";

	(void)state;
	/* the last string not ended inside the message */
	assert_int_equal(uevent_parse(cut, sizeof(cut) - 1), 0);
	assert_int_equal(uevent_parse("", 0), 0);
	/* a field missing, or a key without "=" */
	assert_int_equal(parse("add@/module/vfio_pci|ACTION=add|SUBSYSTEM=module|"), 0);
	assert_int_equal(parse("add@/module/vfio_pci|ACTION|DEVPATH|SUBSYSTEM|"), 0);
	/* udev's own messages (group 2) are not the kernel's text */
	assert_int_equal(parse("libudev|"), 0);
}

/* a socket of the kernel's uevents: nothing waiting, nothing said, no block */
static void test_socket(void **state)
{
	int fd = uevent_open();

	(void)state;
	if (fd < 0)
		fail_msg("uevent_open: %s", strerror(-fd));
	assert_int_equal(uevent_drain(fd), 0);
	close(fd);
	assert_int_equal(uevent_drain(-1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modules),
		cmocka_unit_test(test_pci_devices),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_socket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
