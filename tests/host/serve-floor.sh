#!/usr/bin/env bash
# make bench's serving floor (tests/bench/serve-floor.c): each reader gets the
# file's bytes exactly, over vfiotopd's socket protocol and over HTTP, request
# after request; SIGTERM ends it with 0; bad usage and a missing file exit
# non-zero with a message. TAP.
set -u
build=$1
floor=$build/serve-floor
dir=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$dir"' EXIT
n=0
ok() { # cond-exit-status name
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - serve-floor: $2"; else echo "not ok $n - serve-floor: $2"; fi
}
# a document larger than a socket's buffer, so that it is sent in pieces
for i in $(seq 1 20000); do echo "vfiotop_sample{bdf=\"0000:01:00.0\",n=\"$i\"} $i"; done >"$dir/doc"
port=$((20000 + RANDOM % 20000))

"$floor" --socket "$dir/s" "$dir/doc" 2>"$dir/s.err" &
pids+=($!)
"$floor" --http "$port" "$dir/doc" 2>"$dir/h.err" &
pids+=($!)
for _ in $(seq 1 50); do
	[ -S "$dir/s" ] && curl -s -o /dev/null "http://127.0.0.1:$port/" && break
	sleep 0.1
done

same=0
for i in 1 2 3; do
	printf 'snapshot\n' | socat -t 5 - "UNIX-CONNECT:$dir/s" >"$dir/got.$i" 2>/dev/null
	cmp -s "$dir/doc" "$dir/got.$i" || same=1
done
ok $same "three socket requests each get the file's $(wc -c <"$dir/doc") bytes"
same=0
for i in 1 2 3; do
	curl -s -o "$dir/http.$i" "http://127.0.0.1:$port/metrics" || same=1
	cmp -s "$dir/doc" "$dir/http.$i" || same=1
done
ok $same "three HTTP requests each get the file's bytes"
type=$(curl -s -o /dev/null -w '%{content_type}' "http://127.0.0.1:$port/metrics")
[ "$type" = "text/plain; version=0.0.4; charset=utf-8" ]
ok $? "HTTP: Prometheus' text content type ($type)"

kill -TERM "${pids[@]}"
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
pids=()
ok $rc "SIGTERM ends both with 0"
[ ! -e "$dir/s" ]
ok $? "the socket file is gone after it"

"$floor" --http 1 >/dev/null 2>"$dir/err"
[ $? = 2 ] && grep -q usage "$dir/err"
ok $? "a missing argument: usage, exit 2"
"$floor" --socket "$dir/s2" "$dir/nonexistent" >/dev/null 2>"$dir/err"
[ $? = 1 ] && grep -q "cannot read" "$dir/err"
ok $? "a missing file: named, exit 1"
echo "1..$n"
