#!/usr/bin/env bash
# On the host's own kernel (no vfio here): vfiotopd starts, says it is waiting
# for vfio-pci, serves snapshots, rejects bad requests, exits 0 on SIGTERM. TAP.
set -u
build=$1
dir=$(mktemp -d)
chmod 755 "$dir"	# other users reach the socket folders; those decide
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
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
port=$(free_port)
port2=$(free_port)
"$build/vfiotopd" -s "$sock" --listen "$port" --listen "127.0.0.1:$port2" --json-lines "$dir/lines.jsonl" --interval 0.25 \
	--report-dir "$dir/reports" --metrics-exclude vfiotop_dma_ --metrics-exclude vfiotop_hook_attached \
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
# the reports the running daemon writes are where vfiotop reports looks
"$build/vfiotop" reports -s "$sock" >"$dir/rep" 2>&1
grep -q "$dir/reports" "$dir/rep"
ok $? "vfiotop reports lists the running daemon's --report-dir"
"$build/vfiotop" reports --help >"$dir/rh" && grep -q '^Usage: vfiotop reports' "$dir/rh" &&
	"$build/vfiotop" report --help | grep -q '^Usage: vfiotop report FILE' &&
	"$build/vfiotop" --help | grep -q 'vfiotop reports \[DIR\]'
ok $? "vfiotop report, reports and vfiotop itself answer --help; vfiotop --help lists them"
# least privilege: what is kept (docs/architecture.md), no_new_privs
# (permitted and bounding), of them only /proc's two in effect while not attached
capprm=$(awk '/^CapPrm/ { print $2 }' "/proc/$pid/status")
capeff=$(awk '/^CapEff/ { print $2 }' "/proc/$pid/status")
capbnd=$(awk '/^CapBnd/ { print $2 }' "/proc/$pid/status")
[ "$capprm" = 000000c000280004 ] && [ "$capbnd" = 000000c000280004 ] &&
	[ "$capeff" = 0000000000080004 ]
ok $? "capabilities: only bpf, perfmon, sys_admin, sys_ptrace, dac_read_search kept, sys_ptrace and dac_read_search in effect (prm $capprm, eff $capeff, bnd $capbnd)"
grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$pid/status"
ok $? "no_new_privs is set"
[ "$(stat -c %a "$(dirname "$sock")")" = 700 ]
ok $? "socket folder is mode 0700"
setpriv --reuid=65534 --regid=65534 --clear-groups "$build/vfiotop" --json -s "$sock" \
	>/dev/null 2>"$dir/err"
[ $? -eq 1 ] && grep -q 'Permission denied' "$dir/err"
ok $? "a non-root user cannot read the socket"
grep -q "serving /metrics and /json on http://127.0.0.1:$port (loopback only)" "$dir/log"
ok $? "--listen PORT binds loopback and says so"
# a second --listen is served too, not instead of the first
curl -sf "http://127.0.0.1:$port/metrics" | grep -q '^vfiotop_build_info{' &&
	curl -sf "http://127.0.0.1:$port2/metrics" | grep -q '^vfiotop_build_info{'
ok $? "two --listen addresses: /metrics served on both"
curl -sf "http://127.0.0.1:$port/metrics" >"$dir/metrics"
! grep -Eq '^(# (HELP|TYPE) )?vfiotop_(dma_|hook_attached)' "$dir/metrics" &&
	grep -q '^# TYPE vfiotop_hooks_unavailable gauge' "$dir/metrics" &&
	grep -q '^vfiotop_devices ' "$dir/metrics"
ok $? "--metrics-exclude: /metrics has no DMA or hook_attached family, the others stay"
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
	"--interval x" "--listen 9 --listen 127.0.0.1:9"; do
	# shellcheck disable=SC2086
	timeout 10 "$build/vfiotopd" -s "$dir/s2" $bad >/dev/null 2>"$dir/err"
	[ $? -eq 2 ] && grep -q -- "${bad%% *}" "$dir/err"
	ok $? "vfiotopd $bad exits 2 naming the option"
done
# --socket-group: that group may read, others still not
"$build/vfiotopd" -s "$dir/g/sock" --socket-group nogroup --no-pin --no-reports >"$dir/glog" 2>&1 &
gpid=$!
# bind() creates the socket, chmod and chown follow: wait for them, not just for it
for _ in $(seq 50); do
	[ "$(stat -c '%a %G' "$dir/g/sock" 2>/dev/null)" = "660 nogroup" ] && break
	sleep 0.1
done
[ "$(stat -c '%a %G' "$dir/g/sock")" = "660 nogroup" ] && [ "$(stat -c '%a %G' "$dir/g")" = "750 nogroup" ]
ok $? "--socket-group: socket 0660 and folder 0750, group nogroup"
setpriv --reuid=65534 --regid=65534 --clear-groups "$build/vfiotop" --json -s "$dir/g/sock" \
	>"$dir/gsnap.json" 2>&1
ok $? "--socket-group: a member of the group reads snapshots"
setpriv --reuid=65534 --regid=1 --clear-groups "$build/vfiotop" --json -s "$dir/g/sock" \
	>/dev/null 2>&1
[ $? -eq 1 ]
ok $? "--socket-group: a user outside the group still cannot"
kill -TERM $gpid
wait $gpid
"$build/vfiotopd" -s "$dir/g2/sock" --socket-group no-such-group >/dev/null 2>"$dir/err"
[ $? -eq 2 ] && grep -q "no group 'no-such-group'" "$dir/err"
ok $? "--socket-group with an unknown group exits 2"
"$build/vfiotopd" -s "$dir/s3" --json-lines /nonexistent/dir/x >/dev/null 2>"$dir/err"
[ $? -eq 1 ] && grep -q "cannot open /nonexistent/dir/x" "$dir/err"
ok $? "--json-lines to a path that cannot be opened exits 1 and says why"
# a predecessor killed with -9 can hold its socket for seconds (its BPF links
# are torn down first): a listener that never answers, gone after 2 s, stands in
mkdir -p "$dir/k" && chmod 700 "$dir/k"
python3 - "$dir/k/sock" 2 <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); s.listen(8)
time.sleep(float(sys.argv[2])); s.close()
PY
zombie=$!
for _ in $(seq 50); do [ -S "$dir/k/sock" ] && break; sleep 0.1; done
start=$(date +%s.%N)
"$build/vfiotopd" -s "$dir/k/sock" --no-pin --no-reports >"$dir/klog" 2>&1 &
kpid=$!
for _ in $(seq 100); do "$build/vfiotop" --json -s "$dir/k/sock" >/dev/null 2>&1 && break; sleep 0.1; done
took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
kill -0 $kpid 2>/dev/null && grep -q 'a previous vfiotopd is still exiting: waiting' "$dir/klog" &&
	"$build/vfiotop" --json -s "$dir/k/sock" >/dev/null 2>&1
ok $? "a restart waits for a predecessor that still holds the socket, then serves (${took} s)"
kill -TERM $kpid 2>/dev/null
wait $kpid $zombie 2>/dev/null
rm -rf "$dir"
