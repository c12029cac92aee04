#!/usr/bin/env bash
# Runs every libFuzzer harness (make fuzz-build) for SECONDS, or for N
# executions (runs=N), on a scratch copy
# of its committed corpus (fuzz/corpus/NAME, never grown in place), after
# replaying fuzz/regressions/NAME (inputs that once crashed). TAP, one line a
# harness with its executions; a crash is kept in build/fuzz/crashes/NAME.
#   fuzz.sh BUILD_DIR SECONDS|runs=N
set -u
build=$1 limit=$2
case "$limit" in
runs=*) budget=(-runs="${limit#runs=}") ;;
*) budget=(-max_total_time="$limit") ;;
esac
here=$(cd "$(dirname "$0")/.." && pwd)
for bin in "$build"/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	name=${bin##*/fuzz_}
	scratch=$(mktemp -d)
	crashes=$build/fuzz/crashes/$name
	mkdir -p "$crashes"
	cp -r "$here/fuzz/corpus/$name/." "$scratch/" 2>/dev/null
	regress=$(ls "$here/fuzz/regressions/$name/"* 2>/dev/null)
	ok=0
	if [ -n "$regress" ]; then
		# shellcheck disable=SC2086
		"$bin" $regress >"$build/fuzz/$name.regress.log" 2>&1 || ok=1
	fi
	t0=$(date +%s)
	ASAN_OPTIONS=detect_leaks=1 "$bin" "${budget[@]}" -print_final_stats=1 \
		-max_len=16384 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$crashes/" \
		"$scratch" >"$build/fuzz/$name.log" 2>&1 || ok=1
	took=$(($(date +%s) - t0))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/fuzz/$name.log" | tail -n1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$build/fuzz/$name.log" | tail -n1)
	if [ $ok -eq 0 ] && [ -n "$execs" ]; then
		echo "ok - fuzz: $name: ${execs} executions in ${took} s (${rate}/s), 0 crashes"
	else
		echo "not ok - fuzz: $name: crashed or failed (log $build/fuzz/$name.log, inputs in $crashes)"
		grep -m5 -E "ERROR|SUMMARY|runtime error" "$build/fuzz/$name.log" "$build/fuzz/$name.regress.log" 2>/dev/null |
			sed 's/^/#   /'
	fi
	rm -rf "$scratch"
done
