#!/usr/bin/env bash
# make deb: builds the binary package with dpkg-buildpackage from a copy of
# the tracked files (a build never writes into the checkout's parent), then
# runs lintian on it. Prints the .deb's path last.
#   build-deb.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)/deb
ver=$(dpkg-parsechangelog -l "$here/debian/changelog" -S Version)
src=$out/vfiotop-$ver
rm -rf "$out"
mkdir -p "$src"
(cd "$here" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$src")
(cd "$src" && dpkg-buildpackage -b -us -uc --no-sign) >"$out/build.log" 2>&1 || {
	tail -n 30 "$out/build.log" >&2
	exit 1
}
deb=$(ls "$out"/vfiotop_"$ver"_*.deb)
lintian --fail-on error,warning,info --info \
	"$deb" >"$out/lintian.log" 2>&1 || { cat "$out/lintian.log" >&2; exit 1; }
echo "$deb"
