#!/usr/bin/env bash
# Which unfinished VM boots run-tests.sh takes for the emulator's failure and
# boots again: each kind from what a boot leaves behind (the console, QEMU's
# own stderr, results.txt, the freeze watcher's dump, the time it took); a
# hang the guest's watchdog reported is never one. TAP.
set -u
unset VFIOTOP_VM_TIMEOUT	# the cases assume the default timeouts
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../vm/emulator-failure.sh"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
n=0
case_is() { # want name setup...
	local want=$1 name=$2 out got
	shift 2
	n=$((n + 1))
	out="$dir/$n"
	mkdir -p "$out"
	: >"$out/results.txt"
	echo 300.0 >"$out/boot_seconds"
	(cd "$out" && eval "$*")
	got=$(emulator_failure "$out" "${model:-full}")
	if [ "$got" = "$want" ]; then
		echo "ok $n - emulator-failure: $name: '${want:-none}'"
	else
		echo "not ok $n - emulator-failure: $name: '${got:-none}', want '${want:-none}'"
	fi
}

case_is int3 "a stale int3 on the console" \
	"echo '[   36.99] Oops: int3: 0000 [#1] PREEMPT SMP NOPTI' >console.log"
# as QEMU 7.2 said it in CI on 2026-12-07
case_is abort "QEMU's assertion" \
	"printf '%s\n' \"qemu-system-x86_64: ../../hw/pci/msix.c:207: msix_table_mmio_read: Assertion \\\`addr + size <= dev->msix_entries_nr * PCI_MSIX_ENTRY_SIZE' failed.\" 'boot.sh: qemu exited with 134' >qemu.err"
case_is abort "a GLib assertion" \
	"printf '**\nERROR:../../accel/tcg/cputlb.c:1390:io_readx: assertion failed: (x)\n' >qemu.err"
case_is "" "a hang the guest reported" \
	"echo '@@VT BEGIN hang' >results.txt; : >frozen.txt"
case_is frozen "a guest frozen whole" ": >frozen.txt"
case_is stopped "a guest gone long before the timeout" ":"
case_is "" "a guest the timeout stopped" "echo 899.0 >boot_seconds"
model=fleet case_is stopped "a fleet guest gone at 900 s of its 1800" "echo 900.0 >boot_seconds"
case_is "" "QEMU's exit without an assertion" \
	"echo 899.5 >boot_seconds; echo 'boot.sh: qemu exited with 1' >qemu.err"
echo "1..$n"
