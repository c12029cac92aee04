"""Interrupts: QEMU's edu device raising MSIs and INTx for workloads i (the
first daemon, kprobes) and i2 (the default daemon, trampolines), against
the workload's own record, /proc/interrupts and tracefs kprobes."""
import json

from .results import device, get, kdiff, kprobe_counts, snapshot_pair, workload_truth

INDEXES = ("intx", "msi", "msix", "err", "req")


def vector(dev, kind, n):
    for v in get(dev, "irqs.by_vector", []) or []:
        if v.get("type") == kind and v.get("vector") == n:
            return v
    return {}


def check_irqs(t, blocks, model):
    for name, before, after, mode in (("i", "before-i", "irqs", "kprobes"),
                                      ("i2", "before-i2", "irqs2", "trampolines")):
        w = workload_truth(blocks.get(("workload", name)))
        s0, s1 = snapshot_pair(blocks, before, after)
        if not t.ok(w is not None and s1, f"{name}: the interrupt workload ran on edu ({mode})",
                    (blocks.get(("workload", name)) or "no output")[-400:]):
            continue
        d0, d1 = device(s0, w.get("bdf")), device(s1, w.get("bdf"))

        def delta(field):
            return get(d1, field, 0) - get(d0, field, 0)

        def vdelta(kind, field):
            return vector(d1, kind, 0).get(field, 0) - vector(d0, kind, 0).get(field, 0)

        t.eq(w.get("msi_signals"), w.get("msi_rounds"), f"{name}: each MSI reached the eventfd")
        t.eq(w.get("msi_proc"), w.get("msi_rounds"),
             f"{name}: /proc/interrupts counted one MSI a round on vfio-msi[0]")
        t.eq(delta("irqs.interrupts.msi"), w.get("msi_proc"),
             f"{name}: MSIs counted == /proc/interrupts' vfio-msi[0] line")
        t.eq(vdelta("msi", "interrupts"), w.get("msi_proc"), f"{name}: the MSI vector 0's own count")
        t.eq(vector(d1, "msi", 0).get("irq"), w.get("msi_irq"),
             f"{name}: the MSI vector's host irq is /proc/interrupts'")
        t.eq(w.get("intx_signals"), w.get("intx_rounds"), f"{name}: each INTx reached the eventfd")
        t.eq(delta("irqs.interrupts.intx"), w.get("intx_rounds"),
             f"{name}: INTx handled == the workload's rounds")
        t.eq(delta("irqs.interrupts.intx") + delta("irqs.intx_unhandled"), w.get("intx_proc"),
             f"{name}: INTx handler calls (handled + unhandled) == /proc/interrupts' vfio-intx line")
        t.eq(vector(d1, "intx", 0).get("irq"), w.get("intx_irq"),
             f"{name}: the INTx vector's host irq is /proc/interrupts'")
        t.eq(delta("irqs.intx_unmasks"), w.get("intx_unmasks"),
             f"{name}: INTx mask cycles == the workload's unmasks")
        t.eq(vdelta("intx", "unmasks"), w.get("intx_unmasks"), f"{name}: ... on the INTx vector")
        t.ok(delta("irqs.intx_masked_ns") > 0 and vdelta("intx", "masked_ns") > 0,
             f"{name}: time masked counted", str(delta("irqs.intx_masked_ns")))
        for i, k in enumerate(INDEXES):
            t.eq(delta(f"irqs.sets.{k}"), (w.get("set_irqs") or [0] * 5)[i],
                 f"{name}: VFIO_DEVICE_SET_IRQS calls, index {k}")
        for i, k in enumerate(("mask", "unmask", "trigger")):
            t.eq(delta(f"irqs.sets_by_action.{k}"), (w.get("set_irq_actions") or [0] * 3)[i],
                 f"{name}: VFIO_DEVICE_SET_IRQS calls, action {k}")
        if name == "i":
            check_waits(t, name, w, d0, d1)
        else:
            t.eq(get(d1, "irqs.reads", 0) + get(d1, "irqs.wait_ns", 0), 0,
                 f"{name}: no eventfd read counted by the default daemon (--irq-waits off)")
        t.ok(w.get("set_irqs_refused") == 3 and delta("irqs.sets_refused") == 3,
             f"{name}: the 3 SET_IRQS vfio's argument checks refused with EINVAL (index 9, "
             "64 MSI vectors, two data types)",
             f"workload {w.get('set_irqs_refused')}, vfiotop {delta('irqs.sets_refused')}")
        t.eq(delta("irqs.sets_failed"), w.get("set_irqs_refused"),
             f"{name}: SET_IRQS failed == those refused (vfio-pci failed none)")
        t.ok(delta("irqs.set_time_ns") > 0, f"{name}: time in SET_IRQS counted")
        t.eq(get(d1, "irqs.vectors"), 0, f"{name}: no vector left set up after its tear-downs")
        t.ok(get(d1, "irqs.vectors_max", 0) >= w.get("vectors_max", 1),
             f"{name}: at most {w.get('vectors_max')} vector at once, seen")
        t.eq([v.get("active") for v in get(d1, "irqs.by_vector", [])], [False, False],
             f"{name}: two vectors known (INTx, MSI 0), neither active")
        if name == "i2":
            closed = snapshot_pair(blocks, after, "after-i2")[1]
            check_close(t, name, d1, device(closed, w.get("bdf")))
        if name == "i":
            k = kdiff(kprobe_counts(blocks.get(("kprobes", "after-i"))),
                      kprobe_counts(blocks.get(("kprobes", "before-i"))))
            t.eq(delta("irqs.interrupts.msi"), k.get("vfio_msihandler"),
                 "i: MSIs == vfio_msihandler's calls (tracefs kprobe)")
            t.eq(delta("irqs.interrupts.intx") + delta("irqs.intx_unhandled"),
                 k.get("vfio_intx_handler"), "i: INTx == vfio_intx_handler's calls (tracefs kprobe)")
            t.eq(sum(delta(f"irqs.sets.{x}") for x in INDEXES) - w.get("set_irqs_refused_indexed", 0),
                 k.get("vfio_pci_set_irqs_ioctl"), "i: SET_IRQS by index, less those refused "
                 "before vfio-pci == vfio_pci_set_irqs_ioctl's calls (tracefs kprobe)")
            t.eq(delta("irqs.intx_unmasks"), k.get("vfio_pci_intx_unmask_handler"),
                 "i: INTx unmasks == vfio_pci_intx_unmask_handler's calls (tracefs kprobe)")


def check_close(t, name, d1, d2):
    """The workload's exit closes edu with no interrupts set up; vfio-pci then
    calls its vfio_pci_set_irqs_ioctl() with index VFIO_PCI_NUM_IRQS, which
    fails with ENOTTY: no VFIO_DEVICE_SET_IRQS of anyone's."""
    if not t.ok(d2, f"{name}: edu in the snapshot after the workload's exit"):
        return
    fields = ["irqs.sets_failed", "irqs.sets_refused"] + \
        [f"irqs.sets.{k}" for k in INDEXES] + \
        [f"irqs.sets_by_action.{k}" for k in ("mask", "unmask", "trigger")]
    moved = {f: get(d2, f, 0) - get(d1, f, 0) for f in fields if get(d2, f, 0) != get(d1, f, 0)}
    t.ok(not moved, f"{name}: the device's close counted no SET_IRQS (vfio-pci's own "
         "tear-down with nothing set up)", str(moved))


PAUSE_NS = 4_000_000     # irq.c's PAUSE_US: every fourth round reads that late


def buckets(dev, path):
    return {b["lo"]: b["count"] for b in get(dev, path, []) or []}


def check_waits(t, name, w, d0, d1):
    """--irq-waits (the first daemon). Each edu round read its eventfd once: each
    read took the round's interrupt, which waited at least the round's pause
    before the read and at most from the raise to the read's return (the
    workload's clock, CLOCK_MONOTONIC as BPF's)."""
    def vdelta(kind, field):
        return vector(d1, kind, 0).get(field, 0) - vector(d0, kind, 0).get(field, 0)

    for kind in ("msi", "intx"):
        reads = w.get(f"{kind}_reads")
        bound, paused = w.get(f"{kind}_wait_bound_ns", 0), w.get(f"{kind}_paused_ns", -1)
        t.eq(vdelta(kind, "reads"), reads,
             f"{name}: {kind} eventfd reads that took an interrupt == the workload's reads")
        wait = vdelta(kind, "wait_ns")
        t.ok(paused > 0 and paused <= wait <= bound,
             f"{name}: {kind} waits for the reads, summed, between the workload's pauses "
             "and its raise-to-read times", f"wait {wait}, pauses {paused}, bound {bound}")
    reads = w.get("msi_reads", 0) + w.get("intx_reads", 0)
    t.eq(get(d1, "irqs.reads", 0) - get(d0, "irqs.reads", 0), reads,
         f"{name}: the device's eventfd reads that took an interrupt")
    h0, h1 = buckets(d0, "irqs.wait_latency_ns.buckets"), buckets(d1, "irqs.wait_latency_ns.buckets")
    grew = {lo: n - h0.get(lo, 0) for lo, n in h1.items()}
    paused = (w.get("msi_paused_ns", 0) + w.get("intx_paused_ns", 0)) // PAUSE_NS
    late = sum(n for lo, n in grew.items() if lo >= PAUSE_NS // 2)
    t.ok(sum(grew.values()) == reads and paused <= late,
         f"{name}: the wait histogram has every read, the paused ones at 2 ms or more",
         f"buckets grew {grew}, reads {reads}, paused rounds {paused}")
    t.ok(get(d1, "irqs.wait_max_ns", 0) >= PAUSE_NS, f"{name}: the longest wait, a paused one",
         str(get(d1, "irqs.wait_max_ns")))


def check_msix(t, blocks):
    """MSI-X: QEMU's e1000e raising each of its five vectors in turn (workload x, the
    default daemon), per vector against the eventfds and /proc/interrupts."""
    w = workload_truth(blocks.get(("workload", "x")))
    s0, s1 = snapshot_pair(blocks, "before-x", "msix")
    if not t.ok(w is not None and w.get("msix_rounds") and s1,
                "x: the MSI-X workload ran on e1000e",
                (blocks.get(("workload", "x")) or "no output")[-400:]):
        return
    d0, d1 = device(s0, w.get("bdf")), device(s1, w.get("bdf"))
    rounds = w["msix_rounds"]
    n = len(w.get("msix_proc") or [])
    # at least: the e1000e of QEMU 7.2 raised vector 2 (TXQ0) 18 times in 12 rounds
    # under a 7.3 guest, the others 12; all it raises reaches the eventfds
    t.ok(n == 5 and all(p >= rounds for p in w["msix_proc"]) and
         w["msix_signals"] == w["msix_proc"],
         "x: each of the 5 vectors raised at least once a round, and its eventfd got "
         "every interrupt its vfio-msix[k] line counted",
         f"signals {w.get('msix_signals')}, /proc {w.get('msix_proc')}, rounds {rounds}")
    got = [vector(d1, "msix", k).get("interrupts", 0) - vector(d0, "msix", k).get("interrupts", 0)
           for k in range(n)]
    t.ok(n and got == w["msix_proc"], "x: interrupts per MSI-X vector == /proc/interrupts' lines",
         f"got {got}, want {w['msix_proc']}")
    reads = [vector(d1, "msix", k).get("reads", 0) for k in range(n)]
    t.ok(n and sum(w.get("msix_reads") or []) >= 5 * rounds and reads == [0] * n,
         "x: the workload read every vector's eventfd; the default daemon counted none "
         "(--irq-waits off)", f"got {reads}, workload's reads {w.get('msix_reads')}")
    t.eq([vector(d1, "msix", k).get("irq") for k in range(n)], w.get("msix_irq"),
         "x: each vector's host irq is /proc/interrupts'")
    t.eq(get(d1, "irqs.interrupts.msix", 0) - get(d0, "irqs.interrupts.msix", 0),
         sum(w["msix_proc"]), "x: MSI-X interrupts of the device, all vectors")
    t.ok(get(d1, "irqs.vectors_max", 0) >= 5 and get(d1, "irqs.vectors") == 0,
         "x: 5 vectors at once, none left after the tear-down",
         f"max {get(d1, 'irqs.vectors_max')}, now {get(d1, 'irqs.vectors')}")
    t.eq(get(d1, "irqs.sets.msix", 0) - get(d0, "irqs.sets.msix", 0),
         (w.get("set_irqs") or [0] * 5)[2], "x: VFIO_DEVICE_SET_IRQS MSI-X calls")


def check_late(t, blocks):
    """Vectors set up before vfiotopd attached, as a VM running when the package is
    installed: workload late sets up the e1000e's MSI-X with no daemon running, a
    daemon without pinned maps attaches (finding them in /proc/interrupts), and only
    then are they raised: counted from the attach, per vector."""
    w = workload_truth(blocks.get(("workload", "late")))
    s0, s1 = snapshot_pair(blocks, "before-late", "late")
    _, s2 = snapshot_pair(blocks, "before-late", "after-late")
    if not t.ok(w is not None and w.get("msix_rounds") and s1 and s2,
                "late: the MSI-X workload set its vectors up before the daemon started",
                (blocks.get(("workload", "late")) or "no output")[-400:]):
        for _ in range(3):
            t.ok(False, "late: not checked: the workload did not run")
        return
    d0, d1, d2 = device(s0, w.get("bdf")), device(s1, w.get("bdf")), device(s2, w.get("bdf"))
    irqs = [vector(d0, "msix", k).get("irq") for k in range(5)]
    t.ok(get(d0, "irqs.vectors") == 5 and irqs == w.get("msix_irq"),
         "late: the 5 vectors set up before the attach are known at it, by their host irqs",
         f"vectors {get(d0, 'irqs.vectors')}, irqs {irqs}, /proc/interrupts {w.get('msix_irq')}")
    got = [vector(d1, "msix", k).get("interrupts", 0) - vector(d0, "msix", k).get("interrupts", 0)
           for k in range(5)]
    t.ok(got == w.get("msix_proc"), "late: interrupts per MSI-X vector == /proc/interrupts' "
         "lines", f"got {got}, want {w.get('msix_proc')}")
    t.ok(get(d2, "irqs.vectors") == 0 and not any(v.get("active")
                                                  for v in get(d2, "irqs.by_vector", []) or []),
         "late: none left active after the workload's exit (free_irq of a vector found at "
         "the attach)", str(get(d2, "irqs.by_vector")))


def check_late_intx(t, blocks):
    """INTx set up before vfiotopd attached (workload latei on edu, beside late):
    found in /proc/interrupts at the attach; its interrupts and mask cycles
    counted from there, the device learning its vector at the first unmask."""
    w = workload_truth(blocks.get(("workload", "latei")))
    s0, s1 = snapshot_pair(blocks, "before-late", "late")
    _, s2 = snapshot_pair(blocks, "before-late", "after-late")
    if not t.ok(w is not None and w.get("intx_rounds") and s1 and s2,
                "latei: the INTx workload set its vector up before the daemon started",
                (blocks.get(("workload", "latei")) or "no output")[-400:]):
        for _ in range(4):
            t.ok(False, "latei: not checked: the workload did not run")
        return
    d0, d1, d2 = device(s0, w.get("bdf")), device(s1, w.get("bdf")), device(s2, w.get("bdf"))
    v0 = vector(d0, "intx", 0)
    t.ok(v0.get("active") and v0.get("irq") == w.get("intx_irq"),
         "latei: the INTx set up before the attach is known at it, by its host irq",
         f"{v0}, /proc/interrupts irq {w.get('intx_irq')}")

    def vdelta(field):
        return vector(d1, "intx", 0).get(field, 0) - v0.get(field, 0)

    t.ok(vdelta("interrupts") == w.get("intx_rounds") and
         vdelta("interrupts") + vdelta("unhandled") == w.get("intx_proc"),
         "latei: INTx handled == the workload's rounds, handler calls == /proc/interrupts'",
         f"handled {vdelta('interrupts')} unhandled {vdelta('unhandled')}, rounds "
         f"{w.get('intx_rounds')}, /proc/interrupts {w.get('intx_proc')}")
    t.eq(vdelta("unmasks"), w.get("intx_unmasks"), "latei: INTx mask cycles == the workload's "
         "unmasks (the device finds its vector at the first)")
    t.ok(not vector(d2, "intx", 0).get("active"),
         "latei: not active after the workload's exit", str(vector(d2, "intx", 0)))


def check_bypass(t, blocks, lines, model):
    """irq-bypass: workloads k1 (the first daemon, kprobes) and k (the default
    daemon, trampolines) give a KVM VM irqfds on three of the e1000e's MSI-X
    vectors. Each pair irqbypass.ko connects, as tracefs' kretprobe on __connect
    returned 0, is a vector vfiotop marks bypass; the workload's exit
    disconnects them all (__disconnect's calls)."""
    for name, mode in (("k1", "kprobes"), ("k", "trampolines")):
        w = workload_truth(blocks.get(("workload", name)))
        kvm = [l.split() for l in lines if l.startswith(f"KVM {name} ")]
        _, s1 = snapshot_pair(blocks, f"before-{name}", f"bypass-{name}")
        _, s2 = snapshot_pair(blocks, f"before-{name}", f"after-{name}")
        if not t.ok(kvm and kvm[0][2] == "1" and w is not None and w.get("kvm_irqfds") == 3
                    and s1, f"{name}: /dev/kvm in the guest, and a KVM VM took irqfds on 3 "
                    f"MSI-X vectors ({mode})",
                    f"KVM {kvm}, workload {(blocks.get(('workload', name)) or 'no output')[-400:]}"):
            for _ in range(3):
                t.ok(False, f"{name}: not checked: the KVM workload did not run")
            continue
        exits = [l for l in (blocks.get(("spans", f"connect_{name}")) or "").splitlines()
                 if " exit: " in l]
        connects = sum(1 for l in exits if l.rstrip().endswith("ret=0"))
        disconnects = sum(1 for l in (blocks.get(("spans", f"disconnect_{name}")) or "")
                          .splitlines() if " entry: " in l)
        # KVM of 6.12 and 7.x registers an irqfd as a consumer only where it can post
        # interrupts (enable_apicv and an IOMMU with posting): never under TCG. 7.x says
        # so in kvm_amd's enable_device_posted_irqs, which 6.x does not have.
        want = 3 if model in ("whole_vma", "per_page") else 0
        posting = kvm[0][3] if len(kvm[0]) > 3 else "?"
        t.ok(connects == want and posting == ("N" if model == "huge7" else "-"),
             f"{name}: irqbypass connected {want} of the 3 irqfds (tracefs kretprobe on "
             "__connect, ret 0; 7.x: kvm_amd enable_device_posted_irqs N)",
             f"connects {connects}, enable_device_posted_irqs {posting}")
        d1, d2 = device(s1, w.get("bdf")), device(s2, w.get("bdf"))
        marked = [v.get("vector") for v in get(d1, "irqs.by_vector", []) or [] if v.get("bypass")]
        t.ok(marked == list(range(connects)) and get(d1, "irqs.bypass_vectors") == connects,
             f"{name}: the vectors marked bypass are those KVM connected (tracefs kretprobe)",
             f"marked {marked}, irqs.bypass_vectors {get(d1, 'irqs.bypass_vectors')}, "
             f"connects {connects}")
        after = [v.get("vector") for v in get(d2, "irqs.by_vector", []) or [] if v.get("bypass")]
        t.ok(after == [] and get(d2, "irqs.bypass_vectors") == 0 and disconnects == connects,
             f"{name}: none marked after the exit; __disconnect's calls == the connects",
             f"marked {after}, disconnects {disconnects}, connects {connects}")
