#!/usr/bin/env python3
"""Checks one VM run of tests/vm/scenarios/full.sh and prints TAP.

Expected numbers come from two independent sources:
  - each workload's ground truth (what it did: rounds, BAR size, where it
    mapped the BAR, resets, ...), turned into counts by the kernel's model of
    how vfio-pci maps a BAR;
  - tracefs kprobe hit counts taken around each workload in the same run.

  check.py RESULTS.txt MODEL [PREFIX [systemd]]
A run that stopped early still owes every check of a complete one: the
missing ones are printed as failures (PLAN), so a kernel that did not boot
fails as many checks as a good run makes. "systemd": the boot ran (or
should have run) under systemd, with its checks. The checks themselves are
in checks/, a module a concern (checks/scenario.py runs them in order).
MODEL:
  whole_vma   6.1 stock: one fault remaps the whole vma (io_remap_pfn_range),
              zaps go through vfio_pci_zap_and_vma_lock + zap_vma_ptes
  huge        6.12: vfio_pci_mmap_huge_fault(order) maps one PTE/PMD/PUD,
              zaps are unmap_mapping_range on the device inode
  huge7       7.x: as 6.12, with the BARs iomapped (reserved) at open, zaps
              through zap_vma_range_batched, BARs exported as DMA-BUFs
"""
import os
import sys
import traceback

from checks.plan import pay_plan
from checks.results import parse_results
from checks.scenario import checks
from checks.tap import Tap


def main():
    path, model = sys.argv[1], sys.argv[2]
    t = Tap(sys.argv[3] if len(sys.argv) > 3 else "")
    systemd = len(sys.argv) > 4 and sys.argv[4] == "systemd"
    try:
        checks(t, path, model)
    except Exception:  # missing data must fail checks, not the whole kernel's report
        t.ok(False, "check.py read every result", traceback.format_exc())
    pay_plan(t, parse_results(path)[1] if os.path.exists(path) else [], model, systemd)
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
