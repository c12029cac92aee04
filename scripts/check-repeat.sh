#!/usr/bin/env bash
# make check N times on one commit, each in a fresh clone: the first with an
# empty download cache (a new machine), the others with the first's. Each
# run's log in OUT/runK.log; one line per run in OUT/summary.txt with its
# checks per part and its closing line, so runs compare (issue 27).
#   scripts/check-repeat.sh [N [COMMIT [OUT]]]
set -u
n=${1:-5}
commit=${2:-$(git rev-parse HEAD)}
out=${3:-$(mktemp -d "${TMPDIR:-/tmp}/check-repeat.XXXXXX")}
repo=$(git rev-parse --show-toplevel)
cache=$(mktemp -d "$out/cache.XXXXXX")
for k in $(seq "$n"); do
	dir=$out/clone$k
	rm -rf "$dir"
	git clone -q "$repo" "$dir" && git -C "$dir" checkout -q "$commit" || exit 1
	(cd "$dir" && CI=true VFIOTOP_CACHE=$cache make check >"$out/run$k.log" 2>&1)
	rc=$?
	echo "run $k: $(grep -a '^# checks by part' "$out/run$k.log" | cut -c18-)" \
		"| $(grep -aE '^[0-9]+ passed' "$out/run$k.log") | exit $rc" >>"$out/summary.txt"
	rm -rf "$dir/build/vm"/*/initrd.gz
done
cat "$out/summary.txt"
