# make check's fleet boot (tests/vm/check_fleet.py reads it): 258 small
# devices, 256 behind PCI bridges (boot.sh VFIOTOP_MANY_DEVS). The guest's
# possible CPUs are its 2: 6.12 takes no hotpluggable CPU QEMU 7.2 offers as
# possible (not "online capable"), nor possible_cpus=, so what 256 CPUs take
# follows from dev_hot's measured size per CPU. A workload on every device, touching
# its 1 MiB BAR page by page for 1, 2 or 3 rounds: each device's faults,
# pages and mmaps must be its own workload's, exactly.
vt_watchdog &
vt_load_vfio
vt_bind_vfio
vt_start_daemon --no-pin
vt_wait_attached fleet
res "@@VT POSSIBLE $(cat /sys/devices/system/cpu/possible)"
vt_daemon_mem idle
vt_fdinfo_maps idle
vt_kprobes vfio_pci_mmap_huge_fault vfio_pci_mmap_fault
vt_kprobe_counts before
: >/tmp/truth.txt
i=0
for d in $DEVS; do
	workload --bdf "$d" --bar 2 --rounds $((1 + i % 3)) >/tmp/w.out 2>&1
	rc=$?
	grep '^VFIOTOP-WORKLOAD ' /tmp/w.out >>/tmp/truth.txt
	[ "$rc" = 0 ] || { res "@@VT ERROR workload $d exited $rc"; res_file log "w-$d" /tmp/w.out; }
	i=$((i + 1))
	# progress for vt_watchdog: 258 workloads under TCG can take longer
	# than its VT_QUIET_S, and a loop that says nothing is taken for hung
	[ $((i % 16)) != 0 ] || res "@@VT STEP fleet $i workloads"
done
vt_kprobe_counts after
res_file truth fleet /tmp/truth.txt
vt_snapshot fleet
vt_daemon_mem fleet
vt_stop_daemon
