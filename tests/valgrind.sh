#!/usr/bin/env bash
# valgrind on the host: a vfiotopd start/stop cycle (no vfio here: it waits,
# serves the socket, HTTP and --json-lines) and the client's one-shot paths.
# No memory error and no definite leak in either. TAP.
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
trap 'rm -rf "$dir"' EXIT
vg=(valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ok() { # status name log
	if [ "$1" -eq 0 ]; then echo "ok - valgrind: $2"; else
		echo "not ok - valgrind: $2 (exit $1)"
		sed 's/^/#   /' "$3" | head -n 30
	fi
}

"${vg[@]}" "$build/vfiotopd" --no-pin -s "$dir/sock" --listen "$port" --json-lines "$dir/lines" \
	--interval 0.25 --report-dir "$dir/reports" >"$dir/daemon.log" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -S "$dir/sock" ] && break; sleep 0.1; done
for _ in 1 2 3; do
	"$build/vfiotop" -s "$dir/sock" --json >/dev/null
	curl -s "http://127.0.0.1:$port/metrics" >/dev/null
	curl -s "http://127.0.0.1:$port/json?pretty" >/dev/null
	curl -s "http://127.0.0.1:$port/nope" >/dev/null
	printf 'bogus\n' | timeout 5 socat - "UNIX-CONNECT:$dir/sock" >/dev/null 2>&1
done
sleep 1
kill -TERM $pid
wait $pid
ok $? "vfiotopd start, requests on the socket and HTTP, SIGTERM" "$dir/daemon.log"

run() { # name args...
	local name=$1
	shift
	"${vg[@]}" "$build/vfiotop" "$@" >/dev/null 2>"$dir/client.log"
	local rc=$?
	# a usage error exits 2 by design; valgrind's own verdict is 99
	[ $rc -ne 99 ] && ! grep -q "ERROR SUMMARY: [1-9]" "$dir/client.log"
	ok $? "vfiotop $name" "$dir/client.log"
}
"$build/vfiotopd" --no-pin -s "$dir/sock2" >"$dir/d2.log" 2>&1 &
pid=$!
for _ in $(seq 50); do [ -S "$dir/sock2" ] && break; sleep 0.1; done
run "--json" -s "$dir/sock2" --json
run "-b -n 2 -d 0.3" -s "$dir/sock2" -b -n 2 -d 0.3
run "--help" --help
run "with a bad flag" --bogus
run "report of a file that is not one" report /etc/hostname
run "reports of an empty folder" reports "$dir"
kill -TERM $pid
wait $pid
