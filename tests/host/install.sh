#!/usr/bin/env bash
# make install into a DESTDIR: binaries, man pages and the systemd unit land
# where PREFIX says, the installed binaries run, the man pages format without
# warnings, and the unit names the installed daemon. TAP.
set -u
build=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
n=0
ok() { # status name
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - install: $2"; else echo "not ok $n - install: $2"; fi
}
make -s -C "$here" O="$build" install DESTDIR="$dest" PREFIX=/usr >/dev/null 2>&1
ok $? "make install DESTDIR=... PREFIX=/usr"
for f in usr/sbin/vfiotopd usr/sbin/vfiotop usr/share/man/man8/vfiotopd.8 \
	usr/share/man/man8/vfiotop.8 usr/lib/systemd/system/vfiotopd.service \
	usr/share/bash-completion/completions/vfiotop usr/share/bash-completion/completions/vfiotopd \
	usr/share/vfiotop/prometheus/vfiotop.rules.yml usr/share/vfiotop/grafana/vfiotop-dashboard.json; do
	[ -f "$dest/$f" ]
	ok $? "/$f installed"
done
for f in operating.md metrics.md json.md alerts.md stalls.md bad-input.md vfiotop.schema.json; do
	[ -s "$dest/usr/share/doc/vfiotop/$f" ]
	ok $? "/usr/share/doc/vfiotop/$f installed"
done
grep -q '/usr/share/doc/vfiotop/' "$dest/usr/share/man/man8/vfiotopd.8" &&
	grep -q '/usr/share/doc/vfiotop/json.md' "$dest/usr/share/man/man8/vfiotop.8" &&
	! grep -q '@DOCDIR@' "$dest"/usr/share/man/man8/*.8
ok $? "the man pages name the installed docs"
# the modprobe.d rule where kmod reads it, naming the installed vfiotop
rule="$dest/lib/modprobe.d/vfiotop.conf"
grep -q '^remove vfio_pci /usr/sbin/vfiotop release ' "$rule" && ! grep -q '@[A-Z]*@' "$rule"
ok $? "/lib/modprobe.d/vfiotop.conf has vfio_pci's remove rule, naming /usr/sbin/vfiotop"
# every @VAR@ of the unit replaced, even a second one on a line
unit="$dest/usr/lib/systemd/system/vfiotopd.service"
grep -q '^Documentation=.*file:/usr/share/doc/vfiotop/operating.md' "$unit" &&
	! grep -q '@[A-Z]*@' "$unit"
ok $? "the unit names the installed docs, no @VAR@ left"
ver=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$here/debian/changelog")
"$dest/usr/sbin/vfiotopd" --version | grep -q "^vfiotopd $ver"
ok $? "installed vfiotopd --version starts with debian/changelog's $ver"
"$dest/usr/sbin/vfiotop" --version | grep -q "^vfiotop $ver"
ok $? "installed vfiotop --version starts with debian/changelog's $ver"
"$dest/usr/sbin/vfiotop" --help | grep -q -- '--json'
ok $? "installed vfiotop --help"
for m in vfiotopd vfiotop; do
	out=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$dest/usr/share/man/man8/$m.8" 2>&1)
	[ -z "$out" ]
	ok $? "$m(8) formats without warnings"
done
grep -q '^ExecStart=/usr/sbin/vfiotopd --listen 127.0.0.1:10230 $VFIOTOPD_OPTS$' \
	"$dest/usr/lib/systemd/system/vfiotopd.service"
ok $? "the unit starts the installed daemon, metrics on loopback"
unit=$dest/usr/lib/systemd/system/vfiotopd.service
if command -v systemd-analyze >/dev/null; then
	# the binary path must exist where the unit says: check a copy pointing into DESTDIR
	sed "s|/usr/sbin/vfiotopd|$dest/usr/sbin/vfiotopd|" "$unit" >"$dest/vfiotopd.service"
	systemd-analyze verify --man=no "$dest/vfiotopd.service" >"$dest/verify.log" 2>&1
	ok $? "systemd-analyze verify accepts the unit"
	sed 's/^/#   /' "$dest/verify.log"
fi
# /etc/default/vfiotopd: every path it names for vfiotopd to write (examples
# and comments alike) lies where the unit lets it write, and every example
# command line parses (a --version after it only answers once all before it did)
default=$here/packaging/vfiotopd.default
writable=$(sed -n 's/^LogsDirectory=/\/var\/log\//p; s/^StateDirectory=/\/var\/lib\//p;
	s/^RuntimeDirectory=/\/run\//p; s/^ReadWritePaths=-\{0,1\}//p' "$unit" | tr ' ' '\n')
bad_paths=
while read -r path; do
	under=no
	for w in $writable; do
		case "$path/" in "${w%/}"/*) under=yes ;; esac
	done
	[ $under = yes ] || bad_paths="$bad_paths $path"
done < <(grep -oE -- '--(json-lines|report-dir|socket|pin-dir)[ =][^ ",]+' "$default" | sed 's/^[^ =]*[ =]//')
[ -z "$bad_paths" ] && [ -n "$writable" ]
ok $? "/etc/default/vfiotopd writes only where the unit may ($(echo $writable))${bad_paths:+: not$bad_paths}"
examples=0 bad_examples=
while read -r opts; do
	examples=$((examples + 1))
	# shellcheck disable=SC2086
	"$dest/usr/sbin/vfiotopd" $opts --version >/dev/null 2>&1 || bad_examples="$bad_examples [$opts]"
done < <(sed -n 's/^#VFIOTOPD_OPTS="\(.*\)"$/\1/p' "$default")
[ $examples -gt 0 ] && [ -z "$bad_examples" ]
ok $? "/etc/default/vfiotopd: its $examples examples parse${bad_examples:+; not:$bad_examples}"
if systemd-analyze security --help 2>/dev/null | grep -q -- --offline; then
	# the exposure systemd 252 gives the shipped unit (3.4: docs in the unit say
	# why each remaining point stays); a change that loosens it fails here
	score=$(systemd-analyze security --offline=yes "$dest/vfiotopd.service" 2>/dev/null |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	awk -v s="${score:-99}" 'BEGIN { exit !(s <= 3.4) }'
	ok $? "systemd-analyze security --offline=yes: exposure ${score:-?} <= 3.4"
fi
