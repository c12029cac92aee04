# Every kernel boots once and runs all of this (tests/vm/check.py reads it):
#  1. vfiotopd --kprobe-modules starts before any vfio module is loaded, and
#     must attach by itself;
#  2. three workloads on three devices (256 MiB 2 MiB-aligned with DMA map and
#     SIGBUS touches, 64 MiB mapped 4 KiB off a 2 MiB boundary exported as two
#     DMA-BUFs (7.x), 1 GiB 1 GiB-aligned), each between tracefs kprobe readings;
#  3. all vfio modules unloaded and loaded again under the running daemon,
#     then a workload again, during which the daemon is killed (-9) and
#     restarted: counts must continue (pinned maps);
#  3b. 4 threads touching one mapping at once (workload t): exact pages;
#  4. one device removed from the PCI bus: it stays in the history, gone;
#     then the seed-001 race (8 threads faulting the same fresh vma after each
#     zap) and VFIO_DEVICE_RESET + VFIO_DEVICE_PCI_HOT_RESET while 16 threads
#     keep faulting and 100 clients hammer the socket and HTTP: data must
#     stay right, dmesg clean, every request shown; a device unbound from
#     vfio-pci and bound again keeps its history;
#  4b. a "VM start" (workload m): RAM and a BAR mapped for DMA, three maps
#     failing (EFAULT, EINVAL, ENOSPC): per process, per device and in total;
#  4c. a virtio device (FLR, PM capability): reset methods, readiness waits
#     and power state changes (workload r); QEMU's edu device: MSIs and INTx,
#     config and BAR reads and writes through the device fd, an ioeventfd
#     (workload i, and i2 under the default daemon of 5);
#  5. a second daemon in the default mode (fentry on module functions, and the
#     vfio_pci tracepoints of our patched kernel) counts a workload exactly,
#     serves the same counts on /metrics, /json and --json-lines, and holds
#     vfio_pci_core loaded until it exits or "vfiotop release" (then every
#     vfio module unloads, and it attaches again when they are back, counting
#     on); with a live session (boot.sh
#     VFIOTOP_HOSTFWD) the host scrapes it and drives vfiotop meanwhile;
#  6. booted with systemd (boot.sh VFIOTOP_ROOTFS): vfiotopd.service as
#     shipped attaches, counts, keeps its capability set, and is restarted
#     by systemd after SIGKILL with its counts.
# resets under TCG take 10-70 ms: a 5 ms threshold catches them and their waits
STALLS="--stall-threshold 5 --report-dir /tmp/reports"
vt_watchdog &
vt_start_daemon --kprobe-modules --memtype-faults --irq-waits --listen 127.0.0.1:10231 $STALLS
# The guest's first TCP connect patches a static key (the port secret's
# DO_ONCE): let that happen now, quietly, not under 100 connecting clients
# (multi-threaded TCG has crashed on a stale int3 of such patching)
wget -q -O /dev/null http://127.0.0.1:10231/ 2>/dev/null
vt_snapshot waiting

vt_caps_begin
vt_load_vfio
vt_bind_vfio
vt_wait_attached first-attach
vt_caps_dump attach
vt_caps_begin
vt_bpfcalls_begin
vt_snapshot idle
vt_fdinfo_maps idle
vt_sysfs_identity
vt_kprobes vfio_pci_mmap_fault vfio_pci_mmap_huge_fault vfio_pci_mmap_page_fault \
	remap_pfn_range vmf_insert_pfn_pmd vmf_insert_pfn_pud \
	vfio_pci_zap_and_vma_lock zap_vma_ptes zap_page_range_single zap_vma_range_batched \
	pci_try_reset_function __pci_reset_function_locked pci_reset_bus \
	vfio_pci_core_mmap reserve_pfn_range vfio_pci_dma_buf_move
vt_kprobe_counts k0
vt_workload a "$DEV0" --rounds 3 --dma-map --resets 1 --sigbus 2 --align 0x200000
vt_kprobe_counts after-a
VT_QEMU_NAME=vt-b	# plain QEMU's "-name NAME"
vt_workload b "$DEV1" --rounds 2 --resets 2 --align 0x200000 --offset 4096 --dmabuf 2
unset VT_QEMU_NAME
vt_kprobe_counts after-b
vt_workload c "$DEV2" --rounds 1 --resets 0 --align 0x40000000
vt_kprobe_counts after-c
vt_wait_json '"qemu_name":"vt-b"' 1
vt_snapshot running
vt_caps_dump steady
vt_bpfcalls_dump steady
vt_release a
vt_release b
vt_release c
vt_snapshot final
vt_links before-unload

vt_caps_begin
vt_unload_vfio
vt_wait_state "waiting for vfio-pci" unload
vt_links unloaded
vt_snapshot unloaded

vt_load_vfio
vt_bind_vfio
vt_wait_attached reattach
vt_caps_dump reattach
vt_caps_end
vt_workload d "$DEV0" --rounds 2 --resets 0 --align 0x200000
# killed mid-workload (d still holds the device: its close comes after the
# restart) and started again at once, while the kernel still tears the killed
# one's links down and its socket is open: the new one waits for it, and the
# pinned maps carry every count over
vt_snapshot before-kill
kill -9 "$VFIOTOPD_PID"
vt_start_daemon --kprobe-modules --memtype-faults --irq-waits --listen 127.0.0.1:10231 $STALLS
vt_wait_attached restarted
vt_links restarted
vt_release d
vt_snapshot reloaded

# The kprobes on module functions went with the unload: set them up again.
echo 0 >"$TR/events/vtk/enable"
echo >"$TR/kprobe_events"
vt_kprobes vfio_pci_mmap_fault vfio_pci_mmap_huge_fault
# 4 threads touch every page of the same 2 MiB-aligned mapping at once: their
# faults race for the same entries, and pages mapped must stay one per entry
vt_kprobe_counts before-t
vt_snapshot before-t
vt_workload t "$DEV2" --rounds 2 --resets 0 --align 0x200000 --touch-threads 4
vt_kprobe_counts after-t
vt_snapshot after-t
vt_release t

echo 1 >"/sys/bus/pci/devices/$DEV1/remove"
sleep 1.5
vt_snapshot removed

# 16 load threads: more faults asleep on memory_lock than a kretprobe has instances.
vt_kprobe_counts before-f
# meanwhile 100 socket clients, 4 HTTP scrapers and 30 stalled clients:
# workload f's exact counts show aggregation was never held up
loadclient --socket "$VT_SOCK" --clients 100 --http 127.0.0.1:10231 --scrapers 4 \
	--stalled 30 --seconds 8 >/tmp/load.out 2>&1 &
LOAD_PID=$!
vt_workload f "$DEV0" --rounds 0 --resets 0 --race-threads 8 --race-rounds 10 \
	--load-threads 16 --load-ms 400 --load-resets 2 --hot-resets 2
vt_release f
wait $LOAD_PID
res_file load f /tmp/load.out
vt_kprobe_counts after-f
vt_progs after-f
vt_snapshot after-race
# unbound from vfio-pci and bound again: the history stays
echo "$DEV0" >"/sys/bus/pci/devices/$DEV0/driver/unbind"
sleep 1.5
vt_snapshot unbound
echo "$DEV0" >/sys/bus/pci/drivers_probe
sleep 1.5
vt_snapshot rebound
# the same, quieter (no client storm, 2 threads): each reset request's
# report must agree with what the workload timed around its ioctl
vt_spans_begin vtg vfio_pci_core_ioctl
vt_workload g "$DEV0" --rounds 0 --resets 0 --load-threads 2 --load-ms 600 \
	--load-resets 2 --hot-resets 1 --rt-resets
vt_release g
vt_spans_end vtg
# a stall's report is final once late waits had their chance (600 ms after
# its end): a request then drains the ring and has every due report written
sleep 1
vfiotop -s "$VT_SOCK" --json >/dev/null
vt_reports
# a "VM start": 8 MiB of RAM and the BAR mapped for DMA, and three maps that
# fail as users meet them (EFAULT, EINVAL past the IOMMU's 39 bits, ENOSPC
# past dma_entry_limit, which a new container reads when it is set up)
vt_snapshot before-m
echo 8 >/sys/module/vfio_iommu_type1/parameters/dma_entry_limit
# run as libvirt runs QEMU: "-name guest=..." and in the domain's machine scope
VT_QEMU_NAME="guest=vt-m,debug-threads=on"
VT_CGROUP='/sys/fs/cgroup/machine.slice/machine-qemu\x2d7\x2dvt\x2dlibvirt.scope/libvirt/emulator'
vt_workload m "$DEV0" --rounds 0 --resets 0 --dma-map --vm-start 8
unset VT_QEMU_NAME VT_CGROUP
echo 65535 >/sys/module/vfio_iommu_type1/parameters/dma_entry_limit
vt_wait_json '"qemu_name":"vt-m"' 2	# as its device's owner and as a DMA process
vt_snapshot dma
vt_table dma
vt_http vm 10231
vt_release m
# the PCI core's side: DEVF resets by FLR and waits for the device after each;
# its user moves it to D3hot and back through PMCSR, then asks vfio-pci
# for low power and takes it back (runtime PM: D3hot, D0); its BAR was mapped
# write-combining through sysfs first, so vfio-pci's reservation conflicts
if [ -n "${DEVF:-}" ]; then
	vt_snapshot before-r
	res "@@VT RUNTIME_PM_BEFORE_R $(cat "/sys/bus/pci/devices/$DEVF/power/runtime_status")"
	vt_workload r "$DEVF" --bar 4 --rounds 0 --resets 2 --pm-cycles 2 --wc-first \
		--low-power
	vt_snapshot flr-pm
	vt_release r
fi
# interrupts (kprobes): edu raises MSIs, then INTx that the workload
# acknowledges and unmasks each time, as a VMM does; then trapped accesses
if [ -n "${DEVI:-}" ]; then
	vt_kprobes vfio_msihandler vfio_intx_handler vfio_pci_intx_unmask_handler \
		vfio_pci_set_irqs_ioctl vfio_pci_rw vfio_pci_ioeventfd_handler
	vt_kprobe_counts before-i
	vt_snapshot before-i
	vt_workload i "$DEVI" --bar 0 --rounds 0 --resets 0 --msi-rounds 40 --intx-rounds 25 --irq-pause-every 4 \
		--access-rounds 20 --access-threads 4
	vt_kprobe_counts after-i
	vt_snapshot irqs
	vt_release i
fi
# irq-bypass through kprobes: KVM connects irqfds to the e1000e's vectors
if [ -n "${DEVX:-}" ]; then vt_bypass k1; fi
dmesg >/tmp/dmesg.txt
res_file dmesg all /tmp/dmesg.txt
vt_stop_daemon
vt_links stopped

# this daemon also serves HTTP and writes --json-lines; with boot.sh
# VFIOTOP_HOSTFWD the host reaches it (so it listens beyond loopback)
# --reset: the first daemon's pinned counters are dropped on purpose
VT_SOCK=/run/vfiotop-pinned/vfiotopd.sock
listen=127.0.0.1:10230
grep -q vfiotop.live /proc/cmdline && listen=0.0.0.0:10230
vt_start_daemon --reset --listen $listen --json-lines /tmp/lines.jsonl --interval 1
vt_wait_attached pinned
vt_snapshot pinned-idle
vt_workload e "$DEV0" --rounds 1 --resets 1 --align 0x200000
vt_release e
vt_snapshot pinned
# interrupts again, through trampolines
if [ -n "${DEVI:-}" ]; then
	vt_snapshot before-i2
	vt_workload i2 "$DEVI" --bar 0 --rounds 0 --resets 0 --msi-rounds 30 --intx-rounds 20 \
		--access-rounds 15 --access-threads 4
	vt_snapshot irqs2
	vt_release i2
	vt_snapshot after-i2
fi
# MSI-X: an e1000e's five vectors, each raised in turn through its ICS register.
# Under trampolines: a kprobe hit while another kprobe's handler runs on the
# CPU is skipped, and the e1000e raises some interrupts at any time (its
# delay timers): 3 of 78 went uncounted so, by tracefs' kprobe as by ours.
if [ -n "${DEVX:-}" ]; then
	vt_snapshot before-x
	vt_workload x "$DEVX" --bar 0 --rounds 0 --resets 0 --msix-rounds 12
	vt_snapshot msix
	vt_release x
fi
# irq-bypass, through trampolines (and through kprobes above)
if [ -n "${DEVX:-}" ]; then vt_bypass k; fi
vt_http pinned 10230
grep -q vfiotop.live /proc/cmdline && vt_live_session "$DEV2"
# --json-lines as of workload e
vt_json_lines_since /tmp/lines.jsonl "$DEV0" /tmp/lines-e.jsonl
# 16 threads faulting through resets under the default daemon: a trampoline
# program runs preemptible, and a task preempted inside it has the next one
# on its CPU turned away. Every fault is the handler's, or shown as missed.
vt_kprobe_counts before-p
vt_snapshot before-p
vt_workload p "$DEV0" --rounds 0 --resets 0 --race-threads 8 --race-rounds 5 \
	--load-threads 16 --load-ms 400 --load-resets 2
vt_release p
vt_kprobe_counts after-p
vt_snapshot after-p
rmmod vfio_pci 2>/dev/null
rmmod vfio_pci_core 2>/dev/null
res "@@VT PINNED_RMMOD vfio_pci_core $?"
# vfiotop release, as before an rmmod by hand: every vfio module unloads with
# the daemon running, which attaches again once they are back, its counts
# going on (workload e2 on e's device)
vfiotop release -s "$VT_SOCK" >/tmp/release.txt 2>&1
res "@@VT RELEASE $?"
res_file log release /tmp/release.txt
vt_wait_state released released
vt_unload_vfio RELEASED_RMMOD
vt_load_vfio
vt_bind_vfio
vt_wait_attached released-back
vt_workload e2 "$DEV0" --rounds 1 --resets 0 --align 0x200000
vt_release e2
vt_snapshot pinned-back
# MSI-X vectors set up before a daemon (without pinned maps) attached
if [ -n "${DEVX:-}" ]; then vt_late_vectors late; fi
vt_stop_daemon
res_file lines pinned /tmp/lines-e.jsonl
rmmod vfio_pci
rmmod vfio_pci_core
res "@@VT UNPINNED_RMMOD vfio_pci_core $?"

# 6. booted with systemd (6.12): the packaged unit, sandboxed as shipped
[ -d /run/systemd/system ] && vt_systemd_phase
