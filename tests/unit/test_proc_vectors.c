// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * vfio-pci's vectors as /proc/interrupts lists them (proc_vectors.c), which
 * vfiotopd enters at its attach: the lines of x86's /proc/interrupts with
 * an interrupt-remapping IOMMU and without, INTx alone on its line and
 * shared; nothing for other handlers, the summary rows or a name cut short.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "proc_vectors.h"
#include "vfiotop.h"

static void test_vectors(void **state)
{
	struct proc_vector v;

	assert_true(proc_vector_parse(" 28:         21          0  IR-PCI-MSIX-0000:03:00.0    "
				      "0-edge      vfio-msix[0](0000:03:00.0)\n", &v));
	assert_int_equal(v.irq, 28);
	assert_int_equal(v.index, VTOP_IRQ_MSIX);
	assert_int_equal(v.vector, 0);
	assert_int_equal(v.dev, vtop_dev_key(0, 3, 0));
	assert_true(proc_vector_parse("130:   5   7  PCI-MSIX-0001:af:1f.7  12-edge  "
				      "vfio-msix[12](0001:af:1f.7)", &v));
	assert_int_equal(v.irq, 130);
	assert_int_equal(v.vector, 12);
	assert_int_equal(v.dev, vtop_dev_key(1, 0xaf, 0x1f << 3 | 7));
	assert_true(proc_vector_parse(" 40:  1  0  IR-PCI-MSI-0000:05:00.0  0-edge  "
				      "vfio-msi[0](0000:05:00.0)\n", &v));
	assert_int_equal(v.index, VTOP_IRQ_MSI);
	assert_int_equal(v.irq, 40);
	assert_true(proc_vector_parse(" 11:   4   0  IR-IO-APIC  11-fasteoi  "
				      "vfio-intx(0000:05:00.0)\n", &v));
	assert_int_equal(v.index, VTOP_IRQ_INTX);
	assert_int_equal(v.vector, 0);
	assert_int_equal(v.irq, 11);
	assert_int_equal(v.dev, vtop_dev_key(0, 5, 0));
	assert_true(proc_vector_parse(" 16:  9  3  IO-APIC  16-fasteoi   uhci_hcd:usb1, "
				      "vfio-intx(0000:00:1d.2), vfio-intx(0000:00:1f.0)\n", &v));
	assert_int_equal(v.index, VTOP_IRQ_INTX);
	assert_int_equal(v.irq, 16);
	assert_int_equal(v.dev, vtop_dev_key(0, 0, 0x1d << 3 | 2));
}

static void test_not_vectors(void **state)
{
	static const char *const lines[] = {
		"           CPU0       CPU1\n",
		" 11:   4   0  IR-IO-APIC  11-fasteoi  vfio-intx(0000:05:00.0\n",
		" 11:   4   0  IR-IO-APIC  11-fasteoi  vfio-intx(0000:05:00.9)\n",
		" 11:   4   0  IR-IO-APIC  11-fasteoi  xvfio-intx(0000:05:00.0)\n",
		" 29:   4   0  IR-PCI-MSIX-0000:02:00.0  0-edge  nvme0q0\n",
		"NMI:   0   0   Non-maskable interrupts\n",
		" 28:   21   0  IR-PCI-MSIX-0000:03:00.0  0-edge  vfio-msix[0](0000:03:00.0\n",
		" 28:   21   0  IR-PCI-MSIX-0000:03:00.0  0-edge  vfio-msix[70000](0000:03:00.0)\n",
		" 28:   21   0  IR-PCI-MSIX-0000:03:00.0  0-edge  vfio-msix[1](0000:03:20.0)\n",
		"x28:   21   0  vfio-msix[1](0000:03:00.0)\n",
		"",
	};
	struct proc_vector v;

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		assert_false(proc_vector_parse(lines[i], &v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_not_vectors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
