#!/usr/bin/env bash
# valgrind on the host: a vfiotopd start/stop cycle (no vfio here: it waits,
# serves the socket, HTTP and --json-lines) and the client's one-shot paths.
# Each must behave as without valgrind, with no memory error and no definite
# leak (valgrind's own exit status 99 says so). TAP.
#   valgrind.sh BUILD_DIR
set -u
build=$1
if ! command -v valgrind >/dev/null; then
	echo "ok - valgrind: not installed # SKIP"
	exit 0
fi
if ldd "$build/vfiotopd" | grep -q libasan; then
	echo "ok - valgrind: a sanitized build (SANITIZE=1) checks itself # SKIP"
	exit 0
fi
dir=$(mktemp -d)
daemon=
cleanup() {
	[ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
vg=(valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ok() { # status name [log]
	if [ "$1" -eq 0 ]; then echo "ok - valgrind: $2"; else
		echo "not ok - valgrind: $2"
		[ -n "${3:-}" ] && sed 's/^/#   /' "$3" | head -n 40
	fi
}

# the daemon under valgrind; the clients that talk to it are not
"${vg[@]}" --log-file="$dir/daemon.vg" "$build/vfiotopd" --no-pin -s "$dir/sock" \
	--listen "$port" --json-lines "$dir/lines" --interval 0.25 --report-dir "$dir/reports" \
	>"$dir/daemon.log" 2>&1 &
daemon=$!
for _ in $(seq 300); do [ -S "$dir/sock" ] && break; sleep 0.1; done
answered=0
for _ in 1 2 3; do
	"$build/vfiotop" -s "$dir/sock" --json 2>>"$dir/req.log" | grep -q '"schema_version"' &&
		answered=$((answered + 1))
	curl -sf "http://127.0.0.1:$port/metrics" 2>>"$dir/req.log" | grep -q '^vfiotop_build_info' &&
		answered=$((answered + 1))
	curl -sf "http://127.0.0.1:$port/json?pretty" 2>>"$dir/req.log" | grep -q '"schema_version"' &&
		answered=$((answered + 1))
	[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/nope")" = 404 ] &&
		answered=$((answered + 1))
	printf 'bogus\n' | timeout 5 socat - "UNIX-CONNECT:$dir/sock" 2>/dev/null |
		grep -q '"error"' && answered=$((answered + 1))
done
sleep 0.6	# a --json-lines tick or two
[ "$answered" -eq 15 ]
ok $? "vfiotopd under valgrind answers 3 rounds of socket and HTTP requests, good and bad ($answered/15)" \
	"$dir/req.log"
kill -TERM "$daemon"
wait "$daemon"
rc=$?
daemon=
cat "$dir/daemon.log" >>"$dir/daemon.vg"
[ "$rc" -eq 0 ]
ok $? "vfiotopd start, requests, SIGTERM: exit 0, no error, no definite leak (exit $rc)" \
	"$dir/daemon.vg"

# the client under valgrind, against a daemon that is not
"$build/vfiotopd" --no-pin -s "$dir/sock2" --report-dir "$dir/reports" >"$dir/d2.log" 2>&1 &
daemon=$!
for _ in $(seq 100); do [ -S "$dir/sock2" ] && break; sleep 0.1; done
run() { # expected-status name args...
	local want=$1 name=$2 rc
	shift 2
	"${vg[@]}" --log-file="$dir/client.vg" "$build/vfiotop" "$@" >"$dir/client.out" \
		2>"$dir/client.err"
	rc=$?
	cat "$dir/client.err" >>"$dir/client.vg"
	[ "$rc" -eq "$want" ]
	ok $? "vfiotop $name: exit $want, no error, no definite leak (exit $rc)" "$dir/client.vg"
}
run 0 "--json" -s "$dir/sock2" --json
run 0 "-b -n 2 -d 0.3" -s "$dir/sock2" -b -n 2 -d 0.3
run 0 "--help" --help
run 2 "with a bad flag" --bogus
run 2 "with a bad value" -s "$dir/sock2" -d nope
run 1 "report of a file that is not one" report /etc/hostname
run 0 "reports of an empty folder" reports "$dir"
