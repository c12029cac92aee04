# make bench's crash, reproduced on its own: the tracefs kprobe observer of
# bench.sh switched on and off many times while both vCPUs schedule. On the
# kernel command line (tests/bench/churn.sh passes them): vfiotop.churn=N
# rounds (200), vfiotop.record_cmd=0|1 (tracefs' record-cmd: the kernel's
# default is 1).
#   VFIOTOP_APPEND="vfiotop.record_cmd=1" tests/vm/boot.sh KDIR BUILD bench-churn.sh OUT
N=$(sed -n 's/.*vfiotop\.churn=\([0-9]*\).*/\1/p' /proc/cmdline)
N=${N:-200}
RECORD_CMD=$(sed -n 's/.*vfiotop\.record_cmd=\([01]\).*/\1/p' /proc/cmdline)
dmesg -n 4
vt_load_vfio
vt_bind_vfio
FAULT=vfio_pci_mmap_fault
grep -q ' vfio_pci_mmap_huge_fault' /proc/kallsyms && FAULT=vfio_pci_mmap_huge_fault
echo "${RECORD_CMD:-1}" >$TR/options/record-cmd
res "@@VT CHURN_CONFIG rounds=$N record_cmd=$(cat $TR/options/record-cmd) fault=$FAULT"
# both vCPUs wake up and schedule all the time: short sleeps, short processes
rm -f /tmp/stop
for _ in 1 2; do
	(while [ ! -e /tmp/stop ]; do sleep 0.01; done) &
done
i=0
t0=$(now_ms)
while [ $i -lt "$N" ]; do
	# what bench.sh's kprobe observer does to start and to stop
	echo "p:vtk/fault $FAULT" >>$TR/kprobe_events
	echo 1 >$TR/events/vtk/fault/enable
	echo 1 >$TR/tracing_on
	echo 0 >$TR/tracing_on
	echo 0 >$TR/events/vtk/fault/enable
	echo "-:vtk/fault" >>$TR/kprobe_events
	echo >$TR/trace
	i=$((i + 1))
	[ $((i % 10)) != 0 ] || res "@@VT STEP churn $i"
done
touch /tmp/stop
wait
res "@@VT CHURN_DONE $N rounds in $(($(now_ms) - t0)) ms"
