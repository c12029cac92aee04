#!/usr/bin/env bash
# The host side of a VM's live session (guest: vt_live_session): with the
# guest's vfiotopd reachable on forwarded ports, a real Prometheus scrapes it
# and PromQL must return the counts the daemon holds for the device workload e
# used; /metrics and /json get the HTTP checks; vfiotop runs in tmux against
# the guest daemon while a workload keeps faulting and resetting. TAP.
#   live-host.sh OUTDIR BUILD_DIR HTTP_PORT SOCKET_PORT LABEL VM_PID
set -u
out=$1 build=$2 http_port=$3 sock_port=$4 label=$5 vm=$6
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
ok() { # status name [detail file]
	if [ "$1" -eq 0 ]; then
		echo "ok - $label: live: $2"
	else
		echo "not ok - $label: live: $2"
		[ -n "${3:-}" ] && sed 's/^/#   /' "$3" | head -n 30
	fi
}
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# the guest gets there after everything else in its scenario
for _ in $(seq 1800); do
	grep -q '^@@VT LIVE_READY' "$out/results.txt" 2>/dev/null && break
	grep -q '^@@VT DONE' "$out/results.txt" 2>/dev/null && break
	kill -0 "$vm" 2>/dev/null || break
	sleep 0.5
done
if ! grep -q '^@@VT LIVE_READY' "$out/results.txt"; then
	ok 1 "the guest opened its live session"
	exit 0
fi
ok 0 "the guest opened its live session"

python3 "$here/../host/http-check.py" --label "$label: live" "127.0.0.1:$http_port"

# what the daemon said on its socket just before: the counts PromQL must return
python3 - "$out/results.txt" >"$dir/want" <<'PY'
import json, re, sys
text = open(sys.argv[1], errors="replace").read()
wl = re.search(r"@@VT BEGIN workload e\n(.*?)\n@@VT END", text, re.S).group(1)
bdf = json.loads(re.search(r"^VFIOTOP-WORKLOAD (.*)$", wl, re.M).group(1))["bdf"]
snap = json.loads(re.search(r"@@VT BEGIN snapshot pinned\n(.*?)\n@@VT END", text, re.S).group(1))
dev = next(d for d in snap["devices"] if d["bdf"] == bdf)
print(bdf, dev["faults"]["count"], dev["zaps"]["count"], dev["mapped"]["pages_4k"] +
      dev["mapped"]["pages_2m"] + dev["mapped"]["pages_1g"])
PY
read -r bdf want_faults want_zaps want_pages <"$dir/want"
echo "# live: device $bdf: $want_faults faults, $want_zaps zaps, $want_pages pages in the snapshot"

prom_port=$(free_port)
cat >"$dir/prometheus.yml" <<EOF2
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: vfiotop
    static_configs:
      - targets: ['127.0.0.1:$http_port']
EOF2
promtool check config "$dir/prometheus.yml" >"$dir/promtool.log" 2>&1
ok $? "promtool check config accepts the scrape config" "$dir/promtool.log"
prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/tsdb" \
	--web.listen-address="127.0.0.1:$prom_port" >"$dir/prometheus.log" 2>&1 &
pids+=($!)
query() { # promql -> the value of the one result, or empty
	curl -s --max-time 5 "http://127.0.0.1:$prom_port/api/v1/query" --data-urlencode "query=$1" |
		python3 -c 'import json,sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if len(r) == 1 else "")' 2>/dev/null
}
got=""
for _ in $(seq 120); do
	got=$(query "sum(vfiotop_faults_total{bdf=\"$bdf\"})")
	[ -n "$got" ] && break
	sleep 0.5
done
[ "$got" = "$want_faults" ]
ok $? "PromQL sum(vfiotop_faults_total{bdf=\"$bdf\"}) = $got, the daemon's $want_faults" \
	"$dir/prometheus.log"
got=$(query "sum(vfiotop_zaps_total{bdf=\"$bdf\"})")
[ "$got" = "$want_zaps" ]
ok $? "PromQL sum(vfiotop_zaps_total{bdf=\"$bdf\"}) = $got, the daemon's $want_zaps"
got=$(query "sum(vfiotop_mapped_pages_total{bdf=\"$bdf\"})")
[ "$got" = "$want_pages" ]
ok $? "PromQL sum(vfiotop_mapped_pages_total{bdf=\"$bdf\"}) = $got, the daemon's $want_pages"
got=$(query "up{job=\"vfiotop\"}")
[ "$got" = 1 ]
ok $? "Prometheus sees the target up"
got=$(query "count(vfiotop_device_info * on(bdf) group_left vfiotop_device_up)")
[ -n "$got" ] && [ "$got" -ge 2 ]
ok $? "device labels join across families ($got devices)"
# every query of the shipped Grafana dashboard returns data (rates: a few scrapes in)
sleep 3
python3 "$here/../host/dashboard-queries.py" "$here/../../packaging/grafana/vfiotop-dashboard.json" \
	--label "$label: live: dashboard" --prometheus "http://127.0.0.1:$prom_port"

# vfiotop on this host, the daemon in the guest: a unix socket bridged to it
socat "UNIX-LISTEN:$dir/vfiotopd.sock,fork" "TCP:127.0.0.1:$sock_port" 2>/dev/null &
pids+=($!)
for _ in $(seq 50); do [ -S "$dir/vfiotopd.sock" ] && break; sleep 0.1; done
"$build/vfiotop" -s "$dir/vfiotopd.sock" --json >"$dir/snap.json" 2>"$dir/err"
ok $? "vfiotop reaches the guest daemon through the bridge" "$dir/err"
if [ -f "$here/../host/live-view.py" ]; then
	args=()
	for b in $(python3 -c 'import json,sys
print(" ".join(d["bdf"] for d in json.load(open(sys.argv[1]))["devices"] if d["state"] == "live"))' \
		"$dir/snap.json"); do
		args+=(--expect-bdf "$b")
	done
	python3 "$here/../host/live-view.py" --vfiotop "$build/vfiotop" --socket "$dir/vfiotopd.sock" \
		--expect-owner vt-live --save "$out/live-view" "${args[@]}" | sed "s/^\(not \)\?ok - /&$label: /"
else
	ok 1 "tests/host/live-view.py exists"
fi

printf 'done\n' | socat - "UNIX-CONNECT:$out/ctl.sock" 2>/dev/null
ok $? "told the guest to go on"

# The packaged unit restarted with its remote-scrape drop-in and a web.yml
# (guest: vt_remote_scrape): a Prometheus on "another host" scrapes it over
# TLS with a password, through the forwarded port to the guest's address.
for _ in $(seq 600); do
	grep -q '^@@VT REMOTE_READY' "$out/results.txt" 2>/dev/null && break
	grep -q '^@@VT DONE' "$out/results.txt" 2>/dev/null && break
	kill -0 "$vm" 2>/dev/null || break
	sleep 0.5
done
grep -q '^@@VT REMOTE_READY' "$out/results.txt"
ok $? "remote: the packaged unit restarted with the remote-scrape drop-in and web.yml"
version=$(sed -n 's/^@@VT REMOTE_READY //p' "$out/results.txt" | head -n1)
upstream=${version%-*}
tls=$out/tls
url=https://127.0.0.1:$http_port
pass=$(cat "$tls/password" 2>/dev/null)
remote() { # curl args... -> the HTTP status, the body in $dir/remote.txt
	curl -s -o "$dir/remote.txt" -w '%{http_code}' --max-time 10 --cacert "$tls/vfiotopd.crt" "$@"
}
code=$(remote -u "prometheus:$pass" "$url/metrics")
[ "$code" = 200 ] && [ -n "$upstream" ] &&
	grep -q "^vfiotop_build_info{version=\"$upstream\"," "$dir/remote.txt"
ok $? "remote: /metrics over TLS with the password: $code, build_info of the package's $version"
code=$(remote -u "prometheus:$pass" "$url/json")
[ "$code" = 200 ] && python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if "pid" in d["daemon"] else 1)' "$dir/remote.txt" 2>/dev/null
ok $? "remote: /json over TLS with the password has the process details ($code)"
code=$(remote "$url/metrics")
[ "$code" = 401 ]
ok $? "remote: without a password: $code"
code=$(remote -u "prometheus:not-$pass" "$url/metrics")
[ "$code" = 401 ]
ok $? "remote: a wrong password: $code"
code=$(remote --tls-max 1.1 -u "prometheus:$pass" "$url/metrics")
[ "$code" = 000 ]
ok $? "remote: TLS 1.1 refused (status $code)"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$http_port/metrics")
[ "$code" != 200 ]
ok $? "remote: plain HTTP gets no metrics ($code)"
rprom_port=$(free_port)
cat >"$dir/remote.yml" <<EOF2
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: vfiotop-remote
    scheme: https
    tls_config:
      ca_file: $tls/vfiotopd.crt
      server_name: localhost
    basic_auth:
      username: prometheus
      password_file: $tls/password
    static_configs:
      - targets: ['127.0.0.1:$http_port']
EOF2
prometheus --config.file="$dir/remote.yml" --storage.tsdb.path="$dir/rtsdb" \
	--web.listen-address="127.0.0.1:$rprom_port" >"$dir/rprometheus.log" 2>&1 &
pids+=($!)
got=""
for _ in $(seq 120); do
	got=$(prom_port=$rprom_port query "count(vfiotop_build_info{job=\"vfiotop-remote\",version=\"$upstream\"})")
	[ -n "$got" ] && break
	sleep 0.5
done
[ "$got" = 1 ] && [ "$(prom_port=$rprom_port query 'up{job="vfiotop-remote"}')" = 1 ]
ok $? "remote: Prometheus scrapes it with TLS and basic auth (up, build_info $upstream)" \
	"$dir/rprometheus.log"
printf 'done\n' | socat - "UNIX-CONNECT:$out/ctl.sock" 2>/dev/null
ok $? "remote: told the guest to go on"
