#!/usr/bin/env python3
"""make demo: one sentence per workload from its ground-truth JSON lines (stdin).

A workload prints its truth on several lines: the one with its "bdf" starts it."""
import json
import sys

workloads = []
for line in sys.stdin:
    fields = json.loads(line)
    if "bdf" in fields or not workloads:
        workloads.append(fields)
    else:
        workloads[-1].update(fields)
for w in workloads:
    print(f"{w['bdf']}: pid {w['pid']} mapped its {w['bar_size'] >> 20} MiB BAR{w['bar']} once, "
          f"touched every page {w['rounds']} times, cleared PCI_COMMAND memory "
          f"{w['mem_disable_writes']} times, touched the BAR {w['sigbus_delivered']} times "
          f"while it was off (SIGBUS), DMA-mapped it {w['dma_map_ok']} times and issued "
          f"VFIO_DEVICE_RESET {w['resets_ok']} times")
