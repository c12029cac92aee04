"""/metrics, /json and --json-lines of the default (fentry) daemon."""
import json
import math
import os
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


def device_numbers():
    """device_numbers.h's rows as tests/host/device-numbers prints them, [] without it."""
    exe = os.path.join(os.environ.get("VFIOTOP_BUILD", "build"), "tests", "device-numbers")
    try:
        return json.loads(subprocess.run([exe], capture_output=True, text=True).stdout)
    except (OSError, ValueError):
        return []


def expected_samples(rows, dev):
    """{(family, label, label value or None): value} of a /json device, as /metrics shows it."""
    want = {}
    for r in rows:
        # a power state's time moves with the clock between the two reads
        if not r.get("family") or r["path"] == "power.time_ns":
            continue
        scale = 1e-9 if r["unit"] == "ns" else 1
        if "keys" not in r:
            want[(r["family"], None, None)] = get(dev, r["path"], 0) * scale
            continue
        for key, lv in zip(r["keys"], r["label_values"]):
            path = r["path"] % key if "%s" in r["path"] else f'{r["path"]}.{key}'
            v = get(dev, path, 0) * scale
            if v or not r["sparse"]:
                want[(r["family"], r["label"], lv)] = v
    return want


def shown_samples(text, bdf, rows):
    """The same from /metrics: the samples of device bdf in the rows' families."""
    families = {r["family"]: r.get("label") for r in rows if r.get("family")}
    got = {}
    for line in (text or "").splitlines():
        m = re.match(r'^(\w+)\{([^}]*)\} (\S+)$', line)
        if not m or m.group(1) not in families or f'bdf="{bdf}"' not in m.group(2):
            continue
        lbl = families[m.group(1)]
        lv = re.search(r'\b%s="([^"]*)"' % lbl, m.group(2)) if lbl else None
        got[(m.group(1), lbl if lv else None, lv.group(1) if lv else None)] = float(m.group(3))
    return got


def load_json(blocks, label):
    try:
        return json.loads(blocks.get(("snapshot", label), ""))
    except ValueError:
        return {}


def between(got, before, after):
    """got equals a /json read, or lies between two that differ (a counter moved)."""
    if got is None or before is None or after is None:
        return False
    if math.isclose(got, after, rel_tol=1e-8) or math.isclose(got, before, rel_tol=1e-8):
        return True
    return min(before, after) <= got <= max(before, after)


def check_metrics_equal_json(t, blocks):
    """Every device sample of /metrics against the /json read before and after it."""
    rows = device_numbers()
    text = blocks.get(("metrics", "pinned")) or ""
    devs = load_json(blocks, "http-pinned").get("devices", [])
    earlier = {d["bdf"]: d for d in load_json(blocks, "http-pinned-before").get("devices", [])}
    wrong, n = [], 0
    for dev in devs:
        want = expected_samples(rows, dev)
        old = earlier.get(dev["bdf"])
        want_before = expected_samples(rows, old) if old else want
        got = {k: v for k, v in shown_samples(text, dev["bdf"], rows).items()
               if k[0] != "vfiotop_power_state_seconds_total"}
        n += len(got)
        for k in sorted(set(want) | set(got), key=str):
            before = want_before.get(k, 0.0 if k in want else None)
            if not between(got.get(k), before, want.get(k)):
                wrong.append(f'{dev["bdf"]} {k}: /metrics {got.get(k)} '
                             f'/json {before} then {want.get(k)}')
    t.ok(rows and len(devs) >= 2 and n > 100 * len(devs) and not wrong,
         f"/metrics: every device sample equals /json ({n} samples of {len(devs)} devices)",
         "; ".join(wrong[:12]) or f"{len(rows)} rows")


def check_exporters(t, blocks, bdf, dev):
    """/metrics, /json and --json-lines of the daemon that counted workload e."""
    text = blocks.get(("metrics", "pinned")) or ""
    p = subprocess.run(["promtool", "check", "metrics"], input=text + "\n", capture_output=True,
                       text=True)
    t.ok(p.returncode == 0 and "vfiotop_faults_total" in text, "/metrics: promtool check metrics",
         (p.stdout + p.stderr + text[:300])[-1500:])
    check_metrics_equal_json(t, blocks)
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
    http = load_json(blocks, "http-pinned")
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
