"""Phase 5: a daemon in the default mode (fentry), and workload e under it."""
import json

from .device import device_delta
from .exporters import check_exporters
from .models import MODELS
from .race import lost_delta
from .results import device, get, kdiff, kprobe_counts, workload_truth


def check_pinned(t, blocks, lines, states, model):
    # 5. the default: trampolines (and our kernel's tracepoints) on module code
    pinned = states.get("pinned", [])
    t.ok(len(pinned) > 3 and pinned[3] == '"state":"attached"', "the default (fentry) daemon attached",
         " ".join(pinned))
    t.ok(all(get(d, "faults.count") == 0 and get(d, "zaps.count") == 0
             for d in snaps_pinned_idle(blocks).get("devices", [])),
         "--reset: a daemon started with it counts from zero")
    hooks = {}
    for h in snaps_pinned_idle(blocks).get("hooks", []):
        hooks.setdefault(h["function"], set()).add(h["mechanism"])
    # vfio_pci_rw keeps its kprobes: trampolines lose accesses of tasks preempted in them
    module_mechs = {m for h in snaps_pinned_idle(blocks).get("hooks", [])
                    if h["module"] != "vmlinux" and h["function"] != "vfio_pci_rw"
                    for m in [h["mechanism"]]}
    t.ok(module_mechs and module_mechs <= {"fentry", "fexit", "tp_btf"},
         f"by default module functions but vfio_pci_rw are hooked with trampolines "
         f"({sorted(module_mechs)})")
    t.ok(hooks.get("vfio_pci_rw") == {"kprobe", "kretprobe"},
         "by default vfio_pci_rw is hooked with a kprobe pair", str(hooks.get("vfio_pci_rw")))
    if model == "per_page":
        t.ok(hooks.get("vfio_pci_fault") == {"tp_btf"} and hooks.get("vfio_pci_zap") == {"tp_btf"},
             "patched kernel: the vfio_pci_fault and vfio_pci_zap tracepoints are used",
             json.dumps({k: sorted(v) for k, v in hooks.items()}))
        t.ok("vfio_pci_mmap_fault" not in hooks and "lookup_memtype" not in hooks,
             "patched kernel: the fault tracepoint is the one program per fault",
             json.dumps({k: sorted(v) for k, v in hooks.items()}))
        t.eq(sorted({h["module"] for h in snaps_pinned_idle(blocks).get("hooks", [])
                     if h["mechanism"] == "tp_btf" and h["module"] != "vmlinux"}),
             ["vfio_pci_trace"], "patched kernel: the vfio_pci tracepoints are vfio_pci_trace's")
    else:
        t.ok("vfio_pci_fault" not in hooks, "no vfio_pci tracepoints on this kernel")
    t.ok("lookup_memtype" not in hooks, "per-fault memtype is off by default (--memtype-faults)")
    t.ok("eventfd_read" not in hooks and "eventfd_ctx_fdget" not in hooks,
         "interrupts' waits for their readers are off by default (--irq-waits)",
         json.dumps(sorted(hooks)))
    we = workload_truth(blocks.get(("workload", "e")))
    if t.ok(we is not None, "workload e ran under the default (fentry) daemon"):
        dev = device(json.loads(blocks.get(("snapshot", "pinned"), "{}") or "{}"), we["bdf"])
        want = MODELS[model](we)
        want["resets.count"] += 1  # e closed the device before the snapshot
        if model not in ("whole_vma", "per_page"):
            # by default a huge fault's memtype is not hooked (--memtype-faults);
            # patched 6.1's fault tracepoint carries it
            want["memtype.lookups"] = want["memtype.by_mode.uc-"] = 0
        for field, value in want.items():
            t.eq(get(dev, field), value, f"e (fentry): {field}")
        check_exporters(t, blocks, we["bdf"], dev)
    check_fentry_race(t, blocks)
    check_release(t, blocks, lines, states, model, we)


def check_fentry_race(t, blocks):
    """Workload p: 16 threads faulting through resets, and 8 racing each zap,
    under the default daemon. Trampoline programs run with migration, not
    preemption, disabled: a task preempted inside one turns the next task
    entering it on that CPU away (program_recursion). There is no kretprobe
    instance limit to miss exits by."""
    w = workload_truth(blocks.get(("workload", "p")))
    if not t.ok(w is not None, "p: 16 threads faulting through resets ran (default daemon)",
                (blocks.get(("workload", "p")) or "")[-400:]):
        return
    delta = device_delta(t, blocks, "p", w["bdf"], "before-p", "after-p")
    if not delta:
        return
    window = kdiff(kprobe_counts(blocks.get(("kprobes", "after-p"))),
                   kprobe_counts(blocks.get(("kprobes", "before-p"))))
    calls = window.get("vfio_pci_mmap_huge_fault") or window.get("vfio_pci_mmap_fault", 0)
    misses = lost_delta(blocks, "before-p", "after-p", "program_recursion")
    t.ok(calls > 0 and 0 <= calls - delta("faults.count") <= misses,
         f"p (fentry): faults.count is the fault handler's {calls} calls, or short by no more "
         f"than the program misses shown ({misses}) (got {delta('faults.count')})")
    timed = timed_faults(blocks, "after-p", w["bdf"]) - timed_faults(blocks, "before-p", w["bdf"])
    print(f"# p (fentry, 24 threads): {calls} fault handler calls, vfiotop "
          f"{delta('faults.count')} ({delta('faults.count') - timed} of them begun by their "
          f"exit, untimed), program misses {misses}")


def timed_faults(blocks, label, bdf):
    """The faults in a device's latency histogram: those whose entry was seen."""
    try:
        dev = device(json.loads(blocks.get(("snapshot", label), "")), bdf)
    except ValueError:
        return 0
    return sum(b.get("count", 0) for b in get(dev, "faults.latency_ns.buckets", []) or [])


def check_release(t, blocks, lines, states, model, we):
    """vfiotop release under the default (fentry) daemon: the modules unload with
    it running, it attaches again once they are back, and counts on."""
    t.ok("RELEASE 0" in lines, "vfiotop release: the daemon answers that it let go",
         blocks.get(("log", "release"), ""))
    released = states.get("released", [])
    t.ok(len(released) > 3 and released[3] == '"state":"released"',
         "released: the daemon says so in its state", " ".join(released))
    rmmods = [l.split()[1:] for l in lines if l.startswith("RELEASED_RMMOD ")]
    t.ok(any(m == "vfio_pci_core" for m, _ in rmmods) and all(rc == "0" for _, rc in rmmods),
         "released: every vfio module unloads with the daemon running (vfio_pci_core too)",
         " ".join(l for l in lines if l.startswith("RELEASED_RMMOD ")))
    back = states.get("released-back", [])
    t.ok(len(back) > 3 and back[3] == '"state":"attached"',
         "released: the daemon attaches again once the modules are loaded again", " ".join(back))
    we2 = workload_truth(blocks.get(("workload", "e2")))
    bdf = we["bdf"] if we else ""
    # after workload p, which ran on the same device
    before = device(json.loads(blocks.get(("snapshot", "after-p"), "{}") or "{}"), bdf)
    after = device(json.loads(blocks.get(("snapshot", "pinned-back"), "{}") or "{}"), bdf)
    # the pages mapped are what every model predicts exactly (faults are not, on 6.12+)
    want2 = MODELS[model](we2) if we2 else {}
    keys = [k for k in ("mapped.pages_4k", "mapped.pages_2m", "mapped.pages_1g") if k in want2]
    got = {k: get(after, k) for k in keys}
    want = {k: get(before, k, 0) + want2[k] for k in keys}
    t.ok(keys and got == want,
         "released and back: the device's pages mapped go on from where they were "
         "(+ workload e2's)", f"got {got}, want {want}")


def snaps_pinned_idle(blocks):
    try:
        return json.loads(blocks.get(("snapshot", "pinned-idle"), ""))
    except ValueError:
        return {}
