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
# what promtool does not check: every alert resolves (a test where it fires,
# then a later evaluation where it does not), reads no last-value or
# longest-ever gauge, has a severity, a summary, a description and an
# absolute runbook_url whose anchor is a heading of docs/alerts.md
python3 - "$rules" "$here/vfiotop.rules.test.yml" "$here/../../../docs/alerts.md" <<'PY'
import re, sys, yaml
rules = [r for g in yaml.safe_load(open(sys.argv[1]))["groups"] for r in g["rules"] if "alert" in r]
tests = yaml.safe_load(open(sys.argv[2]))["tests"]
anchors = {re.sub(r"[^a-z0-9 -]", "", h.strip().lower()).replace(" ", "-")
           for h in re.findall(r"^## (.*)$", open(sys.argv[3]).read(), re.M)}
BASE = "https://github.com/vfiotop/vfiotop/blob/main/docs/alerts.md#"
n = 3

def ok(cond, name, detail=""):
    global n
    n += 1
    print(f"{'ok' if cond else 'not ok'} {n} - rules: {name}")
    if not cond and detail:
        print(f"#   {detail}")

def fires_then_resolves(alert):
    for t in tests:
        evals = sorted((int(re.sub(r"\D", "", e["eval_time"])) * {"m": 1, "h": 60}[e["eval_time"][-1]],
                        bool(e.get("exp_alerts"))) for e in t.get("alert_rule_test", [])
                       if e["alertname"] == alert)
        fired = [tm for tm, f in evals if f]
        if fired and any(tm > fired[0] and not f for tm, f in evals):
            return True
    return False

gauges = re.compile(r"vfiotop_\w*_(last|max)_seconds\b|vfiotop_reset_last_\w+")
severities = {"info", "warning", "critical"}
for r in rules:
    a, ann = r["alert"], r.get("annotations", {})
    ok(fires_then_resolves(a), f"{a} fires and resolves in a test")
    ok(not gauges.search(r["expr"]), f"{a} reads no last-value or longest-ever gauge",
       gauges.search(r["expr"]) and gauges.search(r["expr"]).group(0))
    url = ann.get("runbook_url", "")
    ok(r.get("labels", {}).get("severity") in severities and ann.get("summary") and
       ann.get("description") and url.startswith(BASE) and url[len(BASE):] in anchors,
       f"{a}: severity, summary, description, runbook_url {url or 'missing'}")
ok(any(r.get("labels", {}).get("severity") == "critical" for r in rules),
   "some alerts are critical (a VM's device broken)")
PY
