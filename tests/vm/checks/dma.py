"""DMA maps: workload a's BAR map and workload m's "VM start"."""
import json
import re

from .models import KIB4
from .results import device, get, workload_truth


def check_dma(t, blocks, snaps):
    """Workload a's BAR map, and workload m's "VM start": every DMA map and
    unmap counted per process, per device and in total, failures by errno."""
    EFAULT, EINVAL, ENOSPC = 14, 22, 28
    wa = workload_truth(blocks.get(("workload", "a"))) or {}
    running = snaps["running"]
    pa = next((p for p in get(running, "dma.processes", []) if p["pid"] == wa.get("pid")), {})
    t.eq(get(pa, "dma.by_target.bar.maps"), 1, "a: its BAR's DMA map is counted as a BAR")
    t.eq(get(device(running, wa.get("bdf")), "dma.maps"), 1,
         "a: the BAR's DMA map is counted on its device")
    t.eq(get(device(running, wa.get("bdf")), "dma.bytes"), wa.get("bar_size"),
         "a: bytes of the BAR mapped for DMA")

    w = workload_truth(blocks.get(("workload", "m")))
    try:
        before = json.loads(blocks.get(("snapshot", "before-m"), ""))
        snap = json.loads(blocks.get(("snapshot", "dma"), ""))
    except ValueError:
        before, snap = {}, {}
    if not t.ok(w is not None and snap, "workload m (a VM start) ran, snapshot taken"):
        w = {}
    failures = w.get("dma_failures", [])
    t.eq([f["errno"] for f in failures], [EFAULT, EINVAL, ENOSPC],
         "m: the kernel failed the maps as provoked (EFAULT, EINVAL, ENOSPC)")
    p = next((p for p in get(snap, "dma.processes", []) if p["pid"] == w.get("pid")), {})
    t.ok(p.get("alive") is True, "m: its process is listed, alive", json.dumps(p)[:400])
    # born in a libvirt-like machine scope with QEMU's argv: the scope names the domain
    want_vm = {"name": "vt-libvirt", "source": "libvirt", "qemu_name": "vt-m",
               "unit": "machine-qemu-7-vt-libvirt.scope", "container": "", "pod": ""}
    t.eq(p.get("vm"), want_vm, "m: its VM (DMA process), from its machine scope and argv")
    dev = device(snap, w.get("bdf")) or {}
    owner = next((o for o in dev.get("processes", []) if o.get("pid") == w.get("pid")), {})
    t.eq([owner.get("vm"), dev.get("vm")], [want_vm, "vt-libvirt"],
         "m: its VM as the device's owner, and the device's VM")
    info = [l for l in (blocks.get(("metrics", "vm")) or "").splitlines()
            if l.startswith("vfiotop_device_vm_info{")]
    t.ok(len(info) == 1 and f'bdf="{w.get("bdf")}"' in info[0] and
         info[0].endswith(',vm="vt-libvirt",source="libvirt"} 1'),
         "/metrics: vfiotop_device_vm_info names the device's VM, once", "\n".join(info))
    d = p.get("dma", {})
    t.eq(get(d, "map.calls"), w.get("dma_map_calls"), "m: VFIO_IOMMU_MAP_DMA calls")
    t.eq(get(d, "map.failed"), len(failures), "m: maps failed")
    for name, n in (("EFAULT", 1), ("EINVAL", 1), ("ENOSPC", 1), ("EEXIST", 0)):
        t.eq(get(d, f"errors.{name}"), n, f"m: failures with {name}")
    t.eq(get(d, "by_target.ram.maps"), w.get("ram_maps_ok"), "m: maps of RAM")
    t.eq(get(d, "by_target.ram.bytes"), w.get("ram_map_bytes"), "m: bytes of RAM mapped")
    t.eq(get(d, "by_target.bar.maps"), 1, "m: maps of a BAR")
    t.eq(get(d, "by_target.bar.bytes"), w.get("bar_size"), "m: bytes of BAR mapped")
    t.eq(get(d, "pinned_pages"), (w.get("ram_map_bytes") or 0) // KIB4,
         "m: RAM pages pinned (locked_vm growth)")
    t.eq(get(d, "unmap.calls"), w.get("dma_unmap_calls"), "m: VFIO_IOMMU_UNMAP_DMA calls")
    t.eq(get(d, "unmap.bytes"), w.get("unmap_bytes"), "m: bytes unmapped")
    last = p.get("last_failure") or {}
    want = failures[-1] if failures else {}
    t.eq([last.get(k) for k in ("error", "target", "vaddr", "iova", "size")],
         ["ENOSPC", "ram", want.get("vaddr"), want.get("iova"), want.get("size")],
         "m: its last failure, with its range")
    ns = get(p, "startup.to_last_map_ns", -1)
    lo = ((w.get("last_map_end_ms") or 0) - (w.get("open_end_ms") or 0) - 2) * 1e6
    hi = ((w.get("last_map_end_ms") or 0) - (w.get("open_start_ms") or 0) + 2) * 1e6
    t.ok(get(p, "startup.open_seen") is True and lo <= ns <= hi,
         "m: start-up, from its device open to its last map, as the workload timed it",
         f"{ns} ns, want {lo:.0f}..{hi:.0f}")
    table = blocks.get(("table", "dma"), "")
    t.ok(re.search(r"^DMA maps \d+ .* failed 3 +last: map of 1024 KiB at iova 0x[0-9a-f]+ by workload\[\d+\] ENOSPC$",
                   table, re.M), "m: the table's DMA line names the maps, the failures and the last one",
         table[:600])
    bdf = w.get("bdf")
    for field, want in (("dma.maps", 1), ("dma.bytes", w.get("bar_size")), ("dma.failed", 0)):
        t.eq(get(device(snap, bdf), field, 0) - get(device(before, bdf), field, 0), want,
             f"m: its device's {field} grew by its BAR map")
    for field in ("map.calls", "map.failed", "unmap.calls", "unmap.bytes", "by_target.ram.maps",
                  "errors.ENOSPC", "pinned_pages"):
        t.eq(get(snap, f"dma.{field}", 0) - get(before, f"dma.{field}", 0), get(d, field),
             f"m: the totals' dma.{field} grew by its own")
