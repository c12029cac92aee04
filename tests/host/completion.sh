#!/usr/bin/env bash
# The bash completion of vfiotop and vfiotopd, driven as bash would drive it
# (COMP_WORDS/COMP_CWORD), against the built programs. TAP.
#   completion.sh BUILD_DIR
set -u
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")/../.." && pwd)
PATH=$build:$PATH
# shellcheck source=/dev/null
. "$here/packaging/bash-completion/vfiotop"
n=0
expect() { # "want words" words...
	local want=$1 got
	shift
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	_vfiotop_complete
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//')
	n=$((n + 1))
	if [ "$got" = "$want" ]; then
		echo "ok $n - completion: '$*' -> $want"
	else
		echo "not ok $n - completion: '$*' -> $want"
		echo "#   got '$got'"
	fi
}
expect "--socket --sort" vfiotop --so
expect "--sort" vfiotop --sor
expect "FAULTS FLT/s" vfiotop --sort F
expect "report reports" vfiotop rep
expect "--listen" vfiotopd --li
expect "--pin-dir --pin-modules" vfiotopd --pin
expect "--help --socket -s" vfiotop reports -
expect "--memtype-faults" vfiotopd --mem
