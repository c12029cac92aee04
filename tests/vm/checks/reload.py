"""Phases 3 and 4: the vfio modules unloaded and reloaded under the running
daemon, the daemon killed with -9 and restarted, a device removed."""
import json

from .models import MODELS
from .results import device, get, link_ids, workload_truth


def check_reload(t, blocks, lines, snaps, states, truths, model):
    final = snaps["final"]
    # 3. unload and reload under the running daemon
    t.ok(len(link_ids(blocks.get(("links", "before-unload")))) > 0, "BPF links exist while attached")
    rmmods = [l for l in lines if l.startswith("RMMOD ")]
    t.ok(rmmods and all(l.split()[2] == "0" for l in rmmods),
         "every vfio module unloads while vfiotopd runs", "\n".join(rmmods))
    t.ok(states.get("unload", [None, None, None, ""])[3] == '"state":"waiting for vfio-pci"',
         "after unload the daemon is waiting for vfio-pci", " ".join(states.get("unload", [])))
    t.eq(link_ids(blocks.get(("links", "unloaded"))), [], "no BPF link left after unload")
    for name, w in truths.items():
        t.eq(get(device(snaps["unloaded"], w["bdf"]), "faults.count"),
             get(device(final, w["bdf"]), "faults.count"), f"{name}: totals kept across unload")
    re_att = states.get("reattach", [])
    t.ok(len(re_att) > 3 and re_att[3] == '"state":"attached"',
         "re-attached by itself after the modules came back", " ".join(re_att))
    if len(re_att) > 2:
        print(f"# re-attach after the modules came back: {re_att[2]} ms")
    wd = workload_truth(blocks.get(("workload", "d")))
    if t.ok(wd is not None and "a" in truths, "workload d ran after the reload"):
        before, after = device(final, wd["bdf"]), device(snaps["reloaded"], wd["bdf"])
        more = MODELS[model](wd)
        more["resets.count"] += 1  # d closed the device before the snapshot
        for field in (f for f in more if isinstance(more[f], int)):
            t.eq(get(after, field), get(before, field) + more[field],
                 f"d: {field} continues from before the reload (+{more[field]})")

    # 3b. killed with -9 during workload d and restarted: the pinned maps carry on
    restarted = states.get("restarted", [])
    t.ok(len(restarted) > 3 and restarted[3] == '"state":"attached"',
         "a daemon restarted after kill -9 attaches", " ".join(restarted))
    reloaded = snaps["reloaded"]
    t.eq(get(reloaded, "daemon.pinned"), "/sys/fs/bpf/vfiotop", "counters pinned in /sys/fs/bpf/vfiotop")
    t.ok(0 < get(reloaded, "daemon.counters_since", 0) < get(reloaded, "daemon.started_at", 0),
         "after the restart, counters_since is older than the daemon",
         json.dumps(reloaded.get("daemon")))
    t.eq(len(link_ids(blocks.get(("links", "restarted")))),
         len(link_ids(blocks.get(("links", "before-unload")))),
         "no BPF link left behind by the killed daemon")
    try:
        before_kill = json.loads(blocks.get(("snapshot", "before-kill"), ""))
    except ValueError:
        before_kill = {}
    for name, w in truths.items():
        if name == "b":
            continue
        t.ok(get(device(reloaded, w["bdf"]), "faults.count", -1) >=
             get(device(before_kill, w["bdf"]), "faults.count", 0) > 0,
             f"{name}'s device: faults.count continues across kill -9")

    # 4. a device removed from the bus stays, marked gone
    if "b" in truths:
        gone = device(snaps["removed"], truths["b"]["bdf"])
        t.eq(get(gone, "state"), "gone", "a removed device is marked gone")
        t.eq(get(gone, "faults.count"), get(device(final, truths["b"]["bdf"]), "faults.count"),
             "a removed device keeps its counts")
