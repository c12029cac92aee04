#!/usr/bin/env bash
# A minimal Debian bookworm root with systemd, built once with mmdebstrap and
# cached outside the checkout; prints the tarball's path. The 6.12 VM boots it
# with systemd as PID 1 to test the Debian package and its unit
# (tests/vm/scenarios/full.sh): the package's dependencies are in it, so apt
# installs it offline, and kmod for modprobe -r through its modprobe.d rule.
set -euo pipefail
cache=${VFIOTOP_CACHE:-$HOME/.cache/vfiotop}/rootfs
include=systemd,systemd-sysv,libbpf1,libjson-c5,libcap2,libmicrohttpd12,libncursesw6,libtinfo6
include+=,libyaml-0-2,libcrypt1,libpci3,kmod
# a new package list is a new root
tar=$cache/systemd-bookworm-$(echo "$include" | md5sum | cut -c1-8).tar
if [ ! -s "$tar" ]; then
	mkdir -p "$cache"
	mmdebstrap --quiet --format=tar --variant=minbase --include="$include" \
		--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
		bookworm "$tar.tmp" http://deb.debian.org/debian >&2
	# a name mmdebstrap does not know would be made as a folder: check it is a tarball
	tar -tf "$tar.tmp" ./lib/systemd/systemd >/dev/null 2>&1 ||
		tar -tf "$tar.tmp" ./usr/lib/systemd/systemd >/dev/null
	mv "$tar.tmp" "$tar"
fi
echo "$tar"
