# make bench: vfiotopd's own CPU and memory with 16 or 256 devices bound to vfio-pci,
# workloads running on all of them in turn and a client reading a snapshot
# every second (what a live view refreshing at 1 s does); then as long again
# with a Prometheus scrape of /metrics every second instead. Each reader runs
# first over idle devices, what a fleet host's daemon mostly sees, then with
# a workload on the devices in turn, each one a new pid with 20 mmaps and a
# reset for the daemon to follow.
SECONDS_RUN=30
# a hung task or a lockup says so on the console (run.sh watches it)
dmesg -n 4
echo 30 >/proc/sys/kernel/hung_task_timeout_secs 2>/dev/null
# A workload on each device in turn until SECONDS_RUN from t0 are up, the
# clock read after each one: a pass over 256 devices takes minutes under
# TCG, longer than run.sh waits for a STEP before it takes the guest for hung.
run_workloads() { # step
	runs=0
	while :; do
		for d in $DEVS; do
			[ $(($(now_ms) - t0)) -lt $((SECONDS_RUN * 1000)) ] || return 0
			workload --bdf "$d" --rounds 2 --resets 1 --mmap-storm 20 >/dev/null 2>&1
			runs=$((runs + 1))
			[ $((runs % 16)) != 0 ] || res "@@VT STEP $1 $runs runs"
		done
	done
}
# The devices left alone for as long: only the reader wakes the daemon.
idle_wait() { # step
	runs=0
	while [ $(($(now_ms) - t0)) -lt $((SECONDS_RUN * 1000)) ]; do
		sleep 5
		res "@@VT STEP $1 idle"
	done
}
# the CPU of MEASURED (vfiotopd unless set)
daemon_ticks() {
	set -- $(cut -d' ' -f14,15 "/proc/${MEASURED:-$VFIOTOPD_PID}/stat")
	echo $(($1 + $2))
}
# reader: what a client asks every second, until /tmp/stop
snapshot_reader() { vfiotop -s "$VT_SOCK" --json >/dev/null; }
scrape_reader() { wget -q -O /tmp/scrape.txt http://127.0.0.1:10232/metrics; }
# One window of load (run_workloads or idle_wait) with reader running every
# second; sets ticks, wall, rss and hwm (KiB): MEASURED's CPU and memory over it.
measure() { # step reader load
	local cpu0
	rm -f /tmp/stop
	res "@@VT STEP $1 start"
	cpu0=$(daemon_ticks)
	t0=$(now_ms)
	(
		while [ ! -e /tmp/stop ]; do
			$2
			sleep 1
		done
	) &
	READER=$!
	$3 "$1"
	touch /tmp/stop
	wait "$READER"
	ticks=$(($(daemon_ticks) - cpu0))
	wall=$(($(now_ms) - t0))
	rss=$(awk '/^VmRSS/ { print $2 }' "/proc/${MEASURED:-$VFIOTOPD_PID}/status")
	hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/${MEASURED:-$VFIOTOPD_PID}/status")
}
vt_load_vfio
vt_bind_vfio
vt_start_daemon --no-pin --listen 127.0.0.1:10232
window_usage() { # what the window just measured used
	echo "ticks=$ticks wall_ms=$wall rss_kb=$rss hwm_kb=$hwm"
}
measure idle snapshot_reader idle_wait
res "@@VT DAEMON_IDLE $(window_usage)"
measure idle-scrape scrape_reader idle_wait
res "@@VT DAEMON_IDLE_SCRAPE $(window_usage)"
# Their floor: serve-floor answers the same readers with the document the
# daemon last sent, from memory, and does nothing else. What the daemon uses
# above it is its own work: reading the maps, rendering, following devices.
if command -v serve-floor >/dev/null; then
	printf 'snapshot\n' | socat -t 10 - "UNIX-CONNECT:$VT_SOCK" >/tmp/floor-snapshot.json
	serve-floor --socket /tmp/floor.sock /tmp/floor-snapshot.json &
	MEASURED=$!
	floor_snapshot_reader() { vfiotop -s /tmp/floor.sock --json >/dev/null; }
	measure idle-floor floor_snapshot_reader idle_wait
	res "@@VT DAEMON_IDLE_FLOOR $(window_usage) bytes=$(wc -c </tmp/floor-snapshot.json)"
	kill "$MEASURED"
	wait "$MEASURED"
	serve-floor --http 10233 /tmp/scrape.txt &
	MEASURED=$!
	floor_scrape_reader() { wget -q -O /tmp/floor-scrape.txt http://127.0.0.1:10233/metrics; }
	measure idle-scrape-floor floor_scrape_reader idle_wait
	res "@@VT DAEMON_IDLE_SCRAPE_FLOOR $(window_usage) bytes=$(wc -c </tmp/scrape.txt)"
	kill "$MEASURED"
	wait "$MEASURED"
	MEASURED=
fi
measure measure snapshot_reader run_workloads
devices=$(vfiotop -s "$VT_SOCK" --json | grep -o '"bdf"' | wc -l)
lost=$(vfiotop -s "$VT_SOCK" --json | grep -o '"lost_events":[0-9]*' | cut -d: -f2)
res "@@VT DAEMON_USAGE $(window_usage) devices=$devices workload_runs=$runs lost=$lost"
vt_snapshot devices
# the same daemon, a Prometheus scrape of /metrics every second instead
measure scrape scrape_reader run_workloads
res "@@VT DAEMON_SCRAPE $(window_usage) workload_runs=$runs bytes=$(wc -c </tmp/scrape.txt) series=$(grep -vc '^#' /tmp/scrape.txt)"
vt_stop_daemon

# Where the daemon's CPU goes (make bench passes perf when the host has it):
# the scrape load again under perf, sampling vfiotopd's CPU time with call
# stacks: a fleet's Prometheus scrapes every host, and the scrape costs the
# most. A second daemon, so that the measurements above had no perf around.
if command -v perf >/dev/null; then
	rm -f /tmp/stop /tmp/vfiotopd.log
	# one vCPU: perf switches the scheduler's static keys on and off, which
	# patches __schedule() while, under multi-threaded TCG, the other vCPU
	# may still run a translated copy holding the patch's int3 ("Oops: int3")
	echo 0 >/sys/devices/system/cpu/cpu1/online
	vt_start_daemon --no-pin --listen 127.0.0.1:10232
	(
		while [ ! -e /tmp/stop ]; do
			scrape_reader
			sleep 1
		done
	) &
	READER=$!
	cpu0=$(daemon_ticks)
	# 32 KiB of stack per sample: pci_identity_read() holds PATH_MAX buffers,
	# and 8 KiB did not reach its caller
	perf record -e cpu-clock -F 499 --call-graph dwarf,32768 -p "$VFIOTOPD_PID" \
		-o /tmp/perf.data >/tmp/perf-record.txt 2>&1 &
	PERF=$!
	res "@@VT STEP profile start"
	t0=$(now_ms)
	run_workloads profile
	kill -INT "$PERF"
	wait "$PERF"
	res "@@VT STEP profile recorded"
	touch /tmp/stop
	wait "$READER"
	res "@@VT DAEMON_PROFILED ticks=$(($(daemon_ticks) - cpu0)) wall_ms=$(($(now_ms) - t0)) workload_runs=$runs"
	res_file log perf-record /tmp/perf-record.txt
	# no inline frames: they need addr2line, which the guest has not
	perf report -i /tmp/perf.data --stdio --no-inline --sort dso \
		-g none >/tmp/perf-dso.txt 2>&1
	res_file profile dso /tmp/perf-dso.txt
	perf report -i /tmp/perf.data --stdio --no-inline --no-children --sort dso,sym \
		--percent-limit 0.5 -g none >/tmp/perf-flat.txt 2>&1
	res_file profile flat /tmp/perf-flat.txt
	# with what each function calls: where the daemon's time goes, by its own code
	perf report -i /tmp/perf.data --stdio --no-inline --children --sort dso,sym \
		--percent-limit 1 -g none >/tmp/perf-children.txt 2>&1
	res_file profile children /tmp/perf-children.txt
	perf report -i /tmp/perf.data --stdio --no-inline --children --sort sym \
		--percent-limit 4 -g caller,2,callee,function,percent --max-stack 40 >/tmp/perf-tree.txt 2>&1
	res_file profile tree /tmp/perf-tree.txt
	vt_stop_daemon
	echo 1 >/sys/devices/system/cpu/cpu1/online
fi
