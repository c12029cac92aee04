#!/usr/bin/env bash
# VM tests: boots each supported kernel once with all its scenarios and checks
# vfiotop's numbers. Prints TAP (one plan-less stream; tests/summary.sh counts).
#   run-tests.sh BUILD_DIR
set -uo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$build" && pwd)

run_kernel() { # flavour model
	local flavour=$1 model=$2 kdir out
	if ! kdir=$(bash "$here/fetch-kernel.sh" "$flavour"); then
		echo "not ok - $flavour: kernel package could not be fetched"
		return
	fi
	out="$build/vm/$flavour"
	rm -rf "$out"
	VFIOTOP_BAR2_MB=1024 bash "$here/boot.sh" "$kdir" "$build" "$here/scenarios/full.sh" "$out" >&2
	echo "# $flavour ($(basename "$kdir")): VM boot + scenario took $(cat "$out/boot_seconds") s"
	python3 "$here/check.py" "$out/results.txt" "$model" "$flavour: " ||
		echo "# $flavour: console log in $out/console.log, results in $out/results.txt"
}

bash "$here/../host-smoke.sh" "$build"
run_kernel 6.1 whole_vma
run_kernel 6.12 huge
