#!/usr/bin/env bash
# Builds the guest's initramfs: busybox, the kernel's vfio modules, vfiotop's
# binaries with the host libraries ldd lists (same paths), the guest init and
# one scenario script.
#   mkinitramfs.sh OUT.cpio.gz KERNEL_DIR BUILD_DIR SCENARIO.sh
set -euo pipefail
out=$1 kdir=$2 build=$3 scenario=$4
here=$(cd "$(dirname "$0")" && pwd)

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
# VFIOTOP_ROOTFS (fetch-rootfs.sh): a Debian root with systemd under everything
# below; busybox's applets then go to /vt/bin, first in the scenario's PATH
appdir=bin
if [ -n "${VFIOTOP_ROOTFS:-}" ]; then
	tar -xf "$VFIOTOP_ROOTFS" -C "$root"
	appdir=vt/bin
fi
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,run,modules,usr/bin,usr/sbin,results,vt/bin}

cp /bin/busybox "$root/$appdir/busybox"
for app in sh mount umount insmod mkdir cat echo sleep ls ln grep sed awk readlink \
	basename dirname poweroff kill ps stty seq rm touch date head tail wc tr cut printf \
	find mknod chmod dmesg sync timeout wait test true false expr env hexdump od xargs \
	rmmod wget nc ip hostname; do
	ln -sf busybox "$root/$appdir/$app"
done

# modules in load order; Debian ships them plain (6.1) or xz-compressed (6.12+)
. "$here/kernel-files.sh"
mods=$(kernel_modules_dir "$kdir")
n=0
# vfio_pci_trace: only the patched modules (VFIOTOP_MODULES) have it
for m in irqbypass vfio_virqfd vfio vfio_iommu_type1 vfio_pci_trace vfio-pci-core vfio-pci; do
	f=$(find "$mods" ${VFIOTOP_MODULES:+"$VFIOTOP_MODULES"} \( -name "$m.ko" -o -name "$m.ko.xz" \) |
		head -n1)
	[ -n "$f" ] || continue
	n=$((n + 1))
	case "$f" in
	*.xz) xz -dc "$f" >"$root/modules/$(printf %02d "$n")-$m.ko" ;;
	*) cp "$f" "$root/modules/$(printf %02d "$n")-$m.ko" ;;
	esac
done
# a NIC for the live session (boot.sh VFIOTOP_HOSTFWD), loaded only there
mkdir -p "$root/net-modules"
f=$(find "$mods" \( -name e1000.ko -o -name e1000.ko.xz \) | head -n1)
case "$f" in
*.xz) xz -dc "$f" >"$root/net-modules/e1000.ko" ;;
?*) cp "$f" "$root/net-modules/e1000.ko" ;;
esac
# KVM, for irq-bypass: an irqfd on a vfio vector's eventfd connects the two.
# TCG's AMD CPU model has SVM, so kvm-amd loads in the guest (ccp first).
mkdir -p "$root/kvm-modules"
for m in ccp kvm kvm-amd; do
	f=$(find "$mods" \( -name "$m.ko" -o -name "$m.ko.xz" \) | head -n1)
	case "$f" in
	*.xz) xz -dc "$f" >"$root/kvm-modules/$m.ko" ;;
	?*) cp "$f" "$root/kvm-modules/$m.ko" ;;
	esac
done
# an override dir (make kernel) replaces stock modules of the same name
if [ -n "${VFIOTOP_MODULES:-}" ]; then
	for f in "$VFIOTOP_MODULES"/*.ko; do
		b=$(basename "$f" .ko)
		for g in "$root"/modules/*-"$b".ko; do cp "$f" "$g"; done
	done
fi

# socat bridges the daemon's unix socket to a forwarded port (make check's live session)
bins=("$build/vfiotopd" "$build/vfiotop" "$build/workload" "$build/loadclient"
	"$(command -v socat)")
# make bench adds its observers (bpftrace) and their scripts
for b in ${VFIOTOP_EXTRA_BINS:-}; do
	bins+=("$b")
done
cp "${bins[@]}" "$root/usr/bin/"
if [ -n "${VFIOTOP_BENCH_DIR:-}" ]; then
	mkdir -p "$root/bench"
	cp "$VFIOTOP_BENCH_DIR"/*.bt "$root/bench/"
fi
# bpftool lets a scenario check that no BPF link outlives the daemon
bpftool=$(command -v bpftool || echo /usr/sbin/bpftool)
cp "$bpftool" "$root/usr/sbin/bpftool"
for lib in $(ldd "${bins[@]}" "$bpftool" 2>/dev/null | grep -oE '/[^ ]+\.so[^ ]*' | sort -u); do
	mkdir -p "$root$(dirname "$lib")"
	# a root from fetch-rootfs.sh may hold an absolute symlink here: never write through it
	rm -f "$root$lib"
	cp -L "$lib" "$root$lib"
done

if [ -n "${VFIOTOP_ROOTFS:-}" ]; then
	# systemd runs the scenario as a service; the packaged unit is installed as
	# make install would, pointing at the binaries in /usr/bin
	install -m 0755 "$here/guest/run-scenario" "$root/vt/run-scenario"
	install -m 0644 "$here/guest/vfiotop-scenario.service" "$root/etc/systemd/system/"
	mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
	ln -sf ../vfiotop-scenario.service "$root/etc/systemd/system/multi-user.target.wants/"
	if [ -n "${VFIOTOP_DEB:-}" ]; then
		# the scenario installs it with apt: its unit, its binaries in /usr/sbin
		cp "$VFIOTOP_DEB" "$root/vt/vfiotop.deb"
	else
		sed 's|@SBINDIR@|/usr/bin|' "$here/../../packaging/vfiotopd.service" \
			>"$root/usr/lib/systemd/system/vfiotopd.service"
		echo 'VFIOTOPD_OPTS="-v"' >"$root/etc/default/vfiotopd"
	fi
	: >"$root/etc/machine-id"
	if [ -n "${VFIOTOP_TLS_DIR:-}" ]; then
		# the remote scrape's certificate, key and web.yml (run-tests.sh make_tls)
		mkdir -p "$root/vt/tls"
		cp "$VFIOTOP_TLS_DIR"/vfiotopd.crt "$VFIOTOP_TLS_DIR"/vfiotopd.key \
			"$VFIOTOP_TLS_DIR"/web.yml "$root/vt/tls/"
	fi
fi
cp "$here/guest/init" "$root/init"
cp "$here/guest/lib.sh" "$root/lib.sh"
cp "$scenario" "$root/scenario.sh"
chmod +x "$root/init"

(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out"
