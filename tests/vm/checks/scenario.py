"""tests/vm/scenarios/full.sh's checks, phase after phase, in its order."""
import json
import os

from .accesses import check_accesses
from .attach import check_attach
from .bpfcalls import check_map_syscalls
from .caps import check_capabilities
from .dma import check_dma
from .irqs import check_bypass, check_irqs, check_late, check_late_intx, check_msix
from .pci import check_pci
from .pinned import check_pinned
from .race import check_race_and_load, check_touch_race
from .reload import check_reload
from .results import link_ids, parse_results
from .stalls import check_stalls
from .systemd import check_systemd
from .workloads import check_workloads


def checks(t, path, model):
    if not os.path.exists(path):
        t.ok(False, "the guest left results", path)
        return 1
    blocks, lines = parse_results(path)
    errors = [l for l in lines if l.startswith("ERROR")]
    t.ok("DONE" in lines, "guest ran the scenario to the end",
         "\n".join(lines[-5:] + (["where its tasks slept:", blocks[("hang", "all")]]
                                  if ("hang", "all") in blocks else [])))
    t.doomed = "DONE" not in lines
    t.ok(not errors, "guest setup reported no errors", "\n".join(errors))

    snaps = {}
    for label in ("waiting", "idle", "running", "final", "unloaded", "reloaded", "removed"):
        try:
            snaps[label] = json.loads(blocks.get(("snapshot", label), ""))
        except ValueError:
            snaps[label] = {}
        t.ok(bool(snaps[label]), f"snapshot '{label}' is one JSON document",
             (blocks.get(("snapshot", label)) or "missing")[:300])
    states = {l.split()[1]: l.split(maxsplit=3) for l in lines if l.startswith("STATE ")}

    check_attach(t, blocks, lines, snaps, states, model)
    truths = check_workloads(t, blocks, lines, snaps, model)
    check_capabilities(t, blocks, model)
    check_map_syscalls(t, blocks)
    check_reload(t, blocks, lines, snaps, states, truths, model)
    check_touch_race(t, blocks, model)
    check_race_and_load(t, blocks)
    check_stalls(t, blocks, model)
    check_dma(t, blocks, snaps)
    check_pci(t, blocks, snaps, lines, model)
    check_irqs(t, blocks, model)
    check_msix(t, blocks)
    check_late(t, blocks)
    check_late_intx(t, blocks)
    check_bypass(t, blocks, lines, model)
    check_accesses(t, blocks)
    t.ok("DAEMON_EXIT 0" in lines, "vfiotopd exits 0 on SIGTERM")
    t.eq(link_ids(blocks.get(("links", "stopped"))), [], "no BPF link left after the daemon exits")
    check_pinned(t, blocks, lines, states, model)
    if "LIVE_READY" in lines:
        t.ok("LIVE_DONE done" in lines, "live session: the host said it was done",
             " ".join(l for l in lines if l.startswith("LIVE_")))
    if "INIT systemd" in lines:
        check_systemd(t, blocks, lines, states, model)
    t.ok(any(l.startswith("PINNED_RMMOD vfio_pci_core ") and l.split()[2] != "0" for l in lines),
         "the default (fentry) daemon keeps vfio_pci_core from unloading (documented trade-off)")
    t.ok("UNPINNED_RMMOD vfio_pci_core 0" in lines, "vfio_pci_core unloads once that daemon exits")
    return 1 if t.failed else 0
