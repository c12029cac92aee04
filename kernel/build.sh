#!/usr/bin/env bash
# make kernel: vfio-pci with the kernel/patches series, for Debian's current 6.1.
#
# Fetches (cached in ~/.cache/vfiotop) linux-source-6.1 and the headers of the
# current Debian 6.1 kernel, applies the series to drivers/vfio, builds vfio,
# vfio_virqfd, vfio_iommu_type1, vfio_pci_trace, vfio-pci-core and vfio-pci out
# of tree, and gives them module BTF with pahole against the kernel's own base
# BTF.
# Output: BUILD/kernel/modules/*.ko and a DKMS source tree in BUILD/kernel/dkms.
#   build.sh BUILD_DIR
set -euo pipefail
build=$(mkdir -p "${1:-build}" && cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
scripts=$here/../scripts
cache=${VFIOTOP_CACHE:-$HOME/.cache/vfiotop}
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

kdir=$(bash "$scripts/fetch-kernel.sh" 6.1)
abi=$(basename "$kdir" | sed 's/^linux-image-//')
kver=$(cat "$kdir/.complete")
echo "kernel: building for $abi ($kver)"

# headers of exactly that kernel, and pahole for module BTF
need=()
dpkg-query -W -f='${Status}' "linux-headers-$abi" 2>/dev/null | grep -q 'ok installed' ||
	need+=("linux-headers-$abi")
command -v pahole >/dev/null || need+=(dwarves)
if [ ${#need[@]} -gt 0 ]; then
	echo "kernel: installing ${need[*]}"
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
headers=/usr/src/linux-headers-$abi

# linux-source of the same version: only drivers/vfio and a few files
src=$cache/src/linux-source-$kver
if [ ! -f "$src/.complete" ]; then
	mkdir -p "$cache/src/debs"
	deb=$(ls "$cache/src/debs/linux-source-6.1_${kver}_all.deb" 2>/dev/null || true)
	if [ -z "$deb" ]; then
		(cd "$cache/src/debs" && apt-get download "linux-source-6.1=$kver" >&2)
		deb=$cache/src/debs/linux-source-6.1_${kver}_all.deb
	fi
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/src/linux-source-6.1.tar.xz |
		tar -xJ -C "$src.tmp" --strip-components=1 --wildcards \
			'linux-source-6.1/drivers/vfio/*' 'linux-source-6.1/include/linux/vfio*' \
			'linux-source-6.1/scripts/checkpatch.pl' 'linux-source-6.1/scripts/spelling.txt' \
			'linux-source-6.1/scripts/const_structs.checkpatch'
	mv "$src.tmp" "$src"
	touch "$src/.complete"
fi

# the tree: pristine vfio sources, then the series
out=$build/kernel
tree=$out/tree
rm -rf "$tree" "$out/modules"
mkdir -p "$tree/include/linux" "$out/modules"
cp -r "$src/drivers" "$tree/"
cp "$src"/include/linux/vfio*.h "$tree/include/linux/"
rm -rf "$tree/drivers/vfio/"{mdev,platform,fsl-mc} "$tree/drivers/vfio/pci/"{mlx5,hisilicon}
while read -r p; do
	[ -n "$p" ] || continue
	patch -d "$tree" -p1 --quiet --no-backup-if-mismatch <"$here/patches/$p"
	echo "kernel: applied $p"
done <"$here/patches/series"
rm -f "$tree/drivers/vfio/Makefile" "$tree/drivers/vfio/pci/Makefile"
cp "$here/kbuild/Kbuild" "$tree/drivers/vfio/Kbuild"
cp "$here/kbuild/pci.Kbuild" "$tree/drivers/vfio/pci/Kbuild"

make -s -C "$headers" M="$tree/drivers/vfio" VFIOTOP_KDIR="$tree" modules -j"$(nproc)" 2>&1 |
	grep -v 'Skipping BTF generation' || true

# module BTF: the kernel build skips it without a vmlinux; pahole does it
# against the packaged kernel's base BTF (what /sys/kernel/btf/vmlinux holds)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bash "$scripts/extract-vmlinux.sh" "$kdir"/boot/vmlinuz-* "$tmp/vmlinux"
objcopy -O binary --only-section=.BTF "$tmp/vmlinux" "$tmp/base.btf"
for ko in $(find "$tree/drivers/vfio" -name '*.ko'); do
	LLVM_OBJCOPY=objcopy pahole -J --btf_base "$tmp/base.btf" "$ko"
	cp "$ko" "$out/modules/"
done
n=$(ls "$out/modules"/*.ko | wc -l)
[ "$n" -eq 6 ] || { echo "kernel: expected 6 modules, built $n" >&2; exit 1; }
echo "$abi $kver" >"$out/modules/KERNEL"

# a DKMS source tree, to install the patched modules on a Debian 6.1 host
dk=$out/dkms/vfiotop-vfio-$kver
rm -rf "$out/dkms"
mkdir -p "$dk"
cp -r "$tree/drivers" "$tree/include" "$dk/"
find "$dk" \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd' \
	-o -name 'modules.order' -o -name 'Module.symvers' \) -delete
sed "s/@VERSION@/$kver/" "$here/dkms.conf" >"$dk/dkms.conf"
cp "$here/dkms-btf.sh" "$dk/"
echo "kernel: $n modules with BTF in $out/modules, DKMS tree in $dk"
