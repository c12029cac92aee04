# Sourced by run.sh and churn.sh: one boot of a bench guest, watched.
#   try_once LABEL KDIR SCENARIO DIR [ENV=VALUE...]
# prints why the try failed (nothing when the guest said @@VT DONE). A panic,
# an oops, a lockup or a hung task on the console, or $stall seconds without a
# new line in results.txt, ends it at once (QEMU killed by its pid file).
# Needs: vm (tests/vm), build, here, bpftrace, perf, stall, tcg, append.
# what ends a try early: its first line on the console
bad='Kernel panic|Oops|BUG:|soft lockup|hard LOCKUP|blocked for more than|rcu_(sched|preempt) (self-)?detected stall'

last_line() { # dir: the scenario's last step, or its last line of results
	{ grep -a '^@@VT STEP' "$1/results.txt" || grep -a '^@@VT [A-Z]' "$1/results.txt"; } 2>/dev/null |
		tail -n1 | cut -c6- | cut -c1-80
}

# Where each vCPU is, asked of QEMU's monitor before a silent guest is killed:
# the guest prints nothing then, but QEMU still knows its registers (RIP
# against the kernel's System.map says where it spins or sleeps).
monitor_dump() { # dir
	python3 - "$1/monitor.sock" >"$1/monitor.txt" 2>&1 <<'PY'
import re
import socket
import sys
import time

s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
for cmd in ("info status", "info cpus", "info registers -a"):
    s.sendall(cmd.encode() + b"\n")
    time.sleep(1)
out = b""
try:
    while True:
        data = s.recv(1 << 16)
        if not data:
            break
        out += data
except socket.timeout:
    pass
# the monitor echoes each typed key with terminal escapes
print(re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", out.decode(errors="replace")))
PY
}

try_once() { # label kdir scenario dir [env...]: prints why it failed, nothing if it finished
	local label=$1 kdir=$2 scenario=$3 dir=$4 pid size last=0 since why="" bins=$bpftrace
	shift 4
	[ "$scenario" != bench-devices.sh ] || bins+=${perf:+ $perf}
	# the floor of the daemon serving its readers (tests/bench/serve-floor.c)
	[ "$scenario" != bench-devices.sh ] || [ ! -x "$build/serve-floor" ] ||
		bins+=" $build/serve-floor"
	# the floor of the daemon's attach (tests/bench/attach-floor.c; make bench-run builds it)
	[ "$scenario" != bench.sh ] || [ ! -x "$build/attach-floor" ] || bins+=" $build/attach-floor"
	# what an eventfd read costs (tests/bench/eventfd-reads.c)
	[ "$scenario" != bench.sh ] || [ ! -x "$build/eventfd-reads" ] ||
		bins+=" $build/eventfd-reads"
	rm -rf "$dir"
	mkdir -p "$dir"
	env "$@" VFIOTOP_EXTRA_BINS="$bins" VFIOTOP_BENCH_DIR="$here" \
		VFIOTOP_VM_TIMEOUT="${VFIOTOP_VM_TIMEOUT:-3600}" VFIOTOP_TCG_THREAD="$tcg" \
		VFIOTOP_APPEND="$append" VFIOTOP_PIDFILE="$dir/qemu.pid" VFIOTOP_MONITOR="$dir/monitor.sock" \
		bash "$vm/boot.sh" "$kdir" "$build" "$vm/scenarios/$scenario" "$dir" >"$dir/boot.log" 2>&1 &
	pid=$!
	since=$(date +%s)
	while kill -0 "$pid" 2>/dev/null; do
		sleep 5
		if grep -aqE "$bad" "$dir/console.log" 2>/dev/null; then
			why="console: $(grep -aoE "($bad).*" "$dir/console.log" | head -n1 | tr -d '\r' | cut -c1-120)"
		else
			size=$(stat -c %s "$dir/results.txt" 2>/dev/null || echo 0)
			if [ "$size" != "$last" ]; then
				last=$size since=$(date +%s)
			elif [ $(($(date +%s) - since)) -ge "$stall" ]; then
				why="no progress for $stall s after \"$(last_line "$dir")\""
				monitor_dump "$dir" && why+="; vCPU registers in monitor.txt"
			fi
		fi
		if [ -n "$why" ]; then
			[ -s "$dir/qemu.pid" ] && kill "$(cat "$dir/qemu.pid")" 2>/dev/null
			break
		fi
	done
	wait "$pid" || true
	grep -q '^@@VT DONE' "$dir/results.txt" 2>/dev/null && return 0
	if [ -z "$why" ]; then
		# the guest ended by itself: a panic (panic=-1), or the QEMU timeout
		why=$(grep -aoE "($bad).*" "$dir/console.log" 2>/dev/null | head -n1 | tr -d '\r' | cut -c1-120)
		why=${why:+console: $why}
		why=${why:-guest stopped after \"$(last_line "$dir")\"}
	fi
	echo "$why"
}

