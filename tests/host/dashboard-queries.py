#!/usr/bin/env python3
"""The Grafana dashboard (packaging/grafana/vfiotop-dashboard.json): its
structure; that no query adds hosts together (every aggregation keeps
`instance`); with --two-hosts, every query run against a Prometheus of its
own whose TSDB holds two hosts with the same device at different rates,
each of which must come back per host; with --prometheus, every query run
against a real Prometheus scraping a real vfiotopd (make check's live
session). TAP.

  dashboard-queries.py DASHBOARD [--label L] [--prometheus http://HOST:PORT | --two-hosts]
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
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


def substitute(expr, variables=VARIABLES):
    for k in sorted(variables, key=len, reverse=True):
        expr = expr.replace(k, variables[k])
    return expr


AGGREGATION = re.compile(r"\b(sum|avg|min|max|count|group|stddev|stdvar|topk|bottomk|quantile|"
                         r"count_values)\b\s*(by|without)?\s*(\(([^()]*)\))?")


def adds_hosts(expr):
    """The aggregations of expr that would add hosts together: no by(), a
    by() without instance, a without() with it. [] when every one keeps it."""
    bad = []
    for m in AGGREGATION.finditer(expr):
        kind, labels = m.group(2), [x.strip() for x in (m.group(4) or "").split(",")]
        if kind == "by" and "instance" in labels:
            continue
        if kind == "without" and "instance" not in labels:
            continue
        bad.append(m.group(0).strip())
    return bad


# Families a daemon has only with an option: live (--prometheus), a query on
# one must be accepted, its data may be absent.
OPTION_FAMILIES = {"vfiotop_irq_wait_duration_seconds": "--irq-waits"}


# --two-hosts: what the TSDB holds. Two hosts with the same device address
# (the case that showed as one device at 26/s), their counters growing at
# 10/s and 16/s: every per-device query must return both, apart.
HOSTS = {"a:10230": 10, "b:10230": 16}
BDF = "0000:01:00.0"
# labels beyond the device's for the families that have them; value: a
# counter's rate factor, or a gauge's value (None: the host's rate)
FAMILIES = {
    "up": ("gauge", False, [({"job": "vfiotop"}, 1)]),
    "vfiotop_build_info": ("gauge", False, [({"version": "0.13.0", "schema_version": "1"}, 1)]),
    "vfiotop_daemon_attached": ("gauge", False, [({}, 1)]),
    "vfiotop_scrape_collect_seconds": ("gauge", False, [({}, 0.002)]),
    "vfiotop_hook_attached": ("gauge", False, [({"function": "vfio_pci_mmap_fault", "mechanism": "kprobe", "module": ""}, 0),
                                               ({"function": "vfio_pci_core_mmap", "mechanism": "kprobe", "module": "vfio_pci_core"}, 1)]),
    "vfiotop_lost_events_total": ("counter", False, [({"cause": "ringbuf_full"}, 0.01)]),
    "vfiotop_stall_reports_total": ("counter", False, [({}, 0.001)]),
    "vfiotop_dma_errors_total": ("counter", False, [({"errno": "ENOSPC"}, 0.01), ({"errno": "EFAULT"}, 0.02)]),
    "process_cpu_seconds_total": ("counter", False, [({}, 0.001)]),
    "process_resident_memory_bytes": ("gauge", False, [({}, 13e6)]),
    "vfiotop_device_info": ("gauge", True, [({"driver": "vfio-pci"}, 1)]),
    "vfiotop_device_up": ("gauge", True, [({}, 1)]),
    "vfiotop_device_processes": ("gauge", True, [({}, 1)]),
    "vfiotop_device_vm_info": ("gauge", True, [({"vm": "gpu-vm-01", "source": "libvirt"}, 1)]),
    "vfiotop_faults_total": ("counter", True, [({"origin": "user"}, 1), ({"origin": "dma_map"}, 0.5)]),
    "vfiotop_fault_duration_seconds_bucket": ("counter", True, [({"le": "1.024e-06"}, 0.2), ({"le": "2.048e-06"}, 0.9),
                                                               ({"le": "4.096e-06"}, 1), ({"le": "+Inf"}, 1)]),
    "vfiotop_irq_wait_duration_seconds_bucket": ("counter", True, [({"le": "1.6384e-05"}, 0.5), ({"le": "0.004194304"}, 0.9),
                                                                  ({"le": "+Inf"}, 1)]),
    "vfiotop_mapped_pages_total": ("counter", True, [({"size": "4k"}, 1), ({"size": "2m"}, 0.1)]),
    "vfiotop_zaps_total": ("counter", True, [({"reason": "mem_disable"}, 0.1)]),
    "vfiotop_resets_total": ("counter", True, [({"origin": "reset"}, 0.1)]),
    "vfiotop_power_state": ("gauge", True, [({"state": "D0"}, 1), ({"state": "D3hot"}, 0)]),
    "vfiotop_power_transitions_total": ("counter", True, [({"state": "D3hot"}, 0.05)]),
    "vfiotop_dmabufs": ("gauge", True, [({}, None)]),
}


def openmetrics(families, end, minutes=60, step=15):
    """Every family of the dashboard's queries, for both hosts, `minutes` of
    samples every `step` seconds up to `end`."""
    out = []
    for name in sorted(families):
        kind, per_device, series = FAMILIES.get(name, ("counter" if name.endswith(("_total", "_bucket"))
                                                        else "gauge", True, [({}, 1)]))
        base = name[:-len("_total")] if kind == "counter" and name.endswith("_total") else name
        if name.endswith("_bucket"):
            base, kind = name[:-len("_bucket")], "histogram"
        out.append(f"# TYPE {base} {kind}")
        for host, rate in HOSTS.items():
            for labels, v in series:
                lab = {"instance": host, "job": "vfiotop", **({"bdf": BDF} if per_device else {}), **labels}
                text = ",".join(f'{k}="{x}"' for k, x in lab.items())
                for t in range(end - minutes * 60, end + 1, step):
                    elapsed = t - (end - minutes * 60)
                    value = (rate * v * elapsed if kind != "gauge" else (rate if v is None else v))
                    out.append(f"{name}{{{text}}} {value} {t}")
    out.append("# EOF")
    return "\n".join(out) + "\n"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def two_hosts_prometheus(qs, workdir):
    """A Prometheus serving a TSDB backfilled with HOSTS; (url, end time, process)."""
    names = set()
    for _, q in qs:
        names |= set(re.findall(r"\b((?:vfiotop|process)_\w+|up)\{", q))
    end = int(time.time()) // 60 * 60 - 120
    om = os.path.join(workdir, "two-hosts.om")
    with open(om, "w") as f:
        f.write(openmetrics(names, end))
    data = os.path.join(workdir, "data")
    subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", om, data],
                   check=True, capture_output=True)
    conf = os.path.join(workdir, "prometheus.yml")
    with open(conf, "w") as f:
        f.write("global: {}\n")
    port = free_port()
    proc = subprocess.Popen(["prometheus", f"--config.file={conf}", f"--storage.tsdb.path={data}",
                             f"--web.listen-address=127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(workdir, "log"), "w"))
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/-/ready", timeout=2)
            break
        except Exception:
            time.sleep(0.1)
    return url, end, proc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dashboard")
    ap.add_argument("--label", default="dashboard")
    ap.add_argument("--prometheus")
    ap.add_argument("--two-hosts", action="store_true")
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
    panel_qs = [(w, q) for w, q in qs if not w.startswith("variable")]
    ok(all(not adds_hosts(q) for _, q in panel_qs),
       "no query adds hosts together: every aggregation keeps instance in its by()",
       [f"{w}: {adds_hosts(q)}" for w, q in panel_qs if adds_hosts(q)])
    if a.two_hosts:
        two_hosts(a, qs, ok)
        return
    if not a.prometheus:
        return
    for where, q in qs:
        url = a.prometheus + "/api/v1/query?" + urllib.parse.urlencode({"query": substitute(q)})
        try:
            r = json.load(urllib.request.urlopen(url, timeout=10))
            res = r.get("data", {}).get("result", [])
            option = next((o for f, o in OPTION_FAMILIES.items() if f in q), None)
            good = r.get("status") == "success" and (len(res) > 0 or option is not None)
            detail = r.get("error") or f"{len(res)} series" + \
                (f" (the family needs vfiotopd {option})" if option and not res else "")
        except Exception as e:  # an HTTP 400 is a query Prometheus refused
            good, detail = False, e
        ok(good, f"{where} returns data: {q}", detail)


def two_hosts(a, qs, ok):
    """Every query against two hosts with the same device: data for both, apart."""
    if not shutil.which("prometheus") or not shutil.which("promtool"):
        ok(False, "two hosts: prometheus and promtool installed (scripts/deps.sh)")
        return
    workdir = tempfile.mkdtemp(prefix="vfiotop-dash-")
    # a 15 s step as a default scrape interval, where Grafana's $__rate_interval is 1m
    variables = dict(VARIABLES, **{"$__rate_interval": "1m", "$__range": "1h"})
    proc = None
    try:
        url, end, proc = two_hosts_prometheus(qs, workdir)
        for where, q in qs:
            query = substitute(q, variables)
            if where.startswith("variable"):
                query = f"count by (instance) ({query})" if "vfiotop_device_info" not in query \
                    else f"count by (instance, bdf) ({query})"
            try:
                r = json.load(urllib.request.urlopen(url + "/api/v1/query?" + urllib.parse.urlencode(
                    {"query": query, "time": end}), timeout=10))
                res = r.get("data", {}).get("result", [])
                hosts = sorted({x["metric"].get("instance", "") for x in res})
                good = r.get("status") == "success" and hosts == sorted(HOSTS)
                detail = r.get("error") or f"{len(res)} series, instances {hosts}"
            except Exception as e:
                good, detail = False, e
            ok(good, f"two hosts: {where} returns both hosts apart", detail)
        # the case of the issue: a's 10/s and b's 16/s, not one device at 26/s
        q = [q for w, q in qs if "Fault rate by origin" in w][0]
        r = json.load(urllib.request.urlopen(url + "/api/v1/query?" + urllib.parse.urlencode(
            {"query": substitute(q, variables) .replace("rate(vfiotop_faults_total{", 'rate(vfiotop_faults_total{origin="user",'),
             "time": end}), timeout=10))
        rates = {x["metric"].get("instance", "(none)"): round(float(x["value"][1]), 3) for x in r["data"]["result"]}
        ok(rates == {"a:10230": 10.0, "b:10230": 16.0},
           f"two hosts: {BDF}'s user faults are 10/s on a and 16/s on b, not 26/s on one", rates)
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
