# shellcheck shell=bash
# Sourced by run-tests.sh, and by tests/host/emulator-failure.sh which checks it.

# What kind of emulator failure left a scenario unfinished, if one did:
# int3, abort (QEMU's own), frozen (the whole guest), stopped (a crash that
# left no console line); nothing for a hang the guest reported itself.
emulator_failure() { # out model
	local out=$1 model=$2
	if grep -q 'Oops: int3' "$out/console.log" 2>/dev/null; then
		echo int3
	elif grep -qi 'assertion.* failed' "$out/qemu.err" 2>/dev/null; then
		echo abort
	elif grep -q '^@@VT BEGIN hang' "$out/results.txt" 2>/dev/null; then
		return 0
	elif [ -f "$out/frozen.txt" ]; then
		echo frozen
	elif awk -v s="$(cat "$out/boot_seconds" 2>/dev/null || echo 0)" \
		-v t="${VFIOTOP_VM_TIMEOUT:-$([ "$model" = fleet ] && echo 1800 || echo 900)}" \
		'BEGIN { exit !(s + 10 < t) }'; then
		echo stopped
	fi
}
