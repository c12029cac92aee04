#!/usr/bin/env bash
# make deb: the package builds with dpkg-buildpackage, lintian has nothing to
# say (info included, overrides explained in debian/vfiotop.lintian-overrides),
# and it holds what make install installs, /etc/default/vfiotopd as a conffile.
# The systemd VM boot installs it with apt (tests/vm/guest/lib.sh). TAP.
#   deb.sh BUILD_DIR
set -u
build=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
n=0
ok() { # status name
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - deb: $2"; else echo "not ok $n - deb: $2"; fi
}
deb=$(bash "$here/packaging/build-deb.sh" "$build" 2>"$build/deb.err" | tail -n1)
[ -f "$deb" ]
ok $? "dpkg-buildpackage builds $(basename "${deb:-none}"), lintian clean"
sed 's/^/#   /' "$build/deb.err" | tail -n 20
for f in ./usr/sbin/vfiotopd ./usr/sbin/vfiotop ./lib/systemd/system/vfiotopd.service \
	./etc/default/vfiotopd ./usr/share/man/man8/vfiotopd.8.gz ./usr/share/man/man8/vfiotop.8.gz \
	./usr/share/bash-completion/completions/vfiotop ./usr/share/vfiotop/grafana/vfiotop-dashboard.json \
	./usr/share/vfiotop/prometheus/vfiotop.rules.yml; do
	dpkg -c "$deb" 2>/dev/null | awk '{print $6}' | grep -qx "$f"
	ok $? "the package holds ${f#.}"
done
dpkg-deb -e "$deb" "$build/deb/control" 2>/dev/null && grep -qx /etc/default/vfiotopd "$build/deb/control/conffiles"
ok $? "/etc/default/vfiotopd is a conffile"
grep -q 'ExecStart=/usr/sbin/vfiotopd ' <(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./lib/systemd/system/vfiotopd.service)
ok $? "the packaged unit starts /usr/sbin/vfiotopd"
# vfiotopd names devices through libpci: shlibs must bring libpci3 (and with it pci.ids)
dpkg-deb -f "$deb" Depends 2>/dev/null | grep -q 'libpci3'
ok $? "the package depends on libpci3 (device names from pci.ids): $(dpkg-deb -f "$deb" Depends 2>/dev/null | grep -o 'libpci3[^,]*')"
