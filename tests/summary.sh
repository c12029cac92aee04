#!/usr/bin/env bash
# Counts TAP results ("ok [N] ..." / "not ok [N] ...") over the given files and prints
# the one closing line CI reads: "N passed, N failed" (", N skipped" when some were:
# an "ok ... # SKIP" did not run, so it is not a pass). Before it, one comment line
# with the number of checks per part (a VM kernel's label, else the TAP file), so
# runs can be compared: a complete run of each part makes the same number every time.
# Exits non-zero on any failure or when nothing passed at all.
set -u
files=()
for f in "$@"; do
	[ -f "$f" ] && files+=("$f")
done
[ ${#files[@]} -gt 0 ] || { echo "0 passed, 0 failed"; exit 1; }
awk '
	FNR == 1 { part = FILENAME; sub(/.*\//, "", part); sub(/\.tap$/, "", part) }
	!/^(not )?ok( |$)/ { next }
	{
		p = part
		# "ok 12 - 6.1-patched: ..." counts for its kernel
		if (match($0, /^(not )?ok( [0-9]+)? - [A-Za-z0-9._-]+: /)) {
			label = substr($0, 1, RLENGTH - 2)
			sub(/^(not )?ok( [0-9]+)? - /, "", label)
			if (label ~ /^(6\.|trixie-|[0-9])/)
				p = label
		}
		if (!(p in count))
			order[n++] = p
		count[p]++
	}
	/^not ok( |$)/ { failed++; next }
	/# [Ss][Kk][Ii][Pp]([ \t]|$)/ { skipped++; next }
	{ passed++ }
	END {
		line = "# checks by part:"
		for (i = 0; i < n; i++)
			line = line sprintf(" %s %d%s", order[i], count[order[i]], i < n - 1 ? "," : "")
		print line
		printf "%d passed, %d failed", passed, failed
		if (skipped)
			printf ", %d skipped", skipped
		printf "\n"
		exit !(failed == 0 && passed > 0)
	}' "${files[@]}"
