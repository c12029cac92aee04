#!/bin/sh
# DKMS post-build: module BTF against the running kernel's, so that BPF tools
# (vfiotop) can attach to the patched modules. Skipped without pahole.
command -v pahole >/dev/null 2>&1 || { echo "dkms-btf: no pahole (apt install dwarves): modules have no BTF"; exit 0; }
[ -r /sys/kernel/btf/vmlinux ] || exit 0
for ko in $(find "$1" -name '*.ko'); do
	LLVM_OBJCOPY=objcopy pahole -J --btf_base /sys/kernel/btf/vmlinux "$ko"
done
