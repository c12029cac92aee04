"""Phase 2: workloads a, b and c, each against its own kprobe window, their
owners' VMs, and what stays once they exit."""
from .device import check_device
from .results import device, get, kdiff, kprobe_counts, workload_truth


def check_workloads(t, blocks, lines, snaps, model):
    """The workloads' ground truths, by name."""
    # 2. the workloads, each against its own kprobe window
    # d, e and f belong to later phases, checked there
    names = [n for n in ("a", "b", "c") if ("workload", n) in blocks]
    truths = {}
    prev = kprobe_counts(blocks.get(("kprobes", "k0")))
    running, final = snaps["running"], snaps["final"]
    for name in names:
        after = kprobe_counts(blocks.get(("kprobes", f"after-{name}")))
        window, prev = kdiff(after, prev), after
        w = workload_truth(blocks.get(("workload", name)))
        if not t.ok(w is not None, f"workload {name} printed its ground truth",
                    (blocks.get(("workload", name)) or "")[-500:]):
            continue
        truths[name] = w
        t.ok(w["dma_map"] == 0 or w["dma_map_ok"] == 1,
             f"{name}: VFIO_IOMMU_MAP_DMA of the BAR worked", f"errno {w.get('dma_map_errno')}")
        t.eq(w["resets_failed"], 0, f"{name}: VFIO_DEVICE_RESET calls succeeded")
        check_device(t, name, w, device(running, w["bdf"]), model, window)
        t.ok(f"WORKLOAD_EXIT {name} 0" in lines, f"{name}: workload exited 0")
        print(f"# {name}: {w['bar_size'] >> 20} MiB BAR at 0x{w['map_addr']:x}, "
              f"{w['rounds']} rounds touched in {w['touch_ms']:.0f} ms")
    t.eq(len({w["bar_size"] for w in truths.values()}), len(truths),
         "the devices have different BAR sizes and are told apart")
    # the VM behind an owner: b ran with plain QEMU's "-name vt-b"; a with no
    # name, so only a unit of its own names it (the scenario's, under systemd)
    def owner_vm(name):
        w = truths.get(name, {})
        procs = (device(running, w.get("bdf")) or {}).get("processes", [])
        return next((p.get("vm") for p in procs if p.get("pid") == w.get("pid")), None) or {}
    vb, va = owner_vm("b"), owner_vm("a")
    t.eq([vb.get(k) for k in ("name", "source", "qemu_name")], ["vt-b", "qemu", "vt-b"],
         "b: its VM named by QEMU's -name")
    t.eq([va.get(k) for k in ("name", "source")],
         ["vfiotop-scenario.service", "systemd"] if "INIT systemd" in lines else ["", ""],
         "a: without -name, named by its systemd unit if it has one")
    for name, w in truths.items():
        dev = device(final, w["bdf"])
        t.eq(get(dev, "resets.by_origin.close"), 1, f"{name}: close reset counted after exit")
        t.eq(get(dev, "dmabuf.alive"), 0, f"{name}: no dma-buf alive after the workload exits")
        if model == "huge7" and w.get("dmabuf_attempts"):
            t.eq(w["dmabufs_ok"], w["dmabuf_attempts"],
                 f"{name}: VFIO_DEVICE_FEATURE_DMA_BUF exported the BAR (errno {w['dmabuf_errno']})")
        procs = [p for p in (dev or {}).get("processes", []) if p.get("pid") == w["pid"]]
        t.ok(procs and not procs[0].get("alive"), f"{name}: owner marked not alive after exit")
    t.eq(get(final, "lost_events"), 0, "no lost events")
    return truths
