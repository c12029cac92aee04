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
# the binaries inside the package: unpacked, not installed
x=$build/deb/unpacked
rm -rf "$x"
dpkg-deb -x "$deb" "$x" 2>/dev/null
upstream=$(dpkg-parsechangelog -l "$here/debian/changelog" -S Version | sed 's/-[^-]*$//')
[ "$("$x/usr/sbin/vfiotopd" --version 2>&1)" = "vfiotopd $upstream" ]
ok $? "the packaged vfiotopd --version says 'vfiotopd $upstream' ($("$x/usr/sbin/vfiotopd" --version 2>&1))"
[ "$("$x/usr/sbin/vfiotop" --version 2>&1)" = "vfiotop $upstream" ]
ok $? "the packaged vfiotop --version says 'vfiotop $upstream' ($("$x/usr/sbin/vfiotop" --version 2>&1))"
# build_info as Prometheus sees it, from the packaged daemon (no vfio needed)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$x/usr/sbin/vfiotopd" -s "$x/sock" --no-pin --no-reports --listen "$port" >"$x/log" 2>&1 &
dpid=$!
info=
for _ in $(seq 50); do
	info=$(curl -sf "http://127.0.0.1:$port/metrics" 2>/dev/null | grep '^vfiotop_build_info{') && break
	sleep 0.1
done
kill -TERM $dpid 2>/dev/null
wait $dpid 2>/dev/null
echo "$info" | grep -q "version=\"$upstream\""
ok $? "the packaged daemon's vfiotop_build_info has version=\"$upstream\" (${info:-no answer})"
for f in operating.md metrics.md json.md alerts.md stalls.md bad-input.md vfiotop.schema.json; do
	[ -s "$x/usr/share/doc/vfiotop/$f" ]
	ok $? "the package holds /usr/share/doc/vfiotop/$f"
done
zcat "$x/usr/share/man/man8/vfiotopd.8.gz" | grep -q '/usr/share/doc/vfiotop/' &&
	zcat "$x/usr/share/man/man8/vfiotop.8.gz" | grep -q '/usr/share/doc/vfiotop/json.md'
ok $? "the packaged man pages point to /usr/share/doc/vfiotop"
homepage=$(sed -n 's/^Homepage: *//p' "$here/debian/control")
[ -z "$homepage" ] || ! echo "$homepage" | grep -qE '//(www\.)?example\.(org|com|net)'
ok $? "debian/control's Homepage is a real one or none (${homepage:-none})"
