/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Every number a device shows, once: its place in the JSON document, where
 * it comes from, its Prometheus family and its help. The snapshot writer,
 * /metrics, the live view's detail, the docs' tables and the unit test that
 * pairs /metrics with /json all expand this list, so a counter added here
 * (with its field in vfiotop.h and its increment in bpf/) shows everywhere.
 *
 * Rows, in the order the JSON object writes them:
 *
 *   NUM(id, path, src, unit, family, type, view, help, doc)
 *	one number. id: the row's C name; path: where under a device in
 *	/json; src: S(field) a counter of struct device_stats, or D(fn) a
 *	value fn(device, key, now_ns) works out; unit: COUNT, BYTES or NS (a
 *	family shows NS in seconds); family: the Prometheus family, "" for
 *	none; type: COUNTER, GAUGE (NONE without a family); view: SHOW listed
 *	by the live view's detail while not 0 (in its object's heading, or
 *	under "Other numbers"), HIDE where the view shows it its own way or
 *	not at all; help: one sentence, the family's HELP and the docs';
 *	doc: what docs/json.md says after it ("" nothing), markdown.
 *
 *   KEYED(id, path, keys, src, unit, family, label, relabel, json, help, doc)
 *	a number per key of keys (struct key_set): an object of them at path,
 *	or, where path ends in "_%s", one member per key beside the others.
 *	src: S(array) indexed as keys say, or D(fn) fn(device, key, now_ns);
 *	label: the family's label, its values the keys' names unless relabel
 *	names them; json: OWN where this row writes them, BYPART where a part
 *	below writes them with another row's numbers (resets.attempts),
 *	SPARSE as OWN, but /metrics has samples only for keys not 0 (where
 *	keys × devices would make series mostly 0: regions).
 *
 *   PART(path, writer)
 *	a hand-written piece of the object at this place: identity, strings,
 *	histograms, lists. writer(w, device, now_ns, details) writes members of
 *	the object at path ("" the device object itself).
 *
 * Nested objects open and close as the paths go: rows of one object stay
 * together.
 */
#ifndef VFIOTOP_DEVICE_NUMBERS_H
#define VFIOTOP_DEVICE_NUMBERS_H

#define VTOP_DEVICE_NUMBERS(NUM, KEYED, PART)						\
	PART("", identity_part)								\
	NUM(faults_count, "faults.count", S(faults), COUNT, "", NONE, HIDE,		\
	    "Calls of vfio-pci's BAR fault handler.",					\
	    "")										\
	NUM(faults_sigbus, "faults.sigbus", S(faults_by_result[VTOP_FRES_SIGBUS]),	\
	    COUNT, "vfiotop_fault_sigbus_total", COUNTER, SHOW,				\
	    "Faults that ended in SIGBUS.",						\
	    "`VM_FAULT_SIGBUS`: a BAR access while memory decoding is off, or the "	\
	    "device in low power.")							\
	NUM(faults_oom, "faults.oom", S(faults_by_result[VTOP_FRES_OOM]), COUNT,	\
	    "vfiotop_fault_oom_total", COUNTER, SHOW,					\
	    "Faults that ended in VM_FAULT_OOM.",					\
	    "")										\
	NUM(faults_fallback, "faults.fallback",						\
	    S(faults_by_result[VTOP_FRES_FALLBACK]), COUNT,				\
	    "vfiotop_fault_fallbacks_total", COUNTER, SHOW,				\
	    "Huge faults that fell back to a smaller page size.",			\
	    "`VM_FAULT_FALLBACK`: a huge fault declined (misaligned, or a PUD "		\
	    "attempt on a BAR smaller than 1 GiB); a smaller one follows.")		\
	NUM(faults_found_mapped, "faults.found_mapped", S(faults_found_mapped), COUNT,	\
	    "vfiotop_fault_found_mapped_total", COUNTER, SHOW,				\
	    "Faults that found their entry installed by a racing fault (no page "	\
	    "mapped).",									\
	    "`VM_FAULT_NOPAGE` without installing anything: a racing fault (another "	\
	    "thread, or the DMA-map pass) had put the same entry in first; on 6.1, a "	\
	    "whole-vma fault on a vma another fault had mapped. Not pages.")		\
	KEYED(faults_by_origin, "faults.by_origin", fault_origin_keys,			\
	      S(faults_by_origin), COUNT, "vfiotop_faults_total", "origin", NULL, OWN,	\
	      "Faults on BAR mmaps, by who caused them.",				\
	      "`user`: a CPU access in userspace (`FAULT_FLAG_USER`); `dma_map`: taken " \
	      "by vfio_iommu_type1 while pinning the BAR for `VFIO_IOMMU_MAP_DMA` "	\
	      "(peer-to-peer DMA mapping, QEMU's BAR mapping path), the faults flagged " \
	      "`FAULT_FLAG_REMOTE`; `kernel`: other kernel-mode faults (e.g. KVM "	\
	      "resolving a guest access through `fixup_user_fault`, uaccess).")		\
	KEYED(faults_by_order, "faults.by_order", fault_order_keys,			\
	      S(faults_by_order), COUNT, "vfiotop_faults_by_size_total", "size",	\
	      fault_order_size, OWN,							\
	      "Faults on BAR mmaps, by the page size they mapped (vma: the whole vma "	\
	      "at once).",								\
	      "JSON keys are the sizes asked for: `\"0\"` (4 KiB), `\"9\"` (2 MiB, PMD), "	\
	      "`\"18\"` (1 GiB, PUD) on kernels with per-page/huge faults (6.10+); "	\
	      "`whole_vma` on 6.1, whose handler maps the whole vma at once. A huge "	\
	      "fault that falls back counts under its order and in `faults.fallback`.")	\
	PART("faults", latency_part)							\
	KEYED(mapped_pages, "mapped.pages_%s", page_size_keys, S(pages), COUNT,		\
	      "vfiotop_mapped_pages_total", "size", NULL, OWN,				\
	      "Page table entries inserted for BAR mappings, by page size.",		\
	      "Each entry once, however many faults raced for it.")			\
	NUM(mapped_bytes, "mapped.bytes", D(dv_mapped_bytes), BYTES,			\
	    "vfiotop_mapped_bytes_total", COUNTER, HIDE,				\
	    "Bytes of BAR mapped by faults.",						\
	    "The sum of the pages' sizes.")						\
	NUM(zaps_count, "zaps.count", S(rare.zaps), COUNT, "", NONE, HIDE,			\
	    "Device-level invalidations of the BAR mappings.",				\
	    "Whether or not anything was mapped.")					\
	NUM(zaps_bytes, "zaps.bytes", S(rare.zap_bytes), BYTES,				\
	    "vfiotop_zapped_bytes_total", COUNTER, SHOW,				\
	    "Bytes of BAR mappings zapped.",						\
	    "On 6.1 only the vmas that had faulted since the last zap (vfio-pci's "	\
	    "own list); on 6.10+ every vma of the device file that intersects the "	\
	    "BAR range (`unmap_mapping_range` walks them all, mapped or not).")		\
	NUM(zaps_vmas, "zaps.vmas", S(rare.zap_vmas), COUNT, "vfiotop_zapped_vmas_total",	\
	    COUNTER, SHOW,								\
	    "vmas zapped.",								\
	    "Counted as `zaps.bytes` is.")						\
	NUM(zaps_failed, "zaps.failed", S(rare.zaps_failed), COUNT,				\
	    "vfiotop_zap_failures_total", COUNTER, SHOW,				\
	    "Zaps that failed.",							\
	    "A zap that gave up on a trylock (hot reset racing busy faults).")		\
	NUM(zaps_time, "zaps.time_ns", S(rare.zap_ns_sum), NS, "vfiotop_zap_seconds_total",	\
	    COUNTER, SHOW,								\
	    "Time spent zapping.",							\
	    "")										\
	KEYED(zaps_by_reason, "zaps.by_reason", zap_reason_keys, S(rare.zaps_by_reason),	\
	      COUNT, "vfiotop_zaps_total", "reason", NULL, OWN,				\
	      "Times vfio-pci invalidated the BAR mappings, by reason.",		\
	      "`mem_disable` (config write clearing PCI_COMMAND memory), `power_state` " \
	      "(PM control write), `flr` (FLR by config write), `reset` "		\
	      "(`VFIO_DEVICE_RESET`), `hot_reset` (`VFIO_DEVICE_PCI_HOT_RESET`), "	\
	      "`low_power` (low-power feature entry, `VFIO_DEVICE_FEATURE` 3–5), "	\
	      "`feature` (another `VFIO_DEVICE_FEATURE`, e.g. a variant driver's), "	\
	      "`other` (any other path).")						\
	PART("memtype", memtype_reserved_part)						\
	NUM(memtype_reservations, "memtype.reservations", S(rare.memtype_reservations),	\
	    COUNT, "vfiotop_memtype_reservations_total", COUNTER, SHOW,			\
	    "PAT memtype reservations for BAR mappings.",				\
	    "The BARs' own reservations (`memtype.reserved`'s).")			\
	PART("memtype", reserved_bars_part)						\
	NUM(memtype_outside_bars, "memtype.reservations_outside_bars",			\
	    D(dv_reserved_elsewhere), COUNT, "", NONE, SHOW,				\
	    "Reservations whose range matched no BAR of the device.",			\
	    "")										\
	NUM(memtype_failed, "memtype.reservations_failed", S(rare.memtype_reserve_failed),	\
	    COUNT, "vfiotop_memtype_reservation_failures_total", COUNTER, SHOW,		\
	    "BAR memtype reservations that failed.",					\
	    "A conflict the kernel refused.")						\
	NUM(memtype_conflicts, "memtype.reservation_conflicts",				\
	    S(rare.memtype_reserve_conflicts), COUNT,					\
	    "vfiotop_memtype_reservation_conflicts_total", COUNTER, SHOW,		\
	    "BAR memtype reservations granted another cache mode than asked (the "	\
	    "range was already reserved with it).",					\
	    "\"x86/PAT: conflicting memory types\": e.g. an mmap of sysfs "		\
	    "`resourceN_wc` or a framebuffer driver had reserved it. ioremap accepts "	\
	    "WC for UC-, so the BAR is then mapped write-combining in the kernel and "	\
	    "in every later mmap: `mode` says `wc` where `requested` says `uc-`. "	\
	    "Seen on 7.x: up to 6.x, vfio-pci requesting the BAR's region revokes a "	\
	    "sysfs mapping (`CONFIG_IO_STRICT_DEVMEM`) and that zap drops its "		\
	    "reservation too, so the VM test sees no conflict there.")			\
	NUM(region_request_failures, "memtype.region_request_failures",			\
	    S(rare.region_request_failures), COUNT,						\
	    "vfiotop_region_request_failures_total", COUNTER, SHOW,			\
	    "BAR region requests that failed (\"can't reserve\").",			\
	    "`pci_request_selected_regions` failures for the device's BARs: another "	\
	    "driver or a firmware range holds them (\"BAR n: can't reserve\"); "	\
	    "vfio-pci then fails the mmap or access. QEMU's emulated devices cannot "	\
	    "provoke it: the decoding is unit-tested.")					\
	NUM(memtype_lookups, "memtype.lookups", S(memtype_lookups), COUNT, "", NONE,	\
	    SHOW,									\
	    "PAT memtype lookups made while faulting the BARs.",			\
	    "6.1: one per whole-vma remap; 6.10+: one per inserted page, PMD or PUD.")	\
	KEYED(memtype_by_mode, "memtype.by_mode", cache_mode_keys, S(memtype_by_mode),	\
	      COUNT, "vfiotop_memtype_lookups_total", "mode", NULL, OWN,		\
	      "PAT memtype lookups for BAR mappings, by the cache mode found.",		\
	      "The modes faults were given: `wb`, `wc`, `uc-`, `uc`, `wt`, `wp`.")	\
	NUM(memtype_mismatches, "memtype.mismatches", D(dv_mismatches), COUNT,		\
	    "vfiotop_memtype_mismatches_total", COUNTER, SHOW,				\
	    "Lookups whose cache mode differs from the reserved one.",			\
	    "Faults given another mode than `reserved`, plus reservations granted "	\
	    "another mode than requested; `memtype.mismatch` is `mismatches > 0`.")	\
	PART("memtype", memtype_mismatch_part)						\
	NUM(resets_count, "resets.count", S(rare.resets), COUNT, "", NONE, HIDE,		\
	    "Device resets vfio-pci performed.",					\
	    "")										\
	NUM(resets_failed, "resets.failed", S(rare.resets_failed), COUNT,			\
	    "vfiotop_reset_failures_total", COUNTER, HIDE,				\
	    "Resets that failed.",							\
	    "Those that returned an error.")						\
	NUM(resets_time, "resets.time_ns", S(rare.reset_ns_sum), NS,				\
	    "vfiotop_reset_seconds_total", COUNTER, HIDE,				\
	    "Time spent in resets.",							\
	    "")										\
	NUM(resets_max, "resets.max_ns", S(rare.reset_ns_max), NS,				\
	    "vfiotop_reset_max_seconds", GAUGE, HIDE,					\
	    "Duration of the longest reset.",						\
	    "")										\
	NUM(resets_last, "resets.last_ns", D(dv_last_reset), NS,			\
	    "vfiotop_reset_last_seconds", GAUGE, HIDE,					\
	    "Duration of the latest reset.",						\
	    "")										\
	KEYED(resets_by_origin, "resets.by_origin", reset_origin_keys,			\
	      S(rare.resets_by_origin), COUNT, "vfiotop_resets_total", "origin", NULL, OWN,	\
	      "Resets vfio-pci performed, by what asked for them.",			\
	      "`open` (first open), `reset` (`VFIO_DEVICE_RESET`), `hot_reset`, `flr`, " \
	      "`power_state`, `close` (last close), `feature` (inside a "		\
	      "`VFIO_DEVICE_FEATURE`), `other`.")					\
	KEYED(reset_requests, "resets.requests", reset_request_keys,			\
	      S(rare.reset_requests), COUNT, "vfiotop_reset_requests_total", "origin",	\
	      NULL, OWN,								\
	      "VFIO_DEVICE_RESET and VFIO_DEVICE_PCI_HOT_RESET requests for the device.", \
	      "`reset` (`VFIO_DEVICE_RESET`) and `hot_reset` "				\
	      "(`VFIO_DEVICE_PCI_HOT_RESET`) ioctls on the device.")			\
	KEYED(reset_requests_failed, "resets.requests_failed", reset_request_keys,	\
	      S(rare.reset_requests_failed), COUNT, "vfiotop_reset_request_failures_total",	\
	      "origin", NULL, OWN,							\
	      "Reset requests that failed.",						\
	      "A hot reset that loses its trylock to running faults fails with EBUSY "	\
	      "before anything is zapped or reset.")					\
	KEYED(resets_by_method, "resets.by_method", reset_method_keys,			\
	      S(rare.resets_by_method), COUNT, "vfiotop_resets_by_method_total", "method",	\
	      NULL, OWN,								\
	      "Resets by method (function or bus).",					\
	      "`function` (pci_*reset_function*), `bus` (pci_reset_bus).")		\
	KEYED(resets_by_pci_method, "resets.by_pci_method", pci_reset_keys,		\
	      S(rare.resets_by_how), COUNT, "vfiotop_resets_by_pci_method_total", "method",	\
	      NULL, OWN,								\
	      "Resets by the method the PCI core used (sysfs reset_method: flr, pm, "	\
	      "bus, ...).",								\
	      "Completed resets, sysfs `reset_method`'s names: `flr`, `af_flr`, `pm`, "	\
	      "`bus` (secondary bus reset of the parent bridge; every hot reset), "	\
	      "`device_specific`, `acpi`, `cxl_bus`; `unknown` when no method hook "	\
	      "fired.")									\
	KEYED(reset_attempts, "resets.attempts.%s.count", pci_attempt_keys,		\
	      S(rare.reset_attempts), COUNT, "vfiotop_reset_attempts_total", "method",	\
	      NULL, BYPART,								\
	      "Reset methods the PCI core tried, the next one after -ENOTTY.",		\
	      "The PCI core tries the device's methods in order and moves to the next "	\
	      "only after `-ENOTTY` (an FLR whose device never answered returns that "	\
	      "too). `flr`, `af_flr` and `pm` are seen by the wait that follows them, "	\
	      "`bus` by its function; `device_specific`, `acpi` and `cxl_bus`, which "	\
	      "do neither, are not counted here and are named in `by_pci_method` as "	\
	      "the device's first method.")						\
	KEYED(reset_attempts_failed, "resets.attempts.%s.failed", pci_attempt_keys,	\
	      S(rare.reset_attempts_failed), COUNT, "vfiotop_reset_attempt_failures_total",	\
	      "method", NULL, BYPART,							\
	      "Reset methods that failed.",						\
	      "")									\
	PART("resets", reset_attempts_part)						\
	PART("resets", reset_last_part)							\
	NUM(reset_waits, "resets.ready_wait.count", S(rare.reset_waits), COUNT,		\
	    "vfiotop_reset_ready_waits_total", COUNTER, HIDE,				\
	    "Waits for the device to answer after a reset (pci_dev_wait).",		\
	    "Waits for config reads to answer again: \"not ready 1023ms after FLR; "	\
	    "giving up\" is a failed one. A slow or failed wait explains a slow or "	\
	    "failed reset. ivshmem (conventional PCI) resets by bus without one.")	\
	NUM(reset_waits_failed, "resets.ready_wait.failed", S(rare.reset_waits_failed),	\
	    COUNT, "vfiotop_reset_ready_wait_failures_total", COUNTER, HIDE,		\
	    "Waits that gave up: the device was not ready after the reset.",		\
	    "")										\
	NUM(reset_wait_time, "resets.ready_wait.time_ns", S(rare.reset_wait_ns_sum), NS,	\
	    "vfiotop_reset_ready_wait_seconds_total", COUNTER, HIDE,			\
	    "Time waiting for the device to answer after resets.",			\
	    "")										\
	NUM(reset_wait_max, "resets.ready_wait.max_ns", S(rare.reset_wait_ns_max), NS,	\
	    "vfiotop_reset_ready_wait_max_seconds", GAUGE, HIDE,			\
	    "The longest wait for the device after a reset.",				\
	    "")										\
	NUM(reset_wait_last, "resets.ready_wait.last_ns", D(dv_last_wait), NS, "",	\
	    NONE, HIDE,									\
	    "The latest wait for the device after a reset.",				\
	    "")										\
	NUM(mmaps_count, "mmaps.count", S(rare.mmaps), COUNT, "vfiotop_mmaps_total",		\
	    COUNTER, HIDE,								\
	    "mmap() calls on the device's BARs.",					\
	    "Successful mmaps of the device's regions.")				\
	NUM(mmaps_bytes, "mmaps.bytes", S(rare.mmap_bytes), BYTES,				\
	    "vfiotop_mmap_bytes_total", COUNTER, HIDE,					\
	    "Bytes of BAR mmap()ed.",							\
	    "")										\
	NUM(mmaps_failed, "mmaps.failed", S(rare.mmaps_failed), COUNT,			\
	    "vfiotop_mmap_failures_total", COUNTER, SHOW,				\
	    "mmap() calls on the device's regions that vfio-pci refused.",		\
	    "`vfio_pci_core_mmap` returned an error: a region that cannot be "		\
	    "mmapped (not a memory BAR, or one vfio-pci does not let map: `-EINVAL`), "	\
	    "a range past the BAR's end, a private mapping. QEMU then falls back to "	\
	    "trapping every access to the BAR through the device fd.")			\
	NUM(mmaps_region_info, "mmaps.region_info_requests", S(rare.region_info_requests),	\
	    COUNT, "vfiotop_region_info_requests_total", COUNTER, SHOW,			\
	    "VFIO_DEVICE_GET_REGION_INFO ioctls on the device.",			\
	    "Userspace asking vfio-pci where a region is in the device fd, how "	\
	    "large it is and whether it can be mmapped: QEMU asks once for each "	\
	    "region (BARs, ROM, config space, VGA) when it opens the device. Up to "	\
	    "6.x counted as the ioctl enters vfio-pci (a malformed one too), on 7.x "	\
	    "where vfio's core hands a valid one to it.")				\
	PART("", mappings_part)								\
	NUM(dmabuf_exports, "dmabuf.exports", S(rare.dmabuf_exports), COUNT,			\
	    "vfiotop_dmabuf_exports_total", COUNTER, SHOW,				\
	    "BAR ranges exported as DMA-BUFs (VFIO_DEVICE_FEATURE_DMA_BUF).",		\
	    "7.x; ENOTTY before.")							\
	NUM(dmabuf_exports_failed, "dmabuf.exports_failed", S(rare.dmabuf_exports_failed),	\
	    COUNT, "vfiotop_dmabuf_export_failures_total", COUNTER, SHOW,		\
	    "DMA-BUF export requests that failed.",					\
	    "")										\
	NUM(dmabuf_bytes, "dmabuf.bytes", S(rare.dmabuf_export_bytes), BYTES,		\
	    "vfiotop_dmabuf_export_bytes_total", COUNTER, SHOW,				\
	    "Bytes of BAR exported as DMA-BUFs.",					\
	    "")										\
	NUM(dmabuf_alive, "dmabuf.alive", D(dv_dmabufs_alive), COUNT,			\
	    "vfiotop_dmabufs", GAUGE, SHOW,						\
	    "DMA-BUFs of the device not yet released.",					\
	    "An fd or an importer still holds them.")					\
	NUM(dmabuf_revokes, "dmabuf.revokes", S(rare.dmabuf_revokes), COUNT,			\
	    "vfiotop_dmabuf_revokes_total", COUNTER, SHOW,				\
	    "Times the device's DMA-BUFs were revoked (at a zap).",			\
	    "At every zap: memory disable, reset, PM, FLR.")				\
	NUM(dmabuf_restores, "dmabuf.restores", S(rare.dmabuf_restores), COUNT,		\
	    "vfiotop_dmabuf_restores_total", COUNTER, SHOW,				\
	    "Times the device's DMA-BUFs were restored.",				\
	    "Memory enabled again.")							\
	NUM(dmabuf_move_time, "dmabuf.move_time_ns", S(rare.dmabuf_move_ns_sum), NS,		\
	    "vfiotop_dmabuf_move_seconds_total", COUNTER, SHOW,				\
	    "Time spent revoking and restoring DMA-BUFs, waits for importers "		\
	    "included.",								\
	    "A revoke waits without bound for the importers' fences.")			\
	NUM(dmabuf_move_max, "dmabuf.move_max_ns", S(rare.dmabuf_move_ns_max), NS,		\
	    "vfiotop_dmabuf_move_max_seconds", GAUGE, SHOW,				\
	    "The longest DMA-BUF revoke or restore.",					\
	    "")										\
	NUM(dma_maps, "dma.maps", S(rare.dma_maps), COUNT, "vfiotop_dma_bar_maps_total",	\
	    COUNTER, HIDE,								\
	    "VFIO_IOMMU_MAP_DMA of the device's BARs that succeeded (peer-to-peer).",	\
	    "By any process (peer-to-peer DMA: QEMU maps every BAR it passes "		\
	    "through). A BAR is named by its vma's `vm_ops`, learned at every BAR "	\
	    "mmap and kept in the pinned maps: a BAR mmapped before vfiotopd ever "	\
	    "ran counts as `bar` without a device.")					\
	NUM(dma_failed, "dma.failed", S(rare.dma_maps_failed), COUNT,			\
	    "vfiotop_dma_bar_map_failures_total", COUNTER, SHOW,			\
	    "VFIO_IOMMU_MAP_DMA of the device's BARs that failed.",			\
	    "")										\
	NUM(dma_bytes, "dma.bytes", S(rare.dma_map_bytes), BYTES,				\
	    "vfiotop_dma_bar_mapped_bytes_total", COUNTER, HIDE,			\
	    "Bytes of the device's BARs mapped for DMA.",				\
	    "")										\
	NUM(dma_time, "dma.time_ns", S(rare.dma_map_ns_sum), NS,				\
	    "vfiotop_dma_bar_map_seconds_total", COUNTER, SHOW,				\
	    "Time in VFIO_IOMMU_MAP_DMA of the device's BARs.",				\
	    "")										\
	NUM(dma_max, "dma.max_ns", S(rare.dma_map_ns_max), NS, "", NONE, SHOW,		\
	    "The longest VFIO_IOMMU_MAP_DMA of the device's BARs.",			\
	    "")										\
	KEYED(irq_sets, "irqs.sets", irq_index_keys, S(rare.irq_sets), COUNT,		\
	      "vfiotop_irq_sets_total", "index", NULL, OWN,				\
	      "VFIO_DEVICE_SET_IRQS calls on the device, by interrupt index.",		\
	      "`intx`, `msi`, `msix`, `err` (AER errors to the user), `req` (the "	\
	      "kernel asking the user to release the device). Set-ups, tear-downs "	\
	      "(QEMU's as the guest enables and disables MSI-X, vfio-pci's own at "	\
	      "close of what is still set up), INTx masks and unmasks alike; not "	\
	      "vfio-pci's call at close when nothing is.")				\
	KEYED(irq_sets_by_action, "irqs.sets_by_action", irq_action_keys,		\
	      S(rare.irq_sets_by_action), COUNT, "vfiotop_irq_sets_by_action_total",	\
	      "action", NULL, OWN,							\
	      "VFIO_DEVICE_SET_IRQS calls, by action (mask, unmask, trigger).",	\
	      "`trigger` sets up or tears down eventfds (`VFIO_IRQ_SET_ACTION_TRIGGER`); "	\
	      "`unmask` is a VMM's INTx end of interrupt.")				\
	NUM(irq_sets_failed, "irqs.sets_failed", S(rare.irq_sets_failed), COUNT,	\
	    "vfiotop_irq_set_failures_total", COUNTER, SHOW,				\
	    "VFIO_DEVICE_SET_IRQS calls that failed.",					\
	    "Those vfio's argument checks refused (`irqs.sets_refused`) and those "	\
	    "vfio-pci failed: e.g. `EINVAL` for a block of MSI vectors larger than the "	\
	    "one enabled (6.1), `ENOTTY` for an action the index lacks (MSI-X masking).")	\
	NUM(irq_sets_refused, "irqs.sets_refused", S(rare.irq_sets_refused), COUNT,	\
	    "vfiotop_irq_sets_refused_total", COUNTER, SHOW,				\
	    "VFIO_DEVICE_SET_IRQS calls refused by vfio's argument checks.",		\
	    "Refused before vfio-pci acts (a count beyond the device's vectors, an "	\
	    "index it lacks, two data flags, a short `argsz`), with `EINVAL`, or "	\
	    "`EFAULT` for an argument it could not read. Counted in `irqs.sets_failed`, "	\
	    "and in `irqs.sets` and `irqs.sets_by_action` by the index and action the "	\
	    "call asked for, where those exist.")					\
	NUM(irq_set_time, "irqs.set_time_ns", S(rare.irq_set_ns_sum), NS,		\
	    "vfiotop_irq_set_seconds_total", COUNTER, SHOW,				\
	    "Time in VFIO_DEVICE_SET_IRQS calls.",					\
	    "Setting up MSI-X allocates and requests host irqs.")			\
	NUM(irq_set_max, "irqs.set_max_ns", S(rare.irq_set_ns_max), NS, "", NONE, SHOW,	\
	    "The longest VFIO_DEVICE_SET_IRQS call.",					\
	    "")										\
	NUM(irq_vectors, "irqs.vectors", D(dv_vectors_active), COUNT, "vfiotop_irq_vectors",	\
	    GAUGE, SHOW,								\
	    "Interrupt vectors with a vfio handler requested now (INTx, MSI, MSI-X).",	\
	    "Vectors whose host irq vfio-pci has requested, as `/proc/interrupts` "	\
	    "lists them (`vfio-intx(BDF)`, `vfio-msi[N](BDF)`, `vfio-msix[N](BDF)`). "	\
	    "A vector set up before vfiotopd attached (a VM already running at "	\
	    "install, after `--reset`, under `--no-pin`) is found there at the attach "	\
	    "and counted from then on (not in `vectors_max`, nor its `wait` numbers "	\
	    "until its user sets it up again; an INTx's mask cycles from its first "	\
	    "unmask). Of an INTx line two vfio devices share, the first is found.")	\
	NUM(irq_bypass_vectors, "irqs.bypass_vectors", D(dv_vectors_bypass), COUNT,	\
	    "vfiotop_irq_bypass_vectors", GAUGE, SHOW,					\
	    "Vectors with an irq-bypass consumer (KVM's irqfd) connected now.",		\
	    "KVM connects a vector's irqfd to the producer vfio-pci registered for it "	\
	    "(both keyed by the vector's eventfd): the vector can then be posted "	\
	    "(VT-d posted interrupts, AMD AVIC), its messages going straight to a "	\
	    "vCPU without the host handler, and where it is, its `interrupts` stop "	\
	    "growing. KVM of 6.1 connects every irqfd; of 6.12 and 7.x, only where "	\
	    "the host can post. Connects made before vfiotop attached are not seen.")	\
	NUM(irq_vectors_max, "irqs.vectors_max", S(rare.irq_vectors_max), COUNT,	\
	    "vfiotop_irq_vectors_max", GAUGE, SHOW,					\
	    "The most vectors the device had requested at once.",			\
	    "")										\
	KEYED(irq_interrupts, "irqs.interrupts", irq_kind_keys, S(irq_interrupts), COUNT, \
	      "vfiotop_interrupts_total", "type", NULL, OWN,				\
	      "Interrupts vfio-pci's handlers signalled to the user, by type.",	\
	      "The host handler's calls that were the device's: each signals the "	\
	      "vector's eventfd. An MSI or MSI-X vector posted straight to a guest "	\
	      "(an irq-bypass consumer, posted interrupts) does not run the host "	\
	      "handler and is not counted.")						\
	NUM(intx_unhandled, "irqs.intx_unhandled", S(irq_unhandled), COUNT,		\
	    "vfiotop_intx_unhandled_total", COUNTER, SHOW,				\
	    "INTx handler calls that were not the device's (a shared line).",	\
	    "Another device on the same line raised it, or the device's INTx was "	\
	    "already masked.")								\
	NUM(intx_unmasks, "irqs.intx_unmasks", S(intx_unmasks), COUNT,			\
	    "vfiotop_intx_unmasks_total", COUNTER, SHOW,				\
	    "INTx mask cycles ended: masked by the handler, unmasked by the user.",	\
	    "vfio-pci masks a level-triggered INTx in its handler until the user "	\
	    "unmasks it (`VFIO_IRQ_SET_ACTION_UNMASK`, a config write, or KVM's "	\
	    "resampler through the unmask eventfd). An unmask that finds the line "	\
	    "still raised sends the interrupt again and stays masked.")		\
	NUM(intx_masked_time, "irqs.intx_masked_ns", S(intx_masked_ns), NS,		\
	    "vfiotop_intx_masked_seconds_total", COUNTER, SHOW,				\
	    "Time INTx spent masked, from the handler to the unmask.",		\
	    "The guest's interrupt handling time as the host sees it: a VM stuck "	\
	    "with INTx masked shows it growing.")					\
	NUM(irq_reads, "irqs.reads", S(irq_reads), COUNT,				\
	    "vfiotop_irq_eventfd_reads_total", COUNTER, SHOW,				\
	    "Reads of the device's interrupt eventfds that took an interrupt.",	\
	    "With `--irq-waits` (off by default: it hooks every eventfd read of the "	\
	    "host). By a user that reads the eventfd itself: QEMU's own handler (no KVM "	\
	    "irqfd: TCG, INTx without the resampler, a masked MSI-X vector), DPDK's "	\
	    "and SPDK's interrupt threads. KVM's irqfd takes the interrupt inside "	\
	    "the signal and never reads: its vectors have `interrupts` but no "	\
	    "`reads`. A read takes every interrupt the eventfd holds: fewer reads "	\
	    "than interrupts is coalescing.")						\
	NUM(irq_wait_time, "irqs.wait_ns", S(irq_wait_ns), NS,			\
	    "vfiotop_irq_wait_seconds_total", COUNTER, SHOW,				\
	    "Time interrupts waited in their eventfds for a read, one wait a read.",	\
	    "From vfio's handler signalling the first interrupt a read takes to "	\
	    "that read returning: the user's latency to its interrupts, scheduling "	\
	    "and its event loop included. Divided by `reads`, the mean; "		\
	    "`wait_latency_ns` has the distribution.")				\
	NUM(irq_wait_max, "irqs.wait_max_ns", S(irq_wait_max_ns), NS, "", NONE, SHOW,	\
	    "The longest an interrupt waited in its eventfd for a read.",		\
	    "")										\
	PART("irqs", wait_latency_part)							\
	PART("irqs", vectors_part)							\
	KEYED(access_reads, "accesses.reads", region_keys, S(rare.access_reads), COUNT,	\
	      "vfiotop_trapped_reads_total", "region", NULL, SPARSE,			\
	      "Reads vfio-pci served through the device fd (trapped), by region.",	\
	      "`bar0`..`bar5`, `rom`, `config`, `vga`: `pread` on the device fd at "	\
	      "the region's offset, what a VMM does for config space, for the page of "	\
	      "a BAR that holds the MSI-X table and for a BAR it does not mmap "	\
	      "(`x-no-mmap`, sparse mmap). Device-specific regions (index 9 and up) "	\
	      "are not counted. /metrics has a sample for each region not 0.")	\
	KEYED(access_writes, "accesses.writes", region_keys, S(rare.access_writes),	\
	      COUNT, "vfiotop_trapped_writes_total", "region", NULL, SPARSE,		\
	      "Writes vfio-pci served through the device fd (trapped), by region.",	\
	      "As `accesses.reads`.")							\
	KEYED(access_bytes, "accesses.bytes", region_keys, S(rare.access_bytes), BYTES,	\
	      "vfiotop_trapped_bytes_total", "region", NULL, SPARSE,			\
	      "Bytes read and written through the device fd, by region.",		\
	      "What the accesses returned: a config access splits into pieces of at "	\
	      "most 4 bytes inside vfio-pci and counts once, with its whole length.")	\
	KEYED(access_time, "accesses.time_ns", region_keys, S(rare.access_ns), NS,	\
	      "vfiotop_trapped_access_seconds_total", "region", NULL, SPARSE,		\
	      "Time vfio-pci took to serve reads and writes through the device fd, "	\
	      "by region.",								\
	      "From `vfio_pci_rw`'s entry to its return: the device's own latency for "	\
	      "a BAR, vfio-pci's virtualization for config space.")			\
	NUM(access_failed, "accesses.failed", S(rare.access_failed), COUNT,		\
	    "vfiotop_trapped_access_failures_total", COUNTER, SHOW,			\
	    "Reads and writes through the device fd that failed.",			\
	    "Any region: `EINVAL` past a region's end or for a region the device "	\
	    "lacks, `EIO` while the device is in low power or its memory decoding "	\
	    "is off. Not in `accesses.reads` or `accesses.writes`.")			\
	NUM(access_max, "accesses.max_ns", S(rare.access_ns_max), NS, "", NONE, SHOW,	\
	    "The longest read or write through the device fd.",			\
	    "")										\
	PART("accesses", access_latency_part)						\
	KEYED(config_writes, "accesses.config_writes_by_cap", config_cap_keys,		\
	      S(rare.config_writes_by_cap), COUNT, "vfiotop_config_writes_total",	\
	      "capability", NULL, SPARSE,						\
	      "Config space writes through the device fd, by the capability written.",	\
	      "As vfio-pci's config map names the first byte: `basic` (the header: "	\
	      "command, BARs), `pm`, `msi`, `msix`, `pcie`, `af`, `other` (another "	\
	      "standard capability), `extended` (offset 256 and up), `unassigned` "	\
	      "(in no capability). A guest's MSI set-up, power changes and FLRs show "	\
	      "here.")									\
	NUM(ioeventfd_sets, "accesses.ioeventfd_sets", S(rare.ioeventfd_sets), COUNT,	\
	    "vfiotop_ioeventfd_sets_total", COUNTER, SHOW,				\
	    "VFIO_DEVICE_IOEVENTFD calls: ioeventfds added or removed.",		\
	    "QEMU adds them for a few device quirks (NVIDIA's BAR0 mirrors) so that "	\
	    "KVM's ioeventfd writes to the device without a trip to userspace.")	\
	NUM(ioeventfd_hits, "accesses.ioeventfd_writes", S(rare.ioeventfd_hits), COUNT,	\
	    "vfiotop_ioeventfd_writes_total", COUNTER, SHOW,				\
	    "Writes vfio-pci did to the device for a signalled ioeventfd.",		\
	    "One for each signal of the eventfd: trapped writes that never reach "	\
	    "the VMM, not in `accesses.writes`.")					\
	PART("power", power_state_part)							\
	NUM(power_in_state, "power.in_state_ns", D(dv_in_state), NS, "", NONE, HIDE,	\
	    "How long the device has been in its power state.",				\
	    "")										\
	KEYED(power_transitions, "power.transitions", power_state_keys,			\
	      S(rare.power_transitions), COUNT, "vfiotop_power_transitions_total", "state",	\
	      NULL, OWN,								\
	      "Power state changes of the device, by the state entered.",		\
	      "`__pci_set_power_state`, and `pci_power_up` for a runtime resume: bind "	\
	      "and close (D3hot when idle), open (D0), the user's PMCSR writes.")	\
	NUM(power_requested, "power.requested", S(rare.power_requested), COUNT,		\
	    "vfiotop_power_requested_total", COUNTER, SHOW,				\
	    "Power state changes its user wrote to PMCSR through vfio.",		\
	    "QEMU forwarding the guest's.")						\
	NUM(power_failed, "power.failed", S(rare.power_failures), COUNT,			\
	    "vfiotop_power_failures_total", COUNTER, SHOW,				\
	    "Power state changes that failed (e.g. D3cold to D0).",			\
	    "Such as \"Unable to change power state from D3cold to D0, device "		\
	    "inaccessible\". A device without a PM capability refusing D3hot is not "	\
	    "one.")									\
	KEYED(power_time, "power.time_ns", power_state_keys, D(dv_power_time), NS,	\
	      "vfiotop_power_state_seconds_total", "state", NULL, OWN,			\
	      "Time the device spent in each power state since the counters began.",	\
	      "The current state's up to now.")						\
	PART("", processes_part)							\
	NUM(owners_dropped, "owners_dropped", D(dv_owners_dropped), COUNT, "", NONE,	\
	    HIDE,									\
	    "Owners not kept (more than the device keeps).",				\
	    "")										\
	PART("", vm_part)

/* the tokens of the unit, type, view and json columns, as C values */
enum dn_unit { DN_COUNT, DN_BYTES, DN_NS };
enum dn_type { DN_NONE, DN_COUNTER, DN_GAUGE };
enum dn_view { DN_HIDE, DN_SHOW };
enum dn_json { DN_OWN, DN_BYPART, DN_SPARSE };

#endif
