#!/usr/bin/env bash
# Counts TAP results ("ok [N] ..." / "not ok [N] ...") over the given files and prints
# the one closing line CI reads: "N passed, N failed". Exits non-zero on any failure
# or when nothing ran at all.
set -u
passed=0
failed=0
for f in "$@"; do
	[ -f "$f" ] || continue
	p=$(grep -cE '^ok( |$)' "$f")
	n=$(grep -cE '^not ok( |$)' "$f")
	passed=$((passed + p))
	failed=$((failed + n))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
