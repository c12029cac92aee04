#!/usr/bin/env bash
# vfiotopd names devices from the PCI ID database (VFIOTOP_PCI_IDS: a small
# pci.ids written here) for devices in a fake sysfs (VFIOTOP_SYSFS): in /json
# and on vfiotop_device_info, again when a device's IDs change, not at every
# snapshot; "" with a missing or malformed database, the daemon unharmed. TAP.
# Needs root, as vfiotopd does; the daemon waits for vfio-pci, no BPF is loaded.
set -u
build=$1
dir=$(mktemp -d)
chmod 755 "$dir"
n=0
ok() { # cond-exit-status name
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - pci-names: $2"; else echo "not ok $n - pci-names: $2"; fi
}
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

# a device directory as sysfs has it (add_pci_device in test_pci_sysfs_owners.c)
add_device() { # bdf vendor device subvendor subdevice class driver
	local d=$dir/sys/bus/pci/devices/$1
	mkdir -p "$d"
	echo "$2" >"$d/vendor"; echo "$3" >"$d/device"
	echo "$4" >"$d/subsystem_vendor"; echo "$5" >"$d/subsystem_device"
	echo "$6" >"$d/class"
	ln -sfn "../../../bus/pci/drivers/$7" "$d/driver"
}
add_device 0000:01:00.0 0x1af4 0x1110 0x1af4 0x1100 0x050000 vfio-pci
add_device 0000:02:00.0 0x8086 0x1572 0x8086 0x0001 0x020000 vfio-pci
printf '%s\n' '1af4  Red Hat, Inc.' $'\t1000  Virtio network device' \
	$'\t1110  Inter-VM shared memory' $'\t\t1af4 1100  QEMU Virtual Machine' \
	'C 02  Network controller' $'\t00  Ethernet controller' \
	'C 05  Memory controller' $'\t00  RAM memory' >"$dir/pci.ids"
printf '1af4  Red Hat, Inc.\nnot a line of pci.ids\n' >"$dir/bad.ids"

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
start() { # name ids-file
	local port
	port=$(free_port)
	VFIOTOP_SYSFS=$dir/sys VFIOTOP_PCI_IDS=$2 "$build/vfiotopd" -s "$dir/$1/sock" \
		--listen "$port" --no-pin --no-reports --json-lines "$dir/$1.jsonl" --interval 0.25 \
		>"$dir/$1.log" 2>&1 &
	pids+=($!)
	pid=$!
	url=http://127.0.0.1:$port
	for _ in $(seq 100); do
		"$build/vfiotop" --json -s "$dir/$1/sock" >/dev/null 2>&1 && return
		sleep 0.1
	done
}
# a device's names in /json: "vendor|device|subsystem|class"
names() { # name bdf
	"$build/vfiotop" --json -s "$dir/$1/sock" 2>/dev/null | python3 -c '
import json, sys
for d in json.load(sys.stdin)["devices"]:
    if d["bdf"] == sys.argv[1]:
        print("|".join(d[k] for k in ("vendor_name", "device_name", "subsystem_name", "class_name")))' "$2"
}
# waits (up to 20 s: identities are read once a second at most) for a device's names
wait_names() { # name bdf want
	for _ in $(seq 200); do
		[ "$(names "$1" "$2")" = "$3" ] && return 0
		sleep 0.1
	done
	echo "# $2: '$(names "$1" "$2")', want '$3'"
	return 1
}
metrics() {
	python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1] + "/metrics", timeout=10).read().decode())' "$url"
}

start good "$dir/pci.ids"
wait_names good 0000:01:00.0 'Red Hat, Inc.|Inter-VM shared memory|Red Hat, Inc. QEMU Virtual Machine|RAM memory'
ok $? "/json names a device the database knows (vendor, device, subsystem, class)"
wait_names good 0000:02:00.0 '|||Ethernet controller'
ok $? "/json: \"\" for the IDs the database lacks, the class it has"
info=$(metrics | grep '^vfiotop_device_info{bdf="0000:01:00.0"')
echo "$info" | grep -q 'vendor_name="Red Hat, Inc.",device_name="Inter-VM shared memory",subsystem_name="Red Hat, Inc. QEMU Virtual Machine",class_name="RAM memory"'
ok $? "/metrics: vfiotop_device_info carries the same names"
metrics | grep '^vfiotop_device_info{bdf="0000:02:00.0"' |
	grep -q 'vendor_name="",device_name="",subsystem_name="",class_name="Ethernet controller"'
ok $? "/metrics: unknown names are empty labels"

"$build/vfiotop" --json -s "$dir/good/sock" >"$dir/snap.json" 2>/dev/null
for _ in $(seq 100); do grep -q '"vendor_name":"Red Hat, Inc."' "$dir/good.jsonl" && break; sleep 0.1; done
out=$(python3 "$(dirname "$0")/validate-json.py" snapshot "$dir/snap.json" &&
	python3 "$(dirname "$0")/validate-json.py" lines "$dir/good.jsonl")
[ $? -eq 0 ] && ! echo "$out" | grep -q '^not ok' &&
	grep -q '"vendor_name":"Red Hat, Inc.","device_name":"Inter-VM shared memory"' "$dir/good.jsonl"
rc=$?
ok $rc "the snapshot and --json-lines (names in them) match docs/vfiotop.schema.json"
[ $rc -eq 0 ] || echo "$out" | sed 's/^/#   /'

# a new identity at the same address (the driver changes with it): named again
echo 0x1000 >"$dir/sys/bus/pci/devices/0000:01:00.0/device"
ln -sfn ../../../bus/pci/drivers/virtio_vfio_pci "$dir/sys/bus/pci/devices/0000:01:00.0/driver"
wait_names good 0000:01:00.0 'Red Hat, Inc.|Virtio network device|Red Hat, Inc.|RAM memory'
ok $? "a device whose IDs changed gets the new names"

# names are kept per identity: with the database gone, later snapshots (and
# identity reads: once a second) still have them
mv "$dir/pci.ids" "$dir/pci.ids.moved"
for _ in 1 2 3; do names good 0000:01:00.0 >"$dir/after"; sleep 1; done
[ "$(cat "$dir/after")" = 'Red Hat, Inc.|Virtio network device|Red Hat, Inc.|RAM memory' ]
ok $? "names are looked up once per identity, not at every snapshot ($(cat "$dir/after"))"
mv "$dir/pci.ids.moved" "$dir/pci.ids"

start missing "$dir/no-such.ids"
wait_names missing 0000:01:00.0 '|||'
ok $? "a missing database: every name \"\""
start bad "$dir/bad.ids"
wait_names bad 0000:01:00.0 '|||' && kill -0 "$pid" &&
	grep -q 'PCI names: Parse error at .*bad.ids, line 2; names will be empty' "$dir/bad.log"
ok $? "a malformed database: names \"\", the daemon serves on and says why"
for p in "${pids[@]}"; do kill -TERM "$p"; done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
pids=()
ok $rc "every daemon exits 0 on SIGTERM"
