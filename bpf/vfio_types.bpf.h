/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfio-pci types live in module BTF, not in vmlinux.h: declare just the
 * fields we read and let CO-RE relocate them against the running module.
 */
#ifndef VFIO_TYPES_BPF_H
#define VFIO_TYPES_BPF_H

/* 6.10+: the device's own inode, whose address space the BAR mmaps live in */
struct vfio_device {
	struct inode *inode;
} __attribute__((preserve_access_index));

struct vfio_pci_core_device {
	struct pci_dev *pdev;
	__u8 *pci_config_map;	/* a capability id per config space byte */
	struct rw_semaphore memory_lock;	/* held to write across zaps and resets */
} __attribute__((preserve_access_index));

/* irqbypass.ko: what vfio-pci registers for each MSI and MSI-X vector */
struct irq_bypass_producer {
	int irq;
} __attribute__((preserve_access_index));

/* an ioeventfd vfio-pci writes to the device for when it is signalled */
struct vfio_pci_ioeventfd {
	struct vfio_pci_core_device *vdev;
} __attribute__((preserve_access_index));

/* 7.x: BARs exported as DMA-BUFs (drivers/vfio/pci/vfio_pci_dmabuf.c) */
struct vfio_pci_core_device___dmabufs {
	struct list_head dmabufs;
} __attribute__((preserve_access_index));

struct vfio_pci_dma_buf {
	struct list_head dmabufs_elm;
	__u8 revoked:1;
	size_t size;
	struct phys_vec___vtop {
		__u64 paddr;
		size_t len;
	} *phys_vec;
} __attribute__((preserve_access_index));

struct dma_buf_export_info___vtop {
	size_t size;
	void *priv;
} __attribute__((preserve_access_index));

/* rwsem owner bits (kernel/locking/rwsem.c): the rest is the writer's task */
#define VTOP_RWSEM_READER_OWNED	1UL
#define VTOP_RWSEM_OWNER_MASK	7UL

/*
 * Up to 6.9 vfio-pci tracked faulted vmas itself, and its fault handler
 * mapped the whole vma at once; the field tells the two designs apart.
 */
struct vfio_pci_core_device___vma_list {
	struct list_head vma_list;
} __attribute__((preserve_access_index));

/*
 * struct vfio_device is the first member of struct vfio_pci_core_device, so
 * the pointers vfio-pci passes around (core_vdev, vdev) are the same address.
 */

/*
 * VFIO_PCI_OFFSET_SHIFT: the region index sits in the top bits of the
 * device fd offset, so vm_pgoff >> (40 - PAGE_SHIFT) is the BAR index.
 */
#define VTOP_VFIO_PCI_OFFSET_SHIFT	40
#define VTOP_PAGE_SHIFT			12

/* _IO(VFIO_TYPE, VFIO_BASE + n) from uapi/linux/vfio.h */
#define VTOP_VFIO_DEVICE_GET_REGION_INFO	0x3b6c
#define VTOP_VFIO_DEVICE_SET_IRQS	0x3b6e
#define VTOP_VFIO_DEVICE_RESET		0x3b6f
#define VTOP_VFIO_DEVICE_PCI_HOT_RESET	0x3b71
#define VTOP_VFIO_DEVICE_IOEVENTFD	0x3b74

/* PCI_CAP_ID_* of include/uapi/linux/pci_regs.h, and vfio-pci's own ids */
#define VTOP_PCI_CAP_ID_BASIC	0x00	/* vfio_pci_config.c: the header */
#define VTOP_PCI_CAP_ID_PM	0x01
#define VTOP_PCI_CAP_ID_MSI	0x05
#define VTOP_PCI_CAP_ID_EXP	0x10
#define VTOP_PCI_CAP_ID_MSIX	0x11
#define VTOP_PCI_CAP_ID_AF	0x13
#define VTOP_PCI_CAP_ID_INVALID_VIRT	0xfe	/* vfio_pci_priv.h: in no capability */
#define VTOP_PCI_CFG_SPACE_SIZE	256	/* extended capabilities begin here */

/* VFIO_DEVICE_FEATURE: the feature is the low 16 bits of its flags */
#define VTOP_VFIO_DEVICE_FEATURE_MASK			0xffff
#define VTOP_VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY	3
#define VTOP_VFIO_DEVICE_FEATURE_LOW_POWER_EXIT		5	/* 4: entry with wakeup */
#define VTOP_VFIO_DEVICE_FEATURE_DMA_BUF		11

/* vm_fault_t bits from include/linux/mm_types.h */
#define VTOP_VM_FAULT_OOM		0x000001
#define VTOP_VM_FAULT_SIGBUS	0x000002
#define VTOP_VM_FAULT_NOPAGE	0x000100
#define VTOP_VM_FAULT_FALLBACK	0x000800

/* fault orders that map one PTE, PMD or PUD on x86-64 */
#define VTOP_ORDER_PMD		9
#define VTOP_ORDER_PUD		18

#endif /* VFIO_TYPES_BPF_H */
