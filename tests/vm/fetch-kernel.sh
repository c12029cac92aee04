#!/usr/bin/env bash
# Resolves the current Debian kernel of a suite, downloads its image package into
# the cache (outside the checkout) and unpacks it. Prints the unpacked directory.
#
#   fetch-kernel.sh 6.1      Debian bookworm's linux-image-amd64
#   fetch-kernel.sh 6.12     bookworm-backports' linux-image-amd64
#
# Only apt options are used for backports: /etc/apt is never edited.
set -euo pipefail

flavour=${1:?usage: fetch-kernel.sh 6.1|6.12}
cache=${VFIOTOP_CACHE:-$HOME/.cache/vfiotop}
mkdir -p "$cache/debs" "$cache/kernels"

apt_opts=()
case "$flavour" in
6.1) ;;
6.12)
	mkdir -p "$cache/apt/lists/partial"
	echo "deb http://deb.debian.org/debian bookworm-backports main" >"$cache/apt/backports.list"
	apt_opts=(-o "Dir::Etc::sourcelist=$cache/apt/backports.list"
		-o "Dir::Etc::sourceparts=-" -o "Dir::State::Lists=$cache/apt/lists")
	apt-get "${apt_opts[@]}" update -qq >&2
	;;
*)
	echo "fetch-kernel: unknown kernel flavour '$flavour' (use 6.1 or 6.12)" >&2
	exit 2
	;;
esac

pkg=$(apt-cache "${apt_opts[@]}" depends linux-image-amd64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n1)
if [ -z "$pkg" ]; then
	# A fresh machine has no package lists yet.
	apt-get "${apt_opts[@]}" update -qq >&2
	pkg=$(apt-cache "${apt_opts[@]}" depends linux-image-amd64 |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n1)
fi
[ -n "$pkg" ] || { echo "fetch-kernel: cannot resolve linux-image-amd64 for $flavour" >&2; exit 1; }
case "$flavour" in
6.1) [[ $pkg == linux-image-6.1.* ]] ;;
6.12) [[ $pkg == linux-image-6.12.* ]] ;;
esac || { echo "fetch-kernel: $flavour resolved to unexpected $pkg" >&2; exit 1; }

ver=$(apt-cache "${apt_opts[@]}" show "$pkg" | sed -n 's/^Version: //p' | head -n1)
dir="$cache/kernels/$pkg"
if [ ! -f "$dir/.complete" ] || [ "$(cat "$dir/.complete")" != "$ver" ]; then
	deb=$(ls "$cache/debs/${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n1 || true)
	if [ -z "$deb" ]; then
		(cd "$cache/debs" && apt-get "${apt_opts[@]}" download "$pkg=$ver" >&2)
		deb=$(ls "$cache/debs/${pkg}_"*.deb | head -n1)
	fi
	rm -rf "$dir"
	mkdir -p "$dir"
	dpkg-deb -x "$deb" "$dir"
	echo "$ver" >"$dir/.complete"
fi
echo "$dir"
