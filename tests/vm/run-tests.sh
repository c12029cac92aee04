#!/usr/bin/env bash
# VM tests: boots each supported kernel once with all its scenarios and checks
# vfiotop's numbers. Prints TAP (one plan-less stream; tests/summary.sh counts).
#   run-tests.sh BUILD_DIR
set -uo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$build" && pwd)

run_kernel() { # flavour model [label]
	local flavour=$1 model=$2 label=${3:-$1} kdir out
	if ! kdir=$(bash "$here/fetch-kernel.sh" "$flavour"); then
		echo "not ok - $flavour: kernel package could not be fetched"
		return
	fi
	out="$build/vm/$label"
	rm -rf "$out"
	VFIOTOP_BAR2_MB=1024 bash "$here/boot.sh" "$kdir" "$build" "$here/scenarios/full.sh" "$out" >&2
	echo "# $label ($(basename "$kdir")): VM boot + scenario took $(cat "$out/boot_seconds") s"
	python3 "$here/check.py" "$out/results.txt" "$model" "$label: " ||
		echo "# $label: console log in $out/console.log, results in $out/results.txt"
}

bash "$here/../host-smoke.sh" "$build"
run_kernel 6.1 whole_vma
# the same Debian 6.1 kernel with our patched vfio modules (make kernel)
if [ -f "$build/kernel/modules/KERNEL" ]; then
	VFIOTOP_MODULES=$build/kernel/modules run_kernel 6.1 per_page 6.1-patched
else
	echo "not ok - 6.1-patched: no patched modules (make kernel)"
fi
run_kernel 6.12 huge
