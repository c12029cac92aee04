# Helpers for guest scenarios (sourced by /init). Results go to ttyS1, framed:
#   @@VT BEGIN <kind> <label> ... @@VT END
RES=/dev/ttyS1
TR=/sys/kernel/tracing
VT_SOCK=/run/vfiotop/vfiotopd.sock	# a scenario may point it at a second daemon

vt_init_results() {
	stty -F $RES raw -echo 2>/dev/null
	# where KASLR put the kernel, and where the idle loop's functions are
	# (start, end): the host names a frozen vCPU's RIP with them, as Debian's
	# System.map names nothing
	res "@@VT KTEXT $(awk '$3 == "_text" { print $1; exit }' /proc/kallsyms)"
	awk 'prev { print "@@VT KSYM " prev " " $1; prev = "" }
	     $3 ~ /^(default_idle|default_idle_call|do_idle|cpu_idle_poll|arch_cpu_idle|mwait_idle|pv_native_safe_halt|native_safe_halt|acpi_idle_do_entry|acpi_safe_halt|cpuidle_enter_state|intel_idle)$/ &&
	     NF == 3 { prev = $3 " " $1 }' /proc/kallsyms >$RES
}

res() {
	printf '%s\n' "$*" >$RES
	: >/tmp/vt.progress
}

# A scenario that stops making progress (its tasks asleep in the kernel for
# good: a killable or idle wait is no "hung task", the console says nothing)
# says where every task sleeps, then powers off rather than wait for the
# host's timeout. The longest quiet step is the live session's 300 s read.
# A scenario starts it (vt_watchdog &); its own bare `wait`s would wait for it.
VT_QUIET_S=360
vt_watchdog() {
	: >/tmp/vt.progress
	while sleep 10; do
		[ $(($(date +%s) - $(stat -c %Y /tmp/vt.progress))) -lt $VT_QUIET_S ] && continue
		echo w >/proc/sysrq-trigger 2>/dev/null
		{
			for d in /proc/[0-9]*; do
				[ -r "$d/stack" ] || continue
				printf '%s %s %s wchan=%s\n' "${d#/proc/}" "$(cat "$d/comm")" \
					"$(grep '^State:' "$d/status" | cut -f2)" "$(cat "$d/wchan")"
				sed 's/^/    /' "$d/stack"
			done
			echo "dmesg:"
			dmesg | tail -n 150
		} >/tmp/hang.txt 2>&1
		res_file hang all /tmp/hang.txt
		res "@@VT ERROR no progress for ${VT_QUIET_S} s: powering off"
		sync
		poweroff -f
	done
}

res_file() { # kind label file
	res "@@VT BEGIN $1 $2"
	cat "$3" >$RES
	res ""
	res "@@VT END"
}

now_ms() {
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

vt_load_vfio() {
	for m in /modules/*.ko; do
		name=$(basename "$m" .ko | sed 's/^[0-9]*-//; s/-/_/g')
		grep -q "^$name " /proc/modules && continue
		insmod "$m" || res "@@VT ERROR insmod $m failed"
	done
}

# KVM (kvm-amd on TCG's AMD CPU model with SVM): loads it, says whether
# /dev/kvm came, and whether KVM registers an irqfd as an irq-bypass consumer
# (7.x: only where the host can post interrupts, kvm_amd's enable_device_posted_irqs)
vt_load_kvm() { # label
	for m in ccp kvm kvm-amd; do
		[ -f "/kvm-modules/$m.ko" ] || continue
		insmod "/kvm-modules/$m.ko" 2>/tmp/insmod.err ||
			res "@@VT KVM_INSMOD $m failed: $(cat /tmp/insmod.err)"
	done
	p=/sys/module/kvm_amd/parameters/enable_device_posted_irqs
	res "@@VT KVM $1 $([ -c /dev/kvm ] && echo 1 || echo 0) $([ -f $p ] && cat $p || echo -)"
	[ -c /dev/kvm ]
}

vt_unload_kvm() {
	for m in kvm_amd kvm ccp; do
		grep -q "^$m " /proc/modules && rmmod "$m"
	done
	return 0
}

# irq-bypass, as workload NAME (also the label of its snapshots, kprobe counts
# and spans): a KVM VM takes irqfds on three of the e1000e's MSI-X vectors, as
# a VMM routes them to its guest; irqbypass.ko connects each to the vector's
# producer (tracefs' kretprobe on __connect says so), and the workload's exit
# disconnects them (its kprobe on __disconnect). KVM of 6.12 and 7.x
# registers no consumer where it cannot post interrupts (no AVIC under TCG):
# there, nothing connects.
# Vectors set up before vfiotopd attached, as a VM already running when the
# package is installed: workload NAME sets up the e1000e's MSI-X and NAMEi
# edu's INTx with no daemon running, a daemon without pinned maps attaches
# (it finds them in /proc/interrupts), and only then do the workloads raise
# them.
vt_late_vectors() { # name
	vt_stop_daemon
	rm -f "/tmp/$1.fire" "/tmp/$1.go" "/tmp/${1}i.go"
	workload --bdf "$DEVX" --wait-file "/tmp/$1.go" --bar 0 --rounds 0 --resets 0 \
		--msix-rounds 12 --msix-after "/tmp/$1.fire" >"/tmp/$1.out" 2>&1 &
	eval "WL_$1=$!"
	workload --bdf "$DEVI" --wait-file "/tmp/${1}i.go" --bar 0 --rounds 0 --resets 0 \
		--intx-rounds 10 --intx-after "/tmp/$1.fire" >"/tmp/${1}i.out" 2>&1 &
	eval "WL_${1}i=$!"
	for _ in $(seq 600); do
		grep -q '^VFIOTOP-MSIX-READY' "/tmp/$1.out" &&
			grep -q '^VFIOTOP-INTX-READY' "/tmp/${1}i.out" && break
		sleep 0.1
	done
	vt_start_daemon --no-pin
	vt_wait_attached "$1"
	vt_snapshot "before-$1"
	touch "/tmp/$1.fire"
	for _ in $(seq 600); do
		grep -q '^VFIOTOP-WORKLOAD ' "/tmp/$1.out" &&
			grep -q '^VFIOTOP-WORKLOAD ' "/tmp/${1}i.out" && break
		sleep 0.1
	done
	res_file workload "$1" "/tmp/$1.out"
	res_file workload "${1}i" "/tmp/${1}i.out"
	vt_snapshot "$1"
	vt_release "$1"
	vt_release "${1}i"
	vt_snapshot "after-$1"
}

vt_bypass() { # name
	vt_load_kvm "$1" || return 0
	vt_spans_begin "connect_$1" __connect
	vt_spans_begin "disconnect_$1" __disconnect entry
	vt_snapshot "before-$1"
	vt_workload "$1" "$DEVX" --bar 0 --rounds 0 --resets 0 --kvm-irqfds 3
	vt_snapshot "bypass-$1"
	vt_release "$1"
	vt_snapshot "after-$1"
	vt_spans_end "connect_$1"
	vt_spans_end "disconnect_$1"
	vt_unload_kvm
}

# Binds the test devices to vfio-pci; sets DEVS, DEV0, DEV1, ... (ivshmem), DEVF, DEVI, DEVX
vt_bind_vfio() {
	DEVS=""
	i=0
	for d in /sys/bus/pci/devices/*; do
		id="$(cat "$d/vendor"):$(cat "$d/device")"
		# ivshmem: DEV0.. in bus order; a modern virtio-rng (boot.sh
		# VFIOTOP_FLR_DEV): DEVF, a device with FLR and power management;
		# QEMU's edu: DEVI, interrupts on demand; an e1000e: DEVX, MSI-X
		[ "$id" = 0x1af4:0x1110 ] || [ "$id" = 0x1af4:0x1044 ] ||
			[ "$id" = 0x1234:0x11e8 ] || [ "$id" = 0x8086:0x10d3 ] || continue
		bdf=$(basename "$d")
		# 7.x builds virtio-pci in: it has the virtio device first
		drv=$(basename "$(readlink "$d/driver" 2>/dev/null)" 2>/dev/null)
		[ -n "$drv" ] && [ "$drv" != vfio-pci ] && echo "$bdf" >"$d/driver/unbind"
		echo vfio-pci >"$d/driver_override"
		echo "$bdf" >/sys/bus/pci/drivers_probe
		[ "$(basename "$(readlink "$d/driver")")" = vfio-pci ] ||
			res "@@VT ERROR $bdf did not bind to vfio-pci"
		DEVS="$DEVS $bdf"
		if [ "$id" = 0x1af4:0x1044 ]; then
			DEVF=$bdf
			continue
		fi
		if [ "$id" = 0x1234:0x11e8 ]; then
			DEVI=$bdf
			continue
		fi
		if [ "$id" = 0x8086:0x10d3 ]; then
			DEVX=$bdf
			continue
		fi
		eval "DEV$i=$bdf"
		i=$((i + 1))
	done
	res "@@VT DEVICES$DEVS"
}

# Each bound device's place as sysfs tells it: bdf numa_node physfn link_width link_speed
vt_sysfs_identity() {
	: >/tmp/ident.txt
	for d in $DEVS; do
		p=/sys/bus/pci/devices/$d
		pf=$(readlink "$p/physfn" 2>/dev/null)
		pf=${pf##*/}
		printf '%s %s %s %s %s\n' "$d" "$(cat "$p/numa_node" 2>/dev/null || echo -1)" \
			"${pf:--}" "$(cat "$p/current_link_width" 2>/dev/null || echo 0)" \
			"$(cat "$p/current_link_speed" 2>/dev/null)" >>/tmp/ident.txt
	done
	res_file ident sysfs /tmp/ident.txt
}

# tracefs kprobes whose hit counts (kprobe_profile) cross-check vfiotop
vt_kprobes() {
	echo 0 >$TR/tracing_on
	for f in "$@"; do
		echo "p:vtk/$f $f" >>$TR/kprobe_events 2>/dev/null || res "@@VT NOKPROBE $f"
	done
	echo 1 >$TR/events/vtk/enable
}

vt_kprobe_counts() { # label
	res_file kprobes "$1" $TR/kprobe_profile
}

# Every call of FUNC, entry (with its 2nd argument) and return, stamped by the
# monotonic clock that bpf_ktime_get_ns() reads: ground truth for the spans
# vfiotop times, on its own clock. A tracefs instance of its own keeps the
# counting kprobes' buffer off and these few lines from being overwritten.
vt_spans_begin() { # name func [entry: a void function's calls only]
	mkdir $TR/instances/$1 || res "@@VT ERROR tracefs instance $1"
	echo mono >$TR/instances/$1/trace_clock
	echo "p:$1/entry $2 arg=%si:u32" >>$TR/kprobe_events &&
		{ [ "${3:-}" = entry ] || echo "r:$1/exit $2 ret=\$retval:s64" >>$TR/kprobe_events; } ||
		res "@@VT ERROR kprobes on $2"
	echo 1 >$TR/instances/$1/events/$1/enable
}

vt_spans_end() { # name
	echo 0 >$TR/instances/$1/events/$1/enable
	res_file spans "$1" $TR/instances/$1/trace
	echo "-:$1/entry" >>$TR/kprobe_events
	[ -d $TR/events/$1/exit ] && echo "-:$1/exit" >>$TR/kprobe_events
	rmdir $TR/instances/$1
}

# Which capabilities the daemon's threads ask the kernel for (a tracefs
# kprobe on security_capable, counted by a hist trigger per thread and
# capability in an instance of its own), from vt_caps_begin to vt_caps_dump,
# with what each thread holds at the dump: docs/architecture.md's table.
VT_CAPS_HIST='hist:keys=common_pid.execname,cap:vals=hitcount:sort=common_pid'
vt_caps_begin() {
	local ev=$TR/instances/vtcap/events/vtcap/cap
	if [ -d $TR/instances/vtcap ]; then
		echo "!$VT_CAPS_HIST" >>$ev/trigger
	else
		mkdir $TR/instances/vtcap &&
			echo 'p:vtcap/cap security_capable cap=%dx:s32' >>$TR/kprobe_events &&
			echo 1 >$ev/enable || res "@@VT ERROR kprobe on security_capable"
	fi
	echo "$VT_CAPS_HIST" >>$ev/trigger || res "@@VT ERROR hist trigger on security_capable"
}

vt_caps_dump() { # label
	local t
	echo "pid $VFIOTOPD_PID" >/tmp/caps.txt
	for t in /proc/"$VFIOTOPD_PID"/task/*; do
		echo "thread ${t##*/} $(tr ' ' _ <"$t/comm")" \
			"$(awk '$1 == "CapPrm:" { p = $2 } $1 == "CapEff:" { e = $2 } END { print p, e }' "$t/status")"
	done >>/tmp/caps.txt
	cat $TR/instances/vtcap/events/vtcap/cap/hist >>/tmp/caps.txt 2>&1
	res_file caps "$1" /tmp/caps.txt
}

# Which bpf() commands the daemon's threads make (the syscall's tracepoint,
# counted by a hist trigger per thread and command in an instance of its
# own), from vt_bpfcalls_begin to vt_bpfcalls_dump: a map lookup, update or
# batch holds off kprobe programs on its CPU (src/capture/map_read.h)
VT_BPF_HIST='hist:keys=common_pid.execname,cmd:vals=hitcount:sort=common_pid'
vt_bpfcalls_begin() {
	mkdir $TR/instances/vtbpf &&
		echo "$VT_BPF_HIST" >>$TR/instances/vtbpf/events/syscalls/sys_enter_bpf/trigger ||
		res "@@VT ERROR hist trigger on sys_enter_bpf"
}

vt_bpfcalls_dump() { # label
	local ev=$TR/instances/vtbpf/events/syscalls/sys_enter_bpf
	echo "pid $VFIOTOPD_PID" >/tmp/bpfcalls.txt
	ls /proc/"$VFIOTOPD_PID"/task | sed 's/^/thread /' >>/tmp/bpfcalls.txt
	cat $ev/hist >>/tmp/bpfcalls.txt 2>&1
	res_file bpfcalls "$1" /tmp/bpfcalls.txt
	echo "!$VT_BPF_HIST" >>$ev/trigger
	rmdir $TR/instances/vtbpf
}

# the BPF maps vfiotopd holds, as the kernel's fdinfo of its fds says them:
# the ground truth of daemon.kernel_memory; and the CPUs the kernel may have
vt_fdinfo_maps() { # label
	local f
	{ echo "possible $(cat /sys/devices/system/cpu/possible)"
	for f in /proc/"$VFIOTOPD_PID"/fdinfo/*; do
		grep -q '^map_type:' "$f" 2>/dev/null || continue
		awk -v fd="${f##*/}" '{ v[$1] = $2 }
			END { print "fd", fd, "map_type", v["map_type:"], "max_entries",
			      v["max_entries:"], "value_size", v["value_size:"],
			      "memlock", v["memlock:"] }' "$f"
	done; } >/tmp/fdinfo.txt
	res_file fdinfo "$1" /tmp/fdinfo.txt
}

# before anything clears kprobe_events, which an enabled event would refuse
vt_caps_end() {
	echo 0 >$TR/instances/vtcap/events/vtcap/cap/enable
	echo "!$VT_CAPS_HIST" >>$TR/instances/vtcap/events/vtcap/cap/trigger
	echo '-:vtcap/cap' >>$TR/kprobe_events
	rmdir $TR/instances/vtcap
}

vt_start_daemon() {
	t0=$(now_ms)
	vfiotopd -v -s "$VT_SOCK" "$@" >>/tmp/vfiotopd.log 2>&1 &
	VFIOTOPD_PID=$!
	for _ in $(seq 200); do
		vfiotop -s "$VT_SOCK" --json >/dev/null 2>&1 && break
		sleep 0.1
	done
	res "@@VT DAEMON_READY_MS $(($(now_ms) - t0))"
}

vt_stop_daemon() {
	kill -TERM "$VFIOTOPD_PID"
	wait "$VFIOTOPD_PID"
	res "@@VT DAEMON_EXIT $?"
	res_file log vfiotopd /tmp/vfiotopd.log
}

# Waits (10 s at most) until the daemon's document holds TEXT at least N
# times: what it learns off its loop (a process's QEMU -name) comes a refresh
# or two after the process
vt_wait_json() { # text n
	for _ in $(seq 100); do
		[ "$(vfiotop -s "$VT_SOCK" --json 2>/dev/null | grep -o "$1" | wc -l)" -ge "$2" ] && return
		sleep 0.1
	done
}

vt_snapshot() { # label
	vfiotop -s "$VT_SOCK" --json >/tmp/snap.json 2>/tmp/snap.err ||
		cat /tmp/snap.err >/tmp/snap.json
	res_file snapshot "$1" /tmp/snap.json
}

# Starts a workload that holds its device open until released; returns when
# it has printed its ground truth.
vt_workload() { # name bdf args...
	name=$1
	shift
	bdf=$1
	shift
	rm -f "/tmp/$name.go"
	# VT_QEMU_NAME: argv starts as QEMU's "-name ..."; VT_CGROUP: born in
	# that cgroup (a libvirt machine scope), before vfiotopd can see it
	set -- ${VT_QEMU_NAME:+-name "$VT_QEMU_NAME"} --bdf "$bdf" --wait-file "/tmp/$name.go" "$@"
	if [ -n "${VT_CGROUP:-}" ]; then
		mkdir -p "$VT_CGROUP" || res "@@VT ERROR cgroup $VT_CGROUP"
		sh -c 'echo $$ >"$0/cgroup.procs" && exec workload "$@"' "$VT_CGROUP" "$@" \
			>"/tmp/$name.out" 2>&1 &
	else
		workload "$@" >"/tmp/$name.out" 2>&1 &
	fi
	eval "WL_$name=$!"
	for _ in $(seq 3000); do
		grep -q '^VFIOTOP-WORKLOAD ' "/tmp/$name.out" && break
		kill -0 "$(eval echo \$WL_$name)" 2>/dev/null || break
		sleep 0.1
	done
	res_file workload "$name" "/tmp/$name.out"
}

vt_release() { # name
	touch "/tmp/$1.go"
	wait "$(eval echo \$WL_$1)"
	res "@@VT WORKLOAD_EXIT $1 $?"
}

vt_table() { # label
	vfiotop -s "$VT_SOCK" >/tmp/table.txt 2>&1
	res_file table "$1" /tmp/table.txt
}

vt_pretty() { # label
	vfiotop -s "$VT_SOCK" --json --pretty >/tmp/pretty.json 2>&1
	res_file pretty "$1" /tmp/pretty.json
}

vt_unload_vfio() { # [what the RMMOD lines are called]
	for d in $DEVS; do
		[ -e "/sys/bus/pci/devices/$d/driver" ] && echo "$d" >"/sys/bus/pci/devices/$d/driver/unbind"
	done
	for m in vfio_pci vfio_pci_core vfio_pci_trace vfio_iommu_type1 vfio vfio_virqfd irqbypass; do
		grep -q "^$m " /proc/modules || continue
		rmmod "$m" 2>/tmp/rmmod.err
		rc=$?
		# a daemon holds the tracepoints' module (patched 6.1) until it sees
		# vfio_pci_core go: then it lets go of every hook, which for 64
		# kprobes took 6 s under TCG (as long as vfiotop release waits: 30 s)
		if [ $rc -ne 0 ] && [ "$m" = vfio_pci_trace ]; then
			for _ in $(seq 300); do
				sleep 0.1
				rmmod "$m" 2>/tmp/rmmod.err && rc=0 && break
			done
		fi
		res "@@VT ${1:-RMMOD} $m $rc"
	done
}

# Waits until vfiotopd reports a state; says how long it took after the call.
vt_wait_state() { # state label
	t0=$(now_ms)
	for _ in $(seq 100); do
		vfiotop -s "$VT_SOCK" --json 2>/dev/null | grep -q "\"state\":\"$1\"" && break
		sleep 0.1
	done
	res "@@VT STATE $2 $(($(now_ms) - t0)) $(vfiotop -s "$VT_SOCK" --json 2>/dev/null |
		grep -o '"state":"[^"]*"')"
}

# Copies the whole lines of a --json-lines file once one for bdf was stamped
# after now: an interval's line may still hold the counts of before (up to
# --interval old), which a check against the snapshot just taken would race.
vt_json_lines_since() { # file bdf out
	t0=$(date +%s%N)
	for _ in $(seq 100); do
		last=$(grep "\"bdf\":\"$2\"" "$1" | tail -n 1 | grep -o '"time_ns":[0-9]*' |
			cut -d: -f2)
		[ "${last:-0}" -gt "$t0" ] && break
		sleep 0.1
	done
	head -n "$(wc -l <"$1")" "$1" >"$3"
}

# The daemon's memory: RSS by kind, and by mapping (its own smaps: it maps
# no BAR, so walking its page tables is safe, unlike a VMM's).
vt_daemon_mem() { # label
	res "@@VT DAEMON_MEM $1 $(awk '/^(VmRSS|VmHWM|RssAnon|RssFile|RssShmem):/ {
		printf "%s=%s ", $1, $2 }' "/proc/$VFIOTOPD_PID/status")"
	awk '/^[0-9a-f]+-[0-9a-f]+ / { name = NF >= 6 ? $6 : "[anon]" }
		/^Rss:/ { rss[name] += $2 }
		END { for (n in rss) if (rss[n] >= 256) printf "%d kB %s\n", rss[n], n }' \
		"/proc/$VFIOTOPD_PID/smaps" | sort -rn >/tmp/smaps.txt
	res_file log "smaps-$1" /tmp/smaps.txt
}

vt_wait_attached() { # label
	vt_wait_state attached "$1"
}

# BPF programs with their run and recursion-miss counts (bpftool prog show)
vt_progs() { # label
	bpftool prog show >/tmp/progs.txt 2>&1
	res_file progs "$1" /tmp/progs.txt
}

# BPF links in the kernel, as bpftool sees them
vt_links() { # label
	bpftool link show >/tmp/links.txt 2>&1
	res_file links "$1" /tmp/links.txt
}

# /metrics and /json as the daemon serves them over HTTP
# /json before and after /metrics: a counter that moves between the reads
# (an idle device suspending) must lie between them, one that does not must
# equal /metrics.
vt_http() { # label port
	wget -q -O /tmp/http-before.json "http://127.0.0.1:$2/json" 2>/tmp/wget.err ||
		cat /tmp/wget.err >/tmp/http-before.json
	res_file snapshot "http-$1-before" /tmp/http-before.json
	wget -q -O /tmp/metrics.txt "http://127.0.0.1:$2/metrics" 2>/tmp/wget.err ||
		cat /tmp/wget.err >/tmp/metrics.txt
	res_file metrics "$1" /tmp/metrics.txt
	wget -q -O /tmp/http.json "http://127.0.0.1:$2/json" 2>/tmp/wget.err ||
		cat /tmp/wget.err >/tmp/http.json
	res_file snapshot "http-$1" /tmp/http.json
}

# make check's live session (boot.sh VFIOTOP_HOSTFWD): the host scrapes the
# daemon with Prometheus and drives vfiotop in tmux over forwarded ports while
# a workload keeps faulting and resetting a device; it writes a line on ttyS2
# when it is done.
vt_live_session() { # bdf
	insmod /net-modules/e1000.ko || res "@@VT ERROR insmod e1000 failed"
	ip addr add 10.0.2.15/24 dev eth0
	ip link set eth0 up
	socat TCP-LISTEN:7000,fork,reuseaddr "UNIX-CONNECT:$VT_SOCK" 2>/tmp/socat.err &
	bridge=$!
	rm -f /tmp/live.stop
	# as QEMU would run, named: the live view's OWNER column shows the VM
	(while [ ! -e /tmp/live.stop ]; do
		workload -name guest=vt-live,debug-threads=on --bdf "$1" --rounds 1 --resets 1 \
			>/tmp/live.out 2>&1
	done) &
	load=$!
	# a named VM holds the virtio device all session long, faulting nothing:
	# the dashboard's VM panels have a series at every scrape, and its open
	# changes the device's power state, which this daemon (--reset) then knows
	[ -n "${DEVF:-}" ] && workload -name guest=vt-live-hold,debug-threads=on \
		--bdf "$DEVF" --bar 4 --rounds 0 --resets 0 --wait-file /tmp/live.stop \
		>/tmp/live-hold.out 2>&1 &
	hold=$!
	stty -F /dev/ttyS2 raw -echo 2>/dev/null
	res "@@VT LIVE_READY"
	line=timeout
	read -r -t 300 line </dev/ttyS2
	res "@@VT LIVE_DONE $line"
	touch /tmp/live.stop
	kill "$bridge"
	wait "$load" "$bridge" "$hold" 2>/dev/null
}

# Under systemd (the 6.12 boot): the packaged unit as shipped, sandbox and all.
# It must attach, count a workload exactly, keep only its capabilities, and
# when killed be restarted by systemd with its pinned counters.
vt_systemd_phase() {
	VT_SOCK=/run/vfiotop/vfiotopd.sock
	rm -rf /sys/fs/bpf/vfiotop	# counts from zero: workload s is all it sees
	vt_load_vfio
	vt_bind_vfio
	if [ -f /vt/vfiotop.deb ]; then
		# the Debian package, as a user installs it: its postinst starts the unit
		DEBIAN_FRONTEND=noninteractive apt-get install -y /vt/vfiotop.deb \
			>/tmp/apt.txt 2>&1
		res "@@VT DEB_INSTALL $?"
		res_file log apt-install /tmp/apt.txt
	fi
	systemctl start vfiotopd
	res "@@VT SYSTEMD_START $?"
	vt_wait_attached systemd
	pid=$(systemctl show -p MainPID --value vfiotopd)
	res "@@VT SYSTEMD_PROC $(grep -E '^(CapPrm|CapEff|CapBnd|NoNewPrivs)' "/proc/$pid/status" | tr -s '\t\n' '  ')"
	res "@@VT SYSTEMD_MODES $(stat -c %a /run/vfiotop) $(stat -c %a "$VT_SOCK")"
	vt_workload s "$DEV0" --rounds 1 --resets 1 --align 0x200000
	vt_release s
	vt_snapshot systemd
	wget -q -O /tmp/metrics.txt http://127.0.0.1:10230/metrics 2>/tmp/wget.err ||
		cat /tmp/wget.err >/tmp/metrics.txt
	res_file metrics systemd /tmp/metrics.txt
	systemctl kill -s KILL vfiotopd
	sleep 1
	vt_wait_attached systemd-restarted
	res "@@VT SYSTEMD_RESTARTS $(systemctl show -p NRestarts --value vfiotopd)"
	vt_snapshot systemd-restarted
	vt_remote_scrape
	vt_modprobe_phase
	systemctl stop vfiotopd
	res "@@VT SYSTEMD_STOP $? $(systemctl show -p ActiveState --value vfiotopd)"
	journalctl -u vfiotopd --no-pager >/tmp/journal.txt 2>&1
	res_file log systemd /tmp/journal.txt
	[ -f /vt/vfiotop.deb ] && vt_deb_purge
}

# modprobe -r as operators unload vfio, the unit's daemon attached: in its
# default mode (fentry), where a plain rmmod is refused and the package's
# modprobe.d rule asks it to let go first, then with --kprobe-modules. Each
# time the modules come back, it attaches again and counts on (workloads
# mdefault, mkprobe).
vt_modprobe_phase() {
	# the test's modules where modprobe looks (a root of our own has none)
	dir=/lib/modules/$(uname -r)/extra
	mkdir -p "$dir"
	for m in /modules/*.ko; do
		cp "$m" "$dir/$(basename "$m" | sed 's/^[0-9]*-//; s/-/_/g')"
	done
	# kmod's, by path: the scenario's busybox sh runs its own applets first
	/sbin/depmod -a 2>/tmp/depmod.err
	res "@@VT DEPMOD $?"
	res_file log depmod /tmp/depmod.err
	# the remove rules modprobe reads, and from where
	{ /sbin/modprobe -c | grep '^remove '; ls -l /lib/modprobe.d; /sbin/modprobe -V; } \
		>/tmp/modprobe-c.txt 2>&1
	res_file log modprobe-config /tmp/modprobe-c.txt
	cp /etc/default/vfiotopd /tmp/default.keep
	for mode in default kprobe; do
		if [ $mode = kprobe ]; then
			echo 'VFIOTOPD_OPTS="--kprobe-modules"' >/etc/default/vfiotopd
			systemctl restart vfiotopd
			vt_wait_attached modprobe-kprobe-start
		fi
		vt_snapshot "modprobe-$mode-before"
		/sbin/modprobe -r -v vfio_pci >/tmp/modprobe.err 2>&1
		rc=$?
		res "@@VT MODPROBE_R $mode $rc $(grep -oE '^(vfio_pci|vfio_pci_core) ' /proc/modules |
			tr -d '\n')"
		res_file log "modprobe-$mode" /tmp/modprobe.err
		/sbin/modprobe vfio_pci
		res "@@VT MODPROBE $mode $?"
		vt_bind_vfio
		vt_wait_attached "modprobe-$mode"
		# a shell variable holds its pid: no '-' in the name
		vt_workload "m$mode" "$DEV0" --rounds 1 --resets 0 --align 0x200000
		vt_release "m$mode"
		vt_snapshot "modprobe-$mode"
	done
	cp /tmp/default.keep /etc/default/vfiotopd
	systemctl restart vfiotopd
	vt_wait_attached modprobe-off
}

# The package's remote-scrape drop-in and web.yml as docs/metrics.md says to
# install them (the network: slirp's), the unit restarted serving the guest's
# address over TLS with a password; the host scrapes it through its forwarded
# port with curl and Prometheus (live-host.sh), then says done on ttyS2.
vt_remote_scrape() {
	mkdir -p /etc/vfiotop/tls /etc/systemd/system/vfiotopd.service.d
	cp /vt/tls/vfiotopd.crt /vt/tls/vfiotopd.key /etc/vfiotop/tls/
	cp /vt/tls/web.yml /etc/vfiotop/web.yml
	chmod 0640 /etc/vfiotop/tls/vfiotopd.key /etc/vfiotop/web.yml
	sed 's|^IPAddressAllow=.*|IPAddressAllow=10.0.2.0/24|' \
		/usr/share/vfiotop/remote/remote-scrape.conf \
		>/etc/systemd/system/vfiotopd.service.d/remote-scrape.conf
	cp /etc/default/vfiotopd /tmp/default.keep
	echo 'VFIOTOPD_OPTS="--listen 10.0.2.15:10230 --web-config /etc/vfiotop/web.yml"' \
		>/etc/default/vfiotopd
	systemctl daemon-reload
	systemctl restart vfiotopd
	vt_wait_attached remote
	res "@@VT REMOTE_READY $(dpkg-query -W -f '${Version}' vfiotop 2>/dev/null)"
	line=timeout
	read -r -t 240 line </dev/ttyS2
	res "@@VT REMOTE_DONE $line"
	vt_default_examples /tmp/default.keep
	cp /tmp/default.keep /etc/default/vfiotopd
	rm -rf /etc/systemd/system/vfiotopd.service.d /etc/vfiotop
	systemctl daemon-reload
	systemctl restart vfiotopd
	vt_wait_attached remote-off
}

# Each example of the package's /etc/default/vfiotopd, uncommented, runs under
# the unit's sandbox: restarted, the daemon attaches and stays up (the TLS
# one on this guest's address, its web.yml and drop-in already in place).
vt_default_examples() { # the shipped default file
	n=0
	grep '^#VFIOTOPD_OPTS=' "$1" | sed 's/^#//; s/192\.0\.2\.10/10.0.2.15/' >/tmp/examples.txt
	while read -r line; do
		n=$((n + 1))
		echo "$line" >/etc/default/vfiotopd
		systemctl restart vfiotopd
		vt_wait_attached "example-$n"
		sleep 2	# a daemon that exits after attaching would be seen by now
		res "@@VT EXAMPLE $n $(systemctl is-active vfiotopd) $(systemctl show -p NRestarts --value vfiotopd) $line"
	done </tmp/examples.txt
	res "@@VT EXAMPLES $n"
}

# apt purge leaves nothing of the package but what Debian policy keeps
vt_deb_purge() {
	systemctl start vfiotopd	# running, with its state and pinned maps, as a user has it
	dpkg -L vfiotop >/tmp/deb-files.txt 2>&1
	DEBIAN_FRONTEND=noninteractive apt-get purge -y vfiotop >/tmp/apt.txt 2>&1
	res "@@VT DEB_PURGE $?"
	: >/tmp/left.txt
	while read -r f; do
		[ -d "$f" ] && continue
		[ -e "$f" ] || [ -L "$f" ] && echo "$f" >>/tmp/left.txt
	done </tmp/deb-files.txt
	for f in /etc/default/vfiotopd /var/lib/vfiotop /sys/fs/bpf/vfiotop /run/vfiotop; do
		[ -e "$f" ] && echo "$f" >>/tmp/left.txt
	done
	res "@@VT DEB_LEFT $(wc -l </tmp/left.txt) $(systemctl is-active vfiotopd)"
	res_file log deb-left /tmp/left.txt
}

# stall reports and their traces, and vfiotop's view of them
vt_reports() {
	for f in /tmp/reports/*.json; do
		[ -e "$f" ] || continue
		case "$f" in
		*.trace.json) res_file trace "$(basename "$f" .trace.json)" "$f" ;;
		*) res_file report "$(basename "$f" .json)" "$f" ;;
		esac
	done
	vfiotop reports /tmp/reports >/tmp/reports.txt 2>&1
	res_file reports-list all /tmp/reports.txt
: >/tmp/report.txt
	for f in $(ls /tmp/reports/*.json 2>/dev/null | grep -v trace); do
		vfiotop report "$f" >>/tmp/report.txt 2>&1
	done
	res_file report-view all /tmp/report.txt
}
