#!/usr/bin/env bash
# Boots one Debian kernel in QEMU (TCG) with two ivshmem devices behind their
# own PCIe root ports and an emulated intel-iommu, runs a scenario, and leaves
#   OUTDIR/console.log   the serial console (kernel + init)
#   OUTDIR/results.txt   what the scenario sent over ttyS1
#   OUTDIR/qemu.err      what QEMU itself said (and its exit status, if not 0)
#   boot.sh KERNEL_DIR BUILD_DIR SCENARIO.sh OUTDIR
set -euo pipefail
kdir=$1 build=$2 scenario=$3 outdir=$4
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$outdir"

bash "$here/mkinitramfs.sh" "$outdir/initrd.gz" "$kdir" "$build" "$scenario"
. "$here/kernel-files.sh"
vmlinuz=$(kernel_vmlinuz "$kdir")
[ -n "$vmlinuz" ] || { echo "boot.sh: no kernel image in $kdir" >&2; exit 1; }
: >"$outdir/results.txt"

# BAR sizes of the two devices: different on purpose, so the test can tell them apart
bar0=${VFIOTOP_BAR0_MB:-256}
bar1=${VFIOTOP_BAR1_MB:-64}
# an optional third device, e.g. 1024 for PUD (1 GiB) fault tests
extra=()
if [ -n "${VFIOTOP_BAR2_MB:-}" ]; then
	extra=(-object "memory-backend-ram,id=shm2,size=${VFIOTOP_BAR2_MB}M"
		-device pcie-root-port,id=rp3,chassis=3,slot=3
		-device ivshmem-plain,memdev=shm2,bus=rp3)
fi

# make check: a device whose resets are FLRs and that has power management
# (QEMU's virtio in a PCIe slot: reset_method "flr pm bus"); ivshmem only has "bus".
# And QEMU's edu, which raises an MSI or INTx when told to (tests/vm/workload/irq.c),
# and an e1000e (no network behind it), whose 5 MSI-X vectors its ICS register raises
if [ -n "${VFIOTOP_FLR_DEV:-}" ]; then
	extra+=(-device pcie-root-port,id=rp4,chassis=4,slot=4 -device virtio-rng-pci,bus=rp4
		-device pcie-root-port,id=rp5,chassis=5,slot=5 -device edu,bus=rp5
		-device pcie-root-port,id=rp6,chassis=6,slot=6 -device e1000e,bus=rp6)
fi

# make bench: many small devices for the daemon's CPU and memory
for i in $(seq 1 "${VFIOTOP_EXTRA_DEVS:-0}"); do
	extra+=(-object "memory-backend-ram,id=shmx$i,size=${VFIOTOP_EXTRA_MB:-16}M"
		-device "pcie-root-port,id=rpx$i,chassis=$((10 + i)),slot=$((10 + i))"
		-device "ivshmem-plain,memdev=shmx$i,bus=rpx$i")
done

# make check's fleet boot: many 1 MiB devices behind conventional PCI bridges
# on the root bus, 31 to a bridge (bus numbers stay few: a PCIe port per
# device would need more than a domain's 256 buses). No SHPC: a bridge that
# has a hotplug driver would make its IOMMU group unusable for vfio.
many=${VFIOTOP_MANY_DEVS:-0}
if [ "$many" -gt 0 ]; then
	for b in $(seq 1 $(((many + 30) / 31))); do
		extra+=(-device "pci-bridge,id=pb$b,bus=pcie.0,chassis_nr=$((40 + b)),shpc=off")
	done
	for i in $(seq 0 $((many - 1))); do
		extra+=(-object "memory-backend-ram,id=shmm$i,size=1M"
			-device "ivshmem-plain,memdev=shmm$i,bus=pb$((i / 31 + 1)),addr=$(printf %x $((i % 31 + 1)))")
	done
fi

# make check's live session: a NIC whose guest ports the host reaches
# (VFIOTOP_HOSTFWD="hostfwd=tcp:127.0.0.1:HOSTPORT-:GUESTPORT,..."), and ttyS2
# on OUTDIR/ctl.sock for the host to say it is done
append="console=ttyS0 intel_iommu=on iommu=pt panic=-1 loglevel=4"
# a Debian root with systemd as PID 1 (fetch-rootfs.sh): the scenario runs as a service
[ -z "${VFIOTOP_ROOTFS:-}" ] ||
	append+=" rdinit=/lib/systemd/systemd systemd.unit=multi-user.target systemd.show_status=0"
if [ -n "${VFIOTOP_HOSTFWD:-}" ]; then
	extra+=(-netdev "user,id=n0,restrict=on,$VFIOTOP_HOSTFWD" -device e1000,netdev=n0
		-serial "unix:$outdir/ctl.sock,server=on,wait=off")
	append+=" vfiotop.live=1"
fi

# make bench: extra kernel arguments, TCG's threading (multi unless told), and a
# QEMU monitor on a unix socket to look into a guest that hangs
append+=${VFIOTOP_APPEND:+ $VFIOTOP_APPEND}
monitor=(-monitor none)
[ -z "${VFIOTOP_FROZEN_S:-}" ] || VFIOTOP_MONITOR=${VFIOTOP_MONITOR:-$outdir/monitor.sock}
[ -z "${VFIOTOP_MONITOR:-}" ] || monitor=(-monitor "unix:$VFIOTOP_MONITOR,server=on,wait=off")
[ -z "${VFIOTOP_PIDFILE:-}" ] || monitor+=(-pidfile "$VFIOTOP_PIDFILE")

# VFIOTOP_FROZEN_S: a guest whose results stay quiet that long has frozen
# whole (its own watchdog, vt_watchdog, reports a hang sooner): where each
# vCPU stands goes to OUTDIR/frozen.txt, read from QEMU's monitor, and QEMU
# quits then rather than at the timeout.
watch_frozen() {
	local age
	rm -f "$outdir/frozen.txt"
	while sleep 15; do
		[ -S "$VFIOTOP_MONITOR" ] || continue
		age=$(($(date +%s) - $(stat -c %Y "$outdir/results.txt" 2>/dev/null || date +%s)))
		[ "$age" -ge "$VFIOTOP_FROZEN_S" ] || continue
		{
			echo "results.txt quiet for $age s"
			# the monitor answers after reading: keep the line open a while
			# each vCPU's local APIC too: its timer and what it has pending
			{ printf 'info cpus\n'; sleep 1; printf 'info registers -a\n'; sleep 3
			  for c in 0 1; do printf 'cpu %s\ninfo lapic\n' "$c"; sleep 1; done; } |
				socat - "UNIX-CONNECT:$VFIOTOP_MONITOR" | tr -d '\033'
		} >"$outdir/frozen.txt" 2>&1
		{ printf 'quit\n'; sleep 2; } | socat - "UNIX-CONNECT:$VFIOTOP_MONITOR" >/dev/null 2>&1
		return
	done
}
[ -z "${VFIOTOP_FROZEN_S:-}" ] || { watch_frozen & watcher=$!; }

t0=$(date +%s.%N)
timeout "${VFIOTOP_VM_TIMEOUT:-900}" qemu-system-x86_64 \
	-M q35,kernel-irqchip=split -accel "tcg,thread=${VFIOTOP_TCG_THREAD:-multi}" -smp 2 -m 2G -cpu max \
	-nographic -no-reboot -nodefaults \
	-kernel "$vmlinuz" -initrd "$outdir/initrd.gz" \
	-append "$append" \
	-device intel-iommu,intremap=on,caching-mode=on \
	-object memory-backend-ram,id=shm0,size=${bar0}M \
	-device pcie-root-port,id=rp1,chassis=1,slot=1 \
	-device ivshmem-plain,memdev=shm0,bus=rp1 \
	-object memory-backend-ram,id=shm1,size=${bar1}M \
	-device pcie-root-port,id=rp2,chassis=2,slot=2 \
	-device ivshmem-plain,memdev=shm1,bus=rp2 \
	-serial "file:$outdir/console.log" -serial "file:$outdir/results.txt" \
	"${extra[@]}" \
	"${monitor[@]}" </dev/null 2>"$outdir/qemu.err" ||
	echo "boot.sh: qemu exited with $?" >>"$outdir/qemu.err"
cat "$outdir/qemu.err" >&2
[ -z "${watcher:-}" ] || kill "$watcher" 2>/dev/null
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", b - a }' >"$outdir/boot_seconds"
