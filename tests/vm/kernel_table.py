#!/usr/bin/env python3
"""Prints, as markdown, what each kernel did with the same workloads in the
last VM test run (build/vm/<kernel>/results.txt), as vfiotop measured it.

  kernel_table.py BUILD_DIR
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from checks.results import device, get, parse_results, workload_truth  # noqa: E402

KERNELS = [("6.1", "Debian 6.1 stock"), ("6.1-patched", "6.1 + kernel/patches"),
           ("6.12", "bookworm-backports 6.12"), ("trixie-6.12", "trixie 6.12"),
           ("trixie-7", "trixie-backports 7.x")]
WORKLOADS = [("a", "256 MiB BAR, 2 MiB-aligned, 3 touch rounds + DMA map"),
             ("b", "64 MiB BAR, 4 KiB off a PMD boundary, 2 rounds"),
             ("c", "1 GiB BAR, 1 GiB-aligned, 1 round")]


def row(build, kernel, name):
    path = os.path.join(build, "vm", kernel, "results.txt")
    if not os.path.exists(path):
        return None
    blocks, _ = parse_results(path)
    w = workload_truth(blocks.get(("workload", name)))
    snap = json.loads(blocks.get(("snapshot", "running"), "{}") or "{}")
    d = device(snap, w["bdf"]) if w else None
    if not d:
        return None
    f = d["faults"]
    lat = f["latency_ns"]
    pages = "/".join(str(get(d, f"mapped.pages_{s}")) for s in ("4k", "2m", "1g"))
    order = ", ".join(f"{k}: {v}" for k, v in f["by_order"].items() if v)
    zaps = f"{d['zaps']['count']} ({d['zaps']['vmas']} vmas)"
    return (f"{f['count']} ({order})", pages, zaps,
            f"{w['touch_ms']:.0f}", f"{lat['sum'] / 1e6:.0f}",
            f"{lat['mean'] / 1e3:.1f}", f"{lat['p99'] / 1e3:.1f}")


def null_hint_row(build, kernel):
    """Where a NULL-hint mmap of the 256 MiB BAR landed (workload f)."""
    path = os.path.join(build, "vm", kernel, "results.txt")
    if not os.path.exists(path):
        return None
    blocks, _ = parse_results(path)
    w = workload_truth(blocks.get(("workload", "f")))
    snap = json.loads(blocks.get(("snapshot", "after-race"), "{}") or "{}")
    d = device(snap, w["bdf"]) if w else None
    maps = [m for m in (d or {}).get("mappings", []) if m.get("pid") == w["pid"]]
    if not maps:
        return None
    m = maps[-1]
    return (f"0x{m['addr']:x}", f"{m['offset_from_2m'] >> 10} KiB", m["largest_page"],
            str(get(d, "faults.found_mapped")))


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    print("\n**A NULL-hint mmap of the 256 MiB BAR (workload f, 25 threads faulting "
          "through resets)**\n")
    print("| kernel | address | off a 2 MiB boundary | largest page | faults that found "
          "their entry mapped (device total) |")
    print("|---|---|---|---|---|")
    for kernel, label in KERNELS:
        r = null_hint_row(build, kernel)
        if r:
            print(f"| {label} | " + " | ".join(r) + " |")
    for name, what in WORKLOADS:
        print(f"\n**{what}**\n")
        print("| kernel | faults (by order) | pages 4K/2M/1G | zaps | touch ms | "
              "ms in fault handler | mean µs/fault | p99 µs |")
        print("|---|---|---|---|---|---|---|---|")
        for kernel, label in KERNELS:
            r = row(build, kernel, name)
            if r:
                print(f"| {label} | " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
