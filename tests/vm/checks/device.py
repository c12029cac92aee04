"""One workload's device in a snapshot: its counters against the model and
the kprobes, its identity, its BAR's memtype and its mapping."""
import json

from .models import GIB1, KPROBE_FIELDS, MIB2, MODELS
from .results import device, get


def check_device(t, name, w, dev, model, window):
    t.ok(dev is not None, f"{name}: device {w['bdf']} is in the snapshot")
    if dev is None:
        return
    for field, want in MODELS[model](w).items():
        if want is not None:
            t.eq(get(dev, field), want, f"{name}: {field}")
    t.eq(get(dev, "dmabuf.alive"), w.get("dmabufs_ok", 0),
         f"{name}: dmabuf.alive while the workload holds its exports")
    check_bar_memtype(t, name, w, dev, model)
    check_mapping(t, name, w, dev)
    for fn, field in KPROBE_FIELDS[model].items():
        if fn in window:
            # a kprobe counts calls: the ones that worked and the ones that did not
            got = sum(get(dev, f, 0) for f in field.split("+"))
            t.eq(got, window[fn], f"{name}: {field} matches kprobe {fn}")
    by_order = get(dev, "faults.by_order", {})
    t.eq(sum(by_order.values()), get(dev, "faults.count"), f"{name}: faults.by_order sums to faults.count")
    t.eq(get(dev, "faults.by_origin.user") + get(dev, "faults.by_origin.dma_map") +
         get(dev, "faults.by_origin.kernel"), get(dev, "faults.count"),
         f"{name}: faults.by_origin sums to faults.count")
    if model in ("huge", "huge7"):
        # every fault that neither installed a page nor hit SIGBUS fell back
        installed = sum(get(dev, f"mapped.pages_{s}") for s in ("4k", "2m", "1g"))
        t.eq(get(dev, "faults.fallback"), get(dev, "faults.count") - installed -
             get(dev, "faults.sigbus"), f"{name}: faults.fallback = faults not installing a page")
    t.eq(get(dev, "resets.count"),
         window.get("pci_try_reset_function", 0) + window.get("pci_reset_bus", 0),
         f"{name}: resets.count matches kprobes pci_try_reset_function+pci_reset_bus")
    lat = get(dev, "faults.latency_ns", {})
    t.ok(0 < lat.get("p50", 0) <= lat.get("p99", 0) <= lat.get("max", 0),
         f"{name}: latency 0 < p50 <= p99 <= max",
         json.dumps({k: lat.get(k) for k in ("p50", "p99", "max")}))
    t.eq(sum(b["count"] for b in lat.get("buckets", [])), get(dev, "faults.count"),
         f"{name}: latency buckets sum to faults.count")
    t.eq((get(dev, "vendor"), get(dev, "device"), get(dev, "driver")),
         ("0x1af4", "0x1110", "vfio-pci"), f"{name}: identity")
    t.ok(isinstance(get(dev, "iommu_group"), int), f"{name}: iommu_group is known")
    procs = [p for p in dev.get("processes", []) if p.get("pid") == w["pid"]]
    t.ok(len(procs) == 1 and procs[0].get("comm") == w["comm"] and procs[0].get("alive")
         and w["bar"] in procs[0].get("bars", []) and
         procs[0].get("dmabufs") == w.get("dmabufs_ok", 0),
         f"{name}: owner pid {w['pid']} ({w['comm']}) alive, mapped BAR {w['bar']}, "
         f"exported {w.get('dmabufs_ok', 0)} DMA-BUFs", json.dumps(dev.get("processes")))


def check_identity(t, blocks, snap):
    """NUMA node, PF and PCIe link of each device, against the guest's sysfs."""
    rows = [l.split(None, 4) for l in (blocks.get(("ident", "sysfs")) or "").splitlines() if l]
    t.ok(len(rows) >= 2, f"sysfs identity of {len(rows)} devices recorded")
    for r in rows:
        bdf, numa, physfn, width = r[0], int(r[1]), r[2], int(r[3])
        speed = r[4] if len(r) > 4 else ""
        dev = device(snap, bdf) or {}
        want_link = {"speed": speed, "width": width} if speed or width else None
        got_link = dev.get("link")
        t.ok(dev.get("numa_node") == (numa if numa >= 0 else None) and
             get(dev, "sriov.physfn") == (physfn if physfn not in ("", "-", ".") else None) and
             (got_link is None if want_link is None else
              got_link is not None and {k: got_link.get(k) for k in want_link} == want_link),
             f"{bdf}: numa_node, sriov.physfn and link as sysfs says ({numa}, {physfn}, "
             f"{width} x {speed or '-'})",
             json.dumps({k: dev.get(k) for k in ("numa_node", "sriov", "link")}))


def check_bar_memtype(t, name, w, dev, model):
    """Each reservation named with its BAR: the mapped one (6.x), every
    memory BAR of the device (7.x)."""
    bars = get(dev, "memtype.bars", []) or []
    mine = [b for b in bars if b.get("bar") == w["bar"]]
    t.ok(len(mine) == 1 and mine[0].get("mode") == "uc-" and mine[0].get("reservations") == 1
         and mine[0].get("bytes") == w["bar_size"],
         f"{name}: memtype.bars has BAR {w['bar']} reserved once, uc-, {w['bar_size']} bytes",
         json.dumps(bars))
    want = w["mem_bars"] if model == "huge7" else 1
    t.eq(len(bars), want, f"{name}: memtype.bars lists the reserved BARs")
    t.eq(get(dev, "memtype.reservations_outside_bars"), 0,
         f"{name}: every reservation matched one of the device's BARs")


def largest_page(addr, size):
    for unit, page in ((GIB1, "1g"), (MIB2, "2m")):
        if addr % unit == 0 and size >= unit:
            return page
    return "4k"


def check_mapping(t, name, w, dev):
    """The BAR mapping's place, and why a huge page cannot map it."""
    maps = [m for m in (dev or {}).get("mappings", []) if m.get("pid") == w["pid"]]
    want = largest_page(w["map_addr"], w["bar_size"])
    ok = (len(maps) >= 1 and maps[-1].get("addr") == w["map_addr"] and
          maps[-1].get("bytes") == w["bar_size"] and maps[-1].get("bar") == w["bar"] and
          maps[-1].get("largest_page") == want)
    t.ok(ok, f"{name}: mapping at 0x{w['map_addr']:x} shown, alignment allows {want} pages",
         json.dumps(maps))
    if maps:
        off = w["map_addr"] % MIB2
        why = maps[-1].get("huge_fallback") or ""
        t.ok(bool(why) == (off != 0 and w["bar_size"] >= MIB2) and
             (not off or f"{off >> 10} KiB off a 2 MiB boundary" in why),
             f"{name}: huge_fallback explains an unaligned mapping ({why or 'none'})")


def device_delta(t, blocks, name, bdf, before_label, after_label):
    """How much a device's field grew between two snapshots (a function), or
    None after a failed check when either snapshot is missing."""
    try:
        before = device(json.loads(blocks.get(("snapshot", before_label), "")), bdf)
        after = device(json.loads(blocks.get(("snapshot", after_label), "")), bdf)
    except ValueError:
        before = after = None
    if not t.ok(before and after, f"{name}: snapshots around it"):
        return None
    return lambda field: (get(after, field) or 0) - (get(before, field) or 0)
