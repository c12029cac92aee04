#!/usr/bin/env bash
# make bench: boots each kernel once (Debian 6.1, 6.1 + kernel/patches, 6.12,
# trixie-backports 7.x) with tests/vm/scenarios/bench.sh, then 6.12 with 16
# and with 256 devices for the daemon's own usage, and writes docs/benchmarks.md with its
# plots, always: a kernel that does not finish is marked as such in the report
# (why, and its console), and run.sh then exits 1.
#   run.sh BUILD_DIR [LABEL...]      (LABELs: only these boots, e.g. "6.12 devices")
#
# A guest that crashes or hangs costs minutes, not the QEMU timeout: run.sh
# watches the console for a panic, an oops, a lockup or a hung task, and
# results.txt for progress (VFIOTOP_BENCH_STALL seconds without a new line),
# kills QEMU, and boots that kernel once more.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
shift || true
only=" $* "
here=$(cd "$(dirname "$0")" && pwd)
vm=$here/../vm
out=$build/bench
mkdir -p "$out"
# the commit measured, for the next run's comparison (report.py)
git -C "$here" describe --always --dirty >"$out/commit" 2>/dev/null || rm -f "$out/commit"
bpftrace=$(command -v bpftrace)
# the 16-device boot profiles the daemon with perf (linux-perf) when there is one
perf=$(command -v perf || true)
stall=${VFIOTOP_BENCH_STALL:-180}
# TCG's threading for the bench guests: see docs/benchmarks.md, "A bench that finishes"
tcg=${VFIOTOP_BENCH_TCG:-multi}
# an oops or a lockup stops the guest at once (panic=-1 and -no-reboot end QEMU)
append="panic_on_oops=1 softlockup_panic=1"
failed=()
. "$here/watch.sh"

boot() { # label flavour scenario [env...]
	local label=$1 flavour=$2 scenario=$3 kdir attempt why t0 whys=() tcg=$tcg
	# tcg is local: a silent boot's retry changes it for this boot only
	# (try_once, in watch.sh, reads it)
	shift 3
	[ "$only" = "  " ] || [[ $only == *" $label "* ]] || return 0
	rm -rf "${out:?}/$label"
	if ! kdir=$(bash "$here/../../scripts/fetch-kernel.sh" "$flavour"); then
		mkdir -p "$out/$label"
		echo "its kernel package could not be fetched" >"$out/$label/FAILED"
		failed+=("$label")
		return 0
	fi
	for attempt in 1 2; do
		echo "bench: $label ($(basename "$kdir")), try $attempt" >&2
		t0=$(date +%s)
		why=$(try_once "$label" "$kdir" "$scenario" "$out/$label" "$@")
		if [ -z "$why" ]; then
			echo "bench: $label took $(cat "$out/$label/boot_seconds") s" >&2
			# a boot run again alone may have run with other threading
			echo "$tcg" >"$out/$label/tcg_thread"
			# the tries that failed before, for the report
			[ ${#whys[@]} -eq 0 ] || printf '%s\n' "${whys[@]}" >"$out/$label/RETRIED"
			[ ! -d "$out/$label-try1" ] || mv "$out/$label-try1" "$out/$label/try1"
			return 0
		fi
		echo "bench: $label try $attempt failed after $(($(date +%s) - t0)) s: $why" >&2
		grep -aE -A12 "$bad" "$out/$label/console.log" 2>/dev/null | head -n 14 | sed 's/^/bench:   /' >&2 || true
		whys+=("try $attempt: $why")
		# A guest silent with nothing on its console has, each time QEMU's
		# registers were read, had both vCPUs halted, waiting for an interrupt
		# multi-threaded TCG never delivered (6.12 twice in a row, 2026-12-05):
		# single-threaded TCG has no such race. Not for the daemon's boots,
		# whose CPU share single-threaded TCG inflates (docs/benchmarks.md).
		if [[ $why == "no progress"* && $scenario == bench.sh && $tcg == multi ]]; then
			tcg=single
			echo "bench: $label try 2 with -accel tcg,thread=single" >&2
		fi
		[ "$attempt" = 2 ] || { rm -rf "$out/$label-try1"; mv "$out/$label" "$out/$label-try1"; }
	done
	[ ! -d "$out/$label-try1" ] || mv "$out/$label-try1" "$out/$label/try1"
	printf '%s\n' "${whys[@]}" >"$out/$label/FAILED"
	failed+=("$label")
}

start=$(date +%s)
# VFIOTOP_FLR_DEV: QEMU's edu is among the devices, for the interrupt path
boot 6.1 6.1 bench.sh VFIOTOP_FLR_DEV=1
if [ -f "$build/kernel/modules/KERNEL" ]; then
	boot 6.1-patched 6.1 bench.sh VFIOTOP_MODULES="$build/kernel/modules" VFIOTOP_FLR_DEV=1
elif [ "$only" = "  " ] || [[ $only == *" 6.1-patched "* ]]; then
	mkdir -p "$out/6.1-patched"
	echo "no patched modules (make kernel failed)" >"$out/6.1-patched/FAILED"
	failed+=(6.1-patched)
fi
boot 6.12 6.12 bench.sh VFIOTOP_FLR_DEV=1
boot trixie-7 trixie-7 bench.sh VFIOTOP_FLR_DEV=1
boot devices 6.12 bench-devices.sh VFIOTOP_BAR0_MB=16 VFIOTOP_BAR1_MB=16 VFIOTOP_EXTRA_DEVS=14
# 256 devices: the two of every boot and 254 behind PCI bridges, 1 MiB each
boot devices256 6.12 bench-devices.sh VFIOTOP_BAR0_MB=1 VFIOTOP_BAR1_MB=1 VFIOTOP_MANY_DEVS=254
echo "bench: all boots took $(($(date +%s) - start)) s" >&2
echo "$(($(date +%s) - start))" >"$out/total_seconds"
python3 "$here/report.py" "$out" "$here/../../docs"
if [ ${#failed[@]} -gt 0 ]; then
	echo "bench: did not finish: ${failed[*]} (marked in docs/benchmarks.md)" >&2
	exit 1
fi
