#!/usr/bin/env bash
# make bench's attach floor (tests/bench/attach-floor.c) on this host's own
# kernel: a BTF tracepoint every kernel has attaches; bogus hooks are named
# on stderr, counted in failed=, and do not stop the others; the one line's
# format. fentry/fexit/kprobe on a vmlinux function are skipped where this
# kernel refuses them (no kprobes, a locked-down trampoline). Needs root. TAP.
set -u
build=$1
floor=$build/attach-floor
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
n=0
ok() { # cond-exit-status name
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - attach-floor: $2"; else echo "not ok $n - attach-floor: $2"; fi
}
line_re='^ATTACH_FLOOR n=[0-9]+ btf_ms=[0-9.]+ load_ms=[0-9.]+ attach_ms=[0-9.]+ total_ms=[0-9.]+ failed=[0-9]+$'

if [ "$(id -u)" != 0 ] || [ ! -r /sys/kernel/btf/vmlinux ]; then
	echo "ok 1 - attach-floor: needs root and kernel BTF # SKIP"
	exit 0
fi

run() { # input-file: sets out, err, rc
	"$floor" "$1" >"$dir/out" 2>"$dir/err"
	rc=$? out=$(cat "$dir/out") err=$(cat "$dir/err")
}

echo 'tp_btf sched_switch vmlinux' >"$dir/tp"
run "$dir/tp"
[ "$rc" = 0 ] && [[ $out =~ $line_re ]] && [[ $out == *" n=1 "*"failed=0" ]] && [ -z "$err" ]
ok $? "tp_btf sched_switch attaches: exit 0, one line, failed=0 ($out${err:+; $err})"
echo 'tp_btf sched_switch vmlinux' | "$floor" >"$dir/out" 2>&1
[[ $(cat "$dir/out") == *" n=1 "*"failed=0" ]]
ok $? "reads stdin"

printf '%s\n' '# a comment, then a blank line' '' 'tp_btf sched_switch vmlinux' \
	'fentry no_such_function_vt vmlinux' 'tp_btf no_such_tracepoint_vt vmlinux' \
	'fentry vfs_read no_such_module_vt' 'uprobe vfs_read vmlinux' 'fentry' >"$dir/bad"
run "$dir/bad"
[ "$rc" = 1 ] && [[ $out =~ $line_re ]] && [[ $out == *" n=6 "*"failed=5" ]]
ok $? "5 bogus hooks of 6: exit 1, n=6 failed=5 ($out)"
for what in 'fentry no_such_function_vt vmlinux: BTF: no such function' \
	'tp_btf no_such_tracepoint_vt vmlinux: BTF: no such tracepoint' \
	'fentry vfs_read no_such_module_vt: BTF: no BTF for its module' \
	'uprobe vfs_read vmlinux: input: unknown mechanism' \
	'fentry ? ?: input: not "MECHANISM FUNCTION MODULE"'; do
	grep -qF "attach-floor: $what" "$dir/err"
	ok $? "says why: $what"
done
[ "$(grep -c . "$dir/err")" = 5 ]
ok $? "one stderr line per failed hook, none for the good one"

# --hold: attached, its line said, until SIGINT; then every link is gone
links() { bpftool link show 2>/dev/null | grep -c '^[0-9]*:'; }
before=$(links)
"$floor" --hold "$dir/tp" >"$dir/out" 2>"$dir/err" &
pid=$!
for _ in $(seq 100); do
	grep -q '^ATTACH_FLOOR' "$dir/out" && break
	sleep 0.05
done
held=$(links)
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" = 0 ] && [[ $(cat "$dir/out") =~ $line_re ]] && [ "$held" = $((before + 1)) ] &&
	[ "$(links)" = "$before" ]
ok $? "--hold: one link more while held ($before -> $held), none after SIGINT, exit $rc"

"$floor" "$dir/no-such-file" >/dev/null 2>&1
[ $? = 2 ]
ok $? "an unreadable input: exit 2"

# each mechanism on a vmlinux function every kernel has: refused by some kernels
for mech in fentry fexit kprobe kretprobe; do
	echo "$mech vfs_read vmlinux" >"$dir/m"
	run "$dir/m"
	if [ "$rc" = 0 ] && [[ $out == *" n=1 "*"failed=0" ]]; then
		ok 0 "$mech vfs_read attaches"
	elif [[ $err == *"Operation not permitted"* || $err == *"no kprobe PMU"* ]]; then
		echo "ok $((n += 1)) - attach-floor: $mech vfs_read # SKIP this kernel refuses it: ${err#*: }"
	else
		ok 1 "$mech vfs_read attaches ($out; $err)"
	fi
done
echo "1..$n"
