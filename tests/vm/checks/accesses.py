"""Trapped accesses: QEMU's edu device read and written through the device fd
(config space, BAR0, the ROM region it lacks) and an ioeventfd signalled, for
workloads i (the first daemon, kprobes) and i2 (the default daemon,
trampolines), against the workload's own count of its preads and pwrites and
tracefs kprobes."""
import json

from .results import device, get, kdiff, kprobe_counts, snapshot_pair, workload_truth

REGIONS = ("bar0", "bar1", "bar2", "bar3", "bar4", "bar5", "rom", "config", "vga")
CAPS = ("basic", "pm", "msi", "msix", "pcie", "af", "other", "extended", "unassigned")


def check_accesses(t, blocks):
    for name, before, after, mode in (("i", "before-i", "irqs", "kprobes"),
                                      ("i2", "before-i2", "irqs2", "trampolines")):
        w = workload_truth(blocks.get(("workload", name)))
        s0, s1 = snapshot_pair(blocks, before, after)
        a = (w or {}).get("accesses")
        if not t.ok(a and w.get("access_rounds") and s1,
                    f"{name}: the access workload ran on edu ({mode})",
                    (blocks.get(("workload", name)) or "no output")[-400:]):
            continue
        d0, d1 = device(s0, w.get("bdf")), device(s1, w.get("bdf"))

        def delta(field):
            return get(d1, field, 0) - get(d0, field, 0)

        for kind in ("reads", "writes", "bytes"):
            got = [delta(f"accesses.{kind}.{r}") for r in REGIONS]
            t.ok(got == a[kind], f"{name}: trapped {kind} by region == the workload's preads "
                 "and pwrites", f"got {dict(zip(REGIONS, got))}, want {dict(zip(REGIONS, a[kind]))}")
        t.ok(a["reads"][REGIONS.index("config")] >= 3 * w["access_rounds"] and
             a["writes"][REGIONS.index("bar0")] >= 2 * w["access_rounds"],
             f"{name}: the workload read config space and wrote BAR0 each round", str(a))
        t.eq(delta("accesses.failed"), a["failed"],
             f"{name}: failed accesses == the workload's (the ROM region edu lacks)")
        got = [delta(f"accesses.config_writes_by_cap.{c}") for c in CAPS]
        t.ok(got == a["config_writes"],
             f"{name}: config writes by capability (PCI_COMMAND basic, MSI data msi)",
             f"got {dict(zip(CAPS, got))}, want {dict(zip(CAPS, a['config_writes']))}")
        t.eq(delta("accesses.ioeventfd_sets"), a["ioeventfd_sets"],
             f"{name}: VFIO_DEVICE_IOEVENTFD calls (add, remove)")
        t.eq(delta("accesses.ioeventfd_writes"), a["ioeventfd_signals"],
             f"{name}: ioeventfd writes == the eventfd's signals")
        n = sum(a["reads"]) + sum(a["writes"])
        buckets = [sum(b.get("count", 0) for b in get(d, "accesses.latency_ns.buckets", []) or [])
                   for d in (d0, d1)]
        t.eq(buckets[1] - buckets[0], n, f"{name}: the latency histogram holds every access")
        t.ok(all(delta(f"accesses.time_ns.{r}") > 0 for r in ("config", "bar0")) and
             get(d1, "accesses.max_ns", 0) > 0,
             f"{name}: time in config and BAR0 accesses counted",
             json.dumps(get(d1, "accesses.time_ns")))
        if name == "i":
            k = kdiff(kprobe_counts(blocks.get(("kprobes", "after-i"))),
                      kprobe_counts(blocks.get(("kprobes", "before-i"))))
            t.eq(n + a["failed"], k.get("vfio_pci_rw"),
                 "i: the workload's accesses == vfio_pci_rw's calls (tracefs kprobe)")
            t.eq(delta("accesses.ioeventfd_writes"), k.get("vfio_pci_ioeventfd_handler"),
                 "i: ioeventfd writes == vfio_pci_ioeventfd_handler's calls (tracefs kprobe)")
