# make bench, in the guest: each observer in turn over the same workloads on
# the 256 MiB device, repeated with the order rotating every repetition so
# that drift (TCG varies ~30% between and within boots) hits all alike.
# Observers: none, vfiotopd as shipped and with --kprobe-modules, bpftrace keeping
# the same data, a tracefs kprobe, and the floors: an empty fentry/fexit pair
# and an empty kprobe/kretprobe pair on the fault handler (bpftrace, no maps),
# and on patched 6.1 an empty program on its vfio_pci_fault tracepoint.
# Each daemon turn also times its attach by phase, against the floor of a
# minimal loader attaching empty programs to the same hooks (attach-floor).
REPS=5
OBSERVERS="none vfiotopd kprobemods bpftrace kprobe emptyfentry emptykprobe"
# vfiotop.* on the kernel command line (run.sh, for experiments): seconds to
# wait between two observers, and tracefs' record-cmd (on by default in the
# kernel; off here: see below)
PAUSE=$(sed -n 's/.*vfiotop\.pause=\([0-9.]*\).*/\1/p' /proc/cmdline)
RECORD_CMD=$(sed -n 's/.*vfiotop\.record_cmd=\([01]\).*/\1/p' /proc/cmdline)
# Enabling any trace event makes tracefs record comms: it hooks the
# sched_switch and sched_wakeup tracepoints, whose static keys sit in
# __schedule() and ttwu_do_activate(). Under multi-threaded TCG the other vCPU
# can run a stale copy of such a site with the int3 of text patching still in
# it ("Oops: int3" in __schedule or ttwu_do_activate). The kprobe observer
# needs no comms: with record-cmd off, enabling its event patches only the
# fault handler's ftrace site, which no one runs while observers change.
echo "${RECORD_CMD:-0}" >$TR/options/record-cmd
res "@@VT BENCH_CONFIG pause=${PAUSE:-0} record_cmd=$(cat $TR/options/record-cmd) $(cat /proc/cmdline)"
# a hung task or a lockup says so on the console (run.sh watches it)
dmesg -n 4
echo 30 >/proc/sys/kernel/hung_task_timeout_secs 2>/dev/null
vt_load_vfio
vt_bind_vfio
if grep -q ' vfio_pci_mmap_huge_fault' /proc/kallsyms; then
	FAULT=vfio_pci_mmap_huge_fault BT=/bench/huge.bt
elif grep -q ' vfio_pci_zap_and_vma_lock' /proc/kallsyms; then
	FAULT=vfio_pci_mmap_fault BT=/bench/whole-vma.bt
else
	FAULT=vfio_pci_mmap_fault BT=/bench/per-page.bt
fi
res "@@VT BENCH_HOOK $FAULT $BT"
# patched 6.1: vfiotopd's one program per fault is on the kernel's tracepoint,
# whose floor is an empty program there (attach-floor --hold)
if [ -e /sys/kernel/btf/vfio_pci_trace ] && command -v attach-floor >/dev/null; then
	OBSERVERS="$OBSERVERS emptytp"
fi

bt_start() { # bpftrace's arguments
	bpftrace "$@" >/tmp/bt.out 2>&1 &
	BTPID=$!
	for _ in $(seq 300); do
		grep -q '^Attaching' /tmp/bt.out && break
		sleep 0.1
	done
	sleep 1	# "Attaching" comes first, then the attach itself
	kill -0 "$BTPID" 2>/dev/null || res "@@VT ERROR bpftrace $*: $(head -c 300 /tmp/bt.out)"
}

# vfiotopd's attach phases from its log, summed over its tries (a trampoline
# refused means a second load): "hooks=N tries=T btf_ms= load_ms= attach_ms= total_ms="
attach_phases() {
	awk '/hooks: BTF lookups/ {
		for (i = 1; i < NF; i++) {
			if ($i == "lookups") b += $(i + 1)
			if ($i == "load") l += $(i + 1)
			if ($i == "attach") a += $(i + 1)
		}
		t++
	}
	/ attached [0-9]+ hooks/ { for (i = 1; i < NF; i++) if ($i == "attached") n = $(i + 1) }
	END { if (t) printf "hooks=%d tries=%d btf_ms=%d load_ms=%d attach_ms=%d total_ms=%d\n", n, t, b, l, a, b + l + a }' /tmp/vfiotopd.log
}

# the daemon's hooks as attach-floor reads them: "MECHANISM FUNCTION MODULE"
hook_list() {
	vfiotop -s "$VT_SOCK" --json | grep -o '"hooks":\[[^]]*\]' | grep -o '{[^}]*}' |
		awk -F'"' '{
			split("", v)
			for (i = 2; i + 2 <= NF; i += 4)
				v[$i] = $(i + 2)
			print v["mechanism"], v["function"], v["module"]
		}'
}

# The floor: attach-floor on the hooks the daemon had, once the daemon is
# gone, so that it attaches to the same unhooked functions the daemon did.
attach_floor() { # observer
	command -v attach-floor >/dev/null || return 0
	if [ ! -s /tmp/hooks.txt ]; then
		res "@@VT ATTACH_FLOOR $1 rep=$rep no hooks"
		return 0
	fi
	attach-floor /tmp/hooks.txt >/tmp/floor.out 2>/tmp/floor.err
	res "@@VT ATTACH_FLOOR $1 rep=$rep $(sed -n 's/^ATTACH_FLOOR //p' /tmp/floor.out)"
	[ ! -s /tmp/floor.err ] || res_file floor "$1-$rep" /tmp/floor.err
}

obs_start() {
	res "@@VT STEP $rep $1 start"
	case $1 in
	vfiotopd | kprobemods)
		rm -f /tmp/vfiotopd.log
		bench_t0=$(now_ms)
		if [ "$1" = kprobemods ]; then vt_start_daemon --no-pin --kprobe-modules; else vt_start_daemon --no-pin; fi
		vt_wait_attached "attach-$1"
		# from exec to attached: vfiotopd attaches before it serves its socket
		res "@@VT ATTACH_MS $1 $(($(now_ms) - bench_t0))"
		if [ "$rep" != stats ]; then
			res "@@VT ATTACH_PHASES $1 rep=$rep $(attach_phases)"
			hook_list >/tmp/hooks.txt
			[ "$rep" != 1 ] || res_file hooks "$1" /tmp/hooks.txt
		fi
		;;
	bpftrace) bt_start "$BT" ;;
	emptyfentry) bt_start -e "kfunc:$FAULT {} kretfunc:$FAULT {}" ;;
	emptykprobe) bt_start -e "kprobe:$FAULT {} kretprobe:$FAULT {}" ;;
	emptytp)
		echo 'tp_btf vfio_pci_fault vfio_pci_trace' | attach-floor --hold >/tmp/tp.out 2>&1 &
		TPPID=$!
		for _ in $(seq 300); do
			grep -q '^ATTACH_FLOOR' /tmp/tp.out && break
			sleep 0.1
		done
		grep -q 'failed=0' /tmp/tp.out || res "@@VT ERROR emptytp: $(head -c 300 /tmp/tp.out)"
		;;
	kprobe)
		echo "p:vtk/fault $FAULT" >>$TR/kprobe_events
		echo 1 >$TR/events/vtk/fault/enable
		echo 1 >$TR/tracing_on
		;;
	none)
		# a hist trigger or kprobe left armed would make this a silent observer
		res "@@VT ENABLED_FUNCTIONS $(wc -l <$TR/enabled_functions)"
		;;
	esac
}

obs_stop() {
	res "@@VT STEP $rep $1 stop"
	case $1 in
	vfiotopd | kprobemods)
		[ "$rep" = stats ] ||
			res "@@VT LOST $1 $(vfiotop -s "$VT_SOCK" --json | grep -o '"lost_events":[0-9]*' | cut -d: -f2)"
		[ "$rep" = 1 ] && [ "$1" = vfiotopd ] && vt_snapshot bench
		kill -TERM "$VFIOTOPD_PID"
		wait "$VFIOTOPD_PID"
		[ "$rep" = stats ] || attach_floor "$1"
		;;
	bpftrace | emptyfentry | emptykprobe)
		kill -INT "$BTPID"
		wait "$BTPID"
		[ "$rep" = 1 ] && res_file bpftrace "$1" /tmp/bt.out
		;;
	emptytp)
		kill -INT "$TPPID"
		wait "$TPPID"
		;;
	kprobe)
		echo 0 >$TR/tracing_on
		echo 0 >$TR/events/vtk/fault/enable
		echo "-:vtk/fault" >>$TR/kprobe_events
		echo >$TR/trace
		;;
	esac
}

run() { # label workload-args...
	label=$1
	shift
	workload --bdf "$DEV0" "$@" >/tmp/w.out 2>&1
	res_file run "$label" /tmp/w.out
}

# the first runs after boot are slow (cold caches, TCG translating): not timed
workload --bdf "$DEV0" --rounds 3 --resets 1 --dma-map --mmap-storm 30 --align 0x200000 >/dev/null 2>&1
[ "$FAULT" != vfio_pci_mmap_huge_fault ] ||
	workload --bdf "$DEV0" --rounds 1 --resets 0 --align 0x200000 --offset 0x1000 >/dev/null 2>&1

rep=1
while [ $rep -le $REPS ]; do
	# rotate: repetition r starts with observer r
	set -- $OBSERVERS
	i=1
	while [ $i -lt $rep ]; do
		first=$1
		shift
		set -- "$@" "$first"
		i=$((i + 1))
	done
	for obs in "$@"; do
		obs_start "$obs"
		res "@@VT STEP $rep $obs started"
		run "$rep-$obs-touch" --rounds 3 --resets 0 --align 0x200000
		# huge-fault kernels: 4 KiB off a PMD boundary, every fault is order 0
		[ "$FAULT" != vfio_pci_mmap_huge_fault ] ||
			run "$rep-$obs-touch4k" --rounds 3 --resets 0 --align 0x200000 --offset 0x1000
		# a DMA map's time varies by 2x from one run to the next: 3 of them
		for k in 1 2 3; do
			run "$rep-$obs-dma$k" --rounds 0 --resets 0 --dma-map --align 0x200000
		done
		run "$rep-$obs-storm" --rounds 0 --resets 10 --mmap-storm 300
		obs_stop "$obs"
		res "@@VT STEP $rep $obs stopped"
		[ -z "$PAUSE" ] || sleep "$PAUSE"
	done
	rep=$((rep + 1))
done

# Untimed, after the repetitions: what each of vfiotopd's BPF programs costs per
# run, from the kernel's BPF stats (they add two clock reads to every program
# run, so the timed turns above ran without them). A kprobe's or trampoline's
# own cost is not in these: read it from the floors.
if [ -w /proc/sys/kernel/bpf_stats_enabled ]; then
	rep=stats
	for obs in vfiotopd kprobemods; do
		obs_start "$obs"
		echo 1 >/proc/sys/kernel/bpf_stats_enabled
		workload --bdf "$DEV0" --rounds 3 --resets 0 --align 0x200000 >/dev/null 2>&1
		[ "$FAULT" != vfio_pci_mmap_huge_fault ] ||
			workload --bdf "$DEV0" --rounds 3 --resets 0 --align 0x200000 --offset 0x1000 >/dev/null 2>&1
		workload --bdf "$DEV0" --rounds 0 --resets 10 --dma-map --mmap-storm 300 --align 0x200000 >/dev/null 2>&1
		bpftool prog show >/tmp/progs.txt 2>&1
		echo 0 >/proc/sys/kernel/bpf_stats_enabled
		res_file progstats "$obs" /tmp/progs.txt
		obs_stop "$obs"
	done
fi

# The interrupt path: edu's MSIs (IRQ_ROUNDS, each raised, waited for and
# acknowledged) under no observer, vfiotopd, vfiotopd --irq-waits, bpftrace
# counting per vector (irq.bt) and an empty fentry on the handler. With the
# kernel's BPF stats on for all of them: the handler's program cost per
# interrupt is what they compare; a round's time is mostly TCG's, its spread
# is the noise.
IRQ_ROUNDS=2000
irq_observer() { # start|stop observer
	case $1-$2 in
	start-vfiotopd)
		vt_start_daemon --no-pin
		vt_wait_attached irq-vfiotopd
		;;
	start-irqwaits)
		vt_start_daemon --no-pin --irq-waits
		vt_wait_attached irq-irqwaits
		;;
	start-bpftrace) bt_start /bench/irq.bt ;;
	start-emptyirq) bt_start -e "kfunc:vfio_msihandler {}" ;;
	stop-irqwaits)
		kill -TERM "$VFIOTOPD_PID"
		wait "$VFIOTOPD_PID"
		;;
	stop-vfiotopd)
		res "@@VT IRQ_LOST $(vfiotop -s "$VT_SOCK" --json | grep -o '"lost_events":[0-9]*' | cut -d: -f2)"
		vt_snapshot irq-bench
		kill -TERM "$VFIOTOPD_PID"
		wait "$VFIOTOPD_PID"
		;;
	stop-bpftrace | stop-emptyirq)
		kill -INT "$BTPID"
		wait "$BTPID"
		;;
	esac
}
if [ -n "${DEVI:-}" ] && [ -w /proc/sys/kernel/bpf_stats_enabled ]; then
	workload --bdf "$DEVI" --bar 0 --rounds 0 --resets 0 --msi-rounds 200 >/dev/null 2>&1
	for obs in none vfiotopd irqwaits bpftrace emptyirq; do
		irq_observer start "$obs"
		echo 1 >/proc/sys/kernel/bpf_stats_enabled
		t0=$(now_ms)
		workload --bdf "$DEVI" --bar 0 --rounds 0 --resets 0 --msi-rounds "$IRQ_ROUNDS" \
			>/tmp/w.out 2>&1
		t1=$(now_ms)
		bpftool prog show >/tmp/progs.txt 2>&1
		echo 0 >/proc/sys/kernel/bpf_stats_enabled
		res "@@VT IRQ_BENCH $obs rounds=$IRQ_ROUNDS ms=$((t1 - t0))"
		res_file irqrun "$obs" /tmp/w.out
		res_file irqprogs "$obs" /tmp/progs.txt
		irq_observer stop "$obs"
	done
fi

# With --irq-waits, every eventfd read on the host runs vfiotopd's program on
# eventfd_read: a trampoline and a hash lookup that, for an eventfd of no vfio
# vector, finds nothing. EFD_PAIRS writes and reads of such an eventfd, under
# no observer and vfiotopd --irq-waits in turn, EFD_REPS times; then once
# more with the kernel's BPF stats, for the program's own time per read.
EFD_PAIRS=100000
EFD_REPS=3
efd_daemon() { # start|stop label
	if [ "$1" = start ]; then
		vt_start_daemon --no-pin --irq-waits
		vt_wait_attached "$2"
	else
		kill -TERM "$VFIOTOPD_PID"
		wait "$VFIOTOPD_PID"
	fi
}
if command -v eventfd-reads >/dev/null && [ -w /proc/sys/kernel/bpf_stats_enabled ]; then
	eventfd-reads "$EFD_PAIRS" >/dev/null
	for rep in $(seq "$EFD_REPS"); do
		for obs in none vfiotopd; do
			[ "$obs" = none ] || efd_daemon start "efd-$rep"
			res "@@VT EFD_BENCH $obs rep=$rep $(eventfd-reads "$EFD_PAIRS")"
			[ "$obs" = none ] || efd_daemon stop
		done
	done
	efd_daemon start efd-stats
	echo 1 >/proc/sys/kernel/bpf_stats_enabled
	eventfd-reads "$EFD_PAIRS" >/dev/null
	bpftool prog show >/tmp/progs.txt 2>&1
	echo 0 >/proc/sys/kernel/bpf_stats_enabled
	res_file efdprogs vfiotopd /tmp/progs.txt
	efd_daemon stop
fi
