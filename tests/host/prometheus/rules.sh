#!/usr/bin/env bash
# The alerting rules shipped in packaging/prometheus: promtool accepts them and
# their unit tests pass (each alert fires where it should, and only there). TAP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
rules=$here/../../../packaging/prometheus/vfiotop.rules.yml
out=$(promtool check rules "$rules" 2>&1)
if [ $? -eq 0 ]; then echo "ok 1 - rules: promtool check rules ($(echo "$out" | grep -o '[0-9]* rules found'))"
else echo "not ok 1 - rules: promtool check rules"; echo "$out" | sed 's/^/#   /'; fi
out=$(cd "$here" && promtool test rules vfiotop.rules.test.yml 2>&1)
rc=$?
tests=$(grep -c '^  - name:' "$here/vfiotop.rules.test.yml")
alerts=$(grep -c '^      - alert:' "$rules")
tested=$(grep -oE 'alertname: [A-Za-z]+' "$here/vfiotop.rules.test.yml" | sort -u | wc -l)
if [ $rc -eq 0 ] && echo "$out" | grep -q SUCCESS; then
	echo "ok 2 - rules: promtool test rules ($tests tests)"
else
	echo "not ok 2 - rules: promtool test rules"; echo "$out" | sed 's/^/#   /'
fi
[ "$tested" -eq "$alerts" ]
if [ $? -eq 0 ]; then echo "ok 3 - rules: every alert ($alerts) has a unit test"
else echo "not ok 3 - rules: every alert ($alerts) has a unit test (tested: $tested)"; fi
