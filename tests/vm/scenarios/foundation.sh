# Two ivshmem devices of different BAR sizes, each driven by its own workload
# process; kprobe hit counts are taken around each workload for cross-checking.
vt_load_vfio
vt_bind_ivshmem
vt_kprobes vfio_pci_mmap_fault remap_pfn_range vfio_pci_zap_and_vma_lock zap_vma_ptes \
	pci_try_reset_function __pci_reset_function_locked pci_reset_bus \
	vfio_pci_core_mmap reserve_pfn_range memtype_reserve lookup_memtype vaddr_get_pfns
vt_start_daemon
vt_snapshot idle

vt_kprobe_counts before-a
vt_workload a "$DEV0" --rounds 3 --dma-map --resets 1 --sigbus 2
vt_kprobe_counts after-a
vt_workload b "$DEV1" --rounds 5 --resets 2
vt_kprobe_counts after-b
vt_snapshot running

vt_release a
vt_release b
vt_kprobe_counts after-exit
vt_snapshot final
vt_stop_daemon
