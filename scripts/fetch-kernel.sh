#!/usr/bin/env bash
# Resolves the current Debian kernel of a suite, downloads its packages into the
# cache (outside the checkout) and unpacks them. Prints the unpacked directory.
#
#   fetch-kernel.sh 6.1          bookworm's linux-image-amd64
#   fetch-kernel.sh 6.12         bookworm-backports' linux-image-amd64
#   fetch-kernel.sh trixie-6.12  trixie's (Debian 13, stable) linux-image-amd64
#   fetch-kernel.sh trixie-7     trixie-backports' linux-image-amd64: the newest 7.x
#
# Only apt options are used for the other suites: /etc/apt is never edited.
# From 7.x on the image package is split: the kernel is in linux-binary-VER,
# the modules in linux-modules-VER; both are unpacked into the same folder.
set -euo pipefail

flavour=${1:?usage: fetch-kernel.sh 6.1|6.12|trixie-6.12|trixie-7}
cache=${VFIOTOP_CACHE:-$HOME/.cache/vfiotop}
mkdir -p "$cache/debs" "$cache/kernels"

# sources: bookworm's are the host's own (make kernel builds against its
# headers); the others get a private list, with their security updates
case "$flavour" in
6.1) suite= want='linux-image-6.1.*' ;;
6.12) suite=bookworm-backports want='linux-image-6.12.*' ;;
trixie-6.12) suite=trixie want='linux-image-6.12.*' ;;
trixie-7) suite=trixie-backports want='linux-image-7.*' ;;
*)
	echo "fetch-kernel: unknown kernel flavour '$flavour' (use 6.1, 6.12, trixie-6.12 or trixie-7)" >&2
	exit 2
	;;
esac

apt_opts=()
lists=/var/lib/apt/lists
if [ -n "$suite" ]; then
	lists=$cache/apt/$suite/lists
	mkdir -p "$lists/partial"
	{
		echo "deb http://deb.debian.org/debian $suite main"
		if [ "$suite" = trixie ]; then
			echo "deb http://deb.debian.org/debian trixie-updates main"
			echo "deb http://deb.debian.org/debian-security trixie-security main"
		fi
	} >"$cache/apt/$suite/sources.list"
	apt_opts=(-o "Dir::Etc::sourcelist=$cache/apt/$suite/sources.list"
		-o "Dir::Etc::sourceparts=-" -o "Dir::State::Lists=$lists")
fi

resolve() {
	apt-cache "${apt_opts[@]}" depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n1
}
# lists older than a day are refreshed: the suites move
if [ -z "$(find "$lists" -name '*Packages*' -mmin -1440 2>/dev/null | head -n1)" ] ||
	[ -z "$(resolve)" ]; then
	apt-get "${apt_opts[@]}" update -qq >&2 ||
		echo "fetch-kernel: apt-get update for $flavour failed; using the lists there are" >&2
fi
pkg=$(resolve)
[ -n "$pkg" ] || { echo "fetch-kernel: cannot resolve linux-image-amd64 for $flavour" >&2; exit 1; }
# shellcheck disable=SC2053
[[ $pkg == $want ]] || { echo "fetch-kernel: $flavour resolved to unexpected $pkg" >&2; exit 1; }

ver=$(apt-cache "${apt_opts[@]}" show "$pkg" | sed -n 's/^Version: //p' | head -n1)
# the split packages of 7.x, when the image depends on them
parts=("$pkg")
for dep in $(apt-cache "${apt_opts[@]}" depends "$pkg" |
	sed -n 's/^ *Depends: \(linux-\(binary\|modules\)-[0-9].*-amd64\)$/\1/p'); do
	parts+=("$dep")
done
# the modules are not a dependency of the image: take them by name
mods=${pkg/linux-image-/linux-modules-}
if [ ${#parts[@]} -gt 1 ] && ! printf '%s\n' "${parts[@]}" | grep -qx "$mods" &&
	apt-cache "${apt_opts[@]}" show "$mods" >/dev/null 2>&1; then
	parts+=("$mods")
fi

dir="$cache/kernels/$pkg"
if [ ! -f "$dir/.complete" ] || [ "$(cat "$dir/.complete")" != "$ver" ]; then
	rm -rf "$dir"
	mkdir -p "$dir"
	for p in "${parts[@]}"; do
		deb=$(ls "$cache/debs/${p}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n1 || true)
		if [ -z "$deb" ]; then
			(cd "$cache/debs" && apt-get "${apt_opts[@]}" download "$p=$ver" >&2)
			deb=$(ls "$cache/debs/${p}_${ver//:/%3a}_"*.deb | head -n1)
		fi
		dpkg-deb -x "$deb" "$dir"
	done
	echo "$ver" >"$dir/.complete"
fi
echo "$dir"
