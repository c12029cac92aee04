#!/usr/bin/env bash
# Runs every libFuzzer harness (make fuzz-build) for SECONDS each: first its
# regressions (fuzz/regressions/NAME: inputs that once crashed it), then
# fuzzing from a scratch copy of its committed corpus (fuzz/corpus/NAME, never
# grown in place; the grown copy stays in BUILD_DIR/fuzz/work/NAME). TAP, one
# line a harness with its executions and crashes; a crash's input is kept in
# BUILD_DIR/fuzz/crashes/NAME, the log in BUILD_DIR/fuzz/NAME.log. Exits 1 if
# any harness crashed or did not run.
#   fuzz.sh BUILD_DIR SECONDS [NAME...]
set -u
build=$1 seconds=$2
shift 2
here=$(cd "$(dirname "$0")/../.." && pwd)

# the longest input worth trying: a request line, an argv, a snapshot document
max_len() {
	case $1 in
	protocol) echo 512 ;;
	http_route | daemon_opts | web_config) echo 1024 ;;
	report) echo 8192 ;;
	*) echo 4096 ;;	# snapshot_json: two devices, or two one-device documents
	esac
}

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for bin in "$build"/fuzz/fuzz_*; do
		[ -x "$bin" ] && names+=("${bin##*/fuzz_}")
	done
fi
if [ ${#names[@]} -eq 0 ]; then
	echo "not ok - fuzz: no harness in $build/fuzz (make fuzz-build)"
	exit 1
fi

# stdout and stderr of the code under test are closed (-close_fd_mask=3): a
# parser's messages would fill the log; libFuzzer and the sanitizers still report
opts=(-print_final_stats=1 -timeout=10 -rss_limit_mb=2048 -close_fd_mask=3)
# LeakSanitizer at every exit; a quarantine of 16 MB (256 by default) still
# catches a use after free within one input, and keeps ASan's pages warm.
# Options from the environment come last: they win.
export ASAN_OPTIONS=detect_leaks=1:quarantine_size_mb=16${ASAN_OPTIONS:+:$ASAN_OPTIONS}
export UBSAN_OPTIONS=print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}
failed=0
for name in "${names[@]}"; do
	bin=$build/fuzz/fuzz_$name
	log=$build/fuzz/$name.log
	crashes=$build/fuzz/crashes/$name
	work=$build/fuzz/work/$name
	mkdir -p "$crashes"
	rm -rf "$work"
	mkdir -p "$work"
	cp -r "$here/fuzz/corpus/$name/." "$work/" 2>/dev/null
	rfail=0 ffail=0
	rm -f "$build/fuzz/$name.regress.log"
	regress=("$here/fuzz/regressions/$name/"*)
	if [ -e "${regress[0]}" ]; then
		"$bin" "${opts[@]}" "${regress[@]}" >"$build/fuzz/$name.regress.log" 2>&1 || rfail=1
	fi
	before=$(find "$crashes" -type f | wc -l)
	t0=$EPOCHREALTIME
	"$bin" "${opts[@]}" -max_total_time="$seconds" -max_len="$(max_len "$name")" \
		-artifact_prefix="$crashes/" "$work" >"$log" 2>&1 || ffail=1
	took=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	found=$(($(find "$crashes" -type f | wc -l) - before))
	ncrash=$((rfail + (found > ffail ? found : ffail)))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
	if [ $ncrash -eq 0 ] && [ -n "$execs" ]; then
		echo "ok - fuzz: $name: $execs executions, 0 crashes"
	else
		failed=1
		echo "not ok - fuzz: $name: ${execs:-0} executions, $ncrash crashes"
		echo "#   log $log, inputs in $crashes"
		[ $rfail -eq 0 ] || echo "#   a regression input crashes again: $build/fuzz/$name.regress.log"
		grep -h -m8 -E "ERROR|SUMMARY|runtime error|^ +#[0-9] " "$log" \
			"$build/fuzz/$name.regress.log" 2>/dev/null | sed 's/^/#   /'
	fi
	printf '# %s: %s s, %s exec/s, corpus %d -> %d inputs\n' "$name" "$took" "${rate:-0}" \
		"$(find "$here/fuzz/corpus/$name" -type f 2>/dev/null | wc -l)" \
		"$(find "$work" -type f | wc -l)"
done
exit $failed
