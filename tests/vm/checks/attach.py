"""Phase 1: the daemon started before vfio waits, then attaches by itself;
the idle snapshot's hooks and devices."""
import json

from .device import check_identity
from .models import COMMON_HOOKS, REQUIRED_HOOKS
from .results import get

# How long attaching takes is the bench's to measure (1.7-4.2 s under TCG,
# more on a busy host): here the daemon must attach by itself while the
# scenario waits for it (vt_wait_state: 10 s and more), and the time is shown.


def check_attach(t, blocks, lines, snaps, states, model):
    # 1. started before vfio: waiting, then attached by itself
    waiting = snaps["waiting"]
    t.eq(get(waiting, "daemon.state"), "waiting for vfio-pci", "started before vfio: waiting")
    t.eq(len(waiting.get("hooks", [None])), 0, "started before vfio: no hooks")
    first = states.get("first-attach", [])
    t.ok(len(first) > 3 and first[3] == '"state":"attached"',
         "attached by itself once the devices were bound", " ".join(first))
    if len(first) > 2:
        print(f"# attach after modules loaded and devices bound: {first[2]} ms")
    log = blocks.get(("log", "vfiotopd")) or ""
    t.ok("watching kernel uevents for vfio modules and PCI devices" in log and
         "no kernel uevents" not in log,
         "the daemon learns of vfio modules and PCI devices from uevents, not by polling",
         next((l for l in log.splitlines() if "uevents" in l), "no line about uevents"))

    idle = snaps["idle"]
    t.eq(get(idle, "schema_version"), 1, "schema_version")
    attached = {h["function"]: h["mechanism"] for h in idle.get("hooks", [])}
    for fn in REQUIRED_HOOKS[model] + COMMON_HOOKS:
        t.ok(fn in attached, f"hook {fn} attached ({attached.get(fn)})",
             json.dumps(idle.get("hooks_unavailable")))
    # a trampoline on a module function would pin the module (see unload below);
    # patched 6.1's tracepoints are in vfio_pci_trace, which no vfio module needs
    t.ok(all(h["mechanism"].startswith(("kprobe", "kretprobe")) for h in idle.get("hooks", [])
             if h["module"] not in ("vmlinux", "vfio_pci_trace")),
         "--kprobe-modules: module functions are hooked with kprobes")
    t.ok(all(h["mechanism"] == "tp_btf" for h in idle.get("hooks", [])
             if h["module"] == "vfio_pci_trace"),
         "--kprobe-modules: vfio_pci_trace's tracepoints hooked too (a leaf module)")
    t.ok(all(h["mechanism"] in ("fentry", "fexit", "tp_btf") for h in idle.get("hooks", [])
             if h["module"] == "vmlinux"), "vmlinux functions are hooked with fentry/fexit")
    t.ok({"contention_begin", "contention_end"} <= {h["function"] for h in idle.get("hooks", [])
                                                   if h["mechanism"] == "tp_btf"},
         "lock:contention_begin/end are hooked (tp_btf) for memory_lock waits")
    bound = next((l.split()[1:] for l in lines if l.startswith("DEVICES")), [])
    t.eq(sorted(d["bdf"] for d in idle.get("devices", [])), sorted(bound),
         "idle snapshot lists every vfio-bound device")
    t.ok(all(get(d, "faults.count") == 0 for d in idle.get("devices", [])),
         "idle devices have no faults")
    check_identity(t, blocks, idle)
    check_kernel_memory(t, blocks, idle)


def cpu_count(cpulist):
    """CPUs in a kernel cpulist ("0-3,8")"""
    n = 0
    for part in filter(None, cpulist.split(",")):
        lo, _, hi = part.partition("-")
        n += int(hi or lo) - int(lo) + 1
    return n


def check_kernel_memory(t, blocks, idle):
    """daemon.kernel_memory against the fdinfo of the daemon's map fds, read by
    the guest after the idle snapshot: dev_hot's memlock exactly, an array of
    VTOP_MAX_DEVICES (1024) slots x possible CPUs fault counters; dev_rare's,
    one shared entry a slot; and every map's among them."""
    text = blocks.get(("fdinfo", "idle")) or ""
    rows = [dict(zip(l.split()[0::2], l.split()[1::2]))
            for l in text.splitlines() if l.startswith("fd ")]
    possible = next((l.split()[1] for l in text.splitlines() if l.startswith("possible ")), "")
    cpus = cpu_count(possible) if possible else 0
    memlock = sorted(int(r.get("memlock", -1)) for r in rows)
    arrays = [r for r in rows if r.get("map_type") == "2"]
    hot = [int(r["memlock"]) for r in arrays if int(r.get("max_entries", 0)) == 1024 * cpus]
    rare = [int(r["memlock"]) for r in arrays
            if r.get("max_entries") == "1024" and int(r.get("value_size", 0)) >= 1024]
    km = get(idle, "daemon.kernel_memory", {})
    maps = km.get("maps", {})
    t.ok(cpus > 0 and maps.get("dev_hot") == (hot[0] if len(hot) == 1 else hot) and
         maps["dev_hot"] >= 1024 * cpus * 240,
         f"kernel_memory: dev_hot is its fdinfo memlock (1024 slots x {cpus} possible CPUs "
         "x 240 bytes)", f"{maps.get('dev_hot')} fdinfo {hot} possible {possible!r}")
    t.eq(maps.get("dev_rare"), rare[0] if len(rare) == 1 else rare,
         "kernel_memory: dev_rare is its fdinfo memlock (1024 slots, shared by the CPUs)")
    t.ok(maps and all(v in memlock for v in maps.values()) and
         km.get("bytes") == sum(maps.values()),
         f"kernel_memory: each of its {len(maps)} maps is one of the daemon's map fds, "
         "the total their sum", json.dumps(km) + " fdinfo " + json.dumps(memlock))
