#!/usr/bin/env python3
"""The Grafana dashboard (packaging/grafana/vfiotop-dashboard.json): its
structure, and every query in it run against a real Prometheus scraping a real
vfiotopd (make check's live session). TAP.

  dashboard-queries.py DASHBOARD [--label L] [--prometheus http://HOST:PORT]
Without --prometheus only the structure is checked.
"""
import argparse
import json
import re
import urllib.parse
import urllib.request

# what Grafana substitutes, with the values "All" and a short range have
VARIABLES = {"$instance": ".*", "$bdf": ".*", "$job": "vfiotop",
             "$__rate_interval": "15s", "$__range": "1h"}


def queries(dash):
    """(where, promql) for every panel target and every query variable."""
    out = []
    for p in dash["panels"]:
        for t in p.get("targets", []):
            out.append((f"panel '{p['title']}' {t['refId']}", t["expr"]))
    for v in dash["templating"]["list"]:
        if v["type"] == "query":
            m = re.match(r"label_values\((.*),\s*(\w+)\)$", v["definition"])
            out.append((f"variable ${v['name']}", m.group(1) if m else v["definition"]))
    return out


def substitute(expr):
    for k in sorted(VARIABLES, key=len, reverse=True):
        expr = expr.replace(k, VARIABLES[k])
    return expr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dashboard")
    ap.add_argument("--label", default="dashboard")
    ap.add_argument("--prometheus")
    a = ap.parse_args()
    n = 0

    def ok(cond, name, detail=""):
        nonlocal n
        n += 1
        print(f"{'ok' if cond else 'not ok'} {n} - {a.label}: {name}")
        if not cond and detail:
            print("#   " + str(detail)[:500])

    dash = json.load(open(a.dashboard))
    ids = [p["id"] for p in dash["panels"]]
    ok(len(ids) == len(set(ids)), f"{len(ids)} panels, unique ids")
    ok(all(p["type"] == "row" or p["datasource"]["uid"] == "${datasource}" for p in dash["panels"]),
       "every panel reads the chosen Prometheus ($datasource)")
    qs = queries(dash)
    ok(all("$" not in substitute(q) for _, q in qs), f"{len(qs)} queries use only known variables",
       [q for _, q in qs if "$" in substitute(q)])
    if not a.prometheus:
        return
    for where, q in qs:
        url = a.prometheus + "/api/v1/query?" + urllib.parse.urlencode({"query": substitute(q)})
        try:
            r = json.load(urllib.request.urlopen(url, timeout=10))
            res = r.get("data", {}).get("result", [])
            good = r.get("status") == "success" and len(res) > 0
            detail = r.get("error") or f"{len(res)} series"
        except Exception as e:  # an HTTP 400 is a query Prometheus refused
            good, detail = False, e
        ok(good, f"{where} returns data: {q}", detail)


if __name__ == "__main__":
    main()
