#!/usr/bin/env bash
# make bench: boots each kernel once (Debian 6.1, 6.1 + kernel/patches, 6.12)
# with tests/vm/scenarios/bench.sh, then 6.12 with 16 devices for the daemon's
# own usage, and writes docs/benchmarks.md with its plots.
#   run.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
vm=$here/../vm
out=$build/bench
mkdir -p "$out"
bpftrace=$(command -v bpftrace)

boot() { # label flavour scenario [env...]
	local label=$1 flavour=$2 scenario=$3 kdir
	shift 3
	kdir=$(bash "$here/../../scripts/fetch-kernel.sh" "$flavour")
	rm -rf "${out:?}/$label"
	echo "bench: $label ($(basename "$kdir"))" >&2
	env "$@" VFIOTOP_EXTRA_BINS="$bpftrace" VFIOTOP_BENCH_DIR="$here" VFIOTOP_VM_TIMEOUT=1800 \
		bash "$vm/boot.sh" "$kdir" "$build" "$vm/scenarios/$scenario" "$out/$label" >&2
	grep -q '^@@VT DONE' "$out/$label/results.txt" ||
		{ echo "bench: $label did not finish (see $out/$label/console.log)" >&2; exit 1; }
	echo "bench: $label took $(cat "$out/$label/boot_seconds") s" >&2
}

start=$(date +%s)
boot 6.1 6.1 bench.sh
boot 6.1-patched 6.1 bench.sh VFIOTOP_MODULES="$build/kernel/modules"
boot 6.12 6.12 bench.sh
boot devices 6.12 bench-devices.sh VFIOTOP_BAR0_MB=16 VFIOTOP_BAR1_MB=16 VFIOTOP_EXTRA_DEVS=14
echo "bench: all boots took $(($(date +%s) - start)) s" >&2
python3 "$here/report.py" "$out" "$here/../../docs"
