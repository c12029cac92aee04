#!/usr/bin/env bash
# The DKMS tree that make kernel writes builds the six patched modules for the
# current Debian 6.1 kernel, in private source and dkms trees (nothing is added
# to /usr/src or /var/lib/dkms). TAP.
#   kernel-dkms.sh BUILD_DIR
set -u
build=$1
src=$(ls -d "$build"/kernel/dkms/vfiotop-vfio-* 2>/dev/null | head -n1)
kver=$(cut -d' ' -f1 "$build/kernel/modules/KERNEL" 2>/dev/null)
if [ -z "$src" ] || [ -z "$kver" ] || ! command -v dkms >/dev/null; then
	echo "not ok 1 - dkms: no DKMS tree, kernel or dkms (make kernel, make deps)"
	exit 0
fi
ver=${src##*/vfiotop-vfio-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src" "$tmp/dkms"
cp -r "$src" "$tmp/src/"
dkms=(dkms --sourcetree "$tmp/src" --dkmstree "$tmp/dkms" -m vfiotop-vfio -v "$ver" -k "$kver")
if "${dkms[@]}" add >"$tmp/log" 2>&1 && "${dkms[@]}" build >>"$tmp/log" 2>&1; then
	echo "ok 1 - dkms build of vfiotop-vfio $ver for $kver"
else
	echo "not ok 1 - dkms build of vfiotop-vfio $ver for $kver"
	sed 's/^/#   /' "$tmp/log" | tail -n 20
fi
n=$(find "$tmp/dkms" -path "*/$kver/*" -name '*.ko*' | wc -l)
if [ "$n" -eq 6 ]; then
	echo "ok 2 - dkms built the 6 vfio modules"
else
	echo "not ok 2 - dkms built $n modules, not 6"
fi
