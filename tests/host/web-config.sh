#!/usr/bin/env bash
# --web-config: /metrics over TLS with basic auth, as Prometheus exporters do
# it. curl without a password gets 401, with one the metrics; plain HTTP is
# refused; the scheme in any case, every byte of the password compared; TLS
# below 1.2 and suites without forward secrecy refused; a real Prometheus
# scrapes it over TLS with the password, and a job without it is down. Bad
# files (malformed hashes, keys given twice, a key not the certificate's) are
# refused at start with their reason. TAP.
#   web-config.sh BUILD_DIR
set -u
build=$(cd "${1:-build}" && pwd)
dir=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT
n=0
ok() { # status name [log]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - web-config: $2"; else
		echo "not ok $n - web-config: $2"
		[ -n "${3:-}" ] && tail -n 15 "$3" | sed 's/^/#   /'
	fi
}
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$dir/tls.key" -out "$dir/tls.crt" \
	>/dev/null 2>&1
bcrypt() { python3 -W ignore -c 'import crypt, sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1024)))' "$1"; }
hash=$(bcrypt s3cret)
long=$(printf 'p%.0s' $(seq 72))
cat >"$dir/web.yml" <<EOF2
tls_server_config:
  cert_file: $dir/tls.crt
  key_file: $dir/tls.key
basic_auth_users:
  prometheus: '$hash'
  long: '$(bcrypt "$long")'
EOF2
port=$(free_port)
"$build/vfiotopd" -s "$dir/sock" --no-pin --no-reports --listen "$port" \
	--web-config "$dir/web.yml" >"$dir/log" 2>&1 &
pids+=($!)
# the socket may come before the HTTP listener's line: wait for the line
for _ in $(seq 50); do
	grep -q "serving /metrics and /json on https://127.0.0.1:$port (loopback only), basic auth" \
		"$dir/log" && [ -S "$dir/sock" ] && break
	sleep 0.1
done
grep -q "serving /metrics and /json on https://127.0.0.1:$port (loopback only), basic auth" "$dir/log"
ok $? "the daemon serves https with basic auth and says so" "$dir/log"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$dir/tls.crt" "https://127.0.0.1:$port/metrics")
[ "$code" = 401 ]
ok $? "no password: 401 ($code)"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$dir/tls.crt" -u prometheus:wrong \
	"https://127.0.0.1:$port/metrics")
[ "$code" = 401 ]
ok $? "a wrong password: 401 ($code)"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$dir/tls.crt" -u nobody:s3cret \
	"https://127.0.0.1:$port/metrics")
[ "$code" = 401 ]
ok $? "an unknown user: 401 ($code)"
curl -s --cacert "$dir/tls.crt" -u prometheus:s3cret "https://127.0.0.1:$port/metrics" >"$dir/m"
grep -q '^vfiotop_build_info{' "$dir/m"
ok $? "the right password: the metrics, over a verified TLS connection"
curl -s --max-time 3 "http://127.0.0.1:$port/metrics" -o /dev/null
[ $? -ne 0 ]
ok $? "plain HTTP gets no metrics"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$dir/tls.crt" \
	-H "Authorization: basic $(printf prometheus:s3cret | base64)" "https://127.0.0.1:$port/metrics")
[ "$code" = 200 ]
ok $? "the scheme in lower case (RFC 7617: any case): 200 ($code)"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$dir/tls.crt" \
	-H "Authorization: Basic $(printf 'prometheus:s3cret\0junk' | base64)" "https://127.0.0.1:$port/metrics")
[ "$code" = 401 ]
ok $? "the right password then a NUL and more bytes: 401 ($code)"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$dir/tls.crt" -u "long:$long" \
	"https://127.0.0.1:$port/metrics")
[ "$code" = 200 ]
ok $? "a 72-byte password: 200 ($code)"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$dir/tls.crt" -u "long:${long}x" \
	"https://127.0.0.1:$port/metrics")
[ "$code" = 401 ]
ok $? "the same and one byte more, which bcrypt would not read: 401 ($code)"

# Each thread's capabilities (issue 23): the main one keeps what re-attaching
# needs, in effect only /proc's two while waiting; libmicrohttpd's thread,
# which runs GnuTLS, and the password checker it started have none at all.
if [ "$(id -u)" = 0 ]; then
	main=${pids[0]}
	caps() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$main/task/$1/status"; }
	want_prm=000000c000280004	# bpf perfmon sys_admin sys_ptrace dac_read_search
	want_eff=0000000000080004	# sys_ptrace dac_read_search
	[ "$(caps "$main" CapPrm)" = $want_prm ] && [ "$(caps "$main" CapEff)" = $want_eff ]
	ok $? "main thread: the kept set permitted, /proc's two in effect ($(caps "$main" CapPrm) $(caps "$main" CapEff))"
	others=0 bare=0 names=
	for t in /proc/"$main"/task/*; do
		tid=${t##*/}
		[ "$tid" = "$main" ] && continue
		others=$((others + 1))
		names="$names $(cat "$t/comm")"
		[ "$(caps "$tid" CapPrm)" = 0000000000000000 ] &&
			[ "$(caps "$tid" CapEff)" = 0000000000000000 ] && bare=$((bare + 1))
	done
	[ "$others" -ge 2 ] && [ "$bare" = "$others" ]
	ok $? "every other thread ($others:$names) has no capability ($bare bare)"
	grep -q "vfiotopd-auth" <<<"$names"
	ok $? "the password checker runs in a thread of its own, named ($names)"
else
	echo "ok $((n + 1)) # SKIP per-thread capabilities: not root"
	n=$((n + 1))
fi

# TLS 1.2 and 1.3 with forward secrecy only (the client allows everything it can)
tls() { # name want(0 = handshake, 1 = refused) openssl-args...
	local name=$1 want=$2 rc
	shift 2
	openssl s_client -connect "127.0.0.1:$port" "$@" </dev/null >"$dir/tls.out" 2>&1
	rc=$?
	[ "$want" -eq 0 ] && [ $rc -eq 0 ] || { [ "$want" -eq 1 ] && [ $rc -ne 0 ]; }
	ok $? "$name" "$dir/tls.out"
}
tls "TLS 1.0 refused" 1 -tls1 -cipher 'ALL:@SECLEVEL=0'
tls "TLS 1.1 refused" 1 -tls1_1 -cipher 'ALL:@SECLEVEL=0'
tls "TLS 1.2 with RSA key exchange (no forward secrecy) refused" 1 -tls1_2 -cipher AES128-GCM-SHA256
tls "TLS 1.2 with CBC refused by default" 1 -tls1_2 -cipher ECDHE-RSA-AES128-SHA
tls "TLS 1.2 with ECDHE and AES-GCM" 0 -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
tls "TLS 1.3" 0 -tls1_3

# a real Prometheus: one job with the password, one without
prom=$(free_port)
cat >"$dir/prometheus.yml" <<EOF2
global: {scrape_interval: 1s, scrape_timeout: 1s}
scrape_configs:
  - job_name: vfiotop
    scheme: https
    tls_config: {ca_file: $dir/tls.crt}
    basic_auth: {username: prometheus, password: s3cret}
    static_configs: [{targets: ['127.0.0.1:$port']}]
  - job_name: nopassword
    scheme: https
    tls_config: {ca_file: $dir/tls.crt}
    static_configs: [{targets: ['127.0.0.1:$port']}]
EOF2
prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/tsdb" \
	--web.listen-address="127.0.0.1:$prom" >"$dir/prometheus.log" 2>&1 &
pids+=($!)
q() {
	curl -s --max-time 5 "http://127.0.0.1:$prom/api/v1/query" --data-urlencode "query=$1" |
		python3 -c 'import json,sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if len(r) == 1 else "")' 2>/dev/null
}
for _ in $(seq 60); do
	[ -n "$(q 'up{job="nopassword"}')" ] && [ -n "$(q 'vfiotop_build_info')" ] && break
	sleep 0.5
done
[ "$(q 'up{job="vfiotop"}')" = 1 ] && [ "$(q 'count(vfiotop_build_info)')" = 1 ]
ok $? "Prometheus scrapes it over TLS with the password" "$dir/prometheus.log"
[ "$(q 'up{job="nopassword"}')" = 0 ]
ok $? "Prometheus without the password: the target is down"

# files it refuses, each with a reason and exit 2
bad() { # name yaml
	printf '%s\n' "$2" >"$dir/bad.yml"
	"$build/vfiotopd" -s "$dir/sock2" --no-pin --listen "$(free_port)" \
		--web-config "$dir/bad.yml" >/dev/null 2>"$dir/err"
	[ $? -eq 2 ] && grep -q -- '--web-config' "$dir/err"
	ok $? "refused with a reason: $1 ($(head -n1 "$dir/err" | cut -c1-90))"
}
bad "an unknown key" "tls_sever_config: {}"
bad "a password that is not bcrypt" "basic_auth_users: {prometheus: plain}"
bad "a certificate without its key" "tls_server_config: {cert_file: $dir/tls.crt}"
bad "a missing key file" "tls_server_config: {cert_file: $dir/tls.crt, key_file: $dir/none}"
bad "not YAML" "basic_auth_users: [unclosed"
bad "a bcrypt hash cut short" "basic_auth_users: {prometheus: '\$2y\$10\$abc'}"
bad "a user given twice" "basic_auth_users: {prometheus: '$hash', prometheus: '$hash'}"
bad "a section given twice" "$(printf 'basic_auth_users: {}\nbasic_auth_users: {}')"
bad "TLS 1.0" "tls_server_config: {cert_file: $dir/tls.crt, key_file: $dir/tls.key, min_version: TLS10}"
bad "a suite without forward secrecy" "tls_server_config: {cert_file: $dir/tls.crt, key_file: $dir/tls.key, cipher_suites: [TLS_RSA_WITH_AES_128_GCM_SHA256]}"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=other -keyout "$dir/other.key" \
	-out "$dir/other.crt" >/dev/null 2>&1
bad "a key that is not the certificate's" "tls_server_config: {cert_file: $dir/tls.crt, key_file: $dir/other.key}"
grep -q "cert_file and key_file: .*key" "$dir/err"
ok $? "... named as such ($(cut -c1-120 "$dir/err" | sed 's/.*: //'))"
echo "not a certificate" >"$dir/junk.crt"
bad "a certificate file that is not one" "tls_server_config: {cert_file: $dir/junk.crt, key_file: $dir/tls.key}"
"$build/vfiotopd" -s "$dir/sock3" --no-pin --web-config "$dir/web.yml" >/dev/null 2>"$dir/err"
[ $? -eq 2 ]
ok $? "--web-config without --listen is refused"
# the port taken: said so, not taken for a TLS problem
"$build/vfiotopd" -s "$dir/sock4" --no-pin --listen "$port" --web-config "$dir/web.yml" \
	>/dev/null 2>"$dir/err"
[ $? -eq 1 ] && grep -q "cannot serve HTTP on 127.0.0.1:$port: Address already in use" "$dir/err"
ok $? "a port in use is named as such ($(tail -n1 "$dir/err" | cut -c1-90))"
