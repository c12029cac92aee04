#!/usr/bin/env bash
# Installs every Debian package vfiotop needs to build, test and run its VM tests.
# Idempotent: packages already present are skipped by apt-get.
set -euo pipefail

PKGS=(
	make gcc clang llvm pkg-config
	libbpf-dev bpftool libelf-dev zlib1g-dev
	libjson-c-dev libcap-dev libcmocka-dev
	qemu-system-x86 busybox-static cpio xz-utils zstd
	python3 ca-certificates dkms groff-base
	libmicrohttpd-dev libncurses-dev tmux socat prometheus python3-jsonschema mmdebstrap
	valgrind libclang-rt-14-dev curl
	debhelper dpkg-dev lintian libyaml-dev libcrypt-dev openssl
	libpci-dev libxxhash-dev
)

# extra packages for one target (make bench): deps.sh PKG...
[ $# -gt 0 ] && PKGS=("$@")

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#PKGS[@]} packages present"
	exit 0
fi
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
