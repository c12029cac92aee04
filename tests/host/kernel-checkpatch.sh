#!/usr/bin/env bash
# Every patch of kernel/patches is checkpatch.pl --strict clean (the script
# comes from linux-source, fetched by make kernel). TAP. FILE_PATH_CHANGES
# asks of every added file whether MAINTAINERS needs updating: not here, its
# VFIO DRIVER entry covers all of drivers/vfio/.
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
cp=$(ls "${VFIOTOP_CACHE:-$HOME/.cache/vfiotop}"/src/linux-source-*/scripts/checkpatch.pl 2>/dev/null | tail -n1)
n=0
while read -r p; do
	[ -n "$p" ] || continue
	n=$((n + 1))
	if [ -z "$cp" ]; then
		echo "not ok $n - checkpatch: $p (no checkpatch.pl: run make kernel)"
		continue
	fi
	out=$(perl "$cp" --strict --no-tree --ignore FILE_PATH_CHANGES "$here/kernel/patches/$p" 2>&1)
	if echo "$out" | grep -q '^total: 0 errors, 0 warnings, 0 checks'; then
		echo "ok $n - checkpatch --strict: $p"
	else
		echo "not ok $n - checkpatch --strict: $p"
		echo "$out" | sed 's/^/#   /'
	fi
done <"$here/kernel/patches/series"
