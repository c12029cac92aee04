#!/usr/bin/env bash
# Pulls the uncompressed vmlinux ELF out of a bzImage (xz, zstd or gzip payload),
# like the kernel's scripts/extract-vmlinux, without needing linux-source.
#   extract-vmlinux.sh VMLINUZ OUT
set -euo pipefail
in=${1:?usage: extract-vmlinux.sh VMLINUZ OUT}
out=${2:?usage: extract-vmlinux.sh VMLINUZ OUT}

try() { # magic-as-grep-pattern decompressor...
	local magic=$1
	shift
	local off
	for off in $(LC_ALL=C grep -obUaP "$magic" "$in" | cut -d: -f1); do
		tail -c +$((off + 1)) "$in" | "$@" >"$out.tmp" 2>/dev/null || true
		if [ -s "$out.tmp" ] && [ "$(head -c 4 "$out.tmp" | od -An -c | tr -d ' ')" = '177ELF' ]; then
			mv "$out.tmp" "$out"
			return 0
		fi
	done
	rm -f "$out.tmp"
	return 1
}

try '\xfd7zXZ\x00' xz -dc ||
	try '\x28\xb5\x2f\xfd' zstd -dc ||
	try '\x1f\x8b\x08' gzip -dc ||
	{ echo "extract-vmlinux: no vmlinux payload found in $in" >&2; exit 1; }
