"""PCI resets and power states: workload a's bus resets, workload r's FLRs
and PMCSR writes on the virtio device."""
import json

from .results import device, get, workload_truth


def check_pci(t, blocks, snaps, lines, model):
    """How the PCI core reset each device and waited for it, and the virtio
    device's power states (workload r: FLRs, PMCSR writes)."""
    wa = workload_truth(blocks.get(("workload", "a"))) or {}
    dev = device(snaps["running"], wa.get("bdf"))
    t.eq(get(dev, "resets.by_pci_method.bus"), get(dev, "resets.count"),
         "a: every reset of an ivshmem device was a bus reset (its only reset_method)")
    t.eq(get(dev, "resets.last_pci_method"), "bus", "a: its latest reset's method")
    t.eq(get(dev, "power.failed"), 0, "a: no PM capability, no power change (runtime PM's refused D3hot is not one)")

    w = workload_truth(blocks.get(("workload", "r")))
    try:
        before = json.loads(blocks.get(("snapshot", "before-r"), ""))
        snap = json.loads(blocks.get(("snapshot", "flr-pm"), ""))
    except ValueError:
        before, snap = {}, {}
    if not t.ok(w is not None and snap, "workload r (FLRs and power states) ran on the virtio device"):
        w = {}
    d0, d1 = device(before, w.get("bdf")), device(snap, w.get("bdf"))

    def delta(field):
        return get(d1, field, 0) - get(d0, field, 0)

    resets = delta("resets.count")
    t.eq(resets, w.get("resets_attempted", 0) + 1, "r: its open's reset and its VFIO_DEVICE_RESETs")
    for field, want in (("resets.by_pci_method.flr", resets), ("resets.attempts.flr.count", resets),
                        ("resets.attempts.flr.failed", 0), ("resets.ready_wait.count", resets),
                        ("resets.ready_wait.failed", 0)):
        t.eq(delta(field), want, f"r: {field} grew by")
    t.ok(delta("resets.ready_wait.time_ns") > 0, "r: the waits for the device after its FLRs took time")
    t.eq(get(d1, "resets.last_pci_method"), "flr", "r: its latest reset's method")
    t.eq(get(d1, "resets.last_error"), "", "r: its latest reset worked")
    t.eq(w.get("pm_writes"), 2 * w.get("pm_cycles", 0), "r: the workload wrote PMCSR")
    t.eq(delta("power.requested"), w.get("pm_writes"), "r: each PMCSR write a power change its user asked for")
    t.eq(w.get("low_power_errno"), 0, "r: VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY worked")
    # low power: runtime PM suspended it (sysfs said so) and the exit resumed it
    low = int(bool(w.get("low_power_suspended")))
    t.eq(delta("power.transitions.D3hot"), w.get("pm_cycles", 0) + low,
         f"r: D3hot entered once per cycle{' and in low power' if low else ''}")
    # idle, vfio-pci had the device in D3hot (runtime PM): its open resumed it
    resumed = int("RUNTIME_PM_BEFORE_R suspended" in lines)
    t.eq(delta("power.transitions.D0"), w.get("pm_cycles", 0) + resumed + low,
         f"r: D0 entered once per cycle{', at its open (runtime resume)' if resumed else ''}"
         f"{' and out of low power' if low else ''}")
    t.ok(low == 1, "r: runtime PM suspended the device in low power", json.dumps(w)[-200:])
    t.eq(get(d1, "power.state"), "D0", "r: in D0 while its user holds it")
    t.ok(delta("power.time_ns.D3hot") > 0, "r: time in D3hot counted")
    t.eq(delta("power.failed"), 0, "r: no power change failed")
    t.ok(w.get("wc_bytes", 0) > 0, "r: mapped its BAR's resourceN_wc before opening the device")
    # vfio-pci requesting the BAR's region revokes the sysfs mapping
    # (CONFIG_IO_STRICT_DEVMEM). Up to 6.x that zap also drops its memtype
    # reservation (unmap_single_vma -> untrack_pfn): vfio-pci gets the uc- it
    # asks for. 7.x keeps it until the vma closes: vfio-pci is granted wc.
    conflict = model == "huge7"
    t.eq(delta("memtype.reservation_conflicts"), int(conflict),
         f"r: vfio-pci's reservation of that BAR {'conflicts' if conflict else 'does not conflict'}")
    bar = next((b for b in get(d1, "memtype.bars", []) if b.get("bar") == w.get("bar")), {})
    t.eq([bar.get("mode"), bar.get("requested")], ["wc" if conflict else "uc-", "uc-"],
         "r: its BAR's reservation, granted and asked")
    t.eq(delta("memtype.reservations_failed"), 0, "r: no reservation failed")
