"""/metrics, /json and --json-lines of the default (fentry) daemon."""
import json
import re
import subprocess

from .results import device, get


def metric_sums(text, bdf):
    """{family: sum of its samples for this device} from Prometheus text."""
    sums = {}
    for line in (text or "").splitlines():
        m = re.match(r'^(\w+)\{([^}]*)\} (\S+)$', line)
        if m and f'bdf="{bdf}"' in m.group(2):
            sums[m.group(1)] = sums.get(m.group(1), 0) + float(m.group(3))
    return sums


def check_exporters(t, blocks, bdf, dev):
    """/metrics, /json and --json-lines of the daemon that counted workload e."""
    text = blocks.get(("metrics", "pinned")) or ""
    p = subprocess.run(["promtool", "check", "metrics"], input=text + "\n", capture_output=True,
                       text=True)
    t.ok(p.returncode == 0 and "vfiotop_faults_total" in text, "/metrics: promtool check metrics",
         (p.stdout + p.stderr + text[:300])[-1500:])
    sums = metric_sums(text, bdf)
    for family, field in (("vfiotop_faults_total", "faults.count"),
                          ("vfiotop_zaps_total", "zaps.count"),
                          ("vfiotop_resets_total", "resets.count"),
                          ("vfiotop_fault_duration_seconds_count", "faults.count"),
                          ("vfiotop_mmaps_total", "mmaps.count"),
                          ("vfiotop_mmap_failures_total", "mmaps.failed")):
        t.eq(sums.get(family), float(get(dev, field, -1)), f"/metrics: {family} = {field}")
    size = {"4k": "pages_4k", "2m": "pages_2m", "1g": "pages_1g"}
    for sz, field in size.items():
        m = re.search(r'^vfiotop_mapped_pages_total\{bdf="%s"[^}]*size="%s"\} (\S+)$' %
                      (re.escape(bdf), sz), text, re.M)
        t.eq(float(m.group(1)) if m else None, float(get(dev, "mapped." + field, -1)),
             f"/metrics: vfiotop_mapped_pages_total{{size={sz}}}")
    try:
        http = json.loads(blocks.get(("snapshot", "http-pinned"), ""))
    except ValueError:
        http = {}
    t.eq(get(device(http, bdf), "faults.count"), get(dev, "faults.count"),
         "/json: the same faults.count as the socket")
    lines = [json.loads(l) for l in (blocks.get(("lines", "pinned")) or "").splitlines() if l]
    mine = [l for l in lines if l.get("bdf") == bdf]
    t.ok(len(mine) >= 2, f"--json-lines: a line per interval for {bdf} ({len(mine)})")
    if mine:
        t.eq(get(mine[-1], "faults.count"), get(dev, "faults.count"),
             "--json-lines: the last line has the device's faults.count")
        stamps = [l.get("time_ns", 0) for l in mine]
        t.ok(stamps == sorted(stamps) and len(set(stamps)) == len(stamps),
             "--json-lines: timestamps increase")
