#!/usr/bin/env bash
# Why make bench's guests crashed, as an experiment: boots a kernel with
# tests/vm/scenarios/bench-churn.sh (the tracefs kprobe observer switched on
# and off N times) in each configuration, BOOTS times, and says how each boot
# ended. Results in BUILD/bench-churn/.
#   churn.sh BUILD [FLAVOUR [BOOTS [ROUNDS]]]      (6.12, 3, 200)
#   CHURN_CONFIGS="multi:1 multi:0 single:1"       TCG threading:record-cmd
set -uo pipefail
build=$(cd "${1:-build}" && pwd)
flavour=${2:-6.12} boots=${3:-3} rounds=${4:-200}
here=$(cd "$(dirname "$0")" && pwd)
vm=$here/../vm
out=$build/bench-churn
bpftrace="" perf=""
stall=${VFIOTOP_BENCH_STALL:-120}
. "$here/watch.sh"
kdir=$(bash "$here/../../scripts/fetch-kernel.sh" "$flavour") || exit 1
for conf in ${CHURN_CONFIGS:-multi:1 multi:0 single:1}; do
	tcg=${conf%%:*} rc=${conf##*:}
	append="panic_on_oops=1 softlockup_panic=1 vfiotop.churn=$rounds vfiotop.record_cmd=$rc"
	for b in $(seq "$boots"); do
		dir=$out/$flavour-$tcg-record_cmd$rc-$b
		t0=$(date +%s)
		why=$(try_once churn "$kdir" bench-churn.sh "$dir")
		done_rounds=$(grep -a '^@@VT STEP churn' "$dir/results.txt" | tail -n1 | awk '{print $4}')
		echo "churn: $flavour tcg=$tcg record-cmd=$rc boot $b: ${why:-finished} (rounds done: ${done_rounds:-0} of $rounds, $(($(date +%s) - t0)) s)"
	done
done
