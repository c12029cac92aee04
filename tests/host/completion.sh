#!/usr/bin/env bash
# The bash completion of vfiotop and vfiotopd, driven as bash would drive it
# (COMP_WORDS/COMP_CWORD), against the built programs: every option it offers
# is one of the program's own parser (its long option table, listed by
# list-options.c), every one of those is offered, and file arguments complete
# files (folders for the folder options). TAP.
#   completion.sh BUILD_DIR
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
make -s -C "$here" O="${1:-build}" "${1:-build}/tests/list-options" >/dev/null 2>&1
build=$(cd "${1:-build}" && pwd)
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
expect "release" vfiotop rel
expect "--help --socket -s" vfiotop release -
expect "--listen" vfiotopd --li
expect "--pin-dir --pin-modules" vfiotopd --pin
expect "--help --socket -s" vfiotop reports -
expect "--memtype-faults" vfiotopd --mem

# what it offers for "--", against the parser's table: none it would reject,
# none left out
for prog in vfiotopd vfiotop; do
	table=$("$build/tests/list-options" $prog 2>/dev/null | sort | tr '\n' ' ')
	COMP_WORDS=("$prog" --)
	COMP_CWORD=1
	_vfiotop_complete
	offered=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
	extra=$(comm -23 <(echo "$offered" | tr ' ' '\n' | sed '/^$/d') <(echo "$table" | tr ' ' '\n' | sed '/^$/d') | tr '\n' ' ')
	missing=$(comm -13 <(echo "$offered" | tr ' ' '\n' | sed '/^$/d') <(echo "$table" | tr ' ' '\n' | sed '/^$/d') | tr '\n' ' ')
	n=$((n + 1))
	if [ -n "$table" ] && [ -z "$extra" ]; then
		echo "ok $n - completion: $prog offers only options its parser takes"
	else
		echo "not ok $n - completion: $prog offers only options its parser takes"
		echo "#   offered but not in its option table: ${extra:-(no table)}"
	fi
	n=$((n + 1))
	if [ -n "$table" ] && [ -z "$missing" ]; then
		echo "ok $n - completion: $prog offers every option of its parser"
	else
		echo "not ok $n - completion: $prog offers every option of its parser"
		echo "#   not offered: ${missing:-(no table)}"
	fi
done
# file arguments: files, and only folders where a folder is wanted
files=$(mktemp -d)
trap 'rm -rf "$files"' EXIT
mkdir "$files/dir"
touch "$files/web.yml" "$files/lines.jsonl" "$files/r1.json" "$files/notes.txt"
expect "$files/web.yml" vfiotopd --web-config "$files/we"
expect "$files/lines.jsonl" vfiotopd --json-lines "$files/li"
expect "$files/dir" vfiotopd --pin-dir "$files/"
expect "$files/dir" vfiotopd --report-dir "$files/"
expect "$files/dir $files/lines.jsonl $files/notes.txt $files/r1.json $files/web.yml" vfiotop -s "$files/"
expect "$files/dir $files/r1.json" vfiotop report "$files/"
expect "$files/dir" vfiotop reports "$files/"
