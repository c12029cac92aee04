#!/usr/bin/env python3
"""Records the view's fixtures (snapshot-6.12-LABEL.json) from a VM run's results.

    tests/unit/data/record.py build/vm/6.12/results.txt [OUTDIR]

results.txt is what `make check` (tests/vm/run-tests.sh) leaves for the bookworm-backports
6.12 guest: `@@VT BEGIN snapshot LABEL` ... `@@VT END` blocks, one `vfiotop --json`
document each (tests/vm/checks/results.py's parse_results() reads the same framing). The
snapshots named in LABELS are written as the guest's daemon served them, one per file,
nothing edited: running (three workloads holding their devices), final (their owners
exited), removed (the daemon since killed and started again, 02:00.0 removed from the bus)
and after-race (faults raced against resets on 01:00.0). The committed ones come from
`VFIOTOP_KERNELS=6.12 make test-vm` on 2026-12-07 of the tree that adds irq-bypass
(daemon.version 0.13.0+g927ad98-dirty: the first with `irqs.bypass_vectors`; `accesses`
since 89dc5a1), with three devices,
04:00.0 virtio, 05:00.0 QEMU's edu and 06:00.0 an e1000e, that no workload has opened by
these snapshots).

make check validates them against docs/vfiotop.schema.json (fixtures.tap), and the unit
tests that read them fail on any field the view reads that is not there: record them
again when the schema changes. The tests read what the machine's timing decides from
the documents; test_http_route_json_lines.c names running's time_ns as a date.
"""
import json
import os
import re
import sys

LABELS = ("running", "final", "removed", "after-race")


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    results = sys.argv[1]
    outdir = sys.argv[2] if len(sys.argv) == 3 else os.path.dirname(os.path.abspath(__file__))
    with open(results, encoding="utf-8", errors="replace") as f:
        text = f.read()
    if not text.rstrip().endswith("@@VT DONE"):
        sys.exit(f"record.py: {results} does not end with '@@VT DONE': an incomplete run")
    found = dict(re.findall(r"^@@VT BEGIN snapshot (\S+)\n(.*?)\n@@VT END$", text, re.S | re.M))
    missing = [l for l in LABELS if l not in found]
    if missing:
        sys.exit(f"record.py: {results} has no snapshot {', '.join(missing)}")
    for label in LABELS:
        doc = json.loads(found[label])
        path = os.path.join(outdir, f"snapshot-6.12-{label}.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False)
            f.write("\n")
        print(f"{path}: kernel {doc['kernel']['release']}, daemon {doc['daemon']['version']}, "
              f"{len(doc['devices'])} devices")


main()
