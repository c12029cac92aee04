#!/usr/bin/env bash
# The joins docs/metrics.md gives for device names ("Names and node_exporter"),
# over two hosts: promtool test rules (node-join.test.yml) finds one result per
# host and device, the address-only join refused (many-to-many), and nothing
# joined without the instance relabeling; then a real Prometheus, with the
# scrape configuration of the doc, scrapes two fake hosts (127.0.0.1 and
# 127.0.0.2, a vfiotopd and a node_exporter each) and answers the join with one
# result per host. TAP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
doc=$here/../../../docs/metrics.md
dir=$(mktemp -d)
n=0
ok() { # status name
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - node-join: $2"; else echo "not ok $n - node-join: $2"; fi
}
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

# each recording rule's expr is one of the doc's PromQL blocks (whitespace aside)
python3 - "$here/node-join.rules.yml" "$doc" <<'PY'
import re, sys
rules, doc = open(sys.argv[1]).read(), open(sys.argv[2]).read()
squash = lambda s: " ".join(s.split())
blocks = [squash(b) for b in re.findall(r"```promql\n(.*?)```", doc, re.S)]
exprs = re.findall(r"expr: \|\n((?:          .*\n)+)", rules)
missing = [e for e in exprs if squash(e) not in blocks]
print(("ok" if exprs and not missing else "not ok") + " 1 - node-join: the %d joins tested are those of docs/metrics.md" % len(exprs))
for e in missing:
    print("#   not in the doc: " + squash(e))
PY
n=$((n + 1))

out=$(cd "$here" && promtool test rules node-join.test.yml 2>&1)
[ $? -eq 0 ] && echo "$out" | grep -q SUCCESS
rc=$?
ok $rc "promtool: one result per host and device, each with its host's names (vfiotop's and node_exporter's)"
[ $rc -eq 0 ] || echo "$out" | sed 's/^/#   /' | head -20

# the same series, another expectation: everything before promql_expr_test
variant() { # file, then the sed expressions for the input series
	local f=$1
	shift
	sed -n '/^    promql_expr_test:/q; p' "$here/node-join.test.yml" |
		sed -e "s|^  - node-join.rules.yml|  - $here/node-join.rules.yml|" "$@" >"$f"
	echo "    promql_expr_test:" >>"$f"
}
variant "$dir/address-only.test.yml"
cat >>"$dir/address-only.test.yml" <<'EOF'
      - expr: |
          rate(vfiotop_faults_total[5m])
            * on (segment, bus, device, function) group_left (vendor_name, device_name)
            node_pcidevice_info
        eval_time: 10m
        exp_samples: []
EOF
out=$(promtool test rules "$dir/address-only.test.yml" 2>&1)
[ $? -ne 0 ] && echo "$out" | grep -q 'many-to-many matching not allowed'
ok $? "promtool: joined on the address alone, two hosts are refused (many-to-many)"

# without the relabeling: each exporter's instance has its own port
variant "$dir/ports.test.yml" -e '/vfiotop_/s/instance="\(hv-[ab]\)"/instance="\1:10230"/' \
	-e '/node_pcidevice_info/s/instance="\(hv-[ab]\)"/instance="\1:9100"/'
cat >>"$dir/ports.test.yml" <<'EOF'
      - expr: vfiotop:faults:rate5m_named_by_node
        eval_time: 10m
        exp_samples: []
      - expr: count(vfiotop:faults:rate5m_named)
        eval_time: 10m
        exp_samples:
          - labels: '{}'
            value: 3
EOF
out=$(promtool test rules "$dir/ports.test.yml" 2>&1)
[ $? -eq 0 ] && echo "$out" | grep -q SUCCESS
rc=$?
ok $rc "promtool: instances that differ by port join nothing with node_exporter; vfiotop's own join still does"
[ $rc -eq 0 ] || echo "$out" | sed 's/^/#   /' | head -20

# ---- a real Prometheus and the doc's scrape configuration ----
if ! command -v prometheus >/dev/null; then
	echo "ok $((n + 1)) - node-join: Prometheus scrapes two hosts # SKIP no prometheus"
	exit 0
fi
# two ports free on both addresses: vfiotopd's and node_exporter's
read -r pv pn prom < <(python3 - <<'PY'
import socket
def free(hosts):
    while True:
        s = socket.socket(); s.bind((hosts[0], 0)); port = s.getsockname()[1]
        try:
            for h in hosts[1:]:
                t = socket.socket(); t.bind((h, port)); t.close()
            s.close(); return port
        except OSError:
            s.close()
print(free(["127.0.0.1", "127.0.0.2"]), free(["127.0.0.1", "127.0.0.2"]), free(["127.0.0.1"]))
PY
)
python3 - "$doc" "$pv" "$pn" >"$dir/prometheus.yml" <<'PY'
import re, sys
doc, pv, pn = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3]
block = [b for b in re.findall(r"```yaml\n(.*?)```", doc, re.S) if "relabel_configs" in b][0]
block = block.replace("hv-a", "127.0.0.1").replace("hv-b", "127.0.0.2")
block = block.replace(":10230", ":" + pv).replace(":9100", ":" + pn)
print("global: {scrape_interval: 1s, evaluation_interval: 1s}\n" + block)
PY
out=$(promtool check config "$dir/prometheus.yml" 2>&1)
ok $? "promtool check config: the doc's scrape configuration"
# each host: a vfiotopd with 0000:01:00.0, a node_exporter with its PCI devices
python3 - "$pv" "$pn" <<'PY' &
import http.server, socketserver, sys, threading
pv, pn = int(sys.argv[1]), int(sys.argv[2])
addr = 'bdf="0000:01:00.0",segment="0000",bus="01",device="00",function="0"'
hosts = {
    "127.0.0.1": ('vendor_id="0x1af4",device_id="0x1110"', 'Red Hat, Inc.', 'Inter-VM shared memory'),
    "127.0.0.2": ('vendor_id="0x10de",device_id="0x2236"', 'NVIDIA Corporation', 'GA102GL [A10]'),
}
def vfiotop(host):
    ids = hosts[host][0]
    return ('# TYPE vfiotop_faults_total counter\n'
            'vfiotop_faults_total{%s,%s,iommu_group="6",origin="user"} 128\n' % (addr, ids))
def node(host):
    ids, vendor, device = hosts[host]
    info = ('node_pcidevice_info{segment="0000",bus="%s",device="00",function="0",parent_segment="*",'
            'parent_bus="*",parent_device="*",parent_function="*",class_id="0x%s",%s,'
            'subsystem_vendor_id="0x0000",subsystem_device_id="0x0000",revision="0x00",'
            'vendor_name="%s",device_name="%s",subsystem_vendor_name="",subsystem_device_name="",'
            'class_name="%s"} 1\n')
    return ('# TYPE node_pcidevice_info gauge\n' +
            info % ("00", "060000", 'vendor_id="0x8086",device_id="0x29c0"', "Intel Corporation",
                    "82G33/G31/P35/P31 Express DRAM Controller", "Host bridge") +
            info % ("01", "030200", ids, vendor, device, "3D controller"))
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        host, port = self.server.server_address[:2]
        body = (vfiotop(host) if port == pv else node(host)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
servers = [socketserver.TCPServer((h, p), Handler) for h in hosts for p in (pv, pn)]
for s in servers[1:]:
    threading.Thread(target=s.serve_forever, daemon=True).start()
servers[0].serve_forever()
PY
pids+=($!)
prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/tsdb" \
	--web.listen-address="127.0.0.1:$prom" >"$dir/prometheus.log" 2>&1 &
pids+=($!)
query() { # PromQL: the API's JSON answer
	python3 - "http://127.0.0.1:$prom/api/v1/query" "$1" <<'PY'
import sys, urllib.error, urllib.parse, urllib.request
try:
    r = urllib.request.urlopen(sys.argv[1] + "?" + urllib.parse.urlencode({"query": sys.argv[2]}), timeout=10)
    print(r.read().decode())
except urllib.error.HTTPError as e:
    print(e.read().decode())
except Exception as e:
    print('{"status":"down","error":"%s"}' % e)
PY
}
join=$(python3 - "$here/node-join.rules.yml" <<'PY'
import re, sys
print(re.findall(r"expr: \|\n((?:          .*\n)+)", open(sys.argv[1]).read())[1])
PY
)
# the names each host's result carries: "instance vendor_name|device_name" per line
names_by_host() {
	query "$join" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for r in sorted(d.get("data", {}).get("result", []), key=lambda r: r["metric"]["instance"]):
    m = r["metric"]
    print(m["instance"], m.get("vendor_name", "") + "|" + m.get("device_name", ""))'
}
want=$'127.0.0.1 Red Hat, Inc.|Inter-VM shared memory\n127.0.0.2 NVIDIA Corporation|GA102GL [A10]'
# up to 60 s: Prometheus starts, scrapes every second, and rate() needs two samples
for _ in $(seq 120); do
	[ "$(names_by_host)" = "$want" ] && break
	sleep 0.5
done
got=$(names_by_host)
[ "$got" = "$want" ]
rc=$?
ok $rc "Prometheus, the doc's relabeling: the join has one result per host, with that host's names"
[ $rc -eq 0 ] || { echo "# got: $got" | tr '\n' ' '; echo; tail -5 "$dir/prometheus.log" | sed 's/^/#   /'; }
query 'rate(vfiotop_faults_total[5m]) * on (segment, bus, device, function) group_left (vendor_name, device_name) node_pcidevice_info' |
	grep -q 'many-to-many matching not allowed'
ok $? "Prometheus: the address-only join is refused there too (many-to-many)"
