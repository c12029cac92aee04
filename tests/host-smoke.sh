#!/usr/bin/env bash
# On the host's own kernel (no vfio here): vfiotopd starts, says it is waiting
# for vfio-pci, serves snapshots, rejects bad requests, exits 0 on SIGTERM. TAP.
set -u
build=$1
dir=$(mktemp -d)
sock=$dir/sock/vfiotopd.sock
n=0
ok() { # cond-exit-status name
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - host: $2"; else echo "not ok $n - host: $2"; fi
}

"$build/vfiotop" --json -s "$sock" >/dev/null 2>"$dir/err"
rc=$?
[ $rc -eq 1 ] && grep -q 'is vfiotopd running' "$dir/err"
ok $? "vfiotop without a daemon exits 1 with a clear message"

# a free loopback port for the HTTP exporter
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$build/vfiotopd" -s "$sock" --listen "$port" --json-lines "$dir/lines.jsonl" --interval 0.25 \
	>"$dir/log" 2>&1 &
pid=$!
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
"$build/vfiotop" --json -s "$sock" >"$dir/snap.json"
ok $? "vfiotop --json answers"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["schema_version"] == 1 and isinstance(d["devices"], list) else 1)' "$dir/snap.json"
ok $? "snapshot is a JSON document with schema_version and devices"
if [ -e /sys/kernel/btf/vfio_pci_core ]; then
	echo "# host has vfio-pci loaded: skipping the waiting-state checks"
else
	grep -q '"state":"waiting for vfio-pci"' "$dir/snap.json"
	ok $? "snapshot says the daemon is waiting for vfio-pci"
	grep -q 'waiting for vfio-pci' "$dir/log"
	ok $? "log says the daemon is waiting for vfio-pci"
fi
[ "$(stat -c %a "$sock")" = 600 ]
ok $? "socket is mode 0600"
timeout 5 python3 - "$sock" >"$dir/bad" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1]); s.sendall(b"bogus\n"); print(s.recv(4096).decode())
PY
grep -q '"error"' "$dir/bad"
ok $? "an unknown request gets a JSON error"
kill -0 $pid 2>/dev/null
ok $? "daemon still running after a bad request"
"$build/vfiotopd" -s "$sock" >/dev/null 2>&1
ok $(($? == 1 ? 0 : 1)) "a second daemon on the same socket refuses to start"
grep -q "serving /metrics and /json on http://127.0.0.1:$port (loopback only)" "$dir/log"
ok $? "--listen PORT binds loopback and says so"
python3 "$(dirname "$0")/http-check.py" --label host "127.0.0.1:$port"
kill -0 $pid 2>/dev/null
ok $? "daemon still running after the HTTP checks"
kill -TERM $pid
wait $pid
ok $? "daemon exits 0 on SIGTERM"
[ -f "$dir/lines.jsonl" ] && [ ! -s "$dir/lines.jsonl" ]
ok $? "--json-lines file created, empty without devices"
[ ! -e "$sock" ]
ok $? "socket removed on exit"
"$build/vfiotopd" --bogus >/dev/null 2>&1
ok $(($? == 2 ? 0 : 1)) "an unknown option exits 2"
for bad in "--listen nope" "--listen 70000" "--listen example.com:80" "--interval 0" \
	"--interval x"; do
	# shellcheck disable=SC2086
	"$build/vfiotopd" -s "$dir/s2" $bad >/dev/null 2>"$dir/err"
	[ $? -eq 2 ] && grep -q -- "${bad%% *}" "$dir/err"
	ok $? "vfiotopd $bad exits 2 naming the option"
done
"$build/vfiotopd" -s "$dir/s3" --json-lines /nonexistent/dir/x >/dev/null 2>"$dir/err"
[ $? -eq 1 ] && grep -q "cannot open /nonexistent/dir/x" "$dir/err"
ok $? "--json-lines to a path that cannot be opened exits 1 and says why"
rm -rf "$dir"
