#!/usr/bin/env bash
# make demo: boots Debian 6.1 in QEMU with two emulated PCI devices bound to
# vfio-pci, runs vfiotopd and two workloads in the guest, and shows what
# vfiotop reported.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)

show() { # kind label
	sed -n "/^@@VT BEGIN $1 $2\r\{0,1\}\$/,/^@@VT END/p" "$out/results.txt" |
		sed '1d;$d' | tr -d '\r'
}

echo "== fetching the current Debian 6.1 kernel (cached in ~/.cache/vfiotop)"
kdir=$(bash "$here/../../scripts/fetch-kernel.sh" 6.1)
out="$build/vm/demo"
rm -rf "$out"
echo "== booting $(basename "$kdir") in QEMU (TCG, about 15 s)"
bash "$here/boot.sh" "$kdir" "$build" "$here/scenarios/demo.sh" "$out"
if ! grep -q '^@@VT DONE' "$out/results.txt"; then
	echo "demo: the guest did not finish; console log: $out/console.log" >&2
	exit 1
fi
echo
echo "== what the workloads did (their own account)"
for w in a b; do show workload "$w" | sed -n 's/^VFIOTOP-WORKLOAD //p'; done |
	python3 "$here/demo_summary.py"
echo
echo "== vfiotop, while both workloads hold their devices"
show table running
echo
echo "== vfiotop after they exited (the close-time resets are counted too)"
show table after-exit
echo
echo "== vfiotop --json --pretty, first device"
show pretty running | python3 -c '
import json, sys
doc = json.load(sys.stdin)
doc["devices"] = doc["devices"][:1]
doc["hooks"] = [h["function"] + " (" + h["mechanism"] + ")" for h in doc["hooks"]]
print(json.dumps(doc, indent=2))'
echo
echo "(full results: $out/results.txt; guest console: $out/console.log)"
