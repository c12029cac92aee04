#!/usr/bin/env python3
"""Checks one VM run of the foundation scenario (tests/vm/scenarios/foundation.sh).

Reads the results the guest sent over ttyS1 and prints TAP. Expected numbers
come from two independent sources:
  - each workload's ground truth (what it did: rounds, BAR size, resets, ...),
    turned into counts through the kernel's mapping model;
  - tracefs kprobe hit counts taken around each workload in the same run.

  check.py RESULTS.txt MODEL [PREFIX]
MODEL is how the kernel maps a BAR on fault:
  whole_vma   Debian 6.1 stock: one fault remaps the whole vma (io_remap_pfn_range)
"""
import json
import re
import sys


class Tap:
    def __init__(self, prefix):
        self.n = 0
        self.failed = 0
        self.prefix = prefix

    def ok(self, cond, name, detail=""):
        self.n += 1
        if not cond:
            self.failed += 1
        status = "ok" if cond else "not ok"
        print(f"{status} {self.n} - {self.prefix}{name}")
        if not cond and detail:
            for line in str(detail).splitlines():
                print(f"#   {line}")
        return cond

    def eq(self, got, want, name):
        return self.ok(got == want, f"{name} == {want}", f"got {got!r}, want {want!r}")


def parse_results(path):
    blocks, lines, cur = {}, [], None
    with open(path, errors="replace") as f:
        for raw in f:
            line = raw.rstrip("\r\n")
            if cur is not None:
                if line == "@@VT END":
                    blocks[cur] = "\n".join(cur_lines)
                    cur = None
                else:
                    cur_lines.append(line)
                continue
            m = re.match(r"@@VT BEGIN (\S+) (\S+)$", line)
            if m:
                cur, cur_lines = (m.group(1), m.group(2)), []
            elif line.startswith("@@VT "):
                lines.append(line[5:])
    return blocks, lines


def kprobe_counts(text):
    counts = {}
    for line in (text or "").splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1].isdigit():
            counts[parts[0].split("/")[-1]] = int(parts[1])
    return counts


def kdiff(after, before):
    return {k: after.get(k, 0) - before.get(k, 0) for k in after}


def workload_truth(text):
    for line in (text or "").splitlines():
        if line.startswith("VFIOTOP-WORKLOAD "):
            return json.loads(line[len("VFIOTOP-WORKLOAD "):])
    return None


def get(d, path, default=None):
    for k in path.split("."):
        if not isinstance(d, dict) or k not in d:
            return default
        d = d[k]
    return d


def device(snap, bdf):
    for d in (snap or {}).get("devices", []):
        if d.get("bdf") == bdf:
            return d
    return None


def expect_whole_vma(w):
    """Debian 6.1: vfio_pci_mmap_fault maps the whole vma on the first touch
    and records the vma; a zap unmaps every recorded vma and forgets it."""
    pages = w["bar_size"] // w["page_size"]
    dma = 1 if w["dma_map_ok"] else 0
    sigbus = w["sigbus_delivered"]
    resets = w["resets_attempted"]
    # the vma is mapped when a zap comes: after each round's touch, and for
    # the first reset after the DMA-map fault put it back
    mapped_zaps = w["rounds"] + (1 if dma and resets else 0)
    remaps = w["rounds"] + dma
    return {
        "faults.count": w["rounds"] + sigbus + dma,
        "faults.by_origin.user": w["rounds"] + sigbus,
        "faults.by_origin.dma_map": dma,
        "faults.by_origin.kernel": 0,
        "faults.sigbus": sigbus,
        "mapped.pages_4k": remaps * pages,
        "mapped.pages_2m": 0,
        "mapped.pages_1g": 0,
        "zaps.count": w["mem_disable_writes"] + resets,
        "zaps.by_reason.mem_disable": w["mem_disable_writes"],
        "zaps.by_reason.reset": resets,
        "zaps.vmas": mapped_zaps,
        "zaps.bytes": mapped_zaps * w["bar_size"],
        "memtype.lookups": remaps,
        "memtype.by_mode.uc-": remaps,
        "resets.by_origin.reset": resets,
        "resets.by_origin.open": 1,
        "resets.count": 1 + resets,
        "mmaps.count": w["mmaps"],
        "mmaps.bytes": w["mmaps"] * w["bar_size"],
    }


MODELS = {"whole_vma": expect_whole_vma}

# kprobe (function hit count in the workload's window) -> snapshot field
KPROBE_FIELDS = {
    "vfio_pci_mmap_fault": "faults.count",
    "vfio_pci_zap_and_vma_lock": "zaps.count",
    "zap_vma_ptes": "zaps.vmas",
    "vfio_pci_core_mmap": "mmaps.count",
    "reserve_pfn_range": "memtype.lookups",
}

REQUIRED_HOOKS = ["vfio_pci_mmap_fault", "remap_pfn_range", "vfio_pci_zap_and_vma_lock",
                  "zap_page_range_single", "vfio_pci_core_mmap", "reserve_pfn_range",
                  "pci_try_reset_function", "vaddr_get_pfns"]


def check_device(t, name, w, dev, model, window):
    t.ok(dev is not None, f"{name}: device {w['bdf']} is in the snapshot")
    if dev is None:
        return
    for field, want in MODELS[model](w).items():
        t.eq(get(dev, field), want, f"{name}: {field}")
    # cross-check: the same counts, measured by tracefs kprobes in this run
    for fn, field in KPROBE_FIELDS.items():
        if fn in window:
            t.eq(get(dev, field), window[fn], f"{name}: {field} matches kprobe {fn}")
    if "pci_try_reset_function" in window:
        t.eq(get(dev, "resets.count"),
             window["pci_try_reset_function"] + window.get("pci_reset_bus", 0),
             f"{name}: resets.count matches kprobes pci_try_reset_function+pci_reset_bus")
    lat = get(dev, "faults.latency_ns", {})
    t.ok(0 < lat.get("p50", 0) <= lat.get("p99", 0) <= lat.get("max", 0),
         f"{name}: latency 0 < p50 <= p99 <= max", json.dumps({k: lat.get(k) for k in ("p50", "p99", "max")}))
    t.eq(sum(b["count"] for b in lat.get("buckets", [])), get(dev, "faults.count"),
         f"{name}: latency buckets sum to faults.count")
    t.eq((get(dev, "vendor"), get(dev, "device"), get(dev, "driver")),
         ("0x1af4", "0x1110", "vfio-pci"), f"{name}: identity")
    t.ok(isinstance(get(dev, "iommu_group"), int), f"{name}: iommu_group is known")
    procs = [p for p in dev.get("processes", []) if p.get("pid") == w["pid"]]
    t.ok(len(procs) == 1 and procs[0].get("comm") == w["comm"] and procs[0].get("alive")
         and w["bar"] in procs[0].get("bars", []),
         f"{name}: owner pid {w['pid']} ({w['comm']}) alive, mapped BAR {w['bar']}",
         json.dumps(dev.get("processes")))


def main():
    path, model = sys.argv[1], sys.argv[2]
    t = Tap(sys.argv[3] if len(sys.argv) > 3 else "")
    blocks, lines = parse_results(path)
    errors = [l for l in lines if l.startswith("ERROR")]
    t.ok("DONE" in lines, "guest ran the scenario to the end", "\n".join(lines[-5:]))
    t.ok(not errors, "guest setup reported no errors", "\n".join(errors))

    snaps = {}
    for label in ("idle", "running", "final"):
        try:
            snaps[label] = json.loads(blocks.get(("snapshot", label), ""))
        except ValueError:
            snaps[label] = None
        t.ok(isinstance(snaps[label], dict), f"snapshot '{label}' is one JSON document",
             (blocks.get(("snapshot", label)) or "missing")[:300])

    idle = snaps["idle"] or {}
    t.eq(get(idle, "schema_version"), 1, "schema_version")
    t.eq(get(idle, "daemon.state"), "attached", "daemon attached at start")
    attached = {h["function"] for h in idle.get("hooks", [])}
    for fn in REQUIRED_HOOKS:
        t.ok(fn in attached, f"hook {fn} attached",
             json.dumps(idle.get("hooks_unavailable")))
    bound = next((l.split()[1:] for l in lines if l.startswith("DEVICES")), None)
    t.eq(sorted(d["bdf"] for d in idle.get("devices", [])), sorted(bound or []),
         "idle snapshot lists every vfio-bound device")
    t.ok(all(get(d, "faults.count") == 0 for d in idle.get("devices", [])),
         "idle devices have no faults")

    ka = kprobe_counts(blocks.get(("kprobes", "before-a")))
    kb = kprobe_counts(blocks.get(("kprobes", "after-a")))
    kc = kprobe_counts(blocks.get(("kprobes", "after-b")))
    kd = kprobe_counts(blocks.get(("kprobes", "after-exit")))
    windows = {"a": kdiff(kb, ka), "b": kdiff(kc, kb)}
    running, final = snaps["running"] or {}, snaps["final"] or {}

    truths = {}
    for name in ("a", "b"):
        w = workload_truth(blocks.get(("workload", name)))
        truths[name] = w
        if not t.ok(w is not None, f"workload {name} printed its ground truth",
                    (blocks.get(("workload", name)) or "")[-500:]):
            continue
        t.ok(w["dma_map"] == 0 or w["dma_map_ok"] == 1, f"{name}: VFIO_IOMMU_MAP_DMA of the BAR worked",
             f"errno {w.get('dma_map_errno')}")
        t.eq(w["resets_failed"], 0, f"{name}: VFIO_DEVICE_RESET calls succeeded")
        check_device(t, name, w, device(running, w["bdf"]), model, windows[name])
        t.ok(f"WORKLOAD_EXIT {name} 0" in lines, f"{name}: workload exited 0")

    if all(truths.values()):
        t.ok(truths["a"]["bar_size"] != truths["b"]["bar_size"],
             "the two devices have different BAR sizes")
        for name, w in truths.items():
            dev = device(final, w["bdf"])
            t.eq(get(dev, "resets.by_origin.close"), 1, f"{name}: close reset counted after exit")
            procs = [p for p in (dev or {}).get("processes", []) if p.get("pid") == w["pid"]]
            t.ok(procs and not procs[0].get("alive"), f"{name}: owner marked not alive after exit")
        # pci_try_reset_function() resets through __pci_reset_function_locked()
        whole = kdiff(kd, ka)
        total_resets = sum(get(device(final, w["bdf"]), "resets.count", 0) for w in truths.values())
        t.eq(total_resets, whole.get("__pci_reset_function_locked", 0) + whole.get("pci_reset_bus", 0),
             "all resets (open, ioctl, close) match kprobes")

    t.eq(get(final, "lost_events"), 0, "no lost events")
    t.ok("DAEMON_EXIT 0" in lines, "vfiotopd exits 0 on SIGTERM")
    ready = [l for l in lines if l.startswith("DAEMON_READY_MS")]
    if ready:
        print(f"# vfiotopd answered {ready[0].split()[1]} ms after start")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
