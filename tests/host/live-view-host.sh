#!/usr/bin/env bash
# vfiotop's table views on the host, no VM: tests/host/fake-vfiotopd.py serves the
# snapshots recorded in a VM run (tests/unit/data), tests/host/live-view.py drives the
# live view in tmux, and batch mode and bad options are checked here. TAP,
# numbered like the other host tests.
set -u
build=$1
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
sock=$dir/vfiotopd.sock
fake=
n=0
failed=0
cleanup() {
	[ -n "$fake" ] && kill "$fake" 2>/dev/null && wait "$fake" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
ok() { # cond-exit-status name
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - host: $2"; else echo "not ok $n - host: $2"; failed=$((failed + 1)); fi
}

python3 "$here/fake-vfiotopd.py" --socket "$sock" "$here"/../unit/data/snapshot-6.12-{running,final,removed,after-race}.json \
	2>"$dir/fake.err" &
fake=$!
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ]
ok $? "fake vfiotopd serves the recorded snapshots"

# live-view.py prints unnumbered TAP for the VM test's counter; number it like ours
python3 "$here/live-view.py" --vfiotop "$build/vfiotop" --socket "$sock" \
	--expect-bdf 0000:01:00.0 --expect-bdf 0000:02:00.0 --expect-bdf 0000:03:00.0 \
	--expect-owner vfiotop-scenario >"$dir/live.tap"
while IFS= read -r line; do
	case $line in
	"ok - "*) n=$((n + 1)); echo "ok $n - ${line#ok - }" ;;
	"not ok - "*) n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - ${line#not ok - }" ;;
	*) echo "$line" ;;
	esac
done <"$dir/live.tap"

timeout 20 "$build/vfiotop" -b -n 2 -d 0.2 -s "$sock" >"$dir/batch" 2>"$dir/batch.err"
ok $? "vfiotop -b -n 2 -d 0.2 exits 0"
[ "$(grep -c '^vfiotop ' "$dir/batch")" -eq 2 ] && [ "$(grep -c '^BDF ' "$dir/batch")" -eq 2 ]
ok $? "batch mode prints two iterations, each with its header"
[ "$(grep -c '^$' "$dir/batch")" -eq 1 ]
ok $? "a blank line between the iterations"
for bdf in 0000:01:00.0 0000:02:00.0 0000:03:00.0; do
	[ "$(grep -c "^$bdf " "$dir/batch")" -eq 2 ]
	ok $? "batch mode shows $bdf in both iterations"
done
! LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$dir/batch"
ok $? "batch mode writes no escape or control bytes"
# the second iteration has rates: the fake's counters grow by a recorded step
sed -n '/^$/,$p' "$dir/batch" | grep '^0000:01:00.0 ' | awk '{ exit !($5 != "-" && $5 != "0") }'
ok $? "the second iteration has a fault rate"

timeout 20 "$build/vfiotop" -s "$sock" </dev/null >"$dir/oneshot" 2>&1
rc=$?
[ $rc -eq 0 ] && [ "$(grep -c '^BDF ' "$dir/oneshot")" -eq 1 ]
ok $? "without a terminal, vfiotop prints one table and exits 0"

# the fake serves its snapshots in turn, their P50 orders differ: check the order itself
timeout 20 "$build/vfiotop" -b -n 1 -s "$sock" --sort p50 --filter 1AF4:1110 >"$dir/sorted" 2>&1
awk '/^BDF / { for (i = 1; i <= NF; i++) if ($i ~ /^P50/) col = i }
     /^0000:/ { v = $col; u = v; sub(/^[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
		ns = v * (u == "s" ? 1e9 : u == "ms" ? 1e6 : u == "us" ? 1e3 : 1)
		if (u !~ /^(ns|us|ms|s)$/ || (rows && ns > last)) bad = 1
		last = ns; rows++ }
     END { exit bad || rows != 3 || !col }' "$dir/sorted"
ok $? "--sort p50 --filter 1AF4:1110 orders the 3 devices by P50, largest first"

bad() { # name args...
	local name=$1
	shift
	timeout 10 "$build/vfiotop" -s "$sock" "$@" >"$dir/bad.out" 2>"$dir/bad.err"
	[ $? -eq 2 ] && grep -q "$name" "$dir/bad.err" && [ ! -s "$dir/bad.out" ]
	ok $? "vfiotop $* exits 2 and says why"
}
bad "seconds" -d abc
bad "between 0.1" -d 0.01
bad "positive number" -n 0
bad "positive number" -n -3
bad "positive number" -b -n 1x
bad "FLT/s" --sort nosuch

kill -0 "$fake" 2>/dev/null
ok $? "fake vfiotopd still serving at the end"
[ "$failed" -eq 0 ]
