#!/usr/bin/env bash
# make check's share of fuzzing: builds the libFuzzer harnesses (make
# fuzz-build) and runs each for a few seconds after replaying its regressions
# and its committed corpus (tests/host/fuzz.sh). TAP: one line a harness,
#   ok - fuzz: NAME: N executions, 0 crashes
# make fuzz runs the same for FUZZ_SECONDS (120) each.
#   fuzz-smoke.sh BUILD_DIR        (FUZZ_SMOKE_SECONDS, default 3)
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$1"
build=$(cd "$1" && pwd)
# the Makefile's O is relative to the tree (the other tests get it so too)
rel=$(realpath --relative-to="$here" "$build")
if ! make -C "$here" --no-print-directory O="$rel" fuzz-build >"$build/fuzz-build.log" 2>&1; then
	echo "not ok - fuzz: the harnesses do not build (clang with libFuzzer: make deps)"
	sed 's/^/#   /' "$build/fuzz-build.log" | tail -n 20
	exit 1
fi
exec bash "$here/tests/host/fuzz.sh" "$build" "${FUZZ_SMOKE_SECONDS:-3}"
