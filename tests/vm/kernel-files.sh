# Where a kernel unpacked by fetch-kernel.sh keeps its files (sourced).
# bookworm: /boot/vmlinuz-VER and /lib/modules; trixie (merged /usr):
# /usr/lib/modules, with the 7.x kernel at /usr/lib/modules/VER/vmlinuz.
# Each prints nothing when there is no such file.

kernel_vmlinuz() { # kdir
	local f
	for f in "$1"/boot/vmlinuz-* "$1"/usr/lib/modules/*/vmlinuz; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	return 0
}

kernel_modules_dir() { # kdir: the folder holding kernel/
	local d
	for d in "$1"/lib/modules/*/kernel "$1"/usr/lib/modules/*/kernel; do
		[ -d "$d" ] && { echo "$d"; return 0; }
	done
	return 0
}
