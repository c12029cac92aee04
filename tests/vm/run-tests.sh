#!/usr/bin/env bash
# VM tests: boots each supported kernel once with all its scenarios and checks
# vfiotop's numbers. Prints TAP (one plan-less stream; tests/summary.sh counts).
#   run-tests.sh BUILD_DIR
set -uo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$build" && pwd)

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

run_kernel() { # flavour model [label [live]]
	local flavour=$1 model=$2 label=${3:-$1} live=${4:-} kdir out http sock vm rootfs
	if ! kdir=$(bash "$here/fetch-kernel.sh" "$flavour"); then
		echo "not ok - $flavour: kernel package could not be fetched"
		return
	fi
	out="$build/vm/$label"
	rm -rf "$out"
	mkdir -p "$out"
	if [ -n "$live" ]; then
		# the host side of the live session runs while the VM does
		http=$(free_port)
		sock=$(free_port)
		# and systemd as PID 1, for the packaged unit
		rootfs=$(bash "$here/fetch-rootfs.sh") || echo "not ok - $label: no systemd root"
		VFIOTOP_ROOTFS=$rootfs \
		VFIOTOP_HOSTFWD="hostfwd=tcp:127.0.0.1:$http-:10230,hostfwd=tcp:127.0.0.1:$sock-:7000" \
			VFIOTOP_BAR2_MB=1024 bash "$here/boot.sh" "$kdir" "$build" \
			"$here/scenarios/full.sh" "$out" >&2 &
		vm=$!
		bash "$here/live-host.sh" "$out" "$build" "$http" "$sock" "$label" "$vm" >"$out/live.tap"
		wait "$vm"
	else
		VFIOTOP_BAR2_MB=1024 bash "$here/boot.sh" "$kdir" "$build" "$here/scenarios/full.sh" "$out" >&2
	fi
	echo "# $label ($(basename "$kdir")): VM boot + scenario took $(cat "$out/boot_seconds") s"
	python3 "$here/check.py" "$out/results.txt" "$model" "$label: " ||
		echo "# $label: console log in $out/console.log, results in $out/results.txt"
	python3 "$here/../validate-json.py" --label "$label" results "$out/results.txt"
	if [ -n "$live" ]; then
		cat "$out/live.tap"
		if grep -q '^@@VT INIT systemd' "$out/results.txt"; then
			echo "ok - $label: booted with systemd as PID 1"
		else
			echo "not ok - $label: booted with systemd as PID 1"
		fi
	fi
}

bash "$here/../host-smoke.sh" "$build"
bash "$here/../live-view-host.sh" "$build"
python3 "$here/../bad-input.py" "$build"
run_kernel 6.1 whole_vma
# the same Debian 6.1 kernel with our patched vfio modules (make kernel)
if [ -f "$build/kernel/modules/KERNEL" ]; then
	VFIOTOP_MODULES=$build/kernel/modules run_kernel 6.1 per_page 6.1-patched
else
	echo "not ok - 6.1-patched: no patched modules (make kernel)"
fi
run_kernel 6.12 huge 6.12 live
