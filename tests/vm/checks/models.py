"""What each kernel's model of how vfio-pci maps a BAR expects from a
workload's ground truth, which kprobes must count the same, and which hooks
must be attached."""

KIB4, MIB2, GIB1 = 4096, 2 << 20, 1 << 30


def dmabuf_moves(w):
    """7.x revokes a device's dma-bufs at every zap and restores them when
    memory is enabled again (after each memory-disable write's re-enable,
    and at the end of each reset): while the workload's exports are open."""
    return w["mem_disable_writes"] + w["resets_attempted"] if w.get("dmabufs_ok") else 0


def common(w, bar_reservations=None):
    """What every kernel does the same way. bar_reservations: how many BAR
    reservations (pci_iomap) the workload's open and mmap made."""
    resets = w["resets_attempted"]
    return {
        "faults.sigbus": w["sigbus_delivered"],
        "faults.by_origin.kernel": 0,
        "zaps.count": w["mem_disable_writes"] + resets,
        "zaps.by_reason.mem_disable": w["mem_disable_writes"],
        "zaps.by_reason.reset": resets,
        # vfio-pci resets a device when it is first opened, and on each ioctl
        "resets.by_origin.reset": resets,
        "resets.by_origin.open": 1,
        "resets.count": 1 + resets,
        "mmaps.count": w["mmaps"],
        "mmaps.bytes": w["mmaps"] * w["bar_size"],
        # the workload's mmap a page past the BAR's end
        "mmaps.failed": w["mmaps_failed"],
        # the workload's VFIO_DEVICE_GET_REGION_INFO: its BAR's and config space's
        "mmaps.region_info_requests": w["region_info_requests"],
        # the BARs' own reservations: pci_iomap of the mapped BAR at the first
        # mmap after open (6.x), of every memory BAR at open (7.x)
        "memtype.reserved": "uc-",
        "memtype.reservations": w["mmaps"] if bar_reservations is None else bar_reservations,
        "memtype.mismatches": 0,
        # one thread faulting: no fault can find another's entry
        "faults.found_mapped": 0 if w.get("touch_threads", 1) == 1 else None,
        "dmabuf.exports": w.get("dmabufs_ok", 0),
        "dmabuf.exports_failed": w.get("dmabuf_attempts", 0) - w.get("dmabufs_ok", 0),
        "dmabuf.bytes": w.get("dmabuf_bytes", 0),
        "dmabuf.revokes": dmabuf_moves(w),
        "dmabuf.restores": dmabuf_moves(w),
    }


def expect_whole_vma(w):
    """6.1: vfio_pci_mmap_fault maps the whole vma on the first touch and
    records the vma; a zap unmaps every recorded vma and forgets it."""
    pages = w["bar_size"] // KIB4
    dma = 1 if w["dma_map_ok"] else 0
    sigbus = w["sigbus_delivered"]
    # the vma is mapped when a zap comes: after each round's touch, and for
    # the first reset after the DMA-map fault put it back
    mapped_zaps = w["rounds"] + (1 if dma and w["resets_attempted"] else 0)
    remaps = w["rounds"] + dma
    e = common(w)
    e.update({
        "faults.count": w["rounds"] + sigbus + dma,
        "faults.by_order.whole_vma": w["rounds"] + sigbus + dma,
        "faults.by_order.0": 0,
        "faults.by_origin.user": w["rounds"] + sigbus,
        "faults.by_origin.dma_map": dma,
        "mapped.pages_4k": remaps * pages,
        "mapped.pages_2m": 0,
        "mapped.pages_1g": 0,
        "zaps.vmas": mapped_zaps,
        "zaps.bytes": mapped_zaps * w["bar_size"],
        "memtype.lookups": remaps,
        "memtype.by_mode.uc-": remaps,
    })
    return e


def expect_huge(w, model="huge"):
    """6.12: each fault maps one entry of the largest size the mapping's
    alignment allows; a zap is one unmap_mapping_range over the BAR range,
    which visits every vma of the device file, mapped or not.

    The core mm leaves the alignment check of a huge fault to the handler:
    the first touch in a 1 GiB region whose PUD entry is still empty calls
    huge_fault(order 18), which vfio-pci declines (FALLBACK). Whether that
    happens depends on what else shares the region, so the order-18 count of
    a 2 MiB-aligned BAR is not predicted; check_device() requires every such
    call to be a fallback."""
    size, addr = w["bar_size"], w["map_addr"]
    dma = 1 if w["dma_map_ok"] else 0
    sigbus = w["sigbus_delivered"]
    e = common(w, w["mem_bars"] if model == "huge7" else None)
    e.update({"zaps.vmas": e["zaps.count"], "zaps.bytes": e["zaps.count"] * size})
    for unit, key, order in ((GIB1, "mapped.pages_1g", "18"), (MIB2, "mapped.pages_2m", "9")):
        if addr % unit == 0 and size % unit == 0:
            n = size // unit
            e.update({
                f"faults.by_order.{order}": (w["rounds"] + dma) * n + sigbus,
                "faults.by_order.0": 0,
                "faults.by_order.whole_vma": 0,
                "faults.by_origin.dma_map": dma * n,
                "mapped.pages_4k": 0,
                "mapped.pages_2m": 0,
                "mapped.pages_1g": 0,
                "memtype.lookups": (w["rounds"] + dma) * n,
                "memtype.by_mode.uc-": (w["rounds"] + dma) * n,
            })
            e[key] = (w["rounds"] + dma) * n
            return e
    # off a PMD boundary: 4 KiB pages, after order-9 attempts that fall back
    # (how many is the kernel's business: cross-checked with kprobes instead)
    pages = (w["rounds"] + dma) * (size // KIB4)
    e.update({"faults.by_order.0": pages + sigbus,
              "mapped.pages_4k": pages, "mapped.pages_2m": 0, "mapped.pages_1g": 0,
              "memtype.lookups": pages, "memtype.by_mode.uc-": pages})
    return e


def expect_per_page(w):
    """6.1 with the seed series (and 6.10/6.11): vfio_pci_mmap_fault inserts
    one 4 KiB page per fault wherever the BAR is mapped; the DMA-map pass
    faults each page in through fixup_user_fault; zaps as on 6.12."""
    pages = w["bar_size"] // KIB4
    dma = 1 if w["dma_map_ok"] else 0
    sigbus = w["sigbus_delivered"]
    faulted = (w["rounds"] + dma) * pages
    e = common(w)
    e.update({
        "faults.count": faulted + sigbus,
        "faults.by_order.0": faulted + sigbus,
        "faults.by_order.whole_vma": 0,
        "faults.by_origin.user": w["rounds"] * pages + sigbus,
        "faults.by_origin.dma_map": dma * pages,
        "faults.fallback": 0,
        "mapped.pages_4k": faulted,
        "mapped.pages_2m": 0,
        "mapped.pages_1g": 0,
        "zaps.vmas": e["zaps.count"],
        "zaps.bytes": e["zaps.count"] * w["bar_size"],
        "memtype.lookups": faulted,
        "memtype.by_mode.uc-": faulted,
    })
    return e


def expect_huge7(w):
    """7.x: faults as on 6.12; vfio-pci iomaps every memory BAR when the
    device is opened, so the reservations come with the open, not the mmap."""
    return expect_huge(w, "huge7")


MODELS = {"whole_vma": expect_whole_vma, "huge": expect_huge, "per_page": expect_per_page,
          "huge7": expect_huge7}

# kprobe (hits in the workload's window) -> snapshot field it must equal
KPROBE_FIELDS = {
    "whole_vma": {
        "vfio_pci_mmap_fault": "faults.count",
        "vfio_pci_zap_and_vma_lock": "zaps.count",
        "zap_vma_ptes": "zaps.vmas",
        "vfio_pci_core_mmap": "mmaps.count+mmaps.failed",
        "reserve_pfn_range": "memtype.lookups",
    },
    "per_page": {
        "vfio_pci_mmap_fault": "faults.count",
        "zap_page_range_single": "zaps.vmas",
        "vfio_pci_core_mmap": "mmaps.count+mmaps.failed",
    },
    "huge": {
        "vfio_pci_mmap_huge_fault": "faults.count",
        "vmf_insert_pfn_pmd": "mapped.pages_2m",
        "vmf_insert_pfn_pud": "mapped.pages_1g",
        "zap_page_range_single": "zaps.vmas",
        "vfio_pci_core_mmap": "mmaps.count+mmaps.failed",
    },
    "huge7": {
        "vfio_pci_mmap_huge_fault": "faults.count",
        "vmf_insert_pfn_pmd": "mapped.pages_2m",
        "vmf_insert_pfn_pud": "mapped.pages_1g",
        "zap_vma_range_batched": "zaps.vmas",
        "vfio_pci_core_mmap": "mmaps.count+mmaps.failed",
    },
}

# the first daemon runs with --memtype-faults and --irq-waits, hence lookup_memtype
# and the eventfd hooks
REQUIRED_HOOKS = {
    "whole_vma": ["vfio_pci_mmap_fault", "remap_pfn_range", "vfio_pci_zap_and_vma_lock",
                  "reserve_pfn_range"],
    "huge": ["vfio_pci_mmap_huge_fault", "unmap_mapping_range", "lookup_memtype"],
    # patched 6.1: the fault tracepoint replaces the handler's hooks and lookup_memtype
    "per_page": ["vfio_pci_fault", "unmap_mapping_range"],
    "huge7": ["vfio_pci_mmap_huge_fault", "unmap_mapping_range", "lookup_memtype",
              "zap_vma_range_batched", "vfio_pci_dma_buf_move", "vfio_pci_dma_buf_release",
              "dma_buf_export"],
}
for m in ("whole_vma", "huge", "per_page"):
    REQUIRED_HOOKS[m].append("zap_page_range_single")
COMMON_HOOKS = ["vfio_pci_core_mmap", "pci_try_reset_function", "memtype_reserve",
                "vfio_pci_core_ioctl", "vfio_basic_config_write",
                "vfio_pci_core_ioctl_feature", "vfio_pci_core_enable", "vfio_pci_core_disable",
                "__connect", "__disconnect", "eventfd_ctx_fdget", "eventfd_read"]
