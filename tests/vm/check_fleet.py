#!/usr/bin/env python3
"""Checks the fleet boot (tests/vm/scenarios/fleet.sh) and prints TAP.

  check_fleet.py RESULTS.txt [PREFIX]
At least 256 devices bound to vfio-pci on a kernel with 256 possible CPUs:
every device's faults, pages and mmaps against its own workload's record
(and their sum against a tracefs kprobe on the fault handler), nothing
lost, the kernel memory of 1,024 slots x 256 CPUs as the kernel charges
it, and the daemon's RSS. A run that stopped early fails every check it
did not make (PLAN)."""
import json
import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks.attach import cpu_count  # noqa: E402
from checks.results import get, kdiff, kprobe_counts, parse_results  # noqa: E402
from checks.tap import Tap  # noqa: E402

PLAN = 12
MIB = 1 << 20


def truths(text):
    return [json.loads(l[len("VFIOTOP-WORKLOAD "):]) for l in (text or "").splitlines()
            if l.startswith("VFIOTOP-WORKLOAD ")]


def differing(devs, truth, path, want):
    """The devices whose number at path is not want(their workload's record)."""
    out = []
    for w in truth:
        got = get(devs.get(w["bdf"], {}), path)
        if got != want(w):
            out.append(f"{w['bdf']}: {path} {got}, want {want(w)}")
    return out


def checks(t, blocks, lines):
    bound = next((l.split()[1:] for l in lines if l.startswith("DEVICES")), [])
    t.ok(len(bound) >= 256, f"at least 256 devices bound to vfio-pci ({len(bound)})")
    possible = next((l.split()[1] for l in lines if l.startswith("POSSIBLE ")), "")
    cpus = cpu_count(possible) if possible else 0
    t.eq(cpus, 256, "the kernel may have 256 CPUs (possible_cpus=256)")
    t.ok(not [l for l in lines if l.startswith("ERROR")], "every workload ran and exited 0",
         "\n".join(l for l in lines if l.startswith("ERROR"))[:4000])

    snap = json.loads(blocks.get(("snapshot", "fleet")) or "{}")
    devs = {d["bdf"]: d for d in snap.get("devices", [])}
    truth = truths(blocks.get(("truth", "fleet")))
    t.ok(len(truth) == len(bound) and set(devs) >= set(bound) and
         all(devs[b].get("state") == "live" for b in bound),
         f"vfiotop lists all {len(bound)} devices, live, and each ran its workload",
         f"{len(truth)} workloads, {len(devs)} devices")

    def pages(w):
        return w["rounds"] * w["pages_touched_per_round"]
    bad = differing(devs, truth, "faults.count", pages)
    t.ok(truth and not bad, "each device's faults are its workload's pages x rounds",
         "\n".join(bad[:20]))
    bad = differing(devs, truth, "mapped.pages_4k", pages)
    t.ok(truth and not bad, "each device's 4 KiB pages mapped are its workload's", "\n".join(bad[:20]))
    bad = differing(devs, truth, "mmaps.count", lambda w: w["mmaps"])
    t.ok(truth and not bad, "each device's mmaps are its workload's", "\n".join(bad[:20]))
    window = kdiff(kprobe_counts(blocks.get(("kprobes", "after"))),
                   kprobe_counts(blocks.get(("kprobes", "before"))))
    handler = sum(window.values())
    t.eq(sum(get(d, "faults.count", 0) for d in devs.values()), handler,
         "the faults of all devices are the fault handler's calls (tracefs kprobe)")
    t.eq(snap.get("lost_events"), 0, "nothing lost (device map, ring buffer)")

    rows = [dict(zip(l.split()[0::2], l.split()[1::2]))
            for l in (blocks.get(("fdinfo", "idle")) or "").splitlines() if l.startswith("fd ")]
    hot = [int(r["memlock"]) for r in rows
           if r.get("map_type") == "2" and int(r.get("max_entries", 0)) == 1024 * cpus]
    km = get(snap, "daemon.kernel_memory", {})
    t.ok(cpus and len(hot) == 1 and get(km, "maps.dev_hot") == hot[0] and
         hot[0] >= 1024 * cpus * 240,
         f"dev_hot holds 1,024 slots x {cpus} CPUs x 240 bytes, as fdinfo says "
         f"({hot[0] / MIB if hot else 0:.1f} MiB)", json.dumps(km))
    t.ok(0 < (km.get("bytes") or 0) <= 64 * MIB,
         f"all maps together at most 64 MiB at 256 CPUs x 1,024 devices "
         f"({(km.get('bytes') or 0) / MIB:.1f} MiB)", json.dumps(km))
    mem = next((l for l in lines if l.startswith("DAEMON_MEM")), "")
    rss = {k.rstrip(":"): int(v) for k, v in
           (f.split("=") for f in mem.split()[1:] if "=" in f)}
    t.ok(0 < rss.get("VmRSS", 0) < 20 * 1024,
         f"vfiotopd's RSS under 20 MiB with {len(devs)} devices "
         f"({rss.get('VmRSS', 0) / 1024:.1f} MiB, peak {rss.get('VmHWM', 0) / 1024:.1f})", mem)


def main():
    path = sys.argv[1]
    t = Tap(sys.argv[2] if len(sys.argv) > 2 else "")
    blocks, lines = parse_results(path) if os.path.exists(path) else ({}, [])
    done = "DONE" in lines
    t.doomed = not done
    try:
        checks(t, blocks, lines)
    except Exception:  # missing data must fail checks, not the whole report
        t.ok(False, "check_fleet.py read every result", traceback.format_exc())
    if done and t.n != PLAN:
        t.ok(False, f"a complete run makes {PLAN} checks, this one made {t.n} (update PLAN?)")
    for _ in range(PLAN - t.n):
        t.ok(False, f"check {t.n + 1} not made: the scenario did not finish")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
