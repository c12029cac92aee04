#!/bin/sh
# DKMS post-build: module BTF, so that BPF tools (vfiotop) can attach to the
# patched modules. The base must be the BTF of the kernel the modules are for:
# only the running kernel's is at hand (/sys/kernel/btf/vmlinux).
#   dkms-btf.sh MODULE_DIR KERNELVER
dir=$1 kver=$2
if ! command -v pahole >/dev/null 2>&1; then
	echo "dkms-btf: no pahole (apt install dwarves): the modules have no BTF"
	exit 0
fi
if [ "$kver" != "$(uname -r)" ] || [ ! -r /sys/kernel/btf/vmlinux ]; then
	echo "dkms-btf: building for $kver while $(uname -r) runs: no BTF base for it, the" \
		"modules have no BTF (after booting $kver: dkms build --force)"
	exit 0
fi
for ko in $(find "$dir" -name '*.ko'); do
	LLVM_OBJCOPY=objcopy pahole -J --btf_base /sys/kernel/btf/vmlinux "$ko"
done
